/* mod_spncheck_status.c: the status handler (SetHandler spncheck-status:
 * HTML, ?format=json|prometheus, ?ref=ID) and a section in mod_status's
 * /server-status, over copies from the shared store. */
#include "mod_spncheck_config.h"
#include "mod_spncheck_status.h"
#include "mod_spncheck_store.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "util_script.h"

#include "apr_strings.h"

APLOG_USE_MODULE(spncheck);

static const char *arg(request_rec *r, const char *name)
{
    apr_table_t *t;
    const char *v;
    if (!r->args)
        return NULL;
    ap_args_to_table(r, &t);
    v = apr_table_get(t, name);
    return v;
}

/* Each scope's successes by mechanism: slot i of the copied header, when
 * it is named for scope i (spncheck_mech_assign did so at start-up). */
static void mech_counts(apr_pool_t *p, const spn_store_t *head, spn_scope_t *sc, int n)
{
    int i;
    for (i = 0; head && i < n && (uint32_t)i < head->n_mechs; i++) {
        const spn_mech_slot_t *m = &spn_store_mechs(head)[i];
        const char *label = spncheck_scope_label(p, &sc[i]);
        if (m->scope[0] && strncmp(m->scope, label, sizeof(m->scope) - 1) == 0)
            sc[i].mech_counts = m->n, sc[i].funnel = m;
    }
}

/* Scopes past SPNCheckMaxScopes: how many, and the first few by name. */
static void uncovered(apr_pool_t *p, spn_status_t *st, const spn_scope_t *sc, int n)
{
    int max = spncheck_max_scopes(), i;
    const char **l;

    st->max_scopes = max;
    if (n <= max)
        return;
    st->n_uncovered = n - max;
    l = apr_palloc(p, sizeof(*l) * SPN_STATUS_UNCOVERED_SHOWN);
    for (i = 0; i < SPN_STATUS_UNCOVERED_SHOWN && max + i < n; i++)
        l[i] = spncheck_scope_label(p, &sc[max + i]);
    st->uncovered = l;
    st->n_uncovered_shown = i;
}

/* The pages of a large configuration take a megabyte or more of pool
 * memory (every scope's inventory, findings, labels; the output itself is
 * streamed or small).  Built in a pool with an allocator of its own, which
 * gives its blocks back to malloc when the page is done: from the
 * worker's allocator, every thread that served a scrape kept up to
 * MaxMemFree (2 MB) of them, +2 MB in the largest child at 1,000 vhosts
 * (bench/vhosts.pl; with MaxMemFree 64, nothing). */
static apr_pool_t *work_pool(request_rec *r)
{
    apr_allocator_t *a;
    apr_pool_t *wp;

    if (apr_allocator_create(&a) != APR_SUCCESS)
        return r->pool;
    if (apr_pool_create_ex(&wp, r->pool, NULL, a) != APR_SUCCESS) {
        apr_allocator_destroy(a);
        return r->pool;
    }
    apr_allocator_owner_set(a, wp);         /* destroyed with the pool */
    return wp;
}

/* JSON and Prometheus grow with the scopes (some 2.3 KB a scope): sent as
 * they are written, in pieces of the buffer's size, not built whole (at
 * 1,000 vhosts a page built whole took 8 MB of the worker's memory, and
 * its allocator kept 2 MB of it). */
#define STREAM_PIECE 65536

static void send_piece(void *ctx, const char *s, size_t n)
{
    request_rec *r = ctx;
    if (!r->header_only)
        ap_rwrite(s, (int)n, r);            /* copied: s is reused at once */
}

static void headers(request_rec *r, const char *type)
{
    ap_set_content_type(r, type);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'");
}

int spncheck_status_handler(request_rec *r)
{
    apr_pool_t *wp;
    const char *format, *ref, *scope, *list;
    spn_status_t st;
    spn_scope_t *scopes;
    const spn_failure_t *one = NULL;
    spn_buf_t b;

    if (!r->handler || strcmp(r->handler, "spncheck-status") != 0)
        return DECLINED;
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    format = arg(r, "format");
    ref = arg(r, "ref");
    scope = arg(r, "scope");        /* one scope's view (a label: hostile, compared only) */
    list = arg(r, "scopes");        /* the list of scopes, by page: all|fail|warn|pass */
    if (ref && !(one = spncheck_store_find(r->pool, ref))) {
        /* not held here: say which node issued it (behind a balancer the
         * user's reference and this page may be on different nodes) */
        int json = format && !strcmp(format, "json");
        spn_buf_init(&b, r->pool, 1024);
        spn_ref_elsewhere(&b, ref, spncheck_node(), json);
        r->status = HTTP_NOT_FOUND;
        ap_set_content_type(r, json ? "application/json" : "text/html; charset=utf-8");
        apr_table_setn(r->headers_out, "Cache-Control", "no-store");
        apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
        apr_table_setn(r->headers_out, "Content-Security-Policy", "default-src 'none'");
        if (!r->header_only)
            ap_rwrite(b.s, (int)b.len, r);
        return OK;
    }
    wp = work_pool(r);
    memset(&st, 0, sizeof(st));
    st.store = spncheck_store_copy(wp, 200, &st.recent, &st.n_recent);
    st.now = (int64_t)apr_time_sec(r->request_time);
    st.version = "mod_spncheck/" SPNCHECK_VERSION;
    st.node = spncheck_node();
    {
        spncheck_srv *sc = ap_get_module_config(r->server->module_config, &spncheck_module);
        st.dir.uri = sc->dir_uri;
        st.dir.keytab = sc->dir_keytab;
        st.dir.client = sc->dir_client;
    }
    spn_buf_init(&b, wp, 32768);
    /* Copies only: the store's header and failures (copied under its lock,
     * held for the copy), the keytabs' inventories (shared memory, no lock
     * anyone waits on), then rendering under no lock at all. */
    st.n_scopes = spncheck_scopes(wp, &scopes);
    st.scopes = scopes;
    mech_counts(wp, st.store, scopes, st.n_scopes);
    uncovered(wp, &st, scopes, st.n_scopes);
    if (one && format && !strcmp(format, "json")) {
        spn_status_ref_json(&b, &st, one);
        ap_set_content_type(r, "application/json");
    }
    else if (one) {
        spn_status_ref(&b, &st, one);
        ap_set_content_type(r, "text/html; charset=utf-8");
    }
    else if (scope && !format) {
        if (spn_status_html_scope(&b, wp, &st, scope) < 0)
            r->status = HTTP_NOT_FOUND;
        ap_set_content_type(r, "text/html; charset=utf-8");
    }
    else if (list && !format) {
        int which = spn_status_list_arg(list);
        spn_status_html_list(&b, wp, &st, which < 0 ? SPN_LIST_ALL : which,
                             spn_status_page_arg(arg(r, "page")));
        ap_set_content_type(r, "text/html; charset=utf-8");
    }
    else if (format && (!strcmp(format, "json") || !strcmp(format, "prometheus"))) {
        int json = !strcmp(format, "json");
        headers(r, json ? "application/json" : "text/plain; version=0.0.4; charset=utf-8");
        spn_buf_init(&b, wp, STREAM_PIECE);
        spn_buf_stream(&b, send_piece, r);
        if (json)
            spn_status_json(&b, wp, &st);
        else
            spn_status_prometheus(&b, wp, &st);
    }
    else {
        spn_status_html(&b, wp, &st);
        ap_set_content_type(r, "text/html; charset=utf-8");
    }
    if (!b.sink)
        headers(r, r->content_type);
    if (!r->header_only)
        ap_rwrite(b.s, (int)b.len, r);      /* a transient bucket: copied if it must wait */
    if (wp != r->pool)
        apr_pool_destroy(wp);
    return OK;
}

/* ---- mod_status ------------------------------------------------------------- */

static int status_hook(request_rec *r, int flags)
{
    const spn_failure_t *recent;
    int c, i, n;
    spn_store_t *s = spncheck_store_copy(r->pool, 10, &recent, &n);
    uint64_t total = 0;

    if (!s)
        return OK;
    for (c = 0; c < SPN_C_COUNT; c++)
        total += s->counters[c];
    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "SPNCheckFailures: %" APR_UINT64_T_FMT "\n", total);
        for (c = 0; c < SPN_C_COUNT; c++)
            ap_rprintf(r, "SPNCheckFailures-%s: %" APR_UINT64_T_FMT "\n", spn_causes[c].code,
                       s->counters[c]);
        return OK;
    }
    ap_rprintf(r, "<hr />\n<h2>mod_spncheck</h2>\n<p>Failed Negotiate exchanges: %"
               APR_UINT64_T_FMT "</p>\n<table border=\"0\"><tr><th>Cause</th><th>Count</th></tr>\n",
               total);
    for (c = 0; c < SPN_C_COUNT; c++)
        if (s->counters[c])
            ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT "</td></tr>\n",
                       spn_causes[c].code, s->counters[c]);
    ap_rputs("</table>\n<table border=\"0\"><tr><th>Ref</th><th>Client</th><th>Host</th>"
             "<th>SPN</th><th>Cause</th></tr>\n", r);
    for (i = 0; i < n; i++)
        ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                   ap_escape_html(r->pool, recent[i].ref), ap_escape_html(r->pool, recent[i].client),
                   ap_escape_html(r->pool, recent[i].host), ap_escape_html(r->pool, recent[i].spn),
                   spn_cause_code(recent[i].cause));
    ap_rputs("</table>\n", r);
    return OK;
}

void spncheck_status_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL, APR_HOOK_MIDDLE);
}

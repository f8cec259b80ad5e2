/* mod_spncheck_status.c: the status handler (SetHandler spncheck-status:
 * HTML, ?format=json|prometheus, ?ref=ID) and a section in mod_status's
 * /server-status, over copies from the shared store. */
#include "mod_spncheck_config.h"
#include "mod_spncheck_inventory.h"
#include "mod_spncheck_status.h"
#include "mod_spncheck_store.h"
#include "spn_chart.h"          /* spn_scope_checks */
#include "spn_statcache.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "util_script.h"

#include "apr_strings.h"
#include "apr_thread_mutex.h"

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

/* 1 when field (a slot's scope[cap]) names sc: strncmp(field, label,
 * cap - 1) == 0 for sc's label (server then location), without making it. */
static int field_names(const char *field, size_t cap, const spn_scope_t *sc)
{
    const char *a = sc->server ? sc->server : "", *b = sc->location ? sc->location : "";
    size_t n = cap - 1, la = strlen(a);

    if (la >= n)
        return strncmp(field, a, n) == 0;
    return strncmp(field, a, la) == 0 && strncmp(field + la, b, n - la) == 0;
}

/* Each scope's successes by mechanism: slot i of the copied header, when
 * it is named for scope i (spncheck_mech_assign did so at start-up). */
static void mech_counts(const spn_store_t *head, spn_scope_t *sc, int n)
{
    int i;
    for (i = 0; head && i < n && (uint32_t)i < head->n_mechs; i++) {
        const spn_mech_slot_t *m = &spn_store_mechs(head)[i];
        if (m->scope[0] && field_names(m->scope, sizeof(m->scope), &sc[i]))
            sc[i].mech_counts = m->n, sc[i].funnel = m;
    }
}

/* ---- the default page's verdicts, kept between scrapes (issue 21) ---------- */

/* Per process: each scope's verdict (spn_statcache.h), its keytab's slot,
 * the scopes by label, and a lock no request waits on: a scrape that
 * finds it taken builds its page without the cache.  Made by the first
 * status request a child serves (a child that serves none spends no
 * memory on them). */
static struct {
    apr_pool_t *pchild;
    apr_thread_mutex_t *lock;
    spn_statcache_t *cache;         /* under lock */
    int n;
    int *ktslot;
    uint64_t *ktver;
    /* read-only once published (__atomic, release/acquire): every status
     * request reads it, without the lock */
    const struct apr_hash_t *by_label;
} vc;

void spncheck_status_child_init(apr_pool_t *pchild)
{
    memset(&vc, 0, sizeof(vc));
    /* a pool of its own, used under the lock only */
    if (apr_thread_mutex_create(&vc.lock, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS ||
        apr_pool_create(&vc.pchild, pchild) != APR_SUCCESS) {
        vc.lock = NULL;
        vc.pchild = NULL;
    }
}

/* Under the lock: the cache and the index, once. */
static void vc_make(void)
{
    spn_scope_t *sc;
    int n, i;

    apr_pool_t *tmp;

    if (vc.cache || !vc.pchild)
        return;
    /* the scopes' copy only for this: some 200 bytes a scope a child
     * would keep for its life */
    if (apr_pool_create(&tmp, vc.pchild) != APR_SUCCESS)
        return;
    n = spncheck_scopes_noload(tmp, &sc);
    vc.ktslot = apr_palloc(vc.pchild, sizeof(*vc.ktslot) * (size_t)(n ? n : 1));
    vc.ktver = apr_palloc(vc.pchild, sizeof(*vc.ktver) * (size_t)(n ? n : 1));
    for (i = 0; i < n; i++)
        vc.ktslot[i] = spncheck_inventory_slot(sc[i].keytab_path);
    vc.n = n;
    __atomic_store_n(&vc.by_label, spn_status_label_index(vc.pchild, sc, n), __ATOMIC_RELEASE);
    vc.cache = spn_statcache_make(vc.pchild, n);
    apr_pool_destroy(tmp);
}

/* The scopes by label for a page of n scopes (made at the first status
 * request), or NULL: the page walks them. */
static const struct apr_hash_t *vc_by_label(int n)
{
    const struct apr_hash_t *h = __atomic_load_n(&vc.by_label, __ATOMIC_ACQUIRE);

    if (!h && vc.lock && apr_thread_mutex_trylock(vc.lock) == APR_SUCCESS) {
        vc_make();
        apr_thread_mutex_unlock(vc.lock);
        h = __atomic_load_n(&vc.by_label, __ATOMIC_ACQUIRE);
    }
    return h && n == vc.n ? h : NULL;
}

static void vc_load(void *ctx, int i, spn_scope_t *sc, apr_pool_t *p)
{
    (void)ctx;
    sc->svc.keytab = spncheck_scope_inventory(p, i);
}

static void vc_full(const spn_status_t *st, int i, apr_pool_t *p, spn_checks_t *out)
{
    spn_scope_t sc = st->scopes[i];

    sc.svc.keytab = spncheck_scope_inventory(p, i);
    spn_scope_checks(p, &sc, st->store, out);
}

/* The verdicts for st, with the cache held (1: the caller unlocks when
 * the page is built); 0: the cache is busy or absent, nothing set. */
static int vc_take(apr_pool_t *p, spn_status_t *st, apr_time_t now)
{
    int i;

    if (!vc.lock || apr_thread_mutex_trylock(vc.lock) != APR_SUCCESS)
        return 0;
    vc_make();
    if (!vc.cache || st->n_scopes != vc.n) {
        apr_thread_mutex_unlock(vc.lock);
        return 0;
    }
    for (i = 0; i < vc.n; i++)
        vc.ktver[i] = spncheck_inventory_version(vc.pchild, vc.ktslot[i],
                                                 st->scopes[i].keytab_path, now);
    /* the configuration is this process's for its life: generation 1 */
    st->verdicts = spn_statcache_verdicts(vc.cache, p, st, 1, vc.ktver, vc_load, NULL);
    if (!st->verdicts) {
        apr_thread_mutex_unlock(vc.lock);
        return 0;
    }
    st->full = vc_full;
    return 1;
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
    int page, stream, held = 0;

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
    stream = !one && format && (!strcmp(format, "json") || !strcmp(format, "prometheus"));
    spn_buf_init(&b, wp, stream ? STREAM_PIECE : 32768);
    /* Copies only: the store's header and failures (copied under its lock,
     * held for the copy), the keytabs' inventories (shared memory, no lock
     * anyone waits on), then rendering under no lock at all. */
    /* the default page: the scopes without their keytabs, each scope's
     * verdict kept between scrapes; the checks in full (and the keytab)
     * only of the scopes it shows with their findings */
    page = !one && !scope && !list && !format;
    if (page)
        st.n_scopes = spncheck_scopes_noload(wp, &scopes);
    else
        st.n_scopes = spncheck_scopes(wp, &scopes);
    st.scopes = scopes;
    st.by_label = vc_by_label(st.n_scopes);     /* each failure's scope without a walk */
    mech_counts(st.store, scopes, st.n_scopes);
    uncovered(wp, &st, scopes, st.n_scopes);
    if (page && !(held = vc_take(wp, &st, r->request_time))) {
        int i;                      /* the cache is busy: this page loads every keytab */
        for (i = 0; i < st.n_scopes; i++)
            scopes[i].svc.keytab = spncheck_scope_inventory(wp, i);
    }
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
        if (spn_status_html_list(&b, wp, &st, spn_status_list_arg(list),
                                 spn_status_page_arg(arg(r, "page"))) < 0)
            r->status = HTTP_NOT_FOUND;     /* ?scopes=failing: no such list */
        ap_set_content_type(r, "text/html; charset=utf-8");
    }
    else if (stream) {
        int json = !strcmp(format, "json");
        headers(r, json ? "application/json" : "text/plain; version=0.0.4; charset=utf-8");
        spn_buf_stream(&b, send_piece, r);
        if (json)
            spn_status_json(&b, wp, &st);
        else
            spn_status_prometheus(&b, wp, &st);
    }
    else {
        spn_status_html(&b, wp, &st);
        if (held)
            apr_thread_mutex_unlock(vc.lock);
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

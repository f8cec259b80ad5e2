/* mod_spncheck: explains failed HTTP Negotiate exchanges.
 *
 * Thin glue over libspncheck (src/): the hooks and the two body filters
 * here; the keytab cache in mod_spncheck_keytab.c; directives in
 * mod_spncheck_config.c; history and status page in mod_spncheck_status.c.  It never authenticates or
 * authorizes: it acts only on a response that is already a 401, and then
 * changes the body alone.  Status and every WWW-Authenticate header are
 * left exactly as the auth module (or the proxied backend) set them.
 */
#include "mod_spncheck.h"
#include "mod_spncheck_keytab.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "apr_strings.h"

static void child_init(apr_pool_t *p, server_rec *s)
{
    spncheck_store_child_init(p, s);
    spncheck_keytab_child_init(p, s);   /* logs and turns the module off on failure */
}


/* ---- explaining a 401 ------------------------------------------------------ */

typedef struct {
    const char *page;
    apr_size_t len;
} page_ctx;

/* The first WWW-Authenticate value of t that carries a token, or NULL;
 * *cont is set when one continues the exchange (an NTLM challenge,
 * SPNEGO accept-incomplete): then the 401 is a step, not a failure. */
static const char *server_token(request_rec *r, apr_table_t *t, int *cont)
{
    const apr_array_header_t *h = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    const char *first = NULL;
    int i;

    for (i = 0; i < h->nelts; i++) {
        const char *scheme, *b64;
        size_t n;
        spn_token_t tok;
        if (!e[i].key || strcasecmp(e[i].key, "WWW-Authenticate") != 0 || !e[i].val ||
            spn_split_auth(e[i].val, strlen(e[i].val), &scheme, &b64, &n) < 0 || !n)
            continue;
        if (!first)
            first = e[i].val;
        if (spn_decode_pooled(r->pool, b64, n, &tok) == SPN_E_OK &&
            (tok.neg_state == 1 || (tok.has_ntlm && tok.ntlm.type == 2)))
            *cont = 1;
    }
    return first;
}

static char *make_ref(request_rec *r)
{
    static const char b32[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char rnd[5];
    char *s = apr_palloc(r->pool, 10);
    int i;
    apr_uint64_t v = 0;

    if (apr_generate_random_bytes(rnd, sizeof(rnd)) != APR_SUCCESS) {
        apr_time_t t = apr_time_now() ^ (apr_time_t)getpid();
        memcpy(rnd, &t, sizeof(rnd));
    }
    for (i = 0; i < 5; i++)
        v = (v << 8) | rnd[i];
    for (i = 8; i >= 0; i--) {
        if (i == 4) { s[i] = '-'; continue; }
        s[i] = b32[v & 31];
        v >>= 5;
    }
    s[9] = '\0';
    return s;
}

/* The Negotiate/NTLM Authorization value of the request, or NULL. */
static const char *negotiate_auth(request_rec *r)
{
    const char *auth = apr_table_get(r->headers_in, "Authorization"), *scheme, *b64;
    size_t n;

    if (!auth || spn_split_auth(auth, strlen(auth), &scheme, &b64, &n) < 0 ||
        (strcmp(scheme, "Negotiate") != 0 && strcmp(scheme, "NTLM") != 0))
        return NULL;                        /* Basic and friends: not ours */
    return auth;
}

/* The last failure's page on this connection.  Chromium, when the server
 * answers its token with a reject, retries without a token on the same
 * connection and shows the body of that tokenless 401: it gets the
 * diagnosis again instead of the generic first-leg page (seen in t/browser.t). */
typedef struct {
    char *page;
    apr_size_t len, cap;
    apr_time_t when;
    char scope[256];                /* only served back to the same scope */
} conn_memo;

#define MEMO_SECONDS 30

static void memo_keep(request_rec *r, const spn_buf_t *b)
{
    conn_rec *c = r->connection;
    conn_memo *m = ap_get_module_config(c->conn_config, &spncheck_module);

    if (!m) {
        m = apr_pcalloc(c->pool, sizeof(*m));
        ap_set_module_config(c->conn_config, &spncheck_module, m);
    }
    if (b->len > m->cap) {                  /* grows at most a few times per connection */
        m->cap = b->len < 16384 ? 16384 : b->len;
        m->page = apr_palloc(c->pool, m->cap);
    }
    memcpy(m->page, b->s, b->len);
    m->len = b->len;
    m->when = r->request_time;
    apr_cpystrn(m->scope, spncheck_request_scope(r), sizeof(m->scope));
}

static const conn_memo *memo_recent(request_rec *r)
{
    const conn_memo *m = ap_get_module_config(r->connection->conn_config, &spncheck_module);
    if (m && m->len && r->request_time - m->when < apr_time_from_sec(MEMO_SECONDS) &&
        strncmp(m->scope, spncheck_request_scope(r), sizeof(m->scope) - 1) == 0)
        return m;
    return NULL;
}

/* Diagnoses this 401 (or, without a token, explains the first leg):
 * returns the page, or NULL when the 401 continues an exchange. */
static page_ctx *explain(request_rec *r, const spncheck_conf *c, int proxied)
{
    const char *auth = negotiate_auth(r), *backend, *ref;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t *d = NULL;
    spn_buf_t b, log;
    page_ctx *pc;
    uint32_t suppressed = 0;
    int cont = 0, do_log = 0;

    backend = server_token(r, proxied ? r->headers_out : r->err_headers_out, &cont);
    if (cont)
        return NULL;
    if (!auth && !proxied) {
        const conn_memo *m = memo_recent(r);
        if (m) {
            pc = apr_palloc(r->pool, sizeof(*pc));
            pc->page = apr_pmemdup(r->pool, m->page, m->len);
            pc->len = m->len;
            spncheck_count_tokenless();
            return pc;
        }
    }
    spncheck_service(c, &svc);
    ref = make_ref(r);
    if (auth) {
        memset(&obs, 0, sizeof(obs));
        obs.authorization = auth;
        obs.host = r->hostname;
        obs.now = apr_time_sec(r->request_time);
        obs.gss_error = apr_table_get(r->subprocess_env, "MAG_ERROR_TEXT");
        obs.proxied = proxied;
        obs.backend_www = proxied ? backend : NULL;
        d = apr_palloc(r->pool, sizeof(*d));
    }
    spn_buf_init(&b, r->pool, 8192);
    /* Diagnosis and rendering on a reference to the keytab snapshot,
     * outside the cache lock.  Only failed exchanges get a diagnosis. */
    if (spncheck_explain_page(r, c->keytab, &svc, &obs, d, &log, &b, c->detail, ref) != OK)
        return NULL;                        /* the module is off in this process */
    if (d && !proxied)
        memo_keep(r, &b);
    if (d)
        do_log = spncheck_record(r, d, ref, proxied, &suppressed);
    else
        spncheck_count_tokenless();
    if (do_log)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "SPN00010: failed Negotiate exchange ref=%s %s client=%s host=%s%s%s",
                      ref, log.s, r->useragent_ip,
                      ap_escape_logitem(r->pool, r->hostname ? r->hostname : "-"),
                      proxied ? " via=backend" : "",
                      suppressed ? apr_psprintf(r->pool, " suppressed=%u", suppressed) : "");
    pc = apr_palloc(r->pool, sizeof(*pc));
    pc->page = b.s;
    pc->len = b.len;
    apr_table_setn(r->notes, "spncheck-ref", ref);
    return pc;
}

/* Sends the page instead of the body in bb and after; headers stay, but
 * those that described the old body go. */
static apr_status_t send_page(ap_filter_t *f, apr_bucket_brigade *bb, page_ctx *pc)
{
    request_rec *r = f->r;
    apr_bucket *e;

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb); e = APR_BUCKET_NEXT(e)) {
        if (APR_BUCKET_IS_EOS(e)) {
            apr_bucket_brigade *out = apr_brigade_create(r->pool, f->c->bucket_alloc);
            ap_set_content_type(r, "text/html; charset=utf-8");
            apr_table_unset(r->headers_out, "Content-Length");
            apr_table_unset(r->headers_out, "Content-Encoding");
            apr_table_unset(r->headers_out, "ETag");
            if (!r->header_only)
                APR_BRIGADE_INSERT_TAIL(out, apr_bucket_immortal_create(pc->page, pc->len,
                                                                        f->c->bucket_alloc));
            APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(f->c->bucket_alloc));
            ap_remove_output_filter(f);
            apr_brigade_cleanup(bb);
            return ap_pass_brigade(f->next, out);
        }
    }
    apr_brigade_cleanup(bb);                /* swallow the old body */
    return APR_SUCCESS;
}

/* A local 401 (mod_auth_gssapi): ctx is the page made beforehand. */
static apr_status_t error_page_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    return send_page(f, bb, f->ctx);
}

/* A proxied response to a request that carried a token: untouched and
 * unbuffered unless it is a 401 that ends the exchange. */
static apr_status_t proxy_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;

    if (!f->ctx) {
        const spncheck_conf *c = ap_get_module_config(r->per_dir_config, &spncheck_module);
        if (r->status != HTTP_UNAUTHORIZED || !(f->ctx = explain(r, c, 1))) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
    }
    return send_page(f, bb, f->ctx);
}

static void insert_error_filter(request_rec *r)
{
    const spncheck_conf *c;
    page_ctx *pc;

    if (r->status != HTTP_UNAUTHORIZED || r->main || r->proxyreq != PROXYREQ_NONE)
        return;
    c = ap_get_module_config(r->per_dir_config, &spncheck_module);
    if (!c || !c->enabled || !(pc = explain(r, c, 0)))
        return;
    ap_add_output_filter("SPNCHECK_PAGE", pc, r, r->connection);
}

static void insert_filter(request_rec *r)
{
    const spncheck_conf *c;

    if (r->proxyreq != PROXYREQ_REVERSE || r->main)
        return;
    c = ap_get_module_config(r->per_dir_config, &spncheck_module);
    if (c && c->enabled && negotiate_auth(r))
        ap_add_output_filter("SPNCHECK_PROXY", NULL, r, r->connection);
}

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    spncheck_store_register(pconf);
    return OK;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    spncheck_store_post_config(pconf, s);
    return spncheck_probe_post_config(pconf, s);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(spncheck_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter("SPNCHECK_PAGE", error_page_filter, NULL, AP_FTYPE_RESOURCE);
    ap_register_output_filter("SPNCHECK_PROXY", proxy_filter, NULL, AP_FTYPE_RESOURCE);
    spncheck_status_hooks();
}

AP_DECLARE_MODULE(spncheck) = {
    STANDARD20_MODULE_STUFF,
    spncheck_create_dir,
    spncheck_merge_dir,
    spncheck_create_srv,
    spncheck_merge_srv,
    spncheck_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};

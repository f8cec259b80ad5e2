/* mod_spncheck: explains failed HTTP Negotiate exchanges.
 *
 * Thin glue over libspncheck (src/): directives, one hook, a keytab cache.
 * It never authenticates or authorizes: it runs only when a response is
 * already a 401 error, and then changes the body alone.  Status and every
 * WWW-Authenticate header are left exactly as the auth module set them.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "spn_diag.h"

#include <sys/stat.h>

/* AP_DECLARE_MODULE below also does APLOG_USE_MODULE(spncheck): every
 * log line carries the module and an SPN0xxxx message id. */
module AP_MODULE_DECLARE_DATA spncheck_module;

/* ---- configuration ------------------------------------------------------ */

typedef struct {
    int enabled, enabled_set;            /* SPNCheck On|Off, default Off */
    int detail, detail_set;              /* SPNCheckDetail, default summary */
    apr_array_header_t *spns;            /* SPNCheckServicePrincipal; NULL = inherit */
    const char *keytab;                  /* SPNCheckKeytab; NULL = inherit */
    const char *account;                 /* SPNCheckServiceAccount */
    const char *netbios;                 /* SPNCheckNetBIOSName */
} spncheck_conf;

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    spncheck_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->detail = SPN_DETAIL_SUMMARY;
    return c;
}

/* Every field: the child's value when it set one, else the parent's. */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    spncheck_conf *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));
    c->enabled = add->enabled_set ? add->enabled : base->enabled;
    c->enabled_set = add->enabled_set || base->enabled_set;
    c->detail = add->detail_set ? add->detail : base->detail;
    c->detail_set = add->detail_set || base->detail_set;
    c->spns = add->spns ? add->spns : base->spns;
    c->keytab = add->keytab ? add->keytab : base->keytab;
    c->account = add->account ? add->account : base->account;
    c->netbios = add->netbios ? add->netbios : base->netbios;
    return c;
}

static const char *set_enabled(cmd_parms *cmd, void *cfg, int on)
{
    spncheck_conf *c = cfg;
    (void)cmd;
    c->enabled = on;
    c->enabled_set = 1;
    return NULL;
}

static const char *set_detail(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    (void)cmd;
    if (!strcasecmp(arg, "none")) c->detail = SPN_DETAIL_NONE;
    else if (!strcasecmp(arg, "summary")) c->detail = SPN_DETAIL_SUMMARY;
    else if (!strcasecmp(arg, "full")) c->detail = SPN_DETAIL_FULL;
    else return "SPNCheckDetail must be none, summary or full";
    c->detail_set = 1;
    return NULL;
}

static const char *add_spn(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    if (!strchr(arg, '/'))
        return apr_psprintf(cmd->pool, "SPNCheckServicePrincipal %s: expected SERVICE/host[@REALM]", arg);
    if (!c->spns)
        c->spns = apr_array_make(cmd->pool, 4, sizeof(const char *));
    APR_ARRAY_PUSH(c->spns, const char *) = arg;
    return NULL;
}

static const char *set_keytab(cmd_parms *cmd, void *cfg, const char *arg)
{
    ((spncheck_conf *)cfg)->keytab = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

static const char *set_account(cmd_parms *cmd, void *cfg, const char *arg)
{
    (void)cmd;
    ((spncheck_conf *)cfg)->account = arg;
    return NULL;
}

static const char *set_netbios(cmd_parms *cmd, void *cfg, const char *arg)
{
    (void)cmd;
    ((spncheck_conf *)cfg)->netbios = arg;
    return NULL;
}

static const command_rec spncheck_cmds[] = {
    AP_INIT_FLAG("SPNCheck", set_enabled, NULL, RSRC_CONF | ACCESS_CONF,
                 "On to explain failed Negotiate exchanges here (default Off)"),
    AP_INIT_TAKE1("SPNCheckDetail", set_detail, NULL, RSRC_CONF | ACCESS_CONF,
                  "none | summary | full: what the 401 page reveals (default summary)"),
    AP_INIT_ITERATE("SPNCheckServicePrincipal", add_spn, NULL, RSRC_CONF | ACCESS_CONF,
                    "SPNs this service should answer to, e.g. HTTP/web01.contoso.com@CONTOSO.COM"),
    AP_INIT_TAKE1("SPNCheckKeytab", set_keytab, NULL, RSRC_CONF | ACCESS_CONF,
                  "the service account's keytab (read only)"),
    AP_INIT_TAKE1("SPNCheckServiceAccount", set_account, NULL, RSRC_CONF | ACCESS_CONF,
                  "DOMAIN\\name the service or IIS app pool runs as (used in remedies)"),
    AP_INIT_TAKE1("SPNCheckNetBIOSName", set_netbios, NULL, RSRC_CONF | ACCESS_CONF,
                  "the host's NetBIOS name (default: first label of the SPN's host, upper-cased)"),
    {NULL}
};

/* ---- keytab cache: one per path per process, re-read when it changes ---- */

typedef struct {
    apr_pool_t *pool;
    spn_keytab_t *kt;
    struct timespec mtim, ctim;     /* any rewrite, even within a second */
    off_t size;
    ino_t ino;
} kt_slot;

static apr_pool_t *cache_pool;
static apr_hash_t *kt_cache;
static krb5_context kctx;
#if APR_HAS_THREADS
static apr_thread_mutex_t *kt_mutex;
#endif

static const spn_keytab_t *keytab_get(request_rec *r, const char *path)
{
    kt_slot *s;
    struct stat st;
    int have = stat(path, &st) == 0;

    if (!kctx)
        return NULL;
    s = apr_hash_get(kt_cache, path, APR_HASH_KEY_STRING);
    if (s && have && s->size == st.st_size && s->ino == st.st_ino &&
        s->mtim.tv_sec == st.st_mtim.tv_sec && s->mtim.tv_nsec == st.st_mtim.tv_nsec &&
        s->ctim.tv_sec == st.st_ctim.tv_sec && s->ctim.tv_nsec == st.st_ctim.tv_nsec)
        return s->kt;
    if (!s) {
        s = apr_pcalloc(cache_pool, sizeof(*s));
        apr_hash_set(kt_cache, apr_pstrdup(cache_pool, path), APR_HASH_KEY_STRING, s);
    }
    if (s->pool)
        apr_pool_destroy(s->pool);      /* zeroes the old keys */
    apr_pool_create(&s->pool, cache_pool);
    s->kt = spn_keytab_load(s->pool, kctx, path);
    if (have) {
        s->mtim = st.st_mtim;
        s->ctim = st.st_ctim;
        s->size = st.st_size;
        s->ino = st.st_ino;
    }
    else {
        memset(&s->mtim, 0, sizeof(s->mtim));
        s->size = -1;               /* a missing file is retried next time */
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "SPN00002: keytab %s (re)read: %d entries%s%s",
                  path, s->kt->n, s->kt->status ? ", error: " : "", s->kt->status ? s->kt->error : "");
    return s->kt;
}

static void child_init(apr_pool_t *p, server_rec *s)
{
    apr_pool_create(&cache_pool, p);
    kt_cache = apr_hash_make(cache_pool);
#if APR_HAS_THREADS
    apr_thread_mutex_create(&kt_mutex, APR_THREAD_MUTEX_DEFAULT, p);
#endif
    if (krb5_init_context(&kctx) != 0) {
        kctx = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SPN00003: krb5_init_context failed; "
                     "keytab checks are off in this process");
    }
}

/* ---- the hook ------------------------------------------------------------- */

typedef struct {
    const char *page;
    apr_size_t len;
} page_ctx;

/* Replaces the default error body with ours; the status line and headers
 * are untouched (they were set by the auth module). */
static apr_status_t page_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    page_ctx *ctx = f->ctx;
    request_rec *r = f->r;
    apr_bucket *e;

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb); e = APR_BUCKET_NEXT(e)) {
        if (APR_BUCKET_IS_EOS(e)) {
            apr_bucket_brigade *out = apr_brigade_create(r->pool, f->c->bucket_alloc);
            ap_set_content_type(r, "text/html; charset=utf-8");
            apr_table_unset(r->headers_out, "Content-Length");
            if (!r->header_only)
                APR_BRIGADE_INSERT_TAIL(out, apr_bucket_immortal_create(ctx->page, ctx->len,
                                                                        f->c->bucket_alloc));
            APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(f->c->bucket_alloc));
            ap_remove_output_filter(f);
            apr_brigade_cleanup(bb);
            return ap_pass_brigade(f->next, out);
        }
    }
    apr_brigade_cleanup(bb);        /* swallow the default body */
    return APR_SUCCESS;
}

/* True when a 401 carries a server token that continues the exchange
 * (an NTLM challenge, SPNEGO accept-incomplete): not a failure yet. */
static int is_continuation(request_rec *r)
{
    const apr_array_header_t *h = apr_table_elts(r->err_headers_out);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    int i;

    for (i = 0; i < h->nelts; i++) {
        const char *scheme, *b64;
        size_t n;
        spn_token_t tok;
        uint8_t *raw;
        if (!e[i].key || strcasecmp(e[i].key, "WWW-Authenticate") != 0 || !e[i].val ||
            spn_split_auth(e[i].val, strlen(e[i].val), &scheme, &b64, &n) < 0 || !*scheme)
            continue;
        raw = apr_palloc(r->pool, SPN_TOKEN_MAX);
        if (spn_token_decode_b64(b64, n, raw, SPN_TOKEN_MAX, &tok) != SPN_E_OK)
            continue;
        if (tok.neg_state == 1 || (tok.has_ntlm && tok.ntlm.type == 2))
            return 1;                     /* accept-incomplete, NTLM challenge */
    }
    return 0;
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

static void insert_error_filter(request_rec *r)
{
    spncheck_conf *c;
    const char *auth, *scheme, *b64, *ref;
    size_t n;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t *d = NULL;
    spn_buf_t b, log;
    page_ctx *pc;

    if (r->status != HTTP_UNAUTHORIZED || r->main)
        return;
    c = ap_get_module_config(r->per_dir_config, &spncheck_module);
    if (!c || !c->enabled)
        return;
    if (is_continuation(r))
        return;
    memset(&svc, 0, sizeof(svc));
    svc.max_skew = 300;
    svc.account = c->account;
    svc.netbios = c->netbios;
    if (c->spns) {
        svc.spns = (const char *const *)c->spns->elts;
        svc.n_spns = c->spns->nelts;
    }
    ref = make_ref(r);
    auth = apr_table_get(r->headers_in, "Authorization");
    if (auth && (spn_split_auth(auth, strlen(auth), &scheme, &b64, &n) < 0 ||
                 (strcmp(scheme, "Negotiate") != 0 && strcmp(scheme, "NTLM") != 0)))
        auth = NULL;                         /* Basic and friends: not ours */
    if (auth) {
        memset(&obs, 0, sizeof(obs));
        obs.authorization = auth;
        obs.host = r->hostname;
        obs.now = apr_time_sec(r->request_time);
        obs.gss_error = apr_table_get(r->subprocess_env, "MAG_ERROR_TEXT");
        d = apr_palloc(r->pool, sizeof(*d));
    }
    spn_buf_init(&b, r->pool, 8192);
    /* The keytab snapshot and the krb5 context are shared by the threads of
     * this process: diagnosis and rendering (which lists the keytab) hold
     * the lock.  Only failed exchanges get here. */
#if APR_HAS_THREADS
    apr_thread_mutex_lock(kt_mutex);
#endif
    if (d) {
        if (c->keytab)
            svc.keytab = keytab_get(r, c->keytab);
        spn_diagnose(r->pool, kctx, &svc, &obs, d);
        spn_buf_init(&log, r->pool, 512);
        spn_diag_logline(&log, d);
    }
    spn_render_page(&b, d, &svc, c->detail, ref);
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(kt_mutex);
#endif
    if (d)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "SPN00010: failed Negotiate exchange ref=%s %s client=%s host=%s",
                      ref, log.s, r->useragent_ip,
                      ap_escape_logitem(r->pool, r->hostname ? r->hostname : "-"));
    pc = apr_palloc(r->pool, sizeof(*pc));
    pc->page = b.s;
    pc->len = b.len;
    apr_table_setn(r->notes, "spncheck-ref", ref);
    ap_add_output_filter("SPNCHECK_PAGE", pc, r, r->connection);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter("SPNCHECK_PAGE", page_filter, NULL, AP_FTYPE_RESOURCE);
}

AP_DECLARE_MODULE(spncheck) = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,
    merge_dir_conf,
    NULL,
    NULL,
    spncheck_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};

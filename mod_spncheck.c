/* mod_spncheck: explains failed HTTP Negotiate exchanges.
 *
 * Thin glue over libspncheck (src/): the hooks and the two body filters
 * here; a failure explained in mod_spncheck_explain.c over the keytab
 * cache in mod_spncheck_keytab.c (keys, for trials); the keytabs'
 * inventories in mod_spncheck_inventory.c (shared memory); directives in
 * mod_spncheck_config.c; history and status page in mod_spncheck_status.c.  It never authenticates or
 * authorizes: it acts only on a response that is already a 401, and then
 * changes the body alone.  Status and every WWW-Authenticate header are
 * left exactly as the auth module (or the proxied backend) set them.
 */
#include "spn_client.h"
#include "spn_http.h"
#include "spn_mechcount.h"
#include "spn_render.h"
#include "spn_size.h"
#include "mod_spncheck_config.h"
#include "mod_spncheck_explain.h"
#include "mod_spncheck_inventory.h"
#include "mod_spncheck_keytab.h"
#include "mod_spncheck_ntlmssp.h"
#include "mod_spncheck_probe.h"
#include "mod_spncheck_dir.h"
#include "mod_spncheck_retry.h"
#include "mod_spncheck_conn.h"
#include "mod_spncheck_status.h"
#include "mod_spncheck_store.h"

#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_auth.h"
#include "mod_core.h"
#include "mod_ssl.h"
#include "util_filter.h"

#include "apr_strings.h"

/* mod_ssl's variable lookup, when mod_ssl is loaded (post_config). */
static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *ssl_var;
static APR_OPTIONAL_FN_TYPE(ssl_is_https) *ssl_https;

/* The PEM certificate this server served on o's connection, or NULL when
 * the request did not come over TLS: the channel a client bound to. */
static const char *served_cert(request_rec *o)
{
    conn_rec *c = o->connection->master ? o->connection->master : o->connection;
    if (!ssl_var || !ssl_https || !ssl_https(c))
        return NULL;
    return ssl_var(o->pool, o->server, c, o, "SSL_SERVER_CERT");
}

static void child_init(apr_pool_t *p, server_rec *s)
{
    spncheck_store_child_init(p, s);
    spncheck_keytab_child_init(p, s);   /* logs and turns the module off on failure */
    spncheck_watchdog_child_init(p);    /* the exit waits for a probe or lookup in hand */
    spncheck_status_child_init(p);      /* the status page's kept verdicts */
}


/* ---- explaining a 401 ------------------------------------------------------ */

/* One exchange, noted on the request that saw the token: in the auth
 * phase (check_authn, for a local auth module) or when a reverse-proxied
 * request is set up.  Whatever path then answers the 401 (httpd's own
 * error page, a local ErrorDocument reached by internal redirect, possibly
 * through a type-map, the proxy's error override, or the backend's 401
 * passed through) finds it through r->prev and serves the same page: the
 * exchange is diagnosed, counted and logged once. */
typedef struct {
    const spncheck_conf *c;         /* the scope that saw the token */
    int proxied;
    int explained;
    spn_buf_t *pc;                  /* the page; NULL when the 401 continues the exchange */
    int failure;                    /* pc explains a failed exchange (not a first leg) */
    spn_cause_t cause;              /* and then its cause and reference */
    const char *ref;
    int error_path;                 /* httpd's error path answers it (proxy filter stands by) */
    int too_large;                  /* a 400 for the Authorization field (spn_size.h) */
    size_t field_size, field_limit;
    int field_partial;
    const char *scheme;             /* the refused field's scheme (only its start was read) */
} exchange;

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
        if (spn_decode_pooled(r->pool, b64, n, &tok) == SPN_E_OK && spn_token_continues(&tok))
            *cont = 1;
    }
    return first;
}

/* "ABCD-EFGH@node": a random id and the node that issued it (spn_node.h),
 * so that behind a load balancer the reference says where it is held. */
static char *make_ref(request_rec *r)
{
    static const char b32[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char rnd[5];
    char *s = apr_palloc(r->pool, SPN_REF_ID_LEN + 1);
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
    return apr_pstrcat(r->pool, s, "@", spncheck_node(), NULL);
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

static exchange *note(request_rec *r, const spncheck_conf *c, int proxied)
{
    exchange *x = ap_get_module_config(r->request_config, &spncheck_module);

    if (!x) {
        x = apr_pcalloc(r->pool, sizeof(*x));
        x->c = c;                   /* (the success path pays this, and no more) */
        x->proxied = proxied;
        ap_set_module_config(r->request_config, &spncheck_module, x);
    }
    return x;
}

/* The exchange an error document's request r answers: that of the request
 * whose 401 httpd redirected to it, through error-document redirects only
 * (each of them a 401); never across another kind of internal redirect
 * (mod_rewrite, a handler's), which starts a request of its own.  *o is the
 * request that has it. */
static exchange *errordoc_exchange(request_rec *r, request_rec **o)
{
    for (*o = r->prev; *o && (*o)->status == HTTP_UNAUTHORIZED; *o = (*o)->prev) {
        exchange *x = ap_get_module_config((*o)->request_config, &spncheck_module);
        if (x)
            return x;
    }
    return NULL;
}

/* SPNCHECK_CAUSE, _TITLE and _REF for the origin request o and, as httpd
 * renames variables on a redirect, REDIRECT_SPNCHECK_* for the error
 * document's request r.  At detail none only the reference. */
static void export_env(request_rec *o, request_rec *r, const spncheck_conf *c,
                       spn_cause_t cause, const char *ref)
{
    const char *v[3], *k[3] = {"SPNCHECK_CAUSE", "SPNCHECK_TITLE", "SPNCHECK_REF"};
    int i;

    v[0] = c->detail == SPN_DETAIL_NONE ? NULL : spn_cause_code(cause);
    v[1] = c->detail == SPN_DETAIL_NONE ? NULL : spn_causes[cause].title;
    v[2] = ref;
    for (i = 0; i < 3; i++) {
        if (!v[i])
            continue;
        apr_table_setn(o->subprocess_env, k[i], v[i]);
        if (r != o)
            apr_table_setn(r->subprocess_env, apr_pstrcat(r->pool, "REDIRECT_", k[i], NULL), v[i]);
    }
}

/* Where a retry may see a failure again: the same virtual host and path
 * (Chromium retries the URL it was refused; an <If> that changes the
 * detail level does not make it another place). */
static const char *retry_scope(request_rec *o)
{
    return apr_pstrcat(o->pool, spncheck_server_label(o->pool, o->server), o->uri, NULL);
}

/* A tokenless 401: the generic first-leg page, or the failure this client
 * just had on this connection, rendered at this scope's detail level. */
static spn_buf_t *first_leg(request_rec *o, exchange *x)
{
    spn_buf_t *b = apr_palloc(o->pool, sizeof(*b));
    spn_service_t svc;
    spn_failure_t f;
    spn_diag_t *d = NULL;

    spncheck_service_of(o->pool, o->server, x->c, &svc);
    if (spncheck_retry_find(o, retry_scope(o), &f)) {
        d = apr_palloc(o->pool, sizeof(*d));
        spn_diag_from_failure(d, &f, &svc);
        spncheck_dir_refine_failure(o, &svc, d, &f);
        x->failure = 1;
        x->cause = d->cause;
        x->ref = apr_pstrdup(o->pool, f.ref);
    }
    spn_buf_init(b, o->pool, 8192);
    if (d) {
        spn_render_page(b, d, &svc, x->c->detail, x->ref);
    }
    else {
        /* the client diagnosed from what the request shows (spn_client.c) */
        spn_client_obs_t ob;
        spn_client_t cl;
        ob.user_agent = apr_table_get(o->headers_in, "User-Agent");
        if (!(ob.host = apr_table_get(o->headers_in, "Host")))
            ob.host = o->hostname;
        ob.port = (int)o->connection->local_addr->port;
        ob.tls = strcmp(ap_http_scheme(o), "https") == 0;
        ob.via = apr_table_get(o->headers_in, "Via") || apr_table_get(o->headers_in, "Forwarded")
                 || apr_table_get(o->headers_in, "X-Forwarded-For");
        spn_client_classify(&ob, &svc, &cl);
        spn_client_page(b, &cl, x->c->detail, make_ref(o));
        spncheck_conn_first_leg(o, x->c, cl.family, cl.os);
    }
    spncheck_count_tokenless();
    return b;
}

/* Diagnoses the exchange noted on o (the request that saw the token),
 * once.  Sets x->pc, or leaves it NULL when the 401 continues an exchange. */
static void explain(request_rec *o, exchange *x)
{
    const spncheck_conf *c = x->c;
    const char *auth = x->too_large == SPN_TOO_LARGE_HERE ? x->scheme
                       : negotiate_auth(o), *backend, *ref;
    int proxied = x->proxied;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t *d;
    spn_buf_t *b = apr_palloc(o->pool, sizeof(*b)), log;
    uint32_t suppressed = 0;
    int cont = 0, do_log;

    if (x->explained)
        return;
    x->explained = 1;
    /* A local auth module puts its challenge in err_headers_out; a backend's
     * is in headers_out, or in err_headers_out under ProxyErrorOverride. */
    backend = server_token(o, proxied && apr_table_get(o->headers_out, "WWW-Authenticate")
                              ? o->headers_out : o->err_headers_out, &cont);
    if (cont)
        return;
    if (!auth) {
        if (!proxied)
            x->pc = first_leg(o, x);
        return;
    }
    spncheck_service_of(o->pool, o->server, c, &svc);
    ref = make_ref(o);
    memset(&obs, 0, sizeof(obs));
    obs.authorization = auth;
    obs.host = o->hostname;
    obs.now = apr_time_sec(o->request_time);
    obs.gss_error = apr_table_get(o->subprocess_env, "MAG_ERROR_TEXT");
    obs.proxied = proxied;
    obs.backend_www = proxied ? backend : NULL;
    if (proxied) {      /* does the backend show IIS? (its steps only then) */
        if (!(obs.backend_server = apr_table_get(o->headers_out, "Server")))
            obs.backend_server = apr_table_get(o->err_headers_out, "Server");
        if (!(obs.backend_powered_by = apr_table_get(o->headers_out, "X-Powered-By")))
            obs.backend_powered_by = apr_table_get(o->err_headers_out, "X-Powered-By");
    }
    obs.tls_cert = proxied ? served_cert(o) : NULL;    /* a backend that binds to its TLS */
    obs.too_large = x->too_large;
    obs.field_size = x->field_size;
    obs.field_limit = x->field_limit;
    obs.field_partial = x->field_partial;
    d = apr_palloc(o->pool, sizeof(*d));
    spn_buf_init(b, o->pool, 8192);
    /* Diagnosis and rendering on a reference to the keytab snapshot,
     * outside the cache lock. */
    if (spncheck_explain_page(o, c->keytab, &svc, &obs, d, &log, b, c->detail, ref) != OK)
        return;                             /* the module is off in this process */
    if (!proxied && !x->too_large)
        spncheck_retry_keep(o, retry_scope(o), d, ref);
    do_log = spncheck_record(o, d, ref, proxied, &suppressed);
    spn_funnel_failure(spncheck_store(), spncheck_mech_slot(o, c), (int)d->cause);
    if (do_log)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, o,
                      SPNLOGNO(00010) "failed Negotiate exchange ref=%s %s client=%s host=%s "
                      "node=%s%s%s",
                      ref, log.s, o->useragent_ip,
                      ap_escape_logitem(o->pool, o->hostname ? o->hostname : "-"), spncheck_node(),
                      proxied ? " via=backend" : "",
                      suppressed ? apr_psprintf(o->pool, " suppressed=%u", suppressed) : "");
    x->pc = b;
    x->failure = 1;
    x->cause = d->cause;
    x->ref = ref;
    apr_table_setn(o->notes, "spncheck-ref", ref);
    export_env(o, o, c, d->cause, ref);
}

/* Sends the page instead of the body in bb and after; headers stay, but
 * those that described the old body go. */
static apr_status_t send_page(ap_filter_t *f, apr_bucket_brigade *bb, const spn_buf_t *pc)
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
            apr_table_unset(r->headers_out, "Last-Modified");
            if (!r->header_only)
                APR_BRIGADE_INSERT_TAIL(out, apr_bucket_immortal_create(pc->s, pc->len,
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

/* A 401 answered by httpd's error path: ctx is the page made beforehand.
 * An error document may answer with another status (a CGI login page's
 * 200, a redirect): then its body is its own. */
static apr_status_t error_page_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    const exchange *x = ap_get_module_config(f->r->request_config, &spncheck_module);

    /* a 400 only for the request httpd refused (token-too-large): not an
     * error document's own 400 (its exchange is on r->prev) */
    if (f->r->status != HTTP_UNAUTHORIZED &&
        !(f->r->status == HTTP_BAD_REQUEST && x && x->too_large == SPN_TOO_LARGE_HERE)) {
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
    return send_page(f, bb, f->ctx);
}

/* The backend answered 400 to a request whose token is large
 * (SPN_TOKEN_LARGE): most likely its header limit (HTTP.sys).  Not when
 * the 400 carries a WWW-Authenticate: a backend that refuses the header
 * (HTTP.sys, httpd, nginx) has run no authentication, so that one read
 * the token and answered for itself (an application's 400). */
static void backend_too_large(request_rec *r, exchange *x)
{
    const char *auth = negotiate_auth(r);
    size_t n = auth ? sizeof("Authorization: ") - 1 + strlen(auth) : 0;

    if (apr_table_get(r->headers_out, "WWW-Authenticate") ||
        apr_table_get(r->err_headers_out, "WWW-Authenticate"))
        return;
    if (n >= SPN_TOKEN_LARGE) {
        x->too_large = SPN_TOO_LARGE_BACKEND;
        x->field_size = n;
    }
}

/* A proxied response to a request that carried a token: untouched and
 * unbuffered unless it is a 401 that ends the exchange.  (Under
 * ProxyErrorOverride the error path serves the 401 instead.) */
static apr_status_t proxy_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    exchange *x = ap_get_module_config(r->request_config, &spncheck_module);

    if (!f->ctx) {
        if (r->status == HTTP_BAD_REQUEST && x && !x->error_path)
            backend_too_large(r, x);
        if (x && !x->error_path && (r->status == HTTP_UNAUTHORIZED || x->too_large))
            explain(r, x);
        if (!x || x->error_path || (r->status != HTTP_UNAUTHORIZED && !x->too_large) ||
            !x->pc || !(f->ctx = x->pc)) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
    }
    return send_page(f, bb, f->ctx);
}

/* Whether the admin's own page for this 401 stays: SPNCheckErrorDocument
 * keep, or a first leg (the admin's page is for those). */
static int keep_admin_page(const exchange *x)
{
    return x->c->errordoc == SPNCHECK_ERRORDOC_KEEP || !x->failure;
}

/* ---- token-too-large: the header line httpd refused ------------------------- */

/* While httpd reads a request's header lines (AP_MODE_GETLINE, at most one
 * line a call), the start of the last line and how many bytes of it came.
 * If httpd then answers 400 because a field exceeds LimitRequestFieldSize,
 * that last line is the one: httpd itself keeps its name only in an
 * info-level log line, and has removed every input filter by the time it
 * answers (so the state hangs on the connection's pool).  Added only to connections whose server has
 * SPNCheck On (pre_connection); a few bytes copied per header line.  Only
 * the request line and header block are watched (pre_read_request to
 * post_read_request): a chunked body's trailer is read with the same
 * limit and the same 400, but a trailer is not the sign-in header. */
#define HEADER_WATCH_KEY "spncheck-header-watch"

typedef struct {
    char line[SPN_LINE_PREFIX];
    apr_size_t prefix, len;
    int fresh;                      /* the next data starts a line */
    int cr;                         /* the last byte read was CR */
    int eol;                        /* 2 for CRLF, 1 for a bare LF: the last line's end */
    int body;                       /* the request's header block is read: a line read now
                                       is a chunk size or a trailer, never the sign-in */
} header_watch;

static apr_status_t header_watch_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                        ap_input_mode_t mode, apr_read_type_e block,
                                        apr_off_t readbytes)
{
    header_watch *w = f->ctx;
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
    apr_bucket *e;

    if (rv != APR_SUCCESS || mode != AP_MODE_GETLINE || w->body)
        return rv;
    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb); e = APR_BUCKET_NEXT(e)) {
        const char *d;
        apr_size_t n, k;
        if (APR_BUCKET_IS_METADATA(e) || apr_bucket_read(e, &d, &n, APR_BLOCK_READ) != APR_SUCCESS
            || !n)
            continue;
        if (w->fresh)
            w->prefix = w->len = 0, w->fresh = 0;
        k = n < sizeof(w->line) - w->prefix ? n : sizeof(w->line) - w->prefix;
        memcpy(w->line + w->prefix, d, k);
        w->prefix += k;
        w->len += n;
        if (d[n - 1] == '\n') {
            w->fresh = 1;
            w->eol = (n >= 2 ? d[n - 2] == '\r' : w->cr) ? 2 : 1;    /* CRLF or a bare LF */
        }
        w->cr = d[n - 1] == '\r';
    }
    return rv;
}

/* A request's header block begins (this hook runs only for requests read
 * from the connection): the watch looks at its lines. */
static void pre_read_request(request_rec *r, conn_rec *c)
{
    void *w_ = NULL;
    header_watch *w;
    (void)r;
    apr_pool_userdata_get(&w_, HEADER_WATCH_KEY, c->pool);
    if ((w = w_) != NULL) {
        w->body = 0;
        w->fresh = 1;
        w->prefix = w->len = 0;
        w->cr = 0;
    }
}

/* ... and is read: what httpd reads on the connection from now until the
 * next request is a body (a chunked body's size lines and trailer, which
 * httpd holds to the same LimitRequestFieldSize): not the sign-in header. */
static int post_read_request(request_rec *r)
{
    void *w_ = NULL;
    if (r->main || r->prev || r->connection->master)
        return DECLINED;
    apr_pool_userdata_get(&w_, HEADER_WATCH_KEY, r->connection->pool);
    if (w_)
        ((header_watch *)w_)->body = 1;
    return DECLINED;
}

static int pre_connection(conn_rec *c, void *csd)
{
    const spncheck_conf *sc = ap_get_module_config(c->base_server->lookup_defaults,
                                                   &spncheck_module);
    header_watch *w;
    (void)csd;
    if (!sc || !sc->enabled || c->outgoing || c->master)
        return DECLINED;    /* silent where SPNCheck is Off; not a proxy's backend
                               connection nor an HTTP/2 stream (mod_http2 parses those) */
    w = apr_pcalloc(c->pool, sizeof(*w));
    w->fresh = 1;
    apr_pool_userdata_setn(w, HEADER_WATCH_KEY, NULL, c->pool);
    ap_add_input_filter("SPNCHECK_HEADERS", w, NULL, c);
    return DECLINED;
}

/* httpd refused the request with 400 while reading it.  No location walk
 * has run, so the configuration is that of the server the connection
 * arrived at (the first virtual host of its address), whose
 * LimitRequestFieldSize applied too. */
static void too_large_here(request_rec *r)
{
    void *w_ = NULL;
    const header_watch *w;
    const char *notes = apr_table_get(r->notes, "error-notes"), *scheme, *custom;
    const spncheck_conf *c = ap_get_module_config(r->server->lookup_defaults, &spncheck_module);
    exchange *x;

    /* (httpd has removed the filter itself by now: unusable input) */
    apr_pool_userdata_get(&w_, HEADER_WATCH_KEY, r->connection->pool);
    w = w_;
    if (!w || !w->len || w->body || !c || !c->enabled || !notes ||
        strncmp(notes, "Size of a request header field exceeds", 38) != 0 ||
        !spn_auth_line(w->line, w->prefix, &scheme))
        return;                             /* another field (a Cookie): untouched */
    if (ap_get_module_config(r->request_config, &spncheck_module))
        return;
    x = note(r, c, 0);
    spncheck_conn_token(r);
    x->too_large = SPN_TOO_LARGE_HERE;
    x->scheme = scheme;
    /* The line that overflowed is the last one read: whole when its end
     * came in the same read (then its exact size), else cut at the limit. */
    x->field_size = w->len;
    x->field_partial = !w->fresh;
    if (w->fresh)
        x->field_size -= w->len >= (apr_size_t)w->eol ? (apr_size_t)w->eol : w->len;  /* CRLF/LF */
    x->field_limit = (apr_size_t)r->server->limit_req_fieldsize;
    x->error_path = 1;
    explain(r, x);
    custom = ap_response_code_string(r, ap_index_of_response(HTTP_BAD_REQUEST));
    if (x->pc && !(custom && c->errordoc == SPNCHECK_ERRORDOC_KEEP))
        ap_add_output_filter("SPNCHECK_PAGE", x->pc, r, r->connection);
}

/* ---- successes by mechanism ---------------------------------------------------- */

/* A request in an SPNCheck On scope that carried a Negotiate/NTLM token and
 * was authenticated: locally, the auth module set r->user; behind a
 * proxy, the backend answered neither 401, 400 nor 5xx.  The token is
 * sniffed (its first bytes), and one atomic add counts it. */
static int log_success(request_rec *r)
{
    exchange *x = ap_get_module_config(r->request_config, &spncheck_module);
    const request_rec *last = r;
    const char *auth;
    size_t n;
    int slot, mc, et, v1;

    if (!x || r->main || !(auth = negotiate_auth(r)) || (slot = spncheck_mech_slot(r, x->c)) < 0)
        return DECLINED;
    n = strlen(auth);
    while (last->next)
        last = last->next;
    if (x->failure || x->too_large || last->status == HTTP_UNAUTHORIZED ||
        (x->proxied ? (last->status == HTTP_BAD_REQUEST || last->status >= 500) : !r->user)) {
        /* a token that did not sign in (a failure, an exchange's step) */
        spn_funnel_token(spncheck_store(), slot, spn_mech_sniff(auth, n));
        return DECLINED;
    }
    /* a success: its mechanism, its ticket's enctype, NTLMv1 (issue 20) */
    mc = spn_mech_sniff_ex(auth, n, &et, &v1);
    spn_funnel_token(spncheck_store(), slot, mc);
    spn_funnel_success(spncheck_store(), slot, mc, et ? spn_et_bucket(et) : -1, v1);
    return DECLINED;
}

/* httpd answers the 401 itself: its default page or ErrorDocument "text". */
static void insert_error_filter(request_rec *r)
{
    request_rec *o;
    exchange *x;
    const char *custom;

    if (r->status == HTTP_BAD_REQUEST && !r->main && !r->prev) {
        too_large_here(r);
        return;
    }
    if (r->status != HTTP_UNAUTHORIZED || r->main)
        return;
    /* (A recursive error is sent for the request that failed first.) */
    o = r;
    if (!(x = ap_get_module_config(r->request_config, &spncheck_module))) {
        const spncheck_conf *c = ap_get_module_config(r->per_dir_config, &spncheck_module);
        if (!c || !c->enabled || r->proxyreq != PROXYREQ_NONE)
            return;
        x = note(r, c, 0);          /* a 401 from outside the auth phase */
    }
    x->error_path = 1;
    explain(o, x);
    custom = ap_response_code_string(r, ap_index_of_response(HTTP_UNAUTHORIZED));
    if (x->pc && !(custom && keep_admin_page(x)))
        ap_add_output_filter("SPNCHECK_PAGE", x->pc, r, r->connection);
}

/* A reverse-proxied request with a token: noted, and watched.  An error
 * document's request (internal redirect after a 401): the page replaces
 * the document's body, unless the admin keeps it. */
static void insert_filter(request_rec *r)
{
    const spncheck_conf *c;
    request_rec *o;
    exchange *x;

    if (r->main)
        return;
    if (r->proxyreq == PROXYREQ_REVERSE) {
        c = ap_get_module_config(r->per_dir_config, &spncheck_module);
        if (c && c->enabled && negotiate_auth(r)) {
            spncheck_conn_token(r);
            note(r, c, 1);
            ap_add_output_filter("SPNCHECK_PROXY", NULL, r, r->connection);
        }
        return;
    }
    if (!r->prev || r->status != HTTP_UNAUTHORIZED || !(x = errordoc_exchange(r, &o)))
        return;
    explain(o, x);
    if (x->pc && x->failure)
        export_env(o, r, x->c, x->cause, x->ref);
    if (x->pc && !keep_admin_page(x))
        ap_add_output_filter("SPNCHECK_PAGE", x->pc, r, r->connection);
}

/* The auth phase: notes the exchange and declines, always. */
static int check_authn(request_rec *r)
{
    const spncheck_conf *c;

    if (r->main || (r->prev && r->status != HTTP_OK))
        return DECLINED;            /* an error document's request */
    c = ap_get_module_config(r->per_dir_config, &spncheck_module);
    if (c && c->enabled)
        note(r, c, 0);
    if (spncheck_conn_wants_token(r) && negotiate_auth(r))
        spncheck_conn_token(r);     /* this connection's client tries (issue 20) */
    return DECLINED;
}

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    spncheck_store_register(pconf);
    return OK;
}

/* The shared store's dimensions, from the configuration: a slot per
 * covered scope (up to SPNCheckMaxScopes), per probe target (with
 * SPNCheckProbe), per configured SPN (with SPNCheckDirectory); and the
 * covered scopes' labels.  Scopes past the bound: SPN00100, once a start. */
static void store_dims(apr_pool_t *p, server_rec *s, spn_store_dims_t *d, const char ***labels,
                       int *n_labels)
{
    const spncheck_srv *sv = ap_get_module_config(s->module_config, &spncheck_module);
    spn_scope_t *sc;
    const char **conf;
    int n = spncheck_scopes_noload(p, &sc), covered = n, i;

    if (covered > sv->max_scopes)
        covered = sv->max_scopes;
    memset(d, 0, sizeof(*d));
    d->capacity = (uint32_t)sv->history;
    d->mechs = (uint32_t)covered;
    d->probes = sv->probe_keytab ? spncheck_probe_slots(p, sc, covered) : 0;
    d->dir_conf = sv->dir_uri ? (uint32_t)spncheck_dir_configured(p, &conf) : 0;
    *labels = apr_palloc(p, sizeof(**labels) * (size_t)(covered + 1));
    for (i = 0; i < covered; i++)
        (*labels)[i] = spncheck_scope_label(p, &sc[i]);
    *n_labels = covered;
    if (n > covered && ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00100) "SPNCheckMaxScopes %d: "
                     "%d of %d scopes with SPNCheck On are not covered (no sign-in counts, "
                     "funnel, kerberos-share and rc4-tickets self-checks, probe or directory "
                     "lookup; the status "
                     "page lists them), from %s%s on; raise SPNCheckMaxScopes to %d to cover "
                     "them all", sv->max_scopes, n - covered, n, sc[covered].server,
                     sc[covered].location ? sc[covered].location : "", n);
}

/* A pool with an allocator of its own, for what post_config needs only
 * while it runs (walks of thousands of scopes, labels): destroyed at its
 * end, its blocks go back to the system.  ptemp's would stay in the
 * process's allocator, held by the parent and so by every child it forks
 * (httpd reads the configuration twice, and the first pass's blocks are
 * what the second reuses). */
static apr_pool_t *scratch_pool(apr_pool_t *pconf)
{
    apr_allocator_t *a;
    apr_pool_t *p;

    if (apr_allocator_create(&a) != APR_SUCCESS)
        return NULL;
    if (apr_pool_create_ex(&p, pconf, NULL, a) != APR_SUCCESS) {
        apr_allocator_destroy(a);
        return NULL;
    }
    apr_allocator_owner_set(a, p);
    apr_pool_tag(p, "spncheck-scratch");
    return p;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    spn_store_dims_t dims;
    const char **labels;
    int n_labels;
    apr_pool_t *scratch = scratch_pool(pconf);

    (void)plog;
    if (!scratch)
        scratch = ptemp;
    store_dims(scratch, s, &dims, &labels, &n_labels);
    spncheck_store_post_config(pconf, s, &dims, labels, n_labels);
    spncheck_config_post_config(pconf, s);
    ssl_var = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
    ssl_https = APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);
    spncheck_mech_assign(pconf, scratch, spncheck_store());
    spncheck_ntlmssp_warn(scratch, s);
    spncheck_inventory_post_config(pconf, scratch, s);
    if (scratch != ptemp)
        apr_pool_destroy(scratch);
    spncheck_dir_post_config(pconf, s);
    return spncheck_probe_post_config(pconf, s);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_connection(pre_connection, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_read_request(pre_read_request, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(post_read_request, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(log_success, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_FIRST, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(spncheck_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter("SPNCHECK_PAGE", error_page_filter, NULL, AP_FTYPE_RESOURCE);
    ap_register_output_filter("SPNCHECK_PROXY", proxy_filter, NULL, AP_FTYPE_RESOURCE);
    /* input filters run from the lowest type: this one before mod_ssl's
     * (CONNECTION + 5), so it reads the decrypted lines */
    ap_register_input_filter("SPNCHECK_HEADERS", header_watch_filter, NULL,
                             AP_FTYPE_CONNECTION + 1);
    spncheck_status_hooks();
    spncheck_retry_hooks();
    spncheck_conn_hooks();
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

/* mod_spncheck_dir.c: SPNCheckDirectory.  A watchdog singleton of its own
 * (so a slow directory never holds up the probe) looks up, off the request
 * path, the configured SPNs (both name forms) at start-up and every
 * interval, and the SPNs failures want (spn_store_want) within seconds.
 * The answers go to the shared store; a failure reads only what is there.
 * A dead DC, a bind failure, clock skew or missing rights are a finding
 * on the status page, never a wait for a request or for start-up. */
#include "mod_spncheck_dir.h"
#include "mod_spncheck_probe.h"
#include "mod_spncheck_store.h"

#include "http_log.h"
#include "mod_watchdog.h"

#include "apr_strings.h"

#include "spn_dirdiag.h"
#include "spn_probe.h"

APLOG_USE_MODULE(spncheck);

#define DIR_TIMEOUT_MS 5000     /* each LDAP step (connect, bind, search) */
/* Lookups one tick may run, in seconds: a run over many SPNs against a DC
 * that answers each step just before the timeout stops here and resumes
 * on the next tick, so a child that exits (mod_watchdog joins this thread)
 * waits at most this long, plus one step. */
#define DIR_RUN_SECONDS 15
#define DIR_MAX_CONF   SPN_DIR_CONF_MAX   /* configured SPNs (both forms) looked up */

typedef struct {
    server_rec *s;
    apr_time_t next;            /* the next run over the configured SPNs */
    int resume;                 /* where a run cut short by DIR_RUN_SECONDS goes on */
    char last_err[256];         /* the last connection error logged */
} dir_ctx;

static spncheck_srv *srv(server_rec *s)
{
    return ap_get_module_config(s->module_config, &spncheck_module);
}

/* Every configured SPN and its other name form, realm stripped, once. */
static int configured(apr_pool_t *p, const char **out, int max)
{
    spn_scope_t *scopes;
    int n_scopes = spncheck_scopes_noload(p, &scopes), i, j, k, n = 0;

    for (i = 0; i < n_scopes && n < max; i++) {
        const char *t[DIR_MAX_CONF];
        int nt = spn_probe_targets(p, &scopes[i].svc, t, DIR_MAX_CONF);
        for (j = 0; j < nt && n < max; j++) {
            const char *spn = apr_pstrndup(p, t[j], strcspn(t[j], "@"));
            if (!spn_dir_spn_ok(spn))
                continue;
            for (k = 0; k < n && strcasecmp(out[k], spn) != 0; k++)
                ;
            if (k == n)
                out[n++] = spn;
        }
    }
    return n;
}

/* The connection's outcome, for the status page and the log (logged when
 * it changes: a dead DC is one line, not one a minute). */
static void conn_state(dir_ctx *dc, const char *err)
{
    spn_store_t *st = spncheck_store();
    spncheck_srv *sc = srv(dc->s);

    if (err && strcmp(err, dc->last_err) != 0)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, dc->s, SPNLOGNO(00073) "directory %s as %s: "
                     "%s (check: kinit -k -t %s %s && ldapsearch -Y GSSAPI -H %s -s base "
                     "-b '' defaultNamingContext)", sc->dir_uri, sc->dir_client, err,
                     sc->dir_keytab, sc->dir_client, sc->dir_uri);
    else if (!err && *dc->last_err)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, dc->s, SPNLOGNO(00074) "directory %s answers "
                     "again", sc->dir_uri);
    apr_cpystrn(dc->last_err, err ? err : "", sizeof(dc->last_err));
    if (st && spncheck_store_lock()) {
        st->dir_time = (int64_t)apr_time_sec(apr_time_now());
        st->dir_runs++;
        st->dir_state = err ? SPN_DIR_ERROR : SPN_DIR_OK;
        apr_cpystrn(st->dir_error, err ? err : "", sizeof(st->dir_error));
        spncheck_store_unlock();
    }
}

/* Looks up spns[0..n) and stores the answers; without a connection, each
 * is stored as an error (cached like an answer: not retried at once).
 * unpin: this run starts over the configured SPNs.  Stops after
 * DIR_RUN_SECONDS with *done < n.  Returns 0, or -1 when the directory
 * could not be used. */
static int lookup(dir_ctx *dc, apr_pool_t *p, const char *const *spns, int n, int pinned,
                  int unpin, int *done)
{
    apr_time_t deadline = apr_time_now() + apr_time_from_sec(DIR_RUN_SECONDS);
    spncheck_srv *sc = srv(dc->s);
    spn_store_t *st = spncheck_store();
    spn_dir_conn_t *conn = NULL;
    spn_dir_spn_t *f = apr_pcalloc(p, sizeof(*f));
    krb5_context ctx = NULL;
    char err[256] = "";
    int i, broken = 0;

    *done = 0;
    if (!st || !n)
        return 0;
    if (krb5_init_context(&ctx) != 0) {
        apr_cpystrn(err, "krb5_init_context failed", sizeof(err));
        ctx = NULL;
    }
    else if (!(conn = spn_dir_open(p, ctx, sc->dir_uri, sc->dir_keytab, sc->dir_client,
                                   DIR_TIMEOUT_MS, err, sizeof(err))) && !*err)
        apr_cpystrn(err, "cannot connect", sizeof(err));
    conn_state(dc, conn ? NULL : err);
    if (pinned && unpin && spncheck_store_lock()) {
        spn_store_dir_unpin(st);
        spncheck_store_unlock();
    }
    for (i = 0; i < n && (!conn || broken || apr_time_now() < deadline); i++) {
        int64_t now = (int64_t)apr_time_sec(apr_time_now());
        memset(f, 0, sizeof(*f));
        apr_cpystrn(f->spn, spns[i], sizeof(f->spn));
        if (!conn || broken || spn_dir_lookup(conn, spns[i], now, f) < 0) {
            if (conn && !broken) {
                broken = 1;
                conn_state(dc, *f->error ? f->error : "the connection broke");
            }
            f->state = SPN_DIR_ERROR;
            f->checked_at = now;
            if (!*f->error)
                apr_cpystrn(f->error, *err ? err : "the connection broke", sizeof(f->error));
        }
        if (spncheck_store_lock()) {
            spn_store_dir_put(st, f, pinned, now);
            st->dir_lookups++;
            spncheck_store_unlock();
        }
    }
    *done = i;
    if (conn)
        spn_dir_close(conn);
    if (ctx)
        krb5_free_context(ctx);
    return conn && !broken ? 0 : -1;
}

static apr_status_t dir_tick(int state, void *data, apr_pool_t *pool)
{
    dir_ctx *dc = data;
    spn_store_t *st = spncheck_store();
    apr_time_t now = apr_time_now();
    apr_pool_t *p;

    if (state == AP_WATCHDOG_STATE_STOPPING)
        return APR_SUCCESS;
    apr_pool_create(&p, pool);
    if (state == AP_WATCHDOG_STATE_STARTING || now >= dc->next) {
        const char *spns[DIR_MAX_CONF];
        int n = configured(p, spns, DIR_MAX_CONF), done, rc;
        int start = state == AP_WATCHDOG_STATE_STARTING || dc->resume >= n ? 0 : dc->resume;
        rc = lookup(dc, p, spns + start, n - start, 1, start == 0, &done);
        if (rc == 0 && start + done < n) {
            dc->resume = start + done;      /* cut short: go on at the next tick */
            dc->next = now;
        }
        else {
            /* a directory that could not be used is tried again in a minute */
            dc->resume = 0;
            dc->next = now + apr_time_from_sec(rc < 0 ? SPN_DIR_REQUERY : srv(dc->s)->dir_interval);
        }
    }
    else if (st) {
        const char *spns[SPN_DIR_BUDGET];
        char one[SPN_DIR_SPN_MAX];
        int n = 0, done;
        int64_t t = (int64_t)apr_time_sec(now);
        if (spncheck_store_lock()) {
            while (n < SPN_DIR_BUDGET && spn_store_want_next(st, t, one, sizeof(one)))
                spns[n++] = apr_pstrdup(p, one);
            spncheck_store_unlock();
        }
        /* wanted SPNs a run cut short did not reach are not stored: the
         * next failure that asks for one queues it again */
        (void)lookup(dc, p, spns, n, 0, 0, &done);
    }
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

int spncheck_dir_post_config(apr_pool_t *pconf, server_rec *s)
{
    spncheck_srv *sc = srv(s);
    dir_ctx *dc;
    apr_status_t rv;

    if (!sc->dir_uri)
        return OK;
    dc = apr_pcalloc(pconf, sizeof(*dc));
    dc->s = s;
    /* a singleton of its own: a directory that does not answer holds up
     * only its own thread, never the probe's; ticks every second: the
     * wanted queue within seconds */
    if (!spncheck_watchdog_tick(pconf, "spncheck-directory", dc, dir_tick, &rv)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00075) "SPNCheckDirectory needs "
                     "mod_watchdog; the directory is not consulted");
        return OK;
    }
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, SPNLOGNO(00076) "cannot schedule the "
                     "directory lookup; the directory is not consulted");
    return OK;
}

/* The SPNs this request's failure may ask about: the scope's configured
 * SPNs' hosts and the virtual host's ServerName and ServerAlias names
 * (spn_dir_ours), never whatever name a client put in its token. */
static void ours_of(request_rec *r, const spn_service_t *svc, spn_dir_ours_t *o)
{
    server_rec *s = r->server;
    int n = 1 + (s->names ? s->names->nelts : 0) + (s->wild_names ? s->wild_names->nelts : 0);
    const char **names = apr_palloc(r->pool, sizeof(*names) * (size_t)n);
    int i, k = 0;

    if (s->server_hostname)
        names[k++] = s->server_hostname;
    for (i = 0; s->names && i < s->names->nelts; i++)
        names[k++] = APR_ARRAY_IDX(s->names, i, const char *);
    for (i = 0; s->wild_names && i < s->wild_names->nelts; i++)
        names[k++] = APR_ARRAY_IDX(s->wild_names, i, const char *);
    o->svc = svc;
    o->names = names;
    o->n_names = k;
}

/* What d's failure asks of the directory (a), decided before any lock:
 * the pattern matching (ServerAlias wildcards) runs on the client's host
 * name and never under the store lock.  The store when this server
 * consults a directory; NULL otherwise. */
static spn_store_t *dir_ask(request_rec *r, const spn_service_t *svc, const spn_diag_t *d,
                            const char *host, spn_dir_ask_t *a)
{
    spn_store_t *st = spncheck_store();
    spn_dir_ours_t ours;

    if (!srv(r->server)->dir_uri || !st)
        return NULL;
    ours_of(r, svc, &ours);
    return spn_dir_ask(a, d, host, &ours) > 0 ? st : NULL;
}

void spncheck_dir_note(request_rec *r, const spn_service_t *svc, spn_diag_t *d,
                       const char *host)
{
    spn_dir_ask_t a, admin;
    spn_dir_spn_t *facts = apr_palloc(r->pool, sizeof(*facts));
    spn_store_t *st = dir_ask(r, svc, d, host, &a);
    char client[SPN_CLIENT_KEY];
    int got, i;

    /* A name this service does not answer to is looked up too, queued and
     * rate-limited like the others (a fair share per client), for the
     * admin's view alone (the status page, ?ref=): its facts never refine
     * this client's page. */
    memset(&admin, 0, sizeof(admin));
    if (!st && srv(r->server)->dir_uri && (st = spncheck_store()) != NULL)
        spn_dir_ask(&admin, d, host, NULL);
    if (!st || (a.n == 0 && admin.n == 0))
        return;
    if (admin.n)
        a.n = 0;
    spn_store_client_key(r->useragent_ip, client, sizeof(client));
    if (!spncheck_store_lock())
        return;
    for (i = 0; i < admin.n && i < 2; i++)
        spn_store_want(st, admin.spn[i], client, (int64_t)apr_time_sec(r->request_time));
    got = a.n && spn_store_dir_note(st, &a, client, (int64_t)apr_time_sec(r->request_time), facts);
    spncheck_store_unlock();
    if (got)
        spn_dir_refine(d, svc->account, facts);
}

void spncheck_dir_refine_failure(request_rec *r, const spn_service_t *svc, spn_diag_t *d,
                                 const spn_failure_t *f)
{
    spn_dir_ask_t a;
    spn_dir_spn_t *facts = apr_palloc(r->pool, sizeof(*facts));
    spn_store_t *st = dir_ask(r, svc, d, f->host, &a);
    int got;

    if (!st || !a.refine || !spncheck_store_lock())
        return;
    got = spn_store_dir_get(st, a.spn[0], facts);
    spncheck_store_unlock();
    if (got)
        spn_dir_refine_failure(d, f, svc->account, facts);
}

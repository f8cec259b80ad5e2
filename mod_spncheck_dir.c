/* mod_spncheck_dir.c: SPNCheckDirectory.  A watchdog singleton of its own
 * (so a slow directory never holds up the probe) looks up, off the request
 * path, the configured SPNs (both name forms) at start-up and every
 * interval, and the SPNs failures want (spn_store_want) within seconds.
 * Both kinds share a run and its one bind; a slow DC still gets lookups
 * done (DIR_BIND_SECONDS, DIR_RUN_SECONDS) and shows as slow.
 * The answers go to the shared store; a failure reads only what is there.
 * A dead or slow DC, a bind failure, clock skew or missing rights are a
 * finding on the status page, never a wait for a request or for start-up. */
#include "mod_spncheck_dir.h"
#include "mod_spncheck_probe.h"
#include "mod_spncheck_store.h"

#include "http_log.h"
#include "mod_watchdog.h"

#include "apr_hash.h"
#include "apr_strings.h"

#include "spn_dirdiag.h"
#include "spn_probe.h"

APLOG_USE_MODULE(spncheck);

#define DIR_TIMEOUT_MS 5000     /* each LDAP step (connect, bind, search) */
/* A run's budgets, in seconds.  The bind (connect, TGT, SASL bind, the
 * RootDSE, the Global Catalog, the read-rights check) has its own: one
 * that takes longer marks the directory slow, and the lookups' clock
 * starts only once bound, so a DC that answers each step just under the
 * timeout still gets lookups done.  Then lookups go on for
 * DIR_RUN_SECONDS (at least one of each kind a run has, whatever the
 * time: guaranteed progress); the rest go on at the next tick, so a child
 * that exits (mod_watchdog joins this thread) waits at most the bind,
 * this long and two lookups. */
#define DIR_BIND_SECONDS 15
#define DIR_RUN_SECONDS 15

typedef struct {
    server_rec *s;
    apr_time_t next;            /* the next run over the configured SPNs */
    int resume;                 /* where a run cut short by DIR_RUN_SECONDS goes on */
    int last_state;             /* spn_dir_state_t last set (without the store) */
    char last_err[256];         /* the last connection error logged */
} dir_ctx;

/* SPNs a run looks up: the wanted ones or the configured ones. */
typedef struct {
    const char *const *spns;
    int n;
    int pinned;                 /* configured SPNs */
    int done;                   /* how many the run looked up (or stored as errors) */
} dir_batch_t;

static spncheck_srv *srv(server_rec *s)
{
    return ap_get_module_config(s->module_config, &spncheck_module);
}

/* Every configured SPN and its other name form, realm stripped, once,
 * in the covered scopes (SPNCheckMaxScopes): deduplicated through a hash
 * (names compare without case), so thousands of virtual hosts cost a
 * walk, not a comparison of each SPN with every other. */
int spncheck_dir_configured(apr_pool_t *p, const char ***out)
{
    spn_scope_t *scopes;
    int n_scopes = spncheck_scopes_noload(p, &scopes), i, j, n = 0;
    apr_array_header_t *a = apr_array_make(p, 64, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(p);

    if (n_scopes > spncheck_max_scopes())
        n_scopes = spncheck_max_scopes();       /* the rest: SPN00100 */
    for (i = 0; i < n_scopes; i++) {
        int max = 2 * scopes[i].svc.n_spns + 1, nt;
        const char **t = apr_palloc(p, sizeof(*t) * (size_t)max);
        nt = spn_probe_targets(p, &scopes[i].svc, t, max);
        for (j = 0; j < nt; j++) {
            const char *spn = apr_pstrndup(p, t[j], strcspn(t[j], "@"));
            char *key = apr_pstrdup(p, spn);
            ap_str_tolower(key);
            if (!spn_dir_spn_ok(spn) || apr_hash_get(seen, key, APR_HASH_KEY_STRING))
                continue;
            apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
            APR_ARRAY_PUSH(a, const char *) = spn;
            n++;
        }
    }
    *out = (const char **)a->elts;
    return n;
}

/* The directory's state as stored (what the status page shows; it
 * outlives a graceful restart), else as this thread last set it. */
static int stored_state(dir_ctx *dc)
{
    spn_store_t *st = spncheck_store();
    int v = dc->last_state;

    if (st && spncheck_store_lock()) {
        v = st->dir_state;
        spncheck_store_unlock();
    }
    return v;
}

/* The directory's state (SPN_DIR_OK, _ERROR, _SLOW) and why, for the
 * status page and the log (logged when it changes: a dead or slow DC is
 * one line, not one a minute).  msg NULL keeps the stored one.  new_run:
 * a connection was tried (last run, runs). */
static void set_state(dir_ctx *dc, int state, const char *msg, int new_run)
{
    spn_store_t *st = spncheck_store();
    spncheck_srv *sc = srv(dc->s);
    int prev = dc->last_state;

    if (st && spncheck_store_lock()) {
        prev = st->dir_state;
        if (new_run) {
            st->dir_time = (int64_t)apr_time_sec(apr_time_now());
            st->dir_runs++;
        }
        st->dir_state = state;
        if (state == SPN_DIR_OK)
            st->dir_error[0] = '\0';
        else if (msg)
            apr_cpystrn(st->dir_error, msg, sizeof(st->dir_error));
        spncheck_store_unlock();
    }
    if (state == SPN_DIR_ERROR && msg && strcmp(msg, dc->last_err) != 0)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, dc->s, SPNLOGNO(00073) "directory %s as %s: "
                     "%s (check: kinit -k -t %s %s && ldapsearch -Y GSSAPI -H %s -s base "
                     "-b '' defaultNamingContext)", sc->dir_uri, sc->dir_client, msg,
                     sc->dir_keytab, sc->dir_client, sc->dir_uri);
    else if (state == SPN_DIR_SLOW && prev != SPN_DIR_SLOW)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, dc->s, SPNLOGNO(00085) "directory %s is too "
                     "slow to serve: %s; lookups go on, one bind and at least one lookup a run "
                     "(check the DC's load and the network to it: time ldapsearch -Y GSSAPI "
                     "-H %s -s base -b '' defaultNamingContext)", sc->dir_uri,
                     msg ? msg : "", sc->dir_uri);
    else if (state == SPN_DIR_OK && (prev == SPN_DIR_ERROR || *dc->last_err))
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, dc->s, SPNLOGNO(00074) "directory %s answers "
                     "again", sc->dir_uri);
    else if (state == SPN_DIR_OK && prev == SPN_DIR_SLOW)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, dc->s, SPNLOGNO(00086) "directory %s answers "
                     "in time again", sc->dir_uri);
    apr_cpystrn(dc->last_err, state == SPN_DIR_ERROR && msg ? msg : "", sizeof(dc->last_err));
    dc->last_state = state;
}

/* Looks up one SPN (without a usable connection: stored as an error,
 * cached like an answer, so not retried at once) and stores the answer. */
static void lookup_one(dir_ctx *dc, spn_dir_conn_t *conn, const char *spn, int pinned,
                       const char *err, int *broken, spn_dir_spn_t *f)
{
    spn_store_t *st = spncheck_store();
    int64_t now = (int64_t)apr_time_sec(apr_time_now());

    memset(f, 0, sizeof(*f));
    apr_cpystrn(f->spn, spn, sizeof(f->spn));
    if (!conn || *broken || spn_dir_lookup(conn, spn, now, f) < 0) {
        if (conn && !*broken) {
            *broken = 1;
            set_state(dc, SPN_DIR_ERROR, *f->error ? f->error : "the connection broke", 0);
        }
        f->state = SPN_DIR_ERROR;
        f->checked_at = now;
        if (!*f->error)
            apr_cpystrn(f->error, *err ? err : "the connection broke", sizeof(f->error));
    }
    if (spncheck_store_lock()) {
        spn_store_dir_put(st, f, pinned, now);     /* nowhere to go: counted dropped */
        st->dir_lookups++;
        spncheck_store_unlock();
    }
}

/* One run: binds once, then looks up the wanted SPNs (w) and the
 * configured ones (c, unpin: a run that starts over them), at least one of
 * each whatever the time, then more while DIR_RUN_SECONDS last, counted
 * from the bind on.  Sets w->done and c->done.  Returns 0, or -1 when the
 * directory could not be used. */
static int run(dir_ctx *dc, apr_pool_t *p, dir_batch_t *w, dir_batch_t *c, int unpin)
{
    spncheck_srv *sc = srv(dc->s);
    spn_store_t *st = spncheck_store();
    spn_dir_conn_t *conn = NULL;
    spn_dir_spn_t *f = apr_pcalloc(p, sizeof(*f));
    krb5_context ctx = NULL;
    char err[256] = "", why[256] = "";
    apr_time_t t0 = apr_time_now(), bound, deadline;
    int broken = 0, k, i, slow = 0;

    w->done = c->done = 0;
    if (!st || (!w->n && !c->n))
        return 0;
    if (krb5_init_context(&ctx) != 0) {
        apr_cpystrn(err, "krb5_init_context failed", sizeof(err));
        ctx = NULL;
    }
    else if (!(conn = spn_dir_open(p, ctx, sc->dir_uri, sc->dir_keytab, sc->dir_client,
                                   DIR_TIMEOUT_MS, err, sizeof(err))) && !*err)
        apr_cpystrn(err, "cannot connect", sizeof(err));
    bound = apr_time_now();
    if (conn && bound - t0 > apr_time_from_sec(DIR_BIND_SECONDS)) {
        slow = 1;
        apr_snprintf(why, sizeof(why), "binding took %d s (its budget is %d s)",
                     (int)apr_time_sec(bound - t0), DIR_BIND_SECONDS);
    }
    /* a quick bind after a slow run says nothing yet: the run's end does */
    set_state(dc, !conn ? SPN_DIR_ERROR : slow || stored_state(dc) == SPN_DIR_SLOW ? SPN_DIR_SLOW
                                                                                  : SPN_DIR_OK,
              !conn ? err : slow ? why : NULL, 1);
    if (c->n && unpin && spncheck_store_lock()) {
        spn_store_dir_unpin(st);
        spncheck_store_unlock();
    }
    deadline = bound + apr_time_from_sec(DIR_RUN_SECONDS);
    for (k = 0; k < 2; k++) {
        dir_batch_t *b = k ? c : w;
        for (i = 0; i < b->n && !spncheck_watchdog_stopping() &&
                    (i == 0 || !conn || broken || apr_time_now() < deadline); i++)
            lookup_one(dc, conn, b->spns[i], b->pinned, err, &broken, f);
        b->done = i;
    }
    if (conn && !broken) {
        /* cut short having done no more than its guaranteed lookups: one
         * lookup took about the whole run's budget */
        if (!slow && (w->done < w->n || c->done < c->n) &&
            w->done + c->done <= (w->n > 0) + (c->n > 0)) {
            slow = 1;
            apr_snprintf(why, sizeof(why), "a lookup took more than %d s (the run's budget); "
                         "%d of %d SPNs looked up", DIR_RUN_SECONDS, w->done + c->done,
                         w->n + c->n);
        }
        set_state(dc, slow ? SPN_DIR_SLOW : SPN_DIR_OK, slow ? why : NULL, 0);
    }
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
    int due = state == AP_WATCHDOG_STATE_STARTING || now >= dc->next;
    const char **conf = NULL, *want[SPN_DIR_BUDGET];
    dir_batch_t w = { want, 0, 0, 0 }, c = { NULL, 0, 1, 0 };
    char one[SPN_DIR_SPN_MAX];
    int64_t t = (int64_t)apr_time_sec(now);
    int n = 0, start = 0, rc, i;
    apr_pool_t *p;

    if (state == AP_WATCHDOG_STATE_STOPPING)
        return APR_SUCCESS;
    apr_pool_create(&p, pool);
    if (due) {
        n = spncheck_dir_configured(p, &conf);
        if (st && n > (int)st->dir_conf)
            n = (int)st->dir_conf;          /* the slots pinned for them */
        start = state == AP_WATCHDOG_STATE_STARTING || dc->resume >= n ? 0 : dc->resume;
        c.spns = conf + start;
        c.n = n - start;
    }
    /* the wanted SPNs share the run (and its one bind) with the configured */
    if (st && spncheck_store_lock()) {
        while (w.n < SPN_DIR_BUDGET && spn_store_want_next(st, t, one, sizeof(one)))
            want[w.n++] = apr_pstrdup(p, one);
        spncheck_store_unlock();
    }
    if (!due && !w.n) {
        apr_pool_destroy(p);
        return APR_SUCCESS;
    }
    rc = run(dc, p, &w, &c, start == 0);
    /* wanted SPNs a run cut short did not reach go back on the queue
     * (first in line), or are counted dropped: none is lost silently */
    if (w.done < w.n && spncheck_store_lock()) {
        for (i = w.done; i < w.n; i++)
            spn_store_want_back(st, want[i], t);
        spncheck_store_unlock();
    }
    if (due) {
        if (rc == 0 && c.done < c.n) {
            dc->resume = start + c.done;    /* cut short: go on at the next tick */
            dc->next = now;
        }
        else {
            /* a directory that could not be used is tried again in a minute */
            dc->resume = 0;
            dc->next = now + apr_time_from_sec(rc < 0 ? SPN_DIR_REQUERY : srv(dc->s)->dir_interval);
        }
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
    (void)r;
    o->svc = svc;                   /* spncheck_service_of: its server's names */
    o->names = svc->names;
    o->n_names = svc->n_names;
    o->literal = 0;                 /* look-ups read: wildcards as httpd matches them */
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
     * rate-limited like the others (one fair share for all such names,
     * whoever asks: spn_dir_ask_t.pooled), for the admin's view alone (the
     * status page, ?ref=): its facts never refine this client's page. */
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
    for (i = 0; i < admin.n && i < 2; i++)     /* pooled: any client may invent them */
        spn_store_want(st, admin.spn[i], admin.pooled[i] ? SPN_WANT_POOL : client,
                       (int64_t)apr_time_sec(r->request_time));
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

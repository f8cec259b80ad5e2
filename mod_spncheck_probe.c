/* mod_spncheck_probe.c: SPNCheckProbe.  mod_watchdog's singleton runs the
 * probe in one child, in its own thread: at start-up and then every
 * interval, off the request path.  Results go to the shared store for the
 * status page.  A probe that fails (no KDC, bad identity) is a finding on
 * the status page, never an error that stops httpd or a request. */
#include "mod_spncheck_keytab.h"
#include "mod_spncheck_probe.h"
#include "mod_spncheck_store.h"

#include "http_log.h"
#include "mod_watchdog.h"

#include "apr_strings.h"

#include "spn_probe.h"

APLOG_USE_MODULE(spncheck);

typedef struct {
    server_rec *s;
    apr_time_t next;
} probe_ctx;

/* A scope's probe targets: each SPN and its other name form. */
static int targets_of(apr_pool_t *p, const spn_service_t *svc, const char ***out)
{
    int max = 2 * svc->n_spns + 1;
    *out = apr_palloc(p, sizeof(**out) * (size_t)max);
    return spn_probe_targets(p, svc, *out, max);
}

uint32_t spncheck_probe_slots(apr_pool_t *p, const spn_scope_t *sc, int n)
{
    uint32_t sum = 0;
    const char **t;
    int i;
    for (i = 0; i < n; i++)
        sum += (uint32_t)targets_of(p, &sc[i].svc, &t);
    return sum;
}

/* Probes every covered scope's SPNs (and their other name form) once:
 * the store has a slot for each (spncheck_probe_slots at post_config). */
static void run_probe(server_rec *s, apr_pool_t *p)
{
    spncheck_srv *sc = ap_get_module_config(s->module_config, &spncheck_module);
    spn_store_t *st = spncheck_store();
    spn_probe_slot_t *slots;
    spn_scope_t *scopes;
    krb5_context ctx;
    char err[512] = "";
    int n_scopes, i, j, n = 0, max;

    if (krb5_init_context(&ctx) != 0) {
        apr_cpystrn(err, "krb5_init_context failed", sizeof(err));
        ctx = NULL;
    }
    n_scopes = spncheck_scopes_noload(p, &scopes);
    if (n_scopes > spncheck_max_scopes())
        n_scopes = spncheck_max_scopes();       /* the rest: SPN00100 */
    /* without shared memory the findings are still logged */
    max = st ? (int)st->n_probe_slots : (int)spncheck_probe_slots(p, scopes, n_scopes);
    slots = apr_pcalloc(p, sizeof(*slots) * (size_t)(max ? max : 1));
    for (i = 0; ctx && i < n_scopes && n < max && !*err && !spncheck_watchdog_stopping(); i++) {
        const char **targets;
        spn_probe_result_t *res;
        spn_service_t svc = scopes[i].svc;
        const char *label = apr_pstrcat(p, scopes[i].server, scopes[i].location, NULL);
        int t = targets_of(p, &svc, &targets);
        if (t > max - n)
            t = max - n;
        if (!t)
            continue;
        res = apr_pcalloc(p, sizeof(*res) * (size_t)t);
        svc.keytab = scopes[i].keytab_path ? spn_keytab_load(p, ctx, scopes[i].keytab_path) : NULL;
        if (spn_probe(p, ctx, sc->probe_keytab, sc->probe_client, &svc, targets, t, res,
                      err, sizeof(err)) < 0)
            break;
        for (j = 0; j < t; j++, n++) {
            slots[n].time = (int64_t)apr_time_sec(apr_time_now());
            slots[n].ok = res[j].ok;
            slots[n].cause = res[j].cause;
            slots[n].kvno = res[j].tkt_kvno;
            slots[n].etype = res[j].tkt_etype;
            apr_cpystrn(slots[n].scope, label, sizeof(slots[n].scope));
            apr_cpystrn(slots[n].spn, res[j].spn, sizeof(slots[n].spn));
            apr_cpystrn(slots[n].message, res[j].message, sizeof(slots[n].message));
            if (!res[j].ok)
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00031) "probe %s: %s cause=%s",
                             res[j].spn, res[j].message, spn_cause_code(res[j].cause));
        }
    }
    if (ctx)
        krb5_free_context(ctx);
    if (*err)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00032) "probe not run: %s", err);
    if (spncheck_watchdog_stopping())
        return;                             /* cut short: the next child's run writes */
    if (st && spncheck_store_lock()) {
        int64_t now = (int64_t)apr_time_sec(apr_time_now());
        /* the chart marks a run whose outcome differs from the last run's */
        uint64_t key = 1469598103934665603ull;      /* FNV-1a over the findings */
        int nf = 0, first = -1;
        const char *p_;
        key ^= (uint64_t)(unsigned char)(*err ? 'E' : 'R');
        for (p_ = err; *p_; p_++)
            key = (key ^ (unsigned char)*p_) * 1099511628211ull;
        for (i = 0; i < n; i++) {
            if (slots[i].ok)
                continue;
            if (first < 0)
                first = i;
            nf++;
            key = (key ^ (uint64_t)slots[i].cause) * 1099511628211ull;
            for (p_ = slots[i].spn; *p_; p_++)
                key = (key ^ (unsigned char)*p_) * 1099511628211ull;
        }
        if (key != st->probe_key && (st->probe_runs || *err || nf)) {
            if (*err)
                spn_store_event(st, SPN_EV_PROBE_ERROR, 0, 0, 0, err, now);
            else if (nf)
                spn_store_event(st, SPN_EV_PROBE_FINDING, slots[first].cause, (uint32_t)nf, 0,
                                slots[first].spn, now);
            else
                spn_store_event(st, SPN_EV_PROBE_OK, 0, 0, 0, "", now);
        }
        st->probe_key = key;
        st->probe_time = now;
        st->probe_runs++;
        apr_cpystrn(st->probe_error, err, sizeof(st->probe_error));
        memcpy(spn_store_probes(st), slots, sizeof(*slots) * (size_t)n);
        st->n_probes = (uint32_t)n;
        spncheck_store_unlock();
    }
}

static apr_status_t probe_tick(int state, void *data, apr_pool_t *pool)
{
    probe_ctx *pc = data;
    spncheck_srv *sc = ap_get_module_config(pc->s->module_config, &spncheck_module);
    apr_time_t now = apr_time_now();
    apr_pool_t *p;

    if (state == AP_WATCHDOG_STATE_STOPPING)
        return APR_SUCCESS;
    if (state == AP_WATCHDOG_STATE_RUNNING && now < pc->next)
        return APR_SUCCESS;
    pc->next = now + apr_time_from_sec(sc->probe_interval);
    apr_pool_create(&p, pool);
    run_probe(pc->s, p);
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

/* The child's exit must not overtake a tick.  mod_watchdog joins its
 * thread only from the process pool's cleanup, at exit(), after the
 * Kerberos library's own finalizers have destroyed its mutexes: a probe or
 * a directory lookup still running then aborts the child in k5_mutex_lock.
 * So every tick runs through guarded(), and the child pool's pre-cleanup
 * (spncheck_watchdog_child_init) says stop and waits for the tick in
 * hand, which checks spncheck_watchdog_stopping() between SPNs. */
typedef struct {
    ap_watchdog_callback_fn_t *cb;
    void *ctx;
} guard_t;

static int wd_stopping;
static apr_uint32_t wd_busy;
#define WD_QUIESCE_MAX apr_time_from_sec(20)    /* a bind in hand ends within its budget */

int spncheck_watchdog_stopping(void)
{
    return __atomic_load_n(&wd_stopping, __ATOMIC_ACQUIRE);
}

static apr_status_t guarded(int state, void *data, apr_pool_t *pool)
{
    guard_t *g = data;
    apr_status_t rv;

    if (spncheck_watchdog_stopping())
        return APR_SUCCESS;
    __atomic_fetch_add(&wd_busy, 1, __ATOMIC_ACQ_REL);
    rv = spncheck_watchdog_stopping() ? APR_SUCCESS : g->cb(state, g->ctx, pool);
    __atomic_fetch_sub(&wd_busy, 1, __ATOMIC_ACQ_REL);
    return rv;
}

static apr_status_t quiesce(void *data)
{
    apr_time_t until = apr_time_now() + WD_QUIESCE_MAX;
    (void)data;
    __atomic_store_n(&wd_stopping, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&wd_busy, __ATOMIC_ACQUIRE) && apr_time_now() < until)
        apr_sleep(apr_time_from_msec(10));
    return APR_SUCCESS;
}

void spncheck_watchdog_child_init(apr_pool_t *pchild)
{
    __atomic_store_n(&wd_stopping, 0, __ATOMIC_RELEASE);
    apr_pool_pre_cleanup_register(pchild, NULL, quiesce);
}

int spncheck_watchdog_tick(apr_pool_t *pconf, const char *name, void *ctx,
                           ap_watchdog_callback_fn_t *cb, apr_status_t *rv)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    ap_watchdog_t *wd;
    guard_t *g;

    if (!wd_get || !wd_register)
        return 0;
    g = apr_palloc(pconf, sizeof(*g));
    g->cb = cb;
    g->ctx = ctx;
    *rv = wd_get(&wd, name, 0, 1, pconf);
    if (*rv == APR_SUCCESS)
        *rv = wd_register(wd, AP_WD_TM_INTERVAL, g, guarded);
    return 1;
}

int spncheck_probe_post_config(apr_pool_t *pconf, server_rec *s)
{
    spncheck_srv *sc = ap_get_module_config(s->module_config, &spncheck_module);
    probe_ctx *pc;
    apr_status_t rv;

    if (!sc->probe_keytab)
        return OK;
    pc = apr_pcalloc(pconf, sizeof(*pc));
    pc->s = s;
    /* ticks every second; probe_tick runs the probe each interval */
    if (!spncheck_watchdog_tick(pconf, AP_WATCHDOG_SINGLETON, pc, probe_tick, &rv)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00033) "SPNCheckProbe needs "
                     "mod_watchdog; the probe is off");
        return OK;
    }
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, SPNLOGNO(00034) "cannot schedule the probe; "
                     "it is off");
    return OK;
}

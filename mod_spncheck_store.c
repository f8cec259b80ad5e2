/* mod_spncheck_store.c: the failure history in shared memory, one block
 * for every child of every MPM, kept across graceful restarts, behind a
 * global mutex.  Readers get copies (the header and the newest records,
 * or one record), never the block. */
#include "mod_spncheck_store.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "util_mutex.h"

#include "apr_global_mutex.h"
#include "apr_shm.h"
#include "apr_strings.h"

#include "spn_mechcount.h"

APLOG_USE_MODULE(spncheck);

#define MUTEX_TYPE   "spncheck-store"
#define RETAINED_KEY "mod_spncheck-store"
#define RETAINED_MUTEX_KEY "mod_spncheck-store-mutex"

/* Kept across graceful restarts: the block, and its lock.  One lock for
 * the block's life: old-generation children still finishing requests
 * after a graceful restart write into the block the new ones write into,
 * so both generations must take the same lock (a Mutex directive for
 * spncheck-store therefore takes effect at a full restart).
 *
 * Retained data outlives the module's code: a graceful restart after an
 * upgrade hands this build the block an older build made under the same
 * key, of that build's size (ap_retained_data_get says nothing of it).
 * So what a key holds never grows: the lock has a key of its own (the
 * block's struct grew by it once, and a graceful restart from the build
 * before read past the older, smaller block: the next bytes of the
 * global pool taken for a lock, and the parent died; t/upgrade.t). */
typedef struct {
    apr_shm_t *shm;
} retained_t;
typedef struct {
    apr_global_mutex_t *mutex;
} retained_mutex_t;
/* what RETAINED_KEY has held since it was made: never more */
typedef char retained_t_never_grows[sizeof(retained_t) == sizeof(apr_shm_t *) ? 1 : -1];

static spn_store_t *store;                  /* NULL: no history */
static apr_global_mutex_t *store_mutex;

void spncheck_store_register(apr_pool_t *p)
{
    ap_mutex_register(p, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

/* A new block, made, and the history of old (NULL: none) moved into it. */
static void migrate_into(apr_pool_t *pconf, server_rec *s, void *mem, apr_shm_t *old,
                         const spn_store_dims_t *dims, const char *const *labels, int n_labels,
                         const char *why)
{
    spn_store_t *st = spn_store_init_dims(mem, dims, (int64_t)apr_time_sec(apr_time_now()));
    const spn_store_t *o;
    int i, locked;

    if (!old)
        return;
    o = apr_shm_baseaddr_get(old);
    for (i = 0; i < n_labels && (uint32_t)i < st->n_mechs; i++)
        spn_mech_name_slot(st, i, labels[i]);
    /* old-generation children may still record: the copy is whole under
     * their lock (what they record after it stays in the old block) */
    locked = store_mutex && apr_global_mutex_lock(store_mutex) == APR_SUCCESS;
    spn_store_migrate(pconf, st, o);
    if (locked)
        apr_global_mutex_unlock(store_mutex);
    if (o->capacity != dims->capacity)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, SPNLOGNO(00020) "SPNCheckHistory changed from "
                     "%u to %u: the newest failures, counters and charts are kept", o->capacity,
                     dims->capacity);
    else
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, SPNLOGNO(00101) "the configuration changed "
                     "(%s): history, counters, charts and each remaining scope's counts (by name) "
                     "move into shared memory sized for it", why);
    apr_shm_destroy(old);
}

int spncheck_store_post_config(apr_pool_t *pconf, server_rec *s, const spn_store_dims_t *dims,
                               const char *const *labels, int n_labels)
{
    retained_t *rd = ap_retained_data_get(RETAINED_KEY);
    retained_mutex_t *rm = ap_retained_data_get(RETAINED_MUTEX_KEY);
    apr_shm_t *old = NULL;
    apr_status_t rv;
    char why[160];
    int i;

    if (!rd)
        rd = ap_retained_data_create(RETAINED_KEY, sizeof(*rd));
    if (!rm)
        rm = ap_retained_data_create(RETAINED_MUTEX_KEY, sizeof(*rm));
    if (!rm->mutex) {
        rv = ap_global_mutex_create(&rm->mutex, NULL, MUTEX_TYPE, NULL, s, s->process->pool, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SPNLOGNO(00022) "cannot create the history "
                         "mutex; the status page will have no history");
            rm->mutex = NULL;
        }
        else
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, SPNLOGNO(00114) "the history mutex "
                         "made (%s), kept across graceful restarts",
                         apr_global_mutex_name(rm->mutex));
    }
    store_mutex = rm->mutex;
    if (!store_mutex) {
        store = NULL;
        return OK;
    }
    if (rd->shm && spn_store_mismatch_dims(apr_shm_baseaddr_get(rd->shm), apr_shm_size_get(rd->shm),
                                           dims, why, sizeof(why))) {
        /* The block was made by the module loaded before this graceful
         * restart, perhaps an older build: of this build's layout, its
         * history moves into a block of the new dimensions; of another,
         * counters would land on other causes: it starts again. */
        if (spn_store_migratable(apr_shm_baseaddr_get(rd->shm), apr_shm_size_get(rd->shm)))
            old = rd->shm;
        else {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, SPNLOGNO(00060) "the retained history "
                         "has another layout (%s, e.g. after an upgrade): history and "
                         "counters start again", why);
            apr_shm_destroy(rd->shm);
        }
        rd->shm = NULL;
    }
    else if (rd->shm) {
        /* the same dimensions, but scopes renamed or in another order (a
         * virtual host replaced by another): each scope's counts follow
         * its name, so this moves too */
        const spn_store_t *o = apr_shm_baseaddr_get(rd->shm);
        if ((i = spn_store_renamed(pconf, o, labels, n_labels)) >= 0) {
            const spn_mech_slot_t *was = &spn_store_mechs(o)[i];
            if (spn_store_slot_is(was, labels[i]))
                apr_snprintf(why, sizeof(why), "scope %d's label is another's too (two virtual "
                             "hosts with one name and port): their counts start again", i + 1);
            else
                apr_snprintf(why, sizeof(why), "scope %d was %.60s%s, is %.60s%s", i + 1,
                             was->scope, strlen(was->scope) > 60 ? "..." : "", labels[i],
                             strlen(labels[i]) > 60 ? "..." : "");
            old = rd->shm;
            rd->shm = NULL;
        }
    }
    if (!rd->shm) {
        /* Anonymous, in the process pool: inherited by every child, alive
         * as long as the parent, so a graceful restart keeps it. */
        rv = apr_shm_create(&rd->shm, spn_store_size_dims(dims), NULL, s->process->pool);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SPNLOGNO(00021) "cannot create shared memory "
                         "for %u failures, %u scopes, %u probe targets and %u configured SPNs "
                         "(%" APR_SIZE_T_FMT " bytes); the status page will have no history",
                         dims->capacity, dims->mechs, dims->probes, dims->dir_conf,
                         spn_store_size_dims(dims));
            /* the old block stays as it was: reused when it fits (scopes
             * only reordered), else a later restart may move it */
            rd->shm = old;
            if (!old || spn_store_mismatch_dims(apr_shm_baseaddr_get(old), apr_shm_size_get(old),
                                                dims, why, sizeof(why))) {
                store = NULL;
                return OK;                  /* never block start-up */
            }
        }
        else
            migrate_into(pconf, s, apr_shm_baseaddr_get(rd->shm), old, dims, labels, n_labels, why);
    }
    store = apr_shm_baseaddr_get(rd->shm);
    return OK;
}

void spncheck_store_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;
    if (!store_mutex)
        return;
    rv = apr_global_mutex_child_init(&store_mutex, apr_global_mutex_lockfile(store_mutex), p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SPNLOGNO(00023) "history mutex unusable in this "
                     "child; its failures are logged only");
        store_mutex = NULL;
    }
}

static int store_lock(void)
{
    return store && store_mutex && apr_global_mutex_lock(store_mutex) == APR_SUCCESS;
}

spn_store_t *spncheck_store(void)
{
    return store;
}

int spncheck_store_lock(void)
{
    return store_lock();
}

void spncheck_store_unlock(void)
{
    apr_global_mutex_unlock(store_mutex);
}

int spncheck_record(request_rec *r, const spn_diag_t *d, const char *ref, int proxied,
                    uint32_t *suppressed)
{
    spn_failure_t f;
    int log;

    *suppressed = 0;
    spn_failure_from_diag(&f, d, (int64_t)apr_time_sec(r->request_time), ref,
                          r->useragent_ip, r->hostname, spncheck_request_scope(r), proxied);
    if (!store_lock())
        return 1;
    log = spn_store_add(store, &f, suppressed);
    apr_global_mutex_unlock(store_mutex);
    return log;
}

/* One atomic add, no lock: a tokenless 401 (any client's first leg) never
 * waits on the store lock, which failures (a flood of forged tokens
 * among them) take to record themselves. */
void spncheck_count_tokenless(void)
{
    if (store)
        __atomic_fetch_add(&store->tokenless, 1, __ATOMIC_RELAXED);
}

void spncheck_store_event(int kind, int cause, uint32_t count, uint64_t key, const char *what)
{
    if (store_lock()) {
        spn_store_event(store, kind, cause, count, key, what, (int64_t)apr_time_sec(apr_time_now()));
        apr_global_mutex_unlock(store_mutex);
    }
}

/* ---- readers ------------------------------------------------------------------ */

/* The header and the newest max records, copied under the lock, so that
 * rendering neither holds it nor copies the whole history.  NULL without
 * a store. */
spn_store_t *spncheck_store_copy(apr_pool_t *p, uint32_t max, const spn_failure_t **recent,
                             int *n)
{
    spn_failure_t *rec = apr_palloc(p, sizeof(*rec) * (max ? max : 1));
    spn_store_t *head;
    uint64_t at;

    *recent = rec;
    *n = 0;
    if (!store)
        return NULL;
    /* the header, with the newest records, then the sections a piece at a
     * time (a configuration of thousands of scopes has megabytes of them):
     * requests that record a failure wait at most one piece's copy.  The
     * block's size never changes while it is mapped. */
    head = apr_palloc(p, (size_t)store->off_ring);
    if (!store_lock())
        return NULL;
    at = spn_store_copy_part(head, store, 0);
    *n = (int)spn_store_recent_copy(store, rec, max);
    apr_global_mutex_unlock(store_mutex);
    while (at < head->off_ring) {
        if (!store_lock())
            return NULL;
        at = spn_store_copy_part(head, store, at);
        apr_global_mutex_unlock(store_mutex);
    }
    return head;
}

/* One record by reference, copied under the lock; NULL when not held. */
const spn_failure_t *spncheck_store_find(apr_pool_t *p, const char *ref)
{
    spn_failure_t *copy = NULL;
    const spn_failure_t *f;

    if (!store_lock())
        return NULL;
    if ((f = spn_store_find(store, ref)) != NULL)
        copy = apr_pmemdup(p, f, sizeof(*f));
    apr_global_mutex_unlock(store_mutex);
    return copy;
}

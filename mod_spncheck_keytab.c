/* mod_spncheck_keytab.c: the keytab cache of a process, keys included, for
 * trial decryption of a failed exchange's ticket.  One immutable,
 * reference-counted snapshot per path, read when a failure first needs it
 * and re-read when the file changes; a snapshot replaced while requests
 * still use it goes when the last one drops it.  The lock guards the cache
 * and the counts only: diagnosis and rendering run outside it, each
 * snapshot locks its own trial state (src/spn_trial.c), and a tokenless
 * 401 never takes it.  The status page and the self-checks never load
 * keys: they read the inventories (mod_spncheck_inventory.c). */
#include "mod_spncheck_config.h"
#include "mod_spncheck_keytab.h"
#include "mod_spncheck_store.h"

#include "http_log.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <sys/stat.h>
#include <unistd.h>

APLOG_USE_MODULE(spncheck);

struct spncheck_snap {
    apr_pool_t *pool;
    spn_keytab_t *kt;
    unsigned refs;              /* requests using it */
    int retired;                /* no longer the slot's: destroyed at refs 0 */
};
typedef spncheck_snap kt_snap;

typedef struct {
    kt_snap *cur;
    struct timespec mtim, ctim;     /* any rewrite, even within a second */
    off_t size;
    ino_t ino;
} kt_slot;

static apr_pool_t *cache_pool;
static apr_hash_t *kt_cache;
static krb5_context kctx;
static spn_budget_t *budget;
static int ready;                   /* child_init succeeded */
#if APR_HAS_THREADS
static apr_thread_mutex_t *kt_mutex;
#endif

static void spncheck_lock(void)
{
#if APR_HAS_THREADS
    if (kt_mutex)
        apr_thread_mutex_lock(kt_mutex);
#endif
}

static void spncheck_unlock(void)
{
#if APR_HAS_THREADS
    if (kt_mutex)
        apr_thread_mutex_unlock(kt_mutex);
#endif
}

/* With the lock held. */
static void snap_drop(kt_snap *sn)
{
    if (sn->refs == 0 && sn->retired)
        apr_pool_destroy(sn->pool);     /* zeroes the keys */
}

/* The slot's current snapshot, (re)read when the file changed: have and
 * st are the file's stat(), taken before the lock (a system call, which
 * may sleep, is never made while other requests wait).  Lock held. */
static kt_snap *current(server_rec *srv, const char *path, int have, const struct stat *stp)
{
    kt_slot *s;
    kt_snap *sn;
    apr_pool_t *sp;
    struct stat st;
    int reload = 0;
    uint64_t key;

    if (!ready || !kctx)
        return NULL;
    memset(&st, 0, sizeof(st));
    if (have)
        st = *stp;
    s = apr_hash_get(kt_cache, path, APR_HASH_KEY_STRING);
    if (s && s->cur && have && s->size == st.st_size && s->ino == st.st_ino &&
        s->mtim.tv_sec == st.st_mtim.tv_sec && s->mtim.tv_nsec == st.st_mtim.tv_nsec &&
        s->ctim.tv_sec == st.st_ctim.tv_sec && s->ctim.tv_nsec == st.st_ctim.tv_nsec)
        return s->cur;
    if (!s) {
        s = apr_pcalloc(cache_pool, sizeof(*s));
        apr_hash_set(kt_cache, apr_pstrdup(cache_pool, path), APR_HASH_KEY_STRING, s);
    }
    if (s->cur) {
        reload = 1;
        s->cur->retired = 1;
        snap_drop(s->cur);
        s->cur = NULL;
    }
    if (apr_pool_create(&sp, cache_pool) != APR_SUCCESS)
        return NULL;
    sn = apr_pcalloc(sp, sizeof(*sn));          /* goes with its pool */
    sn->pool = sp;
    sn->kt = spn_keytab_load(sp, kctx, path);
    sn->kt->budget = budget;
    s->cur = sn;
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
    if (reload && have) {
        /* Every child re-reads a changed file: the file's identity is the
         * key, so the status page's chart marks it once (the store's lock
         * nests inside this one, never the other way round; a missing file,
         * retried on every request, takes neither). */
        key = ((uint64_t)st.st_ino * 1000003u) ^ ((uint64_t)st.st_size << 20) ^
              ((uint64_t)st.st_mtim.tv_sec * 1000000007u) ^ (uint64_t)st.st_mtim.tv_nsec ^
              ((uint64_t)st.st_ctim.tv_nsec << 32) ^ (uint64_t)st.st_ctim.tv_sec;
        spncheck_store_event(SPN_EV_KEYTAB_RELOAD, 0, 0, key ? key : 2, path);
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, srv, SPNLOGNO(00002) "keytab %s (re)read: %d entries%s%s",
                 path, sn->kt->n, sn->kt->status ? ", error: " : "",
                 sn->kt->status ? sn->kt->error : "");
    return sn;
}

spncheck_snap *spncheck_keytab_acquire(server_rec *srv, const char *path)
{
    kt_snap *sn;
    struct stat st;
    int have;

    if (!ready || !path)
        return NULL;
    have = stat(path, &st) == 0;
    spncheck_lock();
    if ((sn = current(srv, path, have, &st)) != NULL)
        sn->refs++;
    spncheck_unlock();
    return sn;
}

const spn_keytab_t *spncheck_snap_keytab(const spncheck_snap *sn)
{
    return sn ? sn->kt : NULL;
}

void spncheck_keytab_release(spncheck_snap *sn)
{
    if (!sn)
        return;
    spncheck_lock();
    sn->refs--;
    snap_drop(sn);
    spncheck_unlock();
}

int spncheck_keytab_ready(void)
{
    return ready;
}

krb5_context spncheck_krb5(void)
{
    return kctx;
}

int spncheck_keytab_child_init(apr_pool_t *p, server_rec *s)
{
    if (apr_pool_create(&cache_pool, p) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SPNLOGNO(00070) "cannot create the keytab cache "
                     "pool; mod_spncheck is off in this process (pid %d)", (int)getpid());
        return DECLINED;
    }
    kt_cache = apr_hash_make(cache_pool);
#if APR_HAS_THREADS
    {
        apr_status_t rv = apr_thread_mutex_create(&kt_mutex, APR_THREAD_MUTEX_DEFAULT, p);
        if (rv != APR_SUCCESS) {
            kt_mutex = NULL;
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, SPNLOGNO(00071) "cannot create the keytab "
                         "cache lock; mod_spncheck is off in this process (pid %d)",
                         (int)getpid());
            return DECLINED;
        }
    }
#endif
    if (!(budget = spn_budget_make(p, SPN_BUDGET_RATE, SPN_BUDGET_BURST))) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SPNLOGNO(00072) "cannot create the trial budget "
                     "lock; mod_spncheck is off in this process (pid %d)", (int)getpid());
        return DECLINED;
    }
    if (krb5_init_context(&kctx) != 0) {
        kctx = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, SPNLOGNO(00003) "krb5_init_context failed; "
                     "keytab checks are off in this process");
    }
    ready = 1;
    return OK;
}

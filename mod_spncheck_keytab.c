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

#include "spn_inventory.h"

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

/* The file's identity when it was read (spn_inv_id_of): any rewrite, even
 * within a second. */
typedef struct {
    spn_inv_id_t f;
    int known;                  /* read once at least (a missing file: not) */
} kt_id;

typedef struct kt_slot kt_slot;
struct kt_slot {
    kt_snap *cur;
    kt_id id;
    kt_slot *newer, *older;     /* the slots holding a snapshot, last used first */
};

/* Keyed snapshots a process keeps: those of the keytabs its failures used
 * last.  A snapshot is some 40 KB (its own krb5 context, the keys' cipher
 * state, the verdict cache), so a front end with 1,000 vhosts whose
 * failures come from a few hundred would keep megabytes in every child
 * (bench/vhosts.pl); a keytab dropped here is read again when a failure
 * needs it, outside the lock. */
#define KT_SNAPS_MAX 8

static apr_pool_t *cache_pool;
static apr_hash_t *kt_cache;
static kt_slot *lru_newest, *lru_oldest;
static int n_snaps;
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

/* The LRU list of slots with a snapshot; lock held. */
static void lru_unlink(kt_slot *s)
{
    if (s->newer)
        s->newer->older = s->older;
    else if (lru_newest == s)
        lru_newest = s->older;
    if (s->older)
        s->older->newer = s->newer;
    else if (lru_oldest == s)
        lru_oldest = s->newer;
    s->newer = s->older = NULL;
}

static void lru_push(kt_slot *s)
{
    s->older = lru_newest;
    s->newer = NULL;
    if (lru_newest)
        lru_newest->newer = s;
    lru_newest = s;
    if (!lru_oldest)
        lru_oldest = s;
}

/* The slot's snapshot goes (at once, or when its last request drops it). */
static void retire(kt_slot *s)
{
    if (!s->cur)
        return;
    lru_unlink(s);
    n_snaps--;
    s->cur->retired = 1;
    snap_drop(s->cur);
    s->cur = NULL;
}

static void id_of(kt_id *id, int have, const struct stat *st)
{
    memset(id, 0, sizeof(*id));
    if ((id->known = have) != 0)            /* a missing file is retried next time */
        spn_inv_id_of(st, &id->f);
}

static int id_same(const kt_id *a, const kt_id *b)
{
    return a->known && b->known && memcmp(&a->f, &b->f, sizeof(a->f)) == 0;
}

/* Every child re-reads a changed file: the file's identity is the key, so
 * the status page's chart marks it once (the store's lock nests inside
 * this one, never the other way round; a missing file, retried on every
 * request, takes neither).  A keytab read again after it was dropped, but
 * not changed, is no re-read. */
static void mark_reload(const char *path, const kt_id *id)
{
    const spn_inv_id_t *f = &id->f;
    uint64_t key = (f->ino * 1000003u) ^ ((uint64_t)f->size << 20) ^
                   ((uint64_t)f->mtime_s * 1000000007u) ^ (uint64_t)f->mtime_ns ^
                   ((uint64_t)f->ctime_ns << 32) ^ (uint64_t)f->ctime_s;
    spncheck_store_event(SPN_EV_KEYTAB_RELOAD, 0, 0, key ? key : 2, path);
}

/* Installs a snapshot read as id (lock held): the slot's, unless another
 * request installed one of the same file meanwhile (then that one, and sn
 * goes).  Drops the least recently used beyond KT_SNAPS_MAX. */
static kt_snap *install(server_rec *srv, kt_slot *s, const char *path, kt_snap *sn,
                        const kt_id *id)
{
    int changed;

    if (s->cur && id_same(&s->id, id)) {
        apr_pool_destroy(sn->pool);
        lru_unlink(s);
        lru_push(s);
        return s->cur;
    }
    changed = id->known && (s->cur || s->id.known) && !id_same(&s->id, id);
    retire(s);
    s->cur = sn;
    s->id = *id;
    lru_push(s);
    n_snaps++;
    while (n_snaps > KT_SNAPS_MAX && lru_oldest && lru_oldest != s)
        retire(lru_oldest);
    if (changed)
        mark_reload(path, id);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, srv, SPNLOGNO(00002) "keytab %s (re)read: %d entries%s%s",
                 path, sn->kt->n, sn->kt->status ? ", error: " : "",
                 sn->kt->status ? sn->kt->error : "");
    return sn;
}

spncheck_snap *spncheck_keytab_acquire(server_rec *srv, const char *path)
{
    kt_slot *s;
    kt_snap *sn = NULL;
    apr_pool_t *sp = NULL;
    struct stat st;
    kt_id id;
    krb5_context lc;

    if (!ready || !path || !kctx)
        return NULL;
    /* A system call or a file read, which may sleep, is never made while
     * other requests wait on the lock: stat() before, the read between. */
    id_of(&id, stat(path, &st) == 0, &st);
    spncheck_lock();
    s = apr_hash_get(kt_cache, path, APR_HASH_KEY_STRING);
    if (!s) {
        s = apr_pcalloc(cache_pool, sizeof(*s));
        apr_hash_set(kt_cache, apr_pstrdup(cache_pool, path), APR_HASH_KEY_STRING, s);
    }
    if (s->cur && id_same(&s->id, &id)) {
        sn = s->cur;
        lru_unlink(s);
        lru_push(s);
    }
    else if (apr_pool_create(&sp, cache_pool) != APR_SUCCESS)
        sp = NULL;
    if (sn)
        sn->refs++;
    spncheck_unlock();
    if (sn || !sp)
        return sn;
    /* a context of its own: a krb5 context is not for two threads at once */
    if (krb5_init_context(&lc) != 0) {
        spncheck_lock();
        apr_pool_destroy(sp);
        spncheck_unlock();
        return NULL;
    }
    sn = apr_pcalloc(sp, sizeof(*sn));          /* goes with its pool */
    sn->pool = sp;
    sn->kt = spn_keytab_load(sp, lc, path);
    sn->kt->budget = budget;
    krb5_free_context(lc);
    spncheck_lock();
    sn = install(srv, s, path, sn, &id);
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

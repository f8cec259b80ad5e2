/* mod_spncheck_inventory.c: the keytabs' inventories in shared memory.
 *
 * One slot per distinct SPNCheckKeytab, made at post_config (anonymous
 * shared memory in pconf, inherited by every child): the file's identity
 * (inode, size, mtime, ctime) and its inventory packed (spn_inventory.h).
 * A reader stat()s the file; when the slot holds that identity it copies
 * the bytes out, else it reads the keytab itself (without keys, as the
 * children's user: what it may read is what the status page must say) and
 * writes the slot for every other child.  So a keytab is read once per
 * change of the file, not once per child per scrape, and no key is read.
 *
 * No lock anyone waits on: a slot is a sequence lock.  A writer claims it
 * by moving its count from even to odd (compare-and-swap; a child that
 * loses the race keeps its own copy for this request), a reader retries
 * a copy that a write overlapped, a few times, then reads the file itself.
 * A slot whose new inventory outgrows its room takes room from a spare
 * part of the segment; when that is spent, the children read that keytab
 * per status request (SPN00111, once per process). */
#include "mod_spncheck_config.h"
#include "mod_spncheck_inventory.h"

#include "http_log.h"

#include "apr_hash.h"
#include "apr_shm.h"
#include "apr_strings.h"

#include "spn_inventory.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

APLOG_USE_MODULE(spncheck);

/* The segment's size at most, whatever the keytabs on disk. */
#define INV_SHM_MAX ((apr_size_t)256 << 20)
#define INV_SLOT_MIN 1024

typedef struct {
    uint32_t seq;               /* odd while a child writes it */
    uint32_t valid;
    uint64_t dev, ino;
    int64_t size;
    struct timespec mtim, ctim;
    uint64_t off;               /* the inventory: arena + off, len bytes */
    uint32_t len, room;
} inv_slot;

typedef struct {
    uint32_t n_slots;
    uint64_t arena;             /* bytes after the slots */
    uint64_t spare_at;          /* where the spare part starts */
    uint64_t spare_used;        /* taken from it so far (atomic) */
    inv_slot slot[1];
} inv_shm;

static inv_shm *shm_head;
static unsigned char *arena;
static apr_hash_t *slot_of;     /* path -> slot index + 1 */
static int warned_full;         /* SPN00111 said in this process */

static apr_status_t forget(void *unused)
{
    (void)unused;
    shm_head = NULL;
    arena = NULL;
    slot_of = NULL;
    return APR_SUCCESS;
}

/* The file of a FILE: keytab name (what stat() needs). */
static const char *file_of(const char *path)
{
    return strncmp(path, "FILE:", 5) == 0 ? path + 5 : path;
}

void spncheck_inventory_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    spn_scope_t *sc;
    int n = spncheck_scopes_noload(ptemp, &sc), i, n_slots = 0;
    apr_hash_t *h = apr_hash_make(pconf);
    uint32_t *room = apr_pcalloc(ptemp, sizeof(*room) * (n ? n : 1));
    apr_size_t head, total = 0, spare, size;
    apr_shm_t *shm;
    apr_status_t rv;
    struct stat st;

    forget(NULL);
    for (i = 0; i < n; i++) {
        const char *path = sc[i].keytab_path;
        apr_size_t r;
        if (!path || apr_hash_get(h, path, APR_HASH_KEY_STRING))
            continue;
        r = stat(file_of(path), &st) == 0 ? spn_inventory_bound((uint64_t)st.st_size) : 0;
        room[n_slots] = (uint32_t)APR_ALIGN_DEFAULT(r < INV_SLOT_MIN ? INV_SLOT_MIN
                                                    : r > INV_SHM_MAX / 4 ? INV_SHM_MAX / 4 : r);
        total += room[n_slots];
        apr_hash_set(h, apr_pstrdup(pconf, path), APR_HASH_KEY_STRING,
                     (void *)(apr_uintptr_t)(++n_slots));
    }
    if (!n_slots)
        return;
    /* room to grow: half again, and 64 KiB */
    spare = total / 2 + 65536;
    head = APR_ALIGN_DEFAULT(sizeof(inv_shm) + sizeof(inv_slot) * (apr_size_t)n_slots);
    size = head + total + spare;
    if (size > INV_SHM_MAX) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00110) "the keytab inventories "
                     "of %d keytabs would take %" APR_SIZE_T_FMT " bytes of shared memory; "
                     "they get %" APR_SIZE_T_FMT ", and a keytab that outgrows its share is read "
                     "per status request", n_slots, size, INV_SHM_MAX);
        for (i = 0, total = 0; i < n_slots; i++) {
            apr_size_t fair = (INV_SHM_MAX - head) / 2 / (apr_size_t)n_slots;
            if (room[i] > fair)
                room[i] = (uint32_t)(fair & ~(apr_size_t)7);
            total += room[i];
        }
        spare = INV_SHM_MAX - head - total;
        size = INV_SHM_MAX;
    }
    rv = apr_shm_create(&shm, size, NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SPNLOGNO(00113) "cannot create %" APR_SIZE_T_FMT
                     " bytes of shared memory for the keytab inventories; each status request "
                     "reads the keytabs itself", size);
        return;
    }
    shm_head = apr_shm_baseaddr_get(shm);
    memset(shm_head, 0, head);        /* the arena's pages stay untouched until written */
    shm_head->n_slots = (uint32_t)n_slots;
    shm_head->arena = size - head;
    arena = (unsigned char *)shm_head + head;
    for (i = 0, total = 0; i < n_slots; i++) {
        shm_head->slot[i].off = total;
        shm_head->slot[i].room = room[i];
        total += room[i];
    }
    shm_head->spare_at = total;
    slot_of = h;
    apr_pool_cleanup_register(pconf, NULL, forget, apr_pool_cleanup_null);
}

static int same_file(const inv_slot *sl, const struct stat *st)
{
    return sl->valid && sl->dev == (uint64_t)st->st_dev && sl->ino == (uint64_t)st->st_ino &&
           sl->size == (int64_t)st->st_size &&
           sl->mtim.tv_sec == st->st_mtim.tv_sec && sl->mtim.tv_nsec == st->st_mtim.tv_nsec &&
           sl->ctim.tv_sec == st->st_ctim.tv_sec && sl->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/* The slot's inventory when it is the file's (st), copied into p; NULL
 * when it is not, or a write kept overlapping the copy. */
static spn_keytab_t *from_slot(apr_pool_t *p, inv_slot *sl, const struct stat *st,
                               const char *path)
{
    int tries;

    for (tries = 0; tries < 4; tries++) {
        uint32_t s1 = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
        uint64_t off;
        uint32_t len;
        void *copy;
        int same;

        if (s1 & 1) {
            sched_yield();
            continue;
        }
        same = same_file(sl, st);
        off = sl->off;
        len = sl->len;
        if (!same || len > sl->room || off > shm_head->arena || len > shm_head->arena - off) {
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(&sl->seq, __ATOMIC_RELAXED) != s1)
                continue;
            return NULL;
        }
        copy = apr_palloc(p, len ? len : 1);
        memcpy(copy, arena + off, len);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&sl->seq, __ATOMIC_RELAXED) != s1)
            continue;
        return spn_inventory_unpack(p, copy, len, path);
    }
    return NULL;
}

/* Writes kt, read from the file st describes, into the slot (when no
 * other child is writing it). */
static void to_slot(server_rec *s, inv_slot *sl, const struct stat *st, const spn_keytab_t *kt,
                    const char *path)
{
    size_t need = spn_inventory_pack(kt, NULL, 0);
    uint32_t s1 = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);

    if ((s1 & 1) || !__atomic_compare_exchange_n(&sl->seq, &s1, s1 + 1, 0, __ATOMIC_ACQ_REL,
                                                 __ATOMIC_RELAXED))
        return;                             /* another child is writing it */
    sl->valid = 0;
    if (need > sl->room) {
        uint64_t at = __atomic_fetch_add(&shm_head->spare_used, APR_ALIGN_DEFAULT(need),
                                         __ATOMIC_ACQ_REL);
        if (need > UINT32_MAX || shm_head->spare_at + at + need > shm_head->arena) {
            __atomic_store_n(&sl->seq, s1 + 2, __ATOMIC_RELEASE);
            if (!warned_full) {
                warned_full = 1;
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00111) "the keytab "
                             "inventory of %s (%" APR_SIZE_T_FMT " bytes) outgrew the shared "
                             "memory sized at start-up: this process reads it per status "
                             "request until a restart (said once per process)", path, need);
            }
            return;
        }
        sl->off = shm_head->spare_at + at;
        sl->room = (uint32_t)need;
    }
    spn_inventory_pack(kt, arena + sl->off, sl->room);
    sl->len = (uint32_t)need;
    sl->dev = (uint64_t)st->st_dev;
    sl->ino = (uint64_t)st->st_ino;
    sl->size = (int64_t)st->st_size;
    sl->mtim = st->st_mtim;
    sl->ctim = st->st_ctim;
    sl->valid = 1;
    __atomic_store_n(&sl->seq, s1 + 2, __ATOMIC_RELEASE);
}

/* What a pool has read: one inventory per path, and a krb5 context made
 * when a keytab must be read (a context is not shared across threads). */
typedef struct {
    apr_hash_t *done;
    krb5_context kctx;
    int kctx_failed;
} inv_reader;

static apr_status_t reader_free(void *data)
{
    inv_reader *rd = data;
    if (rd->kctx)
        krb5_free_context(rd->kctx);
    rd->kctx = NULL;
    return APR_SUCCESS;
}

static inv_reader *reader_of(apr_pool_t *p)
{
    void *v = NULL;
    inv_reader *rd;

    apr_pool_userdata_get(&v, "spncheck-inventory", p);
    if (v)
        return v;
    rd = apr_pcalloc(p, sizeof(*rd));
    rd->done = apr_hash_make(p);
    apr_pool_userdata_setn(rd, "spncheck-inventory", reader_free, p);
    return rd;
}

const spn_keytab_t *spncheck_inventory(apr_pool_t *p, server_rec *s, const char *path)
{
    inv_reader *rd;
    spn_keytab_t *kt = NULL;
    inv_slot *sl = NULL;
    struct stat st;
    int have;
    void *v;

    if (!path)
        return NULL;
    rd = reader_of(p);
    if ((kt = apr_hash_get(rd->done, path, APR_HASH_KEY_STRING)) != NULL)
        return kt;
    have = stat(file_of(path), &st) == 0;
    if (shm_head && slot_of && (v = apr_hash_get(slot_of, path, APR_HASH_KEY_STRING)) != NULL &&
        (apr_uintptr_t)v <= shm_head->n_slots)
        sl = &shm_head->slot[(apr_uintptr_t)v - 1];
    if (sl && have)
        kt = from_slot(p, sl, &st, path);
    if (!kt) {
        if (!rd->kctx && !rd->kctx_failed && krb5_init_context(&rd->kctx) != 0) {
            rd->kctx = NULL;
            rd->kctx_failed = 1;
        }
        if (rd->kctx) {
            kt = spn_keytab_inventory(p, rd->kctx, path);
        }
        else {
            kt = apr_pcalloc(p, sizeof(*kt));
            kt->path = path;
            kt->status = -1;
            kt->why = SPN_KT_OTHER;
            apr_cpystrn(kt->error, "krb5_init_context failed", sizeof(kt->error));
        }
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, SPNLOGNO(00112) "keytab %s inventory read: "
                     "%d entries%s%s%s", path, kt->n, kt->status ? ", error: " : "",
                     kt->status ? kt->error : "", sl && have ? " (shared with every child)" : "");
        /* a missing file is not kept: it is looked for again next time */
        if (sl && have && rd->kctx)
            to_slot(s, sl, &st, kt, path);
    }
    apr_hash_set(rd->done, path, APR_HASH_KEY_STRING, kt);
    return kt;
}

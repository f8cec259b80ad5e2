/* spn_inventory.c: a keytab's inventory as a flat blob and back.
 *
 *   u32 magic  u32 n  i32 status  i32 why  u16 len  error[len]
 *   n x { i32 kvno  i32 enctype  i64 timestamp  u16 len  principal[len] }
 *
 * in the byte order of the machine (the blob never leaves it). */
#include "spn_inventory.h"

#include <apr_strings.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#define INV_MAGIC 0x49504e53u          /* "SNPI" */
#define INV_HEAD (4 + 4 + 4 + 4 + 2)
#define INV_ENTRY (4 + 4 + 8 + 2)

typedef struct {
    unsigned char *p;
    size_t len, cap;
} wr_t;

static void put(wr_t *w, const void *v, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->p + w->len, v, n);
    w->len += n;
}

static void put_str(wr_t *w, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    uint16_t l;
    if (n > max)
        n = max;
    l = (uint16_t)n;
    put(w, &l, sizeof(l));
    put(w, s ? s : "", n);
}

/* Writes into w, or only counts when w->cap is 0. */
static void pack(const spn_keytab_t *kt, wr_t *w);

size_t spn_inventory_pack(const spn_keytab_t *kt, void *buf, size_t cap)
{
    wr_t w;

    w.p = NULL;
    w.len = w.cap = 0;
    pack(kt, &w);
    if (buf && w.len <= cap) {
        w.p = buf;
        w.cap = cap;
        w.len = 0;
        pack(kt, &w);
    }
    return w.len;
}

static void pack(const spn_keytab_t *kt, wr_t *wp)
{
    wr_t w = *wp;
    uint32_t magic = INV_MAGIC, n;
    int32_t status, why;
    int i;

    n = kt && kt->status == 0 && kt->n > 0 ? (uint32_t)kt->n : 0;
    if (n > SPN_KT_ENTRIES_MAX)
        n = SPN_KT_ENTRIES_MAX;
    status = kt ? kt->status : -1;
    why = kt ? kt->why : SPN_KT_UNSET;
    put(&w, &magic, 4);
    put(&w, &n, 4);
    put(&w, &status, 4);
    put(&w, &why, 4);
    put_str(&w, kt && kt->status ? kt->error : "", sizeof(kt->error) - 1);
    for (i = 0; i < (int)n; i++) {
        const spn_kt_entry_t *e = &kt->e[i];
        int32_t kvno = e->kvno, et = e->enctype;
        int64_t ts = e->timestamp;
        put(&w, &kvno, 4);
        put(&w, &et, 4);
        put(&w, &ts, 8);
        put_str(&w, e->principal, SPN_INV_PRINCIPAL_MAX);
    }
    *wp = w;
}

size_t spn_inventory_bound(uint64_t size)
{
    /* An entry in a keytab file takes at least 21 bytes besides its name's
     * (sizes, counts, name type, timestamp, kvno, key type and length);
     * unparsed, the name at most doubles (escapes) plus a separator per
     * component, which has two bytes of length in the file: 2x the file
     * covers every entry, plus the header with the longest error. */
    if (size > (uint64_t)SPN_KT_ENTRIES_MAX * (INV_ENTRY + SPN_INV_PRINCIPAL_MAX))
        size = (uint64_t)SPN_KT_ENTRIES_MAX * (INV_ENTRY + SPN_INV_PRINCIPAL_MAX);
    return (size_t)(2 * size + INV_HEAD + 256);
}

typedef struct {
    const unsigned char *p;
    size_t len, off;
} rd_t;

static int get(rd_t *r, void *v, size_t n)
{
    if (r->len - r->off < n)
        return 0;
    memcpy(v, r->p + r->off, n);
    r->off += n;
    return 1;
}

/* A string of at most max bytes, without NUL bytes; NULL when malformed. */
static const char *get_str(apr_pool_t *p, rd_t *r, size_t max)
{
    uint16_t l;
    const char *s;
    if (!get(r, &l, sizeof(l)) || l > max || r->len - r->off < l)
        return NULL;
    if (memchr(r->p + r->off, 0, l))
        return NULL;
    s = apr_pstrmemdup(p, (const char *)r->p + r->off, l);
    r->off += l;
    return s;
}

spn_keytab_t *spn_inventory_unpack(apr_pool_t *p, const void *buf, size_t len, const char *path)
{
    rd_t r;
    uint32_t magic, n, i;
    int32_t status, why;
    const char *err;
    spn_keytab_t *kt;

    if (!buf)
        return NULL;
    r.p = buf;
    r.len = len;
    r.off = 0;
    if (!get(&r, &magic, 4) || magic != INV_MAGIC || !get(&r, &n, 4) || n > SPN_KT_ENTRIES_MAX ||
        !get(&r, &status, 4) || !get(&r, &why, 4) || why < SPN_KT_OK || why > SPN_KT_OTHER ||
        (status != 0 && status != -1) || (status != 0 && n) ||
        !(err = get_str(p, &r, sizeof(kt->error) - 1)))
        return NULL;
    /* every entry takes INV_ENTRY bytes at least: n cannot claim more
     * entries than there are bytes for before anything is allocated */
    if ((r.len - r.off) / INV_ENTRY < n)
        return NULL;
    kt = apr_pcalloc(p, sizeof(*kt));
    kt->path = path;
    kt->status = status;
    kt->why = why;
    apr_cpystrn(kt->error, err, sizeof(kt->error));
    kt->e = apr_pcalloc(p, sizeof(*kt->e) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        spn_kt_entry_t *e = &kt->e[i];
        int32_t kvno, et;
        int64_t ts;
        const char *at;
        if (!get(&r, &kvno, 4) || !get(&r, &et, 4) || !get(&r, &ts, 8) ||
            !(e->principal = get_str(p, &r, SPN_INV_PRINCIPAL_MAX)))
            return NULL;
        e->kvno = kvno;
        e->enctype = et;
        e->timestamp = (long)ts;
        e->dup_of = -1;
        at = strrchr(e->principal, '@');
        e->name = at ? apr_pstrmemdup(p, e->principal, (apr_size_t)(at - e->principal))
                     : e->principal;
        e->realm = at ? at + 1 : "";
    }
    if (r.off != r.len)
        return NULL;
    kt->n = (int)n;
    return kt;
}

/* ---- the table -------------------------------------------------------------- */

typedef struct {
    uint32_t seq;               /* odd while a writer has it */
    uint32_t valid;
    spn_inv_id_t id;
    uint64_t off;               /* the blob: rooms + off, len bytes */
    uint32_t len, room;
} inv_slot;

struct spn_inv_table {
    uint32_t n;
    uint64_t bytes;             /* of the rooms and the spare part */
    uint64_t spare_at;          /* where the spare part starts */
    uint64_t spare_used;        /* taken from it (atomic) */
    inv_slot slot[1];
};

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static size_t table_head(int n)
{
    return ALIGN8(sizeof(spn_inv_table_t) + sizeof(inv_slot) * (size_t)(n > 0 ? n : 1));
}

static unsigned char *rooms_of(spn_inv_table_t *t)
{
    return (unsigned char *)t + table_head((int)t->n);
}

size_t spn_inv_table_size(const uint32_t *room, int n, size_t spare)
{
    size_t total = table_head(n) + ALIGN8(spare);
    int i;
    for (i = 0; i < n; i++)
        total += ALIGN8(room[i]);
    return total;
}

spn_inv_table_t *spn_inv_table_init(void *base, size_t size, const uint32_t *room, int n)
{
    spn_inv_table_t *t = base;
    size_t head = table_head(n), at = 0;
    int i;

    if (!base || n < 0 || size < head)
        return NULL;
    memset(base, 0, head);
    t->n = (uint32_t)n;
    t->bytes = size - head;
    for (i = 0; i < n; i++) {
        t->slot[i].off = at;
        t->slot[i].room = (uint32_t)ALIGN8(room[i]);
        at += ALIGN8(room[i]);
    }
    if (at > t->bytes)
        return NULL;
    t->spare_at = at;
    return t;
}

static int same_id(const spn_inv_id_t *a, const spn_inv_id_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
           a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

spn_keytab_t *spn_inv_table_get(apr_pool_t *p, spn_inv_table_t *t, int i, const spn_inv_id_t *id,
                                const char *path)
{
    inv_slot *sl;
    int tries;

    if (!t || i < 0 || (uint32_t)i >= t->n)
        return NULL;
    sl = &t->slot[i];
    for (tries = 0; tries < 4; tries++) {
        uint32_t s1 = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
        spn_inv_id_t have;
        uint64_t off;
        uint32_t len, valid;
        void *copy = NULL;

        if (s1 & 1) {
            sched_yield();
            continue;
        }
        valid = sl->valid;
        memcpy(&have, &sl->id, sizeof(have));
        off = sl->off;
        len = sl->len;
        if (valid && same_id(&have, id) && off <= t->bytes && len <= t->bytes - off) {
            copy = apr_palloc(p, len ? len : 1);
            memcpy(copy, rooms_of(t) + off, len);
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&sl->seq, __ATOMIC_RELAXED) != s1)
            continue;                       /* a write overlapped: again */
        return copy ? spn_inventory_unpack(p, copy, len, path) : NULL;
    }
    return NULL;
}

int spn_inv_table_put(spn_inv_table_t *t, int i, const spn_inv_id_t *id, const spn_keytab_t *kt)
{
    size_t need = spn_inventory_pack(kt, NULL, 0);
    inv_slot *sl;
    uint32_t s1;

    if (!t || i < 0 || (uint32_t)i >= t->n)
        return SPN_INV_PUT_FULL;
    sl = &t->slot[i];
    s1 = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
    if ((s1 & 1) || !__atomic_compare_exchange_n(&sl->seq, &s1, s1 + 1, 0, __ATOMIC_ACQ_REL,
                                                 __ATOMIC_RELAXED))
        return SPN_INV_PUT_BUSY;
    sl->valid = 0;
    if (need > sl->room) {
        uint64_t at = __atomic_fetch_add(&t->spare_used, ALIGN8(need), __ATOMIC_ACQ_REL);
        if (need > UINT32_MAX || at > t->bytes || t->spare_at + at + need > t->bytes) {
            __atomic_store_n(&sl->seq, s1 + 2, __ATOMIC_RELEASE);
            return SPN_INV_PUT_FULL;
        }
        sl->off = t->spare_at + at;
        sl->room = (uint32_t)need;
    }
    spn_inventory_pack(kt, rooms_of(t) + sl->off, sl->room);
    sl->len = (uint32_t)need;
    memcpy(&sl->id, id, sizeof(*id));
    sl->valid = 1;
    __atomic_store_n(&sl->seq, s1 + 2, __ATOMIC_RELEASE);
    return SPN_INV_PUT_OK;
}

void spn_inv_id_of(const struct stat *st, spn_inv_id_t *id)
{
    memset(id, 0, sizeof(*id));
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
    id->size = (int64_t)st->st_size;
    id->mtime_s = (int64_t)st->st_mtim.tv_sec;
    id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
    id->ctime_s = (int64_t)st->st_ctim.tv_sec;
    id->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

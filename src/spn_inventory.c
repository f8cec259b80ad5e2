/* spn_inventory.c: a keytab's inventory as a flat blob and back.
 *
 *   u32 magic  u32 n  i32 status  i32 why  u16 len  error[len]
 *   n x { i32 kvno  i32 enctype  i64 timestamp  u16 len  principal[len] }
 *
 * in the byte order of the machine (the blob never leaves it). */
#include "spn_inventory.h"

#include <apr_strings.h>
#include <string.h>

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

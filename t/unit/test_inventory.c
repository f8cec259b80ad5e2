/* test_inventory.c: a keytab's inventory (spn_keytab_inventory) carries
 * every entry's facts and no key; packed (spn_inventory_pack) and read
 * back (spn_inventory_unpack) it is the same; a hostile blob is refused
 * whole, never read past its end; spn_inventory_bound covers the packed
 * size of a file. */
#include "tap.h"
#include "kt_mem.h"
#include "spn_inventory.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void same_facts(const spn_keytab_t *a, const spn_keytab_t *b, const char *what)
{
    int i, same = a && b && a->n == b->n && a->status == b->status && a->why == b->why;
    for (i = 0; same && i < a->n; i++)
        same = strcmp(a->e[i].principal, b->e[i].principal) == 0 &&
               strcmp(a->e[i].name, b->e[i].name) == 0 &&
               strcmp(a->e[i].realm, b->e[i].realm) == 0 && a->e[i].kvno == b->e[i].kvno &&
               a->e[i].enctype == b->e[i].enctype && a->e[i].timestamp == b->e[i].timestamp;
    ok(same, "%s: the same entries (principal, name, realm, kvno, enctype, timestamp)", what);
}

static int no_keys(const spn_keytab_t *kt)
{
    int i;
    if (kt->trial)
        return 0;
    for (i = 0; i < kt->n; i++)
        if (kt->e[i].key.contents || kt->e[i].key.length)
            return 0;
    return 1;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* An inventory of one principal at kvno, entries entries, no keys. */
static spn_keytab_t *fake(apr_pool_t *p, int kvno, int entries)
{
    spn_keytab_t *kt = apr_pcalloc(p, sizeof(*kt));
    int i;
    kt->e = apr_pcalloc(p, sizeof(*kt->e) * (size_t)entries);
    kt->n = entries;
    for (i = 0; i < entries; i++) {
        kt->e[i].principal = apr_psprintf(p, "HTTP/k%d-%d.example.test@EXAMPLE.TEST", kvno, i);
        kt->e[i].name = "";
        kt->e[i].realm = "";
        kt->e[i].kvno = kvno;
        kt->e[i].enctype = 18;
        kt->e[i].timestamp = 1000 + kvno;
    }
    return kt;
}

/* 1 when x is fake(kvno, n) exactly. */
static int is_fake(const spn_keytab_t *x, int kvno, int n)
{
    int i;
    char want[128];
    if (!x || x->n != n || x->status)
        return 0;
    for (i = 0; i < n; i++) {
        snprintf(want, sizeof(want), "HTTP/k%d-%d.example.test@EXAMPLE.TEST", kvno, i);
        if (strcmp(x->e[i].principal, want) || x->e[i].kvno != kvno || x->e[i].enctype != 18 ||
            x->e[i].timestamp != 1000 + kvno)
            return 0;
    }
    return 1;
}

static void table_tests(apr_pool_t *p)
{
    uint32_t room[3];
    size_t size, small_need = spn_inventory_pack(fake(p, 1, 2), NULL, 0);
    spn_inv_table_t *t;
    spn_inv_id_t a, b;
    void *mem;
    int j, torn = 0, whole = 0, missed = 0;
    pid_t pid;

    room[0] = room[1] = room[2] = (uint32_t)small_need;
    size = spn_inv_table_size(room, 3, small_need * 3);
    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ok(mem != MAP_FAILED, "table: %zu bytes of shared memory for 3 slots", size);
    if (mem == MAP_FAILED)
        return;
    ok(spn_inv_table_init(mem, spn_inv_table_size(room, 3, 0) - 1, room, 3) == NULL,
       "table: init on too little memory refused");
    t = spn_inv_table_init(mem, size, room, 3);
    ok(t != NULL, "table: laid out");
    memset(&a, 0, sizeof a);
    a.dev = 1; a.ino = 42; a.size = 100; a.mtime_s = 7; a.mtime_ns = 1; a.ctime_s = 7; a.ctime_ns = 2;
    b = a;
    b.mtime_ns = 3;                     /* rewritten within the same second */
    ok(spn_inv_table_get(p, t, 0, &a, "x") == NULL, "table: an empty slot holds nothing");
    is_int(spn_inv_table_put(t, 0, &a, fake(p, 1, 2)), SPN_INV_PUT_OK, "table: put in its room");
    ok(is_fake(spn_inv_table_get(p, t, 0, &a, "x"), 1, 2), "table: got back, same file");
    ok(spn_inv_table_get(p, t, 0, &b, "x") == NULL, "table: another version of the file: nothing");
    ok(spn_inv_table_get(p, t, 1, &a, "x") == NULL, "table: another slot: nothing");
    ok(spn_inv_table_get(p, t, 3, &a, "x") == NULL && spn_inv_table_get(p, t, -1, &a, "x") == NULL,
       "table: a slot out of range: nothing");
    is_int(spn_inv_table_put(t, 7, &a, fake(p, 1, 2)), SPN_INV_PUT_FULL, "table: put out of range refused");
    /* outgrows its room: from the spare part, then the spare is spent */
    is_int(spn_inv_table_put(t, 0, &b, fake(p, 2, 4)), SPN_INV_PUT_OK, "table: a bigger inventory from the spare part");
    ok(is_fake(spn_inv_table_get(p, t, 0, &b, "x"), 2, 4), "  got back");
    ok(spn_inv_table_get(p, t, 0, &a, "x") == NULL, "  the old version is gone");
    ok(is_fake(spn_inv_table_get(p, t, 0, &b, "x"), 2, 4) && spn_inv_table_get(p, t, 1, &a, "x") == NULL,
       "  the other slots untouched");
    is_int(spn_inv_table_put(t, 1, &a, fake(p, 3, 40)), SPN_INV_PUT_FULL, "table: more than the spare has left: full");
    ok(spn_inv_table_get(p, t, 1, &a, "x") == NULL, "  and that slot holds nothing");
    is_int(spn_inv_table_put(t, 2, &a, fake(p, 4, 1)), SPN_INV_PUT_OK, "table: a small one still fits its room");
    ok(is_fake(spn_inv_table_get(p, t, 2, &a, "x"), 4, 1), "  got back");

    /* A writer in another process rewrites slot 2 over and over, A and B
     * in turn; every read here is A,
     * B or nothing (a write overlapped), never a mix of the two. */
    munmap(mem, size);
    room[0] = room[1] = room[2] = (uint32_t)spn_inventory_pack(fake(p, 9, 300), NULL, 0);
    size = spn_inv_table_size(room, 3, 0);
    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    t = mem == MAP_FAILED ? NULL : spn_inv_table_init(mem, size, room, 3);
    ok(t != NULL, "table: laid out again for the race");
    if (!t)
        return;
    fflush(stdout);
    if ((pid = fork()) == 0) {
        apr_pool_t *cp;
        spn_keytab_t *x, *y;
        apr_pool_create(&cp, NULL);
        x = fake(cp, 5, 300);           /* the same shape: a mix would parse */
        y = fake(cp, 6, 300);
        for (j = 0; j < 4000; j++) {
            spn_inv_table_put(t, 2, &a, j & 1 ? y : x);
            usleep(20);
        }
        _exit(0);
    }
    for (j = 0; j < 2000000 && waitpid(pid, NULL, WNOHANG) == 0; j++) {
        apr_pool_t *rp;
        spn_keytab_t *x;
        apr_pool_create(&rp, p);
        x = spn_inv_table_get(rp, t, 2, &a, "x");
        if (!x)
            missed++;
        else if (is_fake(x, 5, 300) || is_fake(x, 6, 300))
            whole++;
        else
            torn++;
        apr_pool_destroy(rp);
    }
    if (j == 2000000)
        waitpid(pid, NULL, 0);
    is_int(torn, 0, "race: no torn read in %d while 4000 writes ran (%d whole, %d given up)", j,
           whole, missed);
    ok(whole > 0, "race: reads got through while a writer ran");
    munmap(mem, size);
}

int main(void)
{
    apr_pool_t *p;
    krb5_context ctx;
    krb5_keytab k;
    char dir[] = "/tmp/spncheck-inv.XXXXXX", *path, *name, *odd;
    spn_keytab_t *full, *inv, *back;
    unsigned char *blob, *small;
    size_t need, i, refused, bad_ok;
    int j;

    apr_initialize();
    apr_pool_create(&p, NULL);
    if (krb5_init_context(&ctx) != 0 || !mkdtemp(dir)) {
        printf("1..0 # SKIP no krb5 context or temporary directory\n");
        return 0;
    }
    path = apr_pstrcat(p, dir, "/svc.keytab", NULL);
    name = apr_pstrcat(p, "FILE:", path, NULL);
    /* a component with '/' and '@' in it: escaped when unparsed */
    odd = apr_pstrcat(p, "HTTP/", "a\\/b\\@c\\/d\\@e\\/f\\@g.example.test@EXAMPLE.TEST", NULL);
    ok(krb5_kt_resolve(ctx, name, &k) == 0 &&
       kt_mem_add(ctx, k, "HTTP/web01.example.test@EXAMPLE.TEST", ENCTYPE_AES256_CTS_HMAC_SHA1_96,
                  3, "Pw1") == 0 &&
       kt_mem_add(ctx, k, "HTTP/web01.example.test@EXAMPLE.TEST", ENCTYPE_AES128_CTS_HMAC_SHA1_96,
                  2, "Pw0") == 0 &&
       kt_mem_add(ctx, k, "HTTP/web01@EXAMPLE.TEST", ENCTYPE_AES256_CTS_HMAC_SHA1_96, 3, "Pw1") == 0 &&
       kt_mem_add(ctx, k, odd, ENCTYPE_AES256_CTS_HMAC_SHA1_96, 7, "Pw7") == 0,
       "a FILE keytab of four entries written");
    krb5_kt_close(ctx, k);

    full = spn_keytab_load(p, ctx, path);
    inv = spn_keytab_inventory(p, ctx, path);
    is_int(inv->status, 0, "inventory: read");
    is_int(inv->n, 4, "inventory: four entries");
    ok(no_keys(inv), "inventory: no key bytes, no trial state");
    ok(full->trial && full->e[0].key.contents, "the snapshot for trials has its keys");
    same_facts(full, inv, "inventory vs snapshot");
    is_str(inv->e[2].name, "HTTP/web01", "name without the realm");
    is_str(inv->e[2].realm, "EXAMPLE.TEST", "the realm");

    need = spn_inventory_pack(inv, NULL, 0);
    ok(need > 0, "pack: a size (%zu bytes)", need);
    is_int(spn_inventory_pack(full, NULL, 0), need, "pack of the snapshot: the same size (no keys)");
    ok(need <= spn_inventory_bound((uint64_t)file_size(path)),
       "bound for a file of %ld bytes covers it (escaped names included)", file_size(path));
    blob = apr_palloc(p, need);
    small = apr_pcalloc(p, need);
    is_int(spn_inventory_pack(inv, small, need - 1), need, "too small a buffer: the size it takes");
    for (i = 0, j = 1; i < need; i++)
        j &= small[i] == 0;
    ok(j, "  and nothing written into it");
    spn_inventory_pack(full, blob, need);
    {
        /* no key byte of the snapshot is in the blob */
        int found = 0;
        for (j = 0; j < full->n; j++) {
            const krb5_keyblock *kb = &full->e[j].key;
            for (i = 0; kb->length >= 8 && i + 8 <= need && !found; i++)
                found = memcmp(blob + i, kb->contents, 8) == 0;
        }
        ok(!found, "the packed snapshot holds no key bytes");
    }
    back = spn_inventory_unpack(p, blob, need, path);
    ok(back != NULL, "unpack: read back");
    same_facts(inv, back, "read back");
    ok(back && no_keys(back) && back->path == path, "  no keys, the path given");

    /* every truncation refused; every byte changed: refused or well-formed */
    for (i = 0, refused = 0; i < need; i++)
        refused += spn_inventory_unpack(p, blob, i, path) == NULL;
    is_int(refused, need, "every truncation (0..%zu bytes) refused", need - 1);
    {
        unsigned char *longer = apr_palloc(p, need + 1);
        memcpy(longer, blob, need);
        longer[need] = 0;
        ok(spn_inventory_unpack(p, longer, need + 1, path) == NULL, "trailing bytes refused");
    }
    for (i = 0, bad_ok = 1; i < need; i++) {
        int b;
        for (b = 0; b < 8; b++) {
            unsigned char *m = apr_pmemdup(p, blob, need);
            spn_keytab_t *x;
            m[i] ^= (unsigned char)(1u << b);
            x = spn_inventory_unpack(p, m, need, path);
            if (x && (x->n < 0 || x->n > 4 || (x->n && x->status)))
                bad_ok = 0;
            for (j = 0; x && j < x->n; j++)
                if (!x->e[j].principal || strlen(x->e[j].principal) > SPN_INV_PRINCIPAL_MAX)
                    bad_ok = 0;
        }
    }
    ok(bad_ok, "every bit flipped: refused, or entries within the blob");
    {
        /* a count of entries the bytes cannot hold: refused before allocating */
        unsigned char *m = apr_pmemdup(p, blob, need);
        uint32_t n = SPN_KT_ENTRIES_MAX;
        memcpy(m + 4, &n, 4);
        ok(spn_inventory_unpack(p, m, need, path) == NULL, "n = %u with four entries' bytes: refused", n);
        n = 0xffffffffu;
        memcpy(m + 4, &n, 4);
        ok(spn_inventory_unpack(p, m, need, path) == NULL, "n = 2^32-1: refused");
    }
    {
        /* a NUL inside a principal */
        unsigned char *m = apr_pmemdup(p, blob, need);
        unsigned char *at = memmem(m, need, "web01", 5);
        ok(at != NULL, "the principal is in the blob");
        if (at)
            *at = 0;
        ok(spn_inventory_unpack(p, m, need, path) == NULL, "a NUL inside a principal: refused");
    }

    /* files that cannot serve: what is wrong survives the trip */
    {
        const char *missing = apr_pstrcat(p, dir, "/none.keytab", NULL);
        const char *empty = apr_pstrcat(p, dir, "/empty.keytab", NULL);
        const char *junk = apr_pstrcat(p, dir, "/junk.keytab", NULL);
        const char *paths[3] = {missing, empty, junk};
        int whys[3] = {SPN_KT_MISSING, SPN_KT_EMPTY_FILE, SPN_KT_NOT_KEYTAB};
        FILE *f = fopen(empty, "w");
        if (f)
            fclose(f);
        if ((f = fopen(junk, "w")) != NULL) {
            fputs("this is not a keytab\n", f);
            fclose(f);
        }
        for (j = 0; j < 3; j++) {
            spn_keytab_t *x = spn_keytab_inventory(p, ctx, paths[j]), *y;
            unsigned char *bb;
            size_t nb = spn_inventory_pack(x, NULL, 0);
            is_int(x->why, whys[j], "%s: why %d", paths[j] + strlen(dir), whys[j]);
            bb = apr_palloc(p, nb);
            spn_inventory_pack(x, bb, nb);
            y = spn_inventory_unpack(p, bb, nb, paths[j]);
            ok(y && y->status == -1 && y->why == whys[j] && y->n == 0 &&
               strcmp(y->error, x->error) == 0, "  read back: status, why and error (%s)",
               y ? y->error : "refused");
        }
        unlink(empty);
        unlink(junk);
    }

    /* a keytab of more entries than the cap: the inventory stops there */
    {
        krb5_keytab mk;
        krb5_keytab_entry e;
        int added = 0;
        spn_keytab_t *x;
        ok(krb5_kt_resolve(ctx, "MEMORY:spncheck-inv-cap", &mk) == 0, "a MEMORY keytab");
        memset(&e, 0, sizeof e);
        krb5_parse_name(ctx, "HTTP/cap.example.test@EXAMPLE.TEST", &e.principal);
        for (j = 0; j < SPN_KT_ENTRIES_MAX + 10; j++) {
            e.vno = (krb5_kvno)j;
            if (krb5_c_make_random_key(ctx, ENCTYPE_AES128_CTS_HMAC_SHA1_96, &e.key) == 0) {
                added += krb5_kt_add_entry(ctx, mk, &e) == 0;
                krb5_free_keyblock_contents(ctx, &e.key);
            }
        }
        krb5_free_principal(ctx, e.principal);
        is_int(added, SPN_KT_ENTRIES_MAX + 10, "%d entries added", SPN_KT_ENTRIES_MAX + 10);
        x = spn_keytab_inventory(p, ctx, "MEMORY:spncheck-inv-cap");
        is_int(x->n, SPN_KT_ENTRIES_MAX, "the inventory stops at %d", SPN_KT_ENTRIES_MAX);
        ok(no_keys(x), "  without keys");
        krb5_kt_close(ctx, mk);
    }

    table_tests(p);

    unlink(path);
    rmdir(dir);
    krb5_free_context(ctx);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

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
 * No lock anyone waits on: the table (src/spn_inventory.c) makes each
 * slot a sequence lock; a child that loses a race to write a slot keeps
 * its own copy for this request, a reader that a write keeps overlapping
 * reads the file itself.  A slot whose new inventory outgrows its room
 * takes room from a spare part of the segment; when that is spent, the
 * children read that keytab per status request (SPN00111, once per
 * process). */
#include "mod_spncheck_config.h"
#include "mod_spncheck_inventory.h"

#include "http_config.h"
#include "http_log.h"

#include "apr_hash.h"
#include "apr_shm.h"
#include "apr_strings.h"

#include "spn_inventory.h"

#include <sys/stat.h>
#include <unistd.h>

APLOG_USE_MODULE(spncheck);

/* The segment's size at most, whatever the keytabs on disk. */
#define INV_SHM_MAX ((apr_size_t)256 << 20)
/* A slot's room: a readable keytab's inventory is smaller than its file
 * (the keys are not kept), so the file's size and a little, at least
 * this; an unreadable one's error (256 bytes at most) and names that need
 * escapes past it (spn_inventory_bound: twice the file) take from the
 * spare part.  Every room a status page reads is
 * in the RSS of the child that reads it: at 1,000 vhosts 1 KB rooms were
 * 1 MB of every scraped child (bench/vhosts.pl). */
#define INV_SLOT_MIN 128
#define INV_SLOT_SLACK 64

static spn_inv_table_t *table;
static apr_hash_t *slot_of;     /* path -> slot index + 1 */
static int warned_full;         /* SPN00111 said in this process */
static int n_table_slots;

/* Per process, for the default status page's verdicts (issue 21): each
 * keytab's identity when last stat()ed, and a version that changes with
 * it.  Its caller (the status page's cache) holds it with its lock. */
typedef struct {
    apr_time_t at;              /* last stat(); 0: never */
    spn_inv_id_t id;
    uint64_t ver;               /* 0: the file could not be stat()ed */
} kt_seen;
static kt_seen *seen;
static uint64_t next_ver;

static apr_status_t forget(void *unused)
{
    (void)unused;
    table = NULL;
    slot_of = NULL;
    n_table_slots = 0;
    seen = NULL;
    return APR_SUCCESS;
}

/* The file of a FILE: keytab name (what stat() needs). */
static const char *file_of(const char *path)
{
    return strncmp(path, "FILE:", 5) == 0 ? path + 5 : path;
}

/* Every SPNCheckKeytab of the configuration, as its directive stores it
 * (server-root relative), once each, into h: a walk of the directive
 * tree, linear (the configured scopes, which merge every section over its
 * server, cost more than that at thousands of vhosts). */
static void keytabs_of(apr_pool_t *pconf, apr_pool_t *ptemp, const ap_directive_t *d,
                       apr_hash_t *h, apr_array_header_t *paths)
{
    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "SPNCheckKeytab") == 0 && d->args) {
            const char *args = d->args;
            char *w = ap_getword_conf(ptemp, &args);
            const char *path = *w ? ap_server_root_relative(ptemp, w) : NULL;
            if (path && !apr_hash_get(h, path, APR_HASH_KEY_STRING)) {
                path = apr_pstrdup(pconf, path);
                APR_ARRAY_PUSH(paths, const char *) = path;
                apr_hash_set(h, path, APR_HASH_KEY_STRING, (void *)(apr_uintptr_t)paths->nelts);
            }
        }
        if (d->first_child)
            keytabs_of(pconf, ptemp, d->first_child, h, paths);
    }
}

void spncheck_inventory_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *h = apr_hash_make(pconf);
    apr_array_header_t *paths = apr_array_make(ptemp, 16, sizeof(const char *));
    uint32_t *room;
    int i, n_slots;
    apr_size_t total = 0, spare, size;
    apr_shm_t *shm;
    apr_status_t rv;
    struct stat st;

    forget(NULL);
    keytabs_of(pconf, ptemp, ap_conftree, h, paths);
    n_slots = paths->nelts;
    room = apr_pcalloc(ptemp, sizeof(*room) * (n_slots ? n_slots : 1));
    for (i = 0; i < n_slots; i++) {
        const char *path = APR_ARRAY_IDX(paths, i, const char *);
        apr_size_t r;
        /* as root, for the size only: the children read it as themselves */
        r = stat(file_of(path), &st) == 0 ? spn_inventory_bound((uint64_t)st.st_size) : 0;
        if (r && (uint64_t)st.st_size + INV_SLOT_SLACK < r)
            r = (apr_size_t)st.st_size + INV_SLOT_SLACK;
        room[i] = (uint32_t)(r < INV_SLOT_MIN ? INV_SLOT_MIN : r > INV_SHM_MAX / 4
                             ? INV_SHM_MAX / 4 : r);
        total += room[i];
    }
    if (!n_slots)
        return;
    /* room to grow (and for names with escapes): half again, and 64 KiB */
    spare = total / 2 + 65536;
    size = spn_inv_table_size(room, n_slots, spare);
    if (size > INV_SHM_MAX) {
        apr_size_t fair = INV_SHM_MAX / 2 / (apr_size_t)n_slots;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00110) "the keytab inventories "
                     "of %d keytabs would take %" APR_SIZE_T_FMT " bytes of shared memory; "
                     "they get %" APR_SIZE_T_FMT ", and a keytab that outgrows its share is read "
                     "per status request", n_slots, size, INV_SHM_MAX);
        for (i = 0; i < n_slots; i++)
            if (room[i] > fair)
                room[i] = (uint32_t)fair;
        spare = 0;
        size = spn_inv_table_size(room, n_slots, 0);
        spare = size < INV_SHM_MAX ? INV_SHM_MAX - size : 0;
        size = spn_inv_table_size(room, n_slots, spare);
    }
    rv = apr_shm_create(&shm, size, NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SPNLOGNO(00113) "cannot create %" APR_SIZE_T_FMT
                     " bytes of shared memory for the keytab inventories; each status request "
                     "reads the keytabs itself", size);
        return;
    }
    /* the rooms' pages stay untouched until an inventory is written */
    if (!(table = spn_inv_table_init(apr_shm_baseaddr_get(shm), size, room, n_slots)))
        return;
    slot_of = h;
    n_table_slots = n_slots;
    apr_pool_cleanup_register(pconf, NULL, forget, apr_pool_cleanup_null);
}

int spncheck_inventory_slot(const char *path)
{
    void *v;

    if (!path || !table || !slot_of || !(v = apr_hash_get(slot_of, path, APR_HASH_KEY_STRING)))
        return -1;
    return (int)(apr_uintptr_t)v - 1;
}

uint64_t spncheck_inventory_version(apr_pool_t *pchild, int slot, const char *path,
                                    apr_time_t now)
{
    kt_seen *k;
    struct stat st;
    spn_inv_id_t id;

    if (slot < 0 || slot >= n_table_slots || !path)
        return 0;
    if (!seen && !(seen = apr_pcalloc(pchild, sizeof(*seen) * (apr_size_t)n_table_slots)))
        return 0;
    k = &seen[slot];
    if (k->at && now >= k->at && now - k->at < SPNCHECK_KEYTAB_STAT_INTERVAL)
        return k->ver;
    k->at = now;
    if (stat(file_of(path), &st) != 0) {
        k->ver = 0;                 /* looked for again, and its scopes checked, each time */
        return 0;
    }
    spn_inv_id_of(&st, &id);
    if (!k->ver || memcmp(&id, &k->id, sizeof(id)) != 0) {
        k->id = id;
        k->ver = ++next_ver;
    }
    return k->ver;
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
    spn_inv_id_t id;
    struct stat st;
    int have, slot = -1;
    void *v;

    if (!path)
        return NULL;
    rd = reader_of(p);
    if ((kt = apr_hash_get(rd->done, path, APR_HASH_KEY_STRING)) != NULL)
        return kt;
    have = stat(file_of(path), &st) == 0;
    if (table && slot_of && (v = apr_hash_get(slot_of, path, APR_HASH_KEY_STRING)) != NULL)
        slot = (int)(apr_uintptr_t)v - 1;
    if (have)
        spn_inv_id_of(&st, &id);
    if (slot >= 0 && have)
        kt = spn_inv_table_get(p, table, slot, &id, path);
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
                     kt->status ? kt->error : "",
                     slot >= 0 && have ? " (shared with every child)" : "");
        /* a missing file is not kept: it is looked for again next time */
        if (slot >= 0 && have && rd->kctx &&
            spn_inv_table_put(table, slot, &id, kt) == SPN_INV_PUT_FULL && !warned_full) {
            warned_full = 1;
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00111) "the keytab inventory "
                         "of %s (%" APR_SIZE_T_FMT " bytes) outgrew the shared memory sized at "
                         "start-up: this process reads it per status request until a restart "
                         "(said once per process)", path, spn_inventory_pack(kt, NULL, 0));
        }
    }
    apr_hash_set(rd->done, path, APR_HASH_KEY_STRING, kt);
    return kt;
}

/* spn_inventory.h: a keytab's inventory (spn_keytab_inventory(): every
 * entry's principal, kvno, enctype and timestamp, never a key) as one flat
 * blob of bytes, to keep in memory that every process reads (shared
 * memory), and back.  The reader takes the blob as hostile: every length
 * is checked against the bytes there are, entries are capped. */
#ifndef SPN_INVENTORY_H
#define SPN_INVENTORY_H

#include "spn_keytab.h"

#include <stdint.h>

/* The longest principal kept (longer ones are cut there). */
#define SPN_INV_PRINCIPAL_MAX 1024

/* Writes kt's inventory into buf when it fits in cap bytes; returns the
 * size it takes either way (nothing is written when that is > cap).  Keys
 * are never written, whatever kt holds. */
size_t spn_inventory_pack(const spn_keytab_t *kt, void *buf, size_t cap);

/* The bytes a keytab file of size bytes packs into at most (a bound for
 * sizing shared memory before the file is read). */
size_t spn_inventory_bound(uint64_t size);

/* The keytab described by the len bytes at buf, allocated in p, with path
 * as its path; NULL when the bytes are not a well-formed inventory.  Its
 * entries have no keys and it has no trial state. */
spn_keytab_t *spn_inventory_unpack(apr_pool_t *p, const void *buf, size_t len, const char *path);

/* A table of inventories in memory that several processes map (shared
 * memory): one slot per keytab, each with the identity of the file it
 * was read from and room for its blob, and a spare part that a slot takes
 * from when a new inventory outgrows its room.  No lock: each slot is a
 * sequence lock.  A writer claims a slot (compare-and-swap from even to
 * odd) or leaves it to the writer that has it; a reader copies and checks
 * that no write overlapped, a few times, then gives up (the caller reads
 * the file itself).  Nothing waits on anything. */
typedef struct spn_inv_table spn_inv_table_t;

/* What tells one version of a file from another. */
typedef struct {
    uint64_t dev, ino;
    int64_t size;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
} spn_inv_id_t;

/* The identity of the file stat() described (any rewrite, even within a
 * second, changes it). */
struct stat;
void spn_inv_id_of(const struct stat *st, spn_inv_id_t *id);

/* The bytes a table of n slots with these rooms and spare bytes takes. */
size_t spn_inv_table_size(const uint32_t *room, int n, size_t spare);
/* Lays the table out at base (size bytes from spn_inv_table_size): every
 * slot empty.  Touches the header and slots only, not the rooms. */
spn_inv_table_t *spn_inv_table_init(void *base, size_t size, const uint32_t *room, int n);
/* Slot i's inventory when it was read from the file id names, copied
 * into p; NULL when the slot holds another version (or none), or writes
 * kept overlapping the copy. */
spn_keytab_t *spn_inv_table_get(apr_pool_t *p, spn_inv_table_t *t, int i, const spn_inv_id_t *id,
                                const char *path);
/* Writes kt, read from the file id names, into slot i: SPN_INV_PUT_OK;
 * SPN_INV_PUT_BUSY when another writer has the slot (nothing written);
 * SPN_INV_PUT_FULL when it fits neither its room nor what the spare part
 * has left (the slot is left empty). */
enum { SPN_INV_PUT_OK = 0, SPN_INV_PUT_BUSY, SPN_INV_PUT_FULL };
int spn_inv_table_put(spn_inv_table_t *t, int i, const spn_inv_id_t *id, const spn_keytab_t *kt);

#endif

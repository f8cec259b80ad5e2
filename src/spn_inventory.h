/* spn_inventory.h: a keytab's inventory (spn_keytab_inventory(): every
 * entry's principal, kvno, enctype and timestamp, never a key) as one flat
 * blob of bytes, to keep in memory that every process reads (shared
 * memory), and back.  The reader takes the blob as hostile: every length
 * is checked against the bytes there are, entries are capped. */
#ifndef SPN_INVENTORY_H
#define SPN_INVENTORY_H

#include "spn_keytab.h"

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

#endif

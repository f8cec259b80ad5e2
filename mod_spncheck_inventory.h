/* mod_spncheck_inventory.h: every configured keytab's inventory
 * (principals, kvnos, enctypes, timestamps; never keys) in shared memory,
 * read once per change of the file by whichever child sees it first, read
 * by every child without a lock that requests wait on
 * (mod_spncheck_inventory.c). */
#ifndef MOD_SPNCHECK_INVENTORY_H
#define MOD_SPNCHECK_INVENTORY_H

#include "httpd.h"

#include "spn_keytab.h"

/* post_config: one slot per distinct SPNCheckKeytab, sized from the files
 * as they are now, and room to grow. */
void spncheck_inventory_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);

/* The inventory of the keytab at path, as this process's user reads it,
 * allocated in p (one per path and pool, whatever the number of calls).
 * Always a keytab (status/why say what is wrong); NULL only without a
 * path.  No key is ever in it. */
const spn_keytab_t *spncheck_inventory(apr_pool_t *p, server_rec *s, const char *path);

#endif

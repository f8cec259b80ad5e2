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

/* The default status page's keytab check (issue 21): a keytab's file is
 * stat()ed at most once in this interval per process, so a change is
 * seen within it. */
#define SPNCHECK_KEYTAB_STAT_INTERVAL apr_time_from_sec(1)

/* The inventory slot of the keytab at path, or -1 (none: no shared
 * memory, or not a configured keytab). */
int spncheck_inventory_slot(const char *path);

/* The version of the keytab at path (its slot): a number that changes
 * whenever the file's identity (inode, size, mtime, ctime) does, stat()ed
 * at most once per SPNCHECK_KEYTAB_STAT_INTERVAL; 0 when the file cannot
 * be stat()ed or has no slot (the caller then trusts nothing it kept).
 * Per process, made in pchild; one caller at a time (the status page's
 * cache lock). */
uint64_t spncheck_inventory_version(apr_pool_t *pchild, int slot, const char *path,
                                    apr_time_t now);

#endif

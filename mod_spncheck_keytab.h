/* mod_spncheck_keytab.h: the per-process keytab cache (snapshots with
 * keys, for trial decryption), the krb5 context and the trial budget
 * (mod_spncheck_keytab.c).  The status page reads inventories instead
 * (mod_spncheck_inventory.h). */
#ifndef MOD_SPNCHECK_KEYTAB_H
#define MOD_SPNCHECK_KEYTAB_H

#include "httpd.h"

#include "spn_keytab.h"

/* child_init: returns OK, or DECLINED after logging when the process could
 * not set itself up (the module is then off in that process). */
int spncheck_keytab_child_init(apr_pool_t *p, server_rec *s);

/* 1 when child_init succeeded (else the module is off in this process). */
int spncheck_keytab_ready(void);
/* This process's krb5 context for diagnosis, or NULL. */
krb5_context spncheck_krb5(void);

/* A reference on the current snapshot of the keytab at path, (re)read
 * when the file changed (the cache lock is held only to find it and count
 * the reference); NULL when path is NULL or the module is off here.  Its
 * keytab stays valid until spncheck_keytab_release. */
typedef struct spncheck_snap spncheck_snap;
spncheck_snap *spncheck_keytab_acquire(server_rec *s, const char *path);
const spn_keytab_t *spncheck_snap_keytab(const spncheck_snap *sn);
void spncheck_keytab_release(spncheck_snap *sn);

#endif

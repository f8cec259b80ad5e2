/* mod_spncheck_keytab.h: the per-process keytab cache, its lock, the krb5
 * context and the trial budget (mod_spncheck_keytab.c). */
#ifndef MOD_SPNCHECK_KEYTAB_H
#define MOD_SPNCHECK_KEYTAB_H

#include "httpd.h"

#include "spn_buf.h"
#include "spn_diag.h"

/* child_init: returns OK, or DECLINED after logging when the process could
 * not set itself up (the module is then off in that process). */
int spncheck_keytab_child_init(apr_pool_t *p, server_rec *s);

/* The cache lock: hold it while a keytab from spncheck_keytab() is in use
 * (status page, scopes).  A request's diagnosis takes a reference on its
 * snapshot instead and holds the lock only to take and drop it. */
void spncheck_lock(void);
void spncheck_unlock(void);
const spn_keytab_t *spncheck_keytab(server_rec *s, const char *path);

/* Diagnoses obs into d (keytab at path, may be NULL), fills log with the
 * log fields and page with the 401 page.  d's strings stay valid in
 * r->pool after the snapshot goes.  DECLINED when the module is off in
 * this process. */
int spncheck_explain_page(request_rec *r, const char *path, spn_service_t *svc,
                          const spn_observation_t *obs, spn_diag_t *d, spn_buf_t *log,
                          spn_buf_t *page, int detail, const char *ref);

#endif

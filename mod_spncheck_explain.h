/* mod_spncheck_explain.h: one failed exchange explained: the diagnosis on
 * a keytab snapshot, the directory's facts, the log fields and the 401
 * page (mod_spncheck_explain.c). */
#ifndef MOD_SPNCHECK_EXPLAIN_H
#define MOD_SPNCHECK_EXPLAIN_H

#include "httpd.h"

#include "spn_buf.h"
#include "spn_diag.h"

/* Diagnoses obs into d (keytab at path, may be NULL), fills log with the
 * log fields and page with the 401 page.  d's strings stay valid in
 * r->pool after the snapshot goes.  DECLINED when the module is off in
 * this process. */
int spncheck_explain_page(request_rec *r, const char *path, spn_service_t *svc,
                          const spn_observation_t *obs, spn_diag_t *d, spn_buf_t *log,
                          spn_buf_t *page, int detail, const char *ref);

#endif

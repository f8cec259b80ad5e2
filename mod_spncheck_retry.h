/* mod_spncheck_retry.h: the failure a client's tokenless retry may see
 * again (mod_spncheck_retry.c says what is kept, and for whom). */
#ifndef MOD_SPNCHECK_RETRY_H
#define MOD_SPNCHECK_RETRY_H

#include "mod_spncheck_config.h"
#include "spn_store.h"

/* Its child_init and pre_connection hooks (a memo per connection, made
 * only when some scope has SPNCheck On). */
void spncheck_retry_hooks(void);
/* After a failed exchange seen in scope (the request that sent the token). */
void spncheck_retry_keep(request_rec *r, const char *scope, const spn_diag_t *d, const char *ref);
/* 1 and *out when r may see the kept failure again. */
int spncheck_retry_find(request_rec *r, const char *scope, spn_failure_t *out);

#endif

/* mod_spncheck_dir.h: SPNCheckDirectory (mod_spncheck_dir.c): the
 * directory lookup in mod_watchdog's singleton, and the two calls a
 * failure makes into the facts it left in the shared store. */
#ifndef MOD_SPNCHECK_DIR_H
#define MOD_SPNCHECK_DIR_H

#include "mod_spncheck_config.h"
#include "spn_store.h"

int spncheck_dir_post_config(apr_pool_t *pconf, server_rec *s);
/* Every configured SPN (both name forms, realm stripped, once) of the
 * covered scopes into *out: the slots the directory pins.  Returns how many. */
int spncheck_dir_configured(apr_pool_t *p, const char ***out);

/* A failure's diagnosis d (not yet rendered): the SPNs it asked for are
 * wanted, and d is refined with the facts already in the store.  Never
 * waits for the directory.  A no-op without SPNCheckDirectory. */
void spncheck_dir_note(request_rec *r, const spn_service_t *svc, spn_diag_t *d,
                       const char *host);
/* A record shown again (the tokenless retry's page): refined with the
 * facts held now.  A no-op without SPNCheckDirectory. */
void spncheck_dir_refine_failure(request_rec *r, const spn_service_t *svc, spn_diag_t *d,
                                 const spn_failure_t *f);

#endif

/* mod_spncheck_status.h: the status page and the mod_status section
 * (mod_spncheck_status.c). */
#ifndef MOD_SPNCHECK_STATUS_H
#define MOD_SPNCHECK_STATUS_H

#include "mod_spncheck_config.h"

int spncheck_status_handler(request_rec *r);
/* Registers the mod_status hook (optional: no mod_status, no section). */
void spncheck_status_hooks(void);

/* child_init: the default page's verdicts kept between scrapes, per
 * process (issue 21). */
void spncheck_status_child_init(apr_pool_t *pchild);

#endif

/* mod_spncheck_probe.h: SPNCheckProbe through mod_watchdog
 * (mod_spncheck_probe.c). */
#ifndef MOD_SPNCHECK_PROBE_H
#define MOD_SPNCHECK_PROBE_H

#include "mod_spncheck.h"

int spncheck_probe_post_config(apr_pool_t *pconf, server_rec *s);

#endif

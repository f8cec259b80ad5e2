/* mod_spncheck_probe.h: SPNCheckProbe through mod_watchdog
 * (mod_spncheck_probe.c). */
#ifndef MOD_SPNCHECK_PROBE_H
#define MOD_SPNCHECK_PROBE_H

#include "mod_spncheck_config.h"

#include "mod_watchdog.h"

int spncheck_probe_post_config(apr_pool_t *pconf, server_rec *s);
/* The probe's targets in the first n scopes of sc (each SPN and its other
 * name form): the slots the store needs for the probe's results. */
uint32_t spncheck_probe_slots(apr_pool_t *p, const spn_scope_t *sc, int n);

/* Has mod_watchdog's instance name (a singleton: one child, its own
 * thread) call cb with ctx every second.  0 when mod_watchdog is not
 * loaded; else 1, and *rv says whether it was scheduled. */
int spncheck_watchdog_tick(apr_pool_t *pconf, const char *name, void *ctx,
                           ap_watchdog_callback_fn_t *cb, apr_status_t *rv);
/* child_init: the child's exit first stops and waits for the tick in hand
 * (at most 20 s); a tick's long loops end early once this says 1. */
void spncheck_watchdog_child_init(apr_pool_t *pchild);
int spncheck_watchdog_stopping(void);

#endif

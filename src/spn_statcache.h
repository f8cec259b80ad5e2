/* spn_statcache.h: each scope's self-check verdicts (check ids and states)
 * kept between status scrapes (issue 21): a scrape with nothing changed
 * compares each scope's key and reuses its verdict instead of running
 * its self-checks again.  The key holds everything spn_scope_checks reads:
 * the configuration (a generation the caller gives), the keytab's version
 * (the caller's: a new one whenever the file's identity changed), the
 * scope's sign-in counts by mechanism and its tickets by enctype (the
 * kerberos-share and rc4-tickets checks), and the directory's facts (a
 * digest of the store's directory slots).  A key the caller cannot vouch
 * for (keytab version 0) is never reused.
 *
 * Not thread-safe: one caller at a time (the status handler holds it with
 * a try-lock and builds the page uncached when another scrape has it). */
#ifndef SPN_STATCACHE_H
#define SPN_STATCACHE_H

#include "spn_statfmt.h"

typedef struct spn_statcache spn_statcache_t;

/* A cache for n scopes, allocated in p (a process's pool: it lives as long
 * as the configuration it describes). */
spn_statcache_t *spn_statcache_make(apr_pool_t *p, int n);

/* Scope i's keytab inventory for a run of its checks: sets sc->svc.keytab
 * (sc is a copy of st->scopes[i]), allocated in p. */
typedef void spn_statcache_load_fn(void *ctx, int i, spn_scope_t *sc, apr_pool_t *p);

/* Every scope's verdict for st (its scopes with their mech_counts and
 * funnel set, its store copied): reused when scope i's key is unchanged,
 * else its checks run again (load gives them the keytab; NULL: the
 * scope's own svc.keytab) in a scratch pool made from p.  cfg: the
 * configuration's generation; ktver[i]: scope i's keytab version (0:
 * unknown, always run).  Returns the cache's array of st->n_scopes
 * verdicts, valid until the next call; NULL when n_scopes is not the
 * cache's. */
const spn_verdict_t *spn_statcache_verdicts(spn_statcache_t *c, apr_pool_t *p,
                                            const spn_status_t *st, uint64_t cfg,
                                            const uint64_t *ktver, spn_statcache_load_fn *load,
                                            void *ctx);

/* How many scopes' checks the cache has run (tests: reused or not). */
unsigned long spn_statcache_runs(const spn_statcache_t *c);

/* A digest of the store's directory facts: 0 when it holds none. */
uint64_t spn_statcache_dir_digest(const spn_store_t *s);

#endif

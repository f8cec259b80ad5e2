/* spn_dirstatus.h: the directory's facts on the status page (HTML, JSON,
 * Prometheus) and its self-checks (spn_dirstatus.c, issue 11). */
#ifndef SPN_DIRSTATUS_H
#define SPN_DIRSTATUS_H

#include "spn_json.h"
#include "spn_selfcheck.h"
#include "spn_statfmt.h"        /* spn_dirconf_t */
#include "spn_store.h"

/* Appends the directory's checks for svc to r, from the facts in s:
 * spn-holder (every configured SPN held by the service account, and only
 * by it), kvno-matches-directory (the keytab's newest kvno for it is AD's),
 * enctypes-match (the keytab has a key of a type the account allows).
 * Nothing when the directory has no facts about svc's SPNs. */
void spn_selfcheck_dir(apr_pool_t *p, const spn_service_t *svc, const spn_store_t *s,
                       spn_checks_t *r);

/* The directory's section of the status page.  only NULL (the default
 * page): the SPNs with something to see (no holder or several, one
 * reached through another name, an error, asked by a failure), at most
 * SPN_DIRSTATUS_ROWS, and a count of the rest; else the rows of only's SPNs
 * (one scope's view). */
#define SPN_DIRSTATUS_ROWS 50
void spn_dirstatus_html(spn_buf_t *b, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc, const spn_service_t *only);
/* The value of the status JSON's "directory" key: null when off. */
void spn_dirstatus_json(spn_json_t *w, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc);
/* Prometheus: per-SPN series for configured SPNs only (no label carries
 * what a client asked for).  svcs[0..n_svcs): the scopes' services, whose
 * accounts judge each configured SPN's holder (spn_holder_ok). */
void spn_dirstatus_prom(spn_buf_t *b, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc, const spn_service_t *const *svcs, int n_svcs);

#endif

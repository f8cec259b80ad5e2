/* spn_status.h: the admin status page (HTML, JSON, Prometheus text) over
 * plain descriptions of the configured scopes and the failure store. */
#ifndef SPN_STATUS_H
#define SPN_STATUS_H

#include "spn_dirstatus.h"
#include "spn_selfcheck.h"
#include "spn_statfmt.h"        /* spn_scope_t, spn_status_t, spn_fmt_time, spn_prom_label */
#include "spn_statview.h"
#include "spn_store.h"

/* The default page leads with what is wrong now: the headline, the
 * failing and warning scopes (the failing ones with their findings and
 * remedies, at most SPN_STATUS_PAGE of each), the causes and the funnel,
 * the charts; the passing scopes are a count and a link.  Its size does
 * not grow with the passing scopes. */
void spn_status_html(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
void spn_status_json(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
void spn_status_prometheus(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
/* One failure in full (?ref=): the page its user would have seen at
 * detail full, with the configuration of the scope that saw it. */
void spn_status_ref(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f);
/* The same as JSON (?ref=ID&format=json): {"ref", "time", "scope", "client",
 * "host", "proxied", "diagnosis": the CLI's diagnose --json object, its
 * cause refined by the directory and its "fix"}. */
void spn_status_ref_json(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f);

/* The drill-down views (?scope=LABEL, ?scopes=all&page=N): spn_statview.h. */

#endif

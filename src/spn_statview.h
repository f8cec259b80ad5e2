/* spn_statview.h: the status page's HTML views (issue 21): what the
 * default page leads with (the failing and warning scopes, the probe's
 * and the directory's problems), one scope's own view (?scope=), the paged
 * list of scopes (?scopes=all&page=N), and the pieces spn_status.c shares
 * with them.  Rooms: spn_status -> spn_statview -> spn_chart,
 * spn_dirstatus, spn_funnel -> spn_statfmt. */
#ifndef SPN_STATVIEW_H
#define SPN_STATVIEW_H

#include "spn_statfmt.h"

/* Scopes on one page of the list, and at most that many failing (and
 * warning) scopes on the default page. */
#define SPN_STATUS_PAGE 50
/* Failing scopes the default page names (past SPN_STATUS_PAGE, one line
 * each): the rest are a link to their list. */
#define SPN_STATUS_FAIL_LINES 500
/* Which scopes a list shows (?scopes=): all, or those whose worst
 * self-check fails, warns or passes. */
enum { SPN_LIST_ALL = 0, SPN_LIST_FAIL, SPN_LIST_WARN, SPN_LIST_PASS };
/* The list named by v (all|fail|warn|pass), -1 for anything else. */
int spn_status_list_arg(const char *v);
/* A page number from v: decimal digits only (at most 9), 1 when absent or
 * not one; the list clamps it to its last page. */
int spn_status_page_arg(const char *v);
/* One page of the list, one row per scope (its link, state, SPNs, account,
 * keytab, sign-ins, the checks that do not pass), prev/next links.  which:
 * SPN_LIST_*.  Returns 0; -1 when which is no list (spn_status_list_arg
 * gave -1), with a page that links the four: the handler answers 404. */
int spn_status_html_list(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st, int which,
                          int page);
/* One scope's own view (?scope=LABEL, spn_scope_label): its
 * configuration, every self-check, its keytab's entries, its probe results,
 * its directory facts and its recent failures.  Returns 0; -1 when no scope
 * has that label (the label is hostile: it is only compared and escaped),
 * with a page that says so: the handler answers 404. */
int spn_status_html_scope(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st,
                          const char *label);

/* ---- shared with spn_status.c ---- */

/* Each scope's self-checks, computed once (n_scopes of them, in p). */
spn_checks_t *spn_status_checks(apr_pool_t *p, const spn_status_t *st);
/* <!DOCTYPE html> ... <h1>TITLE</h1> (title HTML-escaped), and the end. */
void spn_status_head(spn_buf_t *b, const char *title);
void spn_status_tail(spn_buf_t *b);
/* The default page's scopes: how many fail, warn and pass (each a link to
 * its list); the failing ones, most failures explained first, with the
 * checks that do not pass (finding and remedy), SPN_STATUS_PAGE of them,
 * then one line each up to SPN_STATUS_FAIL_LINES; the warning ones, one
 * line each, SPN_STATUS_PAGE of them; then a link to the rest.  From
 * st->verdicts (set); the checks in full (spn_status_full) only of the
 * scopes it shows with their findings. */
void spn_status_html_scopes(spn_buf_t *b, const spn_status_t *st);
/* The live probe's section: label NULL (the default page): its findings,
 * at most SPN_STATUS_PAGE, and a count of the passing results; else the
 * results of that scope (unique: 0 when another scope's label has the
 * same first 127 bytes, so a result stored under them is not shown as
 * this scope's). */
void spn_status_html_probe(spn_buf_t *b, const spn_store_t *s, const char *label,
                           int unique);
/* The recent failures: all (label NULL) or that scope's. */
void spn_status_html_recent(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st,
                            const char *label);
/* f as a diagnosis on the configuration of the scope that saw it (svc),
 * refined by the directory's facts held now.  Returns 1 when the facts
 * refined it. */
int spn_status_failure_diag(const spn_status_t *st, const spn_failure_t *f, spn_diag_t *d,
                            spn_service_t *svc);
/* The share of Kerberos in the scope's successes, in percent; -1 none. */
double spn_status_krb5_share(const spn_scope_t *sc);

#endif

/* spn_chart.h: the status page at a glance: failures over time by cause
 * as inline SVG (no script, no external reference), and one sentence that
 * says what is wrong now. */
#ifndef SPN_CHART_H
#define SPN_CHART_H

#include "spn_selfcheck.h"
#include "spn_statfmt.h"

/* A scope's self-checks, as the page lists them: the configuration's,
 * kerberos-share, rc4, the directory's (s), raw-ntlmssp. */
void spn_scope_checks(apr_pool_t *p, const spn_scope_t *sc, const spn_store_t *s,
                      spn_checks_t *ck);

/* Scope i's checks in full: st->checks[i] when the page computed them,
 * else through st->full, else spn_scope_checks. */
void spn_status_full(const spn_status_t *st, int i, apr_pool_t *p, spn_checks_t *out);

/* The failures a failing self-check (id) explains: those of its causes
 * in the scope's funnel (sc->funnel), else in the store's counters. */
uint64_t spn_check_impact(const char *id, const spn_scope_t *sc, const spn_store_t *s);

/* CSS for the charts and the headline, added to the status page's. */
extern const char spn_chart_style[];

/* Failures per bucket and cause over the last n buckets of width 60
 * (n <= SPN_HIST_MINUTES) or 3600 (n <= SPN_HIST_HOURS) seconds, oldest
 * first; the last bucket holds now.  counts has n rows.  Returns the
 * total; *start is the first bucket's start time. */
uint64_t spn_chart_series(const spn_store_t *s, int width, int n, int64_t now,
                          uint32_t (*counts)[SPN_C_COUNT], int64_t *start);

/* Both charts (last hour by minute, last day by hour) with their legend,
 * as a <div class="charts">.  s may be NULL (no shared memory). */
void spn_chart_html(spn_buf_t *b, const spn_store_t *s, int64_t now);

/* One chart: an <svg> element alone (for the unit test and the page). */
void spn_chart_svg(spn_buf_t *b, const spn_store_t *s, int width, int n, int64_t now,
                   const char *label);

/* One sentence, in a <p class="headline ...">: the worst failing self-check,
 * else a probe finding, else the busiest cause of the last hour, else
 * "All clear".  The same sentence as plain text into text (may be NULL). */
void spn_status_headline(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);

#endif

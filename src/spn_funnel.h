/* spn_funnel.h: the sign-in funnel on the status page (issue 20): per
 * scope and in total, tokenless first legs, clients that gave up, tokens
 * by mechanism, failures by cause, successes by mechanism and by ticket
 * enctype (the RC4 share), NTLMv1; the clients that gave up by family and
 * OS.  As JSON members, Prometheus series, and HTML: the headline chosen
 * by impact, the funnel as inline SVG (no script), the causes seen
 * (spn_funnel.c). */
#ifndef SPN_FUNNEL_H
#define SPN_FUNNEL_H

#include "spn_json.h"
#include "spn_statfmt.h"

/* The funnel's stages, summed over the scopes (or one scope's). */
typedef struct {
    uint64_t first_legs, gave_up, tokens[SPN_MC_N], failures, success[SPN_MC_N];
    uint64_t by_cause[SPN_C_COUNT], etypes[SPN_ET_N], ntlmv1;
} spn_funnel_t;
void spn_funnel_sum(const spn_status_t *st, int scope, spn_funnel_t *f);  /* scope -1: all */
/* The RC4 share of Kerberos successes whose enctype was read, percent; -1 none. */
double spn_funnel_rc4_share(const spn_funnel_t *f);

/* "gave_up": {"total": n, "chrome": {"windows": n, ...}, ...} and
 * "funnel": {"total": {...}, "scopes": [{"scope": ..., ...}]} as members
 * of the object w is in. */
void spn_funnel_json(spn_json_t *w, const spn_status_t *st);
void spn_funnel_prometheus(spn_buf_t *b, const spn_status_t *st);
/* The funnel as inline SVG with its numbers, then the causes seen (the
 * zero-count ones on one line). */
void spn_funnel_html(spn_buf_t *b, const spn_status_t *st);

#endif

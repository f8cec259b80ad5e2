/* spn_kbsvg.h: a small inline SVG of the KB case (issue 20, item 4) for
 * the spn-wrong-account and spn-not-registered pages: browser -> KDC ->
 * ticket sealed with the holder's key -> this service holding another
 * account's key (or: no account holds the SPN).  Drawn from the failure's
 * own names at the detail level's limits: nothing at none, roles without
 * names at summary, the SPN, holder and service account at full.  Names
 * are HTML-escaped and cut to SPN_KB_LABEL characters.  No script, no
 * link, no external reference (spn_kbsvg.c). */
#ifndef SPN_KBSVG_H
#define SPN_KBSVG_H

#include "spn_diag.h"

#define SPN_KB_LABEL 40
/* Appends the figure to b when d's cause has one; returns 1 when it did. */
int spn_kb_svg(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc, int detail);

#endif

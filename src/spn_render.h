/* spn_render.h: a diagnosis as the user's 401 page, as text for the CLI,
 * and as JSON (spn_render.c).  Every value from a client or a keytab is
 * escaped for its medium. */
#ifndef SPN_RENDER_H
#define SPN_RENDER_H

#include "spn_diag.h"
#include "spn_json.h"
#include "spn_fix.h"

/* Detail levels of the page. */
enum { SPN_DETAIL_NONE = 0, SPN_DETAIL_SUMMARY, SPN_DETAIL_FULL };

/* Belt and braces: no script, no external resource, even if escaping failed. */
#define SPN_PAGE_CSP_META "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src " \
    "'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"
/* The CSS of every page we serve (no external resources). */
extern const char spn_page_style[];

/* The 401 body for a failed exchange (d) or for a tokenless first leg
 * (d == NULL).  ref is the reference id. */
void spn_render_page(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc,
                     int detail, const char *ref);
/* The same for audience (SPN_FIX_FOR_USER, or _ADMIN for the status page's
 * ?ref=: the fix also for names this service does not answer to). */
void spn_render_page_as(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc,
                        int detail, const char *ref, int audience);
/* Cause, meaning and the fix (spn_fix.h), filled in, as plain text (CLI). */
void spn_render_text(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc);
/* The diagnosis as one JSON value (an object) where w expects a value
 * (spncheck diagnose --json, har --json, the status page's ?ref=&format=json),
 * the admin's "fix" included. */
void spn_diag_json(spn_json_t *w, const spn_diag_t *d, const spn_service_t *svc);
/* spn_diag_logline, then " fix=" and the programs of the fix's steps. */
void spn_diag_logline_fix(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc);
#endif

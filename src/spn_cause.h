/* spn_cause.h: the causes a failed exchange can have, and the one table
 * that says for each what it means and what fixes it (spn_cause.c). */
#ifndef SPN_CAUSE_H
#define SPN_CAUSE_H

#include "spn_fix.h"

/* Cause numbers are pinned: the shared store (spn_store_t) counts by them
 * and outlives a graceful restart into a newer module.  Append only, just
 * before SPN_C_COUNT; never reorder, renumber or reuse a number (and bump
 * SPN_STORE_LAYOUT).  t/unit/test_layout checks each number's code. */
typedef enum {
    SPN_C_NTLM_FALLBACK = 0,
    SPN_C_SPN_UNKNOWN = 1,
    SPN_C_SPN_WRONG_ACCOUNT = 2,
    SPN_C_KVNO_MISMATCH = 3,
    SPN_C_ENCTYPE_MISMATCH = 4,
    SPN_C_REALM_MISMATCH = 5,
    SPN_C_CLOCK_SKEW = 6,
    SPN_C_TICKET_EXPIRED = 7,
    SPN_C_REPLAY = 8,
    SPN_C_MALFORMED = 9,
    SPN_C_UNSUPPORTED_MECH = 10,
    SPN_C_NO_SERVICE_KEY = 11,
    SPN_C_TICKET_OK = 12,
    SPN_C_BACKEND_KERNEL_MODE = 13,
    SPN_C_SPN_NOT_REGISTERED = 14,  /* probe: KDC_ERR_S_PRINCIPAL_UNKNOWN */
    SPN_C_SPN_DUPLICATE = 15,       /* probe: KDC_ERR_PRINCIPAL_NOT_UNIQUE */
    SPN_C_UNKNOWN = 16,
    SPN_C_KEYTAB_STALE = 17,        /* directory: the holder's key is newer than the keytab's */
    SPN_C_BACKEND_CHANNEL_BINDING = 18,  /* backend with Extended Protection, client bound to us */
    SPN_C_TOKEN_TOO_LARGE = 19,     /* 400: Authorization over LimitRequestFieldSize */
    SPN_C_COUNT = 20
} spn_cause_t;

/* The one table of causes: code, title, what it means, what the user
 * can do, likely reasons (ranked), and the admin's fix (spn_fix.h: steps
 * and notes, each with conditions, built by spn_fix_build).  Meaning and
 * reasons are templates: {fqdn} {netbios} {account} {spn} {realm}
 * {tkt_kvno} {kt_kvnos} {etype} {keytab} {client_realm} are filled in (and
 * escaped) when the page is rendered; with directory facts (issue 11) also
 * {holder} {holder_kind} {via} {holders} {dir_kvno} {dir_enctypes}
 * {kt_max}.  A reason may start with conditions, "?mapped " or
 * "?held,!decrypts " (spn_fix_cond), shown only when they hold; reasons
 * are shown in table order, so a cause ranks its reasons by the evidence. */
#define SPN_CAUSE_LINES 10
typedef struct {
    const char *code;
    const char *title;
    const char *meaning;
    const char *user_advice;
    const char *reasons[SPN_CAUSE_LINES];
    spn_fix_line_t fix[SPN_FIX_LINES];   /* the admin's fix (spn_fix.h) */
} spn_cause_info_t;

extern const spn_cause_info_t spn_causes[SPN_C_COUNT];
const char *spn_cause_code(spn_cause_t c);
int spn_cause_from_code(const char *code);   /* -1 when unknown */

#endif

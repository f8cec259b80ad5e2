/* spn_names.h: names for protocol values, and a ticket's service name
 * (spn_names.c). */
#ifndef SPN_NAMES_H
#define SPN_NAMES_H

#include "spn_token.h"

/* Names */
const char *spn_format_name(spn_format_t f);
const char *spn_mech_name(spn_mech_t m);
const char *spn_err_name(spn_err_t e);
spn_mech_t spn_mech_of_oid(const uint8_t *oid, size_t len);
const char *spn_oid_label(const uint8_t *oid, size_t len); /* human label */
const char *spn_etype_name(int etype);
const char *spn_neg_state_name(int s);
const char *spn_krb5_error_name(long code);

/* Join sname components with '/' into out (NUL-terminated, cut to fit). */
size_t spn_krb5_sname(const spn_krb5_t *k, char *out, size_t outsz);

#endif

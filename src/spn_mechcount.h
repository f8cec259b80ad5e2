/* spn_mechcount.h: successful sign-ins by mechanism (krb5, ntlm, other),
 * per scope, and the kerberos-share self-check (spn_mechcount.c).  The
 * success path pays for this, so the token is only sniffed: the first
 * bytes are enough to tell Kerberos from NTLM. */
#ifndef SPN_MECHCOUNT_H
#define SPN_MECHCOUNT_H

#include "spn_selfcheck.h"
#include "spn_store.h"

/* The mechanism of an Authorization value ("Negotiate <b64>", "NTLM
 * <b64>"): SPN_MC_KRB5, SPN_MC_NTLM or SPN_MC_OTHER.  Decodes at most the
 * first SPN_SNIFF_B64 base64 characters; never reads past n. */
#define SPN_SNIFF_B64 128
int spn_mech_sniff(const char *auth, size_t n);
const char *spn_mc_name(int mc);            /* "krb5", "ntlm", "other" */

/* The encryption type of the ticket in a Kerberos Authorization value
 * (SPNEGO or a bare GSS krb5 token; the ticket's enc-part, sealed with the
 * service key): its number, or 0 when the first SPN_SNIFF_ET_B64 base64
 * characters do not reach it.  Never reads past n. */
#define SPN_SNIFF_ET_B64 2048
int spn_etype_sniff(const char *auth, size_t n);
/* An enctype number's bucket (SPN_ET_*; 0: SPN_ET_UNKNOWN) and its label
 * ("aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96", "aes-sha2",
 * "rc4-hmac", "des", "other", "unknown"). */
int spn_et_bucket(int etype);
const char *spn_et_name(int et);
/* One Kerberos success with ticket enctype bucket et in slot i (atomic). */
void spn_etype_count(spn_store_t *s, int i, int et);

/* Names slot i for scope (a restart into another configuration: its
 * counts start again when the name changes).  Call before any counting
 * (post_config, the parent). */
void spn_mech_name_slot(spn_store_t *s, int i, const char *scope);
/* One success of mechanism mc in slot i (atomic, no lock). */
void spn_mech_count(spn_store_t *s, int i, int mc);

/* The kerberos-share self-check: warns when NTLM carries more than max_pct
 * percent of n (krb5, ntlm, other) successes, once at least
 * SPN_SHARE_MIN successes were counted.  Adds one check to r. */
#define SPN_SHARE_MIN 10
#define SPN_NTLM_SHARE_DEFAULT 10
void spn_selfcheck_share(apr_pool_t *p, const uint64_t *n, int max_pct, spn_checks_t *r);

#endif

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

/* Names slot i for scope (a restart into another configuration: its
 * counts start again when the name changes).  Call before any counting
 * (post_config, the parent). */
void spn_mech_name_slot(spn_store_t *s, int i, const char *scope);
/* One success of mechanism mc in slot i (atomic, no lock). */
void spn_mech_count(spn_store_t *s, int i, int mc);

/* The same, and what else a success shows without decryption: the
 * Kerberos ticket's enctype (*etype, 0 when not read: the ticket's
 * EncryptedData etype, within the first SPN_SNIFF_TKT_B64 base64
 * characters) and whether an NTLM AUTHENTICATE message carries a 24-byte
 * NtChallengeResponse (NTLMv1: *ntlmv1 = 1).  Linear, bounded. */
#define SPN_SNIFF_TKT_B64 1024
int spn_mech_sniff_ex(const char *auth, size_t n, int *etype, int *ntlmv1);
/* The enctype's bucket (SPN_ET_*, spn_store.h) and its label. */
int spn_et_bucket(int etype);
const char *spn_et_name(int bucket);        /* "aes256", "aes128", "aes-sha2", "rc4", "des", "other" */

/* The funnel (atomic adds, no lock; slot i < 0: only the totals). */
void spn_funnel_first_leg(spn_store_t *s, int i);
void spn_funnel_gave_up(spn_store_t *s, int i, int family, int os);
void spn_funnel_token(spn_store_t *s, int i, int mc);
void spn_funnel_failure(spn_store_t *s, int i, int cause);
/* The client key of a connection's client: a hash of its address and
 * User-Agent (either may be NULL).  A token from key at now is noted
 * (one relaxed atomic store); spn_funnel_token_seen says whether one was
 * noted for key less than SPN_TOKEN_SEEN_SECONDS before now (a hash
 * collision within that window can hide a client that gave up: rare, and
 * never the other way). */
uint64_t spn_funnel_client_key(const char *ip, const char *ua);
void spn_funnel_note_token(spn_store_t *s, uint64_t key, int64_t now);
int spn_funnel_token_seen(const spn_store_t *s, uint64_t key, int64_t now);
/* A success: its mechanism, its ticket's enctype bucket (or -1), NTLMv1. */
void spn_funnel_success(spn_store_t *s, int i, int mc, int et, int ntlmv1);

/* The rc4-tickets self-check: warns while Kerberos successes used RC4
 * tickets (n: SPN_ET_N counts of a scope).  Adds one check to r. */
void spn_selfcheck_rc4(apr_pool_t *p, const uint64_t *n, spn_checks_t *r);

/* The kerberos-share self-check: warns when NTLM carries more than max_pct
 * percent of n (krb5, ntlm, other) successes, once at least
 * SPN_SHARE_MIN successes were counted.  Adds one check to r. */
#define SPN_SHARE_MIN 10
#define SPN_NTLM_SHARE_DEFAULT 10
void spn_selfcheck_share(apr_pool_t *p, const uint64_t *n, int max_pct, spn_checks_t *r);

#endif

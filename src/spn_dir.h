/* spn_dir.h: what the directory (Active Directory) says about an SPN:
 * who holds it, through which value, and that account's key facts
 * (issue 11).  Fixed-size records with no pointers, so the module keeps
 * them in shared memory and the CLI on the stack.
 *
 * Two rooms use this contract:
 *   spn_dir.c       pure: decoding (kinds, userAccountControl, enctypes),
 *                   the JSON of the contract, the refinement of a diagnosis;
 *   spn_ldap.c      the lookup itself: OpenLDAP libldap, a Cyrus SASL
 *                   GSSAPI bind as a monitoring identity (a MEMORY ccache
 *                   made from its keytab; the process's KRB5CCNAME is
 *                   never touched), timeouts on connect and on every
 *                   operation.  Never called on a request's path. */
#ifndef SPN_DIR_H
#define SPN_DIR_H

#include "spn_buf.h"

#include <apr_pools.h>
#include <krb5.h>
#include <stdint.h>

#define SPN_DIR_MAX_HOLDERS 4

typedef enum {
    SPN_DIR_KIND_UNKNOWN = 0,
    SPN_DIR_KIND_COMPUTER = 1,
    SPN_DIR_KIND_USER = 2,
    SPN_DIR_KIND_MSA = 3,       /* msDS-ManagedServiceAccount */
    SPN_DIR_KIND_GMSA = 4       /* msDS-GroupManagedServiceAccount */
} spn_dir_kind_t;

/* One account that holds the SPN (directly, or HOST/ through sPNMappings). */
typedef struct {
    char account[160];          /* NETBIOS\sam, e.g. CONTOSO\WEB01$ */
    char sam[72];               /* sAMAccountName */
    char via[256];              /* the servicePrincipalName value that matched */
    int32_t kind;               /* spn_dir_kind_t */
    int32_t kvno;               /* msDS-KeyVersionNumber; -1 unknown */
    int32_t enctypes;           /* msDS-SupportedEncryptionTypes; -1 not set */
    uint32_t uac;               /* userAccountControl */
    int64_t pwd_last_set;       /* seconds since the epoch; 0 unknown/never */
} spn_dir_holder_t;

typedef enum {
    SPN_DIR_UNCHECKED = 0,      /* not looked up yet */
    SPN_DIR_OK = 1,             /* looked up: n_holders says what was found */
    SPN_DIR_ERROR = 2,          /* the lookup failed: error says why */
    SPN_DIR_SLOW = 3            /* the store's dir_state only: the directory answers,
                                   too slowly to serve (dir_error says how slowly) */
} spn_dir_state_t;

/* What the directory says about one SPN (as asked: "HTTP/web01.contoso.test"). */
typedef struct {
    char spn[256];
    int64_t checked_at;         /* seconds since the epoch; 0 never */
    int32_t state;              /* spn_dir_state_t */
    int32_t n_holders;          /* every holder found (may exceed the array) */
    int32_t forest;             /* 1: searched through the Global Catalog */
    int32_t pad;
    char error[160];
    spn_dir_holder_t holders[SPN_DIR_MAX_HOLDERS];
} spn_dir_spn_t;

/* userAccountControl bits the pages name. */
#define SPN_UAC_ACCOUNTDISABLE      0x00000002u
#define SPN_UAC_USE_DES_KEY_ONLY    0x00200000u
#define SPN_UAC_DONT_REQUIRE_PREAUTH 0x00400000u

/* ---- spn_dir.c (pure) ---- */

/* "computer", "user", "msa", "gmsa", "unknown". */
const char *spn_dir_kind_name(int kind);
/* msDS-SupportedEncryptionTypes as words: "AES256-CTS-HMAC-SHA1-96,
 * AES128-CTS-HMAC-SHA1-96" (RC4-HMAC, DES-CBC-CRC, DES-CBC-MD5,
 * AES256-SK ...); "not set (RC4 and DES by default)" for -1. */
void spn_dir_enctypes_words(spn_buf_t *b, int32_t enctypes);
/* 1 when a holder's msDS-SupportedEncryptionTypes admits krb5 enctype e
 * (unset admits RC4 only, as a DC issues service tickets). */
int spn_dir_enctype_allowed(int32_t enctypes, int32_t etype);

/* The JSON of the contract: one object per SPN, then checked_at (the
 * newest checked_at of the set), into b:
 * {"spns":[{"spn":..,"holders":[{"account","sam","kind","via","kvno",
 * "enctypes","disabled"}],"duplicate":bool,"error":null|"..."}],
 * "checked_at":"2026-11-25T10:00:00Z"} */
void spn_dir_json(spn_buf_t *b, const spn_dir_spn_t *spns, int n);

/* One value of one attribute of one entry, as the directory sent it
 * (bytes, not NUL-terminated, hostile). */
typedef struct {
    const char *attr;
    const char *val;
    size_t len;
} spn_dir_val_t;

/* Adds one entry of a servicePrincipalName search to out: counts it in
 * n_holders and, while there is room, decodes it into holders[]
 * (bounded copies, truncated; numbers parsed strictly).  match is the
 * value searched for ("HTTP/x", or "HOST/x" on the sPNMappings path):
 * via is the entry's servicePrincipalName value equal to it (ignoring
 * case), else match itself.  netbios (may be NULL or "") prefixes
 * account.  An entry with no sAMAccountName is not an account: ignored.
 * The lookup (spn_ldap.c) and the tests (recorded answers) both use it. */
void spn_dir_add_entry(spn_dir_spn_t *out, const char *netbios, const char *match,
                       const spn_dir_val_t *vals, size_t n);
/* A recorded answer in LDIF (ldapsearch -LLL output: "attr: value",
 * "attr:: base64", continuation lines, entries separated by blank
 * lines, "#" comments, "ref:" referrals ignored) fed through
 * spn_dir_add_entry.  At most 64 values per entry are kept.  Returns
 * the number of entries read. */
int spn_dir_add_ldif(spn_dir_spn_t *out, const char *netbios, const char *match,
                     const char *ldif, size_t n);

/* sPNMappings ("host=alerter,http,..."; one value): when spn's service
 * class is one of the aliases (ignoring case), writes the mapped SPN
 * ("host/" + the rest of spn) to mapped and returns 1; else 0. */
int spn_dir_mapped(const char *mappings, size_t n, const char *spn, char *mapped, size_t msz);
/* The other name form of spn: "HTTP/web01.contoso.test" -> "HTTP/web01",
 * "HTTP/web01" -> "HTTP/web01.<dns_domain>" (a :port is kept).  0 with
 * out filled, -1 when there is none (an IP literal, no dns_domain, a
 * host in another domain, too long). */
int spn_dir_other_form(const char *spn, const char *dns_domain, char *out, size_t osz);
/* "DC=contoso,DC=test" -> "contoso.test" (-1 when not a DC= name). */
int spn_dir_dns_domain(const char *dn, char *out, size_t osz);
/* LDAP filter value escaping (RFC 4515 section 3): * ( ) \ NUL and every
 * byte >= 0x80 or < 0x20 as \XX.  -1 when it does not fit. */
int spn_dir_filter_escape(const char *s, char *out, size_t osz);
/* 1 when holder h is account (NETBIOS\sam, or sam alone), ignoring case. */
int spn_dir_holder_is(const spn_dir_holder_t *h, const char *account);
/* Text for a terminal (every directory byte escaped), one SPN a line
 * or more. */
void spn_dir_text(spn_buf_t *b, const spn_dir_spn_t *spns, int n);

/* ---- spn_ldap.c (the lookup) ---- */

typedef struct spn_dir_conn spn_dir_conn_t;

/* Binds to uri (ldap:// or ldaps://) as client, with the keys in
 * client_keytab, waiting at most timeout_ms for each step.  Reads the
 * RootDSE (defaultNamingContext, configurationNamingContext), the
 * domain's NetBIOS name and sPNMappings.  NULL on failure, with why in
 * err ("bind failed: ...", "clock skew ...", "cannot reach ..."). */
spn_dir_conn_t *spn_dir_open(apr_pool_t *p, krb5_context ctx, const char *uri,
                             const char *client_keytab, const char *client,
                             int timeout_ms, char *err, size_t errsz);
/* Looks up one SPN (case-insensitive, as AD matches), forest-wide through
 * the Global Catalog when it answers, domain-wide otherwise; when no
 * account holds it and its service class is in sPNMappings, the HOST/
 * holder answers (via = "HOST/..."). Fills out (out->checked_at = now).
 * Returns 0, or -1 when the connection is no longer usable. */
int spn_dir_lookup(spn_dir_conn_t *c, const char *spn, int64_t now, spn_dir_spn_t *out);
void spn_dir_close(spn_dir_conn_t *c);
/* What spn_dir_open read: the domain's NetBIOS name ("" unknown), its
 * DNS name (from defaultNamingContext), 1 when the Global Catalog answers. */
const char *spn_dir_netbios(const spn_dir_conn_t *c);
const char *spn_dir_domain(const spn_dir_conn_t *c);
int spn_dir_has_gc(const spn_dir_conn_t *c);

#endif

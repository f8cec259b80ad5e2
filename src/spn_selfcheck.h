/* spn_selfcheck.h: configuration self-checks (status page, spncheck keytab).
 * Check ids are a public contract (Prometheus labels, JSON). */
#ifndef SPN_SELFCHECK_H
#define SPN_SELFCHECK_H

#include "spn_diag.h"

enum { SPN_CHECK_PASS = 0, SPN_CHECK_WARN, SPN_CHECK_FAIL };
#define SPN_CHECK_MAX 16

typedef struct {
    const char *id;         /* keytab-readable, spn-in-keytab, both-forms,
                               strong-enctypes, names-covered, kvno-consistent,
                               raw-ntlmssp, ... */
    int state;
    const char *message;    /* raw text: escape when rendering */
    const char *remedy;     /* a command, or NULL */
} spn_check_t;

typedef struct {
    int n, worst;
    spn_check_t c[SPN_CHECK_MAX];
} spn_checks_t;

/* names: the ServerName and ServerAlias values of the scope (may be 0). */
void spn_selfcheck(apr_pool_t *p, const spn_service_t *svc, const char *const *names,
                   int n_names, spn_checks_t *r);
const char *spn_check_state_name(int s);

/* Raw NTLMSSP under "Negotiate" and gss-ntlmssp (docs/security.md): with
 * gss-ntlmssp registered with the GSSAPI mechglue and mod_auth_gssapi not
 * limited to Kerberos (GssapiAllowedMech krb5), one request crashes the
 * httpd child (gss-ntlmssp 1.2.0). */
#define SPN_NTLMSSP_OID "1.3.6.1.4.1.311.2.2.10"

/* gss-ntlmssp registered and present: the mechglue's configuration files
 * (mech_file, e.g. /etc/gss/mech, and the *.conf files of mech_dir, e.g.
 * /etc/gss/mech.d; either may be NULL) name the NTLMSSP mechanism (by its
 * OID, or "ntlmssp" in its name) with a shared library that exists (or a
 * relative path, which the mechglue resolves itself).  Returns 1 and the
 * library's path in so (n bytes), else 0. */
int spn_ntlmssp_installed(apr_pool_t *p, const char *mech_file, const char *mech_dir,
                          char *so, size_t n);

/* GssapiAllowedMech's values (as written, space-separated, quotes allowed):
 * 1 when one of them admits NTLMSSP ("ntlmssp", its OID), else 0. */
int spn_mechs_admit_ntlmssp(const char *args);

/* What the scope lets reach mod_auth_gssapi (spn_scope_t.ntlmssp). */
enum {
    SPN_NTLMSSP_NA = 0,     /* not a mod_auth_gssapi scope (a proxy): no check */
    SPN_NTLMSSP_ABSENT,     /* gss-ntlmssp is not installed: pass */
    SPN_NTLMSSP_KRB5,       /* installed, and GssapiAllowedMech leaves it out: pass */
    SPN_NTLMSSP_OPEN        /* installed, and no GssapiAllowedMech restricts it: warn */
};
/* The raw-ntlmssp self-check for state (SPN_NTLMSSP_*; so the library;
 * where the section of a virtual-host scope that lets it in, or NULL). */
void spn_selfcheck_ntlmssp(apr_pool_t *p, int state, const char *so, const char *where,
                           spn_checks_t *r);

#endif

/* spn_diag.h: from one failed exchange (plain observations, no httpd
 * types) and the service's configuration to a named cause. */
#ifndef SPN_DIAG_H
#define SPN_DIAG_H

#include "spn_buf.h"
#include "spn_keytab.h"
#include "spn_token.h"

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
    SPN_C_COUNT = 17
} spn_cause_t;

/* The one table of causes: code, title, what it means, what the user
 * can do, likely reasons (ranked), and the admin's remedy steps.  Remedy
 * lines are templates: {fqdn} {netbios} {account} {spn} {realm}
 * {tkt_kvno} {kt_kvnos} {etype} {keytab} {client_realm} are filled in
 * (and HTML-escaped) when the page is rendered. */
typedef struct {
    const char *code;
    const char *title;
    const char *meaning;
    const char *user_advice;
    const char *reasons[4];
    const char *remedy[8];
} spn_cause_info_t;

extern const spn_cause_info_t spn_causes[SPN_C_COUNT];
const char *spn_cause_code(spn_cause_t c);
int spn_cause_from_code(const char *code);   /* -1 when unknown */

/* What the service is configured as. */
typedef struct {
    const char *const *spns;    /* SPNCheckServicePrincipal values */
    int n_spns;
    const spn_keytab_t *keytab; /* may be NULL: no keytab configured */
    const char *account;        /* DOMAIN\user, may be NULL */
    const char *netbios;        /* may be NULL: derived */
    int max_skew;               /* seconds, default 300 */
} spn_service_t;

/* What was seen on the wire. */
typedef struct {
    const char *authorization;  /* the request's Authorization value */
    const char *gss_error;      /* mod_auth_gssapi's MAG_ERROR_TEXT, or NULL */
    const char *host;           /* the Host the client asked for */
    time_t now;
    int proxied;                /* the 401 came from a backend (reverse proxy) */
    const char *backend_www;    /* the backend's WWW-Authenticate with a token, or NULL */
} spn_observation_t;

typedef struct {
    spn_cause_t cause;
    const char *scheme;         /* "Negotiate", "NTLM" */
    spn_token_t tok;
    char sname[512];            /* the ticket's service name, no realm */
    char realm[256];
    int configured;             /* sname is one of the configured SPNs */
    int held;                   /* the keytab holds sname */
    int kt_kvnos[8], n_kt_kvnos;   /* kvnos the keytab holds for sname */
    int kt_etypes[8], n_kt_etypes; /* enctypes the keytab holds for sname */
    int etype_available;        /* some candidate key has the ticket's etype */
    spn_ticket_t ticket;        /* trial decryption result */
    const char *fit_principal;  /* the keytab entry that decrypted it */
    int fit_kvno;
    long skew;                  /* authenticator ctime - now, when known */
    char fqdn[256], netbios[64];   /* for the remedies */
    const char *expected_realm;
    int proxied;
    int has_backend;            /* backend sent a token: decoded in backend */
    spn_token_t backend;
} spn_diag_t;

/* Decodes a base64 token into a buffer from p sized to it (not the cap). */
spn_err_t spn_decode_pooled(apr_pool_t *p, const char *b64, size_t len, spn_token_t *tok);

/* Runs the whole diagnosis.  krb5 ctx may be NULL when no keytab. */
void spn_diagnose(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                  const spn_observation_t *obs, spn_diag_t *d);

/* Fills d->fqdn and d->netbios, the names the remedies use. */
void spn_remedy_names(const spn_service_t *svc, const spn_observation_t *obs, spn_diag_t *d);

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
/* Cause, meaning and the remedies, filled in, as plain text (CLI). */
void spn_render_text(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc);
/* The diagnosis as JSON (spncheck diagnose --json). */
void spn_diag_json(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc);
/* key=value fields for the error log (values cannot contain spaces). */
void spn_diag_logline(spn_buf_t *b, const spn_diag_t *d);

#endif

/* spn_diag.h: from one failed exchange (plain observations, no httpd
 * types) and the service's configuration to a named cause (spn_diag.c). */
#ifndef SPN_DIAG_H
#define SPN_DIAG_H

#include "spn_buf.h"
#include "spn_cause.h"
#include "spn_cbt.h"
#include "spn_dir.h"
#include "spn_trial.h"
#include "spn_service.h"
#include "spn_token.h"

/* What was seen on the wire. */
typedef struct {
    const char *authorization;  /* the request's Authorization value */
    const char *gss_error;      /* mod_auth_gssapi's MAG_ERROR_TEXT, or NULL */
    const char *host;           /* the Host the client asked for */
    time_t now;
    int proxied;                /* the 401 came from a backend (reverse proxy) */
    const char *backend_www;    /* the backend's WWW-Authenticate with a token, or NULL */
    const char *backend_server; /* the backend's Server header (proxied), or NULL */
    const char *backend_powered_by;  /* its X-Powered-By (IIS: ASP.NET), or NULL */
    const char *tls_cert;       /* PEM certificate this server served the client (TLS), or NULL */
    /* token-too-large (src/spn_size.h): a 400 for the Authorization field */
    int too_large;              /* SPN_TOO_LARGE_HERE / _BACKEND, or 0 */
    size_t field_size;          /* its bytes (here: those read before the limit hit) */
    size_t field_limit;         /* LimitRequestFieldSize; 0 unknown (a backend's) */
    int field_partial;          /* field_size is what was read: the field is longer */
} spn_observation_t;

/* The channel binding of the client's token against this server's TLS
 * channel (spn_diag_t.cb_state). */
enum {
    SPN_CB_UNKNOWN = 0,     /* no binding read (no authenticator, no NTLMv2 AV pair) */
    SPN_CB_NONE,            /* the client bound none (all zeros / absent) */
    SPN_CB_OURS,            /* bound to this server's certificate: proven */
    SPN_CB_OTHER            /* bound, and not to a certificate this server served */
};

typedef struct spn_diag_s {
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
    int backend_iis;            /* the backend's answer shows IIS (Server: Microsoft-IIS or
                                   -HTTPAPI, or X-Powered-By: ASP.NET) */
    spn_cbt_t cbt;              /* expected binding, from obs->tls_cert (cbt.ok) */
    int cb_state;               /* SPN_CB_* */
    uint8_t cb_client[16];      /* the client's binding (NONE: zeros) */
    int too_large;              /* token-too-large: obs->too_large, field_size, field_limit */
    size_t field_size, field_limit;
    int field_partial;
    /* What the directory said (spn_dir_refine, spn_dirdiag.c); dir_state
     * 0: not consulted (no facts), and then nothing below is set. */
    int dir_state;              /* spn_dir_state_t of the facts used */
    spn_cause_t dir_from;       /* the cause before the directory refined it */
    char dir_spn[256];          /* the SPN the facts are about */
    int dir_n_holders;          /* every holder found */
    spn_dir_holder_t dir_holders[SPN_DIR_MAX_HOLDERS];
    int64_t dir_checked_at;
    int dir_mapped;             /* holders[0] answers through HOST/ (sPNMappings) */
    int dir_is_service;         /* holders[0] is the service account */
    int dir_kt_max;             /* the newest kvno the keytab holds for the SPN; -1 none */
} spn_diag_t;

/* Decodes a base64 token into a buffer from p sized to it (not the cap). */
spn_err_t spn_decode_pooled(apr_pool_t *p, const char *b64, size_t len, spn_token_t *tok);

/* Runs the whole diagnosis.  krb5 ctx may be NULL when no keytab. */
void spn_diagnose(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                  const spn_observation_t *obs, spn_diag_t *d);

/* Judges a Kerberos Ticket (DER, as the KDC issued it; buf outlives d) as
 * the AP-REQ that would carry it, without an authenticator, at time now:
 * the live probe's entry point (spn_token_decode_ticket). */
void spn_diagnose_ticket(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                         const uint8_t *ticket, size_t len, time_t now, spn_diag_t *d);

/* Fills d->fqdn and d->netbios, the names the remedies use. */
void spn_remedy_names(const spn_service_t *svc, const spn_observation_t *obs, spn_diag_t *d);

/* key=value fields for the error log (values cannot contain spaces). */
void spn_diag_logline(spn_buf_t *b, const spn_diag_t *d);

#endif

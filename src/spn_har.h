/* spn_har.h: the Negotiate/NTLM exchanges of a browser's HAR export
 * (spn_har.c).  The caller reads the HAR (the CLI uses jansson) and hands
 * each entry over as plain strings; the walker classifies it, decodes
 * both directions, diagnoses each failed exchange with the module's
 * engine, and writes a report: a one-screen summary first, then every
 * exchange (text), or one JSON document. */
#ifndef SPN_HAR_H
#define SPN_HAR_H

#include "spn_diag.h"
#include "spn_json.h"

#define SPN_HAR_MAX_ENTRIES 100000   /* entries past it are not read */
#define SPN_HAR_MAX_WWW     16       /* WWW-Authenticate values per response */

/* One HAR entry, as plain strings (NULL when absent). */
typedef struct {
    const char *url;
    const char *started;            /* startedDateTime, ISO 8601 */
    int status;
    const char *authorization;      /* the request's Authorization */
    const char *www[SPN_HAR_MAX_WWW];  /* the response's WWW-Authenticate values */
    int n_www;
    const char *connection;         /* the entry's "connection" id (Chrome), or NULL */
} spn_har_entry_t;

/* A request to the URL of a Negotiate challenge, right after it (the
 * browser's answer, when the export kept it). */
#define SPN_HAR_MAX_RETRIES 64
typedef struct {
    size_t challenge, retry;        /* entry indexes */
    int status;                     /* the retry's */
    const char *conn_challenge, *conn_retry;   /* NULL when the HAR has none */
} spn_har_retry_t;

enum { SPN_HAR_CHALLENGE, SPN_HAR_CONTINUE, SPN_HAR_SUCCESS, SPN_HAR_FAILED, SPN_HAR_KINDS };

/* A walk in progress. */
typedef struct {
    apr_pool_t *p;
    krb5_context ctx;               /* may be NULL: no keytab checks */
    const spn_service_t *svc;
    int json;
    int counts[SPN_HAR_KINDS];
    spn_buf_t sum, det;             /* the failures' summaries; the exchanges */
    spn_json_t dw;                  /* the exchanges array, into det (json) */
    /* A sanitized export (Chrome's default drops Authorization and Cookie):
     * challenges but no Authorization header at all. */
    size_t n_auth;                  /* entries with an Authorization header */
    const char *pend_url, *pend_conn;   /* the last challenge not yet followed */
    size_t pend_idx;
    spn_har_retry_t retries[SPN_HAR_MAX_RETRIES];
    int n_retries;
} spn_har_t;

void spn_har_begin(spn_har_t *h, apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                   int json);
/* Entry number index (0-based, as in the HAR). */
void spn_har_entry(spn_har_t *h, size_t index, const spn_har_entry_t *e);
/* 1 when the HAR looks sanitized: Negotiate challenges, and no request
 * carries an Authorization header (call after the last entry). */
int spn_har_sanitized(const spn_har_t *h);

/* The report for file (its name, escaped) with n_entries entries, into
 * out.  Returns 1 when some exchange failed, else 0. */
int spn_har_end(spn_har_t *h, const char *file, size_t n_entries, spn_buf_t *out);

#endif

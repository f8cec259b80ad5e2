/* spn_probe.h: the live SPN probe.  With a monitoring identity (client
 * keytab + principal), ask the KDC for a service ticket for each SPN and
 * judge it against the service keytab with the same engine as a failed
 * browser exchange, so the causes and remedies are the page's. */
#ifndef SPN_PROBE_H
#define SPN_PROBE_H

#include "spn_diag.h"

typedef struct {
    const char *spn;            /* as probed (with realm) */
    int ok;                     /* the ticket decrypts with the service key */
    int cause;                  /* spn_cause_t: the page's cause when not ok */
    int tkt_kvno, tkt_etype;    /* of the ticket the KDC issued; -1 / 0 unknown */
    char message[384];          /* one line, raw text (escape when rendering) */
    const spn_diag_t *diag;     /* the engine's facts when a ticket came back */
} spn_probe_result_t;

/* Authenticates once as client (from client_keytab), then probes each
 * SPN.  Returns 0 when the probe ran (results filled; some may fail), or
 * -1 when the identity could not authenticate (message in err). */
int spn_probe(apr_pool_t *p, krb5_context ctx, const char *client_keytab, const char *client,
              const spn_service_t *svc, const char *const *spns, int n,
              spn_probe_result_t *out, char *err, size_t errsz);

/* The SPNs worth probing for svc: each configured SPN, and for each FQDN
 * form the short (NetBIOS) form too (KB1077), lower-cased as browsers ask
 * for it (HTTP/web01).  Returns the count (<= max). */
int spn_probe_targets(apr_pool_t *p, const spn_service_t *svc, const char **out, int max);

#endif

/* spn_status.h: the admin status page (HTML, JSON, Prometheus text) over
 * plain descriptions of the configured scopes and the failure store. */
#ifndef SPN_STATUS_H
#define SPN_STATUS_H

#include "spn_dirstatus.h"
#include "spn_selfcheck.h"
#include "spn_store.h"

/* A server / vhost / location where SPNCheck is On, as configured. */
typedef struct {
    const char *server;         /* "web01.example.com:443" */
    const char *location;       /* "/app", or NULL at the virtual-host level */
    spn_service_t svc;          /* SPNs, keytab (loaded), account, netbios */
    const char *keytab_path;
    const char *const *names;   /* ServerName and ServerAlias values */
    int n_names;
    int detail;
    const uint64_t *mech_counts;    /* successes by mechanism (SPN_MC_N), or NULL */
    const spn_mech_slot_t *funnel;  /* the scope's funnel (spn_funnel.h), or NULL */
    int ntlm_share_max;             /* SPNCheckNTLMShare (kerberos-share) */
    int ntlmssp;                    /* SPN_NTLMSSP_* (raw-ntlmssp) */
    const char *ntlmssp_so;         /* gss-ntlmssp's library, when installed */
    const char *ntlmssp_where;      /* "<Location /x>" of a vhost scope that lets it in */
} spn_scope_t;

typedef struct {
    const spn_scope_t *scopes;
    int n_scopes;
    const spn_store_t *store;   /* header only: counters, capacity, probe;
                                   NULL without shared memory */
    const spn_failure_t *recent;    /* newest first (spn_store_snapshot) */
    int n_recent;
    int64_t now;
    const char *version;        /* module version string */
    const char *node;           /* SPNCheckNodeName: this node, which references name */
    spn_dirconf_t dir;          /* SPNCheckDirectory; uri NULL when off */
    /* SPNCheckMaxScopes, and the scopes past it (not counted, self-checked,
     * probed or looked up): how many, and the first few by label */
    int max_scopes;
    int n_uncovered, n_uncovered_shown;
    const char *const *uncovered;
} spn_status_t;
#define SPN_STATUS_UNCOVERED_SHOWN 20

void spn_status_html(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
void spn_status_json(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
void spn_status_prometheus(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st);
/* One failure in full (?ref=): the page its user would have seen at
 * detail full, with the configuration of the scope that saw it. */
void spn_status_ref(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f);
/* The same as JSON (?ref=ID&format=json): {"ref", "time", "scope", "client",
 * "host", "proxied", "diagnosis": the CLI's diagnose --json object, its
 * cause refined by the directory and its "fix"}. */
void spn_status_ref_json(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f);

/* A Prometheus label value (without its quotes): \\ \" \n escaped, other
 * control characters and bytes that are not UTF-8 become U+FFFD, so the
 * exposition stays valid UTF-8 whatever a <Location> path holds. */
void spn_prom_label(spn_buf_t *b, const char *v);

/* "2026-11-24 19:00:00Z" */
void spn_fmt_time(char *out, size_t n, int64_t t);

#endif

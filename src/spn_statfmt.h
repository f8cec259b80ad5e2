/* spn_statfmt.h: the status page's lowest room: the plain descriptions it
 * is built from (spn_scope_t, spn_status_t, spn_dirconf_t) and the small
 * formatters its parts share (time, Prometheus label, a scope's label and
 * link).  The page's parts include this, never spn_status.h:
 * spn_status -> spn_chart, spn_dirstatus, spn_funnel -> spn_statfmt
 * (make check-rooms keeps it so). */
#ifndef SPN_STATFMT_H
#define SPN_STATFMT_H

#include "spn_buf.h"
#include "spn_selfcheck.h"
#include "spn_store.h"

/* How SPNCheckDirectory is configured, for the command that checks it
 * (all NULL: off). */
typedef struct {
    const char *uri, *keytab, *client;
} spn_dirconf_t;

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

/* A scope's self-checks as ids and states, without their findings
 * (spn_statcache.h keeps them between scrapes). */
typedef struct {
    uint8_t n, worst;
    uint8_t state[SPN_CHECK_MAX];
    const char *id[SPN_CHECK_MAX];  /* the check table's ids (string literals) */
} spn_verdict_t;
/* ck's ids and states into v. */
void spn_verdict_of(spn_verdict_t *v, const spn_checks_t *ck);

typedef struct spn_status_s spn_status_t;

struct spn_status_s {
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
    /* Each scope's self-checks (spn_scope_checks), when the page computed
     * them once for all its parts; NULL: each part computes its own. */
    const spn_checks_t *checks;
    /* SPNCheckMaxScopes, and the scopes past it (not counted, probed or
     * looked up; no kerberos-share or rc4-tickets self-check): how many,
     * and the first few by label */
    int max_scopes;
    int n_uncovered, n_uncovered_shown;
    const char *const *uncovered;
    /* Each scope's verdict, kept between scrapes (spn_statcache.h), or
     * NULL: the default page then runs every scope's checks.  With them,
     * it runs the checks only of the scopes it shows with their findings,
     * through full (NULL: spn_scope_checks on the scope as it is), which
     * loads the scope's keytab; ctx is full's. */
    const spn_verdict_t *verdicts;
    void (*full)(const spn_status_t *st, int i, apr_pool_t *p, spn_checks_t *out);
    void *ctx;
    /* The scopes by their labels' first SPN_LABEL_FIELD - 1 bytes (what
     * the store's scope fields keep): spn_status_label_index, or NULL
     * (each failure's scope is then found by a walk of the scopes). */
    const struct apr_hash_t *by_label;
};
/* The size of the store's scope fields (spn_failure_t, spn_probe_slot_t). */
#define SPN_LABEL_FIELD 128

/* The index of spn_status_t.by_label for n scopes, in p: the scope whose
 * label's first SPN_LABEL_FIELD - 1 bytes are a key, or a mark that
 * several scopes' are.  Read-only once made (threads may share it). */
const struct apr_hash_t *spn_status_label_index(apr_pool_t *p, const spn_scope_t *sc, int n);
/* The scope by_label names for field's first cap - 1 bytes (cap ==
 * SPN_LABEL_FIELD), or -1: none, or several. */
int spn_status_label_lookup(const struct apr_hash_t *h, const char *field, size_t cap);
#define SPN_STATUS_UNCOVERED_SHOWN 20

/* A Prometheus label value (without its quotes): \\ \" \n escaped, other
 * control characters and bytes that are not UTF-8 become U+FFFD, so the
 * exposition stays valid UTF-8 whatever a <Location> path holds. */
void spn_prom_label(spn_buf_t *b, const char *v);

/* "2026-11-24 19:00:00Z" */
void spn_fmt_time(char *out, size_t n, int64_t t);

/* A scope's label: server then location ("web01.example.com:443/app"),
 * as failures (spn_failure_t.scope) and ?scope= name it. */
const char *spn_scope_label(apr_pool_t *p, const spn_scope_t *sc);
/* 1 when label names sc (no allocation). */
int spn_scope_is(const spn_scope_t *sc, const char *label);

/* A link to one scope's view: <a href="?scope=LABEL">TEXT</a>, the label
 * percent-encoded (every byte but [A-Za-z0-9/:._~-]), the text (the
 * label, or server and <code>location</code>) HTML-escaped. */
void spn_scope_link(spn_buf_t *b, const spn_scope_t *sc);

#endif

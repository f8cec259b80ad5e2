/* mod_spncheck_config.h: the module record and its configuration, which every
 * glue file reads (mod_spncheck_config.c).  The glue's other rooms have
 * headers of their own: _keytab (the keytab cache), _inventory (the
 * keytabs' inventories), _explain (a failure explained), _store (the shared
 * history), _retry (the tokenless retry), _status (the status page),
 * _probe (SPNCheckProbe); only mod_spncheck.c, with the hooks, includes
 * them all.  The logic lives in src/ (libspncheck); nothing here decides
 * a cause. */
#ifndef MOD_SPNCHECK_CONFIG_H
#define MOD_SPNCHECK_CONFIG_H

#include "httpd.h"
#include "http_config.h"
#include "apr_hash.h"

#include "spn_render.h"
#include "spn_status.h"
#include "spn_node.h"

/* Every log line carries the module (AP_DECLARE_MODULE in mod_spncheck.c,
 * APLOG_USE_MODULE in the others) and a message id, like httpd's APLOGNO:
 * ap_log_error(..., SPNLOGNO(00010) "failed ...").  Ids are listed, with
 * what they mean, in docs/log-ids, which also holds the next free number;
 * make check fails on an id used twice, unlisted, or listed but unused. */
#define SPNLOGNO(n) "SPN" #n ": "
extern module AP_MODULE_DECLARE_DATA spncheck_module;

/* Per directory (server, vhost, <Location>, <Directory>, <If>). */
typedef struct {
    int enabled, enabled_set;            /* SPNCheck On|Off, default Off */
    int detail, detail_set;              /* SPNCheckDetail, default summary */
    int errordoc, errordoc_set;          /* SPNCheckErrorDocument, default replace */
    apr_array_header_t *spns;            /* SPNCheckServicePrincipal; NULL = inherit */
    const char *keytab;                  /* SPNCheckKeytab; NULL = inherit */
    const char *account;                 /* SPNCheckServiceAccount; NULL = inherit */
    const char *netbios;                 /* SPNCheckNetBIOSName; NULL = inherit */
    int touched;                         /* this section set one of ours */
    /* successes by mechanism (issue 12): the NTLM share that warns, and
     * the innermost section that set one of ours (its counting slot) */
    int ntlm_share, ntlm_share_set;      /* SPNCheckNTLMShare, default 10 (%) */
    const void *origin;
    const char *path;                    /* the section's own path (NULL: a server's) */
} spncheck_conf;

/* SPNCheckErrorDocument: a local ErrorDocument 401's body gives way to the
 * diagnosis of a failed exchange (replace), or stays (keep). */
#define SPNCHECK_ERRORDOC_REPLACE 0
#define SPNCHECK_ERRORDOC_KEEP    1

/* Per server; SPNCheckHistory is global (main server only). */
typedef struct {
    int history, history_set;            /* default 1000 */
    int max_scopes, max_scopes_set;      /* SPNCheckMaxScopes (main server only) */
    const char *probe_keytab;            /* SPNCheckProbe: off when NULL */
    const char *probe_client;
    int probe_interval;                  /* seconds, default 900 */
    int mech_slot;                       /* the vhost's counting slot, -1 none (its
                                            sections': spncheck_mech_slot's table) */
    const char *dir_uri;                 /* SPNCheckDirectory: off when NULL */
    const char *dir_keytab;
    const char *dir_client;
    int dir_interval;                    /* seconds, default 900 */
    const char *node;                    /* SPNCheckNodeName (main server only); NULL:
                                            the host name's first label (spncheck_node) */
} spncheck_srv;

#define SPNCHECK_HISTORY_DEFAULT 1000
#define SPNCHECK_HISTORY_MAX     1000000
/* SPNCheckMaxScopes: scopes counted, self-checked, probed and looked up
 * (shared memory is sized from the configuration up to this); the rest
 * are named at start-up (SPN00100) and on the status page.  The default
 * fits 5,000 virtual hosts with a <Location> of their own each. */
#define SPNCHECK_MAX_SCOPES_DEFAULT 10000
#define SPNCHECK_MAX_SCOPES_MAX     1000000

/* mod_spncheck_config.c */
extern const command_rec spncheck_cmds[];
void *spncheck_create_dir(apr_pool_t *p, char *dir);
void *spncheck_merge_dir(apr_pool_t *p, void *base, void *add);
void *spncheck_create_srv(apr_pool_t *p, server_rec *s);
void *spncheck_merge_srv(apr_pool_t *p, void *base, void *add);
/* The service description of a configuration (keytab not loaded). */
void spncheck_service(const spncheck_conf *c, spn_service_t *svc);
/* The same, with what the fix needs: s's ServerName and ServerAlias values
 * (wildcards too) and the group httpd runs as. */
void spncheck_service_of(apr_pool_t *p, const server_rec *s, const spncheck_conf *c,
                         spn_service_t *svc);
/* post_config: the group httpd runs as, by name, for the fix; this
 * node's name (SPNCheckNodeName of the main server s, or the default). */
void spncheck_config_post_config(apr_pool_t *pconf, server_rec *s);
/* This node's name, which references carry ("ABCD-EFGH@web01"). */
const char *spncheck_node(void);
/* Every server / vhost / section with SPNCheck On, with each keytab's
 * inventory (never its keys; mod_spncheck_inventory.h), allocated in p. */
int spncheck_scopes(apr_pool_t *p, spn_scope_t **out);
/* The same without loading keytabs (no lock needed). */
int spncheck_scopes_noload(apr_pool_t *p, spn_scope_t **out);
/* Scope i's keytab inventory (spncheck_scopes' order), in p; NULL without
 * a keytab or before post_config found the scopes. */
const spn_keytab_t *spncheck_scope_inventory(apr_pool_t *p, int i);
/* How many scopes have SPNCheck On: counted once at post_config (by
 * spncheck_mech_assign), so a child asks without building them again. */
int spncheck_scope_count(void);
/* Success counting by mechanism: names a slot of the shared store for
 * every scope (the store has one per scope, up to SPNCheckMaxScopes), in
 * spncheck_scopes' order (post_config; what it keeps goes into p, its
 * walk's scratch into scratch); and the slot of a request's scope, -1
 * when none. */
void spncheck_mech_assign(apr_pool_t *p, apr_pool_t *scratch, spn_store_t *store);
/* SPNCheckMaxScopes: the first this many of spncheck_scopes' scopes are
 * covered (counted, self-checked, probed, looked up); the rest are not. */
int spncheck_max_scopes(void);
/* The scope label ("host:port/location") of scope sc, as its slot is named. */
const char *spncheck_scope_label(apr_pool_t *p, const spn_scope_t *sc);
int spncheck_mech_slot(request_rec *r, const spncheck_conf *c);
/* The module's one conn_config slot, shared by the retry memo
 * (mod_spncheck_retry.c) and the gave-up state (mod_spncheck_conn.c):
 * of the master connection, made (make != 0) in pre_connection only, in
 * the connection's own thread; read from any (HTTP/2 streams).  NULL when
 * not made. */
typedef struct {
    void *retry;
    void *gave_up;
} spncheck_conn_slots;
spncheck_conn_slots *spncheck_conn_slots_of(const conn_rec *c, int make);
/* "host:port" of a server, and the scope label of a request. */
const char *spncheck_server_label(apr_pool_t *p, const server_rec *s);
const char *spncheck_request_scope(request_rec *r);

#endif

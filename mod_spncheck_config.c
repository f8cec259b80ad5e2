/* mod_spncheck_config.c: directives, defaults and merging, and the list
 * of configured scopes the status page reports on. */
#include "mod_spncheck_config.h"

#include <grp.h>
#include "unixd.h"
#include "mod_spncheck_inventory.h"
#include "mod_spncheck_ntlmssp.h"

#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "util_cfgtree.h"

#include "apr_hash.h"
#include "apr_network_io.h"
#include "apr_strings.h"
#include "spn_mechcount.h"

#include <stdlib.h>
#include <strings.h>

APLOG_USE_MODULE(spncheck);

void *spncheck_create_dir(apr_pool_t *p, char *dir)
{
    spncheck_conf *c = apr_pcalloc(p, sizeof(*c));
    c->path = dir ? apr_pstrdup(p, dir) : NULL;
    c->detail = SPN_DETAIL_SUMMARY;
    c->ntlm_share = SPN_NTLM_SHARE_DEFAULT;
    c->origin = c;
    return c;
}

/* Every field: the child's value when it set one, else the parent's. */
void *spncheck_merge_dir(apr_pool_t *p, void *basev, void *addv)
{
    spncheck_conf *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));
    c->enabled = add->enabled_set ? add->enabled : base->enabled;
    c->enabled_set = add->enabled_set || base->enabled_set;
    c->detail = add->detail_set ? add->detail : base->detail;
    c->detail_set = add->detail_set || base->detail_set;
    c->errordoc = add->errordoc_set ? add->errordoc : base->errordoc;
    c->errordoc_set = add->errordoc_set || base->errordoc_set;
    c->spns = add->spns ? add->spns : base->spns;
    c->keytab = add->keytab ? add->keytab : base->keytab;
    c->account = add->account ? add->account : base->account;
    c->netbios = add->netbios ? add->netbios : base->netbios;
    c->touched = add->touched;
    c->ntlm_share = add->ntlm_share_set ? add->ntlm_share : base->ntlm_share;
    c->ntlm_share_set = add->ntlm_share_set || base->ntlm_share_set;
    c->origin = add->touched ? add->origin : base->origin;
    return c;
}

void *spncheck_create_srv(apr_pool_t *p, server_rec *s)
{
    spncheck_srv *c = apr_pcalloc(p, sizeof(*c));
    (void)s;
    c->history = SPNCHECK_HISTORY_DEFAULT;
    c->max_scopes = SPNCHECK_MAX_SCOPES_DEFAULT;
    c->probe_interval = 900;
    c->mech_slot = -1;
    c->dir_interval = 900;
    return c;
}

void *spncheck_merge_srv(apr_pool_t *p, void *basev, void *addv)
{
    spncheck_srv *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));
    c->history = add->history_set ? add->history : base->history;
    c->history_set = add->history_set || base->history_set;
    c->max_scopes = add->max_scopes_set ? add->max_scopes : base->max_scopes;
    c->max_scopes_set = add->max_scopes_set || base->max_scopes_set;
    c->probe_keytab = add->probe_keytab ? add->probe_keytab : base->probe_keytab;
    c->probe_client = add->probe_keytab ? add->probe_client : base->probe_client;
    c->probe_interval = add->probe_keytab ? add->probe_interval : base->probe_interval;
    c->mech_slot = -1;                     /* assigned at post_config */
    /* SPNCheckDirectory is main-server only: a virtual host inherits it whole */
    c->dir_uri = add->dir_uri ? add->dir_uri : base->dir_uri;
    c->dir_keytab = add->dir_uri ? add->dir_keytab : base->dir_keytab;
    c->dir_client = add->dir_uri ? add->dir_client : base->dir_client;
    c->dir_interval = add->dir_uri ? add->dir_interval : base->dir_interval;
    /* SPNCheckNodeName is main-server only: a virtual host inherits it */
    c->node = add->node ? add->node : base->node;
    return c;
}

static const char *set_enabled(cmd_parms *cmd, void *cfg, int on)
{
    spncheck_conf *c = cfg;
    (void)cmd;
    c->enabled = on;
    c->enabled_set = c->touched = 1;
    return NULL;
}

static const char *set_detail(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    (void)cmd;
    if (!strcasecmp(arg, "none")) c->detail = SPN_DETAIL_NONE;
    else if (!strcasecmp(arg, "summary")) c->detail = SPN_DETAIL_SUMMARY;
    else if (!strcasecmp(arg, "full")) c->detail = SPN_DETAIL_FULL;
    else return "SPNCheckDetail must be none, summary or full";
    c->detail_set = c->touched = 1;
    return NULL;
}

static const char *set_errordoc(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    (void)cmd;
    if (!strcasecmp(arg, "replace")) c->errordoc = SPNCHECK_ERRORDOC_REPLACE;
    else if (!strcasecmp(arg, "keep")) c->errordoc = SPNCHECK_ERRORDOC_KEEP;
    else return "SPNCheckErrorDocument must be replace or keep";
    c->errordoc_set = c->touched = 1;
    return NULL;
}

static const char *set_ntlm_share(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    char *end;
    long n = strtol(arg, &end, 10);
    (void)cmd;
    if (end == arg || (*end && strcmp(end, "%") != 0) || n < 0 || n > 100)
        return "SPNCheckNTLMShare: a percentage from 0 to 100 (e.g. 10 or 10%)";
    c->ntlm_share = (int)n;
    c->ntlm_share_set = c->touched = 1;
    return NULL;
}

static const char *add_spn(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    if (!strchr(arg, '/'))
        return apr_psprintf(cmd->pool, "SPNCheckServicePrincipal %s: expected SERVICE/host[@REALM]", arg);
    if (!c->spns)
        c->spns = apr_array_make(cmd->pool, 4, sizeof(const char *));
    APR_ARRAY_PUSH(c->spns, const char *) = arg;
    c->touched = 1;
    return NULL;
}

static const char *set_keytab(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    c->keytab = ap_server_root_relative(cmd->pool, arg);
    c->touched = 1;
    return c->keytab ? NULL : "SPNCheckKeytab: bad path";
}

/* SPNCheckServiceAccount, SPNCheckNetBIOSName: a string field each. */
static const char *set_string(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_conf *c = cfg;
    *(const char **)((char *)c + (apr_size_t)cmd->info) = arg;
    c->touched = 1;
    return NULL;
}

/* A main-server count from 1 to max: NULL, or why not. */
static const char *global_count(cmd_parms *cmd, const char *arg, long max, const char *what,
                                int *out, int *set)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    long n;
    if (err)
        return err;
    n = strtol(arg, &end, 10);
    if (end == arg || *end || n < 1 || n > max)
        return what;
    *out = (int)n;
    *set = 1;
    return NULL;
}

static const char *set_history(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_srv *c = ap_get_module_config(cmd->server->module_config, &spncheck_module);
    (void)cfg;
    return global_count(cmd, arg, SPNCHECK_HISTORY_MAX,
                        "SPNCheckHistory: a number of failures from 1 to 1000000",
                        &c->history, &c->history_set);
}

static const char *set_max_scopes(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_srv *c = ap_get_module_config(cmd->server->module_config, &spncheck_module);
    (void)cfg;
    return global_count(cmd, arg, SPNCHECK_MAX_SCOPES_MAX,
                        "SPNCheckMaxScopes: a number of scopes from 1 to 1000000",
                        &c->max_scopes, &c->max_scopes_set);
}

static const char *set_probe(cmd_parms *cmd, void *cfg, const char *kt, const char *princ,
                             const char *interval)
{
    spncheck_srv *c = ap_get_module_config(cmd->server->module_config, &spncheck_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_interval_time_t t = apr_time_from_sec(900);
    (void)cfg;
    if (err)
        return err;
    /* at most a year: the watchdog keeps it in an int of seconds (past that
     * it wrapped, and the probe ran at every watchdog tick, once a second) */
    if (interval && (ap_timeout_parameter_parse(interval, &t, "s") != APR_SUCCESS ||
                     t < apr_time_from_sec(10) || t > apr_time_from_sec(365 * 86400)))
        return "SPNCheckProbe: the interval is a time of at least 10s and at most 365 days "
               "(e.g. 900, 15min)";
    c->probe_keytab = ap_server_root_relative(cmd->pool, kt);
    c->probe_client = princ;
    c->probe_interval = (int)apr_time_sec(t);
    return c->probe_keytab ? NULL : "SPNCheckProbe: bad keytab path";
}

static const char *set_node(cmd_parms *cmd, void *cfg, const char *arg)
{
    spncheck_srv *c = ap_get_module_config(cmd->server->module_config, &spncheck_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)cfg;
    if (err)
        return err;
    if (!spn_node_valid(arg))
        return "SPNCheckNodeName: 1 to 32 letters, digits, '.', '_' or '-', starting with a "
               "letter or digit (a short tag that references carry; not a secret)";
    c->node = arg;
    return NULL;
}

static const char *set_directory(cmd_parms *cmd, void *cfg, const char *args)
{
    spncheck_srv *c = ap_get_module_config(cmd->server->module_config, &spncheck_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *uri = ap_getword_conf(cmd->pool, &args), *kt = ap_getword_conf(cmd->pool, &args);
    const char *princ = ap_getword_conf(cmd->pool, &args), *interval = ap_getword_conf(cmd->pool, &args);
    apr_interval_time_t t = apr_time_from_sec(900);
    size_t i;
    (void)cfg;
    if (err)
        return err;
    if (!*uri || !*kt || !*princ || *ap_getword_conf(cmd->pool, &args))
        return "SPNCheckDirectory URI KEYTAB PRINCIPAL [INTERVAL]";
    if ((strncasecmp(uri, "ldap://", 7) != 0 && strncasecmp(uri, "ldaps://", 8) != 0) ||
        strlen(uri) > 255)
        return "SPNCheckDirectory: the URI is ldap://host[:port] or ldaps://host[:port]";
    for (i = 0; uri[i]; i++)
        if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
            return "SPNCheckDirectory: the URI is ldap://host[:port] or ldaps://host[:port]";
    /* at most a year: the watchdog keeps it in an int of seconds */
    if (*interval && (ap_timeout_parameter_parse(interval, &t, "s") != APR_SUCCESS ||
                      t < apr_time_from_sec(60) || t > apr_time_from_sec(365 * 86400)))
        return "SPNCheckDirectory: the interval is a time of at least 60s and at most 365 days "
               "(e.g. 900, 15min)";
    c->dir_uri = uri;
    c->dir_keytab = ap_server_root_relative(cmd->pool, kt);
    c->dir_client = princ;
    c->dir_interval = (int)apr_time_sec(t);
    return c->dir_keytab ? NULL : "SPNCheckDirectory: bad keytab path";
}

const command_rec spncheck_cmds[] = {
    AP_INIT_FLAG("SPNCheck", set_enabled, NULL, RSRC_CONF | ACCESS_CONF,
                 "On to explain failed Negotiate exchanges here (default Off)"),
    AP_INIT_TAKE1("SPNCheckDetail", set_detail, NULL, RSRC_CONF | ACCESS_CONF,
                  "none | summary | full: what the 401 page reveals (default summary)"),
    AP_INIT_TAKE1("SPNCheckErrorDocument", set_errordoc, NULL, RSRC_CONF | ACCESS_CONF,
                  "replace | keep: a local ErrorDocument 401 gives way to the diagnosis of a "
                  "failed exchange, or stays (default replace)"),
    AP_INIT_ITERATE("SPNCheckServicePrincipal", add_spn, NULL, RSRC_CONF | ACCESS_CONF,
                    "SPNs this service should answer to, e.g. HTTP/web01.contoso.com@CONTOSO.COM"),
    AP_INIT_TAKE1("SPNCheckKeytab", set_keytab, NULL, RSRC_CONF | ACCESS_CONF,
                  "the service account's keytab (read only)"),
    AP_INIT_TAKE1("SPNCheckServiceAccount", set_string,
                  (void *)APR_OFFSETOF(spncheck_conf, account), RSRC_CONF | ACCESS_CONF,
                  "DOMAIN\\name the service or IIS app pool runs as (used in remedies)"),
    AP_INIT_TAKE1("SPNCheckNetBIOSName", set_string,
                  (void *)APR_OFFSETOF(spncheck_conf, netbios), RSRC_CONF | ACCESS_CONF,
                  "the host's NetBIOS name (default: first label of the SPN's host, upper-cased)"),
    AP_INIT_TAKE1("SPNCheckNTLMShare", set_ntlm_share, NULL, RSRC_CONF | ACCESS_CONF,
                  "the share of successful sign-ins NTLM may carry before the kerberos-share "
                  "self-check warns (default 10%)"),
    AP_INIT_TAKE1("SPNCheckHistory", set_history, NULL, RSRC_CONF,
                  "failures kept in shared memory for the status page (default 1000)"),
    AP_INIT_TAKE1("SPNCheckMaxScopes", set_max_scopes, NULL, RSRC_CONF,
                  "scopes (servers, vhosts, sections with SPNCheck On) counted, self-checked, "
                  "probed and looked up; shared memory is sized from the configuration up to "
                  "this (default 10000)"),
    AP_INIT_TAKE23("SPNCheckProbe", set_probe, NULL, RSRC_CONF,
                   "CLIENT_KEYTAB PRINCIPAL [INTERVAL]: ask the KDC for a ticket for every "
                   "configured SPN at start-up and every INTERVAL (default 15min)"),
    AP_INIT_TAKE1("SPNCheckNodeName", set_node, NULL, RSRC_CONF,
                  "this node's short name, which references carry (\"ABCD-EFGH@web01\") so "
                  "that behind a load balancer a reference names the node that holds it "
                  "(default: the host name's first label)"),
    AP_INIT_RAW_ARGS("SPNCheckDirectory", set_directory, NULL, RSRC_CONF,
                     "URI KEYTAB PRINCIPAL [INTERVAL]: who holds each SPN, from Active "
                     "Directory (LDAP, SASL GSSAPI as PRINCIPAL), at start-up and every "
                     "INTERVAL (default 15min), and SPNs failures ask for within seconds"),
    {NULL}
};

void spncheck_service(const spncheck_conf *c, spn_service_t *svc)
{
    memset(svc, 0, sizeof(*svc));
    svc->max_skew = 300;
    svc->account = c->account;
    svc->netbios = c->netbios;
    if (c->spns) {
        svc->spns = (const char *const *)c->spns->elts;
        svc->n_spns = c->spns->nelts;
    }
}

static const char *run_group;       /* the group httpd runs as (post_config) */

static const char *node_name = "node";     /* post_config */

void spncheck_config_post_config(apr_pool_t *pconf, server_rec *s)
{
    struct group gr, *res = NULL;
    char buf[1024];
    const spncheck_srv *sv = ap_get_module_config(s->module_config, &spncheck_module);

    if (getgrgid_r(ap_unixd_config.group_id, &gr, buf, sizeof(buf), &res) == 0 && res)
        run_group = apr_pstrdup(pconf, res->gr_name);
    if (sv->node)
        node_name = sv->node;
    else {
        char host[APRMAXHOSTLEN + 1], tag[SPN_NODE_MAX + 1];
        if (apr_gethostname(host, sizeof(host), pconf) != APR_SUCCESS)
            host[0] = '\0';
        node_name = apr_pstrdup(pconf, spn_node_default(host, tag, sizeof(tag)));
    }
}

const char *spncheck_node(void)
{
    return node_name;
}

/* s's ServerName, ServerAlias and wildcard ServerAlias values. */
static void server_names(apr_pool_t *p, const server_rec *s, const char *const **names,
                         int *n)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    int i;

    if (s->server_hostname)
        APR_ARRAY_PUSH(a, const char *) = s->server_hostname;
    for (i = 0; s->names && i < s->names->nelts; i++)
        APR_ARRAY_PUSH(a, const char *) = APR_ARRAY_IDX(s->names, i, const char *);
    for (i = 0; s->wild_names && i < s->wild_names->nelts; i++)
        APR_ARRAY_PUSH(a, const char *) = APR_ARRAY_IDX(s->wild_names, i, const char *);
    *names = (const char *const *)a->elts;
    *n = a->nelts;
}

void spncheck_service_of(apr_pool_t *p, const server_rec *s, const spncheck_conf *c,
                         spn_service_t *svc)
{
    spncheck_service(c, svc);
    server_names(p, s, &svc->names, &svc->n_names);
    svc->group = run_group;
}

const char *spncheck_server_label(apr_pool_t *p, const server_rec *s)
{
    apr_port_t port = s->port ? s->port : (s->addrs ? s->addrs->host_port : 0);
    const char *name = s->server_hostname ? s->server_hostname : "-";
    return port ? apr_psprintf(p, "%s:%u", name, (unsigned)port) : name;   /* main server: no port */
}

/* The scope label of the section whose SPNCheck settings the request
 * uses (the innermost that set one of ours), as scopes() names it: not
 * the last section core merged (a <Directory> after our <Location> would
 * name a scope that does not exist, and ?ref= would lose its settings). */
const char *spncheck_request_scope(request_rec *r)
{
    const spncheck_conf *c = ap_get_module_config(r->per_dir_config, &spncheck_module);
    const spncheck_conf *o = c ? c->origin : NULL;
    return apr_pstrcat(r->pool, spncheck_server_label(r->pool, r->server),
                       o && o->path ? o->path : "", NULL);
}

/* Set while spncheck_mech_assign walks the scopes (post_config only). */
static spn_store_t *assign_store;
/* What that walk found, in the configuration's pool: every later walk
 * (the status page's, each child's, the probe's and the directory's) is a
 * copy of it, with the keytabs' inventories read afresh.  Inherited by
 * the children; a restart's post_config makes it again. */
static spn_scope_t *conf_scopes;
static server_rec **conf_servers;   /* each scope's server (for its log lines) */
static int n_conf_scopes;
static apr_array_header_t *walk_servers;
static int assigning;
/* Each section scope's counting slot, by its server and its section (the
 * origin a request's merged configuration names): one array for all the
 * servers, sorted, looked up by bisection (a hash per server cost some
 * 300 bytes a virtual host in every process). */
typedef struct {
    const server_rec *s;
    const void *origin;
    int slot;
} mech_slot_t;
static mech_slot_t *mech_table;
static int n_mech_table;
static apr_array_header_t *walk_slots;  /* mech_slot_t, while assigning */

/* Scope i's counting slot: the vhost's (section NULL) or a section's. */
static void assign_slot(server_rec *s, const spncheck_conf *section, int i, const char *label)
{
    spncheck_srv *sv = ap_get_module_config(s->module_config, &spncheck_module);
    if (i >= spncheck_max_scopes() || (assign_store && (uint32_t)i >= assign_store->n_mechs))
        return;                             /* not covered: SPN00100, the status page */
    if (!section)
        sv->mech_slot = i;
    else {
        mech_slot_t *m = apr_array_push(walk_slots);
        m->s = s;
        m->origin = section;
        m->slot = i;
    }
    spn_mech_name_slot(assign_store, i, label);
}

static int mech_slot_cmp(const void *a, const void *b)
{
    const mech_slot_t *x = a, *y = b;
    if (x->s != y->s)
        return (apr_uintptr_t)x->s < (apr_uintptr_t)y->s ? -1 : 1;
    if (x->origin != y->origin)
        return (apr_uintptr_t)x->origin < (apr_uintptr_t)y->origin ? -1 : 1;
    return 0;
}


static void add_scope(apr_pool_t *p, apr_array_header_t *a, server_rec *s,
                      const spncheck_conf *c, const char *location, int load,
                      const spncheck_conf *section, int dir, gss_installed *gi)
{
    spn_scope_t *sc = apr_array_push(a);

    if (walk_servers)
        APR_ARRAY_PUSH(walk_servers, server_rec *) = s;
    memset(sc, 0, sizeof(*sc));
    sc->server = spncheck_server_label(p, s);
    sc->location = location;
    spncheck_service_of(p, s, c, &sc->svc);
    sc->keytab_path = c->keytab;
    if (c->keytab && load)
        sc->svc.keytab = spncheck_inventory(p, s, c->keytab);
    /* ServerName and ServerAlias: the service's names without the wildcards
     * that follow them (server_names) */
    sc->names = sc->svc.names;
    sc->n_names = (s->server_hostname ? 1 : 0) + (s->names ? s->names->nelts : 0);
    sc->detail = c->detail;
    sc->ntlm_share_max = c->ntlm_share;
    sc->ntlmssp = spncheck_ntlmssp_state(gi->tmp, s, location, dir, gi, &sc->ntlmssp_so,
                                         &sc->ntlmssp_where);
    if (assigning)
        assign_slot(s, section, a->nelts - 1,
                    apr_pstrcat(gi->tmp, sc->server, location ? location : "", NULL));
}

/* Sections (<Location>, <Directory>) that set one of our directives and
 * end up with SPNCheck On, merged over their server as a request would. */
static void add_sections(apr_pool_t *p, apr_array_header_t *a, server_rec *s,
                         const spncheck_conf *vhost, apr_array_header_t *sec, int load, int dir,
                         gss_installed *gi)
{
    int i;
    for (i = 0; sec && i < sec->nelts; i++) {
        ap_conf_vector_t *v = APR_ARRAY_IDX(sec, i, ap_conf_vector_t *);
        const spncheck_conf *c = ap_get_module_config(v, &spncheck_module);
        const core_dir_config *cd = ap_get_core_module_config(v);
        spncheck_conf *m;
        if (!c || !c->touched)
            continue;
        m = spncheck_merge_dir(gi->tmp, (void *)vhost, (void *)c);
        if (m->enabled)
            add_scope(p, a, s, m, cd && cd->d ? cd->d : "?", load, c, dir, gi);
    }
}

/* The scopes, allocated in p; tmp holds what the walk needs only while
 * it runs (may be p). */
static int scopes(apr_pool_t *p, apr_pool_t *tmp, spn_scope_t **out, int load)
{
    apr_array_header_t *a = apr_array_make(tmp, 8, sizeof(spn_scope_t));
    server_rec *s;
    gss_installed gi;

    memset(&gi, 0, sizeof(gi));
    gi.perm = p;
    gi.tmp = tmp;

    for (s = ap_server_conf; s; s = s->next) {
        const spncheck_conf *vh = ap_get_module_config(s->lookup_defaults, &spncheck_module);
        core_server_config *sc = ap_get_core_module_config(s->module_config);
        if (!vh)
            continue;
        if (vh->enabled)
            add_scope(p, a, s, vh, NULL, load, NULL, 0, &gi);
        add_sections(p, a, s, vh, sc->sec_url, load, 0, &gi);
        add_sections(p, a, s, vh, sc->sec_dir, load, 1, &gi);
    }
    *out = tmp == p ? (spn_scope_t *)a->elts
                    : apr_pmemdup(p, a->elts, sizeof(spn_scope_t) * (size_t)(a->nelts ? a->nelts : 1));
    return a->nelts;
}

/* A copy of the scopes post_config found, or a walk of the configuration
 * before it did. */
static int scopes_copy(apr_pool_t *p, spn_scope_t **out, int load)
{
    int i;

    if (!conf_scopes)
        return scopes(p, p, out, load);
    *out = apr_pmemdup(p, conf_scopes, sizeof(**out) * (size_t)(n_conf_scopes ? n_conf_scopes : 1));
    for (i = 0; load && i < n_conf_scopes; i++)
        if ((*out)[i].keytab_path)
            (*out)[i].svc.keytab = spncheck_inventory(p, conf_servers[i], (*out)[i].keytab_path);
    return n_conf_scopes;
}

int spncheck_scopes(apr_pool_t *p, spn_scope_t **out)
{
    return scopes_copy(p, out, 1);
}

int spncheck_scopes_noload(apr_pool_t *p, spn_scope_t **out)
{
    return scopes_copy(p, out, 0);
}

const spn_keytab_t *spncheck_scope_inventory(apr_pool_t *p, int i)
{
    if (!conf_scopes || i < 0 || i >= n_conf_scopes || !conf_scopes[i].keytab_path)
        return NULL;
    return spncheck_inventory(p, conf_servers[i], conf_scopes[i].keytab_path);
}

static apr_status_t forget_scopes(void *data)
{
    (void)data;
    conf_scopes = NULL;
    conf_servers = NULL;
    n_conf_scopes = 0;
    mech_table = NULL;
    n_mech_table = 0;
    return APR_SUCCESS;
}

void spncheck_mech_assign(apr_pool_t *p, apr_pool_t *scratch, spn_store_t *store)
{
    spn_scope_t *out;
    server_rec *s;

    for (s = ap_server_conf; s; s = s->next) {
        spncheck_srv *sv = ap_get_module_config(s->module_config, &spncheck_module);
        sv->mech_slot = -1;
    }
    forget_scopes(NULL);
    assign_store = store;
    assigning = 1;
    walk_servers = apr_array_make(scratch, 16, sizeof(server_rec *));
    walk_slots = apr_array_make(scratch, 16, sizeof(mech_slot_t));
    n_conf_scopes = scopes(p, scratch, &out, 0);
    conf_servers = apr_pmemdup(p, walk_servers->elts,
                               sizeof(server_rec *) * (size_t)(walk_servers->nelts + 1));
    n_mech_table = walk_slots->nelts;
    mech_table = apr_pmemdup(p, walk_slots->elts, sizeof(mech_slot_t) * (size_t)(n_mech_table + 1));
    qsort(mech_table, (size_t)n_mech_table, sizeof(*mech_table), mech_slot_cmp);
    walk_servers = NULL;
    walk_slots = NULL;
    assigning = 0;
    conf_scopes = out;
    apr_pool_cleanup_register(p, NULL, forget_scopes, apr_pool_cleanup_null);
    assign_store = NULL;
}

int spncheck_scope_count(void)
{
    return n_conf_scopes;
}

int spncheck_max_scopes(void)
{
    const spncheck_srv *sv = ap_server_conf
        ? ap_get_module_config(ap_server_conf->module_config, &spncheck_module) : NULL;
    return sv ? sv->max_scopes : SPNCHECK_MAX_SCOPES_DEFAULT;
}

const char *spncheck_scope_label(apr_pool_t *p, const spn_scope_t *sc)
{
    return apr_pstrcat(p, sc->server, sc->location ? sc->location : "", NULL);
}

int spncheck_mech_slot(request_rec *r, const spncheck_conf *c)
{
    const spncheck_srv *sv = ap_get_module_config(r->server->module_config, &spncheck_module);
    mech_slot_t key;
    const mech_slot_t *m;

    key.s = r->server;
    key.origin = c ? c->origin : NULL;
    if (n_mech_table && key.origin &&
        (m = bsearch(&key, mech_table, (size_t)n_mech_table, sizeof(*mech_table),
                     mech_slot_cmp)) != NULL)
        return m->slot;
    return sv->mech_slot;
}

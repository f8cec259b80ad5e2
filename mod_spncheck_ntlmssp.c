/* mod_spncheck_ntlmssp.c: what reaches mod_auth_gssapi in a scope, from
 * the parsed configuration tree (the raw-ntlmssp self-check, SPN00090). */
#include "mod_spncheck_config.h"
#include "mod_spncheck_ntlmssp.h"

#include "http_config.h"
#include "http_log.h"
#include "http_main.h"
#include "http_core.h"
#include "util_cfgtree.h"

#include "apr_strings.h"

#include <stdlib.h>
#include <strings.h>

APLOG_USE_MODULE(spncheck);

/* ---- raw-ntlmssp: what reaches mod_auth_gssapi in a scope ------------------------
 * mod_auth_gssapi's configuration is its own (no API), so the parsed
 * configuration tree (ap_conftree, as mod_info reads it) is: the scope's
 * chain is the main server's directives, its virtual host's, then each
 * <Location> (or <Directory>) whose path is the scope's or encloses it, in
 * the order httpd merges them.  The scope is mod_auth_gssapi's when
 * "AuthType GSSAPI" is on the chain; the last GssapiAllowedMech on it says
 * which mechanisms reach gss_accept_sec_context.  Not looked at: <If>
 * (conditional), regex sections, .htaccess files. */

/* The section's path: its arguments without quotes and the closing '>'. */
static const char *section_path(apr_pool_t *p, const ap_directive_t *d)
{
    const char *a = d->args ? d->args : "";
    size_t n = strlen(a);
    while (n && (a[n - 1] == '>' || a[n - 1] == ' ' || a[n - 1] == '\t'))
        n--;
    while (n && (*a == '"' || *a == '\'' || *a == ' '))
        a++, n--;
    while (n && (a[n - 1] == '"' || a[n - 1] == '\''))
        n--;
    return apr_pstrmemdup(p, a, n);
}

/* Does section path sp enclose (or equal) the scope's path l? */
static int encloses(const char *sp, const char *l, int dir)
{
    size_t n = strlen(sp);
    if (!n || sp[0] == '~')
        return 0;                               /* regex: not followed */
    if (dir && n > 1 && sp[n - 1] == '/')
        n--;
    if (strncmp(sp, l, n) != 0)
        return 0;
    return l[n] == '\0' || l[n] == '/' || sp[n - 1] == '/';
}



static void chain_directives(const ap_directive_t *d, gss_chain *g)
{
    for (; d; d = d->next) {
        if (d->first_child || d->directive[0] == '<')
            continue;                           /* sections: their own links */
        if (strcasecmp(d->directive, "AuthType") == 0 && d->args &&
            strncasecmp(d->args + strspn(d->args, "\"' "), "GSSAPI", 6) == 0)
            g->gssapi = 1;
        else if (strcasecmp(d->directive, "GssapiAllowedMech") == 0)
            g->mechs = d->args ? d->args : "";
    }
}



static void index_tree(apr_pool_t *p, gss_installed *gi)
{
    const ap_directive_t *d;

    if (gi->indexed)
        return;
    gi->indexed = 1;
    gi->main.gssapi = 0;
    gi->main.mechs = NULL;
    chain_directives(ap_conftree, &gi->main);
    gi->sections = apr_array_make(p, 8, sizeof(const ap_directive_t *));
    gi->vhosts = apr_hash_make(p);
    for (d = ap_conftree; d; d = d->next) {
        if (strcasecmp(d->directive, "<Location") == 0 || strcasecmp(d->directive, "<Directory") == 0)
            APR_ARRAY_PUSH(gi->sections, const ap_directive_t *) = d;
        else if (strcasecmp(d->directive, "<VirtualHost") == 0 && d->filename)
            apr_hash_set(gi->vhosts, apr_psprintf(p, "%s:%d", d->filename, d->line_num),
                         APR_HASH_KEY_STRING, d);     /* the last of a place, as before */
    }
}

/* Section d, of kind (<Location or <Directory), when it encloses l. */
static void chain_section(apr_pool_t *p, const ap_directive_t *d, const char *kind,
                          const char *l, gss_chain *g)
{
    if (strcasecmp(d->directive, kind) == 0 &&
        encloses(section_path(p, d), l, kind[1] == 'D' || kind[1] == 'd'))
        chain_directives(d->first_child, g);
}

/* The chain of the scope (location NULL: the virtual host itself). */
static gss_chain scope_chain(apr_pool_t *p, const ap_directive_t *vh, const char *location,
                             int dir, const gss_installed *gi)
{
    const char *kind = dir ? "<Directory" : "<Location";
    gss_chain g = gi->main;
    const ap_directive_t *d;
    int i;

    if (vh)
        chain_directives(vh->first_child, &g);
    if (location) {
        for (i = 0; i < gi->sections->nelts; i++)
            chain_section(p, APR_ARRAY_IDX(gi->sections, i, const ap_directive_t *), kind,
                          location, &g);
        for (d = vh ? vh->first_child : NULL; d; d = d->next)
            chain_section(p, d, kind, location, &g);
    }
    return g;
}

/* A virtual host with SPNCheck On covers its sections: section d, with
 * "AuthType GSSAPI", whose chain admits NTLMSSP (its path in *where): 1;
 * *any when it has AuthType GSSAPI at all. */
static int vhost_section(apr_pool_t *p, const ap_directive_t *d, const ap_directive_t *vh,
                         int *any, const char **where, const gss_installed *gi)
{
    int dir = strcasecmp(d->directive, "<Directory") == 0;
    gss_chain own = { 0, NULL }, g;
    const char *path;
    if (!dir && strcasecmp(d->directive, "<Location") != 0)
        return 0;
    chain_directives(d->first_child, &own);
    path = section_path(p, d);
    if (!own.gssapi || path[0] == '~')
        return 0;
    *any = 1;
    g = scope_chain(p, vh, path, dir, gi);
    if (!g.mechs || spn_mechs_admit_ntlmssp(g.mechs)) {
        *where = apr_pstrcat(gi->perm, dir ? "<Directory " : "<Location ", path, ">", NULL);
        return 1;
    }
    return 0;
}

/* The first of the main server's sections, then of the virtual host's,
 * that vhost_section finds open. */
static int vhost_sections(apr_pool_t *p, const ap_directive_t *vh, int *any, const char **where,
                          const gss_installed *gi)
{
    const ap_directive_t *d;
    int i;

    for (i = 0; i < gi->sections->nelts; i++)
        if (vhost_section(p, APR_ARRAY_IDX(gi->sections, i, const ap_directive_t *), vh, any,
                          where, gi))
            return 1;
    for (d = vh ? vh->first_child : NULL; d; d = d->next)
        if (vhost_section(p, d, vh, any, where, gi))
            return 1;
    return 0;
}

int spncheck_ntlmssp_state(apr_pool_t *p, server_rec *s, const char *location, int dir,
                           gss_installed *gi, const char **so, const char **where)
{
    const ap_directive_t *vh = NULL;
    gss_chain g;
    int any = 0, open = 0;

    index_tree(p, gi);
    if (s->is_virtual && s->defn_name)
        vh = apr_hash_get(gi->vhosts, apr_psprintf(p, "%s:%d", s->defn_name,
                                                   (int)s->defn_line_number),
                          APR_HASH_KEY_STRING);
    g = scope_chain(p, vh, location, dir, gi);
    if (g.gssapi) {
        any = 1;
        open = !g.mechs || spn_mechs_admit_ntlmssp(g.mechs);
    }
    else if (!location)
        open = vhost_sections(p, vh, &any, where, gi);
    if (!any)
        return SPN_NTLMSSP_NA;
    if (!gi->known) {
        char lib[512] = "";
        const char *env = getenv("GSS_MECH_CONFIG");
        gi->installed = spn_ntlmssp_installed(p, env && *env ? env : "/etc/gss/mech",
                                              "/etc/gss/mech.d", lib, sizeof(lib));
        gi->so = apr_pstrdup(gi->perm, lib);
        gi->known = 1;
    }
    if (!gi->installed)
        return SPN_NTLMSSP_ABSENT;
    *so = gi->so;
    return open ? SPN_NTLMSSP_OPEN : SPN_NTLMSSP_KRB5;
}

void spncheck_ntlmssp_warn(apr_pool_t *p, server_rec *s)
{
    spn_scope_t *sc;
    int i, n;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return;                     /* the first of httpd's two passes: once is enough */
    n = spncheck_scopes_noload(p, &sc);
    for (i = 0; i < n; i++)
        if (sc[i].ntlmssp == SPN_NTLMSSP_OPEN)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SPNLOGNO(00090)
                         "raw-ntlmssp: gss-ntlmssp is installed (%s) and no GssapiAllowedMech "
                         "limits mod_auth_gssapi to Kerberos in %s%s%s: a raw NTLMSSP token under "
                         "Negotiate crashes the httpd child (gss-ntlmssp 1.2.0); add "
                         "\"GssapiAllowedMech krb5\" there", sc[i].ntlmssp_so, sc[i].server,
                         sc[i].location ? sc[i].location : "",
                         sc[i].location || !sc[i].ntlmssp_where
                             ? "" : apr_pstrcat(p, " ", sc[i].ntlmssp_where, NULL));
}

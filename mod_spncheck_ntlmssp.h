/* mod_spncheck_ntlmssp.h: what reaches mod_auth_gssapi in a scope (the
 * raw-ntlmssp self-check and SPN00090), read from the parsed configuration
 * tree during a walk of the scopes (mod_spncheck_config.c). */
#ifndef MOD_SPNCHECK_NTLMSSP_H
#define MOD_SPNCHECK_NTLMSSP_H

#include "httpd.h"
#include "apr_hash.h"
#include "apr_tables.h"

typedef struct {
    int gssapi;                 /* AuthType GSSAPI on the chain */
    const char *mechs;          /* the last GssapiAllowedMech's arguments, or NULL */
} gss_chain;

/* What a walk of the scopes reads of the configuration tree's top level,
 * indexed once per walk (thousands of virtual hosts: one pass, not one
 * per scope): whether gss-ntlmssp is installed, the main server's own
 * chain, its <Location>/<Directory> sections in order, and each
 * <VirtualHost> by where it is defined. */
typedef struct {
    apr_pool_t *perm;                   /* what the scopes keep */
    apr_pool_t *tmp;                    /* the walk's scratch */
    int known, installed;
    const char *so;
    int indexed;
    gss_chain main;
    apr_array_header_t *sections;       /* const ap_directive_t * */
    apr_hash_t *vhosts;                 /* "file:line" -> const ap_directive_t * */
} gss_installed;

/* SPN_NTLMSSP_* for the scope of server s and location (NULL: the
 * virtual host; dir: a <Directory>), with gss-ntlmssp's library in *so
 * and, for a virtual-host scope, the "<Location /x>" that lets it in. */
int spncheck_ntlmssp_state(apr_pool_t *p, server_rec *s, const char *location, int dir,
                           gss_installed *gi, const char **so, const char **where);
/* SPN00090 for each scope where raw NTLMSSP reaches gss-ntlmssp (post_config). */
void spncheck_ntlmssp_warn(apr_pool_t *p, server_rec *s);

#endif

/* spn_service.h: what a service is configured as (SPNs, keytab, account):
 * the input that diagnosis, self-checks, the probe and the pages share. */
#ifndef SPN_SERVICE_H
#define SPN_SERVICE_H

#include "spn_keytab.h"

/* What the service is configured as. */
typedef struct spn_service_s {
    const char *const *spns;    /* SPNCheckServicePrincipal values */
    int n_spns;
    const spn_keytab_t *keytab; /* may be NULL: no keytab configured */
    const char *account;        /* DOMAIN\user, may be NULL */
    const char *netbios;        /* may be NULL: derived */
    int max_skew;               /* seconds, default 300 */
    /* For the fix (spn_fix.c): the virtual host's ServerName and
     * ServerAlias values (may be NULL: then names are not judged), and the
     * group httpd runs as (a keytab's group; NULL: not known). */
    const char *const *names;
    int n_names;
    const char *group;
} spn_service_t;

#endif

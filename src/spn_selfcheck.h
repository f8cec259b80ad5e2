/* spn_selfcheck.h: configuration self-checks (status page, spncheck keytab).
 * Check ids are a public contract (Prometheus labels, JSON). */
#ifndef SPN_SELFCHECK_H
#define SPN_SELFCHECK_H

#include "spn_diag.h"

enum { SPN_CHECK_PASS = 0, SPN_CHECK_WARN, SPN_CHECK_FAIL };
#define SPN_CHECK_MAX 16

typedef struct {
    const char *id;         /* keytab-readable, spn-in-keytab, both-forms,
                               strong-enctypes, names-covered, kvno-consistent */
    int state;
    const char *message;    /* raw text: escape when rendering */
    const char *remedy;     /* a command, or NULL */
} spn_check_t;

typedef struct {
    int n, worst;
    spn_check_t c[SPN_CHECK_MAX];
} spn_checks_t;

/* names: the ServerName and ServerAlias values of the scope (may be 0). */
void spn_selfcheck(apr_pool_t *p, const spn_service_t *svc, const char *const *names,
                   int n_names, spn_checks_t *r);
const char *spn_check_state_name(int s);

#endif

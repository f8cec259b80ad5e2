/* statfarm.h: a farm of n synthetic scopes for the status page's test
 * (t/unit/test_statpage.c) and benchmark (bench/statpage_bench.c). */
#ifndef STATFARM_H
#define STATFARM_H

#include "spn_status.h"

#include <apr_strings.h>
#include <string.h>

/* n scopes: every 97th fails (no keytab), every 10th warns (no NetBIOS
 * form), the rest pass; scope i is appI.contoso.com:443, every 7th with a
 * <Location /appI>. */
static inline spn_scope_t *farm(apr_pool_t *p, int n, int *n_fail, int *n_warn)
{
    spn_scope_t *sc = apr_pcalloc(p, sizeof(*sc) * (size_t)n);
    int i;

    *n_fail = *n_warn = 0;
    for (i = 0; i < n; i++) {
        const char **spns = apr_pcalloc(p, sizeof(*spns) * 2);
        const char **names = apr_pcalloc(p, sizeof(*names));
        spn_keytab_t *kt = apr_pcalloc(p, sizeof(*kt));
        int fail = i % 97 == 5, warn = !fail && i % 10 == 3;
        sc[i].server = apr_psprintf(p, "app%d.contoso.com:443", i);
        sc[i].location = i % 7 == 0 ? apr_psprintf(p, "/app%d", i) : NULL;
        names[0] = apr_psprintf(p, "app%d.contoso.com", i);
        sc[i].names = names;
        sc[i].n_names = 1;
        spns[0] = apr_psprintf(p, "HTTP/app%d.contoso.com@CONTOSO.COM", i);
        spns[1] = apr_psprintf(p, "HTTP/APP%d@CONTOSO.COM", i);
        sc[i].svc.spns = spns;
        sc[i].svc.n_spns = warn ? 1 : 2;
        sc[i].svc.account = "CONTOSO\\svc-web";
        sc[i].keytab_path = apr_psprintf(p, "/etc/apache2/keytabs/app%d.keytab", i);
        kt->path = sc[i].keytab_path;
        kt->n = 2;
        kt->e = apr_pcalloc(p, sizeof(*kt->e) * 2);
        kt->e[0].principal = spns[0];
        kt->e[0].name = apr_pstrndup(p, spns[0], strcspn(spns[0], "@"));
        kt->e[1].principal = spns[1];
        kt->e[1].name = apr_pstrndup(p, spns[1], strcspn(spns[1], "@"));
        kt->e[0].realm = kt->e[1].realm = "CONTOSO.COM";
        kt->e[0].kvno = kt->e[1].kvno = 3;
        kt->e[0].enctype = kt->e[1].enctype = 18;
        kt->e[0].dup_of = kt->e[1].dup_of = -1;
        sc[i].svc.keytab = fail ? NULL : kt;
        *n_fail += fail;
        *n_warn += warn;
    }
    return sc;
}

#endif

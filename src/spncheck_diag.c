/* spncheck_diag.c: 'spncheck diagnose': the module's engine, offline. */
#include "spn_diag.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *spncheck_input(apr_pool_t *p, const char *arg, size_t *len);  /* spncheck.c */

int spncheck_diagnose(apr_pool_t *p, int argc, char **argv)
{
    const char *spns[16], *keytab = NULL, *arg = NULL, *at = NULL;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t *d = apr_pcalloc(p, sizeof(*d));
    krb5_context ctx = NULL;
    spn_buf_t out;
    size_t len;
    int i, json = 0;

    memset(&svc, 0, sizeof(svc));
    memset(&obs, 0, sizeof(obs));
    svc.spns = spns;
    svc.max_skew = 300;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) { json = 1; continue; }
        if (a[0] == '-' && a[1] == '-' && !v) return 2;
        if (strcmp(a, "--keytab") == 0) keytab = v;
        else if (strcmp(a, "--spn") == 0 && svc.n_spns < 16) spns[svc.n_spns++] = v;
        else if (strcmp(a, "--account") == 0) svc.account = v;
        else if (strcmp(a, "--netbios") == 0) svc.netbios = v;
        else if (strcmp(a, "--host") == 0) obs.host = v;
        else if (strcmp(a, "--at") == 0) at = v;
        else if (strcmp(a, "--gss-error") == 0) obs.gss_error = v;
        else if (!arg && (a[0] != '-' || strcmp(a, "-") == 0)) { arg = a; continue; }
        else return 2;
        i++;
    }
    obs.now = time(NULL);
    if (at) {
        /* --at 2009-01-09T17:30:00Z (or YYYYMMDDHHMMSSZ) */
        char k[16];
        size_t o = 0, j;
        for (j = 0; at[j] && o < 15; j++)
            if (at[j] >= '0' && at[j] <= '9')
                k[o++] = at[j];
        while (o < 14) k[o++] = '0';
        k[14] = 'Z';
        if ((obs.now = spn_krb5_time((const uint8_t *)k, 15)) == (time_t)-1) {
            fprintf(stderr, "spncheck: bad --at time\n");
            return 2;
        }
    }
    if (krb5_init_context(&ctx) != 0) {
        fprintf(stderr, "spncheck: cannot initialise krb5\n");
        return 2;
    }
    if (keytab)
        svc.keytab = spn_keytab_load(p, ctx, keytab);
    obs.authorization = spncheck_input(p, arg, &len);
    if (len > 4 * SPN_TOKEN_MAX)
        obs.authorization = apr_pstrndup(p, obs.authorization, 4 * SPN_TOKEN_MAX);
    spn_diagnose(p, ctx, &svc, &obs, d);
    spn_buf_init(&out, p, 8192);
    if (json) {
        spn_diag_json(&out, d, &svc);
        spn_buf_puts(&out, "\n");
    }
    else {
        spn_render_text(&out, d, &svc);
        spn_buf_puts(&out, "log:   ");
        spn_diag_logline(&out, d);
        spn_buf_puts(&out, "\n");
    }
    fwrite(out.s, 1, out.len, stdout);
    krb5_free_context(ctx);
    return 0;
}

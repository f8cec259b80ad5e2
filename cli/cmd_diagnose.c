/* cmd_diagnose.c: 'spncheck diagnose': the module's engine, offline. */
#include "spn_render.h"
#include "spn_dirdiag.h"
#include "cli.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


/* The file at path, NUL-terminated, when it holds at most cap bytes. */
static char *cli_read_file(apr_pool_t *p, const char *path, size_t cap, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    if (!f)
        return NULL;
    buf = apr_palloc(p, cap + 2);
    *n = fread(buf, 1, cap + 1, f);
    fclose(f);
    if (*n > cap)
        return NULL;
    buf[*n] = '\0';
    return buf;
}

int cli_cmd_diagnose(apr_pool_t *p, int argc, char **argv)
{
    cli_opts_t o;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t *d = apr_pcalloc(p, sizeof(*d));
    krb5_context ctx = NULL;
    spn_buf_t out;
    size_t len;
    const char *keytab, *arg, *at, *why;
    int json, bad_input = 0;

    spn_dir_spn_t *dir = NULL;
    int ndir = 0, dirrc;

    if (cli_opts(argc, argv, "--keytab --spn --account --netbios --host --at --gss-error "
                 "--tls-cert --backend --server --client-keytab --client --timeout", &o) < 0)
        return CLI_USAGE;
    svc = o.svc;
    keytab = o.keytab;
    arg = o.arg;
    at = o.at;
    json = o.json;
    memset(&obs, 0, sizeof(obs));
    obs.host = o.host;
    obs.gss_error = o.gss_error;
    if (o.backend) {
        obs.proxied = 1;
        obs.backend_www = o.backend;
    }
    if (o.tls_cert) {
        size_t n = 0;
        char *pem = cli_read_file(p, o.tls_cert, SPN_CBT_PEM_MAX, &n);
        if (!pem) {
            const char *fw = cli_file_problem(p, o.tls_cert);
            cli_error("diagnose", "--tls-cert %s: %s", o.tls_cert,
                      fw ? fw : spn_psprintf(p, "larger than %d bytes", SPN_CBT_PEM_MAX));
            return CLI_UNREADABLE;
        }
        obs.tls_cert = pem;
    }
    obs.now = time(NULL);
    if (at) {
        /* --at 2009-01-09T17:30:00Z (or YYYYMMDDHHMMSSZ) */
        char k[16];
        size_t n = 0, j;
        for (j = 0; at[j] && n < 15; j++)
            if (at[j] >= '0' && at[j] <= '9')
                k[n++] = at[j];
        while (n >= 8 && n < 14) k[n++] = '0';     /* at least the date */
        k[14] = 'Z';
        if (n < 14 || (obs.now = spn_krb5_time((const uint8_t *)k, 15)) == (time_t)-1) {
            return cli_usage_error("diagnose", "--at %s: not a time (2026-11-24T12:00:00Z)", at);
        }
    }
    if (krb5_init_context(&ctx) != 0) {
        cli_error("diagnose", "cannot initialise krb5 (is krb5.conf readable?)");
        return CLI_UNREADABLE;
    }
    if (keytab) {
        svc.keytab = spn_keytab_load(p, ctx, keytab);
        bad_input |= cli_keytab_problem(p, "diagnose", "--keytab", keytab, svc.keytab);
    }
    obs.authorization = cli_input(p, arg, &len);
    if (len > 4 * SPN_TOKEN_MAX)
        obs.authorization = apr_pstrndup(p, obs.authorization, 4 * SPN_TOKEN_MAX);
    spn_diagnose(p, ctx, &svc, &obs, d);
    /* what the directory says about the configured SPNs, the one the
     * client asked for, and HTTP/<Host> (NTLM fallback) */
    dirrc = cli_dir_for(p, ctx, &o, d->sname,
                        o.host ? spn_psprintf(p, "HTTP/%.*s", (int)strcspn(o.host, ":"), o.host)
                               : NULL, &dir, &ndir);
    if (dirrc == -2) {
        krb5_free_context(ctx);
        return CLI_USAGE;
    }
    if (dirrc != 1)     /* the directory's facts refine the verdict (issue 11) */
        spn_dir_refine_from(d, svc.account, o.host, dir, ndir);
    spn_buf_init(&out, p, 8192);
    if (json) {
        spn_json_t w;
        spn_json_init(&w, &out);
        spn_diag_json(&w, d, &svc);
        spn_buf_puts(&out, "\n");
        if (dirrc != 1)
            cli_dir_splice(&out, dir, ndir);
    }
    else {
        spn_render_text(&out, d, &svc);
        spn_buf_puts(&out, "log:   ");
        spn_diag_logline_fix(&out, d, &svc);
        spn_buf_puts(&out, "\n");
        if (dirrc != 1) {
            spn_buf_puts(&out, "directory:\n");
            spn_dir_text(&out, dir, ndir);
        }
    }
    fwrite(out.s, 1, out.len, stdout);
    krb5_free_context(ctx);
    /* the token first: what is printed explains a sign-in only when it is one */
    if ((why = cli_token_problem(p, &d->tok)) != NULL) {
        cli_error("diagnose", "%s", why);
        return CLI_UNREADABLE;
    }
    return bad_input ? CLI_UNREADABLE : dirrc == -1 ? CLI_DIRECTORY : CLI_OK;
}

/* cmd_keytab.c: 'spncheck keytab' (audit) and 'spncheck probe' (ask
 * the KDC, judge the ticket), over the library's self-checks and probe. */
#include "spn_json.h"
#include "spn_names.h"
#include "spn_render.h"
#include "spn_probe.h"
#include "spn_selfcheck.h"
#include "spn_status.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The probe identity's keytab: a file that is missing or unreadable is
 * said as such, not as a failed sign-in to the KDC. */
static int cli_probe_keytab_problem(apr_pool_t *p, const char *path)
{
    const char *name = strncmp(path, "FILE:", 5) == 0 ? path + 5 : path, *why;
    if (strchr(name, ':') || !(why = cli_file_problem(p, name)))
        return 0;
    cli_error("probe", "--client-keytab %s: %s", name, why);
    return 1;
}

/* spncheck keytab FILE [--spn S...] [--account A] [--json]: exit 0 when no
 * check fails, 1 when the keytab cannot be read (missing, unreadable, not
 * a keytab, no keys), 2 usage, 3 the directory unusable, 4 a check fails. */
int cli_cmd_keytab(apr_pool_t *p, int argc, char **argv)
{
    krb5_context ctx;
    cli_opts_t o;
    spn_scope_t sc;
    spn_checks_t ck;
    spn_buf_t b;
    const spn_keytab_t *kt;
    char ts[32];
    int i, ndir = 0, dirrc, dirbad = 0;
    spn_dir_spn_t *dir = NULL;

    if (cli_opts(argc, argv, "--spn --account --netbios --server --client-keytab --client --timeout",
                 &o) < 0)
        return CLI_USAGE;
    if (!o.arg)
        return cli_usage_error("keytab", "which keytab? spncheck keytab FILE");
    if (krb5_init_context(&ctx) != 0) {
        cli_error("keytab", "cannot initialise krb5 (is krb5.conf readable?)");
        return CLI_UNREADABLE;
    }
    o.svc.keytab = kt = spn_keytab_load(p, ctx, o.arg);
    if ((dirrc = cli_dir_for(p, ctx, &o, NULL, NULL, &dir, &ndir)) == -2) {
        krb5_free_context(ctx);
        return CLI_USAGE;
    }
    spn_selfcheck(p, &o.svc, NULL, 0, &ck);
    spn_buf_init(&b, p, 4096);
    if (o.json) {
        spn_status_t st;
        memset(&sc, 0, sizeof(sc));
        sc.server = "spncheck keytab";
        sc.svc = o.svc;
        sc.keytab_path = o.arg;
        memset(&st, 0, sizeof(st));
        st.scopes = &sc;
        st.n_scopes = 1;
        st.version = "spncheck";
        spn_status_json(&b, p, &st);
    }
    else {
        spn_buf_puts(&b, "keytab: ");
        spn_buf_text(&b, o.arg, strlen(o.arg));
        spn_buf_puts(&b, "\n");
        for (i = 0; kt->status == 0 && i < kt->n; i++) {
            spn_fmt_time(ts, sizeof(ts), kt->e[i].timestamp);
            spn_buf_puts(&b, "  ");
            spn_buf_text(&b, kt->e[i].principal, strlen(kt->e[i].principal));
            spn_buf_printf(&b, "  kvno %d  %s (%d)  %s\n", kt->e[i].kvno,
                           spn_etype_name(kt->e[i].enctype), kt->e[i].enctype, ts);
        }
        for (i = 0; i < ck.n; i++) {
            spn_buf_printf(&b, "%-5s %-16s ", spn_check_state_name(ck.c[i].state), ck.c[i].id);
            spn_buf_text(&b, ck.c[i].message, strlen(ck.c[i].message));
            spn_buf_puts(&b, "\n");
            if (ck.c[i].remedy && ck.c[i].state != SPN_CHECK_PASS) {
                spn_buf_puts(&b, "      fix: ");
                spn_buf_text(&b, ck.c[i].remedy, strlen(ck.c[i].remedy));
                spn_buf_puts(&b, "\n");
            }
        }
    }
    if (dirrc != 1)
        dirbad = cli_dir_append(&b, o.json, kt, dir, ndir, o.svc.account);
    fwrite(b.s, 1, b.len, stdout);
    krb5_free_context(ctx);
    if (cli_keytab_problem(p, "keytab", NULL, o.arg, kt))
        return CLI_UNREADABLE;
    if (dirrc < 0)
        return CLI_DIRECTORY;
    return ck.worst == SPN_CHECK_FAIL || dirbad ? CLI_FAILS : CLI_OK;
}

/* spncheck probe --client-keytab K --client P --keytab SVC --spn S...:
 * exit 0 only when every SPN (and its other name form) checks out;
 * 4 when one does not; 1 when a keytab cannot be read; 3 when the probe
 * identity cannot authenticate (or the directory cannot be used). */
int cli_cmd_probe(apr_pool_t *p, int argc, char **argv)
{
    krb5_context ctx;
    cli_opts_t o;
    const char *targets[64];
    spn_probe_result_t res[64];
    char err[512];
    spn_buf_t b;
    spn_json_t w;
    int i, n, bad = 0, ndir = 0, dirrc = 1;
    spn_dir_spn_t *dir = NULL;

    if (cli_opts(argc, argv, "--client-keytab --client --keytab --spn --account --netbios "
                 "--server --timeout", &o) < 0)
        return CLI_USAGE;
    if (o.arg)
        return cli_usage_error("probe", "no argument expected ('%s'): the SPNs go in --spn",
                               o.arg);
    if (!o.client_keytab || !o.client || !o.svc.n_spns)
        return cli_usage_error("probe", "needs --client-keytab, --client and at least one --spn");
    if (krb5_init_context(&ctx) != 0) {
        cli_error("probe", "cannot initialise krb5 (is krb5.conf readable?)");
        return CLI_UNREADABLE;
    }
    o.svc.keytab = o.keytab ? spn_keytab_load(p, ctx, o.keytab) : NULL;
    if ((o.keytab && cli_keytab_problem(p, "probe", "--keytab", o.keytab, o.svc.keytab)) ||
        cli_probe_keytab_problem(p, o.client_keytab)) {
        krb5_free_context(ctx);
        return CLI_UNREADABLE;
    }
    n = spn_probe_targets(p, &o.svc, targets, 64);
    spn_buf_init(&b, p, 4096);
    if (spn_probe(p, ctx, o.client_keytab, o.client, &o.svc, targets, n, res, err,
                  sizeof(err)) < 0) {
        if (o.json) {
            spn_json_init(&w, &b);
            spn_json_object(&w);
            spn_json_kstr(&w, "error", err);
            spn_json_key(&w, "results");
            spn_json_array(&w);
            spn_json_end(&w);
            spn_json_end(&w);
            spn_buf_puts(&b, "\n");
        }
        else {
            spn_buf_puts(&b, "probe: ");
            spn_buf_text(&b, err, strlen(err));
            spn_buf_puts(&b, "\n");
        }
        fwrite(b.s, 1, b.len, o.json ? stdout : stderr);
        krb5_free_context(ctx);
        return CLI_DIRECTORY;
    }
    spn_json_init(&w, &b);
    if (o.json) {
        spn_json_object(&w);
        spn_json_knull(&w, "error");
        spn_json_key(&w, "results");
        spn_json_array(&w);
    }
    for (i = 0; i < n; i++) {
        bad += !res[i].ok;
        if (o.json) {
            spn_json_object(&w);
            spn_json_kstr(&w, "spn", res[i].spn);
            spn_json_kbool(&w, "ok", res[i].ok);
            spn_json_kstr(&w, "cause", res[i].ok ? "ok" : spn_cause_code(res[i].cause));
            spn_json_kint_or_null(&w, "kvno", res[i].tkt_kvno, res[i].tkt_kvno >= 0);
            spn_json_kint(&w, "etype", res[i].tkt_etype);
            spn_json_kstr(&w, "message", res[i].message);
            spn_json_end(&w);
        }
        else {
            spn_diag_t d;
            spn_buf_printf(&b, "%-4s ", res[i].ok ? "ok" : "FAIL");
            spn_buf_text(&b, res[i].spn, strlen(res[i].spn));
            spn_buf_puts(&b, ": ");
            spn_buf_text(&b, res[i].message, strlen(res[i].message));
            spn_buf_puts(&b, "\n");
            if (!res[i].ok && res[i].diag) {
                spn_render_text(&b, res[i].diag, &o.svc);   /* the page's remedies */
            }
            else if (!res[i].ok) {
                memset(&d, 0, sizeof(d));
                d.cause = (spn_cause_t)res[i].cause;
                snprintf(d.sname, sizeof(d.sname), "%.*s", (int)strcspn(res[i].spn, "@"), res[i].spn);
                spn_remedy_names(&o.svc, &(spn_observation_t){0}, &d);
                spn_render_text(&b, &d, &o.svc);
            }
        }
    }
    if (o.json) {
        spn_json_end(&w);
        spn_json_end(&w);
        spn_buf_puts(&b, "\n");
    }
    /* --server: the same identity asks the directory who holds each SPN */
    if (o.server)
        dirrc = cli_dir_for(p, ctx, &o, NULL, NULL, &dir, &ndir);
    if (dirrc == -2) {
        krb5_free_context(ctx);
        return CLI_USAGE;
    }
    if (dirrc != 1)
        bad += cli_dir_append(&b, o.json, o.svc.keytab, dir, ndir, o.svc.account);
    fwrite(b.s, 1, b.len, stdout);
    krb5_free_context(ctx);
    return dirrc < 0 ? CLI_DIRECTORY : bad ? CLI_FAILS : CLI_OK;
}

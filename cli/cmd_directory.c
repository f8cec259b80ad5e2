/* cmd_directory.c: 'spncheck directory': who holds an SPN, asked of
 * Active Directory (src/spn_ldap.c), and the same facts for diagnose,
 * probe and keytab when they get --server/--client-keytab/--client. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* the connect/bind/search budget: --timeout SECONDS (default 5) */
static int timeout_ms(const cli_opts_t *o)
{
    long s = o->timeout ? strtol(o->timeout, NULL, 10) : 5;
    return s > 0 && s <= 600 ? (int)s * 1000 : 5000;
}

int cli_dir_facts(apr_pool_t *p, krb5_context ctx, const cli_opts_t *o,
                  const char *const *spns, int n, spn_dir_spn_t *out, int max)
{
    spn_dir_conn_t *c;
    char err[300], other[256];
    const char *list[64];
    int nl = 0, i, j;
    int64_t now = (int64_t)time(NULL);

    if (!o->server && !o->client_keytab && !o->client)
        return 0;
    if (!o->server || !o->client_keytab || !o->client) {
        fprintf(stderr, "spncheck: the directory needs --server, --client-keytab and --client\n");
        return -2;
    }
    /* each SPN, then the other name form of each (FQDN <-> NetBIOS) */
    for (i = 0; i < n && nl < 64; i++)
        list[nl++] = spns[i];
    if (!(c = spn_dir_open(p, ctx, o->server, o->client_keytab, o->client, timeout_ms(o),
                           err, sizeof(err)))) {
        fprintf(stderr, "spncheck: directory: %s\n", err);
        return -1;
    }
    for (i = 0; i < n && nl < 64; i++) {
        int dup = 0;
        if (spn_dir_other_form(spns[i], spn_dir_domain(c), other, sizeof(other)) < 0)
            continue;
        for (j = 0; j < nl; j++)
            dup |= strcasecmp(list[j], other) == 0;
        if (!dup)
            list[nl++] = spn_psprintf(p, "%s", other);
    }
    for (i = 0; i < nl && i < max; i++)
        if (spn_dir_lookup(c, list[i], now, &out[i]) < 0) {
            /* the connection died: the rest say so too */
            for (j = i + 1; j < nl && j < max; j++) {
                memset(&out[j], 0, sizeof(out[j]));
                snprintf(out[j].spn, sizeof(out[j].spn), "%s", list[j]);
                out[j].state = SPN_DIR_ERROR;
                out[j].checked_at = now;
                snprintf(out[j].error, sizeof(out[j].error), "%s", out[i].error);
            }
            i = nl;
            break;
        }
    spn_dir_close(c);
    return nl < max ? nl : max;
}

void cli_dir_splice(spn_buf_t *out, const spn_dir_spn_t *d, int n)
{
    size_t end = out->len;

    while (end && (out->s[end - 1] == '\n' || out->s[end - 1] == ' '))
        end--;
    if (!end || out->s[end - 1] != '}')
        return;
    out->len = end - 1;
    spn_buf_puts(out, out->len && out->s[out->len - 1] != '{' ? ",\"directory\":" : "\"directory\":");
    spn_dir_json(out, d, n);
    spn_buf_puts(out, "}\n");
}

int cli_cmd_directory(apr_pool_t *p, int argc, char **argv)
{
    cli_opts_t o;
    krb5_context ctx = NULL;
    spn_dir_spn_t *d;
    spn_buf_t out;
    int n, i, j, ok = 1;

    if (cli_opts(argc, argv, "--server --client-keytab --client --account --timeout ARGS...",
                 &o) < 0 || o.n_args == 0 || !o.server || !o.client_keytab || !o.client)
        return 2;
    for (i = 0; i < o.n_args; i++)
        if (!strchr(o.args[i], '/') || strlen(o.args[i]) >= sizeof(d->spn)) {
            fprintf(stderr, "spncheck: not an SPN (service/host): %s\n", o.args[i]);
            return 2;
        }
    if (krb5_init_context(&ctx) != 0) {
        fprintf(stderr, "spncheck: cannot initialise krb5\n");
        return 3;
    }
    d = apr_pcalloc(p, 64 * sizeof(*d));
    n = cli_dir_facts(p, ctx, &o, o.args, o.n_args, d, 64);
    krb5_free_context(ctx);
    if (n < 0)
        return 3;
    /* the SPNs asked decide: each held by --account alone, or by exactly one account */
    for (i = 0; i < o.n_args && i < n; i++) {
        int good = d[i].state == SPN_DIR_OK && d[i].n_holders == 1;
        for (j = 0; good && o.svc.account && j < d[i].n_holders && j < SPN_DIR_MAX_HOLDERS; j++)
            good = spn_dir_holder_is(&d[i].holders[j], o.svc.account);
        ok &= good;
    }
    spn_buf_init(&out, p, 4096);
    if (o.json) {
        spn_dir_json(&out, d, n);
        spn_buf_puts(&out, "\n");
    }
    else {
        spn_dir_text(&out, d, n);
        if (o.svc.account)
            spn_buf_printf(&out, "%s\n", ok ? "every SPN is held by the account named"
                                            : "NOT every SPN is held by the account named");
    }
    fwrite(out.s, 1, out.len, stdout);
    return ok ? 0 : 1;
}

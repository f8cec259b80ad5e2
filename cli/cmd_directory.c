/* cmd_directory.c: 'spncheck directory': who holds an SPN, asked of
 * Active Directory (src/spn_ldap.c), and the same facts for diagnose,
 * probe and keytab when they get --server/--client-keytab/--client. */
#include "cli.h"
#include "spn_dirdiag.h"

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
                  const char *const *spns, int nspns, spn_dir_spn_t *out, int max, int *n)
{
    spn_dir_conn_t *c;
    char err[300], other[256];
    const char *list[64];
    int nl = 0, i, j, rc = 0;
    int64_t now = (int64_t)time(NULL);

    *n = 0;
    if (!o->server && !o->client_keytab && !o->client)
        return 1;
    if (!o->server || !o->client_keytab || !o->client) {
        cli_usage_error(NULL, "the directory needs --server, --client-keytab and --client");
        return -2;
    }
    /* as the directory holds them: without @REALM */
    for (i = 0; i < nspns && nl < 64; i++)
        list[nl++] = spn_psprintf(p, "%.*s", (int)strcspn(spns[i], "@"), spns[i]);
    nspns = nl;
    c = spn_dir_open(p, ctx, o->server, o->client_keytab, o->client, timeout_ms(o),
                     err, sizeof(err));
    if (!c) {
        fprintf(stderr, "spncheck: directory: %s\n", err);
        rc = -1;
    }
    /* then the other name form of each (FQDN <-> NetBIOS short name) */
    for (i = 0; c && i < nspns && nl < 64; i++) {
        int dup = 0;
        if (spn_dir_other_form(list[i], spn_dir_domain(c), other, sizeof(other)) < 0)
            continue;
        for (j = 0; j < nl; j++)
            dup |= strcasecmp(list[j], other) == 0;
        if (!dup)
            list[nl++] = spn_psprintf(p, "%s", other);
    }
    if (nl > max)
        nl = max;
    for (i = 0; i < nl; i++) {
        if (c && spn_dir_lookup(c, list[i], now, &out[i]) == 0)
            continue;
        /* no connection (any more): this one and the rest say why */
        if (c) {
            snprintf(err, sizeof(err), "%s", out[i].error);
            spn_dir_close(c);
            c = NULL;
        }
        memset(&out[i], 0, sizeof(out[i]));
        snprintf(out[i].spn, sizeof(out[i].spn), "%s", list[i]);
        out[i].state = SPN_DIR_ERROR;
        out[i].checked_at = now;
        snprintf(out[i].error, sizeof(out[i].error), "%.159s", err);
    }
    spn_dir_close(c);
    *n = nl;
    return rc;
}

int cli_dir_for(apr_pool_t *p, krb5_context ctx, const cli_opts_t *o, const char *more1,
                const char *more2, spn_dir_spn_t **out, int *n)
{
    const char *list[40];
    const char *more[2] = { more1, more2 };
    int nl = 0, i, j;

    for (i = 0; i < o->svc.n_spns && nl < 32; i++)
        list[nl++] = o->svc.spns[i];
    for (i = 0; i < 2; i++) {
        int dup = 0;
        if (!more[i] || !more[i][0] || !strchr(more[i], '/'))
            continue;
        for (j = 0; j < nl; j++)
            dup |= strcasecmp(list[j], more[i]) == 0;
        if (!dup)
            list[nl++] = more[i];
    }
    *out = apr_pcalloc(p, 64 * sizeof(**out));
    return cli_dir_facts(p, ctx, o, list, nl, *out, 64, n);
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
                 &o) < 0)
        return CLI_USAGE;
    if (!o.server || !o.client_keytab || !o.client)
        return cli_usage_error("directory", "needs --server, --client-keytab and --client");
    if (o.n_args == 0)
        return cli_usage_error("directory", "which SPN? spncheck directory ... HTTP/host");
    for (i = 0; i < o.n_args; i++)
        if (!strchr(o.args[i], '/') || strlen(o.args[i]) >= sizeof(d->spn))
            return cli_usage_error("directory", "not an SPN (service/host): %s", o.args[i]);
    if (krb5_init_context(&ctx) != 0) {
        cli_error("directory", "cannot initialise krb5 (is krb5.conf readable?)");
        return CLI_UNREADABLE;
    }
    d = apr_pcalloc(p, 64 * sizeof(*d));
    if (cli_dir_facts(p, ctx, &o, o.args, o.n_args, d, 64, &n) < 0) {
        krb5_free_context(ctx);
        return CLI_DIRECTORY;
    }
    krb5_free_context(ctx);
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
    return ok ? CLI_OK : CLI_FAILS;
}

static int dir_enrich(spn_buf_t *b, const spn_keytab_t *kt, const spn_dir_spn_t *d, int n,
                      const char *account)
{
    int i, bad = 0;

    for (i = 0; i < n; i++) {
        const spn_dir_spn_t *s = &d[i];
        const spn_dir_holder_t *h = &s->holders[0];
        int kv, admitted;
        if (s->state != SPN_DIR_OK)
            continue;
        if (s->n_holders != 1) {
            bad++;
            spn_buf_puts(b, "FAIL directory: ");
            spn_buf_text(b, s->spn, strnlen(s->spn, sizeof(s->spn)));
            spn_buf_printf(b, s->n_holders ? " is held by %d accounts (duplicate)\n"
                                           : " is held by no account%.0d\n", s->n_holders);
            continue;
        }
        if (account && !spn_dir_holder_is(h, account)) {
            bad++;
            spn_buf_puts(b, "FAIL directory: ");
            spn_buf_text(b, s->spn, strnlen(s->spn, sizeof(s->spn)));
            spn_buf_puts(b, " is held by ");
            spn_buf_text(b, h->account, strnlen(h->account, sizeof(h->account)));
            spn_buf_puts(b, ", not by ");
            spn_buf_text(b, account, strlen(account));
            spn_buf_puts(b, "\n");
        }
        if (!spn_dir_keytab_keys(kt, s->spn, h->enctypes, &kv, &admitted))
            continue;
        if (h->kvno >= 0 && kv != h->kvno) {
            bad++;
            spn_buf_puts(b, "FAIL directory: the keytab's newest key for ");
            spn_buf_text(b, s->spn, strnlen(s->spn, sizeof(s->spn)));
            spn_buf_printf(b, " has kvno %d; AD's current kvno for ", kv);
            spn_buf_text(b, h->account, strnlen(h->account, sizeof(h->account)));
            spn_buf_printf(b, " is %d (%s)\n", (int)h->kvno,
                           kv < h->kvno ? "the keytab is stale: the password changed since"
                                        : "the keytab was made with another password");
        }
        else if (h->kvno >= 0) {
            spn_buf_puts(b, "ok   directory: kvno ");
            spn_buf_printf(b, "%d matches AD's for ", kv);
            spn_buf_text(b, h->account, strnlen(h->account, sizeof(h->account)));
            spn_buf_puts(b, "\n");
        }
        if (!admitted) {
            bad++;
            spn_buf_puts(b, "FAIL directory: no key of the keytab for ");
            spn_buf_text(b, s->spn, strnlen(s->spn, sizeof(s->spn)));
            spn_buf_puts(b, " has an enctype AD issues tickets in for ");
            spn_buf_text(b, h->account, strnlen(h->account, sizeof(h->account)));
            spn_buf_puts(b, " (msDS-SupportedEncryptionTypes: ");
            spn_dir_enctypes_words(b, h->enctypes);
            spn_buf_puts(b, ")\n");
        }
    }
    return bad;
}

int cli_dir_append(spn_buf_t *b, int json, const spn_keytab_t *kt, const spn_dir_spn_t *d,
                   int n, const char *account)
{
    spn_buf_t scratch;

    if (!json) {
        spn_buf_puts(b, "directory:\n");
        spn_dir_text(b, d, n);
        return dir_enrich(b, kt, d, n, account);
    }
    cli_dir_splice(b, d, n);
    spn_buf_init(&scratch, b->pool, 256);   /* the verdict counts; its lines are the text's */
    return dir_enrich(&scratch, kt, d, n, account);
}

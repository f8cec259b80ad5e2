/* spn_probe.c: see spn_probe.h.  The issued ticket is judged by
 * spn_diagnose_ticket as the AP-REQ that would carry it: one decision
 * procedure for probes and for browsers. */
#include "spn_http.h"
#include "spn_names.h"
#include "spn_probe.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void krb_msg(krb5_context ctx, krb5_error_code rc, char *out, size_t n, const char *what)
{
    const char *m = krb5_get_error_message(ctx, rc);
    snprintf(out, n, "%s: %s", what, m);
    krb5_free_error_message(ctx, m);
}

static void probe_one(apr_pool_t *p, krb5_context ctx, krb5_ccache cc, krb5_principal client,
                      const spn_service_t *svc, const char *spn, spn_probe_result_t *r)
{
    krb5_creds in, *out = NULL;
    krb5_principal server = NULL;
    krb5_error_code rc;
    const uint8_t *tkt;
    size_t tlen;
    spn_diag_t *d;

    memset(r, 0, sizeof(*r));
    r->spn = spn;
    r->tkt_kvno = -1;
    r->cause = SPN_C_UNKNOWN;
    if ((rc = krb5_parse_name(ctx, spn, &server)) != 0) {
        krb_msg(ctx, rc, r->message, sizeof(r->message), "not a principal name");
        return;
    }
    memset(&in, 0, sizeof(in));
    in.client = client;
    in.server = server;
    rc = krb5_get_credentials(ctx, 0, cc, &in, &out);
    krb5_free_principal(ctx, server);
    if (rc == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN) {
        r->cause = SPN_C_SPN_NOT_REGISTERED;
        snprintf(r->message, sizeof(r->message), "the KDC does not know %s "
                 "(KDC_ERR_S_PRINCIPAL_UNKNOWN): clients fall back to NTLM", spn);
        return;
    }
    if (rc == KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE) {
        r->cause = SPN_C_SPN_DUPLICATE;
        snprintf(r->message, sizeof(r->message), "%s is registered on several accounts "
                 "(KDC_ERR_PRINCIPAL_NOT_UNIQUE)", spn);
        return;
    }
    if (rc) {
        krb_msg(ctx, rc, r->message, sizeof(r->message), "no service ticket");
        return;
    }
    tkt = apr_pmemdup(p, out->ticket.data, out->ticket.length);   /* d points into it */
    tlen = out->ticket.length;
    krb5_free_creds(ctx, out);
    d = apr_palloc(p, sizeof(*d));
    spn_diagnose_ticket(p, ctx, svc, tkt, tlen, time(NULL), d);
    r->diag = d;
    r->tkt_kvno = (int)d->tok.krb5.kvno;
    r->tkt_etype = d->tok.krb5.etype;
    r->cause = d->cause;
    r->ok = d->cause == SPN_C_TICKET_OK;
    if (r->ok)
        snprintf(r->message, sizeof(r->message), "ticket (%s, kvno %d) decrypts with %s kvno %d",
                 spn_etype_name(r->tkt_etype), r->tkt_kvno, d->fit_principal, d->fit_kvno);
    else
        snprintf(r->message, sizeof(r->message), "%s: ticket %s kvno %d; %s",
                 spn_cause_code(d->cause), spn_etype_name(r->tkt_etype), r->tkt_kvno,
                 spn_causes[d->cause].title);
}

int spn_probe(apr_pool_t *p, krb5_context ctx, const char *client_keytab, const char *client,
              const spn_service_t *svc, const char *const *spns, int n,
              spn_probe_result_t *out, char *err, size_t errsz)
{
    krb5_principal cp = NULL;
    krb5_keytab kt = NULL;
    krb5_ccache cc = NULL;
    krb5_creds tgt;
    krb5_get_init_creds_opt *opt = NULL;
    krb5_error_code rc;
    const char *ktname;
    int i, got = 0;

    memset(&tgt, 0, sizeof(tgt));
    ktname = strchr(client_keytab, ':') ? client_keytab
                                        : apr_pstrcat(p, "FILE:", client_keytab, NULL);
    if ((rc = krb5_parse_name(ctx, client, &cp)) != 0)
        krb_msg(ctx, rc, err, errsz, "probe identity");
    else if ((rc = krb5_kt_resolve(ctx, ktname, &kt)) != 0)
        krb_msg(ctx, rc, err, errsz, "probe keytab");
    else if ((rc = krb5_get_init_creds_opt_alloc(ctx, &opt)) != 0 ||
             (rc = krb5_get_init_creds_keytab(ctx, &tgt, cp, kt, 0, NULL, opt)) != 0)
        krb_msg(ctx, rc, err, errsz, apr_pstrcat(p, "cannot authenticate as ", client,
                                                 " with ", client_keytab, NULL));
    else if ((rc = krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc)) != 0 ||
             (rc = krb5_cc_initialize(ctx, cc, cp)) != 0 ||
             (rc = krb5_cc_store_cred(ctx, cc, &tgt)) != 0)
        krb_msg(ctx, rc, err, errsz, "memory ccache");
    else
        got = 1;
    if (got) {
        /* Every probed name counts as configured: a ticket for it that
         * decrypts with the account's key is what we want to see. */
        spn_service_t all = *svc;
        all.spns = spns;
        all.n_spns = n;
        for (i = 0; i < n; i++)
            probe_one(p, ctx, cc, cp, &all, spns[i], &out[i]);
    }
    if (tgt.client)
        krb5_free_cred_contents(ctx, &tgt);
    if (opt)
        krb5_get_init_creds_opt_free(ctx, opt);
    if (cc)
        krb5_cc_destroy(ctx, cc);
    if (kt)
        krb5_kt_close(ctx, kt);
    if (cp)
        krb5_free_principal(ctx, cp);
    return got ? 0 : -1;
}

int spn_probe_targets(apr_pool_t *p, const spn_service_t *svc, const char **out, int max)
{
    int i, j, n = 0;

    for (i = 0; i < svc->n_spns && n < max; i++) {
        const char *spn = svc->spns[i], *slash = strchr(spn, '/'), *at, *dot;
        const char *nb;
        size_t k;
        char *u;
        for (j = 0; j < n && strcasecmp(out[j], spn) != 0; j++)
            ;
        if (j == n)
            out[n++] = spn;
        if (!slash || n >= max)
            continue;
        at = strchr(slash, '@');
        dot = strchr(slash, '.');
        if (!dot || (at && dot > at))
            continue;
        /* The short name as a browser asks for it: the URL's host,
         * lower-cased.  MIT names are case-sensitive, so HTTP/WEB01 would
         * be a false failure; the upper-case form is for setspn only. */
        u = (svc->netbios && *svc->netbios)
            ? apr_pstrdup(p, svc->netbios)
            : apr_pstrmemdup(p, slash + 1, (apr_size_t)(dot - slash - 1));
        for (k = 0; u[k]; k++)
            u[k] = (char)tolower((unsigned char)u[k]);
        nb = apr_pstrcat(p, apr_pstrmemdup(p, spn, (apr_size_t)(slash - spn + 1)), u,
                         at ? at : "", NULL);
        for (j = 0; j < n && strcasecmp(out[j], nb) != 0; j++)
            ;
        if (j == n)
            out[n++] = nb;
    }
    return n;
}

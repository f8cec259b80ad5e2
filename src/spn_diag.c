/* spn_diag.c: the diagnosis engine.  Facts first (what the token says,
 * what the keytab holds, which key fits), then one decision over them. */
#include <stdio.h>
#include "spn_http.h"
#include "spn_names.h"
#include "spn_diag.h"
#include "spn_fix.h"
#include "spn_size.h"
#include "spn_b64.h"
#include "spn_ntlm.h"

#include <apr_strings.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* "SERVICE/host[@REALM]" against sname and realm, case-insensitively. */
static int spn_matches(const char *spn, const char *sname, const char *realm)
{
    const char *at = strrchr(spn, '@');
    size_t n = at ? (size_t)(at - spn) : strlen(spn);

    if (strlen(sname) != n || strncasecmp(spn, sname, n) != 0)
        return 0;
    return !at || strcasecmp(at + 1, realm) == 0;
}

static void add_int(int *v, int *n, int x)
{
    int i;
    for (i = 0; i < *n; i++)
        if (v[i] == x)
            return;
    if (*n < 8)
        v[(*n)++] = x;
}

/* Realms this service belongs to: from SPNs that name one, else the keytab's. */
static const char *expected_realm(const spn_service_t *svc, const char *realm, int *match)
{
    const char *first = NULL;
    int i, any = 0;

    *match = 0;
    for (i = 0; i < svc->n_spns; i++) {
        const char *at = strrchr(svc->spns[i], '@');
        if (!at)
            continue;
        any = 1;
        if (!first)
            first = at + 1;
        if (strcasecmp(at + 1, realm) == 0)
            *match = 1;
    }
    if (!any && svc->keytab && svc->keytab->status == 0) {
        for (i = 0; i < svc->keytab->n; i++) {
            if (!*svc->keytab->e[i].realm)
                continue;
            any = 1;
            if (!first)
                first = svc->keytab->e[i].realm;
            if (strcasecmp(svc->keytab->e[i].realm, realm) == 0)
                *match = 1;
        }
    }
    if (!any)
        *match = 1;
    return first;
}

/* The host names the fix and the directory look-ups use: the two forms
 * (spn_fix_forms) of the host the failure asked for, the ticket's, else
 * the one the client used, each only when it is an RFC 1123 name; the
 * first configured SPN's only when neither is. */
void spn_remedy_names(const spn_service_t *svc, const spn_observation_t *obs, spn_diag_t *d)
{
    const char *h = NULL, *slash;
    size_t hn = 0;

    if (d->tok.has_krb5 && d->tok.krb5.sname_n >= 2 && (slash = strchr(d->sname, '/')) != NULL &&
        spn_fix_host_ok(slash + 1, strcspn(slash + 1, "@:/"))) {
        h = slash + 1;
        hn = strcspn(h, "@:/");
    }
    else if (obs->host && spn_fix_host_ok(obs->host, strcspn(obs->host, ":"))) {
        h = obs->host;
        hn = strcspn(h, ":");
    }
    else if (svc->n_spns && (slash = strchr(svc->spns[0], '/')) != NULL) {
        h = slash + 1;
        hn = strcspn(h, "@/:");
    }
    spn_fix_forms(svc, h, hn, d->netbios, sizeof(d->netbios), d->fqdn, sizeof(d->fqdn));
    if (!*d->fqdn && h && hn && hn < sizeof(d->fqdn) && !memchr(h, '.', hn) && !svc->n_spns) {
        memcpy(d->fqdn, h, hn);         /* a short name, nothing longer known */
        d->fqdn[hn] = '\0';
    }
}

/* The acceptor's error text (mod_auth_gssapi's MAG_ERROR_TEXT) mentions w. */
static int said(const spn_observation_t *obs, const char *w)
{
    size_t n = strlen(w);
    const char *s;

    for (s = obs->gss_error; s && *s; s++)
        if (strncasecmp(s, w, n) == 0)
            return 1;
    return 0;
}

/* The backend's token says it completed the Kerberos exchange. */
static int backend_accepted(const spn_diag_t *d)
{
    const spn_token_t *t = &d->backend;
    if (!d->has_backend || t->error.code != SPN_E_OK)
        return 0;
    return t->neg_state == SPN_NEG_ACCEPT_COMPLETED || (t->has_krb5 && t->krb5.msg_type == SPN_KRB_AP_REP);
}

/* The client's channel binding (bnd, 16 bytes; NULL when none was read)
 * against the one this server's certificate gives. */
static void binding_state(spn_diag_t *d, const uint8_t *bnd, int zero)
{
    if (!bnd) {
        d->cb_state = SPN_CB_UNKNOWN;
        return;
    }
    memcpy(d->cb_client, bnd, 16);
    if (zero)
        d->cb_state = SPN_CB_NONE;
    else if (d->cbt.ok && memcmp(bnd, d->cbt.md5, 16) == 0)
        d->cb_state = SPN_CB_OURS;
    else
        d->cb_state = SPN_CB_OTHER;
}

/* The backend's KRB-ERROR says its key did not open the ticket
 * (KRB_AP_ERR_BAD_INTEGRITY 31, MODIFIED 41, BADKEYVER 44, NOKEY 45):
 * the key, not the channel binding, failed there. */
static int backend_key_error(const spn_diag_t *d)
{
    const spn_token_t *t = &d->backend;
    long c = t->krb5.error_code;
    return d->has_backend && t->error.code == SPN_E_OK && t->has_krb5 &&
           t->krb5.msg_type == SPN_KRB_ERROR && (c == 31 || c == 41 || c == 44 || c == 45);
}

static spn_cause_t decide_krb5(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                               const spn_observation_t *obs, spn_diag_t *d)
{
    const spn_keytab_t *kt = svc->keytab;
    const spn_krb5_t *k = &d->tok.krb5;
    int i, realm_ok, replay, expired, skewed;

    replay = said(obs, "replay");
    for (i = 0; i < svc->n_spns; i++)
        if (spn_matches(svc->spns[i], d->sname, d->realm))
            d->configured = 1;
    d->expected_realm = expected_realm(svc, d->realm, &realm_ok);
    if (!kt || kt->status != 0 || kt->n == 0)
        return SPN_C_NO_SERVICE_KEY;
    for (i = 0; i < kt->n; i++) {
        if (strcasecmp(kt->e[i].name, d->sname) != 0 ||
            (*kt->e[i].realm && strcasecmp(kt->e[i].realm, d->realm) != 0))
            continue;
        d->held = 1;
        add_int(d->kt_kvnos, &d->n_kt_kvnos, kt->e[i].kvno);
        add_int(d->kt_etypes, &d->n_kt_etypes, kt->e[i].enctype);
    }
    for (i = 0; i < kt->n; i++)
        if (kt->e[i].enctype == k->etype &&
            (!d->held || strcasecmp(kt->e[i].name, d->sname) == 0))
            d->etype_available = 1;
    if (!realm_ok)
        return SPN_C_REALM_MISMATCH;
    if (ctx)
        spn_keytab_trial(p, kt, d->sname, k->kvno, k->etype, k->cipher.p, k->cipher.len,
                         k->auth_etype, k->auth_cipher.p, k->auth_cipher.len, &d->ticket);
    /* No verdict on the keys (too large, or the trial budget is spent):
     * no cause that depends on one either. */
    if (d->ticket.shed)
        return SPN_C_UNKNOWN;
    if (d->ticket.decrypted) {
        const spn_kt_entry_t *e = &kt->e[d->ticket.entry];
        d->fit_principal = e->principal;
        d->fit_kvno = e->kvno;
        if (d->ticket.have_ctime)
            d->skew = (long)(d->ticket.ctime - obs->now);
        if (d->ticket.auth.gss_cksum)
            binding_state(d, d->ticket.auth.bnd, d->ticket.auth.bnd_zero);
        /* Servers allow max_skew either way, on the ticket's end time too.
         * When both are off, the acceptor's own error (GssapiPublishErrors)
         * says which check it tripped first. */
        expired = d->ticket.endtime > 0 && d->ticket.endtime + svc->max_skew < obs->now;
        skewed = d->ticket.have_ctime && (d->skew > svc->max_skew || -d->skew > svc->max_skew);
        if (expired && (!skewed || !said(obs, "skew")))
            return SPN_C_TICKET_EXPIRED;
        if (skewed)
            return SPN_C_CLOCK_SKEW;
        if (replay)
            return SPN_C_REPLAY;
        if (strcasecmp(e->name, d->sname) == 0 && k->kvno >= 0 && k->kvno != e->kvno)
            return SPN_C_KVNO_MISMATCH;
        if (strcasecmp(e->name, d->sname) != 0 && !d->configured && !d->held)
            return SPN_C_SPN_UNKNOWN;
        /* Our copy of the service key fits.  Behind a proxy, a backend
         * that did not accept the ticket either checks the channel
         * binding against its own TLS (the client bound to ours: proven
         * by the certificate we served), or decrypts with another key. */
        if (!obs->proxied || backend_accepted(d))
            return SPN_C_TICKET_OK;
        return d->cb_state == SPN_CB_OURS && !backend_key_error(d) ? SPN_C_BACKEND_CHANNEL_BINDING
                                                                   : SPN_C_BACKEND_KERNEL_MODE;
    }
    if (!d->held && !d->configured)
        return SPN_C_SPN_UNKNOWN;
    if (!d->etype_available)
        return SPN_C_ENCTYPE_MISMATCH;
    if (d->held && k->kvno >= 0) {
        for (i = 0; i < d->n_kt_kvnos; i++)
            if (d->kt_kvnos[i] == k->kvno)
                return SPN_C_SPN_WRONG_ACCOUNT;
        return SPN_C_KVNO_MISMATCH;
    }
    return SPN_C_SPN_WRONG_ACCOUNT;
}

/* Kerberos user-to-user: its AP-REQ carries a ticket sealed with the
 * server's TGT session key, which no keytab holds, so trial decryption
 * would blame the keytab; it is reported as a mechanism we do not accept. */
static int is_u2u(const spn_token_t *t)
{
    return t->mech == SPN_MECH_KRB5_U2U ||
           spn_mech_of_oid(t->inner_oid.p, t->inner_oid.len) == SPN_MECH_KRB5_U2U;
}

spn_err_t spn_decode_pooled(apr_pool_t *p, const char *b64, size_t len, spn_token_t *tok)
{
    size_t need = spn_b64_decoded_max(len);
    size_t cap = need < SPN_TOKEN_MAX ? need : SPN_TOKEN_MAX;  /* past it: rejected as too large */

    return spn_token_decode_b64(b64, len, apr_palloc(p, cap + 1), cap, tok);
}

/* From the decoded token in d to the cause. */
static void judge(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                  const spn_observation_t *obs, spn_diag_t *d)
{
    if (d->tok.has_krb5) {
        spn_krb5_sname(&d->tok.krb5, d->sname, sizeof(d->sname));
        apr_cpystrn(d->realm, d->tok.krb5.realm.p ? (const char *)d->tok.krb5.realm.p : "",
                    d->tok.krb5.realm.len + 1 < sizeof(d->realm)
                    ? d->tok.krb5.realm.len + 1 : sizeof(d->realm));
    }
    spn_remedy_names(svc, obs, d);
    if (d->tok.error.code != SPN_E_OK)
        d->cause = SPN_C_MALFORMED;
    else if (d->tok.has_ntlm || d->tok.mech == SPN_MECH_NTLMSSP ||
             strcmp(d->scheme, "NTLM") == 0) {
        const spn_ntlm_t *n = &d->tok.ntlm;
        d->cause = SPN_C_NTLM_FALLBACK;
        /* NTLMv2 names the SPN the client wanted a ticket for */
        if (n->has_av_target)
            spn_ntlm_utf8(1, n->av_target, d->sname, sizeof(d->sname));
        if (n->has_av_cb) {
            int i, zero = 1;
            for (i = 0; i < 16; i++)
                zero &= n->av_cb.p[i] == 0;
            binding_state(d, n->av_cb.p, zero);
        }
    }
    else if (!d->tok.has_krb5 || d->tok.krb5.msg_type != SPN_KRB_AP_REQ || is_u2u(&d->tok))
        d->cause = SPN_C_UNSUPPORTED_MECH;
    else
        d->cause = decide_krb5(p, ctx, svc, obs, d);
}

static void diagnose_token(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                           const spn_observation_t *obs, spn_diag_t *d)
{
    const char *b64;
    size_t n;
    uint8_t raw[1];

    memset(d, 0, sizeof(*d));
    d->fit_kvno = -1;
    if (!obs->authorization ||
        spn_split_auth(obs->authorization, strlen(obs->authorization), &d->scheme,
                       &b64, &n) < 0) {
        d->scheme = d->scheme ? d->scheme : "";
        spn_token_decode(raw, 0, &d->tok);
        d->cause = SPN_C_MALFORMED;
        spn_remedy_names(svc, obs, d);
        return;
    }
    d->proxied = obs->proxied;
    d->backend_iis = obs->proxied &&
                     ((obs->backend_server && (strstr(obs->backend_server, "Microsoft-IIS") ||
                                               strstr(obs->backend_server, "Microsoft-HTTPAPI"))) ||
                      (obs->backend_powered_by && strstr(obs->backend_powered_by, "ASP.NET")));
    if (obs->tls_cert)
        spn_cbt_from_pem(obs->tls_cert, strlen(obs->tls_cert), &d->cbt);
    if (obs->proxied && obs->backend_www) {     /* a backend's token only behind a proxy */
        const char *bs, *bb;
        size_t bn;
        if (spn_split_auth(obs->backend_www, strlen(obs->backend_www), &bs, &bb, &bn) == 0 &&
            bn > 0) {
            spn_decode_pooled(p, bb, bn, &d->backend);
            d->has_backend = 1;
        }
    }
    spn_decode_pooled(p, b64, n, &d->tok);
    judge(p, ctx, svc, obs, d);
}

void spn_diagnose(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                  const spn_observation_t *obs, spn_diag_t *d)
{
    diagnose_token(p, ctx, svc, obs, d);
    spn_too_large_judge(obs, d);            /* a 400 for the field: token-too-large */
}

void spn_diagnose_ticket(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                         const uint8_t *ticket, size_t len, time_t now, spn_diag_t *d)
{
    spn_observation_t obs;

    memset(&obs, 0, sizeof(obs));
    obs.now = now;
    memset(d, 0, sizeof(*d));
    d->fit_kvno = -1;
    d->scheme = "Negotiate";
    spn_token_decode_ticket(ticket, len, &d->tok);
    judge(p, ctx, svc, &obs, d);
}

/* Log values: printable, no spaces or quotes, bounded. */
static void log_value(spn_buf_t *b, const char *key, const char *v)
{
    size_t i;
    spn_buf_printf(b, " %s=", key);
    if (!v || !*v) {
        spn_buf_puts(b, "-");
        return;
    }
    for (i = 0; v[i] && i < 128; i++) {
        unsigned char c = (unsigned char)v[i];
        spn_buf_printf(b, "%c", (c > 0x20 && c < 0x7F && c != '"' && c != '=') ? c : '?');
    }
}

void spn_diag_logline(spn_buf_t *b, const spn_diag_t *d)
{
    char n[24];
    spn_buf_printf(b, "cause=%s", spn_cause_code(d->cause));
    log_value(b, "spn", d->sname);
    log_value(b, "realm", d->realm);
    if (d->tok.has_krb5 && d->tok.krb5.msg_type == SPN_KRB_AP_REQ) {
        snprintf(n, sizeof(n), "%d", d->tok.krb5.etype);
        log_value(b, "etype", n);
        snprintf(n, sizeof(n), "%ld", d->tok.krb5.kvno);
        log_value(b, "kvno", d->tok.krb5.kvno >= 0 ? n : NULL);
    }
    else {
        log_value(b, "etype", NULL);
        log_value(b, "kvno", NULL);
    }
    log_value(b, "mech", spn_mech_name(d->tok.mech));
    if (d->too_large) {
        snprintf(n, sizeof(n), "%zu", d->field_size);
        log_value(b, "size", n);
        snprintf(n, sizeof(n), "%zu", d->field_limit);
        log_value(b, "limit", d->field_limit ? n : NULL);
    }
    if (d->ticket.shed)
        log_value(b, "trial", d->ticket.shed == SPN_SHED_TOO_LARGE ? "too-large"
                              : d->ticket.shed == SPN_SHED_WORK ? "capped" : "shed");
}

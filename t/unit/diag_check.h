/* diag_check.h: the invariants of a spn_diag_t after spn_diagnose(), for
 * the fuzz oracle (fuzz_diag.c aborts on a violation) and the unit tests.
 * An overrun inside the struct is invisible to ASan; these are not.
 * Returns NULL when every invariant holds, else what broke. */
#ifndef DIAG_CHECK_H
#define DIAG_CHECK_H

#include "spn_diag.h"

#include <string.h>

#define DC_TERM(f) (memchr((f), '\0', sizeof(f)) != NULL)
#define DC_BOOL(v) ((v) == 0 || (v) == 1)

static int dc_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t i;
    for (i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

/* expected_realm points into the service's SPNs or keytab, or is NULL. */
static int dc_realm_ours(const spn_service_t *svc, const char *r)
{
    int i;
    if (!r)
        return 1;
    for (i = 0; i < svc->n_spns; i++)
        if (strrchr(svc->spns[i], '@') && r == strrchr(svc->spns[i], '@') + 1)
            return 1;
    for (i = 0; svc->keytab && i < svc->keytab->n; i++)
        if (r == svc->keytab->e[i].realm)
            return 1;
    return 0;
}

static const char *diag_check(const spn_diag_t *d, const spn_service_t *svc,
                              const spn_observation_t *obs)
{
    const spn_keytab_t *kt = svc->keytab;
    int i;

    if ((int)d->cause < 0 || d->cause >= SPN_C_COUNT)
        return "cause out of range";
    if (!d->scheme || (strcmp(d->scheme, "Negotiate") && strcmp(d->scheme, "NTLM") &&
                       strcmp(d->scheme, "Kerberos") && *d->scheme))
        return "scheme is not one of ours";
    if (!DC_TERM(d->sname) || !DC_TERM(d->realm) || !DC_TERM(d->fqdn) ||
        !DC_TERM(d->netbios) || !DC_TERM(d->ticket.client) || !DC_TERM(d->tok.error.message) ||
        !DC_TERM(d->backend.error.message))
        return "a string field is not NUL-terminated within its size";
    if (*d->fqdn && strlen(d->netbios) > strcspn(d->fqdn, ".") && !(svc->netbios && *svc->netbios))
        return "derived netbios longer than fqdn";
    if (!DC_BOOL(d->configured) || !DC_BOOL(d->held) || !DC_BOOL(d->etype_available) ||
        !DC_BOOL(d->has_backend) || !DC_BOOL(d->ticket.decrypted) ||
        !DC_BOOL(d->ticket.have_ctime))
        return "a flag is neither 0 nor 1";
    if (d->n_kt_kvnos < 0 || d->n_kt_kvnos > 8 || d->n_kt_etypes < 0 || d->n_kt_etypes > 8)
        return "keytab kvno/etype count out of range";
    if (d->proxied != 0 && d->proxied != obs->proxied)
        return "proxied differs from the observation";
    if (d->has_backend && (!d->proxied || !obs->backend_www))
        return "backend token without a proxied backend answer";
    if (!d->has_backend && !dc_zero(&d->backend, sizeof(d->backend)))
        return "backend token written without has_backend";
    if (!dc_realm_ours(svc, d->expected_realm))
        return "expected_realm points outside the service";
    if (d->ticket.decrypted) {
        if (!kt || d->ticket.entry < 0 || d->ticket.entry >= kt->n ||
            d->fit_principal != kt->e[d->ticket.entry].principal)
            return "decrypting entry is not a keytab entry";
    }
    else if (d->fit_principal || d->fit_kvno != -1) {
        return "a fitting key without decryption";
    }
    if (d->tok.n_mechs < 0 || d->tok.krb5.sname_n < 0)
        return "negative count in the token";
    for (i = 0; i < d->n_kt_kvnos; i++)
        if (!d->held)
            return "keytab kvnos without the sname held";
    /* channel binding (issue 12): a verdict only from a binding read, a
     * proof only with the certificate's binding in hand */
    if (d->cb_state < SPN_CB_UNKNOWN || d->cb_state > SPN_CB_OTHER)
        return "cb_state out of range";
    if (d->cb_state == SPN_CB_OURS && (!d->cbt.ok || memcmp(d->cb_client, d->cbt.md5, 16) != 0))
        return "bound to us without the proof";
    if (d->cb_state == SPN_CB_NONE && !dc_zero(d->cb_client, 16))
        return "bound none with a non-zero binding";
    if (d->cb_state != SPN_CB_UNKNOWN && !d->ticket.auth.gss_cksum && !d->tok.ntlm.has_av_cb)
        return "a binding verdict without a binding read";
    if (d->cause == SPN_C_BACKEND_CHANNEL_BINDING &&
        (d->cb_state != SPN_CB_OURS || !d->proxied || !d->ticket.decrypted))
        return "backend-channel-binding without the proof";
    if (!d->ticket.decrypted && !dc_zero(&d->ticket.auth, sizeof(d->ticket.auth)))
        return "authenticator facts without a decrypted ticket";
    if (!DC_TERM(d->ticket.auth.cname) || !DC_TERM(d->cbt.error) || !DC_TERM(d->cbt.hash_name))
        return "an authenticator/binding string is not NUL-terminated";
    if (d->tok.ntlm.n_av < 0 || d->tok.ntlm.n_av > SPN_NTLM_AV_MAX ||
        (d->tok.ntlm.has_av_cb && d->tok.ntlm.av_cb.len != 16))
        return "NTLM AV pairs out of range";
    return NULL;
}

#endif

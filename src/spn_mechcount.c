/* spn_mechcount.c: which mechanism a successful token used, counted per
 * scope; the kerberos-share self-check. */
#include "spn_mechcount.h"
#include "spn_b64.h"
#include "spn_der.h"
#include "spn_http.h"
#include "spn_names.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

static const char *const mc_names[SPN_MC_N] = {"krb5", "ntlm", "other"};

const char *spn_mc_name(int mc)
{
    return mc >= 0 && mc < SPN_MC_N ? mc_names[mc] : "other";
}

/* A DER header with tag at *i in p[0..n) (spn_der_peek: the contents, which
 * a prefix need not hold, are not required): moves *i past it; the
 * contents' length in *len. */
static int der_enter(const uint8_t *p, size_t n, size_t *i, uint8_t tag, size_t *len)
{
    spn_tlv_t t;
    size_t h;

    if (*i >= n || p[*i] != tag || spn_der_peek(p + *i, n - *i, &t, &h) != SPN_DER_OK)
        return 0;
    *i += h;
    *len = t.len;
    return 1;
}

static int mc_of_oid(const uint8_t *oid, size_t len)
{
    switch (spn_mech_of_oid(oid, len)) {
    case SPN_MECH_KRB5: case SPN_MECH_MS_KRB5:
        return SPN_MC_KRB5;
    case SPN_MECH_NTLMSSP:
        return SPN_MC_NTLM;
    default:
        return SPN_MC_OTHER;
    }
}

static int has_ntlmssp(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 8 <= n; i++)
        if (memcmp(p + i, "NTLMSSP\0", 8) == 0)
            return 1;
    return 0;
}

int spn_mech_sniff(const char *auth, size_t n)
{
    static const uint8_t spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
    uint8_t p[SPN_SNIFF_B64 / 4 * 3];
    const char *scheme, *b64;
    size_t bn, i = 0, len, bad;
    long got;

    if (spn_split_auth(auth, n, &scheme, &b64, &bn) < 0)
        return SPN_MC_OTHER;
    if (strcmp(scheme, "NTLM") == 0)
        return SPN_MC_NTLM;
    if (bn > SPN_SNIFF_B64)
        bn = SPN_SNIFF_B64;                 /* a prefix: whole groups, no padding */
    bn -= bn % 4;
    if ((got = spn_b64_decode(b64, bn, p, sizeof(p), &bad)) < 8)
        return SPN_MC_OTHER;
    n = (size_t)got;
    if (memcmp(p, "NTLMSSP\0", 8) == 0)     /* raw NTLMSSP under Negotiate */
        return SPN_MC_NTLM;
    if (p[0] == 0xa1)                       /* NegTokenResp: NTLM's third leg */
        return has_ntlmssp(p, n) ? SPN_MC_NTLM : SPN_MC_OTHER;
    /* [APPLICATION 0] { thisMech OID, ... } */
    if (!der_enter(p, n, &i, 0x60, &len) || !der_enter(p, n, &i, 0x06, &len) || i + len > n)
        return SPN_MC_OTHER;
    if (len != sizeof(spnego) || memcmp(p + i, spnego, len) != 0)
        return mc_of_oid(p + i, len);       /* a bare GSS token (krb5) */
    i += len;
    /* NegTokenInit [0] SEQUENCE { mechTypes [0] SEQUENCE OF OID }: the first */
    if (!der_enter(p, n, &i, 0xa0, &len) || !der_enter(p, n, &i, 0x30, &len) ||
        !der_enter(p, n, &i, 0xa0, &len) || !der_enter(p, n, &i, 0x30, &len) ||
        !der_enter(p, n, &i, 0x06, &len) || i + len > n)
        return SPN_MC_OTHER;
    return mc_of_oid(p + i, len);
}

/* Past the element at *i (its contents must be in p[0..n)). */
static int der_skip(const uint8_t *p, size_t n, size_t *i)
{
    spn_tlv_t t;
    size_t h;

    if (*i >= n || spn_der_peek(p + *i, n - *i, &t, &h) != SPN_DER_OK || t.len > n - *i - h)
        return 0;
    *i += h + t.len;
    return 1;
}

/* Enters the element tagged tag among the elements from *i, skipping the
 * ones before it (each whole in the prefix), up to end. */
static int der_find(const uint8_t *p, size_t n, size_t *i, size_t end, uint8_t tag, size_t *len)
{
    while (*i < end && *i < n && p[*i] != tag)
        if (!der_skip(p, n, i))
            return 0;
    return *i < end && der_enter(p, n, i, tag, len);
}

/* The enctype from the first bn (whole groups) base64 characters at b64. */
static int etype_prefix(const char *b64, size_t bn)
{
    static const uint8_t spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
    uint8_t p[SPN_SNIFF_ET_B64 / 4 * 3];
    size_t n, i = 0, len, end, bad;
    long got;
    int v = 0;

    if ((got = spn_b64_decode(b64, bn, p, sizeof(p), &bad)) < 8)
        return 0;
    n = (size_t)got;
    if (!der_enter(p, n, &i, 0x60, &len) || !der_enter(p, n, &i, 0x06, &len) || i + len > n)
        return 0;
    if (len == sizeof(spnego) && memcmp(p + i, spnego, len) == 0) {
        /* NegTokenInit [0] SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2] OCTET STRING } */
        i += len;
        if (!der_enter(p, n, &i, 0xa0, &len) || !der_enter(p, n, &i, 0x30, &len) ||
            !der_find(p, n, &i, i + len, 0xa2, &len) || !der_enter(p, n, &i, 0x04, &len) ||
            !der_enter(p, n, &i, 0x60, &len) || !der_enter(p, n, &i, 0x06, &len) || i + len > n)
            return 0;
    }
    if (mc_of_oid(p + i, len) != SPN_MC_KRB5)
        return 0;
    i += len;
    if (i + 2 > n || p[i] != 0x01 || p[i + 1] != 0x00)     /* TOK_ID: AP-REQ */
        return 0;
    i += 2;
    /* AP-REQ [APPLICATION 14] SEQUENCE { ..., ticket [3] Ticket [APPLICATION 1]
     * SEQUENCE { ..., enc-part [3] EncryptedData SEQUENCE { etype [0] INTEGER } } } */
    if (!der_enter(p, n, &i, 0x6e, &len) || !der_enter(p, n, &i, 0x30, &len) ||
        (end = i + len, !der_find(p, n, &i, end, 0xa3, &len)) ||
        !der_enter(p, n, &i, 0x61, &len) || !der_enter(p, n, &i, 0x30, &len) ||
        (end = i + len, !der_find(p, n, &i, end, 0xa3, &len)) ||
        !der_enter(p, n, &i, 0x30, &len) || !der_enter(p, n, &i, 0xa0, &len) ||
        !der_enter(p, n, &i, 0x02, &len) || len < 1 || len > 4 || i + len > n)
        return 0;
    if (p[i] & 0x80)                        /* negative: no enctype */
        return 0;
    for (end = i + len; i < end; i++)
        v = (v << 8) | p[i];
    return v;
}

int spn_etype_sniff(const char *auth, size_t n)
{
    const char *scheme, *b64;
    size_t bn;
    int v;

    if (spn_split_auth(auth, n, &scheme, &b64, &bn) < 0 || strcmp(scheme, "Negotiate") != 0)
        return 0;
    bn -= bn % 4;
    /* a usual ticket's enc-part starts within 512 characters; else look further */
    if ((v = etype_prefix(b64, bn < 512 ? bn : 512)) != 0 || bn <= 512)
        return v;
    return etype_prefix(b64, bn < SPN_SNIFF_ET_B64 ? bn : SPN_SNIFF_ET_B64);
}

static const char *const et_names[SPN_ET_N] = {
    "aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96", "aes-sha2", "rc4-hmac", "des",
    "other", "unknown"};

int spn_et_bucket(int etype)
{
    switch (etype) {
    case 0: return SPN_ET_UNKNOWN;
    case 18: return SPN_ET_AES256;
    case 17: return SPN_ET_AES128;
    case 19: case 20: return SPN_ET_AES_SHA2;
    case 23: case 24: return SPN_ET_RC4;
    case 1: case 2: case 3: case 16: return SPN_ET_DES;
    default: return SPN_ET_OTHER;
    }
}

const char *spn_et_name(int et)
{
    return et >= 0 && et < SPN_ET_N ? et_names[et] : "unknown";
}

void spn_etype_count(spn_store_t *s, int i, int et)
{
    if (!s || i < 0 || i >= SPN_MECH_SCOPES || et < 0 || et >= SPN_ET_N)
        return;
    __atomic_fetch_add(&s->mechs[i].et[et], 1, __ATOMIC_RELAXED);
}

void spn_mech_name_slot(spn_store_t *s, int i, const char *scope)
{
    spn_mech_slot_t *m;

    if (!s || i < 0 || i >= SPN_MECH_SCOPES)
        return;
    m = &s->mechs[i];
    if (strncmp(m->scope, scope, sizeof(m->scope) - 1) == 0 && m->scope[0])
        return;                             /* the same scope: counts go on */
    memset(m, 0, sizeof(*m));
    apr_cpystrn(m->scope, scope, sizeof(m->scope));
}

void spn_mech_count(spn_store_t *s, int i, int mc)
{
    if (!s || i < 0 || i >= SPN_MECH_SCOPES || mc < 0 || mc >= SPN_MC_N)
        return;
    __atomic_fetch_add(&s->mechs[i].n[mc], 1, __ATOMIC_RELAXED);
}

void spn_selfcheck_share(apr_pool_t *p, const uint64_t *n, int max_pct, spn_checks_t *r)
{
    uint64_t all;
    double ntlm;
    int state;
    char *msg = apr_palloc(p, 256);

    if (!n || r->n >= SPN_CHECK_MAX)
        return;
    all = n[SPN_MC_KRB5] + n[SPN_MC_NTLM] + n[SPN_MC_OTHER];
    ntlm = all ? 100.0 * (double)n[SPN_MC_NTLM] / (double)all : 0;
    if (all < SPN_SHARE_MIN) {
        state = SPN_CHECK_PASS;
        snprintf(msg, 256, "%llu successful sign-ins so far (judged from %d)",
                 (unsigned long long)all, SPN_SHARE_MIN);
    }
    else {
        state = ntlm > max_pct ? SPN_CHECK_WARN : SPN_CHECK_PASS;
        snprintf(msg, 256, "NTLM carried %llu of %llu successful sign-ins (%.0f%%; Kerberos "
                 "%.0f%%); the limit is %d%% (SPNCheckNTLMShare)",
                 (unsigned long long)n[SPN_MC_NTLM], (unsigned long long)all, ntlm,
                 100.0 * (double)n[SPN_MC_KRB5] / (double)all, max_pct);
    }
    r->c[r->n].id = "kerberos-share";
    r->c[r->n].state = state;
    r->c[r->n].message = msg;
    r->c[r->n].remedy = state == SPN_CHECK_PASS ? NULL
        : "clients fall back to NTLM when they get no ticket: setspn -Q HTTP/<host> for "
          "every name users type (both forms), and put the site in the Local intranet zone";
    r->n++;
    if (state > r->worst)
        r->worst = state;
}

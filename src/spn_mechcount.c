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

static const uint8_t spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};

/* The first max base64 characters of b64 (bn of them), decoded into p
 * (max / 4 * 3 bytes): how many bytes, or -1 under 8. */
static long prefix(const char *b64, size_t bn, size_t max, uint8_t *p)
{
    size_t bad;
    long got;

    if (bn > max)
        bn = max;                           /* a prefix: whole groups, no padding */
    bn -= bn % 4;
    got = spn_b64_decode(b64, bn, p, max / 4 * 3, &bad);
    return got < 8 ? -1 : got;
}

/* The mechanism of the decoded token prefix p[0..n), n >= 8. */
static int sniff_buf(const uint8_t *p, size_t n)
{
    size_t i = 0, len;

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

int spn_mech_sniff(const char *auth, size_t n)
{
    uint8_t p[SPN_SNIFF_B64 / 4 * 3];
    const char *scheme, *b64;
    size_t bn;
    long got;

    if (spn_split_auth(auth, n, &scheme, &b64, &bn) < 0)
        return SPN_MC_OTHER;
    if (strcmp(scheme, "NTLM") == 0)
        return SPN_MC_NTLM;
    if ((got = prefix(b64, bn, SPN_SNIFF_B64, p)) < 0)
        return SPN_MC_OTHER;
    return sniff_buf(p, (size_t)got);
}

/* ---- the ticket's enctype, NTLMv1 ---------------------------------------------- */

/* Past the element at *i (its header and contents), within n. */
static int der_skip(const uint8_t *p, size_t n, size_t *i)
{
    spn_tlv_t t;
    size_t h;

    if (*i >= n || spn_der_peek(p + *i, n - *i, &t, &h) != SPN_DER_OK || t.len > n - *i - h)
        return 0;
    *i += h + t.len;
    return 1;
}

/* Inside the SEQUENCE whose contents start at *i (and end at end), to
 * the field [tag]: enters it. */
static int der_field(const uint8_t *p, size_t n, size_t *i, size_t end, uint8_t tag, size_t *len)
{
    while (*i < end && *i < n) {
        if (p[*i] == tag)
            return der_enter(p, n, i, tag, len);
        if (!der_skip(p, n, i))
            return 0;
    }
    return 0;
}

/* The AP-REQ at p[i..n): ticket [3] Ticket [APPLICATION 1] SEQUENCE {
 * ..., enc-part [3] EncryptedData SEQUENCE { etype [0] INTEGER } }. */
static int ap_req_etype(const uint8_t *p, size_t n, size_t i)
{
    size_t len, end;
    int v = 0;

    if (!der_enter(p, n, &i, 0x6e, &len) || !der_enter(p, n, &i, 0x30, &len))
        return 0;
    end = i + len;
    if (!der_field(p, n, &i, end, 0xa3, &len) || !der_enter(p, n, &i, 0x61, &len) ||
        !der_enter(p, n, &i, 0x30, &len))
        return 0;
    end = i + len;
    if (!der_field(p, n, &i, end, 0xa3, &len) || !der_enter(p, n, &i, 0x30, &len) ||
        !der_enter(p, n, &i, 0xa0, &len) || !der_enter(p, n, &i, 0x02, &len) ||
        len < 1 || len > 4 || i + len > n)
        return 0;
    for (end = i + len, v = (p[i] & 0x80) ? -1 : 0; i < end; i++)
        v = (int)((unsigned)v << 8 | p[i]);
    return v;
}

/* A GSS krb5 token at p[i..n): [APPLICATION 0] { OID, 01 00, AP-REQ }. */
static int gss_krb5_etype(const uint8_t *p, size_t n, size_t i)
{
    size_t len;

    if (!der_enter(p, n, &i, 0x60, &len) || !der_enter(p, n, &i, 0x06, &len) || i + len + 2 > n)
        return 0;
    if (mc_of_oid(p + i, len) != SPN_MC_KRB5)
        return 0;
    i += len;
    if (p[i] != 0x01 || p[i + 1] != 0x00)
        return 0;
    return ap_req_etype(p, n, i + 2);
}

/* An NTLM AUTHENTICATE message at p[i..n): NtChallengeResponseLen 24. */
static int ntlm_v1(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 22 <= n; i++)
        if (memcmp(p + i, "NTLMSSP\0", 8) == 0)
            return p[i + 8] == 3 && p[i + 9] == 0 && p[i + 20] == 24 && p[i + 21] == 0;
    return 0;
}

/* The ticket's enctype in the decoded prefix p[0..n) of a krb5 token:
 * a bare GSS token or SPNEGO's NegTokenInit mechToken.  0: not within. */
static int krb5_etype(const uint8_t *p, size_t n)
{
    size_t i = 0, len, end;

    if (!der_enter(p, n, &i, 0x60, &len) || !der_enter(p, n, &i, 0x06, &len) || i + len > n)
        return 0;
    if (len != sizeof(spnego) || memcmp(p + i, spnego, len) != 0)
        return gss_krb5_etype(p, n, 0);
    i += len;
    /* NegTokenInit [0] SEQUENCE { ..., mechToken [2] OCTET STRING } */
    if (!der_enter(p, n, &i, 0xa0, &len) || !der_enter(p, n, &i, 0x30, &len))
        return 0;
    end = i + len;
    if (der_field(p, n, &i, end, 0xa2, &len) && der_enter(p, n, &i, 0x04, &len))
        return gss_krb5_etype(p, n, i);
    return 0;
}

/* A short prefix first (the enctype is within ~200 bytes of a real
 * token), the longer one only when it was not. */
#define SPN_SNIFF_SHORT_B64 256

int spn_mech_sniff_ex(const char *auth, size_t n, int *etype, int *ntlmv1)
{
    uint8_t p[SPN_SNIFF_TKT_B64 / 4 * 3];
    const char *scheme, *b64;
    size_t bn;
    long got;
    int mc;

    *etype = 0;
    *ntlmv1 = 0;
    if (spn_split_auth(auth, n, &scheme, &b64, &bn) < 0)
        return SPN_MC_OTHER;
    if ((got = prefix(b64, bn, SPN_SNIFF_SHORT_B64, p)) < 0)
        return strcmp(scheme, "NTLM") == 0 ? SPN_MC_NTLM : SPN_MC_OTHER;
    mc = strcmp(scheme, "NTLM") == 0 ? SPN_MC_NTLM : sniff_buf(p, (size_t)got);
    if (mc == SPN_MC_NTLM)
        *ntlmv1 = ntlm_v1(p, (size_t)got);
    else if (mc == SPN_MC_KRB5 && !(*etype = krb5_etype(p, (size_t)got)) &&
             bn > SPN_SNIFF_SHORT_B64 && (got = prefix(b64, bn, SPN_SNIFF_TKT_B64, p)) > 0)
        *etype = krb5_etype(p, (size_t)got);
    return mc;
}

int spn_et_bucket(int etype)
{
    switch (etype) {
    case 18: return SPN_ET_AES256;
    case 17: return SPN_ET_AES128;
    case 19: case 20: return SPN_ET_AES_SHA2;
    case 23: case 24: return SPN_ET_RC4;
    case 1: case 2: case 3: case 16: return SPN_ET_DES;
    default: return SPN_ET_OTHER;
    }
}

const char *spn_et_name(int b)
{
    static const char *const names[SPN_ET_N] = {"aes256", "aes128", "aes-sha2", "rc4", "des",
                                                "other"};
    return b >= 0 && b < SPN_ET_N ? names[b] : "other";
}

/* ---- counting ---------------------------------------------------------------------- */

#define ADD(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#define SLOT_OK(s, i) ((s) && (i) >= 0 && (uint32_t)(i) < (s)->n_mechs)

void spn_funnel_first_leg(spn_store_t *s, int i)
{
    if (SLOT_OK(s, i))
        ADD(spn_store_mechs(s)[i].first_legs);
}

void spn_funnel_gave_up(spn_store_t *s, int i, int family, int os)
{
    if (!s)
        return;
    if (family < 0 || family >= SPN_CL_N)
        family = SPN_CL_OTHER;
    if (os < 0 || os >= SPN_OS_N)
        os = SPN_OS_OTHER;
    ADD(s->gave_up[family][os]);
    if (SLOT_OK(s, i))
        ADD(spn_store_mechs(s)[i].gave_up);
}

void spn_funnel_token(spn_store_t *s, int i, int mc)
{
    if (SLOT_OK(s, i) && mc >= 0 && mc < SPN_MC_N)
        ADD(spn_store_mechs(s)[i].tokens[mc]);
}

void spn_funnel_failure(spn_store_t *s, int i, int cause)
{
    if (SLOT_OK(s, i) && cause >= 0 && cause < SPN_C_COUNT)
        ADD(spn_store_mechs(s)[i].failures[cause]);
}

uint64_t spn_funnel_client_key(const char *ip, const char *ua)
{
    uint64_t h = 14695981039346656037ULL;      /* FNV-1a, bounded */
    size_t i;

    for (i = 0; ip && ip[i] && i < 64; i++)
        h = (h ^ (unsigned char)ip[i]) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (i = 0; ua && ua[i] && i < SPN_UA_MAX; i++)
        h = (h ^ (unsigned char)ua[i]) * 1099511628211ULL;
    return h;
}

/* slot: the key's low bits; value: its high 32 bits and the time's low 32 */
void spn_funnel_note_token(spn_store_t *s, uint64_t key, int64_t now)
{
    if (s)
        __atomic_store_n(&s->token_seen[key % SPN_TOKEN_SEEN],
                         (key & 0xffffffff00000000ULL) | (uint32_t)now, __ATOMIC_RELAXED);
}

int spn_funnel_token_seen(const spn_store_t *s, uint64_t key, int64_t now)
{
    uint64_t v;
    uint32_t t, n = (uint32_t)now;

    if (!s)
        return 0;
    v = __atomic_load_n(&s->token_seen[key % SPN_TOKEN_SEEN], __ATOMIC_RELAXED);
    t = (uint32_t)v;
    return v && (v & 0xffffffff00000000ULL) == (key & 0xffffffff00000000ULL) &&
           (uint32_t)(n - t) < SPN_TOKEN_SEEN_SECONDS;
}

void spn_funnel_success(spn_store_t *s, int i, int mc, int et, int ntlmv1)
{
    if (!SLOT_OK(s, i) || mc < 0 || mc >= SPN_MC_N)
        return;
    ADD(spn_store_mechs(s)[i].n[mc]);
    if (mc == SPN_MC_KRB5 && et >= 0 && et < SPN_ET_N)
        ADD(spn_store_mechs(s)[i].etypes[et]);
    if (ntlmv1)
        ADD(spn_store_mechs(s)[i].ntlmv1);
}

void spn_selfcheck_rc4(apr_pool_t *p, const uint64_t *n, spn_checks_t *r)
{
    uint64_t all = 0;
    int b, state;
    char *msg = apr_palloc(p, 400);

    if (!n || r->n >= SPN_CHECK_MAX)
        return;
    for (b = 0; b < SPN_ET_N; b++)
        all += n[b];
    state = n[SPN_ET_RC4] || n[SPN_ET_DES] ? SPN_CHECK_WARN : SPN_CHECK_PASS;
    if (state == SPN_CHECK_PASS)
        snprintf(msg, 400, "no RC4 ticket among %llu Kerberos sign-ins", (unsigned long long)all);
    else
        snprintf(msg, 400, "%llu of %llu Kerberos sign-ins (%.0f%%) came with an RC4%s ticket: "
                 "Microsoft removes RC4 from Kerberos (CVE-2026-20833, KB5073381: AES-only tickets "
                 "from April 2026 for accounts without an explicit msDS-SupportedEncryptionTypes, "
                 "from July 2026 always), and then these sign-ins fail",
                 (unsigned long long)(n[SPN_ET_RC4] + n[SPN_ET_DES]), (unsigned long long)all,
                 100.0 * (double)(n[SPN_ET_RC4] + n[SPN_ET_DES]) / (double)all,
                 n[SPN_ET_DES] ? " or DES" : "");
    r->c[r->n].id = "rc4-tickets";
    r->c[r->n].state = state;
    r->c[r->n].message = msg;
    r->c[r->n].remedy = state == SPN_CHECK_PASS ? NULL
        : "give the service account AES keys and allow AES (msDS-SupportedEncryptionTypes 0x18 "
          "on the account holding the SPN), reset its password, and export a keytab with "
          "aes256-cts-hmac-sha1-96";
    r->n++;
    if (state > r->worst)
        r->worst = state;
}

void spn_mech_name_slot(spn_store_t *s, int i, const char *scope)
{
    spn_mech_slot_t *m;

    if (!SLOT_OK(s, i))
        return;
    m = &spn_store_mechs(s)[i];
    if (spn_store_slot_is(m, scope))
        return;                             /* the same scope: counts go on */
    memset(m, 0, sizeof(*m));
    apr_cpystrn(m->scope, scope, sizeof(m->scope));
    m->label_id = spn_store_label_id(scope);
}

void spn_mech_count(spn_store_t *s, int i, int mc)
{
    if (!SLOT_OK(s, i) || mc < 0 || mc >= SPN_MC_N)
        return;
    __atomic_fetch_add(&spn_store_mechs(s)[i].n[mc], 1, __ATOMIC_RELAXED);
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

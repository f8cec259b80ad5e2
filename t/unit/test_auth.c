/* test_auth.c: the authenticator parser (spn_auth.c) on hand-built
 * Authenticators, every prefix and a few lies, and the expected channel
 * binding of a certificate (spn_cbt.c) against values computed
 * independently (certs.h). */
#include "tap.h"
#include "apreq.h"

#include "certs.h"
#include "spn_auth.h"
#include "spn_cbt.h"
#include "spn_ntlm.h"
#include "spn_token.h"
#include "spn_b64.h"
#include "spn_render.h"

#include <apr_general.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t gtime(uint8_t *o, int tag, const char *s)
{
    uint8_t x[32];
    return apreq_der(o, tag, x, apreq_der(x, 0x18, (const uint8_t *)s, strlen(s)));
}

static size_t gstr(uint8_t *o, int tag, const char *s)
{
    uint8_t x[300];
    return apreq_der(o, tag, x, apreq_der(x, 0x1b, (const uint8_t *)s, strlen(s)));
}

/* PrincipalName { 1, { name } } as [tag] */
static size_t pname(uint8_t *o, int tag, const char *name)
{
    uint8_t a[300], b[300];
    size_t k = apreq_der(a, 0x1b, (const uint8_t *)name, strlen(name)), m;
    m = apreq_der(b, 0x30, a, k);
    k = apreq_int(a, 0xa0, 1);
    k += apreq_der(a + k, 0xa1, b, m);
    return apreq_der(o, tag, b, apreq_der(b, 0x30, a, k));
}

/* AD element { ad-type [0], ad-data [1] OCTET STRING } */
static size_t ad_el(uint8_t *o, long type, const uint8_t *v, size_t n)
{
    uint8_t s[256], x[256];
    size_t k = apreq_int(s, 0xa0, type);
    k += apreq_der(s + k, 0xa1, x, apreq_der(x, 0x04, v, n));
    return apreq_der(o, 0x30, s, k);
}

typedef struct {
    long cktype;
    uint32_t lgth;          /* Lgth field */
    size_t ck_len;          /* checksum octets (>= 24 for a GSS checksum) */
    uint8_t bnd[16];
    uint32_t flags;
    int subkey;             /* enctype, 0 none */
    int ap_opts;            /* -1: no AD; else the KERB-AUTH-DATA-AP-OPTIONS value */
    int ad_len;             /* length of the AP-OPTIONS value (4) */
    const char *ctime;
    long cusec;
} auth_spec;

/* An Authenticator as spec says; returns its length. */
static size_t build(uint8_t *o, const auth_spec *sp)
{
    uint8_t seq[1024], x[1024], y[1024], ck[64];
    size_t k = 0, m, n, i;

    k += apreq_int(seq + k, 0xa0, 5);
    k += gstr(seq + k, 0xa1, "SPNCHECK.TEST");
    k += pname(seq + k, 0xa2, "alice");
    if (sp->cktype) {
        memset(ck, 0, sizeof(ck));
        for (i = 0; i < 4; i++)
            ck[i] = (uint8_t)(sp->lgth >> (8 * i));
        memcpy(ck + 4, sp->bnd, 16);
        for (i = 0; i < 4; i++)
            ck[20 + i] = (uint8_t)(sp->flags >> (8 * i));
        n = apreq_int(x, 0xa0, sp->cktype);
        n += apreq_der(x + n, 0xa1, y, apreq_der(y, 0x04, ck, sp->ck_len));
        m = apreq_der(y, 0x30, x, n);
        k += apreq_der(seq + k, 0xa3, y, m);
    }
    k += apreq_int(seq + k, 0xa4, sp->cusec);
    k += gtime(seq + k, 0xa5, sp->ctime);
    if (sp->subkey) {
        static const uint8_t keyval[16] = "0123456789abcdef";
        n = apreq_int(x, 0xa0, sp->subkey);
        n += apreq_der(x + n, 0xa1, y, apreq_der(y, 0x04, keyval, 16));
        m = apreq_der(y, 0x30, x, n);
        k += apreq_der(seq + k, 0xa6, y, m);
    }
    if (sp->ap_opts >= 0) {
        uint8_t v[4] = { (uint8_t)sp->ap_opts, (uint8_t)(sp->ap_opts >> 8), 0, 0 }, in[64];
        uint8_t list[128];
        /* AD-IF-RELEVANT { AuthorizationData { { 143, value } } } */
        n = ad_el(in, 143, v, (size_t)sp->ad_len);
        n = apreq_der(list, 0x30, in, n);
        n = ad_el(x, 1, list, n);
        m = apreq_der(y, 0x30, x, n);
        k += apreq_der(seq + k, 0xa8, y, m);
    }
    m = apreq_der(x, 0x30, seq, k);
    return apreq_der(o, 0x62, x, m);
}

static auth_spec base(void)
{
    auth_spec s;
    int i;
    memset(&s, 0, sizeof(s));
    s.cktype = SPN_CKSUM_GSS;
    s.lgth = 16;
    s.ck_len = 24;
    for (i = 0; i < 16; i++)
        s.bnd[i] = (uint8_t)(0xA0 + i);
    s.flags = SPN_GSS_MUTUAL | SPN_GSS_CONF | SPN_GSS_INTEG | SPN_GSS_SEQUENCE;
    s.subkey = 18;
    s.ap_opts = SPN_KERB_AP_OPTIONS_CBT;
    s.ad_len = 4;
    s.ctime = "20261125130000Z";
    s.cusec = 123456;
    return s;
}

/* SPN_AUTH_SEEDS=DIR: the authenticators built here are written to DIR
 * (seeds for t/fuzz/corpus/auth, renamed to their SHA-1 by hand). */
static void seed(const uint8_t *b, size_t n)
{
    static int k;
    const char *dir = getenv("SPN_AUTH_SEEDS");
    char path[1024];
    FILE *f;
    if (!dir)
        return;
    snprintf(path, sizeof(path), "%s/seed%d", dir, k++);
    if ((f = fopen(path, "wb")) != NULL) {
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

/* An NTLM AUTHENTICATE (type 3, unicode, 88-byte header with MIC) whose
 * NT response is NTLMv2 with the AV pairs av[0..avn); returns its length. */
static size_t ntlm3(uint8_t *o, const uint8_t *av, size_t avn, size_t cut_nt)
{
    uint8_t nt[1024];
    size_t ntn = 0, k;
    static const uint8_t user[] = { 'a', 0, 'l', 0, 'i', 0, 'c', 0, 'e', 0 };

    memset(nt, 0x11, 16);                   /* NTProofStr */
    ntn = 16;
    nt[ntn++] = 1;                          /* RespType */
    nt[ntn++] = 1;                          /* HiRespType */
    memset(nt + ntn, 0, 6);
    ntn += 6;
    /* TimeStamp: 2026-11-25 13:00:00Z as FILETIME */
    {
        uint64_t ft = (uint64_t)1795611600 * 10000000ULL + 116444736000000000ULL;
        for (k = 0; k < 8; k++)
            nt[ntn++] = (uint8_t)(ft >> (8 * k));
    }
    memset(nt + ntn, 0x22, 8);              /* ChallengeFromClient */
    ntn += 8;
    memset(nt + ntn, 0, 4);
    ntn += 4;
    memcpy(nt + ntn, av, avn);
    ntn += avn;
    if (cut_nt && cut_nt < ntn)
        ntn = cut_nt;
    memset(o, 0, 88);
    memcpy(o, "NTLMSSP\0", 8);
    o[8] = 3;
    /* Lm (empty at 88), Nt, Domain (empty), User, Workstation (empty), Key (empty) */
#define F(at, len, off) do { o[at] = (uint8_t)(len); o[at + 1] = (uint8_t)((len) >> 8); \
        o[at + 2] = o[at]; o[at + 3] = o[at + 1]; o[at + 4] = (uint8_t)(off); o[at + 5] = (uint8_t)((off) >> 8); } while (0)
    F(12, 0, 88);
    F(20, ntn, 88);
    F(28, 0, 88 + ntn);
    F(36, sizeof(user), 88 + ntn);
    F(44, 0, 88 + ntn + sizeof(user));
    F(52, 0, 88 + ntn + sizeof(user));
#undef F
    o[60] = 0x01;                           /* NTLMSSP_NEGOTIATE_UNICODE */
    o[63] = 0x02;                           /* NTLMSSP_NEGOTIATE_VERSION */
    memcpy(o + 88, nt, ntn);
    memcpy(o + 88 + ntn, user, sizeof(user));
    return 88 + ntn + sizeof(user);
}

static size_t av_pair(uint8_t *o, int id, const void *v, size_t n)
{
    o[0] = (uint8_t)id;
    o[1] = (uint8_t)(id >> 8);
    o[2] = (uint8_t)n;
    o[3] = (uint8_t)(n >> 8);
    if (n)
        memcpy(o + 4, v, n);
    return 4 + n;
}

static int hex_is(const uint8_t v[16], const char *want)
{
    char h[33];
    spn_cbt_hex16(v, h);
    if (strcmp(h, want))
        diag("got %s want %s", h, want);
    return strcmp(h, want) == 0;
}

int main(void)
{
    uint8_t buf[2048];
    spn_auth_t a;
    auth_spec s;
    spn_cbt_t cb;
    size_t n, i;
    char fl[128];
    int bad = 0;

    (void)apreq_token;                  /* apreq.h's helpers are header-only */
    /* the whole thing */
    s = base();
    n = build(buf, &s);
    seed(buf, n);
    is_int(spn_auth_parse(buf, n, &a), 0, "authenticator parses");
    ok(a.parsed && a.have_ctime && a.ctime == 1795611600 && a.cusec == 123456,
       "ctime 2026-11-25 13:00:00Z and cusec");
    is_str(a.cname, "alice@SPNCHECK.TEST", "cname@crealm");
    ok(a.have_cksum && a.cksum_type == SPN_CKSUM_GSS && a.gss_cksum, "GSS checksum 0x8003");
    ok(memcmp(a.bnd, s.bnd, 16) == 0 && !a.bnd_zero, "Bnd as sent");
    is_int((int)a.gss_flags, (int)s.flags, "flags");
    spn_auth_flags_str(a.gss_flags, fl, sizeof(fl));
    is_str(fl, "mutual sequence conf integ", "flag names");
    ok(a.have_ap_options && a.ap_options == SPN_KERB_AP_OPTIONS_CBT && a.cbt_option,
       "KERB_AP_OPTIONS_CBT inside AD-IF-RELEVANT");
    is_int(a.subkey_etype, 18, "subkey enctype, not its key");
    ok(memmem(&a, sizeof(a), "0123456789abcdef", 16) == NULL, "subkey bytes are not kept");

    /* all-zero Bnd: bound none; other AP options; no subkey */
    s = base();
    memset(s.bnd, 0, 16);
    s.ap_opts = 0x1;
    s.subkey = 0;
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(a.gss_cksum && a.bnd_zero, "zero Bnd: no binding");
    ok(a.have_ap_options && !a.cbt_option, "AP options without the CBT bit");
    is_int(a.subkey_etype, 0, "no subkey");

    /* lies */
    s = base();
    s.lgth = 17;
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(a.have_cksum && !a.gss_cksum && !a.bnd_zero, "Lgth != 16: not read as a GSS checksum");
    s = base();
    s.ck_len = 23;
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(!a.gss_cksum, "checksum shorter than Lgth+Bnd+Flags: not read");
    s = base();
    s.cktype = 16;      /* hmac-sha1-96-aes256: a plain Kerberos checksum */
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(a.have_cksum && a.cksum_type == 16 && !a.gss_cksum, "another checksum type: no Bnd");
    s = base();
    s.ad_len = 3;
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(!a.have_ap_options && !a.cbt_option, "AP-OPTIONS of 3 bytes: ignored");
    s = base();
    s.cusec = 1000000;
    s.ctime = "2026112513000Z";
    n = build(buf, &s);
    seed(buf, n);
    spn_auth_parse(buf, n, &a);
    ok(a.cusec == -1 && !a.have_ctime, "cusec out of range, malformed ctime: absent");

    /* every prefix of the full authenticator: no read past it, no CBT
     * claimed unless the whole AD made it in */
    s = base();
    n = build(buf, &s);
    seed(buf, n);
    for (i = 0; i < n; i++) {
        uint8_t *cut = malloc(i ? i : 1);
        memcpy(cut, buf, i);
        if (spn_auth_parse(cut, i, &a) == 0 || a.cbt_option || a.gss_cksum)
            bad++;
        free(cut);
    }
    is_int(bad, 0, "every proper prefix (%zu) is refused as a whole", n);
    is_int(spn_auth_parse(NULL, 0, &a), -1, "NULL");
    is_int(spn_auth_parse(buf + 2, n - 2, &a), -1, "not an [APPLICATION 2]");

    /* expected bindings, against python's */
    ok(spn_cbt_from_pem(CERT_SHA256, strlen(CERT_SHA256), &cb) == 0 && cb.ok &&
       hex_is(cb.md5, CERT_SHA256_CB) && strcmp(cb.hash_name, "SHA256") == 0 && cb.hash_len == 32,
       "SHA-256 certificate: tls-server-end-point MD5 as python computes it");
    ok(spn_cbt_from_pem(CERT_SHA384, strlen(CERT_SHA384), &cb) == 0 &&
       hex_is(cb.md5, CERT_SHA384_CB) && cb.hash_len == 48,
       "SHA-384 certificate: hashed with SHA-384");
    ok(spn_cbt_from_pem(CERT_SHA1, strlen(CERT_SHA1), &cb) == 0 &&
       hex_is(cb.md5, CERT_SHA1_CB) && strcmp(cb.hash_name, "SHA256") == 0,
       "SHA-1 certificate: hashed with SHA-256 (RFC 5929 4.1)");
    ok(spn_cbt_from_pem(CERT_RSA_PSS, strlen(CERT_RSA_PSS), &cb) == 0 && cb.ok &&
       hex_is(cb.md5, CERT_RSA_PSS_CB) && strcmp(cb.hash_name, "SHA256") == 0,
       "RSASSA-PSS certificate: its one hash (SHA-256 in the PSS parameters), as python computes it");
    ok(spn_cbt_from_pem("garbage", 7, &cb) == -1 && !cb.ok && *cb.error, "not PEM: refused");
    ok(spn_cbt_from_pem(CERT_SHA256, SPN_CBT_PEM_MAX + 1, &cb) == -1, "over the cap: refused");
    ok(spn_cbt_from_pem(CERT_SHA256, 100, &cb) == -1, "cut PEM: refused");
    ok(spn_cbt_from_der((const uint8_t *)"\x30\x03\x02\x01\x01", 5, &cb) == -1,
       "DER that is no certificate: refused");
    {
        /* RFC 4121 4.1.1.2 with no application data: MD5 of 20 zero bytes */
        uint8_t md5[16];
        spn_cbt_md5(NULL, 0, md5);
        ok(hex_is(md5, "441018525208457705bf09a8ee3c1093"), "empty bindings: MD5 of 20 zero bytes");
    }

    /* NTLMv2 client challenge: the AV pairs a type 3 carries in the clear */
    {
        uint8_t av[512], msg[2048], cbv[16], flags[4] = { 0x02, 0, 0, 0 }, ts[8];
        const char *spn = "HTTP/web01.contoso.test";
        uint8_t u16[64];
        size_t avn = 0, m, j;
        spn_token_t tok;
        char out[128];
        uint64_t ft = (uint64_t)1795611660 * 10000000ULL + 116444736000000000ULL;

        for (j = 0; spn[j]; j++) {
            u16[2 * j] = (uint8_t)spn[j];
            u16[2 * j + 1] = 0;
        }
        for (j = 0; j < 8; j++)
            ts[j] = (uint8_t)(ft >> (8 * j));
        for (j = 0; j < 16; j++)
            cbv[j] = (uint8_t)(0xC0 + j);
        avn += av_pair(av + avn, 2, "C\0O\0", 4);               /* MsvAvNbDomainName */
        avn += av_pair(av + avn, 6, flags, 4);                   /* MsvAvFlags: MIC */
        avn += av_pair(av + avn, 7, ts, 8);                      /* MsvAvTimestamp */
        avn += av_pair(av + avn, 9, u16, 2 * strlen(spn));       /* MsvAvTargetName */
        avn += av_pair(av + avn, 10, cbv, 16);                   /* MsvAvChannelBindings */
        avn += av_pair(av + avn, 0, NULL, 0);                    /* MsvAvEOL */
        m = ntlm3(msg, av, avn, 0);
        seed(msg, m);
        is_int(spn_token_decode(msg, m, &tok), SPN_E_OK, "NTLMv2 type 3 decodes");
        ok(tok.ntlm.ntlmv2 && tok.ntlm.n_av == 6, "client challenge: 6 AV pairs to MsvAvEOL");
        ok(tok.ntlm.has_av_target &&
           spn_ntlm_utf8(1, tok.ntlm.av_target, out, sizeof(out)) == strlen(spn) &&
           strcmp(out, spn) == 0, "MsvAvTargetName: %s", spn);
        ok(tok.ntlm.has_av_flags && tok.ntlm.av_flags == SPN_NTLM_AVF_MIC, "MsvAvFlags");
        ok(tok.ntlm.has_av_time && spn_filetime_unix(tok.ntlm.av_time) == 1795611660 &&
           spn_filetime_unix(tok.ntlm.client_time) == 1795611600, "MsvAvTimestamp and TimeStamp");
        ok(tok.ntlm.has_av_cb && memcmp(tok.ntlm.av_cb.p, cbv, 16) == 0, "MsvAvChannelBindings");
        is_str(tok.ntlm.user.len == 10 ? "alice" : "?", "alice", "the user field still read");
        /* an AV pair that runs past the response: the walk stops there */
        m = ntlm3(msg, av, avn, 16 + 28 + 8 + 4 + 2);   /* MsvAvFlags cut in its value */
        is_int(spn_token_decode(msg, m, &tok), SPN_E_OK, "cut client challenge: the message still decodes");
        ok(tok.ntlm.ntlmv2 && tok.ntlm.n_av == 1 && !tok.ntlm.has_av_flags && !tok.ntlm.has_av_target,
           "cut AV pair: not read");
        /* every cut of the AV pairs */
        bad = 0;
        for (j = 0; j <= avn; j++) {
            m = ntlm3(msg, av, j, 0);
            if (spn_token_decode(msg, m, &tok) != SPN_E_OK ||
                (tok.ntlm.has_av_cb && j < avn - 4) ||
                (tok.ntlm.has_av_target && tok.ntlm.av_target.len != 2 * strlen(spn)))
                bad++;
        }
        is_int(bad, 0, "AV pairs cut at every byte: only whole pairs are read");
        /* NTLMv1 (24-byte response): no client challenge */
        m = ntlm3(msg, av, 0, 24);
        spn_token_decode(msg, m, &tok);
        ok(!tok.ntlm.ntlmv2 && !tok.ntlm.n_av, "NTLMv1: no client challenge");
        ok(spn_filetime_unix(0) == -1, "FILETIME before 1970: none");

        /* the diagnosis: ntlm-fallback names the SPN; the binding compared */
        {
            apr_pool_t *p;
            spn_service_t svc;
            spn_observation_t obs;
            spn_diag_t *d;
            spn_buf_t page;
            char *auth;
            unsigned x;

            apr_initialize();
            apr_pool_create(&p, NULL);
            d = apr_pcalloc(p, sizeof(*d));
            for (j = 0; j < 16; j++) {
                sscanf(CERT_SHA256_CB + 2 * j, "%2x", &x);
                cbv[j] = (uint8_t)x;
            }
            avn = 0;
            avn += av_pair(av + avn, 9, u16, 2 * strlen(spn));
            avn += av_pair(av + avn, 10, cbv, 16);
            avn += av_pair(av + avn, 0, NULL, 0);
            m = ntlm3(msg, av, avn, 0);
            seed(msg, m);
            auth = apr_palloc(p, spn_b64_encoded_len(m) + 6);
            memcpy(auth, "NTLM ", 5);
            auth[5 + spn_b64_encode(msg, m, auth + 5)] = '\0';
            memset(&svc, 0, sizeof(svc));
            memset(&obs, 0, sizeof(obs));
            obs.authorization = auth;
            obs.host = "web01.contoso.test";
            obs.tls_cert = CERT_SHA256;
            obs.proxied = 1;
            spn_diagnose(p, NULL, &svc, &obs, d);
            is_int(d->cause, SPN_C_NTLM_FALLBACK, "NTLMv2: ntlm-fallback");
            is_str(d->sname, spn, "ntlm-fallback names the SPN the client aimed at");
            is_int(d->cb_state, SPN_CB_OURS, "MsvAvChannelBindings: bound to this server's certificate");
            spn_buf_init(&page, p, 8192);
            spn_render_page(&page, d, &svc, SPN_DETAIL_FULL, "REF");
            ok(strstr(page.s, "NTLM target (the SPN the client aimed at)</th><td>HTTP/web01.contoso.test") &&
               strstr(page.s, "Channel binding (client)</th><td>" CERT_SHA256_CB) &&
               strstr(page.s, "NTLM client time</th><td>2026-11-25 13:00:00 UTC") &&
               strstr(page.s, "a Kerberos ticket for HTTP/web01.contoso.test"),
               "page at detail full: target, binding, client time, and the meaning names the SPN");
            spn_buf_init(&page, p, 8192);
            spn_render_page(&page, d, &svc, SPN_DETAIL_SUMMARY, "REF");
            ok(!strstr(page.s, "web01.contoso") && !strstr(page.s, CERT_SHA256_CB),
               "page at detail summary: neither the target nor the binding");
            apr_pool_destroy(p);
            apr_terminate();
        }
    }
    return tap_done();
}

/* test_diag.c: the cause spn_diagnose() names, one case per cause the
 * engine can produce, and the edges between kvno-mismatch,
 * spn-wrong-account and enctype-mismatch.  Tickets are real: an
 * EncTicketPart and an Authenticator DER-encoded here, sealed with
 * krb5_c_encrypt (key usages 2 and 11) under keys made from the same
 * passwords as the in-memory keytab's, framed as GSS/SPNEGO AP-REQs.
 * spn-not-registered and spn-duplicate come from the probe (KDC errors),
 * never from a token, so they are t/probe.t's. */
#include "spn_b64.h"
#include "spn_diag.h"
#include "certs.h"
#include "spn_mechcount.h"
#include "spn_render.h"
#include "spn_size.h"
#include "spn_dirdiag.h"
#include "spn_store.h"
#include "kt_mem.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdlib.h>

/* DER identifier octets used below */
#define INTEGER   0x02
#define BITSTR    0x03
#define OCTETS    0x04
#define OID       0x06
#define ENUMER    0x0a
#define GENTIME   0x18
#define GENSTR    0x1b
#define SEQ       0x30
#define CTX(n)    (0xa0 + (n))
#define APP(n)    (0x60 + (n))

#define REALM  "SPNCHECK.TEST"
#define WEB01  "HTTP/web01.spncheck.test"
#define ALIAS  "HTTP/alias.spncheck.test"
#define AES256 ENCTYPE_AES256_CTS_HMAC_SHA1_96
#define AES128 ENCTYPE_AES128_CTS_HMAC_SHA1_96
#define NOW    ((time_t)1795000000)

typedef struct { uint8_t *p; size_t n; } blob;

static apr_pool_t *pool;
static krb5_context kctx;

static blob raw(const void *s, size_t n)
{
    blob b = { apr_pmemdup(pool, s, n ? n : 1), n };
    return b;
}

static blob tlv(uint8_t tag, blob body)
{
    uint8_t h[6];
    size_t hn = 0, k;
    blob b;

    h[hn++] = tag;
    if (body.n < 0x80) {
        h[hn++] = (uint8_t)body.n;
    }
    else {
        k = body.n < 0x100 ? 1 : body.n < 0x10000 ? 2 : 3;
        h[hn++] = (uint8_t)(0x80 | k);
        while (k--)
            h[hn++] = (uint8_t)(body.n >> (8 * k));
    }
    b.n = hn + body.n;
    b.p = apr_palloc(pool, b.n);
    memcpy(b.p, h, hn);
    memcpy(b.p + hn, body.p, body.n);
    return b;
}

/* Concatenates n (at most 8) blobs. */
static blob cat(int n, ...)
{
    blob part[8], all = { NULL, 0 };
    size_t o = 0;
    va_list ap;
    int i;

    if (n > 8)
        abort();
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        part[i] = va_arg(ap, blob);
        all.n += part[i].n;
    }
    va_end(ap);
    all.p = apr_palloc(pool, all.n + 1);
    for (i = 0; i < n; i++) {
        memcpy(all.p + o, part[i].p, part[i].n);
        o += part[i].n;
    }
    return all;
}

static blob der_int(long v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    int i = 0;
    while (i < 3 && ((b[i] == 0 && !(b[i + 1] & 0x80)) || (b[i] == 0xff && (b[i + 1] & 0x80))))
        i++;
    return tlv(INTEGER, raw(b + i, (size_t)(4 - i)));
}

static blob field_int(int n, long v) { return tlv(CTX(n), der_int(v)); }
static blob gstr(const char *s) { return tlv(GENSTR, raw(s, strlen(s))); }

static blob ktime(time_t t)
{
    char s[20];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(s, sizeof s, "%Y%m%d%H%M%SZ", &tm);
    return tlv(GENTIME, raw(s, 15));
}

/* PrincipalName for "a/b" or "a" */
static blob principal(int type, const char *name)
{
    const char *sl = strchr(name, '/');
    blob comps = sl ? cat(2, tlv(GENSTR, raw(name, (size_t)(sl - name))), gstr(sl + 1))
                    : gstr(name);
    return tlv(SEQ, cat(2, field_int(0, type), tlv(CTX(1), tlv(SEQ, comps))));
}

static blob seal(const krb5_keyblock *key, int usage, blob plain)
{
    krb5_data in;
    krb5_enc_data out;
    size_t len;

    in.magic = 0;
    in.data = (char *)plain.p;
    in.length = (unsigned)plain.n;
    memset(&out, 0, sizeof out);
    if (krb5_c_encrypt_length(kctx, key->enctype, plain.n, &len))
        abort();
    out.ciphertext.data = apr_palloc(pool, len);
    out.ciphertext.length = (unsigned)len;
    if (krb5_c_encrypt(kctx, key, usage, NULL, &in, &out))
        abort();
    return raw(out.ciphertext.data, out.ciphertext.length);
}

/* EncryptedData; kvno < 0: absent */
static blob enc_data(int etype, long kvno, blob cipher)
{
    return tlv(SEQ, cat(3, field_int(0, etype),
                        kvno >= 0 ? field_int(1, kvno) : raw("", 0),
                        tlv(CTX(2), tlv(OCTETS, cipher))));
}

typedef struct {
    const char *sname, *realm;
    const krb5_keyblock *key;  /* the key the "KDC" seals the ticket with */
    long kvno;                 /* the enc-part's label; -1 absent */
    time_t endtime, ctime;
    const char *mech_oid;      /* thisMech, 9 or 10 bytes; NULL: krb5 */
    int spnego;
    const uint8_t *bnd;        /* RFC 4121 checksum with this Bnd (16 bytes); NULL: none */
} tkt_t;

static const char OID_KRB5[] = "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
static const char OID_U2U[] = "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x03";
static const char OID_SPNEGO[] = "\x2b\x06\x01\x05\x05\x02";

static const char *b64(const char *scheme, blob b)
{
    char *out = apr_palloc(pool, strlen(scheme) + spn_b64_encoded_len(b.n) + 2);
    spn_b64_encode(b.p, b.n, out + sprintf(out, "%s ", scheme));
    return out;
}

/* "Negotiate <b64>" of an AP-REQ for t */
static const char *ap_req(const tkt_t *t)
{
    static const uint8_t no_flags[] = { 0, 0, 0, 0, 0 };
    krb5_keyblock *sk;
    blob etp, tkt, auth, ap, gss;
    const char *oid = t->mech_oid ? t->mech_oid : OID_KRB5;

    if (krb5_c_make_random_key(kctx, AES128, (sk = apr_pcalloc(pool, sizeof *sk))))
        abort();
    /* EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags [0], key [1], crealm [2],
     *   cname [3], transited [4], authtime [5], endtime [7] } */
    etp = tlv(APP(3), tlv(SEQ, cat(7,
        tlv(CTX(0), tlv(BITSTR, raw(no_flags, 5))),
        tlv(CTX(1), tlv(SEQ, cat(2, field_int(0, sk->enctype),
                                 tlv(CTX(1), tlv(OCTETS, raw(sk->contents, sk->length)))))),
        tlv(CTX(2), gstr(REALM)), tlv(CTX(3), principal(1, "alice")),
        tlv(CTX(4), tlv(SEQ, cat(2, field_int(0, 1), tlv(CTX(1), tlv(OCTETS, raw("", 0)))))),
        tlv(CTX(5), ktime(NOW - 60)), tlv(CTX(7), ktime(t->endtime)))));
    tkt = tlv(APP(1), tlv(SEQ, cat(4, field_int(0, 5), tlv(CTX(1), gstr(t->realm)),
                                   tlv(CTX(2), principal(2, t->sname)),
                                   tlv(CTX(3), enc_data(t->key->enctype, t->kvno,
                                                        seal(t->key, 2, etp))))));
    /* Authenticator ::= [APPLICATION 2] SEQUENCE { vno [0], crealm [1], cname [2],
     *   cusec [4], ctime [5] } */
    if (t->bnd) {
        /* cksum [3] Checksum { 0x8003, Lgth 16, Bnd, Flags mutual|integ } */
        uint8_t ck[24] = { 16, 0, 0, 0 };
        memcpy(ck + 4, t->bnd, 16);
        ck[20] = 0x22;
        auth = tlv(APP(2), tlv(SEQ, cat(6, field_int(0, 5), tlv(CTX(1), gstr(REALM)),
                                        tlv(CTX(2), principal(1, "alice")),
                                        tlv(CTX(3), tlv(SEQ, cat(2, field_int(0, 0x8003),
                                            tlv(CTX(1), tlv(OCTETS, raw(ck, 24)))))),
                                        field_int(4, 0), tlv(CTX(5), ktime(t->ctime)))));
    }
    else
        auth = tlv(APP(2), tlv(SEQ, cat(5, field_int(0, 5), tlv(CTX(1), gstr(REALM)),
                                        tlv(CTX(2), principal(1, "alice")), field_int(4, 0),
                                        tlv(CTX(5), ktime(t->ctime)))));
    ap = tlv(APP(14), tlv(SEQ, cat(5, field_int(0, 5), field_int(1, 14),
                                   tlv(CTX(2), tlv(BITSTR, raw(no_flags, 5))), tlv(CTX(3), tkt),
                                   tlv(CTX(4), enc_data(sk->enctype, -1,
                                                        seal(sk, 11, auth))))));
    gss = tlv(APP(0), cat(3, tlv(OID, raw(oid, strlen(oid))), raw("\x01\x00", 2), ap));
    if (t->spnego)
        gss = tlv(APP(0), cat(2, tlv(OID, raw(OID_SPNEGO, 6)),
            tlv(CTX(0), tlv(SEQ, cat(2, tlv(CTX(0), tlv(SEQ, tlv(OID, raw(oid, strlen(oid))))),
                                     tlv(CTX(2), tlv(OCTETS, gss)))))));
    krb5_free_keyblock_contents(kctx, sk);
    return b64("Negotiate", gss);
}

static apr_status_t free_key(void *data)
{
    krb5_keyblock *k = data;
    if (k->contents) {
        memset(k->contents, 0, k->length);
        free(k->contents);
    }
    return APR_SUCCESS;
}

static krb5_keyblock *key(const char *princ, krb5_enctype et, const char *pw)
{
    krb5_keyblock *k = apr_pcalloc(pool, sizeof *k);
    if (kt_mem_key(kctx, apr_pstrcat(pool, princ, "@" REALM, NULL), et, pw, k))
        abort();
    apr_pool_cleanup_register(pool, k, free_key, apr_pool_cleanup_null);
    return k;
}

static spn_service_t svc;
static spn_diag_t d;
static int seen[SPN_C_COUNT];

static int diagnose(const char *authorization, const char *gss_error)
{
    spn_observation_t obs;
    memset(&obs, 0, sizeof obs);
    obs.authorization = authorization;
    obs.gss_error = gss_error;
    obs.host = "web01.spncheck.test";
    obs.now = NOW;
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    seen[d.cause] = 1;
    return d.cause;
}

/* A fresh ticket for sname sealed with k under kvno label v. */
static tkt_t tk(const char *sname, const krb5_keyblock *k, long v)
{
    tkt_t t = { sname, REALM, k, v, NOW + 3600, NOW, NULL, 1, NULL };
    return t;
}


/* ---- the directory's refinement (issue 11), with hand-built facts ---- */

static spn_dir_spn_t facts(const char *spn, int n, ...)
{
    spn_dir_spn_t f;
    va_list ap;
    int i;

    memset(&f, 0, sizeof f);
    apr_cpystrn(f.spn, spn, sizeof f.spn);
    f.state = SPN_DIR_OK;
    f.checked_at = NOW - 30;
    f.n_holders = n;
    va_start(ap, n);
    for (i = 0; i < n && i < SPN_DIR_MAX_HOLDERS; i++) {     /* account, kind, via, kvno, enctypes */
        spn_dir_holder_t *h = &f.holders[i];
        const char *acct = va_arg(ap, const char *), *bs = strchr(acct, '\\');
        apr_cpystrn(h->account, acct, sizeof h->account);
        apr_cpystrn(h->sam, bs ? bs + 1 : acct, sizeof h->sam);
        h->kind = va_arg(ap, int);
        apr_cpystrn(h->via, va_arg(ap, const char *), sizeof h->via);
        h->kvno = va_arg(ap, int);
        h->enctypes = va_arg(ap, int);
    }
    va_end(ap);
    return f;
}

static const char *page(int detail)
{
    spn_buf_t b;
    spn_buf_init(&b, pool, 8192);
    spn_render_page(&b, &d, &svc, detail, "ABCD-EFGH");
    return b.s;
}

/* The "How to fix it" block of a full page. */
static const char *fix_block(void)
{
    const char *p = page(SPN_DETAIL_FULL), *a = strstr(p, "How to fix it</h2>\n<pre>"), *e;
    if (!a || !(e = strstr(a, "</pre>")))
        return "";
    return apr_pstrmemdup(pool, a, (apr_size_t)(e - a));
}

static int before(const char *hay, const char *a, const char *b)
{
    const char *x = strstr(hay, a), *y = strstr(hay, b);
    return x && y && x < y;
}

static void refine(const spn_dir_spn_t *f)
{
    spn_dir_refine(&d, svc.account, f);
    seen[d.cause] = 1;
}

static void directory_cases(const krb5_keyblock *other, const krb5_keyblock *rnd128)
{
    spn_dir_spn_t f;
    spn_observation_t obs;
    char asked[2][SPN_DIR_SPN_MAX];
    const char *pg;
    tkt_t t;

    /* which SPNs a failure asks the directory about */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    is_int(spn_dir_asked(&d, "ignored", asked), 2, "asked: the ticket's SPN and its other form");
    is_str(asked[0], WEB01, "asked: the ticket's SPN first");
    is_str(asked[1], "HTTP/WEB01", "asked: the NetBIOS form second");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    is_int(spn_dir_asked(&d, "web01.spncheck.test:8443", asked), 2, "NTLM: asked by Host");
    is_str(asked[0], "HTTP/web01.spncheck.test", "NTLM: HTTP/<Host>, port stripped");
    is_int(spn_dir_asked(&d, "WEB01", asked), 2, "NTLM, short Host: two forms");
    is_str(asked[1], "HTTP/web01.spncheck.test", "NTLM, short Host: the FQDN form second");
    is_int(spn_dir_asked(&d, "10.1.2.3", asked), 1, "IP literal: no other form");
    is_int(spn_dir_asked(&d, "a b", asked), 0, "hostile Host (space): nothing asked");
    is_int(spn_dir_asked(&d, "x)(servicePrincipalName=*", asked), 0,
           "hostile Host (filter characters): nothing asked");
    ok(!spn_dir_spn_ok("HTTP/") && !spn_dir_spn_ok("/x") && !spn_dir_spn_ok("HTTP/a\\2a") &&
       spn_dir_spn_ok("HTTP/web01.spncheck.test:8443"), "spn_dir_spn_ok: edges");
    {
        spn_dir_holder_t h;
        memset(&h, 0, sizeof h);
        strcpy(h.sam, "svc-web");
        strcpy(h.account, "SPNCHECK\\svc-web");
        ok(spn_dir_is_account(&h, "SPNCHECK\\SVC-WEB") && spn_dir_is_account(&h, "svc-web") &&
           spn_dir_is_account(&h, "svc-web@" REALM) && !spn_dir_is_account(&h, "svc-web2") &&
           !spn_dir_is_account(&h, NULL), "spn_dir_is_account: DOM\\sam, sam, sam@REALM");
    }

    /* the KB case: HOST/ on the computer account answers HTTP/ (sPNMappings) */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\WEB01$", SPN_DIR_KIND_COMPUTER, "HOST/web01.spncheck.test", 4, 28);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "KB case: spn-wrong-account");
    ok(d.dir_mapped && !d.dir_is_service, "KB case: through sPNMappings, not the service account");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "through HOST/web01.spncheck.test, held by the computer account "
                  "SPNCHECK\\WEB01$, and sPNMappings") != NULL, "KB case: names holder and path");
    pg = fix_block();
    ok(strstr(pg, "setspn -S HTTP/WEB01 SPNCHECK\\svc-web\n") &&
       strstr(pg, "setspn -S HTTP/web01.spncheck.test SPNCHECK\\svc-web\n"),
       "KB case: the two setspn -S for the service account");
    ok(!strstr(pg, "setspn -D"), "KB case: no setspn -D");
    ok(!strstr(pg, "&lt;"), "KB case: no placeholder in the remedy");
    ok(!strstr(page(SPN_DETAIL_NONE), "WEB01$") && !strstr(page(SPN_DETAIL_SUMMARY), "WEB01$"),
       "KB case: no account name at detail none or summary");
    ok(strstr(page(SPN_DETAIL_FULL), "<h2>What the directory says</h2>") != NULL,
       "full detail: the directory's facts");

    /* an explicit HTTP/ SPN on another account: setspn -D for it first */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\other-user", SPN_DIR_KIND_USER, WEB01, 2, -1);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "explicit SPN elsewhere: spn-wrong-account");
    pg = fix_block();
    ok(before(pg, "setspn -D " WEB01 " SPNCHECK\\other-user\n", "setspn -S HTTP/WEB01 SPNCHECK\\svc-web"),
       "explicit SPN elsewhere: setspn -D for that account, then setspn -S");
    ok(!strstr(pg, "&lt;"), "explicit SPN elsewhere: no placeholder");

    /* the service account holds it, no key decrypts: keytab-stale */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 3, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KEYTAB_STALE, "keytab-stale: service account holds it, AD kvno 3");
    is_int(d.dir_from, SPN_C_SPN_WRONG_ACCOUNT, "keytab-stale: refined from spn-wrong-account");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "the keytab is stale: AD&#39;s kvno for SPNCHECK\\svc-web is 3, the keytab holds "
                  WEB01 " only up to kvno 2") != NULL || strstr(pg, "the keytab is stale: AD's kvno "
                  "for SPNCHECK\\svc-web is 3, the keytab holds " WEB01 " only up to kvno 2") != NULL,
       "keytab-stale: stale, AD's kvno against the keytab's");
    ok(!strstr(pg, "another password: AD"), "keytab-stale (stale): not 'another password'");
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 2, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KEYTAB_STALE, "keytab-stale: same kvno");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "the keytab was made with another password") != NULL &&
       !strstr(pg, "the keytab is stale:"), "keytab-stale (same kvno): another password");

    /* kvno-mismatch shows AD's kvno; held elsewhere it is the wrong account */
    t = tk(WEB01, other, 5);
    diagnose(ap_req(&t), NULL);
    is_int(d.cause, SPN_C_KVNO_MISMATCH, "kvno 5 not held: kvno-mismatch");
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 5, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KVNO_MISMATCH, "kvno-mismatch stays with the service account");
    ok(strstr(page(SPN_DETAIL_FULL), "its current kvno is 5") != NULL, "kvno-mismatch: AD's kvno");
    t = tk(WEB01, other, 5);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\WEB01$", SPN_DIR_KIND_COMPUTER, WEB01, 5, 28);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "kvno-mismatch, held elsewhere: spn-wrong-account");

    /* enctype-mismatch shows msDS-SupportedEncryptionTypes, decoded */
    t = tk(WEB01, rnd128, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 2, 8);
    refine(&f);
    is_int(d.cause, SPN_C_ENCTYPE_MISMATCH, "enctype-mismatch stays");
    ok(strstr(page(SPN_DETAIL_FULL), "msDS-SupportedEncryptionTypes of SPNCHECK\\svc-web is 8 "
                                     "(0x8: AES128-CTS-HMAC-SHA1-96)") != NULL,
       "enctype-mismatch: the account's enctypes decoded");

    /* ntlm-fallback: no holder, two holders, the right holder */
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/alias.spncheck.test", 0);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_NOT_REGISTERED, "NTLM, no holder: spn-not-registered");
    pg = fix_block();
    ok(strstr(pg, "setspn -S HTTP/alias.spncheck.test SPNCHECK\\svc-web\n") != NULL,
       "spn-not-registered: setspn -S for the name asked");
    ok(!strstr(pg, "&lt;"), "spn-not-registered: no placeholder");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/web01.spncheck.test", 2, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER,
              "HTTP/web01.spncheck.test", 2, 24, "SPNCHECK\\old-svc", SPN_DIR_KIND_USER,
              "http/WEB01.spncheck.test", 7, 24);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_DUPLICATE, "NTLM, two holders: spn-duplicate");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "SPNCHECK\\svc-web, SPNCHECK\\old-svc all hold") != NULL,
       "spn-duplicate: both holders listed");
    pg = fix_block();
    ok(strstr(pg, "setspn -D HTTP/web01.spncheck.test SPNCHECK\\old-svc\n") &&
       !strstr(pg, "setspn -D HTTP/web01.spncheck.test SPNCHECK\\svc-web"),
       "spn-duplicate: setspn -D for the other holder only");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/web01.spncheck.test", 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER,
              "HTTP/web01.spncheck.test", 2, 24);
    refine(&f);
    is_int(d.cause, SPN_C_NTLM_FALLBACK, "NTLM, the right holder: stays ntlm-fallback");
    pg = page(SPN_DETAIL_FULL);
    ok(before(pg, "The site is not in the Local intranet zone", "cannot reach a domain controller") &&
       !strstr(pg, "no account holds the SPN"), "ntlm-fallback: client side reasons, ranked");
    memset(&obs, 0, sizeof obs);
    obs.authorization = "NTLM TlRMTVNTUAABAAAABoIIAA==";
    obs.host = "10.1.2.3";
    obs.now = NOW;
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    f = facts("HTTP/10.1.2.3", 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, "HTTP/10.1.2.3", 2, 24);
    refine(&f);
    pg = page(SPN_DETAIL_FULL);
    ok(before(pg, "reached by an IP address", "The site is not in the Local intranet zone"),
       "ntlm-fallback by IP: the IP literal ranks first");

    /* hostile directory values are escaped; failed lookups change nothing */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "EVIL\\<script>x", SPN_DIR_KIND_USER, "HTTP/<b>", 2, -1);
    refine(&f);
    pg = page(SPN_DETAIL_FULL);
    ok(!strstr(pg, "<script>") && !strstr(pg, "<b>") && strstr(pg, "EVIL\\&lt;script&gt;x"),
       "directory values are HTML-escaped");
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 0);
    f.state = SPN_DIR_ERROR;
    refine(&f);
    ok(d.cause == SPN_C_SPN_WRONG_ACCOUNT && d.dir_state == 0, "a failed lookup: no refinement");
    spn_dir_refine(&d, svc.account, NULL);
    ok(d.dir_state == 0, "no facts: no refinement");

    /* through the store: the request uses only facts held; the record,
     * shown later, is refined by facts that arrived since */
    {
        spn_store_t *st = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
        spn_failure_t rec;
        uint32_t sup;
        char spn[256];
        t = tk(WEB01, other, 2);
        diagnose(ap_req(&t), NULL);
        is_int(spn_store_dir_note(st, &d, svc.account, "web01.spncheck.test", NOW, NULL), 0,
               "store: no facts yet, the diagnosis stays");
        is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "store: spn-wrong-account as today");
        ok(spn_store_want_next(st, NOW, spn, sizeof spn) && !strcmp(spn, WEB01) &&
           spn_store_want_next(st, NOW, spn, sizeof spn) && !strcmp(spn, "HTTP/WEB01"),
           "store: both name forms wanted");
        spn_failure_from_diag(&rec, &d, NOW, "R1", "127.0.0.1", "web01.spncheck.test", "s", 0);
        spn_store_add(st, &rec, &sup);
        f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 3, 24);
        spn_store_dir_put(st, &f, 1, NOW + 5);
        spn_diag_from_failure(&d, spn_store_find(st, "R1"), &svc);
        ok(spn_store_dir_refine_failure(st, &d, spn_store_find(st, "R1"), svc.account, NULL) &&
           d.cause == SPN_C_KEYTAB_STALE && d.dir_kt_max == 2,
           "store: the record shown later is refined (keytab-stale, keytab kvno 2 kept)");
        t = tk(WEB01, other, 2);
        diagnose(ap_req(&t), NULL);
        ok(spn_store_dir_note(st, &d, svc.account, "web01.spncheck.test", NOW + 6, NULL) &&
           d.cause == SPN_C_KEYTAB_STALE, "store: the next request uses the facts held");
        spn_failure_from_diag(&rec, &d, NOW + 6, "R2", "127.0.0.1", "web01.spncheck.test", "s", 0);
        is_int(rec.base_cause, SPN_C_SPN_WRONG_ACCOUNT, "store: the record keeps the base cause");
        is_int(rec.cause, SPN_C_KEYTAB_STALE, "store: and the refined one");
        free(st);
    }

    /* A client names the SPN its failure asks for (a forged ticket's sname,
     * NTLM's target, the Host header): only names this service answers to
     * are looked up or shown, or the page tells anyone who holds any SPN. */
    {
        spn_store_t *st = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
        const char *names[] = { "www.spncheck.test", "*.apps.spncheck.test" };
        spn_dir_ours_t ours = { &svc, names, 2 };
        char spn[256];
        static const char *const mine[] = { WEB01, "HTTP/WEB01", "http/web01:8443",
            "HTTP/www.spncheck.test", "HTTP/WWW", "HTTP/x.apps.spncheck.test" };
        static const char *const theirs[] = { "cifs/dc1.spncheck.test", "HTTP/dc1.spncheck.test",
            "MSSQLSvc/sql01.spncheck.test:1433", "HOST/web01.spncheck.test",
            "HTTP/web01.spncheck.test.evil", "HTTP/apps.spncheck.test", "HTTP/DC1" };
        size_t i;

        for (i = 0; i < sizeof mine / sizeof *mine; i++)
            ok(spn_dir_ours(mine[i], &ours), "ours: %s", mine[i]);
        for (i = 0; i < sizeof theirs / sizeof *theirs; i++)
            ok(!spn_dir_ours(theirs[i], &ours), "not ours: %s", theirs[i]);
        ok(spn_dir_ours("cifs/dc1.spncheck.test", NULL), "no restriction: the CLI's own lookups");

        f = facts("cifs/dc1.spncheck.test", 1, "SPNCHECK\\DC1$", SPN_DIR_KIND_COMPUTER,
                  "cifs/dc1.spncheck.test", 7, 28);
        spn_store_dir_put(st, &f, 1, NOW);     /* as if it were held, somehow */
        t = tk("cifs/dc1.spncheck.test", other, 2);
        diagnose(ap_req(&t), NULL);
        is_int(spn_store_dir_note(st, &d, svc.account, "web01.spncheck.test", NOW + 70, &ours), 0,
               "a forged sname (cifs/dc1): its facts refine nothing");
        ok(d.dir_state == 0, "a forged sname: no holder on the page");
        ok(!spn_store_want_next(st, NOW + 70, spn, sizeof spn), "a forged sname: nothing wanted");
        memset(&d, 0, sizeof d);
        d.cause = SPN_C_NTLM_FALLBACK;
        spn_store_dir_note(st, &d, svc.account, "dc1.spncheck.test:443", NOW + 70, &ours);
        ok(!spn_store_want_next(st, NOW + 70, spn, sizeof spn),
           "NTLM with Host: dc1 (not a name of this server): nothing wanted");
        spn_store_dir_note(st, &d, svc.account, "www.spncheck.test", NOW + 70, &ours);
        ok(spn_store_want_next(st, NOW + 70, spn, sizeof spn) &&
           !strcmp(spn, "HTTP/www.spncheck.test"), "NTLM with Host: www (a ServerAlias): wanted");
        free(st);
    }
}

int main(int argc, const char *const *argv)
{
    static const char *spns[] = { WEB01 "@" REALM, "HTTP/web02.spncheck.test@" REALM };
    krb5_keytab kt;
    krb5_keyblock *web01, *web01_rc4, *other, *alias, *rnd128, *rnd384;
    tkt_t t;
    spn_observation_t obs;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&pool, NULL);
    if (krb5_init_context(&kctx) || krb5_kt_resolve(kctx, "MEMORY:test-diag", &kt) ||
        kt_mem_add(kctx, kt, WEB01 "@" REALM, AES256, 2, "Web01-Pw1") ||
        kt_mem_add(kctx, kt, WEB01 "@" REALM, ENCTYPE_ARCFOUR_HMAC, 2, "Web01-Pw1") ||
        kt_mem_add(kctx, kt, ALIAS "@" REALM, AES128, 5, "Alias-Pw1"))
        abort();
    svc.spns = spns;
    svc.n_spns = 1;
    svc.keytab = spn_keytab_load(pool, kctx, "MEMORY:test-diag");
    svc.account = "SPNCHECK\\svc-web";
    svc.max_skew = 300;
    ok(svc.keytab->status == 0 && svc.keytab->n == 3, "in-memory keytab: 3 keys");
    web01 = key(WEB01, AES256, "Web01-Pw1");
    web01_rc4 = key(WEB01, ENCTYPE_ARCFOUR_HMAC, "Web01-Pw1");
    other = key(WEB01, AES256, "Computer-Pw1");      /* the same SPN on another account */
    alias = key(ALIAS, AES128, "Alias-Pw1");
    rnd128 = apr_pcalloc(pool, sizeof *rnd128);
    rnd384 = apr_pcalloc(pool, sizeof *rnd384);
    if (krb5_c_make_random_key(kctx, AES128, rnd128) ||
        krb5_c_make_random_key(kctx, ENCTYPE_AES256_CTS_HMAC_SHA384_192, rnd384))
        abort();

    /* ticket-ok, in SPNEGO and as a raw GSS krb5 token, AES and RC4 */
    t = tk(WEB01, web01, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (SPNEGO)");
    ok(d.ticket.decrypted && d.fit_kvno == 2 && d.held && d.configured &&
       strcmp(d.ticket.client, "alice@" REALM) == 0 && d.ticket.have_ctime && d.skew == 0,
       "ticket-ok: decrypted with kvno 2, client alice, authenticator read");
    t.spnego = 0;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (GSS krb5)");
    is_int(d.tok.format, SPN_FMT_GSS_KRB5, "ticket-ok: raw GSS format");
    t = tk(WEB01, web01_rc4, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (RC4 key)");

    /* clock-skew and ticket-expired, at and past the allowed skew */
    t = tk(WEB01, web01, 2);
    t.ctime = NOW - 300;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "skew of exactly max_skew: ok");
    t.ctime = NOW - 600;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_CLOCK_SKEW, "clock-skew: client 10 min behind");
    is_int(d.skew, -600, "clock-skew: skew -600");
    t.ctime = NOW + 301;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_CLOCK_SKEW, "clock-skew: client ahead");
    t = tk(WEB01, web01, 2);
    t.endtime = NOW - 200;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ended within the skew: ok");
    t.endtime = NOW - 400;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_EXPIRED, "ticket-expired");
    t.ctime = NOW - 600;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_EXPIRED, "expired and skewed: expired");
    is_int(diagnose(ap_req(&t), "Clock skew too great"), SPN_C_CLOCK_SKEW,
           "expired and skewed, acceptor says skew: clock-skew");

    /* replay: only the acceptor knows */
    t = tk(WEB01, web01, 2);
    is_int(diagnose(ap_req(&t), "Request is a replay"), SPN_C_REPLAY, "replay");

    /* kvno-mismatch, spn-wrong-account, enctype-mismatch and their edges */
    t = tk(WEB01, web01, 3);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_KVNO_MISMATCH,
           "kvno-mismatch: the key fits but is labelled 3, keytab 2");
    is_int(d.fit_kvno, 2, "kvno-mismatch: fitted kvno 2");
    t = tk(WEB01, other, 3);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_KVNO_MISMATCH,
           "kvno-mismatch: no key fits, kvno 3 not held");
    t = tk(WEB01, other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "spn-wrong-account: kvno 2 held, yet no key fits");
    ok(d.held && !d.ticket.decrypted && d.n_kt_kvnos == 1 && d.kt_kvnos[0] == 2,
       "spn-wrong-account: held at kvno 2, not decrypted");
    t = tk(WEB01, other, -1);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "spn-wrong-account: no kvno in the ticket, no key fits");
    t = tk(WEB01, rnd128, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "enctype-mismatch: aes128 ticket, keytab has aes256/rc4 for it");
    ok(!d.etype_available, "enctype-mismatch: another principal's aes128 key does not count");
    t = tk(WEB01, rnd128, 7);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "enctype-mismatch wins over a kvno that is not held");
    svc.n_spns = 2;                                  /* HTTP/web02: configured, not held */
    t = tk("HTTP/web02.spncheck.test", other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "configured, not in the keytab, etype there: spn-wrong-account");
    ok(d.configured && !d.held, "configured but not held");
    t = tk("HTTP/web02.spncheck.test", rnd384, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "configured, not in the keytab, no key of its etype: enctype-mismatch");
    svc.n_spns = 1;

    /* spn-unknown: neither configured nor held; also when another name's key fits */
    t = tk("HTTP/other.spncheck.test", other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_UNKNOWN, "spn-unknown");
    t = tk("HTTP/cname.spncheck.test", alias, 5);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_UNKNOWN,
           "spn-unknown: decrypts with the alias's key, name not ours");
    ok(d.ticket.decrypted, "spn-unknown: it did decrypt");

    /* realm-mismatch, even when the key fits */
    t = tk(WEB01, web01, 2);
    t.realm = "OTHER.TEST";
    is_int(diagnose(ap_req(&t), NULL), SPN_C_REALM_MISMATCH, "realm-mismatch");
    is_str(d.expected_realm, REALM, "realm-mismatch: expected realm");

    /* backend-kernel-mode: our key fits, the backend refused it */
    t = tk(WEB01, web01, 2);
    memset(&obs, 0, sizeof obs);
    obs.authorization = ap_req(&t);
    obs.now = NOW;
    obs.proxied = 1;
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    is_int(d.cause, SPN_C_BACKEND_KERNEL_MODE, "backend-kernel-mode");
    seen[d.cause] = 1;
    obs.backend_www = "Negotiate oQcwBaADCgEA";         /* NegTokenResp accept-completed */
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    is_int(d.cause, SPN_C_TICKET_OK, "proxied, the backend accepted: ticket-ok");

    /* backend-channel-binding: the client bound to the certificate this
     * proxy served (the MD5 python computed for it, certs.h) */
    {
        static uint8_t bnd[16], zero[16];
        unsigned i, x;
        for (i = 0; i < 16; i++) {
            sscanf(CERT_SHA256_CB + 2 * i, "%2x", &x);
            bnd[i] = (uint8_t)x;
        }
        t = tk(WEB01, web01, 2);
        t.bnd = bnd;
        memset(&obs, 0, sizeof obs);
        obs.authorization = ap_req(&t);
        obs.now = NOW;
        obs.proxied = 1;
        obs.tls_cert = CERT_SHA256;
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        is_int(d.cause, SPN_C_BACKEND_CHANNEL_BINDING, "backend-channel-binding");
        seen[d.cause] = 1;
        ok(d.cb_state == SPN_CB_OURS && d.cbt.ok && memcmp(d.cb_client, bnd, 16) == 0 &&
           d.ticket.auth.gss_cksum && d.ticket.auth.gss_flags == 0x22,
           "backend-channel-binding: proof (Bnd equals this certificate's binding)");
        obs.tls_cert = CERT_SHA384;     /* bound, but to another certificate */
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_OTHER,
           "bound to another certificate than ours: backend-kernel-mode stays");
        {
            /* a proxy whose certificate is signed with RSASSA-PSS (SHA-256) */
            uint8_t pss[16];
            for (i = 0; i < 16; i++) {
                sscanf(CERT_RSA_PSS_CB + 2 * i, "%2x", &x);
                pss[i] = (uint8_t)x;
            }
            t.bnd = pss;
            obs.authorization = ap_req(&t);
            obs.tls_cert = CERT_RSA_PSS;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            ok(d.cause == SPN_C_BACKEND_CHANNEL_BINDING && d.cb_state == SPN_CB_OURS && d.cbt.ok,
               "RSA-PSS certificate: bound to it is proven (backend-channel-binding)");
            t.bnd = bnd;
            obs.authorization = ap_req(&t);
        }
        {
            /* over TLS, with a certificate that defines no binding (Ed25519) */
            spn_buf_t pg;
            obs.tls_cert = CERT_ED25519;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            spn_buf_init(&pg, pool, 4096);
            spn_render_page(&pg, &d, &svc, SPN_DETAIL_FULL, "TEST-REF3");
            ok(d.cb_state == SPN_CB_OTHER && !d.cbt.ok && *d.cbt.error &&
               strstr(pg.s, "no single hash") && !strstr(pg.s, "did not come over TLS"),
               "Ed25519 certificate: no binding known, and the page does not say 'no TLS'");
        }
        obs.tls_cert = NULL;            /* the request did not come over TLS here */
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_OTHER && !d.cbt.ok,
           "no TLS here: no proof, backend-kernel-mode");
        /* the backend's KRB-ERROR says its key failed: the key, not the binding */
        obs.tls_cert = CERT_SHA256;
        obs.backend_www = b64("Negotiate", tlv(APP(0), cat(3, tlv(OID, raw(OID_KRB5, 9)),
            raw("\x03\x00", 2),
            tlv(APP(30), tlv(SEQ, cat(7, field_int(0, 5), field_int(1, 30),
                                      tlv(CTX(4), ktime(NOW)), field_int(5, 0),
                                      field_int(6, 41), tlv(CTX(9), gstr(REALM)),
                                      tlv(CTX(10), principal(2, WEB01))))))));
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.has_backend && d.backend.krb5.error_code == 41 && d.cb_state == SPN_CB_OURS &&
           d.cause == SPN_C_BACKEND_KERNEL_MODE,
           "bound to us, but the backend's KRB_AP_ERR_MODIFIED blames its key: backend-kernel-mode");
        obs.backend_www = NULL;
        t.bnd = zero;
        obs.authorization = ap_req(&t);
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_NONE,
           "the client bound none (zeros): backend-kernel-mode");
        t.bnd = bnd;
        obs.authorization = ap_req(&t);
        obs.proxied = 0;
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_TICKET_OK, "bound to us, no proxy: ticket-ok (binding is no cause)");
        {
            /* a local request (the module reads no certificate for those) */
            spn_buf_t pg;
            obs.tls_cert = NULL;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            spn_buf_init(&pg, pool, 4096);
            spn_render_page(&pg, &d, &svc, SPN_DETAIL_FULL, "TEST-REF4");
            ok(d.cb_state == SPN_CB_OTHER && strstr(pg.s, "not compared") &&
               !strstr(pg.s, "did not come over TLS"),
               "bound, local request: the page says not compared (not 'no TLS')");
        }
    }

    /* no-service-key: no keytab, an empty one, an unreadable one */
    {
        const spn_keytab_t *full = svc.keytab;
        krb5_keytab empty;
        t = tk(WEB01, web01, 2);
        svc.keytab = NULL;
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: none");
        if (krb5_kt_resolve(kctx, "MEMORY:test-diag-empty", &empty))
            abort();
        svc.keytab = spn_keytab_load(pool, kctx, "MEMORY:test-diag-empty");
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: empty");
        svc.keytab = spn_keytab_load(pool, kctx, "/nonexistent/spncheck.keytab");
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: missing");
        svc.keytab = full;
    }

    /* ntlm-fallback, malformed-token, unsupported-mech */
    is_int(diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL), SPN_C_NTLM_FALLBACK,
           "ntlm-fallback: NTLM scheme");
    is_int(diagnose("Negotiate TlRMTVNTUAABAAAABoIIAA==", NULL), SPN_C_NTLM_FALLBACK,
           "ntlm-fallback: NTLMSSP behind Negotiate");
    is_int(diagnose("Negotiate YII=", NULL), SPN_C_MALFORMED, "malformed-token: truncated");
    is_int(diagnose("Negotiate", NULL), SPN_C_MALFORMED, "malformed-token: no token");
    is_int(diagnose(NULL, NULL), SPN_C_MALFORMED, "malformed-token: no Authorization");
    is_int(diagnose(b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw("\x2b\x06\x01\x04\x01"
                                                              "\x82\x37\x02\x02\x1e", 10)),
                                                     raw("NEGOEXTS", 8)))), NULL),
           SPN_C_UNSUPPORTED_MECH, "unsupported-mech: NEGOEX");
    /* Kerberos user-to-user: a KRB-TGT-REQ, and an AP-REQ framed as u2u
     * whose ticket our key would open: neither is judged as a ticket */
    is_int(diagnose(b64("Negotiate", tlv(APP(0), cat(3, tlv(OID, raw(OID_U2U, 10)),
                                                     raw("\x04\x00", 2),
                                                     tlv(SEQ, cat(3, field_int(0, 5),
                                                                  field_int(1, 16),
                                                                  tlv(CTX(3), gstr(REALM))))))),
                    NULL), SPN_C_UNSUPPORTED_MECH, "unsupported-mech: u2u KRB-TGT-REQ");
    ok(d.tok.mech == SPN_MECH_KRB5_U2U && d.tok.krb5.msg_type == SPN_KRB_TGT_REQ,
       "u2u KRB-TGT-REQ: mech krb5-u2u, msg-type 16");
    t = tk(WEB01, web01, 2);
    t.mech_oid = OID_U2U;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_UNSUPPORTED_MECH,
           "unsupported-mech: u2u AP-REQ (SPNEGO), not ticket-ok");
    t.spnego = 0;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_UNSUPPORTED_MECH,
           "unsupported-mech: u2u AP-REQ (GSS)");

    /* token-too-large: httpd refused the Authorization field (only its
     * start was read), and a backend's 400 after a large token */
    {
        spn_observation_t o2;
        spn_buf_t page;
        memset(&o2, 0, sizeof o2);
        o2.authorization = "Negotiate";
        o2.host = "web01.spncheck.test";
        o2.now = NOW;
        o2.too_large = SPN_TOO_LARGE_HERE;
        o2.field_size = 8192;
        o2.field_limit = 8190;
        o2.field_partial = 1;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        seen[d.cause] = 1;
        is_int(d.cause, SPN_C_TOKEN_TOO_LARGE, "token-too-large: refused by this httpd");
        ok(d.field_size == 8192 && d.field_limit == 8190 && d.field_partial && !d.tok.has_krb5,
           "  sizes kept, no token judged");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_SUMMARY, "TEST-REF1");
        ok(strstr(page.s, "more than 8192 bytes") && strstr(page.s, "(8190 bytes)") &&
           strstr(page.s, "HTTP 400") && !strstr(page.s, "LimitRequestFieldSize 65536"),
           "  summary page: sizes and 400, no remedies");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_FULL, "TEST-REF1");
        ok(strstr(page.s, "LimitRequestFieldSize 65536") && strstr(page.s, "MaxFieldLength") &&
           strstr(page.s, "MaxRequestBytes") && strstr(page.s, "Request Header too long") &&
           !strstr(page.s, "KB1077"), "  full page: both fixes, Microsoft's name, no SPN advice");
        spn_buf_init(&page, pool, 256);
        spn_diag_logline(&page, &d);
        ok(strstr(page.s, "cause=token-too-large") && strstr(page.s, "size=8192 limit=8190"),
           "  log line: size and limit");
        t = tk(WEB01, web01, 2);
        o2.authorization = ap_req(&t);
        o2.proxied = 1;
        o2.too_large = SPN_TOO_LARGE_BACKEND;
        o2.field_size = 5000;
        o2.field_limit = 0;
        o2.field_partial = 0;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        is_int(d.cause, SPN_C_TOKEN_TOO_LARGE, "token-too-large: the backend's 400");
        ok(d.tok.has_krb5 && d.ticket.decrypted, "  the token is still decoded (evidence)");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_FULL, "TEST-REF2");
        ok(strstr(page.s, "5000 bytes") && strstr(page.s, "the backend server") &&
           strstr(page.s, "HTTP.sys"), "  page: exact size, the backend's limit");
        o2.too_large = 0;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        ok(d.cause != SPN_C_TOKEN_TOO_LARGE, "  without the 400: judged as before");
    }
    {
        const char *sc = NULL;
        ok(spn_auth_line("Authorization: Negotiate YIIH", 29, &sc) && !strcmp(sc, "Negotiate"),
           "auth line: Negotiate");
        ok(spn_auth_line("authorization:\tNTLM TlRM", 25, &sc) && !strcmp(sc, "NTLM"),
           "auth line: NTLM, any case, a tab");
        ok(!spn_auth_line("Cookie: Authorization: Negotiate x", 34, &sc), "auth line: a Cookie is not");
        ok(!spn_auth_line("Authorization: Basic YWxp", 25, &sc), "auth line: Basic is not");
        ok(!spn_auth_line("Authorization: NTLMx y", 22, &sc), "auth line: NTLMx is not NTLM");
        ok(!spn_auth_line("Authorization: Negotiate", 24, &sc), "auth line: no token after the scheme");
        ok(!spn_auth_line("Authorization: Negotiate YIIH", 20, &sc), "auth line: only n bytes read");
    }
    /* successes by mechanism: the sniff reads the first bytes only */
    {
        static const char oid_spnego[] = "\x2b\x06\x01\x05\x05\x02";
        static const char oid_ntlm[] = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a";
        const char *a;
        uint64_t n[SPN_MC_N];
        spn_checks_t ck;
        t = tk(WEB01, web01, 2);
        a = ap_req(&t);
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_KRB5, "sniff: SPNEGO with krb5 first");
        t.spnego = 0;
        a = ap_req(&t);
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_KRB5, "sniff: bare GSS krb5");
        a = "NTLM TlRMTVNTUAABAAAABoIIAA==";
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: NTLM scheme");
        a = "Negotiate TlRMTVNTUAABAAAABoIIAA==";
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: raw NTLMSSP under Negotiate");
        a = b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw(oid_spnego, 6)),
                tlv(CTX(0), tlv(SEQ, tlv(CTX(0), tlv(SEQ, tlv(OID, raw(oid_ntlm, 10)))))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: SPNEGO with NTLMSSP first");
        a = b64("Negotiate", tlv(CTX(1), tlv(SEQ, tlv(CTX(2), tlv(OCTETS,
                raw("NTLMSSP\0\3\0\0\0", 12))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: NegTokenResp carrying NTLM type 3");
        a = b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw(oid_spnego, 6)),
                tlv(CTX(0), tlv(SEQ, tlv(CTX(0), tlv(SEQ, tlv(OID, raw("\x2b\x06\x01\x04\x01", 5)))))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_OTHER, "sniff: another mech first");
        is_int(spn_mech_sniff("Negotiate YII=", 14), SPN_MC_OTHER, "sniff: truncated");
        is_int(spn_mech_sniff("Negotiate YIT/////", 18), SPN_MC_OTHER, "sniff: a length past the bytes");
        is_int(spn_mech_sniff("Negotiate", 9), SPN_MC_OTHER, "sniff: no token");
        n[SPN_MC_KRB5] = 5; n[SPN_MC_NTLM] = 5; n[SPN_MC_OTHER] = 0;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 30, &ck);
        ok(ck.n == 1 && !strcmp(ck.c[0].id, "kerberos-share") && ck.c[0].state == SPN_CHECK_WARN &&
           ck.worst == SPN_CHECK_WARN, "kerberos-share: NTLM 50%% > 30%%: warn");
        n[SPN_MC_KRB5] = 9; n[SPN_MC_NTLM] = 1;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 10, &ck);
        ok(ck.c[0].state == SPN_CHECK_PASS, "kerberos-share: NTLM 10%% of 10, limit 10%%: pass");
        n[SPN_MC_KRB5] = 0; n[SPN_MC_NTLM] = 3;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 10, &ck);
        ok(ck.c[0].state == SPN_CHECK_PASS, "kerberos-share: 3 sign-ins are too few to judge");
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, NULL, 10, &ck);
        is_int(ck.n, 0, "kerberos-share: no counts, no check");
    }
    directory_cases(other, rnd128);

    /* A cause added to the engine needs a case here. */
    {
        int c;
        for (c = 0; c < SPN_C_COUNT; c++)
            if (c != SPN_C_SPN_NOT_REGISTERED && c != SPN_C_SPN_DUPLICATE && c != SPN_C_UNKNOWN)
                ok(seen[c], "a case for %s", spn_cause_code((spn_cause_t)c));
    }
    krb5_free_keyblock_contents(kctx, rnd128);
    krb5_free_keyblock_contents(kctx, rnd384);
    krb5_free_context(kctx);
    apr_terminate();
    return tap_done();
}

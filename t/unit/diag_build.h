/* diag_build.h: what test_diag.c and test_dirdiag.c share: real tickets
 * built here (an EncTicketPart and an Authenticator DER-encoded, sealed
 * with krb5_c_encrypt under keys made from the in-memory keytab's
 * passwords, framed as GSS/SPNEGO AP-REQs), the service they are judged
 * against, and diagnose(), which records every cause seen.  Static
 * functions in a header, like kt_mem.h: one test program includes it. */
#ifndef DIAG_BUILD_H
#define DIAG_BUILD_H

#include "spn_b64.h"
#include "spn_diag.h"
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

/* The keys the cases seal tickets with. */
typedef struct {
    krb5_keyblock *web01, *web01_rc4, *other, *alias, *rnd128, *rnd384;
} diag_keys_t;

/* APR, krb5, the in-memory keytab (WEB01 aes256 + rc4 at kvno 2, ALIAS
 * aes128 at kvno 5), the service (WEB01 configured, account
 * SPNCHECK\svc-web), and the keys. */
static void diag_setup(int *argc, const char *const **argv, diag_keys_t *k)
{
    static const char *spns[] = { WEB01 "@" REALM, "HTTP/web02.spncheck.test@" REALM };
    krb5_keytab kt;

    apr_app_initialize(argc, argv, NULL);
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
    k->web01 = key(WEB01, AES256, "Web01-Pw1");
    k->web01_rc4 = key(WEB01, ENCTYPE_ARCFOUR_HMAC, "Web01-Pw1");
    k->other = key(WEB01, AES256, "Computer-Pw1");      /* the same SPN on another account */
    k->alias = key(ALIAS, AES128, "Alias-Pw1");
    k->rnd128 = apr_pcalloc(pool, sizeof *k->rnd128);
    k->rnd384 = apr_pcalloc(pool, sizeof *k->rnd384);
    if (krb5_c_make_random_key(kctx, AES128, k->rnd128) ||
        krb5_c_make_random_key(kctx, ENCTYPE_AES256_CTS_HMAC_SHA384_192, k->rnd384))
        abort();
}

static int diag_done(diag_keys_t *k)
{
    krb5_free_keyblock_contents(kctx, k->rnd128);
    krb5_free_keyblock_contents(kctx, k->rnd384);
    krb5_free_context(kctx);
    apr_terminate();
    return tap_done();
}

#endif

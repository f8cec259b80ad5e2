/* test_bounds.c: every fixed-size field written from token, keytab or
 * request data, fed a value longer than the field.  Overruns inside one
 * struct are invisible to ASan, so each test either compares every byte
 * outside the target field with a snapshot (canary) or checks the field
 * that follows the target, and always the diagnosis invariants. */
#include "spn_ntlm.h"
#include "spn_names.h"
#include "spn_render.h"
#include "spn_b64.h"
#include "spn_diag.h"
#include "spn_dirdiag.h"
#include "spn_selfcheck.h"
#include "spn_store.h"
#include "spn_der.h"
#include "tap.h"
#include "diag_check.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stddef.h>
#include <stdlib.h>

static apr_pool_t *pool;
static krb5_context kctx;

/* ---- a tiny DER writer ----------------------------------------------------------- */
typedef struct { uint8_t *p; size_t n; } blob_t;

static blob_t der(int tag, blob_t body)
{
    blob_t r;
    size_t h = body.n < 128 ? 2 : body.n < 256 ? 3 : 4;
    r.p = apr_palloc(pool, body.n + h);
    r.p[0] = (uint8_t)tag;
    if (h == 2) r.p[1] = (uint8_t)body.n;
    else if (h == 3) { r.p[1] = 0x81; r.p[2] = (uint8_t)body.n; }
    else { r.p[1] = 0x82; r.p[2] = (uint8_t)(body.n >> 8); r.p[3] = (uint8_t)body.n; }
    memcpy(r.p + h, body.p, body.n);
    r.n = body.n + h;
    return r;
}
static blob_t cat(blob_t a, blob_t b)
{
    blob_t r = {apr_palloc(pool, a.n + b.n + 1), a.n + b.n};
    if (a.n)                    /* a may be the empty {NULL, 0} */
        memcpy(r.p, a.p, a.n);
    if (b.n)
        memcpy(r.p + a.n, b.p, b.n);
    return r;
}
static blob_t raw(const void *s, size_t n) { blob_t r = {(uint8_t *)s, n}; return r; }
static blob_t str(const char *s) { return raw(s, strlen(s)); }
static blob_t gs(const char *s) { return der(0x1b, str(s)); }
static blob_t int1(int v) { uint8_t c = (uint8_t)v; return der(0x02, raw(apr_pmemdup(pool, &c, 1), 1)); }
static char *rep(char c, size_t n) { char *s = apr_palloc(pool, n + 1); memset(s, c, n); s[n] = 0; return s; }

/* PrincipalName { name-type [0], name-string [1] SEQUENCE OF GeneralString } */
static blob_t pname(const char *const *names, int n)
{
    blob_t seq = {NULL, 0};
    int i;
    for (i = 0; i < n; i++)
        seq = cat(seq, gs(names[i]));
    return der(0x30, cat(der(0xa0, int1(2)), der(0xa1, der(0x30, seq))));
}

/* "Negotiate <b64>" of a GSS krb5 AP-REQ for realm/sname, etype 18, kvno 2, junk cipher. */
static blob_t apreq(const char *realm, const char *const *sname, int n)
{
    static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    blob_t enc = der(0x30, cat(cat(der(0xa0, int1(18)), der(0xa1, int1(2))),
                               der(0xa2, der(0x04, raw(rep(0, 64), 64)))));
    blob_t tkt = der(0x61, der(0x30, cat(cat(cat(der(0xa0, int1(5)), der(0xa1, gs(realm))),
                                             der(0xa2, pname(sname, n))), der(0xa3, enc))));
    blob_t ap = der(0x6e, der(0x30, cat(cat(cat(cat(der(0xa0, int1(5)), der(0xa1, int1(14))),
                                                der(0xa2, der(0x03, raw("\0\0\0\0\0", 5)))),
                                            der(0xa3, tkt)), der(0xa4, enc))));
    return der(0x60, cat(cat(der(0x06, raw(oid, sizeof oid)), raw("\x01\x00", 2)), ap));
}
static const char *negotiate(blob_t t)
{
    char *s = apr_palloc(pool, 11 + spn_b64_encoded_len(t.n));
    memcpy(s, "Negotiate ", 10);
    spn_b64_encode(t.p, t.n, s + 10);
    return s;
}

/* ---- canaries ----------------------------------------------------------------------- */
/* Every byte of *after outside [off1, off1+n1) and [off2, off2+n2) equals *before. */
static int untouched(const void *before, const void *after, size_t size,
                     size_t off1, size_t n1, size_t off2, size_t n2)
{
    const unsigned char *a = before, *b = after;
    size_t i;
    for (i = 0; i < size; i++) {
        if ((i >= off1 && i < off1 + n1) || (i >= off2 && i < off2 + n2))
            continue;
        if (a[i] != b[i]) {
            diag("byte %zu changed (0x%02x -> 0x%02x)", i, a[i], b[i]);
            return 0;
        }
    }
    return 1;
}

/* spn_remedy_names on a struct filled with 0xA5 (fields it reads set up):
 * nothing but fqdn and netbios may change. */
static spn_diag_t *remedy(const spn_service_t *svc, const char *host, const char *sname)
{
    static spn_diag_t d, snap;
    spn_observation_t obs;

    memset(&d, 0xA5, sizeof d);
    d.tok.has_krb5 = sname != NULL;
    d.tok.krb5.sname_n = sname ? 2 : 0;
    if (sname)
        apr_cpystrn(d.sname, sname, sizeof d.sname);
    memset(&obs, 0, sizeof obs);
    obs.host = host;
    snap = d;
    spn_remedy_names(svc, &obs, &d);
    ok(untouched(&snap, &d, sizeof d, offsetof(spn_diag_t, fqdn), sizeof d.fqdn,
                 offsetof(spn_diag_t, netbios), sizeof d.netbios),
       "remedy names (host %zu bytes, sname %zu bytes, %d SPNs): only fqdn and netbios written",
       host ? strlen(host) : 0, sname ? strlen(sname) : 0, svc->n_spns);
    ok(DC_TERM(d.fqdn) && DC_TERM(d.netbios), "  fqdn and netbios NUL-terminated in their fields");
    return &d;
}

static void test_remedy_names(void)
{
    spn_service_t none, one, nb;
    const char *spn_long[1], *host256 = rep('h', 256);
    const char *host255 = apr_pstrcat(pool, rep('h', 63), ".", rep('h', 63), ".", rep('h', 63), ".",
                                      rep('h', 61), NULL);     /* 253: RFC 1123's longest */
    spn_diag_t *d;

    memset(&none, 0, sizeof none);
    one = nb = none;
    d = remedy(&none, "web01.spncheck.test", apr_pstrcat(pool, "HTTP/", rep('A', 506), NULL));
    is_str(d->fqdn, "web01.spncheck.test", "  506-byte ticket host: not used, Host instead");
    d = remedy(&none, NULL, apr_pstrcat(pool, "HTTP/", rep('A', 506), NULL));
    is_str(d->fqdn, "", "  506-byte ticket host, no Host: fqdn empty (placeholder)");
    d = remedy(&none, NULL, apr_pstrcat(pool, "HTTP/", host255, "@R", NULL));
    is_str(d->fqdn, host255, "  253-byte ticket host: fits whole");
    is_int(strlen(d->netbios), 63, "  netbios from a 63-byte label: whole, in its field");
    d = remedy(&none, NULL, apr_pstrcat(pool, "HTTP/", host256, NULL));
    is_str(d->fqdn, "", "  256-byte ticket host: does not fit, not cut");
    d = remedy(&none, apr_pstrcat(pool, rep('x', 300), ":443", NULL), NULL);
    is_str(d->fqdn, "", "  300-byte Host: not used");
    d = remedy(&none, apr_pstrcat(pool, host255, ":443", NULL), NULL);
    is_str(d->fqdn, host255, "  253-byte Host with port: fits, port dropped");
    spn_long[0] = apr_pstrcat(pool, "HTTP/", rep('B', 400), ".test@R", NULL);
    one.spns = spn_long;
    one.n_spns = 1;
    d = remedy(&one, "web01.spncheck.test", NULL);
    is_str(d->fqdn, "web01.spncheck.test", "  400-byte configured SPN host: Host instead");
    nb.netbios = rep('N', 200);
    d = remedy(&nb, "web01.spncheck.test", NULL);
    is_str(d->netbios, "WEB01", "  SPNCheckNetBIOSName names the configured SPNs' host, not another");
    spn_long[0] = "HTTP/web01.spncheck.test";
    nb.spns = spn_long;
    nb.n_spns = 1;
    d = remedy(&nb, "web01.spncheck.test", NULL);
    is_int(strlen(d->netbios), 63, "  200-byte SPNCheckNetBIOSName: cut to its field");
}

/* The whole engine: the CLI's and the module's path, then the outputs. */
static spn_diag_t *diagnose(const spn_service_t *svc, const char *auth, int proxied, const char *what)
{
    static spn_diag_t d;
    spn_observation_t obs;
    const char *why;

    memset(&obs, 0, sizeof obs);
    obs.authorization = auth;
    obs.host = "web01.spncheck.test";
    obs.now = 1795000000;
    obs.proxied = proxied;
    spn_diagnose(pool, kctx, svc, &obs, &d);
    why = diag_check(&d, svc, &obs);
    ok(why == NULL, "%s: diagnosis invariants hold%s%s", what, why ? ": " : "", why ? why : "");
    return &d;
}

static void test_diagnose(const spn_service_t *kt_svc)
{
    spn_service_t none;
    const char *sn[12], *big[1];
    spn_diag_t *d;
    spn_buf_t b;
    spn_json_t w;
    int i;

    memset(&none, 0, sizeof none);
    none.max_skew = 300;
    sn[0] = "HTTP";
    sn[1] = rep('A', 506);
    d = diagnose(&none, negotiate(apreq("SPNCHECK.TEST", sn, 2)), 0, "506-byte sname host, no SPN");
    ok(!d->proxied && !d->has_backend, "  not proxied, no backend token");
    spn_buf_init(&b, pool, 4096);
    spn_json_init(&w, &b);
    spn_diag_json(&w, d, &none);
    ok(strstr(b.s, "\"backend_token\":null") != NULL, "  JSON: backend_token null");
    spn_buf_init(&b, pool, 4096);
    spn_render_page(&b, d, &none, SPN_DETAIL_FULL, "REF");
    ok(strstr(b.s, "Backend answered") == NULL, "  page at full: no \"Backend answered\"");

    /* sname: 8 components of 100 bytes (joined 807 > 511); realm 400 bytes */
    for (i = 0; i < 8; i++)
        sn[i] = rep((char)('a' + i), 100);
    d = diagnose(&none, negotiate(apreq(rep('R', 400), sn, 8)), 0, "807-byte sname, 400-byte realm");
    is_int(strlen(d->sname), sizeof d->sname - 1, "  sname cut to its field");
    is_str(d->realm, rep('R', sizeof d->realm - 1), "  realm cut to its field, not overwritten");
    /* 12 components: only SPN_MAX_SNAME kept, the fields after the array intact */
    for (i = 0; i < 12; i++)
        sn[i] = "x";
    d = diagnose(&none, negotiate(apreq("R", sn, 12)), 0, "12 sname components");
    ok(d->tok.krb5.sname_n == 12 && d->tok.krb5.etype == 18 && d->tok.krb5.kvno == 2,
       "  sname_n 12, etype and kvno after the array intact (%d, %ld)", d->tok.krb5.etype,
       d->tok.krb5.kvno);
    is_int(strlen(d->sname), 2 * SPN_MAX_SNAME - 1, "  sname holds SPN_MAX_SNAME components");
    /* an SPN configured with a 400-byte host */
    big[0] = apr_pstrcat(pool, "HTTP/", rep('B', 400), "@SPNCHECK.TEST", NULL);
    none.spns = big;
    none.n_spns = 1;
    sn[0] = "HTTP";
    sn[1] = "web01.spncheck.test";
    d = diagnose(&none, negotiate(apreq("SPNCHECK.TEST", sn, 2)), 1, "400-byte configured SPN host");
    is_str(d->fqdn, "web01.spncheck.test", "  fqdn from the Host");
    /* the keytab holds 12 kvnos of the ticket's name: 8 kept */
    d = diagnose(kt_svc, negotiate(apreq("SPNCHECK.TEST", sn, 2)), 0, "keytab with 12 kvnos");
    ok(d->n_kt_kvnos == 8 && d->n_kt_etypes == 1 && d->kt_etypes[0] == 18,
       "  8 kvnos kept, etypes after them intact (%d, %d)", d->n_kt_kvnos, d->n_kt_etypes);
}

/* ---- helpers with caller buffers: a canary after the buffer ---------------------------- */
typedef struct { char out[32]; char canary[32]; } cbuf_t;
static void cbuf_init(cbuf_t *c) { memset(c, 0xA5, sizeof *c); }
static int cbuf_ok(const cbuf_t *c)
{
    size_t i;
    for (i = 0; i < sizeof c->canary; i++)
        if ((unsigned char)c->canary[i] != 0xA5)
            return 0;
    return memchr(c->out, 0, sizeof c->out) != NULL;
}

static void test_helpers(void)
{
    spn_krb5_t k;
    spn_ntlm_t n;
    cbuf_t c;
    uint8_t u16[200], oid[64];
    size_t i, w;

    memset(&k, 0, sizeof k);
    k.sname_n = 3;
    for (i = 0; i < 3; i++) {
        k.sname[i].p = (const uint8_t *)rep('s', 40);
        k.sname[i].len = 40;
    }
    cbuf_init(&c);
    w = spn_krb5_sname(&k, c.out, sizeof c.out);
    ok(cbuf_ok(&c) && w == 31 && strlen(c.out) == 31, "spn_krb5_sname: 122 bytes into 32, canary intact");

    memset(&n, 0, sizeof n);
    n.unicode = 1;
    for (i = 0; i < sizeof u16; i += 4) {   /* U+20AC (3 bytes), then U+1F600 (4 bytes) */
        u16[i] = 0xAC; u16[i + 1] = 0x20;
        u16[i + 2] = i % 8 ? 0x3D : 0xAC; u16[i + 3] = i % 8 ? 0xD8 : 0x20;
    }
    cbuf_init(&c);
    w = spn_ntlm_str_utf8(&n, (spn_slice_t){u16, sizeof u16}, c.out, sizeof c.out);
    ok(cbuf_ok(&c) && w < sizeof c.out && strlen(c.out) == w,
       "spn_ntlm_str_utf8: 100 UTF-16 units of multibyte into 32, canary intact (%zu)", w);
    n.unicode = 0;
    memset(u16, 0xE9, sizeof u16);          /* OEM e-acute: 2 bytes each */
    cbuf_init(&c);
    w = spn_ntlm_str_utf8(&n, (spn_slice_t){u16, sizeof u16}, c.out, sizeof c.out);
    ok(cbuf_ok(&c) && w == 30, "spn_ntlm_str_utf8: 200 OEM bytes into 32, canary intact (%zu)", w);

    oid[0] = 0x2a;
    for (i = 1; i < sizeof oid; i++)
        oid[i] = 0x7f;
    cbuf_init(&c);
    ok(spn_der_oid_str(oid, sizeof oid, c.out, sizeof c.out) == -1 && cbuf_ok(&c),
       "spn_der_oid_str: 64 arcs into 32 refused, canary intact");
}

/* ---- keytab: inventory error, and trial decryption of a hostile ticket -------------- */
static void add_key(const char *kt_name, const char *princ, int kvno, krb5_keyblock *out)
{
    krb5_keytab kt;
    krb5_principal pr;
    krb5_data pw = {0, 8, (char *)"Bound-Pw"}, salt;
    krb5_keytab_entry e;

    if (krb5_kt_resolve(kctx, kt_name, &kt) || krb5_parse_name(kctx, princ, &pr) ||
        krb5_principal2salt(kctx, pr, &salt))
        abort();
    memset(&e, 0, sizeof e);
    e.principal = pr;
    e.vno = (krb5_kvno)kvno;
    if (krb5_c_string_to_key(kctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &pw, &salt, &e.key) ||
        krb5_kt_add_entry(kctx, kt, &e))
        abort();
    if (out)
        krb5_copy_keyblock_contents(kctx, &e.key, out);
    krb5_free_keyblock_contents(kctx, &e.key);
    krb5_free_data_contents(kctx, &salt);
    krb5_free_principal(kctx, pr);
}

/* EncTicketPart { key [1], crealm [2], cname [3] } encrypted with key. */
static blob_t ticket_cipher(const krb5_keyblock *key, const char *crealm,
                            const char *const *cname, int n)
{
    blob_t ek = der(0x30, cat(der(0xa0, int1(18)), der(0xa1, der(0x04, raw(rep(7, 32), 32)))));
    blob_t etp = der(0x63, der(0x30, cat(cat(der(0xa1, ek), der(0xa2, gs(crealm))),
                                         der(0xa3, pname(cname, n)))));
    krb5_data in = {0, (unsigned)etp.n, (char *)etp.p};
    krb5_enc_data ed;
    size_t len;

    memset(&ed, 0, sizeof ed);
    if (krb5_c_encrypt_length(kctx, key->enctype, etp.n, &len))
        abort();
    ed.ciphertext.length = (unsigned)len;
    ed.ciphertext.data = apr_palloc(pool, len);
    if (krb5_c_encrypt(kctx, key, 2, NULL, &in, &ed))
        abort();
    return raw(ed.ciphertext.data, ed.ciphertext.length);
}

static void test_keytab(const spn_keytab_t *kt, const krb5_keyblock *key)
{
    const char *cn[5];
    spn_keytab_t *bad;
    spn_ticket_t t;
    blob_t c;
    int i;

    bad = spn_keytab_load(pool, kctx, apr_pstrcat(pool, "FILE:/nonexistent/", rep('k', 2000), NULL));
    ok(bad->status == -1 && DC_TERM(bad->error), "keytab: 2000-byte path: error cut to its field");

    for (i = 0; i < 5; i++)
        cn[i] = rep((char)('p' + i), 100);
    c = ticket_cipher(key, rep('C', 127), cn, 5);
    spn_keytab_trial(pool, kt, "HTTP/x", -1, 18, c.p, c.n, 0, NULL, 0, &t);
    ok(t.decrypted && DC_TERM(t.client) && t.have_ctime == 0 && t.ctime == 0,
       "trial: 5x100-byte cname, 127-byte crealm: client cut, fields after it intact");
    ok(strlen(t.client) <= sizeof t.client - 1 && strchr(t.client, '@') == NULL,
       "  client holds whole components only, no cut realm (%zu bytes)", strlen(t.client));
    cn[0] = "alice";
    c = ticket_cipher(key, rep('C', 127), cn, 1);
    spn_keytab_trial(pool, kt, "HTTP/x", -1, 18, c.p, c.n, 0, NULL, 0, &t);
    is_str(t.client, apr_pstrcat(pool, "alice@", rep('C', 127), NULL), "  127-byte crealm fits");
    c = ticket_cipher(key, rep('C', 300), cn, 1);
    spn_keytab_trial(pool, kt, "HTTP/x", -1, 18, c.p, c.n, 0, NULL, 0, &t);
    ok(t.decrypted && strcmp(t.client, "alice") == 0 && t.have_ctime == 0,
       "  300-byte crealm: left out (%s)", t.client);
}

/* ---- the store: records from oversized strings --------------------------------------- */
static void test_store(void)
{
    struct { spn_failure_t f; char canary[64]; } r;
    spn_diag_t *d = calloc(1, sizeof *d), *back = calloc(1, sizeof *back);
    spn_service_t none;
    size_t i;

    memset(d->sname, 'S', sizeof d->sname - 1);
    memcpy(d->sname, "HTTP/", 5);
    memset(d->realm, 'R', sizeof d->realm - 1);
    memset(&r, 0xA5, sizeof r);
    spn_failure_from_diag(&r.f, d, 1, rep('r', 100), rep('c', 100), rep('h', 300),
                          rep('o', 300), 0);
    for (i = 0; i < sizeof r.canary; i++)
        if ((unsigned char)r.canary[i] != 0xA5)
            break;
    ok(i == sizeof r.canary, "store record from oversized strings: canary after it intact");
    ok(strlen(r.f.ref) == sizeof r.f.ref - 1 && strlen(r.f.client) == sizeof r.f.client - 1 &&
       strlen(r.f.host) == sizeof r.f.host - 1 && strlen(r.f.spn) == sizeof r.f.spn - 1 &&
       strlen(r.f.realm) == sizeof r.f.realm - 1 && strlen(r.f.scope) == sizeof r.f.scope - 1 &&
       r.f.ref[0] == 'r' && r.f.client[0] == 'c' && r.f.host[0] == 'h' && r.f.scope[0] == 'o',
       "  every string cut to its own field");
    memset(&none, 0, sizeof none);
    spn_diag_from_failure(back, &r.f, &none);
    ok(DC_TERM(back->sname) && DC_TERM(back->realm) && DC_TERM(back->fqdn) &&
       DC_TERM(back->netbios) && !back->has_backend && !back->proxied,
       "  diagnosis rebuilt from it: fields terminated, no backend");
    free(d);
    free(back);
}

/* ---- self-checks and the rendered remedies ------------------------------------------- */
static void test_render(void)
{
    spn_service_t s;
    spn_checks_t r;
    const char *spns[1];
    spn_diag_t *d = calloc(1, sizeof *d);
    spn_buf_t b;
    int i, seen = 0;

    memset(&s, 0, sizeof s);
    spns[0] = apr_pstrcat(pool, "HTTP/", rep('L', 300), ".spncheck.test", NULL);
    s.spns = spns;
    s.n_spns = 1;
    spn_selfcheck(pool, &s, NULL, 0, &r);
    seen = 1;
    for (i = 0; i < r.n; i++)
        if (strcmp(r.c[i].id, "both-forms") == 0 && r.c[i].state != SPN_CHECK_PASS)
            seen = 0;
    ok(seen, "self-check both-forms: a 300-byte label is no DNS name: no setspn proposed for it");

    d->cause = SPN_C_SPN_UNKNOWN;
    d->scheme = "Negotiate";
    d->fit_kvno = -1;
    memset(d->fqdn, 'f', sizeof d->fqdn - 1);
    for (i = 0; i < 8; i++)
        d->kt_kvnos[i] = -2147483647 - 1;
    d->n_kt_kvnos = 8;
    spn_buf_init(&b, pool, 4096);
    spn_render_text(&b, d, &s);
    ok(strstr(b.s, apr_pstrcat(pool, "HTTP/", d->fqdn, NULL)) != NULL,
       "render: {spn} from a 255-byte fqdn is whole");
    free(d);
}

/* ---- directory facts (issue 11): unterminated, full-length, too many ------------------ */
static void test_dirfacts(void)
{
    struct { spn_diag_t d; char canary[64]; } *r = calloc(1, sizeof *r);
    spn_dir_spn_t *f = calloc(1, sizeof *f);
    spn_service_t s;
    spn_buf_t b;
    size_t i;
    int j, whole = 1;

    memset(&s, 0, sizeof s);
    s.account = "CONTOSO\\svc-web";
    memset(f, 'A', sizeof *f);                  /* no NUL anywhere in the strings */
    memcpy(f->spn, "HTTP/", 5);
    f->state = SPN_DIR_OK;
    f->n_holders = 1000;
    f->checked_at = 1;
    for (j = 0; j < SPN_DIR_MAX_HOLDERS; j++) {
        f->holders[j].account[0] = (char)('a' + j);
        f->holders[j].kind = 77;
        f->holders[j].kvno = 2147483647;
        f->holders[j].enctypes = -1;
    }
    r->d.cause = SPN_C_NTLM_FALLBACK;
    r->d.scheme = "NTLM";
    r->d.fit_kvno = -1;
    memset(r->canary, 0xA5, sizeof r->canary);
    spn_dir_refine(&r->d, s.account, f);
    for (i = 0; i < sizeof r->canary; i++)
        if ((unsigned char)r->canary[i] != 0xA5)
            break;
    ok(i == sizeof r->canary, "directory facts without NULs: canary after the diagnosis intact");
    ok(DC_TERM(r->d.dir_spn) && DC_TERM(r->d.dir_holders[0].account) &&
       DC_TERM(r->d.dir_holders[3].via) && DC_TERM(r->d.dir_holders[2].sam),
       "  the diagnosis's copies are terminated");
    is_int(r->d.cause, SPN_C_SPN_DUPLICATE, "  1000 holders: spn-duplicate");
    spn_buf_init(&b, pool, 8192);
    spn_render_page(&b, &r->d, &s, SPN_DETAIL_FULL, "REF");
    for (j = 0; j < SPN_DIR_MAX_HOLDERS; j++)
        whole &= strstr(b.s, r->d.dir_holders[j].account) != NULL;
    ok(whole && strstr(b.s, " and 996 more") != NULL,
       "  the page lists every held holder whole, and how many more");
    ok(strstr(b.s, "unknown account") != NULL, "  an unknown kind is named unknown");
    free(f);
    free(r);
}

int main(void)
{
    spn_service_t kts;
    krb5_keyblock key;
    const char *spn[] = {"HTTP/web01.spncheck.test@SPNCHECK.TEST"};
    int i;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (krb5_init_context(&kctx))
        return 1;
    memset(&key, 0, sizeof key);
    add_key("MEMORY:bounds", spn[0], 1, &key);
    for (i = 2; i <= 12; i++)
        add_key("MEMORY:bounds", spn[0], i, NULL);
    memset(&kts, 0, sizeof kts);
    kts.spns = spn;
    kts.n_spns = 1;
    kts.keytab = spn_keytab_load(pool, kctx, "MEMORY:bounds");
    kts.max_skew = 300;

    test_remedy_names();
    test_diagnose(&kts);
    test_helpers();
    test_keytab(kts.keytab, &key);
    test_store();
    test_render();
    test_dirfacts();
    krb5_free_keyblock_contents(kctx, &key);
    apr_pool_destroy(pool);         /* the keytab snapshot's krb5 objects go with it */
    krb5_free_context(kctx);
    apr_terminate();
    return tap_done();
}

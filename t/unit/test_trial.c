/* test_trial.c: trial decryption against a keytab snapshot (issue 9,
 * finding 3): key order, duplicate keys, the verdict cache, the ticket
 * cap and the budget.  Tickets are encrypted here with krb5 for real. */
#include "spn_render.h"
#include "tap.h"
#include "apreq.h"
#include "spn_b64.h"
#include "spn_diag.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>

static krb5_context ctx;
static apr_pool_t *root;
static krb5_keyblock k_other, k_web, k_sess;

#define REALM "SPNCHECK.TEST"
#define NOW 1795000000

static void add(krb5_keytab kt, const char *princ, int kvno, const krb5_keyblock *key)
{
    krb5_principal pr;
    krb5_keytab_entry e;

    krb5_parse_name(ctx, princ, &pr);
    memset(&e, 0, sizeof(e));
    e.principal = pr;
    e.vno = (krb5_kvno)kvno;
    e.key = *key;
    krb5_kt_add_entry(ctx, kt, &e);
    krb5_free_principal(ctx, pr);
}

/* GeneralizedTime of t as [tag] */
static size_t gtime(uint8_t *o, int tag, time_t t)
{
    char s[32];
    uint8_t x[32];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
    return apreq_der(o, tag, x, apreq_der(x, 0x18, (const uint8_t *)s, 15));
}

/* A GeneralString as [tag] */
static size_t gstr(uint8_t *o, int tag, const char *s)
{
    uint8_t x[300];
    return apreq_der(o, tag, x, apreq_der(x, 0x1b, (const uint8_t *)s, strlen(s)));
}

/* PrincipalName { name-type [0] 1, name-string [1] { alice } } as [tag] */
static size_t cname(uint8_t *o, int tag)
{
    uint8_t a[64], b[64];
    size_t k = apreq_der(a, 0x1b, (const uint8_t *)"alice", 5), m;
    m = apreq_der(b, 0x30, a, k);
    k = apreq_int(a, 0xa0, 1);
    k += apreq_der(a + k, 0xa1, b, m);
    return apreq_der(o, tag, b, apreq_der(b, 0x30, a, k));
}

static uint8_t *seal(const krb5_keyblock *key, int usage, const uint8_t *plain, size_t n,
                     size_t *clen)
{
    krb5_data in = { 0, (unsigned)n, (char *)plain };
    krb5_enc_data out;
    krb5_c_encrypt_length(ctx, key->enctype, n, clen);
    memset(&out, 0, sizeof(out));
    out.ciphertext.data = malloc(*clen);
    out.ciphertext.length = (unsigned)*clen;
    krb5_c_encrypt(ctx, key, usage, NULL, &in, &out);
    return (uint8_t *)out.ciphertext.data;
}

/* A ticket's enc-part sealed with key (the cipher of one ticket: clients
 * send it again with a new authenticator). */
static uint8_t *ticket(const krb5_keyblock *key, size_t *tn)
{
    uint8_t seq[1024], body[1024], plain[1024];
    size_t k = 0, m;

    /* EncTicketPart */
    k += apreq_der(seq + k, 0xa0, (const uint8_t *)"\x03\x05\x00\x00\x00\x00\x00", 7);
    {
        uint8_t ek[128], x[128];
        size_t e = apreq_int(ek, 0xa0, k_sess.enctype);
        e += apreq_der(ek + e, 0xa1, x, apreq_der(x, 0x04, k_sess.contents, k_sess.length));
        k += apreq_der(seq + k, 0xa1, x, apreq_der(x, 0x30, ek, e));
    }
    k += gstr(seq + k, 0xa2, REALM);
    k += cname(seq + k, 0xa3);
    {
        uint8_t tr[32], x[32];
        size_t e = apreq_int(tr, 0xa0, 1);
        e += apreq_der(tr + e, 0xa1, x, apreq_der(x, 0x04, NULL, 0));
        k += apreq_der(seq + k, 0xa4, x, apreq_der(x, 0x30, tr, e));
    }
    k += gtime(seq + k, 0xa5, NOW - 60);
    k += gtime(seq + k, 0xa7, NOW + 36000);
    m = apreq_der(body, 0x30, seq, k);
    m = apreq_der(plain, 0x63, body, m);
    return seal(key, 2, plain, m, tn);
}

/* "Negotiate <b64>" for the ticket tc (sealed with key) to HTTP/web01
 * with kvno, its authenticator's ctime at ctime */
static char *token_for(const uint8_t *tc, size_t tn, const krb5_keyblock *key, long kvno,
                       time_t ctime)
{
    uint8_t seq[1024], body[1024], plain[1024], *ac, *tok;
    size_t k, m, an, n;
    char *s;

    /* Authenticator { vno [0], crealm [1], cname [2], cusec [4], ctime [5] } */
    k = apreq_int(seq, 0xa0, 5);
    k += gstr(seq + k, 0xa1, REALM);
    k += cname(seq + k, 0xa2);
    k += apreq_int(seq + k, 0xa4, 0);
    k += gtime(seq + k, 0xa5, ctime);
    m = apreq_der(body, 0x30, seq, k);
    m = apreq_der(plain, 0x62, body, m);
    ac = seal(&k_sess, 11, plain, m, &an);
    tok = apreq_token(REALM, "HTTP", "web01.spncheck.test", key->enctype, kvno, tc, tn,
                      k_sess.enctype, ac, an, &n);
    s = malloc(spn_b64_encoded_len(n) + 11);
    memcpy(s, "Negotiate ", 10);
    s[10 + spn_b64_encode(tok, n, s + 10)] = '\0';
    free(ac);
    free(tok);
    return s;
}

static char *token(const krb5_keyblock *key, long kvno, time_t ctime)
{
    size_t tn;
    uint8_t *tc = ticket(key, &tn);
    char *s = token_for(tc, tn, key, kvno, ctime);
    free(tc);
    return s;
}

/* The entry labelled princ with kvno. */
static int entry(const spn_keytab_t *kt, const char *princ, int kvno)
{
    int i;
    for (i = 0; i < kt->n; i++)
        if (strcmp(kt->e[i].principal, princ) == 0 && kt->e[i].kvno == kvno)
            return i;
    return -2;
}

static void diagnose(apr_pool_t *p, const spn_keytab_t *kt, const char *auth, spn_diag_t *d,
                     spn_buf_t *log, spn_buf_t *page)
{
    static const char *spns[] = { "HTTP/web01.spncheck.test@" REALM };
    spn_service_t svc;
    spn_observation_t obs;

    memset(&svc, 0, sizeof(svc));
    svc.spns = spns;
    svc.n_spns = 1;
    svc.keytab = kt;
    svc.max_skew = 300;
    memset(&obs, 0, sizeof(obs));
    obs.authorization = auth;
    obs.now = NOW;
    spn_diagnose(p, ctx, &svc, &obs, d);
    spn_buf_init(log, p, 256);
    spn_diag_logline(log, d);
    spn_buf_init(page, p, 8192);
    spn_render_page(page, d, &svc, SPN_DETAIL_FULL, "TEST-REF1");
}

/* The Ticket element inside a GSS krb5 AP-REQ from apreq_token(). */
static const uint8_t *ticket_in(const uint8_t *tok, size_t n, size_t *tl)
{
    spn_der_t d, a, ap, seq, in;
    spn_tlv_t t;
    int last = -1;

    spn_der_init(&d, tok, tok, n);
    if (spn_der_read(&d, &t) || spn_der_enter(&d, &t, &a) || spn_der_read(&a, &t))
        return NULL;
    a.p += 2;                                       /* TOK_ID */
    if (spn_der_read(&a, &t) || spn_der_enter(&a, &t, &ap) || spn_der_read(&ap, &t) ||
        spn_der_enter(&ap, &t, &seq))
        return NULL;
    while (spn_der_field(&seq, &t, &last) == SPN_DER_OK)
        if (t.tag == 3 && spn_der_explicit(&seq, &t, &in, &t) == SPN_DER_OK) {
            *tl = (size_t)(t.val + t.len - t.hdr);
            return t.hdr;
        }
    return NULL;
}

/* The probe's entry point judges a ticket as spn_diagnose judges the
 * AP-REQ (without an authenticator) that carries it. */
static void same_as_token(const spn_keytab_t *kt, const krb5_keyblock *key, long kvno,
                          const char *want)
{
    static const char *spns[] = { "HTTP/web01.spncheck.test@" REALM };
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t a, b;
    apr_pool_t *p;
    uint8_t *tc, *tok;
    const uint8_t *tkt;
    size_t tn, n, tl = 0;
    char *auth;

    apr_pool_create(&p, root);
    tc = ticket(key, &tn);
    tok = apreq_token(REALM, "HTTP", "web01.spncheck.test", key->enctype, kvno, tc, tn,
                      k_sess.enctype, NULL, 0, &n);
    auth = apr_palloc(p, spn_b64_encoded_len(n) + 11);
    memcpy(auth, "Negotiate ", 10);
    auth[10 + spn_b64_encode(tok, n, auth + 10)] = '\0';
    memset(&svc, 0, sizeof(svc));
    svc.spns = spns;
    svc.n_spns = 1;
    svc.keytab = kt;
    svc.max_skew = 300;
    memset(&obs, 0, sizeof(obs));
    obs.authorization = auth;
    obs.now = NOW;
    spn_diagnose(p, ctx, &svc, &obs, &a);
    tkt = ticket_in(tok, n, &tl);
    ok(tkt != NULL, "ticket found in the token");
    spn_diagnose_ticket(p, ctx, &svc, tkt, tl, NOW, &b);
    is_str(spn_cause_code(b.cause), want, "ticket judged directly: %s", want);
    is_str(spn_cause_code(b.cause), spn_cause_code(a.cause), "same cause as the token");
    ok(b.tok.format == a.tok.format && b.tok.mech == a.tok.mech &&
       b.tok.krb5.msg_type == a.tok.krb5.msg_type && b.tok.krb5.tok_id == a.tok.krb5.tok_id &&
       b.tok.krb5.etype == a.tok.krb5.etype && b.tok.krb5.kvno == a.tok.krb5.kvno &&
       b.tok.krb5.cipher.len == a.tok.krb5.cipher.len && b.tok.error.code == SPN_E_OK,
       "same token facts");
    ok(strcmp(a.sname, b.sname) == 0 && strcmp(a.realm, b.realm) == 0 &&
       strcmp(a.scheme, b.scheme) == 0 && a.fit_kvno == b.fit_kvno &&
       a.ticket.decrypted == b.ticket.decrypted && a.ticket.entry == b.ticket.entry &&
       strcmp(a.ticket.client, b.ticket.client) == 0 && a.configured == b.configured &&
       a.held == b.held, "same judgement: %s %s kvno %d", b.sname, b.realm, b.fit_kvno);
    free(tc);
    free(tok);
    apr_pool_destroy(p);
}

int main(void)
{
    krb5_keytab mk;
    const spn_keytab_t *kt;
    spn_diag_t d, d2;
    spn_buf_t log, page;
    krb5_keyblock k_stray;
    char *auth;
    apr_pool_t *p;
    uint8_t *tc;
    size_t tn;
    int e_other, e_web1, e_web2, e_host;

    apr_initialize();
    apr_pool_create(&root, NULL);
    krb5_init_context(&ctx);
    krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &k_other);
    krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &k_web);
    krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &k_stray);
    krb5_c_make_random_key(ctx, ENCTYPE_AES128_CTS_HMAC_SHA1_96, &k_sess);
    krb5_kt_resolve(ctx, "MEMORY:test-trial", &mk);
    /* A MEMORY keytab lists the last added first: in file order, the
     * entries that merely share a key come before the ticket's own. */
    add(mk, "HTTP/web01.spncheck.test@" REALM, 2, &k_other);
    add(mk, "HTTP/web01.spncheck.test@" REALM, 1, &k_web);
    add(mk, "host/web01.spncheck.test@" REALM, 3, &k_web);
    add(mk, "HTTP/other.spncheck.test@" REALM, 1, &k_other);
    kt = spn_keytab_load(root, ctx, "MEMORY:test-trial");
    is_int(kt->n, 4, "four entries listed");
    e_other = entry(kt, "HTTP/other.spncheck.test@" REALM, 1);
    e_web1 = entry(kt, "HTTP/web01.spncheck.test@" REALM, 1);
    e_web2 = entry(kt, "HTTP/web01.spncheck.test@" REALM, 2);
    e_host = entry(kt, "host/web01.spncheck.test@" REALM, 3);
    ok(e_other >= 0 && e_web1 >= 0 && e_web2 >= 0 && e_host >= 0, "all four found");
    ok(e_other < e_web2 && e_host < e_web1, "the sharing entries come first in the file");
    /* one entry of each pair holds the key, the other points to it */
    ok((kt->e[e_other].dup_of == e_web2 && kt->e[e_web2].dup_of == -1) ||
       (kt->e[e_web2].dup_of == e_other && kt->e[e_other].dup_of == -1),
       "HTTP/web01 kvno 2 and HTTP/other share a key: one of them is dropped from trials");
    ok((kt->e[e_host].dup_of == e_web1 && kt->e[e_web1].dup_of == -1) ||
       (kt->e[e_web1].dup_of == e_host && kt->e[e_host].dup_of == -1),
       "host/web01 and HTTP/web01 kvno 1 share a key: likewise");
    ok(kt->trial != NULL, "the snapshot has its trial state");

    /* Key order: the entry labelled with the ticket's name and kvno first;
     * the shared key is tried once and reported under that entry. */
    apr_pool_create(&p, root);
    tc = ticket(&k_other, &tn);
    auth = token_for(tc, tn, &k_other, 2, NOW + 5);
    diagnose(p, kt, auth, &d, &log, &page);
    is_str(spn_cause_code(d.cause), "ticket-ok", "ticket sealed with the kvno 2 key fits");
    is_int(d.ticket.entry, e_web2, "reported under the entry with the ticket's name and kvno");
    is_int(d.ticket.tried, 1, "found with the first key tried");
    is_int(d.ticket.cached, 0, "first sight: not from the cache");
    is_str(d.ticket.client, "alice@" REALM, "client from the ticket");
    is_int(d.skew, 5, "skew from the authenticator");

    /* The same ticket again, a new authenticator: the cached verdict, the
     * time-dependent part recomputed. */
    free(auth);
    auth = token_for(tc, tn, &k_other, 2, NOW + 900);
    diagnose(p, kt, auth, &d2, &log, &page);
    is_int(d2.ticket.cached, 1, "same ticket again: verdict from the cache");
    is_int(d2.ticket.entry, e_web2, "same entry");
    is_str(d2.ticket.client, "alice@" REALM, "same client");
    is_int(d2.ticket.endtime, d.ticket.endtime, "same end time");
    is_int(d2.skew, 900, "the new authenticator's skew, not the cached one");
    is_str(spn_cause_code(d2.cause), "clock-skew", "and the cause follows it");
    spn_keytab_forget(kt);
    diagnose(p, kt, auth, &d2, &log, &page);
    is_int(d2.ticket.cached, 0, "after forget: tried again");
    is_str(spn_cause_code(d2.cause), "clock-skew", "same verdict");
    free(auth);
    /* the same ticket under another kvno label is another verdict */
    auth = token_for(tc, tn, &k_other, 1, NOW);
    diagnose(p, kt, auth, &d2, &log, &page);
    is_int(d2.ticket.cached, 0, "same cipher, another kvno: not the cached verdict");
    free(auth);
    free(tc);

    /* A kvno that no entry of that name has: the name's keys, then the rest. */
    auth = token(&k_web, 7, NOW);
    diagnose(p, kt, auth, &d, &log, &page);
    is_int(d.ticket.entry, e_web1, "kvno 7 sealed with web01's key: HTTP/web01 kvno 1 (name first)");
    is_str(spn_cause_code(d.cause), "kvno-mismatch", "kvno-mismatch");
    free(auth);

    /* No key fits: every distinct aes256 key tried once (2, not 4). */
    auth = token(&k_stray, 1, NOW);
    diagnose(p, kt, auth, &d, &log, &page);
    is_int(d.ticket.decrypted, 0, "a stray key fits nothing");
    is_int(d.ticket.tried, 2, "two distinct keys tried");
    is_str(spn_cause_code(d.cause), "spn-wrong-account", "spn-wrong-account");
    free(auth);

    /* The ticket cap: larger than a real ticket, not trial-decrypted. */
    {
        uint8_t *big = calloc(1, SPN_TICKET_CIPHER_MAX + 1), *tok;
        size_t n;
        char *s;
        tok = apreq_token(REALM, "HTTP", "web01.spncheck.test", 18, 1, big,
                          SPN_TICKET_CIPHER_MAX + 1, 18, big, 64, &n);
        s = malloc(spn_b64_encoded_len(n) + 11);
        memcpy(s, "Negotiate ", 10);
        s[10 + spn_b64_encode(tok, n, s + 10)] = '\0';
        diagnose(p, kt, s, &d, &log, &page);
        is_int(d.ticket.shed, SPN_SHED_TOO_LARGE, "48001 bytes: over the cap");
        is_str(spn_cause_code(d.cause), "unknown", "cause unknown");
        ok(strstr(log.s, " trial=too-large") != NULL, "log says why: %s", log.s);
        ok(strstr(page.s, "more than a real ticket has (48000)") != NULL, "page says why");
        free(tok);
        /* at the cap it is tried */
        tok = apreq_token(REALM, "HTTP", "web01.spncheck.test", 18, 1, big,
                          SPN_TICKET_CIPHER_MAX, 18, big, 64, &n);
        s[10 + spn_b64_encode(tok, n, s + 10)] = '\0';
        diagnose(p, kt, s, &d, &log, &page);
        is_int(d.ticket.shed, 0, "48000 bytes: tried");
        is_str(spn_cause_code(d.cause), "spn-wrong-account", "and judged");
        free(tok);
        free(s);
        free(big);
    }

    /* Enctypes without the one-block check are decrypted whole, within
     * SPN_TRIAL_MAX_BYTES per ticket. */
    {
        krb5_keytab m2;
        krb5_keyblock kb;
        const spn_keytab_t *k2;
        uint8_t *big = calloc(1, SPN_TICKET_CIPHER_MAX), *tok;
        size_t n;
        char *s;
        int i;
        krb5_kt_resolve(ctx, "MEMORY:test-trial-sha2", &m2);
        for (i = 0; i < 4; i++) {
            krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA384_192, &kb);
            add(m2, "HTTP/web01.spncheck.test@" REALM, 1 + i, &kb);
            krb5_free_keyblock_contents(ctx, &kb);
        }
        k2 = spn_keytab_load(root, ctx, "MEMORY:test-trial-sha2");
        tok = apreq_token(REALM, "HTTP", "web01.spncheck.test", 20, 1, big,
                          SPN_TICKET_CIPHER_MAX, 20, big, 64, &n);
        s = malloc(spn_b64_encoded_len(n) + 11);
        memcpy(s, "Negotiate ", 10);
        s[10 + spn_b64_encode(tok, n, s + 10)] = '\0';
        diagnose(p, k2, s, &d, &log, &page);
        is_int(d.ticket.shed, SPN_SHED_WORK, "4 x 48000 bytes decrypted whole: over the per-ticket cap");
        is_int(d.ticket.tried, 3, "stopped at the third key");
        is_str(spn_cause_code(d.cause), "unknown", "cause unknown");
        ok(strstr(log.s, " trial=capped") != NULL, "log says capped: %s", log.s);
        ok(strstr(page.s, "the decryption one ticket may cost") != NULL, "page says why");
        free(tok);
        free(s);
        free(big);
    }

    /* The budget: a token bucket of trial bytes. */
    {
        spn_budget_t *b = spn_budget_make(root, 100, 100);
        ok(spn_budget_take(b, 60, 1000000), "60 of 100");
        ok(!spn_budget_take(b, 60, 1000000), "not 60 more at once");
        ok(spn_budget_take(b, 60, 1500000), "half a second later: 50 more, 60 in all");
        ok(!spn_budget_take(b, 200, 99000000), "never more than the burst");
    }
    /* Spent: the diagnosis is shed, cause unknown, with a note. */
    {
        spn_keytab_t *k2 = spn_keytab_load(root, ctx, "MEMORY:test-trial");
        k2->budget = spn_budget_make(root, 0, 0);
        auth = token(&k_stray, 1, NOW);
        diagnose(p, k2, auth, &d, &log, &page);
        is_int(d.ticket.shed, SPN_SHED_BUDGET, "no budget: shed");
        is_str(spn_cause_code(d.cause), "unknown", "cause unknown");
        ok(strstr(log.s, " trial=shed") != NULL, "log says shed: %s", log.s);
        ok(strstr(page.s, "diagnosis shed") != NULL, "page says shed");
        k2->budget = spn_budget_make(root, 0, 1 << 20);
        diagnose(p, k2, auth, &d, &log, &page);
        is_int(d.ticket.shed, 0, "with budget: judged");
        is_str(spn_cause_code(d.cause), "spn-wrong-account", "spn-wrong-account");
        free(auth);
    }
    /* Busy: as many trials as may be at once are at it on this snapshot
     * (one at work, the rest waiting): the next is shed, not queued, and
     * says so; the auth decision is not the module's to change. */
    {
        spn_keytab_t *k3 = spn_keytab_load(root, ctx, "MEMORY:test-trial");
        auth = token(&k_web, 1, NOW);
        spn_keytab_trial_occupy(k3, SPN_TRIAL_CONCURRENT);
        diagnose(p, k3, auth, &d, &log, &page);
        is_int(d.ticket.shed, SPN_SHED_BUSY, "%d trials at once: the next is shed",
               SPN_TRIAL_CONCURRENT);
        is_int(d.ticket.tried, 0, "busy: no key tried");
        is_str(spn_cause_code(d.cause), "unknown", "busy: cause unknown, not a wrong one");
        ok(strstr(log.s, " trial=busy") != NULL, "log says busy: %s", log.s);
        ok(strstr(page.s, "diagnosis shed") != NULL, "page says shed");
        spn_keytab_trial_occupy(k3, -1);
        diagnose(p, k3, auth, &d, &log, &page);
        is_int(d.ticket.shed, 0, "one fewer at once: it may wait, and is judged");
        is_str(spn_cause_code(d.cause), "ticket-ok", "ticket-ok");
        spn_keytab_trial_occupy(k3, -(SPN_TRIAL_CONCURRENT - 1));
        diagnose(p, k3, auth, &d, &log, &page);
        is_str(spn_cause_code(d.cause), "ticket-ok", "none at once: judged (from the cache)");
        ok(d.ticket.cached, "the verdict came from the cache");
        free(auth);
    }
    apr_pool_destroy(p);
    same_as_token(kt, &k_web, 1, "ticket-ok");
    same_as_token(kt, &k_stray, 1, "spn-wrong-account");
    same_as_token(kt, &k_web, 7, "kvno-mismatch");
    {
        spn_diag_t d3;
        spn_diagnose_ticket(root, ctx, &(spn_service_t){ .keytab = kt },
                            (const uint8_t *)"\x61\x03\x30\x01", 4, NOW, &d3);
        is_str(spn_cause_code(d3.cause), "malformed-token", "a cut ticket: malformed");
        is_int(d3.tok.error.code, SPN_E_TRUNCATED, "truncated");
    }
    krb5_free_keyblock_contents(ctx, &k_other);
    krb5_free_keyblock_contents(ctx, &k_web);
    krb5_free_keyblock_contents(ctx, &k_stray);
    krb5_free_keyblock_contents(ctx, &k_sess);
    apr_pool_destroy(root);
    krb5_free_context(ctx);
    return tap_done();
}

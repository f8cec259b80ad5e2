/* decode_bench.c: the decoder and the diagnosis, timed side by side in one
 * run.  Prints ratios, never asserts on time.
 *
 *   decode_bench TOKENDIR...   (files: raw tokens, or .b64 text)
 *
 * 1. ns/token: plain base64 decode of each token (the floor) vs. our full
 *    decode (base64 + GSS/SPNEGO/Kerberos/NTLM); ratio full/floor.
 * 2. us per failed exchange diagnosed (spn_diagnose) with in-memory
 *    keytabs of 10, 50 and 200 entries, on a real AP-REQ: the first time,
 *    the same ticket again (verdict cache), and the trial as it was before
 *    issue 9 (every key, whole ciphertext) for reference.
 * 3. us per forged ticket as large as the cap, 200 keys of its enctype:
 *    aes256-sha1 (one-block check) and aes256-sha384 (decrypted whole). */
#include "apreq.h"
#include "spn_http.h"
#include "spn_names.h"
#include "spn_b64.h"
#include "spn_diag.h"
#include "spn_mechcount.h"

#include <apr_general.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXTOK 4096

static char *b64s[MAXTOK];
static size_t b64n[MAXTOK];
static int ntok;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void load(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && ntok < MAXTOK) {
        char path[2048];
        FILE *f;
        static unsigned char buf[70000];
        size_t n, l = strlen(e->d_name);
        if (e->d_name[0] == '.' || (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) ||
            strstr(e->d_name, ".keytab") || strstr(e->d_name, ".key.b64"))
            continue;             /* keys and keytabs in the vectors are not tokens */
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (!(f = fopen(path, "rb")))
            continue;
        n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        if (l > 4 && strcmp(e->d_name + l - 4, ".b64") == 0) {
            while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                n--;
            b64s[ntok] = malloc(n + 1);
            memcpy(b64s[ntok], buf, n);
            b64s[ntok][n] = 0;
            b64n[ntok++] = n;
        }
        else if (n && n < 60000) {
            b64s[ntok] = malloc(spn_b64_encoded_len(n) + 1);
            b64n[ntok] = spn_b64_encode(buf, n, b64s[ntok]);
            ntok++;
        }
    }
    if (d)
        closedir(d);
}

static void bench_decode(void)
{
    static uint8_t out[SPN_TOKEN_MAX];
    spn_token_t tok;
    size_t bad;
    double t0, floor_ns, full_ns;
    long rounds = 0, i, sink = 0;
    int k;

    /* enough rounds for ~1 s of each */
    for (t0 = now_ns(); now_ns() - t0 < 2e8; rounds++)
        for (k = 0; k < ntok; k++)
            sink += spn_b64_decode(b64s[k], b64n[k], out, sizeof(out), &bad);
    rounds *= 5;
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        for (k = 0; k < ntok; k++)
            sink += spn_b64_decode(b64s[k], b64n[k], out, sizeof(out), &bad);
    floor_ns = (now_ns() - t0) / ((double)rounds * ntok);
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        for (k = 0; k < ntok; k++)
            sink += spn_token_decode_b64(b64s[k], b64n[k], out, sizeof(out), &tok);
    full_ns = (now_ns() - t0) / ((double)rounds * ntok);
    printf("decoder: %d tokens x %ld rounds\n", ntok, rounds);
    printf("  base64 only (floor):   %8.0f ns/token\n", floor_ns);
    printf("  full decode:           %8.0f ns/token  = %.2fx the floor, %.0f tokens/s\n",
           full_ns, full_ns / floor_ns, 1e9 / full_ns);
    if (sink == 42)
        puts("");
}

/* The success path's sniffs (issue 12: the mechanism; issue 22: the
 * ticket's enctype, for the RC4 share) against the full decode. */
static void bench_sniff(void)
{
    static char *hdr[MAXTOK];
    double t0, mech_ns, et_ns, full_ns;
    static uint8_t out[SPN_TOKEN_MAX];
    spn_token_t tok;
    long rounds = 0, i, sink = 0;
    int k, found = 0;

    for (k = 0; k < ntok; k++) {
        hdr[k] = malloc(b64n[k] + 11);
        memcpy(hdr[k], "Negotiate ", 10);
        memcpy(hdr[k] + 10, b64s[k], b64n[k]);
        hdr[k][10 + b64n[k]] = '\0';
        found += spn_etype_sniff(hdr[k], 10 + b64n[k]) > 0;
    }
    for (t0 = now_ns(); now_ns() - t0 < 2e8; rounds++)
        for (k = 0; k < ntok; k++)
            sink += spn_etype_sniff(hdr[k], 10 + b64n[k]);
    rounds *= 5;
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        for (k = 0; k < ntok; k++)
            sink += spn_mech_sniff(hdr[k], 10 + b64n[k]);
    mech_ns = (now_ns() - t0) / ((double)rounds * ntok);
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        for (k = 0; k < ntok; k++)
            sink += spn_etype_sniff(hdr[k], 10 + b64n[k]);
    et_ns = (now_ns() - t0) / ((double)rounds * ntok);
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        for (k = 0; k < ntok; k++)
            sink += spn_token_decode_b64(b64s[k], b64n[k], out, sizeof(out), &tok);
    full_ns = (now_ns() - t0) / ((double)rounds * ntok);
    printf("success-path sniffs: %d tokens (%d with a ticket enctype found) x %ld rounds\n",
           ntok, found, rounds);
    printf("  mechanism sniff:       %8.0f ns/token\n", mech_ns);
    printf("  ticket enctype sniff:  %8.0f ns/token  = %.2fx the full decode (%.0f ns)\n",
           et_ns, et_ns / full_ns, full_ns);
    for (k = 0; k < ntok; k++)
        free(hdr[k]);
    if (sink == 42)
        puts("");
}

/* A keytab of n entries: the ticket's SPN with a wrong password (so every
 * candidate key is tried and fails, the costly case), plus others.
 * etype 0: aes256 and aes128 alternating; else all of that enctype. */
static const spn_keytab_t *mk_keytab(apr_pool_t *p, krb5_context ctx, int n, const char *spn,
                                     int etype)
{
    char name[64], pr[800];
    krb5_keytab kt;
    int i;

    snprintf(name, sizeof(name), "MEMORY:bench-%d-%d", n, etype);
    krb5_kt_resolve(ctx, name, &kt);
    for (i = 0; i < n; i++) {
        krb5_principal princ;
        krb5_keytab_entry e;
        krb5_data pw = { 0, 8, (char *)"Bench-Pw" }, salt;
        if (i < 2)
            snprintf(pr, sizeof(pr), "%s", spn);
        else
            snprintf(pr, sizeof(pr), "HTTP/host%d.spncheck.test@SPNCHECK.TEST", i);
        krb5_parse_name(ctx, pr, &princ);
        krb5_principal2salt(ctx, princ, &salt);
        memset(&e, 0, sizeof(e));
        e.principal = princ;
        e.vno = 1 + (i % 3);
        krb5_c_string_to_key(ctx, etype ? etype : i % 2 ? ENCTYPE_AES128_CTS_HMAC_SHA1_96
                                                        : ENCTYPE_AES256_CTS_HMAC_SHA1_96,
                             &pw, &salt, &e.key);
        krb5_kt_add_entry(ctx, kt, &e);
        krb5_free_keyblock_contents(ctx, &e.key);
        krb5_free_data_contents(ctx, &salt);
        krb5_free_principal(ctx, princ);
    }
    return spn_keytab_load(p, ctx, name);
}

/* The trial as it was before issue 9: every key of the enctype on the whole
 * ciphertext, keys made afresh each time (krb5_c_decrypt).  For reference. */
static int naive_trial(apr_pool_t *p, krb5_context ctx, const spn_keytab_t *kt, int etype,
                       const uint8_t *c, size_t n)
{
    krb5_enc_data ed;
    krb5_data out;
    int i;

    memset(&ed, 0, sizeof(ed));
    ed.enctype = etype;
    ed.ciphertext.data = (char *)c;
    ed.ciphertext.length = (unsigned)n;
    out.data = apr_palloc(p, n);
    for (i = 0; i < kt->n; i++) {
        out.length = (unsigned)n;
        if (kt->e[i].enctype == etype &&
            krb5_c_decrypt(ctx, &kt->e[i].key, 2, NULL, &ed, &out) == 0)
            return i;
    }
    return -1;
}

/* us per call of spn_diagnose (cold: the verdict cache emptied first), or of
 * the naive trial on the same ticket; about a second of each */
enum { COLD, WARM, NAIVE };
static double time_diag(apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                        const spn_observation_t *obs, spn_diag_t *d, int how)
{
    double t0 = now_ns();
    long n = 0;
    spn_token_t tok;
    static uint8_t out[SPN_TOKEN_MAX];

    spn_token_decode_b64(obs->authorization + 10, strlen(obs->authorization + 10), out,
                         sizeof(out), &tok);
    while (now_ns() - t0 < 1e9) {
        apr_pool_t *rp;
        apr_pool_create(&rp, p);
        if (how == NAIVE)
            naive_trial(rp, ctx, svc->keytab, tok.krb5.etype, tok.krb5.cipher.p,
                        tok.krb5.cipher.len);
        else {
            if (how == COLD)
                spn_keytab_forget(svc->keytab);
            spn_diagnose(rp, ctx, svc, obs, d);
        }
        apr_pool_destroy(rp);
        n++;
    }
    return (now_ns() - t0) / 1e3 / (double)n;
}

static char *negotiate(const uint8_t *tok, size_t n)
{
    char *s = malloc(spn_b64_encoded_len(n) + 11);
    memcpy(s, "Negotiate ", 10);
    s[10 + spn_b64_encode(tok, n, s + 10)] = '\0';
    return s;
}

static void bench_diag(apr_pool_t *root)
{
    static const int sizes[] = { 10, 50, 200 };
    static const int forged_etypes[] = { 18, 20 };
    static const char *const spns[] = { "HTTP/web01.spncheck.test@SPNCHECK.TEST" };
    krb5_context ctx;
    const char *auth = NULL;
    char *hdr;
    int k, s;
    spn_service_t svc;
    spn_observation_t obs;
    spn_diag_t d;

    for (k = 0; k < ntok && !auth; k++) {       /* the first AES256 AP-REQ */
        static uint8_t out[SPN_TOKEN_MAX];
        spn_token_t tok;
        if (spn_token_decode_b64(b64s[k], b64n[k], out, sizeof(out), &tok) == SPN_E_OK &&
            tok.has_krb5 && tok.krb5.msg_type == SPN_KRB_AP_REQ && tok.krb5.etype == 18)
            auth = b64s[k];
    }
    if (!auth || krb5_init_context(&ctx)) {
        puts("diagnosis: no AP-REQ among the tokens; skipped");
        return;
    }
    hdr = malloc(strlen(auth) + 11);
    sprintf(hdr, "Negotiate %s", auth);
    memset(&obs, 0, sizeof(obs));
    obs.now = time(NULL);
    for (s = 0; s < 3; s++) {
        apr_pool_t *p;
        const char *spn1[1];
        double cold, warm, naive;
        char sname[512], spn[700];
        spn_token_t tok;
        static uint8_t out[SPN_TOKEN_MAX];

        apr_pool_create(&p, root);
        spn_token_decode_b64(auth, strlen(auth), out, sizeof(out), &tok);
        spn_krb5_sname(&tok.krb5, sname, sizeof(sname));
        snprintf(spn, sizeof(spn), "%s@%.*s", sname, (int)tok.krb5.realm.len,
                 (const char *)tok.krb5.realm.p);
        memset(&svc, 0, sizeof(svc));
        spn1[0] = spn;
        svc.spns = spn1;
        svc.n_spns = 1;
        svc.max_skew = 300;
        svc.keytab = mk_keytab(p, ctx, sizes[s], spn, 0);
        obs.authorization = hdr;
        naive = time_diag(p, ctx, &svc, &obs, &d, NAIVE);
        cold = time_diag(p, ctx, &svc, &obs, &d, COLD);
        warm = time_diag(p, ctx, &svc, &obs, &d, WARM);
        printf("diagnosis, keytab of %3d entries: %7.1f us first time, %5.2f us same ticket "
               "again (%s, %zu %s tried; trial before issue 9: %.1f us)\n", sizes[s], cold, warm,
               spn_cause_code(d.cause), d.ticket.tried, d.ticket.tried == 1 ? "key" : "keys",
               naive);
        apr_pool_destroy(p);
    }
    /* Forged: a ticket to a configured SPN, random bytes as large as the cap
     * lets through, against 200 distinct keys of its enctype; a new ticket
     * each time (cache emptied), no budget. */
    for (s = 0; s < 2; s++) {
        apr_pool_t *p;
        uint8_t *junk = malloc(SPN_TICKET_CIPHER_MAX), *tok;
        size_t n, i;
        double cold, naive;

        apr_pool_create(&p, root);
        for (i = 0; i < SPN_TICKET_CIPHER_MAX; i++)
            junk[i] = (uint8_t)rand();
        tok = apreq_token("SPNCHECK.TEST", "HTTP", "web01.spncheck.test", forged_etypes[s], 2,
                          junk, SPN_TICKET_CIPHER_MAX, forged_etypes[s], junk, 128, &n);
        memset(&svc, 0, sizeof(svc));
        svc.spns = spns;
        svc.n_spns = 1;
        svc.max_skew = 300;
        svc.keytab = mk_keytab(p, ctx, 200, spns[0], forged_etypes[s]);
        obs.authorization = negotiate(tok, n);
        cold = time_diag(p, ctx, &svc, &obs, &d, COLD);
        naive = time_diag(p, ctx, &svc, &obs, &d, NAIVE);
        printf("forged %d-byte ticket, 200 keys of etype %d: %7.1f us (%s%s, %zu keys tried;"
               " trial before issue 9: %.1f us)\n", SPN_TICKET_CIPHER_MAX, forged_etypes[s],
               cold, spn_cause_code(d.cause), d.ticket.shed ? ", trial capped" : "",
               d.ticket.tried, naive);
        free(junk);
        free(tok);
        free((char *)obs.authorization);
        apr_pool_destroy(p);
    }
    free(hdr);
    krb5_free_context(ctx);
}

int main(int argc, char **argv)
{
    apr_pool_t *root;
    int i;

    apr_initialize();
    apr_pool_create(&root, NULL);
    for (i = 1; i < argc; i++)
        load(argv[i]);
    if (!ntok) {
        fprintf(stderr, "usage: decode_bench TOKENDIR...\n");
        return 2;
    }
    bench_decode();
    bench_sniff();
    bench_diag(root);
    return 0;
}

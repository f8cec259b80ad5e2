/* fuzz_diag.c: libFuzzer entry for the failure path the module runs on a
 * 401: diagnosis (with an in-memory keytab, so trial decryption sees
 * hostile ciphertext), the page at every detail level, the JSON and the
 * log line.  The first byte picks how the rest is presented: as an
 * Authorization value as-is, or base64-encoded behind "Negotiate " or
 * "NTLM ", so that deep token structure is reachable; its next bits pick a
 * service without SPNs (names then come from the ticket) and a proxied
 * 401 (over TLS, with a certificate to bind to, when the next bit is set).
 * After every input the diagnosis must keep its invariants
 * (diag_check.h): an overrun inside the struct, which ASan cannot see,
 * aborts here; so does JSON that is not valid (../unit/json_check.h). */
#include "spn_render.h"
#include "spn_fix.h"
#include "spn_b64.h"
#include "spn_diag.h"
#include "../unit/diag_check.h"
#include "../unit/json_check.h"
#include "kt_mem.h"
#include "../unit/certs.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fix's invariants (spn_fix.h): no control byte in any argument,
 * reason or note; every SPN-like argument passes the SPN grammar; every
 * step is one line of its block (a reason line above it when it has one),
 * so a client's value can add no line of its own. */
static const char *fix_check(apr_pool_t *p, const spn_diag_t *d, const spn_service_t *s, int who)
{
    spn_fix_t fx;
    spn_buf_t t;
    int i, k, places = 0, lines = 0, want;
    const char *c;

    spn_fix_build(p, d, s, who, &fx);
    for (i = 0; i < fx.n_steps; i++) {
        for (k = 0; k < fx.steps[i].argc; k++) {
            for (c = fx.steps[i].argv[k]; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    return "a control byte in an argument";
            if (strncmp(fx.steps[i].argv[k], "HTTP/", 5) == 0 && !strchr(fx.steps[i].argv[k], '@') &&
                !spn_fix_spn_ok(fx.steps[i].argv[k]))
                return "an SPN argument that fails the grammar";
        }
        for (c = fx.steps[i].why ? fx.steps[i].why : ""; *c; c++)
            if ((unsigned char)*c < 0x20)
                return "a control byte in a reason";
    }
    for (i = 0; i < fx.n_notes; i++)
        for (c = fx.notes[i]; *c; c++)
            if ((unsigned char)*c < 0x20)
                return "a control byte in a note";
    spn_buf_init(&t, p, 1024);
    spn_fix_text(&t, &fx, "");
    for (c = t.s ? t.s : ""; *c; c++)
        lines += *c == '\n';
    for (k = SPN_FIX_DC; k <= SPN_FIX_CLIENT; k++)
        for (i = 0; i < fx.n_steps; i++)
            if (fx.steps[i].where == k) {
                places++;
                break;
            }
    want = places + fx.n_notes;
    for (i = 0; i < fx.n_steps; i++)
        want += 1 + (fx.steps[i].why && *fx.steps[i].why);
    return lines == want ? NULL : "the text has lines no step or note accounts for";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static krb5_context kctx;
static spn_service_t svc, nospn;   /* nospn: no SPNCheckServicePrincipal */

static void add_key(krb5_keytab kt, const char *princ, krb5_enctype et, int kvno)
{
    if (kt_mem_add(kctx, kt, princ, et, kvno, "Fuzz-Pw1"))
        abort();
}

/* The snapshot's krb5 objects live outside the pool (malloc): freed
 * before the leak check runs (atexit order), not reported as leaks. */
static void teardown(void)
{
    apr_pool_destroy(root);
}

static void setup(void)
{
    static const char *spns[] = { "HTTP/web01.spncheck.test@SPNCHECK.TEST" };
    krb5_keytab kt;

    apr_initialize();
    apr_pool_create(&root, NULL);
    if (krb5_init_context(&kctx) || krb5_kt_resolve(kctx, "MEMORY:spncheck-fuzz", &kt))
        abort();
    add_key(kt, "HTTP/web01.spncheck.test@SPNCHECK.TEST", ENCTYPE_AES256_CTS_HMAC_SHA1_96, 2);
    add_key(kt, "HTTP/web01.spncheck.test@SPNCHECK.TEST", ENCTYPE_ARCFOUR_HMAC, 2);
    add_key(kt, "HTTP/alias.spncheck.test@SPNCHECK.TEST", ENCTYPE_AES128_CTS_HMAC_SHA1_96, 5);
    svc.spns = spns;
    svc.n_spns = 1;
    svc.keytab = spn_keytab_load(root, kctx, "MEMORY:spncheck-fuzz");  /* kt stays open */
    svc.account = "SPNCHECK\\<svc>";
    svc.max_skew = 300;
    nospn = svc;
    nospn.spns = NULL;
    nospn.n_spns = 0;
    atexit(teardown);
}

static char *b64(apr_pool_t *p, const char *prefix, const uint8_t *s, size_t n)
{
    size_t pl = strlen(prefix);
    char *out = apr_palloc(p, pl + spn_b64_encoded_len(n) + 1);

    memcpy(out, prefix, pl);
    spn_b64_encode(s, n, out + pl);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spn_observation_t obs;
    const spn_service_t *s;
    const char *why;
    spn_diag_t d;
    apr_pool_t *p;
    spn_buf_t b, jb;
    spn_json_t w;
    int lvl;

    if (!root)
        setup();
    if (size < 1 || size > 65536)
        return 0;
    apr_pool_create(&p, root);
    memset(&obs, 0, sizeof obs);
    switch (data[0] % 3) {
    case 0:  obs.authorization = apr_pstrmemdup(p, (const char *)data + 1, size - 1); break;
    case 1:  obs.authorization = b64(p, "Negotiate ", data + 1, size - 1); break;
    default: obs.authorization = b64(p, "NTLM ", data + 1, size - 1); break;
    }
    obs.host = "web01.spncheck.test";
    obs.now = 1795000000;
    obs.proxied = (data[0] / 6) & 1;
    if (obs.proxied && ((data[0] / 12) & 1))
        obs.tls_cert = CERT_SHA256;
    s = (data[0] / 3) & 1 ? &nospn : &svc;
    spn_diagnose(p, kctx, s, &obs, &d);
    if ((why = diag_check(&d, s, &obs)) != NULL) {
        fprintf(stderr, "fuzz_diag: diagnosis invariant broken: %s\n", why);
        abort();
    }
    spn_buf_init(&b, p, 4096);
    for (lvl = SPN_DETAIL_NONE; lvl <= SPN_DETAIL_FULL; lvl++)
        spn_render_page(&b, &d, s, lvl, "0123abcd");
    spn_buf_init(&jb, p, 4096);
    spn_json_init(&w, &jb);
    spn_diag_json(&w, &d, s);
    if (spn_json_done(&w) < 0 || (why = json_check(jb.s, jb.len)) != NULL) {
        fprintf(stderr, "fuzz_diag: invalid JSON: %s\n", why ? why : "writer misuse");
        abort();
    }
    spn_diag_logline(&b, &d);
    for (lvl = SPN_FIX_FOR_USER; lvl <= SPN_FIX_FOR_ADMIN; lvl++)
        if ((why = fix_check(p, &d, s, lvl)) != NULL) {
            fprintf(stderr, "fuzz_diag: fix invariant broken: %s\n", why);
            abort();
        }
    apr_pool_destroy(p);
    return 0;
}

/* fuzz_diag.c: libFuzzer entry for the failure path the module runs on a
 * 401: diagnosis (with an in-memory keytab, so trial decryption sees
 * hostile ciphertext), the page at every detail level, the JSON and the
 * log line.  The first byte picks how the rest is presented: as an
 * Authorization value as-is, or base64-encoded behind "Negotiate " or
 * "NTLM ", so that deep token structure is reachable. */
#include "spn_b64.h"
#include "spn_diag.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static krb5_context kctx;
static spn_service_t svc;

static void add_key(krb5_keytab kt, const char *princ, krb5_enctype et, int kvno)
{
    krb5_principal pr;
    krb5_data pw = { 0, 8, (char *)"Fuzz-Pw1" }, salt;
    krb5_keytab_entry e;

    if (krb5_parse_name(kctx, princ, &pr))
        abort();
    if (krb5_principal2salt(kctx, pr, &salt))
        abort();
    memset(&e, 0, sizeof e);
    e.principal = pr;
    e.vno = (krb5_kvno)kvno;
    if (krb5_c_string_to_key(kctx, et, &pw, &salt, &e.key) || krb5_kt_add_entry(kctx, kt, &e))
        abort();
    krb5_free_keyblock_contents(kctx, &e.key);
    krb5_free_data_contents(kctx, &salt);
    krb5_free_principal(kctx, pr);
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
    spn_diag_t d;
    apr_pool_t *p;
    spn_buf_t b;
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
    spn_diagnose(p, kctx, &svc, &obs, &d);
    spn_buf_init(&b, p, 4096);
    for (lvl = SPN_DETAIL_NONE; lvl <= SPN_DETAIL_FULL; lvl++)
        spn_render_page(&b, &d, &svc, lvl, "0123abcd");
    spn_diag_json(&b, &d, &svc);
    spn_diag_logline(&b, &d);
    apr_pool_destroy(p);
    return 0;
}

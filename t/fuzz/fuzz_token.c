/* fuzz_token.c: libFuzzer entry for the whole decode path: the input is
 * tried as raw token bytes and as an HTTP header value, and the result is
 * rendered as JSON and text (both escapers run on hostile bytes).  Each
 * JSON document must be valid JSON (../unit/json_check.h). */
#include "spn_http.h"
#include "spn_mechcount.h"
#include "spn_size.h"
#include "spn_report.h"
#include "spn_token.h"
#include "../unit/json_check.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *root;

static void token_json(apr_pool_t *p, const spn_token_t *tok)
{
    spn_buf_t b;
    spn_json_t w;
    const char *why = NULL;

    spn_buf_init(&b, p, 1024);
    spn_json_init(&w, &b);
    spn_token_json(&w, tok);
    if (spn_json_done(&w) < 0 || (why = json_check(b.s, b.len)) != NULL) {
        fprintf(stderr, "fuzz_token: invalid JSON: %s\n", why ? why : "writer misuse");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[SPN_TOKEN_MAX];
    spn_token_t tok;
    apr_pool_t *p;
    spn_buf_t b;
    const char *scheme, *b64;
    size_t n;
    int et = 0, v1 = 0;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    spn_token_decode(data, size, &tok);
    token_json(p, &tok);
    spn_buf_init(&b, p, 1024);
    spn_token_text(&b, &tok);
    /* the success path's sniff and the refused header line's judge */
    if ((unsigned)spn_mech_sniff((const char *)data, size) >= SPN_MC_N ||
        (unsigned)spn_mech_sniff_ex((const char *)data, size, &et, &v1) >= SPN_MC_N ||
        (unsigned)spn_et_bucket(et) >= SPN_ET_N || (v1 != 0 && v1 != 1) ||
        (spn_auth_line((const char *)data, size, &scheme) &&
         strcmp(scheme, "Negotiate") != 0 && strcmp(scheme, "NTLM") != 0))
        abort();
    if (spn_split_auth((const char *)data, size, &scheme, &b64, &n) == 0) {
        spn_token_decode_b64(b64, n, out, sizeof out, &tok);
        token_json(p, &tok);
    }
    apr_pool_destroy(p);
    return 0;
}

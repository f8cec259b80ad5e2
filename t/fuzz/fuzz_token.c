/* fuzz_token.c: libFuzzer entry for the whole decode path: the input is
 * tried as raw token bytes and as an HTTP header value, and the result is
 * rendered as JSON and text (both escapers run on hostile bytes). */
#include "spn_http.h"
#include "spn_report.h"
#include "spn_token.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[SPN_TOKEN_MAX];
    spn_token_t tok;
    apr_pool_t *p;
    spn_buf_t b;
    const char *scheme, *b64;
    size_t n;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    spn_token_decode(data, size, &tok);
    spn_buf_init(&b, p, 1024);
    spn_token_json(&b, &tok);
    spn_token_text(&b, &tok);
    if (spn_split_auth((const char *)data, size, &scheme, &b64, &n) == 0) {
        spn_token_decode_b64(b64, n, out, sizeof out, &tok);
        spn_token_json(&b, &tok);
    }
    apr_pool_destroy(p);
    return 0;
}

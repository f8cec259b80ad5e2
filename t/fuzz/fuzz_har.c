/* fuzz_har.c: libFuzzer entry for 'spncheck har': the input is a HAR file
 * (jansson parses it; our walker finds the exchanges, decodes both
 * directions and diagnoses failures), reported as text and as JSON. */
#include "cli.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *spn = "HTTP/web01.spncheck.test@SPNCHECK.TEST";
    json_error_t err;
    json_t *har;
    apr_pool_t *p;
    cli_opts_t o;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
        devnull = fopen("/dev/null", "w");
    }
    if (size > 1 << 20 || !(har = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err)))
        return 0;
    apr_pool_create(&p, root);
    memset(&o, 0, sizeof(o));
    o.spns[0] = spn;
    o.svc.n_spns = 1;
    o.svc.max_skew = 300;
    o.svc.account = "SPNCHECK\\<svc>";
    o.arg = "fuzz.har";
    cli_har_report(p, NULL, har, &o, devnull);
    o.json = 1;
    cli_har_report(p, NULL, har, &o, devnull);
    json_decref(har);
    apr_pool_destroy(p);
    return 0;
}

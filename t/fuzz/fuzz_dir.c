/* fuzz_dir.c: libFuzzer entry for what a directory answers (src/spn_dir.c):
 * the input is an LDAP answer in LDIF (as t/unit/dir/ records them) fed
 * through spn_dir_add_entry into one SPN's record, which is then written
 * as the contract's JSON (checked valid) and as terminal text (no control
 * byte may pass).  The first line also drives the name rules: the
 * sPNMappings matcher, the other name form and the filter escaper. */
#include "spn_dir.h"
#include "../unit/json_check.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spn_dir_spn_t d[2];
    apr_pool_t *p;
    spn_buf_t b;
    const char *why;
    char line[300], out[300], esc[1000];
    size_t ll = 0, i;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    while (ll < size && ll < sizeof(line) - 1 && data[ll] != '\n' && data[ll] != '\0') {
        line[ll] = (char)data[ll];
        ll++;
    }
    line[ll] = '\0';
    memset(d, 0, sizeof(d));
    d[0].state = SPN_DIR_OK;
    d[0].checked_at = 1795600800;
    snprintf(d[0].spn, sizeof(d[0].spn), "%.255s", line);
    spn_dir_add_ldif(&d[0], "CONTOSO", line, (const char *)data, size);
    if (d[0].n_holders < 0)
        abort();
    d[1] = d[0];
    d[1].state = SPN_DIR_ERROR;
    memcpy(d[1].error, data, size < sizeof(d[1].error) ? size : sizeof(d[1].error));
    spn_buf_init(&b, p, 1024);
    spn_dir_json(&b, d, 2);
    if ((why = json_check(b.s, b.len)) != NULL) {
        fprintf(stderr, "fuzz_dir: invalid JSON: %s\n", why);
        abort();
    }
    spn_buf_init(&b, p, 1024);
    spn_dir_text(&b, d, 2);
    for (i = 0; i < b.len; i++)
        if (((unsigned char)b.s[i] < 0x20 && b.s[i] != '\n') || b.s[i] == 0x7f)
            abort();
    spn_dir_mapped(line, ll, line, out, sizeof(out));
    spn_dir_other_form(line, "contoso.test", out, sizeof(out));
    spn_dir_other_form(line, "", out, sizeof(out));
    if (spn_dir_filter_escape(line, esc, sizeof(esc)) == 0 && strpbrk(esc, "()*"))
        abort();
    apr_pool_destroy(p);
    return 0;
}

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
#include <ctype.h>
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
    /* every field of every kept holder, inside its fixed struct (ASan
     * cannot see an overrun that stays inside it): NUL-terminated within
     * the field, an account that is CONTOSO\\sam, a known kind, a via */
    for (i = 0; i < (size_t)d[0].n_holders && i < SPN_DIR_MAX_HOLDERS; i++) {
        const spn_dir_holder_t *h = &d[0].holders[i];
        size_t sl = strnlen(h->sam, sizeof(h->sam)), al = strnlen(h->account, sizeof(h->account));
        if (sl == sizeof(h->sam) || al == sizeof(h->account) ||
            strnlen(h->via, sizeof(h->via)) == sizeof(h->via) || sl == 0 ||
            al != 8 + sl || memcmp(h->account, "CONTOSO\\", 8) != 0 ||
            strcmp(h->account + 8, h->sam) != 0 || h->kind < SPN_DIR_KIND_UNKNOWN ||
            h->kind > SPN_DIR_KIND_GMSA || h->kvno < -1 || h->pwd_last_set < 0 ||
            (!h->via[0] && line[0]))
            abort();
    }
    for (; i < SPN_DIR_MAX_HOLDERS; i++) {      /* past the kept ones: untouched */
        static const spn_dir_holder_t zero;
        if (memcmp(&d[0].holders[i], &zero, sizeof(zero)) != 0)
            abort();
    }
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
    if (spn_dir_mapped(line, ll, line, out, sizeof(out)) &&
        (strnlen(out, sizeof(out)) == sizeof(out) || !strchr(out, '/')))
        abort();
    if (spn_dir_other_form(line, "contoso.test", out, sizeof(out)) == 0 &&
        strnlen(out, sizeof(out)) == sizeof(out))
        abort();
    if (spn_dir_other_form(line, "", out, sizeof(out)) == 0 &&
        strnlen(out, sizeof(out)) == sizeof(out))
        abort();
    if (spn_dir_filter_escape(line, esc, sizeof(esc)) == 0) {
        /* RFC 4515: no ( ) * and no byte outside printable ASCII unescaped;
         * every backslash starts \XX */
        for (i = 0; esc[i]; i++) {
            unsigned char c = (unsigned char)esc[i];
            if (c == '(' || c == ')' || c == '*' || c < 0x20 || c >= 0x7f)
                abort();
            if (c == '\\' && !(isxdigit((unsigned char)esc[i + 1]) &&
                                isxdigit((unsigned char)esc[i + 2])))
                abort();
            if (c == '\\')
                i += 2;
        }
    }
    apr_pool_destroy(p);
    return 0;
}

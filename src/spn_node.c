/* spn_node.c: node names and the references that carry them (spn_node.h). */
#include "spn_node.h"
#include "spn_json.h"

#include <string.h>

static int node_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
}

static int alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int spn_node_valid(const char *s)
{
    size_t i;

    if (!s || !alnum((unsigned char)s[0]))
        return 0;
    for (i = 0; s[i]; i++)
        if (i >= SPN_NODE_MAX || !node_char((unsigned char)s[i]))
            return 0;
    return 1;
}

char *spn_node_default(const char *hostname, char *out, size_t n)
{
    size_t i, k = 0, cap = n ? n - 1 : 0;

    if (cap > SPN_NODE_MAX)
        cap = SPN_NODE_MAX;
    for (i = 0; hostname && hostname[i] && hostname[i] != '.' && k < cap; i++) {
        unsigned char c = (unsigned char)hostname[i];
        if (node_char(c) && (k || alnum(c)))
            out[k++] = (char)c;
    }
    if (!n)
        return out;
    if (!k && n > 4) {
        memcpy(out, "node", 4);
        k = 4;
    }
    out[k] = '\0';
    return out;
}

const char *spn_ref_node(const char *ref)
{
    const char *at = ref ? strchr(ref, '@') : NULL;
    return at && spn_node_valid(at + 1) ? at + 1 : NULL;
}

int spn_ref_matches(const char *held, const char *ref)
{
    size_t n;

    if (!held || !ref || !*ref)
        return 0;
    if (strcmp(held, ref) == 0)
        return 1;
    if (strchr(ref, '@'))
        return 0;
    n = strlen(ref);
    return n == SPN_REF_ID_LEN && strncmp(held, ref, n) == 0 && held[n] == '@';
}

void spn_ref_elsewhere(spn_buf_t *b, const char *ref, const char *this_node, int json)
{
    const char *node = spn_ref_node(ref);
    size_t n = ref ? strlen(ref) : 0;
    int other = node && (!this_node || strcmp(node, this_node) != 0);

    if (n > SPN_REF_MAX)                    /* no reference is longer: show its start */
        n = SPN_REF_MAX;
    if (json) {
        spn_json_t w;
        spn_json_init(&w, b);
        spn_json_object(&w);
        spn_json_key(&w, "ref");
        spn_json_strn(&w, ref ? ref : "", n);
        spn_json_key(&w, "node");
        spn_json_str_or_null(&w, node);
        spn_json_key(&w, "this_node");
        spn_json_str_or_null(&w, this_node);
        spn_json_key(&w, "held");
        spn_json_bool(&w, 0);
        spn_json_end(&w);
        spn_buf_puts(b, "\n");
        return;
    }
    spn_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>Reference not held here</title></head><body>\n"
                    "<h1>Reference not held here</h1>\n<p>Reference <code>");
    spn_buf_html(b, ref ? ref : "", n);
    if (other) {
        spn_buf_puts(b, "</code> was issued by node <strong>");
        spn_buf_htmls(b, node);
        spn_buf_puts(b, "</strong>; this is node <strong>");
        spn_buf_htmls(b, this_node ? this_node : "-");
        spn_buf_puts(b, "</strong>. Ask the status page of <strong>");
        spn_buf_htmls(b, node);
        spn_buf_puts(b, "</strong> (each node keeps the failures it saw).</p>\n");
    }
    else {
        spn_buf_puts(b, "</code> is not held by this node (<strong>");
        spn_buf_htmls(b, this_node ? this_node : "-");
        spn_buf_puts(b, "</strong>): it is older than the history keeps "
                        "(SPNCheckHistory), or from before a restart.</p>\n");
    }
    spn_buf_puts(b, "</body></html>\n");
}

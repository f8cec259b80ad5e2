/* json_check.h: a strict RFC 8259 syntax check for the tests and the fuzz
 * targets: one value, nothing after it but a newline, strings of valid
 * UTF-8 (spn_utf8_seq) with no raw control bytes, nesting at most 64.
 * Returns NULL when s[0..n) is valid, else what is wrong. */
#ifndef JSON_CHECK_H
#define JSON_CHECK_H

#include "spn_buf.h"

#include <stddef.h>
#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t n, i;
    const char *err;
} json_check_t;

static int jc_value(json_check_t *c, int depth);

static void jc_ws(json_check_t *c)
{
    while (c->i < c->n && strchr(" \t\r\n", c->s[c->i]) && c->s[c->i])
        c->i++;
}

static int jc_fail(json_check_t *c, const char *why)
{
    if (!c->err)
        c->err = why;
    return -1;
}

static int jc_lit(json_check_t *c, const char *w)
{
    size_t l = strlen(w);
    if (c->n - c->i < l || memcmp(c->s + c->i, w, l))
        return jc_fail(c, "bad literal");
    c->i += l;
    return 0;
}

static int jc_string(json_check_t *c)
{
    size_t l, k;

    c->i++;                                     /* the opening quote */
    while (c->i < c->n) {
        unsigned char ch = c->s[c->i];
        if (ch == '"') {
            c->i++;
            return 0;
        }
        if (ch < 0x20)
            return jc_fail(c, "raw control byte in a string");
        if (ch == '\\') {
            if (++c->i >= c->n)
                break;
            ch = c->s[c->i];
            if (ch == 'u') {
                for (k = 1; k <= 4; k++)
                    if (c->i + k >= c->n || !strchr("0123456789abcdefABCDEF", c->s[c->i + k]) ||
                        !c->s[c->i + k])
                        return jc_fail(c, "bad \\u escape");
                c->i += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", ch) || !ch)
                return jc_fail(c, "bad escape");
            c->i++;
            continue;
        }
        if (ch >= 0x80) {
            if ((l = spn_utf8_seq(c->s + c->i, c->n - c->i)) == 0)
                return jc_fail(c, "invalid UTF-8 in a string");
            c->i += l;
            continue;
        }
        c->i++;
    }
    return jc_fail(c, "unterminated string");
}

static int jc_number(json_check_t *c)
{
    size_t start;

    if (c->s[c->i] == '-')
        c->i++;
    start = c->i;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
        c->i++;
    if (c->i == start || (c->s[start] == '0' && c->i - start > 1))
        return jc_fail(c, "bad number");
    if (c->i < c->n && c->s[c->i] == '.') {
        start = ++c->i;
        while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
            c->i++;
        if (c->i == start)
            return jc_fail(c, "bad fraction");
    }
    return 0;
}

/* Members of an object (obj) or elements of an array, after the opener. */
static int jc_members(json_check_t *c, int depth, int obj)
{
    char close = obj ? '}' : ']';

    c->i++;
    jc_ws(c);
    if (c->i < c->n && c->s[c->i] == close) {
        c->i++;
        return 0;
    }
    for (;;) {
        if (obj) {
            jc_ws(c);
            if (c->i >= c->n || c->s[c->i] != '"')
                return jc_fail(c, "object key expected");
            if (jc_string(c) < 0)
                return -1;
            jc_ws(c);
            if (c->i >= c->n || c->s[c->i] != ':')
                return jc_fail(c, "':' expected");
            c->i++;
        }
        if (jc_value(c, depth + 1) < 0)
            return -1;
        jc_ws(c);
        if (c->i < c->n && c->s[c->i] == ',') {
            c->i++;
            continue;
        }
        if (c->i < c->n && c->s[c->i] == close) {
            c->i++;
            return 0;
        }
        return jc_fail(c, "',' or close expected");
    }
}

static int jc_value(json_check_t *c, int depth)
{
    if (depth > 64)
        return jc_fail(c, "nested too deep");
    jc_ws(c);
    if (c->i >= c->n)
        return jc_fail(c, "value expected");
    switch (c->s[c->i]) {
    case '{': return jc_members(c, depth, 1);
    case '[': return jc_members(c, depth, 0);
    case '"': return jc_string(c);
    case 't': return jc_lit(c, "true");
    case 'f': return jc_lit(c, "false");
    case 'n': return jc_lit(c, "null");
    default:
        if (c->s[c->i] == '-' || (c->s[c->i] >= '0' && c->s[c->i] <= '9'))
            return jc_number(c);
        return jc_fail(c, "unexpected byte");
    }
}

static inline const char *json_check(const char *s, size_t n)
{
    json_check_t c = { (const unsigned char *)s, n, 0, NULL };

    if (jc_value(&c, 0) < 0)
        return c.err;
    if (c.i < n && s[c.i] == '\n')
        c.i++;
    return c.i == n ? NULL : "bytes after the value";
}

#endif

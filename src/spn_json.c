/* spn_json.c: the JSON writer (see spn_json.h) */
#include "spn_json.h"

#include <stdio.h>
#include <string.h>

void spn_json_init(spn_json_t *w, spn_buf_t *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
}

int spn_json_done(const spn_json_t *w)
{
    return w->depth || w->skip || w->after_key || w->error ? -1 : 0;
}

/* The string literal of n bytes at str: the escaping rules of spn_json.h,
 * copying runs of bytes that need none. */
static void escape(spn_buf_t *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;

    spn_buf_add(b, "\"", 1);
    while (i < n) {
        char esc[8];
        const char *rep = NULL;
        size_t l = 1;
        if (s[i] == '"') rep = "\\\"";
        else if (s[i] == '\\') rep = "\\\\";
        else if (s[i] == '<') rep = "\\u003c";     /* safe inside <script> too */
        else if (s[i] < 0x20 || s[i] == 0x7F) {
            snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
            rep = esc;
        }
        else if (s[i] >= 0x80 && (l = spn_utf8_seq(s + i, n - i)) == 0) {
            rep = "\\ufffd";
            l = 1;
        }
        if (rep) {
            spn_buf_add(b, (const char *)s + run, i - run);
            spn_buf_puts(b, rep);
            run = i + l;
        }
        i += l;
    }
    spn_buf_add(b, (const char *)s + run, n - run);
    spn_buf_add(b, "\"", 1);
}

/* Before a value: the comma, or a refusal (0) when no value may go here. */
static int value_here(spn_json_t *w)
{
    int d = w->depth - 1;

    if (w->skip)
        return 0;
    if (d < 0) {
        if (w->top_done) {
            w->error = 1;
            return 0;
        }
        w->top_done = 1;
        return 1;
    }
    if (w->obj[d]) {
        if (!w->after_key) {
            w->error = 1;
            return 0;
        }
        w->after_key = 0;
        return 1;
    }
    if (w->n[d])
        spn_buf_add(w->b, ",", 1);
    w->n[d] = 1;
    return 1;
}

static void open_container(spn_json_t *w, int obj)
{
    if (w->skip) {
        w->skip++;
        return;
    }
    if (w->depth == SPN_JSON_DEPTH) {
        w->error = 1;
        spn_json_null(w);       /* the container's place, kept valid */
        w->skip = 1;
        return;
    }
    if (!value_here(w))
        return;
    spn_buf_add(w->b, obj ? "{" : "[", 1);
    w->obj[w->depth] = (unsigned char)obj;
    w->n[w->depth] = 0;
    w->depth++;
}

void spn_json_object(spn_json_t *w)
{
    open_container(w, 1);
}

void spn_json_array(spn_json_t *w)
{
    open_container(w, 0);
}

void spn_json_end(spn_json_t *w)
{
    if (w->skip) {
        w->skip--;
        return;
    }
    if (!w->depth) {
        w->error = 1;
        return;
    }
    if (w->after_key) {         /* a key without its value: give it one */
        w->error = 1;
        spn_json_null(w);
    }
    w->depth--;
    spn_buf_add(w->b, w->obj[w->depth] ? "}" : "]", 1);
}

void spn_json_key(spn_json_t *w, const char *key)
{
    int d = w->depth - 1;

    if (w->skip)
        return;
    if (d < 0 || !w->obj[d] || w->after_key || !key) {
        w->error = 1;
        return;
    }
    if (w->n[d])
        spn_buf_add(w->b, ",", 1);
    w->n[d] = 1;
    escape(w->b, key, strlen(key));
    spn_buf_add(w->b, ":", 1);
    w->after_key = 1;
}

void spn_json_raw(spn_json_t *w, const char *s, size_t n)
{
    if (value_here(w))
        spn_buf_add(w->b, s, n);
}

void spn_json_null(spn_json_t *w)
{
    spn_json_raw(w, "null", 4);
}

void spn_json_bool(spn_json_t *w, int v)
{
    if (v)
        spn_json_raw(w, "true", 4);
    else
        spn_json_raw(w, "false", 5);
}

void spn_json_int(spn_json_t *w, long long v)
{
    char s[24];
    int n = snprintf(s, sizeof(s), "%lld", v);
    spn_json_raw(w, s, (size_t)n);
}

void spn_json_uint(spn_json_t *w, unsigned long long v)
{
    char s[24];
    int n = snprintf(s, sizeof(s), "%llu", v);
    spn_json_raw(w, s, (size_t)n);
}

void spn_json_int_or_null(spn_json_t *w, long long v, int present)
{
    if (present)
        spn_json_int(w, v);
    else
        spn_json_null(w);
}

void spn_json_strn(spn_json_t *w, const char *s, size_t n)
{
    if (!s)
        spn_json_null(w);
    else if (value_here(w))
        escape(w->b, s, n);
}

void spn_json_str(spn_json_t *w, const char *s)
{
    spn_json_strn(w, s, s ? strlen(s) : 0);
}

void spn_json_str_or_null(spn_json_t *w, const char *s)
{
    spn_json_str(w, s && *s ? s : NULL);
}

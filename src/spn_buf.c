/* spn_buf.c: growing buffer and escapers */
#include "spn_buf.h"

#include <apr_strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void spn_buf_init(spn_buf_t *b, apr_pool_t *p, size_t cap)
{
    b->pool = p;
    b->cap = cap < 64 ? 64 : cap;
    b->s = apr_palloc(p, b->cap);
    b->len = 0;
    b->s[0] = '\0';
    b->sink = NULL;
    b->sink_ctx = NULL;
}

void spn_buf_stream(spn_buf_t *b, spn_buf_sink_fn *sink, void *ctx)
{
    b->sink = sink;
    b->sink_ctx = ctx;
}

void spn_buf_flush(spn_buf_t *b)
{
    if (b->sink && b->len)
        b->sink(b->sink_ctx, b->s, b->len);
    b->len = 0;
    b->s[0] = '\0';
}

static void grow(spn_buf_t *b, size_t n)
{
    char *ns;
    size_t cap = b->cap;

    if (b->len + n + 1 <= b->cap)
        return;
    if (b->sink) {
        spn_buf_flush(b);
        if (n + 1 <= b->cap)
            return;
    }
    while (cap < b->len + n + 1)
        cap *= 2;
    ns = apr_palloc(b->pool, cap);
    memcpy(ns, b->s, b->len + 1);
    b->s = ns;
    b->cap = cap;
}

void spn_buf_add(spn_buf_t *b, const char *s, size_t n)
{
    if (!n)
        return;                     /* s may be NULL (an empty slice) */
    grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void spn_buf_puts(spn_buf_t *b, const char *s)
{
    spn_buf_add(b, s, strlen(s));
}

char *spn_psprintf(apr_pool_t *p, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return apr_pstrdup(p, "");
    s = apr_palloc(p, (apr_size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void spn_buf_printf(spn_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

size_t spn_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need, i;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

void spn_buf_html(spn_buf_t *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;

    if (!s)
        return;
    while (i < n) {
        const char *rep = NULL;
        size_t l = 1;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (s[i] < 0x20 || s[i] == 0x7F)
                rep = (s[i] == '\n' || s[i] == '\t') ? NULL : "\xEF\xBF\xBD";
            else if (s[i] >= 0x80 && (l = spn_utf8_seq(s + i, n - i)) == 0) {
                rep = "\xEF\xBF\xBD";
                l = 1;
            }
        }
        if (rep) {
            spn_buf_add(b, (const char *)s + run, i - run);
            spn_buf_puts(b, rep);
            run = i + l;
        }
        i += l;
    }
    spn_buf_add(b, (const char *)s + run, n - run);
}

/* A code point a terminal acts on, or that reorders or hides what it
 * shows: C1 controls (U+0080-U+009F: CSI, OSC, ...), the Arabic letter
 * mark, bidi marks, line/paragraph separators, bidi overrides/isolates
 * and the zero-width no-break space. */
static int text_unsafe(const unsigned char *s, size_t l)
{
    if (l == 2)
        return (s[0] == 0xC2 && s[1] < 0xA0) || (s[0] == 0xD8 && s[1] == 0x9C);   /* U+061C */
    if (l == 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 1;                                           /* U+FEFF */
    if (l == 3 && s[0] == 0xE2 && s[1] == 0x80)
        return (s[2] >= 0x8E && s[2] <= 0x8F) ||            /* U+200E-U+200F */
               (s[2] >= 0xA8 && s[2] <= 0xAE);              /* U+2028-U+202E */
    if (l == 3 && s[0] == 0xE2 && s[1] == 0x81)
        return s[2] >= 0xA6 && s[2] <= 0xA9;                /* U+2066-U+2069 */
    return 0;
}

void spn_buf_text(spn_buf_t *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, from = 0;

    if (!n)
        return;                     /* s may be NULL (an empty slice) */
    while (i < n) {
        size_t l = 1;
        int bad = s[i] < 0x20 || s[i] == 0x7F;
        if (s[i] >= 0x80) {
            l = spn_utf8_seq(s + i, n - i);
            bad = !l || text_unsafe(s + i, l);
            if (!l)
                l = 1;
        }
        if (bad) {
            spn_buf_add(b, str + from, i - from);
            spn_buf_add(b, "?", 1);
            from = i + l;
        }
        i += l;
    }
    spn_buf_add(b, str + from, n - from);
}

/* spn_buf.h: a growing text buffer in an APR pool, with the escapers
 * for HTML and terminal text (JSON: spn_json.h).  Bytes that are not
 * valid UTF-8 come out as U+FFFD (HTML) or '?' (text), so no client byte
 * reaches a page or a terminal unescaped. */
#ifndef SPN_BUF_H
#define SPN_BUF_H

#include <apr_pools.h>
#include <stddef.h>

typedef void spn_buf_sink_fn(void *ctx, const char *s, size_t n);

typedef struct {
    apr_pool_t *pool;
    char *s;
    size_t len, cap;
    spn_buf_sink_fn *sink;      /* NULL: the buffer grows */
    void *sink_ctx;
} spn_buf_t;

void spn_buf_init(spn_buf_t *b, apr_pool_t *p, size_t cap);
/* From now on, text that would make b grow past its capacity first sends
 * what b holds to sink (a response's output), so a page of megabytes takes
 * its capacity only; spn_buf_flush sends the rest.  b->s then holds only
 * what was not sent yet. */
void spn_buf_stream(spn_buf_t *b, spn_buf_sink_fn *sink, void *ctx);
void spn_buf_flush(spn_buf_t *b);
void spn_buf_add(spn_buf_t *b, const char *s, size_t n);
void spn_buf_puts(spn_buf_t *b, const char *s);
/* printf into pool memory, checked by the compiler (unlike apr_psprintf). */
char *spn_psprintf(apr_pool_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void spn_buf_printf(spn_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* HTML text/attribute escaping of n bytes (s may be NULL: nothing). */
void spn_buf_html(spn_buf_t *b, const char *s, size_t n);
static inline void spn_buf_htmls(spn_buf_t *b, const char *s)
{
    if (s) spn_buf_html(b, s, __builtin_strlen(s));
}
/* For a terminal: valid UTF-8 passes; C0, DEL, C1 controls, bidi
 * controls and bytes that are not UTF-8 become '?' (one per sequence). */
void spn_buf_text(spn_buf_t *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t spn_utf8_seq(const unsigned char *s, size_t n);

#endif

/* spn_json.h: the one JSON writer.  Every JSON document the module and
 * the CLI produce (status page, diagnosis, token reports, HAR and probe
 * output) is written through it, into an spn_buf_t.
 *
 * The writer keeps a small fixed-depth stack of open containers and puts
 * the commas and colons itself; it allocates nothing beyond the buffer.
 * Strings are escaped one way: " \ as \" \\, '<' as \u003c (safe inside a
 * <script>), C0 controls and DEL as \u00XX, bytes that are not valid UTF-8
 * as \ufffd (one per byte); valid UTF-8 (U+2028 included) is copied as is.
 * So the output is valid UTF-8 and valid JSON whatever the input bytes.
 *
 * Misuse never produces invalid JSON; it sets w->error and:
 *  - a container opened deeper than SPN_JSON_DEPTH is written as null and
 *    everything up to its matching spn_json_end is dropped;
 *  - spn_json_end with nothing open is ignored;
 *  - a value in an object without a key is dropped; a key outside an
 *    object is dropped (the value that follows lands where a value may);
 *  - a second value at the top level is dropped. */
#ifndef SPN_JSON_H
#define SPN_JSON_H

#include "spn_buf.h"

#include <stddef.h>

#define SPN_JSON_DEPTH 16

typedef struct {
    spn_buf_t *b;
    int depth;                          /* open containers on the stack */
    int skip;                           /* containers dropped past the limit */
    int after_key;                      /* a key was written, its value is next */
    int top_done;                       /* the top-level value is written */
    int error;                          /* sticky: some call was misused */
    unsigned char obj[SPN_JSON_DEPTH];  /* 1 object, 0 array */
    unsigned char n[SPN_JSON_DEPTH];    /* members written so far (0, 1 = more) */
} spn_json_t;

void spn_json_init(spn_json_t *w, spn_buf_t *b);
/* 0 when every container is closed and nothing was misused, else -1. */
int spn_json_done(const spn_json_t *w);

void spn_json_object(spn_json_t *w);
void spn_json_array(spn_json_t *w);
void spn_json_end(spn_json_t *w);       /* closes the innermost container */
void spn_json_key(spn_json_t *w, const char *key);  /* key is escaped too */

/* Values (in an array, after a key, or the top-level value). */
void spn_json_null(spn_json_t *w);
void spn_json_bool(spn_json_t *w, int v);
void spn_json_int(spn_json_t *w, long long v);
void spn_json_uint(spn_json_t *w, unsigned long long v);
/* v when present, else null (a kvno of -1, an etype of 0, ...). */
void spn_json_int_or_null(spn_json_t *w, long long v, int present);
/* A string; null when s is NULL. */
void spn_json_str(spn_json_t *w, const char *s);
void spn_json_strn(spn_json_t *w, const char *s, size_t n);
/* A string; null when s is NULL or empty. */
void spn_json_str_or_null(spn_json_t *w, const char *s);
/* n bytes the caller vouches are one complete JSON value (a number, or a
 * document another writer produced). */
void spn_json_raw(spn_json_t *w, const char *s, size_t n);

/* "key": value in one call. */
static inline void spn_json_kstr(spn_json_t *w, const char *k, const char *s)
{
    spn_json_key(w, k);
    spn_json_str(w, s);
}
static inline void spn_json_kstr_or_null(spn_json_t *w, const char *k, const char *s)
{
    spn_json_key(w, k);
    spn_json_str_or_null(w, s);
}
static inline void spn_json_kint(spn_json_t *w, const char *k, long long v)
{
    spn_json_key(w, k);
    spn_json_int(w, v);
}
static inline void spn_json_kuint(spn_json_t *w, const char *k, unsigned long long v)
{
    spn_json_key(w, k);
    spn_json_uint(w, v);
}
static inline void spn_json_kint_or_null(spn_json_t *w, const char *k, long long v, int present)
{
    spn_json_key(w, k);
    spn_json_int_or_null(w, v, present);
}
static inline void spn_json_kbool(spn_json_t *w, const char *k, int v)
{
    spn_json_key(w, k);
    spn_json_bool(w, v);
}
static inline void spn_json_knull(spn_json_t *w, const char *k)
{
    spn_json_key(w, k);
    spn_json_null(w);
}

#endif

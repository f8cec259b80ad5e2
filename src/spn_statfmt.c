/* spn_statfmt.c: the formatters the status page's parts share (see
 * spn_statfmt.h). */
#include "spn_statfmt.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void spn_fmt_time(char *out, size_t n, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%SZ", &tm))
        snprintf(out, n, "-");
}

/* See spn_statfmt.h; the run-copying loop of the JSON escaper (spn_json.c). */
void spn_prom_label(spn_buf_t *b, const char *v)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t i = 0, n = v ? strlen(v) : 0, run = 0;

    if (!n)
        return;
    while (i < n) {
        const char *rep = NULL;
        size_t l = 1;
        if (s[i] == '\\') rep = "\\\\";
        else if (s[i] == '"') rep = "\\\"";
        else if (s[i] == '\n') rep = "\\n";
        else if (s[i] < 0x20 || s[i] == 0x7F) rep = "\xEF\xBF\xBD";
        else if (s[i] >= 0x80 && (l = spn_utf8_seq(s + i, n - i)) == 0) {
            rep = "\xEF\xBF\xBD";
            l = 1;
        }
        if (rep) {
            spn_buf_add(b, v + run, i - run);
            spn_buf_puts(b, rep);
            run = i + l;
        }
        i += l;
    }
    spn_buf_add(b, v + run, n - run);
}

const char *spn_scope_label(apr_pool_t *p, const spn_scope_t *sc)
{
    return apr_pstrcat(p, sc->server ? sc->server : "", sc->location ? sc->location : "", NULL);
}

int spn_scope_is(const spn_scope_t *sc, const char *label)
{
    const char *srv = sc->server ? sc->server : "";
    size_t n = strlen(srv);

    return label && strncmp(label, srv, n) == 0 &&
           strcmp(label + n, sc->location ? sc->location : "") == 0;
}

static void query_escape(spn_buf_t *b, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)(v ? v : "");
    size_t i, run = 0;

    for (i = 0; s[i]; i++) {
        unsigned char c = s[i];
        char e[3];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == ':' || c == '.' || c == '_' || c == '~' || c == '-')
            continue;
        spn_buf_add(b, (const char *)s + run, i - run);
        e[0] = '%', e[1] = hex[c >> 4], e[2] = hex[c & 15];
        spn_buf_add(b, e, 3);
        run = i + 1;
    }
    spn_buf_add(b, (const char *)s + run, i - run);
}

void spn_scope_link(spn_buf_t *b, const spn_scope_t *sc)
{
    spn_buf_puts(b, "<a href=\"?scope=");
    query_escape(b, sc->server);
    query_escape(b, sc->location);
    spn_buf_puts(b, "\">");
    spn_buf_htmls(b, sc->server);
    if (sc->location) {
        spn_buf_puts(b, " <code>");
        spn_buf_htmls(b, sc->location);
        spn_buf_puts(b, "</code>");
    }
    spn_buf_puts(b, "</a>");
}

void spn_verdict_of(spn_verdict_t *v, const spn_checks_t *ck)
{
    int j;

    memset(v, 0, sizeof(*v));
    v->n = (uint8_t)(ck->n < SPN_CHECK_MAX ? ck->n : SPN_CHECK_MAX);
    v->worst = (uint8_t)ck->worst;
    for (j = 0; j < v->n; j++) {
        v->id[j] = ck->c[j].id;         /* the check table's literals */
        v->state[j] = (uint8_t)ck->c[j].state;
    }
}

/* by_label's mark for a key several scopes share */
static char shared_mark;

const struct apr_hash_t *spn_status_label_index(apr_pool_t *p, const spn_scope_t *sc, int n)
{
    apr_hash_t *h = apr_hash_make(p);
    int i;

    for (i = 0; i < n; i++) {
        const char *srv = sc[i].server ? sc[i].server : "";
        const char *loc = sc[i].location ? sc[i].location : "";
        size_t ls = strlen(srv), ll = strlen(loc), k = ls + ll;
        char *key;
        void *old;
        if (k > SPN_LABEL_FIELD - 1)
            k = SPN_LABEL_FIELD - 1;
        key = apr_palloc(p, k + 1);
        memcpy(key, srv, ls < k ? ls : k);
        if (k > ls)
            memcpy(key + ls, loc, k - ls);
        key[k] = '\0';
        old = apr_hash_get(h, key, (apr_ssize_t)k);
        apr_hash_set(h, key, (apr_ssize_t)k, old ? (void *)&shared_mark
                                               : (void *)(apr_uintptr_t)(i + 1));
    }
    return h;
}

int spn_status_label_lookup(const struct apr_hash_t *h, const char *field, size_t cap)
{
    size_t k = strnlen(field, cap - 1 < SPN_LABEL_FIELD - 1 ? cap - 1 : SPN_LABEL_FIELD - 1);
    void *v = apr_hash_get((apr_hash_t *)(uintptr_t)h, field, (apr_ssize_t)k);

    if (!v || v == (void *)&shared_mark)
        return -1;
    return (int)(apr_uintptr_t)v - 1;
}

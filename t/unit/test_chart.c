/* test_chart.c: the status page's chart and headline (src/spn_chart.c)
 * over a synthetic history: counts per bucket, stale buckets, events and
 * their dedup, well-formed SVG without script or external reference,
 * escaping, and the one-sentence summary. */
#include "tap.h"
#include "spn_chart.h"

#include <apr_general.h>
#include <stdlib.h>

#define NOW 1700002000      /* 2023-11-14 22:46:40Z: 40 s into its minute */

static spn_store_t *s;

static void add(int cause, int64_t t, int n)
{
    spn_failure_t f;
    uint32_t sup;
    while (n-- > 0) {
        memset(&f, 0, sizeof(f));
        f.cause = cause;
        f.time = t;
        f.kvno = -1;
        snprintf(f.ref, sizeof(f.ref), "R");
        spn_store_add(s, &f, &sup);
    }
}

/* Tags balance, attributes are quoted, '&' starts an entity, and the
 * markup holds no script, no foreign object and no reference out. */
static int xmlish(const char *x, char *why, size_t n)
{
    const char *stack[64];
    size_t lens[64];
    int depth = 0;
    const char *p = x;

    while (*p) {
        if (*p == '&') {
            const char *e = p + 1;
            while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '#')
                e++;
            if (*e != ';' || e == p + 1)
                return snprintf(why, n, "bare & at %.20s", p), 0;
            p = e + 1;
            continue;
        }
        if (*p == '>')
            return snprintf(why, n, "bare > at %.20s", p), 0;
        if (*p != '<') {
            p++;
            continue;
        }
        if (p[1] == '/') {
            const char *e = strchr(p, '>');
            size_t l = e ? (size_t)(e - p - 2) : 0;
            if (!e || !depth || l != lens[depth - 1] || strncmp(p + 2, stack[depth - 1], l))
                return snprintf(why, n, "unbalanced close at %.20s", p), 0;
            depth--;
            p = e + 1;
            continue;
        }
        {
            const char *name = p + 1, *q = name;
            int quoted = 0;
            while (*q && *q != ' ' && *q != '>' && *q != '/' && *q != '\n')
                q++;
            if (depth >= 64)
                return snprintf(why, n, "too deep"), 0;
            stack[depth] = name;
            lens[depth] = (size_t)(q - name);
            for (; *q && (quoted || *q != '>'); q++) {
                if (*q == '"')
                    quoted = !quoted;
                else if (quoted && *q == '<')
                    return snprintf(why, n, "< inside an attribute at %.20s", q), 0;
            }
            if (!*q)
                return snprintf(why, n, "unterminated tag at %.20s", p), 0;
            if (q[-1] != '/')
                depth++;
            p = q + 1;
        }
    }
    if (depth)
        return snprintf(why, n, "%d unclosed, first <%.*s>", depth, (int)lens[0], stack[0]), 0;
    if (strstr(x, "<script") || strstr(x, "href") || strstr(x, "foreignObject") ||
        strstr(x, "url(") || strstr(x, " on"))
        return snprintf(why, n, "script, href, url( or an on* attribute"), 0;
    return 1;
}

static int count(const char *hay, const char *needle)
{
    int k = 0;
    for (; (hay = strstr(hay, needle)) != NULL; hay++)
        k++;
    return k;
}

int main(void)
{
    apr_pool_t *p;
    uint32_t m[SPN_HIST_MINUTES][SPN_C_COUNT], h[SPN_HIST_HOURS][SPN_C_COUNT];
    spn_buf_t b;
    spn_status_t st;
    int64_t start;
    char why[128];
    int i;

    apr_initialize();
    apr_pool_create(&p, NULL);
    s = spn_store_init(malloc(spn_store_size(10)), 10, NOW - 3 * 86400);

    /* the synthetic history */
    add(SPN_C_KVNO_MISMATCH, NOW - 10, 3);          /* this minute */
    add(SPN_C_SPN_UNKNOWN, NOW - 125, 2);           /* 85 s before this minute: 2 back */
    add(SPN_C_NTLM_FALLBACK, NOW - 30, 20);         /* more than the ring holds */
    add(SPN_C_CLOCK_SKEW, NOW - 3 * 3600, 1);       /* the day chart only */
    add(SPN_C_REPLAY, NOW - 2 * 86400, 4);          /* neither: stale slots */
    add(SPN_C_CLOCK_SKEW, NOW - 3 * 3600 - 86400, 7); /* older than its slot: ignored */

    is_int(spn_chart_series(s, 60, SPN_HIST_MINUTES, NOW, m, &start), 25,
           "last hour: 3 + 2 + 20 failures, though the ring holds 10");
    is_int(start, (NOW / 60 - 59) * 60, "the hour starts 59 whole minutes before this one");
    is_int(m[59][SPN_C_KVNO_MISMATCH], 3, "this minute: 3 kvno-mismatch");
    is_int(m[59][SPN_C_NTLM_FALLBACK], 20, "this minute: 20 ntlm-fallback");
    is_int(m[57][SPN_C_SPN_UNKNOWN], 2, "two minutes back: 2 spn-unknown");
    is_int(m[56][SPN_C_SPN_UNKNOWN] + m[58][SPN_C_SPN_UNKNOWN], 0, "and not in its neighbours");
    is_int(spn_chart_series(s, 3600, SPN_HIST_HOURS, NOW, h, &start), 26,
           "last day: the hour's 25 and one clock-skew");
    is_int(h[20][SPN_C_CLOCK_SKEW], 1, "clock-skew three hours back");
    is_int(h[23][SPN_C_NTLM_FALLBACK], 20, "this hour");
    for (i = 0; i < SPN_HIST_HOURS; i++)
        if (h[i][SPN_C_REPLAY])
            break;
    is_int(i, SPN_HIST_HOURS, "two days back is in no bucket (the slot is stamped)");
    is_int(spn_chart_series(s, 60, SPN_HIST_MINUTES, NOW + 3601, m, &start), 0,
           "an hour later the minute chart is empty");

    /* events: a keytab re-read is recorded once per file version */
    ok(spn_store_event(s, SPN_EV_KEYTAB_RELOAD, 0, 0, 42, "/etc/<x>&\"y\".keytab", NOW - 600),
       "keytab reload recorded");
    ok(!spn_store_event(s, SPN_EV_KEYTAB_RELOAD, 0, 0, 42, "/etc/<x>&\"y\".keytab", NOW - 590),
       "the same file version from another child is not");
    ok(spn_store_event(s, SPN_EV_KEYTAB_RELOAD, 0, 0, 43, "/etc/<x>&\"y\".keytab", NOW - 300),
       "a newer version is");
    ok(spn_store_event(s, SPN_EV_PROBE_FINDING, SPN_C_KVNO_MISMATCH, 2, 0, "HTTP/<web01>",
                       NOW - 200), "probe finding recorded");
    for (i = 0; i < 40; i++)
        spn_store_event(s, SPN_EV_PROBE_OK, 0, 0, 0, "", NOW - 86400 * 5);
    is_int(spn_store_event_recent(s, 0)->kind, SPN_EV_PROBE_OK, "the event ring wraps");
    ok(spn_store_event_recent(s, SPN_EVENT_SLOTS) == NULL, "and holds SPN_EVENT_SLOTS");
    s->next_event = 0;
    spn_store_event(s, SPN_EV_KEYTAB_RELOAD, 0, 0, 43, "/etc/<x>&\"y\".keytab", NOW - 300);
    spn_store_event(s, SPN_EV_PROBE_FINDING, SPN_C_KVNO_MISMATCH, 2, 0, "HTTP/<web01>", NOW - 200);

    /* the SVG */
    spn_buf_init(&b, p, 1024);
    spn_chart_svg(&b, s, 60, SPN_HIST_MINUTES, NOW, "Last <hour> & \"more\"");
    ok(strncmp(b.s, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 52) == 0 &&
       strstr(b.s, "width=\"100%\"") && b.len > 6 && !strcmp(b.s + b.len - 6, "</svg>"),
       "one <svg> with a viewBox and width 100%%");
    ok(xmlish(b.s, why, sizeof(why)), "minute chart is well-formed, no script/href (%s)",
       xmlish(b.s, why, sizeof(why)) ? "ok" : why);
    ok(strstr(b.s, "Last &lt;hour&gt; &amp; &quot;more&quot;") && !strstr(b.s, "<hour>"),
       "the label is escaped");
    is_int(count(b.s, "kvno-mismatch: 3</title></rect>"), 1, "one bar segment of 3 kvno-mismatch");
    is_int(count(b.s, "ntlm-fallback: 20</title></rect>"), 1, "one of 20 ntlm-fallback");
    is_int(count(b.s, "spn-unknown: 2</title></rect>"), 1, "one of 2 spn-unknown");
    is_int(count(b.s, "<rect "), 3, "three segments in all");
    ok(strstr(b.s, ">25</text>") == NULL && strstr(b.s, ">23</text>"),
       "the scale's top is the busiest minute (23)");
    is_int(count(b.s, "<g class=\"event\">"), 2, "two markers in the hour");
    ok(strstr(b.s, "/etc/&lt;x&gt;&amp;&quot;y&quot;.keytab") && !strstr(b.s, "<x>"),
       "keytab path escaped in its marker");
    ok(strstr(b.s, "HTTP/&lt;web01&gt;") && strstr(b.s, "kvno-mismatch, 2 findings"),
       "probe finding marked, SPN escaped");

    spn_buf_init(&b, p, 1024);
    spn_chart_html(&b, s, NOW);
    ok(xmlish(b.s, why, sizeof(why)), "both charts and the legend are well-formed (%s)",
       xmlish(b.s, why, sizeof(why)) ? "ok" : why);
    is_int(count(b.s, "<svg xmlns"), 2, "two charts");
    ok(strstr(b.s, "<code>clock-skew</code>&nbsp;1") && strstr(b.s, "<code>ntlm-fallback</code>&nbsp;20")
       && !strstr(b.s, "<code>replay</code>"), "legend: the day's causes with counts, no stale one");
    ok(strstr(b.s, "keytab re-read") && strstr(b.s, "live probe"), "legend explains the markers");

    /* an empty store: "no failures", nothing to mark */
    spn_buf_init(&b, p, 1024);
    spn_chart_svg(&b, NULL, 3600, SPN_HIST_HOURS, NOW, "day");
    ok(strstr(b.s, "no failures") && !strstr(b.s, "<rect") && xmlish(b.s, why, sizeof(why)),
       "no store: an empty, well-formed chart");

    /* the headline */
    memset(&st, 0, sizeof(st));
    st.store = s;
    st.now = NOW;
    spn_buf_init(&b, p, 256);
    spn_status_headline(&b, p, &st);
    ok(strstr(b.s, "25 failed exchanges in the last hour") &&
       strstr(b.s, "busiest cause is <code>ntlm-fallback</code>") && strstr(b.s, "): 20."),
       "headline: the busiest cause of the last hour");
    s->n_probes = 1;
    spn_store_probes(s)[0].ok = 0;
    spn_store_probes(s)[0].cause = SPN_C_KVNO_MISMATCH;
    snprintf(spn_store_probes(s)[0].spn, sizeof(spn_store_probes(s)[0].spn), "HTTP/<b>web01");
    snprintf(spn_store_probes(s)[0].message, sizeof(spn_store_probes(s)[0].message), "kvno 3 & 4");
    spn_buf_init(&b, p, 256);
    spn_status_headline(&b, p, &st);
    ok(strstr(b.s, "live probe finds <code>kvno-mismatch</code> for HTTP/&lt;b&gt;web01: kvno 3 &amp; 4"),
       "headline: a probe finding comes before the failures (escaped)");
    st.now = NOW + 2 * 86400;
    s->n_probes = 0;
    spn_buf_init(&b, p, 256);
    spn_status_headline(&b, p, &st);
    ok(strstr(b.s, "headline pass\">All clear"), "headline: all clear two days later");
    diag("%s", b.s);
    return tap_done();
}

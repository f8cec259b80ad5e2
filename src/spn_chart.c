/* spn_chart.c: failures over time by cause as inline SVG, and the status
 * page's one-sentence summary (see spn_chart.h).  Pure text: no script,
 * no link, no external reference; every label that is not a constant is
 * HTML-escaped (cause codes and titles come from the table, keytab paths
 * and SPNs from the configuration and the probe). */
#include "spn_chart.h"
#include "spn_dirstatus.h"
#include "spn_mechcount.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

const char spn_chart_style[] =
    ".headline{font-size:1.05rem;padding:.5rem .7rem;border-left:4px solid #1d6b2a;"
    "background:#f3f8f2}.headline.warn{border-color:#8a5a00;background:#fbf6ea}"
    ".headline.fail{border-color:#8a1c1c;background:#fbf0ef;font-weight:400}"
    ".charts{display:flex;flex-wrap:wrap;gap:1rem}.charts figure{flex:1 1 18rem;margin:0;"
    "min-width:0}.charts svg{width:100%;height:auto;display:block}"
    ".charts figcaption{font-size:.9rem;color:#444}.legend{list-style:none;padding:0;"
    "margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem}"
    ".legend svg{width:.8rem;height:.8rem;vertical-align:-.05rem;margin-right:.25rem}"
    ".funnel{margin:0}.funnel svg{width:100%;max-width:40rem;height:auto;display:block}"
    ".zero{color:#555;font-size:.9rem}";

/* One colour per cause number (SPN_C_COUNT of them; a new cause without
 * one gets grey). */
static const char *const palette[] = {
    "#4e79a7", "#e15759", "#f28e2b", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#8cd17d", "#499894", "#b6992d",
    "#a0cbe8", "#ffbe7d", "#79706e",
};

static const char *colour(int c)
{
    return c >= 0 && c < (int)(sizeof(palette) / sizeof(palette[0])) ? palette[c] : "#999";
}

uint64_t spn_chart_series(const spn_store_t *s, int width, int n, int64_t now,
                          uint32_t (*counts)[SPN_C_COUNT], int64_t *start)
{
    int64_t first = (now / width - (n - 1)) * width;
    uint64_t sum = 0;
    int i;

    *start = first;
    for (i = 0; i < n; i++) {
        if (s)
            sum += spn_store_bucket(s, width, first + (int64_t)i * width, counts[i]);
        else
            memset(counts[i], 0, sizeof(counts[i]));
    }
    return sum;
}

/* Geometry of one chart, in viewBox units: about one unit per CSS pixel
 * on a 375 px phone, so the 11-unit labels stay readable there. */
#define VW 360
#define VH 138
#define X0 30.0
#define X1 354.0
#define Y0 16.0
#define Y1 112.0

static void ago(char *out, size_t n, int width, int k)
{
    if (k == 0)
        snprintf(out, n, "now");
    else if (width == 60)
        snprintf(out, n, "-%d min", k);
    else
        snprintf(out, n, "-%d h", k);
}

static void markers(spn_buf_t *b, const spn_store_t *s, int64_t start, int64_t span)
{
    const spn_event_t *e;
    char ts[32];
    uint32_t i;

    for (i = 0; s && (e = spn_store_event_recent(s, i)) != NULL; i++) {
        const char *col, *letter, *what;
        double x;
        if (e->time < start || e->time >= start + span)
            continue;
        x = X0 + (double)(e->time - start) * (X1 - X0) / (double)span;
        switch (e->kind) {
        case SPN_EV_KEYTAB_RELOAD: col = "#1f4e8c"; letter = "K"; what = "keytab re-read: "; break;
        case SPN_EV_PROBE_FINDING: col = "#8a1c1c"; letter = "P"; what = "probe finding: "; break;
        case SPN_EV_PROBE_ERROR:   col = "#8a1c1c"; letter = "P"; what = "probe could not run: "; break;
        case SPN_EV_PROBE_OK:      col = "#1d6b2a"; letter = "P"; what = "probe: all SPNs check out"; break;
        default: continue;
        }
        spn_fmt_time(ts, sizeof(ts), e->time);
        spn_buf_printf(b, "<g class=\"event\"><title>%s ", ts);
        spn_buf_htmls(b, what);
        if (e->kind == SPN_EV_PROBE_FINDING)
            spn_buf_printf(b, "%s, %u finding%s, ", spn_cause_code(e->cause), e->count,
                           e->count == 1 ? "" : "s");
        if (e->kind != SPN_EV_PROBE_OK)
            spn_buf_htmls(b, e->what);
        spn_buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"%s\" stroke-width=\"1.2\" stroke-dasharray=\"3 2\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"10\" "
                          "text-anchor=\"middle\" font-weight=\"bold\">%s</text></g>\n",
                       x, Y0, x, Y1, col, x, Y0 - 4, col, letter);
    }
}

void spn_chart_svg(spn_buf_t *b, const spn_store_t *s, int width, int n, int64_t now,
                   const char *label)
{
    uint32_t counts[SPN_HIST_MINUTES > SPN_HIST_HOURS ? SPN_HIST_MINUTES : SPN_HIST_HOURS]
                   [SPN_C_COUNT];
    uint64_t max = 0, tot;
    int64_t start;
    double bw, x, y, h;
    char t0[32], t1[32];
    int i, c, k;

    if (n > (int)(sizeof(counts) / sizeof(counts[0])))
        n = (int)(sizeof(counts) / sizeof(counts[0]));
    tot = spn_chart_series(s, width, n, now, counts, &start);
    for (i = 0; i < n; i++) {
        uint64_t t = 0;
        for (c = 0; c < SPN_C_COUNT; c++)
            t += counts[i][c];
        if (t > max)
            max = t;
    }
    spn_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                      "width=\"100%%\" role=\"img\" aria-label=\"", VW, VH);
    spn_buf_htmls(b, label);
    spn_buf_printf(b, ": %llu failures\" font-family=\"system-ui,sans-serif\">\n<title>",
                   (unsigned long long)tot);
    spn_buf_htmls(b, label);
    spn_buf_printf(b, ": %llu failures</title>\n", (unsigned long long)tot);
    /* axes, the scale and the time labels */
    spn_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n"
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
                      "fill=\"#444\">%llu</text>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                      "text-anchor=\"end\" fill=\"#444\">0</text>\n",
                   X0, Y1, X1, Y1, X0, Y0, X1, Y0, X0 - 4, Y0 + 4,
                   (unsigned long long)(max ? max : 1), X0 - 4, Y1);
    for (k = 0; k <= 2; k++) {
        char l[16];
        int back = n - k * (n / 2);        /* n, n/2, 0 buckets ago */
        ago(l, sizeof(l), width, k == 2 ? 0 : back);
        spn_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\" "
                          "fill=\"#444\">%s</text>\n",
                       X0 + (X1 - X0) * k / 2.0, Y1 + 14,
                       k == 0 ? "start" : k == 1 ? "middle" : "end", l);
    }
    /* the bars: stacked by cause, in cause order */
    bw = (X1 - X0) / n;
    for (i = 0; i < n && max; i++) {
        y = Y1;
        for (c = 0; c < SPN_C_COUNT; c++) {
            if (!counts[i][c])
                continue;
            h = (Y1 - Y0) * (double)counts[i][c] / (double)max;
            y -= h;
            x = X0 + i * bw;
            spn_fmt_time(t0, sizeof(t0), start + (int64_t)i * width);
            /* "19:04Z" per minute, "11-24 19:00Z" per hour */
            if (strlen(t0) >= 16)
                snprintf(t1, sizeof(t1), "%.*sZ", width == 60 ? 5 : 11, t0 + (width == 60 ? 11 : 5));
            else
                snprintf(t1, sizeof(t1), "%s", t0);     /* "-": no time */
            spn_buf_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                              "fill=\"%s\"><title>%s %s: %u</title></rect>\n",
                           x + (bw > 3 ? 0.5 : 0), y, bw > 3 ? bw - 1 : bw, h, colour(c), t1,
                           spn_causes[c].code, counts[i][c]);
        }
    }
    markers(b, s, start, (int64_t)n * width);
    if (!max)
        spn_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
                          "fill=\"#1d6b2a\">no failures</text>\n", (X0 + X1) / 2, (Y0 + Y1) / 2);
    spn_buf_puts(b, "</svg>");
}

void spn_chart_html(spn_buf_t *b, const spn_store_t *s, int64_t now)
{
    uint32_t day[SPN_HIST_HOURS][SPN_C_COUNT];
    uint64_t seen[SPN_C_COUNT];
    const spn_event_t *e;
    int64_t start;
    int i, c, kt = 0, pr = 0;
    uint32_t j;

    spn_buf_puts(b, "<div class=\"charts\">\n<figure>");
    spn_chart_svg(b, s, 60, SPN_HIST_MINUTES, now, "Failures in the last hour, per minute");
    spn_buf_puts(b, "<figcaption>Last hour, per minute</figcaption></figure>\n<figure>");
    spn_chart_svg(b, s, 3600, SPN_HIST_HOURS, now, "Failures in the last day, per hour");
    spn_buf_puts(b, "<figcaption>Last day, per hour (UTC)</figcaption></figure>\n</div>\n");
    /* the legend: the causes the day chart shows, and the markers */
    spn_chart_series(s, 3600, SPN_HIST_HOURS, now, day, &start);
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < SPN_HIST_HOURS; i++)
        for (c = 0; c < SPN_C_COUNT; c++)
            seen[c] += day[i][c];
    for (j = 0; s && (e = spn_store_event_recent(s, j)) != NULL; j++)
        if (e->time >= start && e->time <= now) {
            kt |= e->kind == SPN_EV_KEYTAB_RELOAD;
            pr |= e->kind != SPN_EV_KEYTAB_RELOAD;
        }
    spn_buf_puts(b, "<ul class=\"legend\">");
    for (c = 0; c < SPN_C_COUNT; c++) {
        if (!seen[c])
            continue;
        spn_buf_printf(b, "<li><svg viewBox=\"0 0 10 10\" aria-hidden=\"true\"><rect width=\"10\" "
                          "height=\"10\" fill=\"%s\"/></svg><code>", colour(c));
        spn_buf_htmls(b, spn_causes[c].code);
        spn_buf_printf(b, "</code>&nbsp;%llu</li>", (unsigned long long)seen[c]);
    }
    if (kt)
        spn_buf_puts(b, "<li><b style=\"color:#1f4e8c\">K</b> keytab re-read (file changed)</li>");
    if (pr)
        spn_buf_puts(b, "<li><b>P</b> live probe: finding (red) or all clear again (green)</li>");
    spn_buf_puts(b, "</ul>\n");
}

/* ---- the sentence at the top ---------------------------------------------------- */

/* The causes a failing self-check explains: a failure of one of them is
 * what the check predicts (issue 20: the headline names the failing check
 * that explains the most failures, not the first in the list). */
static const struct {
    const char *id;
    int causes[5];              /* -1 ends */
} explains[] = {
    {"keytab-readable", {SPN_C_NO_SERVICE_KEY, SPN_C_KEYTAB_STALE, -1}},
    {"spn-in-keytab", {SPN_C_NO_SERVICE_KEY, -1}},
    {"both-forms", {SPN_C_SPN_UNKNOWN, SPN_C_SPN_NOT_REGISTERED, -1}},
    {"names-covered", {SPN_C_SPN_UNKNOWN, SPN_C_SPN_NOT_REGISTERED, -1}},
    {"strong-enctypes", {SPN_C_ENCTYPE_MISMATCH, -1}},
    {"kvno-consistent", {SPN_C_KVNO_MISMATCH, -1}},
    {"spn-holder", {SPN_C_SPN_WRONG_ACCOUNT, SPN_C_SPN_NOT_REGISTERED, SPN_C_SPN_DUPLICATE, -1}},
    {"kvno-matches-directory", {SPN_C_KVNO_MISMATCH, SPN_C_KEYTAB_STALE, -1}},
    {"enctypes-match", {SPN_C_ENCTYPE_MISMATCH, -1}},
    {"kerberos-share", {SPN_C_NTLM_FALLBACK, -1}},
};

void spn_scope_checks(apr_pool_t *p, const spn_scope_t *sc, const spn_store_t *s,
                      spn_checks_t *ck)
{
    spn_selfcheck(p, &sc->svc, sc->names, sc->n_names, ck);
    spn_selfcheck_share(p, sc->mech_counts, sc->ntlm_share_max, ck);
    spn_selfcheck_rc4(p, sc->funnel ? sc->funnel->etypes : NULL, ck);
    spn_selfcheck_dir(p, &sc->svc, s, ck);
    spn_selfcheck_ntlmssp(p, sc->ntlmssp, sc->ntlmssp_so, sc->ntlmssp_where, ck);
}

/* Failures a check explains: of its scope's own (the funnel), else of all. */
uint64_t spn_check_impact(const char *id, const spn_scope_t *sc, const spn_store_t *s)
{
    uint64_t n = 0;
    size_t i;
    int k;

    for (i = 0; id && i < sizeof(explains) / sizeof(explains[0]); i++) {
        if (strcmp(explains[i].id, id) != 0)
            continue;
        for (k = 0; k < 5 && explains[i].causes[k] >= 0; k++)
            n += sc && sc->funnel ? sc->funnel->failures[explains[i].causes[k]]
                 : s ? s->counters[explains[i].causes[k]] : 0;
    }
    return n;
}

void spn_status_full(const spn_status_t *st, int i, apr_pool_t *p, spn_checks_t *out)
{
    if (st->checks)
        *out = st->checks[i];
    else if (st->full)
        st->full(st, i, p, out);
    else
        spn_scope_checks(p, &st->scopes[i], st->store, out);
}

void spn_status_headline(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    const spn_scope_t *fsc = NULL;
    const spn_check_t *fck = NULL;
    const spn_probe_slot_t *fpr = NULL;
    uint32_t hour[SPN_HIST_MINUTES][SPN_C_COUNT];
    uint64_t by[SPN_C_COUNT], sum;
    int64_t start;
    uint64_t fimpact = 0;
    int i, j, c, nfail = 0, nwarn = 0, nprobe = 0, best = -1, fi = -1, fj = -1;

    /* every scope's checks, as the page lists them (their verdicts: ids
     * and states); the failing one that explains the most failures leads
     * (the first among equals), its finding from its checks in full */
    for (i = 0; i < st->n_scopes; i++) {
        const spn_scope_t *sc = &st->scopes[i];
        spn_verdict_t own;
        const spn_verdict_t *v = st->verdicts ? &st->verdicts[i] : &own;
        if (!st->verdicts) {
            spn_checks_t ck;
            spn_status_full(st, i, p, &ck);
            spn_verdict_of(&own, &ck);
        }
        for (j = 0; j < v->n; j++) {
            if (v->state[j] == SPN_CHECK_FAIL) {
                uint64_t impact = spn_check_impact(v->id[j], sc, s);
                if (nfail++ == 0 || impact > fimpact) {
                    fi = i, fj = j;
                    fsc = sc;
                    fimpact = impact;
                }
            }
            nwarn += v->state[j] == SPN_CHECK_WARN;
        }
    }
    if (fi >= 0) {
        spn_checks_t *ck = apr_palloc(p, sizeof(*ck));
        const char *id = st->verdicts ? st->verdicts[fi].id[fj] : NULL;
        spn_status_full(st, fi, p, ck);
        /* the same check of the same scope (by its id: its index, unless
         * the scope's inputs changed since its verdict) */
        if (id && (fj >= ck->n || strcmp(ck->c[fj].id, id) != 0))
            for (j = 0; j < ck->n; j++)
                if (strcmp(ck->c[j].id, id) == 0) {
                    fj = j;
                    break;
                }
        if (fj < ck->n)
            fck = &ck->c[fj];
        else {
            spn_check_t *gone = apr_pcalloc(p, sizeof(*gone));
            gone->id = id;
            fck = gone;
        }
    }
    for (j = 0; s && j < (int)s->n_probes && j < (int)s->n_probe_slots; j++)
        if (!spn_store_probes(s)[j].ok && nprobe++ == 0)
            fpr = &spn_store_probes(s)[j];
    sum = spn_chart_series(s, 60, SPN_HIST_MINUTES, st->now, hour, &start);
    memset(by, 0, sizeof(by));
    for (i = 0; i < SPN_HIST_MINUTES; i++)
        for (c = 0; c < SPN_C_COUNT; c++)
            by[c] += hour[i][c];
    for (c = 0; c < SPN_C_COUNT; c++)
        if (by[c] && (best < 0 || by[c] > by[best]))
            best = c;

    if (fck) {
        spn_buf_puts(b, "<p class=\"headline fail\">Self-check <code>");
        spn_buf_htmls(b, fck->id);
        spn_buf_puts(b, "</code> fails for ");
        spn_buf_htmls(b, fsc->server);
        if (fsc->location) {
            spn_buf_puts(b, " <code>");
            spn_buf_htmls(b, fsc->location);
            spn_buf_puts(b, "</code>");
        }
        spn_buf_puts(b, ": ");
        spn_buf_htmls(b, fck->message ? fck->message : "");
        if (fimpact)
            spn_buf_printf(b, "; it explains %llu failed sign-in%s", (unsigned long long)fimpact,
                           fimpact == 1 ? "" : "s");
        if (nfail > 1)
            spn_buf_printf(b, " (and %d more failing self-check%s below)", nfail - 1,
                           nfail == 2 ? "" : "s");
        spn_buf_puts(b, "</p>\n");
    }
    else if (s && s->probe_error[0]) {
        spn_buf_puts(b, "<p class=\"headline fail\">The live probe cannot authenticate: ");
        spn_buf_htmls(b, s->probe_error);
        spn_buf_puts(b, "</p>\n");
    }
    else if (fpr) {
        spn_buf_printf(b, "<p class=\"headline fail\">The live probe finds <code>%s</code> for ",
                       spn_cause_code(fpr->cause));
        spn_buf_htmls(b, fpr->spn);
        spn_buf_puts(b, ": ");
        spn_buf_htmls(b, fpr->message);
        if (nprobe > 1)
            spn_buf_printf(b, " (and %d more finding%s below)", nprobe - 1, nprobe == 2 ? "" : "s");
        spn_buf_puts(b, "</p>\n");
    }
    else if (best >= 0) {
        spn_buf_printf(b, "<p class=\"headline warn\">%llu failed exchange%s in the last hour; "
                          "the busiest cause is <code>%s</code> (",
                       (unsigned long long)sum, sum == 1 ? "" : "s", spn_causes[best].code);
        spn_buf_htmls(b, spn_causes[best].title);
        spn_buf_printf(b, "): %llu.</p>\n", (unsigned long long)by[best]);
    }
    else {
        spn_buf_puts(b, "<p class=\"headline pass\">All clear: no self-check fails");
        if (s && s->probe_runs)
            spn_buf_puts(b, ", the live probe finds nothing");
        spn_buf_puts(b, " and no exchange failed in the last hour");
        if (nwarn)
            spn_buf_printf(b, " (%d warning%s below)", nwarn, nwarn == 1 ? "" : "s");
        spn_buf_puts(b, ".</p>\n");
    }
}

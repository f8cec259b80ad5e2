/* spn_funnel.c: the sign-in funnel (spn_funnel.h).  Counters only: every
 * label is a constant of ours or a scope name from the configuration,
 * escaped for its medium (HTML, JSON, Prometheus). */
#include "spn_funnel.h"
#include "spn_mechcount.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

void spn_funnel_sum(const spn_status_t *st, int scope, spn_funnel_t *f)
{
    int i, k;

    memset(f, 0, sizeof(*f));
    for (i = 0; i < st->n_scopes; i++) {
        const spn_mech_slot_t *m = st->scopes[i].funnel;
        if (!m || (scope >= 0 && i != scope))
            continue;
        f->first_legs += m->first_legs;
        f->gave_up += m->gave_up;
        for (k = 0; k < SPN_MC_N; k++) {
            f->tokens[k] += m->tokens[k];
            f->success[k] += m->n[k];
        }
        for (k = 0; k < SPN_C_COUNT; k++) {
            f->by_cause[k] += m->failures[k];
            f->failures += m->failures[k];
        }
        for (k = 0; k < SPN_ET_N; k++)
            f->etypes[k] += m->etypes[k];
        f->ntlmv1 += m->ntlmv1;
    }
    if (scope < 0 && st->store) {
        /* in total, every failure (the store's counters): also those of a
         * section that is not a scope of its own */
        f->failures = 0;
        for (k = 0; k < SPN_C_COUNT; k++)
            f->failures += (f->by_cause[k] = st->store->counters[k]);
    }
}

double spn_funnel_rc4_share(const spn_funnel_t *f)
{
    uint64_t all = 0;
    int k;
    for (k = 0; k < SPN_ET_N; k++)
        all += f->etypes[k];
    return all ? 100.0 * (double)f->etypes[SPN_ET_RC4] / (double)all : -1;
}

static void json_funnel(spn_json_t *w, const spn_funnel_t *f)
{
    double rc4 = spn_funnel_rc4_share(f);
    int k;

    spn_json_kuint(w, "first_legs", f->first_legs);
    spn_json_kuint(w, "gave_up", f->gave_up);
    spn_json_key(w, "tokens");
    spn_json_object(w);
    for (k = 0; k < SPN_MC_N; k++)
        spn_json_kuint(w, spn_mc_name(k), f->tokens[k]);
    spn_json_end(w);
    spn_json_kuint(w, "failures", f->failures);
    spn_json_key(w, "failures_by_cause");
    spn_json_object(w);
    for (k = 0; k < SPN_C_COUNT; k++)
        if (f->by_cause[k])
            spn_json_kuint(w, spn_causes[k].code, f->by_cause[k]);
    spn_json_end(w);
    spn_json_key(w, "successes");
    spn_json_object(w);
    for (k = 0; k < SPN_MC_N; k++)
        spn_json_kuint(w, spn_mc_name(k), f->success[k]);
    spn_json_end(w);
    spn_json_key(w, "ticket_enctypes");
    spn_json_object(w);
    for (k = 0; k < SPN_ET_N; k++)
        spn_json_kuint(w, spn_et_name(k), f->etypes[k]);
    spn_json_end(w);
    spn_json_key(w, "rc4_share");
    if (rc4 >= 0) {
        char num[16];
        int l = snprintf(num, sizeof(num), "%.4f", rc4 / 100.0);
        spn_json_raw(w, num, (size_t)l);
    }
    else
        spn_json_null(w);
    spn_json_kuint(w, "ntlmv1", f->ntlmv1);
}

void spn_funnel_json(spn_json_t *w, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    spn_funnel_t f;
    uint64_t all = 0;
    int c, o, i;

    for (c = 0; s && c < SPN_CL_N; c++)
        for (o = 0; o < SPN_OS_N; o++)
            all += s->gave_up[c][o];
    spn_json_key(w, "gave_up");
    spn_json_object(w);
    spn_json_kuint(w, "total", all);
    for (c = 0; c < SPN_CL_N; c++) {
        spn_json_key(w, spn_client_name(c));
        spn_json_object(w);
        for (o = 0; o < SPN_OS_N; o++)
            spn_json_kuint(w, spn_os_name(o), s ? s->gave_up[c][o] : 0);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_key(w, "funnel");
    spn_json_object(w);
    spn_json_key(w, "total");
    spn_json_object(w);
    spn_funnel_sum(st, -1, &f);
    json_funnel(w, &f);
    spn_json_end(w);
    spn_json_key(w, "scopes");
    spn_json_array(w);
    for (i = 0; i < st->n_scopes; i++) {
        const spn_scope_t *sc = &st->scopes[i];
        spn_json_object(w);
        spn_json_kstr(w, "server", sc->server);
        spn_json_kstr_or_null(w, "location", sc->location);
        spn_funnel_sum(st, i, &f);
        json_funnel(w, &f);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_end(w);
}

static void prom_scope(spn_buf_t *b, const char *metric, const spn_scope_t *sc)
{
    spn_buf_printf(b, "%s{scope=\"", metric);
    spn_prom_label(b, sc->server);
    spn_prom_label(b, sc->location ? sc->location : "");
    spn_buf_puts(b, "\"");
}

void spn_funnel_prometheus(spn_buf_t *b, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    int c, o, i, k;

    spn_buf_puts(b, "# HELP spncheck_gave_up_total Connections that got a tokenless 401 in an "
                    "SPNCheck On scope and closed without sending a Negotiate/NTLM token, by "
                    "client family and OS.\n# TYPE spncheck_gave_up_total counter\n");
    for (c = 0; c < SPN_CL_N; c++)
        for (o = 0; o < SPN_OS_N; o++)
            spn_buf_printf(b, "spncheck_gave_up_total{client=\"%s\",os=\"%s\"} %llu\n",
                           spn_client_name(c), spn_os_name(o),
                           (unsigned long long)(s ? s->gave_up[c][o] : 0));
    spn_buf_puts(b, "# HELP spncheck_first_legs_total Tokenless 401s (first legs), by scope.\n"
                    "# TYPE spncheck_first_legs_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        if (st->scopes[i].funnel) {
            prom_scope(b, "spncheck_first_legs_total", &st->scopes[i]);
            spn_buf_printf(b, "} %llu\n", (unsigned long long)st->scopes[i].funnel->first_legs);
        }
    spn_buf_puts(b, "# HELP spncheck_scope_gave_up_total Connections that gave up after a first "
                    "leg in the scope.\n# TYPE spncheck_scope_gave_up_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        if (st->scopes[i].funnel) {
            prom_scope(b, "spncheck_scope_gave_up_total", &st->scopes[i]);
            spn_buf_printf(b, "} %llu\n", (unsigned long long)st->scopes[i].funnel->gave_up);
        }
    spn_buf_puts(b, "# HELP spncheck_tokens_total Requests that carried a Negotiate/NTLM token, "
                    "by scope and mechanism.\n# TYPE spncheck_tokens_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        for (k = 0; st->scopes[i].funnel && k < SPN_MC_N; k++) {
            prom_scope(b, "spncheck_tokens_total", &st->scopes[i]);
            spn_buf_printf(b, ",mech=\"%s\"} %llu\n", spn_mc_name(k),
                           (unsigned long long)st->scopes[i].funnel->tokens[k]);
        }
    spn_buf_puts(b, "# HELP spncheck_scope_failures_total Failed exchanges by scope and cause "
                    "(causes seen).\n# TYPE spncheck_scope_failures_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        for (k = 0; st->scopes[i].funnel && k < SPN_C_COUNT; k++)
            if (st->scopes[i].funnel->failures[k]) {
                prom_scope(b, "spncheck_scope_failures_total", &st->scopes[i]);
                spn_buf_printf(b, ",cause=\"%s\"} %llu\n", spn_causes[k].code,
                               (unsigned long long)st->scopes[i].funnel->failures[k]);
            }
    spn_buf_puts(b, "# HELP spncheck_ticket_enctype_total Kerberos sign-ins by the ticket's "
                    "enctype (read from the AP-REQ).\n# TYPE spncheck_ticket_enctype_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        for (k = 0; st->scopes[i].funnel && k < SPN_ET_N; k++) {
            prom_scope(b, "spncheck_ticket_enctype_total", &st->scopes[i]);
            spn_buf_printf(b, ",enctype=\"%s\"} %llu\n", spn_et_name(k),
                           (unsigned long long)st->scopes[i].funnel->etypes[k]);
        }
    spn_buf_puts(b, "# HELP spncheck_ntlmv1_total NTLM sign-ins with an NTLMv1 response "
                    "(24-byte NtChallengeResponse).\n# TYPE spncheck_ntlmv1_total counter\n");
    for (i = 0; i < st->n_scopes; i++)
        if (st->scopes[i].funnel) {
            prom_scope(b, "spncheck_ntlmv1_total", &st->scopes[i]);
            spn_buf_printf(b, "} %llu\n", (unsigned long long)st->scopes[i].funnel->ntlmv1);
        }
}

/* ---- HTML ------------------------------------------------------------------------ */

typedef struct {
    const char *label;
    uint64_t n;
    const char *colour;
} bar_t;

static void svg_bars(spn_buf_t *b, const bar_t *bars, int n)
{
    uint64_t max = 1;
    int i, w = 640, row = 26, lw = 230, h = n * row + 8;

    for (i = 0; i < n; i++)
        if (bars[i].n > max)
            max = bars[i].n;
    spn_buf_printf(b, "<figure class=\"funnel\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Sign-in funnel\">\n", w, h);
    for (i = 0; i < n; i++) {
        int y = 4 + i * row, bw = (int)((double)(w - lw - 70) * (double)bars[i].n / (double)max);
        spn_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">", lw - 6,
                       y + 17);
        spn_buf_htmls(b, bars[i].label);
        spn_buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                          "fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"13\">%llu</text>\n",
                       lw, y + 3, bw > 0 ? bw : 1, row - 8, bars[i].colour, lw + (bw > 0 ? bw : 1) + 5,
                       y + 17, (unsigned long long)bars[i].n);
    }
    spn_buf_puts(b, "</svg></figure>\n");
}

void spn_funnel_html(spn_buf_t *b, const spn_status_t *st)
{
    spn_funnel_t f;
    bar_t bars[10];
    double rc4;
    int order[SPN_C_COUNT];
    int k, n = 0, zero = 0, seen = 0;

    spn_funnel_sum(st, -1, &f);
    bars[n++] = (bar_t){"Asked to sign in (no token)", f.first_legs, "#a0a0a0"};
    bars[n++] = (bar_t){"Gave up (never sent a token)", f.gave_up, "#e15759"};
    bars[n++] = (bar_t){"Tokens: Kerberos", f.tokens[SPN_MC_KRB5], "#4e79a7"};
    bars[n++] = (bar_t){"Tokens: NTLM", f.tokens[SPN_MC_NTLM], "#f28e2b"};
    bars[n++] = (bar_t){"Tokens: other", f.tokens[SPN_MC_OTHER], "#bab0ac"};
    bars[n++] = (bar_t){"Failed", f.failures, "#8a1c1c"};
    bars[n++] = (bar_t){"Signed in: Kerberos", f.success[SPN_MC_KRB5], "#1d6b2a"};
    bars[n++] = (bar_t){"Signed in: NTLM", f.success[SPN_MC_NTLM], "#8cd17d"};
    bars[n++] = (bar_t){"Signed in: other", f.success[SPN_MC_OTHER], "#b6d7a8"};
    spn_buf_puts(b, "<h2>Sign-in funnel</h2>\n");
    svg_bars(b, bars, n);
    rc4 = spn_funnel_rc4_share(&f);
    spn_buf_puts(b, "<p class=\"enctypes\">Kerberos sign-ins by ticket enctype:");
    for (k = 0; k < SPN_ET_N; k++)
        spn_buf_printf(b, "%s %s %llu", k ? "," : "", spn_et_name(k),
                       (unsigned long long)f.etypes[k]);
    if (rc4 >= 0)
        spn_buf_printf(b, " (RC4 share <span class=\"rc4share\">%.0f%%</span>)", rc4);
    if (f.ntlmv1)
        spn_buf_printf(b, "; <span class=\"warn\">NTLMv1 responses: %llu</span> (Windows 11 "
                          "24H2 and Server 2025 removed NTLMv1)", (unsigned long long)f.ntlmv1);
    spn_buf_puts(b, ".</p>\n<h2>Causes seen</h2>\n<table class=\"causes\">\n");
    /* the busiest first (issue 21); the table's order among equals */
    for (k = 0; k < SPN_C_COUNT; k++) {
        uint64_t c = st->store ? st->store->counters[k] : 0;
        int j;
        if (!c) {
            zero++;
            continue;
        }
        for (j = seen++; j > 0 && st->store->counters[order[j - 1]] < c; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
    for (n = 0; n < seen; n++) {
        k = order[n];
        spn_buf_printf(b, "<tr><td class=\"code\"><code>%s</code></td><td>", spn_causes[k].code);
        spn_buf_htmls(b, spn_causes[k].title);
        spn_buf_printf(b, "</td><td>%llu</td></tr>\n", (unsigned long long)st->store->counters[k]);
    }
    spn_buf_puts(b, "</table>\n");
    if (zero) {
        spn_buf_printf(b, "<p class=\"zero\">%s%d cause%s with no failure: ", seen ? "" : "No failures yet. ",
                       zero, zero == 1 ? "" : "s");
        for (k = 0, n = 0; k < SPN_C_COUNT; k++)
            if (!st->store || !st->store->counters[k])
                spn_buf_printf(b, "%s<code>%s</code>", n++ ? ", " : "", spn_causes[k].code);
        spn_buf_puts(b, ".</p>\n");
    }
}

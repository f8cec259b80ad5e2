/* spn_statview.c: the status page's HTML views (see spn_statview.h).
 * Everything that came from a client, a keytab or the configuration is
 * HTML-escaped; labels in links are percent-encoded (spn_scope_link). */
#include "spn_statview.h"
#include "spn_chart.h"
#include "spn_dirstatus.h"
#include "spn_funnel.h"
#include "spn_mechcount.h"
#include "spn_names.h"
#include "spn_render.h"

#include <stdio.h>
#include <stdlib.h>     /* qsort */
#include <string.h>

/* ---- shared pieces ----------------------------------------------------------- */

/* The configuration of the scope that saw f, into svc (zeroed when the
 * scope is gone). */
/* The first n bytes of sc's label (server then location) compared with
 * field's, as strncmp does. */
static int label_ncmp(const spn_scope_t *sc, const char *field, size_t n)
{
    const char *srv = sc->server ? sc->server : "", *loc = sc->location ? sc->location : "";
    size_t ls = strlen(srv);
    int c;

    if (n <= ls)
        return strncmp(srv, field, n);
    if ((c = strncmp(srv, field, ls)) != 0)
        return c;
    return strncmp(loc, field + ls, n - ls);
}

/* The scope a fixed-size field of the store (scope[cap]) names: the one
 * whose label's first cap-1 bytes are the field's (a label that long is
 * kept cut), -1 when none or when two labels cut to the same field (then
 * it cannot say whose it is, and shows it as nobody's).  Linear. */
static int scope_of_field(const spn_status_t *st, const char *field, size_t cap)
{
    int i, found = -1;

    if (st->by_label && cap == SPN_LABEL_FIELD)
        return spn_status_label_lookup(st->by_label, field, cap);
    for (i = 0; i < st->n_scopes; i++)
        if (label_ncmp(&st->scopes[i], field, cap - 1) == 0) {
            if (found >= 0)
                return -1;
            found = i;
        }
    return found;
}

static void scope_svc(const spn_status_t *st, const spn_failure_t *f, spn_service_t *svc)
{
    int i = scope_of_field(st, f->scope, sizeof(f->scope));

    memset(svc, 0, sizeof(*svc));
    if (i >= 0)
        *svc = st->scopes[i].svc;
}

int spn_status_failure_diag(const spn_status_t *st, const spn_failure_t *f, spn_diag_t *d,
                            spn_service_t *svc)
{
    scope_svc(st, f, svc);
    spn_diag_from_failure(d, f, svc);
    return st->store && st->dir.uri &&
           spn_store_dir_refine_failure(st->store, d, f, svc->account);
}

double spn_status_krb5_share(const spn_scope_t *sc)
{
    const uint64_t *n = sc->mech_counts;
    uint64_t all = n ? n[SPN_MC_KRB5] + n[SPN_MC_NTLM] + n[SPN_MC_OTHER] : 0;
    return all ? 100.0 * (double)n[SPN_MC_KRB5] / (double)all : -1;
}

spn_checks_t *spn_status_checks(apr_pool_t *p, const spn_status_t *st)
{
    spn_checks_t *ck = apr_palloc(p, sizeof(*ck) * (size_t)(st->n_scopes > 0 ? st->n_scopes : 1));
    int i;

    for (i = 0; i < st->n_scopes; i++) {
        if (st->checks)
            ck[i] = st->checks[i];
        else
            spn_scope_checks(p, &st->scopes[i], st->store, &ck[i]);
    }
    return ck;
}

void spn_status_head(spn_buf_t *b, const char *title)
{
    spn_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                      SPN_PAGE_CSP_META "\n<title>");
    spn_buf_htmls(b, title);
    spn_buf_printf(b, "</title><style>%s%s</style></head>\n<body><main class=\"wide\">\n<h1>",
                   spn_page_style, spn_chart_style);
    spn_buf_htmls(b, title);
    spn_buf_puts(b, "</h1>\n");
}

void spn_status_tail(spn_buf_t *b)
{
    spn_buf_puts(b, "</main></body></html>\n");
}

static void td(spn_buf_t *b, const char *v)
{
    spn_buf_puts(b, "<td>");
    spn_buf_htmls(b, v && *v ? v : "-");
    spn_buf_puts(b, "</td>");
}

/* A fixed-size field of the store (scope[128]) names label: label's
 * first cap-1 bytes (a longer label is kept cut), and no other scope's
 * label gives the same (unique: label_unique). */
static int field_is(const char *field, size_t cap, const char *label, int unique)
{
    return unique && strncmp(field, label, cap - 1) == 0;
}

/* 1 when no other scope's label has label's first cap-1 bytes: not two
 * virtual hosts of one ServerName and port (IP-based), nor two labels
 * longer than the field that share them. */
static int label_unique(const spn_status_t *st, const char *label, size_t cap)
{
    return scope_of_field(st, label, cap) >= 0;
}

/* The checks that do not pass, as table rows (all of them when all). */
static void check_rows(spn_buf_t *b, const spn_checks_t *ck, int all)
{
    int i;

    spn_buf_puts(b, "<table>\n<tr><th>Check</th><th>State</th><th>Finding</th>"
                    "<th>Remedy</th></tr>\n");
    for (i = 0; i < ck->n; i++) {
        if (!all && ck->c[i].state == SPN_CHECK_PASS)
            continue;
        spn_buf_printf(b, "<tr><td>%s</td><td class=\"%s\">%s</td>", ck->c[i].id,
                       spn_check_state_name(ck->c[i].state), spn_check_state_name(ck->c[i].state));
        td(b, ck->c[i].message);
        spn_buf_puts(b, "<td><code>");
        spn_buf_htmls(b, ck->c[i].remedy ? ck->c[i].remedy : "");
        spn_buf_puts(b, "</code></td></tr>\n");
    }
    spn_buf_puts(b, "</table>\n");
}

/* ---- one scope in full --------------------------------------------------------- */

static void html_scope(spn_buf_t *b, const spn_scope_t *sc, const spn_checks_t *ck)
{
    const spn_keytab_t *kt = sc->svc.keytab;
    char ts[32];
    int i;

    spn_buf_puts(b, "<h2>");
    spn_buf_htmls(b, sc->server);
    if (sc->location) {
        spn_buf_puts(b, " <code>");
        spn_buf_htmls(b, sc->location);
        spn_buf_puts(b, "</code>");
    }
    spn_buf_printf(b, " <span class=\"%s\">%s</span></h2>\n<table>\n",
                   spn_check_state_name(ck->worst), spn_check_state_name(ck->worst));
    for (i = 0; i < sc->svc.n_spns; i++) {
        spn_buf_puts(b, "<tr><th>SPN</th>");
        td(b, sc->svc.spns[i]);
        spn_buf_puts(b, "</tr>\n");
    }
    spn_buf_puts(b, "<tr><th>Account</th>");
    td(b, sc->svc.account);
    spn_buf_puts(b, "</tr>\n<tr><th>Keytab</th>");
    td(b, sc->keytab_path);
    if (sc->mech_counts) {
        const uint64_t *n = sc->mech_counts;
        double k = spn_status_krb5_share(sc);
        spn_buf_printf(b, "</tr>\n<tr><th>Sign-ins</th><td>Kerberos %llu, NTLM %llu, other "
                          "%llu", (unsigned long long)n[SPN_MC_KRB5],
                       (unsigned long long)n[SPN_MC_NTLM], (unsigned long long)n[SPN_MC_OTHER]);
        if (k >= 0)
            spn_buf_printf(b, " (Kerberos share <span class=\"kshare\">%.0f%%</span>)", k);
        spn_buf_puts(b, "</td>");
    }
    spn_buf_puts(b, "</tr>\n</table>\n<h3>Self-checks</h3>\n");
    check_rows(b, ck, 1);
    if (kt && kt->status == 0 && kt->n) {
        spn_buf_puts(b, "<h3>Keytab</h3>\n<table>\n<tr><th>Keytab principal</th><th>kvno</th>"
                        "<th>Enctype</th><th>Timestamp</th></tr>\n");
        for (i = 0; i < kt->n && i < 256; i++) {
            spn_buf_puts(b, "<tr>");
            td(b, kt->e[i].principal);
            spn_fmt_time(ts, sizeof(ts), kt->e[i].timestamp);
            spn_buf_printf(b, "<td>%d</td><td>%s (%d)</td><td>%s</td></tr>\n", kt->e[i].kvno,
                           spn_etype_name(kt->e[i].enctype), kt->e[i].enctype, ts);
        }
        spn_buf_puts(b, "</table>\n");
    }
}

/* 1 when label names sc's virtual host: its "host:port", or its host
 * alone, in any case (as a failure's Host or the SPN00010 host= shows it).
 * label is hostile: compared only, linear in its length. */
static int names_vhost(const spn_scope_t *sc, const char *label)
{
    const char *srv = sc->server ? sc->server : "";
    size_t n = strlen(label), hn = strcspn(srv, ":");

    return n && (strcasecmp(label, srv) == 0 || (n == hn && strncasecmp(label, srv, n) == 0));
}

/* The 404 of ?scope=: the label escaped, the scopes of the virtual host it
 * names if any (the first 20), the list and the status page. */
static void html_no_scope(spn_buf_t *b, const spn_status_t *st, const char *label)
{
    int i, shown = 0, more = 0;

    spn_status_head(b, "mod_spncheck status: no such scope");
    spn_buf_puts(b, "<p class=\"fail\">No scope with <code>SPNCheck On</code> is named <code>");
    spn_buf_htmls(b, label ? label : "");
    spn_buf_puts(b, "</code> here.</p>\n");
    for (i = 0; label && i < st->n_scopes; i++) {
        if (!names_vhost(&st->scopes[i], label))
            continue;
        if (shown == 20) {
            more++;
            continue;
        }
        spn_buf_puts(b, shown++ ? ", " : "<p>That virtual host's scopes (a scope is the "
                                         "server and port, then the location): ");
        spn_scope_link(b, &st->scopes[i]);
    }
    if (more)
        spn_buf_printf(b, " and %d more", more);
    if (shown)
        spn_buf_puts(b, ".</p>\n");
    spn_buf_printf(b, "<p><a href=\"?scopes=all\">All %d scopes</a> "
                      "&middot; <a href=\"?\">the status page</a></p>\n", st->n_scopes);
    spn_status_tail(b);
}

int spn_status_html_scope(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st,
                          const char *label)
{
    const spn_scope_t *sc = NULL;
    spn_checks_t ck;
    int i;

    for (i = 0; label && i < st->n_scopes && !sc; i++)
        if (spn_scope_is(&st->scopes[i], label))
            sc = &st->scopes[i];
    if (!sc) {
        html_no_scope(b, st, label);
        return -1;
    }
    if (st->checks)
        ck = st->checks[i - 1];
    else
        spn_scope_checks(p, sc, st->store, &ck);
    spn_status_head(b, "mod_spncheck status: one scope");
    spn_buf_puts(b, "<p><a href=\"?\">The status page</a> &middot; <a href=\"?scopes=all\">all "
                    "scopes</a></p>\n");
    html_scope(b, sc, &ck);
    label = spn_scope_label(p, sc);
    if (!label_unique(st, label, sizeof(((spn_probe_slot_t *)0)->scope)))
        spn_buf_puts(b, "<p class=\"warn\">Another scope's label has the same first 127 bytes "
                        "(the same ServerName and port, or a longer label): the failures and probe "
                        "results recorded under it cannot be told apart and are not listed here; "
                        "the status page and <code>?format=json</code> list them.</p>\n");
    spn_status_html_probe(b, st->store, label,
                          label_unique(st, label, sizeof(((spn_probe_slot_t *)0)->scope)));
    spn_dirstatus_html(b, p, st->store, &st->dir, &sc->svc);
    spn_status_html_recent(b, p, st, label);
    spn_status_tail(b);
    return 0;
}

/* ---- the default page's scopes ------------------------------------------------ */

typedef struct {
    int i;
    uint64_t impact;
} ranked_t;

static int by_impact(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->impact != y->impact)
        return x->impact > y->impact ? -1 : 1;
    return x->i - y->i;                 /* configuration order among equals */
}

void spn_status_html_scopes(spn_buf_t *b, const spn_status_t *st)
{
    const spn_verdict_t *ck = st->verdicts;
    spn_checks_t *full = apr_palloc(b->pool, sizeof(*full));
    ranked_t *fail = NULL;
    int i, j, nf = 0, nw = 0, np = 0, shown;

    for (i = 0; i < st->n_scopes; i++) {
        nf += ck[i].worst == SPN_CHECK_FAIL;
        nw += ck[i].worst == SPN_CHECK_WARN;
        np += ck[i].worst == SPN_CHECK_PASS;
    }
    spn_buf_puts(b, "<h2>Scopes</h2>\n");
    if (!st->n_scopes) {
        spn_buf_puts(b, "<p>No scope has <code>SPNCheck On</code>.</p>\n");
        return;
    }
    spn_buf_printf(b, "<p class=\"scopes\">%d scope%s with <code>SPNCheck On</code>: "
                      "<a href=\"?scopes=fail\" class=\"fail\">%d failing</a>, "
                      "<a href=\"?scopes=warn\" class=\"warn\">%d warning</a>, "
                      "<a href=\"?scopes=pass\" class=\"pass\">%d passing</a> "
                      "(<a href=\"?scopes=all\">all, by page</a>).</p>\n",
                   st->n_scopes, st->n_scopes == 1 ? "" : "s", nf, nw, np);
    if (nf) {
        /* most failures explained first */
        fail = apr_palloc(b->pool, sizeof(*fail) * (size_t)nf);
        for (i = 0, j = 0; i < st->n_scopes; i++) {
            int k;
            if (ck[i].worst != SPN_CHECK_FAIL)
                continue;
            fail[j].i = i;
            fail[j].impact = 0;
            for (k = 0; k < ck[i].n; k++)
                if (ck[i].state[k] == SPN_CHECK_FAIL)
                    fail[j].impact += spn_check_impact(ck[i].id[k], &st->scopes[i], st->store);
            j++;
        }
        qsort(fail, (size_t)nf, sizeof(*fail), by_impact);
        spn_buf_puts(b, "<h3 class=\"fail\">Failing</h3>\n");
        for (j = 0; j < nf && j < SPN_STATUS_PAGE; j++) {
            int k = fail[j].i;
            spn_buf_puts(b, "<h4>");
            spn_scope_link(b, &st->scopes[k]);
            if (fail[j].impact)
                spn_buf_printf(b, " <small>explains %llu failed sign-in%s</small>",
                               (unsigned long long)fail[j].impact, fail[j].impact == 1 ? "" : "s");
            spn_buf_puts(b, "</h4>\n");
            spn_status_full(st, k, b->pool, full);    /* its findings */
            check_rows(b, full, 0);
        }
        /* past the first page, one line each (the ids of what fails) */
        if (nf > SPN_STATUS_PAGE)
            spn_buf_puts(b, "<table>\n<tr><th>Also failing</th><th>Checks</th></tr>\n");
        for (; j < nf && j < SPN_STATUS_FAIL_LINES; j++) {
            int k = fail[j].i, c, m = 0;
            spn_buf_puts(b, "<tr><td>");
            spn_scope_link(b, &st->scopes[k]);
            spn_buf_puts(b, "</td><td>");
            for (c = 0; c < ck[k].n; c++)
                if (ck[k].state[c] == SPN_CHECK_FAIL)
                    spn_buf_printf(b, "%s<code>%s</code>", m++ ? ", " : "", ck[k].id[c]);
            spn_buf_puts(b, "</td></tr>\n");
        }
        if (nf > SPN_STATUS_PAGE)
            spn_buf_puts(b, "</table>\n");
        if (nf > SPN_STATUS_FAIL_LINES)
            spn_buf_printf(b, "<p class=\"fail\">And %d more failing: <a href=\"?scopes=fail\">"
                              "the failing scopes, by page</a>.</p>\n", nf - SPN_STATUS_FAIL_LINES);
    }
    if (nw) {
        spn_buf_puts(b, "<h3 class=\"warn\">Warning</h3>\n<table>\n<tr><th>Scope</th>"
                        "<th>Warnings</th></tr>\n");
        for (i = 0, shown = 0; i < st->n_scopes && shown < SPN_STATUS_PAGE; i++) {
            int k, n = 0;
            if (ck[i].worst != SPN_CHECK_WARN)
                continue;
            shown++;
            spn_status_full(st, i, b->pool, full);    /* its findings */
            spn_buf_puts(b, "<tr><td>");
            spn_scope_link(b, &st->scopes[i]);
            spn_buf_puts(b, "</td><td>");
            for (k = 0; k < full->n; k++) {
                if (full->c[k].state != SPN_CHECK_WARN)
                    continue;
                spn_buf_printf(b, "%s<code>%s</code>: ", n++ ? "<br>" : "", full->c[k].id);
                spn_buf_htmls(b, full->c[k].message);
            }
            spn_buf_puts(b, "</td></tr>\n");
        }
        spn_buf_puts(b, "</table>\n");
        if (nw > SPN_STATUS_PAGE)
            spn_buf_printf(b, "<p class=\"warn\">And %d more warning: <a href=\"?scopes=warn\">"
                              "the warning scopes, by page</a>.</p>\n", nw - SPN_STATUS_PAGE);
    }
    if (np)
        spn_buf_printf(b, "<p class=\"pass\">%d scope%s pass%s every self-check: "
                          "<a href=\"?scopes=pass\">list them</a>.</p>\n",
                       np, np == 1 ? "" : "s", np == 1 ? "es" : "");
}

/* ---- the list, by page ---------------------------------------------------------- */

int spn_status_list_arg(const char *v)
{
    static const char *const names[] = { "all", "fail", "warn", "pass" };
    int i;

    for (i = 0; v && i < 4; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

int spn_status_page_arg(const char *v)
{
    int n = 0, i;

    if (!v || !*v)
        return 1;
    for (i = 0; v[i]; i++) {
        if (v[i] < '0' || v[i] > '9' || i >= 9)
            return 1;
        n = n * 10 + (v[i] - '0');
    }
    return n > 0 ? n : 1;
}

static const char *const list_word[] = { "all", "fail", "warn", "pass" };

/* 1 when a scope whose worst check is worst belongs on list which. */
static int on_list(int which, int worst)
{
    return which == SPN_LIST_ALL ||
           (which == SPN_LIST_FAIL && worst == SPN_CHECK_FAIL) ||
           (which == SPN_LIST_WARN && worst == SPN_CHECK_WARN) ||
           (which == SPN_LIST_PASS && worst == SPN_CHECK_PASS);
}

static void page_links(spn_buf_t *b, int which, int page, int pages, int n)
{
    spn_buf_printf(b, "<p class=\"pages\">Page %d of %d (%d scope%s). ", page, pages, n,
                   n == 1 ? "" : "s");
    if (page > 1)
        spn_buf_printf(b, "<a href=\"?scopes=%s&amp;page=%d\" rel=\"prev\">&larr; previous</a> ",
                       list_word[which], page - 1);
    if (page < pages)
        spn_buf_printf(b, "<a href=\"?scopes=%s&amp;page=%d\" rel=\"next\">next &rarr;</a>",
                       list_word[which], page + 1);
    spn_buf_puts(b, "</p>\n");
}

int spn_status_html_list(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st, int which,
                         int page)
{
    static const char *const title[] = { "all scopes", "failing scopes", "warning scopes",
                                         "passing scopes" };
    spn_checks_t *ck;
    int i, k, n = 0, pages, first, seen = 0;

    if (which < SPN_LIST_ALL || which > SPN_LIST_PASS) {
        spn_status_head(b, "mod_spncheck status: no such list");
        spn_buf_puts(b, "<p class=\"fail\">No such list of scopes. The lists: ");
        for (k = 0; k < 4; k++)
            spn_buf_printf(b, "<a href=\"?scopes=%s\">%s</a>%s", list_word[k], title[k],
                           k == 3 ? "" : " &middot; ");
        spn_buf_puts(b, " (<code>?scopes=all|fail|warn|pass</code>); "
                        "<a href=\"?\">the status page</a>.</p>\n");
        spn_status_tail(b);
        return -1;
    }
    ck = spn_status_checks(p, st);
    for (i = 0; i < st->n_scopes; i++)
        n += on_list(which, ck[i].worst);
    pages = n ? (n + SPN_STATUS_PAGE - 1) / SPN_STATUS_PAGE : 1;
    if (page > pages)
        page = pages;
    if (page < 1)
        page = 1;
    first = (page - 1) * SPN_STATUS_PAGE;
    spn_status_head(b, spn_psprintf(p, "mod_spncheck status: %s", title[which]));
    spn_buf_puts(b, "<p><a href=\"?\">The status page</a> &middot; ");
    for (k = 0; k < 4; k++)
        if (k != which)
            spn_buf_printf(b, "<a href=\"?scopes=%s\">%s</a>%s", list_word[k], title[k],
                           k == 3 || (k == 2 && which == 3) ? "" : " &middot; ");
    spn_buf_puts(b, "</p>\n");
    page_links(b, which, page, pages, n);
    spn_buf_puts(b, "<table>\n<tr><th>Scope</th><th>State</th><th>SPNs</th><th>Account</th>"
                    "<th>Keytab</th><th>Kerberos share</th><th>Not passing</th></tr>\n");
    for (i = 0; i < st->n_scopes && seen < first + SPN_STATUS_PAGE; i++) {
        const spn_scope_t *sc = &st->scopes[i];
        double share;
        int j, m = 0;
        if (!on_list(which, ck[i].worst))
            continue;
        if (seen++ < first)
            continue;
        spn_buf_puts(b, "<tr><td>");
        spn_scope_link(b, sc);
        spn_buf_printf(b, "</td><td class=\"%s\">%s</td><td>", spn_check_state_name(ck[i].worst),
                       spn_check_state_name(ck[i].worst));
        for (j = 0; j < sc->svc.n_spns; j++) {
            spn_buf_puts(b, j ? "<br>" : "");
            spn_buf_htmls(b, sc->svc.spns[j]);
        }
        spn_buf_puts(b, "</td>");
        td(b, sc->svc.account);
        td(b, sc->keytab_path);
        share = spn_status_krb5_share(sc);
        if (share >= 0)
            spn_buf_printf(b, "<td>%.0f%%</td><td>", share);
        else
            spn_buf_puts(b, "<td>-</td><td>");
        for (j = 0; j < ck[i].n; j++)
            if (ck[i].c[j].state != SPN_CHECK_PASS)
                spn_buf_printf(b, "%s<code>%s</code>&nbsp;<span class=\"%s\">%s</span>",
                               m++ ? ", " : "", ck[i].c[j].id,
                               spn_check_state_name(ck[i].c[j].state),
                               spn_check_state_name(ck[i].c[j].state));
        spn_buf_puts(b, "</td></tr>\n");
    }
    spn_buf_puts(b, "</table>\n");
    page_links(b, which, page, pages, n);
    spn_status_tail(b);
    return 0;
}

/* ---- the probe, the recent failures ------------------------------------------------ */

void spn_status_html_probe(spn_buf_t *b, const spn_store_t *s, const char *label,
                           int unique)
{
    char ts[32];
    uint32_t i;
    int passing = 0, more = 0, shown = 0;

    if (!s || (!s->probe_runs && !s->probe_error[0]))
        return;
    spn_fmt_time(ts, sizeof(ts), s->probe_time);
    spn_buf_printf(b, "<h2>Live probe (SPNCheckProbe)</h2>\n<p>Last run %s.</p>\n", ts);
    if (s->probe_error[0]) {
        spn_buf_puts(b, "<p class=\"fail\">");
        spn_buf_htmls(b, s->probe_error);
        spn_buf_puts(b, "</p>\n");
    }
    spn_buf_puts(b, "<table>\n<tr><th>Scope</th><th>SPN</th><th>State</th><th>Cause</th>"
                    "<th>Finding</th></tr>\n");
    for (i = 0; i < s->n_probes && i < s->n_probe_slots; i++) {
        const spn_probe_slot_t *r = &spn_store_probes(s)[i];
        if (label ? !field_is(r->scope, sizeof(r->scope), label, unique) : r->ok) {
            passing += !label;          /* the default page: the findings */
            continue;
        }
        if (!label && shown >= SPN_STATUS_PAGE) {
            more++;
            continue;
        }
        shown++;
        spn_buf_puts(b, "<tr>");
        td(b, r->scope);
        td(b, r->spn);
        spn_buf_printf(b, "<td class=\"%s\">%s</td><td><code>%s</code></td>",
                       r->ok ? "pass" : "fail", r->ok ? "pass" : "fail",
                       r->ok ? "ok" : spn_cause_code(r->cause));
        td(b, r->message);
        spn_buf_puts(b, "</tr>\n");
    }
    spn_buf_puts(b, "</table>\n");
    if (more)
        spn_buf_printf(b, "<p class=\"fail\">And %d more finding%s: each scope's view lists its "
                          "own.</p>\n", more, more == 1 ? "" : "s");
    if (passing)
        spn_buf_printf(b, "<p class=\"zero\">%d SPN%s pass%s (each scope's view lists its "
                          "own).</p>\n", passing, passing == 1 ? "" : "s",
                       passing == 1 ? "es" : "");
}

void spn_status_html_recent(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st,
                            const char *label)
{
    spn_diag_t *d = apr_palloc(p, sizeof(*d));
    spn_service_t svc;
    char ts[32];
    int i, unique = label && label_unique(st, label, sizeof(st->recent->scope));

    spn_buf_puts(b, "<h2>Recent failures</h2>\n<table>\n<tr><th>Time</th><th>Ref</th>"
                    "<th>Client</th><th>Host</th><th>Requested SPN</th><th>Realm</th>"
                    "<th>Etype</th><th>kvno</th><th>Mech</th><th>Cause</th></tr>\n");
    for (i = 0; i < st->n_recent; i++) {
        const spn_failure_t *f = &st->recent[i];
        int rc;
        if (label && !field_is(f->scope, sizeof(f->scope), label, unique))
            continue;
        rc = spn_status_failure_diag(st, f, d, &svc) && (int)d->cause != f->cause
             ? (int)d->cause : -1;
        spn_fmt_time(ts, sizeof(ts), f->time);
        spn_buf_printf(b, "<tr><td>%s</td><td><a href=\"?ref=", ts);
        spn_buf_htmls(b, f->ref);
        spn_buf_puts(b, "\">");
        spn_buf_htmls(b, f->ref);
        spn_buf_puts(b, "</a></td>");
        td(b, f->client);
        td(b, f->host);
        td(b, f->spn);
        td(b, f->realm);
        if (f->etype)
            spn_buf_printf(b, "<td>%d</td>", f->etype);
        else
            spn_buf_puts(b, "<td>-</td>");
        if (f->kvno >= 0)
            spn_buf_printf(b, "<td>%d</td>", f->kvno);
        else
            spn_buf_puts(b, "<td>-</td>");
        td(b, f->mech);
        if (rc >= 0)    /* facts that arrived since enrich it */
            spn_buf_printf(b, "<td><code>%s</code> (directory; recorded <code>%s</code>)%s"
                              "</td></tr>\n", spn_cause_code((spn_cause_t)rc),
                           spn_cause_code(f->cause), f->proxied ? " (backend)" : "");
        else
            spn_buf_printf(b, "<td><code>%s</code>%s</td></tr>\n", spn_cause_code(f->cause),
                           f->proxied ? " (backend)" : "");
    }
    spn_buf_puts(b, "</table>\n");
}

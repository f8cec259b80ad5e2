/* test_statpage.c: the status page at farm scale (issue 21): the default
 * HTML leads with what is wrong and stays small at 1000 and 5000 scopes,
 * each scope has its own view (?scope=), the full list is paged
 * (?scopes=all&page=N), JSON and Prometheus stay complete. */
#include "tap.h"
#include "spn_chart.h"
#include "spn_status.h"
#include "statfarm.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB300 (300 * 1024)

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, l = strlen(needle);
    for (; (hay = strstr(hay, needle)) != NULL; hay += l)
        n++;
    return n;
}

static void test_scale(apr_pool_t *p, int n)
{
    static spn_store_t head;
    spn_status_t st;
    spn_buf_t b;
    char want[256];
    int nf, nw, i, missing = 0;

    memset(&st, 0, sizeof(st));
    memset(&head, 0, sizeof(head));
    st.scopes = farm(p, n, &nf, &nw);
    st.n_scopes = n;
    st.store = &head;
    st.now = 1800000000;
    st.version = "mod_spncheck/test";

    /* the checks the farm was made to have */
    {
        spn_checks_t ck;
        spn_scope_checks(p, &st.scopes[1], st.store, &ck);
        is_int(ck.worst, SPN_CHECK_PASS, "N=%d: scope 1 passes every self-check", n);
        spn_scope_checks(p, &st.scopes[3], st.store, &ck);
        is_int(ck.worst, SPN_CHECK_WARN, "N=%d: scope 3 warns", n);
        spn_scope_checks(p, &st.scopes[5], st.store, &ck);
        is_int(ck.worst, SPN_CHECK_FAIL, "N=%d: scope 5 fails", n);
    }

    spn_buf_init(&b, p, 1 << 16);
    spn_status_html(&b, p, &st);
    ok(b.len <= KB300, "N=%d: the default HTML is %zu bytes (<= 300 KB)", n, b.len);
    for (i = 5; i < n; i += 97) {
        if (i % 7)
            snprintf(want, sizeof(want), "<a href=\"?scope=app%d.contoso.com:443\">", i);
        else
            snprintf(want, sizeof(want), "<a href=\"?scope=app%d.contoso.com:443/app%d\">", i, i);
        missing += !strstr(b.s, want);
    }
    is_int(missing, 0, "N=%d: every one of the %d failing scopes is on the default page", n, nf);
    snprintf(want, sizeof(want), "<a href=\"?scopes=pass\" class=\"pass\">%d passing</a>",
             n - nf - nw);
    ok(strstr(b.s, want) != NULL, "N=%d: the passing scopes are a count (%d) and a link", n,
       n - nf - nw);
    snprintf(want, sizeof(want), "%d scopes pass every self-check: <a href=\"?scopes=pass\">",
             n - nf - nw);
    ok(strstr(b.s, want) != NULL, "N=%d: ... in one line", n);
    ok(!strstr(b.s, "?scope=app1.contoso.com:443\""), "N=%d: a passing scope is not listed", n);
    is_int((int)count(b.s, "<code>both-forms</code>: "), nw < SPN_STATUS_PAGE ? nw : SPN_STATUS_PAGE,
           "N=%d: at most %d warning scopes, one line each", n, SPN_STATUS_PAGE);
    if (nw > SPN_STATUS_PAGE) {
        snprintf(want, sizeof(want), "And %d more warning: <a href=\"?scopes=warn\">",
                 nw - SPN_STATUS_PAGE);
        ok(strstr(b.s, want) != NULL, "N=%d: and a link to the other %d", n, nw - SPN_STATUS_PAGE);
    }
    ok(strstr(b.s, "no SPNCheckKeytab configured") && strstr(b.s, "SPNCheckKeytab /etc/apache2/http.keytab"),
       "N=%d: a failing scope's finding and remedy", n);
    ok(strstr(b.s, "<p class=\"headline fail\">Self-check <code>keytab-readable</code> fails for "
                   "app5.contoso.com:443") != NULL, "N=%d: the headline leads", n);
    ok(strstr(b.s, "aria-label=\"Sign-in funnel\"") != NULL, "N=%d: the funnel", n);
    ok(strstr(b.s, "<h2>Failures over time</h2>") != NULL, "N=%d: the charts", n);
    ok(strstr(b.s, "<h2>Scopes</h2>") < strstr(b.s, "aria-label=\"Sign-in funnel\""),
       "N=%d: the scopes that need attention come first", n);

    /* JSON and Prometheus: complete, linear */
    spn_buf_init(&b, p, 1 << 20);
    spn_status_json(&b, p, &st);
    is_int((int)count(b.s, "\"keytab\":\"/etc/apache2/keytabs/app"), n, "N=%d: JSON lists every scope", n);
    spn_buf_init(&b, p, 1 << 20);
    spn_status_prometheus(&b, p, &st);
    ok(strstr(b.s, "spncheck_selfcheck{") == NULL && strstr(b.s, "# TYPE spncheck_selfcheck gauge") == NULL,
       "N=%d: Prometheus: no deprecated spncheck_selfcheck series", n);
    snprintf(want, sizeof(want), "spncheck_selfcheck_ok{server=\"app%d.contoso.com:443\",location=\"\","
             "check=\"keytab-readable\",state=\"pass\"} 1\n", n - 1 - ((n - 1) % 7 == 0));
    ok(strstr(b.s, want) != NULL, "N=%d: Prometheus: the last scope's checks too", n);
    ok(b.len / (size_t)n < 1400, "N=%d: Prometheus: %zu bytes a scope", n, b.len / (size_t)n);
}

static void test_views(apr_pool_t *p)
{
    static spn_store_t head;
    spn_status_t st;
    spn_buf_t b;
    int nf, nw, n = 1000;

    memset(&st, 0, sizeof(st));
    memset(&head, 0, sizeof(head));
    st.scopes = farm(p, n, &nf, &nw);
    st.n_scopes = n;
    st.store = &head;
    st.version = "mod_spncheck/test";

    /* one scope */
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, "app14.contoso.com:443/app14"), 0, "?scope=: found");
    ok(strstr(b.s, "<h2>app14.contoso.com:443 <code>/app14</code> <span class=\"pass\">pass</span></h2>")
       != NULL, "?scope=: its heading and state");
    ok(strstr(b.s, "HTTP/APP14@CONTOSO.COM") && strstr(b.s, "/etc/apache2/keytabs/app14.keytab") &&
       strstr(b.s, "<td>keytab-readable</td><td class=\"pass\">pass</td>"),
       "?scope=: its SPNs, keytab and every check, passing ones too");
    ok(strstr(b.s, "<th>Keytab principal</th>") && strstr(b.s, "aes256-cts"),
       "?scope=: its keytab's entries");
    ok(!strstr(b.s, "app15.contoso.com"), "?scope=: no other scope");
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, "app14.contoso.com:443"), -1,
           "?scope=: the vhost without its location is not that scope");
    /* but its 404 links the scopes of that virtual host (the label as a
     * failure's Host shows it, without the location, or without the port) */
    ok(strstr(b.s, "<a href=\"?scope=app14.contoso.com:443/app14\">") != NULL,
       "?scope=: an unknown label that names a virtual host links its scopes");
    spn_buf_init(&b, p, 4096);
    spn_status_html_scope(&b, p, &st, "APP14.contoso.com");
    ok(strstr(b.s, "<a href=\"?scope=app14.contoso.com:443/app14\">") &&
       !strstr(b.s, "app140.contoso.com"), "?scope=: the host alone (any case) finds them too, only them");
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, "<script>alert(1)</script>\"&x\xff"), -1,
           "?scope=: unknown: -1 (the handler answers 404)");
    ok(strstr(b.s, "No scope with <code>SPNCheck On</code> is named <code>&lt;script&gt;alert(1)"
                   "&lt;/script&gt;&quot;&amp;x\xEF\xBF\xBD</code>") && !strstr(b.s, "<script>"),
       "?scope=: the unknown label, escaped");
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, NULL), -1, "?scope= without a value: -1");

    /* the list, by page */
    is_int(spn_status_list_arg("all"), SPN_LIST_ALL, "list: all");
    is_int(spn_status_list_arg("fail"), SPN_LIST_FAIL, "list: fail");
    is_int(spn_status_list_arg("passx"), -1, "list: anything else: -1");
    is_int(spn_status_page_arg("3"), 3, "page 3");
    is_int(spn_status_page_arg("-3"), 1, "page -3: 1");
    is_int(spn_status_page_arg("99999999999999"), 1, "a page number too long: 1");
    is_int(spn_status_page_arg("2x"), 1, "page 2x: 1");
    is_int(spn_status_page_arg(NULL), 1, "no page: 1");
    /* ?scopes=failing (a typo): not the whole list under another name, a
     * 404 that links the four lists */
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_list(&b, p, &st, spn_status_list_arg("failing"), 1), -1,
           "list: an unknown list: -1 (the handler answers 404)");
    ok(strstr(b.s, "<a href=\"?scopes=fail\">") && strstr(b.s, "<a href=\"?scopes=all\">") &&
       !strstr(b.s, "<tr><td><a href=\"?scope="), "list: an unknown list links the lists, lists no scope");
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_list(&b, p, &st, SPN_LIST_PASS, 1), 0, "list: pass: 0");

    spn_buf_init(&b, p, 4096);
    spn_status_html_list(&b, p, &st, SPN_LIST_ALL, 1);
    is_int((int)count(b.s, "<tr><td><a href=\"?scope="), SPN_STATUS_PAGE, "list page 1: %d rows",
           SPN_STATUS_PAGE);
    ok(strstr(b.s, "Page 1 of 20 (1000 scopes).") && strstr(b.s, "?scopes=all&amp;page=2\" rel=\"next\"") &&
       !strstr(b.s, "rel=\"prev\""), "list page 1 of 20: next, no previous");
    ok(strstr(b.s, "?scope=app0.contoso.com:443/app0\"") && strstr(b.s, "?scope=app48.contoso.com:443\"") &&
       !strstr(b.s, "?scope=app50.contoso.com:443\""), "list page 1: scopes 0-49");
    spn_buf_init(&b, p, 4096);
    spn_status_html_list(&b, p, &st, SPN_LIST_ALL, 7);
    ok(strstr(b.s, "?scope=app300.contoso.com:443\"") && strstr(b.s, "?scope=app349.contoso.com:443\"") &&
       !strstr(b.s, "?scope=app299.contoso.com") && !strstr(b.s, "?scope=app350.contoso.com"),
       "list page 7: scopes 300-349");
    ok(strstr(b.s, "page=6\" rel=\"prev\"") && strstr(b.s, "page=8\" rel=\"next\""), "page 7: prev and next");
    spn_buf_init(&b, p, 4096);
    spn_status_html_list(&b, p, &st, SPN_LIST_ALL, 500);
    ok(strstr(b.s, "Page 20 of 20") && strstr(b.s, "?scope=app999.contoso.com:443\"") &&
       !strstr(b.s, "rel=\"next\""), "a page past the end: the last page");
    spn_buf_init(&b, p, 4096);
    spn_status_html_list(&b, p, &st, SPN_LIST_FAIL, 1);
    is_int((int)count(b.s, "<tr><td><a href=\"?scope="), nf, "the failing list: the %d failing scopes", nf);
    ok(strstr(b.s, "<code>keytab-readable</code>&nbsp;<span class=\"fail\">fail</span>") &&
       !strstr(b.s, "class=\"pass\">pass</td>"), "... each with what fails, none passing");
    spn_buf_init(&b, p, 4096);
    spn_status_html_list(&b, p, &st, SPN_LIST_PASS, 1);
    ok(strstr(b.s, "Page 1 of ") && !strstr(b.s, "class=\"fail\">fail</td>") &&
       !strstr(b.s, "class=\"warn\">warn</td>"), "the passing list: passing scopes only");
}

/* Every scope fails (a keytab directory gone): the page stays bounded. */
static void test_allfail(apr_pool_t *p)
{
    static spn_store_t head;
    spn_scope_t *sc;
    spn_status_t st;
    spn_buf_t b;
    char want[128];
    int nf, nw, i, n = 5000;

    memset(&st, 0, sizeof(st));
    memset(&head, 0, sizeof(head));
    sc = farm(p, n, &nf, &nw);
    for (i = 0; i < n; i++)
        sc[i].svc.keytab = NULL;
    st.scopes = sc;
    st.n_scopes = n;
    st.store = &head;
    spn_buf_init(&b, p, 1 << 16);
    spn_status_html(&b, p, &st);
    ok(b.len <= KB300, "all %d failing: the default HTML is %zu bytes (<= 300 KB)", n, b.len);
    is_int((int)count(b.s, "<tr><td><a href=\"?scope="), SPN_STATUS_FAIL_LINES - SPN_STATUS_PAGE,
           "all failing: %d in full, then one line each up to %d", SPN_STATUS_PAGE,
           SPN_STATUS_FAIL_LINES);
    snprintf(want, sizeof(want), "And %d more failing: <a href=\"?scopes=fail\">",
             n - SPN_STATUS_FAIL_LINES);
    ok(strstr(b.s, want) != NULL, "all failing: a link to the other %d", n - SPN_STATUS_FAIL_LINES);
}

/* The causes seen, busiest first (the table's order among equals). */
static void test_busiest(apr_pool_t *p)
{
    static spn_store_t head;
    spn_status_t st;
    spn_buf_t b;
    const char *a, *w, *k;

    memset(&st, 0, sizeof(st));
    memset(&head, 0, sizeof(head));
    head.counters[SPN_C_MALFORMED] = 1;
    head.counters[SPN_C_SPN_WRONG_ACCOUNT] = 1;
    head.counters[SPN_C_KVNO_MISMATCH] = 7;
    st.store = &head;
    spn_buf_init(&b, p, 4096);
    spn_status_html(&b, p, &st);
    a = strstr(b.s, "<td class=\"code\"><code>malformed-token</code>");
    w = strstr(b.s, "<td class=\"code\"><code>spn-wrong-account</code>");
    k = strstr(b.s, "<td class=\"code\"><code>kvno-mismatch</code>");
    ok(a && w && k && k < a && k < w, "causes seen: the busiest (kvno-mismatch, 7) first");
    ok(a && w && (SPN_C_MALFORMED < SPN_C_SPN_WRONG_ACCOUNT ? a < w : w < a),
       "causes seen: equals in the table's order");
}

/* A label that needs encoding in a link: what the link carries, ?scope=
 * (as httpd decodes it) finds. */
static void test_link(apr_pool_t *p)
{
    static const char *spns[] = { "HTTP/web.contoso.com@CONTOSO.COM" };
    spn_scope_t sc;
    spn_status_t st;
    spn_buf_t b;

    memset(&sc, 0, sizeof(sc));
    memset(&st, 0, sizeof(st));
    sc.server = "web.contoso.com:443";
    sc.location = "/caf\xE9 & \"q\"?a=b#x";
    sc.svc.spns = spns;
    sc.svc.n_spns = 1;
    st.scopes = &sc;
    st.n_scopes = 1;
    spn_buf_init(&b, p, 256);
    spn_scope_link(&b, &sc);
    is_str(b.s, "<a href=\"?scope=web.contoso.com:443/caf%E9%20%26%20%22q%22%3Fa%3Db%23x\">"
                "web.contoso.com:443 <code>/caf\xEF\xBF\xBD &amp; &quot;q&quot;?a=b#x</code></a>",
           "link: the label percent-encoded, the text escaped");
    spn_buf_init(&b, p, 256);
    is_int(spn_status_html_scope(&b, p, &st, "web.contoso.com:443/caf\xE9 & \"q\"?a=b#x"), 0,
           "?scope= with the decoded label finds it");
    is_str(spn_scope_label(p, &sc), "web.contoso.com:443/caf\xE9 & \"q\"?a=b#x", "its label");
}

/* Labels longer than the store's scope field (127 bytes) are kept cut:
 * two scopes whose labels share those bytes cannot tell their failures
 * and probe results apart, so neither view shows the other's (hostile
 * review: ?scope= of one showed the other's clients); a long label no
 * other shares still finds its own, and its failures are diagnosed on
 * its configuration (the JSON's fix said SPNCheckServiceAccount was not
 * set: the cut label matched no scope). */
static void test_cut(apr_pool_t *p)
{
    static const char *spns[] = { "HTTP/web.contoso.com@CONTOSO.COM" };
    static const char *names[] = { "web.contoso.com" };
    spn_store_dims_t dims = { 0, 0, 2, 0 };
    spn_store_t *s = apr_pcalloc(p, spn_store_size_dims(&dims));
    spn_probe_slot_t *pr;
    spn_scope_t sc[3];
    spn_status_t st;
    spn_failure_t f;
    spn_buf_t b;
    char loc[160];
    int i;

    memset(loc, 'a', 150);
    loc[0] = '/';
    loc[150] = '\0';
    memset(sc, 0, sizeof(sc));
    for (i = 0; i < 3; i++) {
        sc[i].server = i < 2 ? "web.contoso.com:443" : "web.contoso.com:8443";
        sc[i].location = apr_pstrcat(p, loc, i == 1 ? "/two" : "/one", NULL);
        sc[i].svc.spns = spns;
        sc[i].svc.n_spns = 1;
        sc[i].svc.account = "CONTOSO\\svc-web";
        sc[i].svc.names = sc[i].names = names;
        sc[i].svc.n_names = sc[i].n_names = 1;
    }
    spn_store_init_dims(s, &dims, 1800000000);
    s->probe_runs = 1;
    s->n_probes = 1;
    pr = &spn_store_probes(s)[0];
    apr_cpystrn(pr->scope, spn_scope_label(p, &sc[1]), sizeof(pr->scope));
    apr_cpystrn(pr->spn, "HTTP/two-only.contoso.com", sizeof(pr->spn));
    memset(&f, 0, sizeof(f));
    f.seq = 1;
    f.time = 1800000000;
    f.cause = SPN_C_SPN_UNKNOWN;
    f.kvno = -1;
    strcpy(f.ref, "R1");
    strcpy(f.client, "10.9.9.9");
    strcpy(f.host, "web.contoso.com");
    strcpy(f.spn, "HTTP/web.contoso.com");
    apr_cpystrn(f.scope, spn_scope_label(p, &sc[1]), sizeof(f.scope));
    memset(&st, 0, sizeof(st));
    st.scopes = sc;
    st.n_scopes = 3;
    st.store = s;
    st.recent = &f;
    st.n_recent = 1;
    st.version = "mod_spncheck/test";

    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, spn_scope_label(p, &sc[0])), 0, "cut: scope one found");
    ok(!strstr(b.s, "10.9.9.9"), "cut: scope one's view does not show scope two's failure");
    ok(!strstr(b.s, "two-only"), "cut: ... nor its probe result");
    spn_buf_init(&b, p, 4096);
    spn_status_html(&b, p, &st);
    ok(strstr(b.s, "10.9.9.9") != NULL, "cut: the default page still lists it");

    /* one scope of that label: its own */
    st.scopes = &sc[1];
    st.n_scopes = 1;
    spn_buf_init(&b, p, 4096);
    spn_status_html_scope(&b, p, &st, spn_scope_label(p, &sc[1]));
    ok(strstr(b.s, "10.9.9.9") && strstr(b.s, "two-only"),
       "cut: a long label no other shares: its failure and probe result");
    spn_buf_init(&b, p, 4096);
    spn_status_json(&b, p, &st);
    ok(!strstr(b.s, "SPNCheckServiceAccount is not set"),
       "cut: its failure is diagnosed on its configuration (the account is known)");

    /* two IP-based virtual hosts of one ServerName and port: one label */
    sc[0].location = sc[1].location = NULL;
    apr_cpystrn(f.scope, "web.contoso.com:443", sizeof(f.scope));
    apr_cpystrn(pr->scope, "web.contoso.com:443", sizeof(pr->scope));
    st.scopes = sc;
    st.n_scopes = 2;
    spn_buf_init(&b, p, 4096);
    is_int(spn_status_html_scope(&b, p, &st, "web.contoso.com:443"), 0, "one label twice: found");
    ok(!strstr(b.s, "10.9.9.9") && !strstr(b.s, "two-only") &&
       strstr(b.s, "cannot be told apart"), "one label twice: neither's failures, and why");
}

/* A streamed page (spn_buf_stream, as the handler sends JSON and
 * Prometheus) is the same bytes as one built whole, and takes the
 * buffer's capacity only, not the page's size. */
typedef struct {
    spn_buf_t *out;
    size_t calls, most;
} sink_t;

static void sink(void *ctx, const char *s, size_t n)
{
    sink_t *k = ctx;
    spn_buf_add(k->out, s, n);
    k->calls++;
    if (n > k->most)
        k->most = n;
}

static void test_stream(apr_pool_t *p)
{
    static spn_store_t head;
    spn_status_t st;
    spn_buf_t whole, b, got;
    sink_t k;
    int nf, nw, f;
    void (*render[2])(spn_buf_t *, apr_pool_t *, const spn_status_t *) = {
        spn_status_json, spn_status_prometheus
    };
    const char *name[2] = { "JSON", "Prometheus" };

    memset(&st, 0, sizeof(st));
    memset(&head, 0, sizeof(head));
    st.scopes = farm(p, 1000, &nf, &nw);
    st.n_scopes = 1000;
    st.store = &head;
    st.now = 1800000000;
    st.version = "mod_spncheck/test";
    for (f = 0; f < 2; f++) {
        spn_buf_init(&whole, p, 64);
        render[f](&whole, p, &st);
        spn_buf_init(&got, p, 64);
        memset(&k, 0, sizeof(k));
        k.out = &got;
        spn_buf_init(&b, p, 16384);
        spn_buf_stream(&b, sink, &k);
        render[f](&b, p, &st);
        spn_buf_flush(&b);
        ok(got.len == whole.len && memcmp(got.s, whole.s, whole.len) == 0,
           "%s streamed: the same %zu bytes as built whole (%zu)", name[f], got.len, whole.len);
        ok(k.calls > 10 && k.most <= 16384,
           "%s streamed: in %zu pieces of at most %zu bytes", name[f], k.calls, k.most);
        is_int((int)b.cap, 16384, "%s streamed: the buffer kept its capacity", name[f]);
        is_int((int)b.len, 0, "%s streamed: nothing left after the flush", name[f]);
    }
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_scale(p, 1000);
    test_scale(p, 5000);
    test_views(p);
    test_allfail(p);
    test_busiest(p);
    test_link(p);
    test_cut(p);
    test_stream(p);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

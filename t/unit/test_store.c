/* test_store.c: the failure ring, counters, log rate limit, and the
 * status page renderers over it (escaping, Prometheus line format). */
#include "tap.h"
#include "spn_status.h"
#include "spn_mechcount.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static spn_failure_t mk(int cause, int64_t t, const char *ref, const char *spn)
{
    spn_failure_t f;
    memset(&f, 0, sizeof(f));
    f.cause = cause;
    f.time = t;
    f.kvno = -1;
    snprintf(f.ref, sizeof(f.ref), "%s", ref);
    snprintf(f.spn, sizeof(f.spn), "%s", spn);
    snprintf(f.client, sizeof(f.client), "127.0.0.1");
    return f;
}

/* An empty directory section (slots, index, none used). */
static void dir_clear(spn_store_t *s)
{
    memset(spn_store_dir(s), 0, (size_t)(s->off_ring - s->off_dir));
    s->dir_used = 0;
}

static void test_ring(void)
{
    spn_store_t *s = spn_store_init(malloc(spn_store_size(3)), 3, 1000);
    spn_failure_t f;
    uint32_t sup;
    char ref[12];
    int i;

    ok(spn_store_valid(s, spn_store_size(3), 3) && !spn_store_valid(s, spn_store_size(3), 4), "store valid for its capacity only");
    ok(spn_store_recent(s, 0) == NULL, "empty store: no recent failure");
    for (i = 1; i <= 5; i++) {
        snprintf(ref, sizeof(ref), "R%d", i);
        f = mk(SPN_C_SPN_WRONG_ACCOUNT, 1000 + i, ref, "HTTP/web01");
        spn_store_add(s, &f, &sup);
    }
    is_int(s->counters[SPN_C_SPN_WRONG_ACCOUNT], 5, "counters count every failure");
    is_str(spn_store_recent(s, 0)->ref, "R5", "newest first");
    is_str(spn_store_recent(s, 2)->ref, "R3", "third newest");
    ok(spn_store_recent(s, 3) == NULL, "capacity 3: the oldest two are gone");
    ok(spn_store_find(s, "R4") != NULL && spn_store_find(s, "R1") == NULL, "find by ref");
    {
        spn_store_t *head;
        spn_failure_t rec[8];
        uint32_t n;
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        head = spn_store_copy(p, s, rec, 8, &n);
        ok(n == 3 && !strcmp(rec[0].ref, "R5") && !strcmp(rec[2].ref, "R3") &&
           head->counters[SPN_C_SPN_WRONG_ACCOUNT] == 5, "snapshot: header and the newest held, in order");
        spn_store_copy(p, s, rec, 2, &n);
        ok(n == 2, "snapshot: no more than asked");
        apr_pool_destroy(p);
    }
    free(s);
}

static void test_ratelimit(void)
{
    spn_store_t *s = spn_store_init(malloc(spn_store_size(8)), 8, 0);
    spn_failure_t f;
    uint32_t sup = 0;
    int i, logged = 0;

    for (i = 0; i < 25; i++) {
        f = mk(SPN_C_MALFORMED, 5000, "X", "");
        logged += spn_store_add(s, &f, &sup);
    }
    is_int(logged, SPN_LOG_BURST, "25 in one second: %d lines logged", SPN_LOG_BURST);
    f = mk(SPN_C_KVNO_MISMATCH, 5000, "Y", "");
    ok(spn_store_add(s, &f, &sup) == 1 && sup == 0, "another cause has its own budget");
    f = mk(SPN_C_MALFORMED, 5000 + SPN_LOG_WINDOW, "Z", "");
    ok(spn_store_add(s, &f, &sup) == 1, "next window: logged again");
    is_int(sup, 25 - SPN_LOG_BURST, "and the line says how many were held back");
    f = mk(SPN_C_MALFORMED, 5000 + SPN_LOG_WINDOW + 1, "Z2", "");
    ok(spn_store_add(s, &f, &sup) == 1 && sup == 0, "the held-back count is reported once");
    is_int(s->counters[SPN_C_MALFORMED], 27, "every failure counted, logged or not");
    free(s);
}

static void test_render(apr_pool_t *p)
{
    spn_store_t *s = spn_store_init(malloc(spn_store_size(4)), 4, 0);
    spn_failure_t f = mk(SPN_C_SPN_UNKNOWN, 100, "AB<C", "HTTP/<script>alert(1)</script>");
    static const char *spns[] = { "HTTP/web01.example.com@EXAMPLE.COM" };
    static const char *names[] = { "web01.example.com", "intranet\"<x>" };
    spn_scope_t sc;
    spn_status_t st;
    spn_buf_t b;
    uint32_t sup;
    char *line, *save = NULL;
    int bad = 0, lines = 0;

    snprintf(f.realm, sizeof(f.realm), "EVIL\"REALM\\");
    spn_store_add(s, &f, &sup);
    memset(&sc, 0, sizeof(sc));
    sc.server = "web01.example.com:80\"";
    sc.svc.spns = spns;
    sc.svc.n_spns = 1;
    sc.names = names;
    sc.n_names = 2;
    memset(&st, 0, sizeof(st));
    st.scopes = &sc;
    st.n_scopes = 1;
    {
        static spn_failure_t recent[10];
        uint32_t n;
        st.store = spn_store_copy(p, s, recent, 10, &n);
        st.n_recent = (int)n;
        st.recent = recent;
    }
    st.version = "test";

    spn_buf_init(&b, p, 1024);
    spn_status_html(&b, p, &st);
    ok(!strstr(b.s, "<script>alert") && strstr(b.s, "&lt;script&gt;alert"), "HTML: SPN escaped");
    ok(!strstr(b.s, "AB<C") && !strstr(b.s, "intranet\"<x>"), "HTML: ref and names escaped");
    ok(strstr(b.s, "keytab-readable") && strstr(b.s, "class=\"fail\""),
       "HTML: no keytab is a failed self-check");

    spn_buf_init(&b, p, 1024);
    spn_status_json(&b, p, &st);
    ok(strstr(b.s, "\"realm\":\"EVIL\\\"REALM\\\\\"") != NULL, "JSON: quotes and backslashes escaped");
    ok(strstr(b.s, "\"spn-unknown\":1") != NULL, "JSON: counter");
    ok(strstr(b.s, "\"both-forms\"") != NULL, "JSON: self-checks listed");

    spn_buf_init(&b, p, 1024);
    spn_status_prometheus(&b, p, &st);
    for (line = strtok_r(b.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lines++;
        if (line[0] == '#')
            bad += strncmp(line, "# HELP spncheck_", 16) && strncmp(line, "# TYPE spncheck_", 16);
        else
            bad += strncmp(line, "spncheck_", 9) != 0 || !strrchr(line, ' ');
    }
    ok(lines > 20 && bad == 0, "Prometheus: %d lines, all HELP/TYPE or samples", lines);
    free(s);
}

/* Every byte of s[0..n) belongs to a valid UTF-8 sequence. */
static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0, l;
    for (; i < n; i += l)
        if ((l = spn_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
            return 0;
    return 1;
}

static void test_prom_label(apr_pool_t *p)
{
    static const char *spns[] = { "HTTP/web01.example.com@EXAMPLE.COM" };
    spn_scope_t sc;
    spn_status_t st;
    spn_buf_t b;

    spn_buf_init(&b, p, 16);
    spn_prom_label(&b, "/a\\b\"c\nd\re\x7f\xc3\xa9\xff\xc3(\xed\xa0\x80\xe2\x82\xac");
    is_str(b.s, "/a\\\\b\\\"c\\nd\xef\xbf\xbd" "e\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd("
                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe2\x82\xac",
           "prom label: \\ \" newline escaped; controls, invalid UTF-8 and surrogates become U+FFFD");
    spn_buf_init(&b, p, 16);
    spn_prom_label(&b, NULL);
    is_int(b.len, 0, "prom label: NULL is empty");

    memset(&sc, 0, sizeof(sc));
    sc.server = "web01.example.com:80";
    sc.location = "/caf\xe9\xc3(\x80\"}\n";     /* Latin-1 path, truncated UTF-8 */
    sc.svc.spns = spns;
    sc.svc.n_spns = 1;
    memset(&st, 0, sizeof(st));
    st.scopes = &sc;
    st.n_scopes = 1;
    spn_buf_init(&b, p, 1024);
    spn_status_prometheus(&b, p, &st);
    ok(valid_utf8(b.s, b.len), "Prometheus: valid UTF-8 with a Latin-1 <Location> path");
    ok(strstr(b.s, "location=\"/caf\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\\\"}\\n\"") != NULL,
       "Prometheus: the location label, cleaned and escaped");
    {
        static const uint64_t n[SPN_MC_N] = {7, 2, 0};
        sc.mech_counts = n;
        spn_buf_init(&b, p, 1024);
        spn_status_prometheus(&b, p, &st);
        ok(valid_utf8(b.s, b.len), "Prometheus with successes: valid UTF-8");
        ok(strstr(b.s, "spncheck_auth_success_total{scope=\"web01.example.com:80/caf\xef\xbf\xbd"
                       "\xef\xbf\xbd(\xef\xbf\xbd\\\"}\\n\",mech=\"ntlm\"} 2\n") != NULL,
           "Prometheus: spncheck_auth_success_total{scope,mech}, the scope cleaned");
    }
}

/* Successes by mechanism: named slots, atomic counts, a renamed slot
 * starts afresh, out-of-range slots and mechanisms are ignored. */
static void test_mechs(void)
{
    spn_store_t *s = spn_store_init(malloc(spn_store_size(2)), 2, 0);
    char longname[400];

    spn_mech_name_slot(s, 0, "web01:443/app");
    spn_mech_count(s, 0, SPN_MC_KRB5);
    spn_mech_count(s, 0, SPN_MC_KRB5);
    spn_mech_count(s, 0, SPN_MC_NTLM);
    ok(spn_store_mechs(s)[0].n[SPN_MC_KRB5] == 2 && spn_store_mechs(s)[0].n[SPN_MC_NTLM] == 1 &&
       spn_store_mechs(s)[0].n[SPN_MC_OTHER] == 0, "mechs: counted by mechanism");
    spn_mech_name_slot(s, 0, "web01:443/app");
    ok(spn_store_mechs(s)[0].n[SPN_MC_KRB5] == 2, "mechs: the same name keeps the counts (graceful restart)");
    spn_mech_name_slot(s, 0, "web01:443/other");
    ok(spn_store_mechs(s)[0].n[SPN_MC_KRB5] == 0 && !strcmp(spn_store_mechs(s)[0].scope, "web01:443/other"),
       "mechs: another scope in the slot starts afresh");
    spn_mech_count(s, SPN_MECH_SCOPES, SPN_MC_KRB5);
    spn_mech_count(s, -1, SPN_MC_KRB5);
    spn_mech_count(s, 1, SPN_MC_N);
    spn_mech_count(NULL, 0, SPN_MC_KRB5);
    spn_mech_name_slot(s, SPN_MECH_SCOPES, "x");
    ok(spn_store_mechs(s)[1].n[0] == 0 && spn_store_mechs(s)[1].n[1] == 0 && spn_store_mechs(s)[1].n[2] == 0 &&
       spn_store_ring(s)[0].seq == 0, "mechs: out-of-range slots and mechanisms ignored");
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    spn_mech_name_slot(s, 1, longname);
    ok(strlen(spn_store_mechs(s)[1].scope) == sizeof(spn_store_mechs(s)[1].scope) - 1, "mechs: a long scope name is cut");
    spn_mech_name_slot(s, 1, longname);
    spn_mech_count(s, 1, SPN_MC_OTHER);
    ok(spn_store_mechs(s)[1].n[SPN_MC_OTHER] == 1, "mechs: and still recognised as the same");
    free(s);
}

/* Directory facts and the wanted queue (issue 11): what a hostile client
 * can make the server look up is capped, rate limited and cached. */
static spn_dir_spn_t dfacts(const char *spn, int state, int n, const char *holder)
{
    spn_dir_spn_t f;
    memset(&f, 0, sizeof(f));
    snprintf(f.spn, sizeof(f.spn), "%s", spn);
    f.state = state;
    f.n_holders = n;
    f.checked_at = 5000;
    if (n) {
        snprintf(f.holders[0].account, sizeof(f.holders[0].account), "%s", holder);
        snprintf(f.holders[0].sam, sizeof(f.holders[0].sam), "%s", strchr(holder, '\\') + 1);
        snprintf(f.holders[0].via, sizeof(f.holders[0].via), "%s", spn);
        f.holders[0].kvno = 3;
    }
    if (state == SPN_DIR_ERROR)
        snprintf(f.error, sizeof(f.error), "cannot reach ldap://dc");
    return f;
}

/* Wanted SPNs a run cut short did not reach go back (issue 19, finding 2):
 * first in line, their lookup given back to the budget, and dropped only
 * when counted. */
static void test_want_back(void)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, 1000);
    spn_dir_spn_t f;
    char spn[256], name[64];
    int i, ok_all;

    spn_store_want(s, "HTTP/a.test", NULL, 5000);
    spn_store_want(s, "HTTP/b.test", NULL, 5001);
    spn_store_want(s, "HTTP/c.test", NULL, 5002);
    ok(spn_store_want_next(s, 5010, spn, sizeof(spn)) && !strcmp(spn, "HTTP/a.test") &&
       spn_store_want_next(s, 5010, spn, sizeof(spn)) && !strcmp(spn, "HTTP/b.test"),
       "two taken off the queue");
    is_int((int)s->dir_budget_used, 2, "two lookups spent from the budget");
    is_int((int)spn_store_want_queued(s), 1, "one still queued");
    is_int(spn_store_want_back(s, "HTTP/b.test", 5020), 1, "the one the run did not reach: back");
    is_int((int)s->dir_budget_used, 1, "its lookup given back to the budget");
    is_int((int)spn_store_want_queued(s), 2, "two queued");
    ok(spn_store_want_next(s, 5021, spn, sizeof(spn)) && !strcmp(spn, "HTTP/b.test"),
       "back first in line (before c, queued after it)");
    spn_store_want(s, "HTTP/d.test", NULL, 5030);
    is_int(spn_store_want_back(s, "http/D.test", 5031), 0, "asked again meanwhile: queued once");
    for (i = 0; i < SPN_WANT_SLOTS; i++) {
        char cl[32];
        snprintf(name, sizeof(name), "HTTP/f%d.test", i);
        snprintf(cl, sizeof(cl), "192.0.2.%d", i);      /* each its own client: no share */
        spn_store_want(s, name, cl, 5040 + i);
    }
    is_int((int)s->dir_dropped, 2, "a full queue: the wanted ones that did not fit counted");
    is_int(spn_store_want_back(s, "HTTP/e.test", 5100), -1, "no room to put back: -1");
    is_int((int)s->dir_dropped, 3, "and counted dropped, not lost silently");
    /* an answer with nowhere to go (every slot pinned) is counted too */
    for (i = 0, ok_all = 1; i < (int)s->n_dir_slots; i++) {
        snprintf(name, sizeof(name), "HTTP/p%d.test", i);
        f = dfacts(name, SPN_DIR_OK, 0, NULL);
        ok_all &= spn_store_dir_put(s, &f, 1, 6000) == 0;
    }
    f = dfacts("HTTP/w.test", SPN_DIR_OK, 0, NULL);
    ok(ok_all && spn_store_dir_put(s, &f, 0, 6001) == -1 && s->dir_dropped == 4,
       "a wanted SPN's answer with every slot pinned: dropped, counted");
    free(s);
}

static void test_directory(apr_pool_t *p)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, 1000);
    spn_dir_spn_t f, out;
    char spn[256], name[64];
    int i, got, ok_all;

    (void)p;
    is_int(spn_store_want(s, "HTTP/web01.test", NULL, 5000), 1, "want: queued");
    is_int(spn_store_want(s, "http/WEB01.test", NULL, 5001), 0, "want: already queued (case-insensitive)");
    is_int(spn_store_want(s, "HTTP/a b", NULL, 5001), -1, "want: not an SPN we look up");
    is_int(spn_store_want(s, "HTTP/x)(cn=*", NULL, 5001), -1, "want: filter characters refused");
    ok(spn_store_want_next(s, 5002, spn, sizeof(spn)) && !strcmp(spn, "HTTP/web01.test"),
       "want_next: the wanted SPN");
    ok(!spn_store_want_next(s, 5002, spn, sizeof(spn)), "want_next: queue empty");
    f = dfacts("HTTP/web01.test", SPN_DIR_OK, 0, NULL);
    spn_store_dir_put(s, &f, 0, 5003);
    is_int(spn_store_want(s, "HTTP/web01.test", NULL, 5010), 0, "a miss is cached: not wanted again within a minute");
    is_int(spn_store_want(s, "HTTP/web01.test", NULL, 5003 + SPN_DIR_REQUERY), 1,
           "wanted again a minute later");
    spn_store_want_next(s, 5063, spn, sizeof(spn));
    f = dfacts("HTTP/err.test", SPN_DIR_ERROR, 0, NULL);
    spn_store_dir_put(s, &f, 0, 5070);
    is_int(spn_store_want(s, "HTTP/err.test", NULL, 5071), 0, "an error is cached too");

    /* the queue is capped; the rest are dropped and counted (each its own
     * client: one client gets a share only, t/unit/test_want.c) */
    for (i = 0, got = 0; i < SPN_WANT_SLOTS + 5; i++) {
        char client[32];
        snprintf(name, sizeof(name), "HTTP/h%d.test", i);
        snprintf(client, sizeof(client), "10.0.0.%d", i);
        got += spn_store_want(s, name, client, 6000 + i) == 1;
    }
    is_int(got, SPN_WANT_SLOTS, "queue capped at SPN_WANT_SLOTS");
    is_int((int)s->dir_dropped, 5, "the others dropped, counted");
    /* the budget: at most SPN_DIR_BUDGET per minute */
    for (i = 0, got = 0; i < SPN_WANT_SLOTS; i++)
        got += spn_store_want_next(s, 6100, spn, sizeof(spn));
    is_int(got, SPN_DIR_BUDGET, "at most SPN_DIR_BUDGET lookups a minute");
    ok(spn_store_want_next(s, 6100 + SPN_DIR_REQUERY, spn, sizeof(spn)),
       "the next minute: more");
    test_want_back();

    /* pinned slots stay; others go least recently used first */
    dir_clear(s);
    f = dfacts("HTTP/conf.test", SPN_DIR_OK, 1, "CONTOSO\\svc-web");
    spn_store_dir_put(s, &f, 1, 7000);
    for (i = 0; i < (int)s->n_dir_slots + 10; i++) {
        snprintf(name, sizeof(name), "HTTP/w%d.test", i);
        f = dfacts(name, SPN_DIR_OK, 0, NULL);
        spn_store_dir_put(s, &f, 0, 7001 + i);
    }
    ok(spn_store_dir_get(s, "HTTP/conf.test", &out) && out.n_holders == 1 &&
       !strcmp(out.holders[0].account, "CONTOSO\\svc-web"), "a configured SPN is never evicted");
    ok(!spn_store_dir_get(s, "HTTP/w0.test", &out) &&
       spn_store_dir_get(s, "HTTP/w41.test", &out), "the least recently used goes");
    for (i = 0, ok_all = 1; i < (int)s->n_dir_slots; i++)
        ok_all &= spn_store_dir(s)[i].f.spn[sizeof(spn_store_dir(s)[i].f.spn) - 1] == '\0';
    ok(ok_all, "slots stay NUL-terminated");
    /* an error keeps the holders an earlier answer found */
    f = dfacts("HTTP/conf.test", SPN_DIR_ERROR, 0, NULL);
    spn_store_dir_put(s, &f, 1, 8000);
    ok(spn_store_dir_get(s, "HTTP/conf.test", &out) && out.state == SPN_DIR_OK &&
       out.n_holders == 1 && !strcmp(out.error, "cannot reach ldap://dc") && out.checked_at == 5000,
       "an error keeps the last answer, marked");
    /* as many configured SPNs as the module looks up (SPN_DIR_CONF_MAX, both forms),
     * then what failures want: every one is kept, none evicted */
    dir_clear(s);
    for (i = 0; i < SPN_DIR_CONF_MAX; i++) {
        snprintf(name, sizeof(name), "HTTP/c%d.test", i);
        f = dfacts(name, SPN_DIR_OK, 1, "CONTOSO\\svc-web");
        ok_all = spn_store_dir_put(s, &f, 1, 7000) == 0;
        if (!ok_all)
            break;
    }
    ok(ok_all, "every configured SPN the module looks up has a slot");
    for (i = 0, ok_all = 1; i < SPN_WANT_SLOTS; i++) {
        snprintf(name, sizeof(name), "HTTP/w%d.test", i);
        f = dfacts(name, SPN_DIR_OK, 0, NULL);
        ok_all &= spn_store_dir_put(s, &f, 0, 7100 + i) == 0 && spn_store_dir_get(s, name, &out);
    }
    ok(ok_all, "with them all pinned, a full queue of wanted SPNs is still kept");
    for (i = 0, ok_all = 1; i < SPN_DIR_CONF_MAX; i++) {
        snprintf(name, sizeof(name), "HTTP/c%d.test", i);
        ok_all &= spn_store_dir_get(s, name, &out);
    }
    ok(ok_all, "and no configured one was evicted");
    f = dfacts("HTTP/long", SPN_DIR_OK, 0, NULL);
    memset(f.spn, 'A', sizeof(f.spn));         /* not terminated: stored terminated */
    memcpy(f.spn, "HTTP/", 5);
    spn_store_dir_unpin(s);
    dir_clear(s);
    spn_store_dir_put(s, &f, 0, 9000);
    is_int((int)strlen(spn_store_dir(s)[0].f.spn), (int)sizeof(f.spn) - 1, "an unterminated SPN is cut");
    free(s);
}

/* The directory on the status page: off, on with facts (escaped; JSON
 * contract under "directory"; Prometheus labels only configured SPNs),
 * the self-checks. */
static void test_dirstatus(apr_pool_t *p)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, 0);
    static spn_failure_t recent[4];
    uint32_t nrec;
    static const char *spns[] = { "HTTP/web01.contoso.test@CONTOSO.TEST" };
    spn_dir_spn_t f;
    spn_scope_t sc;
    spn_status_t st;
    spn_checks_t ck;
    spn_buf_t b;
    int i, found;

    memset(&sc, 0, sizeof(sc));
    sc.server = "web01:80";
    sc.svc.spns = spns;
    sc.svc.n_spns = 1;
    sc.svc.account = "CONTOSO\\svc-web";
    memset(&st, 0, sizeof(st));
    st.scopes = &sc;
    st.n_scopes = 1;
    st.version = "test";
    st.store = spn_store_copy(p, s, recent, 4, &nrec);
    st.n_recent = (int)nrec;
    st.recent = recent;
    spn_buf_init(&b, p, 1024);
    spn_status_json(&b, p, &st);
    ok(strstr(b.s, "\"directory\":null") != NULL, "JSON: directory null when off");

    st.dir.uri = "ldap://dc1";
    st.dir.keytab = "/k";
    st.dir.client = "monitor@CONTOSO.TEST";
    f = dfacts("HTTP/web01.contoso.test", SPN_DIR_OK, 1, "CONTOSO\\WEB01$");
    snprintf(f.holders[0].via, sizeof(f.holders[0].via), "HOST/web01.contoso.test");
    f.holders[0].kind = SPN_DIR_KIND_COMPUTER;
    spn_store_dir_put(s, &f, 1, 5000);
    f = dfacts("HTTP/<img>", SPN_DIR_OK, 1, "EVIL\\<b>x");
    spn_store_dir_put(s, &f, 0, 5001);
    s->dir_runs = 1;
    s->dir_state = SPN_DIR_ERROR;
    snprintf(s->dir_error, sizeof(s->dir_error), "cannot reach ldap://dc1 <now>");
    st.store = spn_store_copy(p, s, recent, 4, &nrec), st.n_recent = (int)nrec;

    spn_buf_init(&b, p, 1024);
    spn_status_html(&b, p, &st);
    ok(strstr(b.s, "Directory (SPNCheckDirectory)") && strstr(b.s, "CONTOSO\\WEB01$ (computer, kvno 3, "
       "through HOST/web01.contoso.test)"), "HTML: holders and the path");
    ok(!strstr(b.s, "<img>") && !strstr(b.s, "<b>x") && strstr(b.s, "&lt;b&gt;x") &&
       strstr(b.s, "cannot reach ldap://dc1 &lt;now&gt;"), "HTML: directory values escaped");
    ok(strstr(b.s, "ldapsearch -Y GSSAPI -H ldap://dc1") != NULL, "HTML: the command that checks it");
    ok(strstr(b.s, "spn-holder") && strstr(b.s, "is held by CONTOSO\\WEB01$ (computer through "
       "HOST/web01.contoso.test), not CONTOSO\\svc-web"), "HTML: spn-holder names the holder");

    spn_buf_init(&b, p, 1024);
    spn_status_json(&b, p, &st);
    ok(strstr(b.s, "\"directory\":{\"uri\":\"ldap://dc1\",\"state\":\"error\"") &&
       strstr(b.s, "\"via\":\"HOST/web01.contoso.test\"") && strstr(b.s, "\"facts\":{\"spns\":["),
       "JSON: directory state and the facts contract");

    spn_buf_init(&b, p, 1024);
    spn_status_prometheus(&b, p, &st);
    ok(strstr(b.s, "spncheck_directory_ok 0\n") &&
       strstr(b.s, "spncheck_directory_spn_holders{spn=\"HTTP/web01.contoso.test\"} 1\n"),
       "Prometheus: directory down, configured SPN's holders");
    ok(!strstr(b.s, "img"), "Prometheus: no label from an SPN a client asked for");
    /* issue 19, finding 5: one holder, but the computer account, is not right */
    ok(strstr(b.s, "spncheck_directory_spn_holder_ok{spn=\"HTTP/web01.contoso.test\"} 0\n") &&
       strstr(b.s, "# TYPE spncheck_directory_spn_holder_ok gauge\n"),
       "Prometheus: held by CONTOSO\\WEB01$, not the service account: spn_holder_ok 0");
    ok(strstr(b.s, "spncheck_directory_spn_holder_ok{spn=\"HTTP/web01\"}") == NULL,
       "Prometheus: no judgement of an SPN not looked up yet");
    {
        spn_dir_spn_t g = dfacts("HTTP/web01", SPN_DIR_OK, 1, "CONTOSO\\svc-web");
        spn_store_t *s2 = spn_store_init(calloc(1, spn_store_size(4)), 4, 0);
        spn_status_t st2 = st;
        spn_scope_t sc2 = sc;
        spn_store_dir_put(s2, &g, 1, 5000);
        g = dfacts("HTTP/web01.contoso.test", SPN_DIR_OK, 2, "CONTOSO\\svc-web");
        spn_store_dir_put(s2, &g, 1, 5000);
        s2->dir_runs = 1;
        s2->dir_state = SPN_DIR_SLOW;
        snprintf(s2->dir_error, sizeof(s2->dir_error), "binding took 31 s (its budget is 15 s)");
        st2.store = s2;
        st2.n_recent = 0;
        spn_buf_init(&b, p, 1024);
        spn_status_prometheus(&b, p, &st2);
        ok(strstr(b.s, "spncheck_directory_spn_holder_ok{spn=\"HTTP/web01\"} 1\n") != NULL,
           "Prometheus: the short form held by exactly the service account: 1");
        ok(strstr(b.s, "spncheck_directory_spn_holder_ok{spn=\"HTTP/web01.contoso.test\"} 0\n") &&
           strstr(b.s, "spncheck_directory_spn_holders{spn=\"HTTP/web01.contoso.test\"} 2\n"),
           "Prometheus: two holders, the service account one of them: 0");
        ok(strstr(b.s, "spncheck_directory_ok 0\n") != NULL, "Prometheus: a slow directory is not ok");
        spn_buf_init(&b, p, 1024);
        spn_status_json(&b, p, &st2);
        ok(strstr(b.s, "\"state\":\"slow\",\"error\":\"binding took 31 s (its budget is 15 s)\"") &&
           strstr(b.s, "\"queued\":0"), "JSON: state slow, and why");
        spn_buf_init(&b, p, 1024);
        spn_status_html(&b, p, &st2);
        ok(strstr(b.s, "class=\"warn\">The directory is too slow to serve: binding took 31 s") != NULL,
           "HTML: the slow directory's warning");
        sc2.svc.account = NULL;
        st2.scopes = &sc2;
        spn_buf_init(&b, p, 1024);
        spn_status_prometheus(&b, p, &st2);
        ok(strstr(b.s, "spncheck_directory_spn_holder_ok{") == NULL,
           "Prometheus: no account to judge by: no spn_holder_ok series");
        free(s2);
    }

    /* a recorded NTLM fallback, refined by facts that arrived later */
    {
        spn_failure_t nf = mk(SPN_C_NTLM_FALLBACK, 4000, "NT-LM", "");
        uint32_t sup;
        nf.base_cause = SPN_C_NTLM_FALLBACK;
        nf.kt_kvno_max = -1;
        nf.format = SPN_FMT_NTLMSSP;
        nf.mech_id = SPN_MECH_NTLMSSP;
        snprintf(nf.host, sizeof(nf.host), "alias.contoso.test");
        spn_store_add(s, &nf, &sup);
        f = dfacts("HTTP/alias.contoso.test", SPN_DIR_OK, 0, NULL);
        spn_store_dir_put(s, &f, 0, 5003);
        st.store = spn_store_copy(p, s, recent, 4, &nrec), st.n_recent = (int)nrec;
        spn_buf_init(&b, p, 1024);
        spn_status_json(&b, p, &st);
        ok(strstr(b.s, "\"cause\":\"ntlm-fallback\",\"refined_cause\":\"spn-not-registered\"") != NULL,
           "JSON: a recent failure refined by facts that arrived since");
        spn_buf_init(&b, p, 1024);
        spn_status_html(&b, p, &st);
        ok(strstr(b.s, "<code>spn-not-registered</code> (directory; recorded <code>ntlm-fallback</code>)")
           != NULL, "HTML: the history shows it refined");
    }

    /* self-checks: right holder, kvno and enctypes against the keytab */
    memset(&ck, 0, sizeof(ck));
    spn_selfcheck_dir(p, &sc.svc, s, &ck);
    ok(ck.n == 1 && !strcmp(ck.c[0].id, "spn-holder") && ck.c[0].state == SPN_CHECK_FAIL &&
       !strcmp(ck.c[0].remedy, "setspn -S HTTP/web01.contoso.test CONTOSO\\svc-web"),
       "spn-holder fails, held through HOST/: setspn -S only");
    f = dfacts("HTTP/web01.contoso.test", SPN_DIR_OK, 1, "CONTOSO\\svc-web");
    f.holders[0].kvno = 4;
    f.holders[0].enctypes = 0x10;
    spn_store_dir_put(s, &f, 1, 5002);
    {
        spn_keytab_t kt;
        spn_kt_entry_t e[1];
        memset(&kt, 0, sizeof(kt));
        memset(e, 0, sizeof(e));
        e[0].name = "HTTP/web01.contoso.test";
        e[0].kvno = 3;
        e[0].enctype = ENCTYPE_ARCFOUR_HMAC;
        kt.e = e;
        kt.n = 1;
        kt.path = "/etc/svc.keytab";
        sc.svc.keytab = &kt;
        memset(&ck, 0, sizeof(ck));
        spn_selfcheck_dir(p, &sc.svc, s, &ck);
        sc.svc.keytab = NULL;
    }
    for (i = 0, found = 0; i < ck.n; i++) {
        found += !strcmp(ck.c[i].id, "spn-holder") && ck.c[i].state == SPN_CHECK_PASS;
        found += !strcmp(ck.c[i].id, "kvno-matches-directory") && ck.c[i].state == SPN_CHECK_FAIL &&
                 strstr(ck.c[i].message, "AD's kvno for CONTOSO\\svc-web is 4") != NULL;
        found += !strcmp(ck.c[i].id, "enctypes-match") && ck.c[i].state == SPN_CHECK_FAIL &&
                 strstr(ck.c[i].message, "AES256-CTS-HMAC-SHA1-96") != NULL;
    }
    is_int(found, 3, "spn-holder passes; kvno-matches-directory and enctypes-match fail, with AD's values");
    free(s);
}

/* raw-ntlmssp (issue 19, finding 7): gss-ntlmssp registered with the
 * mechglue, GssapiAllowedMech's values, and the check's states. */
static void test_ntlmssp(apr_pool_t *p)
{
    char dir[] = "/tmp/spn-mechd-XXXXXX", path[512], so[512] = "";
    spn_checks_t ck;
    FILE *f;

    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    ok(!spn_ntlmssp_installed(p, NULL, dir, so, sizeof(so)), "an empty mech.d: not installed");
    snprintf(path, sizeof(path), "%s/mech.ntlmssp.conf", dir);
    f = fopen(path, "w");
    fprintf(f, "# Mechanism Name\tObject Identifier\tShared Library Path\n"
               "gssntlmssp_v1\t\t1.3.6.1.4.1.311.2.2.10\t%s/nosuch.so\n", dir);
    fclose(f);
    ok(!spn_ntlmssp_installed(p, NULL, dir, so, sizeof(so)), "registered, its library absent: not installed");
    snprintf(path, sizeof(path), "%s/gssntlmssp.so", dir);
    fclose(fopen(path, "w"));
    snprintf(path, sizeof(path), "%s/mech.ntlmssp.conf", dir);
    f = fopen(path, "w");
    fprintf(f, "gssntlmssp_v1\t\t1.3.6.1.4.1.311.2.2.10\t%s/gssntlmssp.so\n", dir);
    fclose(f);
    ok(spn_ntlmssp_installed(p, NULL, dir, so, sizeof(so)) && strstr(so, "/gssntlmssp.so"),
       "registered with its library: installed (%s)", so);
    snprintf(path, sizeof(path), "%s/mech.ntlmssp.conf.disabled", dir);
    rename(apr_pstrcat(p, dir, "/mech.ntlmssp.conf", NULL), path);
    ok(!spn_ntlmssp_installed(p, NULL, dir, so, sizeof(so)), "a file not named *.conf: not read");
    ok(spn_ntlmssp_installed(p, path, NULL, so, sizeof(so)), "the single mech file (/etc/gss/mech) too");
    unlink(path);
    unlink(apr_pstrcat(p, dir, "/gssntlmssp.so", NULL));
    rmdir(dir);

    ok(!spn_mechs_admit_ntlmssp("krb5"), "GssapiAllowedMech krb5: NTLMSSP kept out");
    ok(!spn_mechs_admit_ntlmssp("krb5 iakerb"), "krb5 iakerb: kept out");
    ok(spn_mechs_admit_ntlmssp("krb5 ntlmssp"), "krb5 ntlmssp: admitted");
    ok(spn_mechs_admit_ntlmssp("\"NTLMSSP\""), "\"NTLMSSP\": admitted");
    ok(spn_mechs_admit_ntlmssp("1.3.6.1.4.1.311.2.2.10"), "its OID: admitted");
    ok(!spn_mechs_admit_ntlmssp("ntlmsspx"), "ntlmsspx: not the mechanism");

    memset(&ck, 0, sizeof(ck));
    spn_selfcheck_ntlmssp(p, SPN_NTLMSSP_NA, NULL, NULL, &ck);
    is_int(ck.n, 0, "not a mod_auth_gssapi scope: no raw-ntlmssp check");
    spn_selfcheck_ntlmssp(p, SPN_NTLMSSP_OPEN, "/usr/lib/x/gssntlmssp.so", NULL, &ck);
    ok(ck.n == 1 && strcmp(ck.c[0].id, "raw-ntlmssp") == 0 && ck.c[0].state == SPN_CHECK_WARN &&
       strncmp(ck.c[0].remedy, "GssapiAllowedMech krb5 ", 23) == 0 &&
       strstr(ck.c[0].message, "/usr/lib/x/gssntlmssp.so"),
       "open: warn, names the library, the remedy is the line");
    spn_selfcheck_ntlmssp(p, SPN_NTLMSSP_KRB5, NULL, NULL, &ck);
    spn_selfcheck_ntlmssp(p, SPN_NTLMSSP_ABSENT, NULL, NULL, &ck);
    ok(ck.n == 3 && ck.c[1].state == SPN_CHECK_PASS && ck.c[2].state == SPN_CHECK_PASS,
       "kept out, or not installed: pass");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_ring();
    test_ratelimit();
    test_render(p);
    test_prom_label(p);
    test_mechs();
    test_directory(p);
    test_dirstatus(p);
    test_ntlmssp(p);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

/* test_scale.c: a store sized from the configuration (issue 21): 5,000
 * scopes, every configured SPN in the directory, every probe target;
 * the copy readers get holds it all; a graceful restart into other
 * dimensions keeps the history (spn_store_migrate); scopes past
 * SPNCheckMaxScopes are named on the status page. */
#include "tap.h"
#include "spn_status.h"
#include "spn_mechcount.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static spn_dir_spn_t dfacts(const char *spn, const char *holder)
{
    spn_dir_spn_t f;
    memset(&f, 0, sizeof(f));
    snprintf(f.spn, sizeof(f.spn), "%s", spn);
    f.state = SPN_DIR_OK;
    f.n_holders = 1;
    f.checked_at = 5000;
    snprintf(f.holders[0].account, sizeof(f.holders[0].account), "%s", holder);
    return f;
}

static spn_failure_t fail(int cause, int64_t t, const char *ref)
{
    spn_failure_t f;
    memset(&f, 0, sizeof(f));
    f.cause = cause;
    f.base_cause = cause;
    f.time = t;
    f.kvno = -1;
    snprintf(f.ref, sizeof(f.ref), "%s", ref);
    snprintf(f.spn, sizeof(f.spn), "HTTP/web01.contoso.test");
    return f;
}

/* 5,000 virtual hosts, each with its own SPN in both name forms. */
static void test_5000(apr_pool_t *p)
{
    spn_store_dims_t d = { 1000, 5000, 10000, 10000 };
    spn_store_t *s = spn_store_init_dims(calloc(1, spn_store_size_dims(&d)), &d, 1000);
    spn_store_t *copy;
    spn_failure_t rec[4];
    spn_dir_spn_t f, out;
    char name[64];
    uint32_t n;
    int i, all;

    ok(s->n_mechs == 5000 && s->n_probe_slots == 10000 && s->n_dir_slots == 10000 + SPN_WANT_SLOTS,
       "5,000 scopes: a slot for each scope, probe target and configured SPN");
    for (i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "v%d.contoso.test:80", i);
        spn_mech_name_slot(s, i, name);
    }
    spn_funnel_success(s, 4999, SPN_MC_KRB5, SPN_ET_AES256, 0);
    spn_funnel_failure(s, 4999, SPN_C_KVNO_MISMATCH);
    spn_mech_count(s, 4999, SPN_MC_NTLM);
    spn_mech_count(s, 5000, SPN_MC_NTLM);       /* past the configuration: ignored */
    ok(spn_store_mechs(s)[4999].n[SPN_MC_KRB5] == 1 && spn_store_mechs(s)[4999].n[SPN_MC_NTLM] == 1 &&
       spn_store_mechs(s)[4999].failures[SPN_C_KVNO_MISMATCH] == 1,
       "the 5,000th scope is counted (was: only the first 64)");
    for (i = 0, all = 1; i < 10000; i++) {
        snprintf(name, sizeof(name), i % 2 ? "HTTP/v%d" : "HTTP/v%d.contoso.test", i / 2);
        f = dfacts(name, "CONTOSO\\svc-web");
        all &= spn_store_dir_put(s, &f, 1, 5000) == 0;
    }
    ok(all, "every configured SPN (10,000: both forms of 5,000) has a pinned slot");
    for (i = 0, all = 1; i < SPN_WANT_SLOTS; i++) {
        snprintf(name, sizeof(name), "HTTP/wanted%d.contoso.test", i);
        f = dfacts(name, "CONTOSO\\other");
        all &= spn_store_dir_put(s, &f, 0, 5001) == 0;
    }
    ok(all, "and a full queue of wanted ones besides");
    for (i = 0, all = 1; i < 10000; i += 997) {
        snprintf(name, sizeof(name), i % 2 ? "HTTP/V%d" : "http/v%d.CONTOSO.test", i / 2);
        all &= spn_store_dir_get(s, name, &out) && !strcmp(out.holders[0].account, "CONTOSO\\svc-web");
    }
    ok(all, "found again through the index, without case");
    ok(!spn_store_dir_get(s, "HTTP/nosuch.contoso.test", &out), "an SPN never looked up: none");
    f = dfacts("HTTP/one-more.contoso.test", "X\\y");
    ok(spn_store_dir_put(s, &f, 0, 5002) == 0 && spn_store_dir_get(s, "HTTP/one-more.contoso.test", &out) &&
       !spn_store_dir_get(s, "HTTP/wanted0.contoso.test", &out) &&
       spn_store_dir_get(s, "HTTP/v0.contoso.test", &out),
       "full: the least recently used wanted one goes, no configured one");
    spn_store_probes(s)[9999].ok = 1;
    snprintf(spn_store_probes(s)[9999].spn, sizeof(spn_store_probes(s)[9999].spn), "HTTP/v4999");
    s->n_probes = 10000;
    {
        uint32_t sup;
        spn_failure_t x = fail(SPN_C_KVNO_MISMATCH, 1001, "R1");
        spn_store_add(s, &x, &sup);
    }
    copy = spn_store_copy(p, s, rec, 4, &n);
    ok(n == 1 && copy->n_mechs == 5000 && spn_store_mechs(copy)[4999].n[SPN_MC_KRB5] == 1 &&
       !strcmp(spn_store_mechs(copy)[4999].scope, "v4999.contoso.test:80"),
       "the readers' copy holds every scope's counts");
    ok(!strcmp(spn_store_probes(copy)[9999].spn, "HTTP/v4999") && copy->n_probes == 10000,
       "and every probe result");
    ok(spn_store_dir_get(copy, "HTTP/v4999", &out) && spn_store_dir_peek(copy, "HTTP/v4999.contoso.test"),
       "and the directory's facts, found through its index");
    ok(copy->capacity == 1000 && copy->counters[SPN_C_KVNO_MISMATCH] == 1,
       "and the header (the ring itself is not copied)");
    {
        /* in pieces (a lock each): whole records, none much over the piece size */
        spn_store_t *h = calloc(1, (size_t)s->off_ring);
        uint64_t at = 0, prev;
        int pieces = 0, small = 1;
        do {
            prev = at;
            at = spn_store_copy_part(h, s, at);
            small &= prev == 0 || at - prev <= SPN_STORE_COPY_PIECE + sizeof(spn_dir_slot_t) + 64;
            pieces++;
        } while (at < s->off_ring && pieces < 100000);
        ok(at == s->off_ring && memcmp(h, s, (size_t)s->off_ring) == 0,
           "copied in pieces: the same bytes (%d pieces)", pieces);
        ok(small && pieces > 100, "each piece holds the lock for a bounded copy");
        free(h);
    }
    free(s);
}

/* A graceful restart into other dimensions (issue 21): everything kept
 * that fits; each scope's counts follow its name, not its index. */
static void test_migrate(apr_pool_t *p)
{
    spn_store_dims_t d1 = { 8, 3, 2, 2 }, d2 = { 4, 4, 1, 1 }, d3 = { 16, 5, 4, 4 };
    spn_store_t *a = spn_store_init_dims(calloc(1, spn_store_size_dims(&d1)), &d1, 1000);
    spn_store_t *b = spn_store_init_dims(calloc(1, spn_store_size_dims(&d2)), &d2, 2000);
    spn_store_t *c = spn_store_init_dims(calloc(1, spn_store_size_dims(&d3)), &d3, 3000);
    spn_dir_spn_t f, out;
    uint32_t sup, bk[SPN_C_COUNT];
    char why[160], ref[16];
    int i;

    for (i = 1; i <= 6; i++) {
        spn_failure_t x;
        snprintf(ref, sizeof(ref), "R%d", i);
        x = fail(i % 2 ? SPN_C_KVNO_MISMATCH : SPN_C_SPN_UNKNOWN, 1000 + i, ref);
        spn_store_add(a, &x, &sup);
    }
    a->tokenless = 42;
    spn_store_event(a, SPN_EV_KEYTAB_RELOAD, 0, 0, 7, "/etc/web.keytab", 1003);
    spn_mech_name_slot(a, 0, "a:80");
    spn_mech_name_slot(a, 1, "b:80");
    spn_mech_name_slot(a, 2, "gone:80");
    spn_mech_count(a, 0, SPN_MC_KRB5);
    spn_mech_count(a, 1, SPN_MC_NTLM);
    spn_mech_count(a, 1, SPN_MC_NTLM);
    spn_mech_count(a, 2, SPN_MC_OTHER);
    spn_funnel_failure(a, 1, SPN_C_KVNO_MISMATCH);
    f = dfacts("HTTP/b.contoso.test", "CONTOSO\\svc-b");
    spn_store_dir_put(a, &f, 1, 1004);
    f = dfacts("HTTP/wanted.contoso.test", "CONTOSO\\x");
    spn_store_dir_put(a, &f, 0, 1005);
    spn_store_probes(a)[0].ok = 1;
    spn_store_probes(a)[1].ok = 0;
    a->n_probes = 2;
    a->probe_runs = 3;

    ok(spn_store_mismatch_dims(a, spn_store_size_dims(&d1), &d2, why, sizeof(why)) &&
       !strcmp(why, "capacity 8 -> 4") && spn_store_migratable(a, spn_store_size_dims(&d1)),
       "other dimensions: a mismatch (%s), yet migratable", why);
    {
        spn_store_dims_t d1b = d1;
        d1b.mechs = 1000;
        ok(spn_store_mismatch_dims(a, spn_store_size_dims(&d1), &d1b, why, sizeof(why)) &&
           !strcmp(why, "scopes 3 -> 1000"), "more scopes: %s", why);
    }
    ok(!spn_store_migratable(a, spn_store_size_dims(&d1) - 1), "a block of the wrong size is not");
    /* the new configuration: b, a, new (another order), gone removed */
    spn_mech_name_slot(b, 0, "b:80");
    spn_mech_name_slot(b, 1, "a:80");
    spn_mech_name_slot(b, 2, "new:80");
    spn_mech_name_slot(b, 3, "new2:80");
    spn_store_migrate(p, b, a);
    ok(b->capacity == 4 && b->n_mechs == 4 && b->n_probe_slots == 1 && b->dir_conf == 1,
       "migrated: the new dimensions");
    ok(b->counters[SPN_C_KVNO_MISMATCH] == 3 && b->counters[SPN_C_SPN_UNKNOWN] == 3 &&
       b->tokenless == 42 && b->started == 1000 && b->next_seq == 7, "counters kept");
    ok(spn_store_recent(b, 0) && !strcmp(spn_store_recent(b, 0)->ref, "R6") &&
       spn_store_recent(b, 3) && !strcmp(spn_store_recent(b, 3)->ref, "R3") &&
       !spn_store_recent(b, 4) && spn_store_find(b, "R4") && !spn_store_find(b, "R2"),
       "the newest failures that fit kept, in order");
    ok(spn_store_bucket(b, 60, 1003, bk) == 6, "the chart's buckets kept");
    ok(spn_store_event_recent(b, 0) && !strcmp(spn_store_event_recent(b, 0)->what, "/etc/web.keytab"),
       "events kept");
    ok(spn_store_mechs(b)[0].n[SPN_MC_NTLM] == 2 && spn_store_mechs(b)[0].failures[SPN_C_KVNO_MISMATCH] == 1 &&
       spn_store_mechs(b)[1].n[SPN_MC_KRB5] == 1, "each scope's counts follow its name (b, a)");
    ok(spn_store_mechs(b)[2].n[SPN_MC_OTHER] == 0 && !strcmp(spn_store_mechs(b)[2].scope, "new:80"),
       "a new scope starts at zero; a removed one's counts are not inherited");
    ok(b->n_probes == 1 && spn_store_probes(b)[0].ok == 1 && b->probe_runs == 3,
       "the probe's results, as many as fit");
    ok(spn_store_dir_get(b, "HTTP/b.contoso.test", &out) && b->dir_used == 2 &&
       spn_store_dir_get(b, "HTTP/wanted.contoso.test", &out), "the directory's facts kept");
    {
        spn_failure_t x = fail(SPN_C_KVNO_MISMATCH, 1010, "R7");
        spn_store_add(b, &x, &sup);
        ok(x.seq == 7 && !strcmp(spn_store_recent(b, 0)->ref, "R7") &&
           !strcmp(spn_store_recent(b, 1)->ref, "R6"), "and the ring goes on where it was");
    }
    /* and larger again: nothing lost that the smaller block held */
    spn_mech_name_slot(c, 0, "a:80");
    spn_store_migrate(p, c, b);
    ok(spn_store_recent(c, 3) && !strcmp(spn_store_recent(c, 3)->ref, "R4") && !spn_store_recent(c, 4),
       "larger: every failure the smaller block held");
    ok(spn_store_mechs(c)[0].n[SPN_MC_KRB5] == 1 && c->n_probes == 1, "and its counts");
    free(a);
    free(b);
    free(c);
}

/* SPNCheckMaxScopes passed: the page names what is not covered. */
static void test_uncovered(apr_pool_t *p)
{
    static const char *names[] = { "v50.test:80", "v51.test:80/<b>" };
    spn_status_t st;
    spn_buf_t b;

    memset(&st, 0, sizeof(st));
    st.version = "test";
    st.max_scopes = 50;
    spn_buf_init(&b, p, 1024);
    spn_status_json(&b, p, &st);
    ok(strstr(b.s, "\"uncovered_scopes\":{\"max_scopes\":50,\"count\":0,\"first\":[]}") != NULL,
       "JSON: none uncovered");
    spn_buf_init(&b, p, 1024);
    spn_status_html(&b, p, &st);
    ok(!strstr(b.s, "not covered"), "HTML: no line when all are covered");
    st.n_uncovered = 150;
    st.n_uncovered_shown = 2;
    st.uncovered = names;
    spn_buf_init(&b, p, 1024);
    spn_status_json(&b, p, &st);
    ok(strstr(b.s, "\"uncovered_scopes\":{\"max_scopes\":50,\"count\":150,"
                   "\"first\":[\"v50.test:80\",\"v51.test:80/\\u003cb>\"]}") != NULL,
       "JSON: how many and the first");
    spn_buf_init(&b, p, 1024);
    spn_status_html(&b, p, &st);
    ok(strstr(b.s, "<b>150 scopes are not covered</b> (SPNCheckMaxScopes 50") &&
       strstr(b.s, "<code>v50.test:80</code>, <code>v51.test:80/&lt;b&gt;</code> and 148 more"),
       "HTML: one line, escaped");
    spn_buf_init(&b, p, 1024);
    spn_status_prometheus(&b, p, &st);
    ok(strstr(b.s, "\nspncheck_scopes_uncovered 150\n") != NULL, "Prometheus: the count");
    /* what an uncovered scope lacks, as it is: its other self-checks run */
    ok(!strstr(b.s, "not counted, self-checked"), "Prometheus HELP: uncovered scopes are self-checked");
    spn_buf_init(&b, p, 1024);
    spn_status_html(&b, p, &st);
    ok(strstr(b.s, "kerberos-share and rc4-tickets self-checks") != NULL,
       "HTML: both self-checks that need the counts are named");
}

/* Two scopes whose labels share the mech slot's first 63 bytes (kept
 * cut): a restart that reorders them moves neither's counts into the
 * other's slot (hostile review: the second name overwrote the first in
 * the index and A's slot got B's sign-ins), and each keeps its own (the
 * slot keeps the whole label's hash). */
static void test_migrate_cut(apr_pool_t *p)
{
    spn_store_dims_t d = { 4, 3, 0, 0 };
    spn_store_t *a = apr_pcalloc(p, spn_store_size_dims(&d));
    spn_store_t *b = apr_pcalloc(p, spn_store_size_dims(&d));
    char la[240], lb[240];

    memset(la, 'x', 200);
    memcpy(la, "web:443/", 8);
    la[200] = '\0';
    strcpy(lb, la);
    strcat(la, "/a");
    strcat(lb, "/b");
    spn_store_init_dims(a, &d, 1000);
    spn_store_init_dims(b, &d, 2000);
    spn_mech_name_slot(a, 0, la);
    spn_mech_name_slot(a, 1, lb);
    spn_mech_name_slot(a, 2, "c:80");
    spn_store_mechs(a)[0].n[SPN_MC_KRB5] = 5;
    spn_store_mechs(a)[1].n[SPN_MC_KRB5] = 7;
    spn_store_mechs(a)[2].n[SPN_MC_KRB5] = 9;
    /* the new configuration: another order */
    spn_mech_name_slot(b, 0, "c:80");
    spn_mech_name_slot(b, 1, lb);
    spn_mech_name_slot(b, 2, la);
    spn_store_migrate(p, b, a);
    ok(spn_store_mechs(b)[0].n[SPN_MC_KRB5] == 9, "cut names: c's counts follow it");
    ok(spn_store_mechs(b)[1].n[SPN_MC_KRB5] != 5 && spn_store_mechs(b)[2].n[SPN_MC_KRB5] != 7,
       "cut names: neither gets the other's counts (%llu, %llu)",
       (unsigned long long)spn_store_mechs(b)[1].n[SPN_MC_KRB5],
       (unsigned long long)spn_store_mechs(b)[2].n[SPN_MC_KRB5]);
    ok(spn_store_mechs(b)[1].n[SPN_MC_KRB5] == 7 && spn_store_mechs(b)[2].n[SPN_MC_KRB5] == 5,
       "cut names: each keeps its own counts (the whole label's hash tells them apart)");

    /* one label twice (two IP vhosts with one ServerName:port): neither's */
    {
        spn_store_t *t1 = apr_pcalloc(p, spn_store_size_dims(&d));
        spn_store_t *t2 = apr_pcalloc(p, spn_store_size_dims(&d));
        spn_store_init_dims(t1, &d, 1000);
        spn_store_init_dims(t2, &d, 2000);
        spn_mech_name_slot(t1, 0, "twin:80");
        spn_mech_name_slot(t1, 1, "twin:80");
        spn_store_mechs(t1)[0].n[SPN_MC_KRB5] = 3;
        spn_store_mechs(t1)[1].n[SPN_MC_KRB5] = 4;
        spn_mech_name_slot(t2, 0, "twin:80");
        spn_mech_name_slot(t2, 1, "twin:80");
        spn_store_migrate(p, t2, t1);
        ok(spn_store_mechs(t2)[0].n[SPN_MC_KRB5] == 0 && spn_store_mechs(t2)[1].n[SPN_MC_KRB5] == 0,
           "one label twice: neither slot's counts move (which is which cannot be told)");
    }

    /* the same dimensions, the two swapped: the kept block is not theirs
     * to keep (spn_store_renamed); a plain reorder and an unchanged
     * configuration as before */
    {
        const char *same[] = { la, lb, "c:80" }, *swapped[] = { lb, la, "c:80" },
                   *moved[] = { "c:80", "d:80", "e:80" }, *plain[] = { "a:80", "b:80" };
        spn_store_t *c = apr_pcalloc(p, spn_store_size_dims(&d));
        const char *twins[] = { "t:80", "t:80" };
        ok(spn_store_renamed(p, a, swapped, 3) == 0,
           "cut names swapped, same dimensions: renamed at 1 (their counts move)");
        ok(spn_store_renamed(p, a, same, 3) == -1,
           "cut names in the same order: kept as it is (the hash tells them apart)");
        ok(spn_store_renamed(p, a, moved, 3) == 0, "another name: renamed at 1");
        spn_store_init_dims(c, &d, 1000);
        spn_mech_name_slot(c, 0, "a:80");
        spn_mech_name_slot(c, 1, "b:80");
        ok(spn_store_renamed(p, c, plain, 2) == -1, "the same names: kept as it is");
        ok(spn_store_renamed(p, c, same, 3) == 0, "a name changed: renamed at 1");
        spn_mech_name_slot(c, 0, "t:80");
        spn_mech_name_slot(c, 1, "t:80");
        ok(spn_store_renamed(p, c, twins, 2) == 0, "one label twice: not sure (moved)");
    }
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_5000(p);
    test_migrate(p);
    test_migrate_cut(p);
    test_uncovered(p);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

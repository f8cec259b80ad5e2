/* test_statcache.c: the default status page's verdicts kept between
 * scrapes (issue 21, spn_statcache.h): reused while nothing they depend on
 * changed, run again when one input did (the keytab's version, the
 * scope's sign-in counts or ticket enctypes, the directory's facts, the
 * configuration's generation), never one scope's under another's; and the
 * page built from them is the page built without them, byte for byte. */
#include "tap.h"
#include "spn_chart.h"
#include "spn_statcache.h"
#include "spn_status.h"
#include "statfarm.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 300

/* the "files": what each scope's keytab holds now */
static const spn_keytab_t *disk[N];

static void load(void *ctx, int i, spn_scope_t *sc, apr_pool_t *p)
{
    (void)ctx;
    (void)p;
    sc->svc.keytab = disk[i];
}

static void full(const spn_status_t *st, int i, apr_pool_t *p, spn_checks_t *out)
{
    spn_scope_t sc = st->scopes[i];
    sc.svc.keytab = disk[i];
    spn_scope_checks(p, &sc, st->store, out);
}

/* every verdict is what the checks say now */
static int all_fresh(apr_pool_t *p, const spn_status_t *st, const spn_verdict_t *v)
{
    int i, bad = 0;
    for (i = 0; i < st->n_scopes; i++) {
        spn_checks_t ck;
        spn_verdict_t w;
        full(st, i, p, &ck);
        spn_verdict_of(&w, &ck);
        bad += memcmp(&w, &v[i], sizeof(w)) != 0;
    }
    return bad;
}

static int state_of(const spn_verdict_t *v, const char *id)
{
    int j;
    for (j = 0; j < v->n; j++)
        if (strcmp(v->id[j], id) == 0)
            return v->state[j];
    return -1;
}

int main(void)
{
    apr_pool_t *p, *cp;
    spn_status_t st;
    spn_statcache_t *c;
    spn_scope_t *sc;
    const spn_verdict_t *v;
    uint64_t ktver[N], mech[N][SPN_MC_N];
    spn_mech_slot_t funnel[N];
    spn_store_t *store;
    unsigned long runs;
    int i, nf, nw;

    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&cp, NULL);
    store = spn_store_init(calloc(1, spn_store_size(4)), 4, 1800000000);
    sc = farm(p, N, &nf, &nw);
    memset(funnel, 0, sizeof(funnel));
    for (i = 0; i < N; i++) {
        disk[i] = sc[i].svc.keytab;
        sc[i].svc.keytab = NULL;            /* loaded through load(), as the module does */
        ktver[i] = 1;
        mech[i][SPN_MC_KRB5] = 100, mech[i][SPN_MC_NTLM] = 0, mech[i][SPN_MC_OTHER] = 0;
        sc[i].mech_counts = mech[i];
        sc[i].ntlm_share_max = 20;
        funnel[i].etypes[SPN_ET_AES256] = 100;
        sc[i].funnel = &funnel[i];
    }
    memset(&st, 0, sizeof(st));
    st.scopes = sc;
    st.n_scopes = N;
    st.store = store;
    st.now = 1800000000;
    st.version = "mod_spncheck/test";

    c = spn_statcache_make(cp, N);
    ok(spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL) != NULL, "first scrape: verdicts");
    is_int(spn_statcache_runs(c), N, "first scrape: every scope's checks ran (%d)", N);
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), N, "nothing changed: no check ran again");
    is_int(all_fresh(p, &st, v), 0, "... and every verdict is what the checks say now");
    is_int(state_of(&v[5], "keytab-readable"), SPN_CHECK_FAIL, "scope 5 fails keytab-readable");
    is_int(state_of(&v[3], "both-forms"), SPN_CHECK_WARN, "scope 3 warns both-forms");

    /* the keytab: rewritten (a new version) */
    runs = spn_statcache_runs(c);
    disk[8] = disk[5];                      /* scope 8's file now: none */
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs, "keytab changed, version not yet: kept (the caller's stat says when)");
    ktver[8] = 2;
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + 1, "keytab's version changed: that scope's checks ran again");
    is_int(state_of(&v[8], "keytab-readable"), SPN_CHECK_FAIL, "... and it fails now");
    is_int(all_fresh(p, &st, v), 0, "... every verdict fresh");
    disk[8] = disk[9];
    ktver[8] = 0;                           /* cannot be stat()ed: never trusted */
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + 3, "version 0 (unknown): its checks run every scrape");
    is_int(state_of(&v[8], "keytab-readable"), SPN_CHECK_PASS, "... and see the file as it is");
    ktver[8] = 3;
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);

    /* the sign-in counts (kerberos-share) */
    runs = spn_statcache_runs(c);
    mech[10][SPN_MC_NTLM] = 900;
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + 1, "a scope's sign-in counts changed: its checks ran again");
    is_int(state_of(&v[10], "kerberos-share"), SPN_CHECK_WARN, "... kerberos-share warns now");
    sc[11].mech_counts = NULL;
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + 2, "a scope's counts gone: ran again");
    is_int(state_of(&v[11], "kerberos-share"), -1, "... no kerberos-share check");

    /* the tickets' enctypes (rc4-tickets) */
    runs = spn_statcache_runs(c);
    funnel[12].etypes[SPN_ET_RC4] = 7;
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + 1, "a scope's ticket enctypes changed: ran again");
    is_int(state_of(&v[12], "rc4-tickets"), SPN_CHECK_WARN, "... rc4-tickets warns now");
    is_int(all_fresh(p, &st, v), 0, "... every verdict fresh");

    /* the directory's facts */
    runs = spn_statcache_runs(c);
    is_int(spn_statcache_dir_digest(store) == 0, 1, "no directory facts: digest 0");
    {
        spn_dir_spn_t f;
        memset(&f, 0, sizeof(f));
        apr_cpystrn(f.spn, "HTTP/app20.contoso.com", sizeof(f.spn));
        f.state = SPN_DIR_OK;
        f.checked_at = 1800000000;
        f.n_holders = 0;                    /* nobody holds it */
        ok(spn_store_dir_put(store, &f, 1, 1800000000) == 0, "a directory fact about scope 20's SPN");
    }
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + N, "directory facts changed: every scope's checks ran again");
    is_int(state_of(&v[20], "spn-holder"), SPN_CHECK_FAIL, "... scope 20's spn-holder fails");
    is_int(state_of(&v[21], "spn-holder"), -1, "... scope 21 has no directory check");
    v = spn_statcache_verdicts(c, p, &st, 1, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + N, "the same facts: kept");

    /* the configuration */
    runs = spn_statcache_runs(c);
    v = spn_statcache_verdicts(c, p, &st, 2, ktver, load, NULL);
    is_int(spn_statcache_runs(c), runs + N, "a new configuration generation: every scope ran again");
    is_int(all_fresh(p, &st, v), 0, "... every verdict fresh");
    {
        spn_status_t other = st;
        other.n_scopes = N - 1;
        ok(spn_statcache_verdicts(c, p, &other, 2, ktver, load, NULL) == NULL,
           "another number of scopes: no verdicts (not another configuration's)");
    }

    /* labels cut to the same prefix (t/cutlabel.t): verdicts go by scope,
     * not by label */
    {
        const char *lng = "a-very-long-virtual-host-name-that-fills-the-store-field-of-one-hundred-"
                          "and-twenty-eight-bytes.contoso.com:443";
        runs = spn_statcache_runs(c);
        sc[30].server = sc[31].server = lng;
        sc[30].location = "/same-prefix-padding-padding-padding-padding-one";
        sc[31].location = "/same-prefix-padding-padding-padding-padding-two";
        disk[31] = NULL;                    /* scope 31 fails, 30 passes */
        ktver[30]++, ktver[31]++;
        v = spn_statcache_verdicts(c, p, &st, 2, ktver, load, NULL);
        is_int(state_of(&v[30], "keytab-readable"), SPN_CHECK_PASS, "cut labels: the first passes");
        is_int(state_of(&v[31], "keytab-readable"), SPN_CHECK_FAIL, "cut labels: the second fails");
    }

    /* the scopes by label (each failure's scope without a walk): the same
     * answers as the walk, cut labels shared by two scopes are nobody's */
    {
        const struct apr_hash_t *h = spn_status_label_index(p, sc, N);
        char field[SPN_LABEL_FIELD];
        apr_cpystrn(field, "app40.contoso.com:443", sizeof(field));
        is_int(spn_status_label_lookup(h, field, sizeof(field)), 40, "by label: app40's scope");
        apr_cpystrn(field, "app42.contoso.com:443/app42", sizeof(field));
        is_int(spn_status_label_lookup(h, field, sizeof(field)), 42, "by label: with its location");
        apr_cpystrn(field, "app42.contoso.com:443", sizeof(field));
        is_int(spn_status_label_lookup(h, field, sizeof(field)), -1,
               "by label: the vhost without the location is not that scope");
        apr_cpystrn(field, apr_pstrcat(p, sc[30].server, sc[30].location, NULL), sizeof(field));
        is_int(spn_status_label_lookup(h, field, sizeof(field)), -1,
               "by label: a cut label two scopes share is nobody's");
        is_int(spn_status_label_lookup(h, apr_pstrcat(p, sc[31].server, sc[31].location, NULL),
                                       SPN_LABEL_FIELD), -1, "... nor is the full label");
    }

    /* JSON with recent failures: the same bytes with the label index as
     * with the walk (a unique scope, a cut label two share, none) */
    {
        static spn_failure_t rec[3];
        spn_buf_t a, b;
        spn_status_t with = st, without = st;
        spn_scope_t *loaded = apr_pmemdup(p, sc, sizeof(*sc) * N);
        memset(rec, 0, sizeof(rec));
        for (i = 0; i < 3; i++) {
            rec[i].kvno = -1;
            rec[i].cause = SPN_C_NO_SERVICE_KEY;
            snprintf(rec[i].ref, sizeof(rec[i].ref), "REF%d", i);
            apr_cpystrn(rec[i].spn, "HTTP/x.contoso.com", sizeof(rec[i].spn));
        }
        apr_cpystrn(rec[0].scope, "app44.contoso.com:443", sizeof(rec[0].scope));
        apr_cpystrn(rec[1].scope, apr_pstrcat(p, sc[30].server, sc[30].location, NULL),
                    sizeof(rec[1].scope));
        apr_cpystrn(rec[2].scope, "gone.contoso.com:443", sizeof(rec[2].scope));
        for (i = 0; i < N; i++)
            loaded[i].svc.keytab = disk[i];
        with.scopes = without.scopes = loaded;
        with.recent = without.recent = rec;
        with.n_recent = without.n_recent = 3;
        with.by_label = spn_status_label_index(p, loaded, N);
        spn_buf_init(&a, p, 1 << 16);
        spn_buf_init(&b, p, 1 << 16);
        spn_status_json(&a, p, &with);
        spn_status_json(&b, p, &without);
        ok(a.len == b.len && memcmp(a.s, b.s, a.len) == 0,
           "JSON with the label index is byte for byte JSON without (%zu bytes)", a.len);
        ok(strstr(a.s, "\"ref\":\"REF1\"") != NULL, "... with the recent failures");
    }

    /* the default page from the verdicts is the page without them */
    {
        spn_buf_t a, b;
        spn_status_t with = st, without = st;
        spn_scope_t *loaded = apr_pmemdup(p, sc, sizeof(*sc) * N);
        for (i = 0; i < N; i++)
            loaded[i].svc.keytab = disk[i];
        without.scopes = loaded;
        with.verdicts = spn_statcache_verdicts(c, p, &st, 2, ktver, load, NULL);
        with.full = full;
        spn_buf_init(&a, p, 1 << 16);
        spn_buf_init(&b, p, 1 << 16);
        spn_status_html(&a, p, &with);
        spn_status_html(&b, p, &without);
        ok(a.len == b.len && memcmp(a.s, b.s, a.len) == 0,
           "the default page from kept verdicts is byte for byte the page without (%zu bytes)", a.len);
        ok(strstr(a.s, "fails for ") != NULL && strstr(a.s, "kerberos-share") != NULL,
           "... with its headline and the warnings' findings");
    }
    free(store);
    apr_pool_destroy(cp);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

/* test_dirdiag.c: a diagnosis refined by the directory's facts (issue 11,
 * src/spn_dirdiag.c), with hand-built facts and the real tickets of
 * diag_build.h: the KB1077 path, a holder on another account,
 * keytab-stale, kvno and enctype facts, NTLM refined, what each detail
 * level shows, and which names a failure may ask the directory about. */
#include "diag_build.h"
#include "spn_dirdiag.h"
#include "spn_render.h"
#include "spn_store.h"

/* ---- the directory's refinement (issue 11), with hand-built facts ---- */

/* A failure meets the store as in the module: what it asks decided first
 * (spn_dir_ask, no lock), the store noted (lock held there), then d
 * refined with the facts copied out.  Returns 1 when refined. */
static int dnote(spn_store_t *st, spn_diag_t *dd, const char *account, const char *host,
                 int64_t now, const spn_dir_ours_t *ours)
{
    spn_dir_ask_t a;
    spn_dir_spn_t fa;

    spn_dir_ask(&a, dd, host, ours);
    if (!spn_store_dir_note(st, &a, "192.0.2.1", now, &fa))
        return 0;
    spn_dir_refine(dd, account, &fa);
    return dd->dir_state == SPN_DIR_OK;
}

static spn_dir_spn_t facts(const char *spn, int n, ...)
{
    spn_dir_spn_t f;
    va_list ap;
    int i;

    memset(&f, 0, sizeof f);
    apr_cpystrn(f.spn, spn, sizeof f.spn);
    f.state = SPN_DIR_OK;
    f.checked_at = NOW - 30;
    f.n_holders = n;
    va_start(ap, n);
    for (i = 0; i < n && i < SPN_DIR_MAX_HOLDERS; i++) {     /* account, kind, via, kvno, enctypes */
        spn_dir_holder_t *h = &f.holders[i];
        const char *acct = va_arg(ap, const char *), *bs = strchr(acct, '\\');
        apr_cpystrn(h->account, acct, sizeof h->account);
        apr_cpystrn(h->sam, bs ? bs + 1 : acct, sizeof h->sam);
        h->kind = va_arg(ap, int);
        apr_cpystrn(h->via, va_arg(ap, const char *), sizeof h->via);
        h->kvno = va_arg(ap, int);
        h->enctypes = va_arg(ap, int);
    }
    va_end(ap);
    return f;
}

static const char *page(int detail)
{
    spn_buf_t b;
    spn_buf_init(&b, pool, 8192);
    spn_render_page(&b, &d, &svc, detail, "ABCD-EFGH");
    return b.s;
}

/* The "How to fix it" block of a full page. */
static const char *fix_block(void)
{
    const char *p = page(SPN_DETAIL_FULL), *a = strstr(p, "How to fix it</h2>\n"), *e;
    if (!a || !(e = strstr(a, "<h2>What the browser sent")))
        return "";
    return apr_pstrmemdup(pool, a, (apr_size_t)(e - a));
}

static int before(const char *hay, const char *a, const char *b)
{
    const char *x = strstr(hay, a), *y = strstr(hay, b);
    return x && y && x < y;
}

static void refine(const spn_dir_spn_t *f)
{
    spn_dir_refine(&d, svc.account, f);
    seen[d.cause] = 1;
}

static void directory_cases(const krb5_keyblock *other, const krb5_keyblock *rnd128)
{
    spn_dir_spn_t f;
    spn_observation_t obs;
    char asked[2][SPN_DIR_SPN_MAX];
    const char *pg;
    tkt_t t;

    /* which SPNs a failure asks the directory about */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    is_int(spn_dir_asked(&d, "ignored", asked), 2, "asked: the ticket's SPN and its other form");
    is_str(asked[0], WEB01, "asked: the ticket's SPN first");
    is_str(asked[1], "HTTP/WEB01", "asked: the NetBIOS form second");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    is_int(spn_dir_asked(&d, "web01.spncheck.test:8443", asked), 2, "NTLM: asked by Host");
    is_str(asked[0], "HTTP/web01.spncheck.test", "NTLM: HTTP/<Host>, port stripped");
    is_int(spn_dir_asked(&d, "WEB01", asked), 2, "NTLM, short Host: two forms");
    is_str(asked[1], "HTTP/web01.spncheck.test", "NTLM, short Host: the FQDN form second");
    is_int(spn_dir_asked(&d, "10.1.2.3", asked), 1, "IP literal: no other form");
    is_int(spn_dir_asked(&d, "a b", asked), 0, "hostile Host (space): nothing asked");
    is_int(spn_dir_asked(&d, "x)(servicePrincipalName=*", asked), 0,
           "hostile Host (filter characters): nothing asked");
    ok(!spn_dir_spn_ok("HTTP/") && !spn_dir_spn_ok("/x") && !spn_dir_spn_ok("HTTP/a\\2a") &&
       spn_dir_spn_ok("HTTP/web01.spncheck.test:8443"), "spn_dir_spn_ok: edges");
    {
        spn_dir_holder_t h;
        memset(&h, 0, sizeof h);
        strcpy(h.sam, "svc-web");
        strcpy(h.account, "SPNCHECK\\svc-web");
        ok(spn_dir_is_account(&h, "SPNCHECK\\SVC-WEB") && spn_dir_is_account(&h, "svc-web") &&
           spn_dir_is_account(&h, "svc-web@" REALM) && !spn_dir_is_account(&h, "svc-web2") &&
           !spn_dir_is_account(&h, NULL), "spn_dir_is_account: DOM\\sam, sam, sam@REALM");
    }

    /* the KB case: HOST/ on the computer account answers HTTP/ (sPNMappings) */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\WEB01$", SPN_DIR_KIND_COMPUTER, "HOST/web01.spncheck.test", 4, 28);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "KB case: spn-wrong-account");
    ok(d.dir_mapped && !d.dir_is_service, "KB case: through sPNMappings, not the service account");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "through HOST/web01.spncheck.test, held by the computer account "
                  "SPNCHECK\\WEB01$, and sPNMappings") != NULL, "KB case: names holder and path");
    pg = fix_block();
    ok(strstr(pg, "setspn -S HTTP/WEB01 SPNCHECK\\svc-web\n") &&
       strstr(pg, "setspn -S HTTP/web01.spncheck.test SPNCHECK\\svc-web\n"),
       "KB case: the two setspn -S for the service account");
    ok(!strstr(pg, "setspn -D"), "KB case: no setspn -D");
    ok(!strstr(pg, "&lt;"), "KB case: no placeholder in the remedy");
    ok(!strstr(page(SPN_DETAIL_NONE), "WEB01$") && !strstr(page(SPN_DETAIL_SUMMARY), "WEB01$"),
       "KB case: no account name at detail none or summary");
    ok(strstr(page(SPN_DETAIL_FULL), "<h2>What the directory says</h2>") != NULL,
       "full detail: the directory's facts");

    /* an explicit HTTP/ SPN on another account: setspn -D for it first */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\other-user", SPN_DIR_KIND_USER, WEB01, 2, -1);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "explicit SPN elsewhere: spn-wrong-account");
    pg = fix_block();
    ok(before(pg, "setspn -D " WEB01 " SPNCHECK\\other-user\n", "setspn -S HTTP/WEB01 SPNCHECK\\svc-web"),
       "explicit SPN elsewhere: setspn -D for that account, then setspn -S");
    ok(!strstr(pg, "&lt;"), "explicit SPN elsewhere: no placeholder");

    /* the service account holds it, no key decrypts: keytab-stale */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 3, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KEYTAB_STALE, "keytab-stale: service account holds it, AD kvno 3");
    is_int(d.dir_from, SPN_C_SPN_WRONG_ACCOUNT, "keytab-stale: refined from spn-wrong-account");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "the keytab is stale: AD&#39;s kvno for SPNCHECK\\svc-web is 3, the keytab holds "
                  WEB01 " only up to kvno 2") != NULL || strstr(pg, "the keytab is stale: AD's kvno "
                  "for SPNCHECK\\svc-web is 3, the keytab holds " WEB01 " only up to kvno 2") != NULL,
       "keytab-stale: stale, AD's kvno against the keytab's");
    ok(!strstr(pg, "another password: AD"), "keytab-stale (stale): not 'another password'");
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 2, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KEYTAB_STALE, "keytab-stale: same kvno");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "the keytab was made with another password") != NULL &&
       !strstr(pg, "the keytab is stale:"), "keytab-stale (same kvno): another password");

    /* kvno-mismatch shows AD's kvno; held elsewhere it is the wrong account */
    t = tk(WEB01, other, 5);
    diagnose(ap_req(&t), NULL);
    is_int(d.cause, SPN_C_KVNO_MISMATCH, "kvno 5 not held: kvno-mismatch");
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 5, 24);
    refine(&f);
    is_int(d.cause, SPN_C_KVNO_MISMATCH, "kvno-mismatch stays with the service account");
    ok(strstr(page(SPN_DETAIL_FULL), "its current kvno is 5") != NULL, "kvno-mismatch: AD's kvno");
    t = tk(WEB01, other, 5);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\WEB01$", SPN_DIR_KIND_COMPUTER, WEB01, 5, 28);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "kvno-mismatch, held elsewhere: spn-wrong-account");

    /* enctype-mismatch shows msDS-SupportedEncryptionTypes, decoded */
    t = tk(WEB01, rnd128, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 2, 8);
    refine(&f);
    is_int(d.cause, SPN_C_ENCTYPE_MISMATCH, "enctype-mismatch stays");
    ok(strstr(page(SPN_DETAIL_FULL), "msDS-SupportedEncryptionTypes of SPNCHECK\\svc-web is 8 "
                                     "(0x8: AES128-CTS-HMAC-SHA1-96)") != NULL,
       "enctype-mismatch: the account's enctypes decoded");

    /* ntlm-fallback: no holder, two holders, the right holder */
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/alias.spncheck.test", 0);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_NOT_REGISTERED, "NTLM, no holder: spn-not-registered");
    pg = fix_block();
    ok(strstr(pg, "setspn -S HTTP/alias.spncheck.test SPNCHECK\\svc-web\n") != NULL,
       "spn-not-registered: setspn -S for the name asked");
    ok(!strstr(pg, "&lt;"), "spn-not-registered: no placeholder");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/web01.spncheck.test", 2, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER,
              "HTTP/web01.spncheck.test", 2, 24, "SPNCHECK\\old-svc", SPN_DIR_KIND_USER,
              "http/WEB01.spncheck.test", 7, 24);
    refine(&f);
    is_int(d.cause, SPN_C_SPN_DUPLICATE, "NTLM, two holders: spn-duplicate");
    pg = page(SPN_DETAIL_FULL);
    ok(strstr(pg, "SPNCHECK\\svc-web, SPNCHECK\\old-svc all hold") != NULL,
       "spn-duplicate: both holders listed");
    pg = fix_block();
    ok(strstr(pg, "setspn -D HTTP/web01.spncheck.test SPNCHECK\\old-svc\n") &&
       !strstr(pg, "setspn -D HTTP/web01.spncheck.test SPNCHECK\\svc-web"),
       "spn-duplicate: setspn -D for the other holder only");
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    f = facts("HTTP/web01.spncheck.test", 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER,
              "HTTP/web01.spncheck.test", 2, 24);
    refine(&f);
    is_int(d.cause, SPN_C_NTLM_FALLBACK, "NTLM, the right holder: stays ntlm-fallback");
    pg = page(SPN_DETAIL_FULL);
    ok(before(pg, "The site is not in the Local intranet zone", "cannot reach a domain controller") &&
       !strstr(pg, "no account holds the SPN"), "ntlm-fallback: client side reasons, ranked");
    memset(&obs, 0, sizeof obs);
    obs.authorization = "NTLM TlRMTVNTUAABAAAABoIIAA==";
    obs.host = "10.1.2.3";
    obs.now = NOW;
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    f = facts("HTTP/10.1.2.3", 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, "HTTP/10.1.2.3", 2, 24);
    refine(&f);
    pg = page(SPN_DETAIL_FULL);
    ok(before(pg, "reached by an IP address", "The site is not in the Local intranet zone"),
       "ntlm-fallback by IP: the IP literal ranks first");

    /* hostile directory values are escaped; failed lookups change nothing */
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 1, "EVIL\\<script>x", SPN_DIR_KIND_USER, "HTTP/<b>", 2, -1);
    refine(&f);
    pg = page(SPN_DETAIL_FULL);
    ok(!strstr(pg, "<script>") && !strstr(pg, "<b>") && strstr(pg, "EVIL\\&lt;script&gt;x"),
       "directory values are HTML-escaped");
    t = tk(WEB01, other, 2);
    diagnose(ap_req(&t), NULL);
    f = facts(WEB01, 0);
    f.state = SPN_DIR_ERROR;
    refine(&f);
    ok(d.cause == SPN_C_SPN_WRONG_ACCOUNT && d.dir_state == 0, "a failed lookup: no refinement");
    spn_dir_refine(&d, svc.account, NULL);
    ok(d.dir_state == 0, "no facts: no refinement");

    /* through the store: the request uses only facts held; the record,
     * shown later, is refined by facts that arrived since */
    {
        spn_store_t *st = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
        spn_failure_t rec;
        uint32_t sup;
        char spn[256];
        t = tk(WEB01, other, 2);
        diagnose(ap_req(&t), NULL);
        is_int(dnote(st, &d, svc.account, "web01.spncheck.test", NOW, NULL), 0,
               "store: no facts yet, the diagnosis stays");
        is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "store: spn-wrong-account as today");
        ok(spn_store_want_next(st, NOW, spn, sizeof spn) && !strcmp(spn, WEB01) &&
           spn_store_want_next(st, NOW, spn, sizeof spn) && !strcmp(spn, "HTTP/WEB01"),
           "store: both name forms wanted");
        spn_failure_from_diag(&rec, &d, NOW, "R1", "127.0.0.1", "web01.spncheck.test", "s", 0);
        spn_store_add(st, &rec, &sup);
        f = facts(WEB01, 1, "SPNCHECK\\svc-web", SPN_DIR_KIND_USER, WEB01, 3, 24);
        spn_store_dir_put(st, &f, 1, NOW + 5);
        spn_diag_from_failure(&d, spn_store_find(st, "R1"), &svc);
        ok(spn_store_dir_refine_failure(st, &d, spn_store_find(st, "R1"), svc.account) &&
           d.cause == SPN_C_KEYTAB_STALE && d.dir_kt_max == 2,
           "store: the record shown later is refined (keytab-stale, keytab kvno 2 kept)");
        t = tk(WEB01, other, 2);
        diagnose(ap_req(&t), NULL);
        ok(dnote(st, &d, svc.account, "web01.spncheck.test", NOW + 6, NULL) &&
           d.cause == SPN_C_KEYTAB_STALE, "store: the next request uses the facts held");
        spn_failure_from_diag(&rec, &d, NOW + 6, "R2", "127.0.0.1", "web01.spncheck.test", "s", 0);
        is_int(rec.base_cause, SPN_C_SPN_WRONG_ACCOUNT, "store: the record keeps the base cause");
        is_int(rec.cause, SPN_C_KEYTAB_STALE, "store: and the refined one");
        free(st);
    }

    /* A client names the SPN its failure asks for (a forged ticket's sname,
     * NTLM's target, the Host header): only names this service answers to
     * are looked up or shown, or the page tells anyone who holds any SPN. */
    {
        spn_store_t *st = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
        const char *names[] = { "www.spncheck.test", "*.apps.spncheck.test" };
        spn_dir_ours_t ours = { &svc, names, 2, 0 };
        char spn[256];
        static const char *const mine[] = { WEB01, "HTTP/WEB01", "http/web01:8443",
            "HTTP/www.spncheck.test", "HTTP/WWW", "HTTP/x.apps.spncheck.test" };
        static const char *const theirs[] = { "cifs/dc1.spncheck.test", "HTTP/dc1.spncheck.test",
            "MSSQLSvc/sql01.spncheck.test:1433", "HOST/web01.spncheck.test",
            "HTTP/web01.spncheck.test.evil", "HTTP/apps.spncheck.test", "HTTP/DC1" };
        size_t i;

        for (i = 0; i < sizeof mine / sizeof *mine; i++)
            ok(spn_dir_ours(mine[i], &ours), "ours: %s", mine[i]);
        for (i = 0; i < sizeof theirs / sizeof *theirs; i++)
            ok(!spn_dir_ours(theirs[i], &ours), "not ours: %s", theirs[i]);
        ok(spn_dir_ours("cifs/dc1.spncheck.test", NULL), "no restriction: the CLI's own lookups");

        f = facts("cifs/dc1.spncheck.test", 1, "SPNCHECK\\DC1$", SPN_DIR_KIND_COMPUTER,
                  "cifs/dc1.spncheck.test", 7, 28);
        spn_store_dir_put(st, &f, 1, NOW);     /* as if it were held, somehow */
        t = tk("cifs/dc1.spncheck.test", other, 2);
        diagnose(ap_req(&t), NULL);
        is_int(dnote(st, &d, svc.account, "web01.spncheck.test", NOW + 70, &ours), 0,
               "a forged sname (cifs/dc1): its facts refine nothing");
        ok(d.dir_state == 0, "a forged sname: no holder on the page");
        ok(!spn_store_want_next(st, NOW + 70, spn, sizeof spn), "a forged sname: nothing wanted");
        memset(&d, 0, sizeof d);
        d.cause = SPN_C_NTLM_FALLBACK;
        dnote(st, &d, svc.account, "dc1.spncheck.test:443", NOW + 70, &ours);
        ok(!spn_store_want_next(st, NOW + 70, spn, sizeof spn),
           "NTLM with Host: dc1 (not a name of this server): nothing wanted");
        dnote(st, &d, svc.account, "www.spncheck.test", NOW + 70, &ours);
        ok(spn_store_want_next(st, NOW + 70, spn, sizeof spn) &&
           !strcmp(spn, "HTTP/www.spncheck.test"), "NTLM with Host: www (a ServerAlias): wanted");
        free(st);
    }
}

int main(int argc, const char *const *argv)
{
    diag_keys_t k;

    diag_setup(&argc, &argv, &k);
    directory_cases(k.other, k.rnd128);
    ok(seen[SPN_C_KEYTAB_STALE], "a case for %s", spn_cause_code(SPN_C_KEYTAB_STALE));
    return diag_done(&k);
}

/* test_funnel.c: issue 20's counters and pictures.  The success sniff
 * reads the ticket's enctype exactly as the full decoder does (every real
 * AP-REQ in ../shared/vectors, and built ones of every enctype) and flags
 * NTLMv1 by the 24-byte NtChallengeResponse; the funnel sums, JSON,
 * Prometheus and HTML; the rc4-tickets self-check; the headline by impact;
 * the KB picture at each detail level, escaped. */
#include "tap.h"
#include "apreq.h"
#include "vectors.h"
#include "spn_chart.h"
#include "spn_funnel.h"
#include "spn_kbsvg.h"
#include "spn_mechcount.h"
#include "spn_render.h"
#include "spn_token.h"

#include <apr_general.h>
#include <stdlib.h>

static apr_pool_t *pool;

static char *auth_of(const uint8_t *p, size_t n, const char *scheme)
{
    spn_buf_t b;
    char *s = malloc(spn_b64_encoded_len(n) + 1);
    size_t k = spn_b64_encode(p, n, s);
    s[k] = '\0';
    spn_buf_init(&b, pool, k + 16);
    spn_buf_printf(&b, "%s %s", scheme, s);
    free(s);
    return b.s;
}

int main(void)
{
    static vec_t v[512];
    int nv, i, checked = 0, ntlm3 = 0, et, v1, mc;
    spn_store_t *s;
    spn_status_t st;
    spn_scope_t sc[2];
    spn_buf_t b;
    spn_json_t w;
    spn_checks_t ck;
    uint64_t ets[SPN_ET_N];

    apr_initialize();
    apr_pool_create(&pool, NULL);

    /* the sniff against the full decoder, on real tokens */
    nv = load_vectors(v, 512);
    for (i = 0; i < nv; i++) {
        spn_token_t t;
        const char *a;
        if (spn_token_decode(v[i].data, v[i].len, &t) != SPN_E_OK)
            continue;
        a = auth_of(v[i].data, v[i].len, "Negotiate");
        mc = spn_mech_sniff_ex(a, strlen(a), &et, &v1);
        if (t.has_krb5 && t.krb5.msg_type == SPN_KRB_AP_REQ && mc == SPN_MC_KRB5 &&
            t.krb5.etype && !strstr(v[i].name, "truncated")) {
            if (et != t.krb5.etype)
                diag("%s: sniff %d, decoder %d", v[i].name, et, t.krb5.etype);
            checked += et == t.krb5.etype;
            checked -= et != t.krb5.etype ? 1000 : 0;
        }
        if (t.has_ntlm && t.ntlm.type == 3) {
            if (v1 != (t.ntlm.nt_resp_len == 24))
                diag("%s: ntlmv1 sniff %d, nt_resp_len %zu", v[i].name, v1, t.ntlm.nt_resp_len);
            ntlm3 += v1 == (t.ntlm.nt_resp_len == 24) ? 1 : -1000;
        }
    }
    if (nv > 0) {
        ok(checked > 0, "ticket enctype: the sniff agrees with the decoder on %d real AP-REQs", checked);
        ok(ntlm3 >= 0, "NTLMv1: the sniff agrees with the decoder on %d real type 3 messages", ntlm3);
    }
    else {
        ok(1, "# SKIP no ../shared/vectors");
        ok(1, "# SKIP no ../shared/vectors");
    }
    {
        static const int ets_[] = {18, 17, 20, 23, 3, 99};
        static const int buckets[] = {SPN_ET_AES256, SPN_ET_AES128, SPN_ET_AES_SHA2, SPN_ET_RC4,
                                      SPN_ET_DES, SPN_ET_OTHER};
        uint8_t *tok, c[300], ac[40];
        size_t n;
        unsigned k;
        memset(ac, 0x33, sizeof(ac));
        memset(c, 0x5a, sizeof(c));
        for (k = 0; k < sizeof(ets_) / sizeof(ets_[0]); k++) {
            const char *a;
            tok = apreq_token("CONTOSO.TEST", "HTTP", "web01.contoso.test", ets_[k], 3, c, sizeof(c),
                              18, ac, sizeof(ac), &n);
            a = auth_of(tok, n, "Negotiate");
            free(tok);
            mc = spn_mech_sniff_ex(a, strlen(a), &et, &v1);
            ok(mc == SPN_MC_KRB5 && et == ets_[k] && spn_et_bucket(et) == buckets[k],
               "built AP-REQ with etype %d: read %d, bucket %s", ets_[k], et, spn_et_name(spn_et_bucket(et)));
        }
        /* cut short: no enctype, no over-read */
        tok = apreq_token("CONTOSO.TEST", "HTTP", "web01.contoso.test", 18, 3, c, sizeof(c), 18, ac,
                          sizeof(ac), &n);
        {
            const char *a = auth_of(tok, 40, "Negotiate");
            free(tok);
            mc = spn_mech_sniff_ex(a, strlen(a), &et, &v1);
            ok(et == 0, "a truncated token: no enctype");
        }
    }
    {
        /* NTLM AUTHENTICATE: v1 (24-byte NT response) and v2 (longer) */
        uint8_t m[64];
        const char *a;
        memset(m, 0, sizeof(m));
        memcpy(m, "NTLMSSP\0", 8);
        m[8] = 3;
        m[20] = 24;
        a = auth_of(m, sizeof(m), "NTLM");
        mc = spn_mech_sniff_ex(a, strlen(a), &et, &v1);
        ok(mc == SPN_MC_NTLM && v1 == 1, "NTLM type 3 with a 24-byte NtChallengeResponse: NTLMv1");
        m[20] = 0x40;
        a = auth_of(m, sizeof(m), "NTLM");
        mc = spn_mech_sniff_ex(a, strlen(a), &et, &v1);
        ok(mc == SPN_MC_NTLM && v1 == 0, "a 64-byte one: not NTLMv1");
    }

    /* the funnel over a store */
    s = calloc(1, spn_store_size(4));
    spn_store_init(s, 4, 1000);
    spn_mech_name_slot(s, 0, "web01:80/");
    spn_funnel_first_leg(s, 0);
    spn_funnel_first_leg(s, 0);
    spn_funnel_gave_up(s, 0, SPN_CL_CHROME, SPN_OS_LINUX);
    spn_funnel_gave_up(s, -1, 99, -3);          /* out of range: other/other, totals only */
    spn_funnel_token(s, 0, SPN_MC_KRB5);
    spn_funnel_token(s, 0, SPN_MC_KRB5);
    spn_funnel_failure(s, 0, SPN_C_SPN_WRONG_ACCOUNT);
    s->counters[SPN_C_SPN_WRONG_ACCOUNT]++;
    spn_funnel_success(s, 0, SPN_MC_KRB5, SPN_ET_RC4, 0);
    spn_funnel_success(s, 0, SPN_MC_KRB5, SPN_ET_AES256, 0);
    spn_funnel_success(s, 0, SPN_MC_KRB5, SPN_ET_AES256, 0);
    spn_funnel_success(s, 0, SPN_MC_NTLM, -1, 1);
    memset(&st, 0, sizeof(st));
    memset(sc, 0, sizeof(sc));
    sc[0].server = "web01:80";
    sc[0].location = "/";
    sc[0].funnel = &spn_store_mechs(s)[0];
    sc[0].mech_counts = spn_store_mechs(s)[0].n;
    st.scopes = sc;
    st.n_scopes = 1;
    st.store = s;
    {
        spn_funnel_t f;
        spn_funnel_sum(&st, -1, &f);
        ok(f.first_legs == 2 && f.gave_up == 1 && f.tokens[SPN_MC_KRB5] == 2 && f.failures == 1 &&
           f.success[SPN_MC_KRB5] == 3 && f.success[SPN_MC_NTLM] == 1 && f.ntlmv1 == 1,
           "the funnel sums the scope's stages");
        ok(s->gave_up[SPN_CL_CHROME][SPN_OS_LINUX] == 1 && s->gave_up[SPN_CL_OTHER][SPN_OS_OTHER] == 1,
           "gave up by family and OS; out-of-range labels count as other");
        ok((int)(spn_funnel_rc4_share(&f) + 0.5) == 33, "RC4 share 1 of 3");
    }
    spn_buf_init(&b, pool, 4096);
    spn_json_init(&w, &b);
    spn_json_object(&w);
    spn_funnel_json(&w, &st);
    spn_json_end(&w);
    ok(strstr(b.s, "\"gave_up\":{\"total\":2,\"chrome\":{\"windows\":0,\"macos\":0,\"linux\":1,") != NULL,
       "JSON gave_up by family and OS");
    ok(strstr(b.s, "\"failures_by_cause\":{\"spn-wrong-account\":1}") != NULL, "JSON failures by cause, seen only");
    ok(strstr(b.s, "\"rc4\":1") && strstr(b.s, "\"rc4_share\":0.3333") && strstr(b.s, "\"ntlmv1\":1"),
       "JSON enctypes, RC4 share, NTLMv1");
    spn_buf_init(&b, pool, 4096);
    spn_funnel_prometheus(&b, &st);
    ok(strstr(b.s, "spncheck_gave_up_total{client=\"chrome\",os=\"linux\"} 1\n") != NULL,
       "Prometheus spncheck_gave_up_total");
    ok(strstr(b.s, "spncheck_ticket_enctype_total{scope=\"web01:80/\",enctype=\"rc4\"} 1\n") != NULL,
       "Prometheus enctypes");
    spn_buf_init(&b, pool, 4096);
    spn_funnel_html(&b, &st);
    ok(strstr(b.s, "<svg xmlns=\"http://www.w3.org/2000/svg\"") && !strstr(b.s, "<script"),
       "HTML: the funnel as inline SVG, no script");
    ok(strstr(b.s, "<code>spn-wrong-account</code>") && strstr(b.s, "19 causes with no failure:"),
       "HTML: the causes seen, the zero-count ones on one line");
    ok(strstr(b.s, "NTLMv1 responses: 1") != NULL, "HTML: NTLMv1 flagged");

    /* a token vouches for its client on its other connections, for a while */
    {
        uint64_t k1 = spn_funnel_client_key("192.0.2.1", "HeadlessChrome/156"),
                 k2 = spn_funnel_client_key("192.0.2.1", "Firefox/153"),
                 k3 = spn_funnel_client_key("192.0.2.2", "HeadlessChrome/156");
        ok(k1 != k2 && k1 != k3, "client keys differ by address and by User-Agent");
        ok(!spn_funnel_token_seen(s, k1, 5000), "no token noted: not seen");
        spn_funnel_note_token(s, k1, 5000);
        ok(spn_funnel_token_seen(s, k1, 5000 + SPN_TOKEN_SEEN_SECONDS - 1), "seen within the window");
        ok(!spn_funnel_token_seen(s, k1, 5000 + SPN_TOKEN_SEEN_SECONDS), "not after it");
        ok(!spn_funnel_token_seen(s, k2, 5000) && !spn_funnel_token_seen(s, k3, 5000),
           "another client is not vouched for");
        ok(spn_funnel_client_key(NULL, NULL) != 0, "no address, no User-Agent: a key all the same");
    }

    /* rc4-tickets */
    memset(ets, 0, sizeof(ets));
    ck.n = ck.worst = 0;
    spn_selfcheck_rc4(pool, ets, &ck);
    ok(ck.n == 1 && !strcmp(ck.c[0].id, "rc4-tickets") && ck.c[0].state == SPN_CHECK_PASS,
       "rc4-tickets passes without RC4 tickets");
    ets[SPN_ET_RC4] = 1;
    ets[SPN_ET_AES256] = 3;
    ck.n = ck.worst = 0;
    spn_selfcheck_rc4(pool, ets, &ck);
    ok(ck.c[0].state == SPN_CHECK_WARN && strstr(ck.c[0].message, "CVE-2026-20833") &&
       strstr(ck.c[0].message, "1 of 4"), "rc4-tickets warns while RC4 tickets are accepted (%s)", ck.c[0].message);

    /* impact: spn-holder explains spn-wrong-account, spn-in-keytab does not */
    ok(spn_check_impact("spn-holder", &sc[0], s) == 1, "spn-holder explains the spn-wrong-account failure");
    ok(spn_check_impact("spn-in-keytab", &sc[0], s) == 0, "spn-in-keytab explains none of it");

    /* the headline by impact: spn-in-keytab fails first in the list, but
     * strong-enctypes explains more of the failures */
    {
        spn_kt_entry_t e[1];
        spn_keytab_t kt;
        static const char *const spns[] = {"HTTP/b.contoso.test@CONTOSO.TEST"};
        memset(e, 0, sizeof(e));
        memset(&kt, 0, sizeof(kt));
        e[0].principal = "HTTP/a.contoso.test@CONTOSO.TEST";
        e[0].name = "HTTP/a.contoso.test";
        e[0].realm = "CONTOSO.TEST";
        e[0].kvno = 2;
        e[0].enctype = 3;                   /* des-cbc-md5 */
        e[0].dup_of = -1;
        kt.path = "/etc/x.keytab";
        kt.n = 1;
        kt.e = e;
        sc[0].svc.spns = spns;
        sc[0].svc.n_spns = 1;
        sc[0].svc.keytab = &kt;
        sc[0].keytab_path = kt.path;
        memset(spn_store_mechs(s)[0].failures, 0, sizeof(spn_store_mechs(s)[0].failures));
        spn_store_mechs(s)[0].failures[SPN_C_NO_SERVICE_KEY] = 1;
        spn_store_mechs(s)[0].failures[SPN_C_ENCTYPE_MISMATCH] = 5;
        st.now = 1000;
        spn_buf_init(&b, pool, 1024);
        spn_status_headline(&b, pool, &st);
        ok(strstr(b.s, "Self-check <code>strong-enctypes</code> fails") &&
           strstr(b.s, "it explains 5 failed sign-ins") && strstr(b.s, "1 more failing"),
           "headline: the failing check that explains the most failures (%s)", b.s);
        spn_store_mechs(s)[0].failures[SPN_C_ENCTYPE_MISMATCH] = 0;
        spn_buf_init(&b, pool, 1024);
        spn_status_headline(&b, pool, &st);
        ok(strstr(b.s, "Self-check <code>spn-in-keytab</code> fails"), "and the other when it explains more");
        memset(&sc[0].svc, 0, sizeof(sc[0].svc));
    }

    /* the KB picture */
    {
        spn_diag_t *d = calloc(1, sizeof(*d));
        spn_service_t svc;
        memset(&svc, 0, sizeof(svc));
        svc.account = "CONTOSO\\apppool";
        d->cause = SPN_C_SPN_WRONG_ACCOUNT;
        snprintf(d->sname, sizeof(d->sname), "HTTP/web01.contoso.test");
        d->dir_state = SPN_DIR_OK;
        d->dir_n_holders = 1;
        snprintf(d->dir_holders[0].account, sizeof(d->dir_holders[0].account), "CONTOSO\\WEB01$<b>");
        spn_buf_init(&b, pool, 4096);
        ok(spn_kb_svg(&b, d, &svc, SPN_DETAIL_NONE) == 0 && b.len == 0, "KB picture: nothing at detail none");
        ok(spn_kb_svg(&b, d, &svc, SPN_DETAIL_SUMMARY) == 1 && !strstr(b.s, "web01") &&
           !strstr(b.s, "WEB01") && strstr(b.s, "another account"), "at summary: roles, no names");
        spn_buf_init(&b, pool, 4096);
        spn_kb_svg(&b, d, &svc, SPN_DETAIL_FULL);
        ok(strstr(b.s, "HTTP/web01.contoso.test") && strstr(b.s, "CONTOSO\\WEB01$&lt;b&gt;") &&
           strstr(b.s, "CONTOSO\\apppool") && !strstr(b.s, "<b>"), "at full: the failure's names, escaped");
        memset(d->sname, 'a', 300);
        d->sname[300] = '\0';
        spn_buf_init(&b, pool, 4096);
        spn_kb_svg(&b, d, &svc, SPN_DETAIL_FULL);
        ok(!strstr(b.s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") && strstr(b.s, "&#8230;"),
           "a long name is cut");
        d->cause = SPN_C_SPN_NOT_REGISTERED;
        spn_buf_init(&b, pool, 4096);
        ok(spn_kb_svg(&b, d, &svc, SPN_DETAIL_FULL) == 1 && strstr(b.s, "no account holds"),
           "spn-not-registered: its own picture");
        d->cause = SPN_C_KVNO_MISMATCH;
        spn_buf_init(&b, pool, 4096);
        ok(spn_kb_svg(&b, d, &svc, SPN_DETAIL_FULL) == 0, "other causes: none");
        free(d);
    }
    free(s);
    return tap_done();
}

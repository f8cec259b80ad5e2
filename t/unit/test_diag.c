/* test_diag.c: the cause spn_diagnose() names, one case per cause the
 * engine can produce, and the edges between kvno-mismatch,
 * spn-wrong-account and enctype-mismatch.  Tickets are real: an
 * EncTicketPart and an Authenticator DER-encoded here, sealed with
 * krb5_c_encrypt (key usages 2 and 11) under keys made from the same
 * passwords as the in-memory keytab's, framed as GSS/SPNEGO AP-REQs.
 * spn-not-registered and spn-duplicate come from the probe (KDC errors),
 * never from a token, so they are t/probe.t's; keytab-stale needs the
 * directory's facts: test_dirdiag.c.  The builders are diag_build.h's. */
#include "diag_build.h"
#include "certs.h"
#include "spn_mechcount.h"
#include "spn_render.h"
#include "spn_size.h"

int main(int argc, const char *const *argv)
{
    diag_keys_t k;
    krb5_keyblock *web01, *web01_rc4, *other, *alias, *rnd128, *rnd384;
    tkt_t t;
    spn_observation_t obs;

    diag_setup(&argc, &argv, &k);
    web01 = k.web01;
    web01_rc4 = k.web01_rc4;
    other = k.other;
    alias = k.alias;
    rnd128 = k.rnd128;
    rnd384 = k.rnd384;

    /* ticket-ok, in SPNEGO and as a raw GSS krb5 token, AES and RC4 */
    t = tk(WEB01, web01, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (SPNEGO)");
    ok(d.ticket.decrypted && d.fit_kvno == 2 && d.held && d.configured &&
       strcmp(d.ticket.client, "alice@" REALM) == 0 && d.ticket.have_ctime && d.skew == 0,
       "ticket-ok: decrypted with kvno 2, client alice, authenticator read");
    t.spnego = 0;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (GSS krb5)");
    is_int(d.tok.format, SPN_FMT_GSS_KRB5, "ticket-ok: raw GSS format");
    t = tk(WEB01, web01_rc4, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ticket-ok (RC4 key)");

    /* clock-skew and ticket-expired, at and past the allowed skew */
    t = tk(WEB01, web01, 2);
    t.ctime = NOW - 300;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "skew of exactly max_skew: ok");
    t.ctime = NOW - 600;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_CLOCK_SKEW, "clock-skew: client 10 min behind");
    is_int(d.skew, -600, "clock-skew: skew -600");
    t.ctime = NOW + 301;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_CLOCK_SKEW, "clock-skew: client ahead");
    t = tk(WEB01, web01, 2);
    t.endtime = NOW - 200;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_OK, "ended within the skew: ok");
    t.endtime = NOW - 400;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_EXPIRED, "ticket-expired");
    t.ctime = NOW - 600;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_TICKET_EXPIRED, "expired and skewed: expired");
    is_int(diagnose(ap_req(&t), "Clock skew too great"), SPN_C_CLOCK_SKEW,
           "expired and skewed, acceptor says skew: clock-skew");

    /* replay: only the acceptor knows */
    t = tk(WEB01, web01, 2);
    is_int(diagnose(ap_req(&t), "Request is a replay"), SPN_C_REPLAY, "replay");

    /* kvno-mismatch, spn-wrong-account, enctype-mismatch and their edges */
    t = tk(WEB01, web01, 3);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_KVNO_MISMATCH,
           "kvno-mismatch: the key fits but is labelled 3, keytab 2");
    is_int(d.fit_kvno, 2, "kvno-mismatch: fitted kvno 2");
    t = tk(WEB01, other, 3);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_KVNO_MISMATCH,
           "kvno-mismatch: no key fits, kvno 3 not held");
    t = tk(WEB01, other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "spn-wrong-account: kvno 2 held, yet no key fits");
    ok(d.held && !d.ticket.decrypted && d.n_kt_kvnos == 1 && d.kt_kvnos[0] == 2,
       "spn-wrong-account: held at kvno 2, not decrypted");
    t = tk(WEB01, other, -1);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "spn-wrong-account: no kvno in the ticket, no key fits");
    t = tk(WEB01, rnd128, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "enctype-mismatch: aes128 ticket, keytab has aes256/rc4 for it");
    ok(!d.etype_available, "enctype-mismatch: another principal's aes128 key does not count");
    t = tk(WEB01, rnd128, 7);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "enctype-mismatch wins over a kvno that is not held");
    svc.n_spns = 2;                                  /* HTTP/web02: configured, not held */
    t = tk("HTTP/web02.spncheck.test", other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_WRONG_ACCOUNT,
           "configured, not in the keytab, etype there: spn-wrong-account");
    ok(d.configured && !d.held, "configured but not held");
    t = tk("HTTP/web02.spncheck.test", rnd384, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_ENCTYPE_MISMATCH,
           "configured, not in the keytab, no key of its etype: enctype-mismatch");
    svc.n_spns = 1;

    /* spn-unknown: neither configured nor held; also when another name's key fits */
    t = tk("HTTP/other.spncheck.test", other, 2);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_UNKNOWN, "spn-unknown");
    t = tk("HTTP/cname.spncheck.test", alias, 5);
    is_int(diagnose(ap_req(&t), NULL), SPN_C_SPN_UNKNOWN,
           "spn-unknown: decrypts with the alias's key, name not ours");
    ok(d.ticket.decrypted, "spn-unknown: it did decrypt");

    /* realm-mismatch, even when the key fits */
    t = tk(WEB01, web01, 2);
    t.realm = "OTHER.TEST";
    is_int(diagnose(ap_req(&t), NULL), SPN_C_REALM_MISMATCH, "realm-mismatch");
    is_str(d.expected_realm, REALM, "realm-mismatch: expected realm");

    /* backend-kernel-mode: our key fits, the backend refused it */
    t = tk(WEB01, web01, 2);
    memset(&obs, 0, sizeof obs);
    obs.authorization = ap_req(&t);
    obs.now = NOW;
    obs.proxied = 1;
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    is_int(d.cause, SPN_C_BACKEND_KERNEL_MODE, "backend-kernel-mode");
    seen[d.cause] = 1;
    obs.backend_www = "Negotiate oQcwBaADCgEA";         /* NegTokenResp accept-completed */
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    is_int(d.cause, SPN_C_TICKET_OK, "proxied, the backend accepted: ticket-ok");

    /* backend-channel-binding: the client bound to the certificate this
     * proxy served (the MD5 python computed for it, certs.h) */
    {
        static uint8_t bnd[16], zero[16];
        unsigned i, x;
        for (i = 0; i < 16; i++) {
            sscanf(CERT_SHA256_CB + 2 * i, "%2x", &x);
            bnd[i] = (uint8_t)x;
        }
        t = tk(WEB01, web01, 2);
        t.bnd = bnd;
        memset(&obs, 0, sizeof obs);
        obs.authorization = ap_req(&t);
        obs.now = NOW;
        obs.proxied = 1;
        obs.tls_cert = CERT_SHA256;
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        is_int(d.cause, SPN_C_BACKEND_CHANNEL_BINDING, "backend-channel-binding");
        seen[d.cause] = 1;
        ok(d.cb_state == SPN_CB_OURS && d.cbt.ok && memcmp(d.cb_client, bnd, 16) == 0 &&
           d.ticket.auth.gss_cksum && d.ticket.auth.gss_flags == 0x22,
           "backend-channel-binding: proof (Bnd equals this certificate's binding)");
        obs.tls_cert = CERT_SHA384;     /* bound, but to another certificate */
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_OTHER,
           "bound to another certificate than ours: backend-kernel-mode stays");
        {
            /* a proxy whose certificate is signed with RSASSA-PSS (SHA-256) */
            uint8_t pss[16];
            for (i = 0; i < 16; i++) {
                sscanf(CERT_RSA_PSS_CB + 2 * i, "%2x", &x);
                pss[i] = (uint8_t)x;
            }
            t.bnd = pss;
            obs.authorization = ap_req(&t);
            obs.tls_cert = CERT_RSA_PSS;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            ok(d.cause == SPN_C_BACKEND_CHANNEL_BINDING && d.cb_state == SPN_CB_OURS && d.cbt.ok,
               "RSA-PSS certificate: bound to it is proven (backend-channel-binding)");
            t.bnd = bnd;
            obs.authorization = ap_req(&t);
        }
        {
            /* over TLS, with a certificate that defines no binding (Ed25519) */
            spn_buf_t pg;
            obs.tls_cert = CERT_ED25519;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            spn_buf_init(&pg, pool, 4096);
            spn_render_page(&pg, &d, &svc, SPN_DETAIL_FULL, "TEST-REF3");
            ok(d.cb_state == SPN_CB_OTHER && !d.cbt.ok && *d.cbt.error &&
               strstr(pg.s, "no single hash") && !strstr(pg.s, "did not come over TLS"),
               "Ed25519 certificate: no binding known, and the page does not say 'no TLS'");
        }
        obs.tls_cert = NULL;            /* the request did not come over TLS here */
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_OTHER && !d.cbt.ok,
           "no TLS here: no proof, backend-kernel-mode");
        /* the backend's KRB-ERROR says its key failed: the key, not the binding */
        obs.tls_cert = CERT_SHA256;
        obs.backend_www = b64("Negotiate", tlv(APP(0), cat(3, tlv(OID, raw(OID_KRB5, 9)),
            raw("\x03\x00", 2),
            tlv(APP(30), tlv(SEQ, cat(7, field_int(0, 5), field_int(1, 30),
                                      tlv(CTX(4), ktime(NOW)), field_int(5, 0),
                                      field_int(6, 41), tlv(CTX(9), gstr(REALM)),
                                      tlv(CTX(10), principal(2, WEB01))))))));
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.has_backend && d.backend.krb5.error_code == 41 && d.cb_state == SPN_CB_OURS &&
           d.cause == SPN_C_BACKEND_KERNEL_MODE,
           "bound to us, but the backend's KRB_AP_ERR_MODIFIED blames its key: backend-kernel-mode");
        obs.backend_www = NULL;
        t.bnd = zero;
        obs.authorization = ap_req(&t);
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_BACKEND_KERNEL_MODE && d.cb_state == SPN_CB_NONE,
           "the client bound none (zeros): backend-kernel-mode");
        t.bnd = bnd;
        obs.authorization = ap_req(&t);
        obs.proxied = 0;
        spn_diagnose(pool, kctx, &svc, &obs, &d);
        ok(d.cause == SPN_C_TICKET_OK, "bound to us, no proxy: ticket-ok (binding is no cause)");
        {
            /* a local request (the module reads no certificate for those) */
            spn_buf_t pg;
            obs.tls_cert = NULL;
            spn_diagnose(pool, kctx, &svc, &obs, &d);
            spn_buf_init(&pg, pool, 4096);
            spn_render_page(&pg, &d, &svc, SPN_DETAIL_FULL, "TEST-REF4");
            ok(d.cb_state == SPN_CB_OTHER && strstr(pg.s, "not compared") &&
               !strstr(pg.s, "did not come over TLS"),
               "bound, local request: the page says not compared (not 'no TLS')");
        }
    }

    /* no-service-key: no keytab, an empty one, an unreadable one */
    {
        const spn_keytab_t *full = svc.keytab;
        krb5_keytab empty;
        t = tk(WEB01, web01, 2);
        svc.keytab = NULL;
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: none");
        if (krb5_kt_resolve(kctx, "MEMORY:test-diag-empty", &empty))
            abort();
        svc.keytab = spn_keytab_load(pool, kctx, "MEMORY:test-diag-empty");
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: empty");
        svc.keytab = spn_keytab_load(pool, kctx, "/nonexistent/spncheck.keytab");
        is_int(diagnose(ap_req(&t), NULL), SPN_C_NO_SERVICE_KEY, "no-service-key: missing");
        svc.keytab = full;
    }

    /* ntlm-fallback, malformed-token, unsupported-mech */
    is_int(diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL), SPN_C_NTLM_FALLBACK,
           "ntlm-fallback: NTLM scheme");
    is_int(diagnose("Negotiate TlRMTVNTUAABAAAABoIIAA==", NULL), SPN_C_NTLM_FALLBACK,
           "ntlm-fallback: NTLMSSP behind Negotiate");
    is_int(diagnose("Negotiate YII=", NULL), SPN_C_MALFORMED, "malformed-token: truncated");
    is_int(diagnose("Negotiate", NULL), SPN_C_MALFORMED, "malformed-token: no token");
    is_int(diagnose(NULL, NULL), SPN_C_MALFORMED, "malformed-token: no Authorization");
    is_int(diagnose(b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw("\x2b\x06\x01\x04\x01"
                                                              "\x82\x37\x02\x02\x1e", 10)),
                                                     raw("NEGOEXTS", 8)))), NULL),
           SPN_C_UNSUPPORTED_MECH, "unsupported-mech: NEGOEX");
    /* Kerberos user-to-user: a KRB-TGT-REQ, and an AP-REQ framed as u2u
     * whose ticket our key would open: neither is judged as a ticket */
    is_int(diagnose(b64("Negotiate", tlv(APP(0), cat(3, tlv(OID, raw(OID_U2U, 10)),
                                                     raw("\x04\x00", 2),
                                                     tlv(SEQ, cat(3, field_int(0, 5),
                                                                  field_int(1, 16),
                                                                  tlv(CTX(3), gstr(REALM))))))),
                    NULL), SPN_C_UNSUPPORTED_MECH, "unsupported-mech: u2u KRB-TGT-REQ");
    ok(d.tok.mech == SPN_MECH_KRB5_U2U && d.tok.krb5.msg_type == SPN_KRB_TGT_REQ,
       "u2u KRB-TGT-REQ: mech krb5-u2u, msg-type 16");
    t = tk(WEB01, web01, 2);
    t.mech_oid = OID_U2U;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_UNSUPPORTED_MECH,
           "unsupported-mech: u2u AP-REQ (SPNEGO), not ticket-ok");
    t.spnego = 0;
    is_int(diagnose(ap_req(&t), NULL), SPN_C_UNSUPPORTED_MECH,
           "unsupported-mech: u2u AP-REQ (GSS)");

    /* token-too-large: httpd refused the Authorization field (only its
     * start was read), and a backend's 400 after a large token */
    {
        spn_observation_t o2;
        spn_buf_t page;
        memset(&o2, 0, sizeof o2);
        o2.authorization = "Negotiate";
        o2.host = "web01.spncheck.test";
        o2.now = NOW;
        o2.too_large = SPN_TOO_LARGE_HERE;
        o2.field_size = 8192;
        o2.field_limit = 8190;
        o2.field_partial = 1;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        seen[d.cause] = 1;
        is_int(d.cause, SPN_C_TOKEN_TOO_LARGE, "token-too-large: refused by this httpd");
        ok(d.field_size == 8192 && d.field_limit == 8190 && d.field_partial && !d.tok.has_krb5,
           "  sizes kept, no token judged");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_SUMMARY, "TEST-REF1");
        ok(strstr(page.s, "more than 8192 bytes") && strstr(page.s, "(8190 bytes)") &&
           strstr(page.s, "HTTP 400") && !strstr(page.s, "LimitRequestFieldSize 65536"),
           "  summary page: sizes and 400, no remedies");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_FULL, "TEST-REF1");
        ok(strstr(page.s, "LimitRequestFieldSize 65536") && !strstr(page.s, "MaxFieldLength") &&
           !strstr(page.s, "MaxRequestBytes") && strstr(page.s, "Request Header too long") &&
           !strstr(page.s, "KB1077") && !strstr(page.s, "setspn"),
           "  full page: this httpd's limit (no HTTP.sys: no IIS here), Microsoft's name, no SPN advice");
        spn_buf_init(&page, pool, 256);
        spn_diag_logline(&page, &d);
        ok(strstr(page.s, "cause=token-too-large") && strstr(page.s, "size=8192 limit=8190"),
           "  log line: size and limit");
        t = tk(WEB01, web01, 2);
        o2.authorization = ap_req(&t);
        o2.proxied = 1;
        o2.too_large = SPN_TOO_LARGE_BACKEND;
        o2.field_size = 5000;
        o2.field_limit = 0;
        o2.field_partial = 0;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        is_int(d.cause, SPN_C_TOKEN_TOO_LARGE, "token-too-large: the backend's 400");
        ok(d.tok.has_krb5 && d.ticket.decrypted, "  the token is still decoded (evidence)");
        spn_buf_init(&page, pool, 4096);
        spn_render_page(&page, &d, &svc, SPN_DETAIL_FULL, "TEST-REF2");
        ok(strstr(page.s, "5000 bytes") && strstr(page.s, "the backend server") &&
           strstr(page.s, "HTTP.sys"), "  page: exact size, the backend's limit");
        o2.too_large = 0;
        spn_diagnose(pool, kctx, &svc, &o2, &d);
        ok(d.cause != SPN_C_TOKEN_TOO_LARGE, "  without the 400: judged as before");
    }
    {
        const char *sc = NULL;
        ok(spn_auth_line("Authorization: Negotiate YIIH", 29, &sc) && !strcmp(sc, "Negotiate"),
           "auth line: Negotiate");
        ok(spn_auth_line("authorization:\tNTLM TlRM", 25, &sc) && !strcmp(sc, "NTLM"),
           "auth line: NTLM, any case, a tab");
        ok(!spn_auth_line("Cookie: Authorization: Negotiate x", 34, &sc), "auth line: a Cookie is not");
        ok(!spn_auth_line("Authorization: Basic YWxp", 25, &sc), "auth line: Basic is not");
        ok(!spn_auth_line("Authorization: NTLMx y", 22, &sc), "auth line: NTLMx is not NTLM");
        ok(!spn_auth_line("Authorization: Negotiate", 24, &sc), "auth line: no token after the scheme");
        ok(!spn_auth_line("Authorization: Negotiate YIIH", 20, &sc), "auth line: only n bytes read");
    }
    /* successes by mechanism: the sniff reads the first bytes only */
    {
        static const char oid_spnego[] = "\x2b\x06\x01\x05\x05\x02";
        static const char oid_ntlm[] = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a";
        const char *a;
        uint64_t n[SPN_MC_N];
        spn_checks_t ck;
        t = tk(WEB01, web01, 2);
        a = ap_req(&t);
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_KRB5, "sniff: SPNEGO with krb5 first");
        t.spnego = 0;
        a = ap_req(&t);
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_KRB5, "sniff: bare GSS krb5");
        a = "NTLM TlRMTVNTUAABAAAABoIIAA==";
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: NTLM scheme");
        a = "Negotiate TlRMTVNTUAABAAAABoIIAA==";
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: raw NTLMSSP under Negotiate");
        a = b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw(oid_spnego, 6)),
                tlv(CTX(0), tlv(SEQ, tlv(CTX(0), tlv(SEQ, tlv(OID, raw(oid_ntlm, 10)))))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: SPNEGO with NTLMSSP first");
        a = b64("Negotiate", tlv(CTX(1), tlv(SEQ, tlv(CTX(2), tlv(OCTETS,
                raw("NTLMSSP\0\3\0\0\0", 12))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_NTLM, "sniff: NegTokenResp carrying NTLM type 3");
        a = b64("Negotiate", tlv(APP(0), cat(2, tlv(OID, raw(oid_spnego, 6)),
                tlv(CTX(0), tlv(SEQ, tlv(CTX(0), tlv(SEQ, tlv(OID, raw("\x2b\x06\x01\x04\x01", 5)))))))));
        is_int(spn_mech_sniff(a, strlen(a)), SPN_MC_OTHER, "sniff: another mech first");
        is_int(spn_mech_sniff("Negotiate YII=", 14), SPN_MC_OTHER, "sniff: truncated");
        is_int(spn_mech_sniff("Negotiate YIT/////", 18), SPN_MC_OTHER, "sniff: a length past the bytes");
        is_int(spn_mech_sniff("Negotiate", 9), SPN_MC_OTHER, "sniff: no token");
        /* the RC4 share: the ticket's enctype, SPNEGO-wrapped and bare */
        t = tk(WEB01, web01, 2);
        a = ap_req(&t);
        is_int(spn_etype_sniff(a, strlen(a)), t.key->enctype, "etype sniff: SPNEGO, the ticket's enctype (%d)",
               (int)t.key->enctype);
        t = tk(WEB01, web01_rc4, 2);
        a = ap_req(&t);
        is_int(spn_etype_sniff(a, strlen(a)), 23, "etype sniff: an RC4 ticket under SPNEGO");
        is_str(spn_et_name(spn_et_bucket(spn_etype_sniff(a, strlen(a)))), "rc4-hmac", "  bucket rc4-hmac");
        t.spnego = 0;
        a = ap_req(&t);
        is_int(spn_etype_sniff(a, strlen(a)), 23, "etype sniff: an RC4 ticket, bare GSS krb5");
        is_int(spn_etype_sniff(a, 40), 0, "etype sniff: a prefix that does not reach the ticket: 0");
        is_int(spn_etype_sniff("NTLM TlRMTVNTUAABAAAABoIIAA==", 29), 0, "etype sniff: NTLM: 0");
        is_int(spn_etype_sniff("Negotiate YIT/////", 18), 0, "etype sniff: a length past the bytes: 0");
        is_str(spn_et_name(spn_et_bucket(18)), "aes256-cts-hmac-sha1-96", "bucket: 18 aes256");
        is_str(spn_et_name(spn_et_bucket(20)), "aes-sha2", "bucket: 20 aes-sha2");
        is_str(spn_et_name(spn_et_bucket(3)), "des", "bucket: 3 des");
        is_str(spn_et_name(spn_et_bucket(0)), "unknown", "bucket: 0 unknown");
        is_str(spn_et_name(spn_et_bucket(99)), "other", "bucket: 99 other");
        n[SPN_MC_KRB5] = 5; n[SPN_MC_NTLM] = 5; n[SPN_MC_OTHER] = 0;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 30, &ck);
        ok(ck.n == 1 && !strcmp(ck.c[0].id, "kerberos-share") && ck.c[0].state == SPN_CHECK_WARN &&
           ck.worst == SPN_CHECK_WARN, "kerberos-share: NTLM 50%% > 30%%: warn");
        n[SPN_MC_KRB5] = 9; n[SPN_MC_NTLM] = 1;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 10, &ck);
        ok(ck.c[0].state == SPN_CHECK_PASS, "kerberos-share: NTLM 10%% of 10, limit 10%%: pass");
        n[SPN_MC_KRB5] = 0; n[SPN_MC_NTLM] = 3;
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, n, 10, &ck);
        ok(ck.c[0].state == SPN_CHECK_PASS, "kerberos-share: 3 sign-ins are too few to judge");
        ck.n = ck.worst = 0;
        spn_selfcheck_share(pool, NULL, 10, &ck);
        is_int(ck.n, 0, "kerberos-share: no counts, no check");
    }
    /* A cause added to the engine needs a case here. */
    {
        int c;
        for (c = 0; c < SPN_C_COUNT; c++)
            if (c != SPN_C_SPN_NOT_REGISTERED && c != SPN_C_SPN_DUPLICATE && c != SPN_C_UNKNOWN
                && c != SPN_C_KEYTAB_STALE)     /* needs the directory: test_dirdiag.c */
                ok(seen[c], "a case for %s", spn_cause_code((spn_cause_t)c));
    }
    return diag_done(&k);
}

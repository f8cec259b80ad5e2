/* test_token.c: the token decoder on hand-made inputs, the header
 * splitter, and the escapers.  Real tokens are checked fact by fact by
 * t/unit/vectors.pl (spncheck decode --json against ../shared/vectors). */
#include "spn_ntlm.h"
#include "spn_http.h"
#include "spn_names.h"
#include "spn_buf.h"
#include "spn_report.h"
#include "spn_token.h"
#include "tap.h"

#include <apr_general.h>

static spn_err_t dec(const unsigned char *p, size_t n, spn_token_t *t)
{
    return spn_token_decode(p, n, t);
}

/* KRB-TGT-REQ (untagged SEQUENCE): pvno 5, msg-type 16, server-name
 * HTTP/web01 (NT-SRV-INST), realm SPNCHECK.TEST */
#define TGT_REQ_BODY \
    0x30, 0x35, \
    0xa0, 0x03, 0x02, 0x01, 0x05, \
    0xa1, 0x03, 0x02, 0x01, 0x10, \
    0xa2, 0x18, 0x30, 0x16, 0xa0, 0x03, 0x02, 0x01, 0x02, \
    0xa1, 0x0f, 0x30, 0x0d, 0x1b, 0x04, 'H','T','T','P', 0x1b, 0x05, 'w','e','b','0','1', \
    0xa3, 0x0f, 0x1b, 0x0d, 'S','P','N','C','H','E','C','K','.','T','E','S','T'
/* GSS framing, thisMech 1.2.840.113554.1.2.2.3 (krb5 user-to-user) */
#define U2U_OID 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03

static const unsigned char u2u_tok[] = {0x60, 0x45, U2U_OID, 0x04, 0x00, TGT_REQ_BODY};

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    spn_token_t t;
    const char *scheme, *b64;
    size_t n;
    spn_buf_t b;
    spn_json_t w;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&pool, NULL);

    /* header splitting */
    ok(spn_split_auth("Negotiate YII=", 14, &scheme, &b64, &n) == 0, "split: Negotiate");
    is_str(scheme, "Negotiate", "split: scheme");
    ok(n == 4 && strncmp(b64, "YII=", 4) == 0, "split: token");
    ok(spn_split_auth("Authorization: NTLM TlRM\r\n", 26, &scheme, &b64, &n) == 0 &&
       strcmp(scheme, "NTLM") == 0 && n == 4, "split: whole Authorization line");
    ok(spn_split_auth("WWW-Authenticate: negotiate oYG=", 32, &scheme, &b64, &n) == 0 &&
       strcmp(scheme, "Negotiate") == 0 && n == 4, "split: WWW-Authenticate, any case");
    ok(spn_split_auth("  TlRM  ", 8, &scheme, &b64, &n) == 0 && *scheme == 0 && n == 4,
       "split: bare token");
    ok(spn_split_auth("Negotiate", 9, &scheme, &b64, &n) == -1, "split: no token");

    /* minimal NTLM NEGOTIATE */
    {
        static const unsigned char m[] = "NTLMSSP\0\1\0\0\0\x06\x82\x08\0";
        is_int(dec(m, 16, &t), SPN_E_OK, "ntlm: 16-byte type 1");
        is_int(t.format, SPN_FMT_NTLMSSP, "ntlm: format");
        is_int(t.ntlm.type, 1, "ntlm: type");
        is_int(t.ntlm.flags, 0x00088206, "ntlm: flags");
        is_int(dec(m, 11, &t), SPN_E_TRUNCATED, "ntlm: 11 bytes truncated");
    }
    {
        static const unsigned char m[] = "NTLMSSP\0\4\0\0\0\0\0\0\0";
        is_int(dec(m, 16, &t), SPN_E_UNSUPPORTED, "ntlm: type 4 unsupported");
    }
    /* NTLM AUTHENTICATE with a user name field that points past the end */
    {
        unsigned char m[72] = "NTLMSSP\0\3\0\0\0";
        m[36] = 8; m[38] = 8; m[40] = 0xF0; m[41] = 0xFF; m[42] = 0xFF; m[43] = 0xFF;
        is_int(dec(m, sizeof m, &t), SPN_E_TRUNCATED, "ntlm: field offset overflow caught");
        is_int(t.error.offset, 36, "ntlm: error offset names the field");
    }
    /* invalid UTF-16 becomes U+FFFD */
    {
        spn_ntlm_t nt;
        static const unsigned char s[] = {'a', 0, 0x00, 0xD8, 'b', 0, 'c'};
        char out[32];
        memset(&nt, 0, sizeof nt);
        nt.unicode = 1;
        spn_ntlm_str_utf8(&nt, (spn_slice_t){s, sizeof s}, out, sizeof out);
        is_str(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", "ntlm: lone surrogate and odd byte replaced");
        nt.unicode = 0;
        spn_ntlm_str_utf8(&nt, (spn_slice_t){(const unsigned char *)"\xE9t\xE9", 3}, out, sizeof out);
        is_str(out, "\xC3\xA9t\xC3\xA9", "ntlm: OEM bytes read as Latin-1");
    }
    /* SPNEGO NegTokenResp reject, no GSS header */
    {
        static const unsigned char m[] = {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x02};
        is_int(dec(m, sizeof m, &t), SPN_E_OK, "spnego: NegTokenResp reject");
        is_int(t.format, SPN_FMT_SPNEGO_RESP, "spnego: resp format");
        is_str(spn_neg_state_name(t.neg_state), "reject", "spnego: negState reject");
        is_int(t.mech, SPN_MECH_NONE, "spnego: no mech");
    }
    /* SPNEGO fields out of order are malformed */
    {
        static const unsigned char m[] = {0xa1, 0x0c, 0x30, 0x0a, 0xa1, 0x03, 0x06, 0x01, 0x2a,
                                          0xa0, 0x03, 0x0a, 0x01, 0x02};
        is_int(dec(m, sizeof m, &t), SPN_E_MALFORMED, "spnego: fields out of order");
    }
    /* bare KRB-ERROR: pvno 5, msg-type 30, stime, error-code 41, realm, sname */
    {
        static const unsigned char m[] = {
            0x7e, 0x48, 0x30, 0x46,
            0xa0, 0x03, 0x02, 0x01, 0x05,
            0xa1, 0x03, 0x02, 0x01, 0x1e,
            0xa4, 0x11, 0x18, 0x0f, '2','0','2','6','1','1','2','4','1','2','0','0','0','0','Z',
            0xa5, 0x03, 0x02, 0x01, 0x00,
            0xa6, 0x03, 0x02, 0x01, 0x29,
            0xa9, 0x06, 0x1b, 0x04, 'T','E','S','T',
            0xaa, 0x15, 0x30, 0x13, 0xa0, 0x03, 0x02, 0x01, 0x02,
            0xa1, 0x0c, 0x30, 0x0a, 0x1b, 0x04, 'H','T','T','P', 0x1b, 0x02, 'w','1'};
        is_int(dec(m, sizeof m, &t), SPN_E_OK, "krb5: bare KRB-ERROR");
        is_int(t.format, SPN_FMT_KRB5_RAW, "krb5: raw format");
        is_int(t.krb5.msg_type, 30, "krb5: msg-type 30");
        is_int(t.krb5.error_code, 41, "krb5: error-code");
        is_str(spn_krb5_error_name(t.krb5.error_code), "KRB_AP_ERR_MODIFIED", "krb5: error name");
        {
            char sn[64];
            spn_krb5_sname(&t.krb5, sn, sizeof sn);
            is_str(sn, "HTTP/w1", "krb5: KRB-ERROR sname");
        }
        ok(t.krb5.stime.len == 15, "krb5: stime");
    }
    /* unknown first byte, empty, too large */
    {
        static const unsigned char m[] = {0x42, 0x00};
        is_int(dec(m, sizeof m, &t), SPN_E_UNSUPPORTED, "unknown first byte is unsupported");
        is_int(dec(m, 0, &t), SPN_E_EMPTY, "empty token");
        is_int(dec(m, SPN_TOKEN_MAX + 1, &t), SPN_E_TOO_LARGE, "too large refused before reading");
    }
    /* GSS framing with an unknown mechanism: reported, not rejected */
    {
        static const unsigned char m[] = {0x60, 0x06, 0x06, 0x02, 0x2a, 0x03, 0x01, 0x02};
        is_int(dec(m, sizeof m, &t), SPN_E_OK, "gss: unknown mech decodes");
        is_int(t.mech, SPN_MECH_UNKNOWN, "gss: unknown mech reported");
    }
    /* Kerberos user-to-user: a KRB-TGT-REQ, never mistaken for an AP-REQ */
    {
        char sn[64];
        size_t cut;
        int bad = 0;
        is_int(dec(u2u_tok, sizeof u2u_tok, &t), SPN_E_OK, "u2u: GSS KRB-TGT-REQ decodes");
        is_int(t.format, SPN_FMT_GSS_KRB5, "u2u: format gss-krb5");
        is_int(t.mech, SPN_MECH_KRB5_U2U, "u2u: mech krb5-u2u");
        is_str(spn_mech_name(t.mech), "krb5-u2u", "u2u: mech name");
        is_int(t.krb5.tok_id, 0x0400, "u2u: TOK_ID 0x0400");
        is_int(t.krb5.msg_type, 16, "u2u: msg-type 16 (KRB-TGT-REQ)");
        spn_krb5_sname(&t.krb5, sn, sizeof sn);
        is_str(sn, "HTTP/web01", "u2u: server-name");
        is_int(t.krb5.sname_type, 2, "u2u: server-name type");
        ok(t.krb5.realm.len == 13 && memcmp(t.krb5.realm.p, "SPNCHECK.TEST", 13) == 0,
           "u2u: realm");
        ok(t.krb5.etype == 0 && t.krb5.cipher.len == 0 && t.krb5.kvno == -1,
           "u2u: no ticket facts");
        spn_buf_init(&b, pool, 256);
        spn_json_init(&w, &b);
        spn_token_json(&w, &t);
        ok(strstr(b.s, "\"mech\":\"krb5-u2u\"") && strstr(b.s, "\"msg_type\":16") &&
           strstr(b.s, "\"sname\":\"HTTP/web01\"") && strstr(b.s, "\"etype\":null"),
           "u2u: JSON names the mech, msg-type 16, server-name; no etype");
        spn_buf_init(&b, pool, 256);
        spn_token_text(&b, &t);
        ok(strstr(b.s, "mechanism:     krb5-u2u") && strstr(b.s, "KRB-TGT-REQ (user-to-user") &&
           strstr(b.s, "service name:  HTTP/web01") && !strstr(b.s, "AP-REQ"),
           "u2u: text says KRB-TGT-REQ, user-to-user, never AP-REQ");
        for (cut = 0; cut < sizeof u2u_tok; cut++)
            if (dec(u2u_tok, cut, &t) == SPN_E_OK || t.krb5.msg_type == SPN_KRB_AP_REQ)
                bad++;
        is_int(bad, 0, "u2u: every truncation is an error, none an AP-REQ");
        is_int(dec(u2u_tok, sizeof u2u_tok - 3, &t), SPN_E_TRUNCATED, "u2u: cut realm truncated");
    }
    {   /* only pvno and msg-type: server-name and realm are optional */
        static const unsigned char m[] = {0x60, 0x1a, U2U_OID, 0x04, 0x00,
            0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x10};
        is_int(dec(m, sizeof m, &t), SPN_E_OK, "u2u: minimal KRB-TGT-REQ");
        ok(t.krb5.msg_type == SPN_KRB_TGT_REQ && t.krb5.sname_n == 0 && t.krb5.realm.len == 0,
           "u2u: minimal: msg-type 16, no name, no realm");
    }
    {   /* msg-type 14 in an untagged SEQUENCE is not an AP-REQ */
        static const unsigned char m[] = {0x60, 0x1a, U2U_OID, 0x01, 0x00,
            0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x0e};
        is_int(dec(m, sizeof m, &t), SPN_E_UNSUPPORTED, "u2u: SEQUENCE with msg-type 14 refused");
        ok(t.krb5.msg_type != SPN_KRB_AP_REQ, "u2u: and not taken for an AP-REQ");
    }
    {   /* pvno 4 */
        static const unsigned char m[] = {0x60, 0x1a, U2U_OID, 0x04, 0x00,
            0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x04, 0xa1, 0x03, 0x02, 0x01, 0x10};
        is_int(dec(m, sizeof m, &t), SPN_E_UNSUPPORTED, "u2u: pvno 4 unsupported");
    }
    {   /* msg-type missing; then fields out of order */
        static const unsigned char m1[] = {0x60, 0x15, U2U_OID, 0x04, 0x00,
            0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x05};
        static const unsigned char m2[] = {0x60, 0x1a, U2U_OID, 0x04, 0x00,
            0x30, 0x0a, 0xa1, 0x03, 0x02, 0x01, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x05};
        is_int(dec(m1, sizeof m1, &t), SPN_E_MALFORMED, "u2u: msg-type missing");
        ok(t.krb5.msg_type == 0, "u2u: msg-type missing: no message type reported");
        is_int(dec(m2, sizeof m2, &t), SPN_E_MALFORMED, "u2u: fields out of order");
    }
    {   /* server-name whose component is not a GeneralString; realm too long */
        unsigned char m[sizeof u2u_tok];
        memcpy(m, u2u_tok, sizeof m);
        m[41] = 0x0c;                           /* 'HTTP' as UTF8String */
        is_int(dec(m, sizeof m, &t), SPN_E_MALFORMED, "u2u: bad name component");
        memcpy(m, u2u_tok, sizeof m);
        m[57] = 0x0e;                           /* realm length 14 of 13 */
        is_int(dec(m, sizeof m, &t), SPN_E_TRUNCATED, "u2u: realm runs past its field");
    }
    {   /* inside SPNEGO: NegTokenInit { mechTypes [u2u], mechToken } */
        static const unsigned char m[] = {0x60, 0x67, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
            0xa0, 0x5d, 0x30, 0x5b,
            0xa0, 0x0e, 0x30, 0x0c, U2U_OID,
            0xa2, 0x49, 0x04, 0x47, 0x60, 0x45, U2U_OID, 0x04, 0x00, TGT_REQ_BODY};
        is_int(dec(m, sizeof m, &t), SPN_E_OK, "u2u in SPNEGO decodes");
        ok(t.format == SPN_FMT_SPNEGO_INIT && t.mech == SPN_MECH_KRB5_U2U &&
           t.krb5.msg_type == SPN_KRB_TGT_REQ, "u2u in SPNEGO: spnego-init, krb5-u2u, KRB-TGT-REQ");
        is_str(spn_oid_label(t.mech_types[0].p, t.mech_types[0].len), "Kerberos V5 user-to-user",
               "u2u in SPNEGO: mechTypes label");
    }
    /* base64 front end */
    {
        unsigned char raw[64];
        is_int(spn_token_decode_b64("TlRMTVNTUAABAAAABoIIAA==", 24, raw, sizeof raw, &t),
               SPN_E_OK, "b64 front end: NTLM type 1");
        is_int(spn_token_decode_b64("TlRM!", 5, raw, sizeof raw, &t), SPN_E_BASE64,
               "b64 front end: bad base64");
        is_int(spn_token_decode_b64("TlRMTVNTUAABAAAABoIIAA==", 24, raw, 8, &t),
               SPN_E_TOO_LARGE, "b64 front end: over the cap");
    }
    /* escapers */
    spn_buf_init(&b, pool, 16);
    spn_buf_htmls(&b, "<script>alert('x')&\"</script>\x01\xff");
    is_str(b.s, "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;\xEF\xBF\xBD\xEF\xBF\xBD",
           "html: every special byte escaped, invalid UTF-8 replaced");
    spn_buf_init(&b, pool, 16);
    spn_json_init(&w, &b);
    spn_json_strn(&w, "a\"b\\c\n<\xc3\xa9\xc3", 10);
    is_str(b.s, "\"a\\\"b\\\\c\\u000a\\u003c\xc3\xa9\\ufffd\"", "json: escapes, keeps UTF-8, replaces invalid");
    spn_buf_init(&b, pool, 16);
    spn_buf_text(&b, "a\x1b[2J\xc2\x9b" "6n\x9b\x9d\x07\x7f\xe2\x80\xae\xc3\xa9\xe2\x82\xac\n", 22);
    is_str(b.s, "a?[2J?6n?????\xc3\xa9\xe2\x82\xac?",
           "text: C0, DEL, C1 (UTF-8 and raw), bidi override become '?'; other UTF-8 kept");
    spn_buf_init(&b, pool, 16);
    spn_buf_text(&b, NULL, 0);
    is_int(b.len, 0, "text: an empty slice (NULL) adds nothing");
    spn_buf_init(&b, pool, 16);
    spn_buf_printf(&b, "%0200d", 7);
    is_int(b.len, 200, "buf: printf grows the buffer");

    apr_terminate();
    return tap_done();
}

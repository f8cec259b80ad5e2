/* test_der.c: the DER reader and strict base64 */
#include "spn_b64.h"
#include "spn_der.h"
#include "tap.h"

#include <string.h>

static int b64(const char *in, unsigned char *out, size_t outsz)
{
    size_t bad;
    return (int)spn_b64_decode(in, strlen(in), out, outsz, &bad);
}

int main(void)
{
    unsigned char out[64];
    spn_der_t d, in;
    spn_tlv_t t;
    char oid[64];

    /* base64 */
    is_int(b64("TWFu", out, sizeof out), 3, "b64: plain quad");
    ok(memcmp(out, "Man", 3) == 0, "b64: bytes");
    is_int(b64("TWE=", out, sizeof out), 2, "b64: one pad");
    is_int(b64("TQ==", out, sizeof out), 1, "b64: two pads");
    is_int(b64("", out, sizeof out), 0, "b64: empty");
    is_int(b64("TWF", out, sizeof out), -1, "b64: length not a multiple of 4");
    is_int(b64("TW=u", out, sizeof out), -1, "b64: pad in the middle");
    is_int(b64("TR==", out, sizeof out), -1, "b64: non-zero pad bits");
    is_int(b64("TWE=TWFu", out, sizeof out), -1, "b64: pad before the end");
    is_int(b64("TW-u", out, sizeof out), -1, "b64: URL alphabet rejected");
    is_int(b64("TWFu TWFu", out, sizeof out), -1, "b64: space rejected");
    is_int(b64("TWFuTWFu", out, 4), -2, "b64: short output buffer");
    /* Long input (the quad-at-a-time path): the same bytes, the same
     * refusals at the same positions as a quad at a time. */
    {
        static unsigned char raw[3000], dec[3001];
        static char enc[4001];
        size_t n, i, bad = 0;
        long got;
        int same = 1, where = 1;
        for (i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)(i * 131 + 7);
        n = spn_b64_encode(raw, sizeof raw, enc);
        got = spn_b64_decode(enc, n, dec, sizeof dec, &bad);
        is_int((int)got, 3000, "b64 long: 3000 bytes");
        ok(memcmp(dec, raw, sizeof raw) == 0, "b64 long: the same bytes");
        for (i = 0; i + 4 < n; i += 37) {
            char keep = enc[i];
            enc[i] = i % 2 ? '-' : '=';
            bad = 0;
            same &= spn_b64_decode(enc, n, dec, sizeof dec, &bad) == -1;
            where &= bad == i;
            enc[i] = keep;
        }
        ok(same, "b64 long: a stray byte or pad anywhere before the end refused");
        ok(where, "b64 long: at its own position");
        is_int((int)spn_b64_decode(enc, n, dec, 2999, &bad), -2, "b64 long: output one short");
        is_int((int)spn_b64_decode(enc, n - 4, dec, 2997, &bad), 2997, "b64 long: exact fit");
    }

    /* DER: short and long lengths */
    {
        static const unsigned char s[] = {0x30, 0x03, 0x02, 0x01, 0x05};
        int64_t v;
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_OK, "der: SEQUENCE");
        ok(spn_der_is(&t, SPN_DER_UNIV, 1, 16), "der: SEQUENCE identity");
        is_int(spn_der_enter(&d, &t, &in), SPN_DER_OK, "der: enter");
        is_int(spn_der_read(&in, &t), SPN_DER_OK, "der: INTEGER");
        ok(spn_der_int(&t, &v) == 0 && v == 5, "der: INTEGER value 5");
        is_int(spn_der_read(&in, &t), SPN_DER_END, "der: end of SEQUENCE");
    }
    {
        static const unsigned char s[] = {0x04, 0x82, 0x01, 0x00, 0xAA};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_TRUNCATED, "der: long length past the end");
        is_int(d.want, 256, "der: declared length reported");
        is_int(d.have, 1, "der: present length reported");
    }
    {
        static const unsigned char s[] = {0x04, 0x80, 0x00, 0x00};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_BADLEN, "der: indefinite length rejected");
    }
    {
        static const unsigned char s[] = {0x04, 0x85, 1, 0, 0, 0, 0};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_BADLEN, "der: 5 length octets rejected");
    }
    {
        static const unsigned char s[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_TRUNCATED, "der: 4 GiB length is truncated, not an overflow");
    }
    {
        static const unsigned char s[] = {0x1f, 0xff, 0xff, 0xff, 0x7f, 0x00};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_BADTAG, "der: huge tag number rejected");
    }
    {
        static const unsigned char s[] = {0x30};
        spn_der_init(&d, s, s, sizeof s);
        is_int(spn_der_read(&d, &t), SPN_DER_TRUNCATED, "der: header cut short");
    }
    {   /* depth cap */
        unsigned char s[2 * (SPN_DER_MAX_DEPTH + 2)];
        spn_der_t cur;
        int i, rc = SPN_DER_OK;
        for (i = 0; i < SPN_DER_MAX_DEPTH + 2; i++) {
            s[2 * i] = 0x30;
            s[2 * i + 1] = (unsigned char)(sizeof(s) - 2 * i - 2);
        }
        spn_der_init(&cur, s, s, sizeof s);
        for (i = 0; i < SPN_DER_MAX_DEPTH + 2 && rc == SPN_DER_OK; i++) {
            if (spn_der_read(&cur, &t) != SPN_DER_OK) break;
            rc = spn_der_enter(&cur, &t, &cur);
        }
        is_int(rc, SPN_DER_DEEP, "der: nesting past the cap is refused");
    }
    /* OIDs */
    {
        static const unsigned char k[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
        static const unsigned char bad[] = {0x2a, 0x86};
        ok(spn_der_oid_str(k, sizeof k, oid, sizeof oid) == 0, "oid: krb5 converts");
        is_str(oid, "1.2.840.113554.1.2.2", "oid: krb5 dotted");
        is_int(spn_der_oid_str(bad, sizeof bad, oid, sizeof oid), -1, "oid: truncated arc");
        is_int(spn_der_oid_str(k, sizeof k, oid, 8), -1, "oid: short buffer");
    }
    /* the header writer: the one length encoder, read back by the reader */
    {
        static const size_t lens[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff,
                                      0x1000000};
        static const size_t sizes[] = {2, 2, 2, 3, 3, 4, 4, 5, 5, 6};
        unsigned char h[8];
        size_t i, n, hl;
        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            n = spn_der_put_header(h, sizeof h, SPN_DER_ID_SEQUENCE, lens[i]);
            is_int(n, sizes[i], "put_header: %zu bytes of contents, %zu header bytes", lens[i], sizes[i]);
            ok(spn_der_peek(h, n, &t, &hl) == SPN_DER_OK && hl == n && t.len == lens[i] &&
               spn_der_is(&t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE), "put_header: peek reads it back");
        }
        is_int(spn_der_put_header(h, 3, SPN_DER_ID_SEQUENCE, 0x100), 0, "put_header: no room");
        is_int(spn_der_put_header(h, 1, SPN_DER_ID_SEQUENCE, 0), 0, "put_header: no room, short");
        is_int(spn_der_peek((const unsigned char *)"\x63\x80", 2, &t, &hl), SPN_DER_BADLEN,
               "peek: indefinite length");
        is_int(spn_der_peek((const unsigned char *)"\x63\x82\x01", 3, &t, &hl), SPN_DER_TRUNCATED,
               "peek: length octets cut");
    }

    /* PrincipalName: [2] SEQUENCE { [0] INTEGER 2, [1] SEQUENCE { "HTTP", "web01" } } */
    {
        static const unsigned char s[] = {
            0x30, 0x1a, 0xa2, 0x18, 0x30, 0x16, 0xa0, 0x03, 0x02, 0x01, 0x02,
            0xa1, 0x0f, 0x30, 0x0d, 0x1b, 0x04, 'H', 'T', 'T', 'P', 0x1b, 0x05,
            'w', 'e', 'b', '0', '1'};
        unsigned char bad[sizeof s];
        spn_der_name_t nm;
        spn_tlv_t f;
        spn_der_init(&d, s, s, sizeof s);
        spn_der_read(&d, &t);
        spn_der_enter(&d, &t, &in);
        spn_der_read(&in, &f);
        is_int(spn_der_principal(&in, &f, &nm), SPN_DER_OK, "principal: ok");
        ok(nm.have_type && nm.type == 2, "principal: name-type 2");
        ok(nm.n == 2 && nm.comp[1].len == 5 && memcmp(nm.comp[1].p, "web01", 5) == 0,
           "principal: two components");
        memcpy(bad, s, sizeof s);
        bad[21] = 0x0c;                             /* "web01" as a UTF8String */
        spn_der_init(&d, bad, bad, sizeof bad);
        spn_der_read(&d, &t);
        spn_der_enter(&d, &t, &in);
        spn_der_read(&in, &f);
        is_int(spn_der_principal(&in, &f, &nm), SPN_DER_NOT_STRING, "principal: not a GeneralString");
        ok(nm.n == 1 && nm.at == bad + 21, "principal: the component before it kept, where it failed");
        memcpy(bad, s, sizeof s);
        bad[6] = 0xa1;                              /* [1] then [1] */
        spn_der_init(&d, bad, bad, sizeof bad);
        spn_der_read(&d, &t);
        spn_der_enter(&d, &t, &in);
        spn_der_read(&in, &f);
        is_int(spn_der_principal(&in, &f, &nm), SPN_DER_UNEXPECTED,
               "principal: [1] holding an INTEGER");
    }

    /* KerberosTime */
    is_int(spn_krb5_time((const unsigned char *)"19700101000100Z", 15), 60, "krb5 time");
    is_int(spn_krb5_time((const unsigned char *)"1970010100010Z", 14), -1, "krb5 time: short");
    is_int(spn_krb5_time((const unsigned char *)"19700101000100+", 15), -1, "krb5 time: no Z");

    return tap_done();
}

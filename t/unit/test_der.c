/* test_der.c: the DER reader and strict base64 */
#include "spn_b64.h"
#include "spn_der.h"
#include "tap.h"

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
    return tap_done();
}

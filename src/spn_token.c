/* spn_token.c: GSS-API framing, SPNEGO (RFC 4178, MS-SPNG) and Kerberos
 * (RFC 4120) messages.  NTLMSSP lives in spn_ntlm.c.
 *
 * The grammar is walked by hand, one function per ASN.1 type, so nesting
 * is fixed by the code and no input can make it recurse.
 */
#include "spn_ntlm.h"
#include "spn_names.h"
#include "spn_token.h"
#include "spn_der.h"
#include "spn_b64.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    spn_token_t *tok;
    const uint8_t *base;
} dctx_t;

static int fail(dctx_t *c, spn_err_t code, const uint8_t *at, const char *fmt, ...)
{
    spn_error_t *e = &c->tok->error;
    va_list ap;

    if (e->code != SPN_E_OK)
        return -1;
    e->code = code;
    e->offset = at ? (size_t)(at - c->base) : 0;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return -1;
}

/* Map a DER reader result onto the token error. */
static int der_fail(dctx_t *c, const spn_der_t *d, int rc, const char *what)
{
    switch (rc) {
    case SPN_DER_END:
        return fail(c, SPN_E_TRUNCATED, d->p, "%s: missing", what);
    case SPN_DER_TRUNCATED:
        if (d->want)
            return fail(c, SPN_E_TRUNCATED, d->p,
                        "%s declares %zu content bytes but only %zu follow",
                        what, d->want, d->have);
        return fail(c, SPN_E_TRUNCATED, d->p, "%s: header cut short", what);
    case SPN_DER_DEEP:
        return fail(c, SPN_E_TOO_DEEP, d->p, "%s: nested too deeply", what);
    default:
        return fail(c, SPN_E_MALFORMED, d->p, "%s: bad tag or length form", what);
    }
}

/* Read the next TLV and require its identity. */
static int expect(dctx_t *c, spn_der_t *d, spn_tlv_t *t, uint8_t cls, int cons,
                  uint32_t tag, const char *what)
{
    const uint8_t *at = d->p;
    int rc = spn_der_read(d, t);

    if (rc != SPN_DER_OK)
        return der_fail(c, d, rc, what);
    if (!spn_der_is(t, cls, cons, tag))
        return fail(c, SPN_E_MALFORMED, at, "%s: unexpected tag 0x%02x", what, *at);
    return 0;
}

/* Step into a TLV; then read the one element an explicit [n] tag wraps. */
static int enter(dctx_t *c, const spn_der_t *outer, const spn_tlv_t *t,
                 spn_der_t *in, const char *what)
{
    int rc = spn_der_enter(outer, t, in);
    return rc == SPN_DER_OK ? 0 : der_fail(c, outer, rc, what);
}

static int explicit_inner(dctx_t *c, const spn_der_t *seq, const spn_tlv_t *field,
                          spn_tlv_t *t, uint8_t cls, int cons, uint32_t tag,
                          const char *what)
{
    spn_der_t in;
    if (enter(c, seq, field, &in, what) < 0)
        return -1;
    return expect(c, &in, t, cls, cons, tag, what);
}

static int int_field(dctx_t *c, const spn_der_t *seq, const spn_tlv_t *f,
                     long *out, const char *what)
{
    spn_tlv_t t;
    int64_t v;

    if (explicit_inner(c, seq, f, &t, SPN_DER_UNIV, 0, SPN_ASN1_INTEGER, what) < 0)
        return -1;
    if (spn_der_int(&t, &v) < 0 || v < -2147483648LL || v > 4294967295LL)
        return fail(c, SPN_E_MALFORMED, t.hdr, "%s: integer out of range", what);
    *out = (long)v;
    return 0;
}

static int string_field(dctx_t *c, const spn_der_t *seq, const spn_tlv_t *f,
                        spn_slice_t *out, uint32_t tag, const char *what)
{
    spn_tlv_t t;
    if (explicit_inner(c, seq, f, &t, SPN_DER_UNIV, 0, tag, what) < 0)
        return -1;
    out->p = t.val;
    out->len = t.len;
    return 0;
}

/* Iterate the [n] fields of a SEQUENCE in order.  Returns the field
 * number, -2 at the end, -1 on error. */
static int next_field(dctx_t *c, spn_der_t *seq, spn_tlv_t *f, int *last,
                      const char *what)
{
    const uint8_t *at = seq->p;
    int rc = spn_der_field(seq, f, last);

    if (rc == SPN_DER_END)
        return -2;
    if (rc == SPN_DER_ORDER)
        return fail(c, SPN_E_MALFORMED, at, "%s: field tag 0x%02x out of order",
                    what, *at);
    if (rc != SPN_DER_OK)
        return der_fail(c, seq, rc, what);
    return (int)f->tag;
}

/* PrincipalName (spn_der_principal), its components into k->sname. */
static int principal(dctx_t *c, const spn_der_t *outer, const spn_tlv_t *f,
                     spn_krb5_t *k, const char *what)
{
    spn_der_name_t nm;
    int i, rc = spn_der_principal(outer, f, &nm);

    if (nm.have_type)
        k->sname_type = (int)nm.type;
    for (i = 0; i < nm.n; i++, k->sname_n++)
        if (k->sname_n < SPN_MAX_SNAME && i < SPN_DER_NAME_MAX) {
            k->sname[k->sname_n].p = nm.comp[i].p;
            k->sname[k->sname_n].len = nm.comp[i].len;
        }
    switch (rc) {
    case SPN_DER_OK:
        return 0;
    case SPN_DER_UNEXPECTED:
        return fail(c, SPN_E_MALFORMED, nm.at, "%s: unexpected tag 0x%02x", what, *nm.at);
    case SPN_DER_ORDER:
        return fail(c, SPN_E_MALFORMED, nm.at, "%s: field tag 0x%02x out of order",
                    what, *nm.at);
    case SPN_DER_RANGE:
        return fail(c, SPN_E_MALFORMED, nm.at, "%s: integer out of range", what);
    case SPN_DER_NOT_STRING:
        return fail(c, SPN_E_MALFORMED, nm.at,
                    "%s: name component is not a GeneralString", what);
    default:
        return der_fail(c, &nm.err, rc, what);
    }
}

/* EncryptedData ::= SEQUENCE { etype [0], kvno [1] OPTIONAL, cipher [2] } */
static int enc_data(dctx_t *c, const spn_der_t *outer, const spn_tlv_t *f,
                    int *etype, long *kvno, spn_slice_t *cipher, const char *what)
{
    spn_der_t seq;
    spn_tlv_t t;
    int n, last = -1, have = 0;
    long v;

    if (explicit_inner(c, outer, f, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE, what) < 0 ||
        enter(c, outer, &t, &seq, what) < 0)
        return -1;
    if (kvno)
        *kvno = -1;
    while ((n = next_field(c, &seq, &t, &last, what)) >= 0) {
        if (n == 0) {
            if (int_field(c, &seq, &t, &v, what) < 0)
                return -1;
            *etype = (int)v;
            have |= 1;
        }
        else if (n == 1) {
            if (int_field(c, &seq, &t, &v, what) < 0)
                return -1;
            if (kvno)
                *kvno = v;
        }
        else if (n == 2) {
            if (string_field(c, &seq, &t, cipher, SPN_ASN1_OCTETSTRING, what) < 0)
                return -1;
            have |= 2;
        }
    }
    if (n == -1)
        return -1;
    if (have != 3)
        return fail(c, SPN_E_MALFORMED, f->hdr, "%s: etype or cipher missing", what);
    return 0;
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] },
 * the next element of d; errors about the whole at hdr. */
static int ticket_at(dctx_t *c, spn_der_t *d, const uint8_t *hdr, spn_krb5_t *k)
{
    spn_der_t app, seq;
    spn_tlv_t t;
    int n, last = -1;
    long v;

    if (expect(c, d, &t, SPN_DER_APP, 1, SPN_ASN1_APP_TICKET, "Ticket") < 0 ||
        enter(c, d, &t, &app, "Ticket") < 0 ||
        expect(c, &app, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE, "Ticket") < 0 ||
        enter(c, &app, &t, &seq, "Ticket") < 0)
        return -1;
    while ((n = next_field(c, &seq, &t, &last, "Ticket")) >= 0) {
        switch (n) {
        case 0:
            if (int_field(c, &seq, &t, &v, "Ticket tkt-vno") < 0)
                return -1;
            break;
        case 1:
            if (string_field(c, &seq, &t, &k->realm, SPN_ASN1_GENERALSTRING,
                             "Ticket realm") < 0)
                return -1;
            break;
        case 2:
            if (principal(c, &seq, &t, k, "Ticket sname") < 0)
                return -1;
            break;
        case 3:
            if (enc_data(c, &seq, &t, &k->etype, &k->kvno, &k->cipher,
                         "Ticket enc-part") < 0)
                return -1;
            break;
        }
    }
    if (n == -1)
        return -1;
    if (last < 3)
        return fail(c, SPN_E_MALFORMED, hdr, "Ticket: fields missing");
    return 0;
}

/* AP-REQ ticket [3] Ticket */
static int ticket(dctx_t *c, const spn_der_t *outer, const spn_tlv_t *f, spn_krb5_t *k)
{
    spn_der_t in;

    if (enter(c, outer, f, &in, "Ticket") < 0)
        return -1;
    return ticket_at(c, &in, f->hdr, k);
}

static int krb5_body(dctx_t *c, spn_der_t *seq, spn_krb5_t *k, const char *what)
{
    spn_tlv_t t;
    int n, last = -1;
    long v;

    while ((n = next_field(c, seq, &t, &last, what)) >= 0) {
        if (n == 0 || n == 1) {            /* pvno, msg-type */
            if (int_field(c, seq, &t, &v, what) < 0)
                return -1;
            if (n == 0 && v != 5)
                return fail(c, SPN_E_UNSUPPORTED, t.hdr, "%s: pvno %ld is not 5", what, v);
            continue;
        }
        switch (k->msg_type * 100 + n) {
        case 1402: {                       /* ap-options */
            spn_tlv_t b;
            if (explicit_inner(c, seq, &t, &b, SPN_DER_UNIV, 0, SPN_ASN1_BITSTRING, "ap-options") < 0)
                return -1;
            if (spn_der_bits32(&b, &k->ap_options) < 0)
                return fail(c, SPN_E_MALFORMED, b.hdr, "ap-options: bad BIT STRING");
            break;
        }
        case 1403:
            if (ticket(c, seq, &t, k) < 0)
                return -1;
            break;
        case 1404:
            if (enc_data(c, seq, &t, &k->auth_etype, NULL, &k->auth_cipher,
                         "authenticator") < 0)
                return -1;
            break;
        case 3004:
            if (string_field(c, seq, &t, &k->stime, SPN_ASN1_GENERALIZEDTIME, "KRB-ERROR stime") < 0)
                return -1;
            break;
        case 3006:
            if (int_field(c, seq, &t, &k->error_code, "KRB-ERROR error-code") < 0)
                return -1;
            break;
        case 3009:
            if (string_field(c, seq, &t, &k->realm, SPN_ASN1_GENERALSTRING, "KRB-ERROR realm") < 0)
                return -1;
            break;
        case 3010:
            if (principal(c, seq, &t, k, "KRB-ERROR sname") < 0)
                return -1;
            break;
        case 3011:
            if (string_field(c, seq, &t, &k->e_text, SPN_ASN1_GENERALSTRING, "KRB-ERROR e-text") < 0)
                return -1;
            break;
        default:                           /* fields we do not need */
            break;
        }
    }
    if (n == -1)
        return -1;
    if (k->msg_type == SPN_KRB_AP_REQ && last < 4)
        return fail(c, SPN_E_MALFORMED, seq->p, "AP-REQ: fields missing");
    return 0;
}

/* KRB-TGT-REQ ::= SEQUENCE { pvno [0] INTEGER, msg-type [1] INTEGER (16),
 *     server-name [2] PrincipalName OPTIONAL, realm [3] Realm OPTIONAL }
 * (draft-swift-win2k-krb-user2user): a user-to-user client asks the
 * server for its TGT.  Untagged, unlike the other messages; never an AP-REQ. */
static int krb5_tgt_req(dctx_t *c, const uint8_t *p, size_t len)
{
    spn_krb5_t *k = &c->tok->krb5;
    spn_der_t d, seq;
    spn_tlv_t t;
    int n, last = -1, have = 0;
    long v;

    spn_der_init(&d, c->base, p, len);
    if (expect(c, &d, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE, "KRB-TGT-REQ") < 0 ||
        enter(c, &d, &t, &seq, "KRB-TGT-REQ") < 0)
        return -1;
    c->tok->has_krb5 = 1;
    while ((n = next_field(c, &seq, &t, &last, "KRB-TGT-REQ")) >= 0) {
        if (n == 0 || n == 1) {
            if (int_field(c, &seq, &t, &v, n ? "KRB-TGT-REQ msg-type" : "KRB-TGT-REQ pvno") < 0)
                return -1;
            if (n == 0 && v != 5)
                return fail(c, SPN_E_UNSUPPORTED, t.hdr, "KRB-TGT-REQ: pvno %ld is not 5", v);
            if (n == 1 && v != 16)
                return fail(c, SPN_E_UNSUPPORTED, t.hdr,
                            "user-to-user message type %ld is not KRB-TGT-REQ (16)", v);
            have |= 1 << n;
        }
        else if (n == 2) {
            if (principal(c, &seq, &t, k, "KRB-TGT-REQ server-name") < 0)
                return -1;
        }
        else if (n == 3) {
            if (string_field(c, &seq, &t, &k->realm, SPN_ASN1_GENERALSTRING,
                             "KRB-TGT-REQ realm") < 0)
                return -1;
        }
    }
    if (n == -1)
        return -1;
    if (have != 3)
        return fail(c, SPN_E_MALFORMED, p, "KRB-TGT-REQ: pvno or msg-type missing");
    k->msg_type = SPN_KRB_TGT_REQ;
    return 0;
}

/* A Kerberos message: [APPLICATION 14|15|30] SEQUENCE { ... } */
static int krb5_msg(dctx_t *c, const uint8_t *p, size_t len)
{
    spn_token_t *tok = c->tok;
    spn_krb5_t *k = &tok->krb5;
    spn_der_t d, app, seq;
    spn_tlv_t t;
    int rc;
    const char *what;

    spn_der_init(&d, c->base, p, len);
    rc = spn_der_read(&d, &t);
    if (rc != SPN_DER_OK)
        return der_fail(c, &d, rc, "Kerberos message");
    if (t.cls != SPN_DER_APP || !t.constructed ||
        (t.tag != SPN_ASN1_APP_AP_REQ && t.tag != SPN_ASN1_APP_AP_REP &&
         t.tag != SPN_ASN1_APP_KRB_ERROR))
        return fail(c, SPN_E_UNSUPPORTED, p, "Kerberos message [APPLICATION %u] not supported",
                    (unsigned)t.tag);
    tok->has_krb5 = 1;
    k->msg_type = (int)t.tag;
    k->kvno = -1;
    what = t.tag == SPN_ASN1_APP_AP_REQ ? "AP-REQ"
         : t.tag == SPN_ASN1_APP_AP_REP ? "AP-REP" : "KRB-ERROR";
    if (enter(c, &d, &t, &app, what) < 0 ||
        expect(c, &app, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE, what) < 0 ||
        enter(c, &app, &t, &seq, what) < 0)
        return -1;
    return krb5_body(c, &seq, k, what);
}

static const uint8_t OID_SPNEGO[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
static const uint8_t OID_KRB5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t OID_MSKRB5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t OID_NTLM[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
static const uint8_t OID_NEGOEX[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e};
static const uint8_t OID_IAKERB[] = {0x2b, 0x06, 0x01, 0x05, 0x02, 0x05};
static const uint8_t OID_KRB5_OLD[] = {0x2b, 0x05, 0x01, 0x05, 0x02};
static const uint8_t OID_KRB5_U2U[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};

static const struct {
    const uint8_t *oid;
    size_t len;
    spn_mech_t mech;
    const char *label;
} oid_tab[] = {
    {OID_KRB5, sizeof(OID_KRB5), SPN_MECH_KRB5, "Kerberos V5"},
    {OID_MSKRB5, sizeof(OID_MSKRB5), SPN_MECH_MS_KRB5, "MS Kerberos V5 (legacy Microsoft OID)"},
    {OID_NTLM, sizeof(OID_NTLM), SPN_MECH_NTLMSSP, "NTLMSSP"},
    {OID_NEGOEX, sizeof(OID_NEGOEX), SPN_MECH_NEGOEX, "NEGOEX"},
    {OID_IAKERB, sizeof(OID_IAKERB), SPN_MECH_IAKERB, "IAKERB"},
    {OID_KRB5_OLD, sizeof(OID_KRB5_OLD), SPN_MECH_KRB5, "Kerberos V5 pre-RFC OID (MIT)"},
    {OID_KRB5_U2U, sizeof(OID_KRB5_U2U), SPN_MECH_KRB5_U2U, "Kerberos V5 user-to-user"},
    {OID_SPNEGO, sizeof(OID_SPNEGO), SPN_MECH_UNKNOWN, "SPNEGO"},
};

static int oid_find(const uint8_t *oid, size_t len)
{
    size_t i;
    for (i = 0; i < sizeof(oid_tab) / sizeof(oid_tab[0]); i++)
        if (oid_tab[i].len == len && memcmp(oid_tab[i].oid, oid, len) == 0)
            return (int)i;
    return -1;
}

spn_mech_t spn_mech_of_oid(const uint8_t *oid, size_t len)
{
    int i = oid_find(oid, len);
    return i < 0 ? SPN_MECH_UNKNOWN : oid_tab[i].mech;
}

const char *spn_oid_label(const uint8_t *oid, size_t len)
{
    int i = oid_find(oid, len);
    return i < 0 ? "unknown mechanism" : oid_tab[i].label;
}

#define IS_NTLMSSP(p, n) ((n) >= 8 && memcmp((p), "NTLMSSP", 8) == 0)
#define IS_KRB5_MSG(b) ((b) == SPN_DER_ID_AP_REQ || (b) == SPN_DER_ID_AP_REP || \
                        (b) == SPN_DER_ID_KRB_ERROR)

/* A mechanism token: GSS-framed, bare Kerberos, NTLMSSP or NEGOEX.  For
 * SPNEGO's mechToken/responseToken, and the outer token itself. */
static int mech_token(dctx_t *c, const uint8_t *p, size_t len, spn_mech_t *mech);

static int gss_framed(dctx_t *c, const uint8_t *p, size_t len, spn_mech_t *mech,
                      int outer);

static int spnego(dctx_t *c, const uint8_t *p, size_t len)
{
    spn_token_t *tok = c->tok;
    spn_der_t d, ch, seq, in;
    spn_tlv_t t, x;
    int n, last = -1, resp;
    spn_mech_t inner = SPN_MECH_NONE;
    const char *what;

    spn_der_init(&d, c->base, p, len);
    if (expect(c, &d, &t, SPN_DER_CTX, 1, p[0] & 0x1F, "NegotiationToken") < 0)
        return -1;
    resp = (t.tag == SPN_ASN1_CTX_NEG_RESP);
    what = resp ? "NegTokenResp" : "NegTokenInit";
    tok->format = resp ? SPN_FMT_SPNEGO_RESP : SPN_FMT_SPNEGO_INIT;
    if (enter(c, &d, &t, &ch, what) < 0 ||
        expect(c, &ch, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE, what) < 0 ||
        enter(c, &ch, &t, &seq, what) < 0)
        return -1;
    while ((n = next_field(c, &seq, &t, &last, what)) >= 0) {
        if (enter(c, &seq, &t, &in, what) < 0)
            return -1;
        {
            const uint8_t *at = in.p;
            int rc = spn_der_read(&in, &x);
            if (rc != SPN_DER_OK)
                return der_fail(c, &in, rc, what);
            (void)at;
        }
        if (!resp && n == 0) {                       /* mechTypes */
            spn_der_t oids;
            spn_tlv_t o;
            int rc;
            if (!spn_der_is(&x, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE))
                return fail(c, SPN_E_MALFORMED, x.hdr, "mechTypes: not a SEQUENCE");
            if (enter(c, &in, &x, &oids, "mechTypes") < 0)
                return -1;
            while ((rc = spn_der_read(&oids, &o)) == SPN_DER_OK) {
                if (!spn_der_is(&o, SPN_DER_UNIV, 0, SPN_ASN1_OID) || o.len == 0)
                    return fail(c, SPN_E_MALFORMED, o.hdr, "mechTypes: not an OID");
                if (tok->n_mechs < SPN_MAX_MECHS) {
                    tok->mech_types[tok->n_mechs].p = o.val;
                    tok->mech_types[tok->n_mechs].len = o.len;
                }
                tok->n_mechs++;
            }
            if (rc != SPN_DER_END)
                return der_fail(c, &oids, rc, "mechTypes");
        }
        else if (resp && n == 0) {                   /* negState */
            if (!spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_ENUMERATED) || x.len != 1)
                return fail(c, SPN_E_MALFORMED, x.hdr, "negState: not an ENUMERATED");
            tok->neg_state = x.val[0];
        }
        else if (resp && n == 1) {                   /* supportedMech */
            if (!spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_OID) || x.len == 0)
                return fail(c, SPN_E_MALFORMED, x.hdr, "supportedMech: not an OID");
            tok->supported_mech.p = x.val;
            tok->supported_mech.len = x.len;
        }
        else if (n == 2) {                           /* mechToken / responseToken */
            if (!spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_OCTETSTRING))
                return fail(c, SPN_E_MALFORMED, x.hdr, "%s: not an OCTET STRING",
                            resp ? "responseToken" : "mechToken");
            tok->has_mech_token = 1;
            if (x.len && mech_token(c, x.val, x.len, &inner) < 0)
                return -1;
        }
        else if (!resp && n == 3 && x.constructed) { /* negHints (NegTokenInit2) */
            spn_der_t h;
            spn_tlv_t hf, hv;
            int hl = -1, hn;
            tok->init2 = 1;
            if (!spn_der_is(&x, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) ||
                enter(c, &in, &x, &h, "negHints") < 0)
                return fail(c, SPN_E_MALFORMED, x.hdr, "negHints: not a SEQUENCE");
            while ((hn = next_field(c, &h, &hf, &hl, "negHints")) >= 0) {
                if (hn == 0 && explicit_inner(c, &h, &hf, &hv, SPN_DER_UNIV, 0, SPN_ASN1_GENERALSTRING,
                                              "hintName") == 0) {
                    tok->hint_name.p = hv.val;
                    tok->hint_name.len = hv.len;
                }
            }
            if (tok->error.code)
                return -1;
        }
        else if (n == 3 || n == 4) {                 /* mechListMIC */
            if (!spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_OCTETSTRING))
                return fail(c, SPN_E_MALFORMED, x.hdr, "mechListMIC: not an OCTET STRING");
            tok->has_mic = 1;
        }
    }
    if (n == -1)
        return -1;
    if (resp)
        tok->mech = tok->supported_mech.len
            ? spn_mech_of_oid(tok->supported_mech.p, tok->supported_mech.len) : inner;
    else
        tok->mech = tok->n_mechs
            ? spn_mech_of_oid(tok->mech_types[0].p, tok->mech_types[0].len) : inner;
    return 0;
}

static int mech_token(dctx_t *c, const uint8_t *p, size_t len, spn_mech_t *mech)
{
    if (IS_NTLMSSP(p, len)) {
        *mech = SPN_MECH_NTLMSSP;
        return spn_ntlm_decode(c->base, p, len, c->tok);
    }
    if (len >= 8 && memcmp(p, "NEGOEXTS", 8) == 0) {
        *mech = SPN_MECH_NEGOEX;
        return 0;
    }
    if (p[0] == SPN_DER_ID_GSS)
        return gss_framed(c, p, len, mech, 0);
    if (IS_KRB5_MSG(p[0])) {
        *mech = SPN_MECH_KRB5;
        return krb5_msg(c, p, len);
    }
    *mech = SPN_MECH_UNKNOWN;
    return 0;
}

/* InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE { thisMech, innerContextToken ANY } */
static int gss_framed(dctx_t *c, const uint8_t *p, size_t len, spn_mech_t *mech,
                      int outer)
{
    spn_token_t *tok = c->tok;
    spn_der_t d, app;
    spn_tlv_t t, oid;
    const uint8_t *inner;
    size_t ilen;

    spn_der_init(&d, c->base, p, len);
    if (expect(c, &d, &t, SPN_DER_APP, 1, SPN_ASN1_APP_GSS, "GSS [APPLICATION 0]") < 0 ||
        enter(c, &d, &t, &app, "GSS [APPLICATION 0]") < 0 ||
        expect(c, &app, &oid, SPN_DER_UNIV, 0, SPN_ASN1_OID, "GSS thisMech") < 0)
        return -1;
    if (oid.len == 0)
        return fail(c, SPN_E_MALFORMED, oid.hdr, "GSS thisMech: empty OID");
    inner = app.p;
    ilen = (size_t)(app.end - app.p);
    if (oid.len == sizeof(OID_SPNEGO) && memcmp(oid.val, OID_SPNEGO, oid.len) == 0) {
        if (!outer)
            return fail(c, SPN_E_MALFORMED, oid.hdr, "SPNEGO nested inside SPNEGO");
        if (ilen == 0 || (inner[0] != SPN_DER_ID_NEG_INIT && inner[0] != SPN_DER_ID_NEG_RESP))
            return fail(c, SPN_E_MALFORMED, inner, "SPNEGO: no NegotiationToken");
        return spnego(c, inner, ilen);
    }
    *mech = spn_mech_of_oid(oid.val, oid.len);
    if (!outer) {
        tok->inner_oid.p = oid.val;
        tok->inner_oid.len = oid.len;
    }
    if (*mech == SPN_MECH_KRB5 || *mech == SPN_MECH_MS_KRB5 || *mech == SPN_MECH_KRB5_U2U) {
        if (outer)
            tok->format = SPN_FMT_GSS_KRB5;
        if (ilen < 2)
            return fail(c, SPN_E_TRUNCATED, inner, "krb5 TOK_ID missing");
        tok->krb5.tok_id = (uint16_t)((inner[0] << 8) | inner[1]);
        if (ilen == 2)
            return fail(c, SPN_E_TRUNCATED, inner + 2, "krb5 message missing");
        /* user-to-user: a KRB-TGT-REQ (an untagged SEQUENCE, TOK_ID 0x0400)
         * first; its later AP-REQ decodes as usual */
        if (*mech == SPN_MECH_KRB5_U2U && inner[2] == SPN_DER_ID_SEQUENCE)
            return krb5_tgt_req(c, inner + 2, ilen - 2);
        return krb5_msg(c, inner + 2, ilen - 2);
    }
    if (*mech == SPN_MECH_NTLMSSP && IS_NTLMSSP(inner, ilen))
        return spn_ntlm_decode(c->base, inner, ilen, tok);
    if (outer)
        tok->inner_oid = (spn_slice_t){oid.val, oid.len};
    return 0;                           /* NEGOEX, IAKERB, unknown: reported by OID */
}

void spn_token_clear(spn_token_t *tok)
{
    memset(tok, 0, sizeof(*tok));
    tok->neg_state = -1;
    tok->krb5.kvno = -1;
}

/* Starts a decode of len bytes at buf, what: "token" or "ticket".
 * Returns 0, or -1 with the error set (empty, over the cap). */
static int decode_start(dctx_t *c, const uint8_t *buf, size_t len, spn_token_t *tok,
                        const char *what)
{
    spn_token_clear(tok);
    tok->length = len;
    c->tok = tok;
    c->base = buf;
    if (len == 0) {
        fail(c, SPN_E_EMPTY, NULL, "empty %s", what);
        return -1;
    }
    if (len > SPN_TOKEN_MAX) {
        fail(c, SPN_E_TOO_LARGE, NULL, "%s of %zu bytes exceeds the %d byte cap",
             what, len, SPN_TOKEN_MAX);
        return -1;
    }
    return 0;
}

spn_err_t spn_token_decode(const uint8_t *buf, size_t len, spn_token_t *tok)
{
    dctx_t c;
    spn_mech_t mech = SPN_MECH_NONE;

    if (decode_start(&c, buf, len, tok, "token") < 0)
        return tok->error.code;
    if (IS_NTLMSSP(buf, len)) {
        tok->format = SPN_FMT_NTLMSSP;
        tok->mech = SPN_MECH_NTLMSSP;
        spn_ntlm_decode(buf, buf, len, tok);
    }
    else if (buf[0] == SPN_DER_ID_GSS) {
        gss_framed(&c, buf, len, &mech, 1);
        if (tok->format == SPN_FMT_GSS_KRB5 || tok->format == SPN_FMT_UNKNOWN)
            tok->mech = mech;
    }
    else if (buf[0] == SPN_DER_ID_NEG_INIT || buf[0] == SPN_DER_ID_NEG_RESP) {
        spnego(&c, buf, len);
    }
    else if (IS_KRB5_MSG(buf[0])) {
        tok->format = SPN_FMT_KRB5_RAW;
        tok->mech = SPN_MECH_KRB5;
        krb5_msg(&c, buf, len);
    }
    else {
        fail(&c, SPN_E_UNSUPPORTED, buf,
             "not SPNEGO, Kerberos or NTLMSSP (first byte 0x%02x)", buf[0]);
    }
    return tok->error.code;
}

spn_err_t spn_token_decode_ticket(const uint8_t *buf, size_t len, spn_token_t *tok)
{
    dctx_t c;
    spn_der_t d;

    if (decode_start(&c, buf, len, tok, "ticket") < 0)
        return tok->error.code;
    tok->format = SPN_FMT_GSS_KRB5;
    tok->mech = SPN_MECH_KRB5;
    tok->has_krb5 = 1;
    tok->krb5.msg_type = SPN_KRB_AP_REQ;
    tok->krb5.tok_id = 0x0100;                  /* KRB_AP_REQ (RFC 4121 4.1) */
    spn_der_init(&d, buf, buf, len);
    ticket_at(&c, &d, buf, &tok->krb5);
    return tok->error.code;
}

spn_err_t spn_token_decode_b64(const char *b64, size_t len, uint8_t *out,
                               size_t outsz, spn_token_t *tok)
{
    size_t bad = 0;
    long n;

    if (len == 0) {
        spn_token_decode(out, 0, tok);
        return tok->error.code;
    }
    if (spn_b64_decoded_max(len) > outsz) {
        spn_token_clear(tok);
        tok->error.code = SPN_E_TOO_LARGE;
        snprintf(tok->error.message, sizeof(tok->error.message),
                 "%zu base64 characters exceed the %zu byte cap", len, outsz);
        return tok->error.code;
    }
    n = spn_b64_decode(b64, len, out, outsz, &bad);
    if (n < 0) {
        spn_token_clear(tok);
        tok->error.code = SPN_E_BASE64;
        tok->error.offset = bad;
        snprintf(tok->error.message, sizeof(tok->error.message),
                 bad == len ? "base64 length %zu is not a multiple of 4"
                            : "invalid base64 at character %zu",
                 bad == len ? len : bad);
        return tok->error.code;
    }
    return spn_token_decode(out, (size_t)n, tok);
}

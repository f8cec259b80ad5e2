/* spn_der.h: a bounded, allocation-free DER reader (and the one place a
 * DER header is written, spn_der_put_header()).
 *
 * Every read is checked against the end of the enclosing element; lengths
 * are definite-form only (DER), at most 4 length octets, and never run past
 * the parent.  There is no recursion: callers descend with spn_der_enter(),
 * which counts depth against SPN_DER_MAX_DEPTH.
 */
#ifndef SPN_DER_H
#define SPN_DER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SPN_DER_MAX_DEPTH 24

/* tag classes, as in the identifier octet */
#define SPN_DER_UNIV 0x00
#define SPN_DER_APP  0x40
#define SPN_DER_CTX  0x80

#define SPN_DER_CONS 0x20     /* constructed bit of the identifier octet */

/* The identifier octet of a low-numbered tag (< 31). */
#define SPN_DER_ID(cls, cons, tag) ((uint8_t)((cls) | ((cons) ? SPN_DER_CONS : 0) | (tag)))

/* universal tag numbers */
#define SPN_ASN1_INTEGER          2
#define SPN_ASN1_BITSTRING        3
#define SPN_ASN1_OCTETSTRING      4
#define SPN_ASN1_OID              6
#define SPN_ASN1_ENUMERATED       10
#define SPN_ASN1_SEQUENCE         16
#define SPN_ASN1_GENERALIZEDTIME  24   /* KerberosTime */
#define SPN_ASN1_GENERALSTRING    27   /* KerberosString, Realm */

/* [APPLICATION n] tag numbers: GSS-API (RFC 2743 3.1), Kerberos (RFC 4120) */
#define SPN_ASN1_APP_GSS            0  /* InitialContextToken */
#define SPN_ASN1_APP_TICKET         1
#define SPN_ASN1_APP_AUTHENTICATOR  2
#define SPN_ASN1_APP_ENCTICKETPART  3
#define SPN_ASN1_APP_AP_REQ         14
#define SPN_ASN1_APP_AP_REP         15
#define SPN_ASN1_APP_KRB_ERROR      30

/* [n] tag numbers: SPNEGO NegotiationToken CHOICE (RFC 4178 4.2) */
#define SPN_ASN1_CTX_NEG_INIT       0
#define SPN_ASN1_CTX_NEG_RESP       1

/* identifier octets the decoders dispatch on */
#define SPN_DER_ID_SEQUENCE   SPN_DER_ID(SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE)       /* 0x30 */
#define SPN_DER_ID_GSS        SPN_DER_ID(SPN_DER_APP, 1, SPN_ASN1_APP_GSS)         /* 0x60 */
#define SPN_DER_ID_AP_REQ     SPN_DER_ID(SPN_DER_APP, 1, SPN_ASN1_APP_AP_REQ)      /* 0x6e */
#define SPN_DER_ID_AP_REP     SPN_DER_ID(SPN_DER_APP, 1, SPN_ASN1_APP_AP_REP)      /* 0x6f */
#define SPN_DER_ID_KRB_ERROR  SPN_DER_ID(SPN_DER_APP, 1, SPN_ASN1_APP_KRB_ERROR)   /* 0x7e */
#define SPN_DER_ID_NEG_INIT   SPN_DER_ID(SPN_DER_CTX, 1, SPN_ASN1_CTX_NEG_INIT)    /* 0xa0 */
#define SPN_DER_ID_NEG_RESP   SPN_DER_ID(SPN_DER_CTX, 1, SPN_ASN1_CTX_NEG_RESP)    /* 0xa1 */

typedef struct {
    const uint8_t *base;  /* start of the whole token (for offsets) */
    const uint8_t *p;     /* next byte to read */
    const uint8_t *end;   /* end of this element's contents */
    int depth;
    size_t want, have;    /* set on SPN_DER_TRUNCATED: declared vs present */
} spn_der_t;

typedef struct {
    uint8_t cls;          /* SPN_DER_UNIV / APP / CTX / 0xC0 private */
    uint8_t constructed;  /* 0 or 1 */
    uint32_t tag;         /* tag number */
    const uint8_t *hdr;   /* first identifier octet */
    const uint8_t *val;   /* contents */
    size_t len;           /* contents length */
} spn_tlv_t;

/* spn_der_read() results */
enum {
    SPN_DER_OK = 0,
    SPN_DER_END,          /* nothing left in this element */
    SPN_DER_TRUNCATED,    /* header or contents run past the end */
    SPN_DER_BADLEN,       /* indefinite, over-long or non-minimal length */
    SPN_DER_BADTAG,       /* tag number too large */
    SPN_DER_DEEP,         /* nesting past SPN_DER_MAX_DEPTH */
    /* spn_der_principal() only: well-formed DER, not the type */
    SPN_DER_UNEXPECTED,   /* an element has the wrong tag */
    SPN_DER_ORDER,        /* SEQUENCE fields not [n] in ascending order */
    SPN_DER_RANGE,        /* name-type does not fit an Int32 / UInt32 */
    SPN_DER_NOT_STRING    /* a name component is not a GeneralString */
};

void spn_der_init(spn_der_t *d, const uint8_t *base, const uint8_t *p, size_t len);
/* Read the next TLV of this element; on success advances past it. */
int spn_der_read(spn_der_t *d, spn_tlv_t *t);
/* A reader over the contents of t, one level deeper. */
int spn_der_enter(const spn_der_t *outer, const spn_tlv_t *t, spn_der_t *inner);
/* Offset of a pointer from the token start, for error reports. */
size_t spn_der_off(const spn_der_t *d, const uint8_t *p);

/* Value helpers: return 0 on success, -1 when the contents do not fit. */
int spn_der_int(const spn_tlv_t *t, int64_t *out);       /* INTEGER, <= 8 octets */
int spn_der_bits32(const spn_tlv_t *t, uint32_t *out);   /* BIT STRING, first 32 bits */
/* Dotted OID into buf; -1 on a malformed OID or a short buffer. */
int spn_der_oid_str(const uint8_t *v, size_t len, char *buf, size_t bufsz);

/* Header only, from the n bytes at p: identifier and length, the contents
 * not required to follow (a decrypted first block).  *hdrlen is the
 * header's size; t->val points after it, t->len is as declared. */
int spn_der_peek(const uint8_t *p, size_t n, spn_tlv_t *t, size_t *hdrlen);

/* The one element inside an explicit [n] field f of d's element. */
int spn_der_explicit(const spn_der_t *d, const spn_tlv_t *f, spn_der_t *in, spn_tlv_t *t);

/* The next [n] field of a SEQUENCE, numbers ascending (<= 30) after
 * *last: SPN_DER_OK (f read, *last = its number), SPN_DER_END, a reader
 * error, or SPN_DER_ORDER. */
int spn_der_field(spn_der_t *seq, spn_tlv_t *f, int *last);

/* [APPLICATION app] SEQUENCE { ... } at the start of p[0..n): a reader
 * over the SEQUENCE's contents.  -1 unless that is what is there. */
int spn_der_app_seq(const uint8_t *p, size_t n, uint32_t app, spn_der_t *seq);

/* PrincipalName ::= SEQUENCE { name-type [0] Int32,
 *                              name-string [1] SEQUENCE OF KerberosString }
 * The components are kept as found, up to SPN_DER_NAME_MAX (n counts
 * them all), also when a later part fails. */
#define SPN_DER_NAME_MAX 8
typedef struct {
    int have_type;
    long type;
    int n;
    struct {
        const uint8_t *p;
        size_t len;
    } comp[SPN_DER_NAME_MAX];
    /* on failure: where, and the reader that failed (want/have) */
    const uint8_t *at;
    spn_der_t err;
} spn_der_name_t;
/* f is the [n] field of d's element that holds the PrincipalName.
 * Returns SPN_DER_OK or what failed (with name->at, name->err). */
int spn_der_principal(const spn_der_t *d, const spn_tlv_t *f, spn_der_name_t *name);

/* KerberosTime "YYYYMMDDHHMMSSZ" to time_t; -1 when malformed. */
time_t spn_krb5_time(const uint8_t *s, size_t n);
/* The KerberosTime inside an explicit [n] field f of d's element; -1. */
time_t spn_der_time_field(const spn_der_t *d, const spn_tlv_t *f);

/* Writes the header of an element (identifier id, contents of len bytes)
 * into out[0..cap): its size, or 0 when it does not fit. */
size_t spn_der_put_header(uint8_t *out, size_t cap, uint8_t id, size_t len);

static inline int spn_der_is(const spn_tlv_t *t, uint8_t cls, int cons, uint32_t tag)
{
    return t->cls == cls && t->constructed == cons && t->tag == tag;
}

#endif

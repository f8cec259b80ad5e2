/* spn_der.h: a bounded, allocation-free DER reader.
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

#define SPN_DER_MAX_DEPTH 24

/* tag classes, as in the identifier octet */
#define SPN_DER_UNIV 0x00
#define SPN_DER_APP  0x40
#define SPN_DER_CTX  0x80

/* universal tag numbers */
#define SPN_ASN1_INTEGER        2
#define SPN_ASN1_SEQUENCE       16
#define SPN_ASN1_GENERALSTRING  27

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
    SPN_DER_DEEP          /* nesting past SPN_DER_MAX_DEPTH */
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

static inline int spn_der_is(const spn_tlv_t *t, uint8_t cls, int cons, uint32_t tag)
{
    return t->cls == cls && t->constructed == cons && t->tag == tag;
}

#endif

/* spn_der.c: bounded DER reader, see spn_der.h */
#include "spn_der.h"
#include <stdio.h>

void spn_der_init(spn_der_t *d, const uint8_t *base, const uint8_t *p, size_t len)
{
    d->base = base;
    d->p = p;
    d->end = p + len;
    d->depth = 0;
    d->want = d->have = 0;
}

size_t spn_der_off(const spn_der_t *d, const uint8_t *p)
{
    return (size_t)(p - d->base);
}

int spn_der_read(spn_der_t *d, spn_tlv_t *t)
{
    const uint8_t *p = d->p;
    size_t avail, len;
    uint8_t b;

    if (p >= d->end)
        return SPN_DER_END;
    t->hdr = p;
    b = *p++;
    t->cls = b & 0xC0;
    t->constructed = (b & 0x20) ? 1 : 0;
    t->tag = b & 0x1F;
    if (t->tag == 0x1F) {             /* high tag number form, <= 3 octets */
        int n = 0;
        t->tag = 0;
        do {
            if (p >= d->end)
                return SPN_DER_TRUNCATED;
            if (++n > 3)
                return SPN_DER_BADTAG;
            b = *p++;
            t->tag = (t->tag << 7) | (b & 0x7F);
        } while (b & 0x80);
    }
    if (p >= d->end)
        return SPN_DER_TRUNCATED;
    b = *p++;
    if (b < 0x80) {
        len = b;
    }
    else {
        int n = b & 0x7F;
        if (n == 0 || n > 4)          /* indefinite, or > 4 GiB: not ours */
            return SPN_DER_BADLEN;
        if ((size_t)(d->end - p) < (size_t)n)
            return SPN_DER_TRUNCATED;
        len = 0;
        while (n--)
            len = (len << 8) | *p++;
    }
    avail = (size_t)(d->end - p);
    if (len > avail) {
        d->want = len;
        d->have = avail;
        return SPN_DER_TRUNCATED;
    }
    t->val = p;
    t->len = len;
    d->p = p + len;
    return SPN_DER_OK;
}

int spn_der_enter(const spn_der_t *outer, const spn_tlv_t *t, spn_der_t *inner)
{
    if (outer->depth + 1 > SPN_DER_MAX_DEPTH)
        return SPN_DER_DEEP;
    inner->base = outer->base;
    inner->p = t->val;
    inner->end = t->val + t->len;
    inner->depth = outer->depth + 1;
    inner->want = inner->have = 0;
    return SPN_DER_OK;
}

int spn_der_int(const spn_tlv_t *t, int64_t *out)
{
    uint64_t v;
    size_t i;

    if (t->len == 0 || t->len > 8)
        return -1;
    v = (t->val[0] & 0x80) ? ~(uint64_t)0 : 0;
    for (i = 0; i < t->len; i++)
        v = (v << 8) | t->val[i];
    *out = (int64_t)v;
    return 0;
}

int spn_der_bits32(const spn_tlv_t *t, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;

    if (t->len < 1 || t->val[0] > 7)
        return -1;
    for (i = 1; i < 5; i++)
        v = (v << 8) | (i < t->len ? t->val[i] : 0);
    *out = v;
    return 0;
}

int spn_der_oid_str(const uint8_t *v, size_t len, char *buf, size_t bufsz)
{
    size_t i = 0, o = 0;
    int first = 1;

    if (len == 0 || bufsz == 0)
        return -1;
    while (i < len) {
        uint64_t arc = 0;
        int n = 0, w;
        do {
            if (i >= len || ++n > 9)   /* truncated arc, or arc > 63 bits */
                return -1;
            arc = (arc << 7) | (v[i] & 0x7F);
        } while (v[i++] & 0x80);
        if (first) {
            unsigned a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            w = snprintf(buf + o, bufsz - o, "%u.%llu", a,
                         (unsigned long long)(arc - 40 * a));
            first = 0;
        }
        else {
            w = snprintf(buf + o, bufsz - o, ".%llu", (unsigned long long)arc);
        }
        if (w < 0 || (size_t)w >= bufsz - o)
            return -1;
        o += (size_t)w;
    }
    return 0;
}

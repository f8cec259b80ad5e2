/* spn_der.c: bounded DER reader, see spn_der.h */
#include "spn_der.h"
#include <stdio.h>
#include <string.h>

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

/* Identifier and length octets from p (not past end): the one length
 * decoder.  *after is where the contents start. */
static int head(const uint8_t *p, const uint8_t *end, spn_tlv_t *t, const uint8_t **after)
{
    size_t len;
    uint8_t b;

    if (p >= end)
        return SPN_DER_END;
    t->hdr = p;
    b = *p++;
    t->cls = b & 0xC0;
    t->constructed = (b & SPN_DER_CONS) ? 1 : 0;
    t->tag = b & 0x1F;
    if (t->tag == 0x1F) {             /* high tag number form, <= 3 octets */
        int n = 0;
        t->tag = 0;
        do {
            if (p >= end)
                return SPN_DER_TRUNCATED;
            if (++n > 3)
                return SPN_DER_BADTAG;
            b = *p++;
            t->tag = (t->tag << 7) | (b & 0x7F);
        } while (b & 0x80);
    }
    if (p >= end)
        return SPN_DER_TRUNCATED;
    b = *p++;
    if (b < 0x80) {
        len = b;
    }
    else {
        int n = b & 0x7F;
        if (n == 0 || n > 4)          /* indefinite, or > 4 GiB: not ours */
            return SPN_DER_BADLEN;
        if ((size_t)(end - p) < (size_t)n)
            return SPN_DER_TRUNCATED;
        len = 0;
        while (n--)
            len = (len << 8) | *p++;
    }
    t->val = p;
    t->len = len;
    *after = p;
    return SPN_DER_OK;
}

int spn_der_read(spn_der_t *d, spn_tlv_t *t)
{
    const uint8_t *p;
    size_t avail;
    int rc = head(d->p, d->end, t, &p);

    if (rc != SPN_DER_OK)
        return rc;
    avail = (size_t)(d->end - p);
    if (t->len > avail) {
        d->want = t->len;
        d->have = avail;
        return SPN_DER_TRUNCATED;
    }
    d->p = p + t->len;
    return SPN_DER_OK;
}

int spn_der_peek(const uint8_t *p, size_t n, spn_tlv_t *t, size_t *hdrlen)
{
    const uint8_t *after;
    int rc = head(p, p + n, t, &after);

    if (rc == SPN_DER_OK)
        *hdrlen = (size_t)(after - p);
    return rc;
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

int spn_der_explicit(const spn_der_t *d, const spn_tlv_t *f, spn_der_t *in, spn_tlv_t *t)
{
    int rc = spn_der_enter(d, f, in);
    return rc != SPN_DER_OK ? rc : spn_der_read(in, t);
}

int spn_der_field(spn_der_t *seq, spn_tlv_t *f, int *last)
{
    int rc = spn_der_read(seq, f);

    if (rc != SPN_DER_OK)
        return rc;
    if (f->cls != SPN_DER_CTX || !f->constructed || (int)f->tag <= *last || f->tag > 30)
        return SPN_DER_ORDER;
    *last = (int)f->tag;
    return SPN_DER_OK;
}

int spn_der_app_seq(const uint8_t *p, size_t n, uint32_t app, spn_der_t *seq)
{
    spn_der_t d, a;
    spn_tlv_t t;

    spn_der_init(&d, p, p, n);
    if (spn_der_read(&d, &t) || !spn_der_is(&t, SPN_DER_APP, 1, app) ||
        spn_der_enter(&d, &t, &a) || spn_der_read(&a, &t) ||
        !spn_der_is(&t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) || spn_der_enter(&a, &t, seq))
        return -1;
    return 0;
}

/* Failure of reader r: rc, at r's position. */
static int name_fail(spn_der_name_t *nm, const spn_der_t *r, int rc)
{
    nm->err = *r;
    nm->at = r->p;
    return rc;
}

/* The element inside the explicit field f of d, which must be (cls, cons, tag). */
static int name_inner(spn_der_name_t *nm, const spn_der_t *d, const spn_tlv_t *f,
                      spn_der_t *in, spn_tlv_t *t, uint8_t cls, int cons, uint32_t tag)
{
    int rc = spn_der_enter(d, f, in);

    if (rc != SPN_DER_OK)
        return name_fail(nm, d, rc);
    if ((rc = spn_der_read(in, t)) != SPN_DER_OK)
        return name_fail(nm, in, rc);
    if (!spn_der_is(t, cls, cons, tag)) {
        nm->err = *in;
        nm->at = t->hdr;
        return SPN_DER_UNEXPECTED;
    }
    return SPN_DER_OK;
}

int spn_der_principal(const spn_der_t *d, const spn_tlv_t *f, spn_der_name_t *nm)
{
    spn_der_t in, seq, names;
    spn_tlv_t t, x;
    int rc, last = -1;

    memset(nm, 0, sizeof(*nm));
    if ((rc = name_inner(nm, d, f, &in, &t, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE)) != SPN_DER_OK)
        return rc;
    if ((rc = spn_der_enter(&in, &t, &seq)) != SPN_DER_OK)
        return name_fail(nm, &in, rc);
    for (;;) {
        const uint8_t *at = seq.p;
        rc = spn_der_field(&seq, &t, &last);
        if (rc == SPN_DER_END)
            return SPN_DER_OK;
        if (rc == SPN_DER_ORDER) {
            nm->err = seq;
            nm->at = at;
            return rc;
        }
        if (rc != SPN_DER_OK)
            return name_fail(nm, &seq, rc);
        if (t.tag == 0) {                       /* name-type */
            int64_t v;
            if ((rc = name_inner(nm, &seq, &t, &in, &x, SPN_DER_UNIV, 0,
                                 SPN_ASN1_INTEGER)) != SPN_DER_OK)
                return rc;
            if (spn_der_int(&x, &v) < 0 || v < -2147483648LL || v > 4294967295LL) {
                nm->err = in;
                nm->at = x.hdr;
                return SPN_DER_RANGE;
            }
            nm->have_type = 1;
            nm->type = (long)v;
        }
        else if (t.tag == 1) {                  /* name-string */
            if ((rc = name_inner(nm, &seq, &t, &in, &x, SPN_DER_UNIV, 1,
                                 SPN_ASN1_SEQUENCE)) != SPN_DER_OK)
                return rc;
            if ((rc = spn_der_enter(&in, &x, &names)) != SPN_DER_OK)
                return name_fail(nm, &in, rc);
            while ((rc = spn_der_read(&names, &x)) != SPN_DER_END) {
                if (rc != SPN_DER_OK)
                    return name_fail(nm, &names, rc);
                if (!spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_GENERALSTRING)) {
                    nm->err = names;
                    nm->at = x.hdr;
                    return SPN_DER_NOT_STRING;
                }
                if (nm->n < SPN_DER_NAME_MAX) {
                    nm->comp[nm->n].p = x.val;
                    nm->comp[nm->n].len = x.len;
                }
                nm->n++;
            }
        }
    }
}

time_t spn_krb5_time(const uint8_t *s, size_t n)
{
    struct tm tm;
    int v[6], i, j, w[6] = {4, 2, 2, 2, 2, 2};
    size_t o = 0;

    if (n != 15 || s[14] != 'Z')
        return -1;
    for (i = 0; i < 6; i++) {
        v[i] = 0;
        for (j = 0; j < w[i]; j++, o++) {
            if (s[o] < '0' || s[o] > '9')
                return -1;
            v[i] = v[i] * 10 + (s[o] - '0');
        }
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    return timegm(&tm);
}

time_t spn_der_time_field(const spn_der_t *d, const spn_tlv_t *f)
{
    spn_der_t in;
    spn_tlv_t t;
    return spn_der_explicit(d, f, &in, &t) ? -1 : spn_krb5_time(t.val, t.len);
}

size_t spn_der_put_header(uint8_t *out, size_t cap, uint8_t id, size_t len)
{
    size_t k = 0, h, i;

    if (len >= 0x80)
        for (k = 1; k < 4 && (len >> (8 * k)) != 0; k++)
            ;
    if (k == 4 && (len >> 24) > 0xFF)
        return 0;
    h = 2 + k;
    if (cap < h)
        return 0;
    out[0] = id;
    if (!k) {
        out[1] = (uint8_t)len;
        return h;
    }
    out[1] = (uint8_t)(0x80 | k);
    for (i = 0; i < k; i++)
        out[2 + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
    return h;
}

/* apreq.h: a Kerberos AP-REQ in a GSS krb5 token, built from its parts
 * (unit tests and bench/decode_bench).  Header-only; malloc'ed result. */
#ifndef APREQ_H
#define APREQ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spn_der.h"

/* tag, DER length, value; returns the bytes written to o */
static size_t apreq_der(uint8_t *o, int tag, const uint8_t *v, size_t n)
{
    size_t h = spn_der_put_header(o, 6, (uint8_t)tag, n);   /* o has room: callers size it */
    if (n)
        memmove(o + h, v, n);
    return h + n;
}

static size_t apreq_int(uint8_t *o, int tag, long v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    uint8_t in[8];
    size_t n = apreq_der(in, 0x02, b, 4);
    return apreq_der(o, tag, in, n);
}

/* EncryptedData { etype [0], kvno [1] (when kvno >= 0), cipher [2] } as [tag] */
static size_t apreq_enc(uint8_t *o, int tag, int etype, long kvno, const uint8_t *c, size_t n)
{
    uint8_t *s = malloc(n + 64), *x = malloc(n + 64);
    size_t k = 0, m;
    k += apreq_int(s + k, 0xa0, etype);
    if (kvno >= 0)
        k += apreq_int(s + k, 0xa1, kvno);
    m = apreq_der(x, 0x04, c, n);
    k += apreq_der(s + k, 0xa2, x, m);
    m = apreq_der(x, 0x30, s, k);
    m = apreq_der(o, tag, x, m);
    free(s);
    free(x);
    return m;
}

/* The token for a ticket to SERVICE/host@realm; *len its size. */
static uint8_t *apreq_token(const char *realm, const char *service, const char *host,
                            int etype, long kvno, const uint8_t *c, size_t n,
                            int aetype, const uint8_t *ac, size_t an, size_t *len)
{
    size_t cap = n + an + 1024, k, m;
    uint8_t *a = malloc(cap), *b = malloc(cap), *t = malloc(cap);

    /* sname: PrincipalName { name-type [0] 2, name-string [1] SEQUENCE OF } */
    k = apreq_der(a, 0x1b, (const uint8_t *)service, strlen(service));
    k += apreq_der(a + k, 0x1b, (const uint8_t *)host, strlen(host));
    m = apreq_der(b, 0x30, a, k);
    k = apreq_der(a, 0xa1, b, m);
    m = apreq_int(b, 0xa0, 2);
    memcpy(b + m, a, k);
    k = apreq_der(a, 0x30, b, m + k);           /* PrincipalName */
    m = apreq_der(t, 0xa2, a, k);               /* [2] sname, kept in t */
    /* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] } */
    k = apreq_int(a, 0xa0, 5);
    {
        uint8_t r[300];
        size_t rn = apreq_der(r, 0x1b, (const uint8_t *)realm, strlen(realm));
        k += apreq_der(a + k, 0xa1, r, rn);
    }
    memcpy(a + k, t, m);
    k += m;
    k += apreq_enc(a + k, 0xa3, etype, kvno, c, n);
    m = apreq_der(b, 0x30, a, k);
    m = apreq_der(t, 0x61, b, m);               /* Ticket in t */
    /* AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1],
     *   ap-options [2], ticket [3], authenticator [4] } */
    k = apreq_int(a, 0xa0, 5);
    k += apreq_int(a + k, 0xa1, 14);
    k += apreq_der(a + k, 0xa2, (const uint8_t *)"\x03\x05\x00\x00\x00\x00\x00", 7);
    k += apreq_der(a + k, 0xa3, t, m);
    k += apreq_enc(a + k, 0xa4, aetype, -1, ac, an);
    m = apreq_der(b, 0x30, a, k);
    m = apreq_der(t, 0x6e, b, m);
    /* GSS: [APPLICATION 0] { OID 1.2.840.113554.1.2.2, TOK_ID 01 00, AP-REQ } */
    memcpy(a, "\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01\x00", 13);
    memcpy(a + 13, t, m);
    m = apreq_der(b, 0x60, a, m + 13);
    free(a);
    free(t);
    *len = m;
    return b;
}

#endif

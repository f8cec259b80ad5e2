/* spn_b64.c: strict base64 decoder, no allocation */
#include "spn_b64.h"

/* 0..63 for the alphabet, 64 for '=', 0xFF for everything else */
static const uint8_t dtab[256] = {
#define X 0xFF
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,62,X,X,X,63, 52,53,54,55,56,57,58,59,60,61,X,X,X,64,X,X,
    X,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14, 15,16,17,18,19,20,21,22,23,24,25,X,X,X,X,X,
    X,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40, 41,42,43,44,45,46,47,48,49,50,51,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
#undef X
};

long spn_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
                    size_t *bad)
{
    const uint8_t *s = (const uint8_t *)in;
    size_t i, o = 0;

    if (len % 4) {
        *bad = len;
        return -1;
    }
    /* Every quad but the last, while all four are of the alphabet (a pad
     * or a stray byte has bit 6 or 7 set in dtab) and three bytes fit:
     * one test a quad, no branch a byte.  Whatever stops it is decoded,
     * or refused with its position, by the loop below, as before: a 64 KiB
     * token costs a table lookup a character. */
    for (i = 0; i + 4 < len && o + 3 <= outsz; i += 4) {
        uint32_t a = dtab[s[i]], b = dtab[s[i + 1]], c = dtab[s[i + 2]], d = dtab[s[i + 3]];
        uint32_t v;
        if ((a | b | c | d) & 0xC0)
            break;
        v = a << 18 | b << 12 | c << 6 | d;
        out[o] = (uint8_t)(v >> 16);
        out[o + 1] = (uint8_t)(v >> 8);
        out[o + 2] = (uint8_t)v;
        o += 3;
    }
    for (; i < len; i += 4) {
        uint8_t a = dtab[s[i]], b = dtab[s[i + 1]], c = dtab[s[i + 2]],
                d = dtab[s[i + 3]];
        int last = (i + 4 == len);
        size_t k;
        uint32_t v;

        for (k = 0; k < 4; k++) {
            uint8_t x = dtab[s[i + k]];
            if (x == 0xFF || (x == 64 && (!last || k < 2))) {
                *bad = i + k;
                return -1;
            }
        }
        if (c == 64 && d != 64) {       /* "x=y" */
            *bad = i + 3;
            return -1;
        }
        if (o + 3 > outsz && !(last && (c == 64 || d == 64) && o + (c == 64 ? 1 : 2) <= outsz))
            return -2;
        v = ((uint32_t)a << 18) | ((uint32_t)b << 12);
        if (c == 64) {                  /* one byte; low 4 bits of b must be 0 */
            if (b & 0x0F) {
                *bad = i + 1;
                return -1;
            }
            out[o++] = (uint8_t)(v >> 16);
            break;
        }
        v |= (uint32_t)c << 6;
        if (d == 64) {                  /* two bytes; low 2 bits of c must be 0 */
            if (c & 0x03) {
                *bad = i + 2;
                return -1;
            }
            out[o++] = (uint8_t)(v >> 16);
            out[o++] = (uint8_t)(v >> 8);
            break;
        }
        v |= d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    return (long)o;
}

size_t spn_b64_encode(const uint8_t *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;

    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0)
                     | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/* test_malformed.c: every vector truncated at every offset, bit-flipped,
 * with lengths overflowed, and deep nesting: always a clean result. */
#include "spn_names.h"
#include "spn_token.h"
#include "tap.h"
#include "vectors.h"

#include <stdlib.h>

static int sane(const spn_token_t *t, size_t len)
{
    if (t->error.code > SPN_E_UNSUPPORTED) return 0;
    if (t->error.code && (t->error.message[0] == 0 || t->error.offset > len)) return 0;
    if (t->format > SPN_FMT_NTLMSSP || t->mech > SPN_MECH_KRB5_U2U) return 0;
    return 1;
}

int main(void)
{
    static vec_t v[512];
    int nv = load_vectors(v, 512), i;
    unsigned char *buf = malloc(SPN_TOKEN_MAX + 16);
    spn_token_t t;

    ok(nv > 0, "%d vectors loaded", nv);
    srand(1077);
    for (i = 0; i < nv; i++) {
        size_t cut, pos, len = v[i].len;
        int bad_trunc = 0, insane = 0, der = len && (v[i].data[0] == 0x60 ||
                        v[i].data[0] == 0xa0 || v[i].data[0] == 0xa1);
        int full_ok;
        if (len > SPN_TOKEN_MAX) continue;
        spn_token_decode(v[i].data, len, &t);
        full_ok = t.error.code == SPN_E_OK;
        for (cut = 0; cut < len; cut++) {
            memcpy(buf, v[i].data, cut);      /* exact-size copy: ASan sees overreads */
            spn_token_decode(buf, cut, &t);
            if (!sane(&t, cut)) insane++;
            if (der && full_ok && t.error.code == SPN_E_OK) bad_trunc++;
        }
        ok(insane == 0 && bad_trunc == 0, "%s: %zu truncations clean%s", v[i].name, len,
           der && full_ok ? ", every one an error" : "");
        insane = 0;
        for (pos = 0; pos < len; pos++) {
            static const unsigned char vals[] = {0x00, 0x7f, 0x80, 0x81, 0x84, 0xff};
            size_t k;
            for (k = 0; k < sizeof vals; k++) {
                memcpy(buf, v[i].data, len);
                buf[pos] = vals[k];
                spn_token_decode(buf, len, &t);
                if (!sane(&t, len)) insane++;
            }
            memcpy(buf, v[i].data, len);
            buf[pos] ^= (unsigned char)(1u << (rand() % 8));
            spn_token_decode(buf, len, &t);
            if (!sane(&t, len)) insane++;
        }
        ok(insane == 0, "%s: byte overwrites and bit flips clean", v[i].name);
    }
    /* deep nesting: thousands of constructed headers */
    {
        size_t n = 0, depth;
        buf[n++] = 0xa0;
        buf[n++] = 0x84; buf[n++] = 0; buf[n++] = 0; buf[n++] = 0x9C; buf[n++] = 0x40;
        for (depth = 0; depth < 6000 && n + 6 < 40000; depth++) {
            size_t rest = 40000 - n - 6;
            buf[n++] = 0x30; buf[n++] = 0x84;
            buf[n++] = 0; buf[n++] = 0; buf[n++] = (unsigned char)(rest >> 8);
            buf[n++] = (unsigned char)rest;
        }
        memset(buf + n, 0x30, 40000 - n);
        spn_token_decode(buf, 40000, &t);
        ok(t.error.code != SPN_E_OK && sane(&t, 40000), "deep nesting: clean error (%s)",
           spn_err_name(t.error.code));
    }
    /* random garbage behind each known first byte */
    {
        static const unsigned char first[] = {0x60, 0xa0, 0xa1, 0x6e, 0x6f, 0x7e, 'N'};
        int k, r, insane = 0;
        for (k = 0; k < (int)sizeof first; k++)
            for (r = 0; r < 2000; r++) {
                size_t len = 1 + (size_t)(rand() % 300), j;
                buf[0] = first[k];
                for (j = 1; j < len; j++) buf[j] = (unsigned char)rand();
                if (first[k] == 'N' && len >= 12) memcpy(buf, "NTLMSSP\0\3\0\0\0", 12);
                spn_token_decode(buf, len, &t);
                if (!sane(&t, len)) insane++;
            }
        ok(insane == 0, "14000 random tokens: clean");
    }
    free(buf);
    return tap_done();
}

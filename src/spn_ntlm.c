/* spn_ntlm.c: NTLMSSP NEGOTIATE, CHALLENGE and AUTHENTICATE (MS-NLMP 2.2.1)
 * with every field offset checked against the message length. */
#include "spn_ntlm.h"
#include "spn_token.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* Record the first error. */
static int __attribute__((format(printf, 5, 6)))
ntlm_fail(spn_token_t *tok, const uint8_t *base, const uint8_t *at,
          spn_err_t code, const char *fmt, ...)
{
    va_list ap;

    if (tok->error.code == SPN_E_OK) {
        tok->error.code = code;
        tok->error.offset = (size_t)(at - base);
        va_start(ap, fmt);
        vsnprintf(tok->error.message, sizeof(tok->error.message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A (len, maxlen, offset) field at p+at; the payload must lie inside. */
static int field(spn_token_t *tok, const uint8_t *base, const uint8_t *p,
                 size_t len, size_t at, const char *name, spn_slice_t *out)
{
    uint16_t flen = le16(p + at);
    uint32_t off = le32(p + at + 4);

    if (flen == 0) {
        out->p = p;
        out->len = 0;
        return 0;
    }
    if (off > len || flen > len - off)
        return ntlm_fail(tok, base, p + at, SPN_E_TRUNCATED,
                         "%s point to offset %u length %u (ends at %lu) but the "
                         "message has %zu bytes", name, off, (unsigned)flen,
                         (unsigned long)off + flen, len);
    out->p = p + off;
    out->len = flen;
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* NTLMv2_RESPONSE: NTProofStr (16), then NTLMv2_CLIENT_CHALLENGE:
 * RespType 1, HiRespType 1, Reserved (6), TimeStamp (8), ChallengeFromClient
 * (8), Reserved (4), AvPairs up to MsvAvEOL.  A 24-byte response is NTLMv1
 * and has none.  Pairs that run past the response end the walk. */
static void client_challenge(spn_ntlm_t *n, spn_slice_t nt)
{
    const uint8_t *c, *end;

    if (nt.len < 16 + 28 || nt.p[16] != 1 || nt.p[17] != 1)
        return;
    c = nt.p + 16;
    end = nt.p + nt.len;
    n->ntlmv2 = 1;
    n->client_time = le64(c + 8);
    c += 28;
    while (n->n_av < SPN_NTLM_AV_MAX && (size_t)(end - c) >= 4) {
        uint16_t id = le16(c), alen = le16(c + 2);
        const uint8_t *v = c + 4;
        if (alen > (size_t)(end - v))
            break;
        n->n_av++;
        if (id == 0)                                    /* MsvAvEOL */
            break;
        if (id == 6 && alen == 4) {                     /* MsvAvFlags */
            n->has_av_flags = 1;
            n->av_flags = le32(v);
        }
        else if (id == 7 && alen == 8) {                /* MsvAvTimestamp */
            n->has_av_time = 1;
            n->av_time = le64(v);
        }
        else if (id == 9 && !n->has_av_target) {        /* MsvAvTargetName */
            n->has_av_target = 1;
            n->av_target.p = v;
            n->av_target.len = alen;
        }
        else if (id == 10 && alen == 16) {              /* MsvAvChannelBindings */
            n->has_av_cb = 1;
            n->av_cb.p = v;
            n->av_cb.len = 16;
        }
        c = v + alen;
    }
}

static void version(spn_ntlm_t *n, const uint8_t *v)
{
    n->has_version = 1;
    n->ver_major = v[0];
    n->ver_minor = v[1];
    n->ver_build = le16(v + 2);
    n->ver_rev = v[7];
}

int spn_ntlm_decode(const uint8_t *base, const uint8_t *p, size_t len,
                    spn_token_t *tok)
{
    spn_ntlm_t *n = &tok->ntlm;
    static const size_t minlen[4] = {0, 16, 32, 64};
    uint32_t type;

    tok->has_ntlm = 1;
    if (len < 12)
        return ntlm_fail(tok, base, p + len, SPN_E_TRUNCATED,
                         "NTLMSSP header cut short (%zu of 12 bytes)", len);
    type = le32(p + 8);
    if (type < 1 || type > 3)
        return ntlm_fail(tok, base, p + 8, SPN_E_UNSUPPORTED,
                         "NTLMSSP message type %u unknown", type);
    n->type = (int)type;
    if (len < minlen[type])
        return ntlm_fail(tok, base, p + len, SPN_E_TRUNCATED,
                         "NTLMSSP type %u header needs %zu bytes, has %zu", type,
                         minlen[type], len);
    switch (type) {
    case 1:
        n->flags = le32(p + 12);
        n->unicode = 0;                  /* NEGOTIATE strings are always OEM */
        if (len >= 32) {
            if ((n->flags & SPN_NTLM_OEM_DOMAIN_SUPPLIED) &&
                field(tok, base, p, len, 16, "DomainNameFields", &n->domain) == 0)
                n->has_domain = 1;
            if ((n->flags & SPN_NTLM_OEM_WKS_SUPPLIED) &&
                field(tok, base, p, len, 24, "WorkstationFields", &n->workstation) == 0)
                n->has_workstation = 1;
            if ((n->flags & SPN_NTLM_VERSION) && len >= 40)
                version(n, p + 32);
        }
        break;
    case 2:
        n->flags = le32(p + 20);
        n->unicode = (n->flags & SPN_NTLM_UNICODE) != 0;
        n->challenge.p = p + 24;
        n->challenge.len = 8;
        if (field(tok, base, p, len, 12, "TargetNameFields", &n->target) == 0)
            n->has_target = 1;
        if (len >= 48 && (n->flags & SPN_NTLM_VERSION) && len >= 56)
            version(n, p + 48);
        break;
    case 3: {
        spn_slice_t lm, nt, key;
        size_t payload = len, i;
        static const size_t at[6] = {12, 20, 28, 36, 44, 52};
        n->flags = le32(p + 60);
        n->unicode = (n->flags & SPN_NTLM_UNICODE) != 0;
        if (field(tok, base, p, len, 12, "LmChallengeResponseFields", &lm) < 0 ||
            field(tok, base, p, len, 20, "NtChallengeResponseFields", &nt) < 0 ||
            field(tok, base, p, len, 28, "DomainNameFields", &n->domain) < 0 ||
            field(tok, base, p, len, 36, "UserNameFields", &n->user) < 0 ||
            field(tok, base, p, len, 44, "WorkstationFields", &n->workstation) < 0 ||
            field(tok, base, p, len, 52, "EncryptedRandomSessionKeyFields", &key) < 0)
            return -1;
        n->has_domain = n->has_user = n->has_workstation = 1;
        n->nt_resp_len = nt.len;
        client_challenge(n, nt);
        /* The fixed header ends where the first payload begins: 64 bytes
         * bare, 72 with Version, 88 with Version and MIC. */
        for (i = 0; i < 6; i++) {
            uint32_t off = le32(p + at[i] + 4);
            if (le16(p + at[i]) && off < payload)
                payload = off;
        }
        if (payload >= 72 && len >= 72 && (n->flags & SPN_NTLM_VERSION))
            version(n, p + 64);
        n->mic_present = payload >= 88;
        break;
    }
    }
    return tok->error.code ? -1 : 0;
}

size_t spn_ntlm_str_utf8(const spn_ntlm_t *n, spn_slice_t s, char *out, size_t outsz)
{
    return spn_ntlm_utf8(n->unicode, s, out, outsz);
}

size_t spn_ntlm_utf8(int unicode, spn_slice_t s, char *out, size_t outsz)
{
    size_t i = 0, o = 0;

    if (outsz == 0)
        return 0;
#define PUT(c) do { if (o + 1 < outsz) out[o++] = (char)(c); } while (0)
    while (i < s.len) {
        uint32_t cp;
        if (unicode) {
            if (i + 1 >= s.len) {        /* odd trailing byte */
                cp = 0xFFFD;
                i = s.len;
            }
            else {
                cp = le16(s.p + i);
                i += 2;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.len &&
                    le16(s.p + i) >= 0xDC00 && le16(s.p + i) <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (le16(s.p + i) - 0xDC00);
                    i += 2;
                }
                else if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = 0xFFFD;
                }
            }
        }
        else {
            cp = s.p[i++];
        }
        if (cp < 0x80) {
            PUT(cp);
        }
        else if (cp < 0x800) {
            if (o + 2 >= outsz) break;
            PUT(0xC0 | (cp >> 6)); PUT(0x80 | (cp & 0x3F));
        }
        else if (cp < 0x10000) {
            if (o + 3 >= outsz) break;
            PUT(0xE0 | (cp >> 12)); PUT(0x80 | ((cp >> 6) & 0x3F)); PUT(0x80 | (cp & 0x3F));
        }
        else {
            if (o + 4 >= outsz) break;
            PUT(0xF0 | (cp >> 18)); PUT(0x80 | ((cp >> 12) & 0x3F));
            PUT(0x80 | ((cp >> 6) & 0x3F)); PUT(0x80 | (cp & 0x3F));
        }
    }
#undef PUT
    out[o] = '\0';
    return o;
}

long long spn_filetime_unix(uint64_t ft)
{
    const uint64_t epoch = 116444736000000000ULL;    /* 1970-01-01 in FILETIME */
    return ft < epoch ? -1 : (long long)((ft - epoch) / 10000000ULL);
}

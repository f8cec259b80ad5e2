/* spn_names.c: names for codes, and the HTTP header splitter */
#include "spn_names.h"
#include "spn_token.h"

#include <string.h>
#include <strings.h>

const char *spn_format_name(spn_format_t f)
{
    static const char *const n[] = {"unknown", "spnego-init", "spnego-resp",
                                    "gss-krb5", "krb5-raw", "ntlmssp"};
    return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "unknown";
}

const char *spn_mech_name(spn_mech_t m)
{
    static const char *const n[] = {NULL, "krb5", "ms-krb5", "ntlmssp",
                                    "negoex", "iakerb", "unknown", "krb5-u2u"};
    return (unsigned)m < sizeof(n) / sizeof(n[0]) ? n[m] : "unknown";
}

const char *spn_err_name(spn_err_t e)
{
    static const char *const n[] = {"ok", "empty", "base64", "too-large",
                                    "truncated", "malformed", "too-deep",
                                    "unsupported"};
    return (unsigned)e < sizeof(n) / sizeof(n[0]) ? n[e] : "malformed";
}

const char *spn_etype_name(int e)
{
    switch (e) {
    case 1: return "des-cbc-crc";
    case 3: return "des-cbc-md5";
    case 16: return "des3-cbc-sha1";
    case 17: return "aes128-cts-hmac-sha1-96";
    case 18: return "aes256-cts-hmac-sha1-96";
    case 19: return "aes128-cts-hmac-sha256-128";
    case 20: return "aes256-cts-hmac-sha384-192";
    case 23: return "arcfour-hmac (RC4)";
    case 24: return "arcfour-hmac-exp";
    case 25: return "camellia128-cts-cmac";
    case 26: return "camellia256-cts-cmac";
    default: return "unknown enctype";
    }
}

const char *spn_neg_state_name(int s)
{
    switch (s) {
    case 0: return "accept-completed";
    case 1: return "accept-incomplete";
    case 2: return "reject";
    case 3: return "request-mic";
    default: return NULL;
    }
}

const char *spn_krb5_error_name(long code)
{
    switch (code) {
    case 7: return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case 8: return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
    case 14: return "KDC_ERR_ETYPE_NOSUPP";
    case 31: return "KRB_AP_ERR_BAD_INTEGRITY";
    case 32: return "KRB_AP_ERR_TKT_EXPIRED";
    case 33: return "KRB_AP_ERR_TKT_NYV";
    case 34: return "KRB_AP_ERR_REPEAT";
    case 35: return "KRB_AP_ERR_NOT_US";
    case 36: return "KRB_AP_ERR_BADMATCH";
    case 37: return "KRB_AP_ERR_SKEW";
    case 41: return "KRB_AP_ERR_MODIFIED";
    case 44: return "KRB_AP_ERR_BADKEYVER";
    case 45: return "KRB_AP_ERR_NOKEY";
    case 60: return "KRB_ERR_GENERIC";
    default: return NULL;
    }
}

size_t spn_krb5_sname(const spn_krb5_t *k, char *out, size_t outsz)
{
    size_t o = 0;
    int i, n = k->sname_n < SPN_MAX_SNAME ? k->sname_n : SPN_MAX_SNAME;

    if (outsz == 0)
        return 0;
    for (i = 0; i < n; i++) {
        size_t l = k->sname[i].len;
        if (i && o + 1 < outsz)
            out[o++] = '/';
        if (l > outsz - 1 - o)
            l = outsz - 1 - o;
        memcpy(out + o, k->sname[i].p, l);
        o += l;
    }
    out[o] = '\0';
    return o;
}

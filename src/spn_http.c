/* spn_http.c: the HTTP side of a token: splitting an Authorization or
 * WWW-Authenticate value, and whether a server's token continues the
 * exchange. */
#include "spn_http.h"

#include <string.h>
#include <strings.h>

static int is_sp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int spn_split_auth(const char *s, size_t n, const char **scheme,
                   const char **b64, size_t *b64len)
{
    const char *e = s + n, *w;
    size_t i;
    static const char *const hdrs[] = {"Authorization:", "WWW-Authenticate:",
                                       "Proxy-Authorization:", "Proxy-Authenticate:"};
    static const char *const schemes[] = {"Negotiate", "NTLM", "Kerberos"};

    *scheme = "";
    while (s < e && is_sp(*s))
        s++;
    while (e > s && is_sp(e[-1]))
        e--;
    for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
        size_t l = strlen(hdrs[i]);
        if ((size_t)(e - s) >= l && strncasecmp(s, hdrs[i], l) == 0) {
            s += l;
            while (s < e && is_sp(*s))
                s++;
            break;
        }
    }
    for (w = s; w < e && !is_sp(*w); w++)
        ;
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t l = strlen(schemes[i]);
        if ((size_t)(w - s) == l && strncasecmp(s, schemes[i], l) == 0) {
            *scheme = schemes[i];
            s = w;
            while (s < e && is_sp(*s))
                s++;
            break;
        }
    }
    *b64 = s;
    *b64len = (size_t)(e - s);
    return *b64len ? 0 : -1;
}

int spn_token_continues(const spn_token_t *t)
{
    return t->error.code == SPN_E_OK &&
           (t->neg_state == SPN_NEG_ACCEPT_INCOMPLETE ||
            (t->has_ntlm && t->ntlm.type == SPN_NTLM_CHALLENGE));
}

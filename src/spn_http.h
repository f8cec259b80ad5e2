/* spn_http.h: tokens as HTTP carries them (spn_http.c). */
#ifndef SPN_HTTP_H
#define SPN_HTTP_H

#include "spn_token.h"

/* Split an HTTP value: "Negotiate <b64>", "NTLM <b64>", a bare token,
 * or a whole "Authorization: ..." / "WWW-Authenticate: ..." line.  Sets
 * *scheme ("Negotiate", "NTLM" or "") and the base64 span; 0 on success,
 * -1 when there is no token. */
int spn_split_auth(const char *s, size_t n, const char **scheme,
                   const char **b64, size_t *b64len);

/* A server's token that continues the exchange (SPNEGO accept-incomplete,
 * an NTLM CHALLENGE): the 401 carrying it is a step, not a failure. */
int spn_token_continues(const spn_token_t *t);

#endif

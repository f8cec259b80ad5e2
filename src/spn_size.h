/* spn_size.h: tokens too large for a request header (cause token-too-large,
 * spn_size.c).  httpd refuses a header field over LimitRequestFieldSize
 * with 400 while it reads the request, before any module sees a header; a
 * backend (IIS: HTTP.sys MaxFieldLength / MaxRequestBytes) does the same
 * to a proxied request.  The glue tells which field overflowed; this file
 * says whether it is ours and what it means. */
#ifndef SPN_SIZE_H
#define SPN_SIZE_H

#include "spn_diag.h"

/* spn_observation_t.too_large */
#define SPN_TOO_LARGE_HERE    1   /* this httpd refused the field (400) */
#define SPN_TOO_LARGE_BACKEND 2   /* the backend answered 400 to a large token */

/* A token this large, in a request the backend answered with 400, is taken
 * to be the reason: an ordinary Kerberos token is 1.5-3 KB of base64, and
 * the common header limits are 8 KB (httpd's LimitRequestFieldSize 8190,
 * nginx's large_client_header_buffers) and 16 KB for the whole header
 * block (HTTP.sys MaxRequestBytes, 16384).  Counted as the whole
 * "Authorization: ..." field. */
#define SPN_TOKEN_LARGE 4096

/* How many leading bytes of a header line spn_auth_line judges. */
#define SPN_LINE_PREFIX 48

/* The start of a header line (n bytes of it, at most SPN_LINE_PREFIX are
 * looked at) is an Authorization field with the Negotiate or NTLM scheme:
 * returns 1 and sets *scheme ("Negotiate" or "NTLM"); 0 for any other
 * field (a Cookie, Basic credentials, ...). */
int spn_auth_line(const char *line, size_t n, const char **scheme);

/* After the diagnosis of the token (if there was one to read): names the
 * cause token-too-large and keeps the sizes. */
void spn_too_large_judge(const spn_observation_t *obs, spn_diag_t *d);

/* "12345 bytes", "more than 8190 bytes" (the field as far as it was read),
 * "8190 bytes" or "the backend's limit", into out. */
void spn_size_field(const spn_diag_t *d, char *out, size_t n);
void spn_size_limit(const spn_diag_t *d, char *out, size_t n);

#endif

/* spn_ntlm.h: NTLMSSP messages (MS-NLMP), bounds-checked (spn_ntlm.c). */
#ifndef SPN_NTLM_H
#define SPN_NTLM_H

#include "spn_token.h"

/* Decodes the NTLMSSP message at p (len bytes; base is the start of the
 * whole token, for error offsets) into tok->ntlm.  Returns 0 or -1. */
int spn_ntlm_decode(const uint8_t *base, const uint8_t *p, size_t len, spn_token_t *tok);

/* Convert an NTLM string to UTF-8 (invalid UTF-16 becomes U+FFFD, OEM
 * bytes are read as Latin-1).  Writes at most outsz-1 bytes plus NUL and
 * returns the length written. */
size_t spn_ntlm_str_utf8(const spn_ntlm_t *n, spn_slice_t s, char *out, size_t outsz);
/* The same with the encoding given: 1 UTF-16LE (AV pair strings always
 * are), 0 OEM. */
size_t spn_ntlm_utf8(int unicode, spn_slice_t s, char *out, size_t outsz);

/* A FILETIME (100 ns since 1601) as seconds since 1970; -1 before 1970. */
long long spn_filetime_unix(uint64_t ft);

#endif

/* spn_b64.h: strict base64 (RFC 4648 section 4, padded, canonical) */
#ifndef SPN_B64_H
#define SPN_B64_H
#include <stddef.h>
#include <stdint.h>

/* Decodes len characters of in into out (room for outsz bytes).
 * Returns the decoded length, or -1 with *bad set to the offending
 * character offset (bad alphabet, bad padding, non-zero pad bits,
 * length not a multiple of 4), or -2 when out is too small. */
long spn_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
                    size_t *bad);
/* Encodes n bytes into out, which must hold spn_b64_encoded_len(n) + 1
 * bytes; NUL-terminates.  Returns the length written. */
size_t spn_b64_encode(const uint8_t *in, size_t n, char *out);
static inline size_t spn_b64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }
static inline size_t spn_b64_decoded_max(size_t len) { return len / 4 * 3; }

#endif

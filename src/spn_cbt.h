/* spn_cbt.h: the channel binding a client should have put in its token
 * when it spoke TLS to a server with a given certificate (spn_cbt.c):
 * RFC 5929 tls-server-end-point, as GSS channel bindings application data
 * "tls-server-end-point:" + hash, and the RFC 4121 4.1.1.2 MD5 of those
 * bindings (the Bnd field a Kerberos client sends; NTLMv2's
 * MsvAvChannelBindings is the same MD5).  libcrypto is used here and in
 * spn_trial.c only. */
#ifndef SPN_CBT_H
#define SPN_CBT_H

#include <stddef.h>
#include <stdint.h>

#define SPN_CBT_PEM_MAX   65536     /* a PEM certificate larger than this is refused */
#define SPN_CBT_PREFIX    "tls-server-end-point:"

typedef struct {
    int ok;                     /* the certificate was read and hashed */
    char hash_name[16];         /* "SHA256", "SHA384", "SHA512", ... */
    uint8_t hash[64];           /* the end-point hash of the DER certificate */
    size_t hash_len;
    uint8_t md5[16];            /* MD5 of the gss_channel_bindings_struct */
    char error[96];             /* when !ok */
} spn_cbt_t;

/* From a DER certificate.  Returns 0, or -1 with out->error. */
int spn_cbt_from_der(const uint8_t *der, size_t len, spn_cbt_t *out);
/* From the first certificate in PEM text (mod_ssl's SSL_SERVER_CERT). */
int spn_cbt_from_pem(const char *pem, size_t len, spn_cbt_t *out);
/* RFC 4121 4.1.1.2: MD5 over initiator (addrtype 0, empty), acceptor
 * (addrtype 0, empty) and application data, every length and type a
 * 4-byte little-endian integer. */
void spn_cbt_md5(const uint8_t *app, size_t n, uint8_t md5[16]);
/* 32 lowercase hex digits and a NUL into out[33]. */
void spn_cbt_hex16(const uint8_t v[16], char out[33]);

#endif

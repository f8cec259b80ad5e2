/* spn_cbt.c: tls-server-end-point channel bindings (RFC 5929) and their
 * RFC 4121 MD5, from the certificate a TLS server serves. */
#include "spn_cbt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

static void put_le32(EVP_MD_CTX *c, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    EVP_DigestUpdate(c, b, 4);
}

void spn_cbt_md5(const uint8_t *app, size_t n, uint8_t md5[16])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int ol = 16;

    memset(md5, 0, 16);
    if (!c)
        return;
    if (EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1) {
        put_le32(c, 0);     /* initiator_addrtype GSS_C_AF_UNSPEC */
        put_le32(c, 0);     /* initiator_address.length */
        put_le32(c, 0);     /* acceptor_addrtype */
        put_le32(c, 0);     /* acceptor_address.length */
        put_le32(c, (uint32_t)n);
        if (n)
            EVP_DigestUpdate(c, app, n);
        if (EVP_DigestFinal_ex(c, md5, &ol) != 1)
            memset(md5, 0, 16);
    }
    EVP_MD_CTX_free(c);
}

void spn_cbt_hex16(const uint8_t v[16], char out[33])
{
    static const char hx[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 16; i++) {
        out[2 * i] = hx[v[i] >> 4];
        out[2 * i + 1] = hx[v[i] & 15];
    }
    out[32] = '\0';
}

static int fail(spn_cbt_t *out, const char *why)
{
    out->ok = 0;
    snprintf(out->error, sizeof(out->error), "%s", why);
    return -1;
}

/* RFC 5929 4.1: the certificate's signatureAlgorithm hash; MD5 and SHA-1
 * become SHA-256; no single hash (e.g. Ed25519): no binding is defined.
 * RSASSA-PSS names its hash in its parameters, not in its OID:
 * X509_get_signature_info reads them (OBJ_find_sigid_algs has none). */
static int endpoint(X509 *x, const uint8_t *der, size_t len, spn_cbt_t *out)
{
    int md_nid = NID_undef, pk_nid = NID_undef;
    const EVP_MD *md;
    unsigned int hl = 0;
    uint8_t app[sizeof(SPN_CBT_PREFIX) - 1 + 64];
    size_t pl = sizeof(SPN_CBT_PREFIX) - 1;

    if (!X509_get_signature_info(x, &md_nid, &pk_nid, NULL, NULL) || md_nid == NID_undef)
        return fail(out, "the certificate's signature has no single hash (RFC 5929 4.1)");
    if (md_nid == NID_md5 || md_nid == NID_sha1)
        md_nid = NID_sha256;
    if (!(md = EVP_get_digestbynid(md_nid)) || EVP_MD_size(md) > 64)
        return fail(out, "the certificate's signature hash is not available");
    if (EVP_Digest(der, len, out->hash, &hl, md, NULL) != 1)
        return fail(out, "hashing the certificate failed");
    out->hash_len = hl;
    snprintf(out->hash_name, sizeof(out->hash_name), "%s", OBJ_nid2sn(md_nid));
    memcpy(app, SPN_CBT_PREFIX, pl);
    memcpy(app + pl, out->hash, hl);
    spn_cbt_md5(app, pl + hl, out->md5);
    out->ok = 1;
    return 0;
}

int spn_cbt_from_der(const uint8_t *der, size_t len, spn_cbt_t *out)
{
    const unsigned char *p = der;
    X509 *x;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!der || len == 0 || len > SPN_CBT_PEM_MAX)
        return fail(out, "no certificate, or one too large");
    if (!(x = d2i_X509(NULL, &p, (long)len)) || p != der + len) {
        X509_free(x);
        return fail(out, "not a DER certificate");
    }
    rc = endpoint(x, der, len, out);
    X509_free(x);
    return rc;
}

int spn_cbt_from_pem(const char *pem, size_t len, spn_cbt_t *out)
{
    BIO *bio;
    X509 *x;
    unsigned char *der = NULL;
    int n, rc;

    memset(out, 0, sizeof(*out));
    if (!pem || len == 0 || len > SPN_CBT_PEM_MAX)
        return fail(out, "no certificate, or one too large");
    if (!(bio = BIO_new_mem_buf(pem, (int)len)))
        return fail(out, "out of memory");
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!x)
        return fail(out, "not a PEM certificate");
    n = i2d_X509(x, &der);
    rc = n > 0 ? endpoint(x, der, (size_t)n, out) : fail(out, "the certificate does not encode");
    OPENSSL_free(der);
    X509_free(x);
    return rc;
}

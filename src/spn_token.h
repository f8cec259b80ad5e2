/* spn_token.h: decode an HTTP Negotiate / NTLM token into facts.
 *
 * spn_token_decode() never allocates: every string in the result is a
 * slice that points into the caller's decoded buffer, which must outlive
 * the result.  NTLM strings keep their wire encoding (UTF-16LE or OEM);
 * spn_ntlm_str_utf8() converts one on output.
 */
#ifndef SPN_TOKEN_H
#define SPN_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SPN_TOKEN_MAX      65536  /* decoded bytes accepted by default */
#define SPN_MAX_MECHS      16     /* SPNEGO mechTypes kept */
#define SPN_MAX_SNAME      8      /* PrincipalName components kept */

typedef struct {
    const uint8_t *p;
    size_t len;
} spn_slice_t;

typedef enum {
    SPN_FMT_UNKNOWN = 0,
    SPN_FMT_SPNEGO_INIT,
    SPN_FMT_SPNEGO_RESP,
    SPN_FMT_GSS_KRB5,
    SPN_FMT_KRB5_RAW,
    SPN_FMT_NTLMSSP
} spn_format_t;

typedef enum {
    SPN_MECH_NONE = 0,
    SPN_MECH_KRB5,
    SPN_MECH_MS_KRB5,
    SPN_MECH_NTLMSSP,
    SPN_MECH_NEGOEX,
    SPN_MECH_IAKERB,
    SPN_MECH_UNKNOWN,
    SPN_MECH_KRB5_U2U       /* appended: the history keeps these numbers */
} spn_mech_t;

typedef enum {
    SPN_E_OK = 0,
    SPN_E_EMPTY,        /* no token at all */
    SPN_E_BASE64,       /* not strict base64 */
    SPN_E_TOO_LARGE,    /* past the size cap */
    SPN_E_TRUNCATED,    /* a length runs past the data */
    SPN_E_MALFORMED,    /* wrong tag, bad length form, bad value */
    SPN_E_TOO_DEEP,     /* nesting past the cap */
    SPN_E_UNSUPPORTED   /* well-formed, but not a format we know */
} spn_err_t;

typedef struct {
    spn_err_t code;
    size_t offset;          /* byte offset into the decoded token */
    char message[160];
} spn_error_t;

typedef struct {
    int msg_type;           /* 14 AP-REQ, 15 AP-REP, 16 KRB-TGT-REQ (user-to-user),
                             * 30 KRB-ERROR; 0 none */
    uint16_t tok_id;        /* GSS krb5 TOK_ID (0x0100, 0x0200, 0x0300, 0x0400), 0 bare */
    spn_slice_t realm;      /* Ticket / KRB-ERROR realm, KRB-TGT-REQ realm */
    int sname_type;         /* sname: the ticket's, KRB-ERROR's, KRB-TGT-REQ server-name */
    int sname_n;            /* components seen (may exceed SPN_MAX_SNAME) */
    spn_slice_t sname[SPN_MAX_SNAME];
    /* AP-REQ */
    uint32_t ap_options;
    int etype;              /* ticket enc-part etype */
    long kvno;              /* ticket enc-part kvno, -1 when absent */
    spn_slice_t cipher;     /* ticket enc-part cipher (for trial decryption) */
    int auth_etype;         /* authenticator etype */
    spn_slice_t auth_cipher;
    /* KRB-ERROR */
    long error_code;
    spn_slice_t e_text;
    spn_slice_t stime;      /* KerberosTime, "YYYYMMDDHHMMSSZ" */
} spn_krb5_t;

#define SPN_NTLM_UNICODE  0x00000001u
#define SPN_NTLM_OEM_DOMAIN_SUPPLIED 0x00001000u
#define SPN_NTLM_OEM_WKS_SUPPLIED    0x00002000u
#define SPN_NTLM_VERSION  0x02000000u

typedef struct {
    int type;               /* 1, 2 or 3 */
    uint32_t flags;
    int unicode;            /* strings below are UTF-16LE */
    int has_domain, has_workstation, has_user, has_target;
    spn_slice_t domain, workstation, user, target;
    int has_version;
    uint8_t ver_major, ver_minor, ver_rev;
    uint16_t ver_build;
    spn_slice_t challenge;  /* type 2 server challenge (8 bytes) */
    size_t nt_resp_len;     /* type 3 */
    int mic_present;        /* type 3 */
} spn_ntlm_t;

typedef struct {
    spn_format_t format;
    spn_mech_t mech;
    size_t length;          /* decoded bytes */
    /* SPNEGO */
    int n_mechs;            /* mechTypes seen (may exceed SPN_MAX_MECHS) */
    spn_slice_t mech_types[SPN_MAX_MECHS];   /* raw OID contents */
    int init2;              /* NegTokenInit2 (negHints present) */
    spn_slice_t hint_name;
    int neg_state;          /* -1 when absent */
    spn_slice_t supported_mech;
    int has_mech_token;     /* mechToken / responseToken present */
    int has_mic;
    spn_slice_t inner_oid;  /* GSS thisMech of the inner token */
    /* mechanisms */
    int has_krb5;
    spn_krb5_t krb5;
    int has_ntlm;
    spn_ntlm_t ntlm;
    spn_error_t error;
} spn_token_t;

/* Decode len bytes (already base64-decoded).  Returns error.code. */
spn_err_t spn_token_decode(const uint8_t *buf, size_t len, spn_token_t *tok);

/* Split an HTTP value: "Negotiate <b64>", "NTLM <b64>", a bare token,
 * or a whole "Authorization: ..." / "WWW-Authenticate: ..." line.  Sets
 * *scheme ("Negotiate", "NTLM" or "") and the base64 span; 0 on success,
 * -1 when there is no token. */
int spn_split_auth(const char *s, size_t n, const char **scheme,
                   const char **b64, size_t *b64len);

/* Base64-decode then spn_token_decode(); out must hold outsz bytes
 * (normally SPN_TOKEN_MAX).  Returns error.code. */
spn_err_t spn_token_decode_b64(const char *b64, size_t len, uint8_t *out,
                               size_t outsz, spn_token_t *tok);

/* Names */
const char *spn_format_name(spn_format_t f);
const char *spn_mech_name(spn_mech_t m);
const char *spn_err_name(spn_err_t e);
spn_mech_t spn_mech_of_oid(const uint8_t *oid, size_t len);
const char *spn_oid_label(const uint8_t *oid, size_t len); /* human label */
const char *spn_etype_name(int etype);
const char *spn_neg_state_name(int s);
const char *spn_krb5_error_name(long code);

/* Convert an NTLM string to UTF-8 (invalid UTF-16 becomes U+FFFD, OEM
 * bytes are read as Latin-1).  Writes at most outsz-1 bytes plus NUL and
 * returns the length written. */
size_t spn_ntlm_str_utf8(const spn_ntlm_t *n, spn_slice_t s, char *out, size_t outsz);

/* Join sname components with '/' into out (NUL-terminated, cut to fit). */
size_t spn_krb5_sname(const spn_krb5_t *k, char *out, size_t outsz);

#endif

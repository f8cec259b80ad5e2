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

/* Kerberos message types (RFC 4120 5.10; KRB-TGT-REQ: user-to-user). */
enum {
    SPN_KRB_AP_REQ = 14,
    SPN_KRB_AP_REP = 15,
    SPN_KRB_TGT_REQ = 16,
    SPN_KRB_ERROR = 30
};

typedef struct {
    int msg_type;           /* SPN_KRB_*; 0 none */
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

/* NTLM message types (MS-NLMP 2.2.1). */
enum { SPN_NTLM_NEGOTIATE = 1, SPN_NTLM_CHALLENGE = 2, SPN_NTLM_AUTHENTICATE = 3 };

typedef struct {
    int type;               /* SPN_NTLM_* */
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
    /* type 3, NTLMv2: the NTLMv2_CLIENT_CHALLENGE (MS-NLMP 2.2.2.7) and its
     * AV pairs (2.2.2.1), which travel in the clear */
    int ntlmv2;             /* the NT response holds a client challenge */
    uint64_t client_time;   /* its TimeStamp (FILETIME) */
    int n_av;               /* AV pairs walked (at most SPN_NTLM_AV_MAX) */
    int has_av_flags, has_av_time, has_av_target, has_av_cb;
    uint32_t av_flags;      /* MsvAvFlags */
    uint64_t av_time;       /* MsvAvTimestamp (FILETIME) */
    spn_slice_t av_target;  /* MsvAvTargetName, UTF-16LE (the SPN the client aimed at) */
    spn_slice_t av_cb;      /* MsvAvChannelBindings, 16 bytes */
} spn_ntlm_t;

#define SPN_NTLM_AV_MAX 64  /* AV pairs looked at in one client challenge */
/* MsvAvFlags bits (MS-NLMP 2.2.2.1) */
#define SPN_NTLM_AVF_CONSTRAINED 0x1u  /* the account authentication is constrained */
#define SPN_NTLM_AVF_MIC         0x2u  /* the message carries a MIC */
#define SPN_NTLM_AVF_UNTRUSTED   0x4u  /* the SPN came from an untrusted source */

/* SPNEGO negState (RFC 4178 4.2.2). */
enum {
    SPN_NEG_ACCEPT_COMPLETED = 0,
    SPN_NEG_ACCEPT_INCOMPLETE = 1,
    SPN_NEG_REJECT = 2,
    SPN_NEG_REQUEST_MIC = 3
};

typedef struct {
    spn_format_t format;
    spn_mech_t mech;
    size_t length;          /* decoded bytes */
    /* SPNEGO */
    int n_mechs;            /* mechTypes seen (may exceed SPN_MAX_MECHS) */
    spn_slice_t mech_types[SPN_MAX_MECHS];   /* raw OID contents */
    int init2;              /* NegTokenInit2 (negHints present) */
    spn_slice_t hint_name;
    int neg_state;          /* SPN_NEG_*, -1 when absent */
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

/* No token: all zero, but neg_state and krb5.kvno -1 (not seen). */
void spn_token_clear(spn_token_t *tok);

/* Decode len bytes (already base64-decoded).  Returns error.code. */
spn_err_t spn_token_decode(const uint8_t *buf, size_t len, spn_token_t *tok);

/* A Kerberos Ticket ([APPLICATION 1], DER) as a KDC issued it, described
 * as the GSS krb5 AP-REQ a client would present it in (format GSS_KRB5,
 * mech KRB5, msg_type AP-REQ, TOK_ID 0x0100) with no authenticator: the
 * probe's view of a ticket.  Slices point into buf.  Returns error.code. */
spn_err_t spn_token_decode_ticket(const uint8_t *buf, size_t len, spn_token_t *tok);

/* Base64-decode then spn_token_decode(); out must hold outsz bytes
 * (normally SPN_TOKEN_MAX).  Returns error.code. */
spn_err_t spn_token_decode_b64(const char *b64, size_t len, uint8_t *out,
                               size_t outsz, spn_token_t *tok);

#endif

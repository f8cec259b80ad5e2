/* spn_auth.h: the facts of a decrypted Kerberos Authenticator (RFC 4120
 * 5.5.1), the RFC 4121 4.1.1 GSS checksum in it (channel bindings, flags)
 * and MS-KILE's AD-AUTH-DATA-AP-OPTIONS (spn_auth.c).  The parser reads
 * plaintext the session key opened, so its bytes are as hostile as the
 * client that sent them: every length is checked, nothing allocated, and
 * no key material is kept (the subkey's enctype only). */
#ifndef SPN_AUTH_H
#define SPN_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 4121 4.1.1: the checksum type of the GSS krb5 authenticator checksum. */
#define SPN_CKSUM_GSS          0x8003
/* Its Flags field (RFC 4121 4.1.1.1; RFC 2744 values). */
#define SPN_GSS_DELEG          0x01u
#define SPN_GSS_MUTUAL         0x02u
#define SPN_GSS_REPLAY         0x04u
#define SPN_GSS_SEQUENCE       0x08u
#define SPN_GSS_CONF           0x10u
#define SPN_GSS_INTEG          0x20u
#define SPN_GSS_DCE_STYLE      0x1000u
#define SPN_GSS_IDENTIFY       0x2000u
#define SPN_GSS_EXTENDED_ERROR 0x4000u
/* AuthorizationData types: AD-IF-RELEVANT (RFC 4120), and MS-KILE 2.2.10
 * KERB-AUTH-DATA-AP-OPTIONS with its KERB_AP_OPTIONS_CBT bit. */
#define SPN_AD_IF_RELEVANT     1
#define SPN_AD_AP_OPTIONS      143
#define SPN_KERB_AP_OPTIONS_CBT 0x4000u

/* AuthorizationData elements looked at, in all (nesting counts). */
#define SPN_AUTH_AD_MAX        32

typedef struct {
    int parsed;                 /* an [APPLICATION 2] SEQUENCE was there */
    int have_ctime;
    time_t ctime;
    long cusec;                 /* -1 when absent or out of range */
    char cname[256];            /* cname@crealm, "" when absent; cut names are dropped */
    int have_cksum;
    long cksum_type;
    int gss_cksum;              /* type 0x8003 with at least Lgth, Bnd and Flags */
    uint8_t bnd[16];            /* the MD5 of the channel bindings, as sent */
    int bnd_zero;               /* Bnd all zeros: the client bound none */
    uint32_t gss_flags;
    int deleg_present;          /* a delegated credential follows the flags */
    int subkey_etype;           /* 0 when there is no subkey */
    int have_ap_options;        /* AD-AUTH-DATA-AP-OPTIONS found */
    uint32_t ap_options;        /* its value (little-endian on the wire) */
    int cbt_option;             /* KERB_AP_OPTIONS_CBT set in it */
    int n_ad;                   /* AuthorizationData elements seen */
} spn_auth_t;

/* Reads the Authenticator in plain[0..len) into a (zeroed first).
 * Returns 0 when it was an Authenticator, -1 otherwise; fields read
 * before a failure are kept. */
int spn_auth_parse(const uint8_t *plain, size_t len, spn_auth_t *a);

/* The checksum's flags as names, space-separated ("deleg mutual ..."). */
void spn_auth_flags_str(uint32_t flags, char *out, size_t outsz);
/* Calls f(name, arg) for each flag set, in the order above. */
void spn_auth_flags_each(uint32_t flags, void (*f)(const char *name, void *arg), void *arg);

#endif

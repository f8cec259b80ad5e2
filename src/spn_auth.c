/* spn_auth.c: the facts of a decrypted Authenticator (see spn_auth.h).
 *
 * Authenticator ::= [APPLICATION 2] SEQUENCE {
 *   authenticator-vno [0], crealm [1] Realm, cname [2] PrincipalName,
 *   cksum [3] Checksum OPTIONAL, cusec [4], ctime [5] KerberosTime,
 *   subkey [6] EncryptionKey OPTIONAL, seq-number [7] OPTIONAL,
 *   authorization-data [8] AuthorizationData OPTIONAL }
 * Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING }
 * RFC 4121 4.1.1, checksum 0x8003: Lgth (4, LE, = 16), Bnd (16), Flags
 * (4, LE), then [DlgOpt (2) Dlgth (2) Deleg] and extensions.
 * AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0], ad-data [1] };
 * AD-IF-RELEVANT's ad-data is AuthorizationData again (MS-KILE puts
 * KERB-AUTH-DATA-AP-OPTIONS, a 4-byte little-endian value, inside it). */
#include "spn_auth.h"
#include "spn_der.h"

#include <stdio.h>
#include <string.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An INTEGER inside explicit field f; -1 on failure. */
static int field_int(const spn_der_t *seq, const spn_tlv_t *f, int64_t *v)
{
    spn_der_t in;
    spn_tlv_t x;
    if (spn_der_explicit(seq, f, &in, &x) != SPN_DER_OK ||
        !spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_INTEGER))
        return -1;
    return spn_der_int(&x, v);
}

static void cname_of(const spn_der_t *seq, const spn_tlv_t *f, spn_auth_t *a)
{
    spn_der_name_t nm;
    size_t o = 0;
    int i;

    if (spn_der_principal(seq, f, &nm) != SPN_DER_OK || nm.n > SPN_DER_NAME_MAX)
        return;
    for (i = 0; i < nm.n; i++) {
        if (o + nm.comp[i].len + 2 > sizeof(a->cname)) {
            a->cname[0] = '\0';             /* a cut name would name someone else */
            return;
        }
        if (i)
            a->cname[o++] = '/';
        memcpy(a->cname + o, nm.comp[i].p, nm.comp[i].len);
        o += nm.comp[i].len;
        a->cname[o] = '\0';
    }
}

/* The Checksum in field f. */
static void checksum(const spn_der_t *seq, const spn_tlv_t *f, spn_auth_t *a)
{
    spn_der_t in, cs, xin;
    spn_tlv_t x, cf, v;
    int64_t type = 0;
    int last = -1, have_type = 0;

    if (spn_der_explicit(seq, f, &in, &x) != SPN_DER_OK ||
        !spn_der_is(&x, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) || spn_der_enter(&in, &x, &cs))
        return;
    while (spn_der_field(&cs, &cf, &last) == SPN_DER_OK) {
        if (cf.tag == 0 && field_int(&cs, &cf, &type) == 0 && type >= INT32_MIN &&
            type <= INT32_MAX) {
            have_type = 1;
            a->have_cksum = 1;
            a->cksum_type = (long)type;
        }
        else if (cf.tag == 1 && have_type &&
                 spn_der_explicit(&cs, &cf, &xin, &v) == SPN_DER_OK &&
                 spn_der_is(&v, SPN_DER_UNIV, 0, SPN_ASN1_OCTETSTRING) &&
                 type == SPN_CKSUM_GSS && v.len >= 24 && le32(v.val) == 16) {
            int i;
            a->gss_cksum = 1;
            memcpy(a->bnd, v.val + 4, 16);
            a->bnd_zero = 1;
            for (i = 0; i < 16; i++)
                if (a->bnd[i])
                    a->bnd_zero = 0;
            a->gss_flags = le32(v.val + 20);
            a->deleg_present = (a->gss_flags & SPN_GSS_DELEG) && v.len >= 28 &&
                               v.val[24] == 1 && v.val[25] == 0;
        }
    }
}

/* The subkey's keytype only: the key itself is never read. */
static void subkey(const spn_der_t *seq, const spn_tlv_t *f, spn_auth_t *a)
{
    spn_der_t in, ks;
    spn_tlv_t x, kf;
    int64_t t;
    int last = -1;

    if (spn_der_explicit(seq, f, &in, &x) != SPN_DER_OK ||
        !spn_der_is(&x, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) || spn_der_enter(&in, &x, &ks))
        return;
    if (spn_der_field(&ks, &kf, &last) == SPN_DER_OK && kf.tag == 0 &&
        field_int(&ks, &kf, &t) == 0 && t > 0 && t <= INT32_MAX)
        a->subkey_etype = (int)t;
}

/* AuthorizationData (a SEQUENCE OF, in the element x of reader r); one
 * level of AD-IF-RELEVANT is entered (depth 0 -> 1). */
static void authdata(const spn_der_t *r, const spn_tlv_t *x, int depth, spn_auth_t *a)
{
    spn_der_t list, el, fin;
    spn_tlv_t e, f, v;

    if (!spn_der_is(x, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) || spn_der_enter(r, x, &list))
        return;
    while (a->n_ad < SPN_AUTH_AD_MAX && spn_der_read(&list, &e) == SPN_DER_OK) {
        int64_t type = -1;
        int last = -1;
        a->n_ad++;
        if (!spn_der_is(&e, SPN_DER_UNIV, 1, SPN_ASN1_SEQUENCE) || spn_der_enter(&list, &e, &el))
            continue;
        while (spn_der_field(&el, &f, &last) == SPN_DER_OK) {
            if (f.tag == 0) {
                if (field_int(&el, &f, &type) != 0)
                    break;
                continue;
            }
            if (f.tag != 1 || spn_der_explicit(&el, &f, &fin, &v) != SPN_DER_OK ||
                !spn_der_is(&v, SPN_DER_UNIV, 0, SPN_ASN1_OCTETSTRING))
                break;
            if (type == SPN_AD_AP_OPTIONS && v.len == 4) {
                a->have_ap_options = 1;
                a->ap_options = le32(v.val);
                a->cbt_option = (a->ap_options & SPN_KERB_AP_OPTIONS_CBT) != 0;
            }
            else if (type == SPN_AD_IF_RELEVANT && depth == 0) {
                spn_der_t inner;
                spn_tlv_t y;
                /* ad-data holds DER of its own: a reader over its bytes */
                spn_der_init(&inner, fin.base, v.val, v.len);
                inner.depth = fin.depth + 1;
                if (inner.depth < SPN_DER_MAX_DEPTH && spn_der_read(&inner, &y) == SPN_DER_OK)
                    authdata(&inner, &y, 1, a);
            }
        }
    }
}

int spn_auth_parse(const uint8_t *plain, size_t len, spn_auth_t *a)
{
    spn_der_t seq, in;
    spn_tlv_t f, x;
    char crealm[128] = "";
    int64_t v;
    int last = -1;

    memset(a, 0, sizeof(*a));
    a->cusec = -1;
    if (!plain || spn_der_app_seq(plain, len, SPN_ASN1_APP_AUTHENTICATOR, &seq) != 0)
        return -1;
    a->parsed = 1;
    while (spn_der_field(&seq, &f, &last) == SPN_DER_OK) {
        switch (f.tag) {
        case 1:
            if (spn_der_explicit(&seq, &f, &in, &x) == SPN_DER_OK &&
                spn_der_is(&x, SPN_DER_UNIV, 0, SPN_ASN1_GENERALSTRING) &&
                x.len < sizeof(crealm)) {
                memcpy(crealm, x.val, x.len);
                crealm[x.len] = '\0';
            }
            break;
        case 2: cname_of(&seq, &f, a); break;
        case 3: checksum(&seq, &f, a); break;
        case 4:
            if (field_int(&seq, &f, &v) == 0 && v >= 0 && v <= 999999)
                a->cusec = (long)v;
            break;
        case 5:
            if ((a->ctime = spn_der_time_field(&seq, &f)) != (time_t)-1)
                a->have_ctime = 1;
            else
                a->ctime = 0;
            break;
        case 6: subkey(&seq, &f, a); break;
        case 8:
            if (spn_der_explicit(&seq, &f, &in, &x) == SPN_DER_OK)
                authdata(&in, &x, 0, a);
            break;
        }
    }
    if (*a->cname && *crealm) {
        size_t n = strlen(a->cname);
        if (n + 1 + strlen(crealm) < sizeof(a->cname)) {
            a->cname[n] = '@';
            memcpy(a->cname + n + 1, crealm, strlen(crealm) + 1);
        }
    }
    /* names with bytes that are not printable stay out of the report */
    {
        size_t i;
        for (i = 0; a->cname[i]; i++)
            if ((unsigned char)a->cname[i] < 0x20 || a->cname[i] == 0x7f) {
                a->cname[0] = '\0';
                break;
            }
    }
    return 0;
}

static const struct { uint32_t bit; const char *name; } flag_names[] = {
    { SPN_GSS_DELEG, "deleg" }, { SPN_GSS_MUTUAL, "mutual" }, { SPN_GSS_REPLAY, "replay" },
    { SPN_GSS_SEQUENCE, "sequence" }, { SPN_GSS_CONF, "conf" }, { SPN_GSS_INTEG, "integ" },
    { SPN_GSS_DCE_STYLE, "dce-style" }, { SPN_GSS_IDENTIFY, "identify" },
    { SPN_GSS_EXTENDED_ERROR, "extended-error" },
};

void spn_auth_flags_each(uint32_t flags, void (*f)(const char *name, void *arg), void *arg)
{
    size_t i;
    for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (flags & flag_names[i].bit)
            f(flag_names[i].name, arg);
}

typedef struct { char *out; size_t sz, o; } flag_acc;

static void flag_put(const char *name, void *arg)
{
    flag_acc *acc = arg;
    int w = snprintf(acc->out + acc->o, acc->sz - acc->o, "%s%s", acc->o ? " " : "", name);
    if (w > 0 && (size_t)w < acc->sz - acc->o)
        acc->o += (size_t)w;
}

void spn_auth_flags_str(uint32_t flags, char *out, size_t outsz)
{
    flag_acc acc = { out, outsz, 0 };
    if (!outsz)
        return;
    out[0] = '\0';
    spn_auth_flags_each(flags, flag_put, &acc);
    if (!acc.o)
        snprintf(out, outsz, "none");
}

/* spn_keytab.c: keytab inventory and trial decryption (MIT krb5 API) */
#include <stdio.h>
#include "spn_keytab.h"
#include "spn_der.h"

#include <apr_strings.h>
#include <string.h>

static apr_status_t zero_keys(void *data)
{
    spn_keytab_t *kt = data;
    int i;
    for (i = 0; i < kt->n; i++)
        if (kt->e[i].key.contents)
            memset(kt->e[i].key.contents, 0, kt->e[i].key.length);
    return APR_SUCCESS;
}

spn_keytab_t *spn_keytab_load(apr_pool_t *p, krb5_context ctx, const char *path)
{
    spn_keytab_t *kt = apr_pcalloc(p, sizeof(*kt));
    krb5_keytab k = NULL;
    krb5_kt_cursor cur;
    krb5_keytab_entry ent;
    krb5_error_code rc;
    int cap = 16;
    const char *name;

    kt->path = path;
    kt->status = -1;
    if (!path || !*path) {
        apr_cpystrn(kt->error, "no keytab configured", sizeof(kt->error));
        return kt;
    }
    name = strchr(path, ':') ? path : apr_pstrcat(p, "FILE:", path, NULL);
    if ((rc = krb5_kt_resolve(ctx, name, &k)) != 0 ||
        (rc = krb5_kt_start_seq_get(ctx, k, &cur)) != 0) {
        const char *m = krb5_get_error_message(ctx, rc);
        snprintf(kt->error, sizeof(kt->error), "%s", m);
        krb5_free_error_message(ctx, m);
        if (k)
            krb5_kt_close(ctx, k);
        return kt;
    }
    kt->e = apr_pcalloc(p, sizeof(*kt->e) * cap);
    apr_pool_cleanup_register(p, kt, zero_keys, apr_pool_cleanup_null);
    while (kt->n < 4096 && krb5_kt_next_entry(ctx, k, &ent, &cur) == 0) {
        spn_kt_entry_t *e;
        char *s = NULL;
        if (kt->n == cap) {
            spn_kt_entry_t *ne = apr_pcalloc(p, sizeof(*ne) * cap * 2);
            memcpy(ne, kt->e, sizeof(*ne) * cap);
            kt->e = ne;
            cap *= 2;
        }
        e = &kt->e[kt->n++];
        if (krb5_unparse_name(ctx, ent.principal, &s) == 0) {
            e->principal = apr_pstrdup(p, s);
            krb5_free_unparsed_name(ctx, s);
        }
        else {
            e->principal = "?";
        }
        {
            char *at = strrchr(e->principal, '@');
            e->name = at ? apr_pstrmemdup(p, e->principal, (apr_size_t)(at - e->principal))
                         : e->principal;
            e->realm = at ? at + 1 : "";
        }
        e->kvno = (int)ent.vno;
        e->enctype = ent.key.enctype;
        e->timestamp = (long)ent.timestamp;
        e->key.magic = ent.key.magic;
        e->key.enctype = ent.key.enctype;
        e->key.length = ent.key.length;
        e->key.contents = apr_pmemdup(p, ent.key.contents, ent.key.length);
        krb5_free_keytab_entry_contents(ctx, &ent);   /* zeroes the library copy */
    }
    krb5_kt_end_seq_get(ctx, k, &cur);
    krb5_kt_close(ctx, k);
    kt->status = 0;
    return kt;
}

time_t spn_krb5_time(const uint8_t *s, size_t n)
{
    struct tm tm;
    int v[6], i, j, w[6] = {4, 2, 2, 2, 2, 2};
    size_t o = 0;

    if (n != 15 || s[14] != 'Z')
        return -1;
    for (i = 0; i < 6; i++) {
        v[i] = 0;
        for (j = 0; j < w[i]; j++, o++) {
            if (s[o] < '0' || s[o] > '9')
                return -1;
            v[i] = v[i] * 10 + (s[o] - '0');
        }
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    return timegm(&tm);
}

/* Open [APPLICATION app] SEQUENCE and step through its [n] fields. */
static int open_app_seq(const uint8_t *p, size_t n, uint32_t app, spn_der_t *seq)
{
    spn_der_t d, a;
    spn_tlv_t t;

    spn_der_init(&d, p, p, n);
    if (spn_der_read(&d, &t) || !spn_der_is(&t, SPN_DER_APP, 1, app) ||
        spn_der_enter(&d, &t, &a) || spn_der_read(&a, &t) ||
        !spn_der_is(&t, SPN_DER_UNIV, 1, 16) || spn_der_enter(&a, &t, seq))
        return -1;
    return 0;
}

/* The single element inside an explicit [n] field. */
static int field_inner(const spn_der_t *seq, const spn_tlv_t *f, spn_tlv_t *t)
{
    spn_der_t in;
    return spn_der_enter(seq, f, &in) || spn_der_read(&in, t) ? -1 : 0;
}

static void principal_str(const spn_der_t *seq, const spn_tlv_t *f, char *out, size_t outsz)
{
    spn_der_t s, in, names;
    spn_tlv_t t, x;
    size_t o = strlen(out);

    if (field_inner(seq, f, &t) || spn_der_enter(seq, &t, &s))
        return;
    while (spn_der_read(&s, &t) == SPN_DER_OK) {
        if (t.tag != 1 || spn_der_enter(&s, &t, &in) || spn_der_read(&in, &x) ||
            spn_der_enter(&in, &x, &names))
            continue;
        while (spn_der_read(&names, &x) == SPN_DER_OK && o + x.len + 2 < outsz) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, x.val, x.len);
            o += x.len;
        }
    }
    out[o] = '\0';
}

static time_t time_field(const spn_der_t *seq, const spn_tlv_t *f)
{
    spn_tlv_t t;
    return field_inner(seq, f, &t) ? -1 : spn_krb5_time(t.val, t.len);
}

static int decrypt(krb5_context ctx, const krb5_keyblock *key, int usage, int etype,
                   const uint8_t *c, size_t n, krb5_data *out)
{
    krb5_enc_data ed;

    memset(&ed, 0, sizeof(ed));
    ed.enctype = etype;
    ed.ciphertext.data = (char *)c;
    ed.ciphertext.length = (unsigned)n;
    out->length = (unsigned)n;
    return krb5_c_decrypt(ctx, key, usage, NULL, &ed, out);
}

void spn_keytab_trial(apr_pool_t *p, krb5_context ctx, const spn_keytab_t *kt,
                      int etype, const uint8_t *cipher, size_t len,
                      int auth_etype, const uint8_t *acipher, size_t alen,
                      spn_ticket_t *t)
{
    krb5_data plain;
    krb5_keyblock skey;
    spn_der_t seq;
    spn_tlv_t f, x;
    char crealm[128] = "";
    int i;

    memset(t, 0, sizeof(*t));
    t->entry = -1;
    if (!kt || kt->status || len == 0 || len > (1u << 20))
        return;
    plain.data = apr_palloc(p, len);
    for (i = 0; i < kt->n; i++) {
        if (kt->e[i].enctype != etype)
            continue;
        if (decrypt(ctx, &kt->e[i].key, 2, etype, cipher, len, &plain) == 0) {
            t->decrypted = 1;
            t->entry = i;
            break;
        }
    }
    if (!t->decrypted)
        return;
    /* EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags [0], key [1],
     *   crealm [2], cname [3], transited [4], authtime [5], starttime [6],
     *   endtime [7], ... } */
    memset(&skey, 0, sizeof(skey));
    if (open_app_seq((const uint8_t *)plain.data, plain.length, 3, &seq) == 0) {
        while (spn_der_read(&seq, &f) == SPN_DER_OK) {
            switch (f.tag) {
            case 1: {                       /* EncryptionKey { keytype [0], keyvalue [1] } */
                spn_der_t ks;
                spn_tlv_t kf, kv;
                int64_t kt_type = 0;
                if (field_inner(&seq, &f, &x) || spn_der_enter(&seq, &x, &ks))
                    break;
                while (spn_der_read(&ks, &kf) == SPN_DER_OK) {
                    if (field_inner(&ks, &kf, &kv))
                        continue;
                    if (kf.tag == 0)
                        spn_der_int(&kv, &kt_type);
                    else if (kf.tag == 1 && kv.len <= 64) {
                        skey.enctype = (krb5_enctype)kt_type;
                        skey.length = (unsigned)kv.len;
                        skey.contents = (krb5_octet *)kv.val;
                    }
                }
                break;
            }
            case 2:
                if (field_inner(&seq, &f, &x) == 0 && x.len < sizeof(crealm))
                    apr_cpystrn(crealm, (const char *)x.val, x.len + 1);
                break;
            case 3:
                principal_str(&seq, &f, t->client, sizeof(t->client));
                break;
            case 5: t->authtime = time_field(&seq, &f); break;
            case 6: t->starttime = time_field(&seq, &f); break;
            case 7: t->endtime = time_field(&seq, &f); break;
            }
        }
    }
    if (*crealm && strlen(t->client) + strlen(crealm) + 2 < sizeof(t->client)) {
        strcat(t->client, "@");
        strcat(t->client, crealm);
    }
    /* Authenticator ::= [APPLICATION 2] SEQUENCE { ..., ctime [5], ... } */
    if (skey.contents && alen && alen <= (1u << 16)) {
        krb5_data ap;
        ap.data = apr_palloc(p, alen);
        if (decrypt(ctx, &skey, 11, auth_etype, acipher, alen, &ap) == 0 &&
            open_app_seq((const uint8_t *)ap.data, ap.length, 2, &seq) == 0) {
            while (spn_der_read(&seq, &f) == SPN_DER_OK)
                if (f.tag == 5 && (t->ctime = time_field(&seq, &f)) != -1)
                    t->have_ctime = 1;
        }
        if (ap.data)
            memset(ap.data, 0, alen);
    }
    memset(plain.data, 0, len);        /* the session key was in there */
}

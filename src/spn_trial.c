/* spn_trial.c: trial decryption of a ticket with a keytab snapshot's keys,
 * the verdict cache, and the per-process budget for trials.
 *
 * Cost is what matters here: every 401 with a forged ticket pays it.  A key
 * is tried once however many entries hold it; for aes*-cts-hmac-sha1-96 a
 * key first decrypts one block (the start of the EncTicketPart) with its
 * usage-2 encryption key derived at load, and only a key that passes gets
 * the full, integrity-checked decryption.  Every other enctype is
 * decrypted whole, within SPN_TRIAL_MAX_BYTES per ticket and the budget. */
#define OPENSSL_SUPPRESS_DEPRECATED     /* AES_decrypt: one block, const key */
#include <stdio.h>
#include "spn_trial.h"
#include "spn_der.h"

#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_time.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#define VC_SETS 16
#define VC_WAYS 4

/* The verdict on the ticket part of one (ticket bytes, sname, kvno, enctype). */
typedef struct {
    unsigned char id[SHA256_DIGEST_LENGTH];
    unsigned long used;         /* 0: empty; else last use (LRU in the set) */
    int decrypted, entry;
    size_t tried;
    time_t authtime, starttime, endtime;
    char client[256];
    krb5_key skey;              /* session key, for the authenticator; may be NULL */
} vc_slot;

struct spn_kt_trial {
    krb5_context ctx;           /* this snapshot's own: contexts are per thread */
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;   /* krb5_key objects and the cache */
#endif
    krb5_key *keys;             /* per entry; NULL for a duplicate */
    AES_KEY *ke;                /* per entry: usage-2 Ke, decryption schedule */
    unsigned char *fast;        /* per entry: ke is set (and the check passed) */
    vc_slot vc[VC_SETS][VC_WAYS];
    unsigned long clock;
    int busy;                   /* trials in or waiting for the lock (atomic) */
};

struct spn_budget {
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    uint64_t rate, burst;
    double tokens;
    int64_t last;
};

/* ---- budget ------------------------------------------------------------- */

spn_budget_t *spn_budget_make(apr_pool_t *p, uint64_t rate, uint64_t burst)
{
    spn_budget_t *b = apr_pcalloc(p, sizeof(*b));
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&b->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        return NULL;
#endif
    b->rate = rate;
    b->burst = burst;
    b->tokens = (double)burst;
    b->last = -1;
    return b;
}

int spn_budget_take(spn_budget_t *b, uint64_t n, int64_t now_us)
{
    int ok;
#if APR_HAS_THREADS
    apr_thread_mutex_lock(b->lock);
#endif
    if (b->last >= 0 && now_us > b->last) {
        b->tokens += (double)(now_us - b->last) * (double)b->rate / 1e6;
        if (b->tokens > (double)b->burst)
            b->tokens = (double)b->burst;
    }
    if (b->last < 0 || now_us > b->last)
        b->last = now_us;
    ok = b->tokens >= (double)n;
    if (ok)
        b->tokens -= (double)n;
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(b->lock);
#endif
    return ok;
}

/* ---- keys ------------------------------------------------------------------ */

/* RFC 3961 n-fold (MIT's krb5int_nfold, in bytes). */
static void nfold(const uint8_t *in, unsigned inlen, uint8_t *out, unsigned outlen)
{
    unsigned a = outlen, b = inlen, c, lcm, byte = 0;
    int i, msbit;

    while (b) {
        c = b;
        b = a % b;
        a = c;
    }
    lcm = outlen * inlen / a;
    memset(out, 0, outlen);
    for (i = (int)lcm - 1; i >= 0; i--) {
        msbit = (int)(((inlen << 3) - 1 + ((inlen << 3) + 13) * ((unsigned)i / inlen) +
                       ((inlen - (unsigned)i % inlen) << 3)) % (inlen << 3));
        byte += (((unsigned)in[((inlen - 1) - (unsigned)(msbit >> 3)) % inlen] << 8 |
                  in[(inlen - (unsigned)(msbit >> 3)) % inlen]) >> ((msbit & 7) + 1)) & 0xff;
        byte += out[(unsigned)i % outlen];
        out[(unsigned)i % outlen] = byte & 0xff;
        byte >>= 8;
    }
    for (i = (int)outlen - 1; byte && i >= 0; i--) {
        byte += out[i];
        out[i] = byte & 0xff;
        byte >>= 8;
    }
}

static int aes_sha1(int etype)
{
    return etype == ENCTYPE_AES128_CTS_HMAC_SHA1_96 || etype == ENCTYPE_AES256_CTS_HMAC_SHA1_96;
}

/* Ke for key usage 2 (the ticket): DK(key, 00000002 AA), RFC 3961/3962. */
static int derive_ke(const krb5_keyblock *k, AES_KEY *dk)
{
    static const uint8_t constant[5] = { 0, 0, 0, 2, 0xAA };
    uint8_t blk[16], ke[32];
    AES_KEY enc;
    int bits = (int)k->length * 8;

    if (k->length != 16 && k->length != 32)
        return -1;
    nfold(constant, sizeof(constant), blk, sizeof(blk));
    AES_set_encrypt_key(k->contents, bits, &enc);
    AES_encrypt(blk, ke, &enc);
    if (k->length == 32)
        AES_encrypt(ke, ke + 16, &enc);
    AES_set_decrypt_key(ke, bits, dk);
    OPENSSL_cleanse(&enc, sizeof(enc));
    OPENSSL_cleanse(ke, sizeof(ke));
    return 0;
}

/* The EncTicketPart's first block, decrypted with Ke: a ticket a KDC made
 * opens [APPLICATION 3] with a length that fits, then a SEQUENCE, so a key
 * that fails this does not fit.  CBC-CTS leaves every block but the last
 * two plain CBC: block 1 is, when the message has four or more. */
static int first_block_fits(const AES_KEY *ke, const uint8_t *c, size_t len)
{
    uint8_t b[16];
    size_t body = len - 16 - 12, h;
    spn_tlv_t t;
    int i, ok;

    AES_decrypt(c + 16, b, ke);
    for (i = 0; i < 16; i++)
        b[i] ^= c[i];
    ok = spn_der_peek(b, sizeof(b), &t, &h) == SPN_DER_OK &&
         spn_der_is(&t, SPN_DER_APP, 1, SPN_ASN1_APP_ENCTICKETPART) && h < sizeof(b) &&
         b[h] == SPN_DER_ID_SEQUENCE && t.len <= body - h;
    OPENSSL_cleanse(b, sizeof(b));
    OPENSSL_cleanse(&t, sizeof(t));
    return ok;
}
#define FIRST_BLOCK_MIN (12 + 16 * 4 + 1)   /* HMAC + four blocks and a byte */

/* Once per snapshot and enctype: the one-block check finds a ticket that
 * krb5 encrypted, else that enctype is decrypted whole. */
static int first_block_works(krb5_context ctx, int etype)
{
    krb5_keyblock kb;
    AES_KEY ke;
    uint8_t plain[300], cbuf[400];
    krb5_data in;
    krb5_enc_data out;
    size_t clen, h;
    int ok = 0;

    /* [APPLICATION 3] { SEQUENCE { 'A'... } } filling plain */
    memset(plain, 0x41, sizeof(plain));
    h = spn_der_put_header(plain, sizeof(plain),
                           SPN_DER_ID(SPN_DER_APP, 1, SPN_ASN1_APP_ENCTICKETPART),
                           sizeof(plain) - 4);
    spn_der_put_header(plain + h, sizeof(plain) - h, SPN_DER_ID_SEQUENCE, sizeof(plain) - 8);
    if (krb5_c_make_random_key(ctx, etype, &kb) != 0)
        return 0;
    in.data = (char *)plain;
    in.length = sizeof(plain);
    memset(&out, 0, sizeof(out));
    out.ciphertext.data = (char *)cbuf;
    if (krb5_c_encrypt_length(ctx, etype, sizeof(plain), &clen) == 0 && clen <= sizeof(cbuf)) {
        out.ciphertext.length = (unsigned)clen;
        ok = krb5_c_encrypt(ctx, &kb, KRB5_KEYUSAGE_KDC_REP_TICKET, NULL, &in, &out) == 0 && derive_ke(&kb, &ke) == 0 &&
             first_block_fits(&ke, cbuf, clen);
    }
    OPENSSL_cleanse(&ke, sizeof(ke));
    krb5_free_keyblock_contents(ctx, &kb);
    return ok;
}

static apr_status_t trial_cleanup(void *data)
{
    spn_keytab_t *kt = data;
    spn_kt_trial_t *tr = kt->trial;
    int i, j;

    for (i = 0; i < kt->n; i++)
        if (tr->keys[i])
            krb5_k_free_key(tr->ctx, tr->keys[i]);     /* zeroes it and its derived keys */
    OPENSSL_cleanse(tr->ke, sizeof(*tr->ke) * (size_t)kt->n);
    for (i = 0; i < VC_SETS; i++)
        for (j = 0; j < VC_WAYS; j++)
            if (tr->vc[i][j].skey)
                krb5_k_free_key(tr->ctx, tr->vc[i][j].skey);
    krb5_free_context(tr->ctx);
    kt->trial = NULL;
    return APR_SUCCESS;
}

void spn_trial_setup(apr_pool_t *p, spn_keytab_t *kt)
{
    spn_kt_trial_t *tr;
    int i, fast[2];

    if (kt->status || kt->n == 0)
        return;
    tr = apr_pcalloc(p, sizeof(*tr));
    if (krb5_init_context(&tr->ctx) != 0)
        return;
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&tr->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS) {
        krb5_free_context(tr->ctx);
        return;
    }
#endif
    tr->keys = apr_pcalloc(p, sizeof(*tr->keys) * (size_t)kt->n);
    tr->ke = apr_pcalloc(p, sizeof(*tr->ke) * (size_t)kt->n);
    tr->fast = apr_pcalloc(p, (size_t)kt->n);
    kt->trial = tr;
    apr_pool_cleanup_register(p, kt, trial_cleanup, apr_pool_cleanup_null);
    fast[0] = fast[1] = -1;
    for (i = 0; i < kt->n; i++) {
        spn_kt_entry_t *e = &kt->e[i];
        int *f = e->enctype == ENCTYPE_AES128_CTS_HMAC_SHA1_96 ? &fast[0] : &fast[1];
        if (e->dup_of >= 0 || krb5_k_create_key(tr->ctx, &e->key, &tr->keys[i]) != 0)
            continue;
        if (!aes_sha1(e->enctype))
            continue;
        if (*f < 0)
            *f = first_block_works(tr->ctx, e->enctype);
        tr->fast[i] = *f && derive_ke(&e->key, &tr->ke[i]) == 0;
    }
}

/* ---- the ticket ------------------------------------------------------------ */
/* A PrincipalName field as "a/b/c", appended to out. */
static void principal_str(const spn_der_t *seq, const spn_tlv_t *f, char *out, size_t outsz)
{
    spn_der_name_t nm;
    size_t o = strlen(out);
    int i;

    spn_der_principal(seq, f, &nm);     /* the components read before any failure */
    for (i = 0; i < nm.n && i < SPN_DER_NAME_MAX && o + nm.comp[i].len + 2 < outsz; i++) {
        if (o)
            out[o++] = '/';
        memcpy(out + o, nm.comp[i].p, nm.comp[i].len);
        o += nm.comp[i].len;
    }
    out[o] = '\0';
}

/* EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags [0], key [1],
 *   crealm [2], cname [3], transited [4], authtime [5], starttime [6],
 *   endtime [7], ... }: the facts into s, the session key into skey
 * (pointing into plain). */
static void ticket_facts(const uint8_t *plain, size_t len, vc_slot *s, krb5_keyblock *skey)
{
    spn_der_t seq, in;
    spn_tlv_t f, x;
    char crealm[128] = "";

    if (spn_der_app_seq(plain, len, SPN_ASN1_APP_ENCTICKETPART, &seq) == 0) {
        while (spn_der_read(&seq, &f) == SPN_DER_OK) {
            switch (f.tag) {
            case 1: {                       /* EncryptionKey { keytype [0], keyvalue [1] } */
                spn_der_t ks;
                spn_tlv_t kf, kv;
                int64_t kt_type = 0;
                if (spn_der_explicit(&seq, &f, &in, &x) || spn_der_enter(&seq, &x, &ks))
                    break;
                while (spn_der_read(&ks, &kf) == SPN_DER_OK) {
                    if (spn_der_explicit(&ks, &kf, &in, &kv))
                        continue;
                    if (kf.tag == 0)
                        spn_der_int(&kv, &kt_type);
                    else if (kf.tag == 1 && kv.len <= 64) {
                        skey->enctype = (krb5_enctype)kt_type;
                        skey->length = (unsigned)kv.len;
                        skey->contents = (krb5_octet *)kv.val;
                    }
                }
                break;
            }
            case 2:
                if (spn_der_explicit(&seq, &f, &in, &x) == 0 && x.len < sizeof(crealm))
                    apr_cpystrn(crealm, (const char *)x.val, x.len + 1);
                break;
            case 3:
                principal_str(&seq, &f, s->client, sizeof(s->client));
                break;
            case 5: s->authtime = spn_der_time_field(&seq, &f); break;
            case 6: s->starttime = spn_der_time_field(&seq, &f); break;
            case 7: s->endtime = spn_der_time_field(&seq, &f); break;
            }
        }
    }
    if (*crealm && strlen(s->client) + strlen(crealm) + 2 < sizeof(s->client)) {
        strcat(s->client, "@");
        strcat(s->client, crealm);
    }
}

/* ed describes n bytes of ciphertext at c, of enctype etype. */
static void enc_data(krb5_enc_data *ed, int etype, const uint8_t *c, size_t n)
{
    memset(ed, 0, sizeof(*ed));
    ed->enctype = etype;
    ed->ciphertext.data = (char *)c;
    ed->ciphertext.length = (unsigned)n;
}

/* Rank of entry e for a ticket to sname with kvno: 0 same name and kvno,
 * 1 same name, 2 another name. */
static int rank(const spn_kt_entry_t *e, const char *sname, long kvno)
{
    if (strcasecmp(e->name, sname) != 0)
        return 2;
    return kvno >= 0 && e->kvno == kvno ? 0 : 1;
}

/* The trial proper, with the snapshot's lock held: the keys in rank order,
 * each distinct key once.  s->entry is the best-ranked entry that holds
 * the key that fitted. */
static void run_trial(apr_pool_t *p, const spn_keytab_t *kt, const char *sname, long kvno,
                      int etype, const uint8_t *cipher, size_t len, vc_slot *s,
                      krb5_key *skey, int *shed)
{
    spn_kt_trial_t *tr = kt->trial;
    unsigned char *tried = apr_pcalloc(p, (size_t)kt->n);
    size_t spent = 0, n_fast = 0;
    krb5_enc_data ed;
    krb5_data plain;
    int pass, i;

    for (i = 0; i < kt->n; i++)
        n_fast += kt->e[i].enctype == etype && tr->keys[i] && tr->fast[i];
    if (len < FIRST_BLOCK_MIN)
        n_fast = 0;
    /* the one-block checks, charged at once */
    spent = n_fast * SPN_TRIAL_BLOCK_COST;
    if (n_fast && kt->budget && !spn_budget_take(kt->budget, spent, apr_time_now())) {
        *shed = SPN_SHED_BUDGET;
        return;
    }
    enc_data(&ed, etype, cipher, len);
    plain.data = apr_palloc(p, len);
    for (pass = 0; pass < 3 && !s->decrypted; pass++) {
        for (i = 0; i < kt->n && !s->decrypted; i++) {
            const spn_kt_entry_t *e = &kt->e[i];
            int k = e->dup_of >= 0 ? e->dup_of : i;
            if (e->enctype != etype || tried[k] || !tr->keys[k] || rank(e, sname, kvno) != pass)
                continue;
            tried[k] = 1;
            s->tried++;
            if (len >= FIRST_BLOCK_MIN && tr->fast[k] && !first_block_fits(&tr->ke[k], cipher, len))
                continue;
            if (spent + len > SPN_TRIAL_MAX_BYTES) {
                *shed = SPN_SHED_WORK;
                return;
            }
            if (kt->budget && !spn_budget_take(kt->budget, len, apr_time_now())) {
                *shed = SPN_SHED_BUDGET;
                return;
            }
            spent += len;
            plain.length = (unsigned)len;
            if (krb5_k_decrypt(tr->ctx, tr->keys[k], KRB5_KEYUSAGE_KDC_REP_TICKET, NULL, &ed, &plain) == 0) {
                krb5_keyblock kb;
                s->decrypted = 1;
                s->entry = i;
                memset(&kb, 0, sizeof(kb));
                ticket_facts((const uint8_t *)plain.data, plain.length, s, &kb);
                if (kb.contents && krb5_k_create_key(tr->ctx, &kb, skey) != 0)
                    *skey = NULL;
                OPENSSL_cleanse(plain.data, len);       /* the session key was in there */
            }
        }
    }
}

/* The authenticator, opened with the session key (key usage 11) and
 * read by spn_auth_parse (spn_auth.c): ctime, cname, the GSS checksum
 * (channel bindings, flags), AP options, the subkey's enctype. */
static void authenticator(apr_pool_t *p, const spn_keytab_t *kt, krb5_key skey, int etype,
                          const uint8_t *c, size_t n, spn_ticket_t *t)
{
    krb5_enc_data ed;
    krb5_data out;

    if (!skey || !n || n > 16384 ||
        (kt->budget && !spn_budget_take(kt->budget, n, apr_time_now())))
        return;
    enc_data(&ed, etype, c, n);
    out.data = apr_palloc(p, n);
    out.length = (unsigned)n;
    if (krb5_k_decrypt(kt->trial->ctx, skey, KRB5_KEYUSAGE_AP_REQ_AUTH, NULL, &ed, &out) == 0 &&
        spn_auth_parse((const uint8_t *)out.data, out.length, &t->auth) == 0 &&
        t->auth.have_ctime) {
        t->ctime = t->auth.ctime;
        t->have_ctime = 1;
    }
    OPENSSL_cleanse(out.data, n);       /* the subkey was in there */
}

void spn_keytab_trial(apr_pool_t *p, const spn_keytab_t *kt, const char *sname, long kvno,
                      int etype, const uint8_t *cipher, size_t len,
                      int auth_etype, const uint8_t *acipher, size_t alen,
                      spn_ticket_t *t)
{
    spn_kt_trial_t *tr;
    SHA256_CTX h;
    unsigned char id[SHA256_DIGEST_LENGTH];
    int64_t head[2];
    vc_slot *set, *s = NULL, fresh;
    krb5_key skey = NULL;
    int i, any = 0, shed = 0;

    memset(t, 0, sizeof(*t));
    t->entry = -1;
    if (!kt || kt->status || !(tr = kt->trial) || len == 0)
        return;
    for (i = 0; i < kt->n && !any; i++)
        any = kt->e[i].enctype == etype;
    if (!any)
        return;
    if (len > SPN_TICKET_CIPHER_MAX) {
        t->shed = SPN_SHED_TOO_LARGE;
        return;
    }
    head[0] = etype;
    head[1] = kvno;
    SHA256_Init(&h);
    SHA256_Update(&h, head, sizeof(head));
    SHA256_Update(&h, sname, strlen(sname) + 1);
    SHA256_Update(&h, cipher, len);
    SHA256_Final(id, &h);
    set = tr->vc[id[0] % VC_SETS];
    /* At most SPN_TRIAL_CONCURRENT in or waiting for the lock: shed, not
     * queued, past it (the lock holds krb5 work on client bytes). */
    if (__atomic_add_fetch(&tr->busy, 1, __ATOMIC_ACQ_REL) > SPN_TRIAL_CONCURRENT) {
        __atomic_sub_fetch(&tr->busy, 1, __ATOMIC_ACQ_REL);
        t->shed = SPN_SHED_BUSY;
        return;
    }
#if APR_HAS_THREADS
    apr_thread_mutex_lock(tr->lock);
#endif
    tr->clock++;
    for (i = 0; i < VC_WAYS && !s; i++)
        if (set[i].used && memcmp(set[i].id, id, sizeof(id)) == 0)
            s = &set[i];
    if (s) {
        t->cached = 1;
    }
    else {
        memset(&fresh, 0, sizeof(fresh));
        fresh.entry = -1;
        run_trial(p, kt, sname, kvno, etype, cipher, len, &fresh, &skey, &shed);
        if (!shed) {                    /* a verdict: keep it in the set's oldest way */
            s = &set[0];
            for (i = 1; i < VC_WAYS; i++)
                if (set[i].used < s->used)
                    s = &set[i];
            if (s->skey)
                krb5_k_free_key(tr->ctx, s->skey);
            *s = fresh;
            memcpy(s->id, id, sizeof(id));
            s->skey = skey;
        }
        else {
            s = &fresh;
            if (skey)
                krb5_k_free_key(tr->ctx, skey);
            skey = NULL;
            s->skey = NULL;
        }
    }
    s->used = tr->clock;
    t->shed = shed;
    t->decrypted = s->decrypted;
    t->entry = s->entry;
    t->tried = s->tried;
    t->authtime = s->authtime;
    t->starttime = s->starttime;
    t->endtime = s->endtime;
    memcpy(t->client, s->client, sizeof(t->client));
    if (s->decrypted)
        authenticator(p, kt, s->skey, auth_etype, acipher, alen, t);
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(tr->lock);
#endif
    __atomic_sub_fetch(&tr->busy, 1, __ATOMIC_ACQ_REL);
}

void spn_keytab_trial_occupy(const spn_keytab_t *kt, int n)
{
    if (kt && kt->trial)
        __atomic_add_fetch(&kt->trial->busy, n, __ATOMIC_ACQ_REL);
}

void spn_keytab_forget(const spn_keytab_t *kt)
{
    spn_kt_trial_t *tr = kt ? kt->trial : NULL;
    int i, j;

    if (!tr)
        return;
#if APR_HAS_THREADS
    apr_thread_mutex_lock(tr->lock);
#endif
    for (i = 0; i < VC_SETS; i++)
        for (j = 0; j < VC_WAYS; j++) {
            if (tr->vc[i][j].skey)
                krb5_k_free_key(tr->ctx, tr->vc[i][j].skey);
            memset(&tr->vc[i][j], 0, sizeof(tr->vc[i][j]));
        }
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(tr->lock);
#endif
}

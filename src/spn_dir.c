/* spn_dir.c: what the directory says about an SPN, the pure half (see
 * spn_dir.h): decoding an answer's entries into fixed records, the
 * kinds and enctype words, the sPNMappings and name-form rules, and the
 * JSON and text of the contract.  Every value from the directory is
 * hostile: copies are bounded and truncated, numbers parsed strictly. */
#include "spn_dir.h"
#include "spn_b64.h"
#include "spn_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *spn_dir_kind_name(int kind)
{
    switch (kind) {
    case SPN_DIR_KIND_COMPUTER: return "computer";
    case SPN_DIR_KIND_USER: return "user";
    case SPN_DIR_KIND_MSA: return "msa";
    case SPN_DIR_KIND_GMSA: return "gmsa";
    default: return "unknown";
    }
}

static const struct { uint32_t bit; const char *word; } enc_words[] = {
    { 0x10, "AES256-CTS-HMAC-SHA1-96" },
    { 0x08, "AES128-CTS-HMAC-SHA1-96" },
    { 0x04, "RC4-HMAC" },
    { 0x02, "DES-CBC-MD5" },
    { 0x01, "DES-CBC-CRC" },
    { 0x20, "AES256-SK" },
    { 0x10000, "FAST" },
    { 0x20000, "COMPOUND-IDENTITY" },
    { 0x40000, "CLAIMS" },
    { 0x80000, "RESOURCE-SID-COMPRESSION-DISABLED" },
};

void spn_dir_enctypes_words(spn_buf_t *b, int32_t enctypes)
{
    uint32_t v = (uint32_t)enctypes, rest;
    size_t i;
    int n = 0;

    if (enctypes == -1) {
        spn_buf_puts(b, "not set (RC4 and DES by default)");
        return;
    }
    if (enctypes == 0) {
        spn_buf_puts(b, "0 (as not set: RC4 and DES by default)");
        return;
    }
    rest = v;
    for (i = 0; i < sizeof(enc_words) / sizeof(enc_words[0]); i++)
        if (v & enc_words[i].bit) {
            spn_buf_printf(b, "%s%s", n++ ? ", " : "", enc_words[i].word);
            rest &= ~enc_words[i].bit;
        }
    if (rest)
        spn_buf_printf(b, "%sunknown bits 0x%x", n ? ", " : "", (unsigned)rest);
}

int spn_dir_enctype_allowed(int32_t enctypes, int32_t etype)
{
    uint32_t v = (uint32_t)enctypes;

    if (enctypes == -1 || enctypes == 0)
        return etype == 23;
    switch (etype) {
    case 1: return (v & 0x01) != 0;
    case 3: return (v & 0x02) != 0;
    case 23: return (v & 0x04) != 0;
    case 17: return (v & 0x08) != 0;
    case 18: return (v & 0x10) != 0;
    default: return 0;
    }
}

/* ---- decoding entries ----------------------------------------------------- */

/* A bounded copy: at most dsz-1 bytes, NUL bytes end it. */
static void copy_val(char *dst, size_t dsz, const char *v, size_t len)
{
    size_t n = len < dsz - 1 ? len : dsz - 1;
    const char *z = memchr(v, '\0', n);

    if (z)
        n = (size_t)(z - v);
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* A decimal integer (optional '-'), nothing else, within [lo, hi]. */
static int parse_int(const char *v, size_t len, long long lo, long long hi, long long *out)
{
    size_t i = 0;
    int neg = 0;
    unsigned long long x = 0;

    if (len && v[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == len || len > 21)
        return -1;
    for (; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (unsigned)(v[i] - '0');
        if (x > (1ULL << 62))
            return -1;
    }
    *out = neg ? -(long long)x : (long long)x;
    return *out < lo || *out > hi ? -1 : 0;
}

static int attr_is(const spn_dir_val_t *v, const char *name)
{
    return v->attr && strcasecmp(v->attr, name) == 0;
}

static int val_is(const spn_dir_val_t *v, const char *s)
{
    size_t n = strlen(s);
    return v->len == n && strncasecmp(v->val, s, n) == 0;
}

void spn_dir_add_entry(spn_dir_spn_t *out, const char *netbios, const char *match,
                       const spn_dir_val_t *vals, size_t n)
{
    spn_dir_holder_t h;
    size_t i;
    int have_sam = 0, kind_rank = 0;
    long long x;

    memset(&h, 0, sizeof(h));
    h.kvno = -1;
    h.enctypes = -1;
    for (i = 0; i < n; i++) {
        const spn_dir_val_t *v = &vals[i];
        if (!v->val)
            continue;
        if (attr_is(v, "sAMAccountName") && !have_sam && v->len) {
            copy_val(h.sam, sizeof(h.sam), v->val, v->len);
            have_sam = h.sam[0] != '\0';
        }
        else if (attr_is(v, "objectClass")) {
            /* the most derived class decides: gMSA and MSA derive from computer */
            int r = val_is(v, "msDS-GroupManagedServiceAccount") ? 4 :
                    val_is(v, "msDS-ManagedServiceAccount") ? 3 :
                    val_is(v, "computer") ? 2 : val_is(v, "user") ? 1 : 0;
            if (r > kind_rank)
                kind_rank = r;
        }
        else if (attr_is(v, "userAccountControl")) {
            if (parse_int(v->val, v->len, -2147483648LL, 4294967295LL, &x) == 0)
                h.uac = (uint32_t)x;
        }
        else if (attr_is(v, "msDS-SupportedEncryptionTypes")) {
            if (parse_int(v->val, v->len, -2147483648LL, 4294967295LL, &x) == 0) {
                h.enctypes = (int32_t)(uint32_t)x;
                if (h.enctypes == -1)   /* all bits set is a value, not "unset" */
                    h.enctypes = 0x7fffffff;
            }
        }
        else if (attr_is(v, "msDS-KeyVersionNumber")) {
            if (parse_int(v->val, v->len, 0, 2147483647LL, &x) == 0)
                h.kvno = (int32_t)x;
        }
        else if (attr_is(v, "pwdLastSet")) {
            /* FILETIME: 100 ns since 1601-01-01 */
            if (parse_int(v->val, v->len, 0, 9223372036854775807LL >> 1, &x) == 0 &&
                x >= 116444736000000000LL)
                h.pwd_last_set = x / 10000000LL - 11644473600LL;
        }
        else if (attr_is(v, "servicePrincipalName") && !h.via[0] && match &&
                 v->len == strlen(match) && strncasecmp(v->val, match, v->len) == 0) {
            copy_val(h.via, sizeof(h.via), v->val, v->len);
        }
    }
    if (!have_sam)
        return;
    h.kind = kind_rank == 4 ? SPN_DIR_KIND_GMSA : kind_rank == 3 ? SPN_DIR_KIND_MSA :
             kind_rank == 2 ? SPN_DIR_KIND_COMPUTER : kind_rank == 1 ? SPN_DIR_KIND_USER :
             SPN_DIR_KIND_UNKNOWN;
    if (!h.via[0] && match)
        copy_val(h.via, sizeof(h.via), match, strlen(match));
    if (netbios && netbios[0])
        snprintf(h.account, sizeof(h.account), "%.80s\\%s", netbios, h.sam);
    else
        snprintf(h.account, sizeof(h.account), "%s", h.sam);
    if (out->n_holders >= 0 && out->n_holders < SPN_DIR_MAX_HOLDERS)
        out->holders[out->n_holders] = h;
    if (out->n_holders < 1000000)
        out->n_holders++;
}

/* ---- recorded answers (LDIF) ---------------------------------------------- */

enum { LDIF_VALS = 64, LDIF_VALSZ = 512 };

typedef struct {
    spn_dir_val_t v[LDIF_VALS];
    char attr[LDIF_VALS][64];
    char buf[LDIF_VALS][LDIF_VALSZ];
    size_t n;
    int in_entry;
} ldif_entry_t;

static void ldif_flush(ldif_entry_t *e, spn_dir_spn_t *out, const char *netbios,
                       const char *match, int *count)
{
    if (e->in_entry) {
        spn_dir_add_entry(out, netbios, match, e->v, e->n);
        (*count)++;
    }
    e->n = 0;
    e->in_entry = 0;
}

/* One logical line (continuations joined) of len bytes at l. */
static void ldif_line(ldif_entry_t *e, const char *l, size_t len)
{
    const char *colon = memchr(l, ':', len);
    size_t an, vn;
    const char *v;
    int b64 = 0;

    if (!colon || l[0] == '#')
        return;
    an = (size_t)(colon - l);
    v = colon + 1;
    vn = len - an - 1;
    if (vn && *v == ':') {
        b64 = 1;
        v++;
        vn--;
    }
    while (vn && *v == ' ') {
        v++;
        vn--;
    }
    if (an == 2 && strncasecmp(l, "dn", 2) == 0) {
        e->in_entry = 1;
        return;
    }
    if (!e->in_entry || e->n == LDIF_VALS || an == 0 || an >= sizeof(e->attr[0]))
        return;
    memcpy(e->attr[e->n], l, an);
    e->attr[e->n][an] = '\0';
    if (b64) {
        size_t bad;
        long got = spn_b64_decode(v, vn, (uint8_t *)e->buf[e->n], LDIF_VALSZ, &bad);
        if (got < 0)
            return;
        vn = (size_t)got;
    }
    else {
        if (vn > LDIF_VALSZ)
            vn = LDIF_VALSZ;
        memcpy(e->buf[e->n], v, vn);
    }
    e->v[e->n].attr = e->attr[e->n];
    e->v[e->n].val = e->buf[e->n];
    e->v[e->n].len = vn;
    e->n++;
}

int spn_dir_add_ldif(spn_dir_spn_t *out, const char *netbios, const char *match,
                     const char *ldif, size_t n)
{
    ldif_entry_t *e = calloc(1, sizeof(*e));    /* large: not on the stack */
    char line[4096];
    size_t i = 0, ln = 0;
    int count = 0, over = 0;

    if (!e)
        return -1;
    while (i <= n) {
        int end = i == n || ldif[i] == '\n';
        if (!end) {
            if (ldif[i] != '\r') {
                if (ln < sizeof(line))
                    line[ln++] = ldif[i];
                else
                    over = 1;
            }
            i++;
            continue;
        }
        i++;
        /* a continuation: the next line starts with one space */
        if (i < n && ldif[i] == ' ' && ln) {
            i++;
            continue;
        }
        if (ln == 0)
            ldif_flush(e, out, netbios, match, &count);
        else if (!over)
            ldif_line(e, line, ln);
        ln = 0;
        over = 0;
    }
    ldif_flush(e, out, netbios, match, &count);
    free(e);
    return count;
}

/* ---- names ------------------------------------------------------------------ */

int spn_dir_mapped(const char *mappings, size_t n, const char *spn, char *mapped, size_t msz)
{
    const char *eq = memchr(mappings, '=', n), *p, *end = mappings + n;
    const char *slash = strchr(spn, '/');
    size_t cl, tl;

    if (!eq || !slash || eq == mappings)
        return 0;
    cl = (size_t)(slash - spn);
    tl = (size_t)(eq - mappings);
    for (p = eq + 1; p < end;) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
        if (l == cl && cl && strncasecmp(p, spn, cl) == 0) {
            if (tl + strlen(slash) + 1 > msz || memchr(mappings, '\0', tl))
                return 0;
            memcpy(mapped, mappings, tl);
            strcpy(mapped + tl, slash);
            return 1;
        }
        p += l + 1;
    }
    return 0;
}

static int is_ip_literal(const char *h, size_t n)
{
    size_t i;
    if (n && h[0] == '[')
        return 1;
    for (i = 0; i < n; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
            return 0;
    return 1;
}

int spn_dir_other_form(const char *spn, const char *dns_domain, char *out, size_t osz)
{
    const char *slash = strchr(spn, '/'), *host, *port, *dot;
    size_t hl, dl = dns_domain ? strlen(dns_domain) : 0;
    int r;

    if (!slash || !slash[1])
        return -1;
    host = slash + 1;
    port = strchr(host, ':');
    if (strchr(host, '/'))
        return -1;                  /* a service name part: HOST/x/domain */
    hl = port ? (size_t)(port - host) : strlen(host);
    if (hl == 0 || is_ip_literal(host, hl))
        return -1;
    dot = memchr(host, '.', hl);
    if (dot) {
        /* the FQDN form: its first label, when the rest is the domain (or no domain known) */
        if (dl && !((size_t)(host + hl - dot - 1) == dl &&
                    strncasecmp(dot + 1, dns_domain, dl) == 0))
            return -1;
        r = snprintf(out, osz, "%.*s%.*s%s", (int)(host - spn), spn, (int)(dot - host), host,
                     port ? port : "");
    }
    else {
        if (!dl)
            return -1;
        r = snprintf(out, osz, "%.*s%.*s.%s%s", (int)(host - spn), spn, (int)hl, host,
                     dns_domain, port ? port : "");
    }
    return r < 0 || (size_t)r >= osz ? -1 : 0;
}

int spn_dir_dns_domain(const char *dn, char *out, size_t osz)
{
    size_t o = 0;
    const char *p = dn;

    if (!osz)
        return -1;
    while (*p) {
        const char *e;
        size_t l;
        while (*p == ' ')
            p++;
        if (strncasecmp(p, "DC=", 3) != 0)
            return -1;
        p += 3;
        e = strchr(p, ',');
        l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || memchr(p, '\\', l) || o + l + 2 > osz)
            return -1;
        if (o)
            out[o++] = '.';
        memcpy(out + o, p, l);
        o += l;
        p += l;
        if (*p == ',')
            p++;
    }
    out[o] = '\0';
    return o ? 0 : -1;
}

int spn_dir_filter_escape(const char *s, char *out, size_t osz)
{
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;

    for (; *u; u++) {
        if (*u == '*' || *u == '(' || *u == ')' || *u == '\\' || *u < 0x20 || *u >= 0x7f) {
            if (o + 4 > osz)
                return -1;
            snprintf(out + o, 4, "\\%02x", *u);
            o += 3;
        }
        else {
            if (o + 2 > osz)
                return -1;
            out[o++] = (char)*u;
        }
    }
    if (o + 1 > osz)
        return -1;
    out[o] = '\0';
    return 0;
}

int spn_dir_holder_is(const spn_dir_holder_t *h, const char *account)
{
    return strcasecmp(h->account, account) == 0 ||
           (!strchr(account, '\\') && strcasecmp(h->sam, account) == 0);
}

/* ---- output ------------------------------------------------------------------ */

static void iso_time(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, n, "?");
}

void spn_dir_json(spn_buf_t *b, const spn_dir_spn_t *spns, int n)
{
    spn_json_t w;
    int i, j;
    int64_t newest = 0;

    spn_json_init(&w, b);
    spn_json_object(&w);
    spn_json_key(&w, "spns");
    spn_json_array(&w);
    for (i = 0; i < n; i++) {
        const spn_dir_spn_t *s = &spns[i];
        int nh = s->state == SPN_DIR_OK ? s->n_holders : 0;
        if (nh > SPN_DIR_MAX_HOLDERS)
            nh = SPN_DIR_MAX_HOLDERS;
        if (nh < 0)
            nh = 0;
        if (s->checked_at > newest)
            newest = s->checked_at;
        spn_json_object(&w);
        spn_json_key(&w, "spn");
        spn_json_strn(&w, s->spn, strnlen(s->spn, sizeof(s->spn)));
        spn_json_key(&w, "holders");
        spn_json_array(&w);
        for (j = 0; j < nh; j++) {
            const spn_dir_holder_t *h = &s->holders[j];
            spn_json_object(&w);
            spn_json_key(&w, "account");
            spn_json_strn(&w, h->account, strnlen(h->account, sizeof(h->account)));
            spn_json_key(&w, "sam");
            spn_json_strn(&w, h->sam, strnlen(h->sam, sizeof(h->sam)));
            spn_json_kstr(&w, "kind", spn_dir_kind_name(h->kind));
            spn_json_key(&w, "via");
            spn_json_strn(&w, h->via, strnlen(h->via, sizeof(h->via)));
            spn_json_kint_or_null(&w, "kvno", h->kvno, h->kvno >= 0);
            spn_json_kint_or_null(&w, "enctypes", h->enctypes, h->enctypes != -1);
            spn_json_key(&w, "disabled");
            spn_json_bool(&w, (h->uac & SPN_UAC_ACCOUNTDISABLE) != 0);
            spn_json_end(&w);
        }
        spn_json_end(&w);
        spn_json_key(&w, "duplicate");
        spn_json_bool(&w, s->state == SPN_DIR_OK && s->n_holders > 1);
        spn_json_key(&w, "error");
        if (s->state == SPN_DIR_OK)
            spn_json_null(&w);
        else if (s->state == SPN_DIR_ERROR)
            spn_json_strn(&w, s->error[0] ? s->error : "lookup failed",
                          s->error[0] ? strnlen(s->error, sizeof(s->error)) : 13);
        else
            spn_json_str(&w, "not checked yet");
        spn_json_end(&w);
    }
    spn_json_end(&w);
    spn_json_key(&w, "checked_at");
    if (newest > 0) {
        char t[32];
        iso_time(t, sizeof(t), newest);
        spn_json_str(&w, t);
    }
    else {
        spn_json_null(&w);
    }
    spn_json_end(&w);
}

void spn_dir_text(spn_buf_t *b, const spn_dir_spn_t *spns, int n)
{
    int i, j;

    for (i = 0; i < n; i++) {
        const spn_dir_spn_t *s = &spns[i];
        spn_buf_text(b, s->spn, strnlen(s->spn, sizeof(s->spn)));
        spn_buf_puts(b, ": ");
        if (s->state == SPN_DIR_UNCHECKED) {
            spn_buf_puts(b, "not checked yet\n");
            continue;
        }
        if (s->state != SPN_DIR_OK) {
            spn_buf_puts(b, "lookup failed: ");
            spn_buf_text(b, s->error, strnlen(s->error, sizeof(s->error)));
            spn_buf_puts(b, "\n");
            continue;
        }
        if (s->n_holders == 0) {
            spn_buf_puts(b, "no account holds it\n");
            continue;
        }
        spn_buf_printf(b, "%s%d holder%s%s\n", s->n_holders > 1 ? "DUPLICATE: " : "",
                       s->n_holders, s->n_holders == 1 ? "" : "s",
                       s->forest ? " (forest-wide, Global Catalog)" : " (domain-wide)");
        for (j = 0; j < s->n_holders && j < SPN_DIR_MAX_HOLDERS; j++) {
            const spn_dir_holder_t *h = &s->holders[j];
            char t[32];
            spn_buf_puts(b, "  ");
            spn_buf_text(b, h->account, strnlen(h->account, sizeof(h->account)));
            spn_buf_printf(b, " (%s%s%s)", spn_dir_kind_name(h->kind),
                           h->uac & SPN_UAC_ACCOUNTDISABLE ? ", disabled" : "",
                           h->uac & SPN_UAC_USE_DES_KEY_ONLY ? ", DES only" : "");
            if (strcasecmp(h->via, s->spn) != 0) {
                spn_buf_puts(b, " through ");
                spn_buf_text(b, h->via, strnlen(h->via, sizeof(h->via)));
                spn_buf_puts(b, " (sPNMappings)");
            }
            spn_buf_puts(b, "\n    kvno ");
            if (h->kvno >= 0)
                spn_buf_printf(b, "%d", (int)h->kvno);
            else
                spn_buf_puts(b, "unknown");
            spn_buf_puts(b, "; enctypes ");
            spn_dir_enctypes_words(b, h->enctypes);
            if (h->pwd_last_set > 0) {
                iso_time(t, sizeof(t), h->pwd_last_set);
                spn_buf_printf(b, "; password set %s", t);
            }
            else {
                spn_buf_puts(b, "; password never set");
            }
            spn_buf_puts(b, "\n");
        }
    }
}

/* spn_fix.c: the fix for one diagnosis, from the cause table's fix lines
 * (spn_cause.c) and this failure's facts; its renderers.  See spn_fix.h. */
#include "spn_fix.h"
#include "spn_diag.h"
#include "spn_dirdiag.h"
#include "spn_names.h"
#include "spn_size.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- this failure's names -------------------------------------------------- */

typedef struct {
    apr_pool_t *p;
    const spn_diag_t *d;
    const spn_service_t *svc;
    int audience;
    const char *other;          /* {other}: the holder a repeated line is about */
    char spn[256];              /* the SPN the failure asked for */
    char cls[40];               /* its service class */
    char host[256];             /* its host */
    char nb[64], fq[256];       /* the host's two forms (spn_fix_forms) */
    int ours;                   /* the host is a name this service answers to */
    int bad_sname;              /* the client named an SPN that fails its grammar */
    char tmp[512];
} fx_t;

/* The SPN a failure asked for: the ticket's (or NTLM's target), the one
 * the directory was asked about, else HTTP/ and the host the client used. */
static void asked(fx_t *x)
{
    const spn_diag_t *d = x->d;
    const char *s, *slash;
    size_t cn;

    if (*d->sname && spn_fix_spn_ok(d->sname))
        apr_cpystrn(x->spn, d->sname, sizeof(x->spn));
    else if (*d->sname && !*d->fqdn)
        apr_cpystrn(x->spn, d->sname, sizeof(x->spn));  /* withheld: nothing else to go by */
    else if (*d->dir_spn)
        apr_cpystrn(x->spn, d->dir_spn, sizeof(x->spn));
    else if (*d->fqdn)
        snprintf(x->spn, sizeof(x->spn), "HTTP/%.250s", d->fqdn);
    s = x->spn;
    x->bad_sname = *d->sname && !spn_fix_spn_ok(d->sname);
    if ((slash = strchr(s, '/')) != NULL && (cn = (size_t)(slash - s)) < sizeof(x->cls)) {
        memcpy(x->cls, s, cn);
        x->cls[cn] = '\0';
        apr_cpystrn(x->host, slash + 1, sizeof(x->host));
        x->host[strcspn(x->host, ":/")] = '\0';
    }
    spn_fix_forms(x->svc, x->host, strlen(x->host), x->nb, sizeof(x->nb), x->fq, sizeof(x->fq));
    {
        /* literal: a wildcard ServerAlias makes no client-named host ours */
        spn_dir_ours_t o = {x->svc, x->svc->names, x->svc->n_names, 1};
        x->ours = !x->svc->names || (spn_fix_spn_ok(x->spn) && spn_dir_ours(x->spn, &o));
    }
}

/* Host name h (hn bytes) in its two forms: the NetBIOS form (the first
 * label, upper case; svc->netbios when that is it) and the fully qualified
 * one (h itself, or a configured SPN's or ServerName/ServerAlias host
 * whose first label is h).  Empty when not known. */
void spn_fix_forms(const spn_service_t *svc, const char *h, size_t hn, char *nb, size_t nbn,
                   char *fq, size_t fqn)
{
    size_t first = 0, i;
    int k;

    nb[0] = fq[0] = '\0';
    if (!h || !hn)
        return;
    while (first < hn && h[first] != '.')
        first++;
    if (first < hn) {
        if (hn < fqn) {
            memcpy(fq, h, hn);
            fq[hn] = '\0';
        }
    }
    else {
        for (k = 0; k < svc->n_spns + svc->n_names && !*fq; k++) {
            const char *c = k < svc->n_spns ? svc->spns[k] : svc->names[k - svc->n_spns], *ch;
            size_t cn;
            if (!c)
                continue;
            ch = k < svc->n_spns ? strchr(c, '/') : c - 1;
            if (!ch)
                continue;
            ch++;
            cn = strcspn(ch, ":/@");
            if (cn > hn && ch[hn] == '.' && strncasecmp(ch, h, hn) == 0 && cn < fqn &&
                !memchr(ch, '*', cn) && !memchr(ch, '?', cn)) {
                memcpy(fq, ch, cn);
                fq[cn] = '\0';
            }
        }
    }
    if (svc->netbios && *svc->netbios) {
        /* SPNCheckNetBIOSName is the short form of the configured names:
         * of a configured SPN's host, and the long form of itself */
        int conf = strlen(svc->netbios) == first && strncasecmp(svc->netbios, h, first) == 0;
        for (k = 0; !conf && k < svc->n_spns; k++) {
            const char *ch = strchr(svc->spns[k], '/');
            conf = ch && strcspn(ch + 1, ":/@") == hn && strncasecmp(ch + 1, h, hn) == 0;
        }
        for (k = 0; !*fq && first == hn && conf && k < svc->n_spns; k++) {
            const char *ch = strchr(svc->spns[k], '/');
            size_t cn = ch ? strcspn(ch + 1, ":/@") : 0;
            if (cn && cn < fqn && memchr(ch + 1, '.', cn)) {
                memcpy(fq, ch + 1, cn);
                fq[cn] = '\0';
            }
        }
        if (conf) {
            apr_cpystrn(nb, svc->netbios, nbn);
            return;
        }
    }
    for (i = 0; i < first && i + 1 < nbn; i++)
        nb[i] = (char)toupper((unsigned char)h[i]);
    nb[i < nbn ? i : 0] = '\0';
}

/* ---- values ------------------------------------------------------------------ */

enum { V_OK = 0, V_UNKNOWN, V_BAD };
/* withheld/unknown bits: which value, for the notes */
enum { B_SPN = 1, B_FORMS = 2, B_ACCOUNT = 4, B_HOLDER = 8, B_REALM = 16, B_KEYTAB = 32,
       B_GROUP = 64 };

static const char *holder_acct(const spn_diag_t *d)
{
    return d->dir_state == SPN_DIR_OK && d->dir_n_holders >= 1 ? d->dir_holders[0].account : NULL;
}

/* The kvno of the service account's current key, when this failure shows
 * it: the directory's for the service account, or the ticket's, which the
 * KDC sealed with the holder's current key, when the holder is the
 * service account (keytab-stale, or kvno-mismatch without other facts). */
static long acct_kvno(const spn_diag_t *d)
{
    if (d->dir_state == SPN_DIR_OK && d->dir_n_holders == 1 && d->dir_is_service)
        return d->dir_holders[0].kvno;
    /* a ticket our key opens was sealed by the KDC (its kvno is not under
     * the seal, but only a holder of a real ticket can change it); a
     * ticket it does not open may be forged: its kvno proves nothing */
    if (d->dir_state != SPN_DIR_OK && d->cause == SPN_C_KVNO_MISMATCH && d->ticket.decrypted)
        return d->tok.krb5.kvno;
    return -1;
}

/* The failure's facts prove the keytab needs a new export: the directory
 * said so (its facts are the DC's, not the client's), or the ticket was
 * opened by our key (a real ticket).  A ticket no key opens, without the
 * directory, may be forged by anyone: it justifies queries, not a new
 * keytab (nor a password reset). */
static int trusted(const spn_diag_t *d)
{
    return (d->dir_state == SPN_DIR_OK && d->dir_n_holders >= 1) || d->ticket.decrypted;
}

static const char *num(fx_t *x, long v)
{
    if (v < 0)
        return NULL;
    snprintf(x->tmp, sizeof(x->tmp), "%ld", v);
    return x->tmp;
}

/* The value of {name}: *st V_OK (returned), V_UNKNOWN or V_BAD; *bit says
 * which for the notes. */
static const char *value(fx_t *x, const char *name, size_t n, int *st, unsigned *bit)
{
    const spn_diag_t *d = x->d;
    const spn_service_t *svc = x->svc;
    const char *v = NULL;
    int ok = 1;
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)

    *bit = 0;
    if (IS("spn")) {
        *bit = B_SPN;
        v = *x->spn ? x->spn : NULL;
        ok = spn_fix_spn_ok(v);
    }
    else if (IS("spn_short") || IS("spn_long") || IS("netbios") || IS("fqdn") || IS("host")) {
        *bit = B_FORMS;
        if (!spn_fix_spn_ok(x->spn) || !spn_fix_real_host(x->host, strlen(x->host)))
            v = x->host, ok = 0;
        else if (IS("host"))
            v = x->host;
        else if (IS("netbios") || IS("spn_short"))
            v = *x->nb ? (IS("netbios") ? x->nb : spn_psprintf(x->p, "%s/%s", x->cls, x->nb)) : NULL;
        else
            v = *x->fq ? (IS("fqdn") ? x->fq : spn_psprintf(x->p, "%s/%s", x->cls, x->fq)) : NULL;
        if (v && ok && !IS("host"))
            ok = IS("netbios") || IS("fqdn") ? spn_fix_host_ok(v, strlen(v)) : spn_fix_spn_ok(v);
    }
    else if (IS("account")) {
        *bit = B_ACCOUNT;
        v = svc->account && *svc->account ? svc->account : NULL;
        ok = spn_fix_account_ok(v);
    }
    else if (IS("account_sam")) {
        *bit = B_ACCOUNT;
        v = svc->account && *svc->account ? svc->account : NULL;
        ok = spn_fix_account_ok(v);
        if (v && ok)
            v = strchr(v, '\\') + 1;
    }
    else if (IS("holder") || IS("holder_sam") || IS("other") || IS("via")) {
        const spn_dir_holder_t *h = d->dir_n_holders >= 1 ? &d->dir_holders[0] : NULL;
        *bit = B_HOLDER;
        if (IS("other"))
            v = x->other, ok = spn_fix_account_ok(v);
        else if (!holder_acct(d))
            v = NULL;
        else if (IS("holder"))
            v = h->account, ok = spn_fix_account_ok(v);
        else if (IS("holder_sam"))
            v = h->sam, ok = spn_fix_sam_ok(v, strlen(v));
        else
            v = h->via, ok = spn_fix_spn_ok(v);
    }
    else if (IS("realm") || IS("client_realm")) {
        *bit = B_REALM;
        v = IS("realm") ? (d->expected_realm ? d->expected_realm : *d->realm ? d->realm : NULL)
                        : (*d->realm ? d->realm : NULL);
        ok = spn_fix_realm_ok(v);
    }
    else if (IS("keytab") || IS("ktfile")) {
        *bit = B_KEYTAB;
        v = svc->keytab && svc->keytab->path ? svc->keytab->path : NULL;
        ok = spn_fix_path_ok(v);
        if (v && ok && IS("ktfile")) {
            v = strrchr(v, '/') + 1;
            ok = spn_fix_word_ok(v, "._-");
        }
    }
    else if (IS("group")) {
        *bit = B_GROUP;
        v = svc->group;
        ok = spn_fix_word_ok(v, "_-");
    }
    else if (IS("crypto")) {
        /* AES always (RC4 goes in 2026); AES128 only for a real AES128 ticket
         * or an account the directory says allows AES128 and not AES256 */
        int et = d->tok.has_krb5 ? d->tok.krb5.etype : 0, aes128 = et == 17 && d->ticket.decrypted;
        if (holder_acct(d) && d->dir_holders[0].enctypes >= 0)
            aes128 = (d->dir_holders[0].enctypes & 0x08) && !(d->dir_holders[0].enctypes & 0x10);
        v = aes128 ? "AES128-SHA1" : "AES256-SHA1";
    }
    else if (IS("tkt_kvno"))
        v = num(x, d->tok.krb5.kvno);
    else if (IS("acct_kvno"))
        v = num(x, acct_kvno(d));
    else if (IS("dir_kvno"))
        v = holder_acct(d) ? num(x, d->dir_holders[0].kvno) : NULL;
    else if (IS("etype"))
        v = spn_etype_name(d->tok.krb5.etype);
    else if (IS("kt_kvnos")) {
        int i;
        size_t o = 0;
        x->tmp[0] = '\0';
        for (i = 0; i < d->n_kt_kvnos && o < 200; i++)
            o += (size_t)snprintf(x->tmp + o, sizeof(x->tmp) - o, "%s%d", i ? ", " : "",
                                  d->kt_kvnos[i]);
        v = i ? x->tmp : "none";
    }
    else {
        v = NULL;
    }
#undef IS
    *st = !v ? V_UNKNOWN : ok ? V_OK : V_BAD;
    return v;
}

/* Expands template t into pool memory; 0 when a value is unknown or bad
 * (*st says which, *bits which value), with *has_value set when t named one. */
static const char *expand(fx_t *x, const char *t, int *st, unsigned *bits, int *has_value)
{
    spn_buf_t b;

    spn_buf_init(&b, x->p, 64);
    *st = V_OK;
    while (*t) {
        const char *o = strchr(t, '{'), *e;
        const char *v;
        unsigned bit;
        int s;
        if (!o || !(e = strchr(o, '}'))) {
            spn_buf_puts(&b, t);
            break;
        }
        spn_buf_add(&b, t, (size_t)(o - t));
        v = value(x, o + 1, (size_t)(e - o - 1), &s, &bit);
        if (s != V_OK) {
            *st = s;
            *bits |= bit;
            return NULL;
        }
        *has_value |= bit != 0;     /* a value from outside (not one of our numbers) */
        spn_buf_puts(&b, v);
        t = e + 1;
    }
    return b.s ? b.s : "";
}

/* ---- conditions ------------------------------------------------------------------ */

static int only_rc4(const spn_diag_t *d)
{
    int i, rc4 = 0;
    for (i = 0; i < d->n_kt_etypes; i++) {
        if (d->kt_etypes[i] != 23 && d->kt_etypes[i] != 24)
            return 0;
        rc4 = 1;
    }
    return rc4;
}

/* The keytab holds keys of principals other than the SPN asked for. */
static int kt_other(const spn_service_t *svc, const char *spn)
{
    const spn_keytab_t *kt = svc->keytab;
    int i;
    for (i = 0; kt && kt->status == 0 && i < kt->n; i++)
        if (!kt->e[i].name || strcasecmp(kt->e[i].name, spn) != 0)
            return 1;
    return 0;
}

/* The keytab holds keys under the service account's own name (sam@REALM,
 * as samba-tool exportkeytab or msktutil write them): an acceptor that
 * tries every key of the keytab (MIT's) opens a ticket for any SPN of
 * that account with them, so a new keytab is not needed once the SPN is
 * on the account. */
static int kt_account(const spn_service_t *svc)
{
    const spn_keytab_t *kt = svc->keytab;
    const char *sam = svc->account ? strchr(svc->account, '\\') : NULL;
    int i;

    sam = sam ? sam + 1 : svc->account;
    for (i = 0; sam && *sam && kt && kt->status == 0 && i < kt->n; i++)
        if (kt->e[i].name && strcasecmp(kt->e[i].name, sam) == 0)
            return 1;
    return 0;
}

static int cond(fx_t *x, const char *w, size_t n)
{
    const spn_diag_t *d = x->d;
    int held = d->dir_state == SPN_DIR_OK && d->dir_n_holders >= 1;
    int et = d->tok.krb5.etype;
    int r = spn_dir_condition(d, w, n);
#define IS(s) (n == sizeof(s) - 1 && memcmp(w, s, n) == 0)
    if (r >= 0) return r;
    if (IS("proxied")) return d->proxied;
    if (IS("iis")) return d->proxied && d->backend_iis;
    if (IS("decrypts")) return d->ticket.decrypted;
    if (IS("intab")) return d->held || kt_account(x->svc);
    if (IS("account")) return x->svc->account && *x->svc->account;
    if (IS("keytab")) return x->svc->keytab && x->svc->keytab->path;
    if (IS("group")) return x->svc->group && *x->svc->group;
    if (IS("dirkvno")) return held && d->dir_holders[0].kvno >= 0;
    if (IS("acctkvno")) return acct_kvno(d) >= 0;
    if (IS("rc4kt")) return only_rc4(d);
    if (IS("aestkt")) return et == 17 || et == 18 || et == 19 || et == 20;
    if (IS("etunset")) return held && d->dir_holders[0].enctypes < 0;
    if (IS("user")) return held && d->dir_holders[0].kind == SPN_DIR_KIND_USER;
    if (IS("computer")) return held && d->dir_holders[0].kind == SPN_DIR_KIND_COMPUTER;
    if (IS("ours")) return x->ours;
    if (IS("admin")) return x->audience == SPN_FIX_FOR_ADMIN;
    if (IS("ktother")) return kt_other(x->svc, x->spn);
    if (IS("short")) return *x->host && !strchr(x->host, '.');
    if (IS("service")) return held && d->dir_is_service;
    if (IS("trusted")) return trusted(d);
    if (IS("backend400")) return d->too_large == SPN_TOO_LARGE_BACKEND;
    if (IS("cut")) return d->tok.error.code == SPN_E_TRUNCATED || d->tok.error.code == SPN_E_TOO_LARGE;
    if (IS("notb64")) return d->tok.error.code == SPN_E_BASE64 || d->tok.error.code == SPN_E_EMPTY;
    if (IS("notoken")) return d->tok.error.code == SPN_E_MALFORMED ||
                              d->tok.error.code == SPN_E_UNSUPPORTED || d->tok.error.code == SPN_E_TOO_DEEP;
#undef IS
    return -1;
}

static int conds(fx_t *x, const char *when)
{
    while (when && *when) {
        size_t n;
        int neg = *when == '!', r;
        when += neg;
        n = strcspn(when, " ");
        r = cond(x, when, n);
        if (r < 0 || r == neg)          /* an unknown word never holds */
            return 0;
        when += n;
        when += strspn(when, " ");
    }
    return 1;
}

static void fx_init(fx_t *x, apr_pool_t *p, const spn_diag_t *d, const spn_service_t *svc,
                    int audience)
{
    memset(x, 0, sizeof(*x));
    x->p = p;
    x->d = d;
    x->svc = svc;
    x->audience = audience;
    asked(x);
}

int spn_fix_cond(const spn_diag_t *d, const spn_service_t *svc, int audience, const char *w,
                 size_t n)
{
    fx_t x;
    fx_init(&x, NULL, d, svc, audience);
    return cond(&x, w, n);
}

int spn_fix_conds(const spn_diag_t *d, const spn_service_t *svc, int audience, const char *when)
{
    fx_t x;
    fx_init(&x, NULL, d, svc, audience);
    return conds(&x, when);
}

/* ---- build -------------------------------------------------------------------------- */

static void note(spn_fix_t *fx, const char *s)
{
    int i;
    for (i = 0; i < fx->n_notes; i++)
        if (strcmp(fx->notes[i], s) == 0)
            return;
    if (fx->n_notes < SPN_FIX_NOTES)
        fx->notes[fx->n_notes++] = s;
}

/* A step that changes the directory or this server (not a query, not the
 * client's own ticket cache). */
static int changes(const spn_fix_step_t *s)
{
    const char *p = s->argv[0], *a = s->argc > 1 ? s->argv[1] : "";

    if (s->where == SPN_FIX_CLIENT)
        return 0;
    if (!strcmp(p, "setspn"))
        return strcmp(a, "-Q") && strcmp(a, "-L") && strcmp(a, "-X");
    if (!strncmp(p, "Get-", 4) || (!strcmp(p, "klist") && !strcmp(a, "-k")) ||
        !strcmp(p, "timedatectl") || !strcmp(p, "chronyc") || !strcmp(p, "whoami"))
        return 0;
    return 1;
}

/* One line, once (or once per other holder for a line naming {other}). */
static void line(fx_t *x, const spn_fix_line_t *l, spn_fix_t *fx)
{
    const spn_diag_t *d = x->d;
    int i, rep = 0, k;

    for (k = 0; l->argv[k]; k++)
        rep |= strstr(l->argv[k], "{other}") != NULL;
    rep |= l->why && strstr(l->why, "{other}") != NULL;
    for (i = 0; i < (rep ? SPN_DIR_MAX_HOLDERS : 1); i++) {
        spn_fix_step_t s;
        int st = V_OK, hv = 0;
        unsigned bits = 0;
        if (rep) {
            if (i >= d->dir_n_holders ||
                spn_dir_is_account(&d->dir_holders[i], x->svc->account))
                continue;
            x->other = d->dir_holders[i].account;
        }
        memset(&s, 0, sizeof(s));
        s.where = l->where;
        s.why = l->why ? expand(x, l->why, &st, &bits, &hv) : NULL;
        for (k = 0; st == V_OK && l->argv[k] && k < SPN_FIX_ARGS; k++) {
            hv = 0;
            s.argv[k] = expand(x, l->argv[k], &st, &bits, &hv);
            s.value[k] = (unsigned char)hv;
            s.argc = k + 1;
        }
        x->other = NULL;
        if (st == V_OK && l->where != SPN_FIX_NOTE && !x->ours && changes(&s)) {
            fx->foreign = 1;        /* a name the client chose: never changed for it */
            continue;
        }
        if (st != V_OK) {
            if (st == V_BAD)
                fx->withheld |= bits;
            else
                fx->unknown |= bits;
            continue;
        }
        if (l->where == SPN_FIX_NOTE)
            note(fx, s.why);
        else if (fx->n_steps < SPN_FIX_STEPS)
            fx->steps[fx->n_steps++] = s;
    }
}

/* Why a value was left out of every command: it failed its grammar
 * (bad), or it is not known (unknown); NULL: no note. */
static const struct {
    unsigned bit;
    const char *bad, *unknown;
} left_out[] = {
    {B_FORMS, "The name the client used is not a DNS host name (an IP address, localhost, or "
              "not RFC 1123): no SPN is registered for it, and Kerberos needs the server's DNS "
              "name, so those steps are left out.",
              "The fully qualified form of the name the client used is not known (no "
              "ServerName, ServerAlias or SPN of this service starts with it): register that "
              "form too."},
    {B_ACCOUNT, "SPNCheckServiceAccount is not DOMAIN\\sAMAccountName by AD's rules, so it is "
                "left out of every command.",
                "SPNCheckServiceAccount is not set, so the steps that name the account the "
                "service (or the IIS application pool) runs as are left out: set it to "
                "DOMAIN\\sAMAccountName."},
    {B_HOLDER, "An account name the directory gave is not DOMAIN\\sAMAccountName by AD's rules, "
               "so it is left out of every command.", NULL},
    {B_REALM, "The realm is not a valid realm name, so it is left out of every command.", NULL},
    {B_KEYTAB, "The keytab path is not a plain absolute path, so it is left out of every "
               "command.",
               "No keytab is configured (SPNCheckKeytab), so the steps that make and install "
               "one are left out."},
};

void spn_fix_build(apr_pool_t *p, const spn_diag_t *d, const spn_service_t *svc, int audience,
                   spn_fix_t *fx)
{
    const spn_fix_line_t *l = spn_causes[d->cause < SPN_C_COUNT ? d->cause : SPN_C_UNKNOWN].fix;
    fx_t x;
    int i;

    memset(fx, 0, sizeof(*fx));
    fx_init(&x, p, d, svc, audience);
    if (x.bad_sname)
        fx->withheld |= B_SPN;
    fx->foreign = 0;
    for (i = 0; i < SPN_FIX_LINES && l[i].where; i++)
        if (conds(&x, l[i].when))
            line(&x, &l[i], fx);
    if (fx->withheld & B_SPN)
        note(fx, x.bad_sname && spn_fix_spn_ok(x.spn)
                 ? "The SPN the client named is not a valid SPN (class/host[:port][/name], the "
                   "host by RFC 1123), so it is left out of every command: the steps use the "
                   "name the client connected to instead."
                 : "The SPN the client named is not a valid SPN (class/host[:port][/name], the "
                   "host by RFC 1123), so it is left out of every command.");
    if (fx->foreign)
        note(fx, "Steps that change the directory or this server are given only for names "
                 "this site answers to: the name came from the client, which can name any "
                 "service. Once it is a ServerAlias of this site (by name: a wildcard does not "
                 "count), a failure for it gives them.");
    for (i = 0; i < (int)(sizeof(left_out) / sizeof(*left_out)); i++) {
        if ((fx->withheld & left_out[i].bit) && left_out[i].bad)
            note(fx, left_out[i].bad);
        else if ((fx->unknown & left_out[i].bit) && left_out[i].unknown)
            note(fx, left_out[i].unknown);
    }
}

/* ---- renderers --------------------------------------------------------------------- */

static const char *place(int where)
{
    switch (where) {
    case SPN_FIX_DC: return "On Windows, as a domain admin (PowerShell)";
    case SPN_FIX_SERVER: return "On this server, as root (sh)";
    default: return "On the user's computer (PowerShell or cmd)";
    }
}

static const char *where_name(int where)
{
    return where == SPN_FIX_DC ? "dc" : where == SPN_FIX_SERVER ? "server" : "client";
}

static int safe(int where, const char *s)
{
    const char *ok = where == SPN_FIX_SERVER ? "_./:=@%+,-" : "_./:=\\-";
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80)
            if (!strchr(ok, *s))
                return 0;
    return 1;
}

void spn_fix_quote(spn_buf_t *b, int where, const char *arg, int force)
{
    const unsigned char *s = (const unsigned char *)arg;

    if (!force && safe(where, arg)) {
        spn_buf_puts(b, arg);
        return;
    }
    spn_buf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            spn_buf_puts(b, where == SPN_FIX_SERVER ? "'\\''" : "''");
        else if (where != SPN_FIX_SERVER && s[0] == 0xe2 && s[1] == 0x80 &&
                 s[2] >= 0x98 && s[2] <= 0x9b) {
            spn_buf_add(b, (const char *)s, 3);    /* a quote to PowerShell: doubled */
            spn_buf_add(b, (const char *)s, 3);
            s += 2;
        }
        else
            spn_buf_add(b, (const char *)s, 1);
    }
    spn_buf_puts(b, "'");
}

/* The step as its shell reads it, into b (raw). */
static void command(spn_buf_t *b, const spn_fix_step_t *s)
{
    int k;
    for (k = 0; k < s->argc; k++) {
        if (k)
            spn_buf_puts(b, " ");
        spn_fix_quote(b, s->where, s->argv[k],
                      s->value[k] && strchr("-+.0123456789", s->argv[k][0]) != NULL);
    }
}

/* For a <pre> or a terminal: no control character, then HTML-escaped. */
static void clean(spn_buf_t *b, const char *s, int html)
{
    spn_buf_t t;
    if (!html) {
        spn_buf_text(b, s, strlen(s));
        return;
    }
    spn_buf_init(&t, b->pool, strlen(s) + 1);
    spn_buf_text(&t, s, strlen(s));
    spn_buf_html(b, t.s ? t.s : "", t.len);
}

static void render(spn_buf_t *b, const spn_fix_t *fx, const char *indent, int html)
{
    static const int order[] = {SPN_FIX_DC, SPN_FIX_SERVER, SPN_FIX_CLIENT};
    int o, i;

    for (o = 0; o < 3; o++) {
        int any = 0;
        for (i = 0; i < fx->n_steps; i++) {
            spn_buf_t c;
            if (fx->steps[i].where != order[o])
                continue;
            if (!any++) {
                if (html)
                    spn_buf_printf(b, "<h3>%s</h3>\n<pre class=\"fix\" data-where=\"%s\">",
                                   place(order[o]), where_name(order[o]));
                else
                    spn_buf_printf(b, "%s%s:\n", indent, place(order[o]));
            }
            if (fx->steps[i].why && *fx->steps[i].why) {
                spn_buf_printf(b, "%s%s# ", html ? "" : indent, html ? "" : "  ");
                clean(b, fx->steps[i].why, html);
                spn_buf_puts(b, "\n");
            }
            spn_buf_init(&c, b->pool, 128);
            command(&c, &fx->steps[i]);
            spn_buf_printf(b, "%s%s", html ? "" : indent, html ? "" : "  ");
            clean(b, c.s, html);
            spn_buf_puts(b, "\n");
        }
        if (any && html)
            spn_buf_puts(b, "</pre>\n");
    }
    if (fx->n_notes && html)
        spn_buf_puts(b, "<ul class=\"notes\">\n");
    for (i = 0; i < fx->n_notes; i++) {
        spn_buf_puts(b, html ? "<li>" : indent);
        if (!html)
            spn_buf_puts(b, "note: ");
        clean(b, fx->notes[i], html);
        spn_buf_puts(b, html ? "</li>\n" : "\n");
    }
    if (fx->n_notes && html)
        spn_buf_puts(b, "</ul>\n");
}

void spn_fix_html(spn_buf_t *b, const spn_fix_t *fx)
{
    render(b, fx, "", 1);
}

void spn_fix_text(spn_buf_t *b, const spn_fix_t *fx, const char *indent)
{
    render(b, fx, indent ? indent : "", 0);
}

void spn_fix_json(spn_json_t *w, const spn_fix_t *fx)
{
    int i, k;

    spn_json_object(w);
    spn_json_key(w, "steps");
    spn_json_array(w);
    for (i = 0; i < fx->n_steps; i++) {
        const spn_fix_step_t *s = &fx->steps[i];
        spn_json_object(w);
        spn_json_kstr(w, "where", where_name(s->where));
        spn_json_key(w, "argv");
        spn_json_array(w);
        for (k = 0; k < s->argc; k++)
            spn_json_str(w, s->argv[k]);
        spn_json_end(w);
        spn_json_kstr(w, "why", s->why);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_key(w, "notes");
    spn_json_array(w);
    for (i = 0; i < fx->n_notes; i++)
        spn_json_str(w, fx->notes[i]);
    spn_json_end(w);
    spn_json_end(w);
}

void spn_fix_log(spn_buf_t *b, const spn_fix_t *fx)
{
    int i;
    for (i = 0; i < fx->n_steps; i++)
        spn_buf_printf(b, "%s%s", i ? "," : "", fx->steps[i].argv[0]);
    if (!fx->n_steps)
        spn_buf_puts(b, "-");
}

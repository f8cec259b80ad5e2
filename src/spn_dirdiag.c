/* spn_dirdiag.c: a diagnosis refined by the directory's facts (issue 11).
 * Pure: the facts are plain records; nothing here looks anything up. */
#include "spn_dirdiag.h"

#include <apr_strings.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

int spn_dir_spn_ok(const char *s)
{
    size_t i;
    const char *slash;

    if (!s || !(slash = strchr(s, '/')) || slash == s || !slash[1])
        return 0;
    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i + 1 >= SPN_DIR_SPN_MAX || c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
            c == '*' || c == '(' || c == ')' || c == '@')
            return 0;
    }
    return 1;
}

/* Wildcard match, the greedy two-pointer matcher with one backtrack point:
 * a '*' remembers where it stood (star) and where its run ends (mark); a
 * mismatch after it lets it swallow one byte more and starts the rest of
 * the pattern over from there.  Only the latest '*' is ever retried: once
 * the text has been matched up to a later '*', any way of matching what
 * lies before it does as well, so no earlier choice is revisited (no
 * recursion, no exponential backtracking).
 * Bound: each step either moves pi forward or is a backtrack, which moves
 * mark forward by one byte; mark never moves back (a later '*' is taken
 * at si >= mark), so there are at most n backtracks and at most m + 1
 * steps between two: at most (n + 1) * (m + 1) + m steps in all.  With
 * n <= 253 (the host, capped by spn_dir_host_ok before any match) and
 * m < 256 (a ServerAlias, capped at SPN_DIR_SPN_MAX) that is under 66,000
 * byte comparisons, whatever the client sends. */
int spn_glob_ci(const char *p, size_t m, const char *s, size_t n, unsigned long *steps)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    unsigned long k = 0;
    int r = 1;

    while (si < n) {
        k++;
        if (pi < m && p[pi] == '*') {
            star = pi++;
            mark = si;
        }
        else if (pi < m && (p[pi] == '?' ||
                            tolower((unsigned char)p[pi]) == tolower((unsigned char)s[si]))) {
            pi++;
            si++;
        }
        else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        }
        else {
            r = 0;
            break;
        }
    }
    for (; r && pi < m && p[pi] == '*'; pi++)
        k++;
    if (steps)
        *steps = k;
    return r && pi == m;
}

int spn_dir_host_ok(const char *h, size_t hn)
{
    size_t i, label = 0;

    if (!hn || hn > SPN_DIR_HOST_MAX)
        return 0;
    for (i = 0; i < hn; i++) {
        if (h[i] == '.')
            label = 0;
        else if (++label > SPN_DIR_LABEL_MAX)
            return 0;
    }
    return 1;
}

/* Host h (hn bytes) is name, or the first label of name (its short form);
 * a name with a wildcard matches as httpd does unless literal. */
static int host_is(const char *h, size_t hn, const char *name, size_t nn, int literal)
{
    const char *dot;

    if (!hn || !nn)
        return 0;
    if (memchr(name, '*', nn) || memchr(name, '?', nn))
        return !literal && nn < SPN_DIR_SPN_MAX && spn_glob_ci(name, nn, h, hn, NULL);
    if (hn == nn && strncasecmp(h, name, hn) == 0)
        return 1;
    dot = memchr(name, '.', nn);
    return dot && !memchr(h, '.', hn) && (size_t)(dot - name) == hn &&
           strncasecmp(h, name, hn) == 0;
}

int spn_dir_ours(const char *spn, const spn_dir_ours_t *ours)
{
    const char *slash = spn ? strchr(spn, '/') : NULL, *h;
    size_t sn, hn;
    int i, cls;

    if (!ours)
        return 1;
    if (!slash || !spn_dir_spn_ok(spn))
        return 0;
    sn = (size_t)(slash - spn);
    h = slash + 1;
    hn = strcspn(h, ":/");
    if (!spn_dir_host_ok(h, hn))        /* before any match: RFC 1123 lengths */
        return 0;
    cls = sn == 4 && strncasecmp(spn, "HTTP", 4) == 0;
    for (i = 0; !cls && ours->svc && i < ours->svc->n_spns; i++) {
        const char *c = ours->svc->spns[i], *cs = c ? strchr(c, '/') : NULL;
        cls = cs && (size_t)(cs - c) == sn && strncasecmp(c, spn, sn) == 0;
    }
    if (!cls)
        return 0;
    for (i = 0; ours->svc && i < ours->svc->n_spns; i++) {
        const char *c = ours->svc->spns[i], *cs = c ? strchr(c, '/') : NULL;
        if (cs && host_is(h, hn, cs + 1, strcspn(cs + 1, "@/:"), ours->literal))
            return 1;
    }
    for (i = 0; i < ours->n_names; i++)
        if (ours->names[i] &&
            host_is(h, hn, ours->names[i], strcspn(ours->names[i], ":"), ours->literal))
            return 1;
    return 0;
}

/* "HTTP/" + host into out; 0 when it is not a name we look up. */
static int put_spn(char *out, const char *service, size_t sn, const char *host, size_t hn)
{
    if (sn + 1 + hn + 1 > SPN_DIR_SPN_MAX)
        return 0;
    memcpy(out, service, sn);
    out[sn] = '/';
    memcpy(out + sn + 1, host, hn);
    out[sn + 1 + hn] = '\0';
    return spn_dir_spn_ok(out);
}

int spn_dir_asked(const spn_diag_t *d, const char *host, char out[2][SPN_DIR_SPN_MAX])
{
    const char *svc = "HTTP", *h, *dot;
    size_t sn = 4, hn, i;
    char other[SPN_DIR_SPN_MAX];

    if (*d->sname) {
        const char *slash = strchr(d->sname, '/');
        if (!slash || !spn_dir_spn_ok(d->sname))
            return 0;
        svc = d->sname;
        sn = (size_t)(slash - d->sname);
        h = slash + 1;
        hn = strcspn(h, "/");       /* SERVICE/host/name: the host */
        if (h[hn])
            return put_spn(out[0], svc, sn, h, strlen(h));
    }
    else {
        if (!host || !*host)
            return 0;
        h = host;
        if (*h == '[')              /* IPv6 literal: up to ']' */
            hn = strcspn(h, "]") + (strchr(h, ']') ? 1 : 0);
        else
            hn = strcspn(h, ":");
    }
    if (!put_spn(out[0], svc, sn, h, hn))
        return 0;
    /* the other name form: FQDN -> NetBIOS, NetBIOS -> FQDN */
    dot = memchr(h, '.', hn);
    if (*h == '[' || (dot && strspn(h, "0123456789.") >= hn))
        return 1;                   /* an IP literal has no other form */
    if (dot) {
        const char *nb = d->netbios;
        size_t nn = strlen(nb);
        if (!nn || strncasecmp(nb, h, (size_t)(dot - h)) != 0 || nn != (size_t)(dot - h)) {
            nb = h;
            nn = (size_t)(dot - h);
        }
        if (!put_spn(other, svc, sn, nb, nn))
            return 1;
        for (i = sn + 1; other[i]; i++)
            other[i] = (char)toupper((unsigned char)other[i]);
    }
    else {
        const char *fd = strchr(d->fqdn, '.');
        if (!fd || (size_t)(fd - d->fqdn) != hn || strncasecmp(d->fqdn, h, hn) != 0 ||
            !put_spn(other, svc, sn, d->fqdn, strlen(d->fqdn)))
            return 1;
    }
    memcpy(out[1], other, sizeof(other));
    return 2;
}

/* spn as a configured SPN of svc names it (realm stripped, any case). */
static int configured_spn(const spn_service_t *svc, const char *spn)
{
    size_t n = strlen(spn);
    int i;

    for (i = 0; svc && i < svc->n_spns; i++) {
        const char *c = svc->spns[i];
        if (c && strcspn(c, "@") == n && strncasecmp(c, spn, n) == 0)
            return 1;
    }
    return 0;
}

/* "SERVICE/host:port" and "SERVICE/host/name" to "SERVICE/host" in place,
 * unless a configured SPN is that very name.  Returns 1 when it changed. */
static int normalise(char *spn, const spn_service_t *svc)
{
    char *h = strchr(spn, '/');
    size_t hn;

    if (!h)
        return 0;
    h++;
    hn = *h == '[' && strchr(h, ']') ? (size_t)(strchr(h, ']') - h) + 1 : strcspn(h, ":/");
    if (!h[hn] || configured_spn(svc, spn))
        return 0;
    h[hn] = '\0';
    return 1;
}

int spn_dir_ask(spn_dir_ask_t *a, const spn_diag_t *d, const char *host,
                const spn_dir_ours_t *ours)
{
    char asked[2][SPN_DIR_SPN_MAX];
    int n = spn_dir_asked(d, host, asked), i, changed;

    a->n = a->refine = 0;
    a->pooled[0] = a->pooled[1] = 0;
    for (i = 0; i < n; i++) {
        int pooled;
        if (!spn_dir_ours(asked[i], ours))
            continue;
        if (!ours)
            pooled = 1;
        else {
            spn_dir_ours_t lit = *ours;
            lit.literal = 1;
            pooled = !spn_dir_ours(asked[i], &lit);
        }
        changed = ours && normalise(asked[i], ours->svc);
        if (i == 0)
            a->refine = !changed;
        if (a->n == 1 && strcasecmp(a->spn[0], asked[i]) == 0)
            continue;
        a->pooled[a->n] = pooled;
        memcpy(a->spn[a->n++], asked[i], SPN_DIR_SPN_MAX);
    }
    return a->n;
}

int spn_dir_is_account(const spn_dir_holder_t *h, const char *acct)
{
    const char *at;

    if (!acct || !*acct || !*h->sam)
        return 0;
    at = strchr(acct, '@');
    if (at && !strchr(acct, '\\'))      /* sam@REALM */
        return (size_t)(at - acct) == strlen(h->sam) &&
               strncasecmp(acct, h->sam, (size_t)(at - acct)) == 0;
    return spn_dir_holder_is(h, acct);
}

int spn_dir_keytab_keys(const spn_keytab_t *kt, const char *spn, int32_t enctypes,
                        int *kvno_max, int *allowed)
{
    int k, n = 0;

    *kvno_max = -1;
    *allowed = 0;
    for (k = 0; kt && kt->status == 0 && k < kt->n; k++) {
        if (!kt->e[k].name || strcasecmp(kt->e[k].name, spn) != 0)
            continue;
        n++;
        if (kt->e[k].kvno > *kvno_max)
            *kvno_max = kt->e[k].kvno;
        *allowed |= spn_dir_enctype_allowed(enctypes, kt->e[k].enctype);
    }
    return n;
}

void spn_dir_refine(spn_diag_t *d, const char *svc_account, const spn_dir_spn_t *f)
{
    const spn_dir_holder_t *h0;
    int i, n;

    if (!f || f->state != SPN_DIR_OK)
        return;
    h0 = &f->holders[0];
    n = f->n_holders < 0 ? 0 : f->n_holders;
    d->dir_state = SPN_DIR_OK;
    d->dir_from = d->cause;
    apr_cpystrn(d->dir_spn, f->spn, sizeof(d->dir_spn));
    d->dir_n_holders = n;
    d->dir_checked_at = f->checked_at;
    memcpy(d->dir_holders, f->holders, sizeof(d->dir_holders));
    for (i = 0; i < SPN_DIR_MAX_HOLDERS; i++) {     /* NUL-terminated, whatever came */
        spn_dir_holder_t *h = &d->dir_holders[i];
        h->account[sizeof(h->account) - 1] = h->sam[sizeof(h->sam) - 1] = '\0';
        h->via[sizeof(h->via) - 1] = '\0';
    }
    d->dir_mapped = n >= 1 && strcasecmp(h0->via, f->spn) != 0 &&
                    strncasecmp(h0->via, "HOST/", 5) == 0;
    d->dir_is_service = n >= 1 && spn_dir_is_account(h0, svc_account);
    d->dir_kt_max = -1;
    for (i = 0; i < d->n_kt_kvnos; i++)
        if (d->kt_kvnos[i] > d->dir_kt_max)
            d->dir_kt_max = d->kt_kvnos[i];

    switch (d->cause) {
    case SPN_C_NTLM_FALLBACK:
        if (n == 0)
            d->cause = SPN_C_SPN_NOT_REGISTERED;
        else if (n > 1)
            d->cause = SPN_C_SPN_DUPLICATE;
        break;
    case SPN_C_SPN_WRONG_ACCOUNT:
    case SPN_C_KVNO_MISMATCH:
        if (n > 1)
            d->cause = SPN_C_SPN_DUPLICATE;
        else if (n == 1 && d->dir_is_service && d->cause == SPN_C_SPN_WRONG_ACCOUNT)
            d->cause = SPN_C_KEYTAB_STALE;
        else if (n == 1 && !d->dir_is_service && svc_account && *svc_account)
            d->cause = SPN_C_SPN_WRONG_ACCOUNT;
        break;
    case SPN_C_SPN_UNKNOWN:
        /* a ticket for a name this service is not configured for: the
         * directory says whose key sealed it */
        if (n > 1)
            d->cause = SPN_C_SPN_DUPLICATE;
        else if (n == 1 && !d->dir_is_service && svc_account && *svc_account)
            d->cause = SPN_C_SPN_WRONG_ACCOUNT;
        break;
    default:
        break;
    }
}

int spn_dir_refine_from(spn_diag_t *d, const char *svc_account, const char *host,
                        const spn_dir_spn_t *facts, int n)
{
    char asked[2][SPN_DIR_SPN_MAX];
    int i;

    if (!facts || spn_dir_asked(d, host, asked) < 1)
        return 0;
    for (i = 0; i < n; i++)
        if (strcasecmp(facts[i].spn, asked[0]) == 0 && facts[i].state == SPN_DIR_OK) {
            spn_dir_refine(d, svc_account, &facts[i]);
            return d->dir_state == SPN_DIR_OK;
        }
    return 0;
}

/* host part of "SERVICE/host..." is an IP literal */
static int ip_host(const char *spn)
{
    const char *h = strchr(spn, '/');
    size_t n;

    if (!h)
        return 0;
    h++;
    if (*h == '[')
        return 1;
    n = strcspn(h, ":/");
    return n > 0 && strspn(h, "0123456789.") >= n;
}

int spn_dir_condition(const spn_diag_t *d, const char *name, size_t n)
{
    int dir = d->dir_state == SPN_DIR_OK, held = dir && d->dir_n_holders >= 1;
    int stale = held && d->dir_holders[0].kvno >= 0 && d->dir_kt_max >= 0 &&
                d->dir_holders[0].kvno > d->dir_kt_max;
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
    if (IS("nodir")) return !dir;
    if (IS("dir")) return dir;
    if (IS("held")) return held;
    if (IS("dup")) return dir && d->dir_n_holders > 1;
    if (IS("mapped")) return held && d->dir_mapped;
    if (IS("direct")) return held && !d->dir_mapped;
    if (IS("stale")) return stale;
    if (IS("samekvno")) return held && !stale;
    if (IS("iphost")) return dir && ip_host(d->dir_spn);
#undef IS
    return -1;
}

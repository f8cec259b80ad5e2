/* spn_fix_grammar.c: the grammars a value from a client, a keytab or the
 * directory must pass before it reaches a step of the fix (spn_fix.h). */
#include "spn_fix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int spn_fix_host_ok(const char *s, size_t n)
{
    size_t i, label = 0;

    if (!s || n == 0 || n > 253)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!(isalnum(c) || c == '-') || c >= 0x80 || (c == '-' && label == 0) || ++label > 63)
            return 0;
    }
    return label > 0 && s[n - 1] != '-';
}

int spn_fix_real_host(const char *s, size_t n)
{
    size_t i;

    if (!spn_fix_host_ok(s, n))
        return 0;
    for (i = 0; i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'); i++)
        ;
    if (i == n)                          /* an IPv4 literal */
        return 0;
    return !((n == 9 || (n > 9 && s[9] == '.')) && strncasecmp(s, "localhost", 9) == 0);
}

int spn_fix_spn_ok(const char *s)
{
    const char *slash, *h, *e;
    size_t i, cn, hn;

    if (!s || !(slash = strchr(s, '/')) || strlen(s) >= 256)
        return 0;
    cn = (size_t)(slash - s);
    if (cn == 0 || cn > 32 || !isalpha((unsigned char)s[0]))
        return 0;
    for (i = 0; i < cn; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return 0;
    h = slash + 1;
    hn = strcspn(h, ":/");
    if (!spn_fix_host_ok(h, hn))
        return 0;
    e = h + hn;
    if (*e == ':') {                     /* :port, 1..65535 */
        size_t pn = strspn(e + 1, "0123456789");
        if (pn == 0 || pn > 5 || atoi(e + 1) < 1 || atoi(e + 1) > 65535 || e[1] == '0')
            return 0;
        e += 1 + pn;
    }
    if (*e == '/') {                     /* /name: a host or a plain word */
        size_t nn = strlen(e + 1);
        if (!spn_fix_host_ok(e + 1, nn) && nn == 0)
            return 0;
        for (i = 1; i <= nn; i++)
            if (!isalnum((unsigned char)e[i]) && e[i] != '.' && e[i] != '-' && e[i] != '_')
                return 0;
        e += 1 + nn;
    }
    return *e == '\0';
}

/* One UTF-8 character of s[0..n) allowed in a sAMAccountName: its length,
 * or 0.  ASCII: printable, not " / \ [ ] : ; | = , + * ? < >; beyond:
 * well-formed, not a C1 control, nor General Punctuation (U+2000..U+206F:
 * the quotes PowerShell also takes for ' and the bidi and format marks),
 * nor U+FEFF or a noncharacter. */
size_t spn_fix_sam_char(const unsigned char *s, size_t n)
{
    size_t k;
    unsigned long cp;

    if (s[0] < 0x80)
        return s[0] >= 0x20 && s[0] < 0x7f && !strchr("\"/\\[]:;|=,+*?<>", s[0]) ? 1 : 0;
    if (!(k = spn_utf8_seq(s, n)))
        return 0;
    cp = k == 2 ? (s[0] & 0x1fUL) << 6 | (s[1] & 0x3f)
       : k == 3 ? (s[0] & 0x0fUL) << 12 | (s[1] & 0x3fUL) << 6 | (s[2] & 0x3f)
       : (s[0] & 0x07UL) << 18 | (s[1] & 0x3fUL) << 12 | (s[2] & 0x3fUL) << 6 | (s[3] & 0x3f);
    /* also what looks like or becomes another character: soft hyphen,
     * yen and won (a backslash under some code pages' best fit), combining
     * marks, the Arabic letter mark, Mongolian vowel separator, variation
     * selectors, the fullwidth and halfwidth forms (a fullwidth quote or
     * backslash is best-fit to the ASCII one by an ANSI program), tags */
    if (cp == 0xad || cp == 0xa5 || cp == 0x20a9 || (cp >= 0x300 && cp <= 0x36f) ||
        cp == 0x61c || cp == 0x180e || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0xe0000 && cp <= 0xe007f))
        return 0;
    if (cp < 0xa0 || (cp >= 0x2000 && cp <= 0x206f) || cp == 0xfeff ||
        (cp >= 0xfff0 && cp <= 0xffff) || (cp >= 0xe000 && cp <= 0xf8ff))
        return 0;
    return k;
}

int spn_fix_sam_ok(const char *s, size_t n)
{
    size_t i = 0, chars = 0, k;
    int only_dots = 1;

    if (!s || n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    while (i < n) {
        if (!(k = spn_fix_sam_char((const unsigned char *)s + i, n - i)) || ++chars > 64)
            return 0;
        only_dots &= s[i] == '.';
        i += k;
    }
    return !only_dots;
}

int spn_fix_account_ok(const char *s)
{
    const char *bs = s ? strchr(s, '\\') : NULL;
    size_t i, dn;

    if (!bs)
        return 0;
    dn = (size_t)(bs - s);
    if (dn == 0 || dn > 15 || s[0] == '.')
        return 0;
    for (i = 0; i < dn; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return spn_fix_sam_ok(bs + 1, strlen(bs + 1));
}

int spn_fix_realm_ok(const char *s)
{
    return s && *s && strlen(s) <= 253 && spn_fix_host_ok(s, strlen(s));
}

int spn_fix_path_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0, k;

    if (n == 0 || n > 1024 || s[0] != '/')
        return 0;
    for (i = 0; i < n; i += k) {
        unsigned char c = (unsigned char)s[i];
        k = c < 0x80 ? (c >= 0x20 && c < 0x7f) : spn_fix_sam_char((const unsigned char *)s + i, n - i);
        if (!k)
            return 0;
    }
    return 1;
}

int spn_fix_word_ok(const char *s, const char *extra)
{
    size_t i;
    if (!s || !*s || strlen(s) > 64 || s[0] == '-' || s[0] == '.')
        return 0;
    for (i = 0; s[i]; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
            return 0;
    return 1;
}


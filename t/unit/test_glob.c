/* test_glob.c: the ServerAlias wildcard match a client's host name meets
 * (spn_glob_ci, spn_dir_ours; issue 19, finding 1): bounded steps on
 * hostile input (counted through the matcher's step hook, never timed),
 * the RFC 1123 length cap checked before any match, and the matcher's
 * results against a plain recursive reference on every small case. */
#include "tap.h"
#include "spn_dirdiag.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

/* The reference: the textbook recursive definition (exponential, so only
 * on small inputs). */
static int ref_glob(const char *p, size_t m, const char *s, size_t n)
{
    if (!m)
        return n == 0;
    if (*p == '*')
        return ref_glob(p + 1, m - 1, s, n) || (n && ref_glob(p, m, s + 1, n - 1));
    return n && (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s)) &&
           ref_glob(p + 1, m - 1, s + 1, n - 1);
}

static int glob(const char *p, const char *s)
{
    return spn_glob_ci(p, strlen(p), s, strlen(s), NULL);
}

/* (n + 1) * (m + 1) + m: the bound spn_dirdiag.c proves */
static unsigned long bound(size_t m, size_t n)
{
    return (unsigned long)((n + 1) * (m + 1) + m);
}

static void steps_case(const char *p, const char *s, int want, const char *what)
{
    unsigned long k = 0;
    int r = spn_glob_ci(p, strlen(p), s, strlen(s), &k);

    ok(r == want && k <= bound(strlen(p), strlen(s)),
       "%s: %s in %lu steps (bound %lu for m %zu, n %zu)", what, r ? "match" : "no match", k,
       bound(strlen(p), strlen(s)), strlen(p), strlen(s));
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_steps(void)
{
    char *dashes = repeat('-', 240), host[300], *p;
    size_t i;

    /* the review's case: four and five '*' against 240 dashes (the old
     * recursive matcher: 970 ms and 40 s per match) */
    steps_case("*-*-*-*.apps.contoso.test", dashes, 0, "*-*-*-* vs 240 dashes");
    steps_case("*-*-*-*-*.apps.contoso.test", dashes, 0, "*-*-*-*-* vs 240 dashes");
    steps_case("*-*-*-*-*-*-*-*-*-*-*-*x", dashes, 0, "twelve '*' vs 240 dashes");
    /* the longest host RFC 1123 allows, all dashes but the dots */
    p = host;
    for (i = 0; i < 4; i++) {
        size_t l = i < 3 ? 63 : 61;
        memset(p, '-', l);
        p += l;
        if (i < 3)
            *p++ = '.';
    }
    *p = '\0';
    is_int((int)strlen(host), SPN_DIR_HOST_MAX, "a 253-byte host of 63-byte labels");
    ok(spn_dir_host_ok(host, strlen(host)), "  within RFC 1123");
    steps_case("*-*-*-*-*-*-*-*.*-*-*-*.*-*-*-*.*-*-*-*-*.contoso.test", host, 0,
               "many '*' and dots vs the longest host");
    steps_case("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?x", host, 0,
               "'*?' runs vs the longest host");
    steps_case("*-*-*", dashes, 1, "a match at once");
    {
        /* this matcher's own worst case: the run after the '*' fails at
         * its last byte at every start (n * m, still within the bound) */
        char pat[104], *as = repeat('a', 253);
        pat[0] = '*';
        memset(pat + 1, 'a', 100);
        pat[101] = 'b';
        pat[102] = '\0';
        steps_case(pat, as, 0, "'*' + 100 x 'a' + 'b' vs 253 x 'a'");
        free(as);
    }
    {
        /* the worst the caps allow: a 255-byte pattern of '*-' and a 253-byte host */
        char pat[256];
        for (i = 0; i < 254; i++)
            pat[i] = i % 2 ? '-' : '*';
        pat[254] = 'x';
        pat[255] = '\0';
        steps_case(pat, host, 0, "255-byte pattern vs 253-byte host");
    }
    free(dashes);
}

static void test_cases(void)
{
    ok(glob("*.apps.contoso.test", "x.APPS.Contoso.TEST"), "case-insensitive");
    ok(glob("WEB??.contoso.test", "web01.contoso.test"), "'?' is one byte");
    ok(!glob("web?.contoso.test", "web01.contoso.test"), "'?' is not two");
    ok(!glob("web???.contoso.test", "web01.contoso.test"), "nor nothing");
    ok(glob("*", ""), "'*' matches the empty host");
    ok(glob("", ""), "the empty pattern matches the empty host");
    ok(!glob("", "x"), "and nothing else");
    ok(!glob("x", ""), "a pattern byte needs a host byte");
    ok(glob("*.apps.contoso.test", ".apps.contoso.test"), "'*' may be empty");
    ok(glob("*.contoso.test", "a.b.contoso.test"), "'*' spans dots (as httpd's ServerAlias)");
    ok(!glob("*.contoso.test", "contoso.test"), "the dot is literal");
    ok(!glob("*.contoso.test", "xcontoso.test"), "  and must be there");
    ok(!glob("*.apps.contoso.test", "x.apps.contoso.test.evil"), "anchored at the end");
    ok(!glob("web*", "xweb01"), "anchored at the start");
    ok(glob("a*b*c", "aXbYbZc"), "a later '*' after a false start");
    ok(glob("*ab", "aab"), "backtrack into the run");
    ok(glob("**a", "a"), "adjacent '*'");
    ok(glob("a*", "a"), "trailing '*'");
    ok(glob("*-*-*-*.apps.contoso.test", "a-b-c-d.apps.contoso.test"), "the review's pattern, a real name");
    ok(!glob("*-*-*-*.apps.contoso.test", "a-b-c.apps.contoso.test"), "  one dash short");

    /* every pattern over {a, *, ?} up to 5 bytes against every host over
     * {a, b} up to 6 bytes: the same answer as the recursive reference */
    {
        static const char pa[] = "a*?", ha[] = "ab";
        char p[6], s[7];
        int bad = 0, total = 0;
        size_t m, n, i;
        unsigned long pc, sc, x;

        for (m = 0; m <= 5; m++) {
            unsigned long np = 1;
            for (i = 0; i < m; i++)
                np *= 3;
            for (pc = 0; pc < np; pc++) {
                for (x = pc, i = 0; i < m; i++, x /= 3)
                    p[i] = pa[x % 3];
                for (n = 0; n <= 6; n++) {
                    unsigned long ns = 1UL << n;
                    for (sc = 0; sc < ns; sc++) {
                        unsigned long k;
                        for (i = 0; i < n; i++)
                            s[i] = ha[(sc >> i) & 1];
                        total++;
                        if (spn_glob_ci(p, m, s, n, &k) != ref_glob(p, m, s, n) || k > bound(m, n))
                            bad++;
                    }
                }
            }
        }
        ok(bad == 0, "%d pattern/host pairs: as the reference, within the bound (%d differ)",
           total, bad);
    }
}

static void test_host_cap(void)
{
    const char *names[] = { "*.apps.contoso.test", "*-*-*-*.apps.contoso.test" };
    spn_dir_ours_t ours = { NULL, names, 2, 0 };
    char spn[600], *l63 = repeat('a', 63), *l64 = repeat('a', 64), *d240 = repeat('-', 240);
    int i;

    snprintf(spn, sizeof spn, "HTTP/%s.apps.contoso.test", l63);
    ok(spn_dir_ours(spn, &ours), "a 63-byte label: ours");
    snprintf(spn, sizeof spn, "HTTP/%s.apps.contoso.test", l64);
    ok(!spn_dir_ours(spn, &ours), "a 64-byte label: refused before any match (RFC 1123)");
    snprintf(spn, sizeof spn, "HTTP/%s.apps.contoso.test", d240);
    ok(!spn_dir_ours(spn, &ours), "240 dashes: refused before any match");
    snprintf(spn, sizeof spn, "HTTP/%s.apps.contoso.test:8443", l64);
    ok(!spn_dir_ours(spn, &ours), "  with a port too");
    /* 4 x 60-byte labels + ".apps.contoso.test": 262 bytes in all */
    strcpy(spn, "HTTP/");
    for (i = 0; i < 4; i++) {
        strncat(spn, l63, 60);
        strcat(spn, ".");
    }
    strcat(spn, "apps.contoso.test");
    ok(strlen(spn) - 5 > SPN_DIR_HOST_MAX && !spn_dir_ours(spn, &ours),
       "a host past 253 bytes: refused");
    ok(spn_dir_host_ok("web01", 5) && spn_dir_host_ok("web01.contoso.test.", 19),
       "a short name and an absolute one pass");
    ok(!spn_dir_host_ok("", 0), "an empty host does not");
    ok(spn_dir_host_ok(l63, 63) && !spn_dir_host_ok(l64, 64), "63 bytes a label, not 64");
    free(l63);
    free(l64);
    free(d240);
}

int main(void)
{
    test_steps();
    test_cases();
    test_host_cap();
    return tap_done();
}

/* test_fix.c: the fix (src/spn_fix.c) as an admin would paste it.  The
 * grammars; a forged SPN with a newline and a hostile directory account
 * (issue 18's injections) stay out of every command or stay literal for
 * PowerShell, read back here by PowerShell's and sh's own quoting rules;
 * no placeholder in any step of any cause; the names in a step are the
 * ones the failure asked for; IIS steps only behind a proxy that answered
 * as IIS; the keytab step (bare -out file, server install, password reset
 * said or avoided); and one answer: text, JSON and page render the same
 * steps for every vector and every ticket built here. */
#include "vectors.h"
#include "diag_build.h"
#include "json_check.h"
#include "spn_dirdiag.h"
#include "spn_fix.h"
#include "spn_render.h"
#include "spn_selfcheck.h"

#include <jansson.h>

static const char HOSTILE[] = "SPNCHECK\\w2&calc$(iex x)`$";
static spn_keytab_t kt_copy;

static char *rep(char c, size_t n)
{
    char *s = apr_palloc(pool, n + 1);
    memset(s, c, n);
    s[n] = 0;
    return s;
}

/* What the directory says of spn: one holder, account, through via. */
static spn_dir_spn_t dir_facts(const char *spn, const char *account, int kind, const char *via)
{
    spn_dir_spn_t f;
    const char *bs = strchr(account, '\\');

    memset(&f, 0, sizeof f);
    apr_cpystrn(f.spn, spn, sizeof f.spn);
    f.state = SPN_DIR_OK;
    f.checked_at = NOW - 30;
    f.n_holders = 1;
    apr_cpystrn(f.holders[0].account, account, sizeof f.holders[0].account);
    apr_cpystrn(f.holders[0].sam, bs ? bs + 1 : account, sizeof f.holders[0].sam);
    f.holders[0].kind = kind;
    apr_cpystrn(f.holders[0].via, via, sizeof f.holders[0].via);
    f.holders[0].kvno = 4;
    f.holders[0].enctypes = -1;
    return f;
}

/* ---- reading a command back as its shell would --------------------------- */

static int ps_quote(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x98 && u[2] <= 0x9b;
}

/* Splits line by the rules of where's shell, as far as the renderer uses
 * them: bare words of safe characters, single-quoted words ('' doubles a
 * quote in PowerShell, '\'' closes-escapes-reopens in sh).  Any other
 * metacharacter outside quotes fails (NULL): the shell would act on it. */
static int shell_words(int where, const char *line, const char **out, int max)
{
    const char *meta = where == SPN_FIX_SERVER ? "$`\\\"&;|<>(){}*?[]~#!\n\t" : "$`\"&;|<>(){}@,#\n\t";
    int n = 0;

    while (*line && n < max) {
        spn_buf_t w;
        spn_buf_init(&w, pool, 64);
        while (*line == ' ')
            line++;
        if (!*line)
            break;
        while (*line && *line != ' ') {
            if (*line == '\'') {
                line++;
                for (;;) {
                    if (!*line)
                        return -1;
                    if (*line == '\'') {
                        if (where != SPN_FIX_SERVER && line[1] == '\'') {
                            spn_buf_add(&w, "'", 1);
                            line += 2;
                            continue;
                        }
                        line++;
                        break;
                    }
                    if (where != SPN_FIX_SERVER && ps_quote(line)) {
                        /* PowerShell: U+2018..U+201B quote too; doubled, one literal */
                        if (ps_quote(line + 3)) {
                            spn_buf_add(&w, line + 3, 3);
                            line += 6;
                            continue;
                        }
                        return -1;      /* it would close the string: not ours */
                    }
                    spn_buf_add(&w, line++, 1);
                }
            }
            else if (where == SPN_FIX_SERVER && line[0] == '\\' && line[1] == '\'') {
                spn_buf_add(&w, "'", 1);    /* '\'' : close, a quoted quote, reopen */
                line += 2;
            }
            else {
                if (strchr(meta, *line))
                    return -1;
                spn_buf_add(&w, line++, 1);
            }
        }
        out[n++] = w.s ? w.s : "";
    }
    return n;
}

/* The step's rendered line (text renderer, one step alone) read back. */
static int reads_back(const spn_fix_step_t *s)
{
    spn_fix_t one;
    spn_buf_t b;
    const char *words[SPN_FIX_ARGS + 2], *line, *nl;
    int n, k;

    memset(&one, 0, sizeof one);
    one.steps[0] = *s;
    one.steps[0].why = NULL;
    one.n_steps = 1;
    spn_buf_init(&b, pool, 256);
    spn_fix_text(&b, &one, "");
    line = strchr(b.s, '\n') + 1;            /* after the place's heading */
    while (*line == ' ')
        line++;
    nl = strchr(line, '\n');
    line = apr_pstrmemdup(pool, line, (apr_size_t)(nl - line));
    n = shell_words(s->where, line, words, SPN_FIX_ARGS + 2);
    if (n != s->argc)
        return 0;
    for (k = 0; k < n; k++)
        if (strcmp(words[k], s->argv[k]) != 0)
            return 0;
    return 1;
}

static void fix_of(int audience, spn_fix_t *fx)
{
    spn_fix_build(pool, &d, &svc, audience, fx);
}

/* Some step's argv is exactly the list (NULL-terminated). */
static int has_step(const spn_fix_t *fx, ...)
{
    int i;
    for (i = 0; i < fx->n_steps; i++) {
        va_list ap;
        const char *a;
        int k = 0, same = 1;
        va_start(ap, fx);
        while ((a = va_arg(ap, const char *)) != NULL) {
            if (k >= fx->steps[i].argc || strcmp(a, fx->steps[i].argv[k]) != 0)
                same = 0;
            k++;
        }
        va_end(ap);
        if (same && k == fx->steps[i].argc)
            return 1;
    }
    return 0;
}

/* Some step names s anywhere (argv or why). */
static int mentions(const spn_fix_t *fx, const char *s)
{
    int i, k;
    for (i = 0; i < fx->n_steps; i++) {
        if (fx->steps[i].why && strstr(fx->steps[i].why, s))
            return 1;
        for (k = 0; k < fx->steps[i].argc; k++)
            if (strstr(fx->steps[i].argv[k], s))
                return 1;
    }
    return 0;
}

static const spn_fix_step_t *step_of(const spn_fix_t *fx, const char *prog)
{
    int i;
    for (i = 0; i < fx->n_steps; i++)
        if (strcmp(fx->steps[i].argv[0], prog) == 0)
            return &fx->steps[i];
    return NULL;
}

static int noted(const spn_fix_t *fx, const char *s)
{
    int i;
    for (i = 0; i < fx->n_notes; i++)
        if (strstr(fx->notes[i], s))
            return 1;
    return 0;
}

/* ---- grammars ------------------------------------------------------------- */

static void grammars(void)
{
    static const char *good_spn[] = { "HTTP/web01", "HTTP/web01.contoso.test",
        "HTTP/web01.contoso.test:8443", "MSSQLSvc/sql01.contoso.test:1433",
        "ldap/dc1.contoso.test/contoso.test", "HTTP/a-b.c" };
    static const char *bad_spn[] = { "HTTP/", "/web01", "HTTP/web01\nnet user x", "HTTP/-x",
        "HTTP/x-", "HTTP/a..b", "HTTP/web 01", "HTTP/web01:0", "HTTP/web01:65536",
        "HTTP/web01:", "HTTP/we'b", "1TTP/web01", "HTTP/x$(iex)", "HTTP/web01/",
        "HTTP/\xc3\xa9t\xc3\xa9" };
    static const char *good_acct[] = { "CONTOSO\\svc-web", "CONTOSO\\WEB01$", HOSTILE,
        "CONTOSO\\o'brien", "CONTOSO\\m\xc3\xbcller", "A\\b" };
    static const char *bad_acct[] = { "svc-web", "\\svc", "CONTOSO\\", "CONTOSO\\a\nb",
        "CONTOSO\\a\"b", "CONTOSO\\a/b", "CONTOSO\\a[b", "CONTOSO\\a|b", "CONTOSO\\a*b",
        "CONTOSO\\...", "CONTOSO\\ x", "CON TOSO\\x", "TOOLONGDOMAINNAME\\x",
        "CONTOSO\\a\xe2\x80\x99" "b", "CONTOSO\\a\xe2\x80\xae" "b", "CONTOSO\\a\xc2\x85" "b",
        "CONTOSO\\a\xff", "CONTOSO\\a\xef\xbc\x82" "b" /* U+FF02 fullwidth quote */,
        "CONTOSO\\a\xef\xbc\xbc" "b" /* U+FF3C fullwidth backslash */, "CONTOSO\\a\xc2\xad" "b",
        "CONTOSO\\a\xd8\x9c" "b" /* U+061C */, "CONTOSO\\a\xc2\xa5" "b" /* yen */ };
    size_t i;

    for (i = 0; i < sizeof good_spn / sizeof *good_spn; i++)
        ok(spn_fix_spn_ok(good_spn[i]), "SPN grammar: %s", good_spn[i]);
    for (i = 0; i < sizeof bad_spn / sizeof *bad_spn; i++)
        ok(!spn_fix_spn_ok(bad_spn[i]), "SPN grammar refuses bad #%zu", i);
    for (i = 0; i < sizeof good_acct / sizeof *good_acct; i++)
        ok(spn_fix_account_ok(good_acct[i]), "account grammar: #%zu", i);
    for (i = 0; i < sizeof bad_acct / sizeof *bad_acct; i++)
        ok(!spn_fix_account_ok(bad_acct[i]), "account grammar refuses bad #%zu", i);
    ok(spn_fix_host_ok("a", 1) && spn_fix_host_ok(rep('a', 63), 63) && !spn_fix_host_ok(rep('a', 64), 64),
       "RFC 1123: labels of 1..63");
    {
        char h[300];
        memset(h, 'a', sizeof h);
        for (i = 63; i < sizeof h; i += 64)
            h[i] = '.';
        ok(spn_fix_host_ok(h, 253) && !spn_fix_host_ok(h, 254) == (h[253] != '.'),
           "RFC 1123: 253 bytes at most");
        ok(!spn_fix_host_ok(h, 255), "RFC 1123: 255 refused");
    }
    ok(!spn_fix_real_host("localhost", 9) && !spn_fix_real_host("127.0.0.1", 9) &&
       !spn_fix_real_host("localhost.localdomain", 21) && spn_fix_real_host("web01", 5) &&
       spn_fix_real_host("localhostx", 10), "real hosts: no localhost, no IP address");
}

/* ---- quoting ---------------------------------------------------------------------- */

static void quoting(void)
{
    static const char *vals[] = { "plain", "CONTOSO\\svc-web", HOSTILE, "it's", "a b",
        "$(x)", "`x", "\xe2\x80\x98q\xe2\x80\x99", "" };
    size_t i;

    for (i = 0; i < sizeof vals / sizeof *vals; i++) {
        spn_fix_step_t s;
        memset(&s, 0, sizeof s);
        s.argc = 2;
        s.argv[0] = "prog";
        s.argv[1] = vals[i];
        s.where = SPN_FIX_DC;
        ok(*vals[i] == 0 || reads_back(&s), "PowerShell reads back value #%zu", i);
        s.where = SPN_FIX_SERVER;
        ok(*vals[i] == 0 || reads_back(&s), "sh reads back value #%zu", i);
    }
    {
        spn_buf_t b;
        spn_buf_init(&b, pool, 64);
        spn_fix_quote(&b, SPN_FIX_DC, "\xe2\x80\x98", 1);
        is_str(b.s, "'\xe2\x80\x98\xe2\x80\x98'", "PowerShell: a typographic quote is doubled too");
    }
}

/* ---- injections (issue 18) --------------------------------------------------------- */

static const char *page_as(int audience)
{
    spn_buf_t b;
    spn_buf_init(&b, pool, 16384);
    spn_render_page_as(&b, &d, &svc, SPN_DETAIL_FULL, "REF", audience);
    return b.s;
}

/* Every line inside every <pre> of page p is a comment or a step of fx
 * (as the text renderer writes it, HTML-escaped), and no control byte. */
static int pre_is_fix(const char *p)
{
    const char *a = p;
    while ((a = strstr(a, "<pre class=\"fix\"")) != NULL) {
        const char *e = strstr(a, "</pre>"), *l = strchr(a, '>') + 1;
        if (!e)
            return 0;
        while (l < e) {
            const char *nl = memchr(l, '\n', (size_t)(e - l));
            size_t n = nl ? (size_t)(nl - l) : (size_t)(e - l), i;
            for (i = 0; i < n; i++)
                if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
                    return 0;
            if (n && strncmp(l, "# ", 2) != 0 && strncmp(l, "setspn ", 7) != 0 &&
                strncmp(l, "ktpass ", 7) != 0 && strncmp(l, "klist ", 6) != 0 &&
                strncmp(l, "install ", 8) != 0 && strncmp(l, "apachectl ", 10) != 0 &&
                strncmp(l, "Get-AD", 6) != 0 && strncmp(l, "Set-AD", 6) != 0 &&
                strncmp(l, "C:\\Windows\\System32\\inetsrv\\appcmd.exe ", 39) != 0 &&
                strncmp(l, "iisreset", 8) != 0)
                return 0;
            l += n + 1;
        }
        a = e;
    }
    return 1;
}

static void injections(const diag_keys_t *k)
{
    static const char EVIL_SPN[] = "HTTP/web01.spncheck.test\nnet group \"Domain Admins\" eve /add /domain";
    spn_fix_t fx;
    tkt_t t;
    spn_dir_spn_t f;
    const char *pg;
    int i, kk, clean = 1;

    /* a forged AP-REQ whose sname carries a newline and a command */
    t = tk(EVIL_SPN, k->other, 2);
    diagnose(ap_req(&t), NULL);
    ok(strchr(d.sname, '\n') != NULL, "forged sname: the newline reached the diagnosis");
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    for (i = 0; i < fx.n_steps; i++)
        for (kk = 0; kk < fx.steps[i].argc; kk++)
            clean &= !strchr(fx.steps[i].argv[kk], '\n') && !strstr(fx.steps[i].argv[kk], "net group");
    ok(clean && !mentions(&fx, "Domain Admins"), "forged sname: in no step");
    ok(noted(&fx, "not a valid SPN"), "forged sname: a note says it was withheld");
    ok(has_step(&fx, "setspn", "-Q", "HTTP/web01.spncheck.test", NULL),
       "forged sname: the steps use the name the client connected to");
    pg = page_as(SPN_FIX_FOR_ADMIN);
    ok(pre_is_fix(pg), "forged sname: the ?ref= page's blocks hold only the fix");
    pg = page_as(SPN_FIX_FOR_USER);
    ok(pre_is_fix(pg), "forged sname: the user's page too");
    {
        spn_buf_t b;
        spn_buf_init(&b, pool, 4096);
        spn_render_text(&b, &d, &svc);
        ok(!strstr(b.s, "\nnet group"), "forged sname: the CLI text shows no line of its own");
    }

    /* NTLM's MsvAvTargetName names the SPN the same way (spn_diag.c) */
    diagnose("NTLM TlRMTVNTUAABAAAABoIIAA==", NULL);
    apr_cpystrn(d.sname, EVIL_SPN, sizeof d.sname);
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    ok(!mentions(&fx, "Domain Admins") && noted(&fx, "not a valid SPN") &&
       pre_is_fix(page_as(SPN_FIX_FOR_ADMIN)), "NTLM target with a newline: withheld, noted");

    /* a directory account a user can rename: quoted, exact in argv */
    t = tk(WEB01, k->other, 2);
    diagnose(ap_req(&t), NULL);
    f = dir_facts(WEB01, HOSTILE, SPN_DIR_KIND_COMPUTER, WEB01);
    spn_dir_refine(&d, svc.account, &f);
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    ok(has_step(&fx, "setspn", "-D", WEB01, HOSTILE, NULL), "hostile holder: argv holds it exactly");
    {
        const spn_fix_step_t *s = step_of(&fx, "setspn");
        int found = 0;
        for (i = 0; i < fx.n_steps; i++)
            if (fx.steps[i].argc == 4 && !strcmp(fx.steps[i].argv[3], HOSTILE)) {
                found = 1;
                ok(reads_back(&fx.steps[i]), "hostile holder: PowerShell reads the exact value back");
            }
        ok(found && s, "hostile holder: a setspn -D for it");
    }
    {
        spn_buf_t b;
        spn_buf_init(&b, pool, 4096);
        spn_fix_text(&b, &fx, "");
        ok(strstr(b.s, "setspn -D HTTP/web01.spncheck.test 'SPNCHECK\\w2&calc$(iex x)`$'\n") != NULL,
           "hostile holder: single-quoted in the block");
    }
    /* a holder that fails the grammar: left out, noted */
    t = tk(WEB01, k->other, 2);
    diagnose(ap_req(&t), NULL);
    f = dir_facts(WEB01, "SPNCHECK\\a\nrm -rf /", SPN_DIR_KIND_USER, WEB01);
    spn_dir_refine(&d, svc.account, &f);
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    ok(!mentions(&fx, "rm -rf") && noted(&fx, "directory gave is not"), "bad holder: withheld, noted");
}

/* ---- every cause: no placeholder, every step reads back ------------------------------ */

static void every_cause(const diag_keys_t *k)
{
    const char *saved = svc.account;
    int c, acct, bad = 0, unreadable = 0, steps = 0;
    tkt_t t;

    for (acct = 0; acct < 2; acct++) {
        svc.account = acct ? saved : NULL;
        for (c = 0; c < SPN_C_COUNT; c++) {
            spn_fix_t fx;
            int i, kk;
            t = tk(WEB01, k->other, 2);
            diagnose(ap_req(&t), NULL);
            d.cause = (spn_cause_t)c;
            fix_of(SPN_FIX_FOR_ADMIN, &fx);
            for (i = 0; i < fx.n_steps; i++) {
                steps++;
                for (kk = 0; kk < fx.steps[i].argc; kk++)
                    if (strchr(fx.steps[i].argv[kk], '<') || strstr(fx.steps[i].argv[kk], "DOMAIN\\") ||
                        strstr(fx.steps[i].argv[kk], "{"))
                        bad++;
                if (!reads_back(&fx.steps[i]))
                    unreadable++;
                if (fx.steps[i].why && (strchr(fx.steps[i].why, '{') || strchr(fx.steps[i].why, '<')))
                    bad++;
            }
            for (i = 0; i < fx.n_notes; i++)
                if (strchr(fx.notes[i], '{') || strstr(fx.notes[i], "<DOMAIN"))
                    bad++;
        }
    }
    svc.account = saved;
    ok(steps > 40 && bad == 0, "every cause, with and without an account: no placeholder (%d steps)", steps);
    is_int(unreadable, 0, "every step reads back exactly by its shell's rules");
}

/* ---- the names, IIS, the keytab step ------------------------------------------------- */

static void names_iis_keytab(const diag_keys_t *k)
{
    static const char *spns2[] = { WEB01 "@" REALM, "HTTP/web02.spncheck.test@" REALM };
    static const char *names[] = { "web01.spncheck.test", "web02.spncheck.test" };
    const char *const *spns1 = svc.spns;
    spn_observation_t obs;
    spn_fix_t fx;
    const spn_fix_step_t *s;
    tkt_t t;
    int i, any_web01 = 0;

    svc.spns = spns2;
    svc.n_spns = 2;
    svc.names = names;
    svc.n_names = 2;
    t = tk("HTTP/web02.spncheck.test", k->other, 7);
    diagnose(ap_req(&t), NULL);
    is_int(d.cause, SPN_C_SPN_WRONG_ACCOUNT, "web02: spn-wrong-account");
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(has_step(&fx, "setspn", "-S", "HTTP/WEB02", "SPNCHECK\\svc-web", NULL) &&
       has_step(&fx, "setspn", "-S", "HTTP/web02.spncheck.test", "SPNCHECK\\svc-web", NULL),
       "web02: both forms of web02 registered");
    for (i = 0; i < fx.n_steps; i++)
        any_web01 |= mentions(&fx, "web01") || mentions(&fx, "WEB01");
    ok(!any_web01, "web02: no step names web01");
    ok(!mentions(&fx, "appcmd"), "local failure: no IIS step");

    /* a ticket no key opens, without the directory: anyone can send one,
     * so no keytab export (nor password reset) on its word */
    ok(!step_of(&fx, "ktpass") && !step_of(&fx, "install") && noted(&fx, "does not prove the keytab stale"),
       "web02, no directory, ticket not opened: no keytab step, a note says why");
    {
        spn_dir_spn_t f = dir_facts("HTTP/web02.spncheck.test", "SPNCHECK\\other-svc", SPN_DIR_KIND_USER,
                                    "HTTP/web02.spncheck.test");
        spn_dir_refine(&d, svc.account, &f);
    }
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(has_step(&fx, "setspn", "-D", "HTTP/web02.spncheck.test", "SPNCHECK\\other-svc", NULL),
       "web02, the directory says other-svc holds it: setspn -D there");

    /* the keytab step: web02 is not in the keytab, the directory says so */
    s = step_of(&fx, "ktpass");
    ok(s && s->argc > 2 && !strcmp(s->argv[1], "-out") && !strcmp(s->argv[2], "http.keytab"),
       "ktpass -out: a bare file name");
    ok(s && strstr(s->why, "RESETS"), "ktpass without the account's kvno: says it resets the password");
    ok(noted(&fx, "-setpass"), "the form that keeps the password is offered");
    ok(has_step(&fx, "install", "-o", "root", "-m", "0640", "http.keytab", "/etc/apache2/http.keytab", NULL),
       "server step: install at the configured path (no group known: none given)");
    svc.group = "www-data";
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(has_step(&fx, "install", "-o", "root", "-g", "www-data", "-m", "0640", "http.keytab",
                "/etc/apache2/http.keytab", NULL), "server step: with httpd's group");
    ok(has_step(&fx, "apachectl", "-k", "graceful", NULL), "server step: reload httpd");
    svc.group = NULL;

    /* behind a proxy */
    memset(&obs, 0, sizeof obs);
    obs.authorization = ap_req(&t);
    obs.host = "web02.spncheck.test";
    obs.now = NOW;
    obs.proxied = 1;
    obs.backend_www = "Negotiate";
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(!mentions(&fx, "appcmd"), "proxied, backend not IIS: no IIS step");
    obs.backend_server = "Microsoft-IIS/10.0";
    spn_diagnose(pool, kctx, &svc, &obs, &d);
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(d.backend_iis && mentions(&fx, "/useAppPoolCredentials:true"), "proxied to IIS: the appcmd step");

    /* a forged ticket for another service's SPN, refined for the admin:
     * no step changes anything for it (review: the admin's fix would move
     * sharepoint's SPN onto this site's account) */
    t = tk("HTTP/sharepoint.spncheck.test", k->other, 7);
    diagnose(ap_req(&t), NULL);
    {
        spn_dir_spn_t f = dir_facts("HTTP/sharepoint.spncheck.test", "SPNCHECK\\svc-sp",
                                    SPN_DIR_KIND_USER, "HTTP/sharepoint.spncheck.test");
        spn_dir_refine(&d, svc.account, &f);
        d.cause = SPN_C_SPN_WRONG_ACCOUNT;
    }
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    ok(!mentions(&fx, "-D") && !mentions(&fx, "-S") && !step_of(&fx, "ktpass") &&
       !step_of(&fx, "install") && noted(&fx, "only for names this site answers to"),
       "another service's SPN, refined: the admin's fix changes nothing, a note says why");

    /* a name this site does not answer to: the admin is told what to add */
    t = tk("HTTP/web03.spncheck.test", k->other, 7);
    diagnose(ap_req(&t), NULL);
    is_int(d.cause, SPN_C_SPN_UNKNOWN, "web03: spn-unknown");
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    ok(noted(&fx, "ServerAlias web03.spncheck.test") && !mentions(&fx, "web03"),
       "web03, admin: the ServerAlias line, no command for it");
    fix_of(SPN_FIX_FOR_USER, &fx);
    ok(!noted(&fx, "ServerAlias web03") && !mentions(&fx, "web03"), "web03, user: neither");

    /* a wildcard ServerAlias makes no name ours for the fix (review): a
     * client invents evil.apps under *.apps and the directory's facts for
     * it would otherwise give setspn/ktpass steps; a literal alias still
     * does */
    {
        static const char *wild[] = { "web02.spncheck.test", "*.apps.spncheck.test",
                                      "web04.apps.spncheck.test" };
        static const char *const hosts[] = { "evil.apps.spncheck.test", "web04.apps.spncheck.test" };
        int h;
        svc.names = wild;
        svc.n_names = 3;
        for (h = 0; h < 2; h++) {
            const char *spn = spn_psprintf(pool, "HTTP/%s", hosts[h]);
            spn_dir_spn_t f = dir_facts(spn, "SPNCHECK\\svc-sp", SPN_DIR_KIND_USER, spn);
            t = tk(spn, k->other, 7);
            diagnose(ap_req(&t), NULL);
            spn_dir_refine(&d, svc.account, &f);
            d.cause = SPN_C_SPN_WRONG_ACCOUNT;
            fix_of(SPN_FIX_FOR_ADMIN, &fx);
            if (h == 0)
                ok(!mentions(&fx, "-D") && !mentions(&fx, "-S") && !step_of(&fx, "ktpass") &&
                   !step_of(&fx, "install") && noted(&fx, "only for names this site answers to"),
                   "a host only *.apps matches: the admin's fix changes nothing, a note says why");
            else
                ok(has_step(&fx, "setspn", "-D", spn, "SPNCHECK\\svc-sp", NULL) &&
                   has_step(&fx, "setspn", "-S", spn, "SPNCHECK\\svc-web", NULL),
                   "a literal ServerAlias beside the wildcard: ours, the steps are given");
        }
    }

    /* kvno-mismatch: the ticket's kvno is AD's: keep the password */
    svc.spns = spns1;
    svc.n_spns = 1;
    svc.names = NULL;
    svc.n_names = 0;
    t = tk(WEB01, k->web01, 5);
    diagnose(ap_req(&t), NULL);
    is_int(d.cause, SPN_C_KVNO_MISMATCH, "kvno 5 against the keytab's 2: kvno-mismatch");
    fix_of(SPN_FIX_FOR_ADMIN, &fx);
    s = step_of(&fx, "ktpass");
    ok(s && has_step(&fx, "ktpass", "-out", "http.keytab", "-princ", WEB01 "@" REALM, "-mapuser",
                     "SPNCHECK\\svc-web", "-crypto", "AES256-SHA1", "-ptype", "KRB5_NT_PRINCIPAL",
                     "-pass", "*", "-setpass", "-setupn", "-kvno", "5", NULL) &&
       !strstr(s->why, "RESETS"), "kvno-mismatch: the ktpass that keeps the password, AD's kvno");
    {
        spn_buf_t b;
        spn_buf_init(&b, pool, 4096);
        spn_render_text(&b, &d, &svc);
        ok(d.ticket.decrypted && !strstr(b.s, "password changed") && !strstr(b.s, "password (and so"),
           "kvno-mismatch that decrypts: the text does not say the password changed");
    }
}

/* ---- one answer: text, JSON and page from one fix -------------------------------------- */

/* The fix's steps, rendered as text lines, each found in text and (HTML-
 * escaped) in page; the JSON's steps equal fx's. */
static const char *agree(const char *what)
{
    spn_fix_t fx;
    spn_buf_t text, js, pg, line;
    spn_json_t w;
    json_t *root, *steps, *fix;
    json_error_t err;
    int i, k;

    spn_fix_build(pool, &d, &svc, SPN_FIX_FOR_ADMIN, &fx);
    spn_buf_init(&text, pool, 4096);
    spn_render_text(&text, &d, &svc);
    spn_buf_init(&pg, pool, 16384);
    spn_render_page_as(&pg, &d, &svc, SPN_DETAIL_FULL, "REF", SPN_FIX_FOR_ADMIN);
    spn_buf_init(&js, pool, 8192);
    spn_json_init(&w, &js);
    spn_diag_json(&w, &d, &svc);
    if (json_check(js.s, js.len))
        return "JSON does not parse";
    if (!strstr(text.s, apr_pstrcat(pool, "cause: ", spn_cause_code(d.cause), ":", NULL)) ||
        !strstr(pg.s, apr_pstrcat(pool, "content=\"", spn_cause_code(d.cause), "\"", NULL)) ||
        !strstr(js.s, apr_pstrcat(pool, "\"cause\":\"", spn_cause_code(d.cause), "\"", NULL)))
        return "the cause differs";
    root = json_loadb(js.s, js.len, 0, &err);
    fix = root ? json_object_get(root, "fix") : NULL;
    steps = fix ? json_object_get(fix, "steps") : NULL;
    if (!steps || (int)json_array_size(steps) != fx.n_steps ||
        (int)json_array_size(json_object_get(fix, "notes")) != fx.n_notes)
        return "the JSON fix differs";
    for (i = 0; i < fx.n_steps; i++) {
        json_t *st = json_array_get(steps, (size_t)i), *argv = json_object_get(st, "argv");
        spn_fix_t one;
        spn_buf_t h;
        if ((int)json_array_size(argv) != fx.steps[i].argc)
            return "a JSON step's argv differs";
        for (k = 0; k < fx.steps[i].argc; k++)
            if (strcmp(json_string_value(json_array_get(argv, (size_t)k)), fx.steps[i].argv[k]))
                return "a JSON argument differs";
        memset(&one, 0, sizeof one);
        one.steps[0] = fx.steps[i];
        one.steps[0].why = NULL;
        one.n_steps = 1;
        spn_buf_init(&line, pool, 256);
        spn_fix_text(&line, &one, "");
        {
            const char *l = strchr(line.s, '\n') + 1;
            while (*l == ' ')
                l++;
            if (!strstr(text.s, l))
                return "a step is missing from the text";
            spn_buf_init(&h, pool, 256);
            spn_buf_html(&h, l, strlen(l));
            if (!strstr(pg.s, h.s))
                return "a step is missing from the page";
        }
    }
    json_decref(root);
    (void)what;
    return NULL;
}

static void one_answer(const diag_keys_t *k)
{
    vec_t v[256];
    int n, i, checked = 0;
    const char *why, *bad = NULL;
    tkt_t tickets[6];

    n = load_dir(vectors_dir(), 0, v, 256);
    if (n < 0)
        diag("../shared/vectors is absent: the vector cases are skipped");
    for (i = 0; i < n; i++) {
        char *auth = apr_palloc(pool, spn_b64_encoded_len(v[i].len) + 12);
        spn_b64_encode(v[i].data, v[i].len, auth + sprintf(auth, "Negotiate "));
        diagnose(auth, NULL);
        if ((why = agree(v[i].name)) != NULL && !bad)
            bad = apr_pstrcat(pool, v[i].name, ": ", why, NULL);
        checked++;
    }
    tickets[0] = tk(WEB01, k->other, 2);
    tickets[1] = tk(WEB01, k->web01, 5);
    tickets[2] = tk(WEB01, k->rnd128, 2);
    tickets[3] = tk(ALIAS, k->alias, 5);
    tickets[4] = tk("HTTP/web09.spncheck.test", k->other, 2);
    tickets[5] = tk(WEB01, k->web01, 2);
    for (i = 0; i < 6; i++) {
        diagnose(ap_req(&tickets[i]), NULL);
        if ((why = agree("ticket")) != NULL && !bad)
            bad = apr_pstrcat(pool, "ticket ", apr_itoa(pool, i), ": ", why, NULL);
        checked++;
    }
    ok(bad == NULL && checked >= 6, "one answer: text, JSON and page agree for %d vectors and tickets%s%s",
       checked, bad ? ": " : "", bad ? bad : "");
}

/* ---- self-checks: DES fails, no command for localhost or an IP ---------------------------- */

static const spn_check_t *check(const spn_checks_t *r, const char *id)
{
    int i;
    for (i = 0; i < r->n; i++)
        if (!strcmp(r->c[i].id, id))
            return &r->c[i];
    return NULL;
}

static void selfchecks(void)
{
    static const char *spns[] = { "HTTP/localhost@" REALM, "HTTP/127.0.0.1@" REALM, WEB01 "@" REALM };
    static const char *names[] = { "localhost", "127.0.0.1", "www.spncheck.test" };
    spn_kt_entry_t e[2];
    spn_keytab_t kt;
    spn_service_t s;
    spn_checks_t r;
    const spn_check_t *c;
    int i, bad = 0;

    memset(e, 0, sizeof e);
    memset(&kt, 0, sizeof kt);
    memset(&s, 0, sizeof s);
    e[0].principal = WEB01 "@" REALM;
    e[0].name = WEB01;
    e[0].realm = REALM;
    e[0].kvno = 2;
    e[0].enctype = AES256;
    e[1] = e[0];
    e[1].enctype = ENCTYPE_DES_CBC_MD5;
    kt.path = "/etc/apache2/http.keytab";
    kt.n = 2;
    kt.e = e;
    s.keytab = &kt;
    s.spns = spns;
    s.n_spns = 3;
    spn_selfcheck(pool, &s, names, 3, &r);
    c = check(&r, "strong-enctypes");
    ok(c && c->state == SPN_CHECK_FAIL && strstr(c->message, "DES"), "strong-enctypes: a DES key fails, AES beside it or not");
    for (i = 0; i < r.n; i++)
        if (r.c[i].remedy && (strstr(r.c[i].remedy, "localhost") || strstr(r.c[i].remedy, "127.0.0.1") ||
                              strstr(r.c[i].remedy, "DOMAIN\\") || strchr(r.c[i].remedy, '<')))
        {
            bad++;
            diag("%s: %s", r.c[i].id, r.c[i].remedy);
        }
    ok(bad == 0, "self-checks: no command for localhost or an IP, no placeholder account");
    c = check(&r, "names-covered");
    ok(c && c->state == SPN_CHECK_WARN && strstr(c->message, "www.spncheck.test") &&
       !strstr(c->message, "localhost"), "names-covered: the real name only");
    s.account = HOSTILE;
    spn_selfcheck(pool, &s, names, 3, &r);
    c = check(&r, "names-covered");
    ok(c && c->remedy && strstr(c->remedy, "setspn -S HTTP/www.spncheck.test 'SPNCHECK\\w2&calc$(iex x)`$'"),
       "names-covered: the account quoted for PowerShell");
    e[1].enctype = ENCTYPE_ARCFOUR_HMAC;
    e[0].enctype = ENCTYPE_ARCFOUR_HMAC;
    spn_selfcheck(pool, &s, names, 3, &r);
    c = check(&r, "strong-enctypes");
    ok(c && c->state == SPN_CHECK_WARN && strstr(c->remedy, "CVE-2026-20833"),
       "strong-enctypes: RC4 only warns, naming Microsoft's 2026 RC4 removal");
    {   /* two SPNs missing: `setspn -Q` takes an SPN without its realm, each of them */
        static const char *two[] = { "HTTP/app1.spncheck.test@" REALM, "HTTP/APP1@" REALM };
        s.spns = two;
        s.n_spns = 2;
        spn_selfcheck(pool, &s, names, 3, &r);
        c = check(&r, "spn-in-keytab");
        ok(c && c->state == SPN_CHECK_FAIL && c->remedy &&
           strstr(c->remedy, "HTTP/app1.spncheck.test, HTTP/APP1 (setspn -Q)") &&
           !strchr(c->remedy, '@'), "spn-in-keytab: every missing SPN's setspn -Q name without its realm");
    }
}

int main(int argc, const char *const *argv)
{
    diag_keys_t k;

    diag_setup(&argc, &argv, &k);
    memcpy(&kt_copy, svc.keytab, sizeof kt_copy);
    kt_copy.path = "/etc/apache2/http.keytab";
    svc.keytab = &kt_copy;
    grammars();
    quoting();
    injections(&k);
    every_cause(&k);
    names_iis_keytab(&k);
    one_answer(&k);
    selfchecks();
    return diag_done(&k);
}

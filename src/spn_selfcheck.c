/* spn_selfcheck.c: what can be checked about a service before any user
 * fails: the keytab against the configured SPNs and the host's names.
 * Shared by the status page and `spncheck keytab`. */
#include "spn_names.h"
#include "spn_selfcheck.h"
#include "spn_fix.h"

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *state_names[] = { "pass", "warn", "fail" };

const char *spn_check_state_name(int s)
{
    return s >= SPN_CHECK_PASS && s <= SPN_CHECK_FAIL ? state_names[s] : "?";
}

/* The SPN without its realm. */
static const char *bare(apr_pool_t *p, const char *spn)
{
    const char *at = strrchr(spn, '@');
    return at ? apr_pstrmemdup(p, spn, (apr_size_t)(at - spn)) : spn;
}

/* The host part of "SERVICE/host[:port][@REALM]". */
static const char *host_of(apr_pool_t *p, const char *spn)
{
    const char *s = strchr(spn, '/');
    if (!s)
        return "";
    s++;
    return apr_pstrmemdup(p, s, strcspn(s, ":@/"));
}

static int strong(int etype)
{
    return etype == ENCTYPE_AES128_CTS_HMAC_SHA1_96 || etype == ENCTYPE_AES256_CTS_HMAC_SHA1_96 ||
           etype == ENCTYPE_AES128_CTS_HMAC_SHA256_128 || etype == ENCTYPE_AES256_CTS_HMAC_SHA384_192;
}

static void add(spn_checks_t *r, const char *id, int state, const char *msg, const char *remedy)
{
    if (r->n < SPN_CHECK_MAX) {
        r->c[r->n].id = id;
        r->c[r->n].state = state;
        r->c[r->n].message = msg;
        r->c[r->n].remedy = remedy;
        r->n++;
    }
    if (state > r->worst)
        r->worst = state;
}

/* "setspn -S SPN ACCOUNT", quoted for PowerShell, when the account is
 * configured and valid; else what to do, in words (no placeholder). */
static const char *setspn_s(apr_pool_t *p, const char *spn, const spn_service_t *svc)
{
    spn_buf_t b;

    if (!spn_fix_account_ok(svc->account) || !spn_fix_spn_ok(spn))
        return spn_psprintf(p, "register %s on the account the service runs as (setspn -S; "
                            "SPNCheckServiceAccount names it here)", spn);
    spn_buf_init(&b, p, 96);
    spn_buf_puts(&b, "setspn -S ");
    spn_fix_quote(&b, SPN_FIX_DC, spn, 0);
    spn_buf_puts(&b, " ");
    spn_fix_quote(&b, SPN_FIX_DC, svc->account, 0);
    return b.s;
}


/* The host part of SPN or name h is a real DNS name (not localhost, not an
 * IP address): only those get a setspn command. */
static int real_host(const char *h)
{
    const char *sl = strchr(h, '/');
    if (sl)
        h = sl + 1;
    return spn_fix_real_host(h, strcspn(h, ":/@"));
}

/* How a missing or empty keytab is made (the remedy ends with where). */
#define EXPORT_KEYS "export the service account's keys for each configured SPN (ktpass -out, on " \
                    "Windows: it resets the account's password unless -setpass; or samba-tool " \
                    "domain exportkeytab) and install the file"

static void check_keytab(apr_pool_t *p, const spn_service_t *svc, spn_checks_t *r)
{
    const spn_keytab_t *kt = svc->keytab;

    if (!kt)
        add(r, "keytab-readable", SPN_CHECK_FAIL, "no SPNCheckKeytab configured",
            "SPNCheckKeytab /etc/apache2/http.keytab");
    else if (kt->status != 0 && kt->why == SPN_KT_MISSING)
        add(r, "keytab-readable", SPN_CHECK_FAIL,
            spn_psprintf(p, "%s does not exist", kt->path),
            "point SPNCheckKeytab at the keytab that exists (the one GssapiCredStore names), or "
            EXPORT_KEYS " at this path");
    else if (kt->status != 0 && kt->why == SPN_KT_EMPTY_FILE)
        add(r, "keytab-readable", SPN_CHECK_FAIL,
            spn_psprintf(p, "%s is an empty file (0 bytes): no keys", kt->path),
            EXPORT_KEYS " here");
    else if (kt->status != 0 && kt->why == SPN_KT_NOT_KEYTAB)
        add(r, "keytab-readable", SPN_CHECK_FAIL,
            spn_psprintf(p, "%s is not a keytab: %s", kt->path, kt->error),
            "name the keytab file in SPNCheckKeytab (klist -k FILE lists a keytab's entries)");
    else if (kt->status != 0 && kt->why == SPN_KT_DENIED)
        add(r, "keytab-readable", SPN_CHECK_FAIL,
            spn_psprintf(p, "%s exists but may not be read by this process: %s", kt->path,
                         kt->error),
            "chmod 0640 the keytab and chgrp it to the group httpd runs as (and let it "
            "search the directories above it)");
    else if (kt->status != 0)
        add(r, "keytab-readable", SPN_CHECK_FAIL,
            spn_psprintf(p, "%s cannot be read: %s", kt->path, kt->error),
            "klist -k the keytab as the user httpd runs as, and compare its owner and mode");
    else if (kt->n == 0)
        add(r, "keytab-readable", SPN_CHECK_FAIL, spn_psprintf(p, "%s holds no keys", kt->path),
            EXPORT_KEYS " here");
    else
        add(r, "keytab-readable", SPN_CHECK_PASS,
            spn_psprintf(p, "%s: %d keys", kt->path, kt->n), NULL);
}

static void check_spns_held(apr_pool_t *p, const spn_service_t *svc, spn_checks_t *r)
{
    const spn_keytab_t *kt = svc->keytab;
    const char *missing = NULL, *missing_bare = NULL, *fake = NULL;
    int i, j;

    if (!svc->n_spns) {
        add(r, "spn-in-keytab", SPN_CHECK_WARN, "no SPNCheckServicePrincipal configured",
            "SPNCheckServicePrincipal HTTP/host.example.com@EXAMPLE.COM");
        return;
    }
    if (!kt || kt->status != 0)
        return;
    for (i = 0; i < svc->n_spns; i++) {
        const char *b = bare(p, svc->spns[i]);
        int found = 0;
        if (!real_host(svc->spns[i])) {     /* no client asks a ticket for it */
            fake = fake ? apr_pstrcat(p, fake, ", ", svc->spns[i], NULL) : svc->spns[i];
            continue;
        }
        for (j = 0; j < kt->n && !found; j++)
            found = strcasecmp(kt->e[j].name, b) == 0;
        if (!found) {   /* setspn -Q takes each SPN without its realm */
            missing = missing ? apr_pstrcat(p, missing, ", ", svc->spns[i], NULL) : svc->spns[i];
            missing_bare = missing_bare ? apr_pstrcat(p, missing_bare, ", ", b, NULL) : b;
        }
    }
    if (fake && !missing)
        add(r, "spn-in-keytab", SPN_CHECK_WARN,
            spn_psprintf(p, "not a DNS host name (localhost, an IP address): %s; no client asks "
                         "a ticket for it", fake),
            "name the site's DNS names in SPNCheckServicePrincipal instead");
    else if (missing)
        add(r, "spn-in-keytab", SPN_CHECK_FAIL,
            spn_psprintf(p, "not in the keytab: %s", missing),
            spn_psprintf(p, "find who holds %s (setspn -Q), then export that account's keys "
                         "for it into the keytab", missing_bare));
    else
        add(r, "spn-in-keytab", SPN_CHECK_PASS, "every configured SPN is in the keytab", NULL);
}

/* The KB's "More Information": both HTTP/NETBIOS and HTTP/fqdn. */
static void check_both_forms(apr_pool_t *p, const spn_service_t *svc, spn_checks_t *r)
{
    const char *need = NULL;
    int i, j;

    for (i = 0; i < svc->n_spns; i++) {
        const char *h = host_of(p, svc->spns[i]);
        const char *dot = strchr(h, '.');
        char nb[64];
        size_t k;
        int have = 0;
        if (!dot || !real_host(h))
            continue;
        for (k = 0; h + k < dot && k + 1 < sizeof(nb); k++)
            nb[k] = (char)toupper((unsigned char)h[k]);
        nb[k] = '\0';
        if (svc->netbios && *svc->netbios)
            apr_cpystrn(nb, svc->netbios, sizeof(nb));
        for (j = 0; j < svc->n_spns && !have; j++)
            have = strcasecmp(host_of(p, svc->spns[j]), nb) == 0;
        if (!have)
            need = spn_psprintf(p, "%s%sHTTP/%s", need ? need : "", need ? ", " : "", nb);
    }
    if (need)
        add(r, "both-forms", SPN_CHECK_WARN,
            spn_psprintf(p, "the NetBIOS form is not configured: %s (clients that use the "
                         "short name ask for it)", need),
            spn_psprintf(p, "%s, and add it to SPNCheckServicePrincipal",
                         setspn_s(p, strchr(need, ',') ? apr_pstrmemdup(p, need, strcspn(need, ","))
                                                       : need, svc)));
    else if (svc->n_spns)
        add(r, "both-forms", SPN_CHECK_PASS, "NetBIOS and FQDN forms both configured", NULL);
}

static void check_enctypes(const spn_service_t *svc, spn_checks_t *r)
{
    const spn_keytab_t *kt = svc->keytab;
    int i, any_strong = 0, any_rc4 = 0, any_des = 0;

    if (!kt || kt->status != 0 || kt->n == 0)
        return;
    for (i = 0; i < kt->n; i++) {
        int e = kt->e[i].enctype;
        any_strong |= strong(e);
        any_rc4 |= e == ENCTYPE_ARCFOUR_HMAC || e == ENCTYPE_ARCFOUR_HMAC_EXP;
        any_des |= e == ENCTYPE_DES_CBC_CRC || e == ENCTYPE_DES_CBC_MD4 || e == ENCTYPE_DES_CBC_MD5 ||
                   e == ENCTYPE_DES_CBC_RAW || e == ENCTYPE_DES3_CBC_SHA1 || e == ENCTYPE_DES3_CBC_RAW;
    }
    if (any_des)
        add(r, "strong-enctypes", SPN_CHECK_FAIL,
            "DES keys in the keytab: Windows has not issued DES tickets since Windows 7 / "
            "Server 2008 R2, and MIT Kerberos refuses them (allow_weak_crypto)",
            "export the keytab again with AES keys only (ktpass -crypto AES256-SHA1), and "
            "clear USE_DES_KEY_ONLY on the account");
    else if (any_strong)
        add(r, "strong-enctypes", SPN_CHECK_PASS, "AES keys present", NULL);
    else
        add(r, "strong-enctypes", any_rc4 ? SPN_CHECK_WARN : SPN_CHECK_FAIL,
            any_rc4 ? "RC4 keys only: AES-only domains and clients will fail"
                    : "DES or unknown keys only: modern clients cannot use them",
            any_rc4 ? "allow AES on the service account (msDS-SupportedEncryptionTypes; "
                      "Microsoft removes RC4 in 2026: CVE-2026-20833, KB5073381), change its "
                      "password, and export the keytab again with -crypto AES256-SHA1"
                    : "allow AES on the service account, change its password, and export the "
                      "keytab again with -crypto AES256-SHA1");
}

/* ServerName / ServerAlias: each should be covered by an SPN. */
static void check_names(apr_pool_t *p, const spn_service_t *svc,
                        const char *const *names, int n_names, spn_checks_t *r)
{
    const char *uncovered = NULL;
    int i, j;

    for (i = 0; i < n_names; i++) {
        int ok = 0;
        if (!names[i] || !*names[i] || strchr(names[i], '*') || strchr(names[i], '?') ||
            !real_host(names[i]))
            continue;
        for (j = 0; j < svc->n_spns && !ok; j++)
            ok = strcasecmp(host_of(p, svc->spns[j]), names[i]) == 0;
        if (!ok)
            uncovered = spn_psprintf(p, "%s%s%s", uncovered ? uncovered : "",
                                     uncovered ? ", " : "", names[i]);
    }
    if (uncovered)
        add(r, "names-covered", SPN_CHECK_WARN,
            spn_psprintf(p, "no SPN for the server name(s) %s: clients using them get no "
                         "Kerberos ticket (NTLM fallback)", uncovered),
            setspn_s(p, spn_psprintf(p, "HTTP/%.*s", (int)strcspn(uncovered, ","), uncovered),
                     svc));
    else if (n_names)
        add(r, "names-covered", SPN_CHECK_PASS, "ServerName and ServerAlias covered by SPNs",
            NULL);
}

/* The newest kvno of each principal should be present for every enctype
 * it has: a mix means the keytab was merged from different exports. */
static void check_kvno(apr_pool_t *p, const spn_service_t *svc, spn_checks_t *r)
{
    const spn_keytab_t *kt = svc->keytab;
    const char *bad = NULL;
    int i, j;

    if (!kt || kt->status != 0 || kt->n == 0)
        return;
    for (i = 0; i < kt->n; i++) {
        int newest = kt->e[i].kvno, et_newest = -1, seen = 0;
        for (j = 0; j < kt->n; j++)
            if (strcmp(kt->e[j].principal, kt->e[i].principal) == 0 && kt->e[j].kvno > newest)
                newest = kt->e[j].kvno;
        for (j = 0; j < kt->n; j++) {
            if (strcmp(kt->e[j].principal, kt->e[i].principal) != 0 ||
                kt->e[j].enctype != kt->e[i].enctype)
                continue;
            if (j < i) { seen = 1; break; }       /* judged already */
            if (kt->e[j].kvno > et_newest)
                et_newest = kt->e[j].kvno;
        }
        if (!seen && et_newest != newest && (!bad || !strstr(bad, kt->e[i].principal)))
            bad = spn_psprintf(p, "%s%s%s %s at kvno %d, newest %d", bad ? bad : "",
                               bad ? "; " : "", kt->e[i].principal,
                               spn_etype_name(kt->e[i].enctype), et_newest, newest);
    }
    if (bad)
        add(r, "kvno-consistent", SPN_CHECK_WARN,
            spn_psprintf(p, "kvnos differ across enctypes: %s", bad),
            "export every enctype of the account again in one go (ktpass / msktutil --update)");
    else
        add(r, "kvno-consistent", SPN_CHECK_PASS, "one kvno across enctypes", NULL);
}

void spn_selfcheck(apr_pool_t *p, const spn_service_t *svc, const char *const *names,
                   int n_names, spn_checks_t *r)
{
    memset(r, 0, sizeof(*r));
    check_keytab(p, svc, r);
    check_spns_held(p, svc, r);
    check_both_forms(p, svc, r);
    check_enctypes(svc, r);
    check_names(p, svc, names, n_names, r);
    check_kvno(p, svc, r);
}

/* One mechglue configuration file: a line "name OID path [options]" for
 * NTLMSSP whose library exists.  Files are small; at most 64 KiB is read. */
static int mech_conf_ntlmssp(apr_pool_t *p, const char *path, char *so, size_t n)
{
    apr_file_t *f;
    char line[1024];
    int found = 0;

    if (apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p) != APR_SUCCESS)
        return 0;
    for (int lines = 0; !found && lines < 512 &&
                        apr_file_gets(line, sizeof(line), f) == APR_SUCCESS; lines++) {
        char name[256], oid[256], lib[768];
        apr_finfo_t fi;
        if (line[0] == '#' || sscanf(line, "%255s %255s %767s", name, oid, lib) != 3 ||
            name[0] == '#')
            continue;
        if (strcmp(oid, SPN_NTLMSSP_OID) != 0 && !strstr(name, "ntlmssp") &&
            !strstr(name, "NTLMSSP"))
            continue;
        if (lib[0] == '/' && apr_stat(&fi, lib, APR_FINFO_TYPE, p) != APR_SUCCESS)
            continue;                       /* registered, but not there: not loaded */
        apr_cpystrn(so, lib, n);
        found = 1;
    }
    apr_file_close(f);
    return found;
}

int spn_ntlmssp_installed(apr_pool_t *p, const char *mech_file, const char *mech_dir,
                          char *so, size_t n)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    int found = 0, seen = 0;

    if (mech_file && mech_conf_ntlmssp(p, mech_file, so, n))
        return 1;
    if (!mech_dir || apr_dir_open(&d, mech_dir, p) != APR_SUCCESS)
        return 0;
    while (!found && seen++ < 256 && apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        size_t l = fi.name ? strlen(fi.name) : 0;
        if (l < 6 || strcmp(fi.name + l - 5, ".conf") != 0 || fi.name[0] == '.')
            continue;                       /* the mechglue reads *.conf only */
        found = mech_conf_ntlmssp(p, apr_pstrcat(p, mech_dir, "/", fi.name, NULL), so, n);
    }
    apr_dir_close(d);
    return found;
}

int spn_mechs_admit_ntlmssp(const char *args)
{
    const char *s = args;

    while (s && *s) {
        size_t l;
        while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')
            s++;
        l = strcspn(s, " \t\"'");
        if ((l == 7 && strncasecmp(s, "ntlmssp", 7) == 0) ||
            (l == sizeof(SPN_NTLMSSP_OID) - 1 && strncmp(s, SPN_NTLMSSP_OID, l) == 0))
            return 1;
        s += l;
    }
    return 0;
}

void spn_selfcheck_ntlmssp(apr_pool_t *p, int state, const char *so, const char *where,
                           spn_checks_t *r)
{
    switch (state) {
    case SPN_NTLMSSP_ABSENT:
        add(r, "raw-ntlmssp", SPN_CHECK_PASS, "gss-ntlmssp is not installed", NULL);
        break;
    case SPN_NTLMSSP_KRB5:
        add(r, "raw-ntlmssp", SPN_CHECK_PASS,
            "GssapiAllowedMech keeps gss-ntlmssp away from mod_auth_gssapi here", NULL);
        break;
    case SPN_NTLMSSP_OPEN:
        add(r, "raw-ntlmssp", SPN_CHECK_WARN,
            spn_psprintf(p, "gss-ntlmssp is installed (%s) and no GssapiAllowedMech limits "
                         "mod_auth_gssapi to Kerberos %s%s%s (none in that section, its virtual "
                         "host or an enclosing <Location>; .htaccess is not read): a raw NTLMSSP "
                         "token under Negotiate crashes the httpd child (gss-ntlmssp 1.2.0)",
                         so && *so ? so : "registered in /etc/gss/mech.d",
                         where ? "in " : "here", where ? where : "", ""),
            spn_psprintf(p, "GssapiAllowedMech krb5   (in %s, next to AuthType GSSAPI)",
                         where ? where : "this location"));
        break;
    default:
        break;
    }
}

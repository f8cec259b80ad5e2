/* spn_client.c: the client of a tokenless 401, classified, and the
 * first-leg page that names its setting (spn_client.h). */
#include "spn_client.h"
#include "spn_fix.h"
#include "spn_render.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cl_names[SPN_CL_N] = {"chrome", "edge", "firefox", "safari", "curl",
                                               "other"};
static const char *const cl_titles[SPN_CL_N] = {"Chrome", "Edge", "Firefox", "Safari", "curl",
                                                "your browser"};
static const char *const os_names[SPN_OS_N] = {"windows", "macos", "linux", "other"};
static const char *const os_titles[SPN_OS_N] = {"Windows", "macOS", "Linux", ""};

const char *spn_client_name(int f) { return f >= 0 && f < SPN_CL_N ? cl_names[f] : "other"; }
const char *spn_os_name(int o) { return o >= 0 && o < SPN_OS_N ? os_names[o] : "other"; }
const char *spn_client_title(int f) { return f >= 0 && f < SPN_CL_N ? cl_titles[f] : cl_titles[SPN_CL_OTHER]; }
const char *spn_os_title(int o) { return o >= 0 && o < SPN_OS_N ? os_titles[o] : ""; }

/* needle (short, constant) in ua's first SPN_UA_MAX bytes: at most
 * SPN_UA_MAX * strlen(needle) comparisons. */
static int has(const char *ua, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (ua[i] == needle[0] && memcmp(ua + i, needle, k) == 0)
            return 1;
    return 0;
}

static size_t ua_len(const char *ua)
{
    const char *z = ua ? memchr(ua, '\0', SPN_UA_MAX) : NULL;
    return !ua ? 0 : z ? (size_t)(z - ua) : SPN_UA_MAX;
}

/* The order matters: Edge and Opera say "Chrome/" too, Chrome says
 * "Safari/", every browser says "Mozilla/". */
int spn_client_family(const char *ua)
{
    size_t n = ua_len(ua);

    if (!n)
        return SPN_CL_OTHER;
    if (n >= 5 && memcmp(ua, "curl/", 5) == 0)
        return SPN_CL_CURL;
    if (has(ua, n, "Edg/") || has(ua, n, "Edge/") || has(ua, n, "EdgA/") || has(ua, n, "EdgiOS/"))
        return SPN_CL_EDGE;
    if (has(ua, n, "OPR/") || has(ua, n, "Opera") || has(ua, n, "SamsungBrowser/") ||
        has(ua, n, "YaBrowser/") || has(ua, n, "Vivaldi/"))
        return SPN_CL_OTHER;              /* Chromium-based, policies of their own */
    if (has(ua, n, "Chrome/") || has(ua, n, "Chromium/") || has(ua, n, "CriOS/"))
        return SPN_CL_CHROME;             /* HeadlessChrome/ too */
    if (has(ua, n, "Firefox/") || has(ua, n, "FxiOS/"))
        return SPN_CL_FIREFOX;
    if (has(ua, n, "Safari/") && has(ua, n, "Version/"))
        return SPN_CL_SAFARI;
    return SPN_CL_OTHER;
}

int spn_client_os(const char *ua)
{
    size_t n = ua_len(ua);

    if (!n)
        return SPN_OS_OTHER;
    if (has(ua, n, "Windows"))
        return SPN_OS_WINDOWS;
    if (has(ua, n, "iPhone") || has(ua, n, "iPad") || has(ua, n, "Android") || has(ua, n, "CrOS"))
        return SPN_OS_OTHER;              /* (they say "Mac OS X" or "Linux" too) */
    if (has(ua, n, "Macintosh") || has(ua, n, "Mac OS X"))
        return SPN_OS_MACOS;
    if (has(ua, n, "Linux") || has(ua, n, "X11"))
        return SPN_OS_LINUX;
    return SPN_OS_OTHER;
}

/* ---- the host ------------------------------------------------------------------- */

static int ipv4(const char *s, size_t n)
{
    size_t i = 0;
    int parts = 0;

    while (i < n) {
        size_t d = 0;
        unsigned v = 0;
        while (i < n && isdigit((unsigned char)s[i]) && d < 4)
            v = v * 10 + (unsigned)(s[i++] - '0'), d++;
        if (!d || d > 3 || v > 255 || ++parts > 4)
            return 0;
        if (i < n && s[i++] != '.')
            return 0;
        if (i == n && s[n - 1] == '.')
            return 0;
    }
    return parts == 4;
}

static int ipv6(const char *s, size_t n)
{
    size_t i, colons = 0;

    if (n < 2 || n > 45)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] == ':')
            colons++;
        else if (!isxdigit((unsigned char)s[i]) && s[i] != '.')
            return 0;
    }
    return colons >= 2;
}

/* The host of a configured SPN "HTTP/host[:port][@REALM]" into out, its
 * realm into realm (when it has one and realm is empty). */
static int spn_host(const char *spn, char *out, size_t on, char *realm, size_t rn)
{
    const char *h, *at;
    size_t hn;

    if (!spn || strncasecmp(spn, "HTTP/", 5) != 0)
        return 0;
    h = spn + 5;
    hn = strcspn(h, ":/@");
    if (!spn_fix_real_host(h, hn) || hn >= on)
        return 0;
    if ((at = strchr(h, '@')) && !*realm && spn_fix_realm_ok(at + 1) && strlen(at + 1) < rn)
        apr_cpystrn(realm, at + 1, rn);
    memcpy(out, h, hn);
    out[hn] = '\0';
    return 1;
}

void spn_client_classify(const spn_client_obs_t *o, const spn_service_t *svc, spn_client_t *cl)
{
    const char *h = o->host ? o->host : "", *pe;
    size_t n = strnlen(h, 300), hn, i;
    int port = o->port;

    memset(cl, 0, sizeof(*cl));
    cl->family = spn_client_family(o->user_agent);
    cl->os = spn_client_os(o->user_agent);
    cl->tls = o->tls;
    cl->via = o->via;
    /* "[v6]:port", "name:port", "name" */
    if (n && h[0] == '[') {
        const char *e = memchr(h, ']', n);
        hn = e ? (size_t)(e - h - 1) : 0;
        pe = e ? e + 1 : h + n;
        if (e && ipv6(h + 1, hn) && hn < sizeof(cl->host)) {
            memcpy(cl->host, h + 1, hn);
            cl->form |= SPN_HF_IP;
        }
    }
    else {
        hn = strcspn(h, ":");
        hn = hn < n ? hn : n;
        pe = h + hn;
        if (hn && h[hn - 1] == '.')
            hn--;                          /* "web01.contoso.test." is the same name */
        if (ipv4(h, hn)) {
            memcpy(cl->host, h, hn);
            cl->form |= SPN_HF_IP;
        }
        else if (spn_fix_host_ok(h, hn) && hn < sizeof(cl->host)) {
            memcpy(cl->host, h, hn);
            cl->form |= memchr(h, '.', hn) ? SPN_HF_DOTTED : SPN_HF_SHORT;
        }
    }
    if (*pe == ':') {                      /* the port: 1..65535, digits only */
        size_t pn = strspn(pe + 1, "0123456789");
        port = pn && pn <= 5 && pe[1 + pn] == '\0' ? atoi(pe + 1) : -1;
        if (port < 1 || port > 65535)
            cl->form = 0;
    }
    else if (*pe)
        cl->form = 0;
    if (!cl->form) {
        cl->form = SPN_HF_BAD;
        cl->host[0] = '\0';
    }
    for (i = 0; cl->host[i]; i++)
        cl->host[i] = (char)tolower((unsigned char)cl->host[i]);
    cl->port = port > 0 ? port : o->tls ? 443 : 80;
    if (cl->port != (o->tls ? 443 : 80))
        cl->form |= SPN_HF_PORT;
    if (cl->host[0]) {
        int v6 = (cl->form & SPN_HF_IP) && strchr(cl->host, ':');
        char ps[16] = "";
        if (cl->form & SPN_HF_PORT)
            snprintf(ps, sizeof(ps), ":%d", cl->port);
        snprintf(cl->origin, sizeof(cl->origin), "%s://%s%s%s%s", o->tls ? "https" : "http",
                 v6 ? "[" : "", cl->host, v6 ? "]" : "", ps);
    }
    /* the configured SPNs' hosts: the first real one, and whether ours is one */
    if (svc) {
        int known = 0, any = 0;
        char tmp[256];
        for (i = 0; i < (size_t)svc->n_spns; i++) {
            if (!spn_host(svc->spns[i], tmp, sizeof(tmp), cl->realm, sizeof(cl->realm)))
                continue;
            any = 1;
            if (!cl->spn_host[0])
                apr_cpystrn(cl->spn_host, tmp, sizeof(cl->spn_host));
            if (cl->host[0] && strcasecmp(tmp, cl->host) == 0)
                known = 1;
        }
        if (any && !known)
            cl->form |= SPN_HF_UNKNOWN;
    }
}

/* ---- the settings ----------------------------------------------------------------- */

/* What to change, per client.  The first row whose family, OS and host
 * form match is the one.  {host} is the host asked for (or the configured
 * SPN's host for an IP literal), {scheme}, {origin}, {realm}.  Where each
 * fact comes from (checked December 2026):
 *  [chrome-allow] Chrome Enterprise policy list, AuthServerAllowlist:
 *    "Setting the policy specifies which servers should be allowed for
 *    integrated authentication ... Leaving the policy unset means Chrome
 *    tries to detect if a server is on the intranet (on Windows only)";
 *    comma-separated, wildcards allowed; Windows registry
 *    HKLM\SOFTWARE\Policies\Google\Chrome, Mac key AuthServerAllowlist.
 *    https://chromeenterprise.google/policies/#AuthServerAllowlist
 *  [chrome-linux] managed policy files: /etc/opt/chrome/policies/managed/
 *    (Google Chrome), /etc/chromium/policies/managed/ (Chromium), JSON.
 *    https://www.chromium.org/administrators/linux-quick-start/
 *  [chrome-mac] preference domain com.google.Chrome, managed through a
 *    configuration profile. https://www.chromium.org/administrators/mac-quick-start/
 *  [edge-allow] Edge AuthServerAllowlist: "If you don't configure this
 *    policy, Microsoft Edge tries to detect if a server is on the
 *    intranet"; registry SOFTWARE\Policies\Microsoft\Edge, Mac key
 *    AuthServerAllowlist (com.microsoft.Edge); Linux /etc/opt/edge/policies/managed/.
 *    https://learn.microsoft.com/deployedge/microsoft-edge-browser-policies/authserverallowlist
 *  [zone] Windows: automatic logon only in the Local intranet zone (the
 *    zone's default "Automatic logon only in Intranet zone"); a name with
 *    a dot is not matched by "Include all local (intranet) sites not
 *    listed in other zones"; the Group Policy "Site to Zone Assignment
 *    List" (Windows Components > Internet Explorer > Internet Control Panel
 *    > Security Page), value 1 = Local intranet.
 *    https://learn.microsoft.com/troubleshoot/developer/browsers/security-privacy/site-to-zone-assignment-list-policy
 *  [chrome-port] EnableAuthNegotiatePort: "the Kerberos SPN it generates
 *    will include a non-standard port" (off by default).
 *    https://chromeenterprise.google/policies/#EnableAuthNegotiatePort
 *  [private] AmbientAuthenticationInPrivateModesEnabled: unset = ambient
 *    authentication in regular sessions only (Chrome 81+, Edge).
 *    https://chromeenterprise.google/policies/#AmbientAuthenticationInPrivateModesEnabled
 *  [firefox] network.negotiate-auth.trusted-uris; the enterprise policy
 *    Authentication: {"SPNEGO": ["mydomain.com", ...]}, "AllowNonFQDN",
 *    "PrivateBrowsing" (network.auth.private-browsing-sso).
 *    https://mozilla.github.io/enterprise-admin-reference/reference/policies/authentication
 *    policies.json on Linux: /etc/firefox/policies/policies.json (Debian's
 *    firefox-esr: /etc/firefox-esr/policies/); elsewhere next to the
 *    executable in distribution/. https://github.com/mozilla/policy-templates
 *    Verified here: without trusted-uris Firefox ESR 153 logs "URI
 *    blocked" and sends no token (../shared/notes/firefox-negotiate.md).
 *  [safari] Safari on macOS answers Negotiate with the user's Kerberos
 *    credentials (Ticket Viewer, kinit; Kerberos SSO extension).
 *    https://support.apple.com/guide/deployment/kerberos-single-sign-on-extension-depe6a1cda64/web
 *  [curl] curl sends a token only with --negotiate, and needs -u : to
 *    turn authentication on without a password. https://curl.se/docs/manpage.html#--negotiate
 *  [ip] An SPN names a host: a client asks for HTTP/<the name in the
 *    address>; Windows does not ask for a ticket for an IP address unless
 *    TryIPSPN is set, and then the SPN must name the address.
 *    https://learn.microsoft.com/windows-server/security/kerberos/configuring-kerberos-over-ip */
typedef struct {
    int family, os;             /* -1: any */
    int forms;                  /* one of these host form bits, 0: any */
    const char *setting;        /* the setting's name (for the heading) */
    const char *why;            /* one sentence */
    const char *how;            /* the value, preformatted */
} setting_t;

static const setting_t settings[] = {
    /* [zone] [chrome-allow] [edge-allow]: a short name is intranet by default */
    {SPN_CL_CHROME, SPN_OS_WINDOWS, SPN_HF_SHORT, "the Local intranet zone",
     "Chrome on Windows signs in automatically only to sites in the Local intranet zone "
     "(or in the AuthServerAllowlist policy). A short name like {host} is intranet by "
     "default; check that the zone's \"Include all local (intranet) sites\" and \"Automatic "
     "logon only in Intranet zone\" are on, or list the site:",
     "Site to Zone Assignment List (Group Policy: Windows Components > Internet Explorer >\n"
     "Internet Control Panel > Security Page):   {scheme}://{host}   value 1\n"
     "or the Chrome policy AuthServerAllowlist (HKLM\\SOFTWARE\\Policies\\Google\\Chrome):\n"
     "  {host}"},
    {SPN_CL_EDGE, SPN_OS_WINDOWS, SPN_HF_SHORT, "the Local intranet zone",
     "Edge on Windows signs in automatically only to sites in the Local intranet zone (or in "
     "the AuthServerAllowlist policy). A short name like {host} is intranet by default; "
     "check that the zone's \"Include all local (intranet) sites\" and \"Automatic logon only "
     "in Intranet zone\" are on, or list the site:",
     "Site to Zone Assignment List (Group Policy: Windows Components > Internet Explorer >\n"
     "Internet Control Panel > Security Page):   {scheme}://{host}   value 1\n"
     "or the Edge policy AuthServerAllowlist (HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge):\n"
     "  {host}"},
    {SPN_CL_CHROME, SPN_OS_WINDOWS, 0, "the Local intranet zone or AuthServerAllowlist",
     "Chrome on Windows signs in automatically only to sites in the Local intranet zone (or in "
     "the AuthServerAllowlist policy). A name with a dot, like {host}, is in the Internet zone "
     "unless it is listed. Ask your administrator to add it:",
     "Site to Zone Assignment List (Group Policy: Windows Components > Internet Explorer >\n"
     "Internet Control Panel > Security Page):   {scheme}://{host}   value 1\n"
     "or the Chrome policy AuthServerAllowlist (HKLM\\SOFTWARE\\Policies\\Google\\Chrome):\n"
     "  {host}"},
    {SPN_CL_EDGE, SPN_OS_WINDOWS, 0, "the Local intranet zone or AuthServerAllowlist",
     "Edge on Windows signs in automatically only to sites in the Local intranet zone (or in "
     "the AuthServerAllowlist policy). A name with a dot, like {host}, is in the Internet zone "
     "unless it is listed. Ask your administrator to add it:",
     "Site to Zone Assignment List (Group Policy: Windows Components > Internet Explorer >\n"
     "Internet Control Panel > Security Page):   {scheme}://{host}   value 1\n"
     "or the Edge policy AuthServerAllowlist (HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge):\n"
     "  {host}"},
    /* [chrome-allow] [chrome-linux] */
    {SPN_CL_CHROME, SPN_OS_LINUX, 0, "AuthServerAllowlist",
     "Chrome on Linux signs in only to servers in its AuthServerAllowlist policy. Add {host} "
     "to it, then restart Chrome (chrome://policy shows it):",
     "/etc/opt/chrome/policies/managed/spnego.json\n"
     "  (Chromium: /etc/chromium/policies/managed/spnego.json)\n"
     "{ \"AuthServerAllowlist\": \"{host}\" }"},
    /* [chrome-allow] [chrome-mac] */
    {SPN_CL_CHROME, SPN_OS_MACOS, 0, "AuthServerAllowlist",
     "Chrome on macOS signs in only to servers in its AuthServerAllowlist policy. Add {host} "
     "to it (a configuration profile for com.google.Chrome), then restart Chrome:",
     "key AuthServerAllowlist = {host}   (domain com.google.Chrome)\n"
     "to try it: defaults write com.google.Chrome AuthServerAllowlist \"{host}\""},
    {SPN_CL_CHROME, -1, 0, "AuthServerAllowlist",
     "Chrome signs in only to servers in its AuthServerAllowlist policy. Ask your "
     "administrator to add {host}:",
     "AuthServerAllowlist = {host}"},
    /* [edge-allow] */
    {SPN_CL_EDGE, SPN_OS_LINUX, 0, "AuthServerAllowlist",
     "Edge on Linux signs in only to servers in its AuthServerAllowlist policy. Add {host} to "
     "it, then restart Edge (edge://policy shows it):",
     "/etc/opt/edge/policies/managed/spnego.json\n"
     "{ \"AuthServerAllowlist\": \"{host}\" }"},
    {SPN_CL_EDGE, SPN_OS_MACOS, 0, "AuthServerAllowlist",
     "Edge on macOS signs in only to servers in its AuthServerAllowlist policy. Add {host} to "
     "it (a configuration profile for com.microsoft.Edge), then restart Edge:",
     "key AuthServerAllowlist = {host}   (domain com.microsoft.Edge)"},
    {SPN_CL_EDGE, -1, 0, "AuthServerAllowlist",
     "Edge signs in only to servers in its AuthServerAllowlist policy. Ask your administrator "
     "to add {host}:",
     "AuthServerAllowlist = {host}"},
    /* [firefox] */
    {SPN_CL_FIREFOX, -1, SPN_HF_SHORT, "network.negotiate-auth.trusted-uris",
     "Firefox signs in only to sites listed in network.negotiate-auth.trusted-uris, and a "
     "short name like {host} only when it is listed itself. In about:config set:",
     "network.negotiate-auth.trusted-uris = {host}\n"
     "for every machine, the policies.json (Linux: /etc/firefox/policies/policies.json):\n"
     "{ \"policies\": { \"Authentication\": { \"SPNEGO\": [\"{host}\"] } } }"},
    {SPN_CL_FIREFOX, -1, 0, "network.negotiate-auth.trusted-uris",
     "Firefox signs in only to sites listed in network.negotiate-auth.trusted-uris. In "
     "about:config set:",
     "network.negotiate-auth.trusted-uris = {host}\n"
     "for every machine, the policies.json (Linux: /etc/firefox/policies/policies.json):\n"
     "{ \"policies\": { \"Authentication\": { \"SPNEGO\": [\"{host}\"] } } }"},
    /* [safari] */
    {SPN_CL_SAFARI, -1, 0, "a Kerberos ticket",
     "Safari signs in when you hold a Kerberos ticket for the realm. Get one with Ticket "
     "Viewer (Add Identity), or in Terminal, then reload:",
     "kinit your.name@{realm}\nklist"},
    /* [curl] */
    {SPN_CL_CURL, -1, 0, "--negotiate -u :",
     "curl sends a token only when asked to. With a ticket (kinit), run:",
     "kinit your.name@{realm}\ncurl --negotiate -u : {origin}/"},
    {-1, -1, 0, "the browser's Negotiate allowlist",
     "Your browser signs in only to sites it trusts for Windows sign-in: add {host} to its "
     "Local intranet zone or Negotiate allowlist.",
     NULL},
};

static const setting_t *setting_for(const spn_client_t *cl)
{
    size_t i;
    for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        const setting_t *s = &settings[i];
        if ((s->family < 0 || s->family == cl->family) && (s->os < 0 || s->os == cl->os) &&
            (!s->forms || (s->forms & cl->form)))
            return s;
    }
    return &settings[sizeof(settings) / sizeof(settings[0]) - 1];
}

/* The host a setting should name: the one asked for, or for an IP literal
 * (no name to list) the configured SPN's host, shown above detail none. */
static const char *setting_host(const spn_client_t *cl, int detail)
{
    if (cl->form & (SPN_HF_DOTTED | SPN_HF_SHORT))
        return cl->host;
    if (detail > 0 && cl->spn_host[0])
        return cl->spn_host;
    return NULL;
}

/* The template t with its placeholders filled in, HTML-escaped. */
static void fill(spn_buf_t *b, const spn_client_t *cl, int detail, const char *t)
{
    const char *host = setting_host(cl, detail);
    char origin[300];

    if (cl->form & SPN_HF_IP && host) {     /* the origin by its name */
        char ps[16] = "";
        if (cl->form & SPN_HF_PORT)
            snprintf(ps, sizeof(ps), ":%d", cl->port);
        snprintf(origin, sizeof(origin), "%s://%s%s", cl->tls ? "https" : "http", host, ps);
    }
    else
        apr_cpystrn(origin, cl->origin[0] ? cl->origin : "https://this-site", sizeof(origin));
    while (*t) {
        const char *o = strchr(t, '{'), *e, *v = NULL;
        size_t k;
        if (!o || !(e = strchr(o, '}'))) {
            spn_buf_htmls(b, t);
            return;
        }
        k = strspn(o + 1, "abcdefghijklmnopqrstuvwxyz_");
        if (o + 1 + k != e) {               /* a literal brace (JSON): not a placeholder */
            spn_buf_html(b, t, (size_t)(o - t) + 1);
            t = o + 1;
            continue;
        }
        spn_buf_html(b, t, (size_t)(o - t));
#define IS(s) (k == sizeof(s) - 1 && memcmp(o + 1, s, k) == 0)
        if (IS("host")) v = host ? host : "this-site.example";
        else if (IS("scheme")) v = cl->tls ? "https" : "http";
        else if (IS("origin")) v = origin;
        else if (IS("realm")) v = detail > 0 && cl->realm[0] ? cl->realm : "YOUR.REALM";
#undef IS
        spn_buf_htmls(b, v ? v : "");
        t = e + 1;
    }
}

void spn_client_body(spn_buf_t *b, const spn_client_t *cl, int detail)
{
    const setting_t *s;

    spn_buf_puts(b, "<h1>Sign-in required</h1>\n<p>This site signs you in with your "
                    "Windows (Kerberos) account, but your browser did not try to.</p>\n");
    if (!cl) {
        spn_buf_puts(b, "<p>Usually one of these is the reason:</p>\n<ul>"
                        "<li>the site is not in the browser's Local intranet zone or "
                        "Negotiate allowlist;</li><li>you are not signed in to the "
                        "domain, or have no Kerberos ticket;</li><li>the browser does not "
                        "do integrated Windows authentication.</li></ul>\n");
        return;
    }
    s = setting_for(cl);
    spn_buf_printf(b, "<p class=\"client\" data-client=\"%s\" data-os=\"%s\">We see <b>%s%s%s</b>",
                   spn_client_name(cl->family), spn_os_name(cl->os), spn_client_title(cl->family),
                   *spn_os_title(cl->os) ? " on " : "", spn_os_title(cl->os));
    if (cl->origin[0]) {
        spn_buf_puts(b, " opening <code>");
        spn_buf_htmls(b, cl->origin);
        spn_buf_puts(b, "</code>");
    }
    spn_buf_puts(b, ".</p>\n");
    if (cl->form & SPN_HF_IP) {
        spn_buf_puts(b, "<h2>Use the site's name, not its address</h2>\n<p>You opened the site "
                        "by its IP address. Kerberos needs the server's name, not its address");
        if (setting_host(cl, detail)) {
            spn_buf_puts(b, ": open <code>");
            fill(b, cl, detail, "{origin}/");
            spn_buf_puts(b, "</code> instead");
        }
        spn_buf_puts(b, ".</p>\n");
    }
    spn_buf_puts(b, "<h2>Most likely: <code>");
    spn_buf_htmls(b, s->setting);
    spn_buf_puts(b, "</code></h2>\n<p>");
    fill(b, cl, detail, s->why);
    spn_buf_puts(b, "</p>\n");
    if (s->how) {
        spn_buf_puts(b, "<pre>");
        fill(b, cl, detail, s->how);
        spn_buf_puts(b, "</pre>\n");
    }
    if ((cl->form & SPN_HF_UNKNOWN) && !(cl->form & SPN_HF_IP) && detail > 0 && cl->host[0]) {
        /* [ip]: the client will ask for HTTP/<the name it used> */
        spn_buf_puts(b, "<p>Then the browser asks for a ticket for <code>HTTP/");
        spn_buf_htmls(b, cl->host);
        spn_buf_puts(b, "</code>, a name this service has no key for");
        if (cl->spn_host[0]) {
            spn_buf_puts(b, ": open <code>");
            spn_buf_htmls(b, cl->tls ? "https://" : "http://");
            spn_buf_htmls(b, cl->spn_host);
            if (cl->form & SPN_HF_PORT)
                spn_buf_printf(b, ":%d", cl->port);
            spn_buf_puts(b, "/</code> instead, or ask the administrator to register it");
        }
        spn_buf_puts(b, ".</p>\n");
    }
    if ((cl->form & SPN_HF_PORT) && (cl->family == SPN_CL_CHROME || cl->family == SPN_CL_EDGE))
        /* [chrome-port] */
        spn_buf_printf(b, "<p>The address has a port (%d): the ticket is still for "
                          "<code>HTTP/&lt;name&gt;</code> without it, unless the "
                          "EnableAuthNegotiatePort policy is on.</p>\n", cl->port);
    if (cl->via)
        spn_buf_puts(b, "<p>Your request came through a proxy (Via or Forwarded): a proxy that "
                        "shares connections between users, or drops the Authorization "
                        "header, keeps Windows sign-in from working.</p>\n");
    /* [private] [firefox] */
    spn_buf_puts(b, "<h2>Or</h2>\n<ul><li>you are not signed in to the domain (a local "
                    "account), or hold no Kerberos ticket (<code>klist</code> shows none);</li>"
                    "<li>no domain controller is reachable (off the company network or "
                    "VPN);</li><li>a private window: browsers do not sign in there unless "
                    "allowed.</li></ul>\n");
}

void spn_client_page(spn_buf_t *b, const spn_client_t *cl, int detail, const char *ref)
{
    spn_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                      "%s\n<meta name=\"spncheck-ref\" content=\"", SPN_PAGE_CSP_META);
    spn_buf_htmls(b, ref);
    if (cl)
        spn_buf_printf(b, "\">\n<meta name=\"spncheck-client\" content=\"%s %s",
                       spn_client_name(cl->family), spn_os_name(cl->os));
    spn_buf_printf(b, "\">\n<title>401 Sign-in failed</title><style>%s</style></head>\n"
                      "<body><main>\n", spn_page_style);
    spn_client_body(b, cl, detail);
    spn_buf_puts(b, "<p class=\"ref\">Reference: <code>");
    spn_buf_htmls(b, ref);
    spn_buf_puts(b, "</code> &middot; HTTP 401</p>\n</main></body></html>\n");
}

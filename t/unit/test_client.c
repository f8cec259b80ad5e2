/* test_client.c: the client of a tokenless 401 (src/spn_client.c):
 * User-Agent family and OS from real browsers' strings, the host's form
 * (IP literal, dotted, short, port, not a configured SPN's host), hostile
 * hosts never shown as a setting value, and the first-leg page naming the
 * setting with the origin filled in, escaped. */
#include "tap.h"
#include "spn_client.h"
#include "spn_render.h"

#include <apr_general.h>
#include <stdlib.h>

static apr_pool_t *pool;

#define UA_CHROME_WIN "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
#define UA_EDGE_WIN UA_CHROME_WIN " Edg/131.0.0.0"
#define UA_HEADLESS "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"
#define UA_CHROME_MAC "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
#define UA_FF_LINUX "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
#define UA_FF_WIN "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
#define UA_SAFARI "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
#define UA_IPHONE "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
#define UA_ANDROID "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
#define UA_OPERA UA_CHROME_WIN " OPR/114.0.0.0"

static const char *const spns[] = {"HTTP/web01.contoso.test@CONTOSO.TEST", "HTTP/web01"};

static void classify(const char *ua, const char *host, int tls, spn_client_t *cl)
{
    spn_service_t svc;
    spn_client_obs_t o = {ua, host, tls ? 443 : 80, tls, 0};
    memset(&svc, 0, sizeof(svc));
    svc.spns = spns;
    svc.n_spns = 2;
    spn_client_classify(&o, &svc, cl);
}

static const char *page(const char *ua, const char *host, int tls, int detail)
{
    spn_client_t cl;
    spn_buf_t b;
    classify(ua, host, tls, &cl);
    spn_buf_init(&b, pool, 4096);
    spn_client_page(&b, &cl, detail, "ABCD-EFGH");
    return b.s;
}

/* What spn_client_family ('F') or spn_client_os ('O') says of a User-Agent. */
static const struct {
    char what;
    const char *ua;
    int want;
    const char *name;
} uas[] = {
    {'F', UA_CHROME_WIN, SPN_CL_CHROME, "Chrome on Windows: chrome"},
    {'O', UA_CHROME_WIN, SPN_OS_WINDOWS, "Chrome on Windows: windows"},
    {'F', UA_EDGE_WIN, SPN_CL_EDGE, "Edge: edge (not chrome)"},
    {'F', UA_HEADLESS, SPN_CL_CHROME, "HeadlessChrome: chrome"},
    {'O', UA_HEADLESS, SPN_OS_LINUX, "X11; Linux: linux"},
    {'O', UA_CHROME_MAC, SPN_OS_MACOS, "Macintosh: macos"},
    {'F', UA_FF_LINUX, SPN_CL_FIREFOX, "Firefox: firefox"},
    {'O', UA_FF_WIN, SPN_OS_WINDOWS, "Firefox on Windows: windows"},
    {'F', UA_SAFARI, SPN_CL_SAFARI, "Safari: safari (not chrome)"},
    {'O', UA_SAFARI, SPN_OS_MACOS, "Safari: macos"},
    {'O', UA_IPHONE, SPN_OS_OTHER, "iPhone: other (not macos)"},
    {'O', UA_ANDROID, SPN_OS_OTHER, "Android: other (not linux)"},
    {'F', UA_OPERA, SPN_CL_OTHER, "Opera: other"},
    {'F', "curl/8.14.1", SPN_CL_CURL, "curl: curl"},
    {'O', "curl/8.14.1", SPN_OS_OTHER, "curl: os other"},
    {'F', NULL, SPN_CL_OTHER, "no User-Agent: other"},
    {'F', "", SPN_CL_OTHER, "empty User-Agent: other"},
};

/* The host's form: '=' exactly bits, '&' all of bits, '!' none of them;
 * empty: nothing of the host kept; origin: the origin shown (NULL: not
 * checked). */
static const struct {
    const char *host;
    int tls;
    char how;
    int bits, empty;
    const char *origin, *name;
} hosts[] = {
    {"web01.contoso.test:8080", 0, '=', SPN_HF_DOTTED | SPN_HF_PORT, 0, "http://web01.contoso.test:8080",
     "dotted name with a port"},
    {"WEB01.Contoso.Test", 1, '=', SPN_HF_DOTTED, 0, "https://web01.contoso.test",
     "https on 443: no port bit, a configured host"},
    {"web01", 0, '=', SPN_HF_SHORT, 0, NULL, "short name (configured as HTTP/web01)"},
    {"intranet.contoso.test", 0, '=', SPN_HF_DOTTED | SPN_HF_UNKNOWN, 0, NULL,
     "a name no SPN has: unknown"},
    {"127.0.0.1:8080", 0, '&', SPN_HF_IP | SPN_HF_PORT, 0, NULL, "IPv4 literal with a port"},
    {"[::1]:8443", 1, '&', SPN_HF_IP, 0, "https://[::1]:8443", "IPv6 literal"},
    {"web01.contoso.test:80x", 0, '&', SPN_HF_BAD, 0, NULL, "a port that is not digits: not shown"},
    {"web01.contoso.test:99999", 0, '&', SPN_HF_BAD, 0, NULL, "port 99999: not shown"},
    {"<script>x</script>", 0, '&', SPN_HF_BAD, 1, NULL, "hostile host: bad, nothing kept"},
    {"a\"b.test", 0, '&', SPN_HF_BAD, 0, NULL, "a quote: not RFC 1123"},
    {NULL, 0, '&', SPN_HF_BAD, 0, NULL, "no host: bad"},
    {"1.2.3.4.5", 0, '!', SPN_HF_IP, 0, NULL, "five numbers are no IPv4 literal"},
};

/* The first-leg page for ua, host, tls at detail: it holds every string
 * of has, and none of hasnt. */
#define UA_HOSTILE "<img src=x onerror=alert(1)>"
static const struct {
    const char *ua, *host;
    int tls, detail;
    const char *has[3], *hasnt[2];
    const char *name;
} pages[] = {
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY, {"AuthServerAllowlist"}, {NULL},
     "headless Chromium on Linux: AuthServerAllowlist"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY,
     {"/etc/opt/chrome/policies/managed/", "/etc/chromium/policies/managed/"}, {NULL},
     "with the managed-policy paths"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY,
     {"&quot;AuthServerAllowlist&quot;: &quot;web01.contoso.test&quot;"}, {NULL},
     "and the site's own name as the value"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY,
     {"<code>http://web01.contoso.test:8080</code>"}, {NULL}, "the origin shown"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY, {"EnableAuthNegotiatePort"}, {NULL},
     "non-default port: the port policy noted"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY, {"content=\"chrome linux\""}, {NULL},
     "meta spncheck-client"},
    {UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY,
     {"private window", "domain controller"}, {NULL}, "then the generic reasons"},
    {UA_FF_LINUX, "web01.contoso.test", 0, SPN_DETAIL_SUMMARY,
     {"network.negotiate-auth.trusted-uris = web01.contoso.test"}, {NULL},
     "Firefox: trusted-uris with the host"},
    {UA_FF_LINUX, "web01.contoso.test", 0, SPN_DETAIL_SUMMARY,
     {"&quot;SPNEGO&quot;: [&quot;web01.contoso.test&quot;]"}, {NULL},
     "Firefox: policies.json Authentication.SPNEGO"},
    {UA_FF_LINUX, "web01.contoso.test", 0, SPN_DETAIL_SUMMARY, {NULL}, {"EnableAuthNegotiatePort"},
     "Firefox on port 80: no port note"},
    {UA_CHROME_WIN, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY,
     {"Local intranet zone", "Site to Zone Assignment List", "https://web01.contoso.test   value 1"},
     {NULL}, "Chrome on Windows: the zone, with the origin"},
    {UA_CHROME_WIN, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY, {"Internet zone unless it is listed"},
     {NULL}, "a dotted name: the Internet zone"},
    {UA_EDGE_WIN, "web01", 0, SPN_DETAIL_SUMMARY, {"short name like web01 is intranet by default"},
     {NULL}, "Edge, short name"},
    {UA_EDGE_WIN, "web01", 0, SPN_DETAIL_SUMMARY, {"Microsoft\\Edge"}, {NULL}, "the Edge policy key"},
    {UA_CHROME_MAC, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY, {"com.google.Chrome"}, {NULL},
     "Chrome on macOS: the profile domain"},
    {UA_SAFARI, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY,
     {"Ticket Viewer", "kinit your.name@CONTOSO.TEST"}, {NULL}, "Safari: a ticket"},
    {UA_SAFARI, "web01.contoso.test", 1, SPN_DETAIL_NONE, {"YOUR.REALM"}, {"CONTOSO.TEST"},
     "detail none: no realm from the configuration"},
    {"curl/8.14.1", "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY,
     {"curl --negotiate -u : http://web01.contoso.test:8080/"}, {NULL}, "curl: the command"},
    {UA_HEADLESS, "127.0.0.1:8080", 0, SPN_DETAIL_SUMMARY,
     {"not its address", "open <code>http://web01.contoso.test:8080/</code>"}, {NULL},
     "IP literal: use the name"},
    {UA_HEADLESS, "127.0.0.1:8080", 0, SPN_DETAIL_SUMMARY,
     {"&quot;AuthServerAllowlist&quot;: &quot;web01.contoso.test&quot;"}, {NULL},
     "IP literal: the setting names the configured host"},
    {UA_HEADLESS, "127.0.0.1:8080", 0, SPN_DETAIL_NONE, {NULL}, {"web01.contoso.test"},
     "IP literal at detail none: no configured name"},
    {UA_HEADLESS, "intranet.contoso.test", 0, SPN_DETAIL_SUMMARY,
     {"<code>HTTP/intranet.contoso.test</code>, a name this service has no key for"}, {NULL},
     "a name no SPN has: said"},
    {UA_HEADLESS, "intranet.contoso.test", 0, SPN_DETAIL_NONE, {NULL}, {"no key for"},
     "at detail none: not said"},
    {UA_HOSTILE, "<b>x</b>:1", 0, SPN_DETAIL_FULL, {NULL}, {"<img", "<b>x"},
     "hostile User-Agent and Host: nothing echoed raw"},
    {UA_HOSTILE, "<b>x</b>:1", 0, SPN_DETAIL_FULL, {"add web01.contoso.test to"}, {NULL},
     "a bad host: the configured name instead"},
    {UA_HOSTILE, "<b>x</b>:1", 0, SPN_DETAIL_NONE, {"this-site.example"}, {NULL},
     "a bad host at detail none: a placeholder"},
};

#define N(a) (sizeof(a) / sizeof(*(a)))

int main(void)
{
    spn_client_t cl;
    const char *p;
    char big[4096];
    size_t i, k;

    apr_initialize();
    apr_pool_create(&pool, NULL);

    /* families and OSes */
    for (i = 0; i < N(uas); i++)
        is_int(uas[i].what == 'F' ? (int)spn_client_family(uas[i].ua) : (int)spn_client_os(uas[i].ua),
               uas[i].want, "%s", uas[i].name);
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big + SPN_UA_MAX + 10, "Firefox/1", 9);
    is_int(spn_client_family(big), SPN_CL_OTHER, "past SPN_UA_MAX bytes nothing is read");
    is_str(spn_client_name(SPN_CL_EDGE), "edge", "label edge");
    is_str(spn_os_name(SPN_OS_MACOS), "macos", "label macos");
    is_str(spn_client_name(99), "other", "out of range: other");

    /* host forms */
    for (i = 0; i < N(hosts); i++) {
        int f, good;
        classify(UA_HEADLESS, hosts[i].host, hosts[i].tls, &cl);
        f = (int)cl.form;
        good = hosts[i].how == '=' ? f == hosts[i].bits
             : hosts[i].how == '&' ? (f & hosts[i].bits) == hosts[i].bits : !(f & hosts[i].bits);
        if (hosts[i].empty)
            good = good && !cl.host[0] && !cl.origin[0];
        ok(good, "%s (form %d)", hosts[i].name, f);
        if (hosts[i].origin)
            is_str(cl.origin, hosts[i].origin, "%s: origin %s", hosts[i].name, hosts[i].origin);
    }
    classify(UA_HEADLESS, "web01.contoso.test:8080", 0, &cl);
    is_str(cl.spn_host, "web01.contoso.test", "configured SPN host");
    is_str(cl.realm, "CONTOSO.TEST", "realm of the configured SPN");

    /* the page names the setting, with the origin filled in */
    for (i = 0; i < N(pages); i++) {
        int good = 1;
        p = page(pages[i].ua, pages[i].host, pages[i].tls, pages[i].detail);
        for (k = 0; k < N(pages[i].has) && pages[i].has[k]; k++)
            good = good && strstr(p, pages[i].has[k]) != NULL;
        for (k = 0; k < N(pages[i].hasnt) && pages[i].hasnt[k]; k++)
            good = good && !strstr(p, pages[i].hasnt[k]);
        ok(good, "%s", pages[i].name);
    }
    {
        spn_client_obs_t o = {UA_HEADLESS, "web01.contoso.test", 80, 0, 1};
        spn_buf_t b;
        spn_client_classify(&o, NULL, &cl);
        spn_buf_init(&b, pool, 4096);
        spn_client_body(&b, &cl, SPN_DETAIL_SUMMARY);
        ok(strstr(b.s, "through a proxy") != NULL, "Via: the proxy noted");
        spn_buf_init(&b, pool, 4096);
        spn_client_body(&b, NULL, SPN_DETAIL_SUMMARY);
        ok(strstr(b.s, "Negotiate allowlist") && !strstr(b.s, "We see"), "no client: the generic page");
    }
    return tap_done();
}

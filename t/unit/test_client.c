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

int main(void)
{
    spn_client_t cl;
    const char *p;
    char big[4096];

    apr_initialize();
    apr_pool_create(&pool, NULL);

    /* families and OSes */
    is_int(spn_client_family(UA_CHROME_WIN), SPN_CL_CHROME, "Chrome on Windows: chrome");
    is_int(spn_client_os(UA_CHROME_WIN), SPN_OS_WINDOWS, "Chrome on Windows: windows");
    is_int(spn_client_family(UA_EDGE_WIN), SPN_CL_EDGE, "Edge: edge (not chrome)");
    is_int(spn_client_family(UA_HEADLESS), SPN_CL_CHROME, "HeadlessChrome: chrome");
    is_int(spn_client_os(UA_HEADLESS), SPN_OS_LINUX, "X11; Linux: linux");
    is_int(spn_client_os(UA_CHROME_MAC), SPN_OS_MACOS, "Macintosh: macos");
    is_int(spn_client_family(UA_FF_LINUX), SPN_CL_FIREFOX, "Firefox: firefox");
    is_int(spn_client_os(UA_FF_WIN), SPN_OS_WINDOWS, "Firefox on Windows: windows");
    is_int(spn_client_family(UA_SAFARI), SPN_CL_SAFARI, "Safari: safari (not chrome)");
    is_int(spn_client_os(UA_SAFARI), SPN_OS_MACOS, "Safari: macos");
    is_int(spn_client_os(UA_IPHONE), SPN_OS_OTHER, "iPhone: other (not macos)");
    is_int(spn_client_os(UA_ANDROID), SPN_OS_OTHER, "Android: other (not linux)");
    is_int(spn_client_family(UA_OPERA), SPN_CL_OTHER, "Opera: other");
    is_int(spn_client_family("curl/8.14.1"), SPN_CL_CURL, "curl: curl");
    is_int(spn_client_os("curl/8.14.1"), SPN_OS_OTHER, "curl: os other");
    is_int(spn_client_family(NULL), SPN_CL_OTHER, "no User-Agent: other");
    is_int(spn_client_family(""), SPN_CL_OTHER, "empty User-Agent: other");
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big + SPN_UA_MAX + 10, "Firefox/1", 9);
    is_int(spn_client_family(big), SPN_CL_OTHER, "past SPN_UA_MAX bytes nothing is read");
    is_str(spn_client_name(SPN_CL_EDGE), "edge", "label edge");
    is_str(spn_os_name(SPN_OS_MACOS), "macos", "label macos");
    is_str(spn_client_name(99), "other", "out of range: other");

    /* host forms */
    classify(UA_HEADLESS, "web01.contoso.test:8080", 0, &cl);
    ok(cl.form == (SPN_HF_DOTTED | SPN_HF_PORT), "dotted name with a port (form %d)", cl.form);
    is_str(cl.origin, "http://web01.contoso.test:8080", "origin with the port");
    is_str(cl.spn_host, "web01.contoso.test", "configured SPN host");
    is_str(cl.realm, "CONTOSO.TEST", "realm of the configured SPN");
    classify(UA_HEADLESS, "WEB01.Contoso.Test", 1, &cl);
    ok(cl.form == SPN_HF_DOTTED, "https on 443: no port bit, a configured host (form %d)", cl.form);
    is_str(cl.origin, "https://web01.contoso.test", "lowercased origin, no default port");
    classify(UA_HEADLESS, "web01", 0, &cl);
    ok(cl.form == SPN_HF_SHORT, "short name (configured as HTTP/web01)");
    classify(UA_HEADLESS, "intranet.contoso.test", 0, &cl);
    ok(cl.form == (SPN_HF_DOTTED | SPN_HF_UNKNOWN), "a name no SPN has: unknown");
    classify(UA_HEADLESS, "127.0.0.1:8080", 0, &cl);
    ok((cl.form & SPN_HF_IP) && (cl.form & SPN_HF_PORT), "IPv4 literal with a port");
    classify(UA_HEADLESS, "[::1]:8443", 1, &cl);
    ok(cl.form & SPN_HF_IP, "IPv6 literal");
    is_str(cl.origin, "https://[::1]:8443", "IPv6 origin in brackets");
    classify(UA_HEADLESS, "web01.contoso.test:80x", 0, &cl);
    ok(cl.form & SPN_HF_BAD, "a port that is not digits: not shown");
    classify(UA_HEADLESS, "web01.contoso.test:99999", 0, &cl);
    ok(cl.form & SPN_HF_BAD, "port 99999: not shown");
    classify(UA_HEADLESS, "<script>x</script>", 0, &cl);
    ok((cl.form & SPN_HF_BAD) && !cl.host[0] && !cl.origin[0], "hostile host: bad, nothing kept");
    classify(UA_HEADLESS, "a\"b.test", 0, &cl);
    ok(cl.form & SPN_HF_BAD, "a quote: not RFC 1123");
    classify(UA_HEADLESS, NULL, 0, &cl);
    ok(cl.form & SPN_HF_BAD, "no host: bad");
    classify(UA_HEADLESS, "1.2.3.4.5", 0, &cl);
    ok(!(cl.form & SPN_HF_IP), "five numbers are no IPv4 literal");

    /* the page names the setting, with the origin filled in */
    p = page(UA_HEADLESS, "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "AuthServerAllowlist") != NULL, "headless Chromium on Linux: AuthServerAllowlist");
    ok(strstr(p, "/etc/opt/chrome/policies/managed/") && strstr(p, "/etc/chromium/policies/managed/"),
       "with the managed-policy paths");
    ok(strstr(p, "&quot;AuthServerAllowlist&quot;: &quot;web01.contoso.test&quot;") != NULL,
       "and the site's own name as the value");
    ok(strstr(p, "<code>http://web01.contoso.test:8080</code>") != NULL, "the origin shown");
    ok(strstr(p, "EnableAuthNegotiatePort") != NULL, "non-default port: the port policy noted");
    ok(strstr(p, "content=\"chrome linux\"") != NULL, "meta spncheck-client");
    ok(strstr(p, "private window") && strstr(p, "domain controller"), "then the generic reasons");
    p = page(UA_FF_LINUX, "web01.contoso.test", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "network.negotiate-auth.trusted-uris = web01.contoso.test") != NULL,
       "Firefox: trusted-uris with the host");
    ok(strstr(p, "&quot;SPNEGO&quot;: [&quot;web01.contoso.test&quot;]") != NULL,
       "Firefox: policies.json Authentication.SPNEGO");
    ok(!strstr(p, "EnableAuthNegotiatePort"), "Firefox on port 80: no port note");
    p = page(UA_CHROME_WIN, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "Local intranet zone") && strstr(p, "Site to Zone Assignment List") &&
       strstr(p, "https://web01.contoso.test   value 1"), "Chrome on Windows: the zone, with the origin");
    ok(strstr(p, "Internet zone unless it is listed") != NULL, "a dotted name: the Internet zone");
    p = page(UA_EDGE_WIN, "web01", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "short name like web01 is intranet by default") != NULL, "Edge, short name");
    ok(strstr(p, "Microsoft\\Edge") != NULL, "the Edge policy key");
    p = page(UA_CHROME_MAC, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "com.google.Chrome") != NULL, "Chrome on macOS: the profile domain");
    p = page(UA_SAFARI, "web01.contoso.test", 1, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "Ticket Viewer") && strstr(p, "kinit your.name@CONTOSO.TEST"), "Safari: a ticket");
    p = page(UA_SAFARI, "web01.contoso.test", 1, SPN_DETAIL_NONE);
    ok(!strstr(p, "CONTOSO.TEST") && strstr(p, "YOUR.REALM"), "detail none: no realm from the configuration");
    p = page("curl/8.14.1", "web01.contoso.test:8080", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "curl --negotiate -u : http://web01.contoso.test:8080/") != NULL, "curl: the command");
    p = page(UA_HEADLESS, "127.0.0.1:8080", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "not its address") && strstr(p, "open <code>http://web01.contoso.test:8080/</code>"),
       "IP literal: use the name");
    ok(strstr(p, "&quot;AuthServerAllowlist&quot;: &quot;web01.contoso.test&quot;") != NULL,
       "IP literal: the setting names the configured host");
    p = page(UA_HEADLESS, "127.0.0.1:8080", 0, SPN_DETAIL_NONE);
    ok(!strstr(p, "web01.contoso.test"), "IP literal at detail none: no configured name");
    p = page(UA_HEADLESS, "intranet.contoso.test", 0, SPN_DETAIL_SUMMARY);
    ok(strstr(p, "<code>HTTP/intranet.contoso.test</code>, a name this service has no key for") != NULL,
       "a name no SPN has: said");
    p = page(UA_HEADLESS, "intranet.contoso.test", 0, SPN_DETAIL_NONE);
    ok(!strstr(p, "no key for"), "at detail none: not said");
    p = page("<img src=x onerror=alert(1)>", "<b>x</b>:1", 0, SPN_DETAIL_FULL);
    ok(!strstr(p, "<img") && !strstr(p, "<b>x"), "hostile User-Agent and Host: nothing echoed raw");
    ok(strstr(p, "add web01.contoso.test to") != NULL, "a bad host: the configured name instead");
    p = page("<img src=x onerror=alert(1)>", "<b>x</b>:1", 0, SPN_DETAIL_NONE);
    ok(strstr(p, "this-site.example") != NULL, "a bad host at detail none: a placeholder");
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

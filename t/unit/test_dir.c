/* test_dir.c: the pure half of the directory lookup (src/spn_dir.c):
 * kinds, enctype words and admission, decoding entries (recorded real
 * answers from a Samba AD DC, t/unit/dir/, among them a real duplicate
 * made by editing the partition with Samba stopped), hostile values
 * (bounded, truncated, numbers refused), sPNMappings, name forms, filter
 * escaping, and the JSON contract. */
#include "tap.h"
#include "json_check.h"
#include "spn_dir.h"

#include <apr_general.h>
#include <stdio.h>
#include <stdlib.h>

static apr_pool_t *p;

static char *slurp(const char *name, size_t *n)
{
    char path[512];
    FILE *f;
    char *s = malloc(65536);
    snprintf(path, sizeof(path), "%s/t/unit/dir/%s", SRCDIR, name);
    if (!s || !(f = fopen(path, "rb"))) {
        ok(0, "read %s", path);
        exit(1);
    }
    *n = fread(s, 1, 65535, f);
    s[*n] = '\0';
    fclose(f);
    return s;
}

static const char *json_of(const spn_dir_spn_t *d, int n)
{
    spn_buf_t b;
    const char *bad;
    spn_buf_init(&b, p, 256);
    spn_dir_json(&b, d, n);
    bad = json_check(b.s, b.len);
    ok(bad == NULL, "the JSON is valid (%s)", bad ? bad : "ok");
    spn_buf_add(&b, "", 1);
    return b.s;
}

static const char *words(int32_t e)
{
    spn_buf_t b;
    spn_buf_init(&b, p, 64);
    spn_dir_enctypes_words(&b, e);
    spn_buf_add(&b, "", 1);
    return b.s;
}

static void test_words(void)
{
    is_str(spn_dir_kind_name(SPN_DIR_KIND_COMPUTER), "computer", "kind computer");
    is_str(spn_dir_kind_name(SPN_DIR_KIND_GMSA), "gmsa", "kind gmsa");
    is_str(spn_dir_kind_name(99), "unknown", "kind out of range");
    is_str(words(0x18), "AES256-CTS-HMAC-SHA1-96, AES128-CTS-HMAC-SHA1-96", "AES only");
    is_str(words(28), "AES256-CTS-HMAC-SHA1-96, AES128-CTS-HMAC-SHA1-96, RC4-HMAC", "28");
    is_str(words(-1), "not set (RC4 and DES by default)", "unset");
    is_str(words(0x3), "DES-CBC-MD5, DES-CBC-CRC", "DES");
    is_str(words(0x1000004), "RC4-HMAC, unknown bits 0x1000000", "unknown bits named");
    ok(spn_dir_enctype_allowed(0x18, 18) && spn_dir_enctype_allowed(0x18, 17), "AES admitted");
    ok(!spn_dir_enctype_allowed(0x18, 23), "AES-only refuses RC4");
    ok(spn_dir_enctype_allowed(-1, 23) && !spn_dir_enctype_allowed(-1, 18),
       "unset admits RC4 only");
    ok(!spn_dir_enctype_allowed(0x1f, 99), "an unknown etype is never admitted");
}

static void test_recorded(void)
{
    spn_dir_spn_t d[2];
    size_t n;
    char *s;
    const char *j;

    /* a real duplicate: svc-a and svc-b both hold HTTP/dup.contoso.test
     * (the Global Catalog's answer, asked in another case) */
    memset(d, 0, sizeof(d));
    snprintf(d[0].spn, sizeof(d[0].spn), "HTTP/dup.contoso.test");
    d[0].state = SPN_DIR_OK;
    d[0].checked_at = 1795600800;       /* 2026-11-25T10:00:00Z */
    s = slurp("duplicate.ldif", &n);
    is_int(spn_dir_add_ldif(&d[0], "CONTOSO", "HTTP/dup.contoso.test", s, n), 2,
           "two entries read");
    is_int(d[0].n_holders, 2, "two holders");
    is_str(d[0].holders[0].account, "CONTOSO\\svc-b", "first holder");
    is_str(d[0].holders[1].account, "CONTOSO\\svc-a", "second holder");
    is_int(d[0].holders[0].kind, SPN_DIR_KIND_USER, "a user");
    is_int(d[0].holders[0].kvno, 2, "its kvno");
    is_int(d[0].holders[0].enctypes, -1, "enctypes not set");
    is_int(d[0].holders[0].pwd_last_set, 134400862751123480LL / 10000000 - 11644473600LL,
           "pwdLastSet as epoch seconds");
    is_str(d[0].holders[0].via, "HTTP/dup.contoso.test", "via the direct match");
    free(s);
    j = json_of(d, 1);
    is_str(j, "{\"spns\":[{\"spn\":\"HTTP/dup.contoso.test\",\"holders\":["
           "{\"account\":\"CONTOSO\\\\svc-b\",\"sam\":\"svc-b\",\"kind\":\"user\","
           "\"via\":\"HTTP/dup.contoso.test\",\"kvno\":2,\"enctypes\":null,\"disabled\":false},"
           "{\"account\":\"CONTOSO\\\\svc-a\",\"sam\":\"svc-a\",\"kind\":\"user\","
           "\"via\":\"HTTP/dup.contoso.test\",\"kvno\":2,\"enctypes\":null,\"disabled\":false}],"
           "\"duplicate\":true,\"error\":null}],\"checked_at\":\"2026-11-25T10:00:00Z\"}",
           "the duplicate's JSON, as the contract");

    /* the KB1077 path: HOST/web01.contoso.test on WEB01$ (a referral line too) */
    memset(d, 0, sizeof(d));
    snprintf(d[0].spn, sizeof(d[0].spn), "HTTP/web01.contoso.test");
    d[0].state = SPN_DIR_OK;
    s = slurp("kb1077.ldif", &n);
    is_int(spn_dir_add_ldif(&d[0], "CONTOSO", "host/WEB01.contoso.test", s, n), 1,
           "one entry, the referral ignored");
    free(s);
    is_str(d[0].holders[0].account, "CONTOSO\\WEB01$", "WEB01$");
    is_int(d[0].holders[0].kind, SPN_DIR_KIND_COMPUTER, "a computer");
    is_str(d[0].holders[0].via, "HOST/web01.contoso.test", "via: the value as the directory holds it");
    ok(d[0].holders[0].uac & SPN_UAC_ACCOUNTDISABLE, "disabled (4098)");
    is_int(d[0].holders[0].pwd_last_set, 0, "pwdLastSet 0: never");
    j = json_of(d, 1);
    ok(strstr(j, "\"via\":\"HOST/web01.contoso.test\",\"kvno\":1,\"enctypes\":null,\"disabled\":true")
       != NULL, "KB1077 JSON: via HOST/");
    ok(strstr(j, "\"checked_at\":null") != NULL, "never checked: checked_at null");
}

static void test_hostile(void)
{
    spn_dir_spn_t d;
    char big[2000], nul[] = "ab\0cd";
    spn_dir_val_t v[8];
    spn_buf_t b;
    const char *j;
    int i;

    memset(big, 'A', sizeof(big));
    memset(&d, 0, sizeof(d));
    d.state = SPN_DIR_OK;
    snprintf(d.spn, sizeof(d.spn), "HTTP/x");
    v[0] = (spn_dir_val_t){ "sAMAccountName", big, sizeof(big) };
    v[1] = (spn_dir_val_t){ "userAccountControl", "12x", 3 };
    v[2] = (spn_dir_val_t){ "msDS-KeyVersionNumber", "99999999999999999999999", 23 };
    v[3] = (spn_dir_val_t){ "servicePrincipalName", big, sizeof(big) };
    v[4] = (spn_dir_val_t){ "pwdLastSet", "-5", 2 };
    v[5] = (spn_dir_val_t){ "objectClass", "msDS-GroupManagedServiceAccount", 31 };
    v[6] = (spn_dir_val_t){ "objectClass", "computer", 8 };
    v[7] = (spn_dir_val_t){ "msDS-SupportedEncryptionTypes", "24", 2 };
    spn_dir_add_entry(&d, "CONTOSO", "HTTP/x", v, 8);
    is_int(d.n_holders, 1, "a hostile entry is one holder");
    is_int(strlen(d.holders[0].sam), sizeof(d.holders[0].sam) - 1, "sam truncated to its field");
    ok(strlen(d.holders[0].account) < sizeof(d.holders[0].account), "account bounded");
    is_int(d.holders[0].uac, 0, "a non-number UAC is refused");
    is_int(d.holders[0].kvno, -1, "an overflowing kvno is refused");
    is_int(d.holders[0].pwd_last_set, 0, "a negative pwdLastSet is refused");
    is_int(d.holders[0].kind, SPN_DIR_KIND_GMSA, "gMSA wins over computer");
    is_int(d.holders[0].enctypes, 24, "enctypes parsed");
    is_str(d.holders[0].via, "HTTP/x", "no SPN value equal: via is the match");

    /* an unparsable msDS-SupportedEncryptionTypes is not "every enctype" */
    {
        spn_dir_spn_t e;
        spn_dir_val_t w[2] = { { "sAMAccountName", "svc", 3 },
                               { "msDS-SupportedEncryptionTypes", "lots", 4 } };
        memset(&e, 0, sizeof(e));
        spn_dir_add_entry(&e, "CONTOSO", "HTTP/x", w, 2);
        is_int(e.holders[0].enctypes, -1, "a non-number msDS-SupportedEncryptionTypes is refused");
        w[1] = (spn_dir_val_t){ "msDS-SupportedEncryptionTypes", "4294967295", 10 };
        memset(&e, 0, sizeof(e));
        spn_dir_add_entry(&e, "CONTOSO", "HTTP/x", w, 2);
        ok(e.holders[0].enctypes != -1 && (e.holders[0].enctypes & 0x1c) == 0x1c,
           "0xffffffff is a value (every bit), not unset");
    }

    /* a NUL inside a value ends it; no sAMAccountName: not an account */
    v[0] = (spn_dir_val_t){ "sAMAccountName", nul, 5 };
    spn_dir_add_entry(&d, "", "HTTP/x", v, 1);
    is_str(d.holders[1].sam, "ab", "a NUL ends the copy");
    is_str(d.holders[1].account, "ab", "no NetBIOS name: the sam alone");
    spn_dir_add_entry(&d, "CONTOSO", "HTTP/x", v + 1, 2);
    is_int(d.n_holders, 2, "an entry without sAMAccountName is skipped");
    for (i = 0; i < 10; i++)
        spn_dir_add_entry(&d, "CONTOSO", "HTTP/x", v, 1);
    is_int(d.n_holders, 12, "every holder counts past the array");

    /* the markup and JSON of a hostile name */
    memset(&d, 0, sizeof(d));
    d.state = SPN_DIR_OK;
    snprintf(d.spn, sizeof(d.spn), "HTTP/<x>\"\x01");
    v[0] = (spn_dir_val_t){ "sAMAccountName", "e\"v<il>\\\x1b[31m\xff$", 15 };
    spn_dir_add_entry(&d, "C", "HTTP/<x>\"\x01", v, 1);
    j = json_of(&d, 1);
    ok(strstr(j, "e\\\"v\\u003cil>\\\\\\u001b[31m\\ufffd$") != NULL, "hostile sam escaped in JSON: %s", j);
    spn_buf_init(&b, p, 256);
    spn_dir_text(&b, &d, 1);
    spn_buf_add(&b, "", 1);
    ok(!strchr(b.s, '\x1b') && !strchr(b.s, '\x01'), "no control byte reaches the terminal");

    /* an error and an unchecked SPN */
    memset(&d, 0, sizeof(d));
    d.state = SPN_DIR_ERROR;
    snprintf(d.error, sizeof(d.error), "search failed: Can't contact LDAP server");
    j = json_of(&d, 1);
    ok(strstr(j, "\"holders\":[],\"duplicate\":false,\"error\":\"search failed: Can't contact LDAP server\"")
       != NULL, "an error: no holders, its text");
    d.state = SPN_DIR_UNCHECKED;
    j = json_of(&d, 1);
    ok(strstr(j, "\"error\":\"not checked yet\"") != NULL, "unchecked says so");
    j = json_of(&d, 0);
    is_str(j, "{\"spns\":[],\"checked_at\":null}", "no SPN");
}

static void test_names(void)
{
    char out[300];
    const char *m = "host=alerter,appmgmt,cisvc,http,www";

    ok(spn_dir_mapped(m, strlen(m), "HTTP/web01", out, sizeof(out)) == 1 &&
       strcmp(out, "host/web01") == 0, "HTTP maps to host (%s)", out);
    ok(spn_dir_mapped(m, strlen(m), "ldap/web01", out, sizeof(out)) == 0, "ldap does not map");
    ok(spn_dir_mapped(m, strlen(m), "ht/web01", out, sizeof(out)) == 0, "a prefix is no alias");
    ok(spn_dir_mapped("host=http", 9, "HTTP/x", out, 5) == 0, "too long for out: no mapping");
    ok(spn_dir_mapped("=http", 5, "HTTP/x", out, sizeof(out)) == 0, "no target: no mapping");

    ok(spn_dir_other_form("HTTP/web01.contoso.test", "contoso.test", out, sizeof(out)) == 0 &&
       strcmp(out, "HTTP/web01") == 0, "FQDN -> short");
    ok(spn_dir_other_form("HTTP/web01", "contoso.test", out, sizeof(out)) == 0 &&
       strcmp(out, "HTTP/web01.contoso.test") == 0, "short -> FQDN");
    ok(spn_dir_other_form("HTTP/web01:8080", "contoso.test", out, sizeof(out)) == 0 &&
       strcmp(out, "HTTP/web01.contoso.test:8080") == 0, "the port is kept");
    ok(spn_dir_other_form("HTTP/web01.fabrikam.test", "contoso.test", out, sizeof(out)) < 0,
       "another domain: no short form");
    ok(spn_dir_other_form("HTTP/10.0.0.1", "contoso.test", out, sizeof(out)) < 0, "IP: none");
    ok(spn_dir_other_form("HTTP/web01", "", out, sizeof(out)) < 0, "no domain known: none");
    ok(spn_dir_other_form("HTTP/web01", "contoso.test", out, 10) < 0, "too long: none");

    ok(spn_dir_dns_domain("DC=contoso,DC=test", out, sizeof(out)) == 0 &&
       strcmp(out, "contoso.test") == 0, "DN -> DNS name");
    ok(spn_dir_dns_domain("OU=x,DC=test", out, sizeof(out)) < 0, "not DC= only");

    ok(spn_dir_filter_escape("HTTP/a*b(c)\\d", out, sizeof(out)) == 0 &&
       strcmp(out, "HTTP/a\\2ab\\28c\\29\\5cd") == 0, "RFC 4515 escaping (%s)", out);
    ok(spn_dir_filter_escape("\x01\xc3\xa9", out, sizeof(out)) == 0 &&
       strcmp(out, "\\01\\c3\\a9") == 0, "controls and non-ASCII escaped");
    ok(spn_dir_filter_escape("****", out, 12) < 0, "does not fit: refused");
}

static void test_holder_is(void)
{
    spn_dir_holder_t h;
    memset(&h, 0, sizeof(h));
    snprintf(h.account, sizeof(h.account), "CONTOSO\\svc-web");
    snprintf(h.sam, sizeof(h.sam), "svc-web");
    ok(spn_dir_holder_is(&h, "contoso\\SVC-WEB"), "DOM\\user, any case");
    ok(spn_dir_holder_is(&h, "svc-web"), "sam alone");
    ok(!spn_dir_holder_is(&h, "OTHER\\svc-web"), "another domain");
    ok(!spn_dir_holder_is(&h, "svc-we"), "a prefix");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_words();
    test_recorded();
    test_hostile();
    test_names();
    test_holder_is();
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

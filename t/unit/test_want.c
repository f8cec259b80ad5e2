/* test_want.c: the directory's wanted queue under one hostile client
 * (issue 19, finding 3): the port and instance variants of a name are the
 * name (one slot, one lookup) unless a configured SPN has them, and one
 * client gets a fair share at most of the queue and of the lookups while
 * another client's name still gets queued and looked up. */
#include "tap.h"
#include "spn_dirdiag.h"
#include "spn_store.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1700000000

static const char *const conf_spns[] = { "HTTP/web01.contoso.test@CONTOSO.TEST",
                                         "HTTP/web01.contoso.test:8443@CONTOSO.TEST" };
static const spn_service_t svc = { conf_spns, 2, NULL, "CONTOSO\\svc-web", NULL, 300, NULL, 0, NULL };
static const char *const names[] = { "web01.contoso.test", "*.apps.contoso.test" };
/* The names the failures below ask for, each a literal ServerAlias (a name
 * only a wildcard matches is pooled: test_pool): a0..a39, b0.., c0..,
 * d0.., e0.. and www under apps.contoso.test, and web01.contoso.test. */
#define N_LIT (5 * 40 + 2)
static char lit[N_LIT][40];
static const char *lit_p[N_LIT];
static spn_dir_ours_t ours = { &svc, lit_p, N_LIT, 0 };
static const spn_dir_ours_t wild = { &svc, names, 2, 0 };

static void literal_names(void)
{
    int i;
    for (i = 0; i < 5 * 40; i++)
        snprintf(lit[i], sizeof lit[i], "%c%d.apps.contoso.test", "abcde"[i / 40], i % 40);
    snprintf(lit[5 * 40], sizeof lit[0], "www.apps.contoso.test");
    snprintf(lit[5 * 40 + 1], sizeof lit[0], "web01.contoso.test");
    for (i = 0; i < N_LIT; i++)
        lit_p[i] = lit[i];
}

/* A failure whose ticket asked for sname (Kerberos), or an NTLM one
 * with Host: host (sname NULL), noted for client as the module does:
 * spn_dir_ask (with o) before the lock, spn_store_dir_note under it. */
static int note_o(spn_store_t *s, const spn_dir_ours_t *o, const char *sname, const char *host,
                  const char *client, int64_t now, spn_dir_ask_t *a)
{
    spn_diag_t d;
    spn_dir_spn_t facts;
    spn_dir_ask_t mine;

    if (!a)
        a = &mine;
    memset(&d, 0, sizeof d);
    d.cause = sname ? SPN_C_SPN_WRONG_ACCOUNT : SPN_C_NTLM_FALLBACK;
    snprintf(d.sname, sizeof d.sname, "%s", sname ? sname : "");
    spn_dir_ask(a, &d, host, o);
    return spn_store_dir_note(s, a, client, now, &facts);
}

static int note(spn_store_t *s, const char *sname, const char *host, const char *client,
                int64_t now, spn_dir_ask_t *a)
{
    return note_o(s, &ours, sname, host, client, now, a);
}

/* Drains the queue (budget permitting): how many, and whether name was one. */
static int drain(spn_store_t *s, int64_t now, const char *name, int *seen)
{
    char spn[SPN_DIR_SPN_MAX];
    int n = 0;

    if (seen)
        *seen = 0;
    while (spn_store_want_next(s, now, spn, sizeof spn)) {
        n++;
        if (seen && name && strcasecmp(spn, name) == 0)
            *seen = 1;
    }
    return n;
}

static int queued(const spn_store_t *s)
{
    int i, n = 0;
    for (i = 0; i < SPN_WANT_SLOTS; i++)
        n += s->want[i].since != 0;
    return n;
}

static void test_normalise(void)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
    spn_dir_ask_t a;
    char sname[64];
    int i, seen;

    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test:1234" }, NULL, &ours);
    ok(a.n >= 1 && !strcmp(a.spn[0], "HTTP/web01.contoso.test") && !a.refine,
       "HTTP/web01:1234 is wanted as HTTP/web01 (and not refined with its facts)");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test:8443" }, NULL, &ours);
    ok(a.n >= 1 && !strcmp(a.spn[0], "HTTP/web01.contoso.test:8443") && a.refine,
       "HTTP/web01:8443, a configured SPN, stays as it is");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test/x" }, NULL, &ours);
    ok(a.n >= 1 && !strcmp(a.spn[0], "HTTP/web01.contoso.test") && !a.refine,
       "HTTP/web01/x is wanted as HTTP/web01");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test" }, NULL, &ours);
    ok(a.n == 2 && !strcmp(a.spn[0], "HTTP/web01.contoso.test") && !strcmp(a.spn[1], "HTTP/WEB01") &&
       a.refine, "HTTP/web01 itself: both name forms, refined");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/dc1.contoso.test:1" }, NULL, &ours);
    is_int(a.n, 0, "a name not ours is not wanted, port or not");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test:1" }, NULL, NULL);
    ok(a.n >= 1 && !strcmp(a.spn[0], "HTTP/web01.contoso.test:1") && a.refine,
       "without ours (the CLI): taken as asked");

    /* the flood: 200 port variants and 200 instance variants, one client */
    for (i = 0; i < 200; i++) {
        snprintf(sname, sizeof sname, "HTTP/web01.contoso.test:%d", 1000 + i);
        note(s, sname, NULL, "192.0.2.66", NOW + i / 2, NULL);
        snprintf(sname, sizeof sname, "HTTP/web01.contoso.test/x%d", i);
        note(s, sname, NULL, "192.0.2.66", NOW + i / 2, NULL);
    }
    is_int(queued(s), 2, "400 port/instance variants occupy one slot (and the short form one)");
    is_int((int)s->dir_dropped, 0, "none dropped: they are the same name");
    note(s, NULL, "www.apps.contoso.test", "192.0.2.7", NOW + 100, NULL);
    is_int(drain(s, NOW + 100, "HTTP/www.apps.contoso.test", &seen), 4,
           "four lookups in all (www's two forms)");
    ok(seen, "and another alias's name among them");
    free(s);
}

static void test_share(void)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
    char host[64];
    int i, seen = 0, got;

    /* one client asks for 40 distinct aliases: it gets its share of the
     * queue, no more */
    for (i = 0, got = 0; i < 40; i++) {
        snprintf(host, sizeof host, "a%d.apps.contoso.test", i);
        note(s, NULL, host, "192.0.2.66", NOW, NULL);
    }
    is_int(queued(s), SPN_WANT_SHARE, "one client holds its share of the queue (SPN_WANT_SHARE)");
    note(s, NULL, "www.apps.contoso.test", "192.0.2.7", NOW + 1, NULL);
    is_int(queued(s), SPN_WANT_SHARE + 2, "another client's name is still queued (both forms)");

    /* the same client from many IPv6 addresses of one /64 is one client */
    for (i = 0; i < 40; i++) {
        char ip[64], key[SPN_CLIENT_KEY];
        snprintf(host, sizeof host, "b%d.apps.contoso.test", i);
        snprintf(ip, sizeof ip, "2001:db8:1:2::%x", i + 1);
        note(s, NULL, host, spn_store_client_key(ip, key, sizeof key), NOW + 2, NULL);
    }
    is_int(queued(s), 2 * SPN_WANT_SHARE + 2, "one /64's 40 addresses: one share");

    /* a full queue: many hostile clients hold their shares; a client holding
     * nothing still gets in, at the cost of a client holding the most */
    for (i = 0; i < 40; i++) {
        char ip[32];
        snprintf(host, sizeof host, "c%d.apps.contoso.test", i);
        snprintf(ip, sizeof ip, "198.51.100.%d", i / SPN_WANT_SHARE);
        note(s, NULL, host, ip, NOW + 3, NULL);
    }
    is_int(queued(s), SPN_WANT_SLOTS, "the queue is full");
    note(s, NULL, "web01.contoso.test", "203.0.113.9", NOW + 4, NULL);
    {
        int k, mine = 0;
        for (k = 0; k < SPN_WANT_SLOTS; k++)
            mine += s->want[k].since && !strcmp(s->want[k].spn, "HTTP/web01.contoso.test");
        ok(mine == 1, "a full queue: a client holding nothing still gets its name queued");
    }

    /* the lookups: the least served client first (round robin, oldest first) */
    got = drain(s, NOW + 5, "HTTP/web01.contoso.test", &seen);
    is_int(got, SPN_DIR_BUDGET, "the budget's lookups");
    for (i = 0; !seen && i < 3; i++)
        drain(s, NOW + 5 + (i + 1) * SPN_DIR_REQUERY, "HTTP/web01.contoso.test", &seen);
    ok(seen, "  the newcomer's name is looked up (window %d)", i + 1);
    free(s);

    /* one client alone is served its share of a window, then waits for the next */
    s = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
    for (i = 0; i < 3 * SPN_WANT_SHARE; i++) {
        snprintf(host, sizeof host, "d%d.apps.contoso.test", i);
        note(s, NULL, host, "192.0.2.66", NOW, NULL);
        if (queued(s) == SPN_WANT_SHARE)
            break;
    }
    is_int(drain(s, NOW, NULL, NULL), SPN_WANT_SHARE, "one client: its share of a window's lookups");
    for (i = 0; i < SPN_WANT_SHARE; i++) {
        snprintf(host, sizeof host, "e%d.apps.contoso.test", i);
        note(s, NULL, host, "192.0.2.66", NOW + 1, NULL);
    }
    is_int(drain(s, NOW + 1, NULL, NULL), 0, "  then no more this window");
    note(s, NULL, "www.apps.contoso.test", "192.0.2.7", NOW + 2, NULL);
    ok(drain(s, NOW + 2, "HTTP/www.apps.contoso.test", &seen) == 2 && seen,
       "  while another client's name is looked up at once");
    is_int(drain(s, NOW + 2 + SPN_DIR_REQUERY, NULL, NULL), SPN_WANT_SHARE, "  and the next window serves it again");
    free(s);
}

/* Names only a wildcard ServerAlias makes ours, or none (the admin's
 * look-ups): a client invents as many as it likes, from as many
 * addresses as it has; all of them share one share (review: many
 * addresses, many shares). */
static void test_pool(void)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, NOW);
    spn_dir_ask_t a;
    char host[64], ip[32];
    int i, k, seen, pooled = 0;

    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/x1.apps.contoso.test" }, NULL, &wild);
    ok(a.n == 1 && a.pooled[0], "a name only *.apps matches: pooled");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/web01.contoso.test" }, NULL, &wild);
    ok(a.n == 2 && !a.pooled[0] && !a.pooled[1], "a literal ServerName: the client's own share");
    spn_dir_ask(&a, &(spn_diag_t){ .sname = "HTTP/dc1.contoso.test" }, NULL, NULL);
    ok(a.n >= 1 && a.pooled[0], "the admin's look-up (no ours): pooled");

    /* 40 addresses, one invented name each: one share in all */
    for (i = 0; i < 40; i++) {
        snprintf(host, sizeof host, "x%d.apps.contoso.test", i);
        snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
        note_o(s, &wild, NULL, host, ip, NOW, NULL);
    }
    for (k = 0; k < SPN_WANT_SLOTS; k++)
        pooled += s->want[k].since && !strcmp(s->want[k].client, SPN_WANT_POOL);
    is_int(queued(s), SPN_WANT_SHARE, "40 addresses' invented names: one share of the queue");
    is_int(pooled, SPN_WANT_SHARE, "  held by the pool");
    /* the admin's look-ups of names nobody configured: the same pool */
    for (i = 0; i < 8; i++) {
        char sname[64];
        snprintf(sname, sizeof sname, "cifs/dc%d.contoso.test", i);
        snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
        note_o(s, NULL, sname, NULL, ip, NOW, NULL);     /* as mod_spncheck_dir's admin path */
    }
    is_int(queued(s), SPN_WANT_SHARE, "  the admin's look-ups from 8 more addresses: still one share");
    /* a name the site configured, from one more address: queued, looked up */
    note_o(s, &wild, NULL, "web01.contoso.test", "192.0.2.9", NOW + 1, NULL);
    is_int(queued(s), SPN_WANT_SHARE + 2, "a literal name's two forms are still queued");
    is_int(drain(s, NOW + 1, "HTTP/web01.contoso.test", &seen), SPN_WANT_SHARE + 2,
           "the window's lookups: the pool's share and the literal name's");
    ok(seen, "  HTTP/web01.contoso.test among them");
    free(s);
}

static void test_client_key(void)
{
    char k[SPN_CLIENT_KEY];

    is_str(spn_store_client_key("192.0.2.1", k, sizeof k), "192.0.2.1", "IPv4: the address");
    is_str(spn_store_client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof k), "2001:db8:1:2::/64",
           "IPv6: its /64");
    is_str(spn_store_client_key("::ffff:192.0.2.1", k, sizeof k), "192.0.2.1", "v4-mapped: the IPv4");
    is_str(spn_store_client_key("::1", k, sizeof k), "::/64", "::1");
    is_str(spn_store_client_key(NULL, k, sizeof k), "", "none: the empty key");
}

int main(void)
{
    literal_names();
    test_normalise();
    test_share();
    test_pool();
    test_client_key();
    return tap_done();
}

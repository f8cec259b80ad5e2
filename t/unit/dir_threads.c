/* dir_threads.c: the directory lookup from several threads at once, as
 * the module's watchdog thread does while requests are served: each
 * thread opens its own connection (its own krb5 context and MEMORY
 * ccache) as one of two identities, looks up one SPN a few times and
 * closes.  The two identities see different answers (the test denies
 * the second one read access to the holder), so a ccache selection
 * leaking between threads would show as a wrong answer; the default
 * ccache name (and KRB5CCNAME) must stay as they were.
 * Needs a directory: t/samba/directory_cli.t runs it against Samba.
 *   dir_threads URI SPN KEYTAB1 PRINCIPAL1 ACCOUNT1 KEYTAB2 PRINCIPAL2 ACCOUNT2 [THREADS]
 * (an ACCOUNT of "-": that identity sees no holder) */
#include "spn_dir.h"

#include <apr_general.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *uri, *keytab[2], *client[2], *spn, *account[2];
static int failures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *why)
{
    pthread_mutex_lock(&mu);
    failures++;
    fprintf(stderr, "dir_threads: %s\n", why);
    pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
    krb5_context ctx;
    apr_pool_t *p;
    spn_dir_spn_t d;
    char err[300];
    int i, round;

    int who = (int)(long)arg % 2, none = strcmp(account[who], "-") == 0;
    if (krb5_init_context(&ctx) != 0) {
        fail("krb5_init_context");
        return NULL;
    }
    apr_pool_create(&p, NULL);
    for (round = 0; round < 3; round++) {
        spn_dir_conn_t *c = spn_dir_open(p, ctx, uri, keytab[who], client[who], 5000, err,
                                         sizeof(err));
        if (!c) {
            fail(err);
            continue;
        }
        for (i = 0; i < 3; i++) {
            if (spn_dir_lookup(c, spn, 0, &d) != 0 || d.state != SPN_DIR_OK ||
                d.n_holders != (none ? 0 : 1) ||
                (!none && !spn_dir_holder_is(&d.holders[0], account[who]))) {
                snprintf(err, sizeof(err), "%.60s saw %d holder(s) (%.80s): %.100s", client[who],
                         (int)d.n_holders, d.n_holders ? d.holders[0].account : "", d.error);
                fail(err);
            }
        }
        spn_dir_close(c);
    }
    apr_pool_destroy(p);
    krb5_free_context(ctx);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[16];
    int n, i;
    krb5_context ctx;
    char before[512], after[512];
    const char *env = getenv("KRB5CCNAME");
    char env_before[512];

    if (argc < 9) {
        fprintf(stderr, "usage: dir_threads URI SPN KEYTAB1 PRINCIPAL1 ACCOUNT1 KEYTAB2 PRINCIPAL2"
                        " ACCOUNT2 [THREADS]\n");
        return 2;
    }
    uri = argv[1];
    spn = argv[2];
    keytab[0] = argv[3];
    client[0] = argv[4];
    account[0] = argv[5];
    keytab[1] = argv[6];
    client[1] = argv[7];
    account[1] = argv[8];
    n = argc > 9 ? atoi(argv[9]) : 4;
    if (n < 1 || n > 16)
        n = 4;
    snprintf(env_before, sizeof(env_before), "%s", env ? env : "");
    apr_initialize();
    krb5_init_context(&ctx);
    snprintf(before, sizeof(before), "%s", krb5_cc_default_name(ctx));
    for (i = 0; i < n; i++)
        pthread_create(&t[i], NULL, worker, (void *)(long)i);
    for (i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    krb5_free_context(ctx);
    krb5_init_context(&ctx);
    snprintf(after, sizeof(after), "%s", krb5_cc_default_name(ctx));
    krb5_free_context(ctx);
    env = getenv("KRB5CCNAME");
    if (strcmp(before, after) != 0 || strcmp(env_before, env ? env : "") != 0) {
        fprintf(stderr, "dir_threads: the default ccache changed: %s -> %s\n", before, after);
        failures++;
    }
    printf("%d threads (2 identities) x 3 connections x 3 lookups: %d failures\n", n, failures);
    apr_terminate();
    return failures ? 1 : 0;
}

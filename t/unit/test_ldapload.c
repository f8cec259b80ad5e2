/* test_ldapload.c: libldap is loaded at the directory's first use, not
 * with the module (issue 21: linked, it and its GnuTLS chain cost every
 * httpd process some 0.8 MB; src/spn_ldap.c resolves its functions with
 * dlopen + dlsym, once).  This program has its own build of
 * src/spn_ldap.c with SPN_LDAP_TEST_HOOK, which lets SPN_TEST_LDAP_SONAME
 * name another library in its place.
 *   - libldap is not mapped before the first spn_dir_open, and is after:
 *     the functions resolved and ran (an unreachable loopback port gives
 *     libldap's own "cannot reach" error);
 *   - a SONAME that does not exist, or a library without libldap's
 *     functions, gives "<SONAME> could not be loaded: <dlerror>" from
 *     every spn_dir_open (also from threads at once), and the rest of
 *     the API copes with no connection: no crash.
 * The failing cases run in child processes (the resolution happens once
 * a process); they send their error text back through a pipe.  No
 * directory, no KDC. */
#include "tap.h"
#include "spn_dir.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NTHREADS = 4 };

static char uri[64];
static char thread_err[NTHREADS][300];
static int thread_null[NTHREADS];

static int mapped(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

/* An ldap:// URI on a loopback port nothing listens on. */
static void closed_port_uri(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int s = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0) {
        perror("socket");
        exit(2);
    }
    snprintf(uri, sizeof(uri), "ldap://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    close(s);
}

static spn_dir_conn_t *open_once(char *err, size_t errsz)
{
    krb5_context ctx;
    spn_dir_conn_t *c;

    if (krb5_init_context(&ctx) != 0) {
        snprintf(err, errsz, "krb5_init_context failed");
        return NULL;
    }
    c = spn_dir_open(NULL, ctx, uri, "/nonexistent.keytab", "mon@EXAMPLE.TEST", 2000, err, errsz);
    spn_dir_close(c);
    krb5_free_context(ctx);
    return c;
}

static void *opener(void *arg)
{
    int i = (int)(intptr_t)arg;
    thread_null[i] = open_once(thread_err[i], sizeof(thread_err[i])) == NULL;
    return NULL;
}

/* In a child with SPN_TEST_LDAP_SONAME=soname: NTHREADS threads open at
 * once, then once more from this thread; what they said goes back as
 * "<all refused and the same>\n<the error>".  The exit status tells a
 * crash apart. */
static void child_case(const char *soname, char *said, size_t saidsz, int *status)
{
    int fds[2];
    pid_t pid;
    ssize_t n, got = 0;

    said[0] = '\0';
    if (pipe(fds) != 0 || (pid = fork()) < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        pthread_t t[NTHREADS];
        char err[300] = "", out[700];
        int i, same = 1;
        spn_dir_spn_t *d = calloc(1, sizeof(*d));

        close(fds[0]);
        setenv("SPN_TEST_LDAP_SONAME", soname, 1);
        for (i = 0; i < NTHREADS; i++)
            pthread_create(&t[i], NULL, opener, (void *)(intptr_t)i);
        for (i = 0; i < NTHREADS; i++)
            pthread_join(t[i], NULL);
        same = open_once(err, sizeof(err)) == NULL;
        for (i = 0; i < NTHREADS; i++)
            same &= thread_null[i] && strcmp(thread_err[i], err) == 0;
        /* and without a connection the rest of the API answers */
        same &= d && spn_dir_lookup(NULL, "HTTP/www.example.test", 0, d) == -1 &&
                d->state == SPN_DIR_ERROR;
        free(d);
        n = snprintf(out, sizeof(out), "%d\n%s", same, err);
        if (write(fds[1], out, (size_t)n) != n)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    while (got < (ssize_t)saidsz - 1 && (n = read(fds[0], said + got, saidsz - 1 - (size_t)got)) > 0)
        got += n;
    said[got] = '\0';
    close(fds[0]);
    waitpid(pid, status, 0);
}

int main(void)
{
    char err[300] = "", said[800], want[200];
    int status;

    closed_port_uri();

    /* a SONAME that is nowhere */
    child_case("libldap-spncheck-nonexistent.so.0", said, sizeof(said), &status);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a missing libldap: no crash (status %d)",
       status);
    ok(strncmp(said, "1\n", 2) == 0, "every open refused with the same error, "
       "from %d threads and then one more; lookups without a connection fail cleanly", NTHREADS);
    snprintf(want, sizeof(want), "libldap-spncheck-nonexistent.so.0 could not be loaded: ");
    ok(strncmp(said + 2, want, strlen(want)) == 0 && strstr(said, "cannot open shared object file"),
       "the error names the library and dlerror's reason");
    diag("%s", said + 2);

    /* a library that loads but lacks libldap's functions */
    child_case("libc.so.6", said, sizeof(said), &status);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a library without libldap's functions: "
       "no crash (status %d)", status);
    ok(strncmp(said, "1\n", 2) == 0 && strncmp(said + 2, "libc.so.6 could not be loaded: ", 31) == 0 &&
       strstr(said, "ldap_initialize"), "refused, naming the missing function");
    diag("%s", said + 2);

    /* the real one, in this process: not there before the first use */
    ok(!mapped(SPN_LDAP_SONAME), "%s is not mapped before the directory is used", SPN_LDAP_SONAME);
    ok(open_once(err, sizeof(err)) == NULL, "nothing listens on %s", uri);
    snprintf(want, sizeof(want), "cannot reach %s: ", uri);
    ok(strncmp(err, want, strlen(want)) == 0, "libldap's functions were resolved and ran "
       "(its own error for a closed port)");
    diag("%s", err);
    ok(mapped(SPN_LDAP_SONAME), "%s is mapped after the first use", SPN_LDAP_SONAME);
    ok(open_once(err, sizeof(err)) == NULL && strncmp(err, want, strlen(want)) == 0,
       "a second open goes through the same resolved table");
    return tap_done();
}

/* test_ccname.c: the directory bind selects its credentials with
 * gss_krb5_ccache_name() (spn_ldap.c's bind_gssapi), in the module's
 * watchdog thread, while request threads of the same process run GSSAPI
 * (mod_auth_gssapi under worker/event).  MIT keeps that name per thread:
 * this proves it with the bind's own pattern (select a MEMORY ccache,
 * use it, put the old name back).  While one thread holds the selection,
 * a bystander thread that acquires default initiator credentials must not
 * get the monitoring identity's; the selecting thread itself must (the
 * positive control: the check can see a leak).  No KDC: a MEMORY ccache
 * with a made-up TGT is enough for gss_acquire_cred. */
#include "tap.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CCNAME "MEMORY:spn_dir_test_ccname"

static pthread_barrier_t selected, checked;

/* The name of the default initiator credential this thread gets, or "" */
static void default_initiator(char *out, size_t n)
{
    OM_uint32 maj, min;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc b = GSS_C_EMPTY_BUFFER;

    out[0] = '\0';
    maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                           GSS_C_INITIATE, &cred, NULL, NULL);
    if (maj == GSS_S_COMPLETE &&
        gss_inquire_cred(&min, cred, &name, NULL, NULL, NULL) == GSS_S_COMPLETE &&
        gss_display_name(&min, name, &b, NULL) == GSS_S_COMPLETE)
        snprintf(out, n, "%.*s", (int)b.length, (const char *)b.value);
    gss_release_buffer(&min, &b);
    gss_release_name(&min, &name);
    gss_release_cred(&min, &cred);
}

static char in_bind[256], after_bind[256], bystander[256];

/* bind_gssapi's pattern */
static void *binder(void *arg)
{
    OM_uint32 min;
    const char *old = NULL;
    char saved[256] = "";
    (void)arg;

    gss_krb5_ccache_name(&min, CCNAME, &old);
    if (old)
        snprintf(saved, sizeof(saved), "%s", old);
    default_initiator(in_bind, sizeof(in_bind));
    pthread_barrier_wait(&selected);        /* the bind is in progress */
    pthread_barrier_wait(&checked);
    gss_krb5_ccache_name(&min, old ? saved : NULL, NULL);
    default_initiator(after_bind, sizeof(after_bind));
    return NULL;
}

static void *request(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&selected);
    default_initiator(bystander, sizeof(bystander));
    pthread_barrier_wait(&checked);
    return NULL;
}

int main(void)
{
    krb5_context ctx;
    krb5_ccache cc;
    krb5_creds cr;
    krb5_principal me, tgs;
    pthread_t a, b;
    char main_view[256];

    /* no profile, no ccache of the test runner's: only ours */
    setenv("KRB5_CONFIG", "/dev/null", 1);
    setenv("KRB5CCNAME", "FILE:/nonexistent/spncheck-test-ccname", 1);
    if (krb5_init_context(&ctx) || krb5_parse_name(ctx, "monitor@TEST.REALM", &me) ||
        krb5_parse_name(ctx, "krbtgt/TEST.REALM@TEST.REALM", &tgs) ||
        krb5_cc_resolve(ctx, CCNAME, &cc) || krb5_cc_initialize(ctx, cc, me))
        abort();
    memset(&cr, 0, sizeof(cr));
    cr.client = me;
    cr.server = tgs;
    cr.times.authtime = cr.times.starttime = (krb5_timestamp)time(NULL);
    cr.times.endtime = cr.times.starttime + 36000;
    cr.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    cr.keyblock.length = 32;
    cr.keyblock.contents = (krb5_octet *)"0123456789abcdef0123456789abcdef";
    cr.ticket.length = 4;
    cr.ticket.data = "junk";
    if (krb5_cc_store_cred(ctx, cc, &cr))
        abort();

    pthread_barrier_init(&selected, NULL, 2);
    pthread_barrier_init(&checked, NULL, 2);
    pthread_create(&a, NULL, binder, NULL);
    pthread_create(&b, NULL, request, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    default_initiator(main_view, sizeof(main_view));

    is_str(in_bind, "monitor@TEST.REALM",
           "the binding thread gets the monitoring identity (the check can see it)");
    is_str(bystander, "", "a request thread meanwhile gets none of it (per-thread selection)");
    is_str(after_bind, "", "the binding thread, after the bind, is back to its default");
    is_str(main_view, "", "the main thread never saw it");
    ok(strcmp(krb5_cc_default_name(ctx), "FILE:/nonexistent/spncheck-test-ccname") == 0 &&
       strcmp(getenv("KRB5CCNAME"), "FILE:/nonexistent/spncheck-test-ccname") == 0,
       "KRB5CCNAME and the default ccache name are untouched");
    krb5_cc_destroy(ctx, cc);
    krb5_free_principal(ctx, me);
    krb5_free_principal(ctx, tgs);
    krb5_free_context(ctx);
    return tap_done();
}

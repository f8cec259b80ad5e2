/* spn_ldap.c: the directory lookup (see spn_dir.h).  OpenLDAP libldap
 * with a Cyrus SASL GSSAPI bind as a monitoring identity.  The only file
 * of src/ that talks LDAP or SASL (make check-layering).
 *
 * Credentials: the identity's keys (client_keytab) get a TGT into a
 * MEMORY ccache of this connection alone; the bind reads it through
 * gss_krb5_ccache_name(), which MIT keeps per thread, set for the bind
 * and put back right after.  The process's KRB5CCNAME and default
 * ccache are never touched, so a watchdog thread may call this while
 * requests are served.
 *
 * AD signs and seals SASL binds on ldap:// (minssf=56 here; a server
 * that offers less is refused); on ldaps:// TLS protects and SASL adds
 * no layer (maxssf=0, AD's recipe: "ldapsearch -O maxssf=0"; Samba 4.17
 * refuses GSSAPI binds over TLS either way: use ldap:// with it).  SASL_NOCANON: the service ticket is for ldap/<host as
 * written in the URI>, never a reverse lookup's answer.  Every step
 * waits at most timeout_ms (connect, bind and each search); referrals
 * are never chased.
 *
 * libldap is not linked: it is loaded (dlopen, RTLD_LOCAL) the first
 * time a connection is opened, and the functions below are called
 * through a table of pointers resolved then, once per process.  Linked,
 * it and its TLS chain (GnuTLS, p11-kit, nettle, gmp) cost every httpd
 * process some 0.8 MB of resident pages at load, directory or not
 * (issue 21).  sasl.h is read for its types and constants only: no
 * sasl_* function is called. */
#include "spn_dir.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef SPN_LDAP_SONAME
#error "SPN_LDAP_SONAME (libldap's SONAME) comes from configure"
#endif

/* Every libldap/liblber function this file calls, and the one variable
 * it reads (ber_pvt_opt_on, what LDAP_OPT_ON points to).  Using one not
 * listed here fails to link (nothing links -lldap). */
#define SPN_LDAP_FUNCS(X) \
    X(ldap_initialize) X(ldap_set_option) X(ldap_get_option) X(ldap_connect) \
    X(ldap_sasl_interactive_bind_s) X(ldap_search_ext_s) X(ldap_first_entry) \
    X(ldap_next_entry) X(ldap_get_values_len) X(ldap_value_free_len) X(ldap_msgfree) \
    X(ldap_unbind_ext_s) X(ldap_err2string) X(ldap_memfree) X(ldap_url_parse) \
    X(ldap_free_urldesc) X(ldap_get_dn) X(ldap_first_attribute) X(ldap_next_attribute) \
    X(ber_free) X(ber_pvt_opt_on)

static struct {
#define SPN_LDAP_PTR(f) __typeof__(f) *p_##f;
    SPN_LDAP_FUNCS(SPN_LDAP_PTR)
#undef SPN_LDAP_PTR
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;
static char lib_err[300];

/* From here on, a call to ldap_xxx goes through lib.p_ldap_xxx. */
#define ldap_initialize lib.p_ldap_initialize
#define ldap_set_option lib.p_ldap_set_option
#define ldap_get_option lib.p_ldap_get_option
#define ldap_connect lib.p_ldap_connect
#define ldap_sasl_interactive_bind_s lib.p_ldap_sasl_interactive_bind_s
#define ldap_search_ext_s lib.p_ldap_search_ext_s
#define ldap_first_entry lib.p_ldap_first_entry
#define ldap_next_entry lib.p_ldap_next_entry
#define ldap_get_values_len lib.p_ldap_get_values_len
#define ldap_value_free_len lib.p_ldap_value_free_len
#define ldap_msgfree lib.p_ldap_msgfree
#define ldap_unbind_ext_s lib.p_ldap_unbind_ext_s
#define ldap_err2string lib.p_ldap_err2string
#define ldap_memfree lib.p_ldap_memfree
#define ldap_url_parse lib.p_ldap_url_parse
#define ldap_free_urldesc lib.p_ldap_free_urldesc
#define ldap_get_dn lib.p_ldap_get_dn
#define ldap_first_attribute lib.p_ldap_first_attribute
#define ldap_next_attribute lib.p_ldap_next_attribute
#define ber_free lib.p_ber_free
#undef LDAP_OPT_ON
#define LDAP_OPT_ON ((void *)lib.p_ber_pvt_opt_on)

static const char *lib_soname(void)
{
#ifdef SPN_LDAP_TEST_HOOK
    /* only in the unit test's own build of this file (t/unit/test_ldapload) */
    const char *s = getenv("SPN_TEST_LDAP_SONAME");
    if (s && *s)
        return s;
#endif
    return SPN_LDAP_SONAME;
}

static void lib_load(void)
{
    const char *name = lib_soname();
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    const char *e = NULL;

    if (!h)
        e = dlerror();
#define SPN_LDAP_SYM(f) \
    if (h && !e) { \
        dlerror(); \
        if (!(lib.p_##f = (__typeof__(lib.p_##f))dlsym(h, #f))) \
            e = dlerror(); \
        if (!lib.p_##f && !e) \
            e = "no symbol " #f; \
    }
    SPN_LDAP_FUNCS(SPN_LDAP_SYM)
#undef SPN_LDAP_SYM
    if (e) {
        snprintf(lib_err, sizeof(lib_err), "%s could not be loaded: %s", name, e);
        memset(&lib, 0, sizeof(lib));
        if (h)
            dlclose(h);
        return;
    }
    lib_ok = 1;     /* h stays open for the process's life */
}

/* libldap's functions, resolved on the first call (any thread). */
static int lib_ready(char *err, size_t errsz)
{
    if (pthread_once(&lib_once, lib_load) != 0) {
        if (err && errsz)
            snprintf(err, errsz, "%s could not be loaded: pthread_once failed", lib_soname());
        return -1;
    }
    if (!lib_ok && err && errsz)
        snprintf(err, errsz, "%s", lib_err);
    return lib_ok ? 0 : -1;
}

enum { MAX_MAPPINGS = 16, MAX_VALS = 512 };

struct spn_dir_conn {
    krb5_context ctx;
    LDAP *ld;                   /* the URI's server, domain-wide */
    LDAP *gc;                   /* its Global Catalog (3268), or NULL */
    krb5_ccache cc;
    char ccname[64];
    int timeout_ms;
    char base[512];             /* defaultNamingContext */
    char config[512];           /* configurationNamingContext */
    char domain[256];           /* contoso.test */
    char netbios[64];           /* CONTOSO */
    char mappings[MAX_MAPPINGS][1024];
    int n_mappings;
};

static void say(char *err, size_t errsz, const char *fmt, const char *a, const char *b)
{
    if (err && errsz)
        snprintf(err, errsz, fmt, a, b ? b : "");
}

static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
    sasl_interact_t *i = in;
    (void)ld; (void)flags; (void)defaults;
    for (; i && i->id != SASL_CB_LIST_END; i++) {
        i->result = i->defresult ? i->defresult : "";
        i->len = (unsigned)strlen(i->result);
    }
    return LDAP_SUCCESS;
}

static LDAP *connect_to(const char *uri, int timeout_ms, char *err, size_t errsz)
{
    LDAP *ld = NULL;
    int v3 = LDAP_VERSION3, rc;
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    int ldaps = strncasecmp(uri, "ldaps://", 8) == 0;

    if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS || !ld) {
        say(err, errsz, "bad directory URI %s: %s", uri, ldap_err2string(rc));
        return NULL;
    }
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
    ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS,
                    ldaps ? "minssf=0,maxssf=0,noanonymous" : "minssf=56,noanonymous");
    if (ldaps) {
        /* TLS alone protects the answers (no SASL layer): the DC's
         * certificate must verify, whatever libldap's process-wide
         * default is (mod_ldap's LDAPVerifyServerCert Off sets it to
         * never; so do TLS_REQCERT in ldap.conf and LDAPTLS_REQCERT).
         * The CA settings stay libldap's.  A context of this handle's
         * own: the shared one may have been made with "never". */
        static const int ca_opts[] = { LDAP_OPT_X_TLS_CACERTFILE, LDAP_OPT_X_TLS_CACERTDIR };
        int demand = LDAP_OPT_X_TLS_DEMAND, newctx = 0, bad = 0;
        size_t i;
        /* a new handle has no CA paths of its own (libldap shares the
         * default context instead): bring ldap.conf's over */
        for (i = 0; i < sizeof(ca_opts) / sizeof(ca_opts[0]); i++) {
            char *v = NULL;
            if (ldap_get_option(NULL, ca_opts[i], &v) == LDAP_OPT_SUCCESS && v && *v)
                bad |= ldap_set_option(ld, ca_opts[i], v) != LDAP_OPT_SUCCESS;
            ldap_memfree(v);
        }
        if (bad || ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
            ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &newctx) != LDAP_OPT_SUCCESS) {
            say(err, errsz, "cannot set up TLS for %s (certificate verification)%s", uri, NULL);
            ldap_unbind_ext_s(ld, NULL, NULL);
            return NULL;
        }
    }
    if ((rc = ldap_connect(ld)) != LDAP_SUCCESS) {
        say(err, errsz, "cannot reach %s: %s", uri, ldap_err2string(rc));
        ldap_unbind_ext_s(ld, NULL, NULL);
        return NULL;
    }
    return ld;
}

/* The SASL GSSAPI bind, reading this connection's ccache (this thread only). */
static int bind_gssapi(spn_dir_conn_t *c, LDAP *ld, const char *uri, char *err, size_t errsz)
{
    OM_uint32 minor;
    const char *old = NULL;
    char saved[256] = "";
    int rc, had_old;
    ber_len_t ssf = 0;

    if (gss_krb5_ccache_name(&minor, c->ccname, &old) != GSS_S_COMPLETE) {
        say(err, errsz, "cannot select the monitoring identity's credentials%s%s", "", NULL);
        return -1;
    }
    had_old = old != NULL;
    if (old)
        snprintf(saved, sizeof(saved), "%s", old);
    rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
                                      interact, NULL);
    gss_krb5_ccache_name(&minor, had_old ? saved : NULL, NULL);
    if (rc != LDAP_SUCCESS) {
        char *diag = NULL;
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
        if (err && errsz)
            snprintf(err, errsz, "bind to %s failed: %s%s%.100s", uri, ldap_err2string(rc),
                     diag && *diag ? ": " : "", diag ? diag : "");
        ldap_memfree(diag);
        return -1;
    }
    if (strncasecmp(uri, "ldaps://", 8) != 0 &&
        (ldap_get_option(ld, LDAP_OPT_X_SASL_SSF, &ssf) != LDAP_OPT_SUCCESS || ssf < 56)) {
        say(err, errsz, "bind to %s has no SASL sign/seal layer%s", uri, NULL);
        return -1;
    }
    return 0;
}

/* A search that waits at most the connection's timeout.  LDAP_SUCCESS or
 * LDAP_SIZELIMIT_EXCEEDED (with the entries so far) leave *res set. */
static int search(const spn_dir_conn_t *c, LDAP *ld, const char *base, int scope,
                  const char *filter, char **attrs, int sizelimit, LDAPMessage **res)
{
    struct timeval tv = { c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000 };
    int rc;

    *res = NULL;
    rc = ldap_search_ext_s(ld, base, scope, filter, attrs, 0, NULL, NULL, &tv, sizelimit, res);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        ldap_msgfree(*res);
        *res = NULL;
    }
    return rc;
}

/* The first value of attr in the first entry of res, copied (bounded). */
static int first_value(LDAP *ld, LDAPMessage *res, const char *attr, char *out, size_t osz)
{
    LDAPMessage *e = res ? ldap_first_entry(ld, res) : NULL;
    struct berval **v;
    size_t n;

    out[0] = '\0';
    if (!e || !(v = ldap_get_values_len(ld, e, attr)))
        return -1;
    if (v[0] && v[0]->bv_val) {
        n = v[0]->bv_len < osz - 1 ? v[0]->bv_len : osz - 1;
        memcpy(out, v[0]->bv_val, n);
        out[n] = '\0';
        if (strlen(out) != n)
            out[0] = '\0';          /* a NUL inside: not a name */
    }
    ldap_value_free_len(v);
    return out[0] ? 0 : -1;
}

static int is_dead(int rc)
{
    return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
           rc == LDAP_LOCAL_ERROR || rc == LDAP_UNAVAILABLE;
}

/* RootDSE, the domain's NetBIOS name, sPNMappings. */
static int read_domain(spn_dir_conn_t *c, char *err, size_t errsz)
{
    char *root_attrs[] = { "defaultNamingContext", "configurationNamingContext", NULL };
    char *nb_attrs[] = { "nETBIOSName", NULL };
    char *map_attrs[] = { "sPNMappings", NULL };
    char filter[700], esc[600], dn[700];
    LDAPMessage *res, *e;
    int rc;

    rc = search(c, c->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", root_attrs, 1, &res);
    if (!res || first_value(c->ld, res, "defaultNamingContext", c->base, sizeof(c->base)) < 0 ||
        first_value(c->ld, res, "configurationNamingContext", c->config, sizeof(c->config)) < 0) {
        ldap_msgfree(res);
        say(err, errsz, "cannot read the RootDSE: %s%s", ldap_err2string(rc), NULL);
        return -1;
    }
    ldap_msgfree(res);
    if (spn_dir_dns_domain(c->base, c->domain, sizeof(c->domain)) < 0)
        c->domain[0] = '\0';
    /* missing read rights here are not fatal: accounts without the NetBIOS prefix */
    snprintf(dn, sizeof(dn), "CN=Partitions,%s", c->config);
    if (spn_dir_filter_escape(c->base, esc, sizeof(esc)) == 0) {
        snprintf(filter, sizeof(filter), "(&(objectClass=crossRef)(nCName=%s)(nETBIOSName=*))", esc);
        search(c, c->ld, dn, LDAP_SCOPE_ONELEVEL, filter, nb_attrs, 2, &res);
        if (res)
            first_value(c->ld, res, "nETBIOSName", c->netbios, sizeof(c->netbios));
        ldap_msgfree(res);
    }
    snprintf(dn, sizeof(dn), "CN=Directory Service,CN=Windows NT,CN=Services,%s", c->config);
    search(c, c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", map_attrs, 1, &res);
    if (res && (e = ldap_first_entry(c->ld, res)) != NULL) {
        struct berval **v = ldap_get_values_len(c->ld, e, "sPNMappings");
        int i;
        for (i = 0; v && v[i] && c->n_mappings < MAX_MAPPINGS; i++) {
            size_t n = v[i]->bv_len < sizeof(c->mappings[0]) - 1 ? v[i]->bv_len
                                                                 : sizeof(c->mappings[0]) - 1;
            memcpy(c->mappings[c->n_mappings], v[i]->bv_val, n);
            c->mappings[c->n_mappings][n] = '\0';
            c->n_mappings++;
        }
        if (v)
            ldap_value_free_len(v);
    }
    ldap_msgfree(res);
    return 0;
}

/* The monitoring identity's TGT, into this connection's MEMORY ccache. */
static int get_tgt(spn_dir_conn_t *c, const char *client_keytab, const char *client,
                   char *err, size_t errsz)
{
    krb5_principal princ = NULL;
    krb5_keytab kt = NULL;
    krb5_creds creds;
    krb5_get_init_creds_opt *opt = NULL;
    krb5_error_code k;
    int ok = -1;

    memset(&creds, 0, sizeof(creds));
    snprintf(c->ccname, sizeof(c->ccname), "MEMORY:spn_dir_%p", (void *)c);
    if ((k = krb5_parse_name(c->ctx, client, &princ)) != 0 ||
        (k = krb5_kt_resolve(c->ctx, client_keytab, &kt)) != 0 ||
        (k = krb5_get_init_creds_opt_alloc(c->ctx, &opt)) != 0)
        goto out;
    krb5_get_init_creds_opt_set_forwardable(opt, 0);
    if ((k = krb5_get_init_creds_keytab(c->ctx, &creds, princ, kt, 0, NULL, opt)) != 0)
        goto out;
    if ((k = krb5_cc_resolve(c->ctx, c->ccname, &c->cc)) != 0 ||
        (k = krb5_cc_initialize(c->ctx, c->cc, princ)) != 0 ||
        (k = krb5_cc_store_cred(c->ctx, c->cc, &creds)) != 0)
        goto out;
    ok = 0;
out:
    if (ok < 0) {
        const char *m = krb5_get_error_message(c->ctx, k);
        if (k == KRB5KRB_AP_ERR_SKEW)
            say(err, errsz, "clock skew with the KDC too great for %s: %s", client, m);
        else
            say(err, errsz, "the monitoring identity %s cannot get a ticket: %s", client, m);
        krb5_free_error_message(c->ctx, m);
    }
    krb5_free_cred_contents(c->ctx, &creds);
    if (opt)
        krb5_get_init_creds_opt_free(c->ctx, opt);
    if (kt)
        krb5_kt_close(c->ctx, kt);
    krb5_free_principal(c->ctx, princ);
    return ok;
}

static int find(spn_dir_conn_t *c, const char *match, spn_dir_spn_t *out);

/* Read rights: the account that holds ldap/<host> (the SPN this bind just
 * got a ticket for, so someone holds it) must be visible; an identity
 * that cannot read servicePrincipalName would otherwise see every SPN as
 * held by nobody. */
static int can_read(spn_dir_conn_t *c, const char *host, char *err, size_t errsz)
{
    spn_dir_spn_t *d = calloc(1, sizeof(*d));
    char spn[300], mapped[300];
    int rc, i, seen;

    if (!d)
        return -1;
    snprintf(spn, sizeof(spn), "ldap/%.250s", host);
    rc = find(c, spn, d);
    for (i = 0; rc == LDAP_SUCCESS && d->n_holders == 0 && i < c->n_mappings; i++)
        if (spn_dir_mapped(c->mappings[i], strlen(c->mappings[i]), spn, mapped, sizeof(mapped)))
            rc = find(c, mapped, d);
    seen = rc == LDAP_SUCCESS && d->n_holders > 0;
    free(d);
    if (!seen)
        say(err, errsz, "missing read rights: the identity cannot see who holds %s "
            "(the SPN it just got a ticket for)%s", spn, NULL);
    return seen ? 0 : -1;
}

spn_dir_conn_t *spn_dir_open(apr_pool_t *p, krb5_context ctx, const char *uri,
                             const char *client_keytab, const char *client,
                             int timeout_ms, char *err, size_t errsz)
{
    spn_dir_conn_t *c;
    LDAPURLDesc *lud = NULL;
    char gcuri[600];

    (void)p;            /* the connection outlives no pool: spn_dir_close frees it */
    if (err && errsz)
        err[0] = '\0';
    if (!uri || !client_keytab || !client || !ctx ||
        (strncasecmp(uri, "ldap://", 7) != 0 && strncasecmp(uri, "ldaps://", 8) != 0)) {
        say(err, errsz, "the directory URI must be ldap:// or ldaps:// (got %s)%s",
            uri ? uri : "nothing", NULL);
        return NULL;
    }
    if (lib_ready(err, errsz) < 0 || !(c = calloc(1, sizeof(*c))))
        return NULL;
    c->ctx = ctx;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    if (!(c->ld = connect_to(uri, c->timeout_ms, err, errsz)) ||
        get_tgt(c, client_keytab, client, err, errsz) < 0 ||
        bind_gssapi(c, c->ld, uri, err, errsz) < 0 ||
        read_domain(c, err, errsz) < 0) {
        spn_dir_close(c);
        return NULL;
    }
    /* the Global Catalog on the same host, when it answers */
    if (ldap_url_parse(uri, &lud) == LDAP_SUCCESS && lud->lud_host && lud->lud_host[0] &&
        strlen(lud->lud_host) < 500) {
        snprintf(gcuri, sizeof(gcuri), "ldap://%s%s%s:3268", strchr(lud->lud_host, ':') ? "[" : "",
                 lud->lud_host, strchr(lud->lud_host, ':') ? "]" : "");
        if ((c->gc = connect_to(gcuri, c->timeout_ms, NULL, 0)) != NULL &&
            bind_gssapi(c, c->gc, gcuri, NULL, 0) < 0) {
            ldap_unbind_ext_s(c->gc, NULL, NULL);
            c->gc = NULL;
        }
    }
    if (!lud || !lud->lud_host || !lud->lud_host[0] ||
        can_read(c, lud->lud_host, err, errsz) < 0) {
        if (!lud || !lud->lud_host || !lud->lud_host[0])
            say(err, errsz, "the directory URI %s names no host%s", uri, NULL);
        if (lud)
            ldap_free_urldesc(lud);
        spn_dir_close(c);
        return NULL;
    }
    ldap_free_urldesc(lud);
    return c;
}

static char *holder_attrs[] = {
    "sAMAccountName", "objectClass", "userAccountControl", "msDS-SupportedEncryptionTypes",
    "msDS-KeyVersionNumber", "pwdLastSet", "servicePrincipalName", NULL
};

/* One entry of an answer, as plain values, into out. */
static void add_message(LDAP *ld, LDAPMessage *e, const char *match,
                        const char *netbios, spn_dir_spn_t *out)
{
    spn_dir_val_t *vals = calloc(MAX_VALS, sizeof(*vals));
    struct berval **bv[16];
    int nbv = 0, i;
    size_t n = 0;
    BerElement *ber = NULL;
    char *a;

    if (!vals)
        return;
    for (a = ldap_first_attribute(ld, e, &ber); a; a = ldap_next_attribute(ld, e, ber)) {
        /* the name as a static string: a is freed at the end of this step */
        const char *name = "";
        struct berval **v;
        size_t j;
        for (j = 0; holder_attrs[j]; j++)
            if (strcasecmp(a, holder_attrs[j]) == 0)
                name = holder_attrs[j];
        if (name[0] && nbv < 16 && (v = ldap_get_values_len(ld, e, a)) != NULL) {
            bv[nbv++] = v;
            for (i = 0; v[i] && n < MAX_VALS; i++) {
                vals[n].attr = name;
                vals[n].val = v[i]->bv_val;
                vals[n].len = v[i]->bv_len;
                n++;
            }
        }
        ldap_memfree(a);
    }
    if (ber)
        ber_free(ber, 0);
    spn_dir_add_entry(out, netbios, match, vals, n);
    for (i = 0; i < nbv; i++)
        ldap_value_free_len(bv[i]);
    free(vals);
}

/* The NetBIOS name of the domain that holds dn (another domain of the
 * forest, found through the GC): its crossRef under CN=Partitions. */
static void netbios_of(spn_dir_conn_t *c, const char *dn, char *out, size_t osz)
{
    char *nb_attrs[] = { "nETBIOSName", NULL };
    char esc[600], filter[700], part[600];
    const char *nc = dn;
    LDAPMessage *res = NULL;

    out[0] = '\0';
    while (nc && strncasecmp(nc, "DC=", 3) != 0) {
        nc = strchr(nc, ',');
        if (nc)
            nc++;
    }
    if (!nc || spn_dir_filter_escape(nc, esc, sizeof(esc)) < 0)
        return;
    snprintf(filter, sizeof(filter), "(&(objectClass=crossRef)(nCName=%s)(nETBIOSName=*))", esc);
    snprintf(part, sizeof(part), "CN=Partitions,%.580s", c->config);
    search(c, c->ld, part, LDAP_SCOPE_ONELEVEL, filter, nb_attrs, 2, &res);
    if (res)
        first_value(c->ld, res, "nETBIOSName", out, osz);
    ldap_msgfree(res);
}

/* Every account whose servicePrincipalName equals match, into out.
 * Through the GC the holders' own domain entries are read when they are
 * in this domain (the GC lacks some attributes); a holder in another
 * domain of the forest is named with that domain's NetBIOS name. */
static int find(spn_dir_conn_t *c, const char *match, spn_dir_spn_t *out)
{
    char esc[800], filter[900];
    LDAPMessage *res = NULL, *e;
    int rc;

    if (spn_dir_filter_escape(match, esc, sizeof(esc)) < 0)
        return LDAP_FILTER_ERROR;
    snprintf(filter, sizeof(filter), "(servicePrincipalName=%s)", esc);
    if (c->gc) {
        rc = search(c, c->gc, "", LDAP_SCOPE_SUBTREE, filter, holder_attrs, 64, &res);
        if (!res) {     /* the GC went away: domain-wide from now on */
            ldap_unbind_ext_s(c->gc, NULL, NULL);
            c->gc = NULL;
        }
    }
    out->forest = c->gc != NULL;
    if (!c->gc) {
        rc = search(c, c->ld, c->base, LDAP_SCOPE_SUBTREE, filter, holder_attrs, 64, &res);
        if (!res)
            return rc;
        for (e = ldap_first_entry(c->ld, res); e; e = ldap_next_entry(c->ld, e))
            add_message(c->ld, e, match, c->netbios, out);
        ldap_msgfree(res);
        return LDAP_SUCCESS;
    }
    for (e = ldap_first_entry(c->gc, res); e; e = ldap_next_entry(c->gc, e)) {
        char *dn = ldap_get_dn(c->gc, e);
        LDAPMessage *own = NULL, *oe;
        if (dn)
            search(c, c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", holder_attrs, 1, &own);
        if (own && (oe = ldap_first_entry(c->ld, own)) != NULL) {
            add_message(c->ld, oe, match, c->netbios, out);
        }
        else {
            char nb[64];
            netbios_of(c, dn ? dn : "", nb, sizeof(nb));
            add_message(c->gc, e, match, nb, out);
        }
        ldap_msgfree(own);
        ldap_memfree(dn);
    }
    ldap_msgfree(res);
    return LDAP_SUCCESS;
}

int spn_dir_lookup(spn_dir_conn_t *c, const char *spn, int64_t now, spn_dir_spn_t *out)
{
    int rc, i;
    char mapped[300];

    memset(out, 0, sizeof(*out));
    snprintf(out->spn, sizeof(out->spn), "%s", spn ? spn : "");
    out->checked_at = now;
    if (!spn || strlen(spn) >= sizeof(out->spn) || !strchr(spn, '/')) {
        out->state = SPN_DIR_ERROR;
        snprintf(out->error, sizeof(out->error), "not an SPN (service/host)");
        return 0;
    }
    if (!c || !c->ld) {
        out->state = SPN_DIR_ERROR;
        snprintf(out->error, sizeof(out->error), "no directory connection");
        return -1;
    }
    rc = find(c, spn, out);
    for (i = 0; rc == LDAP_SUCCESS && out->n_holders == 0 && i < c->n_mappings; i++)
        if (spn_dir_mapped(c->mappings[i], strlen(c->mappings[i]), spn, mapped, sizeof(mapped)))
            rc = find(c, mapped, out);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        out->state = SPN_DIR_ERROR;
        snprintf(out->error, sizeof(out->error), "search failed: %s", ldap_err2string(rc));
        out->n_holders = 0;
        return is_dead(rc) ? -1 : 0;
    }
    out->state = SPN_DIR_OK;
    return 0;
}

void spn_dir_close(spn_dir_conn_t *c)
{
    if (!c)
        return;
    if (c->gc)
        ldap_unbind_ext_s(c->gc, NULL, NULL);
    if (c->ld)
        ldap_unbind_ext_s(c->ld, NULL, NULL);
    if (c->cc)
        krb5_cc_destroy(c->ctx, c->cc);
    free(c);
}

const char *spn_dir_netbios(const spn_dir_conn_t *c) { return c->netbios; }
const char *spn_dir_domain(const spn_dir_conn_t *c) { return c->domain; }
int spn_dir_has_gc(const spn_dir_conn_t *c) { return c->gc != NULL; }


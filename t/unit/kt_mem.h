/* kt_mem.h: in-memory keytabs for tests and fuzz targets.  Keys come from
 * a password (string_to_key, the principal's default salt), so a test can
 * make the same key again to seal a ticket that the keytab must open. */
#ifndef KT_MEM_H
#define KT_MEM_H

#include <krb5.h>
#include <string.h>

/* The key of princ for enctype et and password pw; 0 on success. */
static inline krb5_error_code kt_mem_key(krb5_context ctx, const char *princ, krb5_enctype et,
                                         const char *pw, krb5_keyblock *key)
{
    krb5_principal pr;
    krb5_data pwd, salt;
    krb5_error_code rc;

    if ((rc = krb5_parse_name(ctx, princ, &pr)) != 0)
        return rc;
    if ((rc = krb5_principal2salt(ctx, pr, &salt)) == 0) {
        pwd.magic = 0;
        pwd.length = (unsigned)strlen(pw);
        pwd.data = (char *)pw;
        rc = krb5_c_string_to_key(ctx, et, &pwd, &salt, key);
        krb5_free_data_contents(ctx, &salt);
    }
    krb5_free_principal(ctx, pr);
    return rc;
}

/* Adds princ (kvno, et, from pw) to kt, e.g. "MEMORY:name"; 0 on success. */
static inline krb5_error_code kt_mem_add(krb5_context ctx, krb5_keytab kt, const char *princ,
                                         krb5_enctype et, int kvno, const char *pw)
{
    krb5_keytab_entry e;
    krb5_error_code rc;

    memset(&e, 0, sizeof e);
    if ((rc = krb5_parse_name(ctx, princ, &e.principal)) != 0)
        return rc;
    e.vno = (krb5_kvno)kvno;
    if ((rc = kt_mem_key(ctx, princ, et, pw, &e.key)) == 0) {
        rc = krb5_kt_add_entry(ctx, kt, &e);
        krb5_free_keyblock_contents(ctx, &e.key);
    }
    krb5_free_principal(ctx, e.principal);
    return rc;
}

#endif

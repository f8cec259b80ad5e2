/* spn_keytab.h: a service keytab held in memory, and trial decryption of
 * tickets with its keys.  Key bytes live only in the pool the keytab was
 * loaded into, are zeroed when that pool goes, and are never rendered. */
#ifndef SPN_KEYTAB_H
#define SPN_KEYTAB_H

#include <apr_pools.h>
#include <krb5.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
    const char *principal;      /* unparsed, with realm */
    const char *name;           /* without realm */
    const char *realm;
    int kvno;
    int enctype;
    long timestamp;
    krb5_keyblock key;          /* contents in pool memory */
} spn_kt_entry_t;

typedef struct {
    const char *path;
    int n;
    spn_kt_entry_t *e;
    int status;                 /* 0 ok; -1 unreadable (see error) */
    char error[256];
} spn_keytab_t;

/* Reads the keytab at path ("FILE:" optional).  Always returns a keytab;
 * status/error tell whether it could be read. */
spn_keytab_t *spn_keytab_load(apr_pool_t *p, krb5_context ctx, const char *path);

/* What a decrypted ticket said. */
typedef struct {
    int decrypted;              /* 1 when some key fitted */
    int entry;                  /* index of the key that fitted */
    time_t authtime, starttime, endtime;
    char client[256];           /* cname@crealm */
    int have_ctime;             /* authenticator decrypted */
    time_t ctime;
} spn_ticket_t;

/* Tries every key of the ticket's enctype (whatever its kvno label, or
 * principal when any_name is set) on the ticket enc-part, then the
 * session key on the authenticator.  Fills t. */
void spn_keytab_trial(apr_pool_t *p, krb5_context ctx, const spn_keytab_t *kt,
                      int etype, const uint8_t *cipher, size_t len,
                      int auth_etype, const uint8_t *acipher, size_t alen,
                      spn_ticket_t *t);

/* "YYYYMMDDHHMMSSZ" to time_t; -1 when malformed. */
time_t spn_krb5_time(const uint8_t *s, size_t n);

#endif

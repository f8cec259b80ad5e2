/* spn_keytab.h: a service keytab held in memory, and trial decryption of
 * tickets with its keys.  Key bytes live only in the pool the keytab was
 * loaded into, are zeroed when that pool goes, and are never rendered.
 *
 * A loaded keytab is an immutable snapshot: its own krb5 context, each
 * distinct key made once (krb5_k_create_key keeps the derived keys), and a
 * verdict cache, behind a lock of its own, so that any thread may run a
 * trial on it while another thread loads the next snapshot. */
#ifndef SPN_KEYTAB_H
#define SPN_KEYTAB_H

#include <apr_pools.h>
#include <krb5.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "spn_der.h"    /* spn_krb5_time() */

typedef struct {
    const char *principal;      /* unparsed, with realm */
    const char *name;           /* without realm */
    const char *realm;
    int kvno;
    int enctype;
    long timestamp;
    krb5_keyblock key;          /* contents in pool memory */
    int dup_of;                 /* earlier entry with the same enctype and key, or -1 */
} spn_kt_entry_t;

typedef struct spn_kt_trial spn_kt_trial_t;     /* spn_trial.c */
typedef struct spn_budget spn_budget_t;

typedef struct {
    const char *path;
    int n;
    spn_kt_entry_t *e;
    int status;                 /* 0 ok; -1 unreadable (see error) */
    int why;                    /* SPN_KT_*: what is wrong with the file */
    char error[256];
    spn_kt_trial_t *trial;      /* keys and verdict cache; NULL: no trials */
    spn_budget_t *budget;       /* shared by the snapshots of a process; NULL: none */
} spn_keytab_t;

/* spn_keytab_t.why: a keytab that cannot serve, told apart (a FILE:
 * keytab's file is looked at when krb5 cannot read it). */
enum {
    SPN_KT_OK = 0,          /* read (it may still hold no keys: n == 0) */
    SPN_KT_UNSET,           /* no path */
    SPN_KT_MISSING,         /* the file does not exist */
    SPN_KT_DENIED,          /* it exists, but this process may not read it */
    SPN_KT_EMPTY_FILE,      /* a file of 0 bytes */
    SPN_KT_NOT_KEYTAB,      /* a file, readable, but not a keytab */
    SPN_KT_OTHER            /* krb5 could not read it otherwise (see error) */
};

/* Entries read from one keytab at most (a hostile or huge file stops there). */
#define SPN_KT_ENTRIES_MAX 4096

/* Reads the keytab at path ("FILE:" optional).  Always returns a keytab;
 * status/error tell whether it could be read. */
spn_keytab_t *spn_keytab_load(apr_pool_t *p, krb5_context ctx, const char *path);
/* The same without the keys: principals, kvnos, enctypes, timestamps
 * (every key.contents NULL, no trial state).  What the status page and
 * the self-checks read (spn_inventory.h keeps it in shared memory). */
spn_keytab_t *spn_keytab_inventory(apr_pool_t *p, krb5_context ctx, const char *path);

#endif

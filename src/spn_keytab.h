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
    char error[256];
    spn_kt_trial_t *trial;      /* keys and verdict cache; NULL: no trials */
    spn_budget_t *budget;       /* shared by the snapshots of a process; NULL: none */
} spn_keytab_t;

/* Reads the keytab at path ("FILE:" optional).  Always returns a keytab;
 * status/error tell whether it could be read. */
spn_keytab_t *spn_keytab_load(apr_pool_t *p, krb5_context ctx, const char *path);

/* Why a trial was not run to its end (spn_ticket_t.shed). */
enum { SPN_SHED_NONE = 0, SPN_SHED_BUDGET, SPN_SHED_TOO_LARGE, SPN_SHED_WORK };

/* The largest ticket enc-part that is trial-decrypted.  Windows' default
 * MaxTokenSize (48,000 bytes since Windows 8 / Server 2012) bounds the
 * whole token its clients send; the ticket is a part of it. */
#define SPN_TICKET_CIPHER_MAX 48000
/* Trial work one diagnosis may do, in bytes decrypted (a first-block
 * check counts SPN_TRIAL_BLOCK_COST): about 1 ms of the slowest enctype;
 * past it the trial stops (SPN_SHED_WORK). */
#define SPN_TRIAL_MAX_BYTES   (128 * 1024)
#define SPN_TRIAL_BLOCK_COST  16
/* Per process: bytes of trial decryption per second, and the burst. */
#define SPN_BUDGET_RATE       (8 * 1024 * 1024)
#define SPN_BUDGET_BURST      (2 * 1024 * 1024)

/* What a decrypted ticket said. */
typedef struct {
    int decrypted;              /* 1 when some key fitted */
    int entry;                  /* index of the key that fitted */
    time_t authtime, starttime, endtime;
    char client[256];           /* cname@crealm */
    int have_ctime;             /* authenticator decrypted */
    time_t ctime;
    int shed;                   /* SPN_SHED_*: no verdict, the trial stopped */
    int cached;                 /* the ticket's verdict came from the cache */
    size_t tried;               /* distinct keys tried */
} spn_ticket_t;

/* Tries the keys of the ticket's enctype on the ticket enc-part: first
 * the key labelled sname (no realm) with the ticket's kvno (-1: none),
 * then the others labelled sname, then every other key (whatever its
 * label), each distinct key once; then the session key on the
 * authenticator.  The ticket part's verdict is kept per (ticket bytes,
 * sname, kvno, enctype) in the snapshot, so the same ticket sent again
 * costs one hash and the authenticator.  Fills t. */
void spn_keytab_trial(apr_pool_t *p, const spn_keytab_t *kt, const char *sname, long kvno,
                      int etype, const uint8_t *cipher, size_t len,
                      int auth_etype, const uint8_t *acipher, size_t alen,
                      spn_ticket_t *t);

/* Empties the snapshot's verdict cache (benchmarks, tests). */
void spn_keytab_forget(const spn_keytab_t *kt);

/* A token bucket of trial bytes, shared by threads (its own lock). */
spn_budget_t *spn_budget_make(apr_pool_t *p, uint64_t rate, uint64_t burst);
/* Takes n bytes at time now_us (microseconds); 0 when there are not enough. */
int spn_budget_take(spn_budget_t *b, uint64_t n, int64_t now_us);

/* Internal to spn_keytab.c / spn_trial.c: sets up kt->trial after load. */
void spn_trial_setup(apr_pool_t *p, spn_keytab_t *kt);

#endif

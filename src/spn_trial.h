/* spn_trial.h: trial decryption of a ticket with a keytab snapshot's
 * keys, bounded and cached (spn_trial.c). */
#ifndef SPN_TRIAL_H
#define SPN_TRIAL_H

#include "spn_keytab.h"
#include "spn_auth.h"

/* Why a trial was not run to its end (spn_ticket_t.shed). */
enum { SPN_SHED_NONE = 0, SPN_SHED_BUDGET, SPN_SHED_TOO_LARGE, SPN_SHED_WORK, SPN_SHED_BUSY };

/* The largest ticket enc-part that is trial-decrypted.  Windows' default
 * MaxTokenSize (48,000 bytes since Windows 8 / Server 2012) bounds the
 * whole token its clients send; the ticket is a part of it. */
#define SPN_TICKET_CIPHER_MAX 48000
/* Trial work one diagnosis may do, in bytes decrypted (a first-block
 * check counts SPN_TRIAL_BLOCK_COST): about 1 ms of the slowest enctype;
 * past it the trial stops (SPN_SHED_WORK). */
#define SPN_TRIAL_MAX_BYTES   (128 * 1024)
#define SPN_TRIAL_BLOCK_COST  16
/* Trials on one keytab snapshot at once (per process): one at work and
 * at most seven waiting for it.  A further one is shed (SPN_SHED_BUSY)
 * rather than queued, so a request waits for at most seven trials' bounded
 * work (each within SPN_TRIAL_MAX_BYTES, about 1 ms), however many forged
 * tickets are in flight; a burst of real failures (a browser's parallel
 * connections, each a cache hit once one is judged) stays well within. */
#define SPN_TRIAL_CONCURRENT  8
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
    spn_auth_t auth;            /* what the authenticator said (auth.parsed) */
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

/* Tests: counts n more trials as running on kt's snapshot (n < 0: fewer). */
void spn_keytab_trial_occupy(const spn_keytab_t *kt, int n);

/* Empties the snapshot's verdict cache (benchmarks, tests). */
void spn_keytab_forget(const spn_keytab_t *kt);

/* A token bucket of trial bytes, shared by threads (its own lock). */
spn_budget_t *spn_budget_make(apr_pool_t *p, uint64_t rate, uint64_t burst);
/* Takes n bytes at time now_us (microseconds); 0 when there are not enough. */
int spn_budget_take(spn_budget_t *b, uint64_t n, int64_t now_us);

/* Internal to spn_keytab.c / spn_trial.c: sets up kt->trial after load. */
void spn_trial_setup(apr_pool_t *p, spn_keytab_t *kt);

#endif

/* spn_store.h: the failure history and counters, in one flat block of
 * memory the caller provides (shared memory in the module, malloc in the
 * tests and the CLI).  Fixed-size records, no pointers inside, so every
 * process that maps the block reads the same thing.  Not locked here: the
 * caller serialises writers (a global mutex in the module). */
#ifndef SPN_STORE_H
#define SPN_STORE_H

#include "spn_client.h"
#include "spn_diag.h"

#include <stdint.h>

struct spn_dir_ask_s;           /* spn_dirdiag.h */

/* One failed exchange, as kept.  Strings are NUL-terminated, truncated. */
typedef struct {
    uint64_t seq;               /* 1, 2, ...; 0 = empty slot */
    int64_t time;               /* seconds since the epoch */
    int32_t cause, etype, kvno, proxied;   /* kvno -1, etype 0: none; proxied 2: by IIS */
    int32_t format, mech_id;    /* spn_format_t, spn_mech_t of the token */
    int32_t too_large, field_size, field_limit, partial;   /* token-too-large (spn_size.h) */
    char ref[48];               /* "ABCD-EFGH@node" (spn_node.h) */
    char client[48];
    char host[128];
    char spn[256];
    char realm[96];
    char mech[16];
    char scope[128];            /* the vhost:port + location that saw it */
    int32_t cb_state;           /* SPN_CB_* (channel binding), shown on ?ref= only */
    uint8_t cb_client[16], cb_expected[16];   /* expected: zeros when unknown */
    int32_t base_cause;         /* the cause without the directory's facts */
    int32_t kt_kvno_max;        /* the newest kvno the keytab held for spn; -1 none */
} spn_failure_t;

/* Log-line rate limiting, per cause: at most SPN_LOG_BURST lines per
 * SPN_LOG_WINDOW seconds; the rest are counted and reported by the next
 * line that gets through. */
#define SPN_LOG_BURST  10
#define SPN_LOG_WINDOW 60

typedef struct {
    int64_t window_start;
    uint32_t in_window;
    uint32_t suppressed;
} spn_ratelimit_t;

/* One live-probe result (SPNCheckProbe), written by the probing child.
 * The module has one slot per probe target of the configuration
 * (spn_store_dims_t.probes); SPN_PROBE_SLOTS is spn_store_init's default
 * (tests, the CLI). */
#define SPN_PROBE_SLOTS 64
typedef struct {
    int64_t time;
    int32_t ok, cause, kvno, etype;
    char scope[128];
    char spn[256];
    char message[384];
} spn_probe_slot_t;

/* Failures over time, by cause, for the status page's chart: one-minute
 * buckets for the last hour and one-hour buckets for the last day, each
 * stamped with its bucket number (time / width) so a stale slot reads as
 * empty.  Counted at spn_store_add, so they do not depend on how much of
 * the ring SPNCheckHistory keeps. */
#define SPN_HIST_MINUTES 60
#define SPN_HIST_HOURS   24
typedef struct {
    int64_t bucket;                         /* time / width; -1 = never used */
    uint32_t n[SPN_C_COUNT];
} spn_bucket_t;

/* Events marked on the chart: keytab reloads (a keytab file a process
 * re-read because it changed) and probe findings (a probe run whose
 * outcome differs from the previous run's).  A small ring, newest at
 * (next_event - 1) % SPN_EVENT_SLOTS. */
#define SPN_EVENT_SLOTS 32
typedef enum {
    SPN_EV_NONE = 0,
    SPN_EV_KEYTAB_RELOAD = 1,   /* what: the keytab path */
    SPN_EV_PROBE_FINDING = 2,   /* cause: the first finding's; what: its SPN */
    SPN_EV_PROBE_OK = 3,        /* every SPN checks out again */
    SPN_EV_PROBE_ERROR = 4      /* the identity could not authenticate */
} spn_event_kind_t;
typedef struct {
    int64_t time;
    uint64_t key;               /* what identifies it (dedup across processes) */
    int32_t kind, cause;
    uint32_t count;             /* probe findings in that run */
    char what[132];
} spn_event_t;

/* Successful Negotiate/NTLM sign-ins by mechanism, per configured scope
 * (spn_mechcount.h): slot i is the i-th scope of the configuration, named
 * so that a restart into another configuration starts it afresh (a
 * graceful restart that changes the number of scopes keeps a scope's
 * counts by its name: spn_store_migrate).  As many slots as the
 * configuration has scopes (spn_store_dims_t.mechs, up to
 * SPNCheckMaxScopes); SPN_MECH_SCOPES is spn_store_init's default.
 * Counted with atomic adds, without the lock. */
#define SPN_MECH_SCOPES 64
#define SPN_TOKEN_SEEN 256          /* slots of spn_store_t.token_seen */
#define SPN_TOKEN_SEEN_SECONDS 120  /* how long a token vouches for its client */
enum { SPN_MC_KRB5 = 0, SPN_MC_NTLM, SPN_MC_OTHER, SPN_MC_N };
/* Kerberos successes by the ticket's enctype (read from the AP-REQ, not
 * decrypted): a bounded set. */
enum { SPN_ET_AES256 = 0, SPN_ET_AES128, SPN_ET_AES_SHA2, SPN_ET_RC4, SPN_ET_DES, SPN_ET_OTHER,
       SPN_ET_N };
/* ... and the sign-in funnel of the scope (issue 20): tokenless first
 * legs, connections that then gave up, requests that carried a token by
 * mechanism, failures by cause, NTLM successes with an NTLMv1 response. */
typedef struct {
    char scope[64];                         /* server label + location, cut; "" unused */
    uint64_t label_id;                      /* the whole label's hash (spn_store_label_id):
                                               with the cut name, what names the slot */
    uint64_t n[SPN_MC_N];                   /* successes by mechanism */
    uint64_t first_legs, gave_up;
    uint64_t tokens[SPN_MC_N];
    uint64_t failures[SPN_C_COUNT];
    uint64_t etypes[SPN_ET_N];
    uint64_t ntlmv1;
} spn_mech_slot_t;
/* Directory facts (issue 11): one slot per SPN, the configured SPNs
 * pinned, the SPNs failures asked for in the rest (least recently used
 * goes); and a small queue of SPNs wanted by failures, which the
 * watchdog's lookup takes.  A client decides which SPN its failure asks
 * for, so: the queue is capped (SPN_WANT_SLOTS; more are dropped and
 * counted), an SPN is looked up at most once per SPN_DIR_REQUERY seconds
 * whatever the answer (a miss and an error are cached like a hit), and at
 * most SPN_DIR_BUDGET wanted SPNs per SPN_DIR_REQUERY seconds in all.
 * And one client (spn_store_client_key: an IPv4 address, an IPv6 /64)
 * gets a fair share at most: SPN_WANT_SHARE queued SPNs, a full queue
 * makes room for a client holding fewer than the one holding the most,
 * and SPN_WANT_SHARE of each SPN_DIR_BUDGET lookups, the least served
 * client's first. */
#define SPN_DIR_CONF_MAX 64     /* spn_store_init's default of configured SPNs (both
                                   forms) looked up, pinned: the module has one slot
                                   per configured SPN (spn_store_dims_t.dir_conf) */
#define SPN_WANT_SLOTS  16
/* Directory slots: room for every configured SPN and a full queue of
 * wanted ones besides (dir_conf + SPN_WANT_SLOTS): with fewer, pinned
 * slots left none for what failures want (dropped after the lookup) and
 * configured SPNs evicted each other every run.  Found through a hash
 * index (spn_store_t.off_dirhash), not a walk over every slot. */
#define SPN_DIR_REQUERY 60
#define SPN_DIR_BUDGET  10
#define SPN_WANT_SHARE  4       /* one client's share of the queue and of the budget */
#define SPN_CLIENT_KEY  48
typedef struct {
    int64_t tried;              /* last lookup attempt; 0 = empty slot */
    int64_t used;               /* last wanted or read (LRU) */
    int32_t pinned;             /* a configured SPN: never evicted */
    int32_t hnext;              /* the next slot (+ 1) in its index bucket, 0 none */
    spn_dir_spn_t f;            /* the newest answer; an error keeps older holders */
} spn_dir_slot_t;
typedef struct {
    int64_t since;              /* 0 = empty */
    char spn[256];
    char client[SPN_CLIENT_KEY];    /* who wanted it (spn_store_client_key) */
} spn_want_t;

/* The dimensions of a block, which the module takes from its configuration
 * at post_config: the failures kept (SPNCheckHistory), the scopes counted
 * (mech slots), the probe targets, the configured SPNs the directory
 * looks up.  A graceful restart that changes any of them migrates the
 * history into a block of the new dimensions (spn_store_migrate). */
typedef struct {
    uint32_t capacity, mechs, probes, dir_conf;
} spn_store_dims_t;

/* The block's layout: bump it whenever spn_store_t, spn_failure_t,
 * spn_probe_slot_t, spn_bucket_t, spn_event_t or the cause numbers change.  A retained block whose
 * header differs (version, sizes, SPN_C_COUNT) is not reused after a
 * graceful restart: its counters would land on other causes. */
#ifndef SPN_STORE_LAYOUT_TEST_BUMP
#define SPN_STORE_LAYOUT 11u  /* 5: causes 17-19; 6: 80 directory slots; 7: wanted by whom;
                                 8: the funnel, gave-up clients (issue 20);
                                 9: references name their node (ref[48]);
                                 10: sections sized from the configuration (issue 21);
                                 11: a scope slot named by its whole label's hash and
                                     its first 63 bytes (was 183) */
#else
#define SPN_STORE_LAYOUT 1003u   /* test-only build: another layout (t/layout.t) */
#endif

typedef struct {
    /* magic, version and capacity stay first in every layout */
    uint32_t magic, version;
    uint32_t capacity;
    uint32_t n_causes;                      /* SPN_C_COUNT */
    uint32_t header_size;                   /* sizeof(spn_store_t) */
    uint32_t record_size;                   /* sizeof(spn_failure_t) */
    /* the sections after the header: counts, and offsets from the block's
     * start (spn_store_mechs(s), ...); no pointers, every process maps the
     * block at its own address */
    uint32_t n_mechs, n_probe_slots;        /* slots of each */
    uint32_t n_dir_slots, dir_conf;         /* dir_conf + SPN_WANT_SLOTS; configured */
    uint32_t n_dirhash, dir_used;           /* index buckets (a power of 2); slots used */
    uint64_t off_mechs, off_probes, off_dir, off_dirhash, off_ring;
    int64_t started;                        /* when the block was made */
    uint64_t next_seq;                      /* seq of the next record */
    uint64_t counters[SPN_C_COUNT];         /* every failure, by cause */
    uint64_t tokenless;                     /* first legs (not failures); atomic adds */
    spn_ratelimit_t rl[SPN_C_COUNT];
    int64_t probe_time;                     /* last probe run, 0 = never */
    uint64_t probe_runs;
    uint32_t n_probes, pad2;
    char probe_error[256];                  /* the identity could not authenticate */
    spn_bucket_t minutes[SPN_HIST_MINUTES]; /* slot = bucket % SPN_HIST_MINUTES */
    spn_bucket_t hours[SPN_HIST_HOURS];
    uint64_t next_event;                    /* events recorded so far */
    uint64_t probe_key;                     /* the last probe run's findings, hashed */
    spn_event_t events[SPN_EVENT_SLOTS];
    /* connections that got a tokenless 401 and never sent a token, by
     * client family and OS (spn_client.h); atomic adds, no lock */
    uint64_t gave_up[SPN_CL_N][SPN_OS_N];
    /* clients (address + User-Agent, hashed) that sent a token lately, so
     * that a connection whose client went on on another connection (Chromium
     * leaves HTTP/2 for the Negotiate legs) does not count as gave up */
    uint64_t token_seen[SPN_TOKEN_SEEN];
    /* the directory (SPNCheckDirectory) */
    int64_t dir_time;                       /* last run of the lookup, 0 = never */
    int64_t dir_budget_start;
    uint32_t dir_budget_used;
    int32_t dir_state;                      /* spn_dir_state_t of the last connection */
    uint64_t dir_runs, dir_lookups, dir_dropped;
    char dir_error[256];                    /* why the last connection failed */
    spn_want_t want[SPN_WANT_SLOTS];
    char dir_served[SPN_DIR_BUDGET][SPN_CLIENT_KEY];  /* whose wanted SPNs this budget took */
    /* then, at the offsets above: n_mechs spn_mech_slot_t (successes by
     * mechanism, spn_mechcount.h), n_probe_slots spn_probe_slot_t,
     * n_dir_slots spn_dir_slot_t, n_dirhash int32_t bucket heads (slot + 1,
     * 0 none) and capacity spn_failure_t (the ring) */
} spn_store_t;

/* The sections of a block (or of a copy: spn_store_copy). */
static inline spn_mech_slot_t *spn_store_mechs(const spn_store_t *s)
{
    return (spn_mech_slot_t *)(void *)((char *)(uintptr_t)s + s->off_mechs);
}
static inline spn_probe_slot_t *spn_store_probes(const spn_store_t *s)
{
    return (spn_probe_slot_t *)(void *)((char *)(uintptr_t)s + s->off_probes);
}
static inline spn_dir_slot_t *spn_store_dir(const spn_store_t *s)
{
    return (spn_dir_slot_t *)(void *)((char *)(uintptr_t)s + s->off_dir);
}
static inline spn_failure_t *spn_store_ring(const spn_store_t *s)
{
    return (spn_failure_t *)(void *)((char *)(uintptr_t)s + s->off_ring);
}

/* Bytes needed for a store of these dimensions. */
size_t spn_store_size_dims(const spn_store_dims_t *d);
/* Formats mem (zeroed) as an empty store.  Returns it. */
spn_store_t *spn_store_init_dims(void *mem, const spn_store_dims_t *d, int64_t now);
/* Why mem (size bytes, as mapped) does not hold a store of these
 * dimensions and of this build's layout: "capacity 1000 -> 500", "layout
 * 2 -> 3", "scopes 64 -> 1000", ... into out; NULL when it does. */
const char *spn_store_mismatch_dims(const spn_store_t *s, size_t size, const spn_store_dims_t *d,
                                    char *out, size_t outsz);
/* 1 when s (size bytes) is a store of this build's layout whatever its
 * dimensions: spn_store_migrate can read it. */
int spn_store_migratable(const spn_store_t *s, size_t size);
/* Copies the history of from (spn_store_migratable) into to, a block of
 * other dimensions just made (spn_store_init_dims) whose mech slots are
 * named already (spn_mech_name_slot): counters, rate limits, charts,
 * events, the funnel's totals, the directory's state and facts (as many
 * as fit, configured ones first), the probe's last results (as many as
 * fit), the newest failures (as many as fit), and each scope's counts
 * into the slot of the same name.  Linear in the sizes.  Returns 0. */
int spn_store_migrate(apr_pool_t *p, spn_store_t *to, const spn_store_t *from);
/* A block of the same dimensions kept across a graceful restart: the
 * first of the n scope labels (the new configuration's, in its order)
 * whose mech slot in o would hold counts that are not its own: named for
 * another label, or for a label another of labels also cuts to (a slot
 * keeps sizeof(scope) - 1 bytes of it: which of the two it counted is
 * not known).  -1 when every slot is its own or unnamed.  Linear. */
int spn_store_renamed(apr_pool_t *p, const spn_store_t *o, const char *const *labels, int n);
/* The hash of a whole scope label a slot keeps beside its cut name
 * (FNV-1a, never 0), and 1 when slot m is named for the scope labelled
 * scope (its cut name and that hash). */
uint64_t spn_store_label_id(const char *scope);
int spn_store_slot_is(const spn_mech_slot_t *m, const char *scope);

/* The same with the default sections (SPN_MECH_SCOPES, SPN_PROBE_SLOTS,
 * SPN_DIR_CONF_MAX): tests and the CLI. */
size_t spn_store_size(uint32_t capacity);
spn_store_t *spn_store_init(void *mem, uint32_t capacity, int64_t now);
int spn_store_valid(const spn_store_t *s, size_t size, uint32_t capacity);
const char *spn_store_mismatch(const spn_store_t *s, size_t size, uint32_t capacity,
                               char *out, size_t outsz);

/* Records one failure (f->seq is assigned), counts it, and decides
 * whether it may be logged: returns 1 to log; *suppressed is then the
 * number of lines of this cause held back since the last one logged. */
int spn_store_add(spn_store_t *s, spn_failure_t *f, uint32_t *suppressed);

/* Records an event at time now.  With key != 0, an event of the same
 * kind, key and what already in the ring is not recorded again (every
 * child re-reads a changed keytab; the first one records it).  Returns 1
 * when recorded. */
int spn_store_event(spn_store_t *s, int kind, int cause, uint32_t count, uint64_t key,
                    const char *what, int64_t now);
/* The i-th most recent event, or NULL. */
const spn_event_t *spn_store_event_recent(const spn_store_t *s, uint32_t i);
/* Failures of the bucket that holds time t, by cause (n[SPN_C_COUNT]),
 * from the minute (width 60) or hour (width 3600) buckets; zeros when
 * that bucket is no longer (or not yet) held.  Returns the total. */
uint64_t spn_store_bucket(const spn_store_t *s, int width, int64_t t, uint32_t *n);

/* Directory facts.  Call with the writers' lock held; the gets copy out.
 * Nothing here matches a pattern or looks at what a client sent beyond
 * copying and comparing fixed-size names: which SPNs a failure may ask
 * about is decided before the lock (spn_dir_ask).
 * spn_store_want: client (spn_store_client_key; NULL: "") asks for spn at
 * now: 1 queued, 0 not needed (looked up less than SPN_DIR_REQUERY ago,
 * or queued already), -1 not taken (not an SPN we look up, the client
 * holds its share of the queue, or the queue is full of clients holding
 * no more than it: counted).  When the queue is full and client holds
 * fewer than the client holding the most, that client's newest is dropped
 * (counted) to make room. */
int spn_store_want(spn_store_t *s, const char *spn, const char *client, int64_t now);
/* The next wanted SPN into out (n bytes), taken off the queue, when the
 * budget allows one more lookup now: the oldest of the client served
 * least in this budget's window, a client served SPN_WANT_SHARE times
 * waiting for the next window: 1, else 0. */
int spn_store_want_next(spn_store_t *s, int64_t now, char *out, size_t n);
/* The client key of address ip: an IPv4 address as it is, an IPv6 one as
 * its /64 ("2001:db8:1:2::/64": one host has a /64 to pick from), anything
 * else as it is, truncated.  Into out (n bytes); returns out. */
char *spn_store_client_key(const char *ip, char *out, size_t n);
/* A wanted SPN spn_store_want_next took off the queue and its run did not
 * reach (cut short): back on the queue, first in line, its lookup given
 * back to the budget.  1 queued, 0 queued already, -1 the queue is full
 * (dropped: counted in dir_dropped).  No wanted SPN is dropped uncounted. */
int spn_store_want_back(spn_store_t *s, const char *spn, int64_t now);
/* How many wanted SPNs wait on the queue. */
uint32_t spn_store_want_queued(const spn_store_t *s);
/* Stores a lookup's answer (f->spn names it); pinned for a configured
 * SPN.  An error keeps the holders of an earlier answer (marked with the
 * error).  Returns 0, -1 when every slot is pinned (an SPN that is not
 * pinned is then dropped: counted in dir_dropped). */
int spn_store_dir_put(spn_store_t *s, const spn_dir_spn_t *f, int pinned, int64_t now);
/* Unpins every slot (before a run over the configured SPNs). */
void spn_store_dir_unpin(spn_store_t *s);
/* The facts about spn, copied into out: 1, or 0 (none yet). */
int spn_store_dir_get(const spn_store_t *s, const char *spn, spn_dir_spn_t *out);
/* The facts held about spn (exactly, without case), in place: for a copy
 * (the status page's).  NULL when none. */
const spn_dir_spn_t *spn_store_dir_peek(const spn_store_t *s, const char *spn);
/* 1 when spn was looked up less than SPN_DIR_REQUERY seconds before now. */
int spn_store_dir_fresh(const spn_store_t *s, const char *spn, int64_t now);

/* A failure meets the directory, a (spn_dir_ask, made before the lock)
 * saying what it asked for: those SPNs are wanted for client, and the
 * facts already held about the first, when a->refine, are copied into
 * facts (never a lookup).  Lock held.  Returns 1 when facts were copied;
 * the caller refines d with them (spn_dir_refine) after unlocking. */
int spn_store_dir_note(spn_store_t *s, const struct spn_dir_ask_s *a, const char *client,
                       int64_t now, spn_dir_spn_t *facts);
/* A record shown later (?ref=): d rebuilt from f is refined with facts
 * (the held facts about spn_dir_ask's first, when a->refine; NULL: none)
 * from f's base cause.  Pure, no store.  Returns 1 when facts refined d. */
int spn_dir_refine_failure(spn_diag_t *d, const spn_failure_t *f, const char *account,
                           const spn_dir_spn_t *facts);
/* The same with the facts s holds about the SPN f asked for, taken as
 * asked (no ours: nothing matched): for a copy of the store (the status
 * page's) or under the lock.  Returns 1 when facts refined d. */
int spn_store_dir_refine_failure(const spn_store_t *s, spn_diag_t *d, const spn_failure_t *f,
                                 const char *account);

/* Fills f from a diagnosis; strings are truncated to fit. */
void spn_failure_from_diag(spn_failure_t *f, const spn_diag_t *d, int64_t now,
                           const char *ref, const char *client, const char *host,
                           const char *scope, int proxied);

/* The other way: a diagnosis rebuilt from a record (for ?ref=). */
void spn_diag_from_failure(spn_diag_t *d, const spn_failure_t *f, const spn_service_t *svc);

/* Newest first: the i-th most recent record, or NULL past the end. */
const spn_failure_t *spn_store_recent(const spn_store_t *s, uint32_t i);
/* What a reader needs, copied out (call it under the writers' lock):
 * the header and its sections (counters, probe results, each scope's
 * counts, the directory's facts, which the accessors above read; not the
 * ring: never call spn_store_recent or _find on the copy) into p, and the
 * max newest records, newest first, into recent; *n says how many.  The
 * ring itself can be large (SPNCheckHistory); readers never copy it. */
spn_store_t *spn_store_copy(apr_pool_t *p, const spn_store_t *s, spn_failure_t *recent,
                            uint32_t max, uint32_t *n);
/* The same in pieces, so that a large configuration's copy never holds
 * the lock long: the piece from offset from (0: the header first) into
 * head (s->off_ring bytes), whole records, about SPN_STORE_COPY_PIECE
 * bytes; returns where the next starts, s->off_ring when done.  Each call
 * under the lock; pieces may be of different moments (each record is
 * whole; a walk of the directory's index in the copy is bounded).  And the
 * max newest records, newest first: how many. */
#define SPN_STORE_COPY_PIECE (256 * 1024)
uint64_t spn_store_copy_part(spn_store_t *head, const spn_store_t *s, uint64_t from);
uint32_t spn_store_recent_copy(const spn_store_t *s, spn_failure_t *recent, uint32_t max);

/* The record with this reference, or NULL (no longer held): "ID@node"
 * exactly, or a bare "ID" (spn_ref_matches). */
const spn_failure_t *spn_store_find(const spn_store_t *s, const char *ref);

#endif

/* spn_dirdiag.h: a diagnosis refined by what the directory says about the
 * SPN the client asked for (issue 11; spn_dirdiag.c, pure).  The facts
 * (spn_dir_spn_t) come from the shared store or the CLI's own lookup,
 * never from a lookup on a request's path. */
#ifndef SPN_DIRDIAG_H
#define SPN_DIRDIAG_H

#include "spn_diag.h"
#include "spn_dir.h"

#define SPN_DIR_SPN_MAX 256     /* sizeof(spn_dir_spn_t.spn) */
#define SPN_DIR_HOST_MAX 253    /* RFC 1123 (and 1035): a host name's length... */
#define SPN_DIR_LABEL_MAX 63    /* ...and a label's */

/* 1 when s may be looked up: SERVICE/host[:port][/name], printable ASCII
 * without spaces, quotes, backslashes, '*', '(' or ')' (no LDAP filter
 * metacharacters even before escaping), shorter than SPN_DIR_SPN_MAX. */
int spn_dir_spn_ok(const char *s);

/* Which SPNs a failure may make the server look up (and whose facts its
 * page may show): only names this service answers to.  A client chooses
 * the SPN its failure asks for (a forged ticket's sname, NTLM's
 * MsvAvTargetName, the Host header), and the page would otherwise be an
 * oracle for who holds any SPN in the forest (cifs/dc1, MSSQLSvc/...).
 * svc: the scope's configured SPNs (may be NULL); names: the virtual
 * host's ServerName and ServerAlias values ("*" and "?" wildcards).
 * literal: 1 when a wildcard makes no name ours (the fix: a client can
 * invent any name under `ServerAlias *.example.com`, and no step changes
 * the directory or this server for a name nobody configured); 0 when it
 * does, as httpd matches them (the directory's look-ups, read-only). */
typedef struct spn_dir_ours_s {
    const spn_service_t *svc;
    const char *const *names;
    int n_names;
    int literal;
} spn_dir_ours_t;

/* 1 when spn is ours: its service class is HTTP or a configured SPN's, and
 * its host (":port" and "/name" stripped) is a configured SPN's host or
 * one of the names, either name form (a host without a dot matches the
 * first label of one with a dot), case-insensitively; a name with a
 * wildcard only when ours->literal is 0.  A host longer than
 * RFC 1123 allows (spn_dir_host_ok) is never ours, and is refused before
 * any wildcard is tried.  Linear in the host (spn_glob_ci); never call it
 * under a lock other requests wait on: spn_dir_ask decides before. */
int spn_dir_ours(const char *spn, const spn_dir_ours_t *ours);

/* 1 when host h (hn bytes) is at most SPN_DIR_HOST_MAX bytes, none empty,
 * and no label (between dots) is longer than SPN_DIR_LABEL_MAX. */
int spn_dir_host_ok(const char *h, size_t hn);

/* 1 when s (n bytes) matches pattern p (m bytes; "*" any run, "?" one
 * byte), ignoring ASCII case.  At most (n + 1) * (m + 1) + m steps (see
 * spn_dirdiag.c), counted into *steps unless it is NULL (a test hook). */
int spn_glob_ci(const char *p, size_t m, const char *s, size_t n, unsigned long *steps);

/* What a failure may ask of the directory, decided before any lock
 * (spn_dir_ask): the SPNs it asked for (spn_dir_asked) that are ours,
 * normalised, to be wanted, and whether the first is exactly the SPN d
 * asked for (refine: its facts may refine d).  pooled[i]: no literal
 * name makes spn[i] ours (only a wildcard ServerAlias does, or ours is
 * NULL: the admin's look-up of a name this site does not answer to), so
 * a client may invent as many as it likes: such SPNs are wanted under
 * one key for every client (SPN_WANT_POOL), one fair share in all, and a
 * client with many addresses gets no more of them than one. */
typedef struct spn_dir_ask_s {
    int n;
    int refine;
    char spn[2][SPN_DIR_SPN_MAX];
    int pooled[2];
} spn_dir_ask_t;

/* The client key under which every client's pooled SPNs are wanted: no
 * address gives it (spn_store_client_key). */
#define SPN_WANT_POOL "*"

/* Fills a for d's failure (host: the Host the client asked for); ours as
 * for spn_dir_ours (NULL: every SPN, taken as asked).  Normalised: a
 * ":port" or "/name" part is dropped unless a configured SPN (ours->svc)
 * is that very name, so HTTP/web01:1, HTTP/web01:2 and HTTP/web01/x are
 * all HTTP/web01 (one queue slot, one lookup), and a failure that asked
 * for such a variant is not refined with the facts of another name.
 * Pure and linear; all the pattern matching is here.  Returns a->n. */
int spn_dir_ask(spn_dir_ask_t *a, const spn_diag_t *d, const char *host,
                const spn_dir_ours_t *ours);

/* The SPNs whose facts refine d: the one the client asked for (the
 * ticket's; HTTP/<host> for NTLM and other ticketless failures, host
 * being the Host the client asked for, port stripped), then its other
 * name form (FQDN <-> NetBIOS, the NetBIOS form from d->netbios or the
 * first label; the FQDN form from d->fqdn when its first label matches).
 * Writes up to 2 into out; returns how many (0 when none is lookupable). */
int spn_dir_asked(const spn_diag_t *d, const char *host, char out[2][SPN_DIR_SPN_MAX]);

/* 1 when the holder is the service account: svc_account "DOM\sam",
 * "sam" or "sam@REALM" against the holder's sam, case-insensitively. */
int spn_dir_is_account(const spn_dir_holder_t *h, const char *svc_account);

/* The keys keytab kt (NULL, or not read: none) holds for spn, by name
 * without realm: how many (returned), the newest kvno (*kvno_max, -1
 * when none) and whether one has an enctype a holder with
 * msDS-SupportedEncryptionTypes enctypes gets tickets in (*allowed). */
int spn_dir_keytab_keys(const spn_keytab_t *kt, const char *spn, int32_t enctypes,
                        int *kvno_max, int *allowed);

/* Refines d with f, the facts about the SPN the client asked for
 * (spn_dir_asked's first; NULL or not OK: d is left as it is):
 *   ntlm-fallback -> spn-not-registered (no holder), spn-duplicate (two),
 *                    or stays, its reasons ranked client side first;
 *   spn-wrong-account, kvno-mismatch -> spn-duplicate (two holders);
 *   spn-wrong-account, held by the service account -> keytab-stale;
 *   kvno-mismatch, held by another account -> spn-wrong-account;
 * and records the holders for the page (AD's kvno, enctypes, the path).
 * svc_account may be NULL (then no holder is taken for the service's). */
void spn_dir_refine(spn_diag_t *d, const char *svc_account, const spn_dir_spn_t *f);

/* spn_dir_refine with the facts, among facts[0..n), about the SPN d asked
 * for (spn_dir_asked with host): the CLI's entry point (diagnose with
 * --server).  Returns 1 when d was refined. */
int spn_dir_refine_from(spn_diag_t *d, const char *svc_account, const char *host,
                        const spn_dir_spn_t *facts, int n);

/* The condition a cause table line may start with ("?mapped ..."): 1 when
 * it holds for d, 0 when not, -1 when name is no condition. */
int spn_dir_condition(const spn_diag_t *d, const char *name, size_t n);

#endif

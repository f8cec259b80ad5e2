/* mod_spncheck_store.h: the failure history and counters in shared memory
 * (mod_spncheck_store.c), a leaf: it needs only the module record. */
#ifndef MOD_SPNCHECK_STORE_H
#define MOD_SPNCHECK_STORE_H

#include "mod_spncheck_config.h"
#include "spn_store.h"

/* pre_config, post_config (the block, sized by dims: SPNCheckHistory and
 * the configuration's scopes, probe targets and configured SPNs, and its
 * mutex; after a graceful restart into other dimensions the history moves
 * into the new block, each scope's counts by its label, labels[i] being
 * scope i's) and child_init (attach). */
void spncheck_store_register(apr_pool_t *p);
int spncheck_store_post_config(apr_pool_t *pconf, server_rec *s, const spn_store_dims_t *dims,
                               const char *const *labels, int n_labels);
void spncheck_store_child_init(apr_pool_t *p, server_rec *s);

/* Records a failure; returns 1 when it may be logged (rate limit), with
 * *suppressed lines of its cause held back before it. */
int spncheck_record(request_rec *r, const spn_diag_t *d, const char *ref, int proxied,
                    uint32_t *suppressed);
void spncheck_count_tokenless(void);

/* Writers other than the above (the probe): the block, NULL without
 * shared memory; lock it to write. */
spn_store_t *spncheck_store(void);
int spncheck_store_lock(void);
void spncheck_store_unlock(void);

/* An event for the status page's chart (spn_store_event: deduplicated by
 * kind, key and what); takes the lock.  A no-op without a store. */
void spncheck_store_event(int kind, int cause, uint32_t count, uint64_t key, const char *what);

/* Readers: the header and the newest max records (newest first, *n of
 * them) copied into p, or NULL without a store; one record by reference,
 * copied, or NULL when no longer held. */
spn_store_t *spncheck_store_copy(apr_pool_t *p, uint32_t max, const spn_failure_t **recent,
                                 int *n);
const spn_failure_t *spncheck_store_find(apr_pool_t *p, const char *ref);

#endif

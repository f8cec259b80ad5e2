/* mod_spncheck_retry.c: the tokenless retry after a failed exchange.
 *
 * Chromium, when the server rejects its token, retries without one on the
 * same connection and shows the body of that 401; it should see the
 * diagnosis, not the generic first-leg page.  A connection is not a user,
 * though: a front proxy or load balancer pools its keep-alive connections
 * across clients.  So what is kept is the failure record (cause, SPN,
 * realm, enctype, kvno: spn_failure_t, with its client field empty), never
 * a rendered page, a client principal, an NTLM user, domain or workstation,
 * or a client address; it is handed back only to the same connection (the
 * HTTP/2 master connection, not its stream), scope, client address as httpd
 * sees it (after mod_remoteip) and User-Agent, within MEMO_SECONDS; and it
 * is rendered again at the retry's own detail level.
 */
#include "mod_spncheck_retry.h"

#include "http_connection.h"

#include "apr_strings.h"
#include "apr_thread_mutex.h"

#define MEMO_SECONDS 30

typedef struct {
    spn_failure_t f;                /* f.seq == 0: empty */
    apr_time_t when;
    apr_uint64_t ua;                /* hash of the User-Agent */
    char ip[64];
    char scope[256];                /* its first 255 bytes, and then */
    size_t scope_len;               /* its length and a hash of all of it */
    apr_uint64_t scope_hash;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;       /* HTTP/2 streams of one connection run on
                                       several threads at once; the connection's
                                       own, so that no other client's request
                                       (a flood's) is ever waited on */
#endif
} retry_memo;

static int memo_on;

static void child_init(apr_pool_t *p, server_rec *s)
{
    (void)p, (void)s;
    memo_on = spncheck_scope_count() > 0;
}

/* The memo lives in the master connection's pool, made when the connection
 * opens (in its own thread): a stream's thread never allocates there.
 * A proxy's connection to its backend gets none. */
static int pre_connection(conn_rec *c, void *csd)
{
    retry_memo *m;

    (void)csd;
    if (!memo_on || c->master || c->outgoing)
        return OK;
    m = apr_pcalloc(c->pool, sizeof(*m));
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, c->pool) != APR_SUCCESS)
        return OK;                  /* no memo: its retries get the generic page */
#endif
    spncheck_conn_slots_of(c, 1)->retry = m;
    return OK;
}

static retry_memo *memo_of(const request_rec *r)
{
    spncheck_conn_slots *sl = memo_on ? spncheck_conn_slots_of(r->connection, 0) : NULL;
    return sl ? sl->retry : NULL;
}

static apr_uint64_t hash(const char *s)
{
    apr_uint64_t h = 14695981039346656037ULL;       /* FNV-1a */
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return s ? h : 0;
}

static apr_uint64_t ua_hash(const request_rec *r)
{
    return hash(apr_table_get(r->headers_in, "User-Agent"));
}

static void lock(retry_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->lock);
#else
    (void)m;
#endif
}

static void unlock(retry_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->lock);
#else
    (void)m;
#endif
}

void spncheck_retry_keep(request_rec *r, const char *scope, const spn_diag_t *d, const char *ref)
{
    retry_memo *m = memo_of(r);

    if (!m)
        return;
    lock(m);
    spn_failure_from_diag(&m->f, d, 0, ref, NULL, r->hostname, scope, 0);
    m->f.seq = 1;
    m->when = r->request_time;
    m->ua = ua_hash(r);
    apr_cpystrn(m->ip, r->useragent_ip ? r->useragent_ip : "", sizeof(m->ip));
    apr_cpystrn(m->scope, scope, sizeof(m->scope));
    m->scope_len = strlen(scope);
    m->scope_hash = hash(scope);
    unlock(m);
}

int spncheck_retry_find(request_rec *r, const char *scope, spn_failure_t *out)
{
    retry_memo *m = memo_of(r);
    int hit;

    if (!m)
        return 0;
    lock(m);
    hit = m->f.seq && r->request_time - m->when < apr_time_from_sec(MEMO_SECONDS) &&
          r->request_time >= m->when && m->ua == ua_hash(r) &&
          strcmp(m->ip, r->useragent_ip ? r->useragent_ip : "") == 0 &&
          strncmp(m->scope, scope, sizeof(m->scope) - 1) == 0 &&
          m->scope_len == strlen(scope) && m->scope_hash == hash(scope);
    if (hit)
        *out = m->f;
    unlock(m);
    return hit;
}

void spncheck_retry_hooks(void)
{
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_connection(pre_connection, NULL, NULL, APR_HOOK_MIDDLE);
}

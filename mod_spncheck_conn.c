/* mod_spncheck_conn.c: the clients that gave up (issue 20).
 *
 * A connection (the master connection for HTTP/2: its streams are not
 * clients) that received a tokenless 401 in an SPNCheck On scope and never
 * sent a Negotiate/NTLM token before it closed counts once, labelled by
 * the client family and OS the first leg saw (a bounded set,
 * spn_client.h).  The state is a few words in the connection's pool, made
 * when the connection opens (in its own thread); HTTP/2 streams on other
 * threads only store into it (atomics).  The count happens in a cleanup of
 * the connection's pool: one atomic add to the shared store, no lock.
 * A token also vouches for its client (address and User-Agent, hashed
 * into a small table of the store) on its other connections: Chromium
 * answers a 401 on HTTP/2 by opening an HTTP/1.1 connection for the
 * Negotiate legs, and the HTTP/2 one did not give up.  The success path
 * pays a pointer lookup and two loads per request; the Authorization
 * field is looked at, and the client hashed, once per connection per
 * VOUCH_EVERY seconds.
 */
#include "spn_mechcount.h"
#include "mod_spncheck_conn.h"
#include "mod_spncheck_store.h"

#include "http_connection.h"

typedef struct {
    apr_uint32_t first_leg;     /* a tokenless 401 in an On scope went out */
    apr_uint32_t token;         /* a token came */
    apr_uint32_t family, os;
    int slot;                   /* the scope's counting slot, -1 none */
    uint64_t key;               /* the first leg's client (address, User-Agent) */
    int64_t vouched;            /* when a token of this connection last vouched */
} conn_state;

/* A connection's tokens vouch for its client at most this often. */
#define VOUCH_EVERY 30

static int conn_on;

static void child_init(apr_pool_t *p, server_rec *s)
{
    (void)p, (void)s;
    conn_on = spncheck_scope_count() > 0;
}

static apr_status_t conn_closed(void *data)
{
    conn_state *st = data;

    /* no token here, nor from the same client on another connection lately
     * (Chromium leaves HTTP/2 for the Negotiate legs: a new connection) */
    if (__atomic_load_n(&st->first_leg, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&st->token, __ATOMIC_ACQUIRE) &&
        !spn_funnel_token_seen(spncheck_store(), st->key, (int64_t)apr_time_sec(apr_time_now())))
        spn_funnel_gave_up(spncheck_store(), st->slot, (int)st->family, (int)st->os);
    return APR_SUCCESS;
}

spncheck_conn_slots *spncheck_conn_slots_of(const conn_rec *c, int make)
{
    spncheck_conn_slots *sl;

    while (c->master)
        c = c->master;
    sl = ap_get_module_config(c->conn_config, &spncheck_module);
    if (!sl && make) {
        sl = apr_pcalloc(c->pool, sizeof(*sl));
        ap_set_module_config(c->conn_config, &spncheck_module, sl);
    }
    return sl;
}

static int pre_connection(conn_rec *c, void *csd)
{
    conn_state *st;

    (void)csd;
    if (!conn_on || c->master || c->outgoing)
        return DECLINED;
    st = apr_pcalloc(c->pool, sizeof(*st));
    st->slot = -1;
    spncheck_conn_slots_of(c, 1)->gave_up = st;
    apr_pool_cleanup_register(c->pool, st, conn_closed, apr_pool_cleanup_null);
    return DECLINED;
}

static conn_state *state_of(const request_rec *r)
{
    spncheck_conn_slots *sl = conn_on ? spncheck_conn_slots_of(r->connection, 0) : NULL;
    return sl ? sl->gave_up : NULL;
}

void spncheck_conn_first_leg(request_rec *r, const spncheck_conf *c, int family, int os)
{
    conn_state *st = state_of(r);
    int slot = spncheck_mech_slot(r, c);

    spn_funnel_first_leg(spncheck_store(), slot);
    if (!st || __atomic_load_n(&st->first_leg, __ATOMIC_ACQUIRE))
        return;                     /* the first first leg labels the connection */
    st->key = spn_funnel_client_key(r->useragent_ip, apr_table_get(r->headers_in, "User-Agent"));
    st->family = (apr_uint32_t)family;
    st->os = (apr_uint32_t)os;
    st->slot = slot;
    __atomic_store_n(&st->first_leg, 1, __ATOMIC_RELEASE);
}

int spncheck_conn_wants_token(request_rec *r)
{
    conn_state *st = state_of(r);

    return st && !(__atomic_load_n(&st->token, __ATOMIC_ACQUIRE) &&
                   apr_time_sec(r->request_time) - __atomic_load_n(&st->vouched, __ATOMIC_RELAXED)
                   < VOUCH_EVERY);
}

void spncheck_conn_token(request_rec *r)
{
    conn_state *st = state_of(r);
    int64_t now = (int64_t)apr_time_sec(r->request_time);

    if (!st)
        return;
    /* the token vouches for its client on its other connections (a hash
     * of at most 576 bytes, one store), now and then */
    __atomic_store_n(&st->vouched, now, __ATOMIC_RELAXED);
    __atomic_store_n(&st->token, 1, __ATOMIC_RELEASE);
    spn_funnel_note_token(spncheck_store(),
                          spn_funnel_client_key(r->useragent_ip,
                                                apr_table_get(r->headers_in, "User-Agent")),
                          now);
}

void spncheck_conn_hooks(void)
{
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_connection(pre_connection, NULL, NULL, APR_HOOK_MIDDLE);
}

/* spn_statcache.c: each scope's self-check verdicts kept between status
 * scrapes (spn_statcache.h). */
#include "spn_chart.h"          /* spn_scope_checks */
#include "spn_statcache.h"

#include <string.h>

/* Everything a scope's checks read besides its configuration and keytab,
 * exactly (no digest but the directory's). */
typedef struct {
    uint64_t cfg, ktver, dir;
    uint64_t mech[SPN_MC_N];
    uint64_t et[SPN_ET_N];
    uint8_t has_mech, has_funnel, valid;
} key_t_;

struct spn_statcache {
    int n;
    unsigned long runs;
    key_t_ *key;                /* scope i's key, and its verdict */
    spn_verdict_t *v;
};

spn_statcache_t *spn_statcache_make(apr_pool_t *p, int n)
{
    spn_statcache_t *c = apr_pcalloc(p, sizeof(*c));

    c->n = n;
    c->key = apr_pcalloc(p, sizeof(*c->key) * (size_t)(n > 0 ? n : 1));
    c->v = apr_pcalloc(p, sizeof(*c->v) * (size_t)(n > 0 ? n : 1));
    return c;
}

unsigned long spn_statcache_runs(const spn_statcache_t *c)
{
    return c ? c->runs : 0;
}

/* 64-bit words mixed in (a multiply and a shift each): the used directory
 * slots are tens of KB to a few MB, read once a scrape. */
static uint64_t mix(uint64_t h, const unsigned char *b, size_t n)
{
    uint64_t w;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001B3ULL;
        h ^= h >> 29;
    }
    return h;
}

uint64_t spn_statcache_dir_digest(const spn_store_t *s)
{
    uint64_t h;
    uint32_t used;

    if (!s || !s->dir_used || !s->n_dir_slots)
        return 0;
    used = s->dir_used < s->n_dir_slots ? s->dir_used : s->n_dir_slots;
    h = mix(0xcbf29ce484222325ULL, (const unsigned char *)&used, sizeof(used));
    h = mix(h, (const unsigned char *)spn_store_dir(s), sizeof(spn_dir_slot_t) * used);
    return h ? h : 1;           /* 0 means "no facts" */
}

static void key_of(key_t_ *k, const spn_scope_t *sc, uint64_t cfg, uint64_t ktver, uint64_t dir)
{
    memset(k, 0, sizeof(*k));
    k->cfg = cfg;
    k->ktver = ktver;
    k->dir = dir;
    if (sc->mech_counts) {
        k->has_mech = 1;
        memcpy(k->mech, sc->mech_counts, sizeof(k->mech));
    }
    if (sc->funnel) {
        k->has_funnel = 1;
        memcpy(k->et, sc->funnel->etypes, sizeof(k->et));
    }
    k->valid = ktver != 0;
}

static int same(const key_t_ *a, const key_t_ *b)
{
    return a->valid && b->valid && a->cfg == b->cfg && a->ktver == b->ktver && a->dir == b->dir &&
           a->has_mech == b->has_mech && a->has_funnel == b->has_funnel &&
           memcmp(a->mech, b->mech, sizeof(a->mech)) == 0 &&
           memcmp(a->et, b->et, sizeof(a->et)) == 0;
}

const spn_verdict_t *spn_statcache_verdicts(spn_statcache_t *c, apr_pool_t *p,
                                            const spn_status_t *st, uint64_t cfg,
                                            const uint64_t *ktver, spn_statcache_load_fn *load,
                                            void *ctx)
{
    uint64_t dir = spn_statcache_dir_digest(st->store);
    apr_pool_t *scratch = NULL;
    int i;

    if (!c || st->n_scopes != c->n)
        return NULL;
    for (i = 0; i < st->n_scopes; i++) {
        key_t_ k;
        spn_scope_t sc;
        spn_checks_t ck;

        key_of(&k, &st->scopes[i], cfg, ktver ? ktver[i] : 0, dir);
        if (same(&k, &c->key[i]))
            continue;
        if (!scratch && apr_pool_create(&scratch, p) != APR_SUCCESS)
            return NULL;
        sc = st->scopes[i];
        if (load)
            load(ctx, i, &sc, scratch);
        spn_scope_checks(scratch, &sc, st->store, &ck);
        c->runs++;
        spn_verdict_of(&c->v[i], &ck);
        c->key[i] = k;
        apr_pool_clear(scratch);
    }
    if (scratch)
        apr_pool_destroy(scratch);
    return c->v;
}

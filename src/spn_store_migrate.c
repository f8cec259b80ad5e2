/* spn_store_migrate.c: a graceful restart into other dimensions (more or
 * fewer scopes, probe targets, configured SPNs, failures kept) copies the
 * history into the new block (see spn_store.h). */
#include "spn_store.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <string.h>

/* The directory's index is rebuilt by spn_store_dir_put's rules: slots
 * fill in order, each linked into the bucket of its SPN. */
static void dir_copy(spn_store_t *to, const spn_store_t *from)
{
    const spn_dir_slot_t *src = spn_store_dir(from);
    uint32_t i, pass;

    for (pass = 0; pass < 2; pass++)        /* configured (pinned) ones first */
        for (i = 0; i < from->dir_used && i < from->n_dir_slots; i++) {
            spn_dir_spn_t f;
            if (!src[i].tried || (pass == 0) != (src[i].pinned != 0))
                continue;
            if (to->dir_used >= to->n_dir_slots)
                return;
            f = src[i].f;
            f.spn[sizeof(f.spn) - 1] = '\0';
            if (spn_store_dir_put(to, &f, src[i].pinned, src[i].tried) == 0) {
                spn_dir_slot_t *d = &spn_store_dir(to)[to->dir_used - 1];
                d->used = src[i].used;
            }
        }
}

static const char *name_key(apr_pool_t *p, const char *name, size_t cap, uint64_t id,
                            apr_ssize_t *len);

int spn_store_migrate(apr_pool_t *p, spn_store_t *to, const spn_store_t *from)
{
    static spn_mech_slot_t ambiguous;
    spn_store_t dims = *to;
    apr_hash_t *names = apr_hash_make(p), *old = apr_hash_make(p);
    const spn_failure_t *f;
    uint32_t i, keep, nprobe;

    /* the header: counters, rate limits, charts, events, the funnel's
     * totals, the probe's and the directory's state, the wanted queue;
     * then this block's own dimensions back */
    memcpy(to, from, sizeof(*to));
    to->capacity = dims.capacity;
    to->n_mechs = dims.n_mechs;
    to->n_probe_slots = dims.n_probe_slots;
    to->n_dir_slots = dims.n_dir_slots;
    to->dir_conf = dims.dir_conf;
    to->n_dirhash = dims.n_dirhash;
    to->dir_used = 0;
    to->off_mechs = dims.off_mechs;
    to->off_probes = dims.off_probes;
    to->off_dir = dims.off_dir;
    to->off_dirhash = dims.off_dirhash;
    to->off_ring = dims.off_ring;

    /* the newest failures, as many as fit, where this ring keeps them */
    keep = from->capacity < to->capacity ? from->capacity : to->capacity;
    for (i = 0; i < keep && (f = spn_store_recent(from, i)) != NULL; i++)
        spn_store_ring(to)[(f->seq - 1) % to->capacity] = *f;

    /* each scope's counts into the slot of its name (named already): the
     * name as kept (cut past the field's size) and the whole label's hash,
     * so labels cut alike stay apart; a name two slots hold (one label
     * twice: two IP vhosts with one ServerName:port) says neither's: those
     * start again */
    for (i = 0; i < to->n_mechs; i++) {
        spn_mech_slot_t *m = &spn_store_mechs(to)[i];
        apr_ssize_t n;
        const char *k;
        if (!m->scope[0])
            continue;
        k = name_key(p, m->scope, sizeof(m->scope), m->label_id, &n);
        apr_hash_set(names, k, n, apr_hash_get(names, k, n) ? &ambiguous : m);
    }
    for (i = 0; i < from->n_mechs; i++) {       /* the old block's twice: neither */
        const spn_mech_slot_t *o = &spn_store_mechs(from)[i];
        apr_ssize_t n;
        const char *k;
        if (!o->scope[0])
            continue;
        k = name_key(p, o->scope, sizeof(o->scope), o->label_id, &n);
        apr_hash_set(old, k, n, apr_hash_get(old, k, n) ? &ambiguous : o);
    }
    for (i = 0; i < from->n_mechs; i++) {
        const spn_mech_slot_t *o = &spn_store_mechs(from)[i];
        spn_mech_slot_t *m;
        apr_ssize_t n;
        const char *k;
        if (!o->scope[0])
            continue;
        k = name_key(p, o->scope, sizeof(o->scope), o->label_id, &n);
        if (apr_hash_get(old, k, n) == o && (m = apr_hash_get(names, k, n)) != NULL &&
            m != &ambiguous)
            *m = *o;
    }

    /* the probe's last results, as many as fit (the next run redoes them) */
    nprobe = from->n_probes < from->n_probe_slots ? from->n_probes : from->n_probe_slots;
    if (nprobe > to->n_probe_slots)
        nprobe = to->n_probe_slots;
    memcpy(spn_store_probes(to), spn_store_probes(from), sizeof(spn_probe_slot_t) * nprobe);
    to->n_probes = nprobe;

    dir_copy(to, from);
    return 0;
}

uint64_t spn_store_label_id(const char *scope)
{
    uint64_t h = 14695981039346656037ull;

    for (; *scope; scope++)
        h = (h ^ (unsigned char)*scope) * 1099511628211ull;
    return h ? h : 1;
}

int spn_store_slot_is(const spn_mech_slot_t *m, const char *scope)
{
    return m->scope[0] && strncmp(m->scope, scope, sizeof(m->scope) - 1) == 0 &&
           m->label_id == spn_store_label_id(scope);
}

/* A hash key for a scope's name: its whole label's hash, then its name as
 * the slot keeps it (cut), so two labels cut alike are two keys. */
static const char *name_key(apr_pool_t *p, const char *name, size_t cap, uint64_t id,
                            apr_ssize_t *len)
{
    size_t n = strnlen(name, cap);
    char *k = apr_palloc(p, sizeof(id) + n);

    memcpy(k, &id, sizeof(id));
    memcpy(k + sizeof(id), name, n);
    *len = (apr_ssize_t)(sizeof(id) + n);
    return k;
}

int spn_store_renamed(apr_pool_t *p, const spn_store_t *o, const char *const *labels, int n)
{
    apr_hash_t *cut = apr_hash_make(p);
    const size_t cap = sizeof(((spn_mech_slot_t *)0)->scope) - 1;
    int i, first = -1;

    for (i = 0; i < n && (uint32_t)i < o->n_mechs; i++) {
        const spn_mech_slot_t *m = &spn_store_mechs(o)[i];
        apr_ssize_t len;
        const char *k = name_key(p, labels[i], cap, spn_store_label_id(labels[i]), &len);
        const int *twin = apr_hash_get(cut, k, len);
        if (twin) {             /* one label twice: neither slot is sure */
            if (m->scope[0] || spn_store_mechs(o)[*twin].scope[0])
                return first < 0 || *twin < first ? *twin : first;
            continue;
        }
        apr_hash_set(cut, k, len, apr_pmemdup(p, &i, sizeof(i)));
        if (first < 0 && m->scope[0] && !spn_store_slot_is(m, labels[i]))
            first = i;
    }
    return first;
}

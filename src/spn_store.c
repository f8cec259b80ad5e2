/* spn_store.c: failure ring and counters (see spn_store.h). */
#include "spn_names.h"
#include "spn_store.h"
#include "spn_node.h"
#include "spn_dirdiag.h"

#include <apr_strings.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

_Static_assert(sizeof(((spn_failure_t *)0)->ref) > SPN_REF_MAX, "a reference with its node fits");

#define STORE_MAGIC   0x53504e53u   /* "SPNS" */

#define ALIGN(x) (((x) + 63) & ~(uint64_t)63)

/* The offsets of each section for dimensions d, and the block's size. */
static uint64_t layout(const spn_store_dims_t *d, spn_store_t *s)
{
    uint32_t nd = d->dir_conf + SPN_WANT_SLOTS, nh = 16;
    uint64_t off = ALIGN(sizeof(spn_store_t));

    while (nh < 2 * nd && nh < (1u << 30))
        nh <<= 1;
    s->n_mechs = d->mechs;
    s->n_probe_slots = d->probes;
    s->n_dir_slots = nd;
    s->dir_conf = d->dir_conf;
    s->n_dirhash = nh;
    s->off_mechs = off;
    off = ALIGN(off + (uint64_t)d->mechs * sizeof(spn_mech_slot_t));
    s->off_probes = off;
    off = ALIGN(off + (uint64_t)d->probes * sizeof(spn_probe_slot_t));
    s->off_dir = off;
    off = ALIGN(off + (uint64_t)nd * sizeof(spn_dir_slot_t));
    s->off_dirhash = off;
    off = ALIGN(off + (uint64_t)nh * sizeof(int32_t));
    s->off_ring = off;
    return off + (uint64_t)d->capacity * sizeof(spn_failure_t);
}

size_t spn_store_size_dims(const spn_store_dims_t *d)
{
    spn_store_t tmp;
    return (size_t)layout(d, &tmp);
}

static spn_store_dims_t defaults(uint32_t capacity)
{
    spn_store_dims_t d = { capacity, SPN_MECH_SCOPES, SPN_PROBE_SLOTS, SPN_DIR_CONF_MAX };
    return d;
}

static spn_store_dims_t dims_of(const spn_store_t *s)
{
    spn_store_dims_t d = { s->capacity, s->n_mechs, s->n_probe_slots, s->dir_conf };
    return d;
}

size_t spn_store_size(uint32_t capacity)
{
    spn_store_dims_t d = defaults(capacity);
    return spn_store_size_dims(&d);
}

spn_store_t *spn_store_init_dims(void *mem, const spn_store_dims_t *d, int64_t now)
{
    spn_store_t *s = mem;
    int i;

    memset(s, 0, spn_store_size_dims(d));
    s->magic = STORE_MAGIC;
    s->version = SPN_STORE_LAYOUT;
    s->capacity = d->capacity;
    s->n_causes = SPN_C_COUNT;
    s->header_size = (uint32_t)sizeof(spn_store_t);
    s->record_size = (uint32_t)sizeof(spn_failure_t);
    layout(d, s);
    s->started = now;
    s->next_seq = 1;
    for (i = 0; i < SPN_HIST_MINUTES; i++)
        s->minutes[i].bucket = -1;
    for (i = 0; i < SPN_HIST_HOURS; i++)
        s->hours[i].bucket = -1;
    return s;
}

spn_store_t *spn_store_init(void *mem, uint32_t capacity, int64_t now)
{
    spn_store_dims_t d = defaults(capacity);
    return spn_store_init_dims(mem, &d, now);
}

/* The block's own layout is this build's and its size agrees with its
 * dimensions (whatever they are). */
static const char *layout_mismatch(const spn_store_t *s, size_t size, char *out, size_t outsz)
{
    spn_store_dims_t have;
    spn_store_t tmp;

    /* The first three fields are at the same place in every layout; the
     * rest is read only once the version says it is this layout. */
    if (!s || size < 3 * sizeof(uint32_t) || s->magic != STORE_MAGIC)
        snprintf(out, outsz, "no store in the block");
    else if (s->version != SPN_STORE_LAYOUT)
        snprintf(out, outsz, "layout %u -> %u", s->version, SPN_STORE_LAYOUT);
    else if (size < sizeof(spn_store_t) || s->header_size != sizeof(spn_store_t) ||
             s->record_size != sizeof(spn_failure_t))
        snprintf(out, outsz, "size %zu (header %u, record %u) -> header %zu, record %zu",
                 size, s->header_size, s->record_size, sizeof(spn_store_t),
                 sizeof(spn_failure_t));
    else if (s->n_causes != SPN_C_COUNT)
        snprintf(out, outsz, "causes %u -> %d", s->n_causes, SPN_C_COUNT);
    else if (s->next_seq < 1)
        snprintf(out, outsz, "sequence number 0");
    else if ((have = dims_of(s), size != layout(&have, &tmp)) ||
             tmp.off_mechs != s->off_mechs || tmp.off_probes != s->off_probes ||
             tmp.off_dir != s->off_dir || tmp.off_dirhash != s->off_dirhash ||
             tmp.off_ring != s->off_ring || tmp.n_dir_slots != s->n_dir_slots ||
             tmp.n_dirhash != s->n_dirhash || s->dir_used > s->n_dir_slots)
        snprintf(out, outsz, "size %zu does not fit its sections", size);
    else
        return NULL;
    return out;
}

int spn_store_migratable(const spn_store_t *s, size_t size)
{
    char why[160];
    return layout_mismatch(s, size, why, sizeof(why)) == NULL;
}

const char *spn_store_mismatch_dims(const spn_store_t *s, size_t size, const spn_store_dims_t *d,
                                    char *out, size_t outsz)
{
    if (layout_mismatch(s, size, out, outsz))
        return out;
    if (s->capacity != d->capacity)
        snprintf(out, outsz, "capacity %u -> %u", s->capacity, d->capacity);
    else if (s->n_mechs != d->mechs)
        snprintf(out, outsz, "scopes %u -> %u", s->n_mechs, d->mechs);
    else if (s->n_probe_slots != d->probes)
        snprintf(out, outsz, "probe targets %u -> %u", s->n_probe_slots, d->probes);
    else if (s->dir_conf != d->dir_conf)
        snprintf(out, outsz, "configured SPNs %u -> %u", s->dir_conf, d->dir_conf);
    else
        return NULL;
    return out;
}

const char *spn_store_mismatch(const spn_store_t *s, size_t size, uint32_t capacity,
                               char *out, size_t outsz)
{
    spn_store_dims_t d = defaults(capacity);
    return spn_store_mismatch_dims(s, size, &d, out, outsz);
}

int spn_store_valid(const spn_store_t *s, size_t size, uint32_t capacity)
{
    char why[160];
    return spn_store_mismatch(s, size, capacity, why, sizeof(why)) == NULL;
}

static int rate_ok(spn_ratelimit_t *rl, int64_t now, uint32_t *suppressed)
{
    if (now - rl->window_start >= SPN_LOG_WINDOW || now < rl->window_start) {
        rl->window_start = now;
        rl->in_window = 0;
    }
    if (rl->in_window >= SPN_LOG_BURST) {
        rl->suppressed++;
        return 0;
    }
    rl->in_window++;
    *suppressed = rl->suppressed;
    rl->suppressed = 0;
    return 1;
}

static int64_t bucket_of(int64_t t, int width)
{
    return t >= 0 && width > 0 ? t / width : -1;
}

static void bucket_count(spn_bucket_t *b, int slots, int width, int64_t t, int c)
{
    int64_t k = bucket_of(t, width);
    spn_bucket_t *x;

    if (k < 0)
        return;
    x = &b[k % slots];
    if (x->bucket != k) {
        /* A slot stamped later holds newer counts: this record is a full
         * cycle old.  (After the clock is stepped back by more than a cycle,
         * an hour for minutes or a day for hours, such slots refuse counts
         * until time catches up: the chart under-counts, nothing else.) */
        if (x->bucket > k)
            return;
        memset(x, 0, sizeof(*x));
        x->bucket = k;
    }
    if (x->n[c] < UINT32_MAX)
        x->n[c]++;
}

uint64_t spn_store_bucket(const spn_store_t *s, int width, int64_t t, uint32_t *n)
{
    const spn_bucket_t *b = width == 60 ? s->minutes : s->hours;
    int slots = width == 60 ? SPN_HIST_MINUTES : SPN_HIST_HOURS;
    int64_t k = bucket_of(t, width);
    uint64_t sum = 0;
    int c;

    memset(n, 0, sizeof(uint32_t) * SPN_C_COUNT);
    if ((width != 60 && width != 3600) || k < 0 || b[k % slots].bucket != k)
        return 0;
    for (c = 0; c < SPN_C_COUNT; c++)
        sum += n[c] = b[k % slots].n[c];
    return sum;
}

int spn_store_event(spn_store_t *s, int kind, int cause, uint32_t count, uint64_t key,
                    const char *what, int64_t now)
{
    const spn_event_t *o;
    spn_event_t *e;
    uint32_t i;

    for (i = 0; key && (o = spn_store_event_recent(s, i)) != NULL; i++)
        if (o->kind == kind && o->key == key && strncmp(o->what, what ? what : "",
                                                        sizeof(o->what) - 1) == 0)
            return 0;
    e = &s->events[s->next_event++ % SPN_EVENT_SLOTS];
    memset(e, 0, sizeof(*e));
    e->time = now;
    e->key = key;
    e->kind = kind;
    e->cause = cause;
    e->count = count;
    apr_cpystrn(e->what, what ? what : "", sizeof(e->what));
    return 1;
}

const spn_event_t *spn_store_event_recent(const spn_store_t *s, uint32_t i)
{
    if (i >= SPN_EVENT_SLOTS || i >= s->next_event)
        return NULL;
    return &s->events[(s->next_event - 1 - i) % SPN_EVENT_SLOTS];
}

int spn_store_add(spn_store_t *s, spn_failure_t *f, uint32_t *suppressed)
{
    int c = f->cause >= 0 && f->cause < SPN_C_COUNT ? f->cause : SPN_C_UNKNOWN;

    *suppressed = 0;
    f->seq = s->next_seq++;
    s->counters[c]++;
    bucket_count(s->minutes, SPN_HIST_MINUTES, 60, f->time, c);
    bucket_count(s->hours, SPN_HIST_HOURS, 3600, f->time, c);
    if (s->capacity)
        spn_store_ring(s)[(f->seq - 1) % s->capacity] = *f;
    return rate_ok(&s->rl[c], f->time, suppressed);
}

static void put(char *dst, size_t n, const char *src)
{
    apr_cpystrn(dst, src ? src : "", n);      /* truncates on purpose */
}

void spn_failure_from_diag(spn_failure_t *f, const spn_diag_t *d, int64_t now,
                           const char *ref, const char *client, const char *host,
                           const char *scope, int proxied)
{
    int apreq = d->tok.has_krb5 && d->tok.krb5.msg_type == SPN_KRB_AP_REQ;

    memset(f, 0, sizeof(*f));
    f->time = now;
    f->cause = (int32_t)d->cause;
    f->etype = apreq ? d->tok.krb5.etype : 0;
    f->kvno = apreq ? (int32_t)d->tok.krb5.kvno : -1;
    f->proxied = proxied ? (d->backend_iis ? 2 : 1) : 0;    /* 2: the backend is IIS */
    f->format = (int32_t)d->tok.format;
    f->mech_id = (int32_t)d->tok.mech;
    f->too_large = d->too_large;
    f->partial = d->field_partial;
    f->field_size = d->field_size > INT32_MAX ? INT32_MAX : (int32_t)d->field_size;
    f->field_limit = d->field_limit > INT32_MAX ? INT32_MAX : (int32_t)d->field_limit;
    put(f->ref, sizeof(f->ref), ref);
    put(f->client, sizeof(f->client), client);
    put(f->host, sizeof(f->host), host);
    put(f->spn, sizeof(f->spn), d->sname);
    put(f->realm, sizeof(f->realm), d->realm);
    put(f->mech, sizeof(f->mech), d->tok.mech ? spn_mech_name(d->tok.mech) : "");
    put(f->scope, sizeof(f->scope), scope);
    f->cb_state = d->cb_state;
    memcpy(f->cb_client, d->cb_client, 16);
    if (d->cbt.ok)
        memcpy(f->cb_expected, d->cbt.md5, 16);
    f->base_cause = (int32_t)(d->dir_state == SPN_DIR_OK ? d->dir_from : d->cause);
    f->kt_kvno_max = -1;
    {
        int i;
        for (i = 0; i < d->n_kt_kvnos; i++)
            if (d->kt_kvnos[i] > f->kt_kvno_max)
                f->kt_kvno_max = d->kt_kvnos[i];
    }
}

void spn_diag_from_failure(spn_diag_t *d, const spn_failure_t *f, const spn_service_t *svc)
{
    spn_observation_t obs;
    int i;

    memset(d, 0, sizeof(*d));
    memset(&obs, 0, sizeof(obs));
    d->cause = f->cause >= 0 && f->cause < SPN_C_COUNT ? (spn_cause_t)f->cause : SPN_C_UNKNOWN;
    d->scheme = f->mech_id == SPN_MECH_NTLMSSP && f->format == SPN_FMT_NTLMSSP ? "NTLM" : "Negotiate";
    d->tok.format = (spn_format_t)f->format;
    d->tok.mech = (spn_mech_t)f->mech_id;
    d->tok.neg_state = -1;
    d->tok.krb5.kvno = f->kvno;
    if (f->etype) {
        d->tok.has_krb5 = 1;
        d->tok.krb5.msg_type = SPN_KRB_AP_REQ;
        d->tok.krb5.etype = f->etype;
    }
    snprintf(d->sname, sizeof(d->sname), "%s", f->spn);
    snprintf(d->realm, sizeof(d->realm), "%s", f->realm);
    d->fit_kvno = -1;
    d->cb_state = f->cb_state >= SPN_CB_UNKNOWN && f->cb_state <= SPN_CB_OTHER ? f->cb_state : 0;
    memcpy(d->cb_client, f->cb_client, 16);
    memcpy(d->cbt.md5, f->cb_expected, 16);
    for (i = 0; i < 16; i++)
        d->cbt.ok |= f->cb_expected[i] != 0;
    d->proxied = f->proxied != 0;
    d->backend_iis = f->proxied == 2;
    d->too_large = f->too_large;
    d->field_partial = f->partial != 0;
    d->field_size = f->field_size > 0 ? (size_t)f->field_size : 0;
    d->field_limit = f->field_limit > 0 ? (size_t)f->field_limit : 0;
    if (f->kt_kvno_max >= 0) {
        d->held = 1;
        d->kt_kvnos[0] = f->kt_kvno_max;
        d->n_kt_kvnos = 1;
    }
    obs.host = f->host;
    spn_remedy_names(svc, &obs, d);
}

const spn_failure_t *spn_store_recent(const spn_store_t *s, uint32_t i)
{
    uint64_t last = s->next_seq - 1;
    const spn_failure_t *f;

    if (!s->capacity || i >= s->capacity || i >= last)
        return NULL;
    f = &spn_store_ring(s)[(last - 1 - i) % s->capacity];
    return f->seq == last - i ? f : NULL;
}

uint64_t spn_store_copy_part(spn_store_t *head, const spn_store_t *s, uint64_t from)
{
    /* the sections after the header: where each starts, its records' size
     * and count, where the next starts (the ring: the end of the copy) */
    const struct { uint64_t start; size_t size; uint32_t n; uint64_t next; } sec[] = {
        { s->off_mechs, sizeof(spn_mech_slot_t), s->n_mechs, s->off_probes },
        { s->off_probes, sizeof(spn_probe_slot_t), s->n_probe_slots, s->off_dir },
        { s->off_dir, sizeof(spn_dir_slot_t), s->n_dir_slots, s->off_dirhash },
        { s->off_dirhash, sizeof(int32_t), s->n_dirhash, s->off_ring },
    };
    uint64_t end = s->off_mechs;
    size_t i;

    for (i = 0; from >= s->off_mechs && i < sizeof(sec) / sizeof(sec[0]); i++) {
        uint64_t done, n;
        if (from >= sec[i].next)
            continue;
        done = (from - sec[i].start) / sec[i].size;
        n = SPN_STORE_COPY_PIECE / sec[i].size;
        if (n < 1)
            n = 1;
        end = done + n >= sec[i].n ? sec[i].next : sec[i].start + (done + n) * sec[i].size;
        break;
    }
    if (from >= s->off_ring)
        return s->off_ring;
    memcpy((char *)head + from, (const char *)s + from, (size_t)(end - from));
    return end;
}

spn_store_t *spn_store_copy(apr_pool_t *p, const spn_store_t *s, spn_failure_t *recent,
                            uint32_t max, uint32_t *n)
{
    spn_store_t *head = apr_palloc(p, (size_t)s->off_ring);
    uint64_t at = 0;

    do
        at = spn_store_copy_part(head, s, at);
    while (at < s->off_ring);
    *n = spn_store_recent_copy(s, recent, max);
    return head;
}

uint32_t spn_store_recent_copy(const spn_store_t *s, spn_failure_t *recent, uint32_t max)
{
    const spn_failure_t *f;
    uint32_t i;

    for (i = 0; i < max && (f = spn_store_recent(s, i)) != NULL; i++)
        recent[i] = *f;
    return i;
}

const spn_failure_t *spn_store_find(const spn_store_t *s, const char *ref)
{
    uint32_t i;
    const spn_failure_t *f;

    if (!ref || strlen(ref) >= sizeof(f->ref))     /* no reference is longer */
        return NULL;
    for (i = 0; (f = spn_store_recent(s, i)) != NULL; i++)
        if (spn_ref_matches(f->ref, ref))
            return f;
    return NULL;
}

/* ---- directory facts (issue 11) ------------------------------------------ */

/* The directory's index: a bucket per hash of the SPN (case-folded, as
 * names compare), chained through the slots' hnext; so finding an SPN is
 * a short walk, not one over every configured SPN (there is one slot per
 * configured SPN, and failures look theirs up under the lock). */
static uint32_t dir_hash(const char *spn)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; spn[i] && i < SPN_DIR_SPN_MAX; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)spn[i])) * 16777619u;
    return h;
}

static int32_t *dir_bucket(const spn_store_t *s, const char *spn)
{
    int32_t *heads = (int32_t *)(void *)((char *)(uintptr_t)s + s->off_dirhash);
    return &heads[dir_hash(spn) & (s->n_dirhash - 1)];
}

static spn_dir_slot_t *dir_find(const spn_store_t *s, const char *spn)
{
    spn_dir_slot_t *d = spn_store_dir(s);
    int32_t k;
    uint32_t hops = 0;

    if (!s->n_dirhash)
        return NULL;
    for (k = *dir_bucket(s, spn); k > 0 && (uint32_t)k <= s->n_dir_slots &&
         hops <= s->n_dir_slots; k = d[k - 1].hnext, hops++)
        if (d[k - 1].tried && strcasecmp(d[k - 1].f.spn, spn) == 0)
            return &d[k - 1];
    return NULL;
}

/* Slot i into (link) or out of (unlink) the bucket of its SPN. */
static void dir_link(spn_store_t *s, uint32_t i)
{
    spn_dir_slot_t *d = spn_store_dir(s);
    int32_t *b = dir_bucket(s, d[i].f.spn);
    d[i].hnext = *b;
    *b = (int32_t)i + 1;
}

static void dir_unlink(spn_store_t *s, uint32_t i)
{
    spn_dir_slot_t *d = spn_store_dir(s);
    int32_t *k = dir_bucket(s, d[i].f.spn);
    uint32_t hops = 0;

    while (*k > 0 && (uint32_t)*k <= s->n_dir_slots && hops++ <= s->n_dir_slots) {
        if ((uint32_t)*k == i + 1) {
            *k = d[i].hnext;
            return;
        }
        k = &d[*k - 1].hnext;
    }
}

static int slot_fresh(const spn_dir_slot_t *d, int64_t now)
{
    return d && now - d->tried < SPN_DIR_REQUERY && now >= d->tried;
}

int spn_store_dir_fresh(const spn_store_t *s, const char *spn, int64_t now)
{
    return slot_fresh(dir_find(s, spn), now);
}

/* Wanted SPNs queued for client. */
static int want_held(const spn_store_t *s, const char *client)
{
    int i, n = 0;
    for (i = 0; i < SPN_WANT_SLOTS; i++)
        n += s->want[i].since && strcmp(s->want[i].client, client) == 0;
    return n;
}

int spn_store_want(spn_store_t *s, const char *spn, const char *client, int64_t now)
{
    spn_dir_slot_t *d;
    int i, free_ = -1, mine, most = 0, victim = -1;

    if (!client)
        client = "";
    if (!spn_dir_spn_ok(spn))
        return -1;
    if ((d = dir_find(s, spn)) != NULL)
        d->used = now;
    if (slot_fresh(d, now))
        return 0;
    for (i = 0; i < SPN_WANT_SLOTS; i++) {
        if (!s->want[i].since) {
            if (free_ < 0)
                free_ = i;
        }
        else if (strcasecmp(s->want[i].spn, spn) == 0)
            return 0;
    }
    mine = want_held(s, client);
    if (mine >= SPN_WANT_SHARE) {
        s->dir_dropped++;
        return -1;
    }
    if (free_ < 0) {
        /* full: the newest of the client holding the most makes room for
         * one holding fewer (fair share); otherwise this one is dropped */
        for (i = 0; i < SPN_WANT_SLOTS; i++) {
            int h = want_held(s, s->want[i].client);
            if (h > most || (h == most && s->want[i].since > s->want[victim].since)) {
                most = h;
                victim = i;
            }
        }
        s->dir_dropped++;
        if (victim < 0 || most <= mine + 1)
            return -1;
        free_ = victim;
    }
    s->want[free_].since = now > 0 ? now : 1;
    apr_cpystrn(s->want[free_].spn, spn, sizeof(s->want[free_].spn));
    apr_cpystrn(s->want[free_].client, client, sizeof(s->want[free_].client));
    return 1;
}

/* Lookups of client's wanted SPNs in this budget's window. */
static int served(const spn_store_t *s, const char *client)
{
    uint32_t i;
    int n = 0;
    for (i = 0; i < s->dir_budget_used && i < SPN_DIR_BUDGET; i++)
        n += strcmp(s->dir_served[i], client) == 0;
    return n;
}

int spn_store_want_next(spn_store_t *s, int64_t now, char *out, size_t n)
{
    int i, best = -1, best_served = 0;

    if (now - s->dir_budget_start >= SPN_DIR_REQUERY || now < s->dir_budget_start) {
        s->dir_budget_start = now;
        s->dir_budget_used = 0;
    }
    if (s->dir_budget_used >= SPN_DIR_BUDGET)
        return 0;
    for (i = 0; i < SPN_WANT_SLOTS; i++) {
        int k;
        if (!s->want[i].since || (k = served(s, s->want[i].client)) >= SPN_WANT_SHARE)
            continue;
        if (best < 0 || k < best_served ||
            (k == best_served && s->want[i].since < s->want[best].since)) {
            best = i;
            best_served = k;
        }
    }
    if (best < 0)
        return 0;
    apr_cpystrn(out, s->want[best].spn, n);
    apr_cpystrn(s->dir_served[s->dir_budget_used], s->want[best].client, SPN_CLIENT_KEY);
    s->want[best].since = 0;
    s->dir_budget_used++;
    return 1;
}

char *spn_store_client_key(const char *ip, char *out, size_t n)
{
    unsigned char a[16];
    char txt[INET6_ADDRSTRLEN];

    if (!n)
        return out;
    if (ip && strchr(ip, ':') && inet_pton(AF_INET6, ip, a) == 1 &&
        !(memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)) {   /* v4-mapped: the v4 */
        memset(a + 8, 0, 8);
        if (inet_ntop(AF_INET6, a, txt, sizeof(txt))) {
            snprintf(out, n, "%s/64", txt);
            return out;
        }
    }
    if (ip && strncasecmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.'))
        ip += 7;
    apr_cpystrn(out, ip ? ip : "", n);
    return out;
}

int spn_store_want_back(spn_store_t *s, const char *spn, int64_t now)
{
    int i, free_ = -1;
    int64_t first = now > 0 ? now : 1;

    for (i = 0; i < SPN_WANT_SLOTS; i++) {
        if (!s->want[i].since) {
            if (free_ < 0)
                free_ = i;
        }
        else if (strcasecmp(s->want[i].spn, spn) == 0)
            return 0;               /* a failure asked again meanwhile */
        else if (s->want[i].since < first)
            first = s->want[i].since;
    }
    if (free_ < 0) {
        s->dir_dropped++;
        return -1;
    }
    /* first in line again, and its lookup was not spent (the client that
     * wanted it is not known here: it waits as nobody's, in no share) */
    s->want[free_].since = first;
    apr_cpystrn(s->want[free_].spn, spn, sizeof(s->want[free_].spn));
    s->want[free_].client[0] = '\0';
    if (s->dir_budget_used > 0)
        s->dir_budget_used--;
    return 1;
}

uint32_t spn_store_want_queued(const spn_store_t *s)
{
    uint32_t n = 0;
    int i;
    for (i = 0; i < SPN_WANT_SLOTS; i++)
        n += s->want[i].since != 0;
    return n;
}

int spn_store_dir_put(spn_store_t *s, const spn_dir_spn_t *f, int pinned, int64_t now)
{
    spn_dir_slot_t *d = dir_find(s, f->spn), *slots = spn_store_dir(s);
    uint32_t i;

    if (!d) {
        /* slots fill in order and are never emptied (only reused): a free
         * one is at dir_used; when none is, the least recently used of the
         * unpinned ones goes */
        if (s->dir_used < s->n_dir_slots)
            d = &slots[s->dir_used++];
        else
            for (i = 0; i < s->n_dir_slots; i++)
                if (!slots[i].pinned && (!d || slots[i].used < d->used))
                    d = &slots[i];
        if (!d) {
            if (!pinned)
                s->dir_dropped++;   /* a wanted SPN's answer with nowhere to go */
            return -1;
        }
        if (d->tried)
            dir_unlink(s, (uint32_t)(d - slots));
        memset(d, 0, sizeof(*d));
        apr_cpystrn(d->f.spn, f->spn, sizeof(d->f.spn));
        dir_link(s, (uint32_t)(d - slots));
    }
    d->tried = now > 0 ? now : 1;
    d->used = now;
    d->pinned = d->pinned || pinned;
    if (f->state == SPN_DIR_ERROR && d->f.state == SPN_DIR_OK) {
        /* keep what an earlier answer said; say it could not be refreshed */
        apr_cpystrn(d->f.error, f->error, sizeof(d->f.error));
        return 0;
    }
    d->f = *f;
    d->f.spn[sizeof(d->f.spn) - 1] = d->f.error[sizeof(d->f.error) - 1] = '\0';
    return 0;
}

void spn_store_dir_unpin(spn_store_t *s)
{
    uint32_t i;
    for (i = 0; i < s->n_dir_slots; i++)
        spn_store_dir(s)[i].pinned = 0;
}

const spn_dir_spn_t *spn_store_dir_peek(const spn_store_t *s, const char *spn)
{
    const spn_dir_slot_t *d = dir_find(s, spn);
    return d ? &d->f : NULL;
}

int spn_store_dir_get(const spn_store_t *s, const char *spn, spn_dir_spn_t *out)
{
    const spn_dir_slot_t *d = dir_find(s, spn);
    if (!d)
        return 0;
    *out = d->f;
    return 1;
}

int spn_store_dir_note(spn_store_t *s, const spn_dir_ask_t *a, const char *client,
                       int64_t now, spn_dir_spn_t *facts)
{
    int i;

    for (i = 0; i < a->n && i < 2; i++)     /* pooled: one share for every client */
        spn_store_want(s, a->spn[i], a->pooled[i] ? SPN_WANT_POOL : client, now);
    return a->n >= 1 && a->refine && spn_store_dir_get(s, a->spn[0], facts);
}

int spn_dir_refine_failure(spn_diag_t *d, const spn_failure_t *f, const char *account,
                           const spn_dir_spn_t *facts)
{
    spn_cause_t shown = d->cause;

    if (!facts || facts->state != SPN_DIR_OK)
        return 0;
    if (f->base_cause >= 0 && f->base_cause < SPN_C_COUNT)
        d->cause = (spn_cause_t)f->base_cause;
    spn_dir_refine(d, account, facts);
    if (d->dir_state != SPN_DIR_OK)
        d->cause = shown;
    return d->dir_state == SPN_DIR_OK;
}

int spn_store_dir_refine_failure(const spn_store_t *s, spn_diag_t *d, const spn_failure_t *f,
                                 const char *account)
{
    spn_dir_ask_t a;
    spn_dir_spn_t facts;

    return spn_dir_ask(&a, d, f->host, NULL) > 0 && a.refine &&
           spn_store_dir_get(s, a.spn[0], &facts) &&
           spn_dir_refine_failure(d, f, account, &facts);
}

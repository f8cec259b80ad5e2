/* spn_store.c: failure ring and counters (see spn_store.h). */
#include "spn_store.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

#define STORE_MAGIC   0x53504e53u   /* "SPNS" */
#define STORE_VERSION 2u

size_t spn_store_size(uint32_t capacity)
{
    return sizeof(spn_store_t) + (size_t)capacity * sizeof(spn_failure_t);
}

spn_store_t *spn_store_init(void *mem, uint32_t capacity, int64_t now)
{
    spn_store_t *s = mem;

    memset(s, 0, spn_store_size(capacity));
    s->magic = STORE_MAGIC;
    s->version = STORE_VERSION;
    s->capacity = capacity;
    s->started = now;
    s->next_seq = 1;
    return s;
}

int spn_store_valid(const spn_store_t *s, uint32_t capacity)
{
    return s && s->magic == STORE_MAGIC && s->version == STORE_VERSION &&
           s->capacity == capacity && s->next_seq >= 1;
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

int spn_store_add(spn_store_t *s, spn_failure_t *f, uint32_t *suppressed)
{
    int c = f->cause >= 0 && f->cause < SPN_C_COUNT ? f->cause : SPN_C_UNKNOWN;

    *suppressed = 0;
    f->seq = s->next_seq++;
    s->counters[c]++;
    if (s->capacity)
        s->ring[(f->seq - 1) % s->capacity] = *f;
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
    int apreq = d->tok.has_krb5 && d->tok.krb5.msg_type == 14;

    memset(f, 0, sizeof(*f));
    f->time = now;
    f->cause = (int32_t)d->cause;
    f->etype = apreq ? d->tok.krb5.etype : 0;
    f->kvno = apreq ? (int32_t)d->tok.krb5.kvno : -1;
    f->proxied = proxied;
    f->format = (int32_t)d->tok.format;
    f->mech_id = (int32_t)d->tok.mech;
    put(f->ref, sizeof(f->ref), ref);
    put(f->client, sizeof(f->client), client);
    put(f->host, sizeof(f->host), host);
    put(f->spn, sizeof(f->spn), d->sname);
    put(f->realm, sizeof(f->realm), d->realm);
    put(f->mech, sizeof(f->mech), d->tok.mech ? spn_mech_name(d->tok.mech) : "");
    put(f->scope, sizeof(f->scope), scope);
}

void spn_diag_from_failure(spn_diag_t *d, const spn_failure_t *f, const spn_service_t *svc)
{
    spn_observation_t obs;

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
        d->tok.krb5.msg_type = 14;
        d->tok.krb5.etype = f->etype;
    }
    snprintf(d->sname, sizeof(d->sname), "%s", f->spn);
    snprintf(d->realm, sizeof(d->realm), "%s", f->realm);
    d->fit_kvno = -1;
    obs.host = f->host;
    spn_remedy_names(svc, &obs, d);
}

const spn_failure_t *spn_store_recent(const spn_store_t *s, uint32_t i)
{
    uint64_t last = s->next_seq - 1;
    const spn_failure_t *f;

    if (!s->capacity || i >= s->capacity || i >= last)
        return NULL;
    f = &s->ring[(last - 1 - i) % s->capacity];
    return f->seq == last - i ? f : NULL;
}

uint32_t spn_store_snapshot(const spn_store_t *s, spn_store_t *head, spn_failure_t *recent,
                            uint32_t max)
{
    const spn_failure_t *f;
    uint32_t i;

    memcpy(head, s, sizeof(*head));          /* the flexible ring is not part of it */
    for (i = 0; i < max && (f = spn_store_recent(s, i)) != NULL; i++)
        recent[i] = *f;
    return i;
}

const spn_failure_t *spn_store_find(const spn_store_t *s, const char *ref)
{
    uint32_t i;
    const spn_failure_t *f;

    for (i = 0; (f = spn_store_recent(s, i)) != NULL; i++)
        if (strcmp(f->ref, ref) == 0)
            return f;
    return NULL;
}

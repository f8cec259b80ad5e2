/* test_layout.c: the shared store's layout guard (issue 9, finding 4).
 * Cause numbers are pinned (the store counts by them across a graceful
 * restart into another build), and a block whose header says another
 * layout, size or cause count is refused with the reason. */
#include "spn_store.h"
#include "tap.h"

#include <stdlib.h>

/* Append only: this list is the numbers' history, never edit a line. */
static const char *const pinned[] = {
    "ntlm-fallback", "spn-unknown", "spn-wrong-account", "kvno-mismatch",
    "enctype-mismatch", "realm-mismatch", "clock-skew", "ticket-expired", "replay",
    "malformed-token", "unsupported-mech", "no-service-key", "ticket-ok",
    "backend-kernel-mode", "spn-not-registered", "spn-duplicate", "unknown",
    "keytab-stale", "backend-channel-binding", "token-too-large",
};

static void mismatch(const spn_store_t *s, size_t size, uint32_t cap, const char *want,
                     const char *what)
{
    char why[160];
    const char *got = spn_store_mismatch(s, size, cap, why, sizeof(why));
    ok(!spn_store_valid(s, size, cap), "%s: refused", what);
    ok(got && strstr(got, want) != NULL, "  reason '%s' says '%s'", got ? got : "(none)", want);
}

int main(void)
{
    size_t i, size = spn_store_size(4);
    spn_store_t *s = calloc(1, size), *t = calloc(1, size);
    char why[160];

    is_int(SPN_C_COUNT, sizeof(pinned) / sizeof(pinned[0]),
           "SPN_C_COUNT is the number of pinned causes (new ones go at the end, here too)");
    for (i = 0; i < sizeof(pinned) / sizeof(pinned[0]) && i < SPN_C_COUNT; i++) {
        is_str(spn_causes[i].code, pinned[i], "cause %zu is %s", i, pinned[i]);
        is_int(spn_cause_from_code(pinned[i]), (long)i, "  and back");
    }

    spn_store_init(s, 4, 1000);
    ok(spn_store_valid(s, size, 4) && !spn_store_mismatch(s, size, 4, why, sizeof(why)),
       "a fresh store is valid");
    ok(s->version == SPN_STORE_LAYOUT && s->n_causes == SPN_C_COUNT &&
       s->header_size == sizeof(spn_store_t) && s->record_size == sizeof(spn_failure_t),
       "its header records layout %u, %u causes, header %u and record %u bytes",
       s->version, s->n_causes, s->header_size, s->record_size);
#define AGAIN() memcpy(t, s, size)
    AGAIN(); t->version = SPN_STORE_LAYOUT - 1;
    mismatch(t, size, 4, "layout", "an older layout version");
    AGAIN(); t->version = SPN_STORE_LAYOUT + 1;
    mismatch(t, size, 4, "layout", "a newer layout version");
    AGAIN(); t->header_size -= 8;
    mismatch(t, size, 4, "header", "another header size");
    AGAIN(); t->record_size += 8;
    mismatch(t, size, 4, "record", "another record size");
    AGAIN();
    mismatch(t, size - 8, 4, "size", "a block of another size");
    AGAIN(); t->n_causes = SPN_C_COUNT - 1;
    mismatch(t, size, 4, "causes", "another cause count");
    AGAIN();
    mismatch(t, size, 5, "capacity", "another capacity");
    AGAIN(); t->magic = 0;
    mismatch(t, size, 4, "no store", "no magic");
    mismatch(t, 8, 4, "no store", "a block too small for a header");
    AGAIN(); t->next_seq = 0;
    mismatch(t, size, 4, "sequence", "sequence number 0");
    free(s);
    free(t);
    return tap_done();
}

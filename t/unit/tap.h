/* tap.h: a minimal TAP producer for the C unit tests (run by prove). */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;
#define ok(cond, ...) do {                                                  \
        int ok_ = (cond) ? 1 : 0;                                           \
        printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                   \
        printf(__VA_ARGS__);                                                \
        printf("\n");                                                       \
        if (!ok_) { tap_fail++;                                             \
            printf("#   failed at %s line %d\n", __FILE__, __LINE__); }     \
    } while (0)
#define is_int(got, want, ...) do {                                         \
        long g_ = (long)(got), w_ = (long)(want);                           \
        ok(g_ == w_, __VA_ARGS__);                                          \
        if (g_ != w_) printf("#   got %ld, want %ld\n", g_, w_);            \
    } while (0)
#define is_str(got, want, ...) do {                                         \
        const char *g_ = (got), *w_ = (want);                               \
        int e_ = (g_ == NULL && w_ == NULL) ||                              \
                 (g_ && w_ && strcmp(g_, w_) == 0);                         \
        ok(e_, __VA_ARGS__);                                                \
        if (!e_) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",    \
                        w_ ? w_ : "(null)");                                \
    } while (0)
#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)
static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_fail ? 1 : 0;
}
#endif

/* statpage_bench.c: the status page's three formats built for N = 10,
 * 1000 and 5000 synthetic scopes (t/unit/statfarm.h: every 97th fails,
 * every 10th warns), in one run: bytes, bytes a scope, and time as a ratio
 * to N = 10 (best of 7).  Rendering only: the keytab snapshots, the store
 * copy and the request are not in it.  Prints, asserts nothing. */
#include "statfarm.h"

#include <apr_general.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    static const int ns[] = { 10, 1000, 5000 };
    static const char *const fmt[] = { "HTML (default)", "JSON", "Prometheus" };
    static spn_store_t head;
    double base[3] = { 0, 0, 0 };
    apr_pool_t *p, *q;
    int k, f, r, nf, nw;

    apr_initialize();
    apr_pool_create(&p, NULL);
    printf("%-16s %6s %10s %8s %10s %8s\n", "format", "N", "bytes", "B/scope", "ms", "xN=10");
    for (k = 0; k < 3; k++) {
        spn_status_t st;
        memset(&st, 0, sizeof(st));
        st.scopes = farm(p, ns[k], &nf, &nw);
        st.n_scopes = ns[k];
        st.store = &head;
        for (f = 0; f < 3; f++) {
            double best = 1e9;
            size_t len = 0;
            for (r = 0; r < 7; r++) {
                spn_buf_t b;
                double t0;
                apr_pool_create(&q, p);
                spn_buf_init(&b, q, 1 << 16);
                t0 = now();
                if (f == 0)
                    spn_status_html(&b, q, &st);
                else if (f == 1)
                    spn_status_json(&b, q, &st);
                else
                    spn_status_prometheus(&b, q, &st);
                t0 = now() - t0;
                if (t0 < best)
                    best = t0;
                len = b.len;
                apr_pool_destroy(q);
            }
            if (k == 0)
                base[f] = best;
            printf("%-16s %6d %10zu %8zu %10.3f %8.1f\n", fmt[f], ns[k], len,
                   len / (size_t)ns[k], best * 1e3, best / base[f]);
        }
    }
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}

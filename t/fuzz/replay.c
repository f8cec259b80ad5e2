/* replay.c: runs the fuzz target over its committed corpus and over the
 * shared vectors, so gcc builds and `make check` exercise it too. */
#include "tap.h"
#include "vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(void)
{
    static vec_t v[4096];
    char dir[1024];
    int n, i, total = 0;

    snprintf(dir, sizeof dir, "%s/t/fuzz/corpus/token", SRCDIR);
    n = load_dir(dir, 1, v, 4096);
    ok(n > 0, "fuzz corpus %s: %d inputs", dir, n);
    for (i = 0; i < n; i++)
        LLVMFuzzerTestOneInput(v[i].data, v[i].len);
    total += n;
    ok(1, "replayed %d corpus inputs without a crash", n);
    n = load_dir(vectors_dir(), 1, v, 4096);     /* the .b64/.json text, as headers */
    if (n < 0) {
        printf("ok %d # skip %s absent\n", ++tap_n, vectors_dir());
    }
    else {
        for (i = 0; i < n; i++)
            LLVMFuzzerTestOneInput(v[i].data, v[i].len);
        ok(1, "replayed %d shared vector files without a crash", n);
        total += n;
    }
    diag("%d inputs in all", total);
    return tap_done();
}

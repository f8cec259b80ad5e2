/* replay.c: runs a fuzz target over its committed corpus and over the
 * shared vectors, so gcc builds and `make check` exercise it too.
 * Built once per target with -DCORPUS="name" (t/fuzz/corpus/<name>). */
#include "tap.h"
#include "vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(void)
{
    static vec_t v[4096];
    char dir[1024];
    int n, i, total = 0;

    snprintf(dir, sizeof dir, "%s/t/fuzz/corpus/%s", SRCDIR, CORPUS);
    n = load_dir(dir, 1, v, 4096);
    ok(n > 0, "fuzz corpus %s: %d inputs", dir, n);
    for (i = 0; i < n; i++)
        LLVMFuzzerTestOneInput(v[i].data, v[i].len);
    total += n > 0 ? n : 0;
    ok(1, "replayed %d corpus inputs without a crash", n);
    /* The shared vectors, decoded, behind each of the target's selectors
     * (for fuzz_diag the first byte: as-is, Negotiate, NTLM). */
    n = load_dir(vectors_dir(), 0, v, 4096);
    if (n < 0) {
        printf("ok %d # skip %s absent\n", ++tap_n, vectors_dir());
    }
    else {
        for (i = 0; i < n; i++) {
            uint8_t *buf = malloc(v[i].len + 1);
            int sel;
            memcpy(buf + 1, v[i].data, v[i].len);
            for (sel = 0; sel < 3; sel++) {
                buf[0] = (uint8_t)sel;
                LLVMFuzzerTestOneInput(buf, v[i].len + 1);
            }
            LLVMFuzzerTestOneInput(v[i].data, v[i].len);
            free(buf);
        }
        ok(1, "replayed %d shared vectors without a crash", n);
        total += n;
    }
    diag("%d inputs in all", total);
    return tap_done();
}

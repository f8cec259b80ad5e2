/* vectors.h: load test tokens: ../shared/vectors (real implementations;
 * never copied into the repository) and t/fuzz/corpus/token (ours). */
#ifndef VECTORS_H
#define VECTORS_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spn_b64.h"

typedef struct { char name[256]; unsigned char *data; size_t len; } vec_t;

static inline const char *vectors_dir(void)
{
    static char path[1024];
    const char *e = getenv("SPNCHECK_VECTORS");
    if (e && *e)
        return e;
    snprintf(path, sizeof(path), "%s/../shared/vectors", SRCDIR);
    return path;
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; *len = (size_t)n; }
    return buf;
}

/* Loads *.b64 from dir (base64, decoded here; undecodable ones skipped)
 * or raw files when raw is set.  Returns the count, -1 when dir is absent. */
static inline int load_dir(const char *dir, int raw, vec_t *v, int max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) && n < max) {
        char path[1536];
        size_t len, bad, l = strlen(e->d_name);
        char *txt;
        if (e->d_name[0] == '.') continue;
        if (!raw && (l < 5 || strcmp(e->d_name + l - 4, ".b64") != 0)) continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (!(txt = slurp(path, &len))) continue;
        if (raw) {
            v[n].data = (unsigned char *)txt;
            v[n].len = len;
        }
        else {
            long k;
            while (len && (txt[len - 1] == '\n' || txt[len - 1] == '\r')) len--;
            v[n].data = malloc(len + 1);
            k = spn_b64_decode(txt, len, v[n].data, len + 1, &bad);
            free(txt);
            if (k < 0) { free(v[n].data); continue; }
            v[n].len = (size_t)k;
        }
        snprintf(v[n].name, sizeof(v[n].name), "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

/* All vectors: shared ones (if present) plus our own corpus. */
static inline int load_vectors(vec_t *v, int max)
{
    char own[1024];
    int a = load_dir(vectors_dir(), 0, v, max), b;
    if (a < 0) {
        printf("# %s absent: shared vectors skipped\n", vectors_dir());
        a = 0;
    }
    snprintf(own, sizeof(own), "%s/t/fuzz/corpus/token", SRCDIR);
    b = load_dir(own, 1, v + a, max - a);
    return a + (b < 0 ? 0 : b);
}
#endif

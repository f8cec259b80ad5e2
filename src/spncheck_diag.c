/* spncheck_diag.c: 'spncheck diagnose' (filled in with the diagnosis engine) */
#include <apr_pools.h>
#include <stdio.h>
int spncheck_diagnose(apr_pool_t *p, int argc, char **argv)
{
    (void)p; (void)argc; (void)argv;
    fputs("spncheck diagnose: not built yet\n", stderr);
    return 2;
}

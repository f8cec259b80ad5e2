/* spncheck_har.h: 'spncheck har' (tool only: links jansson). */
#ifndef SPNCHECK_HAR_H
#define SPNCHECK_HAR_H

#include "spncheck_opts.h"

#include <jansson.h>
#include <stdio.h>

/* Every Negotiate/NTLM exchange of a parsed HAR (root), decoded and the
 * failed ones diagnosed, reported to out.  Returns 1 when a failure was
 * found, else 0.  ctx may be NULL (no keytab checks). */
int spn_har_report(apr_pool_t *p, krb5_context ctx, json_t *root, spncheck_opts_t *o, FILE *out);
int spncheck_har(apr_pool_t *p, int argc, char **argv);

#endif

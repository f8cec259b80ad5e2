/* spncheck_opts.h: the command-line options the spncheck commands share. */
#ifndef SPNCHECK_OPTS_H
#define SPNCHECK_OPTS_H

#include "spn_diag.h"

typedef struct {
    const char *spns[32];
    spn_service_t svc;          /* spns, account, netbios (keytab loaded later) */
    const char *keytab, *client_keytab, *client, *host, *at, *gss_error;
    const char *arg;            /* the one bare argument ('-' counts), or NULL */
    int json;
} spncheck_opts_t;

/* Parses argv[1..] into o.  allowed lists the options this command takes
 * ("--keytab --spn ..."; --json is always allowed).  Returns 0, or -1 on
 * an unknown or incomplete option, or a second bare argument. */
int spncheck_opts(int argc, char **argv, const char *allowed, spncheck_opts_t *o);

#endif

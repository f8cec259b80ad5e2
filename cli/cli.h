/* cli.h: the spncheck command-line tool (cli/), over libspncheck (src/).
 * Its names start with cli_; the library's with spn_, the httpd glue's
 * with spncheck_.  Each command is a cli_cmd_* in the table in main.c. */
#ifndef CLI_H
#define CLI_H

#include "spn_diag.h"
#include "spn_dir.h"

#include <jansson.h>
#include <stdio.h>

/* Exit statuses, the same for every command (docs/spncheck.md). */
enum {
    CLI_OK = 0,         /* read and explained (and, for the checks, nothing fails) */
    CLI_UNREADABLE = 1, /* the input cannot be read: not a token, a file missing, ... */
    CLI_USAGE = 2,      /* the command line: an unknown option, a missing argument */
    CLI_DIRECTORY = 3,  /* the directory (KDC, LDAP) cannot be used */
    CLI_FAILS = 4       /* keytab, probe, directory, har: read, and a check fails */
};

/* "spncheck CMD: " and the message (printf), terminal-safe, on stderr,
 * then where the usage is.  Returns CLI_USAGE.  opts.c. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "spncheck CMD: " and the message, terminal-safe, on stderr.  opts.c. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Why the file at path cannot serve as input ("does not exist", "cannot
 * be read (Permission denied)", "is a directory", "is empty"), or NULL
 * when it is a readable file with something in it.  opts.c. */
const char *cli_file_problem(apr_pool_t *p, const char *path);
/* Why a token that did not decode is no sign-in token, in a few words
 * (from its error code), or NULL when it decoded.  opts.c. */
const char *cli_token_problem(apr_pool_t *p, const spn_token_t *tok);
/* A keytab that cannot serve (missing, unreadable, not a keytab, no
 * keys), said on stderr as "spncheck CMD: OPT PATH: why": returns 1;
 * 0 when it holds keys.  opts.c. */
int cli_keytab_problem(apr_pool_t *p, const char *cmd, const char *opt, const char *path,
                       const spn_keytab_t *kt);

/* The options the commands share (opts.c). */
typedef struct {
    const char *spns[32];
    spn_service_t svc;          /* spns, account, netbios (keytab loaded later) */
    const char *keytab, *client_keytab, *client, *host, *at, *gss_error;
    const char *tls_cert;       /* --tls-cert: PEM file of the certificate the client saw */
    const char *backend;        /* --backend: the backend's WWW-Authenticate (proxied) */
    const char *server;         /* --server ldap://dc (the directory, issue 11) */
    const char *timeout;        /* --timeout SECONDS for the directory */
    const char *arg;            /* the one bare argument ('-' counts), or NULL */
    const char *args[32];       /* every bare argument, when allowed lists "ARGS..." */
    int n_args;
    int json;
} cli_opts_t;

/* Parses argv[1..] into o (argv[0] is the command's name).  allowed lists
 * the options this command takes ("--keytab --spn ..."; --json is always
 * allowed).  Returns 0, or -1 on an unknown or incomplete option, or a
 * second bare argument (unless allowed has "ARGS...": then up to 32 land
 * in args), having said which on stderr (cli_usage_error). */
int cli_opts(int argc, char **argv, const char *allowed, cli_opts_t *o);

/* The token argument, or stdin when it is "-" or absent (capped): main.c. */
const char *cli_input(apr_pool_t *p, const char *arg, size_t *len);

/* The commands: argv[0] is the command's name.  Each returns its exit
 * status (CLI_*), having said what was wrong on stderr. */
int cli_cmd_decode(apr_pool_t *p, int argc, char **argv);     /* main.c */
int cli_cmd_diagnose(apr_pool_t *p, int argc, char **argv);   /* cmd_diagnose.c */
int cli_cmd_keytab(apr_pool_t *p, int argc, char **argv);     /* cmd_keytab.c */
int cli_cmd_probe(apr_pool_t *p, int argc, char **argv);      /* cmd_keytab.c */
int cli_cmd_har(apr_pool_t *p, int argc, char **argv);        /* cmd_har.c */
int cli_cmd_directory(apr_pool_t *p, int argc, char **argv);  /* cmd_directory.c */

/* The directory facts (spn_dir.h) for spns and their other name forms,
 * when o names --server, --client-keytab and --client, into out (room
 * for max); *n says how many.  Returns 0, 1 when none of the options is
 * given (nothing looked up), -2 when they are incomplete, -1 when the
 * identity cannot bind (why on stderr; every entry then carries it as
 * its error).  cmd_directory.c. */
int cli_dir_facts(apr_pool_t *p, krb5_context ctx, const cli_opts_t *o,
                  const char *const *spns, int nspns, spn_dir_spn_t *out, int max, int *n);
/* The same for a command's --spn list plus more (NULL or "" skipped):
 * what diagnose, probe and keytab call.  Returns as cli_dir_facts. */
int cli_dir_for(apr_pool_t *p, krb5_context ctx, const cli_opts_t *o, const char *more1,
                const char *more2, spn_dir_spn_t **out, int *n);
/* The directory's facts after a command's output in b (keytab, probe):
 * spliced into its JSON (cli_dir_splice), or as text followed by lines
 * judging the keytab kt against them: one holder (and it is account, when
 * given), AD's kvno equals the keytab's newest for that SPN, and some key
 * has an enctype the holder's msDS-SupportedEncryptionTypes admits.
 * Returns how many of those judgements failed (JSON or text). */
int cli_dir_append(spn_buf_t *b, int json, const spn_keytab_t *kt, const spn_dir_spn_t *d,
                   int n, const char *account);
/* ',"directory":{...}' spliced into the JSON object in out (which ends
 * with "}\n" or "}"). */
void cli_dir_splice(spn_buf_t *out, const spn_dir_spn_t *d, int n);

/* Every Negotiate/NTLM exchange of a parsed HAR (root), decoded and the
 * failed ones diagnosed, reported to out.  Returns 1 when a failure was
 * found, else 0.  ctx may be NULL (no keytab checks).  (fuzz_har too.) */
int cli_har_report(apr_pool_t *p, krb5_context ctx, json_t *root, cli_opts_t *o, FILE *out);

#endif

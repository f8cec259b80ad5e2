/* main.c: spncheck, the command-line face of libspncheck: the command
 * table, the usage, the token input, and 'decode'. */
#include "config.h"
#include "spn_http.h"
#include "cli.h"
#include "spn_report.h"
#include "spn_token.h"

#include <apr_general.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(apr_pool_t *p, int argc, char **argv);
} commands[] = {
    { "decode", cli_cmd_decode },
    { "diagnose", cli_cmd_diagnose },
    { "keytab", cli_cmd_keytab },
    { "probe", cli_cmd_probe },
    { "har", cli_cmd_har },
    { "directory", cli_cmd_directory },
};

static void usage(FILE *out)
{
    fputs("usage: spncheck decode [--json] [TOKEN | -]\n"
          "       spncheck diagnose --keytab K --spn S [--spn S2] [--account DOM\\user]\n"
          "                         [--netbios N] [--host H] [--at TIME]\n"
          "                         [--gss-error TEXT] [--tls-cert PEM] [--backend WWW-AUTH]\n"
          "                         [--json] TOKEN\n"
          "  --at: judge the token as if now were TIME (2026-11-24T12:00:00Z)\n"
          "  --gss-error: the acceptor's error text (mod_auth_gssapi's MAG_ERROR_TEXT)\n"
          "  --tls-cert: the certificate the client saw (channel binding it should bear)\n"
          "  --backend: the 401 came from a backend, with this WWW-Authenticate value\n"
          "       spncheck keytab FILE [--spn S...] [--account DOM\\user] [--json]\n"
          "       spncheck probe --client-keytab K --client PRINC [--keytab SVC]\n"
          "                      --spn S [--spn S2...] [--account A] [--json]\n"
          "       spncheck har FILE.har [--keytab K] [--spn S...] [--account A] [--json]\n"
          "       spncheck directory --server URI --client-keytab K --client PRINC\n"
          "                          [--account DOM\\user] [--timeout SECONDS] [--json] SPN...\n"
          "       spncheck --help | --version\n"
          "  diagnose, probe, keytab: --server URI --client-keytab K --client PRINC add\n"
          "  what the directory says about the SPNs (Active Directory, LDAP + GSSAPI)\n"
          "TOKEN: base64, 'Negotiate <b64>', 'NTLM <b64>', or a whole\n"
          "'Authorization: ...' / 'WWW-Authenticate: ...' line; '-' or none reads stdin.\n"
          "Exit status: 0 read and explained (keytab, probe, directory, har: and nothing\n"
          "fails), 1 the input cannot be read (not a token, a file missing or unreadable),\n"
          "2 usage, 3 the directory (KDC, LDAP) cannot be used, 4 keytab, probe,\n"
          "directory, har: a check fails.\n",
          out);
}

/* --help or -h among a command's arguments (not as an option's value). */
static int wants_help(int argc, const char *const *argv)
{
    int i;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i], "--json") != 0)
            i++;                    /* its value */
    }
    return 0;
}

/* The token argument, or stdin when it is "-" or absent (capped). */
const char *cli_input(apr_pool_t *p, const char *arg, size_t *len)
{
    enum { CAP = 4 * SPN_TOKEN_MAX };
    char *buf;
    size_t n;

    if (arg && strcmp(arg, "-") != 0) {
        *len = strlen(arg);
        return arg;
    }
    buf = apr_palloc(p, CAP + 1);
    n = fread(buf, 1, CAP + 1, stdin);
    if (n > CAP)
        n = CAP + 1;      /* over the cap: the decoder reports too-large */
    buf[n < CAP ? n : CAP] = '\0';
    *len = n < CAP ? n : CAP + 1;
    return buf;
}

int cli_cmd_decode(apr_pool_t *p, int argc, char **argv)
{
    const char *in, *scheme, *b64, *why;
    size_t len, blen;
    uint8_t *raw;
    spn_token_t tok;
    spn_buf_t out;
    cli_opts_t o;

    if (cli_opts(argc, argv, "", &o) < 0)
        return CLI_USAGE;
    in = cli_input(p, o.arg, &len);
    raw = apr_palloc(p, SPN_TOKEN_MAX);
    if (spn_split_auth(in, len > 4 * SPN_TOKEN_MAX ? 4 * SPN_TOKEN_MAX : len,
                       &scheme, &b64, &blen) < 0)
        blen = 0;
    spn_token_decode_b64(b64, blen, raw, SPN_TOKEN_MAX, &tok);
    spn_buf_init(&out, p, 4096);
    if (o.json) {
        spn_json_t w;
        spn_json_init(&w, &out);
        spn_token_json(&w, &tok);
        spn_buf_puts(&out, "\n");
    }
    else {
        spn_token_text(&out, &tok);
    }
    fwrite(out.s, 1, out.len, stdout);
    if ((why = cli_token_problem(p, &tok)) != NULL) {
        cli_error("decode", "%s", why);
        return CLI_UNREADABLE;
    }
    return CLI_OK;
}

static int run(apr_pool_t *p, int argc, const char *const *argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("spncheck %s\n", PACKAGE_VERSION);
        return CLI_OK;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            break;
    if (i == sizeof(commands) / sizeof(commands[0]))
        return argv[1][0] == '-' ? cli_usage_error(NULL, "unknown option '%s'", argv[1])
                                 : cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    if (wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    return commands[i].run(p, argc - 1, (char **)argv + 1);
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS ||
        apr_pool_create(&p, NULL) != APR_SUCCESS)
        return CLI_UNREADABLE;
    rc = run(p, argc, argv);
    apr_terminate();
    return rc;
}

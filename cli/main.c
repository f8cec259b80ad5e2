/* main.c: spncheck, the command-line face of libspncheck: the command
 * table, the usage, the token input, and 'decode'. */
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

static int usage(void)
{
    fputs("usage: spncheck decode [--json] [TOKEN | -]\n"
          "       spncheck diagnose --keytab K --spn S [--spn S2] [--account DOM\\user]\n"
          "                         [--netbios N] [--host H] [--at TIME]\n"
          "                         [--gss-error TEXT] [--json] TOKEN\n"
          "  --at: judge the token as if now were TIME (2026-11-24T12:00:00Z)\n"
          "  --gss-error: the acceptor's error text (mod_auth_gssapi's MAG_ERROR_TEXT)\n"
          "       spncheck keytab FILE [--spn S...] [--account DOM\\user] [--json]\n"
          "       spncheck probe --client-keytab K --client PRINC [--keytab SVC]\n"
          "                      --spn S [--spn S2...] [--account A] [--json]\n"
          "       spncheck har FILE.har [--keytab K] [--spn S...] [--account A] [--json]\n"
          "       spncheck directory --server URI --client-keytab K --client PRINC\n"
          "                          [--account DOM\\user] [--json] SPN...\n"
          "  diagnose, probe, keytab: --server URI --client-keytab K --client PRINC add\n"
          "  what the directory says about the SPNs (Active Directory, LDAP + GSSAPI)\n"
          "TOKEN: base64, 'Negotiate <b64>', 'NTLM <b64>', or a whole\n"
          "'Authorization: ...' / 'WWW-Authenticate: ...' line; '-' or none reads stdin.\n",
          stderr);
    return 2;
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
    int json = 0, i;
    const char *arg = NULL, *in, *scheme, *b64;
    size_t len, blen;
    uint8_t *raw;
    spn_token_t tok;
    spn_buf_t out;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (!arg && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            arg = argv[i];
        else
            return usage();
    }
    in = cli_input(p, arg, &len);
    raw = apr_palloc(p, SPN_TOKEN_MAX);
    if (spn_split_auth(in, len > 4 * SPN_TOKEN_MAX ? 4 * SPN_TOKEN_MAX : len,
                       &scheme, &b64, &blen) < 0)
        blen = 0;
    spn_token_decode_b64(b64, blen, raw, SPN_TOKEN_MAX, &tok);
    spn_buf_init(&out, p, 4096);
    if (json) {
        spn_json_t w;
        spn_json_init(&w, &out);
        spn_token_json(&w, &tok);
        spn_buf_puts(&out, "\n");
    }
    else {
        spn_token_text(&out, &tok);
    }
    fwrite(out.s, 1, out.len, stdout);
    return tok.error.code ? 1 : 0;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    size_t i;
    int rc = -1;

    if (argc < 2)
        return usage();
    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS ||
        apr_pool_create(&p, NULL) != APR_SUCCESS)
        return 2;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            rc = commands[i].run(p, argc - 1, (char **)argv + 1);
    /* decode's 2 is a verdict (malformed token), not a usage error */
    if (rc == -1 || (rc == 2 && strcmp(argv[1], "decode") != 0))
        rc = usage();
    apr_terminate();
    return rc;
}

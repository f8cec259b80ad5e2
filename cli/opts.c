/* opts.c: the option parser the commands share, and their messages for
 * what is wrong with the command line or the input (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void verror(const char *cmd, const char *fmt, va_list ap)
{
    char msg[1024];
    spn_buf_t b;
    apr_pool_t *p;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return;
    spn_buf_init(&b, p, 256);
    spn_buf_puts(&b, "spncheck");
    if (cmd) {
        spn_buf_puts(&b, " ");
        spn_buf_text(&b, cmd, strlen(cmd));
    }
    spn_buf_puts(&b, ": ");
    spn_buf_text(&b, msg, strlen(msg));         /* what the user typed, terminal-safe */
    spn_buf_puts(&b, "\n");
    fwrite(b.s, 1, b.len, stderr);
    apr_pool_destroy(p);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
    fputs("Run 'spncheck --help' for the usage.\n", stderr);
    return CLI_USAGE;
}

const char *cli_file_problem(apr_pool_t *p, const char *path)
{
    struct stat st;
    FILE *f;

    if (stat(path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? "does not exist"
                                                   : spn_psprintf(p, "cannot be read (%s)",
                                                                  strerror(errno));
    if (S_ISDIR(st.st_mode))
        return "is a directory, not a file";
    if (!(f = fopen(path, "rb")))
        return spn_psprintf(p, "cannot be read (%s)%s", strerror(errno),
                            errno == EACCES ? ": check its owner and mode" : "");
    fclose(f);
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return "is empty";
    return NULL;
}

const char *cli_token_problem(apr_pool_t *p, const spn_token_t *tok)
{
    const spn_error_t *e = &tok->error;

    switch (e->code) {
    case SPN_E_OK:
        return NULL;
    case SPN_E_EMPTY:
        return "no token: the input is empty";
    case SPN_E_BASE64:
        return "not base64, so not a Negotiate or NTLM token (a token is the base64 after "
               "'Authorization: Negotiate ')";
    case SPN_E_TOO_LARGE:
        return spn_psprintf(p, "more than %d bytes decoded: too large to be a sign-in token",
                            SPN_TOKEN_MAX);
    case SPN_E_UNSUPPORTED:
        return spn_psprintf(p, "base64, but not a Negotiate or NTLM token: %s", e->message);
    case SPN_E_TRUNCATED:
        return spn_psprintf(p, "a token cut short (byte %zu: %s): was it copied whole? A proxy "
                            "or a header size limit may have cut it", e->offset, e->message);
    default:        /* malformed, too deep */
        return spn_psprintf(p, "base64, but not a well-formed Negotiate or NTLM token "
                            "(byte %zu: %s)", e->offset, e->message);
    }
}

int cli_keytab_problem(apr_pool_t *p, const char *cmd, const char *opt, const char *path,
                       const spn_keytab_t *kt)
{
    const char *why;
    const char *name = path && strncmp(path, "FILE:", 5) == 0 ? path + 5 : path;

    if (kt && kt->status == 0 && kt->n > 0)
        return 0;
    switch (kt ? (kt->status == 0 ? -1 : kt->why) : SPN_KT_UNSET) {
    case -1:
        why = "is a keytab with no keys in it";
        break;
    case SPN_KT_UNSET:
        why = "no keytab named";
        break;
    case SPN_KT_MISSING:
        why = "does not exist";
        break;
    case SPN_KT_EMPTY_FILE:
        why = "is empty (0 bytes)";
        break;
    case SPN_KT_DENIED:
        why = spn_psprintf(p, "cannot be read (%s): check its owner and mode", kt->error);
        break;
    case SPN_KT_NOT_KEYTAB:
        why = spn_psprintf(p, "is not a keytab (%s)", kt->error);
        break;
    default:
        why = spn_psprintf(p, "cannot be read (%s)", kt->error);
    }
    cli_error(cmd, "%s%s%s: %s", opt ? opt : "", opt ? " " : "", name ? name : "", why);
    return 1;
}

static int allows(const char *allowed, const char *opt)
{
    size_t n = strlen(opt);
    const char *s;
    for (s = strstr(allowed, opt); s; s = strstr(s + 1, opt))
        if ((s == allowed || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
            return 1;
    return 0;
}

int cli_opts(int argc, char **argv, const char *allowed, cli_opts_t *o)
{
    static const struct { const char *name; size_t at; } str[] = {
        { "--keytab", offsetof(cli_opts_t, keytab) },
        { "--client-keytab", offsetof(cli_opts_t, client_keytab) },
        { "--client", offsetof(cli_opts_t, client) },
        { "--host", offsetof(cli_opts_t, host) },
        { "--server", offsetof(cli_opts_t, server) },
        { "--timeout", offsetof(cli_opts_t, timeout) },
        { "--at", offsetof(cli_opts_t, at) },
        { "--gss-error", offsetof(cli_opts_t, gss_error) },
        { "--tls-cert", offsetof(cli_opts_t, tls_cert) },
        { "--backend", offsetof(cli_opts_t, backend) },
        { "--account", offsetof(cli_opts_t, svc) + offsetof(spn_service_t, account) },
        { "--netbios", offsetof(cli_opts_t, svc) + offsetof(spn_service_t, netbios) },
    };
    int i;
    size_t k;

    memset(o, 0, sizeof(*o));
    o->svc.spns = o->spns;
    o->svc.max_skew = 300;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->arg && !allows(allowed, "ARGS..."))
                return cli_usage_error(argv[0], "one argument only: '%s' is a second "
                                       "(after '%s')", a, o->arg), -1;
            if (o->n_args == 32)
                return cli_usage_error(argv[0], "at most 32 arguments"), -1;
            if (!o->arg)
                o->arg = a;
            o->args[o->n_args++] = a;
            continue;
        }
        if (!allows(allowed, a))
            return cli_usage_error(argv[0], "unknown option '%s'", a), -1;
        if (!v)
            return cli_usage_error(argv[0], "option '%s' needs a value", a), -1;
        if (strcmp(a, "--spn") == 0) {
            if (o->svc.n_spns == 32)
                return cli_usage_error(argv[0], "at most 32 --spn"), -1;
            o->spns[o->svc.n_spns++] = v;
        }
        else {
            for (k = 0; k < sizeof(str) / sizeof(str[0]) && strcmp(a, str[k].name); k++)
                ;
            if (k == sizeof(str) / sizeof(str[0]))
                return cli_usage_error(argv[0], "unknown option '%s'", a), -1;
            *(const char **)((char *)o + str[k].at) = v;
        }
        i++;
    }
    return 0;
}

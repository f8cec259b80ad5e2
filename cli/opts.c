/* opts.c: the option parser the commands share (see cli.h). */
#include "cli.h"

#include <stddef.h>
#include <string.h>

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
                return -1;
            if (o->n_args == 32)
                return -1;
            if (!o->arg)
                o->arg = a;
            o->args[o->n_args++] = a;
            continue;
        }
        if (!v || !allows(allowed, a))
            return -1;
        if (strcmp(a, "--spn") == 0) {
            if (o->svc.n_spns == 32)
                return -1;
            o->spns[o->svc.n_spns++] = v;
        }
        else {
            for (k = 0; k < sizeof(str) / sizeof(str[0]) && strcmp(a, str[k].name); k++)
                ;
            if (k == sizeof(str) / sizeof(str[0]))
                return -1;
            *(const char **)((char *)o + str[k].at) = v;
        }
        i++;
    }
    return 0;
}

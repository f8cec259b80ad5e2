/* cmd_har.c: 'spncheck har FILE.har'.  The HAR is read here with jansson
 * (the tool's only JSON reader); each entry goes to the library's walker
 * (src/spn_har.c) as plain strings. */
#include "cli.h"
#include "spn_buf.h"
#include "spn_har.h"

#include <apr_strings.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The nth value of a header of a HAR request or response, or NULL. */
static const char *header(json_t *msg, const char *name, int nth)
{
    json_t *hs = json_object_get(msg, "headers"), *h;
    size_t i;
    int seen = 0;

    json_array_foreach(hs, i, h) {
        const char *n = json_string_value(json_object_get(h, "name"));
        const char *v = json_string_value(json_object_get(h, "value"));
        if (n && v && strcasecmp(n, name) == 0 && seen++ == nth)
            return v;
    }
    return NULL;
}

static void text(spn_buf_t *b, const char *s)
{
    spn_buf_text(b, s ? s : "-", strlen(s ? s : "-"));
}

int cli_cmd_har(apr_pool_t *p, int argc, char **argv)
{
    cli_opts_t o;
    krb5_context ctx = NULL;
    json_error_t jerr;
    json_t *root, *entries;
    const char *why;
    int rc, bad_input = 0;

    if (cli_opts(argc, argv, "--keytab --spn --account --netbios", &o) < 0)
        return CLI_USAGE;
    if (!o.arg)
        return cli_usage_error("har", "which file? spncheck har FILE.har");
    if ((why = cli_file_problem(p, o.arg)) != NULL) {
        cli_error("har", "%s %s", o.arg, why);
        return CLI_UNREADABLE;
    }
    root = json_load_file(o.arg, JSON_DECODE_ANY, &jerr);
    entries = json_object_get(json_object_get(root, "log"), "entries");
    if (!root || !json_is_array(entries)) {
        spn_buf_t e;                /* jansson quotes the file's bytes: escaped */
        spn_buf_init(&e, p, 256);
        spn_buf_puts(&e, "spncheck: ");
        text(&e, o.arg);
        spn_buf_puts(&e, ": not a HAR file: ");
        text(&e, root ? "no log.entries array" : jerr.text);
        if (!root)
            spn_buf_printf(&e, " (line %d, column %d)", jerr.line, jerr.column);
        spn_buf_puts(&e, "\n");
        fwrite(e.s, 1, e.len, stderr);
        json_decref(root);
        return CLI_UNREADABLE;
    }
    if (krb5_init_context(&ctx) != 0)
        ctx = NULL;
    if (o.keytab && ctx) {
        o.svc.keytab = spn_keytab_load(p, ctx, o.keytab);
        bad_input = cli_keytab_problem(p, "har", "--keytab", o.keytab, o.svc.keytab);
    }
    rc = cli_har_report(p, ctx, root, &o, stdout);
    json_decref(root);
    if (ctx)
        krb5_free_context(ctx);
    return bad_input ? CLI_UNREADABLE : rc ? CLI_FAILS : CLI_OK;
}

int cli_har_report(apr_pool_t *p, krb5_context ctx, json_t *root, cli_opts_t *op, FILE *out)
{
    cli_opts_t o = *op;
    json_t *entries = json_object_get(json_object_get(root, "log"), "entries"), *e;
    spn_har_t h;
    spn_buf_t rep;
    size_t i;
    int rc;

    o.svc.spns = o.spns;
    spn_har_begin(&h, p, ctx, &o.svc, o.json);
    json_array_foreach(entries, i, e) {
        json_t *req = json_object_get(e, "request"), *resp = json_object_get(e, "response"), *conn;
        spn_har_entry_t he;
        const char *www;

        if (i >= SPN_HAR_MAX_ENTRIES)
            break;
        memset(&he, 0, sizeof(he));
        he.url = json_string_value(json_object_get(req, "url"));
        he.started = json_string_value(json_object_get(e, "startedDateTime"));
        he.status = (int)json_integer_value(json_object_get(resp, "status"));
        he.authorization = header(req, "Authorization", 0);
        conn = json_object_get(e, "connection");     /* Chrome: a string; some tools: a number */
        he.connection = json_is_integer(conn)
            ? apr_psprintf(p, "%" JSON_INTEGER_FORMAT, json_integer_value(conn))
            : json_string_value(conn);
        while (he.n_www < SPN_HAR_MAX_WWW &&
               (www = header(resp, "WWW-Authenticate", he.n_www)) != NULL)
            he.www[he.n_www++] = www;
        spn_har_entry(&h, i, &he);
    }
    spn_buf_init(&rep, p, 4096);
    rc = spn_har_end(&h, o.arg, json_array_size(entries), &rep);
    fwrite(rep.s, 1, rep.len, out);
    return rc;
}

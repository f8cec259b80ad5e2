/* cmd_har.c: 'spncheck har FILE.har': every Negotiate/NTLM exchange
 * in a browser's HAR export, both directions decoded, each failed one
 * diagnosed with the module's engine.  A one-screen summary comes first.
 * The HAR is read with jansson; this file is linked into the tool only,
 * never into the library or the module. */
#include "spn_http.h"
#include "spn_names.h"
#include "spn_render.h"
#include "cli.h"
#include "spn_report.h"

#include <apr_strings.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HAR_MAX_ENTRIES 100000



enum { K_CHALLENGE, K_CONTINUE, K_SUCCESS, K_FAILED };
static const char *kind_names[] = { "challenge", "continue", "success", "failed" };

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

/* "Negotiate" or "NTLM", with or without a token. */
static int is_negotiate(const char *v)
{
    size_t n;
    if (!v)
        return 0;
    v += strspn(v, " \t");
    n = strcspn(v, " \t");
    return (n == 9 && strncasecmp(v, "Negotiate", 9) == 0) ||
           (n == 4 && strncasecmp(v, "NTLM", 4) == 0);
}

/* Decodes the token of an Authorization / WWW-Authenticate value. */
static int decode(apr_pool_t *p, const char *v, spn_token_t *tok)
{
    const char *scheme, *b64;
    size_t n;

    if (!v || spn_split_auth(v, strlen(v), &scheme, &b64, &n) < 0 || !n)
        return 0;
    spn_decode_pooled(p, b64, n, tok);
    return 1;
}

static const char *url_host(apr_pool_t *p, const char *url)
{
    const char *h = url ? strstr(url, "://") : NULL;
    if (!h)
        return "";
    h += 3;
    return apr_pstrmemdup(p, h, strcspn(h, "/:?#"));
}

static time_t har_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return time(NULL);
    return timegm(&tm);             /* the offset, if any, is ignored: seconds matter little */
}

static void text(spn_buf_t *b, const char *s)
{
    spn_buf_text(b, s ? s : "-", strlen(s ? s : "-"));
}

/* One line about a token, for the text report. */
static void token_line(spn_buf_t *b, const char *dir, const spn_token_t *t)
{
    char sname[512];
    spn_buf_printf(b, "    %s %s", dir, spn_format_name(t->format));
    if (t->mech)
        spn_buf_printf(b, " %s", spn_mech_name(t->mech));
    if (t->neg_state >= 0)
        spn_buf_printf(b, " negState=%s", spn_neg_state_name(t->neg_state));
    if (t->has_krb5 && t->krb5.msg_type == SPN_KRB_AP_REQ) {
        spn_krb5_sname(&t->krb5, sname, sizeof(sname));
        spn_buf_puts(b, " AP-REQ for ");
        text(b, sname);
        spn_buf_puts(b, "@");
        spn_buf_text(b, (const char *)t->krb5.realm.p, t->krb5.realm.len);
        spn_buf_printf(b, " %s kvno %ld", spn_etype_name(t->krb5.etype), t->krb5.kvno);
    }
    else if (t->has_krb5 && t->krb5.msg_type == SPN_KRB_ERROR) {
        spn_buf_printf(b, " KRB-ERROR %s", spn_krb5_error_name(t->krb5.error_code));
    }
    if (t->has_ntlm)
        spn_buf_printf(b, " NTLM type %d", t->ntlm.type);
    if (t->error.code)
        spn_buf_printf(b, " (malformed: %s)", spn_err_name(t->error.code));
    spn_buf_puts(b, "\n");
}

int cli_cmd_har(apr_pool_t *p, int argc, char **argv)
{
    cli_opts_t o;
    krb5_context ctx = NULL;
    json_error_t jerr;
    json_t *root, *entries;
    int rc;

    if (cli_opts(argc, argv, "--keytab --spn --account --netbios", &o) < 0)
        return 2;
    if (!o.arg)
        return 2;
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
        return 3;
    }
    if (krb5_init_context(&ctx) != 0)
        ctx = NULL;
    if (o.keytab && ctx)
        o.svc.keytab = spn_keytab_load(p, ctx, o.keytab);
    rc = cli_har_report(p, ctx, root, &o, stdout);
    json_decref(root);
    if (ctx)
        krb5_free_context(ctx);
    return rc;
}

int cli_har_report(apr_pool_t *p, krb5_context ctx, json_t *root, cli_opts_t *op, FILE *out)
{
    cli_opts_t o = *op;
    json_t *entries = json_object_get(json_object_get(root, "log"), "entries"), *e;
    spn_buf_t sum, det;
    spn_json_t dw;                  /* the exchanges array, into det */
    size_t i;
    int counts[4] = {0, 0, 0, 0};

    o.svc.spns = o.spns;
    spn_buf_init(&sum, p, 4096);
    spn_buf_init(&det, p, 16384);
    spn_json_init(&dw, &det);
    if (o.json)
        spn_json_array(&dw);
    json_array_foreach(entries, i, e) {
        json_t *req = json_object_get(e, "request"), *resp = json_object_get(e, "response");
        const char *auth = header(req, "Authorization", 0), *url, *www;
        int status = (int)json_integer_value(json_object_get(resp, "status"));
        int kind, j, cont = 0, has_www = 0;
        spn_token_t rt, st;
        spn_diag_t *d = NULL;
        apr_pool_t *ep;

        if (i >= HAR_MAX_ENTRIES)
            break;
        for (j = 0; (www = header(resp, "WWW-Authenticate", j)) != NULL; j++)
            if (is_negotiate(www))
                has_www = 1;
        if (!is_negotiate(auth) && !(status == 401 && has_www))
            continue;                       /* not a Negotiate exchange */
        apr_pool_create(&ep, p);
        url = json_string_value(json_object_get(req, "url"));
        for (j = 0; (www = header(resp, "WWW-Authenticate", j)) != NULL; j++)
            if (decode(ep, www, &st) && st.error.code == SPN_E_OK &&
                spn_token_continues(&st))
                cont = 1;
        if (!is_negotiate(auth))
            kind = K_CHALLENGE;
        else if (status != 401)
            kind = K_SUCCESS;
        else
            kind = cont ? K_CONTINUE : K_FAILED;
        counts[kind]++;
        if (kind == K_FAILED) {
            spn_observation_t obs;
            memset(&obs, 0, sizeof(obs));
            obs.authorization = auth;
            obs.host = url_host(ep, url);
            obs.now = har_time(json_string_value(json_object_get(e, "startedDateTime")));
            d = apr_palloc(ep, sizeof(*d));
            spn_diagnose(ep, ctx, &o.svc, &obs, d);
            if (!o.json) {
                spn_buf_printf(&sum, "FAILED #%zu ", i);
                text(&sum, obs.host);
                spn_buf_puts(&sum, *d->sname ? " asked for " : "");
                if (*d->sname) {
                    text(&sum, d->sname);
                    spn_buf_puts(&sum, "@");
                    text(&sum, d->realm);
                }
                spn_buf_puts(&sum, "\n");
                spn_render_text(&sum, d, &o.svc);
            }
        }
        if (o.json) {
            spn_json_object(&dw);
            spn_json_kuint(&dw, "index", i);
            spn_json_kstr(&dw, "kind", kind_names[kind]);
            spn_json_kint(&dw, "status", status);
            spn_json_kstr(&dw, "url", url);
            spn_json_key(&dw, "request_token");
            if (decode(ep, auth, &rt))
                spn_token_json(&dw, &rt);
            else
                spn_json_null(&dw);
            spn_json_key(&dw, "response_tokens");
            spn_json_array(&dw);
            for (j = 0; (www = header(resp, "WWW-Authenticate", j)) != NULL; j++)
                if (decode(ep, www, &st))
                    spn_token_json(&dw, &st);
            spn_json_end(&dw);
            spn_json_key(&dw, "diagnosis");
            if (d)
                spn_diag_json(&dw, d, &o.svc);
            else
                spn_json_null(&dw);
            spn_json_end(&dw);
        }
        else {
            spn_buf_printf(&det, "#%zu %s %d ", i, kind_names[kind], status);
            text(&det, url);
            spn_buf_puts(&det, "\n");
            if (decode(ep, auth, &rt))
                token_line(&det, "->", &rt);
            for (j = 0; (www = header(resp, "WWW-Authenticate", j)) != NULL; j++)
                if (decode(ep, www, &st))
                    token_line(&det, "<-", &st);
        }
        apr_pool_destroy(ep);
    }
    if (o.json) {
        spn_buf_t f;
        spn_json_t w;
        spn_json_end(&dw);
        spn_buf_init(&f, p, 256 + det.len);
        spn_json_init(&w, &f);
        spn_json_object(&w);
        spn_json_kstr(&w, "file", o.arg);
        spn_json_kuint(&w, "entries", json_array_size(entries));
        spn_json_key(&w, "summary");
        spn_json_object(&w);
        spn_json_kint(&w, "failed", counts[K_FAILED]);
        spn_json_kint(&w, "succeeded", counts[K_SUCCESS]);
        spn_json_kint(&w, "continued", counts[K_CONTINUE]);
        spn_json_kint(&w, "challenges", counts[K_CHALLENGE]);
        spn_json_end(&w);
        spn_json_key(&w, "exchanges");
        spn_json_raw(&w, det.s, det.len);
        spn_json_end(&w);
        spn_buf_puts(&f, "\n");
        fwrite(f.s, 1, f.len, out);
    }
    else {
        fprintf(out, "%s: %zu entries; Negotiate/NTLM: %d failed, %d succeeded, %d steps, %d challenges\n",
               o.arg, json_array_size(entries), counts[K_FAILED], counts[K_SUCCESS],
               counts[K_CONTINUE], counts[K_CHALLENGE]);
        if (counts[K_CHALLENGE] && !counts[K_FAILED] && !counts[K_SUCCESS] && !counts[K_CONTINUE])
            fprintf(out, "The browser never answered a Negotiate challenge: the site is not in its "
                   "Local intranet zone / allowlist, or it has no Kerberos ticket.\n");
        fwrite(sum.s, 1, sum.len, out);
        fprintf(out, "\nExchanges:\n");
        fwrite(det.s, 1, det.len, out);
    }
    return counts[K_FAILED] ? 1 : 0;
}

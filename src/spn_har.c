/* spn_har.c: see spn_har.h. */
#include "spn_har.h"
#include "spn_http.h"
#include "spn_names.h"
#include "spn_render.h"
#include "spn_report.h"

#include <apr_strings.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *kind_names[] = { "challenge", "continue", "success", "failed" };

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

void spn_har_begin(spn_har_t *h, apr_pool_t *p, krb5_context ctx, const spn_service_t *svc,
                   int json)
{
    memset(h, 0, sizeof(*h));
    h->p = p;
    h->ctx = ctx;
    h->svc = svc;
    h->json = json;
    spn_buf_init(&h->sum, p, 4096);
    spn_buf_init(&h->det, p, 16384);
    spn_json_init(&h->dw, &h->det);
    if (json)
        spn_json_array(&h->dw);
}

void spn_har_entry(spn_har_t *h, size_t i, const spn_har_entry_t *e)
{
    const char *auth = e->authorization, *url = e->url;
    int status = e->status, kind, j, cont = 0, has_www = 0, n_www;
    spn_token_t rt, st;
    spn_diag_t *d = NULL;
    apr_pool_t *ep;

    n_www = e->n_www < 0 ? 0 : e->n_www > SPN_HAR_MAX_WWW ? SPN_HAR_MAX_WWW : e->n_www;
    for (j = 0; j < n_www; j++)
        if (is_negotiate(e->www[j]))
            has_www = 1;
    if (auth)
        h->n_auth++;
    /* the request after a challenge, to its URL: the browser's answer */
    if (h->pend_url && url && strcmp(url, h->pend_url) == 0) {
        if (h->n_retries < SPN_HAR_MAX_RETRIES) {
            spn_har_retry_t *r = &h->retries[h->n_retries++];
            r->challenge = h->pend_idx;
            r->retry = i;
            r->status = status;
            r->conn_challenge = h->pend_conn;
            r->conn_retry = e->connection ? apr_pstrdup(h->p, e->connection) : NULL;
        }
        h->pend_url = NULL;
    }
    if (!auth && status == 401 && has_www && url) {
        h->pend_url = apr_pstrdup(h->p, url);
        h->pend_conn = e->connection ? apr_pstrdup(h->p, e->connection) : NULL;
        h->pend_idx = i;
    }
    if (!is_negotiate(auth) && !(status == 401 && has_www))
        return;                             /* not a Negotiate exchange */
    apr_pool_create(&ep, h->p);
    for (j = 0; j < n_www; j++)
        if (decode(ep, e->www[j], &st) && spn_token_continues(&st))
            cont = 1;
    if (!is_negotiate(auth))
        kind = SPN_HAR_CHALLENGE;
    else if (status != 401)
        kind = SPN_HAR_SUCCESS;
    else
        kind = cont ? SPN_HAR_CONTINUE : SPN_HAR_FAILED;
    h->counts[kind]++;
    if (kind == SPN_HAR_FAILED) {
        spn_observation_t obs;
        memset(&obs, 0, sizeof(obs));
        obs.authorization = auth;
        obs.host = url_host(ep, url);
        obs.now = har_time(e->started);
        d = apr_palloc(ep, sizeof(*d));
        spn_diagnose(ep, h->ctx, h->svc, &obs, d);
        if (!h->json) {
            spn_buf_printf(&h->sum, "FAILED #%zu ", i);
            text(&h->sum, obs.host);
            spn_buf_puts(&h->sum, *d->sname ? " asked for " : "");
            if (*d->sname) {
                text(&h->sum, d->sname);
                spn_buf_puts(&h->sum, "@");
                text(&h->sum, d->realm);
            }
            spn_buf_puts(&h->sum, "\n");
            spn_render_text(&h->sum, d, h->svc);
        }
    }
    if (h->json) {
        spn_json_t *dw = &h->dw;
        spn_json_object(dw);
        spn_json_kuint(dw, "index", i);
        spn_json_kstr(dw, "kind", kind_names[kind]);
        spn_json_kint(dw, "status", status);
        spn_json_kstr(dw, "url", url);
        spn_json_kstr_or_null(dw, "connection", e->connection);
        spn_json_key(dw, "request_token");
        if (decode(ep, auth, &rt))
            spn_token_json(dw, &rt);
        else
            spn_json_null(dw);
        spn_json_key(dw, "response_tokens");
        spn_json_array(dw);
        for (j = 0; j < n_www; j++)
            if (decode(ep, e->www[j], &st))
                spn_token_json(dw, &st);
        spn_json_end(dw);
        spn_json_key(dw, "diagnosis");
        if (d)
            spn_diag_json(dw, d, h->svc);
        else
            spn_json_null(dw);
        spn_json_end(dw);
    }
    else {
        spn_buf_printf(&h->det, "#%zu %s %d ", i, kind_names[kind], status);
        text(&h->det, url);
        if (e->connection) {
            spn_buf_puts(&h->det, " (connection ");
            text(&h->det, e->connection);
            spn_buf_puts(&h->det, ")");
        }
        spn_buf_puts(&h->det, "\n");
        if (decode(ep, auth, &rt))
            token_line(&h->det, "->", &rt);
        for (j = 0; j < n_www; j++)
            if (decode(ep, e->www[j], &st))
                token_line(&h->det, "<-", &st);
    }
    apr_pool_destroy(ep);
}

int spn_har_sanitized(const spn_har_t *h)
{
    return h->counts[SPN_HAR_CHALLENGE] > 0 && h->n_auth == 0;
}

static const char *same_conn(const spn_har_retry_t *r)
{
    if (!r->conn_challenge || !r->conn_retry)
        return NULL;
    return strcmp(r->conn_challenge, r->conn_retry) == 0 ? "same" : "new";
}

/* What a sanitized HAR still says, and how to export one that is not. */
static void sanitized_text(const spn_har_t *h, spn_buf_t *out)
{
    int k, answered = 0;

    for (k = 0; k < h->n_retries; k++)
        answered += h->retries[k].status != 401;
    spn_buf_printf(out, "No request in this HAR carries an Authorization header, though %d "
                   "response%s ask%s for Negotiate.\n", h->counts[SPN_HAR_CHALLENGE],
                   h->counts[SPN_HAR_CHALLENGE] == 1 ? "" : "s",
                   h->counts[SPN_HAR_CHALLENGE] == 1 ? "s" : "");
    if (answered)
        spn_buf_puts(out, "A request after a challenge succeeded without one: the export "
                     "removed the browser's tokens (a sanitized HAR).\n");
    else
        spn_buf_puts(out, "Either the export removed them (a sanitized HAR), or the browser "
                     "never answered: the site is not in its Local intranet zone / allowlist, "
                     "or it has no Kerberos ticket.\n");
    spn_buf_puts(out, "Chrome and Edge export sanitized HARs by default (no Authorization, "
                 "Cookie or Set-Cookie headers).  To keep the tokens: DevTools Settings > "
                 "Preferences > Network > \"Allow to generate HAR with sensitive data\", then "
                 "in the Network panel export with \"Export HAR (with sensitive data)\"; in "
                 "other browsers, use the export that keeps headers.  The file then holds "
                 "Kerberos tickets and cookies: share it with care.\n");
    for (k = 0; k < h->n_retries; k++) {
        const spn_har_retry_t *r = &h->retries[k];
        const char *same = same_conn(r);
        spn_buf_printf(out, "  challenge #%zu -> next request #%zu: %d%s", r->challenge,
                       r->retry, r->status,
                       r->status == 401 ? " (refused again: a failed exchange whose token is "
                                          "not in the file)" : "");
        if (same)
            spn_buf_printf(out, ", %s connection", same);
        spn_buf_puts(out, "\n");
    }
}

int spn_har_end(spn_har_t *h, const char *file, size_t n_entries, spn_buf_t *out)
{
    const int *c = h->counts;
    int k, san = spn_har_sanitized(h);

    if (h->json) {
        spn_json_t w;
        spn_json_end(&h->dw);
        spn_json_init(&w, out);
        spn_json_object(&w);
        spn_json_kstr(&w, "file", file);
        spn_json_kuint(&w, "entries", n_entries);
        spn_json_key(&w, "summary");
        spn_json_object(&w);
        spn_json_kint(&w, "failed", c[SPN_HAR_FAILED]);
        spn_json_kint(&w, "succeeded", c[SPN_HAR_SUCCESS]);
        spn_json_kint(&w, "continued", c[SPN_HAR_CONTINUE]);
        spn_json_kint(&w, "challenges", c[SPN_HAR_CHALLENGE]);
        spn_json_end(&w);
        spn_json_kbool(&w, "sanitized", san);
        if (san) {
            spn_buf_t t;
            spn_buf_init(&t, h->p, 1024);
            sanitized_text(h, &t);
            spn_json_kstr(&w, "sanitized_hint", t.s);
        }
        spn_json_key(&w, "retries");
        spn_json_array(&w);
        for (k = 0; k < h->n_retries; k++) {
            const spn_har_retry_t *r = &h->retries[k];
            spn_json_object(&w);
            spn_json_kuint(&w, "challenge", r->challenge);
            spn_json_kuint(&w, "retry", r->retry);
            spn_json_kint(&w, "status", r->status);
            spn_json_kstr_or_null(&w, "connection_challenge", r->conn_challenge);
            spn_json_kstr_or_null(&w, "connection_retry", r->conn_retry);
            if (same_conn(r))
                spn_json_kbool(&w, "same_connection", !strcmp(same_conn(r), "same"));
            else
                spn_json_knull(&w, "same_connection");
            spn_json_end(&w);
        }
        spn_json_end(&w);
        spn_json_key(&w, "exchanges");
        spn_json_raw(&w, h->det.s, h->det.len);
        spn_json_end(&w);
        spn_buf_puts(out, "\n");
    }
    else {
        text(out, file);
        spn_buf_printf(out, ": %zu entries; Negotiate/NTLM: %d failed, %d succeeded, %d steps, "
                       "%d challenges\n", n_entries, c[SPN_HAR_FAILED], c[SPN_HAR_SUCCESS],
                       c[SPN_HAR_CONTINUE], c[SPN_HAR_CHALLENGE]);
        if (san)
            sanitized_text(h, out);
        else if (c[SPN_HAR_CHALLENGE] && !c[SPN_HAR_FAILED] && !c[SPN_HAR_SUCCESS] &&
            !c[SPN_HAR_CONTINUE])
            spn_buf_puts(out, "The browser never answered a Negotiate challenge: the site is not "
                         "in its Local intranet zone / allowlist, or it has no Kerberos ticket.\n");
        spn_buf_add(out, h->sum.s, h->sum.len);
        spn_buf_puts(out, "\nExchanges:\n");
        spn_buf_add(out, h->det.s, h->det.len);
    }
    return c[SPN_HAR_FAILED] ? 1 : 0;
}

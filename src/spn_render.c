/* spn_render.c: the diagnostic page, the diagnosis as JSON.  Every value
 * that came from a client or a keytab goes through spn_buf_html/json. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "spn_ntlm.h"
#include "spn_names.h"
#include "spn_render.h"
#include "spn_diag.h"
#include "spn_dirdiag.h"
#include "spn_report.h"
#include "spn_size.h"
#include "spn_fix.h"
#include "spn_kbsvg.h"
#include "spn_client.h"

#include <apr_strings.h>
#include <string.h>

const char spn_page_style[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;"
    "background:#f6f6f4}main{max-width:46rem;margin:auto;background:#fff;padding:1rem 1.25rem;"
    "border-radius:8px;box-shadow:0 1px 3px #0002}h1{font-size:1.35rem;margin:.2rem 0 1rem}"
    "h2{font-size:1.05rem;margin-top:1.5rem}code,pre{font:14px/1.4 ui-monospace,monospace}"
    "pre{background:#f0f0ec;padding:.6rem;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}table{border-collapse:collapse;width:100%}td,th{text-align:left;"
    "padding:.2rem .4rem;border-bottom:1px solid #e4e4e0;vertical-align:top;"
    "overflow-wrap:anywhere}.ref{color:#555;font-size:.9rem}.cause{color:#8a1c1c}"
    ".pass{color:#1d6b2a}.warn{color:#8a5a00}.fail{color:#8a1c1c;font-weight:600}"
    "td.pass,td.warn,td.fail,td.code{white-space:nowrap;overflow-wrap:normal;min-width:3.5em}"
    "th{overflow-wrap:normal}main.wide{max-width:72rem}.kb svg{width:100%;height:auto}";

typedef struct {
    const spn_diag_t *d;
    const spn_service_t *svc;
    const char *other;          /* {other}: the holder a repeated line is about */
    apr_pool_t *pool;
    int audience;               /* SPN_FIX_FOR_USER / _ADMIN */
} ctx_t;

/* msDS-SupportedEncryptionTypes: "24 (0x18: AES128-CTS-HMAC-SHA1-96, ...)". */
static void dir_enctypes(apr_pool_t *p, char *out, size_t n, int32_t v)
{
    spn_buf_t w;

    spn_buf_init(&w, p, 128);
    spn_dir_enctypes_words(&w, v);
    if (v < 0)
        snprintf(out, n, "%s", w.s ? w.s : "not set");
    else
        snprintf(out, n, "%d (0x%x: %s)", (int)v, (unsigned)v, w.s ? w.s : "");
}

static void kvno_list(char *out, size_t n, const int *v, int c)
{
    size_t o = 0;
    int i;
    out[0] = '\0';
    for (i = 0; i < c && o < n; i++) {
        int w = snprintf(out + o, n - o, "%s%d", i ? ", " : "", v[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    if (!c)
        apr_cpystrn(out, "none", n);
}

/* "2026-11-25 15:00:00 UTC" into tmp, or none for an unknown time. */
static const char *utc_time(time_t t, const char *none, char *tmp, size_t tn)
{
    struct tm tm;
    if (t <= 0 || !gmtime_r(&t, &tm)) return none;
    strftime(tmp, tn, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return tmp;
}

/* The value of a {placeholder}, raw (escaped by the caller). */
static const char *value(const ctx_t *c, const char *name, size_t n, char *tmp, size_t tn)
{
    const spn_diag_t *d = c->d;
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
    if (IS("fqdn")) return *d->fqdn ? d->fqdn : "this host";
    if (IS("netbios")) return *d->netbios ? d->netbios : "the short name";
    if (IS("account"))
        return c->svc->account && *c->svc->account ? c->svc->account : "the service account";
    if (IS("spn")) {
        if (*d->sname) return d->sname;
        if (*d->dir_spn) return d->dir_spn;
        if (!*d->fqdn) return "the SPN";
        snprintf(tmp, tn, "HTTP/%s", d->fqdn);
        return tmp;
    }
    if (IS("realm"))
        return d->expected_realm ? d->expected_realm : *d->realm ? d->realm : "this realm";
    if (IS("client_realm")) return *d->realm ? d->realm : "another realm";
    if (IS("tkt_kvno")) {
        if (d->tok.krb5.kvno < 0) return "(none)";
        snprintf(tmp, tn, "%ld", d->tok.krb5.kvno);
        return tmp;
    }
    if (IS("kt_kvnos")) {
        kvno_list(tmp, tn, d->kt_kvnos, d->n_kt_kvnos);
        return tmp;
    }
    if (IS("etype")) {
        snprintf(tmp, tn, "%s (%d)", spn_etype_name(d->tok.krb5.etype), d->tok.krb5.etype);
        return tmp;
    }
    if (IS("skew")) {
        if (!d->ticket.have_ctime) return "an unknown amount";
        snprintf(tmp, tn, "%ld seconds (%ld min) %s", labs(d->skew), labs(d->skew) / 60,
                 d->skew >= 0 ? "ahead" : "behind");
        return tmp;
    }
    if (IS("endtime")) return utc_time(d->ticket.endtime, "an unknown time", tmp, tn);
    if (IS("field_size")) {
        spn_size_field(d, tmp, tn);
        return tmp;
    }
    if (IS("field_limit")) {
        spn_size_limit(d, tmp, tn);
        return tmp;
    }
    if (IS("field_where"))
        return d->too_large == SPN_TOO_LARGE_BACKEND ? "the backend server" : "this server";
    if (IS("keytab"))
        return c->svc->keytab && c->svc->keytab->path ? c->svc->keytab->path : "none configured";
    if (IS("other")) return c->other ? c->other : "";
    if (d->dir_state == SPN_DIR_OK && d->dir_n_holders >= 1) {
        const spn_dir_holder_t *h = &d->dir_holders[0];
        if (IS("holder")) return h->account;
        if (IS("holder_sam")) return h->sam;
        if (IS("holder_kind")) return spn_dir_kind_name(h->kind);
        if (IS("via")) return h->via;
        if (IS("dir_kvno")) {
            if (h->kvno < 0) return "unknown";
            snprintf(tmp, tn, "%d", (int)h->kvno);
            return tmp;
        }
        if (IS("dir_enctypes")) {
            dir_enctypes(c->pool, tmp, tn, h->enctypes);
            return tmp;
        }
        if (IS("holders")) {
            size_t o = 0;
            int i;
            tmp[0] = '\0';
            for (i = 0; i < d->dir_n_holders && i < SPN_DIR_MAX_HOLDERS && o < tn; i++)
                o += (size_t)snprintf(tmp + o, tn - o, "%s%s", i ? ", " : "",
                                      d->dir_holders[i].account);
            if (d->dir_n_holders > SPN_DIR_MAX_HOLDERS && o < tn)
                snprintf(tmp + o, tn - o, " and %d more", d->dir_n_holders - SPN_DIR_MAX_HOLDERS);
            return tmp;
        }
    }
    if (IS("kt_max")) {
        snprintf(tmp, tn, "%d", d->dir_kt_max);
        return tmp;
    }
    if (IS("dir_checked")) return utc_time((time_t)d->dir_checked_at, "never", tmp, tn);
#undef IS
    return NULL;
}

/* Expand a template: literal text is ours, values are escaped (HTML, or
 * control characters replaced for a terminal). */
static void expand_as(spn_buf_t *b, const ctx_t *c, const char *t, int html)
{
    char tmp[SPN_DIR_MAX_HOLDERS * 170 + 32];  /* "HTTP/" + fqdn, or the holders */
    while (*t) {
        const char *o = strchr(t, '{'), *e;
        const char *v;
        if (!o || !(e = strchr(o, '}'))) {
            if (html) spn_buf_htmls(b, t); else spn_buf_puts(b, t);
            return;
        }
        if (html) spn_buf_html(b, t, (size_t)(o - t)); else spn_buf_add(b, t, (size_t)(o - t));
        v = value(c, o + 1, (size_t)(e - o - 1), tmp, sizeof(tmp));
        if (!v)
            v = apr_pstrmemdup(b->pool, o, (apr_size_t)(e - o + 1));
        if (html) spn_buf_htmls(b, v); else spn_buf_text(b, v, strlen(v));
        t = e + 1;
    }
}
#define expand(b, c, t) expand_as(b, c, t, 1)

/* A reason's conditions ("?mapped ", "?held,!decrypts "): the text after
 * them when they all hold, NULL when not (spn_fix_cond). */
static const char *line_if(const ctx_t *c, const char *t)
{
    const char *w, *end;
    if (*t != '?')
        return t;
    end = t + 1 + strcspn(t + 1, " ");
    for (w = t + 1; w < end;) {
        size_t n = strcspn(w, ", ");
        int neg = *w == '!';
        if (spn_fix_cond(c->d, c->svc, c->audience, w + neg, n - (size_t)neg) != !neg)
            return NULL;
        w += n + (w[n] == ',');
    }
    return end + (*end == ' ');
}

/* One table line, pre and post around each; a line with {other} once per
 * holder but the service account (every holder when it is not known). */
static int emit(spn_buf_t *b, ctx_t *c, const char *t, int html, const char *pre,
                const char *post)
{
    int i, n = 0;
    if (!(t = line_if(c, t)))
        return 0;
    for (i = 0; i < SPN_DIR_MAX_HOLDERS; i++) {
        const spn_dir_holder_t *h = &c->d->dir_holders[i];
        int rep = strstr(t, "{other}") != NULL;
        if (rep && (i >= c->d->dir_n_holders ||
                    spn_dir_is_account(h, c->svc ? c->svc->account : NULL)))
            continue;
        c->other = rep ? h->account : NULL;
        spn_buf_puts(b, pre);
        expand_as(b, c, t, html);
        spn_buf_puts(b, post);
        n++;
        if (!rep)
            break;
    }
    c->other = NULL;
    return n;
}

void spn_render_text(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc)
{
    ctx_t c = {d, svc, NULL, b->pool, SPN_FIX_FOR_ADMIN};
    const spn_cause_info_t *ci = &spn_causes[d->cause];
    spn_fix_t fx;

    spn_buf_printf(b, "cause: %s: %s\n", ci->code, ci->title);
    spn_buf_puts(b, "what:  ");
    expand_as(b, &c, ci->meaning, 0);
    spn_buf_puts(b, "\n");
    spn_fix_build(b->pool, d, svc, SPN_FIX_FOR_ADMIN, &fx);
    if (fx.n_steps || fx.n_notes) {
        spn_buf_puts(b, "fix:\n");
        spn_fix_text(b, &fx, "  ");
    }
}

static void row(spn_buf_t *b, const char *k, const char *v, size_t n)
{
    spn_buf_printf(b, "<tr><th>%s</th><td>", k);
    spn_buf_html(b, v, n);
    spn_buf_puts(b, "</td></tr>\n");
}
#define ROWS(b, k, v) row(b, k, v, strlen(v))

/* What this server's TLS certificate gives, and the verdict. */
static void binding_rows(spn_buf_t *b, const spn_diag_t *d)
{
    char tmp[256], hex[33];

    if (d->cb_state == SPN_CB_NONE)
        ROWS(b, "Channel binding (client)", "none (all zeros)");
    else if (d->cb_state != SPN_CB_UNKNOWN) {
        spn_cbt_hex16(d->cb_client, hex);
        ROWS(b, "Channel binding (client)", hex);
    }
    if (d->cbt.ok) {
        spn_cbt_hex16(d->cbt.md5, hex);
        snprintf(tmp, sizeof(tmp), "%s (tls-server-end-point%s%s of this server's certificate)",
                 hex, *d->cbt.hash_name ? ", " : "", d->cbt.hash_name);
        ROWS(b, "Channel binding (this server)", tmp);
    }
    else if (*d->cbt.error) {
        ROWS(b, "Channel binding (this server)", d->cbt.error);
    }
    if (d->cb_state == SPN_CB_OURS)
        ROWS(b, "Binding verdict", "the client bound its token to this server's TLS "
             "certificate: a backend that checks bindings against its own TLS rejects it");
    else if (d->cb_state == SPN_CB_OTHER)
        ROWS(b, "Binding verdict", d->cbt.ok ? "bound to another TLS channel than this "
             "server's" : *d->cbt.error ? "bound to a TLS channel; this server's own binding "
             "is not known (see above)" : "bound to a TLS channel (not compared: this server "
             "computes its own binding only for a proxied request that came over TLS)");
    else if (d->cb_state == SPN_CB_NONE)
        ROWS(b, "Binding verdict", "the client bound no channel");
}

static const char *cb_state_name(int st)
{
    switch (st) {
    case SPN_CB_NONE: return "none";
    case SPN_CB_OURS: return "this-server";
    case SPN_CB_OTHER: return "other";
    default: return "unknown";
    }
}

/* The authenticator's facts and the channel binding (detail full only:
 * facts() is rendered there alone). */
static void auth_rows(spn_buf_t *b, const spn_diag_t *d)
{
    const spn_auth_t *a = &d->ticket.auth;
    char tmp[256];
    struct tm tm;

    if (a->have_ctime && gmtime_r(&a->ctime, &tm)) {
        size_t o = strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(tmp + o, sizeof(tmp) - o, ".%06ld UTC (client clock %+ld s from ours)",
                 a->cusec >= 0 ? a->cusec : 0L, d->skew);
        ROWS(b, "Authenticator time", tmp);
    }
    if (*a->cname)
        ROWS(b, "Authenticator client", a->cname);
    if (a->gss_cksum) {
        spn_auth_flags_str(a->gss_flags, tmp, sizeof(tmp));
        ROWS(b, "GSS flags", tmp);
    }
    else if (a->have_cksum) {
        snprintf(tmp, sizeof(tmp), "checksum type %ld (not the GSS checksum)", a->cksum_type);
        ROWS(b, "Authenticator checksum", tmp);
    }
    ROWS(b, "KERB_AP_OPTIONS_CBT", a->cbt_option ? "set (the client says it binds)" : "not set");
    if (a->subkey_etype) {
        snprintf(tmp, sizeof(tmp), "%s (%d)", spn_etype_name(a->subkey_etype), a->subkey_etype);
        ROWS(b, "Subkey enctype", tmp);
    }
}

/* What the directory said about the SPN asked for (full detail only). */
static void dir_facts(spn_buf_t *b, const ctx_t *c)
{
    const spn_diag_t *d = c->d;
    char tmp[1024], enc[160];
    int i;

    if (d->dir_state != SPN_DIR_OK)
        return;
    spn_buf_puts(b, "<h2>What the directory says</h2>\n<table>\n");
    ROWS(b, "SPN looked up", d->dir_spn);
    value(c, "dir_checked", 11, tmp, sizeof(tmp));
    ROWS(b, "Checked", tmp);
    if (d->dir_n_holders == 0)
        ROWS(b, "Holder", "none: no account holds it");
    for (i = 0; i < d->dir_n_holders && i < SPN_DIR_MAX_HOLDERS; i++) {
        const spn_dir_holder_t *h = &d->dir_holders[i];
        dir_enctypes(c->pool, enc, sizeof(enc), h->enctypes);
        snprintf(tmp, sizeof(tmp), "%s (%s account) through %s%s, kvno %d, "
                 "msDS-SupportedEncryptionTypes %s%s", h->account, spn_dir_kind_name(h->kind), h->via,
                 i == 0 && d->dir_mapped ? " (sPNMappings)" : "", (int)h->kvno, enc,
                 (h->uac & SPN_UAC_ACCOUNTDISABLE) ? ", disabled" : "");
        ROWS(b, "Holder", tmp);
    }
    if (d->dir_from != d->cause)
        ROWS(b, "Cause without the directory", spn_cause_code(d->dir_from));
    spn_buf_puts(b, "</table>\n");
}

static void facts(spn_buf_t *b, const ctx_t *c)
{
    const spn_diag_t *d = c->d;
    const spn_token_t *t = &d->tok;
    const spn_keytab_t *kt = c->svc->keytab;
    char tmp[256];
    int i;

    spn_buf_puts(b, "<h2>What the browser sent</h2>\n<table>\n");
    ROWS(b, "Scheme", d->scheme);
    if (d->too_large) {
        spn_size_field(d, tmp, sizeof(tmp));
        ROWS(b, "Authorization header", tmp);
        spn_size_limit(d, tmp, sizeof(tmp));
        ROWS(b, d->too_large == SPN_TOO_LARGE_HERE ? "LimitRequestFieldSize" : "Backend's limit", tmp);
        ROWS(b, "Answered", d->too_large == SPN_TOO_LARGE_HERE ? "400 by this server, while "
             "reading the request" : "400 by the backend");
    }
    if (d->too_large != SPN_TOO_LARGE_HERE)
        ROWS(b, "Token", spn_format_name(t->format));
    if (t->mech)
        ROWS(b, "Mechanism", spn_mech_name(t->mech));
    if (t->error.code) {
        snprintf(tmp, sizeof(tmp), "%s at byte %zu: %s", spn_err_name(t->error.code),
                     t->error.offset, t->error.message);
        ROWS(b, "Decoding error", tmp);
    }
    if (t->has_krb5 && t->krb5.msg_type == SPN_KRB_AP_REQ) {
        ROWS(b, "Service name (SPN)", d->sname);
        ROWS(b, "Realm", d->realm);
        snprintf(tmp, sizeof(tmp), "%s (%d)", spn_etype_name(t->krb5.etype), t->krb5.etype);
        ROWS(b, "Ticket enctype", tmp);
        value(c, "tkt_kvno", 8, tmp, sizeof(tmp));
        ROWS(b, "Ticket kvno", tmp);
        if (d->ticket.decrypted && *d->ticket.client)
            ROWS(b, "Client", d->ticket.client);
        if (d->ticket.auth.parsed)
            auth_rows(b, d);
    }
    if (d->cb_state != SPN_CB_UNKNOWN || d->cbt.ok)
        binding_rows(b, d);
    if (t->has_ntlm) {
        char s[512];
        snprintf(tmp, sizeof(tmp), "NTLM type %d, flags 0x%08x", t->ntlm.type, t->ntlm.flags);
        ROWS(b, "NTLM", tmp);
#define NTLM_ROW(label, has, f) if (has) { spn_ntlm_str_utf8(&t->ntlm, t->ntlm.f, s, sizeof(s)); ROWS(b, label, s); }
        NTLM_ROW("NTLM domain", t->ntlm.has_domain, domain)
        NTLM_ROW("NTLM user", t->ntlm.has_user, user)
        NTLM_ROW("NTLM workstation", t->ntlm.has_workstation, workstation)
#undef NTLM_ROW
        if (t->ntlm.has_av_target) {
            spn_ntlm_utf8(1, t->ntlm.av_target, s, sizeof(s));
            ROWS(b, "NTLM target (the SPN the client aimed at)", s);
        }
        if (t->ntlm.has_av_flags) {
            snprintf(tmp, sizeof(tmp), "0x%08x%s%s%s", t->ntlm.av_flags,
                     t->ntlm.av_flags & SPN_NTLM_AVF_CONSTRAINED ? " constrained" : "",
                     t->ntlm.av_flags & SPN_NTLM_AVF_MIC ? " mic" : "",
                     t->ntlm.av_flags & SPN_NTLM_AVF_UNTRUSTED ? " untrusted-spn" : "");
            ROWS(b, "NTLM AV flags", tmp);
        }
        if (t->ntlm.ntlmv2) {
            long long ts = spn_filetime_unix(t->ntlm.has_av_time ? t->ntlm.av_time
                                                                 : t->ntlm.client_time);
            time_t tt = (time_t)ts;
            struct tm tm;
            if (ts >= 0 && gmtime_r(&tt, &tm)) {
                strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S UTC", &tm);
                ROWS(b, "NTLM client time", tmp);
            }
        }
    }
    if (d->proxied && !d->too_large) {
        const spn_token_t *k = &d->backend;
        if (!d->has_backend)
            snprintf(tmp, sizeof(tmp), "401 without a token");
        else if (k->has_krb5 && k->krb5.msg_type == SPN_KRB_ERROR)
            snprintf(tmp, sizeof(tmp), "401 with %s, KRB-ERROR %s (%ld)", spn_format_name(k->format),
                     spn_krb5_error_name(k->krb5.error_code), k->krb5.error_code);
        else
            snprintf(tmp, sizeof(tmp), "401 with %s%s%s", spn_format_name(k->format),
                     k->neg_state >= 0 ? ", negState " : "",
                     k->neg_state >= 0 ? spn_neg_state_name(k->neg_state) : "");
        ROWS(b, "Backend answered", tmp);
    }
    spn_buf_puts(b, "</table>\n<h2>What this service holds</h2>\n<table>\n");
    for (i = 0; i < c->svc->n_spns; i++)
        ROWS(b, "Configured SPN", c->svc->spns[i]);
    if (c->svc->account)
        ROWS(b, "Service account", c->svc->account);
    if (kt) {
        ROWS(b, "Keytab", kt->path ? kt->path : "-");
        if (kt->status)
            ROWS(b, "Keytab error", kt->error);
        for (i = 0; i < kt->n && i < 32; i++) {
            snprintf(tmp, sizeof(tmp), "%s kvno %d %s", kt->e[i].principal, kt->e[i].kvno,
                         spn_etype_name(kt->e[i].enctype));
            ROWS(b, "Keytab entry", tmp);
        }
    }
    if (t->has_krb5 && t->krb5.msg_type == SPN_KRB_AP_REQ) {
        ROWS(b, "Ticket's SPN configured", d->configured ? "yes" : "no");
        ROWS(b, "Ticket's SPN in keytab", d->held ? "yes" : "no");
        if (d->ticket.decrypted) {
            snprintf(tmp, sizeof(tmp), "yes, with the key of %s kvno %d", d->fit_principal,
                         d->fit_kvno);
            ROWS(b, "A service key decrypts the ticket", tmp);
        }
        else if (d->ticket.shed == SPN_SHED_TOO_LARGE) {
            snprintf(tmp, sizeof(tmp), "not tried: the ticket's %zu encrypted bytes are more "
                     "than a real ticket has (%d)", d->tok.krb5.cipher.len, SPN_TICKET_CIPHER_MAX);
            ROWS(b, "A service key decrypts the ticket", tmp);
        }
        else if (d->ticket.shed == SPN_SHED_WORK) {
            snprintf(tmp, sizeof(tmp), "not known: %zu keys tried, then the decryption one "
                     "ticket may cost (%d bytes) was spent", d->ticket.tried, SPN_TRIAL_MAX_BYTES);
            ROWS(b, "A service key decrypts the ticket", tmp);
        }
        else if (d->ticket.shed == SPN_SHED_BUSY) {
            ROWS(b, "A service key decrypts the ticket", "not tried: diagnosis shed, this "
                 "process already had eight trial decryptions running or waiting");
        }
        else if (d->ticket.shed) {
            ROWS(b, "A service key decrypts the ticket", "not tried: diagnosis shed, this "
                 "process spent its trial-decryption budget (many failed tickets at once)");
        }
        else {
            ROWS(b, "A service key decrypts the ticket", "no");
        }
    }
    spn_buf_puts(b, "</table>\n");
    dir_facts(b, c);
}

void spn_render_page(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc,
                     int detail, const char *ref)
{
    spn_render_page_as(b, d, svc, detail, ref, SPN_FIX_FOR_USER);
}

void spn_render_page_as(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc,
                        int detail, const char *ref, int audience)
{
    ctx_t c = {d, svc, NULL, b->pool, audience};
    const spn_cause_info_t *ci = d ? &spn_causes[d->cause] : NULL;
    int i, status = d && d->cause == SPN_C_TOKEN_TOO_LARGE ? 400 : 401;

    spn_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                      "%s\n", SPN_PAGE_CSP_META);
    if (d && detail > SPN_DETAIL_NONE)
        spn_buf_printf(b, "<meta name=\"spncheck-cause\" content=\"%s\">\n", ci->code);
    spn_buf_puts(b, "<meta name=\"spncheck-ref\" content=\"");
    spn_buf_htmls(b, ref);
    spn_buf_printf(b, "\">\n<title>%d Sign-in failed</title><style>%s</style></head>\n"
                      "<body><main>\n", status, spn_page_style);
    if (!d) {
        spn_client_body(b, NULL, detail);   /* the generic reasons (spn_client.c) */
    }
    else if (detail == SPN_DETAIL_NONE) {
        spn_buf_puts(b, "<h1>Sign-in failed</h1>\n<p>Your browser tried to sign you in "
                        "with your Windows account, and it did not work. Give the "
                        "reference below to your administrator.</p>\n");
    }
    else {
        spn_buf_puts(b, "<h1 class=\"cause\">");
        spn_buf_htmls(b, ci->title);
        spn_buf_puts(b, "</h1>\n<p>");
        if (d->cause == SPN_C_TOKEN_TOO_LARGE)
            expand(b, &c, ci->user_advice);   /* sizes only: the user's own token */
        else
            spn_buf_htmls(b, ci->user_advice);
        spn_buf_puts(b, "</p>\n");
        spn_kb_svg(b, d, svc, detail);      /* the KB case, drawn (spn_kbsvg.c) */
    }
    if (d && detail == SPN_DETAIL_FULL) {
        spn_buf_puts(b, "<h2>What happened</h2>\n<p>");
        expand(b, &c, ci->meaning);
        spn_buf_printf(b, "</p>\n<p>Cause code: <code>%s</code></p>\n"
                          "<h2>Likely reasons</h2>\n<ol>\n", ci->code);
        for (i = 0; i < SPN_CAUSE_LINES && ci->reasons[i]; i++)
            emit(b, &c, ci->reasons[i], 1, "<li>", "</li>\n");
        spn_buf_puts(b, "</ol>\n<h2>How to fix it</h2>\n");
        {
            spn_fix_t fx;
            spn_fix_build(b->pool, d, svc, audience, &fx);
            spn_fix_html(b, &fx);
        }
        facts(b, &c);
    }
    spn_buf_puts(b, "<p class=\"ref\">Reference: <code>");
    spn_buf_htmls(b, ref);
    spn_buf_printf(b, "</code> &middot; HTTP %d</p>\n</main></body></html>\n", status);
}

static void flag_json(const char *name, void *arg)
{
    spn_json_str(arg, name);
}

/* "authenticator": {...} or null; "channel_binding": the verdict. */
static void auth_json(spn_json_t *w, const spn_diag_t *d)
{
    const spn_auth_t *a = &d->ticket.auth;
    char hex[33];

    spn_json_key(w, "authenticator");
    if (!a->parsed) {
        spn_json_null(w);
    }
    else {
        spn_json_object(w);
        spn_json_kint_or_null(w, "ctime", (long long)a->ctime, a->have_ctime);
        spn_json_kint_or_null(w, "cusec", a->cusec, a->cusec >= 0);
        spn_json_kstr_or_null(w, "cname", a->cname);
        spn_json_kint_or_null(w, "cksum_type", a->cksum_type, a->have_cksum);
        spn_cbt_hex16(a->bnd, hex);
        spn_json_kstr(w, "channel_bindings", a->gss_cksum && !a->bnd_zero ? hex : NULL);
        spn_json_kbool(w, "cbt_option", a->cbt_option);
        spn_json_key(w, "flags");
        spn_json_array(w);
        if (a->gss_cksum)
            spn_auth_flags_each(a->gss_flags, flag_json, w);
        spn_json_end(w);
        spn_json_kint_or_null(w, "subkey_etype", a->subkey_etype, a->subkey_etype != 0);
        spn_json_end(w);
    }
    spn_json_key(w, "channel_binding");
    spn_json_object(w);
    spn_json_kstr(w, "state", cb_state_name(d->cb_state));
    spn_cbt_hex16(d->cbt.md5, hex);
    spn_json_kstr(w, "expected", d->cbt.ok ? hex : NULL);
    spn_json_kstr(w, "expected_hash", d->cbt.ok ? d->cbt.hash_name : NULL);
    spn_json_end(w);
}

void spn_diag_json(spn_json_t *w, const spn_diag_t *d, const spn_service_t *svc)
{
    int i;

    spn_json_object(w);
    spn_json_kstr(w, "cause", spn_cause_code(d->cause));
    spn_json_kstr(w, "title", spn_causes[d->cause].title);
    spn_json_kstr_or_null(w, "sname", d->sname);
    spn_json_kstr_or_null(w, "realm", d->realm);
    spn_json_kbool(w, "configured", d->configured);
    spn_json_kbool(w, "in_keytab", d->held);
    spn_json_key(w, "keytab_kvnos");
    spn_json_array(w);
    for (i = 0; i < d->n_kt_kvnos; i++)
        spn_json_int(w, d->kt_kvnos[i]);
    spn_json_end(w);
    spn_json_key(w, "keytab_etypes");
    spn_json_array(w);
    for (i = 0; i < d->n_kt_etypes; i++)
        spn_json_int(w, d->kt_etypes[i]);
    spn_json_end(w);
    spn_json_kbool(w, "decrypts", d->ticket.decrypted);
    spn_json_kstr(w, "fit_principal", d->fit_principal);
    spn_json_kint_or_null(w, "fit_kvno", d->fit_kvno, d->fit_kvno >= 0);
    spn_json_kstr_or_null(w, "client", d->ticket.decrypted ? d->ticket.client : NULL);
    spn_json_kstr(w, "fqdn", d->fqdn);
    spn_json_kstr(w, "netbios", d->netbios);
    spn_json_kstr(w, "keytab_error",
                  svc->keytab && svc->keytab->status ? svc->keytab->error : NULL);
    auth_json(w, d);
    spn_json_kstr_or_null(w, "refined_from",
                          d->dir_state == SPN_DIR_OK && d->dir_from != d->cause
                          ? spn_cause_code(d->dir_from) : NULL);
    spn_json_key(w, "holders");
    if (d->dir_state == SPN_DIR_OK) {
        spn_json_array(w);
        for (i = 0; i < d->dir_n_holders && i < SPN_DIR_MAX_HOLDERS; i++)
            spn_json_str(w, d->dir_holders[i].account);
        spn_json_end(w);
    }
    else
        spn_json_null(w);
    {
        spn_fix_t fx;
        spn_fix_build(w->b->pool, d, svc, SPN_FIX_FOR_ADMIN, &fx);
        spn_json_key(w, "fix");
        spn_fix_json(w, &fx);
    }
    spn_json_key(w, "token");
    spn_token_json(w, &d->tok);
    spn_json_key(w, "backend_token");
    if (d->has_backend)
        spn_token_json(w, &d->backend);
    else
        spn_json_null(w);
    spn_json_end(w);
}

void spn_diag_logline_fix(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc)
{
    spn_fix_t fx;

    spn_diag_logline(b, d);
    spn_fix_build(b->pool, d, svc, SPN_FIX_FOR_ADMIN, &fx);
    spn_buf_puts(b, " fix=");
    spn_fix_log(b, &fx);
}

/* spn_status.c: the admin status page in three formats.  Everything that
 * came from a client, a keytab or the configuration is escaped for its
 * format; key material is never reachable from here (only names, kvnos,
 * enctypes and timestamps of keytab entries). */
#include "spn_chart.h"
#include "spn_json.h"
#include "spn_names.h"
#include "spn_render.h"
#include "spn_status.h"
#include "spn_fix.h"
#include "spn_mechcount.h"
#include "spn_funnel.h"

#include <apr_hash.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>
#include <time.h>

static uint64_t total(const spn_store_t *s)
{
    uint64_t n = 0;
    int c;
    for (c = 0; s && c < SPN_C_COUNT; c++)
        n += s->counters[c];
    return n;
}

static uint32_t held(const spn_store_t *s)
{
    if (!s)
        return 0;
    return s->next_seq - 1 < s->capacity ? (uint32_t)(s->next_seq - 1) : s->capacity;
}

/* ---- HTML ----------------------------------------------------------------- */

/* Scopes past SPNCheckMaxScopes (issue 21): one line, the first few named. */
static void html_uncovered(spn_buf_t *b, const spn_status_t *st)
{
    int i;
    if (st->n_uncovered <= 0)
        return;
    spn_buf_printf(b, "<p class=\"warn\" id=\"uncovered\"><b>%d scope%s not covered</b> "
                      "(SPNCheckMaxScopes %d: no sign-in counts, funnel, kerberos-share and "
                      "rc4-tickets self-checks, probe or directory lookup; the other "
                      "self-checks run): ", st->n_uncovered,
                   st->n_uncovered == 1 ? " is" : "s are", st->max_scopes);
    for (i = 0; i < st->n_uncovered_shown; i++) {
        spn_buf_puts(b, i ? ", <code>" : "<code>");
        spn_buf_htmls(b, st->uncovered[i]);
        spn_buf_puts(b, "</code>");
    }
    if (st->n_uncovered > st->n_uncovered_shown)
        spn_buf_printf(b, " and %d more", st->n_uncovered - st->n_uncovered_shown);
    spn_buf_puts(b, ".</p>\n");
}

static void json_uncovered(spn_json_t *w, const spn_status_t *st)
{
    int i;
    spn_json_key(w, "uncovered_scopes");
    spn_json_object(w);
    spn_json_kint(w, "max_scopes", st->max_scopes);
    spn_json_kint(w, "count", st->n_uncovered);
    spn_json_key(w, "first");
    spn_json_array(w);
    for (i = 0; i < st->n_uncovered_shown; i++)
        spn_json_str(w, st->uncovered[i]);
    spn_json_end(w);
    spn_json_end(w);
}

void spn_status_html(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    spn_status_t all = *st;
    char ts[32];

    if (!st->verdicts) {
        /* every scope's checks once, for the headline and the scopes */
        spn_verdict_t *v = apr_palloc(p, sizeof(*v) * (size_t)(st->n_scopes > 0 ? st->n_scopes : 1));
        int i;
        all.checks = spn_status_checks(p, st);
        for (i = 0; i < st->n_scopes; i++)
            spn_verdict_of(&v[i], &all.checks[i]);
        all.verdicts = v;
    }
    spn_status_head(b, "mod_spncheck status");
    spn_status_headline(b, p, &all);
    html_uncovered(b, st);
    if (st->node) {
        spn_buf_puts(b, "<p>Node <b>");
        spn_buf_htmls(b, st->node);
        spn_buf_puts(b, "</b> (SPNCheckNodeName): references ending <code>@");
        spn_buf_htmls(b, st->node);
        spn_buf_puts(b, "</code> are held here.</p>\n");
    }
    spn_fmt_time(ts, sizeof(ts), s ? s->started : 0);
    spn_buf_printf(b, "<p>Failed exchanges since %s: <b>%llu</b>; history holds %u of %u. "
                      "<a href=\"?format=json\">JSON</a> &middot; "
                      "<a href=\"?format=prometheus\">Prometheus</a></p>\n",
                   ts, (unsigned long long)total(s), held(s), s ? s->capacity : 0);
    /* what is wrong now first (issue 21): the scopes that fail or warn */
    spn_status_html_scopes(b, &all);
    spn_funnel_html(b, st);         /* the funnel, then the causes seen (issue 20) */
    spn_buf_puts(b, "<h2>Failures over time</h2>\n");
    spn_chart_html(b, s, st->now);
    spn_status_html_probe(b, s, NULL, 0);
    spn_dirstatus_html(b, p, s, &st->dir, NULL);
    spn_status_html_recent(b, p, st, NULL);
    spn_status_tail(b);
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_failure(spn_json_t *w, const spn_status_t *st, const spn_failure_t *f,
                         spn_diag_t *scratch)
{
    char ts[32];
    spn_service_t svc;
    spn_fix_t fx;
    int rc = spn_status_failure_diag(st, f, scratch, &svc) && (int)scratch->cause != f->cause
             ? (int)scratch->cause : -1;
    spn_fmt_time(ts, sizeof(ts), f->time);
    spn_json_object(w);
    spn_json_kuint(w, "seq", f->seq);
    spn_json_kint(w, "time", f->time);
    spn_json_kstr_or_null(w, "time_utc", ts);
    spn_json_kstr_or_null(w, "ref", f->ref);
    spn_json_kstr_or_null(w, "cause", spn_cause_code(f->cause));
    spn_json_kstr_or_null(w, "refined_cause", rc >= 0 ? spn_cause_code((spn_cause_t)rc) : NULL);
    spn_json_kstr_or_null(w, "client", f->client);
    spn_json_kstr_or_null(w, "host", f->host);
    spn_json_kstr_or_null(w, "spn", f->spn);
    spn_json_kstr_or_null(w, "realm", f->realm);
    spn_json_kint_or_null(w, "etype", f->etype, f->etype != 0);
    spn_json_kint_or_null(w, "kvno", f->kvno, f->kvno >= 0);
    spn_json_kstr_or_null(w, "mech", f->mech);
    spn_json_kstr_or_null(w, "scope", f->scope);
    spn_json_kbool(w, "proxied", f->proxied);
    spn_fix_build(w->b->pool, scratch, &svc, SPN_FIX_FOR_ADMIN, &fx);
    spn_json_key(w, "fix");
    spn_fix_json(w, &fx);
    spn_json_end(w);
}

static void json_scope(spn_json_t *w, apr_pool_t *p, const spn_scope_t *sc, const spn_store_t *s)
{
    const spn_keytab_t *kt = sc->svc.keytab;
    spn_checks_t ck;
    double k = spn_status_krb5_share(sc);
    int i;

    spn_scope_checks(p, sc, s, &ck);
    spn_json_object(w);
    spn_json_kstr_or_null(w, "server", sc->server);
    spn_json_kstr_or_null(w, "location", sc->location);
    spn_json_key(w, "spns");
    spn_json_array(w);
    for (i = 0; i < sc->svc.n_spns; i++)
        spn_json_str(w, sc->svc.spns[i]);
    spn_json_end(w);
    spn_json_kstr_or_null(w, "account", sc->svc.account);
    spn_json_kstr_or_null(w, "keytab", sc->keytab_path);
    spn_json_key(w, "keytab_entries");
    spn_json_array(w);
    for (i = 0; kt && kt->status == 0 && i < kt->n; i++) {
        spn_json_object(w);
        spn_json_kstr_or_null(w, "principal", kt->e[i].principal);
        spn_json_kint(w, "kvno", kt->e[i].kvno);
        spn_json_kint(w, "enctype", kt->e[i].enctype);
        spn_json_kstr(w, "enctype_name", spn_etype_name(kt->e[i].enctype));
        spn_json_kint(w, "timestamp", kt->e[i].timestamp);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_key(w, "auth_success");
    if (sc->mech_counts) {
        spn_json_object(w);
        for (i = 0; i < SPN_MC_N; i++)
            spn_json_kuint(w, spn_mc_name(i), (unsigned long long)sc->mech_counts[i]);
        spn_json_end(w);
    }
    else
        spn_json_null(w);
    spn_json_kint(w, "ntlm_share_max", sc->ntlm_share_max);
    spn_json_key(w, "kerberos_share");
    if (k >= 0) {
        char num[16];
        int l = snprintf(num, sizeof(num), "%.4f", k / 100.0);
        spn_json_raw(w, num, (size_t)l);
    }
    else
        spn_json_null(w);
    spn_json_kstr(w, "state", spn_check_state_name(ck.worst));
    spn_json_key(w, "checks");
    spn_json_array(w);
    for (i = 0; i < ck.n; i++) {
        spn_json_object(w);
        spn_json_kstr(w, "id", ck.c[i].id);
        spn_json_kstr(w, "state", spn_check_state_name(ck.c[i].state));
        spn_json_kstr_or_null(w, "message", ck.c[i].message);
        spn_json_kstr_or_null(w, "remedy", ck.c[i].remedy);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_end(w);
}

static void json_probe(spn_json_t *w, const spn_store_t *s)
{
    uint32_t i;

    if (!s || (!s->probe_runs && !s->probe_error[0])) {
        spn_json_null(w);
        return;
    }
    spn_json_object(w);
    spn_json_kint(w, "last_run", s->probe_time);
    spn_json_kuint(w, "runs", s->probe_runs);
    spn_json_kstr_or_null(w, "error", s->probe_error);
    spn_json_key(w, "results");
    spn_json_array(w);
    for (i = 0; i < s->n_probes && i < s->n_probe_slots; i++) {
        const spn_probe_slot_t *r = &spn_store_probes(s)[i];
        spn_json_object(w);
        spn_json_kstr_or_null(w, "scope", r->scope);
        spn_json_kstr_or_null(w, "spn", r->spn);
        spn_json_kbool(w, "ok", r->ok);
        spn_json_kstr(w, "cause", r->ok ? "ok" : spn_cause_code(r->cause));
        spn_json_kint_or_null(w, "kvno", r->kvno, r->kvno >= 0);
        spn_json_kint(w, "etype", r->etype);
        spn_json_kint(w, "time", r->time);
        spn_json_kstr_or_null(w, "message", r->message);
        spn_json_end(w);
    }
    spn_json_end(w);
    spn_json_end(w);
}

void spn_status_json(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    spn_diag_t *scratch = apr_palloc(p, sizeof(*scratch));
    spn_json_t w;
    int i, c;

    spn_json_init(&w, b);
    spn_json_object(&w);
    spn_json_kstr_or_null(&w, "version", st->version);
    spn_json_kstr_or_null(&w, "node", st->node);
    spn_json_kint(&w, "now", st->now);
    spn_json_kint(&w, "started", s ? s->started : 0);
    spn_json_kuint(&w, "failures_total", total(s));
    spn_json_kuint(&w, "tokenless_total", s ? s->tokenless : 0);
    spn_json_kuint(&w, "history_size", held(s));
    spn_json_kuint(&w, "history_capacity", s ? s->capacity : 0);
    spn_json_key(&w, "counters");
    spn_json_object(&w);
    for (c = 0; c < SPN_C_COUNT; c++)
        spn_json_kuint(&w, spn_causes[c].code, s ? s->counters[c] : 0);
    spn_json_end(&w);
    json_uncovered(&w, st);
    spn_json_key(&w, "scopes");
    spn_json_array(&w);
    for (i = 0; i < st->n_scopes; i++)
        json_scope(&w, p, &st->scopes[i], s);
    spn_json_end(&w);
    spn_funnel_json(&w, st);
    spn_json_key(&w, "probe");
    json_probe(&w, s);
    spn_json_key(&w, "directory");
    spn_dirstatus_json(&w, p, s, &st->dir);
    spn_json_key(&w, "recent");
    spn_json_array(&w);
    for (i = 0; i < st->n_recent; i++)
        json_failure(&w, st, &st->recent[i], scratch);
    spn_json_end(&w);
    spn_json_end(&w);
    spn_buf_puts(b, "\n");
}

/* ---- Prometheus text exposition -------------------------------------------- */

static void prom_probe(spn_buf_t *b, const spn_store_t *s)
{
    uint32_t i;

    if (!s || (!s->probe_runs && !s->probe_error[0]))
        return;
    spn_buf_printf(b, "# HELP spncheck_probe_ok Live probe: 1 when the KDC's ticket for the SPN "
                      "decrypts with the service key.\n# TYPE spncheck_probe_ok gauge\n");
    for (i = 0; i < s->n_probes && i < s->n_probe_slots; i++) {
        const spn_probe_slot_t *r = &spn_store_probes(s)[i];
        spn_buf_puts(b, "spncheck_probe_ok{scope=\"");
        spn_prom_label(b, r->scope);
        spn_buf_puts(b, "\",spn=\"");
        spn_prom_label(b, r->spn);
        spn_buf_printf(b, "\",cause=\"%s\"} %d\n", r->ok ? "ok" : spn_cause_code(r->cause),
                       r->ok ? 1 : 0);
    }
    spn_buf_printf(b, "# HELP spncheck_probe_identity_ok 1 when the probe identity could "
                      "authenticate.\n# TYPE spncheck_probe_identity_ok gauge\n"
                      "spncheck_probe_identity_ok %d\n"
                      "# HELP spncheck_probe_last_run_timestamp_seconds Last probe run.\n"
                      "# TYPE spncheck_probe_last_run_timestamp_seconds gauge\n"
                      "spncheck_probe_last_run_timestamp_seconds %lld\n",
                   s->probe_error[0] ? 0 : 1, (long long)s->probe_time);
}

/* The newest kvno kt holds for spn (its name compared without the realm,
 * as the spn-in-keytab self-check does); 0 when it holds none or could
 * not be read. */
static int newest_kvno(const spn_keytab_t *kt, const char *spn)
{
    const char *at = strrchr(spn, '@');
    size_t n = at ? (size_t)(at - spn) : strlen(spn);
    int i, v = 0;

    for (i = 0; kt && kt->status == 0 && i < kt->n; i++)
        if (kt->e[i].name && strlen(kt->e[i].name) == n &&
            strncasecmp(kt->e[i].name, spn, n) == 0 && kt->e[i].kvno > v)
            v = kt->e[i].kvno;
    return v;
}

/* spncheck_keytab_kvno{spn}: one sample per distinct configured SPN (the
 * configuration bounds the labels; nothing a client sent).  When scopes
 * hold one SPN in different keytabs, the lowest of their newest kvnos:
 * the keytab a current ticket fails against. */
static void prom_kvno(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st)
{
    apr_hash_t *seen = apr_hash_make(p);
    int i, j;

    for (i = 0; i < st->n_scopes; i++)
        for (j = 0; j < st->scopes[i].svc.n_spns; j++) {
            const char *spn = st->scopes[i].svc.spns[j];
            int v = newest_kvno(st->scopes[i].svc.keytab, spn), *old;
            if (!spn || !*spn)
                continue;
            if ((old = apr_hash_get(seen, spn, APR_HASH_KEY_STRING)) != NULL) {
                if (v < *old)
                    *old = v;
                continue;
            }
            old = apr_palloc(p, sizeof(*old));
            *old = v;
            apr_hash_set(seen, spn, APR_HASH_KEY_STRING, old);
        }
    spn_buf_puts(b, "# HELP spncheck_keytab_kvno The newest key version the service keytab "
                    "holds for each configured SPN (0: none).\n"
                    "# TYPE spncheck_keytab_kvno gauge\n");
    /* in configuration order, each SPN once */
    for (i = 0; i < st->n_scopes; i++)
        for (j = 0; j < st->scopes[i].svc.n_spns; j++) {
            const char *spn = st->scopes[i].svc.spns[j];
            int *v = spn ? apr_hash_get(seen, spn, APR_HASH_KEY_STRING) : NULL;
            if (!v)
                continue;
            spn_buf_puts(b, "spncheck_keytab_kvno{spn=\"");
            spn_prom_label(b, spn);
            spn_buf_printf(b, "\"} %d\n", *v);
            apr_hash_set(seen, spn, APR_HASH_KEY_STRING, NULL);
        }
}

/* One self-check sample: spncheck_selfcheck_ok{server,location,check,state} V. */
static void prom_selfcheck(spn_buf_t *b, const spn_scope_t *sc, const spn_check_t *c, int v)
{
    spn_buf_puts(b, "spncheck_selfcheck_ok{server=\"");
    spn_prom_label(b, sc->server);
    spn_buf_puts(b, "\",location=\"");
    spn_prom_label(b, sc->location ? sc->location : "");
    spn_buf_printf(b, "\",check=\"%s\",state=\"%s\"} %d\n", c->id,
                   spn_check_state_name(c->state), v);
}

/* Every label is bounded: cause by the cause table; server, location and
 * check by the configuration and the check table; state by pass|warn|fail;
 * the probe's scope and spn by the configuration (SPNCheckMaxScopes).  No
 * label carries anything a client sent.  `promtool check metrics` passes
 * (t/prometheus.t). */
void spn_status_prometheus(spn_buf_t *b, apr_pool_t *p, const spn_status_t *st)
{
    const spn_store_t *s = st->store;
    const char *v = st->version ? st->version : "";
    const char *slash = strchr(v, '/');
    spn_checks_t *ck = spn_status_checks(p, st);
    int i, c, j;

    spn_buf_puts(b, "# HELP spncheck_build_info The module's version; always 1.\n"
                    "# TYPE spncheck_build_info gauge\nspncheck_build_info{version=\"");
    spn_prom_label(b, slash ? slash + 1 : v);
    spn_buf_puts(b, "\"} 1\n");
    spn_buf_puts(b, "# HELP spncheck_info The module's version and this node's name "
                    "(SPNCheckNodeName, which references carry); always 1.\n"
                    "# TYPE spncheck_info gauge\nspncheck_info{version=\"");
    spn_prom_label(b, slash ? slash + 1 : v);
    spn_buf_puts(b, "\",node=\"");
    spn_prom_label(b, st->node ? st->node : "");
    spn_buf_puts(b, "\"} 1\n");
    spn_buf_puts(b, "# HELP spncheck_failures_total Failed Negotiate exchanges, by cause.\n"
                    "# TYPE spncheck_failures_total counter\n");
    for (c = 0; c < SPN_C_COUNT; c++)
        spn_buf_printf(b, "spncheck_failures_total{cause=\"%s\"} %llu\n", spn_causes[c].code,
                       (unsigned long long)(s ? s->counters[c] : 0));
    spn_buf_printf(b, "# HELP spncheck_tokenless_total 401s to requests without a token "
                      "(first legs; not failures).\n# TYPE spncheck_tokenless_total counter\n"
                      "spncheck_tokenless_total %llu\n",
                   (unsigned long long)(s ? s->tokenless : 0));
    spn_buf_printf(b, "# HELP spncheck_history_size Failures held in the history.\n"
                      "# TYPE spncheck_history_size gauge\nspncheck_history_size %u\n"
                      "# HELP spncheck_history_capacity SPNCheckHistory.\n"
                      "# TYPE spncheck_history_capacity gauge\nspncheck_history_capacity %u\n",
                   held(s), s ? s->capacity : 0);
    spn_buf_printf(b, "# HELP spncheck_scopes_uncovered Scopes with SPNCheck On past "
                      "SPNCheckMaxScopes: not counted, probed or looked up (their "
                      "kerberos-share and rc4-tickets self-checks are missing).\n"
                      "# TYPE spncheck_scopes_uncovered gauge\nspncheck_scopes_uncovered %d\n",
                   st->n_uncovered);
    spn_buf_puts(b, "# HELP spncheck_auth_success_total Successful Negotiate/NTLM sign-ins in "
                    "SPNCheck On scopes, by mechanism (krb5, ntlm, other).\n"
                    "# TYPE spncheck_auth_success_total counter\n");
    for (i = 0; i < st->n_scopes; i++) {
        const spn_scope_t *sc = &st->scopes[i];
        for (c = 0; sc->mech_counts && c < SPN_MC_N; c++) {
            spn_buf_puts(b, "spncheck_auth_success_total{scope=\"");
            spn_prom_label(b, sc->server);
            spn_prom_label(b, sc->location ? sc->location : "");
            spn_buf_printf(b, "\",mech=\"%s\"} %llu\n", spn_mc_name(c),
                           (unsigned long long)sc->mech_counts[c]);
        }
    }
    spn_funnel_prometheus(b, st);
    spn_buf_puts(b, "# HELP spncheck_selfcheck_ok Configuration self-check: 1 when it passes, "
                    "0 when it warns or fails (state label: pass, warn, fail).\n"
                    "# TYPE spncheck_selfcheck_ok gauge\n");
    for (i = 0; i < st->n_scopes; i++)
        for (j = 0; j < ck[i].n; j++)
            prom_selfcheck(b, &st->scopes[i], &ck[i].c[j], ck[i].c[j].state == SPN_CHECK_PASS);
    prom_kvno(b, p, st);
    prom_probe(b, s);
    {
        const spn_service_t **svcs = apr_palloc(p, sizeof(*svcs) * (size_t)(st->n_scopes + 1));
        for (i = 0; i < st->n_scopes; i++)
            svcs[i] = &st->scopes[i].svc;
        spn_dirstatus_prom(b, p, s, &st->dir, svcs, st->n_scopes);
    }
}

void spn_status_ref(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f)
{
    spn_service_t svc;
    spn_diag_t d;

    spn_status_failure_diag(st, f, &d, &svc);      /* facts that arrived since enrich the record */
    spn_render_page_as(b, &d, &svc, SPN_DETAIL_FULL, f->ref, SPN_FIX_FOR_ADMIN);
}

void spn_status_ref_json(spn_buf_t *b, const spn_status_t *st, const spn_failure_t *f)
{
    spn_service_t svc;
    spn_diag_t d;
    spn_json_t w;
    char ts[32];

    spn_status_failure_diag(st, f, &d, &svc);
    spn_fmt_time(ts, sizeof(ts), f->time);
    spn_json_init(&w, b);
    spn_json_object(&w);
    spn_json_kstr(&w, "ref", f->ref);
    spn_json_kint(&w, "time", f->time);
    spn_json_kstr_or_null(&w, "time_utc", ts);
    spn_json_kstr_or_null(&w, "scope", f->scope);
    spn_json_kstr_or_null(&w, "client", f->client);
    spn_json_kstr_or_null(&w, "host", f->host);
    spn_json_kbool(&w, "proxied", f->proxied);
    spn_json_key(&w, "diagnosis");
    spn_diag_json(&w, &d, &svc);
    spn_json_end(&w);
    spn_buf_puts(b, "\n");
}

/* spn_dirstatus.c: the directory (SPNCheckDirectory) on the status page.
 * Every value from the directory or a client is escaped for its medium. */
#include "spn_dirstatus.h"
#include "spn_dirdiag.h"
#include "spn_names.h"
#include "spn_probe.h"

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_tables.h>
#include <apr_strings.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

static int dir_on(const spn_store_t *s, const spn_dirconf_t *dc)
{
    return s && dc && dc->uri;
}

/* The facts about spn ("SERVICE/host[@REALM]"), or NULL. */
static const spn_dir_spn_t *facts_of(const spn_store_t *s, const char *spn)
{
    char bare[SPN_DIR_SPN_MAX];
    size_t n = strcspn(spn, "@");
    const spn_dir_spn_t *f;

    if (n >= sizeof(bare))
        return NULL;
    memcpy(bare, spn, n);
    bare[n] = '\0';
    f = spn_store_dir_peek(s, bare);        /* the index, not a walk (issue 21) */
    return f && f->state == SPN_DIR_OK ? f : NULL;
}

void spn_selfcheck_dir(apr_pool_t *p, const spn_service_t *svc, const spn_store_t *s,
                       spn_checks_t *r)
{
    const char *acct = svc->account && *svc->account ? svc->account : NULL;
    const char *holder_msg = NULL, *holder_fix = NULL, *kvno_msg = NULL, *kvno_fix = NULL;
    const char *enc_msg = NULL, *enc_fix = NULL;
    int i, j, any = 0, kvno_checked = 0, enc_checked = 0;

    if (!s)
        return;
    for (i = 0; i < svc->n_spns; i++) {
        const char *spn = apr_pstrndup(p, svc->spns[i], strcspn(svc->spns[i], "@"));
        const spn_dir_spn_t *f = facts_of(s, spn);
        const spn_dir_holder_t *h;
        int kt_max, allowed;
        if (!f)
            continue;
        any = 1;
        if (f->n_holders == 0 && !holder_msg) {
            holder_msg = spn_psprintf(p, "no account holds %s", spn);
            holder_fix = spn_psprintf(p, "setspn -S %s %s", spn, acct ? acct : "DOMAIN\\account");
        }
        else if (f->n_holders > 1 && !holder_msg) {
            holder_msg = spn_psprintf(p, "%s is held by %d accounts (%s, %s%s)", spn,
                                      (int)f->n_holders, f->holders[0].account,
                                      f->holders[1].account, f->n_holders > 2 ? ", ..." : "");
            holder_fix = "setspn -X";
            for (j = 0; j < f->n_holders && j < SPN_DIR_MAX_HOLDERS; j++)
                if (!spn_dir_is_account(&f->holders[j], acct))
                    holder_fix = spn_psprintf(p, "%s; setspn -D %s %s", holder_fix, spn,
                                              f->holders[j].account);
        }
        else if (f->n_holders == 1 && acct && !spn_dir_is_account(&f->holders[0], acct) &&
                 !holder_msg) {
            h = &f->holders[0];
            holder_msg = spn_psprintf(p, "%s is held by %s (%s%s), not %s", spn, h->account,
                                      spn_dir_kind_name(h->kind),
                                      strcasecmp(h->via, f->spn) ? apr_pstrcat(p, " through ",
                                                                               h->via, NULL) : "",
                                      acct);
            holder_fix = strcasecmp(h->via, f->spn)
                ? spn_psprintf(p, "setspn -S %s %s", spn, acct)
                : spn_psprintf(p, "setspn -D %s %s; setspn -S %s %s", spn, h->account, spn, acct);
        }
        if (f->n_holders != 1 || (acct && !spn_dir_is_account(&f->holders[0], acct)))
            continue;
        h = &f->holders[0];
        if (!spn_dir_keytab_keys(svc->keytab, spn, h->enctypes, &kt_max, &allowed))
            continue;
        if (h->kvno >= 0) {
            kvno_checked = 1;
            if (h->kvno != kt_max && !kvno_msg) {
                kvno_msg = spn_psprintf(p, "AD's kvno for %s is %d, the keytab's newest for %s "
                                        "is %d", h->account, (int)h->kvno, spn, kt_max);
                kvno_fix = spn_psprintf(p, "ktpass -princ %s -mapuser %s -crypto AES256-SHA1 "
                                        "-ptype KRB5_NT_PRINCIPAL -pass * -out %s", svc->spns[i],
                                        h->account, svc->keytab->path ? svc->keytab->path
                                                                      : "<keytab>");
            }
        }
        enc_checked = 1;
        if (!allowed && !enc_msg) {
            spn_buf_t w;
            spn_buf_init(&w, p, 128);
            spn_dir_enctypes_words(&w, h->enctypes);
            enc_msg = spn_psprintf(p, "%s allows %s (msDS-SupportedEncryptionTypes %d); the "
                                   "keytab has no key of those types for %s", h->account,
                                   w.s ? w.s : "", (int)h->enctypes, spn);
            enc_fix = spn_psprintf(p, "ktpass -princ %s -mapuser %s -crypto ALL -ptype "
                                   "KRB5_NT_PRINCIPAL -pass * -out %s", svc->spns[i], h->account,
                                   svc->keytab->path ? svc->keytab->path : "<keytab>");
        }
    }
    if (!any)
        return;
    if (!acct && !holder_msg) {
        holder_msg = "SPNCheckServiceAccount is not set: the holder cannot be judged";
        holder_fix = "SPNCheckServiceAccount DOMAIN\\account";
    }
    /* spn-holder warns without an account to judge by; the others fail */
#define ADD(id_, st_, m_, f_) do { int v_ = (st_); if (r->n < SPN_CHECK_MAX) { \
        r->c[r->n].id = id_; r->c[r->n].state = v_; r->c[r->n].message = m_; \
        r->c[r->n].remedy = f_; r->n++; } if (v_ > r->worst) r->worst = v_; } while (0)
    ADD("spn-holder", holder_msg ? (acct ? SPN_CHECK_FAIL : SPN_CHECK_WARN) : SPN_CHECK_PASS,
        holder_msg ? holder_msg : "every configured SPN is held by the service account",
        holder_fix);
    if (kvno_checked)
        ADD("kvno-matches-directory", kvno_msg ? SPN_CHECK_FAIL : SPN_CHECK_PASS,
            kvno_msg ? kvno_msg : "the keytab's kvno is AD's", kvno_fix);
    if (enc_checked)
        ADD("enctypes-match", enc_msg ? SPN_CHECK_FAIL : SPN_CHECK_PASS,
            enc_msg ? enc_msg : "the keytab has a key of a type the account allows", enc_fix);
#undef ADD
}

static void check_cmd(spn_buf_t *b, const spn_dirconf_t *dc, int html)
{
    const char *fmt[] = {"kinit -k -t ", dc->keytab, " ", dc->client, " && ldapsearch -Y GSSAPI -H ",
                         dc->uri, " -s base -b '' defaultNamingContext"};
    unsigned i;
    for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
        if (html) spn_buf_htmls(b, fmt[i]); else spn_buf_puts(b, fmt[i]);
    }
}

static void holders_text(spn_buf_t *b, const spn_dir_spn_t *f)
{
    int i;
    if (f->state != SPN_DIR_OK) {
        spn_buf_puts(b, "-");
        return;
    }
    if (!f->n_holders)
        spn_buf_puts(b, "none");
    for (i = 0; i < f->n_holders && i < SPN_DIR_MAX_HOLDERS; i++) {
        const spn_dir_holder_t *h = &f->holders[i];
        spn_buf_puts(b, i ? "<br>" : "");
        spn_buf_htmls(b, h->account);
        spn_buf_printf(b, " (%s, kvno %d", spn_dir_kind_name(h->kind), (int)h->kvno);
        if (strcasecmp(h->via, f->spn) != 0) {
            spn_buf_puts(b, ", through ");
            spn_buf_htmls(b, h->via);
        }
        spn_buf_puts(b, (h->uac & SPN_UAC_ACCOUNTDISABLE) ? ", disabled)" : ")");
    }
    if (f->n_holders > SPN_DIR_MAX_HOLDERS)
        spn_buf_printf(b, "<br>and %d more", (int)f->n_holders - SPN_DIR_MAX_HOLDERS);
}

/* 1 when the slot's SPN is one of svc's (the realm aside). */
static int slot_of(const spn_dir_slot_t *sl, const spn_service_t *svc)
{
    int i;

    for (i = 0; i < svc->n_spns; i++) {
        size_t n = strcspn(svc->spns[i], "@");
        if (strlen(sl->f.spn) == n && strncasecmp(sl->f.spn, svc->spns[i], n) == 0)
            return 1;
    }
    return 0;
}

void spn_dirstatus_html(spn_buf_t *b, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc, const spn_service_t *only)
{
    char ts[32];
    int i, shown = 0, fine = 0, more = 0;

    (void)p;
    if (!dir_on(s, dc))
        return;
    spn_fmt_time(ts, sizeof(ts), s->dir_time);
    spn_buf_puts(b, "<h2>Directory (SPNCheckDirectory)</h2>\n<p>");
    spn_buf_htmls(b, dc->uri);
    spn_buf_printf(b, " as ");
    spn_buf_htmls(b, dc->client);
    spn_buf_printf(b, "; last run %s; %llu lookups; %u wanted SPNs queued; %llu dropped "
                      "(queue full).</p>\n", ts, (unsigned long long)s->dir_lookups,
                   spn_store_want_queued(s), (unsigned long long)s->dir_dropped);
    if (s->dir_state == SPN_DIR_ERROR) {
        spn_buf_puts(b, "<p class=\"warn\">The directory cannot be used: ");
        spn_buf_htmls(b, s->dir_error);
        spn_buf_puts(b, ". Diagnoses go on without it. Check: <code>");
        check_cmd(b, dc, 1);
        spn_buf_puts(b, "</code></p>\n");
    }
    else if (s->dir_state == SPN_DIR_SLOW) {
        spn_buf_puts(b, "<p class=\"warn\">The directory is too slow to serve: ");
        spn_buf_htmls(b, s->dir_error);
        spn_buf_puts(b, ". Lookups go on (one bind and at least one lookup a run), facts "
                        "arrive late. Check the DC's load and the network to it: <code>time ");
        check_cmd(b, dc, 1);
        spn_buf_puts(b, "</code></p>\n");
    }
    else if (!s->dir_runs)
        spn_buf_puts(b, "<p>Not looked up yet.</p>\n");
    spn_buf_puts(b, "<table>\n<tr><th>SPN</th><th>Holders</th><th>Duplicate</th>"
                    "<th>Checked</th><th>Error</th></tr>\n");
    for (i = 0; i < (int)s->n_dir_slots; i++) {
        const spn_dir_slot_t *sl = &spn_store_dir(s)[i];
        if (!sl->tried || (only && !slot_of(sl, only)))
            continue;
        if (!only && sl->pinned && sl->f.n_holders == 1 && !sl->f.error[0] &&
            !strcasecmp(sl->f.holders[0].via, sl->f.spn)) {
            fine++;         /* the default page lists the rest: none, several or */
            continue;       /* another name's holder, an error, asked by a failure */
        }
        if (!only && shown >= SPN_DIRSTATUS_ROWS) {
            more++;
            continue;
        }
        shown++;
        spn_buf_puts(b, "<tr><td>");
        spn_buf_htmls(b, sl->f.spn);
        spn_buf_puts(b, sl->pinned ? "" : " <small>(asked by a failure)</small>");
        spn_buf_puts(b, "</td><td>");
        holders_text(b, &sl->f);
        spn_fmt_time(ts, sizeof(ts), sl->f.checked_at);
        spn_buf_printf(b, "</td><td class=\"%s\">%s</td><td>%s</td><td>",
                       sl->f.n_holders > 1 ? "fail" : "pass", sl->f.n_holders > 1 ? "yes" : "no",
                       ts);
        spn_buf_htmls(b, sl->f.error);
        spn_buf_puts(b, "</td></tr>\n");
    }
    spn_buf_puts(b, "</table>\n");
    if (more)
        spn_buf_printf(b, "<p class=\"warn\">And %d more SPN%s with a problem: each scope's "
                          "view lists its own.</p>\n", more, more == 1 ? "" : "s");
    if (fine)
        spn_buf_printf(b, "<p class=\"zero\">%d configured SPN%s held by one account, no error "
                          "(each scope's view lists its own).</p>\n", fine, fine == 1 ? "" : "s");
}

void spn_dirstatus_json(spn_json_t *w, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc)
{
    spn_dir_spn_t *all;
    spn_buf_t facts, cmd;
    int i, n = 0;

    if (!dir_on(s, dc)) {
        spn_json_null(w);
        return;
    }
    all = apr_pcalloc(p, sizeof(*all) * (s->n_dir_slots ? s->n_dir_slots : 1));
    for (i = 0; i < (int)s->n_dir_slots; i++)
        if (spn_store_dir(s)[i].tried)
            all[n++] = spn_store_dir(s)[i].f;
    spn_json_object(w);
    spn_json_kstr(w, "uri", dc->uri);
    spn_json_kstr(w, "state", s->dir_state == SPN_DIR_ERROR ? "error"
                              : s->dir_state == SPN_DIR_SLOW ? "slow"
                              : s->dir_runs ? "ok" : "pending");
    spn_json_kstr_or_null(w, "error", s->dir_error);
    spn_buf_init(&cmd, p, 256);
    check_cmd(&cmd, dc, 0);
    spn_json_kstr(w, "check", cmd.s);
    spn_json_kint(w, "last_run", s->dir_time);
    spn_json_kuint(w, "runs", s->dir_runs);
    spn_json_kuint(w, "lookups", s->dir_lookups);
    spn_json_kuint(w, "queued", spn_store_want_queued(s));
    spn_json_kuint(w, "dropped", s->dir_dropped);
    spn_json_key(w, "configured");
    spn_json_array(w);
    for (i = 0; i < (int)s->n_dir_slots; i++)
        if (spn_store_dir(s)[i].tried && spn_store_dir(s)[i].pinned)
            spn_json_str(w, spn_store_dir(s)[i].f.spn);
    spn_json_end(w);
    spn_json_key(w, "facts");
    spn_buf_init(&facts, p, 4096);
    spn_dir_json(&facts, all, n);
    spn_json_raw(w, facts.s, facts.len);
    spn_json_end(w);
}

/* Who judges a configured SPN's holder: the accounts of the scopes that
 * configure it (either name form, as spn_probe_targets lists them), by
 * the SPN without its realm, lower-cased.  Built once a scrape: linear in
 * the configuration (a lookup per scope per SPN made it quadratic). */
typedef struct judge_s {
    const char *acct;
    struct judge_s *next;
} judge_t;

static char *spn_key(apr_pool_t *p, const char *spn)
{
    char *k = apr_pstrndup(p, spn, strcspn(spn, "@"));
    char *c;
    for (c = k; *c; c++)
        *c = (char)apr_tolower((unsigned char)*c);
    return k;
}

static apr_hash_t *judges(apr_pool_t *p, const spn_service_t *const *svcs, int n_svcs)
{
    apr_hash_t *h = apr_hash_make(p);
    int i, j;

    for (i = 0; i < n_svcs; i++) {
        const char *acct = svcs[i]->account, **t;
        int nt, max = 2 * svcs[i]->n_spns + 1;
        if (!acct || !*acct)
            continue;
        t = apr_palloc(p, sizeof(*t) * (size_t)max);
        nt = spn_probe_targets(p, svcs[i], t, max);
        for (j = 0; j < nt; j++) {
            char *k = spn_key(p, t[j]);
            judge_t *g = apr_palloc(p, sizeof(*g));
            g->acct = acct;
            g->next = apr_hash_get(h, k, APR_HASH_KEY_STRING);
            apr_hash_set(h, k, APR_HASH_KEY_STRING, g);
        }
    }
    return h;
}

/* The judgement of a configured SPN's holder: 1 held by exactly the
 * service account of every scope that configures it, 0 otherwise; -1 when
 * no such scope names its account (SPNCheckServiceAccount): nothing to
 * judge by. */
static int holder_ok(apr_pool_t *p, const spn_dir_spn_t *f, apr_hash_t *by)
{
    const judge_t *g = apr_hash_get(by, spn_key(p, f->spn), APR_HASH_KEY_STRING);
    int judged = -1;

    for (; g; g = g->next)
        judged = (judged != 0 && f->n_holders == 1 && spn_dir_is_account(&f->holders[0], g->acct))
                 ? 1 : 0;
    return judged;
}

void spn_dirstatus_prom(spn_buf_t *b, apr_pool_t *p, const spn_store_t *s,
                        const spn_dirconf_t *dc, const spn_service_t *const *svcs, int n_svcs)
{
    apr_hash_t *by;
    int i, v;

    if (!dir_on(s, dc))
        return;
    by = judges(p, svcs, n_svcs);
    spn_buf_printf(b, "# HELP spncheck_directory_ok 1 when the directory (SPNCheckDirectory) "
                      "answered its last connection in time (0: it cannot be used, or it is "
                      "too slow to serve: the status page says which).\n"
                      "# TYPE spncheck_directory_ok gauge\n"
                      "spncheck_directory_ok %d\n"
                      "# HELP spncheck_directory_last_run_timestamp_seconds Last lookup run.\n"
                      "# TYPE spncheck_directory_last_run_timestamp_seconds gauge\n"
                      "spncheck_directory_last_run_timestamp_seconds %lld\n"
                      "# HELP spncheck_directory_lookups_total SPNs looked up.\n"
                      "# TYPE spncheck_directory_lookups_total counter\n"
                      "spncheck_directory_lookups_total %llu\n"
                      "# HELP spncheck_directory_wanted_queued SPNs failures asked for, waiting "
                      "for a lookup.\n"
                      "# TYPE spncheck_directory_wanted_queued gauge\n"
                      "spncheck_directory_wanted_queued %u\n"
                      "# HELP spncheck_directory_wanted_dropped_total SPNs failures asked for, "
                      "dropped because the queue was full.\n"
                      "# TYPE spncheck_directory_wanted_dropped_total counter\n"
                      "spncheck_directory_wanted_dropped_total %llu\n",
                   s->dir_state == SPN_DIR_OK ? 1 : 0, (long long)s->dir_time,
                   (unsigned long long)s->dir_lookups, spn_store_want_queued(s),
                   (unsigned long long)s->dir_dropped);
    spn_buf_puts(b, "# HELP spncheck_directory_spn_holders Accounts that hold a configured SPN "
                    "(0 not registered, 1 one account, 2 or more duplicates; whether the one "
                    "is the service account: spncheck_directory_spn_holder_ok).\n"
                    "# TYPE spncheck_directory_spn_holders gauge\n");
    for (i = 0; i < (int)s->n_dir_slots; i++) {
        if (!spn_store_dir(s)[i].tried || !spn_store_dir(s)[i].pinned || spn_store_dir(s)[i].f.state != SPN_DIR_OK)
            continue;
        spn_buf_puts(b, "spncheck_directory_spn_holders{spn=\"");
        spn_prom_label(b, spn_store_dir(s)[i].f.spn);
        spn_buf_printf(b, "\"} %d\n", (int)spn_store_dir(s)[i].f.n_holders);
    }
    spn_buf_puts(b, "# HELP spncheck_directory_spn_holder_ok 1 when a configured SPN is held by "
                    "exactly the service account (SPNCheckServiceAccount), 0 when by none, "
                    "another or more than one account.\n"
                    "# TYPE spncheck_directory_spn_holder_ok gauge\n");
    for (i = 0; i < (int)s->n_dir_slots; i++) {
        const spn_dir_slot_t *sl = &spn_store_dir(s)[i];
        if (!sl->tried || !sl->pinned || sl->f.state != SPN_DIR_OK ||
            (v = holder_ok(p, &sl->f, by)) < 0)
            continue;
        spn_buf_puts(b, "spncheck_directory_spn_holder_ok{spn=\"");
        spn_prom_label(b, spn_store_dir(s)[i].f.spn);
        spn_buf_printf(b, "\"} %d\n", v);
    }
    spn_buf_puts(b, "# HELP spncheck_directory_spn_checked_timestamp_seconds When the "
                    "directory last answered for a configured SPN.\n"
                    "# TYPE spncheck_directory_spn_checked_timestamp_seconds gauge\n");
    for (i = 0; i < (int)s->n_dir_slots; i++) {
        if (!spn_store_dir(s)[i].tried || !spn_store_dir(s)[i].pinned || spn_store_dir(s)[i].f.state != SPN_DIR_OK)
            continue;
        spn_buf_puts(b, "spncheck_directory_spn_checked_timestamp_seconds{spn=\"");
        spn_prom_label(b, spn_store_dir(s)[i].f.spn);
        spn_buf_printf(b, "\"} %lld\n", (long long)spn_store_dir(s)[i].f.checked_at);
    }
}

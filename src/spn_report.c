/* spn_report.c: a decoded token as JSON (the public contract documented
 * in docs/spncheck.md) and as a readable breakdown. */
#include "spn_ntlm.h"
#include "spn_names.h"
#include "spn_report.h"
#include "spn_der.h"

#include <stdio.h>

static void oid_json(spn_json_t *w, spn_slice_t o)
{
    char s[128];
    if (!o.len || spn_der_oid_str(o.p, o.len, s, sizeof(s)) < 0)
        spn_json_null(w);
    else
        spn_json_str(w, s);
}

static void ntlm_str_json(spn_json_t *w, const char *key, const spn_ntlm_t *n, int has,
                          spn_slice_t s)
{
    char tmp[1024];
    spn_json_key(w, key);
    if (!has)
        spn_json_null(w);
    else
        spn_json_strn(w, tmp, spn_ntlm_str_utf8(n, s, tmp, sizeof(tmp)));
}

static void slice_json(spn_json_t *w, const char *key, spn_slice_t s)
{
    spn_json_key(w, key);
    spn_json_strn(w, s.p ? (const char *)s.p : NULL, s.len);
}

static void spnego_json(spn_json_t *w, const spn_token_t *t)
{
    int i;

    spn_json_object(w);
    spn_json_key(w, "mech_types");
    spn_json_array(w);
    for (i = 0; i < t->n_mechs && i < SPN_MAX_MECHS; i++)
        oid_json(w, t->mech_types[i]);
    spn_json_end(w);
    spn_json_key(w, "mech_names");
    spn_json_array(w);
    for (i = 0; i < t->n_mechs && i < SPN_MAX_MECHS; i++)
        spn_json_str(w, spn_oid_label(t->mech_types[i].p, t->mech_types[i].len));
    spn_json_end(w);
    spn_json_kstr(w, "neg_state", spn_neg_state_name(t->neg_state));
    spn_json_key(w, "supported_mech");
    oid_json(w, t->supported_mech);
    spn_json_kbool(w, "init2", t->init2);
    slice_json(w, "hint_name", t->hint_name);
    spn_json_kbool(w, "mech_token", t->has_mech_token);
    spn_json_kbool(w, "mech_list_mic", t->has_mic);
    spn_json_end(w);
}

static void krb5_json(spn_json_t *w, const spn_krb5_t *k)
{
    char sn[1024], hex[16];

    spn_json_object(w);
    spn_json_kint(w, "msg_type", k->msg_type);
    slice_json(w, "realm", k->realm);
    spn_json_key(w, "sname");
    if (k->sname_n)
        spn_json_strn(w, sn, spn_krb5_sname(k, sn, sizeof(sn)));
    else
        spn_json_null(w);
    spn_json_kint_or_null(w, "sname_type", k->sname_type, k->sname_n != 0);
    if (k->msg_type == SPN_KRB_AP_REQ) {
        spn_json_kint(w, "etype", k->etype);
        spn_json_kint_or_null(w, "kvno", k->kvno, k->kvno >= 0);
        spn_json_kint(w, "authenticator_etype", k->auth_etype);
        snprintf(hex, sizeof(hex), "%08x", k->ap_options);
        spn_json_kstr(w, "ap_options", hex);
    }
    else {
        spn_json_knull(w, "etype");
        spn_json_knull(w, "kvno");
    }
    if (k->msg_type == SPN_KRB_ERROR) {
        spn_json_kint(w, "error_code", k->error_code);
        spn_json_kstr(w, "error_name", spn_krb5_error_name(k->error_code));
        slice_json(w, "e_text", k->e_text);
        slice_json(w, "stime", k->stime);
    }
    else {
        spn_json_knull(w, "error_code");
    }
    spn_json_end(w);
}

static void ntlm_json(spn_json_t *w, const spn_ntlm_t *n)
{
    char hex[2 * 8 + 1];
    size_t i;

    spn_json_object(w);
    spn_json_kint(w, "type", n->type);
    snprintf(hex, sizeof(hex), "0x%08x", n->flags);
    spn_json_kstr(w, "flags", hex);
    spn_json_kbool(w, "unicode", n->unicode);
    ntlm_str_json(w, "domain", n, n->has_domain, n->domain);
    ntlm_str_json(w, "workstation", n, n->has_workstation, n->workstation);
    ntlm_str_json(w, "user", n, n->has_user, n->user);
    ntlm_str_json(w, "target", n, n->has_target, n->target);
    spn_json_key(w, "version");
    if (n->has_version) {
        spn_json_object(w);
        spn_json_kuint(w, "major", n->ver_major);
        spn_json_kuint(w, "minor", n->ver_minor);
        spn_json_kuint(w, "build", n->ver_build);
        spn_json_kuint(w, "revision", n->ver_rev);
        spn_json_end(w);
    }
    else {
        spn_json_null(w);
    }
    if (n->type == SPN_NTLM_CHALLENGE) {
        /* the server challenge is 8 bytes (spn_ntlm.c) */
        for (i = 0; i < n->challenge.len && i < 8; i++)
            snprintf(hex + 2 * i, 3, "%02x", n->challenge.p[i]);
        hex[2 * i] = '\0';
        spn_json_kstr(w, "challenge", hex);
    }
    if (n->type == SPN_NTLM_AUTHENTICATE) {
        spn_json_kstr(w, "nt_response", n->nt_resp_len == 0 ? "empty"
                      : n->nt_resp_len == 24 ? "NTLMv1" : "NTLMv2");
        spn_json_kbool(w, "mic_present", n->mic_present);
        /* the NTLMv2 client challenge's AV pairs (spn_ntlm.c) */
        spn_json_key(w, "target_name");
        if (n->has_av_target) {
            char tmp[1024];
            spn_json_strn(w, tmp, spn_ntlm_utf8(1, n->av_target, tmp, sizeof(tmp)));
        }
        else
            spn_json_null(w);
        spn_json_kint_or_null(w, "av_flags", n->av_flags, n->has_av_flags);
        spn_json_key(w, "channel_bindings");
        if (n->has_av_cb) {
            char cb[33];
            for (i = 0; i < 16; i++)
                snprintf(cb + 2 * i, 3, "%02x", n->av_cb.p[i]);
            spn_json_str(w, cb);
        }
        else
            spn_json_null(w);
        spn_json_kint_or_null(w, "timestamp",
                              n->has_av_time ? spn_filetime_unix(n->av_time)
                                             : spn_filetime_unix(n->client_time),
                              n->ntlmv2 && (n->has_av_time ? spn_filetime_unix(n->av_time)
                                                           : spn_filetime_unix(n->client_time)) >= 0);
    }
    spn_json_end(w);
}

void spn_token_json(spn_json_t *w, const spn_token_t *t)
{
    spn_json_object(w);
    spn_json_kstr(w, "format", spn_format_name(t->format));
    spn_json_kstr(w, "mech", spn_mech_name(t->mech));
    spn_json_kuint(w, "length", t->length);
    spn_json_key(w, "spnego");
    if (t->format == SPN_FMT_SPNEGO_INIT || t->format == SPN_FMT_SPNEGO_RESP)
        spnego_json(w, t);
    else
        spn_json_null(w);
    spn_json_key(w, "krb5");
    if (t->has_krb5 && t->krb5.msg_type)
        krb5_json(w, &t->krb5);
    else
        spn_json_null(w);
    spn_json_key(w, "ntlm");
    if (t->has_ntlm && t->ntlm.type)
        ntlm_json(w, &t->ntlm);
    else
        spn_json_null(w);
    spn_json_key(w, "error");
    if (t->error.code) {
        spn_json_object(w);
        spn_json_kstr(w, "code", spn_err_name(t->error.code));
        spn_json_kuint(w, "offset", t->error.offset);
        spn_json_kstr(w, "message", t->error.message);
        spn_json_end(w);
    }
    else {
        spn_json_null(w);
    }
    spn_json_end(w);
}

/* Readable text: control characters and invalid UTF-8 shown as '?'. */
static void text_slice(spn_buf_t *b, const uint8_t *s, size_t n)
{
    spn_buf_text(b, (const char *)s, n);
}

void spn_token_text(spn_buf_t *b, const spn_token_t *t)
{
    int i;
    char tmp[1024];

    spn_buf_printf(b, "format:        %s (%zu bytes)\n", spn_format_name(t->format),
                   t->length);
    spn_buf_printf(b, "mechanism:     %s\n", t->mech ? spn_mech_name(t->mech) : "-");
    for (i = 0; i < t->n_mechs && i < SPN_MAX_MECHS; i++) {
        char o[128] = "?";
        spn_der_oid_str(t->mech_types[i].p, t->mech_types[i].len, o, sizeof(o));
        spn_buf_printf(b, "%s %s (%s)\n", i ? "              " : "mechTypes:    ", o,
                       spn_oid_label(t->mech_types[i].p, t->mech_types[i].len));
    }
    if (spn_neg_state_name(t->neg_state))
        spn_buf_printf(b, "negState:      %s\n", spn_neg_state_name(t->neg_state));
    if (t->init2) {
        spn_buf_puts(b, "negHints:      hintName ");
        text_slice(b, t->hint_name.p, t->hint_name.len);
        spn_buf_puts(b, "\n");
    }
    if (t->has_krb5 && t->krb5.msg_type) {
        const spn_krb5_t *k = &t->krb5;
        spn_buf_printf(b, "krb5 message:  %s\n", k->msg_type == SPN_KRB_AP_REQ ? "AP-REQ"
                       : k->msg_type == SPN_KRB_AP_REP ? "AP-REP"
                       : k->msg_type == SPN_KRB_TGT_REQ ? "KRB-TGT-REQ (user-to-user: asks for the "
                                             "server's TGT, carries no ticket)"
                       : "KRB-ERROR");
        if (k->realm.len) {
            spn_buf_puts(b, "realm:         ");
            text_slice(b, k->realm.p, k->realm.len);
            spn_buf_puts(b, "\n");
        }
        if (k->sname_n) {
            spn_krb5_sname(k, tmp, sizeof(tmp));
            spn_buf_puts(b, "service name:  ");
            text_slice(b, (const uint8_t *)tmp, strlen(tmp));
            spn_buf_printf(b, " (name-type %d)\n", k->sname_type);
        }
        if (k->msg_type == SPN_KRB_AP_REQ) {
            spn_buf_printf(b, "ticket etype:  %d %s\n", k->etype, spn_etype_name(k->etype));
            if (k->kvno >= 0)
                spn_buf_printf(b, "ticket kvno:   %ld\n", k->kvno);
            else
                spn_buf_puts(b, "ticket kvno:   (none)\n");
            spn_buf_printf(b, "authenticator: etype %d\nap-options:    %08x\n",
                           k->auth_etype, k->ap_options);
        }
        if (k->msg_type == SPN_KRB_ERROR) {
            const char *en = spn_krb5_error_name(k->error_code);
            spn_buf_printf(b, "error-code:    %ld %s\n", k->error_code, en ? en : "");
            if (k->e_text.len) {
                spn_buf_puts(b, "e-text:        ");
                text_slice(b, k->e_text.p, k->e_text.len);
                spn_buf_puts(b, "\n");
            }
        }
    }
    if (t->has_ntlm && t->ntlm.type) {
        const spn_ntlm_t *n = &t->ntlm;
        spn_buf_printf(b, "NTLM message:  type %d, flags 0x%08x (%s strings)\n", n->type,
                       n->flags, n->unicode ? "UTF-16" : "OEM");
#define NTLM_LINE(label, has, s)                                              \
        if (has) {                                                            \
            spn_ntlm_str_utf8(n, s, tmp, sizeof(tmp));                        \
            spn_buf_puts(b, label);                                           \
            text_slice(b, (const uint8_t *)tmp, strlen(tmp));                 \
            spn_buf_puts(b, "\n");                                            \
        }
        NTLM_LINE("domain:        ", n->has_domain, n->domain)
        NTLM_LINE("user:          ", n->has_user, n->user)
        NTLM_LINE("workstation:   ", n->has_workstation, n->workstation)
        NTLM_LINE("target:        ", n->has_target, n->target)
#undef NTLM_LINE
        if (n->has_version)
            spn_buf_printf(b, "version:       %u.%u.%u (NTLM revision %u)\n", n->ver_major,
                           n->ver_minor, n->ver_build, n->ver_rev);
        if (n->has_av_target) {
            spn_ntlm_utf8(1, n->av_target, tmp, sizeof(tmp));
            spn_buf_puts(b, "target name:   ");
            text_slice(b, (const uint8_t *)tmp, strlen(tmp));
            spn_buf_puts(b, "\n");
        }
        if (n->has_av_flags)
            spn_buf_printf(b, "av flags:      0x%08x\n", n->av_flags);
        if (n->has_av_cb) {
            spn_buf_puts(b, "channel bind:  ");
            for (i = 0; i < 16; i++)
                spn_buf_printf(b, "%02x", n->av_cb.p[i]);
            spn_buf_puts(b, "\n");
        }
    }
    if (t->error.code)
        spn_buf_printf(b, "error:         %s at byte %zu: %s\n", spn_err_name(t->error.code),
                       t->error.offset, t->error.message);
}

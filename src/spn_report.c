/* spn_report.c: a decoded token as JSON (the public contract documented
 * in the README) and as a readable breakdown. */
#include "spn_ntlm.h"
#include "spn_names.h"
#include "spn_report.h"
#include "spn_der.h"

#include <stdio.h>

static void oid_json(spn_buf_t *b, spn_slice_t o)
{
    char s[128];
    if (!o.len || spn_der_oid_str(o.p, o.len, s, sizeof(s)) < 0)
        spn_buf_puts(b, "null");
    else
        spn_buf_jsons(b, s);
}

static void ntlm_str_json(spn_buf_t *b, const spn_ntlm_t *n, int has, spn_slice_t s)
{
    char tmp[1024];
    if (!has) {
        spn_buf_puts(b, "null");
        return;
    }
    spn_buf_json(b, tmp, spn_ntlm_str_utf8(n, s, tmp, sizeof(tmp)));
}

static void slice_json(spn_buf_t *b, spn_slice_t s)
{
    spn_buf_json(b, s.p ? (const char *)s.p : NULL, s.len);
}

void spn_token_json(spn_buf_t *b, const spn_token_t *t)
{
    int i;

    spn_buf_printf(b, "{\"format\":\"%s\",\"mech\":", spn_format_name(t->format));
    spn_buf_jsons(b, spn_mech_name(t->mech));
    spn_buf_printf(b, ",\"length\":%zu", t->length);

    spn_buf_puts(b, ",\"spnego\":");
    if (t->format == SPN_FMT_SPNEGO_INIT || t->format == SPN_FMT_SPNEGO_RESP) {
        spn_buf_puts(b, "{\"mech_types\":[");
        for (i = 0; i < t->n_mechs && i < SPN_MAX_MECHS; i++) {
            if (i)
                spn_buf_puts(b, ",");
            oid_json(b, t->mech_types[i]);
        }
        spn_buf_puts(b, "],\"mech_names\":[");
        for (i = 0; i < t->n_mechs && i < SPN_MAX_MECHS; i++) {
            if (i)
                spn_buf_puts(b, ",");
            spn_buf_jsons(b, spn_oid_label(t->mech_types[i].p, t->mech_types[i].len));
        }
        spn_buf_puts(b, "],\"neg_state\":");
        spn_buf_jsons(b, spn_neg_state_name(t->neg_state));
        spn_buf_puts(b, ",\"supported_mech\":");
        oid_json(b, t->supported_mech);
        spn_buf_printf(b, ",\"init2\":%s,\"hint_name\":", t->init2 ? "true" : "false");
        slice_json(b, t->hint_name);
        spn_buf_printf(b, ",\"mech_token\":%s,\"mech_list_mic\":%s}",
                       t->has_mech_token ? "true" : "false",
                       t->has_mic ? "true" : "false");
    }
    else {
        spn_buf_puts(b, "null");
    }

    spn_buf_puts(b, ",\"krb5\":");
    if (t->has_krb5 && t->krb5.msg_type) {
        const spn_krb5_t *k = &t->krb5;
        char sn[1024];
        spn_buf_printf(b, "{\"msg_type\":%d,\"realm\":", k->msg_type);
        slice_json(b, k->realm);
        spn_buf_puts(b, ",\"sname\":");
        if (k->sname_n)
            spn_buf_json(b, sn, spn_krb5_sname(k, sn, sizeof(sn)));
        else
            spn_buf_puts(b, "null");
        if (k->sname_n)
            spn_buf_printf(b, ",\"sname_type\":%d", k->sname_type);
        else
            spn_buf_puts(b, ",\"sname_type\":null");
        if (k->msg_type == SPN_KRB_AP_REQ) {
            spn_buf_printf(b, ",\"etype\":%d,\"kvno\":", k->etype);
            if (k->kvno >= 0)
                spn_buf_printf(b, "%ld", k->kvno);
            else
                spn_buf_puts(b, "null");
            spn_buf_printf(b, ",\"authenticator_etype\":%d,\"ap_options\":\"%08x\"",
                           k->auth_etype, k->ap_options);
        }
        else {
            spn_buf_puts(b, ",\"etype\":null,\"kvno\":null");
        }
        if (k->msg_type == SPN_KRB_ERROR) {
            spn_buf_printf(b, ",\"error_code\":%ld,\"error_name\":", k->error_code);
            spn_buf_jsons(b, spn_krb5_error_name(k->error_code));
            spn_buf_puts(b, ",\"e_text\":");
            slice_json(b, k->e_text);
            spn_buf_puts(b, ",\"stime\":");
            slice_json(b, k->stime);
        }
        else {
            spn_buf_puts(b, ",\"error_code\":null");
        }
        spn_buf_puts(b, "}");
    }
    else {
        spn_buf_puts(b, "null");
    }

    spn_buf_puts(b, ",\"ntlm\":");
    if (t->has_ntlm && t->ntlm.type) {
        const spn_ntlm_t *n = &t->ntlm;
        spn_buf_printf(b, "{\"type\":%d,\"flags\":\"0x%08x\",\"unicode\":%s,\"domain\":",
                       n->type, n->flags, n->unicode ? "true" : "false");
        ntlm_str_json(b, n, n->has_domain, n->domain);
        spn_buf_puts(b, ",\"workstation\":");
        ntlm_str_json(b, n, n->has_workstation, n->workstation);
        spn_buf_puts(b, ",\"user\":");
        ntlm_str_json(b, n, n->has_user, n->user);
        spn_buf_puts(b, ",\"target\":");
        ntlm_str_json(b, n, n->has_target, n->target);
        spn_buf_puts(b, ",\"version\":");
        if (n->has_version)
            spn_buf_printf(b, "{\"major\":%u,\"minor\":%u,\"build\":%u,\"revision\":%u}",
                           n->ver_major, n->ver_minor, n->ver_build, n->ver_rev);
        else
            spn_buf_puts(b, "null");
        if (n->type == SPN_NTLM_CHALLENGE) {
            spn_buf_puts(b, ",\"challenge\":\"");
            for (i = 0; i < (int)n->challenge.len; i++)
                spn_buf_printf(b, "%02x", n->challenge.p[i]);
            spn_buf_puts(b, "\"");
        }
        if (n->type == SPN_NTLM_AUTHENTICATE)
            spn_buf_printf(b, ",\"nt_response\":\"%s\",\"mic_present\":%s",
                           n->nt_resp_len == 0 ? "empty"
                           : n->nt_resp_len == 24 ? "NTLMv1" : "NTLMv2",
                           n->mic_present ? "true" : "false");
        spn_buf_puts(b, "}");
    }
    else {
        spn_buf_puts(b, "null");
    }

    spn_buf_puts(b, ",\"error\":");
    if (t->error.code) {
        spn_buf_printf(b, "{\"code\":\"%s\",\"offset\":%zu,\"message\":",
                       spn_err_name(t->error.code), t->error.offset);
        spn_buf_jsons(b, t->error.message);
        spn_buf_puts(b, "}");
    }
    else {
        spn_buf_puts(b, "null");
    }
    spn_buf_puts(b, "}");
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
    }
    if (t->error.code)
        spn_buf_printf(b, "error:         %s at byte %zu: %s\n", spn_err_name(t->error.code),
                       t->error.offset, t->error.message);
}

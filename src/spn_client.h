/* spn_client.h: the browser that never tries (issue 20).  What a tokenless
 * request shows about its client (User-Agent family and OS, the form of
 * the host it asked for, scheme, port, a proxy on the way), classified in
 * a bounded set, and the first-leg page that names the setting to change
 * for that client with the site's own origin filled in (spn_client.c).
 * Every input is a client's byte: read within caps, linear time; the host
 * is shown as a setting value only when it passes RFC 1123 (or is an IP
 * literal), and everything is HTML-escaped all the same. */
#ifndef SPN_CLIENT_H
#define SPN_CLIENT_H

#include "spn_buf.h"
#include "spn_service.h"

/* Client families and operating systems: the labels of
 * spncheck_gave_up_total{client=,os=}; bounded, in this order. */
enum { SPN_CL_CHROME = 0, SPN_CL_EDGE, SPN_CL_FIREFOX, SPN_CL_SAFARI, SPN_CL_CURL,
       SPN_CL_OTHER, SPN_CL_N };
enum { SPN_OS_WINDOWS = 0, SPN_OS_MACOS, SPN_OS_LINUX, SPN_OS_OTHER, SPN_OS_N };
const char *spn_client_name(int family);    /* "chrome", ..., "other" */
const char *spn_os_name(int os);            /* "windows", ..., "other" */
const char *spn_client_title(int family);   /* "Chrome", ..., "your browser" */
const char *spn_os_title(int os);           /* "Windows", ..., "" */

/* Only the first SPN_UA_MAX bytes of a User-Agent are read. */
#define SPN_UA_MAX 512
int spn_client_family(const char *ua);      /* NULL: SPN_CL_OTHER */
int spn_client_os(const char *ua);

/* The form of the host a request named (bits). */
enum {
    SPN_HF_IP = 1,          /* an IPv4 or IPv6 literal */
    SPN_HF_DOTTED = 2,      /* a name with a dot */
    SPN_HF_SHORT = 4,       /* a name without one */
    SPN_HF_PORT = 8,        /* a port that is not the scheme's default */
    SPN_HF_UNKNOWN = 16,    /* not the host of a configured SPN */
    SPN_HF_BAD = 32         /* neither a name (RFC 1123) nor an IP literal: not shown */
};

/* What the glue observed, plain strings (any may be NULL). */
typedef struct {
    const char *user_agent;     /* the User-Agent field */
    const char *host;           /* the Host field as sent ("name[:port]", "[v6]:port") */
    int port;                   /* the port the connection came to (no port in host) */
    int tls;                    /* https */
    int via;                    /* Via, Forwarded or X-Forwarded-For present */
} spn_client_obs_t;

typedef struct {
    int family, os, form;
    int tls, via, port;
    char host[256];         /* lowercased; "" when SPN_HF_BAD */
    char origin[300];       /* "https://web01.contoso.test:8443"; "" when SPN_HF_BAD */
    char spn_host[256];     /* the first configured HTTP SPN's host that is a real name */
    char realm[128];        /* the realm of a configured SPN (HTTP/h@REALM), or "" */
} spn_client_t;

void spn_client_classify(const spn_client_obs_t *o, const spn_service_t *svc, spn_client_t *out);

/* The first-leg page: the whole document (detail is SPN_DETAIL_*: at none
 * the page names nothing from the configuration, only what the client
 * sent), or the part inside <main> alone (cl NULL: the generic reasons). */
void spn_client_page(spn_buf_t *b, const spn_client_t *cl, int detail, const char *ref);
void spn_client_body(spn_buf_t *b, const spn_client_t *cl, int detail);

#endif

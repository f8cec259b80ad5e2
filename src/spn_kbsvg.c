/* spn_kbsvg.c: the KB case as a picture (spn_kbsvg.h). */
#include "spn_kbsvg.h"
#include "spn_render.h"

#include <stdio.h>
#include <string.h>

/* One label: HTML-escaped, cut at SPN_KB_LABEL bytes (not inside a UTF-8
 * sequence), with an ellipsis when cut. */
static void label(spn_buf_t *b, const char *s)
{
    size_t n = strlen(s);
    if (n <= SPN_KB_LABEL) {
        spn_buf_htmls(b, s);
        return;
    }
    n = SPN_KB_LABEL - 1;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    spn_buf_html(b, s, n);
    spn_buf_puts(b, "&#8230;");
}

static void box(spn_buf_t *b, int x, const char *fill, const char *title, const char *sub,
                const char *sub2)
{
    spn_buf_printf(b, "<rect x=\"%d\" y=\"20\" width=\"150\" height=\"70\" rx=\"6\" fill=\"%s\" "
                      "stroke=\"#555\"/><text x=\"%d\" y=\"40\" font-size=\"13\" "
                      "font-weight=\"600\" text-anchor=\"middle\">", x, fill, x + 75);
    spn_buf_htmls(b, title);
    spn_buf_printf(b, "</text><text x=\"%d\" y=\"58\" font-size=\"10\" text-anchor=\"middle\">",
                   x + 75);
    label(b, sub);
    spn_buf_printf(b, "</text><text x=\"%d\" y=\"74\" font-size=\"10\" text-anchor=\"middle\">",
                   x + 75);
    label(b, sub2);
    spn_buf_puts(b, "</text>\n");
}

static void arrow(spn_buf_t *b, int x, int bad)
{
    spn_buf_printf(b, "<path d=\"M%d 55h22l-6-5m6 5l-6 5\" fill=\"none\" stroke=\"%s\" "
                      "stroke-width=\"2\"/>\n", x, bad ? "#8a1c1c" : "#555");
}

int spn_kb_svg(spn_buf_t *b, const spn_diag_t *d, const spn_service_t *svc, int detail)
{
    int full = detail >= SPN_DETAIL_FULL;
    const char *spn = full && *d->sname ? d->sname : "the site's SPN";
    const char *holder = full && d->dir_state == SPN_DIR_OK && d->dir_n_holders >= 1
                         ? d->dir_holders[0].account : "another account";
    const char *account = full && svc && svc->account && *svc->account ? svc->account
                          : "the service account";

    if (!d || detail <= SPN_DETAIL_NONE ||
        (d->cause != SPN_C_SPN_WRONG_ACCOUNT && d->cause != SPN_C_SPN_NOT_REGISTERED))
        return 0;
    spn_buf_puts(b, "<figure class=\"kb\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "viewBox=\"0 0 704 110\" role=\"img\" aria-label=\"");
    spn_buf_puts(b, d->cause == SPN_C_SPN_WRONG_ACCOUNT
                    ? "The ticket is sealed with another account's key than this service holds"
                    : "No account holds the SPN: the KDC issues no ticket");
    spn_buf_puts(b, "\">\n");
    box(b, 2, "#eef3fa", "Browser", "asks for a ticket for", spn);
    arrow(b, 154, 0);
    if (d->cause == SPN_C_SPN_WRONG_ACCOUNT) {
        box(b, 178, "#eef3fa", "KDC", "finds the SPN on", holder);
        arrow(b, 330, 0);
        box(b, 354, "#fbf6ea", "Ticket", "sealed with the key of", holder);
        arrow(b, 506, 1);
        box(b, 530, "#fbf0ef", "This service", "holds the key of", account);
        spn_buf_puts(b, "<text x=\"352\" y=\"106\" font-size=\"11\" text-anchor=\"middle\" "
                        "fill=\"#8a1c1c\">two accounts, two keys: the ticket cannot be "
                        "decrypted here</text>\n");
    }
    else {
        box(b, 178, "#fbf0ef", "KDC", "no account holds", spn);
        arrow(b, 330, 1);
        box(b, 354, "#fbf6ea", "No ticket", "the browser falls back", "to NTLM, or gives up");
        arrow(b, 506, 1);
        box(b, 530, "#eef3fa", "This service", "holds the key of", account);
        spn_buf_puts(b, "<text x=\"352\" y=\"106\" font-size=\"11\" text-anchor=\"middle\" "
                        "fill=\"#8a1c1c\">register the SPN on the service account</text>\n");
    }
    spn_buf_puts(b, "</svg></figure>\n");
    return 1;
}

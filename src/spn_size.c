/* spn_size.c: token-too-large: which header line is ours, and the cause. */
#include "spn_size.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int spn_auth_line(const char *line, size_t n, const char **scheme)
{
    static const char name[] = "Authorization:";
    static const char *const schemes[] = {"Negotiate", "NTLM"};
    size_t i = sizeof(name) - 1, k;

    if (n > SPN_LINE_PREFIX)
        n = SPN_LINE_PREFIX;
    if (n < i || strncasecmp(line, name, i) != 0)
        return 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
        size_t l = strlen(schemes[k]);
        /* the scheme, then a space (the token follows): "NTLMx" is not NTLM */
        if (n - i > l && strncasecmp(line + i, schemes[k], l) == 0 &&
            (line[i + l] == ' ' || line[i + l] == '\t')) {
            *scheme = schemes[k];
            return 1;
        }
    }
    return 0;
}

void spn_too_large_judge(const spn_observation_t *obs, spn_diag_t *d)
{
    if (!obs->too_large)
        return;
    d->cause = SPN_C_TOKEN_TOO_LARGE;
    d->too_large = obs->too_large;
    d->field_size = obs->field_size;
    d->field_limit = obs->field_limit;
    d->field_partial = obs->field_partial;
    if (obs->too_large == SPN_TOO_LARGE_HERE) {
        /* Only the start of the field was read: no token to show. */
        spn_token_clear(&d->tok);
    }
}

void spn_size_field(const spn_diag_t *d, char *out, size_t n)
{
    if (!d->field_size)
        snprintf(out, n, "an unknown number of bytes");
    else if (d->field_partial)
        snprintf(out, n, "more than %zu bytes", d->field_size);
    else
        snprintf(out, n, "%zu bytes", d->field_size);
}

void spn_size_limit(const spn_diag_t *d, char *out, size_t n)
{
    if (d->field_limit)
        snprintf(out, n, "%zu bytes", d->field_limit);
    else
        snprintf(out, n, "the backend's limit (HTTP.sys: MaxFieldLength, MaxRequestBytes)");
}

/* spn_report.h: a decoded token as JSON or readable text */
#ifndef SPN_REPORT_H
#define SPN_REPORT_H
#include "spn_buf.h"
#include "spn_json.h"
#include "spn_token.h"
#include <string.h>

/* The token as one JSON value (an object) where w expects a value. */
void spn_token_json(spn_json_t *w, const spn_token_t *t);
void spn_token_text(spn_buf_t *b, const spn_token_t *t);

#endif

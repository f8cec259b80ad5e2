/* spn_report.h: a decoded token as JSON or readable text */
#ifndef SPN_REPORT_H
#define SPN_REPORT_H
#include "spn_buf.h"
#include "spn_token.h"
#include <string.h>

void spn_token_json(spn_buf_t *b, const spn_token_t *t);
void spn_token_text(spn_buf_t *b, const spn_token_t *t);

#endif

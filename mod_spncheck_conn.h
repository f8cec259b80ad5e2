/* mod_spncheck_conn.h: what one connection did (mod_spncheck_conn.c): the
 * client that got a tokenless 401 and gave up (issue 20). */
#ifndef MOD_SPNCHECK_CONN_H
#define MOD_SPNCHECK_CONN_H

#include "mod_spncheck_config.h"

/* A tokenless 401 was sent on r's connection in scope c, to a client of
 * this family and OS (spn_client.h).  Counts the first leg. */
void spncheck_conn_first_leg(request_rec *r, const spncheck_conf *c, int family, int os);
/* Whether r's connection wants to hear of a token (none yet, or it
 * vouched for its client long enough ago); then, if r carried a
 * Negotiate/NTLM token, spncheck_conn_token: the connection never counts
 * as gave up, and the token vouches for its client (address and
 * User-Agent) on its other connections. */
int spncheck_conn_wants_token(request_rec *r);
void spncheck_conn_token(request_rec *r);
void spncheck_conn_hooks(void);

#endif

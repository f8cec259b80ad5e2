/* spn_node.h: the node name (SPNCheckNodeName) that references carry, so
 * that behind a load balancer a reference says which node issued it.
 * A reference is "ABCD-EFGH@web01": nine characters of random id, '@',
 * the node.  The node is a short, non-secret tag: 1 to SPN_NODE_MAX
 * characters of [A-Za-z0-9._-], starting with a letter or digit (it lands
 * in URLs, log lines, Prometheus labels and pages unescaped-safe). */
#ifndef SPN_NODE_H
#define SPN_NODE_H

#include "spn_buf.h"

#include <stddef.h>

#define SPN_NODE_MAX 32
#define SPN_REF_ID_LEN 9        /* "ABCD-EFGH" */
#define SPN_REF_MAX (SPN_REF_ID_LEN + 1 + SPN_NODE_MAX)    /* without the NUL */

/* 1 when s is a node name by the grammar above. */
int spn_node_valid(const char *s);
/* The default node name from a host name: its first label, characters
 * outside the grammar dropped, at most SPN_NODE_MAX; "node" when nothing
 * is left.  Into out (n bytes, at least SPN_NODE_MAX + 1); returns out. */
char *spn_node_default(const char *hostname, char *out, size_t n);
/* The node part of a reference ("ID@node"): a pointer into ref past the
 * '@', or NULL when ref names no node or the part is no valid node name. */
const char *spn_ref_node(const char *ref);
/* 1 when ref (as asked, e.g. on ?ref=) names the record reference held:
 * equal, or ref is the bare id of held (a reference from before nodes). */
int spn_ref_matches(const char *held, const char *ref);

/* The answer of a status page asked for a reference it does not hold
 * (?ref=, 404): which node issued it, when the reference names another
 * node than this one; else that it is no longer held here.  HTML, or JSON
 * {"ref", "node", "this_node", "held": false} with json.  ref is the
 * client's: escaped, and its node named only when valid. */
void spn_ref_elsewhere(spn_buf_t *b, const char *ref, const char *this_node, int json);

#endif

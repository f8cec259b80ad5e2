/* test_node.c: references that name their node (issue 22, item 4) and the
 * fleet metrics (item 1): the node grammar and its default, a reference's
 * node, the store finding "ID@node" and a bare "ID", the answer for a
 * reference another node holds, spncheck_info{version,node} and
 * spncheck_keytab_kvno{spn} (configured SPNs only, once each). */
#include "tap.h"
#include "spn_node.h"
#include "spn_status.h"

#include <apr_general.h>
#include <stdlib.h>
#include <string.h>

static void test_grammar(void)
{
    char out[SPN_NODE_MAX + 1], longn[64];

    ok(spn_node_valid("web01") && spn_node_valid("w") && spn_node_valid("web-01.dc1_a") &&
       spn_node_valid("0a"), "node names: letters, digits, . _ -");
    memset(longn, 'a', sizeof(longn));
    longn[SPN_NODE_MAX] = '\0';
    ok(spn_node_valid(longn), "node name of %d characters: valid", SPN_NODE_MAX);
    longn[SPN_NODE_MAX] = 'a';
    longn[SPN_NODE_MAX + 1] = '\0';
    ok(!spn_node_valid(longn), "node name of %d characters: too long", SPN_NODE_MAX + 1);
    ok(!spn_node_valid("") && !spn_node_valid(NULL) && !spn_node_valid("-web") &&
       !spn_node_valid(".web") && !spn_node_valid("web 01") && !spn_node_valid("web@01") &&
       !spn_node_valid("web\"01") && !spn_node_valid("<b>") && !spn_node_valid("web/01") &&
       !spn_node_valid("caf\xc3\xa9"), "not node names: empty, leading - or ., space, @ \" < / , non-ASCII");
    is_str(spn_node_default("web01.example.com", out, sizeof(out)), "web01",
           "default: the host name's first label");
    is_str(spn_node_default("web01", out, sizeof(out)), "web01", "default: a short host name as it is");
    is_str(spn_node_default("-x y\xc3\xa9z.example", out, sizeof(out)), "xyz",
           "default: characters outside the grammar dropped");
    memset(longn, 'b', 63);
    longn[63] = '\0';
    ok(strlen(spn_node_default(longn, out, sizeof(out))) == SPN_NODE_MAX &&
       spn_node_valid(out), "default: a 63-character label cut to %d", SPN_NODE_MAX);
    is_str(spn_node_default("", out, sizeof(out)), "node", "default: no host name: node");
    is_str(spn_node_default(".example", out, sizeof(out)), "node", "default: empty first label: node");
    ok(spn_node_valid(spn_node_default("\xff\xfe", out, sizeof(out))), "default: always valid");
}

static void test_refs(void)
{
    is_str(spn_ref_node("ABCD-EFGH@web01"), "web01", "ref node: after the @");
    ok(spn_ref_node("ABCD-EFGH") == NULL, "ref node: none in a bare id");
    ok(spn_ref_node("ABCD-EFGH@<script>") == NULL, "ref node: an invalid node is none");
    ok(spn_ref_matches("ABCD-EFGH@web01", "ABCD-EFGH@web01"), "match: the whole reference");
    ok(spn_ref_matches("ABCD-EFGH@web01", "ABCD-EFGH"), "match: the bare id (as before nodes)");
    ok(!spn_ref_matches("ABCD-EFGH@web01", "ABCD-EFGH@web02"), "no match: another node's");
    ok(!spn_ref_matches("ABCD-EFGH@web01", "ABCD-EFG") && !spn_ref_matches("ABCD-EFGH@web01", "") &&
       !spn_ref_matches("ABCD-EFGH@web01", "ABCD-EFGH@"), "no match: a prefix, empty, a dangling @");
}

static spn_failure_t mk(const char *ref)
{
    spn_failure_t f;
    memset(&f, 0, sizeof(f));
    f.kvno = -1;
    snprintf(f.ref, sizeof(f.ref), "%s", ref);
    return f;
}

static void test_store(apr_pool_t *p)
{
    spn_store_t *s = spn_store_init(calloc(1, spn_store_size(4)), 4, 1000);
    spn_failure_t f;
    uint32_t sup;
    char huge[4096];
    spn_buf_t b;

    ok(sizeof(f.ref) > SPN_REF_MAX, "a record holds a reference with a %d-character node", SPN_NODE_MAX);
    f = mk("ABCD-EFGH@web01");
    spn_store_add(s, &f, &sup);
    f = mk("WXYZ-2345@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    spn_store_add(s, &f, &sup);
    ok(spn_store_find(s, "ABCD-EFGH@web01") != NULL, "find: ID@node");
    ok(spn_store_find(s, "ABCD-EFGH") != NULL, "find: the bare ID");
    ok(spn_store_find(s, "ABCD-EFGH@web02") == NULL, "find: not another node's");
    ok(spn_store_find(s, "WXYZ-2345@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") != NULL,
       "find: a reference with the longest node, whole");
    memset(huge, 'A', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    ok(spn_store_find(s, huge) == NULL && spn_store_find(s, NULL) == NULL, "find: too long, NULL: none");

    spn_buf_init(&b, p, 256);
    spn_ref_elsewhere(&b, "ABCD-EFGH@web02", "web01", 0);
    ok(strstr(b.s, "issued by node <strong>web02</strong>") != NULL &&
       strstr(b.s, "this is node <strong>web01</strong>") != NULL, "elsewhere: names the node that holds it");
    spn_buf_init(&b, p, 256);
    spn_ref_elsewhere(&b, "ABCD-EFGH@web02", "web01", 1);
    is_str(b.s, "{\"ref\":\"ABCD-EFGH@web02\",\"node\":\"web02\",\"this_node\":\"web01\",\"held\":false}\n",
           "elsewhere: JSON");
    spn_buf_init(&b, p, 256);
    spn_ref_elsewhere(&b, "ABCD-EFGH@web01", "web01", 0);
    ok(strstr(b.s, "not held by this node") != NULL && !strstr(b.s, "issued by"),
       "elsewhere: our own node's, no longer held");
    spn_buf_init(&b, p, 256);
    spn_ref_elsewhere(&b, "<x>@<script>alert(1)</script>", "web01", 0);
    ok(!strstr(b.s, "<script>") && !strstr(b.s, "<x>") && !strstr(b.s, "issued by"),
       "elsewhere: a hostile reference escaped, its node not named");
    spn_buf_init(&b, p, 256);
    spn_ref_elsewhere(&b, huge, "web01", 0);
    ok(b.len < 1024, "elsewhere: a 4 KiB reference shows only its start (%zu bytes)", b.len);
    free(s);
}

static void test_prom(apr_pool_t *p)
{
    static const char *const spns_a[] = {"HTTP/web.example.com@EXAMPLE.COM", "HTTP/WEB"};
    static const char *const spns_b[] = {"HTTP/web.example.com@EXAMPLE.COM", "HTTP/other.example.com"};
    spn_kt_entry_t ea[4], eb[1];
    spn_keytab_t ka, kb;
    spn_scope_t sc[2];
    spn_status_t st;
    spn_buf_t b;
    int i;

    memset(ea, 0, sizeof(ea));
    ea[0].name = "HTTP/web.example.com"; ea[0].kvno = 3;
    ea[1].name = "HTTP/web.example.com"; ea[1].kvno = 5;
    ea[2].name = "HTTP/web.example.com"; ea[2].kvno = 4;
    ea[3].name = "HTTP/WEB"; ea[3].kvno = 2;
    for (i = 0; i < 4; i++) {
        ea[i].principal = strcmp(ea[i].name, "HTTP/WEB") ? "HTTP/web.example.com@EXAMPLE.COM"
                                                         : "HTTP/WEB@EXAMPLE.COM";
        ea[i].realm = "EXAMPLE.COM";
        ea[i].enctype = 18;
        ea[i].dup_of = -1;
    }
    memset(&ka, 0, sizeof(ka));
    ka.n = 4; ka.e = ea;
    memset(eb, 0, sizeof(eb));
    eb[0].name = "HTTP/web.example.com"; eb[0].kvno = 4;
    eb[0].principal = "HTTP/web.example.com@EXAMPLE.COM"; eb[0].realm = "EXAMPLE.COM";
    eb[0].enctype = 18; eb[0].dup_of = -1;
    memset(&kb, 0, sizeof(kb));
    kb.n = 1; kb.e = eb;
    memset(sc, 0, sizeof(sc));
    sc[0].server = "web.example.com:443"; sc[0].svc.spns = spns_a; sc[0].svc.n_spns = 2;
    sc[0].svc.keytab = &ka;
    sc[1].server = "web.example.com:443"; sc[1].location = "/b";
    sc[1].svc.spns = spns_b; sc[1].svc.n_spns = 2; sc[1].svc.keytab = &kb;
    memset(&st, 0, sizeof(st));
    st.scopes = sc;
    st.n_scopes = 1;
    st.version = "mod_spncheck/0.2.0";
    st.node = "web01";
    spn_buf_init(&b, p, 4096);
    spn_status_prometheus(&b, p, &st);
    ok(strstr(b.s, "\nspncheck_info{version=\"0.2.0\",node=\"web01\"} 1\n") != NULL,
       "spncheck_info{version,node} 1");
    ok(strstr(b.s, "# TYPE spncheck_keytab_kvno gauge\n") != NULL, "spncheck_keytab_kvno: a gauge");
    ok(strstr(b.s, "\nspncheck_keytab_kvno{spn=\"HTTP/web.example.com@EXAMPLE.COM\"} 5\n") != NULL,
       "kvno: the newest the keytab holds for the SPN (realm aside)");
    ok(strstr(b.s, "\nspncheck_keytab_kvno{spn=\"HTTP/WEB\"} 2\n") != NULL, "kvno: the short form too");

    st.n_scopes = 2;                        /* a second scope, another keytab */
    spn_buf_init(&b, p, 4096);
    spn_status_prometheus(&b, p, &st);
    {
        const char *first = strstr(b.s, "spncheck_keytab_kvno{spn=\"HTTP/web.example.com@EXAMPLE.COM\"}");
        ok(first && !strstr(first + 1, "spncheck_keytab_kvno{spn=\"HTTP/web.example.com@EXAMPLE.COM\"}"),
           "kvno: an SPN two scopes configure appears once");
        ok(strstr(b.s, "spncheck_keytab_kvno{spn=\"HTTP/web.example.com@EXAMPLE.COM\"} 4\n") != NULL,
           "kvno: two keytabs disagree: the lower newest (a current ticket fails there)");
    }
    ok(strstr(b.s, "\nspncheck_keytab_kvno{spn=\"HTTP/other.example.com\"} 0\n") != NULL,
       "kvno: 0 for a configured SPN the keytab does not hold");
    kb.status = -1;
    spn_buf_init(&b, p, 4096);
    spn_status_prometheus(&b, p, &st);
    ok(strstr(b.s, "spncheck_keytab_kvno{spn=\"HTTP/web.example.com@EXAMPLE.COM\"} 0\n") != NULL,
       "kvno: an unreadable keytab reads 0");
    {
        int n = 0;
        const char *q = b.s;
        while ((q = strstr(q, "\nspncheck_keytab_kvno{")) != NULL) {
            n++;
            q++;
        }
        is_int(n, 3, "kvno: one sample per configured SPN, none else");
    }
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_grammar();
    test_refs();
    test_store(p);
    test_prom(p);
    apr_pool_destroy(p);
    apr_terminate();
    return tap_done();
}

/* test_json.c: the JSON writer (src/spn_json.c): nesting and commas,
 * escaping of hostile strings, nulls, the depth limit and misuse, each
 * document also checked by json_check.h. */
#include "spn_json.h"
#include "tap.h"
#include "json_check.h"

#include <apr_general.h>
#include <limits.h>

static apr_pool_t *pool;
static spn_buf_t b;
static spn_json_t w;

static spn_json_t *fresh(void)
{
    spn_buf_init(&b, pool, 16);
    spn_json_init(&w, &b);
    return &w;
}

/* The document is want, the writer is content (done) and it parses. */
#define is_doc(want, done_ok, ...) do {                                     \
        is_str(b.s, want, __VA_ARGS__);                                     \
        is_int(spn_json_done(&w), (done_ok) ? 0 : -1, "  ... writer %s",    \
               (done_ok) ? "done" : "reports misuse");                      \
        is_str(json_check(b.s, b.len), NULL, "  ... valid JSON");           \
    } while (0)

static void nesting(void)
{
    spn_json_t *j = fresh();
    spn_json_object(j);
    spn_json_end(j);
    is_doc("{}", 1, "empty object");

    j = fresh();
    spn_json_array(j);
    spn_json_end(j);
    is_doc("[]", 1, "empty array");

    j = fresh();
    spn_json_object(j);
    spn_json_kint(j, "a", 1);
    spn_json_key(j, "b");
    spn_json_array(j);
    spn_json_int(j, -2);
    spn_json_array(j);
    spn_json_end(j);
    spn_json_object(j);
    spn_json_kbool(j, "t", 1);
    spn_json_kbool(j, "f", 0);
    spn_json_end(j);
    spn_json_uint(j, 18446744073709551615ULL);
    spn_json_end(j);
    spn_json_key(j, "c");
    spn_json_object(j);
    spn_json_end(j);
    spn_json_knull(j, "d");
    spn_json_end(j);
    is_doc("{\"a\":1,\"b\":[-2,[],{\"t\":true,\"f\":false},18446744073709551615],\"c\":{},\"d\":null}",
           1, "nesting: commas between members and elements, none after openers");

    j = fresh();
    spn_json_array(j);
    spn_json_int(j, LLONG_MIN);
    spn_json_raw(j, "1.5", 3);
    spn_json_raw(j, "{\"x\":[1]}", 9);
    spn_json_str(j, "");
    spn_json_end(j);
    is_doc("[-9223372036854775808,1.5,{\"x\":[1]},\"\"]", 1,
           "ints at the limit, raw values take their comma; empty string stays a string");

    j = fresh();
    spn_json_int(j, 7);
    is_doc("7", 1, "a scalar as the whole document");
}

static void escaping(void)
{
    static const char hostile[] =
        "q\"b\\s/<x>\x01\x1f\x7f\t\n"       /* quote, backslash, '<', C0, DEL */
        "\xc3\xa9"                          /* U+00E9: kept */
        "\xe2\x80\xa8"                      /* U+2028: valid UTF-8, kept as is */
        "\xff\xc3"                          /* invalid byte, truncated sequence */
        "\xed\xa0\x80"                      /* a UTF-16 surrogate: 3 invalid bytes */
        "\xc0\xaf"                          /* overlong '/' */
        "\xf0\x9f\x98\x80";                 /* U+1F600: kept */
    spn_json_t *j = fresh();

    spn_json_strn(j, hostile, sizeof(hostile) - 1);
    is_doc("\"q\\\"b\\\\s/\\u003cx>\\u0001\\u001f\\u007f\\u0009\\u000a\xc3\xa9\xe2\x80\xa8"
           "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\xf0\x9f\x98\x80\"", 1,
           "hostile string: quote, backslash, <, controls escaped; invalid UTF-8 one "
           "U+FFFD per byte; valid UTF-8 (U+2028 too) kept");

    j = fresh();
    spn_json_strn(j, "a\0b", 3);
    is_doc("\"a\\u0000b\"", 1, "NUL inside a counted string escaped");

    j = fresh();
    spn_json_strn(j, "\xc3\xa9tail", 1);
    is_doc("\"\\ufffd\"", 1, "a sequence cut by the length is invalid, not read past n");

    j = fresh();
    spn_json_object(j);
    spn_json_kstr(j, "k\"\n\xff", "v");
    spn_json_end(j);
    is_doc("{\"k\\\"\\u000a\\ufffd\":\"v\"}", 1, "keys are escaped the same way");
}

static void nulls(void)
{
    spn_json_t *j = fresh();

    spn_json_array(j);
    spn_json_str(j, NULL);
    spn_json_strn(j, NULL, 5);
    spn_json_str_or_null(j, NULL);
    spn_json_str_or_null(j, "");
    spn_json_str_or_null(j, "x");
    spn_json_int_or_null(j, -1, 0);
    spn_json_int_or_null(j, -1, 1);
    spn_json_int_or_null(j, 0, 0);
    spn_json_null(j);
    spn_json_end(j);
    is_doc("[null,null,null,null,\"x\",null,-1,null,null]", 1,
           "NULL strings, empty-or-NULL strings and absent ints are null; present -1 is -1");

    j = fresh();
    spn_json_object(j);
    spn_json_kstr(j, "s", NULL);
    spn_json_kstr(j, "e", "");
    spn_json_kstr_or_null(j, "o", "");
    spn_json_kint_or_null(j, "kvno", -1, -1 >= 0);
    spn_json_end(j);
    is_doc("{\"s\":null,\"e\":\"\",\"o\":null,\"kvno\":null}", 1, "the same after keys");
}

static void limits(void)
{
    char want[256];
    spn_json_t *j = fresh();
    int i;

    for (i = 0; i < SPN_JSON_DEPTH; i++)
        spn_json_array(j);
    for (i = 0; i < SPN_JSON_DEPTH; i++)
        spn_json_end(j);
    memset(want, '[', SPN_JSON_DEPTH);
    memset(want + SPN_JSON_DEPTH, ']', SPN_JSON_DEPTH);
    want[2 * SPN_JSON_DEPTH] = '\0';
    is_doc(want, 1, "SPN_JSON_DEPTH (%d) levels are allowed", SPN_JSON_DEPTH);

    /* one past the limit: that container becomes null, its content and
     * everything nested in it is dropped, its end balances, and the
     * document goes on valid */
    j = fresh();
    for (i = 0; i < SPN_JSON_DEPTH; i++)
        spn_json_array(j);
    spn_json_int(j, 1);
    spn_json_object(j);                 /* too deep */
    spn_json_kstr(j, "dropped", "x");
    spn_json_array(j);
    spn_json_int(j, 2);
    spn_json_end(j);
    spn_json_end(j);                    /* the too-deep object's end */
    spn_json_int(j, 3);
    for (i = 0; i < SPN_JSON_DEPTH; i++)
        spn_json_end(j);
    memset(want, '[', SPN_JSON_DEPTH);
    snprintf(want + SPN_JSON_DEPTH, sizeof(want) - SPN_JSON_DEPTH, "1,null,3");
    memset(want + SPN_JSON_DEPTH + 8, ']', SPN_JSON_DEPTH);
    want[2 * SPN_JSON_DEPTH + 8] = '\0';
    is_doc(want, 0, "one level too deep: null in its place, content dropped, still valid");
    ok(w.error, "  ... error flag set");

    j = fresh();
    spn_json_object(j);
    spn_json_int(j, 1);                 /* no key: dropped */
    spn_json_kint(j, "a", 2);
    spn_json_key(j, "b");
    spn_json_key(j, "c");               /* key after key: dropped */
    spn_json_int(j, 3);
    spn_json_key(j, "d");               /* key without a value at the end */
    spn_json_end(j);
    spn_json_end(j);                    /* nothing open: ignored */
    spn_json_int(j, 4);                 /* second top-level value: dropped */
    is_doc("{\"a\":2,\"b\":3,\"d\":null}", 0,
           "misuse: value without key, key after key, dangling key, extra end, "
           "second document; output stays valid");

    j = fresh();
    spn_json_array(j);
    spn_json_key(j, "k");               /* a key in an array: dropped */
    spn_json_int(j, 1);
    spn_json_end(j);
    is_doc("[1]", 0, "a key inside an array is dropped");

    j = fresh();
    spn_json_object(j);
    is_int(spn_json_done(j), -1, "an open container: not done");
}

int main(int argc, const char *const *argv)
{
    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&pool, NULL);
    nesting();
    escaping();
    nulls();
    limits();
    ok(json_check("{\"a\":1,}", 8) != NULL && json_check("\"\x01\"", 3) != NULL &&
       json_check("\"\xff\"", 3) != NULL && json_check("[1] 2", 5) != NULL &&
       json_check("{\"a\":[true,null,-0,\"\\u00e9\"]}\n", 29) == NULL,
       "json_check itself: rejects a trailing comma, raw control, bad UTF-8, two values");
    apr_pool_destroy(pool);
    apr_terminate();
    return tap_done();
}

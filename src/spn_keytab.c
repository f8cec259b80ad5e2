/* spn_keytab.c: reading a keytab, with its keys (a snapshot for trials) or
 * without (an inventory), MIT krb5 API; trials in spn_trial.c */
#include <stdio.h>
#include "spn_trial.h"

#include <apr_strings.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static apr_status_t zero_keys(void *data)
{
    spn_keytab_t *kt = data;
    int i;
    for (i = 0; i < kt->n; i++)
        if (kt->e[i].key.contents)
            memset(kt->e[i].key.contents, 0, kt->e[i].key.length);
    return APR_SUCCESS;
}

/* AD keytabs repeat one key under every SPN of the account: such an
 * entry is tried once, as the first entry that holds the key. */
static void mark_duplicate(spn_keytab_t *kt, int i)
{
    spn_kt_entry_t *e = &kt->e[i];
    int j;

    e->dup_of = -1;
    for (j = 0; j < i; j++) {
        const spn_kt_entry_t *o = &kt->e[j];
        if (o->dup_of < 0 && o->enctype == e->enctype && o->key.length == e->key.length &&
            memcmp(o->key.contents, e->key.contents, e->key.length) == 0) {
            e->dup_of = j;
            return;
        }
    }
}

/* Why krb5 could not read the keytab name ("TYPE:residual"): for a FILE
 * keytab, what the file is. */
static int file_why(const char *name)
{
    struct stat st;
    int fd;

    if (strncmp(name, "FILE:", 5) != 0)
        return SPN_KT_OTHER;
    name += 5;
    if (stat(name, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? SPN_KT_MISSING
             : errno == EACCES ? SPN_KT_DENIED : SPN_KT_OTHER;
    if (!S_ISREG(st.st_mode))
        return SPN_KT_NOT_KEYTAB;
    if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == EACCES || errno == EPERM ? SPN_KT_DENIED : SPN_KT_OTHER;
    close(fd);
    return st.st_size == 0 ? SPN_KT_EMPTY_FILE : SPN_KT_NOT_KEYTAB;
}

static spn_keytab_t *read_keytab(apr_pool_t *p, krb5_context ctx, const char *path, int keys)
{
    spn_keytab_t *kt = apr_pcalloc(p, sizeof(*kt));
    krb5_keytab k = NULL;
    krb5_kt_cursor cur;
    krb5_keytab_entry ent;
    krb5_error_code rc;
    int cap = 16;
    const char *name;

    kt->path = path;
    kt->status = -1;
    if (!path || !*path) {
        kt->why = SPN_KT_UNSET;
        apr_cpystrn(kt->error, "no keytab configured", sizeof(kt->error));
        return kt;
    }
    name = strchr(path, ':') ? path : apr_pstrcat(p, "FILE:", path, NULL);
    if ((rc = krb5_kt_resolve(ctx, name, &k)) != 0 ||
        (rc = krb5_kt_start_seq_get(ctx, k, &cur)) != 0) {
        const char *m = krb5_get_error_message(ctx, rc);
        snprintf(kt->error, sizeof(kt->error), "%s", m);
        krb5_free_error_message(ctx, m);
        if (k)
            krb5_kt_close(ctx, k);
        kt->why = file_why(name);
        return kt;
    }
    kt->e = apr_pcalloc(p, sizeof(*kt->e) * cap);
    if (keys)
        apr_pool_cleanup_register(p, kt, zero_keys, apr_pool_cleanup_null);
    while (kt->n < SPN_KT_ENTRIES_MAX && krb5_kt_next_entry(ctx, k, &ent, &cur) == 0) {
        spn_kt_entry_t *e;
        char *s = NULL;
        if (kt->n == cap) {
            spn_kt_entry_t *ne = apr_pcalloc(p, sizeof(*ne) * cap * 2);
            memcpy(ne, kt->e, sizeof(*ne) * cap);
            kt->e = ne;
            cap *= 2;
        }
        e = &kt->e[kt->n++];
        if (krb5_unparse_name(ctx, ent.principal, &s) == 0) {
            e->principal = apr_pstrdup(p, s);
            krb5_free_unparsed_name(ctx, s);
        }
        else {
            e->principal = "?";
        }
        {
            char *at = strrchr(e->principal, '@');
            e->name = at ? apr_pstrmemdup(p, e->principal, (apr_size_t)(at - e->principal))
                         : e->principal;
            e->realm = at ? at + 1 : "";
        }
        e->kvno = (int)ent.vno;
        e->enctype = ent.key.enctype;
        e->timestamp = (long)ent.timestamp;
        e->dup_of = -1;
        if (keys) {
            e->key.magic = ent.key.magic;
            e->key.enctype = ent.key.enctype;
            e->key.length = ent.key.length;
            e->key.contents = apr_pmemdup(p, ent.key.contents, ent.key.length);
        }
        krb5_free_keytab_entry_contents(ctx, &ent);   /* zeroes the library copy */
        if (keys)
            mark_duplicate(kt, kt->n - 1);
    }
    krb5_kt_end_seq_get(ctx, k, &cur);
    krb5_kt_close(ctx, k);
    kt->status = 0;
    if (keys)
        spn_trial_setup(p, kt);
    return kt;
}

spn_keytab_t *spn_keytab_load(apr_pool_t *p, krb5_context ctx, const char *path)
{
    return read_keytab(p, ctx, path, 1);
}

spn_keytab_t *spn_keytab_inventory(apr_pool_t *p, krb5_context ctx, const char *path)
{
    return read_keytab(p, ctx, path, 0);
}

/* mod_spncheck_explain.c: one failed exchange explained.  Takes a
 * reference on the keytab snapshot (mod_spncheck_keytab.c: keys, trial
 * state), diagnoses and renders outside any lock, adds the directory's
 * facts (held by mod_spncheck_dir.c, never a lookup here), then drops the
 * reference. */
#include "mod_spncheck_config.h"
#include "mod_spncheck_explain.h"
#include "mod_spncheck_dir.h"
#include "mod_spncheck_keytab.h"

#include "apr_strings.h"

#include "spn_render.h"

int spncheck_explain_page(request_rec *r, const char *path, spn_service_t *svc,
                          const spn_observation_t *obs, spn_diag_t *d, spn_buf_t *log,
                          spn_buf_t *page, int detail, const char *ref)
{
    spncheck_snap *sn = NULL;

    if (!spncheck_keytab_ready())
        return DECLINED;
    if (path) {
        sn = spncheck_keytab_acquire(r->server, path);
        svc->keytab = spncheck_snap_keytab(sn);
    }
    spn_diagnose(r->pool, spncheck_krb5(), svc, obs, d);
    spncheck_dir_note(r, svc, d, obs->host);     /* facts held, never a lookup */
    spn_buf_init(log, r->pool, 512);
    spn_diag_logline_fix(log, d, svc);
    spn_render_page(page, d, svc, detail, ref);
    if (sn) {
        /* d points into the snapshot: copy what outlives it */
        if (d->fit_principal)
            d->fit_principal = apr_pstrdup(r->pool, d->fit_principal);
        if (d->expected_realm)
            d->expected_realm = apr_pstrdup(r->pool, d->expected_realm);
        svc->keytab = NULL;
        spncheck_keytab_release(sn);
    }
    return OK;
}

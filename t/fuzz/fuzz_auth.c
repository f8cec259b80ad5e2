/* fuzz_auth.c: libFuzzer entry for what the session key opens: the
 * input is an Authenticator's plaintext for spn_auth_parse (spn_auth.c),
 * and also tried as a certificate (PEM, DER) for spn_cbt.c.  Invariants
 * are checked here (an overrun inside the struct is invisible to ASan). */
#include "spn_auth.h"
#include "spn_cbt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_auth: %s\n", why);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spn_auth_t a;
    spn_cbt_t cb;
    char fl[256];
    size_t i;
    int rc = spn_auth_parse(data, size, &a);
    int zero = 1;

    if (rc != 0 && rc != -1)
        fail("return value");
    if (rc == -1 && a.parsed)
        fail("refused but parsed");
    if (!memchr(a.cname, '\0', sizeof(a.cname)))
        fail("cname not terminated");
    for (i = 0; a.cname[i]; i++)
        if ((unsigned char)a.cname[i] < 0x20 || a.cname[i] == 0x7f)
            fail("control character in cname");
    if (a.cusec < -1 || a.cusec > 999999)
        fail("cusec out of range");
    if (a.gss_cksum && (!a.have_cksum || a.cksum_type != SPN_CKSUM_GSS))
        fail("GSS checksum without its type");
    for (i = 0; i < 16; i++)
        zero &= a.bnd[i] == 0;
    if (a.gss_cksum && a.bnd_zero != zero)
        fail("bnd_zero disagrees with Bnd");
    if (!a.gss_cksum && (a.bnd_zero || !zero || a.gss_flags))
        fail("binding facts without a GSS checksum");
    if (a.cbt_option && (!a.have_ap_options || !(a.ap_options & SPN_KERB_AP_OPTIONS_CBT)))
        fail("CBT option without AP options");
    if (a.n_ad < 0 || a.n_ad > SPN_AUTH_AD_MAX)
        fail("AD count out of range");
    if (a.subkey_etype < 0)
        fail("negative subkey enctype");
    spn_auth_flags_str(a.gss_flags, fl, sizeof(fl));
    if (!memchr(fl, '\0', sizeof(fl)))
        fail("flags string not terminated");
    /* as a certificate */
    if (spn_cbt_from_der(data, size, &cb) == 0 && (!cb.ok || !cb.hash_len || cb.hash_len > 64))
        fail("DER binding without a hash");
    if (spn_cbt_from_pem((const char *)data, size, &cb) == 0 && (!cb.ok || !cb.hash_len))
        fail("PEM binding without a hash");
    if (!cb.ok && !memchr(cb.error, '\0', sizeof(cb.error)))
        fail("error not terminated");
    return 0;
}

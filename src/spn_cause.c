/* spn_cause.c: the one table of causes and remedies.  Codes are a
 * public contract (README); add, never renumber or rename. */
#include "spn_cause.h"

#include <string.h>

#define SETSPN_BOTH \
    "setspn -S HTTP/{netbios} {account}", \
    "setspn -S HTTP/{fqdn} {account}"

const spn_cause_info_t spn_causes[SPN_C_COUNT] = {
    [SPN_C_NTLM_FALLBACK] = {
        "ntlm-fallback", "The browser fell back to NTLM",
        "The client sent NTLM instead of a Kerberos ticket for {spn}. Windows does this "
        "when it could not get a ticket for that SPN: most often the KDC does not know "
        "{spn} at all, or the site is not trusted for Kerberos.",
        "Make sure you are signed in to the domain and that this site is in the Local "
        "intranet zone (or your browser's Negotiate allowlist), then close the browser and "
        "try again. If it persists, give the reference below to your administrator.",
        {"?iphost the site was reached by an IP address ({spn}): browsers do not ask "
         "Kerberos tickets for IP addresses; use the host name",
         "?held the directory says {holder} holds {spn}, so the KDC would issue a ticket: "
         "the client did not ask for one. The site is not in the Local intranet zone "
         "(or the browser's Negotiate allowlist)",
         "?held the client cannot reach a domain controller, or is not domain-joined",
         "?nodir no account holds the SPN {spn} (or HTTP/{netbios}): the KDC answered "
         "KDC_ERR_S_PRINCIPAL_UNKNOWN and the client fell back",
         "?nodir the site is reached by a name (IP address, CNAME, port) for which no SPN exists",
         "?nodir the client cannot reach a domain controller, or is not domain-joined"},
        {"?nodir setspn -Q {spn}", "?nodir setspn -Q HTTP/{netbios}", "?nodir setspn -S HTTP/{netbios} {account}",
         "?nodir setspn -S HTTP/{fqdn} {account}",
         "?held on the client: add https://{fqdn} to the Local intranet zone (or "
         "AuthServerAllowlist), then close the browser",
         "?held on the client: nltest /dsgetdc:   (a domain controller answers)",
         "klist purge   (on the client, then retry)"}},
    [SPN_C_SPN_UNKNOWN] = {
        "spn-unknown", "Ticket for a name this service does not answer to",
        "The ticket is for {spn}, which is neither configured (SPNCheckServicePrincipal) "
        "nor held in the service keytab. The client reached this server under another "
        "name: an alias, a CNAME it resolved, another host, or a name with a port.",
        "Use the site's official address. If that is what you used, give the reference "
        "below to your administrator.",
        {"the client used an alias or CNAME; browsers ask for the SPN of the name they "
         "resolved", "the SPN {spn} belongs to another host or service",
         "a port in the SPN (browser option) that was not registered"},
        {"setspn -Q {spn}", "setspn -S {spn} {account}   (if this service should answer to it)",
         "add it to the keytab and to SPNCheckServicePrincipal",
         "or point users at HTTP/{fqdn}, the name that is registered"}},
    [SPN_C_SPN_WRONG_ACCOUNT] = {
        "spn-wrong-account", "The SPN is registered on another account",
        "The ticket is for {spn}, which this service expects, but no key of the service "
        "account decrypts it. The KDC encrypted it for a different account: the SPN is "
        "registered on another account (often the computer account) than the one the "
        "service runs as.",
        "This is a server configuration problem, not yours. Give the reference below to "
        "your administrator.",
        {"?mapped no account holds {spn}, so the KDC answered it through {via}, held by the "
         "{holder_kind} account {holder}, and sPNMappings (http is an alias of host): the "
         "ticket is sealed with {holder}'s key, not {account}'s (Microsoft KB1077)",
         "?direct the directory says {spn} is registered on the {holder_kind} account "
         "{holder}, not on {account}",
         "?nodir HTTP/{fqdn} is registered on the computer account, but the app pool runs as "
         "{account} (Microsoft KB1077)",
         "?nodir the SPN was moved to another account and the keytab was not regenerated",
         "?nodir the keytab was made with a password that is not the account's"},
        {"?nodir setspn -Q {spn}   (shows the account that holds it now)",
         "?nodir setspn -D {spn} <that account>",
         "?direct setspn -D {via} {holder}",
         "?mapped (nothing to remove: {via} stays on {holder}; an HTTP/ SPN on {account} takes "
         "precedence over the sPNMappings path)",
         SETSPN_BOTH, "setspn -X   (no duplicates left)",
         "setspn -L {account}   (both forms listed)",
         "regenerate the keytab: ktpass -princ {spn}@{realm} -mapuser {account} "
         "-crypto AES256-SHA1 -ptype KRB5_NT_PRINCIPAL -pass * -out {keytab}",
         "klist purge   (on the client), and on IIS 7+: kernel-mode authentication with "
         "useAppPoolCredentials=true"}},
    [SPN_C_KVNO_MISMATCH] = {
        "kvno-mismatch", "The keytab is out of date",
        "The ticket carries key version {tkt_kvno}; the keytab holds {spn} only under "
        "version(s) {kt_kvnos}. The account's password (and so its key) changed after the "
        "keytab was made, or another account now holds the SPN.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?held the directory says {holder} holds {spn} and its current kvno is {dir_kvno}: "
         "its password changed after the keytab (kvno {kt_kvnos}) was made",
         "?nodir the account's password was reset (or its key rotated) after the keytab export",
         "?nodir the SPN moved to another account whose kvno happens to be {tkt_kvno}"},
        {"?nodir setspn -Q {spn}   (if the owner is not {account}, the SPN moved: see spn-wrong-account)",
         "regenerate the keytab for {account}: ktpass -princ {spn}@{realm} -mapuser {account} "
         "-crypto AES256-SHA1 -ptype KRB5_NT_PRINCIPAL -pass * -out {keytab}",
         "or: msktutil --update --keytab {keytab}",
         "klist -k -t -e {keytab}   (check the new kvno is {tkt_kvno})",
         "?held kvno {spn}   (on a client: AD's kvno is {dir_kvno})"}},
    [SPN_C_ENCTYPE_MISMATCH] = {
        "enctype-mismatch", "No key of the ticket's encryption type",
        "The ticket is encrypted with {etype}, and the keytab has no key of that type for "
        "{spn}.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?held msDS-SupportedEncryptionTypes of {holder} is {dir_enctypes}, and the keytab "
         "holds no key of those types",
         "?nodir the keytab was exported with fewer encryption types than the account supports",
         "?nodir msDS-SupportedEncryptionTypes on the account does not match the keytab"},
        {"klist -k -t -e {keytab}",
         "ktpass -princ {spn}@{realm} -mapuser {account} -crypto ALL -ptype "
         "KRB5_NT_PRINCIPAL -pass * -out {keytab}",
         "or align msDS-SupportedEncryptionTypes of {account} with the keytab",
         "?held Get-ADUser {holder_sam} -Properties msDS-SupportedEncryptionTypes   (now "
         "{dir_enctypes})"}},
    [SPN_C_REALM_MISMATCH] = {
        "realm-mismatch", "Ticket from another realm",
        "The ticket was issued by realm {client_realm}, but this service belongs to "
        "{realm}.",
        "You may be signed in to another domain. Sign in with an account of this "
        "organisation, or give the reference below to your administrator.",
        {"the client's domain_realm mapping sends this host name to another realm",
         "a trust between the realms is missing, so the client got a ticket from its own realm",
         "the same SPN exists in two realms"},
        {"on the client: check [domain_realm] / the DNS suffix of {fqdn}",
         "setspn -Q {spn}   (in both domains)"}},
    [SPN_C_CLOCK_SKEW] = {
        "clock-skew", "Clocks disagree",
        "The client's clock differs from this server's by more than Kerberos allows "
        "(5 minutes by default): its authenticator is {skew} of this server's clock.",
        "Check your computer's clock and time zone, then try again.",
        {"the server or the client does not sync time with the domain"},
        {"w32tm /resync   (on the client)", "timedatectl; chronyc tracking   (on this server)"}},
    [SPN_C_TICKET_EXPIRED] = {
        "ticket-expired", "The ticket has expired",
        "The client presented a service ticket that ended at {endtime}, longer ago than "
        "the clock skew Kerberos allows.",
        "Lock and unlock your computer, or sign out and in again, then retry.",
        {"the client's ticket cache holds an old ticket", "clocks disagree"},
        {"klist purge   (on the client)"}},
    [SPN_C_REPLAY] = {
        "replay", "The same ticket was presented twice",
        "The server's replay cache has already seen this authenticator.",
        "Reload the page. If it persists, give the reference below to your administrator.",
        {"a proxy or load balancer retried the request",
         "the replay cache directory is shared or unwritable"},
        {"check the replay cache (KRB5RCACHEDIR) is private and writable by the httpd user"}},
    [SPN_C_MALFORMED] = {
        "malformed-token", "The browser sent a token that cannot be read",
        "The Authorization header does not hold a well-formed Negotiate/NTLM token.",
        "Try another browser. If it persists, give the reference below to your "
        "administrator.",
        {"a proxy or header size limit truncated the header (LimitRequestFieldSize)",
         "a broken or hostile client"},
        {"compare LimitRequestFieldSize with the token size; large group memberships make "
         "big tickets"}},
    [SPN_C_UNSUPPORTED_MECH] = {
        "unsupported-mech", "The browser offered a mechanism this server does not accept",
        "The client sent a token for a mechanism other than Kerberos with a service ticket "
        "(for example NEGOEX, IAKERB, or Kerberos user-to-user, which asks for the "
        "server's TGT instead of presenting a ticket for HTTP/{fqdn}).",
        "Give the reference below to your administrator.",
        {"the client could not get a Kerberos ticket and tried another mechanism",
         "user-to-user (mechanism krb5-u2u): the KDC answered KDC_ERR_MUST_USE_USER2USER, "
         "because the account that holds HTTP/{fqdn} has no long-term key"},
        {"setspn -Q HTTP/{fqdn}"}},
    [SPN_C_NO_SERVICE_KEY] = {
        "no-service-key", "The service has no usable key",
        "The configured keytab {keytab} is missing, unreadable or empty, so no ticket can "
        "be checked (nor accepted).",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"wrong SPNCheckKeytab / GssapiCredStore path",
         "the keytab is not readable by the httpd user", "the keytab is empty"},
        {"klist -k -t -e {keytab}", "chown root:www-data {keytab}; chmod 640 {keytab}"}},
    [SPN_C_TICKET_OK] = {
        "ticket-ok", "The Kerberos ticket is fine",
        "The ticket decrypts with the service key: the SPN and keytab are right. The "
        "failure happened after Kerberos: authorization (Require), the account, or the "
        "authentication module's settings.",
        "You are not allowed to see this page with this account. Ask your administrator "
        "for access.",
        {"the user is authenticated but not authorized (Require user/group)",
         "the authentication module rejected the context for another reason"},
        {"check the Require lines for this location, and the error log for the reference"}},
    [SPN_C_BACKEND_KERNEL_MODE] = {
        "backend-kernel-mode", "The backend decrypts with another key",
        "The ticket for {spn} decrypts with the application pool account's key "
        "({keytab}), yet the backend server rejected it. IIS with kernel-mode "
        "authentication decrypts tickets with the computer account's key unless told to "
        "use the application pool identity.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"IIS kernel-mode authentication is on and useAppPoolCredentials is false, while "
         "the SPN is registered on the app pool account {account}",
         "the backend runs under another account than {account}"},
        {"%windir%\\system32\\inetsrv\\appcmd.exe set config \"Default Web Site\" "
         "-section:system.webServer/security/authentication/windowsAuthentication "
         "/useAppPoolCredentials:true /commit:apphost",
         "(or turn kernel-mode authentication off for the site, or register the SPN on the "
         "computer account: setspn -S HTTP/{fqdn} <DOMAIN>\\<COMPUTER>$)",
         "iisreset"}},
    [SPN_C_SPN_NOT_REGISTERED] = {
        "spn-not-registered", "No account holds this SPN",
        "The KDC does not know {spn} (KDC_ERR_S_PRINCIPAL_UNKNOWN): it is registered on no "
        "account. Windows clients get no ticket and fall back to NTLM.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?dir the directory says no account holds {spn} (checked {dir_checked})",
         "the SPN was never registered, or was removed with setspn -D",
         "only the other name form (NetBIOS or FQDN) is registered"},
        {"?dir setspn -S {spn} {account}", "?nodir setspn -S HTTP/{netbios} {account}",
         "?nodir setspn -S HTTP/{fqdn} {account}", "setspn -L {account}   (check)"}},
    [SPN_C_SPN_DUPLICATE] = {
        "spn-duplicate", "The SPN is registered on more than one account",
        "The KDC refused to issue a ticket for {spn} (KDC_ERR_PRINCIPAL_NOT_UNIQUE): two "
        "accounts hold it, so no client can get a ticket for it.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?dup the directory says {holders} all hold {spn}",
         "setspn -A added the SPN to a second account (setspn -S would have refused)"},
        {"setspn -X   (lists duplicates)", "?nodir setspn -Q {spn}",
         "?nodir setspn -D {spn} <DOMAIN>\\<the other account>",
         "?dup setspn -D {spn} {other}",
         "setspn -S {spn} {account}"}},
    [SPN_C_UNKNOWN] = {
        "unknown", "Authentication failed for a reason we could not determine",
        "The exchange failed, and the facts below do not point at one cause.",
        "Give the reference below to your administrator.",
        {"see the error log line with this reference"},
        {"setspn -Q HTTP/{fqdn}", "klist -k -t -e {keytab}"}},
    [SPN_C_KEYTAB_STALE] = {
        "keytab-stale", "The service account holds the SPN, but the keytab is stale",
        "The directory says {holder} holds {spn}, the account the ticket was issued for, "
        "but no key in the service keytab decrypts it. The account's password changed after "
        "the keytab was made, or the keytab was made with another password.",
        "This is a server configuration problem, not yours. Give the reference below to "
        "your administrator.",
        {"?stale the keytab is stale: AD's kvno for {holder} is {dir_kvno}, the keytab holds "
         "{spn} only up to kvno {kt_max}; the password changed after the keytab was made",
         "?samekvno the keytab was made with another password: AD's kvno for {holder} is "
         "{dir_kvno}, the keytab's is {kt_max} too, yet its key does not decrypt",
         "?nodir the account's password was changed (or reset) and the keytab was not regenerated",
         "?nodir the keytab was exported with ktpass using another password (ktpass +rndPass or a "
         "typo resets the account's key)",
         "two servers export keytabs for one account, and each export changes the key"},
        {"klist -k -t -e {keytab}   (the kvnos the keytab holds)",
         "regenerate the keytab for {account} and {spn}: ktpass -princ {spn}@{realm} -mapuser "
         "{account} -crypto AES256-SHA1 -ptype KRB5_NT_PRINCIPAL -pass * -out {keytab}",
         "or: msktutil --update --keytab {keytab}",
         "then reload httpd (apachectl -k graceful)"}},
    [SPN_C_BACKEND_CHANNEL_BINDING] = {
        "backend-channel-binding", "The backend requires channel binding to its own TLS",
        "The backend answered 401 to a ticket for {spn} that this proxy's copy of the service "
        "key ({keytab}) decrypts, so the SPN and the key are right. The client bound its token "
        "to the TLS connection it had with this proxy: the channel binding in its "
        "authenticator is the tls-server-end-point hash of this proxy's certificate (RFC "
        "5929), shown below. The backend (IIS or Exchange with Extended Protection) compares "
        "it with its own TLS channel, which has another certificate or none, and so rejects "
        "every login with a bare 401.",
        "This is a server configuration problem, not yours. Give the reference below to "
        "your administrator.",
        {"TLS is terminated on this proxy (offloading) in front of a backend with Extended "
         "Protection: SSL offloading cannot work with it",
         "TLS is re-encrypted to the backend (bridging) with a certificate other than this "
         "proxy's",
         "an intercepting proxy or endpoint security product on the client decrypts TLS "
         "with its own certificate"},
        {"pass TLS through to the backend (no TLS termination here), or",
         "serve the same certificate (and key) on this proxy and on the backend, and "
         "re-encrypt to the backend over TLS (SSL bridging); or",
         "on the backend, lower the check: %windir%\\system32\\inetsrv\\appcmd.exe set config "
         "\"Default Web Site\" -section:system.webServer/security/authentication/"
         "windowsAuthentication /extendedProtection.tokenChecking:Allow /commit:apphost   "
         "(\"Allow\" accepts a client that binds no channel but may still reject one bound "
         "to another; \"None\" turns the check off)",
         "Exchange: Microsoft supports Extended Protection with SSL bridging that uses the same "
         "certificate on the load balancer or proxy and on Exchange, or with pass-through; SSL "
         "offloading is not supported, and tokenChecking should stay as "
         "ExchangeExtendedProtectionManagement.ps1 set it",
         "iisreset"}},
    [SPN_C_TOKEN_TOO_LARGE] = {
        "token-too-large", "Your sign-in token is too large for the server",
        "The browser's Authorization header ({field_size}) is larger than {field_where} "
        "accepts ({field_limit}), so the request was refused with 400 Bad Request before "
        "any authentication ran. Kerberos tickets carry the user's group memberships (the "
        "PAC), so a user in many groups sends a large token; Microsoft documents this as "
        "\"HTTP 400 Bad Request (Request Header too long)\".",
        "Your sign-in token ({field_size}) is larger than this server accepts "
        "({field_limit}). This is a server configuration problem, not yours: give the "
        "reference below to your administrator.",
        {"the user is a member of many groups (directly or nested), so the ticket's PAC is "
         "large: Microsoft's estimate is 1200 + 40 bytes per domain-local or universal group "
         "(or SID history entry) + 8 per global group, and base64 adds a third",
         "a proxy or server on the way has a header limit below Windows' MaxTokenSize "
         "(48000 bytes, so up to 64 KiB of base64)"},
        {"LimitRequestFieldSize 65536   (this httpd: in the main server or the first "
         "virtual host of the address, which applies before the Host is known)",
         "on IIS (HTTP.sys): reg add HKLM\\System\\CurrentControlSet\\Services\\HTTP\\Parameters "
         "/v MaxFieldLength /t REG_DWORD /d 65534 /f",
         "reg add HKLM\\System\\CurrentControlSet\\Services\\HTTP\\Parameters "
         "/v MaxRequestBytes /t REG_DWORD /d 16777216 /f   (then restart HTTP.sys or reboot)",
         "or shrink the token: fewer (nested) groups for the user, no SID history",
         "whoami /groups   (on the client: how many groups the user carries)"}},
};

const char *spn_cause_code(spn_cause_t c)
{
    return (unsigned)c < SPN_C_COUNT ? spn_causes[c].code : "unknown";
}

int spn_cause_from_code(const char *code)
{
    int i;
    for (i = 0; i < SPN_C_COUNT; i++)
        if (strcmp(spn_causes[i].code, code) == 0)
            return i;
    return -1;
}

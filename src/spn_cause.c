/* spn_cause.c: the one table of causes and remedies.  Codes are a
 * public contract (docs/runbooks.md, "Cause codes"); add, never renumber or rename. */
#include "spn_cause.h"
#include "spn_fix.h"

#include <string.h>

/* Fix lines (spn_fix.h): a step for a place, or a note, each kept when its
 * conditions hold (spn_fix_cond: the directory's nodir dir held dup mapped
 * direct stale samekvno iphost, and proxied iis decrypts intab account
 * keytab group dirkvno acctkvno rc4kt aestkt etunset user computer service
 * ours admin ktother short backend400 trusted, and a token's error: cut notb64
 * notoken) and every value it names passes
 * its grammar: {spn} the SPN asked for, {spn_short} {spn_long} its two name
 * forms, {host} {netbios} {fqdn}, {account} {account_sam} the service
 * account, {holder} {holder_sam} {via} {other} the directory's, {realm}
 * {client_realm}, {keytab} {ktfile} (its file name, for ktpass -out),
 * {crypto} (ktpass's name of the ticket's enctype; AES256-SHA1 without one),
 * {group} (httpd's), {tkt_kvno} {acct_kvno} {dir_kvno} {kt_kvnos} {etype}. */
#define DC(w, why, ...) {w, SPN_FIX_DC, why, {__VA_ARGS__, NULL}}
#define SERVER(w, why, ...) {w, SPN_FIX_SERVER, why, {__VA_ARGS__, NULL}}
#define CLIENT(w, why, ...) {w, SPN_FIX_CLIENT, why, {__VA_ARGS__, NULL}}
#define NOTE(w, text) {w, SPN_FIX_NOTE, text, {NULL}}

/* Both name forms on the service account (Microsoft KB1077). */
#define REGISTER(w) \
    DC("account " w, "register the short name on {account}, the account the service " \
       "runs as (setspn -S refuses it if another account holds it)", \
       "setspn", "-S", "{spn_short}", "{account}"), \
    DC("account " w, "and the fully qualified name: a browser asks for either", \
       "setspn", "-S", "{spn_long}", "{account}")

/* A name this virtual host does not answer to: the admin's view says what
 * to add; the user's page never proposes a command for it. */
#define NOT_OURS \
    NOTE("!ours", "{spn} names a host this site does not answer to (not its ServerName, a " \
         "ServerAlias, or a configured SPN; a wildcard ServerAlias names no host)."), \
    NOTE("!ours admin", "If this site should answer to {host}: add the line ServerAlias " \
         "{host} to its virtual host, {spn} to SPNCheckServicePrincipal and the keytab, " \
         "and register it with setspn -S on {account}; or point users at a name it has.")

/* The service account's keys for {spn} into a new keytab, installed where
 * httpd reads it.  ktpass -out takes a file name on Windows; the server
 * steps run where that file was copied.  ktpass -pass * resets the
 * account's password unless -setpass (with the current one typed, and
 * AD's kvno): Microsoft's ktpass reference, "-setpass" and "-setupn". */
#define KEYTAB(w) \
    DC("trusted account keytab acctkvno " w, "make {ktfile} with {account}'s current key for {spn}, " \
       "keeping its password: type {account}'s current password at the prompt (AD's kvno " \
       "is {acct_kvno})", "ktpass", "-out", "{ktfile}", "-princ", "{spn}@{realm}", \
       "-mapuser", "{account}", "-crypto", "{crypto}", "-ptype", "KRB5_NT_PRINCIPAL", \
       "-pass", "*", "-setpass", "-setupn", "-kvno", "{acct_kvno}"), \
    NOTE("trusted account keytab acctkvno " w, "Without -setpass, ktpass would set the password you " \
         "type as {account}'s new one: every other keytab of {account} would go stale."), \
    DC("trusted account keytab !acctkvno " w, "make {ktfile} with a key for {spn}; this RESETS " \
       "{account}'s password to the one you type: every other keytab of {account} goes " \
       "stale, and whatever logs on as {account} (an IIS application pool) needs the new " \
       "password", "ktpass", "-out", "{ktfile}", "-princ", "{spn}@{realm}", "-mapuser", \
       "{account}", "-crypto", "{crypto}", "-ptype", "KRB5_NT_PRINCIPAL", "-pass", "*"), \
    NOTE("trusted account keytab !acctkvno " w, "To keep {account}'s password instead, read its " \
         "msDS-KeyVersionNumber and run ktpass with -setpass -setupn -kvno and that number, " \
         "typing the current password."), \
    NOTE("trusted account keytab " w, "On a Samba AD DC, samba-tool domain exportkeytab {ktfile} " \
         "--principal={account_sam}@{realm} exports {account}'s current keys without a " \
         "password change."), \
    NOTE("trusted account keytab " w, "Copy {ktfile} from Windows to this server (scp, for " \
         "example), and run the server steps in the directory that holds it."), \
    SERVER("trusted account keytab group " w, "install it where mod_auth_gssapi and SPNCheckKeytab " \
           "read it, readable by httpd's group only", "install", "-o", "root", "-g", \
           "{group}", "-m", "0640", "{ktfile}", "{keytab}"), \
    SERVER("trusted account keytab !group " w, "install it where mod_auth_gssapi and SPNCheckKeytab " \
           "read it (then let the group httpd runs as read it)", "install", "-o", "root", \
           "-m", "0640", "{ktfile}", "{keytab}"), \
    NOTE("trusted account keytab ktother " w, "{keytab} holds keys of other principals too, and " \
         "install replaces it: merge the files with ktutil (rkt each, then wkt) if those " \
         "keys are still needed."), \
    SERVER("trusted account keytab " w, "check: the kvno and enctypes it holds now", "klist", "-k", \
           "-t", "-e", "{keytab}"), \
    SERVER("trusted account keytab " w, "reload httpd, so that every child reads the new keytab", \
           "apachectl", "-k", "graceful"), \
    NOTE("!trusted " w, "This failure alone does not prove the keytab stale: no key opens the " \
         "ticket, and no directory says whose key sealed it (anyone can send such a ticket). " \
         "Check who holds {spn} (setspn -Q) and what the keytab holds (klist -k -t -e), then " \
         "export the keytab again if it is stale.")

/* IIS kernel-mode authentication decrypts with the computer account's key
 * unless told to use the application pool's (appcmd, server-wide). */
#define IIS_APPPOOL(w) \
    DC(w, "on the IIS server (elevated): kernel-mode authentication uses the application " \
       "pool account's key", "C:\\Windows\\System32\\inetsrv\\appcmd.exe", "set", "config", \
       "-section:system.webServer/security/authentication/windowsAuthentication", \
       "/useAppPoolCredentials:true", "/commit:apphost"), \
    DC(w, "on the IIS server: restart IIS", "iisreset")

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
        {
        DC("nodir ours", "find the account that holds {spn}; no answer means that no account does",
           "setspn", "-Q", "{spn}"),
        DC("nodir ours !short", "the same for the short name", "setspn", "-Q", "{spn_short}"),
        NOTE("nodir ours", "If setspn -Q finds no account, register both names on {account} (the "
             "setspn -S steps). If it finds another account, remove the SPN there first (setspn -D, "
             "the SPN, that account). If it finds {account}, the KDC would issue a ticket: the "
             "client did not ask for one (see the reasons above)."),
        REGISTER("nodir ours"),
        NOTE("held", "The KDC would issue a ticket for {spn}: on the client, add https://{host} to "
             "the Local intranet zone (or the browser's Negotiate allowlist), close the browser and "
             "retry; check that the client is domain-joined and reaches a domain controller."),
        NOT_OURS,
        CLIENT("", "drop the client's cached tickets (and failed look-ups), then retry",
               "klist", "purge")}},
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
        {
        NOT_OURS,
        DC("ours", "find the account that holds {spn}", "setspn", "-Q", "{spn}"),
        NOTE("ours", "{spn} is a name of this site, but neither SPNCheckServicePrincipal nor the "
             "keytab has it: if setspn -Q names {account}, add it to both; if it names another "
             "account, see spn-wrong-account.")}},
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
        {
        NOT_OURS,
        DC("nodir", "find the account that holds {spn} now", "setspn", "-Q", "{spn}"),
        NOTE("nodir", "If setspn -Q names an account other than {account}, remove the SPN there "
             "first (setspn -D, the SPN, that account), then run the setspn -S steps. If it names "
             "{account}, the keytab is stale instead (see keytab-stale)."),
        DC("direct", "remove {via} from {holder}, which holds it now", "setspn", "-D", "{via}",
           "{holder}"),
        NOTE("mapped", "Nothing to remove: {via} stays on {holder}. An HTTP/ SPN on {account} takes "
             "precedence over the sPNMappings path (http is an alias of host)."),
        REGISTER(""),
        DC("account", "check: both forms are listed on {account}", "setspn", "-L", "{account}"),
        NOTE("intab", "The keytab holds keys for {spn} or for {account} already: if they are "
             "{account}'s current keys, it is right once {account} holds the SPN (an acceptor "
             "that tries every key of the keytab, as MIT's does, opens the ticket). If sign-in "
             "then fails as keytab-stale or kvno-mismatch, make the keytab anew."),
        KEYTAB("!intab"),
        IIS_APPPOOL("iis"),
        CLIENT("", "drop the ticket the client holds for the old account, then retry",
               "klist", "purge")}},
    [SPN_C_KVNO_MISMATCH] = {
        "kvno-mismatch", "The keytab is out of date",
        "The ticket carries key version {tkt_kvno}; the keytab holds {spn} only under "
        "version(s) {kt_kvnos}.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?decrypts the keytab's key for {spn} opens the ticket: the key is current, but the "
         "keytab lists it under another kvno (an export with a wrong -kvno, or a keytab "
         "renumbered by hand)",
         "?held,!decrypts the directory says {holder} holds {spn} and its current kvno is {dir_kvno}: "
         "its password changed after the keytab (kvno {kt_kvnos}) was made",
         "?nodir,!decrypts the account's password was reset (or its key rotated) after the "
         "keytab export",
         "?nodir,!decrypts the SPN moved to another account whose kvno happens to be {tkt_kvno}"},
        {
        NOTE("decrypts", "The keytab's key for {spn} opens the ticket: the password did not change, "
             "but the keytab lists that key under kvno {kt_kvnos}, and the ticket says {tkt_kvno}. "
             "Export it again with the current kvno."),
        DC("nodir !decrypts", "check the holder: if it is not {account}, the SPN moved (see "
           "spn-wrong-account)", "setspn", "-Q", "{spn}"),
        KEYTAB("")}},
    [SPN_C_ENCTYPE_MISMATCH] = {
        "enctype-mismatch", "No key of the ticket's encryption type",
        "The ticket is encrypted with {etype}, and the keytab has no key of that type for "
        "{spn}.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?rc4kt,aestkt the keytab holds only RC4 keys, and the ticket is AES: Microsoft removes "
         "RC4 from Kerberos (CVE-2026-20833, KB5073381): from April 2026 a DC issues AES-only "
         "tickets for accounts without an explicit msDS-SupportedEncryptionTypes, from July "
         "2026 always",
         "?held msDS-SupportedEncryptionTypes of {holder} is {dir_enctypes}, and the keytab "
         "holds no key of those types",
         "?nodir the keytab was exported with fewer encryption types than the account supports",
         "?nodir msDS-SupportedEncryptionTypes on the account does not match the keytab"},
        {
        NOTE("rc4kt aestkt", "The keytab holds only RC4 keys, and the ticket is AES: Microsoft "
             "removes RC4 from Kerberos (CVE-2026-20833, KB5073381). From April 2026 a DC issues "
             "AES-only tickets for accounts without an explicit msDS-SupportedEncryptionTypes, and "
             "from July 2026 always. Export AES keys."),
        NOTE("etunset", "msDS-SupportedEncryptionTypes of {holder} is not set, so the DC chooses the "
             "enctype (AES only, since the 2026 updates)."),
        NOTE("!aestkt", "The ticket is {etype}: the account does not allow AES, or its password "
             "predates AES keys. Allow AES on it and change its password once, then export AES keys."),
        DC("held user", "see which enctypes {holder} allows", "Get-ADUser", "-Identity",
           "{holder_sam}", "-Properties", "msDS-SupportedEncryptionTypes"),
        DC("held computer", "see which enctypes {holder} allows", "Get-ADComputer", "-Identity",
           "{holder_sam}", "-Properties", "msDS-SupportedEncryptionTypes"),
        DC("held user service etunset", "let {holder} get AES tickets only", "Set-ADUser",
           "-Identity", "{holder_sam}", "-KerberosEncryptionType", "AES128,AES256"),
        KEYTAB("")}},
    [SPN_C_REALM_MISMATCH] = {
        "realm-mismatch", "Ticket from another realm",
        "The ticket was issued by realm {client_realm}, but this service belongs to "
        "{realm}.",
        "You may be signed in to another domain. Sign in with an account of this "
        "organisation, or give the reference below to your administrator.",
        {"the client's domain_realm mapping sends this host name to another realm",
         "a trust between the realms is missing, so the client got a ticket from its own realm",
         "the same SPN exists in two realms"},
        {
        NOTE("", "On the client, check the [domain_realm] mapping (or the DNS suffix) of {host}: "
             "it should map to {realm}, not {client_realm}."),
        DC("ours", "find the account that holds {spn} (run it in both domains)", "setspn", "-Q",
           "{spn}")}},
    [SPN_C_CLOCK_SKEW] = {
        "clock-skew", "Clocks disagree",
        "The client's clock differs from this server's by more than Kerberos allows "
        "(5 minutes by default): its authenticator is {skew} of this server's clock.",
        "Check your computer's clock and time zone, then try again.",
        {"the server or the client does not sync time with the domain"},
        {
        CLIENT("", "sync the client's clock with the domain (elevated)", "w32tm", "/resync"),
        SERVER("", "check this server's clock and its time source", "timedatectl", "status"),
        SERVER("", "check that chrony follows a time source", "chronyc", "tracking")}},
    [SPN_C_TICKET_EXPIRED] = {
        "ticket-expired", "The ticket has expired",
        "The client presented a service ticket that ended at {endtime}, longer ago than "
        "the clock skew Kerberos allows.",
        "Lock and unlock your computer, or sign out and in again, then retry.",
        {"the client's ticket cache holds an old ticket", "clocks disagree"},
        {
        CLIENT("", "drop the expired ticket; Windows gets a new one", "klist", "purge")}},
    [SPN_C_REPLAY] = {
        "replay", "The same ticket was presented twice",
        "The server's replay cache has already seen this authenticator.",
        "Reload the page. If it persists, give the reference below to your administrator.",
        {"a proxy or load balancer retried the request",
         "the replay cache directory is shared or unwritable"},
        {
        NOTE("", "Check that the replay cache (KRB5RCACHEDIR) is private to httpd and writable by "
             "its user, and that no proxy or load balancer retries requests.")}},
    [SPN_C_MALFORMED] = {
        "malformed-token", "The browser sent a token that cannot be read",
        "The Authorization header does not hold a well-formed Negotiate/NTLM token.",
        "Try another browser. If it persists, give the reference below to your "
        "administrator.",
        {"?cut a proxy or header size limit cut the header short (LimitRequestFieldSize)",
         "?notb64 the header's token is not base64: it is no Negotiate token at all",
         "?notoken the token is base64, but of nothing a Negotiate or NTLM client sends",
         "a broken or hostile client"},
        {
        NOTE("cut", "The token ends early: a proxy or a header size limit may have cut the "
             "header (compare LimitRequestFieldSize with the token's size)."),
        NOTE("notb64", "The token is not base64, so it is no Negotiate token: the client (or "
             "something on the way) sent something else; nothing on this server to change."),
        NOTE("notoken", "The token decodes, but is not a Negotiate (SPNEGO, Kerberos) or NTLM "
             "message: a broken or hostile client; nothing on this server to change.")}},
    [SPN_C_UNSUPPORTED_MECH] = {
        "unsupported-mech", "The browser offered a mechanism this server does not accept",
        "The client sent a token for a mechanism other than Kerberos with a service ticket "
        "(for example NEGOEX, IAKERB, or Kerberos user-to-user, which asks for the "
        "server's TGT instead of presenting a ticket for HTTP/{fqdn}).",
        "Give the reference below to your administrator.",
        {"the client could not get a Kerberos ticket and tried another mechanism",
         "user-to-user (mechanism krb5-u2u): the KDC answered KDC_ERR_MUST_USE_USER2USER, "
         "because the account that holds HTTP/{fqdn} has no long-term key"},
        {
        DC("ours", "find the account that holds {spn_long}; with no long-term key it forces "
           "user-to-user", "setspn", "-Q", "{spn_long}")}},
    [SPN_C_NO_SERVICE_KEY] = {
        "no-service-key", "The service has no usable key",
        "The service keytab ({keytab}) is missing, unreadable or empty, so no ticket can "
        "be checked (nor accepted).",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"wrong SPNCheckKeytab / GssapiCredStore path",
         "the keytab is not readable by the httpd user", "the keytab is empty"},
        {
        NOTE("!keytab", "No keytab is configured: point SPNCheckKeytab (and mod_auth_gssapi's "
             "GssapiCredStore keytab:) at the service keytab."),
        SERVER("keytab", "see what the keytab holds, or why it cannot be read", "klist", "-k", "-t",
               "-e", "{keytab}"),
        SERVER("keytab group", "let httpd's group read it", "chown",
               "root:{group}", "{keytab}"),
        SERVER("keytab group", "and no one else", "chmod", "0640", "{keytab}")}},
    [SPN_C_TICKET_OK] = {
        "ticket-ok", "The Kerberos ticket is fine",
        "The ticket decrypts with the service key: the SPN and keytab are right. The "
        "failure happened after Kerberos: authorization (Require), the account, or the "
        "authentication module's settings.",
        "You are not allowed to see this page with this account. Ask your administrator "
        "for access.",
        {"the user is authenticated but not authorized (Require user/group)",
         "the authentication module rejected the context for another reason"},
        {
        NOTE("", "Kerberos is fine: check the Require lines for this location, and the error log "
             "line with this reference.")}},
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
        {
        IIS_APPPOOL("iis"),
        NOTE("!iis", "The backend did not say it is IIS. If it is, its kernel-mode authentication "
             "decrypts with the computer account's key: set useAppPoolCredentials to true there "
             "(appcmd). Otherwise check which account the backend runs as."),
        NOTE("", "Or register the SPN on the computer account instead, or turn kernel-mode "
             "authentication off for the site.")}},
    [SPN_C_SPN_NOT_REGISTERED] = {
        "spn-not-registered", "No account holds this SPN",
        "The KDC does not know {spn} (KDC_ERR_S_PRINCIPAL_UNKNOWN): it is registered on no "
        "account. Windows clients get no ticket and fall back to NTLM.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?dir the directory says no account holds {spn} (checked {dir_checked})",
         "the SPN was never registered, or was removed with setspn -D",
         "only the other name form (NetBIOS or FQDN) is registered"},
        {
        NOT_OURS,
        REGISTER("ours"),
        DC("ours account", "check: both forms are listed", "setspn", "-L", "{account}"),
        CLIENT("ours", "drop the client's failed look-up, then retry", "klist", "purge")}},
    [SPN_C_SPN_DUPLICATE] = {
        "spn-duplicate", "The SPN is registered on more than one account",
        "The KDC refused to issue a ticket for {spn} (KDC_ERR_PRINCIPAL_NOT_UNIQUE): two "
        "accounts hold it, so no client can get a ticket for it.",
        "This is a server configuration problem. Give the reference below to your "
        "administrator.",
        {"?dup the directory says {holders} all hold {spn}",
         "setspn -A added the SPN to a second account (setspn -S would have refused)"},
        {
        DC("", "list every duplicate SPN in the forest", "setspn", "-X"),
        DC("nodir", "see which accounts hold {spn}", "setspn", "-Q", "{spn}"),
        NOTE("nodir", "Remove {spn} from every account but {account} (setspn -D, the SPN, the "
             "account)."),
        DC("dup", "remove {spn} from {other}, which holds it too", "setspn", "-D", "{spn}",
           "{other}"),
        DC("account", "make sure {account} holds it", "setspn", "-S", "{spn}", "{account}"),
        CLIENT("", "then retry from a clean ticket cache", "klist", "purge")}},
    [SPN_C_UNKNOWN] = {
        "unknown", "Authentication failed for a reason we could not determine",
        "The exchange failed, and the facts below do not point at one cause.",
        "Give the reference below to your administrator.",
        {"see the error log line with this reference"},
        {
        DC("ours", "find the account that holds {spn}", "setspn", "-Q", "{spn}"),
        SERVER("keytab", "see what the keytab holds", "klist", "-k", "-t", "-e", "{keytab}")}},
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
        {
        KEYTAB("")}},
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
        {
        NOTE("", "Pass TLS through to the backend (no TLS termination here), or serve the same "
             "certificate and key here and on the backend and re-encrypt to it (SSL bridging)."),
        NOTE("", "Or lower the backend's check: IIS windowsAuthentication "
             "extendedProtection.tokenChecking Allow accepts a client that binds no channel, but "
             "may still reject one bound to another; None turns the check off."),
        NOTE("", "Exchange: Microsoft supports Extended Protection with SSL bridging on the same "
             "certificate, or pass-through; not SSL offloading. Keep tokenChecking as "
             "ExchangeExtendedProtectionManagement.ps1 set it.")}},
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
        {
        NOTE("!backend400", "Raise this httpd's limit, LimitRequestFieldSize 65536, in the main "
             "server or the first virtual host of the address (it applies before the Host is "
             "known), then reload httpd."),
        NOTE("backend400 !iis", "If the backend is IIS, raise HTTP.sys's limits there: "
             "MaxFieldLength 65534 and MaxRequestBytes 16777216 (REG_DWORD) under "
             "HKLM\\System\\CurrentControlSet\\Services\\HTTP\\Parameters, then restart "
             "HTTP.sys; otherwise raise the backend server's own header limit."),
        DC("backend400 iis", "on the IIS server: a larger header field for HTTP.sys", "reg", "add",
           "HKLM\\System\\CurrentControlSet\\Services\\HTTP\\Parameters", "/v", "MaxFieldLength",
           "/t", "REG_DWORD", "/d", "65534", "/f"),
        DC("backend400 iis", "and a larger request for HTTP.sys; then restart HTTP.sys or reboot",
           "reg", "add", "HKLM\\System\\CurrentControlSet\\Services\\HTTP\\Parameters", "/v",
           "MaxRequestBytes", "/t", "REG_DWORD", "/d", "16777216", "/f"),
        CLIENT("", "how many groups the user carries (each adds to the ticket)", "whoami",
               "/groups"),
        NOTE("", "Or shrink the token: fewer (nested) groups for the user, no SID history.")}},
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

# chanbind.t: Extended Protection behind a TLS-terminating proxy (issue 12,
# section 1).  The front is httpd with mod_ssl (a throwaway CA) and
# mod_proxy_http; the backends stand in for IIS: t/lib/negotiate_backend.py, a
# real GSSAPI acceptor that passes the channel bindings of its own
# certificate (another one than the proxy's) and so refuses a token bound
# to the proxy's TLS with GSS_S_BAD_BINDINGS, and the same acceptor with
# the computer account's key (kernel mode).  Clients: a GSSAPI client
# with explicit bindings (t/lib/gss_client.py), that client without
# bindings, and curl --negotiate.  Each gets its cause, the status and
# WWW-Authenticate stay the backend's, and the binding is shown (detail
# full) with its proof: the MD5 the client computed itself.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SpnTest;
use MiniHttpd;
use TestCA;
use Chromium;
use Digest::MD5 ();
my $chromium_md5 = '';
use File::Temp ();
use JSON::PP ();

my $realm = realm_dir();
my $ep = 'iis-ok.spncheck.test';        # Extended Protection backend, app pool key
my $km = 'iis-km.spncheck.test';        # kernel-mode backend (the computer's key)
my $ca = TestCA->new(names => [$ep, $km]);
my $own = TestCA->new(names => [$ep]);  # the backend's own certificate
my $tls = MiniHttpd::free_port();
my ($bep, $bkm) = (MiniHttpd::free_port(), MiniHttpd::free_port());
my $tmp = File::Temp::tempdir(CLEANUP => 1);
my $py = '/usr/bin/python3';

# the backends.  NTLM (gss-ntlmssp) users: the client knows alice's
# password, the Extended Protection backend has another one for her, so it
# refuses her NTLM type 3 (a real failure, on the last leg).
open(my $nu, '>', "$tmp/ntlm-client.users") or die;
print $nu "SPNCHECK:alice:alice-Pw1\n";
close $nu;
open($nu, '>', "$tmp/ntlm-backend.users") or die;
print $nu "SPNCHECK:alice:Another-Pw1\n";
close $nu;
local $ENV{NTLM_USER_FILE} = "$tmp/ntlm-backend.users";
my @kids;
for my $b ([$bep, "$realm/iis-ok.keytab", $own->{cert}, "$tmp/ep.log"],
           [$bkm, "$realm/iis-km-machine.keytab", '-', "$tmp/km.log"]) {
    my $pid = fork // die;
    if (!$pid) {
        open(STDERR, '>>', "$tmp/backend.err");
        exec $py, "$FindBin::Bin/lib/negotiate_backend.py", @$b or exit 127;
    }
    push @kids, $pid;
}
END { kill 'TERM', @kids if @kids }
for my $p ($bep, $bkm) {
    my $up;
    for (1 .. 100) { last if $up = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p); select undef, undef, undef, 0.1 }
    $up or BAIL_OUT("backend on $p did not come up: " . (do { local (@ARGV, $/) = "$tmp/backend.err"; <> } // ''));
}

sub front {
    my ($host, $bport, $kt) = @_;
    return <<"VH";
<VirtualHost 127.0.0.1:$tls>
    ServerName $host
    SSLEngine on
    SSLCertificateFile $ca->{cert}
    SSLCertificateKeyFile $ca->{key}
    ProxyPreserveHost On
    ProxyPass /open/ !
    ProxyPass / http://127.0.0.1:$bport/
    SPNCheck On
    SPNCheckDetail full
    SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST
    SPNCheckKeytab $kt
    SPNCheckServiceAccount SPNCHECK\\apppool
    <Location /off>
        SPNCheck Off
    </Location>
</VirtualHost>
VH
}
my $site = "Listen 127.0.0.1:$tls\nSPNCheckHistory 100\n"
    . front($ep, $bep, "$realm/iis-ok.keytab") . front($km, $bkm, "$realm/iis-km-apppool.keytab")
    . "<Location /spncheck-status>\n    SetHandler spncheck-status\n    Require ip 127.0.0.1\n</Location>\n";
my $h = MiniHttpd->new(realm => $realm, module => $ENV{SPNCHECK_MODULE}, site => $site,
                       mods => [qw(ssl socache_shmcb proxy proxy_http)]);
mkdir "$h->{dir}/htdocs/open";
{
    # Chromium's first challenge in a process loads GSSAPI and fails (-339):
    # an image takes that hit, then the refresh does the real thing.
    open(my $w, '>', "$h->{dir}/htdocs/open/warm.html") or die;
    print $w '<!DOCTYPE html><meta http-equiv="refresh" content="1;url=/"><img src="/warm.png">';
    close $w;
}
$h->start;

sub client {
    my ($host, $path, @opt) = @_;
    local $ENV{KRB5CCNAME} = grep({ $_ eq 'spnego' } @opt) ? "$tmp/no-ticket.cc" : "$realm/alice.cc";
    my $out = `$py $FindBin::Bin/lib/gss_client.py $host $tls $ca->{ca} HTTP\@$host $path @opt 2>$tmp/client.err`;
    my $r = eval { JSON::PP::decode_json($out) };
    $r or diag("gss_client: $out " . do { local (@ARGV, $/) = "$tmp/client.err"; <> });
    return $r || { status => 0, www => [], body => '' };
}
sub backend_log { my $f = shift; my @l = do { open(my $x, '<', $f) or return (); <$x> }; chomp @l; @l }
sub lastline { (backend_log($_[0]))[-1] // '' }

# 1. a GSSAPI client that binds to the proxy's certificate
my $r = client($ep, '/');
is($r->{status}, 401, 'bound client: the backend says 401');
like(lastline("$tmp/ep.log"), qr/^REJECT BAD_BINDINGS /,
     'the backend really rejected it with GSS_S_BAD_BINDINGS');
is(cause_of($r), 'backend-channel-binding', 'bound client: backend-channel-binding');
is_deeply([map { www_shape($_) } @{$r->{www}}], ['Negotiate'], "the backend's bare challenge passed through");
ok($r->{md5} && $r->{body} =~ /Channel binding \(client\)<\/th><td>\Q$r->{md5}\E</,
   "page: the client's binding is the MD5 the client computed ($r->{md5})");
like($r->{body}, qr/Channel binding \(this server\)<\/th><td>\Q$r->{md5}\E \(tls-server-end-point, SHA256/,
     "page: this proxy's certificate gives the same binding (the proof)");
like($r->{body}, qr/bound its token to this server&#39;s TLS|bound its token to this server's TLS/,
     'page: the verdict');
like($r->{body}, qr/same certificate.*SSL bridging/s, 'remedy: same certificate (bridging)');
like($r->{body}, qr/tokenChecking Allow/, 'remedy: tokenChecking');
like($r->{body}, qr/Exchange: Microsoft supports/, 'remedy: what Microsoft supports for Exchange');
like($r->{body}, qr/GSS flags<\/th><td>mutual[^<]*integ/, 'page: the GSS flags from the checksum');
like($r->{body}, qr/Authenticator client<\/th><td>alice\@SPNCHECK\.TEST/, 'page: the authenticator client (full)');
like($r->{body}, qr/KERB_AP_OPTIONS_CBT<\/th><td>not set/, 'page: MIT by default does not claim KERB_AP_OPTIONS_CBT');
{
    # MIT's client_aware_channel_bindings: the client claims binding (MS-KILE
    # KERB_AP_OPTIONS_CBT in AD-IF-RELEVANT), read from its authenticator
    open(my $in, '<', $ENV{KRB5_CONFIG}) or die "$ENV{KRB5_CONFIG}: $!";
    my $conf = do { local $/; <$in> };
    $conf =~ s/\[libdefaults\]\n/[libdefaults]\n    client_aware_channel_bindings = true\n/ or die;
    open(my $out, '>', "$tmp/krb5-cbt.conf") or die;
    print $out $conf;
    close $out;
    local $ENV{KRB5_CONFIG} = "$tmp/krb5-cbt.conf";
    my $aw = client($ep, "/");
    is(cause_of($aw), 'backend-channel-binding', 'client_aware_channel_bindings: backend-channel-binding');
    like($aw->{body}, qr/KERB_AP_OPTIONS_CBT<\/th><td>set/, 'page: KERB_AP_OPTIONS_CBT set (MS-KILE ad-type 143)');
}
my ($ref) = $r->{body} =~ /name="spncheck-ref" content="([^"]+)"/;
my $off = client($ep, '/off/');
is($off->{status}, $r->{status}, 'module off: same status');
is_deeply($off->{www}, $r->{www}, 'module off: same WWW-Authenticate');

# the same token offline: spncheck diagnose --tls-cert --backend --json
{
    open(my $f, '>', "$tmp/tok") or die;
    print $f "Negotiate $r->{token}";
    close $f;
    my $j = `$ENV{SPNCHECK_BIN} diagnose --keytab $realm/iis-ok.keytab --spn HTTP/$ep\@SPNCHECK.TEST --tls-cert $ca->{cert} --backend Negotiate --json - < $tmp/tok 2>&1`;
    my $d = eval { JSON::PP::decode_json($j) } || {};
    is($d->{cause}, 'backend-channel-binding', 'offline: backend-channel-binding') or diag($j);
    is($d->{authenticator}{channel_bindings}, $r->{md5}, 'offline: authenticator.channel_bindings');
    is($d->{channel_binding}{expected}, $r->{md5}, 'offline: --tls-cert gives the same binding');
    is($d->{authenticator}{cname}, 'alice@SPNCHECK.TEST', 'offline: authenticator.cname');
    ok(grep({ $_ eq 'mutual' } @{$d->{authenticator}{flags} || []}), 'offline: flags');
    ok(JSON::PP::is_bool($d->{authenticator}{cbt_option}), 'offline: cbt_option is a boolean');
    ok(abs(($d->{authenticator}{ctime} // 0) - time) < 120, 'offline: ctime is the client\'s clock');
}

# 2. the same client, binding nothing: MIT accepts it (tokenChecking Allow)
my $nb = client($ep, '/', 'nobind');
is($nb->{status}, 200, 'unbound client: 200 through the EP backend');
like($nb->{body}, qr/\Abackend: hello alice\@SPNCHECK\.TEST \(krb5\)\n\z/,
     'unbound client: the backend\'s body, untouched');
like(lastline("$tmp/ep.log"), qr/^ACCEPT alice/, 'the backend accepted alice');

# 3. curl --negotiate over TLS: what it binds, asserted
my $c = fetch($ep, '/', user => 'alice', scheme => 'https', port => $tls,
              curl => ['--cacert', $ca->{ca}]);
is($c->{status}, 200, 'curl: 200 through the EP backend (curl binds no channel)');
like(lastline("$tmp/ep.log"), qr/^ACCEPT alice/, 'curl: accepted by the acceptor with bindings');

# 4. kernel mode: no binding explains it
my $k = fetch($km, '/', user => 'alice', scheme => 'https', port => $tls, curl => ['--cacert', $ca->{ca}]);
is($k->{status}, 401, 'curl to the kernel-mode backend: 401');
is(cause_of($k), 'backend-kernel-mode', 'curl: backend-kernel-mode');
like($k->{body}, qr/Channel binding \(client\)<\/th><td>none \(all zeros\)/, 'curl bound none: shown');
like(lastline("$tmp/km.log"), qr/^REJECT/, 'the kernel-mode backend rejected it');
my $kb = client($km, '/', 'nobind');
is(cause_of($kb), 'backend-kernel-mode', 'unbound GSSAPI client, kernel-mode backend: backend-kernel-mode');

# 5. the history: ?ref= shows the binding evidence
my $st = fetch('localhost', "/spncheck-status?ref=$ref", port => $h->{port});
is($st->{status}, 200, '?ref=: 200');
like($st->{body}, qr/Channel binding \(client\)<\/th><td>\Q$r->{md5}\E/, '?ref=: the client\'s binding');
like($st->{body}, qr/Binding verdict/, '?ref=: the verdict');

# 6. NTLM through the proxy, from a real gss-ntlmssp client (SPNEGO without
# a Kerberos ticket) bound to the proxy's certificate: its type 3 names the
# SPN it wanted and carries the binding (MS-NLMP AV pairs), shown at detail full
{
    local $ENV{NTLM_USER_FILE} = "$tmp/ntlm-client.users";
    my $n = client($ep, '/', 'spnego');
    is($n->{legs}, 2, 'NTLM: two legs (negotiate, authenticate)');
    is_deeply([backend_log("$tmp/ep.log")]->[-2] // '', 'CONTINUE', 'the backend challenged the first leg');
    like(lastline("$tmp/ep.log"), qr/^REJECT/, 'and refused the type 3');
    is($n->{status}, 401, 'NTLM type 3 refused: 401');
    is(cause_of($n), 'ntlm-fallback', 'NTLM: ntlm-fallback');
    like($n->{body}, qr/NTLM target \(the SPN the client aimed at\)<\/th><td>HTTP\/\Q$ep\E</,
         'page: MsvAvTargetName');
    like($n->{body}, qr/instead of a Kerberos ticket for HTTP\/\Q$ep\E\./,
         'ntlm-fallback names the SPN the browser could not get a ticket for');
    like($n->{body}, qr/NTLM AV flags<\/th><td>0x0000000[0-9a-f][^<]*mic/, 'page: MsvAvFlags (MIC)');
    like($n->{body}, qr/NTLM client time<\/th><td>\d{4}-\d\d-\d\d /, 'page: the client\'s timestamp');
    like($n->{body}, qr/Channel binding \(client\)<\/th><td>\Q$n->{md5}\E</,
         'page: MsvAvChannelBindings is the MD5 the client computed');
    like($n->{body}, qr/Channel binding \(this server\)<\/th><td>\Q$n->{md5}\E /,
         'and this proxy\'s certificate gives the same');
}

# 7. headless Chromium over HTTPS (t/lib/Chromium.pm), trusting the proxy's
# certificate by its key (no certificate error): does it bind?  What it
# does is asserted, and written down in docs/channel-binding.md.
ok(-x '/usr/bin/chromium' && Chromium::available(), 'chromium is installed and runs in a namespace');
{
    local $ENV{KRB5CCNAME} = "$realm/alice.cc";
    my $spki = `openssl x509 -in $ca->{cert} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`;
    chomp $spki;
    my @flags = ("--ignore-certificate-errors-spki-list=$spki");
    my $chr = Chromium->new(hosts => [$ep, $km]);
    my $nlog = "$tmp/chromium-ep.json";
    my $dom = $chr->run("https://$ep:$tls/open/warm.html", netlog => $nlog, flags => \@flags);
    my $nl = do { local (@ARGV, $/) = $nlog; <> } // '';
    like($nl, qr/"spn":"HTTP\@\Q$ep\E"/, "Chromium asked for HTTP\@$ep");
    ok($nl !~ /"net_error":-202\b/, 'Chromium trusted the proxy\'s certificate (no -202)');
    # Chromium logs the binding it computed (AUTH_CHANNEL_BINDINGS)
    my ($cbt_type) = $nl =~ /"AUTH_CHANNEL_BINDINGS":(\d+)/;
    my ($cbt_hex) = $nl =~ /\{"params":\{"token":"([0-9A-F]+)"\}[^\n]*"type":\Q$cbt_type\E\}/;
    my $app = pack('H*', $cbt_hex // '');
    like($app, qr/^tls-server-end-point:.{32}\z/s, 'Chromium computed a tls-server-end-point binding (net log)');
    $chromium_md5 = Digest::MD5::md5_hex(pack('V5', 0, 0, 0, 0, length $app) . $app);
    like(lastline("$tmp/ep.log"), qr/^ACCEPT alice\@/,
         'Chromium through the Extended Protection backend: accepted (it bound no channel)');
    like($dom, qr/backend: hello/, 'Chromium shows the backend\'s page');
    my $c2 = Chromium->new(hosts => [$ep, $km]);
    my $dom2 = $c2->run("https://$km:$tls/open/warm.html", flags => \@flags);
    like($dom2, qr/<meta name="spncheck-cause" content="backend-kernel-mode">/,
         'Chromium to the kernel-mode backend: backend-kernel-mode');
    like($dom2, qr/GSS flags<\/th><td>[a-z -]+</, 'Chromium\'s authenticator read (GSS flags)');
    like($dom2, qr/Channel binding \(this server\)<\/th><td>\Q$chromium_md5\E /,
         'the binding Chromium computed is the one this proxy computes for its certificate');
    like($dom2, qr/Channel binding \(client\)<\/th><td>none \(all zeros\)/,
         'Chromium on Linux binds no channel (Bnd all zeros)');
    like($dom2, qr/KERB_AP_OPTIONS_CBT<\/th><td>not set/, 'and claims none (no KERB_AP_OPTIONS_CBT)');
}

is(() = $h->sanitizer_reports, 0, 'no sanitizer reports');

diag('backend stderr: ' . do { local (@ARGV, $/) = "$tmp/backend.err"; <> }) if -s "$tmp/backend.err";
done_testing();

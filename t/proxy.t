# proxy.t: Apache as a reverse proxy in front of a backend that does its
# own Negotiate (a mod_auth_gssapi vhost standing in for IIS).  The module
# explains the backend's 401s with the app pool account's keytab, and
# leaves status, WWW-Authenticate and successful responses alone.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use SpnTest;

plan tests => 24;

my $docroot = Apache::Test::vars('documentroot');
my $index = do { local (@ARGV, $/) = "$docroot/index.html"; <> };

# Pass-through success: the backend's body, byte for byte.
my $ok = fetch('iis-ok.spncheck.test', '/', user => 'alice');
is($ok->{status}, 200, 'iis-ok: 200 through the proxy');
is($ok->{body}, $index, 'iis-ok: body untouched');
unlike($ok->{body}, qr/spncheck/, 'iis-ok: no page of ours');

my %want = (
    'iis-stale.spncheck.test' => 'kvno-mismatch',
    'iis-wrong.spncheck.test' => 'spn-wrong-account',
    'iis-km.spncheck.test'    => 'backend-kernel-mode',
);
for my $host (sort keys %want) {
    my $r = fetch($host, '/', user => 'alice');
    my $off = fetch($host, '/off/', user => 'alice');
    is($r->{status}, 401, "$host: the backend's 401");
    is(cause_of($r), $want{$host}, "$host: $want{$host}");
    is($r->{status}, $off->{status}, "$host: same status with the module off");
    is(join('|', map { www_shape($_) } @{$r->{www}}), join('|', map { www_shape($_) } @{$off->{www}}),
       "$host: the backend's WWW-Authenticate passed through");
    like($r->{body}, qr/Backend answered/, "$host: the backend's answer is shown as evidence");
}
my $km = fetch('iis-km.spncheck.test', '/', user => 'alice');
like($km->{body}, qr/useAppPoolCredentials:true/, 'kernel mode: the appcmd remedy');

# NTLM through the proxy: the backend (Kerberos only) refuses it.
my $n = fetch('iis-ok.spncheck.test', '/', curl => ['--ntlm', '-u', 'SPNCHECK\\alice:alice-Pw1']);
is($n->{status}, 401, 'NTLM through the proxy: 401');
is(cause_of($n), 'ntlm-fallback', 'NTLM through the proxy: ntlm-fallback');
my $noff = fetch('iis-ok.spncheck.test', '/off/', curl => ['--ntlm', '-u', 'SPNCHECK\\alice:alice-Pw1']);
is(join('|', @{$n->{www}}), join('|', @{$noff->{www}}), 'NTLM: WWW-Authenticate passed through');

# No token: the backend's challenge and body go through untouched.
my $t = fetch('iis-ok.spncheck.test', '/');
is($t->{status}, 401, 'no token: 401 challenge');
unlike($t->{body}, qr/spncheck-cause/, 'no token: not a failure');

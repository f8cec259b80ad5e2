# ntlm.t: real NTLM fallbacks, made by real clients: MIT's SPNEGO with the
# gss-ntlmssp mechanism (no Kerberos ticket, NTLM credentials only), and
# curl's own NTLM.  The server accepts Kerberos only: ntlm-fallback.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use SpnTest;

plan tests => 10;

my $dir = realm_dir();
my $host = 'web01.spncheck.test';
open(my $fh, '>', "$dir/ntlm.users") or die;
print $fh "SPNCHECK:alice:alice-Pw1\n";
close $fh;

SKIP: {
    skip 'gss-ntlmssp is not installed (apt-get install gss-ntlmssp)', 6
        unless -e '/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so' || glob('/usr/lib/*/gssntlmssp/gssntlmssp.so');
    my $r = fetch($host, '/', user => 'nobody', env => { NTLM_USER_FILE => "$dir/ntlm.users" });
    my ($sent) = grep { /^Negotiate / } @{$r->{sent}};
    ok($sent, 'SPNEGO token sent without a Kerberos ticket');
    my $j = `'$ENV{SPNCHECK_BIN}' decode --json '$sent'`;
    like($j, qr/"mech":"ntlmssp"/, 'it carries NTLMSSP (gss-ntlmssp)');
    is($r->{status}, 401, 'Kerberos-only server: 401');
    is(cause_of($r), 'ntlm-fallback', 'cause ntlm-fallback');
    like($r->{body}, qr/setspn/, 'the page says how to register the SPN');
    my $off = fetch($host, '/off/', user => 'nobody', env => { NTLM_USER_FILE => "$dir/ntlm.users" });
    is(join('|', map { www_shape($_) } @{$r->{www}}), join('|', map { www_shape($_) } @{$off->{www}}),
       'WWW-Authenticate the same as with the module off');
}

# curl's built-in NTLM sends "Authorization: NTLM <type 1>" up front.
my $n = fetch($host, '/', curl => ['--ntlm', '-u', 'SPNCHECK\\alice:alice-Pw1']);
my ($sent) = grep { /^NTLM / } @{$n->{sent}};
ok($sent, 'curl --ntlm sent an NTLM type 1');
is($n->{status}, 401, 'raw NTLM: 401');
is(cause_of($n), 'ntlm-fallback', 'raw NTLM: ntlm-fallback');
unlike($n->{body}, qr/alice-Pw1/, 'no password anywhere on the page');

# bounds.t: a ticket whose sname host (506 bytes) is longer than the
# diagnosis's fqdn field, at a scope without SPNCheckServicePrincipal and at
# detail full (issue 9, finding 1).  It once overran fqdn into proxied and
# the backend token, and the page of a request that was never proxied said
# "Backend answered".  Now: same status and WWW-Authenticate as without the
# module, no backend row, the Host in the remedies, no via=backend in the log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use SpnTest;

my $host = 'nospn.spncheck.test';
my $elog = Apache::Test::vars('t_logs') . '/error_log';
plan tests => 4 * 3 + 1;

for my $len (255, 506, 1000) {
    my $tok = apreq_token('SPNCHECK.TEST', 'HTTP', 'A' x $len);
    my $r = fetch($host, '/', header => "Authorization: $tok");
    my $off = fetch($host, '/off/', header => "Authorization: $tok");
    is($r->{status}, 401, "$len-byte sname host: 401");
    is(join('|', map { www_shape($_) } @{$r->{www}}), join('|', map { www_shape($_) } @{$off->{www}}),
       "$len-byte sname host: same WWW-Authenticate as without the module");
    like($r->{body}, qr/<meta name="spncheck-cause" content="[a-z-]+">/, "$len-byte sname host: diagnosed");
    unlike($r->{body}, qr/Backend answered/, "$len-byte sname host: no backend on a page never proxied");
}
my $log = do { local (@ARGV, $/) = $elog; <> } // '';
my @lines = grep { /SPN00010/ && /host=nospn\.spncheck\.test/ } split /\n/, $log;
ok(@lines && !grep({ /via=backend/ } @lines), scalar(@lines) . " log lines, none says via=backend");

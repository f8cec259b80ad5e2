# clock.t: clock-skew made for real (curl under faketime, its service
# ticket fetched beforehand at the true time), and ticket-expired /
# clock-skew / ticket-ok judged offline from a real captured AP-REQ.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use File::Copy qw(copy);
use POSIX qw(strftime);
use SpnTest;

plan tests => 13;

my $dir = realm_dir();
my $host = 'web01.spncheck.test';
my $spn = "HTTP/$host\@SPNCHECK.TEST";

# A client 15 minutes ahead: its authenticator is out of the 5-minute window.
my $cc = "$dir/alice-skew.cc";
copy("$dir/alice.cc", $cc) or die "copy: $!";
{
    local $ENV{KRB5CCNAME} = $cc;
    is(system('kvno', '-q', $spn), 0, 'service ticket fetched at the true time');
}
my $r = fetch($host, '/', user => 'alice', ccache => $cc, wrap => ['faketime', '-f', '+15m']);
is($r->{status}, 401, 'skewed client: 401');
is(cause_of($r), 'clock-skew', 'skewed client: clock-skew');
like($r->{body}, qr/\b(89\d|90\d) seconds \(15 min\) ahead/, 'the page gives the size of the skew');
my $off = fetch($host, '/off/', user => 'alice', ccache => $cc, wrap => ['faketime', '-f', '+15m']);
is($off->{status}, 401, 'module off: the same 401');

# A real AP-REQ, captured from a successful exchange.
my $ok = fetch($host, '/', user => 'alice');
is($ok->{status}, 200, 'alice gets in');
my ($tok) = grep { /^Negotiate / } @{$ok->{sent}};
ok($tok, 'captured the Authorization curl sent');
my $bin = $ENV{SPNCHECK_BIN};
sub judge {
    my ($at, @more) = @_;
    my @cmd = ($bin, 'diagnose', '--keytab', "$dir/web01.keytab", '--spn', $spn,
               '--at', strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($at)), @more, $tok);
    open(my $fh, '-|', @cmd) or die;
    local $/;
    my $out = <$fh>;
    return $out =~ /^cause: ([\w-]+)/ ? $1 : "?: $out";
}
my $now = time;
is(judge($now), 'ticket-ok', 'now: the ticket decrypts and is valid (ticket-ok)');
is(judge($now + 4 * 60), 'ticket-ok', '4 minutes later: inside the skew allowance');
is(judge($now + 15 * 60), 'clock-skew', '15 minutes later: clock-skew');
is(judge($now + 11 * 3600), 'ticket-expired', '11 hours later (10 h tickets): ticket-expired');
is(judge($now + 11 * 3600, '--gss-error', 'Clock skew too great'), 'clock-skew',
   'expired and skewed: the acceptor said skew, so clock-skew');
is(judge($now - 3600), 'clock-skew', 'an hour earlier: clock-skew');

# retry.t: after a failed exchange, a tokenless retry on the same
# connection and scope (what Chromium does after a rejected token) gets the
# failure's page again; another connection or another scope gets the
# generic first-leg page.  Status and headers are the auth module's always.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use IO::Socket::INET;
use SpnTest;

plan tests => 9;

my $host = 'wrong.spncheck.test';
my $port = Apache::Test::vars('spncheck_port');
my $r = fetch($host, '/', user => 'alice');
my ($tok) = grep { /^Negotiate / } @{$r->{sent}};
ok($tok, 'a real token for wrong.spncheck.test');

sub get {
    my ($sock, $path, $auth) = @_;
    print $sock "GET $path HTTP/1.1\r\nHost: $host\r\n" . ($auth ? "Authorization: $auth\r\n" : '') . "\r\n";
    my $head = '';
    while (defined(my $l = <$sock>)) { $head .= $l; last if $l eq "\r\n" }
    my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
    read($sock, my $body, $len // 0);
    my ($st) = $head =~ m{^HTTP/1\.\d (\d+)};
    return ($st // 0, $body // '');
}
sub cause { $_[0] =~ /name="spncheck-cause" content="([^"]+)"/ ? $1 : 'none' }

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
my ($st1, $b1) = get($s, '/', $tok);
is($st1, 401, 'the token fails: 401');
is(cause($b1), 'spn-wrong-account', 'diagnosed');
my ($st2, $b2) = get($s, '/', undef);
is($st2, 401, 'tokenless retry on the same connection: still 401');
is(cause($b2), 'spn-wrong-account', 'and it gets the failure page again');
my ($st3, $b3) = get($s, '/none/', undef);
is(cause($b3), 'none', 'another scope on that connection: the generic page');
like($b3, qr/Sign-in required/, '(the first-leg text)');
my $s2 = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
my ($st4, $b4) = get($s2, '/', undef);
is($st4, 401, 'a new connection, no token: 401');
like($b4, qr/Sign-in required/, 'the generic first-leg page');

# retry.t: after a failed exchange, a tokenless retry on the same
# connection and scope (what Chromium does after a rejected token) gets the
# failure's page again; another connection or another scope gets the
# generic first-leg page.  Status and headers are the auth module's always.
# Behind a front proxy that pools its backend connections, another client
# never sees the first one's page with what identifies it (client
# principal, NTLM user, domain, workstation), and only the same client
# (address after mod_remoteip, User-Agent) sees the failure at all; the
# retry's page is rendered at the retry's own detail level.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use IO::Socket::INET;
use SpnTest;
use MiniHttpd;
use MIME::Base64 qw(encode_base64);

plan tests => 25;

my $host = 'wrong.spncheck.test';
my $port = Apache::Test::vars('spncheck_port');
my $r = fetch($host, '/', user => 'alice');
my ($tok) = grep { /^Negotiate / } @{$r->{sent}};
ok($tok, 'a real token for wrong.spncheck.test');

sub get {
    my ($sock, $path, $auth, $extra) = @_;
    print $sock "GET $path HTTP/1.1\r\nHost: $host\r\n" . ($auth ? "Authorization: $auth\r\n" : '')
        . ($extra // '') . "\r\n";
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

# The same scope at detail none (an <If> on a request header): the retry's
# page is rendered at its own level, not at the failure's.
my $s3 = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
get($s3, '/', $tok);
my ($st5, $b5) = get($s3, '/', undef, "X-Test-Detail: none\r\n");
is($st5, 401, 'retry at detail none: 401');
like($b5, qr/<h1>Sign-in failed</, 'retry at detail none: the failure, rendered at none');
unlike($b5, qr/spncheck-cause|spn-wrong-account|HTTP\/wrong/, 'retry at detail none: no cause, no SPN');

# NTLM: the retry never carries the earlier client's user, domain or workstation.
my $nt = 'NTLM ' . encode_base64(ntlm3(utf16('VICTIMDOM'), utf16('victimuser'), utf16('VICTIMPC')), '');
my $s4 = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
my ($st6, $b6) = get($s4, '/', $nt);
like($b6, qr/victimuser/, 'NTLM type 3 at detail full: its own page names the user');
my ($st7, $b7) = get($s4, '/', undef);
is(cause($b7), 'ntlm-fallback', 'the tokenless retry: the failure again');
unlike($b7, qr/VICTIMDOM|victimuser|VICTIMPC/, 'but no NTLM user, domain or workstation');

# A front proxy (another httpd) with one pooled connection to this one,
# passing X-Forwarded-For (mod_remoteip here trusts 127.0.0.1).
my $front = MiniHttpd->new(realm => realm_dir(), without => 1, mods => [qw(proxy proxy_http)],
    tuning => "StartServers 1\nServerLimit 1\nThreadsPerChild 4\nMaxRequestWorkers 4\n"
            . "MinSpareThreads 1\nMaxSpareThreads 4\n",
    site => "ProxyPass / http://127.0.0.1:$port/ max=1\nProxyPreserveHost On\n");
$front->start;
my $fport = $front->{port};
my $web = 'web01.spncheck.test';
sub via_front {
    my (%o) = @_;
    return fetch($web, '/bob-only/', port => $fport,
                 curl => ['--interface', $o{from}, '-A', $o{ua}], $o{user} ? (user => $o{user}) : ());
}
my $alice = via_front(from => '127.0.0.2', ua => 'Browser/1', user => 'alice');
is(cause_of($alice), 'ticket-ok', 'alice through the front: ticket-ok (Require user bob)');
like($alice->{body}, qr/alice\@SPNCHECK\.TEST/, 'her page names her (detail full)');
my $other_ua = via_front(from => '127.0.0.2', ua => 'Browser/2');
is($other_ua->{status}, 401, 'same address, another User-Agent, no token: 401');
is(cause_of($other_ua), undef, 'the generic first-leg page');
my $other_ip = via_front(from => '127.0.0.3', ua => 'Browser/1');
is(cause_of($other_ip), undef, 'another client address (X-Forwarded-For), same User-Agent: generic page');
my $same = via_front(from => '127.0.0.2', ua => 'Browser/1');
is($same->{status}, 401, 'the same client retrying without a token: 401');
is(cause_of($same), 'ticket-ok', 'gets the diagnosis again');
unlike($same->{body}, qr/alice/, 'without the client principal');
unlike(join('', $other_ua->{body}, $other_ip->{body}), qr/alice/, 'no page to another client names alice');
like($front->log . '', qr/resuming normal operations/, 'the front ran');
$front->stop;

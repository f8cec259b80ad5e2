# rewrite.t (found by a hostile review): after a successful Negotiate
# exchange, a per-directory RewriteRule that lands in a scope with SPNCheck
# Off and Basic auth must not get the earlier exchange explained (the
# error-document walk follows error redirects only); and the retry memo
# compares whole paths, so a tokenless request to another path that shares
# the first 255 bytes (another <LocationMatch>, detail full) does not get
# the failure of a detail-none path.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SpnTest;
use MiniHttpd;
use IO::Socket::INET;

my $realm = realm_dir();
my $host = 'web01.spncheck.test';
my $kt = "$realm/web01.keytab";
my $auth = gssapi_conf($kt, 'ok');
my $check = spncheck_conf($host, $kt);
my $site = <<"SITE";
SPNCheckHistory 100
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
<Location /ok/>
$auth$check    SPNCheckDetail full
    RewriteEngine On
    RewriteRule ^ /basic/ [L]
</Location>
<Location /basic/>
    SPNCheck Off
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile /dev/null
    Require valid-user
</Location>
<Location /long/>
$auth$check    SPNCheckDetail none
</Location>
<LocationMatch "/debug">
    SPNCheckDetail full
</LocationMatch>
SITE
my $m = MiniHttpd->new(realm => $realm, module => $ENV{SPNCHECK_MODULE}, mpm => 'event',
                       mods => [qw(rewrite auth_basic authn_file)], site => $site);
mkdir "$m->{dir}/htdocs/$_" for qw(ok basic long);
$m->start;

my $r = fetch($host, '/ok/', port => $m->{port}, user => 'alice');
is($r->{status}, 401, 'alice authenticates at /ok/, the rewrite target asks for Basic: 401');
like(join(' ', @{$r->{www}}), qr/^Basic/, 'the 401 is mod_auth_basic\'s');
is(cause_of($r), undef, 'SPNCheck Off at /basic/: the module does not explain it');
unlike($r->{body}, qr/alice\@SPNCHECK/, 'nor names the client there');
diag('cause at /basic/: ' . (cause_of($r) // 'none'));

# Retry memo: a scope is "vhost:port + path" compared on 255 bytes.
sub get {
    my ($sock, $path, $auth) = @_;
    print $sock "GET $path HTTP/1.1\r\nHost: $host\r\n" . ($auth ? "Authorization: $auth\r\n" : '') . "\r\n";
    my $head = '';
    while (defined(my $l = <$sock>)) { $head .= $l; last if $l eq "\r\n" }
    my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
    read($sock, my $body, $len // 0);
    return $body // '';
}
my $pre = '/long/' . join('/', ('A' x 100) x 3);
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $m->{port}) or die;
my $b1 = get($s, "$pre/x", apreq_token('SPNCHECK.TEST', 'HTTP', 'secret-internal.spncheck.test'));
unlike($b1, qr/spncheck-cause/, 'the failure at detail none: no cause');
my $b2 = get($s, "$pre/debug", undef);
unlike($b2, qr/spncheck-cause/, 'a tokenless request to ANOTHER path (other scope) does not get that failure');
diag('retry at other path: cause=' . (cause_of({ body => $b2 }) // 'none')
     . ($b2 =~ /secret-internal/ ? ' (names the SPN of the earlier request)' : ''));
$m->stop;
done_testing();

# errordoc.t: the configurations admins run.  A local ErrorDocument 401
# (static, Debian's localized type-map pages, SSI with `keep`, a string),
# an external one, ProxyErrorOverride in front of a Negotiate backend, and
# HTTP/2 (h2c, and h2 over TLS with a throwaway CA).  (An external URL for
# 401 is refused by httpd itself: AH00113, the directive is ignored, and
# the 401 keeps its WWW-Authenticate and gets httpd's page, or ours.)  Every scenario runs
# three times (module on, off, not loaded: t/lib/ThreeWay.pm) with the same
# statuses and WWW-Authenticate.  With the module on, a failed exchange gets
# the diagnosis (or the admin's page with `keep`, showing the cause through
# REDIRECT_SPNCHECK_CAUSE), a first leg keeps the admin's page, and each
# failure is counted and logged exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SpnTest;
use MiniHttpd;
use ThreeWay;
use TestCA;
use File::Temp ();
use MIME::Base64 ();

my $realm = realm_dir();
my $host = 'wrong.spncheck.test';
my $kt = "$realm/wrong.keytab";
my $ca = TestCA->new(names => [$host]);
my $tls = MiniHttpd::free_port();

# Debian's localized-error-pages.conf with its multi-language block
# uncommented, as an admin does (the block follows "uncomment the following").
my $deb = '/etc/apache2/conf-available/localized-error-pages.conf';
my @lines = do { open(my $f, '<', $deb) or die "$deb: $!"; <$f> };
my ($at) = grep { $lines[$_] =~ /^#<IfModule mod_negotiation\.c>/ } 0 .. $#lines;
my ($depth, $localized) = (0, '');
for my $l (@lines[$at .. $#lines]) {
    (my $u = $l) =~ s/^#//;
    $localized .= $u;
    $depth++ if $u =~ /^\s*<IfModule/;
    last if $u =~ m{^\s*</IfModule>} && --$depth == 0;
}
like($localized, qr{ErrorDocument 401 /error/HTTP_UNAUTHORIZED\.html\.var}, "Debian's block, uncommented");

my $auth = gssapi_conf($kt, 'errordoc');
my $check = spncheck_conf($host, $kt, detail => 'full', account => 'SPNCHECK\apppool');
my $site = <<"SITE";
Protocols h2c http/1.1
$localized
SPNCheckHistory 100
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
<Location /errors/>
    Options +IncludesNoExec
    AddOutputFilter INCLUDES .shtml
</Location>
<Location /site/>
$auth$check</Location>
<Location /site/plain/>
    ErrorDocument 401 default
</Location>
<Location /site/static/>
    ErrorDocument 401 /errors/401.html
</Location>
<Location /site/ssi-keep/>
    ErrorDocument 401 /errors/401.shtml
    SPNCheckErrorDocument keep
</Location>
<Location /errors/cgi/>
    Options +ExecCGI
    SetHandler cgi-script
</Location>
<Location /site/cgi/>
    ErrorDocument 401 /errors/cgi/401.cgi
</Location>
<Location /site/cgi-keep/>
    ErrorDocument 401 /errors/cgi/401.cgi
    SPNCheckErrorDocument keep
</Location>
<Location /site/ssi-replace/>
    ErrorDocument 401 /errors/401.shtml
</Location>
<Location /site/string/>
    ErrorDocument 401 "custom 401 text"
</Location>
<Location /site/external/>
    ErrorDocument 401 http://elsewhere.invalid/401.html
</Location>
# The backend stands in for IIS: it authenticates by itself.
<Location /backend/>
$auth</Location>
<Location /front/>
    ProxyPass http://127.0.0.1:\${MINI_PORT}/backend/
    ProxyPreserveHost On
    ProxyErrorOverride On
$check</Location>
<Location /front-plain/>
    ProxyPass http://127.0.0.1:\${MINI_PORT}/backend/
    ProxyPreserveHost On
    ProxyErrorOverride On
    ErrorDocument 401 default
$check</Location>
Listen 127.0.0.1:$tls
<VirtualHost 127.0.0.1:$tls>
    ServerName $host
    SSLEngine on
    SSLCertificateFile $ca->{cert}
    SSLCertificateKeyFile $ca->{key}
    Protocols h2 http/1.1
</VirtualHost>
SITE

my @mods = qw(include negotiation alias access_compat proxy proxy_http http2 ssl socache_shmcb cgid);
my $setup = sub {
    my ($m) = @_;
    my $d = "$m->{dir}/htdocs";
    mkdir "$d/$_" for qw(errors errors/cgi site backend),
        map { "site/$_" } qw(plain static ssi-keep ssi-keep/inner ssi-replace string external cgi cgi-keep);
    my %f = ('errors/401.html' => "ADMIN-401-PAGE\n",
             'errors/401.shtml' => "ADMIN-SSI cause=<!--#echo var=\"REDIRECT_SPNCHECK_CAUSE\" --> "
                 . "title=<!--#echo var=\"REDIRECT_SPNCHECK_TITLE\" --> "
                 . "ref=<!--#echo var=\"REDIRECT_SPNCHECK_REF\" -->\n");
    $f{'errors/cgi/401.cgi'} = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
        . "echo \"ADMIN-CGI cause=\$REDIRECT_SPNCHECK_CAUSE status=\$REDIRECT_STATUS\"\n";
    for (keys %f) { open(my $o, '>', "$d/$_") or die; print $o $f{$_}; close $o }
    chmod 0755, "$d/errors/cgi/401.cgi";
    # the port is known only now: the proxy points at this httpd's own backend
    my $conf = do { local (@ARGV, $/) = "$m->{dir}/httpd.conf"; <> };
    $conf =~ s/\$\{MINI_PORT\}/$m->{port}/g;
    open(my $o, '>', "$m->{dir}/httpd.conf") or die;
    print $o $conf;
};

my @h2c = (curl => ['--http2-prior-knowledge']);
my @h2 = (scheme => 'https', port => $tls, curl => ['--http2', '--cacert', $ca->{ca}]);
my @scenarios = (
    # name, path, user, extra fetch options
    ['static, first leg', '/site/static/', undef],
    ['static', '/site/static/', 'alice'],
    ['localized type-map, first leg', '/site/', undef],
    ['localized type-map', '/site/', 'alice'],
    ['httpd default page', '/site/plain/', 'alice'],
    ['SSI keep, first leg', '/site/ssi-keep/', undef],
    ['SSI keep', '/site/ssi-keep/', 'alice'],
    ['SSI keep, inherited', '/site/ssi-keep/inner/', 'alice'],
    ['SSI replace', '/site/ssi-replace/', 'alice'],
    ['CGI replace', '/site/cgi/', 'alice'],
    ['CGI keep', '/site/cgi-keep/', 'alice'],
    ['string, first leg', '/site/string/', undef],
    ['string', '/site/string/', 'alice'],
    ['external URL', '/site/external/', 'alice'],
    ['ProxyErrorOverride + localized', '/front/', 'alice'],
    ['ProxyErrorOverride + default page', '/front-plain/', 'alice'],
    ['h2c static', '/site/static/', 'alice', @h2c],
    ['h2c default page', '/site/plain/', 'alice', @h2c],
    ['h2 over TLS static', '/site/static/', 'alice', @h2],
    ['h2 over TLS localized, first leg', '/site/', undef, @h2],
);
# Over one h2c connection: a failing token, then a tokenless request (the
# retry) with the same or another User-Agent.  Returns the two bodies.
sub h2_retry {
    my ($port, $tok, $ua2) = @_;
    my $d = File::Temp::tempdir(CLEANUP => 1);
    open(my $in, '>', "$d/in") or die;
    print $in "UA-1\t$tok\n$ua2\t\n";
    close $in;
    my @out = `/usr/bin/python3 $FindBin::Bin/lib/h2pair.py $host $port /site/ < $d/in`;
    return map { (split /\t/)[1] // '' } @out;
}
my ($status, @h2same, @h2other);
my ($on, $log) = three_way(
    site => $site,
    mini => { realm => $realm, module => $ENV{SPNCHECK_MODULE}, mpm => 'event', mods => \@mods },
    setup => $setup,
    run => sub {
        my ($m) = @_;
        my @r = map {
            my ($name, $path, $user, %o) = @$_;
            [$name, fetch($host, $path, port => $m->{port}, $user ? (user => $user) : (), %o)]
        } @scenarios;
        if ($m->{mode} eq 'on') {
            my ($tok) = grep { /^Negotiate / } @{$r[1][1]{sent}};
            @h2same = h2_retry($m->{port}, $tok, 'UA-1');
            @h2other = h2_retry($m->{port}, $tok, 'UA-2');
            $status = fetch($host, '/spncheck-status?format=json', port => $m->{port});
        }
        return \@r;
    });

my %cause = map { $_ => cause_of($on->{$_}) // 'none' } keys %$on;
for my $n ('static', 'localized type-map', 'httpd default page', 'SSI replace', 'CGI replace', 'string',
           'external URL',
           'ProxyErrorOverride + localized', 'ProxyErrorOverride + default page',
           'h2c static', 'h2c default page', 'h2 over TLS static') {
    is($on->{$n}{status}, 401, "$n: 401");
    is($cause{$n}, 'spn-wrong-account', "$n: the diagnosis replaces the error document");
    unlike($on->{$n}{body}, qr/ADMIN-|custom 401 text|Authentication required/i, "$n: and nothing of it");
}
like($on->{'static, first leg'}{body}, qr/^ADMIN-401-PAGE$/, 'first leg: the admin\'s static page');
like($on->{'localized type-map, first leg'}{body}, qr/Authentication required!/,
     "first leg: Debian's localized page");
like($on->{'string, first leg'}{body}, qr/^custom 401 text/, 'first leg: the admin\'s string');
like($on->{'SSI keep'}{body},
     qr/^ADMIN-SSI cause=spn-wrong-account title=\S.* ref=[A-Z2-9]{4}-[A-Z2-9]{4}\@[A-Za-z0-9][A-Za-z0-9._-]*$/m,
     'keep: the admin\'s SSI page, showing REDIRECT_SPNCHECK_CAUSE, _TITLE and _REF');
like($log, qr/AH00113: .*cannot use a full URL in a 401 ErrorDocument/,
     'external URL: httpd itself refuses it at start-up');
like($on->{'SSI keep, inherited'}{body}, qr/^ADMIN-SSI cause=spn-wrong-account/m,
     'keep is inherited by a Location below');
like($on->{'CGI keep'}{body}, qr/^ADMIN-CGI cause=spn-wrong-account status=401$/m,
     'keep: a CGI error page sees REDIRECT_SPNCHECK_CAUSE');
like($on->{'SSI keep, first leg'}{body}, qr/^ADMIN-SSI cause=\(none\)/m, 'keep, first leg: no cause');
is($on->{'h2c static'}{proto}, 'HTTP/2', 'h2c: spoken');
is($on->{'h2 over TLS static'}{proto}, 'HTTP/2', 'h2 over TLS: spoken');
like($on->{'h2 over TLS localized, first leg'}{body}, qr/Authentication required!/,
     'h2 over TLS, first leg: the localized page');

# The retry over h2c: same master connection and client, the page again.
@$_ = map { MIME::Base64::decode_base64($_) } @$_ for \@h2same, \@h2other;
is(scalar(@h2same) + scalar(@h2other), 4, 'h2c: two requests on each of two connections');
is(cause_of({ body => $h2same[0] }), 'spn-wrong-account', 'h2c: the token fails');
is(cause_of({ body => $h2same[1] }), 'spn-wrong-account', 'h2c: the tokenless retry on that connection gets the page');
is(cause_of({ body => $h2other[1] }), undef, 'h2c: another User-Agent on that connection does not');
like($h2other[1], qr/Authentication required!/, '(it gets the admin\'s first-leg page)');

# Counted and logged once per failed exchange, through redirects and streams
# (the scenarios and the two h2c failures above).
# (Log lines: at most SPN_LOG_BURST = 10 per cause per minute.)
my $failed = 2 + scalar(grep { $_->[2] } @scenarios);
my ($total) = $status->{body} =~ /"failures_total":(\d+)/;
is($total, $failed, "status page: $failed failures counted, once each");
my @recent = $status->{body} =~ /"ref":"([^"]+)"/g;
my %recent = map { $_ => 1 } @recent;
is(scalar keys %recent, $failed, 'each recorded with a reference of its own');
my @lines10 = $log =~ /(SPN00010: failed Negotiate exchange[^\n]*)/g;
is(scalar @lines10, 10, 'SPN00010 log lines up to the rate limit');
is(scalar(grep { /ref=(\S+)/ && $recent{$1} } @lines10), 10, 'each the log line of a recorded failure');
my %logged = map { /ref=(\S+)/ ? ($1 => 1) : () } @lines10;
is(scalar keys %logged, 10, 'none logged twice');
my ($ssiref) = $on->{'SSI keep'}{body} =~ /ref=(\S+)$/m;
ok($recent{$ssiref}, 'REDIRECT_SPNCHECK_REF is the recorded reference');
unlike($log, qr/exit signal|AH00052/, 'no child died');

done_testing();

# toolarge.t: token-too-large (issue 12, section 2).  httpd refuses a
# header field over LimitRequestFieldSize with 400 while it reads the
# request, before any auth module runs.  A real Kerberos token (curl
# --negotiate as alice, from the sandbox realm) sent to a virtual host whose
# LimitRequestFieldSize is lower than the token: still 400, and the page
# says token-too-large with the size, the limit and the fix.  A plain
# oversized Cookie: 400 and httpd's own page, as with the module off or not
# loaded (ThreeWay).  And a backend (standing in for IIS, with a low header
# limit) that answers 400 to a proxied request with a large token.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use SpnTest;
use MiniHttpd;
use ThreeWay;
use TestCA;
use IO::Socket::INET;

plan tests => 65 + 17;

my $dir = realm_dir();
my $host = 'web01.spncheck.test';
my $limit = 512;

# The token curl sends is ~700+ bytes of base64: over the limit.
my $site = <<"SITE";
<VirtualHost *:*>
    ServerName $host
    LimitRequestFieldSize $limit
    SPNCheck On
    SPNCheckDetail full
    SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST
    SPNCheckKeytab $dir/web01.keytab
    <Location />
@{[ gssapi_conf("$dir/web01.keytab") ]}    </Location>
    <Location /spncheck-status>
        SetHandler spncheck-status
        Require ip 127.0.0.1
    </Location>
</VirtualHost>
SITE

my (%body, %json);
my $cookie = 'Cookie: big=' . ('c' x 2000);
my ($res, $log) = three_way(
    site => $site,
    mini => { realm => $dir, module => $ENV{SPNCHECK_MODULE} },
    run => sub {
        my ($m) = @_;
        my $neg = fetch($host, '/', user => 'alice', port => $m->{port});
        my $ck = fetch($host, '/', header => $cookie, port => $m->{port});
        my $ok = fetch($host, '/', header => 'Authorization: Negotiate YIIBxw==', port => $m->{port});
        $body{$m->{mode}} = { neg => $neg, cookie => $ck };
        if ($m->{mode} eq 'on') {
            my $s = fetch('127.0.0.1', '/spncheck-status?format=json', port => $m->{port});
            $json{on} = eval { JSON::PP::decode_json($s->{body}) } || {};
        }
        return [['real Negotiate token over the limit', $neg], ['oversized Cookie', $ck],
                ['small malformed token', $ok]];
    });

my $neg = $res->{'real Negotiate token over the limit'};
my ($sent) = @{$neg->{sent}};
ok($sent && length("Authorization: $sent") > $limit,
   'curl sent a real Negotiate token longer than LimitRequestFieldSize (' . length($sent // '') . ' bytes)');
is($neg->{status}, 400, 'status stays 400');
is(cause_of($neg), 'token-too-large', 'cause token-too-large');
like($neg->{body}, qr/(?:more than )?\d+ bytes/, 'the page says how much arrived (at least)');
like($neg->{body}, qr/\b$limit bytes/, 'the page says the limit');
like($neg->{body}, qr/LimitRequestFieldSize 65536/, 'the fix on this httpd');
unlike($neg->{body}, qr/MaxFieldLength/, 'no IIS here: no HTTP.sys step');
unlike($neg->{body}, qr/MaxRequestBytes/, 'nor MaxRequestBytes');
like($neg->{body}, qr/groups/, 'the reason: group memberships');
like($neg->{body}, qr/Request Header too long/, "Microsoft's name for it");
like($neg->{body}, qr/HTTP 400/, 'the page says 400, not 401');
like($neg->{ctype}, qr{text/html}, 'an HTML page');
unlike($body{off}{neg}{body}, qr/spncheck/i, 'SPNCheck Off: httpd\'s own 400 page');
is($body{off}{neg}{body}, $body{none}{neg}{body}, '  the same as without the module');
like($body{none}{neg}{body}, qr/Bad Request/, '  (which is the stock Bad Request page)');

my $ck = $res->{'oversized Cookie'};
is($ck->{status}, 400, 'oversized Cookie: 400');
is($ck->{body}, $body{none}{cookie}{body}, 'oversized Cookie: the body untouched (as without the module)');
is(cause_of($ck), undef, 'oversized Cookie: no diagnosis');

is($json{on}{counters}{'token-too-large'}, 1, 'status page: counted once');
my ($f) = grep { $_->{cause} eq 'token-too-large' } @{$json{on}{recent} || []};
ok($f, 'status page: in the recent failures');
like($log, qr/SPN00010: failed Negotiate exchange ref=\S+ cause=token-too-large .*size=\d+ limit=$limit/,
     'error log: SPN00010 with size and limit');

# Detail summary: the sizes (the user's own token), no remedies.
{
    (my $s = $site) =~ s/SPNCheckDetail full/SPNCheckDetail summary/;
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $s);
    $m->start;
    my $r = fetch($host, '/', user => 'alice', port => $m->{port});
    $m->stop;
    is($r->{status}, 400, 'summary: 400');
    is(cause_of($r), 'token-too-large', 'summary: token-too-large');
    like($r->{body}, qr/(?:more than )?\d+ bytes.*\b$limit bytes/s, 'summary: size and limit');
    unlike($r->{body}, qr/web01\.keytab/, 'summary: no keytab path');
}

# Over TLS: the watch sits above mod_ssl and reads the decrypted lines.
{
    my $ca = TestCA->new(names => [$host]);
    (my $s = $site) =~ s/(    SPNCheck On\n)/    SSLEngine on\n    SSLCertificateFile $ca->{cert}\n    SSLCertificateKeyFile $ca->{key}\n$1/;
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $s,
                           mods => [qw(ssl socache_shmcb)]);
    $m->start;
    my $r = fetch($host, '/', user => 'alice', port => $m->{port}, scheme => 'https',
                  curl => ['--cacert', $ca->{ca}]);
    my $c = fetch($host, '/', header => $cookie, port => $m->{port}, scheme => 'https',
                  curl => ['--cacert', $ca->{ca}]);
    $m->stop;
    is($r->{status}, 400, 'TLS: 400');
    is(cause_of($r), 'token-too-large', 'TLS: token-too-large');
    is(cause_of($c), undef, 'TLS: an oversized Cookie is left alone');
}

# An admin's ErrorDocument 400: "text" gives way to the diagnosis unless
# SPNCheckErrorDocument keep; a local page is served as it is.
for my $case (['text, replace', qq{ErrorDocument 400 "custom four hundred"}, 'token-too-large'],
              ['text, keep', qq{ErrorDocument 400 "custom four hundred"\n    SPNCheckErrorDocument keep}, undef],
              ['local page, replace', "ErrorDocument 400 /e400.html", 'token-too-large'],
              ['local page, keep', "ErrorDocument 400 /e400.html\n    SPNCheckErrorDocument keep", undef]) {
    my ($name, $lines, $want) = @$case;
    (my $s = $site) =~ s/(    SPNCheck On\n)/$1    $lines\n/;
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $s);
    open(my $e, '>', "$m->{dir}/htdocs/e400.html") or die;
    print $e "admin's 400 page\n";
    close $e;
    $m->start;
    my $r = fetch($host, '/', user => 'alice', port => $m->{port});
    $m->stop;
    is($r->{status}, 400, "ErrorDocument 400 ($name): 400");
    if ($want) {
        is(cause_of($r), $want, "ErrorDocument 400 ($name): the diagnosis");
    }
    else {
        is(cause_of($r), undef, "ErrorDocument 400 ($name): no diagnosis");
        like($r->{body}, qr/custom four hundred|admin's 400 page|Bad Request/,
             "ErrorDocument 400 ($name): the page httpd serves") or diag $r->{body};
        diag "ErrorDocument 400 ($name): httpd served: " . join(' ', $r->{body} =~ /(custom four hundred|admin's 400 page|Bad Request)/);
    }
}

# A backend that answers 400 to a large token (IIS's HTTP.sys with its
# limits stands in as an httpd with a low LimitRequestFieldSize).
my $back = MiniHttpd->new(realm => $dir, without => 1, site => <<"BACK");
LimitRequestFieldSize 4000
<Location />
    Require all granted
</Location>
BACK
$back->start;
my $front_site = <<"FRONT";
LimitRequestFieldSize 65536
<Location />
    ProxyPass http://127.0.0.1:$back->{port}/
    SPNCheck On
    SPNCheckDetail full
    SPNCheckServicePrincipal HTTP/iis-ok.spncheck.test\@SPNCHECK.TEST
    SPNCheckKeytab $dir/iis-ok.keytab
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
FRONT
my $big = apreq_token('SPNCHECK.TEST', 'HTTP', 'iis-ok.spncheck.test' . ('.x' x 2200));
my $small = apreq_token('SPNCHECK.TEST', 'HTTP', 'iis-ok.spncheck.test');
my %pb;
my ($pres) = three_way(
    site => $front_site,
    mini => { realm => $dir, module => $ENV{SPNCHECK_MODULE}, mods => [qw(proxy proxy_http)] },
    run => sub {
        my ($m) = @_;
        my $b = fetch('iis-ok.spncheck.test', '/', header => "Authorization: $big", port => $m->{port});
        my $s = fetch('iis-ok.spncheck.test', '/', port => $m->{port},
                      curl => ['-H', "Authorization: $small", '-H', 'Cookie: big=' . ('c' x 5000)]);
        my $p = fetch('iis-ok.spncheck.test', '/', header => "Authorization: $small", port => $m->{port});
        $pb{$m->{mode}} = { big => $b, small => $s };
        return [['proxied: large token, backend 400', $b], ['proxied: small token, big cookie, backend 400', $s],
                ['proxied: small token, backend 200', $p]];
    });
$back->stop;
cmp_ok(length("Authorization: $big"), '>=', 4096, 'the large token is over 4096 bytes');
my $pbig = $pres->{'proxied: large token, backend 400'};
is($pbig->{status}, 400, "proxied large token: the backend's 400 passes");
is(cause_of($pbig), 'token-too-large', 'proxied large token: token-too-large');
like($pbig->{body}, qr/the backend server/, 'proxied: the page blames the backend');
like($pbig->{body}, qr/If the backend is IIS[^<]*MaxFieldLength/, 'proxied, backend not known as IIS: the IIS fix as a note');
like($pbig->{body}, qr/\b\Q@{[ length("Authorization: $big") ]}\E bytes/, 'proxied: the exact size');
unlike($pb{none}{big}{body}, qr/spncheck/i, 'proxied, module not loaded: the backend\'s body');
my $psmall = $pres->{'proxied: small token, big cookie, backend 400'};
is($psmall->{status}, 400, 'proxied small token + big cookie: 400');
is($psmall->{body}, $pb{none}{small}{body}, '  the backend\'s body untouched');
is($pres->{'proxied: small token, backend 200'}{status}, 200, 'proxied small token: 200 passes');

# A backend that read the large token and authenticated with it (its 400
# carries its WWW-Authenticate: mutual authentication), then refused the
# request for a reason of its own (an API's validation error, JSON): that
# 400 is the application's, not a header limit, and passes untouched.
{
    my $json = '{"error":"invalid order"}';
    my $app = MiniHttpd->new(realm => $dir, without => 1, mods => [qw(headers rewrite)], site => <<"APP");
LimitRequestFieldSize 65536
ErrorDocument 400 '$json'
<Location />
    Require all granted
    Header always set WWW-Authenticate "Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="
    RewriteEngine On
    RewriteRule ^ - [R=400]
</Location>
APP
    $app->start;
    (my $s = $front_site) =~ s/127\.0\.0\.1:\Q$back->{port}\E/127.0.0.1:$app->{port}/;
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $s,
                           mods => [qw(proxy proxy_http)]);
    $m->start;
    my $r = fetch('iis-ok.spncheck.test', '/orders', header => "Authorization: $big", port => $m->{port});
    $m->stop;
    $app->stop;
    is($r->{status}, 400, "authenticated at the backend, then its own 400: 400");
    is(cause_of($r), undef, '  no token-too-large: the backend read the token');
    is($r->{body}, $json, "  the backend's body untouched") or diag $app->log;
}

# The 400 the page filter now stands for is its own (token-too-large): a
# 401's error document that answers with another status keeps its body,
# 400 included (a CGI login page that says 400).
{
    my $wk = "$dir/wrong.keytab";
    my $wsite = "<Location /site/>\n" . gssapi_conf($wk) . spncheck_conf('wrong.spncheck.test', $wk)
        . "    SPNCheckDetail full\n    ErrorDocument 401 /errors/login.cgi\n</Location>\n"
        . "<Location /errors/>\n    Options +ExecCGI\n    SetHandler cgi-script\n</Location>\n";
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $wsite,
                           mods => [qw(cgid)]);
    mkdir "$m->{dir}/htdocs/$_" for qw(site errors);
    open(my $c, '>', "$m->{dir}/htdocs/errors/login.cgi") or die;
    print $c "#!/bin/sh\nprintf 'Status: 400 Bad Request\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\n"
        . "echo CGI-LOGIN-400\n";
    close $c;
    chmod 0755, "$m->{dir}/htdocs/errors/login.cgi";
    $m->start;
    my $r = fetch('wrong.spncheck.test', '/site/', user => 'alice', port => $m->{port});
    $m->stop;
    is($r->{status}, 400, "a 401's error document that answers 400: its status");
    like($r->{body}, qr/^CGI-LOGIN-400$/m, '  and its own body') or diag $r->{body};
}

# Raw requests on a socket of their own: the bytes exactly as sent.
sub raw_request {
    my ($port, $req) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die "connect: $!";
    print $s $req;
    shutdown($s, 1);
    my $resp = do { local $/; <$s> } // '';
    my ($st) = $resp =~ m{^HTTP/1\.\d (\d+)};
    my ($body) = $resp =~ /\r\n\r\n(.*)\z/s;
    return { status => $st // 0, body => $body // '', raw => $resp, www => [] };
}

# Issue 19, finding 4a: an oversized "Authorization: Negotiate" in a
# chunked request's trailer, to a CGI without authentication.  httpd holds
# a trailer line to LimitRequestFieldSize too, and answers 400; but a
# trailer is not the sign-in header: no diagnosis, nothing counted, and
# httpd's own 400 byte for byte as with the module off or not loaded.
{
    my $tsite = <<"TSITE";
LimitRequestFieldSize $limit
SPNCheck On
SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST
SPNCheckKeytab $dir/web01.keytab
<Location /cgi/>
    Options +ExecCGI
    SetHandler cgi-script
    Require all granted
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
TSITE
    my $tok = 'Negotiate ' . ('QUFB' x 200);            # 810 bytes: over 512
    my (%tb, $counted);
    my ($tres) = three_way(
        site => $tsite,
        mini => { realm => $dir, module => $ENV{SPNCHECK_MODULE}, mods => [qw(cgid)] },
        setup => sub {
            my ($m) = @_;
            mkdir "$m->{dir}/htdocs/cgi";
            open(my $c, '>', "$m->{dir}/htdocs/cgi/echo.cgi") or die;
            print $c "#!/bin/sh\ncat >/dev/null\nprintf 'Content-Type: text/plain\\r\\n\\r\\nCGI-READ\\n'\n";
            close $c;
            chmod 0755, "$m->{dir}/htdocs/cgi/echo.cgi";
        },
        run => sub {
            my ($m) = @_;
            my $r = raw_request($m->{port}, "POST /cgi/echo.cgi HTTP/1.1\r\nHost: $host\r\n"
                . "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
                . "5\r\nhello\r\n0\r\nAuthorization: $tok\r\n\r\n");
            my $ok = raw_request($m->{port}, "POST /cgi/echo.cgi HTTP/1.1\r\nHost: $host\r\n"
                . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                . "5\r\nhello\r\n0\r\nX-Small: 1\r\n\r\n");
            $tb{$m->{mode}} = $r;
            if ($m->{mode} eq 'on') {
                my $s = fetch('127.0.0.1', '/spncheck-status?format=json', port => $m->{port});
                my $j = eval { JSON::PP::decode_json($s->{body}) } || {};
                $counted = $j->{counters}{'token-too-large'} // 0;
            }
            return [['chunked trailer with a large Negotiate', $r], ['chunked trailer, small', $ok]];
        });
    my $t = $tres->{'chunked trailer with a large Negotiate'};
    is($t->{status}, 400, 'large Negotiate in a chunked trailer: httpd\'s 400');
    is(cause_of($t), undef, '  no diagnosis (a trailer is not the sign-in header)');
    is($t->{body}, $tb{none}{body}, '  the body byte for byte as without the module');
    is($t->{body}, $tb{off}{body}, '  and as with SPNCheck Off');
    is($counted, 0, '  not counted as token-too-large');
    like($tres->{'chunked trailer, small'}{body}, qr/CGI-READ/, 'a small trailer: the CGI answers');
}

# Issue 19, finding 4b: the size shown is the field's, whether its line
# ends in CRLF or in a bare LF.
{
    my $m = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $site);
    $m->start;
    my $field = 'Authorization: Negotiate ' . ('QUFB' x 200);     # 825 bytes
    my $len = length $field;
    my %r;
    for my $eol (["CRLF", "\r\n"], ["bare LF", "\n"]) {
        $r{$eol->[0]} = raw_request($m->{port}, "GET / HTTP/1.1\r\nHost: $host\r\n$field$eol->[1]"
                                    . "Connection: close\r\n\r\n");
    }
    my $log = $m->log;
    $m->stop;
    for my $eol ("CRLF", "bare LF") {
        my $r = $r{$eol};
        is($r->{status}, 400, "$eol: 400");
        is(cause_of($r), 'token-too-large', "$eol: token-too-large");
        like($r->{body}, qr/\b$len bytes/, "$eol: the page says $len bytes, the field's size")
            or diag join ' ', $r->{body} =~ /(\d+ bytes)/g;
    }
    my @sizes = $log =~ /cause=token-too-large .*?size=(\d+)/g;
    is("@sizes", "$len $len", "error log: size=$len twice");
}

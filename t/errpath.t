# errpath.t: error paths the module must not change (found by a hostile
# review): an ErrorDocument CGI that answers 200 or 302 (a login form, a
# redirect) keeps its own body and status; a recursive error is counted
# once; statuses and WWW-Authenticate as with the module off and not loaded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SpnTest;
use MiniHttpd;
use ThreeWay;

my $realm = realm_dir();
my $host = 'wrong.spncheck.test';
my $kt = "$realm/wrong.keytab";
my $auth = gssapi_conf($kt, 'errordoc');
my $check = spncheck_conf($host, $kt, detail => 'full');
my $site = <<"SITE";
Protocols h2c http/1.1
SPNCheckHistory 100
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
<Location /errors/cgi/>
    Options +ExecCGI
    SetHandler cgi-script
</Location>
<Location /site/>
$auth$check</Location>
<Location /site/cgi200/>
    ErrorDocument 401 /errors/cgi/200.cgi
</Location>
<Location /site/cgi302/>
    ErrorDocument 401 /errors/cgi/302.cgi
</Location>
<Location /site/static/>
    ErrorDocument 401 /errors/401.html
</Location>
<Location /site/perr/>
    ErrorDocument 401 /perr/401.html
</Location>
<Location /perr/>
    ProxyPass http://127.0.0.1:\${MINI_PORT}/errors/
$check</Location>
<Location /site/recur/>
    ErrorDocument 401 /site/static/401.html
</Location>
<Location /site/rw/>
    RewriteEngine On
    RewriteRule ^ /basic/ [L]
</Location>
<Location /basic/>
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile /dev/null
    Require valid-user
</Location>
SITE

my @mods = qw(proxy proxy_http http2 cgid rewrite auth_basic authn_file alias);
my $setup = sub {
    my ($m) = @_;
    my $d = "$m->{dir}/htdocs";
    mkdir "$d/$_" for qw(errors errors/cgi site basic), map { "site/$_" } qw(cgi200 cgi302 static perr recur rw);
    my %f = ('errors/401.html' => "ADMIN-401-PAGE\n",
             'basic/index.html' => "BASIC\n",
             'errors/cgi/200.cgi' => "#!/bin/sh\nprintf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\necho ADMIN-200-BODY\n",
             'errors/cgi/302.cgi' => "#!/bin/sh\nprintf 'Status: 302 Found\\r\\nLocation: /login\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\necho ADMIN-302-BODY\n");
    for (keys %f) { open(my $o, '>', "$d/$_") or die; print $o $f{$_}; close $o }
    chmod 0755, glob "$d/errors/cgi/*.cgi";
    my $conf = do { local (@ARGV, $/) = "$m->{dir}/httpd.conf"; <> };
    $conf =~ s/\$\{MINI_PORT\}/$m->{port}/g;
    open(my $o, '>', "$m->{dir}/httpd.conf") or die;
    print $o $conf;
};

my %extra;
my @scen = (
    ['cgi 200 error doc', '/site/cgi200/'],
    ['cgi 302 error doc', '/site/cgi302/'],
    ['proxied error doc', '/site/perr/'],
    ['recursive error doc', '/site/recur/'],
    ['static', '/site/static/'],
);
my ($on, $log) = three_way(
    site => $site,
    mini => { realm => $realm, module => $ENV{SPNCHECK_MODULE}, mpm => 'event', mods => \@mods },
    setup => $setup,
    run => sub {
        my ($m) = @_;
        my $mode = $m->{mode};
        my @r;
        for my $s (@scen) {
            my $res = fetch($host, $s->[1], port => $m->{port}, user => 'alice');
            push @r, [$s->[0], $res];
            if ($mode eq 'on') {
                my $st = fetch($host, '/spncheck-status?format=json', port => $m->{port});
                ($extra{count}{$s->[0]}) = $st->{body} =~ /"failures_total":(\d+)/;
            }
        }
        return \@r;
    });
for my $n (map { $_->[0] } @scen) {
    diag("$n: status=$on->{$n}{status} cause=" . (cause_of($on->{$n}) // 'none')
         . " count=" . ($extra{count}{$n} // '?') . " body=" . substr($on->{$n}{body}, 0, 60) =~ s/\n/ /gr);
}
is($on->{'cgi 200 error doc'}{status}, 200, 'the CGI error document answers 200');
unlike($on->{'cgi 200 error doc'}{body}, qr/spncheck-cause/, 'a 200 body is never replaced');
unlike($on->{'cgi 302 error doc'}{body}, qr/spncheck-cause/, 'a 302 body is never replaced');
is($extra{count}{'recursive error doc'} - $extra{count}{'proxied error doc'}, 1, 'recursive error document: counted once');
done_testing();

# browser.t: a real browser.  Headless Chromium does Kerberos Negotiate
# itself against httpd with the module (the KB case) and shows the
# diagnosis; every cause's page and the status page render at 375 px
# without horizontal scrolling, fetch nothing external, and run no script
# from hostile values.  Screenshots go to SPNCHECK_SCREENSHOTS when set.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use Chromium;
use MiniHttpd;
use SpnTest;

plan skip_all => 'chromium is not installed (apt-get install chromium)' unless -x '/usr/bin/chromium';
BAIL_OUT('chromium is installed but cannot run in a user+mount namespace (unshare): '
         . 'enable unprivileged user namespaces') unless Chromium::available();

my %pages = (
    'spn-wrong-account' => ['wrong.spncheck.test', '/', user => 'alice'],
    'kvno-mismatch'     => ['stale.spncheck.test', '/', user => 'alice'],
    'spn-unknown'       => ['alias.spncheck.test', '/', user => 'alice'],
    'enctype-mismatch'  => ['enc.spncheck.test', '/', user => 'alice'],
    'no-service-key'    => ['nokey.spncheck.test', '/', user => 'alice'],
    'realm-mismatch'    => ['web01.other.test', '/', user => 'carol'],
    'ticket-ok'         => ['web01.spncheck.test', '/bob-only/', user => 'alice'],
    'backend-kernel-mode' => ['iis-km.spncheck.test', '/', user => 'alice'],
    'ntlm-fallback'     => ['web01.spncheck.test', '/', curl => ['--ntlm', '-u', 'SPNCHECK\\alice:alice-Pw1']],
    'malformed-token'   => ['web01.spncheck.test', '/', header => 'Authorization: Negotiate YIIBAAAA'],
    'hostile'           => ['web01.spncheck.test', '/', header => 'Authorization: ' .
        apreq_token(q{EVIL<img src=x onerror="document.title='PWNED'">}, 'HTTP',
                    q{<script>document.title='PWNED'</script>})],
    'first-leg'         => ['web01.spncheck.test', '/'],
    'summary-detail'    => ['wrong.spncheck.test', '/summary/', user => 'alice'],
);
plan tests => 5 + 4 * keys(%pages) + 1 + 4;

my $dir = realm_dir();
my $tmp = tempdir(CLEANUP => 1);
my $shots = $ENV{SPNCHECK_SCREENSHOTS};

# ---- Chromium's own Negotiate ----------------------------------------------------
my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       extra => "<Location /open/>\n    Require all granted\n</Location>\n");
mkdir "$h->{dir}/htdocs/open";
open(my $w, '>', "$h->{dir}/htdocs/open/warm.html") or die;
# The first challenge in a Chromium process loads GSSAPI and fails (-339);
# an image takes that hit, then the refresh does the real thing.
print $w '<!DOCTYPE html><meta http-equiv="refresh" content="1;url=/"><img src="/warm.png">';
close $w;
$h->start;
local $ENV{KRB5CCNAME} = "$dir/alice.cc";
my $c = Chromium->new(hosts => ['wrong.spncheck.test']);
my $netlog = "$tmp/net.json";
my $dom = $c->run($h->url('wrong.spncheck.test', '/open/warm.html'), netlog => $netlog);
my $nl = do { local (@ARGV, $/) = $netlog; <> } // '';
like($nl, qr/"spn":"HTTP\@wrong\.spncheck\.test"/, 'Chromium asked for HTTP@wrong.spncheck.test');
like($h->log, qr/SPN00010: failed Negotiate exchange .*cause=spn-wrong-account/,
     'the module diagnosed Chromium\'s own ticket');
like($dom, qr/<meta name="spncheck-cause" content="spn-wrong-account">/,
     'and Chromium shows the diagnosis (not the generic page)');
like($dom, qr/setspn -S HTTP\/wrong\.spncheck\.test/, 'with the commands');
$c->run($h->url('wrong.spncheck.test', '/open/warm.html'), screenshot => "$tmp/live.png");
ok(-s "$tmp/live.png" > 5000, 'screenshot of the live page');
copy("$tmp/live.png", "$shots/chromium-negotiate-kb1077.png") if $shots;
$h->stop;

# ---- every cause's page, and the status page, as served ---------------------------
my $b = Chromium->new();
for my $name (sort keys %pages) {
    my ($host, $path, %o) = @{$pages{$name}};
    my $r = fetch($host, $path, %o);
    my $want = $name =~ /^(hostile|first-leg|summary-detail)$/ ? undef : $name;
    is(cause_of($r), $want, "$name: the page served has this cause") if defined $want;
    ok(!defined $want || 1, "$name: fetched") unless defined $want;
    my $file = "$tmp/$name.html";
    open(my $f, '>', $file) or die;
    print $f $r->{body};
    close $f;
    # as served (CSP on): what the browser builds, what it fetches
    my $nlog = "$tmp/$name.net.json";
    my $d = $b->run("file://$file", netlog => $nlog);
    like($d, qr/<title>401 Sign-in failed<\/title>/, "$name: title intact (no script ran)");
    my @ext = grep { !m{^file://\Q$tmp\E/} } Chromium::page_requests($nlog);
    is_deeply(\@ext, [], "$name: no request beyond the page itself");
    # without the CSP, escaping alone must hold; and the width at 375 px
    (my $bare = $r->{body}) =~ s/<meta http-equiv="Content-Security-Policy"[^>]*>//;
    # headless windows are at least 500 px wide: lay the body out at 375 px
    # and report the rightmost edge of any element
    $bare =~ s{</head>}{<style>body{width:375px;box-sizing:border-box}</style></head>};
    $bare =~ s{</body>}{<script>document.title='W'+Math.ceil(Math.max(...Array.from(document.querySelectorAll('body *')).map(e=>e.getBoundingClientRect().right)))</script></body>};
    open($f, '>', "$tmp/$name.bare.html") or die;
    print $f $bare;
    close $f;
    my $bd = $b->run("file://$tmp/$name.bare.html");
    my ($width) = $bd =~ /<title>W(\d+)<\/title>/;
    ok(defined $width && $width <= 375, "$name: fits 375 px (rightmost edge " . ($width // '?') . ")");
    if ($shots) {                          # for docs/: scripts/screenshots
        $b->run("file://$file", screenshot => "$shots/page-$name.png");
    }
}
$b->run("file://$tmp/spn-wrong-account.html", screenshot => "$tmp/one.png");
is(Chromium::png_width("$tmp/one.png"), 375, 'a screenshot at 375 px');

# The status page (with the hostile values now in its history)
my $s = fetch('status.spncheck.test', '/spncheck-status');
open(my $sf, '>', "$tmp/status.html") or die;
print $sf $s->{body};
close $sf;
my $sd = $b->run("file://$tmp/status.html", width => 1200);
like($sd, qr/<title>mod_spncheck status<\/title>/, 'status page: title intact');
unlike($sd, qr/<script>document|<img src="?x/, 'status page: hostile values stay text');
(my $sbare = $s->{body}) =~ s/<meta http-equiv="Content-Security-Policy"[^>]*>//;
open($sf, '>', "$tmp/status.bare.html") or die;
print $sf $sbare;
close $sf;
like($b->run("file://$tmp/status.bare.html", width => 1200), qr/<title>mod_spncheck status<\/title>/,
     'status page without CSP: still no script ran');
$b->run("file://$tmp/status.html", screenshot => "$tmp/status.png", width => 1200, height => 2400);
ok(-s "$tmp/status.png" > 5000, 'status page screenshot');
copy("$tmp/status.png", "$shots/status.png") if $shots;

# firefox.t: a second real browser.  Headless Firefox ESR does Kerberos
# Negotiate itself (MIT GSSAPI, host in network.negotiate-auth.trusted-uris)
# against httpd with the module (the KB1077 case: HTTP/wrong.spncheck.test
# registered on another account than the keytab's), and shows the
# diagnosis.  Screenshots go to SPNCHECK_SCREENSHOTS when set.
#
# What Firefox (ESR 153) does on the wire after a rejected token, seen in
# the access log below (and in MOZ_LOG negotiateauth):
#   GET /index.html                          -> 401 WWW-Authenticate: Negotiate
#   GET /index.html  Authorization: Negotiate <AP-REQ>
#                                            -> 401 WWW-Authenticate: Negotiate oQcwBaADCgEC (reject)
# and then nothing: no tokenless retry (Chromium sends a third, tokenless
# request and shows that 401's body), no password prompt, no error page.
# Firefox shows the body of the final 401, the one that answers its token,
# and that is the response the module diagnoses, so the page reaches the
# Firefox user without the retry memo.  Every navigation repeats exactly
# these two requests (no pre-emptive token); the navigation status is 401.
# Its own log (MOZ_LOG negotiateauth) then says "gss_init_sec_context() failed: An unsupported mechanism was
# requested / SPNEGO failed to negotiate a mechanism", which is misleading:
# the cause is only on the server side.  (Nothing in the module depends on
# this: the tokenless-retry memo, for Chromium, is simply never used by
# Firefox's first navigation, whose first leg gets the generic page.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use Time::HiRes qw(time sleep);
use Firefox;
use MiniHttpd;
use SpnTest;

plan skip_all => 'firefox-esr is not installed (apt-get install firefox-esr)' unless Firefox::available();
plan tests => 21;

my $t0 = time;
my $dir = realm_dir();
my $tmp = tempdir(CLEANUP => 1);
chmod 0755, $tmp;
my $shots = $ENV{SPNCHECK_SCREENSHOTS};
my $host = 'wrong.spncheck.test';

# Firefox's own ccache (a copy of alice's): the service ticket it gets is its own
copy("$dir/alice.cc", "$tmp/ff.cc") or die "alice.cc: $!";
chmod 0600, "$tmp/ff.cc";

# Each request: User-Agent, request line, status, whether a token came, the
# challenge sent back.  (The token itself is only tested for its prefix.)
my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       extra => qq{LogFormat "%{User-Agent}i\\t%r\\t%>s\\t%{Authorization}i\\t%{WWW-Authenticate}o" wire\n}
                              . qq{CustomLog wire_log wire\n});
$h->start;

sub wire {
    open(my $f, '<', "$h->{dir}/wire_log") or return ();
    my @r;
    while (<$f>) {
        chomp;
        my ($ua, $req, $st, $auth, $www) = split /\t/;
        my ($path) = $req =~ /^\S+ (\S+)/;
        push @r, { ua => $ua, path => $path, status => $st, token => ($auth =~ /^Negotiate \S/ ? 1 : 0),
                   www => $www };
    }
    return @r;
}
sub legs { join ' ', map { ($_->{token} ? 'token' : 'none') . ":$_->{status}" } grep { $_->{path} eq '/index.html' } @_ }

my $ff = Firefox->new(hosts => [$host], trusted => 'spncheck.test', ccache => "$tmp/ff.cc",
                      mozlog => "$tmp/ff", timeout => 60);
my $url = $h->url($host, '/index.html');

# ---- one navigation: the KB1077 failure, with Firefox's own ticket ---------------
$ff->navigate($url);
my $dom = $ff->source;
my $status = $ff->script(q{return performance.getEntriesByType('navigation')[0].responseStatus});
like($dom, qr/<meta name="spncheck-cause" content="spn-wrong-account">/,
     'Firefox shows the diagnosis (not the generic first-leg page)');
like($dom, qr/setspn -S HTTP\/wrong\.spncheck\.test/, 'with the setspn commands');
like($dom, qr/<title>401 Sign-in failed<\/title>/, 'the module\'s page, not a blank or browser error page');
unlike($ff->url, qr/^about:/, 'no about:neterror / about:blank');
is($status, 401, 'navigation status 401');
my ($ref) = $dom =~ /<meta name="spncheck-ref" content="([^"]+)">/;
$ref //= 'none';
like($h->log, qr/SPN00010: failed Negotiate exchange ref=\Q$ref\E cause=spn-wrong-account .*spn=HTTP\/wrong\.spncheck\.test/,
     'the error log has the SPN00010 line for the page Firefox shows');
my $klist = `KRB5CCNAME=FILE:$tmp/ff.cc klist 2>&1`;
like($klist, qr{HTTP/wrong\.spncheck\.test\@SPNCHECK\.TEST}, 'the ticket was Firefox\'s own (in its ccache)');

sleep 1;                                   # room for a late retry, if there were one
my @w = wire();
my @nav = grep { $_->{path} eq '/index.html' } @w;
is(legs(@w), 'none:401 token:401', 'on the wire: tokenless, then the token, and no tokenless retry');
like($nav[0]{ua} // '', qr/Firefox\//, 'the requests are Firefox\'s');
like($nav[-1]{www} // '', qr/^Negotiate \S+/, 'the final 401 carries the SPNEGO reject');
my $moz = join '', map { local (@ARGV, $/) = $_; <> // '' } glob("$tmp/ff*.moz_log");
like($moz, qr/service = wrong\.spncheck\.test/, 'MOZ_LOG: Firefox asked for HTTP@wrong.spncheck.test');
like($moz, qr/Sending a token of length \d+/, 'MOZ_LOG: and sent a token');
like($moz, qr/gss_init_sec_context\(\) failed/, 'MOZ_LOG: the reject ended its GSSAPI context');
eval { $ff->cmd('WebDriver:GetAlertText', {}, 10) };
like($@, qr/no such alert/, 'no password prompt');

# ---- a second navigation repeats exactly the two requests -------------------------
$ff->navigate($url);
my $dom2 = $ff->source;
like($dom2, qr/<meta name="spncheck-cause" content="spn-wrong-account">/, 'second navigation: the diagnosis again');
is($ff->script(q{return performance.getEntriesByType('navigation')[0].responseStatus}), 401,
   'second navigation: status 401');
sleep 1;
is(legs(wire()), 'none:401 token:401 none:401 token:401', 'second navigation: the same two requests, no third');

# ---- screenshot at 375 px ---------------------------------------------------------
# (a second firefox process, which negotiates again: two more requests)
ok($ff->screenshot_cli($url, "$tmp/live.png"), 'firefox --screenshot ran');
ok((-s "$tmp/live.png" // 0) > 5000, 'screenshot of the live page');
is(png_width("$tmp/live.png"), 375, 'a screenshot at 375 px');
is(legs(wire()), 'none:401 token:401 none:401 token:401 none:401 token:401',
   'the screenshot\'s navigation: the same two requests');
copy("$tmp/live.png", "$shots/firefox-negotiate-kb1077.png") if $shots;
note("wire: $_->{path} $_->{status} token=$_->{token} www=$_->{www}") for wire();

$ff->quit;
$h->stop;
note(sprintf 'firefox.t: %.1f s', time - $t0);

sub png_width {
    my ($file) = @_;
    open(my $f, '<:raw', $file) or return 0;
    read($f, my $hd, 24) == 24 or return 0;
    return substr($hd, 1, 3) eq 'PNG' ? unpack('N', substr($hd, 16, 4)) : 0;
}

#!/usr/bin/perl
# t/samba/directory.t: SPNCheckDirectory against a real Active Directory (a
# throwaway Samba AD DC, t/lib/SambaDC.pm): real tickets from Samba's KDC
# with curl --negotiate, through httpd + mod_auth_gssapi + the module.
# Runs as root (samba does) in a network namespace of its own:
#   unshare -n sh -c 'ip link set lo up && perl t/samba/directory.t'
# (t/run-samba-tests does that).  One DC for the whole file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP;
use Test::More;
use Time::HiRes qw(time sleep);
use IO::Socket::INET;
use Socket qw(MSG_PEEK);
use SambaSite qw(cause_of fix_of facts_for);

# KB1077 (SambaDC::kb1077): WEB01$ holds HOST/web01 in both forms, the app
# pool runs as svc-web, whose keytab the site has; nobody holds HTTP/web01.
my $samba = SambaSite->new('spncheck-dir');
my ($top, $dc, $R, $W) = ($samba->top, $samba->dc, $samba->realm, $samba->dir);
# An explicit HTTP/ SPN on another user account: web02 belongs to other-svc.
$dc->user('other-svc', 'Other!Pass1234');
$dc->spn_add('HTTP/web02.contoso.test', 'other-svc');

sub kinit_alice { $dc->kinit('alice', 'Alice!Pass1234', "$W/alice.cc") }
kinit_alice();

# The names this server answers to (spn_dir_ours): a failure's SPN is looked
# up only when it is a configured SPN's host or one of these.
my $site = $samba->site(name => 'dir', aliases => 'alias.contoso.test web02.contoso.test',
                        spns => ['web01.contoso.test', 'web02.contoso.test'],
                        account => 'CONTOSO\\svc-web');
my $h = $samba->httpd(site => $site, directory => 'ldap://127.0.0.1', every => '15min');

# curl, as alice (ccache) or anonymous; returns {status, body, secs, auth}
sub get { $samba->get(@_) }
sub status_json { $samba->status_json }
# waits until the facts of spn were checked after $since (and pass $ok)
sub wait_facts {
    my ($spn, $since, $ok) = @_;
    for (1 .. 60) {
        my $j = status_json();
        my $f = facts_for($j, $spn);
        return ($j, $f) if $f && !$f->{error} && (!$ok || $ok->($f))
            && $j->{directory}{last_run} >= $since;
        sleep 0.5;
    }
    return (status_json(), undef);
}

my $t_start = int(time);
my ($j, $f) = wait_facts('HTTP/web01.contoso.test', $t_start - 5);
ok($f, 'the configured SPN is looked up at start-up') or diag(explain($j->{directory}), $h->log);
is($j->{directory}{state}, 'ok', 'directory state ok');
is_deeply([map { [$_->{account}, $_->{kind}, $_->{via}] } @{$f->{holders} || []}],
          [['CONTOSO\\WEB01$', 'computer', 'HOST/web01.contoso.test']],
          'HTTP/web01 answered by CONTOSO\\WEB01$ through HOST/ (sPNMappings)');

# -- the KB case ---------------------------------------------------------------
my $r = get('web01.contoso.test', '/', negotiate => 1);
is($r->{status}, 401, 'KB case: 401');
is(cause_of($r->{body}), 'spn-wrong-account', 'KB case: spn-wrong-account');
like($r->{body}, qr/through HOST\/web01\.contoso\.test, held by the computer account CONTOSO\\WEB01\$, and sPNMappings/,
     'KB case: the page names CONTOSO\\WEB01$ and the sPNMappings path');
my $fix = fix_of($r->{body});
like($fix, qr/^setspn -S HTTP\/WEB01 CONTOSO\\svc-web$/m, 'KB case: setspn -S HTTP/WEB01 CONTOSO\\svc-web');
like($fix, qr/^setspn -S HTTP\/web01\.contoso\.test CONTOSO\\svc-web$/m,
     'KB case: setspn -S HTTP/web01.contoso.test CONTOSO\\svc-web');
unlike($fix, qr/setspn -D/, 'KB case: no setspn -D');
unlike($fix, qr/&lt;|<DOMAIN|<that/, 'KB case: no placeholder in the remedy');
my ($ref) = $r->{body} =~ /<meta name="spncheck-ref" content="([^"]+)"/;
# the CLI, with the same token and --server: the same refinement
sub cli_diagnose {
    my ($auth) = @_;
    my $out = qx{'$top/spncheck' diagnose --keytab '$W/svc.keytab' --spn 'HTTP/web01.contoso.test\@$R' --account 'CONTOSO\\svc-web' --host web01.contoso.test --server ldap://127.0.0.1 --client-keytab '$W/monitor.keytab' --client 'monitor\@$R' --json '$auth'};
    my $j = eval { decode_json($out) } or diag($out);
    return $j || {};
}
my $cj = cli_diagnose($r->{auth} // '');
is($cj->{cause}, 'spn-wrong-account', 'CLI diagnose --server: spn-wrong-account');
is_deeply($cj->{holders}, ['CONTOSO\\WEB01$'], 'CLI diagnose --server: the holder');
my $page = get('127.0.0.1', "/spncheck-status?ref=$ref")->{body};
like($page, qr/What the directory says.*CONTOSO\\WEB01\$ \(computer account\) through HOST\/web01\.contoso\.test \(sPNMappings\)/s,
     '?ref= shows the directory facts');

# -- an explicit HTTP/ SPN on another account ------------------------------------------
wait_facts('HTTP/web02.contoso.test', $t_start - 5);
$r = get('web02.contoso.test', '/', negotiate => 1);
is(cause_of($r->{body}), 'spn-wrong-account', 'explicit SPN elsewhere: spn-wrong-account');
$fix = fix_of($r->{body});
like($fix, qr/^setspn -D HTTP\/web02\.contoso\.test CONTOSO\\other-svc$/m,
     'explicit SPN elsewhere: setspn -D for that account');
unlike($fix, qr/&lt;/, 'explicit SPN elsewhere: no placeholder');

# -- status page: self-checks -----------------------------------------------------------
$j = status_json();
my ($holder) = grep { $_->{id} eq 'spn-holder' } @{$j->{scopes}[0]{checks}};
ok($holder && $holder->{state} eq 'fail' && $holder->{message} =~ /CONTOSO\\WEB01\$/,
   'self-check spn-holder fails, naming CONTOSO\\WEB01$') or diag(explain($j->{scopes}[0]{checks}));

{
    my $prom = get('127.0.0.1', '/spncheck-status?format=prometheus')->{body};
    like($prom, qr/^spncheck_directory_spn_holders\{spn="HTTP\/web01\.contoso\.test"\} 1$/m,
         'Prometheus: holders of the configured SPN');
    like($prom, qr/^spncheck_directory_spn_holder_ok\{spn="HTTP\/web01\.contoso\.test"\} 0$/m,
         'Prometheus: held by the computer account, not svc-web: spn_holder_ok 0');
    open(my $o, '>', "$W/scrape") or die;
    print $o $prom;
    close $o;
    my $lint = `promtool check metrics < $W/scrape 2>&1`;
    is($? >> 8, 0, 'promtool check metrics passes') or diag($lint);
}

# -- the fix: the SPN on svc-web, a new keytab: 200 -------------------------------------
$dc->spn_add('HTTP/web01.contoso.test', 'svc-web');
$dc->spn_add('HTTP/WEB01', 'svc-web');
$dc->spn_delete('HTTP/web02.contoso.test', 'other-svc');
$dc->spn_add('HTTP/web02.contoso.test', 'svc-web');
$dc->keytab('HTTP/web01.contoso.test', "$W/new.keytab");
chmod 0644, "$W/new.keytab";
rename "$W/new.keytab", "$W/svc.keytab" or die;
kinit_alice();
$r = get('web01.contoso.test', '/', negotiate => 1);
is($r->{status}, 200, 'the fix: samba-tool spn add on svc-web and a new keytab: 200');

# facts again: a graceful restart looks the configured SPNs up at once
sub refresh {
    my ($spn, $ok) = @_;
    my $t = int(time);
    sleep 1;
    $h->ctl('graceful') or die "graceful failed";
    return wait_facts($spn, $t, $ok);
}
($j, $f) = refresh('HTTP/web01.contoso.test',
                   sub { ($_[0]{holders}[0]{account} // '') eq 'CONTOSO\\svc-web' });
ok($f, 'after the fix the directory says CONTOSO\\svc-web holds HTTP/web01.contoso.test');
($holder) = grep { $_->{id} eq 'spn-holder' } @{$j->{scopes}[0]{checks}};
is($holder && $holder->{state}, 'pass', 'self-check spn-holder passes')
    or diag(explain($j->{scopes}[0]{checks}));
like(get('127.0.0.1', '/spncheck-status?format=prometheus')->{body},
     qr/^spncheck_directory_spn_holder_ok\{spn="HTTP\/web01\.contoso\.test"\} 1$/m,
     'Prometheus: held by svc-web now: spn_holder_ok 1');
my ($kv) = grep { $_->{id} eq 'kvno-matches-directory' } @{$j->{scopes}[0]{checks}};
is($kv && $kv->{state}, 'pass', 'self-check kvno-matches-directory passes');

# -- a password change: kvno-mismatch with AD's kvno --------------------------------------
my $kvno0 = $f->{holders}[0]{kvno};
$dc->setpassword('svc-web', 'Svc!Pass5678');
($j, $f) = refresh('HTTP/web01.contoso.test', sub { $_[0]{holders}[0]{kvno} > $kvno0 });
ok($f, "AD's kvno went up after the password change") or diag(explain($j->{directory}));
my $adkvno = $f ? $f->{holders}[0]{kvno} : -1;
kinit_alice();
$r = get('web01.contoso.test', '/', negotiate => 1);
is(cause_of($r->{body}), 'kvno-mismatch', 'password change: kvno-mismatch');
like($r->{body}, qr/its current kvno is $adkvno:/, "kvno-mismatch shows AD's kvno ($adkvno)");
($kv) = grep { $_->{id} eq 'kvno-matches-directory' } @{$j->{scopes}[0]{checks}};
ok($kv && $kv->{state} eq 'fail' && $kv->{message} =~ /AD's kvno for CONTOSO\\svc-web is $adkvno/,
   'self-check kvno-matches-directory fails with both kvnos');

# -- the keytab made with another password: keytab-stale ---------------------------------
sub ktutil {
    my ($script) = @_;
    open(my $k, '|-', "setsid ktutil >$W/ktutil.log 2>&1") or die;
    print $k $script;
    close $k;
}
unlink "$W/x.keytab";
ktutil("addent -password -p HTTP/web01.contoso.test\@$R -k $adkvno -e aes256-cts-hmac-sha1-96\n"
       . "Not!ThePassword1\naddent -password -p HTTP/web01.contoso.test\@$R -k $adkvno "
       . "-e aes128-cts-hmac-sha1-96\nNot!ThePassword1\naddent -password -p "
       . "HTTP/web01.contoso.test\@$R -k $adkvno -e arcfour-hmac\nNot!ThePassword1\nwkt $W/x.keytab\n");
chmod 0644, "$W/x.keytab";
rename "$W/x.keytab", "$W/svc.keytab" or die;
kinit_alice();
$r = get('web01.contoso.test', '/', negotiate => 1);
is(cause_of($r->{body}), 'keytab-stale', 'keytab of another password: keytab-stale');
like($r->{body}, qr/the keytab was made with another password: AD&#39;s kvno for CONTOSO\\svc-web is $adkvno|the keytab was made with another password: AD's kvno for CONTOSO\\svc-web is $adkvno/,
     "keytab-stale: another password, AD's kvno against the keytab's");
unlike(fix_of($r->{body}), qr/&lt;/, 'keytab-stale: no placeholder');
$cj = cli_diagnose($r->{auth} // '');
ok(($cj->{cause} // '') eq 'keytab-stale' && ($cj->{refined_from} // '') eq 'spn-wrong-account',
   'CLI diagnose --server: keytab-stale, refined from spn-wrong-account') or diag(explain($cj));

# -- an AES-only account with an RC4 keytab: enctype-mismatch -----------------------------
$dc->keytab('HTTP/web01.contoso.test', "$W/all.keytab");    # every key, RC4 too
$dc->set_attr('svc-web', 'msDS-SupportedEncryptionTypes', 24);
ktutil("rkt $W/all.keytab\nlist -e\n");
my $list = do { local (@ARGV, $/) = "$W/ktutil.log"; <> };
my @drop = reverse map { /^\s*(\d+)\s+\d+\s+\S+\s+\((\S+)\)/ && $2 !~ /arcfour/ ? $1 : () }
    split /\n/, $list;
ktutil("rkt $W/all.keytab\n" . join('', map { "delent $_\n" } @drop) . "wkt $W/rc4.keytab\n");
chmod 0644, "$W/rc4.keytab";
like(scalar `klist -k -e $W/rc4.keytab 2>&1`, qr/\A(?:(?!aes).)*arcfour(?:(?!aes).)*\z/s,
     'an RC4-only keytab') or diag($list);
rename "$W/rc4.keytab", "$W/svc.keytab" or die;
($j, $f) = refresh('HTTP/web01.contoso.test', sub { ($_[0]{holders}[0]{enctypes} // -1) == 24 });
ok($f, 'the directory says msDS-SupportedEncryptionTypes 24');
kinit_alice();
$r = get('web01.contoso.test', '/', negotiate => 1);
is(cause_of($r->{body}), 'enctype-mismatch', 'AES-only account, RC4 keytab: enctype-mismatch');
like($r->{body}, qr/msDS-SupportedEncryptionTypes of CONTOSO\\svc-web is 24 \(0x18: [^)]*AES256/,
     'enctype-mismatch: the account\'s msDS-SupportedEncryptionTypes, decoded');
my ($enc) = grep { $_->{id} eq 'enctypes-match' } @{$j->{scopes}[0]{checks}};
is($enc && $enc->{state}, 'fail', 'self-check enctypes-match fails');

# -- NTLM to an alias nobody holds: refined to spn-not-registered within seconds ----------
# MIT's SPNEGO with gss-ntlmssp: alice has a TGT, the KDC knows no
# HTTP/alias.contoso.test, so the client falls back to NTLMSSP (the
# credentials in NTLM_USER_FILE), as Windows does.
open(my $nu, '>', "$W/ntlm.users") or die;
print $nu "CONTOSO:alice:Alice!Pass1234\n";
close $nu;
my $ntlm = sub {
    local $ENV{NTLM_USER_FILE} = "$W/ntlm.users";
    return get('alias.contoso.test', '/', negotiate => 1);
};
$r = $ntlm->();
like(scalar `'$top/spncheck' decode --json '$r->{auth}'`, qr/"mech":"ntlmssp"/,
     'the client fell back to NTLMSSP inside SPNEGO (gss-ntlmssp)');
is(cause_of($r->{body}), 'ntlm-fallback', 'NTLM to an alias, no facts yet: ntlm-fallback');
my ($ref1) = $r->{body} =~ /<meta name="spncheck-ref" content="([^"]+)"/;
my $t0 = time;
($j, $f) = wait_facts('HTTP/alias.contoso.test', 0);
ok($f && !@{$f->{holders}}, 'the SPN the failure asked for was looked up: no holder');
cmp_ok(time - $t0, '<', 15, 'within seconds');
$r = $ntlm->();
is(cause_of($r->{body}), 'spn-not-registered', 'NTLM to an alias nobody holds: spn-not-registered');
like(fix_of($r->{body}), qr/^setspn -S HTTP\/alias\.contoso\.test CONTOSO\\svc-web$/m,
     'spn-not-registered: setspn -S for the alias and the service account');
{   # curl's own NTLM (Authorization: NTLM, type 1) to the same alias
    my $code = `curl -s -o $W/body3 -w '%{http_code}' --ntlm -u 'CONTOSO\\alice:Alice!Pass1234' --resolve '@{[ $h->resolve('alias.contoso.test') ]}' '@{[ $h->url('alias.contoso.test', '/') ]}'`;
    my $b3 = do { local (@ARGV, $/) = "$W/body3"; <> } // '';
    is(cause_of($b3), 'spn-not-registered', "curl --ntlm to the alias: spn-not-registered too");
}
$page = get('127.0.0.1', "/spncheck-status?ref=$ref1")->{body};
like($page, qr/spncheck-cause" content="spn-not-registered"/,
     'the first failure, shown later (?ref=), is refined by the facts that arrived since');
{
    my ($rec) = grep { $_->{ref} eq $ref1 } @{status_json()->{recent}};
    ok($rec && $rec->{cause} eq 'ntlm-fallback' && ($rec->{refined_cause} // '') eq 'spn-not-registered',
       'the status history shows the first failure refined (refined_cause), as recorded (cause)');
}
like(get('127.0.0.1', '/spncheck-status')->{body}, qr/HTTP\/alias\.contoso\.test <small>\(asked by a failure\)/,
     'the status page lists the SPN a failure asked for');
unlike(get('127.0.0.1', '/spncheck-status?format=prometheus')->{body}, qr/alias/,
       'Prometheus labels no SPN a client asked for');

# -- a hostile client names another host: the page is no oracle for the directory -------
# HTTP/dc1 is answered by the DC's own account (HOST/dc1, sPNMappings).  A
# client that sends Host: dc1.contoso.test (or a forged ticket for any SPN)
# must not learn who holds it: the name is looked up for the admin's view
# alone (issue 18: the status page refines any name a failure asked for),
# and no step of the fix changes anything for a name this site does not
# answer to.
{
    my $probe = sub {
        my $code = `curl -s -o $W/body4 -w '%{http_code}' --ntlm -u 'CONTOSO\\alice:Alice!Pass1234' --resolve '@{[ $h->resolve('dc1.contoso.test') ]}' '@{[ $h->url('dc1.contoso.test', '/') ]}'`;
        return do { local (@ARGV, $/) = "$W/body4"; <> } // '';
    };
    my $b4 = $probe->();
    is(cause_of($b4), 'ntlm-fallback', 'NTLM with Host: dc1 (not a name of this server): ntlm-fallback');
    sleep 4;        # the alias above was looked up within seconds
    my ($dref) = $b4 =~ /<meta name="spncheck-ref" content="([^"]+)"/;
    my $dj = eval { decode_json(get('127.0.0.1', "/spncheck-status?ref=$dref&format=json")->{body}) } || {};
    ok(!grep({ $_->{argv}[0] =~ /^(?:ktpass|install|apachectl|Set-)/ ||
               ($_->{argv}[0] eq 'setspn' && ($_->{argv}[1] // '') =~ /^-[SDA]\z/) }
             @{$dj->{diagnosis}{fix}{steps} || []}),
       'Host: dc1: the admin\'s fix changes nothing for a name this site does not answer to')
        or diag(explain($dj->{diagnosis}{fix}));
    $b4 = $probe->();
    is(cause_of($b4), 'ntlm-fallback', 'the second try: still ntlm-fallback');
    unlike($b4, qr/DC1\$|What the directory says/, 'the page names no holder of HTTP/dc1');
}

# -- a wrong identity (the keys of another account): the diagnosis as today, a warning ----
{
    my $h2 = $samba->httpd(site => $site, directory => 'ldap://127.0.0.1', every => '15min',
                           client_keytab => "$W/svc.keytab");
    my $j2;
    for (1 .. 60) {
        my $o = `curl -s '@{[ $h2->url('127.0.0.1', '/spncheck-status?format=json') ]}'`;
        $j2 = eval { decode_json($o) } || {};
        last if $j2->{directory} && $j2->{directory}{state} ne 'pending';
        sleep 0.5;
    }
    is($j2->{directory}{state}, 'error', 'wrong identity: the status page says the directory cannot be used');
    ok(length($j2->{directory}{error} // ''), "wrong identity: why ($j2->{directory}{error})");
    my $code = `KRB5CCNAME=$W/alice.cc curl -s -o $W/body2 -w '%{http_code}' --negotiate -u : --resolve '@{[ $h2->resolve('web01.contoso.test') ]}' '@{[ $h2->url('web01.contoso.test', '/') ]}'`;
    my $b2 = do { local (@ARGV, $/) = "$W/body2"; <> } // '';
    is(cause_of($b2), 'enctype-mismatch', 'wrong identity: the diagnosis as without the directory');
    unlike($b2, qr/What the directory says/, 'wrong identity: no directory facts on the page');
    like($h2->log, qr/SPN00073: directory ldap:\/\/127\.0\.0\.1 as monitor\@$R: /, 'wrong identity: SPN00073');
    $h2->stop;
    is_deeply([$h2->sanitizer_reports], [], 'wrong identity: no sanitizer report');
}

# -- the directory down: the diagnosis as before, a warning, no request waits -------------
my $before = get('web01.contoso.test', '/', negotiate => 1);
my $cause_before = cause_of($before->{body});
$dc->stop;
# a directory that accepts and never answers: a lookup waits for its timeouts
my $sink = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 389, Listen => 16,
                                 ReuseAddr => 1) or die "listen 389: $!";
my $t = int(time);
sleep 1;
$h->ctl('graceful') or die;
# the new generation answers (a graceful restart is not what is measured)
for (1 .. 50) { last if get('web01.contoso.test', '/')->{status} == 401; sleep 0.1 }
sleep 0.5;
my ($slow, @secs) = (0);
for (1 .. 5) {
    my $x = get('web01.contoso.test', '/', negotiate => 1);
    push @secs, sprintf('%.3f', $x->{secs});
    $slow = $x->{secs} if $x->{secs} > $slow;
    is(cause_of($x->{body}), $cause_before, "DC not answering: the diagnosis as before ($_)") if $_ == 1;
}
# No request waits for the lookup: all five were answered while the lookup's
# connection still waits on the silent directory (open, unanswered: it has
# not reached its timeouts).  An order, not a time (the times are shown).
{
    my $rin = '';
    vec($rin, fileno($sink), 1) = 1;
    my $c = select(my $rout = $rin, undef, undef, 10) > 0 ? $sink->accept : undef;
    ok($c, 'meanwhile the lookup was waiting on the silent directory');
    my $open = 0;
    if ($c) {
        $c->blocking(0);
        my $n = recv($c, my $peek, 1, MSG_PEEK);
        # no byte and no EOF yet: the LDAP client still holds it open
        $open = 1 if defined $n ? length($peek) > 0 : $!{EAGAIN};
    }
    ok($open, "DC not answering: the five requests were answered before the lookup gave up "
              . "(times @secs s; " . sprintf('%.3f', $before->{secs}) . " s with the DC up)");
}
close $sink;
for (1 .. 60) { $j = status_json(); last if ($j->{directory}{state} // '') eq 'error'; sleep 0.5 }
is($j->{directory}{state}, 'error', 'DC down: the status page says so');
like($j->{directory}{check}, qr/ldapsearch -Y GSSAPI -H ldap:\/\/127\.0\.0\.1/, 'with the command that checks it');
my $html = get('127.0.0.1', '/spncheck-status')->{body};
like($html, qr/class="warn">The directory cannot be used/, 'HTML status: the warning');
like($h->log, qr/SPN00073: directory ldap:\/\/127\.0\.0\.1/, 'SPN00073 logged');

# the DC back: the configured SPNs are tried again within a minute, not at INTERVAL
$dc->start;
my $t_back = time;
for (1 .. 100) { $j = status_json(); last if ($j->{directory}{state} // '') eq 'ok'; sleep 1 }
is($j->{directory}{state}, 'ok', sprintf('the DC back: the directory answers again (%.0fs, INTERVAL 15min)', time - $t_back));
like($h->log, qr/SPN00074: directory ldap:\/\/127\.0\.0\.1 answers again/, 'SPN00074 logged');

$h->stop;
is_deeply([$h->sanitizer_reports], [], 'no sanitizer report in the error log');
$dc->stop;      # here, not in SambaDC's END, whose waitpid would set the exit status
done_testing;

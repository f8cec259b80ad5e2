#!/usr/bin/perl
# t/samba/directory_cli.t: 'spncheck directory' (and --server in diagnose and
# keytab) against a real, throwaway Samba AD DC on loopback
# (t/lib/SambaDC.pm): the KB1077 path through sPNMappings, an explicit
# HTTP/ SPN on a user, no holder, a real duplicate, AD's kvno after a
# password change, msDS-SupportedEncryptionTypes decoded, --account, a
# wrong identity, a server that never answers and a DC that is down
# (both timed), the JSON contract, and a hostile sAMAccountName.
#
# Needs root and the DC's ports: t/run-samba-tests (scripts/test) runs it in a network
# namespace of its own (unshare -n); Apache::Test's suite leaves t/samba/ out (t/SKIP).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(_exit);
use Test::More;
use Time::HiRes qw(time sleep);
use SambaDC;

my $BIN = $ENV{SPNCHECK_BIN} || "$FindBin::Bin/../../spncheck";
-x $BIN or BAIL_OUT("no spncheck at $BIN: build first");

my $dc = SambaDC->new;
diag(sprintf "Samba AD DC up (provision %.1f s)", $dc->provision_seconds);
my $W = $dc->dir;
my @ID = ('--server', $dc->uri, '--client-keytab', $dc->monitor_keytab, '--client', $dc->monitor);

# runs spncheck; returns (exit status, stdout, stderr, seconds)
sub sc {
    my @args = @_;
    my $t0 = time;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if (!$pid) {
        open(STDERR, '>', "$W/stderr") or _exit(127);
        exec $BIN, @args or _exit(127);
    }
    my $text = do { local $/; <$out> };
    close $out;
    my $rc = $? >> 8;
    my $secs = time - $t0;
    open(my $e, '<', "$W/stderr");
    my $err = $e ? do { local $/; <$e> } : '';
    return ($rc, $text // '', $err, $secs);
}

sub dir_json {
    my ($rc, $out, $err) = sc('directory', @ID, '--json', @_);
    my $j = eval { decode_json($out) };
    ok($j, "directory --json @_: valid JSON") or diag("$out$err");
    return ($rc, $j || {}, $err);
}

sub entry {
    my ($j, $spn) = @_;
    my ($e) = grep { $_->{spn} eq $spn } @{$j->{spns} || []};
    return $e || {};
}

# --- the accounts -------------------------------------------------------------------
$dc->computer('WEB01');
$dc->spn_add('HOST/web01', 'WEB01$');
$dc->spn_add('HOST/web01.contoso.test', 'WEB01$');
$dc->user('svc-web', 'Svc!Web-Pass1');
$dc->user('svc-other', 'Svc!Other-Pass1');
$dc->spn_add('HTTP/app.contoso.test', 'svc-other');
$dc->spn_add('HTTP/app', 'svc-other');

# --- KB1077: HTTP/ answered by WEB01$ through HOST/ (sPNMappings) ------------------------
{
    my ($rc, $j) = dir_json('HTTP/web01.contoso.test');
    is($rc, 0, 'KB1077: exactly one account answers: exit 0');
    my $e = entry($j, 'HTTP/web01.contoso.test');
    is(scalar @{$e->{holders} || []}, 1, 'one holder');
    my $h = $e->{holders}[0] || {};
    is($h->{account}, 'CONTOSO\\WEB01$', 'named CONTOSO\\WEB01$');
    is($h->{sam}, 'WEB01$', 'sam');
    is($h->{kind}, 'computer', 'a computer account');
    is($h->{via}, 'HOST/web01.contoso.test', 'via HOST/web01.contoso.test');
    is($h->{disabled}, JSON::PP::false, 'enabled');
    is($h->{kvno}, $dc->attr('WEB01$', 'msDS-KeyVersionNumber'), "AD's kvno");
    is($e->{duplicate}, JSON::PP::false, 'no duplicate');
    is($e->{error}, undef, 'error null');
    my $short = entry($j, 'HTTP/web01');
    is(($short->{holders}[0] || {})->{via}, 'HOST/web01', 'the NetBIOS form looked up too, via HOST/web01');
    like($j->{checked_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'checked_at: ISO 8601 UTC');
    my @keys = sort keys %$j;
    is("@keys", 'checked_at spns', 'top-level keys of the contract');
    is(join(' ', sort keys %$e), 'duplicate error holders spn', 'per-SPN keys of the contract');
    is(join(' ', sort keys %$h), 'account disabled enctypes kind kvno sam via', 'holder keys of the contract');

    my ($rc2, $text) = sc('directory', @ID, 'HTTP/web01.contoso.test');
    like($text, qr/CONTOSO\\WEB01\$ \(computer\) through HOST\/web01\.contoso\.test \(sPNMappings\)/,
         'text: the holder and the sPNMappings path');
    my ($rc3) = sc('directory', @ID, '--account', 'CONTOSO\\svc-web', 'HTTP/web01.contoso.test');
    is($rc3, 4, 'KB1077 with --account CONTOSO\\svc-web: not held by it: exit 4');
}

# --- several threads at once (the module's watchdog thread beside requests) -------------------
{
    my $prog = "$FindBin::Bin/../unit/dir_threads";
    ok(-x $prog, 't/unit/dir_threads is built (make check)') or BAIL_OUT('make check first');
    # monitor2 may not read WEB01$: the two identities see different answers
    $dc->user('monitor2', 'M0nitor2!Pass42');
    my $kt2 = $dc->keytab('monitor2', "$W/monitor2.keytab");
    $dc->deny_read('WEB01$', 'monitor2');
    local $ENV{KRB5CCNAME} = "FILE:$W/threads-never.cc";
    my $out = `$prog @{[$dc->uri]} HTTP/web01.contoso.test @{[$dc->monitor_keytab]} @{[$dc->monitor]} 'CONTOSO\\WEB01\$' $kt2 monitor2\@CONTOSO.TEST - 6 2>&1`;
    is($? >> 8, 0, '6 threads, 2 identities, each its own MEMORY ccache: each sees what its identity may (WEB01$, nothing)')
        or diag($out);
    like($out, qr/6 threads \(2 identities\) x 3 connections x 3 lookups: 0 failures/, '... it says so');
    ok(!-e "$W/threads-never.cc", '... and no default ccache was written');
}

# --- an explicit HTTP/ SPN on a user account; --account ---------------------------------
{
    my ($rc, $j) = dir_json('HTTP/app.contoso.test');
    is($rc, 0, 'explicit SPN: exit 0');
    my $h = entry($j, 'HTTP/app.contoso.test')->{holders}[0] || {};
    is($h->{account}, 'CONTOSO\\svc-other', 'held by CONTOSO\\svc-other');
    is($h->{kind}, 'user', 'a user account');
    is($h->{via}, 'HTTP/app.contoso.test', 'via is the SPN itself');
    ($rc) = sc('directory', @ID, '--account', 'CONTOSO\\svc-other', 'HTTP/app.contoso.test', 'HTTP/APP');
    is($rc, 0, '--account matches (both name forms, any case): exit 0');
    ($rc) = sc('directory', @ID, '--account', 'CONTOSO\\svc-web', 'HTTP/app.contoso.test');
    is($rc, 4, '--account mismatch: exit 4');
}

# --- no holder ----------------------------------------------------------------------------
{
    my ($rc, $j) = dir_json('HTTP/nobody.contoso.test');
    is($rc, 4, 'no holder: exit 4');
    my $e = entry($j, 'HTTP/nobody.contoso.test');
    is_deeply($e->{holders}, [], 'holders is empty');
    is($e->{error}, undef, 'and that is no error');
    my ($rc2, $text) = sc('directory', @ID, 'HTTP/nobody.contoso.test');
    like($text, qr/HTTP\/nobody\.contoso\.test: no account holds it/, 'text says so');
}

# --- kvno after a password change; msDS-SupportedEncryptionTypes ---------------------------
{
    $dc->spn_add('HTTP/web02.contoso.test', 'svc-web');
    my $before = $dc->attr('svc-web', 'msDS-KeyVersionNumber');
    $dc->setpassword('svc-web', 'Svc!Web-Pass2');
    my $ad = $dc->attr('svc-web', 'msDS-KeyVersionNumber');
    is($ad, $before + 1, "setpassword bumps AD's kvno ($before -> $ad)");
    $dc->set_attr('svc-web', 'msDS-SupportedEncryptionTypes', 24);
    my ($rc, $j) = dir_json('HTTP/web02.contoso.test');
    my $h = entry($j, 'HTTP/web02.contoso.test')->{holders}[0] || {};
    is($h->{kvno}, $ad, "the lookup's kvno is AD's ($ad)");
    is($h->{enctypes}, 24, 'msDS-SupportedEncryptionTypes 24');
    my ($rc2, $text) = sc('directory', @ID, 'HTTP/web02.contoso.test');
    like($text, qr/kvno $ad; enctypes AES256-CTS-HMAC-SHA1-96, AES128-CTS-HMAC-SHA1-96;/,
         'decoded in words');

    # keytab --server: the SPN's keys (as ktpass writes them), judged by AD's kvno
    my $kt = $dc->keytab('HTTP/web02.contoso.test', "$W/web02.keytab");
    $dc->spn_add('HTTP/web02', 'svc-web');
    my ($krc, $ktext) = sc('keytab', $kt, '--spn', 'HTTP/web02.contoso.test', @ID);
    like($ktext, qr/CONTOSO\\svc-web \(user\)/, 'keytab --server names the holder');
    like($ktext, qr/ok   directory: kvno $ad matches AD's for CONTOSO\\svc-web/, "... the keytab's kvno is AD's");
    unlike($ktext, qr/FAIL directory/, '... nothing fails');
    $dc->setpassword('svc-web', 'Svc!Web-Pass3');
    ($krc, $ktext) = sc('keytab', $kt, '--spn', 'HTTP/web02.contoso.test', @ID);
    like($ktext, qr/FAIL directory: the keytab's newest key for HTTP\/web02\.contoso\.test has kvno $ad; AD's current kvno for CONTOSO\\svc-web is @{[$ad + 1]} \(the keytab is stale/,
         'after a password change: stale, by AD\'s kvno');
    is($krc, 4, '... exit 4');
    # probe --server: the probe's identity asks the directory too
    my ($prc, $ptext) = sc('probe', '--client-keytab', $dc->monitor_keytab, '--client', $dc->monitor,
                           '--keytab', $kt, '--spn', 'HTTP/web02.contoso.test', '--server', $dc->uri);
    like($ptext, qr/directory:\n.*CONTOSO\\svc-web \(user\)/s, 'probe --server names the holder');
    like($ptext, qr/FAIL directory: the keytab's newest key for HTTP\/web02\.contoso\.test has kvno $ad; AD's current kvno for CONTOSO\\svc-web is @{[$ad + 1]}/,
         'probe --server: the stale keytab by AD\'s kvno');
    is($prc, 4, '... exit 4');
    my (undef, $pj) = sc('probe', '--client-keytab', $dc->monitor_keytab, '--client', $dc->monitor,
                         '--keytab', $kt, '--spn', 'HTTP/web02.contoso.test', '--server', $dc->uri, '--json');
    $pj = eval { decode_json($pj) } || {};
    is((entry($pj->{directory} || {}, 'HTTP/web02.contoso.test')->{holders}[0] || {})->{kvno}, $ad + 1,
       'probe --json --server: the directory key, with AD\'s kvno');
    ok(exists $pj->{results}, '... beside the probe\'s own results');
    my (undef, $kj) = sc('keytab', $kt, '--spn', 'HTTP/web02.contoso.test', @ID, '--json');
    $kj = eval { decode_json($kj) } || {};
    is((entry($kj->{directory} || {}, 'HTTP/web02')->{holders}[0] || {})->{account}, 'CONTOSO\\svc-web',
       'keytab --json --server: the directory key, the NetBIOS form too');
    $dc->set_attr('svc-web', 'msDS-SupportedEncryptionTypes', 4);
    ($krc, $ktext) = sc('keytab', $kt, '--spn', 'HTTP/web02.contoso.test', @ID);
    like($ktext, qr/FAIL directory: no key of the keytab for HTTP\/web02\.contoso\.test has an enctype AD issues tickets in for CONTOSO\\svc-web \(msDS-SupportedEncryptionTypes: RC4-HMAC\)/,
         'RC4-only account, AES keytab: the enctype failure, decoded');
    $dc->set_attr('svc-web', 'msDS-SupportedEncryptionTypes', 16);
    system("printf 'rkt $kt\\ndelent 1\\nwkt $W/web02-aes128-only.keytab\\n' | ktutil >/dev/null 2>&1");
    my $listing = `klist -ke $W/web02-aes128-only.keytab 2>&1`;
    like($listing, qr/aes128/, 'an AES128-only keytab') or diag($listing);
    ($krc, $ktext) = sc('keytab', "$W/web02-aes128-only.keytab", '--spn', 'HTTP/web02.contoso.test', @ID);
    like($ktext, qr/FAIL directory: no key of the keytab for HTTP\/web02\.contoso\.test has an enctype AD issues tickets in for CONTOSO\\svc-web \(msDS-SupportedEncryptionTypes: AES256-CTS-HMAC-SHA1-96\)/,
         'AES256-only account, AES128-only keytab: the enctype failure, decoded');
}

# --- diagnose --json gets the directory key (a real ticket, curl --negotiate) -----------------
{
    $dc->user('alice', 'Alice!Pass123');
    my $cc = "$W/alice.cc";
    system("echo 'Alice!Pass123' | KRB5CCNAME=$cc kinit alice\@CONTOSO.TEST >/dev/null 2>&1") == 0
        or BAIL_OUT('kinit alice failed');
    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5,
                                    ReuseAddr => 1) or die;
    my $port = $srv->sockport;
    my $pid = fork // die;
    if (!$pid) {
        alarm 30;
        # answers 401 Negotiate until a request carries Authorization: keeps it
        for (1 .. 4) {
            my $c = $srv->accept or last;
            my $req = '';
            while (my $l = <$c>) { $req .= $l; last if $l =~ /^\r?\n$/ }
            if ($req =~ /^Authorization: (Negotiate \S+)/mi) {
                my $tok = $1;
                if (open(my $f, '>', "$W/token")) { print $f $tok; close $f }
                print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                close $c;
                last;
            }
            print $c "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
                . "Content-Length: 0\r\n\r\n";
            close $c;
        }
        _exit(0);
    }
    close $srv;
    system("KRB5CCNAME=$cc curl -s -o /dev/null --negotiate -u : --max-time 10 "
           . "--resolve web01.contoso.test:$port:127.0.0.1 http://web01.contoso.test:$port/");
    kill 'TERM', $pid;
    waitpid($pid, 0);
    open(my $f, '<', "$W/token") or BAIL_OUT('curl --negotiate sent no token');
    my $token = <$f>;
    my $svckt = $dc->keytab('svc-web', "$W/svc-web.keytab");
    my ($rc, $out) = sc('diagnose', '--keytab', $svckt, '--spn', 'HTTP/web01.contoso.test',
                        '--account', 'CONTOSO\\svc-web', '--host', 'web01.contoso.test', @ID,
                        '--json', $token);
    my $j = eval { decode_json($out) } || {};
    ok($j->{cause}, "diagnose --json still diagnoses (cause $j->{cause})") or diag($out);
    my $e = entry($j->{directory} || {}, 'HTTP/web01.contoso.test');
    is(($e->{holders}[0] || {})->{account}, 'CONTOSO\\WEB01$',
       'diagnose --json: directory names WEB01$ for the SPN the ticket was for');
    is(($e->{holders}[0] || {})->{via}, 'HOST/web01.contoso.test', '... through HOST/');
    ok(entry($j->{directory} || {}, 'HTTP/web01')->{spn}, 'and the NetBIOS form');
    # the process's ccache is never read nor written: alice's stays as it was
    my $before = do { local $/; open(my $c, '<', $cc) or die; <$c> };
    {
        local $ENV{KRB5CCNAME} = "FILE:$cc";
        my ($drc) = sc('directory', @ID, 'HTTP/web01.contoso.test');
        is($drc, 0, 'directory with KRB5CCNAME set to another identity: binds as the monitor');
    }
    is(do { local $/; open(my $c, '<', $cc) or die; <$c> }, $before, '... and that ccache is unchanged');
    {
        local $ENV{KRB5CCNAME} = "FILE:$W/never.cc";
        sc('directory', @ID, 'HTTP/web01.contoso.test');
        ok(!-e "$W/never.cc", '... nor is a default ccache created');
    }
    ($rc, $out) = sc('diagnose', '--keytab', $svckt, '--spn', 'HTTP/web01.contoso.test', '--json', $token);
    $j = eval { decode_json($out) } || {};
    ok(!exists $j->{directory}, 'without --server: no directory key');
}

# --- a real duplicate (written into the partition with the DC stopped) --------------------------
{
    $dc->user('svc-dup', 'Svc!Dup-Pass1');
    $dc->spn_add_duplicate('HTTP/app.contoso.test', 'svc-dup');
    my ($rc, $j) = dir_json('HTTP/app.contoso.test');
    is($rc, 4, 'duplicate: exit 4');
    my $e = entry($j, 'HTTP/app.contoso.test');
    is($e->{duplicate}, JSON::PP::true, 'duplicate true');
    is(join(' ', sort map { $_->{account} } @{$e->{holders}}), 'CONTOSO\\svc-dup CONTOSO\\svc-other',
       'both holders listed');
    my ($rc2, $text) = sc('directory', @ID, 'HTTP/app.contoso.test');
    like($text, qr/DUPLICATE: 2 holders \(forest-wide, Global Catalog\)/, 'text: duplicate, through the GC');
}

# --- a hostile sAMAccountName (written raw, as a hostile directory could hold it) ------------------
{
    $dc->user('svc-evil', 'Svc!Evil-Pass1');
    $dc->spn_add('HTTP/evil.contoso.test', 'svc-evil');
    my $dn = $dc->dn_of('svc-evil');
    require MIME::Base64;
    my $evil = "e\"v<il>&\\\x1b[31m\x07";
    $dc->ldbmodify("dn: $dn\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName:: "
                   . MIME::Base64::encode_base64($evil, '') . "\n", offline => 1);
    my ($rc, $out) = sc('directory', @ID, '--json', 'HTTP/evil.contoso.test');
    like($out, qr/"sam":"e\\"v\\u003cil>&\\\\\\u001b\[31m\\u0007"/, 'JSON escapes every hostile byte');
    my $j = eval { decode_json($out) } || {};
    is((entry($j, 'HTTP/evil.contoso.test')->{holders}[0] || {})->{sam}, $evil,
       'and decodes back to the bytes the directory holds');
    my ($rc2, $text) = sc('directory', @ID, 'HTTP/evil.contoso.test');
    unlike($text, qr/[\x00-\x08\x0b-\x1f\x7f]/, 'the terminal text carries no control byte');
}

# --- a wrong identity, a server that never answers, the DC down: exit 3, within the timeout -------
{
    my ($rc, $out, $err) = sc('directory', '--server', $dc->uri, '--client-keytab', $dc->monitor_keytab,
                              '--client', 'nobody@CONTOSO.TEST', 'HTTP/app.contoso.test');
    is($rc, 3, 'an identity the keytab has no key for: exit 3');
    like($err, qr/cannot get a ticket/, 'and says why');
    $dc->user('mon2', 'Mon2!Pass-1');
    my $kt2 = $dc->keytab('mon2', "$W/mon2.keytab");
    $dc->setpassword('mon2', 'Mon2!Pass-2');
    ($rc, $out, $err) = sc('directory', '--server', $dc->uri, '--client-keytab', $kt2,
                           '--client', 'mon2@CONTOSO.TEST', 'HTTP/app.contoso.test');
    is($rc, 3, 'a stale monitoring keytab (password changed): exit 3');
    # this host's clock 2 h ahead (faketime): MIT takes the KDC's time from
    # its answer (the ccache keeps the offset), so the bind still works
    my $t0 = time;
    my $skew = `faketime -f +2h $BIN directory @{[join ' ', map { "'$_'" } @ID]} --json HTTP/app.contoso.test 2>&1`;
    my $sj = eval { decode_json($skew) } || {};
    ok((grep { $_->{account} eq 'CONTOSO\\svc-other' } @{entry($sj, 'HTTP/app.contoso.test')->{holders} || []}),
       'a 2 h clock skew: MIT corrects it from the KDC, the lookup answers') or diag($skew);
    my ($h) = ($sj->{checked_at} // '') =~ /T(\d\d):/;
    ok(defined $h && grep({ $h == (gmtime($_ + 7200))[2] } $t0, time),
       '... checked_at is this host\'s clock, 2 h ahead: ' . ($sj->{checked_at} // 'none'));
    $dc->user('mon3', 'Mon3!Pass-1');
    my $kt3 = $dc->keytab('mon3', "$W/mon3.keytab");
    $dc->deny_read('DC1$', 'mon3');
    ($rc, $out, $err) = sc('directory', '--server', $dc->uri, '--client-keytab', $kt3,
                           '--client', 'mon3@CONTOSO.TEST', 'HTTP/app.contoso.test');
    is($rc, 3, 'an identity that may not read the DC\'s account: exit 3, not "no holder"');
    like($err, qr{missing read rights: the identity cannot see who holds ldap/127\.0\.0\.1}, '... and says why');

    my $mute = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5) or die;
    my $mport = $mute->sockport;
    my $secs;
    ($rc, $out, $err, $secs) = sc('directory', '--server', "ldap://127.0.0.1:$mport", '--client-keytab',
                                  $dc->monitor_keytab, '--client', $dc->monitor, '--timeout', 2,
                                  'HTTP/app.contoso.test');
    is($rc, 3, 'a server that accepts and never answers: exit 3');
    ok($secs >= 1.9 && $secs < 6, sprintf('... after the 2 s timeout (%.1f s)', $secs));
    close $mute;

    $dc->stop;
    ($rc, $out, $err, $secs) = sc('directory', @ID, '--timeout', 5, 'HTTP/app.contoso.test');
    is($rc, 3, 'the DC down: exit 3');
    ok($secs < 5, sprintf('... within the 5 s timeout (%.2f s)', $secs));
    like($err, qr/cannot reach ldap:\/\/127\.0\.0\.1/, 'and says it cannot reach the server');
    ($rc, $out, $err) = sc('diagnose', '--spn', 'HTTP/web01.contoso.test', @ID, '--json', 'Negotiate AAAA');
    my $j = eval { decode_json($out) } || {};
    is(entry($j->{directory} || {}, 'HTTP/web01.contoso.test')->{error} // '',
       'cannot reach ldap://127.0.0.1: Can\'t contact LDAP server',
       'diagnose with the DC down: the diagnosis as today, the error in its directory key');
}

# --- the harness fails loudly when a port it needs is taken (never skips) ------------------------
{
    my $squat = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 389, Listen => 1,
                                      ReuseAddr => 1) or die "cannot listen on 389: $!";
    my $dc2 = eval { SambaDC->new };
    ok(!$dc2, 'SambaDC->new with 127.0.0.1:389 taken: no DC');
    like($@, qr/127\.0\.0\.1:389 is taken/, '... it dies saying which port');
    close $squat;
}

# --- usage ---------------------------------------------------------------------------------------
{
    my ($rc) = sc('directory', 'HTTP/x');
    is($rc, 2, 'no --server: usage, exit 2');
    ($rc) = sc('directory', @ID, 'not-an-spn');
    is($rc, 2, 'not an SPN: exit 2');
}

done_testing;

# probe.t: the live SPN probe against the real KDC, from the command line
# (spncheck probe) and inside httpd (SPNCheckProbe, mod_watchdog).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use MiniHttpd;
use SpnTest qw(realm_dir configtest);
use Time::HiRes qw(sleep);

plan tests => 32;

my $dir = realm_dir();
my $bin = $ENV{SPNCHECK_BIN};
sub probe {
    my (@args) = @_;
    my @cmd = ($bin, 'probe', '--client-keytab', "$dir/monitor.keytab", '--client',
               'monitor@SPNCHECK.TEST', '--json', @args);
    open(my $fh, '-|', @cmd) or die;
    local $/;
    my $out = <$fh>;
    close $fh;
    my $rc = $? >> 8;
    return ($rc, eval { JSON::PP::decode_json($out) } || { raw => $out });
}
sub result_for {
    my ($j, $spn) = @_;
    my ($r) = grep { $_->{spn} eq $spn } @{$j->{results} || []};
    return $r || {};
}

my ($rc, $j) = probe('--keytab', "$dir/probe.keytab", '--spn', 'HTTP/probe.spncheck.test@SPNCHECK.TEST');
is($rc, 0, 'probe ok: exit 0');
is(result_for($j, 'HTTP/probe.spncheck.test@SPNCHECK.TEST')->{cause}, 'ok', 'FQDN form ok');
# MIT names are case-sensitive: the realm holds HTTP/probe, the short name
# as a browser asks for it (the URL's host, lower-cased), not HTTP/PROBE.
is(result_for($j, 'HTTP/probe@SPNCHECK.TEST')->{cause}, 'ok', 'short form probed as browsers ask, ok');
ok(!grep({ $_->{spn} =~ m{^HTTP/PROBE\@} } @{$j->{results} || []}), 'the upper-case form is not probed');
($rc, $j) = probe('--keytab', "$dir/probe.keytab", '--netbios', 'PROBE',
                  '--spn', 'HTTP/probe.spncheck.test@SPNCHECK.TEST');
is($rc, 0, 'configured NetBIOS name PROBE: exit 0');
is(result_for($j, 'HTTP/probe@SPNCHECK.TEST')->{cause}, 'ok', 'and it is probed lower-cased');

($rc, $j) = probe('--keytab', "$dir/web01.keytab", '--spn', 'HTTP/nosuch.spncheck.test@SPNCHECK.TEST');
is($rc, 4, 'unknown SPN: exit 4 (a check fails)');
is(result_for($j, 'HTTP/nosuch.spncheck.test@SPNCHECK.TEST')->{cause}, 'spn-not-registered',
   'unknown SPN: spn-not-registered (KDC_ERR_S_PRINCIPAL_UNKNOWN)');

($rc, $j) = probe('--keytab', "$dir/stale.keytab", '--spn', 'HTTP/stale.spncheck.test@SPNCHECK.TEST');
is($rc, 4, 'stale keytab: exit 4');
my $st = result_for($j, 'HTTP/stale.spncheck.test@SPNCHECK.TEST');
is($st->{cause}, 'kvno-mismatch', 'stale keytab: kvno-mismatch');
is($st->{kvno}, 3, 'stale keytab: the KDC is at kvno 3');

($rc, $j) = probe('--keytab', "$dir/wrong.keytab", '--spn', 'HTTP/wrong.spncheck.test@SPNCHECK.TEST');
is(result_for($j, 'HTTP/wrong.spncheck.test@SPNCHECK.TEST')->{cause}, 'spn-wrong-account',
   'another account\'s key: spn-wrong-account (the KB case)');

my @bad = ($bin, 'probe', '--client-keytab', "$dir/web01.keytab", '--client', 'monitor@SPNCHECK.TEST',
           '--spn', 'HTTP/web01.spncheck.test@SPNCHECK.TEST');
my $msg = `@bad 2>&1`;
is($? >> 8, 3, 'identity cannot authenticate: exit 3');
like($msg, qr/cannot authenticate as monitor\@SPNCHECK\.TEST/, 'and says so clearly');

# The interval's bounds: at least 10s, at most a year (an int of seconds
# in the watchdog: past it the interval wrapped and the probe ran every second)
my ($crc, $cout) = configtest("SPNCheckProbe $dir/monitor.keytab m\@R 5s\n");
like($cout, qr/at least 10s/, 'SPNCheckProbe: an interval under 10s is refused');
($crc, $cout) = configtest("SPNCheckProbe $dir/monitor.keytab m\@R 3000000000\n");
like($cout, qr/at most 365 days/, 'SPNCheckProbe: an interval past an int of seconds is refused');
($crc, $cout) = configtest("SPNCheckProbe $dir/monitor.keytab m\@R 8760h\n");
is($crc, 0, 'SPNCheckProbe: a year is accepted') or diag($cout);

# Inside httpd
sub wait_probe {
    my ($h) = @_;
    for (1 .. 100) {
        my $out = `curl -s --max-time 5 '@{[ $h->url('127.0.0.1', '/spncheck-status?format=json') ]}'`;
        my $s = eval { JSON::PP::decode_json($out) };
        return $s if $s && $s->{probe} && $s->{probe}{runs};
        sleep 0.2;
    }
    return {};
}
my $h = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       extra => "SPNCheckProbe $dir/monitor.keytab monitor\@SPNCHECK.TEST 15min\n");
$h->start;
my $s = wait_probe($h);
ok($s->{probe}{runs} >= 1, 'the probe ran at start-up');
is($s->{probe}{error}, undef, 'no probe error');
my %p = map { $_->{spn} => $_ } @{$s->{probe}{results} || []};
is($p{'HTTP/wrong.spncheck.test@SPNCHECK.TEST'}{cause}, 'spn-wrong-account', 'status: FQDN SPN on another account');
is($p{'HTTP/wrong@SPNCHECK.TEST'}{cause}, 'spn-not-registered', 'status: short form not registered');
my $prom = `curl -s '@{[ $h->url('127.0.0.1', '/spncheck-status?format=prometheus') ]}'`;
like($prom, qr/^spncheck_probe_ok\{scope="[^"]*",spn="HTTP\/wrong\.spncheck\.test\@SPNCHECK\.TEST",cause="spn-wrong-account"\} 0$/m,
     'Prometheus: probe gauge');
like($h->log, qr/SPN00031: probe HTTP\/wrong\.spncheck\.test\@SPNCHECK\.TEST: .* cause=spn-wrong-account/,
     'the finding is logged');
$h->stop;

# Inside httpd, a service whose short name is registered (lower-case): ok.
my $ok = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                        keytab => "$dir/probe.keytab", spn => 'HTTP/probe.spncheck.test@SPNCHECK.TEST',
                        extra => "SPNCheckProbe $dir/monitor.keytab monitor\@SPNCHECK.TEST 15min\n");
$ok->start;
my $os = wait_probe($ok);
my %op = map { $_->{spn} => $_ } @{$os->{probe}{results} || []};
is($op{'HTTP/probe.spncheck.test@SPNCHECK.TEST'}{cause}, 'ok', 'status: FQDN form ok');
is($op{'HTTP/probe@SPNCHECK.TEST'}{cause}, 'ok', 'status: short form, as browsers ask, ok');
unlike($ok->log, qr/SPN00031/, 'no finding logged');
$ok->stop;

# A probe identity that cannot authenticate: httpd starts and serves anyway.
my $b = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       extra => "SPNCheckProbe $dir/empty.keytab monitor\@SPNCHECK.TEST\n");
ok(eval { $b->start }, 'bad probe identity: httpd starts');
my $bs = wait_probe($b);
like($bs->{probe}{error} // '', qr/cannot authenticate as monitor/, 'status: the probe error, clearly');
$ENV{KRB5CCNAME} = "$dir/alice.cc";
my $code = `curl -s -o /dev/null -w '%{http_code}' --negotiate -u : --resolve @{[ $b->resolve('wrong.spncheck.test') ]} @{[ $b->url('wrong.spncheck.test', '/') ]}`;
is($code, '401', 'requests are served (the KB failure, explained) while the probe fails');
$b->stop;

# A KDC that does not answer: still no blocking.
my $port = MiniHttpd::free_port();
(my $conf = do { local (@ARGV, $/) = "$dir/krb5.conf"; <> }) =~ s/kdc = 127\.0\.0\.1:\d+/kdc = 127.0.0.1:$port/;
open(my $kc, '>', "$dir/dead-kdc.conf") or die;
print $kc $conf;
close $kc;
{
    local $ENV{KRB5_CONFIG} = "$dir/dead-kdc.conf";
    my $d = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                           extra => "SPNCheckProbe $dir/monitor.keytab monitor\@SPNCHECK.TEST\n");
    my $t0 = time;
    ok(eval { $d->start }, 'dead KDC: httpd starts');
    cmp_ok(time - $t0, '<', 10, 'and does not wait for the KDC');
    my $idx = `curl -s -o /dev/null -w '%{http_code}' '@{[ $d->url('127.0.0.1', '/spncheck-status') ]}'`;
    is($idx, '200', 'status page served while the probe waits on a dead KDC');
    $d->stop;
}

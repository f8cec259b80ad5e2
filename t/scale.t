# scale.t: hundreds of name-based virtual hosts with SPNCheck On (issue
# 21, part 1).  Every scope is counted and self-checked, every SPN probed
# and looked up (both name forms), not the first 64 / 32; a graceful
# restart into more virtual hosts keeps the history and each scope's
# counts (by name, wherever the scope now is); with SPNCheckMaxScopes
# passed, one warning (SPN00100) and the status page lists what is not
# covered.  The failing site is the last virtual host (past 64 and past
# SPNCheckMaxScopes' small value below), the others share its keytab.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use Time::HiRes qw(sleep);
use File::Temp ();
use MiniHttpd;
use SpnTest qw(realm_dir configtest);

plan tests => 34;
my $dir = realm_dir();
$ENV{KRB5CCNAME} = "$dir/alice.cc";
my $kt = "$dir/wrong.keytab";

# The failing site (wrong.spncheck.test: the KB1077 keytab at /), then n
# generated virtual hosts: httpd lists virtual hosts last first, so the
# failing site is the last scope (past 64, past a small SPNCheckMaxScopes).
# The status page is the main server's <Location>, which every virtual
# host inherits.
sub site {
    my ($n, $extra, $renamed) = @_;
    my $s = <<"S";
SPNCheckHistory 100
$extra
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
S
    # the default virtual host (127.0.0.1: the status page), no scope
    $s .= <<"W";
<VirtualHost *>
    ServerName localhost
</VirtualHost>
<VirtualHost *>
    ServerName wrong.spncheck.test
@{[ MiniHttpd::kb1077_location('/', $kt) ]}</VirtualHost>
W
    for my $i (1 .. $n) {
        my $name = $renamed && $i == 1 ? 'r1' : "v$i";
        $s .= <<"V";
<VirtualHost *>
    ServerName $name.scale.test
    SPNCheck On
    SPNCheckServicePrincipal HTTP/v$i.scale.test\@SPNCHECK.TEST
    SPNCheckKeytab $kt
</VirtualHost>
V
    }
    return $s;
}

sub get { $_[0]->status_get($_[1]) }
sub json { $_[0]->status_json }
# the JSON once the probe and the directory have run over every SPN
sub settled {
    my ($h, $n) = @_;
    my $j = {};
    for (1 .. 300) {
        $j = json($h);
        return $j if $j->{probe} && scalar(@{$j->{probe}{results} || []}) >= $n &&
                     $j->{directory} && scalar(@{$j->{directory}{configured} || []}) >= $n;
        sleep 0.2;
    }
    return $j;
}
sub scope_of {
    my ($j, $server) = @_;
    my ($s) = grep { $_->{server} eq $server } @{$j->{scopes} || []};
    return $s || {};
}
sub funnel_of {
    my ($j, $server) = @_;
    my ($s) = grep { $_->{server} eq $server } @{$j->{funnel}{scopes} || []};
    return $s || {};
}

# SPNCheckMaxScopes: syntax, main server only (apache2 -t)
my ($rc, $out) = configtest("SPNCheckMaxScopes 5\n");
is($rc, 0, 'SPNCheckMaxScopes 5: accepted') or diag($out);
for my $bad ('0', 'abc', '1000001', '12x') {
    ($rc, $out) = configtest("SPNCheckMaxScopes $bad\n");
    like($out, qr/SPNCheckMaxScopes: a number of scopes from 1 to 1000000/, "SPNCheckMaxScopes $bad: refused");
}
($rc, $out) = configtest("<VirtualHost 127.0.0.1:9>\nSPNCheckMaxScopes 5\n</VirtualHost>\n");
like($out, qr/cannot occur within <VirtualHost> section/, '  main server only');

my $probe_dir = "SPNCheckProbe $dir/monitor.keytab monitor\@SPNCHECK.TEST 15min\n" .
                # a directory that refuses at once (loopback port 1): each configured SPN
                # is still taken up, pinned, as an error
                "SPNCheckDirectory ldap://127.0.0.1:1 $dir/monitor.keytab monitor\@SPNCHECK.TEST\n";
my $h = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       site => site(200, $probe_dir));
$h->start;
$h->fail_kb1077(3);
my $j = settled($h, 402);
my @sc = @{$j->{scopes} || []};
is(scalar @sc, 201, '201 scopes (200 generated virtual hosts and the failing site)');
is(scalar(grep { ref $_->{auth_success} eq 'HASH' } @sc), 201, 'every scope counts its sign-ins (was: 64)');
is(scalar(grep { my $s = $_; grep { $_->{id} eq 'kerberos-share' } @{$s->{checks} || []} } @sc), 201,
   'every scope has its kerberos-share self-check');
is(scalar(@{$j->{probe}{results} || []}), 402, 'the probe covers every SPN in both name forms (402; was: 64)');
my %probed = map { $_->{spn} => 1 } @{$j->{probe}{results} || []};
ok($probed{'HTTP/v200.scale.test@SPNCHECK.TEST'} && $probed{'HTTP/v200@SPNCHECK.TEST'} &&
   $probed{'HTTP/wrong.spncheck.test@SPNCHECK.TEST'}, '  the last virtual hosts too, both forms');
is(scalar(@{$j->{directory}{configured} || []}), 402,
   'the directory pins every configured SPN, both forms (402; was: 64)');
is_deeply([ @{$j->{uncovered_scopes} || {}}{qw(count max_scopes)} ], [ 0, 10000 ],
          'nothing uncovered under the default SPNCheckMaxScopes (10000)');
is($j->{counters}{'spn-wrong-account'}, 3, 'three failures in the last virtual host');
is(funnel_of($j, 'wrong.spncheck.test')->{failures}, 3, '  counted in its own scope (the 201st)');
unlike($h->log, qr/SPN00100/, 'no SPN00100');

# a graceful restart into 50 more virtual hosts, before the failing one
ok($h->graceful_site(site(250, $probe_dir)), 'graceful restart into 250 virtual hosts');
$j = settled($h, 502);
is(scalar(@{$j->{scopes} || []}), 251, '  251 scopes');
is($j->{counters}{'spn-wrong-account'}, 3, '  the counters kept');
is($j->{history_size}, 3, '  the failure history kept');
is(funnel_of($j, 'wrong.spncheck.test')->{failures}, 3, '  the failing scope keeps its counts (now the 251st)');
is(scalar(grep { ref $_->{auth_success} eq 'HASH' } @{$j->{scopes} || []}), 251, '  every scope counted');
is(scalar(@{$j->{probe}{results} || []}), 502, '  every SPN probed');
like($h->log, qr/\[spncheck:notice\] [^\n]*SPN00101: the configuration changed \(scopes 201 -> 251\)/,
     '  SPN00101: the history moved into the larger block');
unlike($h->log, qr/SPN00060/, '  not started afresh');
$h->fail_kb1077(1);
is(json($h)->{counters}{'spn-wrong-account'}, 4, '  and the new block counts on');
# the same number of virtual hosts, one replaced by another: counts follow names
ok($h->graceful_site(site(250, $probe_dir, 1)), 'graceful restart: v1 replaced by r1 (as many scopes)');
like($h->log, qr/SPN00101: the configuration changed \(scope 250 was v1\.scale\.test, is r1\.scale\.test\)/,
     '  SPN00101: a scope renamed');
is(funnel_of(json($h), 'wrong.spncheck.test')->{failures}, 4, '  the failing scope keeps its counts');
$h->stop;
unlike($h->log, qr/AH00052|Segmentation fault|exit signal/, 'no child crashed');

# SPNCheckMaxScopes passed: one clear warning, the page says what is not covered
my $m = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       site => site(200, "SPNCheckMaxScopes 50\n"));
$m->start;
my $mj = json($m);
is(scalar(() = $m->log =~ /SPN00100/g), 1, 'SPNCheckMaxScopes 50: SPN00100 logged once');
like($m->log, qr/\[spncheck:warn\] [^\n]*SPN00100: SPNCheckMaxScopes 50: 151 of 201 scopes with SPNCheck On are not covered .* from v150\.scale\.test on; raise SPNCheckMaxScopes to 201/,
     '  at warning: how many, from which, the value that covers all');
is_deeply([ $mj->{uncovered_scopes}{count}, ($mj->{uncovered_scopes}{first} || [])->[0],
            $mj->{uncovered_scopes}{max_scopes} ], [ 151, 'v150.scale.test', 50 ],
          '  JSON: uncovered_scopes (count, the first, the bound)');
like(get($m, ''), qr/151 scopes are not covered<\/b> \(SPNCheckMaxScopes 50.*<code>v150\.scale\.test<\/code>.*and 131 more/,
     '  HTML: one line naming them');
$m->stop;

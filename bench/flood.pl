#!/usr/bin/perl
# flood.pl MODULE: the module's own share of a victim's latency under a
# forged-token flood (issue 19, item 8).  Prints figures; asserts nothing.
#
# The flood: FLOOD_CONNS (10) wrk connections sending, back to back, a
# forged ~64 KiB Negotiate token (an AP-REQ whose ticket is 47,000 random
# bytes, sname HTTP/wrong.spncheck.test) to a server whose SPNCheckKeytab
# holds 201 entries (wrong.keytab's and 200 random aes256 keys).  The
# victim: one connection of unrelated tokenless requests (GET /app/, the
# first leg of a sign-in: a 401), p50/p99 from wrk.  Each configuration
# runs ROUNDS (4) times, the orders rotated (without, with[, before]; then
# with, ..., ...), in one run; the figures are medians over rounds, and
# the ratio is the with / without median p99.
#
# gssapi's keytab is the server's own 2 entries (mod_auth_gssapi then
# costs little, so the module's share shows), and with FLOOD_GSSAPI=201 also
# the 201 (mod_auth_gssapi itself tries every key).  BENCH_BEFORE_MODULE:
# another build of the module, run as a third configuration ('before').
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib", "$FindBin::Bin/lib";
use MiniHttpd;
use Forged qw(big_keytab forged_token ms);
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

my ($module) = @ARGV;
die "usage: flood.pl MODULE\n" unless $module;
my $secs = $ENV{BENCH_SECONDS} || 5;
my $rounds = $ENV{ROUNDS} || 4;
my $conns = $ENV{FLOOD_CONNS} || 10;
my @gss = split /,/, ($ENV{FLOOD_GSSAPI} || '2');
my $realm = tempdir(CLEANUP => 1);
my $kport = MiniHttpd::free_port();
system("$FindBin::Bin/../t/realm/mkrealm '$realm' $kport >/dev/null") == 0 or die "mkrealm failed\n";
END { system("$FindBin::Bin/../t/realm/stoprealm '$realm' >/dev/null 2>&1") if $realm }
$ENV{KRB5_CONFIG} = "$realm/krb5.conf";
$ENV{KRB5RCACHETYPE} = 'none';

big_keytab("$realm/wrong.keytab", "$realm/big.keytab", 200);
my $forged = forged_token(47000);
open(my $fl, '>', "$realm/forged.lua") or die;
print $fl "wrk.headers['Host'] = 'wrong.spncheck.test'\nwrk.headers['Authorization'] = '$forged'\n";
close $fl;

sub median { my @s = sort { $a <=> $b } @_; @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2 }

# One round of one configuration: p50, p99 (ms) and req/s of the victim,
# forged req/s, log lines whose trial was shed or capped.
sub round {
    my ($gss, $mod) = @_;
    my $own = $gss eq '2' ? "<Location />\n    GssapiCredStore keytab:$realm/wrong.keytab\n</Location>\n" : '';
    my $h = MiniHttpd->new(mpm => 'event', realm => $realm, module => $mod // $module,
                           keytab => "$realm/big.keytab", without => !defined $mod,
                           extra => "LimitRequestFieldSize 100000\n$own");
    $h->start;
    `wrk -t1 -c1 -d1s -H 'Host: wrong.spncheck.test' @{[ $h->url('127.0.0.1', '/app/') ]} 2>&1`;
    my $pid = open(my $w, '-|') // die;
    if (!$pid) { exec('wrk', '-t2', "-c$conns", "-d@{[ $secs + 2 ]}s", '-s', "$realm/forged.lua",
                      $h->url('127.0.0.1', '/')) }
    sleep(1);
    my $out = `wrk -t1 -c1 -d${secs}s --latency -H 'Host: wrong.spncheck.test' @{[ $h->url('127.0.0.1', '/app/') ]} 2>&1`;
    my $fout = do { local $/; <$w> };
    close $w;
    my ($p50) = $out =~ /^\s+50%\s+(\S+)/m;
    my ($p99) = $out =~ /^\s+99%\s+(\S+)/m;
    my ($rps) = $out =~ /Requests\/sec:\s*([\d.]+)/;
    my ($frps) = $fout =~ /Requests\/sec:\s*([\d.]+)/;
    my $log = $h->log;
    my $shed = () = $log =~ /trial=(?:shed|capped|busy)/g;
    $h->stop;
    return { p50 => ms($p50), p99 => ms($p99), rps => $rps // 0, flood => $frps // 0, shed => $shed };
}

print "== forged-token flood, $conns connections of ", length($forged) - 10,
      "-character tokens (47,000-byte ticket), SPNCheckKeytab of 201 entries;\n",
      "   victim: 1 connection of tokenless GET /app/ (401), ${secs}s; event MPM;",
      " $rounds rounds, orders rotated; medians\n";
for my $gss (@gss) {
    my @cfg = (['without', undef], ['with', $module]);
    push @cfg, ['before', $ENV{BENCH_BEFORE_MODULE}] if $ENV{BENCH_BEFORE_MODULE};
    my %r;
    for my $round (0 .. $rounds - 1) {
        my @order = map { $cfg[($_ + $round) % @cfg] } 0 .. $#cfg;
        @order = reverse @order if $round % 2;
        push @{$r{$_->[0]}}, round($gss, $_->[1]) for @order;
    }
    my $base = median(map { $_->{p99} } @{$r{without}});
    for my $c (@cfg) {
        my $l = $r{$c->[0]};
        my $p99 = median(map { $_->{p99} } @$l);
        printf "gssapi %3s keys, %-7s victim p50 %6.2f ms  p99 %7.2f ms  (p99 by round: %s)"
             . "  flood %5.0f req/s%s\n",
            $gss, $c->[0], median(map { $_->{p50} } @$l), $p99,
            join(' ', map { sprintf '%.2f', $_->{p99} } @$l), median(map { $_->{flood} } @$l),
            defined $c->[1] ? sprintf(', shed/capped/busy log lines %d', median(map { $_->{shed} } @$l)) : '';
    }
    for my $c (@cfg[1 .. $#cfg]) {
        my $l = $r{$c->[0]};
        my @pr = map { $r{without}[$_]{p99} ? $l->[$_]{p99} / $r{without}[$_]{p99} : 0 } 0 .. $rounds - 1;
        printf "gssapi %3s keys, victim p99 %s / without: %.2f (median of rounds: %.2f; by round %s)\n",
            $gss, $c->[0], $base ? median(map { $_->{p99} } @$l) / $base : 0, median(@pr),
            join(' ', map { sprintf '%.2f', $_ } @pr);
    }
}

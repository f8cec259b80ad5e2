#!/usr/bin/perl
# glob.pl MODULE: the ServerAlias wildcard under hostile host names (issue
# 19, finding 1), side by side in one run; prints figures and ratios,
# asserts nothing.  `BENCH_ONLY=glob bench/run` or directly:
#   perl bench/glob.pl .libs/mod_spncheck.so
#
# A virtual host with `ServerAlias *-*-*-*.apps.spncheck.test` and a
# directory configured (SPNCheckDirectory at a loopback port nobody
# listens on: the lookups fail, the matching is what is measured).  Two
# connections flood forged AP-REQs whose ticket's sname host is hostile:
#   dashes240: 240 dashes (longer than RFC 1123 allows a label)
#   rfc1123:   63+63+63+40 dashes with dots (a legal host name)
# Victim: another user's failed sign-in (a real AP-REQ for
# HTTP/wrong.spncheck.test, KB1077), one connection, p50/p99 alone and
# while flooded: without the module, with it, and with BENCH_BEFORE_MODULE
# (another build, e.g. the module before the fix) when set.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib", "$FindBin::Bin/lib";
use MiniHttpd;
use Forged qw(forged_token ms);
use File::Temp qw(tempdir);
use MIME::Base64 ();
use Time::HiRes qw(sleep);
use File::Spec;

my ($module) = @ARGV;
die "usage: glob.pl MODULE\n" unless $module;
$module = File::Spec->rel2abs($module);
$ENV{BENCH_BEFORE_MODULE} = File::Spec->rel2abs($ENV{BENCH_BEFORE_MODULE}) if $ENV{BENCH_BEFORE_MODULE};
my $secs = $ENV{BENCH_SECONDS} || 5;
my $realm = tempdir(CLEANUP => 1);
my $kport = MiniHttpd::free_port();
system("$FindBin::Bin/../t/realm/mkrealm '$realm' $kport >/dev/null") == 0 or die "mkrealm failed\n";
END { system("$FindBin::Bin/../t/realm/stoprealm '$realm' >/dev/null 2>&1") if $realm }
$ENV{KRB5_CONFIG} = "$realm/krb5.conf";
$ENV{KRB5RCACHETYPE} = 'none';             # the same AP-REQ is replayed on purpose
$ENV{KRB5CCNAME} = "$realm/alice.cc";
system("echo alice-Pw1 | kinit alice >/dev/null") == 0 or die "kinit failed\n";

# the victim's token: a real AP-REQ for HTTP/wrong.spncheck.test
my $victim_token = do {
    my $h = MiniHttpd->new(realm => $realm, module => $module, without => 1);
    $h->start;
    my $v = `curl -sv -o /dev/null --negotiate -u : --resolve @{[ $h->resolve('wrong.spncheck.test') ]} @{[ $h->url('wrong.spncheck.test', '/') ]} 2>&1`;
    $h->stop;
    my ($t) = $v =~ /^> Authorization: (Negotiate \S+)\r?$/m or die "no token\n";
    $t;
};

my %hostile = (
    dashes240 => '-' x 240,
    rfc1123   => join('.', '-' x 63, '-' x 63, '-' x 63, '-' x 40),
);

sub victim {
    my ($h) = @_;
    my $out = `wrk -t1 -c1 -d${secs}s --timeout 30s --latency -H 'Host: wrong.spncheck.test' -H 'Authorization: $victim_token' @{[ $h->url('127.0.0.1', '/') ]} 2>&1`;
    my ($p50) = $out =~ /^\s+50%\s+(\S+)/m;
    my ($p99) = $out =~ /^\s+99%\s+(\S+)/m;
    my ($n) = $out =~ /(\d+) requests in/;
    return (ms($p50 // ''), ms($p99 // ''), $n // 0);
}

my $dead = MiniHttpd::free_port();          # nobody listens: every lookup fails at once
my $vhost = "<VirtualHost 127.0.0.1:*>\nServerName vh.spncheck.test\n"
          . "ServerAlias *-*-*-*.apps.spncheck.test\n</VirtualHost>\n";
my $dir = "SPNCheckDirectory ldap://127.0.0.1:$dead $realm/monitor.keytab monitor\@SPNCHECK.TEST 15min\n";
my @builds = (['without', undef], ['with', $module]);
push @builds, ['before', $ENV{BENCH_BEFORE_MODULE}] if $ENV{BENCH_BEFORE_MODULE};

print "== ServerAlias *-*-*-*.apps.spncheck.test, a directory configured (unreachable);\n",
      "   flood: 2 connections of forged tokens, sname HTTP/<hostile host>;\n",
      "   victim: 1 connection of another user's failed sign-in (KB1077), ${secs}s, event MPM\n";
my %base;
for my $kind (sort keys %hostile) {
    my $lua = "$realm/$kind.lua";
    open(my $fl, '>', $lua) or die;
    print $fl "wrk.headers['Host'] = 'wrong.spncheck.test'\nwrk.headers['Authorization'] = '",
        forged_token(300, host => $hostile{$kind}, auth => 120), "'\n";
    close $fl;
    for my $b (@builds) {
        my ($label, $mod) = @$b;
        my $h = MiniHttpd->new(mpm => 'event', realm => $realm, module => $mod // $module,
                               without => !defined $mod, extra => $vhost . ($mod ? $dir : ''));
        $h->start;
        victim($h);                                             # warm-up
        my ($q50, $q99) = victim($h);
        my $pid = open(my $w, '-|') // die;
        if (!$pid) { exec('wrk', '-t1', '-c2', "-d@{[ $secs + 2 ]}s", '--timeout', '30s', '-s', $lua,
                          $h->url('127.0.0.1', '/')) }
        sleep(1);
        my ($f50, $f99, $fn) = victim($h);
        my $fout = do { local $/; <$w> };
        close $w;
        my ($frps) = $fout =~ /Requests\/sec:\s*([\d.]+)/;
        $base{$kind} = [$f50, $f99] if $label eq 'without';
        my ($b50, $b99) = @{$base{$kind} || [0, 0]};
        printf "%-9s %-7s victim p50/p99 %7.2f/%8.2f ms alone, %8.2f/%8.2f ms flooded"
             . " (%d sign-ins); vs without, flooded: p50 x%.2f p99 x%.2f; flood %.0f req/s\n",
            $kind, $label, $q50, $q99, $f50, $f99, $fn, $b50 ? $f50 / $b50 : 0,
            $b99 ? $f99 / $b99 : 0, $frps // 0;
        $h->stop;
    }
}

#!/usr/bin/perl
# http.pl MODULE SPNCHECK_BIN: httpd benchmarks with wrk, side by side in one
# run, and the load-and-faults run.  Prints figures; asserts nothing.
#
#  1. success path: requests/s through mod_auth_gssapi, module loaded and
#     SPNCheck On vs. not loaded (ratio; goal >= 0.99)
#  2. failure path: 401/s, same two (ratio; goal >= 0.90)
#  3. load and faults, per MPM (event, worker, prefork): a mix of good and
#     failing Negotiate requests; 5xx count, resident memory after warm-up
#     and at the end, status counters vs. failures sent, a graceful restart
#     and a keytab replaced on disk in the middle of the load.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib", "$FindBin::Bin/lib";
use MiniHttpd;
use Forged qw(big_keytab forged_token ms);
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use JSON::PP ();
use Time::HiRes qw(sleep time);
# BENCH_ONLY: success (the success path alone), paths (success and failure
# paths), flood (the flood alone); unset: everything.  BENCH_BASELINE_MODULE:
# the paths' "without" arm runs that build instead (this build vs that one).

my ($module, $bin) = @ARGV;
die "usage: http.pl MODULE SPNCHECK_BIN\n" unless $bin;
my $secs = $ENV{BENCH_SECONDS} || 5;
my $realm = tempdir(CLEANUP => 1);
my $kport = MiniHttpd::free_port();
system("$FindBin::Bin/../t/realm/mkrealm '$realm' $kport >/dev/null") == 0 or die "mkrealm failed\n";
END { system("$FindBin::Bin/../t/realm/stoprealm '$realm' >/dev/null 2>&1") if $realm }
$ENV{KRB5_CONFIG} = "$realm/krb5.conf";
$ENV{KRB5RCACHETYPE} = 'none';             # the same AP-REQ is replayed on purpose
$ENV{KRB5CCNAME} = "$realm/alice.cc";
system("echo alice-Pw1 | kinit alice >/dev/null") == 0 or die "kinit failed\n";

# A real AP-REQ for each host, captured from curl.
sub token_for {
    my ($host) = @_;
    my $h = MiniHttpd->new(realm => $realm, module => $module, without => 1);
    $h->start;
    my $v = `curl -sv -o /dev/null --negotiate -u : --resolve @{[ $h->resolve($host) ]} @{[ $h->url($host, '/') ]} 2>&1`;
    $h->stop;
    my ($t) = $v =~ /^> Authorization: (Negotiate \S+)\r?$/m or die "no token for $host\n";
    return $t;
}
my $good = token_for('web01.spncheck.test');
my $bad = token_for('wrong.spncheck.test');

sub wrk {
    my ($h, $host, $path, $auth, %o) = @_;
    my $lua = $o{lua} ? "-s $o{lua}" : '';
    my $d = $o{secs} || $secs;
    my $out = `wrk -t2 -c16 -d${d}s --latency $lua -H 'Host: $host' -H 'Authorization: $auth' @{[ $h->url('127.0.0.1', $path) ]} 2>&1`;
    my ($rps) = $out =~ /Requests\/sec:\s*([\d.]+)/;
    my ($non) = $out =~ /Non-2xx or 3xx responses:\s*(\d+)/;
    my ($p99) = $out =~ /^\s+99%\s+(\S+)/m;
    return { rps => $rps // 0, non2xx => $non // 0, p99 => $p99 // '?', out => $out };
}

sub median { my @s = sort { $a <=> $b } @_; $s[int(@s / 2)] }

# A/B/A/B/A/B, medians: the two configurations interleaved in one run.
sub ab {
    my ($title, $host, $kt, $spn, $auth, $extra_with) = @_;
    my (%rps, $last);
    for my $round (1 .. 4) {
        for my $with ($round % 2 ? (0, 1) : (1, 0)) {          # ABBA: no order bias
            # BENCH_BASELINE_MODULE: the other arm runs that build of the
            # module (same configuration) instead of none: new vs old
            my $base = $ENV{BENCH_BASELINE_MODULE};
            my $h = MiniHttpd->new(mpm => 'event', realm => $realm,
                                   module => $with || !$base ? $module : $base,
                                   keytab => "$realm/$kt", spn => $spn, without => !$with && !$base,
                                   extra => $with || $base ? $extra_with // '' : '');
            $h->start;
            wrk($h, $host, '/', $auth, secs => 1);            # warm-up
            my $r = wrk($h, $host, '/', $auth);
            push @{$rps{$with}}, $r->{rps};
            $last->{$with} = $r;
            $h->stop;
        }
    }
    my ($a, $b) = (median(@{$rps{0}}), median(@{$rps{1}}));
    printf "%-34s without %9.0f/s  with %9.0f/s  ratio %.3f  (p99 %s vs %s)\n", $title, $a, $b,
        $a ? $b / $a : 0, $last->{0}{p99}, $last->{1}{p99};
    return $a ? $b / $a : 0;
}

unless (($ENV{BENCH_ONLY} // '') eq 'flood') {
print "== httpd, event MPM, wrk -t2 -c16, ${secs}s x 4 rounds each (ABBA), medians\n";
# SPNCheck On at the server level too: the header-line watch (token-too-large)
# runs on every request, and every success is sniffed and counted (issue 12).
ab('success path (200 via gssapi):', 'web01.spncheck.test', 'web01.keytab',
   'HTTP/web01.spncheck.test@SPNCHECK.TEST', $good, "SPNCheck On\n");
exit 0 if ($ENV{BENCH_ONLY} // '') eq 'success';
ab('failure path (401, KB1077):', 'wrong.spncheck.test', 'wrong.keytab',
   'HTTP/wrong.spncheck.test@SPNCHECK.TEST', $bad);
exit 0 if ($ENV{BENCH_ONLY} // '') eq 'paths';
}

# ---- forged-token flood (issue 9) ---------------------------------------------
# A keytab of 201 entries: wrong.keytab's own and 200 random aes256 keys
# under other names; an AP-REQ whose ticket is 47,000 random bytes
# (bench/lib/Forged.pm).
# The victim: one connection of tokenless first legs, p50/p99 from wrk.
sub victim {
    my ($h) = @_;
    my $out = `wrk -t1 -c1 -d${secs}s --latency -H 'Host: wrong.spncheck.test' @{[ $h->url('127.0.0.1', '/') ]} 2>&1`;
    my ($p50) = $out =~ /^\s+50%\s+(\S+)/m;
    my ($p99) = $out =~ /^\s+99%\s+(\S+)/m;
    my ($rps) = $out =~ /Requests\/sec:\s*([\d.]+)/;
    return (ms($p50 // ''), ms($p99 // ''), $rps // 0);
}
{
    big_keytab("$realm/wrong.keytab", "$realm/big.keytab", 200);
    my $forged = forged_token();
    open(my $fl, '>', "$realm/forged.lua") or die;
    print $fl "wrk.headers['Host'] = 'wrong.spncheck.test'\nwrk.headers['Authorization'] = '$forged'\n";
    close $fl;
    print "\n== forged-token flood: 20 connections of forged ", length($forged) - 10,
          "-character tokens (47,000-byte ticket) against a 201-entry keytab;\n",
          "   victim: 1 connection of tokenless 401s, ${secs}s, event MPM.\n",
          "   gssapi's keytab: the same 201 entries (mod_auth_gssapi itself tries them all),\n",
          "   or its own 2 (only the module's cost added); 'before' is BENCH_BEFORE_MODULE\n";
    my @runs;
    for my $gss ('201', '2') {
        push @runs, [$gss, 'without', undef], [$gss, 'with', $module];
        push @runs, [$gss, 'before', $ENV{BENCH_BEFORE_MODULE}] if $ENV{BENCH_BEFORE_MODULE};
    }
    for my $run (@runs) {
        my ($gss, $label, $mod) = @$run;
        my $with = defined $mod;
        my $own = $gss eq '2' ? "<Location />\n    GssapiCredStore keytab:$realm/wrong.keytab\n</Location>\n" : '';
        my $h = MiniHttpd->new(mpm => 'event', realm => $realm, module => $mod // $module,
                               keytab => "$realm/big.keytab", without => !$with,
                               extra => "LimitRequestFieldSize 100000\n$own");
        $h->start;
        victim($h);                                             # warm-up
        my ($q50, $q99, $qrps) = victim($h);
        my $pid = open(my $w, '-|') // die;
        if (!$pid) { exec('wrk', '-t2', '-c20', "-d@{[ $secs + 2 ]}s", '-s', "$realm/forged.lua",
                          $h->url('127.0.0.1', '/')) }
        sleep(1);
        my ($f50, $f99, $frps) = victim($h);
        my $fout = do { local $/; <$w> };
        close $w;
        my ($flood) = $fout =~ /Requests\/sec:\s*([\d.]+)/;
        my ($non) = $fout =~ /Non-2xx or 3xx responses:\s*(\d+)/;
        my $log = $h->log;
        my $shed = () = $log =~ /trial=(?:shed|capped|busy)/g;
        printf "gssapi %3s keys, %-7s victim p50/p99 %.2f/%.2f ms alone, %.2f/%.2f ms flooded"
             . " (p99 x%.2f); flood %.0f forged req/s%s\n",
            $gss, $label, $q50, $q99, $f50, $f99, $q99 ? $f99 / $q99 : 0,
            $flood // 0, $with ? ", log lines with trial shed: $shed" : '';
        $h->stop;
    }
}
exit 0 if $ENV{BENCH_AB_ONLY} || $ENV{BENCH_ONLY};

# ---- load and faults ----------------------------------------------------------
# The mix of good and failing requests, with tokens captured afresh: a
# replayed authenticator is refused once it is older than the 5-minute skew.
my $lua = "$realm/mix.lua";
sub mix_lua {
($good, $bad) = (token_for('web01.spncheck.test'), token_for('wrong.spncheck.test'));
open(my $l, '>', $lua) or die;
print $l <<"LUA";
-- 3 good requests to 1 failing one; per-status counts summed in done()
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; c200 = 0; c401 = 0; c5xx = 0; cother = 0 end
function request()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("GET", "/bad/", { ["Host"] = "wrong.spncheck.test", ["Authorization"] = "$bad" })
  end
  return wrk.format("GET", "/", { ["Host"] = "web01.spncheck.test", ["Authorization"] = "$good" })
end
function response(status, headers, body)
  if status == 200 then c200 = c200 + 1 elseif status == 401 then c401 = c401 + 1
  elseif status >= 500 then c5xx = c5xx + 1 else cother = cother + 1 end
end
function done(summary, latency, requests)
  local t = { 0, 0, 0, 0 }
  for _, th in ipairs(threads) do
    t[1] = t[1] + th:get("c200"); t[2] = t[2] + th:get("c401")
    t[3] = t[3] + th:get("c5xx"); t[4] = t[4] + th:get("cother")
  end
  local e = summary.errors
  io.write(string.format("STATUS 200=%d 401=%d 5xx=%d other=%d connect=%d read=%d write=%d timeout=%d\\n",
    t[1], t[2], t[3], t[4], e.connect, e.read, e.write, e.timeout))
end
LUA
close $l;
}

# Private (anonymous) resident memory of the children: the shared history
# is left out, it is touched page by page as it fills.
sub rss_kb {
    my ($h) = @_;
    my $pp = $h->pid or return 0;
    my ($sum, $n) = (0, 0);
    for my $st (glob '/proc/[0-9]*/stat') {
        open(my $f, '<', $st) or next;
        my @f = split ' ', (<$f> // '');
        next unless @f > 3 && $f[3] == $pp;
        (my $status = $st) =~ s/stat$/status/;
        open(my $g, '<', $status) or next;
        local $/;
        my ($anon) = (<$g> // '') =~ /^RssAnon:\s*(\d+)/m;
        $sum += $anon // 0;
        $n++;
    }
    return sprintf('%d KiB in %d children (%d each)', $sum, $n, $n ? $sum / $n : 0);
}
sub status_json {
    my ($h) = @_;
    my $o = `curl -s --max-time 10 '@{[ $h->url('127.0.0.1', '/spncheck-status?format=json') ]}'`;
    return eval { JSON::PP::decode_json($o) } || {};
}

copy("$realm/wrong.keytab", "$realm/bad-svc.keytab");
my $extra = <<"X";
LogLevel warn spncheck:debug
<Location /bad/>
    GssapiCredStore keytab:$realm/wrong.keytab
    SPNCheckServicePrincipal HTTP/wrong.spncheck.test\@SPNCHECK.TEST
    SPNCheckKeytab $realm/bad-svc.keytab
</Location>
X
print "\n== load and faults: 3 good : 1 failing, wrk -t2 -c16; graceful restart at 1/3,",
      " keytab replaced at 2/3\n";
for my $mpm (qw(event worker prefork)) {
  mix_lua();
  for my $with (0, 1) {
    my $h = MiniHttpd->new(mpm => $mpm, realm => $realm, module => $module, history => 100000,
                           keytab => "$realm/web01.keytab", without => !$with,
                           spn => 'HTTP/web01.spncheck.test@SPNCHECK.TEST',
                           extra => $with ? $extra : "<Location /bad/>\n    GssapiCredStore keytab:$realm/wrong.keytab\n</Location>\n");
    $h->start;
    wrk($h, 'x', '/', 'x', lua => $lua, secs => 2);                  # warm-up
    my $s0 = $with ? status_json($h) : {};
    my $before = ($s0->{counters}{'spn-wrong-account'} // 0) + ($s0->{counters}{'ticket-ok'} // 0);
    my $hist0 = $s0->{history_size} // 0;
    my $rss0 = rss_kb($h);
    my $d = $secs * 3;
    my $pid = open(my $w, '-|') // die;
    if (!$pid) { exec('wrk', '-t2', '-c16', "-d${d}s", '--timeout', '10s', '-s', $lua, $h->url('127.0.0.1', '/')) }
    sleep($d / 3);
    $h->ctl('graceful');
    sleep($d / 3);
    copy("$realm/wrong-fixed.keytab", "$realm/bad-svc.keytab.new");
    rename("$realm/bad-svc.keytab.new", "$realm/bad-svc.keytab");
    my $out = do { local $/; <$w> };
    close $w;
    copy("$realm/wrong.keytab", "$realm/bad-svc.keytab");
    my ($rps) = $out =~ /Requests\/sec:\s*([\d.]+)/;
    my ($st) = $out =~ /^(STATUS .*)$/m;
    my ($c401) = ($st // '') =~ /401=(\d+)/;
    my $rss1 = rss_kb($h);
    my $log = $h->log;
    my $errs = () = $log =~ /\[(?:error|crit|alert|emerg)\]|exit signal/g;
    printf "%-8s %-7s %6.0f req/s  %s\n", $mpm, $with ? 'with' : 'without', $rps // 0,
        $st // 'no status line';
    if ($with) {
        my $after = status_json($h);
        my $counted = ($after->{counters}{'spn-wrong-account'} // 0)
                      + ($after->{counters}{'ticket-ok'} // 0) - $before;
        my $reread = () = $log =~ /SPN00002: keytab \S*bad-svc\.keytab \(re\)read/g;
        my $after_swap = () = $log =~ /cause=ticket-ok/g;
        printf "                 401s received %d, counted by the module %d, history +%d;"
             . " keytab re-read by %d processes, ticket-ok after the swap: %s\n",
            $c401 // 0, $counted, ($after->{history_size} // 0) - $hist0, $reread,
            $after_swap ? 'yes' : 'no';
    }
    printf "                 private RSS: %s -> %s; error-log errors %d\n",
        $rss0, $rss1, $errs;
    $h->stop;
  }
}

# ---- decoder and diagnosis --------------------------------------------------
print "\n";

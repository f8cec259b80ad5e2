#!/usr/bin/perl
# vhosts.pl MODULE: many name-based virtual hosts (issue 21, item 4), with
# and without the module, side by side in one run; prints figures and
# ratios, asserts nothing.  `BENCH_ONLY=vhosts bench/run` or directly:
#   perl bench/vhosts.pl .libs/mod_spncheck.so
#
# At each N (BENCH_VHOSTS, default "10 1000 5000") N generated vhosts
# appNNNN.spncheck.test on one loopback port, each with its own SPNs
# (HTTP/appNNNN.spncheck.test and HTTP/APPNNNN; every 100th vhost lacks the
# short form, so 1% of the scopes warn) and its own keytab (aes256 and
# aes128 keys; random bytes written here, no KDC, except app0001 and
# app0002 whose keys the throwaway KDC issued, for real sign-ins),
# mod_auth_gssapi in each vhost's <Location />, SPNCheck On there
# (SPNCheckProbe not set); the status page on a vhost of its own.  The
# "without" arm is the same configuration without the LoadModule and
# SPNCheck lines.  For each arm, event MPM (2 children x 16 threads):
#   - `apache2 -t` (median of 3); start-up until the first HTTP answer,
#     until settled (every child done with child_init: the server's
#     processes idle) and the CPU seconds they used until then;
#   - traffic: wrk, 2 s: a real sign-in to app0001 and the same token sent
#     to app0002..app0200 (failures the module diagnoses: wrong SPN);
#   - K status scrapes of each format (BENCH_SCRAPES, default 10: HTML,
#     JSON, Prometheus; the same URLs return 404 without the module), time
#     and size (median of the K; fewer, at least 3, when a format's scrapes
#     pass BENCH_SCRAPE_SECONDS, default 40; more, up to 50, while they
#     have taken under 3 s), and the server's CPU time a scrape (all its
#     threads' /proc/PID/task/TID/schedstat: steadier on a loaded machine);
#   - then the parent's RSS, the largest child's RSS and PSS
#     (/proc/PID/smaps_rollup);
#   - `promtool check metrics` on the Prometheus output; for each metric
#     family with a scope (a scope label, or server and location), how
#     many scopes it names; in the JSON, how many scopes are listed,
#     counted and self-checked.
# Ratios: with/without (start-up, -t, RSS, PSS); status time and CPU at N /
# at the first N.  Progress lines go to stderr (`[vhosts +12s] ...`); some
# 4-5 minutes in all on 2 shared CPUs with main of 2026-12-07 (the N=5000
# module arm is most of it; each slow step is capped: start-up 300 s,
# settling 60 s, a format's scrapes BENCH_SCRAPE_SECONDS).  BENCH_KEEP=DIR
# keeps each N's status outputs and error log there.  For a look at where
# the memory or time goes: BENCH_SMAPS=DIR keeps every process's
# /proc/PID/smaps when settled, after the traffic and after the scrapes;
# BENCH_HOLD=FILE keeps the module arm's server up (its pid and URL in
# FILE) until FILE is removed; BENCH_TRAFFIC_VHOSTS=K sends the traffic to
# K vhosts instead of 200; BENCH_XCONF=TEXT goes into both arms' configuration.
# BENCH_HISTORY=N: SPNCheckHistory (default 1000, the module's default).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use MiniHttpd;
use File::Temp qw(tempdir);
use File::Spec;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use POSIX ();

my ($module) = @ARGV;
die "usage: vhosts.pl MODULE\n" unless $module;
$module = File::Spec->rel2abs($module);
die "vhosts.pl: no module at $module\n" unless -f $module;
my @ns = grep { /^\d+$/ && $_ > 0 } split ' ', ($ENV{BENCH_VHOSTS} || '10 1000 5000');
die "vhosts.pl: BENCH_VHOSTS holds no number\n" unless @ns;
my $scrapes = $ENV{BENCH_SCRAPES} || 10;
# SPNCheckHistory: the module's default.  The failure ring is shared memory
# of some 820 bytes a record whatever N is, and a child that writes
# failures touches the pages it writes: at 10000 (this script's setting
# until 2026-12-07) some 8 MB of every busy child's RSS.
my $history = $ENV{BENCH_HISTORY} || 1000;
# a format's scrapes stop early once they took this long (s): a slow page
# cannot stretch the run past what was planned (the count is printed)
my $budget = $ENV{BENCH_SCRAPE_SECONDS} || 40;
my $t0 = time;
sub progress { printf STDERR "[vhosts +%ds] %s\n", time - $t0, join('', @_) }

my $realm = tempdir(CLEANUP => 1);
my $kport = MiniHttpd::free_port();
progress("realm (throwaway KDC on 127.0.0.1:$kport)");
system("$FindBin::Bin/../t/realm/mkrealm '$realm' $kport >/dev/null") == 0 or die "mkrealm failed\n";
END { system("$FindBin::Bin/../t/realm/stoprealm '$realm' >/dev/null 2>&1") if $realm }
# interrupted (or its output closed): exit, so that END stops the KDCs and
# MiniHttpd's destructor the server under test
$SIG{$_} = sub { $SIG{PIPE} = 'IGNORE'; exit 130 } for qw(INT TERM HUP PIPE);
$ENV{KRB5_CONFIG} = "$realm/krb5.conf";
$ENV{KRB5RCACHETYPE} = 'none';             # the same AP-REQ is replayed on purpose
$ENV{KRB5CCNAME} = "$realm/alice.cc";
$ENV{PATH} .= ':/usr/sbin';
system("echo alice-Pw1 | kinit alice >/dev/null") == 0 or die "kinit failed\n";

my $width = length(sprintf '%d', (sort { $b <=> $a } @ns)[0]);
$width = 4 if $width < 4;
sub host { sprintf("app%0${width}d.spncheck.test", $_[0]) }
sub short { uc sprintf("app%0${width}d", $_[0]) }
# Every 100th vhost from the 3rd (app0003, app0103, ...) warns: its keytab
# and SPNs lack the short name form; the others pass every self-check.
sub warns { $_[0] % 100 == 3 }

# Two real services (the KDC's keys), one kadmin.local batch.
{
    my $batch = join '', map { my $h = host($_);
        my $s = short($_);
        "addprinc -randkey HTTP/$h\naddprinc -randkey HTTP/$s\n"
        . "ktadd -k $realm/real$_.keytab HTTP/$h HTTP/$s\n" } 1, 2;
    open(my $k, '|-', "KRB5_KDC_PROFILE='$realm/kdc1/kdc.conf' kadmin.local -r SPNCHECK.TEST"
                      . " >'$realm/kadm-batch.out' 2>&1") or die;
    print $k $batch;
    close $k or die "kadmin.local batch failed: " . `cat '$realm/kadm-batch.out'`;
    chmod 0644, "$realm/real1.keytab", "$realm/real2.keytab";
}

# One keytab entry in the file format (version 0x502), as bench/lib/Forged.pm.
sub keytab_entry {
    my ($princ, $kvno, $etype, $key) = @_;
    my ($name, $r) = split /@/, $princ;
    my @c = split m{/}, $name;
    my $e = pack('n', scalar @c) . pack('n/a*', $r) . join('', map { pack('n/a*', $_) } @c)
          . pack('N', 1) . pack('N', time) . pack('C', $kvno) . pack('n', $etype)
          . pack('n/a*', $key) . pack('N', $kvno);
    return pack('N', length $e) . $e;
}
sub rand_bytes { join '', map { chr int rand 256 } 1 .. $_[0] }

# N keytabs and the two configurations (vhosts-with.conf, vhosts-without.conf).
sub generate {
    my ($dir, $n, $port) = @_;
    mkdir "$dir/kt";
    my (@with, @without);
    my $status = "<VirtualHost 127.0.0.1:$port>\n    ServerName status.spncheck.test\n"
               . "    <Location /spncheck-status>\n        %s        Require ip 127.0.0.1\n"
               . "    </Location>\n</VirtualHost>\n";
    push @with, sprintf($status, "SetHandler spncheck-status\n");
    push @without, sprintf($status, '');
    for my $i (1 .. $n) {
        my $h = host($i);
        my $kt = "$dir/kt/$h.keytab";
        if ($i <= 2) {
            open(my $in, '<:raw', "$realm/real$i.keytab") or die;
            open(my $o, '>:raw', $kt) or die;
            print $o do { local $/; <$in> };
            close $o;
        } else {
            open(my $o, '>:raw', $kt) or die "$kt: $!";
            print $o "\x05\x02";
            for my $p ("HTTP/$h", warns($i) ? () : ('HTTP/' . short($i))) {
                print $o keytab_entry("$p\@SPNCHECK.TEST", 2, 18, rand_bytes(32)),
                    keytab_entry("$p\@SPNCHECK.TEST", 2, 17, rand_bytes(16));
            }
            close $o;
        }
        chmod 0644, $kt;
        my $v = "<VirtualHost 127.0.0.1:$port>\n    ServerName $h\n    <Location />\n"
              . "        AuthType GSSAPI\n        AuthName \"app$i\"\n"
              . "        GssapiCredStore keytab:$kt\n        GssapiAllowedMech krb5\n"
              . "        Require valid-user\n%s    </Location>\n</VirtualHost>\n";
        my $spns = "HTTP/$h\@SPNCHECK.TEST" . (warns($i) ? '' : ' HTTP/' . short($i) . '@SPNCHECK.TEST');
        push @with, sprintf($v, "        SPNCheck On\n        SPNCheckServicePrincipal $spns\n"
                              . "        SPNCheckKeytab $kt\n");
        push @without, sprintf($v, '');
    }
    for (['with', \@with], ['without', \@without]) {
        open(my $c, '>', "$dir/vhosts-$_->[0].conf") or die;
        print $c "SPNCheckHistory $history\n" if $_->[0] eq 'with';
        print $c @{$_->[1]};
        close $c;
    }
}

sub median { my @s = sort { $a <=> $b } @_; @s ? $s[int(@s / 2)] : 0 }

sub answers {                               # any HTTP status line back
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 2) or return 0;
    print $s "HEAD / HTTP/1.0\r\nHost: status.spncheck.test\r\n\r\n";
    my $l = <$s>;
    return defined $l && $l =~ m{^HTTP/};
}

sub httpd_t {
    my ($h) = @_;
    my @t;
    for (1 .. 3) {
        my $s = time;
        my $rc = system("/usr/sbin/apache2 -d '$h->{dir}' -f '$h->{dir}/httpd.conf' -t >'$h->{dir}/t.out' 2>&1");
        push @t, time - $s;
        die "apache2 -t failed: " . `cat '$h->{dir}/t.out'` if $rc;
    }
    return median(@t);
}

# CPU seconds of the server so far: the parent's own and its reaped
# children's, and each live child's (/proc/PID/stat utime..cstime)
my $hz = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub children {
    my ($pp) = @_;
    my @c;
    for my $st (glob '/proc/[0-9]*/stat') {
        open(my $f, '<', $st) or next;
        my ($ppid) = (<$f> // '') =~ /\)\s+\S+\s+(\d+)/ or next;
        push @c, $st =~ m{/proc/(\d+)/} if $ppid == $pp;
    }
    return @c;
}
sub cpu {
    my ($h) = @_;
    my $pp = $h->pid or return 0;
    my $t = 0;
    for my $pid ($pp, children($pp)) {
        open(my $f, '<', "/proc/$pid/stat") or next;
        my @f = split ' ', ((<$f> // '') =~ /\)\s+(.*)/)[0] // '';
        $t += ($f[11] // 0) + ($f[12] // 0) + ($pid == $pp ? ($f[13] // 0) + ($f[14] // 0) : 0);
    }
    return $t / $hz;
}

# start-up: until the port answers, and until the server has settled (its
# processes used under 0.05 s of CPU in half a second: every child done
# with child_init; at most 60 s after it answers); the CPU seconds the server used until then (with the
# starting process's, which reads the configuration and runs post_config
# once before the daemon does it again)
sub start_timed {
    my ($h) = @_;
    my $s = time;
    my @c = (POSIX::times())[3, 4];             # the starting process's (it runs the first pass)
    $h->ctl('start') or die "apache2 -k start failed: " . $h->log;
    my @d = (POSIX::times())[3, 4];
    my $first = ($d[0] + $d[1] - $c[0] - $c[1]) / $hz;
    while (!answers($h->{port})) {
        die "httpd did not come up in 300 s: " . $h->log if time - $s > 300;
        sleep 0.01;
    }
    my $up = time - $s;
    my ($c0, $t) = (cpu($h), time);
    my $cap = time + 60;                        # a server that never idles: 60 s at most
    while (time < $cap) {
        sleep 0.5;
        my $c1 = cpu($h);
        last if $c1 - $c0 < 0.05;
        ($c0, $t) = ($c1, time);
    }
    return ($up, $t - $s, $c0 + $first);
}

# the processes: parent RSS; each child's RSS and PSS (KiB)
sub kib { my ($f, $k) = @_; open(my $h, '<', $f) or return 0; local $/;
          my ($v) = (<$h> // '') =~ /^$k:\s*(\d+)/m; return $v // 0 }
# BENCH_SMAPS=DIR: every child's /proc/PID/smaps there, for a look at where the memory is
sub smaps {
    my ($h, $when) = @_;
    my $d = $ENV{BENCH_SMAPS} or return;
    my $pp = $h->pid or return;
    system('mkdir', '-p', $d);
    system("cp /proc/$_/smaps '$d/smaps.$ENV{BENCH_SMAPS_TAG}.$when.$_'") for children($pp);
    system("cp /proc/$pp/smaps '$d/smaps.$ENV{BENCH_SMAPS_TAG}.$when.parent'");
}
sub memory {
    my ($h) = @_;
    my $pp = $h->pid or return {};
    my %m = (parent_rss => kib("/proc/$pp/status", 'VmRSS'), parent_pss => kib("/proc/$pp/smaps_rollup", 'Pss'),
             child_rss => 0, child_pss => 0, children => 0);
    for my $pid (children($pp)) {
        my ($r, $p) = (kib("/proc/$pid/status", 'VmRSS'), kib("/proc/$pid/smaps_rollup", 'Pss'));
        $m{children}++;
        $m{child_rss} = $r if $r > $m{child_rss};
        $m{child_pss} = $p if $p > $m{child_pss};
    }
    smaps($h, 'scraped');
    return \%m;
}

# A real AP-REQ for app0001 (curl's sign-in; rcache off: replayable).
sub token {
    my ($h) = @_;
    my $host = host(1);
    my $v = `curl -sv -o /dev/null --max-time 30 --negotiate -u : --resolve @{[ $h->resolve($host) ]} @{[ $h->url($host, '/') ]} 2>&1`;
    my ($t) = $v =~ /^> Authorization: (Negotiate \S+)\r?$/m;
    return $t;
}

sub traffic {
    my ($h, $n, $dir) = @_;
    my $tok = token($h) or return 'no token (curl could not sign in to ' . host(1) . ')';
    my $last = $ENV{BENCH_TRAFFIC_VHOSTS} || ($n < 200 ? $n : 200);
    open(my $l, '>', "$dir/traffic.lua") or die;
    print $l <<"LUA";
-- a sign-in to @{[ host(1) ]}, then the same token to the next vhost (wrong SPN: 401)
local i = 0
function request()
  i = i + 1
  local k = 1 + i % $last
  return wrk.format("GET", "/", { ["Host"] = string.format("app%0${width}d.spncheck.test", k),
                                  ["Authorization"] = "$tok" })
end
LUA
    close $l;
    my $out = `wrk -t1 -c4 -d2s --timeout 10s -s '$dir/traffic.lua' @{[ $h->url('127.0.0.1', '/') ]} 2>&1`;
    my ($req) = $out =~ /(\d+) requests in/;
    my ($non) = $out =~ /Non-2xx or 3xx responses:\s*(\d+)/;
    return sprintf('%d requests to %d vhosts, %d of them not 2xx', $req // 0, $last, $non // 0);
}

# The server's on-CPU time in seconds, nanosecond-grained: every thread of
# the parent and the children (/proc/PID/task/TID/schedstat), for the CPU
# a scrape costs whatever else the machine runs
sub cpu_fine {
    my ($h) = @_;
    my $pp = $h->pid or return 0;
    my $ns = 0;
    for my $pid ($pp, children($pp)) {
        for my $t (glob "/proc/$pid/task/*/schedstat") {
            open(my $f, '<', $t) or next;
            my ($v) = split ' ', (<$f> // '0');
            $ns += $v // 0;
        }
    }
    return $ns / 1e9;
}

# K scrapes of one format: median time (s), size (bytes), HTTP code, CPU (s) a scrape
sub scrape {
    my ($h, $fmt, $dir) = @_;
    my $q = $fmt eq 'html' ? '' : "?format=$fmt";
    my (@t, $size, $code);
    my ($s0, $c0) = (time, cpu_fine($h));
    for my $i (1 .. 50) {
        last if @t >= 3 && time - $s0 > $budget;
        last if $i > $scrapes && time - $s0 > 3;    # fast pages: 3 s worth, for a steadier median
        my $w = `curl -s -o '$dir/status.$fmt' --max-time 300 -H 'Host: status.spncheck.test' -w '%{http_code} %{size_download} %{time_total}' '@{[ $h->url('127.0.0.1', "/spncheck-status$q") ]}'`;
        my ($c, $s, $tt) = split ' ', $w // '';
        ($code, $size) = ($c // 0, $s // 0);
        push @t, $tt // 0;
    }
    return { time => median(@t), size => $size, code => $code, n => scalar @t,
             cpu => @t ? (cpu_fine($h) - $c0) / @t : 0 };
}

# promtool's verdict; per metric family with a scope, the scopes it names
sub prom {
    my ($file) = @_;
    my $out = `promtool check metrics < '$file' 2>&1`;
    my $rc = $? >> 8;
    my @lines = split /\n/, $out;
    my $verdict = $rc == 0 ? 'ok' : "exit $rc, " . scalar(@lines) . ' lines: ' . ($lines[0] // '');
    open(my $f, '<', $file) or return ($verdict, 0, {});
    my ($n, %fam) = (0);
    while (my $l = <$f>) {
        $n++;
        next if $l =~ /^#/;
        my ($name) = $l =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)/ or next;
        my ($scope) = $l =~ /\bscope="((?:[^"\\]|\\.)*)"/;
        if (!defined $scope) {
            my ($server) = $l =~ /\bserver="((?:[^"\\]|\\.)*)"/ or next;
            my ($loc) = $l =~ /\blocation="((?:[^"\\]|\\.)*)"/;
            $scope = $server . ($loc // '');
        }
        $fam{$name}{$scope} = 1;
    }
    return ($verdict, $n, { map { $_ => scalar keys %{$fam{$_}} } keys %fam });
}

# the JSON's scopes: how many listed, counted (auth_success), with the
# kerberos-share self-check, and their states
my $json = eval { require Cpanel::JSON::XS; Cpanel::JSON::XS->new } || do { require JSON::PP; JSON::PP->new };
sub json_cover {
    my ($file) = @_;
    open(my $f, '<', $file) or return 'no JSON';
    my $d = eval { $json->decode(do { local $/; <$f> }) };
    return 'JSON does not parse: ' . ($@ =~ s/\n.*//sr) unless ref $d eq 'HASH';
    my @sc = @{$d->{scopes} || []};
    my %st;
    $st{$_->{state} // '?'}++ for @sc;
    my $counted = grep { ref $_->{auth_success} eq 'HASH' } @sc;
    my $share = grep { grep { ($_->{id} // '') eq 'kerberos-share' } @{$_->{checks} || []} } @sc;
    return sprintf('%d scopes listed, %d counted (auth_success), %d with the kerberos-share check; states %s',
                   scalar @sc, $counted, $share, join(' ', map { "$_=$st{$_}" } sort keys %st));
}

our (%res, $base_n);
printf "== %s name-based vhosts, each its own SPN and keytab, SPNCheck On in each; event MPM;\n"
     . "   with the module vs the same configuration without it; %d status scrapes of each format;\n"
     . "   SPNCheckHistory %d\n",
     join('/', @ns), $scrapes, $history;
printf "   load average before: %s\n", do { open(my $la, '<', '/proc/loadavg'); my $x = <$la> // '?'; chomp $x; $x };
for my $n (@ns) {
    my $dir = tempdir(CLEANUP => 1);
    for my $arm ('without', 'with') {
        my $h = MiniHttpd->new(mpm => 'event', realm => $realm, module => $module,
                               without => $arm eq 'without', history => $history,
                               site => ($ENV{BENCH_XCONF} // "") . "Include $dir/vhosts-$arm.conf\n");
        if (!-f "$dir/vhosts-$arm.conf") {
            progress("N=$n: generating $n keytabs and two configurations");
            generate($dir, $n, $h->{port});
        } else {                               # the other arm's port
            for my $a ('with', 'without') {
                my $f = "$dir/vhosts-$a.conf";
                open(my $i, '<', $f) or die;
                my $c = do { local $/; <$i> };
                $c =~ s/<VirtualHost 127\.0\.0\.1:\d+>/<VirtualHost 127.0.0.1:$h->{port}>/g;
                open(my $o, '>', $f) or die;
                print $o $c;
            }
        }
        local $ENV{BENCH_SMAPS_TAG} = "$arm.$n";
        my $r = eval { run_arm($h, $n, $arm, $dir) };
        if (!$r) {
            (my $e = $@ || 'unknown error') =~ s/\s+$//;
            $e = substr($e, 0, 2000) . ' ...' if length $e > 2000;
            progress("N=$n $arm: FAILED: $e");
            print "\n-- N = $n vhosts: the $arm arm failed: $e\n";
        }
        $h->stop;
        $res{$n}{$arm} = $r if $r;
    }
    next unless $res{$n}{without} && $res{$n}{with};
    $base_n //= $n;
    print_n($n);
}

# One arm at one N: its figures, or die (the caller reports it and goes on)
sub run_arm {
    my ($h, $n, $arm, $dir) = @_;
    progress("N=$n $arm: apache2 -t x3");
    my %r = (t => httpd_t($h));
    progress("N=$n $arm: start");
    @r{qw(start settled startcpu)} = start_timed($h);
    smaps($h, 'settled');
    progress("N=$n $arm: traffic (2 s)");
    $r{traffic} = traffic($h, $n, $dir);
    smaps($h, 'traffic');
    for my $fmt (qw(html json prometheus)) {
        progress("N=$n $arm: $scrapes scrapes, $fmt");
        $r{$fmt} = scrape($h, $fmt, $dir);
    }
    $r{mem} = memory($h);
    if ((my $hold = $ENV{BENCH_HOLD}) && $arm eq 'with') {   # a look at the live server (gdb, perf)
        if (open(my $f, '>', $hold)) { print $f $h->pid, "\n", $h->url('127.0.0.1', '/'), "\n"; close $f }
        progress("N=$n: holding while $hold exists (10 min at most)");
        for (1 .. 600) { last unless -e $hold; sleep 1 }
    }
    if ($arm eq 'with') {
        @r{qw(promtool promlines families)} = prom("$dir/status.prometheus");
        $r{cover} = json_cover("$dir/status.json");
        my $log = $h->log;
        $r{errors} = () = $log =~ /\[spncheck:(?:error|crit|alert|emerg)\]|exit signal/g;
        $r{warns} = () = $log =~ /\[spncheck:warn\]/g;
        if (my $keep = $ENV{BENCH_KEEP}) {       # the outputs, for a look afterwards
            system('mkdir', '-p', $keep);
            system('cp', "$dir/status.$_", "$keep/status.$_.$n") for qw(html json prometheus);
            system('cp', "$h->{dir}/error_log", "$keep/error_log.$n");
        }
    }
    return \%r;
}

sub print_n {
    my ($n) = @_;
    my ($a, $b) = @{$res{$n}}{qw(without with)};
    my $ra = sub { my ($x, $y) = @_; $x ? sprintf('%.2f', $y / $x) : '-' };
    print "\n-- N = $n vhosts\n";
    printf "apache2 -t        without %7.3f s   with %7.3f s   ratio %s\n", $a->{t}, $b->{t}, $ra->($a->{t}, $b->{t});
    printf "start-up (answers)without %7.3f s   with %7.3f s   ratio %s\n", $a->{start}, $b->{start}, $ra->($a->{start}, $b->{start});
    printf "start-up (settled)without %7.3f s   with %7.3f s   ratio %s\n", $a->{settled}, $b->{settled}, $ra->($a->{settled}, $b->{settled});
    printf "start-up CPU      without %7.2f s   with %7.2f s   ratio %s  (parent and children, until settled)\n",
        $a->{startcpu}, $b->{startcpu}, $ra->($a->{startcpu}, $b->{startcpu});
    printf "traffic           without: %s\n                  with:    %s\n", $a->{traffic}, $b->{traffic};
    for my $k (qw(parent_rss child_rss child_pss)) {
        printf "%-17s without %7d KiB with %7d KiB ratio %s\n",
            { parent_rss => 'parent RSS', child_rss => 'largest child RSS', child_pss => 'largest child PSS' }->{$k},
            $a->{mem}{$k} // 0, $b->{mem}{$k} // 0, $ra->($a->{mem}{$k}, $b->{mem}{$k});
    }
    printf "                  (children: without %d, with %d; parent PSS without %d KiB, with %d KiB)\n",
        $a->{mem}{children} // 0, $b->{mem}{children} // 0, $a->{mem}{parent_pss} // 0, $b->{mem}{parent_pss} // 0;
    for my $fmt (qw(html json prometheus)) {
        my $s = $b->{$fmt};
        my $base = $res{$base_n}{with}{$fmt}{time};
        my $bc = $res{$base_n}{with}{$fmt}{cpu};
        printf "status %-10s HTTP %s %9d bytes %8.1f ms (median of %d), vs N=%d x%s; server CPU %7.1f ms a scrape, x%s\n",
            $fmt, $s->{code}, $s->{size}, $s->{time} * 1000, $s->{n}, $base_n, $ra->($base, $s->{time}),
            $s->{cpu} * 1000, $ra->($bc, $s->{cpu});
    }
    printf "promtool check metrics: %s (%d lines)\n", $b->{promtool}, $b->{promlines};
    my $f = $b->{families};
    my @all = grep { $f->{$_} >= $n } sort keys %$f;
    my @few = grep { $f->{$_} < $n } sort keys %$f;
    printf "Prometheus families naming all %d scopes: %s\n", $n, @all ? join(', ', @all) : 'none';
    printf "Prometheus families naming fewer: %s\n", @few ? join(', ', map { "$_ $f->{$_}" } @few) : 'none';
    printf "JSON: %s\n", $b->{cover};
    printf "error log (with): %d errors, %d warnings\n", $b->{errors}, $b->{warns};
}

my $ra = sub { my ($x, $y) = @_; $x ? sprintf('%.2f', $y / $x) : '-' };
print "\n-- summary 1: with / without (start-up until it answers, until settled, its CPU seconds;\n",
      "   apache2 -t; parent RSS; largest child RSS and PSS)\n";
printf "%6s %8s %8s %8s %8s %8s %8s %8s\n", 'N', 'start', 'settled', 'startCPU', '-t', 'parRSS', 'childRSS', 'childPSS';
for my $n (grep { $res{$_}{without} && $res{$_}{with} } @ns) {
    my ($a, $b) = @{$res{$n}}{qw(without with)};
    printf "%6d %8s %8s %8s %8s %8s %8s %8s\n", $n, (map { $ra->($a->{$_}, $b->{$_}) } qw(start settled startcpu t)),
        (map { $ra->($a->{mem}{$_}, $b->{mem}{$_}) } qw(parent_rss child_rss child_pss));
}
print "\n-- summary 2: the status page with the module: size (KB), time and server CPU a scrape at N / at N=", $base_n // "?", "\n";
printf "%6s %9s %7s %7s %9s %7s %7s %9s %7s %7s\n", 'N', 'HTML KB', 'time x', 'CPU x', 'JSON KB', 'time x', 'CPU x',
    'prom KB', 'time x', 'CPU x';
for my $n (grep { $res{$_}{without} && $res{$_}{with} } @ns) {
    my $b = $res{$n}{with};
    printf "%6d" . (" %9.0f %7s %7s" x 3) . "\n", $n, map { ($b->{$_}{size} / 1000,
        $ra->($res{$base_n}{with}{$_}{time}, $b->{$_}{time}), $ra->($res{$base_n}{with}{$_}{cpu}, $b->{$_}{cpu})) }
        qw(html json prometheus);
}
print "goals at N=1000: default HTML <= 300 KB, largest child RSS <= 1.3x without, status time <= 3x N=10\n";
printf "load average after: %s; %.0f s in all\n",
    do { open(my $la, '<', '/proc/loadavg'); my $x = <$la> // '?'; chomp $x; $x }, time - $t0;

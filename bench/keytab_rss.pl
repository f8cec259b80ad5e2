#!/usr/bin/perl
# keytab_rss.pl MODULE [BEFORE_MODULE]: resident memory of httpd's children
# after status scrapes, N name-based vhosts each with its own keytab
# (ktutil, no KDC), side by side in one run: without the module, with it
# (and with BEFORE_MODULE, a build to compare with), the servers up at
# once and scraped in turn.  Prints figures;
# asserts nothing.  BENCH_VHOSTS (300), BENCH_SCRAPES (20 of each format).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use MiniHttpd;
use File::Temp qw(tempdir);
use Time::HiRes qw(time);

my ($module, $before) = @ARGV;
die "usage: keytab_rss.pl MODULE [BEFORE_MODULE]\n" unless $module;
my $n = $ENV{BENCH_VHOSTS} || 300;
my $scrapes = $ENV{BENCH_SCRAPES} || 20;
my $kts = tempdir(CLEANUP => 1);
chmod 0755, $kts;               # httpd's children (another user, as root) read them

# One keytab per vhost: both name forms, aes256 and aes128, kvno 2.
for my $i (1 .. $n) {
    my $cmds = '';
    for my $p ("HTTP/app$i.bench.test\@BENCH.TEST", "HTTP/app$i\@BENCH.TEST") {
        for my $e (qw(aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96)) {
            $cmds .= "addent -password -p $p -k 2 -e $e\nPw-$i\n";
        }
    }
    $cmds .= "wkt $kts/app$i.keytab\nq\n";
    open(my $k, '|-', 'ktutil >/dev/null 2>&1') or die;
    print $k $cmds;
    close $k;
    -s "$kts/app$i.keytab" or die "ktutil made no keytab for app$i\n";
    chmod 0644, "$kts/app$i.keytab";
}

sub site {
    my $s = "SPNCheckHistory 1000\n<Location /spncheck-status>\n    SetHandler spncheck-status\n"
          . "    Require ip 127.0.0.1\n</Location>\n";
    for my $i (1 .. $n) {
        $s .= "<VirtualHost 127.0.0.1:*>\n    ServerName app$i.bench.test\n    ServerAlias app$i\n"
            . "    SPNCheck On\n    SPNCheckKeytab $kts/app$i.keytab\n"
            . "    SPNCheckServicePrincipal HTTP/app$i.bench.test\@BENCH.TEST HTTP/app$i\@BENCH.TEST\n"
            . "</VirtualHost>\n";
    }
    return $s;
}

sub kib {
    my ($pid, $field) = @_;
    open(my $f, '<', "/proc/$pid/smaps_rollup") or return 0;
    while (my $l = <$f>) { return $1 if $l =~ /^$field:\s+(\d+) kB/ }
    return 0;
}

sub children {
    my ($ppid) = @_;
    my @c;
    for my $d (glob '/proc/[0-9]*') {
        open(my $f, '<', "$d/stat") or next;
        my $st = <$f> // next;
        my ($pid, $pp) = $st =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @c, $pid if $pp == $ppid;
    }
    return @c;
}

# The arms run at once, scraped in turn (A B C A B C ...), so that each
# sees the same load of the machine.
my @arms = (['without the module', without => 1, module => $module],
            ['with the module', module => $module]);
push @arms, ['with BEFORE_MODULE', module => $before] if $before;
my (@h, @idle, %size, %secs);
for my $a (@arms) {
    my ($label, %o) = @$a;
    my $h = MiniHttpd->new(realm => $kts, mpm => 'event', site => site(), %o,
                           tuning => "StartServers 2\nMinSpareThreads 1\nMaxSpareThreads 64\n"
                                   . "ThreadsPerChild 16\nMaxRequestWorkers 32\nServerLimit 2\n");
    $h->start;
    push @h, $h;
}
sleep 2;
for my $h (@h) {
    my $idle = 0;
    for my $c (children($h->pid)) { my $r = kib($c, 'Rss'); $idle = $r if $r > $idle }
    push @idle, $idle;
}
for my $i (1 .. $scrapes) {
    for my $fmt ('', '?format=json', '?format=prometheus') {
        for my $k (1 .. $#h) {
            my $url = $h[$k]->url('127.0.0.1', '/spncheck-status');
            my $t0 = time;
            my $b = `curl -s '$url$fmt'`;
            $secs{$k}{$fmt || 'html'} += time - $t0;
            $size{$k}{$fmt || 'html'} = length $b;
        }
    }
}
print "== $n vhosts, each its own keytab (4 entries); $scrapes scrapes of each format, arms in turn\n";
my @rss;
for my $k (0 .. $#h) {
    my $h = $h[$k];
    my $pid = $h->pid;
    my @c = children($pid);
    my ($rss, $pss) = (0, 0);
    for my $c (@c) {
        my $r = kib($c, 'Rss');
        ($rss, $pss) = ($r, kib($c, 'Pss')) if $r > $rss;
    }
    push @rss, $rss;
    printf "%-20s parent RSS %6d KiB; largest child RSS %6d KiB before scrapes, %6d KiB after"
         . " (PSS %6d KiB; %d children)\n", $arms[$k][0], kib($pid, 'Rss'), $idle[$k], $rss, $pss,
         scalar @c;
    printf "%-20s status html %d B %.1f ms, json %d B %.1f ms, prometheus %d B %.1f ms\n", '',
        map { ($size{$k}{$_} // 0, 1000 * ($secs{$k}{$_} // 0) / $scrapes) }
            qw(html ?format=json ?format=prometheus)
        if $k;
    $h->stop;
}
printf "largest child RSS ratio with / without: %.2f%s\n", $rss[1] / $rss[0],
    $before ? sprintf("  (BEFORE_MODULE / without: %.2f)", $rss[2] / $rss[0]) : '';
if ($before) {
    printf "status time with / BEFORE_MODULE: html %.2f, json %.2f, prometheus %.2f\n",
        map { $secs{1}{$_} / ($secs{2}{$_} || 1) } qw(html ?format=json ?format=prometheus);
}

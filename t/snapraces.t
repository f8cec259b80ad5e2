# snapraces.t: the keyed snapshots' LRU (8 per process) and the status
# page's kept verdicts under concurrent load, as a hostile client would
# drive them: one child with 16 threads, 12 scopes each with a keytab of
# its own (more than the LRU keeps, so snapshots are evicted while other
# requests hold them), failures sent to all of them at once, the keytabs
# rewritten and removed meanwhile (a missing file, a changed one), and
# status pages scraped at the same time (the verdict cache's try-lock, the
# streamed JSON and Prometheus, clients that hang up mid-stream).  Run
# with the ASan build (t/run-httpd-tests with SPNCHECK_MINI_SO) this is
# the race/use-after-free attempt on install(), retire() and release().
# It asserts that no child crashed or reported a sanitizer error, and
# that every failed sign-in still got the 401 and the Negotiate challenge
# the server gives without the module (the module never changes them).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use MiniHttpd;
use JSON::PP ();
use POSIX ();
use SpnTest qw(realm_dir);

plan tests => 6;
my $dir = realm_dir();
$ENV{KRB5CCNAME} = "$dir/alice.cc";
my ($h, $kd, @k) = MiniHttpd->keytab_scopes(realm => $dir, module => $ENV{SPNCHECK_MODULE},
                                            n => 12, threads => 16, history => 200,
                                            extra => "LogLevel warn\n");
$h->start;

my $rounds = 6;
my $out = tempdir(CLEANUP => 1);

# the keytabs rewritten (a new inode each time) and, now and then, gone
my $writer = fork // die;
if (!$writer) {
    for my $i (1 .. 200) {
        my $n = $k[$i % @k];
        if ($i % 7 == 0) {
            unlink "$kd/$n.keytab";
            select(undef, undef, undef, 0.02);
        }
        copy("$dir/wrong.keytab", "$kd/$n.keytab.new") or die;
        rename("$kd/$n.keytab.new", "$kd/$n.keytab") or die;
        select(undef, undef, undef, 0.01);
    }
    POSIX::_exit(0);
}
# status pages scraped meanwhile, some cut off mid-stream
my $scraper = fork // die;
if (!$scraper) {
    for my $i (1 .. 30) {
        for my $q ('', '?format=json', '?format=prometheus', '?scopes=all') {
            system('curl', '-s', '-o', '/dev/null', '--max-time', ($i % 3 ? '20' : '0.05'),
                   '--limit-rate', ($i % 2 ? '100M' : '20K'),
                   $h->url('127.0.0.1', "/spncheck-status$q"));
        }
    }
    POSIX::_exit(0);
}
# failures to every scope at once, from several clients
my @clients;
for my $c (1 .. 4) {
    my $pid = fork // die;
    if (!$pid) {
        open(STDOUT, '>', "$out/codes.$c") or die;
        for my $r (1 .. $rounds) {
            my @urls = map { $h->url('wrong.spncheck.test', "/$_/?c=$c&r=$r") } (@k, reverse @k);
            system('curl', '-s', '-S', '--no-progress-meter', '--parallel', '--parallel-max', '8', '--negotiate', '-u', ':',
                   '--max-time', '30', '--resolve', $h->resolve('wrong.spncheck.test'),
                   '-o', '/dev/null', '-D', '-', '-w', "CODE %{http_code}\n",
                   map { ($_) } @urls);
        }
        POSIX::_exit(0);
    }
    push @clients, $pid;
}
waitpid($_, 0) for @clients, $writer, $scraper;

my (%codes, $neg, $total);
for my $c (1 .. 4) {
    open(my $f, '<', "$out/codes.$c") or die;
    local $/;
    my $t = <$f>;
    $codes{$1}++ while $t =~ /^CODE (\d+)$/mg;
    $neg += () = $t =~ /^WWW-Authenticate: Negotiate\b/mgi;
}
$total += $_ for values %codes;
is($total, 4 * $rounds * 2 * @k, 'every request answered') or diag explain \%codes;
# curl --negotiate: the 401 without a token, then the failed token's 401
is_deeply([keys %codes], ['401'], 'every failed sign-in: 401, as without the module')
    or diag explain \%codes;
cmp_ok($neg, '>=', $total, '  each with its Negotiate challenge');
my $raw = $h->status_get('?format=json');
if ($ENV{SNAPRACES_LOG}) { open(my $o, '>', '/tmp/h7-json.txt'); print $o $raw; }
if ($ENV{SNAPRACES_LOG} && !length $raw) {
    my $code = `curl -s -o /dev/null -w '%{http_code}' --max-time 5 @{[ $h->url('127.0.0.1', '/') ]}`;
    diag "after: GET / gives $code";
    my $pp = $h->pid;
    for my $c (split ' ', `pgrep -P $pp`) {
        system("gdb -p $c -batch -ex 'thread apply all bt 12' > /tmp/h7-gdb.$c.txt 2>&1");
    }
}
my $j = eval { JSON::PP::decode_json($raw) } || {};
my $diag = 0;
$diag += $_ for values %{$j->{counters} || {}};
cmp_ok($diag, '>', 0, 'failures diagnosed meanwhile') or diag explain $j->{counters};
$h->stop;
my $log = $h->log;
unlike($log, qr/AH00052|Segmentation fault|exit signal/, 'no child crashed')
    or diag join("\n", grep { /AH00052|exit signal|Segmentation|AH0\d+|SPN\d+/ } split /\n/, $log);
unlike($log, qr/AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:/,
       'no sanitizer report') or diag substr($log, 0, 4000);
diag join("\n", (split /\n/, $log)[-25 .. -1]) if $ENV{SNAPRACES_LOG};

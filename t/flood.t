# flood.t: what a tokenless 401 may wait on (issue 19, item 8).  A flood
# of forged tokens keeps the failure path busy: each failure takes the
# shared store's cross-process lock to record itself.  An unrelated
# tokenless request (any client's first leg) must never wait on that lock.
# Here another process holds it (the store's mutex is a flock file): the
# tokenless request still gets its 401 and page, and is counted once the
# lock is free; a failed exchange, which records itself, waits for it.
# No timing is asserted: curl's generous --max-time only stops a hang.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Fcntl qw(:flock);
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX qw(WNOHANG);
use MiniHttpd;
use SpnTest qw(realm_dir);

plan tests => 11;

$ENV{KRB5CCNAME} = realm_dir() . '/alice.cc';
my $locks = tempdir(CLEANUP => 1);
chmod 0777, $locks;
my $h = MiniHttpd->new(mpm => 'event', realm => realm_dir(), module => $ENV{SPNCHECK_MODULE},
                       extra => "Mutex flock:$locks spncheck-store\n");
$h->start;
my $url = $h->url('wrong.spncheck.test', '/');
my @resolve = ('--resolve', $h->resolve('wrong.spncheck.test'));

sub tokenless {
    my $out = `curl -s --max-time 20 -D - @resolve '$url'`;
    my ($st) = $out =~ m{^HTTP/\S+ (\d+)};
    my ($ref) = $out =~ /name="spncheck-ref" content="([^"]+)"/;
    return { status => $st // 0, www => [$out =~ /^WWW-Authenticate: (\S+)/mig], ref => $ref };
}
sub json {
    my $o = `curl -s --max-time 20 '@{[ $h->url('127.0.0.1', '/spncheck-status?format=json') ]}'`;
    return eval { JSON::PP::decode_json($o) } || {};
}

my $r = tokenless();
is($r->{status}, 401, 'tokenless: 401');
ok($r->{ref}, "tokenless: the module's page");

my ($file) = glob "$locks/spncheck-store*";
ok($file && -f $file, "the store's lock file: " . ($file // 'none'));
open(my $lk, '<', $file) or die "$file: $!";
ok(flock($lk, LOCK_EX), 'another process holds the store lock');

# A failed exchange records itself: it waits for the lock.
my $pid = open(my $fail, '-|', 'curl', '-s', '--max-time', '60', '--negotiate', '-u', ':', @resolve, $url)
    // die;
$r = tokenless();
is($r->{status}, 401, 'store locked: a tokenless request still gets its 401');
ok($r->{ref}, "store locked: and the module's page");
is_deeply($r->{www}, ['Negotiate'], 'store locked: the challenge unchanged');
is(waitpid($pid, WNOHANG), 0, 'store locked: the failed exchange is still waiting to record itself');

flock($lk, LOCK_UN);
close $lk;
my $body = do { local $/; <$fail> } // '';
close $fail;
like($body, qr/name="spncheck-cause" content="spn-wrong-account"/, 'lock free: the failure is explained');
my $j = json();
is($j->{counters}{'spn-wrong-account'}, 1, 'lock free: the failure counted');
is($j->{tokenless_total}, 2, 'both tokenless requests counted');
$h->stop;

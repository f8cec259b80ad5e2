# mpm.t: the history is one for all children, under prefork (several
# processes), worker and event, and survives apachectl -k graceful.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use MiniHttpd;
use SpnTest qw(realm_dir);

my @mpms = qw(prefork worker event);
plan tests => 8 * @mpms;

my $cc = realm_dir() . '/alice.cc';
$ENV{KRB5CCNAME} = $cc;

sub json {
    my ($h) = @_;
    my $out = `curl -s --max-time 10 '@{[ $h->url('127.0.0.1', '/spncheck-status?format=json') ]}'`;
    return eval { JSON::PP::decode_json($out) } || {};
}

# n failures, in parallel batches on fresh connections; their references.
sub fail_n {
    my ($h, $n) = @_;
    my @cmd = ('curl', '-s', '--max-time', '20', '--negotiate', '-u', ':',
               '--resolve', $h->resolve('wrong.spncheck.test'));
    my @refs;
    for (my $i = 0; $i < $n; $i += 5) {
        my @fh;
        for my $j ($i .. ($i + 4 < $n ? $i + 4 : $n - 1)) {
            open(my $fh, '-|', @cmd, $h->url('wrong.spncheck.test', "/?n=$j")) or die;
            push @fh, $fh;
        }
        for my $fh (@fh) {
            local $/;
            my $b = <$fh> // '';
            push @refs, $b =~ /name="spncheck-ref" content="([^"]+)"/;
        }
    }
    return @refs;
}

for my $mpm (@mpms) {
    my $h = MiniHttpd->new(mpm => $mpm, realm => realm_dir(), module => $ENV{SPNCHECK_MODULE});
    $h->start;
    my @refs = fail_n($h, 20);
    is(scalar(@refs), 20, "$mpm: 20 failures served, each with a reference");
    my $j = json($h);
    is($j->{counters}{'spn-wrong-account'}, 20, "$mpm: counter is 20");
    my %held = map { $_->{ref} => 1 } @{$j->{recent} || []};
    is(scalar(grep { $held{$_} } @refs), 20, "$mpm: all 20 in the shared history");
    my %pids = map { $_ => 1 } $h->log =~ /\[pid (\d+)(?::tid \d+)?\] [^\n]*SPN00010/g;
    if ($mpm eq 'prefork') {
        cmp_ok(scalar(keys %pids), '>=', 2, "prefork: failures were served by " . scalar(keys %pids) . " children");
    }
    else {
        cmp_ok(scalar(keys %pids), '>=', 1, "$mpm: served by " . scalar(keys %pids) . " process(es)");
    }
    my $gen = () = $h->log =~ /resuming normal operations/g;
    ok($h->ctl('graceful'), "$mpm: apachectl -k graceful");
    for (1 .. 100) { last if (() = $h->log =~ /resuming normal operations/g) > $gen; select(undef, undef, undef, 0.1) }
    my $k = json($h);
    is($k->{counters}{'spn-wrong-account'}, 20, "$mpm: counter kept across the graceful restart");
    fail_n($h, 1);
    is(json($h)->{history_size}, 21, "$mpm: history kept and still growing after it");
    $h->stop;
    is_deeply([$h->sanitizer_reports], [], "$mpm: no sanitizer report in the error log"
              . ($ENV{SPNCHECK_MINI_MODULE} ? ' (ASan+UBSan build)' : ''));
}

# snapshots.t: a process keeps the keyed snapshots of the 8 keytabs its
# failures used last (issue 21: at 1,000 vhosts each child kept one for
# every vhost that ever failed, some 40 KB each).  One child, 20 scopes
# each with a keytab of its own: the 8 used last are not read again; the
# oldest is, when a failure needs it, and still diagnoses the same; a
# keytab read again unchanged is no "keytab re-read" on the chart, while
# a changed one still is.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Copy qw(copy);
use MiniHttpd;
use SpnTest qw(realm_dir);

plan tests => 9;
my $dir = realm_dir();
$ENV{KRB5CCNAME} = "$dir/alice.cc";
my ($h, $kd, @k) = MiniHttpd->keytab_scopes(realm => $dir, module => $ENV{SPNCHECK_MODULE},
                                            n => 20, threads => 4, history => 100,
                                            extra => "LogLevel warn spncheck:debug\n");
$h->start;

# how often each keytab was read with its keys (SPN00002, one child)
sub reads {
    my %n;
    $n{$_}++ for $h->log =~ /SPN00002: keytab \Q$kd\E\/(k\d\d)\.keytab \(re\)read/g;
    return \%n;
}
sub fail { $h->fail_kb1077(1, "/$_/") for @_ }

fail(@k);
my $r = reads();
is(scalar(grep { ($r->{$_} // 0) == 1 } @k), 20, 'each of the 20 keytabs read once')
    or diag explain $r;
fail(@k[12 .. 19]);
is_deeply(reads(), $r, 'the 8 used last: not read again');
fail('k01');
$r = reads();
is($r->{k01}, 2, 'the oldest (dropped): read again when a failure needs it');
is($r->{k05}, 1, '  the others not');
my $j = $h->status_json;
is($j->{counters}{'spn-wrong-account'}, 29, 'all 29 failures diagnosed: spn-wrong-account');
my $html = $h->status_get('');
unlike($html, qr/keytab re-read: /, 'a keytab read again unchanged is no re-read on the chart');

# a changed keytab still is (the control: the chart can show it)
sleep 1;
copy("$dir/wrong.keytab", "$kd/k01.keytab.new") or die;
rename("$kd/k01.keytab.new", "$kd/k01.keytab") or die;
fail('k01');
is(reads()->{k01}, 3, 'k01 rewritten: read again');
like($h->status_get(''), qr/keytab re-read: [^<]*k01\.keytab/, '  and marked on the chart');
$h->stop;
unlike($h->log, qr/AH00052|Segmentation fault|exit signal/, 'no child crashed');

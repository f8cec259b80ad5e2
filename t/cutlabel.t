# cutlabel.t: two scopes whose labels share more than the store keeps of
# a label (127 bytes for a failure's or probe result's scope, 63 and a
# hash of the whole for a scope's counts) are not mixed up (hostile review): ?scope= of one does
# not list the other's failures, and a graceful restart that swaps them
# in the configuration (the same dimensions) does not hand one's counts
# to the other: each keeps its own (a slot keeps the whole label's hash).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use Time::HiRes qw(sleep);
use MiniHttpd;
use SpnTest qw(realm_dir);

plan tests => 10;
my $dir = realm_dir();
$ENV{KRB5CCNAME} = "$dir/alice.cc";
my $kt = "$dir/wrong.keytab";
my $long = '/' . ('l' x 200);

sub loc { MiniHttpd::kb1077_location("$long/$_[0]", $kt) }
sub site {
    my (@order) = @_;
    return "SPNCheckHistory 100\n<Location /spncheck-status>\n    SetHandler spncheck-status\n" .
           "    Require ip 127.0.0.1\n</Location>\n<VirtualHost *>\n    ServerName localhost\n" .
           "</VirtualHost>\n<VirtualHost *>\n    ServerName wrong.spncheck.test\n" .
           join('', map { loc($_) } @order) . "</VirtualHost>\n";
}
sub get { $_[0]->status_get($_[1]) }
sub json { $_[0]->status_json }
sub funnel_of {
    my ($j, $tail) = @_;
    my ($s) = grep { ($_->{location} // '') eq "$long/$tail" } @{$j->{funnel}{scopes} || []};
    return $s || {};
}

my $h = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       site => site('a', 'b'), extra => "LogLevel warn spncheck:debug\n");
$h->start;
$h->fail_kb1077(3, "$long/a/");
my $j = json($h);
is($j->{counters}{'spn-wrong-account'}, 3, 'three failures under /.../a');
is(funnel_of($j, 'a')->{failures}, 3, '  counted in a\'s scope');
my $b = get($h, "?scope=wrong.spncheck.test$long/b");
like($b, qr/<h2>wrong\.spncheck\.test <code>\Q$long\E\/b<\/code>/, '?scope= of b: its view');
unlike($b, qr/spn-wrong-account<\/code><\/td><\/tr>/, '  not a\'s failures (the first 127 bytes of both labels are the same)');

# a graceful restart, b before a: as many scopes
ok($h->graceful_site(site('b', 'a')), 'graceful restart: the two swapped');
$j = json($h);
isnt(funnel_of($j, 'b')->{failures}, 3, '  b does not get a\'s counts');
is(funnel_of($j, 'a')->{failures}, 3, '  a keeps its own (the whole label\'s hash tells them apart)');
like($h->log, qr/SPN00101: [^\n]*scope 1 was /, '  SPN00101 says the scopes moved');
# both generations' children write into the one block: they take one lock
is(scalar(() = $h->log =~ /SPN00114: the history mutex made/g), 1,
   '  the history\'s lock made once, kept across the graceful restart with the block');
$h->stop;
unlike($h->log, qr/AH00052|Segmentation fault|exit signal/, 'no child crashed');

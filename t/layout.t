# layout.t: a graceful restart into a build whose shared-store layout
# differs (issue 9, finding 4), as after an upgrade that added a cause.
# The retained block must not be reattached (its counters would land on
# other causes): history and counters start again, with SPN00060 logged.
# A graceful restart into the same build keeps them (the baseline).
# SPNCHECK_BUMP_MODULE is the module built with another layout version
# (t/mod_spncheck_bump.la, made by make check and t/run-httpd-tests).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use MiniHttpd;
use SpnTest qw(realm_dir);

my $bump = $ENV{SPNCHECK_BUMP_MODULE};
plan skip_all => 'SPNCHECK_BUMP_MODULE not set (t/run-httpd-tests sets it)' unless $bump && -f $bump;
plan tests => 14;
$ENV{KRB5CCNAME} = realm_dir() . '/alice.cc';
# this test chooses the module builds itself
delete @ENV{qw(SPNCHECK_MINI_MODULE SPNCHECK_HTTPD_PRELOAD)};

sub json { $_[0]->status_json }
# Point LoadModule at another build, then apachectl -k graceful and wait.
sub graceful_into {
    my ($h, $so) = @_;
    return $h->graceful_edit(sub {
        (my $c = $_[0]) =~ s/^LoadModule spncheck_module .*$/LoadModule spncheck_module $so/m or die;
        return $c;
    });
}
sub layout_lines { my ($h) = @_; scalar(() = $h->log =~ /SPN00060/g) }

my $h = MiniHttpd->new(mpm => 'event', realm => realm_dir(), module => $ENV{SPNCHECK_MODULE});
$h->start;
$h->fail_kb1077(5);
is(json($h)->{counters}{'spn-wrong-account'}, 5, 'five failures counted');

ok(graceful_into($h, $ENV{SPNCHECK_MODULE}), 'graceful restart into the same build');
my $j = json($h);
is($j->{counters}{'spn-wrong-account'}, 5, '  counters kept');
is($j->{history_size}, 5, '  history kept');
is(layout_lines($h), 0, '  no layout notice');

ok(graceful_into($h, $bump), 'graceful restart into a build with another store layout');
$j = json($h);
is($j->{failures_total}, 0, '  counters start again (none shifted onto other causes)');
is($j->{history_size}, 0, '  history starts again');
like($h->log, qr/\[spncheck:notice\] [^\n]*SPN00060: the retained history has another layout \(layout \d+ -> \d+/,
     '  logged at notice: SPN00060 with both layout versions');
$h->fail_kb1077(2);
is(json($h)->{counters}{'spn-wrong-account'}, 2, '  the new block counts');

ok(graceful_into($h, $ENV{SPNCHECK_MODULE}), 'and back (a downgrade)');
$j = json($h);
is($j->{failures_total}, 0, '  counters start again');
is(layout_lines($h), 2, '  a second SPN00060');
$h->stop;
unlike($h->log, qr/AH00052|Segmentation fault|exit signal/, 'no child crashed');

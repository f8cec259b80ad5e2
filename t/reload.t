# reload.t: the module re-reads its keytab when the file changes on disk,
# without a restart: absent, then another account's key, then the right one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use File::Copy qw(copy);
use SpnTest;

plan tests => 7;

my $dir = realm_dir();
my $host = 'swap.spncheck.test';
my $kt = "$dir/swap.keytab";
unlink $kt;

sub try_cause {
    my $r = fetch($host, '/', user => 'alice');
    is($r->{status}, 401, "$_[0]: 401 (httpd itself holds the wrong key throughout)");
    return cause_of($r);
}
is(try_cause('absent'), 'no-service-key', 'keytab absent: no-service-key');
copy("$dir/swap-old.keytab", "$kt.tmp") or die;
rename("$kt.tmp", $kt) or die;
is(try_cause('old'), 'spn-wrong-account', 'another account\'s key written: spn-wrong-account');
# rewritten in place, same size, likely the same second
copy("$dir/swap-new.keytab", $kt) or die;
is(try_cause('new'), 'ticket-ok', 'right key copied over it: ticket-ok (keytab re-read)');
ok(-s $kt == -s "$dir/swap-old.keytab", 'same size: only the timestamps tell the versions apart');

# inventory.t: the status page reads each keytab's inventory (principals,
# kvnos, enctypes, timestamps) from shared memory, read once per change of
# the file by whichever child sees it first, never the keys (issue 21,
# part 2): a keytab replaced on disk shows its new kvno; one rewritten in
# place at the same size too; a missing one is looked for again; after a
# graceful restart the same.  Several prefork children serve the scrapes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use MiniHttpd;
use SpnTest qw(realm_dir);

plan tests => 28;

my $kts = tempdir(CLEANUP => 1);
sub ktutil {
    my ($out, $spn, $kvno, $pw) = @_;
    unlink "$out.tmp";
    open(my $k, '|-', 'ktutil >/dev/null 2>&1') or die;
    print $k "addent -password -p $spn -k $kvno -e aes256-cts-hmac-sha1-96\n$pw\nwkt $out.tmp\nq\n";
    close $k;
    -s "$out.tmp" or die "ktutil wrote no $out.tmp\n";
    rename("$out.tmp", $out) or die "rename $out: $!\n";
}
my %spn = map { $_ => "HTTP/app$_.inv.test\@INV.TEST" } 1 .. 3;
ktutil("$kts/app1.keytab", $spn{1}, 2, 'One-Pw2');
ktutil("$kts/app2.keytab", $spn{2}, 5, 'Two-Pw5');
unlink "$kts/app3.keytab";                     # missing at first

my $site = "SPNCheckHistory 100\n<Location /spncheck-status>\n    SetHandler spncheck-status\n"
         . "    Require ip 127.0.0.1\n</Location>\n";
for my $i (1 .. 3) {
    $site .= "<VirtualHost 127.0.0.1:*>\n    ServerName app$i.inv.test\n    SPNCheck On\n"
           . "    SPNCheckKeytab $kts/app$i.keytab\n    SPNCheckServicePrincipal $spn{$i}\n"
           . "</VirtualHost>\n";
}
my $h = MiniHttpd->new(mpm => 'prefork', realm => realm_dir(), module => $ENV{SPNCHECK_MODULE},
                       site => $site, extra => "LogLevel warn spncheck:debug\nKeepAlive Off\n",
                       tuning => "StartServers 3\nMinSpareServers 3\nMaxSpareServers 6\n"
                               . "MaxRequestWorkers 8\n");
$h->start;

sub status {
    my ($fmt) = @_;
    return `curl -s --max-time 20 '@{[ $h->url('127.0.0.1', "/spncheck-status?format=$fmt") ]}'`;
}
sub scope {
    my ($j, $i) = @_;
    my ($s) = grep { ($_->{keytab} // '') eq "$kts/app$i.keytab" } @{$j->{scopes} || []};
    return $s || {};
}
sub kvnos {
    my ($i) = @_;
    my $j = eval { JSON::PP::decode_json(status('json')) } || {};
    return join ',', map { $_->{kvno} } @{scope($j, $i)->{keytab_entries} || []};
}
sub prom_kvno {
    my ($i) = @_;
    my ($v) = status('prometheus') =~ /^spncheck_keytab_kvno\{spn="\Q$spn{$i}\E"\} (\d+)$/m;
    return $v // 'none';
}
sub reads {
    my ($i) = @_;
    return scalar grep { /SPN00112: keytab \Q$kts\E\/app$i\.keytab inventory read/ }
        split /\n/, $h->log;
}

# A dozen scrapes, a new connection each, over three children.
my @k = map { kvnos(1) } 1 .. 12;
is($k[0], '2', 'app1: kvno 2 listed');
is(scalar(grep { $_ eq '2' } @k), 12, '  by every child that answered (12 scrapes)');
is(prom_kvno(1), 2, '  spncheck_keytab_kvno 2');
is(kvnos(2), '5', 'app2: kvno 5');
is(reads(1), 1, 'app1 read once, whichever child scraped (shared memory)')
    or diag join "\n", grep { /SPN00112/ } split /\n/, $h->log;
is(reads(2), 1, 'app2 read once');
my $j = JSON::PP::decode_json(status('json'));
my %c3 = map { $_->{id} => $_ } @{scope($j, 3)->{checks} || []};
is($c3{'keytab-readable'}{state}, 'fail', 'app3 missing: keytab-readable fails');
like($c3{'keytab-readable'}{message}, qr/does not exist/, '  it does not exist');
ok(!grep({ /SPN00002/ } split /\n/, $h->log),
   'no keytab was loaded with its keys for the status page (no SPN00002)')
    or diag join "\n", grep { /SPN00002/ } split /\n/, $h->log;
ok(!grep({ exists $_->{key} || exists $_->{contents} } @{scope($j, 1)->{keytab_entries}}),
   'no key material in the inventory');

# Replaced on disk (a new file renamed over it): the new kvno everywhere.
ktutil("$kts/app1.keytab", $spn{1}, 3, 'One-Pw3');
@k = map { kvnos(1) } 1 .. 6;
is(scalar(grep { $_ eq '3' } @k), 6, 'app1 replaced: kvno 3 on every scrape') or diag "@k";
is(prom_kvno(1), 3, '  spncheck_keytab_kvno 3');
is(reads(1), 2, '  read once more for the change');

# Rewritten in place at the same size, likely within the same second.
ktutil("$kts/new.keytab", $spn{1}, 4, 'One-Pw4');
my $size = -s "$kts/app1.keytab";
copy("$kts/new.keytab", "$kts/app1.keytab") or die;
is(-s "$kts/app1.keytab", $size, 'rewritten in place: the same size');
is(kvnos(1), '4', '  kvno 4 shown (mtime/ctime tell it apart)');

# The default HTML page keeps each scope's verdict between scrapes (per
# child) and stat()s each keytab for it at most once a second.
sub html_failing {
    my ($n) = `curl -s --max-time 20 '@{[ $h->url('127.0.0.1', '/spncheck-status') ]}'`
        =~ /(\d+) failing<\/a>/;
    return $n // -1;
}
my @f = map { html_failing() } 1 .. 6;
is("@f", join(' ', (1) x 6), 'default page: app3 fails, on every scrape (its verdict kept)');

# The missing one appears.
ktutil("$kts/app3.keytab", $spn{3}, 9, 'Three-Pw9');
is(kvnos(3), '9', 'app3 appears: kvno 9 shown');
$j = JSON::PP::decode_json(status('json'));
%c3 = map { $_->{id} => $_ } @{scope($j, 3)->{checks} || []};
is($c3{'keytab-readable'}{state}, 'pass', '  keytab-readable passes');
is($c3{'spn-in-keytab'}{state}, 'pass', '  spn-in-keytab passes');
select(undef, undef, undef, 1.2);              # past the default page's once-a-second stat()
@f = map { html_failing() } 1 .. 6;
is("@f", join(' ', (0) x 6), '  default page: none fails now, on every scrape (its verdict run again)');

# Graceful restart: new shared memory, the same facts.
my $before = reads(1);
$h->ctl('graceful') or die "graceful failed\n";
my $ok = 0;
for (1 .. 50) { select(undef, undef, undef, 0.2); last if ($ok = kvnos(1) eq '4') }
ok($ok, 'after a graceful restart: app1 kvno 4');
is(kvnos(2), '5', '  app2 kvno 5');
is(prom_kvno(3), 9, '  app3 spncheck_keytab_kvno 9');
cmp_ok(reads(1) - $before, '>=', 1, '  read again into the new shared memory');
ok(!grep({ /SPN00002/ } split /\n/, $h->log), 'still no keys loaded for the status page');
ok(!grep({ /AH00052|exit signal|SPN0011[013]/ } split /\n/, $h->log),
   'no child died, no inventory warning') or diag $h->log;

# A keytab that was read replaced by one without its SPN: the default
# page's kept verdicts are run again once the file's stat() sees it.
@f = map { html_failing() } 1 .. 6;
is("@f", join(' ', (0) x 6), 'default page: nothing fails (verdicts kept in the new children)');
ktutil("$kts/app2.keytab", 'HTTP/other.inv.test@INV.TEST', 6, 'Other-Pw6');
select(undef, undef, undef, 1.2);
@f = map { html_failing() } 1 .. 6;
is("@f", join(' ', (1) x 6), '  app2 replaced without its SPN: it fails on every scrape');
$h->stop;

#!/usr/bin/perl
# bounds.pl: `spncheck diagnose` with a ticket whose names are longer than
# the diagnosis fields (issue 9, finding 1): a 506-byte sname host once
# overran fqdn into the backend token, which --json then reported.
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use lib abs_path(dirname(__FILE__) . '/../lib');
use SpnTest qw(apreq_token);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $bin = $ENV{SPNCHECK_BIN} || "$top/spncheck";
my $n = 0;
my $fail = 0;
sub is_ok($$) { my ($c, $m) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $m\n"); $fail++ unless $c; $c }

for my $len (255, 256, 506, 1000) {
    my $host = 'A' x $len;
    my $tok = apreq_token('SPNCHECK.TEST', 'HTTP', $host);
    my $out = `'$bin' diagnose --json '$tok'`;
    my $rc = $? >> 8;
    my $j = eval { JSON::PP->new->decode($out) };
    is_ok($rc == 0 && $j, "$len-byte sname host: diagnose --json gives one object (exit $rc)") or next;
    is_ok(!defined $j->{backend_token}, "  no backend_token");
    is_ok(length($j->{sname}) == length("HTTP/$host") || $len > 506, "  sname as sent (or cut)");
    is_ok($j->{fqdn} eq '', "  fqdn empty: a label over 63 bytes is no DNS name (RFC 1123)");
    is_ok(length($j->{netbios}) <= 63, "  netbios within its field");
    $j = eval { JSON::PP->new->decode(`'$bin' diagnose --json --host web01.spncheck.test '$tok'`) };
    is_ok($j && $j->{fqdn} eq 'web01.spncheck.test',
          "  with --host: the remedies name the Host when the ticket's host is no DNS name");
}
print "1..$n\n";
exit($fail ? 1 : 0);

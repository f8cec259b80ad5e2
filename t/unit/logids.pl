#!/usr/bin/perl
# logids.pl: log message ids come from one macro (SPNLOGNO) and one list
# (docs/log-ids), as httpd's APLOGNO and next-number: no id used twice,
# none unlisted, none listed but unused, the next number above them all,
# and no "SPNnnnnn:" written by hand.
use strict;
use warnings;
use FindBin;
use Test::More;

my $top = "$FindBin::Bin/../..";
my (%used, @raw);
for my $f (glob("$top/*.c"), glob("$top/src/*.c"), glob("$top/cli/*.c")) {
    open(my $h, '<', $f) or die "$f: $!";
    while (my $l = <$h>) {
        (my $name = $f) =~ s{^\Q$top\E/}{};
        push @{$used{$1}}, "$name:$." while $l =~ /SPNLOGNO\((\d{5})\)/g;
        push @raw, "$name:$." if $l =~ /"SPN\d{5}:/;
    }
}
open(my $l, '<', "$top/docs/log-ids") or die "docs/log-ids: $!";
my (%listed, $next);
while (<$l>) {
    next if /^#/ || !/\S/;
    if (/^next-number (\d+)$/) { $next = $1; next }
    /^SPN(\d{5}) (\w+)\s+\S/ or die "docs/log-ids: bad line: $_";
    $listed{$1}++;
}
ok(scalar(keys %used) > 10, 'ids found in the code (' . scalar(keys %used) . ')');
is_deeply([map { "SPN$_ at @{$used{$_}}" } grep { @{$used{$_}} > 1 } sort keys %used], [],
          'no id used twice');
is_deeply([grep { !$listed{$_} } sort keys %used], [], 'every id in the code is in docs/log-ids');
is_deeply([grep { !$used{$_} } sort keys %listed], [], 'every listed id is used');
is_deeply([grep { $listed{$_} > 1 } sort keys %listed], [], 'no id listed twice');
my ($max) = sort { $b <=> $a } keys %listed;
ok(defined $next && $next > $max, "next-number ($next) is above the highest id ($max)");
is_deeply(\@raw, [], 'no "SPNnnnnn:" written by hand (use SPNLOGNO)');
done_testing();

package ThreeWay;
# The suite's one comparison of auth decisions: the same requests against
# three httpds with the same site, one with the module on, one with it
# loaded and every `SPNCheck On` turned Off, one without it loaded.  Status
# and WWW-Authenticate (www_shape: scheme, token format, error code,
# negState; a KRB-ERROR's own time fields differ by nature) must be the
# same in all three.
use strict;
use warnings;
use Test::More;
use MiniHttpd;
use SpnTest qw(www_shape);
use Exporter 'import';
our @EXPORT = qw(three_way);

# three_way(site => TEXT, mini => {MiniHttpd options}, run => sub { my ($mini) = @_;
#           ($mini->{mode}: 'on', 'off' or 'none')
#           returns [[name, fetch result], ...] }, setup => sub { my ($mini) = @_ })
# Asserts the comparison (two tests per request) and returns
# ({name => result} of the module-on run, that httpd's error log).
sub three_way {
    my (%o) = @_;
    my (%res, $log);
    for my $mode (qw(on off none)) {
        my $site = $o{site};
        $site =~ s/^(\s*SPNCheck)\s+On\b/$1 Off/mgi if $mode eq 'off';
        my $m = MiniHttpd->new(%{$o{mini} || {}}, site => $site, without => $mode eq 'none');
        $m->{mode} = $mode;                 # for run: 'on', 'off' or 'none'
        $o{setup}->($m) if $o{setup};
        $m->start;
        $res{$mode} = $o{run}->($m);
        $log = $m->log if $mode eq 'on';
        $m->stop;
    }
    my @on = @{$res{on}};
    for my $i (0 .. $#on) {
        my ($name, $r) = @{$on[$i]};
        my $shape = sub { join '|', map { www_shape($_) } @{$_[0]{www}} };
        for my $other (qw(off none)) {
            my $x = $res{$other}[$i][1];
            is("$r->{status} " . $shape->($r), "$x->{status} " . $shape->($x),
               "$name: status and WWW-Authenticate as with the module " .
               ($other eq 'off' ? 'off' : 'not loaded') . " ($r->{status})");
        }
    }
    return ({ map { @$_ } @on }, $log);
}

1;

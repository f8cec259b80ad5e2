#!/usr/bin/perl
# docs.pl: the docs stay where README's map says (issue 22).  README is one
# screen with the two commands; every docs/*.md it names exists, is named
# there and is a man page source (Makefile.am's DOCS_MD); docs/runbooks.md
# has a runbook per cause code of src/spn_cause.c and lists them all under
# "Cause codes (stable)"; no section title is used twice (docs/mkman takes
# the first); and a ktpass that keeps the kvno keeps the password.
use strict;
use warnings;
use FindBin;
use Test::More;

my $top = "$FindBin::Bin/../..";
sub slurp { my ($f) = @_; open(my $h, '<', "$top/$f") or die "$f: $!"; local $/; return <$h> }

my $readme = slurp('README');
my @lines = split /\n/, $readme;
cmp_ok(scalar(@lines), '<=', 80, 'README is one screen (' . scalar(@lines) . ' lines)');
my ($quick) = $readme =~ /\nQuick start[^\n]*\n-+\n(.*?)\n[^\n]+\n-+\n/s;
ok(defined $quick, 'README has its Quick start section');
is_deeply([($quick // '') =~ /^    (\S.*)$/mg], ['sh scripts/demo', 'sh scripts/test'],
          'Quick start: exactly the two commands');
like(slurp('.ci/run'), qr/^exec sh scripts\/test$/m, '.ci/run runs the second');
like($quick // '', qr/About\s+\d+\s+minutes\s+on\s+2\s+cores\./, 'Quick start says how long the suite takes on 2 cores');

# README's map: the first word of each indented line of "Where everything else is"
my ($map) = $readme =~ /\nWhere everything else is\n-+\n(.*)$/s;
my @named = ($map // '') =~ /^    ((?:docs|conf|debian|bench)\/\S*)/mg;
ok(@named >= 10, 'README maps the docs (' . scalar(@named) . ' places)');
ok(-e "$top/$_", "README's map: $_ exists") for @named;
my %named = map { $_ => 1 } @named;
my @md = map { s{^\Q$top\E/}{}r } sort glob("$top/docs/*.md");
is_deeply([grep { !$named{$_} } @md], [], 'every docs/*.md is in README\'s map');
my ($dm) = slurp('Makefile.am') =~ /^DOCS_MD = ((?:.*\\\n)*.*)$/m;
my %dm = map { $_ => 1 } split ' ', ($dm // '') =~ s/\\\n/ /gr;
is_deeply([grep { !$dm{$_} } @md], [], 'every docs/*.md is in Makefile.am\'s DOCS_MD (man page sources, dist)');

# a runbook per cause code, and the stable list complete
my @codes = slurp('src/spn_cause.c') =~ /^    \[SPN_C_\w+\] = \{\n\s+"([a-z0-9-]+)"/mg;
is(scalar(@codes), 20, 'src/spn_cause.c: 20 cause codes');
my $rb = slurp('docs/runbooks.md');
my %head = map { $_ => 1 } $rb =~ /^#{1,6} (\S+)\s*$/mg;
is_deeply([grep { !$head{$_} } @codes], [], 'docs/runbooks.md: a runbook (heading) per cause code');
my ($stable) = $rb =~ /^## Cause codes \(stable\)\n(.*?)^#/ms;
my %listed = map { $_ => 1 } ($stable // '') =~ /\b([a-z0-9]+(?:-[a-z0-9]+)*)\b/g;
is_deeply([grep { !$listed{$_} } @codes], [], '"Cause codes (stable)" lists every code');

# no title twice across README and docs/*.md: mkman would take the first
my %seen;
for my $f ('README', @md) {
    my $t = slurp($f);
    $t =~ s/^```.*?^```//msg;
    my @titles = $f eq 'README' ? $t =~ /^(\S[^\n]*)\n[-=]+$/mg : $t =~ /^#{1,4} (.+?)\s*$/mg;
    push @{$seen{$_}}, $f for @titles;
}
is_deeply([map { "$_: @{$seen{$_}}" } grep { @{$seen{$_}} > 1 } sort keys %seen], [],
          'no section title twice (README, docs/*.md)');

# ktpass -pass * sets a new password unless -setpass: a step that keeps the
# kvno must keep the password too (src/spn_cause.c's fix does)
for my $f (@md) {
    my @bad = grep { /-kvno/ && /-pass\b/ && !/-setpass/ } slurp($f) =~ /`(ktpass [^`]*)`/g;
    is_deeply(\@bad, [], "$f: every ktpass with -kvno and -pass has -setpass");
    # and -setpass is the one that keeps it: no text says it changes the key
    my $t = slurp($f) =~ s/\s+/ /gr;
    my @wrong = $t =~ /([^.;:]*`ktpass -setpass`[^.;]*(?:changes|sets|resets)[^.;]*)/g;
    is_deeply(\@wrong, [], "$f: -setpass is never said to change the password");
}
# the examples show every directive: conf/spncheck.conf (configuration.md:
# "every directive commented") and debian/spncheck.conf (mods-available,
# which mod_spncheck(8) says the same of)
my @directives = slurp('mod_spncheck_config.c') =~ /AP_INIT_\w+\(\s*"(\w+)"/g;
ok(@directives >= 13, 'mod_spncheck_config.c declares the directives (' . scalar(@directives) . ')');
for my $f ('conf/spncheck.conf', 'debian/spncheck.conf') {
    my %shown = map { $_ => 1 } slurp($f) =~ /^[#\s]*(SPNCheck\w*)\s/mg;
    is_deeply([grep { !$shown{$_} } @directives], [], "$f shows every directive");
}

# every Prometheus series and recording rule the docs name exists: a series
# the module exposes (a "# TYPE" line in its C), or a rule of
# conf/prometheus/prometheus_rules.yaml
my $csrc = join '', map { slurp($_ =~ s{^\Q$top\E/}{}r) } glob("$top/src/*.c"), glob("$top/mod_*.c");
my %series = map { $_ => 1 } $csrc =~ /# TYPE (spncheck_\w+)/g;
my %rule = map { $_ => 1 } slurp('conf/prometheus/prometheus_rules.yaml') =~ /record:\s*(\S+)/g;
# not series: the LoadModule name, a package file name, the series that is gone (monitoring.md says so)
my %not_series = map { $_ => 1 } qw(spncheck_module spncheck_selfcheck);
for my $f ('README', @md, 'debian/README.Debian') {
    my %seen;
    my @unknown = grep { !$seen{$_}++ && !$series{$_} && !$rule{$_} && !$not_series{$_} && !/_\d/ }
        slurp($f) =~ /(?<![\w:])((?:[a-z_]+:)?spncheck_\w+(?::\w+)?)/g;
    is_deeply(\@unknown, [], "$f names only series the module exposes and rules the package ships");
}
# every package configure asks for ("install libX-dev") is one debian/control
# builds with (Build-Depends) and scripts/setup installs: a clean build
# (sbuild, mk-build-deps as docs/admin.md says) stops at configure otherwise.
# binutils (objdump) is build-essential's.
{
    my @asked = slurp('configure.ac') =~ /install ((?:lib\S+-dev)(?: and \S+)*)/g;
    my %asked = map { $_ => 1 } grep { /^lib[a-z0-9.+-]+-dev$/ } map { split / and / } @asked;
    my ($bd) = slurp('debian/control') =~ /^Build-Depends:(.*?)^\S/ms;
    my %bd = map { $_ => 1 } ($bd // '') =~ /([a-z0-9][a-z0-9.+-]+)/g;
    my %setup = map { $_ => 1 } slurp('scripts/setup') =~ /([a-z0-9][a-z0-9.+-]+)/g;
    ok(keys(%asked) >= 5, 'configure asks for its -dev packages (' . join(' ', sort keys %asked) . ')');
    is_deeply([grep { !$bd{$_} } sort keys %asked], [], 'debian/control Build-Depends has each');
    is_deeply([grep { !$setup{$_} } sort keys %asked], [], 'scripts/setup installs each');
}
done_testing();

# prometheus.t: the exposition and the shipped alert rules, checked by
# Prometheus's own tool.  A real httpd (MiniHttpd, the KB1077 keytab, the
# live probe) gets a real failed exchange (curl --negotiate as alice); its
# ?format=prometheus scrape must pass `promtool check metrics`;
# conf/prometheus/spncheck-alerts.yml must pass `promtool check rules`, and
# `promtool test rules` runs unit tests built from the scrape's own series
# (t/prometheus/alerts-test.yml, written here): the KB1077 alert fires on a
# rising spn-wrong-account counter and stays quiet on a flat one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP ();
use CPAN::Meta::YAML ();
use Time::HiRes qw(sleep);
use SpnTest;
use MiniHttpd;

my ($promtool) = grep { -x } map { "$_/promtool" } split(/:/, $ENV{PATH} // ''), '/usr/bin';
plan skip_all => 'promtool not installed (Debian package prometheus; scripts/setup installs it)'
    unless $promtool;
plan tests => 24;

my $dir = realm_dir();
my $conf = $ENV{SPNCHECK_CONF_DIR} || "$FindBin::Bin/../conf";
my $rules = "$conf/prometheus/spncheck-alerts.yml";
my $tmp = tempdir(CLEANUP => 1);

# promtool's output and exit status (stdin from a file when given)
sub promtool {
    my ($in, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } $promtool, @args;
    $cmd .= " <'$in'" if defined $in;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

my $h = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE},
                       extra => "SPNCheckProbe $dir/monitor.keytab monitor\@SPNCHECK.TEST 15min\n");
$h->start;
my $host = 'wrong.spncheck.test';
for (1 .. 2) {
    my $r = fetch($host, '/', user => 'alice', port => $h->{port});
    is(cause_of($r), 'spn-wrong-account', "a real failed exchange ($_): spn-wrong-account");
}
# the probe runs at start-up in the watchdog child
my $probed;
for (1 .. 100) {
    my $j = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                               port => $h->{port})->{body}) };
    last if $probed = $j && $j->{probe} && $j->{probe}{runs};
    sleep 0.2;
}
ok($probed, 'the probe has run');

my $scrape = fetch('127.0.0.1', '/spncheck-status?format=prometheus', port => $h->{port});
$h->stop;
is($scrape->{status}, 200, 'scrape: 200');
my $body = $scrape->{body};
open(my $sf, '>', "$tmp/scrape.prom") or die;
print $sf $body;
close $sf;

# promtool check metrics: no errors and no lint warnings at all (nothing
# needed justifying: counters end in _total, every family has HELP and TYPE).
my ($rc, $out) = promtool("$tmp/scrape.prom", 'check', 'metrics');
is($rc, 0, 'promtool check metrics: exit 0');
is($out, '', 'promtool check metrics: no problem reported') or diag $body;

my %samples;    # name => [[labels text, value]]
for (split /\n/, $body) {
    next if /^#/;
    my ($name, $labels, $v) = /^(\w+)(?:\{(.*)\})? (\S+)$/ or next;
    push @{$samples{$name}}, [$labels // '', $v];
}
my ($wa) = grep { $_->[0] eq 'cause="spn-wrong-account"' } @{$samples{spncheck_failures_total}};
cmp_ok($wa->[1], '>=', 2, 'spncheck_failures_total{cause="spn-wrong-account"} counts the failures');
like($body, qr/^spncheck_build_info\{version="\d+\.\d+\.\d+[^"]*"\} 1$/m, 'spncheck_build_info{version} 1');
like($body, qr/^# TYPE spncheck_selfcheck_ok gauge$/m, 'spncheck_selfcheck_ok is a gauge');
my @ok = @{$samples{spncheck_selfcheck_ok} || []};
ok(@ok && !grep({ $_->[0] !~ /^server="[^"]+",location="[^"]*",check="[a-z0-9-]+",state="(pass|warn|fail)"$/ } @ok),
   'spncheck_selfcheck_ok{server,location,check,state}');
ok(!grep({ ($_->[0] =~ /state="pass"/ ? 1 : 0) != $_->[1] } @ok), 'selfcheck_ok: 1 exactly when state="pass"');
ok(grep({ $_->[0] =~ /check="both-forms",state="warn"/ && $_->[1] == 0 } @ok),
   'the both-forms warning reads 0');
like($body, qr/^# HELP spncheck_selfcheck DEPRECATED, removed in 0\.3\.0: use spncheck_selfcheck_ok\./m,
     'the old spncheck_selfcheck stays, marked deprecated');
is(scalar(@{$samples{spncheck_selfcheck} || []}), scalar(@ok), 'one old sample per new one');
ok(grep({ $_->[0] =~ /cause="spn-not-registered"/ && $_->[1] == 0 } @{$samples{spncheck_probe_ok} || []}),
   'the probe finds the short SPN form not registered');

# The rules: syntax, and every runbook_url names a README section.
($rc, $out) = promtool(undef, 'check', 'rules', $rules);
is($rc, 0, 'promtool check rules: exit 0') or diag $out;
like($out, qr/SUCCESS: \d+ rules found/, 'promtool check rules: SUCCESS');
my $y = CPAN::Meta::YAML->read($rules) or die CPAN::Meta::YAML->errstr;
my @alerts = map { @{$_->{rules}} } @{$y->[0]{groups}};
my $readme = -f "$FindBin::Bin/../README" ? do { local (@ARGV, $/) = "$FindBin::Bin/../README"; <> } : "";
my %anchor;
my @rl = split /\n/, $readme;
for my $i (0 .. $#rl - 1) {
    next unless $rl[$i] =~ /\S/ && $rl[$i + 1] =~ /^(=+|-+)$/ && length($rl[$i + 1]) >= length($rl[$i]);
    (my $a = lc $rl[$i]) =~ s/[^a-z0-9 _-]//g;
    $a =~ s/ /-/g;
    $anchor{$a} = 1;
}
my @bad = grep { !($_->{annotations}{summary} && $_->{annotations}{description}
                   && ($_->{annotations}{runbook_url} // '') =~ /^README#(.+)$/ && $anchor{$1}
                   && ($_->{labels}{severity} // '') =~ /^(critical|warning|info)$/) } @alerts;
is_deeply([map { $_->{alert} } @bad], [], 'every alert: severity, summary, description, runbook_url to a README section');
my %byname = map { $_->{alert} => $_ } @alerts;
is($alerts[0]{alert}, 'SPNCheckSPNWrongAccount', 'the KB1077 alert comes first');

# Unit tests from the scrape's own series: the labels the module wrote, plus
# the job and instance Prometheus adds.
my %target = (job => 'spncheck', instance => "127.0.0.1:$h->{port}");
my $tl = qq{job="$target{job}",instance="$target{instance}"};
sub series { my ($name, $labels) = @_; "$name\{" . join(',', grep { length } $labels, $tl) . '}' }
sub labels_of { my ($l) = @_; +{ $l =~ /(\w+)="((?:[^"\\]|\\.)*)"/g } }
# The annotations promtool will render: {{ $labels.X }} filled in.
sub expect {
    my ($alert, %l) = @_;
    my $a = $byname{$alert}{annotations};
    my %ann = map { my $t = $a->{$_}; $t =~ s/\{\{ \$labels\.(\w+) \}\}/$l{$1} \/\/ ''/ge; ($_ => $t) } keys %$a;
    return { exp_labels => { %l, %{$byname{$alert}{labels}} }, exp_annotations => \%ann };
}
my @probe = @{$samples{spncheck_probe_ok} || []};
my ($nr) = grep { $_->[0] =~ /cause="spn-not-registered"/ } @probe;
my $v0 = $wa->[1];
# successes by mechanism (issue 12): the scope's three series
my %succ = map { ($_->[0] =~ /mech="(\w+)"/)[0] => $_ } @{$samples{spncheck_auth_success_total} || []};
is(join(',', sort keys %succ), 'krb5,ntlm,other', 'spncheck_auth_success_total{scope,mech}: krb5, ntlm, other');
like($succ{krb5}[0] // '', qr/^scope="[^"]+",mech="krb5"$/, '  labelled scope and mech');
my $sscope = labels_of($succ{krb5}[0] // '')->{scope} // '';
my $test = {
    rule_files => [$rules],
    evaluation_interval => '1m',
    tests => [
        {   # failures keep coming (one a minute, from the scraped count on), and the probe's findings
            interval => '1m',
            input_series => [
                { series => series('spncheck_failures_total', $wa->[0]), values => "${v0}+1x40" },
                map({ { series => series('spncheck_failures_total', $_->[0]), values => "$_->[1]x40" } }
                    grep { $_->[0] ne $wa->[0] } @{$samples{spncheck_failures_total}}),
                map({ { series => series('spncheck_probe_ok', $_->[0]), values => "$_->[1]x40" } } @probe),
            ],
            alert_rule_test => [
                { eval_time => '3m', alertname => 'SPNCheckSPNWrongAccount', exp_alerts => [] },
                { eval_time => '10m', alertname => 'SPNCheckSPNWrongAccount',
                  exp_alerts => [expect('SPNCheckSPNWrongAccount', %target)] },
                { eval_time => '10m', alertname => 'SPNCheckKvnoMismatch', exp_alerts => [] },
                { eval_time => '10m', alertname => 'SPNCheckSPNNotRegistered',
                  exp_alerts => [expect('SPNCheckSPNNotRegistered', %{labels_of($nr->[0])}, %target)] },
            ],
        },
        {   # no new failure: the counters stay where the scrape left them
            interval => '1m',
            input_series => [
                map({ { series => series('spncheck_failures_total', $_->[0]), values => "$_->[1]x40" } }
                    @{$samples{spncheck_failures_total}}),
            ],
            alert_rule_test => [
                map({ { eval_time => '30m', alertname => $_, exp_alerts => [] } }
                    qw(SPNCheckSPNWrongAccount SPNCheckKvnoMismatch SPNCheckFailures)),
            ],
        },
        {   # half the sign-ins over NTLM: SPNCheckNTLMShare fires once it held 30m
            interval => '1m',
            input_series => [
                { series => series('spncheck_auth_success_total', $succ{krb5}[0]), values => '0+1x150' },
                { series => series('spncheck_auth_success_total', $succ{ntlm}[0]), values => '0+1x150' },
                { series => series('spncheck_auth_success_total', $succ{other}[0]), values => '0x150' },
            ],
            alert_rule_test => [
                { eval_time => '20m', alertname => 'SPNCheckNTLMShare', exp_alerts => [] },
                { eval_time => '120m', alertname => 'SPNCheckNTLMShare',
                  exp_alerts => [expect('SPNCheckNTLMShare', scope => $sscope, %target)] },
            ],
        },
        {   # Kerberos only: quiet
            interval => '1m',
            input_series => [
                { series => series('spncheck_auth_success_total', $succ{krb5}[0]), values => '0+1x150' },
                { series => series('spncheck_auth_success_total', $succ{ntlm}[0]), values => '0x150' },
            ],
            alert_rule_test => [
                { eval_time => '120m', alertname => 'SPNCheckNTLMShare', exp_alerts => [] },
            ],
        },
    ],
};
mkdir "$FindBin::Bin/prometheus";
my $tf = "$FindBin::Bin/prometheus/alerts-test.yml";
CPAN::Meta::YAML->new($test)->write($tf) or die CPAN::Meta::YAML->errstr;
ok(-s $tf, 't/prometheus/alerts-test.yml written from the scrape');
($rc, $out) = promtool(undef, 'test', 'rules', $tf);
is($rc, 0, 'promtool test rules: exit 0') or diag $out;
like($out, qr/SUCCESS/, 'promtool test rules: SUCCESS');

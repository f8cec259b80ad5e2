# status.t: the admin status page (HTML, JSON, Prometheus, ?ref=), the
# mod_status section, access control from conf/spncheck-status.conf, and
# escaping of hostile values that reached the history.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use JSON::PP ();
use SpnTest;

plan tests => 75;

my $S = 'status.spncheck.test';
sub status_json {
    my $r = fetch($S, '/spncheck-status?format=json');
    is($r->{status}, 200, 'JSON: 200');
    like($r->{ctype}, qr{^application/json}, 'JSON: content type');
    return JSON::PP::decode_json($r->{body});
}

my $before = status_json();
# Three KB1077 failures, each with its reference
my @refs;
for (1 .. 3) {
    my $r = fetch('wrong.spncheck.test', '/', user => 'alice');
    push @refs, $r->{body} =~ /name="spncheck-ref" content="([^"]+)"/;
}
is(scalar(@refs), 3, 'three failures, three references');
# A hostile ticket: names made of markup
my $evil = fetch('web01.spncheck.test', '/',
                 header => 'Authorization: ' . apreq_token('EVIL<script>alert(1)</script>',
                                                           'HTTP', '<img src=x onerror=alert(2)>'));
is($evil->{status}, 401, 'hostile ticket: 401');
my $after = status_json();

is($after->{counters}{'spn-wrong-account'} - $before->{counters}{'spn-wrong-account'}, 3,
   'counter grew by exactly the three failures');
cmp_ok($after->{failures_total}, '>=', $before->{failures_total} + 4, 'total grew');
my %recent = map { $_->{ref} => $_ } @{$after->{recent}};
my $f = $recent{$refs[0]};
ok($f, 'the first reference is in the history');
is($f->{cause}, 'spn-wrong-account', 'history: cause');
is($f->{spn}, 'HTTP/wrong.spncheck.test', 'history: requested SPN');
is($f->{realm}, 'SPNCHECK.TEST', 'history: realm');
is($f->{etype}, 18, 'history: etype');
is($f->{kvno}, 1, 'history: kvno');
is($f->{host}, 'wrong.spncheck.test', 'history: Host');
is($after->{recent}[0]{realm}, 'EVIL<script>alert(1)</script>', 'JSON carries the hostile realm, escaped');
my ($scope) = grep { $_->{server} =~ /^wrong\.spncheck\.test:/ && !defined $_->{location} } @{$after->{scopes}};
$scope ||= (grep { $_->{server} =~ /^wrong\.spncheck\.test:/ } @{$after->{scopes}})[0];
ok($scope, 'the wrong.spncheck.test scope is listed');
my %checks = map { $_->{id} => $_->{state} } @{$scope->{checks} || []};
is($checks{'keytab-readable'}, 'pass', 'self-check keytab-readable passes');
is($checks{'both-forms'}, 'warn', 'self-check both-forms warns (no HTTP/WRONG)');
ok(!grep({ exists $_->{key} || exists $_->{contents} } @{$scope->{keytab_entries}}),
   'keytab inventory has no key material');

# HTML
my $h = fetch($S, '/spncheck-status');
is($h->{status}, 200, 'HTML: 200');
like($h->{body}, qr/\Q$refs[0]\E/, 'HTML: the reference is listed');
unlike($h->{body}, qr/<script>alert|<img src=x/, 'HTML: no hostile markup');
like($h->{body}, qr/EVIL&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'HTML: escaped instead');

# At a glance: the charts (inline SVG, src/spn_chart.c), the sentence at the top
my @svg = $h->{body} =~ m{(<svg xmlns="http://www\.w3\.org/2000/svg" viewBox=.*?</svg>)}sg;
is(scalar(@svg), 3, 'HTML: three inline SVGs (the sign-in funnel, then the last hour, the last day)');
like($svg[0], qr/aria-label="Sign-in funnel"/, 'HTML: the funnel first (issue 20)');
shift @svg;
ok(!grep({ /<script|href|url\(|\son\w+=|foreignObject/i } @svg),
   'HTML: the charts hold no script and no reference out');
unlike($h->{body}, qr/<script/i, 'HTML: no <script> anywhere on the page');
ok(!grep({ /\b(?:href|src)="(?!\?)/ } $h->{body}), 'HTML: no link or source outside this page');
like($svg[0], qr{<title>\d\d:\d\dZ spn-wrong-account: \d+</title></rect>},
     'HTML: the hour chart has a spn-wrong-account bar');
like($h->{body}, qr{<ul class="legend">.*<code>spn-wrong-account</code>&nbsp;\d+}s,
     'HTML: the legend names the cause');
like($h->{body}, qr/td\.pass,td\.warn,td\.fail,td\.code\{white-space:nowrap/,
     'HTML: the state column and the cause codes do not wrap mid-word');
like($h->{body}, qr{<td class="code"><code>spn-wrong-account</code>}, 'HTML: cause codes in that class');
# (which causes have none depends on the files that ran before this one)
my ($zero) = $h->{body} =~ m{<p class="zero">\d+ causes with no failure: (.*?)</p>};
my @zero = ($zero // '') =~ m{<code>([a-z-]+)</code>}g;
ok(@zero && !grep({ ($after->{counters}{$_} // 0) != 0 } @zero) && !grep({ $_ eq 'spn-wrong-account' } @zero),
   'HTML: the causes with no failure collapse into one line (' . scalar(@zero) . ' of them)');
my ($headline) = $h->{body} =~ m{<h1>[^<]*</h1>\n(<p class="headline [^"]+">.*?</p>)}s;
ok($headline, 'HTML: one sentence right under the title');
my @failing = map { my $sc = $_; map { [$sc, $_] } grep { $_->{state} eq 'fail' } @{$sc->{checks}} }
              @{$after->{scopes}};
if (@failing) {
    like($headline, qr{^<p class="headline fail">Self-check <code>\Q$failing[0][1]{id}\E</code> fails for },
         'headline: the first failing self-check');
}
else {
    like($headline, qr{^<p class="headline warn">\d+ failed exchanges? in the last hour; the busiest cause is <code>spn-wrong-account</code>},
         'headline: the busiest cause of the last hour');
}

# Prometheus, line by line
my $p = fetch($S, '/spncheck-status?format=prometheus');
my @lines = split /\n/, $p->{body};
my @bad = grep { !/^# (HELP|TYPE) spncheck_\w+ / && !/^spncheck_\w+(\{(\w+="(?:[^"\\]|\\.)*",?)+\})? \d+$/ } @lines;
is_deeply(\@bad, [], 'Prometheus: every line is HELP, TYPE or a sample');
# A <Location> path with invalid UTF-8 (extra.conf.in): the whole document
# is still UTF-8, as Prometheus requires, and the label is cleaned.
my $pb = $p->{body};
ok(utf8::decode($pb), 'Prometheus: the whole body is valid UTF-8');
ok(grep({ /^spncheck_selfcheck_ok\{server="merge\.spncheck\.test:\d+",location="\/caf\x{FFFD}\x{FFFD}\\"q",/ }
        split /\n/, $pb), 'Prometheus: the Latin-1 location as U+FFFD, its quote escaped');
ok(grep({ ($_->{location} // '') eq "/caf\x{FFFD}\x{FFFD}\"q" } @{$after->{scopes}}),
   'JSON: the same location, cleaned the same way');
my ($wa) = map { /\} (\d+)$/ } grep { /^spncheck_failures_total\{cause="spn-wrong-account"\}/ } @lines;
cmp_ok($wa, '>=', $after->{counters}{'spn-wrong-account'}, 'Prometheus counter agrees with JSON');
ok(grep({ /^spncheck_selfcheck_ok\{server="wrong\.spncheck\.test:\d+",location="\/",check="both-forms",state="warn"\} 0$/ } @lines),
   'Prometheus: the both-forms warning as a gauge');
ok(!grep({ /^(?:# \w+ )?spncheck_selfcheck[{ ]/ } @lines), 'Prometheus: the deprecated spncheck_selfcheck is gone (issue 21)');

# Issue 21: the page leads with what is wrong; each scope has its own view;
# the list is paged
my @states = map { $_->{state} } @{$after->{scopes}};
my %n = (fail => scalar(grep { $_ eq 'fail' } @states), warn => scalar(grep { $_ eq 'warn' } @states),
         pass => scalar(grep { $_ eq 'pass' } @states));
like($h->{body}, qr{<h2>Scopes</h2>\n<p class="scopes">\d+ scopes? with <code>SPNCheck On</code>: <a href="\?scopes=fail" class="fail">$n{fail} failing</a>, <a href="\?scopes=warn" class="warn">$n{warn} warning</a>, <a href="\?scopes=pass" class="pass">$n{pass} passing</a>},
     "HTML: the scopes as counts ($n{fail} failing, $n{warn} warning, $n{pass} passing), each a link");
ok(index($h->{body}, '<h2>Scopes</h2>') < index($h->{body}, 'aria-label="Sign-in funnel"'),
   'HTML: the scopes that need attention before the funnel');
unlike($h->{body}, qr{<th>Keytab principal</th>}, 'HTML: no keytab inventory on the default page');
my $all = fetch($S, '/spncheck-status?scopes=all');
is($all->{status}, 200, '?scopes=all: 200');
my @links = $all->{body} =~ m{<tr><td><a href="\?scope=([^"]+)">}g;
is(scalar(@links), scalar(@{$after->{scopes}}) > 50 ? 50 : scalar(@{$after->{scopes}}),
   '?scopes=all: one row per scope (' . scalar(@links) . ')');
like($all->{body}, qr{Page 1 of \d+ \(\d+ scopes?\)\.}, '?scopes=all: paged');
my ($wlink) = grep { m{^wrong\.spncheck\.test:\d+/$} } @links;
ok($wlink, '?scopes=all: the link to wrong.spncheck.test /');
my $one_scope = fetch($S, "/spncheck-status?scope=$wlink");
is($one_scope->{status}, 200, '?scope=: 200');
like($one_scope->{body}, qr{<td>both-forms</td><td class="warn">warn</td>}, '?scope=: its both-forms warning');
like($one_scope->{body}, qr{<th>Keytab principal</th>.*HTTP/wrong\.spncheck\.test\@SPNCHECK\.TEST}s,
     '?scope=: its keytab entries');
like($one_scope->{body}, qr/\Q$refs[0]\E/, '?scope=: its recent failures');
unlike($one_scope->{body}, qr/web01\.spncheck\.test:/, '?scope=: no other scope');
my ($clink) = grep { m{^merge\.spncheck\.test:\d+/caf%E9} } @links;
like($clink // '', qr{^merge\.spncheck\.test:\d+/caf%E9%[0-9A-F]{2}%22q$}, '?scopes=all: the Latin-1 location, percent-encoded in its link');
my $cscope = fetch($S, "/spncheck-status?scope=$clink");
ok($cscope->{status} == 200 && $cscope->{body} =~ m{<code>/caf\xEF\xBF\xBD\xEF\xBF\xBD&quot;q</code> <span class="}, '?scope=: that link finds it (httpd decodes it back)');
my $no = fetch($S, '/spncheck-status?scope=%3Cscript%3Ealert(1)%3C/script%3Ex');
is($no->{status}, 404, '?scope= unknown: 404');
like($no->{body}, qr{is named <code>&lt;script&gt;alert\(1\)&lt;/script&gt;x</code>}, '?scope= unknown: says so, escaped');
unlike($no->{body}, qr/<script/, '?scope= unknown: no markup from the request');
is(fetch($S, '/spncheck-status?scopes=fail&page=9999')->{status}, 200, '?scopes=fail&page=9999: 200 (the last page)');
my $nolist = fetch($S, '/spncheck-status?scopes=failing');
is($nolist->{status}, 404, '?scopes= no such list (a typo): 404, not every scope under another name');
like($nolist->{body}, qr{No such list of scopes\. The lists: <a href="\?scopes=all">}, '?scopes= no such list: links the four');

# One failure in full
my $one = fetch($S, "/spncheck-status?ref=$refs[1]");
is($one->{status}, 200, '?ref: 200');
is(cause_of($one), 'spn-wrong-account', '?ref: the page at full detail');
is(fetch($S, '/spncheck-status?ref=NONE-XXXX')->{status}, 404, '?ref unknown: 404');

# The same failure as JSON (issue 18): the diagnosis, refined, with its fix
my $oj = fetch($S, "/spncheck-status?ref=$refs[1]&format=json");
like($oj->{ctype}, qr{^application/json}, '?ref&format=json: JSON');
my $ref1 = JSON::PP::decode_json($oj->{body});
is($ref1->{diagnosis}{cause}, 'spn-wrong-account', '?ref JSON: the cause');
my @steps = @{$ref1->{diagnosis}{fix}{steps} || []};
ok(@steps && !grep({ $_->{where} !~ /^(?:dc|server|client)$/ || ref($_->{argv}) ne 'ARRAY' ||
                     grep({ ref($_) || !length } @{$_->{argv}}) } @steps),
   '?ref JSON: steps of {where, argv, why}');
my %cmds = map { (join ' ', @{$_->{argv}}) => 1 } @steps;
ok($cmds{'setspn -S HTTP/WRONG SPNCHECK\svc-web'} && $cmds{'setspn -S HTTP/wrong.spncheck.test SPNCHECK\svc-web'},
   '?ref JSON: both name forms registered on the service account');
my ($rec) = grep { $_->{ref} eq $refs[1] } @{$after->{recent}};
is_deeply($rec->{fix}, $ref1->{diagnosis}{fix}, 'status JSON: the recent failure carries the same fix');
my @plain = grep { !grep { m{[^\w./:=\\-]} } @{$_->{argv}} } @steps;
ok(@plain && !grep({ index($one->{body}, join(' ', @{$_->{argv}})) < 0 } @plain),
   '?ref page: every (plain) step of the JSON is in the HTML block');
my ($evil_ref) = $evil->{body} =~ /name="spncheck-ref" content="([^"]+)"/;
my $ej = JSON::PP::decode_json(fetch($S, "/spncheck-status?ref=$evil_ref&format=json")->{body});
ok(!grep({ grep { /[<>\n]/ } @{$_->{argv}} } @{$ej->{diagnosis}{fix}{steps} || []}),
   'hostile ticket: no markup or newline in any step');

# Access: the example config lets 127.0.0.1 in, not 127.0.0.2
is(fetch($S, '/spncheck-status', curl => ['--interface', '127.0.0.2'])->{status}, 403,
   'from 127.0.0.2: 403 (conf/spncheck-status.conf)');

# mod_status
my $ss = fetch($S, '/server-status?auto');
like($ss->{body}, qr/^SPNCheckFailures: \d+$/m, 'server-status?auto: our counter');

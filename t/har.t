# har.t: spncheck har on a HAR written from real exchanges (curl through
# the sandbox realm against this httpd), and on malformed HAR files.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use JSON::PP ();
use File::Temp qw(tempdir);
use SpnTest;

plan tests => 22;

my $dir = realm_dir();
my $bin = $ENV{SPNCHECK_BIN};
my $port = Apache::Test::vars('spncheck_port');
my $tmp = tempdir(CLEANUP => 1);

# curl -v legs as HAR entries: "> " request lines, "< " response lines.
# First the browser's tokenless request (the challenge), then the answer
# with a token (curl --negotiate sends it up front).
sub legs {
    my ($host, $path) = @_;
    local $ENV{KRB5CCNAME} = "$dir/alice.cc";
    my $base = "curl -sv -o /dev/null --resolve $host:$port:127.0.0.1 http://$host:$port$path";
    my $v = `$base 2>&1; $base --negotiate -u : 2>&1`;
    my (@entries, $cur);
    for my $line (split /\r?\n/, $v) {
        if ($line =~ /^> (GET|POST|HEAD) (\S+) HTTP/) {
            $cur = { startedDateTime => '2026-11-24T12:00:00.000Z',
                     request => { method => $1, url => "http://$host:$port$2", headers => [] },
                     response => { status => 0, headers => [] } };
            push @entries, $cur;
        }
        elsif ($line =~ /^> ([\w-]+): (.*)$/ && $cur) {
            push @{$cur->{request}{headers}}, { name => $1, value => $2 };
        }
        elsif ($line =~ /^< HTTP\/\S+ (\d+)/ && $cur) {
            $cur->{response}{status} = $1 + 0;
        }
        elsif ($line =~ /^< ([\w-]+): (.*)$/ && $cur) {
            push @{$cur->{response}{headers}}, { name => $1, value => $2 };
        }
    }
    return @entries;
}
my @entries = (legs('wrong.spncheck.test', '/'), legs('web01.spncheck.test', '/'));
is(scalar(@entries), 4, 'four legs captured: challenge and answer, twice');
my $har = "$tmp/real.har";
open(my $fh, '>', $har) or die;
print $fh JSON::PP->new->pretty->encode({ log => { version => '1.2', creator => { name => 'har.t' },
                                                   entries => \@entries } });
close $fh;

my $out = `'$bin' har '$har' --json --keytab '$dir/wrong.keytab' --spn HTTP/wrong.spncheck.test\@SPNCHECK.TEST --account 'SPNCHECK\\apppool'`;
is($? >> 8, 4, 'a failed exchange found: exit 4 (a check fails)');
my $j = eval { JSON::PP::decode_json($out) } || {};
is($j->{summary}{failed}, 1, 'one failed');
is($j->{summary}{succeeded}, 1, 'one succeeded');
is($j->{summary}{challenges}, 2, 'two challenges');
my ($f) = grep { $_->{kind} eq 'failed' } @{$j->{exchanges} || []};
is($f->{diagnosis}{cause}, 'spn-wrong-account', 'the failure: spn-wrong-account');
is($f->{request_token}{krb5}{sname}, 'HTTP/wrong.spncheck.test', 'request token decoded');
is($j->{sanitized}, JSON::PP::false, 'a HAR with its Authorization headers is not sanitized');
my ($s) = grep { $_->{kind} eq 'success' } @{$j->{exchanges} || []};
is($s->{response_tokens}[0]{format}, 'spnego-resp', 'the server\'s answer decoded too');

my $text = `'$bin' har '$har' --keytab '$dir/wrong.keytab' --spn HTTP/wrong.spncheck.test\@SPNCHECK.TEST --account 'SPNCHECK\\apppool'`;
my @lines = split /\n/, $text;
like($lines[0], qr/1 failed, 1 succeeded/, 'summary first');
like($text, qr/^FAILED #\d+ wrong\.spncheck\.test asked for HTTP\/wrong\.spncheck\.test\@SPNCHECK\.TEST$/m,
     'which host, which SPN');
like($text, qr/setspn -S HTTP\/wrong\.spncheck\.test SPNCHECK\\apppool/, 'what to run');

# Malformed HAR files: a clear error, exit 1 (the input cannot be read)
open($fh, '>', "$tmp/broken.har") or die;
print $fh '{"log": {"entries": [ {"request": ';
close $fh;
my $err = `'$bin' har '$tmp/broken.har' 2>&1`;
is($? >> 8, 1, 'truncated JSON: exit 1');
like($err, qr/not a HAR file: .*line \d+/, 'truncated JSON: says where');
open($fh, '>', "$tmp/nolog.har") or die;
print $fh '{"entries": []}';
close $fh;
like(`'$bin' har '$tmp/nolog.har' 2>&1`, qr/no log\.entries array/, 'JSON but not HAR: says so');

# A sanitized export (Chrome's default): challenges, no Authorization at
# all; the answer after the first challenge succeeded on the same
# connection, the one after the second was refused on a new one.
my @san;
for ([0, '/app/', 401, 'c1'], [1, '/app/', 200, 'c1'], [2, '/x', 401, 'c2'], [3, '/x', 401, 'c3']) {
    my ($i, $path, $st, $conn) = @$_;
    push @san, { startedDateTime => '2026-11-24T12:00:00.000Z', connection => $conn,
                 request => { method => 'GET', url => "http://web01.spncheck.test$path",
                              headers => [{ name => 'Host', value => 'web01.spncheck.test' }] },
                 response => { status => $st, headers => $st == 401
                     ? [{ name => 'WWW-Authenticate', value => 'Negotiate' }] : [] } };
}
open($fh, '>', "$tmp/sanitized.har") or die;
print $fh JSON::PP->new->encode({ log => { version => '1.2', entries => \@san } });
close $fh;
my $st = `'$bin' har '$tmp/sanitized.har'`;
is($? >> 8, 0, 'sanitized HAR: nothing to diagnose, exit 0');
like($st, qr/No request in this HAR carries an Authorization header, though 3 responses ask for Negotiate/,
     'sanitized HAR: said so');
like($st, qr/Allow to generate HAR with sensitive data.*Export HAR \(with sensitive data\)/s,
     'sanitized HAR: how to export with the tokens');
like($st, qr/^  challenge #0 -> next request #1: 200, same connection$/m,
     'sanitized HAR: the answer to the first challenge, on the same connection');
like($st, qr/^  challenge #2 -> next request #3: 401 \(refused again.*\), new connection$/m,
     'sanitized HAR: the second refused again, on a new connection');
my $sj = eval { JSON::PP::decode_json(`'$bin' har '$tmp/sanitized.har' --json`) } || {};
is($sj->{sanitized}, JSON::PP::true, 'sanitized HAR, JSON: "sanitized": true');
is_deeply([map { [$_->{challenge}, $_->{retry}, $_->{status}, $_->{same_connection} ? 1 : 0] } @{$sj->{retries} || []}],
          [[0, 1, 200, 1], [2, 3, 401, 0]], 'sanitized HAR, JSON: the retries and their connections');

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

plan tests => 14;

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
is($? >> 8, 1, 'a failed exchange found: exit 1');
my $j = eval { JSON::PP::decode_json($out) } || {};
is($j->{summary}{failed}, 1, 'one failed');
is($j->{summary}{succeeded}, 1, 'one succeeded');
is($j->{summary}{challenges}, 2, 'two challenges');
my ($f) = grep { $_->{kind} eq 'failed' } @{$j->{exchanges} || []};
is($f->{diagnosis}{cause}, 'spn-wrong-account', 'the failure: spn-wrong-account');
is($f->{request_token}{krb5}{sname}, 'HTTP/wrong.spncheck.test', 'request token decoded');
my ($s) = grep { $_->{kind} eq 'success' } @{$j->{exchanges} || []};
is($s->{response_tokens}[0]{format}, 'spnego-resp', 'the server\'s answer decoded too');

my $text = `'$bin' har '$har' --keytab '$dir/wrong.keytab' --spn HTTP/wrong.spncheck.test\@SPNCHECK.TEST --account 'SPNCHECK\\apppool'`;
my @lines = split /\n/, $text;
like($lines[0], qr/1 failed, 1 succeeded/, 'summary first');
like($text, qr/^FAILED #\d+ wrong\.spncheck\.test asked for HTTP\/wrong\.spncheck\.test\@SPNCHECK\.TEST$/m,
     'which host, which SPN');
like($text, qr/setspn -S HTTP\/wrong\.spncheck\.test SPNCHECK\\apppool/, 'what to run');

# Malformed HAR files: a clear error, exit 3
open($fh, '>', "$tmp/broken.har") or die;
print $fh '{"log": {"entries": [ {"request": ';
close $fh;
my $err = `'$bin' har '$tmp/broken.har' 2>&1`;
is($? >> 8, 3, 'truncated JSON: exit 3');
like($err, qr/not a HAR file: .*line \d+/, 'truncated JSON: says where');
open($fh, '>', "$tmp/nolog.har") or die;
print $fh '{"entries": []}';
close $fh;
like(`'$bin' har '$tmp/nolog.har' 2>&1`, qr/no log\.entries array/, 'JSON but not HAR: says so');

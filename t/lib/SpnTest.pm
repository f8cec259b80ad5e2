package SpnTest;
# Real curl against the Apache::Test httpd, with --resolve (no /etc edits).
use strict;
use warnings;
use Apache::Test ();
use File::Temp qw(tempdir);
use Exporter 'import';
our @EXPORT = qw(fetch realm_dir www_shape);

my $tmp = tempdir(CLEANUP => 1);

sub realm_dir { $ENV{SPNCHECK_REALM_DIR} or die "SPNCHECK_REALM_DIR not set: run scripts/test" }

# fetch(host, path, user => 'alice'|'carol'|undef, header => 'Authorization: ...',
#       negotiate => 1): returns {status, www => [..], body, ctype}
sub fetch {
    my ($host, $path, %o) = @_;
    my $port = Apache::Test::vars('spncheck_port');
    my @cmd = ('curl', '-s', '-D', "$tmp/h", '-o', "$tmp/b", '--max-time', '20',
               '--resolve', "$host:$port:127.0.0.1");
    push @cmd, '--negotiate', '-u', ':' if $o{user};
    push @cmd, '-H', $o{header} if $o{header};
    push @cmd, '-I' if $o{head};
    push @cmd, "http://$host:$port$path";
    local $ENV{KRB5CCNAME} = $o{user} ? realm_dir() . "/$o{user}.cc" : realm_dir() . "/nobody.cc";
    system(@cmd) == 0 or return { status => 0, www => [], body => '' };
    my $h = do { local (@ARGV, $/) = "$tmp/h"; <> } // '';
    my @blocks = grep { /\S/ } split /\r?\n\r?\n/, $h;
    my $last = $blocks[-1] // '';
    my ($status) = $last =~ m{^HTTP/\S+ (\d+)};
    my @www = $last =~ /^WWW-Authenticate:\s*(.*?)\r?$/mgi;
    my ($ctype) = $last =~ /^Content-Type:\s*(.*?)\r?$/mi;
    my $body = $o{head} ? '' : do { local (@ARGV, $/) = "$tmp/b"; <> } // '';
    return { status => $status // 0, www => \@www, body => $body, ctype => $ctype // '',
             legs => scalar(@blocks) };
}

# A WWW-Authenticate value with its per-request parts (KRB-ERROR stime,
# susec) taken out: scheme, token format, error code, negState, length.
sub www_shape {
    my ($v) = @_;
    my ($scheme, $tok) = $v =~ /^(\S+)(?:\s+(\S+))?/;
    return $scheme unless $tok;
    my $bin = $ENV{SPNCHECK_BIN} or die 'SPNCHECK_BIN not set';
    my $j = `'$bin' decode --json '$tok'`;
    my ($fmt) = $j =~ /"format":"([^"]*)"/;
    my ($ec) = $j =~ /"error_code":(\w+)/;
    my ($ns) = $j =~ /"neg_state":("?[\w-]*"?)/;
    return join ' ', $scheme, $fmt // '?', 'error_code=' . ($ec // '-'),
        'neg_state=' . ($ns // '-');
}

1;

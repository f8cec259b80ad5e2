package SpnTest;
# Real curl against the Apache::Test httpd, with --resolve (no /etc edits).
use strict;
use warnings;
use Apache::Test ();
use File::Temp qw(tempdir);
use Exporter 'import';
our @EXPORT = qw(fetch realm_dir www_shape cause_of);

my $tmp = tempdir(CLEANUP => 1);

sub realm_dir { $ENV{SPNCHECK_REALM_DIR} or die "SPNCHECK_REALM_DIR not set: run scripts/test" }

# fetch(host, path, user => 'alice'|'carol'|undef, header => 'Authorization: ...',
#       ccache => FILE, env => {..}, wrap => [cmd..], curl => [args..]):
# returns {status, www => [..], body, ctype, sent => [Authorization values]}
sub fetch {
    my ($host, $path, %o) = @_;
    my $port = Apache::Test::vars('spncheck_port');
    my @cmd = (@{$o{wrap} || []}, 'curl', '-sv', '-D', "$tmp/h", '-o', "$tmp/b",
               '--max-time', '20', '--resolve', "$host:$port:127.0.0.1");
    push @cmd, '--negotiate', '-u', ':' if $o{user};
    push @cmd, @{$o{curl}} if $o{curl};
    push @cmd, '-H', $o{header} if $o{header};
    push @cmd, '-I' if $o{head};
    push @cmd, "http://$host:$port$path";
    local $ENV{KRB5CCNAME} = $o{ccache} || realm_dir() . '/' . ($o{user} || 'nobody') . '.cc';
    local @ENV{keys %{$o{env} || {}}} = values %{$o{env} || {}};
    open(my $olderr, '>&', \*STDERR) or die;
    open(STDERR, '>', "$tmp/v") or die;
    my $rc = system(@cmd);
    open(STDERR, '>&', $olderr) or die;
    my $v = do { local (@ARGV, $/) = "$tmp/v"; <> } // '';
    my @sent = $v =~ /^> Authorization:\s*(.*?)\r?$/mgi;
    $rc == 0 or return { status => 0, www => [], body => '', sent => \@sent };
    my $h = do { local (@ARGV, $/) = "$tmp/h"; <> } // '';
    my @blocks = grep { /\S/ } split /\r?\n\r?\n/, $h;
    my $last = $blocks[-1] // '';
    my ($status) = $last =~ m{^HTTP/\S+ (\d+)};
    my @www = $last =~ /^WWW-Authenticate:\s*(.*?)\r?$/mgi;
    my ($ctype) = $last =~ /^Content-Type:\s*(.*?)\r?$/mi;
    my $body = $o{head} ? '' : do { local (@ARGV, $/) = "$tmp/b"; <> } // '';
    return { status => $status // 0, www => \@www, body => $body, ctype => $ctype // '',
             legs => scalar(@blocks), sent => \@sent };
}

sub cause_of { $_[0]->{body} =~ /<meta name="spncheck-cause" content="([^"]+)"/ ? $1 : undef }

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

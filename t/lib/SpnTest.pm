package SpnTest;
# Real curl against the Apache::Test httpd, with --resolve (no /etc edits).
use strict;
use warnings;
use Apache::Test ();
use File::Temp qw(tempdir);
use Exporter 'import';
our @EXPORT = qw(fetch realm_dir www_shape cause_of apreq_token ntlm3 utf16);

my $tmp = tempdir(CLEANUP => 1);

sub realm_dir { $ENV{SPNCHECK_REALM_DIR} or die "SPNCHECK_REALM_DIR not set: run scripts/test" }

# fetch(host, path, user => 'alice'|'carol'|undef, header => 'Authorization: ...',
#       ccache => FILE, env => {..}, wrap => [cmd..], curl => [args..],
#       port => N (default: Apache::Test's spncheck port), scheme => 'https'):
# returns {status, www => [..], body, ctype, sent => [Authorization values], proto}
sub fetch {
    my ($host, $path, %o) = @_;
    my $port = $o{port} || Apache::Test::vars('spncheck_port');
    my $scheme = $o{scheme} || 'http';
    my @cmd = (@{$o{wrap} || []}, 'curl', '-sv', '-D', "$tmp/h", '-o', "$tmp/b",
               '--max-time', '20', '--resolve', "$host:$port:127.0.0.1");
    push @cmd, '--negotiate', '-u', ':' if $o{user};
    push @cmd, @{$o{curl}} if $o{curl};
    push @cmd, '-H', $o{header} if $o{header};
    push @cmd, '-I' if $o{head};
    push @cmd, "$scheme://$host:$port$path";
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
    my ($proto, $status) = $last =~ m{^(HTTP/\S+) (\d+)};
    my @www = $last =~ /^WWW-Authenticate:\s*(.*?)\r?$/mgi;
    my ($ctype) = $last =~ /^Content-Type:\s*(.*?)\r?$/mi;
    my $body = $o{head} ? '' : do { local (@ARGV, $/) = "$tmp/b"; <> } // '';
    return { status => $status // 0, www => \@www, body => $body, ctype => $ctype // '',
             legs => scalar(@blocks), sent => \@sent, proto => $proto // '' };
}

# A syntactically valid GSS/krb5 AP-REQ (junk ciphertext) with any realm and
# sname: how the tests put hostile strings where a ticket's names go.
sub der_len {
    my ($n) = @_;
    return $n < 128 ? chr($n) : $n < 256 ? "\x81" . chr($n) : "\x82" . pack('n', $n);
}
sub der {
    my ($tag, $body) = @_;
    return chr($tag) . der_len(length $body) . $body;
}
sub apreq_token {
    my ($realm, @sname) = @_;
    my $int = sub { der(0x02, chr($_[0])) };
    my $gs = sub { der(0x1b, $_[0]) };
    my $enc = sub { der(0x30, der(0xa0, $int->(18)) . der(0xa1, $int->(2)) . der(0xa2, der(0x04, "\x00" x 64))) };
    my $ticket = der(0x61, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $gs->($realm))
        . der(0xa2, der(0x30, der(0xa0, $int->(2)) . der(0xa1, der(0x30, join '', map { $gs->($_) } @sname))))
        . der(0xa3, $enc->())));
    my $apreq = der(0x6e, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $int->(14))
        . der(0xa2, der(0x03, "\x00\x00\x00\x00\x00")) . der(0xa3, $ticket) . der(0xa4, $enc->())));
    my $oid = der(0x06, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02");
    require MIME::Base64;
    return 'Negotiate ' . MIME::Base64::encode_base64(der(0x60, $oid . "\x01\x00" . $apreq), '');
}

sub utf16 { join '', map { pack('v', ord $_) } split //, $_[0] }
# NTLM AUTHENTICATE (type 3) with the given raw UTF-16LE fields
sub ntlm3 {
    my ($domain, $user, $ws) = @_;
    my $off = 64;
    my @f = ('', '', $domain, $user, $ws, '');     # LM, NT, domain, user, workstation, key
    my ($hdr, $payload) = ('', '');
    for my $v (@f) {
        $hdr .= pack('vvV', length $v, length $v, $off + length $payload);
        $payload .= $v;
    }
    return "NTLMSSP\0" . pack('V', 3) . $hdr . pack('V', 0x00088201) . $payload;
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

package SpnTest;
# Real curl against the Apache::Test httpd, with --resolve (no /etc edits).
use strict;
use warnings;
use Apache::Test ();
use File::Temp qw(tempdir);
use Exporter 'import';
our @EXPORT = qw(fetch realm_dir www_shape cause_of apreq_token ntlm3 utf16 gssapi_conf spncheck_conf);
our @EXPORT_OK = qw(configtest);

my $tmp = tempdir(CLEANUP => 1);

# The lines of a <Location> that authenticates with mod_auth_gssapi and
# the keytab kt (krb5 only), and those that turn the module on for host's
# SPN with the keytab kt (account => 'DOM\\name', detail => 'full').
sub gssapi_conf {
    my ($kt, $name) = @_;
    return "    AuthType GSSAPI\n    AuthName \"" . ($name // 'spncheck') . "\"\n"
         . "    GssapiCredStore keytab:$kt\n    GssapiAllowedMech krb5\n    Require valid-user\n";
}
sub spncheck_conf {
    my ($host, $kt, %o) = @_;
    return "    SPNCheck On\n"
         . ($o{detail} ? "    SPNCheckDetail $o{detail}\n" : '')
         . "    SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST\n    SPNCheckKeytab $kt\n"
         . ($o{account} ? "    SPNCheckServiceAccount $o{account}\n" : '');
}

# apache2 -t on a configuration of text after the minimum (event MPM,
# authz_core, the module as built: SPNCHECK_MODULE): (exit code, output).
sub configtest {
    my ($text) = @_;
    my $t = tempdir(CLEANUP => 1);
    my $mods = '/usr/lib/apache2/modules';
    open(my $o, '>', "$t/httpd.conf") or die;
    print $o "ServerRoot $t\nDefaultRuntimeDir $t\nPidFile $t/pid\nErrorLog $t/error_log\n",
        "Listen 127.0.0.1:9\nServerName localhost\n",
        (map { "LoadModule ${_}_module $mods/mod_$_.so\n" } qw(mpm_event authz_core)),
        "LoadModule spncheck_module $ENV{SPNCHECK_MODULE}\n", $text;
    close $o;
    my $out = `/usr/sbin/apache2 -t -d $t -f $t/httpd.conf 2>&1`;
    return ($? >> 8, $out);
}

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

# DER for the tests, the one Perl copy (src/spn_der.c reads and writes it in
# C): der_len(N) the length octets, der(ID, BODY) a whole element.  Tag
# identifier octets by name, as in src/spn_der.h.
our %ASN1 = (INTEGER => 0x02, BITSTRING => 0x03, OCTETSTRING => 0x04, OID => 0x06,
             SEQUENCE => 0x30, GENERALSTRING => 0x1b, GSS => 0x60, TICKET => 0x61,
             AP_REQ => 0x6e);
sub ctx { 0xa0 | $_[0] }                  # [n], constructed
sub der_len {
    my ($n) = @_;
    return chr($n) if $n < 0x80;
    my $o = $n < 0x100 ? chr($n) : $n < 0x10000 ? pack('n', $n) : substr(pack('N', $n), 1);
    die "der_len: $n too large" if $n >= 0x1000000;
    return chr(0x80 | length $o) . $o;
}
sub der {
    my ($tag, $body) = @_;
    return chr($tag) . der_len(length $body) . $body;
}

# A syntactically valid GSS/krb5 AP-REQ (junk ciphertext) with any realm and
# sname: how the tests put hostile strings where a ticket's names go.
sub apreq_token {
    my ($realm, @sname) = @_;
    my %A = %ASN1;
    my $int = sub { der($A{INTEGER}, chr($_[0])) };
    my $gs = sub { der($A{GENERALSTRING}, $_[0]) };
    my $enc = sub { der($A{SEQUENCE}, der(ctx(0), $int->(18)) . der(ctx(1), $int->(2))
                        . der(ctx(2), der($A{OCTETSTRING}, "\x00" x 64))) };
    my $ticket = der($A{TICKET}, der($A{SEQUENCE}, der(ctx(0), $int->(5)) . der(ctx(1), $gs->($realm))
        . der(ctx(2), der($A{SEQUENCE}, der(ctx(0), $int->(2))
                          . der(ctx(1), der($A{SEQUENCE}, join '', map { $gs->($_) } @sname))))
        . der(ctx(3), $enc->())));
    my $apreq = der($A{AP_REQ}, der($A{SEQUENCE}, der(ctx(0), $int->(5)) . der(ctx(1), $int->(14))
        . der(ctx(2), der($A{BITSTRING}, "\x00\x00\x00\x00\x00")) . der(ctx(3), $ticket)
        . der(ctx(4), $enc->())));
    my $oid = der($A{OID}, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02");
    require MIME::Base64;
    return 'Negotiate ' . MIME::Base64::encode_base64(der($A{GSS}, $oid . "\x01\x00" . $apreq), '');
}

sub utf16 { join '', map { pack('v', ord $_) } split //, $_[0] }
# NTLM AUTHENTICATE (type 3) with the given raw UTF-16LE fields; flags
# default to UNICODE | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY
sub ntlm3 {
    my ($domain, $user, $ws, $flags) = @_;
    $flags //= 0x00088201;
    my $off = 64;
    my @f = ('', '', $domain, $user, $ws, '');     # LM, NT, domain, user, workstation, key
    my ($hdr, $payload) = ('', '');
    for my $v (@f) {
        $hdr .= pack('vvV', length $v, length $v, $off + length $payload);
        $payload .= $v;
    }
    return "NTLMSSP\0" . pack('V', 3) . $hdr . pack('V', $flags) . $payload;
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

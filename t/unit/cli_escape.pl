#!/usr/bin/perl
# cli_escape.pl: the text output of `spncheck decode`, `diagnose` and `har`
# never passes a terminal control from a token: C0, DEL, C1 (U+009B CSI,
# U+009D OSC, as UTF-8 or as raw bytes) or a bidi override.  Only "\n" is
# ours; the output is valid UTF-8.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);
use MIME::Base64 qw(encode_base64);
use Encode ();
use lib dirname(__FILE__) . '/../lib';
use SpnTest ();

my $top = abs_path(dirname(__FILE__) . '/../..');
my $bin = $ENV{SPNCHECK_BIN} || "$top/spncheck";
my $tmp = tempdir(CLEANUP => 1);
my $n = 0;
my $fail = 0;
sub is_ok($$) { my ($c, $m) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $m\n"); $fail++ unless $c; $c }

# What an attacker puts in a name: CSI and OSC in UTF-8, raw C1 bytes, ESC,
# BEL, a bidi override.
my $evil = "A\xC2\x9B2J\x1B[31mB\x9B\x9D0;pwn\x07C\xE2\x80\xAED";
sub utf16 { SpnTest::utf16(@_) }
sub ntlm3 { my ($flags, @f) = @_; SpnTest::ntlm3(@f, $flags) }    # domain, user, workstation
my $b64 = sub { encode_base64($_[0], '') };
my %tokens = (
    'AP-REQ realm/sname' => SpnTest::apreq_token("R$evil", 'HTTP', "h$evil"),
    'NTLM UTF-16 user' => 'NTLM ' . $b64->(ntlm3(0x00088201, utf16("D\x{9B}\x{9D}\e"),
                                                 utf16("u\x{9B}[2J\x{1B}]0;x\x{7}\x{202E}"),
                                                 utf16("w\x{85}"))),
    'NTLM OEM user' => 'NTLM ' . $b64->(ntlm3(0x00088200, "D\x9B", "u\x9B\x9D\x1B", "w\x7F")),
    'Negotiate NTLM' => 'Negotiate ' . $b64->(ntlm3(0x00088201, utf16('d'), utf16("\x{9B}6n"), '')),
);

sub clean {
    my ($out, $what) = @_;
    my $bytes = $out;
    my @bad;
    push @bad, sprintf('C0/DEL 0x%02x', ord $1) while $bytes =~ /([\x00-\x09\x0B-\x1F\x7F])/g;
    my $copy = $bytes;
    push @bad, 'invalid UTF-8' unless utf8::decode($copy);
    $copy = Encode::decode('UTF-8', $bytes);        # lenient: look further
    push @bad, sprintf('U+%04X', ord $1) while $copy =~ /([\x{80}-\x{9F}\x{2028}-\x{202E}\x{2066}-\x{2069}])/g;
    is_ok(!@bad, "$what: no terminal control in the output") or print "#   found @bad\n";
}

# A keytab for EXAMPLE.COM: the hostile ticket's realm and SPN then appear
# in the diagnosis and its remedies.
my $kt = "$tmp/svc.keytab";
open(my $k, '|-', 'ktutil >/dev/null') or die "ktutil: $!";
print $k "addent -password -p HTTP/web01.example.com\@EXAMPLE.COM -k 3 -e aes256-cts-hmac-sha1-96\n",
    "Pw-1\nwkt $kt\n";
close $k;
is_ok(-s $kt, 'ktutil wrote a keytab');

for my $name (sort keys %tokens) {
    my $tok = $tokens{$name};
    open(my $f, '>', "$tmp/tok") or die;
    print $f $tok;
    close $f;
    my $out = `'$bin' decode - < '$tmp/tok'`;
    is_ok(length $out > 40, "$name: decode printed something");
    clean($out, "$name: decode");
    is_ok($out =~ /(?:realm|user): +\S*\?/, "$name: decode shows the field, controls as '?'")
        or print "#   $out";
    $out = `'$bin' diagnose --keytab '$kt' --spn HTTP/web01.example.com\@EXAMPLE.COM - < '$tmp/tok'`;
    is_ok($out =~ /^cause: /m, "$name: diagnose printed a cause");
    is_ok($out =~ /^what: .*\?/m, "$name: diagnose names the hostile value") if $name =~ /AP-REQ/;
    clean($out, "$name: diagnose");
    # The same token in a HAR: the exchange list and the summary
    my $har = sprintf('{"log":{"entries":[{"startedDateTime":"2026-11-24T12:00:00Z",'
        . '"request":{"url":"http://web01.example.com/\u009b\u001b[2J","headers":[{"name":"Authorization","value":"%s"}]},'
        . '"response":{"status":401,"headers":[{"name":"WWW-Authenticate","value":"Negotiate"}]}}]}}', $tok);
    open($f, '>', "$tmp/x.har") or die;
    print $f $har;
    close $f;
    $out = `'$bin' har '$tmp/x.har' --keytab '$kt' --spn HTTP/web01.example.com\@EXAMPLE.COM`;
    is_ok($out =~ /^Exchanges:/m, "$name: har printed its report");
    clean($out, "$name: har");
}

# jansson's parse error quotes the file's bytes
open(my $f, '>', "$tmp/bad\x1b]0;t\x07.har") or die;
print $f "{\"log\": \xC2\x9B\x1B[2J}";
close $f;
my $err = `'$bin' har '$tmp/bad\x1b]0;t\x07.har' 2>&1`;
is_ok($err =~ /not a HAR file/, 'har: a bad file is refused');
clean($err, 'har: the refusal');

print "1..$n\n";
exit($fail ? 1 : 0);

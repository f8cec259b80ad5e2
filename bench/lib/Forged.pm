package Forged;
# Forged-token material for the flood benchmarks (bench/http.pl,
# bench/flood.pl, bench/glob.pl): a keytab of many random keys and a
# forged AP-REQ whose ticket is large or names a hostile host.  Nothing here is a real secret.
use strict;
use warnings;
use MIME::Base64 ();
use Exporter 'import';
our @EXPORT_OK = qw(big_keytab forged_token ms);

# One keytab entry in the file format (version 0x502).
sub keytab_entry {
    my ($princ, $kvno, $etype, $key) = @_;
    my ($name, $realm) = split /@/, $princ;
    my @c = split m{/}, $name;
    my $e = pack('n', scalar @c) . pack('n/a*', $realm) . join('', map { pack('n/a*', $_) } @c)
          . pack('N', 1) . pack('N', time) . pack('C', $kvno) . pack('n', $etype)
          . pack('n/a*', $key) . pack('N', $kvno);
    return pack('N', length $e) . $e;
}

# big_keytab(FROM, TO, N): FROM's entries and N random aes256 keys under
# other names.
sub big_keytab {
    my ($from, $path, $n) = @_;
    open(my $in, '<:raw', $from) or die "$from: $!";
    my $own = do { local $/; <$in> };
    open(my $o, '>:raw', $path) or die "$path: $!";
    print $o $own;                                   # header 0x0502 and its entries
    print $o keytab_entry("HTTP/host$_.spncheck.test\@SPNCHECK.TEST", 1 + $_ % 3, 18,
                          join('', map { chr rand 256 } 1 .. 32)) for 1 .. $n;
    close $o;
}

sub der { my ($t, $v) = @_; my $n = length $v;
    chr($t) . ($n < 128 ? chr $n : $n < 256 ? "\x81" . chr $n : $n < 65536 ? "\x82" . pack('n', $n)
                                : "\x83" . substr(pack('N', $n), 1)) . $v }

# 'Negotiate <base64>': an AP-REQ to HTTP/<host> (default
# wrong.spncheck.test) in SPNCHECK.TEST, kvno 1, aes256, whose ticket's
# enc-part is $len random bytes (default 47,000: just under the trial cap,
# the most the module would try) and its authenticator's $o{auth} (200).
sub forged_token {
    my ($len, %o) = @_;
    $len ||= 47000;
    my $host = $o{host} // 'wrong.spncheck.test';
    my $int = sub { der(0x02, chr $_[0]) };
    my $gs = sub { der(0x1b, $_[0]) };
    my $enc = sub { my ($n) = @_; der(0x30, der(0xa0, $int->(18)) . der(0xa1, $int->(1))
                    . der(0xa2, der(0x04, join '', map { chr rand 256 } 1 .. $n))) };
    my $ticket = der(0x61, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $gs->('SPNCHECK.TEST'))
        . der(0xa2, der(0x30, der(0xa0, $int->(2)) . der(0xa1, der(0x30, $gs->('HTTP') . $gs->($host)))))
        . der(0xa3, $enc->($len))));
    my $apreq = der(0x6e, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $int->(14))
        . der(0xa2, der(0x03, "\0" x 5)) . der(0xa3, $ticket) . der(0xa4, $enc->($o{auth} // 200))));
    return 'Negotiate ' . MIME::Base64::encode_base64(der(0x60, der(0x06, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02")
                                                             . "\x01\x00" . $apreq), '');
}

# wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds.
sub ms { my ($v) = @_; ($v // '') =~ /^([\d.]+)(us|ms|s)$/ or return 0;
         $2 eq 'us' ? $1 / 1000 : $2 eq 'ms' ? $1 : $1 * 1000 }

1;

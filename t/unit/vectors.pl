#!/usr/bin/perl
# vectors.pl: `spncheck decode --json` against every fact recorded for the
# real tokens in ../shared/vectors (read from there, never copied here).
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $bin = $ENV{SPNCHECK_BIN} || "$top/spncheck";
my $dir = $ENV{SPNCHECK_VECTORS} || "$top/../shared/vectors";
my ($n, $fail) = (0, 0);

sub is_ok($$) { my ($c, $m) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $m\n"); $fail++ unless $c; $c }
sub is_eq {
    my ($got, $want, $m) = @_;
    my $g = defined $got ? "$got" : 'null';
    my $w = defined $want ? "$want" : 'null';
    is_ok($g eq $w, $m) or print "#   got '$g', want '$w'\n";
}

unless (-d $dir) {
    print "1..0 # SKIP $dir absent: shared vectors not available here\n";
    exit 0;
}
opendir(my $dh, $dir) or die "$dir: $!";
my @facts = sort grep { /\.json$/ && !/^_/ } readdir $dh;
my %outer = ('raw NTLMSSP' => 'ntlmssp', 'SPNEGO NegTokenResp' => 'spnego-resp',
             'bare Kerberos' => 'krb5-raw', 'thisMech 1.3.6.1.5.5.2' => 'spnego-init',
             'thisMech 1.2.840.113554.1.2.2' => 'gss-krb5');
my %mech = ('1.2.840.113554.1.2.2' => 'krb5', '1.2.840.48018.1.2.2' => 'ms-krb5',
            '1.3.6.1.4.1.311.2.2.10' => 'ntlmssp', '1.3.6.1.4.1.311.2.2.30' => 'negoex',
            '1.3.6.1.5.2.5' => 'iakerb');
my $json = JSON::PP->new;

for my $f (@facts) {
    my $meta = $json->decode(do { local (@ARGV, $/) = "$dir/$f"; <> });
    next unless ($meta->{file} // '') =~ /\.b64$/;
    my $exp = $meta->{expected};
    next unless ($exp && %$exp) || $meta->{expected_error};
    my $out = `'$bin' decode --json < '$dir/$meta->{file}'`;
    my $rc = $? >> 8;
    my $got = eval { $json->decode($out) };
    is_ok($got, "$meta->{file}: one JSON object") or next;
    my $t = $meta->{file};
    # expected_error with no expected facts: the token must be refused.
    # (The bare AP-REQ reference vector carries both: we support it.)
    if ((my $e = $meta->{expected_error}) && !($exp && %$exp)) {
        my ($code) = $e =~ /^(\w+):/;
        $code = 'base64' if $meta->{base64} && !$meta->{base64}{strict_valid};
        is_eq($got->{error} && $got->{error}{code}, $code, "$t: error code");
        is_eq($rc, 1, "$t: exit status 1");
        next;
    }
    is_eq($got->{error}, undef, "$t: no error");
    is_eq($rc, 0, "$t: exit status 0");
    my ($fmt) = map { $outer{$_} } grep { index($exp->{outer}, $_) >= 0 } keys %outer;
    is_eq($got->{format}, $fmt, "$t: format");
    if (my $s = $exp->{spnego}) {
        is_eq(join(',', @{$got->{spnego}{mech_types}}), join(',', @{$s->{mechTypes} || []}),
              "$t: spnego.mech_types");
        is_eq($got->{spnego}{neg_state}, $s->{negState} && $s->{negState}{name}, "$t: spnego.neg_state");
        is_eq($got->{spnego}{supported_mech}, $s->{supportedMech}, "$t: spnego.supported_mech");
        is_eq($got->{spnego}{hint_name}, $s->{negHints}{hintName}, "$t: negHints hintName")
            if $s->{negHints};
        my $m = $s->{supportedMech} // ($s->{mechTypes} || [])->[0];
        is_eq($got->{mech}, $mech{$m} // 'unknown', "$t: mech") if $m;
    }
    if (my $k = $exp->{kerberos_ap_req}) {
        my $g = $got->{krb5} || {};
        is_eq($g->{msg_type}, 14, "$t: krb5.msg_type");
        is_eq($g->{realm}, $k->{realm}, "$t: krb5.realm");
        is_eq($g->{sname}, $k->{sname}, "$t: krb5.sname");
        is_eq($g->{sname_type}, $k->{sname_name_type}, "$t: krb5.sname_type");
        is_eq($g->{etype}, $k->{ticket_etype}, "$t: krb5.etype");
        is_eq($g->{kvno}, $k->{ticket_kvno}, "$t: krb5.kvno");
        is_eq($g->{authenticator_etype}, $k->{authenticator_etype}, "$t: authenticator etype");
        is_eq($g->{ap_options}, $k->{ap_options}{hex}, "$t: ap-options");
    }
    is_eq($got->{krb5} && $got->{krb5}{msg_type}, 15, "$t: AP-REP") if ($exp->{kerberos_message} // '') eq 'AP-REP';
    if (my $w = $exp->{ntlm}) {
        my $g = $got->{ntlm} || {};
        is_eq($g->{type}, $w->{message_type}, "$t: ntlm.type");
        is_eq($g->{flags}, $w->{flags}, "$t: ntlm.flags");
        for my $k (qw(domain user workstation)) {
            is_eq($g->{$k}, $w->{$k}, "$t: ntlm.$k") if exists $w->{$k};
        }
        is_eq($g->{target}, $w->{target_name}, "$t: ntlm target") if exists $w->{target_name};
        is_eq($g->{challenge}, $w->{server_challenge}, "$t: ntlm challenge") if $w->{server_challenge};
        if (my $v = $w->{version}) {
            is_eq(join('.', map { $g->{version}{$_} // '?' } qw(major minor build revision)),
                  join('.', @$v{qw(major minor build ntlm_revision)}), "$t: ntlm version");
        }
        is_eq($g->{mic_present} ? 1 : 0, $w->{mic_present} ? 1 : 0, "$t: MIC present")
            if exists $w->{mic_present};
        is_eq($g->{nt_response}, $w->{nt_response_kind}, "$t: NT response kind")
            if $w->{nt_response_kind};
    }
}
print "1..$n\n";
exit($fail ? 1 : 0);

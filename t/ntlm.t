# ntlm.t: real NTLM fallbacks, made by real clients: MIT's SPNEGO with the
# gss-ntlmssp mechanism (no Kerberos ticket, NTLM credentials only), and
# curl's own NTLM.  And a raw NTLMSSP token in "Authorization: Negotiate",
# which crashes gss-ntlmssp 1.2.0 inside mod_auth_gssapi unless
# GssapiAllowedMech keeps it out (docs/security.md).  The server accepts Kerberos only: ntlm-fallback.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Test::More;
use SpnTest;
use MiniHttpd;
use Time::HiRes qw(sleep);
use JSON::PP ();

plan tests => 22 + 12;

my $dir = realm_dir();
my $host = 'web01.spncheck.test';
open(my $fh, '>', "$dir/ntlm.users") or die;
print $fh "SPNCHECK:alice:alice-Pw1\n";
close $fh;

SKIP: {
    skip 'gss-ntlmssp is not installed (apt-get install gss-ntlmssp)', 6
        unless -e '/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so' || glob('/usr/lib/*/gssntlmssp/gssntlmssp.so');
    my $r = fetch($host, '/', user => 'nobody', env => { NTLM_USER_FILE => "$dir/ntlm.users" });
    my ($sent) = grep { /^Negotiate / } @{$r->{sent}};
    ok($sent, 'SPNEGO token sent without a Kerberos ticket');
    my $j = `'$ENV{SPNCHECK_BIN}' decode --json '$sent'`;
    like($j, qr/"mech":"ntlmssp"/, 'it carries NTLMSSP (gss-ntlmssp)');
    is($r->{status}, 401, 'Kerberos-only server: 401');
    is(cause_of($r), 'ntlm-fallback', 'cause ntlm-fallback');
    like($r->{body}, qr/setspn/, 'the page says how to register the SPN');
    my $off = fetch($host, '/off/', user => 'nobody', env => { NTLM_USER_FILE => "$dir/ntlm.users" });
    is(join('|', map { www_shape($_) } @{$r->{www}}), join('|', map { www_shape($_) } @{$off->{www}}),
       'WWW-Authenticate the same as with the module off');
}

# curl's built-in NTLM sends "Authorization: NTLM <type 1>" up front.
my $n = fetch($host, '/', curl => ['--ntlm', '-u', 'SPNCHECK\\alice:alice-Pw1']);
my ($sent) = grep { /^NTLM / } @{$n->{sent}};
ok($sent, 'curl --ntlm sent an NTLM type 1');
is($n->{status}, 401, 'raw NTLM: 401');
is(cause_of($n), 'ntlm-fallback', 'raw NTLM: ntlm-fallback');
unlike($n->{body}, qr/alice-Pw1/, 'no password anywhere on the page');

# Raw NTLMSSP (no SPNEGO wrapper) under the Negotiate scheme.  With
# GssapiAllowedMech krb5 (every vhost here) it is a plain 401.
my $raw = 'Negotiate TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=';
my $elog = Apache::Test::vars('t_logs') . '/error_log';
my $logtext = sub { my ($f) = @_; do { local (@ARGV, $/) = $f; <> } // '' };
# AH00052 "child pid N exit signal", AH00051 the same with a core file
my $died0 = () = $logtext->($elog) =~ /exit signal/g;
my $rn = fetch($host, '/', header => "Authorization: $raw");
my $ro = fetch($host, '/off/', header => "Authorization: $raw");
is($rn->{status}, 401, 'raw NTLMSSP in Negotiate, GssapiAllowedMech krb5: 401');
is(cause_of($rn), 'ntlm-fallback', 'raw NTLMSSP in Negotiate: ntlm-fallback');
is(join('|', map { www_shape($_) } @{$rn->{www}}), join('|', map { www_shape($_) } @{$ro->{www}}),
   'raw NTLMSSP: WWW-Authenticate the same as with the module off');
my $died1 = () = $logtext->($elog) =~ /exit signal/g;
is($died1, $died0, 'raw NTLMSSP: no child died (no AH00052)');

my $installed = (-e '/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so' || glob('/usr/lib/*/gssntlmssp/gssntlmssp.so'))
    && grep({ do { local (@ARGV, $/) = $_; <> } =~ /^[^#\s]\S*\s+1\.3\.6\.1\.4\.1\.311\.2\.2\.10\s/m } glob('/etc/gss/mech.d/*.conf'));
# The status JSON's check id of the scope whose location is loc.
sub check_of {
    my ($j, $loc, $id) = @_;
    my ($sc) = grep { ($_->{location} // '') eq $loc } @{$j->{scopes} || []};
    my ($c) = grep { $_->{id} eq $id } @{($sc || {})->{checks} || []};
    return $c || {};
}

# MiniHttpd h's status JSON ({} when it is not JSON).
sub status_json {
    my ($h) = @_;
    return eval { JSON::PP::decode_json(`curl -s --max-time 10 '@{[ $h->url('127.0.0.1', '/spncheck-status?format=json') ]}'`) } || {};
}

# The same with the module loaded and not loaded (MiniHttpd), with
# GssapiAllowedMech krb5 and without it.
sub raw_get {
    my ($h) = @_;
    my $out = `curl -s -o /dev/null -D - --max-time 10 -H 'Authorization: $raw' '@{[ $h->url('127.0.0.1', '/') ]}'`;
    my ($st) = $out =~ m{^HTTP/\S+ (\d+)}m;
    return ($st // 0, join('|', map { www_shape($_) } $out =~ /^WWW-Authenticate:\s*(.*?)\r?$/mgi));
}
for my $mechs ('krb5', '') {
    my %got;
    for my $without (0, 1) {
        my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, without => $without,
                               mechs => $mechs);
        $h->start;
        if (!$without) {                    # the status page's self-check, before the crash
            my $j = status_json($h);
            $got{check} = check_of($j, '/', 'raw-ntlmssp');
        }
        my @r = raw_get($h);
        for (1 .. 25) {                     # the parent logs a dead child (~1 s)
            last if $h->log =~ /exit signal/;
            sleep 0.1;
        }
        $h->stop;
        $got{$without} = { st => $r[0], www => $r[1], died => scalar(() = $h->log =~ /exit signal/g) };
        $got{log} = $h->log unless $without;
    }
    diag("raw NTLMSSP, GssapiAllowedMech '$mechs', module " . ($_ ? 'not loaded' : 'loaded')
         . ": status $got{$_}{st}, children died: $got{$_}{died}") for 0, 1;
    my $cf = $mechs ? "GssapiAllowedMech $mechs" : 'no GssapiAllowedMech';
    is("$got{0}{st} $got{0}{www}", "$got{1}{st} $got{1}{www}",
       "$cf: status and WWW-Authenticate the same with the module loaded and not loaded");
    is($got{0}{died}, $got{1}{died}, "$cf: the module changes nothing about child deaths");
    # issue 19, finding 7: where gss-ntlmssp is installed, the status page
    # warns about the scope that lets raw NTLMSSP reach it, with the line
    my $want = !$installed ? 'pass' : $mechs ? 'pass' : 'warn';
    is($got{check}{state} // 'none', $want, "$cf: status page self-check raw-ntlmssp $want");
    if ($want eq 'warn') {
        like($got{check}{remedy} // '', qr/^GssapiAllowedMech krb5\b/, "$cf: the remedy is the line to add");
        like($got{log}, qr/SPN00090: raw-ntlmssp: gss-ntlmssp is installed .* in \S+\/: .*GssapiAllowedMech krb5/,
             "$cf: SPN00090 at start-up names the scope");
    }
    else {
        unlike($got{log}, qr/SPN00090/, "$cf: no SPN00090");
        ok(1, "$cf: (no remedy to show)");
    }
    if ($mechs) {
        is($got{0}{st}, 401, "$cf: 401");
        is($got{0}{died} + $got{1}{died}, 0, "$cf: no child died (no AH00052)");
    }
    else {
      TODO: {
        local $TODO = 'gss-ntlmssp 1.2.0 frees a bad pointer in gss_accept_sec_context (docs/security.md)';
        is($got{1}{st}, 401, "$cf, module not loaded: 401");
        is($got{1}{died}, 0, "$cf, module not loaded: no child died");
      }
    }
}

# GssapiAllowedMech where mod_auth_gssapi merges it from: <Location />
# covers <Location /app>; a section that admits ntlmssp again does not.
{
    my $kt = "$dir/wrong.keytab";
    my $site = <<"SITE";
<Location />
    AuthType GSSAPI
    AuthName "mini"
    GssapiCredStore keytab:$kt
    GssapiAllowedMech krb5
    Require valid-user
</Location>
<Location /app>
    SPNCheck On
    SPNCheckServicePrincipal HTTP/wrong.spncheck.test\@SPNCHECK.TEST
    SPNCheckKeytab $kt
</Location>
<Location /open>
    GssapiAllowedMech krb5 ntlmssp
    SPNCheck On
    SPNCheckServicePrincipal HTTP/wrong.spncheck.test\@SPNCHECK.TEST
    SPNCheckKeytab $kt
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
SITE
    my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $site);
    $h->start;
    my $j = status_json($h);
    $h->stop;
    is(check_of($j, '/app', 'raw-ntlmssp')->{state} // 'none', 'pass',
       'GssapiAllowedMech krb5 in <Location />: /app passes');
    is(check_of($j, '/open', 'raw-ntlmssp')->{state} // 'none', $installed ? 'warn' : 'pass',
       'GssapiAllowedMech krb5 ntlmssp in /open: ' . ($installed ? 'warns' : 'passes (not installed)'));
    like($h->log, $installed ? qr/SPN00090: .* in \S+\/open: / : qr/^/, '  SPN00090 names /open')
        or diag $h->log;
}

# SPNCheck On for the whole server, mod_auth_gssapi in a <Location> of it
# without GssapiAllowedMech: the server's scope warns and names the section.
{
    my $kt = "$dir/wrong.keytab";
    my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => <<"SITE");
SPNCheck On
SPNCheckServicePrincipal HTTP/wrong.spncheck.test\@SPNCHECK.TEST
SPNCheckKeytab $kt
<Location /v>
    AuthType GSSAPI
    AuthName "v"
    GssapiCredStore keytab:$kt
    Require valid-user
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
SITE
    $h->start;
    my $j = status_json($h);
    $h->stop;
    my $c = check_of($j, '', 'raw-ntlmssp');
    is($c->{state} // 'none', $installed ? 'warn' : 'pass',
       'SPNCheck On server-wide, GSSAPI in <Location /v> without GssapiAllowedMech: ' . ($installed ? 'warns' : 'passes'));
    like($c->{remedy} // '', $installed ? qr/^GssapiAllowedMech krb5 .*<Location \/v>/ : qr/^/, '  the remedy names <Location /v>');
    like($h->log, $installed ? qr/SPN00090: .* <Location \/v>: / : qr/^/, '  and so does SPN00090') or diag $h->log;
}

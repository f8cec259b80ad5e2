# mechs.t: successful sign-ins counted by mechanism (issue 12, section 3),
# per scope, in shared memory, under prefork, worker and event.  Real
# clients: curl --negotiate with alice's Kerberos ticket (krb5), and curl
# --negotiate through MIT's SPNEGO with the gss-ntlmssp mechanism and no
# ticket (NTLM inside SPNEGO, three legs).  Real acceptors: mod_auth_gssapi
# for Kerberos at /local; and, at /app, a reverse proxy to a python3-gssapi
# backend (t/lib/negotiate_backend.py) that accepts Kerberos and NTLM, as
# IIS would.  (mod_auth_gssapi 1.6.4 with gss-ntlmssp 1.2.0 cannot accept
# NTLM here: with "GssapiAllowedMech krb5 ntlmssp" a child dies in
# gss_accept_sec_context, with ntlmssp alone its credential is refused,
# "Not a server credential type".)  The counts must equal what the clients
# did; failures and first legs are not successes; the kerberos-share
# self-check warns when NTLM carries more than SPNCheckNTLMShare.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use Time::HiRes qw(sleep);
use IO::Socket::INET;
use SpnTest;
use MiniHttpd;

plan skip_all => 'gss-ntlmssp is not installed (apt-get install gss-ntlmssp)'
    unless glob('/usr/lib/*/gssntlmssp/gssntlmssp.so');
plan skip_all => 'python3-gssapi is not installed'
    unless system('/usr/bin/python3', '-c', 'import gssapi') == 0;

my $dir = realm_dir();
my $host = 'web01.spncheck.test';
open(my $fh, '>', "$dir/ntlm.users") or die;
print $fh "SPNCHECK:alice:alice-Pw1\n";
close $fh;

my $bport = MiniHttpd::free_port();
my $bpid = fork // die;
if (!$bpid) {
    $ENV{KRB5_KTNAME} = "$dir/web01.keytab";
    $ENV{NTLM_USER_FILE} = "$dir/ntlm.users";
    exec '/usr/bin/python3', "$FindBin::Bin/lib/negotiate_backend.py", $bport or die;
}
END { kill 'TERM', $bpid if $bpid }
for (1 .. 100) { last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $bport); sleep 0.1 }

my $spn = "    SPNCheck On\n    SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST\n"
        . "    SPNCheckKeytab $dir/web01.keytab\n";
my $site = <<"SITE";
<Location /local>
@{[ gssapi_conf("$dir/web01.keytab") ]}$spn</Location>
<Location /app>
    ProxyPass http://127.0.0.1:$bport/
$spn    SPNCheckNTLMShare 30%
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
SITE

my @mpms = qw(prefork worker event);
plan tests => 20 * @mpms + 11;

my ($K1, $N1, $K2) = (5, 4, 3);

for my $mpm (@mpms) {
    my $h = MiniHttpd->new(mpm => $mpm, realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $site,
                           mods => [qw(proxy proxy_http)]);
    $h->start;
    my (@k, @n);
    push @k, fetch($host, "/app/?k=$_", user => 'alice', port => $h->{port}) for 1 .. $K1;
    push @n, fetch($host, "/app/?n=$_", user => 'nobody', port => $h->{port},
                   env => { NTLM_USER_FILE => "$dir/ntlm.users" }) for 1 .. $N1;
    push @k, fetch($host, "/local/?k=$_", user => 'alice', port => $h->{port}) for 1 .. $K2;
    # not successes: a failed token, a tokenless request
    my $bad = fetch($host, '/local/', header => 'Authorization: ' . apreq_token('SPNCHECK.TEST', 'HTTP', $host),
                    port => $h->{port});
    my $none = fetch($host, '/app/', port => $h->{port});

    is(scalar(grep { $_->{status} == 404 || $_->{status} == 200 } @k), $K1 + $K2,
       "$mpm: every Kerberos sign-in got past authentication");
    is(scalar(grep { $_->{status} == 200 && $_->{body} =~ /\(ntlm\)/ } @n), $N1,
       "$mpm: every NTLM sign-in succeeded (200, the backend says ntlm)");
    my ($nt) = grep { /^Negotiate / } @{$n[0]{sent}};
    like(`'$ENV{SPNCHECK_BIN}' decode --json '$nt'`, qr/"mech":"ntlmssp"/,
         "$mpm: the NTLM client really sent NTLMSSP inside SPNEGO");
    is(scalar(@{$n[0]{sent}}), 2, "$mpm: NTLM took two tokens (negotiate, authenticate)");
    is($bad->{status}, 401, "$mpm: the forged token failed");
    is($none->{status}, 401, "$mpm: the tokenless request got the challenge");

    my $s = fetch('127.0.0.1', '/spncheck-status?format=json', port => $h->{port});
    my $j = eval { JSON::PP::decode_json($s->{body}) } || {};
    my ($root) = grep { ($_->{location} // '') eq '/app' } @{$j->{scopes} || []};
    my ($two) = grep { ($_->{location} // '') eq '/local' } @{$j->{scopes} || []};
    is_deeply($root->{auth_success}, { krb5 => $K1, ntlm => $N1, other => 0 },
              "$mpm: scope /app (proxied): krb5 $K1, ntlm $N1 (what the clients did)");
    is_deeply($two->{auth_success}, { krb5 => $K2, ntlm => 0, other => 0 },
              "$mpm: scope /local (mod_auth_gssapi) counted on its own: krb5 $K2");
    is(sprintf('%.2f', $root->{kerberos_share} // -1), sprintf('%.2f', $K1 / ($K1 + $N1)),
       "$mpm: scope /app: Kerberos share");
    my ($ks) = grep { $_->{id} eq 'kerberos-share' } @{$root->{checks} || []};
    is($ks && $ks->{state}, 'pass', "$mpm: kerberos-share passes below 10 sign-ins");

    # one more NTLM: 10 sign-ins, NTLM 50% > 30%: warn
    fetch($host, '/app/?n=x', user => 'nobody', port => $h->{port},
          env => { NTLM_USER_FILE => "$dir/ntlm.users" });
    $j = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                            port => $h->{port})->{body}) } || {};
    ($root) = grep { ($_->{location} // '') eq '/app' } @{$j->{scopes} || []};
    ($ks) = grep { $_->{id} eq 'kerberos-share' } @{$root->{checks} || []};
    is($ks && $ks->{state}, 'warn', "$mpm: kerberos-share warns: NTLM carried 5 of 10 (> 30%)");
    like($ks && $ks->{message}, qr/NTLM carried 5 of 10/, "$mpm: the finding says how many");

    my $p = fetch('127.0.0.1', '/spncheck-status?format=prometheus', port => $h->{port})->{body};
    like($p, qr/^spncheck_auth_success_total\{scope="[^"]*\/app",mech="krb5"\} $K1$/m,
         "$mpm: Prometheus: krb5 for /app");
    like($p, qr/^spncheck_auth_success_total\{scope="[^"]*\/app",mech="ntlm"\} 5$/m,
         "$mpm: Prometheus: ntlm for /app");
    like($p, qr/^spncheck_auth_success_total\{scope="[^"]*\/local",mech="krb5"\} $K2$/m,
         "$mpm: Prometheus: krb5 for /local");
    # the RC4 share: Kerberos successes by the ticket's enctype (MIT's KDC here: AES)
    my %et = map { /enctype="([^"]+)"\} (\d+)$/ ? ($1 => $2) : () }
             grep { /^spncheck_ticket_enctype_total\{scope="[^"]*\/app",/ } split /\n/, $p;
    my $aes = ($et{aes256} // 0) + ($et{aes128} // 0) + ($et{'aes-sha2'} // 0);
    ok($aes == $K1 && !$et{other} && !$et{rc4},
       "$mpm: /app's $K1 Kerberos sign-ins by ticket enctype: AES, no RC4, none other") or diag explain \%et;
    like($p, qr/^spncheck_ticket_enctype_total\{scope="[^"]*\/local",enctype="aes[^"]*"\} [1-9]/m,
         "$mpm: Prometheus: spncheck_ticket_enctype_total{scope,enctype}");
    # (the scope's own view: the default page names the scope among those that warn)
    my $html = fetch('127.0.0.1', "/spncheck-status?scope=$root->{server}/app", port => $h->{port})->{body};
    like($html, qr/Kerberos $K1, NTLM 5, other 0 \(Kerberos share <span class="kshare">50%/,
         "$mpm: HTML: the Kerberos share of /app, on its own view (?scope=)");

    # the counters live in shared memory: they survive a graceful restart
    my $gen = () = $h->log =~ /resuming normal operations/g;
    $h->ctl('graceful');
    for (1 .. 100) { last if (() = $h->log =~ /resuming normal operations/g) > $gen; select(undef, undef, undef, 0.1) }
    $j = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                            port => $h->{port})->{body}) } || {};
    ($root) = grep { ($_->{location} // '') eq '/app' } @{$j->{scopes} || []};
    is_deeply($root->{auth_success}, { krb5 => $K1, ntlm => 5, other => 0 },
              "$mpm: counts kept across a graceful restart");
    $h->stop;
    is_deeply([$h->sanitizer_reports], [], "$mpm: no sanitizer report");
}

# A main-server <Location> is a scope of each virtual host it is merged
# into, each counted in its own slot (the slots are looked up by server and
# section: one table for all the servers, post_config): two virtual hosts
# with the same name on two ports, sign-ins to each.
{
    my $p2 = MiniHttpd::free_port();
    my $cfg = <<"CFG";
Listen 127.0.0.1:$p2
<Location /local>
@{[ gssapi_conf("$dir/web01.keytab") ]}$spn</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
<VirtualHost *:*>
    ServerName $host
</VirtualHost>
<VirtualHost 127.0.0.1:$p2>
    ServerName $host
</VirtualHost>
CFG
    my $h = MiniHttpd->new(mpm => 'event', realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $cfg);
    $h->start;
    my @r;
    push @r, fetch($host, "/local/?a=$_", user => 'alice', port => $h->{port}) for 1 .. 3;
    push @r, fetch($host, "/local/?b=$_", user => 'alice', port => $p2) for 1 .. 2;
    is(scalar(grep { $_->{status} == 404 || $_->{status} == 200 } @r), 5,
       'shared section: every sign-in got past authentication');
    my $j = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                               port => $h->{port})->{body}) } || {};
    $h->stop;
    my %ok = map { ($_->{server} => $_->{auth_success}{krb5}) }
        grep { ($_->{location} // '') eq '/local' } @{$j->{scopes} || []};
    is($ok{$host}, 3, 'shared section: the first virtual host\'s scope counts its 3');
    is($ok{"$host:$p2"}, 2, 'shared section: the second\'s counts its 2');
    is($ok{localhost}, 0, 'shared section: the main server\'s scope, no request, counts none');
}

# SPNCheckNTLMShare: default 10, set in a virtual host and inherited by its
# sections, overridden in one; a bad value is refused at start-up.
{
    my $on = "SPNCheck On\nSPNCheckKeytab $dir/web01.keytab\n";
    my $cfg = <<"CFG";
<Location /dflt>
    $on</Location>
<VirtualHost *:*>
    ServerName other.spncheck.test
    SPNCheckNTLMShare 25%
    <Location /inherit>
        $on    </Location>
    <Location /override>
        $on        SPNCheckNTLMShare 5
    </Location>
    <Location /spncheck-status>
        SetHandler spncheck-status
    </Location>
</VirtualHost>
CFG
    my $h = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE}, site => $cfg);
    $h->start;
    my $j = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                               port => $h->{port})->{body}) } || {};
    $h->stop;
    my %max = map { (($_->{server} =~ /^other/ ? 'vh' : 'main') . ($_->{location} // '') => $_->{ntlm_share_max}) }
        @{$j->{scopes} || []};
    is($max{'main/dflt'}, 10, 'SPNCheckNTLMShare: default 10');
    is($max{'vh/dflt'}, 25, '  the main server\'s section, as the virtual host merges it: 25');
    is($max{'vh/inherit'}, 25, 'SPNCheckNTLMShare: a section inherits its virtual host\'s');
    is($max{'vh/override'}, 5, 'SPNCheckNTLMShare: a section overrides it');
    for my $bad ('101', 'ten', '-1') {
        my $b = MiniHttpd->new(realm => $dir, module => $ENV{SPNCHECK_MODULE},
                               site => "<Location />\nSPNCheckNTLMShare $bad\n</Location>\n");
        my $out = `/usr/sbin/apache2 -t -d $b->{dir} -f $b->{dir}/httpd.conf 2>&1`;
        like($out, qr/SPNCheckNTLMShare: a percentage from 0 to 100/, "SPNCheckNTLMShare $bad: refused");
    }
}

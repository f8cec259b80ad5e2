# dirconf.t: SPNCheckDirectory's syntax, default (off) and merge (main
# server only, inherited by virtual hosts), and a directory that is not
# there: the module's diagnosis as without it, no request waits, the
# status page and the log say so.  No DC needed (t/samba/directory.t has
# a real one).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use File::Temp qw(tempdir);
use IO::Socket::INET;
use MiniHttpd;
use SpnTest qw(realm_dir configtest);
use Time::HiRes qw(sleep time);

my $dir = realm_dir();
my $mod = $ENV{SPNCHECK_MODULE};

my ($rc, $out) = configtest("SPNCheckDirectory ldap://dc1.contoso.test /k monitor\@CONTOSO.TEST\n");
is($rc, 0, 'URI KEYTAB PRINCIPAL: accepted') or diag($out);
($rc, $out) = configtest("SPNCheckDirectory ldaps://dc1:636 /k monitor\@CONTOSO.TEST 1h\n");
is($rc, 0, 'ldaps:// and an interval: accepted') or diag($out);
($rc, $out) = configtest("SPNCheckDirectory http://dc1 /k m\@R\n");
like($out, qr/the URI is ldap:\/\/host/, 'not ldap:// nor ldaps://: refused');
($rc, $out) = configtest("SPNCheckDirectory ldap://dc1 /k m\@R 10s\n");
like($out, qr/at least 60s/, 'an interval under a minute: refused');
($rc, $out) = configtest("SPNCheckDirectory ldap://dc1 /k m\@R 3000000000\n");
like($out, qr/at most 365 days/, 'an interval past what the watchdog counts in (int seconds): refused');
($rc, $out) = configtest("SPNCheckDirectory ldap://dc1 /k m\@R 8760h\n");
is($rc, 0, 'a year: accepted') or diag($out);
($rc, $out) = configtest("SPNCheckDirectory ldap://dc1 /k\n");
like($out, qr/SPNCheckDirectory URI KEYTAB PRINCIPAL \[INTERVAL\]/, 'too few arguments: refused');
($rc, $out) = configtest("SPNCheckDirectory ldap://dc1 /k m\@R 15min extra\n");
isnt($rc, 0, 'too many arguments: refused');
($rc, $out) = configtest("<VirtualHost 127.0.0.1:9>\nSPNCheckDirectory ldap://dc1 /k m\@R\n</VirtualHost>\n");
like($out, qr/cannot occur within <VirtualHost> section/, 'main server only');

sub status {
    my ($h, $host) = @_;
    my $o = `curl -s --max-time 10 '@{[ $h->url($host // '127.0.0.1', '/spncheck-status?format=json') ]}'`;
    return eval { JSON::PP::decode_json($o) } || { raw => $o };
}

# the default: off
my $h = MiniHttpd->new(realm => $dir, module => $mod);
$h->start;
my $j = status($h);
ok(exists $j->{directory} && !defined $j->{directory}, 'default: no directory (JSON directory null)');
$h->stop;

# a directory that accepts and never answers, then one that is not there
my $sink = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 8) or die;
my $port = $sink->sockport;
$h = MiniHttpd->new(realm => $dir, module => $mod,
                    extra => "<VirtualHost 127.0.0.1:*>\nServerName vh.spncheck.test\n"
                           . "<Location /spncheck-status>\nSetHandler spncheck-status\n"
                           . "Require ip 127.0.0.1\n</Location>\n</VirtualHost>\n"
                           . "SPNCheckDirectory ldap://127.0.0.1:$port $dir/monitor.keytab "
                           . "monitor\@SPNCHECK.TEST 15min\n");
my $t0 = time;
$h->start;
cmp_ok(time - $t0, '<', 4, 'start-up does not wait for the directory');
my $env = "KRB5CCNAME=$dir/alice.cc";
my ($slow, $cause) = (0, '');
for (1 .. 3) {
    my $t = time;
    my $body = `$env curl -s --max-time 30 --negotiate -u : --resolve '@{[ $h->resolve('wrong.spncheck.test') ]}' '@{[ $h->url('wrong.spncheck.test', '/') ]}'`;
    my $s = time - $t;
    $slow = $s if $s > $slow;
    ($cause) = $body =~ /<meta name="spncheck-cause" content="([^"]+)"/;
}
is($cause, 'spn-wrong-account', 'the diagnosis as without the directory');
my $rin = '';
vec($rin, fileno($sink), 1) = 1;
ok(select(my $rout = $rin, undef, undef, 10) > 0, 'meanwhile the lookup waits on the silent directory');
cmp_ok($slow, '<', 2, sprintf('no request waits for it (slowest %.3fs)', $slow));
$j = status($h);
is($j->{directory}{uri}, "ldap://127.0.0.1:$port", 'a virtual host inherits SPNCheckDirectory');
close $sink;            # now: connection refused, or the timeouts end
for (1 .. 100) { $j = status($h); last if ($j->{directory}{state} // '') eq 'error'; sleep 0.2 }
is($j->{directory}{state}, 'error', 'the status page says the directory cannot be used');
ok(length($j->{directory}{error} // ''), "and why: @{[ $j->{directory}{error} // '' ]}");
like($j->{directory}{check}, qr/kinit -k -t \S+monitor\.keytab monitor\@SPNCHECK\.TEST && ldapsearch -Y GSSAPI -H ldap:\/\/127\.0\.0\.1:$port/,
     'with the command that checks it');
my $prom = `curl -s '@{[ $h->url('127.0.0.1', '/spncheck-status?format=prometheus') ]}'`;
like($prom, qr/^spncheck_directory_ok 0$/m, 'Prometheus: spncheck_directory_ok 0');
{
    my $t = tempdir(CLEANUP => 1);
    open(my $o, '>', "$t/scrape") or die;
    print $o $prom;
    close $o;
    my $lint = `/usr/bin/promtool check metrics < $t/scrape 2>&1`;
    is($? >> 8, 0, 'the exposition with the directory passes promtool check metrics') or diag($lint);
}
like($h->log, qr/SPN00073: directory ldap:\/\/127\.0\.0\.1:$port as monitor\@SPNCHECK\.TEST: /, 'SPN00073 logged');
$h->stop;
done_testing;

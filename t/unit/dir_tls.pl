#!/usr/bin/perl
# dir_tls.pl: an ldaps:// directory is believed only with a certificate
# that verifies, whatever libldap's process-wide default says.  httpd's
# mod_ldap with "LDAPVerifyServerCert Off" sets that default to never
# (ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_CERT), from apr-util), as
# does TLS_REQCERT in ldap.conf or LDAPTLS_REQCERT; on ldaps:// the SASL
# bind adds no layer (maxssf=0), so TLS alone protects the answers that
# name accounts.  A TLS server with a self-signed certificate stands in
# for a man in the middle: spncheck directory must not get past TLS to
# the Kerberos step.  With the certificate trusted (LDAPTLS_CACERT) it
# must (the control: the check can tell the two apart).  No directory.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);
use IO::Socket::INET;
use POSIX qw(_exit);
use Time::HiRes qw(sleep);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $bin = $ENV{SPNCHECK_BIN} || "$top/spncheck";
my $n = 0;
my $fail = 0;
sub is_ok($$) { my ($c, $m) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $m\n"); $fail++ unless $c; $c }

my $openssl = -x '/usr/bin/openssl' ? '/usr/bin/openssl' : undef;
if (!$openssl) {
    print "1..0 # SKIP no openssl\n";
    exit 0;
}
my $t = tempdir(CLEANUP => 1);
system("$openssl req -x509 -newkey rsa:2048 -nodes -keyout $t/k.pem -out $t/c.pem -days 1 "
       . "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1") == 0
    or die "openssl req failed\n";
my $probe = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1) or die;
my $port = $probe->sockport;
close $probe;
my $pid = fork // die;
if (!$pid) {
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>', '/dev/null');
    { exec $openssl, 's_server', '-accept', "127.0.0.1:$port", '-cert', "$t/c.pem",
        '-key', "$t/k.pem", '-quiet' };
    _exit(127);
}
for (1 .. 50) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port);
    sleep 0.1;
}

sub dir {
    my (%env) = @_;
    local @ENV{keys %env} = values %env;
    local $ENV{LDAPCONF} = '/dev/null';
    local $ENV{LDAPRC} = "$t/none";
    return scalar `'$bin' directory --server ldaps://127.0.0.1:$port --client-keytab $t/none.keytab --client monitor\@NOWHERE.TEST --timeout 3 HTTP/x.test 2>&1`;
}

my $out = dir(LDAPTLS_REQCERT => 'never');
is_ok(($out =~ /cannot reach ldaps:/ && $out !~ /cannot get a ticket/) ? 1 : 0,
      "process-wide TLS_REQCERT never: a certificate that does not verify is refused ($out)");
$out = dir(LDAPTLS_REQCERT => 'allow');
is_ok(($out =~ /cannot reach ldaps:/) ? 1 : 0, "process-wide TLS_REQCERT allow: refused too ($out)");
$out = dir(LDAPTLS_CACERT => "$t/c.pem");
is_ok(($out =~ /cannot get a ticket/) ? 1 : 0,
      "the certificate trusted (TLS_CACERT): TLS passes, on to Kerberos ($out)");

kill 'TERM', $pid;
waitpid($pid, 0);
print "1..$n\n";
exit($fail ? 1 : 0);

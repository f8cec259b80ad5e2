package TestCA;
# A throwaway CA and one server certificate signed by it (openssl), for
# mod_ssl in the tests; curl trusts it with --cacert.
use strict;
use warnings;
use File::Temp qw(tempdir);

# new(names => ['host', ...]): {dir, ca => FILE, cert => FILE, key => FILE}
sub new {
    my ($class, %o) = @_;
    my $d = tempdir(CLEANUP => 1);
    my $san = join ',', map { "DNS:$_" } @{$o{names}};
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=spncheck-test-CA "
        . "-keyout $d/ca.key -out $d/ca.crt");
    run("openssl req -newkey rsa:2048 -nodes -subj /CN=$o{names}[0] -keyout $d/server.key "
        . "-out $d/server.csr");
    open(my $x, '>', "$d/ext") or die;
    print $x "subjectAltName=$san\nextendedKeyUsage=serverAuth\n";
    close $x;
    run("openssl x509 -req -days 2 -in $d/server.csr -CA $d/ca.crt -CAkey $d/ca.key "
        . "-CAcreateserial -extfile $d/ext -out $d/server.crt");
    chmod 0644, "$d/server.key";
    chmod 0755, $d;
    return bless { dir => $d, ca => "$d/ca.crt", cert => "$d/server.crt",
                   key => "$d/server.key" }, $class;
}

sub run { system("$_[0] >/dev/null 2>&1") == 0 or die "failed: $_[0]" }

1;

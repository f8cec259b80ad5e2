#!/usr/bin/perl
# The body of scripts/demo-directory (run there, inside unshare -n).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use File::Path qw(remove_tree);
use Time::HiRes qw(sleep);
use SambaDC;
use MiniHttpd;

my $top = "$FindBin::Bin/..";
my $D = '/tmp/spncheck-demo-directory';
remove_tree($D);
mkdir $D or die "$D: $!";
chmod 0755, $D;
print "== starting a throwaway Samba AD DC (CONTOSO.TEST) on 127.0.0.1\n";
my $dc = SambaDC->new;
my $R = $dc->realm;
$dc->kb1077($D);     # WEB01$ holds HOST/web01; svc-web's keytab; alice
sub kinit { $dc->kinit('alice', 'Alice!Pass1234', "$D/alice.cc") }
kinit();
my $h = MiniHttpd->new(module => "$top/.libs/mod_spncheck.so", keytab => "$D/svc.keytab",
    extra => "User nobody\nGroup nogroup\n"
           . "SPNCheckDirectory ldap://127.0.0.1 $D/monitor.keytab monitor\@$R 15min\n",
    site => <<"SITE");
<Location />
    AuthType GSSAPI
    AuthName "Intranet"
    GssapiCredStore keytab:$D/svc.keytab
    GssapiAllowedMech krb5
    Require valid-user
    SPNCheck On
    SPNCheckDetail full
    SPNCheckServicePrincipal HTTP/web01.contoso.test\@$R
    SPNCheckKeytab $D/svc.keytab
    SPNCheckServiceAccount CONTOSO\\svc-web
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
SITE
chmod 0755, $h->{dir}, "$h->{dir}/htdocs";
$h->start;
sub fetch {
    my ($url, $out, @o) = @_;
    return `KRB5CCNAME=$D/alice.cc curl -s @o -o $out -w '%{http_code}' --resolve '@{[ $h->resolve('web01.contoso.test') ]}' '$url'`;
}
sub text {
    my $t = do { local (@ARGV, $/) = $_[0]; <> } // '';
    $t =~ s/<[^>]*>/ /g;
    $t =~ s/&lt;/</g; $t =~ s/&gt;/>/g; $t =~ s/&quot;/"/g; $t =~ s/&#39;/'/g; $t =~ s/&middot;/-/g; $t =~ s/&amp;/&/g;
    return join "\n", grep { /\S/ && !/\{/ } split /\n/, $t;
}
for (1 .. 60) {     # the facts of the configured SPN, looked up at start-up
    fetch('http://127.0.0.1:' . $h->{port} . '/spncheck-status?format=json', "$D/status.json");
    last if do { local (@ARGV, $/) = "$D/status.json"; <> } =~ /"via":"HOST\/web01/;
    sleep 0.5;
}
print "\n== 1. KB1077: nobody holds HTTP/web01.contoso.test; the KDC answers through\n",
      "      HOST/web01.contoso.test on WEB01\$ (sPNMappings); the site runs as svc-web.\n";
my $code = fetch($h->url('web01.contoso.test', '/'), "$D/failure.html", '--negotiate', '-u', ':');
print "HTTP $code from curl --negotiate; the diagnostic page says:\n", '-' x 66, "\n";
my @lines = split /\n/, text("$D/failure.html");
print join("\n", @lines[0 .. ($#lines < 45 ? $#lines : 45)]), "\n", '-' x 66, "\n";
fetch('http://127.0.0.1:' . $h->{port} . '/spncheck-status', "$D/status.html");

print "\n== 2. Fixed: samba-tool spn add HTTP/web01.contoso.test svc-web, a new keytab\n";
$dc->spn_add('HTTP/web01.contoso.test', 'svc-web');
$dc->keytab('HTTP/web01.contoso.test', "$D/new.keytab");
chmod 0644, "$D/new.keytab";
rename "$D/new.keytab", "$D/svc.keytab" or die;
kinit();
$code = fetch($h->url('web01.contoso.test', '/'), "$D/success.html", '--negotiate', '-u', ':');
print "HTTP $code: ", text("$D/success.html"), "\n";
$h->stop;
$dc->stop;
print "\nPages to look at: $D/failure.html (diagnosis), $D/status.html (status page)\n";

# fleet.t: references that name their node (issue 22, item 4).  Two real
# httpds, nodes web-a and web-b (SPNCheckNodeName), behind an imagined
# balancer: a failed exchange on web-a gets a reference ID@web-a, on its
# page, in the SPN00010 log line (ref= and node=) and in spncheck_info;
# web-a's status page finds it whole or by its bare ID; web-b's answers 404
# with a page (and JSON) saying that node web-a holds it.  Also the
# directive's grammar, main-server-only context, and default (the host
# name's first label).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP ();
use Sys::Hostname ();
use SpnTest qw(:DEFAULT configtest);
use MiniHttpd;

plan tests => 28;
my $dir = realm_dir();
my $mod = $ENV{SPNCHECK_MODULE};

my ($rc, $out) = configtest("SPNCheckNodeName web-01.dc1_a\n");
is($rc, 0, 'SPNCheckNodeName web-01.dc1_a: accepted') or diag $out;
($rc, $out) = configtest("SPNCheckNodeName " . ('a' x 32) . "\n");
is($rc, 0, 'a 32-character name: accepted') or diag $out;
for my $bad ('a' x 33, '-web', 'web@01', '"<b>"', "caf\xc3\xa9") {
    ($rc, $out) = configtest("SPNCheckNodeName $bad\n");
    like($out, qr/SPNCheckNodeName: 1 to 32 letters, digits/, "'$bad': refused with the grammar");
}
($rc, $out) = configtest("<VirtualHost 127.0.0.1:9>\nSPNCheckNodeName web01\n</VirtualHost>\n");
like($out, qr/cannot occur within <VirtualHost> section/, 'main server only');

my $host = 'wrong.spncheck.test';
my %node;
for my $n (qw(web-a web-b)) {
    $node{$n} = MiniHttpd->new(realm => $dir, module => $mod,
                               extra => "SPNCheckNodeName $n\n<VirtualHost 127.0.0.1:*>\n"
                                      . "ServerName vh.spncheck.test\n</VirtualHost>\n");
    $node{$n}->start;
}
my ($a, $b) = @node{qw(web-a web-b)};
my $r = fetch($host, '/', user => 'alice', port => $a->{port});
is(cause_of($r), 'spn-wrong-account', 'web-a: a real failed exchange');
my ($ref) = $r->{body} =~ /<meta name="spncheck-ref" content="([^"]+)"/;
like($ref // '', qr/^[A-Z2-9]{4}-[A-Z2-9]{4}\@web-a$/, "the reference names its node: $ref");
like($r->{body}, qr/Reference: <code>\Q$ref\E<\/code>/, 'the page shows it whole');
my ($id) = $ref =~ /^([^@]+)/;
my $st = fetch('127.0.0.1', "/spncheck-status?ref=$ref", port => $a->{port});
is($st->{status}, 200, "web-a's status page: ?ref=ID\@web-a found");
like($st->{body}, qr/spn-wrong-account|registered on another account/i, '  the failure in full');
is(fetch('127.0.0.1', "/spncheck-status?ref=$id", port => $a->{port})->{status}, 200,
   "web-a: the bare ID found too");
is(fetch('127.0.0.1', "/spncheck-status?ref=$id\@web-b", port => $a->{port})->{status}, 404,
   "web-a: the same ID of another node is not this one");

# web-b is asked for web-a's reference
$st = fetch('127.0.0.1', "/spncheck-status?ref=$ref", port => $b->{port});
is($st->{status}, 404, "web-b's status page: ?ref= of web-a: 404");
like($st->{body}, qr/issued by node <strong>web-a<\/strong>; this is node <strong>web-b<\/strong>/,
     '  saying node web-a holds it') or diag $st->{body};
like($st->{ctype}, qr{^text/html}, '  an HTML page');
$st = fetch('127.0.0.1', "/spncheck-status?ref=$ref&format=json", port => $b->{port});
is($st->{status}, 404, '?ref=&format=json: 404 too');
is_deeply(eval { JSON::PP::decode_json($st->{body}) },
          { ref => $ref, node => 'web-a', this_node => 'web-b', held => JSON::PP::false },
          '  {"ref","node":"web-a","this_node":"web-b","held":false}') or diag $st->{body};
$st = fetch('127.0.0.1', '/spncheck-status?ref=NONE-XXXX%40web-b', port => $b->{port});
is($st->{status}, 404, 'its own node, not held: 404');
like($st->{body}, qr/not held by this node \(<strong>web-b<\/strong>\)/, '  saying it is not held here');
$st = fetch('127.0.0.1', '/spncheck-status?ref=%3Cscript%3E%40%3Cb%3E', port => $b->{port});
ok($st->{status} == 404 && $st->{body} !~ /<script>|<b>/ && $st->{body} !~ /issued by/,
   'a hostile ?ref=: escaped, no node named');

my $prom = fetch('127.0.0.1', '/spncheck-status?format=prometheus', port => $a->{port})->{body};
like($prom, qr/^spncheck_info\{version="[^"]+",node="web-a"\} 1$/m, 'spncheck_info{node="web-a"}');
my $json = eval { JSON::PP::decode_json(fetch('127.0.0.1', '/spncheck-status?format=json',
                                              port => $a->{port})->{body}) } || {};
is($json->{node}, 'web-a', 'the status JSON names the node');
$a->stop;
$b->stop;
my ($line) = grep { /SPN00010/ } split /\n/, $a->log;
like($line // '', qr/ref=\Q$ref\E cause=spn-wrong-account .* node=web-a(\s|$)/,
     'the SPN00010 line: ref=ID@web-a ... node=web-a') or diag $a->log;

# a virtual host inherits the main server's name
my $v = MiniHttpd->new(realm => $dir, module => $mod, site => <<"SITE", extra => "SPNCheckNodeName web-c\n");
<VirtualHost 127.0.0.1:*>
    ServerName $host
    <Location />
        AuthType GSSAPI
        AuthName "mini"
        GssapiCredStore keytab:$dir/wrong.keytab
        GssapiAllowedMech krb5
        Require valid-user
        SPNCheck On
        SPNCheckServicePrincipal HTTP/$host\@SPNCHECK.TEST
        SPNCheckKeytab $dir/wrong.keytab
    </Location>
</VirtualHost>
SITE
$v->start;
$r = fetch($host, '/', user => 'alice', port => $v->{port});
like($r->{body}, qr/<meta name="spncheck-ref" content="[A-Z2-9]{4}-[A-Z2-9]{4}\@web-c">/,
     'a virtual host: the main server\'s node name');
$v->stop;

# the default: the host name's first label
(my $short = Sys::Hostname::hostname()) =~ s/\..*//;
$short =~ s/[^A-Za-z0-9._-]//g;
$short =~ s/^[._-]+//;
$short = substr($short, 0, 32);
$short = 'node' if $short eq '';
my $d = MiniHttpd->new(realm => $dir, module => $mod);
$d->start;
$r = fetch($host, '/', user => 'alice', port => $d->{port});
like($r->{body}, qr/<meta name="spncheck-ref" content="[A-Z2-9]{4}-[A-Z2-9]{4}\@\Q$short\E">/,
     "default: the host name's first label ($short)");
$d->stop;

# conf.t: every example in conf/ is valid httpd configuration (apache2 -t),
# with the module as built.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);

my $dir = $ENV{SPNCHECK_CONF_DIR} or die 'SPNCHECK_CONF_DIR not set';
my @confs = sort glob "$dir/*.conf";
plan tests => scalar @confs;
my $mods = '/usr/lib/apache2/modules';
for my $f (@confs) {
    my $t = tempdir(CLEANUP => 1);
    my $text = do { local (@ARGV, $/) = $f; <> };
    # LoadModule lines of the example: the module as built, others if not loaded already
    $text =~ s{^\s*LoadModule\s+spncheck_module\s+\S+}{LoadModule spncheck_module $ENV{SPNCHECK_MODULE}}mg;
    $text =~ s{^\s*LoadModule\s+(\w+)\s+(\S+)}{<IfModule !$1>\nLoadModule $1 $2\n</IfModule>}mg;
    my $has_load = $text =~ /spncheck_module/;
    open(my $o, '>', "$t/httpd.conf") or die;
    print $o "ServerRoot $t\nDefaultRuntimeDir $t\nPidFile $t/pid\nErrorLog $t/error_log\n",
        "Listen 127.0.0.1:9\nServerName localhost\n",
        (map { "LoadModule ${_}_module $mods/mod_$_.so\n" }
         qw(mpm_event authn_core authz_core authz_host authz_user auth_gssapi setenvif)),
        $has_load ? '' : "LoadModule spncheck_module $ENV{SPNCHECK_MODULE}\n",
        $text;
    close $o;
    my $out = `/usr/sbin/apache2 -t -d $t -f $t/httpd.conf 2>&1`;
    is($? >> 8, 0, "apache2 -t accepts conf/" . ($f =~ s{.*/}{}r)) or diag($out);
}

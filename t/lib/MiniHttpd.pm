package MiniHttpd;
# A second, plain httpd (not Apache::Test's) with a chosen MPM, on a
# loopback port of its own, for what needs control of the server process:
# several prefork children, graceful restarts, load.  Same module, same
# realm, the KB1077 keytab (wrong.keytab) at /.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP ();
use Time::HiRes qw(sleep);

# A loopback port free for TCP and UDP, and the next one too (t/realm/mkrealm
# runs its second KDC on PORT+1), below the kernel's ephemeral range: a
# port the kernel hands out (bind to 0) is one a client's connection may
# take next, or hold now for the port after it.
sub free_port {
    my $low = 32768;
    if (open(my $r, '<', '/proc/sys/net/ipv4/ip_local_port_range')) {
        ($low) = split ' ', scalar <$r>;
        close $r;
    }
    $low = 32768 unless $low && $low > 21000;
    for (1 .. 1000) {
        my $p = 20000 + int(rand($low - 20002));
        my @held;
        for my $q ($p, $p + 1) {
            for my $proto (qw(tcp udp)) {
                my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $q,
                                              Proto => $proto, ReuseAddr => 0) or last;
                push @held, $s;
            }
        }
        next unless @held == 4;
        close $_ for @held;
        return $p;
    }
    die "free_port: no free pair of loopback ports below $low\n";
}

# new(mpm => 'prefork', realm => DIR, module => SO, keytab => FILE, spn => SPN,
#     history => N, without => 1 (module not loaded), extra => TEXT,
#     mechs => 'krb5' (GssapiAllowedMech; '' for none: every installed mech),
#     mods => [more modules], tuning => TEXT (MPM directives),
#     site => TEXT (the site instead of the KB1077 <Location /> and status
#     page; its SPNCheck* lines are dropped when the module is not loaded))
sub new {
    my ($class, %o) = @_;
    my $self = bless { %o }, $class;
    $self->{dir} = tempdir(CLEANUP => 1);
    $self->{port} = free_port();
    my ($d, $r, $p) = ($self->{dir}, $o{realm}, $self->{port});
    my $kt = $o{keytab} || "$r/wrong.keytab";
    my $spn = $o{spn} || 'HTTP/wrong.spncheck.test@SPNCHECK.TEST';
    my $mods = '/usr/lib/apache2/modules';
    mkdir "$d/htdocs";
    open(my $ix, '>', "$d/htdocs/index.html") or die;
    print $ix "hello\n";
    close $ix;
    my $mpm = $o{mpm} || 'event';
    my $tuning = $o{tuning} // ($mpm eq 'prefork'
        ? "StartServers 4\nMinSpareServers 4\nMaxSpareServers 8\nMaxRequestWorkers 32\n"
        : "StartServers 2\nThreadsPerChild 16\nMaxRequestWorkers 64\nServerLimit 4\n");
    my $load = join '', map { "LoadModule ${_}_module $mods/mod_$_.so\n" }
        ("mpm_$mpm", qw(authn_core authz_core authz_host authz_user auth_gssapi mime dir),
         @{$o{mods} || []});
    # the sanitizer build, when the suite runs it (t/run-httpd-tests)
    my $module = $ENV{SPNCHECK_MINI_MODULE} || $o{module};
    my $spncheck = $o{without} ? '' : "LoadModule spncheck_module $module\n";
    my $on = $o{without} ? '' : <<"ON";
        SPNCheck On
        SPNCheckDetail full
        SPNCheckServicePrincipal $spn
        SPNCheckKeytab $kt
        SPNCheckServiceAccount SPNCHECK\\apppool
ON
    my $mechs = ($o{mechs} // 'krb5') eq '' ? '# GssapiAllowedMech unset'
        : 'GssapiAllowedMech ' . ($o{mechs} // 'krb5');
    my $status = $o{without} ? '' : <<"ST";
SPNCheckHistory @{[ $o{history} || 1000 ]}
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
ST
    my $site = <<"SITE";
<Location />
    AuthType GSSAPI
    AuthName "mini"
    GssapiCredStore keytab:$kt
    $mechs
    Require valid-user
$on</Location>
$status
SITE
    if (defined $o{site}) {
        $site = $o{site};
        $site =~ s/^\s*SPNCheck\w*\b.*\n//mg if $o{without};
    }
    open(my $c, '>', "$d/httpd.conf") or die;
    print $c <<"CONF";
ServerRoot $d
DefaultRuntimeDir $d
PidFile $d/httpd.pid
ErrorLog $d/error_log
LogLevel warn
Listen 127.0.0.1:$p
ServerName localhost
DocumentRoot $d/htdocs
TypesConfig /etc/mime.types
Mutex file:$d
$load$spncheck$tuning
KeepAlive On
$site
@{[ $o{extra} || '' ]}
CONF
    close $c;
    return $self;
}

# The configuration rewritten by edit (a sub that takes the text and
# returns the new one), then a graceful restart, waited for: 1 when the
# new generation said "resuming normal operations", else 0.
sub graceful_edit {
    my ($self, $edit) = @_;
    my $conf = "$self->{dir}/httpd.conf";
    my $c = do { local (@ARGV, $/) = $conf; <> };
    $c = $edit->($c);
    open(my $f, '>', $conf) or die "$conf: $!";
    print $f $c;
    close $f;
    my $gen = () = $self->log =~ /resuming normal operations/g;
    $self->ctl('graceful') or return 0;
    for (1 .. 200) { return 1 if (() = $self->log =~ /resuming normal operations/g) > $gen; sleep 0.1 }
    return 0;
}

sub ctl {
    my ($self, $what) = @_;
    local $ENV{LD_PRELOAD} = $ENV{SPNCHECK_HTTPD_PRELOAD} if $ENV{SPNCHECK_HTTPD_PRELOAD};
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=0' if $ENV{SPNCHECK_HTTPD_PRELOAD};
    # start-up notices (before the error log opens) go to start.log, part of log()
    open(my $olderr, '>&', \*STDERR) or die;
    open(STDERR, '>>', "$self->{dir}/start.log") or die;
    my $rc = system('/usr/sbin/apache2', '-d', $self->{dir}, '-f', "$self->{dir}/httpd.conf",
                    '-k', $what);
    open(STDERR, '>&', $olderr) or die;
    return $rc == 0;
}

sub pid {
    my $self = shift;
    open(my $f, '<', "$self->{dir}/httpd.pid") or return;
    my $p = <$f>;
    chomp $p if defined $p;
    return $p;
}

sub start {
    my $self = shift;
    $self->ctl('start') or die "apache2 -k start failed: " . $self->log;
    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port});
        return 1 if $s && $self->pid;
        sleep 0.1;
    }
    die "httpd did not come up: " . $self->log;
}

sub stop {
    my $self = shift;
    my $pid = $self->pid or return;
    $self->ctl('stop');
    for (1 .. 100) { return 1 unless kill 0, $pid; sleep 0.1 }
    kill 'KILL', $pid;
}

# Sanitizer reports (ASan, UBSan) land in the error log: httpd's stderr.
sub sanitizer_reports {
    my $self = shift;
    return grep { /AddressSanitizer|runtime error:|LeakSanitizer/ } split /\n/, $self->log;
}

sub log {
    my $self = shift;
    local $/;
    my $start = '';
    if (open(my $s, '<', "$self->{dir}/start.log")) { $start = <$s> // '' }
    open(my $f, '<', "$self->{dir}/error_log") or return $start;
    return $start . (<$f> // '');
}

# n failed sign-ins of the KB1077 case (alice's ticket for wrong.spncheck.test,
# KRB5CCNAME), to path (default /) with ?n=1..n.
sub fail_kb1077 {
    my ($self, $n, $path) = @_;
    $path //= '/';
    system('curl', '-s', '-o', '/dev/null', '--max-time', '20', '--negotiate', '-u', ':',
           '--resolve', $self->resolve('wrong.spncheck.test'),
           $self->url('wrong.spncheck.test', "$path?n=$_"))
        for 1 .. $n;
}

# A graceful restart into another site: the configuration up to its
# SPNCheckHistory line (a site => TEXT starts there), then site.
sub graceful_site {
    my ($self, $site) = @_;
    return $self->graceful_edit(sub {
        my $i = index($_[0], 'SPNCheckHistory ');
        die 'no site in the configuration' if $i < 0;
        return substr($_[0], 0, $i) . $site;
    });
}

# The status page (q: its query, "?format=json" ...), and its JSON decoded ({} on error).
sub status_get {
    my ($self, $q) = @_;
    return scalar `curl -s --max-time 60 '@{[ $self->url('127.0.0.1', "/spncheck-status$q") ]}'`;
}
sub status_json {
    my ($self) = @_;
    my $o = $self->status_get('?format=json');
    return eval { JSON::PP::decode_json($o) } || {};
}

# A <Location PATH> of the KB1077 case (mod_auth_gssapi with keytab KT,
# the module On at detail full, naming HTTP/wrong.spncheck.test), indented
# for a virtual host: for a site => TEXT of one's own.
sub kb1077_location {
    my ($path, $kt) = @_;
    return <<"L";
    <Location $path>
        AuthType GSSAPI
        AuthName "mini"
        GssapiCredStore keytab:$kt
        GssapiAllowedMech krb5
        Require valid-user
        SPNCheck On
        SPNCheckDetail full
        SPNCheckServicePrincipal HTTP/wrong.spncheck.test\@SPNCHECK.TEST
        SPNCheckKeytab $kt
    </Location>
L
}

# One child (event MPM, threads => T) with n => N <Location>s /k01 .. /kNN
# of the KB1077 case (kb1077_location), each with a copy of the realm's
# wrong.keytab of its own (in a temporary directory), status page with
# SPNCheckHistory history => H: for the per-process keytab cache's tests.
# Returns the server (not started), the keytabs' directory and the names.
sub keytab_scopes {
    my ($class, %o) = @_;
    my ($dir, $t) = ($o{realm}, $o{threads});
    my @k = map { sprintf('k%02d', $_) } 1 .. $o{n};
    my $kd = tempdir(CLEANUP => 1);
    for (@k) { copy("$dir/wrong.keytab", "$kd/$_.keytab") or die "copy: $!" }
    my $site = "SPNCheckHistory $o{history}\n<Location /spncheck-status>\n"
             . "    SetHandler spncheck-status\n    Require ip 127.0.0.1\n</Location>\n"
             . "<VirtualHost *>\n    ServerName wrong.spncheck.test\n"
             . join('', map { kb1077_location("/$_", "$kd/$_.keytab") } @k) . "</VirtualHost>\n";
    my $h = $class->new(mpm => 'event', realm => $dir, module => $o{module}, site => $site,
                        tuning => "StartServers 1\nServerLimit 1\nThreadsPerChild $t\n"
                                . "MaxRequestWorkers $t\nMinSpareThreads 1\nMaxSpareThreads $t\n",
                        extra => $o{extra} // '');
    return ($h, $kd, @k);
}

sub url { my ($self, $host, $path) = @_; "http://$host:$self->{port}$path" }
sub resolve { my ($self, $host) = @_; "$host:$self->{port}:127.0.0.1" }

sub DESTROY { my $self = shift; $self->stop if $self->{dir} && $self->pid }

1;

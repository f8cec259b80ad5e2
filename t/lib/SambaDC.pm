package SambaDC;
# A throwaway Active Directory for the tests: a Samba AD DC provisioned
# in a temporary directory and started on 127.0.0.1 (samba -i -M single,
# one process), its own krb5.conf (kdc = 127.0.0.1:88, no DNS, no reverse
# lookups), a monitoring identity with its keytab, and the ldap/127.0.0.1
# SPN on DC1$ so that SASL GSSAPI binds to ldap://127.0.0.1 work.
#
#   my $dc = SambaDC->new;               # provisions (about 3 s) and starts
#   $dc->user('svc-web', 'Pw!1234abcd'); $dc->spn_add('HTTP/web01', 'svc-web');
#   $dc->keytab('svc-web', "$dir/svc.keytab");
#   system(..., '--server', $dc->uri, '--client-keytab', $dc->monitor_keytab,
#          '--client', $dc->monitor);
#
# It needs root (samba refuses to run otherwise) and the standard ports
# (88, 389, 636, 3268 ...) on 127.0.0.1: it dies, loudly, when they are
# taken, and never skips.  Run a test that uses it in a network namespace
# of its own (scripts/test: unshare -n), so that parallel runs cannot meet.
# The DC is stopped (by its PID) when the object goes, when the test
# file ends, dies or is interrupted.  Provision once per test file.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

our @LIVE;      # every started DC, for END and the signal handlers

my $PORTS = [88, 389, 636, 3268];

sub new {
    my ($class, %o) = @_;
    die "SambaDC: needs root (samba runs only as root); run the test as root, in unshare -n\n"
        if $> != 0;
    for my $b (qw(samba samba-tool ldbmodify ldbsearch)) {
        system("command -v $b >/dev/null 2>&1") == 0
            or die "SambaDC: $b not found: install samba samba-ad-dc ldb-tools (scripts/setup)\n";
    }
    my $self = bless {
        realm => $o{realm} || 'CONTOSO.TEST',
        domain => $o{domain} || 'CONTOSO',
        host => $o{host} || 'dc1',
        adminpass => 'Adm1n!Pass42',
        monitor => 'monitor',
    }, $class;
    $self->{dns} = lc $self->{realm};
    $self->{dir} = tempdir('spncheck-samba.XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{SPNCHECK_KEEP});
    $self->ports_free;
    my $W = $self->{dir};
    my $t0 = time;
    $self->run_ok('provision', 'samba-tool', 'domain', 'provision',
        "--realm=$self->{realm}", "--domain=$self->{domain}", '--server-role=dc',
        '--dns-backend=NONE', "--adminpass=$self->{adminpass}", "--targetdir=$W",
        "--host-name=$self->{host}", '--option=interfaces=lo',
        '--option=bind interfaces only=yes', "--option=pid directory=$W",
        "--option=log file=$W/samba.log");
    my $conf = "$W/etc/smb.conf";
    open(my $in, '<', $conf) or die "SambaDC: $conf: $!\n";
    my $smb = do { local $/; <$in> };
    close $in;
    $smb =~ s/^(\s*server services\s*=).*$/$1 ldap, cldap, kdc, rpc, drepl, kcc/m
        or die "SambaDC: no 'server services' line in $conf\n";
    $smb =~ s/^(\s*log file\s*=).*$/$1 $W\/samba.log/m;
    open(my $out, '>', $conf) or die "SambaDC: $conf: $!\n";
    print $out $smb;
    close $out;
    $self->{conf} = $conf;
    open(my $k, '>', "$W/krb5.conf") or die "SambaDC: $W/krb5.conf: $!\n";
    print $k <<"KRB5";
[libdefaults]
    default_realm = $self->{realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    ignore_acceptor_hostname = false
[realms]
    $self->{realm} = {
        kdc = 127.0.0.1:88
        admin_server = 127.0.0.1:464
    }
[domain_realm]
    .$self->{dns} = $self->{realm}
    $self->{dns} = $self->{realm}
KRB5
    close $k;
    $self->{krb5_conf} = "$W/krb5.conf";
    $ENV{KRB5_CONFIG} = $self->{krb5_conf} unless $o{keep_env};
    $self->{provision_s} = time - $t0;
    $self->start;
    # the DC's ldap/ SPNs, as a Windows DC has them (SASL GSSAPI asks for
    # ldap/<host as written in the URI>)
    $self->spn_add('ldap/127.0.0.1', "\U$self->{host}\E\$");
    $self->spn_add("ldap/$self->{host}.$self->{dns}", "\U$self->{host}\E\$");
    $self->user($self->{monitor}, 'M0nitor!Pass42');
    $self->keytab($self->{monitor}, "$W/monitor.keytab");
    return $self;
}

sub dir { $_[0]{dir} }
sub realm { $_[0]{realm} }
sub netbios { $_[0]{domain} }
sub dns_domain { $_[0]{dns} }
sub krb5_conf { $_[0]{krb5_conf} }
sub smb_conf { $_[0]{conf} }
sub uri { 'ldap://127.0.0.1' }
sub monitor { "$_[0]{monitor}\@$_[0]{realm}" }
sub monitor_keytab { "$_[0]{dir}/monitor.keytab" }
sub base_dn { join ',', map { "DC=$_" } split /\./, $_[0]{dns} }
sub provision_seconds { $_[0]{provision_s} }
sub pid { $_[0]{pid} }

# Dies unless every port the DC needs is free on 127.0.0.1.
sub ports_free {
    my ($self) = @_;
    for my $p (@$PORTS) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p, Timeout => 1);
        die "SambaDC: 127.0.0.1:$p is taken (another DC or KDC?): run in a network namespace "
            . "of your own (unshare -n)\n" if $s;
    }
}

# Runs a command (list form), dies with its output when it fails; returns the output.
sub run_ok {
    my ($self, $what, @cmd) = @_;
    my $log = "$self->{dir}/cmd.log";
    my $pid = fork // die "SambaDC: fork: $!\n";
    if (!$pid) {
        # the child never runs END (which would stop the DC): _exit
        open(STDOUT, '>', $log) && open(STDERR, '>&', \*STDOUT)
            && open(STDIN, '<', $self->{stdin} // '/dev/null') && exec @cmd;
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $rc = $?;
    open(my $fh, '<', $log);
    my $text = $fh ? do { local $/; <$fh> } : '';
    die "SambaDC: $what failed (@cmd):\n$text\n" if $rc != 0;
    return $text;
}

sub tool {
    my ($self, $what, @args) = @_;
    return $self->run_ok($what, 'samba-tool', @args, '-s', $self->{conf});
}

sub start {
    my ($self) = @_;
    $self->ports_free;
    my $pid = fork // die "SambaDC: fork: $!\n";
    if (!$pid) {
        open(STDOUT, '>>', "$self->{dir}/samba.out") && open(STDERR, '>&', \*STDOUT)
            && exec 'samba', '-i', '-M', 'single', '-s', $self->{conf};
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;
    $self->{owner} = $$;
    push @LIVE, $self;
    # ready: the KDC and LDAP (and the GC) answer
    my $t0 = time;
    for my $p (88, 389, 3268) {
        until (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p, Timeout => 1)) {
            if (waitpid($pid, WNOHANG) == $pid) {
                delete $self->{pid};
                die "SambaDC: samba exited at start:\n" . $self->tail_log . "\n";
            }
            die "SambaDC: port $p not listening after 60 s:\n" . $self->tail_log . "\n"
                if time - $t0 > 60;
            sleep 0.1;
        }
    }
    $self->{start_s} = time - $t0;
    return $self;
}

sub tail_log {
    my ($self) = @_;
    my $t = '';
    for my $f ("$self->{dir}/samba.out", "$self->{dir}/samba.log") {
        open(my $fh, '<', $f) or next;
        my @l = <$fh>;
        $t .= "== $f\n" . join('', @l > 30 ? @l[-30 .. -1] : @l);
    }
    return $t;
}

# Stops the DC (TERM, then KILL after 10 s) by the PID it was started with.
sub stop {
    my ($self) = @_;
    return unless $self->{pid} && $self->{owner} == $$;
    my $pid = delete $self->{pid};
    @LIVE = grep { $_ != $self } @LIVE;
    kill 'TERM', $pid;
    my $t0 = time;
    while (waitpid($pid, WNOHANG) == 0) {
        if (time - $t0 > 10) {
            kill 'KILL', $pid;
            waitpid($pid, 0);
            last;
        }
        sleep 0.05;
    }
    # the ports are free again before anything else starts
    for (1 .. 100) {
        last unless IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => 389, Timeout => 1);
        sleep 0.05;
    }
}

sub DESTROY { $_[0]->stop }
END { $_->stop for @LIVE }
for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub { $_->stop for @LIVE; die "SambaDC: SIG$sig\n" };
}

# ---- accounts --------------------------------------------------------------------

sub user {
    my ($self, $name, $pw) = @_;
    $self->tool("user create $name", 'user', 'create', $name, $pw);
    return $self;
}

# A computer account as a joined machine's is: enabled, with a password
# (so with keys: the KDC can issue tickets for its SPNs); $name without '$'.
sub computer {
    my ($self, $name, $pw) = @_;
    $self->tool("computer create $name", 'computer', 'create', $name);
    $self->uac_set("$name\$", 0x1000);      # WORKSTATION_TRUST_ACCOUNT, enabled
    $self->setpassword("$name\$", $pw // "Mach!ne-$name-" . int(rand(1e9)));
    return $self;
}

# The KB1077 case, as scripts/demo-directory.pl and t/samba/directory.t
# set it up.  In $dir (which httpd's children, user nobody, read): a copy
# of krb5.conf (KRB5_CONFIG points at it), monitor.keytab and svc.keytab.
# In the directory: the computer account WEB01$ with keys and HOST/web01
# in both forms, nobody holding HTTP/web01; the app pool's svc-web; alice.
sub kb1077 {
    my ($self, $dir) = @_;
    require File::Copy;
    File::Copy::copy($self->krb5_conf, "$dir/krb5.conf") or die "SambaDC: krb5.conf: $!\n";
    $ENV{KRB5_CONFIG} = "$dir/krb5.conf";
    $ENV{KRB5RCACHETYPE} = 'none';
    File::Copy::copy($self->monitor_keytab, "$dir/monitor.keytab") or die "SambaDC: keytab: $!\n";
    $self->computer('WEB01');
    $self->setpassword('WEB01$', 'Web01!Machine99');
    my %have = map { lc($_) => 1 } $self->attr('WEB01$', 'servicePrincipalName');
    for my $spn ('HOST/web01.contoso.test', 'HOST/WEB01') {
        $self->spn_add($spn, 'WEB01$') unless $have{lc $spn};
    }
    $self->user('svc-web', 'Svc!Pass1234');
    $self->user('alice', 'Alice!Pass1234');
    $self->keytab('svc-web', "$dir/svc.keytab");
    chmod 0644, "$dir/monitor.keytab", "$dir/svc.keytab";
    return $self;
}

# A ticket-granting ticket for $user in the ccache file $cc (a fresh one).
sub kinit {
    my ($self, $user, $pw, $cc) = @_;
    unlink $cc;
    open(my $k, '|-', "KRB5CCNAME=$cc kinit $user\@$self->{realm} >/dev/null") or die "kinit: $!\n";
    print $k "$pw\n";
    close $k or die "SambaDC: kinit $user failed\n";
    return $self;
}

sub spn_add { my ($s, $spn, $acct) = @_; $s->tool("spn add $spn", 'spn', 'add', $spn, $acct); $s }
sub spn_delete { my ($s, $spn, $acct) = @_; $s->tool("spn delete $spn", 'spn', 'delete', $spn, $acct); $s }

# A new password (AD's kvno goes up by one).
sub setpassword {
    my ($self, $name, $pw) = @_;
    $self->tool("setpassword $name", 'user', 'setpassword', $name, "--newpassword=$pw");
    return $self;
}

# Every key of the account, as AD holds them now (AES256, AES128, RC4).
sub keytab {
    my ($self, $name, $file) = @_;
    unlink $file;
    $self->tool("exportkeytab $name", 'domain', 'exportkeytab', $file,
                "--principal=$name\@$self->{realm}");
    die "SambaDC: exportkeytab wrote nothing to $file\n" unless -s $file;
    return $file;
}

# The DN of an account (by sAMAccountName).
sub dn_of {
    my ($self, $sam) = @_;
    my $out = $self->run_ok("ldbsearch $sam", 'ldbsearch', '-H', "$self->{dir}/private/sam.ldb",
                            "(sAMAccountName=$sam)", 'dn');
    $out =~ /^dn: (.+)$/m or die "SambaDC: no account $sam\n";
    return $1;
}

# Attribute values of an account, as the DC's own database says.
sub attr {
    my ($self, $sam, $attr) = @_;
    my $out = $self->run_ok("ldbsearch $sam", 'ldbsearch', '-H', "$self->{dir}/private/sam.ldb",
                            "(sAMAccountName=$sam)", $attr);
    $out =~ s/\n //g;
    my @v = $out =~ /^\Q$attr\E: (.*)$/mgi;
    return wantarray ? @v : $v[0];
}

# LDIF applied through Samba's modules (online, as samba-tool does).
# offline => 1: with the DC stopped, straight into the domain partition's
# file, bypassing every module (samldb's checks too), then restarted.
sub ldbmodify {
    my ($self, $ldif, %o) = @_;
    my $file = "$self->{dir}/modify.ldif";
    open(my $fh, '>', $file) or die "SambaDC: $file: $!\n";
    print $fh $ldif;
    close $fh;
    my $db = "$self->{dir}/private/sam.ldb";
    my $was = $self->{pid};
    if ($o{offline}) {
        $self->stop;
        $db = "$self->{dir}/private/sam.ldb.d/" . uc($self->base_dn) . '.ldb';
        die "SambaDC: no partition file $db\n" unless -f $db;
    }
    local $self->{stdin} = $file;
    my $out = $self->run_ok('ldbmodify', 'ldbmodify', '-H', $db);
    $self->start if $o{offline} && $was;
    return $out;
}

# One attribute of an account set (replace), online.
sub set_attr {
    my ($self, $sam, $attr, $value) = @_;
    my $dn = $self->dn_of($sam);
    return $self->ldbmodify("dn: $dn\nchangetype: modify\nreplace: $attr\n$attr: $value\n");
}

sub uac_set { my ($s, $sam, $v) = @_; $s->set_attr($sam, 'userAccountControl', $v) }

# Denies $trustee (a sAMAccountName) reading and listing the account $sam
# (an ACE on its nTSecurityDescriptor, as an admin's ACL would).
sub deny_read {
    my ($self, $sam, $trustee) = @_;
    my $sid = $self->attr($trustee, 'objectSid') or die "SambaDC: no SID for $trustee\n";
    $self->tool("dsacl deny $trustee on $sam", 'dsacl', 'set', '--objectdn=' . $self->dn_of($sam),
                "--sddl=(D;;RPLCLO;;;$sid)");
    return $self;
}

# A second holder of an SPN that Samba would refuse (samldb's uniqueness
# check): written into the partition with the DC stopped.
sub spn_add_duplicate {
    my ($self, $spn, $sam) = @_;
    my $dn = $self->dn_of($sam);
    return $self->ldbmodify("dn: $dn\nchangetype: modify\nadd: servicePrincipalName\n"
                            . "servicePrincipalName: $spn\n", offline => 1);
}

1;

package SambaSite;
# What the Samba tests (t/samba/directory.t, fixes.t, slowdc.t) share: a
# throwaway DC (t/lib/SambaDC.pm) with the KB1077 case in a work folder,
# web01.contoso.test's virtual host (mod_auth_gssapi + the module, its
# status page), its httpd (t/lib/MiniHttpd.pm, children as nobody, with
# SPNCheckDirectory), curl against it, and the page's and JSON's readers.
#   my $s = SambaSite->new('spncheck-dir');     # DC up, KB1077 in $s->dir
#   my $h = $s->httpd(site => $s->site(...), directory => 'ldap://127.0.0.1', every => '15min');
#   my $r = $s->get('web01.contoso.test', '/', negotiate => 1);
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use JSON::PP;
use Time::HiRes qw(time);
use SambaDC;
use MiniHttpd;
use Exporter 'import';
our @EXPORT_OK = qw(cause_of fix_of facts_for);

# The DC (SambaDC->new), a work folder $prefix.XXXXXX that the httpd
# children (user nobody) read, and SambaDC::kb1077 in it: WEB01$ holds
# HOST/web01 in both forms, the app pool runs as svc-web, whose keytab
# (svc.keytab) the site has; alice; nobody holds HTTP/web01.
sub new {
    my ($class, $prefix) = @_;
    my $top = "$FindBin::Bin/../..";
    my $module = $ENV{SPNCHECK_MODULE} || "$top/.libs/mod_spncheck.so";
    -f $module or die "no module at $module: build first (make)\n";
    my $dc = SambaDC->new;
    my $W = tempdir("$prefix.XXXXXX", TMPDIR => 1, CLEANUP => !$ENV{SPNCHECK_KEEP});
    chmod 0755, $W;
    $dc->kb1077($W);
    return bless { top => $top, module => $module, dc => $dc, dir => $W }, $class;
}
sub top { $_[0]{top} }
sub module { $_[0]{module} }
sub dc { $_[0]{dc} }
sub realm { $_[0]{dc}->realm }
sub dir { $_[0]{dir} }
sub h { $_[0]{h} }

# The virtual host: ServerName web01.contoso.test, ServerAlias aliases,
# GSSAPI at / (AuthName name) with SPNCheck (detail full) for spns (hosts,
# @realm added), keytab (default svc.keytab) and account, and the status
# page for 127.0.0.1.
sub site {
    my ($s, %o) = @_;
    my $R = $s->realm;
    my $kt = $o{keytab} || "$s->{dir}/svc.keytab";
    my $spns = join ' ', map { "HTTP/$_\@$R" } @{$o{spns}};
    return <<"SITE";
<VirtualHost *>
ServerName web01.contoso.test
ServerAlias $o{aliases}
<Location />
    AuthType GSSAPI
    AuthName "$o{name}"
    GssapiCredStore keytab:$kt
    GssapiAllowedMech krb5
    Require valid-user
    SPNCheck On
    SPNCheckDetail full
    SPNCheckServicePrincipal $spns
    SPNCheckKeytab $kt
    SPNCheckServiceAccount $o{account}
</Location>
<Location /spncheck-status>
    SetHandler spncheck-status
    Require ip 127.0.0.1
</Location>
</VirtualHost>
SITE
}

# An httpd for site (started), its children as nobody, consulting the
# directory at URI directory every `every` as monitor@REALM with
# client_keytab (default: the DC's monitor keytab copied by kb1077).  The
# first one is $s->h, the one get() asks.
sub httpd {
    my ($s, %o) = @_;
    my $R = $s->realm;
    my $ckt = $o{client_keytab} || "$s->{dir}/monitor.keytab";
    my $h = MiniHttpd->new(module => $s->{module}, keytab => $o{keytab} || "$s->{dir}/svc.keytab",
                           site => $o{site},
                           extra => "User nobody\nGroup nogroup\n"
                                  . "SPNCheckDirectory $o{directory} $ckt monitor\@$R $o{every}\n");
    chmod 0755, $h->{dir}, "$h->{dir}/htdocs";
    $h->start;
    $s->{h} //= $h;
    return $h;
}

# curl to host's path on the site's httpd; negotiate => 1 (as the ccache:
# default alice.cc in the work folder), header => one more header, env =>
# more environment (NTLM_USER_FILE).  Returns {status, body, auth, secs}:
# auth, the Authorization header curl sent; secs, how long it took.
sub get {
    my ($s, $host, $path, %o) = @_;
    my ($h, $W) = ($s->{h}, $s->{dir});
    my @cmd = ('curl', '-sv', '--max-time', '30', '-o', "$W/body", '-w', '%{http_code}',
               '--resolve', $h->resolve($host));
    push @cmd, '--negotiate', '-u', ':' if $o{negotiate};
    push @cmd, '-H', $o{header} if $o{header};
    push @cmd, $h->url($host, $path);
    local $ENV{KRB5CCNAME} = $o{ccache} || "$W/alice.cc";
    local @ENV{keys %{$o{env} || {}}} = values %{$o{env} || {}};
    my $code;
    my $t0 = time;
    {
        open(my $olderr, '>&', \*STDERR) or die;
        open(STDERR, '>', "$W/verbose") or die;
        open(my $p, '-|', @cmd) or die "curl: $!";
        $code = <$p> // 0;
        close $p;
        open(STDERR, '>&', $olderr) or die;
    }
    my $secs = time - $t0;
    my $body = do { local (@ARGV, $/) = "$W/body"; <> } // '';
    my $v = do { local (@ARGV, $/) = "$W/verbose"; <> } // '';
    my ($auth) = $v =~ /^> Authorization:\s*(.*?)\r?$/mi;
    return { status => $code + 0, body => $body, auth => $auth, secs => $secs };
}

# The status page's JSON (dies when it is not JSON).
sub status_json { decode_json($_[0]->get('127.0.0.1', '/spncheck-status?format=json')->{body}) }

# A page's cause, and its fix blocks' text (as HTML).
sub cause_of { $_[0] =~ /<meta name="spncheck-cause" content="([^"]+)"/ ? $1 : '' }
sub fix_of { join '', $_[0] =~ m{<pre class="fix"[^>]*>(.*?)</pre>}sg }
# The status JSON's directory facts about spn (case-insensitive), or undef.
sub facts_for {
    my ($j, $spn) = @_;
    return unless $j->{directory} && $j->{directory}{facts};
    my ($f) = grep { lc $_->{spn} eq lc $spn } @{$j->{directory}{facts}{spns} || []};
    return $f;
}

1;

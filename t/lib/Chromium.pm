package Chromium;
# Headless Debian chromium, driven from its command line (no npm at test
# time): --dump-dom, --screenshot, --log-net-log.  For real Negotiate it
# needs the GSSAPI pref in "Local State", a warm-up challenge in the same
# process, and the real host name resolving (a private /etc/hosts in a
# user+mount namespace): see ../shared/notes/chromium-negotiate.md.
use strict;
use warnings;
use File::Temp qw(tempdir);

sub available {
    return 0 unless -x '/usr/bin/chromium';
    return system('unshare --user --map-root-user --mount true >/dev/null 2>&1') == 0 ? 1 : 0;
}

sub new {
    my ($class, %o) = @_;
    my $self = bless { %o }, $class;
    $self->{ud} = tempdir(CLEANUP => 1);
    open(my $f, '>', "$self->{ud}/Local State") or die;
    print $f '{"received_http_auth_negotiate_headers":true}';
    close $f;
    open(my $h, '>', "$self->{ud}/hosts") or die;
    print $h join('', map { "127.0.0.1 $_\n" } @{$o{hosts} || []}), "127.0.0.1 localhost\n";
    close $h;
    return $self;
}

# run(URL, dump => 1 | screenshot => FILE, width => 375, netlog => FILE, flags => [...])
sub run {
    my ($self, $url, %o) = @_;
    my @flags = ('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--hide-scrollbars', "--user-data-dir=$self->{ud}",
                 # noallow => 1: no allowlist at all (the browser that never tries)
                 ($self->{noallow} ? () : ('--auth-server-allowlist=' . ($self->{allow} || '*.spncheck.test'))),
                 '--virtual-time-budget=8000', '--window-size=' . ($o{width} || 375) . ',' . ($o{height} || 1400));
    push @flags, @{$o{flags} || []};
    push @flags, "--log-net-log=$o{netlog}", '--net-log-capture-mode=Everything' if $o{netlog};
    push @flags, $o{screenshot} ? "--screenshot=$o{screenshot}" : '--dump-dom';
    my @cmd = ('unshare', '--user', '--map-root-user', '--mount', 'sh', '-c',
               'mount --bind "$0" /etc/hosts && exec chromium "$@"' .
               ($ENV{SPNCHECK_CHROMIUM_DEBUG} ? '' : ' 2>/dev/null'), "$self->{ud}/hosts", @flags, $url);
    local $ENV{HOME} = $self->{ud};        # not the test user's (maybe absent) home
    open(my $out, '-|', @cmd) or die "chromium: $!";
    local $/;
    my $r = <$out> // '';
    close $out;
    return $r;
}

# URLs chromium fetched for the page (not its own background requests).
sub page_requests {
    my ($netlog) = @_;
    open(my $f, '<', $netlog) or return ();
    local $/;
    my $t = <$f> // '';
    my %seen;
    my @u = grep { !$seen{$_}++ } $t =~ /"url":"((?:https?|file|data):[^"]*)"/g;
    # Chromium's own services (component updater, time, accounts) are not the page's
    return grep { !m{^https?://[^/]*(?:google|gstatic|gvt1)} } @u;
}

sub png_width {
    my ($file) = @_;
    open(my $f, '<:raw', $file) or return 0;
    read($f, my $h, 24) == 24 or return 0;
    return substr($h, 1, 3) eq 'PNG' ? unpack('N', substr($h, 16, 4)) : 0;
}

1;

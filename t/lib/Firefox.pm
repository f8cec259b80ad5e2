package Firefox;
# Headless Debian firefox-esr, driven over Marionette (its own TCP protocol,
# no geckodriver): frames are "LEN:JSON", commands [0,id,NAME,params],
# replies [1,id,error,result].  Negotiate goes through MIT GSSAPI for the
# hosts in network.negotiate-auth.trusted-uris; network.dns.localDomains
# makes the test host names resolve to loopback without touching
# /etc/hosts (the SPN is still HTTP@<URL host>).  Every wait is bounded;
# the browser runs in a process group of its own and is killed at the end.
# See ../shared/notes/firefox-negotiate.md.
use strict;
use warnings;
use MiniHttpd ();
use File::Temp qw(tempdir);
use IO::Socket::INET;
use IO::Select;
use JSON::PP ();
use MIME::Base64 qw(decode_base64);
use POSIX ();
use Time::HiRes qw(sleep time);

my $bin = '/usr/bin/firefox-esr';

sub available { -x $bin }

sub free_port { MiniHttpd::free_port() }

# new(hosts => [names resolving to loopback], trusted => 'spncheck.test',
#     ccache => FILE, width => 375, height => 1400, mozlog => BASE, timeout => 60)
sub new {
    my ($class, %o) = @_;
    my $self = bless { timeout => 60, width => 375, height => 1400, %o }, $class;
    my $p = $self->{profile} = tempdir(CLEANUP => 1);
    $self->{port} = free_port();
    my %prefs = (
        'network.negotiate-auth.trusted-uris' => $o{trusted} // 'spncheck.test',
        'network.dns.localDomains' => join(',', @{$o{hosts} || []}),
        'marionette.port' => $self->{port},
        # quiet: no first-run pages, no updates, no telemetry, no background fetches
        'browser.shell.checkDefaultBrowser' => JSON::PP::false,
        'browser.startup.homepage_override.mstone' => 'ignore',
        'browser.aboutwelcome.enabled' => JSON::PP::false,
        'datareporting.policy.dataSubmissionEnabled' => JSON::PP::false,
        'toolkit.telemetry.reportingpolicy.firstRun' => JSON::PP::false,
        'app.update.disabledForTesting' => JSON::PP::true,
        'network.captive-portal-service.enabled' => JSON::PP::false,
        'network.connectivity-service.enabled' => JSON::PP::false,
        'browser.safebrowsing.update.enabled' => JSON::PP::false,
        'extensions.update.enabled' => JSON::PP::false,
        'network.prefetch-next' => JSON::PP::false,
        'network.http.speculative-parallel-limit' => 0,
    );
    $self->{prefs} = \%prefs;
    write_prefs($p, %prefs);
    $self->{stderr} = "$p/firefox.stderr";
    my $pid = $self->{pid} = $self->spawn($self->{stderr}, '--marionette', '--profile', $p);
    my $deadline = time + $self->{timeout};
    while (time < $deadline) {
        $self->{sock} = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port}, Timeout => 2)
            and last;
        die "firefox exited at start-up: " . $self->stderr if waitpid($pid, POSIX::WNOHANG()) == $pid;
        sleep 0.2;
    }
    $self->{sock} or do { $self->kill; die "no Marionette on port $self->{port}: " . $self->stderr };
    $self->{sock}->autoflush(1);
    $self->{id} = 0;
    $self->{hello} = $self->_read(15);
    $self->cmd('WebDriver:NewSession', { capabilities => { alwaysMatch => { pageLoadStrategy => 'normal' } } });
    return $self;
}

sub write_prefs {
    my ($p, %prefs) = @_;
    open(my $f, '>', "$p/user.js") or die "user.js: $!";
    my $js = JSON::PP->new->allow_nonref;
    print $f "user_pref(" . $js->encode($_) . ", " . $js->encode($prefs{$_}) . ");\n" for sort keys %prefs;
    close $f;
}

# Run firefox-esr in a child: a process group of its own, the environment
# the browser gets, stdout+stderr to a file.  Returns the pid.
sub spawn {
    my ($self, $out, @args) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    POSIX::setpgid(0, 0);
    $ENV{HOME} = $self->{profile};          # not the test user's (maybe absent) home
    $ENV{KRB5CCNAME} = "FILE:$self->{ccache}" if $self->{ccache};
    if ($self->{mozlog}) {
        $ENV{MOZ_LOG} = 'timestamp,sync,nsHttp:3,negotiateauth:5';
        $ENV{MOZ_LOG_FILE} = $self->{mozlog};
    }
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>>', $out);
    open(STDERR, '>&', \*STDOUT);
    { exec $bin, '--headless', '--no-remote', @args }
    POSIX::_exit(127);
}

# screenshot_cli(URL, FILE): a second, short-lived firefox (a profile of its
# own, same prefs) loads URL, negotiating itself, and saves the viewport at
# width x height.  Marionette cannot: headless windows it drives are at
# least 500 px wide, --screenshot honours --window-size.  Bounded: killed
# after the timeout.
sub screenshot_cli {
    my ($self, $url, $file) = @_;
    my $p = tempdir(CLEANUP => 1);
    my %prefs = %{$self->{prefs}};
    delete $prefs{'marionette.port'};
    write_prefs($p, %prefs);
    my $pid = $self->spawn($self->{stderr}, '--profile', $p, '--window-size', "$self->{width},$self->{height}",
                           '--screenshot', $file, $url);
    my $deadline = time + $self->{timeout};
    while (time < $deadline) {
        return $? == 0 if waitpid($pid, POSIX::WNOHANG()) == $pid;
        sleep 0.1;
    }
    CORE::kill('KILL', -$pid);
    waitpid($pid, 0);
    return 0;
}

sub stderr {
    my $self = shift;
    open(my $f, '<', $self->{stderr}) or return '';
    local $/;
    return <$f> // '';
}

sub _read {
    my ($self, $secs) = @_;
    my $deadline = time + $secs;
    my $sel = IO::Select->new($self->{sock});
    my $buf = $self->{buf} // '';
    while (1) {
        if ($buf =~ /^(\d+):/ && length($buf) >= length($1) + 1 + $1) {
            my $len = $1;
            my $msg = substr($buf, length($len) + 1, $len);
            $self->{buf} = substr($buf, length($len) + 1 + $len);
            return JSON::PP::decode_json($msg);
        }
        my $left = $deadline - time;
        die "Marionette: no reply within ${secs}s\n" if $left <= 0 || !$sel->can_read($left);
        my $n = sysread($self->{sock}, $buf, 65536, length $buf);
        die "Marionette: connection closed\n" unless $n;
    }
}

# cmd(NAME, {params}, timeout): the result, or dies with Marionette's error
sub cmd {
    my ($self, $name, $params, $secs) = @_;
    my $id = ++$self->{id};
    my $msg = JSON::PP::encode_json([0, $id, $name, $params || {}]);
    print { $self->{sock} } length($msg) . ":" . $msg;
    while (1) {
        my $r = $self->_read($secs || $self->{timeout});
        next unless ref $r eq 'ARRAY' && $r->[0] == 1 && $r->[1] == $id;
        die "$name: " . JSON::PP::encode_json($r->[2]) . "\n" if $r->[2];
        return $r->[3];
    }
}

sub navigate { my ($self, $url) = @_; $self->cmd('WebDriver:Navigate', { url => $url }) }
sub source   { $_[0]->cmd('WebDriver:GetPageSource')->{value} }
sub script   { my ($self, $js) = @_; $self->cmd('WebDriver:ExecuteScript', { script => $js, args => [] })->{value} }
sub url      { $_[0]->cmd('WebDriver:GetCurrentURL')->{value} }

# screenshot(FILE): the whole document as PNG
sub screenshot {
    my ($self, $file) = @_;
    my $b64 = $self->cmd('WebDriver:TakeScreenshot', { full => JSON::PP::true, hash => JSON::PP::false })->{value};
    open(my $f, '>:raw', $file) or die "$file: $!";
    print $f decode_base64($b64);
    close $f;
}

# quit: ask politely (bounded), then kill the whole process group
sub quit {
    my $self = shift;
    return unless $self->{pid};
    eval { $self->cmd('Marionette:Quit', { flags => ['eForceQuit'] }, 10) } if $self->{sock};
    close $self->{sock} if $self->{sock};
    delete $self->{sock};
    for (1 .. 50) { last if waitpid($self->{pid}, POSIX::WNOHANG()) == $self->{pid}; sleep 0.1 }
    $self->kill;
}

sub kill {
    my $self = shift;
    my $pid = delete $self->{pid} or return;
    CORE::kill('KILL', -$pid);              # the group: content processes too
    CORE::kill('KILL', $pid);
    waitpid($pid, 0);
}

sub DESTROY { my $self = shift; local ($@, $?); $self->quit }

1;

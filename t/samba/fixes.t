#!/usr/bin/perl
# t/samba/fixes.t: proof that the fixes fix (issue 18, item 5).  Against a
# throwaway Samba AD DC (t/lib/SambaDC.pm), for each directory case:
#   (a) the KB case through HOST/ (WEB01$ holds HOST/web01, nobody HTTP/web01)
#   (b) an explicit HTTP/ SPN on another account (HTTP/web02 on other-svc)
#   (c) a stale keytab after a password change of the service account
#   (d) an unregistered ServerAlias (alias.contoso.test: no account holds it)
#   (e) a name that is not a ServerAlias (web03.contoso.test, the default vhost;
#       WEB03$ holds HOST/web03), and (e2) one no account holds (web04, NTLM)
# For (e) and (e2) the note's "ServerAlias HOST" line is applied too: their
# first fix changes nothing for a name the client chose (it could name any
# service), the second, once the name is a ServerAlias, does.
# it provokes a real failed sign-in (curl --negotiate, tickets from Samba's
# KDC), takes the failure's reference, waits for the directory's facts,
# takes diagnosis.fix from the status page's ?ref=ID&format=json and applies
# its steps MECHANICALLY (apply_fix below: setspn -S/-D -> samba-tool spn
# add/delete, ktpass -> samba-tool domain exportkeytab of -mapuser's keys,
# install/klist/apachectl on the server, klist purge on the client; any step
# it cannot map fails the test), then asserts that the same client's next
# sign-in gives 200.  A fix that does not fix fails here.
# Then the two injections (a forged AP-REQ sname, a forged NTLM
# MsvAvTargetName, each with a newline and a command) and a hostile account
# name (a computer account renamed to w2&calc$(iex x)`$ that holds the SPN):
# the JSON carries the exact value, the page's blocks quote it for PowerShell.
# Runs as root in a network namespace of its own (t/run-samba-tests).  One DC.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Path qw(make_path);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX ();
use SambaSite qw(cause_of facts_for);

my $samba = SambaSite->new('spncheck-fix');   # WEB01$ holds HOST/web01; svc-web; alice
my ($dc, $R, $W) = ($samba->dc, $samba->realm, $samba->dir);
my $NB = $dc->netbios;
$dc->user('other-svc', 'Other!Pass1234');
$dc->spn_add('HTTP/web02.contoso.test', 'other-svc');
# (e): web03 is an old server's name (its computer account WEB03$ holds
# HOST/web03) that now points at this server, which has no ServerAlias for it
$dc->computer('WEB03');
{
    my %have = map { lc($_) => 1 } $dc->attr('WEB03$', 'servicePrincipalName');
    $dc->spn_add($_, 'WEB03$') for grep { !$have{lc $_} } 'HOST/web03.contoso.test', 'HOST/WEB03';
}
my $KT = "$W/svc.keytab";             # GssapiCredStore and SPNCheckKeytab
my $WIN = "$W/win";                   # where the dc steps' files land ("Windows")
make_path($WIN);

sub kinit_alice { $dc->kinit('alice', 'Alice!Pass1234', "$W/alice.cc") }
kinit_alice();

my $aliases = 'alias.contoso.test web02.contoso.test';
my $site = $samba->site(name => 'fix', aliases => $aliases, keytab => $KT,
                        spns => ['web01.contoso.test', 'web02.contoso.test'], account => "$NB\\svc-web");
my $h = $samba->httpd(site => $site, keytab => $KT, directory => 'ldap://127.0.0.1', every => '60s');

# ---- the client and the status page ---------------------------------------------------

# curl as alice (her ccache), --negotiate, or with a header of ours; env: more
# environment (NTLM_USER_FILE).  Returns {status, body, auth} (SambaSite).
sub get { $samba->get(@_) }
# A sign-in from a fresh ccache (another client of alice's), the status
sub fresh {
    my ($host, %o) = @_;
    $dc->kinit('alice', 'Alice!Pass1234', "$W/probe.cc");
    return get($host, '/', negotiate => 1, ccache => "$W/probe.cc", %o)->{status};
}
sub status_json { $samba->status_json }
sub ref_of { $_[0] =~ /<meta name="spncheck-ref" content="([^"]+)"/ ? $1 : '' }
sub ref_json {
    my ($ref) = @_;
    my $r = get('127.0.0.1', "/spncheck-status?ref=$ref&format=json");
    return eval { decode_json($r->{body}) } || { error => "status $r->{status}: $r->{body}" };
}
sub ref_html { get('127.0.0.1', "/spncheck-status?ref=$_[0]")->{body} }
# The text of a <pre> as the admin copies it (the page's entities decoded)
sub unhtml {
    my ($s) = @_;
    $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&quot;/"/g; $s =~ s/&#39;/'/g; $s =~ s/&amp;/&/g;
    return $s;
}
# Waits until the directory has looked spn up after $since with facts that
# pass $ok (what the directory holds now); the failure queued the lookup.
sub wait_facts {
    my ($spn, $since, $ok) = @_;
    for (1 .. 150) {
        my $j = status_json();
        my $f = facts_for($j, $spn);
        # facts that pass $ok show the directory as it is now, however old
        return $f if $f && !$f->{error}
            && ($ok ? $ok->($f) : ($j->{directory}{last_run} // 0) >= $since);
        sleep 0.5;
    }
    return;
}
sub holders { join ', ', map { "$_->{account} via $_->{via} kvno " . ($_->{kvno} // '-') } @{$_[0]{holders} || []} }
sub graceful {
    my $pid = $h->pid;
    sleep 1;                          # a new generation, distinct in time
    $h->ctl('graceful') or die "apache2 -k graceful failed: " . $h->log;
    for (1 .. 100) {                   # the new generation answers
        last if get('127.0.0.1', '/spncheck-status?format=json')->{status} == 200;
        sleep 0.1;
    }
    sleep 0.5;
    return $pid == ($h->pid // 0);
}
sub account_sam {
    my ($acct) = @_;
    return $acct =~ /^\Q$NB\E\\(.+)\z/s ? $1 : undef;
}
sub holders_of {            # sAMAccountNames of the accounts that hold spn, per the DC
    my ($spn) = @_;
    my $out = $dc->run_ok('ldbsearch', 'ldbsearch', '-H', $dc->dir . '/private/sam.ldb',
                          "(servicePrincipalName=$spn)", 'sAMAccountName');
    return map { /^sAMAccountName: (.*)$/ ? $1 : () } split /\n/, $out;
}
sub run_cmd {               # list form, in $dir; returns (rc, output)
    my ($dir, @cmd) = @_;
    my $pid = open(my $p, '-|') // die "fork: $!";
    if (!$pid) {
        chdir $dir or POSIX::_exit(126);
        open(STDERR, '>&', \*STDOUT);
        exec @cmd;
        POSIX::_exit(127);
    }
    my $out = do { local $/; <$p> } // '';
    close $p;
    return ($? >> 8, $out);
}

# ---- the fix, applied mechanically ------------------------------------------------------

# Applies $fix's steps in order; returns a list of problems (each a string:
# a step that cannot be mapped or whose mapped command failed).  $c: the
# case (name, for the log; notes => 1: apply a note's "ServerAlias HOST" line).
our @UNNEEDED;
sub apply_fix {
    my ($fix, %c) = @_;
    my @bad;
    my $log = sub { note("  [$c{name}] $_[0]") };
    for my $s (@{$fix->{steps} || []}) {
        my @a = @{$s->{argv} || []};
        my $prog = $a[0] // '';
        my $show = "$s->{where}: " . join(' ', map { /[\s'"]/ ? "'$_'" : $_ } @a);
        if ($s->{where} eq 'dc') {
            if ($prog eq 'setspn' && @a == 4 && $a[1] =~ /^-[SD]\z/) {
                my $sam = account_sam($a[3]);
                push(@bad, "$show: account not $NB\\sam"), next unless defined $sam;
                my @held = holders_of($a[2]);
                if ($a[1] eq '-S' && grep { lc $_ eq lc $sam } @held) {
                    $log->("$show: already held by $sam (setspn -S: nothing to do)");
                    next;
                }
                if ($a[1] eq '-S' && @held) {
                    push @bad, "$show: held by @held: setspn -S refuses it (a setspn -D missing?)";
                    next;
                }
                my ($rc, $out) = run_cmd($WIN, 'samba-tool', 'spn', $a[1] eq '-S' ? 'add' : 'delete',
                                         $a[2], $sam, '-s', $dc->smb_conf);
                $log->("$show -> samba-tool spn " . ($a[1] eq '-S' ? 'add' : 'delete') . " rc=$rc");
                push @bad, "$show: samba-tool failed: $out" if $rc;
            }
            elsif ($prog eq 'setspn' && @a >= 2 && $a[1] =~ /^-[QLX]\z/) {
                if ($a[1] eq '-L' && defined(my $sam = account_sam($a[2] // ''))) {
                    my ($rc, $out) = run_cmd($WIN, 'samba-tool', 'spn', 'list', $sam, '-s', $dc->smb_conf);
                    $log->("$show -> samba-tool spn list: " . join(' | ', grep { /\S/ } split /\n/, $out));
                }
                else {
                    $log->("$show: a query, skipped");
                }
            }
            elsif ($prog eq 'ktpass') {
                if ($c{probe} && !$c{probed}++) {
                    # would the keytab the server has do, once the SPN is on its account?
                    my $st = $c{probe}->();
                    $log->("before the keytab step, a fresh sign-in (new ccache) gives $st");
                    push @UNNEEDED, "$c{name}: the keytab step"
                        . (grep({ /^-setpass\z/ } @a) ? '' : ' (which RESETS the password)')
                        . " was not needed: $st before it" if $st == 200;
                }
                my %o;
                for (my $i = 1; $i < @a; $i++) {
                    if ($a[$i] =~ /^[-\/](out|princ|mapuser|crypto|ptype|pass|kvno)\z/i) {
                        $o{lc $1} = $a[++$i];
                    }
                    elsif ($a[$i] =~ /^[-+](setpass|setupn)\z/i) {
                        $o{lc $1} = substr($a[$i], 0, 1);
                    }
                }
                my $sam = account_sam($o{mapuser} // '');
                if (!defined $o{out} || $o{out} =~ m{[/\\]} || !defined $o{princ} || !defined $sam) {
                    push @bad, "$show: no bare -out file, -princ or $NB\\sam -mapuser";
                    next;
                }
                if ($o{princ} !~ /\@\Q$R\E\z/) {
                    push @bad, "$show: -princ $o{princ} not in $R";
                    next;
                }
                if (defined $o{kvno}) {
                    # with -setpass, ktpass writes the key under the kvno it is told:
                    # it must be the account's current one
                    my $ad = $dc->attr($sam, 'msDS-KeyVersionNumber');
                    push @bad, "$show: -kvno $o{kvno}, but AD's kvno for $sam is $ad"
                        unless defined $ad && $ad == $o{kvno};
                }
                # Samba exports only RC4 under an SPN's name, and MIT's acceptor
                # tries every key of the keytab: the account's keys, by its name
                unlink "$WIN/$o{out}";
                my ($rc, $out) = run_cmd($WIN, 'samba-tool', 'domain', 'exportkeytab', $o{out},
                                         "--principal=$sam\@$R", '-s', $dc->smb_conf);
                $log->("$show -> samba-tool domain exportkeytab $o{out} --principal=$sam\@$R rc=$rc");
                push @bad, "$show: exportkeytab failed: $out" if $rc || !-s "$WIN/$o{out}";
            }
            elsif ($prog =~ /^Get-AD/) {
                $log->("$show: a query, skipped");
            }
            else {
                push @bad, "$show: unknown dc step (the fix must be mechanically applicable)";
            }
        }
        elsif ($s->{where} eq 'server') {
            if ($prog eq 'install') {
                my $dest = $a[-1];
                push(@bad, "$show: installs to $dest, not the configured keytab $KT"), next
                    unless $dest eq $KT;
                my ($rc, $out) = run_cmd($WIN, @a);
                $log->("$show rc=$rc");
                push @bad, "$show: failed: $out" if $rc;
            }
            elsif ($prog eq 'klist' && "@a[0 .. $#a - 1]" eq 'klist -k -t -e') {
                my ($rc, $out) = run_cmd($WIN, @a);
                $log->("$show rc=$rc\n" . join("\n", map { "      $_" } split /\n/, $out));
                push @bad, "$show: failed: $out" if $rc;
            }
            elsif ("@a" eq 'apachectl -k graceful') {
                graceful();
                $log->("$show -> MiniHttpd graceful");
            }
            elsif ($prog eq 'chown' || $prog eq 'chmod') {
                my ($rc, $out) = run_cmd($WIN, @a);
                push @bad, "$show: failed: $out" if $rc;
            }
            else {
                push @bad, "$show: unknown server step";
            }
        }
        elsif ($s->{where} eq 'client') {
            if ("@a" eq 'klist purge') {
                unlink "$W/alice.cc";     # kdestroy; Windows gets a new TGT at the next logon
                kinit_alice();
                $log->("$show -> kdestroy, kinit alice");
            }
            else {
                push @bad, "$show: unknown client step";
            }
        }
        else {
            push @bad, "$show: unknown place $s->{where}";
        }
    }
    if ($c{notes}) {
        for my $n (@{$fix->{notes} || []}) {
            next unless $n =~ /add the line ServerAlias ([A-Za-z0-9.-]+) to its virtual host/;
            my $alias = $1;
            my $conf = "$h->{dir}/httpd.conf";
            my $text = do { local (@ARGV, $/) = $conf; <> };
            $text =~ s/^(ServerAlias .*)$/$1 $alias/m or push @bad, "no ServerAlias line in $conf";
            open(my $o, '>', $conf) or die;
            print $o $text;
            close $o;
            graceful();
            $log->("note: ServerAlias $alias added, graceful");
        }
    }
    return @bad;
}

# One case: the failure ($try->() returns the response of a sign-in),
# the facts ($spn, $ok), the fix from ?ref=, applied; the next sign-in.
# Returns the fix.
sub prove {
    my (%c) = @_;
    my $t0 = int(time);
    my $tc = time;
    my $r = $c{try}->();
    isnt($r->{status}, 200, "$c{name}: the sign-in fails before the fix ($r->{status}, "
         . cause_of($r->{body}) . ')');
    my $ref = ref_of($r->{body});
    ok($ref, "$c{name}: the 401 page carries the failure's reference") or return;
    like($h->log, qr/SPN00010\b.*ref=\Q$ref\E/, "$c{name}: the error log line carries it too");
    my $fix;
    # A name this site does not answer to takes two rounds: its first fix
    # changes nothing (the client chose the name) and says to add the
    # ServerAlias; once it is one, the next failure's fix does the rest.
    for my $round (1 .. ($c{rounds} || 1)) {
        my $f = wait_facts($c{spn}, $t0, $c{facts});
        ok($f, "$c{name}: the directory looked $c{spn} up" . ($f ? ' (' . holders($f) . ')' : ''))
            or diag(explain(facts_for(status_json(), $c{spn})));
        my $j = ref_json($ref);
        my $dg = $j->{diagnosis} || {};
        is($j->{ref}, $ref, "$c{name}: ?ref=$ref&format=json");
        is($dg->{cause}, $c{cause}, "$c{name}: cause $c{cause}"
           . (defined $dg->{refined_from} ? " (refined from $dg->{refined_from})" : ''))
            or diag(explain($j));
        $fix = $dg->{fix} || {};
        note("$c{name}, round $round: fix " . JSON::PP->new->canonical->pretty->encode($fix));
        ok(@{$fix->{steps} || []} || ($round < ($c{rounds} || 1) && @{$fix->{notes} || []}),
           "$c{name}: the fix has steps" . ($round < ($c{rounds} || 1) ? ' or notes' : ''))
            or diag(explain($j));
        $c{check}->($fix, $j, $r, $round) if $c{check};
        my @bad = apply_fix($fix, %c);
        is_deeply(\@bad, [], "$c{name}: every step applied mechanically (round $round)")
            or diag(JSON::PP->new->canonical->pretty->encode($fix));
        $t0 = int(time);
        $r = $c{try}->();
        last if $round == ($c{rounds} || 1) || $r->{status} == 200;
        isnt($r->{status}, 200, "$c{name}: after round $round, a new failure (" . cause_of($r->{body}) . ')');
        $ref = ref_of($r->{body});
    }
    is($r->{status}, 200, "$c{name}: after the fix, the same client's next sign-in gives 200")
        or diag("still " . cause_of($r->{body}) . ", ref " . ref_of($r->{body}) . "; the fix was:\n"
                . JSON::PP->new->canonical->pretty->encode($fix));
    note(sprintf('%s: %.1fs', $c{name}, time - $tc));
    return ($fix, $r);
}
sub has_step {
    my ($fix, @want) = @_;
    return grep { join("\0", @{$_->{argv}}) eq join("\0", @want) } @{$fix->{steps} || []};
}

my $t_start = int(time);
ok(wait_facts('HTTP/web01.contoso.test', $t_start - 5), 'the directory answers');

# -- (a) the KB case through HOST/ ---------------------------------------------------------
prove(name => '(a) KB case', spn => 'HTTP/web01.contoso.test', cause => 'spn-wrong-account',
      try => sub { get('web01.contoso.test', '/', negotiate => 1) },
      probe => sub { fresh('web01.contoso.test') },
      facts => sub { ($_[0]{holders}[0]{account} // '') eq "$NB\\WEB01\$" },
      check => sub {
          my ($fix) = @_;
          ok(has_step($fix, 'setspn', '-S', 'HTTP/web01.contoso.test', "$NB\\svc-web")
             && has_step($fix, 'setspn', '-S', 'HTTP/WEB01', "$NB\\svc-web"),
             '(a): setspn -S both forms on svc-web');
          ok(!grep({ $_->{argv}[0] eq 'setspn' && $_->{argv}[1] eq '-D' } @{$fix->{steps}}),
             '(a): nothing to remove from WEB01$');
      });

# -- (b) an explicit HTTP/ SPN on another account --------------------------------------------
kinit_alice();
prove(name => '(b) HTTP/ SPN on another account', spn => 'HTTP/web02.contoso.test',
      cause => 'spn-wrong-account',
      try => sub { get('web02.contoso.test', '/', negotiate => 1) },
      probe => sub { fresh('web02.contoso.test') },
      facts => sub { ($_[0]{holders}[0]{account} // '') eq "$NB\\other-svc" },
      check => sub {
          ok(has_step($_[0], 'setspn', '-D', 'HTTP/web02.contoso.test', "$NB\\other-svc"),
             '(b): setspn -D on other-svc');
      });

# -- (c) a stale keytab after a password change of the service account ------------------------
# svc-web holds HTTP/web01 since (a), and the keytab has its keys
$dc->setpassword('svc-web', 'Svc!Pass5678');
my $kvno_c = $dc->attr('svc-web', 'msDS-KeyVersionNumber');
graceful();       # the directory's run brought forward (a failure re-asks after 60 s only)
kinit_alice();                         # the user signs in after the change
prove(name => '(c) keytab stale after a password change', spn => 'HTTP/web01.contoso.test',
      cause => 'keytab-stale',
      try => sub { get('web01.contoso.test', '/', negotiate => 1) },
      facts => sub { ($_[0]{holders}[0]{account} // '') eq "$NB\\svc-web"
                     && ($_[0]{holders}[0]{kvno} // -1) == $kvno_c },
      check => sub {
          my ($k) = grep { $_->{argv}[0] eq 'ktpass' } @{$_[0]{steps}};
          ok($k, '(c): a ktpass step');
      });

# -- (d) an unregistered ServerAlias --------------------------------------------------------
# Nobody holds HTTP/alias.contoso.test: the KDC issues no ticket, and curl
# --negotiate (MIT SPNEGO with gss-ntlmssp) falls back to NTLMSSP, as Windows
# does; without NTLM credentials curl would send nothing, and no failure.
open(my $nu, '>', "$W/ntlm.users") or die;
print $nu "$NB:alice:Alice!Pass1234\n";
close $nu;
kinit_alice();
prove(name => '(d) unregistered ServerAlias', spn => 'HTTP/alias.contoso.test',
      cause => 'spn-not-registered',
      try => sub { get('alias.contoso.test', '/', negotiate => 1,
                       env => { NTLM_USER_FILE => "$W/ntlm.users" }) },
      facts => sub { !@{$_[0]{holders}} },
      check => sub {
          ok(has_step($_[0], 'setspn', '-S', 'HTTP/alias.contoso.test', "$NB\\svc-web"),
             '(d): setspn -S HTTP/alias.contoso.test on svc-web');
      });

# -- (e) a name that is not a ServerAlias --------------------------------------------------
kinit_alice();
my ($fix_e) = prove(name => '(e) not a ServerAlias', spn => 'HTTP/web03.contoso.test',
      cause => 'spn-wrong-account', notes => 1, rounds => 2,
      try => sub { get('web03.contoso.test', '/', negotiate => 1) },
      probe => sub { fresh('web03.contoso.test') },
      facts => sub { ($_[0]{holders}[0]{account} // '') eq "$NB\\WEB03\$" },
      check => sub {
          my ($fix, $j, $r, $round) = @_;
          if ($round > 1) {
              ok(has_step($fix, 'setspn', '-S', 'HTTP/web03.contoso.test', "$NB\\svc-web"),
                 '(e) round 2, web03 now a ServerAlias: setspn -S on svc-web');
              return;
          }
          ok(!grep({ $_->{argv}[0] eq 'setspn' && $_->{argv}[1] =~ /^-[SD]\z/ } @{$fix->{steps}}),
             '(e) round 1: nothing changed for a name the client chose');
          ok(grep({ /ServerAlias web03\.contoso\.test/ } @{$fix->{notes}}),
             '(e): a note with the line ServerAlias web03.contoso.test')
              or diag(explain($fix->{notes}));
          unlike($_[2]{body}, qr/WEB03\$|add the line ServerAlias/, "(e): the user's page names no holder nor the line (the admin's view only)");
      });

# -- (e2) a name that is not a ServerAlias, and that no account holds --------------------------
# web04 (DNS points here; no ServerAlias, no SPN): as (d), the client falls
# back to NTLM; the directory says nobody holds HTTP/web04.contoso.test.
kinit_alice();
prove(name => '(e2) not a ServerAlias, unregistered', spn => 'HTTP/web04.contoso.test',
      cause => 'spn-not-registered', notes => 1, rounds => 2,
      try => sub { get('web04.contoso.test', '/', negotiate => 1,
                       env => { NTLM_USER_FILE => "$W/ntlm.users" }) },
      facts => sub { !@{$_[0]{holders}} },
      check => sub {
          return if $_[3] > 1;
          ok(grep({ /ServerAlias web04\.contoso\.test/ } @{$_[0]{notes}}),
             '(e2): a note with the line ServerAlias web04.contoso.test') or diag(explain($_[0]{notes}));
      });

# -- (i) a forged AP-REQ whose sname carries a newline and a command ---------------------------
# (the DER as t/lib/SpnTest.pm's apreq_token builds it; SpnTest needs Apache::Test)
my $EVIL = "web01.contoso.test\nnet group \"Domain Admins\" eve /add /domain";
sub der_len {
    my ($n) = @_;
    return chr($n) if $n < 0x80;
    my $o = $n < 0x100 ? chr($n) : pack('n', $n);
    return chr(0x80 | length $o) . $o;
}
sub der { chr($_[0]) . der_len(length $_[1]) . $_[1] }
sub apreq_token {
    my ($realm, @sname) = @_;
    my $int = sub { der(0x02, chr($_[0])) };
    my $gs = sub { der(0x1b, $_[0]) };
    my $enc = sub { der(0x30, der(0xa0, $int->(18)) . der(0xa1, $int->(2))
                        . der(0xa2, der(0x04, "\x00" x 64))) };
    my $ticket = der(0x61, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $gs->($realm))
        . der(0xa2, der(0x30, der(0xa0, $int->(2)) . der(0xa1, der(0x30, join '', map { $gs->($_) } @sname))))
        . der(0xa3, $enc->())));
    my $apreq = der(0x6e, der(0x30, der(0xa0, $int->(5)) . der(0xa1, $int->(14))
        . der(0xa2, der(0x03, "\x00\x00\x00\x00\x00")) . der(0xa3, $ticket) . der(0xa4, $enc->())));
    my $oid = der(0x06, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02");
    return 'Negotiate ' . encode_base64(der(0x60, $oid . "\x01\x00" . $apreq), '');
}
sub utf16 { join '', map { pack('v', ord $_) } split //, $_[0] }
# An NTLM AUTHENTICATE (type 3) whose NTLMv2 response carries MsvAvTargetName
sub ntlm3_target {
    my ($target) = @_;
    my $av = pack('vv', 9, length(utf16($target))) . utf16($target) . pack('vv', 0, 0);
    my $nt = ("\x11" x 16) . "\x01\x01" . ("\0" x 6) . pack('VV', 0, 0x01d9_0000)
           . ("\x22" x 8) . ("\0" x 4) . $av;
    my @f = ('', $nt, utf16($NB), utf16('alice'), utf16('WS1'), '');
    my ($hdr, $payload, $off) = ('', '', 64);
    for my $v (@f) {
        $hdr .= pack('vvV', length $v, length $v, $off + length $payload);
        $payload .= $v;
    }
    return 'NTLM ' . encode_base64("NTLMSSP\0" . pack('V', 3) . $hdr . pack('V', 0x00088201)
                                   . $payload, '');
}
my %KNOWN = map { $_ => 1 } qw(setspn ktpass install klist apachectl iisreset chown chmod
                               w32tm timedatectl chronyc reg whoami);
# The page's fix blocks hold only comment lines and known programs.
sub pre_is_fix {
    my ($html) = @_;
    my @bad;
    my @pre = $html =~ m{<pre class="fix"[^>]*>(.*?)</pre>}sg;
    for my $p (@pre) {
        for my $l (split /\n/, $p) {
            next if $l =~ /^# / || $l eq '#';
            my ($prog) = $l =~ /^(\S+)/;
            push @bad, $l unless $prog && ($KNOWN{$prog} || $prog =~ /^(?:Get|Set)-AD\w+\z/
                                           || $prog eq 'C:\\Windows\\System32\\inetsrv\\appcmd.exe');
        }
    }
    return (scalar(@pre), @bad);
}
sub injected {
    my ($what, $r) = @_;
    my $ref = ref_of($r->{body});
    ok($ref, "$what: a failure with a reference (" . cause_of($r->{body}) . ')') or return;
    my $j = ref_json($ref);
    my $fix = $j->{diagnosis}{fix} || {};
    my @lines = grep { /\n|net group|Domain Admins/ }
        map { (@{$_->{argv}}, $_->{why} // '') } @{$fix->{steps} || []};
    is_deeply(\@lines, [], "$what: ?ref= JSON: no step carries the newline or the command")
        or diag(explain($fix));
    ok(grep({ /not a valid SPN/ } @{$fix->{notes} || []}), "$what: a note says the SPN was withheld")
        or diag(explain($fix));
    my $html = ref_html($ref);
    my ($n, @bad) = pre_is_fix($html);
    ok($n >= 1, "$what: the ?ref= page has fix blocks ($n)");
    is_deeply(\@bad, [], "$what: the ?ref= page's <pre class=\"fix\"> blocks: comments and known programs only");
    unlike(join('', $html =~ m{<pre[^>]*>(.*?)</pre>}sg), qr/^net group/m,
           "$what: no <pre> on the ?ref= page has a line of the client's");
    my ($n2, @bad2) = pre_is_fix($r->{body});
    is_deeply(\@bad2, [], "$what: the user's page too");
}
injected('(i) forged AP-REQ sname',
         get('web01.contoso.test', '/', header => 'Authorization: ' . apreq_token($R, 'HTTP', $EVIL)));
injected('(ii) forged NTLM MsvAvTargetName',
         get('web01.contoso.test', '/', header => 'Authorization: ' . ntlm3_target("HTTP/$EVIL")));

# -- (iii) a hostile account name holds the SPN ------------------------------------------------
# A computer account's creator can rename it; AD allows & $ ( ) ` and spaces.
my $HOSTILE = 'w2&calc$(iex x)`$';
$dc->computer('W2HOST');
$dc->set_attr('W2HOST$', 'sAMAccountName', $HOSTILE);
sub ldap_esc { my $v = shift; $v =~ s/([\\()*\0])/sprintf('\\%02x', ord $1)/ge; $v }
is(scalar $dc->attr(ldap_esc($HOSTILE), 'sAMAccountName'), $HOSTILE,
   "(iii) the computer account renamed to $HOSTILE");
# HTTP/web02.contoso.test moves from svc-web (since (b)) to it
$dc->spn_delete('HTTP/web02.contoso.test', 'svc-web');
$dc->spn_add('HTTP/web02.contoso.test', $HOSTILE);
graceful();       # the directory's run brought forward
kinit_alice();
my ($fix3) = prove(name => '(iii) hostile holder', spn => 'HTTP/web02.contoso.test',
      cause => 'spn-wrong-account',
      try => sub { get('web02.contoso.test', '/', negotiate => 1) },
      probe => sub { fresh('web02.contoso.test') },
      facts => sub { ($_[0]{holders}[0]{sam} // '') eq $HOSTILE },
      check => sub {
          my ($fix, $j) = @_;
          ok(has_step($fix, 'setspn', '-D', 'HTTP/web02.contoso.test', "$NB\\$HOSTILE"),
             '(iii): the JSON argv carries the exact account') or diag(explain($fix));
          my $html = ref_html($j->{ref});
          (my $ps = "$NB\\$HOSTILE") =~ s/'/''/g;
          like(unhtml($html), qr/^setspn -D HTTP\/web02\.contoso\.test '\Q$ps\E'$/m,
               '(iii): the ?ref= page quotes it for PowerShell (single quotes)');
          my ($n, @bad) = pre_is_fix($html);
          is_deeply(\@bad, [], '(iii): the ?ref= page\'s blocks: comments and known programs only');
      });

# The same with a quote in the name: PowerShell's '' doubling
{
    my $Q = "w2'&calc\$(iex x)`\$";
    $dc->set_attr(ldap_esc($HOSTILE), 'sAMAccountName', $Q);
    $dc->spn_delete('HTTP/web02.contoso.test', 'svc-web');
    $dc->spn_add('HTTP/web02.contoso.test', $Q);
    graceful();
    kinit_alice();
    my $t0 = int(time);
    my $r = get('web02.contoso.test', '/', negotiate => 1);
    my $ref = ref_of($r->{body});
    ok(wait_facts('HTTP/web02.contoso.test', $t0, sub { ($_[0]{holders}[0]{sam} // '') eq $Q }),
       "(iii) $Q holds HTTP/web02.contoso.test (the directory says)");
    my $fix = ref_json($ref)->{diagnosis}{fix};
    ok(has_step($fix, 'setspn', '-D', 'HTTP/web02.contoso.test', "$NB\\$Q"),
       "(iii) the JSON argv carries $NB\\$Q exactly") or diag(explain($fix));
    (my $ps = "$NB\\$Q") =~ s/'/''/g;
    like(unhtml(ref_html($ref)), qr/^setspn -D HTTP\/web02\.contoso\.test '\Q$ps\E'$/m,
         "(iii) the ?ref= page quotes it for PowerShell, the quote doubled: '$ps'");
    $dc->spn_delete('HTTP/web02.contoso.test', $Q);
    $dc->spn_add('HTTP/web02.contoso.test', 'svc-web');
}
# A step the failure does not justify is a defect too: a keytab step (and
# a password reset) when the keytab already held the account's keys.
is_deeply(\@UNNEEDED, [], 'no keytab step where the keytab already held the account\'s current keys');

$h->stop;
is_deeply([$h->sanitizer_reports], [], 'no sanitizer report in the error log');
$dc->stop;
done_testing;

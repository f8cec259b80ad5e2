#!/usr/bin/perl
# cli_usage.pl: spncheck as a new user meets it (issue 19, finding 6).
# --help, -h and help print the usage on stdout and exit 0; --version
# prints configure's version; an unknown option or command is named; and
# every command keeps one set of exit statuses: 0 read and explained (for
# keytab, probe, directory and har: and nothing fails), 1 the input cannot
# be read, 2 usage, 3 the directory cannot be used, 4 a check fails.  A
# token that is not one is said to be no token, and a keytab that is
# missing, empty or no keytab is said to be so (not "chmod it").
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $bin = $ENV{SPNCHECK_BIN} || "$top/spncheck";
my $tmp = tempdir(CLEANUP => 1);
my $n = 0;
my $fail = 0;
sub is_ok($$) { my ($c, $m) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $m\n"); $fail++ unless $c; $c }

# run(ARGS...) -> (exit status, stdout, stderr); stdin is /dev/null
sub run {
    my @args = @_;
    my $pid = fork // die;
    if (!$pid) {
        open(STDIN, '<', '/dev/null') or die;
        open(STDOUT, '>', "$tmp/out") or die;
        open(STDERR, '>', "$tmp/err") or die;
        exec $bin, @args or exit 127;
    }
    waitpid($pid, 0);
    my $rc = $? >> 8;
    my ($out, $err) = map { local (@ARGV, $/) = "$tmp/$_"; <> // '' } qw(out err);
    return ($rc, $out, $err);
}
sub expect {
    my ($want, $what, @args) = @_;
    my ($rc, $out, $err) = run(@args);
    is_ok($rc == $want, "$what: exit $want") or print "#   got $rc: $err";
    return ($rc, $out, $err);
}

# --- help and version ------------------------------------------------------------
for my $h (['--help'], ['-h'], ['help'], ['diagnose', '--help'], ['keytab', '-h'],
           ['diagnose', '--spn', 'HTTP/x@Y', '--help']) {
    my ($rc, $out, $err) = expect(0, "spncheck @$h", @$h);
    is_ok($out =~ /^usage: spncheck decode/ && $out =~ /spncheck har FILE\.har/,
          "spncheck @$h: the usage on stdout");
    is_ok($err eq '', "spncheck @$h: nothing on stderr");
}
my ($rc, $out, $err) = run('--help');
is_ok($out =~ /Exit status: 0 .*1 .*2 usage.*3 .*4 /s, '--help: the exit statuses');
my ($ver) = do { local (@ARGV, $/) = "$top/configure.ac"; <> } =~ /AC_INIT\(\[mod_spncheck\],\s*\[([^\]]+)\]/;
($rc, $out, $err) = expect(0, '--version', '--version');
is_ok($out eq "spncheck $ver\n", "--version: spncheck $ver (configure's)") or print "#   $out";
# a value that looks like a flag is a value: not a request for help
($rc, $out) = run('diagnose', '--gss-error', '-h', 'AAAA');
is_ok($rc != 0 && $out !~ /^usage/, "diagnose --gss-error -h: -h is the option's value, not help");

# --- usage errors: exit 2, the culprit named ---------------------------------------
($rc, $out, $err) = expect(2, 'no command', ());
is_ok($err =~ /^usage:/ && $out eq '', 'no command: the usage on stderr');
($rc, $out, $err) = expect(2, 'unknown command', 'frobnicate');
is_ok($err =~ /unknown command 'frobnicate'/, 'unknown command: named') or print "#   $err";
($rc, $out, $err) = expect(2, 'unknown top-level option', '--frob');
is_ok($err =~ /unknown option '--frob'/, 'unknown top-level option: named') or print "#   $err";
for my $c (['decode', '--keytab', 'x'], ['diagnose', '--frob', 'x'], ['keytab', 'k', '--bogus', '1'],
           ['probe', '--nope', 'x'], ['har', 'f.har', '--zzz', 'y']) {
    my $opt = (grep { /^--/ } @$c)[0];
    ($rc, $out, $err) = expect(2, "$c->[0] $opt", @$c);
    is_ok($err =~ /unknown option '\Q$opt\E'/, "$c->[0]: the unknown option $opt is named") or print "#   $err";
}
($rc, $out, $err) = expect(2, 'diagnose --keytab without a value', 'diagnose', '--keytab');
is_ok($err =~ /'--keytab' needs a value/, '... says the option needs a value') or print "#   $err";
($rc, $out, $err) = expect(2, 'keytab without a file', 'keytab');
($rc, $out, $err) = expect(2, 'har without a file', 'har');
($rc, $out, $err) = expect(2, 'probe without its identity', 'probe', '--spn', 'HTTP/x@Y');
is_ok($err =~ /--client-keytab/, '... says what it needs') or print "#   $err";
($rc, $out, $err) = expect(2, 'directory without a server', 'directory', 'HTTP/x');
($rc, $out, $err) = expect(2, 'a second argument', 'decode', 'AAAA', 'BBBB');
is_ok($err =~ /'BBBB'/, '... names it') or print "#   $err";
($rc, $out, $err) = expect(2, 'diagnose --at garbage', 'diagnose', '--at', 'yesterday', 'AAAA');
is_ok($err =~ /--at yesterday/, '... names the value') or print "#   $err";

# --- tokens that are not tokens: exit 1, and said so --------------------------------
my $kt = "$tmp/svc.keytab";
open(my $k, '|-', 'ktutil >/dev/null') or die "ktutil: $!";
print $k "addent -password -p HTTP/web01.example.com\@EXAMPLE.COM -k 3 -e aes256-cts-hmac-sha1-96\n",
    "Pw-1\nwkt $kt\n";
close $k;
is_ok(-s $kt, 'ktutil wrote a keytab');
my @svc = ('--keytab', $kt, '--spn', 'HTTP/web01.example.com@EXAMPLE.COM');
for my $c (['not base64', 'hello!!', qr/not base64/],
           ['base64 of text', 'aGVsbG8gd29ybGQ=', qr/not a Negotiate or NTLM token/],
           ['empty', '', qr/no token/]) {
    my ($name, $tok, $says) = @$c;
    ($rc, $out, $err) = expect(1, "decode, $name", 'decode', $tok);
    is_ok($err =~ $says, "decode, $name: says $says") or print "#   $err";
    ($rc, $out, $err) = expect(1, "diagnose, $name", 'diagnose', @svc, $tok);
    is_ok($out =~ /^cause: /m, "diagnose, $name: the diagnosis is still printed");
    is_ok($err =~ $says, "diagnose, $name: says $says") or print "#   $err";
    ($rc, $out, $err) = expect(1, "diagnose --json, $name", 'diagnose', '--json', @svc, $tok);
}
# a real token (an AP-REQ for a service the keytab does not decrypt): explained
use lib dirname(__FILE__) . '/../lib';
require SpnTest;
my $ap = SpnTest::apreq_token('EXAMPLE.COM', 'HTTP', 'web01.example.com');
($rc, $out, $err) = expect(0, 'diagnose, a Kerberos token', 'diagnose', @svc, $ap);
is_ok($err eq '', '... nothing on stderr') or print "#   $err";
($rc) = expect(0, 'decode, a Kerberos token', 'decode', $ap);

# --- keytabs: missing, empty, not a keytab, no keys told apart --------------------------
open(my $f, '>', "$tmp/empty.keytab") or die;
close $f;
open($f, '>', "$tmp/text.keytab") or die;
print $f "not a keytab\n";
close $f;
open($f, '>:raw', "$tmp/nokeys.keytab") or die;
print $f "\x05\x02";
close $f;
for my $c (['missing', "$tmp/nosuch.keytab", qr/does not exist/],
           ['empty file', "$tmp/empty.keytab", qr/empty/],
           ['not a keytab', "$tmp/text.keytab", qr/not a keytab/],
           ['a directory', $tmp, qr/not a keytab|directory/],
           ['no keys', "$tmp/nokeys.keytab", qr/no keys/]) {
    my ($name, $path, $says) = @$c;
    ($rc, $out, $err) = expect(1, "keytab, $name", 'keytab', $path);
    is_ok($err =~ $says, "keytab, $name: stderr says $says") or print "#   $err";
    my ($line) = $out =~ /^(fail +keytab-readable.*\n(?: +fix:.*\n)?)/m;
    is_ok(($line // '') =~ $says, "keytab, $name: the self-check says $says") or print "#   $out";
    is_ok(($line // '') !~ /chmod|chgrp|chown/, "keytab, $name: no chmod/chown remedy")
        or print "#   $line";
    ($rc, $out, $err) = expect(1, "diagnose --keytab, $name", 'diagnose', '--keytab', $path,
                               '--spn', 'HTTP/web01.example.com@EXAMPLE.COM', $ap);
    is_ok($err =~ $says, "diagnose --keytab, $name: says $says") or print "#   $err";
}
($rc, $out, $err) = expect(0, 'keytab, a good one', 'keytab', $kt, '--spn', 'HTTP/web01.example.com@EXAMPLE.COM');
($rc, $out, $err) = expect(4, 'keytab, a configured SPN not in it', 'keytab', $kt, '--spn',
                           'HTTP/other.example.com@EXAMPLE.COM');
is_ok($out =~ /^fail +spn-in-keytab/m, '... the failing check is printed');
($rc, $out, $err) = expect(1, 'probe, its identity\'s keytab missing', 'probe', '--client-keytab',
                           "$tmp/nosuch.keytab", '--client', 'mon@EXAMPLE.COM', '--spn', 'HTTP/x@EXAMPLE.COM');
is_ok($err =~ /--client-keytab .*does not exist/, '... says so') or print "#   $err";

# --- HAR files -------------------------------------------------------------------------
($rc, $out, $err) = expect(1, 'har, missing file', 'har', "$tmp/nosuch.har");
is_ok($err =~ /does not exist/, '... says so') or print "#   $err";
open($f, '>', "$tmp/broken.har") or die;
print $f '{"log": {"entries": [ {"request": ';
close $f;
($rc, $out, $err) = expect(1, 'har, truncated JSON', 'har', "$tmp/broken.har");
open($f, '>', "$tmp/ok.har") or die;
print $f '{"log":{"entries":[{"request":{"url":"http://x/","headers":[]},"response":{"status":200,"headers":[]}}]}}';
close $f;
($rc, $out, $err) = expect(0, 'har, nothing failed', 'har', "$tmp/ok.har");
open($f, '>', "$tmp/fail.har") or die;
printf $f '{"log":{"entries":[{"startedDateTime":"2026-11-24T12:00:00Z","request":{"url":"http://web01.example.com/",'
    . '"headers":[{"name":"Authorization","value":"Negotiate %s"}]},"response":{"status":401,'
    . '"headers":[{"name":"WWW-Authenticate","value":"Negotiate"}]}}]}}', $ap;
close $f;
($rc, $out, $err) = expect(4, 'har, a failed exchange', 'har', "$tmp/fail.har", @svc);
($rc, $out, $err) = expect(1, 'har, its --keytab missing', 'har', "$tmp/ok.har", '--keytab', "$tmp/nosuch.keytab");

# the error lines are terminal-safe: what the user typed is echoed escaped
($rc, $out, $err) = run('decode', "--\e[31mred");
is_ok($rc == 2 && $err !~ /\e/, 'an option with ESC in it: named, without the ESC') or print "#   $err";

print "1..$n\n";
exit($fail ? 1 : 0);

/* spn_fix.h: the fix for one diagnosis, as data (spn_fix.c).
 *
 * Each cause's table entry (spn_cause.c) lists fix lines: steps, each a
 * program and its arguments for one place (a Windows domain admin's
 * PowerShell, this Linux server's shell, the user's computer), and notes
 * (prose that is not a command).  spn_fix_build fills the lines in for one
 * failure: a line is kept only when its conditions hold for this failure's
 * facts, and only when every value it names is known and passes its
 * grammar (an SPN, a DOMAIN\sam account, an RFC 1123 host, a realm, a path,
 * a file name).  A value that fails is left out of every command, and a
 * note says which value was withheld and why.  The HTML block, the CLI
 * text, the log and the JSON are all rendered from the result, so they
 * cannot disagree, and argv holds exact values, neither quoted nor escaped
 * (a program can run it); the renderers quote each argument for its shell
 * (PowerShell single quotes, POSIX single quotes). */
#ifndef SPN_FIX_H
#define SPN_FIX_H

#include "spn_buf.h"
#include "spn_json.h"

struct spn_diag_s;
struct spn_service_s;

typedef enum {
    SPN_FIX_DC = 1,     /* Windows, a domain admin's PowerShell: setspn, ktpass, *-AD* */
    SPN_FIX_SERVER,     /* this Linux server's shell, as root */
    SPN_FIX_CLIENT,     /* the user's computer */
    SPN_FIX_NOTE        /* prose, not a command */
} spn_fix_where_t;

#define SPN_FIX_ARGS 18      /* argv templates of one line, NULL-terminated */
#define SPN_FIX_LINES 28     /* fix lines of one cause */
#define SPN_FIX_STEPS 16
#define SPN_FIX_NOTES 12

/* A line of a cause's fix, as written in the table: when (NULL: always)
 * is a list of conditions that must all hold, "!" negating one ("held
 * !mapped"; spn_fix_cond); why and each argv element are templates whose
 * {name} are values (spn_fix.c lists them). */
typedef struct {
    const char *when;
    int where;                       /* spn_fix_where_t */
    const char *why;                 /* the step's comment, or the note */
    const char *argv[SPN_FIX_ARGS];
} spn_fix_line_t;

typedef struct {
    int where;
    int argc;
    const char *argv[SPN_FIX_ARGS];  /* exact values */
    unsigned char value[SPN_FIX_ARGS];  /* the argument holds a value from outside: quoted
                                           when PowerShell would read it as a number or
                                           a parameter (a leading digit, sign or dot) */
    const char *why;
} spn_fix_step_t;

typedef struct {
    int n_steps, n_notes;
    spn_fix_step_t steps[SPN_FIX_STEPS];
    const char *notes[SPN_FIX_NOTES];
    unsigned withheld;               /* values left out (bits, spn_fix.c) */
    unsigned unknown;                /* values not known (bits) */
    int foreign;                     /* changes left out: a name this site does not answer to */
} spn_fix_t;

/* Who reads the fix: the user's page hides what concerns names this
 * service does not answer to; the admin's views (status page, ?ref=, the
 * CLI) show them. */
enum { SPN_FIX_FOR_USER = 0, SPN_FIX_FOR_ADMIN = 1 };

/* The fix for d (its cause and facts) on svc, in pool p. */
void spn_fix_build(apr_pool_t *p, const struct spn_diag_s *d, const struct spn_service_s *svc,
                   int audience, spn_fix_t *fx);

/* Whether condition word w (n bytes, without "!") holds for d: 1, 0, or
 * -1 when w is no condition.  The cause table's reasons use it too. */
int spn_fix_cond(const struct spn_diag_s *d, const struct spn_service_s *svc, int audience,
                 const char *w, size_t n);
/* All of a space-separated list ("held !mapped"); NULL holds. */
int spn_fix_conds(const struct spn_diag_s *d, const struct spn_service_s *svc, int audience,
                  const char *when);

/* Renderers.  html: a block per place, each a <pre> of "# why" comment
 * lines and commands quoted for that place's shell, then the notes; no
 * control character reaches a <pre>.  text: the same for a terminal.
 * json: {"steps": [{"where", "argv", "why"}], "notes": [...]}.  log: the
 * steps' programs, "setspn,setspn,ktpass" ("-" none). */
void spn_fix_html(spn_buf_t *b, const spn_fix_t *fx);
void spn_fix_text(spn_buf_t *b, const spn_fix_t *fx, const char *indent);
void spn_fix_json(spn_json_t *w, const spn_fix_t *fx);
void spn_fix_log(spn_buf_t *b, const spn_fix_t *fx);

/* One argument quoted for where's shell into b: PowerShell single quotes
 * ('' doubles a quote; U+2018..U+201B count as quotes there too) for the
 * Windows places, POSIX single quotes ('\'') for the server.  Bare when
 * force is 0 and every byte is in the shell's safe set. */
void spn_fix_quote(spn_buf_t *b, int where, const char *arg, int force);

/* Host name h (hn bytes) in its two forms: nb, the NetBIOS form (its
 * first label in upper case, or svc->netbios when that is it), and fq,
 * the fully qualified one (h, or a configured SPN's or ServerName's /
 * ServerAlias's host whose first label is h).  Empty when not known. */
void spn_fix_forms(const struct spn_service_s *svc, const char *h, size_t hn, char *nb,
                   size_t nbn, char *fq, size_t fqn);

/* Grammars (1 when s passes).  host: RFC 1123 (labels of 1..63 letters,
 * digits, hyphens, not starting or ending with one; 253 at most); real
 * host: that, and neither an IP address nor localhost.  spn:
 * class/host[:port][/name].  account: DOMAIN\sam, NetBIOS domain and
 * sAMAccountName by AD's rules (no " / \ [ ] : ; | = , + * ? < >, no
 * control or format character, 1..64 characters). */
int spn_fix_host_ok(const char *s, size_t n);
int spn_fix_real_host(const char *s, size_t n);
int spn_fix_spn_ok(const char *s);
int spn_fix_sam_ok(const char *s, size_t n);
int spn_fix_account_ok(const char *s);
int spn_fix_realm_ok(const char *s);
/* path: absolute, printable, 1024 bytes at most; word: letters, digits and
 * the bytes of extra, 64 at most, not starting with '-' or '.'. */
int spn_fix_path_ok(const char *s);
int spn_fix_word_ok(const char *s, const char *extra);
/* One character of s[0..n) allowed in a sAMAccountName: its length, or 0
 * (spn_fix_grammar.c says which). */
size_t spn_fix_sam_char(const unsigned char *s, size_t n);

#endif

/* reset-pass: set a password the installed system can verify. */
#include "pass_common.h"
#include "../lib/pwhash.h"
#include "../lib/rootfs.h"
#include "../lib/pam.h"
#include <crypt.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const char reset_pass_help[] =
	"The password never appears on the command line or in the environment: it is\n"
	"read from the terminal without echo (twice), or with --password-stdin one\n"
	"line from standard input, or with --hashed a ready crypt(5) hash from\n"
	"standard input, or made up with --generate and printed once.\n"
	"\n"
	"The hash method is the one the TARGET can verify, never the rescue system's:\n"
	"--method, else the one its own passwd makes: the hash option of pam_unix in\n"
	"the password stack of /etc/pam.d/passwd (followed through @include, include\n"
	"and substack into common-password, system-auth ...; rounds= kept), else\n"
	"ENCRYPT_METHOD in its /etc/login.defs (with SHA_CRYPT_MIN/MAX_ROUNDS or\n"
	"YESCRYPT_COST_FACTOR), else the method of most of its existing hashes,\n"
	"else its os-release: yescrypt for Debian >= 11, Ubuntu >= 20.04,\n"
	"Fedora >= 35, RHEL/CentOS/Rocky/Alma/Oracle >= 9, openSUSE/SLES >= 15, and\n"
	"SHA-512 for everything else. The hash is verified before it is written.\n"
	"\n"
	"Only the account's password field and last-change field (today, so no\n"
	"forced change; --expire sets 0 to force one) change in /etc/shadow (or\n"
	"/etc/passwd when it has no shadow line); every other byte stays. The old\n"
	"file is kept as /etc/shadow-; owner, mode and extended attributes (the\n"
	"SELinux label) are kept, else /.autorelabel is created. Setting a password\n"
	"is what the command is for, so running it is the confirmation: it does not\n"
	"ask (-y is accepted). Afterwards it says what will still stop the login:\n"
	"sshd's PermitRootLogin and PasswordAuthentication, a nologin shell, an\n"
	"expired account.\n"
	"\n"
	"--keep-same makes a repeated run change nothing: when the account's current\n"
	"hash already verifies the password given, no byte is written (the last\n"
	"change stays as it is) and the JSON says \"changed\": false.";

enum { O_USER = 'u', O_STDIN = 256, O_HASHED, O_GENERATE, O_METHOD, O_EXPIRE, O_KEEP };

static const struct cli_opt opts[] = {
	{ "user", required_argument, O_USER, "NAME", "the account (default root)" },
	{ "password-stdin", no_argument, O_STDIN, NULL, "read the password as one line from standard input" },
	{ "hashed", no_argument, O_HASHED, NULL, "read a ready crypt(5) hash from standard input" },
	{ "generate", no_argument, O_GENERATE, NULL, "make up a strong password and print it once" },
	{ "method", required_argument, O_METHOD, "METHOD", "yescrypt, sha512 or sha256 (default: what the target uses)" },
	{ "expire", no_argument, O_EXPIRE, NULL, "force a password change at the next login" },
	{ "keep-same", no_argument, O_KEEP, NULL, "change nothing when the password already is this one" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	const char *user;
	int source;  /* 0 terminal, O_STDIN, O_HASHED, O_GENERATE */
	const char *method;
	int expire, keep;
};

static int opt_fn(struct cli *c, void *vst, int id, const char *arg)
{
	struct st *s = vst;
	switch (id) {
	case O_USER: s->user = arg; break;
	case O_STDIN: case O_HASHED: case O_GENERATE:
		if (s->source && s->source != id)
			return cli_usage(c, "--password-stdin, --hashed and --generate exclude each other");
		s->source = id;
		break;
	case O_METHOD: {
		enum pwm m;
		if (pwm_parse(arg, &m))
			return cli_usage(c, "%s", rc_msg());
		s->method = arg;
		break;
	}
	case O_EXPIRE: s->expire = 1; break;
	case O_KEEP: s->keep = 1; break;
	default: return RC_EXIT_USAGE;
	}
	return 0;
}

#define PWMAX (CRYPT_MAX_PASSPHRASE_SIZE + 2)

/* One line from FD, byte by byte (no stdio buffer keeps a copy), without
 * the line end. 0, or -E2BIG (too long), -ENODATA (nothing before EOF). */
static int read_line(int fd, char *buf, size_t sz)
{
	size_t n = 0;
	int got = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = 1;
		if (ch == '\n')
			break;
		if (n + 1 >= sz) {
			/* drain the rest of the line so nothing is left behind */
			while (read(fd, &ch, 1) == 1 && ch != '\n')
				;
			explicit_bzero(buf, sz);
			return -E2BIG;
		}
		buf[n++] = ch;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	if (!got)
		return -ENODATA;
	if (strlen(buf) != n) {
		explicit_bzero(buf, sz);
		return -EINVAL;  /* a NUL byte inside */
	}
	return 0;
}

static struct termios saved_tio;
static int tty_fd = -1;

static void restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int ask(int fd, const char *prompt, char *buf, size_t sz)
{
	struct termios t;
	if (tcgetattr(fd, &saved_tio))
		return -errno;
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	tty_fd = fd;
	struct sigaction sa = { .sa_handler = restore_tty }, oi, ot, oh;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oi);
	sigaction(SIGTERM, &sa, &ot);
	sigaction(SIGHUP, &sa, &oh);
	dprintf(fd, "%s", prompt);
	tcsetattr(fd, TCSAFLUSH, &t);
	int r = read_line(fd, buf, sz);
	tcsetattr(fd, TCSAFLUSH, &saved_tio);
	dprintf(fd, "\n");
	sigaction(SIGINT, &oi, NULL);
	sigaction(SIGTERM, &ot, NULL);
	sigaction(SIGHUP, &oh, NULL);
	tty_fd = -1;
	return r;
}

/* Get the password into PW (PWMAX bytes). Returns 0 or an exit code. */
static int get_password(struct cli *c, struct st *s, const char *who, char *pw)
{
	int r;
	if (s->source == O_STDIN || s->source == O_HASHED) {
		const char *what = s->source == O_HASHED ? "hash" : "password";
		r = read_line(STDIN_FILENO, pw, PWMAX);
		if (r == -E2BIG)
			return cli_error(c, RC_EXIT_USAGE, "the %s on standard input is longer than %d bytes", what,
					 CRYPT_MAX_PASSPHRASE_SIZE - 1);
		if (r == -EINVAL)
			return cli_error(c, RC_EXIT_USAGE, "the %s on standard input contains a NUL byte", what);
		if (r || !pw[0])
			return cli_error(c, RC_EXIT_USAGE, "refusing an empty %s from standard input%s", what,
					 s->source == O_STDIN ? " (to empty a password use clear-pass)" : "");
		/* the same limit the hashing has, so --dry-run refuses what the real run would */
		return s->source == O_STDIN && pwhash_check_phrase(pw) ? cli_liberr(c) : 0;
	}
	if (s->source == O_GENERATE)
		return pw_generate(pw, 20) ? cli_liberr(c) : 0;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		return cli_error(c, RC_EXIT_USAGE, "no terminal to read the password from; use --password-stdin, "
				 "--hashed or --generate");
	}
	char prompt[600], again[PWMAX];
	snprintf(prompt, sizeof(prompt), "New password for %s: ", who);
	r = ask(fd, prompt, pw, PWMAX);
	if (!r && !pw[0])
		r = -ENODATA;
	if (!r)
		r = ask(fd, "Retype the new password: ", again, sizeof(again));
	close(fd);
	if (r == -E2BIG)
		return cli_error(c, RC_EXIT_USAGE, "the password is longer than %d bytes", CRYPT_MAX_PASSPHRASE_SIZE - 1);
	if (r)
		return cli_error(c, RC_EXIT_USAGE, "no password given; nothing was changed");
	int same = !strcmp(pw, again);
	explicit_bzero(again, sizeof(again));
	if (!same)
		return cli_error(c, RC_EXIT_USAGE, "the two passwords differ; nothing was changed");
	return pwhash_check_phrase(pw) ? cli_liberr(c) : 0;
}

int reset_pass_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { .user = "root" };
	int done;
	int rc = cli_parse(&c, applet_find("reset-pass"), argc, argv, opts, opt_fn, &s, 0, 1, &done);
	if (done)
		return rc;
	if (s.source == O_HASHED && s.method)
		return cli_finish(&c, cli_usage(&c, "--method does not apply to --hashed (the hash has its method)"));
	if (s.keep && (s.source == O_HASHED || s.source == O_GENERATE))
		return cli_finish(&c, cli_usage(&c, "--keep-same needs the password itself (terminal or --password-stdin)"));

	struct pass_ctx p;
	char pw[PWMAX];
	char *hash = NULL;
	memset(pw, 0, sizeof(pw));
	if ((rc = pass_open(&p, &c, s.user)))
		goto out;

	/* The method, chosen for the target. */
	struct pw_choice ch;
	char *defs = NULL;
	size_t defslen;
	struct rootinfo ri;
	int r = tree_read(p.tgt.tree, "/etc/login.defs", &defs, &defslen, 1 << 20);
	if (r && r != -ENOENT)
		cli_warnj(&c, "cannot read /etc/login.defs: %s", rc_msg());
	struct pam_hash ph;
	int havepam = !s.method && !pam_passwd_hash(p.tgt.tree, &ph);
	if (!s.method && !havepam)
		cli_warnj(&c, "cannot tell which hash the target's passwd makes: %s; going by login.defs", rc_msg());
	int haveos = !rootfs_inspect(p.tgt.tree, &ri);
	r = pwhash_choose(s.method, havepam ? &ph : NULL, defs, p.shadow, p.shadow_len, haveos ? &ri.os : NULL, &ch);
	free(defs);
	if (r) {
		rc = cli_liberr(&c);
		goto out;
	}

	if (s.source == O_HASHED) {
		if ((rc = get_password(&c, &s, s.user, pw)))
			goto out;
		enum pwm m;
		if (pwhash_check(pw, &m)) {
			rc = cli_liberr(&c);
			goto out;
		}
		json_object_object_add(cli_doc(&c), "method", json_object_new_string(pwm_name(m)));
		json_object_object_add(cli_doc(&c), "method_source", json_object_new_string("--hashed"));
		if (m != ch.method && (m == PWM_YESCRYPT || m == PWM_GOST_YESCRYPT || m == PWM_SCRYPT ||
				       m == PWM_BCRYPT) && ch.method != PWM_YESCRYPT)
			cli_warnj(&c, "the given hash is %s, but the target looks like it verifies %s (%s): "
				  "it may not accept this hash", pwm_name(m), pwm_name(ch.method), ch.source);
		if (m == PWM_MD5)
			cli_warnj(&c, "the given hash is MD5-crypt, which is weak; prefer a $6$ or $y$ hash");
		if (!(hash = strdup(pw))) {
			rc = cli_error(&c, RC_EXIT_FAIL, "out of memory");
			goto out;
		}
	} else {
		json_object_object_add(cli_doc(&c), "method", json_object_new_string(pwm_name(ch.method)));
		json_object_object_add(cli_doc(&c), "method_source", json_object_new_string(ch.source));
		cli_verbose(&c, "method %s: %s", pwm_name(ch.method), ch.source);
		if (c.dry_run && s.source == O_STDIN) {
			/* Check what was given, then forget it. */
			if ((rc = get_password(&c, &s, s.user, pw)))
				goto out;
		}
		if (!c.dry_run) {
			char who[PATH_MAX + 200];
			snprintf(who, sizeof(who), "%s on %s", s.user, p.desc);
			if ((rc = get_password(&c, &s, who, pw)))
				goto out;
			if (pwhash_make(&ch, pw, &hash)) {
				rc = cli_liberr(&c);
				goto out;
			}
		}
	}
	cli_info(&c, "Method: %s (%s).", s.source == O_HASHED ? pwm_name(pwm_of_hash(hash)) : pwm_name(ch.method),
			 s.source == O_HASHED ? "--hashed" : ch.source);

	long lastchg = s.expire ? 0 : pw_today();
	int changed = 0;
	/* --keep-same: the field as it is, so the edit is "nothing to change" */
	int same = s.keep && pw[0] && p.old_field && pwhash_verify(pw, p.old_field) == 1;
	if (s.keep)
		json_object_object_add(cli_doc(&c), "same_password", json_object_new_boolean(same));
	if (same) {
		lastchg = -1;
		free(hash);
		if (!(hash = strdup(p.old_field))) {
			rc = cli_error(&c, RC_EXIT_FAIL, "out of memory");
			goto out;
		}
	}
	/* Under --dry-run there is no hash yet: describe it by its method. */
	char placeholder[16];
	snprintf(placeholder, sizeof(placeholder), "%s", ch.method == PWM_YESCRYPT ? "$y$" :
		 ch.method == PWM_SHA256 ? "$5$" : "$6$");
	if ((rc = pass_write(&p, hash ? hash : placeholder, lastchg, "set the password", &changed)))
		goto out;
	if (changed && s.source == O_GENERATE) {
		if (c.json)
			json_object_object_add(cli_doc(&c), "password", json_object_new_string(pw));
		else
			printf("New password for %s: %s\n", s.user, pw);
	}
	pass_report_login(&p, 0, 0, 0);
out:
	explicit_bzero(pw, sizeof(pw));
	if (hash) {
		explicit_bzero(hash, strlen(hash));
		free(hash);
	}
	rc = pass_close(&p, rc);
	return cli_finish(&c, rc);
}

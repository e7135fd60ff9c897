/* clear-pass: empty, lock or unlock an account's password. */
#include "pass_common.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char clear_pass_help[] =
	"Empties the account's password field in /etc/shadow (or /etc/passwd when it\n"
	"has no shadow line) and sets its last change to today; with --lock puts a\n"
	"'!' in front of the password (the password is kept but refused), with\n"
	"--unlock takes every leading '!' away again (RHEL's passwd -l writes \"!!\"),\n"
	"refusing when nothing but '!' is there (the last change is left as it was).\n"
	"Targeting, the backup (/etc/shadow-), kept owner, mode and SELinux label,\n"
	"--dry-run and --json work as in reset-pass; running it is the confirmation.\n"
	"\n"
	"An empty password only works where PAM allows it: pam_unix needs 'nullok'\n"
	"in the target's common-auth (Debian, Ubuntu, SUSE) or system-auth and\n"
	"password-auth (RHEL family), and sshd never accepts it unless\n"
	"PermitEmptyPasswords yes. The applet says which of these the target has.";

enum { O_USER = 'u', O_LOCK = 256, O_UNLOCK };

static const struct cli_opt opts[] = {
	{ "user", required_argument, O_USER, "NAME", "the account (default root)" },
	{ "lock", no_argument, O_LOCK, NULL, "lock the password ('!' in front) instead of emptying it" },
	{ "unlock", no_argument, O_UNLOCK, NULL, "remove the '!' lock (every leading '!') instead of emptying" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	const char *user;
	int op;  /* 0 clear, O_LOCK, O_UNLOCK */
};

static int opt_fn(struct cli *c, void *vst, int id, const char *arg)
{
	struct st *s = vst;
	switch (id) {
	case O_USER: s->user = arg; break;
	case O_LOCK: case O_UNLOCK:
		if (s->op && s->op != id)
			return cli_usage(c, "--lock and --unlock exclude each other");
		s->op = id;
		break;
	default: return RC_EXIT_USAGE;
	}
	return 0;
}

int clear_pass_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { .user = "root" };
	int done;
	int rc = cli_parse(&c, applet_find("clear-pass"), argc, argv, opts, opt_fn, &s, 0, 1, &done);
	if (done)
		return rc;
	struct pass_ctx p;
	char *nf = NULL;
	if ((rc = pass_open(&p, &c, s.user)))
		goto out;
	const char *old = p.old_field ? p.old_field : "";
	long lastchg = -1;
	const char *what;
	json_object_object_add(cli_doc(&c), "action", json_object_new_string(
		s.op == O_LOCK ? "lock" : s.op == O_UNLOCK ? "unlock" : "clear"));
	if (s.op) {
		int r = pw_lock_field(old, s.op == O_LOCK, &nf);
		if (r == -ENOMEM) {
			rc = cli_error(&c, RC_EXIT_FAIL, "out of memory");
			goto out;
		}
		if (r < 0) {
			rc = cli_liberr(&c);
			goto out;
		}
		what = s.op == O_LOCK ? "lock the password" : "unlock the password";
	} else {
		nf = strdup("");
		lastchg = pw_today();
		what = "empty the password";
	}
	int changed = 0;
	if ((rc = pass_write(&p, nf, lastchg, what, &changed)))
		goto out;
	int empty = nf[0] == 0;
	int locked = nf[0] == '!';
	if (s.op == O_UNLOCK && (!strcmp(nf, "*") || !strcmp(nf, "!")))
		cli_warnj(&c, "'%s' still has no usable password ('%s'); set one with reset-pass", s.user, nf);
	pass_report_login(&p, empty, locked, s.op != 0);
out:
	free(nf);
	rc = pass_close(&p, rc);
	return cli_finish(&c, rc);
}

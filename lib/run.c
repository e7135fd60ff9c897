/* External programs, run without a shell. */
#include "run.h"
#include "err.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { const char *prog, *pkg; } packages[] = {
	{ "e2fsck", "e2fsprogs" }, { "resize2fs", "e2fsprogs" }, { "mke2fs", "e2fsprogs" },
	{ "mkfs.ext4", "e2fsprogs" }, { "mkfs.ext3", "e2fsprogs" }, { "mkfs.ext2", "e2fsprogs" },
	{ "fsck.ext4", "e2fsprogs" }, { "debugfs", "e2fsprogs" }, { "tune2fs", "e2fsprogs" },
	{ "xfs_repair", "xfsprogs" }, { "mkfs.xfs", "xfsprogs" }, { "xfs_admin", "xfsprogs" },
	{ "btrfs", "btrfs-progs" }, { "mkfs.btrfs", "btrfs-progs" },
	{ "mkfs.vfat", "dosfstools" }, { "fsck.vfat", "dosfstools" },
	{ "mkswap", "util-linux" }, { "mdadm", "mdadm" }, { "vgchange", "lvm2" },
	{ "lvm", "lvm2" }, { "cryptsetup", "cryptsetup" },
};

const char *run_package_of(const char *prog)
{
	for (size_t i = 0; i < sizeof(packages) / sizeof(packages[0]); i++)
		if (!strcmp(packages[i].prog, prog))
			return packages[i].pkg;
	return NULL;
}

static int executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The package manager of the running (rescue) system. */
void run_install_hint(const char *pkg, char *buf, size_t sz)
{
	static const struct { const char *tool, *cmd; } pms[] = {
		{ "apk", "apk add" }, { "apt-get", "apt-get install" }, { "dnf", "dnf install" },
		{ "yum", "yum install" }, { "zypper", "zypper install" }, { "pacman", "pacman -S" },
	};
	/* Package names differ a little between distributions. */
	const char *name = pkg;
	for (size_t i = 0; i < sizeof(pms) / sizeof(pms[0]); i++) {
		char p[PATH_MAX];
		const char *dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin" };
		for (size_t d = 0; d < 4; d++) {
			snprintf(p, sizeof(p), "%s/%s", dirs[d], pms[i].tool);
			if (executable(p)) {
				if (!strcmp(pms[i].tool, "pacman") && !strcmp(pkg, "btrfs-progs"))
					name = "btrfs-progs";
				snprintf(buf, sz, "%s %s", pms[i].cmd, name);
				return;
			}
		}
	}
	snprintf(buf, sz, "install the %s package", pkg);
}

/* Programs pinned to one file (run_pin): few, set once per applet. */
#define MAX_PINS 8
static struct {
	char prog[32];
	char path[PATH_MAX];
} pins[MAX_PINS];

static int pin_slot(const char *prog)
{
	for (int i = 0; i < MAX_PINS; i++)
		if (!strcmp(pins[i].prog, prog))
			return i;
	return -1;
}

int run_pin(const char *prog, const char *path)
{
	int i = pin_slot(prog);
	if (!path) {
		if (i >= 0)
			pins[i].prog[0] = 0;
		return 0;
	}
	if (strlen(prog) >= sizeof(pins[0].prog) || strchr(prog, '/') || strlen(path) >= sizeof(pins[0].path))
		return rc_fail(ENAMETOOLONG, "cannot pin %s to %s", prog, path);
	if (i < 0)
		i = pin_slot("");
	if (i < 0)
		return rc_fail(ENOSPC, "cannot pin %s: %d programs are pinned already", prog, MAX_PINS);
	snprintf(pins[i].prog, sizeof(pins[i].prog), "%s", prog);
	snprintf(pins[i].path, sizeof(pins[i].path), "%s", path);
	return 0;
}

int run_find(const char *prog, char *buf, size_t sz)
{
	int pin = *prog ? pin_slot(prog) : -1;
	if (pin >= 0) {
		snprintf(buf, sz, "%s", pins[pin].path);
		return 0;
	}
	if (strchr(prog, '/')) {
		if (executable(prog)) {
			snprintf(buf, sz, "%s", prog);
			return 0;
		}
	} else {
		const char *path = getenv("PATH");
		char all[8192];
		/* RESCUECTL_NO_SBIN=1 (tests) searches PATH only. */
		const char *ns = getenv("RESCUECTL_NO_SBIN");
		snprintf(all, sizeof(all), "%s%s", path ? path : "",
			 ns && *ns == '1' ? "" : ":/sbin:/usr/sbin:/bin:/usr/bin");
		for (char *save = NULL, *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			if (!*d)
				continue;
			snprintf(buf, sz, "%s/%s", d, prog);
			if (executable(buf))
				return 0;
		}
	}
	const char *pkg = run_package_of(prog);
	if (pkg) {
		char hint[128];
		run_install_hint(pkg, hint, sizeof(hint));
		return rc_fail(ENOENT, "%s not found: it is in the %s package; install it with '%s'", prog, pkg, hint);
	}
	return rc_fail(ENOENT, "%s not found in PATH, /sbin or /usr/sbin", prog);
}

void run_format(char *const argv[], char *buf, size_t sz)
{
	size_t l = 0;
	buf[0] = 0;
	for (int i = 0; argv[i] && l < sz; i++) {
		const char *a = argv[i];
		int quote = !*a || strpbrk(a, " \t'\"$\\;&|<>*?()") != NULL;
		l += (size_t)snprintf(buf + l, sz - l, quote ? "%s'%s'" : "%s%s", i ? " " : "", a);
	}
}

int run_cmd(char *const argv[], unsigned flags, int *status, char **out, size_t *outlen)
{
	char path[PATH_MAX];
	int p[2] = { -1, -1 };
	int r = run_find(argv[0], path, sizeof(path));
	if (r)
		return r;
	if ((flags & RUN_CAPTURE) && pipe2(p, O_CLOEXEC) < 0)
		return rc_fail(errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	/* Like system(3): ^C and ^\ go to the whole foreground process group;
	 * the program decides what they mean (e2fsck stops cleanly, exit 32)
	 * and rescuectl stays to report it and say what state things are in. */
	struct sigaction ign, oint, oquit;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return rc_fail(e, "cannot start %s: %s", argv[0], strerror(e));
	}
	if (pid == 0) {
		if (flags & RUN_NOINTR) {
			sigaction(SIGHUP, &ign, NULL);  /* SIG_IGN survives exec */
		} else {
			sigaction(SIGINT, &oint, NULL);
			sigaction(SIGQUIT, &oquit, NULL);
		}
		signal(SIGPIPE, SIG_DFL);
		if ((flags & RUN_OUT_TO_ERR) && !(flags & RUN_CAPTURE))
			dup2(STDERR_FILENO, STDOUT_FILENO);
		if (flags & RUN_CAPTURE) {
			dup2(p[1], STDOUT_FILENO);
			if (flags & RUN_STDERR)
				dup2(p[1], STDERR_FILENO);
		}
		if (flags & RUN_QUIET) {
			int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (nfd >= 0) {
				if (!(flags & RUN_CAPTURE))
					dup2(nfd, STDOUT_FILENO);
				if (!(flags & RUN_STDERR))
					dup2(nfd, STDERR_FILENO);
			}
		}
		execv(path, argv);
		_exit(127);
	}
	if (flags & RUN_CAPTURE) {
		size_t cap = 4096, n = 0;
		char *b = malloc(cap + 1);
		close(p[1]);
		for (;;) {
			if (b && n == cap) {
				char *nb = realloc(b, cap * 2 + 1);
				if (!nb) {
					free(b);
					b = NULL;
				} else {
					b = nb;
					cap *= 2;
				}
			}
			char sink[4096];
			ssize_t got = b ? read(p[0], b + n, cap - n) : read(p[0], sink, sizeof(sink));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			if (b)
				n += (size_t)got;
		}
		close(p[0]);
		if (b)
			b[n] = 0;
		if (out)
			*out = b;
		else
			free(b);
		if (outlen)
			*outlen = n;
	}
	int ws, wr;
	while ((wr = waitpid(pid, &ws, 0)) < 0 && errno == EINTR)
		;
	int we = errno;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (wr < 0)
		return rc_fail(we, "waiting for %s: %s", argv[0], strerror(we));
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

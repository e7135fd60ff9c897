/* Running external programs (e2fsck, resize2fs, xfs_repair, mdadm ...)
 * without a shell. Programs are looked up in PATH plus /sbin:/usr/sbin,
 * unless pinned (run_pin): then the pinned file runs, argv[0] unchanged. */
#ifndef RC_RUN_H
#define RC_RUN_H
#include <stddef.h>

/* From now on in this process, PROG (a name without '/') is PATH: run_find
 * gives PATH and run_cmd executes it with argv[0] still PROG, which lets a
 * multi-call binary dispatch on it (rescuectl's bundled e2fsck is
 * /proc/self/exe run as "e2fsck"; lib/e2tools.h). PATH NULL unpins PROG.
 * 0, or -ENOSPC (more than 8 pins) / -ENAMETOOLONG with a message. */
int run_pin(const char *prog, const char *path);

/* Find PROG; 0 and the full path in BUF, or -ENOENT with a recorded message
 * that names the package and the install command of the package manager on
 * this (rescue) system, e.g. "e2fsck not found: install e2fsprogs (apk add e2fsprogs)". */
int run_find(const char *prog, char *buf, size_t bufsz);
/* The package that ships PROG ("e2fsprogs"), or NULL. */
const char *run_package_of(const char *prog);
/* "apk add e2fsprogs" for the package manager present, in BUF. */
void run_install_hint(const char *pkg, char *buf, size_t bufsz);

#define RUN_QUIET   0x1  /* child's stdout and stderr go to /dev/null */
#define RUN_CAPTURE 0x2  /* child's stdout is captured into *out */
#define RUN_STDERR  0x4  /* with RUN_CAPTURE: stderr captured too */
#define RUN_OUT_TO_ERR 0x8  /* child's stdout goes to our stderr (keeps a JSON stdout clean
			     * without buffering output of unbounded length) */
#define RUN_NOINTR  0x10 /* the child ignores SIGINT, SIGQUIT and SIGHUP: a program that
			  * must not stop halfway (resize2fs moving data) survives ^C and
			  * a dropped SSH session */
/* Run ARGV[0] (looked up as run_find does) with ARGV. Returns 0 and the exit
 * status in *status (or 128+signal), or -errno with a message. */
int run_cmd(char *const argv[], unsigned flags, int *status, char **out, size_t *outlen);
/* The command line as one printable string (for --dry-run and messages). */
void run_format(char *const argv[], char *buf, size_t bufsz);

#endif

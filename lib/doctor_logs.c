/* doctor, family logs: what the last boot said, from the text logs the
 * target keeps and, where the rescue system has journalctl, from its
 * systemd journal; each finding tied back to the check that explains it. */
#include "doctor_priv.h"
#include "run.h"
#include "err.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_TAIL ((size_t)8 << 20)
#define JOURNAL_COPY ((size_t)128 << 20)
#define JOURNAL_LINES "50000"

static const char *const logs[] = { "/var/log/syslog", "/var/log/messages", "/var/log/kern.log", "/var/log/boot.log",
				    "/var/log/dmesg" };
#define NLOGS (sizeof(logs) / sizeof(logs[0]))

struct dr_logs {
	struct dr_text t[NLOGS + 1];   /* the last: the journal's output */
	int from[NLOGS + 1];           /* first line of the last boot */
	int loaded;
};

/* The last boot starts at the kernel's banner. */
static int last_boot(const struct dr_text *t)
{
	for (int i = t->n; i-- > 0;)
		if (strstr(t->line[i], "Linux version ") || strstr(t->line[i], "-- Boot "))
			return i;
	return 0;
}

/* ---- the journal ------------------------------------------------------------ */

/* Copy the newest journal files of an offline tree to DIR (at most JOURNAL_COPY bytes). */
static int copy_journal(struct dr_ctx *c, const char *dir)
{
	char **ids, **files;
	size_t ni, nf, total = 0;
	int copied = 0;
	if (dv_list(c->v, "/var/log/journal", &ids, &ni))
		return 0;
	for (size_t i = 0; i < ni; i++) {
		char d[400];
		snprintf(d, sizeof(d), "/var/log/journal/%s", ids[i]);
		if (dv_list(c->v, d, &files, &nf))
			continue;
		for (size_t k = nf; k-- > 0 && total < JOURNAL_COPY;) {   /* system.journal sorts last */
			char src[700], dst[700];
			struct tree_stat m;
			snprintf(src, sizeof(src), "%s/%s", d, files[k]);
			snprintf(dst, sizeof(dst), "%s/%s", dir, files[k]);
			if (!strstr(files[k], ".journal") || dv_meta(c->v, src, 0, &m) || m.type != 'f' ||
			    total + m.size > JOURNAL_COPY)
				continue;
			int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			char buf[65536];
			size_t got;
			for (uint64_t off = 0; fd >= 0 && !dv_pread(c->v, src, off, buf, sizeof(buf), &got) && got; off += got)
				if (write(fd, buf, got) != (ssize_t)got)
					break;
			if (fd >= 0)
				close(fd), copied++, total += m.size;
		}
		tree_free_list(files, nf);
	}
	tree_free_list(ids, ni);
	return copied;
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[700];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void read_journal(struct dr_ctx *c, struct dr_text *t)
{
	char dir[PATH_MAX + 32] = "", tmp[] = "/tmp/rescuectl-journal.XXXXXX", *out = NULL;
	size_t len = 0;
	int st = 0, made = 0;
	if (dv_exists(c->v, "/var/log/journal") != 1)
		return;
	if (!c->o.journalctl || !c->o.journalctl[0]) {
		dr_unchecked(c, "the systemd journal (/var/log/journal) was not read: this rescue system has no journalctl");
		return;
	}
	if (c->v->tg && c->v->tg->via == TARGET_VIA_DIR)
		snprintf(dir, sizeof(dir), "%s/var/log/journal", c->v->tg->root);
	else if (mkdtemp(tmp) && (made = 1) && copy_journal(c, tmp))
		snprintf(dir, sizeof(dir), "%s", tmp);
	char *argv[] = { (char *)c->o.journalctl, "-D", dir, "-b", "0", "-q", "--no-pager", "-o", "short",
			 "-n", JOURNAL_LINES, NULL };
	if (dir[0] && !run_cmd(argv, RUN_CAPTURE, &st, &out, &len) && !st && out)
		dr_text_set(t, out, len);
	else
		dr_unchecked(c, "the systemd journal could not be read%s", dir[0] ? " (journalctl failed)" : "");
	free(out);
	if (made)
		rm_dir(tmp);
}

static struct dr_logs *logs_of(struct dr_ctx *c)
{
	struct dr_facts *f = c->facts;
	if (!f->logs) {
		struct dr_logs *l = calloc(1, sizeof(*l));
		if (!l)
			return NULL;
		f->logs = l;
		for (size_t i = 0; i < NLOGS; i++)
			if (!dr_text_load(c, logs[i], LOG_TAIL, 1, &l->t[i]) && strcmp(logs[i], "/var/log/dmesg") &&
			    strcmp(logs[i], "/var/log/boot.log"))
				l->from[i] = last_boot(&l->t[i]);
		read_journal(c, &l->t[NLOGS]);
	}
	return f->logs;
}

void dr_logs_free(struct dr_logs *l)
{
	for (size_t i = 0; l && i <= NLOGS; i++)
		dr_text_free(&l->t[i]);
	free(l);
}

/* ---- looking ------------------------------------------------------------------ */

struct hit {
	const char *file;
	int line;
	const char *text;
	int count;
};

/* The first line of the last boot, in any log, that holds one of PATS; and how many do. */
static int scan(struct dr_ctx *c, const char *const *pats, struct hit *h)
{
	struct dr_logs *l = logs_of(c);
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; l && i <= NLOGS; i++) {
		const struct dr_text *t = &l->t[i];
		for (int k = t->state == 1 ? l->from[i] : t->n; k < t->n; k++)
			for (const char *const *p = pats; *p; p++)
				if (strstr(t->line[k], *p)) {
					if (!h->count++) {
						h->file = i < NLOGS ? logs[i] : "journal (journalctl -b 0)";
						h->line = i < NLOGS ? k + 1 : 0;
						h->text = t->line[k];
					}
					break;
				}
	}
	return h->count;
}

/* A finding of this run, of FAMILY (or any when NULL) at SEV or worse, whose seen text holds NEEDLE (or any). */
static const char *related(struct dr_ctx *c, const char *family, enum dr_sev sev, const char *needle)
{
	for (size_t i = 0; i < c->nf; i++) {
		const struct dr_finding *f = &c->f[i];
		if (f->row && strcmp(f->row->family, "logs") && f->sev <= sev &&
		    (!family || !strcmp(f->row->family, family)) && (!needle || strcasestr(f->seen, needle)))
			return f->row->id;
	}
	return NULL;
}

/* The first of IDS found in this run (NULL IDS: any boot finding that blocks boot). */
static const char *first_of(struct dr_ctx *c, const char *const *ids)
{
	for (const char *const *id = ids; id && *id; id++)
		for (size_t i = 0; i < c->nf; i++)
			if (c->f[i].row && !strcmp(c->f[i].row->id, *id))
				return *id;
	return related(c, "boot", DR_BOOT, NULL);
}

static struct dr_finding *log_finding(struct dr_ctx *c, enum dr_sev sev, const struct hit *h, const char *rel,
				      const char *what)
{
	struct dr_finding *f = dr_add(c, sev, h->file, h->line, h->text, "%s%s", what,
				      h->count > 1 ? " (and more lines like it)" : "");
	if (f && rel)
		snprintf(f->related, sizeof(f->related), "%s", rel);
	if (f)
		dr_fixtext(f, rel ? "see %s above" : "read the log around this line for the cause", rel);
	return f;
}

int ck_logs_emergency(struct dr_ctx *c)
{
	static const char *const p[] = { "You are in emergency mode", "Entering emergency mode", "Reached target "
					 "Emergency Mode", "Reached target emergency.target", "Started Emergency Shell",
					 "Give root password for maintenance", NULL };
	struct hit h;
	if (scan(c, p, &h))
		log_finding(c, DR_BOOT, &h, related(c, NULL, DR_BOOT, NULL), "the last boot stopped in emergency mode");
	return 0;
}

/* The UUID in a systemd device name (dev-disk-by\x2duuid-ab12\x2d... or /dev/disk/by-uuid/ab12-...). */
static void uuid_in(const char *line, char *out, size_t sz)
{
	const char *p = strstr(line, "by-uuid/"), *q = strstr(line, "by\\x2duuid-");
	size_t o = 0;
	p = p ? p + 8 : q ? q + 11 : NULL;
	for (; p && *p && o + 1 < sz;) {
		if (!strncmp(p, "\\x2d", 4)) {
			out[o++] = '-';
			p += 4;
		} else if (isxdigit((unsigned char)*p) || *p == '-') {
			out[o++] = *p++;
		} else {
			break;
		}
	}
	out[o] = 0;
}

int ck_logs_device_timeout(struct dr_ctx *c)
{
	static const char *const p[] = { "Timed out waiting for device", NULL };
	struct hit h;
	char uuid[80];
	if (!scan(c, p, &h))
		return 0;
	uuid_in(h.text, uuid, sizeof(uuid));
	const char *rel = uuid[0] ? related(c, NULL, DR_NOTE, uuid) : NULL;
	const struct fstab *fs = dr_fstab(c, NULL);
	for (size_t i = 0; uuid[0] && fs && i < fs->n; i++)
		if (strcasestr(fs->e[i].spec, uuid) && fstab_opt(fs->e[i].opts, "nofail", NULL, 0))
			return 0;   /* a device boot does not wait for */
	log_finding(c, DR_NOTE, &h, rel, "the last boot waited in vain for a device");
	return 0;
}

int ck_logs_panic(struct dr_ctx *c)
{
	static const char *const p[] = { "Kernel panic - not syncing", NULL };
	struct hit h;
	if (!scan(c, p, &h))
		return 0;
	static const char *const root[] = { "boot.initramfs", "boot.default", "boot.root-mismatch", "boot.cmdline", NULL };
	static const char *const init[] = { "boot.init", "boot.cmdline", NULL };
	const char *rel = first_of(c, strstr(h.text, "init") ? init : strstr(h.text, "mount root") ? root : NULL);
	log_finding(c, DR_BOOT, &h, rel, "the last boot ended in a kernel panic");
	return 0;
}

int ck_logs_oom(struct dr_ctx *c)
{
	static const char *const p[] = { "Out of memory: Kill", "invoked oom-killer", NULL };
	struct hit h;
	char what[DR_TEXT];
	if (!scan(c, p, &h))
		return 0;
	snprintf(what, sizeof(what), "the kernel ran out of memory in the last boot and killed processes (%d log lines): "
		 "sshd may be among them", h.count);
	log_finding(c, DR_DEGRADED, &h, NULL, what);
	return 0;
}

int ck_logs_sshd_failed(struct dr_ctx *c)
{
	static const char *const p[] = { "Failed to start OpenSSH", "Failed to start ssh.service",
					 "Failed to start sshd.service", "ssh.service: Failed with result",
					 "sshd.service: Failed with result", NULL };
	struct hit h;
	if (scan(c, p, &h))
		log_finding(c, DR_LOGIN, &h, related(c, "sshd", DR_LOGIN, NULL), "sshd failed to start in the last boot");
	return 0;
}

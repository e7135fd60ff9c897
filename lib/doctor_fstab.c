/* doctor, family fstab: the most common reason for emergency mode. */
#include "doctor_priv.h"
#include "doctor_fsopts.h"
#include "err.h"
#include "chase.h"
#include "mount_fstab.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FSTAB "/etc/fstab"

/* ---- what kind of entry ------------------------------------------------------ */

static int has_opt(const struct fstab_entry *e, const char *o)
{
	return fstab_opt(e->opts, o, NULL, 0);
}

/* Boot does not wait for it: nofail, noauto or an automount. */
static int optional(const struct fstab_entry *e)
{
	return has_opt(e, "nofail") || has_opt(e, "noauto") || has_opt(e, "x-systemd.automount");
}

static int is_swap(const struct fstab_entry *e)
{
	return !strcmp(e->vfstype, "swap");
}

/* A filesystem on a local block device that boot mounts (mount.h's rule,
 * the root included). */
static int is_block(const struct fstab_entry *e)
{
	char why[128];
	if (!strcmp(e->vfstype, "zfs") || !strcmp(e->vfstype, "squashfs"))
		return 0;
	if (!strcmp(e->file, "/"))
		return strcmp(e->vfstype, "tmpfs") && strcmp(e->vfstype, "overlay");
	return fstab_entry_mountable(e, why, sizeof(why));
}

static int is_esp(const struct fstab_entry *e)
{
	return (!strcmp(e->file, "/boot/efi") || !strcmp(e->file, "/efi")) && !strcmp(e->vfstype, "vfat");
}

/* The fix text every device finding offers. */
static void nofail_fix(struct dr_ctx *c, struct dr_finding *f, const struct fstab_entry *e)
{
	if (!f)
		return;
	snprintf(f->key, sizeof(f->key), "%s", e->file);
	f->n = e->line;
	dr_fixtext(f, "rescuectl doctor --fix %s %s (adds nofail to the line, with a dated note; "
		   "--comment-out comments the line out instead). Or put the disk back.", f->row->id, dr_target(c));
}

/* ---- checks ----------------------------------------------------------------- */

/* Fields of an fstab line (whitespace separated); the numbers' validity. */
static int fields(const char *l, char f[6][32], int *bad_num)
{
	int n = 0;
	*bad_num = 0;
	for (const char *p = l + strspn(l, " \t\r"); *p; p += strspn(p, " \t\r")) {
		size_t k = strcspn(p, " \t\r");
		if (n < 6)
			snprintf(f[n], 32, "%.*s", (int)(k < 31 ? k : 31), p);
		if (n >= 4 && n < 6)
			for (size_t i = 0; i < k; i++)
				*bad_num |= !isdigit((unsigned char)p[i]);
		n++;
		p += k;
	}
	return n;
}

int ck_fstab_syntax(struct dr_ctx *c)
{
	const struct dr_text *t;
	dr_fstab(c, &t);
	if (t->state != 1)
		return 0;
	for (int i = 0; i < t->n; i++) {
		const char *l = t->line[i] + strspn(t->line[i], " \t\r");
		char f[6][32];
		int bad_num, n;
		if (!*l || *l == '#')
			continue;
		n = fields(l, f, &bad_num);
		if (n >= 3 && n <= 6 && !bad_num)
			continue;
		struct dr_finding *fd = dr_add(c, DR_DEGRADED, FSTAB, i + 1, t->line[i], "%s",
					       n < 3 ? "fewer than three fields: mount and systemd ignore this line" :
					       n > 6 ? "more than six fields (a space in a path must be written \\040): "
						       "the line is not read" :
						       "the fifth and sixth fields must be numbers: the line is not read");
		dr_fixtext(fd, "edit line %d of /etc/fstab: SPEC MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]", i + 1);
	}
	return 0;
}

/* The root's own entry names the device the view was opened from. */
static int is_root_device(struct dr_ctx *c, const struct fstab_entry *e)
{
	return c->v->root_known && fstab_spec_matches(e->spec, &c->v->root_id);
}

int ck_fstab_missing_device(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	char why[320];
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		if (!is_block(e) || is_esp(e) || optional(e) || is_root_device(c, e))
			continue;
		if (!strcmp(e->file, "/") && !c->v->root_known) {
			dr_unchecked(c, "fstab line %d (/): the device of the tree is not known", e->line);
			continue;
		}
		enum dx_answer a = devindex_find(dv_devices(c->v), e->spec, NULL, why, sizeof(why));
		if (a == DX_CANNOT_TELL)
			dr_unchecked(c, "fstab line %d (%s): %s", e->line, e->file, why);
		if (a != DX_MISSING)
			continue;
		if (!strcmp(e->file, "/")) {
			struct dr_finding *f = dr_add(c, DR_DEGRADED, FSTAB, e->line, dr_line(t, e->line), "the root's line "
						      "names another device (%s): the kernel mounts the root from root=, "
						      "but the check at boot and remounts look for this one", why);
			dr_fixtext(f, "correct the line: the root is %s (UUID=%s)", c->v->root_id.path,
				   c->v->root_id.uuid[0] ? c->v->root_id.uuid : "?");
			if (f) {
				f->fixable = 0;
				snprintf(f->why, sizeof(f->why), "What reads fstab for the root (fsck at boot, mount -o remount) "
					 "looks for it by this name.");
			}
			continue;
		}
		nofail_fix(c, dr_add(c, DR_BOOT, FSTAB, e->line, dr_line(t, e->line), "%s, and the line has no "
				     "nofail: boot waits 90 s for it, then stops in emergency mode", why), e);
	}
	return 0;
}

int ck_fstab_missing_swap(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	char why[320];
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		if (!is_swap(e) || optional(e))
			continue;
		int file = e->spec[0] == '/' && strncmp(e->spec, "/dev/", 5);
		enum dx_answer a = DX_FOUND;
		if (file) {
			int r = dv_exists(c->v, e->spec);
			a = r == 1 ? DX_FOUND : r == 0 ? DX_MISSING : DX_CANNOT_TELL;
			snprintf(why, sizeof(why), r == 0 ? "the swap file %s is not in the tree" : "%s", r == 0 ? e->spec : dv_why(c->v));
		} else {
			a = devindex_find(dv_devices(c->v), e->spec, NULL, why, sizeof(why));
		}
		if (a == DX_CANNOT_TELL)
			dr_unchecked(c, "fstab line %d (swap): %s", e->line, why);
		if (a == DX_MISSING)
			nofail_fix(c, dr_add(c, DR_DEGRADED, FSTAB, e->line, dr_line(t, e->line), "%s; without nofail "
					     "every boot waits for it and reports a failed swap", why), e);
	}
	return 0;
}

/* A mount helper (/sbin/mount.TYPE) in the tree: mount(8) runs it. */
static int has_helper(struct dr_ctx *c, const char *type)
{
	static const char *const dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin" };
	char p[300];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/mount.%s", dirs[i], type);
		if (dv_exists(c->v, p) == 1)
			return 1;
	}
	return 0;
}

int ck_fstab_unknown_type(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	char kver[128];
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		if (fso_type_known(e->vfstype) || has_helper(c, e->vfstype) ||
		    dr_kernel_has_fs(c, e->vfstype, kver, sizeof(kver)) != 0 || has_opt(e, "noauto"))
			continue;
		struct dr_finding *f = dr_add(c, optional(e) ? DR_DEGRADED : DR_BOOT, FSTAB, e->line, dr_line(t, e->line),
					      "filesystem type \"%s\" is known neither to the installed kernels (no "
					      "fs-%s module) nor to mount (no mount.%s helper)", e->vfstype, e->vfstype,
					      e->vfstype);
		dr_fixtext(f, "correct the third field of line %d of /etc/fstab (blkid shows the real type), or add "
			   "nofail to the line", e->line);
	}
	return 0;
}

/* The next option of a comma-separated list into O; a quoted part
 * (context="a,b") keeps its commas. */
static const char *next_opt(const char *p, char *o, size_t osz)
{
	size_t n = 0;
	int q = 0;
	while (p[n] && (q || p[n] != ',')) {
		if (p[n] == '"')
			q = !q;
		n++;
	}
	snprintf(o, osz, "%.*s", (int)n, p);
	return p[n] ? p + n + 1 : p + n;
}

int ck_fstab_bad_option(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		char o[256], why[256], all[DR_TEXT] = "";
		if (!is_block(e))
			continue;
		for (const char *p = e->opts; *p;) {
			p = next_opt(p, o, sizeof(o));
			if (!*o || fso_generic(o) || fso_known(e->vfstype, o, why, sizeof(why)) != 0)
				continue;
			size_t l = strlen(all);
			snprintf(all + l, sizeof(all) - l, "%s%s", l ? "; " : "", why);
		}
		if (!*all)
			continue;
		struct dr_finding *f = dr_add(c, optional(e) ? DR_DEGRADED : DR_BOOT, FSTAB, e->line, dr_line(t, e->line),
					      "%s: the kernel refuses to mount %s with it", all, e->file);
		dr_fixtext(f, "remove or correct the option on line %d of /etc/fstab (see 'man %s')", e->line,
			   !strncmp(e->vfstype, "ext", 3) ? "ext4" : e->vfstype);
	}
	return 0;
}

static int is_net(const struct fstab_entry *e)
{
	char why[128];
	fstab_entry_mountable(e, why, sizeof(why));
	return !strncmp(why, "network", 7);
}

int ck_fstab_fsck_pass(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	int systemd = dr_init_system(c) == DR_INIT_SYSTEMD;
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		char checker[64], p[128];
		if (e->passno <= 0 || is_swap(e) || !strcmp(e->vfstype, "auto") || has_opt(e, "noauto"))
			continue;
		int net = is_net(e), found = 0;
		snprintf(checker, sizeof(checker), "fsck.%s", e->vfstype);
		for (const char *d = "/sbin\0/usr/sbin\0/bin\0/usr/bin\0"; *d && !found && !net; d += strlen(d) + 1) {
			snprintf(p, sizeof(p), "%s/%s", d, checker);
			found = dv_exists(c->v, p) == 1;
		}
		if (found)
			continue;
		if (net)
			snprintf(checker, sizeof(checker), "checker: it is a network filesystem");
		struct dr_finding *f = dr_add(c, systemd ? DR_NOTE : DR_DEGRADED, FSTAB, e->line, dr_line(t, e->line),
					      "a check at boot (pass %d) is asked for, but there is no %s", e->passno,
					      checker);
		dr_fixtext(f, "set the sixth field of line %d of /etc/fstab to 0", e->line);
	}
	return 0;
}

/* Below a virtual filesystem (of the fstab, or the ones every system mounts)? */
static int under_virtual(const struct fstab *fs, const struct fstab_entry *e)
{
	static const char *const api[] = { "/proc", "/sys", "/dev", "/run" };
	char why[128];
	for (size_t i = 0; i < 4; i++)
		if (path_under(e->file, api[i]))
			return 1;
	for (size_t i = 0; i < fs->n; i++) {
		const struct fstab_entry *o = &fs->e[i];
		if (o != e && strcmp(o->file, e->file) && path_under(e->file, o->file) &&
		    !fstab_entry_mountable(o, why, sizeof(why)) && strstr(why, "not a block device"))
			return 1;
	}
	return 0;
}

int ck_fstab_missing_mountpoint(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	int systemd = dr_init_system(c) == DR_INIT_SYSTEMD;
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		struct tree_stat m;
		if (e->file[0] != '/' || !strcmp(e->file, "/") || is_swap(e) || has_opt(e, "noauto") || under_virtual(fs, e))
			continue;
		int r = dv_meta_mountpoint(c->v, e->file, &m);
		if (r == -ENODATA)
			dr_unchecked(c, "mount point %s: %s", e->file, dv_why(c->v));
		if (r == -ENODATA || (r == 0 && m.type == 'd') || (r && r != -ENOENT))
			continue;
		struct dr_finding *f = dr_add(c, systemd ? DR_NOTE : optional(e) ? DR_DEGRADED : DR_BOOT, FSTAB, e->line,
					      dr_line(t, e->line), "the mount point %s %s%s", e->file,
					      r ? "does not exist" : "is not a directory",
					      systemd ? " (systemd creates a missing one at boot)" :
					      ": the mount fails at boot");
		dr_fixtext(f, "mkdir -p %s in the tree (after 'rescuectl mount-root': mkdir -p /mnt%s)", e->file, e->file);
	}
	return 0;
}

int ck_fstab_missing_module(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	char kver[128];
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		if (!is_block(e) || !fso_modular(e->vfstype) || dr_kernel_has_fs(c, e->vfstype, kver, sizeof(kver)) != 0)
			continue;
		int boot = !strcmp(e->file, "/") || !optional(e);
		struct dr_finding *f = dr_add(c, boot ? DR_BOOT : DR_DEGRADED, FSTAB, e->line, dr_line(t, e->line),
					      "the newest installed kernel (%s) has no %s driver, neither built in nor "
					      "as a module", kver, e->vfstype);
		dr_fixtext(f, "install the kernel's extra modules package (Debian/Ubuntu: linux-modules-extra-%s), "
			   "or boot a kernel that has %s", kver, e->vfstype);
	}
	return 0;
}

/* ---- the fix ------------------------------------------------------------------- */

/* Where the options field of LINE ends (after the fourth field), or where
 * a fourth field goes; *HAS says whether there was one. */
static size_t opts_end(const char *line, int *has)
{
	const char *p = line;
	for (int i = 0; i < 4; i++) {
		p += strspn(p, " \t");
		if (!*p || *p == '\r') {
			*has = 0;
			return (size_t)(p - line);
		}
		p += strcspn(p, " \t\r");
	}
	*has = 1;
	return (size_t)(p - line);
}

int fx_fstab_nofail(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	const char *text;
	size_t len, end;
	char day[16], what[DR_TEXT + 64];
	int r = dr_fix_text(p, FSTAB, &text, &len);
	if (r)
		return r;
	long at = dr_find_line(text, len, f->seen, &end);
	if (at < 0)
		return rc_fail(ENOENT, "line %d of /etc/fstab is no longer \"%s\"", f->line, f->seen);
	size_t ll = end - (size_t)at, cap = len + ll + 2 * DR_TEXT;
	char *out = malloc(cap), *line = strndup(text + at, ll);
	if (!out || !line) {
		free(out);
		free(line);
		return rc_fail(ENOMEM, "out of memory");
	}
	dr_today(c, day, sizeof(day));
	int cutw = (int)strcspn(f->what, ";");
	const char *and = strstr(f->what, ", and ");
	if (and && and - f->what < cutw)
		cutw = (int)(and - f->what);
	int has, n = snprintf(out, cap, "%.*s# rescuectl doctor %s, %s: %s: %.*s\n", (int)at, text, day, f->row->id,
			      c->o.fstab_comment ? "commented out" : "added nofail", cutw, f->what);
	if (c->o.fstab_comment) {
		n += snprintf(out + n, cap - n, "#%s", line);
	} else {
		size_t oe = opts_end(line, &has);
		n += snprintf(out + n, cap - n, "%.*s%s%s", (int)oe, line, has ? ",nofail" : "\tnofail", line + oe);
	}
	memcpy(out + n, text + end, len - end);
	snprintf(what, sizeof(what), "%s line %d (%s)", c->o.fstab_comment ? "comment out" : "add nofail to", f->line,
		 f->key);
	r = dr_fix_set_text(p, FSTAB, out, (size_t)n + len - end, what);
	free(out);
	free(line);
	return r;
}

/* The ESP is in the boot family, but it is an fstab line: its fix is nofail too. */
int ck_boot_esp(struct dr_ctx *c)
{
	const struct dr_text *t;
	const struct fstab *fs = dr_fstab(c, &t);
	char why[320];
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct fstab_entry *e = &fs->e[i];
		if (!is_esp(e) || optional(e))
			continue;
		enum dx_answer a = devindex_find(dv_devices(c->v), e->spec, NULL, why, sizeof(why));
		if (a == DX_CANNOT_TELL)
			dr_unchecked(c, "the EFI system partition (fstab line %d): %s", e->line, why);
		if (a == DX_MISSING)
			nofail_fix(c, dr_add(c, DR_BOOT, FSTAB, e->line, dr_line(t, e->line), "the EFI system partition "
					     "is not on this machine: %s, and the line has no nofail", why), e);
	}
	return 0;
}

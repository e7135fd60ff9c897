/* doctor, family boot: kernels against their initramfs, GRUB's entries and
 * default, the kernel command line, init. */
#include "doctor_priv.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- GRUB paths ---------------------------------------------------------------- */

/* The UUID a fstab line with mount point MP names ("" when not UUID=). */
static void fstab_uuid(struct dr_ctx *c, const char *mp, char *out, size_t sz)
{
	const struct fstab *fs = dr_fstab(c, NULL);
	const struct fstab_entry *e = fs ? fstab_find(fs, mp) : NULL;
	out[0] = 0;
	if (e && !strncmp(e->spec, "UUID=", 5))
		snprintf(out, sz, "%s", e->spec + 5 + (e->spec[5] == '"'));
	out[strcspn(out, "\"")] = 0;
}

int dr_grub_path(struct dr_ctx *c, const struct grub_entry *e, const char *p, char *tree, size_t tsz)
{
	char cand[3][600], boot_uuid[80];
	int nc = 0, unknown = 0;
	if (p[0] == '(')                          /* (hd0,gpt2)/vmlinuz */
		p = strchr(p, ')') ? strchr(p, ')') + 1 : p;
	if (strchr(p, '$') || p[0] != '/')
		return -1;
	fstab_uuid(c, "/boot", boot_uuid, sizeof(boot_uuid));
	int boot_first = boot_uuid[0] && (!e->search_uuid[0] || !strcasecmp(e->search_uuid, boot_uuid));
	if (boot_first)
		snprintf(cand[nc++], sizeof(cand[0]), "/boot%s", p);
	snprintf(cand[nc++], sizeof(cand[0]), "%s", p);
	if (!boot_first)
		snprintf(cand[nc++], sizeof(cand[0]), "/boot%s", p);
	if (!strncmp(p, "/@", 2) && strchr(p + 1, '/'))   /* a btrfs subvolume: /@/boot/vmlinuz */
		snprintf(cand[nc++], sizeof(cand[0]), "%s", strchr(p + 1, '/'));
	for (int i = 0; i < nc; i++) {
		int r = dv_exists(c->v, cand[i]);
		if (r == 1) {
			snprintf(tree, tsz, "%s", cand[i]);
			return 1;
		}
		unknown |= r < 0;
	}
	snprintf(tree, tsz, "%s", cand[0]);
	return unknown ? -1 : 0;
}

const struct dr_kernel *dr_entry_kernel(const struct dr_boot *b, const struct grub_entry *e)
{
	const char *base = strrchr(e->kernel, '/');
	base = base ? base + 1 : e->kernel;
	for (int i = 0; i < b->nk; i++) {
		const char *kb = strrchr(b->k[i].image, '/') + 1;
		if (!strcmp(kb, base))
			return &b->k[i];
	}
	return NULL;
}

/* Is entry E of B bootable? 0 yes; 1 no (WHY says what is missing or
 * damaged); -1 cannot tell. */
static int entry_problem(struct dr_ctx *c, const struct dr_boot *b, const struct grub_entry *e, char *why, size_t wsz)
{
	char tree[600];
	if (e->uses_vars || !e->kernel[0])
		return -1;
	int r = dr_grub_path(c, e, e->kernel, tree, sizeof(tree));
	if (r <= 0) {
		snprintf(why, wsz, "its kernel %s is not there", e->kernel);
		return r < 0 ? -1 : 1;
	}
	for (int i = 0; i < e->ninitrd; i++) {
		r = dr_grub_path(c, e, e->initrd[i], tree, sizeof(tree));
		if (r <= 0) {
			snprintf(why, wsz, "its initramfs %s is not there", e->initrd[i]);
			return r < 0 ? -1 : 1;
		}
	}
	const struct dr_kernel *k = dr_entry_kernel(b, e);
	if (k && (k->ird == IRD_EMPTY || k->ird == IRD_CUT || k->ird == IRD_BAD) && e->ninitrd) {
		snprintf(why, wsz, "its initramfs %s is damaged: %s", k->initrd, k->ird_why);
		return 1;
	}
	return 0;
}

/* The entry GRUB boots: the default, or the first when the default names none. */
static const struct grub_entry *boots(const struct dr_boot *b)
{
	if (!b || b->grub_state != 1 || !b->g.n)
		return NULL;
	return &b->g.e[b->def >= 0 ? b->def : 0];
}

/* The newest entry that would boot, other than SKIP: its index or -1. */
static int newest_complete(struct dr_ctx *c, const struct dr_boot *b, const struct grub_entry *skip)
{
	int best = -1;
	char why[300];
	for (int i = 0; i < b->g.n; i++) {
		const struct grub_entry *e = &b->g.e[i];
		if (e == skip || e->recovery || entry_problem(c, b, e, why, sizeof(why)) != 0)
			continue;
		if (best < 0 || strverscmp(e->version, b->g.e[best].version) > 0)
			best = i;
	}
	return best;
}

/* ---- checks -------------------------------------------------------------------- */

static const char *ird_words(enum dr_ird i)
{
	switch (i) {
	case IRD_NONE: return "is missing";
	case IRD_EMPTY: return "is empty";
	case IRD_CUT: return "is cut short";
	default: return "is not an initramfs";
	}
}

/* The kernel boot uses: the default entry's, else the newest. */
static const struct dr_kernel *boot_kernel(const struct dr_boot *b)
{
	const struct grub_entry *e = boots(b);
	const struct dr_kernel *k = e ? dr_entry_kernel(b, e) : NULL, *newest = NULL;
	for (int i = 0; !k && i < b->nk; i++)
		if (strncmp(b->k[i].ver, "0-rescue-", 9) && (!newest || strverscmp(b->k[i].ver, newest->ver) > 0))
			newest = &b->k[i];
	return k ? k : newest;
}

/* The command that rebuilds kernel K's initramfs, for the fix text. */
static void rebuild_cmd(const struct dr_boot *b, const struct dr_kernel *k, char *out, size_t sz)
{
	if (!strcmp(b->gen, "update-initramfs"))
		snprintf(out, sz, "update-initramfs -%c -k %s", k->ird == IRD_NONE ? 'c' : 'u', k->ver);
	else if (!strcmp(b->gen, "dracut"))
		snprintf(out, sz, "dracut --force %s %s", k->initrd, k->ver);
	else if (!strcmp(b->gen, "mkinitfs"))
		snprintf(out, sz, "mkinitfs -o %s %s", k->initrd, k->modver[0] ? k->modver : k->ver);
	else
		snprintf(out, sz, "mkinitcpio -P");
}

int ck_boot_initramfs(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	if (!b || !b->gen[0])
		return 0;   /* no initramfs generator: the kernels may not use one */
	const struct dr_kernel *bk = boot_kernel(b);
	for (int i = 0; i < b->nk; i++) {
		const struct dr_kernel *k = &b->k[i];
		char cmd[400];
		if (k->ird == IRD_OK)
			continue;
		if (k->ird == IRD_UNREAD) {
			dr_unchecked(c, "the initramfs of %s: %s", k->ver, k->ird_why[0] ? k->ird_why : "cannot be read");
			continue;
		}
		struct dr_finding *f = dr_add(c, k == bk ? DR_BOOT : DR_DEGRADED, k->initrd, 0, NULL,
					      "the initramfs of kernel %s %s%s%s", k->ver, ird_words(k->ird),
					      k->ird_why[0] ? ": " : "", k->ird_why);
		if (!f)
			continue;
		rebuild_cmd(b, k, cmd, sizeof(cmd));
		snprintf(f->key, sizeof(f->key), "%s", k->ver);
		f->fixable = c->o.chroot;
		dr_fixtext(f, "rebuild it in the installed system: 'rescuectl mount-root', then 'rescuectl doctor --root "
			   "/mnt --chroot --fix %s' (runs: %s), or boot another kernel (boot.default)", f->row->id, cmd);
	}
	return 0;
}

int fx_boot_initramfs(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	const struct dr_boot *b = dr_boot(c);
	char cmd[400], *argv[16] = { 0 }, *save = NULL;
	for (int i = 0; b && i < b->nk; i++) {
		const struct dr_kernel *k = &b->k[i];
		if (strcmp(k->ver, f->key))
			continue;
		rebuild_cmd(b, k, cmd, sizeof(cmd));
		int n = 0;
		for (char *w = strtok_r(cmd, " ", &save); w && n < 15; w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
		const char *outs[] = { k->initrd, NULL };
		char what[DR_TEXT];
		snprintf(what, sizeof(what), "rebuild the initramfs of %s", k->ver);
		return dr_fix_run(p, (const char *const *)argv, outs, what);
	}
	return rc_fail(ENOENT, "kernel %s is gone", f->key);
}

int ck_boot_modules(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct dr_kernel *bk = b ? boot_kernel(b) : NULL;
	for (int i = 0; b && i < b->nk; i++) {
		const struct dr_kernel *k = &b->k[i];
		if (k->modules)
			continue;
		struct dr_finding *f = dr_add(c, k == bk ? DR_LOGIN : DR_NOTE, k->image, 0, NULL, "kernel %s has no "
					      "/lib/modules/%s: drivers built as modules (network, many disks) will "
					      "not load", k->ver, k->ver);
		dr_fixtext(f, "reinstall the kernel package from a chroot (after 'rescuectl mount-root'), or boot "
			   "another kernel");
	}
	return 0;
}

/* Where an entry's evidence is: its linux line in grub.cfg or its BLS file. */
static int entry_line(const struct grub_entry *e)
{
	return e->linux_line ? e->linux_line : e->line;
}

int ck_boot_grub_files(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct grub_entry *d = boots(b);
	char why[400];
	for (int i = 0; d && i < b->g.n; i++) {
		const struct grub_entry *e = &b->g.e[i];
		if (e == d)
			continue;   /* the default entry is boot.default's */
		int r = entry_problem(c, b, e, why, sizeof(why));
		if (r <= 0 || !strstr(why, "is not there"))
			continue;
		struct dr_finding *f = dr_add(c, DR_DEGRADED, e->file, entry_line(e), e->title, "menu entry %s: %s; "
					      "choosing it at boot fails", e->path[0] ? e->path : e->id, why);
		if (!f)
			continue;
		f->fixable = c->o.chroot && e->line > 0;
		if (e->line > 0)
			dr_fixtext(f, "regenerate grub.cfg in the installed system: 'rescuectl doctor --root /mnt --chroot "
				   "--fix %s' after 'rescuectl mount-root' (runs %s)", f->row->id,
				   strstr(b->cfg, "grub2") ? "grub2-mkconfig -o /boot/grub2/grub.cfg" : "update-grub");
		else
			dr_fixtext(f, "remove %s, or reinstall the kernel it names", e->file);
	}
	return 0;
}

int fx_boot_grub_mkconfig(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	const struct dr_boot *b = dr_boot(c);
	(void)f;
	static const char *const deb[] = { "update-grub", NULL };
	const char *const rh[] = { "grub2-mkconfig", "-o", b->cfg, NULL };
	const char *const outs[] = { b->cfg, NULL };
	int grub2 = strstr(b->cfg, "grub2") != NULL;
	/* every stale entry asks for the same run: plan it once */
	for (size_t i = 0; i < c->nf; i++)
		if (&c->f[i] != f && c->f[i].row == f->row && &c->f[i] < f && c->f[i].fixable)
			return 0;
	return dr_fix_run(p, grub2 ? rh : deb, outs, "regenerate grub.cfg");
}

int ck_boot_default(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct grub_entry *e = boots(b);
	char why[400];
	if (!e)
		return 0;
	if (b->def < 0)
		dr_add(c, DR_NOTE, b->deffrom, b->defline, b->defval, "the GRUB default \"%s\" names no menu entry: "
		       "GRUB boots the first one", b->defval);
	int r = entry_problem(c, b, e, why, sizeof(why));
	if (r < 0)
		dr_unchecked(c, "the default GRUB entry (%s): its files could not be looked at", e->title);
	if (r <= 0)
		return 0;
	int alt = newest_complete(c, b, e);
	struct dr_finding *f = dr_add(c, DR_BOOT, b->deffrom, b->defline, b->defval, "GRUB boots \"%s\" by default, "
				      "but %s", e->title, why);
	if (!f)
		return 0;
	f->fixable = alt >= 0;
	f->n = alt;
	if (alt >= 0)
		dr_fixtext(f, "rescuectl doctor --fix %s %s (makes \"%s\" the default; the broken kernel stays "
			   "installed)", f->row->id, dr_target(c), b->g.e[alt].title);
	else
		dr_fixtext(f, "no other entry would boot: rebuild the initramfs (boot.initramfs) or reinstall the kernel");
	return 0;
}

/* How GRUB_DEFAULT/saved_entry names entry E: ids where there are ids. */
static void entry_value(const struct grub_entry *e, char *out, size_t sz)
{
	const char *self = e->id[0] ? e->id : e->title;
	if (strchr(e->path, '>'))
		snprintf(out, sz, "%s>%s", e->parent_id[0] ? e->parent_id : e->parent_title, self);
	else
		snprintf(out, sz, "%s", self);
}

/* Line LINE (1-based) of TEXT: its start and length, or -1. */
static long line_at(const char *text, size_t len, int line, size_t *n)
{
	size_t p = 0;
	for (int i = 1; i < line && p < len; i++) {
		const char *nl = memchr(text + p, '\n', len - p);
		if (!nl)
			return -1;
		p = (size_t)(nl - text) + 1;
	}
	if (p >= len)
		return -1;
	const char *nl = memchr(text + p, '\n', len - p);
	*n = nl ? (size_t)(nl - text) - p : len - p;
	return (long)p;
}

static int default_in_cfg(struct dr_ctx *c, const struct dr_boot *b, const char *val, struct dr_fixplan *p)
{
	const char *text;
	size_t len, n;
	char day[16], what[DR_TEXT];
	int r = dr_fix_text(p, b->cfg, &text, &len);
	if (r)
		return r;
	long at = b->defline ? line_at(text, len, b->defline, &n) : -1;
	if (at < 0 || !memmem(text + at, n, "default=", 8))
		return rc_fail(ENOENT, "%s has no 'set default=' line to change", b->cfg);
	size_t ind = strspn(text + at, " \t"), cap = len + 2 * DR_TEXT + 600;
	char *out = malloc(cap);
	if (!out)
		return rc_fail(ENOMEM, "out of memory");
	int w = snprintf(out, cap, "%.*s%.*s# rescuectl doctor %s, boot.default: was \"%s\"; update-grub writes this "
			 "line anew\n%.*sset default=\"%s\"", (int)at, text, (int)ind, text + at, dr_today(c, day, sizeof(day)),
			 b->defval, (int)ind, text + at, val);
	memcpy(out + w, text + at + n, len - (size_t)at - n);
	snprintf(what, sizeof(what), "set default=\"%s\" (line %d)", val, b->defline);
	r = dr_fix_set_text(p, b->cfg, out, (size_t)w + len - (size_t)at - n, what);
	free(out);
	return r;
}

static int default_in_env(const struct dr_boot *b, const char *val, struct dr_fixplan *p)
{
	const char *text;
	size_t len, ol;
	char *out, what[DR_TEXT];
	int r = dr_fix_text(p, b->env, &text, &len);
	if (r || (r = grubenv_set(text, len, "saved_entry", val, &out, &ol)))
		return r;
	snprintf(what, sizeof(what), "saved_entry=%s", val);
	r = dr_fix_set_text(p, b->env, out, ol, what);
	free(out);
	return r;
}

int fx_boot_default(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	const struct dr_boot *b = dr_boot(c);
	char val[600];
	if (!b || f->n < 0 || f->n >= b->g.n)
		return rc_fail(ENOENT, "no complete entry to make the default");
	entry_value(&b->g.e[f->n], val, sizeof(val));
	if (strchr(val, '"') || strchr(val, '\n'))
		return rc_fail(EINVAL, "the entry's name cannot be written safely: %s", val);
	if (b->env[0] && (b->g.def_saved || !strcmp(b->deffrom, b->env)))
		return default_in_env(b, val, p);
	return default_in_cfg(c, b, val, p);
}

/* Does root= (VAL) name the root filesystem? 1 yes, 0 no (WHY), -1 cannot tell. */
static int root_ok(struct dr_ctx *c, const char *val, char *why, size_t wsz)
{
	const struct devid *id = NULL;
	if (!*val || strchr(val, '$') || strchr(val, ':') || !strncmp(val, "ZFS=", 4) || !strcmp(val, "/dev/nfs"))
		return -1;
	if (c->v->root_known) {
		if (fstab_spec_matches(val, &c->v->root_id))
			return 1;
		enum dx_answer a = devindex_find(dv_devices(c->v), val, &id, why, wsz);
		if (a == DX_CANNOT_TELL)
			return -1;
		if (a == DX_FOUND && id->uuid[0] && !strcasecmp(id->uuid, c->v->root_id.uuid))
			return 1;
		snprintf(why, wsz, a == DX_FOUND ? "root=%s is another device (%s), not the root filesystem (%s)" :
			 "root=%s: no such device on this machine (the root is %s)", val, a == DX_FOUND ? id->path : "",
			 c->v->root_id.path);
		return 0;
	}
	const struct fstab *fs = dr_fstab(c, NULL);
	const struct fstab_entry *r = fs ? fstab_find(fs, "/") : NULL;
	if (!r || strncasecmp(r->spec, "UUID=", 5) || strncasecmp(val, "UUID=", 5))
		return -1;
	if (!strcasecmp(r->spec + 5, val + 5))
		return 1;
	snprintf(why, wsz, "root=%s, but fstab mounts / from %s", val, r->spec);
	return 0;
}

int ck_boot_root_mismatch(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct grub_entry *d = boots(b);
	char val[512], why[600], seen[16][512], dval[512] = "";
	int nseen = 0;
	if (d && !kparam(d->args, "root", dval, sizeof(dval)))
		dval[0] = 0;
	for (int i = 0; d && i < b->g.n; i++) {
		const struct grub_entry *e = &b->g.e[i];
		if (!kparam(e->args, "root", val, sizeof(val)))
			continue;
		int dup = 0;
		for (int k = 0; k < nseen; k++)
			dup |= !strcmp(seen[k], val);
		if (dup || root_ok(c, val, why, sizeof(why)) != 0)
			continue;   /* one finding for each wrong root= (the default's comes first below) */
		if (nseen < 16)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", val);
		int is_def = !strcmp(dval, val);
		struct dr_finding *f = dr_add(c, is_def ? DR_BOOT : DR_DEGRADED, e->file, entry_line(e), e->kernel[0] ?
					      e->args : NULL, "menu entry \"%s\": %.300s; the kernel cannot find its root",
					      e->title, why);
		dr_fixtext(f, "correct root= (blkid shows the root's UUID): in /etc/default/grub or the BLS "
			   "entry, then regenerate grub.cfg from a chroot (update-grub, grub2-mkconfig)");
	}
	return 0;
}

/* Kernel parameters that end the boot in a console shell (no network, no sshd). */
static const char *stops(const char *args, char *val, size_t vsz)
{
	static const char *const words[] = { "single", "emergency", "-s", "S", "1", "-b", "rd.break" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (kparam(args, words[i], val, vsz) && !val[0])
			return words[i];
	if (kparam(args, "systemd.unit", val, vsz) && (!strcmp(val, "emergency.target") || !strcmp(val, "rescue.target")))
		return "systemd.unit";
	if (kparam(args, "init", val, vsz) && (!strcmp(val, "/bin/sh") || !strcmp(val, "/bin/bash")))
		return "init";
	return NULL;
}

/* One command line (ARGS, from FILE:LINE): init=, a shell instead of the
 * boot, rootfstype=. DEF: the one GRUB boots now (else the next update-grub's). */
static void check_args(struct dr_ctx *c, const char *args, const char *file, int line, int def)
{
	char val[512];
	const char *w = stops(args, val, sizeof(val));
	struct dr_finding *f;
	if (w) {
		f = dr_add(c, def ? DR_LOGIN : DR_DEGRADED, file, line, args, "the kernel command line has %s%s%s: the "
			   "system %s a root shell on the console, with no network and no sshd", w, val[0] ? "=" : "", val,
			   def ? "boots into" : "will boot into (after the next update-grub)");
		dr_fixtext(f, "remove %s%s%s from the line (and from /etc/default/grub)", w, val[0] ? "=" : "", val);
	}
	if (kparam(args, "init", val, sizeof(val)) && val[0] == '/' && !strchr(val, '$') && dv_exists(c->v, val) == 0) {
		f = dr_add(c, def ? DR_BOOT : DR_DEGRADED, file, line, args, "init=%s is not in the tree: the kernel "
			   "panics (\"Requested init %s failed\")", val, val);
		dr_fixtext(f, "remove init= from the line, or correct the path");
	}
	if (kparam(args, "rootfstype", val, sizeof(val)) && c->v->root_known && c->v->root_id.fstype[0] &&
	    strcmp(val, c->v->root_id.fstype) && !(strstr(val, "ext") && strstr(c->v->root_id.fstype, "ext"))) {
		f = dr_add(c, def ? DR_BOOT : DR_DEGRADED, file, line, args, "rootfstype=%s, but the root filesystem "
			   "is %s: the kernel cannot mount it", val, c->v->root_id.fstype);
		dr_fixtext(f, "remove rootfstype= or set it to %s", c->v->root_id.fstype);
	}
}

/* A root= in /etc/default/grub that names another device: the next
 * update-grub writes it into every entry. */
static void next_root(struct dr_ctx *c, const char *args, int line)
{
	char val[512], why[600];
	if (!kparam(args, "root", val, sizeof(val)) || root_ok(c, val, why, sizeof(why)) != 0)
		return;
	dr_fixtext(dr_add(c, DR_DEGRADED, "/etc/default/grub", line, args, "%.300s: the next update-grub writes it "
			  "into every entry, and then the kernel cannot find its root", why),
		   "correct or remove root= on line %d of /etc/default/grub (grub-mkconfig finds the root itself)", line);
}

int ck_boot_cmdline(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct grub_entry *d = boots(b);
	char val[2048];
	int line;
	if (d && !d->uses_vars)
		check_args(c, d->args, d->file, entry_line(d), 1);
	if (!b || b->defgrub.state != 1)
		return 0;
	static const char *const keys[] = { "GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT" };
	for (int i = 0; i < 2; i++)
		if (grub_default_var(b->defgrub.raw, keys[i], val, sizeof(val), &line) && !strchr(val, '$')) {
			check_args(c, val, "/etc/default/grub", line, 0);
			next_root(c, val, line);
		}
	return 0;
}

int ck_boot_init(struct dr_ctx *c)
{
	const struct dr_boot *b = dr_boot(c);
	const struct grub_entry *d = boots(b);
	char val[512], tgt[512] = "";
	if (d && kparam(d->args, "init", val, sizeof(val)))
		return 0;   /* init= is boot.cmdline's */
	int r = dv_exists(c->v, "/sbin/init");
	if (r != 0)
		return r < 0 && r != -ENODATA ? r : 0;
	struct tree_stat m;
	if ((!dv_meta(c->v, "/etc/init", 1, &m) && m.type == 'f') || (!dv_meta(c->v, "/bin/init", 1, &m) && m.type == 'f'))
		return 0;   /* the kernel and the initramfs try these next */
	dv_readlink(c->v, "/sbin/init", tgt, sizeof(tgt));
	struct dr_finding *f = dr_add(c, DR_BOOT, "/sbin/init", 0, tgt[0] ? tgt : NULL, "%s%s: the kernel finds no "
				      "init and panics", tgt[0] ? "/sbin/init links to a file that is not there: " :
				      "/sbin/init is missing", tgt);
	dr_fixtext(f, "reinstall the init system from a chroot (Debian/Ubuntu: systemd-sysv; RHEL/Fedora: "
		   "systemd; Alpine: busybox-openrc)");
	return 0;
}

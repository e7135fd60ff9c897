/* The boot facts doctor checks share: the installed kernels and their
 * initramfs, GRUB's menu and default, /etc/default/grub, the kernels'
 * filesystem drivers. Read once, within limits. */
#include "doctor_priv.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRUBCFG_MAX ((size_t)4 << 20)
#define BLS_MAX ((size_t)64 << 10)
#define BLS_FILES 256
#define MODALIAS_MAX ((size_t)16 << 20)

void dr_boot_free(struct dr_boot *b)
{
	if (!b)
		return;
	dr_text_free(&b->cfgtext);
	dr_text_free(&b->defgrub);
	grub_free(&b->g);
	dr_text_free(&b->alias);
	dr_text_free(&b->builtin);
	free(b);
}

/* ---- kernels ------------------------------------------------------------------ */

struct rdx {
	struct dview *v;
	const char *path;
};

static int rd(void *ud, uint64_t off, void *buf, size_t len, size_t *got)
{
	struct rdx *r = ud;
	return dv_pread(r->v, r->path, off, buf, len, got);
}

static void check_initrd(struct dr_ctx *c, struct dr_kernel *k)
{
	struct tree_stat m;
	struct initrd_result res;
	struct rdx r = { c->v, k->initrd };
	if (dv_meta(c->v, k->initrd, 1, &m) || m.type != 'f') {
		k->ird = IRD_UNREAD;
		return;
	}
	if (initrd_check(rd, &r, m.size, &res)) {
		k->ird = IRD_UNREAD;
		snprintf(k->ird_why, sizeof(k->ird_why), "%s", res.why);
		return;
	}
	static const enum dr_ird map[] = { IRD_OK, IRD_EMPTY, IRD_CUT, IRD_BAD, IRD_UNREAD };
	k->ird = map[res.verdict];
	snprintf(k->ird_why, sizeof(k->ird_why), "%s", res.why);
}

/* The initramfs of kernel VER: the first name the distributions use that
 * exists, else the one its generator would write. */
static void find_initrd(struct dr_ctx *c, struct dr_boot *b, struct dr_kernel *k)
{
	static const char *const fmt[] = { "/boot/initrd.img-%s", "/boot/initramfs-%s.img", "/boot/initrd-%s",
					   "/boot/initramfs-%s", "/boot/initrd-%s.img" };
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(k->initrd, sizeof(k->initrd), fmt[i], k->ver);
		if (dv_exists(c->v, k->initrd) == 1) {
			check_initrd(c, k);
			return;
		}
	}
	int debian = !strcmp(b->gen, "update-initramfs"), alpine = !strcmp(b->gen, "mkinitfs");
	snprintf(k->initrd, sizeof(k->initrd), debian ? fmt[0] : alpine ? fmt[3] : fmt[1], k->ver);
	k->ird = IRD_NONE;
}

static void find_modules(struct dr_kernel *k, char **mods, size_t nm)
{
	size_t vl = strlen(k->ver);
	for (size_t i = 0; i < nm && !k->modules; i++) {
		size_t l = strlen(mods[i]);
		/* Alpine: vmlinuz-lts goes with /lib/modules/6.6.58-0-lts */
		if (!strcmp(mods[i], k->ver) || (l > vl + 1 && mods[i][l - vl - 1] == '-' && !strcmp(mods[i] + l - vl, k->ver))) {
			k->modules = 1;
			snprintf(k->modver, sizeof(k->modver), "%s", mods[i]);
		}
	}
	if (!strncmp(k->ver, "0-rescue-", 9))
		k->modules = 1;   /* RHEL's rescue kernel uses a generic initramfs */
}

static void find_generator(struct dr_ctx *c, struct dr_boot *b)
{
	static const char *const g[][2] = {
		{ "/usr/sbin/update-initramfs", "update-initramfs" }, { "/sbin/update-initramfs", "update-initramfs" },
		{ "/usr/bin/dracut", "dracut" }, { "/usr/sbin/dracut", "dracut" }, { "/sbin/mkinitfs", "mkinitfs" },
		{ "/usr/sbin/mkinitfs", "mkinitfs" }, { "/usr/bin/mkinitcpio", "mkinitcpio" },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]) && !b->gen[0]; i++)
		if (dv_exists(c->v, g[i][0]) == 1)
			snprintf(b->gen, sizeof(b->gen), "%s", g[i][1]);
}

static void find_kernels(struct dr_ctx *c, struct dr_boot *b)
{
	char **names = NULL, **mods = NULL;
	size_t n = 0, nm = 0;
	int r = dv_list(c->v, "/boot", &names, &n);
	if (r == -ENODATA)
		dr_unchecked(c, "/boot: %s", dv_why(c->v));
	dv_list(c->v, "/lib/modules", &mods, &nm);
	for (size_t i = 0; i < n && b->nk < DR_MAX_KERNELS; i++) {
		struct tree_stat m;
		char p[300];
		if (strncmp(names[i], "vmlinuz-", 8) && strncmp(names[i], "vmlinux-", 8))
			continue;
		snprintf(p, sizeof(p), "/boot/%s", names[i]);
		if (dv_meta(c->v, p, 0, &m) || m.type != 'f')
			continue;
		struct dr_kernel *k = &b->k[b->nk++];
		memset(k, 0, sizeof(*k));
		snprintf(k->ver, sizeof(k->ver), "%s", names[i] + 8);
		snprintf(k->image, sizeof(k->image), "%s", p);
		k->image_size = m.size;
		find_initrd(c, b, k);
		find_modules(k, mods, nm);
	}
	tree_free_list(names, n);
	tree_free_list(mods, nm);
}

/* ---- GRUB --------------------------------------------------------------------- */

static void load_bls(struct dr_ctx *c, struct dr_boot *b)
{
	char **names;
	size_t n;
	int files = 0;
	if (dv_list(c->v, "/boot/loader/entries", &names, &n))
		return;
	for (size_t i = 0; i < n && files < BLS_FILES; i++) {
		size_t l = strlen(names[i]), len;
		char p[400], id[256], *buf;
		if (l < 6 || strcmp(names[i] + l - 5, ".conf"))
			continue;
		snprintf(p, sizeof(p), "/boot/loader/entries/%s", names[i]);
		snprintf(id, sizeof(id), "%.*s", (int)(l - 5), names[i]);
		if (dv_read(c->v, p, &buf, &len, BLS_MAX))
			continue;
		if (!memchr(buf, 0, len))
			grub_parse_bls(buf, id, p, &b->g);
		free(buf);
		files++;
	}
	tree_free_list(names, n);
	grub_sort_bls(&b->g);
}

static void find_default(struct dr_ctx *c, struct dr_boot *b)
{
	static const char *const envs[] = { "/boot/grub/grubenv", "/boot/grub2/grubenv" };
	char saved[256] = "", *buf;
	size_t len;
	for (size_t i = 0; i < 2 && !b->env[0]; i++) {
		if (dv_read(c->v, envs[i], &buf, &len, 4096))
			continue;
		snprintf(b->env, sizeof(b->env), "%s", envs[i]);
		grubenv_get(buf, len, "saved_entry", saved, sizeof(saved));
		free(buf);
	}
	const struct grub_cfg *g = &b->g;
	if ((g->def_saved || (g->blscfg && !g->def[0])) && saved[0]) {
		snprintf(b->defval, sizeof(b->defval), "%s", saved);
		snprintf(b->deffrom, sizeof(b->deffrom), "%s", b->env);
	} else {
		snprintf(b->defval, sizeof(b->defval), "%s", g->def[0] ? g->def : "0");
		snprintf(b->deffrom, sizeof(b->deffrom), "%s", b->cfg);
		b->defline = g->def_line;
	}
	b->def = grub_find_default(g, b->defval);
}

static void load_grub(struct dr_ctx *c, struct dr_boot *b)
{
	static const char *const cfgs[] = { "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg" };
	b->def = -1;
	for (size_t i = 0; i < 2 && !b->grub_state; i++) {
		int r = dr_text_load(c, cfgs[i], GRUBCFG_MAX, 0, &b->cfgtext);
		if (r == -ENODATA || (r && r != -ENOENT)) {
			dr_unchecked(c, "%s: %s", cfgs[i], r == -ENODATA ? dv_why(c->v) : rc_msg());
			b->grub_state = -1;
		} else if (!r) {
			b->grub_state = 1;
			snprintf(b->cfg, sizeof(b->cfg), "%s", cfgs[i]);
		}
	}
	if (b->grub_state != 1)
		return;
	grub_parse(b->cfgtext.line, b->cfgtext.n, b->cfg, &b->g);
	if (b->g.blscfg)
		load_bls(c, b);
	find_default(c, b);
}

const struct dr_boot *dr_boot(struct dr_ctx *c)
{
	struct dr_facts *f = c->facts;
	if (f->boot)
		return f->boot;
	struct dr_boot *b = calloc(1, sizeof(*b));
	if (!b) {
		dr_unchecked(c, "boot: out of memory");
		return NULL;
	}
	f->boot = b;
	find_generator(c, b);
	find_kernels(c, b);
	load_grub(c, b);
	dr_text_load(c, "/etc/default/grub", (size_t)1 << 20, 0, &b->defgrub);
	return b;
}

/* ---- drivers of the newest kernel ----------------------------------------------- */

static void load_modlists(struct dr_ctx *c, struct dr_boot *b)
{
	const struct dr_kernel *best = NULL;
	char p[400];
	b->mod_state = -1;
	for (int i = 0; i < b->nk; i++)
		if (b->k[i].modules && b->k[i].modver[0] && (!best || strverscmp(b->k[i].modver, best->modver) > 0))
			best = &b->k[i];
	if (!best)
		return;
	snprintf(b->modkver, sizeof(b->modkver), "%s", best->modver);
	snprintf(p, sizeof(p), "/lib/modules/%s/modules.alias", best->modver);
	dr_text_load(c, p, MODALIAS_MAX, 0, &b->alias);
	snprintf(p, sizeof(p), "/lib/modules/%s/modules.builtin.modinfo", best->modver);
	dr_text_load(c, p, MODALIAS_MAX, 0, &b->builtin);
	if (b->alias.state == 1 || b->builtin.state == 1)
		b->mod_state = 1;
}

int dr_kernel_has_fs(struct dr_ctx *c, const char *type, char *kver, size_t ksz)
{
	struct dr_boot *b = (struct dr_boot *)dr_boot(c);
	char a[96], m[96];
	if (!b)
		return -1;
	if (!b->mod_state)
		load_modlists(c, b);
	if (b->mod_state != 1)
		return -1;
	snprintf(kver, ksz, "%s", b->modkver);
	snprintf(a, sizeof(a), "alias fs-%s ", type);
	snprintf(m, sizeof(m), ".alias=fs-%s", type);
	size_t ml = strlen(m) + 1;   /* with the NUL that ends the record */
	if (b->alias.state == 1 && memmem(b->alias.raw, b->alias.len, a, strlen(a)))
		return 1;
	if (b->builtin.state == 1 && memmem(b->builtin.raw, b->builtin.len, m, ml))
		return 1;
	/* Without both lists a built-in driver could be missed. */
	return b->alias.state == 1 && b->builtin.state == 1 ? 0 : -1;
}

/* Recognising an installed Linux root and reading what it says of itself. */
#include "rootfs.h"
#include "err.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_FILE (1 << 20)

static void set(char *dst, size_t sz, const char *src, size_t len)
{
	if (len >= sz)
		len = sz - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* One os-release value: unquote "..." or '...', undo backslash escapes. */
static void osval(const char *v, size_t len, char *out, size_t sz)
{
	char buf[512];
	size_t o = 0;
	char q = 0;
	if (len && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		len--;
		if (len && v[len - 1] == q)
			len--;
	}
	for (size_t i = 0; i < len && o < sizeof(buf) - 1; i++) {
		if (v[i] == '\\' && q != '\'' && i + 1 < len)
			i++;
		buf[o++] = v[i];
	}
	set(out, sz, buf, o);
}

int osrel_parse(const char *text, struct osrel *o)
{
	memset(o, 0, sizeof(*o));
	int found = 0;
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *l = p;
		p = e ? e + 1 : NULL;
		while (len && isspace((unsigned char)*l)) {
			l++;
			len--;
		}
		while (len && isspace((unsigned char)l[len - 1]))
			len--;
		if (!len || *l == '#')
			continue;
		const char *eq = memchr(l, '=', len);
		if (!eq)
			continue;
		size_t kl = (size_t)(eq - l), vl = len - kl - 1;
		const char *v = eq + 1;
		struct { const char *k; char *dst; size_t sz; } keys[] = {
			{ "ID", o->id, sizeof(o->id) }, { "ID_LIKE", o->id_like, sizeof(o->id_like) },
			{ "VERSION_ID", o->version_id, sizeof(o->version_id) }, { "NAME", o->name, sizeof(o->name) },
			{ "PRETTY_NAME", o->pretty_name, sizeof(o->pretty_name) },
		};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i].k) == kl && !memcmp(keys[i].k, l, kl)) {
				osval(v, vl, keys[i].dst, keys[i].sz);
				found = 1;
			}
	}
	if (!o->pretty_name[0] && o->name[0])
		snprintf(o->pretty_name, sizeof(o->pretty_name), "%s%s%s", o->name,
			 o->version_id[0] ? " " : "", o->version_id);
	return found ? 0 : -ENOENT;
}

/* "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server
 * release 6.10 (Santiago)", "Debian" 10.13 in /etc/debian_version. */
int osrel_from_release_line(const char *file, const char *line, struct osrel *o)
{
	memset(o, 0, sizeof(*o));
	size_t len = strcspn(line, "\n");
	set(o->pretty_name, sizeof(o->pretty_name), line, len);
	const char *r = strstr(o->pretty_name, "release ");
	const char *ver = r ? r + 8 : NULL;
	if (!strcmp(file, "debian_version"))
		ver = o->pretty_name;
	if (ver) {
		/* VERSION_ID as os-release would say it: the major release. */
		size_t vl = strspn(ver, "0123456789");
		set(o->version_id, sizeof(o->version_id), ver, vl);
	}
	const char *lower[][2] = { { "CentOS", "centos" }, { "Red Hat", "rhel" }, { "Fedora", "fedora" },
				   { "Rocky", "rocky" }, { "AlmaLinux", "almalinux" }, { "Oracle", "ol" },
				   { "SUSE", "sles" }, { "openSUSE", "opensuse" } };
	for (size_t i = 0; i < sizeof(lower) / sizeof(lower[0]); i++)
		if (strstr(o->pretty_name, lower[i][0]))
			snprintf(o->id, sizeof(o->id), "%s", lower[i][1]);
	if (!strcmp(file, "debian_version")) {
		snprintf(o->id, sizeof(o->id), "debian");
		char pn[256];
		snprintf(pn, sizeof(pn), "Debian GNU/Linux %s", o->pretty_name);
		snprintf(o->pretty_name, sizeof(o->pretty_name), "%s", pn);
	}
	if (!strcmp(file, "redhat-release") && !o->id[0])
		snprintf(o->id, sizeof(o->id), "rhel");
	if (o->id[0] && strcmp(o->id, "fedora") && strcmp(o->id, "debian") && strcmp(o->id, "rhel"))
		snprintf(o->id_like, sizeof(o->id_like), "rhel fedora");
	return o->pretty_name[0] ? 0 : -ENOENT;
}

/* fstab fields are separated by blanks; \040 and friends are octal escapes. */
static char *field(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p || **p == '\n' || **p == '#')
		return NULL;
	const char *s = *p;
	while (**p && **p != ' ' && **p != '\t' && **p != '\n')
		(*p)++;
	size_t len = (size_t)(*p - s);
	char *o = malloc(len + 1), *d = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && isdigit((unsigned char)s[i + 1]) &&
		    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
			*d++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*d++ = s[i];
		}
	}
	*d = 0;
	return o;
}

void fstab_free(struct fstab *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].spec);
		free(f->e[i].file);
		free(f->e[i].vfstype);
		free(f->e[i].opts);
	}
	free(f->e);
	f->e = NULL;
	f->n = 0;
}

int fstab_parse(const char *text, struct fstab *f, int *bad)
{
	int lineno = 0;
	size_t cap = 0;
	f->e = NULL;
	f->n = 0;
	if (bad)
		*bad = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		lineno++;
		char *fl[6] = { 0 };
		int nf = 0;
		const char *q = p;
		while (nf < 6 && (fl[nf] = field(&q)))
			nf++;
		p = eol ? eol + 1 : p + strlen(p);
		if (nf > 0 && nf < 3 && bad)
			(*bad)++;
		if (nf < 3) {
			for (int i = 0; i < nf; i++)
				free(fl[i]);
			continue;
		}
		if (f->n == cap) {
			if (cap >= FSTAB_MAX_ENTRIES) {
				for (int i = 0; i < nf; i++)
					free(fl[i]);
				fstab_free(f);
				return rc_fail(E2BIG, "/etc/fstab has more than %d entries (line %d); not read", FSTAB_MAX_ENTRIES,
					       lineno);
			}
			size_t nc = cap ? 2 * cap : 16;
			struct fstab_entry *ne = realloc(f->e, nc * sizeof(*ne));
			if (!ne) {
				for (int i = 0; i < nf; i++)
					free(fl[i]);
				fstab_free(f);
				return rc_fail(ENOMEM, "out of memory");
			}
			f->e = ne;
			cap = nc;
		}
		struct fstab_entry *e = &f->e[f->n++];
		e->spec = fl[0];
		e->file = fl[1];
		e->vfstype = fl[2];
		e->opts = nf > 3 ? fl[3] : strdup("defaults");
		e->freq = nf > 4 ? atoi(fl[4]) : 0;
		e->passno = nf > 5 ? atoi(fl[5]) : 0;
		e->line = lineno;
		free(nf > 4 ? fl[4] : NULL);
		free(nf > 5 ? fl[5] : NULL);
	}
	return 0;
}

const struct fstab_entry *fstab_find(const struct fstab *f, const char *file)
{
	const struct fstab_entry *hit = NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *a = f->e[i].file;
		size_t la = strlen(a);
		while (la > 1 && a[la - 1] == '/')
			la--;
		if (la == strlen(file) && !strncmp(a, file, la))
			hit = &f->e[i];  /* the last entry for a mount point wins */
	}
	return hit;
}

int fstab_opt(const char *opts, const char *name, char *v, size_t vsz)
{
	size_t nl = strlen(name);
	for (const char *p = opts; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l >= nl && !strncmp(p, name, nl) && (l == nl || p[nl] == '=')) {
			if (v)
				set(v, vsz, l == nl ? "" : p + nl + 1, l == nl ? 0 : l - nl - 1);
			return 1;
		}
		p = c ? c + 1 : NULL;
	}
	return 0;
}

static int ieq(const char *a, const char *b)
{
	return *a && *b && !strcasecmp(a, b);
}

int fstab_spec_matches(const char *spec, const struct devid *id)
{
	char v[PATH_MAX];
	size_t sl = strlen(spec);
	/* Quoted values are allowed: UUID="..." */
	if (!strncmp(spec, "UUID=", 5) || !strncmp(spec, "LABEL=", 6) || !strncmp(spec, "PARTUUID=", 9) ||
	    !strncmp(spec, "PARTLABEL=", 10)) {
		const char *eq = strchr(spec, '=') + 1;
		osval(eq, sl - (size_t)(eq - spec), v, sizeof(v));
		if (!strncmp(spec, "UUID=", 5))
			return ieq(v, id->uuid);
		if (!strncmp(spec, "LABEL=", 6))
			return *v && !strcmp(v, id->label);
		if (!strncmp(spec, "PARTUUID=", 9))
			return ieq(v, id->partuuid);
		return *v && !strcmp(v, id->partlabel);
	}
	static const struct { const char *pfx; int kind; } byp[] = {
		{ "/dev/disk/by-uuid/", 0 }, { "/dev/disk/by-label/", 1 },
		{ "/dev/disk/by-partuuid/", 2 }, { "/dev/disk/by-partlabel/", 3 },
	};
	for (size_t i = 0; i < 4; i++) {
		size_t pl = strlen(byp[i].pfx);
		if (!strncmp(spec, byp[i].pfx, pl)) {
			const char *x = spec + pl;
			switch (byp[i].kind) {
			case 0: return ieq(x, id->uuid);
			case 1: return *x && !strcmp(x, id->label);
			case 2: return ieq(x, id->partuuid);
			default: return *x && !strcmp(x, id->partlabel);
			}
		}
	}
	if (!strncmp(spec, "/dev/", 5)) {
		const char *n = spec + 5;
		/* md arrays are renamed across systems: /dev/md0 vs md127 vs md/0
		 * cannot be confirmed by name alone. */
		if (!strcmp(n, id->name))
			return 1;
		if (!strncmp(n, "mapper/", 7) && id->name[0] && !strcmp(n + 7, id->name))
			return 1;
		/* LVM: /dev/VG/LV is the device-mapper name VG-LV, '-' doubled. */
		const char *sl = strchr(n, '/');
		if (sl && !strchr(sl + 1, '/') && strncmp(n, "disk/", 5) && strncmp(n, "md/", 3) && id->name[0]) {
			char dm[256];
			size_t o = 0;
			for (const char *p = n; *p && o + 2 < sizeof(dm); p++) {
				if (p == sl)
					dm[o++] = '-';
				else if (*p == '-') {
					dm[o++] = '-';
					dm[o++] = '-';
				} else
					dm[o++] = *p;
			}
			dm[o] = 0;
			if (!strcmp(dm, id->name))
				return 1;
		}
	}
	return 0;
}

static int has(struct tree *t, const char *path, char type)
{
	struct tree_stat st;
	return tree_stat(t, path, 1, &st) == 0 && (!type || st.type == type);
}

int rootfs_inspect(struct tree *t, struct rootinfo *ri)
{
	memset(ri, 0, sizeof(*ri));
	struct tree_stat st;
	int r = tree_stat(t, "/", 0, &st);
	if (r) {
		snprintf(ri->why_not, sizeof(ri->why_not), "its root directory cannot be read (%s)", strerror(-r));
		return 0;
	}
	if (st.type != 'd') {  /* e2fsprogs' f_badroot: inode 2 is a regular file */
		snprintf(ri->why_not, sizeof(ri->why_not), "its root directory is not a directory: the filesystem "
			 "is damaged (rescuectl fsck)");
		return 0;
	}
	if (!has(t, "/etc", 'd')) {
		snprintf(ri->why_not, sizeof(ri->why_not), "no /etc directory");
		return 0;
	}
	/* /bin: a directory, or a link into usr (merged /usr). */
	if (tree_stat(t, "/bin", 0, &st) != 0 || (st.type != 'd' && !(st.type == 'l' && has(t, "/usr/bin", 'd')))) {
		snprintf(ri->why_not, sizeof(ri->why_not), "no /bin directory");
		return 0;
	}
	ri->has_fstab = has(t, "/etc/fstab", 'f');
	if (!ri->has_fstab && !has(t, "/etc/hosts", 'f')) {
		snprintf(ri->why_not, sizeof(ri->why_not), "neither /etc/fstab nor /etc/hosts");
		return 0;
	}
	ri->is_root = 1;
	char *buf = NULL;
	size_t len;
	if (tree_read(t, "/etc/os-release", &buf, &len, SMALL_FILE) == 0 ||
	    tree_read(t, "/usr/lib/os-release", &buf, &len, SMALL_FILE) == 0) {
		osrel_parse(buf, &ri->os);
		free(buf);
		buf = NULL;
	}
	if (!ri->os.id[0]) {
		static const char *rel[] = { "redhat-release", "centos-release", "fedora-release",
					     "SuSE-release", "debian_version" };
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]) && !ri->os.id[0]; i++) {
			char p[64];
			snprintf(p, sizeof(p), "/etc/%s", rel[i]);
			if (tree_read(t, p, &buf, &len, SMALL_FILE) == 0) {
				osrel_from_release_line(rel[i], buf, &ri->os);
				free(buf);
				buf = NULL;
			}
		}
	}
	if (ri->has_fstab && tree_read(t, "/etc/fstab", &buf, &len, SMALL_FILE) == 0) {
		struct fstab f;
		if (fstab_parse(buf, &f, NULL) == 0) {
			const struct fstab_entry *e = fstab_find(&f, "/");
			if (e) {
				snprintf(ri->fstab_root_spec, sizeof(ri->fstab_root_spec), "%s", e->spec);
				snprintf(ri->fstab_root_type, sizeof(ri->fstab_root_type), "%s", e->vfstype);
				snprintf(ri->fstab_root_opts, sizeof(ri->fstab_root_opts), "%s", e->opts);
			}
			fstab_free(&f);
		}
		free(buf);
	}
	return 0;
}

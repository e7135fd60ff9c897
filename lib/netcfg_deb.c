/* netcfg: ifupdown's /etc/network/interfaces and what it sources. */
#include "netcfg.h"
#include "err.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ifu {
	const struct fsrc *src;
	struct netcfg *c;
	int files;
	char autos[64][64];   /* auto / allow-hotplug names */
	int nauto;
	int first;            /* index of the first interface read */
};

static void words_into(const char *v, char (*out)[64], int max, int *n)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *sv, *p = strtok_r(buf, " \t", &sv); p && *n < max; p = strtok_r(NULL, " \t", &sv))
		if (strcmp(p, "none") && strcmp(p, "all"))
			snprintf(out[(*n)++], 64, "%s", p);
}

/* One option line of an iface stanza. */
static void option(struct nc_iface *f, const char *k, char *v, int line, const char *mask)
{
	(void)mask;
	if (!strcmp(k, "address")) {
		if (f->naddr < NC_MAX_ADDR)
			snprintf(f->addr[f->naddr++], 64, "%s", v);
	} else if (!strcmp(k, "netmask")) {
		for (int i = 0; i < f->naddr; i++)
			if (!strchr(f->addr[i], '/'))
				nc_cidr(f->addr[i], v, f->addr[i], 64);
	} else if (!strcmp(k, "gateway")) {
		snprintf(f->gw4, sizeof(f->gw4), "%s", v);
		f->gw_line = line;
		f->default_route = 1;
	} else if (!strcmp(k, "dns-nameservers")) {
		f->ndns++;
	} else if (!strcmp(k, "bond-slaves") || !strcmp(k, "bond_slaves") || !strcmp(k, "slaves") ||
		   !strcmp(k, "bridge_ports") || !strcmp(k, "bridge-ports")) {
		snprintf(f->kind, sizeof(f->kind), k[0] == 'b' && k[1] == 'r' ? "bridge" : "bond");
		words_into(v, f->members, NC_MAX_MEMBERS, &f->nmembers);
		f->member_line = line;
	} else if (!strcmp(k, "vlan-raw-device") || !strcmp(k, "vlan_raw_device")) {
		snprintf(f->kind, sizeof(f->kind), "vlan");
		words_into(v, f->members, NC_MAX_MEMBERS, &f->nmembers);
		f->member_line = line;
	} else if (!strcmp(k, "bond-master") || !strcmp(k, "bond_master")) {
		snprintf(f->master, sizeof(f->master), "%s", v);
	} else if ((!strcmp(k, "up") || !strcmp(k, "post-up")) && strstr(v, "default") &&
		   (strstr(v, " via ") || strstr(v, " gw "))) {
		f->default_route = 1;
	}
}

static int read_file(struct ifu *u, const char *path, int depth);

/* source PATTERN / source-directory DIR */
static int source(struct ifu *u, const char *from, const char *kw, const char *arg, int depth)
{
	char pat[PATH_MAX], **paths;
	size_t n;
	if (depth >= NC_MAX_DEPTH) {
		nc_unread(u->c, from, "source lines nest too deep");
		return 0;
	}
	const char *slash = strrchr(from, '/');
	if (arg[0] == '/')
		snprintf(pat, sizeof(pat), "%s", arg);
	else
		snprintf(pat, sizeof(pat), "%.*s/%s", (int)(slash - from), from, arg);
	if (!strcmp(kw, "source-directory"))
		strncat(pat, "/*", sizeof(pat) - strlen(pat) - 1);
	int r = fsrc_glob(u->src, pat, NC_MAX_FILES, &paths, &n);
	if (r) {
		nc_unread(u->c, pat, r == -E2BIG ? "too many files" : "cannot be listed");
		return 0;
	}
	for (size_t i = 0; i < n && !r; i++) {
		const char *b = strrchr(paths[i], '/') + 1;
		/* source-directory takes only names run-parts would run */
		if (!strcmp(kw, "source-directory") && b[strspn(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")])
			continue;
		if (fsrc_type(u->src, paths[i], 1) == 'f')
			r = read_file(u, paths[i], depth + 1);
	}
	tree_free_list(paths, n);
	return r;
}

static int read_file(struct ifu *u, const char *path, int depth)
{
	struct flines l;
	if (++u->files > NC_MAX_FILES) {
		nc_unread(u->c, path, "more files than rescuectl reads");
		return 0;
	}
	int r = flines_read(u->src, path, NC_MAX_FILE, &l);
	if (r) {
		if (r != -ENOENT)
			nc_unread(u->c, path, rc_msg());
		return r == -ENOMEM ? r : 0;
	}
	struct nc_iface *cur = NULL;
	int ci = fs_endswith(path, "50-cloud-init") || fs_endswith(path, "50-cloud-init.cfg");
	for (int i = 0; i < l.n && !r; i++) {
		char *s = fs_trim(l.line[i]), *sp;
		if (!*s || *s == '#')
			continue;
		char kw[64];
		snprintf(kw, sizeof(kw), "%.*s", (int)strcspn(s, " \t"), s);
		char *rest = s + strlen(kw);
		rest = fs_trim(rest);
		if (!strcmp(kw, "auto") || !strncmp(kw, "allow-", 6)) {
			char buf[512];
			snprintf(buf, sizeof(buf), "%s", rest);
			for (char *p = strtok_r(buf, " \t", &sp); p && u->nauto < 64; p = strtok_r(NULL, " \t", &sp))
				snprintf(u->autos[u->nauto++], 64, "%s", p);
			cur = NULL;
		} else if (!strcmp(kw, "source") || !strcmp(kw, "source-directory")) {
			r = source(u, path, kw, rest, depth);
			cur = NULL;
		} else if (!strcmp(kw, "iface")) {
			char name[64] = "", fam[16] = "", method[32] = "";
			sscanf(rest, "%63s %15s %31s", name, fam, method);
			if (!(cur = nc_add(u->c, NC_IFUPDOWN, path, i + 1, name)))
				r = -ENOMEM;
			else {
				cur->from_cloudinit = ci;
				if (!strcmp(method, "loopback"))
					snprintf(cur->kind, sizeof(cur->kind), "loopback");
				if (!strcmp(method, "dhcp") && !strcmp(fam, "inet"))
					cur->dhcp4 = cur->default_route = 1;
				if (strchr(name, '.'))
					snprintf(cur->kind, sizeof(cur->kind), "vlan"),
					snprintf(cur->members[cur->nmembers++], 64, "%.*s", (int)strcspn(name, "."), name);
			}
		} else if (!strcmp(kw, "mapping")) {
			cur = NULL;
		} else if (cur) {
			option(cur, kw, rest, i + 1, NULL);
		}
	}
	flines_free(&l);
	return r;
}

int nc_read_ifupdown(const struct fsrc *src, struct netcfg *c)
{
	struct ifu u;
	memset(&u, 0, sizeof(u));
	u.src = src, u.c = c, u.first = c->n;
	int r = read_file(&u, "/etc/network/interfaces", 0);
	for (int i = u.first; i < c->n; i++) {   /* brought up at boot only with auto / allow-hotplug */
		struct nc_iface *f = &c->i[i];
		int up = 0;
		for (int k = 0; k < u.nauto; k++)
			up |= !strcmp(u.autos[k], f->name);
		f->disabled = !up && !f->master[0];
	}
	return r;
}

/* nics: the installed system's names for this machine's NICs (nics.h). */
#include "nics.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINK_MAX_FILES 64

/* net.ifnames=0 on the target's kernel command line: where, or "" */
static void ifnames0(const struct fsrc *src, char *where, size_t sz)
{
	static const char *const files[] = { "/etc/default/grub", "/etc/kernel/cmdline", "/boot/grub/grub.cfg",
					      "/boot/grub2/grub.cfg" };
	where[0] = 0;
	for (size_t k = 0; k < 4 && !where[0]; k++) {
		struct flines l;
		if (flines_read(src, files[k], 4 << 20, &l))
			continue;
		for (int i = 0; i < l.n && !where[0]; i++)
			if (strstr(l.line[i], "net.ifnames=0") && l.line[i][strspn(l.line[i], " \t")] != '#')
				snprintf(where, sz, "%s:%d", files[k], i + 1);
		flines_free(&l);
	}
	char **paths;
	size_t n;
	if (where[0] || fsrc_glob(src, "/boot/loader/entries/*.conf", 64, &paths, &n))
		return;
	for (size_t k = 0; k < n && !where[0]; k++) {
		struct flines l;
		if (flines_read(src, paths[k], 1 << 20, &l))
			continue;
		for (int i = 0; i < l.n && !where[0]; i++)
			if (!strncmp(l.line[i], "options", 7) && strstr(l.line[i], "net.ifnames=0"))
				snprintf(where, sz, "%s:%d", paths[k], i + 1);
		flines_free(&l);
	}
	tree_free_list(paths, n);
}

/* KEY=="VALUE" or KEY="VALUE" in a udev rule line: VALUE into OUT. */
int udev_rule_key(const char *line, const char *key, char *out, size_t sz)
{
	const char *p = line;
	size_t kl = strlen(key);
	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ' || p[-1] == ',') && (p[kl] == '=' || (p[kl] == '=' && p[kl + 1] == '='))) {
			const char *q = strchr(p + kl, '"');
			const char *e = q ? strchr(q + 1, '"') : NULL;
			if (e) {
				snprintf(out, sz, "%.*s", (int)(e - q - 1), q + 1);
				return 1;
			}
		}
		p += kl;
	}
	return 0;
}

/* A udev rule renaming N by its MAC: name and where. */
static int udev_rename(const struct fsrc *src, const struct nic *n, char *name, size_t nsz, char *where, size_t wsz)
{
	char **paths;
	size_t np;
	int found = 0;
	if (fsrc_glob(src, "/etc/udev/rules.d/*.rules", 256, &paths, &np))
		return 0;
	for (size_t k = 0; k < np && !found; k++) {
		struct flines l;
		if (flines_read(src, paths[k], 1 << 20, &l))
			continue;
		for (int i = 0; i < l.n && !found; i++) {
			char mac[64], m[18], nm[64];
			const char *s = l.line[i] + strspn(l.line[i], " \t");
			if (*s == '#' || !udev_rule_key(s, "ATTR{address}", mac, sizeof(mac)) || mac_norm(mac, m) ||
			    strcmp(m, n->mac) || !udev_rule_key(s, "NAME", nm, sizeof(nm)))
				continue;
			snprintf(name, nsz, "%s", nm);
			snprintf(where, wsz, "%s:%d", paths[k], i + 1);
			found = 1;
		}
		flines_free(&l);
	}
	tree_free_list(paths, np);
	return found;
}

struct linkf {
	char path[300];
	char mac[8][18];
	int nmac;
	char orig[128], driver[128], pathm[128];
	int other;            /* a [Match] key not evaluated here */
	char name[32], policy[128];
};

/* Space-separated glob list VAL: does any match S? */
static int any_glob(const char *val, const char *s)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", val);
	for (char *save, *p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (!fnmatch(p, s, 0))
			return 1;
	return 0;
}

static void link_parse(const struct fsrc *src, const char *path, struct linkf *f)
{
	struct flines l;
	char sect[32] = "";
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (flines_read(src, path, 1 << 20, &l)) {
		f->other = 1;
		return;
	}
	for (int i = 0; i < l.n; i++) {
		char *s = fs_trim(l.line[i]), *eq;
		if (*s == '[') {
			snprintf(sect, sizeof(sect), "%.*s", (int)strcspn(s + 1, "]"), s + 1);
			continue;
		}
		if (!*s || *s == '#' || *s == ';' || !(eq = strchr(s, '=')))
			continue;
		*eq = 0;
		char *k = fs_trim(s), *v = fs_trim(eq + 1);
		if (!strcmp(sect, "Match")) {
			if (!strcmp(k, "MACAddress") || !strcmp(k, "PermanentMACAddress")) {
				char buf[256];
				snprintf(buf, sizeof(buf), "%s", v);
				for (char *sv, *p = strtok_r(buf, " ", &sv); p && f->nmac < 8; p = strtok_r(NULL, " ", &sv))
					if (!mac_norm(p, f->mac[f->nmac]))
						f->nmac++;
			} else if (!strcmp(k, "OriginalName")) {
				snprintf(f->orig, sizeof(f->orig), "%s", v);
			} else if (!strcmp(k, "Driver")) {
				snprintf(f->driver, sizeof(f->driver), "%s", v);
			} else if (!strcmp(k, "Path")) {
				snprintf(f->pathm, sizeof(f->pathm), "%s", v);
			} else if (strcmp(k, "Type") || strcmp(v, "ether")) {
				f->other = 1;
			}
		} else if (!strcmp(sect, "Link")) {
			if (!strcmp(k, "Name"))
				snprintf(f->name, sizeof(f->name), "%s", v);
			else if (!strcmp(k, "NamePolicy"))
				snprintf(f->policy, sizeof(f->policy), "%s", v);
		}
	}
	flines_free(&l);
}

/* 1 matches N, 0 not, -1 cannot tell. */
static int link_match(const struct linkf *f, const struct nic *n)
{
	int m = 1;
	if (f->nmac) {
		int any = 0;
		for (int i = 0; i < f->nmac; i++)
			any |= !strcmp(f->mac[i], n->mac);
		m &= any;
	}
	if (f->driver[0])
		m &= any_glob(f->driver, n->driver);
	if (f->pathm[0]) {
		char idp[64];
		snprintf(idp, sizeof(idp), "pci-%s", n->pci);
		m &= any_glob(f->pathm, idp);
	}
	if (f->orig[0] && strcmp(f->orig, "*"))
		return m ? -1 : 0;   /* the kernel's own name is not known from here */
	return !m ? 0 : f->other ? -1 : 1;
}

static void add_alt(struct nic *n, const char *a)
{
	if (!a[0] || !strcmp(a, n->name) || n->nalt >= NIC_MAX_ALT)
		return;
	for (int i = 0; i < n->nalt; i++)
		if (!strcmp(n->alt[i], a))
			return;
	snprintf(n->alt[n->nalt++], sizeof(n->alt[0]), "%s", a);
}

/* Name N by a NamePolicy list; "" when no policy gives one. */
static void by_policy(struct nic *n, const char *policy, const char *from)
{
	char ob[32], sl[32], pa[32], mc[32], buf[128];
	nic_predictable(n, ob, sl, pa, mc, sizeof(ob));
	snprintf(buf, sizeof(buf), "%s", policy);
	for (char *sv, *p = strtok_r(buf, " ", &sv); p && !n->name[0]; p = strtok_r(NULL, " ", &sv)) {
		const char *v = !strcmp(p, "onboard") ? ob : !strcmp(p, "slot") ? sl : !strcmp(p, "path") ? pa :
				!strcmp(p, "mac") ? mc : "";
		if (*v) {
			snprintf(n->name, sizeof(n->name), "%s", v);
			snprintf(n->basis, sizeof(n->basis), "systemd's %s name (NamePolicy from %s); a guess: it depends "
				 "on the installed systemd's naming scheme", p, from);
			n->guess = 1;
		}
	}
	add_alt(n, ob), add_alt(n, sl), add_alt(n, pa), add_alt(n, mc);
}

static void name_one(struct nic *n, int kidx, const struct fsrc *src, char **links, size_t nl, const char *if0,
		     int systemd)
{
	char nm[64], where[300];
	if (udev_rename(src, n, nm, sizeof(nm), where, sizeof(where))) {
		snprintf(n->name, sizeof(n->name), "%s", nm);
		snprintf(n->basis, sizeof(n->basis), "udev rule %s, by MAC", where);
		return;
	}
	for (size_t i = 0; i < nl; i++) {
		struct linkf f;
		link_parse(src, links[i], &f);
		int m = link_match(&f, n);
		if (m == 0)
			continue;
		if (m < 0) {
			snprintf(n->basis, sizeof(n->basis), "%s may apply (it matches on what rescuectl cannot see)",
				 links[i]);
			n->guess = 1;
		}
		if (f.name[0] && !f.policy[0]) {
			snprintf(n->name, sizeof(n->name), "%s", f.name);
			if (m > 0)
				snprintf(n->basis, sizeof(n->basis), "%s: Name=", links[i]);
			return;
		}
		if (if0[0])
			break;
		by_policy(n, f.policy[0] ? f.policy : "kernel database onboard slot path", links[i]);
		if (!n->name[0] && f.name[0]) {
			snprintf(n->name, sizeof(n->name), "%s", f.name);
			snprintf(n->basis, sizeof(n->basis), "%s: Name=", links[i]);
		}
		if (n->name[0])
			return;
		break;
	}
	if (!if0[0] && systemd && !nl)
		by_policy(n, "kernel database onboard slot path", "systemd's built-in default");
	if (n->name[0])
		return;
	snprintf(n->name, sizeof(n->name), "eth%d", kidx);
	snprintf(n->basis, sizeof(n->basis), "the kernel's name (%s); a guess: N follows the order the kernel finds the "
		 "cards in", if0[0] ? if0 : "no renaming rule applies");
	n->guess = 1;
}

int nics_name(struct nics *ns, const struct fsrc *src)
{
	char if0[300], **links = NULL;
	size_t nl = 0;
	ifnames0(src, if0, sizeof(if0));
	if (if0[0])
		snprintf(if0 + strlen(if0), sizeof(if0) - strlen(if0), ": net.ifnames=0");
	int systemd = fsrc_exists(src, "/lib/systemd/systemd-udevd") || fsrc_exists(src, "/usr/lib/systemd/systemd-udevd") ||
		      fsrc_exists(src, "/lib/systemd/systemd") || fsrc_exists(src, "/usr/lib/systemd/systemd");
	int r = fsrc_confdirs(src, "systemd/network", "link\0", LINK_MAX_FILES, &links, &nl);
	if (r)
		return r;
	/* the kernel numbers ethN in the order it finds the cards: PCI order */
	for (int i = 0; i < ns->count; i++) {
		int k = 0;
		for (int j = 0; j < ns->count; j++)
			k += strcmp(ns->n[j].pci, ns->n[i].pci) < 0 || (!strcmp(ns->n[j].pci, ns->n[i].pci) && j < i);
		struct nic *n = &ns->n[i];
		n->name[0] = 0, n->nalt = 0, n->guess = 0, n->basis[0] = 0;
		name_one(n, k, src, links, nl, if0, systemd);
		if (!if0[0] && systemd) {   /* udev gives the predictable names as alternative names */
			char ob[32], sl[32], pa[32], mc[32];
			nic_predictable(n, ob, sl, pa, mc, sizeof(ob));
			add_alt(n, ob), add_alt(n, sl), add_alt(n, pa), add_alt(n, mc);
		}
	}
	tree_free_list(links, nl);
	return 0;
}

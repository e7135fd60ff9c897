/* netcheck: the fixes, as plans (netcheck.h). */
#include "netcheck.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sbuf.h"

static const struct nc_iface *by_key(const struct netcfg *c, const char *key)
{
	for (int j = 0; j < c->n; j++) {
		char k[300];
		snprintf(k, sizeof(k), "%s:%d", c->i[j].file, c->i[j].line);
		if (!strcmp(k, key))
			return &c->i[j];
	}
	return NULL;
}

static int wordc(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-';
}

/* TEXT with every whole-word OLD (outside '#' comments) replaced by NEW. */
static char *replace_word(const char *text, size_t len, const char *old, const char *new, size_t *outlen, int *count)
{
	struct sbuf b = { 0 };
	size_t ol = strlen(old);
	int comment = 0;
	*count = 0;
	for (size_t i = 0; i < len;) {
		if (text[i] == '\n')
			comment = 0;
		else if (text[i] == '#')
			comment = 1;
		if (!comment && i + ol <= len && !memcmp(text + i, old, ol) && (i == 0 || !wordc((unsigned char)text[i - 1])) &&
		    (i + ol == len || !wordc((unsigned char)text[i + ol]))) {
			sbuf_str(&b, new);
			i += ol;
			(*count)++;
			continue;
		}
		sbuf_add(&b, text + i, 1);
		i++;
	}
	if (b.oom || !b.p) {
		sbuf_free(&b);
		return NULL;
	}
	*outlen = b.n;
	return b.p;
}

int netfix_rename(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const struct nf_finding *f,
		  const char *date, struct nf_plan *p)
{
	(void)date;
	const struct nc_iface *cf = by_key(c, f->key);
	if (!cf || !cf->name[0])
		return rc_fail(ENOENT, "the configuration of this finding is gone");
	int target = -1, n = 0;
	for (int i = 0; i < ns->count; i++) {
		int conf = 0;
		for (int j = 0; j < c->n && !conf; j++)
			conf = !c->i[j].disabled && !strcmp(c->i[j].kind, "ether") && netcheck_applies(ns, &c->i[j]) == i;
		if (!conf)
			target = i, n++;
	}
	if (n != 1)
		return rc_failx(3, EINVAL, "%d NICs have no configuration: say which with --dhcp NIC", n);
	char *text, *out, what[400];
	size_t len, ol;
	int count, r = nfplan_read(p, src, cf->file, NC_MAX_FILE, &text, &len);
	if (r)
		return r;
	out = replace_word(text, len, cf->name, ns->n[target].name, &ol, &count);
	free(text);
	if (!out)
		return -ENOMEM;
	snprintf(what, sizeof(what), "rename %s to %s (%d place%s)%s", cf->name, ns->n[target].name, count,
		 count == 1 ? "" : "s", ns->n[target].guess ? "; the new name is a guess: check it" : "");
	r = nfplan_text(p, src, cf->file, out, ol, what);
	free(out);
	return r;
}

/* TEXT with line LINE (1-based) replaced by REPL (no newline). */
static char *replace_line(const char *text, size_t len, int line, const char *repl, size_t *outlen, char *old, size_t osz)
{
	size_t s = 0;
	for (int l = 1; l < line && s < len; l++) {
		const char *nl = memchr(text + s, '\n', len - s);
		s = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (s >= len)
		return NULL;
	const char *nl = memchr(text + s, '\n', len - s);
	size_t e = nl ? (size_t)(nl - text) : len, rl = strlen(repl);
	snprintf(old, osz, "%.*s", (int)(e - s), text + s);
	char *out = malloc(len - (e - s) + rl + 1);
	if (!out)
		return NULL;
	memcpy(out, text, s);
	memcpy(out + s, repl, rl);
	memcpy(out + s + rl, text + e, len - e);
	*outlen = len - (e - s) + rl;
	out[*outlen] = 0;
	return out;
}

/* The MAC written in LINE (any separators and case): its offset and length, or -1. */
static int find_mac(const char *line, size_t *len, const char *mac)
{
	for (size_t i = 0; line[i]; i++) {
		char m[18], cand[18];
		snprintf(cand, sizeof(cand), "%.17s", line + i);
		if (strlen(cand) == 17 && !mac_norm(cand, m) && !strcmp(m, mac)) {
			*len = 17;
			return (int)i;
		}
	}
	return -1;
}

static int edit_line(const struct fsrc *src, struct nf_plan *p, const char *file, int line,
		     void (*mk)(const char *old, char *out, size_t sz, const void *ud), const void *ud, const char *what)
{
	char *text, *out, old[FSRC_MAX_LINE + 1], repl[FSRC_MAX_LINE + 200];
	size_t len, ol;
	int r = nfplan_read(p, src, file, NC_MAX_FILE, &text, &len);
	if (r)
		return r;
	out = replace_line(text, len, line, "", &ol, old, sizeof(old));
	free(out);
	mk(old, repl, sizeof(repl), ud);
	out = replace_line(text, len, line, repl, &ol, old, sizeof(old));
	free(text);
	if (!out)
		return rc_fail(EINVAL, "%s has no line %d", file, line);
	r = nfplan_text(p, src, file, out, ol, what);
	free(out);
	return r;
}

struct macsub { const char *from, *to, *note; };

static void mk_mac(const char *old, char *out, size_t sz, const void *ud)
{
	const struct macsub *m = ud;
	size_t ml;
	int at = find_mac(old, &ml, m->from);
	char to[18];
	int upper = 0;
	for (int i = 0; at >= 0 && i < 17; i++)
		upper |= isupper((unsigned char)old[at + i]);
	for (int i = 0; i < 18; i++)
		to[i] = upper ? (char)toupper((unsigned char)m->to[i]) : m->to[i];
	if (at >= 0) {
		char sep = old[at + 2];
		for (int i = 2; i < 17; i += 3)
			to[i] = sep;
		snprintf(out, sz, "%.*s%s%s", at, old, to, old + at + ml);
	} else {
		snprintf(out, sz, "%s", old);
	}
}

static void mk_comment(const char *old, char *out, size_t sz, const void *ud)
{
	snprintf(out, sz, "# %s: %s", (const char *)ud, old);
}

int netfix_mac(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const struct nf_finding *f,
	       const char *date, struct nf_plan *p)
{
	const struct nc_iface *cf = by_key(c, f->key);
	char note[200], what[300];
	if (!cf || !cf->mac[0] || !cf->mac_line)
		return rc_fail(ENOENT, "the configuration of this finding is gone");
	const struct nic *to = cf->name[0] && !cf->name_glob ? nics_find_name(ns, cf->name) : NULL;
	if (!to) {
		int n = 0;
		for (int i = 0; i < ns->count; i++) {
			int conf = 0;
			for (int j = 0; j < c->n && !conf; j++)
				conf = !c->i[j].disabled && netcheck_applies(ns, &c->i[j]) == i;
			if (!conf)
				to = &ns->n[i], n++;
		}
		to = n == 1 ? to : NULL;
	}
	if (to) {
		struct macsub m = { cf->mac, to->mac, NULL };
		snprintf(what, sizeof(what), "replace the stale MAC %s by %s's %s", cf->mac, to->name, to->mac);
		return edit_line(src, p, cf->file, cf->mac_line, mk_mac, &m, what);
	}
	if (cf->src == NC_NETPLAN)
		return rc_failx(3, EINVAL, "which NIC %s's netplan entry is for cannot be told: edit %s", cf->name, cf->file);
	snprintf(note, sizeof(note), "rescuectl doctor %s: no NIC has this MAC", date);
	snprintf(what, sizeof(what), "comment out the MAC pin %s", cf->mac);
	return edit_line(src, p, cf->file, cf->mac_line, mk_comment, note, what);
}

struct udevfix { const struct fsrc *src; struct nf_plan *p; const char *date; int r; };

static void udev_one(void *ud, const char *file, int line, const char *mac, const char *name)
{
	struct udevfix *u = ud;
	char note[200], what[300];
	snprintf(note, sizeof(note), "rescuectl doctor %s: no NIC has this MAC", u->date);
	snprintf(what, sizeof(what), "comment out the rule naming %s '%s' (line %d)", mac, name, line);
	if (!u->r)
		u->r = edit_line(u->src, u->p, file, line, mk_comment, note, what);
}

int netfix_udev(const struct fsrc *src, const struct nics *ns, const char *date, struct nf_plan *p)
{
	struct udevfix u = { src, p, date, 0 };
	int n = netcheck_stale_rules(src, ns, udev_one, &u);
	if (!u.r && !n)
		return rc_fail(ENOENT, "no stale persistent-net rule");
	return u.r;
}

/* ---- --dhcp NIC ---------------------------------------------------------------- */

static int dhcp_text(enum nc_mgr m, int netplan, const struct nic *n, const char *date, char *buf, size_t sz,
		     char *path, size_t psz, mode_t *mode)
{
	*mode = 0644;
	if (netplan) {
		snprintf(path, psz, "/etc/netplan/90-rescuectl-dhcp-%s.yaml", n->name);
		*mode = 0600;
		return snprintf(buf, sz, "# Written by rescuectl doctor %s: %s comes up with DHCP (a fallback: remove this "
				"file to undo).\nnetwork:\n  version: 2\n  ethernets:\n    rescuectl-%s:\n      match:\n"
				"        macaddress: \"%s\"\n      dhcp4: true\n", date, n->name, n->name, n->mac);
	}
	switch (m) {
	case NM_NETWORKD:
		snprintf(path, psz, "/etc/systemd/network/05-rescuectl-dhcp-%s.network", n->name);
		return snprintf(buf, sz, "# Written by rescuectl doctor %s: %s comes up with DHCP (a fallback: remove this "
				"file to undo).\n[Match]\nMACAddress=%s\n\n[Network]\nDHCP=yes\n", date, n->name, n->mac);
	case NM_NM:
		snprintf(path, psz, "/etc/NetworkManager/system-connections/rescuectl-dhcp-%s.nmconnection", n->name);
		*mode = 0600;
		return snprintf(buf, sz, "# Written by rescuectl doctor %s: %s comes up with DHCP (a fallback: remove this "
				"file to undo).\n[connection]\nid=rescuectl-dhcp-%s\ntype=ethernet\nautoconnect=true\n"
				"autoconnect-priority=100\n\n[ethernet]\nmac-address=%s\n\n[ipv4]\nmethod=auto\n\n[ipv6]\n"
				"method=auto\n", date, n->name, n->name, n->mac);
	case NM_NETSCRIPTS:
		snprintf(path, psz, "/etc/sysconfig/network-scripts/ifcfg-%s", n->name);
		return snprintf(buf, sz, "# Written by rescuectl doctor %s: %s comes up with DHCP (a fallback: remove this "
				"file to undo).\nDEVICE=%s\nHWADDR=%s\nTYPE=Ethernet\nBOOTPROTO=dhcp\nONBOOT=yes\n", date,
				n->name, n->name, n->mac);
	default:
		snprintf(path, psz, "/etc/network/interfaces.d/rescuectl-dhcp-%s", n->name);
		return snprintf(buf, sz, "# Written by rescuectl doctor %s: %s comes up with DHCP (a fallback: remove this "
				"file to undo).\nallow-hotplug %s\niface %s inet dhcp\n", date, n->name, n->name, n->name);
	}
}

/* Does /etc/network/interfaces read interfaces.d? */
static int sources_interfaces_d(const struct fsrc *src)
{
	struct flines l;
	int yes = 0;
	if (flines_read(src, "/etc/network/interfaces", NC_MAX_FILE, &l))
		return 0;
	for (int i = 0; i < l.n; i++) {
		const char *s = fs_trim(l.line[i]);
		yes |= (!strncmp(s, "source", 6)) && strstr(s, "/etc/network/interfaces.d") != NULL;
	}
	flines_free(&l);
	return yes;
}

int netfix_dhcp(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const char *nic,
		const char *date, struct nf_plan *p)
{
	const struct nic *n = nics_find_name(ns, nic);
	if (!n)
		n = nics_find_mac(ns, nic);
	if (!n)
		return rc_failx(2, ENOENT, "%s is no NIC of this machine (its NICs: %s%s%s)", nic,
				ns->count ? ns->n[0].name : "none", ns->count > 1 ? ", " : "", ns->count > 1 ? ns->n[1].name : "");
	int netplan = c->netplan_installed && (c->has[NC_NETPLAN] || fsrc_type(src, "/etc/netplan", 1) == 'd');
	enum nc_mgr m = NM_N;
	static const enum nc_mgr order[] = { NM_NETWORKD, NM_NM, NM_IFUPDOWN, NM_NETSCRIPTS };
	for (size_t k = 0; k < 4 && m == NM_N; k++)
		if (c->enabled[order[k]])
			m = order[k];
	if (m == NM_N && !netplan)
		return rc_failx(3, ENOENT, "no network manager starts at boot: enable one first");
	char text[1024], path[300], what[400];
	mode_t mode;
	dhcp_text(m, netplan, n, date, text, sizeof(text), path, sizeof(path), &mode);
	if (!netplan && m == NM_IFUPDOWN && !sources_interfaces_d(src)) {
		char *old, *nt;
		size_t len, nl;
		int r = nfplan_read(p, src, "/etc/network/interfaces", NC_MAX_FILE, &old, &len);
		if (r)
			return r;
		nt = nf_insert_line(old, len, 1 << 30, strchr(text, '\n') + 1, &nl);
		free(old);
		if (!nt)
			return -ENOMEM;
		snprintf(what, sizeof(what), "append 'iface %s inet dhcp' (by name: %s)", n->name, n->basis);
		r = nfplan_text(p, src, "/etc/network/interfaces", nt, nl, what);
		free(nt);
		return r;
	}
	if (fsrc_exists(src, path))
		return rc_failx(3, EEXIST, "%s exists already", path);
	char dir[300];
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (fsrc_type(src, dir, 1) != 'd')
		return rc_failx(3, ENOENT, "%s is missing: is %s installed?", dir, netplan ? "netplan" : nc_mgr_name(m));
	snprintf(what, sizeof(what), "create %s: %s (MAC %s) with DHCP, for %s", path, n->name, n->mac,
		 netplan ? "netplan" : nc_mgr_name(m));
	return nfplan_create(p, path, text, strlen(text), mode, what);
}

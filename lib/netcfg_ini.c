/* netcfg: the INI-style files: NetworkManager keyfiles, systemd-networkd
 * .network and .netdev files. */
#include "netcfg.h"
#include "nics.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef void (*ini_fn)(void *ud, const char *sect, const char *key, char *val, int line);

static int ini_read(const struct fsrc *src, struct netcfg *c, const char *path, ini_fn fn, void *ud)
{
	struct flines l;
	char sect[64] = "";
	int r = flines_read(src, path, NC_MAX_FILE, &l);
	if (r)
		return r == -ENOMEM ? r : (nc_unread(c, path, rc_msg()), 0);
	for (int i = 0; i < l.n; i++) {
		char *s = fs_trim(l.line[i]), *eq;
		if (*s == '[') {
			snprintf(sect, sizeof(sect), "%.*s", (int)strcspn(s + 1, "]"), s + 1);
		} else if (*s && *s != '#' && *s != ';' && (eq = strchr(s, '='))) {
			*eq = 0;
			fn(ud, sect, fs_trim(s), fs_trim(eq + 1), i + 1);
		}
	}
	flines_free(&l);
	return 0;
}

/* ---- NetworkManager keyfiles ------------------------------------------------ */

static void nm_kv(void *ud, const char *sect, const char *k, char *v, int line)
{
	struct nc_iface *f = ud;
	if (!strcmp(sect, "connection")) {
		if (!strcmp(k, "interface-name"))
			snprintf(f->name, sizeof(f->name), "%s", v), f->name_line = line;
		else if (!strcmp(k, "type"))
			snprintf(f->kind, sizeof(f->kind), "%s", !strcmp(v, "bond") ? "bond" : !strcmp(v, "bridge") ? "bridge" :
				 !strcmp(v, "vlan") ? "vlan" : !strcmp(v, "loopback") ? "loopback" : "ether");
		else if (!strcmp(k, "autoconnect"))
			f->disabled = !strcasecmp(v, "false") || !strcmp(v, "0");
		else if (!strcmp(k, "master") || !strcmp(k, "controller"))
			snprintf(f->master, sizeof(f->master), "%s", v);
	} else if ((!strcmp(sect, "ethernet") || !strcmp(sect, "802-3-ethernet")) && !strcmp(k, "mac-address")) {
		if (!mac_norm(v, f->mac))
			f->mac_line = line;
	} else if (!strcmp(sect, "vlan") && !strcmp(k, "parent") && f->nmembers < NC_MAX_MEMBERS) {
		snprintf(f->members[f->nmembers++], 64, "%s", v);
		f->member_line = line;
	} else if (!strcmp(sect, "ipv4")) {
		if (!strcmp(k, "method"))
			f->dhcp4 = f->default_route = !strcmp(v, "auto");
		else if (!strncmp(k, "address", 7) && f->naddr < NC_MAX_ADDR) {
			char *comma = strchr(v, ',');   /* address1=192.0.2.10/24,192.0.2.1 */
			if (comma) {
				*comma = 0;
				snprintf(f->gw4, sizeof(f->gw4), "%s", comma + 1);
				f->gw_line = line, f->default_route = 1;
			}
			nc_cidr(v, "", f->addr[f->naddr++], 64);
		} else if (!strcmp(k, "gateway")) {
			snprintf(f->gw4, sizeof(f->gw4), "%s", v);
			f->gw_line = line, f->default_route = 1;
		} else if (!strcmp(k, "dns")) {
			f->ndns++;
		}
	}
}

int nc_read_nm(const struct fsrc *src, struct netcfg *c)
{
	char **paths;
	size_t n;
	int r = fsrc_glob(src, "/etc/NetworkManager/system-connections/*", NC_MAX_FILES, &paths, &n);
	if (r)
		return r == -E2BIG ? (nc_unread(c, "/etc/NetworkManager/system-connections", "too many files"), 0) : 0;
	for (size_t i = 0; i < n && !r; i++) {
		if (fsrc_type(src, paths[i], 1) != 'f')
			continue;
		struct nc_iface *f = nc_add(c, NC_NM, paths[i], 1, "");
		if (!f) {
			r = -ENOMEM;
			break;
		}
		f->name_line = 0;
		f->from_cloudinit = strstr(paths[i], "cloud-init") != NULL;
		r = ini_read(src, c, paths[i], nm_kv, f);
	}
	tree_free_list(paths, n);
	return r;
}

/* ---- systemd-networkd --------------------------------------------------------- */

struct nd {
	struct nc_iface *f;
	int cond;            /* a [Match] key that makes it conditional (Virtualization=, Kind=, ...) */
	char vlan[4][64];    /* VLAN= netdevs on this link */
	int nvlan;
};

static void nd_kv(void *ud, const char *sect, const char *k, char *v, int line)
{
	struct nd *d = ud;
	struct nc_iface *f = d->f;
	if (!strcmp(sect, "Match")) {
		if (!strcmp(k, "Name")) {
			snprintf(f->name, sizeof(f->name), "%.*s", (int)strcspn(v, " "), v);
			f->name_glob = strpbrk(f->name, "*?[") != NULL || strchr(v, ' ') != NULL;
			f->name_line = line;
		} else if (!strcmp(k, "MACAddress") || !strcmp(k, "PermanentMACAddress")) {
			if (!mac_norm(v, f->mac))
				f->mac_line = line;
		} else if (strcmp(k, "Driver") && strcmp(k, "Path") && strcmp(k, "OriginalName") &&
			   !(!strcmp(k, "Type") && !strcmp(v, "ether"))) {
			d->cond = 1;
		}
	} else if (!strcmp(sect, "NetDev")) {
		if (!strcmp(k, "Name"))
			snprintf(f->name, sizeof(f->name), "%s", v), f->name_line = line;
		else if (!strcmp(k, "Kind"))
			snprintf(f->kind, sizeof(f->kind), "%s", v);
	} else if (!strcmp(sect, "Network")) {
		if (!strcmp(k, "DHCP"))
			f->dhcp4 = f->default_route = !strcasecmp(v, "yes") || !strcasecmp(v, "ipv4") || !strcasecmp(v, "true") ||
						       !strcasecmp(v, "both");
		else if (!strcmp(k, "Address") && f->naddr < NC_MAX_ADDR)
			nc_cidr(v, "", f->addr[f->naddr++], 64);
		else if (!strcmp(k, "Gateway"))
			snprintf(f->gw4, sizeof(f->gw4), "%s", v), f->gw_line = line, f->default_route = 1;
		else if (!strcmp(k, "DNS"))
			f->ndns++;
		else if (!strcmp(k, "Bond") || !strcmp(k, "Bridge"))
			snprintf(f->master, sizeof(f->master), "%s", v);
		else if (!strcmp(k, "VLAN") && d->nvlan < 4)
			snprintf(d->vlan[d->nvlan++], 64, "%s", v);
	} else if (!strcmp(sect, "Address") && !strcmp(k, "Address") && f->naddr < NC_MAX_ADDR) {
		nc_cidr(v, "", f->addr[f->naddr++], 64);
	} else if (!strcmp(sect, "Route")) {
		if (!strcmp(k, "Gateway"))
			snprintf(f->gw4, sizeof(f->gw4), "%s", v), f->gw_line = line, f->default_route = 1;
		else if (!strcmp(k, "GatewayOnLink"))
			f->gw_onlink = !strcasecmp(v, "yes") || !strcasecmp(v, "true");
		else if (!strcmp(k, "Destination") && strcmp(v, "0.0.0.0/0"))
			f->default_route = 0;
	}
}

int nc_read_networkd(const struct fsrc *src, struct netcfg *c)
{
	char **paths = NULL;
	size_t n = 0;
	int r = fsrc_confdirs(src, "systemd/network", "network\0netdev\0", NC_MAX_FILES, &paths, &n);
	struct { char vlan[64], link[64]; } links[32];
	int nl = 0;
	for (size_t i = 0; !r && i < n; i++) {
		struct nd d;
		memset(&d, 0, sizeof(d));
		int netdev = fs_endswith(paths[i], ".netdev");
		if (!(d.f = nc_add(c, NC_NETWORKD, paths[i], 1, ""))) {
			r = -ENOMEM;
			break;
		}
		d.f->from_cloudinit = strstr(paths[i], "cloud-init") != NULL;
		if (netdev)
			d.f->kind[0] = 0;
		r = ini_read(src, c, paths[i], nd_kv, &d);
		if (d.cond || (!d.f->name[0] && !d.f->mac[0])) {
			c->n--;   /* conditional (containers, VMs) or matching nothing here: not this machine's */
			continue;
		}
		for (int k = 0; k < d.nvlan && nl < 32; k++, nl++)
			snprintf(links[nl].vlan, 64, "%s", d.vlan[k]), snprintf(links[nl].link, 64, "%s", d.f->name);
	}
	for (int k = 0; k < nl; k++)
		for (int i = 0; i < c->n; i++)
			if (c->i[i].src == NC_NETWORKD && !strcmp(c->i[i].kind, "vlan") && !strcmp(c->i[i].name, links[k].vlan) &&
			    c->i[i].nmembers < NC_MAX_MEMBERS)
				snprintf(c->i[i].members[c->i[i].nmembers++], 64, "%s", links[k].link);
	if (paths)
		tree_free_list(paths, n);
	return r;
}

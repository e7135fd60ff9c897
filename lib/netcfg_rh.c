/* netcfg: RHEL's ifcfg files and NetworkManager's keyfiles. */
#include "netcfg.h"
#include "nics.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int skip_name(const char *b)
{
	static const char *const bad[] = { ".bak", "~", ".orig", ".rpmnew", ".rpmorig", ".rpmsave" };
	for (size_t k = 0; k < 6; k++)
		if (fs_endswith(b, bad[k]))
			return 1;
	return !strcmp(b, "ifcfg-lo");
}

static void ifcfg_addr(struct nc_iface *f, const struct flines *l)
{
	char v[128], k[64], pfx[64], mask[64];
	for (int n = -1; n < 8 && f->naddr < NC_MAX_ADDR; n++) {
		char suffix[8] = "";
		if (n >= 0)
			snprintf(suffix, sizeof(suffix), "%d", n);
		snprintf(k, sizeof(k), "IPADDR%s", suffix);
		if (!fs_shvar_get(l, k, v, sizeof(v)) || !v[0])
			continue;
		snprintf(k, sizeof(k), "PREFIX%s", suffix);
		int hp = fs_shvar_get(l, k, pfx, sizeof(pfx));
		snprintf(k, sizeof(k), "NETMASK%s", suffix);
		int hm = fs_shvar_get(l, k, mask, sizeof(mask));
		nc_cidr(v, hp ? pfx : hm ? mask : "", f->addr[f->naddr++], 64);
	}
}

static int ifcfg_one(const struct fsrc *src, struct netcfg *c, const char *path)
{
	struct flines l;
	int r = flines_read(src, path, NC_MAX_FILE, &l);
	if (r)
		return nc_unread(c, path, rc_msg()), 0;
	char v[256], name[64];
	const char *b = strrchr(path, '/') + 6;
	snprintf(name, sizeof(name), "%s", b);
	int at = fs_shvar_get(&l, "DEVICE", v, sizeof(v));
	if (at && v[0])
		snprintf(name, sizeof(name), "%s", v);
	struct nc_iface *f = nc_add(c, NC_IFCFG, path, 1, name);
	if (!f)
		return flines_free(&l), -ENOMEM;
	f->name_line = at;
	if ((at = fs_shvar_get(&l, "HWADDR", v, sizeof(v))) && !mac_norm(v, f->mac))
		f->mac_line = at;
	if (fs_shvar_get(&l, "TYPE", v, sizeof(v)))
		snprintf(f->kind, sizeof(f->kind), "%s", !strcasecmp(v, "Bond") ? "bond" : !strcasecmp(v, "Bridge") ?
			 "bridge" : !strcasecmp(v, "Vlan") ? "vlan" : "ether");
	if (fs_shvar_get(&l, "VLAN", v, sizeof(v)) && !strcasecmp(v, "yes"))
		snprintf(f->kind, sizeof(f->kind), "vlan");
	if (!strcmp(f->kind, "vlan")) {
		if ((at = fs_shvar_get(&l, "PHYSDEV", v, sizeof(v))) && v[0])
			snprintf(f->members[f->nmembers++], 64, "%s", v);
		else if (strchr(name, '.'))
			snprintf(f->members[f->nmembers++], 64, "%.*s", (int)strcspn(name, "."), name), at = f->name_line;
		f->member_line = at;
	}
	if (fs_shvar_get(&l, "MASTER", v, sizeof(v)) || fs_shvar_get(&l, "BRIDGE", v, sizeof(v)))
		snprintf(f->master, sizeof(f->master), "%s", v);
	if (fs_shvar_get(&l, "BOOTPROTO", v, sizeof(v)) && (!strcasecmp(v, "dhcp") || !strcasecmp(v, "bootp")))
		f->dhcp4 = f->default_route = 1;
	ifcfg_addr(f, &l);
	if ((at = fs_shvar_get(&l, "GATEWAY", v, sizeof(v))) && v[0]) {
		snprintf(f->gw4, sizeof(f->gw4), "%s", v);
		f->gw_line = at;
		f->default_route = 1;
	}
	f->ndns = fs_shvar_get(&l, "DNS1", v, sizeof(v)) != 0;
	f->disabled = fs_shvar_get(&l, "ONBOOT", v, sizeof(v)) && !strcasecmp(v, "no");
	for (int i = 0; i < l.n && i < 3; i++)
		f->from_cloudinit |= strstr(l.line[i], "cloud-init") != NULL;
	flines_free(&l);
	return 0;
}

int nc_read_ifcfg(const struct fsrc *src, struct netcfg *c)
{
	char **paths;
	size_t n;
	int r = fsrc_glob(src, "/etc/sysconfig/network-scripts/ifcfg-*", NC_MAX_FILES, &paths, &n);
	if (r)
		return r == -E2BIG ? (nc_unread(c, "/etc/sysconfig/network-scripts", "too many files"), 0) : 0;
	for (size_t i = 0; i < n && !r; i++)
		if (!skip_name(strrchr(paths[i], '/') + 1) && fsrc_type(src, paths[i], 1) == 'f')
			r = ifcfg_one(src, c, paths[i]);
	/* the default gateway may be set for all in /etc/sysconfig/network */
	struct flines l;
	char v[64];
	if (!flines_read(src, "/etc/sysconfig/network", NC_MAX_FILE, &l)) {
		int at = fs_shvar_get(&l, "GATEWAY", v, sizeof(v));
		for (int i = 0; at && v[0] && i < c->n; i++)
			if (c->i[i].src == NC_IFCFG && c->i[i].naddr && !c->i[i].gw4[0]) {
				snprintf(c->i[i].gw4, sizeof(c->i[i].gw4), "%s", v);
				c->i[i].default_route = 1;
			}
		flines_free(&l);
	}
	tree_free_list(paths, n);
	return r;
}

/* netcfg: the installed system's network configuration, every source. */
#include "netcfg.h"
#include "err.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nc_src_name(enum nc_src s)
{
	static const char *const n[] = { "netplan", "ifupdown", "NetworkManager", "systemd-networkd", "ifcfg" };
	return s < NC_NSRC ? n[s] : "?";
}

const char *nc_mgr_name(enum nc_mgr m)
{
	static const char *const n[] = { "systemd-networkd", "NetworkManager", "ifupdown", "network-scripts" };
	return m < NM_N ? n[m] : "?";
}

struct nc_iface *nc_add(struct netcfg *c, enum nc_src s, const char *file, int line, const char *name)
{
	if (c->n >= NC_MAX_IFACES)
		return NULL;
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct nc_iface *n = realloc(c->i, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		c->i = n, c->cap = cap;
	}
	struct nc_iface *f = &c->i[c->n++];
	memset(f, 0, sizeof(*f));
	f->src = s;
	snprintf(f->file, sizeof(f->file), "%s", file);
	f->line = f->name_line = line;
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	snprintf(f->kind, sizeof(f->kind), "ether");
	c->has[s] = 1;
	return f;
}

void nc_unread(struct netcfg *c, const char *file, const char *why)
{
	if (c->nunread < 8)
		snprintf(c->unread[c->nunread++], sizeof(c->unread[0]), "%s: %s", file, why);
}

void netcfg_free(struct netcfg *c)
{
	free(c->i);
	memset(c, 0, sizeof(*c));
}

int nc_cidr(const char *addr, const char *mask, char *out, size_t sz)
{
	struct in_addr a, m;
	char ip[64];
	snprintf(ip, sizeof(ip), "%.*s", (int)strcspn(addr, "/"), addr);
	if (inet_pton(AF_INET, ip, &a) != 1)
		return -1;
	if (strchr(addr, '/')) {
		snprintf(out, sz, "%s", addr);
		return 0;
	}
	int bits = 32;
	if (mask && *mask) {
		if (inet_pton(AF_INET, mask, &m) == 1)
			bits = __builtin_popcount(m.s_addr);
		else
			bits = atoi(mask);
	}
	snprintf(out, sz, "%s/%d", ip, bits);
	return 0;
}

int nc_in_subnet(const char *cidr, const char *gw)
{
	struct in_addr a, g;
	char ip[64];
	snprintf(ip, sizeof(ip), "%.*s", (int)strcspn(cidr, "/"), cidr);
	const char *slash = strchr(cidr, '/');
	int bits = slash ? atoi(slash + 1) : 32;
	if (inet_pton(AF_INET, ip, &a) != 1 || inet_pton(AF_INET, gw, &g) != 1 || bits < 0 || bits > 32)
		return -1;
	uint32_t m = bits ? htonl(~0u << (32 - bits)) : 0;
	return (a.s_addr & m) == (g.s_addr & m);
}

static void managers(const struct fsrc *src, struct netcfg *c)
{
	static const char *const svc[NM_N][2] = {
		{ "systemd-networkd", NULL }, { "NetworkManager", "network-manager" }, { "networking", NULL },
		{ "network", NULL },
	};
	for (int m = 0; m < NM_N; m++)
		for (int k = 0; k < 2 && svc[m][k] && !c->enabled[m]; k++) {
			struct svc_state st;
			if (svc_state(src, c->init, svc[m][k], &st))
				continue;
			c->enabled[m] = st.enabled;
			snprintf(c->enabled_how[m], sizeof(c->enabled_how[m]), "%s", st.enabled ? st.link :
				 st.masked ? "masked" : st.installed ? "installed, not enabled" : "not installed");
		}
	/* netplan's generator enables the manager it renders for, at every boot */
	c->netplan_installed = fsrc_exists(src, "/lib/systemd/system-generators/netplan") ||
			       fsrc_exists(src, "/usr/lib/systemd/system-generators/netplan") || fsrc_exists(src, "/usr/sbin/netplan");
}

static void resolver(const struct fsrc *src, struct netcfg *c)
{
	struct flines l;
	if (flines_read(src, "/etc/resolv.conf", 1 << 20, &l))
		return;
	for (int i = 0; i < l.n; i++)
		c->resolv_nameservers += !strncmp(fs_trim(l.line[i]), "nameserver", 10);
	flines_free(&l);
}

enum nc_mgr netcfg_manager(const struct netcfg *c, enum nc_src s)
{
	switch (s) {
	case NC_NETPLAN: return !strcmp(c->netplan_renderer, "NetworkManager") ? NM_NM : NM_NETWORKD;
	case NC_IFUPDOWN: return NM_IFUPDOWN;
	case NC_NM: return NM_NM;
	case NC_NETWORKD: return NM_NETWORKD;
	default: return c->enabled[NM_NM] || !c->enabled[NM_NETSCRIPTS] ? NM_NM : NM_NETSCRIPTS;
	}
}

int netcfg_scan(const struct fsrc *src, struct netcfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->netplan_renderer, sizeof(c->netplan_renderer), "networkd");
	c->init = svc_init_system(src);
	if (c->init == SVC_INIT_UNKNOWN)
		c->init = SVC_INIT_SYSTEMD;
	managers(src, c);
	resolver(src, c);
	int (*readers[])(const struct fsrc *, struct netcfg *) = { nc_read_netplan, nc_read_ifupdown, nc_read_nm,
								    nc_read_networkd, nc_read_ifcfg, nc_read_cloudinit };
	for (size_t k = 0; k < sizeof(readers) / sizeof(readers[0]); k++) {
		int r = readers[k](src, c);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

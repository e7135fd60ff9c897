/* netcheck: the network findings. */
#include "netcheck.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int virtual_kind(const struct nc_iface *f)
{
	return strcmp(f->kind, "ether") != 0;
}

int netcheck_applies(const struct nics *ns, const struct nc_iface *f)
{
	for (int i = 0; i < ns->count; i++) {
		const struct nic *n = &ns->n[i];
		if (f->mac[0] && strcmp(f->mac, n->mac))
			continue;
		if (f->name[0] && !(f->name_glob ? nic_name_match(n, f->name) : nics_find_name(ns, f->name) == n))
			continue;
		if (!f->mac[0] && !f->name[0])
			continue;
		return i;
	}
	return -1;
}

/* Is F brought up at boot: not switched off, and its manager started? */
static int active(const struct netcfg *c, const struct nc_iface *f)
{
	if (f->disabled || !strcmp(f->kind, "loopback"))
		return 0;
	enum nc_mgr m = netcfg_manager(c, f->src);
	return c->enabled[m] || (f->src == NC_NETPLAN && c->netplan_installed);
}

int netcheck_nm_autodefault(const struct fsrc *src)
{
	char **paths = NULL;
	size_t n = 0;
	int on = 1;
	if (fsrc_glob(src, "/etc/NetworkManager/conf.d/*.conf", 64, &paths, &n))
		paths = NULL, n = 0;
	for (int i = -1; i < (int)n; i++) {
		struct flines l;
		if (flines_read(src, i < 0 ? "/etc/NetworkManager/NetworkManager.conf" : paths[i], 1 << 20, &l))
			continue;
		for (int k = 0; k < l.n; k++) {
			char *s = fs_trim(l.line[k]);
			if (!strncmp(s, "no-auto-default", 15) && strchr(s, '*'))
				on = 0;
		}
		flines_free(&l);
	}
	if (paths)
		tree_free_list(paths, n);
	return on;
}

static const char *nic_desc(const struct nic *n, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s (MAC %s, %s%s%s; %s)", n->name, n->mac, n->driver[0] ? n->driver : "no driver",
		 n->pci[0] ? " at PCI " : "", n->pci, n->basis);
	return buf;
}

/* The present NICs that no active configuration applies to. */
static int unconfigured(const struct nics *ns, const struct netcfg *c, int *idx)
{
	int k = 0;
	for (int i = 0; i < ns->count; i++) {
		int conf = 0;
		for (int j = 0; j < c->n && !conf; j++)
			conf = active(c, &c->i[j]) && !virtual_kind(&c->i[j]) && netcheck_applies(ns, &c->i[j]) == i;
		if (!conf)
			idx[k++] = i;
	}
	return k;
}

static void key_of(struct nf_finding *x, const struct nc_iface *f)
{
	if (x)
		snprintf(x->key, sizeof(x->key), "%s:%d", f->file, f->line);
}

static const char *ci_note(const struct netcfg *c, const struct nc_iface *f)
{
	if (!f->from_cloudinit)
		return "";
	return c->cloudinit_enabled && !c->cloudinit_net_disabled ? " This file was written by cloud-init, which may "
		"write it again: `network: {config: disabled}` in /etc/cloud/cloud.cfg.d stops that." :
		" (written by cloud-init)";
}

/* net.iface-missing and net.mac-pin-stale */
static void stale(const struct nics *ns, const struct netcfg *c, int nm_auto, struct nf_findings *out)
{
	int u[NIC_MAX], nu = unconfigured(ns, c, u), any_ok = nm_auto;
	const char *nm_note = nm_auto ? " NetworkManager still brings the NICs without a configuration up with DHCP, "
				      "by its own default." : "";
	char d[400], list[600] = "";
	for (int k = 0; k < nu; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "",
			 nic_desc(&ns->n[u[k]], d, sizeof(d)));
	for (int j = 0; j < c->n; j++)
		any_ok |= active(c, &c->i[j]) && !virtual_kind(&c->i[j]) && c->i[j].default_route &&
			  netcheck_applies(ns, &c->i[j]) >= 0;
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		struct nf_finding *x = NULL;
		if (!active(c, f) || virtual_kind(f) || f->master[0] || netcheck_applies(ns, f) >= 0)
			continue;
		if (f->mac[0] && !nics_find_mac(ns, f->mac)) {
			x = nf_add(out, "net.mac-pin-stale", any_ok ? NF_DEGRADED : NF_LOGIN, f->file, f->mac_line, f->mac,
				   "%s configuration%s%s is pinned to MAC %s, which no NIC of this machine has%s%s.%s%s",
				   nc_src_name(f->src), f->name[0] ? " of " : "", f->name, f->mac, nu ? "; without it: " : "",
				   list, nm_note, ci_note(c, f));
			if (x)
				x->fixable = 1;
		} else if (nu && f->name[0] && !f->name_glob) {
			x = nf_add(out, "net.iface-missing", any_ok ? NF_DEGRADED : NF_LOGIN, f->file, f->name_line, f->name,
				   "%s configures %s, which this machine will not have; %s %s no configuration.%s%s",
				   nc_src_name(f->src), f->name, list, nu > 1 ? "have" : "has", nm_note, ci_note(c, f));
			if (x)
				x->fixable = nu == 1;
		}
		key_of(x, f);
		if (x)
			snprintf(x->fix, sizeof(x->fix), nu == 1 ? "rescuectl doctor --fix %s moves it to %s" :
				 "name the NIC in %s, or rescuectl doctor --dhcp NIC for a DHCP fallback", x->id,
				 nu == 1 ? ns->n[u[0]].name : f->file);
	}
}

/* net.gateway-outside and net.no-default-route */
static void routes(const struct nics *ns, const struct netcfg *c, struct nf_findings *out)
{
	int any = 0, def = 0;
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		if (!active(c, f) || !strcmp(f->kind, "loopback"))
			continue;
		int applies = virtual_kind(f) || netcheck_applies(ns, f) >= 0;
		any |= applies;
		def |= applies && f->default_route;
		if (!f->gw4[0] || !f->naddr || f->gw_onlink || f->dhcp4)
			continue;
		int inside = 0, v4 = 0;
		for (int a = 0; a < f->naddr; a++) {
			int r = nc_in_subnet(f->addr[a], f->gw4);
			inside |= r == 1, v4 |= r >= 0;
		}
		struct nf_finding *x = !v4 || inside ? NULL :
			nf_add(out, "net.gateway-outside", NF_LOGIN, f->file, f->gw_line, f->gw4, "the gateway %s of %s is "
			       "outside its subnet %s: the default route cannot be set, the server answers only its own "
			       "subnet", f->gw4, f->name[0] ? f->name : f->mac, f->addr[0]);
		key_of(x, f);
		if (x)
			snprintf(x->fix, sizeof(x->fix), "correct the address or the gateway in %s:%d (or declare the "
				 "gateway on-link)", f->file, f->gw_line);
	}
	struct nf_finding *x = any && !def ? nf_add(out, "net.no-default-route", NF_LOGIN, "", 0, NULL, "no configuration "
		"for the NICs present gives a default route (no gateway, no DHCP): the server answers only its own "
		"subnet") : NULL;
	if (x)
		snprintf(x->fix, sizeof(x->fix), "add the gateway to the static configuration, or rescuectl doctor --dhcp NIC");
}

/* Would managers A and B both act on one NIC? NetworkManager leaves the
 * interfaces of /etc/network/interfaces alone ([ifupdown] managed=false, the default). */
static int fight(enum nc_mgr a, enum nc_mgr b)
{
	if (a == b)
		return 0;
	if ((a == NM_NM && b == NM_IFUPDOWN) || (a == NM_IFUPDOWN && b == NM_NM))
		return 0;
	return 1;
}

/* net.two-managers and net.not-enabled */
static void managers(const struct nics *ns, const struct netcfg *c, struct nf_findings *out)
{
	for (int i = 0; i < ns->count; i++) {
		const struct nc_iface *first = NULL;
		for (int j = 0; j < c->n; j++) {
			const struct nc_iface *f = &c->i[j];
			if (!active(c, f) || virtual_kind(f) || netcheck_applies(ns, f) != i)
				continue;
			if (first && fight(netcfg_manager(c, first->src), netcfg_manager(c, f->src))) {
				struct nf_finding *x = nf_add(out, "net.two-managers", NF_DEGRADED, f->file, f->line, f->name,
							      "%s is configured by both %s (%s:%d) and %s (%s:%d), and both "
							      "start at boot: they fight over it", ns->n[i].name,
							      nc_mgr_name(netcfg_manager(c, first->src)), first->file, first->line,
							      nc_mgr_name(netcfg_manager(c, f->src)), f->file, f->line);
				if (x)
					snprintf(x->fix, sizeof(x->fix), "keep one: remove %s, or disable %s at boot", f->file,
						 nc_mgr_name(netcfg_manager(c, f->src)));
				break;
			}
			if (!first)
				first = f;
		}
	}
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		if (f->disabled || virtual_kind(f) || active(c, f) || netcheck_applies(ns, f) < 0)
			continue;
		enum nc_mgr m = netcfg_manager(c, f->src);
		int i = netcheck_applies(ns, f), other = 0;
		for (int k = 0; k < c->n && !other; k++)
			other = active(c, &c->i[k]) && !virtual_kind(&c->i[k]) && netcheck_applies(ns, &c->i[k]) == i;
		struct nf_finding *x = nf_add(out, "net.not-enabled", other ? NF_NOTE : NF_LOGIN, f->file, f->line, f->name,
					      "%s configures %s for %s, which does not start at boot (%s)%s", f->file,
					      f->name[0] ? f->name : f->mac, nc_mgr_name(m), c->enabled_how[m][0] ?
					      c->enabled_how[m] : "not installed", other ? "; another configuration brings "
					      "it up" : "");
		if (x)
			snprintf(x->fix, sizeof(x->fix), "enable %s at boot (systemctl --root=/mnt enable ...), or rescuectl "
				 "doctor --dhcp NIC for the manager that does start", nc_mgr_name(m));
	}
}

/* net.no-config: no NIC comes up at all. */
static void no_config(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, struct nf_findings *out)
{
	int u[NIC_MAX], nu = unconfigured(ns, c, u);
	if (!ns->count || nu < ns->count)
		return;
	for (int j = 0; j < c->n; j++)   /* stale configurations are reported as such (net.iface-missing ...) */
		if (active(c, &c->i[j]) && !virtual_kind(&c->i[j]))
			return;
	if (c->enabled[NM_NM] && netcheck_nm_autodefault(src))
		return;   /* NetworkManager brings every unconfigured ethernet NIC up with DHCP by itself */
	char d[400];
	struct nf_finding *x = nf_add(out, "net.no-config", NF_LOGIN, "", 0, NULL, "no manager that starts at boot "
				      "configures any NIC of this machine: %s stays down", nic_desc(&ns->n[0], d, sizeof(d)));
	if (x) {
		x->fixable = 1;
		snprintf(x->key, sizeof(x->key), "%s", ns->n[0].name);
		snprintf(x->fix, sizeof(x->fix), "rescuectl doctor --fix %s writes a DHCP configuration for %s (for "
			 "another NIC: --dhcp NIC --fix net.dhcp)", x->id, ns->n[0].name);
	}
}

/* net.missing-member */
static void members(const struct nics *ns, const struct netcfg *c, struct nf_findings *out)
{
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		if (!active(c, f) || !virtual_kind(f) || !strcmp(f->kind, "loopback"))
			continue;
		for (int m = 0; m < f->nmembers; m++) {
			const char *mb = f->members[m];
			int there = nics_find_name(ns, mb) != NULL;
			for (int k = 0; k < c->n && !there; k++)
				there = virtual_kind(&c->i[k]) && !strcmp(c->i[k].name, mb);
			if (there)
				continue;
			struct nf_finding *x = nf_add(out, "net.missing-member", f->nmembers > 1 ? NF_DEGRADED : NF_LOGIN,
						      f->file, f->member_line, mb, "%s %s needs %s, which this machine will "
						      "not have", f->kind, f->name, mb);
			if (x)
				snprintf(x->fix, sizeof(x->fix), "name a present NIC in %s:%d", f->file, f->member_line);
		}
	}
}

static void resolver(const struct nics *ns, const struct netcfg *c, struct nf_findings *out)
{
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		if (active(c, f) && (f->ndns || f->dhcp4) && (virtual_kind(f) || netcheck_applies(ns, f) >= 0))
			return;
	}
	if (c->resolv_nameservers)
		return;
	struct nf_finding *x = nf_add(out, "net.no-resolver", NF_NOTE, "/etc/resolv.conf", 0, NULL, "no DNS server is "
				      "configured: no nameserver in /etc/resolv.conf and none in the network "
				      "configuration; names will not resolve (SSH by address still works)");
	if (x)
		snprintf(x->fix, sizeof(x->fix), "add a nameserver line to /etc/resolv.conf, or DNS to the configuration");
}

/* Each udev rule that renames by a MAC no NIC has: CB(file, line, mac, name). */
int netcheck_stale_rules(const struct fsrc *src, const struct nics *ns,
			 void (*cb)(void *, const char *, int, const char *, const char *), void *ud)
{
	char **paths;
	size_t np;
	int n = 0;
	if (fsrc_glob(src, "/etc/udev/rules.d/*.rules", 256, &paths, &np))
		return 0;
	for (size_t k = 0; k < np; k++) {
		struct flines l;
		if (flines_read(src, paths[k], 1 << 20, &l))
			continue;
		for (int i = 0; i < l.n; i++) {
			char mac[64], m[18], nm[64];
			const char *s = l.line[i] + strspn(l.line[i], " \t");
			if (*s == '#' || !udev_rule_key(s, "ATTR{address}", mac, sizeof(mac)) || mac_norm(mac, m) ||
			    !udev_rule_key(s, "NAME", nm, sizeof(nm)) || nics_find_mac(ns, m))
				continue;
			cb(ud, paths[k], i + 1, m, nm);
			n++;
		}
		flines_free(&l);
	}
	tree_free_list(paths, np);
	return n;
}

static void stale_rule_finding(void *ud, const char *file, int line, const char *mac, const char *name)
{
	struct nf_finding *x = nf_add(ud, "net.persistent-net-stale", NF_DEGRADED, file, line, mac, "a udev rule names "
				      "the NIC with MAC %s '%s', but no NIC of this machine has that MAC: the name is taken "
				      "by hardware that is gone", mac, name);
	if (x) {
		x->fixable = 1;
		snprintf(x->fix, sizeof(x->fix), "rescuectl doctor --fix net.persistent-net-stale comments the rule out "
			 "(as ec2rl's udevpersistentnet does)");
	}
}

/* Netplan's set-name renames the NIC it matches by MAC (its generator writes a .link file at boot). */
static void netplan_renames(struct nics *ns, const struct netcfg *c)
{
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		if (f->src != NC_NETPLAN || !f->set_name[0] || !f->mac[0])
			continue;
		for (int i = 0; i < ns->count; i++)
			if (!strcmp(ns->n[i].mac, f->mac)) {
				snprintf(ns->n[i].name, sizeof(ns->n[i].name), "%s", f->set_name);
				snprintf(ns->n[i].basis, sizeof(ns->n[i].basis), "netplan set-name, %s:%d", f->file, f->line);
				ns->n[i].guess = 0;
			}
	}
}

int netcheck_findings(const struct fsrc *src, const struct nics *ns0, const struct netcfg *c, int dns,
		      struct nf_findings *out)
{
	struct nics *ns = malloc(sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	*ns = *ns0;
	netplan_renames(ns, c);
	no_config(src, ns, c, out);
	stale(ns, c, c->enabled[NM_NM] && netcheck_nm_autodefault(src), out);
	routes(ns, c, out);
	managers(ns, c, out);
	members(ns, c, out);
	netcheck_stale_rules(src, ns, stale_rule_finding, out);
	if (dns)
		resolver(ns, c, out);
	for (int i = 0; i < c->nunread; i++)
		nf_add(out, "net.unreadable", NF_NOTE, "", 0, NULL, "not read: %s", c->unread[i]);
	free(ns);
	return 0;
}

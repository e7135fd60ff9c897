/* netfw net: the network analysis of a root, and its fixes (test driver).
 *   netfw net --root DIR [--dns] [--fix ID|net.persistent-net-stale] [--dhcp NIC] [--apply]
 * NICs come from RESCUECTL_SYSROOT's sysfs. */
#include "../../lib/err.h"
#include "../../lib/fsrc.h"
#include "../../lib/netcheck.h"
#include "../../lib/tree.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int netfw_net(struct tree *t, const struct fsrc *src, int argc, char **argv);

static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static int has(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static void show(const struct nics *ns, const struct netcfg *c)
{
	for (int i = 0; i < ns->count; i++) {
		const struct nic *n = &ns->n[i];
		printf("nic: %s mac %s driver %s pci %s -> %s%s (%s)", n->kname, n->mac, n->driver, n->pci[0] ? n->pci : "-",
		       n->name, n->guess ? " guess" : "", n->basis);
		for (int k = 0; k < n->nalt; k++)
			printf("%s%s", k ? "," : " alt ", n->alt[k]);
		printf("\n");
	}
	for (int m = 0; m < NM_N; m++)
		printf("manager: %s %s\n", nc_mgr_name(m), c->enabled[m] ? "enabled" : "not enabled");
	printf("netplan: renderer %s%s\n", c->netplan_renderer, c->netplan_installed ? "" : " (not installed)");
	printf("cloud-init: %s, network config %s\n", c->cloudinit_enabled ? "enabled" : "not enabled",
	       c->cloudinit_net_disabled ? "disabled" : "enabled");
	for (int j = 0; j < c->n; j++) {
		const struct nc_iface *f = &c->i[j];
		printf("config: %s %s:%d %s %s%s%s dhcp4=%d addr=%s gw=%s members=%d%s%s\n", nc_src_name(f->src), f->file,
		       f->line, f->kind, f->name[0] ? f->name : "-", f->mac[0] ? " mac " : "", f->mac, f->dhcp4,
		       f->naddr ? f->addr[0] : "-", f->gw4[0] ? f->gw4 : "-", f->nmembers, f->disabled ? " off" : "",
		       f->from_cloudinit ? " cloud-init" : "");
	}
}

static int fix(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const struct nf_findings *fs,
	       const char *id, const char *dhcp, const char *root, int apply)
{
	struct nf_plan p = { 0 };
	int r = 0;
	if (dhcp)
		r = netfix_dhcp(src, ns, c, dhcp, "2026-11-29", &p);
	else if (!strcmp(id, "net.persistent-net-stale"))
		r = netfix_udev(src, ns, "2026-11-29", &p);
	else
		for (int i = 0; i < fs->n && !r; i++) {
			if (strcmp(fs->f[i].id, id))
				continue;
			r = !strcmp(id, "net.iface-missing") ? netfix_rename(src, ns, c, &fs->f[i], "2026-11-29", &p) :
			    !strcmp(id, "net.mac-pin-stale") ? netfix_mac(src, ns, c, &fs->f[i], "2026-11-29", &p) : -EINVAL;
		}
	if (r) {
		printf("refused: %s\n", rc_msg());
		nfplan_free(&p);
		return 3;
	}
	for (int i = 0; i < p.n; i++)
		printf("step: %s: %s\n", p.e[i].path, p.e[i].what);
	if (apply && nfplan_apply_dir(&p, root)) {
		printf("apply failed: %s\n", rc_msg());
		r = 3;
	}
	nfplan_free(&p);
	return r;
}

int netfw_net(struct tree *t, const struct fsrc *src, int argc, char **argv)
{
	struct nics ns;
	struct netcfg c;
	struct nf_findings fs = { 0 };
	(void)t;
	if (nics_scan(&ns) || nics_name(&ns, src) || netcfg_scan(src, &c)) {
		fprintf(stderr, "netfw: %s\n", rc_msg());
		return 3;
	}
	show(&ns, &c);
	netcheck_findings(src, &ns, &c, has(argc, argv, "--dns"), &fs);
	for (int i = 0; i < fs.n; i++)
		printf("finding: %s %s:%d: %s | fix: %s\n", fs.f[i].id, fs.f[i].file, fs.f[i].line, fs.f[i].what,
		       fs.f[i].fix);
	int rc = fs.n ? 1 : 0;
	const char *id = opt(argc, argv, "--fix"), *dhcp = opt(argc, argv, "--dhcp");
	if (id || dhcp)
		rc = fix(src, &ns, &c, &fs, id ? id : "", dhcp, opt(argc, argv, "--root"), has(argc, argv, "--apply"));
	nf_findings_free(&fs);
	netcfg_free(&c);
	return rc;
}

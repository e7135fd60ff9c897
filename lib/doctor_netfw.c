/* doctor: the network and firewall checks (doctor.h's table rows net.* and
 * fw.*), on top of the analysis in lib/fwboot.h and lib/netcheck.h: the
 * target is read through doctor's view (any of its filesystems), the NICs
 * from this machine's sysfs, sshd's ports from its sshd_config. The facts
 * are computed once per run; each row reports the findings of its id. The
 * fixes are planned by the analysis as data (nfplan.h) on the files as the
 * plan leaves them, checked (a firewall fix must leave the connection
 * accepted), and handed to doctor's fix plan: every change is journaled and
 * undone by --undo. Nothing here prints. */
#include "doctor_priv.h"
#include "fwboot.h"
#include "netcheck.h"
#include "sshd.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF_PORTS 4

struct dr_netfw {
	int fw_done, net_done;
	struct fsrc src;
	int nports;
	int port[NF_PORTS];
	char from[NF_PORTS][300];
	struct nf_findings fw, net;
	struct nics ns;
	struct netcfg nc;
	char net_why[300];     /* the network could not be looked at: why */
};

/* ---- the view as a file source ---------------------------------------------- */

static int v_read(void *ctx, const char *path, char **buf, size_t *len, size_t max)
{
	return dv_read(ctx, path, buf, len, max);
}

static int v_list(void *ctx, const char *path, char ***names, size_t *n)
{
	return dv_list(ctx, path, names, n);
}

static int v_type(void *ctx, const char *path, int follow, char *type)
{
	struct tree_stat m;
	int r = dv_meta(ctx, path, follow, &m);
	if (!r)
		*type = m.type;
	return r;
}

static int v_readlink(void *ctx, const char *path, char *buf, size_t sz)
{
	return dv_readlink(ctx, path, buf, sz);
}

static const struct fsrc_ops view_ops = { v_read, v_list, v_type, v_readlink };

/* The files as doctor's fix plan leaves them so far. */
struct planview { struct dr_fixplan *p; struct dview *v; };

static int p_read(void *ctx, const char *path, char **buf, size_t *len, size_t max)
{
	struct planview *pv = ctx;
	const char *t;
	size_t l;
	int r = dr_fix_planned(pv->p, path, &t, &l);
	if (r < 0)
		return r;
	if (!r)
		return dv_read(pv->v, path, buf, len, max);
	if (l > max)
		return -EFBIG;
	if (!(*buf = malloc(l + 1)))
		return -ENOMEM;
	memcpy(*buf, t ? t : "", l);
	(*buf)[l] = 0;
	*len = l;
	return 0;
}

static int p_list(void *ctx, const char *path, char ***names, size_t *n)
{
	return dv_list(((struct planview *)ctx)->v, path, names, n);
}

static int p_type(void *ctx, const char *path, int follow, char *type)
{
	return v_type(((struct planview *)ctx)->v, path, follow, type);
}

static int p_readlink(void *ctx, const char *path, char *buf, size_t sz)
{
	return dv_readlink(((struct planview *)ctx)->v, path, buf, sz);
}

static const struct fsrc_ops plan_ops = { p_read, p_list, p_type, p_readlink };

void dr_netfw_free(struct dr_netfw *n)
{
	if (!n)
		return;
	nf_findings_free(&n->fw);
	nf_findings_free(&n->net);
	netcfg_free(&n->nc);
	free(n);
}

/* ---- the facts, once per run ------------------------------------------------- */

static struct dr_netfw *facts(struct dr_ctx *c)
{
	if (!c->facts->netfw) {
		struct dr_netfw *n = calloc(1, sizeof(*n));
		if (!n)
			return NULL;
		n->src.ops = &view_ops;
		n->src.ctx = c->v;
		c->facts->netfw = n;
	}
	return c->facts->netfw;
}

static int fw_facts(struct dr_ctx *c, struct dr_netfw **out)
{
	struct dr_netfw *n = facts(c);
	if (!n)
		return rc_fail(ENOMEM, "out of memory");
	*out = n;
	if (n->fw_done)
		return 0;
	n->fw_done = 1;
	const struct sshd_conf *sc = dr_sshd_conf(c);
	n->nports = sc ? sshd_ports(sc, n->port, n->from, NF_PORTS) : 0;
	if (n->nports < 0)
		return rc_fail(EINVAL, "sshd_config has a Port that is no port number: which port to check cannot be told");
	if (!n->nports) {
		n->port[0] = 22;
		snprintf(n->from[0], sizeof(n->from[0]), "OpenSSH's default (no sshd_config)");
		n->nports = 1;
	}
	for (int i = 0; i < n->nports; i++) {
		struct fwboot b;
		fwboot_scan(&n->src, n->port[i], &b);
		fwboot_findings(&b, n->from[i], &n->fw);
	}
	return 0;
}

static int net_facts(struct dr_ctx *c, struct dr_netfw **out)
{
	struct dr_netfw *n = facts(c);
	if (!n)
		return rc_fail(ENOMEM, "out of memory");
	*out = n;
	if (n->net_done)
		return n->net_why[0] ? rc_fail(EIO, "%s", n->net_why) : 0;
	n->net_done = 1;
	int r = nics_scan(&n->ns);
	if (!r)
		r = nics_name(&n->ns, &n->src);
	if (!r)
		r = netcfg_scan(&n->src, &n->nc);
	if (!r)
		r = netcheck_findings(&n->src, &n->ns, &n->nc, c->o.dns, &n->net);
	if (r)
		snprintf(n->net_why, sizeof(n->net_why), "%s", rc_msg());
	return r;
}

/* Report the analysis's findings of the running row's id. */
static void report(struct dr_ctx *c, const struct nf_findings *fs)
{
	for (int i = 0; i < fs->n; i++) {
		const struct nf_finding *x = &fs->f[i];
		if (strcmp(x->id, c->row->id))
			continue;
		struct dr_finding *f = dr_add(c, (enum dr_sev)x->sev, x->file, x->line, x->seen[0] ? x->seen : NULL, "%s",
					      x->what);
		if (!f)
			return;
		dr_fixtext(f, "%s", x->fix);
		f->fixable = x->fixable && c->row->fix;
		snprintf(f->key, sizeof(f->key), "%s", x->key);
		f->n = x->port;
	}
}

static int ck_fw(struct dr_ctx *c)
{
	struct dr_netfw *n;
	int r = fw_facts(c, &n);
	if (r)
		return r;
	report(c, &n->fw);
	return 0;
}

DR_DECL_CHECK(ck_fw_ssh_dropped) { return ck_fw(c); }
DR_DECL_CHECK(ck_fw_ssh_uncertain) { return ck_fw(c); }
DR_DECL_CHECK(ck_fw_unreadable) { return ck_fw(c); }

static int ck_net(struct dr_ctx *c)
{
	struct dr_netfw *n;
	int r = net_facts(c, &n);
	if (r)
		return r;
	report(c, &n->net);
	return 0;
}

DR_DECL_CHECK(ck_net_iface_missing) { return ck_net(c); }
DR_DECL_CHECK(ck_net_mac_pin_stale) { return ck_net(c); }
DR_DECL_CHECK(ck_net_persistent_net_stale) { return ck_net(c); }
DR_DECL_CHECK(ck_net_gateway_outside) { return ck_net(c); }
DR_DECL_CHECK(ck_net_no_default_route) { return ck_net(c); }
DR_DECL_CHECK(ck_net_two_managers) { return ck_net(c); }
DR_DECL_CHECK(ck_net_not_enabled) { return ck_net(c); }
DR_DECL_CHECK(ck_net_no_config) { return ck_net(c); }
DR_DECL_CHECK(ck_net_missing_member) { return ck_net(c); }
DR_DECL_CHECK(ck_net_no_resolver) { return c->o.dns ? ck_net(c) : 0; }

/* --dhcp NIC: the request itself is the finding its fix answers. */
DR_DECL_CHECK(ck_net_dhcp)
{
	if (!c->o.dhcp_nic)
		return 0;
	struct dr_finding *f = dr_add(c, DR_NOTE, "", 0, NULL, "a DHCP fallback configuration for %s was asked for "
				      "(--dhcp)", c->o.dhcp_nic);
	if (f) {
		f->fixable = 1;
		snprintf(f->key, sizeof(f->key), "%s", c->o.dhcp_nic);
		dr_fixtext(f, "rescuectl doctor --dhcp %s --fix net.dhcp %s", c->o.dhcp_nic, dr_target(c));
	}
	return 0;
}

/* ---- fixes ---------------------------------------------------------------------- */

/* Hand the analysis's plan to doctor's: each edit becomes a journaled change. */
static int hand_over(struct dr_fixplan *p, const struct nf_plan *np)
{
	int r = 0;
	for (int i = 0; i < np->n && !r; i++) {
		const struct nf_edit *e = &np->e[i];
		if (e->kind == NF_EDIT_TEXT)
			r = dr_fix_set_text(p, e->path, e->new, e->newlen, e->what);
		else if (e->kind == NF_EDIT_CREATE)
			r = dr_fix_create(p, e->path, e->new, e->newlen, e->mode, e->what);
		else
			r = dr_fix_unlink(p, e->path, e->what);
	}
	return r;
}

static enum fwb_kind kind_of(const char *name)
{
	static const char *const n[] = { "nftables", "iptables", "ufw", "firewalld" };
	for (int k = 0; k < FWB_N; k++)
		if (!strcmp(name, n[k]))
			return (enum fwb_kind)k;
	return FWB_N;
}

DR_DECL_FIX(fx_fw_ssh)
{
	struct planview pv = { p, c->v };
	struct fsrc src = { &plan_ops, &pv };
	struct nf_plan np = { 0 };
	struct fwboot b;
	struct fw_result after;
	char date[32];
	enum fwb_kind k = kind_of(f->key);
	if (k == FWB_N)
		return rc_fail(EINVAL, "no firewall named %s", f->key);
	fwboot_scan(&src, (int)f->n, &b);
	int r = c->o.fw_disable ? fwboot_plan_disable(&src, &b, k, &np) :
		fwboot_plan_accept(&src, &b, k, dr_today(c, date, sizeof(date)), &np);
	if (!r)
		r = fwboot_after(&src, &np, (int)f->n, &after);
	if (!r && after.v != FW_ACCEPTED && after.v != FW_NONE)
		r = rc_failx(RC_EXIT_REFUSED, EAGAIN, "after this fix port %ld would still be %s (%s): fix it by hand",
			     f->n, fw_verdict_name(after.v), after.why);
	if (!r)
		r = hand_over(p, &np);
	nfplan_free(&np);
	return r;
}

DR_DECL_FIX(fx_net)
{
	struct dr_netfw *n;
	struct planview pv = { p, c->v };
	struct fsrc src = { &plan_ops, &pv };
	struct nf_plan np = { 0 };
	struct nf_finding x = { 0 };
	char date[32];
	int r = net_facts(c, &n);
	if (r)
		return r;
	dr_today(c, date, sizeof(date));
	snprintf(x.id, sizeof(x.id), "%s", f->row->id);
	snprintf(x.key, sizeof(x.key), "%s", f->key);
	const char *id = f->row->id;
	if (!strcmp(id, "net.iface-missing"))
		r = netfix_rename(&src, &n->ns, &n->nc, &x, date, &np);
	else if (!strcmp(id, "net.mac-pin-stale"))
		r = netfix_mac(&src, &n->ns, &n->nc, &x, date, &np);
	else if (!strcmp(id, "net.persistent-net-stale") && (r = netfix_udev(&src, &n->ns, date, &np)) == -ENOENT)
		r = 0;   /* an earlier finding's fix took every stale rule already */
	else if (!strcmp(id, "net.no-config") || !strcmp(id, "net.dhcp"))
		r = netfix_dhcp(&src, &n->ns, &n->nc, f->key, date, &np);
	else
		r = rc_fail(EINVAL, "%s has no fix", id);
	if (!r)
		r = hand_over(p, &np);
	nfplan_free(&np);
	return r;
}

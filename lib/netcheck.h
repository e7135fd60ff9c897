/* The network findings: the NICs this machine has (nics.h) against the
 * installed system's configuration (netcfg.h), and the fixes as plans
 * (nfplan.h).
 *
 * Findings (ids are stable):
 *   net.iface-missing     configuration only for interfaces this hardware
 *                         will not have, while a NIC that is present has none;
 *   net.mac-pin-stale     a configuration pinned to a MAC no NIC has;
 *   net.persistent-net-stale  a udev rule renaming a MAC no NIC has;
 *   net.gateway-outside   a static address whose gateway is outside its subnet;
 *   net.no-default-route  no configuration gives a default route;
 *   net.two-managers      one NIC configured by two managers started at boot;
 *   net.not-enabled       configuration for a manager that is not started at boot;
 *   net.no-config         no manager started at boot brings up any NIC;
 *   net.missing-member    a bond, bridge or VLAN member that is not there;
 *   net.no-resolver       no DNS server anywhere (only when asked: DNS).
 * A configuration "applies" to a NIC by MAC when it names one, else by name
 * (and patterns) against the NIC's predicted name and alternative names;
 * when the prediction is a guess, the finding says so. Configurations that
 * are switched off (ONBOOT=no, autoconnect=false, no auto line) count for
 * nothing. Nothing here prints; contract: 0 or -errno with a message. */
#ifndef RC_NETCHECK_H
#define RC_NETCHECK_H
#include "netcfg.h"
#include "nfplan.h"
#include "nics.h"

/* NetworkManager's own default: a DHCP connection for every unconfigured
 * ethernet NIC, unless no-auto-default=* in its configuration. */
int netcheck_nm_autodefault(const struct fsrc *src);

int netcheck_findings(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, int dns,
		      struct nf_findings *out);

/* Each udev rule that renames by a MAC no NIC has: CB(UD, file, line, mac, name). Returns how many. */
int netcheck_stale_rules(const struct fsrc *src, const struct nics *ns,
			 void (*cb)(void *, const char *, int, const char *, const char *), void *ud);
/* The NIC configuration entry F applies to, or -1. */
int netcheck_applies(const struct nics *ns, const struct nc_iface *f);

/* Fixes. DATE dates the notes written beside edits.
 *   rename: the configuration of finding F (net.iface-missing) moved to the
 *           one unconfigured NIC (its name replaced, word for word);
 *   mac:    the stale MAC of F (net.mac-pin-stale) replaced by the MAC of the
 *           NIC the configuration's name predicts, else commented out;
 *   udev:   stale persistent-net rules commented out;
 *   dhcp:   a fallback configuration that brings NIC (a present NIC's
 *           installed name) up with DHCP, for the manager started at boot. */
int netfix_rename(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const struct nf_finding *f,
		  const char *date, struct nf_plan *p);
int netfix_mac(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const struct nf_finding *f,
	       const char *date, struct nf_plan *p);
int netfix_udev(const struct fsrc *src, const struct nics *ns, const char *date, struct nf_plan *p);
int netfix_dhcp(const struct fsrc *src, const struct nics *ns, const struct netcfg *c, const char *nic,
		const char *date, struct nf_plan *p);

#endif

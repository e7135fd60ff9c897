/* The installed system's network configuration, from every source it may
 * use, read into one model:
 *   netplan         the *.yaml files of /etc/netplan (also /run, /lib), merged in file-name
 *                   order as netplan merges them; rendered at boot for
 *                   systemd-networkd or NetworkManager (network.renderer);
 *   ifupdown        /etc/network/interfaces with `source` and
 *                   `source-directory` lines (interfaces.d);
 *   NetworkManager  keyfiles in /etc/NetworkManager/system-connections;
 *   networkd        /etc/systemd/network (over /run, /usr/lib, /lib):
 *                   .network and .netdev;
 *   ifcfg           the ifcfg-NAME files of /etc/sysconfig/network-scripts (NetworkManager's
 *                   ifcfg-rh plugin, or the old network service);
 *   cloud-init      what it wrote (50-cloud-init.yaml, interfaces.d/50-cloud-init,
 *                   ifcfg files it marks), and whether it may write again:
 *                   `network: {config: disabled}` in /etc/cloud/cloud.cfg(.d);
 *   udev            persistent-net rules that rename by MAC.
 * and which manager is started at boot (svcboot.h): networkd, NetworkManager,
 * ifupdown's networking, the old network service; netplan counts for the
 * manager it renders for (its generator enables it at boot).
 *
 * Every reader is bounded: NC_MAX_FILE bytes a file, FSRC_MAX_LINE a line,
 * NC_MAX_FILES files a source, NC_MAX_DEPTH levels of ifupdown `source`,
 * NC_MAX_IFACES interfaces; YAML through yamlbound.h. A file that cannot be
 * read is recorded (unread[]), never taken as empty. Pure over a file view;
 * nothing here prints. Contract: 0 or -errno with a message. */
#ifndef RC_NETCFG_H
#define RC_NETCFG_H
#include "fsrc.h"
#include "svcboot.h"

#define NC_MAX_FILE   ((size_t)1 << 20)
#define NC_MAX_FILES  128
#define NC_MAX_DEPTH  8
#define NC_MAX_IFACES 256
#define NC_MAX_ADDR   8
#define NC_MAX_MEMBERS 8

enum nc_src { NC_NETPLAN = 0, NC_IFUPDOWN, NC_NM, NC_NETWORKD, NC_IFCFG, NC_NSRC };
const char *nc_src_name(enum nc_src s);   /* "netplan", "ifupdown", "NetworkManager", "systemd-networkd", "ifcfg" */

enum nc_mgr { NM_NETWORKD = 0, NM_NM, NM_IFUPDOWN, NM_NETSCRIPTS, NM_N };
const char *nc_mgr_name(enum nc_mgr m);   /* "systemd-networkd", "NetworkManager", "ifupdown", "network-scripts" */

struct nc_iface {
	enum nc_src src;
	char file[256];
	int line;              /* where the interface's config starts */
	char name[64];         /* the interface name it is for ("" when only by MAC) */
	int name_glob;         /* NAME is a pattern (networkd Name=en*) */
	int name_line;
	char mac[18];          /* matched by, or pinned to, this MAC ("" none) */
	int mac_line;
	char set_name[64];     /* netplan set-name / a rename */
	char kind[16];         /* "ether", "bond", "bridge", "vlan", "loopback" */
	char members[NC_MAX_MEMBERS][64];   /* bond/bridge ports, the vlan's link */
	char master[64];       /* the bond or bridge this one is a port of */
	int nmembers;
	int member_line;
	int dhcp4;
	char addr[NC_MAX_ADDR][64];          /* "192.0.2.10/24" */
	int naddr;
	char gw4[64];          /* default gateway */
	int gw_line;
	int default_route;     /* a route to 0.0.0.0/0 (gateway, route, or DHCP) */
	int gw_onlink;         /* the gateway is declared on-link */
	int ndns;
	int disabled;          /* ifcfg ONBOOT=no, NM autoconnect=false, ifupdown without auto/allow-hotplug */
	int from_cloudinit;    /* written by cloud-init */
};

struct netcfg {
	struct nc_iface *i;
	int n, cap;
	enum svc_init init;
	int enabled[NM_N];     /* started at boot */
	char enabled_how[NM_N][300];
	int has[NC_NSRC];      /* files of that source exist */
	char netplan_renderer[32];     /* "networkd" (netplan's default) or "NetworkManager" */
	int netplan_installed;
	int cloudinit_enabled;         /* cloud-init runs at boot */
	int cloudinit_net_disabled;    /* network: {config: disabled} */
	char cloudinit_where[300];
	int resolv_nameservers;        /* nameserver lines in /etc/resolv.conf (its link followed) */
	char unread[8][300];           /* files that could not be read, and why */
	int nunread;
};

int netcfg_scan(const struct fsrc *src, struct netcfg *c);
void netcfg_free(struct netcfg *c);
/* Which manager brings up interfaces of source S at boot (for netplan, its
 * renderer; for ifcfg, NetworkManager where it is enabled, else the old
 * network service). */
enum nc_mgr netcfg_manager(const struct netcfg *c, enum nc_src s);

/* For the readers (netcfg*.c). */
struct nc_iface *nc_add(struct netcfg *c, enum nc_src s, const char *file, int line, const char *name);
void nc_unread(struct netcfg *c, const char *file, const char *why);
int nc_read_netplan(const struct fsrc *src, struct netcfg *c);
int nc_read_cloudinit(const struct fsrc *src, struct netcfg *c);
int nc_read_ifupdown(const struct fsrc *src, struct netcfg *c);
int nc_read_nm(const struct fsrc *src, struct netcfg *c);
int nc_read_networkd(const struct fsrc *src, struct netcfg *c);
int nc_read_ifcfg(const struct fsrc *src, struct netcfg *c);
/* "1.2.3.4/24" or "1.2.3.4" + netmask "255.255.255.0": a CIDR string. */
int nc_cidr(const char *addr, const char *mask, char *out, size_t sz);
/* Is gateway GW inside the subnet of CIDR? 1, 0, -1 not IPv4. */
int nc_in_subnet(const char *cidr, const char *gw);

#endif

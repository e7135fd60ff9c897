/* The network cards this machine really has, from <sysroot>/sys/class/net
 * (RESCUECTL_SYSROOT, as probe.h: tests build fake sysfs trees), and the
 * names the installed system will give them.
 *
 * The rescue system runs on the same hardware, so the MAC, the driver and
 * the PCI address it sees are the installed system's. The name is not: the
 * installed system names its cards itself, by these rules in this order:
 *   1. a udev rule that renames by MAC (70-persistent-net.rules);
 *   2. a .link file of its own ([Match] MACAddress=/OriginalName=/Driver=/
 *      Path=, [Link] Name= or NamePolicy=), else its 99-default.link;
 *   3. net.ifnames=0 on its kernel command line: the kernel's ethN (the
 *      order of N is the kernel's probe order: a guess);
 *   4. systemd's predictable names, by NamePolicy: onboard (eno<index> from
 *      acpi_index or the SMBIOS index), slot (ens<n> from a PCI hotplug
 *      slot), path (enp<bus>s<slot>[f<fn>], P<domain> first when the domain
 *      is not 0), mac (enx<mac>). These follow systemd's net_id, whose
 *      details change with its naming scheme version: every name from 4 is
 *      marked a guess, and all of them are kept as alternative names
 *      (networkd and NetworkManager match those too).
 * Pure apart from reading sysfs; nothing here prints. Contract: 0 or -errno
 * with a message. */
#ifndef RC_NICS_H
#define RC_NICS_H
#include "fsrc.h"

#define NIC_MAX 64
#define NIC_MAX_ALT 6

struct nic {
	char kname[32];         /* the name the rescue system gave it */
	char mac[18];           /* lower case aa:bb:cc:dd:ee:ff */
	char driver[64];
	char pci[32];           /* 0000:00:03.0, "" when not on PCI */
	char devpath[256];      /* its device path below /sys/devices */
	int type;               /* ARPHRD (1 ether) */
	int acpi_index, index, dev_port;   /* -1 when absent */
	char slot[16];          /* PCI hotplug slot name, "" none */
	int multifn;            /* other functions of its PCI slot exist */
	/* the installed system's name for it */
	char name[32];
	int guess;              /* 1 when NAME is a guess (see above) */
	char basis[200];        /* how NAME was found ("70-persistent-net.rules:3, by MAC") */
	char alt[NIC_MAX_ALT][32];   /* other names it will answer to */
	int nalt;
};

struct nics {
	struct nic n[NIC_MAX];
	int count;
};

/* The physical NICs (those with a device link; lo, bridges, veths and the
 * like are left out) of this machine. A sysfs without /sys/class/net (a
 * fake one) has none. */
int nics_scan(struct nics *ns);
/* The predictable names of N by systemd's rules (ONBOARD, SLOT, PATH, MAC:
 * "" when that rule gives none). Pure. */
void nic_predictable(const struct nic *n, char *onboard, char *slot, char *path, char *mac, size_t sz);
/* Work out the installed system's name of every NIC (see above), from SRC. */
int nics_name(struct nics *ns, const struct fsrc *src);
/* The NIC that answers to NAME (its name or an alternative), or NULL. */
const struct nic *nics_find_name(const struct nics *ns, const char *name);
const struct nic *nics_find_mac(const struct nics *ns, const char *mac);
/* Does NAME match the shell-style PATTERN of a config (networkd Name=en*)? */
int nic_name_match(const struct nic *n, const char *pattern);
/* KEY=="VALUE" or KEY="VALUE" of a udev rule LINE: VALUE into OUT; 1 found. */
int udev_rule_key(const char *line, const char *key, char *out, size_t sz);
/* "AA-BB..." / "aabb.ccdd.eeff" / upper case into "aa:bb:cc:dd:ee:ff"; 0 ok, -1 not a MAC. */
int mac_norm(const char *in, char out[18]);

#endif

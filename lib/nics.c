/* nics: the NICs in sysfs and systemd's predictable names for them. */
#include "nics.h"
#include "probe.h"
#include "err.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_line(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int read_int(const char *dir, const char *attr, int dflt)
{
	char p[PATH_MAX], b[32];
	snprintf(p, sizeof(p), "%s/%s", dir, attr);
	return read_line(p, b, sizeof(b)) ? dflt : (int)strtol(b, NULL, 0);
}

int mac_norm(const char *in, char out[18])
{
	int hex[12], n = 0;
	for (const char *p = in; *p && n <= 12; p++) {
		if (isxdigit((unsigned char)*p))
			hex[n++] = tolower((unsigned char)*p);
		else if (!strchr(":-.", *p))
			return -1;
	}
	if (n != 12)
		return -1;
	for (int i = 0, o = 0; i < 12; i += 2) {
		out[o++] = (char)hex[i], out[o++] = (char)hex[i + 1];
		out[o++] = i < 10 ? ':' : 0;
	}
	return 0;
}

static int is_pci_addr(const char *s)
{
	unsigned d, b, sl, f;
	char end;
	return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &end) == 4;
}

/* The PCI device of a device path: its last component that is a PCI address. */
static void pci_of(const char *devpath, char *pci, size_t sz, char *pcidir, size_t dsz)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", devpath);
	pci[0] = 0;
	for (char *s = tmp + strlen(tmp); s > tmp; s--) {
		if (s[-1] != '/')
			continue;
		char comp[64];
		snprintf(comp, sizeof(comp), "%.*s", (int)strcspn(s, "/"), s);
		if (is_pci_addr(comp)) {
			snprintf(pci, sz, "%s", comp);
			snprintf(pcidir, dsz, "%.*s", (int)(s - tmp) + (int)strlen(comp), tmp);
			return;
		}
	}
}

/* The hotplug slot whose address is the PCI device's DDDD:BB:SS. */
static void slot_of(const char *pci, char *slot, size_t sz)
{
	char dir[PATH_MAX];
	slot[0] = 0;
	snprintf(dir, sizeof(dir), "%s/sys/bus/pci/slots", sysroot());
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		char p[PATH_MAX], a[64];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/address", dir, e->d_name);
		if (!read_line(p, a, sizeof(a)) && !strncmp(a, pci, strlen(a)) && strlen(a) == 10)
			snprintf(slot, sz, "%s", e->d_name);
	}
	closedir(d);
}

/* Other functions of the same PCI slot beside PCIDIR. */
static int multifunction(const char *pcidir, const char *pci)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", pcidir);
	char *slash = strrchr(parent, '/');
	if (!slash)
		return 0;
	*slash = 0;
	DIR *d = opendir(parent);
	int yes = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		yes |= is_pci_addr(e->d_name) && !strncmp(e->d_name, pci, 10) && strcmp(e->d_name, pci);
	closedir(d);
	return yes;
}

static int scan_one(const char *cls, const char *name, struct nic *n)
{
	char dir[PATH_MAX], dev[PATH_MAX], real[PATH_MAX], lnk[PATH_MAX], pcidir[PATH_MAX] = "";
	memset(n, 0, sizeof(*n));
	snprintf(dir, sizeof(dir), "%s/%s", cls, name);
	snprintf(dev, sizeof(dev), "%s/device", dir);
	if (!realpath(dev, real))
		return 0;   /* virtual: lo, bridges, veth, tun */
	snprintf(n->kname, sizeof(n->kname), "%s", name);
	size_t sl = strlen(sysroot());
	snprintf(n->devpath, sizeof(n->devpath), "%s", !strncmp(real, sysroot(), sl) ? real + sl : real);
	char a[64] = "", p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/address", dir);
	if (read_line(p, a, sizeof(a)) || mac_norm(a, n->mac))
		n->mac[0] = 0;
	n->type = read_int(dir, "type", 1);
	n->dev_port = read_int(dir, "dev_port", 0);
	snprintf(p, sizeof(p), "%s/driver", dev);
	ssize_t l = readlink(p, lnk, sizeof(lnk) - 1);
	if (l > 0) {
		lnk[l] = 0;
		snprintf(n->driver, sizeof(n->driver), "%s", strrchr(lnk, '/') ? strrchr(lnk, '/') + 1 : lnk);
	}
	pci_of(real, n->pci, sizeof(n->pci), pcidir, sizeof(pcidir));
	n->acpi_index = n->index = -1;
	if (n->pci[0]) {
		n->acpi_index = read_int(pcidir, "acpi_index", -1);
		n->index = read_int(pcidir, "index", -1);
		slot_of(n->pci, n->slot, sizeof(n->slot));
		n->multifn = multifunction(pcidir, n->pci);
	}
	return 1;
}

int nics_scan(struct nics *ns)
{
	char cls[PATH_MAX];
	memset(ns, 0, sizeof(*ns));
	snprintf(cls, sizeof(cls), "%s/sys/class/net", sysroot());
	DIR *d = opendir(cls);
	if (!d && errno == ENOENT)
		return 0;   /* a sysfs without network classes (a fake one): no NIC */
	if (!d)
		return rc_fail(errno, "%s cannot be read", cls);
	char *names[256];
	int nn = 0;
	for (struct dirent *e; (e = readdir(d)) && nn < 256;)
		if (e->d_name[0] != '.')
			names[nn++] = strdup(e->d_name);
	closedir(d);
	for (int i = 0; i < nn; i++) {   /* sorted: the order does not depend on readdir */
		for (int j = i + 1; j < nn; j++)
			if (names[i] && names[j] && strcmp(names[i], names[j]) > 0) {
				char *t = names[i];
				names[i] = names[j], names[j] = t;
			}
	}
	for (int i = 0; i < nn; i++) {
		if (names[i] && ns->count < NIC_MAX && scan_one(cls, names[i], &ns->n[ns->count]))
			ns->count++;
		free(names[i]);
	}
	return 0;
}

void nic_predictable(const struct nic *n, char *onboard, char *slot, char *path, char *mac, size_t sz)
{
	unsigned dom = 0, bus = 0, sl = 0, fn = 0;
	char port[16] = "", fns[16] = "", dm[16] = "";
	onboard[0] = slot[0] = path[0] = mac[0] = 0;
	if (n->dev_port > 0)
		snprintf(port, sizeof(port), "d%d", n->dev_port);
	if (n->mac[0]) {
		char m[13];
		int k = 0;
		for (const char *p = n->mac; *p; p++)
			if (*p != ':')
				m[k++] = *p;
		m[k] = 0;
		snprintf(mac, sz, "enx%s", m);
	}
	if (!n->pci[0] || sscanf(n->pci, "%x:%x:%x.%x", &dom, &bus, &sl, &fn) != 4)
		return;
	int idx = n->acpi_index > 0 ? n->acpi_index : n->index > 0 ? n->index : -1;
	if (idx > 0 && idx <= 16383)
		snprintf(onboard, sz, "eno%d%s", idx, port);
	if (fn > 0 || n->multifn)
		snprintf(fns, sizeof(fns), "f%u", fn);
	if (dom)
		snprintf(dm, sizeof(dm), "P%u", dom);
	if (n->slot[0] && isdigit((unsigned char)n->slot[0]))
		snprintf(slot, sz, "%sens%s%s%s", dm, n->slot, fns, port);
	snprintf(path, sz, "%senp%us%u%s%s", dm, bus, sl, fns, port);
}

const struct nic *nics_find_name(const struct nics *ns, const char *name)
{
	for (int i = 0; i < ns->count; i++) {
		if (!strcmp(ns->n[i].name, name))
			return &ns->n[i];
		for (int k = 0; k < ns->n[i].nalt; k++)
			if (!strcmp(ns->n[i].alt[k], name))
				return &ns->n[i];
	}
	return NULL;
}

const struct nic *nics_find_mac(const struct nics *ns, const char *mac)
{
	char m[18];
	if (mac_norm(mac, m))
		return NULL;
	for (int i = 0; i < ns->count; i++)
		if (!strcmp(ns->n[i].mac, m))
			return &ns->n[i];
	return NULL;
}

int nic_name_match(const struct nic *n, const char *pattern)
{
	if (!fnmatch(pattern, n->name, 0))
		return 1;
	for (int k = 0; k < n->nalt; k++)
		if (!fnmatch(pattern, n->alt[k], 0))
			return 1;
	return 0;
}

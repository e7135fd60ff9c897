/* Unit tests for the network analysis: MACs, systemd's predictable names,
 * subnets, shell-style assignments, the config readers and their limits
 * (YAML alias bombs, ifupdown source loops), and the findings on small
 * trees with fake sysfs NICs (tests/fixtures/mknetsys.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../lib/err.h"
#include "../../lib/netcheck.h"

static void test_mac_and_names(void **st)
{
	(void)st;
	char m[18];
	assert_int_equal(mac_norm("52-54-00-AB-CD-EF", m), 0);
	assert_string_equal(m, "52:54:00:ab:cd:ef");
	assert_int_equal(mac_norm("5254.00ab.cdef", m), 0);
	assert_int_equal(mac_norm("52:54:00:ab:cd", m), -1);
	assert_int_equal(mac_norm("zz:54:00:ab:cd:ef", m), -1);
	struct nic n = { .mac = "52:54:00:ab:cd:ef", .pci = "0000:00:03.0", .acpi_index = -1, .index = -1 };
	char ob[32], sl[32], pa[32], mc[32];
	nic_predictable(&n, ob, sl, pa, mc, sizeof(ob));
	assert_string_equal(pa, "enp0s3");
	assert_string_equal(mc, "enx525400abcdef");
	assert_string_equal(ob, "");
	n.acpi_index = 3, n.dev_port = 1;
	snprintf(n.pci, sizeof(n.pci), "0002:1a:00.1");
	snprintf(n.slot, sizeof(n.slot), "7");
	nic_predictable(&n, ob, sl, pa, mc, sizeof(ob));
	assert_string_equal(ob, "eno3d1");
	assert_string_equal(sl, "P2ens7f1d1");
	assert_string_equal(pa, "P2enp26s0f1d1");
}

static void test_subnets_and_vars(void **st)
{
	(void)st;
	char c[64], k[32], v[64];
	assert_int_equal(nc_cidr("192.0.2.10", "255.255.255.0", c, sizeof(c)), 0);
	assert_string_equal(c, "192.0.2.10/24");
	assert_int_equal(nc_in_subnet("192.0.2.10/24", "192.0.2.1"), 1);
	assert_int_equal(nc_in_subnet("192.0.2.10/24", "192.0.3.1"), 0);
	assert_int_equal(nc_in_subnet("192.0.2.10/32", "192.0.2.1"), 0);
	assert_int_equal(nc_in_subnet("2001:db8::1/64", "2001:db8::ffff"), -1);
	assert_int_equal(fs_shvar("export HWADDR=\"52:54:00:12:34:56\" # pin", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "HWADDR");
	assert_string_equal(v, "52:54:00:12:34:56");
	assert_int_equal(fs_shvar("# ONBOOT=yes", k, sizeof(k), v, sizeof(v)), 0);
	assert_int_equal(fs_shvar("NAME='a b'", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(v, "a b");
}

static char dir[] = "/tmp/rc-net.XXXXXX";

static void put(const char *path, const char *text)
{
	char p[512], cmd[600];
	snprintf(p, sizeof(p), "%s%s", dir, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static int setup(void **st)
{
	(void)st;
	char cmd[600];
	snprintf(dir, sizeof(dir), "/tmp/rc-net.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "tests/fixtures/mknetsys.sh %s/sys eth0 52:54:00:12:34:56 0000:00:03.0 virtio_net "
		 "virtio && mkdir -p %s/root/lib/systemd && touch %s/root/lib/systemd/systemd", dir, dir, dir);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/sys", dir);
	setenv("RESCUECTL_SYSROOT", cmd, 1);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	unsetenv("RESCUECTL_SYSROOT");
	return system(cmd);
}

/* The findings of the tree under DIR/root: their ids, space-separated. */
static void ids(char *out, size_t sz)
{
	char root[300];
	struct tree *t;
	struct fsrc src;
	struct nics ns;
	struct netcfg c;
	struct nf_findings fs = { 0 };
	snprintf(root, sizeof(root), "%s/root", dir);
	assert_int_equal(tree_open_dir(root, 0, &t), 0);
	fsrc_tree(&src, t);
	assert_int_equal(nics_scan(&ns), 0);
	assert_int_equal(ns.count, 1);
	assert_int_equal(nics_name(&ns, &src), 0);
	assert_int_equal(netcfg_scan(&src, &c), 0);
	assert_int_equal(netcheck_findings(&src, &ns, &c, 0, &fs), 0);
	out[0] = 0;
	for (int i = 0; i < fs.n; i++)
		snprintf(out + strlen(out), sz - strlen(out), "%s ", fs.f[i].id);
	nf_findings_free(&fs);
	netcfg_free(&c);
	tree_close(t);
}

static void enable(const char *unit)
{
	char p[300], l[600];
	snprintf(p, sizeof(p), "/root/lib/systemd/system/%s", unit);
	put(p, "");
	snprintf(p, sizeof(p), "/lib/systemd/system/%s", unit);
	snprintf(l, sizeof(l), "%s/root/etc/systemd/system/multi-user.target.wants", dir);
	char cmd[900];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && ln -sfn %s %s/%s", l, p, l, unit);
	assert_int_equal(system(cmd), 0);
}

static void test_ifupdown(void **st)
{
	(void)st;
	char got[512];
	enable("networking.service");
	put("/root/etc/network/interfaces", "source interfaces.d/*\nauto lo\niface lo inet loopback\n");
	put("/root/etc/network/interfaces.d/eth", "auto eth0\niface eth0 inet static\n  address 192.0.2.5/24\n"
	    "  gateway 192.0.2.1\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.iface-missing ");
	put("/root/etc/network/interfaces.d/eth", "auto enp0s3\niface enp0s3 inet static\n  address 192.0.2.5/24\n"
	    "  gateway 192.0.9.1\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.gateway-outside ");
	put("/root/etc/network/interfaces.d/eth", "allow-hotplug enp0s3\niface enp0s3 inet dhcp\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "");
	/* a config without auto/allow-hotplug is not brought up */
	put("/root/etc/network/interfaces.d/eth", "iface enp0s3 inet dhcp\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.no-config ");
	/* a source loop stops at the depth limit and is said */
	put("/root/etc/network/interfaces", "source /etc/network/interfaces\n");
	ids(got, sizeof(got));
	assert_non_null(strstr(got, "net.unreadable"));
}

static void test_netplan_bounds(void **st)
{
	(void)st;
	char got[512];
	enable("systemd-networkd.service");
	put("/root/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    enp0s3:\n      dhcp4: true\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "");
	put("/root/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    ens5:\n      dhcp4: true\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.iface-missing ");
	/* nine levels of nine aliases: refused by yamlbound, said, never expanded */
	char bomb[4096] = "a: &a [x,x,x,x,x,x,x,x,x]\n";
	for (char c = 'b'; c <= 'i'; c++)
		snprintf(bomb + strlen(bomb), sizeof(bomb) - strlen(bomb), "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n",
			 c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	put("/root/etc/netplan/60-bomb.yaml", bomb);
	ids(got, sizeof(got));
	assert_non_null(strstr(got, "net.unreadable"));
}

static void test_networkd_and_nm(void **st)
{
	(void)st;
	char got[512];
	enable("systemd-networkd.service");
	/* systemd's own container files match on Virtualization=: not this machine's */
	put("/root/lib/systemd/network/80-container-host0.network", "[Match]\nVirtualization=container\nName=host0\n"
	    "[Network]\nDHCP=yes\n");
	put("/root/etc/systemd/network/10-lan.network", "[Match]\nMACAddress=52:54:00:99:99:99\n[Network]\nDHCP=yes\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.mac-pin-stale ");
	put("/root/etc/systemd/network/10-lan.network", "[Match]\nMACAddress=52:54:00:12:34:56\n[Network]\nDHCP=yes\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "");
	/* NetworkManager too, on the same NIC: they fight */
	enable("NetworkManager.service");
	put("/root/etc/NetworkManager/system-connections/lan.nmconnection", "[connection]\nid=lan\ntype=ethernet\n"
	    "interface-name=enp0s3\n[ipv4]\nmethod=auto\n");
	ids(got, sizeof(got));
	assert_string_equal(got, "net.two-managers ");
}

/* systemd's directories: /etc hides the same name in /run and /lib; the
 * files in force come back in name order across the directories. */
static void test_confdirs(void **st)
{
	(void)st;
	char root[300], **p;
	size_t n;
	struct tree *t;
	struct fsrc src;
	put("/root/lib/systemd/network/50-a.network", "lib\n");
	put("/root/lib/systemd/network/10-b.network", "lib\n");
	put("/root/etc/systemd/network/50-a.network", "etc\n");
	put("/root/run/systemd/network/30-c.netdev", "run\n");
	put("/root/etc/systemd/network/99-d.link", "not asked for\n");
	snprintf(root, sizeof(root), "%s/root", dir);
	assert_int_equal(tree_open_dir(root, 0, &t), 0);
	fsrc_tree(&src, t);
	assert_int_equal(fsrc_confdirs(&src, "systemd/network", "network\0netdev\0", 8, &p, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0], "/lib/systemd/network/10-b.network");
	assert_string_equal(p[1], "/run/systemd/network/30-c.netdev");
	assert_string_equal(p[2], "/etc/systemd/network/50-a.network");
	tree_free_list(p, n);
	tree_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_and_names),
		cmocka_unit_test(test_subnets_and_vars),
		cmocka_unit_test_setup_teardown(test_ifupdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netplan_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networkd_and_nm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confdirs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

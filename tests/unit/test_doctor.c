/* Every doctor check (lib/doctor_table.c) on a small healthy tree: no
 * finding; then with its one fault planted: the finding, with the right id,
 * severity and evidence. The table is covered: a row without a case here
 * fails the coverage test. */
#include "doctor_tree.h"
#include "../../lib/dview.h"

struct tcase {
	const char *id;
	void (*plant)(void);
	const char *file;      /* evidence: the file (NULL: not checked) */
	int line;              /* and line (-1: not checked) */
	const char *has;       /* a piece of the seen text or the words */
	enum dr_sev sev;
};

/* ---- the faults ----------------------------------------------------------------- */

static void p_missing_device(void) { add("etc/fstab", "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults 0 2\n"); mkdirs("srv"); }
static void p_unknown_type(void) { add("etc/fstab", "UUID=" ROOT_UUID " /data reiser5 defaults 0 0\n"); mkdirs("data"); }
static void p_bad_option(void) { put("etc/fstab", "UUID=" ROOT_UUID " / ext4 errors=remount-ro,nobootwait 0 1\n"); }
static void p_missing_module(void) { put("etc/fstab", "UUID=" ROOT_UUID " / btrfs defaults 0 0\n"); }
static void p_missing_mountpoint(void) { add("etc/fstab", "tmpfs /scratch tmpfs defaults 0 0\n"); }
static void p_missing_swap(void) { rm("swapfile"); }
static void p_fstab_syntax(void) { add("etc/fstab", "garbage-line\n"); }
static void p_fsck_pass(void) { rm("usr/sbin/fsck.vfat"); }

static void p_initramfs(void) { putm("boot/initrd.img-" KVER, "070701000000", 12, 0644); }
static void p_default(void)
{
	put("boot/grub/grub.cfg", "set default=\"0\"\nmenuentry 'Debian GNU/Linux' {\n\tlinux /boot/vmlinuz-9.9.9 root=UUID="
	    ROOT_UUID " ro\n\tinitrd /boot/initrd.img-9.9.9\n}\n");
}
static void p_root_mismatch(void)
{
	put("boot/grub/grub.cfg", "set default=\"0\"\nmenuentry 'Debian GNU/Linux' {\n\tlinux /boot/vmlinuz-" KVER
	    " root=UUID=deadbeef-0000-4000-8000-000000000000 ro\n\tinitrd /boot/initrd.img-" KVER "\n}\n");
}
static void p_init(void) { rm("usr/sbin/init"); }
static void p_esp(void) { put("etc/fstab", "UUID=" ROOT_UUID " / ext4 errors=remount-ro 0 1\nUUID=9999-9999 /boot/efi vfat umask=0077 0 1\n"); }
static void p_cmdline(void) { put("etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"init=/usr/bin/nothing\"\n"); }
static void p_modules(void)
{
	rm("usr/lib/modules/" KVER "/modules.alias");
	rm("usr/lib/modules/" KVER "/modules.builtin.modinfo");
	rm("usr/lib/modules/" KVER);
}
static void p_grub_files(void)
{
	add("boot/grub/grub.cfg", "menuentry 'Debian GNU/Linux, with Linux 5.10.0-1-amd64' {\n\tlinux /boot/vmlinuz-5.10.0-1-amd64 "
	    "root=UUID=" ROOT_UUID " ro\n\tinitrd /boot/initrd.img-5.10.0-1-amd64\n}\n");
}

static void p_root_shell(void) { put("etc/passwd", "root:x:0:0:root:/root:/bin/zsh\ndebian:x:1000:1000:Debian:/home/debian:/bin/bash\n"); }
static void p_files_syntax(void) { add("etc/passwd", "broken:x:abc:1::/:/bin/sh\n"); }
static void p_disagree(void) { add("etc/passwd", "ghost:x:1001:1001::/home/ghost:/bin/bash\n"); }
static void p_expired(void)
{
	putmode("etc/shadow", "root:*:20046:0:99999:7::1:\ndaemon:*:20046:0:99999:7:::\ndebian:!:20046:0:99999:7:::\n", 0640);
}
static void p_no_ssh_login(void)
{
	putmode("etc/shadow", "root:$y$j9T$abcdefghijklmnopqrstu.$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO:20046:0:99999:7:::\n"
		"debian:!:20046:0:99999:7:::\n", 0640);
	rm("home/debian/.ssh/authorized_keys");
}
static void p_sudoers_mode(void) { chm("etc/sudoers", 0666); }
static void p_sudoers_syntax(void) { add("etc/sudoers", "foo bar\n"); chm("etc/sudoers", 0440); }

static void p_sshd_config(void) { add("etc/ssh/sshd_config", "FooBar yes\n"); }
static void p_host_keys(void) { rm("etc/ssh/ssh_host_ed25519_key"); }
static void p_host_key_mode(void) { chm("etc/ssh/ssh_host_ed25519_key", 0644); }
static void p_privsep(void)
{
	put("etc/os-release", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.5\"\n");
	mkdirs("var/empty/sshd");
	chm("var/empty/sshd", 0777);
}
static void p_authorized_keys(void) { chm("home/debian/.ssh", 0777); }
static void p_listen(void) { add("etc/ssh/sshd_config", "ListenAddress 203.0.113.77\n"); }
static void p_enabled(void) { rm("etc/systemd/system/multi-user.target.wants/ssh.service"); }
static void p_etc_ssh(void) { chm("etc/ssh", 0777); }
static void p_include_missing(void) { add("etc/ssh/sshd_config", "Include /etc/ssh/extra.conf\n"); }

static void p_selinux_policy(void) { put("etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n"); }
static void p_unlabeled(void) { p_selinux_policy(); put("etc/selinux/targeted/policy/policy.33", "x"); }
static void p_selinux_config(void) { put("etc/selinux/config", "SELINUX=enforcingg\nSELINUXTYPE=targeted\n"); }
static void p_relabel(void)
{
	put("etc/selinux/config", "SELINUX=permissive\nSELINUXTYPE=targeted\n");
	put("etc/selinux/targeted/policy/policy.33", "x");
	put(".autorelabel", "");
}

static void syslog(const char *line)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "Nov 1 server kernel: Linux version 6.1.0\n%s\n", line);
	put("var/log/syslog", buf);
}
static void p_emergency(void) { syslog("Nov 1 server systemd[1]: You are in emergency mode. After logging in, type ..."); }
static void p_panic(void) { syslog("Nov 1 server kernel: Kernel panic - not syncing: VFS: Unable to mount root fs"); }
static void p_sshd_failed(void) { syslog("Nov 1 server systemd[1]: Failed to start ssh.service - OpenBSD Secure Shell server."); }
static void p_oom(void) { syslog("Nov 1 server kernel: Out of memory: Killed process 4242 (java)"); }
static void p_timeout(void) { syslog("Nov 1 server systemd[1]: dev-disk-by\\x2duuid-1111.device: Job timed out.\nNov 1 "
				     "server systemd[1]: Timed out waiting for device dev-disk-by\\x2duuid-11111111\\x2d2222.device"); }

/* firewall: nftables enabled at boot with a rule set; the same for netfilter-persistent */
static void nft_rules(const char *body)
{
	char t[1024];
	snprintf(t, sizeof(t), "flush ruleset\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority "
		 "filter; policy drop;\n%s\t}\n}\n", body);
	put("etc/nftables.conf", t);
	put("usr/lib/systemd/system/nftables.service", "[Service]\nExecStart=/usr/sbin/nft -f /etc/nftables.conf\n");
	mkdirs("etc/systemd/system/sysinit.target.wants");
	sym("/lib/systemd/system/nftables.service", "etc/systemd/system/sysinit.target.wants/nftables.service");
}
static void p_fw_dropped(void) { nft_rules("\t\tct state established,related accept\n"); }
static void p_fw_uncertain(void) { nft_rules("\t\tip saddr 192.0.2.0/24 tcp dport 22 accept\n"); }
static void p_fw_unreadable(void)
{
	put("etc/iptables/rules.v4", "*filter\n:INPUT DROP [0:0]\n-A NOCHAIN -j ACCEPT\nCOMMIT\n");
	put("usr/lib/systemd/system/netfilter-persistent.service", "[Service]\nExecStart=/usr/sbin/netfilter-persistent start\n");
	sym("/lib/systemd/system/netfilter-persistent.service",
	    "etc/systemd/system/multi-user.target.wants/netfilter-persistent.service");
}

/* network: the healthy tree brings its NIC up with systemd-networkd, by MAC */
static void lan(const char *text) { put("etc/systemd/network/10-lan.network", text); }
static void ifupdown(const char *text)
{
	put("etc/network/interfaces", text);
	put("usr/lib/systemd/system/networking.service", "[Service]\nExecStart=/sbin/ifup -a\n");
	sym("/lib/systemd/system/networking.service", "etc/systemd/system/multi-user.target.wants/networking.service");
}
static void p_net_no_config(void) { rm("etc/systemd/network/10-lan.network"); }
static void p_net_iface_missing(void) { p_net_no_config(); ifupdown("allow-hotplug eth9\niface eth9 inet dhcp\n"); }
static void p_net_mac_pin(void) { lan("[Match]\nMACAddress=52:54:00:99:99:99\n\n[Network]\nDHCP=yes\n"); }
static void p_net_gateway(void)
{
	char t[256];
	snprintf(t, sizeof(t), "[Match]\nMACAddress=%s\n[Network]\nAddress=192.0.2.5/24\nGateway=198.51.100.1\n", first_mac());
	lan(t);
}
static void p_net_no_route(void)
{
	char t[256];
	snprintf(t, sizeof(t), "[Match]\nMACAddress=%s\n[Network]\nAddress=192.0.2.5/24\nDNS=192.0.2.53\n", first_mac());
	lan(t);
}
static void p_net_two(void)
{
	char t[256];
	snprintf(t, sizeof(t), "[connection]\nid=lan\ntype=ethernet\n[ethernet]\nmac-address=%s\n[ipv4]\nmethod=auto\n",
		 first_mac());
	putmode("etc/NetworkManager/system-connections/lan.nmconnection", t, 0600);
	put("usr/lib/systemd/system/NetworkManager.service", "[Service]\nExecStart=/usr/sbin/NetworkManager\n");
	sym("/lib/systemd/system/NetworkManager.service", "etc/systemd/system/multi-user.target.wants/NetworkManager.service");
}
static void p_net_not_enabled(void) { rm("etc/systemd/system/multi-user.target.wants/systemd-networkd.service"); }
static void p_net_member(void) { ifupdown("auto bond0\niface bond0 inet dhcp\n    bond-slaves eth7\n"); }
static void p_net_persistent(void)
{
	put("etc/udev/rules.d/70-persistent-net.rules", "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", "
	    "ATTR{address}==\"52:54:00:99:99:99\", ATTR{type}==\"1\", KERNEL==\"eth*\", NAME=\"eth0\"\n");
}
static void p_net_resolver(void)
{
	char t[256];
	snprintf(t, sizeof(t), "[Match]\nMACAddress=%s\n[Network]\nAddress=192.0.2.5/24\nGateway=192.0.2.1\n", first_mac());
	lan(t);
	put("etc/resolv.conf", "# nothing\n");
}
static void p_net_dhcp(void) { setenv("RC_TEST_DHCP_NIC", "lan9", 1); }

#define FST "/etc/fstab"
#define GCFG "/boot/grub/grub.cfg"
static const struct tcase cases[] = {
	{ "fstab.missing-device", p_missing_device, FST, 5, "UUID=11111111", DR_BOOT },
	{ "fstab.unknown-type", p_unknown_type, FST, 5, "reiser5", DR_BOOT },
	{ "fstab.bad-option", p_bad_option, FST, 1, "nobootwait", DR_BOOT },
	{ "fstab.missing-module", p_missing_module, FST, 1, "btrfs", DR_BOOT },
	{ "fstab.missing-mountpoint", p_missing_mountpoint, FST, 5, "/scratch", DR_NOTE },
	{ "fstab.missing-swap", p_missing_swap, FST, 4, "/swapfile", DR_DEGRADED },
	{ "fstab.syntax", p_fstab_syntax, FST, 5, "garbage-line", DR_DEGRADED },
	{ "fstab.fsck-pass", p_fsck_pass, FST, 3, "fsck.vfat", DR_NOTE },
	{ "boot.initramfs", p_initramfs, "/boot/initrd.img-" KVER, 0, "cut short", DR_BOOT },
	{ "boot.default", p_default, GCFG, 1, "vmlinuz-9.9.9", DR_BOOT },
	{ "boot.root-mismatch", p_root_mismatch, GCFG, 3, "deadbeef", DR_BOOT },
	{ "boot.init", p_init, "/sbin/init", 0, "missing", DR_BOOT },
	{ "boot.esp", p_esp, FST, 2, "9999-9999", DR_BOOT },
	{ "boot.cmdline", p_cmdline, "/etc/default/grub", 2, "init=/usr/bin/nothing", DR_DEGRADED },
	{ "boot.modules", p_modules, "/boot/vmlinuz-" KVER, 0, "/lib/modules/" KVER, DR_LOGIN },
	{ "boot.grub-files", p_grub_files, GCFG, 12, "5.10.0-1-amd64", DR_DEGRADED },
	{ "login.root-shell", p_root_shell, "/etc/passwd", 1, "/bin/zsh", DR_LOGIN },
	{ "login.files-syntax", p_files_syntax, "/etc/passwd", 4, "not a number", DR_DEGRADED },
	{ "login.disagree", p_disagree, "/etc/passwd", 4, "ghost", DR_DEGRADED },
	{ "login.expired", p_expired, "/etc/shadow", 1, "expired on 1970-01-02", DR_LOGIN },
	{ "login.no-ssh-login", p_no_ssh_login, "/etc/ssh/sshd_config", 0, "PermitRootLogin", DR_LOGIN },
	{ "login.sudoers-mode", p_sudoers_mode, "/etc/sudoers", 0, "mode 0666", DR_LOGIN },
	{ "login.sudoers-syntax", p_sudoers_syntax, "/etc/sudoers", 5, "foo bar", DR_LOGIN },
	{ "sshd.config", p_sshd_config, "/etc/ssh/sshd_config", 8, "Bad configuration option: FooBar", DR_LOGIN },
	{ "sshd.host-keys", p_host_keys, "/etc/ssh/ssh_host_rsa_key", 0, "no host key", DR_LOGIN },
	{ "sshd.host-key-mode", p_host_key_mode, "/etc/ssh/ssh_host_ed25519_key", 0, "mode 0644", DR_LOGIN },
	{ "sshd.privsep", p_privsep, "/var/empty/sshd", 0, "mode 0777", DR_LOGIN },
	{ "sshd.authorized-keys", p_authorized_keys, "/home/debian/.ssh", 0, "writable by others", DR_LOGIN },
	{ "sshd.listen", p_listen, "/etc/ssh/sshd_config", 8, "203.0.113.77", DR_LOGIN },
	{ "sshd.enabled", p_enabled, "/etc/systemd/system", 0, "no target wants", DR_LOGIN },
	{ "sshd.etc-ssh", p_etc_ssh, "/etc/ssh", 0, "mode 0777", DR_DEGRADED },
	{ "sshd.include-missing", p_include_missing, "/etc/ssh/sshd_config", 8, "extra.conf", DR_NOTE },
	{ "selinux.policy", p_selinux_policy, "/etc/selinux/config", 2, "/etc/selinux/targeted/policy", DR_BOOT },
	{ "selinux.unlabeled", p_unlabeled, "/etc/passwd", 0, "/etc/shadow", DR_LOGIN },
	{ "selinux.config", p_selinux_config, "/etc/selinux/config", 1, "enforcingg", DR_DEGRADED },
	{ "selinux.relabel-pending", p_relabel, "/.autorelabel", 0, "relabels", DR_NOTE },
	{ "logs.emergency", p_emergency, "/var/log/syslog", 2, "emergency mode", DR_BOOT },
	{ "logs.panic", p_panic, "/var/log/syslog", 2, "Kernel panic", DR_BOOT },
	{ "logs.sshd-failed", p_sshd_failed, "/var/log/syslog", 2, "Failed to start ssh.service", DR_LOGIN },
	{ "logs.oom", p_oom, "/var/log/syslog", 2, "Out of memory", DR_DEGRADED },
	{ "logs.device-timeout", p_timeout, "/var/log/syslog", 3, "Timed out waiting", DR_NOTE },
	{ "fw.ssh-dropped", p_fw_dropped, "/etc/nftables.conf", 4, "policy drop; no accept rule matches", DR_LOGIN },
	{ "fw.ssh-uncertain", p_fw_uncertain, "/etc/nftables.conf", 5, "depends on the source address", DR_NOTE },
	{ "fw.unreadable", p_fw_unreadable, "/etc/iptables/rules.v4", 0, "chain NOCHAIN is not declared", DR_DEGRADED },
	{ "net.no-config", p_net_no_config, "", 0, "stays down", DR_LOGIN },
	{ "net.iface-missing", p_net_iface_missing, "/etc/network/interfaces", 2, "eth9", DR_LOGIN },
	{ "net.mac-pin-stale", p_net_mac_pin, "/etc/systemd/network/10-lan.network", 2, "52:54:00:99:99:99", DR_LOGIN },
	{ "net.gateway-outside", p_net_gateway, "/etc/systemd/network/10-lan.network", 5, "198.51.100.1", DR_LOGIN },
	{ "net.no-default-route", p_net_no_route, "", 0, "no configuration for the NICs present gives a default route",
	  DR_LOGIN },
	{ "net.missing-member", p_net_member, "/etc/network/interfaces", 3, "eth7", DR_LOGIN },
	{ "net.not-enabled", p_net_not_enabled, "/etc/systemd/network/10-lan.network", 1, "does not start at boot",
	  DR_LOGIN },
	{ "net.two-managers", p_net_two, "/etc/systemd/network/10-lan.network", 1, "they fight over it", DR_DEGRADED },
	{ "net.persistent-net-stale", p_net_persistent, "/etc/udev/rules.d/70-persistent-net.rules", 1,
	  "52:54:00:99:99:99", DR_DEGRADED },
	{ "net.no-resolver", p_net_resolver, "/etc/resolv.conf", 0, "no DNS server", DR_NOTE },
	{ "net.dhcp", p_net_dhcp, "", 0, "lan9", DR_NOTE },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int setup(void **s)
{
	(void)s;
	healthy_tree();
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	unsetenv("RC_TEST_DHCP_NIC");
	remove_tree();
	return 0;
}

/* The healthy tree: no finding, nothing left unlooked at. */
static void test_healthy(void **s)
{
	(void)s;
	struct env e;
	env_open(&e, 0, NULL);
	dr_run(&e.c, NULL);
	for (size_t i = 0; i < e.c.nf; i++)
		print_message("unexpected: %s %s:%d %s -- %s\n", e.c.f[i].row->id, e.c.f[i].file, e.c.f[i].line,
			      e.c.f[i].seen, e.c.f[i].what);
	for (size_t i = 0; i < e.c.nunchecked; i++)
		print_message("not checked: %s\n", e.c.unchecked[i]);
	assert_int_equal(e.c.nf, 0);
	assert_int_equal(e.c.nunchecked, 0);
	env_close(&e);
}

static void test_case(void **s)
{
	const struct tcase *k = *s;
	struct env e;
	k->plant();
	env_open(&e, 0, NULL);
	size_t n = run_check(&e, k->id);
	const struct dr_finding *f = finding(&e, k->id);
	if (!f)
		for (size_t i = 0; i < e.c.nunchecked; i++)
			print_message("not checked: %s\n", e.c.unchecked[i]);
	assert_non_null(f);
	assert_int_equal(n, 1);
	if (strcmp(f->file, k->file) || (k->line >= 0 && f->line != k->line) || f->sev != k->sev ||
	    (!strstr(f->seen, k->has) && !strstr(f->what, k->has)))
		print_message("%s: %s:%d [%s] seen \"%s\" what \"%s\"\n", k->id, f->file, f->line, dr_sev_name(f->sev),
			      f->seen, f->what);
	assert_string_equal(f->file, k->file);
	if (k->line >= 0)
		assert_int_equal(f->line, k->line);
	assert_int_equal(f->sev, k->sev);
	assert_true(strstr(f->seen, k->has) || strstr(f->what, k->has));
	assert_true(f->what[0] && (f->why[0] || f->row->why[0]) && f->fix[0]);
	env_close(&e);
}

/* Every row of the table has its case here (fs.* in test_doctor_fs.c, on an image). */
static void test_coverage(void **s)
{
	(void)s;
	for (size_t i = 0; i < dr_nchecks; i++) {
		size_t k = 0;
		if (!strcmp(dr_checks[i].family, "fs"))
			continue;
		while (k < NCASES && strcmp(cases[k].id, dr_checks[i].id))
			k++;
		if (k == NCASES)
			print_message("no test for %s\n", dr_checks[i].id);
		assert_true(k < NCASES);
	}
}

/* A log line ties back to the finding that explains it. */
static void test_related(void **s)
{
	(void)s;
	struct env e;
	p_missing_device();
	syslog("Nov 1 server systemd[1]: Timed out waiting for device /dev/disk/by-uuid/11111111-2222-4333-8444-555555555555.\n"
	       "Nov 1 server systemd[1]: You are in emergency mode.");
	env_open(&e, 0, NULL);
	dr_run(&e.c, NULL);
	assert_string_equal(finding(&e, "logs.device-timeout")->related, "fstab.missing-device");
	assert_string_equal(finding(&e, "logs.emergency")->related, "fstab.missing-device");
	assert_int_equal(e.c.f[0].sev, DR_BOOT);   /* most serious first */
	env_close(&e);
}

/* A missing device with nofail is no finding, nor its timeout in the log. */
static void test_nofail(void **s)
{
	(void)s;
	struct env e;
	add("etc/fstab", "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults,nofail 0 2\n");
	mkdirs("srv");
	syslog("Nov 1 server systemd[1]: Timed out waiting for device /dev/disk/by-uuid/11111111-2222-4333-8444-555555555555.");
	env_open(&e, 0, NULL);
	dr_run(&e.c, NULL);
	assert_int_equal(e.c.nf, 0);
	env_close(&e);
}

/* root= in /etc/default/grub naming another device: the next update-grub's problem. */
static void test_default_grub_root(void **s)
{
	(void)s;
	struct env e;
	put("etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"root=UUID=deadbeef-0000-4000-8000-000000000000 quiet\"\n");
	env_open(&e, 0, NULL);
	assert_int_equal(run_check(&e, "boot.cmdline"), 1);
	const struct dr_finding *f = finding(&e, "boot.cmdline");
	assert_string_equal(f->file, "/etc/default/grub");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->sev, DR_DEGRADED);
	assert_non_null(strstr(f->what, "deadbeef"));
	env_close(&e);
}

/* A journal on the target and no journalctl here: said, not skipped silently. */
static void test_no_journalctl(void **s)
{
	(void)s;
	struct env e;
	put("var/log/journal/5f1d3c2b/system.journal", "LPKSHHRH");
	env_open(&e, 0, NULL);
	dr_run(&e.c, "logs");
	assert_int_equal(e.c.nf, 0);
	assert_int_equal(e.c.nunchecked, 1);
	assert_non_null(strstr(e.c.unchecked[0], "no journalctl"));
	env_close(&e);
}

int main(void)
{
	if (geteuid() != 0) {
		print_message("test_doctor: needs root (the tree has files of uid 1000)\n");
		return 0;
	}
	struct CMUnitTest t[NCASES + 6];
	size_t n = 0;
	t[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_healthy, setup, teardown);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_coverage);
	t[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_related, setup, teardown);
	t[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_nofail, setup, teardown);
	t[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_no_journalctl, setup, teardown);
	t[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_default_grub_root, setup, teardown);
	for (size_t i = 0; i < NCASES; i++)
		t[n++] = (struct CMUnitTest){ cases[i].id, test_case, setup, teardown, (void *)&cases[i] };
	return _cmocka_run_group_tests("doctor", t, n, NULL, NULL);
}

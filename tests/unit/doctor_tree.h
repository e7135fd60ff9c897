/* Shared by the doctor unit tests: a small healthy tree in a temporary
 * directory (Debian-like, systemd, GRUB, one kernel), and the helpers that
 * plant a fault in it. Included by tests/unit/test_doctor*.c only. */
#ifndef TEST_DOCTOR_TREE_H
#define TEST_DOCTOR_TREE_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../lib/doctor.h"
#include "../../lib/doctor_fix.h"
#include "../../lib/err.h"

#define ROOT_UUID "4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b"
#define ESP_UUID "1A2B-3C4D"
#define KVER "6.1.0-27-amd64"

static char top[256];

__attribute__((unused)) static void path_of(const char *rel, char *p, size_t sz)
{
	snprintf(p, sz, "%s/%s", top, rel[0] == '/' ? rel + 1 : rel);
}

__attribute__((unused)) static void mkdirs(const char *rel)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	for (char *s = p + strlen(top) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

__attribute__((unused)) static void putm(const char *rel, const char *text, size_t len, mode_t mode)
{
	char p[600], d[600];
	snprintf(d, sizeof(d), "%s", rel);
	if (strrchr(d, '/')) {
		*strrchr(d, '/') = 0;
		if (d[0])
			mkdirs(d);
	}
	path_of(rel, p, sizeof(p));
	unlink(p);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	chmod(p, mode);
}

__attribute__((unused)) static void put(const char *rel, const char *text)
{
	putm(rel, text, strlen(text), 0644);
}

__attribute__((unused)) static void putmode(const char *rel, const char *text, mode_t mode)
{
	putm(rel, text, strlen(text), mode);
}

__attribute__((unused)) static void exe(const char *rel)
{
	putm(rel, "#!/bin/sh\n", 10, 0755);
}

__attribute__((unused)) static void sym(const char *target, const char *rel)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

__attribute__((unused)) static void rm(const char *rel)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	if (unlink(p) < 0)
		rmdir(p);
}

__attribute__((unused)) static void chm(const char *rel, mode_t m)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	assert_int_equal(chmod(p, m), 0);
}

__attribute__((unused)) static void own(const char *rel, uid_t u, gid_t g)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	assert_int_equal(lchown(p, u, g), 0);
}

/* Append TEXT to a file. */
__attribute__((unused)) static void add(const char *rel, const char *text)
{
	char p[600];
	path_of(rel, p, sizeof(p));
	FILE *f = fopen(p, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A newc cpio archive holding one file, then its trailer: a whole initramfs. */
__attribute__((unused)) static size_t mini_cpio(char *out)
{
	size_t n = 0;
	const char *names[] = { "init", "TRAILER!!!" };
	for (int i = 0; i < 2; i++) {
		size_t nl = strlen(names[i]) + 1, fs = i ? 0 : 3;
		n += (size_t)sprintf(out + n, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", i, 0100755, 0, 0,
				     1, 0, fs, 0, 0, 0, 0, nl, 0);
		memcpy(out + n, names[i], nl);
		n += nl;
		while (n % 4)
			out[n++] = 0;
		memcpy(out + n, "ok\n", fs);
		n += fs;
		while (n % 4)
			out[n++] = 0;
	}
	return n;
}

/* The MAC of this machine's first physical NIC (the NIC checks read the real
 * sysfs: RESCUECTL_SYSROOT stays the block devices'), "" when it has none. */
__attribute__((unused)) static const char *first_mac(void)
{
	static char mac[32];
	FILE *f = popen("for d in /sys/class/net/*; do [ -e \"$d/device\" ] && cat \"$d/address\" && break; done", "r");
	mac[0] = 0;
	if (f) {
		if (!fgets(mac, sizeof(mac), f))
			mac[0] = 0;
		mac[strcspn(mac, "\n")] = 0;
		pclose(f);
	}
	return mac;
}

/* systemd-networkd bringing the NIC up by its MAC (name-independent), a resolver. */
__attribute__((unused)) static void healthy_network(void)
{
	char net[256];
	snprintf(net, sizeof(net), "[Match]\nMACAddress=%s\n\n[Network]\nDHCP=yes\n", first_mac());
	if (first_mac()[0])
		put("etc/systemd/network/10-lan.network", net);
	put("usr/lib/systemd/system/systemd-networkd.service", "[Service]\nExecStart=/lib/systemd/systemd-networkd\n");
	sym("/lib/systemd/system/systemd-networkd.service", "etc/systemd/system/multi-user.target.wants/systemd-networkd.service");
	put("etc/resolv.conf", "nameserver 192.0.2.53\n");
}

__attribute__((unused)) static void healthy_tree(void)
{
	char cpio[1024];
	snprintf(top, sizeof(top), "/tmp/rc-doctor-XXXXXX");
	assert_non_null(mkdtemp(top));
	chmod(top, 0755);
	mkdirs("usr/bin"); mkdirs("usr/sbin"); mkdirs("usr/lib"); mkdirs("var/lib"); mkdirs("var/log");
	mkdirs("boot/efi"); mkdirs("proc"); mkdirs("sys"); mkdirs("dev"); mkdirs("run"); mkdirs("tmp");
	sym("usr/bin", "bin"); sym("usr/sbin", "sbin"); sym("usr/lib", "lib");
	put("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
	put("etc/hosts", "127.0.0.1 localhost\n");
	put("etc/fstab", "# /etc/fstab\nUUID=" ROOT_UUID " / ext4 errors=remount-ro 0 1\nUUID=" ESP_UUID
	    " /boot/efi vfat umask=0077 0 1\n/swapfile none swap sw 0 0\n");
	putm("swapfile", "\0\0\0\0", 4, 0600);
	exe("usr/sbin/fsck.ext4"); exe("usr/sbin/fsck.vfat"); exe("usr/bin/bash"); exe("usr/sbin/sshd");
	exe("usr/lib/systemd/systemd"); sym("../lib/systemd/systemd", "usr/sbin/init"); exe("usr/sbin/update-initramfs");
	put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	    "debian:x:1000:1000:Debian:/home/debian:/bin/bash\n");
	putmode("etc/shadow", "root:*:20046:0:99999:7:::\ndaemon:*:20046:0:99999:7:::\ndebian:!:20046:0:99999:7:::\n", 0640);
	put("etc/group", "root:x:0:\nshadow:x:42:\ndebian:x:1000:\n");
	mkdirs("root"); chm("root", 0700);
	putmode("home/debian/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5 debian@laptop\n", 0600);
	chm("home/debian/.ssh", 0700);
	own("home/debian", 1000, 1000); own("home/debian/.ssh", 1000, 1000); own("home/debian/.ssh/authorized_keys", 1000, 1000);
	put("etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n"
	    "X11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n");
	mkdirs("etc/ssh/sshd_config.d");
	putmode("etc/ssh/ssh_host_ed25519_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n", 0600);
	putmode("etc/sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n", 0440);
	mkdirs("etc/sudoers.d");
	put("usr/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
	mkdirs("etc/systemd/system/multi-user.target.wants");
	sym("/lib/systemd/system/ssh.service", "etc/systemd/system/multi-user.target.wants/ssh.service");
	putm("boot/vmlinuz-" KVER, "MZkernel", 8, 0644);
	putm("boot/initrd.img-" KVER, cpio, mini_cpio(cpio), 0644);
	putmode("usr/lib/modules/" KVER "/modules.alias", "alias fs-ext4 ext4\nalias fs-vfat vfat\nalias fs-xfs xfs\n", 0644);
	putm("usr/lib/modules/" KVER "/modules.builtin.modinfo", "unix.license=GPL\0", 17, 0644);
	put("boot/grub/grub.cfg", "if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\nelse\n   set default=\"0\"\nfi\n"
	    "menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-" ROOT_UUID "' {\n"
	    "\tsearch --no-floppy --fs-uuid --set=root " ROOT_UUID "\n"
	    "\tlinux\t/boot/vmlinuz-" KVER " root=UUID=" ROOT_UUID " ro quiet\n"
	    "\tinitrd\t/boot/initrd.img-" KVER "\n}\n");
	put("etc/default/grub", "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n");
	healthy_network();
}

__attribute__((unused)) static void remove_tree(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
}

/* A context over the tree (read-write when RW), the root and ESP devices known. */
struct env {
	struct tree *t;
	struct dview v;
	struct dr_ctx c;
};

__attribute__((unused)) static void env_open(struct env *e, int rw, const struct dr_opts *o)
{
	struct devid root = { 0 }, esp = { 0 };
	assert_int_equal(tree_open_dir(top, rw, &e->t), 0);
	dv_open_dir(&e->v, e->t);
	snprintf(root.path, sizeof(root.path), "/dev/sda1");
	snprintf(root.name, sizeof(root.name), "sda1");
	snprintf(root.fstype, sizeof(root.fstype), "ext4");
	snprintf(root.uuid, sizeof(root.uuid), ROOT_UUID);
	snprintf(esp.path, sizeof(esp.path), "/dev/sda15");
	snprintf(esp.name, sizeof(esp.name), "sda15");
	snprintf(esp.fstype, sizeof(esp.fstype), "vfat");
	snprintf(esp.uuid, sizeof(esp.uuid), ESP_UUID);
	dv_add_device(&e->v, &root);
	dv_add_device(&e->v, &esp);
	e->v.root_id = root;
	e->v.root_known = 1;
	struct dr_opts def = { .now = 1764374400, .cmd_target = "/dev/sda1", .journalctl = "", .dns = 1,
			       .dhcp_nic = getenv("RC_TEST_DHCP_NIC") };
	assert_int_equal(dr_init(&e->c, &e->v, o ? o : &def), 0);
}

__attribute__((unused)) static void env_close(struct env *e)
{
	dr_free(&e->c);
	dv_close(&e->v);
	tree_close(e->t);
}

/* The findings of ID, after running only that check. */
__attribute__((unused)) static size_t run_check(struct env *e, const char *id)
{
	assert_int_equal(dr_run_one(&e->c, id), 0);
	size_t n = 0;
	for (size_t i = 0; i < e->c.nf; i++)
		n += !strcmp(e->c.f[i].row->id, id);
	return n;
}

__attribute__((unused)) static const struct dr_finding *finding(const struct env *e, const char *id)
{
	for (size_t i = 0; i < e->c.nf; i++)
		if (!strcmp(e->c.f[i].row->id, id))
			return &e->c.f[i];
	return NULL;
}

#endif

/* The pure parts doctor is built from: GRUB's files (grub.cfg, BLS,
 * grubenv, /etc/default/grub, kernel parameters), the initramfs walker,
 * sshd keywords, mount options, the journal's format and its undo rules,
 * device lookup by fstab spec. Hostile input included. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/grubcfg.h"
#include "../../lib/initrd.h"
#include "../../lib/sshkw.h"
#include "../../lib/doctor_fsopts.h"
#include "../../lib/djournal.h"
#include "../../lib/devindex.h"
#include "../../lib/err.h"

/* Split TEXT (modified) into lines. */
static int lines(char *text, char **out, int max)
{
	int n = 0;
	for (char *p = text; *p && n < max;) {
		out[n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	return n;
}

static const char debian_cfg[] =
	"if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\nelse\n   set default=\"0\"\nfi\n"
	"function load_video {\n  insmod all_video\n}\n"
	"menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-U' {\n"
	"\tsearch --no-floppy --fs-uuid --set=root U\n\tlinux\t/boot/vmlinuz-6.1.0-27-amd64 root=UUID=U ro quiet\n"
	"\tinitrd\t/boot/initrd.img-6.1.0-27-amd64\n}\n"
	"submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-U' {\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-26-amd64' $menuentry_id_option 'gnulinux-6.1.0-26-amd64-advanced-U' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-26-amd64 root=UUID=U ro\n\t\tinitrd\t/boot/intel-ucode.img /boot/initrd.img-6.1.0-26-amd64\n\t}\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-26-amd64 (recovery mode)' $menuentry_id_option 'r' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-26-amd64 root=UUID=U ro single\n\t}\n}\n"
	"menuentry 'It'\\''s \"quoted\"' {\n\tlinux $root/vmlinuz\n}\n";

static void grub_debian(void **s)
{
	(void)s;
	char text[sizeof(debian_cfg)], *l[64];
	struct grub_cfg g = { 0 };
	memcpy(text, debian_cfg, sizeof(text));
	assert_int_equal(grub_parse(l, lines(text, l, 64), "/boot/grub/grub.cfg", &g), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.def, "0");
	assert_int_equal(g.def_line, 4);
	assert_false(g.def_saved);
	assert_string_equal(g.e[0].title, "Debian GNU/Linux");
	assert_string_equal(g.e[0].id, "gnulinux-simple-U");
	assert_string_equal(g.e[0].path, "0");
	assert_string_equal(g.e[0].search_uuid, "U");
	assert_string_equal(g.e[0].kernel, "/boot/vmlinuz-6.1.0-27-amd64");
	assert_string_equal(g.e[0].args, "root=UUID=U ro quiet");
	assert_string_equal(g.e[0].version, "6.1.0-27-amd64");
	assert_int_equal(g.e[0].linux_line, 11);
	assert_string_equal(g.e[1].path, "1>0");
	assert_int_equal(g.e[1].ninitrd, 2);
	assert_string_equal(g.e[1].initrd[1], "/boot/initrd.img-6.1.0-26-amd64");
	assert_string_equal(g.e[1].parent_id, "gnulinux-advanced-U");
	assert_true(g.e[2].recovery);
	assert_string_equal(g.e[3].path, "2");
	assert_string_equal(g.e[3].title, "It's \"quoted\"");
	assert_true(g.e[3].uses_vars);
	/* GRUB_DEFAULT's forms */
	assert_int_equal(grub_find_default(&g, "0"), 0);
	assert_int_equal(grub_find_default(&g, "1>0"), 1);
	assert_int_equal(grub_find_default(&g, "gnulinux-advanced-U>gnulinux-6.1.0-26-amd64-advanced-U"), 1);
	assert_int_equal(grub_find_default(&g, "Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux "
					   "6.1.0-26-amd64 (recovery mode)"), 2);
	assert_int_equal(grub_find_default(&g, "gnulinux-simple-U"), 0);
	assert_int_equal(grub_find_default(&g, "7"), -1);
	assert_int_equal(grub_find_default(&g, "1"), -1);   /* a submenu itself boots nothing */
	grub_free(&g);
}

static void grub_bls(void **s)
{
	(void)s;
	struct grub_cfg g = { 0 };
	char cfg[] = "set default=\"${saved_entry}\"\ninsmod blscfg\nblscfg\n", *l[8];
	assert_int_equal(grub_parse(l, lines(cfg, l, 8), "/boot/grub2/grub.cfg", &g), 0);
	assert_true(g.blscfg);
	assert_true(g.def_saved);
	grub_parse_bls("title Old\nversion 5.14.0-70.el9.x86_64\nlinux /vmlinuz-5.14.0-70.el9.x86_64\n"
		       "initrd /initramfs-5.14.0-70.el9.x86_64.img\noptions root=UUID=R ro\n", "m-5.14.0-70.el9.x86_64", "f1", &g);
	grub_parse_bls("title New\nversion 5.14.0-503.el9.x86_64\nlinux /vmlinuz-5.14.0-503.el9.x86_64\n"
		       "options $kernelopts\n", "m-5.14.0-503.el9.x86_64", "f2", &g);
	grub_parse_bls("title Rescue\nversion 0-rescue-m\nlinux /vmlinuz-0-rescue-m\n", "m-0-rescue", "f3", &g);
	grub_sort_bls(&g);
	assert_string_equal(g.e[0].id, "m-5.14.0-503.el9.x86_64");   /* newest first, as blscfg shows them */
	assert_string_equal(g.e[0].path, "0");
	assert_true(g.e[0].uses_vars);
	assert_string_equal(g.e[1].args, "root=UUID=R ro");
	assert_true(g.e[2].recovery);
	assert_int_equal(grub_find_default(&g, "m-5.14.0-70.el9.x86_64"), 1);
	grub_free(&g);
}

static void grub_env_and_defaults(void **s)
{
	(void)s;
	char env[1024], v[256], *out;
	size_t ol;
	int line;
	int n = snprintf(env, sizeof(env), "# GRUB Environment Block\nsaved_entry=a\nboot_success=0\n");
	memset(env + n, '#', sizeof(env) - (size_t)n);
	assert_int_equal(grubenv_get(env, sizeof(env), "saved_entry", v, sizeof(v)), 1);
	assert_string_equal(v, "a");
	assert_int_equal(grubenv_set(env, sizeof(env), "saved_entry", "b>c", &out, &ol), 0);
	assert_int_equal(ol, 1024);
	assert_int_equal(grubenv_get(out, ol, "saved_entry", v, sizeof(v)), 1);
	assert_string_equal(v, "b>c");
	assert_int_equal(grubenv_get(out, ol, "boot_success", v, sizeof(v)), 1);
	assert_int_equal(out[1023], '#');
	free(out);
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_not_equal(grubenv_set(env, sizeof(env), "saved_entry", big, &out, &ol), 0);
	const char *dg = "GRUB_DEFAULT=0\nexport GRUB_CMDLINE_LINUX=\"quiet splash\" # x\nGRUB_CMDLINE_LINUX='a b'\n";
	assert_int_equal(grub_default_var(dg, "GRUB_CMDLINE_LINUX", v, sizeof(v), &line), 1);
	assert_string_equal(v, "a b");
	assert_int_equal(line, 3);
	assert_int_equal(grub_default_var(dg, "GRUB_TIMEOUT", v, sizeof(v), &line), 0);
	assert_int_equal(kparam("ro root=UUID=x quiet init=/bin/sh root=/dev/sda2", "root", v, sizeof(v)), 1);
	assert_string_equal(v, "/dev/sda2");   /* the last one counts */
	assert_int_equal(kparam("ro single", "single", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(kparam("rootfstype=ext4", "root", v, sizeof(v)), 0);
}

/* ---- initramfs ------------------------------------------------------------------- */

struct mem {
	const unsigned char *p;
	size_t n;
};

static int memread(void *ud, uint64_t off, void *buf, size_t len, size_t *got)
{
	struct mem *m = ud;
	*got = off >= m->n ? 0 : (m->n - off < len ? m->n - off : len);
	memcpy(buf, m->p + off, *got);
	return 0;
}

static enum initrd_verdict verdict(const void *p, size_t n, char *fmt)
{
	struct mem m = { p, n };
	struct initrd_result r;
	assert_int_equal(initrd_check(memread, &m, n, &r), 0);
	if (fmt)
		strcpy(fmt, r.formats);
	return r.verdict;
}

static size_t cpio(unsigned char *o, const char *name, size_t fs)
{
	size_t n = (size_t)sprintf((char *)o, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", 1, 0100644, 0, 0, 1,
				   0, fs, 0, 0, 0, 0, strlen(name) + 1, 0);
	memcpy(o + n, name, strlen(name) + 1);
	n += strlen(name) + 1;
	while (n % 4)
		o[n++] = 0;
	memset(o + n, 'x', fs);
	n += fs;
	while (n % 4)
		o[n++] = 0;
	return n;
}

static void initramfs(void **s)
{
	(void)s;
	unsigned char b[4096];
	char fmt[64];
	size_t n = cpio(b, "kernel/x86/microcode/GenuineIntel.bin", 10);
	n += cpio(b + n, "TRAILER!!!", 0);
	size_t early = n;
	assert_int_equal(verdict(b, n, fmt), INITRD_OK);
	assert_string_equal(fmt, "cpio");
	assert_int_equal(verdict(b, n - 130, NULL), INITRD_CUT);
	/* + a zstd frame: single segment, content size 5, one raw block "hello" */
	static const unsigned char z[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05, 0x29, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o' };
	memcpy(b + n, z, sizeof(z));
	n += sizeof(z);
	assert_int_equal(verdict(b, n, fmt), INITRD_OK);
	assert_string_equal(fmt, "cpio+zstd");
	assert_int_equal(verdict(b, n - 1, NULL), INITRD_CUT);
	memset(b + n, 0, 8);                         /* zero padding after it */
	assert_int_equal(verdict(b, n + 8, NULL), INITRD_OK);
	/* xz: whole only with its footer */
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 'Y', 'Z' };
	memcpy(b + early, xz, sizeof(xz));
	assert_int_equal(verdict(b, early + sizeof(xz), NULL), INITRD_OK);
	assert_int_equal(verdict(b, early + sizeof(xz) - 2, NULL), INITRD_CUT);
	/* lz4 legacy: blocks with their sizes */
	static const unsigned char lz[] = { 0x02, 0x21, 0x4c, 0x18, 3, 0, 0, 0, 'a', 'b', 'c' };
	assert_int_equal(verdict(lz, sizeof(lz), NULL), INITRD_OK);
	assert_int_equal(verdict(lz, sizeof(lz) - 1, NULL), INITRD_CUT);
	assert_int_equal(verdict("\x1f\x8b\x08\0\0\0", 6, fmt), INITRD_OK);
	assert_string_equal(fmt, "gzip");
	assert_int_equal(verdict("", 0, NULL), INITRD_EMPTY);
	assert_int_equal(verdict("\0\0\0\0\0\0\0\0", 8, NULL), INITRD_EMPTY);
	assert_int_equal(verdict("<html>404</html>", 16, NULL), INITRD_UNKNOWN);
	/* hostile: a cpio entry claiming 4 GiB of data */
	n = (size_t)sprintf((char *)b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1, 0, 0, 0, 1, 0,
			    0xFFFFFFF0u, 0, 0, 0, 0, 2, 0);
	memcpy(b + n, "a\0\0\0", 4);
	assert_int_equal(verdict(b, n + 4, NULL), INITRD_CUT);
}

/* ---- sshd keywords ------------------------------------------------------------------ */

static int rejects(const char *kw, const char *a1, int in_match)
{
	char why[256], *av[2] = { (char *)a1, NULL };
	return sshkw_check(kw, av, a1 ? 1 : 0, in_match, why, sizeof(why));
}

static void sshd_keywords(void **s)
{
	(void)s;
	char why[256];
	assert_false(rejects("PermitRootLogin", "prohibit-password", 0));
	assert_false(rejects("permitrootlogin", "YES", 1));
	assert_true(rejects("PermitRootLogin", "maybe", 0));
	assert_true(rejects("PasswordAuthentication", "true", 0));
	assert_true(rejects("FooBar", "yes", 0));
	assert_false(rejects("Port", "ssh", 0));        /* a service name (sshd -t agrees) */
	assert_true(rejects("Port", "70000", 0));
	assert_false(rejects("Port", "2222", 0));
	assert_true(rejects("Port", "2222", 1));          /* not allowed inside Match */
	assert_false(rejects("X11Forwarding", "no", 1));
	assert_true(rejects("UsePAM", NULL, 0));          /* missing argument */
	/* what RHEL, Debian and newer OpenSSH add */
	assert_false(rejects("GSSAPIKexAlgorithms", "gss-curve25519-sha256-", 0));
	assert_false(rejects("RequiredRSASize", "2048", 0));
	assert_false(rejects("DebianBanner", "no", 0));
	assert_false(rejects("PerSourcePenalties", "no", 0));
	assert_false(rejects("UseDNS", "no", 0));
	assert_false(rejects("Protocol", "2", 0));        /* ignored by sshd */
	assert_false(rejects("UsePrivilegeSeparation", "sandbox", 0));   /* deprecated: a warning */
	char *m1[] = { "User", "anoncvs" }, *m2[] = { "Usr", "x" }, *m3[] = { "Address" }, *m4[] = { "all" };
	assert_int_equal(sshkw_check("Match", m1, 2, 0, why, sizeof(why)), 0);
	assert_int_equal(sshkw_check("Match", m2, 2, 0, why, sizeof(why)), 1);
	assert_string_equal(why, "Unsupported Match attribute Usr");
	assert_int_equal(sshkw_check("Match", m3, 1, 0, why, sizeof(why)), 1);
	assert_int_equal(sshkw_check("Match", m4, 1, 1, why, sizeof(why)), 0);
	assert_int_equal(sshkw_check("Port", NULL, -1, 0, why, sizeof(why)), 1);
	assert_string_equal(why, "Port: invalid quotes");
}

static void mount_options(void **s)
{
	(void)s;
	char why[256];
	assert_true(fso_generic("defaults"));
	assert_true(fso_generic("x-systemd.device-timeout=10s"));
	assert_true(fso_generic("nofail"));
	assert_false(fso_generic("nobootwait"));
	assert_int_equal(fso_known("ext4", "errors=remount-ro", why, sizeof(why)), 1);
	assert_int_equal(fso_known("ext4", "errors=remount", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "continue remount-ro panic"));
	assert_int_equal(fso_known("ext4", "nobootwait", why, sizeof(why)), 0);
	assert_int_equal(fso_known("ext3", "data=journal", why, sizeof(why)), 1);
	assert_int_equal(fso_known("xfs", "errors=remount-ro", why, sizeof(why)), 0);
	assert_int_equal(fso_known("xfs", "inode64", why, sizeof(why)), 1);
	assert_int_equal(fso_known("btrfs", "subvol=@home", why, sizeof(why)), 1);
	assert_int_equal(fso_known("btrfs", "compress=zstd:1", why, sizeof(why)), 1);
	assert_int_equal(fso_known("vfat", "whatever", why, sizeof(why)), -1);
	assert_true(fso_type_known("fuse.sshfs"));
	assert_false(fso_type_known("reiser5"));
	assert_true(fso_modular("xfs"));
	assert_false(fso_modular("tmpfs"));
}

/* ---- the journal --------------------------------------------------------------------- */

static void state(struct dj_state *s, char type, mode_t mode, const char *data)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->mode = mode;
	if (data) {
		s->data = strdup(data);
		s->len = strlen(data);
	}
}

static void journal_format(void **s)
{
	(void)s;
	struct dj_entry e = { .seq = 1 }, back;
	char *text;
	size_t len;
	snprintf(e.date, sizeof(e.date), "2026-11-29T15:37:09Z");
	snprintf(e.fix, sizeof(e.fix), "fstab.missing-device");
	snprintf(e.path, sizeof(e.path), "/etc/fstab");
	snprintf(e.what, sizeof(e.what), "add nofail to line 5 (/srv)");
	state(&e.before, 'f', 0644, NULL);
	e.before.data = malloc(4);
	memcpy(e.before.data, "a\0b", 4);          /* binary-safe: the length counts */
	e.before.len = 3;
	e.before.has_label = 1;
	memcpy(e.before.label, "system_u:object_r:etc_t:s0", 27);
	e.before.label_len = 27;
	state(&e.after, 'f', 0644, "new\n");
	e.after.has_label = 1;
	memcpy(e.after.label, e.before.label, 27);
	e.after.label_len = 27;
	assert_int_equal(dj_format(&e, &text, &len), 0);
	assert_int_equal(dj_parse(text, len, &back), 0);
	assert_string_equal(back.path, "/etc/fstab");
	assert_string_equal(back.what, e.what);
	assert_true(dj_state_equal(&back.before, &e.before));
	assert_true(dj_state_equal(&back.after, &e.after));
	assert_int_equal(back.before.len, 3);
	dj_entry_free(&back);
	/* damaged: cut short, a length that lies, another file */
	assert_int_not_equal(dj_parse(text, len - 1, &back), 0);
	assert_int_not_equal(dj_parse("hello\n", 6, &back), 0);
	text[strlen("rescuectl-doctor-journal 1\ndate ")] = '\n';
	assert_int_not_equal(dj_parse(text, len, &back), 0);
	free(text);
	dj_entry_free(&e);
	/* a link and an absent path */
	struct dj_entry l = { 0 };
	snprintf(l.path, sizeof(l.path), "/etc/systemd/system/multi-user.target.wants/ssh.service");
	state(&l.before, 'l', 0, "/lib/systemd/system/ssh.service");
	state(&l.after, 0, 0, NULL);
	assert_int_equal(dj_format(&l, &text, &len), 0);
	assert_int_equal(dj_parse(text, len, &back), 0);
	assert_string_equal(back.before.data, "/lib/systemd/system/ssh.service");
	assert_int_equal(back.after.type, 0);
	dj_entry_free(&back);
	dj_entry_free(&l);
	free(text);
	assert_int_equal(dj_seq_of("doctor-000042.journal"), 42);
	assert_int_equal(dj_seq_of("doctor-42.journal"), -1);
	assert_int_equal(dj_seq_of(".doctor-000042.journal.rescuectl-1-0"), -1);
}

/* Undo, aspect by aspect: each is "before", "after", or changed by someone else. */
static void journal_undo_rules(void **s)
{
	(void)s;
	struct dj_entry e = { 0 };
	struct dj_state cur;
	char why[256];
	snprintf(e.path, sizeof(e.path), "/etc/sudoers");
	state(&e.before, 'f', 0666, "x");
	e.before.uid = 1000;
	state(&e.after, 'f', 0440, "x");
	state(&cur, 'f', 0440, "x");
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), 1);   /* all "after" */
	cur.uid = 1000;
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), 1);   /* owner back, mode not */
	cur.mode = 0666;
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), 0);   /* all "before" */
	cur.mode = 0600;
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), -1);  /* changed since */
	assert_non_null(strstr(why, "mode of /etc/sudoers"));
	dj_state_free(&cur);
	/* a file doctor created: present -> remove; absent -> done */
	dj_entry_free(&e);
	state(&e.before, 0, 0, NULL);
	state(&e.after, 'f', 0644, "");
	state(&cur, 'f', 0644, "");
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), 1);
	dj_state_free(&cur);
	state(&cur, 0, 0, NULL);
	assert_int_equal(dj_undo_needed(&e, &cur, why, sizeof(why)), 0);
	dj_entry_free(&e);
}

static void devices(void **s)
{
	(void)s;
	struct devindex dx = { 0 };
	struct devid a = { 0 };
	char why[256];
	const struct devid *id;
	snprintf(a.path, sizeof(a.path), "/dev/sda1");
	snprintf(a.name, sizeof(a.name), "sda1");
	snprintf(a.uuid, sizeof(a.uuid), "abcd-1234");
	snprintf(a.label, sizeof(a.label), "UEFI");
	devindex_add(&dx, &a);
	assert_int_equal(devindex_find(&dx, "UUID=ABCD-1234", &id, why, sizeof(why)), DX_FOUND);
	assert_int_equal(devindex_find(&dx, "LABEL=UEFI", &id, why, sizeof(why)), DX_FOUND);
	assert_int_equal(devindex_find(&dx, "/dev/sda1", &id, why, sizeof(why)), DX_FOUND);
	assert_int_equal(devindex_find(&dx, "UUID=0000", &id, why, sizeof(why)), DX_MISSING);
	assert_string_equal(why, "no device on this machine has UUID=0000");
	assert_int_equal(devindex_find(&dx, "/dev/nvme0n1p2", &id, why, sizeof(why)), DX_MISSING);
	assert_int_equal(devindex_find(&dx, "/dev/mapper/vg-root", &id, why, sizeof(why)), DX_MISSING);
	dx.members = 1;   /* an LVM or RAID member sits unassembled: cannot tell */
	assert_int_equal(devindex_find(&dx, "/dev/mapper/vg-root", &id, why, sizeof(why)), DX_CANNOT_TELL);
	assert_int_equal(devindex_find(&dx, "/dev/vg/root", &id, why, sizeof(why)), DX_CANNOT_TELL);
	assert_int_equal(devindex_find(&dx, "/dev/md0", &id, why, sizeof(why)), DX_CANNOT_TELL);
	devindex_free(&dx);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(grub_debian), cmocka_unit_test(grub_bls), cmocka_unit_test(grub_env_and_defaults),
		cmocka_unit_test(initramfs), cmocka_unit_test(sshd_keywords), cmocka_unit_test(mount_options),
		cmocka_unit_test(journal_format), cmocka_unit_test(journal_undo_rules), cmocka_unit_test(devices),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}

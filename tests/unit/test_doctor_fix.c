/* doctor --fix and --undo on a directory tree: every safe fix removes its
 * finding; the undo puts the tree back exactly as it was (content, type,
 * owner, mode, link targets and SELinux labels of every path); the journal
 * refuses an undo over a change made since, and picks up a half-done one. */
#include "doctor_tree.h"
#include "../../lib/djournal.h"
#include "../../lib/dview.h"
#include <ftw.h>
#include <sys/xattr.h>

/* ---- a snapshot of the whole tree ------------------------------------------------ */

static char *snap;
static size_t snaplen;

static int one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	char line[8192], lab[256] = "", data[4096] = "";
	(void)flag;
	(void)f;
	ssize_t l = lgetxattr(p, "security.selinux", lab, sizeof(lab) - 1);
	lab[l > 0 ? l : 0] = 0;
	if (S_ISLNK(st->st_mode)) {
		l = readlink(p, data, sizeof(data) - 1);
		data[l > 0 ? l : 0] = 0;
	} else if (S_ISREG(st->st_mode)) {
		FILE *fp = fopen(p, "rb");
		size_t n = fp ? fread(data, 1, sizeof(data) - 1, fp) : 0;
		for (size_t i = 0; i < n; i++)
			data[i] = data[i] ? data[i] : '@';
		data[n] = 0;
		if (fp)
			fclose(fp);
	}
	int n = snprintf(line, sizeof(line), "%s %o %u %u [%s] %s\n", p + strlen(top), (unsigned)st->st_mode,
			 (unsigned)st->st_uid, (unsigned)st->st_gid, lab, data);
	snap = realloc(snap, snaplen + (size_t)n + 1);
	memcpy(snap + snaplen, line, (size_t)n + 1);
	snaplen += (size_t)n;
	return 0;
}

static char *snapshot(void)
{
	snap = NULL;
	snaplen = 0;
	assert_int_equal(nftw(top, one, 32, FTW_PHYS), 0);
	return snap;
}

/* ---- fix, check, undo ---------------------------------------------------------------- */

static int fix(const char *select, int comment)
{
	struct env e;
	struct dr_fixplan *p;
	struct dr_opts o = { .now = 1764374400, .cmd_target = "/dev/sda1", .journalctl = "", .fstab_comment = comment };
	env_open(&e, 1, &o);
	dr_run(&e.c, NULL);
	assert_int_equal(dr_fix_plan(&e.c, select, &p), 0);
	int steps = (int)plan_count(dr_fix_steps(p));
	assert_int_equal(dr_fix_nskipped(p), 0);
	assert_int_equal(dr_fix_commit(p, NULL), 0);
	dr_fix_free(p);
	env_close(&e);
	return steps;
}

static int undo(int force)
{
	struct env e;
	struct dr_fixplan *p = NULL;
	env_open(&e, 1, NULL);
	int r = dr_undo_plan(&e.c, force, &p);
	if (!r)
		r = dr_undo_commit(p, NULL);
	dr_fix_free(p);
	env_close(&e);
	return r;
}

static size_t count(const char *id)
{
	struct env e;
	env_open(&e, 0, NULL);
	dr_run(&e.c, NULL);
	size_t n = 0;
	for (size_t i = 0; i < e.c.nf; i++)
		n += id ? !strcmp(e.c.f[i].row->id, id) : e.c.f[i].fixable;
	env_close(&e);
	return n;
}

/* Plant, fix ID: its finding goes; undo: the planted tree comes back whole. */
static void fix_undo(const char *id, void (*plant)(void), int comment)
{
	plant();
	char *before = snapshot();
	assert_true(count(id) >= 1);
	assert_true(fix(id, comment) >= 1);
	assert_int_equal(count(id), 0);
	char *fixed = snapshot();
	assert_string_not_equal(before, fixed);
	assert_int_equal(undo(0), 0);
	char *after = snapshot();
	if (strcmp(before, after))
		print_message("before:\n%s\nafter:\n%s\n", before, after);
	assert_string_equal(before, after);
	free(before);
	free(fixed);
	free(after);
}

static void p_two_missing(void)
{
	add("etc/fstab", "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults 0 2\n"
	    "UUID=66666666-2222-4333-8444-555555555555\t/data\txfs\tnoatime\t0\t2\n");
	mkdirs("srv");
	mkdirs("data");
	char p[600];
	path_of("etc/fstab", p, sizeof(p));
	assert_int_equal(setxattr(p, "security.selinux", "system_u:object_r:etc_t:s0", 27, 0), 0);
}
static void p_swap(void) { rm("swapfile"); }
static void p_esp(void) { put("etc/fstab", "UUID=" ROOT_UUID " / ext4 errors=remount-ro 0 1\nUUID=9999-9999 /boot/efi vfat umask=0077 0 1\n"); }
static void p_sudoers(void) { chm("etc/sudoers", 0666); own("etc/sudoers", 1000, 1000); }
static void p_sshd(void) { add("etc/ssh/sshd_config", "PermitRootLogin maybe\n"); }
static void p_hostkey(void) { chm("etc/ssh/ssh_host_ed25519_key", 0644); }
static void p_privsep(void)
{
	put("etc/os-release", "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n");
	mkdirs("var/empty/sshd");
	chm("var/empty/sshd", 0777);
	own("var/empty/sshd", 1000, 1000);
}
static void p_keys(void) { chm("home/debian/.ssh", 0777); own("home/debian/.ssh/authorized_keys", 1001, 1001); }
static void p_etc_ssh(void) { chm("etc/ssh", 0775); }
static void p_unlabeled(void)
{
	put("etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
	put("etc/selinux/targeted/policy/policy.33", "x");
}

/* The default entry's initramfs is cut short; an older, whole kernel is there. */
static void two_kernels(void)
{
	char cpio[1024];
	size_t n = mini_cpio(cpio);
	putm("boot/vmlinuz-6.1.0-26-amd64", "MZkernel", 8, 0644);
	putm("boot/initrd.img-6.1.0-26-amd64", cpio, n, 0644);
	mkdirs("usr/lib/modules/6.1.0-26-amd64");
	putm("boot/initrd.img-" KVER, cpio, 40, 0644);
}
static void p_default_cfg(void)
{
	two_kernels();
	put("boot/grub/grub.cfg", "if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\nelse\n   set default=\"0\"\nfi\n"
	    "menuentry 'Debian GNU/Linux' $menuentry_id_option 'gnulinux-simple' {\n\tlinux /boot/vmlinuz-" KVER " root=UUID="
	    ROOT_UUID " ro\n\tinitrd /boot/initrd.img-" KVER "\n}\nsubmenu 'Advanced options' $menuentry_id_option 'gnulinux-adv' {\n"
	    "\tmenuentry 'Debian, with Linux 6.1.0-26-amd64' $menuentry_id_option 'gnulinux-6.1.0-26' {\n\t\tlinux "
	    "/boot/vmlinuz-6.1.0-26-amd64 root=UUID=" ROOT_UUID " ro\n\t\tinitrd /boot/initrd.img-6.1.0-26-amd64\n\t}\n}\n");
}
static void p_default_env(void)
{
	char env[1025];
	two_kernels();
	put("boot/grub/grub.cfg", "if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\nelse\n   set default=\"${saved_entry}\"\n"
	    "fi\ninsmod blscfg\nblscfg\n");
	put("boot/loader/entries/mid-" KVER ".conf", "title Linux " KVER "\nversion " KVER "\nlinux /boot/vmlinuz-" KVER
	    "\ninitrd /boot/initrd.img-" KVER "\noptions root=UUID=" ROOT_UUID " ro\n");
	put("boot/loader/entries/mid-6.1.0-26-amd64.conf", "title Linux 6.1.0-26\nversion 6.1.0-26-amd64\nlinux "
	    "/boot/vmlinuz-6.1.0-26-amd64\ninitrd /boot/initrd.img-6.1.0-26-amd64\noptions root=UUID=" ROOT_UUID " ro\n");
	int n = snprintf(env, sizeof(env), "# GRUB Environment Block\nsaved_entry=mid-" KVER "\nboot_success=0\n");
	memset(env + n, '#', 1024 - (size_t)n);
	putm("boot/grub/grubenv", env, 1024, 0644);
}

static int setup(void **s) { (void)s; healthy_tree(); return 0; }
static int teardown(void **s) { (void)s; remove_tree(); return 0; }

static void t_nofail(void **s) { (void)s; fix_undo("fstab.missing-device", p_two_missing, 0); }
static void t_comment(void **s) { (void)s; fix_undo("fstab.missing-device", p_two_missing, 1); }
static void t_swap(void **s) { (void)s; fix_undo("fstab.missing-swap", p_swap, 0); }
static void t_esp(void **s) { (void)s; fix_undo("boot.esp", p_esp, 0); }
static void t_sudoers(void **s) { (void)s; fix_undo("login.sudoers-mode", p_sudoers, 0); }
static void t_sshd(void **s) { (void)s; fix_undo("sshd.config", p_sshd, 0); }
static void t_hostkey(void **s) { (void)s; fix_undo("sshd.host-key-mode", p_hostkey, 0); }
static void t_privsep(void **s) { (void)s; fix_undo("sshd.privsep", p_privsep, 0); }
static void t_keys(void **s) { (void)s; fix_undo("sshd.authorized-keys", p_keys, 0); }
static void t_etc_ssh(void **s) { (void)s; fix_undo("sshd.etc-ssh", p_etc_ssh, 0); }
static void t_unlabeled(void **s) { (void)s; fix_undo("selinux.unlabeled", p_unlabeled, 0); }
static void t_default_cfg(void **s) { (void)s; fix_undo("boot.default", p_default_cfg, 0); }
static void t_default_env(void **s) { (void)s; fix_undo("boot.default", p_default_env, 0); }

/* Every safe fix at once, two of them in one file; a second run has nothing left. */
static void t_all(void **s)
{
	(void)s;
	p_two_missing();
	p_sudoers();
	p_hostkey();
	p_sshd();
	char *before = snapshot();
	assert_int_equal(count(NULL), 5);
	assert_int_equal(fix("safe", 0), 4);    /* fstab (two lines), sudoers, the key, sshd_config */
	assert_int_equal(count(NULL), 0);
	assert_int_equal(fix("safe", 0), 0);
	assert_int_equal(undo(0), 0);
	char *after = snapshot();
	assert_string_equal(before, after);
	assert_int_equal(undo(0), 0);           /* nothing left to undo: no error */
	free(before);
	free(after);
}

/* A file changed after the fix: the undo refuses and changes nothing; --force puts it back. */
static void t_changed_since(void **s)
{
	(void)s;
	p_two_missing();
	char *before = snapshot();
	fix("fstab.missing-device", 0);
	add("etc/fstab", "# an edit by hand\n");
	char *edited = snapshot();
	assert_int_not_equal(undo(0), 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	char *now = snapshot();
	assert_string_equal(edited, now);
	assert_int_equal(undo(1), 0);
	char *after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(edited);
	free(now);
	free(after);
}

/* Killed between the journal entry and the change, or half-way through an
 * undo: each aspect is old or new, and a new undo finishes the job. */
static void t_interrupted(void **s)
{
	(void)s;
	p_sudoers();
	char *before = snapshot();
	fix("login.sudoers-mode", 0);
	chm("etc/sudoers", 0666);        /* mode back, owner not: as if killed between fchown and fchmod */
	assert_int_equal(undo(0), 0);
	char *after = snapshot();
	assert_string_equal(before, after);
	fix("login.sudoers-mode", 0);
	chm("etc/sudoers", 0666);
	own("etc/sudoers", 1000, 1000);  /* all put back, the entry not yet removed */
	assert_int_equal(undo(0), 0);
	free(after);
	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* The journal is refused where it would be written through a link. */
static void t_journal_link(void **s)
{
	(void)s;
	struct env e;
	struct dr_fixplan *p;
	p_sudoers();
	sym("/tmp", "var/lib/rescuectl");
	env_open(&e, 1, NULL);
	dr_run(&e.c, NULL);
	assert_int_not_equal(dr_fix_plan(&e.c, "safe", &p), 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "symbolic link"));
	dr_fix_free(p);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(t_nofail, setup, teardown),
		cmocka_unit_test_setup_teardown(t_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(t_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(t_esp, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sudoers, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sshd, setup, teardown),
		cmocka_unit_test_setup_teardown(t_hostkey, setup, teardown),
		cmocka_unit_test_setup_teardown(t_privsep, setup, teardown),
		cmocka_unit_test_setup_teardown(t_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(t_etc_ssh, setup, teardown),
		cmocka_unit_test_setup_teardown(t_unlabeled, setup, teardown),
		cmocka_unit_test_setup_teardown(t_default_cfg, setup, teardown),
		cmocka_unit_test_setup_teardown(t_default_env, setup, teardown),
		cmocka_unit_test_setup_teardown(t_all, setup, teardown),
		cmocka_unit_test_setup_teardown(t_changed_since, setup, teardown),
		cmocka_unit_test_setup_teardown(t_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(t_journal_link, setup, teardown),
	};
	if (geteuid() != 0) {
		print_message("test_doctor_fix: needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(t, NULL, NULL);
}

/* Shared by the doctor check families (doctor_*.c): the facts each reads
 * once (a file split into lines, fstab, accounts, the init system, the
 * kernels and GRUB, sshd's configuration), and the check and fix functions
 * the table names. Nothing here prints. */
#ifndef RC_DOCTOR_PRIV_H
#define RC_DOCTOR_PRIV_H
#include "doctor.h"
#include "doctor_fix.h"
#include "rootfs.h"
#include <stdint.h>

/* ---- a target file as lines ------------------------------------------- */

#define DR_MAX_LINE  ((size_t)64 << 10)  /* a longer line is cut (and flagged) */
#define DR_MAX_LINES 200000
struct dr_text {
	int state;        /* 1 read; 0 not yet; -ENOENT absent; -ENODATA its filesystem unread; <0 error */
	char *raw;        /* the file, NUL-terminated (not counted in len) */
	size_t len;
	char *buf;        /* a copy, each line NUL-terminated in place ("\r" kept) */
	char **line;      /* line[i] is line i+1 */
	int n;
	int nul;          /* a NUL byte in the file */
	int long_lines;   /* lines cut at DR_MAX_LINE */
	int cut;          /* only the tail was read (logs) */
};
/* Read PATH (at most MAX bytes; TAIL: its last MAX bytes) into T. A
 * missing file is T->state -ENOENT and returns -ENOENT without a message;
 * an unreadable filesystem -ENODATA (dv_why). */
int dr_text_load(struct dr_ctx *c, const char *path, size_t max, int tail, struct dr_text *t);
void dr_text_free(struct dr_text *t);
/* Split RAW (LEN bytes) into T's lines (pure; for tests and loaders). */
int dr_text_set(struct dr_text *t, const char *raw, size_t len);
/* Line I (1-based) for evidence, "" when out of range. */
const char *dr_line(const struct dr_text *t, int i);
/* The first line of TEXT that is exactly LINE: its offset (and *END, where
 * it ends), or -1. Fixes find the line they were made for this way, also
 * after an earlier fix of the same file added lines above it. */
long dr_find_line(const char *text, size_t len, const char *line, size_t *end);

/* ---- the facts ------------------------------------------------------------ */

enum dr_initsys { DR_INIT_UNKNOWN = 0, DR_INIT_SYSTEMD, DR_INIT_OPENRC, DR_INIT_SYSV };

struct dr_boot;
struct dr_sshd;
struct dr_logs;

struct dr_facts {
	int os_state;
	struct rootinfo ri;
	struct dr_text fstab, passwd, shadow, group;
	struct fstab fst;
	int fst_state;            /* 1 parsed, <0 not */
	int init_state;
	enum dr_initsys init;
	char init_path[256];      /* what /sbin/init is ("/lib/systemd/systemd") */
	struct dr_boot *boot;     /* doctor_boot.c */
	struct dr_sshd *sshd;     /* doctor_sshd.c */
	struct dr_logs *logs;     /* doctor_logs.c */
	struct dr_netfw *netfw;   /* doctor_netfw.c */
};
void dr_facts_free(struct dr_facts *f);
void dr_boot_free(struct dr_boot *b);
void dr_sshd_free(struct dr_sshd *s);
void dr_logs_free(struct dr_logs *l);
struct dr_netfw;
void dr_netfw_free(struct dr_netfw *n);

/* Each returns NULL (having said why with dr_unchecked) when it cannot be read. */
const struct rootinfo *dr_os(struct dr_ctx *c);
/* fstab: its lines (for evidence) and its entries (fstab_parse). */
const struct fstab *dr_fstab(struct dr_ctx *c, const struct dr_text **lines);
/* /etc/passwd, /etc/shadow, /etc/group as lines (absent: state -ENOENT). */
const struct dr_text *dr_accounts(struct dr_ctx *c, const char *which);
enum dr_initsys dr_init_system(struct dr_ctx *c);
/* Is the distribution of the RHEL family (rhel, centos, fedora, rocky, alma)? */
int dr_os_is(struct dr_ctx *c, const char *family);

/* ---- boot facts (doctor_boot.c) ------------------------------------------------ */
#include "grubcfg.h"
#include "initrd.h"

enum dr_ird { IRD_OK = 0, IRD_NONE, IRD_EMPTY, IRD_CUT, IRD_BAD, IRD_UNREAD };
struct dr_kernel {
	char ver[128];          /* "6.1.0-27-amd64"; Alpine: "lts" */
	char image[300];        /* "/boot/vmlinuz-6.1.0-27-amd64" */
	uint64_t image_size;
	char initrd[300];       /* the initramfs found, or the name expected */
	enum dr_ird ird;
	char ird_why[240];
	int modules;            /* /lib/modules/VER (or one of the flavour) exists */
	char modver[128];       /* that directory's name */
};
#define DR_MAX_KERNELS 32
struct dr_boot {
	struct dr_kernel k[DR_MAX_KERNELS];
	int nk;
	char gen[32];           /* the initramfs generator installed ("" none) */
	int grub_state;         /* 1 grub.cfg read, 0 none, <0 unreadable */
	char cfg[64];           /* its path */
	struct dr_text cfgtext;
	struct grub_cfg g;
	int def;                /* index of the default entry, -1 unknown */
	char defval[256];       /* the default as configured */
	char deffrom[300];      /* where it comes from: "/boot/grub/grub.cfg:12" */
	int defline;
	char env[64];           /* grubenv path, "" none */
	struct dr_text defgrub; /* /etc/default/grub */
	int mod_state;          /* the newest kernel's module lists: 1 read, -1 none */
	char modkver[128];
	struct dr_text alias, builtin;   /* modules.alias, modules.builtin.modinfo */
};
const struct dr_boot *dr_boot(struct dr_ctx *c);
/* Does the newest installed kernel have filesystem TYPE (module or built
 * in)? 1 yes, 0 no (KVER names it), -1 cannot tell. */
int dr_kernel_has_fs(struct dr_ctx *c, const char *type, char *kver, size_t ksz);
/* The kernel (of B) that entry E boots, or NULL. */
const struct dr_kernel *dr_entry_kernel(const struct dr_boot *b, const struct grub_entry *e);
/* Where GRUB path P of entry E is in the tree: 1 exists (TREE set), 0 no,
 * -1 cannot tell. */
int dr_grub_path(struct dr_ctx *c, const struct grub_entry *e, const char *p, char *tree, size_t tsz);

/* sshd's configuration as sshd_scan reads it (NULL: no sshd_config). */
struct sshd_conf;
const struct sshd_conf *dr_sshd_conf(struct dr_ctx *c);

/* Field IDX (0-based) of a colon-separated LINE into BUF; -1 if absent. */
int dr_field(const char *line, int idx, char *buf, size_t sz);
/* The account line of USER in passwd-format T, 1-based line number or 0. */
int dr_account_line(const struct dr_text *t, const char *user);

/* ---- checks and fixes (the table names these) ---------------------------- */
#define DR_DECL_CHECK(name) int name(struct dr_ctx *c)
#define DR_DECL_FIX(name) int name(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)

/* fstab */
DR_DECL_CHECK(ck_fstab_syntax);
DR_DECL_CHECK(ck_fstab_missing_device);
DR_DECL_CHECK(ck_fstab_missing_swap);
DR_DECL_CHECK(ck_fstab_unknown_type);
DR_DECL_CHECK(ck_fstab_bad_option);
DR_DECL_CHECK(ck_fstab_fsck_pass);
DR_DECL_CHECK(ck_fstab_missing_mountpoint);
DR_DECL_CHECK(ck_fstab_missing_module);
DR_DECL_FIX(fx_fstab_nofail);
/* boot chain */
DR_DECL_CHECK(ck_boot_initramfs);
DR_DECL_CHECK(ck_boot_modules);
DR_DECL_CHECK(ck_boot_grub_files);
DR_DECL_CHECK(ck_boot_default);
DR_DECL_CHECK(ck_boot_root_mismatch);
DR_DECL_CHECK(ck_boot_cmdline);
DR_DECL_CHECK(ck_boot_init);
DR_DECL_CHECK(ck_boot_esp);
DR_DECL_FIX(fx_boot_initramfs);
DR_DECL_FIX(fx_boot_grub_mkconfig);
DR_DECL_FIX(fx_boot_default);
/* filesystem state */
DR_DECL_CHECK(ck_fs_errors);
DR_DECL_CHECK(ck_fs_recovery);
DR_DECL_CHECK(ck_fs_forced_check);
DR_DECL_CHECK(ck_fs_full);
/* login */
DR_DECL_CHECK(ck_login_root_shell);
DR_DECL_CHECK(ck_login_files_syntax);
DR_DECL_CHECK(ck_login_disagree);
DR_DECL_CHECK(ck_login_expired);
DR_DECL_CHECK(ck_login_root_password_refused);
DR_DECL_CHECK(ck_login_sudoers_mode);
DR_DECL_CHECK(ck_login_sudoers_syntax);
DR_DECL_FIX(fx_attrs);
/* sshd */
DR_DECL_CHECK(ck_sshd_config);
DR_DECL_CHECK(ck_sshd_include_missing);
DR_DECL_CHECK(ck_sshd_host_keys);
DR_DECL_CHECK(ck_sshd_host_key_perms);
DR_DECL_CHECK(ck_sshd_privsep);
DR_DECL_CHECK(ck_sshd_etc_ssh);
DR_DECL_CHECK(ck_sshd_authorized_keys);
DR_DECL_CHECK(ck_sshd_listen);
DR_DECL_CHECK(ck_sshd_enabled);
DR_DECL_FIX(fx_sshd_comment_line);
/* SELinux */
DR_DECL_CHECK(ck_selinux_unlabeled);
DR_DECL_CHECK(ck_selinux_relabel_pending);
DR_DECL_CHECK(ck_selinux_policy);
DR_DECL_CHECK(ck_selinux_config);
DR_DECL_FIX(fx_selinux_autorelabel);
/* what the last boot said */
DR_DECL_CHECK(ck_logs_emergency);
DR_DECL_CHECK(ck_logs_device_timeout);
DR_DECL_CHECK(ck_logs_panic);
DR_DECL_CHECK(ck_logs_oom);
DR_DECL_CHECK(ck_logs_sshd_failed);
/* network and firewall (doctor_netfw.c) */
DR_DECL_CHECK(ck_fw_ssh_dropped);
DR_DECL_CHECK(ck_fw_ssh_uncertain);
DR_DECL_CHECK(ck_fw_unreadable);
DR_DECL_FIX(fx_fw_ssh);
DR_DECL_CHECK(ck_net_iface_missing);
DR_DECL_CHECK(ck_net_mac_pin_stale);
DR_DECL_CHECK(ck_net_persistent_net_stale);
DR_DECL_CHECK(ck_net_gateway_outside);
DR_DECL_CHECK(ck_net_no_default_route);
DR_DECL_CHECK(ck_net_two_managers);
DR_DECL_CHECK(ck_net_not_enabled);
DR_DECL_CHECK(ck_net_no_config);
DR_DECL_CHECK(ck_net_missing_member);
DR_DECL_CHECK(ck_net_no_resolver);
DR_DECL_CHECK(ck_net_dhcp);
DR_DECL_FIX(fx_net);

#endif

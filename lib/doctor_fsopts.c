/* Filesystem types and mount options: see doctor_fsopts.h. */
#include "doctor_fsopts.h"
#include <stdio.h>
#include <string.h>

static int in(const char *const *list, const char *s, size_t n)
{
	for (const char *const *p = list; *p; p++)
		if (strlen(*p) == n && !strncmp(*p, s, n))
			return 1;
	return 0;
}

/* Options mount(8) consumes or turns into MS_* flags, for every type. */
static const char *const generic[] = {
	"defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "auto", "noauto",
	"user", "nouser", "users", "owner", "group", "nofail", "_netdev", "sync", "async", "dirsync",
	"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime",
	"nostrictatime", "lazytime", "nolazytime", "mand", "nomand", "silent", "loud", "iversion",
	"noiversion", "bind", "rbind", "remount", "move", "symfollow", "nosymfollow", "loop",
	"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
	"seclabel", "sw", "pri", "discard", "comment", "context", "fscontext", "defcontext",
	"rootcontext", "uhelper", "helper", "offset", "sizelimit", "encryption",
	NULL,
};

int fso_generic(const char *opt)
{
	size_t n = strcspn(opt, "=");
	if (!strncmp(opt, "x-", 2) || !strncmp(opt, "X-", 2))
		return 1;   /* userspace options: x-systemd.*, x-initrd.mount, X-mount.* */
	return in(generic, opt, n);
}

/* Per driver: the option names (a trailing '=' takes a value). */
static const char *const ext4_opts[] = {
	"bsddf", "minixdf", "grpid", "bsdgroups", "nogrpid", "sysvgroups", "resgid=", "resuid=", "sb=",
	"errors=", "nouid32", "debug", "oldalloc", "orlov", "user_xattr", "nouser_xattr", "acl", "noacl",
	"noload", "norecovery", "nobh", "bh", "commit=", "min_batch_time=", "max_batch_time=",
	"journal_dev=", "journal_path=", "journal_checksum", "nojournal_checksum", "journal_async_commit",
	"abort", "data=", "data_err=", "usrjquota=", "grpjquota=", "jqfmt=", "grpquota", "noquota",
	"quota", "usrquota", "prjquota", "barrier=", "barrier", "nobarrier", "i_version", "stripe=",
	"delalloc", "nodelalloc", "warn_on_error", "nowarn_on_error", "debug_want_extra_isize=",
	"mblk_io_submit", "nomblk_io_submit", "block_validity", "noblock_validity",
	"inode_readahead_blks=", "journal_ioprio=", "auto_da_alloc=", "auto_da_alloc",
	"noauto_da_alloc", "dioread_nolock", "nodioread_nolock", "dioread_lock", "init_itable=",
	"init_itable", "noinit_itable", "max_dir_size_kb=", "test_dummy_encryption=",
	"test_dummy_encryption", "inlinecrypt", "nombcache", "no_mbcache", "dax=", "dax",
	"fc_debug_max_replay=", "fc_debug_force", "prefetch_block_bitmaps", "no_prefetch_block_bitmaps",
	"mb_optimize_scan=", "check=", "nocheck", "xip", "reservation", "noreservation", "journal=",
	"nodiscard", NULL,
};
static const char *const xfs_opts[] = {
	"allocsize=", "attr2", "noattr2", "nodiscard", "grpid", "bsdgroups", "nogrpid", "sysvgroups",
	"filestreams", "ikeep", "noikeep", "inode32", "inode64", "largeio", "nolargeio", "logbufs=",
	"logbsize=", "logdev=", "noalign", "norecovery", "nouuid", "noquota", "uquota", "usrquota",
	"quota", "uqnoenforce", "qnoenforce", "gquota", "grpquota", "gqnoenforce", "pquota", "prjquota",
	"pqnoenforce", "rtdev=", "sunit=", "swidth=", "swalloc", "wsync", "dax", "dax=", "barrier",
	"nobarrier", "biosize=", "delaylog", "nodelaylog", "ihashsize=", "irixsgid", "osyncisdsync",
	"osyncisosync", "mtpt=", "discard", NULL,
};
static const char *const btrfs_opts[] = {
	"acl", "noacl", "autodefrag", "noautodefrag", "barrier", "nobarrier", "check_int",
	"check_int_data", "check_int_print_mask=", "clear_cache", "commit=", "compress", "compress=",
	"compress-force", "compress-force=", "datacow", "nodatacow", "datasum", "nodatasum", "degraded",
	"device=", "discard=", "nodiscard", "enospc_debug", "noenospc_debug", "fatal_errors=",
	"flushoncommit", "noflushoncommit", "fragment=", "nologreplay", "max_inline=", "metadata_ratio=",
	"norecovery", "recovery", "rescan_uuid_tree", "rescue=", "skip_balance", "space_cache",
	"space_cache=", "nospace_cache", "ssd", "ssd_spread", "nossd", "nossd_spread", "subvol=",
	"subvolid=", "subvolrootid=", "thread_pool=", "treelog", "notreelog", "usebackuproot",
	"user_subvol_rm_allowed", "inode_cache", "noinode_cache", "alloc_start=", "ref_verify",
	"discard", NULL,
};

/* The values some options take, where a wrong one fails the mount. */
static int value_ok(const char *fstype, const char *name, size_t nl, const char *val, char *why, size_t wsz)
{
	static const struct { const char *fs, *opt, *vals; } v[] = {
		{ "ext", "errors", " continue remount-ro panic " },
		{ "ext", "data", " journal ordered writeback " },
		{ "ext", "data_err", " abort ignore " },
		{ "ext", "jqfmt", " vfsold vfsv0 vfsv1 " },
		{ "xfs", "dax", " always never inode " },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (strncmp(fstype, v[i].fs, strlen(v[i].fs)) || strlen(v[i].opt) != nl || strncmp(name, v[i].opt, nl))
			continue;
		char w[80];
		snprintf(w, sizeof(w), " %s ", val);
		if (strlen(val) < 60 && strstr(v[i].vals, w))
			return 1;
		snprintf(why, wsz, "%.*s= takes one of:%s", (int)nl, name, v[i].vals);
		return 0;
	}
	return 1;
}

int fso_known(const char *fstype, const char *opt, char *why, size_t wsz)
{
	const char *const *list = !strcmp(fstype, "ext4") || !strcmp(fstype, "ext3") || !strcmp(fstype, "ext2") ?
				  ext4_opts : !strcmp(fstype, "xfs") ? xfs_opts : !strcmp(fstype, "btrfs") ? btrfs_opts : NULL;
	if (!list)
		return -1;
	size_t n = strcspn(opt, "=");
	char name[64];
	snprintf(name, sizeof(name), "%.*s%s", (int)(n < 60 ? n : 60), opt, opt[n] == '=' ? "=" : "");
	if (!in(list, name, strlen(name)) && !(opt[n] == '=' && in(list, opt, n))) {
		snprintf(why, wsz, "%s does not know the option \"%.*s\"", fstype, (int)n, opt);
		return 0;
	}
	if (opt[n] == '=')
		return value_ok(strncmp(fstype, "ext", 3) ? fstype : "ext", opt, n, opt + n + 1, why, wsz);
	return 1;
}

static const char *const known_types[] = {
	"auto", "none", "swap", "ignore", "proc", "sysfs", "devpts", "devtmpfs", "tmpfs", "ramfs", "securityfs",
	"cgroup", "cgroup2", "debugfs", "tracefs", "efivarfs", "hugetlbfs", "mqueue", "configfs",
	"binfmt_misc", "fusectl", "pstore", "bpf", "autofs", "rpc_pipefs", "nfsd", "selinuxfs",
	"nfs", "nfs4", "cifs", "smb3", "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "msdos", "exfat",
	"ntfs", "ntfs3", "ntfs-3g", "iso9660", "udf", "f2fs", "jfs", "reiserfs", "hfs", "hfsplus",
	"squashfs", "erofs", "overlay", "fuse", "fuseblk", "9p", "virtiofs", "zfs", "nilfs2", "ocfs2",
	"gfs2", "bcachefs", "ceph", "glusterfs", "sshfs", "davfs", "lustre", NULL,
};

int fso_type_known(const char *type)
{
	return !strncmp(type, "fuse.", 5) || in(known_types, type, strlen(type));
}

static const char *const modular[] = {
	"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "msdos", "exfat", "ntfs", "ntfs3", "f2fs", "jfs",
	"reiserfs", "nfs", "nfs4", "cifs", "smb3", "iso9660", "udf", "squashfs", "erofs", "hfs",
	"hfsplus", "overlay", "nilfs2", "ocfs2", "gfs2", "bcachefs", "9p", "virtiofs", NULL,
};

int fso_modular(const char *type)
{
	return in(modular, type, strlen(type));
}

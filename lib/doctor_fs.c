/* doctor, family fs: the state of the root, /boot and /var filesystems from
 * their superblocks (no mount, no byte written) and their free space. */
#include "doctor_priv.h"
#include "ext4.h"
#include "err.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const mps[] = { "/", "/boot", "/var" };
#define NMPS (sizeof(mps) / sizeof(mps[0]))

/* The device of mount point MP if it is a filesystem of its own (the root
 * always), else NULL. */
static const char *own_device(struct dr_ctx *c, const char *mp)
{
	char buf[256];
	if (strcmp(mp, "/") && strcmp(dv_mountpoint_of(c->v, mp, buf, sizeof(buf)), mp))
		return NULL;
	const char *d = dv_device_of(c->v, mp);
	return d && *d ? d : NULL;
}

/* Superblock facts of MP's ext2/3/4; 0, or -1 when it is none or unreadable. */
static int sb_info(struct dr_ctx *c, const char *mp, struct ext4_info *in, const char **dev)
{
	*dev = own_device(c, mp);
	if (!*dev)
		return -1;
	rc_clear();
	if (ext4_read_info(*dev, in))
		return -1;   /* not ext2/3/4 (xfs, btrfs): they keep no such record */
	return 0;
}

static void ts(time_t t, char *buf, size_t sz)
{
	struct tm tm;
	if (!t) {
		snprintf(buf, sz, "?");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%d %H:%M UTC", &tm);
}

int ck_fs_errors(struct dr_ctx *c)
{
	for (size_t i = 0; i < NMPS; i++) {
		struct ext4_info in;
		const char *dev;
		char seen[DR_TEXT], first[40], last[40];
		if (sb_info(c, mps[i], &in, &dev) || !in.errors)
			continue;
		ts(in.first_error_time, first, sizeof(first));
		ts(in.last_error_time, last, sizeof(last));
		snprintf(seen, sizeof(seen), "errors recorded: %u; first %s in %s, last %s in %s", in.error_count, first,
			 in.first_error_func[0] ? in.first_error_func : "?", last, in.last_error_func[0] ? in.last_error_func : "?");
		struct dr_finding *f = dr_add(c, i == 0 ? DR_BOOT : DR_DEGRADED, dev, 0, seen, "the %s filesystem has "
					      "errors recorded: the check at boot may stop in emergency mode "
					      "(\"UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY\")", mps[i]);
		dr_fixtext(f, "rescuectl fsck %s", dev);
	}
	return 0;
}

int ck_fs_recovery(struct dr_ctx *c)
{
	for (size_t i = 0; i < NMPS; i++) {
		struct ext4_info in;
		const char *dev;
		if (dv_mounted(c->v, mps[i]) || sb_info(c, mps[i], &in, &dev) || !in.needs_recovery)
			continue;
		struct dr_finding *f = dr_add(c, DR_NOTE, dev, 0, "needs_recovery", "the %s filesystem was not "
					      "unmounted cleanly: its journal is replayed at the next mount (rescuectl "
					      "writes to it only after that)", mps[i]);
		dr_fixtext(f, "rescuectl fsck %s (replays the journal and checks)", dev);
	}
	return 0;
}

/* The check interval and last check from the superblock itself (ext4.h has no interval). */
static int interval(const char *dev, uint32_t *iv, uint32_t *last)
{
	unsigned char sb[1024];
	int fd = open(dev, O_RDONLY | O_CLOEXEC), ok = fd >= 0 && pread(fd, sb, sizeof(sb), 1024) == (ssize_t)sizeof(sb);
	if (fd >= 0)
		close(fd);
	if (!ok || sb[0x38] != 0x53 || sb[0x39] != 0xEF)
		return -1;
	*last = (uint32_t)sb[0x40] | (uint32_t)sb[0x41] << 8 | (uint32_t)sb[0x42] << 16 | (uint32_t)sb[0x43] << 24;
	*iv = (uint32_t)sb[0x44] | (uint32_t)sb[0x45] << 8 | (uint32_t)sb[0x46] << 16 | (uint32_t)sb[0x47] << 24;
	return 0;
}

int ck_fs_forced_check(struct dr_ctx *c)
{
	for (size_t i = 0; i < NMPS; i++) {
		struct ext4_info in;
		const char *dev;
		uint32_t iv = 0, last = 0;
		char seen[DR_TEXT];
		if (sb_info(c, mps[i], &in, &dev))
			continue;
		int by_count = in.max_mount_count > 0 && in.mount_count >= (uint32_t)in.max_mount_count;
		int by_time = !interval(dev, &iv, &last) && iv && last && (time_t)last + (time_t)iv <= c->o.now;
		if (!by_count && !by_time)
			continue;
		if (by_count)
			snprintf(seen, sizeof(seen), "mounted %u times, a check is due every %d", in.mount_count, in.max_mount_count);
		else
			snprintf(seen, sizeof(seen), "last checked %u, a check is due every %u s", last, iv);
		struct dr_finding *f = dr_add(c, DR_NOTE, dev, 0, seen, "the next boot runs a full check of %s first; "
					      "on a big filesystem that takes long, and the server looks dead meanwhile",
					      mps[i]);
		dr_fixtext(f, "rescuectl fsck %s now (or tune2fs -c 0 -i 0 %s to stop the forced checks)", dev, dev);
	}
	return 0;
}

int ck_fs_full(struct dr_ctx *c)
{
	for (size_t i = 0; i < NMPS; i++) {
		struct tree_space s;
		char dev[4096], seen[DR_TEXT];
		if ((i && !own_device(c, mps[i]) && !dv_mounted(c->v, mps[i])) || dv_space(c->v, mps[i], &s, dev, sizeof(dev)))
			continue;
		if (i && strcmp(dv_device_of(c->v, mps[i]), dv_device_of(c->v, "/")) == 0)
			continue;   /* not a filesystem of its own */
		uint64_t mib = s.avail >> 20;
		int boot = !strcmp(mps[i], "/boot");
		int blocks = s.avail < s.size / 50 || (boot && s.size >= (256u << 20) && s.avail < (64u << 20));
		int inodes = s.files && s.ffree < s.files / 100;
		if (!blocks && !inodes)
			continue;
		snprintf(seen, sizeof(seen), "%llu MiB free of %llu MiB; %llu of %llu inodes free", (unsigned long long)mib,
			 (unsigned long long)(s.size >> 20), (unsigned long long)s.ffree, (unsigned long long)s.files);
		struct dr_finding *f = dr_add(c, DR_DEGRADED, mps[i], 0, seen, "%s is full%s: %s", mps[i],
					      inodes && !blocks ? " (no free inodes)" : "", boot ?
					      "the next kernel update fails half-way and leaves a cut-short initramfs" :
					      "services that write at boot (journald, logins, package tools) fail");
		dr_fixtext(f, boot ? "remove old kernels from a chroot (apt autoremove --purge; dnf remove "
			   "--oldinstallonly)" : "free space: old logs in /var/log, caches in /var/cache, core dumps");
	}
	return 0;
}

/* Private mounts. See pmount.h. */
#include "pmount.h"
#include "err.h"
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif

/* The kernel's own explanation, from an fs context's message log. */
static void kernel_words(int fs, char *out, size_t sz)
{
	char buf[512];
	ssize_t n;
	out[0] = 0;
	while ((n = read(fs, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		/* "e ext4: Couldn't mount ..." -> "ext4: Couldn't mount ..." */
		const char *m = n > 2 && buf[1] == ' ' ? buf + 2 : buf;
		size_t l = strlen(out);
		snprintf(out + l, sz - l, "%s%s", l ? "; " : "", m);
	}
}

static int set_opts(int fs, const char *data)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');
		if (v)
			*v++ = 0;
		long r = v ? syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, o, v, 0)
			   : syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, o, NULL, 0);
		if (r < 0)
			return -errno;
	}
	return 0;
}

/* fsopen -> fsconfig -> fsmount. -ENOSYS when the kernel predates it. */
static int detached(const char *dev, const char *fstype, int rw, const char *data, int *rootfd, char *why,
		    size_t wsz)
{
	int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	int r = 0;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", dev, 0) < 0 ||
	    (!rw && syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0))
		r = -errno;
	if (!r)
		r = set_opts(fs, data);
	if (!r && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	int m = -1;
	if (!r) {
		unsigned attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME |
				(rw ? 0 : MOUNT_ATTR_RDONLY);
		m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attr);
		if (m < 0)
			r = -errno;
	}
	if (r)
		kernel_words(fs, why, wsz);
	close(fs);
	if (r)
		return r;
	/* The mount fd is an O_PATH fd: a real directory fd reads and writes. */
	*rootfd = openat(m, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = *rootfd < 0 ? -errno : 0;
	close(m);
	return r;
}

/* Before Linux 5.2: a mount in a namespace of our own, detached at once. */
static int in_namespace(const char *dev, const char *fstype, int rw, const char *data, int *rootfd)
{
	static int unshared;
	if (!unshared) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return -errno;
		unshared = 1;
	}
	char dir[] = "/tmp/rescuectl-mount.XXXXXX";
	if (!mkdtemp(dir))
		return -errno;
	unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | (rw ? 0 : MS_RDONLY);
	int r = mount(dev, dir, fstype, fl, data && *data ? data : NULL) < 0 ? -errno : 0;
	if (!r) {
		*rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*rootfd < 0)
			r = -errno;
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	return r;
}

int pmount_open(const char *dev, const char *fstype, int rw, const char *data, int *rootfd)
{
	char why[512] = "";
	*rootfd = -1;
	int r = detached(dev, fstype, rw, data, rootfd, why, sizeof(why));
	if (r == -ENOSYS)
		r = in_namespace(dev, fstype, rw, data, rootfd);
	if (!r)
		return 0;
	return rc_fail(-r, "the rescue kernel cannot mount %s (%s%s%s%s): %s", dev, fstype,
		       rw ? ", read-write" : ", read-only", data && *data ? ", " : "", data ? data : "",
		       why[0] ? why : strerror(-r));
}

/* Loop devices. See loop.h. */
#include "loop.h"
#include "err.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Calls FN for each loop device that has a backing file; stops when FN
 * returns non-zero and returns that. */
static int each_loop(int (*fn)(const char *dev, const struct loop_info64 *li, void *ctx), void *ctx)
{
	DIR *d = opendir("/sys/class/block");
	if (!d)
		return 0;
	struct dirent *de;
	int r = 0;
	while (!r && (de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4) || !isdigit((unsigned char)de->d_name[4]) ||
		    strchr(de->d_name + 4, 'p'))
			continue;
		char p[LOOP_NAME_MAX];
		snprintf(p, sizeof(p), "/dev/%.20s", de->d_name);
		int fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		struct loop_info64 li;
		if (ioctl(fd, LOOP_GET_STATUS64, &li) == 0)
			r = fn(p, &li, ctx);
		close(fd);
	}
	closedir(d);
	return r;
}

struct listctx {
	const struct stat *fst;
	char (*devs)[LOOP_NAME_MAX];
	int max, n, whole_only;
};

static int list_cb(const char *dev, const struct loop_info64 *li, void *ctx)
{
	struct listctx *l = ctx;
	if (li->lo_inode != l->fst->st_ino || li->lo_device != l->fst->st_dev)
		return 0;
	if (l->whole_only && (li->lo_offset || li->lo_sizelimit))
		return 0;
	if (l->n < l->max)
		snprintf(l->devs[l->n], LOOP_NAME_MAX, "%s", dev);
	l->n++;
	return l->whole_only;  /* the first one is enough */
}

int loop_list_file(const struct stat *fst, char (*devs)[LOOP_NAME_MAX], int max)
{
	struct listctx l = { fst, devs, max, 0, 0 };
	each_loop(list_cb, &l);
	return l.n;
}

int loop_find(const struct stat *fst, char *dev, size_t sz)
{
	char one[1][LOOP_NAME_MAX];
	struct listctx l = { fst, one, 1, 0, 1 };
	each_loop(list_cb, &l);
	if (l.n)
		snprintf(dev, sz, "%s", one[0]);
	return l.n > 0;
}

/* LOOP_CONFIGURE (5.8+), or LOOP_SET_FD + LOOP_SET_STATUS64 before it. */
static int configure(int fd, int ffd, int ro, const char *file)
{
	struct loop_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned)ffd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	if (ioctl(fd, LOOP_SET_FD, ffd) < 0)
		return -errno;
	struct loop_info64 li;
	memset(&li, 0, sizeof(li));
	li.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)li.lo_file_name, sizeof(li.lo_file_name), "%s", file);
	if (ioctl(fd, LOOP_SET_STATUS64, &li) == 0)
		return 0;
	int e = errno;
	ioctl(fd, LOOP_CLR_FD, 0);
	return -e;
}

int loop_attach(const char *file, int ro, char *dev, size_t sz)
{
	int ffd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ffd < 0)
		return rc_fail(errno, "cannot open %s: %s", file, strerror(errno));
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		int e = errno;
		close(ffd);
		return rc_fail(e, "cannot open /dev/loop-control (%s): attach %s yourself with "
			       "'losetup -f --show %s' and name the loop device", strerror(e), file, file);
	}
	int lfd = -1, err = 0;
	for (int tries = 0; tries < 16 && lfd < 0; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			err = errno;
			break;
		}
		snprintf(dev, sz, "/dev/loop%d", n);
		int fd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int r = configure(fd, ffd, ro, file);
		if (!r) {
			lfd = fd;
			break;
		}
		err = -r;
		close(fd);
		if (err != EBUSY)
			break;  /* EBUSY: someone took it first; take the next */
	}
	close(ctl);
	close(ffd);
	if (lfd < 0)
		return rc_fail(err, "cannot attach %s to a loop device: %s; attach it yourself with "
			       "'losetup -f --show %s' and name the loop device", file, strerror(err), file);
	return lfd;
}

int loop_autoclear(const char *dev)
{
	struct loop_info64 li;
	int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	int ok = ioctl(fd, LOOP_GET_STATUS64, &li) == 0 && (li.lo_flags & LO_FLAGS_AUTOCLEAR);
	close(fd);
	return ok;
}

int loop_bound(const char *dev)
{
	const char *name = strrchr(dev, '/');
	char p[96];
	snprintf(p, sizeof(p), "/sys/block/%.40s/loop/backing_file", name ? name + 1 : dev);
	return access(p, F_OK) == 0;
}

int loop_wait_gone(const char *dev, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	for (int waited = 0; loop_bound(dev); waited += 10) {
		if (waited >= ms)
			return -EBUSY;
		nanosleep(&ts, NULL);
	}
	return 0;
}

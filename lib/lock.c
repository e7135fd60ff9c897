/* Device and image locks. See lock.h. */
#include "lock.h"
#include "err.h"
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8

/* The locks this process holds, shared by every caller. */
static struct {
	int fd, refs, excl;
	dev_t dev;
	ino_t ino;
} held[SLOTS];

int dev_lock_node(const char *path, char *out, size_t sz)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return rc_fail(errno, "cannot find %s: %s", path, strerror(errno));
	snprintf(out, sz, "%s", path);
	if (!S_ISBLK(st.st_mode))
		return 0;
	char sys[96], real[PATH_MAX], part[PATH_MAX];
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	snprintf(part, sizeof(part), "%s/partition", sys);
	if (access(part, F_OK) < 0 || !realpath(sys, real))
		return 0;
	/* .../block/sda/sda3 -> sda */
	char *parent = dirname(real);
	snprintf(out, sz, "/dev/%s", basename(parent));
	return 0;
}

static int find_slot(dev_t dev, ino_t ino)
{
	for (int i = 0; i < SLOTS; i++)
		if (held[i].refs && held[i].dev == dev && held[i].ino == ino)
			return i;
	return -1;
}

static int try_lock(int fd, int op, int wait_ms)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	for (int waited = 0;; waited += 50) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (waited >= wait_ms)
			return -EWOULDBLOCK;
		nanosleep(&ts, NULL);
	}
}

static int refused(int r, const char *what)
{
	if (r == -EWOULDBLOCK)
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is locked by another program (another rescuectl, "
				"or a partitioning or formatting tool): wait until it is done, then run this again", what);
	return rc_fail(-r, "cannot lock %s: %s", what, strerror(-r));
}

int dev_lock_mode(const char *path, int exclusive, int wait_ms, struct devlock *l)
{
	l->slot = 0;
	int r = dev_lock_node(path, l->what, sizeof(l->what));
	if (r)
		return r;
	int fd = open(l->what, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = rc_fail(errno, "cannot open %s to lock it: %s", l->what, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	int s = find_slot(st.st_dev, st.st_ino);
	if (s >= 0) {
		close(fd);
		/* held here already: share it, turning a shared lock exclusive if need be */
		if (exclusive && !held[s].excl) {
			if ((r = try_lock(held[s].fd, LOCK_EX, wait_ms)))
				return refused(r, l->what);
			held[s].excl = 1;
		}
		held[s].refs++;
		l->slot = s + 1;
		return 0;
	}
	for (s = 0; s < SLOTS && held[s].refs; s++)
		;
	if (s == SLOTS) {
		close(fd);
		return rc_fail(EMFILE, "too many devices locked at once");
	}
	if ((r = try_lock(fd, exclusive ? LOCK_EX : LOCK_SH, wait_ms))) {
		close(fd);
		return refused(r, l->what);
	}
	held[s].fd = fd;
	held[s].refs = 1;
	held[s].excl = exclusive;
	held[s].dev = st.st_dev;
	held[s].ino = st.st_ino;
	l->slot = s + 1;
	return 0;
}

int dev_lock(const char *path, int wait_ms, struct devlock *l)
{
	return dev_lock_mode(path, 1, wait_ms, l);
}

void dev_unlock(struct devlock *l)
{
	int s = l->slot - 1;
	l->slot = 0;
	if (s < 0 || s >= SLOTS || !held[s].refs)
		return;
	if (--held[s].refs == 0)
		close(held[s].fd);  /* the flock goes with the last fd */
}

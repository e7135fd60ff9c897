/* Exclusive access to what rescuectl writes.
 *
 * dev_lock: a BSD flock(LOCK_EX) on the whole disk of a block device (a
 * partition locks its disk; md, dm and loop devices lock themselves), or
 * on an image file. This is the convention util-linux (sfdisk), udev and
 * systemd follow for block devices: udev does not probe a locked disk, and
 * a second rescuectl (or sfdisk --lock) waits or is refused. A lock this
 * process already holds on the same disk is shared, not taken twice (a
 * second flock through another open file would deadlock us). Udev takes
 * LOCK_SH for a moment while it probes: WAIT_MS rides that out.
 *
 * Contract: 0 or -errno with a recorded message (exit hint 3 when another
 * program holds the lock); never prints. */
#ifndef RC_LOCK_H
#define RC_LOCK_H
#include <limits.h>
#include <stddef.h>

struct devlock {
	int slot;               /* 0: nothing held (a zeroed struct is valid) */
	char what[PATH_MAX];    /* the locked node: /dev/sda, or the image file */
};

int dev_lock(const char *path, int wait_ms, struct devlock *l);
/* The same, shared (EXCLUSIVE=0) for readers that must not see a table
 * half-written by someone else; a shared lock this process holds becomes
 * exclusive when a writer of this process asks for it. */
int dev_lock_mode(const char *path, int exclusive, int wait_ms, struct devlock *l);
/* Release (the flock goes when the last user in this process lets go). */
void dev_unlock(struct devlock *l);
/* The node dev_lock would lock for PATH (whole disk of a partition). */
int dev_lock_node(const char *path, char *out, size_t sz);

#endif

/* Loop devices: which ones show an image file, attaching one that goes
 * away by itself (autoclear), and waiting until it has.
 *
 * Contract: returns 0/-errno (or an fd/count) and records a message with
 * rc_fail on failure; never prints. Only whole-file loop devices (offset
 * 0, no size limit) count as "showing" a file. */
#ifndef RC_LOOP_H
#define RC_LOOP_H
#include <stddef.h>
#include <sys/stat.h>

#define LOOP_NAME_MAX 32

/* Loop devices whose backing file is the file FST describes (by device
 * and inode, LOOP_GET_STATUS64), any offset. Fills up to MAX names
 * ("/dev/loop3") and returns how many there are in all (may exceed MAX). */
int loop_list_file(const struct stat *fst, char (*devs)[LOOP_NAME_MAX], int max);
/* The first whole-file loop device (offset 0) of FST into DEV. 1 found, 0 not. */
int loop_find(const struct stat *fst, char *dev, size_t sz);
/* Attach FILE to a free loop device with autoclear (read-only with RO).
 * Returns the open fd of the loop device (keep it until the device is
 * mounted, or close it to let the device go), the name in DEV. */
int loop_attach(const char *file, int ro, char *dev, size_t sz);
/* Is DEV a loop device set to detach itself when its last user closes it
 * (LO_FLAGS_AUTOCLEAR, as mount -o loop and rescuectl attach)? */
int loop_autoclear(const char *dev);
/* Is DEV ("/dev/loop3") a loop device that still has a backing file? */
int loop_bound(const char *dev);
/* Wait up to MS milliseconds for an autoclear loop device to let go of
 * its file (the kernel detaches it asynchronously after the last close).
 * 0 when it is gone, -EBUSY when it is still bound. */
int loop_wait_gone(const char *dev, int ms);

#endif

/* The block devices of this (rescue) machine, probed once, and the
 * question fstab and crypttab ask of them: is there a device for this
 * spec (UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-*, /dev/NAME,
 * /dev/mapper/NAME, /dev/VG/LV)?
 *
 * Some answers are "cannot tell", never "missing": a spec that names an md
 * array or a device-mapper volume while RAID/LVM members or LUKS containers
 * sit unassembled (the volume appears only once they are brought up), or a
 * /dev/disk/by-id path on a rescue system without udev's links. Devices
 * come from <sysroot>/sys/class/block (RESCUECTL_SYSROOT, as probe.h) plus
 * those added by hand (the target's own image file). Nothing here prints. */
#ifndef RC_DEVINDEX_H
#define RC_DEVINDEX_H
#include <stddef.h>
#include "probe.h"

struct devindex {
	struct devid *ids;
	size_t n, cap;
	int loaded;
	int members;   /* RAID/LVM members without a holder: not assembled */
	int luks;      /* LUKS containers */
	int md;        /* md arrays present */
};

/* Probe every block device of the machine (once). 0 or -errno. */
int devindex_load(struct devindex *dx);
/* Add one device (an image file the scan does not list). */
int devindex_add(struct devindex *dx, const struct devid *id);
void devindex_free(struct devindex *dx);

enum dx_answer { DX_FOUND = 1, DX_MISSING = 0, DX_CANNOT_TELL = -1 };
/* Is there a device for SPEC? FOUND sets *ID (may be NULL). WHY gets a
 * sentence for MISSING and CANNOT_TELL ("no device on this machine has
 * UUID=..."). Pure apart from a realpath() of /dev/disk/by-id paths when
 * no sysroot is set. */
enum dx_answer devindex_find(const struct devindex *dx, const char *spec, const struct devid **id,
			     char *why, size_t wsz);

#endif

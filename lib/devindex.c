/* The machine's block devices by fstab spec: see devindex.h. */
#include "devindex.h"
#include "err.h"
#include "rootfs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int devindex_add(struct devindex *dx, const struct devid *id)
{
	if (dx->n == dx->cap) {
		size_t nc = dx->cap ? 2 * dx->cap : 16;
		struct devid *ni = realloc(dx->ids, nc * sizeof(*ni));
		if (!ni)
			return rc_fail(ENOMEM, "out of memory");
		dx->ids = ni;
		dx->cap = nc;
	}
	dx->ids[dx->n++] = *id;
	if (!strcmp(id->fstype, "crypto_LUKS"))
		dx->luks++;
	return 0;
}

/* One scanned device: probed, named as fstab would name it. */
static void add_blk(struct devindex *dx, const struct blkdev *b)
{
	struct devid id;
	if (b->kind == BLK_RAM || b->size == 0 || probe_device(b->path, &id))
		return;
	if (b->kind == BLK_DM && b->dm_name[0])
		snprintf(id.name, sizeof(id.name), "%s", b->dm_name);
	if (b->kind == BLK_MD)
		dx->md++;
	int member = !strcmp(id.fstype, "linux_raid_member") || !strcmp(id.fstype, "LVM2_member");
	if (member && !b->nholders)
		dx->members++;
	if (member && b->nholders)
		return;  /* the array or volume is the device */
	devindex_add(dx, &id);
}

int devindex_load(struct devindex *dx)
{
	if (dx->loaded)
		return 0;
	dx->loaded = 1;
	struct blkdevs bs;
	int r = blkdevs_scan(&bs);
	if (r)
		return r;
	for (size_t i = 0; i < bs.n; i++)
		add_blk(dx, &bs.d[i]);
	blkdevs_free(&bs);
	return 0;
}

void devindex_free(struct devindex *dx)
{
	free(dx->ids);
	memset(dx, 0, sizeof(*dx));
}

/* A spec whose device only appears once RAID, LVM or LUKS is brought up. */
static int assembled_name(const char *spec)
{
	if (!strncmp(spec, "/dev/md", 7) || !strncmp(spec, "/dev/mapper/", 12) || !strncmp(spec, "/dev/dm-", 8))
		return 1;
	/* /dev/VG/LV: two components below /dev that are not a known directory */
	if (strncmp(spec, "/dev/", 5))
		return 0;
	const char *n = spec + 5, *sl = strchr(n, '/');
	return sl && !strchr(sl + 1, '/') && strncmp(n, "disk/", 5) && strncmp(n, "md/", 3);
}

static enum dx_answer by_link(const char *spec, char *why, size_t wsz)
{
	struct stat st;
	if (*sysroot() || stat("/dev/disk/by-id", &st) < 0) {
		snprintf(why, wsz, "this rescue system has no /dev/disk links to look %s up in", spec);
		return DX_CANNOT_TELL;
	}
	if (stat(spec, &st) == 0 && S_ISBLK(st.st_mode))
		return DX_FOUND;
	snprintf(why, wsz, "no device on this machine is %s", spec);
	return DX_MISSING;
}

enum dx_answer devindex_find(const struct devindex *dx, const char *spec, const struct devid **id,
			     char *why, size_t wsz)
{
	for (size_t i = 0; i < dx->n; i++) {
		if (fstab_spec_matches(spec, &dx->ids[i])) {
			if (id)
				*id = &dx->ids[i];
			return DX_FOUND;
		}
	}
	if (!strncmp(spec, "/dev/disk/by-id/", 16) || !strncmp(spec, "/dev/disk/by-path/", 18))
		return by_link(spec, why, wsz);
	if (assembled_name(spec) && (dx->members || dx->luks || (!strncmp(spec, "/dev/md", 7) && dx->md))) {
		snprintf(why, wsz, "%s may be an md array, LVM volume or opened LUKS container that is not "
			 "assembled in this rescue system (run 'detect-root --assemble', then look again)", spec);
		return DX_CANNOT_TELL;
	}
	if (!strncmp(spec, "/dev/", 5) && strncmp(spec, "/dev/disk/", 10))
		snprintf(why, wsz, "no device named %s on this machine (the rescue kernel names disks like the "
			 "installed one when the hardware is the same)", spec);
	else
		snprintf(why, wsz, "no device on this machine has %s", spec);
	return DX_MISSING;
}

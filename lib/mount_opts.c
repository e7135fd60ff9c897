/* Mount options and the read-only mount that replays no journal: see
 * mount_opts.h. */
#include "mount_opts.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *mount_noreplay_opt(const char *fstype)
{
	if (!strcmp(fstype, "ext3") || !strcmp(fstype, "ext4"))
		return "noload";
	if (!strcmp(fstype, "xfs"))
		return "norecovery";
	if (!strcmp(fstype, "btrfs"))
		return "rescue=nologreplay";
	return "";
}

int mount_ro_noreplay(const char *src, const char *dir, const char *fstype, unsigned long flags,
		      const char *extra, char *used, size_t usz)
{
	const char *nr[2] = { mount_noreplay_opt(fstype), !strcmp(fstype, "btrfs") ? "nologreplay" : NULL };
	int e = 0;
	for (int i = 0; i < 2 && nr[i]; i++) {
		char data[512];
		snprintf(data, sizeof(data), "%s%s%s", nr[i], nr[i][0] && extra && *extra ? "," : "",
			 extra ? extra : "");
		if (mount(src, dir, fstype, flags | MS_RDONLY, data[0] ? data : NULL) == 0) {
			if (used)
				snprintf(used, usz, "%s", data);
			return 0;
		}
		e = errno;
		if (e != EINVAL)
			break;
	}
	return -e;
}

static const struct { const char *name; unsigned long set, clear; } flag_opts[] = {
	{ "ro", MS_RDONLY, 0 }, { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 }, { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "lazytime", MS_LAZYTIME, 0 }, { "nolazytime", 0, MS_LAZYTIME },
	{ "mand", MS_MANDLOCK, 0 }, { "nomand", 0, MS_MANDLOCK },
	{ "silent", MS_SILENT, 0 }, { "loud", 0, MS_SILENT },
	{ "iversion", MS_I_VERSION, 0 }, { "noiversion", 0, MS_I_VERSION },
};

/* Options only mount(8), systemd or the boot scripts understand. */
static int userspace_opt(const char *o, size_t l)
{
	static const char *const names[] = { "defaults", "auto", "noauto", "nofail", "user", "nouser",
					     "users", "owner", "group", "_netdev", "noauto_mount",
					     "bind", "rbind", "loop", "nosymfollow" };
	for (size_t i = 0; i < N(names); i++)
		if (strlen(names[i]) == l && !strncmp(o, names[i], l))
			return 1;
	if (l >= 2 && !strncmp(o, "x-", 2))
		return 1;
	static const char *const pfx[] = { "comment=", "X-mount.", "X-", "uhelper=", "helper=", "loop=",
					   "offset=", "sizelimit=", "encryption=", "nofail=" };
	for (size_t i = 0; i < N(pfx); i++)
		if (l >= strlen(pfx[i]) && !strncmp(o, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

/* A flag option (ro, noatime...): 1 and *FLAGS changed, or 0. */
static int flag_opt(const char *o, size_t l, unsigned long *flags)
{
	for (size_t i = 0; i < N(flag_opts); i++)
		if (strlen(flag_opts[i].name) == l && !strncmp(o, flag_opts[i].name, l)) {
			*flags = (*flags | flag_opts[i].set) & ~flag_opts[i].clear;
			/* relatime/strictatime/noatime exclude each other */
			if (flag_opts[i].set & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
				*flags &= ~((MS_NOATIME | MS_RELATIME | MS_STRICTATIME) & ~flag_opts[i].set);
			return 1;
		}
	return 0;
}

int mount_opts_parse(const char *opts, unsigned long *flags, char *data, size_t dsz)
{
	size_t dl = 0;
	*flags = 0;
	if (dsz)
		data[0] = 0;
	for (const char *p = opts ? opts : ""; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l && !flag_opt(p, l, flags) && !userspace_opt(p, l)) {
			if (dl + l + 2 > dsz)
				return -ENOSPC;
			if (dl)
				data[dl++] = ',';
			memcpy(data + dl, p, l);
			dl += l;
			data[dl] = 0;
		}
		p = c ? c + 1 : p + l;
	}
	return 0;
}

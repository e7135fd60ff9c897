/* svcboot: started at boot or not, from the init system's links. */
#include "svcboot.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *svc_init_name(enum svc_init i)
{
	static const char *const n[] = { "unknown", "systemd", "OpenRC", "SysV init" };
	return i <= SVC_INIT_SYSV ? n[i] : "?";
}

enum svc_init svc_init_system(const struct fsrc *s)
{
	char tgt[256] = "";
	if (!fsrc_readlink(s, "/sbin/init", tgt, sizeof(tgt)) && strstr(tgt, "systemd"))
		return SVC_INIT_SYSTEMD;
	if (fsrc_exists(s, "/sbin/openrc") || fsrc_exists(s, "/etc/runlevels"))
		return SVC_INIT_OPENRC;
	if (fsrc_exists(s, "/lib/systemd/systemd") || fsrc_exists(s, "/usr/lib/systemd/systemd"))
		return SVC_INIT_SYSTEMD;
	if (fsrc_exists(s, "/etc/inittab"))
		return SVC_INIT_SYSV;
	return SVC_INIT_UNKNOWN;
}

static const char *const unit_dirs[] = { "/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system" };

/* A link to /dev/null in /etc/systemd/system masks the unit. */
static int masked(const struct fsrc *s, const char *unit)
{
	char p[300], tgt[300];
	snprintf(p, sizeof(p), "/etc/systemd/system/%s", unit);
	if (!fsrc_readlink(s, p, tgt, sizeof(tgt)))
		return !strcmp(tgt, "/dev/null");
	return fsrc_type(s, p, 0) == 'l' && fsrc_type(s, p, 1) == 'o';
}

static int systemd_state(const struct fsrc *s, const char *name, struct svc_state *st)
{
	char unit[128];
	snprintf(unit, sizeof(unit), "%s.service", name);
	for (size_t b = 0; b < 3 && !st->installed; b++) {
		snprintf(st->unit, sizeof(st->unit), "%s/%s", unit_dirs[b], unit);
		st->installed = fsrc_type(s, st->unit, 1) == 'f';
	}
	if (!st->installed)
		st->unit[0] = 0;
	st->masked = masked(s, unit);
	for (size_t b = 0; b < 3 && !st->link[0]; b++) {
		char **names, p[600];
		size_t n;
		if (fsrc_list(s, unit_dirs[b], &names, &n))
			continue;
		for (size_t i = 0; i < n && !st->link[0]; i++) {
			if (!fs_endswith(names[i], ".wants") && !fs_endswith(names[i], ".requires"))
				continue;
			snprintf(p, sizeof(p), "%s/%s/%s", unit_dirs[b], names[i], unit);
			if (fsrc_type(s, p, 0))
				snprintf(st->link, sizeof(st->link), "%s", p);
		}
		tree_free_list(names, n);
	}
	st->enabled = st->installed && !st->masked && st->link[0];
	return 0;
}

static int rc_state(const struct fsrc *s, int openrc, const char *name, struct svc_state *st)
{
	snprintf(st->unit, sizeof(st->unit), "/etc/init.d/%s", name);
	st->installed = fsrc_exists(s, st->unit);
	if (openrc) {
		for (const char *l = "sysinit\0boot\0default\0"; *l && !st->link[0]; l += strlen(l) + 1) {
			char p[300];
			snprintf(p, sizeof(p), "/etc/runlevels/%s/%s", l, name);
			if (fsrc_type(s, p, 0))
				snprintf(st->link, sizeof(st->link), "%s", p);
		}
	} else {
		for (const char *d = "/etc/rc2.d\0/etc/rc3.d\0/etc/rc5.d\0/etc/rcS.d\0/etc/rc.d/rc3.d\0"; *d && !st->link[0];
		     d += strlen(d) + 1) {
			char **names;
			size_t n;
			if (fsrc_list(s, d, &names, &n))
				continue;
			for (size_t i = 0; i < n && !st->link[0]; i++)
				if (names[i][0] == 'S' && strlen(names[i]) > 3 && !strcmp(names[i] + 3, name))
					snprintf(st->link, sizeof(st->link), "%s/%s", d, names[i]);
			tree_free_list(names, n);
		}
	}
	st->enabled = st->installed && st->link[0];
	return 0;
}

int svc_state(const struct fsrc *s, enum svc_init init, const char *name, struct svc_state *st)
{
	memset(st, 0, sizeof(*st));
	if (init == SVC_INIT_SYSTEMD)
		return systemd_state(s, name, st);
	if (init == SVC_INIT_OPENRC || init == SVC_INIT_SYSV)
		return rc_state(s, init == SVC_INIT_OPENRC, name, st);
	return -ENOTSUP;
}

/* Is a service started at boot on the installed system? Read from its
 * init system's own links, as systemctl is-enabled, rc-update and
 * update-rc.d would tell: systemd units wanted or required by a target
 * (links in *.wants / *.requires under /etc/systemd/system, and the
 * static ones under /usr/lib/systemd/system and /lib/systemd/system), a
 * unit masked by a link to /dev/null; OpenRC's runlevel links
 * (/etc/runlevels/{sysinit,boot,default}/NAME); SysV rc links
 * (/etc/rc[2-5].d/S??NAME and /etc/rc.d/rc[2-5].d). Pure over a file view.
 * Contract: 0 or -errno; nothing here prints. */
#ifndef RC_SVCBOOT_H
#define RC_SVCBOOT_H
#include "fsrc.h"

enum svc_init { SVC_INIT_UNKNOWN = 0, SVC_INIT_SYSTEMD, SVC_INIT_OPENRC, SVC_INIT_SYSV };
const char *svc_init_name(enum svc_init i);   /* "systemd", "OpenRC", "SysV init", "unknown" */
/* Which init system /sbin/init is. */
enum svc_init svc_init_system(const struct fsrc *s);

struct svc_state {
	int installed;        /* the unit or init script exists */
	int enabled;          /* started at boot */
	int masked;
	char link[300];       /* the link that enables it (the first found), "" none */
	char unit[300];       /* the unit file or init script */
};

/* NAME without a suffix ("nftables"): NAME.service for systemd, the init
 * script NAME for OpenRC and SysV. */
int svc_state(const struct fsrc *s, enum svc_init init, const char *name, struct svc_state *st);

#endif

/* firewalld as it starts at boot: the default zone (DefaultZone in
 * /etc/firewalld/firewalld.conf, "public" when unset), its file in
 * /etc/firewalld/zones overriding the one in /usr/lib/firewalld/zones, its
 * services (each file looked for the same way, with their includes), ports,
 * protocols, rich rules (in firewalld's order: negative priorities, deny,
 * allow, positive priorities) and target. Built into fweval's model: one
 * input chain for the zone whose end is the target (default and
 * %%REJECT%% reject, DROP drops, ACCEPT accepts). A zone that binds
 * interfaces or sources while another zone is the default makes the
 * verdict depend on the interface or the source unless both agree; direct
 * rules and policies that touch the host are "cannot be told".
 * Limits: FWD_MAX_FILE bytes an XML file, FWD_MAX_INCLUDE service include
 * levels, FWD_MAX_ZONES zone files. Contract: 0, or -errno with a message.
 * Nothing here prints. */
#ifndef RC_FWFWD_H
#define RC_FWFWD_H
#include "fsrc.h"
#include "fweval.h"

#define FWD_MAX_FILE    ((size_t)1 << 20)
#define FWD_MAX_INCLUDE 4
#define FWD_MAX_ZONES   64

struct fwfwd {
	char zone[64];          /* the default zone */
	char conf_where[300];   /* "/etc/firewalld/firewalld.conf:6" or "built in" */
	char zone_file[256];    /* its file */
};

/* The verdict of the default zone (and of other zones that bind interfaces or sources). */
int fwfwd_eval(const struct fsrc *src, int port, struct fwfwd *f, struct fw_result *res);
/* The zone file to edit for zone Z: the /etc one, or "" when Z lives only in /usr/lib. */
int fwfwd_zone_file(const struct fsrc *src, const char *zone, char *path, size_t sz, int *in_etc);

#endif

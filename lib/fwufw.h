/* ufw as ufw-init starts it at boot: if /etc/ufw/ufw.conf says
 * ENABLED=yes, the chains ufw-init makes, then /etc/ufw/before.rules,
 * after.rules and user.rules (iptables-restore -n, in that order), user
 * chains hooked into ufw-before-input, and last the INPUT policy from
 * DEFAULT_INPUT_POLICY in /etc/default/ufw (REJECT: policy DROP plus a
 * reject rule). Read into fweval's model through fwipt.h, so the verdict
 * names ufw's own files and lines. Contract: 0, or -errno with a message.
 * Nothing here prints. */
#ifndef RC_FWUFW_H
#define RC_FWUFW_H
#include "fsrc.h"
#include "fweval.h"

struct fwufw {
	int enabled;            /* ENABLED=yes in /etc/ufw/ufw.conf */
	int enabled_line;       /* its line, 0 when not set */
	char policy[16];        /* DEFAULT_INPUT_POLICY ("DROP" when not set) */
	int policy_line;
};

/* Read ufw.conf and /etc/default/ufw into U; -ENOENT when ufw.conf is absent. */
int fwufw_conf(const struct fsrc *src, struct fwufw *u);
/* The rule set ufw loads (call only when U says enabled). */
int fwufw_load(const struct fsrc *src, const struct fwufw *u, int port, struct fw_set *s);

#endif

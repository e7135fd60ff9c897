/* iptables rules as iptables-restore loads them at boot, from an
 * iptables-save file: Debian's iptables-persistent (/etc/iptables/rules.v4),
 * RHEL's iptables-services (/etc/sysconfig/iptables), Alpine's
 * /etc/iptables/rules-save, and ufw's rule files. Read into the model of
 * fweval.h for a new IPv4 TCP connection to PORT.
 *
 * The chains that see such a connection are evaluated in the kernel's
 * order: raw, mangle and nat PREROUTING, then mangle, filter, security and
 * nat INPUT; a builtin chain's policy applies at its end. Matches that real
 * rule sets use are understood (-p, -s, -d, -i, --dport, multiport,
 * state/conntrack, --syn and --tcp-flags, comment, limit, addrtype,
 * recent, connlimit, pkttype, icmp); an option that is not makes the rule
 * "cannot be told" (an uncertain verdict names it). Targets: ACCEPT, DROP,
 * REJECT, RETURN, user chains (-j and -g), and LOG, MARK and the like,
 * which do not decide. Limits: FSRC_MAX_LINE a line, IPT_MAX_FILE a file.
 * Contract: 0, or -errno with a message (-ENOENT for a missing file,
 * without one). Nothing here prints. */
#ifndef RC_FWIPT_H
#define RC_FWIPT_H
#include "fsrc.h"
#include "fweval.h"

#define IPT_MAX_FILE ((size_t)4 << 20)

/* Add the rules of iptables-save TEXT (named FILE in the evidence) to S.
 * PREFIX names the tables in S ("iptables": "iptables filter"). Several
 * files may go into one S, in the order iptables-restore -n would load
 * them: a user chain declared again is emptied, a builtin chain keeps its
 * rules and takes the new policy. */
int fwipt_parse(const char *file, const char *text, size_t len, int port, const char *prefix, struct fw_set *s);
int fwipt_load(const struct fsrc *src, const char *file, int port, const char *prefix, struct fw_set *s);

/* Where an accept rule goes: the line of the first "-A INPUT" of the
 * filter table, or of its COMMIT when INPUT has no rules; 0 when there
 * is no filter table. */
int fwipt_accept_line(const char *text, size_t len);

#endif

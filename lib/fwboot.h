/* Which firewall the installed system loads at boot, and what it does to a
 * new TCP connection to sshd's port from an arbitrary outside address:
 *
 *   nftables   nftables.service (nft -f, the file from its ExecStart:
 *              /etc/nftables.conf on Debian, /etc/sysconfig/nftables.conf
 *              on RHEL), OpenRC's nftables (/etc/nftables.nft, or
 *              rules_file in /etc/conf.d/nftables);
 *   iptables   Debian's netfilter-persistent (/etc/iptables/rules.v4),
 *              RHEL's iptables.service (/etc/sysconfig/iptables), OpenRC's
 *              iptables (/etc/iptables/rules-save);
 *   ufw        ufw's service and ENABLED=yes in /etc/ufw/ufw.conf;
 *   firewalld  firewalld.service and its default zone.
 *
 * Each is "loaded" when its service is enabled at boot (svcboot.h) and its
 * rules are there. The verdicts of all loaded ones are combined (each
 * applies in turn: a drop by any is a drop). Findings and fixes are data
 * (nfplan.h); a fix is planned, then checked by running the analysis on the
 * tree as the plan would leave it (an overlay view): only a plan after
 * which the connection is accepted is offered.
 * Contract: 0 or -errno with a message. Nothing here prints. */
#ifndef RC_FWBOOT_H
#define RC_FWBOOT_H
#include "fsrc.h"
#include "fweval.h"
#include "nfplan.h"
#include "svcboot.h"

enum fwb_kind { FWB_NFTABLES = 0, FWB_IPTABLES, FWB_UFW, FWB_FIREWALLD, FWB_N };

struct fwb_fw {
	enum fwb_kind kind;
	const char *name;       /* "nftables", "iptables", "ufw", "firewalld" */
	char service[64];       /* the service that loads it at boot */
	struct svc_state svc;
	int configured;         /* its rules or configuration are there */
	int loaded;             /* loaded at boot */
	char file[256];         /* the rules file (firewalld: the zone file) */
	char why_not[300];      /* why it is not loaded, when configured */
	struct fw_result res;   /* its verdict, when loaded */
	char err[300];          /* when its rules could not be read: why */
	int flushes;            /* nftables: the file starts with flush ruleset */
};

struct fwboot {
	int port;
	enum svc_init init;
	struct fwb_fw fw[FWB_N];
	int nloaded;
	struct fw_result all;   /* all loaded firewalls together */
	int unreadable;         /* a loaded firewall's rules could not be read */
};

int fwboot_scan(const struct fsrc *src, int port, struct fwboot *b);

/* The findings: fw.ssh-dropped (blocks login: the connection is dropped),
 * fw.ssh-uncertain (note: it depends on what cannot be known offline, the
 * rule is named), fw.unreadable (degraded: rules that could not be read).
 * PORT_FROM says where the port comes from ("/etc/ssh/sshd_config:14"). */
int fwboot_findings(const struct fwboot *b, const char *port_from, struct nf_findings *out);

/* Plan: an accept rule for the port at the top of firewall K's input path,
 * in its own format and file (nft rule, iptables-save line, ufw user rule
 * with its tuple comment, firewalld service or port in the default zone's
 * file, made in /etc from the /usr/lib one if needed). DATE dates the note
 * written beside it. */
int fwboot_plan_accept(const struct fsrc *src, const struct fwboot *b, enum fwb_kind k, const char *date,
		       struct nf_plan *p);
/* Plan: firewall K not loaded at boot (ufw: ENABLED=no; services: their
 * wants or runlevel links removed). */
int fwboot_plan_disable(const struct fsrc *src, const struct fwboot *b, enum fwb_kind k, struct nf_plan *p);
/* The verdict on the tree as plan P leaves it. */
int fwboot_after(const struct fsrc *src, const struct nf_plan *p, int port, struct fw_result *after);

#endif

/* What a firewall's rules do to one connection: a NEW TCP connection over
 * IPv4 from an arbitrary outside address to this server's sshd port.
 *
 * The front ends (fwnft.c for nftables, fwipt.c for iptables-save files,
 * fwufw.c and fwfwd.c on top of them) translate a rule set into this small
 * model: chains of rules, each rule a match that is known to hold (YES),
 * known not to (NO), or that depends on what is not known of the
 * connection (MAYBE: its source address, the interface it comes in on, a
 * match the front end does not understand), and what the rule does when it
 * matches: accept, drop, reject, return, jump or goto a chain, or something
 * whose effect cannot be told (queue, NAT to another port). A verdict map
 * is a rule with several alternatives, at most one of which applies.
 *
 * The evaluator follows the base chains in hook and priority order. At a
 * MAYBE rule whose effect matters it follows both ways; the verdict is
 * ACCEPT or DROP when every way ends the same, and UNCERTAIN otherwise,
 * naming the first rule where the ways part. Work is bounded (FW_MAX_STEPS
 * rule visits, FW_MAX_CALLS nested jumps): past that, UNCERTAIN with the
 * reason. Pure; nothing here prints. */
#ifndef RC_FWEVAL_H
#define RC_FWEVAL_H
#include <stddef.h>

#define FW_MAX_STEPS 200000
#define FW_MAX_CALLS 64

enum fw_match { FWM_NO = 0, FWM_YES = 1, FWM_MAYBE = 2 };
/* A AND B over three values. */
enum fw_match fw_and(enum fw_match a, enum fw_match b);

enum fw_act {
	FWA_NONE = 0,     /* go on with the next rule (counter, log, continue) */
	FWA_ACCEPT, FWA_DROP, FWA_REJECT, FWA_RETURN, FWA_JUMP, FWA_GOTO,
	FWA_UNKNOWN,      /* an effect that cannot be told (queue, NAT): uncertain when reached */
};

/* Where a rule or a policy was written. */
struct fw_where {
	char file[256];
	int line;
	char chain[64];
	char text[200];   /* the rule as written (cut), or "policy drop" */
};

struct fw_alt {
	enum fw_match m;
	char maybe[120];  /* when MAYBE: what it depends on ("the source address") */
	enum fw_act act;
	int target;       /* chain index for JUMP/GOTO, -1 unknown (uncertain when reached) */
	char tname[64];
};

struct fw_rule {
	struct fw_alt *alt;   /* one for a plain rule; one per element of a verdict map */
	int nalt;
	struct fw_where w;
};

enum fw_hook { FW_HOOK_NONE = 0, FW_HOOK_PREROUTING = 1, FW_HOOK_INPUT = 2 };

struct fw_chain {
	char name[64];
	char table[64];       /* "inet filter", "filter" */
	enum fw_hook hook;    /* base chain: the hook it is attached to */
	int prio;
	enum fw_act policy;   /* base chains: ACCEPT or DROP */
	struct fw_where pw;   /* where the policy (or the chain) was written */
	struct fw_rule *r;
	int nr, cap;
};

struct fw_set {
	struct fw_chain *c;
	int nc, cap;
	char uncertain[300];  /* the whole set cannot be evaluated: why (at FILE:LINE) */
};

enum fw_verdict { FW_ACCEPTED = 0, FW_DROPPED = 1, FW_UNCERTAIN = 2, FW_NONE = 3 };
const char *fw_verdict_name(enum fw_verdict v);   /* "accepted" "dropped" "uncertain" "no rules" */

struct fw_result {
	enum fw_verdict v;
	int rejected;          /* dropped by a reject (the client sees a refusal, not a time-out) */
	struct fw_where at;    /* the rule or policy that decides; for UNCERTAIN the rule where it parts */
	char why[400];         /* one sentence: "policy drop; no accept rule matches" */
};

/* ---- building a model ---------------------------------------------------- */
/* Add a chain (0-based index, or -ENOMEM). */
int fw_chain_add(struct fw_set *s, const char *table, const char *name);
int fw_chain_find(const struct fw_set *s, const char *table, const char *name);
/* Add rule W with NALT alternatives copied from ALT; AT_TOP puts it first. */
int fw_rule_add(struct fw_chain *c, const struct fw_where *w, const struct fw_alt *alt, int nalt, int at_top);
void fw_set_free(struct fw_set *s);

/* ---- evaluating ------------------------------------------------------------ */
/* The verdict of every base chain of S together. No base chain: FW_NONE. */
void fw_evaluate(const struct fw_set *s, struct fw_result *res);
/* Combine the verdicts of two firewalls both loaded at boot (both apply). */
void fw_combine(struct fw_result *into, const struct fw_result *other);

#endif

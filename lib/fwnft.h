/* nftables as it is loaded at boot: `nft -f FILE` of the target's
 * /etc/nftables.conf (Debian), /etc/sysconfig/nftables.conf (RHEL) or
 * /etc/nftables.nft (Alpine), with its include lines, read into the model
 * of fweval.h for a new IPv4 TCP connection to PORT.
 *
 * The file is read as nft reads it: include is textual (globs in the last
 * component, sorted; relative names against the including file's
 * directory, as nft's default include path does for /etc), `define`
 * variables are replaced where `$name` is used, commands run in order
 * (flush ruleset, table/chain/set blocks and their add/insert/flush/delete
 * forms). Tables of families ip and inet are evaluated; ip6, arp and
 * bridge do not see an IPv4 connection. Within rules, what real configs
 * use is understood: protocol and port matches (numbers, ranges, service
 * names, anonymous and named sets, `define`d sets), ct state, tcp flags,
 * interfaces, addresses, fib, limit, counters, log, comments, verdict maps
 * and jump/goto/return. Anything else makes the rule's match "cannot be
 * told", so the verdict says uncertain and names the rule instead of
 * guessing.
 *
 * Limits: NFT_MAX_FILE bytes a file, FSRC_MAX_LINE a line, NFT_MAX_DEPTH
 * nested includes, NFT_MAX_FILES files in all (also the fan-out of one
 * glob), NFT_MAX_TOKENS tokens. Past a limit, or on text nft itself would
 * refuse, the result is uncertain with the place. Contract: 0, or -errno
 * with a message when the first file cannot be read at all (-ENOENT
 * without one). Nothing here prints. */
#ifndef RC_FWNFT_H
#define RC_FWNFT_H
#include "fsrc.h"
#include "fweval.h"

#define NFT_MAX_FILE   ((size_t)1 << 20)
#define NFT_MAX_DEPTH  16
#define NFT_MAX_FILES  64
#define NFT_MAX_TOKENS 400000

/* Read FILE (and what it includes) into S for a connection to PORT. When
 * something cannot be evaluated S->uncertain says what and where. */
int fwnft_load(const struct fsrc *src, const char *file, int port, struct fw_set *s);
/* The same from text (tests): includes are read from SRC (may be NULL). */
int fwnft_parse(const struct fsrc *src, const char *file, const char *text, size_t len, int port,
		struct fw_set *s);

/* Where an accept rule for PORT goes at the top of the IPv4 input path:
 * every prerouting or input base chain of the ip/inet families that has a
 * drop policy or a rule that drops or rejects, with the file and line
 * before which the new rule goes (its first rule, or the line after its
 * policy when it has none), the indentation to use, and whether the chain
 * was written as a block (`chain input { ... }`: the rule is inserted as
 * is) or with commands (`add chain ...`: an `insert rule` line). Up to
 * MAX spots in SPOTS; *N says how many. 0, or -errno. */
struct fwnft_spot {
	char file[256];
	int line;          /* insert before this line (1-based) */
	char indent[32];
	char chain[64];
	char family[16];
	char table[64];
	int block;         /* 1 inside a chain block; 0 after an add chain command */
	int has_rules;     /* LINE is the chain's first rule (else the line after its policy) */
};
int fwnft_accept_spots(const struct fsrc *src, const char *file, int port, struct fwnft_spot *spots, int max,
		       int *n);

/* Port number of an nft/iptables service name ("ssh" 22), -1 unknown. */
int fw_service_port(const char *name);

#endif

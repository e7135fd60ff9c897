/* fwipt: iptables-save files into the firewall model. */
#include "fwipt.h"
#include "fwnft.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPT_MAX_ARGS 128

struct ipt_rule {
	enum fw_match m;
	char maybe[120];
	int proto_tcp;        /* -p tcp seen (port matches need it) */
	struct fw_alt a;
	char jump[64];
};

static int split_args(char *s, char **argv, int max)
{
	int n = 0;
	while (*s && n < max) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (*s == '"' || *s == '\'') {
			char q = *s;
			argv[n++] = ++s;
			while (*s && !(*s == q && s[-1] != '\\'))
				s++;
		} else {
			argv[n++] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
		}
		if (*s)
			*s++ = 0;
	}
	return n;
}

static void and_m(struct ipt_rule *r, enum fw_match m, int neg, const char *why)
{
	if (neg && m != FWM_MAYBE)
		m = m == FWM_YES ? FWM_NO : FWM_YES;
	if (m == FWM_MAYBE && r->m == FWM_YES && !r->maybe[0])
		snprintf(r->maybe, sizeof(r->maybe), "%s", why);
	r->m = fw_and(r->m, m);
}

/* "22", "20:30", "22,80,1000:2000", "ssh" */
static enum fw_match ports_in(const char *v, int port)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", v);
	enum fw_match res = FWM_NO;
	for (char *save, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(p, ':');
		int lo, hi;
		if (colon) {
			*colon = 0;
			lo = *p ? fw_service_port(p) : 0;
			hi = colon[1] ? fw_service_port(colon + 1) : 65535;
		} else {
			lo = hi = fw_service_port(p);
		}
		if (lo < 0 || hi < 0)
			res = res == FWM_YES ? FWM_YES : FWM_MAYBE;
		else if (port >= lo && port <= hi)
			res = FWM_YES;
	}
	return res;
}

static enum fw_match addr_in(const char *v)
{
	if (!strcmp(v, "0.0.0.0/0") || !strcmp(v, "0/0"))
		return FWM_YES;
	if (!strncmp(v, "127.", 4))
		return FWM_NO;
	return FWM_MAYBE;
}

static int has_word(const char *list, const char *w)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!strcasecmp(p, w))
			return 1;
	return 0;
}

static int tcpflag_bits(const char *list)
{
	static const char *const n[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	if (!strcasecmp(list, "ALL"))
		return 0xff;
	if (!strcasecmp(list, "NONE"))
		return 0;
	int v = 0;
	for (int k = 0; k < 8; k++)
		if (has_word(list, n[k]))
			v |= 1 << k;
	return v;
}

static int is(const char *a, const char *x, const char *y)
{
	return !strcmp(a, x) || (y && !strcmp(a, y));
}

/* Options that do not decide for a first connection (comment, limit,
 * recent's bookkeeping): how many words they take, 0 for other options. */
static int quiet_opt(struct ipt_rule *r, char **argv, int n, int i, int neg)
{
	const char *o = argv[i];
	if (is(o, "--comment", "--limit") || is(o, "--limit-burst", "--connlimit-upto") ||
	    is(o, "--connlimit-mask", "--name") || is(o, "--seconds", "--mask") || is(o, "--hitcount", NULL))
		return 2;
	if (is(o, "--rsource", "--set"))
		return 1;
	if (is(o, "--rcheck", "--update")) {   /* recent: a first connection is in no list yet */
		int hit = 0;
		for (int k = i + 1; k + 1 < n; k++)
			if (!strcmp(argv[k], "--hitcount"))
				hit = atoi(argv[k + 1]);
		and_m(r, hit > 1 ? FWM_NO : FWM_MAYBE, neg, "earlier connections (recent)");
		return 1;
	}
	return 0;
}

/* A match option at ARGV[I] (its value at I+1): how many words it takes, 0 not understood. */
static int match_opt(struct ipt_rule *r, char **argv, int n, int i, int neg, int port)
{
	const char *o = argv[i], *v = i + 1 < n ? argv[i + 1] : "";
	int q = quiet_opt(r, argv, n, i, neg);
	if (q)
		return q;
	if (is(o, "-p", "--protocol")) {
		int tcp = !strcasecmp(v, "tcp") || !strcmp(v, "6"), all = !strcasecmp(v, "all") || !strcmp(v, "0");
		r->proto_tcp |= tcp && !neg;
		and_m(r, tcp || all ? FWM_YES : FWM_NO, neg, "");
	} else if (is(o, "-s", "--source")) {
		and_m(r, addr_in(v), neg, "the source address");
	} else if (is(o, "-d", "--destination")) {
		and_m(r, addr_in(v), neg, "the address it is sent to");
	} else if (is(o, "-i", "--in-interface")) {
		and_m(r, !strcmp(v, "lo") ? FWM_NO : !strcmp(v, "+") ? FWM_YES : FWM_MAYBE, neg,
		      "the interface it comes in on");
	} else if (is(o, "--dport", "--destination-port") || is(o, "--dports", "--destination-ports")) {
		and_m(r, r->proto_tcp ? ports_in(v, port) : FWM_NO, neg, "a service name rescuectl does not know");
	} else if (is(o, "--ports", NULL)) {
		enum fw_match m = r->proto_tcp ? ports_in(v, port) : FWM_NO;
		and_m(r, m == FWM_NO && r->proto_tcp ? FWM_MAYBE : m, neg, "the client's source port");
	} else if (is(o, "--sport", "--source-port") || is(o, "--sports", "--source-ports")) {
		and_m(r, FWM_MAYBE, neg, "the client's source port");
	} else if (is(o, "--state", "--ctstate")) {
		and_m(r, has_word(v, "NEW") ? FWM_YES : FWM_NO, neg, "");
	} else if (is(o, "--ctdir", NULL)) {
		and_m(r, !strcasecmp(v, "ORIGINAL") ? FWM_YES : FWM_NO, neg, "");
	} else if (is(o, "--tcp-flags", NULL)) {
		int mask = tcpflag_bits(v), comp = tcpflag_bits(i + 2 < n ? argv[i + 2] : "");
		and_m(r, (2 & mask) == comp ? FWM_YES : FWM_NO, neg, "");
		return 3;
	} else if (is(o, "--dst-type", NULL)) {
		and_m(r, !strcasecmp(v, "LOCAL") ? FWM_YES : FWM_NO, neg, "");
	} else if (is(o, "--pkt-type", NULL)) {
		and_m(r, !strcasecmp(v, "unicast") || !strcasecmp(v, "host") ? FWM_YES : FWM_NO, neg, "");
	} else if (is(o, "--icmp-type", "--icmpv6-type")) {
		and_m(r, FWM_NO, 0, "");
	} else if (is(o, "--connlimit-above", NULL)) {
		and_m(r, FWM_NO, neg, "");
	} else if (is(o, "--match-set", NULL)) {
		char why[120];
		snprintf(why, sizeof(why), "the source or destination address (ipset %s)", v);
		and_m(r, FWM_MAYBE, neg, why);
		return 3;
	} else if (is(o, "--syn", NULL)) {
		and_m(r, FWM_YES, neg, "");
		return 1;
	} else if (is(o, "-f", "--fragment")) {
		and_m(r, FWM_NO, neg, "");
		return 1;
	} else {
		return 0;
	}
	return 2;
}

/* -j TARGET [target options] | -g CHAIN */
static int target_opt(struct ipt_rule *r, char **argv, int n, int i)
{
	const char *t = i + 1 < n ? argv[i + 1] : "";
	r->a.target = -1;
	if (!strcmp(t, "ACCEPT"))
		r->a.act = FWA_ACCEPT;
	else if (!strcmp(t, "DROP"))
		r->a.act = FWA_DROP;
	else if (!strcmp(t, "REJECT"))
		r->a.act = FWA_REJECT;
	else if (!strcmp(t, "RETURN"))
		r->a.act = FWA_RETURN;
	else if (!strcmp(t, "NFQUEUE") || !strcmp(t, "QUEUE") || !strcmp(t, "DNAT") || !strcmp(t, "REDIRECT") ||
		 !strcmp(t, "TPROXY") || !strcmp(t, "SYNPROXY"))
		r->a.act = FWA_UNKNOWN;
	else if (!strcmp(t, "LOG") || !strcmp(t, "MARK") || !strcmp(t, "CONNMARK") || !strcmp(t, "CT") ||
		 !strcmp(t, "NOTRACK") || !strcmp(t, "TRACE") || !strcmp(t, "NFLOG") || !strcmp(t, "ULOG") ||
		 !strcmp(t, "SET") || !strcmp(t, "TCPMSS") || !strcmp(t, "TOS") || !strcmp(t, "DSCP") ||
		 !strcmp(t, "AUDIT"))
		r->a.act = FWA_NONE;
	else {
		r->a.act = !strcmp(argv[i], "-g") || !strcmp(argv[i], "--goto") ? FWA_GOTO : FWA_JUMP;
		snprintf(r->jump, sizeof(r->jump), "%s", t);
	}
	return n - i;   /* what follows are the target's own options */
}

static void parse_rule(struct ipt_rule *r, char **argv, int n, int port)
{
	memset(r, 0, sizeof(*r));
	r->m = FWM_YES;
	for (int i = 0; i < n;) {
		int neg = 0;
		if (!strcmp(argv[i], "!")) {
			neg = 1;
			i++;
		}
		if (i >= n)
			break;
		if (is(argv[i], "-j", "--jump") || is(argv[i], "-g", "--goto")) {
			i += target_opt(r, argv, n, i);
			continue;
		}
		if (is(argv[i], "-m", "--match")) {
			i += 2;
			continue;
		}
		int k = match_opt(r, argv, n, i, neg, port);
		if (!k) {
			char why[120];
			snprintf(why, sizeof(why), "'%s', which rescuectl does not evaluate", argv[i]);
			and_m(r, FWM_MAYBE, 0, why);
			k = i + 1 < n && argv[i + 1][0] != '-' ? 2 : 1;
		}
		i += k;
	}
	r->a.m = r->m;
	snprintf(r->a.maybe, sizeof(r->a.maybe), "%s", r->maybe);
}

/* The hook and priority of builtin chain CHAIN of table TABLE, for a connection to this host. */
static enum fw_hook builtin_hook(const char *table, const char *chain, int *prio)
{
	static const struct { const char *t, *c; enum fw_hook h; int prio; } b[] = {
		{ "raw", "PREROUTING", FW_HOOK_PREROUTING, -300 }, { "mangle", "PREROUTING", FW_HOOK_PREROUTING, -150 },
		{ "nat", "PREROUTING", FW_HOOK_PREROUTING, -100 }, { "mangle", "INPUT", FW_HOOK_INPUT, -150 },
		{ "filter", "INPUT", FW_HOOK_INPUT, 0 }, { "security", "INPUT", FW_HOOK_INPUT, 50 },
		{ "nat", "INPUT", FW_HOOK_INPUT, 100 },
	};
	for (size_t k = 0; k < sizeof(b) / sizeof(b[0]); k++)
		if (!strcmp(b[k].t, table) && !strcmp(b[k].c, chain)) {
			*prio = b[k].prio;
			return b[k].h;
		}
	return FW_HOOK_NONE;
}

/* ":CHAIN POLICY [p:b]" */
static int chain_line(struct fw_set *s, const char *tname, const char *table, char *l, const char *file, int ln)
{
	char *argv[4];
	int n = split_args(l + 1, argv, 4);
	if (n < 2)
		return rc_fail(EINVAL, "%s line %d: a chain line without a policy", file, ln);
	int c = fw_chain_find(s, tname, argv[0]);
	if (c < 0 && (c = fw_chain_add(s, tname, argv[0])) < 0)
		return c;
	struct fw_chain *ch = &s->c[c];
	if (!strcmp(argv[1], "-")) {   /* iptables-restore -n flushes a user chain declared again */
		for (int k = 0; k < ch->nr; k++)
			free(ch->r[k].alt);
		ch->nr = 0;
	}
	ch->hook = builtin_hook(table, argv[0], &ch->prio);
	if (strcmp(argv[1], "-")) {
		ch->policy = !strcmp(argv[1], "DROP") ? FWA_DROP : FWA_ACCEPT;
		snprintf(ch->pw.file, sizeof(ch->pw.file), "%s", file);
		ch->pw.line = ln;
		snprintf(ch->pw.text, sizeof(ch->pw.text), "policy %s", ch->policy == FWA_DROP ? "drop" : "accept");
	}
	return 0;
}

/* "-A CHAIN ..." / "-I CHAIN ..." */
static int rule_line(struct fw_set *s, const char *tname, char *l, const char *file, int ln, int port)
{
	char copy[512], *argv[IPT_MAX_ARGS];
	snprintf(copy, sizeof(copy), "%s", l);
	int n = split_args(l, argv, IPT_MAX_ARGS);
	if (n < 2 || n == IPT_MAX_ARGS)
		return rc_fail(EINVAL, "%s line %d: a rule rescuectl cannot read", file, ln);
	int c = fw_chain_find(s, tname, argv[1]);
	if (c < 0)
		return rc_fail(EINVAL, "%s line %d: chain %s is not declared: iptables-restore refuses the file", file,
			       ln, argv[1]);
	struct ipt_rule r;
	parse_rule(&r, argv + 2, n - 2, port);
	snprintf(r.a.tname, sizeof(r.a.tname), "%s", r.jump);
	if (r.jump[0] && (r.a.target = fw_chain_find(s, tname, r.jump)) < 0)
		return rc_fail(EINVAL, "%s line %d: target %s is no chain", file, ln, r.jump);
	struct fw_where w = { .line = ln };
	snprintf(w.file, sizeof(w.file), "%s", file);
	snprintf(w.text, sizeof(w.text), "%s", copy);
	return fw_rule_add(&s->c[c], &w, &r.a, 1, !strcmp(argv[0], "-I"));
}

int fwipt_parse(const char *file, const char *text, size_t len, int port, const char *prefix, struct fw_set *s)
{
	struct flines L;
	int r = flines_set(&L, text, len, file);
	if (r)
		return r;
	char table[32] = "", tname[64] = "";
	for (int i = 0; i < L.n && !r; i++) {
		char *l = fs_trim(L.line[i]);
		if (!*l || *l == '#')
			continue;
		if (*l == '*') {
			snprintf(table, sizeof(table), "%s", l + 1);
			snprintf(tname, sizeof(tname), "%s %s", prefix, table);
		} else if (!strcmp(l, "COMMIT")) {
			table[0] = 0;
		} else if (!table[0]) {
			r = rc_fail(EINVAL, "%s line %d: a line outside a table", file, i + 1);
		} else if (*l == ':') {
			r = chain_line(s, tname, table, l, file, i + 1);
		} else if (!strncmp(l, "-A ", 3) || !strncmp(l, "-I ", 3)) {
			r = rule_line(s, tname, l, file, i + 1, port);
		} else {
			r = rc_fail(EINVAL, "%s line %d: a line iptables-restore does not take", file, i + 1);
		}
	}
	if (!r && table[0])
		r = rc_fail(EINVAL, "%s: table %s has no COMMIT: iptables-restore refuses the file", file, table);
	flines_free(&L);
	return r;
}

int fwipt_load(const struct fsrc *src, const char *file, int port, const char *prefix, struct fw_set *s)
{
	char *text;
	size_t len;
	int r = fsrc_read(src, file, &text, &len, IPT_MAX_FILE);
	if (r == -EFBIG)
		return rc_fail(EFBIG, "%s: larger than %zu bytes", file, IPT_MAX_FILE);
	if (r)
		return r;
	r = fwipt_parse(file, text, len, port, prefix, s);
	free(text);
	return r;
}

int fwipt_accept_line(const char *text, size_t len)
{
	int line = 0, in_filter = 0, commit = 0;
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - text) : len;
		line++;
		const char *l = text + p;
		if (!strncmp(l, "*filter", 7))
			in_filter = 1;
		else if (*l == '*')
			in_filter = 0;
		else if (in_filter && !strncmp(l, "-A INPUT ", 9))
			return line;
		else if (in_filter && !strncmp(l, "COMMIT", 6) && !commit)
			commit = line;
		p = e + 1;
	}
	return commit;
}

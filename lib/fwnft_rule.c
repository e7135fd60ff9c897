/* nftables reader: what one rule does to a new IPv4 TCP connection to the
 * sshd port (fweval.h's match/act), from its tokens. */
#include "fwnft_priv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fld { F_NONE, F_L4, F_NFP, F_ETHP, F_DPORT, F_SPORT, F_SADDR, F_DADDR, F_IIF, F_CTSTATE, F_CTDIR, F_CTSTATUS,
	   F_PKTTYPE, F_TCPFLAGS, F_OTHER, F_MAYBE, F_CTCOUNT, F_FIB };
enum op { OP_IMPL, OP_EQ, OP_NE, OP_CMP };

struct rx {
	const struct nrs *rs;
	int table;
	int b;                /* end of the rule's tokens */
	enum fw_match m;      /* the rule's matches so far */
	char maybe[120];      /* what the first MAYBE depends on */
	struct fw_alt *alt;
	int nalt, max;
	int verdict;          /* a verdict was seen */
};

static const struct ntok nend = { NT_END, "", 0, 0 };

static const struct ntok *T(const struct rx *x, int i)
{
	return i < x->b ? &x->rs->lx->t[i] : &nend;
}

static int W(const struct rx *x, int i, const char *w)
{
	return (T(x, i)->t == NT_WORD || T(x, i)->t == NT_STR) && !strcmp(T(x, i)->s, w);
}

static int P(const struct rx *x, int i, const char *p)
{
	return T(x, i)->t == NT_PUNCT && !strcmp(T(x, i)->s, p);
}

static int oneof(const char *s, const char *list)
{
	for (const char *p = list; *p; p += strlen(p) + 1)
		if (!strcmp(s, p))
			return 1;
	return 0;
}

static void and_m(struct rx *x, enum fw_match m, const char *why)
{
	if (m == FWM_MAYBE && x->m == FWM_YES && !x->maybe[0])
		snprintf(x->maybe, sizeof(x->maybe), "%s", why);
	x->m = fw_and(x->m, m);
}

int fw_service_port(const char *name)
{
	static const struct { const char *n; int p; } sv[] = {
		{ "ssh", 22 }, { "http", 80 }, { "https", 443 }, { "domain", 53 }, { "smtp", 25 }, { "ftp", 21 },
		{ "telnet", 23 }, { "submission", 587 }, { "imap", 143 }, { "imaps", 993 }, { "pop3", 110 },
		{ "pop3s", 995 }, { "ntp", 123 }, { "bootps", 67 }, { "bootpc", 68 }, { "smtps", 465 },
		{ "http-alt", 8080 }, { "mysql", 3306 }, { "postgresql", 5432 }, { "ldap", 389 }, { "ldaps", 636 },
		{ "snmp", 161 }, { "microsoft-ds", 445 }, { "rsync", 873 }, { "auth", 113 }, { "ftp-data", 20 },
	};
	for (size_t k = 0; k < sizeof(sv) / sizeof(sv[0]); k++)
		if (!strcmp(name, sv[k].n))
			return sv[k].p;
	char *e;
	long v = strtol(name, &e, 0);
	return *name && !*e && v >= 0 && v <= 65535 ? (int)v : -1;
}

/* Is the port in V ("22", "1024-65535", "ssh")? */
static enum fw_match port_in(const char *v, int port)
{
	char a[64], *dash;
	snprintf(a, sizeof(a), "%s", v);
	if ((dash = strchr(a + 1, '-'))) {
		*dash = 0;
		int lo = fw_service_port(a), hi = fw_service_port(dash + 1);
		if (lo < 0 || hi < 0)
			return FWM_MAYBE;
		return port >= lo && port <= hi ? FWM_YES : FWM_NO;
	}
	int p = fw_service_port(a);
	return p < 0 ? FWM_MAYBE : p == port ? FWM_YES : FWM_NO;
}

/* An address match: 0.0.0.0/0 holds for every address, loopback for no outside one. */
static enum fw_match addr_in(const char *v)
{
	if (!strcmp(v, "0.0.0.0/0"))
		return FWM_YES;
	if (!strncmp(v, "127.", 4) || !strcmp(v, "::1"))
		return FWM_NO;
	return FWM_MAYBE;
}

static enum fw_match val_match(const struct rx *x, enum fld f, const char *v)
{
	int port = x->rs->port;
	switch (f) {
	case F_L4: return !strcmp(v, "tcp") || !strcmp(v, "6") ? FWM_YES :
		   oneof(v, "udp\0icmp\0icmpv6\0ipv6-icmp\0sctp\0udplite\0dccp\0esp\0ah\0gre\0igmp\0comp\0"
			    "17\0001\00058\000132\0") ? FWM_NO : FWM_MAYBE;
	case F_NFP: return !strcmp(v, "ipv4") ? FWM_YES : FWM_NO;
	case F_ETHP: return !strcmp(v, "ip") ? FWM_YES : FWM_NO;
	case F_DPORT: return port_in(v, port);
	case F_SADDR:
	case F_DADDR: return addr_in(v);
	case F_IIF: return !strcmp(v, "lo") ? FWM_NO : FWM_MAYBE;
	case F_CTSTATE: return !strcmp(v, "new") ? FWM_YES :
		   oneof(v, "established\0related\0invalid\0untracked\0") ? FWM_NO : FWM_MAYBE;
	case F_CTDIR: return !strcmp(v, "original") ? FWM_YES : FWM_NO;
	case F_CTSTATUS: return oneof(v, "expected\0seen-reply\0assured\0confirmed\0snat\0dnat\0dying\0") ? FWM_NO :
		   FWM_MAYBE;   /* a new connection from outside, not translated, has none of these */
	case F_PKTTYPE: return !strcmp(v, "host") ? FWM_YES : FWM_NO;
	case F_OTHER: return FWM_NO;
	default: return FWM_MAYBE;
	}
}

static const char *fld_why(enum fld f)
{
	switch (f) {
	case F_SADDR: return "the source address";
	case F_DADDR: return "the address it is sent to";
	case F_IIF: return "the interface it comes in on";
	case F_SPORT: return "the client's source port";
	case F_L4: return "a protocol name rescuectl does not know";
	case F_DPORT: return "a service name rescuectl does not know";
	default: return "a match rescuectl cannot evaluate";
	}
}

/* A selector at I: its field and how many tokens it takes (0: not one). */
static int selector(const struct rx *x, int i, enum fld *f)
{
	static const struct { const char *a, *b; enum fld f; } two[] = {
		{ "ip", "protocol", F_L4 }, { "ip", "saddr", F_SADDR }, { "ip", "daddr", F_DADDR },
		{ "meta", "l4proto", F_L4 }, { "meta", "nfproto", F_NFP }, { "meta", "protocol", F_ETHP },
		{ "meta", "iif", F_IIF }, { "meta", "iifname", F_IIF }, { "meta", "pkttype", F_PKTTYPE },
		{ "tcp", "dport", F_DPORT }, { "tcp", "sport", F_SPORT }, { "tcp", "flags", F_TCPFLAGS },
		{ "th", "dport", F_DPORT }, { "th", "sport", F_SPORT }, { "ct", "state", F_CTSTATE },
		{ "ct", "direction", F_CTDIR }, { "ct", "count", F_CTCOUNT }, { "ct", "status", F_CTSTATUS },
	};
	const char *a = T(x, i)->s, *b = T(x, i + 1)->s;
	if (T(x, i)->t != NT_WORD)
		return 0;
	for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
		if (!strcmp(a, two[k].a) && !strcmp(b, two[k].b))
			return *f = two[k].f, 2;
	if (oneof(a, "iif\0iifname\0"))
		return *f = F_IIF, 1;
	if (!strcmp(a, "pkttype"))
		return *f = F_PKTTYPE, 1;
	if (oneof(a, "oif\0oifname\0mark\0skuid\0skgid\0cpu\0iifgroup\0iiftype\0cgroup\0"))
		return *f = F_MAYBE, 1;
	if (!strcmp(a, "fib"))
		return *f = F_FIB, 1;
	if (T(x, i + 1)->t != NT_WORD)
		return 0;
	if (oneof(a, "ip6\0udp\0udplite\0sctp\0dccp\0icmp\0icmpv6\0igmp\0ah\0esp\0comp\0arp\0vlan\0frag\0exthdr\0"
		     "hbh\0rt0\0mh\0dst\0srh\0rt2\0rt4\0"))
		return *f = F_OTHER, 2;
	if (oneof(a, "ip\0tcp\0th\0meta\0ct\0ether\0socket\0rt\0ipsec\0osf\0"))
		return *f = F_MAYBE, 2;
	return 0;
}

static int op_at(const struct rx *x, int i, enum op *op)
{
	const char *s = T(x, i)->s;
	if (T(x, i)->t == NT_STR)
		return *op = OP_IMPL, 0;
	if (oneof(s, "==\0eq\0"))
		return *op = OP_EQ, 1;
	if (oneof(s, "!=\0ne\0"))
		return *op = OP_NE, 1;
	if (oneof(s, "<\0>\0<=\0>=\0lt\0gt\0le\0ge\0"))
		return *op = OP_CMP, 1;
	return *op = OP_IMPL, 0;
}

/* One element [A, B): the match for field F (a concatenation or a range of addresses: maybe). */
static enum fw_match elem_match(const struct rx *x, enum fld f, int a, int b)
{
	while (a < b && T(x, a)->t == NT_NL)
		a++;
	if (b - a == 1 && T(x, a)->t != NT_PUNCT)
		return val_match(x, f, T(x, a)->s);
	return f == F_OTHER ? FWM_NO : FWM_MAYBE;
}

/* Fold element results: any YES is YES, all NO is NO. */
static enum fw_match any_of(enum fw_match acc, enum fw_match m)
{
	if (acc == FWM_YES || m == FWM_YES)
		return FWM_YES;
	return acc == FWM_MAYBE || m == FWM_MAYBE ? FWM_MAYBE : FWM_NO;
}

/* The elements of the value at *I: "{...}", "@set" or a word list "a,b". For
 * each, CB is called with its token range. Returns 0, or -1 when the value
 * is not understood. */
struct elems { int a[256], b[256]; int n; int set; };

static int value_at(const struct rx *x, int *i, struct elems *e)
{
	e->n = 0, e->set = -1;
	if (P(x, *i, "{")) {
		int j = *i + 1, a = j, depth = 0;
		for (; j < x->b; j++) {
			if (P(x, j, "{"))
				depth++;
			if (P(x, j, "}") && depth-- == 0)
				break;
			if (depth == 0 && P(x, j, ",")) {
				if (e->n < 256 && j > a)
					e->a[e->n] = a, e->b[e->n++] = j;
				a = j + 1;
			}
		}
		while (a < j && T(x, a)->t == NT_NL)
			a++;
		if (e->n < 256 && j > a)
			e->a[e->n] = a, e->b[e->n++] = j;
		*i = j + 1;
		return j < x->b && e->n < 256 ? 0 : -1;
	}
	if (P(x, *i, "@")) {
		e->set = nrs_set_find(x->rs, x->table, T(x, *i + 1)->s);
		*i += 2;
		return e->set < 0 ? -1 : 0;
	}
	if (T(x, *i)->t != NT_WORD && T(x, *i)->t != NT_STR)
		return -1;
	do {
		if (e->n < 256)
			e->a[e->n] = *i, e->b[e->n++] = *i + 1;
		*i += 1;
	} while (P(x, *i, ",") && (T(x, *i + 1)->t == NT_WORD) && (*i += 1));
	return 0;
}

/* Apply F OP VALUE(E) to the rule's match. */
static void match_value(struct rx *x, enum fld f, enum op op, const struct elems *e, int first)
{
	enum fw_match m = FWM_NO;
	const struct nset *s = e->set >= 0 ? &x->rs->st[e->set] : NULL;
	int n = s ? s->ne : e->n;
	for (int k = 0; k < n; k++)
		m = any_of(m, elem_match(x, f, s ? s->elem[k] : e->a[k], s ? s->eend[k] : e->b[k]));
	if (op == OP_CMP) {
		int v = fw_service_port(T(x, first)->s), p = x->rs->port;
		const char *o = T(x, first - 1)->s;
		m = f != F_DPORT || v < 0 ? FWM_MAYBE :
		    ((o[0] == '<' || o[0] == 'l') ? (o[1] == '=' || o[1] == 'e' ? p <= v : p < v) :
		     (o[1] == '=' || o[1] == 'e' ? p >= v : p > v)) ? FWM_YES : FWM_NO;
	}
	if (op == OP_NE && m != FWM_MAYBE)
		m = m == FWM_YES ? FWM_NO : FWM_YES;
	if (f == F_OTHER)
		m = FWM_NO;
	char why[120];
	snprintf(why, sizeof(why), "%s%s%s", fld_why(f), s ? " (set @" : "", s ? s->name : "");
	if (s)
		strncat(why, ")", sizeof(why) - strlen(why) - 1);
	and_m(x, m, why);
}

static int flag_bit(const char *s)
{
	static const char *const n[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	for (int k = 0; k < 8; k++)
		if (!strcmp(s, n[k]))
			return 1 << k;
	char *e;
	long v = strtol(s, &e, 0);
	return *s && !*e ? (int)v : -1;
}

/* f|f|f, (f|f), or f,f at *I: the bits, or -1. */
static int flags_at(const struct rx *x, int *i)
{
	int paren = P(x, *i, "("), v = 0;
	*i += paren;
	for (;;) {
		int b = flag_bit(T(x, *i)->s);
		if (b < 0 || T(x, *i)->t != NT_WORD)
			return -1;
		v |= b;
		*i += 1;
		if (!P(x, *i, "|") && !(P(x, *i, ",") && !paren))
			break;
		*i += 1;
	}
	if (paren && !P(x, (*i)++, ")"))
		return -1;
	return v;
}

/* tcp flags [& MASK] [OP] VALUE [/ MASK] | tcp flags [OP] { VALUE, ... } (a SYN carries syn alone) */
static int tcp_flags(struct rx *x, int i)
{
	const int syn = 2;
	int mask = 0xff, have_mask = 0;
	enum op op;
	if (P(x, i, "&")) {
		i++;
		if ((mask = flags_at(x, &i)) < 0)
			return -1;
		have_mask = 1;
	}
	i += op_at(x, i, &op);
	enum fw_match m = FWM_NO;
	if (P(x, i, "{")) {
		struct elems e;
		if (value_at(x, &i, &e))
			return -1;
		for (int k = 0; k < e.n; k++) {
			int j = e.a[k], v = flags_at(x, &j);
			if (v < 0)
				return -1;
			m = any_of(m, (syn & mask) == v ? FWM_YES : FWM_NO);
		}
	} else {
		int v = flags_at(x, &i);
		if (v < 0)
			return -1;
		if (P(x, i, "/")) {
			i++;
			if ((mask = flags_at(x, &i)) < 0)
				return -1;
			have_mask = 1;
		}
		m = (op == OP_IMPL && !have_mask ? (syn & v) != 0 : (syn & mask) == v) ? FWM_YES : FWM_NO;
	}
	if (op == OP_NE)
		m = m == FWM_YES ? FWM_NO : FWM_YES;
	and_m(x, m, "the TCP flags");
	return i;
}

/* fib KEY[.KEY] RESULT [OP] VALUE: daddr type local holds for a connection
 * to this server; saddr ... oif missing does not hold for an address that
 * has a route back (assumed of an outside address). */
static int fib(struct rx *x, int i)
{
	int saddr = 0, daddr = 0;
	while (T(x, i)->t == NT_WORD && !oneof(T(x, i)->s, "oif\0oifname\0type\0")) {
		saddr |= W(x, i, "saddr"), daddr |= W(x, i, "daddr");
		i++;
		if (P(x, i, "."))
			i++;
	}
	const char *res = T(x, i++)->s;
	enum op op;
	i += op_at(x, i, &op);
	struct elems e;
	int first = i;
	if (value_at(x, &i, &e))
		return -1;
	enum fw_match m = FWM_NO;
	for (int k = 0; k < e.n; k++) {
		const char *v = T(x, e.a[k])->s;
		if (!strcmp(res, "type") && daddr && !saddr)
			m = any_of(m, !strcmp(v, "local") ? FWM_YES : FWM_NO);
		else if (strcmp(res, "type") && saddr)
			m = any_of(m, oneof(v, "missing\0" "0\0") ? FWM_NO : !strcmp(v, "exists") ? FWM_YES : FWM_MAYBE);
		else
			m = FWM_MAYBE;
	}
	(void)first;
	if (op == OP_NE && m != FWM_MAYBE)
		m = m == FWM_YES ? FWM_NO : FWM_YES;
	and_m(x, m, "a route lookup (fib)");
	return i;
}

/* A verdict at I into A: its length, 0 when it is none. */
static int verdict_at(const struct rx *x, int i, struct fw_alt *a)
{
	const char *s = T(x, i)->s;
	if (T(x, i)->t != NT_WORD)
		return 0;
	a->target = -1;
	if (!strcmp(s, "accept"))
		return a->act = FWA_ACCEPT, 1;
	if (!strcmp(s, "drop"))
		return a->act = FWA_DROP, 1;
	if (!strcmp(s, "return"))
		return a->act = FWA_RETURN, 1;
	if (!strcmp(s, "continue"))
		return a->act = FWA_NONE, 1;
	if (!strcmp(s, "jump") || !strcmp(s, "goto")) {
		a->act = s[0] == 'j' ? FWA_JUMP : FWA_GOTO;
		snprintf(a->tname, sizeof(a->tname), "%s", T(x, i + 1)->s);
		a->target = nrs_chain_find(x->rs, x->table, a->tname);
		return 2;
	}
	if (!strcmp(s, "reject")) {
		a->act = FWA_REJECT;
		int n = 1;
		if (W(x, i + 1, "with")) {
			n = 3;    /* reject with FAMILY [type] CODE */
			if (W(x, i + 3, "type"))
				n++;
			n++;
		}
		return n;
	}
	if (oneof(s, "queue\0dnat\0redirect\0tproxy\0synproxy\0dup\0fwd\0"))
		return a->act = FWA_UNKNOWN, (int)(x->b - i);
	return 0;
}

/* vmap { KEY : VERDICT, ... } | vmap @map: one alternative per element. */
static int vmap(struct rx *x, enum fld f, int i)
{
	struct elems e;
	if (value_at(x, &i, &e))
		return -1;
	const struct nset *s = e.set >= 0 ? &x->rs->st[e.set] : NULL;
	int n = s ? s->ne : e.n;
	for (int k = 0; k < n && x->nalt < x->max; k++) {
		int a = s ? s->elem[k] : e.a[k], b = s ? s->eend[k] : e.b[k], c = a;
		while (c < b && !P(x, c, ":"))
			c++;
		struct fw_alt *al = &x->alt[x->nalt];
		memset(al, 0, sizeof(*al));
		if (c >= b || !verdict_at(x, c + 1, al))
			return -1;
		al->m = fw_and(x->m, elem_match(x, f, a, c));
		snprintf(al->maybe, sizeof(al->maybe), "%s", x->maybe[0] ? x->maybe : fld_why(f));
		x->nalt++;
	}
	x->verdict = 1;
	return i;
}

/* Statements that do not decide: counter, log, comment, limit, quota, set updates. */
static int statement(struct rx *x, int i)
{
	if (W(x, i, "counter")) {
		i++;
		while (oneof(T(x, i)->s, "packets\0bytes\0name\0") && T(x, i)->t == NT_WORD)
			i += 2;
		return i;
	}
	if (W(x, i, "log")) {
		i++;
		while (T(x, i)->t == NT_WORD && oneof(T(x, i)->s, "prefix\0level\0flags\0group\0snaplen\0queue-threshold\0")) {
			i += 2;
			while (P(x, i, ",") && T(x, i + 1)->t == NT_WORD)
				i += 2;
		}
		return i;
	}
	if (W(x, i, "comment"))
		return i + 2;
	if (W(x, i, "notrack"))
		return i + 1;
	if (W(x, i, "limit") || W(x, i, "quota")) {
		int over = W(x, i + 1, "over") || W(x, i + 2, "over");
		i++;
		while (T(x, i)->t == NT_WORD && !verdict_at(x, i, &(struct fw_alt){ 0 }) &&
		       !oneof(T(x, i)->s, "counter\0log\0comment\0"))
			i++;
		and_m(x, over ? FWM_NO : FWM_YES, "a rate limit");
		return i;
	}
	if ((W(x, i, "add") || W(x, i, "update") || W(x, i, "delete")) && P(x, i + 1, "@")) {
		i += 3;
		return P(x, i, "{") ? (value_at(x, &i, &(struct elems){ 0 }) ? -1 : i) : i;
	}
	return 0;
}

/* SEL [. SEL ...] [OP] VALUE | SEL vmap ... | SEL set VALUE */
static int match(struct rx *x, int i)
{
	enum fld f, g;
	int n = selector(x, i, &f);
	if (!n)
		return -1;
	i += n;
	if (f == F_TCPFLAGS)
		return tcp_flags(x, i);
	if (f == F_FIB)
		return fib(x, i);
	if (W(x, i, "set")) {   /* meta mark set ..., ct mark set ...: no decision */
		i++;
		int m = selector(x, i, &g);
		return i + (m ? m : 1);
	}
	while (P(x, i, ".") && (n = selector(x, i + 1, &g))) {   /* a concatenation */
		f = f == F_OTHER || g == F_OTHER ? F_OTHER : F_MAYBE;
		i += 1 + n;
	}
	if (W(x, i, "vmap"))
		return vmap(x, f, i + 1);
	if (f == F_CTCOUNT) {
		int over = W(x, i, "over");
		and_m(x, over ? FWM_NO : FWM_YES, "a connection count");
		return i + 1 + over;
	}
	enum op op;
	i += op_at(x, i, &op);
	struct elems e;
	int first = i;
	if (value_at(x, &i, &e))
		return -1;
	match_value(x, f, op, &e, first);
	return i;
}

/* The rule's last verdict word, for a rule that is not understood. */
static void last_verdict(struct rx *x, int i, struct fw_alt *a)
{
	for (; i < x->b; i++) {
		struct fw_alt t = { 0 };
		if (verdict_at(x, i, &t) && !(W(x, i, "continue")))
			*a = t;
	}
}

int nrule_eval(const struct nrs *rs, int ch, int a, int b, struct fw_alt *alt, int max, int *nalt)
{
	struct rx x = { rs, rs->ch[ch].table, b, FWM_YES, "", alt, 0, max, 0 };
	struct fw_alt one = { .m = FWM_YES, .act = FWA_NONE, .target = -1 };
	int i = a;
	while (i < b && !x.verdict) {
		int n = verdict_at(&x, i, &one);
		if (n) {
			i += n;
			x.verdict = 1;
			break;
		}
		if ((n = statement(&x, i)) > 0) {
			i = n;
			continue;
		}
		if (n < 0 || (n = match(&x, i)) < 0) {
			char why[120];
			snprintf(why, sizeof(why), "'%s', which rescuectl does not evaluate", T(&x, i)->s);
			and_m(&x, FWM_MAYBE, why);
			last_verdict(&x, i, &one);
			break;
		}
		i = n;
	}
	if (!x.nalt) {
		one.m = x.m;
		snprintf(one.maybe, sizeof(one.maybe), "%s", x.maybe);
		alt[x.nalt++] = one;
	}
	*nalt = x.nalt;
	return 0;
}

/* nftables reader: the commands of a rule set file, and the model for fweval. */
#include "fwnft_priv.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ntok end_tok = { NT_END, "", 0, 0 };

static const struct ntok *tk(const struct nrs *rs, int i)
{
	return i >= 0 && i < rs->lx->n ? &rs->lx->t[i] : &end_tok;
}

static int is_w(const struct nrs *rs, int i, const char *w)
{
	const struct ntok *t = tk(rs, i);
	return (t->t == NT_WORD || t->t == NT_STR) && !strcmp(t->s, w);
}

static int is_p(const struct nrs *rs, int i, const char *p)
{
	const struct ntok *t = tk(rs, i);
	return t->t == NT_PUNCT && !strcmp(t->s, p);
}

static int stmt_end(const struct nrs *rs, int i)
{
	const struct ntok *t = tk(rs, i);
	return t->t == NT_END || t->t == NT_NL || (t->t == NT_PUNCT && (t->s[0] == ';' || t->s[0] == '}'));
}

/* The index after the '}' that closes the '{' at I. */
static int skip_block(const struct nrs *rs, int i)
{
	int depth = 0;
	for (; tk(rs, i)->t != NT_END; i++) {
		if (is_p(rs, i, "{"))
			depth++;
		else if (is_p(rs, i, "}") && --depth == 0)
			return i + 1;
	}
	return i;
}

/* The end of the statement at I (a newline or ';' outside braces, or the '}' closing the enclosing block). */
static int skip_stmt(const struct nrs *rs, int i)
{
	while (!stmt_end(rs, i))
		i = is_p(rs, i, "{") ? skip_block(rs, i) : i + 1;
	return i;
}

static void uncertain(struct nrs *rs, int i, const char *what)
{
	if (rs->uncertain[0])
		return;
	const struct ntok *t = tk(rs, i);
	snprintf(rs->uncertain, sizeof(rs->uncertain), "%s line %d: %s", rs->lx->files[t->file], t->line, what);
}

static int is_family(const char *s)
{
	static const char *const f[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };
	for (size_t k = 0; k < 6; k++)
		if (!strcmp(s, f[k]))
			return 1;
	return 0;
}

/* [FAMILY] TABLE at *I: the table's index (made when missing). */
static int table_ref(struct nrs *rs, int *i)
{
	const char *fam = "ip";
	if (tk(rs, *i)->t == NT_WORD && is_family(tk(rs, *i)->s) && tk(rs, *i + 1)->t != NT_PUNCT &&
	    tk(rs, *i + 1)->t != NT_NL && tk(rs, *i + 1)->t != NT_END)
		fam = tk(rs, (*i)++)->s;
	const char *name = tk(rs, (*i)++)->s;
	for (int k = 0; k < rs->ntb; k++)
		if (!rs->tb[k].dead && !strcmp(rs->tb[k].fam, fam) && !strcmp(rs->tb[k].name, name))
			return k;
	if (rs->ntb == rs->tbcap) {
		int cap = rs->tbcap ? rs->tbcap * 2 : 8;
		struct ntable *n = realloc(rs->tb, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rs->tb = n, rs->tbcap = cap;
	}
	struct ntable *t = &rs->tb[rs->ntb];
	memset(t, 0, sizeof(*t));
	snprintf(t->fam, sizeof(t->fam), "%s", fam);
	snprintf(t->name, sizeof(t->name), "%s", name);
	return rs->ntb++;
}

int nrs_chain_find(const struct nrs *rs, int table, const char *name)
{
	for (int k = 0; k < rs->nch; k++)
		if (!rs->ch[k].dead && rs->ch[k].table == table && !strcmp(rs->ch[k].name, name))
			return k;
	return -1;
}

int nrs_set_find(const struct nrs *rs, int table, const char *name)
{
	for (int k = 0; k < rs->nst; k++)
		if (!rs->st[k].dead && rs->st[k].table == table && !strcmp(rs->st[k].name, name))
			return k;
	return -1;
}

static int chain_get(struct nrs *rs, int table, const char *name, int i)
{
	int k = nrs_chain_find(rs, table, name);
	if (k >= 0)
		return k;
	if (rs->nch == rs->chcap) {
		int cap = rs->chcap ? rs->chcap * 2 : 16;
		struct nchain *n = realloc(rs->ch, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rs->ch = n, rs->chcap = cap;
	}
	struct nchain *c = &rs->ch[rs->nch];
	memset(c, 0, sizeof(*c));
	c->table = table;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->dfile = tk(rs, i)->file, c->dline = tk(rs, i)->line;
	return rs->nch++;
}

static int set_get(struct nrs *rs, int table, const char *name, int map)
{
	int k = nrs_set_find(rs, table, name);
	if (k >= 0)
		return k;
	if (rs->nst == rs->stcap) {
		int cap = rs->stcap ? rs->stcap * 2 : 8;
		struct nset *n = realloc(rs->st, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rs->st = n, rs->stcap = cap;
	}
	struct nset *s = &rs->st[rs->nst];
	memset(s, 0, sizeof(*s));
	s->table = table, s->map = map;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return rs->nst++;
}

/* The elements between the '{' at I and its '}' (newlines ignored), split at commas. */
static int elems_add(struct nrs *rs, int si, int i)
{
	struct nset *s = &rs->st[si];
	int end = skip_block(rs, i) - 1, a = i + 1;
	for (int j = i + 1, depth = 0; j <= end; j++) {
		if (is_p(rs, j, "{"))
			depth++;
		if (is_p(rs, j, "}") && j < end)
			depth--;
		if (!(j == end || (depth == 0 && is_p(rs, j, ","))))
			continue;
		while (a < j && tk(rs, a)->t == NT_NL)
			a++;
		int b = j;
		while (b > a && tk(rs, b - 1)->t == NT_NL)
			b--;
		if (b > a) {
			if (s->ne == s->cap) {
				int cap = s->cap ? s->cap * 2 : 16;
				int *e = realloc(s->elem, (size_t)cap * sizeof(int)), *f;
				if (!e)
					return -ENOMEM;
				s->elem = e;
				if (!(f = realloc(s->eend, (size_t)cap * sizeof(int))))
					return -ENOMEM;
				s->eend = f, s->cap = cap;
			}
			s->elem[s->ne] = a, s->eend[s->ne++] = b;
		}
		a = j + 1;
	}
	return end + 1;
}

static int rule_add(struct nrs *rs, int ci, int a, int b, int top, int cmd)
{
	struct nchain *c = &rs->ch[ci];
	if (c->nr == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct nrule *n = realloc(c->r, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->r = n, c->cap = cap;
	}
	if (top)
		memmove(c->r + 1, c->r, (size_t)c->nr * sizeof(*c->r));
	c->r[top ? 0 : c->nr] = (struct nrule){ a, b, top, tk(rs, a)->line, tk(rs, a)->file, cmd };
	c->nr++;
	return 0;
}

static int prio_value(struct nrs *rs, int *i)
{
	static const struct { const char *n; int v; } names[] = {
		{ "raw", -300 }, { "mangle", -150 }, { "dstnat", -100 }, { "filter", 0 },
		{ "security", 50 }, { "srcnat", 100 }, { "out", 100 }, { "in", -200 },
	};
	const char *w = tk(rs, (*i)++)->s;
	int v = 0, found = 0;
	char *endp;
	long n = strtol(w, &endp, 10);
	if (*w && !*endp)
		v = (int)n, found = 1;
	for (size_t k = 0; !found && k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(w, names[k].n))
			v = names[k].v, found = 1;
	if (!found)
		uncertain(rs, *i - 1, "a chain priority that is not understood");
	if ((is_w(rs, *i, "-") || is_p(rs, *i, "+")) && tk(rs, *i + 1)->t == NT_WORD) {
		int sign = is_w(rs, *i, "-") ? -1 : 1;
		v += sign * atoi(tk(rs, *i + 1)->s);
		*i += 2;
	}
	return v;
}

/* type T hook H [device D] priority P */
static int chain_type(struct nrs *rs, int ci, int i)
{
	struct nchain *c = &rs->ch[ci];
	snprintf(c->type, sizeof(c->type), "%s", tk(rs, i + 1)->s);
	i += 2;
	while (!stmt_end(rs, i)) {
		if (is_w(rs, i, "hook")) {
			snprintf(c->hook, sizeof(c->hook), "%s", tk(rs, i + 1)->s);
			i += 2;
		} else if (is_w(rs, i, "priority")) {
			i++;
			c->prio = prio_value(rs, &i);
		} else {
			i = is_p(rs, i, "{") ? skip_block(rs, i) : i + 1;
		}
	}
	return i;
}

/* The statements and rules of a chain block, from I (after its '{'). */
static int chain_body(struct nrs *rs, int ci, int i)
{
	for (;;) {
		while (tk(rs, i)->t == NT_NL || is_p(rs, i, ";"))
			i++;
		if (tk(rs, i)->t == NT_END || is_p(rs, i, "}")) {
			rs->ch[ci].endline = tk(rs, i)->line;
			return i + (tk(rs, i)->t != NT_END);
		}
		struct nchain *c = &rs->ch[ci];
		if (is_w(rs, i, "type")) {
			i = chain_type(rs, ci, i);
			c->bodyline = tk(rs, i)->line;
		} else if (is_w(rs, i, "policy")) {
			c->has_policy = 1;
			c->policy_drop = is_w(rs, i + 1, "drop");
			c->pfile = tk(rs, i)->file, c->pline = tk(rs, i)->line;
			c->bodyline = c->pline;
			i = skip_stmt(rs, i);
		} else if (is_w(rs, i, "comment") || is_w(rs, i, "devices") || is_w(rs, i, "device")) {
			i = skip_stmt(rs, i);
		} else {
			int a = i;
			i = skip_stmt(rs, i);
			int r = rule_add(rs, ci, a, i, 0, 0);
			if (r)
				return r;
		}
	}
}

static int set_body(struct nrs *rs, int si, int i)
{
	for (;;) {
		while (tk(rs, i)->t == NT_NL || is_p(rs, i, ";"))
			i++;
		if (tk(rs, i)->t == NT_END || is_p(rs, i, "}"))
			return i + (tk(rs, i)->t != NT_END);
		if (is_w(rs, i, "elements") && is_p(rs, i + 1, "=") && is_p(rs, i + 2, "{")) {
			int r = elems_add(rs, si, i + 2);
			if (r < 0)
				return r;
			i = r;
		} else {
			i = skip_stmt(rs, i);
		}
	}
}

static int chain_decl(struct nrs *rs, int tb, int i)
{
	int block = is_p(rs, i + 1, "{");
	int ci = chain_get(rs, tb, tk(rs, i)->s, i);
	if (ci < 0)
		return ci;
	rs->ch[ci].block = block;
	rs->ch[ci].bodyline = tk(rs, i)->line;
	i++;
	if (is_p(rs, i, "{"))
		return chain_body(rs, ci, i + 1);
	return i;
}

static int set_decl(struct nrs *rs, int tb, int i, int map)
{
	int si = set_get(rs, tb, tk(rs, i)->s, map);
	if (si < 0)
		return si;
	i++;
	return is_p(rs, i, "{") ? set_body(rs, si, i + 1) : i;
}

static int table_body(struct nrs *rs, int tb, int i)
{
	for (;;) {
		while (tk(rs, i)->t == NT_NL || is_p(rs, i, ";"))
			i++;
		if (tk(rs, i)->t == NT_END || is_p(rs, i, "}"))
			return i + (tk(rs, i)->t != NT_END);
		if (is_w(rs, i, "chain"))
			i = chain_decl(rs, tb, i + 1);
		else if (is_w(rs, i, "set") || is_w(rs, i, "map"))
			i = set_decl(rs, tb, i + 1, is_w(rs, i, "map"));
		else if (is_w(rs, i, "flags")) {
			for (int j = i + 1; !stmt_end(rs, j); j++)
				if (is_w(rs, j, "dormant"))
					rs->tb[tb].dormant = 1;
			i = skip_stmt(rs, i);
		} else
			i = skip_stmt(rs, i);
		if (i < 0)
			return i;
	}
}

static void flush_table(struct nrs *rs, int tb, int del)
{
	for (int k = 0; k < rs->nch; k++)
		if (rs->ch[k].table == tb) {
			rs->ch[k].nr = 0;
			rs->ch[k].dead |= del;
		}
	for (int k = 0; k < rs->nst; k++)
		if (rs->st[k].table == tb) {
			rs->st[k].ne = 0;
			rs->st[k].dead |= del;
		}
	rs->tb[tb].dead |= del;
}

/* flush ruleset | flush table T | flush chain T C | flush set T S */
static int cmd_flush(struct nrs *rs, int i)
{
	if (is_w(rs, i, "ruleset")) {
		for (int k = 0; k < rs->ntb; k++)
			flush_table(rs, k, 1);
		return skip_stmt(rs, i);
	}
	const char *what = tk(rs, i)->s;
	int j = i + 1, tb = table_ref(rs, &j);
	if (tb < 0)
		return tb;
	if (!strcmp(what, "table")) {
		flush_table(rs, tb, 0);
	} else if (!strcmp(what, "chain")) {
		int ci = nrs_chain_find(rs, tb, tk(rs, j)->s);
		if (ci >= 0)
			rs->ch[ci].nr = 0;
	} else if (!strcmp(what, "set") || !strcmp(what, "map")) {
		int si = nrs_set_find(rs, tb, tk(rs, j)->s);
		if (si >= 0)
			rs->st[si].ne = 0;
	} else {
		uncertain(rs, i, "a flush command that is not understood");
	}
	return skip_stmt(rs, i);
}

/* add|create|insert table|chain|rule|set|map|element ... */
static int cmd_add(struct nrs *rs, int i, int insert)
{
	const char *what = tk(rs, i)->s;
	int j = i + 1, tb = table_ref(rs, &j);
	if (tb < 0)
		return tb;
	if (!strcmp(what, "table"))
		return is_p(rs, j, "{") ? table_body(rs, tb, j + 1) : skip_stmt(rs, j);
	if (!strcmp(what, "chain"))
		return chain_decl(rs, tb, j);
	if (!strcmp(what, "set") || !strcmp(what, "map"))
		return set_decl(rs, tb, j, what[0] == 'm');
	if (!strcmp(what, "element")) {
		int si = set_get(rs, tb, tk(rs, j)->s, 0);
		if (si < 0)
			return si;
		return is_p(rs, j + 1, "{") ? elems_add(rs, si, j + 1) : skip_stmt(rs, j);
	}
	if (!strcmp(what, "rule")) {
		int ci = chain_get(rs, tb, tk(rs, j)->s, j);
		if (ci < 0)
			return ci;
		j++;
		if (is_w(rs, j, "position") || is_w(rs, j, "handle") || is_w(rs, j, "index"))
			uncertain(rs, j, "a rule placed by handle or index: its place cannot be told from the file");
		int e = skip_stmt(rs, j), r = rule_add(rs, ci, j, e, insert, 1);
		return r ? r : e;
	}
	return skip_stmt(rs, i);
}

static int command(struct nrs *rs, int i)
{
	const struct ntok *t = tk(rs, i);
	if (t->t != NT_WORD) {
		uncertain(rs, i, "text nft would not accept here");
		return skip_stmt(rs, i) + 1;
	}
	if (!strcmp(t->s, "flush"))
		return cmd_flush(rs, i + 1);
	if (!strcmp(t->s, "table") || !strcmp(t->s, "chain") || !strcmp(t->s, "set") || !strcmp(t->s, "map"))
		return cmd_add(rs, i, 0);
	if (!strcmp(t->s, "add") || !strcmp(t->s, "create") || !strcmp(t->s, "insert"))
		return cmd_add(rs, i + 1, !strcmp(t->s, "insert"));
	if (!strcmp(t->s, "delete") || !strcmp(t->s, "destroy")) {
		int j = i + 2;
		if (is_w(rs, i + 1, "table")) {
			int tb = table_ref(rs, &j);
			if (tb >= 0)
				flush_table(rs, tb, 1);
		} else {
			uncertain(rs, i, "a delete command: what it removes cannot be told from the file");
		}
		return skip_stmt(rs, i);
	}
	if (!strcmp(t->s, "list") || !strcmp(t->s, "reset") || !strcmp(t->s, "describe"))
		return skip_stmt(rs, i);
	uncertain(rs, i, "a command rescuectl does not understand");
	return skip_stmt(rs, i);
}

int nrs_parse(struct nrs *rs)
{
	int i = 0;
	while (tk(rs, i)->t != NT_END) {
		if (tk(rs, i)->t == NT_NL || is_p(rs, i, ";")) {
			i++;
			continue;
		}
		int n = command(rs, i);
		if (n < 0)
			return n;
		if (n <= i) {   /* a stray '}' */
			uncertain(rs, i, "text nft would not accept here");
			n = i + 1;
		}
		i = n;
	}
	return 0;
}

void nrs_free(struct nrs *rs)
{
	for (int k = 0; k < rs->nch; k++)
		free(rs->ch[k].r);
	for (int k = 0; k < rs->nst; k++)
		free(rs->st[k].elem), free(rs->st[k].eend);
	free(rs->tb), free(rs->ch), free(rs->st);
}

/* ---- the model ------------------------------------------------------------- */

static void rule_text(const struct nrs *rs, int a, int b, char *out, size_t sz)
{
	size_t n = 0;
	out[0] = 0;
	for (int i = a; i < b && n + 1 < sz; i++) {
		const struct ntok *t = tk(rs, i);
		if (t->t == NT_NL)
			continue;
		const struct ntok *prev = i > a ? tk(rs, i - 1) : NULL;
		int glue = !n || (t->t == NT_PUNCT && strchr(",:", t->s[0]) && t->s[1] == 0 && t->s[0] != ':') ||
			   (prev && prev->t == NT_PUNCT && (prev->s[0] == '@' || prev->s[0] == '$'));
		n += (size_t)snprintf(out + n, sz - n, t->t == NT_STR ? "%s\"%s\"" : "%s%s", glue ? "" : " ", t->s);
	}
}

static enum fw_hook hook_of(const struct nchain *c)
{
	if (!c->type[0])
		return FW_HOOK_NONE;
	if (!strcmp(c->hook, "input"))
		return FW_HOOK_INPUT;
	if (!strcmp(c->hook, "prerouting"))
		return FW_HOOK_PREROUTING;
	return FW_HOOK_NONE;
}

static int live_v4(const struct nrs *rs, const struct nchain *c)
{
	const struct ntable *t = &rs->tb[c->table];
	return !c->dead && !t->dead && !t->dormant && (!strcmp(t->fam, "ip") || !strcmp(t->fam, "inet"));
}

static int compile_chain(struct nrs *rs, int k, const int *map, struct fw_set *s)
{
	const struct nchain *c = &rs->ch[k];
	struct fw_chain *fc = &s->c[map[k]];
	struct fw_alt alt[256];
	for (int j = 0; j < c->nr; j++) {
		int n = 0;
		nrule_eval(rs, k, c->r[j].a, c->r[j].b, alt, 256, &n);
		for (int q = 0; q < n; q++)
			if (alt[q].act == FWA_JUMP || alt[q].act == FWA_GOTO)
				alt[q].target = alt[q].target >= 0 ? map[alt[q].target] : -1;
		struct fw_where w = { .line = c->r[j].line };
		snprintf(w.file, sizeof(w.file), "%s", rs->lx->files[c->r[j].file]);
		rule_text(rs, c->r[j].a, c->r[j].b, w.text, sizeof(w.text));
		if (fw_rule_add(fc, &w, alt, n, 0))
			return -ENOMEM;
	}
	return 0;
}

static int compile(struct nrs *rs, struct fw_set *s)
{
	int *map = malloc(((size_t)rs->nch + 1) * sizeof(int));
	if (!map)
		return -ENOMEM;
	for (int k = 0; k < rs->nch; k++) {
		map[k] = -1;
		const struct nchain *c = &rs->ch[k];
		const struct ntable *t = &rs->tb[c->table];
		if (!c->dead && !t->dead && !t->dormant && !strcmp(t->fam, "netdev") && c->type[0] && c->nr &&
		    !rs->uncertain[0])
			snprintf(rs->uncertain, sizeof(rs->uncertain), "%s line %d: netdev table %s has an ingress chain "
				 "with rules, which rescuectl does not evaluate", rs->lx->files[c->dfile], c->dline, t->name);
		if (!live_v4(rs, c))
			continue;
		char tname[64];
		snprintf(tname, sizeof(tname), "%s %s", t->fam, t->name);
		int idx = fw_chain_add(s, tname, c->name);
		if (idx < 0) {
			free(map);
			return idx;
		}
		map[k] = idx;
		struct fw_chain *fc = &s->c[idx];
		fc->hook = hook_of(c);
		fc->prio = c->prio;
		fc->policy = c->has_policy && c->policy_drop ? FWA_DROP : FWA_ACCEPT;
		int pf = c->has_policy ? c->pfile : c->dfile;
		snprintf(fc->pw.file, sizeof(fc->pw.file), "%s", rs->lx->files[pf]);
		fc->pw.line = c->has_policy ? c->pline : c->dline;
		snprintf(fc->pw.text, sizeof(fc->pw.text), "policy %s", fc->policy == FWA_DROP ? "drop" : "accept");
	}
	int r = 0;
	for (int k = 0; k < rs->nch && !r; k++)
		if (map[k] >= 0)
			r = compile_chain(rs, k, map, s);
	free(map);
	return r;
}

static int read_all(const struct fsrc *src, const char *file, const char *text, size_t len, int port,
		    struct nlex *lx, struct nrs *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->lx = lx, rs->port = port;
	int r = nlex_file(lx, src, file, text, len, 0);
	if (!r && !lx->err[0])
		r = nlex_defines(lx);
	if (!r && lx->err[0]) {
		snprintf(rs->uncertain, sizeof(rs->uncertain), "%s", lx->err);
		return 0;
	}
	return r ? r : nrs_parse(rs);
}

int fwnft_parse(const struct fsrc *src, const char *file, const char *text, size_t len, int port, struct fw_set *s)
{
	struct nlex lx = { 0 };
	struct nrs rs;
	memset(s, 0, sizeof(*s));
	int r = read_all(src, file, text, len, port, &lx, &rs);
	if (!r && !(lx.err[0]))
		r = compile(&rs, s);
	if (rs.uncertain[0])
		snprintf(s->uncertain, sizeof(s->uncertain), "%s", rs.uncertain);
	nrs_free(&rs);
	nlex_free(&lx);
	return r;
}

int fwnft_load(const struct fsrc *src, const char *file, int port, struct fw_set *s)
{
	char *text;
	size_t len;
	memset(s, 0, sizeof(*s));
	int r = fsrc_read(src, file, &text, &len, NFT_MAX_FILE);
	if (r == -EFBIG)
		return rc_fail(EFBIG, "%s: larger than %zu bytes", file, NFT_MAX_FILE);
	if (r)
		return r;
	r = fwnft_parse(src, file, text, len, port, s);
	free(text);
	return r;
}

/* ---- where an accept rule goes ---------------------------------------------- */

static int chain_drops(const struct nrs *rs, int k)
{
	const struct nchain *c = &rs->ch[k];
	if (c->has_policy && c->policy_drop)
		return 1;
	struct fw_alt alt[256];
	for (int j = 0; j < c->nr; j++) {
		int n = 0;
		nrule_eval(rs, k, c->r[j].a, c->r[j].b, alt, 256, &n);
		for (int q = 0; q < n; q++)
			if (alt[q].m != FWM_NO && (alt[q].act == FWA_DROP || alt[q].act == FWA_REJECT ||
						    alt[q].act == FWA_JUMP || alt[q].act == FWA_GOTO))
				return 1;
	}
	return 0;
}

static void spot_of(const struct nrs *rs, int k, struct fwnft_spot *sp)
{
	const struct nchain *c = &rs->ch[k];
	const struct ntable *t = &rs->tb[c->table];
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->chain, sizeof(sp->chain), "%s", c->name);
	snprintf(sp->family, sizeof(sp->family), "%s", t->fam);
	snprintf(sp->table, sizeof(sp->table), "%s", t->name);
	if (c->nr) {
		snprintf(sp->file, sizeof(sp->file), "%s", rs->lx->files[c->r[0].file]);
		sp->line = c->r[0].line;
		sp->block = !c->r[0].cmd;
		sp->has_rules = 1;
		return;
	}
	int pf = c->has_policy ? c->pfile : c->dfile;
	snprintf(sp->file, sizeof(sp->file), "%s", rs->lx->files[pf]);
	sp->line = (c->bodyline ? c->bodyline : c->dline) + 1;
	sp->block = c->block && c->endline && c->endline >= sp->line;
}

int fwnft_accept_spots(const struct fsrc *src, const char *file, int port, struct fwnft_spot *spots, int max,
		       int *n)
{
	char *text;
	size_t len;
	*n = 0;
	int r = fsrc_read(src, file, &text, &len, NFT_MAX_FILE);
	if (r)
		return r == -EFBIG ? rc_fail(EFBIG, "%s: larger than %zu bytes", file, NFT_MAX_FILE) : r;
	struct nlex lx = { 0 };
	struct nrs rs;
	r = read_all(src, file, text, len, port, &lx, &rs);
	free(text);
	if (!r && (lx.err[0] || rs.uncertain[0]))
		r = rc_fail(ENOTSUP, "%s", lx.err[0] ? lx.err : rs.uncertain);
	for (int k = 0; !r && k < rs.nch && *n < max; k++) {
		const struct nchain *c = &rs.ch[k];
		enum fw_hook h = hook_of(c);
		if (!live_v4(&rs, c) || h == FW_HOOK_NONE || strcmp(c->type, "filter") || !chain_drops(&rs, k))
			continue;
		spot_of(&rs, k, &spots[(*n)++]);
	}
	nrs_free(&rs);
	nlex_free(&lx);
	return r;
}

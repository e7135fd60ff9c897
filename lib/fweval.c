/* fweval: follow a firewall model's chains for one new TCP connection. */
#include "fweval.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_ACC = 1, O_DROP = 2, O_RET = 4, O_UNK = 8 };

struct out {
	unsigned bits;
	int rej;
	const struct fw_where *acc, *drop, *unk, *cause;
	char ukwhy[160];       /* why the unknown outcome */
	char cwhy[160];        /* what the cause depends on */
};

struct ev {
	const struct fw_set *s;
	long steps;
};

enum fw_match fw_and(enum fw_match a, enum fw_match b)
{
	if (a == FWM_NO || b == FWM_NO)
		return FWM_NO;
	return a == FWM_MAYBE || b == FWM_MAYBE ? FWM_MAYBE : FWM_YES;
}

const char *fw_verdict_name(enum fw_verdict v)
{
	static const char *const n[] = { "accepted", "dropped", "uncertain", "no rules" };
	return v <= FW_NONE ? n[v] : "?";
}

static void merge(struct out *o, const struct out *t)
{
	if ((t->bits & O_ACC) && !o->acc)
		o->acc = t->acc;
	if ((t->bits & O_DROP) && !o->drop)
		o->drop = t->drop, o->rej = t->rej;
	if ((t->bits & O_UNK) && !o->unk) {
		o->unk = t->unk;
		snprintf(o->ukwhy, sizeof(o->ukwhy), "%s", t->ukwhy);
	}
	if (t->cause && !o->cause) {
		o->cause = t->cause;
		snprintf(o->cwhy, sizeof(o->cwhy), "%s", t->cwhy);
	}
	o->bits |= t->bits;
}

static void unknown(struct out *o, const struct fw_where *w, const char *why)
{
	o->bits |= O_UNK;
	if (!o->unk) {
		o->unk = w;
		snprintf(o->ukwhy, sizeof(o->ukwhy), "%s", why);
	}
}

static void run(struct ev *e, int ci, int from, int fromalt, int depth, struct out *o);

/* What alternative A of rule I of chain CI does when it applies. */
static void apply(struct ev *e, int ci, int i, const struct fw_alt *a, int depth, struct out *o)
{
	const struct fw_rule *r = &e->s->c[ci].r[i];
	struct out sub = { 0 };
	switch (a->act) {
	case FWA_NONE:
		run(e, ci, i + 1, 0, depth, o);
		return;
	case FWA_ACCEPT:
		o->bits |= O_ACC, o->acc = &r->w;
		return;
	case FWA_DROP:
	case FWA_REJECT:
		o->bits |= O_DROP, o->drop = &r->w, o->rej = a->act == FWA_REJECT;
		return;
	case FWA_RETURN:
		o->bits |= O_RET;
		return;
	case FWA_UNKNOWN:
		unknown(o, &r->w, "what this rule does cannot be told");
		return;
	case FWA_JUMP:
	case FWA_GOTO:
		if (a->target < 0 || a->target >= e->s->nc) {
			unknown(o, &r->w, "it names a chain that is not defined");
			return;
		}
		if (depth >= FW_MAX_CALLS) {
			unknown(o, &r->w, "jumps nest too deep");
			return;
		}
		run(e, a->target, 0, 0, depth + 1, &sub);
		unsigned ret = sub.bits & O_RET;
		sub.bits &= ~(unsigned)O_RET;
		merge(o, &sub);
		if (ret && a->act == FWA_GOTO)
			o->bits |= O_RET;
		else if (ret)
			run(e, ci, i + 1, 0, depth, o);
		return;
	}
}

/* Rules of chain CI from rule FROM (alternative FROMALT) on. */
static void run(struct ev *e, int ci, int from, int fromalt, int depth, struct out *o)
{
	const struct fw_chain *c = &e->s->c[ci];
	for (int i = from; i < c->nr; i++, fromalt = 0) {
		const struct fw_rule *r = &c->r[i];
		if (++e->steps > FW_MAX_STEPS) {
			unknown(o, &r->w, "the rules take too many steps to follow");
			return;
		}
		for (int k = fromalt; k < r->nalt; k++) {
			const struct fw_alt *a = &r->alt[k];
			if (a->m == FWM_NO || (a->m == FWM_MAYBE && a->act == FWA_NONE))
				continue;
			if (a->m == FWM_YES) {
				apply(e, ci, i, a, depth, o);
				return;
			}
			struct out t = { 0 }, n = { 0 };
			apply(e, ci, i, a, depth, &t);
			run(e, ci, i, k + 1, depth, &n);
			unsigned tb = t.bits, nb = n.bits;
			merge(o, &n);   /* the evidence that holds without the assumption comes first */
			merge(o, &t);
			if (tb != nb) {
				o->cause = &r->w;
				snprintf(o->cwhy, sizeof(o->cwhy), "%s", a->maybe[0] ? a->maybe : "what it matches");
			}
			return;
		}
	}
	o->bits |= O_RET;
}

static int base_cmp(const void *a, const void *b)
{
	const struct fw_chain *x = *(const struct fw_chain *const *)a, *y = *(const struct fw_chain *const *)b;
	if (x->hook != y->hook)
		return x->hook < y->hook ? -1 : 1;
	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

/* One base chain: its rules, then its policy for what falls off the end. */
static void run_base(struct ev *e, const struct fw_chain *c, struct out *o)
{
	run(e, (int)(c - e->s->c), 0, 0, 0, o);
	if (!(o->bits & O_RET))
		return;
	o->bits &= ~(unsigned)O_RET;
	if (c->policy == FWA_DROP || c->policy == FWA_REJECT) {
		o->bits |= O_DROP;
		if (!o->drop) {
			o->drop = &c->pw;
			o->rej = c->policy == FWA_REJECT;
		}
	} else {
		o->bits |= O_ACC;
		if (!o->acc)
			o->acc = &c->pw;
	}
}

static void describe(struct fw_result *res, const struct out *o, const struct fw_set *s)
{
	const struct fw_where *w;
	if ((o->bits & O_UNK) || (o->bits & (O_ACC | O_DROP)) == (O_ACC | O_DROP)) {
		res->v = FW_UNCERTAIN;
		w = o->cause ? o->cause : o->unk;
		if (o->cause)
			snprintf(res->why, sizeof(res->why), "it depends on %s: chain %s, rule '%s'", o->cwhy,
				 w->chain, w->text);
		else
			snprintf(res->why, sizeof(res->why), "chain %s, rule '%s': %s", w->chain, w->text, o->ukwhy);
	} else if (o->bits & O_DROP) {
		res->v = FW_DROPPED;
		res->rejected = o->rej;
		w = o->drop;
		int pol = !strncmp(w->text, "policy ", 7);
		snprintf(res->why, sizeof(res->why), pol ? "chain %s, %s; no accept rule matches" :
			 "chain %s, rule '%s' %s it", w->chain, w->text, o->rej ? "rejects" : "drops");
	} else {
		res->v = FW_ACCEPTED;
		w = o->acc;
		int pol = !strncmp(w->text, "policy ", 7);
		snprintf(res->why, sizeof(res->why), pol ? "chain %s, %s" : "chain %s, rule '%s' accepts it",
			 w->chain, w->text);
	}
	res->at = *w;
	if (s->uncertain[0] && res->v != FW_UNCERTAIN) {
		res->v = FW_UNCERTAIN;
		snprintf(res->why, sizeof(res->why), "%s", s->uncertain);
	}
}

void fw_evaluate(const struct fw_set *s, struct fw_result *res)
{
	memset(res, 0, sizeof(*res));
	const struct fw_chain *base[256];
	int nb = 0;
	for (int i = 0; i < s->nc && nb < 256; i++)
		if (s->c[i].hook != FW_HOOK_NONE)
			base[nb++] = &s->c[i];
	if (!nb) {
		res->v = s->uncertain[0] ? FW_UNCERTAIN : FW_NONE;
		snprintf(res->why, sizeof(res->why), "%s", s->uncertain[0] ? s->uncertain :
			 "no chain is attached to the input path");
		return;
	}
	qsort(base, (size_t)nb, sizeof(base[0]), base_cmp);
	struct ev e = { s, 0 };
	struct out all = { O_ACC, 0, NULL, NULL, NULL, NULL, "", "" };
	for (int i = 0; i < nb && (all.bits & O_ACC); i++) {
		struct out o = { 0 };
		run_base(&e, base[i], &o);
		all.bits &= ~(unsigned)O_ACC;
		if (o.bits & O_ACC)
			all.acc = NULL;     /* the last chain to accept is the evidence */
		merge(&all, &o);
	}
	describe(res, &all, s);
}

void fw_combine(struct fw_result *into, const struct fw_result *other)
{
	if (other->v == FW_NONE || into->v == FW_DROPPED)
		return;
	if (into->v == FW_NONE || other->v == FW_DROPPED || (into->v == FW_ACCEPTED && other->v == FW_UNCERTAIN))
		*into = *other;
}

/* ---- building -------------------------------------------------------------- */

int fw_chain_add(struct fw_set *s, const char *table, const char *name)
{
	if (s->nc == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct fw_chain *c = realloc(s->c, (size_t)cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		s->c = c, s->cap = cap;
	}
	struct fw_chain *c = &s->c[s->nc];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->table, sizeof(c->table), "%s", table);
	c->policy = FWA_ACCEPT;
	snprintf(c->pw.chain, sizeof(c->pw.chain), "%s", name);
	snprintf(c->pw.text, sizeof(c->pw.text), "policy accept");
	return s->nc++;
}

int fw_chain_find(const struct fw_set *s, const char *table, const char *name)
{
	for (int i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].name, name) && !strcmp(s->c[i].table, table))
			return i;
	return -1;
}

int fw_rule_add(struct fw_chain *c, const struct fw_where *w, const struct fw_alt *alt, int nalt, int at_top)
{
	if (c->nr == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct fw_rule *r = realloc(c->r, (size_t)cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->r = r, c->cap = cap;
	}
	struct fw_alt *a = malloc((size_t)(nalt ? nalt : 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memcpy(a, alt, (size_t)nalt * sizeof(*a));
	if (at_top)
		memmove(c->r + 1, c->r, (size_t)c->nr * sizeof(*c->r));
	struct fw_rule *r = &c->r[at_top ? 0 : c->nr];
	r->alt = a, r->nalt = nalt, r->w = *w;
	snprintf(r->w.chain, sizeof(r->w.chain), "%s", c->name);
	c->nr++;
	return 0;
}

void fw_set_free(struct fw_set *s)
{
	for (int i = 0; i < s->nc; i++) {
		for (int k = 0; k < s->c[i].nr; k++)
			free(s->c[i].r[k].alt);
		free(s->c[i].r);
	}
	free(s->c);
	memset(s, 0, sizeof(*s));
}

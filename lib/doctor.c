/* The doctor runner: the table's rows run in order, findings gathered and
 * sorted, what could not be looked at kept. See doctor.h. */
#include "doctor.h"
#include "doctor_priv.h"
#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dr_sev_name(enum dr_sev s)
{
	static const char *const n[] = { "blocks boot", "blocks login", "degraded", "note" };
	return (unsigned)s < 4 ? n[s] : "?";
}

const struct dr_check *dr_check_find(const char *id)
{
	for (size_t i = 0; i < dr_nchecks; i++)
		if (!strcmp(dr_checks[i].id, id))
			return &dr_checks[i];
	return NULL;
}

int dr_init(struct dr_ctx *c, struct dview *v, const struct dr_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->v = v;
	if (o)
		c->o = *o;
	if (!c->o.now)
		c->o.now = time(NULL);
	if (!c->o.cmd_target)
		c->o.cmd_target = "";
	c->f = calloc(DR_MAX_FINDINGS, sizeof(*c->f));
	c->unchecked = calloc(DR_MAX_UNCHECKED, sizeof(*c->unchecked));
	c->facts = calloc(1, sizeof(*c->facts));
	if (!c->f || !c->unchecked || !c->facts) {
		dr_free(c);
		return rc_fail(ENOMEM, "out of memory");
	}
	return 0;
}

void dr_free(struct dr_ctx *c)
{
	if (c->facts)
		dr_facts_free(c->facts);
	free(c->facts);
	free(c->f);
	free(c->unchecked);
	c->facts = NULL;
	c->f = NULL;
	c->unchecked = NULL;
}

/* "safe" (rows with a fix), "all", a family ("fstab") or an id, comma-separated. */
int dr_selected(const struct dr_check *row, const char *select)
{
	if (!select || !*select)
		return 1;
	const char *p = select;
	while (*p) {
		size_t n = strcspn(p, ",");
		if ((n == 3 && !strncmp(p, "all", 3)) || (n == 4 && !strncmp(p, "safe", 4) && row->fix) ||
		    (strlen(row->id) == n && !strncmp(p, row->id, n)) ||
		    (strlen(row->family) == n && !strncmp(p, row->family, n)))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static void run_row(struct dr_ctx *c, const struct dr_check *row)
{
	c->row = row;
	rc_clear();
	int r = row->check(c);
	if (r < 0)
		dr_unchecked(c, "%s: %s", row->id, *rc_msg() ? rc_msg() : strerror(-r));
	c->row = NULL;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct dr_finding *x = a, *y = b;
	if (x->sev != y->sev)
		return (int)x->sev - (int)y->sev;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int dr_run(struct dr_ctx *c, const char *select)
{
	for (size_t i = 0; i < dr_nchecks; i++)
		if (dr_selected(&dr_checks[i], select))
			run_row(c, &dr_checks[i]);
	qsort(c->f, c->nf, sizeof(*c->f), cmp_finding);
	return 0;
}

int dr_run_one(struct dr_ctx *c, const char *id)
{
	const struct dr_check *row = dr_check_find(id);
	if (!row)
		return rc_fail(ENOENT, "no check %s", id);
	run_row(c, row);
	return 0;
}

struct dr_finding *dr_add(struct dr_ctx *c, enum dr_sev sev, const char *file, int line, const char *seen,
			  const char *fmt, ...)
{
	if (c->nf >= DR_MAX_FINDINGS) {
		c->dropped++;
		return NULL;
	}
	struct dr_finding *f = &c->f[c->nf];
	memset(f, 0, sizeof(*f));
	f->seq = c->nf++;
	f->row = c->row;
	f->sev = sev;
	f->fixable = c->row && c->row->fix;
	snprintf(f->file, sizeof(f->file), "%s", file ? file : "");
	f->line = line;
	snprintf(f->seen, sizeof(f->seen), "%s", seen ? seen : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	return f;
}

void dr_fixtext(struct dr_finding *f, const char *fmt, ...)
{
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof(f->fix), fmt, ap);
	va_end(ap);
}

void dr_unchecked(struct dr_ctx *c, const char *fmt, ...)
{
	char buf[DR_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->nunchecked; i++)
		if (!strcmp(c->unchecked[i], buf))
			return;
	if (c->nunchecked < DR_MAX_UNCHECKED)
		memcpy(c->unchecked[c->nunchecked++], buf, sizeof(buf));
}

const char *dr_target(const struct dr_ctx *c)
{
	return c->o.cmd_target;
}

const char *dr_today(const struct dr_ctx *c, char *buf, size_t sz)
{
	struct tm tm;
	gmtime_r(&c->o.now, &tm);
	strftime(buf, sz, "%Y-%m-%d", &tm);
	return buf;
}

size_t dr_count(const struct dr_ctx *c, size_t out[4])
{
	size_t fixable = 0;
	memset(out, 0, 4 * sizeof(*out));
	for (size_t i = 0; i < c->nf; i++) {
		out[c->f[i].sev]++;
		fixable += c->f[i].fixable;
	}
	return fixable;
}

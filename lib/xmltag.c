/* xmltag: firewalld's XML, tag by tag. */
#include "xmltag.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void decode(const char *s, size_t n, char *out, size_t sz)
{
	static const struct { const char *e; char c; } ent[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < sz; i++) {
		char c = s[i];
		for (size_t k = 0; c == '&' && k < 5; k++) {
			size_t l = strlen(ent[k].e);
			if (i + l <= n && !strncmp(s + i, ent[k].e, l)) {
				c = ent[k].c;
				i += l - 1;
				break;
			}
		}
		out[o++] = c;
	}
	out[o] = 0;
}

static int skip_special(const char *text, size_t *pos, int *line)
{
	const char *end = !strncmp(text + *pos, "<!--", 4) ? "-->" : ">";
	const char *e = strstr(text + *pos, end);
	if (!e)
		return -1;
	for (const char *p = text + *pos; p < e; p++)
		*line += *p == '\n';
	*pos = (size_t)(e - text) + strlen(end);
	return 0;
}

static int attrs(const char *p, const char *end, struct xtag *t)
{
	while (p < end) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p == '/')
			break;
		const char *n = p;
		while (p < end && *p != '=' && !isspace((unsigned char)*p))
			p++;
		size_t nl = (size_t)(p - n);
		while (p < end && (isspace((unsigned char)*p) || *p == '='))
			p++;
		if (p >= end || (*p != '"' && *p != '\'') || t->nattr == XT_MAX_ATTRS)
			return -1;
		char q = *p++;
		const char *v = p;
		while (p < end && *p != q)
			p++;
		if (p >= end)
			return -1;
		snprintf(t->an[t->nattr], sizeof(t->an[0]), "%.*s", (int)(nl < 31 ? nl : 31), n);
		decode(v, (size_t)(p - v), t->av[t->nattr], sizeof(t->av[0]));
		t->nattr++;
		p++;
	}
	return 0;
}

int xt_next(const char *text, size_t *pos, int *line, struct xtag *t)
{
	for (;;) {
		const char *lt = strchr(text + *pos, '<');
		if (!lt)
			return 0;
		for (const char *p = text + *pos; p < lt; p++)
			*line += *p == '\n';
		*pos = (size_t)(lt - text);
		if (lt[1] == '!' || lt[1] == '?') {
			if (skip_special(text, pos, line))
				return -1;
			continue;
		}
		const char *gt = strchr(lt, '>');
		if (!gt)
			return -1;
		memset(t, 0, sizeof(*t));
		t->line = *line;
		const char *p = lt + 1;
		t->close = *p == '/';
		p += t->close;
		const char *n = p;
		while (p < gt && !isspace((unsigned char)*p) && *p != '/')
			p++;
		snprintf(t->name, sizeof(t->name), "%.*s", (int)(p - n < 63 ? p - n : 63), n);
		t->empty = gt > lt && gt[-1] == '/';
		int r = attrs(p, gt - t->empty, t);
		for (const char *q = lt; q < gt; q++)
			*line += *q == '\n';
		*pos = (size_t)(gt - text) + 1;
		return r ? -1 : 1;
	}
}

const char *xt_attr(const struct xtag *t, const char *name)
{
	for (int i = 0; i < t->nattr; i++)
		if (!strcmp(t->an[i], name))
			return t->av[i];
	return NULL;
}

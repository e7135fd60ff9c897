/* Owner/group names from the target's passwd and group text. */
#include "idmap.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_id(const void *a, const void *b)
{
	const struct idname *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The id in field 3 of LINE (LEN bytes), and the name's length; 0 if none. */
static int parse_line(const char *line, size_t len, size_t *nlen, uint32_t *id)
{
	const char *c1 = memchr(line, ':', len);
	if (!c1 || c1 == line || line[0] == '+' || line[0] == '-')
		return 0;
	const char *c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2)
		return 0;
	const char *p = c2 + 1, *end = line + len;
	uint64_t v = 0;
	int digits = 0;
	while (p < end && *p >= '0' && *p <= '9' && digits < 11) {
		v = v * 10 + (uint64_t)(*p - '0');
		p++, digits++;
	}
	if (!digits || v > UINT32_MAX || (p < end && *p != ':'))
		return 0;
	*nlen = (size_t)(c1 - line);
	*id = (uint32_t)v;
	return *nlen <= IDMAP_MAX_NAME;
}

int idmap_parse(struct idmap *m, const char *buf, size_t len)
{
	size_t cap = 0, off = 0;
	memset(m, 0, sizeof(*m));
	while (off < len && m->n < IDMAP_MAX_IDS) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (buf + off)) : len - off;
		const char *line = buf + off;
		off += l + 1;
		size_t nlen;
		uint32_t id;
		if (l > IDMAP_MAX_LINE || memchr(line, 0, l) || !parse_line(line, l, &nlen, &id))
			continue;
		if (m->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct idname *p = realloc(m->v, nc * sizeof(*p));
			if (!p)
				goto nomem;
			m->v = p;
			cap = nc;
		}
		char *name = strndup(line, nlen);
		if (!name)
			goto nomem;
		m->v[m->n] = (struct idname){ id, name, m->n };
		m->n++;
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), cmp_id);
	/* keep the first line of each id */
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (k && m->v[k - 1].id == m->v[i].id) {
			free(m->v[i].name);
			continue;
		}
		m->v[k++] = m->v[i];
	}
	m->n = k;
	return (int)k;
nomem:
	idmap_free(m);
	return -ENOMEM;
}

const char *idmap_name(const struct idmap *m, uint32_t id)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].id == id)
			return m->v[mid].name;
		if (m->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Bounded YAML loading. See yamlbound.h. */
#include "yamlbound.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yb_place(const char *text, size_t len, size_t offset, size_t *line, size_t *column)
{
	size_t l = 1, c = 1;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;  /* a character starts here (UTF-8 continuation bytes do not count) */
		}
	}
	*line = l;
	*column = c;
}

/* libyaml's error, placed: reader errors have a byte offset, not a mark. */
static void parser_error(const yaml_parser_t *p, const char *text, size_t len, char *err, size_t esz)
{
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
	char byte[32] = "";
	if (p->error == YAML_READER_ERROR) {
		yb_place(text, len, p->problem_offset, &line, &col);
		if (p->problem_value >= 0)
			snprintf(byte, sizeof(byte), " (byte 0x%02x)", (unsigned)p->problem_value & 0xff);
	}
	snprintf(err, esz, "line %zu column %zu: %s%s%s%s", line, col, p->problem ? p->problem : "invalid YAML",
		 byte, p->context ? " " : "", p->context ? p->context : "");
}

struct anchor {
	char *name;
	size_t nodes, bytes;   /* what one alias of it expands to */
};

struct open_coll {
	size_t nodes0, bytes0; /* the expanded counts before it started */
	int anchors0;          /* anchors defined before it started */
	char *anchor;
};

struct walk {
	size_t nodes, exp_nodes, exp_bytes;
	int depth;
	struct open_coll stack[YB_MAX_DEPTH + 1];
	struct anchor anchors[YB_MAX_ANCHORS];
	int nanchors;
	char over[160];        /* the limit met */
};

static int add_anchor(struct walk *w, char *name, size_t nodes, size_t bytes)
{
	if (!name)
		return 0;
	if (w->nanchors >= YB_MAX_ANCHORS) {
		free(name);
		snprintf(w->over, sizeof(w->over), "more than %d anchors", YB_MAX_ANCHORS);
		return -1;
	}
	w->anchors[w->nanchors++] = (struct anchor){ name, nodes, bytes };
	return 0;
}

/* What an alias names: the latest definition of the name (YAML lets a name
 * be defined again). libyaml defines a collection's anchor where the
 * collection starts, so an alias inside it names the collection itself: a
 * recursive structure, which any walk of the tree would follow forever. */
static const struct anchor *find_anchor(struct walk *w, const char *name)
{
	int i = w->nanchors - 1;
	while (i >= 0 && strcmp(w->anchors[i].name, name))
		i--;
	for (int d = w->depth - 1; d >= 0; d--) {
		if (!w->stack[d].anchor || strcmp(w->stack[d].anchor, name))
			continue;
		if (i < w->stack[d].anchors0) {
			snprintf(w->over, sizeof(w->over), "a recursive alias: *%.64s inside the node &%.64s names",
				 name, name);
			return NULL;
		}
		break;
	}
	return i >= 0 ? &w->anchors[i] : NULL;
}

static int start_coll(struct walk *w, const yaml_char_t *anchor)
{
	if (w->depth >= YB_MAX_DEPTH) {
		snprintf(w->over, sizeof(w->over), "nested deeper than %d levels", YB_MAX_DEPTH);
		return 0;
	}
	char *an = anchor ? strdup((const char *)anchor) : NULL;
	if (anchor && !an)
		return -ENOMEM;
	w->stack[w->depth++] = (struct open_coll){ w->exp_nodes, w->exp_bytes, w->nanchors, an };
	w->exp_nodes++;
	return 0;
}

/* Count one event: 0 (W->over says whether a limit was met) or -ENOMEM. */
static int count_event(struct walk *w, const yaml_event_t *e)
{
	const struct anchor *a;
	char *an;
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		w->nodes++;
		w->exp_nodes++;
		w->exp_bytes += e->data.scalar.length;
		an = e->data.scalar.anchor ? strdup((const char *)e->data.scalar.anchor) : NULL;
		if (e->data.scalar.anchor && !an)
			return -ENOMEM;
		add_anchor(w, an, 1, e->data.scalar.length);
		break;
	case YAML_SEQUENCE_START_EVENT:
		w->nodes++;
		return start_coll(w, e->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		w->nodes++;
		return start_coll(w, e->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (w->depth > 0) {
			struct open_coll *o = &w->stack[--w->depth];
			add_anchor(w, o->anchor, w->exp_nodes - o->nodes0, w->exp_bytes - o->bytes0);
		}
		break;
	case YAML_ALIAS_EVENT:
		w->nodes++;
		/* an unknown name is the loader's error to report */
		if ((a = find_anchor(w, (const char *)e->data.alias.anchor))) {
			w->exp_nodes += a->nodes;
			w->exp_bytes += a->bytes;
		}
		break;
	default:
		break;
	}
	if (w->over[0])
		return 0;
	if (w->nodes > YB_MAX_NODES)
		snprintf(w->over, sizeof(w->over), "more than %d nodes", YB_MAX_NODES);
	else if (w->exp_nodes > YB_MAX_EXPANDED)
		snprintf(w->over, sizeof(w->over), "aliases that expand to more than %d nodes (an alias bomb)",
			 YB_MAX_EXPANDED);
	else if (w->exp_bytes > YB_MAX_EXP_BYTES)
		snprintf(w->over, sizeof(w->over), "aliases that expand to more than %zu MiB of text (an alias bomb)",
			 YB_MAX_EXP_BYTES >> 20);
	return 0;
}

static void walk_free(struct walk *w)
{
	for (int i = 0; i < w->nanchors; i++)
		free(w->anchors[i].name);
	for (int i = 0; i < w->depth; i++)
		free(w->stack[i].anchor);
	free(w);
}

/* The first document's events, counted. YB_LOADED when within limits. */
static int check(const char *text, size_t len, char *err, size_t esz)
{
	yaml_parser_t p;
	struct walk *w = calloc(1, sizeof(*w));
	if (!w || !yaml_parser_initialize(&p)) {
		free(w);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int r = YB_LOADED;
	for (int done = 0; !done && r == YB_LOADED;) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e)) {
			r = p.error == YAML_MEMORY_ERROR ? -ENOMEM : YB_INVALID;
			if (r == YB_INVALID)
				parser_error(&p, text, len, err, esz);
			break;
		}
		if (count_event(w, &e) < 0) {
			r = -ENOMEM;
		} else if (w->over[0]) {
			snprintf(err, esz, "line %zu column %zu: %s", e.start_mark.line + 1, e.start_mark.column + 1,
				 w->over);
			r = YB_TOO_BIG;
		}
		done = e.type == YAML_DOCUMENT_END_EVENT || e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	walk_free(w);
	return r;
}

int yb_load(const char *text, size_t len, yaml_document_t *doc, char *err, size_t esz)
{
	memset(doc, 0, sizeof(*doc));
	if (len > YB_MAX_BYTES) {
		snprintf(err, esz, "line 1 column 1: larger than %zu bytes", YB_MAX_BYTES);
		return YB_TOO_BIG;
	}
	int r = check(text, len, err, esz);
	if (r != YB_LOADED)
		return r;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, doc)) {
		r = p.error == YAML_MEMORY_ERROR ? -ENOMEM : YB_INVALID;
		if (r == YB_INVALID)
			parser_error(&p, text, len, err, esz);
		memset(doc, 0, sizeof(*doc));
	}
	yaml_parser_delete(&p);
	return r;
}

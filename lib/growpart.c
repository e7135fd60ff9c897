/* cloud-init growpart/resizefs, initramfs growroot, x-systemd.growfs and the
 * GPT grow attribute: say what would grow the root, and stop it.
 *
 * YAML is only ever parsed (libyaml's document API, the same YAML 1.1 that
 * cloud-init's PyYAML reads); edits are made to the text, line by line, and
 * the result is parsed again and compared with what was intended. */
#include "growpart.h"
#include "rootfs.h"
#include "yamlbound.h"
#include "err.h"
#include "sbuf.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

const char *const gp_list_names[GP_NLISTS] = {
	"cloud_init_modules", "cloud_config_modules", "cloud_final_modules",
};

#define GP_MARK "# Written by rescuectl disable-growpart"

static const char dropin_text[] =
	GP_MARK ".\n"
	"# It stops cloud-init from growing the root partition (growpart) and the\n"
	"# root filesystem (resizefs) at boot. It sorts after the other drop-ins so\n"
	"# that it wins. To undo: rescuectl disable-growpart --undo (or delete this\n"
	"# file and /etc/growroot-disabled).\n"
	"# User-data and vendor-data from the provider can still override it.\n"
	"growpart: {mode: 'off'}\n"
	"resize_rootfs: false\n";

static const char growroot_text[] =
	GP_MARK ".\n"
	"# Its presence stops the initramfs growroot and cloud-init's growpart.\n"
	"# To undo: rescuectl disable-growpart --undo (or delete this file).\n";

const char *gp_dropin_text(void) { return dropin_text; }

int gp_is_ours(const char *text)
{
	return text && !strncmp(text, GP_MARK, strlen(GP_MARK));
}

/* ---- scalars the way PyYAML and cloud-init read them ------------------------ */

/* Lower-cased, blank-stripped copy of a scalar, cut to the buffer. */
static void scalar_norm(const yaml_node_t *n, char *buf, size_t sz)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t l = n->data.scalar.length;
	while (l && isspace((unsigned char)*s)) {
		s++;
		l--;
	}
	while (l && isspace((unsigned char)s[l - 1]))
		l--;
	if (l >= sz)
		l = sz - 1;
	for (size_t i = 0; i < l; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[l] = 0;
}

static int in_set(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return 1;
	return 0;
}

/* cloud-init util.is_false on a scalar: str(val).lower().strip() in FALSE_STRINGS.
 * A plain false/no/off is a YAML 1.1 boolean False; str(False) is "false". */
static const char *const false_strings[] = { "off", "0", "no", "false", NULL };
/* util.translate_bool(..., addons=["noblock"]) for resize_rootfs. */
static const char *const resize_true[] = { "true", "1", "on", "yes", "noblock", NULL };

static int node_is_false(const yaml_node_t *n)
{
	char v[32];
	if (!n || n->type != YAML_SCALAR_NODE)
		return 0;
	scalar_norm(n, v, sizeof(v));
	return in_set(v, false_strings);
}

static int scalar_eq(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

static void scalar_copy(const yaml_node_t *n, char *buf, size_t sz)
{
	size_t l = n->data.scalar.length < sz - 1 ? n->data.scalar.length : sz - 1;
	memcpy(buf, n->data.scalar.value, l);
	buf[l] = 0;
}

int gp_module_kind(const char *name, size_t len)
{
	char b[64];
	while (len && isspace((unsigned char)*name)) {
		name++;
		len--;
	}
	while (len && isspace((unsigned char)name[len - 1]))
		len--;
	if (len >= sizeof(b))
		return 0;
	for (size_t i = 0; i < len; i++)
		b[i] = name[i] == '-' ? '_' : name[i];
	b[len] = 0;
	if (len > 3 && !strcasecmp(b + len - 3, ".py"))
		b[len - 3] = 0;
	const char *m = strncmp(b, "cc_", 3) ? b : b + 3;
	if (!strcmp(m, "growpart"))
		return 1;
	if (!strcmp(m, "resizefs"))
		return 2;
	return 0;
}

/* The module an entry of a module list names: `name`, `[name, freq, args]`
 * or `{name: name, frequency: freq}`. NULL when there is none. */
static yaml_node_t *entry_name(yaml_document_t *d, yaml_node_t *item)
{
	if (!item)
		return NULL;
	if (item->type == YAML_SCALAR_NODE)
		return item;
	if (item->type == YAML_SEQUENCE_NODE) {
		if (item->data.sequence.items.top == item->data.sequence.items.start)
			return NULL;
		yaml_node_t *n = yaml_document_get_node(d, *item->data.sequence.items.start);
		return n && n->type == YAML_SCALAR_NODE ? n : NULL;
	}
	if (item->type == YAML_MAPPING_NODE) {
		yaml_node_t *found = NULL;
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(d, p->key);
			yaml_node_t *v = yaml_document_get_node(d, p->value);
			if (scalar_eq(k, "name") && v && v->type == YAML_SCALAR_NODE)
				found = v;
		}
		return found;
	}
	return NULL;
}

static int entry_kind(yaml_document_t *d, yaml_node_t *item)
{
	yaml_node_t *n = entry_name(d, item);
	return n ? gp_module_kind((const char *)n->data.scalar.value, n->data.scalar.length) : 0;
}

/* Load the first document of TEXT within lib/yamlbound.h's limits.
 * 0 loaded (root may be NULL: empty), 1 invalid (ERR says why, with its
 * line and column); -E2BIG with a message (exit hint 3) when over a limit,
 * -ENOMEM with a message. */
static int load_doc(const char *text, size_t len, yaml_document_t *doc, char *err, size_t esz)
{
	int r = yb_load(text, len, doc, err, esz);
	if (r == YB_TOO_BIG)
		return rc_failx(RC_EXIT_REFUSED, E2BIG, "YAML beyond rescuectl's limits, so not analysed: %s", err);
	if (r < 0)
		return rc_fail(-r, "out of memory loading YAML");
	return r == YB_INVALID ? 1 : r;
}

static void scan_list(yaml_document_t *d, yaml_node_t *v, int *gp, int *rf)
{
	*gp = *rf = 0;
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		int k = entry_kind(d, yaml_document_get_node(d, *i));
		if (k == 1)
			*gp = 1;
		else if (k == 2)
			*rf = 1;
	}
}

static void scan_growpart(yaml_document_t *d, yaml_node_t *v, struct gp_cfg *c)
{
	c->has_growpart = 1;
	c->growpart_map = v && v->type == YAML_MAPPING_NODE;
	c->has_mode = c->mode_off = c->has_devices = c->devices_empty = 0;
	c->has_ignore = c->ignore_growroot_disabled = 0;
	c->mode[0] = 0;
	if (!c->growpart_map) {
		if (v && v->type == YAML_SCALAR_NODE)
			scalar_copy(v, c->mode, sizeof(c->mode));
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *x = yaml_document_get_node(d, p->value);
		if (scalar_eq(k, "mode")) {
			c->has_mode = 1;
			c->mode_off = node_is_false(x);
			if (x && x->type == YAML_SCALAR_NODE)
				scalar_copy(x, c->mode, sizeof(c->mode));
			else
				snprintf(c->mode, sizeof(c->mode), "(not a string)");
		} else if (scalar_eq(k, "devices")) {
			c->has_devices = 1;
			c->devices_empty = x && x->type == YAML_SEQUENCE_NODE &&
					   x->data.sequence.items.top == x->data.sequence.items.start;
		} else if (scalar_eq(k, "ignore_growroot_disabled")) {
			c->has_ignore = 1;
			c->ignore_growroot_disabled = !node_is_false(x);
		}
	}
}

int gp_cfg_parse(const char *text, size_t len, struct gp_cfg *c)
{
	yaml_document_t doc;
	memset(c, 0, sizeof(*c));
	int r = load_doc(text, len, &doc, c->error, sizeof(c->error));
	if (r < 0)
		return r;
	if (r > 0)
		return 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	c->valid = 1;
	if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		goto out;
	if (root->type != YAML_MAPPING_NODE) {
		c->valid = 0;
		snprintf(c->error, sizeof(c->error), "the top level is not a mapping of keys");
		goto out;
	}
	/* Later duplicate keys win, as in PyYAML. */
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		for (int i = 0; i < GP_NLISTS; i++)
			if (scalar_eq(k, gp_list_names[i])) {
				c->has_list[i] = 1;
				scan_list(&doc, v, &c->list_growpart[i], &c->list_resizefs[i]);
			}
		if (scalar_eq(k, "growpart")) {
			scan_growpart(&doc, v, c);
		} else if (scalar_eq(k, "conf_d")) {
			c->has_conf_d = 1;
			c->conf_d[0] = 0;
			if (v && v->type == YAML_SCALAR_NODE && !(v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
								  node_is_false(v)))
				scalar_copy(v, c->conf_d, sizeof(c->conf_d));
		} else if (scalar_eq(k, "resize_rootfs")) {
			char b[32] = "";
			c->has_resize = 1;
			c->resize[0] = 0;
			if (v && v->type == YAML_SCALAR_NODE) {
				scalar_norm(v, b, sizeof(b));
				scalar_copy(v, c->resize, sizeof(c->resize));
			}
			c->resize_on = in_set(b, resize_true);
		}
	}
out:
	yaml_document_delete(&doc);
	return 0;
}

void gp_cfg_merge(struct gp_cfg *acc, const struct gp_cfg *o)
{
	if (!o->valid)
		return;  /* cloud-init skips a file it cannot load */
	acc->valid = 1;
	for (int i = 0; i < GP_NLISTS; i++)
		if (o->has_list[i]) {
			acc->has_list[i] = 1;
			acc->list_growpart[i] = o->list_growpart[i];
			acc->list_resizefs[i] = o->list_resizefs[i];
		}
	if (o->has_growpart) {
		if (!o->growpart_map || !acc->has_growpart || !acc->growpart_map) {
			/* replaced as a whole */
			acc->has_growpart = 1;
			acc->growpart_map = o->growpart_map;
			acc->has_mode = o->has_mode;
			acc->mode_off = o->mode_off;
			memcpy(acc->mode, o->mode, sizeof(acc->mode));
			acc->has_devices = o->has_devices;
			acc->devices_empty = o->devices_empty;
			acc->has_ignore = o->has_ignore;
			acc->ignore_growroot_disabled = o->ignore_growroot_disabled;
		} else {
			if (o->has_mode) {
				acc->has_mode = 1;
				acc->mode_off = o->mode_off;
				memcpy(acc->mode, o->mode, sizeof(acc->mode));
			}
			if (o->has_devices) {
				acc->has_devices = 1;
				acc->devices_empty = o->devices_empty;
			}
			if (o->has_ignore) {
				acc->has_ignore = 1;
				acc->ignore_growroot_disabled = o->ignore_growroot_disabled;
			}
		}
	}
	if (o->has_resize) {
		acc->has_resize = 1;
		acc->resize_on = o->resize_on;
		memcpy(acc->resize, o->resize, sizeof(acc->resize));
	}
}

/* ---- canonical form, to check an edit changed only what it meant to ------- */

struct skipset {
	yaml_node_t **n;
	size_t cnt, cap;
};

static int skip_has(const struct skipset *k, const yaml_node_t *n)
{
	for (size_t i = 0; k && i < k->cnt; i++)
		if (k->n[i] == n)
			return 1;
	return 0;
}

static int skip_add(struct skipset *k, yaml_node_t *n)
{
	if (skip_has(k, n))
		return 0;
	if (k->cnt == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 8;
		yaml_node_t **nn = realloc(k->n, nc * sizeof(*nn));
		if (!nn)
			return rc_fail(ENOMEM, "out of memory");
		k->n = nn;
		k->cap = nc;
	}
	k->n[k->cnt++] = n;
	return 0;
}

/* Scalars keep their value and whether they were plain (which decides how
 * they resolve); an empty sequence and a null are the same to cloud-init. */
static void dump(yaml_document_t *d, yaml_node_t *n, const struct skipset *skip, struct sbuf *s, int depth)
{
	char num[32];
	if (depth > 64) {
		sbuf_str(s, "!deep");
		return;
	}
	if (!n) {
		sbuf_str(s, "~");
		return;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (n->data.scalar.length == 0 || scalar_eq(n, "~") || scalar_eq(n, "null") ||
		     scalar_eq(n, "Null") || scalar_eq(n, "NULL"))) {
			sbuf_str(s, "~");
			break;
		}
		snprintf(num, sizeof(num), "%c%zu:", n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? 'p' : 'q',
			 n->data.scalar.length);
		sbuf_str(s, num);
		sbuf_add(s, (const char *)n->data.scalar.value, n->data.scalar.length);
		if (n->tag && strcmp((const char *)n->tag, YAML_STR_TAG)) {
			sbuf_str(s, "!");
			sbuf_str(s, (const char *)n->tag);
		}
		break;
	case YAML_SEQUENCE_NODE: {
		size_t kept = 0;
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			if (!skip_has(skip, yaml_document_get_node(d, *i)))
				kept++;
		if (!kept) {
			sbuf_str(s, "~");
			break;
		}
		sbuf_str(s, "[");
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			yaml_node_t *x = yaml_document_get_node(d, *i);
			if (skip_has(skip, x))
				continue;
			dump(d, x, skip, s, depth + 1);
			sbuf_str(s, ",");
		}
		sbuf_str(s, "]");
		break;
	}
	case YAML_MAPPING_NODE:
		sbuf_str(s, "{");
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			dump(d, yaml_document_get_node(d, p->key), skip, s, depth + 1);
			sbuf_str(s, "=");
			dump(d, yaml_document_get_node(d, p->value), skip, s, depth + 1);
			sbuf_str(s, ";");
		}
		sbuf_str(s, "}");
		break;
	default:
		sbuf_str(s, "?");
	}
}

/* ---- the line edit ------------------------------------------------------- */

struct lines {
	const char *text;
	size_t len;
	size_t *start;   /* byte offset of each line */
	size_t n;
};

static int lines_index(struct lines *L, const char *text, size_t len)
{
	size_t cap = 64;
	L->text = text;
	L->len = len;
	L->n = 0;
	L->start = malloc(cap * sizeof(size_t));
	if (!L->start)
		return rc_fail(ENOMEM, "out of memory");
	L->start[L->n++] = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (L->n == cap) {
			cap *= 2;
			size_t *ns = realloc(L->start, cap * sizeof(size_t));
			if (!ns)
				return rc_fail(ENOMEM, "out of memory");
			L->start = ns;
		}
		L->start[L->n++] = i + 1;
	}
	return 0;
}

static size_t line_end(const struct lines *L, size_t line)
{
	return line + 1 < L->n ? L->start[line + 1] : L->len;
}

/* Byte offset of libyaml's mark (line, column in characters). -1 if the
 * line is not there. A UTF-8 BOM at the start is not a column. */
static long mark_byte(const struct lines *L, yaml_mark_t m)
{
	if (m.line >= L->n)
		return m.line == L->n && m.column == 0 ? (long)L->len : -1;
	size_t b = L->start[m.line], e = line_end(L, m.line);
	if (m.line == 0 && L->len >= 3 && !memcmp(L->text, "\xef\xbb\xbf", 3))
		b += 3;
	for (size_t col = 0; col < m.column; col++) {
		if (b >= e)
			return -1;
		b++;
		while (b < e && ((unsigned char)L->text[b] & 0xC0) == 0x80)
			b++;
	}
	return (long)b;
}

/* Where a node really ends: block collections end at the token after them
 * (the next line), so take their last child's end instead. */
static yaml_mark_t node_end(yaml_document_t *d, yaml_node_t *n, int depth)
{
	if (depth < 64 && n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_BLOCK_SEQUENCE_STYLE &&
	    n->data.sequence.items.top > n->data.sequence.items.start)
		return node_end(d, yaml_document_get_node(d, n->data.sequence.items.top[-1]), depth + 1);
	if (depth < 64 && n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_BLOCK_MAPPING_STYLE &&
	    n->data.mapping.pairs.top > n->data.mapping.pairs.start)
		return node_end(d, yaml_document_get_node(d, n->data.mapping.pairs.top[-1].value), depth + 1);
	return n->end_mark;
}

static int blank_or_comment(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p == e || *p == '#';
}

/* Mark the whole lines of block item ITEM for deletion. */
static int mark_block_item(yaml_document_t *d, yaml_node_t *item, const struct lines *L, char *del)
{
	long s = mark_byte(L, item->start_mark);
	if (s < 0)
		return rc_fail(EINVAL, "line %zu: cannot place this entry", item->start_mark.line + 1);
	long dash = s - 1;
	while (dash >= 0 && (L->text[dash] == ' ' || L->text[dash] == '\t' || L->text[dash] == '\n' || L->text[dash] == '\r'))
		dash--;
	if (dash < 0 || L->text[dash] != '-')
		return rc_fail(EINVAL, "line %zu: the entry does not follow its '-'; not editing by hand-made rules",
			       item->start_mark.line + 1);
	size_t l0 = 0;
	while (l0 + 1 < L->n && L->start[l0 + 1] <= (size_t)dash)
		l0++;
	for (size_t b = L->start[l0]; b < (size_t)dash; b++)
		if (L->text[b] != ' ' && L->text[b] != '\t')
			return rc_fail(EINVAL, "line %zu: something precedes the '-' of this entry", l0 + 1);
	yaml_mark_t em = node_end(d, item, 0);
	long e = mark_byte(L, em);
	if (e < 0)
		return rc_fail(EINVAL, "line %zu: cannot find the end of this entry", em.line + 1);
	size_t l1 = em.line;
	if (em.column == 0 && l1 > l0) {
		l1--;  /* block scalars end at the start of the next line */
	} else if (!blank_or_comment(L->text + e, L->text + line_end(L, l1))) {
		return rc_fail(EINVAL, "line %zu: something follows this entry on its line", l1 + 1);
	}
	for (size_t l = l0; l <= l1 && l < L->n; l++)
		memset(del + L->start[l], 1, line_end(L, l) - L->start[l]);
	return 0;
}

/* In a flow list, mark each run of removed entries with one comma. */
static int mark_flow_items(yaml_document_t *d, yaml_node_t *seq, const int *rm, const struct lines *L, char *del)
{
	int n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	for (int i = 0; i < n;) {
		if (!rm[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j + 1 < n && rm[j + 1])
			j++;
		yaml_node_t *first = yaml_document_get_node(d, seq->data.sequence.items.start[i]);
		yaml_node_t *last = yaml_document_get_node(d, seq->data.sequence.items.start[j]);
		long a, b;
		if (j + 1 < n) {          /* "x, " up to the next kept entry */
			a = mark_byte(L, first->start_mark);
			b = mark_byte(L, yaml_document_get_node(d, seq->data.sequence.items.start[j + 1])->start_mark);
		} else if (i > 0) {       /* ", x" after the previous kept entry */
			a = mark_byte(L, node_end(d, yaml_document_get_node(d, seq->data.sequence.items.start[i - 1]), 0));
			b = mark_byte(L, node_end(d, last, 0));
		} else {                  /* the only entries: "[x, y]" -> "[]" */
			a = mark_byte(L, first->start_mark);
			b = mark_byte(L, node_end(d, last, 0));
		}
		if (a < 0 || b < a)
			return rc_fail(EINVAL, "line %zu: cannot place this list entry", first->start_mark.line + 1);
		memset(del + a, 1, (size_t)(b - a));
		i = j + 1;
	}
	return 0;
}

int gp_edit_modules(const char *text, size_t len, char **out, size_t *outlen, int *removed)
{
	yaml_document_t doc, ndoc;
	int have_doc = 0, have_ndoc = 0, r = 0, nrm = 0;
	char err[256];
	struct lines L = { 0 };
	struct skipset skip = { 0 };
	struct sbuf want = { 0 }, got = { 0 };
	char *del = NULL, *res = NULL;
	size_t rl = 0;

	*out = NULL;
	*outlen = 0;
	*removed = 0;
	int lr = load_doc(text, len, &doc, err, sizeof(err));
	if (lr < 0)
		return lr;
	if (lr > 0)
		return rc_fail(EINVAL, "not valid YAML (%s); not editing it", err);
	have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE)
		goto out;
	if ((r = lines_index(&L, text, len)))
		goto out;
	if (!(del = calloc(len + 1, 1))) {
		r = rc_fail(ENOMEM, "out of memory");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		int is_list = 0;
		for (int i = 0; i < GP_NLISTS; i++)
			is_list |= scalar_eq(k, gp_list_names[i]);
		if (!is_list || !v || v->type != YAML_SEQUENCE_NODE)
			continue;
		int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
		int *rm = calloc((size_t)n + 1, sizeof(int));
		if (!rm) {
			r = rc_fail(ENOMEM, "out of memory");
			goto out;
		}
		int any = 0;
		for (int i = 0; i < n && !r; i++) {
			yaml_node_t *it = yaml_document_get_node(&doc, v->data.sequence.items.start[i]);
			if (!entry_kind(&doc, it) || skip_has(&skip, it))
				continue;
			rm[i] = any = 1;
			nrm++;
			r = skip_add(&skip, it);
			if (!r && v->data.sequence.style == YAML_BLOCK_SEQUENCE_STYLE)
				r = mark_block_item(&doc, it, &L, del);
		}
		if (!r && any && v->data.sequence.style != YAML_BLOCK_SEQUENCE_STYLE)
			r = mark_flow_items(&doc, v, rm, &L, del);
		free(rm);
		if (r) {
			r = rc_context(r, "line %zu (%s)", k->start_mark.line + 1, (const char *)k->data.scalar.value);
			goto out;
		}
	}
	if (!nrm)
		goto out;
	if (!(res = malloc(len + 1))) {
		r = rc_fail(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		if (!del[i])
			res[rl++] = text[i];
	res[rl] = 0;

	/* Check: the new text parses and means the old one minus those entries. */
	lr = load_doc(res, rl, &ndoc, err, sizeof(err));
	if (lr < 0) {
		r = lr;
		goto out;
	}
	if (lr > 0) {
		r = rc_fail(EPROTO, "the edited text would not parse (%s); left unchanged", err);
		goto out;
	}
	have_ndoc = 1;
	dump(&doc, root, &skip, &want, 0);
	dump(&ndoc, yaml_document_get_root_node(&ndoc), NULL, &got, 0);
	if (want.oom || got.oom) {
		r = rc_fail(ENOMEM, "out of memory");
		goto out;
	}
	if (strcmp(want.p, got.p)) {
		r = rc_fail(EPROTO, "the edit would change more than the growpart/resizefs entries; left unchanged");
		goto out;
	}
	*out = res;
	*outlen = rl;
	*removed = nrm;
	res = NULL;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_ndoc)
		yaml_document_delete(&ndoc);
	free(L.start);
	free(skip.n);
	sbuf_free(&want);
	sbuf_free(&got);
	free(del);
	free(res);
	return r;
}

/* ---- tree level ------------------------------------------------------------ */

#define CFG_MAX ((size_t)4 << 20)

static void msg(struct gp_msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct gp_msgs *m, const char *fmt, ...)
{
	if (m->n >= GP_MAXMSG)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->m[m->n++], sizeof(m->m[0]), fmt, ap);
	va_end(ap);
}

/* The planned actions of REP seen as already done ("overlay"), so that the
 * status after a plan can be computed without writing. */
static const struct gp_action *ov_find(const struct growpart_report *ov, const char *path)
{
	for (int i = ov ? ov->nact - 1 : -1; i >= 0; i--)
		if (!strcmp(ov->act[i].path, path))
			return &ov->act[i];
	return NULL;
}

static int ov_read(struct tree *t, const struct growpart_report *ov, const char *path, char **buf, size_t *len)
{
	const struct gp_action *a = ov_find(ov, path);
	if (a && a->op == GP_OP_UNLINK)
		return -ENOENT;
	if (a && (a->op == GP_OP_CREATE || a->op == GP_OP_REPLACE)) {
		if (!(*buf = malloc(a->len + 1)))
			return rc_fail(ENOMEM, "out of memory");
		memcpy(*buf, a->data, a->len);
		(*buf)[a->len] = 0;
		*len = a->len;
		return 0;
	}
	return tree_read(t, path, buf, len, CFG_MAX);
}

/* 'f' file, 'd' directory, 'o' other, 0 absent. */
static char ov_type(struct tree *t, const struct growpart_report *ov, const char *path)
{
	const struct gp_action *a = ov_find(ov, path);
	if (a)
		return a->op == GP_OP_UNLINK ? 0 : a->op == GP_OP_MKDIR ? 'd' : 'f';
	struct tree_stat st;
	if (tree_stat(t, path, 1, &st))
		return 0;
	return st.type;
}

/* The same without following a final symbolic link ('l'). */
static char ov_ltype(struct tree *t, const struct growpart_report *ov, const char *path)
{
	const struct gp_action *a = ov_find(ov, path);
	if (a)
		return a->op == GP_OP_UNLINK ? 0 : a->op == GP_OP_MKDIR ? 'd' : 'f';
	struct tree_stat st;
	if (tree_stat(t, path, 0, &st))
		return 0;
	return st.type;
}

static const char *ltype_words(char lt)
{
	return lt == 'l' ? "a symbolic link to no regular file" : lt == 'd' ? "a directory" : lt == 'f' ? "a regular file"
	       : "not a regular file (a FIFO, socket or device)";
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* The *.cfg names of cloud.cfg.d in name order, with the overlay applied. */
static int ov_list_cfgs(struct tree *t, const struct growpart_report *ov, char ***out, size_t *n)
{
	char **names = NULL;
	size_t cnt = 0;
	int r = tree_list(t, GP_CLOUD_CFG_D, &names, &cnt);
	if (r == -ENOENT || r == -ENOTDIR) {
		names = NULL;
		cnt = 0;
		r = 0;
	}
	if (r)
		return rc_context(r, "listing %s", GP_CLOUD_CFG_D);
	/* created by the plan */
	for (int i = 0; ov && i < ov->nact; i++) {
		const char *p = ov->act[i].path;
		size_t dl = strlen(GP_CLOUD_CFG_D);
		if (ov->act[i].op != GP_OP_CREATE || strncmp(p, GP_CLOUD_CFG_D "/", dl + 1) || strchr(p + dl + 1, '/'))
			continue;
		int have = 0;
		for (size_t j = 0; j < cnt; j++)
			have |= !strcmp(names[j], p + dl + 1);
		if (have)
			continue;
		char **nn = realloc(names, (cnt + 1) * sizeof(*nn));
		if (!nn || !(nn[cnt] = strdup(p + dl + 1))) {
			tree_free_list(nn ? nn : names, cnt);
			return rc_fail(ENOMEM, "out of memory");
		}
		names = nn;
		cnt++;
	}
	/* keep *.cfg regular files (cloud-init: endswith .cfg, os.path.isfile) */
	size_t k = 0;
	for (size_t j = 0; j < cnt; j++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", GP_CLOUD_CFG_D, names[j]);
		if (ends_with(names[j], ".cfg") && ov_type(t, ov, path) == 'f')
			names[k++] = names[j];
		else
			free(names[j]);
	}
	cnt = k;
	/* sort (C locale byte order, as Python's sorted() on str) */
	for (size_t a = 1; a < cnt; a++)
		for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
			char *x = names[b];
			names[b] = names[b - 1];
			names[b - 1] = x;
		}
	*out = names;
	*n = cnt;
	return 0;
}

static void note_sources(struct growpart_status *st, const struct gp_cfg *c, const char *file)
{
	if (!c->valid)
		return;
	for (int i = 0; i < GP_NLISTS; i++)
		if (c->has_list[i])
			snprintf(st->list_from[i], sizeof(st->list_from[i]), "%s", file);
	if (c->has_growpart) {
		snprintf(st->growpart_from, sizeof(st->growpart_from), "%s", file);
		if (c->has_mode || !c->growpart_map)
			snprintf(st->mode_from, sizeof(st->mode_from), "%s", file);
		else if (!st->merged.growpart_map)
			st->mode_from[0] = 0;
	}
	if (c->has_resize)
		snprintf(st->resize_from, sizeof(st->resize_from), "%s", file);
}

/* A file sorting after our drop-in that turns a setting back on. */
static void check_later(struct growpart_status *st, const struct gp_cfg *c, const char *file)
{
	if (!c->valid)
		return;
	if (c->has_growpart && c->growpart_map && c->has_mode && !c->mode_off)
		msg(&st->later, "%s sorts after %s and sets growpart mode '%s'", file, GP_DROPIN_NAME, c->mode);
	if (c->has_resize && c->resize_on)
		msg(&st->later, "%s sorts after %s and sets resize_rootfs: %s", file, GP_DROPIN_NAME, c->resize);
	if (c->has_growpart && c->growpart_map && c->has_ignore && c->ignore_growroot_disabled)
		msg(&st->later, "%s sorts after %s and sets growpart ignore_growroot_disabled", file, GP_DROPIN_NAME);
}

static const char *const growroot_hooks[] = {
	"/usr/share/initramfs-tools/scripts/local-bottom/growroot",  /* cloud-initramfs-growroot */
	"/usr/share/initramfs-tools/hooks/growroot",
	"/usr/lib/dracut/modules.d/50growroot",                      /* dracut-modules-growroot */
	"/usr/share/dracut/modules.d/50growroot",
	NULL,
};

/* cloud.cfg, then the *.cfg of cloud.cfg.d in name order (later wins), into
 * st->merged; what cannot be read might turn growpart on, so it is an error. */
static int read_cfgs(struct tree *t, const struct growpart_report *ov, struct growpart_status *st)
{
	char *buf = NULL, **names = NULL;
	size_t len = 0, n = 0;
	int r;

	r = ov_read(t, ov, GP_CLOUD_CFG, &buf, &len);
	if (r && r != -ENOENT)
		return rc_context(r, "reading %s", GP_CLOUD_CFG);
	if (!r) {
		struct gp_cfg c;
		st->has_cloud_cfg = 1;
		if ((r = gp_cfg_parse(buf, len, &c))) {
			r = rc_context(r, "%s", GP_CLOUD_CFG);
			goto out;
		}
		if (!c.valid)
			msg(&st->warnings, "%s is not valid YAML (%s): cloud-init ignores it", GP_CLOUD_CFG, c.error);
		note_sources(st, &c, GP_CLOUD_CFG);
		gp_cfg_merge(&st->merged, &c);
		if (c.valid && c.has_conf_d) {
			st->merged.has_conf_d = 1;
			memcpy(st->merged.conf_d, c.conf_d, sizeof(c.conf_d));
		}
		free(buf);
		buf = NULL;
	}
	/* cloud.cfg's conf_d replaces cloud.cfg.d (a false or empty one: no drop-ins) */
	if (st->merged.has_conf_d) {
		char cd[128];
		snprintf(cd, sizeof(cd), "%s", st->merged.conf_d);
		for (size_t l = strlen(cd); l > 1 && cd[l - 1] == '/'; l--)
			cd[l - 1] = 0;
		if (strcmp(cd, GP_CLOUD_CFG_D)) {
			st->dropins_ignored = 1;
			msg(&st->warnings, "%s sets conf_d: '%s': cloud-init does not read %s, so drop-ins there "
			    "(rescuectl's too) have no effect; use --edit-cloud-cfg", GP_CLOUD_CFG,
			    st->merged.conf_d, GP_CLOUD_CFG_D);
		}
	}
	char dt = ov_type(t, ov, GP_CLOUD_CFG_D);
	if (!st->dropins_ignored && dt && dt != 'd') {
		st->dropins_ignored = 1;
		msg(&st->warnings, "%s is %s, not a directory: cloud-init reads no drop-ins from it, and "
		    "disable-growpart cannot write its own there", GP_CLOUD_CFG_D, ltype_words(ov_ltype(t, ov, GP_CLOUD_CFG_D)));
	}
	if (!st->dropins_ignored && (r = ov_list_cfgs(t, ov, &names, &n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		char path[512];
		struct gp_cfg c;
		snprintf(path, sizeof(path), "%s/%s", GP_CLOUD_CFG_D, names[i]);
		r = ov_read(t, ov, path, &buf, &len);
		if (r == -ENOENT) {
			msg(&st->warnings, "%s went away while it was read", path);
			r = 0;
			continue;
		}
		/* what cannot be read might turn growpart on: no answer then */
		if (r) {
			r = rc_context(r, "reading %s", path);
			goto out;
		}
		if ((r = gp_cfg_parse(buf, len, &c))) {
			r = rc_context(r, "%s", path);
			goto out;
		}
		if (!strcmp(names[i], GP_DROPIN_NAME)) {
			st->dropin = 1;
			st->dropin_ours = gp_is_ours(buf);
		}
		free(buf);
		buf = NULL;
		if (!c.valid)
			msg(&st->warnings, "%s is not valid YAML (%s): cloud-init ignores it", path, c.error);
		if (strcmp(names[i], GP_DROPIN_NAME) > 0)
			check_later(st, &c, path);
		note_sources(st, &c, path);
		gp_cfg_merge(&st->merged, &c);
	}
	r = 0;
out:
	free(buf);
	tree_free_list(names, n);
	return r;
}

/* /etc/growroot-disabled and the initramfs growroot hook. */
static void growroot_facts(struct tree *t, const struct growpart_report *ov, struct growpart_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	/* growroot tests -f, cloud-init os.path.isfile */
	char gt = ov_type(t, ov, GP_GROWROOT_OFF), glt = ov_ltype(t, ov, GP_GROWROOT_OFF);
	if (gt == 'f') {
		st->growroot_disabled = 1;
		if (!ov_read(t, ov, GP_GROWROOT_OFF, &buf, &len))
			st->growroot_disabled_ours = gp_is_ours(buf);
		free(buf);
		buf = NULL;
	} else if (glt) {
		msg(&st->warnings, "%s is %s: growroot and cloud-init look for a regular file, so it does not "
		    "count, and disable-growpart refuses to write through it", GP_GROWROOT_OFF,
		    glt == 'l' && !gt ? "a dangling symbolic link" : ltype_words(glt));
	}
	for (int i = 0; growroot_hooks[i]; i++)
		if (ov_type(t, ov, growroot_hooks[i])) {
			st->initramfs_growroot = 1;
			snprintf(st->initramfs_growroot_path, sizeof(st->initramfs_growroot_path), "%s", growroot_hooks[i]);
			break;
		}

}

/* Which of cloud-init's growpart and resizefs, and growroot, will run. */
static void module_verdicts(struct growpart_status *st)
{
	const struct gp_cfg *m = &st->merged;
	for (int i = 0; i < GP_NLISTS; i++) {
		st->growpart_listed |= m->has_list[i] && m->list_growpart[i];
		st->resizefs_listed |= m->has_list[i] && m->list_resizefs[i];
	}
	int ci_runs = st->cloud_init && !st->cloud_init_disabled;
	int gp_on = !m->has_growpart || (m->growpart_map && !(m->has_mode && m->mode_off) &&
					 !(m->has_devices && m->devices_empty));
	int gp_blocked = st->growroot_disabled && !(m->has_growpart && m->growpart_map && m->ignore_growroot_disabled);
	st->growpart_runs = ci_runs && st->growpart_listed && gp_on && !gp_blocked;
	st->resizefs_runs = ci_runs && st->resizefs_listed && (!m->has_resize || m->resize_on);
	st->growroot_runs = st->initramfs_growroot && !st->growroot_disabled;
	int gl = 0, rl = 0;
	while (gl < GP_NLISTS - 1 && !(m->has_list[gl] && m->list_growpart[gl]))
		gl++;
	while (rl < GP_NLISTS - 1 && !(m->has_list[rl] && m->list_resizefs[rl]))
		rl++;
	if (st->growpart_runs)
		msg(&st->reasons, "cloud-init growpart: in %s (%s), mode %s%s%s", gp_list_names[gl], st->list_from[gl],
		    m->has_mode ? m->mode : "auto (default)",
		    st->mode_from[0] ? " from " : "", st->mode_from);
	if (st->resizefs_runs)
		msg(&st->reasons, "cloud-init resizefs: in %s (%s), resize_rootfs %s%s%s",
		    gp_list_names[rl], st->list_from[rl],
		    m->has_resize ? m->resize : "true (default)",
		    st->resize_from[0] ? " from " : "", st->resize_from);
	if (st->growroot_runs)
		msg(&st->reasons, "initramfs growroot (%s) and no %s", st->initramfs_growroot_path, GP_GROWROOT_OFF);

}

/* x-systemd.growfs in fstab: on / it grows the root, elsewhere a warning. */
static void fstab_growfs(struct tree *t, const struct growpart_report *ov, struct growpart_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	int r;
	r = ov_read(t, ov, "/etc/fstab", &buf, &len);
	if (r && r != -ENOENT)
		msg(&st->warnings, "x-systemd.growfs not checked: %s", rc_msg());
	if (!r) {
		struct fstab f;
		int bad = 0;
		if (fstab_parse(buf, &f, &bad)) {
			msg(&st->warnings, "x-systemd.growfs not checked: %s", rc_msg());
		} else {
			for (size_t i = 0; i < f.n; i++) {
				char val[64];
				if (!f.e[i].opts || !fstab_opt(f.e[i].opts, "x-systemd.growfs", val, sizeof(val)))
					continue;
				size_t l = strlen(st->fstab_growfs_on);
				snprintf(st->fstab_growfs_on + l, sizeof(st->fstab_growfs_on) - l, "%s%s",
					 l ? " " : "", f.e[i].file);
				if (!strcmp(f.e[i].file, "/")) {
					st->fstab_growfs = 1;
					msg(&st->reasons, "/etc/fstab line %d: x-systemd.growfs on / "
					    "(remove that option to stop systemd-growfs)", f.e[i].line);
				} else {
					msg(&st->warnings, "/etc/fstab line %d: x-systemd.growfs on %s (not the root)",
					    f.e[i].line, f.e[i].file);
				}
			}
			fstab_free(&f);
		}
	}
	free(buf);
}

/* GPT attribute 59 ("grow file system", systemd's discoverable partitions). */
static void gpt_grow(const struct devid *id, struct growpart_status *st)
{
	if (id && id->partuuid[0] && strchr(id->parttype, '-')) {
		st->gpt_known = 1;
		st->gpt_grow = !!(id->part_flags & (1ULL << 59));
		if (st->gpt_grow)
			msg(&st->reasons, "GPT attribute 59 (grow file system) is set on %s: systemd-growfs grows it "
			    "when systemd-gpt-auto mounts the root (clear bit 59 with sfdisk --part-attrs)", id->path);
	}
}

static int status_ov(struct tree *t, const struct devid *id, const struct growpart_report *ov,
		     struct growpart_status *st)
{
	memset(st, 0, sizeof(*st));
	st->cloud_init = ov_type(t, ov, GP_CLOUD_DIR) == 'd';
	st->cloud_init_disabled = ov_type(t, ov, GP_CI_DISABLED) != 0;
	int r = read_cfgs(t, ov, st);
	if (r)
		return r;
	st->cfg_backup = ov_ltype(t, ov, GP_CFG_BACKUP) == 'f';
	growroot_facts(t, ov, st);
	module_verdicts(st);
	fstab_growfs(t, ov, st);
	gpt_grow(id, st);
	st->would_grow = st->reasons.n > 0;
	return 0;
}

int growpart_status(struct tree *t, const struct devid *id, struct growpart_status *st)
{
	return status_ov(t, id, NULL, st);
}

void growpart_report_free(struct growpart_report *rep)
{
	for (int i = 0; i < rep->nact; i++)
		free(rep->act[i].data);
	rep->nact = 0;
}

static struct gp_action *add_act(struct growpart_report *rep, enum gp_op op, const char *path,
				 const char *data, size_t len, const char *what)
{
	if (rep->nact >= GP_MAXACT)
		return NULL;
	struct gp_action *a = &rep->act[rep->nact];
	memset(a, 0, sizeof(*a));
	if (data) {
		if (!(a->data = malloc(len + 1)))
			return NULL;
		memcpy(a->data, data, len);
		a->data[len] = 0;
		a->len = len;
	}
	a->op = op;
	snprintf(a->path, sizeof(a->path), "%s", path);
	snprintf(a->what, sizeof(a->what), "%s", what);
	rep->nact++;
	return a;
}

static int apply(struct tree *t, struct growpart_report *rep)
{
	int r = 0;
	for (int i = 0; i < rep->nact && !r; i++) {
		struct gp_action *a = &rep->act[i];
		unsigned fl = 0;
		switch (a->op) {
		case GP_OP_MKDIR:
			r = tree_mkdir(t, a->path, 0755, 0, 0);
			break;
		case GP_OP_CREATE:
			r = tree_create(t, a->path, a->data, a->len, 0644, 0, 0, 1);
			break;
		case GP_OP_REPLACE:
			r = tree_replace(t, a->path, a->data, a->len, a->backup[0] ? a->backup : NULL, &fl);
			if (!r && (fl & TREE_LABEL_LOST))
				msg(&rep->warnings, "%s: its SELinux label could not be kept; "
				    "touch /.autorelabel on the target", a->path);
			break;
		case GP_OP_UNLINK:
			r = tree_unlink(t, a->path);
			if (r == -ENOENT)
				r = 0;
			break;
		}
		if (r) {
			r = rc_context(r, "%s %s", a->op == GP_OP_UNLINK ? "removing" : "writing", a->path);
			if (i > 0)
				r = rc_context(r, "after %d of %d changes (run --undo to take them back)", i, rep->nact);
		}
	}
	return r;
}

static void warn_remaining(struct tree *t, const struct devid *id, struct growpart_report *rep)
{
	struct growpart_status after;
	if (status_ov(t, id, rep, &after))
		return;
	rep->still_grows = after.would_grow;
	for (int i = 0; i < after.later.n; i++)
		msg(&rep->warnings, "%s", after.later.m[i]);
	for (int i = 0; i < after.reasons.n; i++)
		msg(&rep->warnings, "still grows the root: %s", after.reasons.m[i]);
	for (int i = 0; i < after.warnings.n; i++)
		msg(&rep->warnings, "%s", after.warnings.m[i]);
}

/* New files get no security.selinux label here (cloud.cfg keeps its own). */
static void selinux_note(struct tree *t, struct growpart_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	int creates = 0;
	for (int i = 0; i < rep->nact; i++)
		creates |= rep->act[i].op == GP_OP_CREATE || rep->act[i].op == GP_OP_MKDIR;
	if (!creates || tree_read(t, "/etc/selinux/config", &buf, &len, 65536))
		return;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (!strncmp(l, "SELINUX=enforcing", 17) || !strncmp(l, "SELINUX=permissive", 18)) {
			msg(&rep->warnings, "SELinux is on in the target: the new files have no label yet; "
			    "run 'restorecon -R /etc/cloud /etc/growroot-disabled' there after boot "
			    "(or touch /.autorelabel)");
			break;
		}
	}
	free(buf);
}

int growpart_disable(struct tree *t, unsigned flags, struct growpart_report *rep)
{
	return growpart_disable_dev(t, NULL, flags, rep);
}

/* cloud.cfg, when there, must be a regular file (not followed): checked
 * before any change, so a refusal writes nothing. */
static int refuse_not_regular(struct tree *t)
{
	struct tree_stat cs;
	int r = tree_stat(t, GP_CLOUD_CFG, 0, &cs);
	if (r == -ENOENT)
		return 0;
	if (r)
		return rc_context(r, "reading %s", GP_CLOUD_CFG);
	if (cs.type == 'l')
		return rc_failx(RC_EXIT_REFUSED, ELOOP, "%s is a symbolic link; refusing to edit through it "
				"(nothing was written). Replace it with the real file first", GP_CLOUD_CFG);
	if (cs.type != 'f')
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is not a regular file; nothing was written",
				GP_CLOUD_CFG);
	return 0;
}

int growpart_disable_dev(struct tree *t, const struct devid *id, unsigned flags, struct growpart_report *rep)
{
	struct growpart_status st;
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = growpart_status(t, NULL, &st)))
		return r;
	if (!st.cloud_init && !(flags & GROWPART_FORCE)) {
		rep->no_cloud_init = 1;
		msg(&rep->notes, "no %s on the target: cloud-init is not installed; nothing written "
		    "(--force writes the files anyway)", GP_CLOUD_DIR);
		return 0;
	}

	/* 1. the drop-in */
	/* a directory above it that is not one: refused here, the same offline
	 * and mounted, rather than as whatever error reading through it gives */
	r = gp_check_dirs(t, NULL, 0, GP_CLOUD_CFG_D "/");
	if (r && r != -ENOENT)
		return r;
	r = tree_read(t, GP_DROPIN, &buf, &len, CFG_MAX);
	if (!r && len == strlen(dropin_text) && !memcmp(buf, dropin_text, len)) {
		msg(&rep->notes, "%s is already in place", GP_DROPIN);
	} else if (r && r != -ENOENT) {
		return rc_context(r, "reading %s", GP_DROPIN);
	} else {
		if (r == -ENOENT) {
			if (ov_type(t, rep, GP_CLOUD_DIR) != 'd' &&
			    !add_act(rep, GP_OP_MKDIR, GP_CLOUD_DIR, NULL, 0, "create the directory"))
				goto nomem;
			if (ov_type(t, rep, GP_CLOUD_CFG_D) != 'd' &&
			    !add_act(rep, GP_OP_MKDIR, GP_CLOUD_CFG_D, NULL, 0, "create the directory"))
				goto nomem;
		}
		if (!add_act(rep, GP_OP_CREATE, GP_DROPIN, dropin_text, strlen(dropin_text),
			     r ? "growpart mode 'off', resize_rootfs false" :
				 "rewrite it: growpart mode 'off', resize_rootfs false"))
			goto nomem;
	}
	free(buf);
	buf = NULL;
	r = 0;

	/* 2. /etc/growroot-disabled */
	if (st.growroot_disabled)
		msg(&rep->notes, "%s is already in place", GP_GROWROOT_OFF);
	else if (!add_act(rep, GP_OP_CREATE, GP_GROWROOT_OFF, growroot_text, strlen(growroot_text),
			  "stops the initramfs growroot"))
		goto nomem;

	/* 3. cloud.cfg's module lists */
	if (flags & GROWPART_EDIT_CLOUD_CFG) {
		/* tree_replace refuses a symbolic link; refuse it here, before
		 * the drop-in and growroot-disabled are written */
		if ((r = refuse_not_regular(t)))
			return r;
		r = tree_read(t, GP_CLOUD_CFG, &buf, &len, CFG_MAX);
		if (r == -ENOENT) {
			msg(&rep->notes, "there is no %s to edit", GP_CLOUD_CFG);
			r = 0;
		} else if (r) {
			return rc_context(r, "reading %s", GP_CLOUD_CFG);
		} else {
			char *out = NULL;
			size_t outlen = 0;
			int removed = 0;
			if ((r = gp_edit_modules(buf, len, &out, &outlen, &removed))) {
				r = rc_context(r, "%s", GP_CLOUD_CFG);
				goto out;
			}
			if (!out) {
				msg(&rep->notes, "%s has no growpart or resizefs module entries", GP_CLOUD_CFG);
			} else {
				char what[160];
				snprintf(what, sizeof(what), "remove %d growpart/resizefs module entr%s", removed,
					 removed == 1 ? "y" : "ies");
				struct gp_action *a = add_act(rep, GP_OP_REPLACE, GP_CLOUD_CFG, out, outlen, what);
				free(out);
				if (!a)
					goto nomem;
				rep->removed_entries = removed;
				if (st.cfg_backup)
					msg(&rep->notes, "keeping the backup %s from an earlier run (--undo restores that one)",
					    GP_CFG_BACKUP);
				else
					snprintf(a->backup, sizeof(a->backup), "%s", GP_CFG_BACKUP);
			}
		}
	}
	if ((r = gp_check_plan(t, rep)))
		goto out;
	rep->changed = rep->nact > 0;
	warn_remaining(t, id, rep);
	selinux_note(t, rep);
	msg(&rep->warnings, "user-data and vendor-data from the provider can still override /etc/cloud "
	    "(e.g. a growpart or resize_rootfs key in user-data)");
	if (rep->nact && !(flags & GROWPART_DRY_RUN))
		r = apply(t, rep);
out:
	free(buf);
	return r;
nomem:
	free(buf);
	return rc_fail(ENOMEM, "out of memory");
}

/* Before restoring the backup: is cloud.cfg still what rescuectl made of it?
 * If someone changed it since, restoring would lose that: refuse (exit 3)
 * unless GROWPART_FORCE. */
static int check_unchanged(struct tree *t, const char *bak, size_t blen, unsigned flags,
			   struct growpart_report *rep)
{
	char *cur = NULL, *ed = NULL;
	size_t clen = 0, elen = 0;
	int removed = 0, r;
	if ((r = tree_read(t, GP_CLOUD_CFG, &cur, &clen, CFG_MAX)))
		return rc_context(r, "reading %s", GP_CLOUD_CFG);
	if (gp_edit_modules(bak, blen, &ed, &elen, &removed)) {
		ed = NULL;   /* the backup cannot be edited: compare with it as is */
		rc_clear();
	}
	const char *want = ed ? ed : bak;
	size_t wlen = ed ? elen : blen;
	/* cloud.cfg as rescuectl left it, or already restored by an undo that
	 * was cut short before it removed the backup */
	int same = (clen == wlen && !memcmp(cur, want, clen)) || (clen == blen && !memcmp(cur, bak, clen));
	free(cur);
	free(ed);
	if (same)
		return 0;
	if (!(flags & GROWPART_FORCE))
		return rc_failx(RC_EXIT_REFUSED, EEXIST, "%s changed after rescuectl edited it; restoring %s would "
				"lose those changes. Compare the two, or use --undo --force", GP_CLOUD_CFG, GP_CFG_BACKUP);
	msg(&rep->warnings, "%s changed after rescuectl edited it; --force: replacing it with %s anyway",
	    GP_CLOUD_CFG, GP_CFG_BACKUP);
	return 0;
}

int growpart_undo(struct tree *t, unsigned flags, struct growpart_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	int r;
	memset(rep, 0, sizeof(*rep));

	r = tree_read(t, GP_DROPIN, &buf, &len, CFG_MAX);
	if (!r) {
		if (gp_is_ours(buf)) {
			if (!add_act(rep, GP_OP_UNLINK, GP_DROPIN, NULL, 0, "the drop-in rescuectl wrote"))
				goto nomem;
		} else {
			msg(&rep->warnings, "%s was not written by rescuectl; leaving it", GP_DROPIN);
		}
	} else if (r != -ENOENT) {
		return rc_context(r, "reading %s", GP_DROPIN);
	}
	free(buf);
	buf = NULL;

	r = tree_read(t, GP_GROWROOT_OFF, &buf, &len, CFG_MAX);
	if (!r) {
		if (gp_is_ours(buf)) {
			if (!add_act(rep, GP_OP_UNLINK, GP_GROWROOT_OFF, NULL, 0, "written by rescuectl"))
				goto nomem;
		} else {
			msg(&rep->notes, "%s was there before rescuectl; leaving it", GP_GROWROOT_OFF);
		}
	} else if (r != -ENOENT) {
		return rc_context(r, "reading %s", GP_GROWROOT_OFF);
	}
	free(buf);
	buf = NULL;

	r = tree_read(t, GP_CFG_BACKUP, &buf, &len, CFG_MAX);
	if (!r && (r = refuse_not_regular(t))) {
		free(buf);
		return r;
	}
	if (!r) {
		struct tree_stat cs;
		int have = !tree_stat(t, GP_CLOUD_CFG, 0, &cs) && cs.type == 'f';
		if (have && (r = check_unchanged(t, buf, len, flags, rep))) {
			free(buf);
			return r;
		}
		if (!add_act(rep, have ? GP_OP_REPLACE : GP_OP_CREATE, GP_CLOUD_CFG, buf, len,
			     "restore it from " GP_CFG_BACKUP) ||
		    !add_act(rep, GP_OP_UNLINK, GP_CFG_BACKUP, NULL, 0, "the backup, now restored"))
			goto nomem;
	} else if (r != -ENOENT) {
		return rc_context(r, "reading %s", GP_CFG_BACKUP);
	}
	free(buf);
	buf = NULL;
	if ((r = gp_check_plan(t, rep)))
		return r;
	rep->changed = rep->nact > 0;
	if (rep->nact && !(flags & GROWPART_DRY_RUN))
		r = apply(t, rep);
	return r;
nomem:
	free(buf);
	return rc_fail(ENOMEM, "out of memory");
}

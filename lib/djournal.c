/* The doctor undo journal: entry format, states, and the aspect-wise
 * moves between them. See djournal.h. */
#include "djournal.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "rescuectl-doctor-journal 1"

void dj_state_free(struct dj_state *s)
{
	free(s->data);
	s->data = NULL;
	s->len = 0;
}

int dj_state_copy(struct dj_state *dst, const struct dj_state *src)
{
	*dst = *src;
	dst->data = NULL;
	if (src->data) {
		dst->data = malloc(src->len + 1);
		if (!dst->data)
			return rc_fail(ENOMEM, "out of memory");
		memcpy(dst->data, src->data, src->len);
		dst->data[src->len] = 0;
	}
	return 0;
}

void dj_entry_free(struct dj_entry *e)
{
	dj_state_free(&e->before);
	dj_state_free(&e->after);
}

int dj_state_read(struct tree *t, const char *path, struct dj_state *s)
{
	struct tree_stat m;
	memset(s, 0, sizeof(*s));
	int r = tree_stat(t, path, TREE_LABEL, &m);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;   /* absent (a path through a file is absent too) */
	if (r)   /* a directory tree's tree_stat leaves the words to its caller */
		return tree_kind(t) == TREE_DIR ? rc_fail(-r, "cannot look at %s in %s: %s", path, tree_desc(t),
							  strerror(-r)) : r;
	if (m.type == 'o')
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is neither a file, a directory nor a link", path);
	s->type = m.type;
	s->mode = m.mode;
	s->uid = m.uid;
	s->gid = m.gid;
	s->has_label = m.has_label;
	s->label_len = m.label_len;
	memcpy(s->label, m.label, sizeof(s->label));
	if (m.type == 'f')
		return tree_read(t, path, &s->data, &s->len, DJ_MAX_FILE);
	if (m.type == 'l') {
		s->data = malloc(PATH_MAX);
		if (!s->data)
			return -ENOMEM;
		if ((r = tree_readlink(t, path, s->data, PATH_MAX)))
			return r;
		s->len = strlen(s->data);
	}
	return 0;
}

/* ---- aspects ---------------------------------------------------------------- */

enum { AS_CONTENT, AS_OWNER, AS_MODE, AS_LABEL, AS_N };
static const char *const as_name[AS_N] = { "content", "owner", "mode", "SELinux label" };

static int same_aspect(const struct dj_state *a, const struct dj_state *b, int k)
{
	if (k == AS_CONTENT)
		return a->type == b->type && (a->type != 'f' && a->type != 'l' ?
		       1 : a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len)));
	if (!a->type || !b->type || a->type == 'l' || b->type == 'l')
		return 1;   /* only what is there has attributes */
	if (k == AS_OWNER)
		return a->uid == b->uid && a->gid == b->gid;
	if (k == AS_MODE)
		return a->mode == b->mode;
	return a->has_label == b->has_label &&
	       (!a->has_label || (a->label_len == b->label_len && !memcmp(a->label, b->label, a->label_len)));
}

int dj_state_equal(const struct dj_state *a, const struct dj_state *b)
{
	for (int k = 0; k < AS_N; k++)
		if (!same_aspect(a, b, k))
			return 0;
	return 1;
}

int dj_undo_needed(const struct dj_entry *e, const struct dj_state *cur, char *why, size_t wsz)
{
	int need = 0;
	if (e->after.type == 'u')
		return !dj_state_equal(cur, &e->before);
	for (int k = 0; k < AS_N; k++) {
		if (same_aspect(cur, &e->before, k))
			continue;
		if (same_aspect(cur, &e->after, k) || (!e->after.type && k != AS_CONTENT)) {
			need = 1;
			continue;
		}
		snprintf(why, wsz, "the %s of %s was changed after rescuectl doctor changed it (%s)", as_name[k],
			 e->path, e->date);
		return -1;
	}
	return need;
}

static int set_label(struct tree *t, const char *path, const struct dj_state *to)
{
	return tree_set_label(t, path, to->has_label ? to->label : NULL, to->label_len);
}

static int remove_path(struct tree *t, const char *path, char type)
{
	int r = type == 'd' ? tree_rmdir(t, path) : tree_unlink(t, path);
	return r == -ENOENT ? 0 : r;
}

/* Presence and content of PATH made TO's; *CREATED when it was made anew
 * (then with TO's owner and mode already). */
static int move_content(struct tree *t, const char *path, const struct dj_state *cur, const struct dj_state *to,
			int *created)
{
	int r;
	*created = 0;
	if (same_aspect(cur, to, AS_CONTENT))
		return 0;
	if (cur->type == 'f' && to->type == 'f')
		return tree_replace(t, path, to->data, to->len, NULL, NULL);
	if (cur->type && (r = remove_path(t, path, cur->type)))
		return r;
	*created = to->type != 0;
	switch (to->type) {
	case 'f': return tree_create(t, path, to->data, to->len, to->mode, to->uid, to->gid, 0);
	case 'd': return tree_mkdir(t, path, to->mode, to->uid, to->gid);
	case 'l': return tree_symlink(t, to->data, path);
	default: return 0;
	}
}

/* Move PATH from state CUR to state TO, one atomic operation per aspect. */
static int move_to(struct tree *t, const char *path, const struct dj_state *cur, const struct dj_state *to)
{
	int created, r = move_content(t, path, cur, to, &created);
	if (r || !to->type || to->type == 'l')
		return r;
	if (!created && (!same_aspect(cur, to, AS_OWNER) || !same_aspect(cur, to, AS_MODE)))
		r = tree_set_owner_mode(t, path, to->uid, to->gid, to->mode);
	if (!r && (created ? to->has_label : !same_aspect(cur, to, AS_LABEL)))
		r = set_label(t, path, to);
	return r;
}

int dj_restore(struct tree *t, const char *path, const struct dj_entry *e, const struct dj_state *cur)
{
	return move_to(t, path, cur, &e->before);
}

int dj_apply(struct tree *t, const char *path, const struct dj_entry *e, const struct dj_state *cur)
{
	return move_to(t, path, cur, &e->after);
}

/* ---- the entry as text ------------------------------------------------------ */

static void hex(const char *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[(unsigned char)in[i] >> 4];
		out[2 * i + 1] = d[(unsigned char)in[i] & 15];
	}
	out[2 * n] = 0;
}

/* "file 0644 0 0 LABEL LEN" | "dir 0755 0 0 LABEL" | "link HEX" | "absent" */
static void state_line(const struct dj_state *s, char *out, size_t sz)
{
	char lab[2 * TREE_LABEL_MAX + 2] = "-";
	if (s->has_label)
		hex(s->label, s->label_len, lab);
	switch (s->type) {
	case 'f':
		snprintf(out, sz, "file %04o %u %u %s %zu", (unsigned)s->mode, (unsigned)s->uid, (unsigned)s->gid, lab, s->len);
		break;
	case 'd':
		snprintf(out, sz, "dir %04o %u %u %s", (unsigned)s->mode, (unsigned)s->uid, (unsigned)s->gid, lab);
		break;
	case 'l': {
		char h[2 * PATH_MAX + 2];
		hex(s->data, s->len < PATH_MAX ? s->len : PATH_MAX - 1, h);
		snprintf(out, sz, "link %s", h);
		break;
	}
	case 'u':
		snprintf(out, sz, "unknown");
		break;
	default:
		snprintf(out, sz, "absent");
	}
}

int dj_format(const struct dj_entry *e, char **out, size_t *len)
{
	char b[DJ_MAX_LINE], a[DJ_MAX_LINE], head[5 * DJ_MAX_LINE];
	state_line(&e->before, b, sizeof(b));
	state_line(&e->after, a, sizeof(a));
	int hl = snprintf(head, sizeof(head), MAGIC "\ndate %s\nfix %s\npath %s\nwhat %s\nbefore %s\nafter %s\n\n",
			  e->date, e->fix, e->path, e->what, b, a);
	if (hl < 0 || hl >= (int)sizeof(head) || strchr(e->path, '\n') || strchr(e->what, '\n'))
		return rc_fail(EINVAL, "a journal entry for %s cannot be written: a field is too long or has a newline",
			       e->path);
	size_t bl = e->before.type == 'f' ? e->before.len : 0, al = e->after.type == 'f' ? e->after.len : 0;
	char *o = malloc((size_t)hl + bl + al + 1);
	if (!o)
		return rc_fail(ENOMEM, "out of memory");
	memcpy(o, head, (size_t)hl);
	if (bl)
		memcpy(o + hl, e->before.data, bl);
	if (al)
		memcpy(o + hl + bl, e->after.data, al);
	o[hl + bl + al] = 0;
	*out = o;
	*len = (size_t)hl + bl + al;
	return 0;
}

static int unhex(const char *in, char *out, size_t max, size_t *n)
{
	size_t l = strlen(in);
	if (l % 2 || l / 2 > max)
		return -1;
	for (size_t i = 0; i < l / 2; i++) {
		unsigned v;
		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (char)v;
	}
	*n = l / 2;
	return 0;
}

/* Parse a state line; for a file, *DLEN gets its content's length. */
static int parse_state(const char *v, struct dj_state *s, size_t *dlen)
{
	char kind[8], lab[2 * TREE_LABEL_MAX + 2];
	unsigned mode, uid, gid;
	size_t len = 0;
	memset(s, 0, sizeof(*s));
	*dlen = 0;
	if (!strcmp(v, "absent"))
		return 0;
	if (!strcmp(v, "unknown")) {
		s->type = 'u';
		return 0;
	}
	if (sscanf(v, "%7s", kind) != 1)
		return -1;
	if (!strcmp(kind, "link")) {
		s->type = 'l';
		s->data = malloc(PATH_MAX);
		if (!s->data || unhex(v + 5, s->data, PATH_MAX - 1, &s->len))
			return -1;
		s->data[s->len] = 0;
		return 0;
	}
	int f = !strcmp(kind, "file");
	if (!f && strcmp(kind, "dir"))
		return -1;
	int want = f ? 6 : 5;
	if (sscanf(v, "%7s %o %u %u %512s %zu", kind, &mode, &uid, &gid, lab, &len) != want || mode > 07777)
		return -1;
	s->type = f ? 'f' : 'd';
	s->mode = mode;
	s->uid = uid;
	s->gid = gid;
	if (strcmp(lab, "-")) {
		s->has_label = 1;
		if (unhex(lab, s->label, sizeof(s->label), &s->label_len))
			return -1;
	}
	*dlen = len;
	return 0;
}

/* One header line "KEY VALUE" starting at *P; 0 at the blank line ending the headers. */
static int header(const char **p, const char *end, char *key, char *val)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl || nl - *p >= DJ_MAX_LINE)
		return -1;
	size_t n = (size_t)(nl - *p);
	const char *sp = memchr(*p, ' ', n);
	if (!n) {
		*p = nl + 1;
		return 0;
	}
	if (!sp || sp - *p >= 16)
		return -1;
	snprintf(key, 16, "%.*s", (int)(sp - *p), *p);
	snprintf(val, DJ_MAX_LINE, "%.*s", (int)(nl - sp - 1), sp + 1);
	*p = nl + 1;
	return 1;
}

static int fill(struct dj_entry *e, const char *key, const char *val, size_t *bl, size_t *al)
{
	if (!strcmp(key, "date"))
		return snprintf(e->date, sizeof(e->date), "%s", val) >= (int)sizeof(e->date) ? -1 : 0;
	if (!strcmp(key, "fix"))
		return snprintf(e->fix, sizeof(e->fix), "%s", val) >= (int)sizeof(e->fix) ? -1 : 0;
	if (!strcmp(key, "path"))
		return val[0] != '/' || snprintf(e->path, sizeof(e->path), "%s", val) >= (int)sizeof(e->path) ? -1 : 0;
	if (!strcmp(key, "what"))
		return snprintf(e->what, sizeof(e->what), "%s", val), 0;
	if (!strcmp(key, "before"))
		return parse_state(val, &e->before, bl);
	if (!strcmp(key, "after"))
		return parse_state(val, &e->after, al);
	return 0;   /* unknown keys of later versions are skipped */
}

int dj_parse(const char *buf, size_t len, struct dj_entry *e)
{
	const char *p = buf, *end = buf + len;
	char key[16], *val = malloc(DJ_MAX_LINE);
	size_t bl = 0, al = 0;
	int r = -1, h;
	memset(e, 0, sizeof(*e));
	if (!val)
		return rc_fail(ENOMEM, "out of memory");
	if (len > DJ_MAX_ENTRY || len < sizeof(MAGIC) || memcmp(buf, MAGIC "\n", sizeof(MAGIC)))
		goto out;
	p += sizeof(MAGIC);
	while ((h = header(&p, end, key, val)) > 0)
		if (fill(e, key, val, &bl, &al))
			goto out;
	if (h < 0 || !e->path[0] || (size_t)(end - p) != bl + al)
		goto out;
	r = 0;
	if (bl && !(e->before.data = malloc(bl + 1)))
		r = -ENOMEM;
	if (al && !(e->after.data = malloc(al + 1)))
		r = -ENOMEM;
	if (!r) {
		if (bl)
			memcpy(e->before.data, p, bl), e->before.data[bl] = 0, e->before.len = bl;
		if (al)
			memcpy(e->after.data, p + bl, al), e->after.data[al] = 0, e->after.len = al;
	}
out:
	free(val);
	if (r)
		dj_entry_free(e);
	return r == -1 ? rc_fail(EINVAL, "not a rescuectl doctor journal entry, or a damaged one") : r;
}

int dj_seq_of(const char *name)
{
	size_t pl = strlen(DJ_PREFIX), sl = strlen(DJ_SUFFIX), n = strlen(name);
	if (n != pl + 6 + sl || strncmp(name, DJ_PREFIX, pl) || strcmp(name + n - sl, DJ_SUFFIX))
		return -1;
	int v = 0;
	for (size_t i = pl; i < pl + 6; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

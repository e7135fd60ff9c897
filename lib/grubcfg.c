/* grub.cfg, BLS entries, grubenv and /etc/default/grub: see grubcfg.h. */
#include "grubcfg.h"
#include "err.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXW 24
#define WLEN 2048

/* Split LINE into words as GRUB's script reader does (quotes, escapes);
 * a '#' starting a word ends the line. Returns the number of words. */
static int words(const char *line, char (*av)[WLEN], int max)
{
	int n = 0;
	const char *p = line;
	while (n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		size_t o = 0;
		char q = 0;
		for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\r')); p++) {
			if (!q && (*p == '\'' || *p == '"'))
				q = *p;
			else if (q && *p == q)
				q = 0;
			else if (*p == '\\' && q != '\'' && p[1])
				av[n][o < WLEN - 1 ? o++ : o] = *++p;
			else if (o < WLEN - 1)
				av[n][o++] = *p;
		}
		av[n++][o] = 0;
	}
	return n;
}

static void version_of(struct grub_entry *e)
{
	const char *b = strrchr(e->kernel, '/');
	b = b ? b + 1 : e->kernel;
	if (!strncmp(b, "vmlinuz-", 8))
		snprintf(e->version, sizeof(e->version), "%s", b + 8);
}

static int is_recovery(const char *title)
{
	char t[256];
	size_t i;
	for (i = 0; title[i] && i < sizeof(t) - 1; i++)
		t[i] = (char)tolower((unsigned char)title[i]);
	t[i] = 0;
	return strstr(t, "recovery") || strstr(t, "rescue");
}

static struct grub_entry *new_entry(struct grub_cfg *g)
{
	if (g->n >= GRUB_MAX_ENTRIES) {
		g->truncated = 1;
		return NULL;
	}
	if (!g->e && !(g->e = calloc(GRUB_MAX_ENTRIES, sizeof(*g->e))))
		return NULL;
	struct grub_entry *e = &g->e[g->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

void grub_free(struct grub_cfg *g)
{
	free(g->e);
	memset(g, 0, sizeof(*g));
}

/* `search --fs-uuid --set=root UUID`: the UUID, when it sets $root. */
static void search_uuid(char (*av)[WLEN], int ac, char *out, size_t sz)
{
	int uuid = 0, root = 0;
	for (int i = 1; i < ac; i++) {
		uuid |= !strcmp(av[i], "--fs-uuid") || !strcmp(av[i], "-u");
		root |= !strcmp(av[i], "--set=root") || (!strcmp(av[i], "--set") && i + 1 < ac && !strcmp(av[i + 1], "root"));
	}
	if (uuid && root && av[ac - 1][0] != '-')
		snprintf(out, sz, "%s", av[ac - 1]);
}

/* The words after "linux"/"initrd" inside an entry. */
static void entry_line(struct grub_entry *e, char (*av)[WLEN], int ac, int lineno)
{
	const char *k = av[0];
	if (!strcmp(k, "linux") || !strcmp(k, "linuxefi") || !strcmp(k, "linux16")) {
		if (ac < 2)
			return;
		snprintf(e->kernel, sizeof(e->kernel), "%s", av[1]);
		e->linux_line = lineno;
		e->args[0] = 0;
		for (int i = 2; i < ac; i++) {
			size_t l = strlen(e->args);
			snprintf(e->args + l, sizeof(e->args) - l, "%s%s", l ? " " : "", av[i]);
		}
		version_of(e);
	} else if (!strcmp(k, "initrd") || !strcmp(k, "initrdefi") || !strcmp(k, "initrd16")) {
		e->ninitrd = 0;
		for (int i = 1; i < ac && e->ninitrd < GRUB_MAX_INITRD; i++)
			snprintf(e->initrd[e->ninitrd++], sizeof(e->initrd[0]), "%s", av[i]);
		e->initrd_line = lineno;
	} else if (!strcmp(k, "search")) {
		search_uuid(av, ac, e->search_uuid, sizeof(e->search_uuid));
	}
	e->uses_vars = strchr(e->kernel, '$') || strchr(e->args, '$') ||
		       (e->ninitrd && strchr(e->initrd[e->ninitrd - 1], '$'));
}

struct pstate {
	char kind[GRUB_MAX_DEPTH];      /* 'm' menuentry, 's' submenu, 'o' other block */
	int depth;
	int top;                        /* next top-level index */
	int sub;                        /* next index inside the open submenu */
	int subindex;                   /* the open submenu's own index */
	char subtitle[256], subid[256];
	struct grub_entry *cur;
};

/* The id after $menuentry_id_option or --id. */
static void entry_id(char (*av)[WLEN], int ac, char *id, size_t sz)
{
	for (int i = 2; i + 1 < ac; i++)
		if (!strcmp(av[i], "$menuentry_id_option") || !strcmp(av[i], "${menuentry_id_option}") || !strcmp(av[i], "--id"))
			snprintf(id, sz, "%s", av[i + 1]);
}

static void open_menu(struct grub_cfg *g, struct pstate *s, char (*av)[WLEN], int ac, int lineno, const char *file)
{
	int sub = !strcmp(av[0], "submenu"), in_sub = s->depth == 1 && s->kind[0] == 's';
	char path[32] = "";
	if (s->depth == 0)
		snprintf(path, sizeof(path), "%d", s->top++);
	else if (in_sub)
		snprintf(path, sizeof(path), "%d>%d", s->subindex, s->sub++);
	if (sub && s->depth == 0) {
		s->subindex = s->top - 1;
		s->sub = 0;
		snprintf(s->subtitle, sizeof(s->subtitle), "%s", ac > 1 ? av[1] : "");
		s->subid[0] = 0;
		entry_id(av, ac, s->subid, sizeof(s->subid));
	}
	if (!sub && (s->cur = new_entry(g))) {
		struct grub_entry *e = s->cur;
		snprintf(e->title, sizeof(e->title), "%s", ac > 1 ? av[1] : "");
		entry_id(av, ac, e->id, sizeof(e->id));
		snprintf(e->path, sizeof(e->path), "%s", path);
		snprintf(e->file, sizeof(e->file), "%s", file);
		e->line = lineno;
		e->recovery = is_recovery(e->title);
		if (in_sub) {
			snprintf(e->parent_title, sizeof(e->parent_title), "%s", s->subtitle);
			snprintf(e->parent_id, sizeof(e->parent_id), "%s", s->subid);
		}
	}
	if (s->depth < GRUB_MAX_DEPTH)
		s->kind[s->depth] = sub ? 's' : 'm';
	s->depth++;
}

static void top_line(struct grub_cfg *g, char (*av)[WLEN], int ac, int lineno)
{
	if (!strcmp(av[0], "blscfg"))
		g->blscfg = 1;
	else if (!strcmp(av[0], "search"))
		search_uuid(av, ac, g->top_uuid, sizeof(g->top_uuid));
	else if (!strcmp(av[0], "set") && ac >= 2 && !strncmp(av[1], "default=", 8)) {
		const char *v = av[1] + 8;
		if (strstr(v, "saved_entry"))
			g->def_saved = 1;
		else if (!strchr(v, '$')) {
			snprintf(g->def, sizeof(g->def), "%s", v);
			g->def_line = lineno;
		}
	}
}

int grub_parse(char *const *lines, int n, const char *file, struct grub_cfg *g)
{
	struct pstate s;
	char (*av)[WLEN] = malloc(MAXW * sizeof(*av));
	if (!av)
		return rc_fail(ENOMEM, "out of memory");
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < n; i++) {
		int ac = words(lines[i], av, MAXW);
		if (!ac)
			continue;
		if (av[0][0] == '}') {
			if (s.depth > 0 && --s.depth < GRUB_MAX_DEPTH && s.kind[s.depth] == 'm')
				s.cur = NULL;
			continue;
		}
		int opens = !strcmp(av[ac - 1], "{") || av[ac - 1][strlen(av[ac - 1]) - 1] == '{';
		if ((!strcmp(av[0], "menuentry") || !strcmp(av[0], "submenu")) && opens)
			open_menu(g, &s, av, ac, i + 1, file);
		else if (opens) {
			if (s.depth < GRUB_MAX_DEPTH)
				s.kind[s.depth] = 'o';
			s.depth++;
		} else if (s.cur)
			entry_line(s.cur, av, ac, i + 1);
		else if (s.depth == 0 || s.kind[0] == 'o')
			top_line(g, av, ac, i + 1);
	}
	free(av);
	return 0;
}

/* ---- BLS ---------------------------------------------------------------------- */

int grub_parse_bls(const char *text, const char *id, const char *file, struct grub_cfg *g)
{
	struct grub_entry *e = new_entry(g);
	if (!e)
		return g->truncated ? 0 : rc_fail(ENOMEM, "out of memory");
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->file, sizeof(e->file), "%s", file);
	int lineno = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[WLEN], *v;
		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)(n < WLEN - 1 ? n : WLEN - 1), p);
		p += n + (p[n] == '\n');
		char *k = line + strspn(line, " \t");
		if (!*k || *k == '#')
			continue;
		v = k + strcspn(k, " \t");
		if (*v)
			*v++ = 0;
		v += strspn(v, " \t");
		v[strcspn(v, "\r")] = 0;
		if (!strcmp(k, "title"))
			snprintf(e->title, sizeof(e->title), "%s", v);
		else if (!strcmp(k, "version"))
			snprintf(e->version, sizeof(e->version), "%s", v);
		else if (!strcmp(k, "linux"))
			snprintf(e->kernel, sizeof(e->kernel), "%s", v), e->linux_line = lineno;
		else if (!strcmp(k, "options"))
			snprintf(e->args, sizeof(e->args), "%s", v);
		else if (!strcmp(k, "initrd") && e->ninitrd < GRUB_MAX_INITRD)
			snprintf(e->initrd[e->ninitrd++], sizeof(e->initrd[0]), "%s", v), e->initrd_line = lineno;
	}
	e->line = 0;
	e->recovery = is_recovery(e->title) || strstr(id, "rescue") != NULL;
	e->uses_vars = strchr(e->kernel, '$') || strchr(e->args, '$');
	if (!e->version[0])
		version_of(e);
	return 0;
}

/* BLS entries (line 0) first, newest version first, as blscfg lists them;
 * grub.cfg's own entries keep their order after them. */
static int cmp_entry(const void *a, const void *b)
{
	const struct grub_entry *x = a, *y = b;
	int xb = x->line == 0, yb = y->line == 0;
	if (xb != yb)
		return yb - xb;
	if (!xb)
		return x->line - y->line;
	int v = strverscmp(y->version, x->version);
	return v ? v : strverscmp(y->id, x->id);
}

void grub_sort_bls(struct grub_cfg *g)
{
	if (!g->n)
		return;
	qsort(g->e, (size_t)g->n, sizeof(*g->e), cmp_entry);
	int top = 0;
	for (int i = 0; i < g->n; i++)   /* renumber the top level; submenus keep theirs */
		if (!strchr(g->e[i].path, '>'))
			snprintf(g->e[i].path, sizeof(g->e[i].path), "%d", top++);
}

/* ---- the default -------------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Does part [S, S+N) name an item with index IDX, TITLE or ID? */
static int names(const char *s, size_t n, const char *idx, size_t il, const char *title, const char *id)
{
	if (all_digits(s, n))
		return il == n && !strncmp(s, idx, n);
	return (strlen(title) == n && !strncmp(s, title, n)) || (*id && strlen(id) == n && !strncmp(s, id, n));
}

int grub_find_default(const struct grub_cfg *g, const char *val)
{
	const char *gt = strchr(val, '>');
	if (!*val)
		val = "0";
	for (int i = 0; i < g->n; i++) {
		const struct grub_entry *e = &g->e[i];
		const char *egt = strchr(e->path, '>');
		if (!gt && !egt && names(val, strlen(val), e->path, strlen(e->path), e->title, e->id))
			return i;
		if (gt && egt && names(val, (size_t)(gt - val), e->path, (size_t)(egt - e->path), e->parent_title, e->parent_id) &&
		    names(gt + 1, strlen(gt + 1), egt + 1, strlen(egt + 1), e->title, e->id))
			return i;
	}
	return -1;
}

int grub_default_var(const char *text, const char *key, char *val, size_t vsz, int *line)
{
	size_t kl = strlen(key);
	int found = 0, lineno = 0;
	char w[1][WLEN];
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char l[WLEN];
		lineno++;
		snprintf(l, sizeof(l), "%.*s", (int)(n < WLEN - 1 ? n : WLEN - 1), p);
		p += n + (p[n] == '\n');
		char *s = l + strspn(l, " \t");
		if (!strncmp(s, "export ", 7))
			s += 7 + strspn(s + 7, " \t");
		if (strncmp(s, key, kl) || s[kl] != '=')
			continue;
		/* the value is one shell word: quotes removed, a trailing comment dropped */
		if (words(s + kl + 1, w, 1) == 0)
			w[0][0] = 0;
		snprintf(val, vsz, "%s", s[kl + 1] == ' ' ? "" : w[0]);
		*line = lineno;
		found = 1;
	}
	return found;
}

/* ---- grubenv -------------------------------------------------------------- */

#define ENV_SIZE 1024
#define ENV_HEAD "# GRUB Environment Block\n"

int grubenv_get(const char *text, size_t len, const char *key, char *val, size_t vsz)
{
	size_t kl = strlen(key);
	for (size_t p = 0; p < len;) {
		const char *l = text + p, *nl = memchr(l, '\n', len - p);
		size_t n = nl ? (size_t)(nl - l) : len - p;
		if (n > kl && !strncmp(l, key, kl) && l[kl] == '=') {
			snprintf(val, vsz, "%.*s", (int)(n - kl - 1), l + kl + 1);
			return 1;
		}
		p += n + 1;
	}
	return 0;
}

int grubenv_set(const char *text, size_t len, const char *key, const char *val, char **out, size_t *outlen)
{
	char *o = malloc(ENV_SIZE + 1);
	size_t kl = strlen(key), ol = strlen(ENV_HEAD);
	if (!o)
		return rc_fail(ENOMEM, "out of memory");
	if (strchr(val, '\n'))
		return free(o), rc_fail(EINVAL, "a grubenv value cannot hold a newline");
	memcpy(o, ENV_HEAD, ol);
	for (size_t p = 0; p < len;) {
		const char *l = text + p, *nl = memchr(l, '\n', len - p);
		size_t n = nl ? (size_t)(nl - l) : len - p;
		p += n + 1;
		if (!n || l[0] == '#' || !memchr(l, '=', n) || (n > kl && !strncmp(l, key, kl) && l[kl] == '='))
			continue;
		if (ol + n + 1 > ENV_SIZE)
			return free(o), rc_fail(E2BIG, "grubenv is full");
		memcpy(o + ol, l, n);
		o[ol + n] = '\n';
		ol += n + 1;
	}
	int w = snprintf(o + ol, ENV_SIZE + 1 - ol, "%s=%s\n", key, val);
	if (w < 0 || ol + (size_t)w > ENV_SIZE)
		return free(o), rc_fail(E2BIG, "grubenv has no room for %s=%s", key, val);
	ol += (size_t)w;
	memset(o + ol, '#', ENV_SIZE - ol);
	o[ENV_SIZE] = 0;
	*out = o;
	*outlen = ENV_SIZE;
	return 0;
}

int kparam(const char *args, const char *name, char *val, size_t vsz)
{
	size_t nl = strlen(name);
	int found = 0;
	for (const char *p = args; *p;) {
		p += strspn(p, " \t");
		size_t n = 0;
		for (int q = 0; p[n] && (q || (p[n] != ' ' && p[n] != '\t')); n++)
			q ^= p[n] == '"';
		if (n >= nl && !strncmp(p, name, nl) && (n == nl || p[nl] == '=')) {
			snprintf(val, vsz, "%.*s", n == nl ? 0 : (int)(n - nl - 1), p + nl + 1);
			found = 1;   /* the last one counts, as for the kernel */
		}
		p += n;
	}
	return found;
}

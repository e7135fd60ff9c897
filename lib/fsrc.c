/* fsrc: the file view the network and firewall analysis reads through. */
#include "fsrc.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int t_read(void *ctx, const char *path, char **buf, size_t *len, size_t max)
{
	return tree_read(ctx, path, buf, len, max);
}

static int t_list(void *ctx, const char *path, char ***names, size_t *n)
{
	return tree_list(ctx, path, names, n);
}

static int t_type(void *ctx, const char *path, int follow, char *type)
{
	struct tree_stat st;
	int r = tree_stat(ctx, path, follow, &st);
	if (!r)
		*type = st.type;
	return r;
}

/* A link's target on a directory tree: the parent resolved inside the tree. */
static int t_readlink(void *ctx, const char *path, char *buf, size_t sz)
{
	int dfd = tree_dirfd(ctx);
	if (tree_kind(ctx) != TREE_DIR || dfd < 0)
		return -ENOTSUP;
	char dir[PATH_MAX];
	fs_strlcpy(dir, path, sizeof(dir));
	char *slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = 0;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, dfd, dir[0] ? dir + 1 : ".", &how, sizeof(how));
	if (fd < 0)
		return -errno;
	ssize_t n = readlinkat(fd, slash + 1, buf, sz - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return 0;
}

static const struct fsrc_ops tree_ops = { t_read, t_list, t_type, t_readlink };

void fsrc_tree(struct fsrc *s, struct tree *t)
{
	s->ops = &tree_ops;
	s->ctx = t;
}

int fsrc_read(const struct fsrc *s, const char *path, char **buf, size_t *len, size_t max)
{
	*buf = NULL;
	*len = 0;
	return s->ops->read(s->ctx, path, buf, len, max);
}

int fsrc_list(const struct fsrc *s, const char *path, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	return s->ops->list(s->ctx, path, names, n);
}

char fsrc_type(const struct fsrc *s, const char *path, int follow)
{
	char t = 0;
	if (s->ops->type(s->ctx, path, follow, &t))
		return 0;
	return t;
}

int fsrc_readlink(const struct fsrc *s, const char *path, char *buf, size_t sz)
{
	if (!s->ops->readlink)
		return -ENOTSUP;
	return s->ops->readlink(s->ctx, path, buf, sz);
}

int fsrc_exists(const struct fsrc *s, const char *path)
{
	return fsrc_type(s, path, 1) != 0;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int fsrc_glob(const struct fsrc *s, const char *pattern, size_t max, char ***paths, size_t *n)
{
	*paths = NULL;
	*n = 0;
	const char *slash = strrchr(pattern, '/');
	const char *g = strpbrk(pattern, "*?[");
	if (!slash || (g && g < slash))
		return rc_fail(EINVAL, "%s: only the last component may hold a wildcard", pattern);
	char **out = calloc(max + 1, sizeof(char *));
	if (!out)
		return -ENOMEM;
	if (!has_glob(pattern)) {
		out[0] = strdup(pattern);
		*paths = out;
		*n = out[0] ? 1 : 0;
		return out[0] ? 0 : -ENOMEM;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - pattern), pattern);
	char **names;
	size_t nn, k = 0;
	int r = fsrc_list(s, dir[0] ? dir : "/", &names, &nn);
	if (r == -ENOENT || r == -ENOTDIR)
		r = 0, nn = 0, names = NULL;
	for (size_t i = 0; !r && i < nn; i++) {
		if (names[i][0] == '.' || fnmatch(slash + 1, names[i], FNM_PERIOD))
			continue;
		if (k == max) {
			r = rc_fail(E2BIG, "%s: more than %zu files match", pattern, max);
			break;
		}
		if (asprintf(&out[k], "%s/%s", dir, names[i]) < 0)
			r = -ENOMEM;
		else
			k++;
	}
	if (names)
		tree_free_list(names, nn);
	if (r) {
		tree_free_list(out, k);
		return r;
	}
	*paths = out;
	*n = k;
	return 0;
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');
	return strcmp(x ? x : "", y ? y : "");
}

/* Is BASE (from '/') already among ALL[0..K)? */
static int have_base(char **all, size_t k, const char *path)
{
	for (size_t j = 0; j < k; j++)
		if (!strcmp(strrchr(all[j], '/'), strrchr(path, '/')))
			return 1;
	return 0;
}

int fsrc_confdirs(const struct fsrc *s, const char *sub, const char *exts, size_t max, char ***paths, size_t *n)
{
	static const char *const roots[] = { "/etc", "/run", "/usr/lib", "/lib" };
	size_t next = 0, k = 0;
	for (const char *e = exts; *e; e += strlen(e) + 1)
		next++;
	char **all = calloc(max * 4 * next + 1, sizeof(char *));
	if (!all)
		return -ENOMEM;
	for (size_t d = 0; d < 4; d++)
		for (const char *e = exts; *e; e += strlen(e) + 1) {
			char pat[PATH_MAX], **p;
			size_t np;
			snprintf(pat, sizeof(pat), "%s/%s/*.%s", roots[d], sub, e);
			if (fsrc_glob(s, pat, max, &p, &np))
				continue;
			for (size_t i = 0; i < np; i++) {
				if (have_base(all, k, p[i]))
					free(p[i]);
				else
					all[k++] = p[i];
			}
			free(p);
		}
	qsort(all, k, sizeof(char *), cmp_base);
	*paths = all, *n = k;
	return 0;
}

int flines_set(struct flines *l, const char *text, size_t len, const char *file)
{
	memset(l, 0, sizeof(*l));
	if (memchr(text, 0, len))
		return rc_fail(EINVAL, "%s: holds a NUL byte: not a text file", file);
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	l->buf = malloc(len + 1);
	l->line = calloc(cap + 1, sizeof(char *));
	if (!l->buf || !l->line) {
		flines_free(l);
		return -ENOMEM;
	}
	memcpy(l->buf, text, len);
	l->buf[len] = 0;
	for (char *p = l->buf; p < l->buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(l->buf + len - p));
		char *e = nl ? nl : l->buf + len;
		if ((size_t)(e - p) > FSRC_MAX_LINE) {
			int ln = l->n + 1;
			flines_free(l);
			return rc_fail(E2BIG, "%s line %d: longer than %zu bytes", file, ln, FSRC_MAX_LINE);
		}
		*e = 0;
		if (e > p && e[-1] == '\r')
			e[-1] = 0;
		l->line[l->n++] = p;
		p = e + 1;
	}
	return 0;
}

int flines_read(const struct fsrc *s, const char *path, size_t max, struct flines *l)
{
	char *buf;
	size_t len;
	memset(l, 0, sizeof(*l));
	int r = fsrc_read(s, path, &buf, &len, max);
	if (r == -EFBIG)
		return rc_fail(EFBIG, "%s: larger than %zu bytes", path, max);
	if (r)
		return r;
	r = flines_set(l, buf, len, path);
	free(buf);
	return r;
}

void flines_free(struct flines *l)
{
	free(l->buf);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

char *fs_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

int fs_strlcpy(char *dst, const char *src, size_t sz)
{
	size_t n = strlen(src);
	if (!sz)
		return -E2BIG;
	size_t c = n < sz ? n : sz - 1;
	memcpy(dst, src, c);
	dst[c] = 0;
	return c == n ? 0 : -E2BIG;
}

int fs_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

int fs_shvar(const char *line, char *key, size_t ksz, char *val, size_t vsz)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!strncmp(line, "export ", 7))
		line += 7;
	size_t k = 0;
	while (isalnum((unsigned char)line[k]) || line[k] == '_')
		k++;
	if (!k || line[k] != '=' || k >= ksz)
		return 0;
	memcpy(key, line, k);
	key[k] = 0;
	const char *p = line + k + 1;
	size_t n = 0;
	char q = 0;
	for (; *p; p++) {
		if (q) {
			if (*p == q) {
				q = 0;
				continue;
			}
		} else if (*p == '"' || *p == '\'') {
			q = *p;
			continue;
		} else if (isspace((unsigned char)*p) || *p == '#') {
			break;
		}
		if (n + 1 < vsz)
			val[n++] = *p;
	}
	val[n] = 0;
	return 1;
}

int fs_shvar_get(const struct flines *l, const char *key, char *val, size_t vsz)
{
	int at = 0;
	char k[64], v[512];
	for (int i = 0; i < l->n; i++)
		if (fs_shvar(l->line[i], k, sizeof(k), v, sizeof(v)) && !strcmp(k, key)) {
			snprintf(val, vsz, "%s", v);
			at = i + 1;
		}
	return at;
}

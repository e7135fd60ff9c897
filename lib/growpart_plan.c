/* The plan of disable-growpart checked against the tree before anything is
 * written: every path it writes and every directory above it, looked at
 * without following the last link (lstat). See growpart.h. */
#include "growpart.h"
#include "err.h"
#include <stdio.h>
#include <string.h>

/* What is at PATH, in words, for a refusal. */
static const char *kind(struct tree *t, const char *path, char type)
{
	struct tree_stat st;
	switch (type) {
	case 'l':
		return tree_stat(t, path, 1, &st) ? "a dangling symbolic link" :
		       st.type == 'd' ? "a symbolic link to a directory" : "a symbolic link";
	case 'd':
		return "a directory";
	case 'f':
		return "a regular file";
	default:
		return "neither a regular file nor a directory (a FIFO, socket or device)";
	}
}

static int refuse(struct tree *t, const char *path, char type, const char *want)
{
	return rc_failx(RC_EXIT_REFUSED, type == 'l' ? ELOOP : EEXIST, "%s is %s, where %s is needed; nothing "
			"was written. Remove or rename it first", path, kind(t, path, type), want);
}

/* Does an action before index UPTO create directory DIR? */
static int planned_dir(const struct growpart_report *rep, int upto, const char *dir)
{
	for (int i = 0; i < upto && rep; i++)
		if (rep->act[i].op == GP_OP_MKDIR && !strcmp(rep->act[i].path, dir))
			return 1;
	return 0;
}

int gp_check_dirs(struct tree *t, const struct growpart_report *rep, int upto, const char *path)
{
	char dir[256];
	for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		struct tree_stat st;
		int r = tree_stat(t, dir, 0, &st);
		if (r == -ENOENT) {
			if (planned_dir(rep, upto, dir))
				continue;
			return rc_failx(RC_EXIT_REFUSED, ENOENT, "%s does not exist; nothing was written", dir);
		}
		if (r)
			return rc_context(r, "looking at %s", dir);
		if (st.type == 'd')
			continue;
		/* a link to a directory inside the tree is followed as cloud-init would */
		struct tree_stat to;
		if (st.type == 'l' && !tree_stat(t, dir, 1, &to) && to.type == 'd')
			continue;
		return refuse(t, dir, st.type, "a directory");
	}
	return 0;
}

/* PATH itself, for action OP: absent, or of the one type it may have. */
static int check_path(struct tree *t, enum gp_op op, const char *path)
{
	struct tree_stat st;
	int r = tree_stat(t, path, 0, &st);
	if (r == -ENOENT)
		return op == GP_OP_REPLACE ? rc_failx(RC_EXIT_REFUSED, ENOENT, "%s went away; nothing was written", path)
					   : 0;
	if (r)
		return rc_context(r, "looking at %s", path);
	if (op == GP_OP_MKDIR)
		return st.type == 'd' ? 0 : refuse(t, path, st.type, "a directory");
	return st.type == 'f' ? 0 : refuse(t, path, st.type, "a regular file");
}

int gp_check_plan(struct tree *t, const struct growpart_report *rep)
{
	for (int i = 0; i < rep->nact; i++) {
		const struct gp_action *a = &rep->act[i];
		int r = gp_check_dirs(t, rep, i, a->path);
		if (!r && !planned_dir(rep, i, a->path))
			r = check_path(t, a->op, a->path);
		if (!r && a->op == GP_OP_REPLACE && a->backup[0])
			r = check_path(t, GP_OP_CREATE, a->backup);
		if (r)
			return r;
	}
	return 0;
}

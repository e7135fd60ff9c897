/* The step kinds of a shrink: each one's words (what it does and changes,
 * the disk's state once it is done or if it fails, how to undo it and go
 * on) next to its action. The order and the contract are in shrink.h; the
 * commit loop is lib/plan.c. */
#include "shrink.h"
#include "shrink_priv.h"
#include "err.h"
#include "growpart.h"
#include "run.h"
#include "target.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)

/* ---- running programs ---------------------------------------------------- */

/* The last lines of a program's output, on one line, for messages. */
static const char *tail(const char *out, char *buf, size_t sz)
{
	buf[0] = 0;
	if (!out)
		return buf;
	size_t l = strlen(out);
	while (l && (out[l - 1] == '\n' || out[l - 1] == ' '))
		l--;
	size_t from = l > sz - 1 ? l - (sz - 1) : 0;
	int nl = 0;
	for (size_t i = l; i > from; i--)
		if (out[i - 1] == '\n' && ++nl == 4) {
			from = i;
			break;
		}
	snprintf(buf, sz, "%.*s", (int)(l - from), out + from);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

/* Run a program for step ST: on our terminal when LIVE and the request
 * allows it, else captured and handed to the plan's output hook. *OUT is
 * the capture or NULL (the caller frees it). */
int shrink_tool_fl(struct plan *p, struct plan_step *st, char *const argv[], int live, unsigned flags, int *status,
		   char **out)
{
	struct shrink *s = plan_arg(p);
	unsigned fl = (live && s->rq.live ? 0 : (RUN_CAPTURE | RUN_STDERR)) | flags;
	*out = NULL;
	int r = run_cmd(argv, fl, status, out, NULL);
	if (r == 0 && *out)
		plan_output(p, st, *out);
	return r;
}

int shrink_tool(struct plan *p, struct plan_step *st, char *const argv[], int live, int *status, char **out)
{
	return shrink_tool_fl(p, st, argv, live, 0, status, out);
}

/* " (exit 4: last lines)" */
const char *shrink_why(int status, const char *out, char *buf, size_t sz)
{
	char t[512];
	snprintf(buf, sz, "exit %d%s%s", status, out ? ": " : "", tail(out, t, sizeof(t)));
	return buf;
}

int shrink_min_blocks(const char *dev, uint64_t *blocks)
{
	char *av[] = { "resize2fs", "-P", (char *)dev, NULL };
	char *out = NULL, w[600];
	int st, r = run_cmd(av, RUN_CAPTURE | RUN_STDERR, &st, &out, NULL);
	if (r < 0)
		return r;
	const char *p = out ? strstr(out, "minimum size of the filesystem:") : NULL;
	if (st || !p || sscanf(p + 31, "%" SCNu64, blocks) != 1)
		r = rc_fail(EIO, "resize2fs -P %s could not estimate the minimum size (%s)", dev,
			    shrink_why(st, out, w, sizeof(w)));
	free(out);
	return r;
}

static struct plan_step *new_step(struct shrink *s, const char *kind, const char *name, plan_fn run)
{
	struct plan_step *st = plan_add(s->plan, kind, name);
	if (st)
		st->run = run;
	return st;
}

/* Sizes said the same way in every step. */
struct words {
	char part_old[32], part_new[32], fs_new[32];
	char done[PLAN_TEXT];   /* the shrink as done: "/dev/sda3 is 200 MiB ... old table in ..." */
};

/* ---- 1. save the table ---------------------------------------------------- */

static int run_save(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	int r = part_save_script(s->d, s->backup);
	if (r == 0)
		plan_result(st, "this rescue system forgets files on reboot: copy %s somewhere safe", s->backup);
	return r;
}

static int add_save(struct shrink *s)
{
	struct plan_step *st = new_step(s, "save-table", "save the table", run_save);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	SET(st->does, "save the partition table to %s (restore: %s)", s->backup, s->restore);
	SET(st->changes, "a new file on this rescue system (%s); nothing on the disk", s->backup);
	SET(st->after, "nothing on the disk was changed; the old partition table is saved in %s", s->backup);
	SET(st->resume, "run shrink-root again");
	return 0;
}

/* ---- 2. e2fsck -f ------------------------------------------------------- */

int shrink_run_fsck(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "e2fsck", "-f", s->rq.yes ? "-y" : "-p", s->dev, NULL }, *out, w[600];
	int status, r = shrink_tool(p, st, av, 1, &status, &out);
	if (r < 0)
		return r;
	plan_touch(st);
	if (!s->rq.yes && status == 4)
		r = rc_failx(RC_EXIT_REFUSED, EUCLEAN, "e2fsck -p could not repair %s alone (%s). Run again with "
			     "--yes to let 'e2fsck -f -y' repair it, or run 'e2fsck -f %s' yourself",
			     s->dev, shrink_why(status, out, w, sizeof(w)), s->dev);
	else if (status & ~3)
		r = rc_fail(EIO, "e2fsck failed on %s (%s)", s->dev, shrink_why(status, out, w, sizeof(w)));
	else if (status & 1)
		plan_warn(p, "e2fsck repaired %s", s->dev);
	free(out);
	return r;
}

static int add_fsck(struct shrink *s)
{
	struct plan_step *st = new_step(s, "fsck", "e2fsck", shrink_run_fsck);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	SET(st->does, "e2fsck -f %s %s", s->rq.yes ? "-y" : "-p", s->dev);
	SET(st->changes, "the filesystem on %s, where e2fsck finds something to repair", s->dev);
	SET(st->after, "e2fsck checked the filesystem on %s; it was not resized and the partition table "
	    "is unchanged (saved in %s)", s->dev, s->backup);
	SET(st->if_failed, "e2fsck stopped (it may have made repairs); the filesystem was not resized and "
	    "the partition table is unchanged");
	SET(st->resume, "run 'e2fsck -f %s' yourself, then shrink-root again", s->dev);
	return 0;
}

/* ---- 3. resize2fs ------------------------------------------------------- */

/* The estimate again, on the checked filesystem; then the resize; then
 * its result, block for block. */
int shrink_run_resize(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char a[32], b[32], size[32], w[600], *out;
	uint64_t minb;
	int status, r = shrink_min_blocks(s->dev, &minb);
	if (r < 0)
		return r;
	if (minb > s->sz.fs_blocks)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "after e2fsck, resize2fs estimates the minimum of %s at "
				"%s, above the planned %s; choose a larger size", s->dev,
				size_format(minb * s->fi.block_size, a, sizeof(a)),
				size_format(s->sz.fs_blocks * s->fi.block_size, b, sizeof(b)));
	snprintf(size, sizeof(size), "%" PRIu64 "K", s->sz.fs_blocks * (s->fi.block_size / 1024));
	char *av[8];
	int n = 0;
	av[n++] = "resize2fs";
	if (s->rq.progress)
		av[n++] = "-p";
	if (s->undo[0]) {
		av[n++] = "-z";
		av[n++] = s->undo;
	}
	av[n++] = s->dev;
	av[n++] = size;
	av[n] = NULL;
	plan_touch(st);
	if (s->undo_dev ? (r = shrink_devlog_begin(s)) < 0 : s->undo[0] && (r = shrink_fileloc_begin(s)) < 0)
		return r;
	if ((r = shrink_tool_fl(p, st, av, 1, RUN_NOINTR, &status, &out)) < 0) {
		if (s->undo_dev)
			unsetenv("RESCUECTL_UNDO_AT");
		return r;
	}
	if (status) {
		char why[600];
		snprintf(why, sizeof(why), "resize2fs stopped (%s)", shrink_why(status, out, w, sizeof(w)));
		free(out);
		return shrink_undo_after_failure(p, st, why);
	}
	free(out);
	shrink_undo_done(s);
	struct ext4_info now;
	if (!r && (r = ext4_read_info(s->dev, &now)) == 0 && now.blocks != s->sz.fs_blocks)
		r = rc_fail(EIO, "after resize2fs the filesystem on %s is %" PRIu64 " blocks, not the planned %" PRIu64,
			    s->dev, now.blocks, s->sz.fs_blocks);
	return r;
}

/* After resize2fs failed: what e2fsck -fn and the superblock say now. */
int shrink_inspect_fs(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char *chk[] = { "e2fsck", "-f", "-n", s->dev, NULL }, *out = NULL;
	int cs = -1;
	size_t l = 0;
	struct ext4_info now;
	if (run_cmd(chk, RUN_QUIET | RUN_CAPTURE | RUN_STDERR, &cs, &out, NULL) == 0)
		l = (size_t)SET(st->found, "'e2fsck -fn' now says it is %s", cs ? "NOT clean" : "clean");
	free(out);
	if (l >= sizeof(st->found) || ext4_read_info(s->dev, &now) < 0)
		return 0;
	if (now.blocks == s->fi.blocks)
		snprintf(st->found + l, sizeof(st->found) - l, "%sits size is unchanged (%" PRIu64 " blocks)",
			 l ? "; " : "", now.blocks);
	else
		snprintf(st->found + l, sizeof(st->found) - l, "%sits size is %" PRIu64 " blocks (it was %" PRIu64 ")",
			 l ? "; " : "", now.blocks, s->fi.blocks);
	return 0;
}

static int add_resize(struct shrink *s, const struct words *w)
{
	if (s->sz.fs_blocks >= s->fi.blocks)   /* it fits the new partition already */
		return 0;
	struct plan_step *st = new_step(s, "resize-fs", "resize2fs", shrink_run_resize);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->inspect = shrink_inspect_fs;
	SET(st->changes, "the size of the filesystem on %s (data past the new end is moved)", s->dev);
	SET(st->after, "the filesystem on %s is shrunk to %s (%" PRIu64 " blocks); its partition is "
	    "unchanged (%s), so it fits with room to spare", s->dev, w->fs_new, s->sz.fs_blocks, w->part_old);
	SET(st->undo, "'resize2fs %s' grows the filesystem back to fill its partition", s->dev);
	shrink_resize_words(s, st, "the partition table was NOT touched");
	return 0;
}

/* ---- 4. the table in memory -------------------------------------------- */

static int add_table_edits(struct shrink *s, const struct words *w, uint64_t new_end)
{
	int write_n = (int)plan_count(s->plan) + 2 + s->nnew;
	char a[32];
	struct plan_step *st = new_step(s, "shrink-partition", "", NULL);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	SET(st->name, "shrink partition %zu", s->partno);
	SET(st->does, "shrink partition %zu of %s to sectors %" PRIu64 "-%" PRIu64 " (%s), same start, type, "
	    "PARTUUID and name", s->partno, s->disk, s->pi.start, new_end, w->part_new);
	SET(st->changes, "the partition table in memory; step %d writes it", write_n);
	for (int i = 0; i < s->nnew; i++) {
		const struct part_info *np = &s->newp[i].pi;
		if (!(st = new_step(s, "add-partition", "", NULL)))
			return rc_fail(ENOMEM, "out of memory");
		SET(st->name, "add partition %zu", np->partno);
		SET(st->does, "add partition %zu: sectors %" PRIu64 "-%" PRIu64 " (%s), type %s%s%s%s", np->partno,
		    np->start, np->start + np->size - 1, size_format(np->size * s->g.sector_size, a, sizeof(a)),
		    np->type_name[0] ? np->type_name : np->type,
		    np->name[0] ? ", name \"" : "", np->name, np->name[0] ? "\"" : "");
		SET(st->changes, "the partition table in memory; step %d writes it", write_n);
	}
	return 0;
}

/* ---- 5. write the table ------------------------------------------------- */

static int run_write(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	plan_touch(st);
	return part_write(s->d);
}

static int undo_write(struct plan *p, struct plan_step *st)
{
	(void)st;
	struct shrink *s = plan_arg(p);
	return part_restore(s->d);
}

static int add_write(struct shrink *s, const struct words *w)
{
	struct plan_step *st = new_step(s, "write-table", "write the table", run_write);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->undo_fn = undo_write;
	st->flags = PLAN_UNDO_SELF;
	SET(st->does, "write the partition table of %s", s->disk);
	SET(st->changes, "the partition table of %s (%s)", s->disk,
	    !strcmp(s->g.label, "gpt") ? "both GPT headers and entries" : "the MBR and its EBRs");
	SET(st->after, "the new partition table is written (the kernel not yet told): %s", w->done);
	SET(st->if_failed, "writing the partition table failed partway; the filesystem is already shrunk to "
	    "%s, which fits inside the old and the new partition alike, so no data is at risk", w->fs_new);
	SET(st->undo, "'%s' puts the old table back (the filesystem fits the old partition too)", s->restore);
	SET(st->resume, "run shrink-root again, or grow the filesystem back with 'resize2fs %s' once the old "
	    "table is in place", s->dev);
	return 0;
}

/* ---- 6. tell the kernel ------------------------------------------------- */

int shrink_new_node(const char *disk, struct shrink_new *n)
{
	char name[128];
	for (int i = 0; i < 50; i++) {
		if (part_kernel_name(disk, n->partno, name, sizeof(name)) == 0) {
			snprintf(n->node, sizeof(n->node), "%s/dev/%s", sysroot(), name);
			if (access(n->node, F_OK) == 0)
				return 0;
		}
		usleep(100000);
	}
	n->node[0] = 0;
	return rc_fail(ENOENT, "no device node for partition %zu of %s appeared within 5 s", n->partno, disk);
}

static int run_kernel(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	plan_touch(st);
	int r = part_tell_kernel(s->d);
	for (int i = 0; r == 0 && i < s->nnew; i++)
		if (shrink_new_node(s->disk, &s->newp[i]) < 0)
			plan_warn(p, "no device node for new partition %zu%s", s->newp[i].partno,
				  s->rq.mkfs ? "; make its filesystem by hand" : "");
	return r;
}

static int add_kernel(struct shrink *s, const struct words *w)
{
	struct plan_step *st = new_step(s, "tell-kernel", "tell the kernel", run_kernel);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->flags = PLAN_CONTINUE;
	SET(st->does, "tell the kernel per partition (BLKPG)");
	SET(st->changes, "the kernel's view of the partitions of %s (nothing on the disk)", s->disk);
	SET(st->after, "the new partition table is written and in use: %s", w->done);
	SET(st->if_failed, "the kernel still sees the old partition layout (the table on the disk is right, "
	    "and the filesystem fits the old and the new partition alike)");
	SET(st->resume, "run 'partx -u %s' (or reboot) before using the new partitions", s->disk);
	return 0;
}

/* ---- 7. growpart in the target ------------------------------------------- */

static int run_growpart(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	struct target tg;
	struct growpart_report rep;
	memset(&rep, 0, sizeof(rep));
	int r = target_open(s->dev, NULL, TARGET_RW, &tg);
	if (r == 0) {
		plan_touch(st);
		r = target_writable(&tg);
		if (!r)
			r = growpart_disable_dev(tg.tree, &tg.id, 0, &rep);
		int r2 = target_close(&tg);
		if (!r)
			r = r2;
	}
	/* its warnings were given with the plan */
	growpart_report_free(&rep);
	return r;
}

static int add_growpart(struct shrink *s, const struct words *w)
{
	for (int i = 0; i < s->ngp; i++) {
		/* one line per change; the last step writes them all */
		struct plan_step *st = new_step(s, "growpart", "disable growpart", i == s->ngp - 1 ? run_growpart : NULL);
		if (!st)
			return rc_fail(ENOMEM, "out of memory");
		s->gp_step = st->n;
		SET(st->does, "stop growpart growing the root back: %s", s->gp_actions[i]);
		SET(st->changes, "files in the target's /etc on %s (written offline)", s->dev);
		SET(st->after, "%s; growpart will not grow the root back", w->done);
		SET(st->if_failed, "growpart is NOT disabled: cloud-init would grow the root back on the next boot");
		SET(st->undo, "'rescuectl disable-growpart --undo %s' takes it back", s->dev);
		SET(st->resume, "run 'rescuectl disable-growpart %s' before rebooting", s->dev);
		st->flags = PLAN_CONTINUE;
	}
	return 0;
}

/* ---- 8. verify ---------------------------------------------------------- */

int shrink_run_verify(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "e2fsck", "-f", "-n", s->dev, NULL }, *out, w[600];
	int status, r = shrink_tool(p, st, av, 0, &status, &out);
	if (r == 0 && status)
		r = rc_fail(EUCLEAN, "'e2fsck -fn %s' reports problems (%s)", s->dev, shrink_why(status, out, w, sizeof(w)));
	free(out);
	return r;
}

static int add_verify(struct shrink *s, const struct words *w)
{
	struct plan_step *st = new_step(s, "verify", "verify", shrink_run_verify);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->flags = PLAN_CHECK;
	SET(st->does, "e2fsck -f -n %s (verify)", s->dev);
	SET(st->changes, "nothing (a read-only check)");
	SET(st->after, "the shrink is done and the filesystem verified clean: %s", w->done);
	SET(st->resume, "run 'e2fsck -f %s' (the new table is written; the old one is in %s)", s->dev, s->backup);
	return 0;
}

/* ---- 9. filesystems on the new partitions ------------------------------- */

int shrink_run_mkfs(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	struct shrink_new *n = st->arg;
	char prog[32], w[600], *out;
	if (!n->node[0])
		return rc_fail(ENOENT, "the new device (partition %zu) has no device node", n->partno);
	const char *force = n->swap ? NULL : shrink_mkfs_force(s->rq.mkfs);
	shrink_mkfs_prog(s, n, prog, sizeof(prog));
	char *av[] = { prog, force ? (char *)force : n->node,
		       force ? n->node : NULL, NULL };
	int status, r = shrink_tool(p, st, av, 0, &status, &out);
	if (r == 0) {
		plan_touch(st);
		if (status)
			r = rc_fail(EIO, "%s %s failed (%s)", prog, n->node, shrink_why(status, out, w, sizeof(w)));
		else
			n->made = 1;
	}
	free(out);
	return r;
}

static int add_mkfs(struct shrink *s, const struct words *w, int kernel_n)
{
	char prog[32];
	for (int i = 0; s->rq.mkfs && i < s->nnew; i++) {
		struct shrink_new *n = &s->newp[i];
		struct plan_step *st = new_step(s, "mkfs", "", shrink_run_mkfs);
		if (!st)
			return rc_fail(ENOMEM, "out of memory");
		const char *fs = n->swap ? "swap" : s->rq.mkfs, *force = n->swap ? NULL : shrink_mkfs_force(fs);
		st->arg = n;
		st->needs = kernel_n;
		st->flags = PLAN_CONTINUE;
		shrink_mkfs_prog(s, n, prog, sizeof(prog));
		SET(st->name, "%s on partition %zu", prog, n->partno);
		SET(st->does, "make %s on new partition %zu: %s%s%s", n->swap ? "swap space" : "a filesystem",
		    n->partno, prog, force ? " " : "", force ? force : "");
		SET(st->changes, "new partition %zu (nothing was on it)", n->partno);
		SET(st->after, "the shrink is done and verified; new partition %zu holds %s: %s", n->partno, fs, w->done);
		SET(st->if_failed, "new partition %zu has no %s yet", n->partno, fs);
		SET(st->resume, "run '%s' on new partition %zu yourself (lsblk %s shows its node)", prog, n->partno, s->disk);
	}
	return 0;
}

/* ---- the plan ------------------------------------------------------------ */

int shrink_add_steps(struct shrink *s)
{
	struct words w;
	uint64_t ss = s->g.sector_size;
	size_format(s->pi.size * ss, w.part_old, sizeof(w.part_old));
	size_format(s->sz.new_size * ss, w.part_new, sizeof(w.part_new));
	size_format(s->sz.fs_blocks * s->fi.block_size, w.fs_new, sizeof(w.fs_new));
	SET(w.done, "%s is %s and its filesystem %s; the old table is in %s", s->dev, w.part_new, w.fs_new, s->backup);
	int r;
	if (s->already)
		return (r = add_growpart(s, &w)) < 0 ? r : add_verify(s, &w);
	if ((r = add_save(s)) < 0 || (r = add_fsck(s)) < 0 || (r = add_resize(s, &w)) < 0 ||
	    (r = add_table_edits(s, &w, s->sz.new_end)) < 0 || (r = add_write(s, &w)) < 0 || (r = add_kernel(s, &w)) < 0)
		return r;
	int kernel_n = (int)plan_count(s->plan);
	if ((r = add_growpart(s, &w)) < 0 || (r = add_verify(s, &w)) < 0 || (r = add_mkfs(s, &w, kernel_n)) < 0)
		return r;
	return 0;
}

/* The disk's steps of a plan whose container shrinks first (--pv): the
 * partition s->partno of s->disk becomes NEW_SIZE sectors, ending at
 * NEW_END; DONE says the whole shrink in words. */
static void disk_words(const struct shrink *s, uint64_t new_size, const char *done, struct words *w)
{
	size_format(s->pi.size * s->g.sector_size, w->part_old, sizeof(w->part_old));
	size_format(new_size * s->g.sector_size, w->part_new, sizeof(w->part_new));
	size_format(s->sz.fs_blocks * s->fi.block_size, w->fs_new, sizeof(w->fs_new));
	SET(w->done, "%s", done);
}

int shrink_add_disk_steps(struct shrink *s, uint64_t new_size, uint64_t new_end, const char *done, int *kernel_n)
{
	struct words w;
	int r;
	disk_words(s, new_size, done, &w);
	if ((r = add_save(s)) < 0 || (r = add_table_edits(s, &w, new_end)) < 0 || (r = add_write(s, &w)) < 0 ||
	    (r = add_kernel(s, &w)) < 0)
		return r;
	*kernel_n = (int)plan_count(s->plan);
	return add_growpart(s, &w);
}

int shrink_add_growpart_steps(struct shrink *s, const char *done)
{
	struct words w;
	memset(&w, 0, sizeof(w));
	SET(w.done, "%s", done);
	return add_growpart(s, &w);
}

int shrink_add_mkfs_steps(struct shrink *s, uint64_t new_size, const char *done, int kernel_n)
{
	struct words w;
	disk_words(s, new_size, done, &w);
	return add_mkfs(s, &w, kernel_n);
}

int shrink_commit(struct shrink *s, const struct plan_hooks *hooks)
{
	int r = plan_commit(s->plan, hooks);
	if (s->gp_step) {
		enum plan_status st = plan_step(s->plan, (size_t)s->gp_step - 1)->status;
		s->growpart = st == PLAN_DONE ? "disabled" : st == PLAN_FAILED ? "failed" : "not done";
	}
	return r;
}

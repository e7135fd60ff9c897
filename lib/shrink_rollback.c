/* shrink-root --rollback: put back what an interrupted resize2fs wrote.
 *
 * A shrink-root stopped inside resize2fs by a power cut, a reboot or a kill
 * of the whole session leaves the filesystem half moved, and a re-run
 * refuses it (shrink_check_devlog). The undo log resize2fs kept on the
 * device itself (lib/undo_log.h) holds the old contents of every block it
 * had overwritten; putting them back gives the filesystem exactly as it was
 * before resize2fs. The plan:
 *   1. put the saved blocks back (undo_log_replay; repeatable: a cut here
 *      leaves the locator, and the next --rollback does it again);
 *   2. forget the log (its locator zeroed);
 *   3. e2fsck -fn (verify).
 * A log whose header never reached the disk holds nothing (resize2fs had
 * not written a block): only step 2. Where the log was an undo file (the
 * locator names it): e2undo FILE DEV instead of step 1 when the file is
 * still there and the filesystem carries resize2fs's mark; when the file
 * is gone (the rescue system's RAM), nothing can be put back: only step
 * 2, with a warning that says so and what to do; without the mark (it
 * finished), the locator is stale: only step 2. No log of this filesystem: no step,
 * and the applet says there is nothing to roll back (exit 0) -- a re-run
 * is harmless. The device is locked (flock) from planning to the end.
 * Never prints; 0 or -errno with a message. */
#include "shrink.h"
#include "shrink_priv.h"
#include "err.h"
#include "run.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)

static int open_rw(const struct shrink *s)
{
	int fd = open(s->dev, O_RDWR | O_CLOEXEC);
	return fd < 0 ? rc_fail(errno, "cannot open %s for writing", s->dev) : fd;
}

static int run_replay(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	struct undo_replay rp;
	int fd = open_rw(s);
	if (fd < 0)
		return fd;
	plan_touch(st);
	int r = undo_log_replay(fd, &s->undo_loc, &rp);
	close(fd);
	if (r == 0)
		plan_result(st, "%" PRIu64 " blocks put back%s", rp.applied,
			    rp.torn ? "; records the power cut tore were left out (their writes never happened)" : "");
	return r;
}

static int run_forget(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	int fd = open_rw(s);
	if (fd < 0)
		return fd;
	plan_touch(st);
	int r = undo_loc_clear(fd);
	close(fd);
	return r;
}

static int run_e2undo(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "e2undo", s->undo_loc.file, s->dev, NULL }, *out = NULL, w[600];
	int status, r = shrink_tool(p, st, av, 0, &status, &out);
	plan_touch(st);
	if (r == 0 && status)
		r = rc_fail(EIO, "e2undo %s %s failed (%s)", s->undo_loc.file, s->dev, shrink_why(status, out, w, sizeof(w)));
	free(out);
	return r;
}

/* An undo file's locator: what can be done (see the top). */
static int add_file_steps(struct shrink *s)
{
	struct plan_step *st;
	struct stat sb;
	int half = ext4_read_info(s->dev, &s->fi) < 0 || shrink_half_resized(&s->fi);
	int there = stat(s->undo_loc.file, &sb) == 0 && S_ISREG(sb.st_mode);
	rc_clear();
	s->undo_pending = 1;
	if (half && !there)
		plan_warn(s->plan, "the undo file %s that resize2fs wrote is gone (the rescue system's RAM is lost at "
			  "a reboot): nothing can be put back, and %s stays half moved. Copy off what matters first "
			  "('rescuectl recover %s'); then 'rescuectl fsck --yes %s' repairs what it can",
			  s->undo_loc.file, s->dev, s->dev, s->dev);
	else if (!half)
		plan_warn(s->plan, "%s is not marked as being resized: resize2fs finished, and the locator naming %s "
			  "is stale", s->dev, s->undo_loc.file);
	if (half && there) {
		int r = run_pin("e2undo", "/proc/self/exe");
		if (r < 0)
			return r;
		if (!(st = plan_add(s->plan, "replay-undo", "e2undo")))
			return rc_fail(ENOMEM, "out of memory");
		st->run = run_e2undo;
		SET(st->does, "e2undo %s %s (put back every block resize2fs overwrote)", s->undo_loc.file, s->dev);
		SET(st->changes, "the blocks of %s that resize2fs had written", s->dev);
		SET(st->after, "%s is as it was before resize2fs", s->dev);
		SET(st->if_failed, "%s is partly put back; the undo file and the locator are still there", s->dev);
		SET(st->resume, "run 'rescuectl shrink-root --rollback %s' again", s->dev);
	}
	s->undo_hdr_ok = 0;
	return 0;
}

static int add_steps(struct shrink *s)
{
	const struct undo_loc *l = &s->undo_loc;
	struct plan_step *st;
	if (s->undo_hdr_ok) {
		if (!(st = plan_add(s->plan, "replay-undo", "put back")))
			return rc_fail(ENOMEM, "out of memory");
		st->run = run_replay;
		SET(st->does, "put back every block resize2fs overwrote, from its undo log on %s (bytes %" PRIu64
		    "+%" PRIu64 ")", s->dev, l->off, l->len);
		SET(st->changes, "the blocks of %s that resize2fs had written", s->dev);
		SET(st->after, "%s is as it was before resize2fs (its old size; the files where they were)", s->dev);
		SET(st->if_failed, "%s is partly put back; the undo log is still there", s->dev);
		SET(st->resume, "run 'rescuectl shrink-root --rollback %s' again (putting back twice is the same "
		    "as once)", s->dev);
	}
	if (s->undo_loc.file[0]) {
		int r = add_file_steps(s);
		if (r < 0)
			return r;
	}
	if (!(st = plan_add(s->plan, "forget-undo", "forget the log")))
		return rc_fail(ENOMEM, "out of memory");
	st->run = run_forget;
	SET(st->does, "zero the undo log's locator in the last 4 KiB of %s", s->dev);
	SET(st->changes, "the last 4 KiB of %s (free space, outside the filesystem's files)", s->dev);
	SET(st->after, "%s is as it was before the interrupted shrink-root, with no undo log", s->dev);
	SET(st->if_failed, "the filesystem is put back; the locator may still be there");
	SET(st->resume, "run 'rescuectl shrink-root --rollback %s' again", s->dev);
	if (s->undo_loc.file[0] && plan_count(s->plan) == 1)
		return 0;   /* nothing put back: nothing to verify */
	if (!(st = plan_add(s->plan, "verify", "verify")))
		return rc_fail(ENOMEM, "out of memory");
	st->run = shrink_run_verify;
	st->flags = PLAN_CHECK;
	SET(st->does, "e2fsck -f -n %s (verify)", s->dev);
	SET(st->changes, "nothing (a read-only check)");
	SET(st->after, "%s is put back and verified clean; shrink-root can run again", s->dev);
	SET(st->if_failed, "every saved block is put back and the log forgotten, but 'e2fsck -fn %s' finds "
	    "problems: the log or the disk may be damaged", s->dev);
	SET(st->resume, "copy off what matters first ('rescuectl recover %s'), then 'rescuectl fsck --yes %s'",
	    s->dev, s->dev);
	return 0;
}

int shrink_plan_rollback(struct shrink *s)
{
	int r = dev_lock_mode(s->dev, !s->rq.dry_run, 5000, &s->rb_lock);
	if (r < 0)
		return r;
	/* the log as it is now that the device is ours */
	s->undo_pending = 0;
	struct shrink_req rq = s->rq;
	s->rq.rollback = 1;
	r = shrink_check_devlog(s);
	s->rq = rq;
	if (r < 0 || (!s->undo_pending && !s->undo_fileloc))
		return r;
	struct e2t_choice *fsck = &s->tools[s->ntools];
	if ((r = e2t_choose(E2T_E2FSCK, NULL, s->rq.checker, fsck)) < 0)
		return r;
	s->ntools++;
	return add_steps(s);
}

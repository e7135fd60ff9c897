/* resize2fs's undo file: what makes an interrupted shrink recoverable.
 *
 * resize2fs moves data and metadata in place, outside the journal. Killed
 * partway (SIGKILL, the OOM killer, a crash of rescuectl), it leaves a
 * filesystem that e2fsck "repairs" by throwing files away: measured on
 * e2fsprogs 1.47.0, a kill at 25 of 32 points spread over a shrink lost
 * files after e2fsck -fy. With -z FILE, resize2fs first copies every block
 * it overwrites into FILE, and e2undo FILE DEV puts the filesystem back
 * exactly as it was (files, size, e2fsck -fn clean) from any such point.
 *
 * So every resize2fs of shrink-root (but one: e2fsprogs 1.47's resize2fs -z
 * fails with "Resize inode is corrupt" on a filesystem of 1 KiB blocks with
 * a resize inode, and there it runs without, with a warning):
 *  - writes an undo file, by default $HOME/shrink-root-<fs UUID>.e2undo
 *    (--undo-file FILE elsewhere): planning refuses before any write when
 *    one is already there (an earlier run was interrupted inside resize2fs:
 *    e2undo first, never e2fsck -y), when its directory cannot take it, or
 *    when it has less room than the undo file may need (the bytes that
 *    can move: min(used, freed) + 3 blocks a group + 16 MiB);
 *  - runs with ^C and SIGHUP ignored (RUN_NOINTR): a dropped SSH session
 *    or an impatient key does not stop it halfway;
 *  - when it fails anyway, is followed at once by e2undo (rescuectl's own)
 *    and the step's failure says whether that put the filesystem back;
 *  - once it succeeds, its undo file is removed (the filesystem now fits
 *    the old and the new container; no later step needs it).
 * A power cut also loses the rescue system's RAM, and with it an undo file
 * kept there. So, by default, the undo file is not a file: it is a log on
 * the device itself, in free blocks past the new end (lib/undo_log.h),
 * written by rescuectl's own resize2fs, which flushes each record before
 * the write it protects. A locator at the device's end lets the next
 * rescue session find it; a re-run refuses a log resize2fs did not close
 * and names 'shrink-root --rollback', which puts the blocks back. Where
 * there is no room for it past the new end (or --undo-file, or --checker
 * system), the undo file goes to $HOME (or FILE), with a warning when that
 * is RAM.
 *
 * Never prints; returns 0 or -errno with a message (exit hint 3 for a
 * refusal). */
#include "shrink.h"
#include "shrink_priv.h"
#include "err.h"
#include "fsck.h"
#include "run.h"
#include "size.h"
#include "undo_log.h"
#include <sys/random.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ULL * 1024)

/* How many bytes the undo file may need: every block resize2fs writes is
 * saved once; it writes the data it moves (at most what is used, at most
 * what is cut off), bitmaps, descriptors and moved inode table blocks. */
uint64_t shrink_undo_need(const struct ext4_info *fi, uint64_t new_blocks)
{
	uint64_t used = fi->blocks > fi->free_blocks ? fi->blocks - fi->free_blocks : fi->blocks;
	uint64_t cut = fi->blocks > new_blocks ? fi->blocks - new_blocks : 0;
	uint64_t groups = fi->blocks_per_group ? fi->blocks / fi->blocks_per_group + 1 : 0;
	return ((used < cut ? used : cut) + 3 * groups) * fi->block_size + 16 * MIB;
}

/* The undo path: --undo-file, or $HOME/shrink-root-<fs UUID>.e2undo. */
static void undo_path(struct shrink *s)
{
	if (s->rq.undo_file) {
		snprintf(s->undo, sizeof(s->undo), "%s", s->rq.undo_file);
	} else {
		const char *home = getenv("HOME");
		snprintf(s->undo, sizeof(s->undo), "%s/shrink-root-%s.e2undo", home && *home ? home : "/root",
			 s->fi.uuid[0] ? s->fi.uuid : "no-uuid");
	}
}

static int is_undo_file(const char *path)
{
	char magic[8] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int yes = fd >= 0 && read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) && !memcmp(magic, "E2UNDO02", 8);
	if (fd >= 0)
		close(fd);
	return yes;
}

/* resize2fs marks the filesystem with errors at its first write and clears
 * the mark when it is done; the kernel and e2fsck count the errors they
 * record. Marked, none counted: a resize2fs that did not finish. */
static int half_resized(const struct ext4_info *fi)
{
	return fi->errors && fi->error_count == 0;
}

int shrink_half_resized(const struct ext4_info *fi)
{
	return half_resized(fi);
}

int shrink_check_leftover(struct shrink *s)
{
	struct stat st;
	if (s->undo_fileloc && half_resized(&s->fi))
		return rc_failx(RC_EXIT_REFUSED, EUCLEAN, "%s: an earlier shrink-root was stopped inside resize2fs (a "
				"power cut, a reboot or a kill) while its undo file was %s: the filesystem may be half "
				"moved. Run 'rescuectl shrink-root --rollback %s' (it applies that undo file if it is "
				"still there), then shrink-root again. Do NOT run 'e2fsck -y' first: it would throw "
				"away the files being moved. Nothing was changed", s->dev, s->undo_loc.file, s->dev);
	undo_path(s);
	int there = lstat(s->undo, &st) == 0;
	if (there && (!S_ISREG(st.st_mode) || !is_undo_file(s->undo)))
		return rc_failx(RC_EXIT_REFUSED, EEXIST, "%s exists and is not an undo file; name another place "
				"with --undo-file FILE. Nothing was changed", s->undo);
	if (there && half_resized(&s->fi))
		return rc_failx(RC_EXIT_REFUSED, EEXIST, "%s is the undo file of an earlier resize2fs of %s that did "
				"not finish: the filesystem may be half moved. Run 'rescuectl e2undo %s %s' (it puts the "
				"filesystem back as it was), then remove %s and run shrink-root again (its e2fsck -f makes "
				"the check e2undo asks for). Do NOT run 'e2fsck -y' first: it would throw away the files "
				"being moved. Nothing was changed", s->undo, s->dev, s->undo, s->dev, s->undo);
	if (there)
		return rc_failx(RC_EXIT_REFUSED, EEXIST, "%s is the undo file of an earlier resize2fs of %s that "
				"finished or never wrote (the filesystem is not marked as being resized): it is stale, "
				"and applying it now would undo later changes. Remove it and run shrink-root again. "
				"Nothing was changed", s->undo, s->dev);
	/* Marked with none counted and no undo file here is not refused:
	 * 'tune2fs -E force_fsck' and old kernels leave the same mark. The
	 * errors rule's words say what to do after an interrupted shrink. */
	return 0;
}

/* An undo file in RAM undoes a killed resize2fs, not a power cut: say so.
 * (Measured in the VM rig, tests/vm/cuts: a power cut inside resize2fs
 * left e2fsck -fn unclean at 5 of 51 cuts on a plain disk and 10 of 51
 * on md RAID1, where e2fsck -fy then lost a file at 3.) */
static void warn_if_ram(const struct shrink *s, const char *dir)
{
	struct statfs f;
	if (statfs(dir, &f) < 0 || (f.f_type != TMPFS_MAGIC && f.f_type != RAMFS_MAGIC))
		return;
	plan_warn(s->plan, "resize2fs's undo file %s is in RAM: it undoes a resize2fs that is killed, not one "
		  "stopped by a power cut or a reboot, which can leave the filesystem damaged; copy off what "
		  "matters first (rescuectl recover), or put the undo file on another disk (--undo-file)", s->undo);
}

static int check_room(struct shrink *s)
{
	char dir[PATH_MAX], a[32], b[32];
	struct statvfs v;
	snprintf(dir, sizeof(dir), "%s", s->undo);
	const char *d = dirname(dir);
	if (access(d, W_OK | X_OK) < 0 || statvfs(d, &v) < 0)
		return rc_failx(RC_EXIT_REFUSED, errno, "cannot create resize2fs's undo file %s: %s: %s; name another "
				"place with --undo-file FILE. Nothing was changed", s->undo, d, strerror(errno));
	uint64_t room = (uint64_t)v.f_bavail * v.f_frsize, need = shrink_undo_need(&s->fi, s->sz.fs_blocks);
	if (v.f_blocks && room < need) {  /* f_blocks 0: ramfs, which has no limit to tell */
		/* a small rescue system must still be able to shrink, as it
		 * could before the undo file: without one, and said so */
		plan_warn(s->plan, "resize2fs's undo file %s may need %s and %s has %s free: resize2fs runs without "
			  "one, with ^C and hang-ups ignored, and must not be killed (--undo-file FILE names a place "
			  "with room: another disk, not one being shrunk)", s->undo, size_format(need, a, sizeof(a)),
			  d, size_format(room, b, sizeof(b)));
		s->undo[0] = 0;
		return 0;
	}
	warn_if_ram(s, d);   /* only about an undo file that will be written */
	return 0;
}

static int has_word(const char *list, const char *w)
{
	size_t l = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += l)
		if ((p == list || p[-1] == ' ') && (p[l] == 0 || p[l] == ' '))
			return 1;
	return 0;
}

int shrink_check_devlog(struct shrink *s)
{
	struct undo_loc l;
	int ok = 0, r = undo_log_pending(s->dev, s->id.uuid, &l, &ok);
	if (r == 0)
		return 0;
	if (r < 0)
		return rc_failx(RC_EXIT_REFUSED, -r, "%s: %s. It was written by a shrink-root; nothing is done to a "
				"filesystem whose undo log cannot be read. Nothing was changed. If you know that no "
				"shrink-root of it was interrupted (e.g. the device was resized since), zero the "
				"locator: 'dd if=/dev/zero of=%s bs=4096 seek=%" PRIu64 " count=1 conv=fsync'",
				s->dev, rc_msg(), s->dev, (s->id.size < 8192 ? 8192 : s->id.size) / 4096 - 1);
	s->undo_loc = l;
	if (l.file[0]) {   /* whether resize2fs finished: the superblock's mark says (shrink_check_leftover) */
		s->undo_fileloc = 1;
		return 0;
	}
	s->undo_pending = 1;
	s->undo_hdr_ok = ok;
	if (s->rq.rollback)
		return 0;
	return rc_failx(RC_EXIT_REFUSED, EUCLEAN, "%s: an earlier shrink-root was stopped inside resize2fs (a power "
			"cut, a reboot or a kill): the filesystem may be half moved. The undo log resize2fs kept on "
			"the disk itself (bytes %" PRIu64 "+%" PRIu64 " of %s) puts it back exactly as it was: run "
			"'rescuectl shrink-root --rollback %s', then shrink-root again. Do NOT run 'e2fsck -y' or "
			"mount it first: e2fsck would throw away the files being moved. Nothing was changed",
			s->dev, l.off, l.len, s->dev, s->dev);
}

/* The undo log on the device, when rescuectl's resize2fs runs and the free
 * space past the new end can hold it: 1 (s->undo_dev set), 0 when not (a
 * warning says why and where the undo file goes instead), or -errno. */
static int plan_devlog(struct shrink *s, struct e2t_choice *rz)
{
	uint64_t need;
	if (s->rq.undo_file)
		return 0;
	if (rz && !rz->bundled && rz->forced) {
		plan_warn(s->plan, "--checker system: the rescue system's resize2fs does not flush its undo file "
			  "before each write, so a power cut inside it may leave %s damaged", s->dev);
		return 0;
	}
	if (undo_region_pick(s->dev, s->sz.fs_blocks, &s->undo_loc.off, &s->undo_loc.len, &need) < 0) {
		undo_path(s);
		plan_warn(s->plan, "resize2fs's undo log cannot go on %s itself (%s); it goes to %s instead",
			  s->dev, rc_msg(), s->undo);
		rc_clear();
		return 0;
	}
	if (rz && !rz->bundled) {   /* the flushing undo log is rescuectl's own resize2fs's */
		int r = e2t_choose(E2T_RESIZE2FS, s->fi.features, E2T_BUNDLED, rz);
		if (r < 0)
			return r;
		rz->forced = 0;
		snprintf(rz->why, sizeof(rz->why), "its undo log on the disk survives a power cut");
	}
	s->undo_dev = 1;
	snprintf(s->undo, sizeof(s->undo), "%s", s->dev);
	snprintf(s->undo_loc.uuid, sizeof(s->undo_loc.uuid), "%s", s->id.uuid);
	return 1;
}

int shrink_plan_undo(struct shrink *s)
{
	struct e2t_choice *rz = NULL;
	for (int i = 0; i < s->ntools; i++)
		if (s->tools[i].tool == E2T_RESIZE2FS)
			rz = &s->tools[i];
	if (rz && !rz->bundled && rz->ver && rz->ver < FSCK_VER(1, 43, 0))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "the rescue system's resize2fs %s cannot write an undo file "
				"(-z needs 1.43); run with --checker bundled. Nothing was changed", rz->ver_str);
	if (s->fi.block_size == 1024 && has_word(s->fi.features, "resize_inode")) {
		plan_warn(s->plan, "resize2fs cannot keep an undo file for %s: e2fsprogs 1.47's resize2fs -z fails "
			  "('Resize inode is corrupt') on 1 KiB blocks with a resize inode; resize2fs runs without "
			  "one, with ^C and hang-ups ignored, and must not be killed", s->dev);
		s->undo[0] = 0;
		return 0;
	}
	int r = shrink_check_leftover(s);
	if (r < 0 || (r = plan_devlog(s, rz)) < 0)
		return r;
	if (r == 0 && (r = check_room(s)) < 0)
		return r;
	/* an undo file: a locator naming it lets a later session know */
	s->fileloc_ok = !s->undo_dev && s->undo[0] && undo_loc_room(s->dev, s->sz.fs_blocks) == 0;
	rc_clear();
	return run_pin("e2undo", "/proc/self/exe");
}

int shrink_devlog_begin(struct shrink *s)
{
	uint64_t need, nonce = 0;
	char env[96];
	if (undo_region_pick(s->dev, s->sz.fs_blocks, &s->undo_loc.off, &s->undo_loc.len, &need) < 0)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "after e2fsck, %s, and resize2fs did not start: the "
				"filesystem is as it was. Run shrink-root again with --undo-file FILE on another "
				"disk", rc_msg());
	if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		nonce = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	s->undo_loc.nonce = nonce;
	snprintf(s->undo_loc.uuid, sizeof(s->undo_loc.uuid), "%s", s->id.uuid);
	int fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s", s->dev);
	int r = undo_loc_write(fd, &s->undo_loc);
	close(fd);
	if (r < 0)
		return r;
	snprintf(env, sizeof(env), "%" PRIu64 ":%" PRIu64 ":%" PRIu64, s->undo_loc.off, s->undo_loc.len, nonce);
	if (setenv("RESCUECTL_UNDO_AT", env, 1) < 0)
		return rc_fail(errno, "cannot set RESCUECTL_UNDO_AT");
	return 0;
}

int shrink_fileloc_begin(struct shrink *s)
{
	struct undo_loc l = { 0 };
	char cwd[PATH_MAX];
	if (!s->fileloc_ok || undo_loc_room(s->dev, s->sz.fs_blocks) < 0) {
		rc_clear();   /* after e2fsck, no room after all: as without a locator */
		return 0;
	}
	if (s->undo[0] == '/')
		snprintf(l.file, sizeof(l.file), "%s", s->undo);
	else if (getcwd(cwd, sizeof(cwd)))
		snprintf(l.file, sizeof(l.file), "%s/%s", cwd, s->undo);
	snprintf(l.uuid, sizeof(l.uuid), "%s", s->id.uuid);
	int fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s", s->dev);
	int r = undo_loc_write(fd, &l);
	close(fd);
	s->loc_written = r == 0;
	return r;
}

static void clear_loc(struct shrink *s)
{
	if (!s->loc_written)
		return;
	int fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && undo_loc_clear(fd) == 0)
		s->loc_written = 0;
	if (fd >= 0)
		close(fd);
	rc_clear();
}

/* resize2fs stopped: what it wrote is put back from the log on the device
 * (none when its header never made it: then it wrote nothing), and the
 * locator cleared. A log that cannot be read (an I/O error) or put back
 * keeps its locator, for --rollback, and the failure says why. */
static int devlog_after_failure(struct shrink *s, const char *why)
{
	struct undo_replay rp = { 0 };
	unsetenv("RESCUECTL_UNDO_AT");
	int fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(EIO, "%s; then %s could not be opened (%s) to put back what it wrote. Do not run "
			       "'e2fsck -y'; run 'rescuectl shrink-root --rollback %s'", why, s->dev, strerror(errno),
			       s->dev);
	int r = undo_log_finished(fd, &s->undo_loc);
	if (r >= 0)
		r = undo_log_replay(fd, &s->undo_loc, &rp);
	else if (r == -EBADMSG)
		r = 0;   /* no header of this log: resize2fs wrote nothing */
	if (r == 0) {
		rc_clear();
		r = undo_loc_clear(fd);
	}
	close(fd);
	if (r < 0)
		return rc_fail(EIO, "%s; putting back what it wrote from its undo log failed: %s. Do not run "
			       "'e2fsck -y'; run 'rescuectl shrink-root --rollback %s'", why, rc_msg(), s->dev);
	return rc_fail(EIO, "%s; rescuectl put back the %" PRIu64 " blocks it had written from its undo log on %s: "
		       "the filesystem is as it was before resize2fs%s", why, rp.applied, s->dev,
		       strstr(why, "No space left") ? ". The free space past the new end could not hold the log: "
		       "shrink less, or run again with --undo-file FILE on another disk" : "");
}

/* After resize2fs failed or was killed: e2undo, then say what it did. The
 * error (already recorded by the caller's words in WHY) is recorded again
 * with the outcome. */
int shrink_undo_after_failure(struct plan *p, struct plan_step *st, const char *why)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "e2undo", s->undo, (char *)s->dev, NULL }, *out = NULL, m[400];
	int status = -1;
	if (s->undo_dev)
		return devlog_after_failure(s, why);
	if (!s->undo[0])
		return rc_fail(EIO, "%s without an undo file: the filesystem may be half moved; 'e2fsck -fn %s' "
			       "shows its state. Save what you can before 'e2fsck -y'", why, s->dev);
	struct ext4_info now;
	if (access(s->undo, F_OK) < 0 || (ext4_read_info(s->dev, &now) == 0 && !half_resized(&now))) {
		unlink(s->undo);
		clear_loc(s);
		rc_clear();
		return rc_fail(EIO, "%s; it stopped before its first write (the filesystem is not marked as being "
			       "resized): the filesystem is as it was", why);
	}
	int r = shrink_tool(p, st, av, 0, &status, &out);
	if (r < 0)
		snprintf(m, sizeof(m), "%s", rc_msg());
	else
		shrink_why(status, out, m, sizeof(m));
	free(out);
	if (r < 0 || status)
		return rc_fail(EIO, "%s; then 'e2undo %s %s' failed too: %s. The filesystem may be half moved. Keep "
			       "%s, do not run 'e2fsck -y', and run 'rescuectl e2undo %s %s' again",
			       why, s->undo, s->dev, m, s->undo, s->undo, s->dev);
	unlink(s->undo);
	clear_loc(s);
	return rc_fail(EIO, "%s; e2undo put the filesystem back as it was before resize2fs (its undo file "
		       "%s is removed)", why, s->undo);
}

void shrink_resize_words(const struct shrink *s, struct plan_step *st, const char *untouched)
{
	if (s->undo_dev) {
		snprintf(st->does, sizeof(st->does), "resize2fs -z %s %s %" PRIu64 "K (its undo log on %s itself, "
			 "past the new end: it survives a power cut)", s->dev, s->dev,
			 s->sz.fs_blocks * (s->fi.block_size / 1024), s->dev);
		snprintf(st->if_failed, sizeof(st->if_failed), "resize2fs stopped partway and rescuectl put back "
			 "every block it had written from its undo log (the failure says whether it did); %s",
			 untouched);
		snprintf(st->resume, sizeof(st->resume), "if rescuectl itself was stopped (a power cut, a reboot): "
			 "'rescuectl shrink-root --rollback %s', then shrink-root again; never 'e2fsck -y' first",
			 s->dev);
		return;
	}
	if (!s->undo[0]) {
		snprintf(st->does, sizeof(st->does), "resize2fs %s %" PRIu64 "K", s->dev,
			 s->sz.fs_blocks * (s->fi.block_size / 1024));
		snprintf(st->if_failed, sizeof(st->if_failed), "resize2fs stopped partway (without an undo file); "
			 "%s, so the filesystem still fits", untouched);
		snprintf(st->resume, sizeof(st->resume), "run 'e2fsck -fn %s' to see its state; save what you can "
			 "before 'e2fsck -fy %s'", s->dev, s->dev);
		return;
	}
	snprintf(st->does, sizeof(st->does), "resize2fs -z %s %s %" PRIu64 "K", s->undo, s->dev,
		 s->sz.fs_blocks * (s->fi.block_size / 1024));
	snprintf(st->if_failed, sizeof(st->if_failed), "resize2fs stopped partway and rescuectl ran 'e2undo %s %s', "
		 "which puts the filesystem back as it was (the failure says whether it did); %s", s->undo,
		 s->dev, untouched);
	snprintf(st->resume, sizeof(st->resume), "if %s is still there (rescuectl itself was killed): "
		 "'rescuectl e2undo %s %s', remove it, then run shrink-root again; never 'e2fsck -y' first",
		 s->undo, s->undo, s->dev);
}

/* resize2fs succeeded: the undo file is not needed any more. */
void shrink_undo_done(struct shrink *s)
{
	if (s->undo_dev) {
		/* a locator left here names a log resize2fs closed: history,
		 * which no later run acts on; cleared all the same */
		unsetenv("RESCUECTL_UNDO_AT");
		int fd = open(s->dev, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && undo_loc_clear(fd) < 0)
			rc_clear();
		if (fd >= 0)
			close(fd);
		return;
	}
	clear_loc(s);   /* before the file goes: a locator never outlives it unmarked */
	if (s->undo[0])
		unlink(s->undo);
}

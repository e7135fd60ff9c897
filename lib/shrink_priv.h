/* Between lib/shrink.c (planning: facts and checks) and lib/shrink_steps.c
 * (the step kinds: their words and their actions). Not for applets. */
#ifndef RC_SHRINK_PRIV_H
#define RC_SHRINK_PRIV_H
#include "shrink.h"

/* resize2fs -P: the minimum size estimate in blocks (read-only). */
int shrink_min_blocks(const char *dev, uint64_t *blocks);
/* The mkfs program for new partition N ("mkfs.ext4", "mkswap") into BUF. */
const char *shrink_mkfs_prog(const struct shrink *s, const struct shrink_new *n, char *buf, size_t sz);
/* The option that makes mkfs.TYPE write over what the new partition holds
 * (mke2fs -F, mkfs.xfs -f); NULL when none is needed. */
const char *shrink_mkfs_force(const char *type);
/* Run a program for step ST (on the terminal when LIVE and the request
 * allows, else captured into *OUT, which the caller frees). */
int shrink_tool(struct plan *p, struct plan_step *st, char *const argv[], int live, int *status, char **out);
/* The same with run_cmd FLAGS added (RUN_NOINTR). */
int shrink_tool_fl(struct plan *p, struct plan_step *st, char *const argv[], int live, unsigned flags, int *status,
		   char **out);
/* "exit N: last lines of OUT" into BUF. */
const char *shrink_why(int status, const char *out, char *buf, size_t sz);
/* The step actions shared by the partition and the volume plans: e2fsck -f
 * (-p/-y), resize2fs to s->sz.fs_blocks (the estimate checked again first),
 * what a failed resize left (inspect), e2fsck -fn. */
int shrink_run_fsck(struct plan *p, struct plan_step *st);
int shrink_run_resize(struct plan *p, struct plan_step *st);
int shrink_inspect_fs(struct plan *p, struct plan_step *st);
int shrink_run_verify(struct plan *p, struct plan_step *st);
/* mkfs (mkswap for a swap-typed one) on the new partition or array whose
 * struct shrink_new is st->arg (its node set once the kernel has it). */
int shrink_run_mkfs(struct plan *p, struct plan_step *st);
/* The filesystem checks of every root: ext2/3/4, not in use, superblock
 * read, errors need --yes (shrink.c). */
int shrink_check_fs_common(struct shrink *s);
/* resize2fs's estimate and the e2fsprogs programs (shrink.c). */
int shrink_estimate(struct shrink *s);
/* A root on an md array or an LVM logical volume (shrink_vol.c): which
 * one S->dev is (sets s->vol; 0 for anything else), and its whole plan. */
int shrink_vol_kind(struct shrink *s);
int shrink_vol_prepare(struct shrink *s);
/* resize2fs's undo file (shrink_undo.c, which says why): where it goes and
 * the refusals (a leftover one, no room), made while planning; after a
 * failed resize2fs, e2undo and the failure's words (always -errno; WHY is
 * how resize2fs failed); after a good one, its removal. The room it may
 * need, apart for tests. */
int shrink_plan_undo(struct shrink *s);
/* Before anything else is decided from the superblock (s->fi read): a
 * leftover undo file at the undo path, or a filesystem resize2fs left
 * half moved, is refused (exit 3) with what to do; sets s->undo. */
int shrink_check_leftover(struct shrink *s);
int shrink_undo_after_failure(struct plan *p, struct plan_step *st, const char *why);
/* The undo log on the device (lib/undo_log.h). shrink_check_devlog, while
 * planning and before the superblock is trusted: this filesystem's locator
 * at the device's end names a log resize2fs did not close -> refused (exit
 * 3, naming --rollback) unless this is --rollback (sets s->undo_pending).
 * shrink_devlog_begin, in the resize step after e2fsck: the region chosen
 * again from the checked bitmap, the locator written and flushed,
 * RESCUECTL_UNDO_AT set for resize2fs. */
int shrink_check_devlog(struct shrink *s);
int shrink_devlog_begin(struct shrink *s);
/* An undo file instead (no room past the new end, --undo-file): a
 * locator naming it, when the device's last 4 KiB can take one, so that a
 * re-run, fsck and --rollback know resize2fs ran with it even when the
 * file (in RAM) is gone. */
int shrink_fileloc_begin(struct shrink *s);
/* resize2fs's mark: the superblock says errors, none counted (a resize2fs
 * that did not finish; also what 'tune2fs -E force_fsck' leaves). */
int shrink_half_resized(const struct ext4_info *fi);
/* --rollback's plan (shrink_rollback.c): put the saved blocks back, forget
 * the log, e2fsck -fn; or nothing, when there is no log to replay. */
int shrink_plan_rollback(struct shrink *s);
void shrink_undo_done(struct shrink *s);
/* The resize step's "does", "if_failed" and "resume", for both plans;
 * UNTOUCHED says what resize2fs leaves as it was ("the partition table was
 * NOT touched"). */
void shrink_resize_words(const struct shrink *s, struct plan_step *st, const char *untouched);
uint64_t shrink_undo_need(const struct ext4_info *fi, uint64_t new_blocks);
/* Wait up to 5 s for the device node of new partition N->partno of DISK
 * (devtmpfs makes it on BLKPG add) and put its path in N->node; -ENOENT
 * with a message when none appears. */
int shrink_new_node(const char *disk, struct shrink_new *n);
/* Open and flock s->disk (read-only for --dry-run), read its geometry and
 * partition s->partno into s->pi, and check the kernel sees it so. */
int shrink_open_disk(struct shrink *s);
/* Append every step of the plan to s->plan, from the facts in S. */
int shrink_add_steps(struct shrink *s);
/* Planning shared by the plain path and --pv (shrink.c): the --new
 * partitions after sector END of s->partno, growpart when free space
 * follows, the table backup's path. */
int shrink_plan_new_parts(struct shrink *s, uint64_t end);
int shrink_plan_growpart(struct shrink *s);
int shrink_plan_backup(struct shrink *s);
/* The plain path's table steps for --pv (shrink_steps.c): save the table,
 * shrink s->partno to NEW_SIZE sectors (ending at NEW_END) and add the new
 * partitions, write, tell the kernel (*KERNEL_N: its step), disable
 * growpart; later the mkfs steps. DONE: the whole shrink in words. */
int shrink_add_disk_steps(struct shrink *s, uint64_t new_size, uint64_t new_end, const char *done, int *kernel_n);
int shrink_add_mkfs_steps(struct shrink *s, uint64_t new_size, const char *done, int kernel_n);
/* The growpart step(s) planned by shrink_plan_growpart (none when nothing
 * is to change); DONE is the disk's state once the shrink is done. */
int shrink_add_growpart_steps(struct shrink *s, const char *done);
/* --pv (shrink_pv.c): its facts, checks and in-memory table after the LV's
 * sizes are planned; its steps after lvreduce, and after the verify. */
int shrink_pv_prepare(struct shrink *s);
int shrink_pv_add_steps(struct shrink *s);
int shrink_pv_add_late_steps(struct shrink *s);

#endif

/* shrink-root on md RAID1 (metadata 1.2): shrinking the member partitions
 * after the array, and --new on every member disk (contract: shrink_md.h).
 *
 * The plan of an md root, in order (steps 1-3 and the last check are
 * shrink_vol.c's):
 *   e2fsck -f -> resize2fs -> mdadm --grow --size
 *   -> each member's md/dev-NAME/size lowered to the array's new size (for
 *      1.1/1.2 the kernel rewrites the superblock's data_size, "Avail Dev
 *      Size" in mdadm --examine; checked after the write)
 *   -> per member disk: save its table (one file per disk) -> the member
 *      partition shrunk and the --new partitions added (in memory) -> write
 *      the table -> tell the kernel (BLKPG)
 *   -> e2fsck -fn
 *   -> per --new: mdadm --create a RAID1 (1.2) over that partition of every
 *      disk, then --mkfs on it; or, with --new-plain, --mkfs on each disk's
 *      partition.
 * Why the sysfs write comes first: the kernel refuses to load a 1.x member
 * whose device is smaller than data_offset + data_size, so a partition cut
 * below the old data_size would leave an array that does not assemble.
 *
 * Undo when a later step fails, newest first: a member table write that
 * fails partway writes that disk's old table back (PLAN_UNDO_SELF); a
 * written table is put back and the kernel told (PLAN_UNDO_LATER); the
 * members' sizes go back to the whole partition ("0" = as large as the
 * device allows); then shrink_vol.c's undo of mdadm --grow and resize2fs.
 * Telling the kernel, the new arrays and mkfs are side jobs
 * (PLAN_CONTINUE): their failure leaves a sound, shrunk root. */
#include "shrink_md.h"
#include "shrink_priv.h"
#include "blkdev.h"
#include "err.h"
#include "run.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)

/* ---- pure arithmetic ------------------------------------------------------ */

int shrink_md_member_size(const struct shrink_md_geom *g, uint64_t *new_size)
{
	char a[32], b[32];
	if (!g->sector_size || g->sector_size % 512 || !g->size || !g->used_bytes)
		return rc_fail(EINVAL, "bad member geometry");
	uint64_t need_b = g->data_offset * 512 + g->used_bytes;
	uint64_t need = (need_b + g->sector_size - 1) / g->sector_size;
	if (need > g->size)
		return rc_failx(RC_EXIT_REFUSED, ERANGE, "the member partition (%s) is smaller than what the array "
				"uses of it (%s: data offset plus the array's size)",
				size_format(g->size * g->sector_size, a, sizeof(a)), size_format(need_b, b, sizeof(b)));
	uint64_t end1 = size_align_up(g->start + need, g->grain, g->align_offset);
	uint64_t sz = end1 - g->start;
	*new_size = sz < g->size ? sz : g->size;
	return 0;
}

int shrink_md_same_sizes(const uint64_t *bytes, int n)
{
	if (n <= 0)
		return 0;
	for (int i = 1; i < n; i++)
		if (bytes[i] != bytes[0])
			return 0;
	return 1;
}

/* ---- facts ---------------------------------------------------------------- */

/* Which disk and partition each member is (sysfs, RESCUECTL_SYSROOT aware). */
static int member_facts(struct shrink *s, struct shrink_mdparts *mp)
{
	struct blkdevs bs;
	int r = blkdevs_scan(&bs);
	if (r < 0)
		return r;
	for (int k = 0; k < s->md.nmembers; k++) {
		struct shrink_mdmember *m = &mp->m[mp->nm++];
		SET(m->name, "%s", s->md.member[k]);
		m->data_offset = s->md.data_offset[k];
		m->dk = -1;
		const struct blkdev *b = blkdevs_find(&bs, m->name);
		if (!b) {
			r = rc_failx(RC_EXIT_REFUSED, ENODEV, "member %s of %s is not in %s/sys/class/block; nothing "
				     "was changed", m->name, s->dev, sysroot());
			break;
		}
		if (b->kind != BLK_PART || !b->parent[0] || !b->partno) {
			plan_warn(s->plan, "member %s of %s is a whole disk, not a partition: it is left as it is "
				  "(the space freed stays unused at its end)", m->name, s->dev);
			continue;
		}
		SET(m->disk, "%s/dev/%s", sysroot(), b->parent);
		m->partno = (size_t)b->partno;
	}
	blkdevs_free(&bs);
	return r;
}

/* Open and lock member M's disk (one member per disk), read the partition
 * and shrink it in memory. */
static int member_table(struct shrink *s, struct shrink_mdparts *mp, int k)
{
	struct shrink_mdmember *m = &mp->m[k];
	for (int j = 0; j < mp->nd; j++)
		if (!strcmp(mp->dk[j].disk, m->disk))
			return rc_failx(RC_EXIT_REFUSED, EINVAL, "members %s and %s of %s are on the same disk %s; "
					"shrink-root shrinks a RAID1 with one member per disk. Nothing was changed",
					mp->m[mp->dk[j].member].name, m->name, s->dev, m->disk);
	struct shrink_mddisk *dk = &mp->dk[mp->nd++];
	memcpy(dk->disk, m->disk, sizeof(dk->disk));
	dk->member = k;
	m->dk = mp->nd - 1;
	int r = part_open(dk->disk, s->rq.dry_run ? 0 : PART_RW, 10, &dk->d);
	if (r < 0)
		return r;
	part_geom(dk->d, &dk->g);
	if ((r = part_get(dk->d, m->partno, &m->pi)) < 0 || (r = part_check_kernel(dk->d, m->partno)) < 0)
		return r;
	struct shrink_md_geom g = {
		.sector_size = dk->g.sector_size, .start = m->pi.start, .size = m->pi.size,
		.grain = dk->g.grain, .align_offset = dk->g.align_offset,
		.data_offset = m->data_offset, .used_bytes = s->vol_new,
	};
	char pre[128];
	if ((r = shrink_md_member_size(&g, &m->new_size)) < 0) {
		char old[1024];
		snprintf(old, sizeof(old), "%s", rc_msg());
		SET(pre, "member %s of %s: ", m->name, s->dev);
		return rc_failx(rc_exit_hint(), -r, "%s%s; nothing was changed", pre, old);
	}
	m->part_todo = !s->already || m->new_size < m->pi.size;
	if (m->new_size < m->pi.size)
		return part_shrink(dk->d, m->partno, m->new_size);
	if (!s->already)
		plan_warn(s->plan, "member %s: its partition already ends within an alignment unit of what the "
			  "array uses; it keeps its size", m->name);
	return 0;
}

/* A free /dev/mdN for new array I (none in sysfs or /dev, none chosen). */
static int pick_md(struct shrink_mdparts *mp, int i)
{
	char p[PATH_MAX], q[PATH_MAX];
	for (int n = 0; n < 512; n++) {
		int used = 0;
		snprintf(p, sizeof(p), "%s/sys/class/block/md%d", sysroot(), n);
		snprintf(q, sizeof(q), "%s/dev/md%d", sysroot(), n);
		for (int j = 0; j < i; j++)
			used |= !strcmp(mp->arr[j].node, q);
		if (!used && access(p, F_OK) < 0 && access(q, F_OK) < 0) {
			SET(mp->arr[i].node, "%s", q);
			return 0;
		}
	}
	return rc_failx(RC_EXIT_REFUSED, ENOSPC, "no free md device number for the new array; nothing was changed");
}

/* --new I on disk DK: after the member (or the previous new one); the size
 * it got in bytes into *BYTES. A new RAID1's partitions get the type
 * "Linux RAID" unless one was given. */
static int new_on_disk(struct shrink *s, struct shrink_mdparts *mp, struct shrink_mddisk *dk, int i, uint64_t *bytes)
{
	struct shrink_mdmember *m = &mp->m[dk->member];
	struct shrink_new *n = &dk->newp[i];
	struct part_new want = s->rq.news[i];
	uint64_t fs, fe, st, sz, from = i ? dk->newp[i - 1].pi.start + dk->newp[i - 1].pi.size
					 : m->pi.start + m->new_size;
	size_t after = i ? dk->newp[i - 1].partno : m->partno;
	char pre[96];
	int r;
	if (mp->raid && !want.type[0])
		SET(want.type, "raid");
	if ((r = part_free_after(dk->d, after, &fs, &fe)) < 0)
		return r;
	if (fs > fe)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "--new %d: no free space left on %s after %s; nothing was "
				"changed", i + 1, dk->disk, i ? "the previous new partition" : m->name);
	if ((r = part_add(dk->d, &want, from, &n->partno, &st, &sz)) < 0) {
		char old[1024];
		snprintf(old, sizeof(old), "%s", rc_msg());
		SET(pre, "--new %d on %s: ", i + 1, dk->disk);
		return rc_failx(RC_EXIT_REFUSED, -r, "%s%s; nothing was changed", pre, old);
	}
	part_get(dk->d, n->partno, &n->pi);
	n->swap = !strcasecmp(n->pi.type, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F") || !strcmp(n->pi.type, "82");
	dk->nnew++;
	*bytes = sz * dk->g.sector_size;
	return 0;
}

/* Every --new on every member disk, the same size on each. */
static int plan_news(struct shrink *s, struct shrink_mdparts *mp)
{
	char path[PATH_MAX], prog[32], a[32], b[32];
	uint64_t bytes[SHRINK_MD_MEMBERS];
	int r;
	if (s->rq.nnew && mp->nd != mp->nm)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "--new: a member of %s is a whole disk, with no partition "
				"table to add partitions to; nothing was changed", s->dev);
	for (int i = 0; i < s->rq.nnew; i++) {
		for (int k = 0; k < mp->nd; k++)
			if ((r = new_on_disk(s, mp, &mp->dk[k], i, &bytes[k])) < 0)
				return r;
		if (!shrink_md_same_sizes(bytes, mp->nd)) {
			int k = 1;
			while (bytes[k] == bytes[0])
				k++;
			return rc_failx(RC_EXIT_REFUSED, ERANGE, "--new %d would be %s on %s but %s on %s: the member "
					"disks' freed space differs; give a size every disk holds (at most the "
					"smallest). Nothing was changed", i + 1, size_format(bytes[0], a, sizeof(a)),
					mp->dk[0].disk, size_format(bytes[k], b, sizeof(b)), mp->dk[k].disk);
		}
		struct shrink_new *arr = &mp->arr[i];
		arr->pi = mp->dk[0].newp[i].pi;
		arr->swap = mp->dk[0].newp[i].swap;
		arr->partno = (size_t)i + 1;
		if (mp->raid && (r = pick_md(mp, i)) < 0)
			return r;
		if (s->rq.mkfs && (r = shrink_find_tool(shrink_mkfs_prog(s, arr, prog, sizeof(prog)),
							 path, sizeof(path))) < 0)
			return r;
	}
	return 0;
}

/* One table backup per disk: --backup FILE gives FILE-sda, FILE-sdb ...;
 * else $HOME/shrink-root-DISK-TIME.sfdisk. None may exist. */
static int plan_backups(struct shrink *s, struct shrink_mdparts *mp)
{
	const char *home = getenv("HOME");
	char ts[32];
	time_t now = time(NULL);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
	if (!home || !*home)
		home = "/root";
	for (int k = 0; k < mp->nd; k++) {
		struct shrink_mddisk *dk = &mp->dk[k];
		char b[64];
		if (!mp->m[dk->member].part_todo)
			continue;   /* a re-run: this disk's table is not written */
		const char *sl0 = strrchr(dk->disk, '/');
		snprintf(b, sizeof(b), "%s", sl0 ? sl0 + 1 : dk->disk);
		if (s->rq.backup)
			SET(dk->backup, "%s-%s", s->rq.backup, b);
		else
			SET(dk->backup, "%s%sshrink-root-%s-%s.sfdisk", home,
			    home[strlen(home) - 1] == '/' ? "" : "/", b, ts);
		if (access(dk->backup, F_OK) == 0)
			return rc_failx(RC_EXIT_REFUSED, EEXIST, "the table backup %s exists; a backup is never "
					"overwritten: name another with --backup FILE. Nothing was changed", dk->backup);
		char dir[PATH_MAX];
		SET(dir, "%s", dk->backup);
		char *sl = strrchr(dir, '/');
		if (sl)
			*sl = 0;
		if (access(sl ? (dir[0] ? dir : "/") : ".", W_OK | X_OK) < 0)
			return rc_failx(RC_EXIT_REFUSED, errno, "cannot create the table backup %s: %s; choose "
					"another place with --backup FILE. Nothing was changed", dk->backup, strerror(errno));
		char rs[sizeof(dk->restore)];
		snprintf(rs, sizeof(rs), "sfdisk %s < %s", dk->disk, dk->backup);
		memcpy(dk->restore, rs, sizeof(rs));
	}
	return 0;
}

int shrink_md_plan(struct shrink *s)
{
	struct shrink_mdparts *mp = calloc(1, sizeof(*mp));
	if (!mp)
		return rc_fail(ENOMEM, "out of memory");
	s->mp = mp;
	mp->raid = !s->rq.new_plain;
	mp->rdev_kib = s->vol_new / 1024;
	int r = dev_lock_mode(s->dev, !s->rq.dry_run, 10000, &mp->lock);
	if (r < 0)
		return r;
	if ((r = member_facts(s, mp)) < 0)
		return r;
	for (int k = 0; k < mp->nm; k++) {
		struct shrink_mdmember *m = &mp->m[k];
		/* md/dev-NAME/size unknown: lowered, as on a first run */
		m->rdev_todo = !s->already || !s->md.rdev_kib[k] || s->md.rdev_kib[k] > mp->rdev_kib;
		if (m->disk[0] && (r = member_table(s, mp, k)) < 0)
			return r;
		mp->left += m->rdev_todo || (m->disk[0] && m->part_todo);
	}
	if ((r = plan_news(s, mp)) < 0 || (r = plan_backups(s, mp)) < 0)
		return r;
	return 0;
}

void shrink_md_free(struct shrink *s)
{
	if (!s || !s->mp)
		return;
	for (int k = 0; k < s->mp->nd; k++)
		part_close(s->mp->dk[k].d);
	dev_unlock(&s->mp->lock);
	free(s->mp);
	s->mp = NULL;
}

/* ---- the members' md sizes ---------------------------------------------- */

static int sys_write_num(const char *path, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = write(fd, buf, (size_t)n) == n ? 0 : -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r ? r : 0;
}

static void rdev_path(const struct shrink *s, const char *member, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/sys/class/block/%s/md/dev-%s/size", sysroot(), s->md.name, member);
}

/* mdadm --examine /dev/M: "Avail Dev Size : N sectors" (0 when not found). */
static uint64_t avail_dev_size(struct plan *p, struct plan_step *st, const char *member)
{
	char node[PATH_MAX], *out = NULL;
	snprintf(node, sizeof(node), "%s/dev/%s", sysroot(), member);
	char *av[] = { "mdadm", "--examine", node, NULL };
	int status;
	uint64_t v = 0;
	if (shrink_tool(p, st, av, 0, &status, &out) == 0 && !status && out) {
		const char *q = strstr(out, "Avail Dev Size :");
		if (q)
			v = strtoull(q + 16, NULL, 10);
	}
	free(out);
	return v;
}

static int run_rdev_size(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char path[PATH_MAX];
	for (int k = 0; k < s->mp->nm; k++) {
		const char *m = s->mp->m[k].name;
		if (!s->mp->m[k].rdev_todo)
			continue;
		rdev_path(s, m, path, sizeof(path));
		plan_touch(st);
		int r = sys_write_num(path, s->mp->rdev_kib);
		if (r < 0)
			return rc_fail(-r, "cannot set the size of member %s (%s): %s", m, path, strerror(-r));
		uint64_t avail = avail_dev_size(p, st, m);
		if (avail != s->mp->rdev_kib * 2)
			return rc_fail(EIO, "after setting its size, mdadm --examine /dev/%s says Avail Dev Size %"
				       PRIu64 " sectors, not the planned %" PRIu64, m, avail, s->mp->rdev_kib * 2);
	}
	return 0;
}

/* "0": as large as each member device allows (its old size once its
 * table is back). */
static int undo_rdev_size(struct plan *p, struct plan_step *st)
{
	(void)st;
	struct shrink *s = plan_arg(p);
	char path[PATH_MAX];
	for (int k = 0; k < s->mp->nm; k++) {
		if (!s->mp->m[k].rdev_todo)
			continue;   /* a re-run: it had its size before, and keeps it */
		rdev_path(s, s->mp->m[k].name, path, sizeof(path));
		int r = sys_write_num(path, 0);
		if (r < 0)
			return rc_fail(-r, "cannot give member %s its whole device back (%s): %s", s->mp->m[k].name,
				       path, strerror(-r));
	}
	return 0;
}

static struct plan_step *mstep(struct shrink *s, const char *kind, plan_fn run)
{
	struct plan_step *st = plan_add(s->plan, kind, "");
	if (st)
		st->run = run;
	return st;
}

static int add_rdev_step(struct shrink *s)
{
	struct shrink_mdparts *mp = s->mp;
	char names[256] = "", a[32];
	for (int k = 0; k < mp->nm; k++)
		if (mp->m[k].rdev_todo)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? ", " : "",
				 mp->m[k].name);
	if (!names[0])
		return 0;   /* a re-run: every member has the size already */
	struct plan_step *st = mstep(s, "member-size", run_rdev_size);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->undo_fn = undo_rdev_size;
	st->flags = PLAN_UNDO_SELF | PLAN_UNDO_LATER;   /* "0" is safe from any partial state */
	SET(st->name, "member sizes");
	SET(st->does, "echo %" PRIu64 " > /sys/block/%s/md/dev-{%s}/size (each member's Avail Dev Size %s: "
	    "the kernel rewrites each superblock)", mp->rdev_kib, s->md.name, names,
	    size_format(mp->rdev_kib * 1024, a, sizeof(a)));
	SET(st->changes, "the md superblock of each member of %s (its data_size)", s->dev);
	SET(st->after, "array %s and each member's superblock use %s per member; the member partitions "
	    "are unchanged", s->dev, a);
	SET(st->if_failed, "some members may record the smaller size, which the array uses anyway; the "
	    "partitions are unchanged, so the array assembles either way");
	SET(st->undo, "echo 0 > /sys/block/%s/md/dev-NAME/size gives each member its whole partition back",
	    s->md.name);
	SET(st->resume, "'mdadm --examine' on each member shows its Avail Dev Size; run shrink-root again");
	return 0;
}

/* ---- each member disk's table -------------------------------------------- */

static int run_save_md(struct plan *p, struct plan_step *st)
{
	(void)p;
	struct shrink_mddisk *dk = st->arg;
	int r = part_save_script(dk->d, dk->backup);
	if (r == 0)
		plan_result(st, "this rescue system forgets files on reboot: copy %s somewhere safe", dk->backup);
	return r;
}

static int run_write_md(struct plan *p, struct plan_step *st)
{
	(void)p;
	struct shrink_mddisk *dk = st->arg;
	plan_touch(st);
	return part_write(dk->d);
}

static int undo_write_md(struct plan *p, struct plan_step *st)
{
	(void)p;
	struct shrink_mddisk *dk = st->arg;
	int r = part_restore(dk->d);
	return r < 0 ? r : part_tell_kernel(dk->d);
}

static int run_kernel_md(struct plan *p, struct plan_step *st)
{
	(void)p;
	struct shrink_mddisk *dk = st->arg;
	plan_touch(st);
	int r = part_tell_kernel(dk->d);
	for (int i = 0; r == 0 && i < dk->nnew; i++)
		if (shrink_new_node(dk->disk, &dk->newp[i]) < 0)
			r = rc_fail(ENOENT, "no device node for new partition %zu of %s", dk->newp[i].partno, dk->disk);
	return r;
}

/* The in-memory edits of disk DK, as steps without `run`: the next step
 * (its table write) takes them to the disk. */
static int add_edits_md(struct shrink *s, struct shrink_mddisk *dk, int write_n)
{
	const struct shrink_mdmember *m = &s->mp->m[dk->member];
	char a[32], b[32];
	struct plan_step *st = mstep(s, "shrink-partition", NULL);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	SET(st->name, "shrink member %s", m->name);
	SET(st->does, "shrink partition %zu of %s (member %s) to sectors %" PRIu64 "-%" PRIu64 " (%s, was %s: "
	    "data offset + the array's size, end aligned), same start, type, PARTUUID and name", m->partno,
	    dk->disk, m->name, m->pi.start, m->pi.start + m->new_size - 1,
	    size_format(m->new_size * dk->g.sector_size, a, sizeof(a)),
	    size_format(m->pi.size * dk->g.sector_size, b, sizeof(b)));
	SET(st->changes, "the partition table of %s in memory; step %d writes it", dk->disk, write_n);
	for (int i = 0; i < dk->nnew; i++) {
		const struct part_info *np = &dk->newp[i].pi;
		if (!(st = mstep(s, "add-partition", NULL)))
			return rc_fail(ENOMEM, "out of memory");
		SET(st->name, "add partition %zu of %s", np->partno, dk->disk);
		SET(st->does, "add partition %zu of %s: sectors %" PRIu64 "-%" PRIu64 " (%s), type %s", np->partno,
		    dk->disk, np->start, np->start + np->size - 1,
		    size_format(np->size * dk->g.sector_size, a, sizeof(a)), np->type_name[0] ? np->type_name : np->type);
		SET(st->changes, "the partition table of %s in memory; step %d writes it", dk->disk, write_n);
	}
	return 0;
}

static int add_disk_steps(struct shrink *s, struct shrink_mddisk *dk)
{
	const struct shrink_mdmember *m = &s->mp->m[dk->member];
	struct plan_step *st = mstep(s, "save-table", run_save_md);
	char a[32];
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->arg = dk;
	SET(st->name, "save the table of %s", dk->disk);
	SET(st->does, "save the partition table of %s to %s (restore: %s)", dk->disk, dk->backup, dk->restore);
	SET(st->changes, "a new file on this rescue system (%s); nothing on the disk", dk->backup);
	SET(st->after, "the table of %s is saved in %s; its partitions are unchanged", dk->disk, dk->backup);
	SET(st->resume, "run shrink-root again");
	int r = add_edits_md(s, dk, (int)plan_count(s->plan) + 2 + dk->nnew);
	if (r < 0 || !(st = mstep(s, "write-table", run_write_md)))
		return r < 0 ? r : rc_fail(ENOMEM, "out of memory");
	st->arg = dk;
	st->undo_fn = undo_write_md;
	st->flags = PLAN_UNDO_SELF | PLAN_UNDO_LATER;
	size_format(m->new_size * dk->g.sector_size, a, sizeof(a));
	SET(st->name, "write the table of %s", dk->disk);
	SET(st->does, "write the partition table of %s", dk->disk);
	SET(st->changes, "the partition table of %s (%s)", dk->disk,
	    !strcmp(dk->g.label, "gpt") ? "both GPT headers and entries" : "the MBR and its EBRs");
	SET(st->after, "member %s is %s on disk (the kernel not yet told); the array uses less than that", m->name, a);
	SET(st->if_failed, "writing the table of %s failed partway; the array uses less of %s than the old "
	    "and the new partition hold, so no data is at risk", dk->disk, m->name);
	SET(st->undo, "'%s' puts the old table back", dk->restore);
	SET(st->resume, "run '%s', then 'partx -u %s'", dk->restore, dk->disk);
	if (!(st = mstep(s, "tell-kernel", run_kernel_md)))
		return rc_fail(ENOMEM, "out of memory");
	st->arg = dk;
	st->flags = PLAN_CONTINUE;
	dk->kernel_step = st->n;
	SET(st->name, "tell the kernel about %s", dk->disk);
	SET(st->does, "tell the kernel per partition of %s (BLKPG)", dk->disk);
	SET(st->changes, "the kernel's view of the partitions of %s (nothing on the disk)", dk->disk);
	SET(st->after, "member %s is %s and in use so; its old table is in %s", m->name, a, dk->backup);
	SET(st->if_failed, "the kernel still sees the old partitions of %s (the table on the disk is right, "
	    "and the array fits the old and the new member alike)", dk->disk);
	SET(st->resume, "run 'partx -u %s' (or reboot) before using the new partitions", dk->disk);
	return 0;
}

int shrink_md_add_steps(struct shrink *s)
{
	int r = add_rdev_step(s);
	for (int k = 0; r == 0 && k < s->mp->nd; k++)
		if (s->mp->m[s->mp->dk[k].member].part_todo)
			r = add_disk_steps(s, &s->mp->dk[k]);
	return r;
}

/* ---- --new: the new arrays (or plain partitions) and their filesystems --- */

static int run_create(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	struct shrink_mdparts *mp = s->mp;
	int i = (int)(intptr_t)st->arg, a = 0;
	char nd[24], *av[12 + SHRINK_MD_MEMBERS];
	snprintf(nd, sizeof(nd), "--raid-devices=%d", mp->nd);
	const char *fixed[] = { "mdadm", "--create", mp->arr[i].node, "--run", "--level=1", nd, "--metadata=1.2" };
	for (size_t j = 0; j < sizeof(fixed) / sizeof(fixed[0]); j++)
		av[a++] = (char *)fixed[j];
	for (int k = 0; k < mp->nd; k++) {
		if (!mp->dk[k].newp[i].node[0])
			return rc_fail(ENOENT, "new partition %zu of %s has no device node", mp->dk[k].newp[i].partno,
				       mp->dk[k].disk);
		av[a++] = mp->dk[k].newp[i].node;
	}
	av[a] = NULL;
	char *out = NULL, w[600];
	int status, r = shrink_tool(p, st, av, 0, &status, &out);
	if (r == 0) {
		plan_touch(st);
		if (status)
			r = rc_fail(EIO, "mdadm --create %s failed (%s)", mp->arr[i].node, shrink_why(status, out, w, sizeof(w)));
		else
			mp->created[i] = 1;
	}
	free(out);
	return r;
}

static int add_mkfs_md(struct shrink *s, struct shrink_new *n, const char *what, int needs)
{
	char prog[32];
	struct plan_step *st = mstep(s, "mkfs", shrink_run_mkfs);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	const char *fs = n->swap ? "swap" : s->rq.mkfs, *force = n->swap ? NULL : shrink_mkfs_force(fs);
	shrink_mkfs_prog(s, n, prog, sizeof(prog));
	st->arg = n;
	st->needs = needs;
	st->flags = PLAN_CONTINUE;
	SET(st->name, "%s on %s", prog, what);
	SET(st->does, "make %s on %s: %s%s%s", n->swap ? "swap space" : "a filesystem", what, prog,
	    force ? " " : "", force ? force : "");
	SET(st->changes, "%s (nothing was on it)", what);
	SET(st->after, "the shrink is done and verified; %s holds %s", what, fs);
	SET(st->if_failed, "%s has no %s yet", what, fs);
	SET(st->resume, "run '%s' on %s yourself", prog, what);
	return 0;
}

static int add_create(struct shrink *s, int i)
{
	struct shrink_mdparts *mp = s->mp;
	char parts[512] = "", a[32];
	for (int k = 0; k < mp->nd; k++)
		snprintf(parts + strlen(parts), sizeof(parts) - strlen(parts), " %s partition %zu", mp->dk[k].disk,
			 mp->dk[k].newp[i].partno);
	struct plan_step *st = mstep(s, "create-array", run_create);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->arg = (void *)(intptr_t)i;
	st->needs = mp->dk[mp->nd - 1].kernel_step;
	st->flags = PLAN_CONTINUE;
	SET(st->name, "mdadm --create %s", mp->arr[i].node);
	SET(st->does, "mdadm --create %s --run --level=1 --raid-devices=%d --metadata=1.2 over%s (%s each; "
	    "the new mirror resyncs in the background)", mp->arr[i].node, mp->nd, parts,
	    size_format(mp->arr[i].pi.size * mp->dk[0].g.sector_size, a, sizeof(a)));
	SET(st->changes, "the new partitions (an md superblock on each)");
	SET(st->after, "the root is shrunk and verified; new RAID1 %s mirrors the new partitions", mp->arr[i].node);
	SET(st->if_failed, "the new partitions exist but hold no array; the root is shrunk and sound");
	SET(st->undo, "'mdadm --stop %s' and 'mdadm --zero-superblock' on each new partition", mp->arr[i].node);
	SET(st->resume, "run the mdadm --create above yourself; then add the array to the target's "
	    "/etc/mdadm/mdadm.conf ('mdadm --detail --scan') and rebuild its initramfs");
	int create_n = st->n;
	return s->rq.mkfs ? add_mkfs_md(s, &mp->arr[i], mp->arr[i].node, create_n) : 0;
}

int shrink_md_add_new_steps(struct shrink *s)
{
	struct shrink_mdparts *mp = s->mp;
	char what[PATH_MAX + 32];
	int r = 0;
	for (int i = 0; r == 0 && i < s->rq.nnew; i++) {
		if (mp->raid) {
			r = add_create(s, i);
			continue;
		}
		for (int k = 0; r == 0 && s->rq.mkfs && k < mp->nd; k++) {
			snprintf(what, sizeof(what), "partition %zu of %s", mp->dk[k].newp[i].partno, mp->dk[k].disk);
			r = add_mkfs_md(s, &mp->dk[k].newp[i], what, mp->dk[k].kernel_step);
		}
	}
	return r;
}

/* ---- metadata 0.90 / 1.0: what is safe by hand --------------------------- */

const char *shrink_md_end_sb_recipe(const char *dev, const struct shrink_md *md, char *buf, size_t sz)
{
	char names[256] = "";
	for (int k = 0; k < md->nmembers; k++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s/dev/%s", k ? ", " : "", md->member[k]);
	snprintf(buf, sz, "With metadata %s the superblock sits at the end of each member, and shrink-root "
		 "does not move it (not moved; 'mdadm --assemble --update=devicesize' applies to 1.1 and 1.2 "
		 "only, and cutting a partition under a running 1.0/0.90 member loses its superblock). Safe by hand, "
		 "with the filesystem unmounted: 1) e2fsck -f %s; resize2fs %s NEWSIZE; 2) mdadm --grow %s "
		 "--size=KiB (KiB >= NEWSIZE); 3) for ONE member M at a time (%s): mdadm %s --fail M --remove M; "
		 "mdadm --zero-superblock M; shrink M's partition to at least KiB + 1 MiB (room for the "
		 "superblock and an internal bitmap); mdadm %s --add M; wait for the full resync "
		 "(mdadm --wait %s; cat /proc/mdstat) before the next member. Until each resync ends the array "
		 "has no redundancy: have a backup", md->metadata, dev, dev, dev, names, dev, dev, dev);
	return buf;
}

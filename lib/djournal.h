/* The doctor undo journal: one entry file per changed path, written inside
 * the target (DJ_DIR) before the change it describes, so that `doctor
 * --undo` can put back every file byte for byte, with its owner, mode and
 * SELinux label, also after a crash at any instant.
 *
 * An entry holds the path's state before and after the change: absent, or
 * a regular file (content, owner, group, mode, label), a directory (owner,
 * group, mode, label) or a symbolic link (its target). Each aspect of a
 * state -- presence and content, owner and group, mode, label -- changes
 * in one atomic operation (a rename, an fchown, an fchmod, an fsetxattr),
 * so at any instant each aspect of the path is either the entry's "before"
 * or its "after". Undo therefore compares aspect by aspect: an aspect at
 * "after" is put back to "before", one at "before" is left, anything else
 * is a change made since by someone else and refuses the undo (unless
 * forced). Only then is the entry removed. An interrupted fix or undo is
 * finished by running it again: a fix re-plans from what is on disk (and
 * journals again), an undo finds each aspect either done or not.
 *
 * Entry files are written atomically (tree_create: a new file, fsync,
 * rename, directory fsync), named DJ_PREFIX + a 6-digit sequence number;
 * undo goes newest first, so that several changes of one file unwind in
 * order. The format is text headers, then the raw contents:
 *
 *   rescuectl-doctor-journal 1
 *   date 2026-11-29T15:37:09Z
 *   fix fstab.missing-device
 *   path /etc/fstab
 *   what add nofail to line 5 (/srv)
 *   before file 0644 0 0 - 812            (or: absent | dir MODE UID GID LABEL |
 *   after file 0644 0 0 - 851              link TARGET-HEX | unknown; LABEL is hex or -)
 *   <blank line><812 bytes><851 bytes>
 *
 * Parsing is bounded (DJ_MAX_ENTRY bytes, header lines of DJ_MAX_LINE).
 * Contract: 0 or -errno with a message; nothing here prints. */
#ifndef RC_DJOURNAL_H
#define RC_DJOURNAL_H
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include "tree.h"

#define DJ_DIR        "/var/lib/rescuectl"
#define DJ_PREFIX     "doctor-"
#define DJ_SUFFIX     ".journal"
#define DJ_MAX_FILE   ((size_t)256 << 20)  /* a file doctor journals (an initramfs) */
#define DJ_MAX_ENTRY  (2 * DJ_MAX_FILE + 65536)
#define DJ_MAX_LINE   8192
#define DJ_MAX_ENTRIES 4096

struct dj_state {
	char type;            /* 0 absent, 'f' file, 'd' directory, 'l' link; 'u' unknown
			       * (after a program ran: undo puts "before" back whatever is there) */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int has_label;
	size_t label_len;
	char label[TREE_LABEL_MAX];
	char *data;           /* 'f': content (malloc'd); 'l': target */
	size_t len;
};

struct dj_entry {
	int seq;
	char date[32];
	char fix[64];
	char path[PATH_MAX];
	char what[512];
	struct dj_state before, after;
};

void dj_state_free(struct dj_state *s);
int dj_state_copy(struct dj_state *dst, const struct dj_state *src);
void dj_entry_free(struct dj_entry *e);

/* The state of PATH in T now (content read up to DJ_MAX_FILE). */
int dj_state_read(struct tree *t, const char *path, struct dj_state *s);
/* Are A and B the same in every aspect? */
int dj_state_equal(const struct dj_state *a, const struct dj_state *b);

/* Pure: the entry as text; and back (bounded). */
int dj_format(const struct dj_entry *e, char **out, size_t *len);
int dj_parse(const char *buf, size_t len, struct dj_entry *e);
/* "doctor-000042.journal" -> 42; -1 for any other name. */
int dj_seq_of(const char *name);

/* What undoing E would do to CUR (the path's state now). 0: nothing to
 * do; 1: something to put back; -1: an aspect is neither E's before nor
 * its after (WHY says which). Pure. */
int dj_undo_needed(const struct dj_entry *e, const struct dj_state *cur, char *why, size_t wsz);
/* Put PATH (in T, writable) back to E's before state, aspect by aspect,
 * each atomic; CUR is its state now. Idempotent. */
int dj_restore(struct tree *t, const char *path, const struct dj_entry *e, const struct dj_state *cur);
/* Apply E's after state to PATH (the same aspect-wise operations; the fix
 * itself). CUR is the state now, which must equal E's before. */
int dj_apply(struct tree *t, const char *path, const struct dj_entry *e, const struct dj_state *cur);

#endif

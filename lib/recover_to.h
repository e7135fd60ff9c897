/* recover's copy sink: the files written into a directory DIR on the
 * rescue system (another disk, a USB stick) with their owner, mode, times,
 * extended attributes, ACLs, hard links, device nodes and sparse holes.
 *
 * Contract:
 * - Plan, then write: rto_check is called for every PATH before the first
 *   byte is written. It refuses (exit hint 3) a place under DIR that goes
 *   through a symbolic link or a non-directory, and one that exists already
 *   unless FORCE (then files are replaced and directories merged).
 * - Nothing is ever written outside DIR: every component below DIR is
 *   opened from a directory fd with O_NOFOLLOW, files are created with
 *   O_EXCL|O_NOFOLLOW, and links and device nodes are made with the *at
 *   calls relative to those fds; a symbolic link in the copy (recovered or
 *   planted) is never followed.
 * - A full disk (ENOSPC, EDQUOT) stops the copy (-ENOSPC): the file being
 *   written is removed and the message names it. An attribute the
 *   destination cannot take (vfat: owner, xattrs) is a loss with kept=1.
 * - Directories get their mode, times and ACLs after their contents
 *   (rto_dir_done), so that a read-only or default-ACL directory does not
 *   change what is written into it. */
#ifndef RC_RECOVER_TO_H
#define RC_RECOVER_TO_H
#include "recover.h"

struct rto;

int rto_open(const char *dir, int force, struct rto **out);
/* The place for stored path REL ("" for the whole tree: DIR must then be
 * empty unless FORCE). */
int rto_check(struct rto *t, const char *rel);
int rto_entry(void *arg, struct recover *rc, const struct rentry *e);
int rto_dir_done(void *arg, struct recover *rc, const struct rentry *e);
int rto_close(struct rto *t);

#endif

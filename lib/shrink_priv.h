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
/* Append every step of the plan to s->plan, from the facts in S. */
int shrink_add_steps(struct shrink *s);

#endif

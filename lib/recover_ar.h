/* recover's archive sink: POSIX.1-2001 pax written with libarchive, read
 * by GNU tar and bsdtar. Per entry: numeric owner and the target's names,
 * mode, m/a/ctime with nanoseconds, symbolic links, hard
 * links, device nodes and FIFOs, sparse files as GNU sparse 1.0 (holes are
 * never stored), extended attributes (SCHILY.xattr/LIBARCHIVE.xattr) and
 * POSIX ACLs (SCHILY.acl.access/default).
 *
 * Contract: rarchive_open writes nothing until the first entry; an entry
 * libarchive refuses is a loss of that entry (sink return 1), a write error
 * on the output stops the walk (-errno). rarchive_close writes the end of
 * the archive and closes libarchive, not FD. */
#ifndef RC_RECOVER_AR_H
#define RC_RECOVER_AR_H
#include "recover.h"

enum rcomp { RCOMP_NONE, RCOMP_GZIP, RCOMP_ZSTD };

struct rarchive;

int rarchive_open(int fd, enum rcomp comp, struct rarchive **out);
/* The sink for recover (struct rsink.entry with arg = the rarchive). */
int rarchive_entry(void *ar, struct recover *rc, const struct rentry *e);
/* Finish the archive. Returns 0 or -errno with a message. */
int rarchive_close(struct rarchive *ar);
/* Bytes written so far (after compression). */
uint64_t rarchive_written(const struct rarchive *ar);

#endif

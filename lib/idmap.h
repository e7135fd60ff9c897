/* Owner and group names for numeric ids, taken from the *target's*
 * /etc/passwd and /etc/group text (never the rescue system's NSS).
 * Pure: parses a buffer. Bounded: lines over IDMAP_MAX_LINE bytes and
 * names over IDMAP_MAX_NAME are skipped, at most IDMAP_MAX_IDS entries;
 * NIS "+"/"-" lines and lines without a numeric third field are ignored.
 * The first line for an id wins, as getpwuid(3) would return it. */
#ifndef RC_IDMAP_H
#define RC_IDMAP_H
#include <stddef.h>
#include <stdint.h>

#define IDMAP_MAX_LINE 4096
#define IDMAP_MAX_NAME 255
#define IDMAP_MAX_IDS  200000

struct idname {
	uint32_t id;
	char *name;
	size_t line;        /* where it was, to keep the first one */
};

struct idmap {
	struct idname *v;   /* sorted by id, one per id */
	size_t n;
};

/* Parse passwd(5) or group(5) text (name:x:ID:...). Returns the number of
 * entries kept, or -ENOMEM. */
int idmap_parse(struct idmap *m, const char *buf, size_t len);
/* The name for ID, or NULL. */
const char *idmap_name(const struct idmap *m, uint32_t id);
void idmap_free(struct idmap *m);

#endif

/* A small, bounded reader of the XML that firewalld keeps its zones and
 * services in: elements with attributes, read tag by tag. Comments,
 * processing instructions and the XML declaration are skipped; text
 * between tags is ignored (firewalld's zone and service files keep their
 * data in attributes, apart from descriptions). Entities in attribute
 * values (&amp; &lt; &gt; &quot; &apos;) are decoded. No DTD, no
 * namespaces. Pure; nothing here prints. */
#ifndef RC_XMLTAG_H
#define RC_XMLTAG_H
#include <stddef.h>

#define XT_MAX_ATTRS 16
struct xtag {
	char name[64];
	int close;          /* </name> */
	int empty;          /* <name/> */
	int line;
	int nattr;
	char an[XT_MAX_ATTRS][32];
	char av[XT_MAX_ATTRS][256];
};

/* The next tag of TEXT from *POS (a NUL-terminated text). 1 a tag, 0 the
 * end, -1 malformed (an unclosed tag or comment, too many attributes). */
int xt_next(const char *text, size_t *pos, int *line, struct xtag *t);
/* Attribute NAME of T, or NULL. */
const char *xt_attr(const struct xtag *t, const char *name);

#endif

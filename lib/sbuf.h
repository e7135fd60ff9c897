/* A growable text buffer for building files and canonical forms: append
 * bytes, check once at the end. An allocation failure is remembered in OOM
 * and every later append is ignored, so a builder need not check each one.
 * Once anything was added, P is NUL-terminated (not counted in N). Pure:
 * no message is recorded; the caller words an OOM for its context. */
#ifndef RC_SBUF_H
#define RC_SBUF_H
#include <stddef.h>

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_str(struct sbuf *b, const char *s);
/* Free the text and empty B. */
void sbuf_free(struct sbuf *b);

#endif

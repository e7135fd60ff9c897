/* Text that comes from the target (os-release, fstab, file names, config
 * values) made safe to print on a terminal. One rule everywhere, the one
 * libsmartcols applies to detect-root's table in the C locale rescuectl runs
 * in: every control byte, DEL, every byte >= 0x80, and a backslash that
 * comes before an 'x' is written as \xHH, so no escape sequence from a
 * hostile disk reaches the terminal and the output reads back unambiguously.
 * Pure; nothing here prints. */
#ifndef RC_TEXT_H
#define RC_TEXT_H
#include <stddef.h>
#include <stdio.h>

/* Escape IN into OUT (at most SZ bytes with the final NUL; cut at a whole
 * escape). Control characters listed in KEEP (e.g. "\n\t" for multi-line
 * messages) pass through; KEEP may be NULL. Returns OUT. */
char *text_escape(const char *in, const char *keep, char *out, size_t sz);
/* The length text_escape would need, without the NUL. */
size_t text_escaped_len(const char *in, const char *keep);
/* Write IN escaped to F, any length. Returns what fputs returns. */
int text_fputs(const char *in, const char *keep, FILE *f);

#endif

/* Terminal-safe text. See text.h. */
#include "text.h"
#include <stdlib.h>
#include <string.h>

static int needs_escape(const char *p, const char *keep)
{
	unsigned char ch = (unsigned char)*p;
	if (ch < 0x20 || ch == 0x7f)
		return !(keep && strchr(keep, ch));
	return ch >= 0x80 || (ch == '\\' && p[1] == 'x');
}

size_t text_escaped_len(const char *in, const char *keep)
{
	size_t n = 0;
	for (const char *p = in; *p; p++)
		n += needs_escape(p, keep) ? 4 : 1;
	return n;
}

char *text_escape(const char *in, const char *keep, char *out, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!sz)
		return out;
	for (const char *p = in; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (!needs_escape(p, keep)) {
			if (o + 1 >= sz)
				break;
			out[o++] = (char)ch;
			continue;
		}
		if (o + 4 >= sz)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = 0;
	return out;
}

int text_fputs(const char *in, const char *keep, FILE *f)
{
	char small[1024];
	size_t need = text_escaped_len(in, keep) + 1;
	char *buf = need <= sizeof(small) ? small : malloc(need);
	if (!buf)
		return EOF;
	int r = fputs(text_escape(in, keep, buf, need), f);
	if (buf != small)
		free(buf);
	return r;
}

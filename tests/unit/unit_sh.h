/* Shared by the unit tests that build their fixtures with the real tools
 * (mke2fs -d, debugfs, sfdisk, losetup): a printf-style system(3) and a
 * scratch directory under /tmp. Header-only; each test includes it once.
 * Contract: sh returns system(3)'s status (0 when the command succeeded);
 * unit_tmpdir fills DIR (SZ bytes) with a new directory named after
 * PREFIX and returns 0, or -1; unit_rmdir removes it with everything in it. */
#ifndef RC_UNIT_SH_H
#define RC_UNIT_SH_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((format(printf, 1, 2), unused))
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;    /* a cut-short command must not run */
	return system(cmd);
}

__attribute__((unused))
static int unit_tmpdir(char *dir, size_t sz, const char *prefix)
{
	snprintf(dir, sz, "/tmp/%s-XXXXXX", prefix);
	return mkdtemp(dir) ? 0 : -1;
}

__attribute__((unused))
static int unit_rmdir(const char *dir)
{
	return dir[0] ? sh("rm -rf '%s'", dir) : 0;
}

#endif

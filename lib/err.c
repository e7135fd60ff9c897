#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char msgbuf[2048];
static int hint = RC_EXIT_FAIL;

static int record(int exitcode, int err, const char *fmt, va_list ap)
{
	vsnprintf(msgbuf, sizeof(msgbuf), fmt, ap);
	hint = exitcode;
	if (err < 0)
		err = -err;
	return err ? -err : -EIO;
}

int rc_fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = record(RC_EXIT_FAIL, err, fmt, ap);
	va_end(ap);
	return r;
}

int rc_failx(int exitcode, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = record(exitcode, err, fmt, ap);
	va_end(ap);
	return r;
}

int rc_context(int ret, const char *fmt, ...)
{
	char pre[1024], old[sizeof(msgbuf)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, msgbuf, sizeof(old));
	if (old[0])
		snprintf(msgbuf, sizeof(msgbuf), "%s: %s", pre, old);
	else
		snprintf(msgbuf, sizeof(msgbuf), "%s: %s", pre, strerror(ret < 0 ? -ret : ret));
	return ret;
}

const char *rc_msg(void)
{
	return msgbuf[0] ? msgbuf : "unknown error";
}

int rc_exit_hint(void)
{
	return hint;
}

void rc_clear(void)
{
	msgbuf[0] = 0;
	hint = RC_EXIT_FAIL;
}

#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char msgbuf[2048];
static int hint = RC_EXIT_FAIL;

/* Every message is formatted into a buffer of its own and only then copied
 * over the recorded one, so an argument that is the recorded message
 * itself (rc_fail(e, "%s", rc_msg()), rc_context(r, "%s", rc_msg())) is
 * read whole before it is overwritten: never formatted into itself. */
static void set_msg(const char *text)
{
	size_t n = strlen(text);
	if (n >= sizeof(msgbuf))
		n = sizeof(msgbuf) - 1;
	memmove(msgbuf, text, n);
	msgbuf[n] = 0;
}

static int record(int exitcode, int err, const char *fmt, va_list ap)
{
	char m[sizeof(msgbuf)];
	vsnprintf(m, sizeof(m), fmt, ap);
	set_msg(m);
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
	char pre[1024], m[sizeof(msgbuf)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	snprintf(m, sizeof(m), "%s: %s", pre, msgbuf[0] ? msgbuf : strerror(ret < 0 ? -ret : ret));
	set_msg(m);
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

#include "cli.h"
#include "text.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

enum { O_HELP = 'h', O_JSON = 'J', O_QUIET = 'q', O_VERBOSE = 'v',
       O_DRY = 'n', O_YES = 'y', O_ROOT = 1000 };

static const struct cli_opt common_opts[] = {
	{ "help", no_argument, O_HELP, NULL, "show this help and exit" },
	{ "json", no_argument, O_JSON, NULL, "print one JSON document on stdout" },
	{ "quiet", no_argument, O_QUIET, NULL, "print only errors" },
	{ "verbose", no_argument, O_VERBOSE, NULL, "say more about each step" },
	{ NULL, 0, 0, NULL, NULL },
};
static const struct cli_opt write_opts[] = {
	{ "dry-run", no_argument, O_DRY, NULL, "print the plan, write nothing" },
	{ "yes", no_argument, O_YES, NULL, "do not ask for confirmation" },
	{ NULL, 0, 0, NULL, NULL },
};
static const struct cli_opt target_opts[] = {
	{ "root", required_argument, O_ROOT, "DIR", "work on the tree mounted at DIR" },
	{ NULL, 0, 0, NULL, NULL },
};

static void help_opts(const struct cli_opt *o, FILE *f)
{
	for (; o && o->name; o++) {
		char left[64];
		int n = 0;
		if (o->id < 256 && o->id > ' ')
			n = snprintf(left, sizeof(left), "-%c, --%s", o->id, o->name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->argname && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - n, " %s", o->argname);
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

void cli_help(const struct applet *ap, const struct cli_opt *extra, FILE *f)
{
	fprintf(f, "Usage: rescuectl %s [OPTIONS] %s\n\n%s.\n", ap->name,
		ap->args ? ap->args : "", ap->summary);
	if (ap->help && *ap->help)
		fprintf(f, "\n%s\n", ap->help);
	fprintf(f, "\nOptions:\n");
	help_opts(extra, f);
	if (ap->flags & AP_TARGET)
		help_opts(target_opts, f);
	if (ap->flags & AP_WRITES)
		help_opts(write_opts, f);
	help_opts(common_opts, f);
	if (ap->flags & AP_TARGET)
		fprintf(f, "\nThe installed system is named by DEVICE (a block device or an image\n"
			   "file), by --root DIR (a tree already mounted), or found as detect-root\n"
			   "finds it; several candidates are refused with the list.\n");
	if (!(ap->flags & AP_FSCK_CODES))
		fprintf(f, "\nExit codes: 0 done, 1 failed, 2 usage, 3 refused by a safety check,\n"
			   "4 nothing found, 5 ambiguous.\n");
}

static int usage_code(const struct cli *c)
{
	return c->ap && (c->ap->flags & AP_FSCK_CODES) ? 16 : RC_EXIT_USAGE;
}

static int refused_code(const struct cli *c)
{
	return c->ap && (c->ap->flags & AP_FSCK_CODES) ? 8 : RC_EXIT_REFUSED;
}

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static void add_opts(struct option *lo, size_t *nl, char *so, const struct cli_opt *o)
{
	for (; o && o->name; o++) {
		lo[*nl].name = o->name;
		lo[*nl].has_arg = o->has_arg;
		lo[*nl].flag = NULL;
		lo[*nl].val = o->id;
		(*nl)++;
		if (o->id > ' ' && o->id < 127) {
			size_t l = strlen(so);
			so[l++] = (char)o->id;
			if (o->has_arg == required_argument)
				so[l++] = ':';
			so[l] = 0;
		}
	}
}

int cli_parse(struct cli *c, const struct applet *ap, int argc, char **argv,
	      const struct cli_opt *extra, cli_opt_fn fn, void *st,
	      int min_args, int max_args, int *exit_now)
{
	size_t n = count_opts(extra) + count_opts(common_opts) + count_opts(write_opts) +
		   count_opts(target_opts) + 1;
	struct option *lo = calloc(n, sizeof(*lo));
	char so[256] = ":";  /* GNU order: options may follow DEVICE */
	size_t nl = 0;
	int ret = 0, opt;

	memset(c, 0, sizeof(*c));
	c->ap = ap;
	*exit_now = 0;
	if (!lo)
		return cli_error(c, RC_EXIT_FAIL, "out of memory");
	add_opts(lo, &nl, so, extra);
	add_opts(lo, &nl, so, common_opts);
	if (ap->flags & AP_WRITES)
		add_opts(lo, &nl, so, write_opts);
	if (ap->flags & AP_TARGET)
		add_opts(lo, &nl, so, target_opts);
	/* Reset getopt: applets may be entered after main's own parsing. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (opt) {
		case O_HELP:
			cli_help(ap, extra, stdout);
			*exit_now = 1;
			goto out;
		case O_JSON: c->json = 1; break;
		case O_QUIET: c->quiet = 1; break;
		case O_VERBOSE: c->verbose++; break;
		case O_DRY: c->dry_run = 1; break;
		case O_YES: c->yes = 1; break;
		case O_ROOT: c->root = optarg; break;
		case '?':
		case ':': {
			const char *what = opt == ':' ? "option needs an argument" : "unknown option";
			if (optopt > ' ' && optopt < 127)
				ret = cli_usage(c, "%s: '-%c'", what, optopt);
			else
				ret = cli_usage(c, "%s: '%s'", what, argv[optind - 1]);
			*exit_now = 1;
			goto out;
		}
		default:
			ret = fn ? fn(c, st, opt, optarg) : RC_EXIT_USAGE;
			if (ret) {
				*exit_now = 1;
				goto out;
			}
		}
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs < min_args) {
		ret = cli_usage(c, "missing argument: %s", ap->args ? ap->args : "");
		*exit_now = 1;
	} else if (max_args >= 0 && c->nargs > max_args) {
		ret = cli_usage(c, "unexpected argument '%s'", c->args[max_args]);
		*exit_now = 1;
	} else if (c->root && c->nargs > 0 && (ap->flags & AP_TARGET) && !(ap->flags & AP_PATHS)) {
		ret = cli_usage(c, "give either DEVICE or --root DIR, not both");
		*exit_now = 1;
	}
out:
	free(lo);
	return ret;
}

/* Human output carries text from the target (os-release names, fstab
 * specs, file names): every control byte but newline and tab is escaped
 * (lib/text.h), so no escape sequence from a disk reaches the terminal. */
static void vput(FILE *f, const char *fmt, va_list ap)
{
	char *buf = NULL;
	if (vasprintf(&buf, fmt, ap) < 0)
		return;
	text_fputs(buf, "\n\t", f);
	fputc('\n', f);
	free(buf);
}

/* The JSON document goes to stderr: then it is the only thing there. */
static int json_on_stderr(const struct cli *c)
{
	return c->json && !c->json_fp && c->ap && (c->ap->flags & AP_STDOUT_DATA);
}

static void vmsg(struct cli *c, const char *pfx, const char *fmt, va_list ap)
{
	if (json_on_stderr(c))
		return;
	fprintf(stderr, "rescuectl %s: %s", c->ap ? c->ap->name : "", pfx);
	vput(stderr, fmt, ap);
}

void cli_warn(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(c, "warning: ", fmt, ap);
	va_end(ap);
}

void cli_warnj(struct cli *c, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!c->quiet || c->json)
		cli_warn(c, "%s", buf);
	json_object *w;
	if (!json_object_object_get_ex(cli_doc(c), "warnings", &w)) {
		w = json_object_new_array();
		json_object_object_add(cli_doc(c), "warnings", w);
	}
	json_object_array_add(w, json_object_new_string(buf));
}

void cli_info(struct cli *c, const char *fmt, ...)
{
	if (c->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	/* Human progress words go to stdout unless stdout carries JSON or data. */
	FILE *f = c->json || (c->ap && (c->ap->flags & AP_STDOUT_DATA)) ? stderr : stdout;
	vput(f, fmt, ap);
	fflush(f);
	va_end(ap);
}

void cli_verbose(struct cli *c, const char *fmt, ...)
{
	if (!c->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vput(stderr, fmt, ap);
	va_end(ap);
}

int cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(c, "", fmt, ap);
	va_end(ap);
	if (!json_on_stderr(c))
		fprintf(stderr, "Try 'rescuectl %s --help'\n", c->ap ? c->ap->name : "");
	if (c->json) {
		char buf[1024];
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		cli_error(c, usage_code(c), "%s", buf);
		c->done = 0;
		/* usage errors end the applet before cli_finish: print now */
		cli_finish(c, usage_code(c));
	}
	return usage_code(c);
}

json_object *cli_doc(struct cli *c)
{
	if (!c->doc)
		c->doc = json_object_new_object();
	return c->doc;
}

int cli_error(struct cli *c, int exitcode, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((exitcode != usage_code(c) || !c->json) && !json_on_stderr(c)) {
		fprintf(stderr, "rescuectl %s: ", c->ap ? c->ap->name : "");
		text_fputs(buf, "\n\t", stderr);
		fputc('\n', stderr);
	}
	if (c->json) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "message", json_object_new_string(buf));
		json_object_object_add(e, "exit", json_object_new_int(exitcode));
		json_object_object_add(cli_doc(c), "error", e);
	}
	return exitcode;
}

int cli_liberr(struct cli *c)
{
	return cli_error(c, rc_exit_hint(), "%s", rc_msg());
}

int cli_confirm(struct cli *c, const char *question)
{
	if (c->yes)
		return 1;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0 || !isatty(STDIN_FILENO)) {
		if (fd >= 0)
			close(fd);
		cli_error(c, refused_code(c), "%s -- no terminal to ask on; re-run with --yes to confirm", question);
		return 0;
	}
	char ans[16] = "";
	dprintf(fd, "%s [y/N] ", question);
	ssize_t n = read(fd, ans, sizeof(ans) - 1);
	close(fd);
	if (n > 0 && (ans[0] == 'y' || ans[0] == 'Y'))
		return 1;
	cli_error(c, refused_code(c), "not confirmed; nothing was changed");
	return 0;
}

int cli_finish(struct cli *c, int exitcode)
{
	if (c->json && !c->done) {
		json_object *doc = cli_doc(c);
		json_object_object_add(doc, "schema", json_object_new_int(RC_JSON_SCHEMA));
		/* fsck(8): 1 and 2 (errors corrected) are not failures */
		int failed = (c->ap && (c->ap->flags & AP_FSCK_CODES)) ? (exitcode & ~3) : exitcode;
		if (failed && !json_object_object_get_ex(doc, "error", NULL)) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "message", json_object_new_string("failed"));
			json_object_object_add(e, "exit", json_object_new_int(exitcode));
			json_object_object_add(doc, "error", e);
		}
		FILE *f = c->json_fp ? c->json_fp : (c->ap && (c->ap->flags & AP_STDOUT_DATA)) ? stderr : stdout;
		fprintf(f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		fflush(f);
	}
	c->done = 1;
	if (c->doc) {
		json_object_put(c->doc);
		c->doc = NULL;
	}
	return exitcode;
}

void cli_progress(struct cli *c, const char *label, unsigned long long done, unsigned long long total)
{
	if (c->quiet || !isatty(STDERR_FILENO) || !total)
		return;
	int width = 40, pct = (int)(done * 100 / total);
	int fill = (int)(done * (unsigned long long)width / total);
	fprintf(stderr, "\r%-20s [", label);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%%s", pct, done >= total ? "\n" : "");
	fflush(stderr);
}

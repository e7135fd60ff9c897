/* Findings and fix plans of the network and firewall analysis, as data.
 *
 * A finding carries what doctor's findings carry (a stable id, a severity,
 * the evidence file:line and what was seen there, what is wrong in words,
 * the fix in words) without depending on doctor's framework; doctor turns
 * each into one of its own. A fix is a plan: a list of edits, each naming
 * a path, its old content (what the plan was made from, compared again
 * before writing) and its new content, or a link to remove or a file to
 * create. Nothing is written here: the plan is applied by doctor's --fix
 * path (plan -> commit, undo journal), or, in tests, by nfplan_apply_dir.
 *
 * An overlay view (nfplan_overlay) shows a file view as it would be after
 * the plan, so that a fix is checked by running the same analysis again
 * before it is offered. Contract: 0 or -errno with a message. Nothing here
 * prints. */
#ifndef RC_NFPLAN_H
#define RC_NFPLAN_H
#include <stddef.h>
#include <sys/types.h>
#include "fsrc.h"

enum nf_sev { NF_BOOT = 0, NF_LOGIN = 1, NF_DEGRADED = 2, NF_NOTE = 3 };

#define NF_TEXT 512
struct nf_finding {
	char id[48];          /* "fw.ssh-dropped", "net.iface-missing" ... */
	enum nf_sev sev;
	char file[256];
	int line;
	char seen[NF_TEXT];
	char what[NF_TEXT];
	char fix[NF_TEXT];
	char key[128];        /* what a fix acts on (a firewall, an interface) */
	int port;             /* firewall findings: the port they are about */
	int fixable;
};

struct nf_findings {
	struct nf_finding *f;
	int n, cap;
};
/* A new finding (printf WHAT), or NULL when out of memory. */
struct nf_finding *nf_add(struct nf_findings *fs, const char *id, enum nf_sev sev, const char *file, int line,
			  const char *seen, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void nf_findings_free(struct nf_findings *fs);

enum nf_edit_kind { NF_EDIT_TEXT = 1, NF_EDIT_CREATE, NF_EDIT_UNLINK };
struct nf_edit {
	enum nf_edit_kind kind;
	char path[256];
	char *old;            /* TEXT: the content the plan was made from */
	size_t oldlen;
	char *new;            /* TEXT and CREATE: the new content */
	size_t newlen;
	mode_t mode;          /* CREATE */
	char what[300];       /* one line for the plan */
};
struct nf_plan {
	struct nf_edit *e;
	int n, cap;
};
/* Set PATH's new text (a second edit of the same path replaces the first's
 * new text and keeps its old one). OLD may be NULL when PATH was read through
 * the plan (nfplan_text). */
int nfplan_text(struct nf_plan *p, const struct fsrc *src, const char *path, const char *text, size_t len,
		const char *what);
int nfplan_create(struct nf_plan *p, const char *path, const char *text, size_t len, mode_t mode, const char *what);
int nfplan_unlink(struct nf_plan *p, const char *path, const char *what);
/* PATH's content as the plan leaves it (read from SRC when untouched). */
int nfplan_read(struct nf_plan *p, const struct fsrc *src, const char *path, size_t max, char **text, size_t *len);
void nfplan_free(struct nf_plan *p);

/* A view of BASE with the plan applied (kept: P and BASE outlive it). */
struct nf_overlay {
	const struct fsrc *base;
	const struct nf_plan *p;
};
void nfplan_overlay(struct fsrc *view, struct nf_overlay *o, const struct fsrc *base, const struct nf_plan *p);

/* Tests: write the plan into directory tree ROOT (no journal). */
int nfplan_apply_dir(const struct nf_plan *p, const char *root);

/* TEXT with LINE (1-based; n+1 appends) preceded by INS. malloc'd. */
char *nf_insert_line(const char *text, size_t len, int line, const char *ins, size_t *outlen);
/* The leading blanks of line LINE of TEXT. */
void nf_indent_of(const char *text, size_t len, int line, char *out, size_t sz);

#endif

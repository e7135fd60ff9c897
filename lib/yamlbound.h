/* Loading untrusted YAML (a target's cloud-init config) with libyaml, with
 * limits checked first: the parser's event stream is read once, counting
 * the nesting depth, the nodes and what every alias expands to, and the
 * document is built only when all stay under the limits. A deeply nested
 * file (100,000 '[' took libyaml 37 s to load) or an alias bomb (nine
 * levels of nine aliases: 9^9 nodes for anything that walks the tree) is
 * refused after reading only as far as the limit, in milliseconds.
 * Error messages carry the real line and column, also for the reader's
 * errors (bad UTF-8, control characters), which libyaml marks by byte
 * offset only. Pure; nothing here prints. */
#ifndef RC_YAMLBOUND_H
#define RC_YAMLBOUND_H
#include <stddef.h>
#include <yaml.h>

#define YB_MAX_BYTES     ((size_t)4 << 20)  /* the text */
#define YB_MAX_DEPTH     64                 /* nested collections */
#define YB_MAX_NODES     100000             /* scalars, collections and aliases as written */
#define YB_MAX_EXPANDED  100000             /* nodes once every alias is expanded */
#define YB_MAX_EXP_BYTES ((size_t)16 << 20) /* scalar bytes once every alias is expanded */
#define YB_MAX_ANCHORS   1024

enum yb_result {
	YB_LOADED = 0,    /* DOC holds the first document (its root may be NULL: empty) */
	YB_INVALID = 1,   /* not valid YAML: ERR says where and why */
	YB_TOO_BIG = 2,   /* valid as far as read, but over a limit: ERR says which, and where */
};

/* Load the first document of TEXT (LEN bytes). Returns an enum yb_result,
 * or -ENOMEM. ERR ("line L column C: problem") is set unless loaded. */
int yb_load(const char *text, size_t len, yaml_document_t *doc, char *err, size_t esz);

/* "line L column C" (1-based) of byte OFFSET in TEXT: columns count
 * characters, as libyaml's marks do. Pure. */
void yb_place(const char *text, size_t len, size_t offset, size_t *line, size_t *column);

#endif

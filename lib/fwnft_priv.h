/* Inside the nftables reader (fwnft*.c): tokens, the parsed rule set, and
 * the rule evaluator. Not for other modules. */
#ifndef RC_FWNFT_PRIV_H
#define RC_FWNFT_PRIV_H
#include "fwnft.h"

enum ntt { NT_WORD = 1, NT_STR, NT_PUNCT, NT_NL, NT_END };

struct ntok {
	enum ntt t;
	const char *s;   /* word, string (unquoted) or punctuation ("{", "!=") */
	int file;        /* index into the file names */
	int line;
};

struct nlex {
	struct ntok *t;
	int n, cap;
	char **files;    /* names of the files read, [0] the first */
	int nfiles;
	char **bufs;     /* token text storage, one per file */
	int nbufs;
	char err[300];   /* what stopped the reading, "" none */
};

/* Tokenize TEXT of FILE (with its includes, read from SRC) into L. 0, or
 * -errno for memory; a limit or a syntax surprise is L->err. */
int nlex_file(struct nlex *l, const struct fsrc *src, const char *file, const char *text, size_t len, int depth);
/* Replace `define`d variables; an undefined one is L->err. */
int nlex_defines(struct nlex *l);
void nlex_free(struct nlex *l);

/* The parsed rule set. */
struct nset {
	int table;
	char name[64];
	int map;
	int *elem;       /* token index of each element's first token */
	int *eend;       /* one past its last */
	int ne, cap;
	int dead;
};
struct nrule { int a, b; int top; int line, file; int cmd; /* from an add/insert rule command */ };
struct nchain {
	int table;
	char name[64];
	char type[16];   /* filter, nat, route, "" regular */
	char hook[16];
	int prio;
	int has_policy, policy_drop;
	int pfile, pline;   /* where the policy was set */
	int dfile, dline;   /* where the chain was declared */
	int block;          /* declared in a block (1) or an add chain command */
	int bodyline;       /* last line of the chain's statements (type/policy) */
	int endline;        /* line of the '}' closing its block, 0 none */
	struct nrule *r;
	int nr, cap;
	int dead;
};
struct ntable { char fam[16]; char name[64]; int dormant, dead; };

struct nrs {
	struct nlex *lx;
	struct ntable *tb; int ntb, tbcap;
	struct nchain *ch; int nch, chcap;
	struct nset *st; int nst, stcap;
	char uncertain[300];
	int port;
};

int nrs_parse(struct nrs *rs);
void nrs_free(struct nrs *rs);
int nrs_set_find(const struct nrs *rs, int table, const char *name);
int nrs_chain_find(const struct nrs *rs, int table, const char *name);

/* Compile rule tokens [A, B) of chain CH into alternatives (at most MAX). */
int nrule_eval(const struct nrs *rs, int ch, int a, int b, struct fw_alt *alt, int max, int *nalt);

#endif

/* Which e2fsprogs program runs -- e2fsck, resize2fs, mke2fs: the rescue
 * system's own, or the copy built into rescuectl (mk/e2fsprogs.sh: Debian's
 * e2fsprogs source, linked in as hidden applets of applets/main.c and run as
 * /proc/self/exe with argv[0] "e2fsck", "resize2fs", "mke2fs" or
 * "mkfs.ext4"; nothing is written to disk to run them).
 *
 * The rule: the rescue system's program when it has one that is new enough
 * for the filesystem's features (lib/fsck.h's table), or one that does not
 * tell its version (it ran so before; the caller warns); otherwise the
 * bundled one. E2T_SYSTEM and E2T_BUNDLED force either. The choice is pinned with
 * run_pin (lib/run.h), so every later run_cmd of that program in this
 * process runs the chosen file and callers keep their argv as they were.
 *
 * Never prints. e2t_decide is pure (tests/unit/test_e2tools.c); e2t_choose
 * looks in PATH and runs the system's program once to ask its version. */
#ifndef RC_E2TOOLS_H
#define RC_E2TOOLS_H
#include <limits.h>
#include <stddef.h>

enum e2t_tool { E2T_E2FSCK, E2T_RESIZE2FS, E2T_MKE2FS };
#define E2T_NTOOLS 3
#define E2T_BIT(t) (1u << (t))

enum e2t_pref {
	E2T_AUTO,      /* the system's when new enough, else the bundled one */
	E2T_SYSTEM,    /* the system's, even when too old (the caller refuses) */
	E2T_BUNDLED,   /* the bundled one */
};

/* "e2fsck", "resize2fs", "mke2fs" */
const char *e2t_prog(enum e2t_tool t);
/* --checker's word: "system", "bundled" or "auto" into *PREF; -EINVAL
 * for anything else. */
int e2t_pref_parse(const char *word, enum e2t_pref *pref);
/* The bundled programs' version, e.g. FSCK_VER(1, 47, 0), and as text with
 * its Debian revision ("1.47.0-2"). */
unsigned e2t_bundled_version(void);
const char *e2t_bundled_version_str(void);

/* What is known about the rescue system's program. */
struct e2t_facts {
	int found;              /* it has one */
	unsigned ver;           /* its version; 0 when it does not tell */
	const char *features;   /* the filesystem's (space-separated); NULL when
				 * there is none yet (mke2fs) or it could not be read */
	enum e2t_pref pref;
	unsigned bundled_ver;   /* e2t_bundled_version() */
};
/* 1 to run the bundled program, 0 for the system's; WHY says why in words
 * that read after "bundled; " ("the rescue system has none", "the rescue
 * system's e2fsck 1.42.9 is too old for orphan_file"), "as asked" when PREF
 * forced it, or empty when the system's runs as a matter of course. */
int e2t_decide(const char *prog, const struct e2t_facts *f, char *why, size_t sz);

struct e2t_choice {
	enum e2t_tool tool;
	const char *prog;        /* "e2fsck" */
	int bundled;             /* 1: rescuectl's own copy */
	int forced;              /* PREF was not E2T_AUTO */
	char path[PATH_MAX];     /* what is executed: the system's program or /proc/self/exe */
	char shown[PATH_MAX];    /* for people: the system's program or rescuectl's own file */
	unsigned ver;            /* version of what runs; 0: unknown */
	char ver_str[24];        /* "1.47.0", "unknown" */
	int sys_found;           /* the rescue system has the program */
	unsigned sys_ver;        /* its version (0: unknown or none) */
	char why[256];           /* e2t_decide's WHY */
};
/* Choose and pin the program for TOOL on a filesystem with FEATURES (NULL:
 * none to check). 0, or -ENOENT with the install hint (E2T_SYSTEM and the
 * rescue system has none), or -ENOEXEC when the bundled program cannot
 * start (/proc not mounted). */
int e2t_choose(enum e2t_tool tool, const char *features, enum e2t_pref pref, struct e2t_choice *c);
/* 1 when C is the rescue system's program, run because E2T_SYSTEM forced
 * it, although it is too old for FEATURES; WHY then says so ("the rescue
 * system's e2fsck 1.42.9 is too old for orphan_file"). 0 otherwise. */
int e2t_forced_too_old(const struct e2t_choice *c, const char *features, char *why, size_t sz);
/* "e2fsck 1.47.0 (bundled; the rescue system has none)", "e2fsck 1.47.0
 * (bundled, as asked)", "e2fsck 1.47.0 (the rescue system's /usr/sbin/e2fsck)".
 * Returns BUF. */
const char *e2t_words(const struct e2t_choice *c, char *buf, size_t sz);
/* The parenthesised part alone: "bundled; the rescue system has none". */
const char *e2t_source_words(const struct e2t_choice *c, char *buf, size_t sz);

#endif

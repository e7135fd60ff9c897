/* fsck's reusable logic: which checker for which filesystem and mode, the
 * checkers' exit statuses in fsck(8)'s words, which ext4 features an
 * installed e2fsck knows, and what changed in the superblock. Pure: no I/O,
 * no printing; unit-tested in tests/unit/test_fsck.c. */
#ifndef RC_FSCK_H
#define RC_FSCK_H
#include <stddef.h>
#include "ext4.h"

/* fsck(8) / e2fsck(8) exit status bits. */
#define FSCK_EX_OK          0
#define FSCK_EX_CORRECTED   1   /* errors corrected */
#define FSCK_EX_REBOOT      2   /* errors corrected, reboot needed */
#define FSCK_EX_UNCORRECTED 4   /* errors left uncorrected */
#define FSCK_EX_OPERATIONAL 8   /* operational error (also: rescuectl refused) */
#define FSCK_EX_USAGE       16  /* usage or syntax error */
#define FSCK_EX_CANCELLED   32  /* cancelled by user request */
#define FSCK_EX_LIBRARY     128 /* shared-library error */

/* STATUS (0..255) in words: "errors corrected; reboot needed". Bits that
 * are not defined are named ("unknown bit 64"). Returns BUF. */
const char *fsck_status_words(int status, char *buf, size_t sz);
/* Short names of the bits set in STATUS ("corrected", "reboot",
 * "uncorrected", "operational", "usage", "cancelled", "library"), up to MAX;
 * returns how many. Status 0 gives none. */
int fsck_status_flags(int status, const char **names, int max);

/* e2fsprogs versions as one number: 1.47.0 -> 14700, 1.42.9 -> 14209. */
#define FSCK_VER(a, b, c) ((unsigned)(a) * 10000u + (unsigned)(b) * 100u + (unsigned)(c))
/* Parse `e2fsck -V` output (it goes to stderr): "e2fsck 1.47.0 (5-Feb-2023)"
 * and "Using EXT2FS Library version 1.47.0". The e2fsck version wins; the
 * library's is the fallback. 0 and *VER, or -EINVAL when neither is there. */
int fsck_parse_e2fsck_version(const char *text, unsigned *ver);
/* The same for any e2fsprogs program PROG: "resize2fs 1.47.0 (5-Feb-2023)"
 * (resize2fs prints it before its usage), "mke2fs 1.47.0 ..." (mke2fs -V). */
int fsck_parse_version(const char *prog, const char *text, unsigned *ver);
/* "1.47.0" */
const char *fsck_version_str(unsigned ver, char *buf, size_t sz);

/* The first e2fsprogs release whose e2fsck accepts ext2/3/4 feature NAME
 * (as e2fsprogs spells it: "orphan_file", "metadata_csum" ...). */
#define FSCK_FEAT_NEVER   0xfffffffeu  /* no released e2fsck accepts it (compression, dirdata ...) */
#define FSCK_FEAT_UNKNOWN 0xffffffffu  /* not in rescuectl's table (e.g. "FEATURE_I31") */
unsigned fsck_feature_min_version(const char *name);

struct fsck_feat {
	char name[32];
	unsigned needs;   /* version, FSCK_FEAT_NEVER or FSCK_FEAT_UNKNOWN */
};
/* The features in FEATURES (space-separated, as ext4_info.features) that an
 * e2fsck of version VER does not know, up to MAX; returns how many. Features
 * unknown to rescuectl's table are listed too (needs = FSCK_FEAT_UNKNOWN):
 * the caller decides (they are only a warning: e2fsck refuses them itself
 * before changing anything). */
int fsck_features_unknown(const char *features, unsigned ver, struct fsck_feat *out, int max);

/* What to run. */
enum fsck_mode {
	FSCK_MODE_PREEN,   /* default: repair what is safe automatically (e2fsck -p) */
	FSCK_MODE_YES,     /* --yes: repair everything (e2fsck -y) */
	FSCK_MODE_CHECK,   /* --check-only / -n: change nothing (e2fsck -n) */
};
const char *fsck_mode_name(enum fsck_mode m);  /* "repair-safe", "repair-all", "check-only" */

enum fsck_kind { FSCK_KIND_E2FSCK = 1, FSCK_KIND_XFS, FSCK_KIND_BTRFS };

struct fsck_opts {
	enum fsck_mode mode;
	int btrfs_repair;        /* --repair: btrfs check --repair */
	int progress;            /* e2fsck -C 0 (on a terminal) */
	int verbose;             /* pass -v through */
	unsigned long long superblock;  /* e2fsck -b N (0: primary) */
	unsigned blocksize;      /* e2fsck -B N with -b (0: let e2fsck find it) */
};

#define FSCK_MAX_ARGS 16
struct fsck_plan {
	enum fsck_kind kind;
	const char *prog;        /* "e2fsck", "xfs_repair", "btrfs" */
	char *argv[FSCK_MAX_ARGS];  /* NULL-terminated; argv[0] = prog */
	int argc;
	int writes;              /* may change the device */
	const char *warning;     /* e.g. btrfs --repair is risky; NULL */
	char num[2][32];         /* storage for -b / -B numbers */
};
/* Choose the checker and its arguments for FSTYPE ("ext4", "xfs", "btrfs"
 * ...) on DEV. -EOPNOTSUPP with a recorded message for types without a
 * checker here; -EINVAL for option combinations that do not apply. */
int fsck_plan(const char *fstype, const char *dev, const struct fsck_opts *o, struct fsck_plan *p);
/* The checker's exit status mapped to fsck(8)'s bitmask. e2fsck's passes
 * through; xfs_repair's and btrfs check's are translated as fsck.xfs does
 * (xfs_repair: 0 -> 0, 1 -> 4, 2 (dirty log) -> 4, 4 (-e: repaired) -> 1,
 * other -> 8; btrfs: 0 -> 0, nonzero -> 4). SIGNALLED: killed by a signal
 * (-> 8, or 32 for SIGINT/SIGTERM). */
int fsck_map_status(const struct fsck_plan *p, int status, int signalled);

/* One difference between two reads of the superblock. */
struct fsck_change {
	const char *field;       /* "state", "free_blocks" ... */
	char before[64], after[64];
};
/* What changed from A (preflight) to B (after the checker), up to MAX;
 * returns how many. */
int fsck_sb_diff(const struct ext4_info *a, const struct ext4_info *b, struct fsck_change *out, int max);
/* "clean", "not clean", "errors recorded", "not clean, errors recorded". */
const char *fsck_state_words(const struct ext4_info *in);

#endif

/* Stopping cloud-init (growpart, resizefs), the initramfs growroot and
 * friends from growing the root back at the next boot; and saying whether
 * anything still would.
 *
 * Two layers: pure functions over cloud-config text (parse with libyaml,
 * merge the way cloud-init merges, surgical line edits of the module lists),
 * unit-tested; and tree-level functions (status, plan, disable, undo) that
 * read and write only through lib/tree.h. Nothing here prints. */
#ifndef RC_GROWPART_H
#define RC_GROWPART_H
#include <stddef.h>
#include "tree.h"
#include "probe.h"

/* What rescuectl writes. The drop-in sorts after every usual provider file
 * in C locale (90_dpkg.cfg, 99-installer.cfg, 99_*.cfg, curtin-*.cfg ...). */
#define GP_CLOUD_DIR     "/etc/cloud"
#define GP_CLOUD_CFG     "/etc/cloud/cloud.cfg"
#define GP_CLOUD_CFG_D   "/etc/cloud/cloud.cfg.d"
#define GP_DROPIN_NAME   "zz-rescuectl-growpart.cfg"
#define GP_DROPIN        GP_CLOUD_CFG_D "/" GP_DROPIN_NAME
#define GP_CFG_BACKUP    "/etc/cloud/cloud.cfg.rescuectl-orig"
#define GP_GROWROOT_OFF  "/etc/growroot-disabled"
#define GP_CI_DISABLED   "/etc/cloud/cloud-init.disabled"

/* ---- pure: one cloud-config file ----------------------------------------- */

enum gp_list { GP_INIT_MODULES, GP_CONFIG_MODULES, GP_FINAL_MODULES, GP_NLISTS };
extern const char *const gp_list_names[GP_NLISTS];

/* What one cloud-config document sets (only the keys that matter here). */
struct gp_cfg {
	int valid;                 /* parsed as YAML with a mapping (or empty) at the top */
	char error[256];           /* why not, "line N: problem" */
	/* module lists: present in this file, and which of our modules they hold */
	int has_list[GP_NLISTS];
	int list_growpart[GP_NLISTS], list_resizefs[GP_NLISTS];
	/* growpart: present; a mapping?; its keys */
	int has_growpart, growpart_map;
	int has_mode, mode_off;    /* mode_off: false, 'off', no, 0 ... (cloud-init's is_false) */
	char mode[32];             /* as written ("off", "auto", "false") */
	int has_devices, devices_empty;
	int has_ignore, ignore_growroot_disabled;
	/* conf_d (cloud.cfg only): where cloud-init looks for the drop-ins */
	int has_conf_d;
	char conf_d[128];
	/* resize_rootfs */
	int has_resize, resize_on;
	char resize[32];
};

/* Parse TEXT (LEN bytes) as a cloud-config file. Returns 0 (also for
 * invalid YAML: c->valid=0 and c->error say why, "line L column C: ..."),
 * -E2BIG with a message (exit hint 3) when the text is beyond the limits of
 * lib/yamlbound.h (size, depth, nodes, alias expansion: nothing can be said
 * of it, as cloud-init might still read it), or -ENOMEM. */
int gp_cfg_parse(const char *text, size_t len, struct gp_cfg *c);
/* Merge OVER (a file sorting later) onto ACC the way cloud-init does: nested
 * mappings key by key, everything else (lists, scalars) replaced. */
void gp_cfg_merge(struct gp_cfg *acc, const struct gp_cfg *over);
/* Is NAME (a module list entry) growpart (1), resizefs (2) or other (0)?
 * cloud-init's form_module_name: '-' -> '_', optional cc_ and .py. */
int gp_module_kind(const char *name, size_t len);

/* Remove the growpart and resizefs entries from every module list in TEXT,
 * touching no other line: block items (`- growpart`, `- [growpart, always]`,
 * `- {name: growpart}`) lose their whole lines, flow lists lose the entry and
 * one comma. The result is re-parsed and compared with the original minus
 * those entries; any difference refuses the edit. *OUT (malloc'd, NUL
 * terminated) is NULL when there was nothing to remove. *REMOVED counts the
 * entries removed. Returns 0 or -errno with a message (rc_fail). */
int gp_edit_modules(const char *text, size_t len, char **out, size_t *outlen, int *removed);

/* The drop-in rescuectl writes (a constant string). */
const char *gp_dropin_text(void);
/* Does TEXT look like a file rescuectl wrote (its marker on line 1)? */
int gp_is_ours(const char *text);

/* ---- tree level ----------------------------------------------------------- */

#define GP_MAXMSG 16
struct gp_msgs {
	int n;
	char m[GP_MAXMSG][320];
};

struct growpart_status {
	int cloud_init;              /* /etc/cloud exists */
	int cloud_init_disabled;     /* /etc/cloud/cloud-init.disabled */
	int has_cloud_cfg;
	struct gp_cfg merged;        /* cloud.cfg, then each cloud.cfg.d *.cfg, merged */
	char list_from[GP_NLISTS][128];  /* the file that set each module list */
	char mode_from[128], resize_from[128], growpart_from[128];
	int growpart_listed, resizefs_listed;  /* in any module list */
	int growpart_runs, resizefs_runs;      /* and configured to act */
	int dropin, dropin_ours;     /* our drop-in exists (and has our marker) */
	int cfg_backup;              /* GP_CFG_BACKUP exists: --edit-cloud-cfg was used */
	int dropins_ignored;         /* cloud.cfg's conf_d points elsewhere: cloud.cfg.d is not read */
	int growroot_disabled, growroot_disabled_ours;
	int initramfs_growroot;      /* a growroot hook in the initramfs tools */
	char initramfs_growroot_path[128];
	int growroot_runs;
	int fstab_growfs;            /* x-systemd.growfs on any fstab entry */
	char fstab_growfs_on[256];   /* mount points that have it */
	int gpt_known, gpt_grow;     /* GPT attribute bit 59 on the root partition */
	int would_grow;
	struct gp_msgs reasons;      /* one line per thing that would grow the root */
	struct gp_msgs later;        /* files sorting after our drop-in that undo it */
	struct gp_msgs warnings;     /* invalid YAML files and the like */
};

/* Look at the tree (read only). ID is the root device when the target is a
 * device (for the GPT attribute), else NULL. */
int growpart_status(struct tree *t, const struct devid *id, struct growpart_status *st);

#define GROWPART_EDIT_CLOUD_CFG 0x1  /* also remove the modules from cloud.cfg */
#define GROWPART_FORCE          0x2  /* write even without /etc/cloud */
#define GROWPART_DRY_RUN        0x4  /* plan only */

enum gp_op { GP_OP_CREATE = 1, GP_OP_REPLACE, GP_OP_UNLINK, GP_OP_MKDIR };
struct gp_action {
	enum gp_op op;
	char path[128];
	char backup[128];     /* GP_OP_REPLACE: where the old content goes ("" none) */
	char *data;           /* content for CREATE/REPLACE (owned) */
	size_t len;
	char what[256];       /* one line for the plan */
};

#define GP_MAXACT 8
struct growpart_report {
	int no_cloud_init;    /* no /etc/cloud: nothing written unless FORCE */
	int changed;          /* something was (or, dry-run, would be) written */
	int nact;
	struct gp_action act[GP_MAXACT];
	int removed_entries;  /* module entries removed from cloud.cfg */
	int still_grows;      /* disable: something would still grow the root afterwards */
	struct gp_msgs notes;     /* what was already in place, etc. */
	struct gp_msgs warnings;  /* still-growing sources, later drop-ins, user-data */
};

/* Before the first write (also under GROWPART_DRY_RUN, so a dry run refuses
 * what the real run refuses): every path of the plan is absent or of the
 * one type its action may find (a regular file; a directory for MKDIR), and
 * every directory above it is a directory (or a link to one inside the
 * tree) or created earlier in the plan. Symbolic links, dangling or not,
 * FIFOs and the like are refused: 0, or -errno with a message naming the
 * path and what it is (exit hint 3). growpart_disable*() and
 * growpart_undo() call it; apply() then never meets a refusal of its own. */
int gp_check_plan(struct tree *t, const struct growpart_report *rep);
/* The directories above PATH only (actions before index UPTO of REP, which
 * may be NULL, count as done). */
int gp_check_dirs(struct tree *t, const struct growpart_report *rep, int upto, const char *path);

/* Plan and (unless GROWPART_DRY_RUN) write: the drop-in, /etc/growroot-disabled
 * and, with GROWPART_EDIT_CLOUD_CFG, the edited cloud.cfg (backup kept in
 * GP_CFG_BACKUP). Idempotent: a second run plans nothing. */
int growpart_disable(struct tree *t, unsigned flags, struct growpart_report *rep);
/* The same, with the root device (for the GPT attribute in the warnings about
 * what still grows the root); ID may be NULL. */
int growpart_disable_dev(struct tree *t, const struct devid *id, unsigned flags, struct growpart_report *rep);
/* Remove what rescuectl wrote and restore cloud.cfg from its backup. */
int growpart_undo(struct tree *t, unsigned flags, struct growpart_report *rep);
void growpart_report_free(struct growpart_report *rep);

#endif

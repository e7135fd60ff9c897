/* What GRUB will boot, read from its files without running it: grub.cfg's
 * menu entries (titles, ids, submenus, linux/initrd lines, the search
 * that sets $root), BLS entries (/boot/loader/entries/NAME.conf, used when
 * grub.cfg runs blscfg), the default (`set default=`, grubenv's
 * saved_entry) and /etc/default/grub (with /etc/default/grub.d/NAME.cfg).
 *
 * grub.cfg is read the way GRUB's script reader splits words: blanks
 * separate, '...' is literal, "..." and unquoted words take backslash
 * escapes; a line ending in '{' opens a block, '}' closes one. Only what
 * matters here is kept; anything with a $variable in it is reported as
 * such rather than guessed. Bounded: GRUB_MAX_ENTRIES entries, nesting of
 * GRUB_MAX_DEPTH blocks, lines as the caller split them. Pure. */
#ifndef RC_GRUBCFG_H
#define RC_GRUBCFG_H
#include <stddef.h>

#define GRUB_MAX_ENTRIES 512
#define GRUB_MAX_DEPTH 16
#define GRUB_MAX_INITRD 4

struct grub_entry {
	char title[256];
	char id[256];            /* $menuentry_id_option / --id, or the BLS file name without .conf */
	char path[32];           /* index path as GRUB_DEFAULT counts: "2" or "1>0" */
	char parent_title[256], parent_id[256];  /* of the submenu it is in */
	int line;                /* line of the menuentry (1-based), or 0 for BLS */
	char file[256];          /* grub.cfg or the BLS file */
	char kernel[512];         /* as written (path after a "(hd0,1)" prefix is kept) */
	int linux_line;
	char args[2048];         /* the kernel command line */
	char initrd[GRUB_MAX_INITRD][512];
	int ninitrd, initrd_line;
	char search_uuid[64];    /* search ... --set=root UUID in the entry */
	char version[128];       /* BLS version, else from the linux path */
	int recovery;            /* a recovery/rescue entry */
	int uses_vars;           /* $ in linux/initrd/args: not checked */
};

struct grub_cfg {
	struct grub_entry *e;
	int n;
	int blscfg;              /* grub.cfg runs blscfg: the BLS entries are the menu */
	char def[256];           /* the literal `set default=` value ("" none) */
	int def_line;
	int def_saved;           /* `set default="${saved_entry}"` */
	char top_uuid[64];       /* a top-level `search ... --set=root UUID` */
	int truncated;           /* more than GRUB_MAX_ENTRIES entries */
};

/* Parse grub.cfg's lines (N of them) into G (entries appended). FILE names it. */
int grub_parse(char *const *lines, int n, const char *file, struct grub_cfg *g);
/* One BLS entry file (its text); ID is the file name without ".conf". */
int grub_parse_bls(const char *text, const char *id, const char *file, struct grub_cfg *g);
/* Sort the BLS entries as GRUB's blscfg shows them (newest version first). */
void grub_sort_bls(struct grub_cfg *g);
void grub_free(struct grub_cfg *g);

/* The entry GRUB boots for default value VAL (a number, "a>b", a title or
 * an id); -1 when VAL names none (GRUB then boots the first entry). */
int grub_find_default(const struct grub_cfg *g, const char *val);
/* The value of KEY in /etc/default/grub-style text (shell assignments,
 * quotes removed); the last assignment wins. 1 found (*LINE set), 0 not. */
int grub_default_var(const char *text, const char *key, char *val, size_t vsz, int *line);
/* saved_entry (or another KEY) in a grubenv block. */
int grubenv_get(const char *text, size_t len, const char *key, char *val, size_t vsz);
/* GRUB's 1024-byte environment block with KEY set to VAL (others kept).
 * -E2BIG if it does not fit. *OUT is malloc'd (1024 bytes). */
int grubenv_set(const char *text, size_t len, const char *key, const char *val, char **out, size_t *outlen);
/* The value of kernel parameter NAME in ARGS ("root" -> "UUID=..."); 1 found, 0 not. */
int kparam(const char *args, const char *name, char *val, size_t vsz);

#endif

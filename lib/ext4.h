/* Superblock facts and a read-only tree of an unmounted ext2/3/4 (libext2fs;
 * lib/ext4_walk.h is the other user, for recover's inode walk). */
#ifndef RC_EXT4_H
#define RC_EXT4_H
#include <stdint.h>
#include <time.h>

/* Superblock facts, read without writing (fsck's preflight, detect-root). */
struct ext4_info {
	char uuid[40], label[20];
	uint32_t block_size;
	uint64_t blocks, free_blocks, inodes, free_inodes;
	int clean;            /* s_state has EXT2_VALID_FS */
	int errors;           /* s_state has EXT2_ERROR_FS */
	int has_journal, needs_recovery, orphans;
	time_t last_check, last_mount, last_write, first_error_time, last_error_time;
	uint32_t mount_count;
	int max_mount_count;
	char first_error_func[40], last_error_func[40];
	uint32_t first_error_ino, last_error_ino, first_error_line, last_error_line;
	uint64_t first_error_block, last_error_block;
	uint32_t error_count;
	char features[512];   /* space-separated names as e2fsprogs spells them */
	int rev;              /* 0 = ext2 rev 0 */
	const char *fstype;   /* "ext2", "ext3" or "ext4" */
	/* Raw superblock words, for comparisons (fsck's preflight). */
	uint32_t feature_compat, feature_incompat, feature_ro_compat;
	uint16_t state;       /* s_state */
	uint8_t first_error_errcode, last_error_errcode;  /* EXT4_ERR_* */
	uint32_t blocks_per_group, first_data_block;
	/* Where the facts come from. */
	uint64_t sb_block;    /* 0: the primary superblock; else a backup's block number */
	int primary_ok;       /* the primary superblock has the magic and a sane geometry */
	int opened;           /* libext2fs opened it (group descriptors readable) */
	char open_error[256]; /* why libext2fs could not, when !opened */
};

/* Open DEV read-only and fill INFO. On failure the recorded message says why
 * (bad magic, damaged superblock ...). */
int ext4_read_info(const char *dev, struct ext4_info *info);
/* Lenient, for damaged filesystems (fsck's preflight): read the primary
 * superblock directly; if it is damaged, the first good backup at the
 * usual locations (1k/2k/4k/... block sizes). Returns 0 when some
 * superblock was found (info->sb_block, info->primary_ok say which), then
 * tries libext2fs on it (info->opened, info->open_error). -errno with a
 * message when no superblock is found at all. Never writes. */
int ext4_read_info_any(const char *dev, struct ext4_info *info);
/* Read the superblock at block SB of size BLOCK_SIZE (e2fsck -b SB -B BS). */
int ext4_read_info_at(const char *dev, uint64_t sb, uint32_t block_size, struct ext4_info *info);
/* Backup superblock locations for e2fsck -b, read from the filesystem: the
 * geometry comes from the primary superblock or, when that is damaged, from
 * a backup found by trying the usual places for each block size; only
 * locations whose superblock reads back valid are listed. *BLOCK_SIZE is set
 * (the -B value). Returns how many (up to MAX), or -errno with a message. */
int ext4_backup_superblocks(const char *dev, uint32_t *block_size, uint64_t *out, int max);
/* Pure geometry: where mke2fs put the backups of a filesystem with BLOCKS
 * blocks, FIRST_DATA_BLOCK, BLOCKS_PER_GROUP; SPARSE (sparse_super: groups
 * 1 and powers of 3, 5, 7), SPARSE2 (sparse_super2: only BACKUP_BGS[0..1]).
 * Returns how many (up to MAX). */
int ext4_backup_locations(uint64_t blocks, uint32_t first_data_block, uint32_t blocks_per_group,
			  int sparse, int sparse2, const uint32_t backup_bgs[2], uint64_t *out, int max);

#endif

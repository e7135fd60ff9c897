/* The only interface to libext2fs outside lib/ext4.c. */
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
};

/* Open DEV read-only and fill INFO. On failure the recorded message says why
 * (bad magic, damaged superblock ...). */
int ext4_read_info(const char *dev, struct ext4_info *info);
/* Backup superblock locations for -b, as mke2fs placed them (block numbers). */
int ext4_backup_superblocks(const char *dev, uint32_t block_size, uint64_t *out, int max);

#endif

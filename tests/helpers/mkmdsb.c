/* mkmdsb FILE DEVNUM ARRAY_UUID NAME: write an md v1.2 superblock (RAID1, two
 * devices, data at 1 MiB) 4 KiB into FILE, with the checksum mdadm computes
 * (super1.c calc_sb_1_csum), so libblkid reports linux_raid_member. md
 * cannot be assembled on the test machine (no md kernel module); this makes
 * the members an unassembled array leaves behind. ARRAY_UUID: 32 hex digits. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

int main(int argc, char **argv)
{
	if (argc != 5 || strlen(argv[3]) != 32) {
		fprintf(stderr, "usage: mkmdsb FILE DEVNUM ARRAY_UUID(32 hex) NAME\n");
		return 2;
	}
	int fd = open(argv[1], O_RDWR);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	uint32_t devnum = (uint32_t)atoi(argv[2]), max_dev = 2;
	uint8_t sb[256 + 2 * 2];
	memset(sb, 0, sizeof(sb));
	le32(sb + 0, 0xa92b4efc);              /* magic */
	le32(sb + 4, 1);                       /* major_version */
	for (int i = 0; i < 16; i++) {         /* set_uuid */
		unsigned v;
		sscanf(argv[3] + 2 * i, "%2x", &v);
		sb[16 + i] = (uint8_t)v;
	}
	snprintf((char *)sb + 32, 32, "%s", argv[4]);  /* set_name */
	le64(sb + 64, 1700000000);             /* ctime */
	le32(sb + 72, 1);                      /* level: RAID1 */
	uint64_t sectors = (uint64_t)st.st_size / 512, data_offset = 2048;
	le64(sb + 80, sectors - data_offset);  /* size */
	le32(sb + 92, 2);                      /* raid_disks */
	le64(sb + 128, data_offset);           /* data_offset */
	le64(sb + 136, sectors - data_offset); /* data_size */
	le64(sb + 144, 8);                     /* super_offset: 4 KiB */
	le64(sb + 152, ~0ULL);                 /* recovery_offset: fully recovered */
	le32(sb + 160, devnum);                /* dev_number */
	for (int i = 0; i < 16; i++)           /* device_uuid */
		sb[168 + i] = (uint8_t)(0x11 * (devnum + 1) + i);
	le64(sb + 192, 1700000000);            /* utime */
	le64(sb + 200, 17);                    /* events */
	le64(sb + 208, ~0ULL);                 /* resync_offset: in sync */
	le32(sb + 220, max_dev);               /* max_dev */
	sb[256] = 0; sb[257] = 0;              /* dev_roles[0] = 0 */
	sb[258] = 1; sb[259] = 0;              /* dev_roles[1] = 1 */
	/* checksum: sum of the little-endian 32-bit words with sb_csum = 0, folded */
	uint64_t sum = 0;
	for (size_t i = 0; i < 256 + 2 * max_dev; i += 4)
		sum += (uint32_t)sb[i] | (uint32_t)sb[i + 1] << 8 | (uint32_t)sb[i + 2] << 16 | (uint32_t)sb[i + 3] << 24;
	le32(sb + 216, (uint32_t)((sum & 0xffffffff) + (sum >> 32)));
	if (pwrite(fd, sb, sizeof(sb), 4096) != (ssize_t)sizeof(sb) || fsync(fd) < 0) {
		perror("write");
		return 1;
	}
	close(fd);
	return 0;
}

/* mdsb IMG: write an md v1.2 superblock (RAID1 member, valid checksum) at
 * 4 KiB into IMG, so that libblkid sees a linux_raid_member there. For
 * tests on machines without the md driver or mdadm. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void le32(unsigned char *b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *b, size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mdsb IMG\n");
		return 2;
	}
	unsigned char sb[256 + 2 * 4];
	memset(sb, 0, sizeof(sb));
	le32(sb, 0, 0xa92b4efc);            /* magic */
	le32(sb, 4, 1);                     /* major_version */
	memcpy(sb + 16, "rescuectl-test-1", 16);  /* set_uuid */
	memcpy(sb + 32, "rescue:0", 8);     /* set_name */
	le32(sb, 72, 1);                    /* level: raid1 */
	le64(sb, 80, 2048);                 /* size (sectors) */
	le32(sb, 92, 2);                    /* raid_disks */
	le64(sb, 128, 2048);                /* data_offset */
	le64(sb, 136, 2048);                /* data_size */
	le64(sb, 144, 8);                   /* super_offset: 4096 / 512 */
	memcpy(sb + 168, "rescuectl-dev-01", 16);  /* device_uuid */
	le64(sb, 200, 1);                   /* events */
	le32(sb, 220, 4);                   /* max_dev */
	/* dev_roles: 0, 1, unused, unused */
	sb[258] = 1;
	sb[260] = sb[261] = sb[262] = sb[263] = 0xff;
	uint64_t csum = 0;
	for (size_t i = 0; i < sizeof(sb); i += 4)
		csum += (uint32_t)sb[i] | (uint32_t)sb[i + 1] << 8 | (uint32_t)sb[i + 2] << 16 | (uint32_t)sb[i + 3] << 24;
	csum = (csum & 0xffffffff) + (csum >> 32);
	le32(sb, 216, (uint32_t)csum);
	int fd = open(argv[1], O_WRONLY);
	if (fd < 0 || pwrite(fd, sb, sizeof(sb), 4096) != (ssize_t)sizeof(sb) || close(fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}

/* mkpvlabel FILE PV_UUID: write an LVM2 physical volume label ("LABELONE",
 * sector 1, type "LVM2 001", the PV UUID: 32 characters) with the CRC LVM
 * computes, so libblkid reports LVM2_member. LVM cannot be activated on the
 * test machine (no device-mapper); this makes the PV an inactive volume group
 * leaves behind. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint32_t lvm_crc(const uint8_t *p, size_t n)
{
	static const uint32_t tab[] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t crc = 0xf597a6cf;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ tab[crc & 0xf];
		crc = (crc >> 4) ^ tab[crc & 0xf];
	}
	return crc;
}

int main(int argc, char **argv)
{
	if (argc != 3 || strlen(argv[2]) != 32) {
		fprintf(stderr, "usage: mkpvlabel FILE PV_UUID(32 characters)\n");
		return 2;
	}
	uint8_t s[512];
	memset(s, 0, sizeof(s));
	memcpy(s, "LABELONE", 8);
	s[8] = 1;                       /* sector_xl = 1 (little endian u64) */
	s[20] = 32;                     /* offset_xl = 32 */
	memcpy(s + 24, "LVM2 001", 8);
	memcpy(s + 32, argv[2], 32);    /* pv_header.pv_uuid */
	uint32_t crc = lvm_crc(s + 20, sizeof(s) - 20);
	for (int i = 0; i < 4; i++)
		s[16 + i] = (uint8_t)(crc >> (8 * i));
	int fd = open(argv[1], O_RDWR);
	if (fd < 0 || pwrite(fd, s, sizeof(s), 512) != (ssize_t)sizeof(s) || fsync(fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	return 0;
}

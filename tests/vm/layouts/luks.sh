# Root on LUKS2 as Debian's "guided, encrypted" makes it (without LVM):
# ESP, /boot (ext4), sda3 LUKS2 holding the root; fstab says
# /dev/mapper/sda3_crypt, crypttab names sda3 by its LUKS UUID. detect-root
# cannot look inside: it must say so and give the cryptsetup command.
DISKS="scsi:disk0.img:400M"
LUKS_KEY='luks-key-vm'

layout_host() {
	local esp boot
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM) boot=$(uuid)
	gpt disk0.img "32 $T_ESP EFI" "64 $T_LINUX boot" "- $T_LINUX luks"
	vfat_part disk0.img 1 "$esp"
	tree fix/root debian12 /dev/mapper/sda3_crypt "UUID=$boot" "UUID=$esp"
	printf 'BOOT_UUID=%s\nESP_UUID=%s\n' "$boot" "$esp" > vars
}

layout_setup() {
	check "mkfs boot" mkfs.ext4 -q -L boot -U "$BOOT_UUID" -d fix/root.boot /dev/sda2
	check "luksFormat (LUKS2, pbkdf2: quick under TCG)" sh -c "printf %s '$LUKS_KEY' | cryptsetup luksFormat \
		--batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file=- /dev/sda3"
	echo "sda3_crypt UUID=$(cryptsetup luksUUID /dev/sda3) none luks,discard" > fix/root/etc/crypttab
	check "open" sh -c "printf %s '$LUKS_KEY' | cryptsetup open --key-file=- /dev/sda3 sda3_crypt"
	check "mkfs root" mkfs.ext4 -q -L root -d fix/root /dev/mapper/sda3_crypt
	check "close" cryptsetup close sda3_crypt
}

layout_test() {
	run rescuectl detect-root --json
	rc_is "detect-root: nothing found while the root is encrypted" 4
	jqt "detect-root: /dev/sda3 skipped as LUKS" \
		'[.candidates[] | select(.device == "/dev/sda3") | .skipped] == ["encrypted (LUKS)"]'
	jqt "detect-root: the hint names cryptsetup open /dev/sda3" '.hints | any(test("cryptsetup open /dev/sda3 "))'
	run rescuectl reset-pass --password-stdin --yes /dev/sda3
	rc_is "reset-pass /dev/sda3: refused, encrypted" 3
	# As the hint says: open it under the name it suggests.
	check "cryptsetup open (as the hint says)" sh -c "printf %s '$LUKS_KEY' | cryptsetup open --key-file=- /dev/sda3 root"
	run rescuectl detect-root --json
	rc_is "detect-root after opening: one root" 0
	jqt "detect-root: the root is /dev/mapper/root" '.roots | length == 1 and .[0].device == "/dev/mapper/root"'
	check "cryptsetup close" cryptsetup close root
	# Under the name the target's crypttab gives it, fstab confirms it too.
	check "cryptsetup open as sda3_crypt" sh -c "printf %s '$LUKS_KEY' | cryptsetup open --key-file=- /dev/sda3 sda3_crypt"
	ROOT=/dev/mapper/sda3_crypt
	SUBMOUNTS="/mnt/boot=/dev/sda2 /mnt/boot/efi=/dev/sda1"
	FSCK_CMD="e2fsck -f -n /dev/mapper/sda3_crypt"
	std_all
}

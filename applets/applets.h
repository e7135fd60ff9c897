/* The one list of applets: dispatch, --list, --install, help and the
 * completions are all made from it. */
#ifndef RC_APPLETS_H
#define RC_APPLETS_H
#include "../lib/cli.h"

/* X(ident, name, flags, args, summary) */
#define APPLET_LIST(X) \
	X(detect_root, "detect-root", AP_WRITES, "[DEVICE...]", \
	  "Find the installed root filesystem without writing a byte") \
	X(mount_root, "mount-root", AP_WRITES, "[DEVICE]", \
	  "Mount the installed root and its fstab on /mnt, ready for chroot") \
	X(umount_root, "umount-root", AP_WRITES, "", \
	  "Unmount everything mount-root mounted, deepest first") \
	X(reset_pass, "reset-pass", AP_WRITES | AP_TARGET, "[DEVICE]", \
	  "Set a new password that the installed system can verify") \
	X(clear_pass, "clear-pass", AP_WRITES | AP_TARGET, "[DEVICE]", \
	  "Empty (or lock/unlock) an account's password on the installed system") \
	X(fsck, "fsck", AP_WRITES | AP_TARGET | AP_FSCK_CODES, "[DEVICE]", \
	  "Check and repair the installed root with the right checker") \
	X(shrink_root, "shrink-root", AP_WRITES | AP_TARGET, "[DEVICE]", \
	  "Shrink the root filesystem and its partition in place") \
	X(disable_growpart, "disable-growpart", AP_WRITES | AP_TARGET, "[DEVICE]", \
	  "Stop cloud-init and growroot from growing the root back") \
	X(recover, "recover", AP_TARGET | AP_STDOUT_DATA | AP_PATHS, "[DEVICE] [PATH...]", \
	  "Copy files out of the installed system as a tar archive, even when it will not mount") \
	X(doctor, "doctor", AP_WRITES | AP_TARGET, "[DEVICE]", \
	  "Say why the installed system does not boot or cannot be reached; fix what is safe")

#define X(id, name, flags, args, summary) \
	int id##_main(int argc, char **argv); \
	extern const char id##_help[];
APPLET_LIST(X)
#undef X

#endif

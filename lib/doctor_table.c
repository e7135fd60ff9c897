/* The doctor's checks: one row each. Adding a check is adding a row here
 * and its function (doctor.h says what a check and a fix do). Rows run in
 * this order; the logs rows come last so that they can name the finding
 * that explains what the last boot said. */
#include "doctor_priv.h"

#define ROW(fam, id, sev, why, check, fix) { fam, id, sev, why, check, fix }

const struct dr_check dr_checks[] = {
	/* fstab: the most common reason for emergency mode */
	ROW("fstab", "fstab.missing-device", DR_BOOT, "A device that never comes makes systemd wait 90 s, then stop "
	    "the boot in emergency mode: no network, no sshd.", ck_fstab_missing_device, fx_fstab_nofail),
	ROW("fstab", "fstab.unknown-type", DR_BOOT, "A mount of a filesystem type nothing knows fails, and boot stops "
	    "in emergency mode.", ck_fstab_unknown_type, NULL),
	ROW("fstab", "fstab.bad-option", DR_BOOT, "ext4, xfs and btrfs refuse to mount with an option they do not know, "
	    "and boot stops in emergency mode.", ck_fstab_bad_option, NULL),
	ROW("fstab", "fstab.missing-module", DR_BOOT, "Without the filesystem's driver in the kernel the mount fails at "
	    "boot.", ck_fstab_missing_module, NULL),
	ROW("fstab", "fstab.missing-mountpoint", DR_NOTE, "A mount point that is missing makes the mount fail where "
	    "systemd does not create it.", ck_fstab_missing_mountpoint, NULL),
	ROW("fstab", "fstab.missing-swap", DR_DEGRADED, "A swap device that never comes costs every boot a 90 s wait and "
	    "a failed unit.", ck_fstab_missing_swap, fx_fstab_nofail),
	ROW("fstab", "fstab.syntax", DR_DEGRADED, "mount and systemd skip a line they cannot read: what it mounts is not "
	    "mounted.", ck_fstab_syntax, NULL),
	ROW("fstab", "fstab.fsck-pass", DR_NOTE, "A check asked for where there is no checker fails or is skipped at "
	    "every boot.", ck_fstab_fsck_pass, NULL),
	/* the boot chain */
	ROW("boot", "boot.initramfs", DR_BOOT, "Without a whole initramfs the kernel cannot mount the root (\"VFS: "
	    "Unable to mount root fs\").", ck_boot_initramfs, fx_boot_initramfs),
	ROW("boot", "boot.default", DR_BOOT, "GRUB boots its default entry unattended; if that entry cannot boot, the "
	    "server never comes up.", ck_boot_default, fx_boot_default),
	ROW("boot", "boot.root-mismatch", DR_BOOT, "A root= that names another device leaves the kernel waiting for a "
	    "root that never comes.", ck_boot_root_mismatch, NULL),
	ROW("boot", "boot.init", DR_BOOT, "Without an init the kernel panics right after mounting the root.", ck_boot_init,
	    NULL),
	ROW("boot", "boot.esp", DR_BOOT, "An EFI system partition in fstab that is not there stops the boot like any "
	    "missing device.", ck_boot_esp, fx_fstab_nofail),
	ROW("boot", "boot.cmdline", DR_LOGIN, "A kernel command line that asks for a shell or a missing init never "
	    "reaches sshd.", ck_boot_cmdline, NULL),
	ROW("boot", "boot.modules", DR_LOGIN, "A kernel without its modules has no drivers for most network cards and "
	    "many disks.", ck_boot_modules, NULL),
	ROW("boot", "boot.grub-files", DR_DEGRADED, "A menu entry whose files are gone fails when chosen: the fallback "
	    "is broken.", ck_boot_grub_files, fx_boot_grub_mkconfig),
	/* filesystem state, from the superblocks */
	ROW("fs", "fs.errors", DR_BOOT, "Recorded errors make the boot-time check repair, or stop for a person.",
	    ck_fs_errors, NULL),
	ROW("fs", "fs.full", DR_DEGRADED, "A full filesystem breaks logs, logins and the next kernel update.", ck_fs_full,
	    NULL),
	ROW("fs", "fs.recovery", DR_NOTE, "The journal is replayed at the next mount; until then nothing may write to "
	    "it from outside.", ck_fs_recovery, NULL),
	ROW("fs", "fs.forced-check", DR_NOTE, "A forced full check at boot can take long enough to look like a dead "
	    "server.", ck_fs_forced_check, NULL),
	/* logins */
	ROW("login", "login.root-shell", DR_LOGIN, "Root's shell must exist and run, or root cannot log in anywhere.",
	    ck_login_root_shell, NULL),
	ROW("login", "login.files-syntax", DR_LOGIN, "The C library skips account lines it cannot read: those accounts "
	    "cannot log in.", ck_login_files_syntax, NULL),
	ROW("login", "login.disagree", DR_LOGIN, "An account whose password is \"in /etc/shadow\" but has no line there "
	    "accepts no password.", ck_login_disagree, NULL),
	ROW("login", "login.expired", DR_LOGIN, "An expired account or password refuses logins, also with a key.",
	    ck_login_expired, NULL),
	ROW("login", "login.no-ssh-login", DR_LOGIN, "When sshd refuses root's password and nobody has a key, nobody "
	    "gets in over SSH.", ck_login_root_password_refused, NULL),
	ROW("login", "login.sudoers-mode", DR_LOGIN, "sudo refuses to run when a sudoers file is not root's alone.",
	    ck_login_sudoers_mode, fx_attrs),
	ROW("login", "login.sudoers-syntax", DR_LOGIN, "sudo stops at a parse error in any sudoers file, for everyone.",
	    ck_login_sudoers_syntax, NULL),
	/* sshd */
	ROW("sshd", "sshd.config", DR_LOGIN, "sshd -t runs before sshd starts: a line it rejects keeps sshd down.",
	    ck_sshd_config, fx_sshd_comment_line),
	ROW("sshd", "sshd.host-keys", DR_LOGIN, "sshd does not start without a host key.", ck_sshd_host_keys, NULL),
	ROW("sshd", "sshd.host-key-mode", DR_DEGRADED, "sshd will not load a private host key others can read.",
	    ck_sshd_host_key_perms, fx_attrs),
	ROW("sshd", "sshd.privsep", DR_LOGIN, "sshd does not start without its privilege separation directory, owned "
	    "by root.", ck_sshd_privsep, fx_attrs),
	ROW("sshd", "sshd.authorized-keys", DR_LOGIN, "With StrictModes, sshd ignores keys in files or directories "
	    "others can write.", ck_sshd_authorized_keys, fx_attrs),
	ROW("sshd", "sshd.listen", DR_LOGIN, "sshd cannot listen on an address the server does not have.",
	    ck_sshd_listen, NULL),
	ROW("sshd", "sshd.enabled", DR_LOGIN, "An sshd that is not started at boot answers nobody.", ck_sshd_enabled,
	    NULL),
	ROW("sshd", "sshd.etc-ssh", DR_DEGRADED, "Whoever can write /etc/ssh controls sshd.", ck_sshd_etc_ssh, fx_attrs),
	ROW("sshd", "sshd.include-missing", DR_NOTE, "sshd goes on without an Include'd file that is gone: its "
	    "settings are not in force.", ck_sshd_include_missing, NULL),
	/* SELinux */
	ROW("selinux", "selinux.policy", DR_BOOT, "Enforcing SELinux without its policy stops the boot.",
	    ck_selinux_policy, NULL),
	ROW("selinux", "selinux.unlabeled", DR_LOGIN, "Files written from rescue have no SELinux label: enforcing "
	    "SELinux then denies logins.", ck_selinux_unlabeled, fx_selinux_autorelabel),
	ROW("selinux", "selinux.config", DR_DEGRADED, "libselinux falls back to the kernel's default for a mode it "
	    "cannot read.", ck_selinux_config, NULL),
	ROW("selinux", "selinux.relabel-pending", DR_NOTE, "A full relabel makes the next boot slow, then reboots once.",
	    ck_selinux_relabel_pending, NULL),
	/* the firewall loaded at boot, for a new connection to sshd's port */
	ROW("fw", "fw.ssh-dropped", DR_LOGIN, "A firewall that drops sshd's port at boot keeps everyone out, whatever "
	    "sshd allows.", ck_fw_ssh_dropped, fx_fw_ssh),
	ROW("fw", "fw.unreadable", DR_DEGRADED, "What a firewall whose rules cannot be read does to sshd's port is not "
	    "known.", ck_fw_unreadable, NULL),
	ROW("fw", "fw.ssh-uncertain", DR_NOTE, "Whether sshd can be reached depends on what cannot be known offline "
	    "(the address you come from, the interface).", ck_fw_ssh_uncertain, fx_fw_ssh),
	/* the network: this machine's NICs against the installed configuration */
	ROW("net", "net.no-config", DR_LOGIN, "A NIC that nothing brings up at boot leaves the server unreachable.",
	    ck_net_no_config, fx_net),
	ROW("net", "net.iface-missing", DR_LOGIN, "Configuration for a NIC name this hardware will not have (eth0 after "
	    "enp3s0, or the reverse) brings nothing up.", ck_net_iface_missing, fx_net),
	ROW("net", "net.mac-pin-stale", DR_LOGIN, "A configuration pinned to the MAC of hardware that is gone applies to "
	    "no NIC.", ck_net_mac_pin_stale, fx_net),
	ROW("net", "net.gateway-outside", DR_LOGIN, "A gateway outside the address's subnet cannot be reached: no default "
	    "route.", ck_net_gateway_outside, NULL),
	ROW("net", "net.no-default-route", DR_LOGIN, "Without a default route the server answers only its own subnet.",
	    ck_net_no_default_route, NULL),
	ROW("net", "net.missing-member", DR_LOGIN, "A bond, bridge or VLAN whose member is missing is down or degraded.",
	    ck_net_missing_member, NULL),
	ROW("net", "net.not-enabled", DR_LOGIN, "Configuration for a network manager that does not start at boot is "
	    "never applied.", ck_net_not_enabled, NULL),
	ROW("net", "net.two-managers", DR_DEGRADED, "Two network managers on one NIC undo each other's work.",
	    ck_net_two_managers, NULL),
	ROW("net", "net.persistent-net-stale", DR_DEGRADED, "A persistent-net rule for gone hardware holds a name the "
	    "new NIC then cannot have.", ck_net_persistent_net_stale, fx_net),
	ROW("net", "net.no-resolver", DR_NOTE, "Without a DNS server names do not resolve (asked for with --dns).",
	    ck_net_no_resolver, NULL),
	ROW("net", "net.dhcp", DR_NOTE, "A DHCP fallback configuration asked for with --dhcp NIC.", ck_net_dhcp, fx_net),
	/* what the last boot said (last: they name the finding that explains them) */
	ROW("logs", "logs.emergency", DR_BOOT, "The last boot ended in emergency mode, where there is no network and no "
	    "sshd.", ck_logs_emergency, NULL),
	ROW("logs", "logs.panic", DR_BOOT, "The last boot ended in a kernel panic.", ck_logs_panic, NULL),
	ROW("logs", "logs.sshd-failed", DR_LOGIN, "sshd did not start in the last boot.", ck_logs_sshd_failed, NULL),
	ROW("logs", "logs.oom", DR_DEGRADED, "The OOM killer ends processes, sshd among them.", ck_logs_oom, NULL),
	ROW("logs", "logs.device-timeout", DR_NOTE, "A device the last boot waited for in vain.",
	    ck_logs_device_timeout, NULL),
};

const size_t dr_nchecks = sizeof(dr_checks) / sizeof(dr_checks[0]);

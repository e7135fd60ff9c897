# disable-growpart --edit-cloud-cfg on the unmounted root (DEVICE): a new
# drop-in, /etc/growroot-disabled, and cloud.cfg edited in place after its
# backup (cloud.cfg.rescuectl-orig) is written.
LAYOUT=t1small
PART=3
WATCH="/etc/cloud/cloud.cfg /etc/cloud/cloud.cfg.rescuectl-orig
  /etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg /etc/growroot-disabled"
BEFORE="/etc/cloud/cloud.cfg.rescuectl-orig:/etc/cloud/cloud.cfg"

cut_run() {
	rescuectl disable-growpart --yes --edit-cloud-cfg /dev/sda3
}

# Start firewalld's own core (python3-firewall) once, in the network
# namespace this runs in, on the configuration of an installed root:
# firewalld renders the zones into nftables rules exactly as at boot,
# without its D-Bus daemon. Its state files go to TMP, not the machine's /run.
#   python3 fwd-start.py ROOT TMP
import sys
import firewall.config as config

root, tmp = sys.argv[1], sys.argv[2]
config.set_system_config_paths(root + "/etc/firewalld")
config.set_default_config_paths(root + "/usr/lib/firewalld")
config.FIREWALLD_TEMPDIR = tmp
config.FIREWALLD_PIDFILE = tmp + "/firewalld.pid"
config.FIREWALLD_LOGFILE = tmp + "/firewalld.log"
from firewall.core.fw import Firewall  # noqa: E402

fw = Firewall()
fw.start()
print("firewalld started, default zone", fw.get_default_zone())

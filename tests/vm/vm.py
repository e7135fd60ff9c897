#!/usr/bin/env python3
"""vm.py: boot the rescue VM once, wait for it to power off, or cut its power.

    vm.py [options] --kernel K --initrd I --disk BUS:FILE[:ro] ... --out DIR

The guest's serial console (ttyS0: kernel and init) goes to DIR/console.log,
its result channel (ttyS1: "ok"/"not ok" lines, "MARK name" lines) to
DIR/results.log. A JSON summary goes to DIR/summary.json and stdout:
how QEMU ended ("poweroff", "cut", "timeout", "error"), the seconds, the
accelerator, and for every MARK the host time and the write requests each
drive had completed (QMP query-blockstats) when the host saw it.

A power cut (--cut-mark NAME with --cut-delay S or --cut-writes DRIVE:K)
kills QEMU with SIGKILL: S seconds after the guest printed "MARK NAME", or
as soon as DRIVE has completed K more write requests than it had at that
mark (DRIVE "all": the sum over every drive, e.g. both halves of a mirror). Drives are opened with cache=none (O_DIRECT): a write the guest sent is
in the image file when QEMU reports it complete, and nothing sits in the
host's page cache on the way, so what the image holds after the kill is
what the emulated disk held. Buses: scsi (virtio-scsi: sda...), virtio
(virtio-blk: vda...), nvme (nvme0n1...). Option throttle=N limits a drive
to N write requests a second, so a cut can land between any two of them.

Only the QEMU this process started is ever killed; it also dies with this
process (PR_SET_PDEATHSIG), so no VM outlives an interrupted test.
"""
import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time

QEMU = "qemu-system-x86_64"


def pdeathsig():
    # The child dies when its parent does, even on SIGKILL of the parent.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def kvm_works(kernel, initrd, cache_dir):
    """KVM, tried once per host boot: /dev/kvm exists on some hosts where a
    KVM guest hangs. A guest that powers off within 10 s proves it works."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "no usable /dev/kvm"
    stamp = os.path.join(cache_dir, "accel." + boot_id())
    if os.path.exists(stamp):
        with open(stamp) as f:
            v = f.read().strip()
        return v == "kvm", "cached: " + v
    cmd = [QEMU, "-accel", "kvm", "-nodefaults", "-no-user-config", "-display", "none",
           "-m", "256", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
           "-serial", "null", "-append", "console=ttyS0 quiet panic=-1 rdinit=/probe"]
    ok = False
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=pdeathsig)
        try:
            ok = p.wait(10) == 0
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    except OSError:
        pass
    os.makedirs(cache_dir, exist_ok=True)
    with open(stamp, "w") as f:
        f.write("kvm\n" if ok else "tcg\n")
    return ok, "probed"


class QMP:
    def __init__(self, path, deadline):
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.01)
        self.f = self.s.makefile("rw")
        self.f.readline()  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            m = json.loads(self.f.readline())
            if "return" in m or "error" in m:
                return m.get("return")

    def writes(self):
        """Completed write requests per drive id ({} once QEMU is gone)."""
        out = {}
        try:
            stats = self.cmd("query-blockstats") or []
        except (OSError, ValueError):
            return out
        for d in stats:
            name = d.get("device") or d.get("qdev", "")
            out[name] = d["stats"]["wr_operations"]
        return out


def written(w, drive):
    """Completed writes of DRIVE in a writes() map; "all": of every drive."""
    return sum(w.values()) if drive == "all" else w.get(drive, 0)


def drive_args(i, spec):
    parts = spec.split(":")
    bus, path = parts[0], parts[1]
    opts = dict(o.split("=", 1) if "=" in o else (o, "") for o in parts[2:])
    did = opts.get("id", "d%d" % i)
    drive = "file=%s,if=none,id=%s,format=raw,cache=none,aio=threads" % (path, did)
    if "ro" in opts:
        drive += ",readonly=on"
    if "throttle" in opts:
        drive += ",throttling.iops-write=%s" % opts["throttle"]
    serial = "rc%04d" % i
    if bus == "scsi":
        dev = "scsi-hd,drive=%s,bus=scsi0.0,channel=0,scsi-id=%d,lun=0,serial=%s" % (did, i, serial)
    elif bus == "virtio":
        dev = "virtio-blk-pci,drive=%s,serial=%s" % (did, serial)
    elif bus == "nvme":
        dev = "nvme,drive=%s,serial=%s" % (did, serial)
    else:
        raise SystemExit("vm.py: unknown bus %s" % bus)
    return did, ["-drive", drive, "-device", dev]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", default="")
    ap.add_argument("--mem", default="512")
    ap.add_argument("--disk", action="append", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--accel", default="auto", choices=["auto", "kvm", "tcg"])
    ap.add_argument("--cache-dir", default="build/vm")
    ap.add_argument("--cut-mark")
    ap.add_argument("--cut-delay", type=float)
    ap.add_argument("--cut-writes")
    ap.add_argument("--serial-in", help="a file whose lines are typed on the console, "
                    "each after the text before its tab appears (expect-like)")
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    accel = a.accel
    why = "asked"
    if accel == "auto":
        ok, why = kvm_works(a.kernel, a.initrd, a.cache_dir)
        accel = "kvm" if ok else "tcg"
    console = os.path.join(a.out, "console.log")
    results = os.path.join(a.out, "results.log")
    qmp_path = os.path.join(a.out, "qmp.sock")
    for p in (console, results, qmp_path):
        if os.path.exists(p):
            os.unlink(p)
    open(results, "w").close()
    ndisks = len(a.disk)
    cmd = [QEMU, "-accel", accel, "-cpu", "max" if accel == "tcg" else "host",
           "-machine", "q35", "-m", a.mem, "-smp", "1",
           "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           "-kernel", a.kernel, "-initrd", a.initrd,
           "-append", "console=ttyS0 quiet loglevel=4 panic=-1 scsi_mod.scan=sync vm.ndisks=%d %s"
           % (ndisks, a.append)]
    # ttyS0: the console; ttyS1: the result channel.
    chardev_console = ["-chardev", "file,id=con,path=%s" % console]
    if a.serial_in:
        chardev_console = ["-chardev", "socket,id=con,path=%s,server=on,wait=off,logfile=%s"
                           % (os.path.join(a.out, "console.sock"), console)]
    cmd += chardev_console + ["-serial", "chardev:con",
                              "-chardev", "file,id=res,path=%s" % results, "-serial", "chardev:res",
                              "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
                              "-device", "virtio-scsi-pci,id=scsi0"]
    drives = []
    for i, spec in enumerate(a.disk):
        did, args = drive_args(i, spec)
        drives.append(did)
        cmd += args
    with open(os.path.join(a.out, "qemu.cmd"), "w") as f:
        f.write(" ".join(cmd) + "\n")

    t0 = time.time()
    summary = {"accel": accel, "accel_why": why, "end": None, "marks": [], "cut": None}
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(a.out, "qemu.err"), "w"),
                         preexec_fn=pdeathsig)

    def stop(*_):
        if p.poll() is None:
            p.kill()
            p.wait()
        sys.exit(130)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    qmp = None
    try:
        qmp = QMP(qmp_path, time.time() + 10)
    except OSError:
        pass
    con = None
    expects = []
    if a.serial_in:
        with open(a.serial_in) as f:
            expects = [ln.rstrip("\n").split("\t", 1) for ln in f if "\t" in ln]
        deadline = time.time() + 10
        while con is None:
            try:
                con = socket.socket(socket.AF_UNIX)
                con.connect(os.path.join(a.out, "console.sock"))
                con.setblocking(False)
            except OSError:
                con.close()
                con = None
                if time.time() > deadline:
                    break
                time.sleep(0.01)
    seen = ""
    conbuf = ""
    rf = open(results)
    cut_at = None       # time to cut (delay mode)
    cut_need = None     # (drive, total writes) to cut at (writes mode)
    end = None
    while True:
        exited = p.poll() is not None
        now = time.time()
        if now - t0 > a.timeout:
            p.kill()
            p.wait()
            end = "timeout"
            break
        chunk = rf.read()
        if chunk:
            seen += chunk
            while "\n" in seen:
                line, seen = seen.split("\n", 1)
                line = line.strip("\r")
                if line.startswith("MARK "):
                    name = line[5:].strip()
                    w = qmp.writes() if qmp else {}
                    summary["marks"].append({"name": name, "t": round(now - t0, 3), "writes": w})
                    if a.cut_mark and name == a.cut_mark:
                        if a.cut_delay is not None:
                            cut_at = now + a.cut_delay
                        if a.cut_writes:
                            d, k = a.cut_writes.rsplit(":", 1)
                            cut_need = (d, written(w, d) + int(k))
        if exited:
            end = "poweroff" if p.returncode == 0 else "error"
            break
        if con is not None and expects:
            try:
                data = con.recv(65536)
                conbuf += data.decode("utf-8", "replace")
            except BlockingIOError:
                pass
            except OSError:
                con = None
            if con is not None and expects[0][0] in conbuf:
                conbuf = conbuf[conbuf.index(expects[0][0]) + len(expects[0][0]):]
                con.sendall((expects[0][1] + "\r").encode())
                expects.pop(0)
        cut = False
        if cut_at is not None and now >= cut_at:
            cut = True
        if cut_need is not None and qmp:
            if written(qmp.writes(), cut_need[0]) >= cut_need[1]:
                cut = True
        if cut:
            w = qmp.writes() if qmp else {}
            p.kill()
            p.wait()
            summary["cut"] = {"t": round(time.time() - t0, 3), "writes": w}
            end = "cut"
            break
        time.sleep(0.002 if (cut_need or cut_at) else 0.02)
    summary["end"] = end
    summary["seconds"] = round(time.time() - t0, 3)
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))
    return 0 if end in ("poweroff", "cut") else 1


if __name__ == "__main__":
    sys.exit(main())

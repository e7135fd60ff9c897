#!/usr/bin/env python3
"""treecmp.py SRC DST [--archive TAR] [--no-atime] [--ignore NAME]...

Compares two directory trees the way a user checks a restore, by program:
every entry of SRC is in DST and nothing else is; type, mode (with set-id and
sticky bits), owner, group, mtime and atime with nanoseconds, size and
SHA-256 of contents, sparseness (a sparse source must not come back
allocated), symbolic-link targets, device numbers, hard-link groups,
extended attributes and POSIX ACLs (their raw system.posix_acl_* values).
Sockets in SRC are expected to be absent (a tar archive cannot hold them).
With --archive, the mtime, atime and ctime of every entry stored in the pax
archive TAR are checked against SRC's with nanoseconds (a restore cannot set
ctime, and GNU tar does not set atime).
Names are compared as bytes. Exit 0 when equal, 1 with the differences."""
import hashlib
import os
import stat
import sys
import tarfile


def walk(top, ignore):
    out = {}
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ignore]
        for n in dirs + files:
            if n in ignore:
                continue
            p = os.path.join(dirpath, n)
            out[os.path.relpath(p, top)] = os.lstat(p)
    return out


def digest(path, st):
    """SHA-256 over the size and every 64 KiB block that is not all zeros,
    with its index: the same for equal contents whatever the holes, and
    only the data of a sparse file is read."""
    blk = 1 << 16
    h = hashlib.sha256(b'size %d\n' % st.st_size)
    with open(path, 'rb') as f:
        fd, pos, seen = f.fileno(), 0, set()
        while pos < st.st_size:
            try:
                d = os.lseek(fd, pos, os.SEEK_DATA)
                e = os.lseek(fd, d, os.SEEK_HOLE)
            except OSError:
                break
            for i in range(d // blk, (e + blk - 1) // blk):
                if i in seen:
                    continue
                seen.add(i)
                b = os.pread(fd, blk, i * blk)
                if b.count(0) != len(b):
                    h.update(b'%d ' % i + b)
            pos = e
    return h.hexdigest()


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for n in names:
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError as e:
            out[n] = 'error %s' % e
    return out


def kind(m):
    for f, k in ((stat.S_ISREG, 'file'), (stat.S_ISDIR, 'dir'), (stat.S_ISLNK, 'symlink'),
                 (stat.S_ISCHR, 'char'), (stat.S_ISBLK, 'block'), (stat.S_ISFIFO, 'fifo'),
                 (stat.S_ISSOCK, 'socket')):
        if f(m):
            return k
    return '?'


def groups(tree):
    g = {}
    for p, st in tree.items():
        if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
            g.setdefault((st.st_dev, st.st_ino), set()).add(p)
    return sorted(sorted(v) for v in g.values() if len(v) > 1)


def compare_entry(rel, a, b, s, d, atime, diff):
    ka, kb = kind(a.st_mode), kind(b.st_mode)
    if ka != kb:
        return diff.append('%r: type %s, restored as %s' % (rel, ka, kb))
    if ka != 'symlink' and stat.S_IMODE(a.st_mode) != stat.S_IMODE(b.st_mode):
        diff.append('%r: mode %o, restored %o' % (rel, stat.S_IMODE(a.st_mode), stat.S_IMODE(b.st_mode)))
    if (a.st_uid, a.st_gid) != (b.st_uid, b.st_gid):
        diff.append('%r: owner %d:%d, restored %d:%d' % (rel, a.st_uid, a.st_gid, b.st_uid, b.st_gid))
    if ka != 'dir' and a.st_mtime_ns != b.st_mtime_ns:
        diff.append('%r: mtime %d, restored %d' % (rel, a.st_mtime_ns, b.st_mtime_ns))
    if ka == 'dir' and a.st_mtime_ns != b.st_mtime_ns:
        diff.append('%r: directory mtime %d, restored %d' % (rel, a.st_mtime_ns, b.st_mtime_ns))
    if atime and ka == 'file' and a.st_atime_ns != b.st_atime_ns:
        diff.append('%r: atime %d, restored %d' % (rel, a.st_atime_ns, b.st_atime_ns))
    if ka == 'file':
        if a.st_size != b.st_size:
            diff.append('%r: size %d, restored %d' % (rel, a.st_size, b.st_size))
        elif digest(s, a) != digest(d, b):
            diff.append('%r: content differs' % rel)
        if a.st_blocks * 512 < a.st_size // 2 and b.st_blocks * 512 >= a.st_size // 2:
            diff.append('%r: sparse (%d bytes allocated) restored allocated (%d bytes)'
                        % (rel, a.st_blocks * 512, b.st_blocks * 512))
    if ka == 'symlink' and os.readlink(s) != os.readlink(d):
        diff.append('%r: link %r, restored %r' % (rel, os.readlink(s), os.readlink(d)))
    if ka in ('char', 'block') and a.st_rdev != b.st_rdev:
        diff.append('%r: device %d:%d, restored %d:%d' % (rel, os.major(a.st_rdev), os.minor(a.st_rdev),
                                                       os.major(b.st_rdev), os.minor(b.st_rdev)))
    xa, xb = xattrs(s), xattrs(d)
    if xa != xb:
        for n in sorted(set(xa) | set(xb)):
            if xa.get(n) != xb.get(n):
                diff.append('%r: xattr %s %r, restored %r' % (rel, n, xa.get(n), xb.get(n)))


def check_times(src, tar, diff):
    """m/a/ctime as archived (pax records, nanoseconds) against SRC."""
    n = 0
    with tarfile.open(tar) as t:
        for m in t:
            st = os.lstat(os.path.join(src, m.name.rstrip('/')))
            for key, want in (('mtime', st.st_mtime_ns), ('atime', st.st_atime_ns), ('ctime', st.st_ctime_ns)):
                c = m.pax_headers.get(key)
                if c is None and key == 'mtime':
                    c = '%d' % m.mtime   # whole seconds: in the ustar header
                if c is None:
                    diff.append('%r: no %s in the archive' % (m.name, key))
                    continue
                sec, _, frac = c.partition('.')
                ns = int(sec) * 10**9 + (-1 if sec.startswith('-') else 1) * int((frac + '000000000')[:9])
                if want != ns:
                    diff.append('%r: %s %d, archived %d' % (m.name, key, want, ns))
            n += 1
    return n


def main(argv):
    args, atime, tar, ignore = [], True, None, set()
    it = iter(argv)
    for a in it:
        if a == '--no-atime':
            atime = False
        elif a == '--archive':
            tar = next(it)
        elif a == '--ignore':
            ignore.add(os.fsencode(next(it)))
        else:
            args.append(os.fsencode(a))
    src, dst = args
    ta, tb = walk(src, ignore), walk(dst, ignore)
    diff = []
    for rel, a in sorted(ta.items()):
        if stat.S_ISSOCK(a.st_mode):
            if rel in tb:
                diff.append('%r: a socket, restored as something' % rel)
            continue
        if rel not in tb:
            diff.append('%r: missing' % rel)
            continue
        compare_entry(rel, a, tb[rel], os.path.join(src, rel), os.path.join(dst, rel), atime, diff)
    for rel in sorted(set(tb) - set(ta)):
        diff.append('%r: extra' % rel)
    ga = groups({k: v for k, v in ta.items() if k in tb})
    gb = groups(tb)
    if ga != gb:
        diff.append('hard-link groups %r, restored %r' % (ga, gb))
    nct = check_times(os.fsdecode(src), os.fsdecode(tar), diff) if tar else 0
    for d in diff:
        print(d)
    print('treecmp: %d entries compared%s, %d differences'
          % (len(ta), ', times of %d archived entries' % nct if tar else '', len(diff)))
    return 1 if diff else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

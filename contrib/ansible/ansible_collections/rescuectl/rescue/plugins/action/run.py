# -*- coding: utf-8 -*-
# Copyright: rescuectl contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rescuectl.rescue.run: run one rescuectl applet on a server in rescue mode.

A provider's rescue system often has no Python, so nothing here runs a
module on the target: every remote step is a plain shell command (what the
raw and script actions send), and the target needs only sh, cat, mkdir,
chmod, mv and sha256sum (busybox has them all).

1. The binary: sha256sum of remote_path; when it differs from the local
   file, the file is sent on the command's standard input, written next to
   remote_path, checked and renamed over it. In check mode it goes to a
   temporary file that is removed afterwards, so check mode leaves the
   rescue system as it was too.
2. The applet runs once with --json (and --dry-run in check mode). A
   password goes on standard input with --password-stdin, never on a
   command line, in the arguments shown or in the result.
3. The result is the applet's JSON document, with changed from what the
   applet reports it did (or would do, in check mode) and failed from the
   exit-code table.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import shlex

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase

# Exit codes (README "Exit codes"); fsck uses fsck(8)'s bitmask instead.
EXIT_OK, EXIT_FAIL, EXIT_NOTFOUND = 0, 1, 4
FSCK_CORRECTED, FSCK_REBOOT, FSCK_UNCORRECTED = 1, 2, 4

FAIL_ON = ('nothing_found', 'nothing_to_do', 'would_grow')

ARGSPEC = dict(
    applet=dict(type='str', required=True),
    args=dict(type='list', elements='str', default=[]),
    password=dict(type='str', no_log=True),
    binary=dict(type='path'),
    remote_path=dict(type='str', default='/usr/local/bin/rescuectl'),
    fail_on=dict(type='list', elements='str', default=[], choices=list(FAIL_ON)),
)

# Keys of the task result that are the plugin's, not the document's.
OWN_KEYS = ('changed', 'failed', 'msg', 'rc', 'cmd', 'stderr', 'skipped',
            'invocation', 'rescuectl')

SHA_CMD = ('s=$( (sha256sum {p} || busybox sha256sum {p}) 2>/dev/null); '
           'echo "sum=${{s%% *}}"')


def default_binary():
    """RESCUECTL_BINARY, else the rescuectl the project builds when the
    collection is used from the source tree (contrib/ansible/...)."""
    env = os.environ.get('RESCUECTL_BINARY')
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.normpath(os.path.join(here, *(['..'] * 7)))
    cand = os.path.join(top, 'rescuectl')
    return cand if os.path.isfile(cand) else None


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def parse_document(out, err):
    """The applet's JSON document: stdout, or stderr for an applet whose
    stdout carries data (recover writes its archive there). None when
    neither is one JSON object."""
    for text in (out, err):
        try:
            doc = json.loads(text) if text and text.strip() else None
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            return doc
    return None


def _any_status(items, statuses):
    return any(isinstance(i, dict) and i.get('status') in statuses for i in items or [])


def reported_change(applet, doc, dry):
    """What the applet reports it changed (or, under --dry-run, would
    change). An applet that reports "changed" (and "would_change" under
    --dry-run) needs no line here."""
    if applet == 'detect-root':
        return False
    if applet in ('reset-pass', 'clear-pass'):
        # under --dry-run the backup is named only when a write would happen
        return bool(doc.get('changed')) or (dry and 'backup' in doc)
    if applet == 'disable-growpart':
        if doc.get('action') == 'status':
            return False
        return bool(doc.get('changed')) or (dry and bool(doc.get('actions')))
    if applet == 'shrink-root':
        steps = doc.get('steps') or []
        return bool(steps) if dry else _any_status(steps, ('done', 'failed'))
    if applet == 'mount-root':
        return _any_status(doc.get('mounts'), ('would mount',) if dry else ('mounted',))
    if applet == 'umount-root':
        return bool(doc.get('unmounted')) or bool(doc.get('lazily_detached'))
    if applet == 'recover':
        # files written on the host (--to DIR, --output FILE); not an archive on stdout
        made = sum(doc.get(k) or 0 for k in ('files', 'directories', 'symlinks', 'hardlinks', 'devices', 'fifos'))
        return doc.get('output') not in (None, '-', 'list') and made > 0
    if applet == 'fsck':
        st = doc.get('exit_status') or 0
        return bool(st & FSCK_UNCORRECTED) if dry else bool(st & (FSCK_CORRECTED | FSCK_REBOOT))
    return bool(doc.get('changed')) or (dry and bool(doc.get('would_change')))


def judge(applet, args, rc, doc, dry, changed, fail_on):
    """failed and the reason from the exit-code table. Returns (failed, why)."""
    if applet == 'fsck':
        if rc & ~(FSCK_CORRECTED | FSCK_REBOOT) == 0:
            return False, None
        if dry and rc == FSCK_UNCORRECTED:
            return False, None      # check mode: errors found, a real run repairs them
        return True, 'fsck exit %d' % rc
    if rc == EXIT_OK:
        if 'nothing_to_do' in fail_on and not changed and not dry:
            return True, 'nothing to do (fail_on: nothing_to_do)'
        return False, None
    if rc == EXIT_NOTFOUND:
        if 'nothing_found' in fail_on:
            return True, 'nothing found (fail_on: nothing_found)'
        return False, None
    if (rc == EXIT_FAIL and applet == 'disable-growpart' and '--status' in args
            and 'error' not in doc):
        if 'would_grow' in fail_on:
            return True, 'something would grow the root (fail_on: would_grow)'
        return False, None
    return True, 'exit %d' % rc


class ActionModule(ActionBase):

    # the binary travels on a command's stdin: no remote temporary directory
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def _sh(self, cmd, in_data=None):
        """One command through the connection's shell, no Python involved.
        stdout and stderr stay apart: no tty is asked for (with become, the
        command always gets standard input, which keeps ssh from -tt)."""
        sudoable = bool(self._play_context.become)
        if sudoable and not in_data:
            in_data = b'\n'
        res = self._low_level_execute_command(cmd, sudoable=sudoable, in_data=in_data)
        return res.get('rc'), res.get('stdout', ''), res.get('stderr', '')

    def _remote_sum(self, path):
        rc, out, err = self._sh(SHA_CMD.format(p=shlex.quote(path)))
        for line in out.splitlines():
            if line.startswith('sum='):
                value = line[4:].strip()
                return value if len(value) == 64 else None
        return None

    def _upload(self, local, remote, want, temporary):
        """Send LOCAL on stdin, into a temporary file (check mode) or next
        to REMOTE and renamed over it once its sum is right. Returns
        (path, None) or (None, why)."""
        with open(local, 'rb') as f:
            data = f.read()
        if temporary:
            start = 't=$(mktemp "${TMPDIR:-/tmp}/rescuectl.XXXXXX")'
            end = ''
        else:
            q = shlex.quote(remote)
            start = 'mkdir -p %s; t=%s.part.$$' % (shlex.quote(os.path.dirname(remote) or '/'), q)
            end = '; mv -f "$t" %s; t=%s' % (q, q)
        script = ('set -e; %s; cat > "$t"; '
                  's=$( (sha256sum "$t" || busybox sha256sum "$t") 2>/dev/null || true); '
                  'if [ "${s%%%% *}" != %s ]; then rm -f "$t"; '
                  'echo "the copy does not match (sha256 ${s%%%% *})" >&2; exit 1; fi; '
                  'chmod 0755 "$t"%s; echo "path=$t"') % (start, want, end)
        rc, out, err = self._sh(script, in_data=data)
        for line in out.splitlines():
            if rc == 0 and line.startswith('path='):
                return line[5:].strip(), None
        return None, (err.strip() or out.strip() or 'exit %s' % rc)

    def _place_binary(self, local, remote, check):
        """The binary at REMOTE, unless its sum already matches. Returns
        (path to run, copied, temporary, error)."""
        want = file_sha256(local)
        if self._remote_sum(remote) == want:
            return remote, False, False, None
        path, err = self._upload(local, remote, want, temporary=check)
        return path, path is not None and not check, check, err

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, a = self.validate_argument_spec(argument_spec=ARGSPEC)
        password = a.get('password')
        secrets = set([password]) if password else set()
        applet, args = a['applet'], list(a['args'])
        check = bool(self._task.check_mode)
        local = a.get('binary') or default_binary()
        if not local or not os.path.isfile(local):
            result.update(failed=True, msg='no rescuectl binary to copy: set binary (or RESCUECTL_BINARY); '
                          'looked for %s' % (local or "the project's ./rescuectl"))
            return result
        if password is not None and applet != 'reset-pass':
            result.update(failed=True, msg='password is for reset-pass only (it is sent on standard input)')
            return result
        if '--password-stdin' in args and password is None:
            result.update(failed=True, msg='--password-stdin: give the password as the password argument')
            return result

        path, copied, temporary, err = self._place_binary(local, a['remote_path'], check)
        if err:
            result.update(failed=True, msg='cannot put rescuectl on the host at %s: %s' % (a['remote_path'], err))
            return result
        try:
            return self._run_applet(result, a, path, copied, check, secrets)
        finally:
            if temporary:
                self._sh('rm -f %s' % shlex.quote(path))

    def _has_dry_run(self, path, applet):
        """Does the applet take --dry-run (its --help says so)?"""
        rc, out, err = self._sh('%s %s --help' % (shlex.quote(path), shlex.quote(applet)))
        return rc == 0 and '--dry-run' in out

    def _run_applet(self, result, a, path, copied, check, secrets):
        applet, args, password = a['applet'], list(a['args']), a.get('password')
        if check and not self._has_dry_run(path, applet):
            result.update(skipped=True, changed=False, rescuectl=dict(path=path, copied=copied),
                          msg='check mode: %s has no --dry-run, so it was not run' % applet)
            return result
        own = ['--json']
        if check:
            own.append('--dry-run')
        if password is not None and '--hashed' not in args and '--password-stdin' not in args:
            own.append('--password-stdin')
        argv = [path, applet] + own + args
        in_data = to_bytes(password + '\n') if password is not None else None
        if '--generate' in args:
            # the connection logs a command's output at -vvv unless no_log
            self._play_context.no_log = True
        rc, out, err = self._sh(' '.join(shlex.quote(x) for x in argv), in_data=in_data)
        dry = check or '--dry-run' in args or '-n' in args
        doc = parse_document(out, err)
        if doc is not None and parse_document(out, '') is None:
            err = ''    # stderr was the document itself
        info = dict(path=path, copied=copied)
        result.update(rc=rc, cmd=argv, stderr=err, rescuectl=info,
                      invocation=dict(module_args=dict(a, password='VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
                                                      if password is not None else None)))
        if doc is None:
            result.update(failed=True, changed=False,
                          msg='rescuectl %s printed no JSON document (exit %s): %s' %
                          (applet, rc, (err or out).strip()[-2000:]))
            return remove_values(result, secrets) if secrets else result
        for k, v in doc.items():
            result[k if k not in OWN_KEYS else 'document_' + k] = v
        changed = reported_change(applet, doc, dry)
        failed, why = judge(applet, args, rc, doc, dry, changed, a['fail_on'])
        result['changed'] = changed
        if failed:
            result['failed'] = True
            e = doc.get('error') if isinstance(doc.get('error'), dict) else {}
            result['msg'] = e.get('message') or why
        if secrets:
            result = remove_values(result, secrets)
        if 'password' in doc:
            # --generate's password: the registered result keeps it, output and logs do not
            result['_ansible_no_log'] = True
        return result

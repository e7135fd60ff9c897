# -*- coding: utf-8 -*-
# Copyright: rescuectl contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin's decisions, without a host: changed from what each applet
reports (and would do under --dry-run), failed from the exit-code table.
Run: python3 -m unittest discover -s tests/unit (contrib/ansible on
sys.path, as ansible-test units or fleet.bats set it)."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import unittest

from ansible_collections.rescuectl.rescue.plugins.action.run import judge, parse_document, reported_change


class Changed(unittest.TestCase):

    def test_pass_applets(self):
        self.assertTrue(reported_change('reset-pass', {'changed': True}, False))
        self.assertFalse(reported_change('reset-pass', {'changed': False}, False))
        # --dry-run: a write would happen exactly when the backup is named
        self.assertTrue(reported_change('reset-pass', {'changed': False, 'backup': '/etc/shadow-'}, True))
        self.assertFalse(reported_change('clear-pass', {'changed': False}, True))

    def test_disable_growpart(self):
        self.assertTrue(reported_change('disable-growpart', {'action': 'disable', 'changed': True}, False))
        self.assertFalse(reported_change('disable-growpart', {'action': 'disable', 'changed': False, 'actions': []}, True))
        self.assertTrue(reported_change('disable-growpart', {'action': 'disable', 'changed': False,
                                                             'actions': [{'op': 'create'}]}, True))
        self.assertFalse(reported_change('disable-growpart', {'action': 'status', 'would_grow': True}, False))

    def test_shrink_mount_umount_fsck(self):
        steps = [{'status': 'todo'}, {'status': 'todo'}]
        self.assertTrue(reported_change('shrink-root', {'steps': steps}, True))
        self.assertFalse(reported_change('shrink-root', {'steps': steps}, False))
        self.assertTrue(reported_change('shrink-root', {'steps': [{'status': 'done'}, {'status': 'failed'}]}, False))
        self.assertFalse(reported_change('shrink-root', {}, False))
        self.assertTrue(reported_change('mount-root', {'mounts': [{'status': 'mounted'}]}, False))
        self.assertFalse(reported_change('mount-root', {'mounts': [{'status': 'already mounted'}]}, False))
        self.assertTrue(reported_change('mount-root', {'mounts': [{'status': 'would mount'}]}, True))
        self.assertTrue(reported_change('umount-root', {'unmounted': ['/mnt']}, False))
        self.assertFalse(reported_change('umount-root', {'unmounted': [], 'lazily_detached': []}, False))
        self.assertTrue(reported_change('fsck', {'exit_status': 1}, False))
        self.assertFalse(reported_change('fsck', {'exit_status': 4}, False))
        self.assertTrue(reported_change('fsck', {'exit_status': 4}, True))
        self.assertFalse(reported_change('detect-root', {'roots': [{}]}, False))

    def test_recover(self):
        self.assertTrue(reported_change('recover', {'output': '/root/out', 'files': 3}, False))
        self.assertFalse(reported_change('recover', {'output': '-', 'files': 3}, False))
        self.assertFalse(reported_change('recover', {'output': 'list', 'files': 3}, False))
        self.assertFalse(reported_change('recover', {'output': '/root/out', 'files': 0}, False))

    def test_new_applet_reports_its_own(self):
        self.assertTrue(reported_change('doctor', {'changed': True}, False))
        self.assertTrue(reported_change('doctor', {'changed': False, 'would_change': True}, True))
        self.assertFalse(reported_change('doctor', {'would_change': True}, False))


class Failed(unittest.TestCase):

    def test_exit_codes(self):
        self.assertEqual(judge('detect-root', [], 0, {}, False, False, []), (False, None))
        for rc in (1, 2, 3, 5, 6, 127):
            self.assertTrue(judge('reset-pass', [], rc, {'error': {}}, False, False, [])[0], rc)

    def test_nothing_found(self):
        self.assertFalse(judge('detect-root', [], 4, {'error': {}}, False, False, [])[0])
        self.assertTrue(judge('detect-root', [], 4, {'error': {}}, False, False, ['nothing_found'])[0])

    def test_nothing_to_do(self):
        self.assertFalse(judge('disable-growpart', [], 0, {}, False, False, [])[0])
        self.assertTrue(judge('disable-growpart', [], 0, {}, False, False, ['nothing_to_do'])[0])
        self.assertFalse(judge('disable-growpart', [], 0, {}, False, True, ['nothing_to_do'])[0])
        # check mode does not know yet
        self.assertFalse(judge('disable-growpart', [], 0, {}, True, False, ['nothing_to_do'])[0])

    def test_would_grow(self):
        self.assertFalse(judge('disable-growpart', ['--status'], 1, {'action': 'status'}, False, False, [])[0])
        self.assertTrue(judge('disable-growpart', ['--status'], 1, {'action': 'status'}, False, False,
                              ['would_grow'])[0])
        # a real failure of --status has an "error"
        self.assertTrue(judge('disable-growpart', ['--status'], 1, {'error': {}}, False, False, [])[0])
        self.assertTrue(judge('disable-growpart', [], 1, {'error': {}}, False, False, [])[0])

    def test_fsck_bitmask(self):
        for rc in (0, 1, 2, 3):
            self.assertFalse(judge('fsck', [], rc, {}, False, False, [])[0], rc)
        for rc in (4, 8, 12, 16, 32, 128):
            self.assertTrue(judge('fsck', [], rc, {'error': {}}, False, False, [])[0], rc)
        self.assertFalse(judge('fsck', [], 4, {'error': {}}, True, True, [])[0])


class Document(unittest.TestCase):

    def test_stdout_then_stderr(self):
        self.assertEqual(parse_document('{"schema": 1}\n', 'warning: x\n'), {'schema': 1})
        # an applet whose stdout carries data (recover) prints its document on stderr
        self.assertEqual(parse_document('\x1f\x8b binary', '{"schema": 1}'), {'schema': 1})
        self.assertIsNone(parse_document('', 'rescuectl: not found'))
        self.assertIsNone(parse_document('[1]', ''))


if __name__ == '__main__':
    unittest.main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: rescuectl contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: run
short_description: Run one rescuectl applet on a server in rescue mode
version_added: 0.1.0
description:
  - Puts the rescuectl binary on the host, runs one applet with C(--json) and
    returns the applet's JSON document as the task result.
  - Everything runs as plain shell commands over the connection (as the
    M(ansible.builtin.raw) and M(ansible.builtin.script) actions do); the target
    needs no Python, only sh, cat, mkdir, chmod, mv and sha256sum (busybox has them).
  - The binary is copied only when its sha256 on the host differs from the local
    file; it is written next to I(remote_path), checked and renamed over it.
  - C(changed) comes from what the applet reports it did; C(failed) from the
    exit-code table. Exit 4 (nothing found) and exit 0 with nothing changed are not
    failures unless I(fail_on) asks for it; nor is 1 from C(disable-growpart --status)
    (something would grow the root). For fsck, 1 and 2 (errors corrected) are success.
  - Check mode adds C(--dry-run), and changed then says whether a real run would
    change something; the binary then goes to a temporary file that is removed again.
  - I(password) goes on standard input with C(--password-stdin), never on a command
    line, in the arguments shown or in the result. The password that
    C(reset-pass --generate) makes is in the result's C(password), and the whole
    result is then marked no_log (shown as hidden, kept in a registered variable).
  - The applet's C(warnings) become Ansible warnings.
options:
  applet:
    description: The applet, e.g. C(detect-root), C(reset-pass), C(disable-growpart).
    type: str
    required: true
  args:
    description:
      - Its arguments, e.g. C([--user, admin, /dev/sda3]). C(--json), and C(--dry-run)
        in check mode, are added before them.
    type: list
    elements: str
    default: []
  password:
    description:
      - For C(reset-pass) - the new password, sent on standard input with
        C(--password-stdin) (or a ready hash when I(args) has C(--hashed)).
    type: str
  binary:
    description:
      - The rescuectl on the controller to put on the host (a static x86-64 binary).
      - Default - E(RESCUECTL_BINARY), else the project's C(./rescuectl) when the
        collection is used from rescuectl's source tree.
    type: path
  remote_path:
    description: Where the binary goes on the host.
    type: str
    default: /usr/local/bin/rescuectl
  fail_on:
    description:
      - Outcomes that are not failures by default but should be for this task.
      - C(nothing_found) - exit 4 (no root, no account, not an installed root).
      - C(nothing_to_do) - exit 0 and nothing changed (not in check mode).
      - C(would_grow) - C(disable-growpart --status) exits 1.
    type: list
    elements: str
    choices: [nothing_found, nothing_to_do, would_grow]
    default: []
notes:
  - Log in as root (rescue systems do). With become, the command gets standard input
    and no tty, so only a become method that asks no password works (sudo with NOPASSWD).
  - The JSON documents follow the schemas in rescuectl's doc/schema/ (C(schema) is
    their version).
author:
  - rescuectl contributors
'''

EXAMPLES = r'''
- name: Find the installed root
  rescuectl.rescue.run:
    applet: detect-root
  register: found

- name: Set root's password (vault variable), unchanged when it already is that one
  rescuectl.rescue.run:
    applet: reset-pass
    args: [--keep-same]
    password: "{{ vault_root_password }}"

- name: Stop cloud-init from growing the root back
  rescuectl.rescue.run:
    applet: disable-growpart
    args: [--yes]
'''

RETURN = r'''
schema:
  description: Version of the document's JSON schema (doc/schema/APPLET.schema.json).
  returned: when the applet printed its document
  type: int
  sample: 1
error:
  description: The applet's error, with its message and exit code.
  returned: when the applet failed
  type: dict
  sample: {"message": "no installed Linux root found", "exit": 4}
rc:
  description: The applet's exit code.
  returned: always
  type: int
  sample: 0
cmd:
  description: The command that ran (it never holds a password).
  returned: always
  type: list
  elements: str
rescuectl:
  description: Where the binary is on the host and whether this task copied it.
  returned: always
  type: dict
  sample: {"path": "/usr/local/bin/rescuectl", "copied": false}
document_changed:
  description: The document's own C(changed), when it has one (C(changed) is the task's).
  returned: when the applet reports it
  type: bool
password:
  description: The password C(reset-pass --generate) made; the result is no_log then.
  returned: when reset-pass --generate set a password
  type: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            applet=dict(type='str', required=True),
            args=dict(type='list', elements='str', default=[]),
            password=dict(type='str', no_log=True),
            binary=dict(type='path'),
            remote_path=dict(type='str', default='/usr/local/bin/rescuectl'),
            fail_on=dict(type='list', elements='str', default=[],
                         choices=['nothing_found', 'nothing_to_do', 'would_grow']),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg='rescuectl.rescue.run runs through its action plugin; '
                         'this file only documents it')


if __name__ == '__main__':
    main()

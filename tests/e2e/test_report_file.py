# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.report_file through ansible-playbook, against nothing but the file system.

The host of the play is one that cannot be reached (ssh to a closed port) with a Python that does not
exist: a task that started a module process or touched the connection would fail."""


import os
import stat

CONTENT = '{\n    "array": "unity-01 \u00e9\u20ac",\n    "outcome": "upgraded"\n}\n'
NOWHERE = {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1', 'ansible_port': 1,
           'ansible_python_interpreter': '/nonexistent/bin/python'}


def play(tasks):
    return [{'name': 'report_file', 'hosts': 'all', 'gather_facts': False, 'vars': NOWHERE, 'tasks': tasks}]


def write(dest, content=CONTENT, **options):
    return {'name': 'write', 'unity.upgrade.report_file': dict({'content': content, 'dest': str(dest)}, **options),
            'register': 'out'}


def read(path):
    with open(str(path), 'rb') as handle:
        return handle.read().decode('utf-8')


def test_writes_then_reports_no_change_without_a_module_process(run_playbook, tmp_path):
    dest = tmp_path / 'report' / 'array-1.json'
    dest.parent.mkdir()
    first = run_playbook(play([write(dest, mode='0600')]), inventory='unreachable,', verbosity=3)
    assert first.rc == 0, first.stdout[-3000:]
    assert first.status('write') == 'ok' and first.result('write')['changed'] is True
    assert first.result('write')['dest'] == str(dest) and first.result('write')['mode'] == '0600'
    assert read(dest) == CONTENT
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    assert 'EXEC' not in first.stdout and 'SSH' not in first.stdout, first.stdout[-3000:]

    again = run_playbook(play([write(dest, mode='0600')]), inventory='unreachable,')
    assert again.rc == 0 and again.result('write')['changed'] is False, again.stdout[-3000:]
    changed = run_playbook(play([write(dest, CONTENT + 'more\n', mode='0600')]), inventory='unreachable,')
    assert changed.rc == 0 and changed.result('write')['changed'] is True, changed.stdout[-3000:]
    assert read(dest) == CONTENT + 'more\n'
    assert os.listdir(str(dest.parent)) == ['array-1.json'], 'no temporary file is left'


def test_check_mode_writes_nothing_and_says_whether_it_would(run_playbook, tmp_path):
    files = tmp_path / 'files'
    files.mkdir()
    new, same, other = files / 'new.json', files / 'same.json', files / 'other.json'
    same.write_text(CONTENT, encoding='utf-8')
    other.write_text('before\n', encoding='utf-8')
    for path in (same, other):
        path.chmod(0o644)
    tasks = [dict(write(path), name=path.name) for path in (new, same, other)]
    run = run_playbook(play(tasks), inventory='unreachable,', check=True)
    assert run.rc == 0, run.stdout[-3000:]
    assert [run.result(path.name)['changed'] for path in (new, same, other)] == [True, False, True]
    assert not new.exists() and read(other) == 'before\n' and read(same) == CONTENT
    assert sorted(os.listdir(str(files))) == ['other.json', 'same.json']

    # check_mode: false on the task, as the fleet playbooks set it: written in a --check run
    forced = run_playbook(play([dict(write(new), check_mode=False)]), inventory='unreachable,', check=True)
    assert forced.rc == 0 and forced.result('write')['changed'] is True, forced.stdout[-3000:]
    assert read(new) == CONTENT


def test_a_missing_directory_fails_with_one_line_naming_it(run_playbook, tmp_path):
    dest = tmp_path / 'missing' / 'report.json'
    run = run_playbook(play([write(dest)]), inventory='unreachable,', verbosity=3)
    assert run.rc == 2, run.stdout[-3000:]
    assert run.status('write') == 'failed'
    msg = run.result('write')['msg']
    assert msg == 'cannot write %s: the directory %s does not exist; create it first' % (dest, tmp_path / 'missing')
    assert 'Traceback' not in run.stdout and 'Traceback' not in run.result('write').get('exception', '')
    assert not (tmp_path / 'missing').exists()


def test_a_directory_at_dest_and_bad_arguments_fail_with_one_line(run_playbook, tmp_path):
    files = tmp_path / 'files'
    files.mkdir()
    tasks = [dict(write(files), name='directory', ignore_errors=True),
             dict(write(files / 'a.json', mode='u=rw'), name='mode', ignore_errors=True),
             dict(write(files / 'b.json', content={'a': 1}), name='data', ignore_errors=True)]
    run = run_playbook(play(tasks), inventory='unreachable,')
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result('directory')['msg'] == 'cannot write %s: it is a directory; give dest the path of a file' % files
    assert run.result('mode')['msg'] == "mode 'u=rw' is not an octal mode: give one such as '0644'"
    assert run.result('data')['msg'].startswith('content is a mapping, not text')
    assert 'Traceback' not in run.stdout and os.listdir(str(files)) == []

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What report_file's action writes on the control node (module_utils/report_file.py), without the action:
importing the action plugin would load Ansible's controller code into the module tests' process."""


import os
import stat
import tempfile

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils import report_file
from ansible_collections.unity.upgrade.plugins.module_utils.report_file import ReportFileError, parse_mode, write_file

MODES = st.integers(min_value=0o400, max_value=0o777).filter(lambda m: m & 0o600 == 0o600)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@settings(max_examples=60, deadline=None)
@given(content=st.text(), mode=MODES)
def test_any_content_round_trips_with_its_mode(content, mode):
    with tempfile.TemporaryDirectory() as where:
        dest = os.path.join(where, 'report.json')
        first = write_file(dest, content, mode)
        with open(dest, 'rb') as handle:
            assert handle.read().decode('utf-8') == content
        assert mode_of(dest) == mode
        assert first == {'changed': True, 'dest': dest, 'size': len(content.encode('utf-8')), 'mode': '%04o' % mode}
        assert write_file(dest, content, mode)['changed'] is False
        assert sorted(os.listdir(where)) == ['report.json'], 'no temporary file is left'


@settings(max_examples=40, deadline=None)
@given(before=st.text(), after=st.text())
def test_new_content_changes_same_content_does_not(before, after):
    with tempfile.TemporaryDirectory() as where:
        dest = os.path.join(where, 'a.json')
        write_file(dest, before)
        assert write_file(dest, after)['changed'] is (before != after)
        with open(dest, encoding='utf-8', newline='') as handle:
            assert handle.read() == after


def test_a_new_mode_alone_is_a_change(tmp_path):
    dest = str(tmp_path / 'a.html')
    write_file(dest, 'x', '0600')
    assert write_file(dest, 'x', '0644')['changed'] is True
    assert mode_of(dest) == 0o644
    assert write_file(dest, 'x', 0o644)['changed'] is False


def test_the_mode_is_exact_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        write_file(str(tmp_path / 'a'), 'x')
    finally:
        os.umask(old)
    assert mode_of(str(tmp_path / 'a')) == 0o644


@settings(max_examples=40, deadline=None)
@given(before=st.text(max_size=50), after=st.text(max_size=50))
def test_check_mode_writes_nothing_and_tells_whether_it_would(before, after):
    with tempfile.TemporaryDirectory() as where:
        dest = os.path.join(where, 'a.json')
        assert write_file(dest, after, check_mode=True)['changed'] is True
        assert not os.path.exists(dest)
        write_file(dest, before)
        assert write_file(dest, after, check_mode=True)['changed'] is (before != after)
        with open(dest, encoding='utf-8', newline='') as handle:
            assert handle.read() == before
        assert os.listdir(where) == ['a.json']


def test_a_link_at_dest_is_replaced_not_written_through(tmp_path):
    target = tmp_path / 'elsewhere'
    target.write_text('keep')
    link = tmp_path / 'report.json'
    link.symlink_to(target)
    assert write_file(str(link), 'keep')['changed'] is True, 'a link is not the file asked for'
    assert not link.is_symlink() and link.read_text() == 'keep'
    assert target.read_text() == 'keep'
    write_file(str(link), 'new')
    assert target.read_text() == 'keep'


def test_a_missing_directory_is_named(tmp_path):
    dest = str(tmp_path / 'nowhere' / 'report.json')
    with pytest.raises(ReportFileError) as failed:
        write_file(dest, 'x')
    assert str(failed.value) == 'cannot write %s: the directory %s does not exist; create it first' % (
        dest, tmp_path / 'nowhere')
    with pytest.raises(ReportFileError):
        write_file(dest, 'x', check_mode=True)


def test_a_directory_at_dest_is_named(tmp_path):
    with pytest.raises(ReportFileError) as failed:
        write_file(str(tmp_path), 'x')
    assert str(failed.value) == 'cannot write %s: it is a directory; give dest the path of a file' % tmp_path


def test_a_file_in_the_way_of_the_directory_is_named(tmp_path):
    (tmp_path / 'arrays').write_text('')
    with pytest.raises(ReportFileError) as failed:
        write_file(str(tmp_path / 'arrays' / 'a.json'), 'x')
    assert str(failed.value) == 'cannot write %s: %s is not a directory' % (tmp_path / 'arrays' / 'a.json',
                                                                            tmp_path / 'arrays')


def test_an_unwritable_directory_is_named_and_the_old_file_stays(tmp_path, monkeypatch):
    dest = tmp_path / 'report.json'
    dest.write_text('old')

    def denied(**_kwargs):
        raise PermissionError(13, 'Permission denied')  # what a directory without write permission answers

    monkeypatch.setattr(report_file.tempfile, 'mkstemp', denied)
    with pytest.raises(ReportFileError) as failed:
        write_file(str(dest), 'new')
    assert str(failed.value) == 'cannot write %s: permission denied in %s' % (dest, tmp_path)
    assert dest.read_text() == 'old' and os.listdir(str(tmp_path)) == ['report.json']


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_partial(tmp_path, monkeypatch):
    dest = tmp_path / 'report.html'
    dest.write_text('<html>old</html>')

    def no_space(_partial, _dest):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(report_file.os, 'replace', no_space)
    with pytest.raises(ReportFileError) as failed:
        write_file(str(dest), '<html>new</html>')
    assert str(failed.value) == 'cannot write %s: No space left on device in %s' % (dest, tmp_path)
    assert dest.read_text() == '<html>old</html>' and os.listdir(str(tmp_path)) == ['report.html']


def test_the_temporary_file_is_hidden_and_never_a_record(tmp_path, monkeypatch):
    seen = []

    def replace(partial, dest):
        seen.append(os.path.basename(partial))
        raise OSError(5, 'Input/output error')

    monkeypatch.setattr(report_file.os, 'replace', replace)
    with pytest.raises(ReportFileError):
        write_file(str(tmp_path / 'array-1.json'), '{}')
    assert seen[0].startswith('.array-1.json.') and not seen[0].endswith('.json')


@pytest.mark.parametrize('content, kind', [({'a': 1}, 'a mapping'), (['a'], 'a list'), (None, 'null'),
                                           (b'bytes', 'bytes'), (3, 'a number'),
                                           (True, 'a boolean')])
def test_anything_but_text_is_refused(tmp_path, content, kind):
    with pytest.raises(ReportFileError) as failed:
        write_file(str(tmp_path / 'a'), content)
    assert str(failed.value) == ('content is %s, not text: give it as a string (with ansible-core before 2.19, '
                                 "pass a JSON template's result through the string filter)" % kind)
    assert os.listdir(str(tmp_path)) == []


@given(mode=st.integers(min_value=0, max_value=0o7777))
def test_an_octal_string_or_int_is_the_mode(mode):
    assert parse_mode(mode) == mode
    assert parse_mode('%o' % mode) == mode
    assert parse_mode('%04o' % mode) == mode
    assert parse_mode('0o%o' % mode) == mode


@pytest.mark.parametrize('mode', ['u=rw,g=r', '0648', '', '12345', -1, 0o10000, True, 6.44, None])
def test_anything_else_is_not_a_mode(mode):
    with pytest.raises(ReportFileError) as failed:
        parse_mode(mode)
    assert str(failed.value) == "mode %r is not an octal mode: give one such as '0644'" % (mode,)

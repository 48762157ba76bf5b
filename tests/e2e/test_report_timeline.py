# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report's timeline (issue 14, part 5), as a browser lays it out.

A real fleet run against the simulator (three arrays one after the other: one upgrade, one whose SP
reboots keep the API away for seconds, one stopped by its input before the role began) writes the
report; headless Chromium (Debian's package, ``make browser-tools``) opens it in iframes 1280 and
800 pixels wide from a measuring page of this test, whose script writes what it measured into its
own DOM (--dump-dom), and takes the screenshot kept as build/report-timeline.png."""


import html
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from unity_sim.packages import write_candidate

from e2e_helpers import REPO, fleet_vars, read_report

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40,
        'software_version': BEFORE}
# 5 minutes without an API at each SP reboot: 2.5 s at time scale 120, longer than a poll
LONG_REBOOTS = dict(FAST, reboot_outage_seconds=300)
WIDTHS = (1280, 800)
CHROMIUM = shutil.which('chromium')

# Loads report.html in an iframe per width and writes, as JSON into <pre id="out">, the boxes of what
# a person reads: the page's scroll width, the table and its rows, the timeline, its lanes' labels,
# bars and outage marks, its ticks and legend.
MEASURE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body style="margin:0">
%(frames)s
<pre id="out">pending</pre>
<script>
function box(el) {
  var r = el.getBoundingClientRect();
  return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height};
}
function all(root, selector, f) { return Array.prototype.map.call(root.querySelectorAll(selector), f); }
function measure(frame) {
  var d = frame.contentDocument, svg = d.querySelector('svg.timeline'), table = d.querySelector('table');
  var viewport = d.documentElement.clientWidth;
  return {
    viewport: viewport, scroll_width: d.documentElement.scrollWidth,
    wider: all(d.body, '*', function (el) { return [el.tagName + '.' + el.getAttribute('class'), box(el).r]; })
      .filter(function (pair) { return pair[1] > viewport + 0.5; }),
    table: table && box(table),
    rows: all(d, 'tbody tr', function (tr) { return {array: tr.getAttribute('data-array'), box: box(tr)}; }),
    svg: svg && box(svg),
    lanes: svg ? all(svg, 'g.lane', function (g) {
      return {array: g.getAttribute('data-array'),
              texts: all(g, 'text', function (t) { return {cls: t.getAttribute('class'), text: t.textContent, box: box(t)}; }),
              phases: all(g, 'rect.phase', function (r) { return {phase: r.getAttribute('data-phase'), box: box(r)}; }),
              outages: all(g, 'rect.outage', box)};
    }) : [],
    ticks: svg ? all(svg, 'g.tick text', function (t) { return {text: t.textContent, box: box(t)}; }) : [],
    legend: svg ? all(svg, 'g.legend text', function (t) { return {text: t.textContent, box: box(t)}; }) : []
  };
}
var frames = document.querySelectorAll('iframe'), loaded = 0;
function done() {
  if (++loaded < frames.length) return;
  var out = {};
  Array.prototype.forEach.call(frames, function (f) {
    try { out[f.getAttribute('data-width')] = measure(f); } catch (e) { out[f.getAttribute('data-width')] = {error: String(e)}; }
  });
  document.getElementById('out').textContent = JSON.stringify(out);
}
// this script runs before the iframes' load events (which fire once the report is in them)
Array.prototype.forEach.call(frames, function (f) { f.addEventListener('load', done); });
</script>
</body></html>
"""


def _chromium(*args, timeout=90):
    profile = tempfile.mkdtemp(prefix='chromium-profile-')
    argv = [CHROMIUM, '--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--disable-sync',
            '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage',
            '--hide-scrollbars', '--user-data-dir=' + profile] + list(args)
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _measure(report_html):
    frames = '\n'.join('<iframe data-width="%d" src="%s" style="border:0;display:block;width:%dpx;height:1500px">'
                       '</iframe>' % (width, os.path.basename(report_html), width) for width in WIDTHS)
    page = os.path.join(os.path.dirname(report_html), 'measure.html')
    with open(page, 'w') as handle:
        handle.write(MEASURE % {'frames': frames})
    done = _chromium('--allow-file-access-from-files', '--virtual-time-budget=5000', '--window-size=1300,3200',
                     '--dump-dom', 'file://' + page)
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert done.returncode == 0 and found, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    return json.loads(html.unescape(found.group(1)))


def _inside(inner, outer, slack=0.5):
    return (inner['x'] >= outer['x'] - slack and inner['r'] <= outer['r'] + slack
            and inner['y'] >= outer['y'] - slack and inner['b'] <= outer['b'] + slack)


def _apart(boxes):
    """Boxes side by side from left to right, none over the next."""
    ordered = sorted(boxes, key=lambda b: b['x'])
    return all(a['r'] <= b['x'] + 0.5 for a, b in zip(ordered, ordered[1:]))


@pytest.mark.skipif(not CHROMIUM, reason='chromium is not installed: `make browser-tools` installs Debian\'s package')
def test_the_timeline_in_a_browser(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=3, time_scale=120, scenario=FAST)
    sim.put_scenario('array-2', LONG_REBOOTS)
    # array-3 stops at the role's input check, before the role begins: a record without a start
    inventory = sim.write_inventory(tmp_path / 'inventory.yml',
                                    host_vars={'array-3': {'unity_upgrade_expected_minutes': 'soon'}})
    report_dir = tmp_path / 'report'
    extra = fleet_vars(report_dir, unity_upgrade_candidate_src=write_candidate(str(tmp_path), TARGET, 1 << 20),
                       unity_upgrade_keep_going=True)
    run = run_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra, timeout=300)
    assert run.rc == 2, run.stdout[-4000:]
    assert 'unity_upgrade_expected_minutes' in run.stdout

    data, rows, page = read_report(report_dir)
    records = dict((r['array'], r) for r in data['arrays'])
    assert [records[name]['outcome'] for name in ('array-1', 'array-2', 'array-3')] == ['upgraded', 'upgraded', 'failed']
    for name in ('array-1', 'array-2'):
        assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$', records[name]['started_at'])
        assert sorted(records[name]['phases']) == ['preflight', 'start', 'upload', 'verify', 'wait']
    assert records['array-1']['started_at'] < records['array-2']['started_at'], 'serial 1: one after the other'
    assert 'started_at' not in records['array-3'] and 'phases' not in records['array-3']
    assert records['array-3']['messages'] == ['the role stopped before it read the array']
    outages = [o for o in records['array-2']['outages'] if o.get('start')]
    assert outages, 'the long SP reboots were seen as outages'
    assert [row[0].split()[0] for row in rows] == ['array-1', 'array-2', 'array-3'], 'the table is as it was'
    assert '<script' not in page and 'http://' not in page and 'https://' not in page

    measured = _measure(str(report_dir / 'report.html'))
    for width in WIDTHS:
        view = measured[str(width)]
        assert 'error' not in view, view
        assert view['viewport'] == width
        # nothing wider than the page: no horizontal scrolling, no element past the right edge
        assert view['scroll_width'] <= width and view['wider'] == [], (width, view['wider'][:10])
        assert view['table']['w'] > 0 and view['table']['h'] > 0 and view['table']['r'] <= width
        assert [r['array'] for r in view['rows']] == ['array-1', 'array-2', 'array-3']
        assert all(r['box']['h'] > 0 and r['box']['r'] <= width for r in view['rows'])
        svg = view['svg']
        assert svg['w'] > 0.9 * (width - 64) and svg['h'] > 100 and svg['r'] <= width - 15, (width, svg)
        assert svg['y'] >= view['table']['b'], 'below the table'
        assert view['table']['r'] <= svg['r'] + 0.5, 'the table fits the page as the timeline does'

        lanes = dict((lane['array'], lane) for lane in view['lanes'])
        assert [lane['array'] for lane in view['lanes']] == ['array-1', 'array-2', 'array-3']
        for name, lane in lanes.items():
            # every label readable: inside the timeline, the name clear of the duration
            assert all(_inside(t['box'], svg) and t['box']['w'] > 0 for t in lane['texts']), (width, name, lane['texts'])
            assert lane['texts'][0]['text'] == name
            assert _apart([t['box'] for t in lane['texts']]), (width, name, lane['texts'])
        for name in ('array-1', 'array-2'):
            bars = lanes[name]['phases']
            assert [b['phase'] for b in bars] == ['preflight', 'upload', 'start', 'wait', 'verify']
            assert all(b['box']['w'] > 0 and b['box']['h'] >= 10 and _inside(b['box'], svg) for b in bars)
            # consecutive: each phase begins where the one before ends (a short one is drawn 1.5 units wide)
            unit = svg['w'] / 900
            assert all(a['box']['r'] - 1.5 * unit - 0.5 <= b['box']['x'] <= a['box']['r'] + 0.5
                       for a, b in zip(bars, bars[1:])), (width, name, bars)
        # serial 1: array-2 begins after array-1's bars ended, on the same axis
        assert lanes['array-2']['phases'][0]['box']['x'] >= lanes['array-1']['phases'][-1]['box']['r'] - 1
        marks = lanes['array-2']['outages']
        assert len(marks) == len(outages) and all(m['w'] > 0 and _inside(m, svg) for m in marks)
        wait = lanes['array-2']['phases'][3]['box']
        assert all(wait['x'] - 2 <= m['x'] <= wait['r'] + 2 for m in marks), 'the outages fall in the wait'
        assert lanes['array-3']['phases'] == [] and lanes['array-3']['outages'] == []
        assert [t['text'] for t in lanes['array-3']['texts']][-1].startswith('no timeline: no start time recorded')
        # an axis with a few ticks and a legend, every label apart from the next
        assert 3 <= len(view['ticks']) <= 9 and view['ticks'][0]['text'] == '0'
        assert _apart([t['box'] for t in view['ticks']]) and all(_inside(t['box'], svg) for t in view['ticks'])
        assert [t['text'] for t in view['legend']][:5] == ['preflight', 'upload', 'start', 'wait', 'verify']
        assert _apart([t['box'] for t in view['legend']]) and all(_inside(t['box'], svg) for t in view['legend'])

    # The picture a person looks at (kept under build/, with the report it shows)
    os.makedirs(os.path.join(REPO, 'build'), exist_ok=True)
    for width, name in ((1280, 'report-timeline.png'), (800, 'report-timeline-800.png')):
        shot = os.path.join(REPO, 'build', name)
        if os.path.exists(shot):
            os.remove(shot)
        done = _chromium('--screenshot=' + shot, '--window-size=%d,1100' % width, '--virtual-time-budget=5000',
                         'file://' + str(report_dir / 'report.html'))
        assert done.returncode == 0 and os.path.getsize(shot) > 10000, done.stderr[-2000:]
    shutil.copy(str(report_dir / 'report.html'), os.path.join(REPO, 'build', 'report-timeline.html'))

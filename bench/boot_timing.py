"""Timing of the session's share of the demo's boot, from inside the page.

bench/boot_observer.js inserts this script right before demo.py, on the same
interpreter, so it runs first. It imports the package, then wraps
`browser.start` and the steps that start() calls, so that demo.py runs
unchanged but every step records its duration. When start() returns,
`window.psBootTimes` contains JSON of milliseconds: when this script began
(since navigation start), the package import, start() in total, and its
steps.

PyScript runs the page's scripts in one namespace, so every name defined here
starts with `_bench_` to stay clear of demo.py's names.
"""

import json

from pyscript import window

_bench_began = window.performance.now()

import persistent_session.browser as _bench_browser  # noqa: E402 - timed import
from persistent_session.session import PersistentSession as _BenchSession  # noqa: E402

_bench_times = {
    "python began": _bench_began,
    "import persistent_session": window.performance.now() - _bench_began,
}


def _bench_add(name, started):
    elapsed = window.performance.now() - started
    _bench_times[name] = _bench_times.get(name, 0) + elapsed


def _bench_timed(name, function):
    def timed(*args):
        started = window.performance.now()
        try:
            return function(*args)
        finally:
            _bench_add(name, started)

    return timed


def _bench_timed_async(name, function):
    async def timed(*args):
        started = window.performance.now()
        try:
            return await function(*args)
        finally:
            _bench_add(name, started)

    return timed


async def _bench_start(*args):
    started = window.performance.now()
    try:
        return await _bench_original_start(*args)
    finally:
        _bench_add("start()", started)
        _bench_times["start() returned"] = window.performance.now()
        window.psBootTimes = json.dumps(_bench_times)


_bench_original_start = _bench_browser.start
_bench_browser.start = _bench_start
_bench_browser._load_default_method = _bench_timed_async(
    "fetch settings.json", _bench_browser._load_default_method
)
_bench_browser._open_area = _bench_timed("open storage", _bench_browser._open_area)
_BenchSession.attach = _bench_timed("restore (attach)", _BenchSession.attach)
_bench_browser._connect = _bench_timed(
    "bind the page (_connect)", _bench_browser._connect
)

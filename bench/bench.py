"""The benchmark page's Python side: session operations and a plain Python
baseline, run in loops that bench/bench.js times.

JavaScript calls `window.psBenchCall(name, args_json)`; `name` picks a function
of `OPERATIONS`, which takes the decoded arguments and returns a JSON-ready
result, sent back as JSON text. Only strings cross the boundary, so the same
calls work on Pyodide and on MicroPython. The page's `Session` is started with
no settings file, so a plain `set` is temporary; every operation here names its
type explicitly.
"""

import json
import sys

from pyscript import window
from pyscript.ffi import create_proxy

import persistent_session.browser as browser
from persistent_session import PersistentSession, Session, start
from persistent_session.entries import KEY_PREFIX, PERSISTENT
from persistent_session.storage import MemoryStorage

# The small dict of the get and set comparisons; bench.js uses the same one.
SMALL_DICT = {"sort": "price", "desc": False, "page": 3}

# The sessions that the scaling comparison sets keys on, restored again each
# time bench.js refills the storage: one over localStorage, one over memory.
_scaling_session = None
_memory_session = None

# Increases with every set, so that each set writes a value that differs from
# the one stored and does the whole of its work.
_counter = 0


def _now():
    return window.performance.now()


def _next_values(count):
    global _counter
    first = _counter
    _counter += count
    return range(first, first + count)


def _restored_session():
    """Start a new session over localStorage as `start()` does, minus bindings."""
    session = PersistentSession()
    session.attach(browser._open_area(), PERSISTENT)
    return session


def info(args):
    """Return the interpreter's name and version."""
    result = {
        "implementation": sys.implementation.name,
        "version": sys.version,
    }
    if sys.implementation.name != "micropython":
        import pyodide

        result["pyodide"] = pyodide.__version__
    return result


# ---------------------------------------------------------------- get and set


def prepare_reads(args):
    """Set the values that the get comparison reads through the session."""
    Session.set_persistent({"read_scalar": 42, "read_dict": dict(SMALL_DICT)})
    return None


def session_get(args):
    get = Session.get
    key = args["key"]
    for _ in range(args["count"]):
        get(key)
    return None


def _identity(key):
    return key


def call_floor(args):
    """Call a function that only returns its argument: no Python read costs less."""
    call = _identity
    key = args["key"]
    for _ in range(args["count"]):
        call(key)
    return None


def plain_get(args):
    """Read the way a page without the package would: getItem, then json.loads."""
    storage = window.localStorage
    loads = json.loads
    name = args["name"]
    for _ in range(args["count"]):
        loads(storage.getItem(name))
    return None


def session_set(args):
    set_persistent = Session.set_persistent
    key = args["key"]
    last = None
    if args["shape"] == "dict":
        for number in _next_values(args["count"]):
            last = {"sort": "price", "desc": False, "page": number}
            set_persistent(key, last)
    else:
        for number in _next_values(args["count"]):
            last = number
            set_persistent(key, last)
    return last


def plain_set(args):
    """Write the way a page without the package would: json.dumps, then setItem."""
    storage = window.localStorage
    dumps = json.dumps
    name = args["name"]
    last = None
    if args["shape"] == "dict":
        for number in _next_values(args["count"]):
            last = {"sort": "price", "desc": False, "page": number}
            storage.setItem(name, dumps(last))
    else:
        for number in _next_values(args["count"]):
            last = number
            storage.setItem(name, dumps(last))
    return last


# -------------------------------------------------------------------- restore


def restore(args):
    """Restore the stored entries `count` times; return the keys restored."""
    session = None
    for _ in range(args["count"]):
        session = _restored_session()
    assert session is not None
    return len(session.keys())


def restore_split(args):
    """Time the steps of one restore, in milliseconds.

    The restore is the real `attach()`; its storage area's two read methods
    are wrapped to record the time spent in each.
    """
    started = _now()
    area = browser._open_area()
    opened = _now()
    spent = {"read": 0.0, "parsed": 0.0}
    read_combined = area._read_combined
    read_parsed = area.read_parsed

    def timed_read_combined(prefix):
        began = _now()
        result = read_combined(prefix)
        spent["read"] += _now() - began
        return result

    def timed_read_parsed(prefix):
        began = _now()
        result = read_parsed(prefix)
        spent["parsed"] += _now() - began
        return result

    area._read_combined = timed_read_combined
    area.read_parsed = timed_read_parsed
    session = PersistentSession()
    began = _now()
    session.attach(area, PERSISTENT)
    attached = _now() - began
    return {
        "open storage": opened - started,
        "read entries (one call into JavaScript)": spent["read"],
        "json.loads and checks of all entries": spent["parsed"] - spent["read"],
        "loop over the entries": attached - spent["parsed"],
        "attach() in total": attached,
    }


# -------------------------------------------------------------------- scaling


def scaling_setup(args):
    """Restore a session from localStorage, and a copy of it over memory.

    The copy's sets write to a MemoryStorage, so its time is the session's own
    Python, without the browser's setItem.
    """
    global _scaling_session, _memory_session
    _scaling_session = _restored_session()
    copy = MemoryStorage()
    for name, text in browser._open_area().read_pairs(KEY_PREFIX):
        copy.setItem(name, text)
    _memory_session = PersistentSession(copy, PERSISTENT)
    return len(_scaling_session.keys())


def dict_lookup(args):
    """Time `dict.get` of one key in a dict of `keys` keys named like the
    stored ones, in microseconds per lookup."""
    table = {}
    for index in range(args["keys"]):
        table["key%d" % index] = index
    table["scaling_probe"] = 0
    get = table.get
    count = 2000
    started = _now()
    for _ in range(count):
        get("scaling_probe")
    return (_now() - started) / count * 1000


def collection_time(args):
    """Time one full garbage collection, in milliseconds."""
    import gc

    started = _now()
    gc.collect()
    return _now() - started


def scaling_set(args):
    session = _memory_session if args.get("memory") else _scaling_session
    assert session is not None
    for number in _next_values(args["count"]):
        session.set_persistent("scaling_probe", number)
    return None


# ------------------------------------------------------------------- bindings


def bound_values(args):
    values = {}
    for index in range(args["count"]):
        values["bound%d" % index] = "value %d" % index
    Session.set_persistent(values)
    return None


def set_one(args):
    Session.set_persistent(args["key"], args["value"])
    return None


def binding_stats(args):
    bindings = browser.bindings()
    assert bindings is not None
    return {"bindings": len(bindings), "dom_writes": bindings.dom_writes}


# -------------------------------------------------------------------- storage


def store_typical(args):
    """Set each value of `values` (JSON text of the page's typical values)."""
    values = json.loads(args["values_json"])
    for key, value in values.items():
        Session.set_persistent(key, value)
    return None


def store_typical_dates(args):
    """Set the datetime values, which JSON cannot carry from JavaScript."""
    from datetime import datetime, timedelta, timezone

    stamp = datetime(2024, 5, 1, 8, 30, 0, tzinfo=timezone(timedelta(0)))
    Session.set_persistent("last_visit", stamp)
    return {"last_visit": 1714552200000}


# ------------------------------------------------------------------ profiling


def python_profile(args):
    """Run one operation under cProfile; return the functions with most self time.

    Pyodide only: MicroPython has no profiler, so it returns None there.
    """
    if sys.implementation.name == "micropython":
        return None
    import cProfile
    import pstats

    operation = OPERATIONS[args["operation"]]
    profiler = cProfile.Profile()
    profiler.enable()
    operation(args["args"])
    profiler.disable()

    rows = []
    for where, figures in pstats.Stats(profiler).stats.items():
        filename, line, function = where
        calls, self_seconds, total_seconds = figures[1], figures[2], figures[3]
        if filename == "~":
            name = function
        else:
            name = "%s:%d %s" % (filename.split("/")[-1], line, function)
        rows.append(
            {
                "function": name,
                "calls": calls,
                "self_ms": self_seconds * 1000,
                "total_ms": total_seconds * 1000,
            }
        )
    rows.sort(key=lambda row: -row["self_ms"])
    total_ms = 0.0
    for row in rows:
        total_ms += row["self_ms"]
    return {"total_ms": total_ms, "rows": rows[: args.get("top", 12)]}


OPERATIONS = {
    "info": info,
    "prepare_reads": prepare_reads,
    "session_get": session_get,
    "plain_get": plain_get,
    "call_floor": call_floor,
    "session_set": session_set,
    "plain_set": plain_set,
    "restore": restore,
    "restore_split": restore_split,
    "scaling_setup": scaling_setup,
    "scaling_set": scaling_set,
    "collection_time": collection_time,
    "dict_lookup": dict_lookup,
    "bound_values": bound_values,
    "set_one": set_one,
    "binding_stats": binding_stats,
    "store_typical": store_typical,
    "store_typical_dates": store_typical_dates,
    "python_profile": python_profile,
}


def _call(name, args_json):
    operation = OPERATIONS[str(name)]
    return json.dumps(operation(json.loads(str(args_json))))


_call_proxy = create_proxy(_call)


async def _main():
    await start(None)
    window.psBenchCall = _call_proxy
    window.psBenchReady = True


await _main()  # noqa: F704 - PyScript runs this module with top-level await

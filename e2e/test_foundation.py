"""The session core in a real page: types across reloads, value round trips,
settings.json, start() and the page's own flush.

Every test runs on Pyodide and on MicroPython through the `interpreter`
fixture. Python source runs inside the page through the harness's `psRun`.
"""

import json
from urllib.parse import urlparse

import pytest

# Defines VALUES (one of each supported type, nested too) and two helpers.
# `same(a, b)` is `==`, except that nan equals nan. `shape(value)` lists the
# type names of a value and of everything inside it, because `==` alone takes
# {1} for frozenset({1}), 1 for 1.0 and True for 1. The page runs this before
# and after the reload.
VALUES_SOURCE = """
from datetime import date, datetime, timedelta, timezone

VALUES = {
    "none": None,
    "true": True,
    "false": False,
    "int": 42,
    "negative_int": -7,
    "big_int": 10**700,
    "negative_big_int": -(3**2000),
    "float": 0.1,
    "nan": float("nan"),
    "inf": float("inf"),
    "negative_inf": float("-inf"),
    "str": "h\\u00e9llo \\u2713 \\"quoted\\" \\\\ \\u0000 end",
    "empty_str": "",
    "list": [1, "two", None, 3.5],
    "tuple": (1, 2.5, "x"),
    "dict": {"a": 1, "b": [True, False]},
    "tag_like_dict": {"$tuple": [1, 2]},
    "set": {1, 2, 3},
    "frozenset": frozenset({"a", "b"}),
    "date": date(2024, 2, 29),
    "naive_datetime": datetime(2024, 5, 1, 8, 30, 15, 123456),
    "aware_datetime": datetime(
        2024, 5, 1, 8, 30, 15, 250, tzinfo=timezone(timedelta(hours=-5, minutes=-30))
    ),
    "bytes": bytes(range(256)),
    "nested": {
        "rows": [(1, {"b": b"\\x00\\xff"}), frozenset({(1, 2)}), {3.5}],
        "when": [date(2000, 1, 1), datetime(2000, 1, 1, 0, 0, 0, 1)],
    },
    "": "stored under the empty key",
}


def same(a, b):
    if type(a) is float and a != a:
        return type(b) is float and b != b
    return a == b


def shape(value):
    name = type(value).__name__
    if isinstance(value, (list, tuple)):
        return [name, [shape(item) for item in value]]
    if isinstance(value, dict):
        return [name, sorted([[key, shape(item)] for key, item in value.items()])]
    if isinstance(value, (set, frozenset)):
        return [name, sorted([repr(shape(item)) for item in value])]
    if isinstance(value, datetime):
        return [name, repr(value.utcoffset())]
    return name
"""


def test_types_across_reload(open_harness):
    tab = open_harness()
    tab.run(
        "Session.set_user('alice')\n"
        "Session.set_temp('t', 'gone after a reload')\n"
        "Session.set_persistent('p', 'kept')\n"
        "Session.set_auth('a', 'kept while alice is signed in')\n"
    )

    tab.reload()
    restored = tab.run(
        "result = {key: [Session.get(key), Session.type_of(key), key in Session]"
        " for key in ('t', 'p', 'a')}"
    )
    assert restored["t"] == [None, None, False]
    assert restored["p"] == ["kept", "persistent", True]
    assert restored["a"] == ["kept while alice is signed in", "authenticated", True]
    assert tab.run("result = Session.user_id") == "alice"
    assert tab.run("result = Session.storage_name") == "localStorage"
    assert "__ps:t" not in tab.storage()


# Stores every value of VALUES as persistent and returns the shape of each.
STORE_VALUES_SOURCE = """
for key, value in VALUES.items():
    Session.set_persistent(key, value)
result = {key: shape(value) for key, value in VALUES.items()}
"""

# Compares every restored value with a freshly built VALUES entry.
CHECK_VALUES_SOURCE = """
result = {}
for key, expected in VALUES.items():
    value = Session.get(key)
    result[key] = {
        "type": type(value).__name__,
        "expected_type": type(expected).__name__,
        "equal": same(value, expected),
        "shape": shape(value),
    }
"""


def test_values_round_trip_reload(open_harness):
    tab = open_harness()
    before = tab.run(VALUES_SOURCE + STORE_VALUES_SOURCE)

    tab.reload()
    after = tab.run(VALUES_SOURCE + CHECK_VALUES_SOURCE)
    assert sorted(after) == sorted(before)
    for key, report in after.items():
        assert report["type"] == report["expected_type"], key
        assert report["equal"] is True, key
        assert report["shape"] == before[key], key
    assert sorted(tab.run("result = Session.keys()")) == sorted(before)


SETTINGS_CASES = [
    # settings path, default type, text of the warning that names the file
    ("/e2e/settings/missing.json", "temporary", "HTTP 404"),
    ("/e2e/settings/persistent.json", "persistent", None),
    ("/e2e/settings/authenticated.json", "authenticated", None),
    ("/e2e/settings/temporary.json", "temporary", None),
    ("/e2e/settings/unknown.json", "temporary", "'forever'"),
    ("/e2e/settings/malformed.json", "temporary", "not valid JSON"),
    ("/e2e/settings/wrong-shape.json", "temporary", "invalid"),
]

# The stored entry of key "k" set to 1 by a plain set() with alice signed in.
STORED_BY_TYPE = {
    "temporary": None,
    "persistent": [1, "p", 1],
    "authenticated": [1, "a", 1, "alice"],
}


@pytest.mark.parametrize(("settings", "expected", "warning"), SETTINGS_CASES)
def test_settings_default_method(open_harness, settings, expected, warning):
    tab = open_harness(settings=settings)
    assert tab.run("result = Session.default_method") == expected

    tab.run("Session.set_user('alice')\nSession.set('k', 1)")
    assert tab.run("result = Session.type_of('k')") == expected
    stored = tab.storage().get("__ps:k")
    parsed = None if stored is None else json.loads(stored)
    assert parsed == STORED_BY_TYPE[expected]

    warnings = [message for message in tab.console if settings in message]
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1, tab.console
        assert warning in warnings[0]
        assert "temporary" in warnings[0]


def test_settings_none_skips_request(open_harness, context):
    paths = []
    context.on("request", lambda request: paths.append(urlparse(request.url).path))
    tab = open_harness(settings="none")

    assert tab.run("result = Session.default_method") == "temporary"
    assert "/e2e/harness.py" in paths
    assert [p for p in paths if p.endswith("settings.json")] == []
    assert [p for p in paths if p.startswith("/e2e/settings/")] == []
    assert [m for m in tab.console if "Settings" in m] == []


def test_start_twice_same_session(open_harness):
    tab = open_harness()
    tab.run(
        "import asyncio\n"
        "started = []\n"
        "async def start_again():\n"
        "    started.append(await persistent_session.start('/settings.json'))\n"
        "    window.psStartedAgain = len(started)\n"
        "tasks = [asyncio.create_task(start_again()) for _ in range(2)]\n"
    )
    tab.page.wait_for_function("window.psStartedAgain === 2")

    identical = tab.run("result = [session is Session for session in started]")
    assert identical == [True, True]
    assert tab.run("result = Session.started") is True


def test_autorun_flushes_by_itself(open_harness):
    tab = open_harness()
    runs_in_same_task = tab.run(
        "seen = []\n"
        "def watch(computation):\n"
        "    seen.append(Session.get('count'))\n"
        "    window.psRuns = len(seen)\n"
        "handle = autorun(watch)\n"
        "Session.set_temp('count', 1)\n"
        "Session.set_temp('count', 2)\n"
        "Session.set_temp('count', 3)\n"
        "result = len(seen)\n"
    )
    assert runs_in_same_task == 1

    tab.page.wait_for_function("window.psRuns === 2")
    tab.settle()
    assert tab.run("result = seen") == [None, 3]

    tab.run("Session.set_temp('count', 4)")
    tab.page.wait_for_function("window.psRuns === 3")
    tab.settle()
    assert tab.run("result = seen") == [None, 3, 4]


def test_autorun_reruns_on_equals_flip(open_harness):
    tab = open_harness()
    tab.run(
        "flips = []\n"
        "def watch(computation):\n"
        "    flips.append(Session.equals('color', 'red'))\n"
        "    window.psRuns = len(flips)\n"
        "handle = autorun(watch)\n"
        "Session.set_temp('color', 'blue')\n"
    )
    tab.settle()
    tab.run("Session.set_temp('color', 'red')")
    tab.page.wait_for_function("window.psRuns === 2")
    tab.settle()

    assert tab.run("result = flips") == [False, True]

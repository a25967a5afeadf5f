"""Checks of the package's pure-Python core that run unchanged on CPython,
Pyodide and MicroPython.

No pytest: every `check_*` function raises AssertionError on a failure, and
`run_all()` runs them all and returns a JSON-ready report. The browser tests
execute this file's source in the harness page (where PyScript has already
loaded the package) and under CPython, so every interpreter runs the very same
checks. The module also contains the catalogue of session values and the
comparison that the cross-interpreter tests use.

Only what every interpreter has is used here: %-formatting instead of
f-strings, explicit stacks instead of deep recursion (MicroPython under
PyScript has room for about 100 nested Python calls), and no dict order.

    report = run_all()
    assert report["failed"] == []
"""

import json
import logging
import math
import sys
from datetime import date, datetime, timedelta, timezone

from persistent_session import _compat, codec, entries, settings, tracker
from persistent_session.session import PersistentSession
from persistent_session.storage import MemoryStorage

# ---------------------------------------------------------------- catalogue

# The signed-in user and the authenticated value of the cross-interpreter
# tests. The user id has a character beyond U+FFFF, which CPython writes as
# an escaped surrogate pair.
USER_ID = "\u00e5lice-\U0001d11e"
AUTH_KEY = "auth:cart"


def auth_value():
    return {"items": [("apple", 2), ("pear", 1)], "paid": False, "total": 3.25}


def _nested(depth, kinds):
    """Return a value `depth` containers deep, cycling through `kinds` from
    the innermost container out."""
    value = "leaf"
    for level in range(depth):
        kind = kinds[level % len(kinds)]
        if kind == "list":
            value = [value]
        elif kind == "tuple":
            value = (value,)
        elif kind == "dict":
            value = {"k": value}
        else:
            value = frozenset([value])
    return value


def catalogue():
    """Return `[(key, value)]`: every supported type, with its hard cases."""
    max_depth = codec.MAX_DEPTH
    return [
        ("none", None),
        ("true", True),
        ("false", False),
        ("int_zero", 0),
        ("int_negative", -7),
        ("int_2_53_plus_1", 2**53 + 1),
        ("int_2_64", -(2**64) - 7),
        ("int_10_100", 10**100),
        ("int_hex", 2**2000 + 1),
        ("int_hex_negative", -(2**2100) - 3),
        ("float_zero", 0.0),
        ("float_negative_zero", -0.0),
        ("float_tenth", 0.1),
        ("float_sum", 0.1 + 0.2),
        ("float_third", 1 / 3),
        ("float_big", 1.7976931348623157e308),
        ("float_subnormal", 5e-324),
        ("float_not_shortest", 6.769943354121211e-148),
        ("float_1e16", 1e16),
        ("float_integral", 2.0**60),
        ("float_nan", math.nan),
        ("float_inf", math.inf),
        ("float_negative_inf", -math.inf),
        ("str_empty", ""),
        ("str_ascii", "plain text"),
        ("str_latin", "caf\u00e9 \u00fc\u00df"),
        ("str_bmp", "\u2713 \u4e2d\u6587 \u0645\u0631\u062d\u0628\u0627"),
        ("str_astral", "\U0001d11e clef \U0001f600"),
        ("str_controls", '\x00\x01\t\n\r\x1f\x7f "q" \\ /\u2028'),
        ("str_tag_like", "$tuple"),
        ("bytes_empty", b""),
        ("bytes_all", bytes(range(256))),
        ("list_empty", []),
        ("list_mixed", [1, "two", 3.0, None, True, b"\x01"]),
        ("tuple_empty", ()),
        ("tuple_mixed", (1, "two", 3.0, None, False)),
        ("tuple_nested", (1, [2, (3, [4])], {"a": (5,)})),
        ("dict_empty", {}),
        ("dict_nested", {"a": 1, "b": [1, 2], "c": {"d": (1, 2)}, "": "empty key"}),
        ("dict_dollar_key", {"$tuple": [1, 2]}),
        ("dict_many_keys", {"k%d" % index: index for index in range(40)}),
        ("dict_astral_key", {"\U0001d11e": "clef", "\u00e9": "e"}),
        ("set_empty", set()),
        ("set_ints", {3, 1, 2, 10**30}),
        ("set_mixed", {"a", (1, 2), None, 2.5, b"x", frozenset([1])}),
        ("frozenset_empty", frozenset()),
        ("frozenset_nested", frozenset([frozenset([1, 2]), (3, "x"), "s"])),
        ("date_first", date(1, 1, 1)),
        ("date_last", date(9999, 12, 31)),
        ("date_leap", date(2024, 2, 29)),
        ("datetime_naive", datetime(2024, 5, 1, 8, 30)),
        ("datetime_microseconds", datetime(2024, 5, 1, 8, 30, 15, 999999)),
        ("datetime_first", datetime(1, 1, 1, 0, 0, 0, 1)),
        ("datetime_last", datetime(9999, 12, 31, 23, 59, 59, 999999)),
        # MicroPython's datetime has no datetime.UTC, the alias ruff prefers.
        ("datetime_utc", datetime(2024, 5, 1, 8, 30, 0, 250, timezone.utc)),  # noqa: UP017
        (
            "datetime_plus_2",
            datetime(2024, 5, 1, 8, 30, 0, 250, timezone(timedelta(hours=2))),
        ),
        (
            "datetime_minus_5_30",
            datetime(
                2024, 5, 1, 1, 2, 3, 4, timezone(timedelta(hours=-5, minutes=-30))
            ),
        ),
        (
            "datetime_offset_seconds",
            datetime(2024, 5, 1, 0, 0, 0, 7, timezone(timedelta(seconds=-45))),
        ),
        (
            "datetime_offset_microseconds",
            datetime(
                2024, 5, 1, 0, 0, 0, 7, timezone(timedelta(seconds=30, microseconds=5))
            ),
        ),
        (
            "datetime_offset_max",
            datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
        ),
        ("set_dates", {date(2024, 5, 1), datetime(2024, 5, 1, 8, 30)}),
        ("deep_lists", _nested(max_depth, ["list"])),
        ("deep_mixed", _nested(max_depth, ["list", "tuple", "dict"])),
        ("deep_frozensets", _nested(max_depth, ["tuple", "frozenset"])),
    ]


# --------------------------------------------------------------- comparison


def _path_of(path, step):
    return path + "/" + step


def same(expected, actual):
    """Return None when `actual` equals `expected` with the same type all the
    way down, else a message naming the first difference.

    nan matches nan, -0.0 differs from 0.0 and an aware datetime must keep its
    UTC offset. Sets are compared with `==` and by the types inside them, so
    a set must not hold nan. Dict key order is not compared, because
    MicroPython's dicts have none.
    """
    pending = [("", expected, actual)]
    while pending:
        path, want, got = pending.pop()
        problem = _compare_one(path, want, got, pending)
        if problem is not None:
            return problem
    return None


def _compare_one(path, want, got, pending):
    """Compare one level, and push the items of containers onto `pending`."""
    kind = type(want)
    if type(got) is not kind:
        return "%s: got %s, expected %s" % (
            path or "value",
            type(got).__name__,
            kind.__name__,
        )
    if kind is float:
        if math.isnan(want):
            return None if math.isnan(got) else "%s: %r is not nan" % (path, got)
        if got != want or math.copysign(1.0, got) != math.copysign(1.0, want):
            return "%s: %r != %r" % (path, got, want)
        return None
    if kind is list or kind is tuple:
        if len(got) != len(want):
            return "%s: length %d != %d" % (path, len(got), len(want))
        for index in range(len(want)):
            pending.append((_path_of(path, str(index)), want[index], got[index]))
        return None
    if kind is dict:
        if set(got) != set(want):
            return "%s: keys %r != %r" % (path, sorted(got), sorted(want))
        for key in want:
            pending.append((_path_of(path, key), want[key], got[key]))
        return None
    if kind is set or kind is frozenset:
        return _compare_members(path, want, got)
    if kind is datetime:
        if got != want or got.utcoffset() != want.utcoffset():
            return "%s: %s != %s" % (path, got, want)
        if got.replace(tzinfo=None) != want.replace(tzinfo=None):
            return "%s: wall time %s != %s" % (path, got, want)
        return None
    if got != want:
        return "%s: %r != %r" % (path, got, want)
    return None


def _compare_members(path, want, got):
    # Matching members one to one with `same` would recurse once per level of
    # nested frozensets, deeper than MicroPython allows.
    if got != want:
        return "%s: %r != %r" % (path, got, want)
    if type_names(got) != type_names(want):
        return "%s: types %r != %r" % (path, type_names(got), type_names(want))
    return None


def type_names(value):
    """Return sorted "path type" lines for `value` and everything inside it.

    The lines of equal values are the same on every interpreter: set members
    share the path "{}" because their order differs between interpreters.
    """
    lines = []
    pending = [("", value)]
    while pending:
        path, item = pending.pop()
        kind = type(item)
        lines.append((path or "/") + " " + kind.__name__)
        if kind is list or kind is tuple:
            for index in range(len(item)):
                pending.append((_path_of(path, str(index)), item[index]))
        elif kind is dict:
            for key in item:
                pending.append((_path_of(path, key), item[key]))
        elif kind is set or kind is frozenset:
            for member in item:
                pending.append((_path_of(path, "{}"), member))
    lines.sort()
    return lines


def compare_session(session):
    """Compare `session` with the catalogue, the user and the authenticated
    value that `write_session` stored.

    Return `{key: problem}` for every key that differs.
    """
    problems = {}
    for key, expected in catalogue():
        if key not in session:
            problems[key] = "missing"
            continue
        problem = same(expected, session.get(key))
        if problem is None and session.type_of(key) != "persistent":
            problem = "type_of is %s" % session.type_of(key)
        if problem is not None:
            problems[key] = problem
    if session.user_id != USER_ID:
        problems["user_id"] = "%r != %r" % (session.user_id, USER_ID)
    if AUTH_KEY not in session:
        problems[AUTH_KEY] = "missing"
    else:
        problem = same(auth_value(), session.get(AUTH_KEY))
        if problem is None and session.type_of(AUTH_KEY) != "authenticated":
            problem = "type_of is %s" % session.type_of(AUTH_KEY)
        if problem is not None:
            problems[AUTH_KEY] = problem
    return problems


def write_session(session):
    """Store the catalogue as persistent values, sign in USER_ID and store the
    authenticated value."""
    session.set_persistent(dict(catalogue()))
    session.set_user(USER_ID)
    session.set_auth(AUTH_KEY, auth_value())


def session_type_names(session):
    """Return `{key: type_names(value)}` for the catalogue keys and AUTH_KEY."""
    names = {}
    for key, _value in catalogue():
        names[key] = type_names(session.get(key))
    names[AUTH_KEY] = type_names(session.get(AUTH_KEY))
    return names


# ------------------------------------------------------------------ helpers


def _raises(error_type, function, *args):
    """Call `function(*args)` and return the message of the `error_type`
    exception it must raise."""
    try:
        function(*args)
    except error_type as exc:
        return str(exc)
    raise AssertionError(
        "%s(%s) raised no %s"
        % (getattr(function, "__name__", "function"), args, error_type.__name__)
    )


def _round_trip(value):
    text, _copy_mode = codec.encode(value)
    return codec.decode_text(text)[0]


class _LogRecords(logging.Handler):
    """A logging handler that collects `(level name, message)` for every
    record of one logger while a `with` block runs."""

    def __init__(self, logger_name):
        super().__init__()
        self.records = []
        self.logger = logging.getLogger(logger_name)

    def emit(self, record):
        # micropython-lib's LogRecord has the formatted `message` but no
        # getMessage().
        if hasattr(record, "getMessage"):
            message = record.getMessage()
        else:
            message = record.message
        self.records.append((record.levelname, message))

    def __enter__(self):
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc_info):
        if hasattr(self.logger, "removeHandler"):
            self.logger.removeHandler(self)
        else:  # micropython-lib's Logger has no removeHandler.
            self.logger.handlers.remove(self)
        return False


def _new_session(storage=None, default_method="temporary"):
    return PersistentSession(
        MemoryStorage() if storage is None else storage, default_method
    )


def _recorder(read):
    """Autorun `read` and return the list of what each run returned."""
    seen = []
    tracker.autorun(lambda computation: seen.append(read()))
    return seen


# -------------------------------------------------------------- codec checks


def check_codec_round_trips_every_type():
    for key, value in catalogue():
        text, _copy_mode = codec.encode(value)
        problem = same(value, codec.decode_text(text)[0])
        assert problem is None, key + ": " + problem
        # Encoding the decoded value again gives the same JSON (compared
        # parsed, because MicroPython orders dict keys its own way).
        again = codec.encode(codec.decode(json.loads(text)))[0]
        assert json.loads(again) == json.loads(text), key + ": " + again


def check_codec_writes_the_same_text_everywhere():
    expected = [
        ((1, 2), '{"$tuple":[1,2]}'),
        ({2, 1}, '{"$set":[1,2]}'),
        (frozenset(["b", "a"]), '{"$frozenset":["a","b"]}'),
        (b"\x00\xff", '{"$bytes":"AP8="}'),
        (date(2024, 5, 1), '{"$date":"2024-05-01"}'),
        (datetime(2024, 5, 1, 8, 30), '{"$datetime":"2024-05-01T08:30:00.000000"}'),
        (
            datetime(2024, 5, 1, 0, 0, 0, 7, timezone(timedelta(seconds=-45))),
            '{"$datetime":"2024-05-01T00:00:00.000007-00:00:45"}',
        ),
        (
            datetime(
                2024, 5, 1, tzinfo=timezone(timedelta(seconds=30, microseconds=5))
            ),
            '{"$datetime":"2024-05-01T00:00:00.000000+00:00:30.000005"}',
        ),
        (math.nan, '{"$float":"nan"}'),
        (-math.inf, '{"$float":"-inf"}'),
        (2**2000, '{"$int":"1' + "0" * 500 + '"}'),
        (10**100, "1" + "0" * 100),
        ({"$x": 1}, '{"$dict":{"$x":1}}'),
        ([True, None, -0.0, 1e16, 0.1], "[true,null,-0.0,1e+16,0.1]"),
        ("tab\there", '"tab\\there"'),
    ]
    for value, text in expected:
        got = codec.encode(value)[0]
        assert got == text, "%r encodes as %s, expected %s" % (value, got, text)


def check_codec_keeps_characters_beyond_the_bmp():
    for value in ("\U0001d11e", ["a\U0001f600b"], {"\U0001d11e": "\u00e9"}):
        assert same(value, _round_trip(value)) is None, repr(value)
    # CPython's json.dumps escapes U+1D11E as a surrogate pair. Every
    # interpreter must read that back as the one character.
    decoded = codec.decode_text('["\\ud834\\udd1e", "\\uD834\\uDD1E"]')[0]
    assert decoded == ["\U0001d11e", "\U0001d11e"], repr(decoded)
    assert len(decoded[0]) == 1, len(decoded[0])
    decoded_key = codec.decode_text('{"\\ud83d\\ude00": 1, "b": 2}')[0]
    assert decoded_key == {"\U0001f600": 1, "b": 2}, repr(decoded_key)


def check_surrogate_joining_skips_escaped_backslashes():
    join = _compat._join_escaped_surrogates
    assert join('"\\ud834\\udd1e"') == '"\U0001d11e"'
    # An escaped backslash followed by "ud834" is no escape.
    assert join('"\\\\ud834\\udd1e"') == '"\\\\ud834\\udd1e"'
    # A high surrogate without a low one stays escaped.
    assert join('"\\ud834x\\u0041"') == '"\\ud834x\\u0041"'
    assert join('"\\ud834\\ud834\\udd1e"') == '"\\ud834\U0001d11e"'
    assert join('"\\ud83') == '"\\ud83'
    decoded = codec.decode_text('"a\\\\ud834\\u0042"')[0]
    assert decoded == "a\\ud834B", repr(decoded)


def check_codec_rejects_unsupported_values():
    class MyStr(str):
        pass

    items = [1]
    items.append(items)
    cases = [
        (object(), "object"),
        (1 + 2j, "complex"),
        (bytearray(b"x"), "bytearray"),
        (range(3), "range"),
        (timedelta(seconds=1), "timedelta"),
        (MyStr("x"), "MyStr"),
        ({1: "a"}, "int"),
        ({"ok": [1, {2.5: "x"}]}, "float"),
        ([1, [2, object()]], "object"),
        ({"s": (1, {2, MyStr("m")})}, "MyStr"),
        (items, "contains itself"),
    ]
    for value, name in cases:
        message = _raises(TypeError, codec.encode, value)
        assert name in message, "%s not named in %r" % (name, message)


def check_codec_nesting_limit():
    depth = codec.MAX_DEPTH
    for kinds in (["list"], ["tuple"], ["dict"], ["frozenset"], ["dict", "tuple"]):
        value = _nested(depth, kinds)
        assert same(value, _round_trip(value)) is None, kinds
        copy = codec.copy_value(value, codec.COPY_DEEP)
        assert same(value, copy) is None, kinds
        message = _raises(TypeError, codec.encode, [value])
        assert "nested too deeply" in message, message
    text = "[" * (depth + 1) + "]" * (depth + 1)
    message = _raises(ValueError, codec.decode_text, text)
    assert "nested too deeply" in message, message
    tagged = '{"$tuple":[' * (depth + 1) + "]}" * (depth + 1)
    deepest = ()
    for _level in range(depth - 1):
        deepest = (deepest,)
    problem = same(deepest, codec.decode_text(tagged[11:-2])[0])
    assert problem is None, problem
    message = _raises(ValueError, codec.decode_text, tagged)
    assert "nested too deeply" in message, message


def check_codec_rejects_malformed_text():
    malformed = [
        '{"$unknown":1}',
        '{"$tuple":1}',
        '{"$set":[[1]]}',
        '{"$frozenset":[{"a":1}]}',
        '{"$dict":[1]}',
        '{"$bytes":"AAA"}',
        '{"$bytes":"AB=="}',
        '{"$bytes":"AP9="}',
        '{"$bytes":"AA AA"}',
        '{"$bytes":"AA==\\n"}',
        '{"$bytes":"\\u00e9"}',
        '{"$int":"FF"}',
        '{"$int":"0x1f"}',
        '{"$int":" 1f"}',
        '{"$int":"-"}',
        '{"$float":"NaN"}',
        '{"$float":1.5}',
        '{"$date":"2024-5-01"}',
        '{"$date":"2024-02-30"}',
        '{"$date":"\\u0662\\u0660\\u0662\\u0664-05-01"}',
        '{"$datetime":"2024-05-01T08:30:00"}',
        '{"$datetime":"2024-05-01T08:30:00.000000+24:00"}',
        '{"$datetime":"2024-05-01T08:30:00.000000Z"}',
        '{"$datetime":"2024-05-01T\\u0660\\u0668:30:00.000000"}',
        # MicroPython's json.loads reads this as {1: 2}; CPython's rejects it.
        "{1:2}",
        "",
        "[1,",
    ]
    for text in malformed:
        _raises(ValueError, codec.decode_text, text)


def check_base64_accepts_only_what_it_writes():
    for data in (b"", b"\x00", b"\x00\xff", bytes(range(256)), b"a" * 1000):
        text = _compat.b64encode(data)
        assert _compat.b64decode(text) == data, text
    for text in ("AP8", "AP9=", "AP 8=", "AP8=\n", "AP8==", "A===", "\u00e9", "*AP8="):
        _raises(ValueError, _compat.b64decode, text)


def check_datetimes_in_sets():
    members = set()
    for day in range(1, 29):
        members.add(date(2024, 5, day))
        members.add(datetime(2024, 5, day, 1))
        members.add(day)
    members.add(None)
    assert len(members) == 3 * 28 + 1, len(members)
    assert same(members, _round_trip(members)) is None
    assert datetime(2024, 5, 1) != date(2024, 5, 1)
    assert datetime(2024, 5, 1) != None  # noqa: E711 - the comparison is the check
    assert [datetime(2024, 5, 1)] != [1]
    # One instant at two UTC offsets: equal, so one member, as on CPython.
    plus_two = datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    utc = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)  # noqa: UP017
    assert plus_two == utc
    assert len({plus_two, utc}) == 1
    assert hash(plus_two) == hash(utc)


def check_base64_in_plain_python_matches_binascii():
    # MicroPython uses the plain-Python functions. On CPython this compares
    # them with binascii, through b64encode.
    data = bytes(range(256)) * 3
    for length in range(0, 70):
        text = _compat._b2a_base64(data[:length])
        assert text == _compat.b64encode(data[:length]), length
        assert _compat._a2b_base64(text) == data[:length], length
    for text in ("AP8", "A===", "AA=A", "*AP8", "\u00e9"):
        _raises(ValueError, _compat._a2b_base64, text)


def check_large_bytes_round_trip():
    # 16 KiB: micropython-lib's binascii needed seconds and hundreds of
    # megabytes for this.
    value = bytes(range(256)) * 64
    assert _round_trip(value) == value
    assert _round_trip((value, b"x")) == (value, b"x")


def check_copies_share_nothing_mutable():
    value = {"a": [1, {"b": [2]}], "t": ([3],), "s": {1, 2}, "f": frozenset([1])}
    _text, mode = codec.encode(value)
    copy = codec.copy_value(value, mode)
    assert same(value, copy) is None
    copy["a"][1]["b"].append(99)
    copy["t"][0].append(99)
    copy["s"].add(99)
    assert value["a"][1]["b"] == [2]
    assert value["t"][0] == [3]
    assert value["s"] == {1, 2}
    for immutable in (1, "s", (1, (2, "x")), frozenset([1]), b"x", date(2024, 1, 1)):
        assert codec.encode(immutable)[1] == codec.COPY_NONE, repr(immutable)


# ------------------------------------------------------------ tracker checks


def check_reruns_once_per_flush():
    dependency = tracker.Dependency()
    runs = []

    def read(computation):
        dependency.depend()
        runs.append(computation.first_run)

    handle = tracker.autorun(read)
    dependency.changed()
    dependency.changed()
    dependency.changed()
    tracker.flush()
    tracker.flush()
    handle.stop()
    dependency.changed()
    tracker.flush()
    assert runs == [True, False], runs


def check_reruns_in_creation_order():
    shared = tracker.Dependency()
    own = tracker.Dependency()
    order = []
    handles = []
    for name in ("a", "b", "c", "d", "e"):

        def read(computation, name=name):
            shared.depend()
            if name == "a":
                own.depend()
            order.append(name)

        handles.append(tracker.autorun(read))
    # Rerunning "a" alone makes it the newest reader of `shared`.
    own.changed()
    tracker.flush()
    del order[:]
    shared.changed()
    tracker.flush()
    for handle in handles:
        handle.stop()
    assert order == ["a", "b", "c", "d", "e"], order


def check_flush_cannot_nest():
    messages = []

    def inner(computation):
        try:
            tracker.flush()
        except RuntimeError as exc:
            messages.append(str(exc))

    tracker.autorun(inner).stop()
    assert len(messages) == 1, messages
    assert "inside a computation" in messages[0], messages


def check_error_in_rerun_is_logged_and_flush_goes_on():
    dependency = tracker.Dependency()
    others = []

    def failing(computation):
        dependency.depend()
        if not computation.first_run:
            raise ValueError("rerun failed")

    def other(computation):
        dependency.depend()
        others.append(1)

    first = tracker.autorun(failing)
    second = tracker.autorun(other)
    with _LogRecords("persistent_session.tracker") as log:
        dependency.changed()
        tracker.flush()
    first.stop()
    second.stop()
    assert others == [1, 1], others
    errors = [message for level, message in log.records if level == "ERROR"]
    assert len(errors) == 1, log.records
    assert "ValueError: rerun failed" in errors[0], errors


def check_error_traceback_is_logged_at_debug_level():
    dependency = tracker.Dependency()

    def failing(computation):
        dependency.depend()
        if not computation.first_run:
            raise ValueError("rerun failed")

    handle = tracker.autorun(failing)
    logger = logging.getLogger("persistent_session.tracker")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with _LogRecords("persistent_session.tracker") as log:
            dependency.changed()
            tracker.flush()
    finally:
        logger.setLevel(level)
        handle.stop()
    levels = [record_level for record_level, _message in log.records]
    assert levels == ["ERROR", "DEBUG"], log.records
    assert "Traceback" in log.records[1][1], log.records


def check_error_in_first_run_reaches_the_caller():
    dependency = tracker.Dependency()
    runs = []

    def failing(computation):
        dependency.depend()
        runs.append(1)
        raise KeyError("first")

    _raises(KeyError, tracker.autorun, failing)
    dependency.changed()
    tracker.flush()
    assert runs == [1], runs


def check_invalidate_stop_and_after_flush_callbacks():
    dependency = tracker.Dependency()
    events = []

    def read(computation):
        dependency.depend()
        tracker.on_invalidate(lambda c: events.append("invalidated"))

    handle = tracker.autorun(read)
    handle.on_stop(lambda c: events.append("stopped"))
    tracker.after_flush(lambda: events.append("after flush"))
    dependency.changed()
    tracker.flush()
    handle.stop()
    assert events == ["invalidated", "after flush", "invalidated", "stopped"], events


def check_nested_autorun_stops_with_its_parent():
    outer_dependency = tracker.Dependency()
    inner_dependency = tracker.Dependency()
    inner_runs = []
    inner_handles = []

    def outer(computation):
        outer_dependency.depend()

        def inner(inner_computation):
            inner_dependency.depend()
            inner_runs.append(1)

        inner_handles.append(tracker.autorun(inner))

    handle = tracker.autorun(outer)
    outer_dependency.changed()
    tracker.flush()
    assert inner_handles[0].stopped
    inner_dependency.changed()
    tracker.flush()
    handle.stop()
    # The first inner computation stopped; the second reran once.
    assert len(inner_runs) == 3, inner_runs


def check_nonreactive_reads_record_nothing():
    dependency = tracker.Dependency()
    runs = []

    def read(computation):
        tracker.nonreactive(dependency.depend)
        runs.append(1)

    handle = tracker.autorun(read)
    dependency.changed()
    tracker.flush()
    handle.stop()
    assert runs == [1], runs
    assert not dependency.has_dependents()


# ------------------------------------------------------------ session checks


def check_session_restores_every_type_from_storage():
    storage = MemoryStorage()
    first = _new_session(storage)
    write_session(first)
    first.set_temp("temporary", [1])
    second = _new_session(storage)
    problems = compare_session(second)
    assert problems == {}, problems
    assert "temporary" not in second


def check_session_stored_format():
    storage = MemoryStorage()
    session = _new_session(storage)
    session.set_persistent("pair", (1, "a"))
    session.set_user("bob")
    session.set_auth("cart", ["apple"])
    stored = dict(storage.items())
    assert stored["__ps:pair"] == '[1,"p",{"$tuple":[1,"a"]}]', stored
    assert stored["__ps:cart"] == '[1,"a",["apple"],"bob"]', stored
    assert stored["__ps!user"] == '"bob"', stored
    assert len(stored) == 3, stored


def check_session_get_returns_copies():
    session = _new_session()
    session.set("items", [1, [2]])
    copy = session.get("items")
    copy[1].append(3)
    copy.append(4)
    assert session.get("items") == [1, [2]], session.get("items")


def check_session_reruns_readers_of_a_changed_key():
    session = _new_session()
    session.set("count", 1)
    seen = _recorder(lambda: session.get("count"))
    others = _recorder(lambda: session.get("other"))
    session.set("count", 1)
    tracker.flush()
    session.set("count", 2)
    session.set("count", 3)
    tracker.flush()
    assert seen == [1, 3], seen
    assert others == [None], others


def check_session_equals_reruns_only_when_the_result_flips():
    session = _new_session()
    session.set("color", "red")
    seen = _recorder(lambda: session.equals("color", "blue"))
    session.set("color", "green")
    tracker.flush()
    session.set("color", "blue")
    tracker.flush()
    session.set("color", "blue")
    tracker.flush()
    assert seen == [False, True], seen
    assert not session.equals("color", 1)
    assert session.equals("missing", None)
    # True and 1, 1 and 1.0 differ.
    session.set("flag", True)
    assert not session.equals("flag", 1)
    session.set("number", 1)
    assert not session.equals("number", 1.0)


def check_session_user_lifecycle():
    storage = MemoryStorage()
    session = _new_session(storage)
    session.set_auth("draft", "kept in memory")
    assert "__ps:draft" not in dict(storage.items())
    session.set_user(USER_ID)
    assert dict(storage.items())["__ps:draft"].endswith(json.dumps(USER_ID) + "]")
    restored = _new_session(storage)
    assert restored.get("draft") == "kept in memory"
    assert restored.user_id == USER_ID
    session.set_user("someone else")
    assert "draft" not in session
    assert "__ps:draft" not in dict(storage.items())
    session.set_auth("draft", 1)
    session.set_user(None)
    assert "draft" not in session
    assert dict(storage.items()) == {}, dict(storage.items())


def check_session_follows_storage_events():
    storage = MemoryStorage()
    first = _new_session(storage)
    second = _new_session(storage)
    seen = _recorder(lambda: second.get("shared"))
    first.set_persistent("shared", {"v": (1, 2)})
    second.handle_storage_event("__ps:shared", storage.getItem("__ps:shared"))
    tracker.flush()
    first.set_user(USER_ID)
    second.handle_storage_event("__ps!user", storage.getItem("__ps!user"))
    first.clear("shared")
    second.handle_storage_event("__ps:shared", None)
    tracker.flush()
    assert seen == [None, {"v": (1, 2)}, None], seen
    assert second.user_id == USER_ID, second.user_id


def check_session_rejects_unsupported_values_atomically():
    storage = MemoryStorage()
    session = _new_session(storage, "persistent")
    session.set("a", 1)
    message = _raises(TypeError, session.set, {"a": 2, "b": object()})
    assert "'b'" in message, message
    assert "object" in message, message
    assert session.get("a") == 1
    assert "b" not in session
    assert dict(storage.items()) == {"__ps:a": '[1,"p",1]'}, dict(storage.items())
    message = _raises(TypeError, session.set, 5, 1)
    assert "requires a str key" in message, message


def check_session_errors():
    session = _new_session()
    message = _raises(KeyError, session.make_temp, "missing")
    assert "missing" in message, message
    _raises(TypeError, session.get, 1)
    _raises(ValueError, PersistentSession, MemoryStorage(), "forever")
    _raises(RuntimeError, PersistentSession().get, "key")


def check_session_types_and_moves():
    storage = MemoryStorage()
    session = _new_session(storage)
    session.set_persistent("k", 1)
    session.make_temp("k")
    assert session.type_of("k") == "temporary"
    assert "__ps:k" not in dict(storage.items())
    session.make_persistent("k")
    assert dict(storage.items())["__ps:k"] == '[1,"p",1]'
    session.update("k", 2)
    assert session.type_of("k") == "persistent"
    session.set_default("k", 3)
    session.set_default("new", 4)
    assert session.get("k") == 2
    assert session.get("new") == 4
    assert sorted(session.keys()) == ["k", "new"], session.keys()
    assert session.all() == {"k": 2, "new": 4}, session.all()
    session.clear_persistent()
    assert session.keys() == ["new"], session.keys()
    session.clear()
    assert session.keys() == [], session.keys()


def check_session_skips_unreadable_entries():
    storage = MemoryStorage()
    storage.setItem("__ps:good", '[1,"p",1]')
    storage.setItem("__ps:bad", '[1,"p",{"$bytes":"AB=="}]')
    storage.setItem("__ps:newer", '[2,"p",1]')
    storage.setItem("other", "left alone")
    with _LogRecords("persistent_session.session") as log:
        session = _new_session(storage)
    assert session.keys() == ["good"], session.keys()
    warnings = [message for level, message in log.records if level == "WARNING"]
    assert len(warnings) == 2, log.records
    assert dict(storage.items())["other"] == "left alone"


def check_entries_parse_the_stored_format():
    entry = entries.parse_entry_text('[1,"a",["x"],"\\ud834\\udd1e"]')
    assert entry.owner == "\U0001d11e", repr(entry.owner)
    assert entry.value == ["x"]
    assert entries.parse_user('"\\ud834\\udd1e"') == "\U0001d11e"
    assert entries.parse_user("not json") is None
    for text in ("[1,", '[1,"q",1]', '[1,"a",1]', '[0,"p",1]', '{"a":1}', "[1]"):
        _raises(entries.EntryError, entries.parse_entry_text, text)


# ----------------------------------------------------------- settings checks


def check_settings_parsing():
    parse = settings.default_method_from_text
    section = '{"public":{"persistent_session":{"default_method":%s}}}'
    # (settings text, expected default method, expected warnings)
    cases = [
        (section % '"persistent"', "persistent", 0),
        (section % '"authenticated"', "authenticated", 0),
        (section % '"temporary"', "temporary", 0),
        ("{}", "temporary", 0),
        ("null", "temporary", 0),
        ('{"public":{}}', "temporary", 0),
        (section % '"forever"', "temporary", 1),
        (section % "3", "temporary", 1),
        ('{"public":[]}', "temporary", 1),
        ("[]", "temporary", 1),
        ("{not json", "temporary", 1),
    ]
    for text, expected, warnings in cases:
        with _LogRecords("persistent_session.settings") as log:
            method = parse(text, "settings.json")
        assert method == expected, "%s gives %s" % (text, method)
        assert len(log.records) == warnings, "%s logged %r" % (text, log.records)
        for _level, message in log.records:
            assert "settings.json" in message, message


# ---------------------------------------------------------------- run_all


def list_checks():
    """Return the names of every check, in the order `run_all` runs them."""
    return sorted(name for name in globals() if name.startswith("check_"))


def run_all():
    """Run every check and return a JSON-ready report.

    `checks` lists every check, `passed` the checks that passed, and `failed`
    contains `[name, message]` for the others. The tracker's scheduler is
    switched off meanwhile, so that reruns happen only in the checks' own
    `flush()` calls.
    """
    namespace = globals()
    passed = []
    failed = []
    scheduler = tracker._scheduler
    tracker.set_scheduler(None)
    try:
        for name in list_checks():
            try:
                namespace[name]()
            except Exception as exc:
                failed.append([name, "%s: %s" % (type(exc).__name__, exc)])
            else:
                passed.append(name)
            # A failed check may leave reruns pending.
            tracker.flush()
    finally:
        tracker.set_scheduler(scheduler)
    return {
        "interpreter": sys.implementation.name,
        "checks": list_checks(),
        "passed": passed,
        "failed": failed,
    }

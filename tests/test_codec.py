"""The codec: every supported type round-trips with its exact type, anything
else is refused with a TypeError naming the type, and decoding refuses
malformed tags with ValueError."""

import json
import math
import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persistent_session import codec


def round_trip(value):
    text, _copy_mode = codec.encode(value)
    assert isinstance(text, str)
    return codec.decode(json.loads(text))


def round_trip_text(value):
    text, _copy_mode = codec.encode(value)
    return codec.decode_text(text)[0]


# ------------------------------------------------------------ round trips

ROUND_TRIP_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**53 + 1,
    -(2**64) - 7,
    10**100,
    -(10**300),
    0.0,
    -0.0,
    1.0,
    1.5,
    -2.25e-300,
    1e308,
    5e-324,
    math.inf,
    -math.inf,
    "",
    "plain",
    "unicode é ✓ 𝄞",
    '<b>markup</b> & "quotes" \\ backslash \n newline \x00 nul',
    "$tuple",
    "null",
    [],
    (),
    {},
    set(),
    frozenset(),
    b"",
    b"\x00\xff binary \n",
    bytes(range(256)),
    [1, "two", 3.0, None, True],
    (1, "two", 3.0, None, False),
    ((),),
    ([],),
    [[]],
    [()],
    [{}],
    ({},),
    (1, [2, (3, [4])]),
    {"a": 1, "b": [1, 2], "c": {"d": (1, 2)}},
    {"": "empty key"},
    {"$x": 1},
    {"$tuple": [1, 2]},
    {"$dict": {"$dict": 1}},
    {"$set": 1, "other": 2},
    {"a": {"$float": "nan"}},
    {1, 2, 3},
    {"a", "b"},
    {(1, 2), (3, (4, 5)), ()},
    {frozenset({1, 2}), frozenset(), frozenset({frozenset({3})})},
    frozenset({(1, "a"), frozenset({b"x"}), None}),
    {date(2024, 5, 1), datetime(2024, 5, 1, 8, 30)},
    date(2024, 5, 1),
    date(1, 1, 1),
    date(9999, 12, 31),
    datetime(2024, 5, 1, 8, 30),
    datetime(2024, 5, 1, 8, 30, 15, 250),
    datetime(2024, 5, 1, 8, 30, 15, 999999),
    datetime(1, 1, 1, 0, 0, 0, 1),
    datetime(2024, 5, 1, 8, 30, 0, 250, tzinfo=UTC),
    datetime(2024, 5, 1, 8, 30, 0, 250, tzinfo=timezone(timedelta(hours=2))),
    datetime(
        2024, 5, 1, 8, 30, 0, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))
    ),
    datetime(2024, 5, 1, 8, 30, 0, 0, tzinfo=timezone(timedelta(minutes=-1))),
    datetime(2024, 5, 1, 8, 30, 0, 7, tzinfo=timezone(timedelta(seconds=30))),
    datetime(2024, 5, 1, 8, 30, 0, 7, tzinfo=timezone(timedelta(seconds=-45))),
    datetime(
        2024,
        5,
        1,
        8,
        30,
        0,
        7,
        tzinfo=timezone(timedelta(seconds=-45, microseconds=-3)),
    ),
    datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=23, minutes=59, seconds=59))),
    datetime(2024, 5, 1, tzinfo=timezone(-timedelta(hours=23, minutes=59, seconds=59))),
    [math.inf, -math.inf, (math.inf,), {"x": -math.inf}],
]


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES, ids=repr)
def test_round_trip_keeps_value_and_type(value, assert_same):
    assert_same(value, round_trip(value))
    assert_same(value, round_trip_text(value))


def test_nan_round_trips_as_a_float_nan(assert_same):
    for value in (math.nan, [math.nan], (math.nan, 1.0), {"n": math.nan}):
        assert_same(value, round_trip(value))
    decoded = round_trip({math.nan})
    assert type(decoded) is set and len(decoded) == 1
    assert math.isnan(next(iter(decoded)))


def test_negative_zero_keeps_its_sign():
    assert math.copysign(1.0, round_trip(-0.0)) == -1.0


@pytest.mark.parametrize(
    "value",
    [10**4400, -(10**4400) - 1, 2**20000 + 3, 7 * 10**10000],
    ids=["10**4400", "-10**4400-1", "2**20000+3", "7*10**10000"],
)
def test_ints_of_any_size_round_trip(value, assert_same):
    """Beyond CPython's 4300-digit limit of int <-> decimal text too."""
    assert_same(value, round_trip(value))
    assert_same([value, (value,), {value}], round_trip([value, (value,), {value}]))


def test_ints_past_the_decimal_limit_are_written_in_hex():
    small = 10**500
    assert codec.encode(small)[0] == str(small)
    big = -(2**2000) - 5
    assert json.loads(codec.encode(big)[0]) == {"$int": "%x" % big}
    assert codec.decode({"$int": "-ff"}) == -255


def test_aware_datetime_keeps_microseconds_and_offset():
    tz = timezone(timedelta(hours=-3, minutes=-30))
    value = datetime(2023, 12, 31, 23, 59, 59, 123456, tzinfo=tz)
    decoded = round_trip(value)
    assert decoded == value
    assert decoded.microsecond == 123456
    assert decoded.utcoffset() == timedelta(hours=-3, minutes=-30)
    assert decoded.hour == 23  # wall time kept, not converted to UTC


def test_naive_datetime_stays_naive_and_date_stays_date():
    decoded = round_trip(datetime(2024, 2, 29, 12, 0, 0, 5))
    assert type(decoded) is datetime and decoded.tzinfo is None
    assert decoded.microsecond == 5
    decoded_date = round_trip(date(2024, 2, 29))
    assert type(decoded_date) is date


def test_dict_whose_only_key_starts_with_dollar_stays_a_dict(assert_same):
    for value in ({"$tuple": [1, 2]}, {"$x": 1}, {"$": None}, {"$set": {"$set": []}}):
        decoded = round_trip(value)
        assert_same(value, decoded)
    text, _ = codec.encode({"$tuple": [1, 2]})
    assert json.loads(text) == {"$dict": {"$tuple": [1, 2]}}


def test_list_and_tuple_are_told_apart(assert_same):
    value = [(1, 2), [1, 2], ([1], (2,))]
    assert_same(value, round_trip(value))


def test_bool_and_int_and_float_are_told_apart(assert_same):
    value = [True, 1, 1.0, False, 0, 0.0]
    assert_same(value, round_trip(value))
    texts = {codec.encode(item)[0] for item in value}
    assert len(texts) == len(value)


def test_deep_nesting_round_trips(assert_same):
    value: object = "leaf"
    for depth in range(150):
        value = (
            [value] if depth % 3 == 0 else (value,) if depth % 3 == 1 else {"k": value}
        )
    assert_same(value, round_trip(value))


def test_shared_sub_container_is_not_a_cycle(assert_same):
    shared = [1, 2]
    value = [shared, shared, {"a": shared}]
    assert_same(value, round_trip(value))


def test_set_members_are_in_a_fixed_order():
    members = [3, "a", (1, 2), None, 2.5, b"x", frozenset({1})]
    set_texts = set()
    frozenset_texts = set()
    for seed in range(20):
        shuffled = members[:]
        random.Random(seed).shuffle(shuffled)
        set_texts.add(codec.encode(set(shuffled))[0])
        frozenset_texts.add(codec.encode(frozenset(shuffled))[0])
    assert len(set_texts) == 1
    assert len(frozenset_texts) == 1


# -------------------------------------------------------- refused values


class MyStr(str):
    pass


class MyInt(int):
    pass


class MyFloat(float):
    pass


class MyList(list):
    pass


class MyDict(dict):
    pass


def _function():
    return None


def _self_referencing_list():
    items: list = [1]
    items.append(items)
    return items


def _self_referencing_dict():
    mapping: dict = {}
    mapping["me"] = [mapping]
    return mapping


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (object(), "object"),
        (_function, "function"),
        (lambda: None, "function"),
        ({1: "a"}, "int"),
        ({"ok": {2.5: "a"}}, "float"),
        ({("a",): 1}, "tuple"),
        (_self_referencing_list(), "list"),
        (_self_referencing_dict(), "dict"),
        (bytearray(b"abc"), "bytearray"),
        (memoryview(b"abc"), "memoryview"),
        (MyStr("text"), "MyStr"),
        (MyInt(3), "MyInt"),
        (MyFloat(1.5), "MyFloat"),
        (MyList([1]), "MyList"),
        (MyDict(a=1), "MyDict"),
        (complex(1, 2), "complex"),
        (timedelta(seconds=1), "timedelta"),
        ([1, [2, object()]], "object"),
        ({"a": (1, {2, _function})}, "function"),
        ({MyStr("member")}, "MyStr"),
        (range(3), "range"),
        (iter([1]), "list_iterator"),
    ],
    ids=lambda item: item if isinstance(item, str) else None,
)
def test_unsupported_values_raise_type_error_naming_the_type(value, type_name):
    with pytest.raises(TypeError) as info:
        codec.encode(value)
    assert type_name in str(info.value)


def test_self_reference_is_reported_as_such():
    with pytest.raises(TypeError, match="contains itself"):
        codec.encode(_self_referencing_list())


def test_dict_with_int_key_names_the_key():
    with pytest.raises(TypeError, match="dict keys must be str, got int"):
        codec.encode({"outer": {7: "x"}})


def test_too_deep_nesting_raises_type_error():
    value: list = []
    for _ in range(100000):
        value = [value]
    with pytest.raises(TypeError, match="nested too deeply"):
        codec.encode(value)


# --------------------------------------------------------- decode errors


@pytest.mark.parametrize(
    "data",
    [
        {"$unknown": 1},
        {"$": 1},
        {"$tuple": 1},
        {"$tuple": "ab"},
        {"$tuple": {"a": 1}},
        {"$set": 1},
        {"$set": [[1]]},
        {"$set": [{"a": 1}]},
        {"$frozenset": [[1, 2]]},
        {"$frozenset": "x"},
        {"$dict": [1]},
        {"$dict": "x"},
        {"$bytes": 5},
        {"$bytes": ["AA=="]},
        {"$bytes": "AAA"},
        {"$bytes": "é"},
        {"$int": 5},
        {"$int": ""},
        {"$int": "-"},
        {"$int": "0x1f"},
        {"$int": "FF"},
        {"$int": " 1f"},
        {"$int": "1_0"},
        {"$int": "12g"},
        {"$float": "NaN"},
        {"$float": "1.5"},
        {"$float": 1.5},
        {"$float": None},
        {"$date": 20240501},
        {"$date": "2024-5-01"},
        {"$date": "2024-13-01"},
        {"$date": "2024-02-30"},
        {"$date": "2024/05/01"},
        {"$date": "+024-05-01"},
        {"$datetime": "2024-05-01"},
        {"$datetime": "2024-05-01T08:30:00"},
        {"$datetime": "2024-05-01 08:30:00.000000"},
        {"$datetime": "2024-05-01T08:30:00,000000"},
        {"$datetime": "2024-05-01T25:30:00.000000"},
        {"$datetime": "2024-05-01T08:30:00.00000x"},
        {"$datetime": "2024-05-01T08:30:00.000000Z"},
        {"$datetime": "2024-05-01T08:30:00.000000+2:00"},
        {"$datetime": "2024-05-01T08:30:00.000000+24:00"},
        {"$datetime": "2024-05-01T08:30:00.000000+02:00:00.5"},
        {"$datetime": "2024-05-01T08:30:00.000000+02"},
        {"$datetime": 1714552200},
        [1, {"$tuple": None}],
        {"a": {"$nope": []}},
        {"$tuple": [{"$set": "x"}]},
    ],
    ids=lambda data: json.dumps(data),
)
def test_decode_rejects_malformed_tags(data):
    with pytest.raises(ValueError):
        codec.decode(data)


def test_decode_rejects_values_json_never_holds():
    for data in (object(), (1, 2), {1, 2}, b"x"):
        with pytest.raises(ValueError):
            codec.decode(data)


def test_decode_text_rejects_invalid_json():
    for text in ("", "{", "[1,", "undefined", "{'a': 1}"):
        with pytest.raises(ValueError):
            codec.decode_text(text)


def test_decode_builds_only_documented_types():
    data = json.loads(
        '{"a":[1,2.5,"s",null,true,{"$tuple":[{"$bytes":"AA=="}]}],'
        '"b":{"$set":[{"$frozenset":[1]},{"$date":"2024-05-01"}]}}'
    )
    allowed = (
        type(None),
        bool,
        int,
        float,
        str,
        list,
        tuple,
        dict,
        set,
        frozenset,
        bytes,
        date,
        datetime,
    )

    def walk(value):
        assert type(value) in allowed
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)

    walk(codec.decode(data))


# ------------------------------------------------------- property tests

_offsets = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
    max_value=timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
)
_timezones = st.none() | st.just(UTC) | _offsets.map(timezone)

hashable_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary()
    | st.dates()
    | st.datetimes(timezones=_timezones)
)

hashables = st.recursive(
    hashable_scalars,
    lambda children: (
        st.lists(children, max_size=4).map(tuple) | st.frozensets(children, max_size=4)
    ),
    max_leaves=8,
)

values = st.recursive(
    hashable_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(children, max_size=5).map(tuple)
        | st.dictionaries(st.text(max_size=6), children, max_size=5)
        | st.sets(hashables, max_size=5)
        | st.frozensets(hashables, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(value=values)
def test_property_any_supported_value_round_trips(value, assert_same):
    assert_same(value, round_trip(value))


@settings(max_examples=60, deadline=None)
@given(value=values)
def test_property_encoding_is_stable(value):
    """Decoding and encoding again gives the same text."""
    text = codec.encode(value)[0]
    assert codec.encode(codec.decode(json.loads(text)))[0] == text


def _distinct(members):
    """Drop members equal to an earlier one (1 == 1.0 == True), so that any
    insertion order builds a set of the very same member objects."""
    kept = []
    for member in members:
        if not any(member == other for other in kept):
            kept.append(member)
    return kept


@settings(max_examples=100, deadline=None)
@given(st.lists(hashables, max_size=8), st.randoms(use_true_random=False))
def test_property_equal_sets_encode_to_equal_text(members, rnd):
    members = _distinct(members)
    shuffled = members[:]
    rnd.shuffle(shuffled)
    first, second = set(members), set(shuffled)
    assert first == second or any(
        isinstance(m, float) and math.isnan(m) for m in members
    )
    assert codec.encode(first)[0] == codec.encode(second)[0]
    assert codec.encode(frozenset(members))[0] == codec.encode(frozenset(shuffled))[0]
    # Nested in other containers too.
    assert codec.encode({"s": [first]})[0] == codec.encode({"s": [second]})[0]


# ------------------------------------------------------------ copy modes


def test_copy_value_shares_nothing_mutable():
    value = {"a": [1, {"b": [2]}], "t": ([3],), "s": {1, 2}}
    _text, mode = codec.encode(value)
    copy = codec.copy_value(value, mode)
    assert copy == value
    copy["a"][1]["b"].append(99)
    copy["t"][0].append(99)
    copy["s"].add(99)
    assert value == {"a": [1, {"b": [2]}], "t": ([3],), "s": {1, 2}}


def test_immutable_values_need_no_copy():
    for value in (1, "s", None, (1, "a", (2,)), frozenset({1}), b"x", date(2024, 1, 1)):
        assert codec.encode(value)[1] == codec.COPY_NONE


def test_is_scalar():
    for value in (
        None,
        True,
        1,
        1.5,
        "s",
        b"b",
        date(2024, 1, 1),
        datetime(2024, 1, 1),
    ):
        assert codec.is_scalar(value)
    for value in ([], (), {}, set(), frozenset(), MyStr("x"), object()):
        assert not codec.is_scalar(value)

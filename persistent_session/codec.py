"""Encoding of session values as JSON text that keeps their Python types.

JSON has no tuple, set, bytes, date or non-finite float, and it cannot tell a
list from a tuple. Those values become one-key objects whose key is a tag:

    (1, 2)                  {"$tuple": [1, 2]}
    {1, 2}                  {"$set": [1, 2]}       (elements in a fixed order)
    frozenset({1})          {"$frozenset": [1]}
    b"\\x00"                 {"$bytes": "AA=="}     (base64)
    date(2024, 5, 1)        {"$date": "2024-05-01"}
    datetime(...)           {"$datetime": "2024-05-01T08:30:00.000250+02:00"}
    float("nan")            {"$float": "nan"}      ("inf" and "-inf" too)
    10**700                 {"$int": "1a2b..."}    (hex; ints of 2000 bits or more)
    {"$x": 1}               {"$dict": {"$x": 1}}   (a real dict that looks tagged)

Everything else is plain JSON: None, bool, int, finite float, str, list, and
dict with str keys. Ints too long for CPython's limit on int <-> decimal text
(`sys.set_int_max_str_digits`, 640 digits at its lowest) go in hex, which has
no such limit, so an int of any size round-trips. Decoding builds only these
types, whatever the text contains, and raises `ValueError` on anything it does
not recognise.

A value may nest at most `MAX_DEPTH` containers deep, on every interpreter, so
that what one interpreter writes every other one reads. Encoding, decoding and
copying walk values with an explicit stack instead of recursion, because
MicroPython under PyScript has room for only about 100 nested Python calls.

    text, copy_mode = encode(value)
    assert decode(json.loads(text)) == value
"""

import json
import math
from datetime import date, datetime, timedelta, timezone

from ._compat import (
    TYPE_CHECKING,
    b64decode,
    b64encode,
    json_dumps_compact,
    json_dumps_str,
    json_loads,
    with_cause,
)

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "COPY_DEEP",
    "COPY_NONE",
    "COPY_SHALLOW",
    "MAX_DEPTH",
    "copy_mode_for",
    "copy_value",
    "decode",
    "decode_text",
    "encode",
    "encode_scalar",
    "is_scalar",
]

# The copy that `get` makes of a stored value so that callers cannot change it:
# not at all (immutable), one level (a container of immutable items), or all
# the way down.
COPY_NONE = 0
COPY_SHALLOW = 1
COPY_DEEP = 2

_SCALAR_TYPES = (type(None), bool, int, float, str)
_EQUALS_TYPES = (type(None), bool, int, float, str, bytes, date, datetime)

_TAG_DECODERS: "dict[str, Any]" = {}

# The maximum number of containers a value may nest, itself included. Encoding
# a deeper value raises TypeError, and decoding one raises ValueError. A tagged
# container adds a level of JSON, so stored JSON nests at most about
# 2 * MAX_DEPTH + 1 deep. That is far inside what json.dumps and json.loads
# handle on CPython (the 1000-call recursion limit), on Pyodide 314.0.8, whose
# json.loads crashed the page at 5535 levels (3953 worked), and on MicroPython
# 1.27, whose json.dumps raised at 2016 levels (1440 worked), both measured in
# Chromium.
MAX_DEPTH = 200

_CONTAINER_TYPES = (list, tuple, dict, set, frozenset)

# Ints at least this large in magnitude are written in hex under "$int":
# 2**2000 has 603 decimal digits, below the lowest limit CPython can be set to.
_BIG_INT = 1 << 2000
_HEX_DIGITS = "0123456789abcdef"


def _is_big_int(value: int) -> bool:
    return not -_BIG_INT < value < _BIG_INT


def is_scalar(value: "Any") -> bool:
    """Return True for values that `equals` compares: immutable single values."""
    return type(value) in _EQUALS_TYPES


def _encode_leaf(value: "Any", kind: type) -> "Any":
    """Return the JSON-ready form of `value`, which is not a container."""
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if _is_big_int(value):
            return {"$int": "%x" % value}
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"$float": "nan" if math.isnan(value) else str(value)}
    if kind is bytes:
        return {"$bytes": b64encode(value)}
    if kind is datetime:
        return {"$datetime": _format_datetime(value)}
    if kind is date:
        return {"$date": _format_date(value)}
    raise TypeError("unsupported value type " + _type_name(value))


class _EncodeFrame:
    """A container being encoded: its items still to visit and the JSON so far."""

    def __init__(self, container: "Any", kind: type) -> None:
        self.container = container
        self.kind = kind
        self.immutable = True
        self.key = ""
        self.items: "Any"
        self.output: "Any"
        if kind is dict:
            self.items = iter(container.items())
            self.output = {}
        else:
            self.items = iter(container)
            self.output = []

    def add(self, item_json: "Any", item_immutable: bool) -> None:
        if self.kind is dict:
            self.output[self.key] = item_json
        else:
            self.output.append(item_json)
        if not item_immutable:
            self.immutable = False

    def finish(self) -> "tuple[Any, bool]":
        """Return the container's JSON-ready form and whether it is immutable."""
        kind = self.kind
        output = self.output
        if kind is list:
            return output, False
        if kind is dict:
            if len(output) == 1:
                for only_key in output:
                    if only_key.startswith("$"):
                        return {"$dict": output}, False
            return output, False
        if kind is tuple:
            return {"$tuple": output}, self.immutable
        # Sets have no order, so sorting by encoded text gives equal sets equal
        # text on one interpreter.
        pairs = [(_dumps(member_json), member_json) for member_json in output]
        pairs.sort(key=_first)
        members = [member_json for _text, member_json in pairs]
        if kind is set:
            return {"$set": members}, False
        return {"$frozenset": members}, True


def _convert(value: "Any") -> "tuple[Any, bool]":
    """Return the JSON-ready form of `value` and whether it is immutable.

    Raise TypeError for an unsupported type anywhere in `value`, a container
    that contains itself, or nesting deeper than MAX_DEPTH.
    """
    kind = type(value)
    if kind not in _CONTAINER_TYPES:
        return _encode_leaf(value, kind), True

    # The containers on the path from `value` to the item being visited. Each
    # pass of the outer loop visits items of the innermost one until it meets
    # a container, which it enters, or runs out, and then it leaves.
    stack = [_EncodeFrame(value, kind)]
    open_ids = {id(value)}
    while True:
        frame = stack[-1]
        child = None
        if frame.kind is dict:
            output = frame.output
            for key, item in frame.items:
                if type(key) is not str:
                    raise TypeError(
                        "unsupported value: dict keys must be str, got "
                        + _type_name(key)
                        + " key "
                        + _short_repr(key)
                    )
                item_kind = type(item)
                if item_kind in _CONTAINER_TYPES:
                    frame.key = key
                    child = item
                    break
                output[key] = _encode_leaf(item, item_kind)
        else:
            append = frame.output.append
            for item in frame.items:
                item_kind = type(item)
                if item_kind in _CONTAINER_TYPES:
                    child = item
                    break
                append(_encode_leaf(item, item_kind))

        if child is not None:
            if id(child) in open_ids:
                raise TypeError(
                    "unsupported value: a "
                    + _type_name(child)
                    + " that contains itself"
                )
            if len(stack) >= MAX_DEPTH:
                raise TypeError(
                    "unsupported value: a %s nested too deeply (more than %d "
                    "levels of containers)" % (_type_name(value), MAX_DEPTH)
                )
            open_ids.add(id(child))
            stack.append(_EncodeFrame(child, type(child)))
            continue

        stack.pop()
        open_ids.discard(id(frame.container))
        item_json, item_immutable = frame.finish()
        if not stack:
            return item_json, item_immutable
        stack[-1].add(item_json, item_immutable)


def _first(pair: "tuple[str, Any]") -> str:
    return pair[0]


def _dumps(value: "Any") -> str:
    return json_dumps_compact(value)


def _type_name(value: "Any") -> str:
    return type(value).__name__


def _short_repr(value: "Any") -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def encode(value: "Any") -> "tuple[str, int]":
    """Encode `value` as JSON text; return the text and how `get` must copy it.

    Raise TypeError naming the type when `value`, or anything inside it, is
    not a supported type, or when a container contains itself.
    """
    # Scalars skip _dumps, whose separators change only containers: the calls
    # below give the same text at a fraction of its cost per call.
    kind = type(value)
    if kind is str:
        return json_dumps_str(value), COPY_NONE
    if kind is int and not _is_big_int(value):
        # JSON writes an int as its decimal text on every interpreter.
        return str(value), COPY_NONE
    if kind is bool or value is None:
        return json.dumps(value), COPY_NONE

    converted, immutable = _convert(value)
    text = _dumps(converted)
    if immutable:
        return text, COPY_NONE
    return text, _copy_mode_of(value)


def encode_scalar(value: "Any") -> str:
    """Encode a value that `is_scalar` accepts; used for `equals` comparisons."""
    return encode(value)[0]


def _copy_mode_of(value: "Any") -> int:
    kind = type(value)
    if kind is list or kind is set:
        items = value
    elif kind is dict:
        items = value.values()
    else:
        return COPY_DEEP
    for item in items:
        if type(item) not in _SCALAR_TYPES:
            return COPY_DEEP
    return COPY_SHALLOW


def copy_value(value: "Any", mode: int) -> "Any":
    """Return a copy of `value` that shares nothing mutable with it."""
    if mode == COPY_NONE:
        return value
    if mode == COPY_SHALLOW:
        return type(value)(value)
    return _deep_copy(value)


class _BuildFrame:
    """A container being built from another: items still to visit, and output.

    `kind` is the type to build: list, tuple, dict, set or frozenset. Items
    are collected in a list (in a dict for dict) and converted at the end.
    """

    def __init__(self, kind: type, items: "Any") -> None:
        self.kind = kind
        self.items = items
        self.key = ""
        self.output: "Any" = {} if kind is dict else []

    def add(self, item: "Any") -> None:
        if self.kind is dict:
            self.output[self.key] = item
        else:
            self.output.append(item)

    def finish(self) -> "Any":
        kind = self.kind
        if kind is list or kind is dict:
            return self.output
        return kind(self.output)


def _deep_copy(value: "Any") -> "Any":
    kind = type(value)
    if kind is set:
        # Set members are hashable, and every hashable supported value is
        # immutable, so the members themselves can be shared.
        return set(value)
    if kind is not list and kind is not dict and kind is not tuple:
        return value

    # Values reach here through encode or decode, so they nest at most
    # MAX_DEPTH deep and contain no cycles. The walk is the one of `decode`.
    stack = [_BuildFrame(kind, iter(value.items() if kind is dict else value))]
    while True:
        frame = stack[-1]
        child = None
        if frame.kind is dict:
            output = frame.output
            for key, item in frame.items:
                item_kind = type(item)
                if item_kind is list or item_kind is dict or item_kind is tuple:
                    frame.key = key
                    child = item
                    break
                output[key] = set(item) if item_kind is set else item
        else:
            append = frame.output.append
            for item in frame.items:
                item_kind = type(item)
                if item_kind is list or item_kind is dict or item_kind is tuple:
                    child = item
                    break
                append(set(item) if item_kind is set else item)

        if child is not None:
            child_kind = type(child)
            items = child.items() if child_kind is dict else child
            stack.append(_BuildFrame(child_kind, iter(items)))
            continue

        stack.pop()
        copied = frame.finish()
        if not stack:
            return copied
        stack[-1].add(copied)


def decode_text(text: str) -> "tuple[Any, int]":
    """Decode JSON `text` made by `encode`; return the value and its copy mode."""
    try:
        data = json_loads(text)
    except ValueError as exc:
        raise with_cause(ValueError("invalid JSON"), exc)  # noqa: B904
    value = decode(data)
    return value, copy_mode_for(value)


def copy_mode_for(value: "Any") -> int:
    kind = type(value)
    if kind in _SCALAR_TYPES or kind is bytes or kind is date or kind is datetime:
        return COPY_NONE
    if kind is frozenset:
        return COPY_NONE
    if kind is tuple:
        return COPY_NONE if _is_immutable(value) else COPY_DEEP
    return _copy_mode_of(value)


def _is_immutable(value: "Any") -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is list or kind is dict or kind is set:
            return False
        if kind is tuple:
            pending.extend(item)
    return True


def decode(data: "Any") -> "Any":
    """Build the session value that `data` (parsed JSON) describes.

    Raise ValueError when `data` is not something `encode` makes, which
    includes nesting deeper than MAX_DEPTH.
    """
    node = _decode_node(data)
    if type(node) is not _BuildFrame:
        return node

    # The containers on the path from `data` to the item being decoded,
    # visited as in `_convert`.
    stack = [node]
    while True:
        frame = stack[-1]
        child = None
        if frame.kind is dict:
            output = frame.output
            for key, item in frame.items:
                if type(key) is not str:
                    # MicroPython's json.loads accepts {1: 2}.
                    raise ValueError("unexpected JSON object key " + _short_repr(key))
                kind = type(item)
                if kind is str or kind is int or kind is float or kind is bool:
                    output[key] = item
                    continue
                node = _decode_node(item)
                if type(node) is _BuildFrame:
                    frame.key = key
                    child = node
                    break
                output[key] = node
        else:
            append = frame.output.append
            for item in frame.items:
                kind = type(item)
                if kind is str or kind is int or kind is float or kind is bool:
                    append(item)
                    continue
                node = _decode_node(item)
                if type(node) is _BuildFrame:
                    child = node
                    break
                append(node)

        if child is not None:
            if len(stack) >= MAX_DEPTH:
                raise ValueError(
                    "nested too deeply (more than %d levels of containers)" % MAX_DEPTH
                )
            stack.append(child)
            continue

        stack.pop()
        value = _finish_decoded(frame)
        if not stack:
            return value
        stack[-1].add(value)


def _decode_node(data: "Any") -> "Any":
    """Return the value `data` describes, or a _BuildFrame for a container."""
    kind = type(data)
    if kind is str or kind is int or kind is bool or kind is float or data is None:
        return data
    if kind is list:
        return _BuildFrame(list, iter(data))
    if kind is dict:
        if len(data) == 1:
            for tag in data:
                if type(tag) is str and tag.startswith("$"):
                    return _decode_tagged(tag, data[tag])
        return _BuildFrame(dict, iter(data.items()))
    raise ValueError("unexpected JSON value of type " + _type_name(data))


def _finish_decoded(frame: _BuildFrame) -> "Any":
    kind = frame.kind
    if kind is set or kind is frozenset:
        tag = "$set" if kind is set else "$frozenset"
        for member in frame.output:
            try:
                hash(member)
            except TypeError as exc:
                kind_name = _type_name(member)
                message = "the " + tag + " tag contains an unhashable " + kind_name
                raise with_cause(ValueError(message), exc)  # noqa: B904
    return frame.finish()


def _decode_tagged(tag: str, payload: "Any") -> "Any":
    if tag == "$tuple" or tag == "$set" or tag == "$frozenset":
        _require(payload, list, tag)
        kind: type = frozenset
        if tag == "$tuple":
            kind = tuple
        elif tag == "$set":
            kind = set
        return _BuildFrame(kind, iter(payload))
    if tag == "$dict":
        _require(payload, dict, tag)
        return _BuildFrame(dict, iter(payload.items()))
    decoder = _TAG_DECODERS.get(tag)
    if decoder is None:
        raise ValueError("unknown type tag " + repr(tag))
    return decoder(payload)


def _require(payload: "Any", kind: type, tag: str) -> None:
    if type(payload) is not kind:
        raise ValueError("the " + tag + " tag requires a " + kind.__name__ + " payload")


def _decode_bytes(payload: "Any") -> bytes:
    _require(payload, str, "$bytes")
    return b64decode(payload)


def _decode_int(payload: "Any") -> int:
    _require(payload, str, "$int")
    digits = payload[1:] if payload[:1] == "-" else payload
    if not digits:
        raise ValueError("the $int tag requires hex digits")
    for character in digits:
        if character not in _HEX_DIGITS:
            raise ValueError("the $int tag requires lowercase hex digits")
    return int(payload, 16)


def _decode_float(payload: "Any") -> float:
    if payload == "nan":
        return math.nan
    if payload == "inf":
        return math.inf
    if payload == "-inf":
        return -math.inf
    raise ValueError("the $float tag requires 'nan', 'inf' or '-inf'")


def _decode_date(payload: "Any") -> date:
    _require(payload, str, "$date")
    return _parse_date(payload)


def _decode_datetime(payload: "Any") -> datetime:
    _require(payload, str, "$datetime")
    return _parse_datetime(payload)


# The tags of values that contain no other value. The containers ($tuple,
# $set, $frozenset, $dict) are decoded by `decode` itself, without recursion.
_TAG_DECODERS.update(
    {
        "$bytes": _decode_bytes,
        "$int": _decode_int,
        "$float": _decode_float,
        "$date": _decode_date,
        "$datetime": _decode_datetime,
    }
)


# Dates and times use a fixed ISO 8601 layout written and parsed here, so that
# every interpreter produces and accepts exactly the same text.


def _format_date(value: date) -> str:
    return "%04d-%02d-%02d" % (value.year, value.month, value.day)


def _format_datetime(value: datetime) -> str:
    text = "%04d-%02d-%02dT%02d:%02d:%02d.%06d" % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )
    offset = value.utcoffset()
    if offset is None:
        return text
    return text + _format_offset(offset)


def _format_offset(offset: timedelta) -> str:
    total_us = (offset.days * 86400 + offset.seconds) * 1000000 + offset.microseconds
    sign = "+"
    if total_us < 0:
        sign = "-"
        total_us = -total_us
    seconds, microseconds = divmod(total_us, 1000000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "%s%02d:%02d" % (sign, hours, minutes)
    if seconds or microseconds:
        text += ":%02d" % seconds
    if microseconds:
        text += ".%06d" % microseconds
    return text


def _parse_int(text: str, what: str) -> int:
    # Only ASCII digits: CPython's isdigit() and int() also accept other
    # scripts' digits ("٢٠٢٤"), which MicroPython rejects.
    if not text:
        raise ValueError("invalid " + what + " " + repr(text))
    for character in text:
        if character not in "0123456789":
            raise ValueError("invalid " + what + " " + repr(text))
    return int(text)


def _parse_date(text: str) -> date:
    parts = text.split("-")
    if len(text) != 10 or len(parts) != 3:
        raise ValueError("invalid date " + repr(text))
    return date(
        _parse_int(parts[0], "year"),
        _parse_int(parts[1], "month"),
        _parse_int(parts[2], "day"),
    )


def _parse_datetime(text: str) -> datetime:
    # Layout: YYYY-MM-DDTHH:MM:SS.ffffff, then an optional +HH:MM[:SS[.ffffff]].
    if len(text) < 26 or text[10] != "T" or text[19] != ".":
        raise ValueError("invalid datetime " + repr(text))
    day = _parse_date(text[:10])
    clock = text[11:19].split(":")
    if len(clock) != 3:
        raise ValueError("invalid datetime " + repr(text))
    hour = _parse_int(clock[0], "hour")
    minute = _parse_int(clock[1], "minute")
    second = _parse_int(clock[2], "second")
    microsecond = _parse_int(text[20:26], "microsecond")
    tzinfo = None
    if len(text) > 26:
        tzinfo = timezone(_parse_offset(text[26:]))
    return datetime(
        day.year, day.month, day.day, hour, minute, second, microsecond, tzinfo
    )


def _parse_offset(text: str) -> timedelta:
    if text[:1] not in ("+", "-") or len(text) < 6:
        raise ValueError("invalid UTC offset " + repr(text))
    sign = -1 if text[0] == "-" else 1
    fraction = 0
    body = text[1:]
    if "." in body:
        body, fraction_text = body.split(".")
        if len(fraction_text) != 6:
            raise ValueError("invalid UTC offset " + repr(text))
        fraction = _parse_int(fraction_text, "UTC offset")
    fields = body.split(":")
    if len(fields) not in (2, 3) or any(len(field) != 2 for field in fields):
        raise ValueError("invalid UTC offset " + repr(text))
    hours = _parse_int(fields[0], "UTC offset")
    minutes = _parse_int(fields[1], "UTC offset")
    seconds = _parse_int(fields[2], "UTC offset") if len(fields) == 3 else 0
    offset = timedelta(
        hours=hours, minutes=minutes, seconds=seconds, microseconds=fraction
    )
    if offset >= timedelta(hours=24):
        raise ValueError("invalid UTC offset " + repr(text))
    return -offset if sign < 0 else offset

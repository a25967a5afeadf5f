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

    text, copy_mode = encode(value)
    assert decode(json.loads(text)) == value
"""

import json
import math
from datetime import date, datetime, timedelta, timezone

from ._compat import TYPE_CHECKING, RecursionLimitError, b64decode, b64encode

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "COPY_DEEP",
    "COPY_NONE",
    "COPY_SHALLOW",
    "copy_mode_for",
    "copy_value",
    "decode",
    "decode_text",
    "encode",
    "encode_scalar",
    "is_scalar",
]

# How `get` must copy a stored value so that callers cannot change it:
# not at all (immutable), one level (a container of immutable items), or all
# the way down.
COPY_NONE = 0
COPY_SHALLOW = 1
COPY_DEEP = 2

_SCALAR_TYPES = (type(None), bool, int, float, str)
_EQUALS_TYPES = (type(None), bool, int, float, str, bytes, date, datetime)

_TAG_DECODERS: "dict[str, Any]" = {}

# Ints at least this large in magnitude are written in hex under "$int":
# 2**2000 has 603 decimal digits, below the lowest limit CPython can be set to.
_BIG_INT = 1 << 2000
_HEX_DIGITS = "0123456789abcdef"


def _is_big_int(value: int) -> bool:
    return not -_BIG_INT < value < _BIG_INT


def is_scalar(value: "Any") -> bool:
    """Return True for values that `equals` compares: immutable single values."""
    return type(value) in _EQUALS_TYPES


class _Encoder:
    """One encoding pass; it tracks the containers open on the current path."""

    def __init__(self) -> None:
        self.open_ids: "set[int]" = set()

    def convert(self, value: "Any") -> "tuple[Any, bool]":
        """Return the JSON-ready form of `value` and whether it is immutable."""
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return value, True
        if kind is int:
            if _is_big_int(value):
                return {"$int": "%x" % value}, True
            return value, True
        if kind is float:
            if math.isfinite(value):
                return value, True
            return {"$float": "nan" if math.isnan(value) else str(value)}, True
        if kind is list:
            return self._convert_sequence(value)[0], False
        if kind is dict:
            return self._convert_dict(value), False
        if kind is tuple:
            items, immutable = self._convert_sequence(value)
            return {"$tuple": items}, immutable
        if kind is set or kind is frozenset:
            items = self._convert_members(value)
            tag = "$set" if kind is set else "$frozenset"
            return {tag: items}, kind is frozenset
        if kind is bytes:
            return {"$bytes": b64encode(value)}, True
        if kind is datetime:
            return {"$datetime": _format_datetime(value)}, True
        if kind is date:
            return {"$date": _format_date(value)}, True
        raise TypeError("unsupported value type " + _type_name(value))

    def _enter(self, container: "Any") -> int:
        container_id = id(container)
        if container_id in self.open_ids:
            raise TypeError(
                "unsupported value: a "
                + _type_name(container)
                + " that contains itself"
            )
        self.open_ids.add(container_id)
        return container_id

    def _convert_sequence(self, items: "Any") -> "tuple[list[Any], bool]":
        container_id = self._enter(items)
        converted = []
        immutable = True
        for item in items:
            item_json, item_immutable = self.convert(item)
            converted.append(item_json)
            immutable = immutable and item_immutable
        self.open_ids.discard(container_id)
        return converted, immutable

    def _convert_members(self, members: "Any") -> "list[Any]":
        # Sets have no order; sorting by encoded text gives equal sets equal text.
        container_id = self._enter(members)
        pairs = []
        for member in members:
            member_json, _immutable = self.convert(member)
            pairs.append((_dumps(member_json), member_json))
        self.open_ids.discard(container_id)
        pairs.sort(key=_first)
        return [member_json for _text, member_json in pairs]

    def _convert_dict(self, mapping: "dict[Any, Any]") -> "dict[str, Any]":
        container_id = self._enter(mapping)
        converted = {}
        for key, item in mapping.items():
            if type(key) is not str:
                raise TypeError(
                    "unsupported value: dict keys must be str, got "
                    + _type_name(key)
                    + " key "
                    + _short_repr(key)
                )
            converted[key] = self.convert(item)[0]
        self.open_ids.discard(container_id)
        if len(converted) == 1:
            (only_key,) = converted
            if only_key.startswith("$"):
                return {"$dict": converted}
        return converted


def _first(pair: "tuple[str, Any]") -> str:
    return pair[0]


def _dumps(value: "Any") -> str:
    return json.dumps(value, separators=(",", ":"))


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
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return _dumps(value), COPY_NONE
    if kind is int and not _is_big_int(value):
        return _dumps(value), COPY_NONE

    try:
        converted, immutable = _Encoder().convert(value)
    except RecursionLimitError as exc:
        raise TypeError(
            "unsupported value: a " + _type_name(value) + " nested too deeply"
        ) from exc
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


def _deep_copy(value: "Any") -> "Any":
    kind = type(value)
    if kind is list:
        return [_deep_copy(item) for item in value]
    if kind is dict:
        return {key: _deep_copy(item) for key, item in value.items()}
    if kind is tuple:
        return tuple([_deep_copy(item) for item in value])
    if kind is set:
        # Set members are hashable, and every hashable supported value is
        # immutable, so the members themselves can be shared.
        return set(value)
    return value


def decode_text(text: str) -> "tuple[Any, int]":
    """Decode JSON `text` made by `encode`; return the value and its copy mode."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError("invalid JSON") from exc
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
    kind = type(value)
    if kind is list or kind is dict or kind is set:
        return False
    if kind is tuple:
        for item in value:
            if not _is_immutable(item):
                return False
    return True


def decode(data: "Any") -> "Any":
    """Build the session value that `data` (parsed JSON) describes.

    Raise ValueError when `data` is not something `encode` makes.
    """
    kind = type(data)
    if kind is str or kind is int or kind is bool or data is None:
        return data
    if kind is float:
        return data
    if kind is list:
        return [decode(item) for item in data]
    if kind is dict:
        if len(data) == 1:
            for tag in data:
                if tag.startswith("$"):
                    return _decode_tagged(tag, data[tag])
        return {key: decode(item) for key, item in data.items()}
    raise ValueError("unexpected JSON value of type " + _type_name(data))


def _decode_tagged(tag: str, payload: "Any") -> "Any":
    decoder = _TAG_DECODERS.get(tag)
    if decoder is None:
        raise ValueError("unknown type tag " + repr(tag))
    return decoder(payload)


def _require(payload: "Any", kind: type, tag: str) -> None:
    if type(payload) is not kind:
        raise ValueError("the " + tag + " tag requires a " + kind.__name__ + " payload")


def _decode_tuple(payload: "Any") -> tuple:
    _require(payload, list, "$tuple")
    return tuple([decode(item) for item in payload])


def _decode_members(payload: "Any", tag: str) -> "list[Any]":
    _require(payload, list, tag)
    members = [decode(item) for item in payload]
    for member in members:
        try:
            hash(member)
        except TypeError as exc:
            raise ValueError(
                "the " + tag + " tag holds an unhashable " + _type_name(member)
            ) from exc
    return members


def _decode_set(payload: "Any") -> set:
    return set(_decode_members(payload, "$set"))


def _decode_frozenset(payload: "Any") -> frozenset:
    return frozenset(_decode_members(payload, "$frozenset"))


def _decode_dict(payload: "Any") -> dict:
    _require(payload, dict, "$dict")
    return {key: decode(item) for key, item in payload.items()}


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


_TAG_DECODERS.update(
    {
        "$tuple": _decode_tuple,
        "$set": _decode_set,
        "$frozenset": _decode_frozenset,
        "$dict": _decode_dict,
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
    if not text.isdigit():
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

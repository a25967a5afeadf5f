"""Differences between CPython (and Pyodide) and MicroPython, kept in one place.

The rest of the package imports these names instead of probing the interpreter
itself. MicroPython lacks `typing`, `__future__` and `logging` in some builds,
has a smaller `binascii`, and raises `RuntimeError` where CPython raises
`RecursionError`. Annotations are never evaluated by MicroPython, so modules
annotate with builtin generics and quote names that only `typing` defines.
docs/micropython.md lists every difference and where it is handled.

    from persistent_session._compat import TYPE_CHECKING, get_logger

    log = get_logger(__name__)
"""

import binascii
import json
import sys

try:
    from typing import TYPE_CHECKING
except ImportError:  # MicroPython has no typing module.
    TYPE_CHECKING = False  # type: ignore[misc]

if TYPE_CHECKING:
    from typing import Any, TypeVar

    _Error = TypeVar("_Error", bound=BaseException)

IS_MICROPYTHON = sys.implementation.name == "micropython"

try:
    RecursionLimitError = RecursionError
except NameError:  # MicroPython raises RuntimeError on deep recursion.
    RecursionLimitError = RuntimeError  # type: ignore[assignment,misc]


def _patch_micropython_datetime() -> None:
    """Make micropython-lib's datetime compare and hash as CPython's does.

    In MicroPython 1.27, `datetime == other` raises AttributeError when
    `other` is not a datetime (a date, an int, None). A set that contains a
    datetime next to other values then fails to build whenever two members
    land in the same slot. Two equal aware datetimes (one instant at two UTC
    offsets) also hash differently there. This makes `==` return False for
    other types and hashes an aware datetime by its UTC time, as CPython does.
    """
    from datetime import datetime

    equals = datetime.__eq__
    hash_of = datetime.__hash__

    def equal(self: datetime, other: object) -> bool:
        return isinstance(other, datetime) and equals(self, other)

    def hash_by_utc(self: datetime) -> int:
        offset = self.utcoffset()
        if offset is None:
            return hash_of(self)
        return hash_of(self.replace(tzinfo=None) - offset)

    datetime.__eq__ = equal  # type: ignore[method-assign]
    datetime.__hash__ = hash_by_utc  # type: ignore[method-assign]


if IS_MICROPYTHON:
    _patch_micropython_datetime()


_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# The 6-bit value of each byte in base64 text. The value 64 marks a byte
# outside the alphabet, "=" included.
_BASE64_VALUES = bytearray([64] * 256)
for _index in range(64):
    _BASE64_VALUES[_BASE64_ALPHABET[_index]] = _index


def _b2a_base64(data: bytes) -> str:
    """Encode `data` as padded standard base64, in plain Python."""
    alphabet = _BASE64_ALPHABET
    output = bytearray()
    append = output.append
    whole = len(data) - len(data) % 3
    for start in range(0, whole, 3):
        group = (data[start] << 16) | (data[start + 1] << 8) | data[start + 2]
        append(alphabet[group >> 18])
        append(alphabet[(group >> 12) & 63])
        append(alphabet[(group >> 6) & 63])
        append(alphabet[group & 63])
    rest = len(data) - whole
    if rest:
        group = data[whole] << 16
        if rest == 2:
            group |= data[whole + 1] << 8
        append(alphabet[group >> 18])
        append(alphabet[(group >> 12) & 63])
        append(alphabet[(group >> 6) & 63] if rest == 2 else 61)  # 61 is "="
        append(61)
    return bytes(output).decode("ascii")


def _a2b_base64(text: str) -> bytes:
    """Decode padded standard base64 `text`, in plain Python.

    Raise ValueError on a length that is not a multiple of 4 or a character
    outside the alphabet. Nonzero bits after the last byte are ignored here
    and rejected by `b64decode`.
    """
    raw = text.encode("utf-8")
    if len(raw) % 4:
        raise ValueError("base64 text length is not a multiple of 4")
    padding = 0
    if raw[-2:] == b"==":
        padding = 2
    elif raw[-1:] == b"=":
        padding = 1
    body = raw[: len(raw) - padding] + b"A" * padding
    values = _BASE64_VALUES
    output = bytearray()
    append = output.append
    for start in range(0, len(body), 4):
        first = values[body[start]]
        second = values[body[start + 1]]
        third = values[body[start + 2]]
        fourth = values[body[start + 3]]
        if first | second | third | fourth > 63:
            raise ValueError("base64 text contains a character outside the alphabet")
        group = (first << 18) | (second << 12) | (third << 6) | fourth
        append(group >> 16)
        append((group >> 8) & 255)
        append(group & 255)
    return bytes(output[: len(output) - padding])


def b64encode(data: bytes) -> str:
    """Encode `data` as standard base64 text without a trailing newline."""
    if IS_MICROPYTHON:
        return _b2a_base64(data)
    return binascii.b2a_base64(data).decode("ascii").rstrip("\n")


def b64decode(text: str) -> bytes:
    """Decode base64 `text` exactly as `b64encode` writes it.

    Raise ValueError for anything else: wrong padding, characters outside the
    alphabet, whitespace, or nonzero bits after the last byte. CPython's
    binascii decodes leniently, so the check that encoding the result gives
    `text` back makes every interpreter accept the same texts.

    MicroPython 1.27 under PyScript has only micropython-lib's binascii,
    written in Python. It took 6 s and hundreds of megabytes to encode 16 KB
    and raised MemoryError at 64 KB (measured in Chromium), so MicroPython
    uses the linear encoder and decoder above.
    """
    try:
        if IS_MICROPYTHON:
            data = _a2b_base64(text)
        else:
            data = binascii.a2b_base64(text.encode("ascii"))
    except ValueError as exc:
        # binascii.Error and UnicodeEncodeError are ValueErrors.
        raise with_cause(ValueError("invalid base64 text"), exc)  # noqa: B904
    if b64encode(data) != text:
        raise ValueError("invalid base64 text: not in the form b64encode writes")
    return data


def with_cause(error: "_Error", cause: "BaseException | None") -> "_Error":
    """Return `error` with `cause` as its cause, for `raise with_cause(e, c)`.

    This does what `raise e from c` does (`c` None hides the exception being
    handled), but MicroPython 1.27 prints "exception chaining not supported"
    to the browser console each time it runs `raise ... from ...`, so the
    package never uses that statement. MicroPython records no cause. Ruff's
    B904 cannot see this, hence the `noqa: B904` where it is used.
    """
    if not IS_MICROPYTHON:
        error.__cause__ = cause
    return error


def log_traceback(
    logger: "Any", exc: BaseException, message: str, *args: object
) -> None:
    """Log `message` with the traceback of `exc` at DEBUG level.

    micropython-lib's logging has no `exc_info` argument (passing one raises
    TypeError), so on MicroPython the traceback goes to standard error through
    `sys.print_exception`, and only when the logger is enabled for DEBUG.
    """
    if not IS_MICROPYTHON:
        logger.debug(message, *args, exc_info=exc)
        return
    is_enabled_for = getattr(logger, "isEnabledFor", None)
    if is_enabled_for is not None and is_enabled_for(10):  # logging.DEBUG
        logger.debug(message, *args)
        sys.print_exception(exc, sys.stderr)  # type: ignore[attr-defined]


def json_loads(text: str) -> "Any":
    """Parse JSON `text` into the same value on every interpreter.

    MicroPython's json.loads turns an escaped surrogate pair such as
    `"\\ud834\\udd1e"`, the way CPython's json.dumps writes a character
    beyond U+FFFF, into two separate surrogate code points instead of the one
    character. Here such pairs become the character itself before parsing.
    Other differences of MicroPython's parser stay: it also accepts some
    text that is not JSON, such as `[1,]`.
    """
    if IS_MICROPYTHON and ("\\ud" in text or "\\uD" in text):
        text = _join_escaped_surrogates(text)
    try:
        return json.loads(text)
    except RecursionLimitError as exc:
        # Only a hand-edited entry nests this deeply; callers treat it like
        # any other text that is not valid JSON.
        raise with_cause(ValueError("the JSON text is nested too deeply"), exc)  # noqa: B904


try:
    # CPython's C function behind json.dumps for a str, without the call
    # overhead of json.dumps.
    json_dumps_str = json.encoder.encode_basestring_ascii
except AttributeError:  # MicroPython's json has no encoder module.
    json_dumps_str = json.dumps

try:
    # json.dumps builds a new encoder on every call that passes an option, so
    # one encoder made here serves every call; its output is the same.
    json_dumps_compact = json.JSONEncoder(separators=(",", ":")).encode
except AttributeError:  # MicroPython's json has no JSONEncoder.

    def json_dumps_compact(value: "Any") -> str:  # type: ignore[misc]
        """Return `value` as JSON text with no space after `,` and `:`."""
        return json.dumps(value, separators=(",", ":"))


_HEX_DIGITS = "0123456789abcdefABCDEF"


def _escaped_code_unit(text: str, start: int) -> int:
    """Return the value of the 4 hex digits at `start`, or -1 when invalid."""
    digits = text[start : start + 4]
    if len(digits) != 4:
        return -1
    for digit in digits:
        if digit not in _HEX_DIGITS:
            return -1
    return int(digits, 16)


def _join_escaped_surrogates(text: str) -> str:
    """Replace each escaped surrogate pair in JSON `text` by its character."""
    parts = []
    start = 0
    index = text.find("\\")
    while index >= 0:
        # `index` is at a backslash that starts an escape: skip the escape,
        # so that an escaped backslash is never taken for the start of one.
        after = index + 2
        if text[index + 1 : index + 2] == "u":
            after = index + 6
            high = _escaped_code_unit(text, index + 2)
            if 0xD800 <= high <= 0xDBFF and text[index + 6 : index + 8] == "\\u":
                low = _escaped_code_unit(text, index + 8)
                if 0xDC00 <= low <= 0xDFFF:
                    parts.append(text[start:index])
                    parts.append(chr(0x10000 + ((high - 0xD800) << 10) + low - 0xDC00))
                    after = start = index + 12
        index = text.find("\\", after)
    parts.append(text[start:])
    return "".join(parts)


class _ConsoleLogger:
    """A stand-in for `logging.Logger` on interpreters without `logging`.

    It prints warnings and errors to standard error, which PyScript shows in the
    browser console.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def _emit(self, level: str, message: str, args: tuple) -> None:
        if args:
            message = message % args
        print(level + ":" + self.name + ":" + message, file=sys.stderr)

    def debug(self, message: str, *args: object) -> None:
        pass

    def info(self, message: str, *args: object) -> None:
        pass

    def warning(self, message: str, *args: object) -> None:
        self._emit("WARNING", message, args)

    def error(self, message: str, *args: object) -> None:
        self._emit("ERROR", message, args)

    def exception(self, message: str, *args: object) -> None:
        self._emit("ERROR", message, args)
        exc = sys.exc_info()[1] if hasattr(sys, "exc_info") else None
        if exc is not None:
            sys.print_exception(exc)  # type: ignore[attr-defined]


try:
    import logging

    def get_logger(name: str) -> "logging.Logger":
        """Return the `logging` logger called `name`."""
        return logging.getLogger(name)

except ImportError:  # Some MicroPython builds ship without logging.

    def get_logger(name: str) -> "logging.Logger":
        """Return a logger that prints warnings and errors to standard error."""
        return _ConsoleLogger(name)  # type: ignore[return-value]

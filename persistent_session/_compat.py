"""Differences between CPython (and Pyodide) and MicroPython, kept in one place.

The rest of the package imports these names instead of probing the interpreter
itself. MicroPython lacks `typing`, `__future__` and `logging` in some builds,
has a smaller `binascii`, and raises `RuntimeError` where CPython raises
`RecursionError`. Annotations are never evaluated by MicroPython, so modules
annotate with builtin generics and quote names that only `typing` defines.

    from persistent_session._compat import TYPE_CHECKING, get_logger

    log = get_logger(__name__)
"""

import binascii
import sys

try:
    from typing import TYPE_CHECKING
except ImportError:  # MicroPython has no typing module.
    TYPE_CHECKING = False  # type: ignore[misc]

IS_MICROPYTHON = sys.implementation.name == "micropython"

try:
    RecursionLimitError = RecursionError
except NameError:  # MicroPython raises RuntimeError on deep recursion.
    RecursionLimitError = RuntimeError  # type: ignore[assignment,misc]


def b64encode(data: bytes) -> str:
    """Encode `data` as standard base64 text without a trailing newline."""
    return binascii.b2a_base64(data).decode("ascii").rstrip("\n")


def b64decode(text: str) -> bytes:
    """Decode standard base64 `text`; raise ValueError when it is not base64."""
    try:
        return binascii.a2b_base64(text.encode("ascii"))
    except (binascii.Error, UnicodeError, TypeError) as exc:
        raise ValueError("invalid base64 text") from exc


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

"""The stored format: one Web Storage entry per key, and one for the user.

A key `k` of type persistent or authenticated is stored under the name
`"__ps:" + k`; its text is a JSON array whose first item is the format version:

    [1,"p",<value>]            persistent
    [1,"a",<value>,"<owner>"]  authenticated, owned by the user id <owner>
    [1,"t",<value>]            written and removed at once by make_temp, so
                               other tabs learn that the key became temporary

`<value>` is the JSON that `codec.encode` makes. The signed-in user id is
stored under `"__ps!user"` as a JSON string. docs/storage-format.md describes
the format in full.
"""

import json

from . import codec
from ._compat import TYPE_CHECKING, RecursionLimitError, json_loads, with_cause

if TYPE_CHECKING:
    from typing import Any

FORMAT_VERSION = 1
KEY_PREFIX = "__ps:"
USER_ENTRY = "__ps!user"
PROBE_ENTRY = "__ps!probe"

TEMPORARY = "temporary"
PERSISTENT = "persistent"
AUTHENTICATED = "authenticated"
KINDS = (TEMPORARY, PERSISTENT, AUTHENTICATED)

# The make_temp marker uses the temporary code; it never stays in storage.
_CODE_OF_KIND = {PERSISTENT: "p", AUTHENTICATED: "a", TEMPORARY: "t"}
_KIND_OF_CODE = {"p": PERSISTENT, "a": AUTHENTICATED, "t": TEMPORARY}

_PERSISTENT_HEAD = '[%d,"p",' % FORMAT_VERSION
_AUTHENTICATED_HEAD = '[%d,"a",' % FORMAT_VERSION
_TEMPORARY_HEAD = '[%d,"t",' % FORMAT_VERSION


class EntryError(ValueError):
    """A stored entry of ours that cannot be read; the message gives the reason."""


class StoredEntry:
    """An entry read back from storage: its type, value and owner."""

    def __init__(self, kind: str, value: "Any", copy_mode: int, owner: "str | None"):
        self.kind = kind
        self.value = value
        self.copy_mode = copy_mode
        self.owner = owner


def entry_name(key: str) -> str:
    """Return the storage name of session key `key`."""
    return KEY_PREFIX + key


def key_of(name: str) -> "str | None":
    """Return the session key stored under `name`, or None for other names."""
    if name.startswith(KEY_PREFIX):
        return name[len(KEY_PREFIX) :]
    return None


def format_entry(kind: str, encoded: str, owner: "str | None" = None) -> str:
    """Return the stored text for a value of `kind` already encoded as JSON."""
    if kind == PERSISTENT:
        return _PERSISTENT_HEAD + encoded + "]"
    if kind == AUTHENTICATED:
        if owner is None:
            raise ValueError("an authenticated entry needs an owner")
        return _AUTHENTICATED_HEAD + encoded + "," + json.dumps(owner) + "]"
    return _TEMPORARY_HEAD + encoded + "]"


def parse_entry_text(text: "Any") -> StoredEntry:
    """Parse the stored text of an entry; raise EntryError when it is unreadable."""
    if type(text) is not str:
        raise EntryError("the entry is not text")
    try:
        data = json_loads(text)
    except ValueError as exc:
        raise with_cause(EntryError("the entry is not valid JSON"), exc)  # noqa: B904
    except RecursionLimitError as exc:
        # CPython's json.loads raises RecursionError on deeply nested arrays.
        error = EntryError("the entry is nested too deeply")
        raise with_cause(error, exc)  # noqa: B904
    return parse_entry(data)


def parse_entry(data: "Any") -> StoredEntry:
    """Build a StoredEntry from parsed JSON; raise EntryError when it is invalid."""
    if type(data) is not list or len(data) < 3:
        raise EntryError("the entry is not a [version, type, value] array")
    version = data[0]
    if type(version) is not int:
        raise EntryError("the entry has no format version")
    if version > FORMAT_VERSION:
        raise EntryError(
            "the entry has format version %d, newer than this release reads (%d)"
            % (version, FORMAT_VERSION)
        )
    if version < 1:
        raise EntryError("the entry has an invalid format version %d" % version)

    kind = _KIND_OF_CODE.get(data[1]) if type(data[1]) is str else None
    if kind is None:
        raise EntryError("the entry has an unknown type code " + repr(data[1]))

    owner = None
    if kind == AUTHENTICATED:
        if len(data) != 4 or type(data[3]) is not str:
            raise EntryError("the authenticated entry has no owner")
        owner = data[3]
    elif len(data) != 3:
        raise EntryError("the entry has %d items, expected 3" % len(data))

    try:
        value = codec.decode(data[2])
    except ValueError as exc:
        error = EntryError("the value is invalid: " + str(exc))
        raise with_cause(error, exc)  # noqa: B904
    return StoredEntry(kind, value, codec.copy_mode_for(value), owner)


def format_user(user_id: str) -> str:
    """Return the stored text of the signed-in user id."""
    return json.dumps(user_id)


def parse_user(text: "Any") -> "str | None":
    """Return the user id stored in `text`, or None when it is missing or invalid."""
    if type(text) is not str:
        return None
    try:
        user_id = json_loads(text)
    except ValueError:
        return None
    return user_id if type(user_id) is str else None

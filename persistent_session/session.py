"""The reactive session: typed values in memory, mirrored to Web Storage.

A key is temporary (memory only), persistent (stored until cleared) or
authenticated (stored, owned by the signed-in user, and removed when that user
signs out). Reads are reactive: a computation that called `get`, `equals`,
`all` or `in` reruns when what it read changes.

The page uses the `Session` singleton that `start()` prepares. Tests, and pages
that want a second store, build one directly over any Web Storage object:

    session = PersistentSession(MemoryStorage(), default_method="persistent")
    session.set("theme", "dark")          # stored, survives a reload
    session.set_temp("menu_open", True)   # memory only
    session.get("theme")                  # "dark"

Every method also has its Meteor name (`setPersistent`, `setDefault`, ...).
"""

from . import codec, tracker
from ._compat import TYPE_CHECKING, get_logger, with_cause
from .entries import (
    AUTHENTICATED,
    FORMAT_VERSION,
    KEY_PREFIX,
    PERSISTENT,
    TEMPORARY,
    USER_ENTRY,
    EntryError,
    entry_name,
    format_entry,
    format_user,
    parse_entry,
    parse_entry_text,
    parse_user,
)
from .errors import QuotaExceededError, StorageError
from .storage import StorageArea

if TYPE_CHECKING:
    from typing import Any

log = get_logger(__name__)

__all__ = ["PersistentSession"]

_MISSING = object()

# The encoded form of a missing key: `get` returns None for it, so
# `equals(key, None)` is true and flips when the key is set.
_ENCODED_MISSING = "null"


class _Entry:
    """A key's value in memory, with its type and its encoded form.

    `encoded` is computed lazily for restored values. `copy_mode` tells `get`
    how to copy `value` so callers never share a mutable part of it.
    """

    def __init__(
        self, kind: str, value: "Any", encoded: "str | None", copy_mode: int
    ) -> None:
        self.kind = kind
        self.value = value
        self.encoded = encoded
        self.copy_mode = copy_mode


def _check_key(key: "Any", method: str) -> None:
    if not isinstance(key, str):
        raise TypeError(
            method
            + "() requires a str key, got "
            + type(key).__name__
            + " "
            + repr(key)
        )


def _encode_for(key: str, value: "Any") -> "tuple[str, int]":
    try:
        return codec.encode(value)
    except TypeError as exc:
        error = TypeError("Cannot set " + repr(key) + ": " + str(exc))
        raise with_cause(error, None)  # noqa: B904


def _is_unowned_auth(data: "Any", user_id: "str | None") -> bool:
    """Return True for an unreadable authenticated entry not owned by `user_id`.

    An entry without an owner, or owned by another user, is removed at start
    like a readable one. Only the current format version is recognised,
    because a newer one may lay out its items differently.
    """
    return (
        type(data) is list
        and len(data) > 1
        and type(data[0]) is int
        and data[0] == FORMAT_VERSION
        and data[1] == "a"
        and (user_id is None or len(data) < 4 or data[3] != user_id)
    )


def _is_quota_error(exc: BaseException) -> bool:
    text = type(exc).__name__ + " " + str(getattr(exc, "name", "")) + " " + str(exc)
    return "quota" in text.lower()


class PersistentSession:
    """A reactive key-value store whose values survive reloads by type.

    `storage` is any Web Storage object (or a `StorageArea`); without one the
    session waits for `attach`, which the page's `start()` calls, and every
    method raises RuntimeError until then. `default_method` is the type a plain
    `set` gives: "temporary", "persistent" or "authenticated".
    """

    def __init__(self, storage: "Any" = None, default_method: str = TEMPORARY) -> None:
        self._started = False
        self._area: "StorageArea | None" = None
        self._default_kind = TEMPORARY
        self._entries: "dict[str, _Entry]" = {}
        self._user_id: "str | None" = None

        # Stored entries that could not be read at start; each stays untouched
        # until its key is set or cleared.
        self._unreadable: "set[str]" = set()

        self._key_deps: "dict[str, tracker.Dependency]" = {}
        self._value_deps: "dict[str, dict[str, tracker.Dependency]]" = {}
        self._presence_deps: "dict[str, tracker.Dependency]" = {}
        self._kind_deps: "dict[str, tracker.Dependency]" = {}
        self._all_dep = tracker.Dependency()
        self._user_dep = tracker.Dependency()

        if storage is not None:
            self.attach(storage, default_method)

    # ----------------------------------------------------------------- start

    def attach(self, storage: "Any", default_method: str = TEMPORARY) -> None:
        """Start the session over `storage` and restore the values stored there.

        Authenticated values whose owner is not the stored signed-in user are
        removed before anything can read them. Unreadable entries are skipped
        with a warning naming the key and left in storage.
        """
        if self._started:
            raise RuntimeError("This session is already started")
        if default_method not in (TEMPORARY, PERSISTENT, AUTHENTICATED):
            raise ValueError(
                "default_method must be 'temporary', 'persistent' or "
                "'authenticated', got " + repr(default_method)
            )
        area = storage if isinstance(storage, StorageArea) else StorageArea(storage)
        self._area = area
        self._default_kind = default_method
        self._restore(area)
        self._started = True

    @property
    def started(self) -> bool:
        """True once the session has storage and its stored values."""
        return self._started

    @property
    def default_method(self) -> str:
        """The type that a plain `set` gives a new key."""
        return self._default_kind

    @property
    def storage_name(self) -> str:
        """The storage in use: "localStorage", "sessionStorage" or "memory"."""
        self._require_started()
        assert self._area is not None
        return self._area.name

    def _restore(self, area: StorageArea) -> None:
        user_id = parse_user(area.get(USER_ENTRY))
        self._user_id = user_id
        entries = self._entries

        prefix_length = len(KEY_PREFIX)
        for name, data, error in area.read_parsed(KEY_PREFIX):
            key = name[prefix_length:]
            if error is not None:
                self._skip_unreadable(key, error)
                continue

            # Most entries are a persistent scalar, [1,"p",<scalar>], which
            # parse_entry returns unchanged and which needs no copy; skipping
            # it halves the Python time of a large restore. This must accept
            # only what parse_entry accepts and return what it returns.
            if (
                type(data) is list
                and len(data) == 3
                and data[1] == "p"
                and type(data[0]) is int
                and data[0] == 1
            ):
                value = data[2]
                value_type = type(value)
                if (
                    value_type is str
                    or value_type is int
                    or value_type is bool
                    or value_type is float
                    or value is None
                ):
                    entries[key] = _Entry(PERSISTENT, value, None, codec.COPY_NONE)
                    continue

            try:
                stored = parse_entry(data)
            except EntryError as exc:
                if _is_unowned_auth(data, user_id):
                    area.remove(name)
                else:
                    self._skip_unreadable(key, str(exc))
                continue

            if stored.kind == TEMPORARY:
                # A make_temp marker left by a tab that closed between its
                # write and its removal.
                area.remove(name)
                continue
            if stored.kind == AUTHENTICATED and (
                user_id is None or stored.owner != user_id
            ):
                area.remove(name)
                continue
            entries[key] = _Entry(stored.kind, stored.value, None, stored.copy_mode)

    def _skip_unreadable(self, key: str, reason: str) -> None:
        self._unreadable.add(key)
        log.warning("Skipped stored key %r: %s", key, reason)

    def _require_started(self) -> None:
        if not self._started:
            raise RuntimeError(
                "The session is not started: await start() before using Session"
            )

    # ------------------------------------------------------------------ reads

    def get(self, key: str) -> "Any":
        """Return the value of `key`, or None when it is not set.

        Mutable values come back as copies: changing one changes nothing
        stored. Reactive: the current computation reruns when the value
        changes.
        """
        if not self._started:
            self._require_started()
        if not isinstance(key, str):
            _check_key(key, "get")
        if tracker._current is not None:
            self._depend(self._key_deps, key)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.copy_mode == codec.COPY_NONE:
            return entry.value
        return codec.copy_value(entry.value, entry.copy_mode)

    def equals(self, key: str, value: "Any") -> bool:
        """Return True when the value of `key` equals `value` in encoded form.

        `value` must be None, bool, int, float, str, bytes, date or datetime;
        other types raise TypeError. Reactive: the current computation reruns
        only when the result flips. So True and 1 differ, as do 1 and 1.0.
        """
        self._require_started()
        _check_key(key, "equals")
        if not codec.is_scalar(value):
            raise TypeError(
                "equals() compares only None, bool, int, float, str, bytes, date "
                "and datetime values, got " + type(value).__name__
            )
        encoded = codec.encode_scalar(value)
        if tracker._current is not None:
            self._depend_value(key, encoded)
        entry = self._entries.get(key)
        current = _ENCODED_MISSING if entry is None else self._encoded(entry)
        return current == encoded

    def all(self) -> "dict[str, Any]":
        """Return a dict of every key and a copy of its value. Reactive."""
        self._require_started()
        if tracker._current is not None:
            self._all_dep.depend()
        return {
            key: codec.copy_value(entry.value, entry.copy_mode)
            for key, entry in self._entries.items()
        }

    def __contains__(self, key: object) -> bool:
        self._require_started()
        _check_key(key, "in")
        assert isinstance(key, str)
        if tracker._current is not None:
            self._depend(self._presence_deps, key)
        return key in self._entries

    def type_of(self, key: str) -> "str | None":
        """Return "temporary", "persistent" or "authenticated", or None. Reactive."""
        self._require_started()
        _check_key(key, "type_of")
        if tracker._current is not None:
            self._depend(self._kind_deps, key)
        entry = self._entries.get(key)
        return None if entry is None else entry.kind

    def keys(self) -> "list[str]":
        """Return every key that has a value. Reactive, like `all`."""
        self._require_started()
        if tracker._current is not None:
            self._all_dep.depend()
        return list(self._entries)

    @property
    def user_id(self) -> "str | None":
        """The id of the signed-in user, or None. Reactive."""
        self._require_started()
        if tracker._current is not None:
            self._user_dep.depend()
        return self._user_id

    # ----------------------------------------------------------------- writes

    def set(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` to `value` with the default type (see settings.json).

        An existing key takes the default type too; `update` keeps a key's
        type. `set(dict)` sets every entry of the dict, all or nothing.
        """
        if value is not _MISSING and self._started and isinstance(key, str):
            self._set_one(key, value, self._default_kind)
            return
        self._set_items(self._items(key, value, "set"), self._default_kind)

    def set_temp(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` as a temporary value, kept in memory only."""
        if value is not _MISSING and self._started and isinstance(key, str):
            self._set_one(key, value, TEMPORARY)
            return
        self._set_items(self._items(key, value, "set_temp"), TEMPORARY)

    def set_persistent(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` as a persistent value, stored until cleared."""
        if value is not _MISSING and self._started and isinstance(key, str):
            self._set_one(key, value, PERSISTENT)
            return
        self._set_items(self._items(key, value, "set_persistent"), PERSISTENT)

    def set_auth(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` as an authenticated value, owned by the signed-in user.

        With nobody signed in, the value stays in memory and is stored, owned
        by that user, when a user signs in.
        """
        if value is not _MISSING and self._started and isinstance(key, str):
            self._set_one(key, value, AUTHENTICATED)
            return
        self._set_items(self._items(key, value, "set_auth"), AUTHENTICATED)

    def update(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` keeping its current type; a new key is temporary."""
        self._require_started()
        items = self._items(key, value, "update")
        by_kind: "dict[str, list[tuple[str, Any]]]" = {}
        for item_key, item_value in items:
            entry = self._entries.get(item_key)
            kind = TEMPORARY if entry is None else entry.kind
            by_kind.setdefault(kind, []).append((item_key, item_value))
        self._set_grouped(by_kind)

    def set_default(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set `key` with the default type only when it has no value yet."""
        self._set_defaults(self._items(key, value, "set_default"), self._default_kind)

    def set_default_temp(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set a temporary `key` only when it holds no value yet."""
        self._set_defaults(self._items(key, value, "set_default_temp"), TEMPORARY)

    def set_default_persistent(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set a persistent `key` only when it holds no value yet."""
        self._set_defaults(
            self._items(key, value, "set_default_persistent"), PERSISTENT
        )

    def set_default_auth(self, key: "Any", value: "Any" = _MISSING) -> None:
        """Set an authenticated `key` only when it holds no value yet."""
        self._set_defaults(self._items(key, value, "set_default_auth"), AUTHENTICATED)

    def make_temp(self, key: str) -> None:
        """Make `key` temporary, keeping its value; its stored copy is removed."""
        self._make(key, TEMPORARY, "make_temp")

    def make_persistent(self, key: str) -> None:
        """Make `key` persistent, keeping its value, and store it."""
        self._make(key, PERSISTENT, "make_persistent")

    def make_auth(self, key: str) -> None:
        """Make `key` authenticated, keeping its value; it belongs to the user."""
        self._make(key, AUTHENTICATED, "make_auth")

    def clear(self, key: "str | None" = None) -> None:
        """Remove `key`, or with no argument every key of every type.

        Stored copies go too; `clear()` also removes stored entries that could
        not be read. Computations that read a removed key rerun.
        """
        self._require_started()
        area = self._area
        assert area is not None
        if key is not None:
            _check_key(key, "clear")
            entry = self._entries.get(key)
            if (
                entry is not None and self._is_stored(entry)
            ) or key in self._unreadable:
                area.remove(entry_name(key))
                self._unreadable.discard(key)
            if entry is not None:
                self._remove_from_memory(key)
            return

        for name, _text in area.read_pairs(KEY_PREFIX):
            area.remove(name)
        self._unreadable.clear()
        for removed in list(self._entries):
            self._remove_from_memory(removed)

    def clear_temp(self) -> None:
        """Remove every temporary key."""
        self._clear_kind(TEMPORARY)

    def clear_persistent(self) -> None:
        """Remove every persistent key from memory and storage."""
        self._clear_kind(PERSISTENT)

    def clear_auth(self) -> None:
        """Remove every authenticated key from memory and storage."""
        self._clear_kind(AUTHENTICATED)

    def set_user(self, user_id: "str | None") -> None:
        """Record who is signed in: a user id, or None when signing out.

        Signing out, or signing in as a different user, first removes every
        authenticated value from memory and storage. Authenticated values set
        while nobody was signed in become the new user's and are stored. When
        the user entry cannot be stored, nobody is left signed in and
        StorageError (QuotaExceededError for a full quota) is raised.
        """
        self._require_started()
        if user_id is not None and not isinstance(user_id, str):
            raise TypeError(
                "set_user() requires a str user id or None, got "
                + type(user_id).__name__
            )
        if user_id == "":
            raise ValueError("set_user() requires a non-empty user id, or None")
        if user_id == self._user_id:
            return
        area = self._area
        assert area is not None

        if self._user_id is not None:
            self._remove_stored_auth()
            self._forget_auth()

        if user_id is None:
            area.remove(USER_ENTRY)
        else:
            self._store_user(user_id)
        self._user_id = user_id
        if user_id is not None:
            self._store_pending_auth()
        self._user_dep.changed()

    def _store_user(self, user_id: str) -> None:
        area = self._area
        assert area is not None
        text = format_user(user_id)
        try:
            area.set(USER_ENTRY, text)
        except Exception as exc:
            # The previous user's values are gone already, so storage must not
            # keep naming that user. Memory and storage end with nobody signed in.
            area.remove(USER_ENTRY)
            if self._user_id is not None:
                self._user_id = None
                self._user_dep.changed()
            quota = _is_quota_error(exc)
            reason = "the storage quota is exceeded" if quota else str(exc)
            error_class = QuotaExceededError if quota else StorageError
            error = error_class(
                "Cannot sign in %r: storing the user entry of %d characters failed "
                "(%s); nobody is signed in" % (user_id, len(text), reason),
                USER_ENTRY,
                len(text),
            )
            raise with_cause(error, None)  # noqa: B904

    # ------------------------------------------------------- storage events

    def handle_storage_event(self, name: "str | None", new_value: "str | None") -> None:
        """Apply a change that another tab made to our storage area.

        `name` and `new_value` are the storage event's `key` and `newValue`;
        a `name` of None means the whole area was cleared. Nothing is written
        back, except that authenticated values set here while nobody was
        signed in are stored once another tab signs a user in.
        """
        if not self._started:
            return
        if name is None:
            self._resync()
            return
        if name != USER_ENTRY and not name.startswith(KEY_PREFIX):
            return

        # Events arrive after the fact: this tab, or a third one, may have
        # written the same entry since. Applying what storage holds now, not
        # the event's value, keeps every tab equal to storage.
        area = self._area
        assert area is not None
        current = area.get(name)
        if name == USER_ENTRY:
            self._receive_user(parse_user(current))
            return

        key = name[len(KEY_PREFIX) :]
        if current is None and new_value is not None:
            # A make_temp marker is removed right after it is written, so only
            # the event still shows it.
            try:
                marker = parse_entry_text(new_value)
            except EntryError:
                marker = None
            if marker is not None and marker.kind == TEMPORARY:
                self._receive_entry(key, marker)
                return
        if current is None:
            self._receive_removal(key)
            return
        try:
            stored = parse_entry_text(current)
        except EntryError as exc:
            log.warning("Ignored a change to stored key %r: %s", key, exc)
            return
        self._receive_entry(key, stored)

    def _receive_removal(self, key: str) -> None:
        self._unreadable.discard(key)
        entry = self._entries.get(key)
        if entry is not None and self._is_stored(entry):
            self._remove_from_memory(key)

    def _receive_entry(self, key: str, stored: "Any") -> None:
        self._unreadable.discard(key)
        entry = self._entries.get(key)
        if stored.kind == TEMPORARY:
            # Another tab made the key temporary: keep our copy, as temporary.
            if entry is None or entry.kind == TEMPORARY:
                return
        elif stored.kind == AUTHENTICATED and (
            self._user_id is None or stored.owner != self._user_id
        ):
            return
        encoded = codec.encode(stored.value)[0]
        new_entry = _Entry(stored.kind, stored.value, encoded, stored.copy_mode)
        self._replace(key, entry, new_entry)

    def _receive_user(self, user_id: "str | None") -> None:
        if user_id == self._user_id:
            return
        if self._user_id is not None:
            self._forget_auth()
        self._user_id = user_id
        if user_id is not None:
            # The signing-in tab stored its own pending values first. Where
            # both tabs have one for a key, the stored one wins, so that every
            # tab ends with the same value.
            self._store_pending_auth(self._take_stored_auth())
        self._user_dep.changed()

    def _take_stored_auth(self) -> "list[str]":
        """Replace pending authenticated values stored for the signed-in user.

        Return the keys whose value was replaced.
        """
        area = self._area
        assert area is not None
        replaced_keys = []
        for key, entry in list(self._entries.items()):
            if entry.kind != AUTHENTICATED:
                continue
            try:
                stored = parse_entry_text(area.get(entry_name(key)))
            except EntryError:
                continue
            if stored.kind == AUTHENTICATED and stored.owner == self._user_id:
                encoded = codec.encode(stored.value)[0]
                self._replace(
                    key,
                    entry,
                    _Entry(AUTHENTICATED, stored.value, encoded, stored.copy_mode),
                )
                replaced_keys.append(key)
        return replaced_keys

    def _resync(self) -> None:
        area = self._area
        assert area is not None
        self._receive_user(parse_user(area.get(USER_ENTRY)))

        stored_keys = set()
        for name, data, error in area.read_parsed(KEY_PREFIX):
            key = name[len(KEY_PREFIX) :]
            if error is not None:
                continue
            try:
                stored = parse_entry(data)
            except EntryError:
                continue
            if stored.kind == TEMPORARY:
                continue
            stored_keys.add(key)
            self._receive_entry(key, stored)

        for key in list(self._entries):
            entry = self._entries[key]
            if key not in stored_keys and self._is_stored(entry):
                self._remove_from_memory(key)

    # -------------------------------------------------------------- internals

    def _items(self, key: "Any", value: "Any", method: str) -> "list[tuple[str, Any]]":
        self._require_started()
        if value is _MISSING:
            if isinstance(key, dict):
                for item_key in key:
                    _check_key(item_key, method)
                return list(key.items())
            raise TypeError(
                method + "() requires a key and a value, or one dict of keys and values"
            )
        _check_key(key, method)
        return [(key, value)]

    def _is_stored(self, entry: _Entry) -> bool:
        kind = entry.kind
        return kind == PERSISTENT or (
            kind == AUTHENTICATED and self._user_id is not None
        )

    def _stored_text(self, kind: str, encoded: str) -> "str | None":
        if kind == PERSISTENT:
            return format_entry(PERSISTENT, encoded)
        if kind == AUTHENTICATED and self._user_id is not None:
            return format_entry(AUTHENTICATED, encoded, self._user_id)
        return None

    def _encoded(self, entry: _Entry) -> str:
        encoded = entry.encoded
        if encoded is None:
            encoded = entry.encoded = codec.encode(entry.value)[0]
        return encoded

    def _set_items(self, items: "list[tuple[str, Any]]", kind: str) -> None:
        self._set_grouped({kind: items})

    def _set_one(self, key: str, value: "Any", kind: str) -> None:
        # The common case of `_set_grouped`, a single key, without the undo
        # bookkeeping: with one write there is nothing to undo.
        encoded, copy_mode = _encode_for(key, value)
        old_entry = self._entries.get(key)
        text = self._stored_text(kind, encoded)
        unreadable = key in self._unreadable
        if (
            text is not None
            or unreadable
            or (old_entry is not None and self._is_stored(old_entry))
        ):
            area = self._area
            assert area is not None
            try:
                if text is None:
                    area.remove(entry_name(key))
                else:
                    area.set(entry_name(key), text)
            except Exception as exc:
                raise with_cause(self._write_error(key, text, exc), None)  # noqa: B904
            if unreadable:
                self._unreadable.discard(key)

        if copy_mode != codec.COPY_NONE:
            # Keep a private copy: the caller may change its own object.
            value = codec.copy_value(value, copy_mode)
        self._replace(key, old_entry, _Entry(kind, value, encoded, copy_mode))

    def _set_defaults(self, items: "list[tuple[str, Any]]", kind: str) -> None:
        absent = []
        for key, value in items:
            if key in self._entries:
                # An unsupported value raises whether or not the key is set,
                # so the error does not wait for a page load without the key.
                _encode_for(key, value)
            else:
                absent.append((key, value))
        if absent:
            self._set_grouped({kind: absent})

    def _set_grouped(self, by_kind: "dict[str, list[tuple[str, Any]]]") -> None:
        # Encode everything first: an unsupported value anywhere rejects the
        # whole call before memory or storage changes.
        planned = []
        for kind, items in by_kind.items():
            for key, value in items:
                encoded, copy_mode = _encode_for(key, value)
                planned.append((key, _Entry(kind, value, encoded, copy_mode)))

        self._write_all(planned)

        for key, new_entry in planned:
            if new_entry.copy_mode != codec.COPY_NONE:
                # Keep a private copy: the caller may change its own object.
                new_entry.value = codec.copy_value(new_entry.value, new_entry.copy_mode)
            self._replace(key, self._entries.get(key), new_entry)

    def _write_all(self, planned: "list[tuple[str, _Entry]]") -> None:
        """Bring storage in line with `planned`; on a failure undo and raise."""
        area = self._area
        assert area is not None
        done: "list[tuple[str, str | None]]" = []
        written = []
        for key, new_entry in planned:
            old_entry = self._entries.get(key)
            text = self._stored_text(new_entry.kind, new_entry.encoded or "")
            name = entry_name(key)
            if text is None and not (
                (old_entry is not None and self._is_stored(old_entry))
                or key in self._unreadable
            ):
                continue
            if key in self._unreadable:
                # An undo puts the unreadable text back as it was.
                previous = area.get(name)
            else:
                previous = self._previous_text(old_entry)
            try:
                if text is None:
                    area.remove(name)
                else:
                    area.set(name, text)
            except Exception as exc:
                self._undo_writes(done)
                raise with_cause(self._write_error(key, text, exc), None)  # noqa: B904
            done.append((name, previous))
            written.append(key)

        for key in written:
            self._unreadable.discard(key)

    def _previous_text(self, entry: "_Entry | None") -> "str | None":
        if entry is None:
            return None
        return self._stored_text(entry.kind, self._encoded(entry))

    def _undo_writes(self, done: "list[tuple[str, str | None]]") -> None:
        area = self._area
        assert area is not None
        for name, previous in reversed(done):
            try:
                if previous is None:
                    area.remove(name)
                else:
                    area.set(name, previous)
            except Exception as exc:
                log.error("Could not restore stored entry %r: %s", name, exc)

    def _write_error(
        self, key: str, text: "str | None", exc: BaseException
    ) -> StorageError:
        size = len(text) if text is not None else 0
        if _is_quota_error(exc):
            return QuotaExceededError(
                "Cannot store key %r: the storage quota is exceeded by an entry of "
                "%d characters; the previous value is kept" % (key, size),
                key,
                size,
            )
        return StorageError(
            "Cannot store key %r (an entry of %d characters): %s; the previous "
            "value is kept" % (key, size, exc),
            key,
            size,
        )

    def _replace(self, key: str, old: "_Entry | None", new: _Entry) -> None:
        """Put `new` in memory and rerun what depends on the change."""
        self._entries[key] = new
        if old is None:
            self._changed(key, _ENCODED_MISSING, self._encoded(new), True)
            self._kind_changed(key)
            return
        if old.kind != new.kind:
            self._kind_changed(key)
        old_encoded = self._encoded(old)
        new_encoded = self._encoded(new)
        if old_encoded != new_encoded:
            self._changed(key, old_encoded, new_encoded, False)

    def _remove_from_memory(self, key: str) -> None:
        old = self._entries.pop(key)
        self._changed(key, self._encoded(old), _ENCODED_MISSING, True)
        self._kind_changed(key)

    def _changed(self, key: str, old: str, new: str, presence: bool) -> None:
        if old != new:
            dep = self._key_deps.get(key)
            if dep is not None:
                dep.changed()
            value_deps = self._value_deps.get(key)
            if value_deps:
                for encoded in (old, new):
                    value_dep = value_deps.get(encoded)
                    if value_dep is not None:
                        value_dep.changed()
        if presence:
            presence_dep = self._presence_deps.get(key)
            if presence_dep is not None:
                presence_dep.changed()
        self._all_dep.changed()

    def _kind_changed(self, key: str) -> None:
        dep = self._kind_deps.get(key)
        if dep is not None:
            dep.changed()

    def _depend(self, deps: "dict[str, tracker.Dependency]", key: str) -> None:
        dep = deps.get(key)
        if dep is None:
            dep = deps[key] = tracker.Dependency()
        dep.depend()

    def _depend_value(self, key: str, encoded: str) -> None:
        value_deps = self._value_deps.get(key)
        if value_deps is None:
            value_deps = self._value_deps[key] = {}
        dep = value_deps.get(encoded)
        if dep is None:
            dep = value_deps[encoded] = tracker.Dependency()
        if dep.depend():
            # Drop the dependency once nobody reads this (key, value) pair, so
            # equals() on many different values does not pile them up.
            def forget(_: "tracker.Computation") -> None:
                if not dep.has_dependents() and value_deps.get(encoded) is dep:
                    del value_deps[encoded]

            tracker.on_invalidate(forget)

    def _make(self, key: str, kind: str, method: str) -> None:
        self._require_started()
        _check_key(key, method)
        entry = self._entries.get(key)
        if entry is None:
            raise KeyError(method + "(): the session has no key " + repr(key))
        if entry.kind == kind:
            return
        area = self._area
        assert area is not None
        name = entry_name(key)
        encoded = self._encoded(entry)
        was_stored = self._is_stored(entry)
        text = self._stored_text(kind, encoded)

        if text is not None:
            try:
                area.set(name, text)
            except Exception as exc:
                raise with_cause(self._write_error(key, text, exc), None)  # noqa: B904
        elif was_stored:
            if kind == TEMPORARY:
                self._announce_temporary(name, encoded)
            area.remove(name)
        entry.kind = kind
        self._kind_changed(key)

    def _announce_temporary(self, name: str, encoded: str) -> None:
        # The storage event of this write tells other tabs to keep their copy
        # as temporary; the removal right after is then a no-op for them.
        area = self._area
        assert area is not None
        try:
            area.set(name, format_entry(TEMPORARY, encoded))
        except Exception as exc:
            log.warning(
                "Could not tell other tabs that %r became temporary: %s",
                name[len(KEY_PREFIX) :],
                exc,
            )

    def _clear_kind(self, kind: str) -> None:
        self._require_started()
        area = self._area
        assert area is not None
        if kind == AUTHENTICATED:
            self._remove_stored_auth()
            self._forget_auth()
            return
        for key in [k for k, entry in self._entries.items() if entry.kind == kind]:
            if kind == PERSISTENT:
                area.remove(entry_name(key))
            self._remove_from_memory(key)

    def _remove_stored_auth(self) -> None:
        """Remove every authenticated entry in storage, whoever owns it."""
        area = self._area
        assert area is not None
        for name, data, error in area.read_parsed(KEY_PREFIX):
            if error is None and type(data) is list and len(data) > 1:
                if data[1] == "a":
                    area.remove(name)
        for key, entry in self._entries.items():
            if entry.kind == AUTHENTICATED:
                area.remove(entry_name(key))

    def _forget_auth(self) -> None:
        for key in [
            k for k, entry in self._entries.items() if entry.kind == AUTHENTICATED
        ]:
            self._remove_from_memory(key)

    def _store_pending_auth(self, skip: "list[str] | None" = None) -> None:
        area = self._area
        assert area is not None
        for key, entry in self._entries.items():
            if entry.kind != AUTHENTICATED or (skip is not None and key in skip):
                continue
            text = self._stored_text(AUTHENTICATED, self._encoded(entry))
            assert text is not None
            try:
                area.set(entry_name(key), text)
            except Exception as exc:
                log.warning(
                    "Could not store authenticated key %r for the signed-in user: "
                    "%s; it stays in memory",
                    key,
                    exc,
                )

    # Meteor's names for the same methods.
    setTemp = set_temp
    setPersistent = set_persistent
    setAuth = set_auth
    setDefault = set_default
    setDefaultTemp = set_default_temp
    setDefaultPersistent = set_default_persistent
    setDefaultAuth = set_default_auth
    makeTemp = make_temp
    makePersistent = make_persistent
    makeAuth = make_auth
    clearTemp = clear_temp
    clearPersistent = clear_persistent
    clearAuth = clear_auth
    setUser = set_user

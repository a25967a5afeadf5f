"""Random API call sequences against a plain reference model.

The state machine runs the same calls on a PersistentSession over a
FakeStorage and on a dict of `key: (type, value)` plus the signed-in user.
After every step the session must agree with the model on `get`, `all`,
`type_of`, `in` and `user_id`, and storage must contain exactly the entries
that the model expects to be stored. Reloads build a new session over the same
storage. Quota faults make the next writes fail, or every write of one key
during one call, which makes a dict-form set undo its earlier writes.
"""

import json
from datetime import UTC, timedelta, timezone

import pytest
from conftest import FakeQuotaError, FakeStorage
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from persistent_session import PersistentSession, QuotaExceededError, codec
from persistent_session.entries import format_entry

TEMPORARY = "temporary"
PERSISTENT = "persistent"
AUTHENTICATED = "authenticated"

KEYS = ["a", "b", "", "ключ", "__ps:c"]
USERS = [None, "alice", "bob"]

SET_METHODS = {
    "set": None,
    "set_temp": TEMPORARY,
    "set_persistent": PERSISTENT,
    "set_auth": AUTHENTICATED,
}
DEFAULT_METHODS = {
    "set_default": None,
    "set_default_temp": TEMPORARY,
    "set_default_persistent": PERSISTENT,
    "set_default_auth": AUTHENTICATED,
}
MAKE_METHODS = {
    "make_temp": TEMPORARY,
    "make_persistent": PERSISTENT,
    "make_auth": AUTHENTICATED,
}
CLEAR_METHODS = {
    "clear_temp": TEMPORARY,
    "clear_persistent": PERSISTENT,
    "clear_auth": AUTHENTICATED,
}

offsets = st.integers(-1439, 1439).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=6)
    | st.binary(max_size=6)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC) | offsets)
)
members = st.integers() | st.text(max_size=4)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=4), children, max_size=3)
        | st.sets(members, max_size=3)
        | st.frozensets(members, max_size=3)
    ),
    max_leaves=6,
)
items = st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=3)


failing_keys = st.none() | st.sampled_from(KEYS)


class FaultyStorage(FakeStorage):
    """A FakeStorage that can also reject every write to one entry name."""

    def __init__(self):
        super().__init__()
        self.failing_name = None

    def setItem(self, name, value):
        if name == self.failing_name:
            self.calls.append(("setItem", name))
            raise FakeQuotaError("The quota has been exceeded.")
        super().setItem(name, value)


def encoded(value):
    """Return the encoded text, which distinguishes 1, 1.0 and True and
    compares nan equal to itself."""
    return codec.encode(value)[0]


class SessionModel(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.storage = FaultyStorage()
        self.default_method = TEMPORARY
        self.session = None
        self.entries = {}
        self.user_id = None

    # ------------------------------------------------------------ helpers

    def kind_of(self, method_kind):
        return self.default_method if method_kind is None else method_kind

    def is_stored(self, kind):
        return kind == PERSISTENT or (
            kind == AUTHENTICATED and self.user_id is not None
        )

    def faults_armed(self):
        return self.storage.fail_next_writes > 0

    def write_fails(self, written_keys, failing_key):
        """Return whether a call that stores `written_keys` raises."""
        if not written_keys:
            return False
        return self.faults_armed() or failing_key in written_keys

    def call(self, fails, method, *arguments, failing_key=None):
        if failing_key is not None:
            self.storage.failing_name = "__ps:" + failing_key
        try:
            if fails:
                with pytest.raises(QuotaExceededError):
                    getattr(self.session, method)(*arguments)
            else:
                getattr(self.session, method)(*arguments)
        finally:
            self.storage.failing_name = None

    def arguments_of(self, pairs, as_dict):
        if as_dict or len(pairs) > 1:
            return (pairs,)
        ((key, value),) = pairs.items()
        return (key, value)

    def expected_storage(self):
        expected = {}
        if self.user_id is not None:
            expected["__ps!user"] = json.dumps(self.user_id)
        for key, (kind, value) in self.entries.items():
            if kind == PERSISTENT:
                expected["__ps:" + key] = format_entry(kind, encoded(value))
            elif kind == AUTHENTICATED and self.user_id is not None:
                expected["__ps:" + key] = format_entry(
                    kind, encoded(value), self.user_id
                )
        return expected

    # -------------------------------------------------------------- rules

    @initialize(default_method=st.sampled_from([TEMPORARY, PERSISTENT, AUTHENTICATED]))
    def start(self, default_method):
        self.default_method = default_method
        self.session = PersistentSession(self.storage, default_method)

    @rule(
        method=st.sampled_from(list(SET_METHODS)),
        pairs=items,
        as_dict=st.booleans(),
        failing_key=failing_keys,
    )
    def set_values(self, method, pairs, as_dict, failing_key):
        kind = self.kind_of(SET_METHODS[method])
        written = list(pairs) if self.is_stored(kind) else []
        fails = self.write_fails(written, failing_key)

        arguments = self.arguments_of(pairs, as_dict)
        self.call(fails, method, *arguments, failing_key=failing_key)

        if not fails:
            for key, value in pairs.items():
                self.entries[key] = (kind, value)

    @rule(pairs=items, as_dict=st.booleans(), failing_key=failing_keys)
    def update(self, pairs, as_dict, failing_key):
        kinds = {}
        for key in pairs:
            kinds[key] = self.entries[key][0] if key in self.entries else TEMPORARY
        written = [key for key, kind in kinds.items() if self.is_stored(kind)]
        fails = self.write_fails(written, failing_key)

        arguments = self.arguments_of(pairs, as_dict)
        self.call(fails, "update", *arguments, failing_key=failing_key)

        if not fails:
            for key, value in pairs.items():
                self.entries[key] = (kinds[key], value)

    @rule(
        method=st.sampled_from(list(DEFAULT_METHODS)),
        pairs=items,
        as_dict=st.booleans(),
        failing_key=failing_keys,
    )
    def set_default(self, method, pairs, as_dict, failing_key):
        kind = self.kind_of(DEFAULT_METHODS[method])
        absent = {key: value for key, value in pairs.items() if key not in self.entries}
        written = list(absent) if self.is_stored(kind) else []
        fails = self.write_fails(written, failing_key)

        arguments = self.arguments_of(pairs, as_dict)
        self.call(fails, method, *arguments, failing_key=failing_key)

        if not fails:
            for key, value in absent.items():
                self.entries[key] = (kind, value)

    @rule(method=st.sampled_from(list(MAKE_METHODS)), key=st.sampled_from(KEYS))
    def make(self, method, key):
        kind = MAKE_METHODS[method]
        if key not in self.entries:
            with pytest.raises(KeyError):
                getattr(self.session, method)(key)
            return

        current, value = self.entries[key]
        # make_temp's marker write may fail: that is only logged.
        fails = self.faults_armed() and current != kind and self.is_stored(kind)

        self.call(fails, method, key)

        if not fails:
            self.entries[key] = (kind, value)

    @rule(key=st.sampled_from(KEYS))
    def clear_key(self, key):
        self.session.clear(key)
        self.entries.pop(key, None)

    @rule()
    def clear_all(self):
        self.session.clear()
        self.entries = {}

    @rule(method=st.sampled_from(list(CLEAR_METHODS)))
    def clear_kind(self, method):
        kind = CLEAR_METHODS[method]

        getattr(self.session, method)()

        self.entries = {
            key: entry for key, entry in self.entries.items() if entry[0] != kind
        }

    @rule(user_id=st.sampled_from(USERS))
    def set_user(self, user_id):
        if user_id == self.user_id:
            self.session.set_user(user_id)
            return
        fails = self.faults_armed() and user_id is not None

        self.call(fails, "set_user", user_id)

        if self.user_id is not None:
            self.entries = {
                key: entry
                for key, entry in self.entries.items()
                if entry[0] != AUTHENTICATED
            }
        # A sign-in whose user entry cannot be stored leaves nobody signed in.
        self.user_id = None if fails else user_id

    @rule()
    def reload(self):
        self.session = PersistentSession(self.storage, self.default_method)
        self.entries = {
            key: (kind, value)
            for key, (kind, value) in self.entries.items()
            if self.is_stored(kind)
        }

    @rule(count=st.integers(1, 3))
    def arm_faults(self, count):
        self.storage.fail_next_writes = count

    # --------------------------------------------------------- invariants

    @invariant()
    @precondition(lambda self: self.session is not None)
    def get_agrees(self):
        for key in KEYS:
            expected = self.entries[key][1] if key in self.entries else None
            assert encoded(self.session.get(key)) == encoded(expected), key

    @invariant()
    @precondition(lambda self: self.session is not None)
    def all_agrees(self):
        result = self.session.all()

        assert sorted(result) == sorted(self.entries)
        for key, value in result.items():
            assert encoded(value) == encoded(self.entries[key][1]), key

    @invariant()
    @precondition(lambda self: self.session is not None)
    def types_agree(self):
        for key in KEYS:
            expected = self.entries[key][0] if key in self.entries else None
            assert self.session.type_of(key) == expected, key
            assert (key in self.session) == (key in self.entries), key

    @invariant()
    @precondition(lambda self: self.session is not None)
    def user_agrees(self):
        assert self.session.user_id == self.user_id

    @invariant()
    @precondition(lambda self: self.session is not None)
    def storage_agrees(self):
        assert self.storage.raw() == self.expected_storage()


SessionModel.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestSessionModel = SessionModel.TestCase

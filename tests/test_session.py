"""The Session API against an in-memory Web Storage: the semantics points 1-12
of the foundation issue, the storage rules, the dict forms, the aliases, and
reloads over the same storage."""

import copy
import json
import logging
import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import persistent_session
from persistent_session import PersistentSession, QuotaExceededError, StorageError
from persistent_session.settings import default_method_from_text
from persistent_session.tracker import autorun, flush

PREFIX = "__ps:"
USER = "__ps!user"
KINDS = ["temporary", "persistent", "authenticated"]
SETTER = {
    "temporary": "set_temp",
    "persistent": "set_persistent",
    "authenticated": "set_auth",
}
MAKER = {
    "temporary": "make_temp",
    "persistent": "make_persistent",
    "authenticated": "make_auth",
}
CODE = {"persistent": "p", "authenticated": "a"}


# ---------------------------------------------------------------- helpers


def entry(storage, key):
    """The parsed stored entry of `key`, or None."""
    text = storage.raw().get(PREFIX + key)
    return None if text is None else json.loads(text)


def expected_entry(kind, value_json, owner=None):
    if kind == "temporary":
        return None
    if kind == "authenticated":
        return [1, "a", value_json, owner] if owner is not None else None
    return [1, "p", value_json]


def reload(storage, default_method="temporary"):
    """What a page reload does: a new session over the same storage."""
    return PersistentSession(storage, default_method=default_method)


class Runs:
    """An autorun that records what `read(session)` returns on each run."""

    def __init__(self, read):
        self.values = []
        self.computation = autorun(lambda c: self.values.append(read()))

    @property
    def count(self):
        return len(self.values)

    @property
    def last(self):
        return self.values[-1]


def signed_in(make_session, user="alice", default_method="temporary"):
    session = make_session(default_method)
    session.set_user(user)
    return session


class PlainStorage:
    """Web Storage with only the standard interface (not a MemoryStorage), so
    the session must use length/key/getItem, all of which are recorded."""

    def __init__(self, items=None):
        self._items = dict(items or {})
        self.calls = []

    @property
    def length(self):
        self.calls.append(("length", None))
        return len(self._items)

    def key(self, index):
        self.calls.append(("key", index))
        names = list(self._items)
        return names[index] if 0 <= index < len(names) else None

    def getItem(self, name):
        self.calls.append(("getItem", name))
        return self._items.get(name)

    def setItem(self, name, value):
        self.calls.append(("setItem", name))
        self._items[name] = str(value)

    def removeItem(self, name):
        self.calls.append(("removeItem", name))
        self._items.pop(name, None)

    def clear(self):
        self.calls.append(("clear", None))
        self._items.clear()


FOREIGN = {
    "theme": "dark",
    "__ps": "no colon",
    "__PS:x": "upper case",
    "_ps:x": "one underscore",
    "x__ps:y": "prefix inside",
    "__ps-x": "another separator",
    "meteor_session": '[1,"p",1]',
}


# ------------------------------------------------- 1. the three key types


def test_1_temporary_values_live_in_memory_only(session, storage):
    session.set_temp("menu", True)
    assert session.get("menu") is True
    assert session.type_of("menu") == "temporary"
    assert storage.count("setItem") == 0
    assert storage.raw() == {}
    assert reload(storage).get("menu") is None


def test_1_persistent_values_are_stored_until_cleared(session, storage):
    session.set_persistent("theme", "dark")
    assert entry(storage, "theme") == [1, "p", "dark"]
    again = reload(storage)
    assert again.get("theme") == "dark"
    assert again.type_of("theme") == "persistent"
    third = reload(storage)
    assert third.get("theme") == "dark"
    third.clear("theme")
    assert entry(storage, "theme") is None
    assert reload(storage).get("theme") is None


def test_1_authenticated_values_are_stored_with_their_owner(make_session, storage):
    session = signed_in(make_session, "alice")
    session.set_auth("cart", ["apple"])
    assert entry(storage, "cart") == [1, "a", ["apple"], "alice"]
    assert storage.raw()[USER] == '"alice"'
    again = reload(storage)
    assert again.user_id == "alice"
    assert again.get("cart") == ["apple"]
    assert again.type_of("cart") == "authenticated"


def test_1_authenticated_value_without_a_user_waits_in_memory(session, storage):
    session.set_auth("cart", ["apple"])
    assert session.get("cart") == ["apple"]
    assert session.type_of("cart") == "authenticated"
    assert storage.count("setItem") == 0
    assert entry(storage, "cart") is None
    session.set_user("alice")
    assert entry(storage, "cart") == [1, "a", ["apple"], "alice"]
    assert reload(storage).get("cart") == ["apple"]


def test_1_authenticated_value_never_written_without_an_owner(session, storage):
    session.set_auth("a", 1)
    session.update("a", 2)
    session.set_default_auth("b", 3)
    session.set_persistent("c", 4)
    session.make_auth("c")
    for text in storage.raw().values():
        data = json.loads(text)
        assert data[1] != "a"
    assert entry(storage, "c") is None
    assert session.get("c") == 4


# ------------------------------------------------- 2. default_method


@pytest.mark.parametrize(
    ("settings_text", "expected"),
    [
        (
            '{"public": {"persistent_session": {"default_method": "persistent"}}}',
            "persistent",
        ),
        (
            '{"public": {"persistent_session": {"default_method": "authenticated"}}}',
            "authenticated",
        ),
        (
            '{"public": {"persistent_session": {"default_method": "temporary"}}}',
            "temporary",
        ),
        (
            '{"public": {"persistent_session": {"default_method": "forever"}}}',
            "temporary",
        ),
        ('{"public": {"persistent_session": {}}}', "temporary"),
        ("{}", "temporary"),
        ("{not json", "temporary"),
    ],
)
def test_2_default_method_from_settings_drives_set(
    settings_text, expected, storage, caplog
):
    method = default_method_from_text(settings_text, "settings.json")
    assert method == expected
    session = PersistentSession(storage, default_method=method)
    assert session.default_method == expected
    session.set_user("alice")
    session.set("k", 1)
    assert session.type_of("k") == expected
    assert entry(storage, "k") == expected_entry(expected, 1, "alice")


def test_2_malformed_settings_warn_naming_the_url(caplog):
    with caplog.at_level(logging.WARNING):
        assert default_method_from_text("{", "/app/settings.json") == "temporary"
    assert any("/app/settings.json" in r.getMessage() for r in caplog.records)


def test_2_missing_settings_mean_temporary(storage):
    session = PersistentSession(storage)
    assert session.default_method == "temporary"
    session.set("k", 1)
    assert session.type_of("k") == "temporary"


def test_2_invalid_default_method_is_refused(storage):
    with pytest.raises(ValueError, match="default_method"):
        PersistentSession(storage, default_method="forever")


# ------------------------------------------------- 3. set and its typed forms


@pytest.mark.parametrize("default", KINDS)
def test_3_set_uses_the_default_type(default, make_session, storage):
    session = signed_in(make_session, "alice", default)
    session.set("k", [1, 2])
    assert session.type_of("k") == default
    assert session.get("k") == [1, 2]
    assert entry(storage, "k") == expected_entry(default, [1, 2], "alice")


@pytest.mark.parametrize("old", KINDS)
@pytest.mark.parametrize("new", KINDS)
def test_3_typed_setters_force_and_move_the_type(old, new, make_session, storage):
    session = signed_in(make_session)
    getattr(session, SETTER[old])("k", "first")
    assert entry(storage, "k") == expected_entry(old, "first", "alice")
    getattr(session, SETTER[new])("k", "second")
    assert session.type_of("k") == new
    assert session.get("k") == "second"
    assert entry(storage, "k") == expected_entry(new, "second", "alice")
    restored = reload(storage)
    assert restored.get("k") == (None if new == "temporary" else "second")
    assert restored.type_of("k") == (None if new == "temporary" else new)


@pytest.mark.parametrize("old", KINDS)
@pytest.mark.parametrize("default", KINDS)
def test_3_set_moves_an_existing_key_to_the_default_type(
    old, default, make_session, storage
):
    session = signed_in(make_session, "alice", default)
    getattr(session, SETTER[old])("k", 1)
    session.set("k", 2)
    assert session.type_of("k") == default
    assert entry(storage, "k") == expected_entry(default, 2, "alice")


@pytest.mark.parametrize("old", KINDS)
@pytest.mark.parametrize("new", KINDS)
def test_3_moving_with_the_same_value_still_moves(old, new, make_session, storage):
    session = signed_in(make_session)
    getattr(session, SETTER[old])("k", "same")
    getattr(session, SETTER[new])("k", "same")
    assert session.type_of("k") == new
    assert entry(storage, "k") == expected_entry(new, "same", "alice")


# ------------------------------------------------- 4. dict forms

DICT_FORMS = [
    ("set", None),
    ("set_temp", "temporary"),
    ("set_persistent", "persistent"),
    ("set_auth", "authenticated"),
    ("set_default", None),
    ("set_default_temp", "temporary"),
    ("set_default_persistent", "persistent"),
    ("set_default_auth", "authenticated"),
]


@pytest.mark.parametrize(("method", "kind"), DICT_FORMS)
@pytest.mark.parametrize("default", ["temporary", "persistent"])
def test_4_dict_form_applies_one_type_to_every_entry(
    method, kind, default, make_session, storage
):
    session = signed_in(make_session, "alice", default)
    kind = kind or default
    values = {"a": 1, "b": [2], "": "empty key", "d": None}
    getattr(session, method)(values)
    for key, value in values.items():
        assert session.get(key) == value
        assert session.type_of(key) == kind
        assert entry(storage, key) == expected_entry(kind, value, "alice")


@pytest.mark.parametrize(("method", "kind"), DICT_FORMS)
def test_4_dict_form_is_one_rerun_and_one_write_per_entry(
    method, kind, make_session, storage
):
    session = signed_in(make_session, "alice", "persistent")
    runs = Runs(session.all)
    storage.reset_calls()
    getattr(session, method)({"a": 1, "b": 2, "c": 3})
    flush()
    assert runs.count == 2
    assert runs.last == {"a": 1, "b": 2, "c": 3}
    writes = [c for c in storage.calls if c[0] == "setItem"]
    if (kind or "persistent") == "temporary":
        assert writes == []
    else:
        assert sorted(writes) == [("setItem", PREFIX + k) for k in "abc"]
    assert [c for c in storage.calls if c[0] in ("getItem", "key", "length")] == []


@pytest.mark.parametrize(("method", "kind"), DICT_FORMS)
def test_4_dict_form_with_a_bad_value_changes_nothing(
    method, kind, make_session, storage
):
    session = signed_in(make_session, "alice", "persistent")
    session.set_persistent("a", "old")
    before = storage.raw()
    storage.reset_calls()
    runs = Runs(session.all)
    with pytest.raises(TypeError, match=r"'bad'.*object"):
        getattr(session, method)({"a": "new", "z": 1, "bad": object()})
    flush()
    assert runs.count == 1
    assert session.get("a") == "old"
    assert "z" not in session and "bad" not in session
    assert storage.raw() == before
    assert storage.count("setItem") == 0 and storage.count("removeItem") == 0


def test_4_set_default_dict_form_sets_only_absent_keys(make_session, storage):
    session = make_session("persistent")
    session.set_temp("a", "kept")
    session.set_default({"a": "ignored", "b": "new"})
    assert session.get("a") == "kept" and session.type_of("a") == "temporary"
    assert session.get("b") == "new" and session.type_of("b") == "persistent"


def test_4_update_dict_form(make_session, storage):
    session = signed_in(make_session, "alice", "persistent")
    session.set_persistent("p", 0)
    session.set_auth("a", 0)
    session.set_temp("t", 0)
    session.update({"p": 1, "a": 2, "t": 3, "new": 4})
    assert [session.type_of(k) for k in ("p", "a", "t", "new")] == [
        "persistent",
        "authenticated",
        "temporary",
        "temporary",
    ]
    assert entry(storage, "p") == [1, "p", 1]
    assert entry(storage, "a") == [1, "a", 2, "alice"]
    assert entry(storage, "t") is None and entry(storage, "new") is None


@pytest.mark.parametrize("method", [m for m, _ in DICT_FORMS] + ["update"])
def test_4_dict_form_with_a_non_str_key_raises(method, session):
    with pytest.raises(TypeError, match="int"):
        getattr(session, method)({"ok": 1, 2: "two"})
    assert "ok" not in session


@pytest.mark.parametrize("method", [m for m, _ in DICT_FORMS] + ["update"])
def test_4_a_key_without_a_value_raises(method, session):
    with pytest.raises(TypeError, match="dict"):
        getattr(session, method)("key")
    with pytest.raises(TypeError):
        getattr(session, method)(["k", 1])


@pytest.mark.parametrize("method", [m for m, _ in DICT_FORMS] + ["update"])
def test_4_empty_dict_does_nothing(method, session, storage):
    getattr(session, method)({})
    assert session.all() == {}
    assert storage.calls == [("getItem", USER)] or storage.calls == []


# ------------------------------------------------- 5. update


@pytest.mark.parametrize("kind", KINDS)
def test_5_update_keeps_the_type(kind, make_session, storage):
    session = signed_in(make_session, "alice", "persistent")
    getattr(session, SETTER[kind])("k", 1)
    session.update("k", 2)
    assert session.type_of("k") == kind
    assert session.get("k") == 2
    assert entry(storage, "k") == expected_entry(kind, 2, "alice")


@pytest.mark.parametrize("default", KINDS)
def test_5_update_of_an_unknown_key_is_temporary(default, make_session, storage):
    session = signed_in(make_session, "alice", default)
    session.update("new", 1)
    assert session.type_of("new") == "temporary"
    assert storage.raw() == {USER: '"alice"'}


def test_5_update_of_a_pending_authenticated_key_stays_pending(session, storage):
    session.set_auth("k", 1)
    session.update("k", 2)
    assert session.type_of("k") == "authenticated"
    assert entry(storage, "k") is None
    session.set_user("bob")
    assert entry(storage, "k") == [1, "a", 2, "bob"]


def test_5_update_reruns_dependents(session):
    session.set_persistent("k", 1)
    runs = Runs(lambda: session.get("k"))
    session.update("k", 2)
    flush()
    assert runs.values == [1, 2]


# ------------------------------------------------- 6. set_default


DEFAULT_FORMS = [
    ("set_default", None),
    ("set_default_temp", "temporary"),
    ("set_default_persistent", "persistent"),
    ("set_default_auth", "authenticated"),
]


@pytest.mark.parametrize(("method", "kind"), DEFAULT_FORMS)
def test_6_set_default_writes_an_absent_key(method, kind, make_session, storage):
    session = signed_in(make_session, "alice", "persistent")
    getattr(session, method)("k", {"x": 1})
    kind = kind or "persistent"
    assert session.get("k") == {"x": 1}
    assert session.type_of("k") == kind
    assert entry(storage, "k") == expected_entry(kind, {"x": 1}, "alice")


@pytest.mark.parametrize(("method", "kind"), DEFAULT_FORMS)
@pytest.mark.parametrize("old", KINDS)
def test_6_set_default_leaves_an_existing_key_alone(
    method, kind, old, make_session, storage
):
    session = signed_in(make_session, "alice", "persistent")
    getattr(session, SETTER[old])("k", "first")
    runs = Runs(lambda: (session.get("k"), session.type_of("k")))
    before = storage.raw()
    storage.reset_calls()
    getattr(session, method)("k", "second")
    flush()
    assert session.get("k") == "first"
    assert session.type_of("k") == old
    assert storage.raw() == before
    assert storage.calls == []
    assert runs.count == 1


@pytest.mark.parametrize(("method", "kind"), DEFAULT_FORMS)
def test_6_a_restored_value_counts_as_present(method, kind, make_session, storage):
    session = signed_in(make_session, "alice")
    session.set_persistent("p", "stored")
    session.set_auth("a", "mine")
    restored = reload(storage, "persistent")
    getattr(restored, method)({"p": "default", "a": "default"})
    assert restored.get("p") == "stored" and restored.type_of("p") == "persistent"
    assert restored.get("a") == "mine" and restored.type_of("a") == "authenticated"
    assert entry(storage, "p") == [1, "p", "stored"]


@pytest.mark.parametrize(("method", "kind"), DEFAULT_FORMS)
def test_6_a_stored_none_counts_as_present(method, kind, session, storage):
    session.set_persistent("k", None)
    assert entry(storage, "k") == [1, "p", None]
    restored = reload(storage)
    assert "k" in restored
    getattr(restored, method)("k", "default")
    assert restored.get("k") is None
    assert restored.type_of("k") == "persistent"


def test_6_a_none_in_memory_counts_as_present(session):
    session.set_temp("k", None)
    session.set_default("k", 1)
    session.set_default_persistent("k", 1)
    assert session.get("k") is None and "k" in session


def test_6_set_default_of_an_absent_key_reruns_dependents(session):
    runs = Runs(lambda: session.get("k"))
    session.set_default("k", 5)
    flush()
    assert runs.values == [None, 5]


# ------------------------------------------------- 7. make_*


@pytest.mark.parametrize("old", KINDS)
@pytest.mark.parametrize("new", KINDS)
def test_7_make_changes_the_type_keeps_the_value_and_reruns_nobody(
    old, new, make_session, storage
):
    session = signed_in(make_session)
    value = {"list": [1, 2], "when": date(2024, 1, 2)}
    getattr(session, SETTER[old])("k", value)
    value_runs = Runs(lambda: session.get("k"))
    equals_runs = Runs(lambda: session.equals("k", None))
    all_runs = Runs(session.all)
    in_runs = Runs(lambda: "k" in session)
    type_runs = Runs(lambda: session.type_of("k"))

    getattr(session, MAKER[new])("k")
    flush()

    assert session.get("k") == value
    assert session.type_of("k") == new
    assert value_runs.count == equals_runs.count == all_runs.count == in_runs.count == 1
    assert type_runs.values == ([old] if old == new else [old, new])
    expected_json = {"list": [1, 2], "when": {"$date": "2024-01-02"}}
    assert entry(storage, "k") == expected_entry(new, expected_json, "alice")
    restored = reload(storage)
    assert restored.get("k") == (None if new == "temporary" else value)


@pytest.mark.parametrize("kind", KINDS)
def test_7_make_to_the_same_type_does_nothing(kind, make_session, storage):
    session = signed_in(make_session)
    getattr(session, SETTER[kind])("k", 1)
    storage.reset_calls()
    runs = Runs(lambda: session.type_of("k"))
    getattr(session, MAKER[kind])("k")
    flush()
    assert storage.calls == []
    assert runs.count == 1


@pytest.mark.parametrize("method", MAKER.values())
def test_7_make_on_a_missing_key_raises_key_error(method, session, storage):
    with pytest.raises(KeyError, match="missing"):
        getattr(session, method)("missing")
    assert "missing" not in session
    assert storage.raw() == {}


def test_7_make_auth_without_a_user_unstores_until_sign_in(session, storage):
    session.set_persistent("k", 1)
    session.make_auth("k")
    assert entry(storage, "k") is None
    assert session.get("k") == 1
    session.set_user("carol")
    assert entry(storage, "k") == [1, "a", 1, "carol"]


def test_7_make_temp_leaves_no_marker_behind(session, storage):
    session.set_persistent("k", [1])
    session.make_temp("k")
    assert storage.raw() == {}
    assert session.get("k") == [1]


# ------------------------------------------------- 8. clear


def _fill(session):
    session.set_user("alice")
    session.set_temp("t1", 1)
    session.set_temp("t2", 2)
    session.set_persistent("p1", 3)
    session.set_persistent("p2", 4)
    session.set_auth("a1", 5)
    session.set_auth("a2", 6)


ALL_KEYS = ["t1", "t2", "p1", "p2", "a1", "a2"]


def test_8_clear_removes_every_key_of_every_type(session, storage):
    storage._items.update(FOREIGN)
    _fill(session)
    storage.setItem(PREFIX + "broken", "{not json")
    runs = {key: Runs(lambda key=key: session.get(key)) for key in ALL_KEYS}
    all_runs = Runs(session.all)
    session.clear()
    flush()
    assert session.all() == {}
    assert session.keys() == []
    for key in ALL_KEYS:
        assert key not in session
        assert runs[key].values[-1] is None and runs[key].count == 2
    assert all_runs.values[-1] == {}
    remaining = storage.raw()
    assert not [name for name in remaining if name.startswith(PREFIX)]
    assert remaining[USER] == '"alice"'
    for name, value in FOREIGN.items():
        assert remaining[name] == value
    assert session.user_id == "alice"
    assert reload(storage).all() == {}


def test_8_clear_removes_unreadable_entries_found_at_start(storage, caplog):
    storage._items.update(FOREIGN)
    storage._items[PREFIX + "bad_json"] = "{"
    storage._items[PREFIX + "bad_version"] = '[99,"p",1]'
    storage._items[PREFIX + "bad_tag"] = '[1,"p",{"$nope":1}]'
    storage._items[PREFIX + "good"] = '[1,"p",1]'
    storage._items[USER] = '"alice"'
    with caplog.at_level(logging.WARNING):
        session = reload(storage)
    assert session.all() == {"good": 1}
    for key in ("bad_json", "bad_version", "bad_tag"):
        assert any(repr(key) in r.getMessage() for r in caplog.records)
        assert PREFIX + key in storage.raw()  # left untouched at start
    session.clear()
    assert sorted(storage.raw()) == sorted([*FOREIGN, USER])


def test_8_clear_one_key(session, storage):
    _fill(session)
    runs = {key: Runs(lambda key=key: session.get(key)) for key in ALL_KEYS}
    in_runs = Runs(lambda: "p1" in session)
    session.clear("p1")
    flush()
    assert "p1" not in session
    assert entry(storage, "p1") is None
    assert entry(storage, "p2") == [1, "p", 4]
    assert runs["p1"].values == [3, None]
    assert in_runs.values == [True, False]
    for key in ALL_KEYS:
        if key != "p1":
            assert runs[key].count == 1
    session.clear("a1")
    assert entry(storage, "a1") is None and session.get("a1") is None
    session.clear("t1")
    assert session.get("t1") is None
    session.clear("never set")  # nothing to do, no error
    assert sorted(session.keys()) == ["a2", "p2", "t2"]


def test_8_clear_one_key_removes_its_unreadable_entry(storage):
    storage._items[PREFIX + "bad"] = "{"
    session = reload(storage)
    session.clear("bad")
    assert PREFIX + "bad" not in storage.raw()


@pytest.mark.parametrize(
    ("method", "removed"),
    [
        ("clear_temp", ["t1", "t2"]),
        ("clear_persistent", ["p1", "p2"]),
        ("clear_auth", ["a1", "a2"]),
    ],
)
def test_8_clear_one_type(method, removed, session, storage):
    storage._items.update(FOREIGN)
    _fill(session)
    runs = {key: Runs(lambda key=key: session.get(key)) for key in ALL_KEYS}
    getattr(session, method)()
    flush()
    for key in ALL_KEYS:
        if key in removed:
            assert key not in session
            assert entry(storage, key) is None
            assert runs[key].values[-1] is None and runs[key].count == 2
        else:
            assert key in session
            assert runs[key].count == 1
    for name, value in FOREIGN.items():
        assert storage.raw()[name] == value
    assert storage.raw()[USER] == '"alice"'
    restored = reload(storage)
    assert sorted(restored.keys()) == sorted(
        k for k in ALL_KEYS if k[0] != "t" and k not in removed
    )


def test_8_clear_auth_removes_pending_authenticated_values(session, storage):
    session.set_auth("pending", 1)
    session.clear_auth()
    assert "pending" not in session
    session.set_user("alice")
    assert entry(storage, "pending") is None


def test_8_clear_with_a_non_str_key_raises(session):
    with pytest.raises(TypeError, match="int"):
        session.clear(3)


# ------------------------------------------------- 9. get and reactive reads


def test_9_get_of_a_missing_key_is_none(session):
    assert session.get("missing") is None
    assert session.get("") is None


MUTABLES = [
    [1, 2, 3],
    {"a": 1},
    {1, 2},
    [[1], {"a": [2]}],
    {"nested": {"list": [1]}},
    ([1], 2),
    {"s": {1, 2}, "t": ([3],)},
    [{(1, 2)}],
]


@pytest.mark.parametrize("value", MUTABLES, ids=repr)
@pytest.mark.parametrize("kind", KINDS)
def test_9_get_returns_a_copy(value, kind, make_session, storage):
    session = signed_in(make_session)
    original = copy.deepcopy(value)  # the parameter is shared between runs
    expected = copy.deepcopy(value)
    getattr(session, SETTER[kind])("k", original)
    stored_before = storage.raw()

    def scramble(obj):
        if isinstance(obj, list):
            for item in obj:
                scramble(item)
            obj.append("mutated")
        elif isinstance(obj, dict):
            for item in obj.values():
                scramble(item)
            obj["mutated"] = True
        elif isinstance(obj, set):
            obj.add("mutated")
        elif isinstance(obj, tuple):
            for item in obj:
                scramble(item)

    scramble(session.get("k"))
    scramble(session.all()["k"])
    assert session.get("k") == expected
    scramble(original)  # the object passed to set
    assert original != expected
    assert session.get("k") == expected
    assert session.all() == {"k": expected}
    assert storage.raw() == stored_before
    if kind != "temporary":
        assert reload(storage).get("k") == expected


def test_9_restored_values_are_copied_too(session, storage):
    session.set_persistent("k", {"a": [1]})
    restored = reload(storage)
    restored.get("k")["a"].append(2)
    assert restored.get("k") == {"a": [1]}


def test_9_get_is_reactive(session):
    runs = Runs(lambda: session.get("k"))
    session.set("k", 1)
    flush()
    session.set("other", 1)
    flush()
    session.set("k", 2)
    flush()
    assert runs.values == [None, 1, 2]


def test_9_equals_is_reactive(session):
    runs = Runs(lambda: session.equals("k", 1))
    session.set("k", 1)
    flush()
    assert runs.values == [False, True]


def test_9_all_is_reactive(session):
    runs = Runs(session.all)
    session.set("a", 1)
    flush()
    session.set_persistent("b", [2])
    flush()
    session.clear("a")
    flush()
    assert runs.values == [{}, {"a": 1}, {"a": 1, "b": [2]}, {"b": [2]}]


def test_9_in_is_reactive_to_presence_only(session):
    runs = Runs(lambda: "k" in session)
    session.set("k", 1)
    flush()
    session.set("k", 2)  # still present: no rerun
    flush()
    session.set("k", None)  # a stored None is present
    flush()
    session.clear("k")
    flush()
    assert runs.values == [False, True, False]


def test_9_type_of_is_reactive(session):
    runs = Runs(lambda: session.type_of("k"))
    session.set_temp("k", 1)
    flush()
    session.set_temp("k", 2)  # same type: no rerun
    flush()
    session.make_persistent("k")
    flush()
    session.set_auth("k", 3)
    flush()
    session.clear("k")
    flush()
    assert runs.values == [None, "temporary", "persistent", "authenticated", None]


def test_9_keys_is_reactive(session):
    runs = Runs(session.keys)
    session.set("a", 1)
    flush()
    session.set_persistent("b", 2)
    flush()
    session.clear_temp()
    flush()
    assert runs.values == [[], ["a"], ["a", "b"], ["b"]]


def test_9_reads_outside_a_computation_register_nothing(session):
    session.get("k")
    session.equals("k", 1)
    assert session._key_deps == {} and session._value_deps == {}


# ------------------------------------------------- 10. equals


def test_10_equals_reruns_only_when_its_result_flips(session):
    red = Runs(lambda: session.equals("color", "red"))
    blue = Runs(lambda: session.equals("color", "blue"))
    session.set("color", "green")
    flush()
    assert red.values == [False] and blue.values == [False]
    session.set("color", "red")
    flush()
    assert red.values == [False, True] and blue.values == [False]
    session.set("color", "blue")
    flush()
    assert red.values == [False, True, False] and blue.values == [False, True]
    session.set("color", "yellow")
    flush()
    assert red.values == [False, True, False] and blue.values == [False, True, False]
    session.set("color", "orange")
    flush()
    assert red.count == 3 and blue.count == 3


def test_10_equals_compares_encoded_forms(session):
    session.set("b", True)
    session.set("i", 1)
    session.set("f", 1.0)
    session.set("n", math.nan)
    session.set("bytes", b"x")
    session.set("d", date(2024, 1, 2))
    session.set("dt", datetime(2024, 1, 2, 3, 4, 5, 6))
    assert session.equals("b", True) and not session.equals("b", 1)
    assert session.equals("i", 1) and not session.equals("i", True)
    assert not session.equals("i", 1.0)
    assert session.equals("f", 1.0) and not session.equals("f", 1)
    assert session.equals("n", math.nan)  # same encoded form
    assert session.equals("bytes", b"x") and not session.equals("bytes", "x")
    assert session.equals("d", date(2024, 1, 2))
    assert not session.equals("d", datetime(2024, 1, 2))
    assert session.equals("dt", datetime(2024, 1, 2, 3, 4, 5, 6))
    assert not session.equals("dt", datetime(2024, 1, 2, 3, 4, 5))


def test_10_a_missing_key_equals_none(session):
    runs = Runs(lambda: session.equals("k", None))
    assert session.equals("k", None)
    assert not session.equals("k", 0)
    session.set("k", 0)
    flush()
    session.clear("k")
    flush()
    session.set("k", None)  # None and missing read alike: no flip
    flush()
    assert runs.values == [True, False, True]


def test_10_equals_works_on_restored_values(session, storage):
    session.set_persistent("k", "v")
    restored = reload(storage)
    assert restored.equals("k", "v")
    runs = Runs(lambda: restored.equals("k", "v"))
    restored.set("k", "w")
    flush()
    assert runs.values == [True, False]


@pytest.mark.parametrize(
    "value",
    [[1], (1,), {"a": 1}, {1}, frozenset({1}), object(), bytearray(b"x")],
    ids=repr,
)
def test_10_equals_with_a_non_scalar_raises(value, session):
    session.set("k", [1])
    with pytest.raises(TypeError, match=type(value).__name__):
        session.equals("k", value)


def test_10_equals_dependencies_do_not_pile_up(session):
    value = Runs(lambda: session.get("n"))
    checker = Runs(lambda: session.equals("k", session.get("n")))
    for number in range(50):
        session.set("n", number)
        flush()
    assert value.count == 51 and checker.count == 51
    assert len(session._value_deps.get("k", {})) <= 1


# ------------------------------------------------- 11. equal sets


@pytest.mark.parametrize("kind", KINDS)
def test_11_an_equal_set_reruns_nobody(kind, make_session):
    session = signed_in(make_session)
    setter = getattr(session, SETTER[kind])
    setter("k", {"a": [1, 2]})
    runs = [
        Runs(lambda: session.get("k")),
        Runs(lambda: session.equals("k", 1)),
        Runs(session.all),
        Runs(lambda: "k" in session),
        Runs(lambda: session.type_of("k")),
    ]
    setter("k", {"a": [1, 2]})
    session.update("k", {"a": [1, 2]})
    flush()
    assert [r.count for r in runs] == [1, 1, 1, 1, 1]


@pytest.mark.parametrize("kind", ["persistent", "authenticated"])
def test_11_an_equal_set_still_writes_the_stored_copy(kind, make_session, storage):
    session = signed_in(make_session)
    setter = getattr(session, SETTER[kind])
    setter("k", "v")
    storage.removeItem(PREFIX + "k")  # other code removed it
    storage.reset_calls()
    setter("k", "v")
    assert storage.calls == [("setItem", PREFIX + "k")]
    assert entry(storage, "k") == expected_entry(kind, "v", "alice")
    storage.removeItem(PREFIX + "k")
    session.update("k", "v")
    assert entry(storage, "k") == expected_entry(kind, "v", "alice")


def test_11_equal_by_python_but_not_by_encoding_is_a_change(session):
    session.set("k", 1)
    runs = Runs(lambda: session.get("k"))
    session.set("k", 1.0)
    flush()
    session.set("k", True)
    flush()
    assert runs.count == 3
    assert type(session.get("k")) is bool


# ------------------------------------------------- 12. values and keys

VALUES = [
    None,
    True,
    False,
    0,
    -17,
    2**70,
    -(10**40),
    10**5000,
    0.1,
    -0.0,
    1e300,
    math.inf,
    -math.inf,
    math.nan,
    "",
    "text with <b>markup</b> and ünïcode 𝄞",
    [],
    [1, [2, [3]]],
    (),
    (1, "a", (2.5,)),
    ([1], {"a": (2,)}),
    {},
    {"a": 1, "b": {"c": [1, (2,)]}},
    {"$tuple": [1]},
    set(),
    {1, "a", (1, 2), frozenset({3})},
    frozenset(),
    frozenset({frozenset({1}), (2, 3)}),
    b"",
    b"\x00\xffbytes",
    date(2024, 2, 29),
    datetime(2024, 2, 29, 13, 14, 15, 161718),
    datetime(2024, 2, 29, 13, 14, 15, 161718, tzinfo=UTC),
    datetime(
        2024, 2, 29, 13, 14, 15, 1, tzinfo=timezone(timedelta(hours=-9, minutes=-30))
    ),
    datetime(2024, 2, 29, 13, 14, 15, 1, tzinfo=timezone(timedelta(seconds=-20))),
    [date(2024, 1, 1), {b"x"}, {"d": datetime(2000, 1, 1, 0, 0, 0, 1)}],
]


def _value_id(value):
    if type(value) is int and value.bit_length() > 64:
        return "int of %d bits" % value.bit_length()
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


@pytest.mark.parametrize("value", VALUES, ids=_value_id)
@pytest.mark.parametrize("kind", ["persistent", "authenticated"])
def test_12_values_come_back_after_a_reload_with_their_type(
    value, kind, make_session, storage, assert_same
):
    session = signed_in(make_session)
    getattr(session, SETTER[kind])("k", value)
    assert_same(value, session.get("k"))
    restored = reload(storage)
    assert restored.type_of("k") == kind
    assert_same(value, restored.get("k"))
    assert_same(value, restored.all()["k"])
    assert_same(value, reload(storage).get("k"))


@pytest.mark.parametrize("value", VALUES, ids=_value_id)
def test_12_temporary_values_keep_their_type_in_memory(value, session, assert_same):
    session.set_temp("k", value)
    assert_same(value, session.get("k"))


class Subclass(str):
    pass


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (object(), "object"),
        (lambda: 1, "function"),
        ({1: "a"}, "int"),
        ([1, {2j}], "complex"),
        (bytearray(b"a"), "bytearray"),
        (Subclass("s"), "Subclass"),
        (timedelta(1), "timedelta"),
    ],
    ids=lambda item: item if isinstance(item, str) else None,
)
@pytest.mark.parametrize(
    "method", ["set", "set_temp", "set_persistent", "set_auth", "update", "set_default"]
)
def test_12_unsupported_values_raise_and_change_nothing(
    value, type_name, method, make_session, storage
):
    session = signed_in(make_session, "alice", "persistent")
    session.set_persistent("key", "old")
    before = storage.raw()
    storage.reset_calls()
    runs = [
        Runs(lambda: session.get("key")),
        Runs(session.all),
        Runs(lambda: "new" in session),
    ]
    # set_default of a present key sets nothing, so only a new key is checked.
    for key in ("new",) if method == "set_default" else ("key", "new"):
        with pytest.raises(TypeError) as info:
            getattr(session, method)(key, value)
        message = str(info.value)
        assert repr(key) in message
        assert type_name in message
    flush()
    assert session.get("key") == "old" and session.type_of("key") == "persistent"
    assert "new" not in session
    assert storage.raw() == before
    assert storage.count("setItem") == 0 and storage.count("removeItem") == 0
    assert [r.count for r in runs] == [1, 1, 1]


def test_12_self_referencing_list_is_refused(session):
    items = [1]
    items.append(items)
    with pytest.raises(TypeError, match=r"'loop'.*list"):
        session.set("loop", items)
    assert "loop" not in session


KEYS = [
    "",
    "plain",
    "ünïcode ✓ 𝄞",
    "with:colon",
    "__ps:",
    "__ps:nested",
    "__ps!user",
    "__ps!probe",
    " spaced ",
    "new\nline",
    '"quoted"',
    "k" * 10000,
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: repr(k)[:30])
def test_12_any_str_key_round_trips(key, make_session, storage):
    session = signed_in(make_session)
    session.set_persistent(key, [key])
    session.set_auth(key + "#auth", key)
    session.set_temp(key + "#temp", 1)
    assert session.get(key) == [key]
    restored = reload(storage)
    assert restored.get(key) == [key]
    assert restored.get(key + "#auth") == key
    assert restored.get(key + "#temp") is None
    assert restored.user_id == "alice"
    restored.clear(key)
    assert reload(storage).get(key) is None
    assert reload(storage).get(key + "#auth") == key


def test_12_the_empty_key_is_a_key(session):
    session.set("", "value")
    assert "" in session
    assert session.get("") == "value"
    assert session.keys() == [""]
    session.clear("")
    assert "" not in session


# ------------------------------------------------- storage rules


def test_storage_only_our_prefixed_entries_are_written(make_session, storage):
    session = signed_in(make_session)
    for index, kind in enumerate(KINDS * 3):
        getattr(session, SETTER[kind])("k%d" % index, index)
    session.make_temp("k1")
    session.make_persistent("k0")
    session.update("k2", 99)
    session.clear("k4")
    for method, name in storage.calls:
        if method in ("setItem", "removeItem"):
            assert name.startswith(PREFIX) or name == USER
    for name in storage.raw():
        assert name.startswith(PREFIX) or name == USER


def test_storage_foreign_entries_are_never_read_changed_or_removed():
    storage = PlainStorage(FOREIGN)
    storage._items[PREFIX + "mine"] = '[1,"p","stored"]'
    session = PersistentSession(storage, default_method="persistent")
    assert session.get("mine") == "stored"
    session.set_user("alice")
    session.set("a", 1)
    session.set_auth("b", 2)
    session.make_temp("a")
    session.make_persistent("a")
    session.clear_persistent()
    session.clear_auth()
    session.set_persistent("c", 3)
    session.clear("c")
    session.set_temp("d", 4)
    session.clear_temp()
    session.set_user("bob")
    session.set_user(None)
    session.set_persistent("e", 5)
    session.clear()
    PersistentSession(storage)  # a reload reads again
    for method, name in storage.calls:
        if method in ("getItem", "setItem", "removeItem"):
            assert name not in FOREIGN, (method, name)
        assert method != "clear"
    for name, value in FOREIGN.items():
        assert storage._items[name] == value


@pytest.mark.parametrize("stored_keys", [0, 1, 500])
@pytest.mark.parametrize(
    "method", ["set", "set_persistent", "set_auth", "update", "set_default"]
)
def test_storage_one_set_item_per_set_whatever_the_number_of_keys(
    stored_keys, method, make_session, storage
):
    session = signed_in(make_session, "alice", "persistent")
    for index in range(stored_keys):
        session.set_persistent("other%d" % index, {"index": index})
        session.set_auth("auth%d" % index, index)
    if method == "update":
        session.set_persistent("k", 0)
    restored = reload(storage, "persistent")
    storage.reset_calls()
    getattr(restored, method)("k", [1, 2, 3])
    assert storage.calls == [("setItem", PREFIX + "k")]


def test_storage_temporary_sets_touch_no_storage(session, storage):
    storage.reset_calls()
    session.set_temp("a", 1)
    session.set("b", 2)
    session.update("a", 3)
    session.set_default_temp("c", 4)
    session.set_auth("d", 5)  # nobody signed in: memory only
    assert storage.calls == []


def test_storage_reads_make_no_storage_call(make_session, storage):
    session = signed_in(make_session)
    session.set_persistent("p", [1, {"a": 2}])
    session.set_auth("a", {3})
    session.set_temp("t", (4,))
    restored = reload(storage)
    restored.set_temp("t", (4,))
    storage.reset_calls()
    runs = Runs(lambda: [restored.get(k) for k in ("p", "a", "t", "missing")])
    for key in ("p", "a", "t", "missing"):
        restored.get(key)
        restored.equals(key, 1)
        assert (key in restored) == (key != "missing")
        restored.type_of(key)
    restored.all()
    restored.keys()
    assert restored.user_id == "alice"
    assert runs.count == 1
    assert storage.calls == []


def test_storage_keeps_no_key_list(make_session, storage):
    session = signed_in(make_session)
    session.set_persistent({"a": 1, "b": 2})
    session.set_auth({"c": 3})
    session.set_temp({"d": 4})
    assert sorted(storage.raw()) == sorted(
        [USER, PREFIX + "a", PREFIX + "b", PREFIX + "c"]
    )
    assert storage.raw()[PREFIX + "a"] == '[1,"p",1]'
    assert storage.raw()[PREFIX + "c"] == '[1,"a",3,"alice"]'
    session.clear("a")
    assert sorted(storage.raw()) == sorted([USER, PREFIX + "b", PREFIX + "c"])


def test_storage_format_uses_codec_tags(session, storage):
    session.set_persistent("t", (1, {2}))
    assert storage.raw()[PREFIX + "t"] == '[1,"p",{"$tuple":[1,{"$set":[2]}]}]'


def test_storage_restore_reads_each_entry_of_ours_once():
    storage = PlainStorage(FOREIGN)
    for index in range(20):
        storage._items[PREFIX + str(index)] = '[1,"p",%d]' % index
    session = PersistentSession(storage)
    assert len(session.keys()) == 20
    reads = [name for method, name in storage.calls if method == "getItem"]
    assert sorted(reads) == sorted([USER] + [PREFIX + str(i) for i in range(20)])


def test_storage_a_failed_write_keeps_the_previous_value(session, storage):
    session.set_persistent("k", "old")
    storage.fail_next_writes = 1
    with pytest.raises(QuotaExceededError) as info:
        session.set_persistent("k", "new")
    assert isinstance(info.value, StorageError)
    assert info.value.key == "k"
    assert session.get("k") == "old"
    assert entry(storage, "k") == [1, "p", "old"]


def test_storage_a_failed_dict_write_is_all_or_nothing(session, storage):
    session.set_persistent({"a": "old a", "b": "old b"})
    storage.fail_writes = 20
    with pytest.raises(StorageError):
        session.set_persistent({"a": "new", "b": "a much longer new value"})
    storage.fail_writes = None
    assert session.all() == {"a": "old a", "b": "old b"}
    assert entry(storage, "a") == [1, "p", "old a"]
    assert entry(storage, "b") == [1, "p", "old b"]


# ------------------------------------------------- reload


def test_reload_brings_back_each_type(make_session, storage):
    session = signed_in(make_session)
    session.set_temp("t", "temp")
    session.set_persistent("p", "pers")
    session.set_auth("a", "auth")
    restored = reload(storage)
    assert restored.all() == {"p": "pers", "a": "auth"}
    assert restored.type_of("t") is None
    assert restored.type_of("p") == "persistent"
    assert restored.type_of("a") == "authenticated"
    assert restored.user_id == "alice"


def test_reload_keeps_authenticated_values_only_for_the_stored_user(
    make_session, storage
):
    session = signed_in(make_session, "alice")
    session.set_auth("a", "alice's")
    session.set_persistent("p", "anyone's")
    storage.setItem(USER, json.dumps("bob"))  # bob signed in elsewhere
    restored = reload(storage)
    assert restored.user_id == "bob"
    assert "a" not in restored
    assert entry(storage, "a") is None  # removed before anyone could read it
    assert restored.get("p") == "anyone's"


def test_reload_drops_authenticated_values_when_nobody_is_signed_in(
    make_session, storage
):
    session = signed_in(make_session, "alice")
    session.set_auth("a", 1)
    storage.removeItem(USER)  # signed out while the page was closed
    restored = reload(storage)
    assert restored.user_id is None
    assert restored.get("a") is None
    assert entry(storage, "a") is None


def test_reload_with_an_unreadable_user_entry_drops_authenticated_values(
    make_session, storage
):
    session = signed_in(make_session, "alice")
    session.set_auth("a", 1)
    storage.setItem(USER, "{not json")
    restored = reload(storage)
    assert restored.user_id is None
    assert "a" not in restored


def test_reload_after_sign_out_has_no_authenticated_values(make_session, storage):
    session = signed_in(make_session, "alice")
    session.set_auth("a", 1)
    session.set_persistent("p", 2)
    session.set_user(None)
    assert USER not in storage.raw()
    restored = reload(storage)
    assert restored.all() == {"p": 2}


def test_reload_removes_a_leftover_temporary_marker(storage):
    storage._items[PREFIX + "k"] = '[1,"t","x"]'
    restored = reload(storage)
    assert "k" not in restored
    assert PREFIX + "k" not in storage.raw()


def test_reload_of_a_make_temp_key(session, storage):
    session.set_persistent("k", 1)
    session.make_temp("k")
    assert reload(storage).get("k") is None


def test_reload_uses_the_new_default_for_new_keys_only(session, storage):
    session.set_persistent("p", 1)
    restored = reload(storage, "temporary")
    assert restored.type_of("p") == "persistent"
    restored.update("p", 2)
    assert reload(storage).get("p") == 2


# ------------------------------------------------- aliases, start, key types

ALIASES = {
    "setTemp": "set_temp",
    "setPersistent": "set_persistent",
    "setAuth": "set_auth",
    "setDefault": "set_default",
    "setDefaultTemp": "set_default_temp",
    "setDefaultPersistent": "set_default_persistent",
    "setDefaultAuth": "set_default_auth",
    "makeTemp": "make_temp",
    "makePersistent": "make_persistent",
    "makeAuth": "make_auth",
    "clearTemp": "clear_temp",
    "clearPersistent": "clear_persistent",
    "clearAuth": "clear_auth",
    "setUser": "set_user",
}


@pytest.mark.parametrize(("camel", "snake"), ALIASES.items())
def test_every_meteor_name_is_the_same_function(camel, snake, session):
    assert getattr(PersistentSession, camel) is getattr(PersistentSession, snake)
    assert getattr(session, camel) == getattr(session, snake)


def test_every_camel_case_name_is_an_alias():
    for name in dir(PersistentSession):
        if name.startswith("_") or name.islower():
            continue
        snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
        assert getattr(PersistentSession, name) is getattr(PersistentSession, snake), (
            name
        )


def test_plain_method_names_exist(session):
    for name in ("set", "update", "clear", "get", "equals", "all"):
        assert callable(getattr(session, name))


def test_meteor_aliases_work(session, storage):
    session.setPersistent("p", 1)
    session.setTemp("t", 2)
    session.setDefault("d", 3)
    session.setUser("alice")
    session.setAuth("a", 4)
    session.makeTemp("p")
    session.makePersistent("t")
    session.makeAuth("d")
    assert [session.type_of(k) for k in "ptda"] == [
        "temporary",
        "persistent",
        "authenticated",
        "authenticated",
    ]
    session.clearAuth()
    session.clearPersistent()
    session.clearTemp()
    assert session.all() == {}


def _calls_before_start():
    return [
        ("get", lambda s: s.get("k")),
        ("equals", lambda s: s.equals("k", 1)),
        ("all", lambda s: s.all()),
        ("in", lambda s: "k" in s),
        ("type_of", lambda s: s.type_of("k")),
        ("keys", lambda s: s.keys()),
        ("user_id", lambda s: s.user_id),
        ("storage_name", lambda s: s.storage_name),
        ("set", lambda s: s.set("k", 1)),
        ("set dict", lambda s: s.set({"k": 1})),
        ("set_temp", lambda s: s.set_temp("k", 1)),
        ("set_persistent", lambda s: s.set_persistent("k", 1)),
        ("set_auth", lambda s: s.set_auth("k", 1)),
        ("update", lambda s: s.update("k", 1)),
        ("set_default", lambda s: s.set_default("k", 1)),
        ("set_default_temp", lambda s: s.set_default_temp("k", 1)),
        ("set_default_persistent", lambda s: s.set_default_persistent("k", 1)),
        ("set_default_auth", lambda s: s.set_default_auth("k", 1)),
        ("make_temp", lambda s: s.make_temp("k")),
        ("make_persistent", lambda s: s.make_persistent("k")),
        ("make_auth", lambda s: s.make_auth("k")),
        ("clear", lambda s: s.clear()),
        ("clear key", lambda s: s.clear("k")),
        ("clear_temp", lambda s: s.clear_temp()),
        ("clear_persistent", lambda s: s.clear_persistent()),
        ("clear_auth", lambda s: s.clear_auth()),
        ("set_user", lambda s: s.set_user("alice")),
        ("setPersistent", lambda s: s.setPersistent("k", 1)),
    ]


@pytest.mark.parametrize(
    ("name", "call"),
    _calls_before_start(),
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_methods_before_start_raise_runtime_error(name, call):
    session = PersistentSession()
    assert not session.started
    with pytest.raises(RuntimeError, match=r"await start\(\)"):
        call(session)


def test_the_page_singleton_is_not_started_on_import():
    session = persistent_session.Session
    assert isinstance(session, PersistentSession)
    if not session.started:
        with pytest.raises(RuntimeError, match=r"await start\(\)"):
            session.get("k")


def test_attach_starts_a_waiting_session(storage):
    storage.setItem(PREFIX + "k", '[1,"p",1]')
    session = PersistentSession()
    session.attach(storage, "persistent")
    assert session.started
    assert session.get("k") == 1
    assert session.default_method == "persistent"
    with pytest.raises(RuntimeError):
        session.attach(storage)


def _calls_with_key(key):
    return [
        ("get", lambda s: s.get(key)),
        ("equals", lambda s: s.equals(key, 1)),
        ("in", lambda s: key in s),
        ("type_of", lambda s: s.type_of(key)),
        ("set", lambda s: s.set(key, 1)),
        ("set_temp", lambda s: s.set_temp(key, 1)),
        ("set_persistent", lambda s: s.set_persistent(key, 1)),
        ("set_auth", lambda s: s.set_auth(key, 1)),
        ("update", lambda s: s.update(key, 1)),
        ("set_default", lambda s: s.set_default(key, 1)),
        ("set_default_temp", lambda s: s.set_default_temp(key, 1)),
        ("set_default_persistent", lambda s: s.set_default_persistent(key, 1)),
        ("set_default_auth", lambda s: s.set_default_auth(key, 1)),
        ("make_temp", lambda s: s.make_temp(key)),
        ("make_persistent", lambda s: s.make_persistent(key)),
        ("make_auth", lambda s: s.make_auth(key)),
        ("clear", lambda s: s.clear(key)),
    ]


@pytest.mark.parametrize(
    ("key", "type_name"),
    [(1, "int"), (b"k", "bytes"), (("k",), "tuple"), (1.5, "float")],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_non_str_keys_raise_type_error_naming_the_type(
    key, type_name, session, storage
):
    for name, call in _calls_with_key(key):
        with pytest.raises(TypeError) as info:
            call(session)
        assert type_name in str(info.value), name
    assert session.all() == {}
    assert storage.count("setItem") == 0


def test_none_key_is_refused_where_a_key_is_required(session):
    with pytest.raises(TypeError, match="NoneType"):
        session.set(None, 1)
    with pytest.raises(TypeError, match="NoneType"):
        session.get(None)


def test_set_user_requires_a_str_or_none(session):
    with pytest.raises(TypeError, match="int"):
        session.set_user(7)


def test_storage_name_and_started(session):
    assert session.started
    assert session.storage_name == "storage"

"""Storage faults, unreadable entries, foreign entries, bad values and keys.

Each fault must end in a clear error or a logged fallback, with nothing that
was already stored lost.
"""

import json
import logging
from datetime import date, datetime

import pytest
from conftest import FakeStorage

from persistent_session import (
    PersistentSession,
    QuotaExceededError,
    SessionError,
    StorageError,
    autorun,
    flush,
)
from persistent_session.storage import MemoryStorage, StorageArea, open_storage

BIG = "x" * 200
QUOTA = 100


def watch(read):
    """Run `read` in an autorun and return the list of its results, one per run."""
    results = []
    autorun(lambda computation: results.append(read()))
    return results


def persistent_text(value):
    return '[1,"p",' + json.dumps(value, separators=(",", ":")) + "]"


def warnings_of(caplog):
    return [record for record in caplog.records if record.levelno == logging.WARNING]


# ------------------------------------------------------ choosing storage


class SecurityError(Exception):
    """What a browser raises on reading `window.localStorage` when blocked."""

    name = "SecurityError"


def blocked():
    raise SecurityError("The operation is insecure.")


def full_storage():
    storage = FakeStorage()
    storage.fail_writes = 0
    return storage


class ForgetfulStorage(MemoryStorage):
    """A storage that accepts writes and keeps none of them."""

    def setItem(self, name, value):
        pass


def test_open_storage_first_usable(caplog):
    local = FakeStorage()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage([("localStorage", lambda: local)])

    assert name == "localStorage"
    assert storage is local
    assert caplog.records == []


def test_open_storage_probe_removed():
    local = FakeStorage()

    open_storage([("localStorage", lambda: local)])

    assert local.raw() == {}
    assert local.count("setItem") == 1
    assert local.count("removeItem") == 1


def test_open_storage_probe_keeps_entries():
    local = FakeStorage()
    local.setItem("__ps:theme", persistent_text("dark"))
    local.setItem("theme", "light")

    open_storage([("localStorage", lambda: local)])

    assert local.raw() == {"__ps:theme": persistent_text("dark"), "theme": "light"}


def test_open_storage_security_error(caplog):
    session_storage = FakeStorage()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage(
            [("localStorage", blocked), ("sessionStorage", lambda: session_storage)]
        )

    assert name == "sessionStorage"
    assert storage is session_storage
    assert len(warnings_of(caplog)) == 1
    assert "localStorage" in caplog.text
    assert "SecurityError" in caplog.text


def test_open_storage_all_blocked(caplog):
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage(
            [("localStorage", blocked), ("sessionStorage", blocked)]
        )

    assert name == "memory"
    assert isinstance(storage, MemoryStorage)
    assert len(warnings_of(caplog)) == 1
    assert "localStorage" in caplog.text
    assert "sessionStorage" in caplog.text
    assert "SecurityError" in caplog.text


def test_open_storage_quota_zero(caplog):
    local = full_storage()
    session_storage = FakeStorage()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage(
            [
                ("localStorage", lambda: local),
                ("sessionStorage", lambda: session_storage),
            ]
        )

    assert name == "sessionStorage"
    assert storage is session_storage
    assert len(warnings_of(caplog)) == 1
    assert "localStorage" in caplog.text
    assert "quota" in caplog.text.lower()


def test_open_storage_every_write_fails(caplog):
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage(
            [("localStorage", full_storage), ("sessionStorage", full_storage)]
        )

    assert name == "memory"
    assert isinstance(storage, MemoryStorage)
    assert len(warnings_of(caplog)) == 1


def test_open_storage_write_not_kept(caplog):
    session_storage = FakeStorage()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, _storage = open_storage(
            [
                ("localStorage", ForgetfulStorage),
                ("sessionStorage", lambda: session_storage),
            ]
        )

    assert name == "sessionStorage"
    assert len(warnings_of(caplog)) == 1
    assert "localStorage" in caplog.text


def test_open_storage_missing(caplog):
    session_storage = FakeStorage()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, _storage = open_storage(
            [
                ("localStorage", lambda: None),
                ("sessionStorage", lambda: session_storage),
            ]
        )

    assert name == "sessionStorage"
    assert "localStorage" in caplog.text


def test_open_storage_no_candidates(caplog):
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        name, storage = open_storage([])

    assert name == "memory"
    assert isinstance(storage, MemoryStorage)
    assert len(warnings_of(caplog)) == 1


def test_open_storage_fallback_usable(make_session):
    name, storage = open_storage([("localStorage", blocked)])

    session = make_session("persistent", over=storage)
    session.set("theme", "dark")
    reloaded = make_session("persistent", over=storage)

    assert name == "memory"
    assert reloaded.get("theme") == "dark"


# --------------------------------------------------- quota in mid-session


def test_quota_set_raises(session, storage):
    session.set_persistent("draft", "short")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError) as caught:
        session.set_persistent("draft", BIG)

    size = len(persistent_text(BIG))
    assert caught.value.key == "draft"
    assert caught.value.size == size
    assert "'draft'" in str(caught.value)
    assert str(size) in str(caught.value)


def test_quota_error_classes():
    assert issubclass(QuotaExceededError, StorageError)
    assert issubclass(StorageError, SessionError)
    assert issubclass(SessionError, Exception)


def test_quota_set_keeps_previous(session, storage):
    session.set_persistent("draft", "short")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)

    assert session.get("draft") == "short"
    assert storage.raw()["__ps:draft"] == persistent_text("short")


def test_quota_set_no_rerun(session, storage):
    session.set_persistent("draft", "short")
    seen = watch(lambda: session.get("draft"))
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)
    flush()

    assert seen == ["short"]


def test_quota_new_key_absent(session, storage):
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)

    assert "draft" not in session
    assert "__ps:draft" not in storage.raw()


def test_quota_keeps_previous_type(session, storage):
    session.set_temp("draft", "short")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)

    assert session.type_of("draft") == "temporary"
    assert session.get("draft") == "short"


def test_quota_other_keys_unaffected(session, storage):
    session.set_persistent({"theme": "dark", "draft": "short"})
    session.set_temp("menu", True)
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)
    session.set_persistent("theme", "light")

    assert session.all() == {"theme": "light", "draft": "short", "menu": True}
    assert storage.raw()["__ps:theme"] == persistent_text("light")


def test_quota_then_space_freed(session, storage):
    storage.fail_writes = QUOTA
    with pytest.raises(QuotaExceededError):
        session.set_persistent("draft", BIG)

    storage.fail_writes = None
    session.set_persistent("draft", BIG)

    assert storage.raw()["__ps:draft"] == persistent_text(BIG)


@pytest.mark.parametrize(
    "method", ["set", "set_auth", "set_default", "set_default_persistent"]
)
def test_quota_each_method(make_session, storage, method):
    session = make_session("persistent")
    session.set_user("alice")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        getattr(session, method)("draft", BIG)

    assert "draft" not in session
    assert "__ps:draft" not in storage.raw()


def test_quota_update(session, storage):
    session.set_user("alice")
    session.set_auth("draft", "short")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.update("draft", BIG)

    assert session.get("draft") == "short"
    assert storage.raw()["__ps:draft"] == '[1,"a","short","alice"]'


def test_quota_dict_all_or_nothing(session, storage):
    session.set_persistent({"a": 1, "b": 2})
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError) as caught:
        session.set_persistent({"a": 10, "new": 3, "big": BIG, "b": 20})

    assert caught.value.key == "big"
    assert session.all() == {"a": 1, "b": 2}
    assert storage.raw() == {
        "__ps:a": persistent_text(1),
        "__ps:b": persistent_text(2),
    }


def test_quota_dict_no_rerun(session, storage):
    session.set_persistent({"a": 1})
    seen = watch(session.all)
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent({"a": 10, "big": BIG})
    flush()

    assert seen == [{"a": 1}]


def test_quota_dict_undoes_type_change(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ["apple"])
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent({"cart": ["pear"], "big": BIG})

    assert session.type_of("cart") == "authenticated"
    assert storage.raw()["__ps:cart"] == '[1,"a",["apple"],"alice"]'


def test_quota_update_dict(session, storage):
    session.set_persistent("a", 1)
    session.set_temp("t", 1)
    session.set_persistent("big", "short")
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.update({"a": 2, "t": 2, "big": BIG})

    assert session.all() == {"a": 1, "t": 1, "big": "short"}
    assert storage.raw()["__ps:a"] == persistent_text(1)


def test_quota_next_write(session, storage):
    session.set_persistent({"a": 1, "b": 2})
    storage.fail_next_writes = 1

    with pytest.raises(QuotaExceededError) as caught:
        session.set_persistent({"a": 10, "b": 20})

    assert caught.value.key == "a"
    assert session.all() == {"a": 1, "b": 2}


def test_quota_make_persistent(session, storage):
    session.set_temp("draft", BIG)
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.make_persistent("draft")

    assert session.type_of("draft") == "temporary"
    assert "__ps:draft" not in storage.raw()


def test_quota_make_auth(session, storage):
    session.set_user("alice")
    session.set_persistent("draft", "y" * 90)
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.make_auth("draft")

    assert session.type_of("draft") == "persistent"
    assert storage.raw()["__ps:draft"] == persistent_text("y" * 90)


def test_quota_make_temp_marker_logged(session, storage, caplog):
    session.set_persistent("draft", "short")
    storage.fail_next_writes = 1

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        session.make_temp("draft")

    assert session.type_of("draft") == "temporary"
    assert "__ps:draft" not in storage.raw()
    assert "'draft'" in caplog.text


class BrokenStorage(FakeStorage):
    """A storage whose writes fail for a reason other than the quota."""

    def setItem(self, name, value):
        if name.startswith("__ps:"):
            raise OSError("the disk is read-only")
        super().setItem(name, value)


def test_write_failure_not_quota(make_session):
    session = make_session(over=BrokenStorage())

    with pytest.raises(StorageError) as caught:
        session.set_persistent("draft", "short")

    assert not isinstance(caught.value, QuotaExceededError)
    assert caught.value.key == "draft"
    assert "read-only" in str(caught.value)
    assert "draft" not in session


def test_quota_sign_in_raises(session, storage):
    storage.fail_next_writes = 1

    with pytest.raises(QuotaExceededError) as caught:
        session.set_user("alice")

    assert caught.value.key == "__ps!user"
    assert "'alice'" in str(caught.value)


def test_quota_sign_in_nobody_signed_in(session, storage):
    session.set_auth("cart", ["apple"])
    storage.fail_next_writes = 1

    with pytest.raises(QuotaExceededError):
        session.set_user("alice")

    assert session.user_id is None
    assert "__ps!user" not in storage.raw()
    assert session.get("cart") == ["apple"]
    assert "__ps:cart" not in storage.raw()


def test_quota_switch_user_signs_out(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ["apple"])
    seen = watch(lambda: session.user_id)
    storage.fail_next_writes = 1

    with pytest.raises(QuotaExceededError):
        session.set_user("bob")
    flush()

    assert session.user_id is None
    assert session.get("cart") is None
    assert storage.raw() == {}
    assert seen == ["alice", None]


# -------------------------------------------------------- unreadable entries

UNREADABLE = {
    "invalid_json": "{not json",
    "truncated": '[1,"p","dar',
    "unknown_code": '[1,"x","dark"]',
    "unknown_tag": '[1,"p",{"$color":"dark"}]',
    "bad_tag_payload": '[1,"p",{"$bytes":1}]',
    "bad_date": '[1,"p",{"$date":"2024-13-45"}]',
    "newer_version": '[2,"p","dark"]',
    "newer_auth": '[2,"a","dark","alice"]',
    "no_version": '["p","dark"]',
    "too_short": '[1,"p"]',
    "too_long": '[1,"p","dark","extra"]',
    "not_array": '{"theme":"dark"}',
    "plain_string": '"dark"',
}


@pytest.fixture(params=list(UNREADABLE), ids=list(UNREADABLE))
def unreadable(request, storage):
    """Storage with one unreadable entry ("broken") and one good one."""
    text = UNREADABLE[request.param]
    storage.setItem("__ps:broken", text)
    storage.setItem("__ps:theme", persistent_text("dark"))
    return text


def test_unreadable_skipped(unreadable, make_session):
    session = make_session()

    assert session.get("broken") is None
    assert "broken" not in session


def test_unreadable_others_restored(unreadable, make_session):
    session = make_session()

    assert session.all() == {"theme": "dark"}


def test_unreadable_warning_names_key(unreadable, make_session, caplog):
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        make_session()

    assert len(warnings_of(caplog)) == 1
    assert "'broken'" in caplog.text


def test_unreadable_warning_hides_value(unreadable, make_session, caplog):
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        make_session()

    assert "dark" not in caplog.text


def test_unreadable_left_untouched(unreadable, make_session, storage):
    session = make_session()
    session.set_persistent("theme", "light")
    session.set_temp("menu", True)
    session.clear_persistent()
    session.clear_temp()

    assert storage.raw()["__ps:broken"] == unreadable


def test_unreadable_left_by_reload(unreadable, make_session, storage):
    make_session()
    make_session()

    assert storage.raw()["__ps:broken"] == unreadable


def test_unreadable_replaced_on_set(unreadable, make_session, storage):
    session = make_session()

    session.set_persistent("broken", "fixed")
    reloaded = make_session()

    assert storage.raw()["__ps:broken"] == persistent_text("fixed")
    assert reloaded.get("broken") == "fixed"


def test_unreadable_removed_on_set_temp(unreadable, make_session, storage):
    session = make_session()

    session.set_temp("broken", "fixed")

    assert "__ps:broken" not in storage.raw()
    assert session.get("broken") == "fixed"


def test_unreadable_removed_on_clear_key(unreadable, make_session, storage):
    session = make_session()

    session.clear("broken")

    assert "__ps:broken" not in storage.raw()


def test_unreadable_removed_on_clear(unreadable, make_session, storage):
    session = make_session()

    session.clear()

    assert storage.raw() == {}


def test_unreadable_kept_on_failed_dict_set(unreadable, make_session, storage):
    session = make_session()
    storage.fail_writes = QUOTA

    with pytest.raises(QuotaExceededError):
        session.set_persistent({"broken": "fixed", "big": BIG})

    assert storage.raw()["__ps:broken"] == unreadable


def test_unreadable_replaced_after_failed_set(unreadable, make_session, storage):
    session = make_session()
    storage.fail_writes = QUOTA
    with pytest.raises(QuotaExceededError):
        session.set_persistent({"broken": "fixed", "big": BIG})
    storage.fail_writes = None

    session.set_temp("broken", "temporary")

    assert "__ps:broken" not in storage.raw()


@pytest.mark.parametrize(
    "stored",
    [
        '{"__class__":"os.system","args":["ls"]}',
        '{"$dict":{"$tuple":[1]}}',
        '[{"$set":[1,"a"]},{"$frozenset":[]},{"$float":"-inf"}]',
        '{"$tuple":[{"$bytes":"AA=="},{"$date":"2024-05-01"}]}',
    ],
)
def test_decoding_builds_documented_types(storage, make_session, stored):
    storage.setItem("__ps:value", '[1,"p",' + stored + "]")
    allowed = {
        type(None), bool, int, float, str, list, tuple, dict,
        set, frozenset, bytes, date, datetime,
    }  # fmt: skip

    session = make_session()
    value = session.get("value")

    assert "value" in session
    pending = [value]
    while pending:
        item = pending.pop()
        assert type(item) in allowed
        if type(item) is dict:
            pending.extend(item.values())
        elif type(item) in (list, tuple, set, frozenset):
            pending.extend(item)


# ------------------------------------------------------- foreign entries

FOREIGN = {
    "theme": "light",
    "cart": '[1,"a",["x"],"alice"]',
    "__ps": '[1,"p",1]',
    "__psx": '[1,"p",1]',
    "ps:theme": '[1,"p",1]',
    "__PS:theme": '[1,"p",1]',
    "user": '"alice"',
}


@pytest.fixture
def foreign(storage):
    for name, text in FOREIGN.items():
        storage.setItem(name, text)
    storage.reset_calls()
    return storage


def foreign_calls(storage):
    return [(method, name) for method, name in storage.calls if name in FOREIGN]


def foreign_entries(storage):
    return {name: text for name, text in storage.raw().items() if name in FOREIGN}


def test_foreign_ignored_at_start(foreign, make_session):
    session = make_session()

    assert session.all() == {}
    assert foreign_calls(foreign) == []


def test_foreign_untouched_by_api(foreign, make_session):
    session = make_session()
    session.set_persistent({"theme": "dark", "cart": ["apple"]})
    session.set_user("alice")
    session.set_auth("user", "me")
    session.make_temp("theme")
    session.set_user("bob")
    session.clear_auth()
    session.clear_persistent()
    session.set_user(None)
    session.clear()

    assert foreign_entries(foreign) == FOREIGN
    assert foreign_calls(foreign) == []


def test_foreign_untouched_by_resync(foreign, make_session):
    session = make_session()
    session.set_persistent("theme", "dark")

    session.handle_storage_event(None, None)

    assert session.all() == {"theme": "dark"}
    assert foreign_entries(foreign) == FOREIGN
    assert foreign_calls(foreign) == []


# ------------------------------------------------------------ bad values


class Opaque:
    pass


def self_list():
    items = [1]
    items.append(items)
    return items


def self_dict():
    mapping = {"a": 1}
    mapping["self"] = mapping
    return mapping


BAD_VALUES = {
    "function": (len, "builtin_function_or_method"),
    "lambda": (lambda: 1, "function"),
    "object": (object(), "object"),
    "instance": (Opaque(), "Opaque"),
    "class": (Opaque, "type"),
    "complex": (1j, "complex"),
    "bytearray": (bytearray(b"x"), "bytearray"),
    "range": (range(3), "range"),
    "int_key": ({1: "a"}, "int"),
    "tuple_key": ({("a",): 1}, "tuple"),
    "nested": ([1, {"a": (2, object())}], "object"),
    "in_set": ({1, Opaque()}, "Opaque"),
    "self_list": (self_list(), "list"),
    "self_dict": (self_dict(), "dict"),
}

SETTERS = [
    "set",
    "set_temp",
    "set_persistent",
    "set_auth",
    "update",
    "set_default",
    "set_default_temp",
    "set_default_persistent",
    "set_default_auth",
]


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_value_names_key_and_type(session, case):
    value, type_name = BAD_VALUES[case]

    with pytest.raises(TypeError) as caught:
        session.set_persistent("doc", value)

    assert "'doc'" in str(caught.value)
    assert type_name in str(caught.value)


@pytest.mark.parametrize("case", list(BAD_VALUES))
@pytest.mark.parametrize("method", SETTERS)
def test_bad_value_changes_nothing(make_session, storage, method, case):
    session = make_session("persistent")
    session.set_user("alice")
    session.set_persistent("doc", "kept")
    seen = watch(session.all)
    storage.reset_calls()

    with pytest.raises(TypeError):
        getattr(session, method)("doc", BAD_VALUES[case][0])
    flush()

    assert session.get("doc") == "kept"
    assert session.type_of("doc") == "persistent"
    assert storage.raw()["__ps:doc"] == persistent_text("kept")
    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0
    assert seen == [{"doc": "kept"}]


@pytest.mark.parametrize("method", SETTERS)
def test_bad_value_in_dict_sets_nothing(make_session, storage, method):
    session = make_session("persistent")
    session.set_persistent("doc", "kept")
    storage.reset_calls()

    with pytest.raises(TypeError) as caught:
        getattr(session, method)({"first": 1, "doc": 2, "bad": Opaque(), "last": 3})

    assert "'bad'" in str(caught.value)
    assert session.all() == {"doc": "kept"}
    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0


@pytest.mark.parametrize("method", SETTERS)
def test_set_without_value_rejected(session, method):
    with pytest.raises(TypeError, match=method):
        getattr(session, method)("doc")


# ------------------------------------------------------------------- keys

KEYS = {
    "empty": "",
    "space": " ",
    "unicode": "ключ🔑日本",
    "prefix": "__ps:theme",
    "prefix_only": "__ps:",
    "user_entry": "__ps!user",
    "colon": "a:b",
    "colon_only": ":",
    "separator_inside": "x__ps:y",
    "quote": 'say "hi"\n',
    "long": "k" * 10_000,
}


@pytest.mark.parametrize("case", list(KEYS))
def test_key_round_trips_reload(session, make_session, case):
    key = KEYS[case]

    session.set_persistent(key, [case])
    reloaded = make_session()

    assert reloaded.get(key) == [case]
    assert reloaded.all() == {key: [case]}


@pytest.mark.parametrize("case", list(KEYS))
def test_key_stored_with_prefix(session, storage, case):
    key = KEYS[case]

    session.set_persistent(key, 1)

    assert storage.raw() == {"__ps:" + key: persistent_text(1)}


@pytest.mark.parametrize("case", list(KEYS))
def test_key_round_trips_auth(session, make_session, case):
    key = KEYS[case]
    session.set_user("alice")

    session.set_auth(key, case)
    reloaded = make_session()

    assert reloaded.get(key) == case
    assert reloaded.type_of(key) == "authenticated"


@pytest.mark.parametrize("case", list(KEYS))
def test_key_round_trips_event(session, make_session, storage, case):
    key = KEYS[case]
    other = make_session()

    session.set_persistent(key, case)
    other.handle_storage_event("__ps:" + key, storage.raw()["__ps:" + key])

    assert other.get(key) == case


@pytest.mark.parametrize("case", list(KEYS))
def test_key_cleared(session, storage, case):
    key = KEYS[case]
    session.set_persistent(key, 1)

    session.clear(key)

    assert key not in session
    assert storage.raw() == {}


def test_keys_stay_apart(session, make_session):
    for case, key in KEYS.items():
        session.set_persistent(key, case)

    reloaded = make_session()

    assert reloaded.all() == {key: case for case, key in KEYS.items()}


BAD_KEYS = [1, 1.5, None, b"key", ("a",), ["a"], True]

KEY_METHODS = [
    *SETTERS,
    "get",
    "equals",
    "type_of",
    "make_temp",
    "make_persistent",
    "make_auth",
]


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
@pytest.mark.parametrize("method", KEY_METHODS)
def test_bad_key_rejected(session, storage, method, key):
    arguments = [key] if method in ("get", "type_of") or "make" in method else [key, 1]

    with pytest.raises(TypeError) as caught:
        getattr(session, method)(*arguments)

    assert type(key).__name__ in str(caught.value)
    assert session.all() == {}
    assert storage.raw() == {}


@pytest.mark.parametrize("key", [k for k in BAD_KEYS if k is not None], ids=repr)
def test_bad_key_clear_and_in(session, key):
    session.set_persistent("theme", "dark")

    with pytest.raises(TypeError, match=type(key).__name__):
        session.clear(key)
    with pytest.raises(TypeError, match=type(key).__name__):
        _ = key in session

    assert session.all() == {"theme": "dark"}


@pytest.mark.parametrize("key", [1, ("a",), b"k"], ids=repr)
def test_bad_key_in_dict(session, storage, key):
    with pytest.raises(TypeError, match=type(key).__name__):
        session.set_persistent({"good": 1, key: 2})

    assert session.all() == {}
    assert storage.raw() == {}


def test_deeply_nested_entry_skipped(storage, caplog):
    storage.setItem("__ps:deep", '[1,"p",' + "[" * 100_000 + "]" * 100_000 + "]")
    storage.setItem("__ps:theme", '[1,"p","dark"]')
    combined_calls = []

    def read_combined(prefix):
        combined_calls.append(prefix)
        pairs = [
            "[" + json.dumps(name) + "," + text + "]"
            for name, text in storage.items()
            if name.startswith(prefix)
        ]
        return str(len(pairs)) + "|[" + ",".join(pairs) + "]"

    area = StorageArea(storage, "localStorage", read_combined=read_combined)
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        session = PersistentSession(area)

    assert combined_calls == ["__ps:"]
    assert session.get("theme") == "dark"
    assert "deep" not in session
    assert "'deep'" in caplog.text
    assert storage.raw()["__ps:deep"].startswith('[1,"p",[[[')

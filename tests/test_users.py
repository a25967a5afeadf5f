"""The user lifecycle: who owns authenticated values, and when they go.

Two sessions over one FakeStorage stand for two tabs of the same origin. The
storage events that a browser would send between them are forwarded by hand
with `handle_storage_event`.
"""

import json
import logging

import pytest

from persistent_session import autorun, flush

ALICE_CART = ["apple", "pear"]


def watch(read):
    """Run `read` in an autorun and return the list of its results, one per run."""
    results = []
    autorun(lambda computation: results.append(read()))
    return results


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


def auth_text(value, owner):
    return '[1,"a",' + dumps(value) + "," + dumps(owner) + "]"


def persistent_text(value):
    return '[1,"p",' + dumps(value) + "]"


# ------------------------------------------------------------- signing in


def test_user_id_starts_signed_out(session, storage):
    assert session.user_id is None
    assert "__ps!user" not in storage.raw()


def test_set_user_stores_user(session, storage):
    session.set_user("alice")

    assert session.user_id == "alice"
    assert storage.raw()["__ps!user"] == '"alice"'


def test_set_user_none_removes_user(session, storage):
    session.set_user("alice")
    session.set_user(None)

    assert session.user_id is None
    assert "__ps!user" not in storage.raw()


def test_user_id_reactive(session):
    seen = watch(lambda: session.user_id)

    session.set_user("alice")
    flush()
    session.set_user("alice")
    flush()
    session.set_user(None)
    flush()

    assert seen == [None, "alice", None]


def test_set_user_same_user_no_write(session, storage):
    session.set_user("alice")
    storage.reset_calls()

    session.set_user("alice")

    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0


@pytest.mark.parametrize("user_id", [1, b"alice", ["alice"], True])
def test_set_user_rejects_non_str(session, storage, user_id):
    with pytest.raises(TypeError, match=type(user_id).__name__):
        session.set_user(user_id)

    assert session.user_id is None
    assert "__ps!user" not in storage.raw()


def test_user_kept_across_reload(session, make_session):
    session.set_user("alice")

    reloaded = make_session()

    assert reloaded.user_id == "alice"


# ------------------------------------------------ ownership of set values


def test_set_auth_stores_owner(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_set_auth_visible_to_owner(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    assert session.get("cart") == ALICE_CART
    assert session.type_of("cart") == "authenticated"
    assert session.all() == {"cart": ALICE_CART}


def test_auth_restored_for_owner(session, make_session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    reloaded = make_session()

    assert reloaded.get("cart") == ALICE_CART
    assert reloaded.type_of("cart") == "authenticated"


def test_set_default_auth_owned(session, storage):
    session.set_user("alice")
    session.set_default_auth("cart", ALICE_CART)

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_auth_default_method_owned(make_session, storage):
    session = make_session("authenticated")
    session.set_user("alice")

    session.set("cart", ALICE_CART)

    assert session.type_of("cart") == "authenticated"
    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


# ------------------------------------------------------------ signing out


def test_sign_out_clears_auth_memory(session):
    session.set_user("alice")
    session.set_auth({"cart": ALICE_CART, "address": "1 Main St"})

    session.set_user(None)

    assert session.get("cart") is None
    assert session.get("address") is None
    assert "cart" not in session
    assert session.all() == {}


def test_sign_out_clears_auth_storage(session, storage):
    session.set_user("alice")
    session.set_auth({"cart": ALICE_CART, "address": "1 Main St"})

    session.set_user(None)

    assert storage.raw() == {}


def test_sign_out_keeps_other_types(session, storage):
    session.set_user("alice")
    session.set_temp("menu", True)
    session.set_persistent("theme", "dark")
    session.set_auth("cart", ALICE_CART)

    session.set_user(None)

    assert session.all() == {"menu": True, "theme": "dark"}
    assert storage.raw() == {"__ps:theme": persistent_text("dark")}


def test_sign_out_removes_unknown_stored_auth(session, storage):
    session.set_user("alice")
    # Written by another tab whose storage events this tab never received.
    storage.setItem("__ps:wishlist", auth_text(["kite"], "alice"))
    storage.setItem("__ps:left_over", auth_text(1, "mallory"))

    session.set_user(None)

    assert "__ps:wishlist" not in storage.raw()
    assert "__ps:left_over" not in storage.raw()


def test_sign_out_keeps_foreign_entries(session, storage):
    storage.setItem("cart", auth_text(["not ours"], "alice"))
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    session.set_user(None)

    assert storage.raw() == {"cart": auth_text(["not ours"], "alice")}


def test_sign_out_reruns_once(session):
    session.set_user("alice")
    session.set_auth({"cart": ALICE_CART, "address": "1 Main St"})
    seen = watch(lambda: (session.get("cart"), session.get("address")))

    session.set_user(None)
    flush()

    assert seen == [(ALICE_CART, "1 Main St"), (None, None)]


def test_sign_out_reruns_all_readers(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    seen = watch(session.all)

    session.set_user(None)
    flush()

    assert seen == [{"cart": ALICE_CART}, {}]


def test_sign_out_flips_equals(session):
    session.set_user("alice")
    session.set_auth("count", 3)
    seen = watch(lambda: session.equals("count", 3))

    session.set_user(None)
    flush()

    assert seen == [True, False]


def test_sign_out_leaves_nothing_after_reload(session, make_session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.set_user(None)

    reloaded = make_session()

    assert reloaded.user_id is None
    assert reloaded.get("cart") is None


def test_sign_in_again_sees_nothing(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.set_user(None)

    session.set_user("alice")

    assert session.get("cart") is None


# ---------------------------------------------------------- switching user


def test_switch_user_clears_previous(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    session.set_user("bob")

    assert session.get("cart") is None
    assert session.all() == {}
    assert session.equals("cart", None)
    assert "cart" not in session
    assert "__ps:cart" not in storage.raw()


def test_switch_user_stores_new_user(session, storage):
    session.set_user("alice")

    session.set_user("bob")

    assert session.user_id == "bob"
    assert storage.raw()["__ps!user"] == '"bob"'


def test_switch_user_new_values_owned(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.set_user("bob")

    session.set_auth("cart", ["bread"])

    assert storage.raw()["__ps:cart"] == auth_text(["bread"], "bob")


def test_switch_user_never_shows_previous(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    seen = watch(lambda: (session.user_id, session.get("cart")))

    session.set_user("bob")
    flush()

    assert seen == [("alice", ALICE_CART), ("bob", None)]


def test_switch_user_removes_unknown_stored_auth(session, storage):
    session.set_user("alice")
    storage.setItem("__ps:wishlist", auth_text(["kite"], "alice"))

    session.set_user("bob")

    assert "__ps:wishlist" not in storage.raw()


def test_switch_user_keeps_persistent(session, storage):
    session.set_user("alice")
    session.set_persistent("theme", "dark")
    session.set_auth("cart", ALICE_CART)

    session.set_user("bob")

    assert session.all() == {"theme": "dark"}
    assert storage.raw()["__ps:theme"] == persistent_text("dark")


# ------------------------------------------------------ start (page load)


def test_start_keeps_stored_users_auth(storage, make_session):
    storage.setItem("__ps!user", '"alice"')
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))

    session = make_session()

    assert session.get("cart") == ALICE_CART
    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_start_removes_other_owner(storage, make_session):
    storage.setItem("__ps!user", '"bob"')
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))

    session = make_session()

    assert session.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_start_removes_auth_without_user(storage, make_session):
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))

    session = make_session()

    assert session.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_start_invalid_user_entry(storage, make_session):
    storage.setItem("__ps!user", "alice")
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))

    session = make_session()

    assert session.user_id is None
    assert "__ps:cart" not in storage.raw()


@pytest.mark.parametrize(
    "text",
    [
        '[1,"a",["apple"]]',
        '[1,"a",["apple"],null]',
        '[1,"a",["apple"],42]',
        '[1,"a",{"$unknown":1},"alice"]',
    ],
    ids=["no_owner", "null_owner", "int_owner", "bad_value"],
)
def test_start_removes_unowned_auth(storage, make_session, text):
    storage.setItem("__ps!user", '"bob"')
    storage.setItem("__ps:cart", text)

    session = make_session()

    assert session.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_start_removes_before_reads(storage, make_session):
    storage.setItem("__ps!user", '"bob"')
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))

    session = make_session()

    assert session.all() == {}


def test_start_removes_temporary_marker(storage, make_session):
    storage.setItem("__ps:menu", '[1,"t",true]')

    session = make_session()

    assert session.get("menu") is None
    assert "__ps:menu" not in storage.raw()


def test_start_keeps_persistent_with_auth_removed(storage, make_session):
    storage.setItem("__ps!user", '"bob"')
    storage.setItem("__ps:cart", auth_text(ALICE_CART, "alice"))
    storage.setItem("__ps:theme", persistent_text("dark"))

    session = make_session()

    assert session.all() == {"theme": "dark"}
    assert storage.raw()["__ps:theme"] == persistent_text("dark")


# ------------------------------------------- authenticated while signed out


def test_pending_auth_not_stored(session, storage):
    session.set_auth("cart", ALICE_CART)

    assert "__ps:cart" not in storage.raw()
    assert storage.count("setItem") == 0


def test_pending_auth_readable(session):
    session.set_auth("cart", ALICE_CART)

    assert session.get("cart") == ALICE_CART
    assert session.type_of("cart") == "authenticated"


def test_pending_auth_stored_at_sign_in(session, storage):
    session.set_auth("cart", ALICE_CART)

    session.set_user("alice")

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")
    assert session.get("cart") == ALICE_CART


def test_pending_auth_sign_in_no_rerun(session):
    session.set_auth("cart", ALICE_CART)
    seen = watch(lambda: session.get("cart"))

    session.set_user("alice")
    flush()

    assert seen == [ALICE_CART]


def test_pending_auth_lost_on_reload(session, make_session):
    session.set_auth("cart", ALICE_CART)

    reloaded = make_session()

    assert reloaded.get("cart") is None


def test_pending_auth_removes_persistent_copy(session, storage):
    session.set_persistent("cart", ALICE_CART)

    session.set_auth("cart", ["bread"])

    assert "__ps:cart" not in storage.raw()


def test_pending_auth_default_method(make_session, storage):
    session = make_session("authenticated")

    session.set("cart", ALICE_CART)

    assert session.type_of("cart") == "authenticated"
    assert storage.raw() == {}


def test_pending_auth_after_sign_out(session, storage):
    session.set_user("alice")
    session.set_user(None)

    session.set_auth("cart", ALICE_CART)

    assert "__ps:cart" not in storage.raw()


def test_pending_auth_store_failure_logged(session, storage, caplog):
    session.set_auth("cart", "x" * 100)
    storage.fail_writes = 50

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        session.set_user("alice")

    assert session.user_id == "alice"
    assert "'cart'" in caplog.text
    assert "__ps:cart" not in storage.raw()
    assert session.get("cart") == "x" * 100


# ------------------------------------------- the other methods, same rules


def test_set_default_auth_pending(session, storage):
    session.set_default_auth("cart", ALICE_CART)

    assert session.get("cart") == ALICE_CART
    assert "__ps:cart" not in storage.raw()


def test_set_default_auth_keeps_existing(session, storage):
    session.set_user("alice")
    session.set_persistent("cart", ["bread"])

    session.set_default_auth("cart", ALICE_CART)

    assert session.type_of("cart") == "persistent"
    assert storage.raw()["__ps:cart"] == persistent_text(["bread"])


def test_set_default_auth_cleared_on_sign_out(session):
    session.set_user("alice")
    session.set_default_auth("cart", ALICE_CART)

    session.set_user(None)

    assert session.get("cart") is None


def test_make_auth_stores_owner(session, storage):
    session.set_user("alice")
    session.set_persistent("cart", ALICE_CART)

    session.make_auth("cart")

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_make_auth_from_temp_stores(session, storage):
    session.set_user("alice")
    session.set_temp("cart", ALICE_CART)

    session.make_auth("cart")

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_make_auth_signed_out_removes_copy(session, storage):
    session.set_persistent("cart", ALICE_CART)

    session.make_auth("cart")

    assert session.type_of("cart") == "authenticated"
    assert "__ps:cart" not in storage.raw()


def test_make_auth_stored_at_sign_in(session, storage):
    session.set_persistent("cart", ALICE_CART)
    session.make_auth("cart")

    session.set_user("alice")

    assert storage.raw()["__ps:cart"] == auth_text(ALICE_CART, "alice")


def test_make_auth_cleared_on_sign_out(session, storage):
    session.set_user("alice")
    session.set_persistent("cart", ALICE_CART)
    session.make_auth("cart")

    session.set_user(None)

    assert session.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_make_temp_survives_sign_out(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.make_temp("cart")

    session.set_user(None)

    assert session.get("cart") == ALICE_CART
    assert "__ps:cart" not in storage.raw()


def test_make_persistent_survives_sign_out(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.make_persistent("cart")

    session.set_user(None)

    assert session.get("cart") == ALICE_CART
    assert storage.raw()["__ps:cart"] == persistent_text(ALICE_CART)


def test_update_keeps_owner(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    session.update("cart", ["bread"])

    assert session.type_of("cart") == "authenticated"
    assert storage.raw()["__ps:cart"] == auth_text(["bread"], "alice")


def test_update_pending_not_stored(session, storage):
    session.set_auth("cart", ALICE_CART)

    session.update("cart", ["bread"])

    assert session.get("cart") == ["bread"]
    assert "__ps:cart" not in storage.raw()


def test_update_cleared_on_sign_out(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    session.update("cart", ["bread"])

    session.set_user(None)

    assert session.get("cart") is None


def test_clear_auth_memory_and_storage(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    session.clear_auth()

    assert session.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_clear_auth_keeps_user(session, storage):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)

    session.clear_auth()

    assert session.user_id == "alice"
    assert storage.raw()["__ps!user"] == '"alice"'


def test_clear_auth_keeps_other_types(session, storage):
    session.set_user("alice")
    session.set_temp("menu", True)
    session.set_persistent("theme", "dark")
    session.set_auth("cart", ALICE_CART)

    session.clear_auth()

    assert session.all() == {"menu": True, "theme": "dark"}
    assert storage.raw() == {
        "__ps!user": '"alice"',
        "__ps:theme": persistent_text("dark"),
    }


def test_clear_auth_removes_unknown_stored(session, storage):
    session.set_user("alice")
    storage.setItem("__ps:wishlist", auth_text(["kite"], "alice"))

    session.clear_auth()

    assert "__ps:wishlist" not in storage.raw()


def test_clear_auth_pending(session):
    session.set_auth("cart", ALICE_CART)

    session.clear_auth()

    assert session.get("cart") is None


def test_clear_auth_reruns_readers(session):
    session.set_user("alice")
    session.set_auth("cart", ALICE_CART)
    seen = watch(lambda: session.get("cart"))

    session.clear_auth()
    flush()

    assert seen == [ALICE_CART, None]


# -------------------------------------------------------------- two tabs


@pytest.fixture
def tabs(make_session):
    """Two sessions over one storage, both signed in as alice with a cart."""
    first = make_session()
    second = make_session()
    first.set_user("alice")
    second.handle_storage_event("__ps!user", '"alice"')
    first.set_auth("cart", ALICE_CART)
    second.handle_storage_event("__ps:cart", auth_text(ALICE_CART, "alice"))
    return first, second


def test_tabs_share_auth(tabs):
    _first, second = tabs

    assert second.user_id == "alice"
    assert second.get("cart") == ALICE_CART


def test_tabs_sign_out_clears_other(tabs):
    first, second = tabs

    first.set_user(None)
    second.handle_storage_event("__ps!user", None)

    assert second.user_id is None
    assert second.get("cart") is None
    assert second.all() == {}


def test_tabs_sign_out_reruns_other_once(tabs):
    first, second = tabs
    seen = watch(lambda: (second.user_id, second.get("cart")))

    first.set_user(None)
    second.handle_storage_event("__ps!user", None)
    flush()

    assert seen == [("alice", ALICE_CART), (None, None)]


def test_tabs_sign_out_no_write_in_other(tabs, storage):
    first, second = tabs
    first.set_user(None)
    storage.reset_calls()

    second.handle_storage_event("__ps!user", None)

    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0


def test_tabs_sign_out_keeps_other_types(tabs):
    first, second = tabs
    second.set_temp("menu", True)
    first.set_persistent("theme", "dark")
    second.handle_storage_event("__ps:theme", persistent_text("dark"))

    first.set_user(None)
    second.handle_storage_event("__ps!user", None)

    assert second.all() == {"menu": True, "theme": "dark"}


def test_tabs_switch_clears_other(tabs, storage):
    first, second = tabs

    first.set_user("bob")
    second.handle_storage_event("__ps!user", '"bob"')

    assert second.user_id == "bob"
    assert second.get("cart") is None
    assert "__ps:cart" not in storage.raw()


def test_tabs_removal_event_clears_other(tabs):
    first, second = tabs

    first.clear_auth()
    second.handle_storage_event("__ps:cart", None)

    assert second.get("cart") is None
    assert second.user_id == "alice"


def test_tabs_sign_in_stores_pending(make_session, storage):
    first = make_session()
    second = make_session()
    second.set_auth("draft", "hello")

    first.set_user("alice")
    second.handle_storage_event("__ps!user", '"alice"')

    assert second.user_id == "alice"
    assert storage.raw()["__ps:draft"] == auth_text("hello", "alice")


def test_tabs_other_owner_ignored(tabs):
    _first, second = tabs

    second.handle_storage_event("__ps:cart", auth_text(["stolen"], "mallory"))

    assert second.get("cart") == ALICE_CART


def test_tabs_auth_ignored_signed_out(make_session):
    first = make_session()
    second = make_session()
    first.set_user("alice")
    first.set_auth("cart", ALICE_CART)

    second.handle_storage_event("__ps:cart", auth_text(ALICE_CART, "alice"))

    assert second.get("cart") is None


def test_empty_user_id_rejected(session):
    session.set_user("alice")

    with pytest.raises(ValueError, match="non-empty"):
        session.set_user("")

    assert session.user_id == "alice"

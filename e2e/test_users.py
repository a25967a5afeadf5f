"""Authenticated values and the signed-in user in a real page: reloads,
sign-out, a user switch, a sign-out in another tab, entries left in
`localStorage` by an earlier visit, and the JavaScript user event.

`__ps!user` is the stored user entry and `__ps:<key>` a key's entry, as
docs/storage-format.md describes.
"""

import json

import pytest
from playwright.sync_api import expect

USER_ENTRY = "__ps!user"

# `watch(key)` starts an autorun that appends each value of `key` it reads to
# `seen[key]` and copies the count to `window.psRuns_<key>`. `bind(key,
# element_id)` adds a span bound to `key`.
WATCH_SOURCE = """
seen = {}


def watch(key):
    seen[key] = []

    def record(computation):
        seen[key].append(Session.get(key))
        setattr(window, "psRuns_" + key, len(seen[key]))

    return autorun(record)


def bind(key, element_id):
    element = document.createElement("span")
    element.id = element_id
    element.setAttribute("data-session", key)
    document.getElementById("fixture").appendChild(element)
"""

SIGN_IN_SOURCE = """
Session.set_user("alice")
Session.set_auth({"cart": ["apple", "pear"], "token": "alice-token"})
Session.set_persistent("theme", "dark")
Session.set_temp("menu_open", True)
"""

READ_AUTH = "result = [Session.get('cart'), Session.get('token')]"


def stored_values(tab) -> list[str]:
    """Return the text of every entry of ours, the user entry included."""
    return [text for name, text in tab.storage().items() if name.startswith("__ps")]


def test_reload_keeps_auth_values(open_harness):
    tab = open_harness()
    tab.run(SIGN_IN_SOURCE)

    tab.reload()
    assert tab.run("result = Session.user_id") == "alice"
    assert tab.run("result = Session.get('cart')") == ["apple", "pear"]
    assert tab.run("result = Session.type_of('cart')") == "authenticated"
    assert tab.run("result = Session.get('token')") == "alice-token"
    stored = json.loads(tab.storage()["__ps:cart"])
    assert stored == [1, "a", ["apple", "pear"], "alice"]


def test_sign_out_then_reload(open_harness):
    tab = open_harness()
    tab.run(SIGN_IN_SOURCE)
    tab.run("Session.set_user(None)")
    assert tab.run(READ_AUTH) == [None, None]
    assert tab.run("result = Session.get('theme')") == "dark"
    assert tab.run("result = Session.get('menu_open')") is True

    tab.reload()
    assert tab.run("result = Session.user_id") is None
    assert tab.run("result = sorted(Session.keys())") == ["theme"]
    assert USER_ENTRY not in tab.storage()
    assert "__ps:cart" not in tab.storage()
    assert "__ps:token" not in tab.storage()


def test_user_switch_hides_values(open_harness):
    tab = open_harness()
    tab.run(SIGN_IN_SOURCE)
    tab.run(WATCH_SOURCE)
    tab.run(
        "watch('token')\n"
        "bind('token', 'token')\n"
        "flips = []\n"
        "autorun(lambda c: flips.append(Session.equals('token', 'alice-token')))\n"
    )
    expect(tab.page.locator("#token")).to_have_text("alice-token")

    tab.run("Session.set_user('bob')")
    expect(tab.page.locator("#token")).to_have_text("")
    tab.page.wait_for_function("window.psRuns_token === 2")
    tab.settle()

    assert tab.run("result = Session.user_id") == "bob"
    assert tab.run(READ_AUTH) == [None, None]
    assert tab.run("result = sorted(Session.all())") == ["menu_open", "theme"]
    assert tab.run("result = 'cart' in Session") is False
    assert tab.run("result = seen['token']") == ["alice-token", None]
    assert tab.run("result = flips") == [True, False]
    assert tab.storage()[USER_ENTRY] == '"bob"'
    assert [text for text in stored_values(tab) if "alice" in text] == []

    tab.reload()
    assert tab.run("result = Session.user_id") == "bob"
    assert tab.run("result = sorted(Session.keys())") == ["theme"]


def test_sign_out_in_other_tab(open_harness):
    first = open_harness()
    first.run(SIGN_IN_SOURCE)
    first.run(WATCH_SOURCE)
    first.run("watch('cart')\nbind('token', 'token')")
    expect(first.page.locator("#token")).to_have_text("alice-token")

    second = open_harness()
    assert second.run("result = Session.get('cart')") == ["apple", "pear"]
    second.run("Session.set_user(None)")

    expect(first.page.locator("#token")).to_have_text("")
    first.page.wait_for_function("window.psRuns_cart === 2")
    first.settle()
    assert first.run("result = seen['cart']") == [["apple", "pear"], None]
    assert first.run("result = Session.user_id") is None
    assert first.run("result = Session.get('theme')") == "dark"
    assert first.run("result = Session.get('menu_open')") is True


# The stored user entry that an earlier visit left, or None for no entry.
# Either way alice's authenticated entries must be gone at start.
LEFT_BEHIND_CASES = [
    pytest.param('"bob"', id="other-user"),
    pytest.param(None, id="signed-out"),
]


@pytest.mark.parametrize("user", LEFT_BEHIND_CASES)
def test_left_behind_auth_removed(open_harness, context, server, user):
    setup = context.new_page()
    setup.goto(server + "/settings.json")
    entries = {
        "__ps:cart": json.dumps([1, "a", ["apple"], "alice"]),
        "__ps:broken": json.dumps([1, "a", {"$unknown": 1}, "alice"]),
        "__ps:bob_note": json.dumps([1, "a", "for bob", "bob"]),
        "__ps:theme": json.dumps([1, "p", "dark"]),
    }
    if user is not None:
        entries[USER_ENTRY] = user
    setup.evaluate(
        "entries => { for (const [name, text] of Object.entries(entries))"
        " localStorage.setItem(name, text); }",
        entries,
    )
    setup.close()

    tab = open_harness()
    storage = tab.storage()
    assert "__ps:cart" not in storage
    assert "__ps:broken" not in storage
    assert tab.run("result = Session.get('cart')") is None
    assert tab.run("result = Session.get('theme')") == "dark"
    if user is None:
        assert tab.run("result = sorted(Session.keys())") == ["theme"]
        assert "__ps:bob_note" not in storage
    else:
        assert tab.run("result = Session.user_id") == "bob"
        assert tab.run("result = sorted(Session.keys())") == ["bob_note", "theme"]
        assert tab.run("result = Session.get('bob_note')") == "for bob"


def dispatch_user(tab, detail) -> None:
    tab.page.evaluate(
        "detail => window.dispatchEvent("
        "new CustomEvent('persistent-session:user', {detail}))",
        detail,
    )


def test_user_event_signs_in_out(open_harness):
    tab = open_harness()
    tab.run("Session.set_auth('cart', ['apple'])")
    assert "__ps:cart" not in tab.storage()

    dispatch_user(tab, "alice")
    assert tab.run("result = Session.user_id") == "alice"
    assert tab.storage()[USER_ENTRY] == '"alice"'
    assert json.loads(tab.storage()["__ps:cart"]) == [1, "a", ["apple"], "alice"]

    dispatch_user(tab, {"id": "mallory"})
    assert tab.run("result = Session.user_id") == "alice"
    assert len([m for m in tab.console if "Ignored a user report" in m]) == 1

    dispatch_user(tab, None)
    assert tab.run("result = Session.user_id") is None
    assert tab.run("result = Session.get('cart')") is None
    assert USER_ENTRY not in tab.storage()
    assert "__ps:cart" not in tab.storage()


def test_user_global_read_at_start(open_harness):
    tab = open_harness(init_script="window.persistentSessionUser = 'early';")

    assert tab.run("result = Session.user_id") == "early"
    assert tab.storage()[USER_ENTRY] == '"early"'


def test_empty_user_event_ignored(open_harness):
    tab = open_harness()
    dispatch_user(tab, "alice")

    dispatch_user(tab, "")

    assert tab.run("result = Session.user_id") == "alice"
    assert len([m for m in tab.console if "Ignored a user report" in m]) == 1

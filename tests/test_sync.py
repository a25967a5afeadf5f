"""Cross-tab synchronisation through storage events.

`Origin` models the tabs of one origin. Every tab gets its own view of one
shared FakeStorage. Each change a tab makes becomes a storage event for every
other tab, queued and delivered in order as a browser does.
"""

import logging

import pytest

from persistent_session import PersistentSession, autorun, codec, flush
from persistent_session.entries import format_entry


class Tab:
    """One tab's Web Storage: it reads and writes the shared storage, counts
    its own writes, and posts a storage event for each change it makes."""

    def __init__(self, origin, default_method):
        self.origin = origin
        self.shared = origin.storage
        self.writes = {"setItem": 0, "removeItem": 0, "clear": 0}
        self.session = PersistentSession(self, default_method)

    def count(self, method):
        return self.writes[method]

    @property
    def length(self):
        return self.shared.length

    def key(self, index):
        return self.shared.key(index)

    def getItem(self, name):
        return self.shared.getItem(name)

    def setItem(self, name, value):
        self.writes["setItem"] += 1
        old = self.shared.raw().get(name)
        self.shared.setItem(name, value)
        # Browsers fire no event when a write leaves the value as it was.
        if old != value:
            self.origin.post(self, name, value)

    def removeItem(self, name):
        self.writes["removeItem"] += 1
        existed = name in self.shared.raw()
        self.shared.removeItem(name)
        if existed:
            self.origin.post(self, name, None)

    def clear(self):
        self.writes["clear"] += 1
        existed = bool(self.shared.raw())
        self.shared.clear()
        if existed:
            self.origin.post(self, None, None)


class Origin:
    """The tabs of one origin and the storage events queued between them."""

    def __init__(self, storage):
        self.storage = storage
        self.tabs = []
        self.queue = []

    def open_tab(self, default_method="temporary"):
        tab = Tab(self, default_method)
        self.tabs.append(tab)
        return tab

    def post(self, sender, name, new_value):
        self.queue.append((sender, name, new_value))

    def deliver(self):
        """Deliver every queued event, and any event a receiver causes."""
        delivered = 0
        while self.queue:
            sender, name, new_value = self.queue.pop(0)
            for tab in self.tabs:
                if tab is not sender:
                    tab.session.handle_storage_event(name, new_value)
            delivered += 1
        return delivered

    def clear_by_other_code(self):
        """Clear the shared storage as other code on the page would."""
        self.storage.clear()
        self.post(None, None, None)


@pytest.fixture
def origin(storage):
    return Origin(storage)


@pytest.fixture
def tabs(origin):
    return origin.open_tab(), origin.open_tab()


@pytest.fixture
def signed_in(origin, tabs):
    """Two tabs with alice signed in, after the sign-in event was delivered."""
    tabs[0].session.set_user("alice")
    origin.deliver()
    return tabs


def watch(read):
    """Run `read` in an autorun and return the list of its results, one per run."""
    results = []
    autorun(lambda computation: results.append(read()))
    return results


def expected_storage(session):
    """Return the entries of ours that storage should hold for `session`."""
    expected = {}
    user_id = session.user_id
    if user_id is not None:
        expected["__ps!user"] = '"' + user_id + '"'
    for key, value in session.all().items():
        kind = session.type_of(key)
        encoded = codec.encode(value)[0]
        if kind == "persistent":
            expected["__ps:" + key] = format_entry(kind, encoded)
        elif kind == "authenticated" and user_id is not None:
            expected["__ps:" + key] = format_entry(kind, encoded, user_id)
    return expected


def our_entries(storage):
    return {
        name: text for name, text in storage.raw().items() if name.startswith("__ps")
    }


# ---------------------------------------------------------- propagation


def test_set_persistent_reaches_other(origin, tabs):
    first, second = tabs

    first.session.set_persistent("theme", "dark")
    origin.deliver()

    assert second.session.get("theme") == "dark"
    assert second.session.type_of("theme") == "persistent"


def test_set_default_method_reaches_other(origin):
    first = origin.open_tab("persistent")
    second = origin.open_tab("persistent")

    first.session.set("theme", "dark")
    origin.deliver()

    assert second.session.get("theme") == "dark"


def test_set_dict_reaches_other(origin, tabs):
    first, second = tabs

    first.session.set_persistent({"theme": "dark", "size": 3})
    origin.deliver()

    assert second.session.all() == {"theme": "dark", "size": 3}


def test_set_auth_reaches_other(origin, signed_in):
    first, second = signed_in

    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    assert second.session.get("cart") == ["apple"]
    assert second.session.type_of("cart") == "authenticated"


def test_update_reaches_other(origin, tabs):
    first, second = tabs
    first.session.set_persistent("count", 1)
    origin.deliver()

    first.session.update("count", 2)
    origin.deliver()

    assert second.session.get("count") == 2
    assert second.session.type_of("count") == "persistent"


def test_set_default_reaches_other(origin, tabs):
    first, second = tabs

    first.session.set_default_persistent("count", 1)
    origin.deliver()

    assert second.session.get("count") == 1


def test_typed_values_reach_other(origin, tabs):
    first, second = tabs
    value = {"tags": {"a", "b"}, "point": (1, 2.5), "raw": b"\x00\xff"}

    first.session.set_persistent("doc", value)
    origin.deliver()

    assert second.session.get("doc") == value
    assert type(second.session.get("doc")["point"]) is tuple


def test_make_persistent_reaches_other(origin, tabs):
    first, second = tabs
    first.session.set_temp("draft", "hello")

    first.session.make_persistent("draft")
    origin.deliver()

    assert second.session.get("draft") == "hello"
    assert second.session.type_of("draft") == "persistent"


def test_make_auth_reaches_other(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("cart", ["apple"])
    origin.deliver()

    first.session.make_auth("cart")
    origin.deliver()

    assert second.session.type_of("cart") == "authenticated"
    assert second.session.get("cart") == ["apple"]


def test_make_auth_other_cleared_on_sign_out(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("cart", ["apple"])
    first.session.make_auth("cart")
    origin.deliver()

    first.session.set_user(None)
    origin.deliver()

    assert second.session.get("cart") is None


def test_make_temp_keeps_other_copy(origin, tabs, storage):
    first, second = tabs
    first.session.set_persistent("draft", "hello")
    origin.deliver()

    first.session.make_temp("draft")
    origin.deliver()

    assert second.session.get("draft") == "hello"
    assert second.session.type_of("draft") == "temporary"
    assert "__ps:draft" not in storage.raw()


def test_make_temp_from_auth_keeps_other(origin, signed_in):
    first, second = signed_in
    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    first.session.make_temp("cart")
    origin.deliver()

    assert second.session.get("cart") == ["apple"]
    assert second.session.type_of("cart") == "temporary"


def test_make_temp_other_copy_survives_clear(origin, tabs):
    first, second = tabs
    first.session.set_persistent("draft", "hello")
    origin.deliver()
    first.session.make_temp("draft")
    origin.deliver()

    first.session.clear("draft")
    origin.deliver()

    assert second.session.get("draft") == "hello"


def test_make_temp_other_no_rerun(origin, tabs):
    first, second = tabs
    first.session.set_persistent("draft", "hello")
    origin.deliver()
    seen = watch(lambda: second.session.get("draft"))

    first.session.make_temp("draft")
    origin.deliver()
    flush()

    assert seen == ["hello"]


def test_make_temp_gone_after_reload(origin, tabs):
    first, _second = tabs
    first.session.set_persistent("draft", "hello")
    origin.deliver()
    first.session.make_temp("draft")
    origin.deliver()

    third = origin.open_tab()

    assert third.session.get("draft") is None


def test_clear_key_reaches_other(origin, tabs):
    first, second = tabs
    first.session.set_persistent("theme", "dark")
    origin.deliver()

    first.session.clear("theme")
    origin.deliver()

    assert second.session.get("theme") is None
    assert "theme" not in second.session


def test_clear_all_reaches_other(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("theme", "dark")
    first.session.set_auth("cart", ["apple"])
    second.session.set_temp("menu", True)
    origin.deliver()

    first.session.clear()
    origin.deliver()

    assert second.session.all() == {"menu": True}


def test_clear_persistent_reaches_other(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("theme", "dark")
    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    first.session.clear_persistent()
    origin.deliver()

    assert second.session.all() == {"cart": ["apple"]}


def test_clear_auth_reaches_other(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("theme", "dark")
    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    first.session.clear_auth()
    origin.deliver()

    assert second.session.all() == {"theme": "dark"}


def test_sign_out_reaches_other(origin, signed_in):
    first, second = signed_in
    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    first.session.set_user(None)
    origin.deliver()

    assert second.session.user_id is None
    assert second.session.all() == {}


def test_change_reaches_third_tab(origin, tabs):
    first, _second = tabs
    third = origin.open_tab()

    first.session.set_persistent("theme", "dark")
    origin.deliver()

    assert third.session.get("theme") == "dark"


def test_tabs_agree_with_storage(origin, signed_in, storage):
    first, second = signed_in
    first.session.set_persistent({"theme": "dark", "size": 3})
    first.session.set_auth("cart", ["apple"])
    origin.deliver()
    second.session.update("size", 4)
    second.session.make_auth("theme")
    first.session.clear("cart")
    origin.deliver()

    assert expected_storage(first.session) == our_entries(storage)
    assert expected_storage(second.session) == our_entries(storage)


# -------------------------------------------------------------- reruns


def test_other_reruns_after_flush(origin, tabs):
    first, second = tabs
    seen = watch(lambda: second.session.get("theme"))

    first.session.set_persistent("theme", "dark")
    origin.deliver()

    assert seen == [None]


def test_other_reruns_once_per_flush(origin, tabs):
    first, second = tabs
    seen = watch(
        lambda: (
            second.session.get("a"),
            second.session.get("b"),
            second.session.get("c"),
        )
    )

    first.session.set_persistent("a", 1)
    first.session.set_persistent("b", 2)
    first.session.set_persistent("c", 3)
    origin.deliver()
    flush()

    assert seen == [(None, None, None), (1, 2, 3)]


def test_received_batched_with_local(origin, tabs):
    first, second = tabs
    seen = watch(lambda: (second.session.get("remote"), second.session.get("local")))

    second.session.set_temp("local", 1)
    first.session.set_persistent("remote", 2)
    origin.deliver()
    flush()

    assert seen == [(None, None), (2, 1)]


def test_received_reruns_all_and_in(origin, tabs):
    first, second = tabs
    seen_all = watch(second.session.all)
    seen_in = watch(lambda: "theme" in second.session)

    first.session.set_persistent("theme", "dark")
    origin.deliver()
    flush()

    assert seen_all == [{}, {"theme": "dark"}]
    assert seen_in == [False, True]


def test_received_flips_equals(origin, tabs):
    first, second = tabs
    seen = watch(lambda: second.session.equals("theme", "dark"))

    first.session.set_persistent("theme", "light")
    origin.deliver()
    flush()
    first.session.set_persistent("theme", "dark")
    origin.deliver()
    flush()

    assert seen == [False, True]


def test_received_removal_reruns(origin, tabs):
    first, second = tabs
    first.session.set_persistent("theme", "dark")
    origin.deliver()
    seen = watch(lambda: second.session.get("theme"))

    first.session.clear("theme")
    origin.deliver()
    flush()

    assert seen == ["dark", None]


# ------------------------------------------------------------- no echo


def test_receive_writes_nothing(origin, tabs, storage):
    first, second = tabs

    first.session.set_persistent({"a": 1, "b": [2]})
    first.session.update("a", 3)
    first.session.make_temp("b")
    first.session.clear("a")
    origin.deliver()

    assert second.count("setItem") == 0
    assert second.count("removeItem") == 0
    assert storage.count("setItem") == first.count("setItem")
    assert storage.count("removeItem") == first.count("removeItem")


def test_receive_auth_writes_nothing(origin, signed_in, storage):
    first, second = signed_in
    writes_before = storage.count("setItem")

    first.session.set_auth("cart", ["apple"])
    first.session.make_persistent("cart")
    first.session.set_user(None)
    origin.deliver()

    assert second.count("setItem") == 0
    assert second.count("removeItem") == 0
    assert storage.count("setItem") - writes_before == 2


def test_ten_tabs_no_echo(origin, storage):
    tabs = [origin.open_tab() for _ in range(10)]
    writer = tabs[0]

    writer.session.set_persistent({"a": 1, "b": 2})
    writer.session.update("a", 5)
    writer.session.clear("b")
    delivered = origin.deliver()

    assert delivered == 4
    assert storage.count("setItem") == writer.count("setItem")
    assert storage.count("removeItem") == writer.count("removeItem")
    for tab in tabs[1:]:
        assert tab.count("setItem") == 0
        assert tab.count("removeItem") == 0
        assert tab.session.all() == {"a": 5}


def test_equal_value_reruns_nobody(tabs, storage):
    first, second = tabs
    first.session.set_persistent("cart", ["apple", 2])
    second.session.handle_storage_event("__ps:cart", storage.raw()["__ps:cart"])
    seen_get = watch(lambda: second.session.get("cart"))
    seen_all = watch(second.session.all)
    seen_in = watch(lambda: "cart" in second.session)
    seen_equals = watch(lambda: second.session.equals("cart", None))

    second.session.handle_storage_event("__ps:cart", storage.raw()["__ps:cart"])
    flush()

    assert len(seen_get) == 1
    assert len(seen_all) == 1
    assert len(seen_in) == 1
    assert len(seen_equals) == 1


def test_equal_value_other_spacing(tabs, storage):
    _first, second = tabs
    storage._items["__ps:cart"] = '[1,"p",["apple",2]]'
    second.session.handle_storage_event("__ps:cart", '[1,"p",["apple",2]]')
    seen = watch(lambda: second.session.get("cart"))

    storage._items["__ps:cart"] = '[1, "p", ["apple", 2]]'
    second.session.handle_storage_event("__ps:cart", '[1, "p", ["apple", 2]]')
    flush()

    assert seen == [["apple", 2]]


def test_equal_value_writes_nothing(tabs, storage):
    first, second = tabs
    first.session.set_persistent("cart", ["apple"])
    text = storage.raw()["__ps:cart"]
    second.session.handle_storage_event("__ps:cart", text)
    storage.reset_calls()

    second.session.handle_storage_event("__ps:cart", text)

    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0


# ------------------------------------------------------------ temporary


def test_temporary_never_crosses(origin, tabs, storage):
    first, second = tabs

    first.session.set_temp("menu", True)
    first.session.set("page", 2)
    first.session.update("new", 1)
    first.session.set_default_temp("other", 1)
    origin.deliver()

    assert storage.count("setItem") == 0
    assert second.session.all() == {}


def test_temporary_kept_on_received(origin, tabs):
    first, second = tabs
    second.session.set_temp("menu", True)

    first.session.set_persistent("theme", "dark")
    first.session.clear("theme")
    origin.deliver()

    assert second.session.all() == {"menu": True}


def test_temporary_marker_not_left(origin, tabs, storage):
    first, _second = tabs
    first.session.set_persistent("draft", "hello")

    first.session.make_temp("draft")

    assert "__ps:draft" not in storage.raw()


def test_marker_for_absent_key_ignored(tabs):
    _first, second = tabs

    second.session.handle_storage_event("__ps:draft", '[1,"t","hello"]')

    assert second.session.get("draft") is None


def test_marker_keeps_local_temporary(tabs):
    _first, second = tabs
    second.session.set_temp("draft", "mine")

    second.session.handle_storage_event("__ps:draft", '[1,"t","theirs"]')

    assert second.session.get("draft") == "mine"


def test_removal_keeps_local_temporary(tabs):
    _first, second = tabs
    second.session.set_temp("draft", "mine")

    second.session.handle_storage_event("__ps:draft", None)

    assert second.session.get("draft") == "mine"


# --------------------------------------------- storage cleared elsewhere


def test_cleared_storage_empties_stored(origin, signed_in):
    first, second = signed_in
    first.session.set_persistent("theme", "dark")
    first.session.set_auth("cart", ["apple"])
    second.session.set_temp("menu", True)
    origin.deliver()

    origin.clear_by_other_code()
    origin.deliver()

    assert second.session.all() == {"menu": True}
    assert second.session.user_id is None


def test_cleared_storage_all_tabs_agree(origin, signed_in, storage):
    first, second = signed_in
    first.session.set_persistent("theme", "dark")
    first.session.set_auth("cart", ["apple"])
    origin.deliver()

    origin.clear_by_other_code()
    origin.deliver()

    assert expected_storage(first.session) == our_entries(storage)
    assert expected_storage(second.session) == our_entries(storage)


def test_cleared_storage_writes_nothing(origin, signed_in, storage):
    first, _second = signed_in
    first.session.set_persistent("theme", "dark")
    origin.deliver()
    origin.clear_by_other_code()
    storage.reset_calls()

    origin.deliver()

    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0


def test_cleared_storage_reruns_once(origin, tabs):
    first, second = tabs
    first.session.set_persistent({"a": 1, "b": 2})
    origin.deliver()
    seen = watch(lambda: (second.session.get("a"), second.session.get("b")))

    origin.clear_by_other_code()
    origin.deliver()
    flush()

    assert seen == [(1, 2), (None, None)]


def test_cleared_then_rewritten(origin, tabs, storage):
    first, second = tabs
    first.session.set_persistent({"a": 1, "b": 2})
    origin.deliver()

    # Other code clears storage and writes one of our entries back before the
    # event of the clear arrives.
    storage.clear()
    storage.setItem("__ps:b", '[1,"p",20]')
    second.session.handle_storage_event(None, None)

    assert second.session.all() == {"b": 20}
    assert expected_storage(second.session) == our_entries(storage)


def test_cleared_by_tab_reaches_other(origin, tabs, storage):
    first, second = tabs
    first.session.set_persistent("theme", "dark")
    origin.deliver()

    first.clear()
    origin.deliver()

    assert second.session.get("theme") is None


# ------------------------------------------------ entries that do not count


@pytest.mark.parametrize(
    "name",
    ["theme", "__psx", "ps:theme", "__PS:theme", "__ps!probe", "_ps:theme", ""],
)
def test_foreign_name_ignored(tabs, storage, caplog, name):
    _first, second = tabs
    second.session.set_persistent("theme", "dark")
    seen = watch(second.session.all)
    storage.reset_calls()

    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        second.session.handle_storage_event(name, '[1,"p","light"]')
        second.session.handle_storage_event(name, None)
    flush()

    assert second.session.all() == {"theme": "dark"}
    assert seen == [{"theme": "dark"}]
    assert storage.calls == []
    assert caplog.records == []


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '[1,"p","trunc',
        '[1,"x",1]',
        '[2,"p","light"]',
        '[1,"p",{"$unknown":1}]',
        '[1,"a","light"]',
        '{"value":"light"}',
        '"light"',
        "[1]",
    ],
    ids=[
        "invalid_json",
        "truncated",
        "unknown_code",
        "newer_version",
        "unknown_tag",
        "auth_no_owner",
        "object",
        "string",
        "too_short",
    ],
)
def test_malformed_entry_ignored(tabs, storage, caplog, text):
    _first, second = tabs
    second.session.set_persistent("theme", "dark")
    seen = watch(lambda: second.session.get("theme"))
    storage.reset_calls()

    storage._items["__ps:theme"] = text
    with caplog.at_level(logging.WARNING, logger="persistent_session"):
        second.session.handle_storage_event("__ps:theme", text)
    flush()

    assert second.session.get("theme") == "dark"
    assert seen == ["dark"]
    assert storage.count("setItem") == 0
    assert storage.count("removeItem") == 0
    assert len(caplog.records) == 1
    assert "'theme'" in caplog.text


def test_malformed_user_entry_signs_out(origin, signed_in, storage):
    _first, second = signed_in

    storage._items["__ps!user"] = "not json"
    second.session.handle_storage_event("__ps!user", "not json")

    assert second.session.user_id is None


def test_other_owner_ignored(origin, signed_in):
    _first, second = signed_in
    second.session.set_auth("cart", ["apple"])

    second.session.handle_storage_event("__ps:cart", '[1,"a",["x"],"mallory"]')

    assert second.session.get("cart") == ["apple"]


def test_auth_ignored_signed_out(tabs):
    _first, second = tabs

    second.session.handle_storage_event("__ps:cart", '[1,"a",["x"],"alice"]')

    assert second.session.get("cart") is None


# ----------------------------------------------------------- sign-in race


def test_sign_in_pending_tabs_agree(origin, tabs, storage):
    first, second = tabs
    first.session.set_auth("cart", ["first"])
    second.session.set_auth("cart", ["second"])

    first.session.set_user("alice")
    origin.deliver()

    assert first.session.get("cart") == second.session.get("cart")
    assert expected_storage(first.session) == our_entries(storage)
    assert expected_storage(second.session) == our_entries(storage)


def test_sign_in_pending_stored_key_adopted(origin, tabs):
    first, second = tabs
    first.session.set_auth("cart", ["first"])
    second.session.set_auth("cart", ["second"])

    first.session.set_user("alice")
    origin.deliver()

    assert second.session.get("cart") == ["first"]
    assert second.count("setItem") == 0


def test_sign_in_pending_other_key_stored(origin, tabs, storage):
    first, second = tabs
    second.session.set_auth("draft", "hello")

    first.session.set_user("alice")
    origin.deliver()

    assert storage.raw()["__ps:draft"] == '[1,"a","hello","alice"]'
    assert first.session.get("draft") == "hello"


# ---------------------------------------------------------------- burst


def test_burst_last_value_everywhere(origin, storage):
    writer = origin.open_tab()
    readers = [origin.open_tab(), origin.open_tab()]
    seen = watch(lambda: readers[0].session.get("count"))

    for count in range(1000):
        writer.session.set_persistent("count", count)
    delivered = origin.deliver()
    flush()

    assert delivered == 1000
    assert readers[0].session.get("count") == 999
    assert readers[1].session.get("count") == 999
    assert seen == [None, 999]
    assert storage.raw()["__ps:count"] == '[1,"p",999]'


def test_burst_writes_equal_writer(origin, storage):
    writer = origin.open_tab()
    readers = [origin.open_tab(), origin.open_tab()]

    for count in range(1000):
        writer.session.set_persistent("count", count)
    origin.deliver()

    assert writer.count("setItem") == 1000
    assert storage.count("setItem") == writer.count("setItem")
    assert readers[0].count("setItem") == 0
    assert readers[1].count("setItem") == 0


def test_burst_delivered_each(origin, storage):
    writer = origin.open_tab()
    reader = origin.open_tab()

    for count in range(1000):
        writer.session.set_persistent("count", count)
        origin.deliver()
        assert reader.session.get("count") == count

    assert storage.count("setItem") == writer.count("setItem")


def test_stale_event_keeps_storage_value(tabs, storage):
    first, second = tabs
    first.session.set_persistent("theme", "light")
    stale = storage.raw()["__ps:theme"]
    second.session.set_persistent("theme", "dark")

    second.session.handle_storage_event("__ps:theme", stale)
    flush()

    assert second.session.get("theme") == "dark"
    assert storage.raw()["__ps:theme"] == '[1,"p","dark"]'


def test_stale_removal_keeps_value(tabs, storage):
    first, second = tabs
    first.session.set_persistent("theme", "light")
    first.session.clear("theme")
    second.session.set_persistent("theme", "dark")

    second.session.handle_storage_event("__ps:theme", None)
    flush()

    assert second.session.get("theme") == "dark"

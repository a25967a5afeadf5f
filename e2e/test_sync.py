"""Cross-tab synchronisation in Chromium: two and three tabs of one browser
context share `localStorage`, and each tab's session follows the storage events
that the others cause.

Every test runs on Pyodide and on MicroPython through the `interpreter`
fixture. The `storage_spy` fixture records, in every tab, each Web Storage
write the tab makes and each storage event it receives, so a test can wait for
a change to arrive and then check that the receiving tabs wrote nothing.
"""

import json

PREFIX = "__ps:"

# Run in a tab by `watch(tab, key)`: `runs` collects the value an autorun reads
# on each run, `kinds` the type that another autorun reads, and two elements
# are bound to the key.
WATCH_SOURCE = """
runs = []
kinds = []
autorun(lambda computation: runs.append(Session.get({key!r})))
autorun(lambda computation: kinds.append(Session.type_of({key!r})))
document.getElementById("fixture").innerHTML = (
    '<span id="shown" data-session="{key}"></span>'
    '<input id="field" data-session="{key}">'
)
"""


def watch(tab, key: str) -> None:
    tab.run(WATCH_SOURCE.format(key=key))
    tab.settle()


def runs(tab) -> list:
    return tab.run("result = runs")


def kinds(tab) -> list:
    return tab.run("result = kinds")


def value(tab, key: str):
    return tab.run(f"result = Session.get({key!r})")


def dom_writes(tab) -> int:
    return tab.run(
        "import persistent_session.browser\n"
        "result = persistent_session.browser.bindings().dom_writes"
    )


def stored_values_in_memory(tab) -> dict:
    """Return the persistent and authenticated keys of `tab`'s session."""
    return tab.run(
        "result = {}\n"
        "for k in Session.keys():\n"
        "    if Session.type_of(k) != 'temporary':\n"
        "        result[k] = Session.get(k)"
    )


def stored_values_in_storage(tab) -> dict:
    """Return the keys and values that `localStorage` holds for the session."""
    return {
        name[len(PREFIX) :]: json.loads(text)[2]
        for name, text in tab.storage().items()
        if name.startswith(PREFIX)
    }


def test_persistent_changes_reach_tabs(open_harness, storage_spy, interpreter):
    writer, *readers = [open_harness() for _ in range(3)]
    for tab in readers:
        watch(tab, "color")
    storage_spy.reset(writer, *readers)

    writer.run("Session.set_persistent('color', 'red')")
    for tab in readers:
        storage_spy.wait_for_event(tab, PREFIX + "color", '[1,"p","red"]')
        assert runs(tab) == [None, "red"]
        assert kinds(tab) == [None, "persistent"]
        assert tab.page.text_content("#shown") == "red"
        assert tab.page.input_value("#field") == "red"

    writer.run("Session.update('color', 'blue')")
    assert writer.storage()[PREFIX + "color"] == '[1,"p","blue"]'
    for tab in readers:
        storage_spy.wait_for_event(tab, PREFIX + "color", '[1,"p","blue"]')
        assert runs(tab) == [None, "red", "blue"]
        assert tab.page.text_content("#shown") == "blue"
        assert tab.page.input_value("#field") == "blue"

    writer.run("Session.clear('color')")
    for tab in readers:
        storage_spy.wait_for_event(tab, PREFIX + "color", None)
        assert runs(tab) == [None, "red", "blue", None]
        assert kinds(tab) == [None, "persistent", None]
        assert tab.run("result = 'color' in Session") is False
        assert tab.page.text_content("#shown") == ""
        assert tab.page.input_value("#field") == ""

    for tab in readers:
        assert storage_spy.calls(tab) == []
    assert storage_spy.writes(writer) == 3


def test_authenticated_changes_reach_tabs(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    watch(reader, "cart")
    storage_spy.reset(writer, reader)

    writer.run("Session.set_user('alice')")
    storage_spy.wait_for_event(reader, "__ps!user", '"alice"')
    assert reader.run("result = Session.user_id") == "alice"

    writer.run("Session.set_auth('cart', ['apple'])")
    storage_spy.wait_for_event(reader, PREFIX + "cart", '[1,"a",["apple"],"alice"]')
    assert runs(reader) == [None, ["apple"]]
    assert kinds(reader) == [None, "authenticated"]
    assert reader.page.text_content("#shown") == "['apple']"

    writer.run("Session.update('cart', ['apple', 'pear'])")
    storage_spy.wait_for_event(
        reader, PREFIX + "cart", '[1,"a",["apple","pear"],"alice"]'
    )
    assert runs(reader) == [None, ["apple"], ["apple", "pear"]]

    writer.run("Session.set_user(None)")
    storage_spy.wait_for_event(reader, "__ps!user", None)
    assert reader.run("result = Session.user_id") is None
    assert runs(reader) == [None, ["apple"], ["apple", "pear"], None]
    assert reader.page.text_content("#shown") == ""
    assert PREFIX + "cart" not in reader.storage()

    assert storage_spy.calls(reader) == []


def test_retyping_reaches_tabs(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_user('alice')\nSession.set_persistent('size', 3)")
    storage_spy.wait_for_event(reader, PREFIX + "size", '[1,"p",3]')
    watch(reader, "size")
    assert runs(reader) == [3]
    storage_spy.reset(writer, reader)

    # make_temp: the reader keeps its copy, as temporary, and storage has none.
    writer.run("Session.make_temp('size')")
    storage_spy.wait_for_event(reader, PREFIX + "size", None)
    assert reader.run("result = Session.type_of('size')") == "temporary"
    assert value(reader, "size") == 3
    assert PREFIX + "size" not in reader.storage()

    writer.run("Session.make_persistent('size')")
    storage_spy.wait_for_event(reader, PREFIX + "size", '[1,"p",3]')
    assert reader.run("result = Session.type_of('size')") == "persistent"

    writer.run("Session.make_auth('size')")
    storage_spy.wait_for_event(reader, PREFIX + "size", '[1,"a",3,"alice"]')
    assert reader.run("result = Session.type_of('size')") == "authenticated"

    # Retyping keeps the value, so only the autorun that reads the type reran.
    assert runs(reader) == [3]
    assert kinds(reader) == ["persistent", "temporary", "persistent", "authenticated"]
    assert reader.page.text_content("#shown") == "3"
    assert storage_spy.calls(reader) == []


def test_temporary_values_stay_in_tab(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_persistent('mode', 'shared')")
    storage_spy.wait_for_event(reader, PREFIX + "mode", '[1,"p","shared"]')
    watch(reader, "mode")
    storage_spy.reset(writer, reader)

    writer.run(
        "Session.set_temp('draft', 'writer only')\n"
        "Session.set_temp('mode', 'writer only')\n"
        "Session.set_persistent('sync', 1)"
    )
    storage_spy.wait_for_event(reader, PREFIX + "sync", '[1,"p",1]')

    # Setting a stored key as temporary removes its stored copy, and other tabs
    # follow that removal. The temporary value itself stays in the writer.
    assert value(reader, "draft") is None
    assert value(reader, "mode") is None
    assert runs(reader) == ["shared", None]
    assert value(writer, "mode") == "writer only"
    assert PREFIX + "draft" not in reader.storage()
    assert PREFIX + "mode" not in reader.storage()

    reader.run("Session.set_temp('draft', 'reader only')")
    writer.run("Session.clear_temp()\nSession.set_persistent('sync', 2)")
    storage_spy.wait_for_event(reader, PREFIX + "sync", '[1,"p",2]')
    assert value(reader, "draft") == "reader only"

    assert storage_spy.calls(reader) == []


def test_equal_value_reruns_nobody(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_persistent('size', [1, 2])")
    storage_spy.wait_for_event(reader, PREFIX + "size", '[1,"p",[1,2]]')
    watch(reader, "size")
    assert runs(reader) == [[1, 2]]
    writes_before = dom_writes(reader)
    storage_spy.reset(writer, reader)

    # Other code stores the same value as different text, so the browser fires
    # a storage event. The value that the reader decodes equals its own.
    writer.page.evaluate(
        "() => localStorage.setItem('__ps:size', '[1, \"p\", [1, 2]]')"
    )
    storage_spy.wait_for_event(reader, PREFIX + "size", '[1, "p", [1, 2]]')

    assert runs(reader) == [[1, 2]]
    assert kinds(reader) == ["persistent"]
    assert dom_writes(reader) == writes_before
    assert storage_spy.calls(reader) == []


def test_session_clear_reaches_tabs(open_harness, storage_spy, interpreter):
    writer, *readers = [open_harness() for _ in range(3)]
    writer.run(
        "Session.set_user('alice')\n"
        "Session.set_persistent({'a': 1, 'b': [2]})\n"
        "Session.set_auth('c', 'three')"
    )
    for tab in readers:
        storage_spy.wait_for_event(tab, PREFIX + "c", '[1,"a","three","alice"]')
        tab.run("Session.set_temp('t', 'mine')")
        assert stored_values_in_memory(tab) == {"a": 1, "b": [2], "c": "three"}
    storage_spy.reset(writer, *readers)

    writer.run("Session.clear()")
    for tab in readers:
        for key in ("a", "b", "c"):
            storage_spy.wait_for_event(tab, PREFIX + key, None)

    for tab in [writer, *readers]:
        assert stored_values_in_memory(tab) == stored_values_in_storage(tab)
        assert stored_values_in_memory(tab) == {}
    for tab in readers:
        assert value(tab, "t") == "mine"
        assert tab.run("result = Session.user_id") == "alice"
        assert storage_spy.calls(tab) == []


def test_storage_clear_resyncs_tabs(
    open_harness, storage_spy, context, server, interpreter
):
    first, second = open_harness(), open_harness()
    first.run(
        "Session.set_user('alice')\n"
        "Session.set_persistent('a', 1)\n"
        "Session.set_auth('c', 'three')\n"
        "Session.set_temp('t', 'first')"
    )
    storage_spy.wait_for_event(second, PREFIX + "c", '[1,"a","three","alice"]')
    watch(second, "a")
    storage_spy.reset(first, second)

    # A page of the same origin that does not use the session clears storage.
    other = context.new_page()
    other.goto(f"{server}/settings.json")
    other.evaluate("() => localStorage.clear()")

    for tab in (first, second):
        storage_spy.wait_for_event(tab, None)
        assert stored_values_in_memory(tab) == {}
        assert stored_values_in_storage(tab) == {}
        assert tab.run("result = Session.user_id") is None
    assert value(first, "t") == "first"
    assert runs(second) == [1, None]
    assert second.page.text_content("#shown") == ""

    # The tabs keep listening after a clear.
    first.run("Session.set_persistent('a', 2)")
    storage_spy.wait_for_event(second, PREFIX + "a", '[1,"p",2]')
    assert runs(second) == [1, None, 2]

    assert storage_spy.calls(second) == []


def test_foreign_changes_ignored(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_persistent('k', 'ours')")
    storage_spy.wait_for_event(reader, PREFIX + "k", '[1,"p","ours"]')
    watch(reader, "k")
    storage_spy.reset(writer, reader)

    writer.page.evaluate(
        """() => {
          localStorage.setItem('k', '[1,"p","foreign"]');
          localStorage.setItem('ps:k', '[1,"p","foreign"]');
          localStorage.setItem('__psk', '[1,"p","foreign"]');
          localStorage.setItem('__ps!k', '[1,"p","foreign"]');
        }"""
    )
    storage_spy.wait_for_event(reader, "__ps!k", '[1,"p","foreign"]')

    assert value(reader, "k") == "ours"
    assert reader.run("result = sorted(Session.keys())") == ["k"]
    assert storage_spy.calls(reader) == []

    # The other storage area. Code in the reader's own tab changes our
    # localStorage entry, which sends the reader no storage event. Then a frame
    # of that tab, which shares its sessionStorage, writes the same name there.
    # A session that acted on this sessionStorage event would reread the entry.
    reader.page.evaluate(
        """() => {
          localStorage.setItem('__ps:k', '[1,"p","changed in this tab"]');
          const frame = document.createElement('iframe');
          document.body.appendChild(frame);
          frame.contentWindow.sessionStorage.setItem('__ps:k', '[1,"p","session"]');
        }"""
    )
    reader.page.wait_for_function(
        "() => window.psStorageEvents.some(event => event[0] === 'sessionStorage')",
        polling=50,
    )
    reader.settle()

    assert value(reader, "k") == "ours"
    assert runs(reader) == ["ours"]


def test_malformed_change_logged(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_persistent('k', 'ours')")
    storage_spy.wait_for_event(reader, PREFIX + "k", '[1,"p","ours"]')
    watch(reader, "k")
    errors = []
    reader.page.on("pageerror", lambda error: errors.append(str(error)))
    storage_spy.reset(writer, reader)

    malformed = [
        "{not json",
        '[1,"z","unknown type code"]',
        '[1,"p",{"$unknown":1}]',
        '[1,"p"]',
        '[99,"p","newer format"]',
    ]
    for text in malformed:
        writer.page.evaluate("text => localStorage.setItem('__ps:k', text)", text)
        storage_spy.wait_for_event(reader, PREFIX + "k", text)

    warnings = [
        line for line in reader.console if "Ignored a change to stored key 'k'" in line
    ]
    assert len(warnings) == len(malformed)
    assert errors == []
    assert value(reader, "k") == "ours"
    assert runs(reader) == ["ours"]
    assert storage_spy.calls(reader) == []

    writer.run("Session.set_persistent('k', 'fixed')")
    storage_spy.wait_for_event(reader, PREFIX + "k", '[1,"p","fixed"]')
    assert runs(reader) == ["ours", "fixed"]


def test_tabs_on_two_paths_sync(open_harness, storage_spy, context, interpreter):
    first = open_harness()
    other_url = first.url.replace("/e2e/harness.html", "/e2e/other/harness.html")
    second = type(first)(context.new_page(), other_url).load()
    assert second.page.evaluate("location.pathname") == "/e2e/other/harness.html"

    first.run("Session.set_persistent('from_first', 1)")
    storage_spy.wait_for_event(second, PREFIX + "from_first", '[1,"p",1]')
    assert value(second, "from_first") == 1

    second.run("Session.set_persistent('from_second', 2)")
    storage_spy.wait_for_event(first, PREFIX + "from_second", '[1,"p",2]')
    assert value(first, "from_second") == 2


def test_shutdown_stops_updates(open_harness, storage_spy, interpreter):
    writer, reader = open_harness(), open_harness()
    writer.run("Session.set_persistent('k', 1)")
    storage_spy.wait_for_event(reader, PREFIX + "k", '[1,"p",1]')
    assert value(reader, "k") == 1

    errors = []
    reader.page.on("pageerror", lambda error: errors.append(str(error)))

    reader.run("persistent_session.shutdown()")
    writer.run("Session.set_persistent('k', 2)\nSession.clear('k')")
    storage_spy.wait_for_event(reader, PREFIX + "k", None, count=3)

    assert value(reader, "k") == 1
    assert errors == []


def test_burst_reaches_every_tab(open_harness, storage_spy, interpreter):
    writer, *readers = [open_harness() for _ in range(3)]
    for tab in readers:
        watch(tab, "n")
    storage_spy.reset(writer, *readers)

    writer.run("for i in range(1000):\n    Session.set_persistent('n', i)")

    for tab in readers:
        storage_spy.wait_for_event(tab, PREFIX + "n", '[1,"p",999]')
        assert value(tab, "n") == 999
        assert tab.page.text_content("#shown") == "999"
        assert len(storage_spy.events(tab)) == 1000
        assert storage_spy.calls(tab) == []
    assert storage_spy.calls(writer) == [["setItem", PREFIX + "n"]] * 1000
    assert writer.storage()[PREFIX + "n"] == '[1,"p",999]'

"""Performance guards, as counts: the calls that make reads, writes, start-up
and page updates cheap, checked under CPython so that a change that adds work
to a hot path fails here before the benchmark shows it.

- `get` reads memory only: no storage call.
- A set of a persistent key makes one `setItem` and nothing else.
- Start-up reads every entry in a constant number of calls across the
  JavaScript boundary, whatever the number of entries.
- One set writes the DOM once and reruns only what read that key.
"""

import json

import pytest
from conftest import FakeStorage

from persistent_session import PersistentSession, autorun, flush
from persistent_session.bindings import ATTRIBUTE, Bindings
from persistent_session.entries import KEY_PREFIX
from persistent_session.storage import StorageArea

# ------------------------------------------------------------------ get


def test_get_no_storage_call(storage, make_session):
    session = make_session("persistent")
    session.set("scalar", 42)
    session.set("mapping", {"sort": "price", "desc": False})
    session.set_temp("temporary", [1, 2])
    storage.reset_calls()

    session.get("scalar")
    session.get("mapping")
    session.get("temporary")
    session.get("missing")

    assert storage.calls == []


def test_get_reactive_no_storage_call(storage, make_session):
    session = make_session("persistent")
    session.set("scalar", 42)
    storage.reset_calls()

    computation = autorun(lambda _: session.get("scalar"))
    session.set("scalar", 43)
    storage.reset_calls()
    flush()
    computation.stop()

    assert storage.calls == []


def test_get_restored_no_storage_call(storage, make_session):
    make_session("persistent").set("restored", {"nested": [1, {"deep": True}]})
    session = make_session("persistent")
    storage.reset_calls()

    session.get("restored")
    session.get("restored")

    assert storage.calls == []


# ------------------------------------------------------------------ set

VALUES = [
    pytest.param(1, id="int"),
    pytest.param("text", id="str"),
    pytest.param({"sort": "price", "desc": False}, id="dict"),
    pytest.param((1, frozenset({2})), id="tuple"),
]


@pytest.mark.parametrize("value", VALUES)
def test_set_new_key_one_setitem(storage, make_session, value):
    session = make_session()
    storage.reset_calls()

    session.set_persistent("key", value)

    assert storage.calls == [("setItem", KEY_PREFIX + "key")]


@pytest.mark.parametrize("value", VALUES)
def test_set_existing_key_one_setitem(storage, make_session, value):
    session = make_session()
    session.set_persistent("key", "old")
    storage.reset_calls()

    session.set_persistent("key", value)

    assert storage.calls == [("setItem", KEY_PREFIX + "key")]


def test_set_restored_key_one_setitem(storage, make_session):
    make_session().set_persistent("key", [1, 2])
    session = make_session()
    storage.reset_calls()

    session.set_persistent("key", [1, 2, 3])

    assert storage.calls == [("setItem", KEY_PREFIX + "key")]


def test_set_default_persistent_one_setitem(storage, make_session):
    session = make_session("persistent")
    storage.reset_calls()

    session.set("key", 1)

    assert storage.calls == [("setItem", KEY_PREFIX + "key")]


@pytest.mark.parametrize("stored", [0, 100, 10_000])
def test_set_among_stored_one_setitem(storage, make_session, stored):
    for index in range(stored):
        storage.setItem(KEY_PREFIX + "key%d" % index, '[1,"p",%d]' % index)
    session = make_session()
    storage.reset_calls()

    session.set_persistent("key0", "changed")

    assert storage.calls == [("setItem", KEY_PREFIX + "key0")]


# -------------------------------------------------------------- start-up


class CountingReader:
    """The browser glue's JavaScript read helpers, in Python, with a call count.

    `read_combined` pastes every stored text into one JSON array, as the
    helper in browser.py does. It reads the fake storage without recording
    calls there, because in the browser those reads happen inside JavaScript.
    Each call of a method of this object is one crossing of the boundary.
    """

    def __init__(self, storage) -> None:
        self.storage = storage
        self.combined_calls = 0
        self.pairs_calls = 0

    def read_combined(self, prefix):
        self.combined_calls += 1
        parts = [
            "[" + json.dumps(name) + "," + text + "]"
            for name, text in self.storage.raw().items()
            if name.startswith(prefix)
        ]
        return "%d|[%s]" % (len(parts), ",".join(parts))

    def read_pairs(self, prefix):
        self.pairs_calls += 1
        return [
            [name, text]
            for name, text in self.storage.raw().items()
            if name.startswith(prefix)
        ]


def start_over(storage, entries):
    """Store `entries` persistent keys, start a session as the page does and
    return it with the number of boundary crossings its start made."""
    for index in range(entries):
        storage.setItem(KEY_PREFIX + "key%d" % index, '[1,"p",%d]' % index)
    storage.reset_calls()
    reader = CountingReader(storage)
    area = StorageArea(
        storage,
        "localStorage",
        read_combined=reader.read_combined,
        read_pairs=reader.read_pairs,
    )
    session = PersistentSession(area, "persistent")
    crossings = len(storage.calls) + reader.combined_calls + reader.pairs_calls
    return session, reader, crossings


@pytest.mark.parametrize("entries", [0, 1, 100, 10_000])
def test_start_one_combined_read(storage, entries):
    _session, reader, _crossings = start_over(storage, entries)

    assert reader.combined_calls == 1


@pytest.mark.parametrize("entries", [0, 1, 100, 10_000])
def test_start_restores_every_entry(storage, entries):
    session, _reader, _crossings = start_over(storage, entries)

    assert len(session.keys()) == entries


def test_start_calls_constant():
    crossings = {}
    for entries in (0, 1, 100, 10_000):
        _session, _reader, crossings[entries] = start_over(FakeStorage(), entries)

    assert len(set(crossings.values())) == 1, crossings


def test_start_no_per_entry_storage_call(storage):
    start_over(storage, 1000)

    assert storage.count("key") == 0
    assert storage.count("getItem") == 1, "only the signed-in user entry"


# -------------------------------------------------------------- bindings


class TextElement:
    """A `<span data-session="key">` that counts writes to its text."""

    tagName = "SPAN"

    def __init__(self, key: str) -> None:
        self._attributes = {ATTRIBUTE: key}
        self._text = ""
        self.writes = 0

    def getAttribute(self, name):
        return self._attributes.get(name)

    def hasAttribute(self, name):
        return name in self._attributes

    def querySelectorAll(self, selector):
        return []

    @property
    def textContent(self):
        return self._text

    @textContent.setter
    def textContent(self, text):
        self.writes += 1
        self._text = text


class Container:
    """A `<div>` holding the bound elements."""

    tagName = "DIV"

    def __init__(self, children) -> None:
        self.children = children

    def hasAttribute(self, name):
        return False

    def querySelectorAll(self, selector):
        return [child for child in self.children if child.hasAttribute(ATTRIBUTE)]


class FakeDom:
    """The adapter Bindings uses: binding ids kept beside the elements."""

    def __init__(self) -> None:
        self.ids = {}

    def listen(self, element, event_type, handler):
        return (element, event_type, handler)

    def unlisten(self, token):
        pass

    def binding_id(self, element):
        return self.ids.get(id(element))

    def set_binding_id(self, element, binding_id):
        if binding_id is None:
            self.ids.pop(id(element), None)
        else:
            self.ids[id(element)] = binding_id


ELEMENTS = 1000


@pytest.fixture
def bound_page(make_session):
    """A session with 1,000 persistent keys, each bound to one element."""
    session = make_session()
    session.set_persistent({"key%d" % index: index for index in range(ELEMENTS)})
    elements = [TextElement("key%d" % index) for index in range(ELEMENTS)]
    bindings = Bindings(session, FakeDom())
    bindings.bind_all(Container(elements))
    flush()
    for element in elements:
        element.writes = 0
    return session, bindings, elements


def test_bound_set_one_dom_write(bound_page):
    session, _bindings, elements = bound_page

    session.set_persistent("key500", "changed")
    flush()

    assert sum(element.writes for element in elements) == 1


def test_bound_set_writes_its_element(bound_page):
    session, _bindings, elements = bound_page

    session.set_persistent("key500", "changed")
    flush()

    assert elements[500].textContent == "changed"


def test_bound_set_dom_writes_counter(bound_page):
    session, bindings, _elements = bound_page
    before = bindings.dom_writes

    session.set_persistent("key500", "changed")
    flush()

    assert bindings.dom_writes - before == 1


def test_bound_equal_set_no_dom_write(bound_page):
    session, _bindings, elements = bound_page

    session.set_persistent("key500", 500)
    flush()

    assert sum(element.writes for element in elements) == 0


def test_set_reruns_only_readers(make_session):
    session = make_session()
    session.set_persistent({"key%d" % index: index for index in range(100)})
    runs = {}

    def reader(key):
        def run(_computation):
            session.get(key)
            runs[key] = runs.get(key, 0) + 1

        return run

    computations = [autorun(reader("key%d" % index)) for index in range(100)]
    runs.clear()

    session.set_persistent("key7", "changed")
    flush()
    for computation in computations:
        computation.stop()

    assert runs == {"key7": 1}

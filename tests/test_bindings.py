"""DOM bindings against a small fake DOM: text shown as text, two-way form
fields, one DOM write per change, and release/rebind."""

import json

import pytest

from persistent_session.bindings import ATTRIBUTE, Bindings, display_text
from persistent_session.tracker import flush

# ------------------------------------------------------------- fake DOM


class FakeElement:
    """Just enough of an Element: attributes, children, form field state.

    Writes made through the properties (as the bindings do) are recorded in
    `writes`; the user's own actions (`type`, `click`, `choose`) change the
    state directly and dispatch the event, as a browser does.
    """

    def __init__(
        self, tag, key=None, type="text", value="", checked=False, children=()
    ):
        self.tagName = tag.upper()
        self.type = type
        self._attributes = {}
        if key is not None:
            self._attributes[ATTRIBUTE] = key
        self._value = value
        self._checked = checked
        self._text = ""
        self.writes = []
        self.listeners = {}
        self.children = []
        self.parent = None
        self._connected = True
        self.binding = None
        for child in children:
            self.appendChild(child)

    # attributes

    def getAttribute(self, name):
        return self._attributes.get(name)

    def hasAttribute(self, name):
        return name in self._attributes

    def setAttribute(self, name, value):
        self._attributes[name] = str(value)

    def removeAttribute(self, name):
        self._attributes.pop(name, None)

    # tree

    def appendChild(self, child):
        child.parent = self
        self.children.append(child)
        return child

    def remove(self):
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None
        self._set_connected(False)

    def _set_connected(self, connected):
        self._connected = connected
        for child in self.children:
            child._set_connected(connected)

    @property
    def isConnected(self):
        return self._connected

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()

    def querySelectorAll(self, selector):
        assert selector == "[" + ATTRIBUTE + "]"
        return [e for e in self.descendants() if e.hasAttribute(ATTRIBUTE)]

    # state written by the bindings

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, new):
        self.writes.append(("value", new))
        self._value = new

    @property
    def checked(self):
        return self._checked

    @checked.setter
    def checked(self, new):
        self.writes.append(("checked", new))
        self._checked = new

    @property
    def textContent(self):
        return self._text

    @textContent.setter
    def textContent(self, new):
        self.writes.append(("textContent", new))
        self._text = new

    @property
    def innerHTML(self):
        raise AssertionError("bindings must never read markup")

    @innerHTML.setter
    def innerHTML(self, new):
        raise AssertionError("bindings must never write markup")

    # the user's actions

    def dispatch(self, event_type):
        for handler in list(self.listeners.get(event_type, [])):
            handler({"type": event_type, "target": self})

    def type_text(self, text):
        self._value = text
        self.dispatch("input")

    def click(self, checked=None):
        """Toggle a checkbox, or check a radio button and uncheck its group."""
        if self.type == "radio":
            group = self.parent.children if self.parent is not None else []
            for other in group:
                if other is not self and other.type == "radio":
                    other._checked = False
            self._checked = True
        else:
            self._checked = (not self._checked) if checked is None else checked
        self.dispatch("change")

    def choose(self, value):
        self._value = value
        self.dispatch("change")


class FakeDom:
    """The adapter Bindings uses: listeners and binding ids."""

    def __init__(self):
        self.live_listeners = 0

    def listen(self, element, event_type, handler):
        element.listeners.setdefault(event_type, []).append(handler)
        self.live_listeners += 1
        return (element, event_type, handler)

    def unlisten(self, token):
        element, event_type, handler = token
        element.listeners[event_type].remove(handler)
        self.live_listeners -= 1

    def binding_id(self, element):
        return element.binding

    def set_binding_id(self, element, binding_id):
        element.binding = binding_id


def listener_count(element):
    return sum(len(handlers) for handlers in element.listeners.values())


@pytest.fixture
def dom():
    return FakeDom()


@pytest.fixture
def bindings(session, dom):
    return Bindings(session, dom)


def bound(bindings, element):
    bindings.bind(element)
    return element


# ------------------------------------------------------------- text


def test_text_binding_shows_the_value_as_text(session, bindings):
    session.set("name", "Ada")
    span = bound(bindings, FakeElement("span", "name"))
    assert span.textContent == "Ada"
    session.set("name", "Grace")
    flush()
    assert span.textContent == "Grace"


@pytest.mark.parametrize(
    "markup",
    [
        "<b>bold</b>",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "&lt;escaped&gt; &amp;",
        "<!-- comment -->",
    ],
)
def test_markup_in_a_value_stays_literal_text(markup, session, bindings):
    span = bound(bindings, FakeElement("span", "html"))
    field = bound(bindings, FakeElement("input", "html"))
    session.set("html", markup)
    flush()
    assert span.textContent == markup
    assert field.value == markup
    assert span.children == []
    # FakeElement.innerHTML raises if touched.


def test_none_and_missing_show_empty(session, bindings):
    span = bound(bindings, FakeElement("span", "k"))
    field = bound(bindings, FakeElement("input", "k", value=""))
    assert span.textContent == ""
    session.set("k", "x")
    flush()
    assert span.textContent == "x" and field.value == "x"
    session.set("k", None)
    flush()
    assert span.textContent == "" and field.value == ""
    session.set("k", "y")
    flush()
    session.clear("k")
    flush()
    assert span.textContent == "" and field.value == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (42, "42"),
        (1.5, "1.5"),
        (True, "True"),
        (False, "False"),
        ("", ""),
        ([1, "a"], "[1, 'a']"),
    ],
)
def test_other_values_show_as_str(value, text, session, bindings):
    span = bound(bindings, FakeElement("span", "k"))
    session.set("k", value)
    flush()
    assert span.textContent == text
    assert display_text(value) == text


def test_one_dom_write_per_change_and_none_for_an_equal_set(session, bindings):
    session.set("k", "a")
    span = bound(bindings, FakeElement("span", "k"))
    span.writes.clear()
    bindings.dom_writes = 0

    session.set("k", "b")
    flush()
    assert span.writes == [("textContent", "b")]

    session.set("k", "b")  # equal: nobody reruns
    flush()
    assert span.writes == [("textContent", "b")]

    session.set("k", "c")
    session.set("k", "d")
    session.set("k", "e")  # batched: one rerun, one write
    flush()
    assert span.writes == [("textContent", "b"), ("textContent", "e")]
    assert bindings.dom_writes == 2


def test_a_change_with_the_same_text_writes_nothing(session, bindings):
    session.set("k", 1)
    span = bound(bindings, FakeElement("span", "k"))
    span.writes.clear()
    session.set("k", "1")  # a different value that shows the same
    flush()
    assert span.writes == []


def test_only_the_changed_keys_binding_reruns(session, bindings):
    session.set({"a": 1, "b": 2})
    reads = []
    real_get = session.get

    def spy(key):
        reads.append(key)
        return real_get(key)

    session.get = spy
    span_a = bound(bindings, FakeElement("span", "a"))
    span_b = bound(bindings, FakeElement("span", "b"))
    field_b = bound(bindings, FakeElement("input", "b"))
    reads.clear()
    span_a.writes.clear()
    span_b.writes.clear()
    field_b.writes.clear()

    session.set("a", 10)
    flush()
    assert reads == ["a"]
    assert span_a.writes == [("textContent", "10")]
    assert span_b.writes == [] and field_b.writes == []


# ------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("tag", "input_type"), [("input", "text"), ("input", "email"), ("textarea", "")]
)
def test_text_field_is_two_way(tag, input_type, session, bindings):
    session.set("name", "Ada")
    field = bound(bindings, FakeElement(tag, "name", type=input_type))
    mirror = bound(bindings, FakeElement("span", "name"))
    assert field.value == "Ada"
    field.writes.clear()

    field.type_text("Adam")
    assert session.get("name") == "Adam"  # written at the event
    flush()
    assert mirror.textContent == "Adam"
    assert field.writes == []  # its own typing wrote nothing back

    session.set("name", "Eve")
    flush()
    assert field.writes == [("value", "Eve")]


def test_typing_every_keystroke_writes_nothing_back(session, bindings):
    field = bound(bindings, FakeElement("input", "q"))
    for length in range(1, 8):
        field.type_text("  <b>x"[:length])
        flush()
    assert field.writes == []
    assert session.get("q") == "  <b>x"


def test_checkbox_maps_to_bool(session, bindings):
    box = bound(bindings, FakeElement("input", "agree", type="checkbox"))
    assert box.checked is False
    session.set("agree", True)
    flush()
    assert box.checked is True
    box.writes.clear()

    box.click(False)
    assert session.get("agree") is False
    flush()
    assert box.writes == []
    box.click(True)
    assert session.get("agree") is True
    flush()
    assert box.writes == []

    session.set("agree", None)
    flush()
    assert box.checked is False


@pytest.mark.parametrize("input_type", ["number", "range", "NUMBER"])
@pytest.mark.parametrize(
    ("typed", "expected"),
    [("42", 42), ("-3", -3), ("4.5", 4.5), ("1e3", 1000.0), ("", None), ("  ", None)],
)
def test_number_input_maps_to_int_float_or_none(
    input_type, typed, expected, session, bindings
):
    field = bound(bindings, FakeElement("input", "n", type=input_type))
    field.type_text(typed)
    value = session.get("n")
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("typed", ["2.50", "007", "1.0", "-0", "1e3", "0.10", "+5"])
def test_number_input_own_typing_writes_nothing_back(typed, session, bindings):
    """What the user typed stays as typed, even when the number would be
    written differently: no write, so the cursor does not jump."""
    field = bound(bindings, FakeElement("input", "n", type="number"))
    typed_so_far = ""
    for character in typed:
        typed_so_far += character
        field.type_text(typed_so_far)
        flush()
    assert field.writes == []
    assert field.value == typed
    assert session.get("n") == float(typed)


def test_number_input_ignores_text_that_is_not_a_number(session, bindings):
    session.set("n", 5)
    field = bound(bindings, FakeElement("input", "n", type="number"))
    field.type_text("abc")
    assert session.get("n") == 5


def test_number_input_shows_the_session_value(session, bindings):
    field = bound(bindings, FakeElement("input", "n", type="number"))
    for value, text in [(7, "7"), (2.5, "2.5"), (None, ""), (-1, "-1")]:
        session.set("n", value)
        flush()
        assert field.value == text


def test_number_input_shows_a_value_set_by_code(session, bindings):
    field = bound(bindings, FakeElement("input", "n", type="number"))
    field.type_text("2.0")
    flush()
    assert session.get("n") == 2.0 and field.writes == []
    session.set("n", 2)  # an int now: shown as one
    flush()
    assert field.writes == [("value", "2")]
    session.set("n", 2.5)
    flush()
    assert field.value == "2.5"
    field.type_text("2.50")
    flush()
    session.set("n", 3)
    flush()
    assert field.value == "3"


def test_radio_buttons_map_to_their_value(session, bindings):
    small = FakeElement("input", "size", type="radio", value="small")
    large = FakeElement("input", "size", type="radio", value="large")
    FakeElement("form", children=[small, large])
    bound(bindings, small)
    bound(bindings, large)
    assert not small.checked and not large.checked

    session.set("size", "large")
    flush()
    assert large.checked and not small.checked

    small.writes.clear()
    large.writes.clear()
    small.click()
    assert session.get("size") == "small"
    flush()
    assert small.checked and not large.checked
    assert small.writes == [] and large.writes == []

    session.set("size", "large")
    flush()
    assert large.checked and not small.checked

    session.set("size", "medium")
    flush()
    assert not small.checked and not large.checked


def test_select_is_two_way(session, bindings):
    session.set("color", "green")
    select = bound(
        bindings, FakeElement("select", "color", type="select-one", value="red")
    )
    assert select.value == "green"
    select.writes.clear()
    select.choose("blue")
    assert session.get("color") == "blue"
    flush()
    assert select.writes == []
    session.set("color", "red")
    flush()
    assert select.writes == [("value", "red")]


def test_text_and_number_listen_to_input_others_to_change(bindings):
    kinds = {
        "text": FakeElement("input", "a"),
        "number": FakeElement("input", "b", type="number"),
        "textarea": FakeElement("textarea", "c"),
        "checkbox": FakeElement("input", "d", type="checkbox"),
        "radio": FakeElement("input", "e", type="radio", value="x"),
        "select": FakeElement("select", "f"),
        "span": FakeElement("span", "g"),
    }
    for element in kinds.values():
        bindings.bind(element)
    assert list(kinds["text"].listeners) == ["input"]
    assert list(kinds["number"].listeners) == ["input"]
    assert list(kinds["textarea"].listeners) == ["input"]
    assert list(kinds["checkbox"].listeners) == ["change"]
    assert list(kinds["radio"].listeners) == ["change"]
    assert list(kinds["select"].listeners) == ["change"]
    assert kinds["span"].listeners == {}


# ------------------------------------------------------------- key types


@pytest.mark.parametrize("kind", ["persistent", "authenticated"])
def test_an_existing_key_keeps_its_type_when_a_field_writes(
    kind, session, storage, bindings
):
    session.set_user("alice")
    getattr(
        session, {"persistent": "set_persistent", "authenticated": "set_auth"}[kind]
    )("name", "old")
    field = bound(bindings, FakeElement("input", "name"))
    field.type_text("new")
    assert session.type_of("name") == kind
    stored = json.loads(storage.raw()["__ps:name"])
    assert stored[:3] == [1, kind[0], "new"]


def test_an_existing_temporary_key_stays_temporary(make_session, storage, dom):
    session = make_session("persistent")
    session.set_temp("name", "old")
    field = bound(Bindings(session, dom), FakeElement("input", "name"))
    field.type_text("new")
    assert session.type_of("name") == "temporary"
    assert "__ps:name" not in storage.raw()


@pytest.mark.parametrize("default", ["temporary", "persistent"])
def test_a_new_key_from_a_field_gets_the_default_type(
    default, make_session, storage, dom
):
    session = make_session(default)
    field = bound(Bindings(session, dom), FakeElement("input", "fresh"))
    field.type_text("typed")
    assert session.type_of("fresh") == default
    assert ("__ps:fresh" in storage.raw()) == (default == "persistent")


# ------------------------------------------------------------- lifecycle


def test_release_stops_updates_and_removes_listeners(session, bindings, dom):
    field = bound(bindings, FakeElement("input", "k"))
    span = bound(bindings, FakeElement("span", "k"))
    assert dom.live_listeners == 1 and len(bindings) == 2

    bindings.release(field)
    bindings.release(span)
    assert dom.live_listeners == 0 and listener_count(field) == 0
    assert len(bindings) == 0
    assert field.binding is None and span.binding is None

    field.writes.clear()
    span.writes.clear()
    session.set("k", "after")
    flush()
    assert field.writes == [] and span.writes == []
    field.type_text("typed after release")
    assert session.get("k") == "after"

    bindings.release(field)  # releasing twice is harmless


def test_release_all_releases_only_detached_elements(session, bindings, dom):
    kept = FakeElement("span", "k")
    removed_child = FakeElement("input", "k")
    removed = FakeElement(
        "div", "k", children=[FakeElement("p", children=[removed_child])]
    )
    root = FakeElement("body", children=[kept, removed])
    bindings.bind_all(root)
    assert len(bindings) == 3

    removed.remove()
    bindings.release_all(removed)
    bindings.release_all(kept)  # still connected: kept
    assert len(bindings) == 1
    assert dom.live_listeners == 0
    session.set("k", "v")
    flush()
    assert kept.textContent == "v"
    assert removed.textContent == "" and removed_child.value == ""


def test_bind_all_finds_nested_elements(session, bindings):
    deep = FakeElement("span", "deep")
    field = FakeElement("input", "field")
    root = FakeElement(
        "div",
        "root",
        children=[
            FakeElement("section", children=[FakeElement("p", children=[deep])]),
            FakeElement("form", children=[FakeElement("label", children=[field])]),
            FakeElement("p"),
        ],
    )
    bindings.bind_all(root)
    assert len(bindings) == 3
    session.set({"deep": "D", "field": "F", "root": "R"})
    flush()
    assert deep.textContent == "D"
    assert field.value == "F"
    assert root.textContent == "R"


def test_bind_all_twice_binds_once(session, bindings, dom):
    field = FakeElement("input", "k")
    root = FakeElement("div", children=[field])
    bindings.bind_all(root)
    bindings.bind_all(root)
    bindings.bind(field)
    assert len(bindings) == 1
    assert listener_count(field) == 1
    field.type_text("x")
    assert session.get("k") == "x"


def test_elements_added_later_are_bound(session, bindings):
    root = FakeElement("body")
    bindings.bind_all(root)
    session.set("k", "v")
    late = root.appendChild(FakeElement("div", children=[FakeElement("span", "k")]))
    bindings.bind_all(late)
    assert late.children[0].textContent == "v"


def test_rebinding_on_key_change(session, bindings, dom):
    session.set({"a": "A", "b": "B"})
    field = bound(bindings, FakeElement("input", "a"))
    span = bound(bindings, FakeElement("span", "a"))
    assert field.value == "A" and span.textContent == "A"

    field.setAttribute(ATTRIBUTE, "b")
    span.setAttribute(ATTRIBUTE, "b")
    bindings.bind(field)
    bindings.bind(span)
    assert field.value == "B" and span.textContent == "B"
    assert len(bindings) == 2
    assert listener_count(field) == 1 and dom.live_listeners == 1

    field.writes.clear()
    span.writes.clear()
    session.set("a", "A2")
    flush()
    assert field.writes == [] and span.writes == []

    field.type_text("typed")
    assert session.get("b") == "typed" and session.get("a") == "A2"
    session.set("b", "B2")
    flush()
    assert field.value == "B2" and span.textContent == "B2"


def test_removing_the_attribute_releases_on_rebind(session, bindings, dom):
    field = bound(bindings, FakeElement("input", "k"))
    field.removeAttribute(ATTRIBUTE)
    bindings.bind(field)
    assert len(bindings) == 0 and dom.live_listeners == 0


def test_release_everything(session, bindings, dom):
    elements = [FakeElement("input", "k%d" % i) for i in range(5)]
    for element in elements:
        bindings.bind(element)
    bindings.release_everything()
    assert len(bindings) == 0 and dom.live_listeners == 0
    session.set("k0", "x")
    flush()
    assert elements[0].value == ""


def test_bindings_are_not_nested_in_the_current_computation(session, bindings):
    from persistent_session.tracker import autorun

    span = FakeElement("span", "k")
    outer = autorun(lambda c: (session.get("trigger"), bindings.bind(span)))
    session.set("trigger", 1)
    flush()
    session.set("k", "still bound")
    flush()
    assert span.textContent == "still bound"
    outer.stop()

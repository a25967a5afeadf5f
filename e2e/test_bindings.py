"""`data-session` bindings in a real page: text shown one way, form fields
written back, elements bound as they are added and released as they go.

The harness page has no bound element when `start()` runs, so every element
here is created afterwards by Python in the page and bound by the session's
MutationObserver. No test calls `flush()`: the page flushes by itself.
"""

from playwright.sync_api import expect

# `make(tag, key, element_id)` creates an element bound to `key`, and `add`
# also appends it to #fixture. `bindings` is the page's Bindings object: its
# length is the number of bound elements and `dom_writes` counts DOM writes.
ADD_SOURCE = """
from persistent_session import browser

bindings = browser.bindings()
fixture = document.getElementById("fixture")


def make(tag, key, element_id, input_type=None):
    element = document.createElement(tag)
    element.id = element_id
    if input_type is not None:
        element.type = input_type
    if key is not None:
        element.setAttribute("data-session", key)
    return element


def add(tag, key, element_id, input_type=None):
    element = make(tag, key, element_id, input_type)
    fixture.appendChild(element)
    return element
"""

OPTIONS = "<option>red</option><option>green</option><option>blue</option>"
MARKUP = '<img src=x onerror="window.psInjected = 1"><b>bold</b>'


def test_text_binding_one_way(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('span', 'greeting', 'greeting')")
    span = tab.page.locator("#greeting")
    expect(span).to_have_text("")

    tab.run("Session.set_temp('greeting', 'hello')")
    expect(span).to_have_text("hello")

    tab.run("Session.set_temp('greeting', 5)")
    expect(span).to_have_text("5")

    tab.run("Session.set_temp('greeting', None)")
    expect(span).to_have_text("")

    tab.run("Session.set_temp('greeting', 'bye')")
    expect(span).to_have_text("bye")
    writes = tab.run("result = bindings.dom_writes")
    tab.run("Session.set_temp('greeting', 'bye')")
    tab.settle()
    assert tab.run("result = bindings.dom_writes") == writes


def test_text_binding_huge_int(open_harness):
    # str() rejects an int of more than 4300 digits on CPython by default.
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('span', 'big', 'big')")
    span = tab.page.locator("#big")

    tab.run("Session.set_temp('big', 10**5000 + 7)")
    expect(span).to_have_text("1" + "0" * 4999 + "7")

    tab.run("Session.set_temp('big', 1 - 10**5000)")
    expect(span).to_have_text("-" + "9" * 5000)


def test_text_binding_shows_markup(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('span', 'html', 'html')")
    tab.settle()
    tab.run("Session.set_temp('html', " + repr(MARKUP) + ")")

    span = tab.page.locator("#html")
    expect(span).to_have_text(MARKUP)
    assert span.evaluate("element => element.childElementCount") == 0
    assert tab.page.locator("#fixture img").count() == 0
    assert tab.page.locator("#fixture b").count() == 0
    tab.settle()
    assert tab.page.evaluate("window.psInjected === undefined") is True


def test_input_two_way(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run(
        "add('input', 'name', 'name-input', 'text')\n"
        "add('span', 'name', 'name-text')\n"
        "add('textarea', 'bio', 'bio')\n"
    )
    tab.settle()
    tab.run("Session.set_temp({'name': 'Ada', 'bio': 'first line'})")
    expect(tab.page.locator("#name-input")).to_have_value("Ada")
    expect(tab.page.locator("#bio")).to_have_value("first line")

    tab.page.fill("#name-input", "Grace")
    assert tab.run("result = Session.get('name')") == "Grace"
    assert tab.run("result = Session.type_of('name')") == "temporary"
    expect(tab.page.locator("#name-text")).to_have_text("Grace")

    tab.page.fill("#bio", "two\nlines")
    assert tab.run("result = Session.get('bio')") == "two\nlines"


def test_checkbox_two_way_bool(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('input', 'flag', 'flag', 'checkbox')")
    tab.settle()
    checkbox = tab.page.locator("#flag")
    expect(checkbox).not_to_be_checked()

    tab.run("Session.set_temp('flag', True)")
    expect(checkbox).to_be_checked()

    checkbox.uncheck()
    read = "result = [Session.get('flag'), type(Session.get('flag')).__name__]"
    assert tab.run(read) == [False, "bool"]

    checkbox.check()
    assert tab.run(read) == [True, "bool"]


def test_number_input_two_way(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('input', 'qty', 'qty', 'number')")
    tab.settle()
    field = tab.page.locator("#qty")

    tab.run("Session.set_temp('qty', 3)")
    expect(field).to_have_value("3")

    read = "result = [Session.get('qty'), type(Session.get('qty')).__name__]"
    field.fill("7")
    assert tab.run(read) == [7, "int"]

    field.fill("2.5")
    assert tab.run(read) == [2.5, "float"]

    field.fill("")
    assert tab.run(read) == [None, "NoneType"]

    tab.run("Session.set_temp('qty', 0.25)")
    expect(field).to_have_value("0.25")


def test_select_two_way(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run(
        "select = make('select', 'color', 'color')\n"
        "select.innerHTML = " + repr(OPTIONS) + "\n"
        "fixture.appendChild(select)\n"
    )
    tab.settle()
    select = tab.page.locator("#color")

    tab.run("Session.set_temp('color', 'green')")
    expect(select).to_have_value("green")

    select.select_option("blue")
    assert tab.run("result = Session.get('color')") == "blue"


def test_added_elements_bound(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run(
        "Session.set_temp({'a': 'value of a', 'b': 'value of b'})\n"
        "box = make('div', None, 'box')\n"
        "box.appendChild(make('span', 'a', 'nested'))\n"
        "fixture.appendChild(box)\n"
        "late = add('span', None, 'late')\n"
    )
    expect(tab.page.locator("#nested")).to_have_text("value of a")
    expect(tab.page.locator("#late")).to_have_text("")

    tab.run("late.setAttribute('data-session', 'a')")
    expect(tab.page.locator("#late")).to_have_text("value of a")

    tab.run("late.setAttribute('data-session', 'b')")
    expect(tab.page.locator("#late")).to_have_text("value of b")

    tab.run("Session.set_temp('a', 'changed')")
    expect(tab.page.locator("#nested")).to_have_text("changed")
    expect(tab.page.locator("#late")).to_have_text("value of b")


def test_removed_elements_released(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run(
        "Session.set_temp('k', 'one')\n"
        "span = add('span', 'k', 'alone')\n"
        "box = make('div', None, 'box')\n"
        "inner = make('span', 'k', 'inner')\n"
        "box.appendChild(inner)\n"
        "fixture.appendChild(box)\n"
    )
    expect(tab.page.locator("#alone")).to_have_text("one")
    expect(tab.page.locator("#inner")).to_have_text("one")
    bound = tab.run("result = len(bindings)")

    tab.run("span.remove()\nbox.remove()")
    tab.settle()
    assert tab.run("result = len(bindings)") == bound - 2

    writes = tab.run("result = bindings.dom_writes")
    tab.run("Session.set_temp('k', 'two')")
    tab.settle()
    assert tab.run("result = bindings.dom_writes") == writes
    assert tab.run("result = [span.textContent, inner.textContent]") == ["one", "one"]

    tab.run("fixture.appendChild(span)")
    expect(tab.page.locator("#alone")).to_have_text("two")
    assert tab.run("result = len(bindings)") == bound - 1


def test_attribute_removal_releases(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("Session.set_temp('k', 'one')\nspan = add('span', 'k', 'span')")
    expect(tab.page.locator("#span")).to_have_text("one")
    bound = tab.run("result = len(bindings)")

    tab.run("span.removeAttribute('data-session')")
    tab.settle()
    assert tab.run("result = len(bindings)") == bound - 1

    tab.run("Session.set_temp('k', 'two')")
    tab.settle()
    assert tab.run("result = span.textContent") == "one"


def test_two_way_survives_reload(open_harness):
    tab = open_harness()
    tab.run(ADD_SOURCE)
    tab.run("add('input', 'nickname', 'nickname', 'text')")
    tab.settle()
    tab.page.fill("#nickname", "Neo")
    assert tab.run("result = Session.type_of('nickname')") == "persistent"

    tab.reload()
    tab.run(ADD_SOURCE)
    tab.run("add('input', 'nickname', 'nickname', 'text')")
    expect(tab.page.locator("#nickname")).to_have_value("Neo")
    assert tab.run("result = Session.get('nickname')") == "Neo"

"""One storage format for both interpreters: what a Pyodide page stores, a
MicroPython page of the same origin reads back equal and of the same type, and
the other way round.

Both pages execute e2e/core_checks.py, whose catalogue contains every supported
type with its hard cases (ints in hex, nan, characters beyond U+FFFF, aware
datetimes with second offsets, values nested MAX_DEPTH deep), and whose
`same()` compares values and types inside the page. The `interpreter`
fixture picks the interpreter that writes; the other one reads, so the two
parameters cover both directions.
"""

import json
from pathlib import Path
from urllib.parse import quote

from conftest import PageDriver

CHECKS_SOURCE = Path(__file__).with_name("core_checks.py").read_text(encoding="utf-8")

OTHER_INTERPRETER = {"pyodide": "micropython", "micropython": "pyodide"}

# What sys.implementation.name is on each interpreter of the `interpreter`
# fixture.
IMPLEMENTATIONS = {"pyodide": "cpython", "micropython": "micropython"}

# Source that compares the page's Session with the catalogue.
READ_SOURCE = """
result = {
    "interpreter": sys.implementation.name,
    "problems": compare_session(Session),
    "types": session_type_names(Session),
}
"""


def open_same_tab(tab: PageDriver, server: str, interpreter: str) -> PageDriver:
    """Load the harness on `interpreter` in the tab of `tab`: same origin,
    same storage, a fresh page."""
    url = (
        f"{server}/e2e/harness.html?interpreter={interpreter}&settings={quote('none')}"
    )
    return PageDriver(tab.page, url).load()


def stored_entries(tab: PageDriver) -> dict:
    """Return every entry of the package in localStorage, parsed."""
    return {
        name: json.loads(text)
        for name, text in tab.storage().items()
        if name.startswith("__ps")
    }


def normalised(data):
    """Return parsed stored JSON with set members in one order.

    Set members are sorted by their encoded text, which differs between the
    interpreters for floats (MicroPython does not always write the shortest
    digits) and for non-ASCII text (CPython escapes it), so they may be
    stored in different orders. Dict key order disappears when compared.
    """
    if isinstance(data, list):
        return [normalised(item) for item in data]
    if not isinstance(data, dict):
        return data
    items = {key: normalised(item) for key, item in data.items()}
    if len(items) == 1:
        (tag,) = items
        if tag in ("$set", "$frozenset") and isinstance(items[tag], list):
            items[tag] = sorted(
                items[tag], key=lambda item: json.dumps(item, sort_keys=True)
            )
    return items


def test_values_on_reload_by_other_interpreter(open_harness, server, interpreter):
    reader_interpreter = OTHER_INTERPRETER[interpreter]
    writer = open_harness(settings="none")
    written_types = writer.run(
        CHECKS_SOURCE + "\nwrite_session(Session)\nresult = session_type_names(Session)"
    )
    written = stored_entries(writer)

    reader = open_same_tab(writer, server, reader_interpreter)
    report = reader.run(CHECKS_SOURCE + READ_SOURCE)

    assert report["interpreter"] == IMPLEMENTATIONS[reader_interpreter]
    assert report["problems"] == {}
    assert report["types"] == written_types
    assert stored_entries(reader) == written


def test_stored_text_same_on_both(open_harness, server, interpreter):
    """The reader stores the same values again: the stored JSON matches what
    the writer stored, up to the order of set members."""
    writer = open_harness(settings="none")
    writer.run(CHECKS_SOURCE + "\nwrite_session(Session)")
    written = stored_entries(writer)

    reader = open_same_tab(writer, server, OTHER_INTERPRETER[interpreter])
    reader.run(CHECKS_SOURCE + "\nSession.clear()\nwrite_session(Session)")
    rewritten = stored_entries(reader)

    assert sorted(rewritten) == sorted(written)
    differing = [
        name
        for name in written
        if normalised(rewritten[name]) != normalised(written[name])
    ]
    assert differing == []


def test_two_tabs_sync_across_interpreters(open_harness, interpreter):
    writer = open_harness(settings="none")
    reader = open_harness(settings="none", interp=OTHER_INTERPRETER[interpreter])
    # The reader publishes, reactively, how many of the written keys it has.
    key_count = reader.run(
        CHECKS_SOURCE
        + """
keys = [key for key, _value in catalogue()] + [AUTH_KEY]

def publish_count(computation):
    window.psSyncCount = len([key for key in keys if key in Session])

autorun(publish_count)
result = len(keys)
"""
    )

    writer.run(CHECKS_SOURCE + "\nwrite_session(Session)")
    reader.page.wait_for_function(
        "count => window.psSyncCount === count", arg=key_count
    )
    synced = reader.run(CHECKS_SOURCE + READ_SOURCE)

    writer.run("Session.set_user(None)")
    reader.page.wait_for_function(
        "count => window.psSyncCount === count", arg=key_count - 1
    )
    signed_out = reader.run(
        "result = [Session.user_id, AUTH_KEY in Session, Session.type_of('int_hex')]"
    )

    assert synced["problems"] == {}
    assert signed_out == [None, False, "persistent"]

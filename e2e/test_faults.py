"""Storage faults in Chromium: blocked or read-only Web Storage, a full quota,
unreadable and foreign entries, markup in values, and a reload or a closed tab
right after a set.

Every test runs on Pyodide and on MicroPython through the `interpreter`
fixture. Faults are made with init scripts, which run in the page before any of
its own scripts, or with a real `localStorage` filled up to its quota.
"""

import pytest

PREFIX = "__ps:"

# A browser that blocks storage throws a SecurityError when a page reads
# `window.localStorage`.
BLOCK_LOCAL_STORAGE = """
Object.defineProperty(window, "localStorage", {
  configurable: true,
  get() {
    throw new DOMException("Access is denied for this document.", "SecurityError");
  },
});
"""

BLOCK_BOTH_STORAGES = (
    BLOCK_LOCAL_STORAGE
    + """
Object.defineProperty(window, "sessionStorage", {
  configurable: true,
  get() {
    throw new DOMException("Access is denied for this document.", "SecurityError");
  },
});
"""
)

# Storage that exists but accepts no write, like a private mode with a quota of
# zero.
FAIL_EVERY_WRITE = """
Storage.prototype.setItem = function () {
  throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
};
"""

# Fill localStorage with one "filler" entry, as large as the quota allows, and
# return its length. The binary search makes at most 25 writes.
FILL_STORAGE = """
() => {
  let low = 0;
  let high = 16 * 1024 * 1024;
  while (low < high) {
    const size = Math.ceil((low + high) / 2);
    try {
      localStorage.setItem("filler", "f".repeat(size));
      low = size;
    } catch (error) {
      high = size - 1;
    }
  }
  localStorage.setItem("filler", "f".repeat(low));
  return low;
}
"""

# Runs `{call}` in the page. `result` is None when the call raised nothing, and
# otherwise the details of the QuotaExceededError it raised.
CATCH_QUOTA_SOURCE = """
try:
    {call}
    result = None
except persistent_session.QuotaExceededError as exc:
    result = {{
        "type": type(exc).__name__,
        "is_session_error": isinstance(exc, persistent_session.SessionError),
        "key": exc.key,
        "size": exc.size,
        "message": str(exc),
    }}
"""

# Entries of ours that this release cannot read, and the reason for each.
UNREADABLE_ENTRIES = {
    "bad_json": '[1,"p",',
    "bad_type_code": '[1,"z","x"]',
    "bad_tag": '[1,"p",{"$unknown":1}]',
    "truncated": '[1,"p"]',
    "newer_version": '[99,"p","x"]',
}

# Entries of other code: names without our prefix, or close to it.
FOREIGN_ENTRIES = {
    "theme": "dark",
    "ps:k": '[1,"p","foreign"]',
    "__psk": '[1,"p","foreign"]',
    "__ps!k": '[1,"p","foreign"]',
    "__PS:k": '[1,"p","foreign"]',
}

MARKUP = (
    '<img src="/e2e/missing.png" onerror="window.psInjected = 1"><b id="injected">b</b>'
)


def value(tab, key: str):
    return tab.run(f"result = Session.get({key!r})")


def fallback_warnings(tab) -> list[str]:
    return [line for line in tab.console if "Web Storage fallback" in line]


def test_blocked_local_storage_uses_session_storage(open_harness, interpreter):
    tab = open_harness(init_script=BLOCK_LOCAL_STORAGE)

    assert tab.run("result = Session.storage_name") == "sessionStorage"
    warnings = fallback_warnings(tab)
    assert len(warnings) == 1
    assert "localStorage (OSError: SecurityError: Access is denied" in warnings[0]
    assert "using sessionStorage" in warnings[0]

    tab.run("Session.set_persistent('k', 'kept')")
    assert tab.storage("sessionStorage")[PREFIX + "k"] == '[1,"p","kept"]'
    tab.reload()
    assert value(tab, "k") == "kept"
    assert len(fallback_warnings(tab)) == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (BLOCK_BOTH_STORAGES, "SecurityError: Access is denied"),
        (FAIL_EVERY_WRITE, "QuotaExceededError: The quota has been exceeded"),
    ],
    ids=["blocked", "read-only"],
)
def test_unusable_storage_uses_memory(open_harness, interpreter, fault, reason):
    tab = open_harness(init_script=fault)

    assert tab.run("result = Session.storage_name") == "memory"
    warnings = fallback_warnings(tab)
    assert len(warnings) == 1
    assert "localStorage (OSError: " + reason in warnings[0]
    assert "sessionStorage (OSError: " + reason in warnings[0]
    assert "using memory" in warnings[0]

    tab.run(
        "runs = []\n"
        "autorun(lambda computation: runs.append(Session.get('k')))\n"
        "document.getElementById('fixture').innerHTML = "
        '\'<span id="shown" data-session="k"></span>\''
    )
    tab.run("Session.set_persistent('k', [1, 2])")
    tab.settle()
    assert value(tab, "k") == [1, 2]
    assert tab.run("result = Session.type_of('k')") == "persistent"
    assert tab.run("result = runs") == [None, [1, 2]]
    assert tab.page.text_content("#shown") == "[1, 2]"


def test_read_only_storage_stays_empty(open_harness, interpreter):
    tab = open_harness(init_script=FAIL_EVERY_WRITE)
    tab.run("Session.set_user('alice')\nSession.set_persistent('k', 1)")

    assert tab.storage("localStorage") == {}
    assert tab.storage("sessionStorage") == {}


def test_quota_exceeded_keeps_previous(open_harness, interpreter):
    tab = open_harness()
    tab.run("Session.set_persistent({'k': 'small', 'other': 1})")
    assert tab.page.evaluate(FILL_STORAGE) > 0

    error = tab.run(
        CATCH_QUOTA_SOURCE.format(call="Session.set_persistent('k', 'x' * 5000)")
    )
    assert error["type"] == "QuotaExceededError"
    assert error["is_session_error"] is True
    assert error["key"] == "k"
    assert error["size"] == len('[1,"p","' + "x" * 5000 + '"]')
    assert "'k'" in error["message"]
    assert str(error["size"]) in error["message"]
    assert value(tab, "k") == "small"
    assert tab.storage()[PREFIX + "k"] == '[1,"p","small"]'

    # A write that needs no more room than the entry it replaces still fits.
    tab.run("Session.set_persistent('other', 2)")
    assert tab.storage()[PREFIX + "other"] == '[1,"p",2]'

    # A dict is set all or nothing: "k" was written first, then put back.
    error = tab.run(
        CATCH_QUOTA_SOURCE.format(
            call="Session.set_persistent({'k': 'SMALL', 'big': 'y' * 5000})"
        )
    )
    assert error["key"] == "big"
    assert value(tab, "k") == "small"
    assert tab.storage()[PREFIX + "k"] == '[1,"p","small"]'
    assert tab.run("result = 'big' in Session") is False
    assert PREFIX + "big" not in tab.storage()

    # A temporary value needs no storage, but making it persistent does.
    tab.run("Session.set_temp('draft', 'z' * 5000)")
    error = tab.run(CATCH_QUOTA_SOURCE.format(call="Session.make_persistent('draft')"))
    assert error["key"] == "draft"
    assert tab.run("result = Session.type_of('draft')") == "temporary"
    assert value(tab, "draft") == "z" * 5000

    tab.page.evaluate("() => localStorage.removeItem('filler')")
    tab.reload()
    assert value(tab, "k") == "small"
    assert value(tab, "other") == 2
    assert tab.run("result = sorted(Session.keys())") == ["k", "other"]


def test_unreadable_entries_skipped(open_harness, interpreter):
    tab = open_harness()
    tab.page.evaluate(
        """entries => {
          for (const [name, text] of Object.entries(entries)) {
            localStorage.setItem(name, text);
          }
        }""",
        {
            **{PREFIX + key: text for key, text in UNREADABLE_ENTRIES.items()},
            PREFIX + "good": '[1,"p","ok"]',
            PREFIX + "bob_only": '[1,"a",{"$unknown":1},"bob"]',
        },
    )
    tab.reload()

    for key in UNREADABLE_ENTRIES:
        warnings = [
            line for line in tab.console if f"Skipped stored key {key!r}" in line
        ]
        assert len(warnings) == 1, key
        assert tab.storage()[PREFIX + key] == UNREADABLE_ENTRIES[key]
    assert tab.run("result = sorted(Session.keys())") == ["good"]
    assert value(tab, "good") == "ok"

    # An unreadable authenticated entry of a user who is not signed in is
    # removed like a readable one.
    assert PREFIX + "bob_only" not in tab.storage()

    # An unreadable entry changes only when its key is set or cleared.
    tab.run("Session.set_persistent('bad_json', 1)\nSession.clear('bad_type_code')")
    assert tab.storage()[PREFIX + "bad_json"] == '[1,"p",1]'
    assert PREFIX + "bad_type_code" not in tab.storage()
    tab.run("Session.clear_persistent()")
    assert sorted(tab.storage()) == [
        PREFIX + "bad_tag",
        PREFIX + "newer_version",
        PREFIX + "truncated",
    ]
    tab.run("Session.clear()")
    assert tab.storage() == {}


def test_foreign_entries_untouched(open_harness, storage_spy, interpreter):
    tab = open_harness()
    tab.page.evaluate(
        """entries => {
          for (const [name, text] of Object.entries(entries)) {
            localStorage.setItem(name, text);
          }
          sessionStorage.setItem("__ps:k", '[1,"p","other area"]');
        }""",
        FOREIGN_ENTRIES,
    )
    tab.reload()
    assert tab.run("result = Session.keys()") == []
    storage_spy.reset(tab)

    tab.run(
        "Session.set_persistent('k', 1)\n"
        "Session.set_user('alice')\n"
        "Session.set_auth('a', 2)\n"
        "Session.clear_persistent()\n"
        "Session.clear('k')\n"
        "Session.set_user(None)\n"
        "Session.set_persistent('p', 3)\n"
        "Session.clear()"
    )

    stored = tab.storage()
    for name, text in FOREIGN_ENTRIES.items():
        assert stored[name] == text, name
    assert tab.storage("sessionStorage") == {"__ps:k": '[1,"p","other area"]'}
    touched = {name for _, name in storage_spy.calls(tab)}
    assert touched == {PREFIX + "k", PREFIX + "a", PREFIX + "p", "__ps!user"}
    assert storage_spy.calls(tab, "sessionStorage") == []


def test_bound_values_stay_text(open_harness, interpreter):
    tab = open_harness()
    bind = (
        "document.getElementById('fixture').innerHTML = ("
        '\'<span id="shown" data-session="html"></span>\''
        '\'<input id="field" data-session="html">\''
        '\'<textarea id="area" data-session="html"></textarea>\''
        '\'<span id="listed" data-session="listed"></span>\')'
    )
    tab.run(bind)
    tab.run(f"Session.set_persistent({{'html': {MARKUP!r}, 'listed': [{MARKUP!r}]}})")
    tab.settle()
    tab.reload()
    tab.run(bind)
    tab.settle()

    assert tab.page.text_content("#shown") == MARKUP
    assert tab.page.evaluate("document.getElementById('shown').childElementCount") == 0
    assert tab.page.input_value("#field") == MARKUP
    assert tab.page.input_value("#area") == MARKUP
    assert tab.page.text_content("#listed") == str([MARKUP])
    assert tab.page.evaluate("document.getElementById('listed').childElementCount") == 0
    assert tab.page.query_selector("#injected") is None
    assert tab.page.evaluate("window.psInjected === undefined") is True


def test_reload_right_after_set(open_harness, interpreter):
    tab = open_harness()

    with tab.page.expect_navigation():
        tab.page.evaluate(
            """() => {
              window.psRun("Session.set_persistent('k', 'saved')");
              location.reload();
            }"""
        )
    tab.wait_ready()

    assert value(tab, "k") == "saved"


def test_close_right_after_set(open_harness, interpreter):
    first = open_harness()
    first.run("Session.set_persistent('k', 'saved')")
    first.page.close()

    second = open_harness()
    assert value(second, "k") == "saved"

"""End-to-end fixtures: a local server, Debian's Chromium, and a guard that
fails a test on any request to another host.

Pages under test are the demo (`/index.html`) and the harness
(`/e2e/harness.html`), whose `window.psRun(source)` runs Python in the page.
Every scenario runs on both interpreters through the `interpreter` fixture.
"""

import json
import sys
import threading
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from serve import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INTERPRETERS = ["pyodide", "micropython"]

# Pyodide needs several seconds to boot on a loaded machine.
LOAD_TIMEOUT_MS = 120_000


@pytest.fixture(scope="session")
def server():
    """Serve the project folder on 127.0.0.1 and return the base URL."""
    httpd = make_server(0, ROOT)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


class ForeignRequests:
    """Requests the guard blocked because they aimed at another host."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def check(self, route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.hostname == "127.0.0.1":
            route.fallback()
            return
        self.urls.append(url)
        route.abort()


@pytest.fixture
def foreign_requests() -> ForeignRequests:
    return ForeignRequests()


@pytest.fixture
def context(browser, foreign_requests):
    """A fresh browser context (its own storage) that blocks other hosts."""
    ctx = browser.new_context()
    ctx.set_default_timeout(LOAD_TIMEOUT_MS)
    ctx.route("**/*", foreign_requests.check)
    yield ctx
    ctx.close()
    assert foreign_requests.urls == [], "requests to another host were made"


@pytest.fixture(params=INTERPRETERS)
def interpreter(request) -> str:
    return request.param


class PageDriver:
    """One tab of the harness page, with helpers to run Python in it."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.url = url
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))

    def load(self) -> "PageDriver":
        self.page.goto(self.url)
        self.wait_ready()
        return self

    def reload(self) -> "PageDriver":
        self.console.clear()
        self.page.reload()
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            "window.psReady === true || typeof window.psStartError === 'string'",
            timeout=LOAD_TIMEOUT_MS,
        )
        error = self.page.evaluate("window.psStartError || null")
        assert error is None, f"start() failed: {error}"

    def run(self, source: str):
        """Run Python `source` in the page and return its `result` variable."""
        reply = json.loads(self.page.evaluate("source => window.psRun(source)", source))
        assert reply["ok"], reply.get("error")
        return reply["result"]

    def run_error(self, source: str) -> str:
        """Run Python `source` that must raise; return "<type>: <message>"."""
        reply = json.loads(self.page.evaluate("source => window.psRun(source)", source))
        assert not reply["ok"], f"expected an exception, got {reply['result']!r}"
        return reply["error"]

    def storage(self, area: str = "localStorage") -> dict:
        return self.page.evaluate(
            "area => Object.fromEntries(Object.keys(window[area])"
            ".map(k => [k, window[area].getItem(k)]))",
            area,
        )

    def settle(self) -> None:
        """Wait until pending microtasks (the session's flush) have run."""
        self.page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")


@pytest.fixture
def open_harness(context, server, interpreter):
    """Open harness tabs in the shared context: `open_harness(settings=...)`.

    `settings` is a URL path or "none"; `init_script` runs in the page before
    any of its scripts (to break storage, say).
    """

    def open_tab(
        settings: str = "/settings.json",
        init_script: str | None = None,
        interp: str | None = None,
        page_context=None,
    ) -> PageDriver:
        target = page_context or context
        page = target.new_page()
        if init_script:
            page.add_init_script(init_script)
        chosen = interp or interpreter
        url = (
            f"{server}/e2e/harness.html?interpreter={chosen}&settings={quote(settings)}"
        )
        return PageDriver(page, url).load()

    return open_tab


# Installed in every page of a context by the `storage_spy` fixture, before the
# page's own scripts: it records each Web Storage write the page makes and each
# storage event the page receives.
STORAGE_SPY_SCRIPT = r"""
(() => {
  const calls = [];
  const events = [];
  window.psStorageCalls = calls;
  window.psStorageEvents = events;
  const areaName = (storage) => {
    try {
      return storage === window.sessionStorage ? "sessionStorage" : "localStorage";
    } catch (error) {
      return "unknown";
    }
  };
  for (const method of ["setItem", "removeItem", "clear"]) {
    const original = Storage.prototype[method];
    Storage.prototype[method] = function (...args) {
      calls.push([areaName(this), method, args.length ? String(args[0]) : null]);
      return original.apply(this, args);
    };
  }
  window.addEventListener("storage", (event) => {
    events.push([areaName(event.storageArea), event.key, event.newValue]);
  });
})();
"""

# How long a tab may take to receive a storage event from another tab.
EVENT_TIMEOUT_MS = 30_000

# Passed as `new_value` to StorageSpy.wait_for_event to accept any value.
ANY_VALUE = object()


class StorageSpy:
    """Reads what STORAGE_SPY_SCRIPT recorded in a tab since it loaded or reset."""

    def calls(self, tab: PageDriver, area: str = "localStorage") -> list[list[str]]:
        """Return `[method, name]` for each setItem, removeItem and clear call."""
        recorded = tab.page.evaluate("() => window.psStorageCalls")
        return [
            [method, name]
            for called_area, method, name in recorded
            if called_area == area
        ]

    def writes(self, tab: PageDriver, area: str = "localStorage") -> int:
        """Return the number of setItem, removeItem and clear calls on `area`."""
        return len(self.calls(tab, area))

    def events(self, tab: PageDriver, area: str = "localStorage") -> list[list]:
        """Return `[key, newValue]` for each storage event received for `area`."""
        recorded = tab.page.evaluate("() => window.psStorageEvents")
        return [
            [key, value] for event_area, key, value in recorded if event_area == area
        ]

    def reset(self, *tabs: PageDriver) -> None:
        for tab in tabs:
            tab.page.evaluate(
                "() => { window.psStorageCalls.length = 0;"
                " window.psStorageEvents.length = 0; }"
            )

    def wait_for_event(
        self,
        tab: PageDriver,
        key: str | None,
        new_value: object = ANY_VALUE,
        count: int = 1,
    ) -> None:
        """Wait until `tab` has received `count` storage events on localStorage
        for `key` (None for `localStorage.clear()`), the last of them with
        `new_value` (None for a removal) unless it is ANY_VALUE; then let the
        session's flush run."""
        tab.page.wait_for_function(
            """([key, matchValue, newValue, count]) => {
              const matching = window.psStorageEvents.filter(
                event => event[0] === "localStorage" && event[1] === key);
              if (matching.length < count) return false;
              return !matchValue || matching[matching.length - 1][2] === newValue;
            }""",
            arg=[
                key,
                new_value is not ANY_VALUE,
                None if new_value is ANY_VALUE else new_value,
                count,
            ],
            polling=50,
            timeout=EVENT_TIMEOUT_MS,
        )
        tab.settle()


@pytest.fixture
def storage_spy(context) -> StorageSpy:
    """Record storage writes and storage events in every tab opened afterwards."""
    context.add_init_script(STORAGE_SPY_SCRIPT)
    return StorageSpy()

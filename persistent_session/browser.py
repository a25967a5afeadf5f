"""The page glue: the only module that imports `pyscript`.

`start()` reads settings.json, opens `localStorage` (or a fallback), restores
the stored values into the `Session` singleton, and connects the page: reruns
flush right after the current task, `data-session` elements are bound as they
come and go, changes made by other tabs arrive through the storage event, and
JavaScript sign-in code can report the user with a DOM event:

    window.dispatchEvent(
        new CustomEvent("persistent-session:user", {detail: "alice"}))
    window.dispatchEvent(
        new CustomEvent("persistent-session:user", {detail: null}))

Events sent before `start()` has finished reach no listener, so sign-in code
that runs at page load sets `window.persistentSessionUser` (a user id or null)
instead; `start()` reads it once. The listeners last until `shutdown()`.
"""

import asyncio
import json

from pyscript import document, fetch, window
from pyscript.ffi import create_proxy

from . import tracker
from ._compat import TYPE_CHECKING, get_logger
from .bindings import ATTRIBUTE, Bindings
from .entries import AUTHENTICATED, PERSISTENT, TEMPORARY
from .errors import SessionError
from .settings import default_method_from_settings, default_method_from_text
from .storage import StorageArea, open_storage

if TYPE_CHECKING:
    from typing import Any

    from .session import PersistentSession

log = get_logger(__name__)

USER_EVENT = "persistent-session:user"
USER_GLOBAL = "persistentSessionUser"

# Helpers that run in JavaScript. Most replace a loop that would otherwise
# cross between Python and JavaScript once per stored entry or DOM record, and
# the storage ones catch exceptions that MicroPython cannot catch.
_HELPERS_SOURCE = r"""
function startsWith(text, prefix) { return text.lastIndexOf(prefix, 0) === 0; }
function describeError(error) {
  if (error && typeof error.name === "string") return error.name + ": " + error.message;
  return String(error);
}
return {
  storageOrError: function (name) {
    // Reading window.localStorage throws a SecurityError when the browser
    // blocks storage. The error comes back as text, because MicroPython
    // cannot catch an exception that JavaScript throws.
    try {
      var storage = window[name];
      return storage ? storage : name + " does not exist";
    } catch (error) {
      return describeError(error);
    }
  },
  callStorage: function (storage, method, name, value) {
    try {
      if (method === "setItem") storage.setItem(name, value);
      else storage.removeItem(name);
      return "";
    } catch (error) {
      return describeError(error);
    }
  },
  readCombined: function (storage, prefix) {
    var parts = [];
    var count = storage.length;
    for (var i = 0; i < count; i++) {
      var name = storage.key(i);
      if (name === null || !startsWith(name, prefix)) continue;
      var text = storage.getItem(name);
      if (text !== null) parts.push("[" + JSON.stringify(name) + "," + text + "]");
    }
    return parts.length + "|[" + parts.join(",") + "]";
  },
  readPairs: function (storage, prefix) {
    var pairs = [];
    var count = storage.length;
    for (var i = 0; i < count; i++) {
      var name = storage.key(i);
      if (name === null || !startsWith(name, prefix)) continue;
      var text = storage.getItem(name);
      if (text !== null) pairs.push([name, text]);
    }
    return JSON.stringify(pairs);
  },
  listenStorage: function (storage, callback) {
    var listener = function (event) {
      if (event.storageArea !== storage) return;
      callback(JSON.stringify([event.key, event.newValue]));
    };
    window.addEventListener("storage", listener);
    return listener;
  },
  describeUser: function (user) {
    if (user === null || user === undefined) return "";
    if (typeof user === "string") return "s" + user;
    if (typeof user === "number" && isFinite(user)) return "s" + String(user);
    return "x" + typeof user;
  },
  readUserGlobal: function (name) {
    return name in window ? this.describeUser(window[name]) : "u";
  },
  listenUser: function (type, callback) {
    var describeUser = this.describeUser;
    var listener = function (event) { callback(describeUser(event.detail)); };
    window.addEventListener(type, listener);
    return listener;
  },
  unlisten: function (type, listener) {
    window.removeEventListener(type, listener);
  },
  observe: function (root, attribute, onAdded, onRemoved) {
    var observer = new MutationObserver(function (records) {
      var added = [];
      var removed = [];
      for (var i = 0; i < records.length; i++) {
        var record = records[i];
        if (record.type === "attributes") { added.push(record.target); continue; }
        for (var j = 0; j < record.removedNodes.length; j++) {
          var node = record.removedNodes[j];
          if (node.nodeType === 1) removed.push(node);
        }
        for (var k = 0; k < record.addedNodes.length; k++) {
          var node2 = record.addedNodes[k];
          if (node2.nodeType === 1) added.push(node2);
        }
      }
      if (removed.length) onRemoved(removed);
      if (added.length) onAdded(added);
    });
    observer.observe(root, {childList: true, subtree: true, attributes: true,
                            attributeFilter: [attribute]});
    return observer;
  },
  bindingId: function (element) {
    var id = element.psSessionBinding;
    return typeof id === "number" ? id : 0;
  },
  setBindingId: function (element, id) { element.psSessionBinding = id; }
};
"""


class _Dom:
    """The adapter that `Bindings` uses for listeners and binding ids."""

    def __init__(self, helpers: "Any") -> None:
        self._helpers = helpers

    def listen(self, element: "Any", event_type: str, handler: "Any") -> "Any":
        proxy = create_proxy(handler)
        element.addEventListener(event_type, proxy)
        return (element, event_type, proxy)

    def unlisten(self, token: "Any") -> None:
        element, event_type, proxy = token
        element.removeEventListener(event_type, proxy)
        _destroy(proxy)

    def binding_id(self, element: "Any") -> "int | None":
        binding_id = int(self._helpers.bindingId(element))
        return binding_id if binding_id > 0 else None

    def set_binding_id(self, element: "Any", binding_id: "int | None") -> None:
        self._helpers.setBindingId(element, binding_id or 0)


def _destroy(proxy: "Any") -> None:
    destroy = getattr(proxy, "destroy", None)
    if destroy is not None:
        destroy()


class _Page:
    """What `start()` connected, so that `shutdown()` can disconnect it."""

    def __init__(self) -> None:
        self.helpers: "Any" = None
        self.proxies: "list[Any]" = []
        self.listeners: "list[tuple[str, Any]]" = []
        self.observer: "Any" = None
        self.bindings: "Bindings | None" = None


_page: "_Page | None" = None
_starting: "asyncio.Event | None" = None
_start_error: "BaseException | None" = None


async def start(
    session: "PersistentSession", settings: "Any" = "settings.json"
) -> "PersistentSession":
    """Start `session` in this page; later calls wait for the first one."""
    global _starting, _start_error
    if session.started:
        return session
    if _starting is not None:
        await _starting.wait()
        if _start_error is not None:
            raise _start_error
        return session

    _starting = asyncio.Event()
    try:
        default_method = await _load_default_method(settings)
        area = _open_area()
        session.attach(area, default_method)
        _connect(session, area)
    except BaseException as exc:
        _start_error = exc
        raise
    finally:
        _starting.set()
    return session


def shutdown(session: "PersistentSession") -> None:
    """Remove every listener, observer and binding that `start()` added."""
    global _page
    page = _page
    if page is None:
        return
    _page = None
    tracker.set_scheduler(None)
    if page.observer is not None:
        page.observer.disconnect()
    for event_type, listener in page.listeners:
        page.helpers.unlisten(event_type, listener)
    if page.bindings is not None:
        page.bindings.release_everything()
    for proxy in page.proxies:
        _destroy(proxy)


def bindings() -> "Bindings | None":
    """Return the page's bindings once `start()` has finished."""
    return None if _page is None else _page.bindings


async def _load_default_method(settings: "Any") -> str:
    if settings is None:
        return TEMPORARY
    if isinstance(settings, dict):
        return default_method_from_settings(settings, "passed to start()")
    if not isinstance(settings, str):
        raise TypeError(
            "start() accepts a settings URL, a dict or None, got "
            + type(settings).__name__
        )
    try:
        response = await fetch(settings)
    except Exception as exc:
        log.warning(
            "Settings %s could not be fetched (%s); values default to temporary",
            settings,
            exc,
        )
        return TEMPORARY
    if not response.ok:
        log.warning(
            "Settings %s could not be read (HTTP %s); values default to temporary",
            settings,
            response.status,
        )
        return TEMPORARY
    text = await response.text()
    return default_method_from_text(str(text), settings)


def _helpers() -> "Any":
    return window.Function(_HELPERS_SOURCE)()


class _GuardedStorage:
    """A browser Web Storage object whose failed calls raise OSError.

    MicroPython cannot catch an exception thrown by JavaScript, so every call
    that can throw goes through a helper that catches the exception and returns
    its name and message, such as "QuotaExceededError: ...". `web_storage` is
    the browser's object itself.
    """

    def __init__(self, web_storage: "Any", helpers: "Any") -> None:
        self.web_storage = web_storage
        self._helpers = helpers

    @property
    def length(self) -> int:
        return int(self.web_storage.length)

    def key(self, index: int) -> "Any":
        return self.web_storage.key(index)

    def getItem(self, name: str) -> "Any":
        return self.web_storage.getItem(name)

    def setItem(self, name: str, value: str) -> None:
        self._call("setItem", name, value)

    def removeItem(self, name: str) -> None:
        self._call("removeItem", name, None)

    def _call(self, method: str, name: str, value: "str | None") -> None:
        error = self._helpers.callStorage(self.web_storage, method, name, value)
        if error:
            raise OSError(str(error))


def _open_area() -> StorageArea:
    helpers = _helpers()

    def guarded(storage_name: str) -> "_GuardedStorage":
        storage = helpers.storageOrError(storage_name)
        if isinstance(storage, str):
            raise OSError(storage)
        return _GuardedStorage(storage, helpers)

    name, storage = open_storage(
        [
            ("localStorage", lambda: guarded("localStorage")),
            ("sessionStorage", lambda: guarded("sessionStorage")),
        ]
    )
    if name == "memory":
        return StorageArea(storage, name)
    web_storage = storage.web_storage
    return StorageArea(
        storage,
        name,
        read_combined=lambda prefix: str(helpers.readCombined(web_storage, prefix)),
        read_pairs=lambda prefix: json.loads(
            str(helpers.readPairs(web_storage, prefix))
        ),
    )


def _connect(session: "PersistentSession", area: StorageArea) -> None:
    global _page
    page = _Page()
    page.helpers = helpers = _helpers()

    flush_proxy = create_proxy(tracker._scheduled_flush)
    page.proxies.append(flush_proxy)
    tracker.set_scheduler(lambda _callback: window.queueMicrotask(flush_proxy))

    if area.name != "memory":

        def on_storage(payload: str) -> None:
            name, new_value = json.loads(str(payload))
            session.handle_storage_event(name, new_value)

        storage_proxy = create_proxy(on_storage)
        page.proxies.append(storage_proxy)
        listener = helpers.listenStorage(area.storage.web_storage, storage_proxy)
        page.listeners.append(("storage", listener))

    def on_user(detail: str) -> None:
        detail = str(detail)
        if detail[:1] == "x" or detail == "s":
            log.warning(
                "Ignored a user report: a user id must be a non-empty string or "
                "null, got %s",
                detail[1:] or "an empty string",
            )
            return
        try:
            session.set_user(detail[1:] if detail else None)
        except SessionError as exc:
            log.warning("Could not record the user reported by the page: %s", exc)

    # Sign-in code that runs before Python has started cannot reach the
    # listener yet, so it may leave the user in a global instead.
    early_user = str(helpers.readUserGlobal(USER_GLOBAL))
    if early_user != "u":
        on_user(early_user)

    user_proxy = create_proxy(on_user)
    page.proxies.append(user_proxy)
    page.listeners.append((USER_EVENT, helpers.listenUser(USER_EVENT, user_proxy)))

    bound = Bindings(session, _Dom(helpers))
    page.bindings = bound
    root = document.documentElement
    bound.bind_all(root)

    def on_added(elements: "Any") -> None:
        for element in elements:
            bound.bind_all(element)

    def on_removed(elements: "Any") -> None:
        for element in elements:
            bound.release_all(element)

    added_proxy = create_proxy(on_added)
    removed_proxy = create_proxy(on_removed)
    page.proxies.extend([added_proxy, removed_proxy])
    page.observer = helpers.observe(root, ATTRIBUTE, added_proxy, removed_proxy)
    _page = page


__all__ = ["AUTHENTICATED", "PERSISTENT", "USER_EVENT", "bindings", "shutdown", "start"]

"""A reactive, persistent Session for Python pages, after Meteor's Session.

    from persistent_session import Session, autorun, start

    await start()                            # settings, stored values, bindings
    Session.set_persistent("theme", "dark")  # survives a reload
    Session.set_temp("menu_open", True)      # lost on reload
    Session.set_user("alice")
    Session.set_auth("cart", ["apple"])      # kept until alice signs out

    autorun(lambda c: print("theme:", Session.get("theme")))

Elements marked `data-session="key"` show the key's value and update with it;
form fields bound this way also write back. See the README for the full API.
"""

from . import tracker
from .errors import QuotaExceededError, SessionError, StorageError
from .session import PersistentSession
from .storage import MemoryStorage
from .tracker import (
    Computation,
    Dependency,
    after_flush,
    autorun,
    flush,
    nonreactive,
    on_invalidate,
)

__all__ = [
    "Computation",
    "Dependency",
    "MemoryStorage",
    "PersistentSession",
    "QuotaExceededError",
    "Session",
    "SessionError",
    "StorageError",
    "Tracker",
    "after_flush",
    "autorun",
    "flush",
    "nonreactive",
    "on_invalidate",
    "shutdown",
    "start",
]

# The page's session. Its methods raise RuntimeError until start() finishes.
Session = PersistentSession()

# Meteor code reaches these as Tracker.autorun, Tracker.flush, and so on.
Tracker = tracker


async def start(settings: "object" = "settings.json") -> PersistentSession:
    """Start the page's Session and return it; later calls return at once.

    `settings` is the URL of a settings.json, the settings as a dict, or None
    to use the defaults without a request. Only the page glue needs the
    browser, so this is the one import of `pyscript`.
    """
    from . import browser

    return await browser.start(Session, settings)


def shutdown() -> None:
    """Disconnect the page: storage events, the user event and all bindings."""
    from . import browser

    browser.shutdown(Session)

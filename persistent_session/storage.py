"""Web Storage backends: choosing one, an in-memory stand-in, and bulk reads.

The session talks to storage only through `StorageArea`, which wraps any object
with the Web Storage interface (`getItem`, `setItem`, `removeItem`, `key`,
`length`). The page glue passes `localStorage`, `sessionStorage` or a
`MemoryStorage`, whichever `open_storage` finds writable first.

    area = StorageArea(MemoryStorage(), "memory")
    area.set("__ps:color", '[1,"p","blue"]')
"""

from ._compat import TYPE_CHECKING, get_logger, json_loads
from .entries import PROBE_ENTRY

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

log = get_logger(__name__)

__all__ = ["MemoryStorage", "StorageArea", "open_storage"]


class MemoryStorage:
    """The Web Storage interface over a dict; values last as long as the object.

    The page uses it when neither `localStorage` nor `sessionStorage` accepts a
    write, and the tests use it in place of the browser's storage.
    """

    def __init__(self) -> None:
        self._items: "dict[str, str]" = {}

    @property
    def length(self) -> int:
        return len(self._items)

    def key(self, index: int) -> "str | None":
        if 0 <= index < len(self._items):
            return list(self._items)[index]
        return None

    def getItem(self, name: str) -> "str | None":
        return self._items.get(name)

    def setItem(self, name: str, value: str) -> None:
        self._items[name] = str(value)

    def removeItem(self, name: str) -> None:
        self._items.pop(name, None)

    def clear(self) -> None:
        self._items.clear()

    def items(self) -> "list[tuple[str, str]]":
        """Return every (name, value) pair; not part of Web Storage."""
        return list(self._items.items())


class StorageArea:
    """The storage the session writes to, with reads of all its entries at once.

    `read_combined(prefix)`, when given, returns `"<count>|<json>"` where
    `<json>` is an array of `[name, value]` pairs built by pasting each stored
    text in as it is, so one `json.loads` parses every entry. The browser glue
    supplies one that runs in JavaScript, which makes a start-up restore cost
    a constant number of calls into JavaScript whatever the number of entries.
    `read_pairs(prefix)` returns the same pairs with values as strings, for
    when one stored text is not valid JSON.
    """

    def __init__(
        self,
        storage: "Any",
        name: str = "storage",
        read_combined: "Callable[[str], str] | None" = None,
        read_pairs: "Callable[[str], list[list[str]]] | None" = None,
    ) -> None:
        self.storage = storage
        self.name = name
        self._read_combined = read_combined
        self._read_pairs = read_pairs

    def get(self, name: str) -> "str | None":
        value = self.storage.getItem(name)
        # Browsers return null for a missing entry, which an interpreter may
        # hand over as None or as its own null object.
        return value if isinstance(value, str) else None

    def set(self, name: str, text: str) -> None:
        self.storage.setItem(name, text)

    def remove(self, name: str) -> None:
        self.storage.removeItem(name)

    def read_pairs(self, prefix: str) -> "list[list[str]]":
        """Return `[name, text]` for every entry whose name starts with `prefix`."""
        if self._read_pairs is not None:
            return self._read_pairs(prefix)
        if isinstance(self.storage, MemoryStorage):
            return [
                [name, text]
                for name, text in self.storage.items()
                if name.startswith(prefix)
            ]
        storage = self.storage
        pairs = []
        for index in range(int(storage.length)):
            name = storage.key(index)
            if isinstance(name, str) and name.startswith(prefix):
                text = storage.getItem(name)
                if isinstance(text, str):
                    pairs.append([name, text])
        return pairs

    def read_parsed(self, prefix: str) -> "list[tuple[str, Any, str | None]]":
        """Return `(name, parsed JSON, error)` for every entry under `prefix`.

        `error` is None when the text parsed, and a reason otherwise; the
        parsed JSON is then the raw text.
        """
        if self._read_combined is not None:
            parsed = self._parse_combined(self._read_combined(prefix))
            if parsed is not None:
                return parsed

        result: "list[tuple[str, Any, str | None]]" = []
        for name, text in self.read_pairs(prefix):
            try:
                result.append((name, json_loads(text), None))
            except ValueError:
                result.append((name, text, "the entry is not valid JSON"))
        return result

    def _parse_combined(
        self, combined: str
    ) -> "list[tuple[str, Any, str | None]] | None":
        count_text, _, body = str(combined).partition("|")
        try:
            pairs = json_loads(body)
        except ValueError:
            return None
        if type(pairs) is not list or str(len(pairs)) != count_text:
            return None
        result: "list[tuple[str, Any, str | None]]" = []
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                return None
            result.append((pair[0], pair[1], None))
        return result


def _probe(storage: "Any") -> None:
    """Write, read back and remove a probe entry; raise when any step fails."""
    storage.setItem(PROBE_ENTRY, "1")
    if storage.getItem(PROBE_ENTRY) != "1":
        raise OSError("a written entry did not read back")
    storage.removeItem(PROBE_ENTRY)


def open_storage(
    candidates: "list[tuple[str, Callable[[], Any]]]",
) -> "tuple[str, Any]":
    """Return `(name, storage)` for the first candidate that accepts a write.

    Each candidate is a name and a function that returns the storage object;
    the function may raise (a browser that blocks storage throws a
    SecurityError on the first access). When every candidate fails, the
    result is a new MemoryStorage. A warning names each storage passed over
    and the reason.
    """
    reasons = []
    for name, get_storage in candidates:
        try:
            storage = get_storage()
            if storage is None:
                raise OSError(name + " does not exist")
            _probe(storage)
        except Exception as exc:
            reasons.append(name + " (" + _describe(exc) + ")")
            continue
        if reasons:
            log.warning(
                "Web Storage fallback: %s unusable; using %s",
                ", ".join(reasons),
                name,
            )
        return name, storage

    log.warning(
        "Web Storage fallback: %s unusable; using memory, so persistent and "
        "authenticated values last only until the page unloads",
        ", ".join(reasons) if reasons else "no storage offered",
    )
    return "memory", MemoryStorage()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    name = type(exc).__name__
    return name + ": " + first if first else name

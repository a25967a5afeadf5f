"""DOM bindings: elements marked `data-session="key"` show the key's value.

    <p>Hello, <span data-session="name"></span></p>
    <input data-session="name">
    <input type="checkbox" data-session="subscribed">
    <input type="number" data-session="quantity">

Plain elements show the value as text (`textContent`, never markup): None
shows as nothing, str as itself, and anything else as `str(value)`. Form fields
are two-way: `input`, `textarea` and `select` show the value and write what the
user enters back to the session. A checkbox maps to a bool, a number or range
input to an int or float (None when empty), a radio button to its own `value`
while checked; other fields to str. A key that already exists keeps its type
when a field writes to it; a new key gets the session's default type.

Each binding is one computation, so a change reruns only the bindings of that
key, and a binding writes to the DOM only when what it shows differs.

This module reaches the DOM only through element attributes and a small
adapter (`listen`, `unlisten`, `binding_id`, `set_binding_id`) that the page
glue provides, so it runs under CPython against fake elements.
"""

from . import tracker
from ._compat import TYPE_CHECKING, get_logger
from .errors import SessionError

if TYPE_CHECKING:
    from typing import Any

    from .session import PersistentSession

log = get_logger(__name__)

__all__ = ["ATTRIBUTE", "Bindings", "display_text"]

ATTRIBUTE = "data-session"
SELECTOR = "[" + ATTRIBUTE + "]"


# CPython refuses to write an int of more than sys.get_int_max_str_digits()
# digits (4300 by default, 640 at the lowest) in decimal, so `_int_text`
# writes longer ones 500 digits at a time.
_DIGITS_PER_CHUNK = 500
_CHUNK = 10**_DIGITS_PER_CHUNK


def display_text(value: "Any") -> str:
    """Return the text a bound element shows for `value`."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if type(value) is int:
        return _int_text(value)
    # TODO: a container holding an int longer than CPython's digit limit
    # raises ValueError here, so its bound elements keep their previous text.
    return str(value)


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:
        pass
    sign = "-" if value < 0 else ""
    rest = -value if value < 0 else value
    chunks = []
    while rest:
        rest, chunk = divmod(rest, _CHUNK)
        chunks.append(chunk)
    chunks.reverse()
    padded = ["%0*d" % (_DIGITS_PER_CHUNK, chunk) for chunk in chunks[1:]]
    return sign + str(chunks[0]) + "".join(padded)


def _parse_number(text: str) -> "int | float | None":
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def _reads_as(text: str, value: "Any") -> bool:
    """Return True when number-field `text` parses to `value`, type included."""
    try:
        number = _parse_number(text)
    except ValueError:
        return False
    if type(number) is not type(value):
        return False
    # nan is not equal to itself but reads as itself.
    return number == value or (number != number and value != value)


class _Binding:
    """One bound element: its key, its computation and its event listeners."""

    def __init__(self, element: "Any", key: str) -> None:
        self.element = element
        self.key = key
        self.computation: "tracker.Computation | None" = None
        self.listeners: "list[Any]" = []
        self.shown: "str | bool | None" = None


class Bindings:
    """The set of bound elements of one page and one session."""

    def __init__(self, session: "PersistentSession", dom: "Any") -> None:
        self._session = session
        self._dom = dom
        self._bindings: "dict[int, _Binding]" = {}
        self._next_id = 1
        self.dom_writes = 0

    def __len__(self) -> int:
        return len(self._bindings)

    def bind_all(self, root: "Any") -> None:
        """Bind `root`, when it is marked, and every marked element inside it.

        A bound `root` that has lost its attribute is released: the page's
        MutationObserver passes such an element here when the attribute is
        removed.
        """
        if _is_marked(root):
            self.bind(root)
        elif self._bindings and self._dom.binding_id(root) is not None:
            self.release(root)
        for element in root.querySelectorAll(SELECTOR):
            self.bind(element)

    def release_all(self, root: "Any") -> None:
        """Release `root` and the bound elements inside it, if detached."""
        candidates = [root]
        if hasattr(root, "querySelectorAll"):
            candidates.extend(root.querySelectorAll(SELECTOR))
        for element in candidates:
            if not bool(getattr(element, "isConnected", False)):
                self.release(element)

    def bind(self, element: "Any") -> None:
        """Bind one element; an element already bound to its key is left as is."""
        key = element.getAttribute(ATTRIBUTE)
        if key is None:
            self.release(element)
            return
        key = str(key)
        binding_id = self._dom.binding_id(element)
        if binding_id is not None:
            existing = self._bindings.get(binding_id)
            if existing is not None and existing.key == key:
                return
            self.release(element)

        binding = _Binding(element, key)
        binding_id = self._next_id
        self._next_id += 1
        self._bindings[binding_id] = binding
        self._dom.set_binding_id(element, binding_id)

        field = _field_kind(element)
        if field is None:
            render = self._text_renderer(binding)
        else:
            render = self._field_renderer(binding, field)
            self._listen(binding, field)
        binding.computation = tracker.nonreactive(lambda: tracker.autorun(render))

    def release(self, element: "Any") -> None:
        """Stop updating `element` and remove its listeners."""
        binding_id = self._dom.binding_id(element)
        if binding_id is None:
            return
        self._dom.set_binding_id(element, None)
        binding = self._bindings.pop(binding_id, None)
        if binding is None:
            return
        if binding.computation is not None:
            binding.computation.stop()
        for token in binding.listeners:
            self._dom.unlisten(token)
        binding.listeners = []

    def release_everything(self) -> None:
        """Release every bound element."""
        for binding in list(self._bindings.values()):
            self.release(binding.element)

    def _text_renderer(self, binding: _Binding) -> "Any":
        session = self._session

        def render(_: "tracker.Computation") -> None:
            text = display_text(session.get(binding.key))
            if text != binding.shown:
                binding.element.textContent = text
                binding.shown = text
                self.dom_writes += 1

        return render

    def _field_renderer(self, binding: _Binding, field: str) -> "Any":
        session = self._session
        element = binding.element

        def render(_: "tracker.Computation") -> None:
            value = session.get(binding.key)
            if field == "checkbox":
                checked = bool(value)
                if bool(element.checked) != checked:
                    element.checked = checked
                    self.dom_writes += 1
                return
            text = display_text(value)
            if field == "radio":
                checked = str(element.value) == text
                if bool(element.checked) != checked:
                    element.checked = checked
                    self.dom_writes += 1
                return
            # Compare with what the field holds now, not with what was last
            # written, so a rerun caused by the user's own typing writes
            # nothing and leaves the cursor where it is. A number field may
            # hold other text for the same number ("2.50", "007").
            shown = str(element.value)
            if shown != text:
                if field == "number" and _reads_as(shown, value):
                    return
                element.value = text
                self.dom_writes += 1

        return render

    def _listen(self, binding: _Binding, field: str) -> None:
        element = binding.element

        def on_event(_event: "Any" = None) -> None:
            if field == "checkbox":
                self._write(binding.key, bool(element.checked))
            elif field == "radio":
                if bool(element.checked):
                    self._write(binding.key, str(element.value))
            elif field == "number":
                try:
                    number = _parse_number(str(element.value))
                except ValueError:
                    return
                self._write(binding.key, number)
            else:
                self._write(binding.key, str(element.value))

        event_type = "input" if field in ("text", "number") else "change"
        binding.listeners.append(self._dom.listen(element, event_type, on_event))

    def _write(self, key: str, value: "Any") -> None:
        session = self._session
        try:
            if key in session:
                session.update(key, value)
            else:
                session.set(key, value)
        except (SessionError, TypeError) as exc:
            log.warning("A bound field could not set %r: %s", key, exc)


def _is_marked(node: "Any") -> bool:
    has_attribute = getattr(node, "hasAttribute", None)
    return has_attribute is not None and bool(has_attribute(ATTRIBUTE))


def _field_kind(element: "Any") -> "str | None":
    """Return how a form field maps to a value, or None for a plain element."""
    tag = str(element.tagName).upper()
    if tag == "TEXTAREA":
        return "text"
    if tag == "SELECT":
        return "select"
    if tag != "INPUT":
        return None
    input_type = str(element.type).lower()
    if input_type == "checkbox":
        return "checkbox"
    if input_type == "radio":
        return "radio"
    if input_type in ("number", "range"):
        return "number"
    return "text"

"""The demo page: one value of each type, a two-way form, a cart, and a key table.

index.html loads this script on Pyodide, or on MicroPython with
`?interpreter=micropython`. Elements marked `data-session` in the page are bound
by `start()`; the rest is wired here.
"""

import sys

from pyscript import document, window
from pyscript.ffi import create_proxy

from persistent_session import Session, autorun, start
from persistent_session.entries import entry_name

_handlers = []


def _on(element_id, event_type, handler):
    proxy = create_proxy(handler)
    _handlers.append(proxy)
    document.getElementById(element_id).addEventListener(event_type, proxy)


def _count_click(event):
    Session.update("clicks", (Session.get("clicks") or 0) + 1)


def _sign_in(event):
    event.preventDefault()
    name = str(document.getElementById("user-name").value).strip()
    if name:
        Session.set_user(name)
        document.getElementById("user-name").value = ""


def _sign_out(event):
    Session.set_user(None)


def _add_item(event):
    event.preventDefault()
    field = document.getElementById("item")
    item = str(field.value).strip()
    if not item:
        return
    cart = Session.get("cart") or []
    cart.append(item)
    Session.set_auth("cart", cart)
    field.value = ""


def _show_user(computation):
    user_id = Session.user_id
    document.getElementById("sign-in").hidden = user_id is not None
    document.getElementById("signed-in").hidden = user_id is None
    Session.set_temp("user_label", user_id)


def _show_cart(computation):
    cart = Session.get("cart")
    if cart:
        text = ", ".join([str(item) for item in cart])
    elif Session.user_id is None:
        text = "(sign in to keep a cart; items added now are kept at sign-in)"
    else:
        text = "(empty)"
    document.getElementById("cart").textContent = text


def _stored_size(key):
    name = Session.storage_name
    if name == "memory":
        return "not stored"
    text = getattr(window, name).getItem(entry_name(key))
    return str(len(text)) + " chars" if isinstance(text, str) else "-"


def _show_keys(computation):
    values = Session.all()
    body = document.getElementById("key-table")
    body.replaceChildren()
    for key in sorted(values):
        row = document.createElement("tr")
        for text in (
            key,
            Session.type_of(key),
            repr(values[key]),
            _stored_size(key),
        ):
            cell = document.createElement("td")
            cell.textContent = str(text)
            row.appendChild(cell)
        body.appendChild(row)


async def main():
    await start()

    Session.set_default_temp("clicks", 0)
    Session.set_default_persistent({"name": "", "dark_mode": False, "quantity": 1})

    _on("click", "click", _count_click)
    _on("sign-in", "submit", _sign_in)
    _on("sign-out", "click", _sign_out)
    _on("cart-form", "submit", _add_item)
    autorun(_show_user)
    autorun(_show_cart)
    autorun(_show_keys)

    for button_id in ("click", "sign-in-button", "add-item"):
        document.getElementById(button_id).disabled = False
    document.getElementById("status").textContent = (
        "Python: "
        + ("MicroPython" if sys.implementation.name == "micropython" else "Pyodide")
        + " · storage: "
        + Session.storage_name
        + " · plain set() is "
        + Session.default_method
    )
    document.body.dataset.ready = "1"


await main()  # noqa: F704 - PyScript runs this module with top-level await

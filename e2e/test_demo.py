"""The demo page (/index.html, script demo.py) as a visitor uses it: its three
values, a reload, the sign-in form and cart, and the key table.

The scenarios run on Pyodide; the boot test also runs on MicroPython.
"""

from urllib.parse import urlparse

from playwright.sync_api import expect

# The status line names the interpreter the page runs on.
IMPLEMENTATION = {"pyodide": "Pyodide", "micropython": "MicroPython"}

SIGNED_OUT_CART = "(sign in to keep a cart; items added now are kept at sign-in)"


def open_demo(context, server, interpreter="pyodide"):
    """Open the demo in a new tab of `context` and wait until it has started."""
    page = context.new_page()
    page.goto(server + "/index.html?interpreter=" + interpreter)
    wait_started(page)
    return page


def wait_started(page) -> None:
    page.wait_for_selector("body[data-ready='1']", state="attached")


def reload_demo(page) -> None:
    page.reload()
    wait_started(page)


def sign_in(page, user: str) -> None:
    page.fill("#user-name", user)
    page.click("#sign-in-button")
    expect(page.locator("#user")).to_have_text(user)


def add_item(page, item: str) -> None:
    page.fill("#item", item)
    page.click("#add-item")
    expect(page.locator("#item")).to_have_value("")


def key_table(page) -> list[list[str]]:
    """Return the cells of every row of the key table, as text."""
    return page.eval_on_selector_all(
        "#key-table tr",
        "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent))",
    )


def stored_size(page, key: str) -> str:
    """Return the key table's text for the size of key's stored entry."""
    text = page.evaluate("name => localStorage.getItem(name)", "__ps:" + key)
    return str(len(text)) + " chars"


def test_demo_boots(context, server, interpreter):
    urls = []
    context.on("request", lambda request: urls.append(request.url))
    page = open_demo(context, server, interpreter)

    status = page.locator("#status")
    expect(status).to_contain_text("Python: " + IMPLEMENTATION[interpreter] + " ")
    expect(status).to_contain_text("localStorage")
    expect(status).to_contain_text("plain set() is persistent")
    expect(page.locator("[data-session='clicks']")).to_have_text("0")
    expect(page.locator("#name")).to_have_value("")
    expect(page.locator("#greeting")).to_have_text("")
    expect(page.locator("#dark")).not_to_be_checked()
    expect(page.locator("#quantity")).to_have_value("1")
    expect(page.locator("#cart")).to_have_text(SIGNED_OUT_CART)
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#signed-in")).to_be_hidden()

    page.click("#click")
    expect(page.locator("[data-session='clicks']")).to_have_text("1")

    assert len(urls) > 0
    foreign = [
        url
        for url in urls
        if urlparse(url).scheme not in ("data", "blob")
        and urlparse(url).hostname != "127.0.0.1"
    ]
    assert foreign == []


def test_demo_values_across_reload(context, server):
    page = open_demo(context, server)
    clicks = page.locator("[data-session='clicks']")
    for _ in range(3):
        page.click("#click")
    expect(clicks).to_have_text("3")
    page.fill("#name", "Ada")
    expect(page.locator("#greeting")).to_have_text("Ada")
    page.check("#dark")
    page.fill("#quantity", "4")

    with page.expect_navigation():
        page.click("#reload")
    wait_started(page)
    expect(clicks).to_have_text("0")
    expect(page.locator("#name")).to_have_value("Ada")
    expect(page.locator("#greeting")).to_have_text("Ada")
    expect(page.locator("#dark")).to_be_checked()
    expect(page.locator("#quantity")).to_have_value("4")


def test_demo_cart_sign_in_out(context, server):
    page = open_demo(context, server)
    cart = page.locator("#cart")
    sign_in(page, "alice")
    expect(page.locator("#sign-in")).to_be_hidden()
    expect(page.locator("#signed-in")).to_be_visible()
    expect(cart).to_have_text("(empty)")
    add_item(page, "apple")
    add_item(page, "pear")
    expect(cart).to_have_text("apple, pear")

    reload_demo(page)
    expect(page.locator("#user")).to_have_text("alice")
    expect(cart).to_have_text("apple, pear")

    page.evaluate(
        "window.dispatchEvent("
        "new CustomEvent('persistent-session:user', {detail: 'bob'}))"
    )
    expect(page.locator("#user")).to_have_text("bob")
    expect(cart).to_have_text("(empty)")
    add_item(page, "milk")
    expect(cart).to_have_text("milk")

    page.click("#sign-out")
    expect(page.locator("#signed-in")).to_be_hidden()
    expect(page.locator("#sign-in")).to_be_visible()
    expect(cart).to_have_text(SIGNED_OUT_CART)

    reload_demo(page)
    expect(page.locator("#sign-in")).to_be_visible()
    expect(cart).to_have_text(SIGNED_OUT_CART)


def test_demo_key_table(context, server):
    page = open_demo(context, server)
    rows = page.locator("#key-table tr")
    expect(rows).to_have_count(5)
    table = {row[0]: row[1:] for row in key_table(page)}
    assert sorted(table) == ["clicks", "dark_mode", "name", "quantity", "user_label"]
    assert table["clicks"] == ["temporary", "0", "-"]
    assert table["dark_mode"] == ["persistent", "False", stored_size(page, "dark_mode")]
    assert table["name"] == ["persistent", "''", stored_size(page, "name")]
    assert table["quantity"] == ["persistent", "1", stored_size(page, "quantity")]
    assert table["user_label"] == ["temporary", "None", "-"]

    sign_in(page, "alice")
    add_item(page, "apple")
    expect(rows).to_have_count(6)
    table = {row[0]: row[1:] for row in key_table(page)}
    assert table["cart"] == ["authenticated", "['apple']", stored_size(page, "cart")]
    assert table["user_label"] == ["temporary", "'alice'", "-"]

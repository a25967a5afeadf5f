"""The end-to-end harness page's script: starts the session and lets tests run
Python source in the page through `window.psRun(source)`.

`psRun` executes the source in one namespace shared by every call, holding
`Session`, `autorun`, `flush`, `persistent_session` and `window`, and returns
JSON: `{"ok": true, "result": <the variable result>}` or `{"ok": false,
"error": "<type>: <message>"}`.
"""

import json
import sys

from pyscript import document, window
from pyscript.ffi import create_proxy

import persistent_session
from persistent_session import Session, autorun, flush, start

_namespace = {
    "Session": Session,
    "autorun": autorun,
    "flush": flush,
    "persistent_session": persistent_session,
    "window": window,
    "document": document,
    "json": json,
}


def _run(source):
    _namespace["result"] = None
    try:
        exec(str(source), _namespace)
    except Exception as exc:  # reported to the test
        return json.dumps({"ok": False, "error": type(exc).__name__ + ": " + str(exc)})
    return json.dumps({"ok": True, "result": _namespace.get("result")})


_run_proxy = create_proxy(_run)
window.psRun = _run_proxy


def _settings_from_query():
    query = str(window.location.search)
    for part in query.lstrip("?").split("&"):
        name, _, value = part.partition("=")
        if name == "settings":
            value = str(window.decodeURIComponent(value))
            return None if value == "none" else value
    return "/settings.json"


async def _main():
    try:
        await start(_settings_from_query())
    except Exception as exc:  # reported to the test
        window.psStartError = type(exc).__name__ + ": " + str(exc)
        return
    window.psInterpreter = sys.implementation.name
    window.psReady = True


await _main()  # noqa: F704 - PyScript runs this module with top-level await

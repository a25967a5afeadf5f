"""Reading `default_method` from a page's settings.json.

The settings follow Meteor's layout:

    {"public": {"persistent_session": {"default_method": "persistent"}}}

`"persistent"` and `"authenticated"` pick what a plain `Session.set` stores;
anything else, or no value at all, means temporary. Settings that cannot be
read or have the wrong shape also mean temporary, with a warning that names
the source and the problem.
"""

import json

from ._compat import TYPE_CHECKING, get_logger
from .entries import AUTHENTICATED, PERSISTENT, TEMPORARY

if TYPE_CHECKING:
    from typing import Any

log = get_logger(__name__)

__all__ = ["default_method_from_settings", "default_method_from_text"]


def default_method_from_text(text: str, source: str) -> str:
    """Parse settings JSON `text` read from `source` and return the default type."""
    try:
        settings = json.loads(text)
    except ValueError as exc:
        log.warning(
            "Settings %s are not valid JSON (%s); values default to temporary",
            source,
            exc,
        )
        return TEMPORARY
    return default_method_from_settings(settings, source)


def default_method_from_settings(settings: "Any", source: str) -> str:
    """Return the default type that parsed `settings` from `source` select."""
    if settings is None:
        return TEMPORARY
    if not isinstance(settings, dict):
        return _invalid(source, "the top level is not an object")

    public = settings.get("public")
    if public is None:
        return TEMPORARY
    if not isinstance(public, dict):
        return _invalid(source, '"public" is not an object')

    section = public.get("persistent_session")
    if section is None:
        return TEMPORARY
    if not isinstance(section, dict):
        return _invalid(source, '"public.persistent_session" is not an object')

    method = section.get("default_method")
    if method is None:
        return TEMPORARY
    if not isinstance(method, str):
        return _invalid(
            source,
            '"default_method" is a ' + type(method).__name__ + ", not a string",
        )
    if method in (PERSISTENT, AUTHENTICATED):
        return method
    if method != TEMPORARY:
        log.warning(
            "Settings %s: unknown default_method %r; values default to temporary",
            source,
            method,
        )
    return TEMPORARY


def _invalid(source: str, problem: str) -> str:
    log.warning(
        "Settings %s are invalid: %s; values default to temporary", source, problem
    )
    return TEMPORARY

"""default_method from settings.json: "persistent" and "authenticated" are
taken, anything else means temporary; a malformed or misshapen file logs a
warning naming its source."""

import json
import logging

import pytest

from persistent_session.settings import (
    default_method_from_settings,
    default_method_from_text,
)

SOURCE = "config/settings.json"


def settings_with(method):
    return {"public": {"persistent_session": {"default_method": method}}}


def warnings(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("method", ["persistent", "authenticated"])
def test_known_methods_are_taken(method, caplog):
    caplog.set_level(logging.WARNING)
    assert default_method_from_settings(settings_with(method), SOURCE) == method
    assert default_method_from_text(json.dumps(settings_with(method)), SOURCE) == method
    assert warnings(caplog) == []


def test_temporary_is_taken_without_a_warning(caplog):
    caplog.set_level(logging.WARNING)
    assert (
        default_method_from_settings(settings_with("temporary"), SOURCE) == "temporary"
    )
    assert default_method_from_text(json.dumps(settings_with("temporary")), SOURCE) == (
        "temporary"
    )
    assert warnings(caplog) == []


def test_other_settings_beside_ours_are_ignored(caplog):
    caplog.set_level(logging.WARNING)
    settings = {
        "private": {"secret": 1},
        "public": {
            "other_package": {"default_method": "temporary"},
            "persistent_session": {"default_method": "persistent", "extra": [1, 2]},
        },
    }
    assert default_method_from_settings(settings, SOURCE) == "persistent"
    assert warnings(caplog) == []


@pytest.mark.parametrize(
    "method", ["forever", "Persistent", "PERSISTENT", "auth", "", " persistent", "temp"]
)
def test_unknown_method_means_temporary_with_a_warning(method, caplog):
    caplog.set_level(logging.WARNING)
    assert default_method_from_settings(settings_with(method), SOURCE) == "temporary"
    assert default_method_from_text(json.dumps(settings_with(method)), SOURCE) == (
        "temporary"
    )
    found = warnings(caplog)
    assert len(found) == 2
    for record in found:
        assert SOURCE in record.getMessage()
        assert repr(method) in record.getMessage()


@pytest.mark.parametrize(
    "settings",
    [
        None,
        {},
        {"private": {"persistent_session": {"default_method": "persistent"}}},
        {"public": {}},
        {"public": None},
        {"public": {"other": {"default_method": "persistent"}}},
        {"public": {"persistent_session": {}}},
        {"public": {"persistent_session": None}},
        {"public": {"persistent_session": {"default_method": None}}},
        {"public": {"persistent_session": {"defaultMethod": "persistent"}}},
    ],
    ids=json.dumps,
)
def test_missing_key_means_temporary_quietly(settings, caplog):
    caplog.set_level(logging.WARNING)
    assert default_method_from_settings(settings, SOURCE) == "temporary"
    assert default_method_from_text(json.dumps(settings), SOURCE) == "temporary"
    assert warnings(caplog) == []


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ([], "top level"),
        ("persistent", "top level"),
        (42, "top level"),
        ({"public": []}, '"public"'),
        ({"public": "persistent"}, '"public"'),
        ({"public": {"persistent_session": "persistent"}}, "persistent_session"),
        ({"public": {"persistent_session": ["persistent"]}}, "persistent_session"),
        (settings_with(1), "default_method"),
        (settings_with(True), "default_method"),
        (settings_with(["persistent"]), "default_method"),
        (settings_with({"value": "persistent"}), "default_method"),
    ],
    ids=lambda item: json.dumps(item) if not isinstance(item, str) else item,
)
def test_wrong_shapes_mean_temporary_with_a_warning(settings, problem, caplog):
    caplog.set_level(logging.WARNING)
    assert default_method_from_settings(settings, SOURCE) == "temporary"
    assert default_method_from_text(json.dumps(settings), SOURCE) == "temporary"
    found = warnings(caplog)
    assert len(found) == 2
    for record in found:
        message = record.getMessage()
        assert SOURCE in message
        assert problem in message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "{",
        '{"public": {"persistent_session": {"default_method": "persistent"}}',
        "{'public': {}}",
        '{"public": {"persistent_session": {"default_method": persistent}}}',
        "<!doctype html><title>404</title>",
        '{"public": 1,}',
    ],
)
def test_malformed_json_warns_naming_the_source(text, caplog):
    caplog.set_level(logging.WARNING)
    assert default_method_from_text(text, "https://example.test/settings.json") == (
        "temporary"
    )
    found = warnings(caplog)
    assert len(found) == 1
    message = found[0].getMessage()
    assert "https://example.test/settings.json" in message
    assert "JSON" in message
    assert "temporary" in message


def test_warning_comes_from_the_package_logger(caplog):
    caplog.set_level(logging.WARNING)
    default_method_from_text("{", SOURCE)
    assert caplog.records[0].name.startswith("persistent_session")

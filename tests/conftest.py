"""Fixtures for the CPython unit tests: a Web Storage fake that counts calls
and can be told to fail, and sessions built over it."""

import pytest
from hypothesis import HealthCheck, settings

from persistent_session import PersistentSession, tracker
from persistent_session.storage import MemoryStorage

# Shared, loaded machines run examples slowly: judge hypothesis tests by their
# results, never by how long an example took.
settings.register_profile(
    "project", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("project")


class FakeQuotaError(Exception):
    """What a browser raises when `setItem` exceeds the quota."""

    name = "QuotaExceededError"


class FakeStorage(MemoryStorage):
    """An in-memory Web Storage that records every call made to it.

    `calls` lists `(method, name)` pairs. Set `fail_writes` to a number of
    characters to make every `setItem` of a longer value raise a quota error,
    or `fail_next_writes` to make the next N `setItem` calls raise one.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, object]] = []
        self.fail_writes: int | None = None
        self.fail_next_writes = 0

    def count(self, method: str) -> int:
        return sum(1 for called, _ in self.calls if called == method)

    def reset_calls(self) -> None:
        self.calls.clear()

    @property
    def length(self) -> int:
        self.calls.append(("length", None))
        return super().length

    def key(self, index: int) -> str | None:
        self.calls.append(("key", index))
        return super().key(index)

    def getItem(self, name: str) -> str | None:
        self.calls.append(("getItem", name))
        return super().getItem(name)

    def setItem(self, name: str, value: str) -> None:
        self.calls.append(("setItem", name))
        if self.fail_next_writes > 0:
            self.fail_next_writes -= 1
            raise FakeQuotaError("The quota has been exceeded.")
        if self.fail_writes is not None and len(value) > self.fail_writes:
            raise FakeQuotaError("The quota has been exceeded.")
        super().setItem(name, value)

    def removeItem(self, name: str) -> None:
        self.calls.append(("removeItem", name))
        super().removeItem(name)

    def clear(self) -> None:
        self.calls.append(("clear", None))
        super().clear()

    def raw(self) -> dict[str, str]:
        """Return the stored entries without recording a call."""
        return dict(self._items)


@pytest.fixture(autouse=True)
def _clean_tracker():
    """Give each test an empty flush queue and no scheduler."""
    tracker.set_scheduler(None)
    yield
    tracker._pending.clear()
    tracker._after_flush_callbacks.clear()
    tracker._will_flush = False
    tracker._in_flush = False
    tracker._in_compute = False
    tracker._current = None


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def make_session(storage):
    """Build a session over the shared fake storage, as a page load would."""

    def make(default_method: str = "temporary", over=None) -> PersistentSession:
        return PersistentSession(
            storage if over is None else over, default_method=default_method
        )

    return make


@pytest.fixture
def session(make_session) -> PersistentSession:
    return make_session()


def _assert_same(expected, actual, path="value"):
    """Assert that `actual` equals `expected` and has the same type all the way
    down: nan matches nan, -0.0 differs from 0.0, aware datetimes keep their
    UTC offset, and set members are matched one to one."""
    import math
    from datetime import datetime

    assert type(actual) is type(expected), (
        f"{path}: {type(actual).__name__} {actual!r} is not a "
        f"{type(expected).__name__} {expected!r}"
    )
    kind = type(expected)
    if kind is float:
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: {actual!r} is not nan"
        else:
            assert actual == expected, f"{path}: {actual!r} != {expected!r}"
            assert math.copysign(1.0, actual) == math.copysign(1.0, expected), (
                f"{path}: the sign of {actual!r} differs from {expected!r}"
            )
    elif kind is list or kind is tuple:
        assert len(actual) == len(expected), f"{path}: lengths differ"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _assert_same(want, got, f"{path}[{index}]")
    elif kind is dict:
        assert list(actual) == list(expected), f"{path}: keys differ"
        for key in expected:
            _assert_same(expected[key], actual[key], f"{path}[{key!r}]")
    elif kind is set or kind is frozenset:
        assert len(actual) == len(expected), f"{path}: sizes differ"
        remaining = list(actual)
        for want in expected:
            for index, got in enumerate(remaining):
                try:
                    _assert_same(want, got, path)
                except AssertionError:
                    continue
                del remaining[index]
                break
            else:
                raise AssertionError(f"{path}: no member matches {want!r}")
    elif kind is datetime:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        assert actual.replace(tzinfo=None) == expected.replace(tzinfo=None)
        assert actual.utcoffset() == expected.utcoffset(), (
            f"{path}: UTC offset {actual.utcoffset()} != {expected.utcoffset()}"
        )
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


@pytest.fixture(scope="session")
def assert_same():
    """The deep, type-checking comparison of session values (see _assert_same)."""
    return _assert_same

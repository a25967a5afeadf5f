"""Transparent reactivity: a Python port of Meteor's Tracker.

A computation runs a function and records every dependency that the function
reads. When one of those dependencies changes, the computation is invalidated
and reruns at the next flush. Changes made in the same task are batched: each
invalidated computation reruns once per flush, however many of its
dependencies changed.

    from persistent_session import autorun, flush

    def show(computation):
        print("count is", Session.get("count"))

    handle = autorun(show)      # prints now
    Session.set("count", 2)
    flush()                     # prints again; in a page this happens by itself
    handle.stop()

Flushing is synchronous under CPython: call `flush()`. In the browser the page
glue installs a scheduler (`set_scheduler`) that flushes right after the
current task.
"""

from ._compat import TYPE_CHECKING, get_logger, log_traceback

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

log = get_logger(__name__)

__all__ = [
    "Computation",
    "Dependency",
    "active",
    "after_flush",
    "autorun",
    "current_computation",
    "flush",
    "in_flush",
    "nonreactive",
    "on_invalidate",
    "set_scheduler",
]

# The computation whose function is running now, or None. Dependencies read
# while it is set are recorded on it.
_current: "Computation | None" = None

_next_id = 1
_pending: "list[Computation]" = []
_after_flush_callbacks: "list[Callable[[], Any]]" = []

# True from the moment a flush is requested until it has run, so that many
# invalidations in one task schedule a single flush.
_will_flush = False
_in_flush = False
_in_compute = False

_scheduler: "Callable[[Callable[[], None]], Any] | None" = None


def set_scheduler(schedule: "Callable[[Callable[[], None]], Any] | None") -> None:
    """Install the function that runs a pending flush later.

    `schedule(callback)` must call `callback()` once, after the current task.
    With no scheduler (the default under CPython), pending reruns wait for an
    explicit `flush()`.
    """
    global _scheduler
    _scheduler = schedule


def active() -> bool:
    """Return True while a computation is running, so reads are recorded."""
    return _current is not None


def current_computation() -> "Computation | None":
    """Return the computation that is running now, or None."""
    return _current


def in_flush() -> bool:
    """Return True while a flush is rerunning computations."""
    return _in_flush


def _require_flush() -> None:
    global _will_flush
    if _will_flush:
        return
    _will_flush = True
    if _scheduler is not None:
        _scheduler(_scheduled_flush)


def _scheduled_flush() -> None:
    # A flush that somebody already ran by hand leaves nothing to do here.
    if _will_flush and not _in_flush:
        _run_flush()


def _call_nonreactive(function: "Callable[..., Any]", *args: "Any") -> "Any":
    global _current
    previous = _current
    _current = None
    try:
        return function(*args)
    finally:
        _current = previous


def _log_error(where: str, exc: BaseException) -> None:
    log.error("Exception in %s: %s: %s", where, type(exc).__name__, exc)
    log_traceback(log, exc, "Traceback of the exception in %s", where)


class Computation:
    """A function that reruns whenever a dependency it read has changed.

    Create one with `autorun`, never directly. `first_run` is True during the
    first call only. `stopped` and `invalidated` tell its state.
    """

    def __init__(
        self,
        function: "Callable[[Computation], Any]",
        parent: "Computation | None",
        on_error: "Callable[[BaseException], Any] | None" = None,
    ) -> None:
        global _next_id
        self.stopped = False
        self.invalidated = False
        self.first_run = True
        self._id = _next_id
        _next_id += 1
        self._on_invalidate_callbacks: "list[Callable[[Computation], Any]]" = []
        self._on_stop_callbacks: "list[Callable[[Computation], Any]]" = []
        self._parent = parent
        self._function = function
        self._on_error = on_error
        self._recomputing = False

        # An exception in the first run reaches the caller of autorun, and the
        # computation is stopped so it never reruns half set up.
        errored = True
        try:
            self._compute()
            errored = False
        finally:
            self.first_run = False
            if errored:
                self.stop()

    def on_invalidate(self, callback: "Callable[[Computation], Any]") -> None:
        """Call `callback(computation)` when this computation is invalidated.

        The callback runs at once when the computation is already invalidated.
        """
        if self.invalidated:
            _call_nonreactive(callback, self)
        else:
            self._on_invalidate_callbacks.append(callback)

    def on_stop(self, callback: "Callable[[Computation], Any]") -> None:
        """Call `callback(computation)` when this computation is stopped."""
        if self.stopped:
            _call_nonreactive(callback, self)
        else:
            self._on_stop_callbacks.append(callback)

    def invalidate(self) -> None:
        """Mark the computation to rerun at the next flush."""
        if self.invalidated:
            return

        # A computation that is rerunning now, or stopped, is not queued: the
        # rerun loop checks it again when its current run finishes.
        if not self._recomputing and not self.stopped:
            _require_flush()
            _pending.append(self)
        self.invalidated = True

        callbacks = self._on_invalidate_callbacks
        self._on_invalidate_callbacks = []
        for callback in callbacks:
            _call_nonreactive(callback, self)

    def stop(self) -> None:
        """Stop rerunning; invalidation callbacks and then stop callbacks run."""
        if self.stopped:
            return
        self.stopped = True
        self.invalidate()
        callbacks = self._on_stop_callbacks
        self._on_stop_callbacks = []
        for callback in callbacks:
            _call_nonreactive(callback, self)

    def flush(self) -> None:
        """Rerun this computation now if it is invalidated."""
        if self._recomputing:
            return
        self._recompute()

    def run(self) -> None:
        """Invalidate this computation and rerun it now."""
        self.invalidate()
        self.flush()

    def _compute(self) -> None:
        global _current, _in_compute
        self.invalidated = False
        previous = _current
        previous_in_compute = _in_compute
        _current = self
        _in_compute = True
        try:
            self._function(self)
        finally:
            _current = previous
            _in_compute = previous_in_compute

    def _needs_recompute(self) -> bool:
        return self.invalidated and not self.stopped

    def _recompute(self) -> None:
        self._recomputing = True
        try:
            if self._needs_recompute():
                try:
                    self._compute()
                except Exception as exc:
                    if self._on_error is not None:
                        self._on_error(exc)
                    else:
                        _log_error("a computation's rerun", exc)
        finally:
            self._recomputing = False


class Dependency:
    """A source of data that computations read; it invalidates them on change."""

    def __init__(self) -> None:
        self._dependents: "dict[int, Computation]" = {}

    def depend(self, computation: "Computation | None" = None) -> bool:
        """Record that `computation` (default: the current one) reads this.

        Return True when the computation was not yet recorded.
        """
        if computation is None:
            computation = _current
            if computation is None:
                return False
        computation_id = computation._id
        if computation_id in self._dependents:
            return False
        self._dependents[computation_id] = computation

        # The record lasts for one run: the next run reads afresh.
        def forget(_: Computation) -> None:
            self._dependents.pop(computation_id, None)

        computation.on_invalidate(forget)
        return True

    def changed(self) -> None:
        """Invalidate every computation that read this dependency.

        They are invalidated, and so rerun, in the order they were created,
        as in Meteor. Iterating the dict would give another order on
        MicroPython, whose dicts do not keep insertion order.
        """
        dependents = self._dependents
        if not dependents:
            return
        for computation in [dependents[key] for key in sorted(dependents)]:
            computation.invalidate()

    def has_dependents(self) -> bool:
        """Return True when some computation reads this dependency."""
        return bool(self._dependents)


def flush() -> None:
    """Rerun every invalidated computation now, then the after-flush callbacks.

    Raise RuntimeError when called from inside a computation or a flush,
    because a flush that nests would rerun computations in the middle of a run.
    """
    _run_flush()


def _run_flush() -> None:
    global _in_flush, _will_flush
    if _in_flush:
        raise RuntimeError("Cannot call flush() while flushing")
    if _in_compute:
        raise RuntimeError("Cannot call flush() inside a computation")

    _in_flush = True
    _will_flush = True
    try:
        while _pending or _after_flush_callbacks:
            while _pending:
                computation = _pending.pop(0)
                computation._recompute()
                # A computation that invalidated itself while running goes
                # first again, so it settles before the others rerun.
                if computation._needs_recompute():
                    _pending.insert(0, computation)

            if _after_flush_callbacks:
                callback = _after_flush_callbacks.pop(0)
                try:
                    callback()
                except Exception as exc:
                    _log_error("an after-flush callback", exc)
    finally:
        _will_flush = False
        _in_flush = False


def autorun(
    function: "Callable[[Computation], Any]",
    on_error: "Callable[[BaseException], Any] | None" = None,
) -> Computation:
    """Call `function(computation)` now and again after anything it read changes.

    Return the computation, whose `stop()` ends the reruns. An autorun started
    inside another computation stops when that one is invalidated. An exception
    in a rerun goes to `on_error`, or is logged when there is none; the other
    computations still run.
    """
    if not callable(function):
        raise TypeError("autorun() requires a function, got " + type(function).__name__)
    computation = Computation(function, _current, on_error)
    if _current is not None:
        _current.on_invalidate(lambda _: computation.stop())
    return computation


def nonreactive(function: "Callable[[], Any]") -> "Any":
    """Call `function()` with no current computation and return its result."""
    return _call_nonreactive(function)


def on_invalidate(callback: "Callable[[Computation], Any]") -> None:
    """Call `callback` when the current computation is invalidated."""
    if _current is None:
        raise RuntimeError("on_invalidate() requires a current computation")
    _current.on_invalidate(callback)


def after_flush(callback: "Callable[[], Any]") -> None:
    """Call `callback()` once, after the next flush has rerun every computation."""
    _after_flush_callbacks.append(callback)
    _require_flush()

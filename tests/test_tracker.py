"""The Tracker port: autorun, reruns at flush, batching, stop, invalidation
callbacks, nesting, nonreactive, after_flush, and errors."""

import logging

import pytest

from persistent_session import Tracker, tracker
from persistent_session.tracker import (
    Dependency,
    after_flush,
    autorun,
    flush,
    nonreactive,
    on_invalidate,
)


class Cell:
    """A reactive value built on Dependency, as a user of Tracker would."""

    def __init__(self, value=None):
        self.value = value
        self.dep = Dependency()

    def get(self):
        self.dep.depend()
        return self.value

    def set(self, value):
        if value != self.value:
            self.value = value
            self.dep.changed()


def test_package_exposes_the_tracker_functions():
    import persistent_session

    assert persistent_session.autorun is autorun
    assert persistent_session.flush is flush
    assert persistent_session.nonreactive is nonreactive
    assert persistent_session.after_flush is after_flush
    assert Tracker.autorun is autorun and Tracker.flush is flush


def test_autorun_runs_now_with_first_run_true():
    seen = []
    computation = autorun(lambda c: seen.append((c, c.first_run)))
    assert seen == [(computation, True)]
    assert computation.first_run is False
    assert not computation.stopped and not computation.invalidated


def test_rerun_on_change_with_first_run_false():
    cell = Cell(1)
    seen = []
    autorun(lambda c: seen.append((cell.get(), c.first_run)))
    cell.set(2)
    assert seen == [(1, True)]  # not before the flush
    flush()
    assert seen == [(1, True), (2, False)]


def test_no_rerun_without_a_change():
    cell = Cell(1)
    runs = []
    autorun(lambda c: runs.append(cell.get()))
    flush()
    flush()
    assert runs == [1]


def test_unrelated_dependency_does_not_rerun():
    read, other = Cell(1), Cell(1)
    runs = []
    autorun(lambda c: runs.append(read.get()))
    other.set(2)
    flush()
    assert runs == [1]


def test_several_changes_give_one_rerun_at_flush():
    a, b = Cell(0), Cell(0)
    runs = []
    autorun(lambda c: runs.append((a.get(), b.get())))
    a.set(1)
    b.set(1)
    a.set(2)
    b.set(2)
    assert runs == [(0, 0)]
    flush()
    assert runs == [(0, 0), (2, 2)]


def test_scheduler_is_asked_once_per_batch():
    scheduled = []
    tracker.set_scheduler(scheduled.append)
    cell = Cell(0)
    runs = []
    autorun(lambda c: runs.append(cell.get()))
    cell.set(1)
    cell.set(2)
    autorun(lambda c: runs.append(("second", cell.get())))
    cell.set(3)
    assert len(scheduled) == 1
    scheduled[0]()
    assert runs == [0, ("second", 2), 3, ("second", 3)]
    # Another change after the flush asks again.
    cell.set(4)
    assert len(scheduled) == 2


def test_scheduled_flush_after_a_manual_flush_does_nothing():
    scheduled = []
    tracker.set_scheduler(scheduled.append)
    cell = Cell(0)
    runs = []
    autorun(lambda c: runs.append(cell.get()))
    cell.set(1)
    flush()
    assert runs == [0, 1]
    scheduled[0]()
    assert runs == [0, 1]


def test_dependencies_are_read_afresh_each_run():
    switch, a, b = Cell(True), Cell("a"), Cell("b")
    runs = []
    autorun(lambda c: runs.append(a.get() if switch.get() else b.get()))
    switch.set(False)
    flush()
    assert runs == ["a", "b"]
    a.set("a2")  # no longer read
    flush()
    assert runs == ["a", "b"]
    b.set("b2")
    flush()
    assert runs == ["a", "b", "b2"]


def test_stop_ends_reruns_and_calls_on_stop():
    cell = Cell(0)
    runs, stopped = [], []
    computation = autorun(lambda c: runs.append(cell.get()))
    computation.on_stop(lambda c: stopped.append(c))
    cell.set(1)
    computation.stop()
    flush()
    cell.set(2)
    flush()
    assert runs == [0]
    assert stopped == [computation]
    assert computation.stopped
    assert not cell.dep.has_dependents()
    computation.stop()  # a second stop is harmless
    assert stopped == [computation]


def test_stop_from_inside_the_computation():
    cell = Cell(0)
    runs = []

    def run(c):
        runs.append(cell.get())
        if cell.value >= 1:
            c.stop()

    autorun(run)
    cell.set(1)
    flush()
    cell.set(2)
    flush()
    assert runs == [0, 1]


def test_on_invalidate_is_called_once_per_invalidation():
    cell = Cell(0)
    calls = []

    def run(c):
        cell.get()
        c.on_invalidate(lambda comp: calls.append(("method", comp.invalidated)))
        on_invalidate(lambda comp: calls.append(("function", comp is c)))

    computation = autorun(run)
    assert calls == []
    cell.set(1)
    assert calls == [("method", True), ("function", True)]
    cell.set(2)  # already invalidated: no second call before the rerun
    assert len(calls) == 2
    flush()
    computation.stop()  # stopping invalidates too
    assert len(calls) == 4


def test_on_invalidate_on_an_invalidated_computation_runs_at_once():
    computation = autorun(lambda c: None)
    computation.invalidate()
    calls = []
    computation.on_invalidate(lambda c: calls.append(c))
    assert calls == [computation]


def test_on_invalidate_outside_a_computation_raises():
    with pytest.raises(RuntimeError):
        on_invalidate(lambda c: None)


def test_invalidation_callbacks_are_not_reactive():
    outer_cell, cell = Cell(0), Cell(0)
    runs = []

    def run(c):
        runs.append(outer_cell.get())
        c.on_invalidate(lambda comp: cell.get())

    autorun(run)
    outer_cell.set(1)
    flush()
    cell.set(1)
    flush()
    assert runs == [0, 1]


def test_nested_autorun_is_stopped_with_its_parent():
    outer_cell, inner_cell = Cell(0), Cell(0)
    inner_computations, inner_runs, outer_runs = [], [], []

    def inner(c):
        inner_runs.append(inner_cell.get())

    def outer(c):
        outer_runs.append(outer_cell.get())
        inner_computations.append(autorun(inner))

    outer_computation = autorun(outer)
    first_inner = inner_computations[0]

    inner_cell.set(1)
    flush()
    assert outer_runs == [0]  # the inner rerun alone
    assert inner_runs == [0, 1]

    outer_cell.set(1)
    flush()
    assert first_inner.stopped
    assert len(inner_computations) == 2
    assert not inner_computations[1].stopped
    assert inner_runs == [0, 1, 1]

    inner_cell.set(2)
    flush()
    assert inner_runs == [0, 1, 1, 2]  # only the live inner computation reran

    outer_computation.stop()
    assert inner_computations[1].stopped
    inner_cell.set(3)
    flush()
    assert inner_runs == [0, 1, 1, 2]


def test_nonreactive_reads_are_not_tracked():
    tracked, untracked = Cell(0), Cell(0)
    runs = []

    def run(c):
        runs.append((tracked.get(), nonreactive(untracked.get)))
        assert tracker.current_computation() is c
        assert nonreactive(tracker.current_computation) is None

    autorun(run)
    untracked.set(1)
    flush()
    assert runs == [(0, 0)]
    tracked.set(1)
    flush()
    assert runs == [(0, 0), (1, 1)]


def test_nonreactive_returns_the_result_and_restores_the_computation():
    assert nonreactive(lambda: 42) == 42
    seen = []

    def run(c):
        with pytest.raises(ZeroDivisionError):
            nonreactive(lambda: 1 / 0)
        seen.append(tracker.current_computation() is c)

    autorun(run)
    assert seen == [True]
    assert tracker.current_computation() is None


def test_autorun_inside_nonreactive_is_not_nested():
    outer_cell = Cell(0)
    made = []

    def outer(c):
        outer_cell.get()
        if not made:
            made.append(nonreactive(lambda: autorun(lambda inner: None)))

    autorun(outer)
    outer_cell.set(1)
    flush()
    assert not made[0].stopped


def test_after_flush_runs_once_after_the_reruns():
    cell = Cell(0)
    events = []
    autorun(lambda c: events.append(("run", cell.get())))
    cell.set(1)
    after_flush(lambda: events.append("after"))
    assert events == [("run", 0)]
    flush()
    assert events == [("run", 0), ("run", 1), "after"]
    flush()
    assert events == [("run", 0), ("run", 1), "after"]


def test_after_flush_alone_requests_a_flush():
    scheduled = []
    tracker.set_scheduler(scheduled.append)
    calls = []
    after_flush(lambda: calls.append(1))
    assert len(scheduled) == 1
    scheduled[0]()
    assert calls == [1]


def test_after_flush_changes_rerun_in_the_same_flush():
    cell = Cell(0)
    runs = []
    autorun(lambda c: runs.append(cell.get()))
    after_flush(lambda: cell.set(5))
    flush()
    assert runs == [0, 5]


def test_flush_inside_a_computation_raises():
    errors = []

    def run(c):
        try:
            flush()
        except RuntimeError as exc:
            errors.append(str(exc))

    autorun(run)
    assert len(errors) == 1
    assert "inside a computation" in errors[0]


def test_flush_inside_a_rerun_raises_and_is_logged(caplog):
    cell = Cell(0)

    def run(c):
        if cell.get():
            flush()

    computation = autorun(run)
    cell.set(1)
    with caplog.at_level(logging.ERROR):
        flush()
    assert any("flush()" in r.getMessage() for r in caplog.records)
    assert not computation.stopped


def test_flush_inside_an_after_flush_callback_is_logged(caplog):
    after_flush(flush)
    with caplog.at_level(logging.ERROR):
        flush()
    assert any("while flushing" in r.getMessage() for r in caplog.records)


def test_an_error_in_the_first_run_reaches_the_caller_and_stops():
    cell = Cell(0)
    runs = []

    def run(c):
        runs.append(cell.get())
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        autorun(run)
    cell.set(1)
    flush()
    assert runs == [0]
    assert not cell.dep.has_dependents()


def test_an_error_in_one_rerun_is_logged_and_the_others_still_run(caplog):
    cell = Cell(0)
    runs = []

    def broken(c):
        runs.append(("broken", cell.get()))
        if cell.value == 1:
            raise ValueError("boom in rerun")

    def first(c):
        runs.append(("first", cell.get()))

    def last(c):
        runs.append(("last", cell.get()))

    autorun(first)
    broken_computation = autorun(broken)
    autorun(last)
    cell.set(1)
    with caplog.at_level(logging.ERROR, logger="persistent_session"):
        flush()
    assert ("first", 1) in runs and ("last", 1) in runs and ("broken", 1) in runs
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "ValueError" in errors[0].getMessage()
    assert "boom in rerun" in errors[0].getMessage()

    # The failing computation kept its dependencies and reruns on the next change.
    assert not broken_computation.stopped
    cell.set(2)
    flush()
    assert ("broken", 2) in runs


def test_on_error_receives_rerun_errors_instead_of_the_log(caplog):
    cell = Cell(0)
    received = []

    def run(c):
        if cell.get():
            raise KeyError("x")

    autorun(run, on_error=received.append)
    cell.set(1)
    with caplog.at_level(logging.ERROR):
        flush()
    assert len(received) == 1 and isinstance(received[0], KeyError)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_error_in_an_after_flush_callback_is_logged(caplog):
    calls = []
    after_flush(lambda: 1 / 0)
    after_flush(lambda: calls.append("second"))
    with caplog.at_level(logging.ERROR):
        flush()
    assert calls == ["second"]
    assert any("ZeroDivisionError" in r.getMessage() for r in caplog.records)


def test_a_computation_that_invalidates_itself_settles():
    cell = Cell(0)
    runs = []

    def run(c):
        value = cell.get()
        runs.append(value)
        if value < 5:
            cell.set(value + 1)

    autorun(run)
    flush()
    assert cell.value == 5
    assert runs == [0, 1, 2, 3, 4, 5]
    flush()
    assert runs == [0, 1, 2, 3, 4, 5]


def test_a_self_invalidating_computation_settles_before_the_others_rerun():
    cell, trigger = Cell(0), Cell(0)
    events = []

    def counter(c):
        trigger.get()
        value = cell.get()
        events.append(("counter", value))
        if value < 3:
            cell.set(value + 1)

    def observer(c):
        events.append(("observer", cell.get()))

    autorun(counter)
    flush()
    autorun(observer)
    events.clear()
    cell.set(0)
    trigger.set(1)
    flush()
    assert events[-1] == ("observer", 3)
    assert events.count(("observer", 3)) == 1
    assert cell.value == 3


def test_computation_run_and_flush_methods():
    cell = Cell(0)
    runs = []
    computation = autorun(lambda c: runs.append(cell.get()))
    computation.run()
    assert runs == [0, 0]
    cell.set(1)
    computation.flush()
    assert runs == [0, 0, 1]
    flush()  # already rerun: nothing more
    assert runs == [0, 0, 1]


def test_autorun_requires_a_function():
    with pytest.raises(TypeError):
        autorun(42)


def test_depend_outside_a_computation_is_a_no_op():
    dep = Dependency()
    assert dep.depend() is False
    assert not dep.has_dependents()
    dep.changed()
    flush()


def test_active_and_in_flush():
    seen = []
    cell = Cell(0)
    assert not tracker.active()
    autorun(lambda c: seen.append((cell.get(), tracker.active(), tracker.in_flush())))
    cell.set(1)
    flush()
    assert seen == [(0, True, False), (1, True, True)]
    assert not tracker.in_flush()

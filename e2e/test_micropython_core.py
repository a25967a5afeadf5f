"""The pure-Python core's own checks (e2e/core_checks.py), run by CPython in
this process and by the interpreter under test inside the harness page.

The unit suite runs only under CPython. These checks cover what MicroPython
does differently (dict order, json, datetime, binascii, logging, a shallow
Python stack) with the codec, the Tracker port, the session over
`MemoryStorage` and settings parsing, and every interpreter runs the same
source text. The page test runs on Pyodide and on MicroPython through the
`interpreter` fixture.
"""

from pathlib import Path

CHECKS_PATH = Path(__file__).with_name("core_checks.py")
CHECKS_SOURCE = CHECKS_PATH.read_text(encoding="utf-8")

# What sys.implementation.name is on each interpreter of the `interpreter`
# fixture.
IMPLEMENTATIONS = {"pyodide": "cpython", "micropython": "micropython"}


def run_checks_under_cpython() -> dict:
    """Execute the checks' source as a fresh module and return its report."""
    namespace = {"__name__": "core_checks"}
    exec(compile(CHECKS_SOURCE, str(CHECKS_PATH), "exec"), namespace)
    return namespace["run_all"]()


def test_core_checks_under_cpython():
    report = run_checks_under_cpython()

    assert report["failed"] == []
    assert report["passed"] == report["checks"]


def test_core_checks_in_page(open_harness, interpreter):
    tab = open_harness(settings="none")
    expected = run_checks_under_cpython()

    report = tab.run(CHECKS_SOURCE + "\nresult = run_all()\n")

    assert report["interpreter"] == IMPLEMENTATIONS[interpreter]
    assert report["checks"] == expected["checks"]
    assert report["failed"] == []
    assert report["passed"] == report["checks"]
    # MicroPython prints this warning for each `raise ... from ...` it runs.
    # The package raises through _compat.with_cause instead.
    chaining_warnings = [text for text in tab.console if "chaining" in text]
    assert chaining_warnings == []

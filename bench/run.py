"""Run the benchmark in headless Chromium and write docs/benchmarks.md.

    .venv/bin/python bench/run.py [--rounds 15] [--boot-rounds 5] [--json PATH]

`./tasks.sh bench` runs this after installing what it needs. The driver serves
the project on 127.0.0.1 with scripts/serve.py, opens bench/bench.html once per
interpreter (Pyodide, then MicroPython) and runs every comparison of
bench/bench.js in that one page load, then reloads the demo page (index.html)
to time its boot. Chromium gets a fresh profile in a temporary folder, so its
HTTP cache starts empty and keeps the runtimes after the first load, as a
returning visitor's browser would. A request to any host other than 127.0.0.1
fails the run.

Each figure is the median of `--rounds` rounds (at least 5). The ratios compare
variants measured in the same page load, with the order of the variants
rotated every round.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from importlib.metadata import version as package_version
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from serve import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INTERPRETERS = ["pyodide", "micropython"]

# The report's multiplication sign and the dash of an empty table cell.
TIMES = "\u00d7"
NONE = "\u2013"

# Pyodide can take tens of seconds to boot on a loaded two-core machine.
LOAD_TIMEOUT_MS = 180_000

# Each timed window of a comparison lasts about this long.
WINDOW_MS = 10

RESTORE_KEYS = [0, 100, 1000, 10000]
SCALING_KEYS = [100, 10000]
BOUND_ELEMENTS = 1000

NPM_PACKAGES = {
    "Pyodide": "pyodide",
    "PyScript core": "@pyscript/core",
    "MicroPython": "@micropython/micropython-webassembly-pyscript",
    "store2": "store2",
}


def log(message: str) -> None:
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr)


# ---------------------------------------------------------------- machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def npm_version(package: str) -> str:
    path = ROOT / "node_modules" / package / "package.json"
    try:
        return json.loads(path.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


# ----------------------------------------------------------------- server


class QuietServer:
    """scripts/serve.py's server on a free port, in a background thread.

    A client that closes a connection early (Chromium cancelling a request
    when a page navigates away) is not an error worth a traceback.
    """

    def __init__(self) -> None:
        self.httpd = make_server(0, ROOT)
        default_handle_error = self.httpd.handle_error

        def handle_error(request, client_address):
            if isinstance(sys.exc_info()[1], ConnectionError):
                return
            default_handle_error(request, client_address)

        self.httpd.handle_error = handle_error
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        host, port = self.httpd.server_address[:2]
        self.base = "http://%s:%d" % (host, port)

    def __enter__(self) -> "QuietServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ForeignRequests:
    """Every request the pages made to a host other than 127.0.0.1."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def record(self, request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("data", "blob") or parsed.hostname == "127.0.0.1":
            return
        self.urls.append(request.url)


# --------------------------------------------------------------- profiles


# Functions of micropython.mjs that wrap calls made inside a C function that
# called setjmp: that build implements setjmp/longjmp with JavaScript
# exceptions, so each such call passes through an `invoke_*` wrapper.
EMSCRIPTEN_WRAPPERS = ("getWasmTableEntry", "stackSave", "stackRestore", "_setThrew")
SETJMP_LABEL = "Emscripten's setjmp/longjmp call wrappers (invoke_*)"


def profile_label(frame: dict, caller: dict | None) -> str:
    """Group a CPU profile frame: all WebAssembly code is the interpreter."""
    url = frame.get("url", "")
    name = frame.get("functionName", "") or "(anonymous)"
    caller_name = (caller or {}).get("functionName", "")
    if url.endswith(".wasm"):
        return "Python interpreter (WebAssembly)"
    if name == "(garbage collector)":
        return "JavaScript garbage collector"
    if name == "(program)":
        return "(program): no JavaScript or WebAssembly function"
    if name.startswith("invoke_") or name in EMSCRIPTEN_WRAPPERS:
        return SETJMP_LABEL
    if name == "get" and caller_name == "getWasmTableEntry":
        return SETJMP_LABEL
    if name == "wasm-to-js" or name.startswith("js-to-wasm"):
        return "transitions between WebAssembly and JavaScript"
    if url.endswith("pyodide.asm.mjs") or url.endswith("micropython.mjs"):
        return "interpreter's JavaScript glue (foreign function interface)"
    if url.endswith("bench.js"):
        return "benchmark loop (bench.js)"
    if url.endswith("store2.js"):
        return "store2"
    if not url:
        return "JavaScript " + name + "()"
    return name + " (" + url.rsplit("/", 1)[-1] + ")"


def summarize_cpu_profile(profile: dict, top: int = 8) -> list[tuple[str, float]]:
    """Return (label, share of busy time) for the labels with most self time."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    callers: dict[int, dict] = {}
    for node in profile["nodes"]:
        for child in node.get("children", []):
            callers[child] = node["callFrame"]
    totals: Counter[str] = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        frame = nodes[sample]["callFrame"]
        if frame.get("functionName") == "(idle)":
            continue
        totals[profile_label(frame, callers.get(sample))] += delta
    busy = sum(totals.values()) or 1
    shares = [(label, micros / busy) for label, micros in totals.most_common(top)]
    return [(label, share) for label, share in shares if share >= 0.005]


def cpu_profile(context, page, expression: str) -> list[tuple[str, float]]:
    """Sample `expression` with Chromium's CPU profiler, every 100 µs."""
    session = context.new_cdp_session(page)
    try:
        session.send("Profiler.enable")
        session.send("Profiler.setSamplingInterval", {"interval": 100})
        session.send("Profiler.start")
        page.evaluate(expression)
        profile = session.send("Profiler.stop")["profile"]
        session.send("Profiler.disable")
    finally:
        session.detach()
    return summarize_cpu_profile(profile)


# ------------------------------------------------------------- benchmarks


def run_bench_page(context, base: str, interpreter: str, rounds: int) -> dict:
    """Open bench/bench.html on `interpreter` and run every comparison in it."""
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    started = time.monotonic()
    page.goto(base + "/bench/bench.html?interpreter=" + interpreter)
    try:
        page.wait_for_function("window.psBenchReady === true", timeout=LOAD_TIMEOUT_MS)
    except Exception:
        log("the benchmark page did not start; its console:\n" + "\n".join(console))
        raise
    log(
        "%s: benchmark page ready in %.1f s" % (interpreter, time.monotonic() - started)
    )

    def run(name: str, options: dict) -> dict:
        began = time.monotonic()
        result = page.evaluate(
            "([name, options]) => window.psBench[name](options)", [name, options]
        )
        log(
            "%s: %s %s done in %.1f s"
            % (interpreter, name, options, time.monotonic() - began)
        )
        return result

    common = {"rounds": rounds, "windowMs": WINDOW_MS}
    results: dict = {"info": page.evaluate("window.psBench.info()")}
    results["storage"] = page.evaluate("window.psBench.storageSize()")
    results["get"] = {
        shape: run("get", {**common, "shape": shape}) for shape in ("scalar", "dict")
    }
    results["set"] = {
        shape: run("set", {**common, "shape": shape}) for shape in ("scalar", "dict")
    }
    results["restore"] = {
        str(keys): run(
            "restore",
            {**common, "keys": keys, "splitRounds": 5 if keys == 10000 else 0},
        )
        for keys in RESTORE_KEYS
    }
    results["scaling"] = run("scaling", {**common, "keys": SCALING_KEYS})
    results["profiles"] = profile_bench_page(context, page, results)
    results["bindings"] = run(
        "bindings", {"rounds": rounds, "elements": BOUND_ELEMENTS}
    )
    page.close()
    return results


def profile_bench_page(context, page, results: dict) -> dict:
    """Profile the session's side of the comparisons that have targets."""
    get_count = results["get"]["scalar"]["session"]["count"] * 4
    set_count = results["set"]["scalar"]["session"]["count"] * 4
    workloads = {
        "get": ("session_get", {"key": "read_scalar", "count": get_count}),
        "set": ("session_set", {"key": "write", "shape": "scalar", "count": set_count}),
        "restore 10000": ("restore", {"count": 2}),
    }
    profiles: dict = {}
    for name, (operation, args) in workloads.items():
        if name.startswith("restore"):
            page.evaluate("window.psBench.fillStorage(10000)")
        else:
            page.evaluate("window.psBench.py('prepare_reads', {})")
        expression = "window.psBench.py(%s, %s)" % (
            json.dumps(operation),
            json.dumps(args),
        )
        profiles[name] = {"cpu": cpu_profile(context, page, expression)}
        profiles[name]["python"] = page.evaluate(
            "([operation, args]) => window.psBench.py('python_profile',"
            " {operation: operation, args: args, top: 10})",
            [operation, args],
        )
    return profiles


def run_demo_boot(context, base: str, interpreter: str, rounds: int) -> dict:
    """Reload the demo with a stored name; time it plain and instrumented."""
    page = context.new_page()
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    page.add_init_script(path=str(ROOT / "bench" / "boot_observer.js"))
    url = base + "/index.html"
    if interpreter == "micropython":
        url += "?interpreter=micropython"

    # Start from an empty storage: the benchmark page of the same origin has
    # left its own entries there.
    ready = "document.body.dataset.ready === '1'"
    page.goto(url)
    page.wait_for_function(ready)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_function(ready)
    page.fill("#name", "Ada Lovelace")
    page.wait_for_function(
        "localStorage.getItem('__ps:name') === '[1,\"p\",\"Ada Lovelace\"]'"
    )

    def load(instrumented: bool) -> dict:
        page.evaluate(
            "flag => sessionStorage.setItem('bench-boot-timing', flag)",
            "1" if instrumented else "0",
        )
        page.reload()
        page.wait_for_function(ready + " && window.psBootPainted !== null")
        if instrumented:
            page.wait_for_function("typeof window.psBootTimes === 'string'")
        return page.evaluate(
            """() => ({
                visible: window.psBootVisible,
                painted: window.psBootPainted,
                times: window.psBootTimes ? JSON.parse(window.psBootTimes) : null,
                runtimeBytes: performance.getEntriesByType('resource')
                    .filter(entry => entry.name.includes('/node_modules/'))
                    .reduce((sum, entry) => sum + entry.transferSize, 0),
            })"""
        )

    # One unmeasured reload of each kind first, so that the runtimes are in
    # the HTTP cache and their compiled code in Chromium's code cache.
    load(False)
    load(True)
    plain, instrumented = [], []
    for round_index in range(rounds):
        order = [False, True] if round_index % 2 == 0 else [True, False]
        for flag in order:
            (instrumented if flag else plain).append(load(flag))
    page.close()
    log("%s: demo boot done" % interpreter)
    return {"plain": plain, "instrumented": instrumented}


# ----------------------------------------------------------------- report


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def ratio(result: dict, numerator: str, denominator: str) -> float:
    """Return the median over rounds of one variant's time divided by another's.

    The variants of a round run next to each other, so each round's ratio
    compares timings taken under the same load.
    """
    pairs = zip(
        result[numerator]["samples"], result[denominator]["samples"], strict=True
    )
    # A timing below the timer's resolution reads as 0 and gives no ratio.
    ratios = [top / bottom for top, bottom in pairs if bottom > 0]
    return median(ratios) if ratios else float("inf")


def spread(samples: list[float]) -> float:
    """Half the interquartile range of `samples`, relative to their median."""
    ordered = sorted(samples)
    quarter = len(ordered) // 4
    middle = median(ordered)
    if middle == 0:
        return 0.0
    return (ordered[-1 - quarter] - ordered[quarter]) / 2 / middle


def fmt_spread(samples: list[float]) -> str:
    return "±%.0f %%" % (spread(samples) * 100)


def fmt_ms(value: float | None) -> str:
    if value is None:
        return NONE
    if value >= 100:
        return "%.0f ms" % value
    if value >= 10:
        return "%.1f ms" % value
    if value >= 1:
        return "%.2f ms" % value
    return "%.3f ms" % value


def fmt_small_ms(value: float) -> str:
    """Format a single in-page timing, whose resolution is 0.1 ms."""
    if value < 0.1:
        return "< 0.1 ms"
    return fmt_ms(value)


def fmt_us(ms: float) -> str:
    micros = ms * 1000
    if micros >= 100:
        return "%.0f µs" % micros
    if micros >= 10:
        return "%.1f µs" % micros
    return "%.2f µs" % micros


def fmt_ratio(value: float) -> str:
    return "%.2f" % value + TIMES


def fmt_percent(value: float) -> str:
    return "%.1f %%" % (value * 100)


class Target:
    """A target, its measured value, and whether it is met."""

    def __init__(self, name: str, wanted: str, measured: str, met: bool, gap: str):
        self.name = name
        self.wanted = wanted
        self.measured = measured
        self.met = met
        self.gap = gap


def at_least(name: str, ratio: float, wanted: float) -> Target:
    met = ratio >= wanted
    gap = "" if met else "needs %s its current throughput" % fmt_ratio(wanted / ratio)
    return Target(name, "≥ " + fmt_ratio(wanted), fmt_ratio(ratio), met, gap)


def at_most(name: str, ratio: float, wanted: float) -> Target:
    met = ratio <= wanted
    gap = "" if met else "%.0f %% over the limit" % ((ratio / wanted - 1) * 100)
    return Target(name, "≤ " + fmt_ratio(wanted), fmt_ratio(ratio), met, gap)


def boot_summary(boot: dict) -> dict:
    """Medians of the demo boot loads, in milliseconds since navigation start."""
    plain = boot["plain"]
    timed = boot["instrumented"]
    steps: dict[str, list[float]] = {}
    for load in timed:
        for name, value in load["times"].items():
            steps.setdefault(name, []).append(value)
    shares = [load["times"]["start()"] / load["visible"] for load in timed]
    ours = [
        (load["times"]["start()"] + load["times"]["import persistent_session"])
        / load["visible"]
        for load in timed
    ]
    return {
        "visible": median([load["visible"] for load in plain]),
        "painted": median([load["painted"] for load in plain]),
        "visible instrumented": median([load["visible"] for load in timed]),
        "steps": {name: median(values) for name, values in steps.items()},
        "share": median(shares),
        "share with import": median(ours),
        "runtime bytes": max(load["runtimeBytes"] for load in plain + timed),
        "loads": len(plain),
    }


def evaluate_targets(results: dict) -> list[Target]:
    py = results["interpreters"].get("pyodide")
    mpy = results["interpreters"].get("micropython")
    targets: list[Target] = []
    if py is not None:
        get = py["get"]
        targets.append(
            at_least("get of a scalar vs store2 get", throughput(get["scalar"]), 1.0)
        )
        targets.append(
            at_least("get of a small dict vs store2 get", throughput(get["dict"]), 0.5)
        )
        set_scalar = py["set"]["scalar"]
        stored = set_scalar["stored"]
        target = at_least("set_persistent vs store2 set", throughput(set_scalar), 0.8)
        on_storage = stored["onStorage"] == stored["checked"]
        target.measured += "; on storage before return: %d of %d checks" % (
            stored["onStorage"],
            stored["checked"],
        )
        if not on_storage:
            target.met = False
            target.gap = (target.gap + "; " if target.gap else "") + "a set was late"
        targets.append(target)
        for keys in ("1000", "10000"):
            restore = py["restore"][keys]
            targets.append(
                at_most(
                    "restore of %s keys vs JavaScript" % keys,
                    ratio(restore, "session", "javascript"),
                    2.0,
                )
            )
        scaling = py["scaling"]
        targets.append(
            at_most(
                "set with 10,000 keys vs with 100",
                ratio(scaling, "session 10000", "session 100"),
                1.2,
            )
        )
        bindings = py["bindings"]
        writes = bindings["domWritesPerSet"]
        records = bindings["session"]["records"]
        exact = writes == 1 and all(count == 1 for count in records)
        in_frame = bindings["session"]["inFrame"]
        targets.append(
            Target(
                "one set among 1,000 bindings",
                "1 DOM write, within one frame",
                "%g DOM writes per set (MutationObserver records: %s); %s; %s"
                % (
                    writes,
                    ", ".join(str(count) for count in records),
                    "within the next animation frame"
                    if in_frame
                    else "not always within one frame",
                    fmt_ms(bindings["session"]["ms"]),
                ),
                exact and in_frame,
                "" if exact and in_frame else "see the bindings section",
            )
        )
        boot = boot_summary(py["boot"])
        share = boot["share"]
        met = share <= 0.05
        targets.append(
            Target(
                "our share of the demo boot (start())",
                "≤ 5 %",
                fmt_percent(share),
                met,
                "" if met else "%.1f points over" % ((share - 0.05) * 100),
            )
        )
    storage = (py or mpy or {}).get("storage")
    if storage is not None:
        ours = sum(storage["session"].values()) / len(storage["keys"])
        meteor = (sum(storage["meteor"].values()) + storage["meteorLists"]) / len(
            storage["keys"]
        )
        met = ours <= meteor
        targets.append(
            Target(
                "bytes per entry vs the Meteor format",
                "≤ " + fmt_ratio(1.0),
                "%.1f vs %.1f characters (%s)"
                % (ours, meteor, fmt_ratio(ours / meteor)),
                met,
                "" if met else "%.0f %% larger" % ((ours / meteor - 1) * 100),
            )
        )
    if mpy is not None:
        boot = boot_summary(mpy["boot"])
        met = boot["visible"] <= 300
        targets.append(
            Target(
                "MicroPython: demo boot to restored values visible (warm reload)",
                "≤ 300 ms",
                fmt_ms(boot["visible"]),
                met,
                "" if met else "%.0f ms over" % (boot["visible"] - 300),
            )
        )
    return targets


def throughput(result: dict) -> float:
    """Return the session's throughput as a multiple of store2's."""
    return ratio(result, "store2", "session")


def write_report(results: dict, path: Path) -> None:
    path.write_text(Report(results).render())
    log("wrote " + str(path))


class Report:
    """docs/benchmarks.md, built from the results of one run."""

    def __init__(self, results: dict) -> None:
        self.results = results
        self.by_interpreter = results["interpreters"]
        self.names = [name for name in INTERPRETERS if name in self.by_interpreter]
        self.targets = evaluate_targets(results)
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.add("| " + " | ".join(header) + " |")
        self.add("|" + "---|" * len(header))
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add("")

    def render(self) -> str:
        self.header()
        self.target_table()
        self.restore_section()
        self.get_section()
        self.set_section()
        self.scaling_section()
        self.bindings_section()
        self.boot_section()
        self.storage_section()
        self.where_time_goes()
        self.closing_notes()
        return "\n".join(self.lines).rstrip() + "\n"

    def label(self, name: str) -> str:
        return {"pyodide": "Pyodide", "micropython": "MicroPython"}[name]

    # ------------------------------------------------------------ sections

    def header(self) -> None:
        machine = self.results["machine"]
        self.add(
            "# Benchmarks",
            "",
            "Written by `./tasks.sh bench` (bench/run.py) on %s; do not edit by hand."
            % self.results["date"],
            "Each figure is the median of %d rounds, and ± gives half the "
            "interquartile range of those rounds relative to the median. The "
            "variants of a comparison run in the same page load, one after the "
            "other within each round, in an order that changes every round. A "
            "ratio is the median of the per-round ratios, so it holds on a busy "
            "machine better than the absolute times do." % self.results["rounds"],
            "A timing covers a loop of many calls, sized so that one timing lasts "
            "about %d ms, and is divided by the number of calls." % WINDOW_MS,
            "",
            "## Machine and versions",
            "",
        )
        rows = [
            ["CPU", machine["cpu"]],
            ["cores", str(machine["cores"])],
            [
                "load average (1, 5, 15 min) at start and end",
                machine["load start"] + " / " + machine["load end"],
            ],
            ["OS", machine["os"]],
            ["Chromium (headless)", self.results["chromium"]],
            ["Playwright", self.results["playwright"]],
        ]
        for label, version in self.results["npm"].items():
            rows.append([label + " (node_modules)", version])
        for name in self.names:
            info = self.by_interpreter[name]["info"]
            version = info["version"]
            if "pyodide" in info:
                version = "Pyodide %s, Python %s" % (
                    info["pyodide"],
                    version.split()[0],
                )
            rows.append([self.label(name) + " in the page", version])
        self.table(["", ""], rows)
        if self.results["foreign requests"]:
            self.add(
                "**Requests to other hosts were made:** "
                + ", ".join(self.results["foreign requests"]),
                "",
            )

    def target_table(self) -> None:
        self.add(
            "## Targets",
            "",
            "The targets hold for Pyodide, except the last, which is "
            "MicroPython's. A throughput ratio above 1%s means the session is "
            "faster; a time ratio below 1%s means it is faster." % (TIMES, TIMES),
            "",
        )
        rows = []
        for target in self.targets:
            verdict = "met" if target.met else "**missed**: " + target.gap
            rows.append([target.name, target.wanted, target.measured, verdict])
        self.table(["target", "wanted", "measured", "result"], rows)

    def restore_section(self) -> None:
        self.add(
            "## 1. Restore at start-up",
            "",
            "A new session restores every stored entry the way `start()` does: it "
            "opens localStorage (a write, read and removal of a probe entry), reads "
            "all entries in one call into JavaScript and parses them. The JavaScript "
            "reference reads each entry with `localStorage.key()` and `getItem()` and "
            "parses it with `JSON.parse`. Entries hold small values (ints, short "
            "strings, booleans).",
            "",
        )
        header = ["stored keys"]
        for name in self.names:
            label = self.label(name)
            header += [label + " session", label + " JavaScript", label + " ratio"]
        rows = []
        for keys in RESTORE_KEYS:
            row = [f"{keys:,}"]
            for name in self.names:
                restore = self.by_interpreter[name]["restore"][str(keys)]
                session = restore["session"]
                reference = restore["javascript"]
                row += [
                    fmt_ms(session["ms"]) + " " + fmt_spread(session["samples"]),
                    fmt_ms(reference["ms"]) + " " + fmt_spread(reference["samples"]),
                    fmt_ratio(ratio(restore, "session", "javascript")),
                ]
            rows.append(row)
        self.table(header, rows)
        self.add(
            "Steps of a restore of 10,000 keys, timed inside the page "
            "(`window.performance.now()`, 0.1 ms resolution), each the median "
            "of 5 further restores, so their total can differ from the figure "
            "above:",
            "",
        )
        steps = list(self.by_interpreter[self.names[0]]["restore"]["10000"]["split"])
        rows = []
        for step in steps:
            row = [step]
            for name in self.names:
                split = self.by_interpreter[name]["restore"]["10000"]["split"]
                row.append(fmt_ms(split[step]))
            rows.append(row)
        self.table(["step"] + [self.label(name) for name in self.names], rows)

    def per_call_table(self, section: str, variants: list[str]) -> None:
        header = ["value", "variant"]
        for name in self.names:
            header += [self.label(name) + " per call", self.label(name) + " vs store2"]
        rows = []
        for shape in ("scalar", "dict"):
            for variant in variants:
                row = ["small dict" if shape == "dict" else "scalar", variant]
                for name in self.names:
                    result = self.by_interpreter[name][section][shape]
                    samples = result[variant]["samples"]
                    row += [
                        fmt_us(result[variant]["ms"]) + " " + fmt_spread(samples),
                        fmt_ratio(ratio(result, "store2", variant)),
                    ]
                rows.append(row)
        self.table(header, rows)

    def get_section(self) -> None:
        self.add(
            "## 2. get",
            "",
            "`Session.get` reads from memory. store2's `get` calls "
            "`localStorage.getItem` and `JSON.parse`; the plain Python baseline "
            "does the same from Python (`localStorage.getItem` through the "
            "interpreter's foreign function interface, then `json.loads`). The "
            "Python call floor calls a function that only returns its argument: "
            "no Python read can cost less. The scalar is `42`; the small dict is "
            '`{"sort": "price", "desc": false, "page": 3}`, which `get` copies. '
            "The last column is throughput relative to store2.",
            "",
        )
        self.per_call_table(
            "get", ["session", "store2", "plain python", "python call floor"]
        )

    def set_section(self) -> None:
        self.add(
            "## 3. set_persistent",
            "",
            "Every call writes a new value. `Session.set_persistent` encodes the "
            "value, writes its one entry with `localStorage.setItem` and updates "
            "memory. store2's `set` reads the previous value (`getItem`, "
            "`JSON.parse`), then calls `JSON.stringify` and `setItem`. The plain "
            "Python baseline calls `json.dumps` and `setItem`; the last variant "
            "calls only `setItem`, from JavaScript.",
            "",
        )
        self.per_call_table(
            "set", ["session", "store2", "plain python", "javascript setItem"]
        )
        rows = []
        for name in self.names:
            stored = self.by_interpreter[name]["set"]["scalar"]["stored"]
            rows.append(
                "%s: after %d timed loops of session sets, localStorage held the "
                "last value %d times."
                % (self.label(name), stored["checked"], stored["onStorage"])
            )
        self.add(*rows, "")

    def scaling_section(self) -> None:
        self.add(
            "## 4. One set with 100 and with 10,000 keys stored",
            "",
            "localStorage holds N entries and a session restored from them, and "
            "each round times `set_persistent` of one more key. The session in "
            "memory is a second session restored from the same entries over a "
            "`MemoryStorage`, so its time is the session's own Python without the "
            "browser's `setItem`. store2's `set` over the same N entries shows how "
            "the browser's own `setItem` scales. Rounds alternate between forward "
            "and backward order, so the storage is refilled once per round. The "
            "last two rows are medians of 5 single timings. The first times a full "
            "garbage collection (`gc.collect()`) while the sessions of N keys are "
            "alive. The second times one `dict.get` of the set key in a dict of N "
            "keys named like the stored ones (`key0`, `key1`, ...).",
            "",
        )
        header = ["variant"]
        for name in self.names:
            header += [self.label(name) + " 100 keys", "10,000 keys", "ratio"]
        rows = []
        for variant in ("session", "session in memory", "store2"):
            row = [variant]
            for name in self.names:
                scaling = self.by_interpreter[name]["scaling"]
                small = scaling[variant + " 100"]
                large = scaling[variant + " 10000"]
                row += [
                    fmt_us(small["ms"]) + " " + fmt_spread(small["samples"]),
                    fmt_us(large["ms"]) + " " + fmt_spread(large["samples"]),
                    fmt_ratio(ratio(scaling, variant + " 10000", variant + " 100")),
                ]
            rows.append(row)

        row = ["one full garbage collection"]
        for name in self.names:
            collection = self.by_interpreter[name]["scaling"]["collection"]
            row += [
                fmt_small_ms(collection["100"]),
                fmt_small_ms(collection["10000"]),
                "",
            ]
        rows.append(row)
        row = ["`dict.get` of the set key"]
        for name in self.names:
            lookup = self.by_interpreter[name]["scaling"]["lookup"]
            row += [
                "%.2f µs" % lookup["100"],
                "%.2f µs" % lookup["10000"],
                fmt_ratio(lookup["10000"] / lookup["100"]),
            ]
        rows.append(row)
        self.table(header, rows)

    def bindings_section(self) -> None:
        self.add(
            "## 5. 1,000 bound elements",
            "",
            '1,000 `<span data-session="boundN">` elements are bound to 1,000 '
            "persistent keys. Binding time runs from appending them to the page to "
            "the end of the session's MutationObserver callback, which binds them "
            "all. Then each round sets one key from JavaScript through Python and "
            "waits for a MutationObserver on the container to see the new text. "
            "The JavaScript reference calls store2's `set` and writes the element's "
            "`textContent` itself.",
            "",
        )
        header = [""] + [self.label(name) for name in self.names]
        rows: list[list[str]] = [
            ["bind 1,000 elements"],
            ["bindings"],
            ["set → element updated (session)"],
            ["set → element updated (JavaScript reference)"],
            ["DOM writes per set (the session's own count)"],
            ["MutationObserver records per set"],
            ["updated before the next animation frame"],
        ]
        for name in self.names:
            bindings = self.by_interpreter[name]["bindings"]
            rows[0].append(fmt_ms(bindings["bindMs"]))
            rows[1].append(
                "%d (%d showing their value)"
                % (bindings["bindings"], bindings["showingValue"])
            )
            rows[2].append(fmt_ms(bindings["session"]["ms"]))
            rows[3].append(fmt_ms(bindings["javascript"]["ms"]))
            rows[4].append("%g" % bindings["domWritesPerSet"])
            rows[5].append(
                ", ".join(str(count) for count in bindings["session"]["records"])
            )
            rows[6].append("yes" if bindings["session"]["inFrame"] else "no")
        self.table(header, rows)

    def boot_section(self) -> None:
        self.add(
            "## 6. Demo boot",
            "",
            "The demo page (index.html) is reloaded with a name in localStorage and "
            "the runtimes in Chromium's HTTP cache (a warm reload; the runtimes are "
            "served with `Cache-Control: max-age=3600`, the project's files with "
            "`no-store`). Times are milliseconds since navigation start, until "
            "`#greeting` shows the stored name. Plain and instrumented reloads "
            "alternate; an instrumented reload runs bench/boot_timing.py before "
            "demo.py, which times the import of the package and each step of "
            "`start()`.",
            "",
        )
        summaries = {
            name: boot_summary(self.by_interpreter[name]["boot"]) for name in self.names
        }
        header = [""] + [self.label(name) for name in self.names]
        rows = [
            ["reloads of each kind"]
            + ["%d" % summaries[name]["loads"] for name in self.names],
            ["runtime bytes transferred (max over reloads)"]
            + ["{:,}".format(summaries[name]["runtime bytes"]) for name in self.names],
            ["restored name visible (plain reload)"]
            + [fmt_ms(summaries[name]["visible"]) for name in self.names],
            ["next animation frame after that"]
            + [fmt_ms(summaries[name]["painted"]) for name in self.names],
            ["restored name visible (instrumented reload)"]
            + [fmt_ms(summaries[name]["visible instrumented"]) for name in self.names],
        ]
        step_names = [
            "python began",
            "import persistent_session",
            "start()",
            "fetch settings.json",
            "open storage",
            "restore (attach)",
            "bind the page (_connect)",
        ]
        labels = {
            "python began": "first line of Python runs (runtime boot)",
            "import persistent_session": "import persistent_session",
            "start()": "start(), in total",
            "fetch settings.json": "  of which: fetch settings.json",
            "open storage": "  of which: open storage",
            "restore (attach)": "  of which: restore (attach)",
            "bind the page (_connect)": "  of which: bind the page (_connect)",
        }
        for step in step_names:
            rows.append(
                [labels[step]]
                + [fmt_ms(summaries[name]["steps"].get(step)) for name in self.names]
            )
        rows.append(
            ["our share: start() / time to visible"]
            + [fmt_percent(summaries[name]["share"]) for name in self.names]
        )
        rows.append(
            ["our share with the import: (import + start()) / time to visible"]
            + [fmt_percent(summaries[name]["share with import"]) for name in self.names]
        )
        self.table(header, rows)

    def storage_section(self) -> None:
        storage = self.by_interpreter[self.names[0]]["storage"]
        self.add(
            "## 7. Stored size",
            "",
            "Characters in storage for typical values: UTF-16 code units of each "
            "entry's name plus its value, as JavaScript's `length` counts them, "
            "so 2 bytes each when stored as UTF-16. The Meteor package "
            "(u2622:persistent-session 0.4.4, lib/persistent_session.js in "
            "okgrow/meteor-persistent-session) stores each key through "
            "amplify.store (store/amplify.store.js in mikehostetler/amplify): "
            'name `"__amplify__" + key`, value `{"data": <EJSON value>, '
            '"expires": null}`. It also keeps the key lists `__PSKEYS__` and '
            "`__PSAKEYS__`, rewritten on every set, and `__PSDATAVERSION__`. A "
            'datetime is `{"$date": <ms>}` in EJSON and an aware ISO text here.',
            "",
        )

        rows = []
        for key in storage["keys"]:
            rows.append(
                [key, str(storage["session"][key]), str(storage["meteor"][key])]
            )
        session_total = sum(storage["session"].values())
        meteor_total = sum(storage["meteor"].values()) + storage["meteorLists"]
        count = len(storage["keys"])
        rows.append(["key lists and data version", "0", str(storage["meteorLists"])])
        rows.append(["total", str(session_total), str(meteor_total)])
        rows.append(
            [
                "per entry",
                "%.1f" % (session_total / count),
                "%.1f" % (meteor_total / count),
            ]
        )
        self.table(["key", "session", "Meteor"], rows)

        rows = []
        for keys, sizes in storage["perSet"].items():
            rows.append(
                [f"{int(keys):,}", str(sizes["session"]), f"{sizes['meteor']:,}"]
            )
        self.add("Characters written by one set of a small value, by keys stored:", "")
        self.table(["keys stored", "session", "Meteor"], rows)

    def where_time_goes(self) -> None:
        self.add(
            "## Where the time goes",
            "",
            "Profiles of the session's side, taken in the same page after the "
            "comparisons. Chromium's CPU profiler (sampling every 100 µs, through "
            "the DevTools protocol) sees each interpreter only as WebAssembly "
            "without function names, so its tables group all of it. "
            '"(program)" is time it attributes to no JavaScript or WebAssembly '
            "function, which includes native browser code such as the inside of "
            "`setItem`. The get loop calls no browser code, yet most of its "
            'samples land there, so the split between "(program)" and the '
            "interpreter is not reliable for WebAssembly. The cProfile tables "
            "and the in-page timings are the better guide. On Pyodide, cProfile "
            "then splits the Python side by function; its own overhead inflates "
            "functions that are called often. "
            "MicroPython has no profiler; its splits are the in-page timings in "
            "sections 1 and 6.",
            "",
        )
        for name in self.names:
            self.add(*self.findings(name), "")
        for workload in ("get", "set", "restore 10000"):
            self.profile_tables(workload)

    def findings(self, name: str) -> list[str]:
        """Write sentences that put the measured figures of `name` side by side."""
        data = self.by_interpreter[name]
        lines = ["### " + self.label(name), ""]
        lines.append(get_finding(data["get"]["scalar"]))
        lines.append(set_finding(data["set"]["scalar"]))
        wrappers = wrapper_finding(data["profiles"])
        if wrappers:
            lines.append(wrappers)
        lines.append(restore_finding(data["restore"]["10000"]))
        if data["scaling"].get("lookup"):
            lines.append(scaling_finding(data["scaling"]))
        lines.append(boot_finding(boot_summary(data["boot"])))
        return lines

    def profile_tables(self, workload: str) -> None:
        self.add("### Profile: " + workload, "")
        header = ["share of busy time"] + [self.label(name) for name in self.names]
        labels: list[str] = []
        shares: dict[str, dict[str, float]] = {}
        for name in self.names:
            cpu = self.by_interpreter[name]["profiles"][workload]["cpu"]
            shares[name] = dict(cpu)
            for label, _share in cpu:
                if label not in labels:
                    labels.append(label)
        rows = []
        for label in labels:
            row = [label]
            for name in self.names:
                share = shares[name].get(label)
                row.append(NONE if share is None else fmt_percent(share))
            rows.append(row)
        self.table(header, rows)
        python = None
        if "pyodide" in self.by_interpreter:
            python = self.by_interpreter["pyodide"]["profiles"][workload]["python"]
        if python:
            rows = [
                [
                    "`" + row["function"] + "`",
                    f"{row['calls']:,}",
                    fmt_ms(row["self_ms"]),
                    fmt_percent(row["self_ms"] / python["total_ms"]),
                ]
                for row in python["rows"]
            ]
            self.add("cProfile on Pyodide, by self time:", "")
            self.table(["function", "calls", "self time", "share"], rows)

    def closing_notes(self) -> None:
        missed = {target.name for target in self.targets if not target.met}
        notes = []
        for name, note in self.closing_note_texts():
            if name in missed:
                notes.append("- **" + name + "**: " + note)
        if notes:
            self.add("## What would close the missed targets", "")
            self.add(*notes)
            self.add("")

    def closing_note_texts(self) -> list[tuple[str, str]]:
        """Return what would close each target, from this run's Pyodide figures."""
        if "pyodide" not in self.by_interpreter:
            return self.micropython_notes()
        data = self.by_interpreter["pyodide"]
        get = data["get"]["scalar"]
        set_scalar = data["set"]["scalar"]
        notes = [
            (
                "get of a scalar vs store2 get",
                "`Session.get` checks that the session has started, checks the "
                "key's type, records the computation that reads and decides "
                "whether to copy. With the call itself, that costs %.1f empty "
                "Python calls, where store2's whole `get` costs %.1f, so to "
                "reach 1.0%s the body of `get` would have to cost under %.1f "
                "empty calls. The checks carry behaviour that the tests pin "
                "down, so none was removed."
                % (
                    ratio(get, "session", "python call floor"),
                    ratio(get, "store2", "python call floor"),
                    TIMES,
                    max(0.0, ratio(get, "store2", "python call floor") - 1),
                ),
            ),
            (
                "get of a small dict vs store2 get",
                "Most of the time is the copy that keeps the stored dict "
                "private; only a read-only view in place of the copy would "
                "remove it.",
            ),
            (
                "set_persistent vs store2 set",
                "The plain baseline, `json.dumps` and one `setItem` called from "
                "Python, costs %s against the session's %s and reaches only %s "
                "store2's throughput by itself. Every set must be on storage "
                "before it returns, so writes cannot be batched. The remaining "
                "lever is a cheaper call from the interpreter into the browser, "
                "which lies in Pyodide rather than in this package. The "
                "session's own Python (encoding, the stored text, the undo "
                "record, notifying readers) is the rest."
                % (
                    fmt_us(set_scalar["plain python"]["ms"]),
                    fmt_us(set_scalar["session"]["ms"]),
                    fmt_ratio(throughput_of(set_scalar, "plain python")),
                ),
            ),
            (
                "restore of 1000 keys vs JavaScript",
                "A restore pays a fixed cost, opening the storage and one call "
                "into JavaScript. Then, per entry, it pays for the JavaScript "
                "read, `json.loads` of the combined text and the Python loop "
                "that builds the entries (section 1). The per-entry Python steps are "
                "already one pass each; a shorter combined text, such as names "
                "sent without their common prefix, could shorten `json.loads` "
                "(not measured).",
            ),
            (
                "restore of 10000 keys vs JavaScript",
                restore_note(data["restore"]["10000"]),
            ),
            (
                "set with 10,000 keys vs with 100",
                "A set of the session writes its own entry and touches no "
                "per-key list. Over memory, without the browser's `setItem`, "
                "the session's set with 10,000 keys takes %s its time with 100, "
                "and store2's set over the same storage %s; the findings give "
                "the dict lookup and garbage collection times behind the rest."
                % (
                    fmt_ratio(
                        ratio(
                            data["scaling"],
                            "session in memory 10000",
                            "session in memory 100",
                        )
                    ),
                    fmt_ratio(ratio(data["scaling"], "store2 10000", "store2 100")),
                ),
            ),
            (
                "our share of the demo boot (start())",
                "`fetch settings.json` is a network round trip inside start(); "
                "passing the settings as a dict (`start(settings={...})`) "
                "removes it.",
            ),
        ]
        return notes + self.micropython_notes()

    def micropython_notes(self) -> list[tuple[str, str]]:
        if "micropython" not in self.by_interpreter:
            return []
        boot = boot_summary(self.by_interpreter["micropython"]["boot"])
        steps = boot["steps"]
        began = steps.get("python began", 0.0)
        if began > 300:
            before = "That alone is over the 300 ms target."
        else:
            before = "That leaves %s for everything after it." % fmt_ms(300 - began)
        return [
            (
                "MicroPython: demo boot to restored values visible (warm reload)",
                "The first line of Python runs %s after navigation start, once "
                "PyScript and MicroPython have loaded and started and fetched "
                "the package's files. %s Of the package's own part, the import, "
                "which compiles every module from source on each load, takes %s; "
                "precompiled .mpy files could shorten it (not measured). "
                "start() takes %s, of which %s is waiting for "
                "settings.json, which `start(settings={...})` avoids."
                % (
                    fmt_ms(began),
                    before,
                    fmt_ms(steps.get("import persistent_session")),
                    fmt_ms(steps.get("start()")),
                    fmt_ms(steps.get("fetch settings.json")),
                ),
            )
        ]


def get_finding(get: dict) -> str:
    store2_calls = ratio(get, "store2", "python call floor")
    return (
        "- get: store2's `get` costs as much as %.1f empty Python calls, and "
        "`Session.get` as much as %.1f. The empty call is the floor of any "
        "Python read, so a get that did nothing else would reach at most %s "
        "store2's throughput."
        % (
            store2_calls,
            ratio(get, "session", "python call floor"),
            fmt_ratio(store2_calls),
        )
    )


def set_finding(set_scalar: dict) -> str:
    session = set_scalar["session"]["ms"]
    plain = set_scalar["plain python"]["ms"]
    if session > plain:
        own = "%s more than the plain baseline, the session's own Python" % fmt_us(
            session - plain
        )
    else:
        own = "no more than the plain baseline, within this run's noise"
    return (
        "- set: `setItem` alone costs %s from JavaScript, and `json.dumps` "
        "with `setItem` from Python (the plain baseline) costs %s, in the same "
        "page. The session costs %s, %s. Without any Python cost of its own "
        "it would still reach only the plain baseline's %s store2's "
        "throughput."
        % (
            fmt_us(set_scalar["javascript setItem"]["ms"]),
            fmt_us(plain),
            fmt_us(session),
            own,
            fmt_ratio(throughput_of(set_scalar, "plain python")),
        )
    )


def wrapper_finding(profiles: dict) -> str:
    """Describe the Emscripten call wrappers' share, when a profile shows them."""
    shares = []
    for workload in ("get", "set", "restore 10000"):
        labels = dict(profiles[workload]["cpu"])
        if SETJMP_LABEL in labels:
            shares.append(
                "%s of the %s profile" % (fmt_percent(labels[SETJMP_LABEL]), workload)
            )
    if not shares:
        return ""
    return (
        "- calls made by the bytecode loop: this build implements setjmp and "
        "longjmp with JavaScript exceptions, so a call made inside a C function "
        "that called setjmp, as the interpreter's loop does, passes through an "
        "`invoke_*` wrapper in JavaScript. The wrappers take %s, on top of the "
        "transitions between WebAssembly and JavaScript that each such call "
        "makes." % ", ".join(shares)
    )


def restore_finding(restore: dict) -> str:
    split = restore["split"]
    read = split["read entries (one call into JavaScript)"]
    reference = restore["javascript"]["ms"]
    return (
        "- restore of 10,000 keys: the JavaScript helper that reads every entry "
        "takes %s, against %s for the whole JavaScript reference. `json.loads` "
        "and the checks of the combined text take %s, and the loop that builds "
        "the entries %s. Reading alone is %s the reference."
        % (
            fmt_ms(read),
            fmt_ms(reference),
            fmt_ms(split["json.loads and checks of all entries"]),
            fmt_ms(split["loop over the entries"]),
            fmt_ratio(read / reference),
        )
    )


def scaling_finding(scaling: dict) -> str:
    collection = scaling["collection"]
    lookup = scaling["lookup"]
    times = [
        "%s with %s keys alive" % (fmt_small_ms(collection[size]), f"{int(size):,}")
        for size in sorted(collection, key=int)
    ]
    return (
        "- set with many keys: with 10,000 keys instead of 100, the session over "
        "memory takes %s its time and store2's set %s. A `dict.get` of the set "
        "key among keys named like the stored ones takes %s as long (%.2f µs "
        "against %.2f µs). One full garbage collection takes %s."
        % (
            fmt_ratio(
                ratio(scaling, "session in memory 10000", "session in memory 100")
            ),
            fmt_ratio(ratio(scaling, "store2 10000", "store2 100")),
            fmt_ratio(lookup["10000"] / lookup["100"]),
            lookup["10000"],
            lookup["100"],
            " and ".join(times),
        )
    )


def boot_finding(boot: dict) -> str:
    steps = boot["steps"]
    return (
        "- demo boot: the first line of Python runs at %s after navigation "
        "start. Importing the package takes %s and start() %s, of which %s is "
        "waiting for settings.json. The name is visible at %s."
        % (
            fmt_ms(steps.get("python began")),
            fmt_ms(steps.get("import persistent_session")),
            fmt_ms(steps.get("start()")),
            fmt_ms(steps.get("fetch settings.json")),
            fmt_ms(boot["visible instrumented"]),
        )
    )


def restore_note(restore: dict) -> str:
    split = restore["split"]
    reference = restore["javascript"]["ms"]
    read = split["read entries (one call into JavaScript)"] / reference
    python = (
        split["json.loads and checks of all entries"] + split["loop over the entries"]
    ) / reference
    return (
        "Reading the entries in JavaScript alone takes %s the reference's "
        "time. That leaves the Python side at most %s to meet the target, and "
        "`json.loads` with its checks and the loop that builds the entries "
        "take %s. As for 1,000 keys, a shorter combined text could shorten "
        "`json.loads` (not measured)."
        % (fmt_ratio(read), fmt_ratio(max(0.0, 2 - read)), fmt_ratio(python))
    )


def throughput_of(result: dict, variant: str) -> float:
    """Return the throughput of `variant` as a multiple of store2's."""
    return ratio(result, "store2", variant)


# ------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=15,
        help="rounds per comparison; the report gives the median (at least 5)",
    )
    parser.add_argument(
        "--boot-rounds",
        type=int,
        default=5,
        help="demo reloads of each kind, plain and instrumented (at least 5)",
    )
    parser.add_argument(
        "--interpreters",
        default=",".join(INTERPRETERS),
        help="comma-separated interpreters to run (default: pyodide,micropython)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="the report to write (default: docs/benchmarks.md)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the raw results here"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        help="write the report from results saved by --json, without running",
    )

    args = parser.parse_args(argv)
    if args.rounds < 5 or args.boot_rounds < 5:
        parser.error("--rounds and --boot-rounds must be at least 5")

    chosen = [name.strip() for name in args.interpreters.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in INTERPRETERS]
    if unknown or not chosen:
        parser.error("--interpreters takes pyodide and/or micropython")
    args.interpreters = chosen
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.from_json is not None:
        write_report(json.loads(args.from_json.read_text()), args.output)
        return 0
    if not Path(CHROMIUM).exists():
        print("Chromium is missing at " + CHROMIUM + "; ./tasks.sh bench installs it.")
        return 1
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "rounds": args.rounds,
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "os": platform.platform(),
            "load start": load_average(),
        },
        "npm": {label: npm_version(package) for label, package in NPM_PACKAGES.items()},
        "playwright": package_version("playwright"),
        "interpreters": {},
    }
    foreign = ForeignRequests()
    profile_dir = tempfile.mkdtemp(prefix="bench-chromium-")
    started = time.monotonic()
    try:
        with QuietServer() as server, sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile_dir,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
            )
            try:
                context.on("request", foreign.record)
                probe = context.new_page()
                session = context.new_cdp_session(probe)
                results["chromium"] = session.send("Browser.getVersion")["product"]
                session.detach()
                probe.close()
                for name in args.interpreters:
                    result = run_bench_page(context, server.base, name, args.rounds)
                    result["boot"] = run_demo_boot(
                        context, server.base, name, args.boot_rounds
                    )
                    results["interpreters"][name] = result
            finally:
                context.close()
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)
    results["machine"]["load end"] = load_average()
    results["foreign requests"] = foreign.urls
    log("finished in %.0f s" % (time.monotonic() - started))

    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1))
    write_report(results, args.output)
    if foreign.urls:
        print("Requests to other hosts were made: " + ", ".join(foreign.urls))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

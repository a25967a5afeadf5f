#!/usr/bin/env bash
# Set-up and run tasks for a fresh Debian machine with Python 3.11 and Node 20.
#
#   ./tasks.sh demo    install the browser runtimes and serve the demo
#   ./tasks.sh test    install the test tools and Chromium, then run every check
#   ./tasks.sh bench   run the benchmark and rewrite docs/benchmarks.md
set -uo pipefail

cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
VENV=.venv
PORT=${PORT:-8000}

install_runtimes() {
    # Pyodide, PyScript, MicroPython and store2, exactly as package-lock.json
    # pins them; skipped when this lockfile was already installed.
    local stamp=node_modules/.installed-lockfile
    if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
        npm ci --no-audit --no-fund || return 1
        cp package-lock.json "$stamp"
    fi
}

install_test_tools() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV" || return 1
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements-test.txt || return 1
    if [ ! -x /usr/bin/chromium ]; then
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
            || return 1
    fi
}

run_checks() {
    local failed=()
    "$VENV/bin/ruff" check . || failed+=("ruff check")
    "$VENV/bin/ruff" format --check . || failed+=("ruff format")
    "$VENV/bin/mypy" || failed+=("mypy")
    "$VENV/bin/python" -m pytest tests -q || failed+=("unit tests")
    "$VENV/bin/python" -m pytest e2e -q || failed+=("end-to-end tests")
    if [ ${#failed[@]} -gt 0 ]; then
        echo "FAILED: ${failed[*]}" >&2
        return 1
    fi
    echo "All checks passed."
}

case "${1:-}" in
    demo)
        install_runtimes || exit 1
        exec "$PYTHON" scripts/serve.py --port "$PORT"
        ;;
    test)
        install_runtimes || exit 1
        install_test_tools || exit 1
        run_checks
        ;;
    bench)
        install_runtimes || exit 1
        install_test_tools || exit 1
        exec "$VENV/bin/python" bench/run.py "${@:2}"
        ;;
    *)
        echo "usage: ./tasks.sh demo|test|bench" >&2
        exit 2
        ;;
esac

"""Serve the project folder on 127.0.0.1 with the MIME types PyScript needs.

    python scripts/serve.py [--port 8000]

Module scripts (`.mjs`) must be served as JavaScript and WebAssembly as
`application/wasm`. The project's own files are sent with
`Cache-Control: no-store`, so a reload always runs the files on disk; the
runtimes under node_modules/ may be cached, as a real deployment would allow.
"""

import argparse
import functools
import http.server
import sys
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent

MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".toml": "text/plain",
    ".py": "text/plain",
    ".zip": "application/zip",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }

    def end_headers(self) -> None:
        if self.path.startswith("/node_modules/"):
            self.send_header("Cache-Control", "public, max-age=3600")
        else:
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def make_server(
    port: int, root: Path = ROOT, verbose: bool = False
) -> http.server.ThreadingHTTPServer:
    """Return a server for `root` on 127.0.0.1:`port` (0 picks a free port)."""
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=8000, help="TCP port (default 8000)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args()
    server = make_server(args.port, verbose=not args.quiet)
    host, port = server.server_address[:2]
    print(f"Serving the demo on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

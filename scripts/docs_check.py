"""Build the docs site, serve it on localhost and screenshot pages in headless Chromium.

Used by ``make docs-check`` (not part of ``make test``): the screenshots let a person see that
formulas render (KaTeX served by the site itself) and that nothing is broken. Needs Debian's
``chromium`` package (``/usr/bin/chromium``).

    python scripts/docs_check.py [--out docs-screenshots] [--width 1280 ...] [PAGE ...]

PAGE is a site path such as ``customer/``; the default is every page of the "Metrics" section
plus the home page, "Definitions compared" and "Migrating from lifetimes".
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from headless_chromium import screenshot

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "",
    "customer/",
    "satisfaction/",
    "campaign/",
    "sales/",
    "service/",
    "profitability/",
    "clv/",
    "definitions-compared/",
    "migrating-from-lifetimes/",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Log nothing: a line per request would bury the screenshot paths."""


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=PAGES)
    parser.add_argument("--out", type=Path, default=ROOT / "docs-screenshots")
    parser.add_argument("--height", type=int, default=2400, help="window height in pixels")
    parser.add_argument(
        "--width",
        type=int,
        nargs="+",
        default=[1280],
        help="window widths in pixels; narrow ones (700, 1000) show how the tables wrap",
    )
    args = parser.parse_args(argv)
    site = ROOT / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    with serve(site) as base:
        for page in args.pages:
            name = page.strip("/").replace("/", "-") or "home"
            for width in args.width:
                suffix = "" if args.width == [1280] else f"-{width}"
                target = args.out / f"{name}{suffix}.png"
                screenshot(base + page, target, width=width, height=args.height)
                print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

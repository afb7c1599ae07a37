"""Open a report.html in headless Chromium and save a screenshot (not part of `make test`).

Usage: python scripts/screenshot_report.py [crm-report/report.html] [out.png] [--height 3000]

Needs Debian's chromium (`apt-get install -y chromium`). Chromium runs with networking
features off and a throw-away profile; the report itself loads nothing from the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from headless_chromium import screenshot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, default=Path("crm-report/report.html"))
    parser.add_argument("png", nargs="?", type=Path, default=Path("crm-report/report.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    screenshot(args.html.resolve().as_uri(), args.png, width=args.width, height=args.height)
    print(f"screenshot saved to {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

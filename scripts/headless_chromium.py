"""Screenshots with Debian's headless Chromium, shared by the docs and report checks.

Chromium runs as root on a machine without network access: no sandbox, no background
connections, no component updates, and a throw-away profile per run.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",  # let scripts (KaTeX) finish before the capture
]


def screenshot(url: str, png: Path, *, width: int = 1280, height: int = 2400) -> None:
    """Render ``url`` (http:// or file://) into ``png`` at ``width`` x ``height`` pixels."""
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: install Debian's chromium package")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png.resolve()}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if not png.exists():
        raise SystemExit(f"chromium wrote no screenshot to {png}")

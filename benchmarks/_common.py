"""Shared measuring and reporting helpers of the benchmark runners (not a benchmark itself).

Every runner compares crm_metrics with a peer in one process: ``measure_alternating``
times both sides alternately, ``traced_peak`` and ``rss_growth`` measure memory of one
call, ``table`` and ``mem`` format the report, ``environment`` names the versions.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import crm_metrics

MIB = 2**20


# --------------------------------------------------------------------------- measuring
def time_once(fn: Callable[[], object]) -> float:
    """Wall time of one call in seconds (garbage collected beforehand, outside the timing)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def traced_peak(fn: Callable[[], object]) -> int:
    """Bytes: tracemalloc peak above the level before one call of ``fn``."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def rss_growth(fn: Callable[[], object]) -> int | None:
    """Bytes: resident-set peak above the RSS before one call (Linux only; else None).

    Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current RSS. This is
    process-wide and may undercount when the allocator reuses memory already resident.
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        before = _status_kib("VmRSS")
    except OSError:
        return None
    fn()
    return (_status_kib("VmHWM") - before) * 1024


def maxrss_bytes() -> int:
    """Process-wide RSS high-water mark (getrusage: KiB on Linux, bytes on macOS)."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


@dataclass
class Side:
    """Timings and memory of one side of the comparison."""

    label: str
    times: list[float]
    peak: int
    rss: int | None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)


def measure_alternating(
    a: Callable[[], object], b: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` alternately ``repeats`` times each (order swapped every round)."""
    ta: list[float] = []
    tb: list[float] = []
    for i in range(repeats):
        if i % 2 == 0:
            ta.append(time_once(a))
            tb.append(time_once(b))
        else:
            tb.append(time_once(b))
            ta.append(time_once(a))
    return ta, tb


# --------------------------------------------------------------------------- output
def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out)

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def mem(nbytes: int | None, input_bytes: int) -> str:
    """``123.4 (0.77x)``: MiB and multiple of the input size."""
    if nbytes is None:
        return "n/a"
    mib = nbytes / MIB
    return (
        f"{mib:.1f} ({nbytes / input_bytes:.2f}x)"
        if mib >= 1
        else f"{mib:.3f} ({nbytes / input_bytes:.2f}x)"
    )


def environment() -> str:
    """Versions and machine, for the last line of every report."""
    try:
        import pandas as pd

        pandas = f"pandas {pd.__version__}, "
    except ImportError:
        pandas = ""
    return (
        f"numpy {np.__version__}, {pandas}"
        f"crm_metrics {crm_metrics.__version__}, Python {platform.python_version()}; "
        f"{platform.system()} {platform.machine()}, os.cpu_count()={os.cpu_count()}"
    )

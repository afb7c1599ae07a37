"""Terminal output of the report: progress lines (stderr) and the summary table (stdout)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from crm_metrics.report.schema import Report

__all__ = [
    "DURATION_UNITS",
    "Progress",
    "format_duration",
    "format_number",
    "shown_unit",
    "summary_table",
]

#: Units of duration figures (seconds in each); they are shown in a unit that fits the value.
DURATION_UNITS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


class Progress:
    """Progress lines ``what ... 0.4 s`` on stderr for the long steps; silent if ``quiet``."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Time the enclosed step and report it when it ends."""
        stream = self.stream or sys.stderr
        if not self.quiet:
            print(f"{what} ...", end="", file=stream, flush=True)
        began = time.perf_counter()
        try:
            yield
        finally:
            if not self.quiet:
                print(f" {time.perf_counter() - began:.1f} s", file=stream, flush=True)


def format_duration(value: float, unit: str) -> str:
    """A duration in the unit that reads best: seconds below 90 s, minutes below 90 min,
    hours below 48 h, else days (3 significant digits).

    Examples
    --------
    >>> format_duration(0.0881, "hours"), format_duration(15.46, "seconds")
    ('5.29 min', '15.5 s')
    >>> format_duration(30.2, "hours"), format_duration(69.04, "days")
    ('30.2 h', '69.0 days')
    """
    seconds = value * DURATION_UNITS[unit]
    for limit, size, name in ((90, 1, "s"), (5400, 60, "min"), (172800, 3600, "h")):
        if abs(seconds) < limit:
            return f"{format_number(seconds / size)} {name}"
    return f"{format_number(seconds / 86400)} days"


def format_number(value: float | int | None, unit: str = "") -> str:
    """A figure for people: thousands separators, 3 significant digits, percentages,
    durations in a unit that fits them.

    Examples
    --------
    >>> format_number(0.4953, "fraction"), format_number(2500316.5), format_number(None)
    ('49.5 %', '2,500,316', 'n/a')
    >>> format_number(23570), format_number(5.0243), format_number(69.04)
    ('23,570', '5.02', '69.0')
    >>> format_number(0.0881, "hours")
    '5.29 min'
    """
    if value is None:
        return "n/a"
    if unit in DURATION_UNITS:
        return format_duration(value, unit)
    if isinstance(value, int):
        return f"{value:,}"
    if unit in ("fraction", "probability"):
        return f"{100 * value:.1f} %"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"


def shown_unit(unit: str) -> str:
    """The unit column beside a formatted figure (a duration carries its own unit)."""
    return "" if unit in DURATION_UNITS else unit


def summary_table(report: Report) -> str:
    """The scalar figures of a report as an aligned text table, grouped by area.

    Figures that are not available for these records follow the table, each with its
    reason.
    """
    rows = [
        (fig.area, fig.title, format_number(fig.value, fig.unit), shown_unit(fig.unit))
        for fig in report.metrics.values()
        if fig.kind == "scalar"
    ]
    missing = [fig for fig in report.metrics.values() if fig.kind == "not_available"]
    lines = []
    if rows:
        width = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"{'area':<{width[0]}}  {'metric':<{width[1]}}  {'value':>{width[2]}}  unit"]
        lines.append("-" * len(lines[0]))
        lines += [f"{a:<{width[0]}}  {t:<{width[1]}}  {v:>{width[2]}}  {u}" for a, t, v, u in rows]
    if missing:
        lines += ["", "Not available for these records:"] if lines else []
        lines += [f"- {fig.area}: {fig.title}: {fig.reason}" for fig in missing]
    return "\n".join(lines)

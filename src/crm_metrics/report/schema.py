"""The pydantic model of ``report.json``: every figure of a report, machine-readable.

Layout (``schema_version`` 2):

```text
{"schema_version": 2, "title": ..., "crm_metrics_version": ...,
 "window": {"start": null, "end": null, "as_of": null, "freq": "M",
            "resolved": {"transactions": {"anchor": "ts", "start": ..., "end": ...,
                                          "as_of": "1998-06-30T00:00:00.000000001",
                                          "records_in_window": 69659}, ...}},
 "settings": {"rfm_time_unit": "weeks", "clv_horizon_months": 12, ...},
 "sources": {"transactions": {"path": ..., "rows": 69659}, ...},
 "metrics": {"nps": {"kind": "scalar", "area": "surveys", "title": ..., "unit": "points",
                     "value": 31.2}, ...}}
```

Metric keys are the report metric names (``crm-metrics report --list-metrics``), in the
registry's order. Every value is a JSON number, string or ``null``: a result the library
returns as ``nan`` (a zero denominator) is written as ``null``. Timestamps
are ISO-8601 strings. A figure has one of six kinds:

- ``scalar``: ``value`` is one number;
- ``mapping``: ``value`` is ``{label: number}`` (a grouped result, a breakdown, fitted
  parameters), labels as strings in the library's key order;
- ``table``: ``value`` is ``{"columns": [...], "rows": [[...], ...]}``;
- ``histogram``: ``value`` is ``{"edges": [...], "counts": [...]}``, ``counts[i]`` the number
  of values in ``[edges[i], edges[i + 1])``, the last bin closed, values beyond the last edge
  counted in the last bin; ``unit`` is the unit of the binned values;
- ``file``: a table too long for this file (one row per customer), written as a CSV file
  next to ``report.json``; ``value`` is ``{"path": "customers.csv", "rows": 23570,
  "columns": [...]}``, ``path`` relative to ``report.json``;
- ``not_available``: the figure cannot be computed for these records (no repeat buyer to
  fit a spend model on, no survey response in the window ...); ``value`` is ``null`` and
  ``reason`` says why in plain words. The rest of the report is computed as usual.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = [
    "SCHEMA_VERSION",
    "Figure",
    "FileFigure",
    "FileValue",
    "HistogramFigure",
    "HistogramValue",
    "MappingFigure",
    "NotAvailableFigure",
    "Report",
    "Resolved",
    "ScalarFigure",
    "SourceInfo",
    "TableFigure",
    "TableValue",
    "Window",
]

#: Version of the ``report.json`` layout; bumped on any incompatible change.
SCHEMA_VERSION: Literal[2] = 2

#: One number of a report; ``None`` stands for the library's ``nan`` (undefined).
Number = int | float | None
#: One cell of a table.
Cell = str | int | float | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableValue(_Strict):
    """A table: column names and rows of cells (strings, numbers or null)."""

    columns: list[str]
    rows: list[list[Cell]]


class HistogramValue(_Strict):
    """Bin edges (``len(counts) + 1`` of them, increasing) and the count in each bin."""

    edges: list[float]
    counts: list[int]


class _Figure(_Strict):
    area: str
    title: str
    unit: str
    #: How to read the figure (its rule, what a value means for these records), or null.
    note: str | None = None


class ScalarFigure(_Figure):
    """One number."""

    kind: Literal["scalar"] = "scalar"
    value: Number


class MappingFigure(_Figure):
    """Numbers by label (a grouped result, a breakdown, fitted parameters)."""

    kind: Literal["mapping"] = "mapping"
    value: dict[str, Number]


class TableFigure(_Figure):
    """A table of cells."""

    kind: Literal["table"] = "table"
    value: TableValue


class HistogramFigure(_Figure):
    """A distribution as a histogram."""

    kind: Literal["histogram"] = "histogram"
    value: HistogramValue


class FileValue(_Strict):
    """A table written as a CSV file next to ``report.json`` (header line: ``columns``)."""

    path: str
    rows: int = Field(ge=0)
    columns: list[str]


class FileFigure(_Figure):
    """A long table, written to its own CSV file."""

    kind: Literal["file"] = "file"
    value: FileValue


class NotAvailableFigure(_Figure):
    """A figure that cannot be computed for these records, and the reason in plain words."""

    kind: Literal["not_available"] = "not_available"
    value: None = None
    reason: str = Field(min_length=1)


#: Any figure, told apart by its ``kind``.
Figure = Annotated[
    ScalarFigure | MappingFigure | TableFigure | HistogramFigure | FileFigure | NotAvailableFigure,
    Field(discriminator="kind"),
]


class SourceInfo(_Strict):
    """Where the records of one schema came from, and how many there were."""

    path: str
    rows: int = Field(ge=0)


class Resolved(_Strict):
    """The window and snapshot the figures of one input were computed with.

    ``start`` and ``end`` are the options, or (without them) the first record's timestamp
    and one nanosecond after the last's; ``as_of`` is the option, or one nanosecond after
    the input's latest event (deadlines such as ``due_at`` are not events).
    ``records_in_window`` counts the records whose ``anchor`` lies in ``[start, end)``.
    Null where the input has no timestamps.
    """

    anchor: str | None
    start: str | None
    end: str | None
    as_of: str | None
    records_in_window: int | None = Field(ge=0)


class Window(_Strict):
    """The report's time options as given (null: the default) and as resolved per input."""

    start: str | None
    end: str | None
    as_of: str | None
    freq: str
    resolved: dict[str, Resolved]


class Report(_Strict):
    """The whole ``report.json``."""

    schema_version: Literal[2] = SCHEMA_VERSION
    title: str
    crm_metrics_version: str
    window: Window
    settings: dict[str, str | int | float]
    sources: dict[str, SourceInfo]
    metrics: dict[str, Figure]
    #: The tables of the ``file`` figures, by file name (written next to report.json).
    _files: dict[str, TableValue] = PrivateAttr(default_factory=dict)

    @property
    def files(self) -> dict[str, TableValue]:
        """The tables of the ``file`` figures by file name (not part of the JSON)."""
        return self._files

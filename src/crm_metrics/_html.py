"""HTML views of results in a notebook: what every ``_repr_html_`` is made of.

Small, self-contained tables: no JavaScript, no stylesheet, a few inline styles. Every
value and every name is escaped. Only the rows that are shown get formatted: a long result
shows its first and last ``EDGE`` rows around one "... N more" row, so a result with a
million groups renders as quickly as one with twenty.

Numbers read as a person would write them: floats to 4 significant digits (from 10,000
on written out to the unit, thousands separated), integers exactly, NaN as a grey
``nan``, datetimes as dates (with the time of day only when one is not midnight).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EDGE",
    "column_cells",
    "describe",
    "escape",
    "frame",
    "heatmap",
    "number",
    "record",
    "shade",
    "shown",
    "table",
]

#: Rows shown at each end of a long result.
EDGE = 10
_GREY = "color:#8a8a8a"
_LEFT = "text-align:left"
_CAPTION = "text-align:left;white-space:nowrap"
#: The darkest shade of a heat-map cell (the largest magnitude), as RGB.
_HEAT = np.array([63.0, 106.0, 216.0])


def number(value: Any, digits: int = 4, *, group: bool = True) -> str:
    """A number as text: floats to ``digits`` significant digits, written out to the unit
    with thousands separators from ``10**digits`` on (so no integer digit is lost);
    integers exactly, separated from 10,000 on unless ``group`` is False (keys, ids).

    >>> number(0.123456), number(2500316.5), number(12.0), number(-0.000123456)
    ('0.1235', '2,500,316', '12', '-0.0001235')
    >>> number(float("nan")), number(1e20), number(42), number(123456), number(True)
    ('nan', '1e+20', '42', '123,456', 'True')
    >>> number(-9582.4312, 6), number(123456, group=False)
    ('-9582.43', '123456')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        i = int(value)
        return f"{i:,}" if group and abs(i) >= 10_000 else str(i)
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    if 10.0**digits <= abs(x) < 1e15:
        return f"{x:,.0f}" if group else f"{x:.0f}"
    return f"{x:.{digits}g}"


def _grey(text: str) -> str:
    return f'<span style="{_GREY}">{escape(text)}</span>'


def column_cells(values: NDArray[Any], *, key: bool = False) -> list[str]:
    """The HTML cell contents of one column (escaped; NaN and NaT grey). Numbers of a
    ``key`` column (ids, labels) are written without thousands separators."""
    arr = np.asarray(values)
    group = not key
    if arr.dtype.kind == "M":
        nat = np.isnat(arr)
        ns = arr.astype("datetime64[ns]").view(np.int64)
        midnight = not bool((ns[~nat] % 86_400_000_000_000).any())
        text = np.datetime_as_string(arr, unit="D" if midnight else "s")
        return [_grey("NaT") if n else escape(str(t)) for t, n in zip(text, nat, strict=True)]
    if arr.dtype.kind == "f":
        return [
            _grey("nan") if math.isnan(v) else escape(number(v, group=group)) for v in arr.tolist()
        ]
    if arr.dtype.kind in "iub":
        return [escape(number(v, group=group)) for v in arr.tolist()]
    return [_cell(v, group) for v in arr.tolist()]


def _cell(value: Any, group: bool) -> str:
    """One value of an object column."""
    if value is None:
        return _grey("None")
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return _grey("nan")
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        return escape(number(value, group=group))
    if isinstance(value, np.datetime64):
        return column_cells(np.array([value]))[0]
    return escape(str(value))


def shown(n: int, head: int = EDGE, tail: int = EDGE) -> tuple[NDArray[np.intp], int]:
    """The rows shown of ``n``: the first ``head`` and last ``tail`` (all of them when at
    most one would be left out), and how many are hidden between them.

    >>> rows, hidden = shown(1000)
    >>> rows[:3].tolist(), rows[-2:].tolist(), hidden
    ([0, 1, 2], [998, 999], 980)
    >>> shown(21)[1], shown(3, head=5, tail=0)[1], shown(8, head=5, tail=0)[1]
    (0, 0, 3)
    """
    if n <= head + tail + 1:
        return np.arange(n, dtype=np.intp), 0
    rows = np.concatenate([np.arange(head), np.arange(n - tail, n)]).astype(np.intp)
    return rows, n - head - tail


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str = "",
    keys: int = 1,
    gap: tuple[int, str] | None = None,
    styles: Sequence[Sequence[str]] | None = None,
) -> str:
    """A ``<table>``: ``header`` names (escaped here), ``rows`` of HTML cell contents.

    The first ``keys`` columns are row labels (left-aligned ``<th>``). ``gap = (i, text)``
    puts one row spanning the table, reading ``text``, before body row ``i``. ``styles``
    adds an inline style to each value cell (a heat map).
    """
    width = len(header)
    head = "".join(
        f'<th style="{_LEFT}">{escape(h)}</th>' if j < keys else f"<th>{escape(h)}</th>"
        for j, h in enumerate(header)
    )
    body: list[str] = []
    for i, row in enumerate(rows):
        if gap is not None and gap[0] == i:
            body.append(_gap_row(gap[1], width))
        cells = []
        for j, content in enumerate(row):
            if j < keys:
                cells.append(f'<th style="{_LEFT}">{content}</th>')
            else:
                style = styles[i][j - keys] if styles is not None else ""
                cells.append(
                    f'<td style="{style}">{content}</td>' if style else f"<td>{content}</td>"
                )
        body.append("<tr>" + "".join(cells) + "</tr>")
    if gap is not None and gap[0] >= len(rows):
        body.append(_gap_row(gap[1], width))
    cap = f'<caption style="{_CAPTION}">{escape(caption)}</caption>' if caption else ""
    rows_html = "".join(body)
    return (
        f'<table style="text-align:right">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{rows_html}</tbody></table>"
    )


def _gap_row(text: str, width: int) -> str:
    return f'<tr><td colspan="{width}" style="{_LEFT};{_GREY}">{escape(text)}</td></tr>'


def frame(
    columns: Mapping[str, NDArray[Any]] | Sequence[tuple[str, NDArray[Any]]],
    *,
    caption: str,
    keys: int = 1,
    noun: str = "rows",
    head: int = EDGE,
    tail: int = EDGE,
) -> str:
    """A table of aligned ``(name, column)`` pairs (the first ``keys`` are labels); a
    long one shows its first ``head`` and last ``tail`` rows around a "... N more {noun}"
    row."""
    pairs = list(columns.items()) if isinstance(columns, Mapping) else list(columns)
    n = len(pairs[0][1]) if pairs else 0
    rows, hidden = shown(n, head, tail)
    cells = [column_cells(np.asarray(col)[rows], key=j < keys) for j, (_, col) in enumerate(pairs)]
    body = [list(row) for row in zip(*cells, strict=True)] if cells else []
    gap = (head, f"\u2026 {hidden:,} more {noun}") if hidden else None
    return table([name for name, _ in pairs], body, caption=caption, keys=keys, gap=gap)


def describe(columns: Mapping[str, NDArray[Any]], *, caption: str) -> str:
    """A table of summary statistics, one row per column: mean, min, quartiles, max (NaN
    for an empty column)."""
    names = list(columns)
    data = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns.values()])
    if data.shape[0] == 0:
        stats = np.full((len(names), 6), np.nan)
    else:
        quartiles = np.quantile(data, [0.0, 0.25, 0.5, 0.75, 1.0], axis=0)
        stats = np.column_stack([data.mean(axis=0), quartiles.T])
    header = ["", "mean", "min", "25%", "50%", "75%", "max"]
    labels = column_cells(np.array(names, dtype=object), key=True)
    cells = [column_cells(col) for col in stats.T]
    body = [list(row) for row in zip(labels, *cells, strict=True)]
    return table(header, body, caption=caption)


def heatmap(
    labels: Sequence[tuple[str, NDArray[Any]]],
    columns: Sequence[str],
    matrix: NDArray[np.float64],
    *,
    caption: str,
    noun: str = "rows",
    max_columns: int = 24,
    top: float | None = None,
) -> str:
    """A heat-shaded table: row labels (``(name, column)`` pairs), then the cells of
    ``matrix`` shaded by magnitude, full colour at ``top`` and above (by default the
    largest magnitude of the whole matrix); NaN cells blank. Long matrices show their
    first and last rows; wide ones their first ``max_columns`` columns. The caption
    says what is shown and the shading scale."""
    values = np.asarray(matrix, dtype=np.float64)
    if top is None:
        finite = np.isfinite(values)
        top = float(np.abs(values[finite]).max()) if finite.any() else 0.0
    if top > 0:
        caption += f"; shade 0 to {number(top)}"
    rows, hidden = shown(values.shape[0])
    block = values[rows][:, :max_columns]
    if values.shape[1] > max_columns:
        caption += f" (first {max_columns} of {values.shape[1]:,} columns shown)"
    label_cells = [column_cells(np.asarray(col)[rows], key=True) for _, col in labels]
    value_cells = [
        ["" if math.isnan(v) else c for v, c in zip(col.tolist(), column_cells(col), strict=True)]
        for col in block.T
    ]
    body = [list(row) for row in zip(*label_cells, *value_cells, strict=True)]
    gap = (EDGE, f"\u2026 {hidden:,} more {noun}") if hidden else None
    header = [name for name, _ in labels] + list(columns[:max_columns])
    styles = shade(block, top)
    return table(header, body, caption=caption, keys=len(labels), gap=gap, styles=styles)


def record(title: str, fields: Mapping[str, Any]) -> str:
    """A small result of named fields (scalars, or arrays of one shape): one column per
    field, one row per element."""
    arrays = np.broadcast_arrays(*(np.asarray(v) for v in fields.values()))
    columns = {name: np.ravel(a) for name, a in zip(fields, arrays, strict=True)}
    n = arrays[0].size if arrays else 0
    caption = title if n == 1 else f"{title}: {n:,} rows"
    return frame(columns, caption=caption, keys=0)


def shade(block: NDArray[np.float64], top: float | None = None) -> list[list[str]]:
    """Inline styles of a heat map: each cell's background proportional to its magnitude
    (white at 0, full colour at ``top``, by default the largest magnitude of ``block``);
    NaN cells unshaded.

    >>> shade(np.array([[1.0, 0.0, np.nan]]))
    [['background:rgb(63,106,216);color:#fff', 'background:rgb(255,255,255)', '']]
    """
    values = np.asarray(block, dtype=np.float64)
    finite = np.isfinite(values)
    if top is None:
        top = float(np.abs(values[finite]).max()) if finite.any() else 0.0
    with np.errstate(all="ignore"):
        share = np.where(finite & (top > 0), np.minimum(np.abs(values) / top, 1.0), 0.0)
    rgb = np.rint(255.0 - share[..., None] * (255.0 - _HEAT)).astype(np.int64)
    out: list[list[str]] = []
    for rgb_row, share_row, finite_row in zip(rgb, share, finite, strict=True):
        row = []
        for (r, g, b), s, f in zip(rgb_row.tolist(), share_row.tolist(), finite_row, strict=True):
            ink = ";color:#fff" if s > 0.55 else ""
            row.append(f"background:rgb({r},{g},{b}){ink}" if f else "")
        out.append(row)
    return out

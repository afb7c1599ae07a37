"""``report.html``: one self-contained page, tables plus inline SVG charts.

No JavaScript, no external file, no CDN: the charts are SVG written here, the style is
inline CSS. Charts: the cohort retention heatmap, the NPS distribution, the campaign
funnel, the pipeline by stage, and the histograms (first response time, P(alive), CLV).
"""

from __future__ import annotations

from html import escape
from typing import Any

from crm_metrics.report.compute import AREAS
from crm_metrics.report.schema import (
    FileFigure,
    HistogramFigure,
    MappingFigure,
    NotAvailableFigure,
    Report,
    ScalarFigure,
    TableFigure,
    TableValue,
)
from crm_metrics.report.terminal import format_number, shown_unit

__all__ = ["render_html"]

#: Mappings drawn as bar charts (the rest are shown as tables).
BAR_CHARTS = frozenset({"nps_distribution", "campaign_funnel", "pipeline_by_stage"})
#: Rows shown of a longer table.
MAX_ROWS = 40

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
 margin:0;background:#f5f7fa}
main{max-width:1280px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:32px 0 12px;
 border-bottom:2px solid #3f6ad8;padding-bottom:4px}h3{font-size:14px;margin:0 0 8px;color:#3e4c59}
.meta{color:#616e7c;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:16px}
.span2{grid-column:span 2}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 16px;
 overflow-x:auto}
.wide{grid-column:1/-1}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{color:#52606d;font-weight:600}
td.unit{color:#7b8794;text-align:left}
td.name{white-space:normal;text-align:left}
tr.small td{color:#9aa5b1}
.note{color:#52606d;font-size:12px;margin:2px 0 8px;white-space:normal}
td.na{color:#7b8794;text-align:left;white-space:normal;font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:#3e4c59}
"""


def _fmt(value: Any, unit: str = "") -> str:
    if isinstance(value, str):
        return escape(value)
    return escape(format_number(value, unit))


#: Table columns that hold fractions (shown as percentages) whatever the table's unit.
PERCENT_COLUMNS = frozenset(
    {"share", "mean_p_alive", "p_alive", "conversion_rate", "csat", "win_rate"}
)
#: Columns of a group's sample size; rows below SMALL_SAMPLE are greyed.
SIZE_COLUMNS = frozenset({"n", "responses", "closed_deals", "answered_tickets", "delivered"})
SMALL_SAMPLE = 30


def _units(columns: list[str], unit: str) -> list[str]:
    """The unit of each column: percentages and sample sizes by name, an interval in its
    figure's unit, the rest in the table's unit."""
    units: list[str] = []
    for column in columns:
        if column in PERCENT_COLUMNS:
            units.append("fraction")
        elif column in SIZE_COLUMNS:
            units.append("count")
        elif column == "p_value":
            units.append("")
        elif column in ("ci_low", "ci_high"):
            units.append(units[-1] if units else unit)
        else:
            units.append(unit)
    return units


def _table(value: TableValue, unit: str) -> str:
    """A table; ``ci_low``/``ci_high`` are shown as one interval column, and a row whose
    sample size is below SMALL_SAMPLE is greyed."""
    columns, units = value.columns, _units(value.columns, unit)
    ci = columns.index("ci_low") if "ci_low" in columns else -1
    size = next((i for i, c in enumerate(columns) if c in SIZE_COLUMNS), -1)
    heads = [c.replace("_", " ") for c in columns]
    if ci >= 0:
        heads[ci : ci + 2] = ["95 % interval"]
    rows = []
    for row in value.rows[:MAX_ROWS]:
        cells = [_fmt(c, u) for c, u in zip(row, units, strict=True)]
        if ci >= 0:
            low, high = cells[ci : ci + 2]
            cells[ci : ci + 2] = ["n/a" if low == "n/a" else f"{low} &ndash; {high}"]
        n = row[size] if size >= 0 else None
        small = isinstance(n, int) and n < SMALL_SAMPLE
        style = ' class="small"' if small else ""
        rows.append(f"<tr{style}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    more = len(value.rows) - MAX_ROWS
    note = f'<p class="meta">{more:,} more rows in report.json</p>' if more > 0 else ""
    if ci >= 0:
        note += (
            '<p class="meta">95 % intervals: '
            + ("NPS ± 1.96 standard errors" if "nps" in columns else "Wilson score")
            + ". A group's figure is only as sure as its interval"
            + (
                f"; rows in grey rest on fewer than {SMALL_SAMPLE}"
                + (
                    " (an NPS interval is 0 wide when every answer of a small group agrees)"
                    if "nps" in columns
                    else ""
                )
                if size >= 0
                else ""
            )
            + ".</p>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{note}"


def _compact(value: float) -> str:
    """Short axis and bar labels, three significant digits: 1.26M, 62.5k, 950, 0.25.

    Examples
    --------
    >>> _compact(62479), _compact(462_000), _compact(1_258_000), _compact(950), _compact(0.25)
    ('62.5k', '462k', '1.26M', '950', '0.25')
    """
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:,.0f}" if float(value).is_integer() else format_number(value)


def _label(value: float, unit: str) -> str:
    return format_number(value, unit) if unit in ("fraction", "probability") else _compact(value)


def _bars(
    name: str, labels: list[str], values: list[float | int], unit: str, *, gap: float = 0.2
) -> str:
    """A vertical bar chart; ``gap`` 0 draws a histogram (with about five axis labels).

    Text classes: ``value`` (a bar's figure), ``axis`` (a bar's label), ``peak`` and
    ``zero`` (the ends of the value axis); the ``svg`` names the figure in ``data-metric``.
    """
    width, height, left, bottom, top = 420, 220, 52, 24, 18
    inner_w, inner_h = width - left - 8, height - bottom - top
    peak = max((v for v in values if v), default=1.0) or 1.0
    step = inner_w / max(len(values), 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" data-metric="{escape(name)}">'
    ]
    parts.append(
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - 8}" y2="{top + inner_h}" '
        'stroke="#9aa5b1"/>'
    )
    every = 1 if gap else max(1, -(-len(labels) // 5))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = inner_h * (value or 0) / peak
        x = left + i * step + step * gap / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{top + inner_h - h:.1f}" width="{step * (1 - gap):.1f}" '
            f'height="{h:.1f}" fill="#3f6ad8"><title>{escape(label)}: '
            f"{_fmt(value, unit)}</title></rect>"
        )
        if gap and len(values) <= 12:
            parts.append(
                f'<text class="value" x="{x + step * (1 - gap) / 2:.1f}" '
                f'y="{top + inner_h - h - 3:.1f}" text-anchor="middle">'
                f"{escape(_label(value, unit))}</text>"
            )
        if i % every == 0:
            tx = x + step * (1 - gap) / 2
            parts.append(
                f'<text class="axis" x="{tx:.1f}" y="{top + inner_h + 15}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<text class="peak" x="{left - 6}" y="{top + 4}" text-anchor="end">'
        f"{escape(_label(peak, unit))}</text>"
        f'<text class="zero" x="{left - 6}" y="{top + inner_h}" text-anchor="end">0</text></svg>'
    )
    return "".join(parts)


def _histogram(name: str, fig: HistogramFigure) -> str:
    edges, counts = fig.value.edges, fig.value.counts
    labels = [_compact(e) for e in edges[:-1]]
    width = format_number(edges[1] - edges[0])
    return _bars(name, labels, list(counts), "", gap=0.0) + (
        f'<p class="meta">{sum(counts):,} values; bins of {width} {escape(fig.unit)} from '
        f"{format_number(edges[0])} to {format_number(edges[-1])}; the last bin includes "
        "higher values</p>"
    )


def _heatmap(name: str, value: TableValue) -> str:
    """Cohort retention heatmap: rows are cohorts, columns offsets, cells shaded by value.

    Text classes: ``offset`` (a column's periods after the first), ``cohort`` (a row's
    label and size), ``cell`` (a share in percent).
    """
    offsets = value.columns[2:]
    cell_w, cell_h, left, top = 44, 24, 176, 22
    width, height = left + cell_w * len(offsets) + 4, top + cell_h * len(value.rows) + 4
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{min(width, 1200)}" role="img" '
        f'data-metric="{escape(name)}">'
    ]
    for j, label in enumerate(offsets):
        x = left + j * cell_w + cell_w / 2
        parts.append(
            f'<text class="offset" x="{x}" y="{top - 8}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for i, row in enumerate(value.rows):
        y = top + i * cell_h
        parts.append(
            f'<text class="cohort" x="{left - 6}" y="{y + cell_h / 2 + 4}" text-anchor="end">'
            f"{escape(str(row[0]))} (n={_fmt(row[1])})</text>"
        )
        for j, cell in enumerate(row[2:]):
            if not isinstance(cell, (int, float)):
                continue
            shade = 245 - int(180 * min(max(float(cell), 0.0), 1.0) ** 0.5)
            ink = "#fff" if shade < 150 else "#1f2933"
            x = left + j * cell_w
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="rgb({shade},{shade + 8 if shade < 247 else 255},255)"/>'
                f'<text class="cell" x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" '
                f'text-anchor="middle" style="fill:{ink}">{100 * float(cell):.0f}%</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _note(fig: Any) -> str:
    return f'<p class="note">{escape(fig.note)}</p>' if fig.note else ""


def _trend_chart(name: str, fig: TableFigure) -> str:
    """A per-period series: the values as a line, 95 % intervals as whiskers, a filled
    orange dot where the change from the period before is significant.

    Text classes: ``axis`` (period labels), ``peak`` and ``floor`` (the ends of the value
    axis: the largest and smallest value or interval bound drawn).
    """
    col = {c: i for i, c in enumerate(fig.value.columns)}
    rows = fig.value.rows
    values = [r[col["value"]] for r in rows]
    drawn = [
        float(v)
        for r in rows
        for v in (r[col["value"]], r[col["ci_low"]], r[col["ci_high"]])
        if isinstance(v, (int, float))
    ]
    width, height, left, bottom, top, right = 420, 200, 52, 24, 14, 36
    inner_w, inner_h = width - left - right, height - bottom - top
    hi, lo = max(drawn), min(drawn)
    span = (hi - lo) or abs(hi) or 1.0

    def y(v: float) -> float:
        return top + inner_h * (hi - v) / span if hi != lo else top + inner_h / 2

    step = inner_w / max(len(rows) - 1, 1)
    xs = [left + i * step for i in range(len(rows))]
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'data-metric="{escape(name)}">',
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}" '
        'stroke="#9aa5b1"/>',
    ]
    for x, r in zip(xs, rows, strict=True):
        low, high = r[col["ci_low"]], r[col["ci_high"]]
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            parts.append(
                f'<line x1="{x:.1f}" y1="{y(high):.1f}" x2="{x:.1f}" y2="{y(low):.1f}" '
                'stroke="#9fb3e6" stroke-width="3"/>'
            )
    points = " ".join(
        f"{x:.1f},{y(float(v)):.1f}"
        for x, v in zip(xs, values, strict=True)
        if isinstance(v, (int, float))
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#3f6ad8" stroke-width="2"/>')
    for x, r in zip(xs, rows, strict=True):
        v = r[col["value"]]
        if not isinstance(v, (int, float)):
            continue
        flagged = r[col["significant"]] == "yes"
        fill = "#e8833a" if flagged else "#3f6ad8"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(float(v)):.1f}" r="{4 if flagged else 2.5}" '
            f'fill="{fill}"><title>{escape(str(r[0]))}: {_fmt(v, fig.unit)} '
            f"(n={_fmt(r[col['n']])})</title></circle>"
        )
    every = max(1, -(-len(rows) // 5))
    for i in range(0, len(rows), every):
        parts.append(
            f'<text class="axis" x="{xs[i]:.1f}" y="{top + inner_h + 16}" '
            f'text-anchor="middle">{escape(str(rows[i][0]))}</text>'
        )
    parts.append(
        f'<text class="peak" x="{left - 6}" y="{top + 4}" text-anchor="end">'
        f"{escape(_label(hi, fig.unit))}</text>"
        f'<text class="floor" x="{left - 6}" y="{top + inner_h}" text-anchor="end">'
        f"{escape(_label(lo, fig.unit))}</text></svg>"
    )
    last = dict(zip(fig.value.columns, rows[-1], strict=True))
    change = last["change"]
    said = (
        "no period just before to compare with"
        if change is None
        else f"change {_fmt(change, fig.unit)}"
        + (
            ""
            if last["significant"] is None
            else f", {'significant' if last['significant'] == 'yes' else 'not significant'}"
            f" (p = {_fmt(last['p_value'])})"
        )
    )
    interval = (
        ""
        if last["ci_low"] is None
        else f"; 95 % {_fmt(last['ci_low'], fig.unit)} &ndash; {_fmt(last['ci_high'], fig.unit)}"
    )
    caption = (
        f'<p class="meta">Last period {escape(str(last["period"]))}: '
        f"{_fmt(last['value'], fig.unit)} (n = {_fmt(last['n'])}{interval}); {said}. "
        "Orange: a significant change from the period before.</p>"
    )
    return "".join(parts) + caption


def _card(name: str, fig: Any) -> str:
    title = f"<h3>{escape(fig.title)}</h3>{_note(fig)}"
    if isinstance(fig, HistogramFigure):
        return f'<div class="card">{title}{_histogram(name, fig)}</div>'
    if isinstance(fig, MappingFigure):
        labels, values = list(fig.value), list(fig.value.values())
        if name in BAR_CHARTS:
            body = _bars(name, labels, [v or 0 for v in values], fig.unit)
        else:
            rows = [[k, v] for k, v in fig.value.items()]
            head = "" if fig.unit == "mixed" else shown_unit(fig.unit)
            body = _table(TableValue(columns=["", head], rows=rows), fig.unit)
        return f'<div class="card">{title}{body}</div>'
    if isinstance(fig, FileFigure):
        path = escape(fig.value.path)
        body = (
            f'<p class="meta">{fig.value.rows:,} rows in <a href="{path}">{path}</a> next to '
            f"this page; columns: {escape(', '.join(fig.value.columns))}</p>"
        )
        return f'<div class="card">{title}{body}</div>'
    assert isinstance(fig, TableFigure)
    if fig.area == "trends":
        # the series' shared note is shown once, under the section heading
        return f'<div class="card"><h3>{escape(fig.title)}</h3>{_trend_chart(name, fig)}</div>'
    if name == "cohort_retention":
        return f'<div class="card wide">{title}{_heatmap(name, fig.value)}</div>'
    unit = "" if fig.unit == "mixed" else fig.unit
    return f'<div class="card wide">{title}{_table(fig.value, unit)}</div>'


def _when(stamp: str | None) -> str | None:
    """An ISO-8601 timestamp to the minute for the page: ``1998-06-30 00:00``."""
    return None if stamp is None else (stamp + "T00:00")[:16].replace("T", " ")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    sections = []
    for area, heading in AREAS.items():
        figures = {n: f for n, f in report.metrics.items() if f.area == area}
        if not figures:
            continue
        scalars = [
            f'<tr><td class="name">{escape(f.title)}{_note(f)}</td><td>{_fmt(f.value, f.unit)}</td>'
            f'<td class="unit">{escape(shown_unit(f.unit))}</td></tr>'
            for f in figures.values()
            if isinstance(f, ScalarFigure)
        ]
        scalars += [
            f'<tr><td class="name">{escape(f.title)}</td><td>n/a</td>'
            f'<td class="na">not available: {escape(f.reason)}</td></tr>'
            for f in figures.values()
            if isinstance(f, NotAvailableFigure)
        ]
        table = f'<div class="card span2"><table>{"".join(scalars)}</table></div>'
        cards = [table] if scalars else []
        cards += [
            _card(n, f)
            for n, f in figures.items()
            if not isinstance(f, (ScalarFigure, NotAvailableFigure))
        ]
        intro = ""
        if area == "trends":
            intro = next((_note(f) for f in figures.values() if f.note), "")
        sections.append(
            f'<h2>{escape(heading)}</h2>{intro}<div class="grid">{"".join(cards)}</div>'
        )
    sources = ", ".join(
        f"{escape(k)}: {escape(s.path)} ({s.rows:,} rows)" for k, s in report.sources.items()
    )
    w = report.window
    window = f"period {escape(w.freq)}; " + (
        "window: all records"
        if w.start is None and w.end is None
        else f"window [{escape(_when(w.start) or '…')}, {escape(_when(w.end) or '…')})"
    )
    snapshots: dict[str, list[str]] = {}
    for schema, resolved in w.resolved.items():
        if resolved.as_of is not None:
            snapshots.setdefault(_when(resolved.as_of) or "", []).append(schema)
    given = "" if w.as_of is None else " (given)"
    as_of = "; ".join(
        f"<strong>{escape(when)}</strong>{given} ({escape(', '.join(schemas))})"
        for when, schemas in snapshots.items()
    )
    as_of_line = f'<p class="meta">As of {as_of}</p>' if as_of else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{escape(report.title)}</h1>"
        f"{as_of_line}"
        f'<p class="meta">crm_metrics {escape(report.crm_metrics_version)}; {window}</p>'
        f'<p class="meta">Sources: {sources}</p>{"".join(sections)}</main></body></html>\n'
    )

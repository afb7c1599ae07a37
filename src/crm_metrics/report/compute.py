"""The report's metrics: one registry from report metric name to computation.

Every entry of :data:`METRICS` names the inputs it needs (schema and fields) and computes
its figure by calling the library's public functions on the loaded columns. Library errors
are mapped back to the file, column and row of the offending value (:func:`locate`).

A figure that cannot be computed for the records at hand (a spend model with no repeat
buyer to learn from, a rate with nothing in its denominator) raises :class:`NotAvailable`
with the reason in plain words; the report records it as a ``not_available`` figure and
computes the rest.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import crm_metrics as cm
from crm_metrics._groupby import default_as_of, happened_by, in_window
from crm_metrics.report.config import ReportOptions
from crm_metrics.report.load import SCHEMAS, TIME, TIME_OR_NAT, ReportError, Source, locate
from crm_metrics.report.schema import (
    Figure,
    FileFigure,
    FileValue,
    HistogramFigure,
    HistogramValue,
    MappingFigure,
    NotAvailableFigure,
    Number,
    Report,
    Resolved,
    ScalarFigure,
    SourceInfo,
    TableFigure,
    TableValue,
    Window,
)
from crm_metrics.report.terminal import Progress

__all__ = [
    "AREAS",
    "METRICS",
    "Context",
    "Metric",
    "NotAvailable",
    "compute_report",
    "fields_needed",
    "selected",
]

#: The report's sections, in order, with their headings.
AREAS = {
    "customer": "Customers & loyalty",
    "clv": "Customer lifetime value (MBG/NBD or BG/NBD + Gamma-Gamma)",
    "surveys": "Satisfaction surveys",
    "campaigns": "Campaigns",
    "sales": "Sales pipeline",
    "tickets": "Service tickets",
    "calls": "Call centre",
    "trends": "Trends per period (change vs the previous period)",
}

Value = Number | dict[str, Number] | TableValue | HistogramValue
T = TypeVar("T")

#: Tables written to their own CSV file next to report.json (metric name -> file name).
FILES = {"customer_scores": "customers.csv"}

#: The timestamp that places a record of each schema in the window.
ANCHORS = {
    "transactions": "ts",
    "surveys": "responded_at",
    "deals": "created_at",
    "activities": "ts",
    "tickets": "opened_at",
    "calls": "queued_at",
}


class NotAvailable(Exception):
    """A figure that cannot be computed for these records; ``str(exc)`` is the reason."""


@dataclass(frozen=True)
class Metric:
    """One report metric: where it goes, what it needs, how it is computed."""

    name: str
    area: str
    title: str
    unit: str
    needs: Mapping[str, tuple[str, ...]]
    compute: Callable[[Context], Value]
    needs_stage_order: bool = False
    undefined: str | None = None


#: Report metric name -> :class:`Metric`, in report order.
METRICS: dict[str, Metric] = {}


def metric(
    name: str,
    area: str,
    title: str,
    unit: str,
    *,
    stage_order: bool = False,
    undefined: str | None = None,
    **needs: str,
) -> Callable[[Callable[[Context], Value]], Callable[[Context], Value]]:
    """Register a metric; ``needs`` maps each schema to its space-separated fields.

    ``undefined`` is the reason given when the figure comes out undefined (``nan``) and
    the records are present (default: a zero denominator).
    """

    def register(fn: Callable[[Context], Value]) -> Callable[[Context], Value]:
        fields = {schema: tuple(names.split()) for schema, names in needs.items()}
        METRICS[name] = Metric(name, area, title, unit, fields, fn, stage_order, undefined)
        return fn

    return register


def _instant(value: Any) -> np.datetime64 | None:
    return None if value is None else np.datetime64(value, "ns")


class Context:
    """The loaded sources and options of one report, with the library call wrapper."""

    def __init__(
        self, sources: Mapping[str, Source], options: ReportOptions, progress: Progress
    ) -> None:
        self.sources = sources
        self.options = options
        self.progress = progress
        self.start = _instant(options.start)
        self.end = _instant(options.end)
        self.as_of = _instant(options.as_of)
        self._where: dict[int, tuple[str, str, NDArray[np.intp] | None]] = {}
        self._cache: dict[Any, Any] = {}
        #: How to read a figure, by metric name (set by its computation).
        self.notes: dict[str, str] = {}
        for source in sources.values():
            for name, array in source.columns.items():
                self._where[id(array)] = (source.path, source.names.get(name, name), None)

    def snapshot(self, schema: str) -> np.datetime64 | None:
        """The ``as_of`` of the figures of ``schema``: the option, else one ns after the
        latest event of its records (deadlines are not events); None without any event."""
        if self.as_of is not None:
            return self.as_of
        events = [
            array
            for name, array in self.sources[schema].columns.items()
            if SCHEMAS[schema][name] in (TIME, TIME_OR_NAT) and not name.endswith("due_at")
        ]
        return default_as_of(*events)

    def col(self, schema: str, name: str) -> NDArray[Any]:
        """The column ``name`` of ``schema``, all records."""
        return self.sources[schema].columns[name]

    def windowed(self, schema: str, anchor: str, name: str) -> NDArray[Any]:
        """The column ``name`` of the records whose ``anchor`` lies in ``[start, end)``."""

        def make() -> NDArray[Any]:
            keep = in_window(self.col(schema, anchor), self.start, self.end)
            part = self.col(schema, name)[keep]
            where = self._where.get(id(self.col(schema, name)))
            if where is not None:
                self._where[id(part)] = (where[0], where[1], np.flatnonzero(keep))
            return part

        return self.once(("windowed", schema, anchor, name), make)

    def once(self, key: Any, make: Callable[[], T]) -> T:
        """``make()``, computed once per report (a :class:`NotAvailable` is remembered too)."""
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except NotAvailable as exc:
                self._cache[key] = exc
        value = self._cache[key]
        if isinstance(value, NotAvailable):
            raise NotAvailable(str(value))
        result: T = value
        return result

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``; a library error names the file, column and row."""
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            raise self._locate(exc, fn, args, kwargs) from None

    def model(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`call`, but a refusal that names no record makes ``what`` not available.

        A model can refuse the records as a whole (a spend model without a finite mean,
        ...): that is a property of the data, not a bad value in a file.
        """
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            located = self._locate(exc, fn, args, kwargs)
            if str(located) != str(exc):
                raise located from None
            raise NotAvailable(f"{what}: {exc}") from None

    def _locate(
        self, exc: Exception, fn: Callable[..., Any], args: Any, kwargs: Any
    ) -> ReportError:
        try:
            arguments = inspect.signature(fn).bind(*args, **kwargs).arguments
        except TypeError:
            arguments = {}
        return locate(exc, arguments, self._where)


# --------------------------------------------------------------------------- values
def _num(value: Any) -> Number:
    """A JSON number: ints stay ints, nan becomes None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return int(value)
    number = float(value)
    return None if math.isnan(number) else number


def _label(key: Any) -> str:
    if isinstance(key, np.datetime64):
        return str(np.datetime_as_string(key, unit="D"))
    return str(key.item() if isinstance(key, np.generic) else key)


def _mapping(result: cm.Grouped, order: list[str] | None = None) -> dict[str, Number]:
    """A grouped result as ``{label: number}``, optionally in the given label order."""
    values = {_label(k): _num(v) for k, v in zip(result.keys, result.values, strict=True)}
    if order:
        ranked = [k for k in order if k in values] + [k for k in values if k not in order]
        values = {k: values[k] for k in ranked}
    return values


def _group_sizes(result: cm.Grouped, keys: NDArray[Any]) -> NDArray[np.int64]:
    """How many of ``keys`` fall in each group of ``result`` (in the result's key order)."""
    unique, counts = np.unique(keys, return_counts=True)
    if not len(unique):
        return np.zeros(len(result.keys), dtype=np.int64)
    at = np.clip(np.searchsorted(unique, result.keys), 0, len(unique) - 1)
    return np.where(unique[at] == result.keys, counts[at], 0).astype(np.int64)


def _rate_table(
    key: str, size: str, rate: str, result: cm.Grouped, n: NDArray[np.int64]
) -> TableValue:
    """Rates per group with their sample size and 95 % Wilson interval."""
    rates = np.asarray(result.values, dtype=np.float64)
    successes = np.rint(np.nan_to_num(rates) * n).astype(np.int64)  # rate = successes / n
    low, high = cm.proportion_ci(successes, n)
    keys = np.array([_label(k) for k in result.keys], dtype=str)
    return _table([key, size, rate, "ci_low", "ci_high"], keys, n, rates, low, high)


def _nps_counts(
    ctx: Context, scores: NDArray[Any], groups: NDArray[Any]
) -> tuple[Any, NDArray[np.int64], tuple[NDArray[np.int64], ...]]:
    """NPS per group, the responses, and the (promoters, passives, detractors) tallies."""
    result = ctx.call(cm.nps, scores, by=groups)
    n = _group_sizes(result, groups)
    shares = np.asarray(ctx.call(cm.nps_breakdown, scores, by=groups).values, np.float64)
    tallies = np.rint(shares * n[:, None]).astype(np.int64)  # shares are tallies / n
    return result, n, (tallies[:, 0], tallies[:, 1], tallies[:, 2])


def _nps_table(ctx: Context, key: str, groups: NDArray[Any]) -> TableValue:
    """NPS per group with the responses and the library's 95 % Wald interval."""
    result, n, tallies = _nps_counts(ctx, _sv(ctx, "nps_score"), groups)
    low, high = cm.nps_ci_from_counts(*tallies)
    values = np.asarray(result.values, dtype=np.float64)
    keys = np.array([_label(k) for k in result.keys], dtype=str)
    return _table([key, "responses", "nps", "ci_low", "ci_high"], keys, n, values, low, high)


def _nice_step(span: float, bins: int) -> float:
    raw = max(span / bins, 1e-12)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _histogram(
    values: NDArray[Any], *, low: float = 0.0, high: float | None = None
) -> HistogramValue:
    """About 20 round-width bins from ``low`` to ``high`` (default: the 99th percentile)."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        raise NotAvailable("no values to draw (no records of this kind in the window)")
    top = high if high is not None else (float(np.quantile(values, 0.99)) if len(values) else 1.0)
    step = _nice_step(max(top - low, 1e-9), 20)
    edges = low + step * np.arange(math.ceil((top - low) / step - 1e-9) + 1 if top > low else 2)
    edges = edges if len(edges) > 1 else np.array([low, low + step])
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), edges)
    return HistogramValue(edges=edges.tolist(), counts=counts.tolist())


def _table(columns: list[str], *arrays: NDArray[Any]) -> TableValue:
    cells = [
        [_cell(v) for v in a.tolist()] if a.dtype.kind not in "mMU" else [_label(v) for v in a]
        for a in arrays
    ]
    return TableValue(columns=columns, rows=[list(row) for row in zip(*cells, strict=True)])


def _cell(value: Any) -> Any:
    return value if isinstance(value, str) else _num(value)


def _undefined(ctx: Context, spec: Metric) -> str:
    """Why a figure came out undefined (nan): no records, none in the window, or its own rule."""
    for schema in spec.needs:
        source = ctx.sources[schema]
        if source.rows == 0:
            return f"the {schema} file {source.path} has no records"
        anchor = ANCHORS.get(schema)
        if anchor in source.columns and not _in_window(ctx, schema, anchor).any():
            return f"no {schema} record in the window"
    return spec.undefined or "not defined for these records: its denominator is zero"


def _figure(spec: Metric, ctx: Context, files: dict[str, TableValue]) -> Figure:
    options = ctx.options
    title = spec.title.replace("{clv_months}", str(options.clv_months))
    area, unit = spec.area, spec.unit
    try:
        value = spec.compute(ctx)
        if isinstance(value, TableValue) and not value.rows:
            raise NotAvailable(_undefined(ctx, spec).replace("its denominator is zero", "no rows"))
        if not isinstance(value, (TableValue, HistogramValue, dict)) and _num(value) is None:
            raise NotAvailable(_undefined(ctx, spec))
    except NotAvailable as exc:
        return NotAvailableFigure(area=area, title=title, unit=unit, reason=str(exc))
    note = ctx.notes.get(spec.name, TREND_NOTE if area == "trends" else None)
    if isinstance(value, TableValue) and spec.name in FILES:
        files[FILES[spec.name]] = value
        file = FileValue(path=FILES[spec.name], rows=len(value.rows), columns=value.columns)
        return FileFigure(area=area, title=title, unit=unit, note=note, value=file)
    if isinstance(value, TableValue):
        return TableFigure(area=area, title=title, unit=unit, note=note, value=value)
    if isinstance(value, HistogramValue):
        return HistogramFigure(area=area, title=title, unit=unit, note=note, value=value)
    if isinstance(value, dict):
        return MappingFigure(area=area, title=title, unit=unit, note=note, value=value)
    return ScalarFigure(area=area, title=title, unit=unit, note=note, value=_num(value))


# --------------------------------------------------------------------------- customer
def _tx(ctx: Context, name: str) -> NDArray[Any]:
    return ctx.col("transactions", name)


def _in_window(ctx: Context, schema: str, anchor: str) -> NDArray[np.bool_]:
    return ctx.once(
        ("mask", schema, anchor), lambda: in_window(ctx.col(schema, anchor), ctx.start, ctx.end)
    )


def _window(ctx: Context) -> dict[str, Any]:
    return {"start": ctx.start, "end": ctx.end}


def _records(ctx: Context, schema: str, anchor: str) -> int:
    """Records whose ``anchor`` lies in ``[start, end)`` (``ticket_volume`` counts exactly that)."""
    return int(ctx.call(cm.ticket_volume, ctx.col(schema, anchor), **_window(ctx)))


def _orders(ctx: Context) -> int:
    return _records(ctx, "transactions", "ts")


def _revenue(ctx: Context) -> float:
    # validates the log: ids, timestamps and finite amounts
    ctx.call(cm.clv_historical_mean, _tx(ctx, "customer_id"), _tx(ctx, "ts"), _tx(ctx, "amount"))
    return float(_tx(ctx, "amount")[_in_window(ctx, "transactions", "ts")].sum())


TX = "customer_id ts"
metric("orders", "customer", "Orders in the window", "count", transactions=TX)(_orders)
metric("revenue", "customer", "Revenue in the window", "currency", transactions=TX + " amount")(
    _revenue
)


@metric(
    "average_order_value",
    "customer",
    "Average order value",
    "currency",
    transactions=TX + " amount",
)
def _aov(ctx: Context) -> Value:
    return _num(ctx.call(cm.average_order_value, _revenue(ctx), _orders(ctx)))


@metric(
    "new_customers",
    "customer",
    "New customers (first order in the window)",
    "count",
    transactions=TX,
)
def _new(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.new_customers, _tx(ctx, "customer_id"), _tx(ctx, "ts"), start=ctx.start, end=ctx.end
        )
    )


@metric(
    "active_customers",
    "customer",
    "Active customers (ordered in the 365 days before as_of)",
    "count",
    transactions=TX,
)
def _active(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.active_customers,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            as_of=ctx.snapshot("transactions"),
        )
    )


@metric("repeat_purchase_rate", "customer", "Repeat purchase rate", "fraction", transactions=TX)
def _repeat(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.repeat_purchase_rate,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            start=ctx.start,
            end=ctx.end,
        )
    )


@metric("purchase_frequency", "customer", "Orders per customer", "orders", transactions=TX)
def _frequency(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.purchase_frequency,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            start=ctx.start,
            end=ctx.end,
        )
    )


@metric(
    "avg_time_between_purchases",
    "customer",
    "Average time between purchases",
    "days",
    undefined="no customer made a repeat purchase in the window",
    transactions=TX,
)
def _gap(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.avg_time_between_purchases,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            start=ctx.start,
            end=ctx.end,
        )
    )


@metric(
    "churn_rate_from_activity",
    "customer",
    "Activity churn (no order in the last 365 days)",
    "fraction",
    undefined="no customer ordered in the year before the last 365 days (the base is empty)",
    transactions=TX,
)
def _churn(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.churn_rate_from_activity,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            as_of=ctx.snapshot("transactions"),
        )
    )


@metric(
    "clv_historical_mean",
    "customer",
    "Historical CLV per customer (revenue to date)",
    "currency",
    transactions=TX + " amount",
)
def _hist_clv(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.clv_historical_mean,
            _tx(ctx, "customer_id"),
            _tx(ctx, "ts"),
            _tx(ctx, "amount"),
            as_of=ctx.snapshot("transactions"),
        )
    )


@metric(
    "cohort_retention",
    "customer",
    "Cohort retention (share of each cohort buying k periods later)",
    "fraction",
    transactions=TX,
)
def _cohorts(ctx: Context) -> Value:
    m = ctx.call(
        cm.cohort_retention_matrix, _tx(ctx, "customer_id"), _tx(ctx, "ts"), freq=ctx.options.freq
    )
    offsets = [f"+{k}" for k in m.offsets.tolist()]
    return _table(["cohort", "customers", *offsets], m.cohorts, m.sizes, *m.matrix.T)


# --------------------------------------------------------------------------- CLV
@dataclass(frozen=True)
class _RFM:
    summary: Any  # repeat purchases only (BG/NBD, Gamma-Gamma), in weeks
    full: Any  # every purchase (RFM segments)


def _rfm_data(ctx: Context) -> _RFM:
    """The RFM summaries of the transactions (weeks), computed once."""
    from crm_metrics import clv  # scipy: imported only when a CLV metric is computed

    def make() -> _RFM:
        cid, ts, amount = _tx(ctx, "customer_id"), _tx(ctx, "ts"), _tx(ctx, "amount")
        as_of = ctx.snapshot("transactions")
        end = None if as_of is None else as_of - np.timedelta64(1, "ns")
        weekly = {"freq": "D", "freq_multiplier": 7, "observation_end": end}
        with ctx.progress.step("RFM summary per customer (weeks)"):
            s = ctx.call(clv.rfm_summary, cid, ts, amount, **weekly)
            full = ctx.call(clv.rfm_summary, cid, ts, amount, include_first=True, **weekly)
        if not len(s):
            raise NotAvailable("no customer: the transactions file has no order to summarise")
        return _RFM(s, full)

    return ctx.once("rfm", make)


def _bgnbd_fit(ctx: Context) -> Any:
    """The BG/NBD fit, or :class:`NotAvailable` when these orders cannot identify it."""
    from crm_metrics import clv

    def make() -> Any:
        s = _rfm_data(ctx).summary
        if not (s.T > 0).any():
            raise NotAvailable(
                "every customer's first order falls on the last day observed (all orders on "
                "one day?), so BG/NBD has no time span to learn a purchase rate from"
            )
        if not (s.frequency > 0).any():
            raise NotAvailable(
                f"none of the {len(s):,} customers made a repeat purchase (an order on a later "
                "day), so BG/NBD cannot learn a repeat-purchase rate"
            )
        with ctx.progress.step("fitting BG/NBD"):
            fit = ctx.model("the BG/NBD fit", clv.fit_bgnbd, s.frequency, s.recency, s.T)
        if not fit.converged:
            raise NotAvailable(f"the BG/NBD fit did not converge: {fit.message}")
        return fit

    return ctx.once("bgnbd", make)


def _mbgnbd_fit(ctx: Context) -> Any:
    """The MBG/NBD fit, or :class:`NotAvailable` (the same data needs as BG/NBD)."""
    from crm_metrics import clv

    def make() -> Any:
        _bgnbd_fit(ctx)  # the same reasons for no fit, stated once
        s = _rfm_data(ctx).summary
        with ctx.progress.step("fitting MBG/NBD"):
            fit = ctx.model("the MBG/NBD fit", clv.fit_mbgnbd, s.frequency, s.recency, s.T)
        if not fit.converged:
            raise NotAvailable(f"the MBG/NBD fit did not converge: {fit.message}")
        return fit

    return ctx.once("mbgnbd", make)


def _purchase_model(ctx: Context) -> Any:
    """The model behind P(alive) and CLV: MBG/NBD, or BG/NBD where MBG/NBD did not fit.

    MBG/NBD lets a customer drop out right after the first purchase, so a one-time buyer
    is not certainly alive (BG/NBD gives each of them P(alive) = 1).
    """
    try:
        return _mbgnbd_fit(ctx)
    except NotAvailable:
        return _bgnbd_fit(ctx)


def _model_name(fit: Any) -> str:
    return "MBG/NBD" if type(fit).__name__ == "MBGNBDFit" else "BG/NBD"


def _gamma_gamma_fit(ctx: Context) -> Any:
    """The Gamma-Gamma fit on repeat customers with spend, or :class:`NotAvailable`."""
    from crm_metrics import clv

    def make() -> Any:
        s = _rfm_data(ctx).summary
        spenders = (s.frequency > 0) & (s.monetary_value > 0)
        if not spenders.any():
            raise NotAvailable(
                f"none of the {len(s):,} customers made a repeat purchase with a positive "
                "amount, and the Gamma-Gamma spend model learns from repeat purchases only"
            )
        with ctx.progress.step("fitting Gamma-Gamma"):
            fit = ctx.model(
                "the Gamma-Gamma fit",
                clv.fit_gamma_gamma,
                s.frequency[spenders],
                s.monetary_value[spenders],
            )
        if not fit.converged:
            raise NotAvailable(f"the Gamma-Gamma fit did not converge: {fit.message}")
        return fit

    return ctx.once("gamma_gamma", make)


def _p_alive_values(ctx: Context) -> NDArray[np.float64]:
    """P(alive) of every customer (the purchase model's), in the summary's customer order."""

    def make() -> NDArray[np.float64]:
        s, fit = _rfm_data(ctx).summary, _purchase_model(ctx)
        with ctx.progress.step(f"P(alive) per customer ({_model_name(fit)})"):
            return np.asarray(ctx.call(fit.p_alive, s.frequency, s.recency, s.T))

    return ctx.once("p_alive", make)


def _clv_values(ctx: Context) -> NDArray[np.float64]:
    """The predicted CLV of every customer (the purchase model + Gamma-Gamma)."""
    from crm_metrics import clv

    def make() -> NDArray[np.float64]:
        s, bg, gg = _rfm_data(ctx).summary, _purchase_model(ctx), _gamma_gamma_fit(ctx)
        months = ctx.options.clv_months
        with ctx.progress.step(f"{months}-month CLV per customer"):
            value = ctx.model(
                "the predicted CLV",
                clv.customer_lifetime_value,
                bg,
                gg,
                s.frequency,
                s.recency,
                s.T,
                s.monetary_value,
                time=months,
                discount_rate=ctx.options.discount_rate,
                freq="W",
            )
        return np.asarray(value)

    return ctx.once("clv", make)


def _segment_labels(ctx: Context) -> NDArray[Any]:
    """The RFM segment of every customer (quartile scores of every purchase)."""
    from crm_metrics import clv

    def make() -> NDArray[Any]:
        full = _rfm_data(ctx).full
        with ctx.progress.step("RFM segments"):
            recency = full.T - full.recency
            seg = ctx.call(clv.rfm_segments, recency, full.frequency, full.monetary_value)
        return np.asarray(seg.segment)

    return ctx.once("segments", make)


def _or_nan(ctx: Context, values: Callable[[Context], NDArray[np.float64]]) -> NDArray[Any]:
    """``values(ctx)``, or nan for every customer when it is not available."""
    try:
        return values(ctx)
    except NotAvailable:
        return np.full(len(_rfm_data(ctx).summary), np.nan)


def prepare_clv(ctx: Context) -> None:
    """Compute the CLV models up front (the long steps, each with its own progress line)."""
    pieces = (_rfm_data, _bgnbd_fit, _mbgnbd_fit, _gamma_gamma_fit, _p_alive_values, _clv_values)
    for piece in (*pieces, _segment_labels):
        with contextlib.suppress(NotAvailable):
            piece(ctx)


CLV = TX + " amount"


@metric("rfm_summary", "clv", "RFM summary (weeks; repeat purchases)", "mixed", transactions=CLV)
def _rfm(ctx: Context) -> Value:
    s = _rfm_data(ctx).summary
    repeat = s.frequency > 0
    ctx.notes["rfm_summary"] = (
        "frequency counts repeat purchase days (the first order is not counted); recency is "
        "the age in weeks at the last purchase, T the age at the end of the observation"
    )
    return {
        "customers": len(s),
        "repeat_customers": int(repeat.sum()),
        "one_time_customers": int((~repeat).sum()),
        "mean_frequency": _num(s.frequency.mean()),
        "mean_recency_weeks": _num(s.recency.mean()),
        "mean_T_weeks": _num(s.T.mean()),
        "mean_repeat_spend": _num(s.monetary_value[repeat].mean() if repeat.any() else np.nan),
    }


def _segment_rule() -> str:
    """The RFM segment rule in words, from the library's segment table."""
    from crm_metrics.clv.segments import RFM_SEGMENTS

    rules = "; ".join(f"{name}: {', '.join(sorted(codes))}" for name, codes in RFM_SEGMENTS.items())
    return (
        "Each customer scores 1 to 4 on recency (4 = bought most recently), frequency and "
        "spend: the quartile of all customers the value falls in (fewer levels where "
        "quartile edges coincide, as with many one-time buyers). The three digits R F M "
        f"pick the segment. {rules}; any other score: Other."
    )


@metric("rfm_segments", "clv", "RFM segments (quartile scores)", "customers", transactions=CLV)
def _segments(ctx: Context) -> Value:
    ctx.notes["rfm_segments"] = _segment_rule()
    segment = _segment_labels(ctx)
    names, group = np.unique(segment, return_inverse=True)
    size = np.bincount(group, minlength=len(names))
    share = size / size.sum()
    p_alive = np.bincount(group, _or_nan(ctx, _p_alive_values), len(names)) / size
    value = np.bincount(group, _or_nan(ctx, _clv_values), len(names)) / size
    cols = ["segment", "customers", "share", "mean_p_alive", "mean_clv"]
    return _table(cols, names, size, share, p_alive, value)


@metric("bgnbd", "clv", "BG/NBD fit (purchase rate per week)", "parameters", transactions=CLV)
def _bgnbd(ctx: Context) -> Value:
    fit = _bgnbd_fit(ctx)
    return {k: _num(getattr(fit, k)) for k in ("r", "alpha", "a", "b", "loglik", "n_customers")}


@metric(
    "mbgnbd",
    "clv",
    "MBG/NBD fit (purchase rate per week; behind P(alive) and CLV)",
    "parameters",
    transactions=CLV,
)
def _mbgnbd(ctx: Context) -> Value:
    fit = _mbgnbd_fit(ctx)
    return {k: _num(getattr(fit, k)) for k in ("r", "alpha", "a", "b", "loglik", "n_customers")}


@metric(
    "gamma_gamma",
    "clv",
    "Gamma-Gamma spend fit (repeat customers with spend)",
    "parameters",
    transactions=CLV,
)
def _gamma_gamma(ctx: Context) -> Value:
    fit = _gamma_gamma_fit(ctx)
    return {k: _num(getattr(fit, k)) for k in ("p", "q", "v", "loglik", "n_customers")}


def _p_alive_note(ctx: Context) -> str:
    """What P(alive) means for these customers, one-time buyers first."""
    s, p_alive, model = _rfm_data(ctx).summary, _p_alive_values(ctx), _purchase_model(ctx)
    once = s.frequency == 0
    share = f"{100 * once.mean():.1f} %"
    repeat = (
        f"; among the {int((~once).sum()):,} repeat customers it is "
        f"{100 * p_alive[~once].mean():.1f} %"
        if (~once).any()
        else ""
    )
    if _model_name(model) == "MBG/NBD":
        how = (
            "P(alive) comes from MBG/NBD, which lets a customer drop out right after the "
            "first order, so for them it is "
            + (f"{100 * p_alive[once].mean():.1f} % on average" if once.any() else "below 1")
            + " (BG/NBD would give each of them 1)"
        )
    else:
        how = (
            "P(alive) comes from BG/NBD (MBG/NBD could not be fitted), which can only see a "
            "customer drop out after a repeat purchase, so it gives each of them P(alive) = 1 "
            "and lifts the mean"
        )
    return (
        f"{int(once.sum()):,} of {len(s):,} customers ({share}) never bought again after "
        f"their first order. {how}{repeat}. P(alive) is the model's probability that a "
        "customer has not left for good, not a chance of buying soon, so it is not 1 minus "
        "the activity churn (customers silent for the last 365 days)."
    )


@metric("p_alive_mean", "clv", "Mean P(alive)", "probability", transactions=CLV)
def _p_alive_mean(ctx: Context) -> Value:
    ctx.notes["p_alive_mean"] = _p_alive_note(ctx)
    return _num(_p_alive_values(ctx).mean())


@metric(
    "p_alive_mean_repeat",
    "clv",
    "Mean P(alive), repeat customers",
    "probability",
    undefined="no customer made a repeat purchase",
    transactions=CLV,
)
def _p_alive_mean_repeat(ctx: Context) -> Value:
    repeat = _rfm_data(ctx).summary.frequency > 0
    return _num(_p_alive_values(ctx)[repeat].mean() if repeat.any() else math.nan)


@metric("p_alive", "clv", "P(alive) per customer", "probability", transactions=CLV)
def _p_alive(ctx: Context) -> Value:
    once = int((_rfm_data(ctx).summary.frequency == 0).sum())
    if _model_name(_purchase_model(ctx)) == "BG/NBD":
        ctx.notes["p_alive"] = (
            f"The bar at 1 holds the {once:,} customers without a repeat purchase (P(alive) = 1 "
            "by the construction of BG/NBD)."
        )
    else:
        ctx.notes["p_alive"] = (
            f"From MBG/NBD: the {once:,} customers without a repeat purchase may have left "
            "after their first order, so they are spread below 1 rather than piled at 1."
        )
    return _histogram(_p_alive_values(ctx), high=1.0)


@metric(
    "clv_mean",
    "clv",
    "Predicted CLV per customer (next {clv_months} months)",
    "currency",
    transactions=CLV,
)
def _clv_mean(ctx: Context) -> Value:
    return _num(_clv_values(ctx).mean())


@metric(
    "clv_total",
    "clv",
    "Predicted CLV, all customers (next {clv_months} months)",
    "currency",
    transactions=CLV,
)
def _clv_total(ctx: Context) -> Value:
    return _num(_clv_values(ctx).sum())


@metric(
    "clv",
    "clv",
    "Predicted CLV per customer, next {clv_months} months",
    "currency",
    transactions=CLV,
)
def _clv_hist(ctx: Context) -> Value:
    return _histogram(_clv_values(ctx))


_SCORE_COLUMNS = [
    "customer_id",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "p_alive",
    "clv",
    "segment",
]


def _scores(ctx: Context, rows: NDArray[np.intp]) -> TableValue:
    s = _rfm_data(ctx).summary
    values = (s.frequency, s.recency, s.T, s.monetary_value, _p_alive_values(ctx))
    ids = np.array([_label(k) for k in s.customer_id[rows]], dtype=str)
    columns = (np.asarray(a)[rows] for a in (*values, _clv_values(ctx)))
    return _table(_SCORE_COLUMNS, ids, *columns, _segment_labels(ctx)[rows])


@metric("top_customers", "clv", "Top customers by predicted CLV", "customers", transactions=CLV)
def _top(ctx: Context) -> Value:
    value = _clv_values(ctx)
    return _scores(ctx, np.argsort(-value, kind="stable")[: ctx.options.top_customers])


@metric(
    "customer_scores",
    "clv",
    "Every customer: RFM (weeks), P(alive), CLV, segment",
    "customers",
    transactions=CLV,
)
def _all_scores(ctx: Context) -> Value:
    return _scores(ctx, np.arange(len(_clv_values(ctx))))


# --------------------------------------------------------------------------- surveys
def _sv(ctx: Context, name: str) -> NDArray[Any]:
    return ctx.windowed("surveys", "responded_at", name)


def _period(ctx: Context, schema: str, anchor: str) -> NDArray[np.datetime64]:
    return cm.period_key(ctx.windowed(schema, anchor, anchor), ctx.options.freq)


@metric("responses", "surveys", "Survey responses in the window", "count", surveys="responded_at")
def _responses(ctx: Context) -> Value:
    return len(_sv(ctx, "responded_at"))


@metric("nps", "surveys", "Net Promoter Score", "points", surveys="responded_at nps_score")
def _nps(ctx: Context) -> Value:
    return _num(ctx.call(cm.nps, _sv(ctx, "nps_score")))


@metric(
    "nps_standard_error",
    "surveys",
    "NPS standard error",
    "points",
    undefined="fewer than two responses in the window",
    surveys="responded_at nps_score",
)
def _nps_se(ctx: Context) -> Value:
    return _num(ctx.call(cm.nps_standard_error, _sv(ctx, "nps_score")))


@metric(
    "nps_breakdown",
    "surveys",
    "Promoters, passives, detractors",
    "fraction",
    surveys="responded_at nps_score",
)
def _nps_breakdown(ctx: Context) -> Value:
    return {
        k: _num(v) for k, v in ctx.call(cm.nps_breakdown, _sv(ctx, "nps_score"))._asdict().items()
    }


@metric(
    "nps_distribution",
    "surveys",
    "NPS answers by score",
    "responses",
    surveys="responded_at nps_score",
)
def _nps_distribution(ctx: Context) -> Value:
    scores = _sv(ctx, "nps_score")
    ctx.call(cm.nps, scores)  # validates: integers 0..10
    counts = np.bincount(scores.astype(np.int64), minlength=11)
    return {str(score): int(n) for score, n in enumerate(counts.tolist())}


@metric(
    "nps_by_channel",
    "surveys",
    "NPS by channel",
    "points",
    surveys="responded_at nps_score channel",
)
def _nps_channel(ctx: Context) -> Value:
    return _nps_table(ctx, "channel", _sv(ctx, "channel"))


@metric("nps_by_agent", "surveys", "NPS by agent", "points", surveys="responded_at nps_score agent")
def _nps_agent(ctx: Context) -> Value:
    return _nps_table(ctx, "agent", _sv(ctx, "agent"))


@metric("nps_by_period", "surveys", "NPS per period", "points", surveys="responded_at nps_score")
def _nps_period(ctx: Context) -> Value:
    return _nps_table(ctx, "period", _period(ctx, "surveys", "responded_at"))


@metric(
    "csat", "surveys", "CSAT (top-2-box share, 1..5)", "fraction", surveys="responded_at csat_score"
)
def _csat(ctx: Context) -> Value:
    return _num(ctx.call(cm.csat, _sv(ctx, "csat_score")))


@metric(
    "csat_by_channel",
    "surveys",
    "CSAT by channel",
    "fraction",
    surveys="responded_at csat_score channel",
)
def _csat_channel(ctx: Context) -> Value:
    channel = _sv(ctx, "channel")
    result = ctx.call(cm.csat, _sv(ctx, "csat_score"), by=channel)
    return _rate_table("channel", "responses", "csat", result, _group_sizes(result, channel))


@metric(
    "ces",
    "surveys",
    "Customer Effort Score (mean, 1..7)",
    "score",
    surveys="responded_at ces_score",
)
def _ces(ctx: Context) -> Value:
    return _num(ctx.call(cm.ces, _sv(ctx, "ces_score")))


# --------------------------------------------------------------------------- campaigns
FUNNEL = "campaign_id contact_id sent delivered opened clicked responded converted" + (
    " revenue is_new_customer"
)


@dataclass(frozen=True)
class _Campaigns:
    summary: cm.CampaignSummary
    opened: NDArray[np.int64]
    clicked: NDArray[np.int64]
    cost: NDArray[np.float64]


def _campaigns(ctx: Context) -> _Campaigns:
    def make() -> _Campaigns:
        c = ctx.sources["campaigns"].columns
        names = (
            "campaign_id",
            "sent",
            "delivered",
            "responded",
            "converted",
            "revenue",
            "is_new_customer",
            "contact_id",
        )
        summary = ctx.call(cm.campaign_summary, *(c[n] for n in names))
        _, group = np.unique(c["campaign_id"], return_inverse=True)
        opened = c["opened"] | c["clicked"]  # a click counts as an open (images may be blocked)
        per = [
            np.bincount(group, flag.astype(np.int64), len(summary)).astype(np.int64)
            for flag in (opened, c["clicked"])
        ]
        costs = ctx.options.campaign_costs
        cost = np.array([costs.get(_label(k), np.nan) for k in summary.keys], dtype=np.float64)
        return _Campaigns(summary, per[0], per[1], cost)

    return ctx.once("campaigns", make)


def _total(values: NDArray[Any]) -> float:
    return float(values.sum()) if len(values) else math.nan


@metric("campaign_summary", "campaigns", "Campaigns", "mixed", campaigns=FUNNEL)
def _campaign_table(ctx: Context) -> Value:
    c = _campaigns(ctx)
    s = c.summary
    roas = np.asarray(ctx.call(cm.roas, s.revenue, c.cost), dtype=np.float64)
    cols = [
        "campaign",
        "sent",
        "delivered",
        "opened",
        "clicked",
        "responded",
        "converted",
        "revenue",
        "new_customers",
        "cost",
        "roas",
        "conversion_rate",
        "ci_low",
        "ci_high",
    ]
    keys = np.array([_label(k) for k in s.keys], dtype=str)
    rate = np.asarray(ctx.call(cm.campaign_conversion_rate, s.converted, s.delivered), np.float64)
    low, high = cm.proportion_ci(s.converted, s.delivered)
    return _table(
        cols,
        keys,
        s.sent,
        s.delivered,
        c.opened,
        c.clicked,
        s.responded,
        s.converted,
        s.revenue,
        s.new_customers,
        c.cost,
        roas,
        rate,
        np.asarray(low, dtype=np.float64),
        np.asarray(high, dtype=np.float64),
    )


@metric(
    "campaign_funnel",
    "campaigns",
    "Campaign funnel (all campaigns)",
    "recipients",
    campaigns=FUNNEL,
)
def _funnel(ctx: Context) -> Value:
    c = _campaigns(ctx)
    s = c.summary
    steps = {
        "sent": s.sent,
        "delivered": s.delivered,
        "opened": c.opened,
        "clicked": c.clicked,
        "responded": s.responded,
        "converted": s.converted,
    }
    return {k: int(v.sum()) for k, v in steps.items()}


def _rate(fn: Callable[..., Any], numerator: str, denominator: str) -> Callable[[Context], Value]:
    def compute(ctx: Context) -> Value:
        funnel = _funnel(ctx)
        assert isinstance(funnel, dict)
        return _num(ctx.call(fn, funnel[numerator], funnel[denominator]))

    return compute


metric(
    "email_open_rate", "campaigns", "Open rate (opens / delivered)", "fraction", campaigns=FUNNEL
)(_rate(cm.email_open_rate, "opened", "delivered"))
metric("click_to_open_rate", "campaigns", "Click-to-open rate", "fraction", campaigns=FUNNEL)(
    _rate(cm.click_to_open_rate, "clicked", "opened")
)
metric(
    "response_rate",
    "campaigns",
    "Response rate (responses / delivered)",
    "fraction",
    campaigns=FUNNEL,
)(_rate(cm.response_rate, "responded", "delivered"))
metric(
    "campaign_conversion_rate",
    "campaigns",
    "Conversion rate (conversions / delivered)",
    "fraction",
    campaigns=FUNNEL,
)(_rate(cm.campaign_conversion_rate, "converted", "delivered"))


@metric("campaign_revenue", "campaigns", "Revenue from conversions", "currency", campaigns=FUNNEL)
def _campaign_revenue(ctx: Context) -> Value:
    return float(_campaigns(ctx).summary.revenue.sum())


@metric(
    "roas", "campaigns", "Return on ad spend (campaigns with a cost)", "ratio", campaigns=FUNNEL
)
def _roas(ctx: Context) -> Value:
    c = _campaigns(ctx)
    costed = ~np.isnan(c.cost)
    return _num(ctx.call(cm.roas, _total(c.summary.revenue[costed]), _total(c.cost[costed])))


@metric(
    "marketing_roi",
    "campaigns",
    "Marketing ROI on revenue (campaigns with a cost)",
    "fraction",
    campaigns=FUNNEL,
)
def _roi(ctx: Context) -> Value:
    c = _campaigns(ctx)
    costed = ~np.isnan(c.cost)
    return _num(
        ctx.call(cm.marketing_roi, _total(c.summary.revenue[costed]), _total(c.cost[costed]))
    )


@metric(
    "cost_per_acquisition",
    "campaigns",
    "Cost per new customer (campaigns with a cost)",
    "currency",
    campaigns=FUNNEL,
)
def _cpa(ctx: Context) -> Value:
    c = _campaigns(ctx)
    costed = ~np.isnan(c.cost)
    new = _total(c.summary.new_customers[costed].astype(np.float64))
    return _num(ctx.call(cm.cost_per_acquisition, _total(c.cost[costed]), new))


# --------------------------------------------------------------------------- sales
def _deal(ctx: Context, name: str) -> NDArray[Any]:
    return ctx.col("deals", name)


def _deal_args(ctx: Context) -> tuple[NDArray[Any], ...]:
    return _deal(ctx, "created_at"), _deal(ctx, "closed_at"), _deal(ctx, "won")


DEALS = "created_at closed_at won"


@metric("deals_created", "sales", "Deals created in the window", "count", deals="created_at")
def _deals(ctx: Context) -> Value:
    return _records(ctx, "deals", "created_at")


@metric("win_rate", "sales", "Win rate (won / closed)", "fraction", deals=DEALS)
def _win(ctx: Context) -> Value:
    return _num(
        ctx.call(cm.win_rate, *_deal_args(ctx), as_of=ctx.snapshot("deals"), **_window(ctx))
    )


@metric("win_rate_by_owner", "sales", "Win rate by owner", "fraction", deals=DEALS + " owner")
def _win_owner(ctx: Context) -> Value:
    owner, as_of = _deal(ctx, "owner"), ctx.snapshot("deals")
    result = ctx.call(cm.win_rate, *_deal_args(ctx), as_of=as_of, by=owner, **_window(ctx))
    closed = _deal(ctx, "closed_at")
    if as_of is not None:
        closed = happened_by(closed, as_of)
    decided = in_window(closed, ctx.start, ctx.end)  # NaT (open) is never inside
    return _rate_table(
        "owner", "closed_deals", "win_rate", result, _group_sizes(result, owner[decided])
    )


@metric("close_rate", "sales", "Close rate (won / created)", "fraction", deals=DEALS)
def _close(ctx: Context) -> Value:
    return _num(
        ctx.call(cm.close_rate, *_deal_args(ctx), as_of=ctx.snapshot("deals"), **_window(ctx))
    )


@metric(
    "average_deal_size", "sales", "Average won deal size", "currency", deals="closed_at won amount"
)
def _deal_size(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.average_deal_size,
            _deal(ctx, "closed_at"),
            _deal(ctx, "won"),
            _deal(ctx, "amount"),
            **_window(ctx),
        )
    )


@metric("sales_cycle_length", "sales", "Sales cycle of won deals (mean)", "days", deals=DEALS)
def _cycle(ctx: Context) -> Value:
    return _num(ctx.call(cm.sales_cycle_length, *_deal_args(ctx), **_window(ctx)))


@metric("open_opportunities", "sales", "Open deals at as_of", "count", deals="created_at closed_at")
def _open(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.open_opportunities,
            _deal(ctx, "created_at"),
            _deal(ctx, "closed_at"),
            as_of=ctx.snapshot("deals"),
        )
    )


@metric(
    "pipeline_value",
    "sales",
    "Open pipeline at as_of",
    "currency",
    deals="created_at closed_at amount",
)
def _pipeline(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.pipeline_value,
            _deal(ctx, "created_at"),
            _deal(ctx, "closed_at"),
            _deal(ctx, "amount"),
            as_of=ctx.snapshot("deals"),
        )
    )


@metric(
    "pipeline_by_stage",
    "sales",
    "Open pipeline by stage at as_of",
    "currency",
    deals="created_at closed_at amount stage",
)
def _pipeline_stage(ctx: Context) -> Value:
    result = ctx.call(
        cm.pipeline_value,
        _deal(ctx, "created_at"),
        _deal(ctx, "closed_at"),
        _deal(ctx, "amount"),
        as_of=ctx.snapshot("deals"),
        by=_deal(ctx, "stage"),
    )
    return _mapping(result, [str(s) for s in ctx.options.stage_order or ()])


@metric(
    "stage_conversion_rates",
    "sales",
    "Stage-to-next-stage conversion",
    "fraction",
    stage_order=True,
    stages="deal_id stage",
)
def _stage_conversion(ctx: Context) -> Value:
    order = list(ctx.options.stage_order or ())
    result = ctx.call(
        cm.stage_conversion_rates,
        ctx.col("stages", "deal_id"),
        ctx.col("stages", "stage"),
        stage_order=order,
    )
    return _mapping(result, order)


@metric(
    "activities_by_type",
    "sales",
    "Sales activities by type",
    "count",
    activities="ts activity_type",
)
def _activities(ctx: Context) -> Value:
    kind = ctx.col("activities", "activity_type")
    return _mapping(
        ctx.call(cm.activity_count, ctx.col("activities", "ts"), kind, by=kind, **_window(ctx))
    )


@metric(
    "call_to_opportunity_rate",
    "sales",
    "Calls that created an opportunity",
    "fraction",
    activities="ts activity_type created_opportunity",
)
def _call_to_opp(ctx: Context) -> Value:
    a = ctx.sources["activities"].columns
    return _num(
        ctx.call(
            cm.call_to_opportunity_rate,
            a["ts"],
            a["activity_type"],
            a["created_opportunity"],
            **_window(ctx),
        )
    )


# --------------------------------------------------------------------------- tickets
def _tk(ctx: Context, name: str) -> NDArray[Any]:
    return ctx.col("tickets", name)


FRT = "opened_at first_response_at"


@metric("tickets_opened", "tickets", "Tickets opened in the window", "count", tickets="opened_at")
def _tickets(ctx: Context) -> Value:
    return _records(ctx, "tickets", "opened_at")


@metric(
    "ticket_backlog", "tickets", "Open tickets at as_of", "count", tickets="opened_at resolved_at"
)
def _backlog(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.ticket_backlog,
            _tk(ctx, "opened_at"),
            _tk(ctx, "resolved_at"),
            as_of=ctx.snapshot("tickets"),
        )
    )


@metric("first_response_time", "tickets", "First response time (mean)", "hours", tickets=FRT)
def _frt(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.first_response_time,
            _tk(ctx, "opened_at"),
            _tk(ctx, "first_response_at"),
            **_window(ctx),
        )
    )


@metric(
    "first_response_time_median", "tickets", "First response time (median)", "hours", tickets=FRT
)
def _frt_median(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.first_response_time,
            _tk(ctx, "opened_at"),
            _tk(ctx, "first_response_at"),
            stat="median",
            **_window(ctx),
        )
    )


@metric(
    "first_response_time_by_channel",
    "tickets",
    "First response time by channel (mean)",
    "hours",
    tickets=FRT + " channel",
)
def _frt_channel(ctx: Context) -> Value:
    result = ctx.call(
        cm.first_response_time,
        _tk(ctx, "opened_at"),
        _tk(ctx, "first_response_at"),
        by=_tk(ctx, "channel"),
        **_window(ctx),
    )
    answered = _in_window(ctx, "tickets", "opened_at") & ~np.isnat(_tk(ctx, "first_response_at"))
    n = _group_sizes(result, _tk(ctx, "channel")[answered])
    keys = np.array([_label(k) for k in result.keys], dtype=str)
    mean = np.asarray(result.values, dtype=np.float64)
    return _table(["channel", "answered_tickets", "mean_first_response"], keys, n, mean)


@metric(
    "first_response_time_distribution",
    "tickets",
    "First response time of answered tickets",
    "hours",
    tickets=FRT,
)
def _frt_hist(ctx: Context) -> Value:
    _frt(ctx)  # validates (responses not before openings)
    opened, responded = _tk(ctx, "opened_at"), _tk(ctx, "first_response_at")
    keep = _in_window(ctx, "tickets", "opened_at") & ~np.isnat(responded)
    hours = (responded[keep] - opened[keep]).astype("timedelta64[ns]").astype(np.int64) / 3.6e12
    return _histogram(hours)


@metric(
    "resolution_time", "tickets", "Resolution time (mean)", "hours", tickets="opened_at resolved_at"
)
def _resolution(ctx: Context) -> Value:
    return _num(
        ctx.call(cm.resolution_time, _tk(ctx, "opened_at"), _tk(ctx, "resolved_at"), **_window(ctx))
    )


@metric(
    "sla_compliance_rate",
    "tickets",
    "Resolution SLA met",
    "fraction",
    tickets="opened_at resolved_at due_at",
)
def _sla(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.sla_compliance_rate,
            _tk(ctx, "opened_at"),
            resolved_at=_tk(ctx, "resolved_at"),
            due_at=_tk(ctx, "due_at"),
            as_of=ctx.snapshot("tickets"),
            **_window(ctx),
        )
    )


@metric(
    "response_sla_compliance_rate",
    "tickets",
    "First-response SLA met",
    "fraction",
    tickets=FRT + " response_due_at",
)
def _response_sla(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.sla_compliance_rate,
            _tk(ctx, "opened_at"),
            first_response_at=_tk(ctx, "first_response_at"),
            response_due_at=_tk(ctx, "response_due_at"),
            target="response",
            as_of=ctx.snapshot("tickets"),
            **_window(ctx),
        )
    )


@metric(
    "first_contact_resolution_rate",
    "tickets",
    "First contact resolution",
    "fraction",
    tickets="opened_at resolved_at contacts",
)
def _fcr(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.first_contact_resolution_rate,
            _tk(ctx, "opened_at"),
            _tk(ctx, "resolved_at"),
            _tk(ctx, "contacts"),
            **_window(ctx),
        )
    )


@metric(
    "reopen_rate",
    "tickets",
    "Reopened (share of resolved tickets)",
    "fraction",
    tickets="opened_at resolved_at reopened",
)
def _reopen(ctx: Context) -> Value:
    resolved = _in_window(ctx, "tickets", "opened_at") & ~np.isnat(_tk(ctx, "resolved_at"))
    return _num(
        ctx.call(cm.reopen_rate, int((resolved & _tk(ctx, "reopened")).sum()), int(resolved.sum()))
    )


@metric(
    "escalation_rate",
    "tickets",
    "Escalated (share of tickets)",
    "fraction",
    tickets="opened_at escalated",
)
def _escalation(ctx: Context) -> Value:
    keep = _in_window(ctx, "tickets", "opened_at")
    return _num(
        ctx.call(cm.escalation_rate, int((keep & _tk(ctx, "escalated")).sum()), int(keep.sum()))
    )


# --------------------------------------------------------------------------- calls
def _calls(ctx: Context, *names: str) -> tuple[NDArray[Any], ...]:
    return tuple(ctx.col("calls", n) for n in names)


QUEUE = "queued_at answered_at wait"


@metric("calls_offered", "calls", "Calls offered in the window", "count", calls="queued_at")
def _offered(ctx: Context) -> Value:
    return _records(ctx, "calls", "queued_at")


@metric("calls_per_day", "calls", "Calls per day", "calls", calls="queued_at")
def _per_day(ctx: Context) -> Value:
    (queued,) = _calls(ctx, "queued_at")
    seen = queued[~np.isnat(queued)]
    day = np.timedelta64(1, "D")
    start = (
        ctx.start if ctx.start is not None or not len(seen) else seen.min().astype("datetime64[D]")
    )
    end = (
        ctx.end
        if ctx.end is not None or not len(seen)
        else seen.max().astype("datetime64[D]") + day
    )
    if start is None or end is None:
        return math.nan
    return _num(ctx.call(cm.calls_per_day, queued, start=start, end=end))


@metric(
    "service_level",
    "calls",
    "Service level (answered within 20 s / offered)",
    "fraction",
    calls=QUEUE,
)
def _service_level(ctx: Context) -> Value:
    return _num(
        ctx.call(cm.service_level, *_calls(ctx, "queued_at", "answered_at", "wait"), **_window(ctx))
    )


@metric("abandonment_rate", "calls", "Abandonment rate", "fraction", calls=QUEUE)
def _abandon(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.abandonment_rate, *_calls(ctx, "queued_at", "answered_at", "wait"), **_window(ctx)
        )
    )


@metric("average_speed_of_answer", "calls", "Average speed of answer", "seconds", calls=QUEUE)
def _asa(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.average_speed_of_answer,
            *_calls(ctx, "queued_at", "answered_at", "wait"),
            **_window(ctx),
        )
    )


@metric(
    "average_handle_time",
    "calls",
    "Average handle time (talk + hold + after-call work)",
    "seconds",
    calls="queued_at answered_at talk hold acw",
)
def _aht(ctx: Context) -> Value:
    return _num(
        ctx.call(
            cm.average_handle_time,
            *_calls(ctx, "queued_at", "answered_at", "talk", "hold", "acw"),
            **_window(ctx),
        )
    )


# --------------------------------------------------------------------------- trends
TREND_COLUMNS = ["period", "n", "value", "ci_low", "ci_high", "change", "p_value", "significant"]
TREND_NOTE = (
    "n: the records behind each period's figure. Interval: 95 %, Wilson score for rates, "
    "NPS ± 1.96 standard errors. Change: the difference from the period just before (none "
    "after a period without records); significant: p < 0.05 in the two-proportion z-test "
    "(rates) or the z-test on the two standard errors (NPS). The first and last periods "
    "may be partial."
)


def _next_period(keys: NDArray[np.datetime64], freq: str) -> NDArray[np.datetime64]:
    """The start of the period after each period key."""
    months = {"M": 1, "Q": 3, "Y": 12}.get(freq)
    if months is None:
        return keys + np.timedelta64(7 if freq == "W" else 1, "D")
    return (keys.astype("datetime64[M]") + months).astype("datetime64[ns]")


def _trend(
    ctx: Context,
    keys: NDArray[np.datetime64],
    n: NDArray[Any],
    value: NDArray[Any],
    *,
    rate: bool = False,
    nps_tallies: tuple[NDArray[np.int64], ...] | None = None,
) -> TableValue:
    """A per-period series: sample size, value, 95 % interval, change vs the previous period.

    ``rate``: value is successes / n (Wilson interval; the change is tested with the
    two-proportion z-test). ``nps_tallies``: value is the NPS of these (promoters,
    passives, detractors) tallies (the library's Wald interval; the change is tested with
    its two-sample NPS test). Otherwise no interval and no test. A change is given only
    when the previous row is the period just before (a period without records leaves a
    gap).
    """
    n = np.asarray(n, dtype=np.int64)
    counts = np.asarray(value).dtype.kind in "iu"
    value = np.asarray(value, dtype=np.float64)
    nan = np.full(len(value), np.nan)
    low, high, p_value = nan, nan, nan.copy()
    follows = np.zeros(len(value), dtype=bool)
    follows[1:] = _next_period(keys[:-1], ctx.options.freq) == keys[1:]
    change = np.where(follows, value - np.concatenate([[np.nan], value[:-1]]), np.nan)
    if rate:
        k = np.rint(np.nan_to_num(value) * n).astype(np.int64)
        low, high = (np.asarray(b, dtype=np.float64) for b in cm.proportion_ci(k, n))
        if follows.any():
            i = np.flatnonzero(follows)
            test = cm.two_proportion_test(k[i], n[i], k[i - 1], n[i - 1])
            p_value[i] = test.p_value
    elif nps_tallies is not None:
        low, high = (np.asarray(b, dtype=np.float64) for b in cm.nps_ci_from_counts(*nps_tallies))
        if follows.any():
            i = np.flatnonzero(follows)
            now = (t[i] for t in nps_tallies)
            before = (t[i - 1] for t in nps_tallies)
            p_value[i] = cm.nps_test_from_counts(*now, *before).p_value
    flag = np.where(np.isnan(p_value), "", np.where(p_value < 0.05, "yes", "no"))
    shown = value.astype(np.int64) if counts else value
    table = _table(TREND_COLUMNS, keys, n, shown, low, high, change, p_value, flag)
    rows = [[None if cell == "" else cell for cell in row] for row in table.rows]
    if counts:  # a change of counts is a whole number
        for row in rows:
            row[5] = None if row[5] is None else int(row[5])
    return TableValue(columns=table.columns, rows=rows)


def _keys_counts(anchor: NDArray[np.datetime64], freq: str) -> tuple[NDArray[Any], NDArray[Any]]:
    unique, counts = np.unique(cm.period_key(anchor, freq), return_counts=True)
    return unique, counts


def _tx_periods(ctx: Context) -> NDArray[np.datetime64]:
    return _period(ctx, "transactions", "ts")


@metric("trend_orders", "trends", "Orders per period", "count", transactions=TX)
def _trend_orders(ctx: Context) -> Value:
    _orders(ctx)  # validates the log
    keys, n = _keys_counts(ctx.windowed("transactions", "ts", "ts"), ctx.options.freq)
    return _trend(ctx, keys, n, n)


@metric("trend_revenue", "trends", "Revenue per period", "currency", transactions=TX + " amount")
def _trend_revenue(ctx: Context) -> Value:
    _revenue(ctx)
    periods = _tx_periods(ctx)
    keys, group = np.unique(periods, return_inverse=True)
    amount = ctx.windowed("transactions", "ts", "amount").astype(np.float64)
    return _trend(ctx, keys, np.bincount(group), np.bincount(group, amount, len(keys)))


@metric("trend_new_customers", "trends", "New customers per period", "count", transactions=TX)
def _trend_new(ctx: Context) -> Value:
    _new(ctx)  # validates
    cid, ts = _tx(ctx, "customer_id"), _tx(ctx, "ts")
    customer = np.unique(cid, return_inverse=True)[1]
    order = np.lexsort((ts, customer))  # each customer's orders by time
    starts = np.r_[True, np.diff(customer[order]) != 0][: len(order)]
    first = ts[order][starts]
    inside = first[in_window(first, ctx.start, ctx.end)]
    keys, n = _keys_counts(inside, ctx.options.freq)
    return _trend(ctx, keys, n, n)


@metric(
    "trend_active_customers",
    "trends",
    "Active customers at each period's end (ordered in the 365 days before)",
    "count",
    transactions=TX,
)
def _trend_active(ctx: Context) -> Value:
    keys = np.unique(_tx_periods(ctx))
    if not len(keys):
        raise NotAvailable("no transactions record in the window")
    snapshot = ctx.snapshot("transactions")
    ends = _next_period(keys, ctx.options.freq)
    if snapshot is not None:
        ends = np.minimum(ends, snapshot)
    cid, ts = _tx(ctx, "customer_id"), _tx(ctx, "ts")
    # one library call per period end (a handful of periods, each call vectorised)
    counts = np.array([ctx.call(cm.active_customers, cid, ts, as_of=end) for end in ends])
    return _trend(ctx, keys, counts, counts)


@metric(
    "trend_repeat_purchase_rate",
    "trends",
    "Repeat purchase rate per period (customers ordering twice or more in it)",
    "fraction",
    transactions=TX,
)
def _trend_repeat(ctx: Context) -> Value:
    cid, ts = _tx(ctx, "customer_id"), _tx(ctx, "ts")
    periods = cm.period_key(ts, ctx.options.freq)
    result = ctx.call(cm.repeat_purchase_rate, cid, ts, start=ctx.start, end=ctx.end, by=periods)
    inside = _in_window(ctx, "transactions", "ts")
    pairs = np.unique(np.rec.fromarrays([periods[inside], cid[inside]]))
    n = _group_sizes(result, pairs["f0"])
    return _trend(ctx, result.keys, n, result.values, rate=True)


@metric("trend_nps", "trends", "NPS per period", "points", surveys="responded_at nps_score")
def _trend_nps(ctx: Context) -> Value:
    scores, periods = _sv(ctx, "nps_score"), _period(ctx, "surveys", "responded_at")
    result, n, tallies = _nps_counts(ctx, scores, periods)
    return _trend(ctx, result.keys, n, result.values, nps_tallies=tallies)


@metric("trend_csat", "trends", "CSAT per period", "fraction", surveys="responded_at csat_score")
def _trend_csat(ctx: Context) -> Value:
    periods = _period(ctx, "surveys", "responded_at")
    result = ctx.call(cm.csat, _sv(ctx, "csat_score"), by=periods)
    return _trend(ctx, result.keys, _group_sizes(result, periods), result.values, rate=True)


@metric("trend_win_rate", "trends", "Win rate per closing period", "fraction", deals=DEALS)
def _trend_win(ctx: Context) -> Value:
    _win(ctx)  # validates the deals
    as_of = ctx.snapshot("deals")
    closed = _deal(ctx, "closed_at")
    if as_of is not None:
        closed = happened_by(closed, as_of)
    decided = in_window(closed, ctx.start, ctx.end)
    created, won = _deal(ctx, "created_at")[decided], _deal(ctx, "won")[decided]
    periods = cm.period_key(closed[decided], ctx.options.freq)
    result = ctx.call(cm.win_rate, created, closed[decided], won, as_of=as_of, by=periods)
    return _trend(ctx, result.keys, _group_sizes(result, periods), result.values, rate=True)


@metric(
    "trend_first_response_time",
    "trends",
    "First response time per period (mean)",
    "hours",
    tickets=FRT,
)
def _trend_frt(ctx: Context) -> Value:
    opened, responded = _tk(ctx, "opened_at"), _tk(ctx, "first_response_at")
    periods = cm.period_key(opened, ctx.options.freq)
    result = ctx.call(cm.first_response_time, opened, responded, by=periods, **_window(ctx))
    answered = _in_window(ctx, "tickets", "opened_at") & ~np.isnat(responded)
    return _trend(ctx, result.keys, _group_sizes(result, periods[answered]), result.values)


@metric(
    "trend_sla_compliance",
    "trends",
    "Resolution SLA met per period",
    "fraction",
    tickets="opened_at resolved_at due_at",
)
def _trend_sla(ctx: Context) -> Value:
    opened, resolved, due = _tk(ctx, "opened_at"), _tk(ctx, "resolved_at"), _tk(ctx, "due_at")
    as_of = ctx.snapshot("tickets")
    periods = cm.period_key(opened, ctx.options.freq)
    result = ctx.call(
        cm.sla_compliance_rate,
        opened,
        resolved_at=resolved,
        due_at=due,
        as_of=as_of,
        by=periods,
        **_window(ctx),
    )
    happened = ~np.isnat(resolved) if as_of is None else ~np.isnat(happened_by(resolved, as_of))
    overdue = np.zeros(len(due), bool) if as_of is None else due < as_of  # NaT: False
    decided = _in_window(ctx, "tickets", "opened_at") & ~np.isnat(due) & (happened | overdue)
    n = _group_sizes(result, periods[decided])
    return _trend(ctx, result.keys, n, result.values, rate=True)


@metric(
    "trend_service_level",
    "trends",
    "Service level per period (answered within 20 s / offered)",
    "fraction",
    calls=QUEUE,
)
def _trend_service_level(ctx: Context) -> Value:
    queued, answered, wait = _calls(ctx, "queued_at", "answered_at", "wait")
    periods = cm.period_key(queued, ctx.options.freq)
    result = ctx.call(cm.service_level, queued, answered, wait, by=periods, **_window(ctx))
    n = _group_sizes(result, periods[_in_window(ctx, "calls", "queued_at")])
    return _trend(ctx, result.keys, n, result.values, rate=True)


# --------------------------------------------------------------------------- the report
def selected(options: ReportOptions, schemas: set[str] | frozenset[str]) -> list[str]:
    """The metric names of a report: those asked for, else all whose inputs are present."""
    if options.metrics:
        return [name for name in METRICS if name in set(options.metrics)]
    return [
        name
        for name, spec in METRICS.items()
        if set(spec.needs) <= schemas and (options.stage_order or not spec.needs_stage_order)
    ]


def fields_needed(names: list[str]) -> dict[str, tuple[str, ...]]:
    """The fields to load from each schema for the given metrics (schema field order)."""
    from crm_metrics.report.load import SCHEMAS

    wanted: dict[str, set[str]] = {}
    for name in names:
        for schema, fields in METRICS[name].needs.items():
            wanted.setdefault(schema, set()).update(fields)
    return {s: tuple(f for f in SCHEMAS[s] if f in fields) for s, fields in wanted.items()}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _stamp(value: np.datetime64 | None) -> str | None:
    return None if value is None else str(np.datetime_as_string(value, unit="auto"))


def _resolved(ctx: Context, schema: str) -> Resolved:
    """The window and snapshot the figures of ``schema`` were computed with."""
    anchor = ANCHORS.get(schema)
    source = ctx.sources[schema]
    start, end, inside = ctx.start, ctx.end, None
    if anchor in source.columns:
        stamps = source.columns[anchor]
        seen = stamps[~np.isnat(stamps)]
        if start is None and len(seen):
            start = seen.min()
        if end is None and len(seen):
            end = seen.max() + np.timedelta64(1, "ns")
        inside = int(_in_window(ctx, schema, anchor).sum())
    return Resolved(
        anchor=anchor if anchor in source.columns else None,
        start=_stamp(start),
        end=_stamp(end),
        as_of=_stamp(ctx.snapshot(schema)),
        records_in_window=inside,
    )


def _settings(options: ReportOptions) -> dict[str, str | int | float]:
    """The fixed conventions and model settings behind the figures (units included)."""
    return {
        "period": options.freq,
        "active_window": "365 days before as_of",
        "rfm_time_unit": "weeks",
        "clv_horizon_months": options.clv_months,
        "clv_discount_rate_per_month": options.discount_rate,
        "service_level_threshold": "20 seconds",
        "ticket_durations": "hours",
        "call_durations": "seconds",
        "intervals": "95 %: Wilson score for rates, NPS +- 1.96 standard errors",
    }


def compute_report(
    sources: Mapping[str, Source],
    options: ReportOptions,
    *,
    version: str,
    progress: Progress | None = None,
) -> Report:
    """Compute the selected metrics on the loaded sources, area by area.

    A figure that cannot be computed for these records is a ``not_available`` figure
    with its reason; the others are computed as usual.

    Raises
    ------
    ReportError
        If a library function refuses a value (the message names file, column and row).
    """
    progress = progress or Progress(quiet=True)
    ctx = Context(sources, options, progress)
    names = selected(options, frozenset(sources))
    if any(METRICS[n].area == "clv" for n in names):
        prepare_clv(ctx)  # the long steps, each with its own progress line
    figures: dict[str, Figure] = {}
    files: dict[str, TableValue] = {}
    for area, heading in AREAS.items():
        todo = [n for n in names if METRICS[n].area == area]
        if todo:
            with progress.step(heading):
                figures.update({n: _figure(METRICS[n], ctx, files) for n in todo})
    window = Window(
        start=_iso(options.start),
        end=_iso(options.end),
        as_of=_iso(options.as_of),
        freq=options.freq,
        resolved={schema: _resolved(ctx, schema) for schema in sources},
    )
    report = Report(
        title=options.title,
        crm_metrics_version=version,
        window=window,
        settings=_settings(options),
        sources={k: SourceInfo(path=s.path, rows=s.rows) for k, s in sources.items()},
        metrics={n: figures[n] for n in names},
    )
    report.files.update(files)
    return report

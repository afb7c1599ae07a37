"""Diagnostic charts of the purchase models, drawn with matplotlib from the ``*_data`` records.

matplotlib is the optional extra ``plot`` and is imported only when a chart is drawn.
Each function draws on the Axes it is given (or on a new figure's) and returns it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from crm_metrics._validate import Rule, validated
from crm_metrics.clv.diagnostics import (
    CalibrationHoldoutPurchases,
    FrequencyRecencyMatrix,
    PAliveHistory,
    PeriodTransactions,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_calibration_holdout",
    "plot_frequency_recency_matrix",
    "plot_p_alive_history",
    "plot_period_transactions",
]


@dataclass(frozen=True)
class _RecordOf(Rule):
    """An instance of ``kind`` (the record of the matching ``*_data`` function)."""

    kind: type = object

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if not isinstance(value, self.kind):
            raise TypeError(
                f"{name} must be a {self.kind.__name__} (the record of the matching *_data "
                f"function), got {type(value).__name__}"
            )
        return value

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield {"actual": [1, 2]}
        yield np.zeros(3)
        yield None


@dataclass(frozen=True)
class _AxesOrNone(Rule):
    """A matplotlib Axes to draw on, or None for a new figure."""

    optional: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if not (hasattr(value, "bar") and hasattr(value, "figure")):
            raise TypeError(f"{name} must be a matplotlib Axes or None, got {type(value).__name__}")
        return value

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield "axes"
        yield 1


def _axes(ax: Any) -> Axes:
    """The given Axes, or those of a new pyplot figure."""
    if ax is not None:
        return ax  # type: ignore[no-any-return]
    import matplotlib.pyplot as plt

    _, new = plt.subplots()
    return new


@validated(data=_RecordOf(kind=PeriodTransactions), ax=_AxesOrNone())
def plot_period_transactions(data: PeriodTransactions, ax: Axes | None = None) -> Axes:
    """Bar chart of actual and expected customers by repeat purchases in the calibration period.

    Parameters
    ----------
    data : PeriodTransactions
        From [`period_transactions_data`][crm_metrics.clv.period_transactions_data].
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: paired bars per bin, labelled axes and a legend.

    Raises
    ------
    TypeError
        If ``data`` is not a ``PeriodTransactions`` or ``ax`` is not an Axes.

    Notes
    -----
    The closer the bars of each pair, the better the model reproduces the spread of
    purchase counts it was fitted to. The last bin holds the given number or more.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> d = clv.period_transactions_data(fit, [0, 1, 4], [30.0, 39.0, 39.0], max_frequency=2)
    >>> ax = clv.plot_period_transactions(d, ax=Figure().add_subplot())
    >>> ax.get_ylabel(), len(ax.patches)
    ('Customers', 6)
    """
    axes = _axes(ax)
    where = np.arange(len(data.labels), dtype=np.float64)
    width = 0.4
    axes.bar(where - width / 2, data.actual, width, label="Actual", color="#1f4e79")
    axes.bar(where + width / 2, data.expected, width, label="Model", color="#9dc3e6")
    axes.set_xticks(where, data.labels)
    axes.set_xlabel("Repeat purchases in the calibration period")
    axes.set_ylabel("Customers")
    axes.set_title("Frequency of repeat purchases")
    axes.legend()
    return axes


@validated(data=_RecordOf(kind=CalibrationHoldoutPurchases), ax=_AxesOrNone())
def plot_calibration_holdout(data: CalibrationHoldoutPurchases, ax: Axes | None = None) -> Axes:
    """Mean holdout purchases by calibration frequency: the actual and the model's line.

    Parameters
    ----------
    data : CalibrationHoldoutPurchases
        From [`calibration_holdout_data`][crm_metrics.clv.calibration_holdout_data].
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: two lines, labelled axes and a legend.

    Raises
    ------
    TypeError
        If ``data`` is not a ``CalibrationHoldoutPurchases`` or ``ax`` is not an Axes.

    Notes
    -----
    Out-of-sample: the model saw only the calibration period. Empty bins (nan) leave a
    gap in the lines; the number of customers behind each point is in ``data.n_customers``
    and under each tick label.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> d = clv.calibration_holdout_data(fit, [0, 1, 2], [0.0, 5.0, 30.0], [39.0] * 3,
    ...                                  [0, 1, 3], 39.0, max_frequency=2)
    >>> ax = clv.plot_calibration_holdout(d, ax=Figure().add_subplot())
    >>> [line.get_label() for line in ax.get_lines()]
    ['Actual', 'Model']
    """
    axes = _axes(ax)
    where = np.arange(len(data.labels), dtype=np.float64)
    axes.plot(where, data.actual, marker="o", label="Actual", color="#1f4e79")
    axes.plot(where, data.expected, marker="s", linestyle="--", label="Model", color="#c55a11")
    ticks = [f"{label}\n(n={n})" for label, n in zip(data.labels, data.n_customers, strict=True)]
    axes.set_xticks(where, ticks)
    axes.set_xlabel("Purchases in the calibration period")
    axes.set_ylabel(f"Mean purchases in the holdout ({data.duration_holdout:g} periods)")
    axes.set_title("Calibration vs holdout purchases")
    axes.legend()
    return axes


@validated(data=_RecordOf(kind=FrequencyRecencyMatrix), ax=_AxesOrNone())
def plot_frequency_recency_matrix(data: FrequencyRecencyMatrix, ax: Axes | None = None) -> Axes:
    """Heatmap of a frequency-recency matrix, with a labelled colour bar as its legend.

    Parameters
    ----------
    data : FrequencyRecencyMatrix
        From [`frequency_recency_matrix_data`][crm_metrics.clv.frequency_recency_matrix_data].
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: frequency up, recency across, a colour bar beside it.

    Raises
    ------
    TypeError
        If ``data`` is not a ``FrequencyRecencyMatrix`` or ``ax`` is not an Axes.

    Notes
    -----
    Impossible histories (no repeat purchase but a positive recency) are nan and left
    blank. The most valuable customers sit at the top right: many purchases, the last
    one recent.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> m = clv.frequency_recency_matrix_data(fit, 4.0, what="p_alive")
    >>> ax = clv.plot_frequency_recency_matrix(m, ax=Figure().add_subplot())
    >>> ax.get_xlabel()
    "Recency (the customer's age at the last purchase)"
    """
    axes = _axes(ax)
    image = axes.imshow(
        np.ma.masked_invalid(data.values),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        interpolation="nearest",
        extent=(
            float(data.recency[0]) - 0.5,
            float(data.recency[-1]) + 0.5,
            float(data.frequency[0]) - 0.5,
            float(data.frequency[-1]) + 0.5,
        ),
    )
    if data.what == "p_alive":
        label, title = "P(alive)", "Probability of being alive"
    else:
        label = f"Expected purchases in the next {data.t:g} periods"
        title = "Expected purchases"
    bar = axes.figure.colorbar(image, ax=axes)
    bar.set_label(label)
    axes.set_xlabel("Recency (the customer's age at the last purchase)")
    axes.set_ylabel("Frequency (repeat purchases)")
    axes.set_title(f"{title}, customers of age {data.T:g}")
    return axes


@validated(data=_RecordOf(kind=PAliveHistory), ax=_AxesOrNone())
def plot_p_alive_history(data: PAliveHistory, ax: Axes | None = None) -> Axes:
    """One customer's P(alive) over time as a step line, with the purchases marked.

    Parameters
    ----------
    data : PAliveHistory
        From [`p_alive_history_data`][crm_metrics.clv.p_alive_history_data].
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: P(alive) from 0 to 1 over the period starts, a dashed vertical
        line at each purchase, labelled axes and a legend.

    Raises
    ------
    TypeError
        If ``data`` is not a ``PAliveHistory`` or ``ax`` is not an Axes.

    Notes
    -----
    The value shown for a period is the one known at its start, held until the next.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> h = clv.p_alive_history_data(fit, ["2024-01-01", "2024-01-03"], end="2024-01-09")
    >>> ax = clv.plot_p_alive_history(h, ax=Figure().add_subplot())
    >>> ax.get_ylabel(), [line.get_label() for line in ax.get_lines()][:2]
    ('P(alive)', ['P(alive)', 'Purchase'])
    """
    axes = _axes(ax)
    axes.step(data.ts, data.p_alive, where="post", label="P(alive)", color="#1f4e79")
    for i, when in enumerate(data.ts[data.purchase]):
        axes.axvline(
            when,
            color="#c55a11",
            linestyle="--",
            linewidth=1.0,
            label="Purchase" if i == 0 else None,
        )
    axes.set_ylim(0.0, 1.05)
    axes.set_xlabel("Date")
    axes.set_ylabel("P(alive)")
    axes.set_title("History of P(alive)")
    axes.legend()
    axes.figure.autofmt_xdate()
    return axes

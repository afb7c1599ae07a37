"""Profitability and reporting: profit, margins, ROI, change and forecast figures.

Aggregate functions (profit, margins, ROI, percent and percentage-point change, compound
growth, the interval and test helpers) take amounts or tallies and broadcast; series
functions (``period_over_period``, ``moving_average``, ``mape``, ``forecast_accuracy``) work
along one ordered 1-D series; ``customer_profitability`` is event-level (transactions plus
cost events, per customer). ``before_after`` returns a pydantic record, built on first use
so that ``import crm_metrics`` does not load pydantic.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from crm_metrics._groupby import Grouped, factorize
from crm_metrics._math import as_result, safe_divide, two_sided_normal_p
from crm_metrics._validate import (
    Count,
    Flag,
    Fraction,
    Interval,
    Keys,
    Money,
    Option,
    Real,
    Unaligned,
    validated,
)

__all__ = [
    "BeforeAfter",
    "ProportionCI",
    "TwoProportionTest",
    "before_after",
    "compound_growth_rate",
    "customer_profitability",
    "forecast_accuracy",
    "gross_margin",
    "gross_profit",
    "mape",
    "moving_average",
    "net_margin",
    "percent_change",
    "period_over_period",
    "pp_change",
    "profit",
    "proportion_ci",
    "return_multiple",
    "roi",
    "two_proportion_test",
]

_IDS = Keys(optional=False, multi=False)
_SERIES = Real(event=True)


# --------------------------------------------------------------------------- profit and margins
@validated(revenue=Money(), total_costs=Money())
def profit(revenue: ArrayLike, total_costs: ArrayLike) -> Any:
    r"""Profit: revenue minus total costs.

    $$\mathrm{profit} = \mathit{revenue} - \mathit{total\_costs}$$

    Parameters
    ----------
    revenue : float or array_like
        Revenue of the period (>= 0).
    total_costs : float or array_like
        All costs of the period (>= 0).

    Returns
    -------
    float or numpy.ndarray
        Money of any sign. Arrays broadcast; NaN propagates.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    Standard accounting: what is left after *all* costs of the period. For revenue minus
    the cost of goods sold only, use [`gross_profit`][crm_metrics.gross_profit]. No
    division, so no ``nan`` case; NaN inputs propagate.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.profit(120_000, 95_000)
    25000.0
    """
    return as_result(np.asarray(revenue) - np.asarray(total_costs))


@validated(revenue=Money(), cogs=Money())
def gross_profit(revenue: ArrayLike, cogs: ArrayLike) -> Any:
    r"""Gross profit: revenue minus the cost of goods sold.

    $$\mathrm{GP} = \mathit{revenue} - \mathit{cogs}$$

    Parameters
    ----------
    revenue : float or array_like
        Revenue (>= 0).
    cogs : float or array_like
        Cost of goods sold (>= 0).

    Returns
    -------
    float or numpy.ndarray
        Money of any sign.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    Standard accounting: revenue minus the direct cost of what was sold (goods, delivery,
    hosting), before operating costs such as marketing and support. As a fraction of
    revenue it is [`gross_margin`][crm_metrics.gross_margin].

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.gross_profit(120_000, 70_000)
    50000.0
    """
    return as_result(np.asarray(revenue) - np.asarray(cogs))


@validated(revenue=Money(), cogs=Money())
def gross_margin(revenue: ArrayLike, cogs: ArrayLike) -> Any:
    r"""Gross margin: gross profit as a fraction of revenue.

    $$\mathrm{GM} = \frac{\mathit{revenue} - \mathit{cogs}}{\mathit{revenue}}$$

    Parameters
    ----------
    revenue : float or array_like
        Revenue (>= 0).
    cogs : float or array_like
        Cost of goods sold (>= 0).

    Returns
    -------
    float or numpy.ndarray
        A fraction <= 1 (negative when the goods cost more than they sold for); ``nan``
        where revenue is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    Standard accounting. This is the ``margin`` that
    [`marketing_roi`][crm_metrics.marketing_roi] takes for contribution ROMI and that the
    CLV formulas take as gross margin. Zero revenue gives ``nan``.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.gross_margin(120_000, 90_000)
    0.25
    """
    return as_result(safe_divide(np.asarray(revenue) - np.asarray(cogs), revenue))


@validated(net_profit=Money(signed=True), revenue=Money())
def net_margin(net_profit: ArrayLike, revenue: ArrayLike) -> Any:
    r"""Net profit margin: net profit as a fraction of revenue.

    $$\mathrm{NM} = \frac{\mathit{net\_profit}}{\mathit{revenue}}$$

    Parameters
    ----------
    net_profit : float or array_like
        Net profit after all costs (any sign).
    revenue : float or array_like
        Revenue (>= 0).

    Returns
    -------
    float or numpy.ndarray
        A fraction, <= 1 when costs are >= 0; ``nan`` where revenue is 0.

    Raises
    ------
    ValueError
        If revenue is negative, or an amount is infinite.

    Notes
    -----
    ``gross_margin >= net_margin`` whenever net profit <= gross profit.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.net_margin(12_000, 120_000)
    0.1
    """
    return as_result(safe_divide(net_profit, revenue))


@validated(gain=Money(), cost=Money())
def roi(gain: ArrayLike, cost: ArrayLike) -> Any:
    r"""Return on investment (incl. CRM ROI): net gain per unit of cost.

    $$\mathrm{ROI} = \frac{\mathit{gain} - \mathit{cost}}{\mathit{cost}}$$

    Parameters
    ----------
    gain : float or array_like
        What the investment returned (revenue or benefit attributed to it, >= 0).
    cost : float or array_like
        What it cost (>= 0).

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1 (1.5 means +150 %); ``nan`` where the cost is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    Standard accounting, used for the ROI of a CRM system or any project: ``gain`` is
    what the caller credits to the investment (extra gross profit, saved cost), which is
    the disputed part, not the formula. ``return_multiple == roi + 1``.
    For marketing spend with a margin adjustment use
    [`marketing_roi`][crm_metrics.marketing_roi]. Zero cost gives ``nan``. Currency-free.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    A CRM system that cost 40,000 and is credited with 100,000 of gains:

    >>> import crm_metrics as cm
    >>> cm.roi(100_000, 40_000)
    1.5
    """
    return as_result(safe_divide(np.asarray(gain) - np.asarray(cost), cost))


@validated(gain=Money(), cost=Money())
def return_multiple(gain: ArrayLike, cost: ArrayLike) -> Any:
    r"""Return multiple: money back per unit of money spent.

    $$\mathrm{multiple} = \frac{\mathit{gain}}{\mathit{cost}} = \mathrm{ROI} + 1$$

    Parameters
    ----------
    gain : float or array_like
        What the investment returned (>= 0).
    cost : float or array_like
        What it cost (>= 0).

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0; ``nan`` where the cost is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    "Money back per unit spent": ``return_multiple == roi + 1``, the
    same figure as [`roas`][crm_metrics.roas] for ad spend. Zero cost gives ``nan``.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.return_multiple(100_000, 40_000)
    2.5
    """
    return as_result(safe_divide(gain, cost))


@validated(
    customer_id=_IDS,
    amount=Money(event=True),
    cost_customer_id=Unaligned(_IDS),
    cost=Unaligned(Money(event=True), same_length_as="cost_customer_id"),
)
def customer_profitability(
    customer_id: ArrayLike, amount: ArrayLike, cost_customer_id: ArrayLike, cost: ArrayLike
) -> Grouped:
    r"""Customer profitability: per customer, revenue minus the cost to serve.

    $$\pi_c = \sum_{i:\,k_i = c} a_i - \sum_{j:\,k'_j = c} \mathit{cost}_j$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each transaction.
    amount : array_like of float
        Revenue of each transaction (>= 0).
    cost_customer_id : array_like
        Customer of each cost event (service tickets, returns, account management); a table
        of its own, of any length, with keys of the same kind as ``customer_id``.
    cost : array_like of float
        Cost of each cost event (>= 0).

    Returns
    -------
    Grouped
        A [`Grouped`][crm_metrics.Grouped] with one amount (any sign) per customer
        appearing in either table, keys sorted. A customer with costs only is negative;
        no records give no groups.

    Raises
    ------
    ValueError
        On unequal lengths within a table, negative or NaN amounts, missing ids.

    Notes
    -----
    Revenue minus cost to serve, the usual activity-based reading. Pass margins instead of
    amounts (``amount=margin``) to net out the cost of goods as well. Sums are additive:
    the total over customers is total revenue minus total cost.

    References
    ----------
    Standard accounting definitions.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> g = cm.customer_profitability(["a", "a", "b"], [100.0, 50.0, 80.0],
    ...                               ["a", "b", "c"], [30.0, 90.0, 15.0])
    >>> g.to_dict()
    {'a': 120.0, 'b': -10.0, 'c': -15.0}
    """
    ids = np.concatenate([np.asarray(customer_id), np.asarray(cost_customer_id)])
    values = np.concatenate([np.asarray(amount), -np.asarray(cost)])
    keys, codes, n = factorize(ids)
    return Grouped(keys=keys, values=np.bincount(codes, weights=values, minlength=n))


# --------------------------------------------------------------------------- change
def _percent_change(old: Any, new: Any) -> NDArray[np.float64]:
    """(new - old) / |old|, nan for a zero base."""
    old_arr = np.asarray(old, dtype=np.float64)
    return safe_divide(np.asarray(new, dtype=np.float64) - old_arr, np.abs(old_arr))


@validated(old=Real(), new=Real())
def percent_change(old: ArrayLike, new: ArrayLike) -> Any:
    r"""Percent change from ``old`` to ``new``, as a fraction of the old value's magnitude.

    $$\Delta\% = \frac{\mathit{new} - \mathit{old}}{|\mathit{old}|}$$

    Parameters
    ----------
    old : float or array_like
        The base value (any real number).
    new : float or array_like
        The value compared with it.

    Returns
    -------
    float or numpy.ndarray
        A fraction (0.25 means +25 %); ``nan`` where ``old`` is 0.

    Raises
    ------
    TypeError
        If a value is not numeric.

    Notes
    -----
    Dividing by ``|old|`` keeps the sign meaningful for negative bases (a loss shrinking
    from -100 to -50 is +50 %). A zero ``old`` gives ``nan`` (no relative change from
    zero). For rates prefer [`pp_change`][crm_metrics.pp_change].

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.percent_change(80, 100)
    0.25
    >>> cm.percent_change(-100, -50)
    0.5
    """
    return as_result(_percent_change(old, new))


@validated(old_rate=Fraction(), new_rate=Fraction())
def pp_change(old_rate: ArrayLike, new_rate: ArrayLike) -> Any:
    r"""Percentage-point change between two rates, as a fraction.

    $$\Delta_{pp} = \mathit{new\_rate} - \mathit{old\_rate}$$

    Parameters
    ----------
    old_rate, new_rate : float or array_like
        Rates as fractions in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        A fraction in [-1, 1] (0.02 means +2 percentage points).

    Raises
    ------
    ValueError
        If a rate is outside [0, 1].

    Notes
    -----
    A churn rate going from 5 % to 4 % is -1 point (``pp_change``) but -20 %
    (``percent_change``); report the point change for rates. The result is a fraction like
    the rates: multiply by 100 for points. Never ``nan`` for valid rates;
    ``pp_change(a, b) == -pp_change(b, a)``.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> round(cm.pp_change(0.05, 0.04), 12)
    -0.01
    """
    return as_result(np.asarray(new_rate) - np.asarray(old_rate))


@validated(x=_SERIES, lag=Interval(lo=1, integer=True, scalar=True))
def period_over_period(x: ArrayLike, *, lag: int = 1) -> NDArray[np.float64]:
    r"""Period-over-period change along a series: percent change from ``lag`` periods back.

    $$y_i = \frac{x_i - x_{i-\ell}}{|x_{i-\ell}|}$$

    Parameters
    ----------
    x : array_like of float
        An ordered 1-D series (one value per period, finite).
    lag : int, default 1
        Periods back (1: month over month on monthly data; 12: year over year).

    Returns
    -------
    numpy.ndarray
        Fractions aligned with ``x``; the first ``lag`` are ``nan``, as is any change from
        a zero base.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or holds NaN/inf, or ``lag`` is not a whole number >= 1.

    Notes
    -----
    A series function: it works along ``x`` and does not broadcast. Each value is
    [`percent_change`][crm_metrics.percent_change] of ``x[i - lag]`` and ``x[i]`` (base
    ``|x[i - lag]|``), so a zero base gives ``nan`` at that position only. A series no
    longer than ``lag`` gives all ``nan``.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.period_over_period([100, 120, 90, 0, 10]).tolist()
    [nan, 0.2, -0.25, -1.0, nan]
    """
    arr = np.asarray(x)
    out = np.full(len(arr), np.nan)
    if lag < len(arr):
        out[lag:] = _percent_change(arr[:-lag], arr[lag:])
    return out


# --------------------------------------------------------------------------- before / after
class BeforeAfter(Protocol):
    """The record `before_after` returns (a frozen pydantic model).

    Fields hold a float (or bool) for scalar inputs and nested lists for arrays.

    Attributes
    ----------
    before, after : float or list
        The two values as given.
    abs_change : float or list
        ``after - before``.
    pct_change : float or list
        ``(after - before) / abs(before)``, a fraction; ``nan`` when ``before`` is 0.
    pp_change : float, list or None
        ``after - before`` in percentage points of fractions (with ``is_rate=True``);
        None otherwise.
    improved : bool or list
        Whether the change goes the way of ``higher_is_better`` (False when unchanged).

    Examples
    --------
    A conversion rate going from 20 % to 25 %:

    >>> import crm_metrics as cm
    >>> r = cm.before_after(0.20, 0.25, is_rate=True)
    >>> round(r.pct_change, 4), round(r.pp_change, 4), r.improved
    (0.25, 0.05, True)
    >>> sorted(r.model_dump())
    ['abs_change', 'after', 'before', 'improved', 'pct_change', 'pp_change']
    """

    before: Any
    after: Any
    abs_change: Any
    pct_change: Any
    pp_change: Any
    improved: Any

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict."""

    def model_dump_json(self) -> str:
        """The record as JSON (NaN is written as ``null``)."""


@functools.cache
def _before_after_model() -> Any:
    """The pydantic model behind :class:`BeforeAfter`, defined on first use (pydantic is
    imported here, not when crm_metrics is imported)."""
    from pydantic import BaseModel, ConfigDict

    class BeforeAfterRecord(BaseModel):
        """Before/after comparison: the two values, their changes and whether it improved."""

        model_config = ConfigDict(frozen=True)

        before: float | list[Any]
        after: float | list[Any]
        abs_change: float | list[Any]
        pct_change: float | list[Any]
        pp_change: float | list[Any] | None
        improved: bool | list[Any]

    BeforeAfterRecord.__name__ = BeforeAfterRecord.__qualname__ = "BeforeAfter"
    return BeforeAfterRecord


def _plain(values: NDArray[Any]) -> Any:
    """A Python scalar for a 0-d array, nested lists otherwise (for the record)."""
    return values.tolist()


@validated(before=Real(), after=Real(), is_rate=Flag(), higher_is_better=Flag())
def before_after(
    before: ArrayLike,
    after: ArrayLike,
    *,
    is_rate: bool = False,
    higher_is_better: bool = True,
) -> BeforeAfter:
    r"""Before/after comparison ("change %"): both values, the changes, improved.

    $$\Delta = a - b,\qquad \Delta\% = \frac{a - b}{|b|},\qquad
    \mathrm{improved} = \begin{cases}\Delta > 0 & \text{higher is better}\\
    \Delta < 0 & \text{otherwise}\end{cases}$$

    Parameters
    ----------
    before, after : float or array_like
        The figure before and after (arrays are compared element-wise and broadcast).
    is_rate : bool, default False
        The figure is a rate (a fraction): ``pp_change`` is filled in.
    higher_is_better : bool, default True
        Direction of improvement (False for churn, cost, handle time).

    Returns
    -------
    BeforeAfter
        A frozen pydantic record ([`BeforeAfter`][crm_metrics.BeforeAfter]) with
        ``before``, ``after``, ``abs_change``
        (``after - before``), ``pct_change`` (``percent_change``, nan for a zero base),
        ``pp_change`` (``pp_change`` when ``is_rate``, else None) and ``improved``
        (False when unchanged or undefined). Floats for scalar inputs, lists for arrays;
        ``model_dump_json()`` gives JSON (NaN written as null).

    Raises
    ------
    TypeError
        If a value is not numeric or a flag is not a bool.

    Notes
    -----
    ``pct_change`` inherits [`percent_change`][crm_metrics.percent_change] (base
    ``|before|``, ``nan`` for a zero base); ``pp_change`` is
    [`pp_change`][crm_metrics.pp_change], filled in only for rates because a point change
    of two amounts means nothing. ``improved`` is False when nothing changed. pydantic is
    imported on the first call, so ``import crm_metrics`` stays light.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> r = cm.before_after(0.05, 0.04, is_rate=True, higher_is_better=False)
    >>> r.improved, round(r.pct_change, 12), round(r.pp_change, 12)
    (True, -0.2, -0.01)
    >>> cm.before_after(200.0, 250.0).model_dump_json()
    '{"before":200.0,"after":250.0,"abs_change":50.0,"pct_change":0.25,"pp_change":null,"improved":true}'
    """
    b, a = np.broadcast_arrays(np.asarray(before), np.asarray(after))
    change = a - b
    improved = change > 0 if higher_is_better else change < 0
    record: BeforeAfter = _before_after_model()(
        before=_plain(b),
        after=_plain(a),
        abs_change=_plain(change),
        pct_change=_plain(_percent_change(b, a)),
        pp_change=_plain(change) if is_rate else None,
        improved=_plain(improved),
    )
    return record


@validated(start=Interval(lo=0), end=Interval(lo=0), n_periods=Interval(lo=0, lo_open=True))
def compound_growth_rate(start: ArrayLike, end: ArrayLike, n_periods: ArrayLike) -> Any:
    r"""Compound growth rate per period (CAGR for years) from a start to an end value.

    $$g = \left(\frac{\mathit{end}}{\mathit{start}}\right)^{1/n} - 1$$

    Parameters
    ----------
    start, end : float or array_like
        Values at the start and the end (>= 0).
    n_periods : float or array_like
        Number of periods between them (> 0; may be fractional).

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1 per period; ``nan`` where ``start`` is 0.

    Raises
    ------
    ValueError
        If a value is negative or infinite, or ``n_periods`` <= 0.

    Notes
    -----
    ``start * (1 + g) ** n == end``. An end of 0 gives -1; a start of
    0 gives ``nan`` (zero denominator). With yearly values and ``n`` in years this is the
    CAGR; with 12 monthly steps it is the average monthly growth.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> round(cm.compound_growth_rate(100_000, 121_000, 2), 12)
    0.1
    """
    ratio = safe_divide(end, start)
    with np.errstate(over="ignore"):
        growth = np.power(ratio, 1.0 / np.asarray(n_periods)) - 1.0
    return as_result(growth)


# --------------------------------------------------------------------------- series
@validated(x=_SERIES, window=Interval(lo=1, integer=True, scalar=True))
def moving_average(x: ArrayLike, window: int) -> NDArray[np.float64]:
    r"""Trailing moving average of the last ``window`` values of a series.

    $$m_i = \frac{1}{w}\sum_{j=i-w+1}^{i} x_j$$

    Parameters
    ----------
    x : array_like of float
        An ordered 1-D series (finite).
    window : int
        Number of values averaged (>= 1).

    Returns
    -------
    numpy.ndarray
        Aligned with ``x``, in its units; the first ``window - 1`` values are ``nan``.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or holds NaN/inf, or ``window`` is not a whole number >= 1.

    Notes
    -----
    A trailing (not centred) window, so the value at ``i`` uses only data up to ``i``.
    Each mean is summed directly over its window (no running-sum differences, which lose
    precision on long series). A window longer than the series gives all ``nan``.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.moving_average([10, 20, 30, 40], 3).tolist()
    [nan, nan, 20.0, 30.0]
    """
    arr = np.asarray(x)
    out = np.full(len(arr), np.nan)
    if window <= len(arr):
        out[window - 1 :] = sliding_window_view(arr, window).sum(axis=-1) / window
    return out


@validated(actual=_SERIES, forecast=_SERIES)
def mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    r"""Mean absolute percentage error of a forecast, as a fraction.

    $$\mathrm{MAPE} = \frac{1}{n}\sum_{i=1}^{n} \frac{|a_i - f_i|}{|a_i|}$$

    Parameters
    ----------
    actual : array_like of float
        Observed values (1-D, finite).
    forecast : array_like of float
        Forecasts aligned with ``actual``.

    Returns
    -------
    float
        A fraction >= 0 (0.05 means 5 % average error); ``nan`` for an empty series or
        when any actual value is 0.

    Raises
    ------
    ValueError
        On unequal lengths, NaN or infinite values, or a series that is not 1-D.

    Notes
    -----
    MAPE is undefined when an actual is 0 (Hyndman & Koehler), so one zero actual gives
    ``nan`` for the whole series rather than dropping the point;
    [`forecast_accuracy`][crm_metrics.forecast_accuracy] (WAPE-based) is the robust
    alternative. MAPE weights every period equally, small ones included.

    References
    ----------
    R. J. Hyndman and A. B. Koehler, "Another look at measures of forecast accuracy",
    International Journal of Forecasting 22(4), 2006.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.mape([100, 200, 400], [110, 180, 400])
    0.06666666666666667
    """
    a = np.asarray(actual)
    f = np.asarray(forecast)
    if len(a) == 0 or bool((a == 0).any()):
        return math.nan
    return float(np.mean(np.abs(a - f) / np.abs(a)))


@validated(actual=_SERIES, forecast=_SERIES)
def forecast_accuracy(actual: ArrayLike, forecast: ArrayLike) -> float:
    r"""Forecast accuracy: one minus the weighted absolute percentage error (WAPE).

    $$\mathrm{accuracy} = 1 - \frac{\sum_i |a_i - f_i|}{\sum_i |a_i|}$$

    Parameters
    ----------
    actual : array_like of float
        Observed values (1-D, finite).
    forecast : array_like of float
        Forecasts aligned with ``actual``.

    Returns
    -------
    float
        At most 1 (can be negative for a very poor forecast); ``nan`` when the sum of
        absolute actuals is 0 (including an empty series).

    Raises
    ------
    ValueError
        On unequal lengths, NaN or infinite values, or a series that is not 1-D.

    Notes
    -----
    Accuracy as ``1 - WAPE`` (weighted absolute percentage error): errors are weighted by
    volume, so single zero actuals do not break it (unlike
    [`mape`][crm_metrics.mape]). Some tools report ``1 - MAPE`` instead; the two agree
    when all actuals have the same size and differ otherwise.

    References
    ----------
    R. J. Hyndman and A. B. Koehler, "Another look at measures of forecast accuracy",
    International Journal of Forecasting 22(4), 2006.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.forecast_accuracy([100, 200, 0], [110, 180, 10])
    0.8666666666666667
    """
    a = np.asarray(actual)
    error = safe_divide(np.abs(a - np.asarray(forecast)).sum(), np.abs(a).sum())
    return float(1.0 - error)


# --------------------------------------------------------------------------- statistics
class ProportionCI(NamedTuple):
    """Lower and upper bound of a confidence interval of a rate (fractions).

    The result of `proportion_ci`: a named tuple, so ``low, high = ...`` works.

    Attributes
    ----------
    low, high : float or numpy.ndarray
        The bounds, in [0, 1]; ``nan`` where there are no trials.

    Examples
    --------
    45 of 200 surveyed customers would recommend a new feature:

    >>> import crm_metrics as cm
    >>> ci = cm.proportion_ci(45, 200)
    >>> round(ci.low, 3), round(ci.high, 3)
    (0.173, 0.288)
    """

    low: Any
    high: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Confidence interval of a rate", self._asdict())


class TwoProportionTest(NamedTuple):
    """Pooled two-proportion z-test of a test group against a control group.

    The result of `two_proportion_test`: a named tuple.

    Attributes
    ----------
    z : float or numpy.ndarray
        The z statistic (positive when the test group converts better).
    p_value : float or numpy.ndarray
        Two-sided p-value.
    lift : float or numpy.ndarray
        Relative lift of the test rate over the control rate, as `response_lift`.

    Examples
    --------
    60 of 1,000 mailed customers bought, against 40 of 1,000 in the holdout:

    >>> import crm_metrics as cm
    >>> t = cm.two_proportion_test(60, 1000, 40, 1000)
    >>> round(t.z, 2), round(t.p_value, 3), round(t.lift, 2)
    (2.05, 0.04, 0.5)
    """

    z: Any
    p_value: Any
    lift: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Two-proportion z-test", self._asdict())


#: ``proportion_ci`` methods; "beta" is statsmodels' name for Clopper-Pearson.
_CI_METHODS = ("wilson", "normal", "agresti-coull", "clopper-pearson", "beta", "jeffreys")


def _scipy_special(what: str) -> Any:
    """scipy.special, imported on first use; a missing scipy names the extra to install."""
    try:
        from scipy import special  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - scipy is installed in the test environment
        raise ImportError(
            f"{what} needs scipy; install it with the extra: pip install 'crm-metrics[stats]'"
        ) from exc
    return special


def _scipy_stats(what: str) -> Any:
    """scipy.stats, imported on first use; a missing scipy names the extra to install."""
    _scipy_special(what)
    from scipy import stats

    return stats


@validated(
    trials=Count(),
    successes=Count(le="trials"),
    confidence=Interval(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True),
    method=Option(choices=_CI_METHODS),
)
def proportion_ci(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> ProportionCI:
    r"""Confidence interval of a rate ``successes / trials`` (Wilson score by default).

    $$\text{Wilson: }\frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n}
    + \frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}},\qquad \hat p = \frac{x}{n},\quad
    z = \Phi^{-1}\!\left(\tfrac{1 + \mathit{confidence}}{2}\right)$$

    $$\text{Agresti-Coull: }\tilde p \pm z\sqrt{\frac{\tilde p(1-\tilde p)}{\tilde n}},
    \qquad \tilde n = n + z^2,\quad \tilde p = \frac{x + z^2/2}{\tilde n}$$

    $$\text{Clopper-Pearson: }\left[B_{\alpha/2}(x,\ n-x+1),\ B_{1-\alpha/2}(x+1,\ n-x)
    \right],\qquad \text{Jeffreys: }\left[B_{\alpha/2},\ B_{1-\alpha/2}\right]
    (x+\tfrac12,\ n-x+\tfrac12)$$

    where $B_q(a, b)$ is the $q$ quantile of the beta distribution and
    $\alpha = 1 - \mathit{confidence}$.

    Parameters
    ----------
    successes : int or array_like of int
        Responses, conversions, promoters ... (a subset of the trials).
    trials : int or array_like of int
        Recipients, sessions, surveys ...
    confidence : float, default 0.95
        Two-sided confidence level in (0, 1).
    method : {"wilson", "normal", "agresti-coull", "clopper-pearson", "beta", "jeffreys"}
        ``"wilson"`` (default): Wilson score interval. ``"normal"``: the normal (Wald)
        interval ``p ± z sqrt(p(1-p)/n)`` clipped to [0, 1]. ``"agresti-coull"``: the Wald
        interval around the rate with ``z²/2`` successes and ``z²/2`` failures added,
        clipped to [0, 1]. ``"clopper-pearson"`` (alias ``"beta"``): the exact interval
        from beta quantiles. ``"jeffreys"``: the equal-tailed interval of the Jeffreys
        Beta(1/2, 1/2) posterior. The two beta-quantile methods need scipy.

    Returns
    -------
    ProportionCI
        ``(low, high)``: fractions with ``0 <= low <= high <= 1``, floats or arrays
        (broadcast); ``(nan, nan)`` where there are no trials. The Wilson, normal and
        Clopper-Pearson intervals always contain the observed rate.

    Raises
    ------
    ValueError
        If a count is negative or fractional, successes exceed trials, ``confidence`` is
        outside (0, 1), or ``method`` is unknown.
    ImportError
        For ``"clopper-pearson"``, ``"beta"`` or ``"jeffreys"`` when scipy is not
        installed (install the ``stats`` extra).

    Notes
    -----
    Wilson's interval keeps good coverage for small samples and rates near 0 or 1, where
    the Wald interval collapses to a point (Agresti & Coull); the normal interval is
    offered for comparison with textbook figures. Clopper-Pearson inverts two one-sided
    binomial tests, so its coverage is at least ``confidence`` for every true rate (it is
    conservative, i.e. wide); it is the interval R's ``binom.test`` reports. Jeffreys and
    Agresti-Coull have coverage close to the nominal level on average (Brown, Cai &
    DasGupta). The names and formulas are those of statsmodels' ``proportion_confint``,
    whose results these match to 1e-10, with one documented difference: as Brown, Cai &
    DasGupta recommend, the Jeffreys interval has its lower bound set to 0 when there are
    no successes and its upper bound set to 1 when all trials succeed (statsmodels keeps
    the raw beta quantiles there). Every method gives 0 as the lower bound for no
    successes and 1 as the upper bound for all successes. Beta quantiles come from
    ``scipy.special`` (imported on the first call that needs them); the Wilson, normal
    and Agresti-Coull intervals need only numpy.

    References
    ----------
    E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
    JASA 22, 1927; C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial
    limits illustrated in the case of the binomial", Biometrika 26, 1934; A. Agresti and
    B. A. Coull, "Approximate is better than 'exact' for interval estimation of binomial
    proportions", The American Statistician 52, 1998; L. D. Brown, T. T. Cai and
    A. DasGupta, "Interval estimation for a binomial proportion", Statistical Science 16,
    2001.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> low, high = cm.proportion_ci(30, 600)
    >>> round(low, 4), round(high, 4)
    (0.0352, 0.0705)
    >>> low, high = cm.proportion_ci(30, 600, method="clopper-pearson")
    >>> round(low, 4), round(high, 4)
    (0.034, 0.0706)
    >>> low, high = cm.proportion_ci(0, 20, method="agresti-coull")
    >>> low, round(high, 4)
    (0.0, 0.1898)
    >>> cm.proportion_ci(0, 0)
    ProportionCI(low=nan, high=nan)
    """
    from statistics import NormalDist  # the standard library; imported on first use

    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    s = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    p = safe_divide(s, n)
    with np.errstate(invalid="ignore"):
        if method == "wilson":
            denominator = 1.0 + safe_divide(z * z, n)
            center = (p + safe_divide(z * z, 2.0 * n)) / denominator
            spread = p * (1.0 - p) / np.where(n == 0, np.nan, n)
            half = z * np.sqrt(spread + safe_divide(z * z, 4.0 * n * n)) / denominator
            low, high = center - half, center + half
        elif method == "normal":
            half = z * np.sqrt(p * (1.0 - p) / np.where(n == 0, np.nan, n))
            low, high = p - half, p + half
        elif method == "agresti-coull":
            n_tilde = n + z * z
            p_tilde = (s + z * z / 2.0) / n_tilde
            half = z * np.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
            low, high = p_tilde - half, p_tilde + half
        else:
            special = _scipy_special(f"proportion_ci(method={method!r})")
            tail = (1.0 - confidence) / 2.0
            shift = 0.5 if method == "jeffreys" else 0.0
            # a beta parameter must be > 0; the bounds where it would be 0 (no successes,
            # all successes) are set exactly below
            a_low = np.where(s > 0, s + shift, 1.0)
            b_high = np.where(n > s, n - s + shift, 1.0)
            low = special.betaincinv(a_low, n - s + 1.0 - shift, tail)
            high = special.betainccinv(s + 1.0 - shift, b_high, tail)
        # exact at the boundaries: no successes -> 0, all successes -> 1
        low = np.where(s == 0, 0.0, np.clip(low, 0.0, 1.0))
        high = np.where((s == n) & (n > 0), 1.0, np.clip(high, 0.0, 1.0))
        undefined = (n == 0) | np.isnan(p)  # no trials, or a NaN count
        low = np.where(undefined, np.nan, low)
        high = np.where(undefined, np.nan, high)
    return ProportionCI(as_result(low), as_result(high))


@validated(
    test_n=Count(), test_conv=Count(le="test_n"), ctrl_n=Count(), ctrl_conv=Count(le="ctrl_n")
)
def two_proportion_test(
    test_conv: ArrayLike, test_n: ArrayLike, ctrl_conv: ArrayLike, ctrl_n: ArrayLike
) -> TwoProportionTest:
    r"""Significance of a test-vs-control difference in rates: pooled two-proportion z-test.

    $$z = \frac{r_t - r_c}{\sqrt{\bar p(1 - \bar p)\left(\frac{1}{n_t} + \frac{1}{n_c}\right)}},
    \qquad \bar p = \frac{x_t + x_c}{n_t + n_c},\qquad p = \operatorname{erfc}(|z|/\sqrt 2)$$

    Parameters
    ----------
    test_conv, test_n : int or array_like of int
        Responders (converters) and size of the group that received the campaign.
    ctrl_conv, ctrl_n : int or array_like of int
        The same for the holdout (control) group.

    Returns
    -------
    TwoProportionTest
        ``(z, p_value, lift)``: the z statistic, its two-sided p-value and the relative
        lift of [`response_lift`][crm_metrics.response_lift]; floats or arrays
        (broadcast). ``nan`` where either
        group is empty, or where the pooled rate is 0 or 1 (no variance).

    Raises
    ------
    ValueError
        If a count is negative or fractional, or responders exceed their group.

    Notes
    -----
    The standard large-sample test with the pooled rate under the null hypothesis of equal
    rates. Reasonable once each group has about 10 successes and 10 failures; use an exact
    test below that.

    References
    ----------
    The standard two-proportion z-test, e.g. A. Agresti, *Categorical Data Analysis*, 3rd
    ed., Wiley, 2013, section 3.1.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> t = cm.two_proportion_test(60, 1_000, 40, 1_000)
    >>> round(t.z, 4), round(t.p_value, 4), round(t.lift, 4)
    (2.052, 0.0402, 0.5)
    """
    xt, nt, xc, nc = (
        np.asarray(v, dtype=np.float64) for v in (test_conv, test_n, ctrl_conv, ctrl_n)
    )
    rate_t = safe_divide(xt, nt)
    rate_c = safe_divide(xc, nc)
    pooled = safe_divide(xt + xc, nt + nc)
    with np.errstate(invalid="ignore"):
        variance = pooled * (1.0 - pooled) * (safe_divide(1.0, nt) + safe_divide(1.0, nc))
        z = safe_divide(rate_t - rate_c, np.sqrt(variance))
    p_value = two_sided_normal_p(z)
    lift = safe_divide(rate_t - rate_c, rate_c)
    return TwoProportionTest(as_result(z), as_result(p_value), as_result(lift))


# ------------------------------------------------------------------- exact and k-group tests
class BinomialTest(NamedTuple):
    """Exact binomial test of a rate against a hypothesised value.

    The result of `binomial_test`: a named tuple.

    Attributes
    ----------
    estimate : float or numpy.ndarray
        The observed rate ``successes / trials``.
    p_value : float or numpy.ndarray
        The exact p-value for the chosen alternative.

    Examples
    --------
    12 of 40 trial users converted; is that different from the usual 15 %?

    >>> import crm_metrics as cm
    >>> t = cm.binomial_test(12, 40, p0=0.15)
    >>> t.estimate, round(t.p_value, 4)
    (0.3, 0.0135)
    """

    estimate: Any
    p_value: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Exact binomial test", self._asdict())


#: R's ``binom.test`` counts outcomes "as likely as" the observed one up to this factor.
_RELATIVE_TIE = 1.0 + 1e-7


def _first_true(test: Any, lo: NDArray[np.float64], hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """Smallest k in [lo, hi] with ``test(k)`` true, or ``hi + 1`` if none, element-wise.

    ``test`` must be monotone (false ... false true ... true) on the range; a bisection
    vectorised over the elements (the loop runs over halvings, about log2(n) of them).
    """
    lo = lo.copy()
    hi = hi + 1.0
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = np.floor((lo + hi) / 2.0)
        hit = test(np.where(open_, mid, lo))
        hi = np.where(open_ & hit, mid, hi)
        lo = np.where(open_ & ~hit, mid + 1.0, lo)


@validated(
    trials=Count(),
    successes=Count(le="trials"),
    p0=Interval(lo=0, hi=1, scalar=True),
    alternative=Option(choices=("two-sided", "greater", "less")),
)
def binomial_test(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    p0: float = 0.5,
    alternative: str = "two-sided",
) -> BinomialTest:
    r"""Exact binomial test of a rate against ``p0`` (R's ``binom.test``).

    $$p_{\mathrm{two\text{-}sided}} = \sum_{k:\ f(k) \le f(x)(1 + 10^{-7})} f(k),\qquad
    f(k) = \binom{n}{k} p_0^k (1 - p_0)^{n-k}$$

    $$p_{\mathrm{greater}} = P(X \ge x),\qquad p_{\mathrm{less}} = P(X \le x),\qquad
    X \sim \mathrm{Binomial}(n, p_0)$$

    Parameters
    ----------
    successes : int or array_like of int
        Conversions, responses ... (a subset of the trials).
    trials : int or array_like of int
        Recipients, sessions, surveys ...
    p0 : float, default 0.5
        The rate under the null hypothesis, in [0, 1].
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: the true rate is above ``p0``; ``"less"``: below it.

    Returns
    -------
    BinomialTest
        ``(estimate, p_value)``: the observed rate and the exact p-value, floats or arrays
        (broadcast); ``nan`` where there are no trials.

    Raises
    ------
    ValueError
        If a count is negative or fractional, successes exceed trials, ``p0`` is outside
        [0, 1], or ``alternative`` is unknown.
    ImportError
        When scipy is not installed (install the ``stats`` extra).

    Notes
    -----
    The test for small samples, where the normal approximation of
    [`two_proportion_test`][crm_metrics.two_proportion_test] and
    [`proportion_ci`][crm_metrics.proportion_ci]'s Wald interval fail. The two-sided
    p-value is R's: the probability of all outcomes no more likely than the observed one,
    with R's relative tolerance of 1e-7 so that outcomes tied with it in exact arithmetic
    are not lost to rounding. It is the same rule as scipy's ``binomtest``. The matching
    interval is ``proportion_ci(..., method="clopper-pearson")``. The binomial
    distribution functions come from scipy (imported on the first call).

    References
    ----------
    R Core Team, ``binom.test`` (package stats); C. J. Clopper and E. S. Pearson,
    Biometrika 26, 1934; W. J. Conover, *Practical Nonparametric Statistics*, Wiley,
    1971, pp. 97-104.

    Examples
    --------
    Mendel's peas (R's ``binom.test`` example): 682 of 925 plants are giant, against the
    3/4 his theory predicts.

    >>> import crm_metrics as cm
    >>> round(cm.binomial_test(682, 925, p0=0.75).p_value, 4)
    0.3825
    >>> round(cm.binomial_test(682, 925, p0=0.75, alternative="less").p_value, 4)
    0.196
    """
    binom = _scipy_stats("binomial_test").binom
    s, n = np.broadcast_arrays(
        np.asarray(successes, dtype=np.float64), np.asarray(trials, dtype=np.float64)
    )
    undefined = np.isnan(s) | np.isnan(n) | (n == 0)
    x = np.where(undefined, 0.0, s)
    size = np.where(undefined, 1.0, n)
    if alternative == "less":
        p_value = binom.cdf(x, size, p0)
    elif alternative == "greater":
        p_value = binom.sf(x - 1.0, size, p0)
    else:
        mean = size * p0
        threshold = binom.pmf(x, size, p0) * _RELATIVE_TIE

        def rare(k: NDArray[np.float64]) -> NDArray[np.bool_]:
            return np.asarray(binom.pmf(k, size, p0) <= threshold)

        # below the mean: the outcomes above it at most as likely form a suffix of
        # [ceil(mean), n] (the probabilities fall there); above it, a prefix of [0, floor(mean)]
        start = _first_true(rare, np.ceil(mean), size)
        stop = _first_true(lambda k: ~rare(k), np.zeros_like(size), np.floor(mean))
        below = binom.cdf(x, size, p0) + binom.sf(start - 1.0, size, p0)
        above = binom.cdf(stop - 1.0, size, p0) + binom.sf(x - 1.0, size, p0)
        p_value = np.where(x == mean, 1.0, np.where(x < mean, below, above))
        p_value = np.minimum(p_value, 1.0)
    estimate = safe_divide(s, n)
    return BinomialTest(as_result(estimate), as_result(np.where(undefined, np.nan, p_value)))


class EqualProportionsTest(NamedTuple):
    """Chi-square test that several groups share one rate.

    The result of `equal_proportions_test`: a named tuple.

    Attributes
    ----------
    statistic : float
        Pearson's chi-square statistic (with Yates' correction for two groups, by
        default).
    df : int
        Degrees of freedom: the number of groups minus 1.
    p_value : float
        The p-value from the chi-square distribution with ``df`` degrees of freedom.

    Examples
    --------
    Three subject lines, 1,000 recipients each:

    >>> import crm_metrics as cm
    >>> t = cm.equal_proportions_test([52, 61, 80], [1000, 1000, 1000])
    >>> round(t.statistic, 3), t.df, round(t.p_value, 4)
    (6.789, 2, 0.0336)
    """

    statistic: float
    df: int
    p_value: float

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Chi-square test of equal proportions", self._asdict())


@validated(
    trials=Count(event=True),
    successes=Count(event=True, le="trials"),
    correction=Flag(),
)
def equal_proportions_test(
    successes: ArrayLike, trials: ArrayLike, *, correction: bool = True
) -> EqualProportionsTest:
    r"""Chi-square test of equal rates across k groups (A/B/n tests; R's ``prop.test``).

    $$X^2 = \sum_{i=1}^{k}\left[\frac{(|x_i - n_i\bar p| - c)^2}{n_i\bar p}
    + \frac{(|(n_i - x_i) - n_i(1-\bar p)| - c)^2}{n_i(1-\bar p)}\right],\qquad
    \bar p = \frac{\sum_i x_i}{\sum_i n_i}$$

    with $X^2 \sim \chi^2_{k-1}$ under the null hypothesis that every group has the same
    rate, and $c$ Yates' continuity correction: $c = \min\left(\tfrac12,
    \frac{|x_1/n_1 - x_2/n_2|}{1/n_1 + 1/n_2}\right)$ for two groups with
    ``correction=True``, else $c = 0$.

    Parameters
    ----------
    successes : array_like of int
        Conversions (responses, promoters ...) of each group: one count per group, 1-D.
    trials : array_like of int
        Size of each group, aligned with ``successes``.
    correction : bool, default True
        Apply Yates' continuity correction when there are exactly two groups (R's
        default). It is never applied to three or more groups.

    Returns
    -------
    EqualProportionsTest
        ``(statistic, df, p_value)``: floats and an int. ``nan`` statistic and p-value
        when there are fewer than two groups, a group has no trials, or the pooled rate is
        0 or 1 (no variation to test).

    Raises
    ------
    ValueError
        If a count is negative, fractional or NaN, successes exceed their group, the two
        arrays differ in length or are not 1-D.
    ImportError
        When scipy is not installed (install the ``stats`` extra).

    Notes
    -----
    Pearson's chi-square test on the k x 2 table of successes and failures, as R's
    ``prop.test(x, n)`` computes it without a hypothesised ``p``: with two groups and the
    correction it equals the square of a continuity-corrected two-proportion z statistic;
    without it, the square of [`two_proportion_test`][crm_metrics.two_proportion_test]'s
    ``z``. A small p-value says that at least one group's rate differs, not which one:
    follow up with pairwise tests and a multiple-comparison correction. The chi-square
    approximation wants about 5 expected successes and failures in every group; below
    that, use an exact test. The chi-square tail comes from scipy (imported on the first
    call).

    References
    ----------
    R Core Team, ``prop.test`` (package stats); K. Pearson, Philosophical Magazine 50,
    1900; F. Yates, "Contingency tables involving small numbers and the chi-square test",
    Supplement to JRSS 1, 1934; A. Agresti, *Categorical Data Analysis*, 3rd ed., Wiley,
    2013, section 3.2.

    Examples
    --------
    R's ``prop.test`` example: smokers among patients of four groups.

    >>> import crm_metrics as cm
    >>> t = cm.equal_proportions_test([83, 90, 129, 70], [86, 93, 136, 82])
    >>> round(t.statistic, 2), t.df, round(t.p_value, 6)
    (12.6, 3, 0.005585)
    """
    special = _scipy_special("equal_proportions_test")
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    k = len(x)
    df = max(k - 1, 0)
    if k < 2 or bool((n == 0).any()):
        return EqualProportionsTest(math.nan, df, math.nan)
    pooled = x.sum() / n.sum()
    expected = np.stack([n * pooled, n * (1.0 - pooled)])
    observed = np.stack([x, n - x])
    yates = 0.0
    if correction and k == 2:
        yates = min(0.5, abs(x[0] / n[0] - x[1] / n[1]) / (1.0 / n[0] + 1.0 / n[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = (np.abs(observed - expected) - yates) ** 2 / expected
    statistic = float(terms.sum())
    if not math.isfinite(statistic):  # a pooled rate of 0 or 1: nothing varies
        return EqualProportionsTest(math.nan, df, math.nan)
    return EqualProportionsTest(statistic, df, float(special.chdtrc(df, statistic)))

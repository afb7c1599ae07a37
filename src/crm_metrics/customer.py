"""Customer & loyalty metrics: retention, churn, activity, repeat purchase, CLV.

Two input styles. **Aggregate** functions (``customer_retention_rate``,
``ltv_saas``, ``net_revenue_retention`` ...) take tallies and broadcast. **Event-level**
functions take transactions (``customer_id``, ``ts``, ``amount``, optional ``margin``; one
row per order), select them by the half-open window ``[start, end)`` or a snapshot
``as_of`` (default: one nanosecond after the latest order) and accept ``by=``.

Metrics that read a customer's history (first purchase for :func:`new_customers`,
``lifetime=True`` of :func:`repeat_purchase_rate`, the purchase gaps of
:func:`avg_time_between_purchases`) read it from the whole input; ``by`` only partitions
the records being counted. Distinct-customer counts are exact and not additive over
groups. Nothing loops over records, customers, groups or cohorts in Python: customers are
factorised once, per-customer statistics are ``bincount`` / ``ufunc.at`` passes, and at most
one sort is made (only where purchase order is needed per group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._groupby import (
    Grouped,
    Groups,
    KeysLike,
    default_as_of,
    factorize,
    groups_of,
    in_window,
)
from crm_metrics._math import as_result, ns_per_unit, safe_divide
from crm_metrics._validate import (
    Along,
    Count,
    DistinctPairs,
    Duration,
    Flag,
    Fraction,
    Frequency,
    Instant,
    Keys,
    Money,
    NonNegative,
    Omittable,
    Option,
    Part,
    ScalarDuration,
    Timestamps,
    TzOffset,
    Unit,
    validated,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CohortMatrix",
    "MRRMovements",
    "active_customers",
    "arpu",
    "average_order_value",
    "avg_time_between_purchases",
    "avg_time_between_purchases_from_counts",
    "cac_payback_periods",
    "churn_rate_from_activity",
    "clv_discounted",
    "clv_historical",
    "clv_historical_mean",
    "clv_margin_multiple",
    "clv_simple",
    "cohort_retention_matrix",
    "cohort_revenue_matrix",
    "customer_acquisition_cost",
    "customer_churn_rate",
    "customer_growth_rate",
    "customer_lifetime",
    "customer_retention_cost",
    "customer_retention_rate",
    "gross_revenue_retention",
    "ltv_saas",
    "ltv_to_cac",
    "mrr_movements",
    "net_revenue_retention",
    "new_customers",
    "purchase_frequency",
    "purchase_frequency_from_counts",
    "quick_ratio",
    "reactivation_rate",
    "recency",
    "referral_rate",
    "referrer_rate",
    "repeat_purchase_rate",
    "retained_customers",
    "revenue_churn_rate",
    "share_of_wallet",
]

#: An aggregate result: a Python float for scalar input, a float64 array otherwise.
Result = float | NDArray[np.float64]

_INT64_MIN = np.iinfo(np.int64).min
_INT64_MAX = np.iinfo(np.int64).max
_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000

#: The record rules every transaction metric starts with.
_TX = {"customer_id": Keys(optional=False, multi=False), "ts": Timestamps()}


def _out(values: ArrayLike) -> Result:
    """A 0-d float result as a Python float, anything else as a float64 array."""
    result: Result = as_result(np.asarray(values, dtype=np.float64))
    return result


# --------------------------------------------------------------------------- shared machinery
def _ns(ts: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """Timestamps as int64 nanoseconds (a view, no copy)."""
    return ts.view(np.int64)


def _ns_int(instant: Any) -> int:
    """A validated instant (numpy.datetime64[ns]) as integer nanoseconds."""
    return int(np.asarray(instant, dtype="datetime64[ns]").astype(np.int64))


def _snapshot(ts: NDArray[np.datetime64], as_of: Any) -> int:
    """``as_of`` in ns; default one ns after the latest order (0 for no orders)."""
    if as_of is None:
        as_of = default_as_of(ts)
    return 0 if as_of is None else _ns_int(as_of)


def _minus(instant: int, duration_ns: float) -> int:
    """``instant - duration`` in ns, clipped to the earliest representable timestamp."""
    return max(instant - round(duration_ns), _INT64_MIN + 1)


def _between(t: NDArray[np.int64], lo: int, hi: int) -> NDArray[np.bool_]:
    """Records with ``lo <= t < hi`` (integer ns)."""
    return (t >= lo) & (t < hi)


def _customers(customer_id: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64], int]:
    """Sorted distinct customers, the customer code of every record, and their number."""
    ids, codes, n = factorize(customer_id)
    assert not isinstance(ids, tuple)
    return ids, codes, n


def _kept_customers(customer_id: ArrayLike, keep: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Customer codes of the kept records only (factorising fewer records is faster)."""
    ids = np.asarray(customer_id)
    return _customers(ids if bool(keep.all()) else ids[keep])[1]


def _pairs(
    groups: Groups, cust: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]:
    """Distinct (group, customer) pairs of the kept records.

    Returns the group of each pair, the customer code of each pair, the pair code of
    each record and the number of pairs. Without ``by`` there is one group.
    """
    if groups.codes is None:
        uniq, codes, n = factorize(cust)
        assert not isinstance(uniq, tuple)
        return np.zeros(n, dtype=np.int64), uniq.astype(np.int64, copy=False), codes, n
    group_of = np.zeros(int(cust.max()) + 1 if len(cust) else 0, dtype=np.int64)
    group_of[cust] = groups.codes  # the last record of each customer wins
    if np.array_equal(group_of[cust], groups.codes):
        # Each customer sits in one group (the usual acquisition-cohort split): the pairs
        # are the customers present, found in O(n) without factorising the pairs.
        present = np.bincount(cust, minlength=len(group_of)) > 0
        if bool(present.all()):
            return group_of, np.arange(len(group_of), dtype=np.int64), cust, len(group_of)
        pair_cust = np.flatnonzero(present).astype(np.int64)
        pair_of = np.cumsum(present, dtype=np.int64) - 1
        return group_of[pair_cust], pair_cust, pair_of[cust], len(pair_cust)
    keys, codes, n = factorize((groups.codes, cust))
    assert isinstance(keys, tuple)
    return keys[0], keys[1], codes, n


def _per_group(pair_group: NDArray[np.int64], weights: Any, n_groups: int) -> NDArray[np.float64]:
    """Sum of a per-pair quantity per group (a count when ``weights`` is boolean)."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    out: NDArray[np.float64] = np.bincount(pair_group, weights=w, minlength=n_groups).astype(
        np.float64, copy=False
    )
    return out


def _first_ts(cust: NDArray[np.int64], t: NDArray[np.int64], n_cust: int) -> NDArray[np.int64]:
    """Each customer's earliest order, int64 ns."""
    first = np.full(n_cust, _INT64_MAX, dtype=np.int64)
    np.minimum.at(first, cust, t)
    return first


# =========================================================================== aggregates
@validated(
    customers_start=Count(),
    new_customers=Count(),
    customers_end=Part(Count(), of="customers_start", net_of="new_customers"),
)
def customer_retention_rate(
    customers_start: ArrayLike, customers_end: ArrayLike, new_customers: ArrayLike
) -> Result:
    r"""Customer retention rate: the share of the starting customers still customers at the end.

    $$\mathrm{CRR} = \frac{E - N}{S}$$

    Parameters
    ----------
    customers_start : int or array_like of int
        Customers at the start of the period, ``S``.
    customers_end : int or array_like of int
        Customers at the end of the period, ``E`` (new ones included).
    new_customers : int or array_like of int
        Customers acquired during the period, ``N``.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where ``S == 0``. Arrays broadcast element-wise.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or unless ``0 <= E - N <= S``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    The standard count definition [CRR]: ``E - N`` are the retained customers
    ([`retained_customers`][crm_metrics.retained_customers]), so customers won during the
    period never inflate retention. With ``E = S - lost + N``,
    ``customer_retention_rate(S, E, N) + customer_churn_rate(lost, S) == 1``. A zero start
    count is a zero denominator: ``nan``, no warning.

    References
    ----------
    Intigent and Exprimere glossaries, "customer retention rate".

    Examples
    --------
    200 customers at the start, 190 at the end of which 30 are new:

    >>> import crm_metrics as cm
    >>> cm.customer_retention_rate(200, 190, 30)
    0.8
    >>> cm.customer_retention_rate([200, 0], [190, 5], [30, 5])
    array([0.8, nan])
    """
    s, e, n = (np.asarray(x) for x in (customers_start, customers_end, new_customers))
    return _out(safe_divide(e - n, s))


@validated(customers_end=Count(), new_customers=Count(le="customers_end"))
def retained_customers(customers_end: ArrayLike, new_customers: ArrayLike) -> Result:
    r"""Retained customers: customers at the end of the period who were not acquired in it.

    $$R = E - N$$

    Parameters
    ----------
    customers_end : int or array_like of int
        Customers at the end of the period, ``E``.
    new_customers : int or array_like of int
        Customers acquired during the period, ``N`` (at most ``E``).

    Returns
    -------
    float or numpy.ndarray
        A whole number >= 0, as float (aggregate counts are float64 so that NaN inputs
        propagate).

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or ``N > E`` (a negative result).
    TypeError
        If a count is not numeric.

    Notes
    -----
    The numerator of [`customer_retention_rate`][crm_metrics.customer_retention_rate]
    (Intigent, Exprimere). With ``E = S - lost + N`` it equals ``S - lost``.

    References
    ----------
    Intigent and Exprimere glossaries.

    Examples
    --------
    190 customers at the end of the quarter, 30 of them acquired during it: 160 were kept.

    >>> import crm_metrics as cm
    >>> cm.retained_customers(190, 30)
    160.0
    """
    e, n = np.asarray(customers_end), np.asarray(new_customers)
    return _out(e - n)


@validated(
    customers_start=Count(),
    customers_lost=Count(le="customers_start"),
    base=Option(choices=("start", "average")),
    customers_end=Omittable(Count(), required_if=("base", "average")),
)
def customer_churn_rate(
    customers_lost: ArrayLike,
    customers_start: ArrayLike,
    *,
    customers_end: ArrayLike | None = None,
    base: str = "start",
) -> Result:
    r"""Customer churn rate: customers lost in the period over the customers at its start.

    $$\mathrm{churn} = \frac{L}{S}
    \qquad\text{or, with } \texttt{base="average"}:\qquad
    \frac{L}{(S + E) / 2}$$

    Parameters
    ----------
    customers_lost : int or array_like of int
        Customers lost during the period, ``L`` (at most ``S``).
    customers_start : int or array_like of int
        Customers at the start of the period, ``S``.
    customers_end : int or array_like of int, optional
        Customers at the end of the period, ``E``; required with ``base="average"``.
    base : {"start", "average"}, default "start"
        The denominator: the start count, or the mean of the start and end counts.

    Returns
    -------
    float or numpy.ndarray
        With ``base="start"`` a fraction in [0, 1]; with ``base="average"`` a ratio >= 0
        (it can exceed 1 when the base shrinks). ``nan`` for a zero denominator.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, ``L > S``, or ``base`` is unknown.
    TypeError
        If a count is not numeric, or ``customers_end`` is missing with ``base="average"``.

    Notes
    -----
    Default: the start base (Calqulate, CreativeG); the average
    base is the variant that damps the effect of fast growth. The end count is named
    ``customers_end`` as in
    [`customer_retention_rate`][crm_metrics.customer_retention_rate].

    References
    ----------
    Calqulate and CreativeG churn glossaries.

    Examples
    --------
    20 of the 200 customers at the start of the month cancelled: 10 % churn. With 200 customers at
    the end as well (new ones replaced the lost), the average base gives the same figure.

    >>> import crm_metrics as cm
    >>> cm.customer_churn_rate(20, 200)
    0.1
    >>> cm.customer_churn_rate(20, 200, customers_end=200, base="average")
    0.1
    """
    lost, start = np.asarray(customers_lost), np.asarray(customers_start)
    if base == "average":
        return _out(safe_divide(lost, (start + np.asarray(customers_end)) / 2.0))
    return _out(safe_divide(lost, start))


@validated(customers_start=Count(), customers_end=Count())
def customer_growth_rate(customers_start: ArrayLike, customers_end: ArrayLike) -> Result:
    r"""Customer growth rate: relative change of the customer count over the period.

    $$g = \frac{E - S}{S}$$

    Parameters
    ----------
    customers_start, customers_end : int or array_like of int
        Customers at the start (``S``) and at the end (``E``) of the period.

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1 (0.25 means +25 %); ``nan`` where ``S == 0``.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Plain percent change; a zero start is a zero denominator (``nan``). Unlike retention it nets new
    customers against lost ones, so it says nothing about who stayed.

    References
    ----------
    Standard percent change.

    Examples
    --------
    From 200 to 250 customers over the year: +25 %.

    >>> import crm_metrics as cm
    >>> cm.customer_growth_rate(200, 250)
    0.25
    """
    s, e = np.asarray(customers_start), np.asarray(customers_end)
    return _out(safe_divide(e - s, s))


@validated(revenue=Money(), orders=Count())
def average_order_value(revenue: ArrayLike, orders: ArrayLike) -> Result:
    r"""Average order value (average check): revenue per order.

    $$\mathrm{AOV} = \frac{\text{revenue}}{\text{orders}}$$

    Parameters
    ----------
    revenue : float or array_like
        Revenue of the period, >= 0.
    orders : int or array_like of int
        Orders of the period.

    Returns
    -------
    float or numpy.ndarray
        Money per order; ``nan`` where there are no orders.

    Raises
    ------
    ValueError
        If revenue is negative or infinite, or a count is negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Order-weighted by construction (Omniconvert). ``AOV * purchase_frequency`` is revenue per
    customer.

    References
    ----------
    Omniconvert, "Average order value".

    Examples
    --------
    250 orders brought in 12,500 of revenue this month:

    >>> import crm_metrics as cm
    >>> cm.average_order_value(12_500.0, 250)
    50.0
    """
    return _out(safe_divide(revenue, orders))


@validated(orders=Count(), customers=Count(le="orders"))
def purchase_frequency_from_counts(orders: ArrayLike, customers: ArrayLike) -> Result:
    r"""Purchase frequency from tallies: orders per distinct customer.

    $$F = \frac{\text{orders}}{\text{distinct customers}}$$

    Parameters
    ----------
    orders : int or array_like of int
        Orders in the period.
    customers : int or array_like of int
        Distinct customers who ordered in the period (at most ``orders``).

    Returns
    -------
    float or numpy.ndarray
        >= 1 where defined; ``nan`` where there are no customers.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or ``customers > orders``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    The aggregate twin of [`purchase_frequency`][crm_metrics.purchase_frequency]: orders
    and distinct customers of one period (Omniconvert; Little Stream Software). Every customer
    counted has at least one order, hence the rule ``customers <= orders`` and a result >= 1; no
    customers gives ``nan``.

    References
    ----------
    Omniconvert; Little Stream Software, "Customer purchase latency".

    Examples
    --------
    250 orders from 100 distinct customers in the quarter:

    >>> import crm_metrics as cm
    >>> cm.purchase_frequency_from_counts(250, 100)
    2.5
    """
    return _out(safe_divide(orders, customers))


@validated(unit=Unit(), total_gap=Duration(), gaps=Count())
def avg_time_between_purchases_from_counts(
    total_gap: ArrayLike, gaps: ArrayLike, *, unit: str = "D"
) -> Result:
    r"""Average time between purchases from its sufficient statistics: total gap time / gaps.

    $$\bar g = \frac{\sum \text{gaps}}{n_\text{gaps}}
    = \frac{\sum_c (\text{last}_c - \text{first}_c)}{\text{orders} - \text{customers}}$$

    Parameters
    ----------
    total_gap : float, numpy.timedelta64 or array_like
        Sum of the gaps between consecutive orders of the same customer. Numbers are read
        in ``unit``; ``timedelta64`` values are unit-free.
    gaps : int or array_like of int
        Number of those gaps.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of the result (and of a numeric ``total_gap``).

    Returns
    -------
    float or numpy.ndarray
        The pooled mean gap in ``unit``; ``nan`` where there are no gaps.

    Raises
    ------
    ValueError
        If ``total_gap`` is negative or NaN, or ``gaps`` is negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The aggregate twin of the pooled
    [`avg_time_between_purchases`][crm_metrics.avg_time_between_purchases]. Because the
    gaps of one customer telescope, ``total_gap`` is the sum over customers of (last order -
    first order) and ``gaps = orders - customers``: a warehouse query of first and last
    order dates per customer is enough (Little Stream Software). No gaps (every customer ordered
    once) gives ``nan``. The customer-weighted variant cannot be rebuilt from these two totals.

    References
    ----------
    Little Stream Software, "Customer purchase latency".

    Examples
    --------
    Three customers spanning 40, 0 and 80 days with 9 orders in all:

    >>> import crm_metrics as cm
    >>> cm.avg_time_between_purchases_from_counts(120.0, 9 - 3)
    20.0
    >>> import numpy as np
    >>> cm.avg_time_between_purchases_from_counts(np.timedelta64(48, "h"), 2, unit="h")
    24.0
    """
    return _out(safe_divide(np.asarray(total_gap) / float(ns_per_unit(unit)), gaps))


@validated(
    revenue=Money(),
    customers=Count(),
    customers_end=Omittable(Count()),
)
def arpu(
    revenue: ArrayLike, customers: ArrayLike, *, customers_end: ArrayLike | None = None
) -> Result:
    r"""ARPU / ARPA: revenue per (average) customer or account in the period.

    $$\mathrm{ARPU} = \frac{\text{revenue}}{\bar C},\qquad
    \bar C = C \ \text{or}\ \frac{C_\text{start} + C_\text{end}}{2}$$

    Parameters
    ----------
    revenue : float or array_like
        Revenue of the period, >= 0.
    customers : int or array_like of int
        Customers (accounts) of the period; the start count when ``customers_end`` is given.
    customers_end : int or array_like of int, optional
        Customers at the end of the period; when given, the denominator is the mean of
        the two counts.

    Returns
    -------
    float or numpy.ndarray
        Money per customer per period; ``nan`` for a zero denominator.

    Raises
    ------
    ValueError
        If revenue is negative or infinite, or a count is negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    ARPU and ARPA are the same formula on users or accounts (Ordercast, ProdCamp). Keep units
    consistent: monthly revenue gives a monthly ARPA.

    References
    ----------
    Ordercast and ProdCamp ARPU guides.

    Examples
    --------
    10,000 of monthly revenue from 200 accounts; then the same revenue over a base that grew from
    150 to 250 accounts (average 200):

    >>> import crm_metrics as cm
    >>> cm.arpu(10_000.0, 200)
    50.0
    >>> cm.arpu(10_000.0, 150, customers_end=250)
    50.0
    """
    c = np.asarray(customers)
    if customers_end is not None:
        c = (c + np.asarray(customers_end)) / 2.0
    return _out(safe_divide(revenue, c))


@validated(
    total_category_spend=Money(),
    spend_with_us=Part(Money(), of="total_category_spend"),
)
def share_of_wallet(spend_with_us: ArrayLike, total_category_spend: ArrayLike) -> Result:
    r"""Share of wallet: the customer's spend with us over their spend in the category.

    $$\mathrm{SoW} = \frac{\text{spend with us}}{\text{total category spend}}$$

    Parameters
    ----------
    spend_with_us : float or array_like
        The customer's (or segment's) spend with us, >= 0.
    total_category_spend : float or array_like
        Their total spend in the category, with all providers (at least ``spend_with_us``).

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where the category spend is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or ``spend_with_us`` exceeds the total.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    The category total usually comes from a survey or panel (HubSpot, Marketing Binder).

    References
    ----------
    HubSpot blog, "Share of wallet"; Marketing Binder.

    Examples
    --------
    A customer spends 1,200 a year on office supplies, 300 of it with us:

    >>> import crm_metrics as cm
    >>> cm.share_of_wallet(300.0, 1200.0)
    0.25
    """
    return _out(safe_divide(spend_with_us, total_category_spend))


@validated(churn_rate=Fraction())
def customer_lifetime(churn_rate: ArrayLike) -> Result:
    r"""Expected customer lifetime in periods: the reciprocal of the per-period churn rate.

    $$T = \frac{1}{\text{churn}}$$

    Parameters
    ----------
    churn_rate : float or array_like
        Churn per period, a fraction in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Periods (months for a monthly churn rate); ``nan`` for zero churn (never inf).

    Raises
    ------
    ValueError
        If the churn rate is outside [0, 1].
    TypeError
        If it is not numeric.

    Notes
    -----
    The mean of a geometric lifetime with constant churn (D. Skok).

    References
    ----------
    D. Skok, forEntrepreneurs, "SaaS metrics 2.0".

    Examples
    --------
    A 5 % monthly churn means customers stay 20 months on average; zero churn has no finite mean:

    >>> import crm_metrics as cm
    >>> cm.customer_lifetime(0.05)
    20.0
    >>> cm.customer_lifetime([0.5, 0.0])
    array([ 2., nan])
    """
    return _out(safe_divide(1.0, churn_rate))


@validated(
    aov=Money(),
    purchases_per_period=NonNegative(),
    lifetime_periods=NonNegative(),
    gross_margin=Fraction(),
)
def clv_simple(
    aov: ArrayLike,
    purchases_per_period: ArrayLike,
    lifetime_periods: ArrayLike,
    *,
    gross_margin: ArrayLike = 1.0,
) -> Result:
    r"""Simple CLV: average order value x purchase frequency x lifetime x gross margin.

    $$\mathrm{CLV} = \mathrm{AOV} \cdot f \cdot T \cdot \mathrm{GM}$$

    Parameters
    ----------
    aov : float or array_like
        Average order value, >= 0.
    purchases_per_period : float or array_like
        Orders per customer per period, >= 0.
    lifetime_periods : float or array_like
        Expected lifetime in the same periods, >= 0 (e.g.
        [`customer_lifetime`][crm_metrics.customer_lifetime]).
    gross_margin : float or array_like, default 1
        Gross margin as a fraction; 1 gives a revenue (not profit) CLV.

    Returns
    -------
    float or numpy.ndarray
        Money per customer, undiscounted.

    Raises
    ------
    ValueError
        If an argument is negative or infinite, or the margin is outside [0, 1].
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The calculator formula of Ometria and of D. Skok; it ignores discounting and retention
    decay (see [`clv_margin_multiple`][crm_metrics.clv_margin_multiple] and
    [`clv_discounted`][crm_metrics.clv_discounted]). The default ``gross_margin=1`` gives a
    revenue CLV; pass the margin fraction for a profit CLV. A plain product: no division,
    so no ``nan`` case.

    References
    ----------
    Ometria, "Historic customer lifetime value" and AOV x frequency x lifespan calculators; D. Skok,
    forEntrepreneurs SaaS metrics.

    Examples
    --------
    Orders of 50, twice a year, for three years, at a 50 % gross margin:

    >>> import crm_metrics as cm
    >>> cm.clv_simple(50.0, 2.0, 3.0, gross_margin=0.5)
    150.0
    """
    a, f, t, m = (
        np.asarray(x) for x in (aov, purchases_per_period, lifetime_periods, gross_margin)
    )
    return _out(a * f * t * m)


@validated(
    margin=Money(signed=True),
    retention=Fraction(),
    discount_rate=NonNegative(),
    timing=Option(choices=("end", "begin")),
)
def clv_margin_multiple(
    margin: ArrayLike, retention: ArrayLike, discount_rate: ArrayLike, *, timing: str = "end"
) -> Result:
    r"""CLV as a margin multiple (Gupta & Lehmann): infinite horizon, constant m, r and d.

    $$\mathrm{CLV} = m \cdot \frac{r}{1 + d - r}
    \qquad\text{or, with } \texttt{timing="begin"}:\qquad m \cdot \frac{1 + d}{1 + d - r}$$

    Parameters
    ----------
    margin : float or array_like
        Margin per customer per period, ``m`` (any sign).
    retention : float or array_like
        Retention rate per period, ``r`` in [0, 1].
    discount_rate : float or array_like
        Discount rate per period, ``d`` >= 0.
    timing : {"end", "begin"}, default "end"
        ``"end"``: margins arrive at the end of each period and the first is earned only if
        the customer is retained (Gupta & Lehmann 2003). ``"begin"``: the first margin is
        earned now, so the value is ``m`` more.

    Returns
    -------
    float or numpy.ndarray
        Money; ``nan`` where ``r == 1`` and ``d == 0`` (an infinite sum, never inf).

    Raises
    ------
    ValueError
        If ``r`` is outside [0, 1], ``d`` is negative, or ``timing`` is unknown.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Default: the Gupta-Lehmann (2003) end-of-period reading (see [Definitions
    compared](definitions-compared.md#clv-margin-multiple-when-the-margin-arrives));
    ``timing="begin"`` equals ``timing="end"`` plus ``m``. It is the limit of
    [`clv_discounted`][crm_metrics.clv_discounted] for a long horizon.

    References
    ----------
    S. Gupta, D. Lehmann, "Customers as Assets", Journal of Interactive Marketing 17(1),
    2003; S. Gupta, D. Lehmann, J. Stuart, "Valuing Customers", JMR 41(1), 2004.

    Examples
    --------
    Margin 100 per year, 80 % retention, 12 % discount rate: a 2.5x multiple.

    >>> import crm_metrics as cm
    >>> round(cm.clv_margin_multiple(100.0, 0.8, 0.12), 10)
    250.0
    >>> round(cm.clv_margin_multiple(100.0, 0.8, 0.12, timing="begin"), 10)
    350.0
    """
    m, r, d = (np.asarray(x) for x in (margin, retention, discount_rate))
    top = r if timing == "end" else 1.0 + d
    # (1 - r) + d, not 1 + d - r: exact 1 - r keeps a tiny d from vanishing in 1 + d
    multiple = safe_divide(top, (1.0 - r) + d)
    with np.errstate(over="ignore", invalid="ignore"):  # a subnormal d overflows the multiple
        return _out(m * multiple)


@validated(
    margins=Money(signed=True, event=True),
    retention=Along(Fraction(), of="margins"),
    discount_rate=NonNegative(),
    acquisition_cost=Money(),
    timing=Option(choices=("end", "begin")),
)
def clv_discounted(
    margins: ArrayLike,
    retention: ArrayLike,
    discount_rate: ArrayLike,
    *,
    acquisition_cost: ArrayLike = 0.0,
    timing: str = "end",
) -> float:
    r"""Discounted CLV over a finite horizon of T periods, net of acquisition cost.

    $$\mathrm{CLV} = \sum_{t=1}^{T} \frac{m_t S_t}{(1 + d)^t} - \mathrm{AC},\qquad
    S_t = \prod_{j \le t} r_j$$

    and, with ``timing="begin"``, $\sum_{t=0}^{T-1} m_{t+1} S_t / (1 + d)^t - \mathrm{AC}$
    with $S_0 = 1$.

    Parameters
    ----------
    margins : array_like
        Margin per customer for periods 1..T (any sign), a 1-D series.
    retention : float or array_like
        Retention per period in [0, 1]: one number (``S_t = r**t``) or one per period.
    discount_rate : float
        Discount rate per period, >= 0.
    acquisition_cost : float, default 0
        Acquisition cost subtracted once, >= 0.
    timing : {"end", "begin"}, default "end"
        When margins arrive, as in [`clv_margin_multiple`][crm_metrics.clv_margin_multiple].

    Returns
    -------
    float
        Money; ``-acquisition_cost`` for an empty series (T = 0).

    Raises
    ------
    ValueError
        If a margin is not finite, a retention is outside [0, 1], the retention series has
        another length than ``margins``, or ``discount_rate`` / ``acquisition_cost`` is
        negative.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    A series function: it works along ``margins`` and does not broadcast.
    The end-of-period timing follows Gupta and Lehmann (2003); ``"begin"`` is the Gupta et al.
    (2006) form whose first margin is earned before any churn. With constant m, r and d it converges
    to [`clv_margin_multiple`][crm_metrics.clv_margin_multiple] as T grows.

    References
    ----------
    S. Gupta et al., "Modeling Customer Lifetime Value", Journal of Service Research 9(2),
    2006.

    Examples
    --------
    Two periods of margin 100, 50 % retention, no discounting: 100 x 0.5 + 100 x 0.25 = 75 with
    margins at period end, 100 + 100 x 0.5 = 150 with margins at period start; an empty horizon
    leaves only the acquisition cost:

    >>> import crm_metrics as cm
    >>> round(cm.clv_discounted([100.0, 100.0], 0.5, 0.0), 10)
    75.0
    >>> round(cm.clv_discounted([100.0, 100.0], 0.5, 0.0, timing="begin"), 10)
    150.0
    >>> cm.clv_discounted([], 0.8, 0.1, acquisition_cost=40.0)
    -40.0
    """
    m = np.asarray(margins)
    n = len(m)
    r = np.broadcast_to(np.asarray(retention, dtype=np.float64), (n,))
    d = float(discount_rate)  # type: ignore[arg-type]
    ac = float(acquisition_cost)  # type: ignore[arg-type]
    survival = np.cumprod(r)  # S_1 .. S_T
    if timing == "begin":
        survival = np.concatenate(([1.0], survival[:-1]))  # S_0 .. S_{T-1}
        powers = np.arange(n, dtype=np.float64)
    else:
        powers = np.arange(1, n + 1, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        discount = np.power(1.0 + d, -powers)
    return float(np.sum(m * survival * discount)) - ac


@validated(arpa=Money(), gross_margin=Fraction(), churn_rate=Fraction())
def ltv_saas(arpa: ArrayLike, gross_margin: ArrayLike, churn_rate: ArrayLike) -> Result:
    r"""SaaS LTV: ARPA times gross margin over the churn rate.

    $$\mathrm{LTV} = \frac{\mathrm{ARPA} \cdot \mathrm{GM}}{\text{churn}}$$

    Parameters
    ----------
    arpa : float or array_like
        Average revenue per account per period, >= 0.
    gross_margin : float or array_like
        Gross margin, a fraction in [0, 1].
    churn_rate : float or array_like
        Churn per period (same period as ARPA), a fraction in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Money per account; ``nan`` for zero churn (never inf).

    Raises
    ------
    ValueError
        If ARPA is negative or a fraction is outside [0, 1].
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Equals ``arpa * gross_margin * customer_lifetime(churn_rate)`` (D. Skok); undiscounted.

    References
    ----------
    D. Skok, forEntrepreneurs SaaS metrics; ChartMogul LTV.

    Examples
    --------
    ARPA of 100 a month, 80 % gross margin and 4 % monthly churn (a 25-month expected lifetime):

    >>> import crm_metrics as cm
    >>> cm.ltv_saas(100.0, 0.8, 0.04)
    2000.0
    """
    a, g, c = (np.asarray(x) for x in (arpa, gross_margin, churn_rate))
    return _out(safe_divide(a * g, c))


@validated(sales_spend=Money(), marketing_spend=Money(), new_customers=Count())
def customer_acquisition_cost(
    sales_spend: ArrayLike, marketing_spend: ArrayLike, new_customers: ArrayLike
) -> Result:
    r"""Customer acquisition cost: sales and marketing spend per new customer.

    $$\mathrm{CAC} = \frac{\text{sales} + \text{marketing}}{N}$$

    Parameters
    ----------
    sales_spend, marketing_spend : float or array_like
        Spend of the period, >= 0.
    new_customers : int or array_like of int
        Customers acquired in the period.

    Returns
    -------
    float or numpy.ndarray
        Money per new customer; ``nan`` where there are none.

    Raises
    ------
    ValueError
        If spend is negative or infinite, or the count is negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The fully loaded (sales + marketing) CAC (D. Skok); pass 0 sales spend for a
    marketing-only CAC.

    References
    ----------
    D. Skok, forEntrepreneurs SaaS metrics.

    Examples
    --------
    A quarter with 30,000 of sales spend and 20,000 of marketing spend won 100 new customers:

    >>> import crm_metrics as cm
    >>> cm.customer_acquisition_cost(30_000.0, 20_000.0, 100)
    500.0
    """
    s, m = np.asarray(sales_spend), np.asarray(marketing_spend)
    return _out(safe_divide(s + m, new_customers))


@validated(ltv=Money(), cac=Money())
def ltv_to_cac(ltv: ArrayLike, cac: ArrayLike) -> Result:
    r"""LTV:CAC: lifetime value over acquisition cost.

    $$\frac{\mathrm{LTV}}{\mathrm{CAC}}$$

    Parameters
    ----------
    ltv : float or array_like
        Lifetime value per customer, >= 0.
    cac : float or array_like
        Acquisition cost per customer, >= 0.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (3 is the usual benchmark); ``nan`` where CAC is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    Both figures must be per customer and on the same basis: Skok's LTV is gross-margin
    based ([`ltv_saas`][crm_metrics.ltv_saas]), CAC fully loaded
    ([`customer_acquisition_cost`][crm_metrics.customer_acquisition_cost]). A ratio of 3 or
    more is the common benchmark (D. Skok). A zero CAC is a zero denominator: ``nan``.

    References
    ----------
    D. Skok, forEntrepreneurs SaaS metrics.

    Examples
    --------
    An LTV of 1,500 against a CAC of 500 meets the 3:1 benchmark:

    >>> import crm_metrics as cm
    >>> cm.ltv_to_cac(1500.0, 500.0)
    3.0
    """
    return _out(safe_divide(ltv, cac))


@validated(cac=Money(), arpa=Money(), gross_margin=Fraction())
def cac_payback_periods(cac: ArrayLike, arpa: ArrayLike, gross_margin: ArrayLike) -> Result:
    r"""CAC payback: periods of gross-margin ARPA needed to earn back the acquisition cost.

    $$\text{payback} = \frac{\mathrm{CAC}}{\mathrm{ARPA} \cdot \mathrm{GM}}$$

    Parameters
    ----------
    cac : float or array_like
        Acquisition cost per customer, >= 0.
    arpa : float or array_like
        Revenue per account per period, >= 0.
    gross_margin : float or array_like
        Gross margin, a fraction in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Periods of ARPA (months for a monthly ARPA); ``nan`` where ARPA x GM is 0.

    Raises
    ------
    ValueError
        If an amount is negative or the margin is outside [0, 1].
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Undiscounted and churn-free: the months of gross profit one account must stay to repay
    its CAC (HiveMetric, Calqulate). ``cac_payback_periods(cac, arpa, gm) * arpa * gm == cac``. Zero
    ARPA or zero margin is a zero denominator: ``nan`` (never inf).

    References
    ----------
    HiveMetric and Calqulate CAC payback.

    Examples
    --------
    A CAC of 600, repaid by 100 a month of ARPA at a 50 % gross margin, takes a year:

    >>> import crm_metrics as cm
    >>> cm.cac_payback_periods(600.0, 100.0, 0.5)
    12.0
    """
    c, a, g = (np.asarray(x) for x in (cac, arpa, gross_margin))
    return _out(safe_divide(c, a * g))


@validated(retention_spend=Money(), customers_retained=Count())
def customer_retention_cost(retention_spend: ArrayLike, customers_retained: ArrayLike) -> Result:
    r"""Customer retention cost: retention spend per retained customer.

    $$\frac{\text{retention spend}}{\text{customers retained}}$$

    Parameters
    ----------
    retention_spend : float or array_like
        Spend on retention in the period, >= 0.
    customers_retained : int or array_like of int
        Customers retained in the period (e.g.
        [`retained_customers`][crm_metrics.retained_customers]).

    Returns
    -------
    float or numpy.ndarray
        Money per retained customer; ``nan`` where none were retained.

    Raises
    ------
    ValueError
        If the spend is negative or infinite, or the count is negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Spend per customer kept, as in Gainsight's calculator [RetCost]: loyalty programmes,
    customer-success salaries, win-back offers of the period. Compare it with
    [`customer_acquisition_cost`][crm_metrics.customer_acquisition_cost] of the same
    period. No retained customers gives ``nan``.

    References
    ----------
    Gainsight cost-of-retention calculator.

    Examples
    --------
    8,000 spent on a loyalty programme in a quarter that kept 160 customers:

    >>> import crm_metrics as cm
    >>> cm.customer_retention_cost(8_000.0, 160)
    50.0
    """
    return _out(safe_divide(retention_spend, customers_retained))


_RR = {
    "start_rr": Money(),
    "contraction": Money(),
    "churned": Part(Money(), of="start_rr", plus=("contraction",)),
}


@validated(expansion=Money(), **_RR)
def net_revenue_retention(
    start_rr: ArrayLike, expansion: ArrayLike, contraction: ArrayLike, churned: ArrayLike
) -> Result:
    r"""Net revenue retention: recurring revenue kept from the starting cohort, expansion included.

    $$\mathrm{NRR} = \frac{R_0 + \text{expansion} - \text{contraction} - \text{churned}}{R_0}$$

    Parameters
    ----------
    start_rr : float or array_like
        Recurring revenue of the customers present at the start, ``R_0`` >= 0.
    expansion : float or array_like
        Upsell / cross-sell revenue gained from those customers, >= 0.
    contraction : float or array_like
        Downgrades of those customers, >= 0.
    churned : float or array_like
        Revenue of those customers who left, >= 0 (``contraction + churned <= R_0``).

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 that may exceed 1; ``nan`` where ``R_0 == 0``.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or ``contraction + churned > start_rr``.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    Cohort-based: revenue of customers acquired during the period is excluded (RevenueCalculators,
    ChurnZero). ``net_revenue_retention - gross_revenue_retention == expansion / start_rr``.

    References
    ----------
    RevenueCalculators NRR guide; ChurnZero.

    Examples
    --------
    A year starting with 100,000 of ARR: the customers present then expanded by 15,000, downgraded
    by 3,000, and 7,000 churned:

    >>> import crm_metrics as cm
    >>> cm.net_revenue_retention(100_000.0, 15_000.0, 3_000.0, 7_000.0)
    1.05
    """
    r0, ex, co, ch = (np.asarray(x) for x in (start_rr, expansion, contraction, churned))
    return _out(safe_divide(r0 + ex - co - ch, r0))


@validated(**_RR)
def gross_revenue_retention(
    start_rr: ArrayLike, contraction: ArrayLike, churned: ArrayLike
) -> Result:
    r"""Gross revenue retention: recurring revenue kept from the starting cohort, no expansion.

    $$\mathrm{GRR} = \frac{R_0 - \text{contraction} - \text{churned}}{R_0}$$

    Parameters
    ----------
    start_rr : float or array_like
        Recurring revenue of the customers present at the start, >= 0.
    contraction, churned : float or array_like
        Downgrades and churned revenue of those customers, >= 0, together at most ``start_rr``.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1] (capped at 100 % by construction); ``nan`` where ``R_0 == 0``.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or ``contraction + churned > start_rr``.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    ``gross_revenue_retention + revenue_churn_rate == 1`` and GRR <= NRR (RevenueCalculators,
    ChurnZero).

    References
    ----------
    dnoise, "Gross revenue retention".

    Examples
    --------
    The same year, expansion left out:

    >>> import crm_metrics as cm
    >>> cm.gross_revenue_retention(100_000.0, 3_000.0, 7_000.0)
    0.9
    """
    r0, co, ch = (np.asarray(x) for x in (start_rr, contraction, churned))
    return _out(safe_divide(r0 - co - ch, r0))


@validated(**_RR)
def revenue_churn_rate(start_rr: ArrayLike, contraction: ArrayLike, churned: ArrayLike) -> Result:
    r"""Revenue churn rate: share of starting recurring revenue lost to downgrades and churn.

    $$\frac{\text{contraction} + \text{churned}}{R_0}$$

    Parameters
    ----------
    start_rr : float or array_like
        Recurring revenue of the customers present at the start, >= 0.
    contraction, churned : float or array_like
        Downgrades and churned revenue of those customers, >= 0, together at most ``start_rr``.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where ``R_0 == 0``.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or ``contraction + churned > start_rr``.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    Gross revenue churn, expansion not netted (RevenueCalculators, ChurnZero):
    ``1 - gross_revenue_retention``.

    References
    ----------
    RevenueCalculators NRR guide.

    Examples
    --------
    The same year: 10,000 of the starting 100,000 was lost.

    >>> import crm_metrics as cm
    >>> cm.revenue_churn_rate(100_000.0, 3_000.0, 7_000.0)
    0.1
    """
    r0, co, ch = (np.asarray(x) for x in (start_rr, contraction, churned))
    return _out(safe_divide(co + ch, r0))


@validated(
    new=Money(), reactivation=Money(), expansion=Money(), contraction=Money(), churned=Money()
)
def quick_ratio(
    new: ArrayLike,
    reactivation: ArrayLike,
    expansion: ArrayLike,
    contraction: ArrayLike,
    churned: ArrayLike,
) -> Result:
    r"""SaaS quick ratio: recurring revenue gained over recurring revenue lost in the period.

    $$Q = \frac{\text{new} + \text{reactivation} + \text{expansion}}
    {\text{contraction} + \text{churned}}$$

    Parameters
    ----------
    new, reactivation, expansion : float or array_like
        MRR gained from new, reactivated and expanding customers, >= 0.
    contraction, churned : float or array_like
        MRR lost to downgrades and churn, >= 0.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (4 is a common benchmark); ``nan`` where nothing was lost.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.
    TypeError
        If an amount is not numeric.

    Notes
    -----
    The five inputs are the columns of [`mrr_movements`][crm_metrics.mrr_movements]
    (RevenueCalculators, ChurnZero). Nothing lost is a zero denominator: ``nan`` (never inf).

    References
    ----------
    RevenueCalculators; ChurnZero.

    Examples
    --------
    A month that gained 5,000 of MRR (3,000 new, 500 reactivated, 1,500 expansion) and lost 1,250
    (500 contraction, 750 churned):

    >>> import crm_metrics as cm
    >>> cm.quick_ratio(3_000.0, 500.0, 1_500.0, 500.0, 750.0)
    4.0
    """
    gained = np.asarray(new) + np.asarray(reactivation) + np.asarray(expansion)
    return _out(safe_divide(gained, np.asarray(contraction) + np.asarray(churned)))


@validated(
    base=Option(choices=("new", "all")),
    total_customers=Omittable(Count(), required_if=("base", "all")),
    new_customers=Part(Count(), of="total_customers"),
    referred_new_customers=Count(le="new_customers"),
)
def referral_rate(
    referred_new_customers: ArrayLike,
    new_customers: ArrayLike,
    *,
    base: str = "new",
    total_customers: ArrayLike | None = None,
) -> Result:
    r"""Referral rate: the share of new customers who came through a referral.

    $$\frac{\text{referred new}}{\text{new}}
    \qquad\text{or, with } \texttt{base="all"}:\qquad
    \frac{\text{referred new}}{\text{total customers}}$$

    Parameters
    ----------
    referred_new_customers : int or array_like of int
        New customers acquired through a referral (at most ``new_customers``).
    new_customers : int or array_like of int
        All new customers of the period.
    base : {"new", "all"}, default "new"
        The denominator: new customers, or all customers (``total_customers``).
    total_customers : int or array_like of int, optional
        All customers (at least ``new_customers``); required with ``base="all"``.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` for a zero denominator.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or a subset exceeds its base.
    TypeError
        If a count is not numeric, or ``total_customers`` is missing with ``base="all"``.

    Notes
    -----
    Default [Ref]: referred new / all new (Wall Street Prep); variant: / all customers
    (ZapScale). "Customers who refer" is the separate
    [`referrer_rate`][crm_metrics.referrer_rate].

    References
    ----------
    Wall Street Prep; ZapScale.

    Examples
    --------
    30 of the 120 customers won this quarter came through a referral; the whole base is 600:

    >>> import crm_metrics as cm
    >>> cm.referral_rate(30, 120)
    0.25
    >>> cm.referral_rate(30, 120, base="all", total_customers=600)
    0.05
    """
    den = np.asarray(total_customers) if base == "all" else np.asarray(new_customers)
    return _out(safe_divide(referred_new_customers, den))


@validated(active_customers=Count(), customers_who_referred=Count(le="active_customers"))
def referrer_rate(customers_who_referred: ArrayLike, active_customers: ArrayLike) -> Result:
    r"""Referrer rate: the share of active customers who referred someone.

    $$\frac{\text{customers who referred}}{\text{active customers}}$$

    Parameters
    ----------
    customers_who_referred : int or array_like of int
        Active customers who made at least one referral.
    active_customers : int or array_like of int
        Active customers of the period (e.g.
        [`active_customers`][crm_metrics.active_customers]).

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where there are no active customers.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or the referrers exceed the active customers.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Okrify's reading of "referral rate" [Ref]: how many customers act as referrers, not
    how many new customers came through referrals (that is
    [`referral_rate`][crm_metrics.referral_rate]). No active customers gives ``nan``.

    References
    ----------
    Okrify, "Referral rate".

    Examples
    --------
    45 of 900 active customers referred someone this year:

    >>> import crm_metrics as cm
    >>> cm.referrer_rate(45, 900)
    0.05
    """
    return _out(safe_divide(customers_who_referred, active_customers))


# =========================================================================== event level
def _duration_ns(value: Any) -> float:
    """A validated duration (float ns) as a Python float."""
    return float(np.asarray(value))


@overload
def active_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = ...,
    as_of: ArrayLike | None = ...,
    unit: str = ...,
    by: None = None,
) -> int: ...
@overload
def active_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = ...,
    as_of: ArrayLike | None = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_TX, unit=Unit(), window=ScalarDuration(), as_of=Instant(), by=Keys())
def active_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = 365,
    as_of: ArrayLike | None = None,
    unit: str = "D",
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""Active customers: distinct customers with an order in the trailing window.

    $$A = \big|\{\, c : \exists\ \text{order of } c
    \text{ with } t \in [\,a - w,\ a) \}\big|,\qquad a = \mathit{as\_of}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order (any sortable key).
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (NaT not allowed).
    window : float or numpy.timedelta64, default 365
        Trailing window ``w`` >= 0; a number is read in ``unit``.
    as_of : datetime64 or ISO-8601 str, optional
        Snapshot instant; default one nanosecond after the latest order.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of a numeric ``window``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders (channel, region ...): distinct customers per
        group among the orders in the window.

    Returns
    -------
    int or Grouped
        A count (0 for no orders); with ``by``, int64 counts per key. Distinct counts are
        not additive over groups.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, a negative window.
    TypeError
        If timestamps are numeric or ids are not array-like.

    Notes
    -----
    Default window 365 days (Lifesight, GrowthSuite; callers often choose 90 or 180).
    The count is non-decreasing in the window.

    References
    ----------
    Lifesight; GrowthSuite.

    Examples
    --------
    Who bought in the 180 days, and in the 90 days, before 2 March 2024?

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "a", "c"]
    >>> ts = ["2023-01-10", "2023-11-02", "2024-02-01", "2024-03-01"]
    >>> cm.active_customers(ids, ts, window=180, as_of="2024-03-02")
    3
    >>> cm.active_customers(ids, ts, window=90, as_of="2024-03-02")
    2
    """
    t = _ns(np.asarray(ts))
    now = _snapshot(np.asarray(ts), as_of)
    keep = _between(t, _minus(now, _duration_ns(window)), now)
    groups = groups_of(by, len(t), keep)
    pair_group = _pairs(groups, _kept_customers(customer_id, keep))[0]
    return groups.finish_count(np.bincount(pair_group, minlength=groups.n_groups))


@overload
def churn_rate_from_activity(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = ...,
    as_of: ArrayLike | None = ...,
    unit: str = ...,
    by: None = None,
) -> float: ...
@overload
def churn_rate_from_activity(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = ...,
    as_of: ArrayLike | None = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_TX, unit=Unit(), window=ScalarDuration(), as_of=Instant(), by=Keys())
def churn_rate_from_activity(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: ArrayLike = 365,
    as_of: ArrayLike | None = None,
    unit: str = "D",
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Activity-based churn (non-contractual): active in the previous window, silent in the last.

    $$\mathrm{churn} = \frac{|B \setminus R|}{|B|},\quad
    B = \{c : \text{order in } [\,a - 2w,\ a - w)\},\quad
    R = \{c : \text{order in } [\,a - w,\ a)\}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps.
    window : float or numpy.timedelta64, default 365
        Window ``w`` >= 0; a number is read in ``unit``.
    as_of : datetime64 or ISO-8601 str, optional
        Snapshot ``a``; default one nanosecond after the latest order.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of a numeric ``window``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders; each group's orders are treated as the
        customer base of that group (a customer silent in one segment churns there).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when the base ``B`` is empty.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, a negative window.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    Without contracts, churn is inferred from silence (Calqulate, CreativeG; Lifesight): the base
    are the customers active in the window before the last one; the churned are those of the base
    without an order in the last window. Orders older than ``a - 2w`` are ignored.

    References
    ----------
    Calqulate and CreativeG churn glossaries; Lifesight.

    Examples
    --------
    a and b bought in the year before last; only a bought again in the last year:

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "c", "a"]
    >>> ts = ["2022-06-01", "2022-09-01", "2023-06-01", "2024-02-01"]
    >>> cm.churn_rate_from_activity(ids, ts, window=365, as_of="2024-03-01")
    0.5
    """
    t = _ns(np.asarray(ts))
    now = _snapshot(np.asarray(ts), as_of)
    w = _duration_ns(window)
    mid = _minus(now, w)
    in_base = _between(t, _minus(now, 2 * w), mid)
    in_recent = _between(t, mid, now)
    keep = in_base | in_recent
    groups = groups_of(by, len(t), keep)
    pair_group, _, rec_pair, n_pairs = _pairs(groups, _kept_customers(customer_id, keep))
    base = np.bincount(rec_pair, weights=in_base[keep], minlength=n_pairs) > 0
    stayed = np.bincount(rec_pair, weights=in_recent[keep], minlength=n_pairs) > 0
    n_base = _per_group(pair_group, base, groups.n_groups)
    churned = _per_group(pair_group, base & ~stayed, groups.n_groups)
    return groups.finish(safe_divide(churned, n_base))


@overload
def new_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    by: None = None,
) -> int: ...
@overload
def new_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_TX, start=Instant(), end=Instant(not_before="start"), by=Keys())
def new_customers(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    end: ArrayLike | None = None,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""New customers: distinct customers whose first-ever order falls in ``[start, end)``.

    $$N = \big|\{\, c : \min_{i:\,c_i = c} t_i \in [\mathit{start}, \mathit{end}) \}\big|$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps: pass the full history, not a window.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window for the first order; None leaves that side open.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders. History-dependent: the first
        order is found over the whole input and the customer is counted in the group of
        that first order (acquisition channel, campaign ...).

    Returns
    -------
    int or Grouped
        A count (0 for no orders); with ``by``, int64 counts per key.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    "First-ever" means first in the input [Active]: history before the data starts is
    unknown, so pass all orders. Two orders at the very first instant with different
    ``by`` keys count the customer in both groups.

    References
    ----------
    Lifesight; GrowthSuite.

    Examples
    --------
    a first bought in December, so in January only b is new (c is new in February):

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "a", "c"]
    >>> ts = ["2023-12-20", "2024-01-05", "2024-01-10", "2024-02-01"]
    >>> cm.new_customers(ids, ts, start="2024-01-01", end="2024-02-01")
    1
    """
    t = _ns(np.asarray(ts))
    _, cust, n_cust = _customers(np.asarray(customer_id))
    first = _first_ts(cust, t, n_cust)
    keep = (t == first[cust]) & in_window(np.asarray(ts), _instant(start), _instant(end))
    groups = groups_of(by, len(t), keep)
    pair_group = _pairs(groups, cust[keep])[0]
    return groups.finish_count(np.bincount(pair_group, minlength=groups.n_groups))


def _instant(value: Any) -> np.datetime64 | None:
    """A validated ``start``/``end``/``as_of`` (numpy.datetime64[ns] or None)."""
    return None if value is None else np.datetime64(value, "ns")


@overload
def repeat_purchase_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    lifetime: bool = ...,
    by: None = None,
) -> float: ...
@overload
def repeat_purchase_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    lifetime: bool = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_TX, start=Instant(), end=Instant(not_before="start"), lifetime=Flag(), by=Keys())
def repeat_purchase_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    end: ArrayLike | None = None,
    lifetime: bool = False,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Repeat purchase rate: the share of the window's customers who ordered at least twice.

    $$\mathrm{RPR} = \frac{|\{c : n_c \ge 2\}|}{|\{c : n_c \ge 1\}|}$$

    with $n_c$ the orders of customer $c$ in ``[start, end)``; with ``lifetime=True`` the
    numerator counts the window's customers with at least two orders in all history
    before ``end``.

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (the anchor).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window; None leaves that side open.
    lifetime : bool, default False
        Count orders before the window too (a first-time buyer in the window whose second
        order is in it counts either way; a returning customer with one order in the
        window counts only with ``lifetime=True``).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders. With ``lifetime=False`` each group's orders are
        counted on their own; with ``lifetime=True`` the history is read from the whole
        input and ``by`` only partitions the window's customers.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when the window has no orders.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``.
    TypeError
        If timestamps are numeric or ``lifetime`` is not a bool.

    Notes
    -----
    Customer-weighted, never order-weighted (Little Stream Software, Bloy, Taptic).
    ``repeat_purchase_rate == 0`` exactly when
    [`purchase_frequency`][crm_metrics.purchase_frequency] of the same window is 1.

    References
    ----------
    Little Stream Software; Bloy; Taptic.

    Examples
    --------
    In January a ordered twice, b and c once each; c had also ordered in June 2023, so it is a
    repeat buyer over its lifetime:

    >>> import crm_metrics as cm
    >>> ids = ["a", "a", "b", "c", "c", "c"]
    >>> ts = ["2024-01-02", "2024-01-20", "2024-01-05", "2023-06-01", "2024-01-07", "2024-03-01"]
    >>> cm.repeat_purchase_rate(ids, ts, start="2024-01-01", end="2024-02-01")
    0.3333333333333333
    >>> cm.repeat_purchase_rate(ids, ts, start="2024-01-01", end="2024-02-01", lifetime=True)
    0.6666666666666666
    """
    t_arr = np.asarray(ts)
    t = _ns(t_arr)
    end_ = _instant(end)
    keep = in_window(t_arr, _instant(start), end_)
    groups = groups_of(by, len(t), keep)
    history: NDArray[np.intp] | None = None
    if lifetime:  # customer codes over the history before end (a superset of the window)
        scope = np.ones(len(t), dtype=bool) if end_ is None else t_arr < end_
        cust = _kept_customers(customer_id, scope)
        n_cust = int(cust.max()) + 1 if len(cust) else 0
        history = np.bincount(cust, minlength=n_cust)
        kept = cust[keep[scope]]
    else:
        kept = _kept_customers(customer_id, keep)
        n_cust = int(kept.max()) + 1 if len(kept) else 0
    if groups.codes is None:  # one group: per-customer counts, no pair factorisation
        orders = np.bincount(kept, minlength=n_cust)
        buyers = orders > 0
        repeat = (history if history is not None else orders) >= 2
        num = np.count_nonzero(buyers & repeat)
        return groups.finish(safe_divide([num], [np.count_nonzero(buyers)]))
    pair_group, pair_cust, rec_pair, n_pairs = _pairs(groups, kept)
    if history is not None:
        is_repeat = history[pair_cust] >= 2
    else:
        is_repeat = np.bincount(rec_pair, minlength=n_pairs) >= 2
    num_g = _per_group(pair_group, is_repeat, groups.n_groups)
    return groups.finish(safe_divide(num_g, _per_group(pair_group, None, groups.n_groups)))


@overload
def purchase_frequency(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    by: None = None,
) -> float: ...
@overload
def purchase_frequency(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_TX, start=Instant(), end=Instant(not_before="start"), by=Keys())
def purchase_frequency(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    end: ArrayLike | None = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Purchase frequency: orders per distinct customer in ``[start, end)``.

    $$F = \frac{\text{orders}}{\text{distinct customers}}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (the anchor).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window; None leaves that side open.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders.

    Returns
    -------
    float or Grouped
        >= 1; ``nan`` when the window has no orders.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    Orders per distinct customer of the window (Omniconvert; Little Stream Software); ``AOV * F`` is
    revenue per customer. Only the window's orders count (no history), and ``by`` splits them, so
    each group's frequency is its own orders over its own customers. Empty window: ``nan``.
    The aggregate twin is
    [`purchase_frequency_from_counts`][crm_metrics.purchase_frequency_from_counts].

    References
    ----------
    Omniconvert; Little Stream Software, "Customer purchase latency".

    Examples
    --------
    Five orders from three customers:

    >>> import crm_metrics as cm
    >>> cm.purchase_frequency(["a", "a", "b", "c", "c"], ["2024-01-01"] * 5)
    1.6666666666666667
    """
    t_arr = np.asarray(ts)
    keep = in_window(t_arr, _instant(start), _instant(end))
    groups = groups_of(by, len(t_arr), keep)
    kept = _kept_customers(customer_id, keep)
    customers = _per_group(_pairs(groups, kept)[0], None, groups.n_groups)
    return groups.finish(safe_divide(groups.count(), customers))


def _span(later: NDArray[np.int64], earlier: NDArray[np.int64]) -> NDArray[np.float64]:
    """``later - earlier`` (>= 0) in float64 ns, exact in uint64 even across 292+ years."""
    diff = later.view(np.uint64) - earlier.view(np.uint64)
    return diff.astype(np.float64)


@overload
def avg_time_between_purchases(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    weight: str = ...,
    unit: str = ...,
    by: None = None,
) -> float: ...
@overload
def avg_time_between_purchases(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = ...,
    end: ArrayLike | None = ...,
    weight: str = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_TX,
    start=Instant(),
    end=Instant(not_before="start"),
    weight=Option(choices=("pooled", "customer")),
    unit=Unit(),
    by=Keys(),
)
def avg_time_between_purchases(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    end: ArrayLike | None = None,
    weight: str = "pooled",
    unit: str = "D",
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Average time between purchases (purchase latency): mean gap between consecutive orders.

    $$\bar g = \frac{\sum_{c}\sum_{i \ge 2} (t_{c,i} - t_{c,i-1})}{\#\text{gaps}}
    \qquad\text{or, with } \texttt{weight="customer"}:\qquad
    \frac{1}{|C|}\sum_{c \in C} \bar g_c$$

    with each customer's orders sorted by time, and a gap counted when its later order
    lies in ``[start, end)``.

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps; pass the full history (the order before ``start`` closes the
        first gap of the window).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window for the later order of each gap (the anchor).
    weight : {"pooled", "customer"}, default "pooled"
        ``"pooled"``: the mean of all gaps. ``"customer"``: the mean over customers (with
        at least one gap) of each customer's mean gap.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of the result.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders; a gap belongs to the group of its later order.
        History-dependent: gaps are computed over the whole input.
        Orders at the same instant are ordered by their ``by`` key.

    Returns
    -------
    float or Grouped
        A duration >= 0 in ``unit``; ``nan`` when there are no gaps.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``,
        an unknown ``weight`` or ``unit``.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    Default: pooled (Little Stream Software; see [Definitions
    compared](definitions-compared.md#time-between-purchases-pooled-or-per-customer)).
    One-order customers add no gap; identical timestamps give a 0 gap. Without ``by`` no sort is
    needed: one customer's gaps telescope to (last order in the window) - (last order before the
    window, or the first order in it), so per-customer minima and maxima are enough. With
    ``by`` the orders are sorted once by (customer, time, key).

    References
    ----------
    Little Stream Software, "Customer purchase latency"; Malartu.

    Examples
    --------
    Customer a orders on days 0, 10 and 40; b on days 0 and 20; c once.

    >>> import crm_metrics as cm
    >>> ids = ["a", "a", "a", "b", "b", "c"]
    >>> ts = ["2024-01-01", "2024-01-11", "2024-02-10", "2024-01-01", "2024-01-21", "2024-01-05"]
    >>> cm.avg_time_between_purchases(ids, ts)
    20.0
    >>> cm.avg_time_between_purchases(ids, ts, weight="customer")
    20.0
    >>> cm.avg_time_between_purchases(ids, ts, start="2024-01-15")
    25.0
    """
    t_arr = np.asarray(ts)
    t = _ns(t_arr)
    start_ = _instant(start)
    sel = in_window(t_arr, start_, _instant(end))
    _, cust, n_cust = _customers(np.asarray(customer_id))
    per_unit = float(ns_per_unit(unit))
    if by is None:
        whole = start_ is None and end is None
        cs, ts_sel = (cust, t) if whole else (cust[sel], t[sel])
        n_in = np.bincount(cs, minlength=n_cust)
        last = np.full(n_cust, _INT64_MIN, dtype=np.int64)
        np.maximum.at(last, cs, ts_sel)
        origin = _first_ts(cs, ts_sel, n_cust)
        gaps = n_in.astype(np.int64)
        if start_ is not None:
            before = t < _ns_int(start_)
            prev = np.full(n_cust, _INT64_MIN, dtype=np.int64)
            np.maximum.at(prev, cust[before], t[before])
            has_prev = prev != _INT64_MIN
            origin = np.where(has_prev, prev, origin)
            gaps -= (n_in > 0) & ~has_prev
        else:
            gaps -= n_in > 0
        with_gap = gaps > 0
        span = _span(last[with_gap], origin[with_gap])
        if weight == "pooled":
            value = safe_divide(span.sum(), gaps[with_gap].sum())
        else:
            value = safe_divide((span / gaps[with_gap]).sum(), len(span))
        return float(value / per_unit)
    # grouped: one sort by (customer, time, key) gives each order its predecessor
    keys_: Any = by
    _, by_codes, _ = factorize(keys_)
    order = np.lexsort((by_codes, t, cust))
    cs, t_sorted = cust[order], t[order]
    has_sorted = np.zeros(len(t), dtype=bool)
    np.equal(cs[1:], cs[:-1], out=has_sorted[1:])
    gap_sorted = np.zeros(len(t), dtype=np.float64)
    gap_sorted[1:] = _span(t_sorted[1:], t_sorted[:-1])
    gap = np.empty(len(t), dtype=np.float64)
    gap[order] = np.where(has_sorted, gap_sorted, 0.0)
    has = np.empty(len(t), dtype=bool)
    has[order] = has_sorted
    groups = groups_of(by, len(t), sel)
    gap_k, has_k = gap[sel], has[sel]
    if weight == "pooled":
        num, den = groups.sum(gap_k), groups.count(has_k).astype(np.float64)
    else:
        pair_group, _, rec_pair, n_pairs = _pairs(groups, cust[sel])
        pair_n = np.bincount(rec_pair, weights=has_k, minlength=n_pairs)
        pair_mean = safe_divide(np.bincount(rec_pair, weights=gap_k, minlength=n_pairs), pair_n)
        valid = pair_n > 0
        num = _per_group(pair_group[valid], pair_mean[valid], groups.n_groups)
        den = _per_group(pair_group[valid], None, groups.n_groups)
    return groups.finish(safe_divide(num, den) / per_unit)


def _customer_keys(customer_id: NDArray[Any], by: Any) -> Any:
    """Per-customer result keys: the ids, or ``(*by, customer_id)`` with ``by``."""
    if by is None:
        return customer_id
    parts = by if isinstance(by, tuple) else (by,)
    return (*parts, customer_id)


def _keyed(groups: Groups, values: NDArray[Any]) -> Grouped:
    assert groups.keys is not None
    return Grouped(keys=groups.keys, values=values)


@validated(**_TX, as_of=Instant(), unit=Unit(), by=Keys())
def recency(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    as_of: ArrayLike | None = None,
    unit: str = "D",
    by: KeysLike | None = None,
) -> Grouped:
    r"""Recency per customer: time from the customer's latest order before ``as_of`` to ``as_of``.

    $$\mathrm{recency}_c = \mathit{as\_of} - \max\{\, t_i : c_i = c,\ t_i < \mathit{as\_of} \}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps.
    as_of : datetime64 or ISO-8601 str, optional
        Snapshot; default one nanosecond after the latest order (so the latest buyer has
        recency 1 ns). Orders at or after ``as_of`` have not happened yet.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of the result.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders; the result is then keyed by ``(*by, customer)``
        (recency of each customer within each group).

    Returns
    -------
    Grouped
        Keys: the customers with an order before ``as_of`` (sorted); values: durations
        > 0 in ``unit``.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    The R of RFM and the "interpurchase time" reading of recency (Wikipedia). Customers without
    an order before ``as_of`` have no recency and are not listed.

    References
    ----------
    Wikipedia, "Interpurchase time"; Little Stream Software.

    Examples
    --------
    On 1 February, a last bought on 11 January (21 days before) and b on 21 January:

    >>> import crm_metrics as cm
    >>> r = cm.recency(["a", "b", "a"], ["2024-01-01", "2024-01-21", "2024-01-11"],
    ...                as_of="2024-02-01")
    >>> r.to_dict()
    {'a': 21.0, 'b': 11.0}
    """
    t = _ns(np.asarray(ts))
    now = _snapshot(np.asarray(ts), as_of)
    keep = t < now
    groups = groups_of(_customer_keys(np.asarray(customer_id), by), len(t), keep)
    last = groups.max(t[keep])
    since = np.full(len(last), now, dtype=np.int64)
    return _keyed(groups, _span(since, last) / float(ns_per_unit(unit)))


_CLV = {
    **_TX,
    "amount": Money(event=True),
    "margin": Omittable(Money(event=True, signed=True)),
    "as_of": Instant(),
    "by": Keys(),
}


def _clv_values(
    ts: ArrayLike, amount: ArrayLike, margin: ArrayLike | None, as_of: ArrayLike | None
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Orders before ``as_of`` and the value of each (margin, or amount without margins)."""
    t = _ns(np.asarray(ts))
    keep = t < _snapshot(np.asarray(ts), as_of)
    value = np.asarray(amount if margin is None else margin, dtype=np.float64)
    return keep, value


@validated(**_CLV)
def clv_historical(
    customer_id: ArrayLike,
    ts: ArrayLike,
    amount: ArrayLike,
    *,
    margin: ArrayLike | None = None,
    as_of: ArrayLike | None = None,
    by: KeysLike | None = None,
) -> Grouped:
    r"""Historical CLV per customer: the margin (or revenue) of all orders before ``as_of``.

    $$\mathrm{CLV}^{hist}_c = \sum_{i:\,c_i = c,\ t_i < \mathit{as\_of}} m_i
    \quad(\text{or } \textstyle\sum \text{amount}_i \text{ without margins})$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps.
    amount : array_like of float
        Order value, >= 0.
    margin : array_like of float, optional
        Gross profit of each order (any sign); summed instead of ``amount`` when given.
    as_of : datetime64 or ISO-8601 str, optional
        Snapshot; default one nanosecond after the latest order (every order counts).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders; the result is keyed by ``(*by, customer)``.

    Returns
    -------
    Grouped
        One sum per customer with an order before ``as_of`` (money, any sign with margins).

    Raises
    ------
    ValueError
        On unequal lengths, NaT timestamps, negative or NaN amounts, NaN margins.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Historic CLV is the realised value of past purchases [HistCLV]: gross profit when
    margins are known (Ometria), revenue otherwise. It makes no prediction; see
    [`clv_simple`][crm_metrics.clv_simple] and
    [`clv_margin_multiple`][crm_metrics.clv_margin_multiple] for forward-looking figures.

    References
    ----------
    Ometria, "Historic customer lifetime value".

    Examples
    --------
    a ordered twice (100 and 60), b once; with margins the values are gross profit:

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "a"]
    >>> ts = ["2024-01-01", "2024-01-02", "2024-01-03"]
    >>> cm.clv_historical(ids, ts, [100.0, 40.0, 60.0]).to_dict()
    {'a': 160.0, 'b': 40.0}
    >>> cm.clv_historical(ids, ts, [100.0, 40.0, 60.0], margin=[30.0, -5.0, 20.0]).to_dict()
    {'a': 50.0, 'b': -5.0}
    """
    keep, value = _clv_values(ts, amount, margin, as_of)
    groups = groups_of(_customer_keys(np.asarray(customer_id), by), len(keep), keep)
    return _keyed(groups, groups.sum(value[keep]))


@overload
def clv_historical_mean(
    customer_id: ArrayLike,
    ts: ArrayLike,
    amount: ArrayLike,
    *,
    margin: ArrayLike | None = ...,
    as_of: ArrayLike | None = ...,
    by: None = None,
) -> float: ...
@overload
def clv_historical_mean(
    customer_id: ArrayLike,
    ts: ArrayLike,
    amount: ArrayLike,
    *,
    margin: ArrayLike | None = ...,
    as_of: ArrayLike | None = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(**_CLV)
def clv_historical_mean(
    customer_id: ArrayLike,
    ts: ArrayLike,
    amount: ArrayLike,
    *,
    margin: ArrayLike | None = None,
    as_of: ArrayLike | None = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Mean historical CLV: total margin (or revenue) before ``as_of`` per distinct customer.

    $$\overline{\mathrm{CLV}}^{hist} = \frac{\sum_{t_i < \mathit{as\_of}} m_i}
    {|\{c_i : t_i < \mathit{as\_of}\}|}$$

    Parameters
    ----------
    customer_id, ts, amount, margin, as_of
        As in [`clv_historical`][crm_metrics.clv_historical].
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders: the mean over the customers of each group.

    Returns
    -------
    float or Grouped
        Money per customer; ``nan`` for no orders.

    Raises
    ------
    ValueError
        On unequal lengths, NaT timestamps, negative or NaN amounts, NaN margins.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    The mean of [`clv_historical`][crm_metrics.clv_historical] over the customers with an
    order before ``as_of`` (Ometria); customers are weighted equally, whatever their
    number of orders. No order before ``as_of`` gives ``nan``.

    References
    ----------
    Ometria, "Historic customer lifetime value".

    Examples
    --------
    Two customers who spent 160 and 40:

    >>> import crm_metrics as cm
    >>> cm.clv_historical_mean(["a", "b", "a"], ["2024-01-01"] * 3, [100.0, 40.0, 60.0])
    100.0
    """
    keep, value = _clv_values(ts, amount, margin, as_of)
    groups = groups_of(by, len(keep), keep)
    kept = _kept_customers(customer_id, keep)
    customers = _per_group(_pairs(groups, kept)[0], None, groups.n_groups)
    return groups.finish(safe_divide(groups.sum(value[keep]), customers))


@overload
def reactivation_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike,
    end: ArrayLike | None = ...,
    dormancy: ArrayLike = ...,
    unit: str = ...,
    by: None = None,
) -> float: ...
@overload
def reactivation_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike,
    end: ArrayLike | None = ...,
    dormancy: ArrayLike = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_TX,
    start=Instant(optional=False),
    end=Instant(not_before="start"),
    unit=Unit(),
    dormancy=ScalarDuration(),
    by=Keys(),
)
def reactivation_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: ArrayLike,
    end: ArrayLike | None = None,
    dormancy: ArrayLike = 365,
    unit: str = "D",
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Reactivation rate: the share of customers dormant at ``start`` who buy in ``[start, end)``.

    $$\frac{|D \cap W|}{|D|},\quad
    D = \{c : \text{last order before } s \text{ is before } s - \delta\},\quad
    W = \{c : \text{order in } [s, e)\}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (full history).
    start : datetime64 or ISO-8601 str
        Start of the window (required).
    end : datetime64 or ISO-8601 str, optional
        End of the window; None leaves it open.
    dormancy : float or numpy.timedelta64, default 365
        Inactivity ``δ`` that makes a customer dormant; a number is read in ``unit``.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of a numeric ``dormancy``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders; each group's orders form their own history.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when nobody is dormant at ``start``.

    Raises
    ------
    ValueError
        On unequal lengths, NaT timestamps, missing ids, ``end < start``, a negative
        dormancy.
    TypeError
        If ``start`` is missing or timestamps are numeric.

    Notes
    -----
    Dormant means known but not active
    ([`active_customers`][crm_metrics.active_customers] with
    ``window=dormancy, as_of=start``): an order before ``start - δ`` and none in
    ``[start - δ, start)``. A dormant customer who buys in the window has been inactive for
    at least ``δ`` before that order, so the numerator is the dormant customers who buy
    (Lifesight, GrowthSuite).

    References
    ----------
    Lifesight; GrowthSuite.

    Examples
    --------
    a and b are dormant on 1 January 2024 (no order in 2023) and only a buys in January; c bought in
    November, so it is active, not dormant:

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "c", "a", "c"]
    >>> ts = ["2022-03-01", "2022-05-01", "2023-11-01", "2024-01-15", "2024-01-20"]
    >>> cm.reactivation_rate(ids, ts, start="2024-01-01", end="2024-02-01")
    0.5
    """
    t = _ns(np.asarray(ts))
    begin = _ns_int(start)
    cutoff = _minus(begin, _duration_ns(dormancy))
    stop = _INT64_MAX if end is None else _ns_int(end)
    old = t < cutoff
    recent = _between(t, cutoff, begin)
    buys = _between(t, begin, stop)
    keep = t < stop
    groups = groups_of(by, len(t), keep)
    pair_group, _, rec_pair, n_pairs = _pairs(groups, _kept_customers(customer_id, keep))

    def any_of(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
        return np.bincount(rec_pair, weights=mask[keep], minlength=n_pairs) > 0

    dormant = any_of(old) & ~any_of(recent)
    back = _per_group(pair_group, dormant & any_of(buys), groups.n_groups)
    return groups.finish(safe_divide(back, _per_group(pair_group, dormant, groups.n_groups)))


# =========================================================================== cohorts
@dataclass(frozen=True, eq=False)
class CohortMatrix:
    """A cohort x offset matrix (`cohort_retention_matrix`, `cohort_revenue_matrix`).

    Attributes
    ----------
    cohorts : numpy.ndarray of datetime64[ns]
        Acquisition cohorts, sorted: the ``period_key`` of each customer's first order.
    offsets : numpy.ndarray of int64
        Period offsets ``0, 1, ..., K - 1`` since acquisition (the columns).
    matrix : numpy.ndarray of float64
        ``matrix[c, k]``: the value of cohort ``c`` in its ``k``-th period after
        acquisition; ``nan`` where that period lies after the last observed period.
    sizes : numpy.ndarray of int64
        Customers per cohort.
    freq : str
        The period frequency (``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``).

    Examples
    --------
    Customers ``a`` and ``b`` start in January, ``c`` in February; ``b`` comes back in
    March, ``a`` in February:

    >>> import numpy as np
    >>> import crm_metrics as cm
    >>> ts = np.array(["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-02",
    ...                "2024-02-14"], "datetime64[ns]")
    >>> m = cm.cohort_retention_matrix(["a", "a", "b", "b", "c"], ts, freq="M")
    >>> m.sizes.tolist(), m.offsets.tolist()
    ([2, 1], [0, 1, 2])
    >>> m.matrix
    array([[1. , 0.5, 0.5],
           [1. , 0. , nan]])
    """

    cohorts: NDArray[np.datetime64]
    offsets: NDArray[np.int64]
    matrix: NDArray[np.float64]
    sizes: NDArray[np.int64]
    freq: str

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame with one row per cohort and one column per offset; the rows are
        indexed by (cohort, size), so the cohort sizes travel with the matrix (pandas is
        imported lazily)."""
        import pandas as pd

        return pd.DataFrame(
            self.matrix,
            index=pd.MultiIndex.from_arrays([self.cohorts, self.sizes], names=["cohort", "size"]),
            columns=pd.Index(self.offsets, name="offset"),
        )

    def _repr_html_(self) -> str:
        """A heat-shaded table for notebooks: cohorts (with their sizes) as rows, offsets
        as columns, each cell shaded in proportion to its value; NaN cells blank.

        Full colour is the largest value after the acquisition period (offset 0, where
        retention is 1 by definition, would leave every later cell pale); offset 0
        cells above it are shaded full.
        """
        from crm_metrics import _html

        later = self.matrix[:, 1:]
        later = later[np.isfinite(later)]
        top = float(np.abs(later).max()) if later.size else None
        n = len(self.cohorts)
        caption = (
            f"Cohort matrix ({self.freq}): {n:,} cohort{'' if n == 1 else 's'} "
            f"\u00d7 {len(self.offsets):,} offsets"
        )
        labels = [("cohort", self.cohorts), ("size", self.sizes)]
        offsets = [str(k) for k in self.offsets.tolist()]
        return _html.heatmap(
            labels, offsets, self.matrix, caption=caption, noun="cohorts", top=top or None
        )


def _day_periods(days: NDArray[np.int64], freq: str) -> NDArray[np.int64]:
    """Consecutive integer period numbers of day numbers (days since 1970-01-01)."""
    if freq == "D":
        return days
    if freq == "W":
        return (days - 4) // 7  # 1970-01-05 (day 4) was a Monday
    as_days = days.astype("datetime64[D]")
    if freq == "Y":
        return as_days.astype("datetime64[Y]").astype(np.int64)
    months = as_days.astype("datetime64[M]").astype(np.int64)
    return months if freq == "M" else months // 3


def _period_starts(periods: NDArray[np.int64], freq: str) -> NDArray[np.datetime64]:
    """The start (``period_key`` label) of integer period numbers."""
    if freq == "D":
        out = periods.astype("datetime64[D]")
    elif freq == "W":
        out = (periods * 7 + 4).astype("datetime64[D]")
    elif freq == "M":
        out = periods.astype("datetime64[M]")
    elif freq == "Q":
        out = (periods * 3).astype("datetime64[M]")
    else:
        out = periods.astype("datetime64[Y]")
    return out.astype("datetime64[ns]")


def _periods(t: NDArray[np.int64], freq: str, tz_offset_hours: float) -> NDArray[np.int64]:
    """Integer period number of every timestamp, by a day -> period lookup table.

    One new int64 array: the day numbers are replaced in place by their period numbers.
    """
    shift = round(tz_offset_hours * _NS_PER_HOUR)
    days = (t + shift if shift else t) // _NS_PER_DAY
    if freq == "D" or len(days) == 0:
        return days
    first = int(days.min())
    table = _day_periods(np.arange(first, int(days.max()) + 1, dtype=np.int64), freq)
    days -= first
    # element i reads days[i] before writing it, so the lookup can run in place
    np.take(table, days, out=days, mode="clip")
    return days


@dataclass(frozen=True)
class _Cohorts:
    """Cohort layout shared by the cohort matrices."""

    of_customer: NDArray[np.int64]  # cohort index of each customer
    starts: NDArray[np.int64]  # period number of each cohort
    sizes: NDArray[np.int64]
    width: int  # number of offsets K
    last: int  # last observed period number


def _cohorts(
    customer_id: ArrayLike, ts: ArrayLike, freq: str, tz: float, *, per_customer: bool
) -> tuple[_Cohorts, NDArray[np.int64]]:
    """Cohorts of the customers and the cell of every order.

    ``cells[i] = row * width + offset`` with ``row`` the customer code (``per_customer``,
    to count distinct customers per cell) or the cohort index, and ``offset`` the periods
    since the customer's first. Memory: two int64 arrays of the input's length at most
    (the customer codes are overwritten in place by the cells).
    """
    t = _ns(np.asarray(ts))
    _, cust, n_cust = _customers(np.asarray(customer_id))
    period = _periods(t, freq, tz)
    if len(t) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Cohorts(empty, empty, empty, 0, 0), empty
    first = np.full(n_cust, _INT64_MAX, dtype=np.int64)
    np.minimum.at(first, cust, period)
    last = int(period.max())
    starts, of_customer, n_cohorts = factorize(first)
    assert not isinstance(starts, tuple)
    sizes = np.bincount(of_customer, minlength=n_cohorts).astype(np.int64, copy=False)
    width = last - int(starts[0]) + 1
    row = np.arange(n_cust, dtype=np.int64) if per_customer else of_customer
    base = row * width - first  # per customer; + period gives row * width + offset
    np.take(base, cust, out=cust, mode="clip")  # in place: cust becomes the cell base
    cust += period
    return _Cohorts(of_customer, starts, sizes, width, last), cust


def _cohort_result(c: _Cohorts, cells: NDArray[np.float64], freq: str) -> CohortMatrix:
    """Counts or sums per (cohort, offset) cell to a CohortMatrix, nan after the last period."""
    k = np.arange(c.width, dtype=np.int64)
    matrix = cells.reshape(len(c.sizes), c.width)
    matrix[k[None, :] > (c.last - c.starts)[:, None]] = np.nan
    return CohortMatrix(
        cohorts=_period_starts(c.starts, freq),
        offsets=k,
        matrix=matrix,
        sizes=c.sizes,
        freq=freq,
    )


@validated(**_TX, freq=Frequency(), tz_offset_hours=TzOffset())
def cohort_retention_matrix(
    customer_id: ArrayLike, ts: ArrayLike, *, freq: str = "M", tz_offset_hours: float = 0.0
) -> CohortMatrix:
    r"""Cohort retention matrix: share of each acquisition cohort buying in each later period.

    $$M_{c,k} = \frac{|\{\, i \in c : \text{$i$ orders in period } p_c + k \}|}{|c|}$$

    with cohort $c$ the ``period_key`` of each customer's first order and $p_c$ its period.

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (full history: the first order defines the cohort).
    freq : {"M", "D", "W", "Q", "Y"}, default "M"
        Period length of cohorts and offsets (calendar periods, as ``period_key``).
    tz_offset_hours : float, default 0
        Local calendar offset from UTC used to cut periods.

    Returns
    -------
    CohortMatrix
        A [`CohortMatrix`][crm_metrics.CohortMatrix]: ``cohorts`` (sorted period starts),
        ``offsets`` ``0..K-1``, ``matrix`` of fractions
        in [0, 1] with ``matrix[:, 0] == 1`` and ``nan`` after the last observed period
        (the period of the latest order), and cohort ``sizes``.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, unknown ``freq``.
    TypeError
        If timestamps are numeric.

    Notes
    -----
    The classic cohort triangle (Little Stream Software, Bloy, Taptic). Customers are counted once
    per cell however many orders they place. No loop over cohorts: one pass finds each customer's
    first period, distinct (customer, offset) cells are marked in a bit table (or sorted, when that
    table would be larger than a few bytes per order), and one ``bincount`` fills the
    matrix.

    References
    ----------
    Little Stream Software; Bloy.

    Examples
    --------
    a and b first bought in January, c in February; a came back in February, b in March:

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "a", "c", "b"]
    >>> ts = ["2024-01-05", "2024-01-20", "2024-02-11", "2024-02-03", "2024-03-09"]
    >>> m = cm.cohort_retention_matrix(ids, ts, freq="M")
    >>> m.sizes.tolist(), m.offsets.tolist()
    ([2, 1], [0, 1, 2])
    >>> m.matrix.tolist()
    [[1.0, 0.5, 0.5], [1.0, 0.0, nan]]
    """
    c, cells = _cohorts(customer_id, ts, freq, tz_offset_hours, per_customer=True)
    n_cust, width = len(c.of_customer), max(c.width, 1)
    if n_cust * width <= max(4 * len(cells), 1 << 20):
        seen = np.zeros(n_cust * width, dtype=bool)
        seen[cells] = True
        del cells
        distinct = np.flatnonzero(seen)
        del seen
    else:
        distinct = np.unique(cells)
        del cells
    # distinct (customer, offset) cells -> (cohort, offset) cells, in place
    rows = distinct // width
    np.remainder(distinct, width, out=distinct)
    np.take(c.of_customer, rows, out=rows, mode="clip")
    rows *= width
    rows += distinct
    counts = np.bincount(rows, minlength=len(c.sizes) * c.width)
    shares = safe_divide(counts.reshape(len(c.sizes), c.width), c.sizes[:, None])
    return _cohort_result(c, shares.ravel(), freq)


@validated(
    **_TX,
    amount=Money(event=True),
    freq=Frequency(),
    per=Option(choices=("customer", "total")),
    tz_offset_hours=TzOffset(),
)
def cohort_revenue_matrix(
    customer_id: ArrayLike,
    ts: ArrayLike,
    amount: ArrayLike,
    *,
    freq: str = "M",
    per: str = "customer",
    tz_offset_hours: float = 0.0,
) -> CohortMatrix:
    r"""Cohort revenue matrix: revenue of each acquisition cohort in each later period.

    $$M_{c,k} = \frac{1}{|c|}\sum_{i \in c,\ t_i \in \text{period } p_c + k} \text{amount}_i
    \quad(\texttt{per="customer"})\qquad\text{or the plain sum }(\texttt{per="total"})$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each order.
    ts : array_like of datetime64 or ISO-8601 str
        Order timestamps (full history).
    amount : array_like of float
        Order value, >= 0.
    freq : {"M", "D", "W", "Q", "Y"}, default "M"
        Period length, as in [`cohort_retention_matrix`][crm_metrics.cohort_retention_matrix].
    per : {"customer", "total"}, default "customer"
        Divide by the cohort size (revenue per acquired customer) or not.
    tz_offset_hours : float, default 0
        Local calendar offset from UTC used to cut periods.

    Returns
    -------
    CohortMatrix
        The same cohorts, offsets and sizes as
        [`cohort_retention_matrix`][crm_metrics.cohort_retention_matrix]; money in
        ``matrix``, ``nan`` after the last observed period.

    Raises
    ------
    ValueError
        On unequal lengths, NaT timestamps, negative or NaN amounts, unknown options.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Revenue per acquired customer (not per active customer) is the default, so cells of
    one cohort add up to its cumulative revenue per customer (Little Stream Software, Bloy, Taptic).

    References
    ----------
    Little Stream Software; Bloy.

    Examples
    --------
    January's two customers spent 40 in January and 8 in February (20 and 4 per customer);
    February's one customer spent 5:

    >>> import crm_metrics as cm
    >>> ids = ["a", "b", "a", "c"]
    >>> ts = ["2024-01-05", "2024-01-20", "2024-02-11", "2024-02-03"]
    >>> cm.cohort_revenue_matrix(ids, ts, [10.0, 30.0, 8.0, 5.0]).matrix.tolist()
    [[20.0, 4.0], [5.0, nan]]
    """
    c, cells = _cohorts(customer_id, ts, freq, tz_offset_hours, per_customer=False)
    sums: NDArray[np.float64] = np.bincount(
        cells, weights=np.asarray(amount), minlength=len(c.sizes) * c.width
    ).astype(np.float64, copy=False)
    if per == "customer":
        sums = safe_divide(sums.reshape(len(c.sizes), c.width), c.sizes[:, None]).ravel()
    return _cohort_result(c, sums.astype(np.float64, copy=False), freq)


# =========================================================================== MRR movements
@dataclass(frozen=True, eq=False)
class MRRMovements:
    """Per-period MRR bridge (`mrr_movements`); every field is aligned with ``periods``.

    ``opening + new + reactivation + expansion - contraction - churned == closing`` and
    ``opening[p] == closing[p - 1]`` (``opening[0] == 0``).

    Attributes
    ----------
    periods : numpy.ndarray
        The sorted periods (the ``period`` keys given to `mrr_movements`).
    opening, closing : numpy.ndarray of float64
        Total MRR at the start and at the end of each period.
    new : numpy.ndarray of float64
        MRR of customers with their first-ever MRR in the period.
    reactivation : numpy.ndarray of float64
        MRR of customers back after at least one period at 0.
    expansion, contraction : numpy.ndarray
        Increases and decreases of customers who pay in both periods.
    churned : numpy.ndarray of float64
        Previous-period MRR of customers who dropped to 0.

    Examples
    --------
    ``a`` grows from 100 to 150 and leaves; ``b`` pays 50, pauses in February and returns;
    ``c`` joins in February and leaves:

    >>> import numpy as np
    >>> import crm_metrics as cm
    >>> period = np.array(["2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01",
    ...                    "2024-02-01"], "datetime64[ns]")
    >>> mm = cm.mrr_movements(["a", "a", "b", "b", "c"], period,
    ...                       [100.0, 150.0, 50.0, 50.0, 80.0])
    >>> mm.closing.tolist(), mm.new.tolist(), mm.reactivation.tolist()
    ([150.0, 230.0, 50.0], [150.0, 80.0, 0.0], [0.0, 0.0, 50.0])
    >>> mm.expansion.tolist(), mm.churned.tolist()
    ([0.0, 50.0, 0.0], [0.0, 50.0, 230.0])
    """

    periods: NDArray[Any]
    opening: NDArray[np.float64]
    new: NDArray[np.float64]
    reactivation: NDArray[np.float64]
    expansion: NDArray[np.float64]
    contraction: NDArray[np.float64]
    churned: NDArray[np.float64]
    closing: NDArray[np.float64]

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame indexed by period, one column per movement (pandas imported lazily)."""
        import pandas as pd

        names = ("opening", "new", "reactivation", "expansion", "contraction", "churned")
        columns = {k: getattr(self, k) for k in (*names, "closing")}
        return pd.DataFrame(columns, index=pd.Index(self.periods, name="period"))

    def _repr_html_(self) -> str:
        """A table for notebooks: one row per period (the first and last 10 of a long one)."""
        from crm_metrics import _html

        names = ("opening", "new", "reactivation", "expansion", "contraction", "churned")
        columns = {"period": self.periods, **{k: getattr(self, k) for k in (*names, "closing")}}
        n = len(self.periods)
        caption = f"MRR movements: {n:,} period{'' if n == 1 else 's'}"
        return _html.frame(columns, caption=caption, noun="periods")


@validated(
    customer_id=Keys(optional=False, multi=False),
    period=DistinctPairs(with_="customer_id"),
    mrr=Money(event=True),
)
def mrr_movements(customer_id: ArrayLike, period: ArrayLike, mrr: ArrayLike) -> MRRMovements:
    r"""MRR movements: new, reactivation, expansion, contraction and churned MRR per period.

    For each customer, with $x_{c,p}$ its MRR in period $p$ (0 when it has no row) and
    $x_{c,p-1}$ the previous period's:

    $$\begin{aligned}
    \text{new}_p &= \textstyle\sum_c x_{c,p}\,[x_{c,p-1} = 0,\ \text{no earlier MRR}] \\
    \text{reactivation}_p &= \textstyle\sum_c x_{c,p}\,[x_{c,p-1} = 0,\ \text{MRR earlier}] \\
    \text{expansion}_p &= \textstyle\sum_c (x_{c,p} - x_{c,p-1})\,[x_{c,p} > x_{c,p-1} > 0] \\
    \text{contraction}_p &= \textstyle\sum_c (x_{c,p-1} - x_{c,p})\,[0 < x_{c,p} < x_{c,p-1}] \\
    \text{churned}_p &= \textstyle\sum_c x_{c,p-1}\,[x_{c,p} = 0 < x_{c,p-1}]
    \end{aligned}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each row.
    period : array_like
        Period of each row (any sortable key, typically ``period_key(ts, "M")``); one row
        per (customer, period).
    mrr : array_like of float
        Recurring revenue of the customer in the period, >= 0 (0 counts as no MRR).

    Returns
    -------
    MRRMovements
        An [`MRRMovements`][crm_metrics.MRRMovements] record: ``periods`` (the sorted
        distinct periods of the input) and, per period,
        ``opening``, ``new``, ``reactivation``, ``expansion``, ``contraction``, ``churned``
        and ``closing`` MRR.

    Raises
    ------
    ValueError
        On unequal lengths, a repeated (customer, period) pair, negative or NaN MRR.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Consecutive periods are consecutive distinct values of ``period`` in the input, so a
    period without any row is not in the result (give every period at least one row). In
    the first period everything is new (opening MRR 0). Churn is booked in the first
    period without MRR; a customer who comes back later is a reactivation (RevenueCalculators,
    ChurnZero). The columns feed [`quick_ratio`][crm_metrics.quick_ratio] and
    [`net_revenue_retention`][crm_metrics.net_revenue_retention]. One sort by (customer,
    period), no loop.

    References
    ----------
    RevenueCalculators NRR guide; ChurnZero.

    Examples
    --------
    Customer a pays 100, then 120, then 90; b pays 50, skips period 2 and comes back:

    >>> import crm_metrics as cm
    >>> ids, period = ["a", "b", "a", "b", "a"], [1, 1, 2, 3, 3]
    >>> m = cm.mrr_movements(ids, period, [100.0, 50.0, 120.0, 50.0, 90.0])
    >>> m.new.tolist(), m.reactivation.tolist(), m.churned.tolist()
    ([150.0, 0.0, 0.0], [0.0, 0.0, 50.0], [0.0, 50.0, 0.0])
    >>> m.expansion.tolist(), m.contraction.tolist(), m.closing.tolist()
    ([0.0, 20.0, 0.0], [0.0, 0.0, 30.0], [150.0, 120.0, 140.0])
    """
    x = np.asarray(mrr, dtype=np.float64)
    keys, pcode, n_periods = factorize(np.asarray(period))
    _, cust, _ = _customers(np.asarray(customer_id))
    paying = x > 0
    order = np.lexsort((pcode[paying], cust[paying]))
    c, p, v = cust[paying][order], pcode[paying][order], x[paying][order]
    same_prev = np.zeros(len(c), dtype=bool)
    np.equal(c[1:], c[:-1], out=same_prev[1:])
    consecutive = np.zeros(len(c), dtype=bool)
    consecutive[1:] = same_prev[1:] & (p[1:] == p[:-1] + 1)
    prev = np.zeros(len(c), dtype=np.float64)
    prev[1:] = v[:-1]
    delta = np.where(consecutive, v - prev, 0.0)
    # churn: a paying row whose customer has no paying row in the next period
    followed = np.zeros(len(c), dtype=bool)
    followed[:-1] = consecutive[1:]
    churn_at = p + 1
    churns = ~followed & (churn_at < n_periods)

    def per_period(where: NDArray[np.bool_], values: NDArray[np.float64], at: Any) -> Any:
        # bincount returns int64 when nothing is selected, even with float weights
        counts = np.bincount(at[where], weights=values[where], minlength=n_periods)
        return counts.astype(np.float64)

    new = per_period(~same_prev, v, p)
    reactivation = per_period(same_prev & ~consecutive, v, p)
    expansion = per_period(delta > 0, delta, p)
    contraction = per_period(delta < 0, -delta, p)
    churned = per_period(churns, v, churn_at)
    closing = np.bincount(pcode, weights=x, minlength=n_periods).astype(np.float64)
    opening = np.concatenate(([0.0], closing[:-1]))[:n_periods]
    return MRRMovements(
        periods=np.asarray(keys),
        opening=opening,
        new=new,
        reactivation=reactivation,
        expansion=expansion,
        contraction=contraction,
        churned=churned,
        closing=closing,
    )

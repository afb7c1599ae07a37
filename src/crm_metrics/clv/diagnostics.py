"""The numbers behind the diagnostic charts of the purchase models.

Each function returns a small frozen record of tidy numpy arrays (with ``to_pandas()``,
pandas imported lazily); the ``plot_*`` functions of :mod:`crm_metrics.clv.plots` draw
exactly these records, so a chart and its numbers cannot disagree.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics import _validate
from crm_metrics._math import safe_divide
from crm_metrics._validate import (
    Count,
    Instant,
    Magnitude,
    Option,
    Rule,
    Timestamps,
    validated,
)
from crm_metrics.clv._protocol import _is_summary
from crm_metrics.clv._rules import ScalarNumber
from crm_metrics.clv.rfm import _PERIOD_NS, FREQUENCIES, _period_start

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CalibrationHoldoutPurchases",
    "FrequencyRecencyMatrix",
    "PAliveHistory",
    "PeriodTransactions",
    "calibration_holdout_data",
    "frequency_recency_matrix_data",
    "p_alive_history_data",
    "period_transactions_data",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The largest frequency bin or grid a diagnostic accepts (bins are cheap; charts are not).
MAX_BINS = 1000
#: Cells of the (ages x bins) probability block evaluated at once.
_CELLS = 1_000_000


# --------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class PurchaseFit(Rule):
    """A fitted purchase-model record (BG/NBD, MBG/NBD, Pareto/NBD) with the methods a
    diagnostic needs (``needs``); anything else is a TypeError naming the argument."""

    needs: tuple[str, ...] = ("p_alive", "conditional_expected_purchases")

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if not hasattr(type(value), "model_fields") or not hasattr(value, "PARAMS"):
            raise TypeError(
                f"{name} must be a fitted purchase model (the record of fit_bgnbd, "
                f"fit_mbgnbd or fit_pareto_nbd), got {type(value).__name__}"
            )
        missing = [m for m in self.needs if not callable(getattr(value, m, None))]
        if missing:
            raise TypeError(
                f"{name} is a {type(value).__name__}, which has no {', '.join(missing)}; "
                "this diagnostic needs a model that does"
            )
        return value

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        yield "BGNBDFit"
        yield None


@dataclass(frozen=True)
class _Bins(ScalarNumber):
    """The last frequency bin (a whole number 1..1000), or None where allowed."""

    minimum: float = 1.0
    whole: bool = True
    maximum: float | None = float(MAX_BINS)
    optional: bool = False

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None and self.optional:
            return None
        return super().coerce(name, value, done)


def _takes_summary(*fields: str) -> Callable[[F], F]:
    """Let a diagnostic take an RFM summary (or calibration/holdout summary) in place of
    its second argument, which then stands for the arrays ``fields``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(model: Any, *args: Any, **kwargs: Any) -> Any:
            first = args[0] if args else kwargs.get(fields[0])
            if first is None or not _is_summary(first):
                return func(model, *args, **kwargs)
            given = [k for k in fields[1:] if kwargs.get(k) is not None] + (
                list(fields[1 : len(args)]) if len(args) > 1 else []
            )
            if given:
                raise TypeError(
                    f"{fields[0]} is a summary, which already holds {', '.join(fields[1:])}; "
                    f"do not pass {', '.join(given)} as well"
                )
            missing = [f for f in fields if getattr(first, f, None) is None]
            if missing:
                raise TypeError(
                    f"{fields[0]} is a {type(first).__name__}, which has no "
                    f"{', '.join(missing)}; give a calibration_holdout summary"
                )
            rest = {k: v for k, v in kwargs.items() if k not in fields}
            return func(model, *(getattr(first, f) for f in fields), **rest)

        _validate._RULES[wrapper] = _validate.rules_of(func)
        return cast(F, wrapper)

    return decorate


# --------------------------------------------------------------------------- records
class _Record:
    """Equality by value for the frozen array records (arrays compared with NaN equal)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        for f in dataclasses.fields(cast(Any, self)):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray):
                if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]


def _labels(n_bins: int) -> tuple[str, ...]:
    """``0, 1, ..., max-1, max+`` for ``n_bins = max + 1`` bins."""
    return (*(str(k) for k in range(n_bins - 1)), f"{n_bins - 1}+")


@dataclass(frozen=True, eq=False)
class PeriodTransactions(_Record):
    """Actual and expected numbers of customers by repeat purchases in the calibration period.

    Attributes
    ----------
    frequency : numpy.ndarray of int64
        The bins ``0, 1, ..., max_frequency``; the last bin holds ``max_frequency`` **or
        more** repeat purchases.
    labels : tuple of str
        ``"0", "1", ..., "7+"``: the bins as a chart labels them.
    actual : numpy.ndarray of int64
        Customers observed in each bin.
    expected : numpy.ndarray of float64
        Customers the model expects in each bin; sums to the number of customers.
    """

    frequency: NDArray[np.int64]
    labels: tuple[str, ...]
    actual: NDArray[np.int64]
    expected: NDArray[np.float64]

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame indexed by the bin labels with columns ``actual, expected``."""
        import pandas as pd

        return pd.DataFrame(
            {"actual": self.actual, "expected": self.expected},
            index=pd.Index(self.labels, name="frequency"),
        )


@dataclass(frozen=True, eq=False)
class CalibrationHoldoutPurchases(_Record):
    """Mean holdout purchases by calibration frequency: actual and predicted.

    Attributes
    ----------
    frequency : numpy.ndarray of int64
        The calibration-frequency bins ``0, ..., max_frequency`` (the last is "or more").
    labels : tuple of str
        The bins as a chart labels them (``"7+"`` for the last).
    n_customers : numpy.ndarray of int64
        Customers in each bin.
    actual : numpy.ndarray of float64
        Mean purchases of the bin's customers in the holdout period (nan for an empty bin).
    expected : numpy.ndarray of float64
        Mean of the model's conditional expected purchases over the holdout period (nan
        for an empty bin).
    duration_holdout : float
        Length of the holdout period, in the summary's unit.
    """

    frequency: NDArray[np.int64]
    labels: tuple[str, ...]
    n_customers: NDArray[np.int64]
    actual: NDArray[np.float64]
    expected: NDArray[np.float64]
    duration_holdout: float

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame indexed by the bin labels: ``n_customers, actual, expected``."""
        import pandas as pd

        return pd.DataFrame(
            {"n_customers": self.n_customers, "actual": self.actual, "expected": self.expected},
            index=pd.Index(self.labels, name="frequency_cal"),
        )


@dataclass(frozen=True, eq=False)
class FrequencyRecencyMatrix(_Record):
    """A model's prediction over a grid of frequency and recency for customers of one age.

    Attributes
    ----------
    frequency : numpy.ndarray of int64
        The rows: repeat purchases ``0, 1, ..., max_frequency``.
    recency : numpy.ndarray of float64
        The columns: ages at the last purchase ``0, 1, ..., max_recency``.
    values : numpy.ndarray of float64
        ``values[i, j]`` is the prediction at ``frequency[i]``, ``recency[j]``; nan where
        the history is impossible (no repeat purchase but a positive recency).
    what : str
        ``"expected_purchases"`` (in the next ``t``) or ``"p_alive"``.
    t : float
        The horizon of the expected purchases (unused for P(alive)).
    T : float
        The customers' age.
    """

    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    values: NDArray[np.float64]
    what: str
    t: float
    T: float

    def to_pandas(self) -> pd.DataFrame:
        """The matrix as a DataFrame: frequency down, recency across."""
        import pandas as pd

        return pd.DataFrame(
            self.values,
            index=pd.Index(self.frequency, name="frequency"),
            columns=pd.Index(self.recency, name="recency"),
        )


@dataclass(frozen=True, eq=False)
class PAliveHistory(_Record):
    """One customer's P(alive) period by period, from the first purchase to the end.

    Attributes
    ----------
    ts : numpy.ndarray of datetime64[ns]
        The start of each period, from the first purchase's period to the end's.
    age : numpy.ndarray of float64
        The customer's age ``T`` at each period, in the model's unit (periods divided by
        ``freq_multiplier``).
    frequency : numpy.ndarray of int64
        Repeat purchase periods up to and including each period.
    recency : numpy.ndarray of float64
        Age at the last purchase up to each period.
    purchase : numpy.ndarray of bool
        Whether the customer bought in the period.
    p_alive : numpy.ndarray of float64
        The model's P(alive) given the history up to each period.
    """

    ts: NDArray[np.datetime64]
    age: NDArray[np.float64]
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    purchase: NDArray[np.bool_]
    p_alive: NDArray[np.float64]

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame indexed by period start: ``age, frequency, recency, purchase,
        p_alive``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "age": self.age,
                "frequency": self.frequency,
                "recency": self.recency,
                "purchase": self.purchase,
                "p_alive": self.p_alive,
            },
            index=pd.DatetimeIndex(self.ts, name="ts"),
        )


# --------------------------------------------------------------------------- functions
@_takes_summary("frequency", "T")
@validated(
    model=PurchaseFit(needs=("prob_purchases",)),
    frequency=Count(event=True),
    T=Magnitude(event=True),
    max_frequency=_Bins(),
)
def period_transactions_data(
    model: Any,
    frequency: Any,
    T: ArrayLike | None = None,
    *,
    max_frequency: int = 7,
) -> PeriodTransactions:
    r"""Actual and expected numbers of customers by repeat purchases in the calibration period.

    $$\hat N_k = \sum_{i} P\big(X(T_i) = k\big), \quad
    \hat N_{K+} = \sum_i \Big[1 - \sum_{k<K} P\big(X(T_i) = k\big)\Big]$$

    with $P(X(t) = k)$ the model's probability that a new customer makes exactly $k$
    repeat purchases within $t$, $T_i$ customer $i$'s age and $K$ = ``max_frequency``.

    Parameters
    ----------
    model : BGNBDFit or MBGNBDFit
        A fitted purchase model with ``prob_purchases``.
    frequency : array_like of int or RFMSummary
        Repeat purchases of each customer (>= 0); or an
        [`RFMSummary`][crm_metrics.clv.RFMSummary] standing for ``frequency`` and ``T``.
    T : array_like of float
        Each customer's age at the end of calibration (>= 0), same length.
    max_frequency : int, default 7
        The last bin, which holds ``max_frequency`` or more purchases (1..1000).

    Returns
    -------
    PeriodTransactions
        ``frequency``, ``labels``, ``actual`` and ``expected`` per bin.

    Raises
    ------
    TypeError
        If ``model`` is not a fitted model with ``prob_purchases`` (Pareto/NBD has none),
        or a summary comes with ``T`` as well.
    ValueError
        On a negative or fractional frequency, a negative age, unequal lengths or a
        ``max_frequency`` outside 1..1000.

    Notes
    -----
    The expected counts are the sum over customers of the model's distribution of
    purchases at each customer's own age, so customers acquired at different times are
    compared fairly. Customers of equal age share one evaluation (the ages are
    deduplicated first, and evaluated in blocks of a million probabilities, so memory stays
    bounded). The expected counts sum to the number of customers; with no customers every
    count is 0.

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "Counting your customers the easy way: an alternative to
    the Pareto/NBD model", Marketing Science 24(2), 2005 (Figure 2).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> d = clv.period_transactions_data(fit, [0, 1, 4], [30.0, 39.0, 39.0], max_frequency=2)
    >>> d.labels, d.actual.tolist()
    (('0', '1', '2+'), [1, 1, 1])
    >>> [round(float(v), 3) for v in d.expected], round(float(d.expected.sum()), 6)
    ([1.755, 0.593, 0.653], 3.0)
    """
    x = np.asarray(frequency)
    age = np.asarray(T, dtype=np.float64)
    k = int(max_frequency)
    actual = np.bincount(np.minimum(x, k), minlength=k + 1).astype(np.int64)
    ages, counts = np.unique(age, return_counts=True)
    n = np.arange(k, dtype=np.float64)
    head = np.zeros(k)
    rows = max(1, _CELLS // k)  # ages per block, so a block holds at most _CELLS cells
    for lo in range(0, len(ages), rows):  # blocks of distinct ages, each one vectorised call
        block = ages[lo : lo + rows]
        probs = np.asarray(model.prob_purchases(n[None, :], block[:, None]), dtype=np.float64)
        head += counts[lo : lo + rows].astype(np.float64) @ probs.reshape(len(block), k)
    tail = float(len(age)) - float(head.sum())
    expected = np.append(head, max(tail, 0.0))
    return PeriodTransactions(
        frequency=np.arange(k + 1, dtype=np.int64),
        labels=_labels(k + 1),
        actual=actual,
        expected=expected,
    )


@_takes_summary("frequency", "recency", "T", "frequency_holdout", "duration_holdout")
@validated(
    model=PurchaseFit(),
    frequency=Count(event=True),
    T=Magnitude(event=True),
    recency=Magnitude(event=True, le="T", zero_with="frequency"),
    frequency_holdout=Count(event=True),
    duration_holdout=ScalarNumber(),
    max_frequency=_Bins(),
)
def calibration_holdout_data(
    model: Any,
    frequency: Any,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    frequency_holdout: ArrayLike | None = None,
    duration_holdout: float | None = None,
    *,
    max_frequency: int = 7,
) -> CalibrationHoldoutPurchases:
    r"""Mean holdout purchases by calibration frequency, actual and predicted by the model.

    $$\bar y_k = \frac{1}{n_k}\sum_{i: x_i = k} y_i, \qquad
    \hat y_k = \frac{1}{n_k}\sum_{i: x_i = k}
    E\big[Y(\tau) \mid x_i, t_{x,i}, T_i\big]$$

    with $y_i$ customer $i$'s holdout purchases, $\tau$ the holdout length and the last bin
    $k = K$ holding every $x_i \ge K$.

    Parameters
    ----------
    model : BGNBDFit, MBGNBDFit or ParetoNBDFit
        A fitted purchase model.
    frequency : array_like of int or CalibrationHoldout
        Calibration repeat purchases (>= 0); or a
        [`CalibrationHoldout`][crm_metrics.clv.CalibrationHoldout] standing for all five
        arrays.
    recency, T : array_like of float
        Calibration recency and age (0 <= recency <= T; recency 0 without a repeat).
    frequency_holdout : array_like of int
        Purchases in the holdout period (>= 0).
    duration_holdout : float
        Length of the holdout period (>= 0), in the unit of ``recency`` and ``T``.
    max_frequency : int, default 7
        The last bin, which holds ``max_frequency`` or more calibration purchases (1..1000).

    Returns
    -------
    CalibrationHoldoutPurchases
        ``frequency``, ``labels``, ``n_customers``, ``actual``, ``expected`` per bin and
        ``duration_holdout``.

    Raises
    ------
    TypeError
        If ``model`` is not a fitted purchase model, or a summary comes with arrays.
    ValueError
        On invalid summaries (negative counts, recency above ``T``), unequal lengths or a
        ``max_frequency`` outside 1..1000.

    Notes
    -----
    The prediction is each customer's conditional expectation given their own
    calibration history, averaged within the bin, the comparison Fader, Hardie and Lee
    show for CDNOW. A bin without customers has nan means (and ``n_customers`` 0).

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "Counting your customers the easy way: an alternative to
    the Pareto/NBD model", Marketing Science 24(2), 2005 (Figure 4).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> d = clv.calibration_holdout_data(fit, [0, 0, 2], [0.0, 0.0, 30.43],
    ...                                  [38.86, 38.86, 38.86], [1, 0, 3], 39.0,
    ...                                  max_frequency=2)
    >>> d.n_customers.tolist(), d.actual.tolist()
    ([2, 0, 1], [0.5, nan, 3.0])
    >>> [round(float(v), 3) for v in d.expected]
    [0.195, nan, 1.226]
    """
    x = np.asarray(frequency)
    k = int(max_frequency)
    predicted = np.asarray(
        model.conditional_expected_purchases(float(cast(float, duration_holdout)), x, recency, T),
        dtype=np.float64,
    ).reshape(x.shape)
    bins = np.minimum(x, k)
    n = np.bincount(bins, minlength=k + 1)
    holdout = np.asarray(frequency_holdout, dtype=np.float64)
    actual = safe_divide(np.bincount(bins, weights=holdout, minlength=k + 1), n)
    expected = safe_divide(np.bincount(bins, weights=predicted, minlength=k + 1), n)
    return CalibrationHoldoutPurchases(
        frequency=np.arange(k + 1, dtype=np.int64),
        labels=_labels(k + 1),
        n_customers=n.astype(np.int64),
        actual=np.asarray(actual, dtype=np.float64),
        expected=np.asarray(expected, dtype=np.float64),
        duration_holdout=float(cast(float, duration_holdout)),
    )


_WHAT = ("expected_purchases", "p_alive")


@validated(
    model=PurchaseFit(),
    T=ScalarNumber(),
    max_frequency=_Bins(minimum=0.0, optional=True),
    max_recency=_Bins(minimum=0.0, optional=True),
    what=Option(choices=_WHAT),
    t=ScalarNumber(),
)
def frequency_recency_matrix_data(
    model: Any,
    T: float,
    max_frequency: int | None = None,
    max_recency: int | None = None,
    what: str = "expected_purchases",
    t: float = 1.0,
) -> FrequencyRecencyMatrix:
    r"""A model's expected purchases (or P(alive)) over a frequency-by-recency grid.

    $$M_{ij} = E\big[Y(t) \mid x = i,\ t_x = j,\ T\big]
    \quad\text{or}\quad P(\text{alive} \mid x = i,\ t_x = j,\ T)$$

    for $i = 0, \dots,$ ``max_frequency`` and $j = 0, \dots,$ ``max_recency``.

    Parameters
    ----------
    model : BGNBDFit, MBGNBDFit or ParetoNBDFit
        A fitted purchase model.
    T : float
        The customers' age (>= 0, in the model's time unit).
    max_frequency : int, optional
        The largest frequency of the grid (0..1000); by default ``ceil(T)``, one repeat
        purchase per period (at most 1000).
    max_recency : int, optional
        The largest recency of the grid (0..1000, at most ``T``); by default ``floor(T)``
        (at most 1000).
    what : {"expected_purchases", "p_alive"}, default "expected_purchases"
        The prediction shown.
    t : float, default 1.0
        Horizon of the expected purchases (>= 0).

    Returns
    -------
    FrequencyRecencyMatrix
        The grid and ``values`` (frequency down, recency across).

    Raises
    ------
    TypeError
        If ``model`` is not a fitted purchase model.
    ValueError
        If ``max_recency`` exceeds ``T``, or on any argument out of its range.

    Notes
    -----
    A customer with no repeat purchase has recency 0 by definition, so the row of
    frequency 0 holds a value only in its first column (nan elsewhere). Recency runs in
    whole periods, as in the charts of lifetimes. The matrix is computed in one
    vectorised call of the model.

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "RFM and CLV: using iso-value curves for customer base
    analysis", Journal of Marketing Research 42(4), 2005.

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> m = clv.frequency_recency_matrix_data(fit, 2.0, what="p_alive")
    >>> m.frequency.tolist(), m.recency.tolist()
    ([0, 1, 2], [0.0, 1.0, 2.0])
    >>> m.values.round(3).tolist()
    [[1.0, nan, nan], [0.658, 0.712, 0.754], [0.651, 0.747, 0.812]]
    """
    age = float(T)
    rows = min(int(np.ceil(age)), MAX_BINS) if max_frequency is None else int(max_frequency)
    cols = min(int(np.floor(age)), MAX_BINS) if max_recency is None else int(max_recency)
    if cols > age:
        raise ValueError(f"max_recency = {cols} exceeds T = {age:g}; recency is at most T")
    frequency = np.arange(rows + 1, dtype=np.int64)
    recency = np.arange(cols + 1, dtype=np.float64)
    x, tx = np.meshgrid(frequency, recency, indexing="ij")
    possible = (x > 0) | (tx == 0)
    tx_ok = np.where(possible, tx, 0.0)
    full_T = np.full(x.shape, age)
    if what == "p_alive":
        raw = model.p_alive(x, tx_ok, full_T)
    else:
        raw = model.conditional_expected_purchases(float(t), x, tx_ok, full_T)
    values = np.where(possible, np.asarray(raw, dtype=np.float64).reshape(x.shape), np.nan)
    return FrequencyRecencyMatrix(
        frequency=frequency, recency=recency, values=values, what=what, t=float(t), T=age
    )


#: The longest history ``p_alive_history_data`` evaluates, in periods.
MAX_HISTORY = 1_000_000


@validated(
    model=PurchaseFit(needs=("p_alive",)),
    ts=Timestamps(),
    freq=Option(choices=FREQUENCIES),
    freq_multiplier=ScalarNumber(minimum=1, whole=True),
    end=Instant(),
)
def p_alive_history_data(
    model: Any,
    ts: ArrayLike,
    *,
    freq: str = "D",
    freq_multiplier: int = 1,
    end: Any = None,
) -> PAliveHistory:
    r"""One customer's P(alive) over time, period by period, from their purchase history.

    $$P\big(\text{alive} \mid x(\tau),\ t_x(\tau),\ T = \tau\big), \qquad
    \tau = 0, \tfrac{1}{k}, \tfrac{2}{k}, \dots$$

    with $x(\tau)$ and $t_x(\tau)$ the repeat purchase periods and the age at the last
    purchase known at age $\tau$, and $k$ = ``freq_multiplier``.

    Parameters
    ----------
    model : BGNBDFit, MBGNBDFit or ParetoNBDFit
        A fitted purchase model, in the time unit ``freq`` times ``freq_multiplier``.
    ts : array_like of datetime64 or str
        The customer's purchase timestamps (at least one; any order; several in one period
        count once, as in [`rfm_summary`][crm_metrics.clv.rfm_summary]).
    freq : {"D", "W", "h", "min", "s"}, default "D"
        The period.
    freq_multiplier : int, default 1
        Periods per unit of the model (``freq="D", freq_multiplier=7`` for weeks).
    end : datetime64 or str, optional
        The last instant shown (its period is the last); by default the last purchase.

    Returns
    -------
    PAliveHistory
        Per period: start, age, frequency, recency, purchase flag and P(alive).

    Raises
    ------
    TypeError
        If ``model`` is not a fitted purchase model.
    ValueError
        If ``ts`` is empty or holds NaT, ``end`` precedes the first purchase, or the history
        spans more than a million periods.

    Notes
    -----
    The summary at each period is the one [`rfm_summary`][crm_metrics.clv.rfm_summary]
    would give with that period as the end of observation, so P(alive) jumps up at each
    repeat purchase and decays in the silences between them (for BG/NBD it stays 1 until
    the first repeat purchase). One vectorised call of the model covers all periods.

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "Counting your customers the easy way: an alternative to
    the Pareto/NBD model", Marketing Science 24(2), 2005.

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0,
    ...                    n_customers=3, converged=True, iterations=0, message="")
    >>> h = clv.p_alive_history_data(fit, ["2024-01-01", "2024-01-03"], end="2024-01-05")
    >>> h.frequency.tolist(), h.recency.tolist(), h.purchase.tolist()
    ([0, 0, 1, 1, 1], [0.0, 0.0, 2.0, 2.0, 2.0], [True, False, True, False, False])
    >>> h.p_alive.round(3).tolist()
    [1.0, 1.0, 0.754, 0.719, 0.686]
    """
    stamps = np.asarray(ts).astype("datetime64[ns]").astype(np.int64)
    if len(stamps) == 0:
        raise ValueError("ts is empty; the history needs at least one purchase")
    step = _PERIOD_NS[freq]
    occasions = np.unique(_period_start(stamps, freq))
    first = int(occasions[0])
    last_instant = int(stamps.max()) if end is None else int(np.asarray(end).astype(np.int64))
    last = int(_period_start(np.array([last_instant], dtype=np.int64), freq)[0])
    if last < first:
        raise ValueError(
            f"end = {np.datetime64(last_instant, 'ns')} precedes the first purchase "
            f"{np.datetime64(first, 'ns')}; the history starts at the first purchase"
        )
    n_periods = (last - first) // step + 1
    if n_periods > MAX_HISTORY:
        raise ValueError(
            f"the history spans {n_periods} periods of {freq!r} (more than {MAX_HISTORY}); "
            "choose a longer freq"
        )
    starts = first + step * np.arange(n_periods, dtype=np.int64)
    known = np.searchsorted(occasions, starts, side="right")  # occasions up to each period
    frequency = (known - 1).astype(np.int64)
    last_buy = occasions[known - 1]
    units = float(step) * float(freq_multiplier)
    age = (starts - first).astype(np.float64) / units
    recency = (last_buy - first).astype(np.float64) / units
    alive = np.asarray(model.p_alive(frequency, recency, age), dtype=np.float64).reshape(age.shape)
    return PAliveHistory(
        ts=starts.astype("datetime64[ns]"),
        age=age,
        frequency=frequency,
        recency=recency,
        purchase=np.isin(starts, occasions),
        p_alive=alive,
    )

"""Customer lifetime value from a purchase model (BG/NBD, MBG/NBD, Pareto/NBD) and a
Gamma-Gamma spend model."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics import _validate
from crm_metrics._math import as_result
from crm_metrics._validate import Count, Magnitude, Rule, validated
from crm_metrics.clv._protocol import _is_summary
from crm_metrics.clv._rules import MaybeOption, ScalarNumber
from crm_metrics.clv.bgnbd import _PARAMS, _coerced, _factorize, _hyp_bracket, _p_alive
from crm_metrics.clv.bgnbd import Params as BGNBDParams
from crm_metrics.clv.gamma_gamma import SPEND_PARAMS, _expected_spend
from crm_metrics.clv.gamma_gamma import Params as GGParams

__all__ = ["MAX_MONTHS", "MONTH_FACTOR", "customer_lifetime_value"]

#: Length of one month in the unit of recency and T (lifetimes' table; "H" is its "h").
MONTH_FACTOR: dict[str, float] = {"W": 4.345, "M": 1.0, "D": 30.0, "h": 720.0, "H": 720.0}
#: The longest CLV horizon in months (a century; the monthly curve is held in memory).
MAX_MONTHS = 1200


def _discounted_purchases(
    p: Mapping[str, float],
    x: NDArray[np.float64],
    T: NDArray[np.float64],
    months: int,
    factor: float,
    discount_rate: float,
) -> NDArray[np.float64]:
    r"""$\sum_{i=1}^{n} [B(i f) - B((i-1) f)] / (1+d)^i$ of the alive-conditional bracket B.

    B depends on (x, T) only. It is evaluated on the grid of the distinct frequencies
    (whole numbers, indexed directly) times the distinct ages (one sort), or, if that grid
    is larger than the data, once per distinct (x, T) pair; then gathered per customer.
    """
    flat_x, flat_T = x.ravel(), T.ravel()
    finite = bool(np.isfinite(flat_x).all() and np.isfinite(flat_T).all())
    uT, code_T = _factorize(flat_T) if finite else (flat_T, flat_T)
    x_max = int(flat_x.max()) + 1 if finite and len(flat_x) else 0
    if finite and 0 < x_max * len(uT) <= max(len(flat_x), 1 << 16):
        grid_x, grid_T = np.meshgrid(np.arange(x_max, dtype=np.float64), uT, indexing="ij")
        ux, uT = grid_x.ravel(), grid_T.ravel()
        inverse = flat_x.astype(np.int64) * (len(uT) // x_max) + code_T.astype(np.int64)
    else:
        pairs, inverse = np.unique(flat_x + 1j * flat_T, return_inverse=True)
        ux, uT = pairs.real, pairs.imag
    horizons = np.arange(months + 1, dtype=np.float64)[:, None] * factor
    bracket = _hyp_bracket(p["r"] + ux, p["alpha"] + uT, p["a"], p["b"] + ux, horizons)
    discount = (1.0 + discount_rate) ** -np.arange(1, months + 1, dtype=np.float64)
    per_pair = np.einsum("i,ij->j", discount, np.diff(bracket, axis=0))
    out: NDArray[np.float64] = per_pair[inverse.ravel()].reshape(x.shape)
    return out


class _PurchaseModel(Rule):
    """BG/NBD parameters (a mapping, a tuple or a BG/NBD fit: read with the BG/NBD
    formulas), or the fitted record of another purchase model (kept as it is: its own
    ``conditional_expected_purchases`` gives the curve)."""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if hasattr(type(value), "model_fields") and type(value).__name__ != "BGNBDFit":
            if not callable(getattr(value, "conditional_expected_purchases", None)):
                raise TypeError(
                    f"{name} is a {type(value).__name__}, which predicts no purchases of a "
                    "customer with a history; give a BG/NBD, MBG/NBD or Pareto/NBD fit"
                )
            return value
        return _PARAMS.coerce(name, value, done)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from _PARAMS.bad_values(valid, done)


def _discounted_by_model(
    model: Any, x: Any, tx: Any, T: Any, months: int, factor: float, discount_rate: float
) -> NDArray[np.float64]:
    r"""$\sum_{i=1}^{n} [E(i f) - E((i-1) f)] / (1+d)^i$ from a fitted model's conditional
    expected purchases $E(t)$ (one vectorised call per month)."""
    total = np.zeros(np.shape(x))
    before = np.zeros(np.shape(x))
    for i in range(1, months + 1):  # months, not customers: each call is vectorised
        after = np.asarray(model.conditional_expected_purchases(i * factor, x, tx, T))
        total += (after - before) / (1.0 + discount_rate) ** i
        before = after
    return total


#: Units of a summary that ``customer_lifetime_value`` can value, as its ``freq``.
_UNIT_FREQ = {"D": "D", "1D": "D", "24h": "D", "W": "W", "1W": "W", "7D": "W", "h": "h", "1h": "h"}


def _freq_of(unit: str | None) -> str:
    """The ``freq`` of a summary's unit, or a ValueError saying which units work."""
    if unit is None:
        raise ValueError(
            "frequency is an RFM summary without a time unit (built by hand); pass its "
            "arrays and freq= instead"
        )
    if unit not in _UNIT_FREQ:
        raise ValueError(
            f"the summary's recency and T are in periods of {unit!r}; customer lifetime "
            "value needs days, weeks or hours: summarise with freq='D', 'W' or 'h' (or "
            "freq='D', freq_multiplier=7)"
        )
    return _UNIT_FREQ[unit]


def _accepts_summary(func: Any) -> Any:
    """Let ``customer_lifetime_value`` take an RFM summary as ``frequency``: its arrays
    and its unit (as ``freq``; a contradicting ``freq`` is refused, never mixed)."""

    @functools.wraps(func)
    def wrapper(
        purchase_model: Any, gamma_gamma: Any, frequency: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if not _is_summary(frequency):
            return func(purchase_model, gamma_gamma, frequency, *args, **kwargs)
        given = [k for k in ("recency", "T", "monetary_value") if kwargs.get(k) is not None]
        if args or given:
            raise TypeError(
                "frequency is an RFM summary, which already holds recency, T and "
                "monetary_value; do not pass them as well"
            )
        if frequency.monetary_value is None:
            raise TypeError("the RFM summary has no monetary_value (made without amounts)")
        unit_freq = _freq_of(frequency.unit)
        freq = kwargs.pop("freq", None)
        if freq is not None and re.sub("H", "h", str(freq)) != unit_freq:
            raise ValueError(
                f"freq = {freq!r} contradicts the summary, whose recency and T are in "
                f"periods of {frequency.unit!r} (freq={unit_freq!r}); omit freq"
            )
        return func(
            purchase_model,
            gamma_gamma,
            frequency.frequency,
            frequency.recency,
            frequency.T,
            frequency.monetary_value,
            freq=unit_freq,
            **kwargs,
        )

    _validate._RULES[wrapper] = _validate.rules_of(func)
    return wrapper


@_accepts_summary
@validated(
    purchase_model=_PurchaseModel(),
    gamma_gamma=SPEND_PARAMS,
    frequency=Count(),
    T=Magnitude(),
    recency=Magnitude(le="T", zero_with="frequency"),
    monetary_value=Magnitude(),
    time=ScalarNumber(whole=True, maximum=MAX_MONTHS),
    discount_rate=ScalarNumber(),
    freq=MaybeOption(choices=tuple(MONTH_FACTOR)),
)
def customer_lifetime_value(
    purchase_model: BGNBDParams | Any,
    gamma_gamma: GGParams,
    frequency: Any,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    monetary_value: ArrayLike | None = None,
    *,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str | None = None,
) -> Any:
    r"""Discounted expected spend of each customer over the next ``time`` months.

    $$\mathrm{CLV} = \sum_{i=1}^{n} \frac{E[Z \mid x, \bar m]\,
    \big(E[Y(i f) \mid x, t_x, T] - E[Y((i-1) f) \mid x, t_x, T]\big)}{(1 + d)^{i}}$$

    with $f$ the length of a month in the unit of ``recency``/``T``.

    Parameters
    ----------
    purchase_model : BGNBDFit, MBGNBDFit, ParetoNBDFit or mapping
        The purchase model: a fitted record, or the ``r, alpha, a, b`` of a BG/NBD model.
    gamma_gamma : GammaGammaFit or mapping
        ``p, q, v`` of the spend model (q > 1).
    frequency, recency, T, monetary_value : float or array_like
        The customers' summaries (broadcast together); or an
        [`RFMSummary`][crm_metrics.clv.RFMSummary] (made with amounts) as ``frequency``
        alone, whose unit then sets ``freq``.
    time : int, default 12
        Horizon in whole months, 0..1200.
    discount_rate : float, default 0.01
        Discount rate per month (a finite number >= 0).
    freq : {"D", "W", "M", "h", "H"}, optional
        The unit of ``recency`` and ``T``: a month is 30 days, 4.345 weeks or 720 hours
        (lifetimes' factors). Default: the unit of a summary passed as ``frequency``,
        else ``"D"``. Arrays from a summary made with ``freq="D", freq_multiplier=7``
        are in weeks: pass ``freq="W"`` (or pass the summary itself).

    Returns
    -------
    float or numpy.ndarray
        CLV per customer (>= 0), in the currency of ``monetary_value``.

    Raises
    ------
    ValueError
        If the Gamma-Gamma fit has q <= 1 (no finite mean spend; never a negative CLV),
        ``freq`` is not one of the units above or contradicts the unit of a summary, a
        summary is not in days, weeks or hours, a parameter is not positive, a
        summary is invalid, or ``time``/``discount_rate`` is NaN, infinite or out of
        range.
    TypeError
        If a model lacks a parameter, an input is not numeric, or ``time`` or
        ``discount_rate`` is not a single number.

    Notes
    -----
    lifetimes 0.11.3's ``GammaGammaFitter.customer_lifetime_value`` definition: monthly
    increments of the conditional expected purchases of the purchase model, valued at
    the conditional expected spend (Gamma-Gamma) and discounted at the end of each month.
    For BG/NBD the expected-purchase curve is computed once per distinct
    (frequency, T) pair; for another fitted model it comes from the model's own
    `conditional_expected_purchases`, one call per month. A fitted record is read with
    its own model's formulas (an MBG/NBD fit is never read as BG/NBD parameters).

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "RFM and CLV: Using Iso-Value Curves for Customer Base
    Analysis", J. Marketing Research 42(4), 2005; lifetimes 0.11.3.

    Examples
    --------
    >>> from crm_metrics import clv
    >>> bg = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> gg = {"p": 6.25, "q": 3.74, "v": 15.44}
    >>> round(clv.customer_lifetime_value(bg, gg, 2, 30.43, 38.86, 40.0, freq="W"), 2)
    57.59
    """
    x, tx, age, m = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (frequency, recency, T, monetary_value))
    )
    freq = "D" if freq is None else freq
    months = int(time)
    rate = float(discount_rate)
    spend = _coerced(gamma_gamma)
    if isinstance(purchase_model, Mapping):  # BG/NBD: the curve factorised per (x, T)
        bg = _coerced(purchase_model)
        discounted = _discounted_purchases(bg, x, age, months, MONTH_FACTOR[freq], rate)
        discounted = discounted * _p_alive(bg, x, tx, age)
    else:
        discounted = _discounted_by_model(
            purchase_model, x, tx, age, months, MONTH_FACTOR[freq], rate
        )
    return as_result(_expected_spend(spend, x, m) * discounted)

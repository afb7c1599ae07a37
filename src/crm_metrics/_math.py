"""Arithmetic shared by every metric: safe division, duration units, percentages.

The rules on units and on zero denominators live here and nowhere else:

* a zero denominator gives ``nan`` (never ``inf``, never a warning);
* durations are computed in integer nanoseconds and converted to the unit asked for
  only at the end (``"s"``, ``"min"`` or numpy's ``"m"``, ``"h"``, ``"D"``);
* a 0-d result is returned as a Python ``float``, an array result as a float64 array.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._validate import NS_PER_UNIT, Real, validated

__all__ = [
    "DURATION_UNITS",
    "as_result",
    "erfc",
    "ns_per_unit",
    "safe_divide",
    "to_percent",
    "to_unit",
    "two_sided_normal_p",
]

#: Nanoseconds in one unit of each accepted duration unit (``"m"`` is numpy's minute).
DURATION_UNITS = NS_PER_UNIT


def ns_per_unit(unit: str) -> int:
    """Nanoseconds in one ``unit``; the unit string must already be validated."""
    return DURATION_UNITS[unit]


def safe_divide(numerator: ArrayLike, denominator: ArrayLike) -> NDArray[np.float64]:
    """Element-wise ``numerator / denominator`` with ``nan`` where the quotient is undefined.

    Broadcasts like numpy. ``0 / 0`` and ``x / 0`` give ``nan``, and so does a quotient of
    two finite numbers too large for float64 (a subnormal denominator), so a division of
    finite inputs never returns ``inf``. No RuntimeWarning is emitted;
    NaN in either operand propagates.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.divide(num, den)
    undefined = (den == 0) | (np.isinf(out) & np.isfinite(num) & np.isfinite(den))
    return np.where(undefined, np.nan, out)


def to_unit(durations_ns: ArrayLike, unit: str) -> NDArray[np.float64]:
    """Convert integer nanosecond durations to float64 in ``unit``."""
    return np.asarray(durations_ns, dtype=np.float64) / float(DURATION_UNITS[unit])


def as_result(values: ArrayLike) -> Any:
    """Return a 0-d result as a Python scalar (float, or int for integer dtypes), else the array."""
    arr = np.asarray(values)
    if arr.ndim == 0:
        return arr.item()
    return arr


def erfc(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Complementary error function for x >= 0, vectorised (relative error about 1e-13).

    A Taylor series of erf below 1.5 and a continued fraction (evaluated backwards, 80
    levels) above; the loops run over series terms, never over elements.
    """
    x = np.asarray(x, dtype=np.float64)
    small = x < 1.5
    xs = np.where(small, x, 0.0)
    term = xs.copy()
    total = xs.copy()
    x2 = xs * xs
    for k in range(1, 80):
        term = term * (-x2) / k
        total = total + term / (2 * k + 1)
    erf_small = 2.0 / math.sqrt(math.pi) * total
    xl = np.where(small, 1.5, x)
    frac = np.zeros_like(xl)
    for k in range(80, 0, -1):
        frac = (k / 2.0) / (xl + frac)
    with np.errstate(under="ignore"):
        erfc_large = np.exp(-xl * xl) / math.sqrt(math.pi) / (xl + frac)
    return np.where(small, 1.0 - erf_small, erfc_large)


def two_sided_normal_p(z: ArrayLike) -> NDArray[np.float64]:
    """Two-sided p-value of standard normal statistics, ``erfc(|z| / sqrt(2))``; NaN stays NaN."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(np.isnan(z), np.nan, erfc(np.abs(np.nan_to_num(z)) / math.sqrt(2.0)))


@validated(x=Real())
def to_percent(x: ArrayLike) -> Any:
    r"""Express a fraction as a percentage: ``100 * x``.

    Every rate in crm_metrics is a fraction in [0, 1]; this is the one place a percentage
    is produced.

    $$\mathrm{percent} = 100 \cdot x$$

    Parameters
    ----------
    x : float or array_like
        Fractions (any real value is accepted; NaN propagates).

    Returns
    -------
    float or numpy.ndarray
        A Python float for a scalar input, a float64 array otherwise.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.to_percent(0.25)
    25.0
    >>> cm.to_percent([0.5, 1.0])
    array([ 50., 100.])
    """
    return as_result(100.0 * np.asarray(x))

"""Validation rules of ``crm_metrics.clv`` that the shared rules do not cover.

The shared rules for numbers (``Magnitude``, ``Count``) are aggregate rules: they
broadcast and let NaN propagate, which is right for the customers' summaries but not for
an option such as ``penalizer`` or ``discount_rate``, which must be exactly one finite
number. :class:`ScalarNumber` is that rule. :class:`Opportunity` is the whole-numbered
recency of the discrete-time BG/BB model, :class:`SurvivorCounts` a cohort's survivors
per period (the shifted-beta-geometric data). They compose the shared helpers of
``crm_metrics._validate`` so that their messages follow the library's template.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from crm_metrics._coerce import first_position as _first
from crm_metrics._coerce import position as _position
from crm_metrics._coerce import show as _show
from crm_metrics._coerce import value_error as _value_error
from crm_metrics._validate import Count, Magnitude, Rule, _corrupt_first

__all__ = ["Opportunity", "ScalarNumber", "SurvivorCounts"]


@dataclass(frozen=True)
class ScalarNumber(Rule):
    """One finite real number (a Python or numpy scalar, or a 0-d array): an option.

    ``minimum`` is the smallest value allowed (inclusive, or exclusive with
    ``strict=True``), ``maximum`` the largest (exclusive with ``strict_maximum=True``);
    ``whole`` requires a whole number and returns an ``int``, otherwise a ``float`` is
    returned. Booleans, strings, NaN, infinities and arrays of any other shape are
    refused, naming the option.
    """

    minimum: float = 0.0
    strict: bool = False
    whole: bool = False
    maximum: float | None = None
    strict_maximum: bool = False

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> int | float:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            if isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "__array__"):
                raise TypeError(
                    f"{name} must be a single number, got an array of shape {np.shape(value)}"
                )
            raise TypeError(f"{name} = {_show(value)} is not a number; it must be a single number")
        if isinstance(value, numbers.Integral):
            number = float(value) if abs(int(value)) < 2**1023 else float("inf")
        else:
            number = float(value)
        if np.isnan(number):
            raise ValueError(f"{name} = nan is not a number; it must be a finite number")
        if np.isinf(number):
            raise ValueError(f"{name} = {_show(value)} is infinite; it must be a finite number")
        low = number <= self.minimum if self.strict else number < self.minimum
        if low:
            bound = f"> {_show(self.minimum)}" if self.strict else f">= {_show(self.minimum)}"
            raise ValueError(f"{name} = {_show(value)} is out of range; it must be {bound}")
        if self.maximum is not None and (
            number >= self.maximum if self.strict_maximum else number > self.maximum
        ):
            bound = (
                f"< {_show(self.maximum)}" if self.strict_maximum else f"<= {_show(self.maximum)}"
            )
            raise ValueError(f"{name} = {_show(value)} is out of range; it must be {bound}")
        if self.whole:
            if not number.is_integer():
                raise ValueError(f"{name} = {_show(value)} is not a whole number")
            return int(number)
        return number

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield float("nan")
        yield [valid, valid]
        yield "abc"
        yield True
        yield float("inf")
        yield self.minimum - 1
        if self.whole:
            yield self.minimum + 0.5


@dataclass(frozen=True)
class Opportunity(Magnitude):
    """A whole-numbered opportunity index (the BG/BB recency): the rules of
    ``Magnitude`` (``le``, ``zero_with``), a whole number, and at least the argument
    named by ``at_least`` (a customer's last transaction cannot come before their
    ``x``-th opportunity)."""

    at_least: str | None = None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = super().coerce(name, value, done)
        with np.errstate(invalid="ignore"):
            fractional = np.floor(arr) != arr
            fractional &= ~np.isnan(arr)
            if fractional.any():
                raise _value_error(name, arr, fractional, "is not a whole number of opportunities")
            if self.at_least is not None:
                mine, base = np.broadcast_arrays(arr, np.asarray(done[self.at_least], np.float64))
                below = mine < base
                if below.any():
                    pos = _first(below)
                    raise ValueError(
                        f"{name}{_position(pos)} = {_show(mine[pos])} is below "
                        f"{self.at_least}{_position(pos)} = {_show(base[pos])}; the last "
                        f"transaction cannot come before the {self.at_least}-th opportunity"
                    )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from super().bad_values(valid, done)
        yield _corrupt_first(valid, 1.5)


@dataclass(frozen=True)
class SurvivorCounts(Rule):
    """Customers of one cohort still active at the start and after each period: at least
    two whole counts, the first > 0, never increasing."""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = Count(event=True).coerce(name, value, done)
        if arr.size < 2:
            raise ValueError(
                f"{name} must hold at least two counts (the cohort at the start and after "
                f"one period), got {arr.size}"
            )
        if arr[0] <= 0:
            raise ValueError(f"{name}[0] = {int(arr[0])} must be > 0 (the cohort's size)")
        rising = np.zeros(arr.shape, dtype=bool)
        rising[1:] = arr[1:] > arr[:-1]
        if rising.any():
            pos = _first(rising)
            raise ValueError(
                f"{name}{_position(pos)} = {int(arr[pos])} exceeds the count before it, "
                f"{int(arr[pos[0] - 1])}; survivors of a cohort can only decrease"
            )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield [100]
        yield [0, 0]
        yield [100, 120, 50]
        yield [100, 80.5]
        yield [100, -1]
        yield "abc"

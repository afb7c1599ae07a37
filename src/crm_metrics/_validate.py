"""Input coercion and validation: the only module that words an error message.

Every public function declares, per argument, a :class:`Rule` (what the argument is and
which domain it must satisfy) with the :func:`validated` decorator. The decorator
coerces and checks the arguments once, at the public boundary, before the function body
runs, so bodies work on clean numpy arrays. The same declarations let the contract tests
(``tests/contracts``) generate a bad value for every argument of every function
(:meth:`Rule.bad_values`).

Messages follow one template: the argument's name, the first offending position and
value, then the rule, e.g. ``scores[17] = 11 is outside the scale 0..10``. Domain
violations raise ``ValueError``; values of the wrong kind raise ``TypeError``.
Inputs are never modified: coercion copies whenever it changes anything.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

from crm_metrics._coerce import (
    check_orderable,
    first_position,
    is_missing,
    position,
    show,
    to_array,
    to_datetime_ns,
    to_float,
    to_timedelta_ns,
    value_error,
)

__all__ = [
    "NS_PER_UNIT",
    "Along",
    "Bounded",
    "Count",
    "DealTimestamps",
    "DistinctPairs",
    "Duration",
    "Flag",
    "Flags",
    "Fraction",
    "Frequency",
    "ImpliedFlags",
    "Instant",
    "Interval",
    "Keys",
    "LabelOrder",
    "LabelProbabilities",
    "Labels",
    "Magnitude",
    "MeanScore",
    "ModelParams",
    "Money",
    "NonNegative",
    "Omittable",
    "Option",
    "OptionNeeds",
    "Part",
    "PrecomputedDurations",
    "Real",
    "Rule",
    "ScalarDuration",
    "Scale",
    "Scores",
    "SkippableMoney",
    "Timestamps",
    "TzOffset",
    "Unaligned",
    "Unit",
    "rules_of",
    "validated",
]

P = ParamSpec("P")
R = TypeVar("R")


def _length_error(name: str, n: int, ref_name: str, n_ref: int) -> ValueError:
    return ValueError(
        f"{name} has length {n} but {ref_name} has length {n_ref}; "
        "record arrays must have equal lengths"
    )


def _finite_numbers(
    name: str, value: Any, event: bool, what: str
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """float64 values and their NaN mask; infinities refused, NaN refused in record inputs."""
    arr = to_float(name, value)
    _check_ndim(name, arr, event)
    missing = np.isnan(arr)
    if event and missing.any():
        raise value_error(name, arr, missing, "is NaN; record inputs may not be missing")
    infinite = np.isinf(arr)
    if infinite.any():
        raise value_error(name, arr, infinite, f"is infinite; {what} must be finite")
    return arr, missing


def _check_ndim(name: str, arr: NDArray[Any], event: bool) -> None:
    if event and arr.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional (one element per record), got {arr.ndim}-d"
        )


# --------------------------------------------------------------------------- rules
class Rule(ABC):
    """One argument's declaration: how to coerce it and which domain it must satisfy.

    ``event`` rules describe record-aligned 1-D arrays (one element per record); their
    lengths are checked against each other. ``coerce`` receives the arguments coerced so
    far (``done``), which is how a rule reads another argument (a scale, a base).
    """

    event: bool = False
    optional: bool = False

    @abstractmethod
    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        """Return ``value`` coerced for the function body, or raise a named error."""

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        """Values that must be refused in place of ``valid`` (for the contract tests)."""
        yield "not a number"

    def broadcasts(self) -> bool:
        """True for aggregate numeric arguments, which must broadcast against each other."""
        return False

    def aligned(self, value: Any) -> Iterator[NDArray[Any]]:
        """The record-aligned arrays inside a coerced value (for the length check)."""
        if self.event and value is not None:
            yield value


def _corrupt_first(valid: Any, replacement: Any) -> Any:
    """``valid`` with its first element replaced (a list, so dtype can change)."""
    arr = np.asarray(valid, dtype=object)
    if arr.ndim == 0:
        return replacement
    out = arr.ravel().tolist()
    if not out:
        return [replacement]
    out[0] = replacement
    return np.asarray(out, dtype=object).reshape(arr.shape).tolist()


@dataclass(frozen=True)
class Real(Rule):
    """Any real number.

    Aggregate inputs (``event=False``) accept NaN and propagate it; infinities are refused
    (a result is never infinite). Record-aligned inputs (``event=True``: a series or one
    value per record) must be 1-D and finite.
    """

    event: bool = False

    def broadcasts(self) -> bool:
        return not self.event

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = to_float(name, value)
        if np.isinf(arr).any():
            raise value_error(name, arr, np.isinf(arr), "is infinite; numbers must be finite")
        if self.event:
            _check_ndim(name, arr, True)
            bad = ~np.isfinite(arr)
            if bad.any():
                raise value_error(name, arr, bad, "is not finite; record inputs must be set")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, "abc")
        yield True  # booleans are not numbers here (a list mixing them would upcast silently)
        yield _corrupt_first(valid, float("inf"))
        if self.event:
            yield _corrupt_first(valid, float("nan"))


@dataclass(frozen=True)
class Flags(Rule):
    """Record-aligned yes/no flags: booleans, or the integers 0 and 1 (NaN refused)."""

    event: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.bool_]:
        arr = to_array(name, value)
        _check_ndim(name, arr, self.event)
        if arr.dtype.kind == "b":
            return arr
        if arr.dtype.kind == "O":
            missing = is_missing(arr)
            if missing.any():
                raise value_error(name, arr, missing, "is missing; a flag must be True or False")
            # booleans beside 0/1 numbers count as 1/0; any other kind is named by to_float
            as_number = np.frompyfunc(
                lambda v: int(v) if isinstance(v, (bool, np.bool_)) else v, 1, 1
            )
            arr = to_float(name, np.asarray(as_number(arr), dtype=object))
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be booleans (or 0/1), got dtype {arr.dtype}")
        with np.errstate(invalid="ignore"):
            bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise value_error(name, arr, bad, "is not a flag; use True/False or 1/0")
        return np.asarray(arr == 1, dtype=bool)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(np.asarray(valid).astype(int), 2)
        yield _corrupt_first(np.asarray(valid).astype(float), float("nan"))
        yield _corrupt_first(valid, "yes")


@dataclass(frozen=True)
class Count(Rule):
    """A count: integral and >= ``minimum`` (0 by default), optionally <= another argument.

    Aggregate counts (``event=False``) are float64 so that NaN propagates (a missing
    aggregate stays missing); event counts are int64 and NaN is refused. ``le`` names the
    argument this count is a subset of (``responses <= surveys_sent``).
    """

    event: bool = False
    le: str | None = None
    minimum: int = 0

    def broadcasts(self) -> bool:
        return not self.event

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[Any]:
        arr, missing = _finite_numbers(name, value, self.event, "a count")
        with np.errstate(invalid="ignore"):
            below = arr < self.minimum
            if below.any():
                rule = "is negative; a count must be >= 0" if self.minimum == 0 else ""
                raise value_error(name, arr, below, rule or f"is below the minimum {self.minimum}")
            if self.event and (arr >= 2.0**63).any():
                raise value_error(name, arr, arr >= 2.0**63, "is too large for an int64 count")
            fractional = np.floor(arr) != arr
            fractional &= ~missing
            if fractional.any():
                raise value_error(name, arr, fractional, "is not a whole number; counts are whole")
            if self.le is not None:
                base = done[self.le]
                try:
                    num_b, base_b = np.broadcast_arrays(arr, base)
                except ValueError:
                    raise ValueError(
                        f"{name} (shape {arr.shape}) and {self.le} (shape {np.shape(base)}) "
                        "do not broadcast together"
                    ) from None
                over = num_b > base_b
                if over.any():
                    pos = first_position(over)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(num_b[pos])} exceeds "
                        f"{self.le}{position(pos)} = {show(base_b[pos])}; "
                        f"{name} is a subset of {self.le}"
                    )
        return arr.astype(np.int64) if self.event else arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, self.minimum - 1)
        yield _corrupt_first(valid, 2.5)
        yield _corrupt_first(valid, "abc")
        yield _corrupt_first(valid, float("inf"))
        if self.event:
            yield _corrupt_first(valid, float("nan"))
        if self.le is not None:
            base = np.asarray(done[self.le], dtype=np.float64)
            if base.size and np.isfinite(base.ravel()[0]):
                yield _corrupt_first(valid, base.ravel()[0] + 1)


@dataclass(frozen=True)
class Money(Rule):
    """An amount of money: >= 0 unless ``signed``; finite (NaN propagates in aggregates)."""

    event: bool = False
    signed: bool = False

    def broadcasts(self) -> bool:
        return not self.event

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr, _ = _finite_numbers(name, value, self.event, "money")
        with np.errstate(invalid="ignore"):
            if not self.signed and (arr < 0).any():
                raise value_error(name, arr, arr < 0, "is negative; this amount must be >= 0")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        if not self.signed:
            yield _corrupt_first(valid, -1.0)
        yield _corrupt_first(valid, "abc")
        yield _corrupt_first(valid, float("inf"))


@dataclass(frozen=True)
class Scale(Rule):
    """A rating scale ``(lo, hi)``: two integers with ``hi - lo >= min_span``."""

    min_span: int = 1

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> tuple[int, int]:
        if isinstance(value, np.ndarray) and value.shape == (2,) and value.dtype.kind in "iu":
            value = tuple(value.tolist())
        if (
            not isinstance(value, Sequence)
            or isinstance(value, str)
            or len(value) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
        ):
            raise TypeError(f"{name} must be a pair of integers (lo, hi), got {value!r}")
        lo, hi = int(value[0]), int(value[1])
        if hi - lo < self.min_span:
            need = "hi > lo" if self.min_span == 1 else f"hi - lo >= {self.min_span}"
            raise ValueError(f"{name} = ({lo}, {hi}) is not a valid scale; it needs {need}")
        return lo, hi

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield (5, 1)
        yield (1, 1)
        yield (1.0, 5.5)
        yield "1..5"


@dataclass(frozen=True)
class Scores(Rule):
    """Survey answers: integers on the scale given by the argument ``scale`` (or fixed)."""

    scale: str | tuple[int, int] = "scale"
    event: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.int64]:
        lo, hi = done[self.scale] if isinstance(self.scale, str) else self.scale
        off_scale = f"is outside the scale {lo}..{hi}"
        raw = to_array(name, value)
        if raw.dtype.kind in "iu":  # integers: one min/max pass, no float copy
            _check_ndim(name, raw, self.event)
            if raw.size and (raw.min() < lo or raw.max() > hi):
                raise value_error(name, raw, (raw < lo) | (raw > hi), off_scale)
            return raw.astype(np.int64, copy=False)
        arr = to_float(name, raw)
        _check_ndim(name, arr, self.event)
        with np.errstate(invalid="ignore"):
            missing = np.isnan(arr)
            if missing.any():
                raise value_error(name, arr, missing, "is NaN; survey scores may not be missing")
            outside = (arr < lo) | (arr > hi)
            if outside.any():
                raise value_error(name, arr, outside, off_scale)
            fractional = np.floor(arr) != arr
            if fractional.any():
                raise value_error(name, arr, fractional, "is not a whole number")
        return arr.astype(np.int64)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        lo, hi = done[self.scale] if isinstance(self.scale, str) else self.scale
        yield _corrupt_first(valid, hi + 1)
        yield _corrupt_first(valid, lo - 1)
        yield _corrupt_first(valid, lo + 0.5)
        yield _corrupt_first(valid, float("nan"))
        yield _corrupt_first(valid, "abc")
        yield np.full((2, 2), lo)


@dataclass(frozen=True)
class MeanScore(Rule):
    """An aggregate mean of scores: a real number on the ``scale``; NaN propagates."""

    scale: str = "scale"

    def broadcasts(self) -> bool:
        return True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        lo, hi = done[self.scale]
        arr = to_float(name, value)
        with np.errstate(invalid="ignore"):
            outside = (arr < lo) | (arr > hi) | np.isinf(arr)
        if outside.any():
            raise value_error(name, arr, outside, f"is outside the scale {lo}..{hi}")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        lo, hi = done[self.scale]
        yield _corrupt_first(valid, hi + 0.5)
        yield _corrupt_first(valid, lo - 1)
        yield _corrupt_first(valid, "abc")


@dataclass(frozen=True)
class Flag(Rule):
    """A boolean option; ``only`` restricts it to one value, refused otherwise with ``reason``."""

    only: bool | None = None
    reason: str = ""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        if self.only is not None and bool(value) != self.only:
            raise ValueError(f"{name} = {bool(value)} is not supported: {self.reason}")
        return bool(value)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield "yes"
        if self.only is not None:
            yield not self.only


@dataclass(frozen=True)
class TzOffset(Rule):
    """Hours between the local calendar and UTC: one finite number in -24..24."""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> float:
        arr = to_float(name, value)
        if arr.ndim != 0:
            raise ValueError(f"{name} must be a single number of hours, got shape {arr.shape}")
        hours = float(arr)
        if not np.isfinite(hours) or abs(hours) > 24:
            raise ValueError(f"{name} = {hours!r} must be a finite number of hours in -24..24")
        return hours

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield 25
        yield float("nan")
        yield [1, 2]
        yield "+02:00"


@dataclass(frozen=True)
class Option(Rule):
    """One of a fixed set of option strings."""

    choices: tuple[str, ...] = ()

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, one of {self._listed()}; got {value!r}")
        if value not in self.choices:
            raise ValueError(
                f"{name} = {value!r} is not a known option; use one of {self._listed()}"
            )
        return value

    def _listed(self) -> str:
        return ", ".join(repr(c) for c in self.choices)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield "no-such-option"
        yield 3


@dataclass(frozen=True)
class Frequency(Option):
    """A calendar frequency for period keys: D, W (ISO, Monday start), M, Q or Y."""

    choices: tuple[str, ...] = ("D", "W", "M", "Q", "Y")


def _keys_array(name: str, value: Any) -> NDArray[Any]:
    arr = to_array(name, value)
    _check_ndim(name, arr, True)
    kind = arr.dtype.kind
    if kind == "f" and np.isnan(arr).any():
        raise value_error(name, arr, np.isnan(arr), "is NaN; group keys may not be missing")
    if kind == "O":
        missing = is_missing(arr)
        if missing.any():
            raise value_error(name, arr, missing, "is missing; group keys may not be None or NaN")
        check_orderable(name, arr)
    if kind in "cV":
        raise TypeError(f"{name} must hold sortable keys, got dtype {arr.dtype}")
    return arr


def _is_multikey(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) > 0
        and all(hasattr(part, "__len__") and not isinstance(part, (str, bytes)) for part in value)
    )


def _is_list_of_columns(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 1
        and all(isinstance(part, np.ndarray) or _library_column(part) for part in value)
    )


def _library_column(part: Any) -> bool:
    return type(part).__module__.split(".", 1)[0] in ("pandas", "polars", "pyarrow") and hasattr(
        part, "__len__"
    )


@dataclass(frozen=True)
class Keys(Rule):
    """Record-aligned group keys (``by=``, ids): an array, or a tuple of arrays (multi-key).

    Keys may be integers, booleans, strings, datetimes (NaT is one group, sorted last),
    floats (NaN refused) or sortable Python objects (None and NaN refused).
    """

    event: bool = True
    optional: bool = True
    multi: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None:
            if self.optional:
                return None
            raise TypeError(f"{name} is required, got None")
        if self.multi and _is_list_of_columns(value):
            raise TypeError(
                f"{name} is a list of {len(value)} arrays; for a multi-key pass a tuple "
                f"({name}=(a, b)), so that a list is always one key per record"
            )
        if self.multi and _is_multikey(value):
            parts = tuple(_keys_array(f"{name}[{i}]", part) for i, part in enumerate(value))
            for i, part in enumerate(parts[1:], start=1):
                if len(part) != len(parts[0]):
                    raise _length_error(f"{name}[{i}]", len(part), f"{name}[0]", len(parts[0]))
            return parts
        return _keys_array(name, value)

    def aligned(self, value: Any) -> Iterator[NDArray[Any]]:
        if value is None:
            return
        if isinstance(value, tuple):
            yield value[0]
        else:
            yield value

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        n = len(valid[0]) if isinstance(valid, tuple) else len(valid)
        yield list(range(n + 1))  # one key too many
        yield np.array([np.nan] * n) if n else [np.nan]
        yield np.zeros((max(n, 1), 2))


@dataclass(frozen=True)
class Timestamps(Rule):
    """Record-aligned timestamps as datetime64[ns] (naive UTC); NaT only if ``nat_ok``.

    ``since`` names the record-aligned timestamps these may not precede, record by record
    (``resolved_at`` is declared ``since="opened_at"``): an end earlier than its start is a
    negative duration, refused. NaT on either side is not compared.
    """

    event: bool = True
    nat_ok: bool = False
    since: str | None = None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.datetime64]:
        arr = to_datetime_ns(name, value)
        _check_ndim(name, arr, True)
        if not self.nat_ok and np.isnat(arr).any():
            raise value_error(name, arr, np.isnat(arr), "is NaT; this timestamp must be set")
        begin = done.get(self.since) if self.since else None
        if begin is not None and len(begin) == len(arr):  # unequal lengths are named later
            early = arr < begin  # NaT compares False on either side
            if early.any():
                pos = first_position(early)
                raise ValueError(
                    f"{name}{position(pos)} = {show(arr[pos])} is earlier than "
                    f"{self.since}{position(pos)} = {show(begin[pos])}; "
                    "an end may not precede its start"
                )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(np.asarray(valid).astype(str), "12/31/2014")
        yield np.arange(len(valid))
        if not self.nat_ok:
            yield _corrupt_first(np.asarray(valid).astype(str), "NaT")
        begin = done.get(self.since) if self.since else None
        if begin is not None and len(begin) and len(begin) == len(valid) and not np.isnat(begin[0]):
            early = begin[0] - np.timedelta64(1, "h")
            yield _corrupt_first(np.asarray(valid).astype(str), str(early))


@dataclass(frozen=True)
class Instant(Rule):
    """One point in time (``start``, ``end``, ``as_of``) as ``numpy.datetime64[ns]``."""

    optional: bool = True
    #: the argument this instant may not precede (``end`` is declared ``not_before="start"``)
    not_before: str | None = None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> np.datetime64 | None:
        if value is None:
            if self.optional:
                return None
            raise TypeError(f"{name} is required, got None")
        arr = to_datetime_ns(name, value)
        if arr.ndim != 0:
            raise ValueError(
                f"{name} must be a single timestamp, got an array of shape {arr.shape}"
            )
        if np.isnat(arr):
            raise ValueError(f"{name} is NaT; give a timestamp or None")
        instant = np.datetime64(arr.item(), "ns")
        earlier = done.get(self.not_before) if self.not_before else None
        if earlier is not None and instant < earlier:
            raise ValueError(
                f"{name} = {instant} is earlier than {self.not_before} = {earlier}; "
                f"the window [{self.not_before}, {name}) would be negative"
            )
        return instant

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield "12/31/2014"
        yield 5
        yield ["2020-01-01", "2020-01-02"]
        earlier = done.get(self.not_before) if self.not_before else None
        if earlier is not None:
            yield earlier - np.timedelta64(1, "D")


@dataclass(frozen=True)
class Unit(Option):
    """A duration unit: seconds, minutes (``"min"``, or numpy's ``"m"``), hours or days."""

    choices: tuple[str, ...] = ("s", "min", "m", "h", "D")


#: Nanoseconds per accepted duration unit (``"m"`` is numpy's minute, never a month).
NS_PER_UNIT: dict[str, int] = {
    "s": 1_000_000_000,
    "min": 60_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "D": 86_400_000_000_000,
}


@dataclass(frozen=True)
class Duration(Rule):
    """A duration >= 0 (threshold, window, wait) as float64 nanoseconds.

    ``numpy.timedelta64`` values (any resolution) are unit-free; plain numbers are read in
    the unit named by the argument ``unit`` (``threshold=20`` with ``unit="s"`` is 20
    seconds). Arrays are accepted; NaN and NaT are refused.
    """

    unit: str = "unit"
    event: bool = False

    def broadcasts(self) -> bool:
        return not self.event

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = to_array(name, value)
        ns = to_timedelta_ns(name, arr, NS_PER_UNIT[done[self.unit]])
        _check_ndim(name, ns, self.event)
        with np.errstate(invalid="ignore"):
            if np.isnan(ns).any():
                what = "NaT" if arr.dtype.kind == "m" else "NaN"
                raise value_error(name, arr, np.isnan(ns), f"is {what}; a duration must be set")
            if np.isinf(ns).any():
                raise value_error(name, arr, np.isinf(ns), "is infinite")
            if (ns < 0).any():
                raise value_error(name, arr, ns < 0, "is negative; a duration must be >= 0")
        return ns

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, -1)
        yield _corrupt_first(valid, float("nan"))
        yield _corrupt_first(valid, "abc")
        yield np.timedelta64(-5, "s")


@dataclass(frozen=True)
class Fraction(Rule):
    """An aggregate fraction in [0, 1] (a rate given as input); NaN propagates."""

    def broadcasts(self) -> bool:
        return True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = to_float(name, value)
        with np.errstate(invalid="ignore"):
            outside = (arr < 0) | (arr > 1) | np.isinf(arr)
        if outside.any():
            raise value_error(name, arr, outside, "is outside 0..1; give a fraction, not percent")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, 1.5)
        yield _corrupt_first(valid, -0.1)
        yield _corrupt_first(valid, "abc")


def _label_list(name: str, value: Any) -> tuple[Any, ...]:
    """A non-empty sequence (or mapping keys) of distinct, non-missing labels as a tuple."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of labels, got {type(value).__name__}")
    labels = tuple(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else tuple(value)
    if not labels:
        raise ValueError(f"{name} is empty; it needs at least one label")
    for i, label in enumerate(labels):
        if label is None or (isinstance(label, float) and label != label):
            raise ValueError(f"{name}[{i}] = {show(label)} is missing; labels must be set")
        if label in labels[:i]:
            raise ValueError(f"{name}[{i}] = {show(label)} is repeated; labels must be distinct")
    return labels


@dataclass(frozen=True)
class LabelOrder(Rule):
    """An ordered list of distinct labels, e.g. a pipeline's ``stage_order``; a tuple."""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> tuple[Any, ...]:
        return _label_list(name, value)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield []
        yield [valid[0], valid[0]]
        yield "stage"
        yield {valid[0]: 1}


@dataclass(frozen=True)
class LabelProbabilities(Rule):
    """A mapping label -> probability in [0, 1] (e.g. deal stage -> win probability)."""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> dict[Any, float]:
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a mapping label -> probability, got {value!r}")
        labels = _label_list(name, list(value))
        probs = np.array([value[k] for k in labels], dtype=object)
        numeric = np.asarray(
            [isinstance(p, numbers.Real) and not isinstance(p, bool) for p in probs], dtype=bool
        )
        if not numeric.all():
            pos = first_position(~numeric)[0]
            raise TypeError(f"{name}[{labels[pos]!r}] = {show(probs[pos])} is not a number")
        p = probs.astype(np.float64)
        with np.errstate(invalid="ignore"):
            bad = ~((p >= 0) & (p <= 1))  # NaN is bad too
        if bad.any():
            pos = first_position(bad)[0]
            raise ValueError(
                f"{name}[{labels[pos]!r}] = {show(p[pos])} is not a probability in 0..1"
            )
        return dict(zip(labels, p.tolist(), strict=True))

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        first = next(iter(valid))
        yield {**valid, first: 1.5}
        yield {**valid, first: float("nan")}
        yield {**valid, first: "high"}
        yield {}
        yield [0.5]


@dataclass(frozen=True)
class Labels(Rule):
    """Record-aligned labels from a closed set, coerced to their int64 positions in it.

    ``choices`` is either a fixed tuple of labels or the name of an argument declared
    before (a :class:`LabelOrder` tuple, or a :class:`LabelProbabilities` mapping, whose
    keys are the labels). A label outside the set is a ValueError naming it and its row
    (unknown stage or option names are refused, never dropped).
    """

    choices: str | tuple[Any, ...] = ()
    event: bool = True

    def _choices(self, done: Mapping[str, Any]) -> tuple[Any, ...]:
        choices = done[self.choices] if isinstance(self.choices, str) else self.choices
        return tuple(choices)

    def _known(self) -> str:
        return f"the labels of {self.choices}" if isinstance(self.choices, str) else "one of"

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.int64]:
        labels = self._choices(done)
        arr = _keys_array(name, value)
        table = np.asarray(labels)
        order = np.argsort(table, kind="stable")
        ordered = table[order]
        found = np.zeros(len(arr), dtype=bool)
        idx = np.zeros(len(arr), dtype=np.intp)
        if len(arr):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    idx = np.minimum(np.searchsorted(ordered, arr), len(ordered) - 1)
                    same = np.asarray(ordered[idx] == arr)
                if same.shape == arr.shape:
                    found = same.astype(bool, copy=False)
            except (TypeError, ValueError):  # labels of another kind: nothing matches
                pass
        if not found.all():
            listed = ", ".join(show(c) for c in labels)
            where = (
                f"is not a label of {self.choices} ({listed})"
                if isinstance(self.choices, str)
                else f"is not one of {listed}"
            )
            raise value_error(name, arr, ~found, where)
        return order[idx].astype(np.int64, copy=False)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        labels = list(self._choices(done))
        pos = np.asarray(valid, dtype=np.int64)
        names = np.array([labels[i] for i in pos.tolist()], dtype=object).tolist()
        yield _corrupt_first(names, "no-such-label")
        yield _corrupt_first(names, None)
        yield _corrupt_first(names, float("nan"))


@dataclass(frozen=True)
class DealTimestamps(Timestamps):
    """A deal-level end timestamp repeated on each of the deal's rows (NaT allowed).

    Row by row it may not precede ``since`` (as :class:`Timestamps`). Being constant within
    a deal needs the rows grouped by deal, which the metric does anyway: it calls
    :meth:`check_constant` on its sorted rows instead of sorting twice.
    """

    nat_ok: bool = True
    since: str | None = "entered_at"
    ids: str = "deal_id"

    def check_constant(
        self,
        name: str,
        values: NDArray[np.datetime64],
        order: NDArray[np.intp],
        same_deal: NDArray[np.bool_],
    ) -> None:
        """Refuse a value that differs within one deal.

        ``values`` is in the rows' original order, ``order`` sorts the rows by deal, and
        ``same_deal[j]`` says sorted rows ``j`` and ``j + 1`` belong to the same deal.
        """
        ints = values.view(np.int64)[order]
        differs = same_deal & (ints[1:] != ints[:-1])
        if differs.any():
            j = int(np.argmax(differs))
            row, other = int(order[j + 1]), int(order[j])
            raise ValueError(
                f"{name}[{row}] = {values[row]} differs from {name}[{other}] = {values[other]} "
                f"of the same {self.ids}; a deal has one {name}"
            )

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from super().bad_values(valid, done)
        ids = np.asarray(done[self.ids])
        entered = np.asarray(done[self.since or "entered_at"])
        twin = np.flatnonzero(ids == ids[0]) if len(ids) else ids
        if len(twin) >= 2:  # the same deal, a different close on its first row
            other = np.asarray(valid).copy()
            later = entered[twin].max() + np.timedelta64(1, "D")
            other[twin[0]] = later + np.timedelta64(1, "D")
            other[twin[1]] = later
            yield other


@dataclass(frozen=True)
class SkippableMoney(Rule):
    """Record-aligned money of any sign in which NaN marks a missing amount, or None.

    The one event input that accepts NaN (the monetary column of
    ``clv.rfm_summary``, whose NaN amounts are skipped as lifetimes skips them). None
    means "no amounts". Infinities are refused.
    """

    event: bool = True
    optional: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64] | None:
        if value is None:
            return None
        arr = to_float(name, value)
        _check_ndim(name, arr, True)
        if np.isinf(arr).any():
            raise value_error(name, arr, np.isinf(arr), "is infinite; money must be finite")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, "abc")
        yield _corrupt_first(valid, float("inf"))
        yield True


@dataclass(frozen=True)
class Magnitude(Rule):
    """A finite real number >= 0 in the function's own unit (periods, a rate, a weight).

    ``le`` names an argument it may not exceed (``recency <= T``); ``zero_with`` names a
    count argument whose zeros force this value to be 0 (the recency of a customer with
    no repeat purchase); ``positive_with`` names a count argument whose positive entries
    require this value to be > 0 (the mean spend of a repeat customer). ``positive``
    refuses 0 everywhere (a model parameter). Aggregate values (``event=False``)
    broadcast and let NaN propagate; record values refuse it. ``optional`` accepts None.
    """

    event: bool = False
    optional: bool = False
    le: str | None = None
    zero_with: str | None = None
    positive_with: str | None = None
    positive: bool = False

    def broadcasts(self) -> bool:
        return not self.event

    def _partner(self, name: str, arr: NDArray[Any], other: str, done: Mapping[str, Any]) -> Any:
        try:
            return np.broadcast_arrays(arr, np.asarray(done[other], dtype=np.float64))
        except ValueError:
            raise ValueError(
                f"{name} (shape {arr.shape}) and {other} (shape {np.shape(done[other])}) "
                "do not broadcast together"
            ) from None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None and self.optional:
            return None
        arr = to_float(name, value)
        _check_ndim(name, arr, self.event)
        with np.errstate(invalid="ignore"):
            missing = np.isnan(arr)
            if self.event and missing.any():
                raise value_error(name, arr, missing, "is NaN; record inputs may not be missing")
            if np.isinf(arr).any():
                raise value_error(name, arr, np.isinf(arr), "is infinite; it must be finite")
            if (arr < 0).any():
                raise value_error(name, arr, arr < 0, "is negative; it must be >= 0")
            if self.positive and (arr == 0).any():
                raise value_error(name, arr, arr == 0, "is 0; it must be > 0")
            if self.le is not None and done.get(self.le) is not None:
                mine, base = self._partner(name, arr, self.le, done)
                over = mine > base
                if over.any():
                    pos = first_position(over)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(mine[pos])} exceeds "
                        f"{self.le}{position(pos)} = {show(base[pos])}; "
                        f"{name} may not be larger than {self.le}"
                    )
            if self.zero_with is not None:
                mine, count = self._partner(name, arr, self.zero_with, done)
                bad = (count == 0) & (mine != 0) & ~np.isnan(mine)
                if bad.any():
                    pos = first_position(bad)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(mine[pos])} is not 0 although "
                        f"{self.zero_with}{position(pos)} = 0; without a repeat purchase "
                        f"{name} must be 0"
                    )
            if self.positive_with is not None:
                mine, count = self._partner(name, arr, self.positive_with, done)
                bad = (count > 0) & (mine <= 0)
                if bad.any():
                    pos = first_position(bad)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(mine[pos])} is not positive although "
                        f"{self.positive_with}{position(pos)} = {show(count[pos])} > 0; "
                        "the spend model needs a positive mean spend for every repeat customer"
                    )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, -1.0)
        yield _corrupt_first(valid, "abc")
        yield _corrupt_first(valid, float("inf"))
        if self.event:
            yield _corrupt_first(valid, float("nan"))
        if self.positive:
            yield _corrupt_first(valid, 0.0)


@dataclass(frozen=True)
class ModelParams(Rule):
    """Fitted model parameters: a mapping (or an object with attributes) of positive floats.

    ``names`` are the required keys (``("r", "alpha", "a", "b")``); extra keys are ignored,
    so a fitted pydantic model or its ``model_dump()`` both pass; a tuple or list gives
    the values in the order of ``names``. ``above`` lists ``(name, bound)`` pairs the
    parameter must exceed, refused with ``reason``. ``optional`` accepts None.
    ``record`` names the class of the fitted record these parameters belong to: a fitted
    record of another model (pydantic, e.g. an MBG/NBD fit given to a BG/NBD function,
    whose parameters share their names) is refused instead of being read with the wrong
    formulas. Returns a ``dict`` of Python floats (or None).
    """

    names: tuple[str, ...] = ()
    above: tuple[tuple[str, float], ...] = ()
    reason: str = ""
    optional: bool = False
    record: str | None = None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> dict[str, float] | None:
        if value is None and self.optional:
            return None
        kind = type(value).__name__
        if self.record and hasattr(type(value), "model_fields") and kind != self.record:
            raise TypeError(
                f"{name} is a {kind}, but this function needs a {self.record} "
                f"(or its parameters {', '.join(self.names)}); each model has its own formulas"
            )
        if isinstance(value, (tuple, list)):
            if len(value) != len(self.names):
                raise TypeError(
                    f"{name} must hold {len(self.names)} values ({', '.join(self.names)}), "
                    f"got {len(value)}"
                )
            value = dict(zip(self.names, value, strict=True))
        if isinstance(value, Mapping):
            missing = [k for k in self.names if k not in value]
            raw = {k: value[k] for k in self.names if k in value}
        elif all(hasattr(value, k) for k in self.names) and not isinstance(value, (str, bytes)):
            missing, raw = [], {k: getattr(value, k) for k in self.names}
        else:
            missing, raw = list(self.names), {}
        if missing:
            raise TypeError(
                f"{name} must be a fitted model or a mapping with keys "
                f"{', '.join(self.names)}; missing {', '.join(missing)}"
            )
        out: dict[str, float] = {}
        for key, v in raw.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.floating)):
                raise TypeError(f"{name}[{key!r}] = {show(v)} is not a number")
            x = float(v)
            if not (np.isfinite(x) and x > 0):
                raise ValueError(f"{name}[{key!r}] = {x!r} must be a finite number > 0")
            out[key] = x
        for key, bound in self.above:
            if out[key] <= bound:
                raise ValueError(
                    f"{name}[{key!r}] = {out[key]!r} is not above {bound}: {self.reason}"
                )
        return out

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        if self.record is not None:
            yield _AnotherModel(**dict.fromkeys(self.names, 2.0))
        good = dict.fromkeys(self.names, 2.0)
        yield {**good, self.names[0]: -1.0}
        yield {**good, self.names[0]: float("nan")}
        yield {**good, self.names[0]: "abc"}
        yield {k: v for k, v in good.items() if k != self.names[-1]}
        for key, bound in self.above:
            yield {**good, key: bound}


class _AnotherModel:
    """A stand-in fitted record of some other model (for the bad-input sweep)."""

    model_fields: ClassVar[dict[str, Any]] = {}

    def __init__(self, **params: float) -> None:
        self.__dict__.update(params)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.__dict__.items())))

    def __repr__(self) -> str:
        return f"AnotherModel({self.__dict__})"


@dataclass(frozen=True)
class ScalarDuration(Duration):
    """One duration >= 0 (a threshold or a window), as a float of nanoseconds.

    As :class:`Duration` (``numpy.timedelta64`` is unit-free, a number is read in the
    argument ``unit``), but a single value; ``optional`` ones may be None (no threshold).
    """

    optional: bool = False

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None and self.optional:
            return None
        ns = super().coerce(name, value, done)
        if ns.ndim != 0:
            raise ValueError(f"{name} must be a single duration, got an array of shape {ns.shape}")
        return float(ns)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from super().bad_values(valid, done)
        yield [1, 2]


@dataclass(frozen=True)
class PrecomputedDurations(Duration):
    """Precomputed record durations (``durations=``) that replace a pair of timestamps.

    Either the timestamps named in ``replaces`` are given, or the durations (one >= 0 per
    record, read like :class:`Duration`), never both; the arguments in ``excludes``
    (``start``, ``end``: they select records by a timestamp) may not be given with them.
    """

    event: bool = True
    optional: bool = True
    replaces: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None:
            for other in self.replaces:
                if done.get(other) is None:
                    raise TypeError(f"{other} is required unless {name} is given")
            return None
        given = [o for o in (*self.replaces, *self.excludes) if done.get(o) is not None]
        if given:
            raise ValueError(
                f"{name} replaces {', '.join(self.replaces)}; "
                f"{given[0]} may not be given together with {name}"
            )
        return super().coerce(name, value, done)


@dataclass(frozen=True)
class OptionNeeds(Option):
    """An option string some of whose choices need other (optional) arguments to be given.

    ``needs`` pairs a choice with the arguments it reads: ``target="response"`` needs
    ``first_response_at`` and ``response_due_at``. Declare it after those arguments.
    """

    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> str:
        choice = super().coerce(name, value, done)
        for option, arguments in self.needs:
            if option == choice:
                for other in arguments:
                    if done.get(other) is None:
                        raise TypeError(f"{other} is required with {name}={choice!r}")
        return choice


@dataclass(frozen=True)
class ImpliedFlags(Flags):
    """Record flags that imply another flag row by row (``delivered`` implies ``sent``).

    ``requires`` names the flag argument (declared before) that must hold wherever this one
    does; the first row where it does not is named (funnel flags must be monotone).
    """

    requires: str = ""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.bool_]:
        arr = super().coerce(name, value, done)
        base = done[self.requires]
        if len(arr) == len(base):  # unequal lengths are reported by the decorator
            bad = arr & ~base
            if bad.any():
                pos = first_position(bad)
                raise ValueError(
                    f"{name}{position(pos)} = True but {self.requires}{position(pos)} = False; "
                    f"{name} implies {self.requires} (funnel flags must be monotone)"
                )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from super().bad_values(valid, done)
        base = np.asarray(done[self.requires], dtype=bool)
        if (~base).any():
            broken = np.asarray(valid, dtype=bool).copy()
            broken[int(np.argmax(~base))] = True
            yield broken


def _exceeds(part: NDArray[np.float64], whole: NDArray[np.float64]) -> NDArray[np.bool_]:
    """``part > whole`` beyond the rounding of a float sum (0.1 + 0.2 is not more than 0.3)."""
    with np.errstate(invalid="ignore"):
        slack = 8 * np.finfo(np.float64).eps * np.maximum(np.abs(part), np.abs(whole))
        return np.asarray(part > whole + slack)


def _total(names: tuple[str, ...], done: Mapping[str, Any]) -> Any:
    """Element-wise sum of the named (already coerced) arguments, as float64."""
    return sum((np.asarray(done[n], dtype=np.float64) for n in names), np.float64(0.0))


@dataclass(frozen=True)
class Bounded(Rule):
    """A tally (checked by ``inner``: a count or an amount) bounded by other arguments.

    ``value + sum(with_) <= sum(within)`` (``delivered <= sent``; ``unsubscribes +
    bounced_removed <= list_size_start + new_subscribers``) and ``value >= each of covers``
    (``sent >= delivered``), element-wise; the named arguments are declared before, and a
    bound naming an omitted (None) argument is skipped. ``required_if = (option, choice)``
    makes an optional (None by default) tally required when that option has that choice.
    NaN propagates.
    """

    inner: Rule = Count()
    within: tuple[str, ...] = ()
    with_: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()
    required_if: tuple[str, str] | None = None
    optional: bool = False

    def broadcasts(self) -> bool:
        return True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None and self.optional:
            if self.required_if is not None and done[self.required_if[0]] == self.required_if[1]:
                option, choice = self.required_if
                raise TypeError(f"{name} is required with {option}={choice!r}, got None")
            return None
        arr = self.inner.coerce(name, value, done)
        named = (*self.within, *self.with_, *self.covers)
        if any(done[n] is None for n in named):
            return arr
        try:
            if self.within:
                part, whole = np.broadcast_arrays(
                    arr + _total(self.with_, done), _total(self.within, done)
                )
                over = _exceeds(part, whole)
                if over.any():
                    pos = first_position(over)
                    lhs = " + ".join((name, *self.with_))
                    raise ValueError(
                        f"{name}{position(pos)} = {show(np.broadcast_to(arr, over.shape)[pos])} "
                        f"makes {lhs} = {show(part[pos])} exceed {' + '.join(self.within)} = "
                        f"{show(whole[pos])}; it is a part of {' + '.join(self.within)}"
                    )
            for other in self.covers:
                this, sub = np.broadcast_arrays(arr, done[other])
                below = this < sub
                if below.any():
                    pos = first_position(below)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(this[pos])} is less than "
                        f"{other}{position(pos)} = {show(sub[pos])}; {other} is a part of {name}"
                    )
        except ValueError as exc:
            if "broadcast" not in str(exc) or "shape mismatch" not in str(exc):
                raise
            raise ValueError(
                f"{name} (shape {np.shape(arr)}) does not broadcast with {', '.join(named)}"
            ) from None
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        if valid is None:
            return
        yield from self.inner.bad_values(valid, done)
        required = self.required_if
        if self.optional and required is not None and done[required[0]] == required[1]:
            yield None
        named = (*self.within, *self.with_, *self.covers)
        if any(done[n] is None for n in named):
            return
        if self.within:
            room = np.ravel(_total(self.within, done) - _total(self.with_, done))
            if room.size and np.isfinite(room[0]):
                yield _corrupt_first(valid, max(float(room[0]), 0.0) + 1)
        for other in self.covers:
            sub = np.ravel(np.asarray(done[other], dtype=np.float64))
            if sub.size and np.isfinite(sub[0]) and sub[0] >= 1:
                yield _corrupt_first(valid, float(sub[0]) - 1)


@dataclass(frozen=True)
class Interval(Rule):
    """A real number in an interval (``lo``/``hi``, each open or closed); NaN propagates.

    ``integer`` requires whole numbers; ``scalar`` requires one number (an option such as
    ``window`` or ``confidence``), returned as a Python int or float, NaN refused.
    """

    lo: float = -np.inf
    hi: float = np.inf
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False
    scalar: bool = False

    def broadcasts(self) -> bool:
        return not self.scalar

    def _describe(self) -> str:
        def num(x: float) -> str:
            return str(int(x)) if np.isfinite(x) and float(x).is_integer() else str(x)

        left = "(" if self.lo_open or not np.isfinite(self.lo) else "["
        right = ")" if self.hi_open or not np.isfinite(self.hi) else "]"
        return f"{left}{num(self.lo)}, {num(self.hi)}{right}"

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = to_float(name, value)
        if self.scalar and arr.ndim != 0:
            raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
        with np.errstate(invalid="ignore"):
            missing = np.isnan(arr)
            if self.scalar and missing.any():
                raise value_error(name, arr, missing, "is NaN; this option must be set")
            low = (arr <= self.lo) if self.lo_open else (arr < self.lo)
            high = (arr >= self.hi) if self.hi_open else (arr > self.hi)
            outside = low | high | np.isinf(arr)
            if outside.any():
                raise value_error(name, arr, outside, f"is outside {self._describe()}")
            if self.integer:
                fractional = (np.floor(arr) != arr) & ~missing
                if fractional.any():
                    raise value_error(name, arr, fractional, "is not a whole number")
        if self.scalar:
            return int(arr) if self.integer else float(arr)
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        if np.isfinite(self.lo):
            yield _corrupt_first(valid, self.lo - 1)
        if np.isfinite(self.hi):
            yield _corrupt_first(valid, self.hi + 1)
        if self.integer:
            yield _corrupt_first(valid, 2.5)
        if self.scalar:
            yield [1, 2]
            yield float("nan")
        yield _corrupt_first(valid, "abc")


@dataclass(frozen=True)
class Unaligned(Rule):
    """A record array of a second table (cost events beside transactions).

    Wraps an event rule (``inner``) but is not length-checked against the first table;
    ``same_length_as`` names the argument of its own table it must match instead.
    """

    inner: Rule = Flags()
    same_length_as: str | None = None

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = self.inner.coerce(name, value, done)
        other = self.same_length_as
        if other is not None and len(arr) != len(done[other]):
            raise _length_error(name, len(arr), other, len(done[other]))
        return arr

    def aligned(self, value: Any) -> Iterator[NDArray[Any]]:
        return iter(())

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from self.inner.bad_values(valid, done)
        if self.same_length_as is not None:
            yield np.asarray(valid)[:-1] if len(valid) else [1]


@dataclass(frozen=True)
class NonNegative(Rule):
    """An aggregate real number >= 0 that is not money (a rate per period, a number of
    periods, a discount rate); NaN propagates, infinities are refused."""

    def broadcasts(self) -> bool:
        return True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = to_float(name, value)
        with np.errstate(invalid="ignore"):
            if np.isinf(arr).any():
                raise value_error(name, arr, np.isinf(arr), "is infinite; it must be finite")
            if (arr < 0).any():
                raise value_error(name, arr, arr < 0, "is negative; it must be >= 0")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, -1.0)
        yield _corrupt_first(valid, float("inf"))
        yield _corrupt_first(valid, "abc")


@dataclass(frozen=True)
class Part(Rule):
    """A count or amount (checked by ``inner``) that is a part of the argument ``of``.

    Without ``net_of``: ``value + sum(plus) <= of`` element-wise (churned + contraction
    <= starting revenue). With ``net_of``: ``0 <= value - net_of <= of`` (end-of-period
    customers minus new customers, the retained ones, lie between 0 and the start count).
    The arguments named in ``of``, ``plus`` and ``net_of`` must be declared before; a
    ``None`` base (an omitted optional argument) disables the check. NaN propagates.
    """

    inner: Rule
    of: str
    plus: tuple[str, ...] = ()
    net_of: str | None = None

    def broadcasts(self) -> bool:
        return self.inner.broadcasts()

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = self.inner.coerce(name, value, done)
        base = done[self.of]
        if base is None:
            return arr
        try:
            if self.net_of is not None:
                net = done[self.net_of]
                value_b, net_b, base_b = np.broadcast_arrays(arr, net, base)
                low = value_b < net_b
                if low.any():
                    pos = first_position(low)
                    raise ValueError(
                        f"{name}{position(pos)} = {show(value_b[pos])} is less than "
                        f"{self.net_of}{position(pos)} = {show(net_b[pos])}; "
                        f"{name} - {self.net_of} would be negative"
                    )
                high = _exceeds(value_b - net_b, base_b)
                rule = f"minus {self.net_of} exceeds {self.of}"
            else:
                others = sum((np.asarray(done[p], dtype=np.float64) for p in self.plus), 0.0)
                value_b, others_b, base_b = np.broadcast_arrays(arr, others, base)
                high = _exceeds(value_b + others_b, base_b)
                rule = f"plus {' + '.join(self.plus)} exceeds {self.of}" if self.plus else ""
                rule = rule or f"exceeds {self.of}"
        except ValueError as exc:
            if "broadcast" not in str(exc):
                raise
            raise ValueError(
                f"{name} (shape {np.shape(arr)}) and {self.of} (shape {np.shape(base)}) "
                "do not broadcast together"
            ) from None
        if high.any():
            pos = first_position(high)
            raise ValueError(
                f"{name}{position(pos)} = {show(value_b[pos])} {rule}"
                f"{position(pos)} = {show(base_b[pos])}; {name} is a part of {self.of}"
            )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from self.inner.bad_values(valid, done)
        base = done[self.of]
        if base is None:
            return
        first = float(np.ravel(np.asarray(base, dtype=np.float64))[0])
        if not np.isfinite(first):
            return
        extra = 0.0
        if self.net_of is not None:
            extra = float(np.ravel(np.asarray(done[self.net_of], dtype=np.float64))[0])
            if extra >= 1:
                yield _corrupt_first(valid, extra - 1)
        for p in self.plus:
            extra -= float(np.ravel(np.asarray(done[p], dtype=np.float64))[0])
        yield _corrupt_first(valid, max(first + extra, 0.0) + 1)


@dataclass(frozen=True)
class Omittable(Rule):
    """An optional argument: None, or a value checked by ``inner``.

    ``required_if = (option, value)`` makes it required when the argument ``option``
    (declared before) equals ``value``: ``customers_end`` with ``base="average"``.
    """

    inner: Rule
    required_if: tuple[str, Any] | None = None
    event: bool = False  # set from ``inner`` after construction
    optional: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "event", self.inner.event)

    def broadcasts(self) -> bool:
        return self.inner.broadcasts()

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        if value is None:
            if self.required_if is not None and done[self.required_if[0]] == self.required_if[1]:
                option, choice = self.required_if
                raise TypeError(f"{name} is required with {option}={choice!r}, got None")
            return None
        return self.inner.coerce(name, value, done)

    def aligned(self, value: Any) -> Iterator[NDArray[Any]]:
        if value is not None:
            yield from self.inner.aligned(value)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from self.inner.bad_values(valid, done)


@dataclass(frozen=True)
class Along(Rule):
    """A value checked by ``inner`` that is one number or one per element of the series
    named ``of`` (a retention rate, constant or per period, along a margin series)."""

    inner: Rule
    of: str

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = self.inner.coerce(name, value, done)
        n = len(done[self.of])
        if np.ndim(arr) > 1 or (np.ndim(arr) == 1 and len(arr) != n):
            raise ValueError(
                f"{name} has shape {np.shape(arr)}; give one number or one per element "
                f"of {self.of} (length {n})"
            )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from self.inner.bad_values(valid, done)
        yield np.zeros(len(done[self.of]) + 1)


@dataclass(frozen=True)
class DistinctPairs(Keys):
    """Record-aligned keys that, paired with the keys of the argument ``with_`` (declared
    before), never repeat: one row per (customer, period), as in a per-period MRR table."""

    optional: bool = False
    multi: bool = False
    with_: str = ""

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> Any:
        arr = super().coerce(name, value, done)
        other = done[self.with_]
        if len(arr) != len(other) or len(arr) < 2:
            return arr  # unequal lengths are reported by the decorator
        _, a = np.unique(other, return_inverse=True)
        _, b = np.unique(arr, return_inverse=True)
        code = a.reshape(-1).astype(np.int64) * (int(b.max()) + 1) + b.reshape(-1)
        order = np.argsort(code, kind="stable")
        repeated = np.zeros(len(arr), dtype=bool)
        repeated[order[1:][code[order][1:] == code[order][:-1]]] = True
        if repeated.any():
            raise value_error(
                name, arr, repeated, f"repeats a ({self.with_}, {name}) pair; one row per pair"
            )
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield from super().bad_values(valid, done)
        other = np.asarray(done[self.with_])
        twins = np.flatnonzero(other[1:] == other[0]) + 1
        if len(twins):
            out = np.asarray(valid).copy()
            out[twins[0]] = out[0]
            yield out


def _key_names(by: Any) -> tuple[str | None, ...]:
    """The names of the ``by=`` columns (pandas or polars Series), None where unnamed."""
    parts = by if isinstance(by, tuple) else (by,)
    names: list[str | None] = []
    for part in parts:
        label = getattr(part, "name", None)
        names.append(str(label) if label is not None and str(label) != "" else None)
    return tuple(names)


def _check_broadcast(shapes: list[tuple[str, tuple[int, ...]]]) -> None:
    """Aggregate arguments must broadcast together; name the first one that does not."""
    shape: tuple[int, ...] = ()
    for i, (name, this) in enumerate(shapes):
        try:
            shape = np.broadcast_shapes(shape, this)
        except ValueError:
            earlier = ", ".join(f"{n} {s}" for n, s in shapes[:i])
            raise ValueError(
                f"{name} has shape {this}, which does not broadcast with {earlier}"
            ) from None


# --------------------------------------------------------------------------- the decorator
_RULES: dict[Callable[..., Any], Mapping[str, Rule]] = {}


def rules_of(func: Callable[..., Any]) -> Mapping[str, Rule]:
    """The argument rules a public function was declared with (empty if none)."""
    return _RULES.get(func, {})


def validated(**rules: Rule) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare argument rules; the wrapper coerces and checks them before the body runs.

    Rules run in declaration order (declare a ``scale`` before the ``scores`` that read it).
    Record-aligned (event) arguments must have equal lengths; the first one declared is
    the reference the others are compared with.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)
        unknown = set(rules) - set(signature.parameters)
        if unknown:  # a programming error in the library itself
            raise AssertionError(f"rules for unknown parameters of {func.__name__}: {unknown}")

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            done: dict[str, Any] = {}
            reference: tuple[str, int] | None = None
            shapes: list[tuple[str, tuple[int, ...]]] = []
            for name, rule in rules.items():
                value = rule.coerce(name, bound.arguments[name], done)
                done[name] = value
                for arr in rule.aligned(value):
                    if reference is None:
                        reference = (name, len(arr))
                    elif len(arr) != reference[1]:
                        raise _length_error(name, len(arr), *reference)
                if rule.broadcasts() and value is not None:
                    shapes.append((name, np.shape(value)))
            _check_broadcast(shapes)
            key_names = _key_names(bound.arguments.get("by")) if "by" in rules else ()
            bound.arguments.update(done)
            result = func(*bound.args, **bound.kwargs)
            # a per-group result learns what it measures and what its keys are called
            naming = getattr(result, "with_names", None)
            return naming(func.__name__, key_names) if callable(naming) else result

        _RULES[wrapper] = rules
        return wrapper

    return decorate

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

import datetime
import functools
import inspect
import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NS_PER_UNIT",
    "Count",
    "Duration",
    "Flag",
    "Flags",
    "Frequency",
    "Instant",
    "Keys",
    "MeanScore",
    "Money",
    "Option",
    "Real",
    "Rule",
    "Scale",
    "Scores",
    "Timestamps",
    "TzOffset",
    "Unit",
    "rules_of",
    "validated",
]

P = ParamSpec("P")
R = TypeVar("R")

#: Bounds of datetime64[ns] (1677-09-21T00:12:43.145224193 .. 2262-04-11T23:47:16.854775807)
#: in coarser units, as integers counted from 1970 in that unit; coarser inputs outside them
#: would silently wrap on casting. Integers because numpy's own ns -> D cast of the minimum
#: overflows, and comparing a coarse array with a datetime64[ns] bound promotes it to ns.
_NS_BOUNDS: dict[str, tuple[int, int]] = {
    "Y": (1678 - 1970, 2262 - 1970),
    "M": ((1677 - 1970) * 12 + 9, (2262 - 1970) * 12 + 3),  # 1677-10 .. 2262-04
    **{
        unit: (-((2**63 - 1) // ns), (2**63 - 1) // ns)
        for unit, ns in {
            "W": 604_800 * 10**9,
            "D": 86_400 * 10**9,
            "h": 3_600 * 10**9,
            "m": 60 * 10**9,
            "s": 10**9,
            "ms": 10**6,
            "us": 10**3,
            "ns": 1,
        }.items()
    },
}


# --------------------------------------------------------------------------- messages
def _position(index: tuple[int, ...]) -> str:
    """``[i]`` / ``[i, j]`` for an array position, empty for a 0-d value."""
    if not index:
        return ""
    return "[" + ", ".join(str(i) for i in index) + "]"


def _first(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    """Position of the first True element of ``mask`` (row-major)."""
    flat = int(np.argmax(mask.ravel()))
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _show(value: Any) -> str:
    """A short, readable rendering of one offending element."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return str(value)  # .item() would give None for NaT and an int for ns values
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_error(name: str, arr: NDArray[Any], bad: NDArray[np.bool_], rule: str) -> ValueError:
    """``ValueError`` naming ``name``, the first position where ``bad`` holds, and ``rule``."""
    pos = _first(bad)
    return ValueError(f"{name}{_position(pos)} = {_show(arr[pos])} {rule}")


def _length_error(name: str, n: int, ref_name: str, n_ref: int) -> ValueError:
    return ValueError(
        f"{name} has length {n} but {ref_name} has length {n_ref}; "
        "record arrays must have equal lengths"
    )


# --------------------------------------------------------------------------- array-likes
#: Python scalars that numpy may hold in a 0-d object array and a rule can still judge.
_SCALARS = (numbers.Number, str, bytes, datetime.date, datetime.timedelta)


def _to_numpy(name: str, value: Any) -> NDArray[Any]:
    """Array-like (list, tuple, numpy, pandas or polars Series) to a numpy array, no copy."""
    if value is None:
        raise TypeError(f"{name} is required, got None")
    if isinstance(value, (dict, set, frozenset)) or callable(value):
        raise TypeError(f"{name} must be array-like, got {type(value).__name__}")
    dtype = getattr(value, "dtype", None)
    to_numpy = getattr(value, "to_numpy", None)
    if to_numpy is not None and not isinstance(value, np.ndarray):
        if getattr(dtype, "tz", None) is not None:
            # tz-aware pandas (Series or DatetimeIndex): convert to naive UTC (METRICS.md §0.4)
            naive = value.dt.tz_convert(None) if hasattr(value, "dt") else value.tz_convert(None)
            return np.asarray(naive.to_numpy())
        kind = getattr(dtype, "kind", "O")
        if not isinstance(dtype, np.dtype) and kind == "b":
            # pandas nullable booleans stay booleans (never numbers); <NA> becomes None
            obj = np.asarray(to_numpy(dtype=object, na_value=None))
            return obj if _is_none(obj).any() else obj.astype(bool)
        if not isinstance(dtype, np.dtype) and kind in "iuf":
            # pandas nullable extension arrays: <NA> becomes NaN and is then judged by the rule
            return np.asarray(to_numpy(dtype="float64", na_value=np.nan))
        if not isinstance(dtype, np.dtype) and kind == "O" and hasattr(value, "array"):
            # pandas extension arrays of objects (string, category): <NA> becomes None
            return np.asarray(to_numpy(dtype=object, na_value=None))
        return np.asarray(to_numpy())
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nesting and the like
        raise TypeError(f"{name} must be array-like: {exc}") from None
    if arr.dtype.kind == "O" and arr.ndim == 0 and not isinstance(value, _SCALARS):
        raise TypeError(f"{name} must be array-like, got {type(value).__name__}")
    return arr


def _numeric(name: str, value: Any) -> NDArray[np.float64]:
    """Coerce to float64, refusing booleans, strings, dates and other non-numbers."""
    arr = _to_numpy(name, value)
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} must be numeric, got booleans")
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)
    if kind == "O":
        # astype would read True as 1.0 and parse "2.5": refuse booleans and strings first
        is_bad = np.frompyfunc(lambda v: isinstance(v, (bool, np.bool_, str, bytes)), 1, 1)
        bad = np.asarray(is_bad(arr), dtype=bool)
        if bad.any():
            pos = _first(bad)
            raise TypeError(f"{name}{_position(pos)} = {_show(arr[pos])} is not a number")
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")


def _is_none(arr: NDArray[Any]) -> NDArray[np.bool_]:
    """Element-wise ``x is None`` for an object array."""
    return np.asarray(np.equal(arr, np.asarray(None, dtype=object)), dtype=bool)


def _finite_numbers(
    name: str, value: Any, event: bool, what: str
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """float64 values and their NaN mask; infinities refused, NaN refused in record inputs."""
    arr = _numeric(name, value)
    _check_ndim(name, arr, event)
    missing = np.isnan(arr)
    if event and missing.any():
        raise _value_error(name, arr, missing, "is NaN; record inputs may not be missing")
    infinite = np.isinf(arr)
    if infinite.any():
        raise _value_error(name, arr, infinite, f"is infinite; {what} must be finite")
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

    Aggregate inputs (``event=False``) accept NaN and infinities and propagate them.
    Record-aligned inputs (``event=True``: a series or one value per record) must be 1-D
    and finite.
    """

    event: bool = False

    def broadcasts(self) -> bool:
        return not self.event

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = _numeric(name, value)
        if self.event:
            _check_ndim(name, arr, True)
            bad = ~np.isfinite(arr)
            if bad.any():
                raise _value_error(name, arr, bad, "is not finite; record inputs must be set")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, "abc")
        yield True  # booleans are not numbers here (a list mixing them would upcast silently)
        if self.event:
            yield _corrupt_first(valid, float("nan"))


@dataclass(frozen=True)
class Flags(Rule):
    """Record-aligned yes/no flags: booleans, or the integers 0 and 1 (NaN refused)."""

    event: bool = True

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.bool_]:
        arr = _to_numpy(name, value)
        _check_ndim(name, arr, self.event)
        if arr.dtype.kind == "b":
            return arr
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be booleans (or 0/1), got dtype {arr.dtype}")
        with np.errstate(invalid="ignore"):
            bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise _value_error(name, arr, bad, "is not a flag; use True/False or 1/0")
        return np.asarray(arr == 1, dtype=bool)

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(np.asarray(valid).astype(int), 2)
        yield _corrupt_first(np.asarray(valid).astype(float), float("nan"))
        yield _corrupt_first(valid, "yes")


@dataclass(frozen=True)
class Count(Rule):
    """A count: integral and >= ``minimum`` (0 by default), optionally <= another argument.

    Aggregate counts (``event=False``) are float64 so that NaN propagates (METRICS.md
    §0.3); event counts are int64 and NaN is refused. ``le`` names the argument this count
    is a subset of (``responses <= surveys_sent``).
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
                raise _value_error(name, arr, below, rule or f"is below the minimum {self.minimum}")
            if self.event and (arr >= 2.0**63).any():
                raise _value_error(name, arr, arr >= 2.0**63, "is too large for an int64 count")
            fractional = np.floor(arr) != arr
            fractional &= ~missing
            if fractional.any():
                raise _value_error(name, arr, fractional, "is not a whole number; counts are whole")
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
                    pos = _first(over)
                    raise ValueError(
                        f"{name}{_position(pos)} = {_show(num_b[pos])} exceeds "
                        f"{self.le}{_position(pos)} = {_show(base_b[pos])}; "
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
                raise _value_error(name, arr, arr < 0, "is negative; this amount must be >= 0")
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
        raw = _to_numpy(name, value)
        if raw.dtype.kind in "iu":  # integers: one min/max pass, no float copy
            _check_ndim(name, raw, self.event)
            if raw.size and (raw.min() < lo or raw.max() > hi):
                raise _value_error(name, raw, (raw < lo) | (raw > hi), off_scale)
            return raw.astype(np.int64, copy=False)
        arr = _numeric(name, raw)
        _check_ndim(name, arr, self.event)
        with np.errstate(invalid="ignore"):
            missing = np.isnan(arr)
            if missing.any():
                raise _value_error(name, arr, missing, "is NaN; survey scores may not be missing")
            outside = (arr < lo) | (arr > hi)
            if outside.any():
                raise _value_error(name, arr, outside, off_scale)
            fractional = np.floor(arr) != arr
            if fractional.any():
                raise _value_error(name, arr, fractional, "is not a whole number")
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
        arr = _numeric(name, value)
        with np.errstate(invalid="ignore"):
            outside = (arr < lo) | (arr > hi) | np.isinf(arr)
        if outside.any():
            raise _value_error(name, arr, outside, f"is outside the scale {lo}..{hi}")
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
        arr = _numeric(name, value)
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
    arr = _to_numpy(name, value)
    _check_ndim(name, arr, True)
    kind = arr.dtype.kind
    if kind == "f" and np.isnan(arr).any():
        raise _value_error(name, arr, np.isnan(arr), "is NaN; group keys may not be missing")
    if kind == "O":
        missing = _is_none(arr) | (arr != arr)
        if missing.any():
            raise _value_error(name, arr, missing, "is missing; group keys may not be None or NaN")
    if kind in "cV":
        raise TypeError(f"{name} must hold sortable keys, got dtype {arr.dtype}")
    return arr


def _is_multikey(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) > 0
        and all(hasattr(part, "__len__") and not isinstance(part, (str, bytes)) for part in value)
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


def _parse_iso(name: str, arr: NDArray[Any]) -> NDArray[np.datetime64]:
    """ISO-8601 strings to datetime64[ns]; the first unparseable string is named.

    numpy also reads ``"today"``, ``"now"`` and ``""``; they are refused, because the first
    two depend on the wall clock and the last hides a missing value (write ``"NaT"``).
    """
    if arr.size:
        stripped = np.char.lower(np.char.strip(arr))
        vague = (stripped == "today") | (stripped == "now") | (stripped == "")
        if vague.any():
            raise _value_error(
                name, arr, vague, "is not a timestamp; write an ISO-8601 time, or 'NaT'"
            )
    try:
        with warnings.catch_warnings():
            # numpy warns, then converts to UTC, for strings with an explicit offset
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return arr.astype("datetime64[ns]")
    except (ValueError, OverflowError):
        pass
    # Error path only: bisect to the first string that does not parse (log n conversions).
    flat = arr.reshape(-1)  # a 0-d string (an Instant) has no len()
    lo, hi = 0, len(flat) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                flat[lo : mid + 1].astype("datetime64[ns]")
            lo = mid + 1
        except (ValueError, OverflowError):
            hi = mid
    pos = tuple(int(i) for i in np.unravel_index(lo, arr.shape)) if arr.ndim else ()
    raise ValueError(
        f"{name}{_position(pos)} = {_show(flat[lo])} is not an ISO-8601 timestamp "
        "(YYYY-MM-DD[Thh:mm:ss]); other formats are never guessed, parse them first"
    )


def _timestamps(name: str, value: Any) -> NDArray[np.datetime64]:
    arr = _to_numpy(name, value)
    kind = arr.dtype.kind
    if kind == "M":
        unit, step = np.datetime_data(arr.dtype)
        if unit in _NS_BOUNDS and (unit, step) != ("ns", 1):
            # compare integers in the input's own unit: a cast to ns would wrap silently
            lo, hi = _NS_BOUNDS[unit]
            n = arr.view(np.int64)
            outside = ~np.isnat(arr) & ((n < -(-lo // step)) | (n > hi // step))
            if outside.any():
                raise _value_error(name, arr, outside, "is outside the datetime64[ns] range")
        return arr.astype("datetime64[ns]", copy=False)
    if kind in "US":
        return _parse_iso(name, arr.astype(str, copy=False).reshape(arr.shape))
    if kind == "O":
        if _is_none(arr).any():
            raise _value_error(name, arr, _is_none(arr), "is None; use NaT")
        is_number = np.frompyfunc(lambda v: isinstance(v, (int, float, np.number, np.bool_)), 1, 1)
        numbers_ = np.asarray(is_number(arr), dtype=bool)
        if numbers_.any():  # astype would read them as nanoseconds
            pos = _first(numbers_)
            raise TypeError(
                f"{name}{_position(pos)} = {_show(arr[pos])} is a number, not a timestamp; "
                "numbers are refused because their unit would be a guess"
            )
        try:
            return arr.astype("datetime64[ns]")
        except (TypeError, ValueError):
            pass
    raise TypeError(
        f"{name} must be datetime64 values or ISO-8601 strings, got dtype {arr.dtype}; "
        "numbers are refused because their unit would be a guess"
    )


@dataclass(frozen=True)
class Timestamps(Rule):
    """Record-aligned timestamps as datetime64[ns] (naive UTC); NaT only if ``nat_ok``."""

    event: bool = True
    nat_ok: bool = False

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.datetime64]:
        arr = _timestamps(name, value)
        _check_ndim(name, arr, True)
        if not self.nat_ok and np.isnat(arr).any():
            raise _value_error(name, arr, np.isnat(arr), "is NaT; this timestamp must be set")
        return arr

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(np.asarray(valid).astype(str), "12/31/2014")
        yield np.arange(len(valid))
        if not self.nat_ok:
            yield _corrupt_first(np.asarray(valid).astype(str), "NaT")


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
        arr = _timestamps(name, value)
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
    the unit named by the argument ``unit`` (METRICS.md §0.1: ``threshold=20`` with
    ``unit="s"`` is 20 seconds). Arrays are accepted; NaN and NaT are refused.
    """

    unit: str = "unit"
    event: bool = False

    def coerce(self, name: str, value: Any, done: Mapping[str, Any]) -> NDArray[np.float64]:
        arr = _to_numpy(name, value)
        if arr.dtype.kind == "m":
            if np.isnat(arr).any():
                raise _value_error(name, arr, np.isnat(arr), "is NaT; a duration must be set")
            ns = arr.astype("timedelta64[ns]").astype(np.int64).astype(np.float64)
        else:
            ns = _numeric(name, arr) * float(NS_PER_UNIT[done[self.unit]])
        _check_ndim(name, ns, self.event)
        with np.errstate(invalid="ignore"):
            if np.isnan(ns).any():
                raise _value_error(name, arr, np.isnan(ns), "is NaN; a duration must be set")
            if np.isinf(ns).any():
                raise _value_error(name, arr, np.isinf(ns), "is infinite")
            if (ns < 0).any():
                raise _value_error(name, arr, ns < 0, "is negative; a duration must be >= 0")
        return ns

    def bad_values(self, valid: Any, done: Mapping[str, Any]) -> Iterator[Any]:
        yield _corrupt_first(valid, -1)
        yield _corrupt_first(valid, float("nan"))
        yield _corrupt_first(valid, "abc")
        yield np.timedelta64(-5, "s")


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
            bound.arguments.update(done)
            return func(*bound.args, **bound.kwargs)

        _RULES[wrapper] = rules
        return wrapper

    return decorate

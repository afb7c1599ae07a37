"""From any container to numpy: the first half of validation.

One coercion path per kind of value, whatever the container holds it: numpy arrays (any
datetime or timedelta unit, either byte order, masked arrays), Python scalars and lists
(``datetime``, ``date``, ``timedelta``, aware or naive, ``Decimal``), pandas (datetime64
with or without a time zone, ``str``/``string``/object, Arrow dtypes, nullable ``Int64`` /
``boolean``, ``Categorical``, ``Period``, ``Timestamp`` scalars), polars (``Datetime`` of any
unit and zone, ``Date``, ``String``, nulls) and pyarrow arrays and chunked arrays.

:func:`to_array` turns the container into a numpy array whose dtype tells the kind of
values (missing values of a typed container become its numpy missing value: NaN, NaT, or
None in an object array); :func:`to_float`, :func:`to_datetime_ns` and
:func:`to_timedelta_ns` then read one kind of value from it. The same value therefore
gives the same result, or the same refusal, in every container. The rules of
:mod:`crm_metrics._validate` build on these functions; both modules word every error
message of the library, with the template ``name[position] = value rule``.
"""

from __future__ import annotations

import datetime
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_MAGNITUDE",
    "check_orderable",
    "first_position",
    "is_missing",
    "position",
    "show",
    "to_array",
    "to_datetime_ns",
    "to_float",
    "to_timedelta_ns",
    "value_error",
]

#: The largest magnitude a number may have. Far beyond any amount of money or count of
#: records, and small enough that sums, means and products of a few such numbers stay
#: finite: results are never ``inf`` and arithmetic never warns about an overflow.
MAX_MAGNITUDE = 1e100

_NAT = np.iinfo(np.int64).min
#: The first and last instants of datetime64[ns]; pandas' ``Timestamp.min`` and
#: ``Timestamp.max``. They are refused as values: as "never" sentinels they would overflow
#: the default ``as_of`` (one nanosecond after the latest event) and every window around them.
_NS_MIN = _NAT + 1
_NS_MAX = np.iinfo(np.int64).max
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_NS_PER_UNIT = {
    "W": 604_800 * 10**9,
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}


# --------------------------------------------------------------------------- messages
def position(index: tuple[int, ...]) -> str:
    """``[i]`` / ``[i, j]`` for an array position, empty for a 0-d value."""
    if not index:
        return ""
    return "[" + ", ".join(str(i) for i in index) + "]"


def first_position(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    """Position of the first True element of ``mask`` (row-major)."""
    flat = int(np.argmax(mask.ravel()))
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def show(value: Any) -> str:
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


def value_error(name: str, arr: NDArray[Any], bad: NDArray[np.bool_], rule: str) -> ValueError:
    """``ValueError`` naming ``name``, the first position where ``bad`` holds, and ``rule``."""
    pos = first_position(bad)
    return ValueError(f"{name}{position(pos)} = {show(arr[pos])} {rule}")


def _type_error(name: str, arr: NDArray[Any], bad: NDArray[np.bool_], rule: str) -> TypeError:
    pos = first_position(bad)
    return TypeError(f"{name}{position(pos)} = {show(arr[pos])} {rule}")


# --------------------------------------------------------------------------- element kinds
def _is_missing_value(v: Any) -> bool:
    """None, float NaN, pandas ``NA`` / ``NaT``, numpy NaT: the missing markers of containers."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    if isinstance(v, (np.floating, np.datetime64, np.timedelta64)):
        return bool(np.isnan(v)) if isinstance(v, np.floating) else bool(np.isnat(v))
    name = type(v).__name__
    return name in ("NAType", "NaTType")


_missing_ufunc = np.frompyfunc(_is_missing_value, 1, 1)


def is_missing(arr: NDArray[Any]) -> NDArray[np.bool_]:
    """Element-wise "is a missing marker" for an object array (False for other dtypes)."""
    if arr.dtype.kind != "O":
        return np.zeros(arr.shape, dtype=bool)
    return np.asarray(_missing_ufunc(arr), dtype=bool)


#: Classes of Python values, for refusing lists that mix kinds numpy would silently unify.
_BOOL, _NUMBER, _TEXT, _TIME, _SPAN, _MISSING, _OTHER = range(7)
_CLASS_NAMES = {
    _BOOL: "booleans",
    _NUMBER: "numbers",
    _TEXT: "text",
    _TIME: "timestamps",
    _SPAN: "durations",
    _OTHER: "other objects",
}


def _value_class(v: Any) -> int:
    if isinstance(v, (bool, np.bool_)):
        return _BOOL
    if _is_missing_value(v):
        return _MISSING
    if isinstance(v, numbers.Number):  # int, float, Decimal, Fraction, numpy numbers
        return _NUMBER
    if isinstance(v, (str, np.str_)):
        return _TEXT
    if isinstance(v, (datetime.date, np.datetime64)) or type(v).__name__ == "Period":
        return _TIME
    if isinstance(v, (datetime.timedelta, np.timedelta64)):
        return _SPAN
    return _OTHER


def _mixes_kinds(items: list[Any]) -> bool:
    """True if a flat list mixes kinds of values numpy would silently unify.

    ``[True, 2.0]`` would become ``[1.0, 2.0]`` and ``[1, "a"]`` the text ``["1", "a"]``;
    such a list is kept as Python objects instead, so each rule judges every element as it
    would in an object array and names the first one it refuses.
    """
    classes = {_value_class(v) for v in items} - {_MISSING}
    return len(classes) > 1


def _all_of_type(arr: NDArray[Any], *types: type) -> bool:
    """True if every element of the object array ``arr`` is exactly of one of ``types``."""
    kinds = np.frompyfunc(type, 1, 1)(arr)
    found = np.zeros(arr.shape, dtype=bool)
    for kind in types:
        found |= np.asarray(kinds == np.asarray(kind, dtype=object), dtype=bool)
    return bool(found.all())


def check_orderable(name: str, arr: NDArray[Any]) -> None:
    """Refuse an object array of keys that mixes kinds no order can compare (1 and "a")."""
    if arr.dtype.kind != "O" or arr.size < 2:
        return
    classes = np.asarray(np.frompyfunc(_value_class, 1, 1)(arr.ravel()), dtype=np.int64)
    differs = classes != classes[0]
    if differs.any():
        i = int(np.argmax(differs))
        this = _CLASS_NAMES.get(int(classes[i]), "values")
        before = _CLASS_NAMES.get(int(classes[0]), "values")
        raise TypeError(
            f"{name}[{i}] = {show(arr.ravel()[i])} mixes {this} with the {before} before it; "
            "keys of one kind are needed to sort the groups"
        )


# --------------------------------------------------------------------------- containers
def _library(value: Any) -> str:
    return type(value).__module__.split(".", 1)[0]


def _from_pandas(name: str, value: Any) -> NDArray[Any]:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be one column (a Series or an array), got a DataFrame")
    if not isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return np.asarray(value, dtype=object)  # Timestamp, Period, Timedelta, NA, NaT
    column: Any = value  # Series, Index or extension array: the calls below exist on each
    return _pandas_column(name, column)


def _pandas_column(name: str, value: Any) -> NDArray[Any]:
    import pandas as pd

    dtype = value.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):  # naive UTC, without numpy's time-zone warning
        naive = (
            value.dt.tz_convert(None) if isinstance(value, pd.Series) else value.tz_convert(None)
        )
        return np.asarray(naive.to_numpy())
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return _from_arrow(name, pa.array(value))
    if isinstance(dtype, pd.CategoricalDtype):
        cat = value.cat if isinstance(value, pd.Series) else pd.Categorical(value)
        categories = _pandas_column(name, pd.Index(cat.categories))
        codes = np.asarray(cat.codes, dtype=np.intp)
        if (codes < 0).any():
            out = categories.astype(object)[np.maximum(codes, 0)]
            out[codes < 0] = None
            return out
        return categories[codes]
    if isinstance(dtype, pd.PeriodDtype):  # a period stands for its first instant
        starts = value.dt.start_time if isinstance(value, pd.Series) else value.start_time
        return np.asarray(pd.Series(starts).to_numpy())
    if isinstance(dtype, np.dtype):
        return np.asarray(value.to_numpy())
    kind = getattr(dtype, "kind", "O")
    has_na = bool(pd.isna(value).any())
    if kind in "iuf" and not has_na:
        return np.asarray(value.to_numpy(dtype=dtype.numpy_dtype))
    if kind in "iuf":  # nullable numbers: <NA> is NaN, judged by the rule
        return np.asarray(value.to_numpy(dtype=np.float64, na_value=np.nan))
    if kind == "b" and not has_na:
        return np.asarray(value.to_numpy(dtype=bool))
    # strings (str, string), booleans with <NA>, other extension arrays: <NA> becomes None
    return np.asarray(value.to_numpy(dtype=object, na_value=None))


def _from_polars(name: str, value: Any) -> NDArray[Any]:
    import polars as pl

    if not isinstance(value, pl.Series):
        raise TypeError(
            f"{name} must be one column (a Series or an array), got {type(value).__name__}"
        )
    dtype = value.dtype
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        value = value.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    elif isinstance(dtype, (pl.Categorical, pl.Enum)):
        value = value.cast(pl.String)
    if value.dtype == pl.Boolean and value.null_count():
        return np.asarray(value.to_list(), dtype=object)
    return np.asarray(value.to_numpy())


def _from_arrow(name: str, value: Any) -> NDArray[Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(value, pa.Scalar):
        return np.asarray(_from_arrow(name, pa.array([value], type=value.type))[0], dtype=object)
    if isinstance(value, (pa.Table, pa.RecordBatch)):
        raise TypeError(
            f"{name} must be one column (an array), got a pyarrow {type(value).__name__}"
        )
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if pa.types.is_dictionary(value.type):
        value = value.dictionary_decode()
    typ = value.type
    if pa.types.is_date(typ):
        value = pc.cast(value, pa.timestamp("s"))
        typ = value.type
    if pa.types.is_timestamp(typ) or pa.types.is_duration(typ):
        # stored as integers since the epoch in UTC (for any zone): read them as such
        ints = pc.fill_null(value.cast(pa.int64()), _NAT).to_numpy(zero_copy_only=False)
        letter = "M" if pa.types.is_timestamp(typ) else "m"
        return np.asarray(ints).view(f"{letter}8[{typ.unit}]")
    if pa.types.is_boolean(typ) and value.null_count:
        return np.asarray(value.to_pylist(), dtype=object)
    if (pa.types.is_integer(typ) or pa.types.is_floating(typ)) and value.null_count:
        return np.asarray(value.cast(pa.float64()).to_numpy(zero_copy_only=False))
    return np.asarray(value.to_numpy(zero_copy_only=False))


def _from_masked(name: str, value: np.ma.MaskedArray[Any, Any]) -> NDArray[Any]:
    mask = np.ma.getmaskarray(value)
    if mask.any():
        data = np.asarray(value.data)
        raise value_error(
            name,
            data,
            mask,
            "is masked; masked values are refused: drop those records or fill them first",
        )
    return np.asarray(value.data)


def to_array(name: str, value: Any) -> NDArray[Any]:
    """Any array-like or scalar to a numpy array in native byte order (no copy if possible).

    Refuses None, mappings, sets, callables, masked elements and tables where one column is
    expected. A flat list that mixes kinds of values (``[True, 2.0]``, ``[1, "a"]``), which
    numpy would silently unify, becomes an object array for the rule to judge element by
    element.
    """
    if value is None:
        raise TypeError(f"{name} is required, got None")
    if isinstance(value, (dict, set, frozenset)) or callable(value):
        raise TypeError(f"{name} must be array-like, got {type(value).__name__}")
    library = _library(value)
    if isinstance(value, np.ma.MaskedArray):
        arr = _from_masked(name, value)
    elif isinstance(value, np.ndarray):
        arr = value
    elif library == "pandas":
        arr = _from_pandas(name, value)
    elif library == "polars":
        arr = _from_polars(name, value)
    elif library == "pyarrow":
        arr = _from_arrow(name, value)
    elif isinstance(value, (list, tuple)):
        flat = not any(isinstance(v, (list, tuple, np.ndarray)) for v in value)
        try:
            arr = np.asarray(value, dtype=object if flat and _mixes_kinds(list(value)) else None)
        except (ValueError, TypeError) as exc:  # ragged nesting and the like
            raise TypeError(f"{name} must be array-like: {exc}") from None
    else:
        to_numpy = getattr(value, "to_numpy", None)
        try:
            arr = np.asarray(to_numpy() if callable(to_numpy) else value)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"{name} must be array-like: {exc}") from None
        if arr.dtype.kind == "O" and arr.ndim == 0 and not isinstance(value, _SCALARS):
            raise TypeError(f"{name} must be array-like, got {type(value).__name__}")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


#: Python scalars that numpy may hold in a 0-d object array and a rule can still judge.
_SCALARS = (
    numbers.Number,
    str,
    bytes,
    datetime.date,
    datetime.timedelta,
)


# --------------------------------------------------------------------------- numbers
def _object_to_float(name: str, arr: NDArray[Any]) -> NDArray[np.float64]:
    if _all_of_type(arr, float, int):  # the common case, without a class per value
        filled = arr
    else:
        classes = np.asarray(np.frompyfunc(_value_class, 1, 1)(arr), dtype=np.int64)
        bad = (classes != _NUMBER) & (classes != _MISSING)
        if bad.any():
            raise _type_error(name, arr, bad, "is not a number")
        missing = classes == _MISSING
        filled = np.where(missing, np.nan, arr) if missing.any() else arr
    try:
        return filled.astype(np.float64)
    except OverflowError:
        too_big = np.asarray(
            np.frompyfunc(lambda v: isinstance(v, int) and abs(v) > MAX_MAGNITUDE, 1, 1)(arr),
            dtype=bool,
        )
        raise value_error(
            name, arr, too_big, f"is too large; numbers must lie within ±{MAX_MAGNITUDE:g}"
        ) from None


def to_float(name: str, value: Any) -> NDArray[np.float64]:
    """Numbers to float64: booleans, text, dates and other kinds refused (TypeError).

    Missing markers (None, pandas ``NA``) become NaN, which each rule accepts (aggregates)
    or refuses (records). Finite magnitudes above :data:`MAX_MAGNITUDE` are refused
    (ValueError), so no arithmetic on the result overflows; infinities are left to the
    rule, which refuses them in its own words.
    """
    arr = to_array(name, value)
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} must be numeric, got booleans")
    if kind in "iu":
        return arr.astype(np.float64, copy=False)
    if kind == "f":
        out = arr.astype(np.float64, copy=False)
    elif kind == "O":
        out = _object_to_float(name, arr)
    else:
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if out.size == 0 or -MAX_MAGNITUDE <= out.min() <= out.max() <= MAX_MAGNITUDE:
        return out  # two reductions without temporaries; NaN fails the test and is looked at
    with np.errstate(invalid="ignore"):
        huge = np.abs(out) > MAX_MAGNITUDE
    # an infinity first is left to the rule, which refuses it in its own words
    if huge.any() and not np.isinf(out[first_position(huge)]):
        rule = f"is too large; numbers must lie within ±{MAX_MAGNITUDE:g}"
        raise value_error(name, out if kind == "f" else arr, huge, rule)
    return out


# --------------------------------------------------------------------------- timestamps
_RANGE_HINT = (
    "is outside the datetime64[ns] range (1677-09-21 .. 2262-04-11); "
    "for an event that has not happened (or 'never') write NaT"
)
_SENTINEL_HINT = (
    "is the first or last instant of datetime64[ns] (pandas' Timestamp.min/max), a sentinel "
    "rather than a time; for an event that has not happened (or 'never') write NaT"
)


def _check_ns_range(name: str, source: NDArray[Any], ns: NDArray[np.int64]) -> None:
    """Refuse the two extreme instants of the ns range (sentinels), NaT excepted."""
    if ns.size:
        edge = (ns == _NS_MAX) | (ns == _NS_MIN)
        if edge.any():
            raise value_error(name, source, edge, _SENTINEL_HINT)


def _datetimes_to_ns(
    name: str, arr: NDArray[Any], source: NDArray[Any] | None = None
) -> NDArray[np.datetime64]:
    """datetime64 of any unit to ns, refusing values a cast would wrap.

    ``source`` is the array named in messages when ``arr`` is a converted copy of it.
    """
    source = arr if source is None else source
    unit, step = np.datetime_data(arr.dtype)
    ints = arr.view(np.int64)
    if unit == "generic":
        if (ints != _NAT).any():
            raise TypeError(f"{name} has a datetime64 dtype without a unit; give one")
        return np.full(arr.shape, np.datetime64("NaT", "ns"))
    if unit in ("Y", "M"):  # calendar units: go through days, which hold any of them
        return _datetimes_to_ns(name, arr.astype("datetime64[D]"), arr)
    per = _NS_PER_UNIT[unit] * step
    if per == 1:
        out = arr.astype("datetime64[ns]", copy=False)
    else:
        known = ints != _NAT
        with np.errstate(over="ignore"):
            outside = known & ((ints > _NS_MAX // per) | (ints < -(_NS_MAX // per)))
        if outside.any():
            raise value_error(name, source, outside, _RANGE_HINT)
        out = np.where(known, ints * per, _NAT).view("datetime64[ns]")
    _check_ns_range(name, source, out.view(np.int64))
    return out


def _digits(s: NDArray[np.str_], start: int, stop: int) -> NDArray[np.bool_]:
    part = np.strings.slice(s, start, stop)
    return np.asarray(np.strings.isdigit(part) & (np.strings.str_len(part) == stop - start))


def _extend_basic(s: NDArray[np.str_]) -> NDArray[np.str_]:
    """ISO-8601 basic forms (``20240105``, ``20240105T1030``, ``20240105T103000.5Z``) written
    in the extended form numpy parses; other strings are returned unchanged."""
    length = np.strings.str_len(s)
    basic = _digits(s, 0, 8) & ((length == 8) | (np.strings.slice(s, 8, 9) == "T"))
    if not basic.any():
        return s
    b = s[basic]
    date = np.strings.add(
        np.strings.add(np.strings.slice(b, 0, 4), "-"),
        np.strings.add(np.strings.add(np.strings.slice(b, 4, 6), "-"), np.strings.slice(b, 6, 8)),
    )
    # basic time after the T: hh, hhmm or hhmmss, then fraction and zone unchanged
    hh, mm, ss = _digits(b, 9, 11), _digits(b, 11, 13), _digits(b, 13, 15)
    has_t = np.strings.slice(b, 8, 9) == "T"
    n_digits = np.where(~has_t | ~hh, 0, np.where(~mm, 2, np.where(~ss, 4, 6)))
    time = np.where(n_digits >= 2, np.strings.add("T", np.strings.slice(b, 9, 11)), "")
    for size, at in ((4, 11), (6, 13)):
        part = np.strings.add(":", np.strings.slice(b, at, at + 2))
        time = np.where(n_digits >= size, np.strings.add(time, part), time)
    rest_from = np.where(has_t, 9 + n_digits, 8)
    tail = np.strings.slice(b, rest_from, None)
    # a T not followed by digits stays as written, so numpy names the string as unparseable
    tail = np.where(has_t & (n_digits == 0), np.strings.slice(b, 8, None), tail)
    out = s.astype(f"<U{max(s.dtype.itemsize // 4 + 4, 1)}")
    out[basic] = np.strings.add(np.strings.add(date, time), tail)
    return out


#: A refusal found in some elements: their mask, the rule's words, the kind of error.
_Refusal = tuple[NDArray[np.bool_], str, type[Exception]]

_NOT_ISO = (
    "is not an ISO-8601 timestamp (YYYY-MM-DD[Thh:mm:ss]); "
    "other formats are never guessed, parse them first"
)
_VAGUE = "is not a timestamp; write an ISO-8601 time, or 'NaT'"
_EPOCH = (
    "is a number, not a timestamp; epochs are refused because their unit would be "
    "a guess (write YYYY-MM-DD or YYYYMMDD)"
)


def _raise_first(name: str, source: NDArray[Any], refusals: list[_Refusal]) -> None:
    """Raise the refusal found at the earliest position of ``source`` (row-major), if any."""
    found = [
        (int(np.argmax(mask.ravel())), rule, kind) for mask, rule, kind in refusals if mask.any()
    ]
    if not found:
        return
    flat, rule, kind = min(found, key=lambda item: item[0])
    pos = tuple(int(i) for i in np.unravel_index(flat, source.shape)) if source.ndim else ()
    raise kind(f"{name}{position(pos)} = {show(source[pos])} {rule}")


def _seconds_or_none(s: NDArray[np.str_]) -> NDArray[np.int64] | None:
    """Whole seconds of ISO strings (truncated, never wrapped), or None if one does not parse."""
    try:
        return s.astype("datetime64[s]").view(np.int64)
    except (ValueError, OverflowError):
        return None


def _iso_seconds(s: NDArray[np.str_]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Whole seconds of ISO strings (never wrapped) and the mask of unparseable ones.

    Everything after the first unparseable string is left unparsed (NaT), so that string is
    the last one any refusal can be reported for.
    """
    unparseable = np.zeros(len(s), dtype=bool)
    whole = _seconds_or_none(s)
    if whole is not None:
        return whole, unparseable
    lo, hi = 0, len(s) - 1  # error path only: bisect for the first string that fails (log n casts)
    while lo < hi:
        mid = (lo + hi) // 2
        if _seconds_or_none(s[lo : mid + 1]) is None:
            hi = mid
        else:
            lo = mid + 1
    unparseable[lo] = True
    sec = np.full(len(s), _NAT, dtype=np.int64)
    sec[:lo] = s[:lo].astype("datetime64[s]").view(np.int64)
    return sec, unparseable


def _iso_to_ns(s: NDArray[np.str_]) -> tuple[NDArray[np.int64], list[_Refusal]]:
    """ISO-8601 strings (1-D) to integer ns since the epoch (UTC), and what was refused.

    Fast path: extended-form strings whose four-digit year lies in 1678..2261 cannot leave
    the ns range, so numpy parses them to ns directly; every other string (basic forms,
    years near or beyond the range, refusals) takes the careful path.
    """
    head = np.strings.slice(s, 0, 5)
    regular = (np.strings.slice(head, 4, 5) == "-") & (head >= "1678-") & (head <= "2261-")
    if regular.all():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # offsets: converted to UTC
                warnings.simplefilter("ignore", DeprecationWarning)
                return s.astype("datetime64[ns]").view(np.int64), []
        except (ValueError, OverflowError):
            pass  # the careful path names the string
    return _iso_to_ns_checked(s)


def _iso_to_ns_checked(s: NDArray[np.str_]) -> tuple[NDArray[np.int64], list[_Refusal]]:
    """:func:`_iso_to_ns` with every check: vague words, epochs, basic forms, the range."""
    stripped = np.strings.lower(np.strings.strip(s))
    length = np.strings.str_len(stripped)
    vague = (stripped == "today") | (stripped == "now") | (stripped == "")
    epoch = np.strings.isdigit(stripped) & (length != 8) & (length != 4)  # YYYY, YYYYMMDD are ISO
    extended = np.where(vague | epoch, "NaT", _extend_basic(s))
    with warnings.catch_warnings():
        # numpy warns, then converts to UTC, for strings with an explicit offset
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        sec, unparseable = _iso_seconds(extended)
        known = sec != _NAT
        lo, hi = _NS_MIN // 10**9, _NS_MAX // 10**9  # whole seconds around the ns range
        outside = known & ((sec < lo) | (sec > hi))
        ns = np.full(len(s), _NAT, dtype=np.int64)
        fine = known & ~outside
        if fine.any():
            ns[fine] = extended[fine].astype("datetime64[ns]").view(np.int64)
            # at the very ends of the range the ns parse may still wrap: its whole seconds
            # must be those of the coarse parse
            outside |= fine & (np.floor_divide(ns, 10**9) != sec)
    edge = (ns == _NS_MAX) | (ns == _NS_MIN)
    refusals: list[_Refusal] = [
        (vague, _VAGUE, ValueError),
        (epoch, _EPOCH, ValueError),
        (unparseable, _NOT_ISO, ValueError),
        (outside, _RANGE_HINT, ValueError),
        (edge & ~outside, _SENTINEL_HINT, ValueError),
    ]
    return ns, refusals


def _parse_iso(name: str, s: NDArray[np.str_]) -> NDArray[np.datetime64]:
    """ISO-8601 strings (extended or basic form) to datetime64[ns], refusing what would wrap.

    numpy also reads ``"today"``, ``"now"`` and ``""``; they are refused, because the first
    two depend on the wall clock and the last hides a missing value (write ``"NaT"``).
    Offsets (``Z``, ``+02:00``) are converted to UTC without numpy's warning.
    """
    if s.size == 0:
        return np.zeros(s.shape, dtype="datetime64[ns]")
    ns, refusals = _iso_to_ns(s.reshape(-1))
    _raise_first(name, s, [(mask.reshape(s.shape), rule, kind) for mask, rule, kind in refusals])
    return ns.reshape(s.shape).view("datetime64[ns]")


def _one_to_ns(v: Any) -> int | None:
    """One Python date/time object to integer ns since the epoch in UTC; None if missing.

    Integer arithmetic on the fields, so no value wraps; aware values are converted to UTC.
    """
    if _is_missing_value(v):
        return None
    if type(v).__name__ == "Period":
        v = v.start_time
    if isinstance(v, np.datetime64):
        unit, step = np.datetime_data(v.dtype)
        if unit in ("Y", "M"):
            v = v.astype("datetime64[D]")
            unit, step = "D", 1
        return int(v.astype(np.int64)) * _NS_PER_UNIT[unit] * step
    if isinstance(v, datetime.datetime):
        offset = v.utcoffset()
        days = v.toordinal() - _EPOCH_ORDINAL
        secs = days * 86_400 + v.hour * 3_600 + v.minute * 60 + v.second
        if offset is not None:
            secs -= offset.days * 86_400 + offset.seconds
        frac = v.microsecond * 1_000 + int(getattr(v, "nanosecond", 0))
        if offset is not None:
            frac -= offset.microseconds * 1_000
        return secs * 10**9 + frac
    if isinstance(v, datetime.date):
        return (v.toordinal() - _EPOCH_ORDINAL) * 86_400 * 10**9
    raise TypeError  # the caller names the element


def _objects_to_ns(name: str, arr: NDArray[Any]) -> NDArray[np.datetime64]:
    if _all_of_type(arr, str):  # text in an object array: vectorised
        return _parse_iso(name, arr.astype(str))
    classes = np.asarray(np.frompyfunc(_value_class, 1, 1)(arr), dtype=np.int64)
    text = classes == _TEXT
    objects = classes == _TIME
    out = np.full(arr.shape, _NAT, dtype=np.int64)
    refusals: list[_Refusal] = [
        (
            (classes == _NUMBER) | (classes == _BOOL),
            "is a number, not a timestamp; numbers are refused because their unit would be a guess",
            TypeError,
        ),
        (
            ~text & ~objects & (classes != _MISSING) & (classes != _NUMBER) & (classes != _BOOL),
            "is not a timestamp (datetime64 or ISO-8601 text)",
            TypeError,
        ),
    ]
    if text.any():
        ns, text_refusals = _iso_to_ns(arr[text].astype(str))
        out[text] = ns
        for mask, rule, kind in text_refusals:
            where = np.zeros(arr.shape, dtype=bool)
            where[text] = mask
            refusals.append((where, rule, kind))
    if objects.any():
        # Python objects are read one by one (as numpy itself would); integer arithmetic
        # on their fields, so nothing wraps before the range is checked
        values = [_one_to_ns(v) or 0 for v in arr[objects].tolist()]  # None only if missing
        inside = np.array([_NS_MIN < n < _NS_MAX for n in values], dtype=bool)
        edge = np.array([n in (_NS_MIN, _NS_MAX) for n in values], dtype=bool)
        for mask, rule in ((~inside & ~edge, _RANGE_HINT), (edge, _SENTINEL_HINT)):
            where = np.zeros(arr.shape, dtype=bool)
            where[objects] = mask
            refusals.append((where, rule, ValueError))
        _raise_first(name, arr, refusals)
        out[objects] = np.asarray(values, dtype=np.int64)
    _raise_first(name, arr, refusals)
    return out.view("datetime64[ns]")


def to_datetime_ns(name: str, value: Any) -> NDArray[np.datetime64]:
    """Timestamps from any container as naive-UTC datetime64[ns]; NaT marks a missing one.

    Accepts datetime64 of any unit, ISO-8601 text in the extended or basic form (with an
    optional ``Z`` or ``±hh:mm`` offset, converted to UTC), ``datetime``/``date`` objects
    (aware ones converted to UTC), pandas ``Timestamp`` and ``Period`` (its first instant),
    and the missing markers of each container (None, NaN, ``NA``, ``NaT``) as NaT. Refuses
    numbers (TypeError: their unit would be a guess), other text, ``"now"``, ``"today"``,
    ``""`` and anything outside the datetime64[ns] range (ValueError naming the position).
    """
    arr = to_array(name, value)
    kind = arr.dtype.kind
    if arr.size == 0 and kind in "fiuO":  # an empty list arrives as float64: no records
        return np.zeros(arr.shape, dtype="datetime64[ns]")
    if kind == "M":
        return _datetimes_to_ns(name, arr)
    if kind == "U":
        return _parse_iso(name, arr)
    if kind == "S":
        try:
            text = np.strings.decode(arr, "ascii")
        except UnicodeDecodeError:
            raise TypeError(f"{name} holds bytes that are not ASCII text") from None
        return _parse_iso(name, np.asarray(text))
    if kind == "O":
        return _objects_to_ns(name, arr)
    raise TypeError(
        f"{name} must be datetime64 values or ISO-8601 strings, got dtype {arr.dtype}; "
        "numbers are refused because their unit would be a guess"
    )


# --------------------------------------------------------------------------- durations
def _span_to_ns(v: Any) -> float:
    if _is_missing_value(v):
        return float("nan")
    if isinstance(v, np.timedelta64):
        return float(_timedeltas_to_ns("", np.asarray(v)))
    if isinstance(v, datetime.timedelta):
        whole = (v.days * 86_400 + v.seconds) * 10**9 + v.microseconds * 1_000
        return float(whole + int(getattr(v, "nanoseconds", 0)))
    raise TypeError


def _timedeltas_to_ns(name: str, arr: NDArray[Any]) -> NDArray[np.float64]:
    unit, step = np.datetime_data(arr.dtype)
    if unit in ("Y", "M"):
        raise TypeError(
            f"{name} is a timedelta64 in {'years' if unit == 'Y' else 'months'}, which have "
            "no fixed length; give days or a finer unit"
        )
    ints = arr.view(np.int64)
    if unit == "generic":
        raise TypeError(f"{name} has a timedelta64 dtype without a unit; give one")
    out = ints.astype(np.float64) * float(_NS_PER_UNIT[unit] * step)
    return np.where(ints == _NAT, np.nan, out)


def to_timedelta_ns(name: str, value: Any, unit_ns: float) -> NDArray[np.float64]:
    """Durations as float64 nanoseconds (NaN for NaT / missing, never wrapped).

    ``timedelta64`` of any fixed unit, ``datetime.timedelta`` and pandas ``Timedelta`` are
    unit-free; plain numbers are read in the unit worth ``unit_ns`` nanoseconds.
    """
    arr = to_array(name, value)
    kind = arr.dtype.kind
    if kind == "m":
        return _timedeltas_to_ns(name, arr)
    if kind == "O" and arr.size:
        classes = np.asarray(np.frompyfunc(_value_class, 1, 1)(arr), dtype=np.int64)
        spans = classes == _SPAN
        if spans.any():
            other = ~spans & (classes != _MISSING)
            if other.any():
                raise _type_error(name, arr, other, "mixes a number with durations")
            convert: Callable[[Any], float] = _span_to_ns
            return np.asarray(np.frompyfunc(convert, 1, 1)(arr), dtype=np.float64)
    numbers_ = to_float(name, arr)
    with np.errstate(over="ignore"):
        return numbers_ * float(unit_ns)

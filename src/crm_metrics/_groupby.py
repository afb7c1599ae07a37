"""Grouping: the one group-reduce engine behind every ``by=``, period and cohort keys, windows.

Every event-level metric is written once, on per-group arrays: it asks :func:`groups_of`
for a :class:`Groups` (one group holding every record when ``by`` is None), reduces its
sufficient statistics per group (:meth:`Groups.count`, :meth:`Groups.sum`, ...), applies
its formula to those arrays, and hands the result to :meth:`Groups.finish`, which returns
a Python float without ``by`` and a :class:`Grouped` with it.

Grouping never loops over groups in Python. Keys are factorised once: integer keys with a
compact range by counting (O(n)), already sorted keys by run detection (O(n)), anything
else by one ``numpy.unique`` sort. Reductions are ``bincount`` / ``ufunc.at`` passes;
medians take one lexicographic sort.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._math import safe_divide
from crm_metrics._validate import Frequency, Keys, Timestamps, TzOffset, validated

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "Grouped",
    "Groups",
    "KeysLike",
    "cohort_key",
    "default_as_of",
    "factorize",
    "groups_of",
    "happened_by",
    "in_window",
    "open_at",
    "period_key",
]

#: What ``by=`` accepts: one key array, or a tuple of key arrays for a multi-key.
KeysLike = ArrayLike | tuple[ArrayLike, ...]

_NS_PER_HOUR = 3_600_000_000_000
_INT64_MAX = np.iinfo(np.int64).max


# --------------------------------------------------------------------------- result type
def _key_list(keys: NDArray[Any]) -> list[Any]:
    """Python values for dict keys; datetimes stay ``numpy.datetime64`` (ns fits no datetime)."""
    if keys.dtype.kind in "mM":
        return list(keys)
    return list(keys.tolist())


@dataclass(frozen=True, eq=False)
class Grouped:
    """Per-group results of an event-level metric called with ``by=``.

    Attributes
    ----------
    keys : numpy.ndarray or tuple of numpy.ndarray
        The sorted unique group keys (``numpy.unique`` order; NaT sorts last). A tuple of
        aligned arrays for a multi-key ``by=(a, b)``, in lexicographic order.
    values : numpy.ndarray
        ``values[i]`` is the metric on the records whose key is ``keys[i]``. A 2-D array
        with one column per name in ``columns`` for multi-valued metrics.
    columns : tuple of str or None
        Column names of a 2-D ``values``; None for a plain metric.
    name : str or None
        The metric that made the result (``"nps"``); the name of the value column in
        `to_pandas`, `to_polars` and `to_arrow`.
    key_names : tuple of str
        One name per key level: the names of the ``by=`` columns (pandas or polars Series
        names), else ``key`` (one key) or ``key_0``, ``key_1`` ...

    Examples
    --------
    >>> import crm_metrics as cm
    >>> g = cm.nps([10, 9, 7, 3], by=["a", "a", "b", "b"])
    >>> g.to_dict()
    {'a': 100.0, 'b': -50.0}
    >>> g["b"], len(g), g.name
    (-50.0, 2, 'nps')
    >>> g.to_pandas()
    key
    a    100.0
    b    -50.0
    Name: nps, dtype: float64
    """

    keys: NDArray[Any] | tuple[NDArray[Any], ...]
    values: NDArray[Any]
    columns: tuple[str, ...] | None = None
    name: str | None = field(default=None, repr=False)
    key_names: tuple[str, ...] = field(default=(), repr=False)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def with_names(self, name: str, by_names: tuple[str | None, ...] = ()) -> Grouped:
        """This result named after its metric, its key levels after the ``by=`` columns.

        Unnamed levels are called ``key`` (one key) or ``key_0``, ``key_1`` ...
        """
        levels = len(self.keys) if isinstance(self.keys, tuple) else 1
        default = ("key",) if levels == 1 else tuple(f"key_{i}" for i in range(levels))
        given = tuple(by_names) + (None,) * max(levels - len(by_names), 0)
        names = tuple(g or d for g, d in zip(given[:levels], default, strict=True))
        return replace(self, name=name, key_names=names)

    def _levels(self) -> tuple[str, ...]:
        if self.key_names:
            return self.key_names
        return self.with_names(self.name or "value").key_names

    def _value_columns(self) -> dict[str, NDArray[Any]]:
        if self.columns is None:
            return {self.name or "value": self.values}
        return {c: self.values[:, j] for j, c in enumerate(self.columns)}

    def _key_columns(self) -> dict[str, NDArray[Any]]:
        parts = self.keys if isinstance(self.keys, tuple) else (self.keys,)
        return dict(zip(self._levels(), parts, strict=True))

    @functools.cached_property
    def _lookup(self) -> dict[Any, int]:
        return {key: i for i, key in enumerate(self._key_tuples())}

    def __getitem__(self, key: Any) -> Any:
        """The value of one group: ``g["web"]``, ``g[("web", "ann")]`` for a multi-key
        (a row ``{column: value}`` for multi-valued metrics); KeyError if no such group."""
        try:
            i = self._lookup[key]
        except (KeyError, TypeError):
            raise KeyError(f"no group {key!r} in this result") from None
        row = self.values[i]
        if self.columns is None:
            return row.item() if isinstance(row, np.generic) else row
        return dict(zip(self.columns, row.tolist(), strict=True))

    def _key_tuples(self) -> list[Any]:
        if isinstance(self.keys, tuple):
            return list(zip(*(_key_list(k) for k in self.keys), strict=True))
        return _key_list(self.keys)

    def to_dict(self) -> dict[Any, Any]:
        """``{key: value}``; multi-keys are tuples; multi-valued rows are ``{column: value}``."""
        keys = self._key_tuples()
        if self.columns is None:
            return dict(zip(keys, self.values.tolist(), strict=True))
        rows = [dict(zip(self.columns, row, strict=True)) for row in self.values.tolist()]
        return dict(zip(keys, rows, strict=True))

    def to_pandas(self) -> pd.Series[Any] | pd.DataFrame:
        """A pandas Series named after the metric (a DataFrame for multi-valued rows),
        indexed by the keys, with index levels named after the ``by=`` columns.

        pandas is imported here, lazily; it is not a dependency of crm_metrics.
        """
        import pandas as pd

        levels = list(self._levels())
        if isinstance(self.keys, tuple):
            index: pd.Index[Any] = pd.MultiIndex.from_arrays(list(self.keys), names=levels)
        else:
            index = pd.Index(self.keys, name=levels[0])
        if self.columns is None:
            return pd.Series(self.values, index=index, name=self.name)
        return pd.DataFrame(self.values, index=index, columns=list(self.columns))

    def to_polars(self) -> pl.DataFrame:
        """A polars DataFrame: one column per key level, then the value column(s).

        polars is imported here, lazily; it is not a dependency of crm_metrics.
        """
        import polars as pl

        return pl.DataFrame({**self._key_columns(), **self._value_columns()})

    def to_arrow(self) -> pa.Table:
        """A pyarrow Table: one column per key level, then the value column(s).

        pyarrow is imported here, lazily; it is not a dependency of crm_metrics.
        """
        import pyarrow as pa

        columns = {**self._key_columns(), **self._value_columns()}
        return pa.table({k: pa.array(v) for k, v in columns.items()})

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        """Iterate over ``(key, value)`` pairs."""
        return iter(self.to_dict().items())

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per key level, then the value column(s);
        the first and last 10 groups of a long result."""
        from crm_metrics import _html

        n = len(self)
        caption = f"{self.name or 'Grouped'}: {n:,} group{'' if n == 1 else 's'}"
        columns = [*self._key_columns().items(), *self._value_columns().items()]
        return _html.frame(columns, caption=caption, keys=len(self._levels()), noun="groups")


# --------------------------------------------------------------------------- factorising
def _runs(arr: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Keys and codes of an already sorted array, by run detection."""
    change = np.empty(len(arr), dtype=bool)
    change[:1] = True
    np.not_equal(arr[1:], arr[:-1], out=change[1:])
    codes = np.cumsum(change, dtype=np.int64) - 1
    return arr[change], codes


_NS_PER_DAY = 86_400_000_000_000


def _factorize_datetimes(arr: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Datetime keys; NaT is one group, sorted last.

    Keys that all fall on midnight (every ``period_key`` label) become day numbers and
    take the counting path: a decade of days is a compact range, so no sort is needed.
    """
    ns = arr.astype("datetime64[ns]").view(np.int64)
    nat = np.isnat(arr)
    valid = ns[~nat]
    if len(valid) and not (valid % _NS_PER_DAY).any():
        days = ns // _NS_PER_DAY
        if nat.any():
            days[nat] = valid.max() // _NS_PER_DAY + 1  # after every real day: NaT sorts last
        day_keys, codes = _factorize_1d(days)
        keys = (day_keys * _NS_PER_DAY).view("datetime64[ns]")
        if nat.any():
            keys[-1] = np.datetime64("NaT")
        return keys.astype(arr.dtype), codes
    keys, codes = np.unique(arr, return_inverse=True)
    return keys, codes.astype(np.int64, copy=False).reshape(-1)


def _factorize_1d(arr: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    n = len(arr)
    if n == 0:
        return arr[:0], np.zeros(0, dtype=np.int64)
    kind = arr.dtype.kind
    if kind in "iub":
        ints = arr.view(np.uint8) if kind == "b" else arr
        lo, hi = int(ints.min()), int(ints.max())
        if hi - lo < 4 * n + 1024:  # compact range: count, no sort
            # widen first: int8 [-100, 100] - (-100) would overflow in int8
            wide = np.uint64 if ints.dtype.kind == "u" else np.int64
            offset = (ints.astype(wide, copy=False) - wide(lo)).astype(np.intp, copy=False)
            present = np.bincount(offset, minlength=hi - lo + 1) > 0
            keys = (np.flatnonzero(present).astype(wide) + wide(lo)).astype(ints.dtype)
            if present.all():  # every value of the range occurs: the offset is the code
                codes = offset.astype(np.int64, copy=False)
            else:
                codes = (np.cumsum(present, dtype=np.int64) - 1)[offset]
            return (keys.view(bool) if kind == "b" else keys), codes
    if kind == "M":
        return _factorize_datetimes(arr)
    if kind != "O" and bool(np.all(arr[1:] >= arr[:-1])):
        return _runs(arr)
    try:
        keys, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        raise TypeError("by: keys of mixed, unorderable types cannot be grouped") from None
    return keys, codes.astype(np.int64, copy=False).reshape(-1)


def factorize(
    keys: NDArray[Any] | tuple[NDArray[Any], ...],
) -> tuple[NDArray[Any] | tuple[NDArray[Any], ...], NDArray[np.int64], int]:
    """Sorted unique keys, the code of every record, and the number of groups.

    A tuple of key arrays is grouped lexicographically: each part is factorised, the part
    codes are combined into one mixed-radix code, and that code is factorised again.
    """
    if not isinstance(keys, tuple):
        uniq, codes = _factorize_1d(keys)
        return uniq, codes, len(uniq)
    parts = [_factorize_1d(part) for part in keys]
    sizes = [max(len(uniq), 1) for uniq, _ in parts]
    if float(np.prod(sizes, dtype=np.float64)) < 2**62:
        combined = np.zeros(len(keys[0]), dtype=np.int64)
        for (_, codes), size in zip(parts, sizes, strict=True):
            combined *= size
            combined += codes
        uniq_combined, codes = _factorize_1d(combined)
        digits = np.unravel_index(uniq_combined, sizes)
    else:  # too many combinations for one int64 code: sort the code rows instead
        stacked = np.stack([codes for _, codes in parts], axis=1)
        uniq_rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        codes = inverse.astype(np.int64).reshape(-1)
        digits = tuple(uniq_rows[:, j] for j in range(len(parts)))
    out = tuple(uniq[d] for (uniq, _), d in zip(parts, digits, strict=True))
    return out, codes, len(out[0])


# --------------------------------------------------------------------------- the engine
@dataclass(frozen=True, eq=False)
class Groups:
    """Records partitioned into groups; every reduction returns one value per group.

    ``codes is None`` means one group holding every record (a call without ``by``).
    """

    codes: NDArray[np.int64] | None
    n_groups: int
    n_records: int
    keys: NDArray[Any] | tuple[NDArray[Any], ...] | None = None

    def count(self, where: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        """Number of records per group (only those where ``where`` holds, if given)."""
        if self.codes is None:
            n = self.n_records if where is None else int(np.count_nonzero(where))
            return np.array([n], dtype=np.int64)
        codes = self.codes if where is None else self.codes[where]
        return np.bincount(codes, minlength=self.n_groups).astype(np.int64, copy=False)

    def histogram(self, bins: NDArray[np.int64], n_bins: int) -> NDArray[np.int64]:
        """Per-group counts of integer bins ``0..n_bins-1``: shape ``(n_groups, n_bins)``.

        One ``bincount`` over ``code * n_bins + bin``: the sufficient statistic of every
        metric of a small integer scale (all survey metrics).
        """
        if self.codes is None:
            counts = np.bincount(bins, minlength=n_bins)
            return counts.reshape(1, n_bins).astype(np.int64, copy=False)
        combined = self.codes * n_bins
        combined += bins
        counts = np.bincount(combined, minlength=self.n_groups * n_bins)
        return counts.reshape(self.n_groups, n_bins).astype(np.int64, copy=False)

    def sum(self, values: NDArray[Any]) -> NDArray[np.float64]:
        """Sum of ``values`` per group, accumulated in float64."""
        if self.codes is None:
            return np.array([np.sum(values, dtype=np.float64)])
        sums = np.bincount(self.codes, weights=values, minlength=self.n_groups)
        return sums.astype(np.float64, copy=False)

    def mean(self, values: NDArray[Any]) -> NDArray[np.float64]:
        """Arithmetic mean per group (nan for an empty group)."""
        return safe_divide(self.sum(values), self.count())

    def _extreme(self, values: NDArray[Any], largest: bool) -> NDArray[Any]:
        """Per-group minimum or maximum by one unbuffered ``ufunc.at`` pass.

        Datetimes and timedeltas are reduced on their int64 view with NaT never winning
        (a group of only NaT gives NaT); booleans on their uint8 view. A float group
        without records gives nan (``groups_of`` never makes one).
        """
        kind = values.dtype.kind
        if kind in "mM":
            ints = values.view(np.int64)
            if not largest:  # NaT is the smallest int64: move it to the top for a minimum
                ints = np.where(np.isnat(values), np.iinfo(np.int64).max, ints)
            out = self._extreme(ints, largest)
            if not largest:
                out[out == np.iinfo(np.int64).max] = np.iinfo(np.int64).min
            return out.view(values.dtype)
        if kind == "b":
            return self._extreme(values.view(np.uint8), largest).astype(bool)
        ufunc = np.maximum if largest else np.minimum
        if kind == "f":
            fill: Any = -np.inf if largest else np.inf
        else:
            info = np.iinfo(values.dtype)
            fill = info.min if largest else info.max
        if self.codes is None:
            out = np.array([ufunc.reduce(values) if len(values) else fill], dtype=values.dtype)
        else:
            out = np.full(self.n_groups, fill, dtype=values.dtype)
            ufunc.at(out, self.codes, values)
        if kind == "f":
            out = np.where(self.count() > 0, out, np.nan)
        return out

    def min(self, values: NDArray[Any]) -> NDArray[Any]:
        """Smallest value per group (NaT ignored for datetimes; see :meth:`_extreme`)."""
        return self._extreme(values, largest=False)

    def max(self, values: NDArray[Any]) -> NDArray[Any]:
        """Largest value per group (NaT ignored for datetimes; see :meth:`_extreme`)."""
        return self._extreme(values, largest=True)

    def median(self, values: NDArray[Any]) -> NDArray[np.float64]:
        """Median per group, numpy's midpoint rule; exact, nan for an empty group.

        One sort of the values, then a stable LSD radix sort of their group codes in 16-bit
        digits (numpy sorts 16-bit integers by radix), so each group's values end up
        contiguous and ordered.
        """
        if self.codes is None:
            if len(values) == 0:
                return np.array([np.nan])
            return np.array([np.median(values.astype(np.float64))])
        counts = self.count()
        order = np.argsort(values)
        shift = 0
        while max(self.n_groups - 1, 0) >> shift:
            digit = ((self.codes[order] >> shift) & 0xFFFF).astype(np.uint16)
            order = order[np.argsort(digit, kind="stable")]
            shift += 16
        ordered = values[order].astype(np.float64)
        starts = np.cumsum(counts) - counts
        low = starts + (counts - 1) // 2
        high = starts + counts // 2
        filled = counts > 0
        out = np.full(self.n_groups, np.nan)
        out[filled] = (ordered[low[filled]] + ordered[high[filled]]) / 2.0
        return out

    def nunique(self, items: NDArray[Any] | tuple[NDArray[Any], ...]) -> NDArray[np.int64]:
        """Number of distinct ``items`` per group (not additive over groups)."""
        _, item_codes, n_items = factorize(items)
        if self.codes is None:
            return np.array([n_items], dtype=np.int64)
        pairs, _, _ = factorize((self.codes, item_codes))
        assert isinstance(pairs, tuple)
        return np.bincount(pairs[0], minlength=self.n_groups).astype(np.int64, copy=False)

    def finish(self, values: ArrayLike) -> float | Grouped:
        """The caller-facing result: a Python float without ``by``, a :class:`Grouped` with it."""
        arr = np.asarray(values, dtype=np.float64)
        if self.keys is None:
            return float(arr[0])
        return Grouped(keys=self.keys, values=arr)

    def finish_count(self, values: ArrayLike) -> int | Grouped:
        """As :meth:`finish` for counts: a Python int without ``by``, int64 values with it."""
        arr = np.asarray(values, dtype=np.int64)
        if self.keys is None:
            return int(arr[0])
        return Grouped(keys=self.keys, values=arr)

    def finish_rows(self, rows: NDArray[np.float64], columns: tuple[str, ...]) -> Grouped:
        """A :class:`Grouped` of several named values per group (``rows`` is groups x columns)."""
        if self.keys is None:
            raise AssertionError("finish_rows needs grouped records")  # library misuse
        return Grouped(keys=self.keys, values=rows, columns=columns)


def groups_of(
    by: Any,
    n_records: int,
    keep: NDArray[np.bool_] | None = None,
) -> Groups:
    """Partition the records that survive ``keep`` by the ``by`` keys.

    ``by`` must already be coerced by the :class:`~crm_metrics._validate.Keys` rule (None,
    an array, or a tuple of arrays); it is typed ``Any`` because public signatures declare
    the user-facing :data:`KeysLike`.

    Keys come from the surviving records only, so no group is empty.
    """
    if by is None:
        n = n_records if keep is None else int(np.count_nonzero(keep))
        return Groups(codes=None, n_groups=1, n_records=n)
    if keep is not None:
        by = tuple(part[keep] for part in by) if isinstance(by, tuple) else by[keep]
    keys, codes, n_groups = factorize(by)
    return Groups(codes=codes, n_groups=n_groups, n_records=len(codes), keys=keys)


# --------------------------------------------------------------------------- periods
@validated(ts=Timestamps(nat_ok=True), freq=Frequency(), tz_offset_hours=TzOffset())
def period_key(ts: ArrayLike, freq: str, *, tz_offset_hours: float = 0.0) -> NDArray[np.datetime64]:
    r"""Label each timestamp with the start of its calendar period.

    The standard group key for per-period series: ``by=period_key(opened_at, "M")``.

    $$\mathrm{key}(t) = \max\{\,p \in \mathrm{period\ starts} : p \le t + \mathrm{offset}\,\}$$

    Parameters
    ----------
    ts : array_like of datetime64 or ISO-8601 str
        Naive UTC timestamps; NaT is allowed and maps to NaT.
    freq : {"D", "W", "M", "Q", "Y"}
        Day, ISO week (starting Monday), calendar month, calendar quarter (Jan, Apr, Jul,
        Oct) or calendar year.
    tz_offset_hours : float, default 0
        Offset of the local calendar from UTC (e.g. ``-5`` for US Eastern standard time).
        Timestamps are shifted by it before flooring; labels are local period starts.

    Returns
    -------
    numpy.ndarray of datetime64[ns]
        One label per timestamp, aligned with ``ts``. NaT stays NaT; grouped by these keys,
        all NaT records form one group, sorted last.

    Raises
    ------
    ValueError
        If ``freq`` is not one of the five, or a string in ``ts`` is not ISO-8601.
    TypeError
        If ``ts`` is numeric (its unit would be a guess).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.period_key(["2024-05-15T10:30", "2024-05-19", "2024-05-20"], "W")
    array(['2024-05-13T00:00:00.000000000', '2024-05-13T00:00:00.000000000',
           '2024-05-20T00:00:00.000000000'], dtype='datetime64[ns]')
    >>> cm.period_key(["2024-05-15", "NaT"], "Q")
    array(['2024-04-01T00:00:00.000000000',                           'NaT'],
          dtype='datetime64[ns]')
    """
    t = np.asarray(ts)
    if tz_offset_hours:
        t = t + np.timedelta64(round(tz_offset_hours * _NS_PER_HOUR), "ns")
    if freq == "D":
        out = t.astype("datetime64[D]")
    elif freq == "W":
        days = t.astype("datetime64[D]")
        # 1970-01-01 was a Thursday: day number d is a Monday when (d - 4) % 7 == 0
        day_no = days.astype(np.int64)
        monday = day_no - (day_no - 4) % 7
        out = np.where(np.isnat(days), days, monday.astype("datetime64[D]"))
    elif freq == "M":
        out = t.astype("datetime64[M]")
    elif freq == "Q":
        months = t.astype("datetime64[M]")
        month_no = months.astype(np.int64)
        quarter = (month_no - month_no % 3).astype("datetime64[M]")
        out = np.where(np.isnat(months), months, quarter)
    else:
        out = t.astype("datetime64[Y]")
    return out.astype("datetime64[ns]")


@validated(
    customer_id=Keys(optional=False, multi=False),
    ts=Timestamps(),
    freq=Frequency(),
    tz_offset_hours=TzOffset(),
)
def cohort_key(
    customer_id: ArrayLike, ts: ArrayLike, freq: str, *, tz_offset_hours: float = 0.0
) -> NDArray[np.datetime64]:
    r"""Acquisition cohort of each record: the period of its customer's first transaction.

    $$\mathrm{cohort}_i = \mathrm{period\_key}\big(\min_{j:\,c_j = c_i} t_j\big)$$

    History is read from the whole input, so pass every transaction, not a window.

    Parameters
    ----------
    customer_id : array_like
        Customer of each record (any sortable key type).
    ts : array_like of datetime64 or ISO-8601 str
        Transaction timestamps (NaT not allowed).
    freq : {"D", "W", "M", "Q", "Y"}
        Cohort granularity, as in [`period_key`][crm_metrics.period_key].
    tz_offset_hours : float, default 0
        Local calendar offset from UTC, as in [`period_key`][crm_metrics.period_key].

    Returns
    -------
    numpy.ndarray of datetime64[ns]
        One cohort label per record, aligned with the input.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, unknown ``freq``.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cohort_key(["a", "b", "a"], ["2024-03-05", "2024-04-01", "2024-01-20"], "M")
    array(['2024-01-01T00:00:00.000000000', '2024-04-01T00:00:00.000000000',
           '2024-01-01T00:00:00.000000000'], dtype='datetime64[ns]')
    """
    t = np.asarray(ts)
    _, codes, n_customers = factorize(np.asarray(customer_id))
    first = np.full(n_customers, _INT64_MAX, dtype=np.int64)
    np.minimum.at(first, codes, t.view(np.int64))
    first_ts = first.view("datetime64[ns]")[codes]
    return period_key(first_ts, freq, tz_offset_hours=tz_offset_hours)


# --------------------------------------------------------------------------- windows
def in_window(
    ts: NDArray[np.datetime64], start: np.datetime64 | None, end: np.datetime64 | None
) -> NDArray[np.bool_]:
    """Records whose anchor lies in the half-open window ``[start, end)``; NaT never does."""
    keep = ~np.isnat(ts)
    if start is not None:
        keep &= ts >= start
    if end is not None:
        keep &= ts < end
    return keep


def default_as_of(*timestamps: NDArray[np.datetime64]) -> np.datetime64 | None:
    """One nanosecond after the latest non-NaT timestamp of all arrays (None if there is none).

    Taken over the whole input before any ``by=`` split, so a default
    snapshot's window ``[as_of - w, as_of)`` includes the latest event.
    """
    latest: np.datetime64 | None = None
    for ts in timestamps:
        valid = ts[~np.isnat(ts)]
        if len(valid):
            top = valid.max()
            latest = top if latest is None or top > latest else latest
    if latest is None:
        return None
    return latest + np.timedelta64(1, "ns")


def open_at(
    created: NDArray[np.datetime64], closed: NDArray[np.datetime64], as_of: np.datetime64
) -> NDArray[np.bool_]:
    """Records open at ``as_of``: created <= as_of and (closed is NaT or closed > as_of)."""
    return (created <= as_of) & (np.isnat(closed) | (closed > as_of))


def happened_by(ts: NDArray[np.datetime64], as_of: np.datetime64) -> NDArray[np.datetime64]:
    """A copy of ``ts`` in which events later than ``as_of`` are NaT (not yet happened).

    Consistent with :func:`open_at`: an event exactly at ``as_of`` has happened.
    """
    return np.where(ts > as_of, np.datetime64("NaT", "ns"), ts)

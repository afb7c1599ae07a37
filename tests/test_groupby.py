"""Hand-computed unit tests for crm_metrics._groupby (factorize, Groups, Grouped, periods)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crm_metrics
import crm_metrics as cm
from crm_metrics._groupby import (
    Grouped,
    Groups,
    cohort_key,
    default_as_of,
    factorize,
    groups_of,
    in_window,
    open_at,
    period_key,
)


def ns(*values: str) -> np.ndarray:
    """datetime64[ns] array from ISO strings (expected values)."""
    return np.array(values, dtype="datetime64[ns]")


def t(value: str) -> np.datetime64:
    return np.datetime64(value, "ns")


def check(keys: Any, codes: Any, n: int, exp_keys: list[Any], exp_codes: list[int]) -> None:
    assert n == len(exp_keys)
    assert list(keys.tolist()) == exp_keys
    assert codes.dtype == np.int64
    assert codes.tolist() == exp_codes


# --------------------------------------------------------------------------- factorize
def test_factorize_compact_int_range_by_counting() -> None:
    keys, codes, n = factorize(np.array([3, 1, 3, 2, 1]))
    check(keys, codes, n, [1, 2, 3], [2, 0, 2, 1, 0])
    assert keys.dtype == np.int64


def test_factorize_compact_range_with_gaps_and_negatives() -> None:
    keys, codes, n = factorize(np.array([7, -2, 7, 40, -2]))
    check(keys, codes, n, [-2, 7, 40], [1, 0, 1, 2, 0])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint64])
def test_factorize_small_int_dtypes_keep_dtype(dtype: Any) -> None:
    lo = np.iinfo(dtype).min
    hi = np.iinfo(dtype).max if np.dtype(dtype).itemsize == 1 else lo + 300
    arr = np.array([hi, lo, hi, lo + 1], dtype=dtype)
    keys, codes, n = factorize(arr)
    assert keys.dtype == np.dtype(dtype)
    check(keys, codes, n, [int(lo), int(lo) + 1, int(hi)], [2, 0, 2, 1])


def test_factorize_uint64_beyond_int64() -> None:
    arr = np.array([2**64 - 1, 2**64 - 3, 2**64 - 1], dtype=np.uint64)
    keys, codes, n = factorize(arr)
    check(keys, codes, n, [2**64 - 3, 2**64 - 1], [1, 0, 1])


def test_factorize_wide_int_range_unsorted() -> None:
    keys, codes, n = factorize(np.array([10**12, -5, 10**12, 7]))
    check(keys, codes, n, [-5, 7, 10**12], [2, 0, 2, 1])


def test_factorize_wide_int_range_already_sorted() -> None:
    keys, codes, n = factorize(np.array([-(10**12), 0, 0, 10**12, 10**12]))
    check(keys, codes, n, [-(10**12), 0, 10**12], [0, 1, 1, 2, 2])


def test_factorize_sorted_strings_by_runs() -> None:
    keys, codes, n = factorize(np.array(["a", "a", "b", "c", "c"]))
    check(keys, codes, n, ["a", "b", "c"], [0, 0, 1, 2, 2])


def test_factorize_unsorted_strings() -> None:
    keys, codes, n = factorize(np.array(["pear", "apple", "fig", "apple", "pear"]))
    check(keys, codes, n, ["apple", "fig", "pear"], [2, 0, 1, 0, 2])


@pytest.mark.parametrize(
    "arr",
    [
        np.array([3, 1, 3, 2]),  # compact range: counted
        np.array([-(10**12), 0, 10**12]),  # wide range, sorted: runs
        np.array(["a", "a", "b"]),  # sorted strings: runs
        np.array([0.5, 0.5, 1.5]),  # sorted floats: runs
        np.array([True, False]),  # booleans: counted
    ],
)
def test_factorize_fast_paths_do_not_sort(arr: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sort(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("np.unique was called")

    monkeypatch.setattr(np, "unique", no_sort)
    keys, codes, n = factorize(arr)
    assert n == len(set(arr.tolist()))
    np.testing.assert_array_equal(keys[codes], arr)


def test_factorize_unsorted_strings_use_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    unique = np.unique

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return unique(*args, **kwargs)

    monkeypatch.setattr(np, "unique", counting)
    factorize(np.array(["b", "a"]))
    assert calls == [1]


def test_factorize_bool_keys() -> None:
    keys, codes, n = factorize(np.array([True, False, True, True]))
    assert keys.dtype == np.bool_
    check(keys, codes, n, [False, True], [1, 0, 1, 1])
    keys, codes, n = factorize(np.array([True, True]))
    check(keys, codes, n, [True], [0, 0])


def test_factorize_float_keys() -> None:
    keys, codes, n = factorize(np.array([2.5, -1.0, 2.5, 0.25]))
    check(keys, codes, n, [-1.0, 0.25, 2.5], [2, 0, 2, 1])
    keys, codes, n = factorize(np.array([0.5, 0.5, 1.5]))  # sorted: runs
    check(keys, codes, n, [0.5, 1.5], [0, 0, 1])


def test_factorize_datetime_keys_nat_last_in_one_group() -> None:
    arr = ns("2024-02-01", "NaT", "2024-01-01", "NaT", "2024-02-01")
    keys, codes, n = factorize(arr)
    assert n == 3
    np.testing.assert_array_equal(keys, ns("2024-01-01", "2024-02-01", "NaT"))
    assert codes.tolist() == [1, 2, 0, 2, 1]


def test_factorize_all_nat_is_one_group() -> None:
    keys, codes, n = factorize(ns("NaT", "NaT", "NaT"))
    assert n == 1
    assert np.isnat(keys).tolist() == [True]
    assert codes.tolist() == [0, 0, 0]


def test_factorize_object_keys() -> None:
    keys, codes, n = factorize(np.array(["b", "a", "b"], dtype=object))
    check(keys, codes, n, ["a", "b"], [1, 0, 1])
    keys, codes, n = factorize(np.array([10, 2, 10], dtype=object))
    check(keys, codes, n, [2, 10], [1, 0, 1])


def test_factorize_mixed_unorderable_objects_is_type_error() -> None:
    with pytest.raises(TypeError, match="by: keys of mixed, unorderable types"):
        factorize(np.array([1, "a", 2], dtype=object))


def test_factorize_multi_key_lexicographic() -> None:
    a = np.array(["b", "a", "b", "a", "b"])
    b = np.array([2, 1, 1, 1, 2])
    keys, codes, n = factorize((a, b))
    assert isinstance(keys, tuple)
    assert n == 3
    assert keys[0].tolist() == ["a", "b", "b"]
    assert keys[1].tolist() == [1, 1, 2]
    assert codes.tolist() == [2, 0, 1, 0, 2]


def test_factorize_three_keys_with_datetimes() -> None:
    owner = np.array(["x", "x", "y", "x"])
    quarter = ns("2024-04-01", "2024-01-01", "2024-01-01", "2024-01-01")
    won = np.array([True, False, True, True])
    keys, codes, n = factorize((owner, quarter, won))
    assert n == 4
    assert keys[0].tolist() == ["x", "x", "x", "y"]
    np.testing.assert_array_equal(
        keys[1], ns("2024-01-01", "2024-01-01", "2024-04-01", "2024-01-01")
    )
    assert keys[2].tolist() == [False, True, True, True]
    assert codes.tolist() == [2, 0, 3, 1]


def test_factorize_multi_key_too_many_combinations_for_one_code() -> None:
    # 7 parts with 512 distinct values each: 2**63 combinations, beyond one int64 code
    rng = np.random.default_rng(0)
    parts = tuple(rng.permutation(512) * 1000 for _ in range(7))
    parts = tuple(np.concatenate([p, p[:3]]) for p in parts)  # 3 repeated rows
    keys, codes, n = factorize(parts)
    rows = list(zip(*(p.tolist() for p in parts), strict=True))
    expected = sorted(set(rows))
    assert n == 512
    assert list(zip(*(k.tolist() for k in keys), strict=True)) == expected
    assert [expected[c] for c in codes.tolist()] == rows


@pytest.mark.parametrize(
    "arr", [np.array([], dtype=np.int64), np.array([], dtype="U1"), ns(), np.array([], dtype=float)]
)
def test_factorize_empty(arr: np.ndarray) -> None:
    keys, codes, n = factorize(arr)
    assert n == 0
    assert len(keys) == 0
    assert keys.dtype == arr.dtype
    assert codes.dtype == np.int64
    assert len(codes) == 0


def test_factorize_empty_multi_key() -> None:
    keys, codes, n = factorize((np.array([], dtype=np.int64), np.array([], dtype="U1")))
    assert n == 0
    assert [len(k) for k in keys] == [0, 0]
    assert len(codes) == 0


# --------------------------------------------------------------------------- Groups
VALUES = np.array([4.0, 1.0, 3.0, 2.0, 10.0, 7.0])
BY = np.array(["a", "b", "a", "b", "a", "c"])  # a: 4, 3, 10   b: 1, 2   c: 7


@pytest.fixture
def grouped() -> Groups:
    return groups_of(BY, len(BY))


def test_groups_of_with_keys(grouped: Groups) -> None:
    assert grouped.n_groups == 3
    assert grouped.n_records == 6
    assert grouped.keys is not None
    assert list(grouped.keys) == ["a", "b", "c"]


def test_groups_count_and_where(grouped: Groups) -> None:
    assert grouped.count().tolist() == [3, 2, 1]
    assert grouped.count().dtype == np.int64
    assert grouped.count(VALUES > 2).tolist() == [3, 0, 1]


def test_groups_sum_mean(grouped: Groups) -> None:
    assert grouped.sum(VALUES).tolist() == [17.0, 3.0, 7.0]
    np.testing.assert_allclose(grouped.mean(VALUES), [17 / 3, 1.5, 7.0], rtol=0, atol=1e-15)


def test_groups_min_max(grouped: Groups) -> None:
    assert grouped.min(VALUES).tolist() == [3.0, 1.0, 7.0]
    assert grouped.max(VALUES).tolist() == [10.0, 2.0, 7.0]
    ints = VALUES.astype(np.int64)
    assert grouped.min(ints).tolist() == [3, 1, 7]
    assert grouped.max(ints).dtype == np.int64
    assert grouped.max(ints).tolist() == [10, 2, 7]


def test_groups_median_odd_and_even(grouped: Groups) -> None:
    # a: 3, 4, 10 -> 4; b: 1, 2 -> 1.5 (midpoint); c: 7
    assert grouped.median(VALUES).tolist() == [4.0, 1.5, 7.0]


def test_groups_median_integer_values_midpoint() -> None:
    by = np.array([2, 1, 2, 1, 2, 1, 2])
    values = np.array([9, 1, 3, 4, 1, 2, 4], dtype=np.int64)
    # group 1: 1, 4, 2 -> 2; group 2: 9, 3, 1, 4 -> sorted 1, 3, 4, 9 -> 3.5
    out = groups_of(by, 7).median(values)
    assert out.dtype == np.float64
    assert out.tolist() == [2.0, 3.5]


def test_groups_median_float_even_group() -> None:
    by = np.array(["x", "x", "x", "x"])
    assert groups_of(by, 4).median(np.array([0.5, 0.25, 1.0, 0.75])).tolist() == [0.625]


def test_groups_nunique(grouped: Groups) -> None:
    items = np.array(["x", "y", "x", "x", "z", "x"])
    # a: x, x, z -> 2; b: y, x -> 2; c: x -> 1
    assert grouped.nunique(items).tolist() == [2, 2, 1]
    pairs = (np.array([1, 1, 1, 1, 2, 1]), np.array(["p", "p", "q", "p", "p", "p"]))
    # a: (1,p), (1,q), (2,p) -> 3; b: (1,p), (1,p) -> 1; c: 1
    assert grouped.nunique(pairs).tolist() == [3, 1, 1]


def test_one_group_without_by() -> None:
    g = groups_of(None, 6)
    assert g.codes is None
    assert g.keys is None
    assert g.n_groups == 1
    assert g.count().tolist() == [6]
    assert g.count(VALUES > 2).tolist() == [4]
    assert g.sum(VALUES).tolist() == [27.0]
    assert g.mean(VALUES).tolist() == [4.5]
    assert g.min(VALUES).tolist() == [1.0]
    assert g.max(VALUES).tolist() == [10.0]
    # 1, 2, 3, 4, 7, 10 -> (3 + 4) / 2
    assert g.median(VALUES).tolist() == [3.5]
    assert g.median(VALUES[:5]).tolist() == [3.0]
    assert g.nunique(BY).tolist() == [3]


def test_one_group_integer_values() -> None:
    g = groups_of(None, 4)
    values = np.array([5, 1, 2, 8], dtype=np.int64)
    assert g.sum(values).dtype == np.float64
    assert g.sum(values).tolist() == [16.0]
    assert g.median(values).tolist() == [3.5]
    assert g.min(values).tolist() == [1]


def test_one_group_empty() -> None:
    g = groups_of(None, 0)
    empty = np.array([], dtype=np.float64)
    assert g.count().tolist() == [0]
    assert g.sum(empty).tolist() == [0.0]
    assert np.isnan(g.mean(empty)).all()
    assert np.isnan(g.median(empty)).all()
    assert np.isnan(g.min(empty)).all()
    assert np.isnan(g.max(empty)).all()
    assert g.nunique(np.array([], dtype="U1")).tolist() == [0]


def test_groups_with_an_empty_group() -> None:
    g = Groups(codes=np.array([0, 2, 0]), n_groups=3, n_records=3)
    values = np.array([1.0, 5.0, 2.0])
    assert g.count().tolist() == [2, 0, 1]
    assert g.sum(values).tolist() == [3.0, 0.0, 5.0]
    mean = g.mean(values)
    assert mean[0] == 1.5
    assert np.isnan(mean[1])
    assert mean[2] == 5.0
    for out in (g.median(values), g.min(values), g.max(values)):
        assert np.isnan(out[1])
    assert g.median(values)[[0, 2]].tolist() == [1.5, 5.0]
    assert g.min(values)[[0, 2]].tolist() == [1.0, 5.0]
    assert g.max(values)[[0, 2]].tolist() == [2.0, 5.0]


def test_groups_of_keep_mask() -> None:
    by = np.array(["a", "b", "c", "a", "b"])
    keep = np.array([True, False, True, True, False])
    g = groups_of(by, 5, keep)
    assert list(g.keys) == ["a", "c"]  # "b" survives nowhere
    assert g.codes is not None
    assert g.codes.tolist() == [0, 1, 0]
    assert g.n_records == 3
    assert g.count().tolist() == [2, 1]
    g_none = groups_of(None, 5, keep)
    assert g_none.n_records == 3
    assert g_none.count().tolist() == [3]


def test_groups_of_keep_mask_multi_key() -> None:
    by = (np.array([2, 1, 2, 1]), np.array(["x", "y", "y", "x"]))
    keep = np.array([True, True, False, True])
    g = groups_of(by, 4, keep)
    assert isinstance(g.keys, tuple)
    assert g.keys[0].tolist() == [1, 1, 2]
    assert g.keys[1].tolist() == ["x", "y", "x"]
    assert g.codes is not None
    assert g.codes.tolist() == [2, 1, 0]


def test_finish_without_and_with_keys(grouped: Groups) -> None:
    one = groups_of(None, 3)
    out = one.finish(np.array([0.5]))
    assert type(out) is float
    assert out == 0.5
    count = one.finish_count(np.array([3]))
    assert type(count) is int
    assert count == 3
    res = grouped.finish(np.array([1, 2, 3]))
    assert isinstance(res, Grouped)
    assert res.values.dtype == np.float64
    assert res.to_dict() == {"a": 1.0, "b": 2.0, "c": 3.0}
    res_count = grouped.finish_count(np.array([1, 2, 3]))
    assert isinstance(res_count, Grouped)
    assert res_count.values.dtype == np.int64


def test_finish_rows(grouped: Groups) -> None:
    rows = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    res = grouped.finish_rows(rows, ("lo", "hi"))
    assert res.columns == ("lo", "hi")
    assert res.to_dict()["b"] == {"lo": 3.0, "hi": 4.0}
    with pytest.raises(AssertionError):
        groups_of(None, 3).finish_rows(rows[:1], ("lo", "hi"))


# --------------------------------------------------------------------------- Grouped
def test_grouped_to_dict_single_key() -> None:
    g = Grouped(keys=np.array(["a", "b"]), values=np.array([100.0, -50.0]))
    d = g.to_dict()
    assert d == {"a": 100.0, "b": -50.0}
    assert all(type(k) is str for k in d)
    assert all(type(v) is float for v in d.values())
    assert len(g) == 2
    assert list(g) == [("a", 100.0), ("b", -50.0)]


def test_grouped_int_keys_and_int_values_are_python_ints() -> None:
    g = Grouped(keys=np.array([3, 7]), values=np.array([2, 5], dtype=np.int64))
    d = g.to_dict()
    assert d == {3: 2, 7: 5}
    assert all(type(k) is int and type(v) is int for k, v in d.items())


def test_grouped_to_dict_multi_key() -> None:
    g = Grouped(
        keys=(np.array(["x", "x", "y"]), np.array([1, 2, 1])), values=np.array([0.5, 0.25, 1.0])
    )
    assert g.to_dict() == {("x", 1): 0.5, ("x", 2): 0.25, ("y", 1): 1.0}
    assert len(g) == 3


def test_grouped_to_dict_columns() -> None:
    g = Grouped(
        keys=np.array(["a", "b"]),
        values=np.array([[0.5, 0.25], [0.0, 1.0]]),
        columns=("promoters", "detractors"),
    )
    assert g.to_dict() == {
        "a": {"promoters": 0.5, "detractors": 0.25},
        "b": {"promoters": 0.0, "detractors": 1.0},
    }
    assert len(g) == 2


def test_grouped_datetime_keys() -> None:
    g = Grouped(keys=ns("2024-01-01", "2024-02-01", "NaT"), values=np.array([1.0, 2.0, 3.0]))
    d = g.to_dict()
    assert all(isinstance(k, np.datetime64) for k in d)
    assert d[np.datetime64("2024-02-01", "ns")] == 2.0
    assert list(d.values()) == [1.0, 2.0, 3.0]
    assert np.isnat(list(d)[2])


def test_grouped_to_pandas_series() -> None:
    s = Grouped(keys=np.array(["a", "b"]), values=np.array([1.0, 2.0])).to_pandas()
    assert isinstance(s, pd.Series)
    assert s.index.tolist() == ["a", "b"]
    assert s.tolist() == [1.0, 2.0]


def test_grouped_to_pandas_datetime_index() -> None:
    s = Grouped(keys=ns("2024-01-01", "2024-04-01"), values=np.array([1.0, 2.0])).to_pandas()
    assert isinstance(s.index, pd.DatetimeIndex)
    assert s[pd.Timestamp("2024-04-01")] == 2.0


def test_grouped_to_pandas_multi_index() -> None:
    g = Grouped(keys=(np.array(["x", "y"]), np.array([1, 2])), values=np.array([3.0, 4.0]))
    s = g.to_pandas()
    assert isinstance(s.index, pd.MultiIndex)
    assert s.index.tolist() == [("x", 1), ("y", 2)]
    assert s[("y", 2)] == 4.0


def test_grouped_to_pandas_dataframe() -> None:
    g = Grouped(
        keys=np.array([1, 2]), values=np.array([[1.0, 2.0], [3.0, 4.0]]), columns=("lo", "hi")
    )
    df = g.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df.columns.tolist() == ["lo", "hi"]
    assert df.loc[2, "hi"] == 4.0
    assert df.index.tolist() == [1, 2]


def test_grouped_is_frozen() -> None:
    g = Grouped(keys=np.array([1]), values=np.array([1.0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.values = np.array([2.0])  # type: ignore[misc]


def test_grouped_is_public() -> None:
    assert crm_metrics.Grouped is Grouped


# --------------------------------------------------------------------------- period_key
@pytest.mark.parametrize(
    ("ts", "freq", "expected"),
    [
        ("2024-05-15T23:59:59", "D", "2024-05-15"),
        ("1969-12-31T12:00", "D", "1969-12-31"),
        ("2024-05-19T18:00", "W", "2024-05-13"),  # Sunday -> the Monday before
        ("2024-05-20T00:00", "W", "2024-05-20"),  # Monday -> itself
        ("2024-05-15", "W", "2024-05-13"),  # Wednesday
        ("2021-01-03", "W", "2020-12-28"),  # across a year boundary
        ("1970-01-01", "W", "1969-12-29"),  # the epoch was a Thursday
        ("1970-01-04", "W", "1969-12-29"),  # Sunday
        ("1970-01-05", "W", "1970-01-05"),  # Monday
        ("1969-12-31T23:00", "W", "1969-12-29"),  # Wednesday before 1970
        ("1960-01-03", "W", "1959-12-28"),  # Sunday before 1970
        ("1900-01-01", "W", "1900-01-01"),  # a Monday
        ("2024-02-29T12:00", "M", "2024-02-01"),
        ("1969-07-20T20:17", "M", "1969-07-01"),
        ("2024-01-01", "Q", "2024-01-01"),
        ("2024-03-31T23:59:59", "Q", "2024-01-01"),
        ("2024-04-01", "Q", "2024-04-01"),
        ("2024-08-15", "Q", "2024-07-01"),
        ("2024-12-31", "Q", "2024-10-01"),
        ("1969-11-20", "Q", "1969-10-01"),
        ("1969-02-01", "Q", "1969-01-01"),
        ("2024-12-31T23:59:59.999999999", "Y", "2024-01-01"),
        ("1969-06-30T12:00", "Y", "1969-01-01"),
    ],
)
def test_period_key(ts: str, freq: str, expected: str) -> None:
    out = period_key([ts], freq)
    assert out.dtype == np.dtype("datetime64[ns]")
    assert out[0] == t(expected)


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y"])
def test_period_key_nat_stays_nat(freq: str) -> None:
    out = period_key(["NaT", "2024-05-15", "NaT"], freq)
    assert np.isnat(out).tolist() == [True, False, True]


def test_period_key_is_public_and_aligned() -> None:
    out = crm_metrics.period_key(["2024-05-15T10:30", "2024-05-19", "2024-05-20"], "W")
    np.testing.assert_array_equal(out, ns("2024-05-13", "2024-05-13", "2024-05-20"))


def test_period_key_accepts_datetime64_and_pandas() -> None:
    arr = np.array(["2024-05-15T10:30:00"], dtype="datetime64[s]")
    assert period_key(arr, "M")[0] == t("2024-05-01")
    series = pd.Series(pd.to_datetime(["2024-11-30 23:00"]))
    assert period_key(series, "Q")[0] == t("2024-10-01")


@pytest.mark.parametrize(
    ("ts", "freq", "offset", "expected"),
    [
        ("2024-05-15T22:30", "D", 2, "2024-05-16"),  # across midnight forwards
        ("2024-05-16T01:00", "D", -5, "2024-05-15"),  # across midnight backwards
        ("2024-06-01T03:00", "D", -5, "2024-05-31"),
        ("2024-06-01T03:00", "M", -5, "2024-05-01"),  # across a month boundary
        ("2024-01-31T19:00", "M", 5.5, "2024-02-01"),  # 00:30 local on Feb 1
        ("2024-01-31T18:29", "M", 5.5, "2024-01-01"),  # 23:59 local on Jan 31
        ("2024-12-31T23:00", "Y", 1, "2025-01-01"),
        ("2024-05-19T23:30", "W", 1, "2024-05-20"),  # Sunday UTC, Monday local
        ("2024-04-01T02:00", "Q", -3, "2024-01-01"),
        ("2024-05-15T12:00", "D", 24, "2024-05-16"),
        ("2024-05-15T12:00", "D", -24, "2024-05-14"),
    ],
)
def test_period_key_tz_offset(ts: str, freq: str, offset: float, expected: str) -> None:
    assert period_key([ts], freq, tz_offset_hours=offset)[0] == t(expected)


@pytest.mark.parametrize("freq", ["X", "m", "month", "", 3])
def test_period_key_invalid_freq(freq: Any) -> None:
    with pytest.raises((ValueError, TypeError), match=r"^freq"):
        period_key(["2024-01-01"], freq)


def test_period_key_invalid_freq_is_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("freq = 'X' is not a known option")):
        period_key(["2024-01-01"], "X")


@pytest.mark.parametrize("offset", [25, -24.5, float("nan"), float("inf")])
def test_period_key_offset_out_of_range(offset: float) -> None:
    with pytest.raises(ValueError, match=r"^tz_offset_hours = .* -24\.\.24"):
        period_key(["2024-01-01"], "D", tz_offset_hours=offset)


def test_period_key_refuses_numbers_and_bad_strings() -> None:
    with pytest.raises(TypeError, match=r"^ts"):
        period_key([1, 2], "D")
    with pytest.raises(ValueError, match=re.escape("ts[1] = '05/20/2024' is not an ISO-8601")):
        period_key(["2024-05-19", "05/20/2024"], "W")


def test_period_key_does_not_mutate_input() -> None:
    arr = ns("2024-05-15T22:30")
    period_key(arr, "D", tz_offset_hours=2)
    assert arr[0] == t("2024-05-15T22:30")


# --------------------------------------------------------------------------- cohort_key
def test_cohort_key_first_purchase_broadcast_to_records() -> None:
    ids = ["a", "b", "a", "c", "b"]
    ts = ["2024-03-05", "2024-01-20", "2024-01-10", "2024-04-30", "2024-02-01"]
    out = cohort_key(ids, ts, "M")
    expected = ns("2024-01-01", "2024-01-01", "2024-01-01", "2024-04-01", "2024-01-01")
    np.testing.assert_array_equal(out, expected)


def test_cohort_key_quarter_integer_ids_unsorted() -> None:
    ids = np.array([7, 3, 7, 3, 9])
    ts = ns("2024-05-01", "2024-09-30", "2023-12-31T23:00", "2024-07-01", "2024-02-02")
    out = crm_metrics.cohort_key(ids, ts, "Q")
    expected = ns("2023-10-01", "2024-07-01", "2023-10-01", "2024-07-01", "2024-01-01")
    np.testing.assert_array_equal(out, expected)


def test_cohort_key_tz_offset() -> None:
    out = cohort_key(["a", "a"], ["2024-04-30T23:00", "2024-06-01"], "M", tz_offset_hours=2)
    np.testing.assert_array_equal(out, ns("2024-05-01", "2024-05-01"))


def test_cohort_key_errors() -> None:
    with pytest.raises(ValueError, match=re.escape("ts has length 1 but customer_id has length 2")):
        cohort_key(["a", "b"], ["2024-01-01"], "M")
    with pytest.raises(ValueError, match=re.escape("ts[1] = NaT is NaT")):
        cohort_key(["a", "b"], ["2024-01-01", "NaT"], "M")
    with pytest.raises(ValueError, match=re.escape("customer_id[0] = None is missing")):
        cohort_key([None, "b"], ["2024-01-01", "2024-01-02"], "M")
    with pytest.raises(ValueError, match=r"^freq"):
        cohort_key(["a"], ["2024-01-01"], "Week")


# --------------------------------------------------------------------------- windows
TS = ns("2024-01-01", "2024-01-15", "2024-02-01", "NaT", "2023-12-31T23:59:59.999999999")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-01-01", "2024-02-01", [True, True, False, False, False]),
        (None, "2024-02-01", [True, True, False, False, True]),
        ("2024-01-01", None, [True, True, True, False, False]),
        (None, None, [True, True, True, False, True]),
        ("2024-01-15", "2024-01-15", [False, False, False, False, False]),
        ("2024-01-15", "2024-01-15T00:00:00.000000001", [False, True, False, False, False]),
    ],
)
def test_in_window_half_open(start: str | None, end: str | None, expected: list[bool]) -> None:
    s = None if start is None else t(start)
    e = None if end is None else t(end)
    assert in_window(TS, s, e).tolist() == expected


def test_default_as_of_one_ns_after_latest_over_all_arrays() -> None:
    created = ns("2024-01-01", "2024-03-01T10:00", "NaT")
    closed = ns("NaT", "2024-03-05T08:00", "2024-02-01")
    out = default_as_of(created, closed)
    assert out == t("2024-03-05T08:00:00.000000001")
    assert default_as_of(closed, created) == out
    assert default_as_of(created) == t("2024-03-01T10:00:00.000000001")


def test_default_as_of_none_when_nothing_happened() -> None:
    assert default_as_of() is None
    assert default_as_of(ns()) is None
    assert default_as_of(ns("NaT", "NaT"), ns()) is None


def test_default_as_of_window_includes_latest_event() -> None:
    ts = ns("2024-01-01", "2024-01-31T23:59")
    as_of = default_as_of(ts)
    assert as_of is not None
    assert in_window(ts, as_of - np.timedelta64(1, "D"), as_of).tolist() == [False, True]


def test_open_at() -> None:
    created = ns("2024-01-01", "2024-01-01", "2024-01-01", "2024-02-01", "2024-01-01", "2024-01-15")
    closed = ns("NaT", "2024-01-10", "2024-01-15", "NaT", "2024-01-20", "NaT")
    # open: never closed; closed before; closed exactly at as_of (not open); created after;
    # closed after; created exactly at as_of (open)
    out = open_at(created, closed, t("2024-01-15"))
    assert out.tolist() == [True, False, False, False, True, True]


def test_window_helpers_do_not_mutate() -> None:
    ts = TS.copy()
    in_window(ts, t("2024-01-01"), None)
    open_at(ts, ts, t("2024-01-01"))
    default_as_of(ts)
    np.testing.assert_array_equal(ts, TS)


def _groups(codes: list[int] | np.ndarray, n_groups: int) -> Groups:
    codes = np.asarray(codes, dtype=np.int64)
    return Groups(codes=codes, n_groups=n_groups, n_records=len(codes), keys=np.arange(n_groups))


def test_min_max_of_datetimes_ignore_nat() -> None:
    ts = np.array(["2024-01-05", "NaT", "2024-01-01", "NaT", "NaT"], dtype="datetime64[ns]")
    g = _groups([0, 0, 0, 1, 2], 3)
    np.testing.assert_array_equal(
        g.min(ts), np.array(["2024-01-01", "NaT", "NaT"], dtype="datetime64[ns]")
    )
    np.testing.assert_array_equal(
        g.max(ts), np.array(["2024-01-05", "NaT", "NaT"], dtype="datetime64[ns]")
    )
    whole = Groups(codes=None, n_groups=1, n_records=5)
    assert whole.min(ts)[0] == np.datetime64("2024-01-01")
    assert whole.max(ts)[0] == np.datetime64("2024-01-05")


def test_min_max_of_timedeltas_and_booleans() -> None:
    g = _groups([0, 1, 1], 2)
    td = np.array([5, 3, 9], dtype="timedelta64[s]")
    np.testing.assert_array_equal(g.max(td), np.array([5, 9], dtype="timedelta64[s]"))
    np.testing.assert_array_equal(g.min(np.array([True, False, True])), [True, False])
    np.testing.assert_array_equal(g.max(np.array([False, False, True])), [False, True])


@pytest.mark.parametrize("n_groups", [1, 3, 70_000])
def test_median_matches_numpy_per_group(n_groups: int) -> None:
    """Many groups take two 16-bit radix passes; compare with np.median group by group."""
    rng = np.random.default_rng(7)
    n = 3 * n_groups + 11
    codes = np.concatenate([np.arange(n_groups), rng.integers(0, n_groups, n - n_groups)])
    values = rng.normal(size=n)
    got = _groups(codes, n_groups).median(values)
    probe = rng.choice(n_groups, size=min(n_groups, 200), replace=False)
    expected = [np.median(values[codes == k]) for k in probe]
    np.testing.assert_array_equal(got[probe], expected)


def test_median_with_no_groups_terminates() -> None:
    empty = Groups(codes=np.zeros(0, dtype=np.int64), n_groups=0, n_records=0, keys=np.arange(0))
    assert empty.median(np.zeros(0)).shape == (0,)


def test_midnight_datetime_keys_are_counted_not_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    """period_key labels take the counting path; NaT stays one group, sorted last."""
    keys = np.array(
        ["1970-03-01", "NaT", "1969-12-01", "1970-03-01", "NaT", "1970-01-01"],
        dtype="datetime64[ns]",
    )

    def no_sort(*args: object, **kwargs: object) -> None:
        raise AssertionError("np.unique must not be called")

    monkeypatch.setattr(np, "unique", no_sort)
    uniq, codes, n = factorize(keys)
    assert n == 4
    np.testing.assert_array_equal(
        uniq, np.array(["1969-12-01", "1970-01-01", "1970-03-01", "NaT"], dtype="datetime64[ns]")
    )
    np.testing.assert_array_equal(codes, [2, 3, 0, 2, 3, 1])


def test_intraday_datetime_keys_still_group_exactly() -> None:
    keys = np.array(["2024-01-01T10:00", "NaT", "2024-01-01T09:00"], dtype="datetime64[ns]")
    _, codes, n = factorize(keys)
    assert n == 3
    np.testing.assert_array_equal(codes, [1, 2, 0])


# --------------------------------------------------------------------------- named results
def test_grouped_results_are_named_after_the_metric_and_the_by_columns() -> None:
    agent = pd.Series(["a", "a", "b", "b"], name="agent")
    g = cm.nps([10, 9, 7, 3], by=agent)
    assert g.name == "nps"
    assert g.key_names == ("agent",)
    series = g.to_pandas()
    assert series.name == "nps"
    assert series.index.name == "agent"
    unnamed = cm.nps([10, 9, 7, 3], by=["a", "a", "b", "b"])
    assert unnamed.to_pandas().index.name == "key"
    multi = cm.csat(
        [5, 4, 1, 2], by=(["w", "w", "p", "p"], pl.Series("agent", ["a", "b", "a", "b"]))
    )
    assert multi.to_pandas().index.names == ["key_0", "agent"]


def test_grouped_to_polars_and_to_arrow_hold_keys_then_values() -> None:
    g = cm.nps([10, 9, 7, 3], by=pd.Series(["a", "a", "b", "b"], name="agent"))
    frame = g.to_polars()
    assert frame.columns == ["agent", "nps"]
    assert frame["nps"].to_list() == [100.0, -50.0]
    table = g.to_arrow()
    assert table.column_names == ["agent", "nps"]
    assert table.column("agent").to_pylist() == ["a", "b"]
    rows = cm.nps_breakdown([10, 9, 7, 3], by=["a", "a", "b", "b"]).to_polars()
    assert rows.columns == ["key", "promoters", "passives", "detractors"]
    when = cm.ticket_volume(
        ns("2024-01-05", "2024-02-05"), by=cm.period_key(ns("2024-01-05", "2024-02-05"), "M")
    )
    assert when.to_arrow().column("key").type == pa.timestamp("ns")


def test_grouped_item_access_by_key() -> None:
    g = cm.nps([10, 9, 7, 3], by=(["w", "w", "p", "p"], ["a", "b", "a", "b"]))
    assert g[("w", "a")] == 100.0
    assert g[("p", "b")] == -100.0
    with pytest.raises(KeyError, match="no group"):
        g[("x", "y")]
    single = cm.nps_breakdown([10, 9, 7, 3], by=["a", "a", "b", "b"])
    assert single["b"] == {"promoters": 0.0, "passives": 0.5, "detractors": 0.5}


def test_the_outermost_metric_names_the_result() -> None:
    # a metric built on another public metric is named after itself
    g = cm.csat_mean([5, 4, 1], by=["a", "a", "b"])
    assert g.name == "csat_mean"

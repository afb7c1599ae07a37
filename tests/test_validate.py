"""Hand-computed unit tests for crm_metrics._validate (rules, messages, the decorator)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from crm_metrics._validate import (
    Count,
    Flag,
    Frequency,
    Instant,
    Keys,
    MeanScore,
    Money,
    Option,
    Real,
    Rule,
    Scale,
    Scores,
    Timestamps,
    TzOffset,
    rules_of,
    validated,
)

NONE: dict[str, Any] = {}


def ns(*values: str) -> np.ndarray:
    """datetime64[ns] array from ISO strings (expected values)."""
    return np.array(values, dtype="datetime64[ns]")


# --------------------------------------------------------------------------- input kinds
ARRAY_KINDS = {
    "list": lambda v: list(v),
    "tuple": lambda v: tuple(v),
    "numpy": lambda v: np.array(v),
    "pandas": lambda v: pd.Series(v),
    "polars": lambda v: pl.Series(v),
}


@pytest.mark.parametrize("kind", sorted(ARRAY_KINDS))
def test_real_accepts_every_array_kind(kind: str) -> None:
    out = Real().coerce("x", ARRAY_KINDS[kind]([1, 2, 3]), NONE)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("kind", sorted(ARRAY_KINDS))
def test_event_count_accepts_every_array_kind_as_int64(kind: str) -> None:
    out = Count(event=True).coerce("n", ARRAY_KINDS[kind]([3, 0, 2]), NONE)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [3, 0, 2])


@pytest.mark.parametrize("kind", sorted(ARRAY_KINDS))
def test_timestamps_accept_iso_strings_in_every_array_kind(kind: str) -> None:
    out = Timestamps().coerce("ts", ARRAY_KINDS[kind](["2024-01-31", "2024-02-01T06:30"]), NONE)
    assert out.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(out, ns("2024-01-31T00:00", "2024-02-01T06:30"))


@pytest.mark.parametrize("kind", sorted(ARRAY_KINDS))
def test_keys_accept_every_array_kind(kind: str) -> None:
    out = Keys().coerce("by", ARRAY_KINDS[kind](["b", "a", "b"]), NONE)
    assert out.tolist() == ["b", "a", "b"]


# --------------------------------------------------------------------------- Real
def test_real_keeps_nan_and_shape_and_refuses_infinities() -> None:
    out = Real().coerce("x", [[1.5, np.nan], [2.0, -3.0]], NONE)
    assert out.shape == (2, 2)
    assert out[0, 0] == 1.5
    assert np.isnan(out[0, 1])
    with pytest.raises(ValueError, match=re.escape("x[1, 1] = -inf is infinite")):
        Real().coerce("x", [[1.5, np.nan], [2.0, -np.inf]], NONE)


def test_real_scalar_is_0d_float64() -> None:
    out = Real().coerce("x", 7, NONE)
    assert out.shape == ()
    assert out.dtype == np.float64
    assert float(out) == 7.0


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        ["1", "2"],
        [True, False],
        True,
        np.array([True]),
        pd.Series([True, False]),
        pd.Series([True, None], dtype="boolean"),
        pl.Series([True, False]),
        {"a": 1},
        {1, 2},
        None,
        np.array(["2024-01-01"], dtype="datetime64[D]"),
        [[1, 2], [3]],
    ],
    ids=[
        "str",
        "str-list",
        "bool-list",
        "bool",
        "bool-numpy",
        "bool-pandas",
        "bool-pandas-nullable",
        "bool-polars",
        "dict",
        "set",
        "None",
        "datetime",
        "ragged",
    ],
)
def test_real_refuses_wrong_kinds_with_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^x[ []"):
        Real().coerce("x", value, NONE)


def test_real_string_message_names_dtype() -> None:
    with pytest.raises(TypeError, match=r"x must be numeric, got dtype <U3"):
        Real().coerce("x", ["abc"], NONE)


def test_real_none_message() -> None:
    with pytest.raises(TypeError, match=r"^x is required, got None$"):
        Real().coerce("x", None, NONE)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.array([1.0, True], dtype=object), "x[1] = True is not a number"),
        (np.array([1.0, "2.5"], dtype=object), "x[1] = '2.5' is not a number"),
        (pd.Series([1, "2"], dtype=object), "x[1] = '2' is not a number"),
    ],
)
def test_real_object_arrays_refuse_booleans_and_strings(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        Real().coerce("x", value, NONE)


def test_real_object_array_of_numbers_is_accepted() -> None:
    out = Real().coerce("x", np.array([1, 2.5], dtype=object), NONE)
    np.testing.assert_array_equal(out, [1.0, 2.5])
    assert out.dtype == np.float64


# --------------------------------------------------------------------------- Count
def test_aggregate_count_is_float64_and_propagates_nan() -> None:
    out = Count().coerce("n", [3, 2.0, np.nan], NONE)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[:2], [3.0, 2.0])
    assert np.isnan(out[2])


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        ([1, 2, 3, -1], ValueError, "n[3] = -1.0 is negative; a count must be >= 0"),
        ([1, 2.5], ValueError, "n[1] = 2.5 is not a whole number; counts are whole"),
        ([0, np.inf], ValueError, "n[1] = inf is infinite; a count must be finite"),
        ([[1, 2], [-3, 4]], ValueError, "n[1, 0] = -3.0 is negative"),
        ([[1, 2], [3, 4.5]], ValueError, "n[1, 1] = 4.5 is not a whole number"),
        (-2, ValueError, "n = -2.0 is negative"),
        (["1", "2"], TypeError, "n must be numeric"),
        ([True, False], TypeError, "n must be numeric, got booleans"),
        ({"a": 1}, TypeError, "n must be array-like, got dict"),
    ],
)
def test_aggregate_count_refusals(value: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        Count().coerce("n", value, NONE)


def test_count_minimum_one() -> None:
    assert Count(minimum=1).coerce("contacts", [1, 4], NONE).tolist() == [1.0, 4.0]
    with pytest.raises(ValueError, match=re.escape("contacts[2] = 0.0 is below the minimum 1")):
        Count(minimum=1).coerce("contacts", [1, 4, 0], NONE)


def test_event_count_refuses_nan_at_its_position() -> None:
    with pytest.raises(ValueError, match=re.escape("n[2] = nan is NaN; record inputs may not")):
        Count(event=True).coerce("n", [1.0, 2.0, np.nan], NONE)


def test_event_count_refuses_pandas_nullable_na() -> None:
    value = pd.Series([1, 2, None, 4], dtype="Int64")
    with pytest.raises(ValueError, match=re.escape("n[2] = nan is NaN")):
        Count(event=True).coerce("n", value, NONE)


def test_event_count_accepts_pandas_nullable_without_na() -> None:
    out = Count(event=True).coerce("n", pd.Series([1, 2, 4], dtype="Int64"), NONE)
    assert out.dtype == np.int64
    assert out.tolist() == [1, 2, 4]


def test_event_count_refuses_polars_null() -> None:
    with pytest.raises(ValueError, match=re.escape("n[1] = nan is NaN")):
        Count(event=True).coerce("n", pl.Series([1, None, 3]), NONE)


def test_event_count_must_be_one_dimensional() -> None:
    with pytest.raises(ValueError, match=r"n must be one-dimensional .* got 2-d"):
        Count(event=True).coerce("n", [[1, 2]], NONE)
    with pytest.raises(ValueError, match=r"n must be one-dimensional .* got 0-d"):
        Count(event=True).coerce("n", 3, NONE)


def test_event_count_too_large_for_int64_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("n[1] = 1e+20 is too large for an int64")):
        Count(event=True).coerce("n", [1.0, 1e20], NONE)


def test_count_le_accepts_equal_and_smaller() -> None:
    done = {"surveys_sent": np.array([4.0, 5.0, 0.0])}
    out = Count(le="surveys_sent").coerce("responses", [4, 1, 0], done)
    np.testing.assert_array_equal(out, [4.0, 1.0, 0.0])


def test_count_le_message_names_both_arguments_and_position() -> None:
    done = {"surveys_sent": np.array([10.0, 4.0, 2.0])}
    expected = (
        "responses[1] = 5.0 exceeds surveys_sent[1] = 4.0; responses is a subset of surveys_sent"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        Count(le="surveys_sent").coerce("responses", [3, 5, 9], done)


def test_count_le_2d_position() -> None:
    done = {"start": np.array([[5.0, 5.0], [2.0, 9.0]])}
    with pytest.raises(
        ValueError, match=re.escape("churned[1, 0] = 3.0 exceeds start[1, 0] = 2.0")
    ):
        Count(le="start").coerce("churned", [[1, 2], [3, 4]], done)


def test_count_le_broadcasts_against_scalar_base() -> None:
    done = {"start": np.asarray(3.0)}
    np.testing.assert_array_equal(Count(le="start").coerce("c", [0, 3], done), [0.0, 3.0])
    with pytest.raises(ValueError, match=re.escape("c[2] = 4.0 exceeds start[2] = 3.0")):
        Count(le="start").coerce("c", [0, 3, 4], done)


def test_count_le_nan_is_not_a_violation() -> None:
    done = {"base": np.array([np.nan, 2.0])}
    out = Count(le="base").coerce("sub", [5.0, np.nan], done)
    assert out[0] == 5.0
    assert np.isnan(out[1])


def test_count_le_non_broadcasting_shapes() -> None:
    done = {"base": np.array([3.0, 4.0])}
    with pytest.raises(ValueError, match=r"sub \(shape \(3,\)\) and base \(shape \(2,\)\)"):
        Count(le="base").coerce("sub", [1, 2, 3], done)


# --------------------------------------------------------------------------- Money
def test_money_unsigned_refuses_negative_at_position() -> None:
    with pytest.raises(ValueError, match=re.escape("amount[2] = -0.5 is negative; this amount")):
        Money().coerce("amount", [10.0, 0.0, -0.5, -3.0], NONE)


def test_money_signed_accepts_negative() -> None:
    out = Money(signed=True).coerce("margin", [-2.5, 0.0, 4.0], NONE)
    np.testing.assert_array_equal(out, [-2.5, 0.0, 4.0])


@pytest.mark.parametrize("signed", [False, True])
def test_money_refuses_infinity(signed: bool) -> None:
    with pytest.raises(
        ValueError, match=re.escape("m[1] = -inf is infinite; money must be finite")
    ):
        Money(signed=signed).coerce("m", [1.0, -np.inf], NONE)


def test_money_aggregate_nan_propagates_event_nan_refused() -> None:
    out = Money().coerce("m", [1.0, np.nan], NONE)
    assert np.isnan(out[1])
    with pytest.raises(ValueError, match=re.escape("m[1] = nan is NaN; record inputs")):
        Money(event=True).coerce("m", [1.0, np.nan], NONE)


def test_money_refuses_strings() -> None:
    with pytest.raises(TypeError, match="m must be numeric"):
        Money().coerce("m", ["10 EUR"], NONE)


# --------------------------------------------------------------------------- Scale
@pytest.mark.parametrize("value", [(1, 5), [1, 5], (np.int64(1), np.int32(5))])
def test_scale_accepts_integer_pairs(value: Any) -> None:
    out = Scale().coerce("scale", value, NONE)
    assert out == (1, 5)
    assert all(type(v) is int for v in out)


@pytest.mark.parametrize(
    "value", [(1.0, 5.0), (True, 5), "1..5", (1, 2, 3), (1,), 5, None], ids=repr
)
def test_scale_wrong_kind_is_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match=r"scale must be a pair of integers \(lo, hi\)"):
        Scale().coerce("scale", value, NONE)


def test_scale_reversed_or_empty_is_value_error() -> None:
    with pytest.raises(
        ValueError, match=re.escape("scale = (5, 1) is not a valid scale; it needs hi > lo")
    ):
        Scale().coerce("scale", (5, 1), NONE)
    with pytest.raises(ValueError, match=re.escape("scale = (3, 3) is not a valid scale")):
        Scale().coerce("scale", (3, 3), NONE)


def test_scale_min_span() -> None:
    assert Scale(min_span=2).coerce("scale", (1, 3), NONE) == (1, 3)
    with pytest.raises(
        ValueError, match=re.escape("scale = (1, 2) is not a valid scale; it needs hi - lo >= 2")
    ):
        Scale(min_span=2).coerce("scale", (1, 2), NONE)


# --------------------------------------------------------------------------- Scores
def test_scores_on_fixed_scale_are_int64() -> None:
    out = Scores(scale=(0, 10)).coerce("scores", [0, 10.0, 7], NONE)
    assert out.dtype == np.int64
    assert out.tolist() == [0, 10, 7]


def test_scores_read_the_named_scale_argument() -> None:
    out = Scores().coerce("scores", [1, 5], {"scale": (1, 5)})
    assert out.tolist() == [1, 5]
    with pytest.raises(ValueError, match=re.escape("scores[0] = 0 is outside the scale 1..5")):
        Scores().coerce("scores", [0, 5], {"scale": (1, 5)})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([9, 10, 3, 11, 12], "scores[3] = 11 is outside the scale 0..10"),
        (np.array([9, 10, 3, 11], dtype=np.int16), "scores[3] = 11 is outside the scale 0..10"),
        ([9.0, -1.0], "scores[1] = -1.0 is outside the scale 0..10"),
        ([9, 2.5, 3], "scores[1] = 2.5 is not a whole number"),
        ([9, np.nan], "scores[1] = nan is NaN; survey scores may not be missing"),
        (pd.Series([9, None], dtype="Int64"), "scores[1] = nan is NaN"),
        ([[1, 2]], "scores must be one-dimensional"),
    ],
)
def test_scores_domain_errors(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Scores(scale=(0, 10)).coerce("scores", value, NONE)


@pytest.mark.parametrize("value", [["9", "10"], [True, False], "9"], ids=repr)
def test_scores_wrong_kind(value: Any) -> None:
    with pytest.raises(TypeError, match="scores must be numeric"):
        Scores(scale=(0, 10)).coerce("scores", value, NONE)


# --------------------------------------------------------------------------- MeanScore
def test_mean_score_bounds_and_nan() -> None:
    out = MeanScore().coerce("mean", [1.0, 4.5, 5.0, np.nan], {"scale": (1, 5)})
    np.testing.assert_array_equal(out[:3], [1.0, 4.5, 5.0])
    assert np.isnan(out[3])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([3.0, 5.5], "mean[1] = 5.5 is outside the scale 1..5"),
        ([0.99], "mean[0] = 0.99 is outside the scale 1..5"),
        ([2.0, np.inf], "mean[1] = inf is outside the scale 1..5"),
        (6, "mean = 6.0 is outside the scale 1..5"),
    ],
)
def test_mean_score_outside_scale(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        MeanScore().coerce("mean", value, {"scale": (1, 5)})


# --------------------------------------------------------------------------- Flag, Option
@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), (np.True_, True)])
def test_flag_accepts_booleans(value: Any, expected: bool) -> None:
    out = Flag().coerce("lifetime", value, NONE)
    assert out is expected


@pytest.mark.parametrize("value", ["yes", 1, 0, None, np.array([True])], ids=repr)
def test_flag_refuses_non_booleans(value: Any) -> None:
    with pytest.raises(TypeError, match="lifetime must be True or False"):
        Flag().coerce("lifetime", value, NONE)


def test_flag_only_refuses_the_other_value_with_reason() -> None:
    rule = Flag(only=False, reason="not implemented in v1")
    assert rule.coerce("exact", False, NONE) is False
    with pytest.raises(
        ValueError, match=re.escape("exact = True is not supported: not implemented in v1")
    ):
        rule.coerce("exact", True, NONE)


def test_option() -> None:
    rule = Option(choices=("mean", "median"))
    assert rule.coerce("stat", "median", NONE) == "median"
    with pytest.raises(
        ValueError,
        match=re.escape("stat = 'mode' is not a known option; use one of 'mean', 'median'"),
    ):
        rule.coerce("stat", "mode", NONE)
    with pytest.raises(TypeError, match="stat must be a string, one of 'mean', 'median'; got 3"):
        rule.coerce("stat", 3, NONE)


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y"])
def test_frequency_accepts_the_five(freq: str) -> None:
    assert Frequency().coerce("freq", freq, NONE) == freq


@pytest.mark.parametrize("freq", ["m", "month", "A", "H", ""])
def test_frequency_refuses_others(freq: str) -> None:
    with pytest.raises(ValueError, match=r"^freq = .* is not a known option"):
        Frequency().coerce("freq", freq, NONE)


# --------------------------------------------------------------------------- Keys
def test_keys_none_is_allowed_when_optional_only() -> None:
    assert Keys().coerce("by", None, NONE) is None
    with pytest.raises(TypeError, match="customer_id is required, got None"):
        Keys(optional=False).coerce("customer_id", None, NONE)


@pytest.mark.parametrize(
    "value",
    [
        [3, 1, 3],
        [True, False],
        [0.5, 2.5],
        ["a", "b"],
        np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]"),
        np.array([(1, "x"), (2, "y")], dtype=object)[:, 1],
    ],
    ids=["int", "bool", "float", "str", "datetime-with-NaT", "object"],
)
def test_keys_accept_sortable_kinds_unchanged(value: Any) -> None:
    out = Keys().coerce("by", value, NONE)
    np.testing.assert_array_equal(out, np.asarray(value))


def test_keys_multi_key_tuple_becomes_tuple_of_arrays() -> None:
    out = Keys().coerce("by", (["a", "b", "a"], np.array([1, 2, 1])), NONE)
    assert isinstance(out, tuple)
    assert len(out) == 2
    assert out[0].tolist() == ["a", "b", "a"]
    assert out[1].tolist() == [1, 2, 1]


def test_keys_tuple_of_scalars_is_one_key_array() -> None:
    out = Keys().coerce("by", ("a", "b", "a"), NONE)
    assert isinstance(out, np.ndarray)
    assert out.tolist() == ["a", "b", "a"]


def test_keys_multi_false_does_not_split_a_tuple() -> None:
    with pytest.raises(ValueError, match="customer_id must be one-dimensional"):
        Keys(multi=False).coerce("customer_id", ([1, 2], [3, 4]), NONE)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1.0, np.nan, 2.0], "by[1] = nan is NaN; group keys may not be missing"),
        (["a", "b", None], "by[2] = None is missing; group keys may not be None or NaN"),
        (np.array(["a", np.nan], dtype=object), "by[1] = nan is missing"),
        (pd.Series(["a", None, "c"], dtype="string"), "by[1] = None is missing"),
        (pd.Series(["a", "b", None]), "by[2] = None is missing"),
        (pd.Series([1, None], dtype="Int64"), "by[1] = nan is NaN"),
        (pl.Series(["a", None]), "by[1] = None is missing"),
        ((["a", "b", "c"], [1.0, 2.0, np.nan]), "by[1][2] = nan is NaN"),
        ([[1, 2], [3, 4]], "by must be one-dimensional"),
        ("abc", "by must be one-dimensional"),
    ],
    ids=[
        "float-nan",
        "None",
        "object-nan",
        "pandas-string-NA",
        "pandas-str-None",
        "pandas-Int64-NA",
        "polars-null",
        "multi-key-nan",
        "2-d",
        "scalar",
    ],
)
def test_keys_missing_and_shape_errors(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Keys().coerce("by", value, NONE)


def test_keys_multi_key_parts_must_have_equal_lengths() -> None:
    message = "by[1] has length 2 but by[0] has length 3; record arrays must have equal lengths"
    with pytest.raises(ValueError, match=re.escape(message)):
        Keys().coerce("by", ([1, 2, 3], ["a", "b"]), NONE)


def test_keys_complex_is_type_error() -> None:
    with pytest.raises(TypeError, match="by must hold sortable keys, got dtype complex128"):
        Keys().coerce("by", np.array([1 + 2j]), NONE)


# --------------------------------------------------------------------------- Timestamps
def test_timestamps_from_iso_strings_with_time_and_fraction() -> None:
    out = Timestamps().coerce("ts", ["2014-12-31", "2015-01-01T23:59:59.5"], NONE)
    np.testing.assert_array_equal(out, ns("2014-12-31T00:00", "2015-01-01T23:59:59.5"))


def test_timestamps_refuse_us_format_naming_first_position() -> None:
    value = ["2014-12-29", "2014-12-30", "2014-12-31", "12/31/2014", "01/01/2015"]
    message = "ts[3] = '12/31/2014' is not an ISO-8601 timestamp"
    with pytest.raises(ValueError, match=re.escape(message)):
        Timestamps().coerce("ts", value, NONE)


def test_timestamps_bad_string_at_position_zero() -> None:
    with pytest.raises(ValueError, match=re.escape("opened_at[0] = 'yesterday' is not an ISO")):
        Timestamps().coerce("opened_at", ["yesterday", "2024-01-01"], NONE)


def test_timestamps_nat_rules() -> None:
    value = ["2024-01-01", "NaT", "2024-01-03"]
    with pytest.raises(
        ValueError, match=re.escape("ts[1] = NaT is NaT; this timestamp must be set")
    ):
        Timestamps().coerce("ts", value, NONE)
    out = Timestamps(nat_ok=True).coerce("ts", value, NONE)
    assert np.isnat(out).tolist() == [False, True, False]
    out = Timestamps(nat_ok=True).coerce("ts", np.array(value, dtype="datetime64[s]"), NONE)
    assert np.isnat(out).tolist() == [False, True, False]


def test_timestamps_missing_markers_are_nat() -> None:
    # None, NaN and pandas' NA in text or object input are the container's missing value
    out = Timestamps(nat_ok=True).coerce("ts", ["2024-01-01", None, float("nan")], NONE)
    np.testing.assert_array_equal(np.isnat(out), [False, True, True])
    with pytest.raises(ValueError, match=re.escape("ts[1] = NaT is NaT; this timestamp")):
        Timestamps().coerce("ts", ["2024-01-01", None], NONE)


def test_timestamps_coarser_units_are_converted_to_ns() -> None:
    out = Timestamps().coerce(
        "ts", np.array(["2024-03-01", "1900-01-01"], dtype="datetime64[D]"), NONE
    )
    assert out.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(out, ns("2024-03-01", "1900-01-01"))


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("3000-01-01", "D", "3000-01-01"),
        ("1600-06-01", "D", "1600-06-01"),
        ("2262-04-12", "D", "2262-04-12"),
        ("1677-09-21", "D", "1677-09-21"),
        ("2263", "Y", "2263"),
        ("1677-09", "M", "1677-09"),
        ("2262-04-11T23:47:17", "s", "2262-04-11T23:47:17"),
    ],
)
def test_timestamps_beyond_the_ns_range_are_refused(value: str, unit: str, shown: str) -> None:
    arr = np.array(["2000-01-01", value], dtype=f"datetime64[{unit}]")
    with pytest.raises(
        ValueError, match=re.escape(f"ts[1] = {shown} is outside the datetime64[ns] range")
    ):
        Timestamps().coerce("ts", arr, NONE)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("1677-09-22", "D"),
        ("2262-04-11", "D"),
        ("1678", "Y"),
        ("2262", "Y"),
        ("1677-10", "M"),
        ("2262-04", "M"),
        ("2262-04-11T23:47:16", "s"),
    ],
)
def test_timestamps_at_the_edges_of_the_ns_range_are_kept(value: str, unit: str) -> None:
    out = Timestamps().coerce("ts", np.array([value], dtype=f"datetime64[{unit}]"), NONE)
    assert out[0] == np.datetime64(value, unit)


def test_timestamps_tz_aware_pandas_series_becomes_naive_utc() -> None:
    local = pd.Series(pd.to_datetime(["2024-01-15 01:00", "2024-07-15 12:00"]))
    aware = local.dt.tz_localize("Europe/Paris")  # UTC+1 in winter, UTC+2 in summer
    before = aware.copy()
    out = Timestamps().coerce("ts", aware, NONE)
    np.testing.assert_array_equal(out, ns("2024-01-15T00:00", "2024-07-15T10:00"))
    pd.testing.assert_series_equal(aware, before)


def test_timestamps_tz_aware_pandas_index_becomes_naive_utc() -> None:
    aware = pd.DatetimeIndex(["2024-03-01 09:00"]).tz_localize("America/New_York")  # UTC-5
    out = Timestamps().coerce("ts", aware, NONE)
    np.testing.assert_array_equal(out, ns("2024-03-01T14:00"))


def test_timestamps_from_python_datetimes_and_polars() -> None:
    out = Timestamps().coerce("ts", [dt.datetime(2024, 1, 1, 5, 30), dt.date(2024, 1, 2)], NONE)
    np.testing.assert_array_equal(out, ns("2024-01-01T05:30", "2024-01-02"))
    out = Timestamps().coerce("ts", pl.Series([dt.datetime(2024, 1, 1, 12)]), NONE)
    np.testing.assert_array_equal(out, ns("2024-01-01T12:00"))


@pytest.mark.parametrize(
    "value",
    [
        [1, 2, 3],
        np.arange(3),
        [1.5e18],
        [True, False],
        np.array([1], dtype="timedelta64[s]"),
        np.array([1_700_000_000, 1_700_000_001], dtype=object),
        pd.Series([1_700_000_000]),
        pl.Series([1_700_000_000]),
    ],
    ids=["int-list", "int-numpy", "float", "bool", "timedelta", "object-int", "pandas", "polars"],
)
def test_timestamps_refuse_numbers_with_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^ts.*unit would be a guess"):
        Timestamps().coerce("ts", value, NONE)


def test_timestamps_must_be_one_dimensional() -> None:
    with pytest.raises(ValueError, match="ts must be one-dimensional"):
        Timestamps().coerce("ts", [["2024-01-01"]], NONE)


# --------------------------------------------------------------------------- Instant
@pytest.mark.parametrize(
    "value",
    [
        "2024-01-31T12:00",
        np.datetime64("2024-01-31T12:00", "m"),
        dt.datetime(2024, 1, 31, 12),
        pd.Timestamp("2024-01-31 12:00"),
        pd.Timestamp("2024-01-31 13:00", tz="Europe/Paris"),
    ],
    ids=["iso", "numpy-minutes", "datetime", "pandas", "pandas-tz"],
)
def test_instant_coerces_to_ns_scalar(value: Any) -> None:
    out = Instant().coerce("start", value, NONE)
    assert isinstance(out, np.datetime64)
    assert out.dtype == np.dtype("datetime64[ns]")
    assert out == np.datetime64("2024-01-31T12:00", "ns")


def test_instant_none() -> None:
    assert Instant().coerce("start", None, NONE) is None
    with pytest.raises(TypeError, match="as_of is required, got None"):
        Instant(optional=False).coerce("as_of", None, NONE)


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        ("12/31/2014", ValueError, "start = '12/31/2014' is not an ISO-8601 timestamp"),
        ("NaT", ValueError, "start is NaT; give a timestamp or None"),
        (np.datetime64("NaT"), ValueError, "start is NaT"),
        (["2020-01-01", "2020-01-02"], ValueError, "start must be a single timestamp"),
        (5, TypeError, "start must be datetime64 values or ISO-8601 strings"),
        (1.5, TypeError, "start must be datetime64"),
        (np.datetime64("3000-01-01", "D"), ValueError, "start = 3000-01-01 is outside"),
    ],
)
def test_instant_refusals(value: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        Instant().coerce("start", value, NONE)


# --------------------------------------------------------------------------- no mutation
@pytest.mark.parametrize(
    ("rule", "value", "done"),
    [
        (Real(), np.array([1.0, np.nan, 3.0]), NONE),
        (Count(event=True), np.array([1.0, 2.0]), NONE),
        (Count(le="base"), np.array([1, 2]), {"base": np.array([3.0, 3.0])}),
        (Money(), np.array([1, 2], dtype=np.int32), NONE),
        (Scores(scale=(0, 10)), np.array([9.0, 10.0]), NONE),
        (Keys(), np.array(["b", "a"]), NONE),
        (Timestamps(), np.array(["2024-01-02", "2024-01-01"]), NONE),
        (Timestamps(), np.array(["2024-01-02"], dtype="datetime64[D]"), NONE),
        (Real(), [1, 2, 3], NONE),
        (Count(event=True), pd.Series([1, 2], dtype="Int64"), NONE),
        (Timestamps(), pd.Series(["2024-01-01"]), NONE),
    ],
)
def test_coercion_never_mutates_input(rule: Rule, value: Any, done: dict[str, Any]) -> None:
    if isinstance(value, pd.Series):
        before: Any = value.copy()
    elif isinstance(value, np.ndarray):
        before = value.copy()
    else:
        before = list(value)
    rule.coerce("x", value, done)
    if isinstance(value, pd.Series):
        pd.testing.assert_series_equal(value, before)
    elif isinstance(value, np.ndarray):
        assert value.dtype == before.dtype
        np.testing.assert_array_equal(value, before)
    else:
        assert value == before


# --------------------------------------------------------------------------- bad_values
@pytest.mark.parametrize(
    ("rule", "valid", "done"),
    [
        (Real(), [1.0, 2.0], NONE),
        (Count(), [1.0, 2.0], NONE),
        (Count(event=True), [1, 2], NONE),
        (Count(le="base"), [1.0, 2.0], {"base": np.array([3.0, 3.0])}),
        (Money(), [1.0], NONE),
        (Money(signed=True), [-1.0], NONE),
        (Scale(), (1, 5), NONE),
        (Scores(), [1, 5], {"scale": (1, 5)}),
        (MeanScore(), [2.5], {"scale": (1, 5)}),
        (Flag(only=True, reason="r"), True, NONE),
        (Option(choices=("a",)), "a", NONE),
        (Frequency(), "M", NONE),
        (Timestamps(), ["2024-01-01", "2024-01-02"], NONE),
        (Instant(), "2024-01-01", NONE),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Rule) else "",
)
def test_every_declared_bad_value_is_refused(rule: Rule, valid: Any, done: dict[str, Any]) -> None:
    # (Keys is left out: its "one key too many" is refused by the decorator's length check)
    rule.coerce("arg", valid, done)  # the valid value passes
    bad = list(rule.bad_values(valid, done))
    assert bad
    for value in bad:
        with pytest.raises((ValueError, TypeError)):
            rule.coerce("arg", value, done)


# --------------------------------------------------------------------------- the decorator
@validated(surveys_sent=Count(), responses=Count(le="surveys_sent"))
def _rate(surveys_sent: Any, responses: Any) -> tuple[Any, Any]:
    """Return the coerced arguments."""
    return surveys_sent, responses


@validated(ts=Timestamps(), amount=Money(event=True), start=Instant(), by=Keys())
def _events(ts: Any, amount: Any, *, start: Any = None, by: Any = None) -> dict[str, Any]:
    """Return the coerced arguments."""
    return {"ts": ts, "amount": amount, "start": start, "by": by}


def _plain(x: Any) -> Any:
    return x


def test_validated_passes_coerced_values_to_the_body() -> None:
    out = _events(["2024-01-02"], [5], start="2024-01-01", by=["k"])
    assert out["ts"].dtype == np.dtype("datetime64[ns]")
    assert out["amount"].dtype == np.float64
    assert out["amount"].tolist() == [5.0]
    assert out["start"] == np.datetime64("2024-01-01", "ns")
    assert out["by"].tolist() == ["k"]


def test_validated_applies_defaults_and_keeps_metadata() -> None:
    out = _events(["2024-01-02"], [5])
    assert out["start"] is None
    assert out["by"] is None
    assert _events.__name__ == "_events"
    assert _events.__doc__ == "Return the coerced arguments."


def test_validated_positional_and_keyword_calls_agree() -> None:
    a = _rate(10, 4)
    b = _rate(responses=4, surveys_sent=10)
    assert (float(a[0]), float(a[1])) == (float(b[0]), float(b[1])) == (10.0, 4.0)


def test_validated_le_reads_the_earlier_argument() -> None:
    message = "responses = 11.0 exceeds surveys_sent = 10.0; responses is a subset of surveys_sent"
    with pytest.raises(ValueError, match=re.escape(message)):
        _rate(10, 11)


def test_validated_length_mismatch_names_the_later_argument() -> None:
    message = "amount has length 1 but ts has length 2; record arrays must have equal lengths"
    with pytest.raises(ValueError, match=re.escape(message)):
        _events(["2024-01-01", "2024-01-02"], [1.0])


def test_validated_length_mismatch_of_by() -> None:
    with pytest.raises(ValueError, match=re.escape("by has length 3 but ts has length 2")):
        _events(["2024-01-01", "2024-01-02"], [1.0, 2.0], by=["a", "b", "c"])
    with pytest.raises(ValueError, match=re.escape("by has length 1 but ts has length 2")):
        _events(["2024-01-01", "2024-01-02"], [1.0, 2.0], by=(["a"], [1]))


def test_keys_bad_values_are_refused_through_the_decorator() -> None:
    ts = ["2024-01-01", "2024-01-02"]
    for value in Keys().bad_values(["a", "b"], NONE):
        with pytest.raises((ValueError, TypeError)):
            _events(ts, [1.0, 2.0], by=value)


def test_validated_multi_key_by_of_the_right_length() -> None:
    out = _events(["2024-01-01", "2024-01-02"], [1.0, 2.0], by=(["a", "b"], [1, 1]))
    assert isinstance(out["by"], tuple)
    assert [part.tolist() for part in out["by"]] == [["a", "b"], [1, 1]]


def test_validated_broadcast_mismatch_names_an_argument() -> None:
    with pytest.raises(ValueError, match=r"^responses .*(shape|broadcast).*surveys_sent"):
        _rate([10, 10, 10], [1, 2])


@validated(a=Real(), b=Real(), c=Real())
def _three(a: Any, b: Any, c: Any) -> tuple[int, ...]:
    return np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))


def test_validated_broadcast_check_of_plain_reals() -> None:
    assert _three([[1.0], [2.0]], [1.0, 2.0, 3.0], 5.0) == (2, 3)
    message = "c has shape (2,), which does not broadcast with a (3,), b ()"
    with pytest.raises(ValueError, match=re.escape(message)):
        _three([1.0, 2.0, 3.0], 1.0, [1.0, 2.0])


def test_validated_errors_raise_before_the_body_runs() -> None:
    calls: list[int] = []

    @validated(x=Count())
    def body(x: Any) -> None:
        calls.append(1)

    with pytest.raises(ValueError, match=re.escape("x = -1.0 is negative")):
        body(-1)
    assert calls == []


def test_rules_of_returns_the_declared_rules() -> None:
    rules = rules_of(_events)
    assert list(rules) == ["ts", "amount", "start", "by"]
    assert rules["ts"] == Timestamps()
    assert rules["amount"] == Money(event=True)
    assert isinstance(rules["start"], Instant)
    assert rules_of(_rate)["responses"] == Count(le="surveys_sent")
    assert rules_of(_plain) == {}


def test_validated_refuses_rules_for_unknown_parameters() -> None:
    with pytest.raises(AssertionError, match="unknown parameters"):
        validated(nope=Real())(_plain)


def test_validated_does_not_mutate_arguments() -> None:
    sent = np.array([10, 20])
    resp = [4, 5]
    _rate(sent, resp)
    assert sent.dtype == np.int64
    assert sent.tolist() == [10, 20]
    assert resp == [4, 5]


@pytest.mark.parametrize("vague", ["today", "now", "", " Now "])
def test_wall_clock_and_empty_strings_are_not_timestamps(vague: str) -> None:
    rule = Timestamps(nat_ok=True)
    with pytest.raises(ValueError, match=r"ts\[1\] = .* is not a timestamp"):
        rule.coerce("ts", ["2024-01-01", vague], {})


def test_scale_accepts_a_numpy_pair() -> None:
    assert Scale().coerce("scale", np.array([1, 7]), {}) == (1, 7)


@pytest.mark.parametrize("bad", [[1, 2], np.array([3.0])])
def test_tz_offset_must_be_one_number(bad: object) -> None:
    with pytest.raises(ValueError, match="tz_offset_hours must be a single number"):
        TzOffset().coerce("tz_offset_hours", bad, {})


def test_an_empty_list_is_empty_timestamps() -> None:
    out = Timestamps().coerce("ts", [], {})
    assert out.dtype == np.dtype("datetime64[ns]")
    assert out.shape == (0,)

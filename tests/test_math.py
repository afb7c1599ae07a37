"""Hand-computed unit tests for crm_metrics._math (safe division, units, results)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crm_metrics
from crm_metrics._math import (
    DURATION_UNITS,
    as_result,
    ns_per_unit,
    safe_divide,
    to_percent,
    to_unit,
)


# --------------------------------------------------------------------------- safe_divide
def test_safe_divide_zero_denominators_give_nan_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = safe_divide([0.0, 5.0, -5.0, 3.0, 0.0], [0.0, 0.0, 0.0, -0.0, 2.0])
    assert out.dtype == np.float64
    assert np.isnan(out[:4]).all()
    assert out[4] == 0.0


def test_safe_divide_zero_denominator_never_gives_inf() -> None:
    out = safe_divide([1.0, np.inf, -np.inf], [0.0, 0.0, -0.0])
    assert np.isnan(out).all()


def test_safe_divide_overflow_is_nan_and_silent() -> None:
    # finite / subnormal overflows float64: undefined like x / 0, never inf (METRICS.md §0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = safe_divide([1e308, -1e308, 4.0, np.inf], [1e-308, 1e-308, 2.2e-308, 2.0])
    assert np.isnan(out[:3]).all()
    assert out[3] == np.inf  # an infinite aggregate input propagates


def test_safe_divide_ordinary_quotients() -> None:
    out = safe_divide([1, 3, 10], [4, 4, -8])
    np.testing.assert_array_equal(out, [0.25, 0.75, -1.25])


def test_safe_divide_nan_propagates() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = safe_divide([np.nan, 2.0, np.nan, np.inf], [2.0, np.nan, 0.0, np.inf])
    assert np.isnan(out).all()


def test_safe_divide_broadcasts() -> None:
    out = safe_divide([[1.0], [2.0], [0.0]], [1.0, 0.0, 4.0])
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out[:, 0], [1.0, 2.0, 0.0])
    assert np.isnan(out[:, 1]).all()
    np.testing.assert_array_equal(out[:, 2], [0.25, 0.5, 0.0])


def test_safe_divide_scalars_give_0d() -> None:
    out = safe_divide(3, 4)
    assert out.shape == ()
    assert float(out) == 0.75
    assert np.isnan(safe_divide(0, 0))


def test_safe_divide_does_not_mutate_inputs() -> None:
    num = np.array([1.0, 2.0])
    den = np.array([0.0, 4.0])
    safe_divide(num, den)
    np.testing.assert_array_equal(num, [1.0, 2.0])
    np.testing.assert_array_equal(den, [0.0, 4.0])


# --------------------------------------------------------------------------- units
def test_duration_unit_table() -> None:
    assert DURATION_UNITS == {
        "s": 10**9,
        "min": 60 * 10**9,
        "m": 60 * 10**9,
        "h": 3600 * 10**9,
        "D": 86400 * 10**9,
    }
    assert ns_per_unit("h") == 3_600_000_000_000
    assert ns_per_unit("m") == ns_per_unit("min")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("s", 5400.0), ("min", 90.0), ("m", 90.0), ("h", 1.5), ("D", 0.0625)],
)
def test_to_unit_ninety_minutes(unit: str, expected: float) -> None:
    ninety_minutes_ns = 90 * 60 * 10**9
    out = to_unit(np.array([ninety_minutes_ns, 0]), unit)
    assert out.dtype == np.float64
    assert out.tolist() == [expected, 0.0]


def test_to_unit_one_day_and_fractions() -> None:
    day = 86_400 * 10**9
    assert float(to_unit(day, "D")) == 1.0
    assert float(to_unit(day, "h")) == 24.0
    assert float(to_unit(1_500_000_000, "s")) == 1.5
    assert to_unit([30 * 10**9, 45 * 60 * 10**9], "min").tolist() == [0.5, 45.0]


# --------------------------------------------------------------------------- as_result
@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        (np.float64(2.5), 2.5, float),
        (np.asarray(2.5), 2.5, float),
        (np.int64(3), 3, int),
        (np.asarray(7, dtype=np.int32), 7, int),
        (1.25, 1.25, float),
    ],
)
def test_as_result_0d_is_a_python_scalar(value: Any, expected: Any, kind: type) -> None:
    out = as_result(value)
    assert type(out) is kind
    assert out == expected


def test_as_result_nan_0d_is_python_float_nan() -> None:
    out = as_result(np.asarray(np.nan))
    assert type(out) is float
    assert math.isnan(out)


def test_as_result_arrays_stay_arrays() -> None:
    arr = np.array([1.0, 2.0])
    out = as_result(arr)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [1.0, 2.0])
    single = as_result(np.array([4.0]))
    assert isinstance(single, np.ndarray)
    assert single.shape == (1,)
    ints = as_result([1, 2])
    assert isinstance(ints, np.ndarray)
    assert ints.dtype.kind == "i"


# --------------------------------------------------------------------------- to_percent
def test_to_percent_is_public() -> None:
    assert crm_metrics.to_percent is to_percent
    assert "to_percent" in crm_metrics.__all__


def test_to_percent_scalar_is_python_float() -> None:
    out = crm_metrics.to_percent(0.25)
    assert type(out) is float
    assert out == 25.0
    assert crm_metrics.to_percent(1) == 100.0
    assert crm_metrics.to_percent(-1.5) == -150.0


def test_to_percent_arrays() -> None:
    out = crm_metrics.to_percent([0.5, 1.0, 0.0])
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.tolist() == [50.0, 100.0, 0.0]
    out2 = crm_metrics.to_percent(np.array([[0.125], [0.75]]))
    assert out2.shape == (2, 1)
    assert out2.ravel().tolist() == [12.5, 75.0]
    series = crm_metrics.to_percent(pd.Series([0.2]))
    assert isinstance(series, np.ndarray)
    assert series.tolist() == [pytest.approx(20.0)]


def test_to_percent_nan_propagates() -> None:
    out = crm_metrics.to_percent([np.nan, 0.5])
    assert np.isnan(out[0])
    assert out[1] == 50.0
    assert math.isnan(crm_metrics.to_percent(float("nan")))


@pytest.mark.parametrize("value", ["0.5", ["a"], True, [True, False], None, {"a": 1}], ids=repr)
def test_to_percent_refuses_non_numbers(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^x"):
        crm_metrics.to_percent(value)


def test_to_percent_does_not_mutate_input() -> None:
    x = np.array([0.1, 0.2])
    crm_metrics.to_percent(x)
    assert x.tolist() == [0.1, 0.2]

"""Hand-computed cases for METRICS.md §6 (profitability and reporting), and its new rules."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import crm_metrics as cm
from crm_metrics._validate import Interval, Keys, Money, Unaligned, validated
from crm_metrics.finance import _erfc


# --------------------------------------------------------------------------- profit and margins
def test_profit_and_gross_profit() -> None:
    assert cm.profit(120_000, 95_000) == 25_000.0
    assert cm.profit(50, 80) == -30.0
    assert cm.gross_profit(120_000, 70_000) == 50_000.0
    np.testing.assert_array_equal(cm.profit([10, 20], 5), [5.0, 15.0])
    assert isinstance(cm.profit(1, 1), float)
    with pytest.raises(ValueError, match=r"total_costs = -1.0 is negative"):
        cm.profit(1, -1)


def test_margins() -> None:
    assert cm.gross_margin(120_000, 90_000) == 0.25
    assert cm.gross_margin(100, 150) == -0.5
    assert math.isnan(cm.gross_margin(0, 0))
    assert math.isnan(cm.gross_margin(0, 10))
    assert cm.net_margin(12_000, 120_000) == 0.1
    assert cm.net_margin(-6_000, 120_000) == -0.05
    assert math.isnan(cm.net_margin(-5, 0))
    with pytest.raises(ValueError, match=r"revenue = -1.0 is negative"):
        cm.net_margin(1, -1)


def test_roi_and_return_multiple() -> None:
    assert cm.roi(100_000, 40_000) == 1.5
    assert cm.return_multiple(100_000, 40_000) == 2.5
    assert cm.roi(0, 40_000) == -1.0
    assert cm.return_multiple(0, 40_000) == 0.0
    assert math.isnan(cm.roi(10, 0))
    assert math.isnan(cm.return_multiple(0, 0))


def test_customer_profitability() -> None:
    g = cm.customer_profitability(
        ["a", "a", "b"], [100.0, 50.0, 80.0], ["a", "b", "c", "c"], [30.0, 90.0, 10.0, 5.0]
    )
    # a: 150 - 30; b: 80 - 90; c: costs only -> negative
    assert g.to_dict() == {"a": 120.0, "b": -10.0, "c": -15.0}
    # no cost events at all
    plain = cm.customer_profitability([1, 2, 1], [5.0, 6.0, 7.0], np.array([], dtype=int), [])
    assert plain.to_dict() == {1: 12.0, 2: 6.0}
    empty = cm.customer_profitability([], [], [], [])
    assert len(empty) == 0
    # the total is total revenue minus total cost (sums are additive)
    assert g.values.sum() == 230.0 - 135.0


def test_customer_profitability_validates_each_table() -> None:
    with pytest.raises(ValueError, match="cost has length 1 but cost_customer_id has length 2"):
        cm.customer_profitability(["a"], [1.0], ["a", "b"], [1.0])
    with pytest.raises(ValueError, match="amount has length 2 but customer_id has length 1"):
        cm.customer_profitability(["a"], [1.0, 2.0], ["a"], [1.0])
    with pytest.raises(ValueError, match=r"cost\[1\] = -2.0 is negative"):
        cm.customer_profitability(["a"], [1.0], ["a", "b"], [1.0, -2.0])


# --------------------------------------------------------------------------- change
def test_percent_and_pp_change() -> None:
    assert cm.percent_change(80, 100) == 0.25
    assert cm.percent_change(100, 80) == -0.2
    assert cm.percent_change(-100, -50) == 0.5  # a loss halving is an improvement
    assert math.isnan(cm.percent_change(0, 5))
    assert math.isnan(cm.percent_change(0, 0))
    np.testing.assert_array_equal(cm.percent_change([80, 0], [100, 3]), [0.25, np.nan])
    assert cm.pp_change(0.05, 0.04) == pytest.approx(-0.01, abs=1e-15)
    assert cm.pp_change(0.2, 0.5) == 0.5 - 0.2
    with pytest.raises(ValueError, match=r"new_rate = 25.0 is outside 0..1"):
        cm.pp_change(0.2, 25)


def test_period_over_period() -> None:
    out = cm.period_over_period([100, 120, 90, 0, 10])
    np.testing.assert_array_equal(out, [np.nan, 0.2, -0.25, -1.0, np.nan])
    yoy = cm.period_over_period([10, 20, 30, 15, 40], lag=3)
    np.testing.assert_array_equal(yoy, [np.nan, np.nan, np.nan, 0.5, 1.0])
    assert np.isnan(cm.period_over_period([1.0, 2.0], lag=5)).all()
    assert cm.period_over_period([]).shape == (0,)
    with pytest.raises(ValueError, match=r"lag = 0.0 is outside \[1, inf\)"):
        cm.period_over_period([1.0, 2.0], lag=0)
    with pytest.raises(ValueError, match=r"lag = 1.5 is not a whole number"):
        cm.period_over_period([1.0, 2.0], lag=1.5)
    with pytest.raises(ValueError, match=r"x\[1\] = nan is not finite"):
        cm.period_over_period([1.0, np.nan])


def test_before_after_record() -> None:
    r = cm.before_after(200.0, 250.0)
    assert (r.before, r.after, r.abs_change, r.pct_change) == (200.0, 250.0, 50.0, 0.25)
    assert r.pp_change is None
    assert r.improved is True
    assert json.loads(r.model_dump_json()) == {
        "before": 200.0,
        "after": 250.0,
        "abs_change": 50.0,
        "pct_change": 0.25,
        "pp_change": None,
        "improved": True,
    }
    churn = cm.before_after(0.05, 0.04, is_rate=True, higher_is_better=False)
    assert churn.improved is True
    assert churn.pp_change == cm.pp_change(0.05, 0.04)
    assert churn.pct_change == cm.percent_change(0.05, 0.04)
    assert cm.before_after(3.0, 3.0).improved is False  # unchanged is not improved
    zero = cm.before_after(0.0, 5.0)
    assert math.isnan(zero.pct_change)
    assert json.loads(zero.model_dump_json())["pct_change"] is None  # NaN is written as null


def test_before_after_arrays_are_element_wise() -> None:
    r = cm.before_after([100.0, 50.0, 0.0], [110.0, 40.0, 1.0], higher_is_better=True)
    assert r.before == [100.0, 50.0, 0.0]
    assert r.abs_change == [10.0, -10.0, 1.0]
    assert r.improved == [True, False, True]
    for i, (b, a) in enumerate([(100.0, 110.0), (50.0, 40.0), (0.0, 1.0)]):
        one = cm.before_after(b, a)
        np.testing.assert_equal(r.pct_change[i], one.pct_change)
        assert r.improved[i] == one.improved
    with pytest.raises(ValueError, match="frozen"):
        r.before = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="is_rate must be True or False"):
        cm.before_after(1.0, 2.0, is_rate="yes")  # type: ignore[arg-type]


def test_import_does_not_load_pydantic_until_before_after() -> None:
    code = (
        "import sys, crm_metrics as cm; a = 'pydantic' in sys.modules; "
        "cm.before_after(1.0, 2.0); print(a, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_compound_growth_rate() -> None:
    assert cm.compound_growth_rate(100_000, 121_000, 2) == pytest.approx(0.1, rel=1e-12)
    assert cm.compound_growth_rate(100, 100, 5) == 0.0
    assert cm.compound_growth_rate(100, 0, 3) == -1.0
    assert math.isnan(cm.compound_growth_rate(0, 10, 3))
    assert cm.compound_growth_rate(100, 150, 0.5) == pytest.approx(1.25, rel=1e-12)
    with pytest.raises(ValueError, match=r"start = -5.0 is outside \[0, inf\)"):
        cm.compound_growth_rate(-5, 10, 1)
    with pytest.raises(ValueError, match=r"n_periods = 0.0 is outside \(0, inf\)"):
        cm.compound_growth_rate(5, 10, 0)


# --------------------------------------------------------------------------- series
def test_moving_average() -> None:
    np.testing.assert_array_equal(
        cm.moving_average([10, 20, 30, 40], 3), [np.nan, np.nan, 20.0, 30.0]
    )
    np.testing.assert_array_equal(cm.moving_average([1.0, 2.0], 1), [1.0, 2.0])
    assert np.isnan(cm.moving_average([1.0, 2.0], 3)).all()
    with pytest.raises(ValueError, match=r"window = 0.0 is outside"):
        cm.moving_average([1.0], 0)
    with pytest.raises(ValueError, match="window must be a single number"):
        cm.moving_average([1.0], [1, 2])


def test_mape_and_forecast_accuracy() -> None:
    # errors 10/100, 20/200, 0/400 -> mean 0.2 / 3
    assert cm.mape([100, 200, 400], [110, 180, 400]) == pytest.approx(0.2 / 3, rel=1e-15)
    assert math.isnan(cm.mape([100, 0], [90, 1]))  # an actual of 0
    assert math.isnan(cm.mape([], []))
    # 1 - (10 + 20 + 10) / 300
    assert cm.forecast_accuracy([100, 200, 0], [110, 180, 10]) == pytest.approx(1 - 40 / 300)
    assert cm.forecast_accuracy([100, 200], [100, 200]) == 1.0
    assert cm.forecast_accuracy([10], [40]) == -2.0  # worse than no forecast
    assert math.isnan(cm.forecast_accuracy([0, 0], [1, 2]))
    assert math.isnan(cm.forecast_accuracy([], []))
    with pytest.raises(ValueError, match="forecast has length 1 but actual has length 2"):
        cm.mape([1.0, 2.0], [1.0])


# --------------------------------------------------------------------------- v1.1 statistics
def test_proportion_ci_wilson_and_normal() -> None:
    # Wilson, 30 / 600 at 95 %: z = 1.959964; center 0.0528627, half-width 0.0176180
    low, high = cm.proportion_ci(30, 600)
    assert low == pytest.approx(0.0352447, abs=1e-6)
    assert high == pytest.approx(0.0704807, abs=1e-6)
    # Wald: 0.05 +- 1.959964 * sqrt(0.05 * 0.95 / 600)
    wald = cm.proportion_ci(30, 600, method="normal")
    half = 1.959963984540054 * math.sqrt(0.05 * 0.95 / 600)
    assert wald.low == pytest.approx(0.05 - half, rel=1e-12)
    assert wald.high == pytest.approx(0.05 + half, rel=1e-12)
    # all failures: Wilson stays informative, Wald collapses to a point
    zero = cm.proportion_ci(0, 20)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(3.8415 / (20 + 3.8415), rel=1e-4)
    assert cm.proportion_ci(0, 20, method="normal") == (0.0, 0.0)
    assert all(math.isnan(v) for v in cm.proportion_ci(0, 0))
    narrower = cm.proportion_ci(30, 600, confidence=0.8)
    assert low < narrower.low < narrower.high < high


def test_proportion_ci_broadcasts_and_validates() -> None:
    lows, highs = cm.proportion_ci([30, 0, 5], [600, 0, 5])
    for i, (s, n) in enumerate([(30, 600), (0, 0), (5, 5)]):
        one = cm.proportion_ci(s, n)
        np.testing.assert_equal([lows[i], highs[i]], [one.low, one.high])
    assert highs[2] == 1.0
    with pytest.raises(ValueError, match=r"confidence = 1.0 is outside \(0, 1\)"):
        cm.proportion_ci(1, 2, confidence=1.0)
    with pytest.raises(ValueError, match=r"successes = 3.0 exceeds trials = 2.0"):
        cm.proportion_ci(3, 2)


def test_two_proportion_test() -> None:
    t = cm.two_proportion_test(60, 1_000, 40, 1_000)
    # pooled 0.05: se = sqrt(0.05 * 0.95 * 0.002); z = 0.02 / se
    z = 0.02 / math.sqrt(0.05 * 0.95 * 0.002)
    assert t.z == pytest.approx(z, rel=1e-12)
    assert t.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert t.lift == pytest.approx(cm.response_lift(60, 1_000, 40, 1_000), rel=1e-15)
    same = cm.two_proportion_test(40, 1_000, 40, 1_000)
    assert same.z == 0.0
    assert same.p_value == pytest.approx(1.0, rel=1e-12)
    assert all(math.isnan(v) for v in cm.two_proportion_test(0, 0, 4, 100))
    # pooled rate 0: no variance
    assert math.isnan(cm.two_proportion_test(0, 100, 0, 100).z)
    zs = cm.two_proportion_test([60, 40], [1_000, 1_000], 40, 1_000).z
    assert zs[0] == pytest.approx(z, rel=1e-12)
    assert zs[1] == 0.0


def test_erfc_matches_the_standard_library() -> None:
    x = np.concatenate([np.linspace(0, 8, 4001), [1.4999999, 1.5, 20.0, 26.0]])
    expected = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(_erfc(x), expected, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- new rules
@validated(
    n=Interval(lo=1, integer=True, scalar=True),
    p=Interval(lo=0, hi=1, hi_open=True),
)
def _interval(n: object, p: object) -> object:
    return n


def test_interval_rule() -> None:
    assert _interval(3, [0.0, 0.5]) == 3
    assert isinstance(_interval(3.0, 0.5), int)
    assert _interval(2, np.nan) == 2  # NaN propagates in aggregate values
    with pytest.raises(ValueError, match=r"p\[1\] = 1.0 is outside \[0, 1\)"):
        _interval(1, [0.5, 1.0])
    with pytest.raises(ValueError, match=r"p = inf is outside"):
        _interval(1, np.inf)
    with pytest.raises(ValueError, match="n = nan is NaN"):
        _interval(np.nan, 0.5)
    with pytest.raises(TypeError, match="p must be numeric"):
        _interval(1, True)
    bad = list(Interval(lo=0, hi=1, integer=True, scalar=True).bad_values(1, {}))
    assert -1 in bad
    assert 2 in bad
    assert 2.5 in bad


@validated(ids=Keys(optional=False, multi=False), other=Unaligned(Money(event=True), "ids"))
def _unaligned(ids: object, other: object) -> int:
    return len(np.asarray(other))


def test_unaligned_rule() -> None:
    assert _unaligned([1, 2], [1.0, 2.0]) == 2
    with pytest.raises(ValueError, match="other has length 1 but ids has length 2"):
        _unaligned([1, 2], [1.0])
    rule = Unaligned(Money(event=True))
    assert list(rule.aligned(np.array([1.0]))) == []

"""Hand-computed cases for METRICS.md §2 (NPS, CSAT, CES, survey response rate)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

import crm_metrics as cm

# 20 answers: promoters 9-10 = 8, passives 7-8 = 5, detractors 0-6 = 7
SCORES = [10, 9, 9, 10, 10, 9, 9, 10, 8, 7, 7, 8, 8, 6, 5, 0, 3, 6, 6, 1]


# --------------------------------------------------------------------------- NPS
def test_nps_hand_computed() -> None:
    # 100 * (8 - 7) / 20 = 5
    assert cm.nps(SCORES) == 5.0
    assert cm.nps([10, 9, 7, 3]) == 25.0
    assert isinstance(cm.nps([10]), float)


@pytest.mark.parametrize(
    ("score", "category"),
    [(10, 0), (9, 0), (8, 1), (7, 1), (6, 2), (0, 2)],
)
def test_nps_category_boundaries(score: int, category: int) -> None:
    shares = cm.nps_breakdown([score])
    assert shares[category] == 1.0
    assert sum(shares) == 1.0


def test_nps_empty_is_nan() -> None:
    assert math.isnan(cm.nps([]))
    assert all(math.isnan(x) for x in cm.nps_breakdown([]))


def test_nps_grouped() -> None:
    agent = ["a"] * 10 + ["b"] * 10
    g = cm.nps(SCORES, by=agent)
    # a: 8 promoters of 10 -> 80; b: 5 passives, 7 detractors... b = SCORES[10:]
    # SCORES[10:] = [7, 8, 8, 6, 5, 0, 3, 6, 6, 1]: 0 promoters, 3 passives, 7 detractors
    assert g.to_dict() == {"a": 80.0, "b": -70.0}


def test_pooled_nps_is_not_the_mean_of_group_nps() -> None:
    g = cm.nps(SCORES, by=["a"] * 4 + ["b"] * 16)
    # a = [10, 9, 9, 10] -> 100; b: 4 promoters, 5 passives, 7 detractors -> -18.75
    assert g.to_dict() == {"a": 100.0, "b": -18.75}
    assert cm.nps(SCORES) == 5.0
    assert np.mean(g.values) == 40.625


def test_nps_grouped_multikey_and_periods() -> None:
    scores = [10, 0, 9, 7]
    channel = ["chat", "chat", "mail", "mail"]
    month = cm.period_key(["2024-01-05", "2024-02-01", "2024-01-31", "2024-01-02"], "M")
    g = cm.nps(scores, by=(channel, month))
    jan, feb = np.datetime64("2024-01-01", "ns"), np.datetime64("2024-02-01", "ns")
    assert g.to_dict() == {("chat", jan): 100.0, ("chat", feb): -100.0, ("mail", jan): 50.0}


def test_nps_from_counts() -> None:
    assert cm.nps_from_counts(8, 5, 7) == 5.0
    out = cm.nps_from_counts(np.array([120, 0, 3]), np.array([50, 0, 0]), 30)
    np.testing.assert_allclose(out, [45.0, -100.0, 100 * (3 - 30) / 33], rtol=1e-12)
    assert math.isnan(cm.nps_from_counts(0, 0, 0))
    assert math.isnan(cm.nps_from_counts(float("nan"), 1, 1))  # NaN propagates


def test_nps_breakdown_values_and_grouped_columns() -> None:
    assert cm.nps_breakdown(SCORES) == cm.NPSBreakdown(0.4, 0.25, 0.35)
    g = cm.nps_breakdown([10, 7, 3, 3], by=[1, 1, 2, 2])
    assert g.columns == ("promoters", "passives", "detractors")
    np.testing.assert_array_equal(g.values, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    frame = g.to_pandas()
    assert list(frame.columns) == ["promoters", "passives", "detractors"]
    assert frame.loc[2, "detractors"] == 1.0


def test_nps_standard_error_hand_computed() -> None:
    # P = 0.4, D = 0.35: var = 0.75 - 0.05**2 = 0.7475; SE = 100 sqrt(0.7475 / 20)
    assert cm.nps_standard_error(SCORES) == pytest.approx(100 * math.sqrt(0.7475 / 20), rel=1e-12)
    assert cm.nps_standard_error([10, 10, 10]) == 0.0
    assert math.isnan(cm.nps_standard_error([7]))
    assert math.isnan(cm.nps_standard_error([]))
    # P = D = 0.5 is the largest spread: SE = 100 / sqrt(n)
    assert cm.nps_standard_error([10, 0, 10, 0]) == pytest.approx(50.0, rel=1e-12)
    g = cm.nps_standard_error([10, 0, 9], by=["x", "x", "y"])
    assert g.to_dict()["x"] == pytest.approx(100 / math.sqrt(2), rel=1e-12)
    assert math.isnan(g.to_dict()["y"])


def test_nps_standard_error_matches_sample_formula() -> None:
    """Against the plug-in variance of the +1/0/-1 coding, computed with numpy directly."""
    coded = np.where(np.array(SCORES) >= 9, 1.0, np.where(np.array(SCORES) <= 6, -1.0, 0.0))
    expected = 100 * coded.std(ddof=0) / math.sqrt(len(coded))
    assert cm.nps_standard_error(SCORES) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- NPS inference
# No published numeric example of R's NPS package (nps_test prints no reference output in
# its documentation) was found, so the cases below are computed by hand from its formulas:
# nps_var = P + D - (P - D)^2, nps_se = sqrt(nps_var / n), interval nps ± qnorm(0.975) se.
Z95 = 1.959963984540054


def test_nps_ci_wald_hand_computed() -> None:
    # SCORES: P = 0.4, D = 0.35, n = 20 -> NPS 5, SE = 100 sqrt(0.7475 / 20)
    se = 100 * math.sqrt(0.7475 / 20)
    low, high = cm.nps_ci(SCORES)
    assert low == pytest.approx(5 - Z95 * se, rel=1e-12)
    assert high == pytest.approx(5 + Z95 * se, rel=1e-12)
    assert (low, high) == pytest.approx(
        (
            cm.nps(SCORES) - Z95 * cm.nps_standard_error(SCORES),
            cm.nps(SCORES) + Z95 * cm.nps_standard_error(SCORES),
        ),
        rel=1e-12,
    )
    # 90 %: z = 1.6448536269514722
    low90, high90 = cm.nps_ci(SCORES, confidence=0.9)
    assert high90 - low90 == pytest.approx(2 * 1.6448536269514722 * se, rel=1e-12)
    # one category only: the Wald interval collapses to the point
    assert cm.nps_ci([10, 9, 10]) == (100.0, 100.0)
    assert cm.nps_ci([0, 6]) == (-100.0, -100.0)
    # fewer than 2 answers: no interval (as nps_standard_error)
    assert all(math.isnan(v) for v in cm.nps_ci([9]))
    assert all(math.isnan(v) for v in cm.nps_ci([]))


def test_nps_ci_adjusted_wald_hand_computed() -> None:
    """Rocks (2016), adjusted Wald: add 3/4 promoter, 3/2 passive, 3/4 detractor (n + 3)."""
    # 4 promoters, 1 passive: P = 4.75 / 8, D = 0.75 / 8 -> score 0.5, var = 5.5/8 - 0.25
    se = math.sqrt((5.5 / 8 - 0.25) / 8)
    low, high = cm.nps_ci([10, 9, 9, 10, 8], method="adjusted-wald")
    assert low == pytest.approx(100 * (0.5 - Z95 * se), rel=1e-12)
    assert high == pytest.approx(100 * (0.5 + Z95 * se), rel=1e-12)
    # never collapses, and is defined for a single answer: 1.75 / 4 promoters, 0.75 / 4
    one = cm.nps_ci([10], method="adjusted-wald")
    score = (1.75 - 0.75) / 4
    var = (1.75 + 0.75) / 4 - score**2
    assert one.low == pytest.approx(100 * (score - Z95 * math.sqrt(var / 4)), rel=1e-12)
    assert one.high == pytest.approx(100 * (score + Z95 * math.sqrt(var / 4)), rel=1e-12)
    assert cm.nps_ci([10, 10, 10], method="adjusted-wald").high == 100.0  # clipped
    assert all(math.isnan(v) for v in cm.nps_ci([], method="adjusted-wald"))


def test_nps_ci_grouped_and_from_counts() -> None:
    by = ["a"] * 10 + ["b"] * 10
    g = cm.nps_ci(SCORES, by=by, method="adjusted-wald")
    assert g.columns == ("low", "high")
    for key in ("a", "b"):
        alone = cm.nps_ci(
            [s for s, k in zip(SCORES, by, strict=True) if k == key], method="adjusted-wald"
        )
        assert g.to_dict()[key] == pytest.approx(alone._asdict(), rel=1e-12)
    b = cm.nps_breakdown(SCORES)
    counts = (round(b.promoters * 20), round(b.passives * 20), round(b.detractors * 20))
    for method in ("wald", "adjusted-wald"):
        assert cm.nps_ci_from_counts(*counts, method=method) == pytest.approx(
            tuple(cm.nps_ci(SCORES, method=method)), rel=1e-12
        )
    lows, highs = cm.nps_ci_from_counts([8, 0, 1], [5, 0, 0], [7, 0, 0])
    assert lows[0] == pytest.approx(cm.nps_ci(SCORES).low, rel=1e-12)
    assert np.isnan([lows[1], highs[1], lows[2], highs[2]]).all()
    with pytest.raises(ValueError, match="method = 'wilson' is not a known option"):
        cm.nps_ci(SCORES, method="wilson")
    with pytest.raises(ValueError, match=r"confidence = 95.0 is outside \(0, 1\)"):
        cm.nps_ci_from_counts(1, 2, 3, confidence=95)


def test_nps_test_hand_computed() -> None:
    # a: P = 6/8, D = 1/8 (NPS 62.5, var 0.484375); b: P = 2/8, D = 4/8 (NPS -25, var 0.6875)
    a = [10, 9, 9, 8, 10, 6, 9, 10]
    b = [7, 6, 9, 3, 8, 10, 5, 6]
    t = cm.nps_test(a, b)
    se = 100 * math.sqrt(0.484375 / 8 + 0.6875 / 8)
    assert t.difference == pytest.approx(87.5, rel=1e-12)
    assert t.standard_error == pytest.approx(se, rel=1e-12)
    assert t.z == pytest.approx(87.5 / se, rel=1e-12)
    assert t.p_value == pytest.approx(math.erfc(87.5 / se / math.sqrt(2)), rel=1e-9)
    assert (t.low, t.high) == pytest.approx((87.5 - Z95 * se, 87.5 + Z95 * se), rel=1e-12)
    assert t.standard_error == pytest.approx(
        math.hypot(cm.nps_standard_error(a), cm.nps_standard_error(b)), rel=1e-12
    )
    back = cm.nps_test(b, a)
    assert back.z == pytest.approx(-t.z, rel=1e-12)
    assert back.p_value == pytest.approx(t.p_value, rel=1e-12)
    same = cm.nps_test_from_counts(6, 1, 1, 2, 2, 4)
    assert tuple(same) == pytest.approx(tuple(t), rel=1e-12)


def test_nps_test_degenerate_and_broadcast() -> None:
    assert all(math.isnan(v) for v in cm.nps_test([10], [0, 10, 8]))  # a sample of one
    no_spread = cm.nps_test([10, 10], [9, 9, 10])
    assert no_spread.difference == 0.0
    assert math.isnan(no_spread.z)
    assert math.isnan(no_spread.p_value)
    t = cm.nps_test_from_counts([120, 0], 50, 30, 90, 60, [50, 5])
    one = cm.nps_test_from_counts(120, 50, 30, 90, 60, 50)
    assert t.z[0] == pytest.approx(one.z, rel=1e-12)
    assert t.difference[1] == pytest.approx(100 * (0 - 30 / 80) - 100 * (90 - 5) / 155, rel=1e-12)
    with pytest.raises(ValueError, match=r"scores_b\[1\] = 11 is outside the scale 0..10"):
        cm.nps_test([10, 9], [8, 11])


# --------------------------------------------------------------------------- CSAT
def test_csat_top_two_box() -> None:
    assert cm.csat([5, 4, 3, 5, 1]) == 0.6
    assert cm.csat([10, 9, 8, 10], scale=(1, 10)) == 0.75
    assert cm.csat([3, 2, 1], scale=(1, 3)) == pytest.approx(2 / 3)
    assert math.isnan(cm.csat([]))


def test_csat_needs_three_points() -> None:
    with pytest.raises(ValueError, match=r"scale = \(1, 2\).*hi - lo >= 2"):
        cm.csat([1, 2], scale=(1, 2))


def test_csat_mean_and_satisfaction_index() -> None:
    assert cm.csat_mean([5, 4, 3, 5, 1]) == 3.6
    assert cm.satisfaction_index([5, 4, 3, 5, 1]) == 65.0
    assert cm.satisfaction_index([1, 1]) == 0.0
    assert cm.satisfaction_index([10, 10], scale=(1, 10)) == 100.0
    assert cm.satisfaction_index_from_mean(7.5, scale=(1, 10)) == pytest.approx(650 / 9)
    np.testing.assert_allclose(cm.satisfaction_index_from_mean([1, 3, 5]), [0.0, 50.0, 100.0])
    assert math.isnan(cm.satisfaction_index_from_mean(float("nan")))


def test_satisfaction_index_scale_errors() -> None:
    with pytest.raises(ValueError, match=r"scale = \(3, 3\)"):
        cm.satisfaction_index([3], scale=(3, 3))
    with pytest.raises(ValueError, match=r"mean\[1\] = 5.5 is outside the scale 1..5"):
        cm.satisfaction_index_from_mean([3.0, 5.5])
    with pytest.raises(TypeError, match="scale must be a pair of integers"):
        cm.csat_mean([3], scale=(1.0, 5.0))


# --------------------------------------------------------------------------- CES
def test_ces_mean_and_agree_share() -> None:
    assert cm.ces([7, 6, 5, 2]) == 5.0
    assert cm.ces_agree_share([7, 6, 5, 4, 2]) == 0.6  # the midpoint 4 does not agree
    assert cm.ces_agree_share([3, 2, 1], scale=(1, 5)) == 0.0
    assert cm.ces_agree_share([4, 5], scale=(1, 5)) == 1.0
    assert cm.ces([1, 2, 3], scale=(1, 5)) == 2.0  # legacy CES 1.0: a plain mean


def test_ces_agree_share_refuses_lower_is_better() -> None:
    with pytest.raises(ValueError, match="higher_is_better = False is not supported"):
        cm.ces_agree_share([1, 2], scale=(1, 5), higher_is_better=False)
    with pytest.raises(TypeError, match="higher_is_better must be True or False"):
        cm.ces_agree_share([1, 2], higher_is_better="no")  # type: ignore[call-overload]


# --------------------------------------------------------------------------- default scales
@pytest.mark.parametrize(
    ("func", "lo", "hi"),
    [
        (cm.csat, 1, 5),
        (cm.csat_mean, 1, 5),
        (cm.satisfaction_index, 1, 5),
        (cm.ces, 1, 7),
        (cm.ces_agree_share, 1, 7),
    ],
)
def test_default_scales_are_pinned(func: Any, lo: int, hi: int) -> None:
    func([lo, hi])  # both ends of the default scale are accepted
    with pytest.raises(
        ValueError, match=rf"scores\[1\] = {hi + 1} is outside the scale {lo}..{hi}"
    ):
        func([lo, hi + 1])
    with pytest.raises(
        ValueError, match=rf"scores\[0\] = {lo - 1} is outside the scale {lo}..{hi}"
    ):
        func([lo - 1])


def test_default_scales_set_the_figures() -> None:
    assert cm.csat([4, 3]) == 0.5  # top two boxes of 1..5 are 4 and 5
    assert cm.csat_mean([1, 5, 3]) == 3.0
    assert cm.satisfaction_index([2]) == 25.0  # (2 - 1) / (5 - 1)
    assert cm.satisfaction_index_from_mean(4.0) == 75.0
    assert cm.ces([1, 7, 4]) == 4.0
    assert cm.ces_agree_share([4, 5, 7, 1]) == 0.5  # agree is above the midpoint 4 of 1..7
    with pytest.raises(ValueError, match=r"scores\[0\] = 8 is outside the scale 1..7"):
        cm.ces([8])


# --------------------------------------------------------------------------- response rate
def test_survey_response_rate() -> None:
    assert cm.survey_response_rate(45, 300) == 0.15
    np.testing.assert_array_equal(cm.survey_response_rate([45, 0], [300, 0]), [0.15, np.nan])
    assert math.isnan(cm.survey_response_rate(0, 0))
    with pytest.raises(ValueError, match=r"responses\[1\] = 5.0 exceeds surveys_sent\[1\] = 4.0"):
        cm.survey_response_rate([1, 5], [4, 4])
    with pytest.raises(ValueError, match=r"surveys_sent = -3.0 is negative"):
        cm.survey_response_rate(0, -3)
    with pytest.raises(ValueError, match=r"responses = 2.5 is not a whole number"):
        cm.survey_response_rate(2.5, 10)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([10, 9, 11], r"scores\[2\] = 11 is outside the scale 0..10"),
        ([10, -1], r"scores\[1\] = -1 is outside the scale 0..10"),
        ([9.5], r"scores\[0\] = 9.5 is not a whole number"),
        ([3, float("nan")], r"scores\[1\] = nan is NaN"),
    ],
)
def test_nps_bad_scores(scores: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cm.nps(scores)


def test_bad_types_and_lengths() -> None:
    with pytest.raises(TypeError, match="scores must be numeric"):
        cm.nps(["10", "9"])
    with pytest.raises(TypeError, match="scores must be numeric, got booleans"):
        cm.csat([True, False])
    with pytest.raises(ValueError, match="by has length 1 but scores has length 2"):
        cm.nps([10, 9], by=["a"])
    with pytest.raises(ValueError, match=r"by\[1\] = nan is NaN"):
        cm.nps([10, 9], by=[1.0, float("nan")])


# --------------------------------------------------------------------------- input kinds
def test_pandas_and_polars_inputs_give_the_same_result() -> None:
    expected = cm.nps(SCORES, by=[i % 3 for i in range(20)]).to_dict()
    series = pd.Series(SCORES)
    keys = pd.Series([i % 3 for i in range(20)])
    assert cm.nps(series, by=keys).to_dict() == expected
    assert cm.nps(pl.Series(SCORES), by=pl.Series([i % 3 for i in range(20)])).to_dict() == expected
    assert cm.nps(pd.Series(SCORES, dtype="Int64")) == 5.0
    with pytest.raises(ValueError, match=r"scores\[1\] = nan is NaN"):
        cm.nps(pd.Series([10, None], dtype="Int64"))


def test_grouped_to_pandas_series() -> None:
    series = cm.csat([5, 1, 4], by=["x", "y", "x"]).to_pandas()
    assert series.to_dict() == {"x": 1.0, "y": 0.0}

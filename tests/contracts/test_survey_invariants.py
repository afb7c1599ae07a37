"""METRICS.md §7 items 9 (NPS identities) and 10 (survey consistency) as property tests."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm

from . import strategies as gen
from .test_contracts import assert_same


@st.composite
def nps_scores(draw: st.DrawFn, min_size: int = 1) -> np.ndarray:
    n = draw(st.integers(min_size, 60))
    return draw(gen.scores(n, 0, 10))


@st.composite
def scaled_scores(draw: st.DrawFn, min_span: int = 1) -> tuple[np.ndarray, tuple[int, int]]:
    scale = draw(gen.scales(min_span))
    n = draw(st.integers(1, 60))
    return draw(gen.scores(n, *scale)), scale


def raise_one(scores: np.ndarray, index: int, hi: int, step: int) -> np.ndarray:
    """A copy of ``scores`` with one answer raised by ``step`` (capped at ``hi``)."""
    raised = scores.copy()
    raised[index] = min(hi, raised[index] + step)
    return raised


# --------------------------------------------------------------------------- §7.9 NPS
@given(nps_scores())
def test_nps_equals_breakdown_difference_and_shares_sum_to_one(scores: np.ndarray) -> None:
    p, pa, d = cm.nps_breakdown(scores)
    assert_same(p + pa + d, 1.0)
    assert_same(cm.nps(scores), 100 * (p - d))


@given(nps_scores())
def test_nps_equals_nps_from_counts_of_the_same_responses(scores: np.ndarray) -> None:
    promoters = int(np.sum(scores >= 9))
    detractors = int(np.sum(scores <= 6))
    passives = len(scores) - promoters - detractors
    assert_same(cm.nps(scores), cm.nps_from_counts(promoters, passives, detractors))


@given(st.integers(1, 50), st.data())
def test_nps_extremes(n: int, data: st.DataObject) -> None:
    assert cm.nps(data.draw(gen.scores(n, 9, 10))) == 100.0
    assert cm.nps(data.draw(gen.scores(n, 0, 6))) == -100.0
    assert cm.nps(data.draw(gen.scores(n, 7, 8))) == 0.0


@given(nps_scores(), st.data())
def test_raising_one_response_never_lowers_nps(scores: np.ndarray, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(scores) - 1))
    step = data.draw(st.integers(1, 10))
    assert cm.nps(raise_one(scores, index, 10, step)) >= cm.nps(scores)


# --------------------------------------------------------------------------- §7.10 surveys
@given(scaled_scores())
def test_satisfaction_index_rescales_csat_mean(case: tuple[np.ndarray, tuple[int, int]]) -> None:
    scores, (lo, hi) = case
    index = cm.satisfaction_index(scores, scale=(lo, hi))
    assert_same(index, 100 * (cm.csat_mean(scores, scale=(lo, hi)) - lo) / (hi - lo))
    mean = cm.csat_mean(scores, scale=(lo, hi))
    assert_same(index, cm.satisfaction_index_from_mean(mean, scale=(lo, hi)))


@given(scaled_scores(min_span=2), st.data())
def test_csat_non_decreasing_when_a_score_rises(
    case: tuple[np.ndarray, tuple[int, int]], data: st.DataObject
) -> None:
    scores, (lo, hi) = case
    index = data.draw(st.integers(0, len(scores) - 1))
    raised = raise_one(scores, index, hi, data.draw(st.integers(1, hi - lo)))
    assert cm.csat(raised, scale=(lo, hi)) >= cm.csat(scores, scale=(lo, hi))


@given(scaled_scores(), st.data())
def test_ces_agree_share_non_decreasing_when_a_score_rises(
    case: tuple[np.ndarray, tuple[int, int]], data: st.DataObject
) -> None:
    scores, (lo, hi) = case
    index = data.draw(st.integers(0, len(scores) - 1))
    raised = raise_one(scores, index, hi, data.draw(st.integers(1, hi - lo)))
    assert cm.ces_agree_share(raised, scale=(lo, hi)) >= cm.ces_agree_share(scores, scale=(lo, hi))


# --------------------------------------------------------------------------- NPS inference
@given(
    nps_scores(),
    st.floats(0.01, 0.99),
    st.floats(0.01, 0.99),
    st.sampled_from(["wald", "adjusted-wald"]),
)
def test_nps_ci_nested_by_level_and_in_range(
    scores: np.ndarray, level_a: float, level_b: float, method: str
) -> None:
    lo_level, hi_level = sorted((level_a, level_b))
    narrow = cm.nps_ci(scores, confidence=lo_level, method=method)
    wide = cm.nps_ci(scores, confidence=hi_level, method=method)
    if np.isnan(narrow.low):
        assert len(scores) < 2
        assert method == "wald"
        return
    slack = 1e-9
    assert -100.0 <= wide.low <= narrow.low + slack
    assert narrow.low <= narrow.high + slack
    assert narrow.high <= wide.high + slack <= 100.0 + slack
    if method == "wald":  # centred on the NPS itself
        assert narrow.low - slack <= cm.nps(scores) <= narrow.high + slack


@given(nps_scores(), nps_scores(), st.floats(0.5, 0.999))
def test_nps_test_is_antisymmetric_and_matches_its_interval(
    a: np.ndarray, b: np.ndarray, confidence: float
) -> None:
    ab = cm.nps_test(a, b, confidence=confidence)
    ba = cm.nps_test(b, a, confidence=confidence)
    assert_same(ab.difference, -ba.difference)
    assert_same(ab.p_value, ba.p_value)
    if len(a) >= 2 and len(b) >= 2:
        assert_same(ab.difference, cm.nps(a) - cm.nps(b))
        assert_same(ab.standard_error, np.hypot(cm.nps_standard_error(a), cm.nps_standard_error(b)))
    if not np.isnan(ab.p_value):
        assert 0.0 <= ab.p_value <= 1.0
        # the interval excludes 0 exactly when the test rejects at 1 - confidence
        excludes_zero = ab.low > 0 or ab.high < 0
        if abs(ab.p_value - (1 - confidence)) > 1e-9:
            assert excludes_zero == (ab.p_value < 1 - confidence)

"""METRICS.md §7.16 (change arithmetic) and §7.17 (margins) as property tests, plus the series
and v1.1 helpers of §6, which the generic contract tests only sweep for bad input."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import crm_metrics as cm

from .registry_campaign import chain, money
from .test_contracts import assert_same

positive = st.floats(1e-3, 1e9)
reals = st.floats(-1e9, 1e9).map(lambda x: round(x, 3))
rates = st.floats(0.0, 1.0)
series = st.lists(reals, min_size=0, max_size=30).map(np.array)


def assert_identity(lhs: float, rhs: float, *terms: float) -> None:
    """METRICS.md §7: equal to rtol 1e-9 plus an atol of 1e-9 times the magnitude of the terms
    of the identity (a factor near 0 times a large one carries the large one's rounding)."""
    magnitude = max([1.0, abs(rhs), *(abs(t) for t in terms)])
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-9 * magnitude)


# --------------------------------------------------------------------------- §7.16
@given(reals)
def test_percent_change_of_a_value_with_itself_is_zero(x: float) -> None:
    result = cm.percent_change(x, x)
    assert math.isnan(result) if x == 0 else result == 0.0


@given(positive, positive, positive)
def test_percent_changes_compound(a: float, b: float, c: float) -> None:
    first, second = 1 + cm.percent_change(a, b), 1 + cm.percent_change(b, c)
    assert_identity(first * second, 1 + cm.percent_change(a, c), first, second)


@given(rates, rates)
def test_pp_change_is_antisymmetric(a: float, b: float) -> None:
    assert cm.pp_change(a, b) == -cm.pp_change(b, a)
    assert -1.0 <= cm.pp_change(a, b) <= 1.0


# n >= 1: with a fraction of a period and a near-total loss, (1 + g) ** n amplifies the rounding
# of 1 + g ~ 1e-11 (its spacing is 1e-16) beyond any tolerance; g itself is exact to rounding.
@given(positive, money, st.floats(1.0, 100))
def test_compound_growth_rate_reaches_the_end(start: float, end: float, n: float) -> None:
    g = cm.compound_growth_rate(start, end, n)
    assert g >= -1.0
    assert_identity(start * (1 + g) ** n, end, start)


# a fraction of a period raises end / start to 1 / n: losses stay moderate so that 1 + g
# keeps its precision (see above)
@given(st.floats(1.0, 1e6), st.floats(0.5, 1e3), st.floats(0.1, 1.0))
def test_compound_growth_rate_over_a_fraction_of_a_period(start: float, k: float, n: float) -> None:
    end = start * k
    g = cm.compound_growth_rate(start, end, n)
    assert_identity(start * (1 + g) ** n, end, start)


@given(reals, reals, st.booleans())
def test_before_after_agrees_with_percent_and_pp_change(b: float, a: float, up: bool) -> None:
    r = cm.before_after(b, a, higher_is_better=up)
    assert_same(r.pct_change, cm.percent_change(b, a))
    assert r.abs_change == a - b
    assert r.pp_change is None
    assert r.improved == ((a > b) if up else (a < b))


@given(rates, rates)
def test_before_after_of_rates_agrees_with_pp_change(b: float, a: float) -> None:
    r = cm.before_after(b, a, is_rate=True)
    assert r.pp_change == cm.pp_change(b, a)


@given(st.lists(st.tuples(reals, reals), min_size=1, max_size=6))
def test_before_after_arrays_equal_the_element_wise_records(
    pairs: list[tuple[float, float]],
) -> None:
    before = np.array([p[0] for p in pairs])
    after = np.array([p[1] for p in pairs])
    r = cm.before_after(before, after)
    for i, (b, a) in enumerate(pairs):
        one = cm.before_after(b, a)
        assert_same(r.pct_change[i], one.pct_change)
        assert r.improved[i] == one.improved


# --------------------------------------------------------------------------- §7.17
@given(money, money, money)
def test_gross_margin_is_at_least_net_margin(revenue: float, cogs: float, other: float) -> None:
    gross = cm.gross_profit(revenue, cogs)
    net_profit = gross - other  # net profit <= gross profit
    gm = cm.gross_margin(revenue, cogs)
    nm = cm.net_margin(net_profit, revenue)
    assume(not math.isnan(gm))
    assert gm >= nm - 1e-9 * max(1.0, abs(gm))
    assert gm <= 1.0


@given(money, money, st.floats(0.01, 100))
def test_return_multiple_is_roi_plus_one_and_currency_free(
    gain: float, cost: float, c: float
) -> None:
    assert_same(cm.return_multiple(gain, cost), cm.roi(gain, cost) + 1)
    assert_same(cm.roi(gain * c, cost * c), cm.roi(gain, cost))
    assert_same(cm.gross_margin(gain * c, cost * c), cm.gross_margin(gain, cost))


@given(series)
def test_perfect_forecast_scores_one_and_zero(actual: np.ndarray) -> None:
    accuracy = cm.forecast_accuracy(actual, actual)
    assert math.isnan(accuracy) if not np.abs(actual).sum() else accuracy == 1.0
    error = cm.mape(actual, actual)
    assert math.isnan(error) if (len(actual) == 0 or (actual == 0).any()) else error == 0.0


@given(series.flatmap(lambda a: st.tuples(st.just(a), st.lists(reals, min_size=len(a),
                                                                 max_size=len(a)))))  # fmt: skip
def test_forecast_accuracy_and_mape_definitions(pair: tuple[np.ndarray, list[float]]) -> None:
    actual, forecast = pair[0], np.array(pair[1], dtype=float)
    total = np.abs(actual).sum()
    if total:
        expected = 1 - np.abs(actual - forecast).sum() / total
        assert_same(cm.forecast_accuracy(actual, forecast), expected)
        assert cm.forecast_accuracy(actual, forecast) <= 1.0
    if len(actual) and (actual != 0).all():
        assert_same(cm.mape(actual, forecast), np.mean(np.abs(actual - forecast) / np.abs(actual)))


# --------------------------------------------------------------------------- series
@given(series, st.integers(1, 5))
def test_period_over_period_is_percent_change_of_the_lagged_series(x: np.ndarray, lag: int) -> None:
    out = cm.period_over_period(x, lag=lag)
    assert out.shape == x.shape
    assert np.isnan(out[:lag]).all()
    for i in range(lag, len(x)):
        assert_same(out[i], cm.percent_change(x[i - lag], x[i]))


@given(series, st.integers(1, 6))
def test_moving_average_is_the_trailing_mean(x: np.ndarray, window: int) -> None:
    out = cm.moving_average(x, window)
    assert out.shape == x.shape
    assert np.isnan(out[: window - 1]).all()
    for i in range(window - 1, len(x)):
        assert_same(out[i], np.mean(x[i - window + 1 : i + 1]))


# --------------------------------------------------------------------------- v1.1
@given(
    chain("trials", "successes"),
    st.floats(0.5, 0.999),
    st.sampled_from(["wilson", "normal", "clopper-pearson"]),
)
def test_proportion_ci_contains_the_rate(c: dict[str, int], conf: float, method: str) -> None:
    low, high = cm.proportion_ci(c["successes"], c["trials"], confidence=conf, method=method)
    if c["trials"] == 0:
        assert math.isnan(low)
        assert math.isnan(high)
        return
    p = c["successes"] / c["trials"]
    slack = 1e-9
    assert 0.0 <= low <= p + slack
    assert p - slack <= high <= 1.0
    wider = cm.proportion_ci(c["successes"], c["trials"], confidence=0.9995, method=method)
    assert wider.low <= low + slack
    assert wider.high >= high - slack


CI_METHODS = ["wilson", "normal", "agresti-coull", "clopper-pearson", "jeffreys"]


@given(
    chain("trials", "successes"),
    st.floats(0.01, 0.99),
    st.floats(0.01, 0.99),
    st.sampled_from(CI_METHODS),
)
def test_proportion_ci_nested_by_level(
    c: dict[str, int], level_a: float, level_b: float, method: str
) -> None:
    """A higher confidence level gives an interval containing the lower level's."""
    lo_level, hi_level = sorted((level_a, level_b))
    narrow = cm.proportion_ci(c["successes"], c["trials"], confidence=lo_level, method=method)
    wide = cm.proportion_ci(c["successes"], c["trials"], confidence=hi_level, method=method)
    if c["trials"] == 0:
        assert all(math.isnan(v) for v in (*narrow, *wide))
        return
    slack = 1e-12
    assert 0.0 <= wide.low <= narrow.low + slack
    assert narrow.low <= narrow.high + slack
    assert narrow.high <= wide.high + slack <= 1.0 + slack


def test_clopper_pearson_coverage_is_at_least_the_level() -> None:
    """Exact coverage: for every rate on a grid, the probability (summed over all outcomes)
    that the Clopper-Pearson interval covers it is >= the level; and on seeded simulated
    campaigns the observed coverage is >= the level too (it is conservative by a margin
    much larger than the simulation's noise at these sizes)."""
    from scipy.stats import binom

    for n in (5, 20, 60):
        x = np.arange(n + 1)
        for level in (0.8, 0.95):
            low, high = cm.proportion_ci(
                x, np.full(n + 1, n), confidence=level, method="clopper-pearson"
            )
            for p in np.linspace(0.005, 0.995, 199):
                covered = (low <= p) & (p <= high)
                assert binom.pmf(x, n, p)[covered].sum() >= level - 1e-12, (n, level, p)
    rng = np.random.default_rng(2026)
    rates = rng.uniform(0.01, 0.99, 4000)
    trials = rng.integers(5, 80, 4000)
    successes = rng.binomial(trials, rates)
    for level in (0.8, 0.9, 0.95):
        low, high = cm.proportion_ci(successes, trials, confidence=level, method="clopper-pearson")
        assert np.mean((low <= rates) & (rates <= high)) >= level


@given(st.lists(chain("trials", "successes"), min_size=1, max_size=5))
def test_proportion_ci_broadcasts(rows: list[dict[str, int]]) -> None:
    s = np.array([r["successes"] for r in rows])
    n = np.array([r["trials"] for r in rows])
    lows, highs = cm.proportion_ci(s, n)
    for i, r in enumerate(rows):
        one = cm.proportion_ci(r["successes"], r["trials"])
        assert_same(lows[i], one.low)
        assert_same(highs[i], one.high)


@given(chain("test_n", "test_conv"), chain("ctrl_n", "ctrl_conv"))
def test_two_proportion_test_is_antisymmetric(t: dict[str, int], c: dict[str, int]) -> None:
    ab = cm.two_proportion_test(t["test_conv"], t["test_n"], c["ctrl_conv"], c["ctrl_n"])
    ba = cm.two_proportion_test(c["ctrl_conv"], c["ctrl_n"], t["test_conv"], t["test_n"])
    assert_same(ab.z, -ba.z)
    assert_same(ab.p_value, ba.p_value)
    assert np.isnan(ab.p_value) or 0.0 <= ab.p_value <= 1.0
    assert_same(ab.lift, cm.response_lift(t["test_conv"], t["test_n"], c["ctrl_conv"], c["ctrl_n"]))

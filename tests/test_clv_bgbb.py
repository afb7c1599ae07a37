"""BG/BB: the published donation-data estimates, every formula against a direct
evaluation of the individual-level model, extremes, and the fit's record."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from crm_metrics import clv
from crm_metrics.clv import bgbb as bgbb_module

#: Fader, Hardie & Shang (2010), Table 1: the 1995 cohort of 11,104 first-time supporters
#: of a non-profit, over the 6 annual opportunities 1996-2001 (frequency x, recency t_x,
#: number of donors with that history).
DONATIONS = np.array(
    [
        [0, 0, 3464], [1, 1, 1091], [1, 2, 277], [1, 3, 129], [1, 4, 78], [1, 5, 119],
        [1, 6, 129], [2, 2, 613], [2, 3, 255], [2, 4, 155], [2, 5, 173], [2, 6, 234],
        [3, 3, 322], [3, 4, 181], [3, 5, 225], [3, 6, 357], [4, 4, 240], [4, 5, 284],
        [4, 6, 512], [5, 5, 335], [5, 6, 728], [6, 6, 1203],
    ]
)  # fmt: skip
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


@pytest.fixture(scope="module")
def fit() -> clv.BGBBFit:
    x, tx, w = DONATIONS.T
    return clv.fit_bgbb(x, tx, np.full(len(x), 6), weights=w.astype(float))


def _beta(a: float, b: float) -> float:
    return math.exp(special.betaln(a, b))


def _likelihood(x: int, tx: int, n: int, p: dict[str, float]) -> float:
    """FHS (2010) eq. (5), term by term in plain arithmetic."""
    a, b, g, d = p.values()
    out = _beta(a + x, b + n - x) / _beta(a, b) * _beta(g, d + n) / _beta(g, d)
    for i in range(n - tx):
        out += _beta(a + x, b + tx - x + i) / _beta(a, b) * _beta(g + 1, d + tx + i) / _beta(g, d)
    return out


def test_fit_reproduces_the_published_donation_estimates(fit: clv.BGBBFit) -> None:
    """FHS (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6.
    Tolerance: half a unit in the last digit shown."""
    assert DONATIONS[:, 2].sum() == 11_104
    assert fit.converged, fit.message
    for name, value in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(value, abs=5e-4), name
    assert fit.loglik == pytest.approx(-33225.6, abs=0.05)
    assert fit.n_customers == 11_104


@pytest.mark.parametrize(("x", "tx"), [(0, 0), (1, 1), (1, 6), (3, 4), (6, 6), (2, 3)])
def test_likelihood_p_alive_and_expectations_by_direct_sums(x: int, tx: int) -> None:
    p, n = PUBLISHED, 6
    a, b, g, d = p.values()
    lik = _likelihood(x, tx, n, p)
    assert clv.bgbb_loglik(p, x, tx, n) == pytest.approx(math.log(lik), rel=1e-12)
    alive = _beta(a + x, b + n - x) / _beta(a, b) * _beta(g, d + n + 1) / _beta(g, d) / lik
    assert clv.bgbb_p_alive(p, x, tx, n) == pytest.approx(alive, rel=1e-12)
    for future in (0, 1, 5, 30):
        # E[p] on the posterior times the expected number of future opportunities alive
        direct = (
            sum(
                _beta(a + x + 1, b + n - x) / _beta(a, b) * _beta(g, d + n + k) / _beta(g, d)
                for k in range(1, future + 1)
            )
            / lik
        )
        got = clv.bgbb_conditional_expected_purchases(p, future, x, tx, n)
        assert got == pytest.approx(direct, rel=1e-10, abs=1e-300)


def test_expected_purchases_and_pmf_by_direct_sums() -> None:
    p = PUBLISHED
    a, b, g, d = p.values()
    for m in (0, 1, 6, 40):
        direct = sum(a / (a + b) * _beta(g, d + k) / _beta(g, d) for k in range(1, m + 1))
        assert clv.bgbb_expected_purchases(p, m) == pytest.approx(direct, rel=1e-10, abs=0.0)
        probs = clv.bgbb_prob_purchases(p, m, np.arange(m + 1))
        assert probs.sum() == pytest.approx(1.0, rel=1e-10)
        assert float(np.arange(m + 1) @ probs) == pytest.approx(direct, rel=1e-9, abs=1e-15)
    # the fitted model reproduces the share of donors who never came back (3,464 / 11,104)
    assert clv.bgbb_prob_purchases(p, 6, 0) == pytest.approx(3464 / 11104, abs=5e-3)


def test_gamma_one_limit() -> None:
    one = {**PUBLISHED, "gamma": 1.0}
    near = {**PUBLISHED, "gamma": 1.0 + 1e-6}
    assert clv.bgbb_expected_purchases(one, 10) == pytest.approx(
        clv.bgbb_expected_purchases(near, 10), rel=1e-5
    )
    a, b, g, d = one.values()
    direct = sum(a / (a + b) * _beta(g, d + k) / _beta(g, d) for k in range(1, 11))
    assert clv.bgbb_expected_purchases(one, 10) == pytest.approx(direct, rel=1e-10)


def test_gradient_matches_finite_differences_away_from_the_optimum() -> None:
    x, tx, w = DONATIONS.T.astype(float)
    h = bgbb_module._Histories(x, tx, np.full(len(x), 6.0), w)
    theta = np.log([0.5, 2.0, 1.5, 0.7])
    _, grad = bgbb_module._objective(theta, h, 0.1)
    for j in range(4):
        e = np.zeros(4)
        e[j] = 1e-6
        up = bgbb_module._objective(theta + e, h, 0.1)[0]
        down = bgbb_module._objective(theta - e, h, 0.1)[0]
        assert grad[j] == pytest.approx((up - down) / 2e-6, rel=1e-6, abs=1e-9)


def test_record_and_methods(fit: clv.BGBBFit) -> None:
    assert clv.BGBBFit.model_validate_json(fit.model_dump_json()) == fit
    se = fit.std_errors()
    assert all(0 < v < 1 for v in se.values())
    assert fit.p_alive(3, 4, 6) == clv.bgbb_p_alive(fit, 3, 4, 6)
    assert fit.expected_purchases(6) == clv.bgbb_expected_purchases(fit, 6)
    assert fit.conditional_expected_purchases(
        5, 3, 4, 6
    ) == clv.bgbb_conditional_expected_purchases(fit, 5, 3, 4, 6)
    assert fit.prob_purchases(2, 6) == clv.bgbb_prob_purchases(fit, 6, 2)
    assert fit.loglik_of(3, 4, 6) == clv.bgbb_loglik(fit, 3, 4, 6)
    x, tx, w = DONATIONS.T
    assert float(w @ fit.loglik_of(x, tx, 6)) == pytest.approx(fit.loglik, rel=1e-12)


def test_invalid_histories_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"recency\[0\] = 2.0 is below frequency\[0\] = 3.0"):
        clv.fit_bgbb([3], [2], [6])
    with pytest.raises(ValueError, match=r"recency\[0\] = 7.0 exceeds n_periods\[0\] = 6"):
        clv.fit_bgbb([3], [7], [6])
    with pytest.raises(ValueError, match=r"recency\[0\] = 2.0 is not 0 although frequency\[0\]"):
        clv.fit_bgbb([0], [2], [6])
    with pytest.raises(ValueError, match=r"recency\[0\] = 2.5 is not a whole number"):
        clv.fit_bgbb([2], [2.5], [6])
    with pytest.raises(ValueError, match=r"frequency\[0\] = 7"):
        clv.fit_bgbb([7], [7], [6])
    with pytest.raises(ValueError, match=r"^penalizer = nan"):
        clv.fit_bgbb([1], [1], [2], penalizer=math.nan)
    nothing = clv.fit_bgbb([0, 0], [0, 0], [0, 0])
    assert not nothing.converged
    assert clv.BGBBFit.model_validate_json(nothing.model_dump_json()) == nothing


extreme = st.tuples(
    st.integers(0, 10_000),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.sampled_from(
        [
            PUBLISHED,
            {"alpha": 0.05, "beta": 0.1, "gamma": 0.2, "delta": 0.3},
            {"alpha": 50.0, "beta": 200.0, "gamma": 1.0, "delta": 500.0},
        ]
    ),
)


@settings(max_examples=100, deadline=None)
@given(extreme)
def test_extreme_histories_are_finite_and_in_range(case: tuple) -> None:  # type: ignore[type-arg]
    n, share_x, share_t, params = case
    x = int(share_x * n)
    tx = 0 if x == 0 else x + int(share_t * (n - x))
    assert math.isfinite(clv.bgbb_loglik(params, x, tx, n))
    alive = clv.bgbb_p_alive(params, x, tx, n)
    assert 0.0 <= alive <= 1.0
    cond = clv.bgbb_conditional_expected_purchases(params, 10, x, tx, n)
    assert math.isfinite(cond)
    assert 0.0 <= cond <= 10.0

"""Shifted-beta-geometric: the published "regular" and "high end" estimates, curves and
values against direct sums, refused inputs and the fit's record."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from crm_metrics import clv

#: Fader & Hardie (2007), "How to project customer retention", Table 1: customers of a
#: 1,000-strong cohort still active after years 0..7.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta", "loglik"),
    [(REGULAR, 0.704, 1.182, -1680.3), (HIGH_END, 0.668, 3.806, -1611.2)],
)
def test_fit_reproduces_the_published_estimates(
    survivors: list[int], alpha: float, beta: float, loglik: float
) -> None:
    """Fader & Hardie (2007): regular alpha 0.704, beta 1.182 (LL -1680.3); high end
    alpha 0.668, beta 3.806 (LL -1611.2). Tolerance: half a unit in the last digit."""
    fit = clv.fit_sbg(survivors)
    assert fit.converged, fit.message
    assert fit.alpha == pytest.approx(alpha, abs=5e-4)
    assert fit.beta == pytest.approx(beta, abs=5e-4)
    assert fit.loglik == pytest.approx(loglik, abs=0.05)
    assert fit.n_customers == 1000
    assert clv.SBGFit.model_validate_json(fit.model_dump_json()) == fit
    assert all(0 < v < 1 for v in fit.std_errors().values())


def test_loglik_is_the_direct_sum() -> None:
    fit = clv.fit_sbg(REGULAR)
    n = np.array(REGULAR, dtype=float)
    a, b = fit.alpha, fit.beta
    want = sum(
        (n[t - 1] - n[t]) * math.log(clv.sbg_churn_probability(fit, t)) for t in range(1, 8)
    ) + n[7] * math.log(clv.sbg_survival(fit, 7))
    assert fit.loglik == pytest.approx(want, rel=1e-12)
    # the recursion of the paper: P(T=1) = a/(a+b), P(T=t) = (b+t-2)/(a+b+t-1) P(T=t-1)
    prob = a / (a + b)
    for t in range(1, 30):
        assert clv.sbg_churn_probability(fit, t) == pytest.approx(prob, rel=1e-12)
        prob *= (b + t - 1) / (a + b + t)


def test_curves_are_consistent() -> None:
    p = {"alpha": 0.704, "beta": 1.182}
    t = np.arange(1, 200)
    surv = clv.sbg_survival(p, np.arange(0, 200))
    assert surv[0] == 1.0
    np.testing.assert_allclose(clv.sbg_retention(p, t), surv[1:] / surv[:-1], rtol=1e-12)
    # the difference of two survivals cancels: log-Beta values carry ~1e-13 absolute error
    np.testing.assert_allclose(
        clv.sbg_churn_probability(p, t), surv[:-1] - surv[1:], rtol=1e-10, atol=1e-13
    )
    assert (np.diff(clv.sbg_retention(p, t)) > 0).all()  # sorting: retention rises


@pytest.mark.parametrize("d", [0.05, 0.1, 0.5])
@pytest.mark.parametrize("m", [0, 1, 4, 50])
def test_del_and_derl_equal_their_discounted_sums(d: float, m: int) -> None:
    p = {"alpha": 0.704, "beta": 1.182}
    k = np.arange(0, 5_000)
    discount = np.exp(-k * math.log1p(d))
    s = clv.sbg_survival(p, m + 1 + k) / clv.sbg_survival(p, m)
    assert clv.sbg_derl(p, d, m) == pytest.approx(float(np.sum(s * discount)), rel=1e-10)
    if m == 0:
        direct = float(np.sum(clv.sbg_survival(p, k) * discount))
        assert clv.sbg_del(p, d) == pytest.approx(direct, rel=1e-10)
        assert clv.sbg_del(p, d) == pytest.approx(1 + clv.sbg_derl(p, d, 0) / (1 + d), rel=1e-12)


@pytest.mark.parametrize(
    ("alpha", "beta", "d", "m"),
    [
        (0.2, 50.0, 0.001, 1000),
        (1.0, 0.01, 0.001953125, 0),
        (0.01, 0.01, 5.0, 0),
        (0.01, 100.0, 0.001, 20_000),
    ],
)
def test_derl_where_scipy_hyp2f1_fails(alpha: float, beta: float, d: float, m: int) -> None:
    """scipy's hyp2f1 gives nan for the first case and -0.26 for the second."""
    p = {"alpha": alpha, "beta": beta}
    k = np.arange(0, 2_000_000)
    log_s = special.betaln(p["alpha"], p["beta"] + m + 1 + k) - special.betaln(
        p["alpha"], p["beta"] + m
    )
    direct = float(np.sum(np.exp(log_s - k * math.log1p(d))))
    assert clv.sbg_derl(p, d, m) == pytest.approx(direct, rel=1e-9)


def test_invalid_survivors_and_options_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"survivors\[2\] = 500 exceeds the count before it, 400"):
        clv.fit_sbg([1000, 400, 500])
    with pytest.raises(ValueError, match="survivors must hold at least two counts"):
        clv.fit_sbg([1000])
    with pytest.raises(ValueError, match=r"survivors\[0\] = 0 must be > 0"):
        clv.fit_sbg([0, 0])
    with pytest.raises(ValueError, match=r"survivors\[1\] = 80.5 is not a whole number"):
        clv.fit_sbg([100, 80.5])
    with pytest.raises(ValueError, match=r"^discount_rate = 0.0 is out of range"):
        clv.sbg_del({"alpha": 1.0, "beta": 1.0}, 0.0)
    with pytest.raises(ValueError, match=r"^penalizer = nan"):
        clv.fit_sbg(REGULAR, penalizer=math.nan)


@pytest.mark.parametrize("survivors", [[100, 100, 100, 100], [100, 0, 0], [100, 0]])
def test_degenerate_cohorts_are_not_converged(survivors: list[int]) -> None:
    fit = clv.fit_sbg(survivors)
    assert not fit.converged
    assert fit.message.startswith("did not converge")
    assert clv.SBGFit.model_validate_json(fit.model_dump_json()) == fit


def test_methods_equal_functions() -> None:
    fit = clv.fit_sbg(HIGH_END)
    assert fit.survival(5) == clv.sbg_survival(fit, 5)
    assert fit.retention(5) == clv.sbg_retention(fit, 5)
    assert fit.churn_probability(5) == clv.sbg_churn_probability(fit, 5)
    assert fit.expected_del(0.1) == clv.sbg_del(fit, 0.1)
    assert fit.expected_derl(0.1, 3) == clv.sbg_derl(fit, 0.1, 3)
    assert fit.summary().names == ("alpha", "beta")


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0.01, 100.0),
    st.floats(0.01, 100.0),
    st.integers(0, 20_000),
    st.floats(1e-3, 5.0),
)
def test_extremes_are_finite_and_in_range(a: float, b: float, m: int, d: float) -> None:
    p = {"alpha": a, "beta": b}
    s = clv.sbg_survival(p, m)
    assert 0.0 <= s <= 1.0
    r = clv.sbg_retention(p, m + 1)
    assert 0.0 < r < 1.0
    derl = clv.sbg_derl(p, d, m)
    assert math.isfinite(derl)
    assert 0.0 <= derl <= (1 + d) / d + 1e-9  # never more than a customer who never churns

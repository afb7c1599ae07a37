"""MBG/NBD: the published CDNOW estimates, every formula against the individual-level
model integrated independently, extreme customers, and the fit's record."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from crm_metrics import clv, datasets

PUBLISHED = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
CUSTOMERS = [(0, 0.0, 38.86), (2, 30.43, 38.86), (5, 1.0, 38.0), (1, 38.0, 38.86), (3, 5.0, 5.0)]


@pytest.fixture(scope="module")
def cdnow() -> clv.RFMSummary:
    log = datasets.load_cdnow("sample")
    return clv.rfm_summary(
        log.customer_id, log.ts, freq="D", freq_multiplier=7, observation_end="1997-09-30"
    )


@pytest.fixture(scope="module")
def fit(cdnow: clv.RFMSummary) -> clv.MBGNBDFit:
    return clv.fit_mbgnbd(cdnow)


def test_fit_reproduces_the_published_cdnow_estimates(fit: clv.MBGNBDFit) -> None:
    """BTYDplus's MBG/NBD estimates on the CDNOW sample in weeks (used by lifetimes'
    test suite to 3 decimals): r 0.525, alpha 6.183, a 0.891, b 1.614. Tolerance: half a
    unit in the last digit shown."""
    assert fit.converged, fit.message
    for name, value in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(value, abs=5e-4), name
    # MBG/NBD nests no BG/NBD fit but should be close to it on CDNOW (-9582.43)
    assert -9583.0 < fit.loglik < -9581.0


def _beta_moment(a: float, b: float, i: int, j: int) -> float:
    """E[p**i (1-p)**j] for p ~ Beta(a, b)."""
    return math.exp(special.betaln(a + i, b + j) - special.betaln(a, b))


@pytest.mark.parametrize(("x", "tx", "T"), CUSTOMERS)
def test_likelihood_is_the_mixture_of_the_individual_model(x: int, tx: float, T: float) -> None:
    """L(lambda, p) = (1-p)^(x+1) lambda^x e^(-lambda T) + p (1-p)^x lambda^x e^(-lambda t_x),
    integrated over Gamma(r, alpha) and Beta(a, b) in closed form, in plain arithmetic."""
    r, alpha, a, b = PUBLISHED.values()
    lam = math.gamma(r + x) / math.gamma(r) * alpha**r
    want = lam * (
        _beta_moment(a, b, 0, x + 1) * (alpha + T) ** (-(r + x))
        + _beta_moment(a, b, 1, x) * (alpha + tx) ** (-(r + x))
    )
    assert clv.mbgnbd_loglik(PUBLISHED, x, tx, T) == pytest.approx(math.log(want), rel=1e-12)
    alive = lam * _beta_moment(a, b, 0, x + 1) * (alpha + T) ** (-(r + x)) / want
    assert clv.mbgnbd_p_alive(PUBLISHED, x, tx, T) == pytest.approx(alive, rel=1e-12)


def _beta_expectation(h, a: float, b: float) -> float:
    value, _ = integrate.quad(
        lambda p: h(p) * stats.beta(a, b).pdf(p), 0, 1, epsabs=0.0, epsrel=1e-11, limit=200
    )
    return value


@pytest.mark.parametrize("t", [1.0, 39.0, 520.0])
def test_expected_purchases_integrates_the_individual_model(t: float) -> None:
    """E[X(t) | lambda, p] = (1-p)/p (1 - exp(-lambda p t)); over lambda in closed form,
    over p by quad."""
    r, alpha, a, b = PUBLISHED.values()
    want = _beta_expectation(lambda p: (1 - p) / p * (1 - (alpha / (alpha + p * t)) ** r), a, b)
    assert clv.mbgnbd_expected_purchases(PUBLISHED, t) == pytest.approx(want, rel=1e-8)


@pytest.mark.parametrize(("x", "tx", "T"), CUSTOMERS)
@pytest.mark.parametrize("t", [1.0, 39.0, 520.0])
def test_conditional_expectation_integrates_the_posterior(
    x: int, tx: float, T: float, t: float
) -> None:
    """E[Y(t) | data] = E[1{alive} (1/p)(1 - exp(-lambda p t)) L] / L with the alive part
    (1-p)^(x+1) lambda^x e^(-lambda T)."""
    r, alpha, a, b = PUBLISHED.values()
    lam = math.gamma(r + x) / math.gamma(r) * alpha**r

    def h(p: float) -> float:
        return (
            (1 - p) ** (x + 1) / p * ((alpha + T) ** (-(r + x)) - (alpha + T + p * t) ** (-(r + x)))
        )

    want = lam * _beta_expectation(h, a, b) / math.exp(clv.mbgnbd_loglik(PUBLISHED, x, tx, T))
    got = clv.mbgnbd_conditional_expected_purchases(PUBLISHED, t, x, tx, T)
    assert got == pytest.approx(want, rel=1e-8)


def test_prob_purchases_sums_to_one_with_the_right_mean() -> None:
    n = np.arange(0, 400)
    probs = clv.mbgnbd_prob_purchases(PUBLISHED, 39.0, n)
    assert (probs >= 0).all()
    assert probs.sum() == pytest.approx(1.0, abs=1e-9)
    assert float(n @ probs) == pytest.approx(
        clv.mbgnbd_expected_purchases(PUBLISHED, 39.0), rel=1e-6
    )
    # nobody buys within t = 0: P(X(0) = 0) = 1
    assert clv.mbgnbd_prob_purchases(PUBLISHED, 0.0, 0) == pytest.approx(1.0, rel=1e-12)


def test_one_time_buyers_are_not_certainly_alive(cdnow: clv.RFMSummary, fit: clv.MBGNBDFit) -> None:
    alive = fit.p_alive(cdnow)
    never = cdnow.frequency == 0
    assert (alive[never] < 1.0).all()
    assert clv.bgnbd_p_alive(clv.fit_bgnbd(cdnow), 0, 0.0, 38.86) == 1.0


def test_record_round_trips_and_methods_equal_functions(
    cdnow: clv.RFMSummary, fit: clv.MBGNBDFit
) -> None:
    assert clv.MBGNBDFit.model_validate_json(fit.model_dump_json()) == fit
    x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T
    np.testing.assert_array_equal(fit.p_alive(cdnow), clv.mbgnbd_p_alive(fit, x, tx, T))
    np.testing.assert_array_equal(
        fit.conditional_expected_purchases(39.0, cdnow),
        clv.mbgnbd_conditional_expected_purchases(fit, 39.0, x, tx, T),
    )
    assert float(np.sum(fit.loglik_of(cdnow))) == pytest.approx(fit.loglik, rel=1e-12)
    assert fit.expected_purchases(39.0) == clv.mbgnbd_expected_purchases(fit, 39.0)
    assert fit.prob_purchases(2, 39.0) == clv.mbgnbd_prob_purchases(fit, 39.0, 2)
    se = fit.std_errors()
    assert all(0 < v < math.inf for v in se.values())


def test_standard_errors_equal_an_independent_numerical_hessian(
    cdnow: clv.RFMSummary, fit: clv.MBGNBDFit
) -> None:
    x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T
    theta = np.array([fit.r, fit.alpha, fit.a, fit.b])

    def total(v: np.ndarray) -> float:
        return float(
            np.sum(clv.mbgnbd_loglik(dict(zip(("r", "alpha", "a", "b"), v, strict=True)), x, tx, T))
        )

    h = 1e-4 * theta
    hess = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            ei, ej = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            hess[i, j] = (
                total(theta + ei + ej)
                - total(theta + ei - ej)
                - total(theta - ei + ej)
                + total(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    want = np.sqrt(np.diag(np.linalg.inv(-hess)))
    np.testing.assert_allclose(list(fit.std_errors().values()), want, rtol=1e-3)


def test_nothing_to_learn_and_bad_options() -> None:
    fit = clv.fit_mbgnbd([0, 0], [0.0, 0.0], [0.0, 0.0])
    assert not fit.converged
    assert "every customer's T is 0" in fit.message
    assert clv.MBGNBDFit.model_validate_json(fit.model_dump_json()) == fit
    with pytest.raises(ValueError, match=r"^penalizer = nan"):
        clv.fit_mbgnbd([1], [1.0], [2.0], penalizer=math.nan)


def test_weights_equal_repeated_rows() -> None:
    x, tx, T = (
        np.array([0, 2, 1, 4]),
        np.array([0.0, 5.0, 2.0, 8.0]),
        np.array([9.0, 10.0, 9.0, 12.0]),
    )
    rep = np.array([3, 1, 2, 2])
    a = clv.fit_mbgnbd(np.repeat(x, rep), np.repeat(tx, rep), np.repeat(T, rep))
    b = clv.fit_mbgnbd(x, tx, T, weights=rep.astype(float))
    assert a.loglik == pytest.approx(b.loglik, rel=1e-9)


extreme = st.tuples(
    st.integers(0, 10_000),
    st.floats(0.0, 1.0),
    st.floats(0.0, 20_000.0),
    st.sampled_from(
        [
            PUBLISHED,
            {"r": 0.05, "alpha": 0.01, "a": 0.2, "b": 0.3},
            {"r": 20.0, "alpha": 500.0, "a": 1.0, "b": 50.0},
        ]
    ),
)


@settings(max_examples=200, deadline=None)
@given(extreme)
def test_extreme_customers_are_finite_and_in_range(case: tuple) -> None:  # type: ignore[type-arg]
    x, share, T, params = case
    tx = share * T if x > 0 else 0.0
    assert math.isfinite(clv.mbgnbd_loglik(params, x, tx, T))
    alive = clv.mbgnbd_p_alive(params, x, tx, T)
    assert 0.0 <= alive <= 1.0
    cond = clv.mbgnbd_conditional_expected_purchases(params, 52.0, x, tx, T)
    assert math.isfinite(cond)
    assert cond >= 0.0

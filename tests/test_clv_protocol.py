"""The fitted-model protocol of crm_metrics.clv: standard errors from the observed
information (lifetimes' published BG/NBD figures, an independent numerical Hessian),
intervals, the summary table, the prediction methods and RFM summaries as input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy import stats

from crm_metrics import clv, datasets
from crm_metrics.clv import gamma_gamma as gg_module


@pytest.fixture(scope="module")
def cdnow() -> clv.RFMSummary:
    log = datasets.load_cdnow("sample")
    return clv.rfm_summary(
        log.customer_id,
        log.ts,
        log.amount,
        freq="D",
        freq_multiplier=7,
        observation_end="1997-09-30",
    )


@pytest.fixture(scope="module")
def bg(cdnow: clv.RFMSummary) -> clv.BGNBDFit:
    return clv.fit_bgnbd(cdnow)


@pytest.fixture(scope="module")
def gg(cdnow: clv.RFMSummary) -> clv.GammaGammaFit:
    return clv.fit_gamma_gamma(cdnow)


def _numerical_covariance(total_loglik, theta: np.ndarray, rel: float = 1e-4) -> np.ndarray:
    """Inverse of minus the Hessian of ``total_loglik`` by second differences of its
    values (no gradient involved: independent of the library's analytic gradient)."""
    k = len(theta)
    h = rel * theta
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            hess[i, j] = (
                total_loglik(theta + ei + ej)
                - total_loglik(theta + ei - ej)
                - total_loglik(theta - ei + ej)
                + total_loglik(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    return np.linalg.inv(-hess)


# --------------------------------------------------------------------------- standard errors
def test_bgnbd_standard_errors_match_lifetimes_published_cdnow_summary(bg: clv.BGNBDFit) -> None:
    """lifetimes' quickstart (``BetaGeoFitter().fit`` on the CDNOW summary, ``summary``
    table): se 0.012557, 0.378221, 0.185719, 0.705345 for r, alpha, a, b. Our estimates
    differ from lifetimes' in the 5th digit (optimiser tolerance), which moves the SEs by
    up to 1e-4 relative: tolerance 2e-4."""
    se = bg.std_errors()
    published = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345}
    for name, value in published.items():
        assert se[name] == pytest.approx(value, rel=2e-4), name


def test_bgnbd_covariance_equals_an_independent_numerical_hessian(
    cdnow: clv.RFMSummary, bg: clv.BGNBDFit
) -> None:
    x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T

    def total(theta: np.ndarray) -> float:
        params = dict(zip(("r", "alpha", "a", "b"), theta, strict=True))
        return float(np.sum(clv.bgnbd_loglik(params, x, tx, T)))

    want = _numerical_covariance(total, np.array([bg.r, bg.alpha, bg.a, bg.b]))
    # second differences of values carry ~1e-6 relative error at this step
    np.testing.assert_allclose(np.asarray(bg.covariance), want, rtol=1e-3)


def test_gamma_gamma_covariance_equals_an_independent_numerical_hessian(
    cdnow: clv.RFMSummary, gg: clv.GammaGammaFit
) -> None:
    repeat = cdnow.frequency > 0
    x = cdnow.frequency[repeat].astype(float)
    m = cdnow.monetary_value[repeat]

    def total(theta: np.ndarray) -> float:
        return float(np.sum(gg_module._loglik(*theta, x, m)))

    want = _numerical_covariance(total, np.array([gg.p, gg.q, gg.v]))
    np.testing.assert_allclose(np.asarray(gg.covariance), want, rtol=1e-3)


def test_conf_int_is_the_log_scale_wald_interval(bg: clv.BGNBDFit) -> None:
    se = bg.std_errors()
    for level in (0.5, 0.95, 0.99):
        z = stats.norm.ppf(0.5 + level / 2)
        got = bg.conf_int(level)
        for name, est in bg.params.items():
            lo, hi = got[name]
            assert lo == pytest.approx(est * math.exp(-z * se[name] / est), rel=1e-12)
            assert hi == pytest.approx(est * math.exp(z * se[name] / est), rel=1e-12)
            assert 0 < lo < est < hi
    narrow, wide = bg.conf_int(0.5)["r"], bg.conf_int(0.99)["r"]
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1, math.nan, [0.9], "0.95", True])
def test_conf_int_refuses_a_bad_level_by_name(bg: clv.BGNBDFit, level: object) -> None:
    with pytest.raises((ValueError, TypeError), match=r"^level\b"):
        bg.conf_int(level)  # type: ignore[arg-type]


def test_summary_table(bg: clv.BGNBDFit, gg: clv.GammaGammaFit) -> None:
    table = bg.summary()
    assert table.names == ("r", "alpha", "a", "b")
    np.testing.assert_array_equal(table.estimate, [bg.r, bg.alpha, bg.a, bg.b])
    np.testing.assert_array_equal(table.std_error, list(bg.std_errors().values()))
    np.testing.assert_array_equal(table.lower, [v[0] for v in bg.conf_int().values()])
    assert table.loglik == bg.loglik
    assert table.aic == pytest.approx(2 * 4 - 2 * bg.loglik, rel=1e-15)
    assert table.bic == pytest.approx(4 * math.log(2357) - 2 * bg.loglik, rel=1e-15)
    assert table.n == 2357.0
    assert table.converged
    frame = table.to_pandas()
    assert list(frame.columns) == ["estimate", "std_error", "lower 95%", "upper 95%"]
    assert list(frame.index) == ["r", "alpha", "a", "b"]
    text = str(gg.summary(0.9))
    assert "lower 90%" in text
    assert "AIC" in text
    assert text.splitlines()[1].split()[0] == "p"


def test_a_fit_without_covariance_gives_nan_uncertainty() -> None:
    fit = clv.fit_bgnbd([0, 0], [0.0, 0.0], [0.0, 0.0])
    assert fit.covariance is None
    assert all(math.isnan(v) for v in fit.std_errors().values())
    assert all(math.isnan(lo) and math.isnan(hi) for lo, hi in fit.conf_int().values())
    assert np.isnan(fit.summary().std_error).all()
    empty = clv.fit_bgnbd([], [], [])
    assert math.isnan(empty.bic)


def test_covariance_field_is_checked_on_load(bg: clv.BGNBDFit) -> None:
    data = bg.model_dump()
    with pytest.raises(ValidationError, match="4 x 4 matrix"):
        clv.BGNBDFit.model_validate({**data, "covariance": [[1.0, 0.0], [0.0, 1.0]]})
    bad = [list(row) for row in bg.covariance or ()]
    bad[0][0] = -1.0
    with pytest.raises(ValidationError, match="negative variance"):
        clv.BGNBDFit.model_validate({**data, "covariance": bad})
    text = bg.model_dump_json()
    first = repr(bg.covariance[0][0]) if bg.covariance else ""
    with pytest.raises(ValidationError):
        clv.BGNBDFit.model_validate_json(text.replace(first, "Infinity", 1))
    assert clv.BGNBDFit.model_validate_json(text) == bg


# --------------------------------------------------------------------------- summaries in
def test_fits_accept_an_rfm_summary(cdnow: clv.RFMSummary, bg: clv.BGNBDFit) -> None:
    arrays = clv.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T)
    assert arrays == bg
    assert clv.fit_bgnbd(cdnow, penalizer=0.01) == clv.fit_bgnbd(
        cdnow.frequency, cdnow.recency, cdnow.T, penalizer=0.01
    )
    gg = clv.fit_gamma_gamma(cdnow)
    assert gg == clv.fit_gamma_gamma(cdnow.frequency, cdnow.monetary_value)


def test_fits_accept_a_calibration_holdout() -> None:
    log = datasets.load_cdnow("sample")
    ch = clv.calibration_holdout(
        log.customer_id,
        log.ts,
        log.amount,
        calibration_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    )
    fit = clv.fit_bgnbd(ch)
    assert fit == clv.fit_bgnbd(ch.frequency, ch.recency, ch.T)


def test_a_summary_with_its_fields_repeated_or_missing_is_refused(cdnow: clv.RFMSummary) -> None:
    with pytest.raises(TypeError, match="already holds recency, T; do not pass T"):
        clv.fit_bgnbd(cdnow, T=cdnow.T)
    log = datasets.load_cdnow("sample")
    no_money = clv.rfm_summary(log.customer_id, log.ts)
    with pytest.raises(TypeError, match="has no monetary_value"):
        clv.fit_gamma_gamma(no_money)
    with pytest.raises(TypeError, match="T is required"):
        clv.fit_bgnbd([1, 2])


def test_methods_equal_the_functions(
    cdnow: clv.RFMSummary, bg: clv.BGNBDFit, gg: clv.GammaGammaFit
) -> None:
    x, tx, T, m = cdnow.frequency, cdnow.recency, cdnow.T, cdnow.monetary_value
    np.testing.assert_array_equal(bg.p_alive(cdnow), clv.bgnbd_p_alive(bg, x, tx, T))
    np.testing.assert_array_equal(bg.p_alive(x, tx, T), clv.bgnbd_p_alive(bg, x, tx, T))
    np.testing.assert_array_equal(
        bg.conditional_expected_purchases(39, cdnow),
        clv.bgnbd_conditional_expected_purchases(bg, 39, x, tx, T),
    )
    np.testing.assert_array_equal(bg.loglik_of(cdnow), clv.bgnbd_loglik(bg, x, tx, T))
    assert float(np.sum(bg.loglik_of(cdnow))) == pytest.approx(bg.loglik, rel=1e-12)
    assert bg.expected_purchases(39.0) == clv.bgnbd_expected_purchases(bg, 39.0)
    assert bg.prob_purchases(2, 39.0) == clv.bgnbd_prob_purchases(bg, 39.0, 2)
    np.testing.assert_array_equal(
        gg.expected_spend(cdnow), clv.gamma_gamma_expected_spend(gg, x, m)
    )
    assert bg.params == {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b}


def test_summary_to_pandas_is_a_dataframe(bg: clv.BGNBDFit) -> None:
    assert isinstance(bg.summary().to_pandas(), pd.DataFrame)


def test_intervals_cover_the_truth_at_about_their_level() -> None:
    """Parameter recovery on simulated BG/NBD data: over 12 seeds of 4,000 customers the
    mean estimate is within 5% of the truth and the 95% intervals cover each parameter in
    at least 9 of 12 seeds (the binomial 1st percentile at p = 0.95 is 9)."""
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 3.0}
    fits = []
    for seed in range(12):
        log = datasets.simulate_bgnbd(4000, **truth, horizon=52.0, seed=seed)
        s = clv.rfm_summary(log.customer_id, log.ts, freq="D", freq_multiplier=7)
        fit = clv.fit_bgnbd(s)
        assert fit.converged, fit.message
        fits.append(fit)
    for name, value in truth.items():
        estimates = [getattr(f, name) for f in fits]
        assert np.mean(estimates) == pytest.approx(value, rel=0.05), name
        covered = sum(lo <= value <= hi for lo, hi in (f.conf_int()[name] for f in fits))
        assert covered >= 9, (name, covered)


# --------------------------------------------------------------------------- delta method
def test_delta_interval_of_a_parameter_is_its_wald_interval(bg: clv.BGNBDFit) -> None:
    est, lo, hi = bg.delta_interval(lambda m: m.r, transform="identity")
    z = stats.norm.ppf(0.975)
    se = bg.std_errors()["r"]
    assert float(est) == bg.r
    assert float(lo) == pytest.approx(bg.r - z * se, rel=1e-6)
    assert float(hi) == pytest.approx(bg.r + z * se, rel=1e-6)
    # log scale: the same interval as conf_int
    _, lo, hi = bg.delta_interval(lambda m: m.r)
    assert (float(lo), float(hi)) == pytest.approx(bg.conf_int()["r"], rel=1e-6)


def test_delta_interval_of_a_linear_combination_is_exact(bg: clv.BGNBDFit) -> None:
    cov = np.asarray(bg.covariance)
    grad = np.array([1.0, 2.0, 0.0, -3.0])
    want = math.sqrt(grad @ cov @ grad)
    _, lo, hi = bg.delta_interval(
        lambda m: m.r + 2 * m.alpha - 3 * m.b, level=0.9, transform="identity"
    )
    assert float(hi - lo) == pytest.approx(2 * stats.norm.ppf(0.95) * want, rel=1e-6)


def test_delta_interval_matches_parameter_draws(cdnow: clv.RFMSummary, bg: clv.BGNBDFit) -> None:
    """The SE of the total expected holdout purchases by the delta method against the
    standard deviation over 1,000 draws of the parameters from their asymptotic normal
    distribution (Monte Carlo error about 2 %; tolerance 10 %)."""

    def total(m: object) -> float:
        x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T
        return float(np.sum(clv.bgnbd_conditional_expected_purchases(m, 39, x, tx, T)))  # type: ignore[arg-type]

    _, lo, hi = bg.delta_interval(total, transform="identity")
    delta_se = float(hi - lo) / (2 * stats.norm.ppf(0.975))
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(list(bg.params.values()), np.asarray(bg.covariance), 1000)
    draws = draws[(draws > 0).all(axis=1)]
    totals = [total(dict(zip(bg.PARAMS, d, strict=True))) for d in draws]
    assert delta_se == pytest.approx(float(np.std(totals)), rel=0.10)


def test_delta_interval_respects_the_range(cdnow: clv.RFMSummary, bg: clv.BGNBDFit) -> None:
    est, lo, hi = bg.delta_interval(lambda m: m.p_alive(cdnow), transform="logit")
    assert ((lo >= 0) & (lo <= est) & (est <= hi) & (hi <= 1)).all()
    assert (lo[cdnow.frequency == 0] == 1.0).all()  # P(alive) = 1 exactly: no spread
    est, lo, hi = bg.delta_interval(lambda m: m.conditional_expected_purchases(39, cdnow))
    assert ((lo >= 0) & (lo <= est) & (est <= hi)).all()
    none = clv.fit_bgnbd([0, 0], [0.0, 0.0], [0.0, 0.0])
    est, lo, hi = none.delta_interval(lambda m: m.p_alive(1, 1.0, 2.0))
    assert math.isnan(float(lo))
    assert math.isnan(float(hi))
    with pytest.raises(ValueError, match="transform = 'probit' is not a known option"):
        bg.delta_interval(lambda m: m.r, transform="probit")
    with pytest.raises(ValueError, match=r"^level = 2.0"):
        bg.delta_interval(lambda m: m.r, level=2.0)


def test_delta_interval_works_for_every_model() -> None:
    fit = clv.fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    est, lo, hi = fit.delta_interval(lambda m: m.survival(12), transform="logit")
    assert 0 < float(lo) < float(est) < float(hi) < 1

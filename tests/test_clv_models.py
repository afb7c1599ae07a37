"""BG/NBD, Gamma-Gamma and CLV (CLV.md §2-§5): published figures, lifetimes parity,
analytic checks against numerical integration, robustness and serialisation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special, stats

import crm_metrics
from crm_metrics import clv, datasets
from crm_metrics.clv import bgnbd as bgnbd_module

REFERENCE = Path(__file__).parent / "data" / "clv" / "lifetimes_reference.npz"
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_PAPER = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def cdnow_weekly() -> dict[str, clv.RFMSummary]:
    """The classic calibration summaries: to 1997-09-30, weeks (D x7), with amounts."""
    out = {}
    for kind in ("sample", "master"):
        log = datasets.load_cdnow(kind)
        out[kind] = clv.rfm_summary(
            log.customer_id,
            log.ts,
            log.amount,
            freq="D",
            freq_multiplier=7,
            observation_end="1997-09-30",
        )
    return out


# --------------------------------------------------------------------------- published figures
def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow_weekly: dict[str, clv.RFMSummary]) -> None:
    s = cdnow_weekly["sample"]
    assert len(s) == 2357
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    assert fit.converged, fit.message
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 3), round(fit.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(fit.loglik, 1) == -9582.4
    assert fit.n_customers == 2357


def test_gamma_gamma_reproduces_fader_hardie_2013(cdnow_weekly: dict[str, clv.RFMSummary]) -> None:
    s = cdnow_weekly["sample"]
    gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    assert gg.converged, gg.message
    assert gg.n_customers == 946
    assert gg.n_ignored == 2357 - 946
    assert (round(gg.p, 2), round(gg.q, 2), round(gg.v, 2)) == (6.25, 3.74, 15.44)


# --------------------------------------------------------------------------- lifetimes parity
@pytest.mark.parametrize("kind", ["sample", "master"])
def test_fits_match_lifetimes(
    reference: dict[str, np.ndarray], cdnow_weekly: dict[str, clv.RFMSummary], kind: str
) -> None:
    s = cdnow_weekly[kind]
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    theirs = dict(zip(("r", "alpha", "a", "b"), reference[f"fit/{kind}/bgnbd"], strict=True))
    ll_theirs = float(np.sum(clv.bgnbd_loglik(theirs, s.frequency, s.recency, s.T)))
    assert fit.loglik >= ll_theirs - 1e-6 * abs(ll_theirs)
    assert math.isclose(fit.loglik, ll_theirs, rel_tol=1e-6)
    np.testing.assert_allclose(
        [fit.r, fit.alpha, fit.a, fit.b], reference[f"fit/{kind}/bgnbd"], rtol=1e-3
    )
    spend = s.frequency > 0
    spend &= s.monetary_value > 0  # master has one repeat customer whose purchases were $0
    gg = clv.fit_gamma_gamma(s.frequency[spend], s.monetary_value[spend])
    np.testing.assert_allclose([gg.p, gg.q, gg.v], reference[f"fit/{kind}/gamma_gamma"], rtol=1e-3)


def test_predictions_match_lifetimes_on_every_master_customer(
    reference: dict[str, np.ndarray], cdnow_weekly: dict[str, clv.RFMSummary]
) -> None:
    s = cdnow_weekly["master"]
    np.testing.assert_array_equal(s.customer_id, reference["fit/master/customer_id"])
    bg = dict(zip(("r", "alpha", "a", "b"), reference["fit/master/bgnbd"], strict=True))
    gg = dict(zip(("p", "q", "v"), reference["fit/master/gamma_gamma"], strict=True))
    x, tx, T, m = s.frequency, s.recency, s.T, s.monetary_value
    for i, t in enumerate(reference["fit/master/horizons"]):
        np.testing.assert_allclose(
            clv.bgnbd_conditional_expected_purchases(bg, t, x, tx, T),
            reference["fit/master/conditional_expected"][i],
            rtol=1e-8,
        )
    np.testing.assert_allclose(
        clv.bgnbd_p_alive(bg, x, tx, T), reference["fit/master/p_alive"], rtol=1e-8
    )
    np.testing.assert_allclose(
        clv.gamma_gamma_expected_spend(gg, x, m), reference["fit/master/expected_spend"], rtol=1e-8
    )
    np.testing.assert_allclose(
        clv.customer_lifetime_value(bg, gg, x, tx, T, m, time=12, discount_rate=0.01, freq="W"),
        reference["fit/master/clv"],
        rtol=1e-8,
    )


# --------------------------------------------------------------------------- BG/NBD analytics
def expected_by_quadrature(r: float, alpha: float, a: float, b: float, t: float) -> float:
    """E[X(t)] = E_p[(1 - (alpha / (alpha + p t))^r) / p], p ~ Beta(a, b), by quadrature."""

    def integrand(p: float) -> float:
        return -math.expm1(-r * math.log1p(p * t / alpha)) / p * stats.beta.pdf(p, a, b)

    value, _ = integrate.quad(integrand, 0.0, 1.0, epsabs=0.0, epsrel=1e-12, limit=200)
    return value


@pytest.mark.parametrize("a", [0.6, 0.999, 1.0 - 1e-7, 1.0, 1.0 + 3e-6, 1.7])
@pytest.mark.parametrize("t", [0.5, 39.0, 400.0])
def test_expected_purchases_equals_its_integral_including_a_equal_1(a: float, t: float) -> None:
    p = {**PAPER, "a": a}
    got = clv.bgnbd_expected_purchases(p, t)
    want = expected_by_quadrature(p["r"], p["alpha"], a, p["b"], t)
    assert math.isfinite(got)
    assert got == pytest.approx(want, rel=1e-8)


def test_expectation_bracket_matches_50_digit_reference() -> None:
    """mpmath values (benchmarks/make_lifetimes_reference.py) on a grid reaching x = 500,
    T = 20 000 and t = 36 500, where lifetimes' formula overflows."""
    with np.load(REFERENCE.with_name("bracket_mpmath.npz")) as grid:
        r, alpha, a, b, t, want = (grid[k] for k in ("r", "alpha", "a", "b", "t", "value"))
    got = np.array(
        [
            clv.bgnbd_expected_purchases({"r": ri, "alpha": ai, "a": aa, "b": bi}, ti)
            for ri, ai, aa, bi, ti in zip(r, alpha, a, b, t, strict=True)
        ]
    )
    np.testing.assert_allclose(got, want, rtol=1e-8)
    # lifetimes' expression of the same quantity (scipy's hyp2f1 in its variables)
    with np.errstate(all="ignore"):
        theirs = (
            (a + b - 1)
            / (a - 1)
            * (1 - special.hyp2f1(r, b, a + b - 1, t / (alpha + t)) * (alpha / (alpha + t)) ** r)
        )
    assert (~np.isfinite(theirs)).sum() > 20


def test_conditional_expectation_is_p_alive_times_the_posterior_expectation() -> None:
    x, tx, T, t = 3, 20.0, 35.0, 26.0
    post = expected_by_quadrature(PAPER["r"] + x, PAPER["alpha"] + T, PAPER["a"], PAPER["b"] + x, t)
    want = clv.bgnbd_p_alive(PAPER, x, tx, T) * post
    assert clv.bgnbd_conditional_expected_purchases(PAPER, t, x, tx, T) == pytest.approx(
        want, rel=1e-8
    )
    assert clv.bgnbd_conditional_expected_purchases(PAPER, 0.0, x, tx, T) == 0.0


def test_p_alive_hand_computed() -> None:
    x, tx, T = 2, 30.43, 38.86
    r, alpha, a, b = PAPER.values()
    want = 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
    assert clv.bgnbd_p_alive(PAPER, x, tx, T) == pytest.approx(want, rel=1e-12)
    assert clv.bgnbd_p_alive(PAPER, [0, 4], [0.0, 10.0], [5.0, 10.0]).tolist()[0] == 1.0


def prob_by_finite_sum(n: int, t: float) -> float:
    """FHL 2005 eq. (8) written out term by term."""
    r, alpha, a, b = PAPER.values()
    first = (
        special.beta(a, b + n)
        / special.beta(a, b)
        * special.gamma(r + n)
        / special.gamma(r)
        / math.factorial(n)
        * (alpha / (alpha + t)) ** r
        * (t / (alpha + t)) ** n
    )
    if n == 0:
        return float(first)
    partial = sum(
        special.gamma(r + j) / special.gamma(r) / math.factorial(j) * (t / (alpha + t)) ** j
        for j in range(n)
    )
    second = (
        special.beta(a + 1, b + n - 1)
        / special.beta(a, b)
        * (1 - (alpha / (alpha + t)) ** r * partial)
    )
    return float(first + second)


def test_prob_purchases_equals_the_finite_sum_and_sums_to_one() -> None:
    for n in (0, 1, 2, 7):
        assert clv.bgnbd_prob_purchases(PAPER, 39.0, n) == pytest.approx(
            prob_by_finite_sum(n, 39.0), rel=1e-10
        )
    probs = clv.bgnbd_prob_purchases(PAPER, 39.0, np.arange(4000))
    assert probs.sum() == pytest.approx(1.0, abs=1e-6)
    mean = float(np.arange(4000) @ probs)
    assert mean == pytest.approx(clv.bgnbd_expected_purchases(PAPER, 39.0), rel=1e-4)
    assert clv.bgnbd_prob_purchases(PAPER, 0.0, [0, 1]).tolist() == [1.0, 0.0]


def test_loglik_hand_computed_and_sums_to_the_fit(cdnow_weekly: dict[str, clv.RFMSummary]) -> None:
    r, alpha, a, b = PAPER.values()
    x, tx, T = 2, 30.43, 38.86
    want = (
        math.lgamma(r + x)
        - math.lgamma(r)
        + r * math.log(alpha)
        + math.log(special.beta(a, b + x) / special.beta(a, b))
        + math.log((alpha + T) ** -(r + x) + a / (b + x - 1) * (alpha + tx) ** -(r + x))
    )
    assert clv.bgnbd_loglik(PAPER, x, tx, T) == pytest.approx(want, rel=1e-12)
    s = cdnow_weekly["sample"]
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    total = float(np.sum(clv.bgnbd_loglik(fit, s.frequency, s.recency, s.T)))
    assert total == pytest.approx(fit.loglik, rel=1e-12)


def test_analytic_gradient_matches_finite_differences(
    cdnow_weekly: dict[str, clv.RFMSummary],
) -> None:
    s = cdnow_weekly["sample"]
    x = s.frequency.astype(float)
    triples = bgnbd_module._Triples(x, s.recency, s.T, np.ones_like(x))
    h = 1e-6
    for penalizer in (0.0, 0.1):
        for theta in (np.log([0.3, 0.2, 0.8, 2.0]), np.log([2.0, 1.5, 1.3, 0.7])):
            _, grad = bgnbd_module._objective(theta, triples, penalizer)
            for i in range(4):
                step = np.zeros(4)
                step[i] = h
                up = bgnbd_module._objective(theta + step, triples, penalizer)[0]
                down = bgnbd_module._objective(theta - step, triples, penalizer)[0]
                assert grad[i] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-8)


def test_weights_equal_repeated_rows() -> None:
    x, tx, T = np.array([0, 1, 3, 2]), np.array([0.0, 5.0, 20.0, 9.0]), np.array([30.0] * 4)
    w = np.array([3, 1, 2, 4])
    weighted = clv.fit_bgnbd(x, tx, T, weights=w)
    repeated = clv.fit_bgnbd(np.repeat(x, w), np.repeat(tx, w), np.repeat(T, w))
    assert weighted.n_customers == 10
    assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-9)
    np.testing.assert_allclose(
        [weighted.r, weighted.alpha, weighted.a, weighted.b],
        [repeated.r, repeated.alpha, repeated.a, repeated.b],
        rtol=1e-4,
    )


def test_penalizer_shrinks_the_parameters(cdnow_weekly: dict[str, clv.RFMSummary]) -> None:
    s = cdnow_weekly["sample"]
    free = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    penal = clv.fit_bgnbd(s.frequency, s.recency, s.T, penalizer=0.1)
    assert penal.loglik < free.loglik
    norm = lambda f: f.r**2 + f.alpha**2 + f.a**2 + f.b**2  # noqa: E731
    assert norm(penal) < norm(free)


def test_parameter_recovery_from_simulated_log() -> None:
    truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    log = datasets.simulate_bgnbd(
        200_000, *truth.values(), horizon=78.0, acquisition_window=12.0, seed=20260101
    )
    s = clv.rfm_summary(log.customer_id, log.ts, freq="h", freq_multiplier=168)
    assert len(s) == 200_000
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    assert fit.converged
    for name, value in truth.items():
        assert getattr(fit, name) == pytest.approx(value, rel=0.05), name


def test_simulation_is_deterministic_and_follows_the_model() -> None:
    args = (2000, 0.5, 2.0, 1.0, 3.0)
    one = datasets.simulate_bgnbd(*args, horizon=52.0, spend=(6.0, 4.0, 15.0), seed=5)
    two = datasets.simulate_bgnbd(*args, horizon=52.0, spend=(6.0, 4.0, 15.0), seed=5)
    np.testing.assert_array_equal(one.ts, two.ts)
    np.testing.assert_array_equal(one.amount, two.amount)
    assert one.ts.min() == np.datetime64("2000-01-03")
    assert one.ts.max() <= np.datetime64("2000-01-03") + np.timedelta64(52 * 7, "D")
    assert len(np.unique(one.customer_id)) == 2000
    plain = datasets.simulate_bgnbd(*args, horizon=52.0, seed=5)
    assert (plain.amount == 0).all()
    # mean repeat purchases of a cohort acquired together = E[X(52)]
    big = datasets.simulate_bgnbd(100_000, *args[1:], horizon=52.0, seed=9, unit="D")
    s = clv.rfm_summary(big.customer_id, big.ts, freq="s", freq_multiplier=86_400)
    params = dict(zip(["r", "alpha", "a", "b"], args[1:], strict=True))
    want = clv.bgnbd_expected_purchases(params, 52.0)
    assert s.frequency.mean() == pytest.approx(want, rel=0.03)


# --------------------------------------------------------------------------- robustness
def test_uniform_log_returns_best_parameters_with_a_plain_message() -> None:
    """CLV.md §6's uniform log (at 1/10 scale): no dropout signal, maximum on the boundary."""
    rng = np.random.default_rng(0)
    customer_id = rng.integers(0, 10_000, 100_000)
    secs = rng.integers(0, 730 * 86_400, 100_000)
    ts = np.datetime64("2022-01-01T00:00:00") + secs.astype("timedelta64[s]")
    s = clv.rfm_summary(customer_id, ts)
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    assert not fit.converged
    assert fit.message.startswith("did not converge: the likelihood keeps increasing")
    assert "a = " in fit.message
    assert all(math.isfinite(v) and v > 0 for v in (fit.r, fit.alpha, fit.a, fit.b))
    assert math.isfinite(fit.loglik)


def test_extreme_customers_stay_finite() -> None:
    x = np.array([500, 500, 0, 1, 200])
    T = np.array([20_000.0, 20_000.0, 20_000.0, 20_000.0, 3.0])
    tx = np.array([20_000.0, 10.0, 0.0, 20_000.0, 3.0])
    daily = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
    assert np.isfinite(clv.bgnbd_loglik(daily, x, tx, T)).all()
    alive = clv.bgnbd_p_alive(daily, x, tx, T)
    assert ((alive >= 0) & (alive <= 1)).all()
    for t in (1.0, 365.0, 36_500.0):
        cond = clv.bgnbd_conditional_expected_purchases(daily, t, x, tx, T)
        assert np.isfinite(cond).all()
        assert (cond >= 0).all()
    assert math.isfinite(clv.bgnbd_expected_purchases(daily, 1e7))


def test_gamma_gamma_q_at_most_one_is_refused() -> None:
    bad = {"p": 2.0, "q": 0.9, "v": 10.0}
    with pytest.raises(
        ValueError, match=r"params\['q'\] = 0.9 is not above 1.0: .* no finite mean"
    ):
        clv.gamma_gamma_expected_spend(bad, 3, 20.0)
    with pytest.raises(ValueError, match=r"gamma_gamma\['q'\] = 1.0 is not above 1.0"):
        clv.customer_lifetime_value(PAPER, {**bad, "q": 1.0}, 3, 10.0, 20.0, 20.0)


def test_gamma_gamma_fit_refuses_non_positive_spend_of_repeaters() -> None:
    with pytest.raises(ValueError, match=r"monetary_value\[1\] = 0.0 is not positive"):
        clv.fit_gamma_gamma([0, 2, 1], [0.0, 0.0, 5.0])


def test_expected_spend_and_correlation_hand_computed() -> None:
    p, q, v = GG_PAPER.values()
    assert clv.gamma_gamma_expected_spend(GG_PAPER, 4, 30.0) == pytest.approx(
        p * (v + 4 * 30.0) / (p * 4 + q - 1), rel=1e-12
    )
    assert clv.gamma_gamma_expected_spend(GG_PAPER, 0, 0.0) == pytest.approx(p * v / (q - 1))
    x, m = [1, 2, 3, 0, 5], [10.0, 30.0, 20.0, 0.0, 25.0]
    want = float(np.corrcoef([1, 2, 3, 5], [10.0, 30.0, 20.0, 25.0])[0, 1])
    assert clv.gamma_gamma_correlation(x, m) == pytest.approx(want, rel=1e-12)
    assert math.isnan(clv.gamma_gamma_correlation([1, 0], [3.0, 0.0]))


def test_clv_equals_the_discounted_monthly_increments() -> None:
    x, tx, T, m = (
        np.array([0, 2, 5]),
        np.array([0.0, 30.43, 12.0]),
        np.array([10.0, 38.86, 40.0]),
        np.array([0.0, 40.0, 12.5]),
    )
    got = clv.customer_lifetime_value(
        PAPER, GG_PAPER, x, tx, T, m, time=6, discount_rate=0.02, freq="W"
    )
    spend = clv.gamma_gamma_expected_spend(GG_PAPER, x, m)
    want = np.zeros(3)
    for i in range(1, 7):
        step = clv.bgnbd_conditional_expected_purchases(
            PAPER, i * 4.345, x, tx, T
        ) - clv.bgnbd_conditional_expected_purchases(PAPER, (i - 1) * 4.345, x, tx, T)
        want += spend * step / 1.02**i
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 1.0, 2.0, 5.0, time=0) == 0.0
    hourly = clv.customer_lifetime_value(PAPER, GG_PAPER, x, tx * 168, T * 168, m, freq="H")
    assert np.allclose(
        hourly, clv.customer_lifetime_value(PAPER, GG_PAPER, x, tx * 168, T * 168, m, freq="h")
    )
    with pytest.raises(ValueError, match="freq = 'Y' is not a known option"):
        clv.customer_lifetime_value(PAPER, GG_PAPER, x, tx, T, m, freq="Y")


# --------------------------------------------------------------------------- serialisation
def test_fitted_models_round_trip_through_json(cdnow_weekly: dict[str, clv.RFMSummary]) -> None:
    s = cdnow_weekly["sample"]
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    again = clv.BGNBDFit.model_validate_json(fit.model_dump_json())
    assert again == fit
    gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    assert clv.GammaGammaFit.model_validate_json(gg.model_dump_json()) == gg
    # a round-tripped fit predicts exactly what the original does
    assert clv.bgnbd_p_alive(again, 2, 3.0, 9.0) == clv.bgnbd_p_alive(fit, 2, 3.0, 9.0)
    assert clv.bgnbd_p_alive(fit.model_dump(), 2, 3.0, 9.0) == clv.bgnbd_p_alive(fit, 2, 3.0, 9.0)


def test_nothing_in_the_library_pickles() -> None:
    root = Path(crm_metrics.__file__).parent
    for path in [*root.joinpath("clv").glob("*.py"), root / "datasets" / "__init__.py"]:
        source = path.read_text()
        assert "pickle" not in source, path
        assert "dill" not in source, path


def test_model_validation_errors() -> None:
    with pytest.raises(TypeError, match="params must be a fitted model or a mapping with keys"):
        clv.bgnbd_p_alive({"r": 1.0}, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match=r"params\['alpha'\] = -1.0 must be a finite number > 0"):
        clv.bgnbd_expected_purchases({**PAPER, "alpha": -1.0}, 3.0)
    with pytest.raises(ValueError, match=r"recency\[1\] = 9.0 exceeds T\[1\] = 5.0"):
        clv.fit_bgnbd([1, 2], [1.0, 9.0], [5.0, 5.0])
    with pytest.raises(
        ValueError, match=r"recency\[0\] = 1.0 is not 0 although frequency\[0\] = 0"
    ):
        clv.fit_bgnbd([0, 2], [1.0, 3.0], [5.0, 5.0])
    with pytest.raises(ValueError, match=r"frequency = -1.0 is negative"):
        clv.bgnbd_p_alive(PAPER, -1, 0.0, 5.0)
    with pytest.raises(ValueError, match=r"T\[1\] = nan"):
        clv.fit_bgnbd([0, 2], [0.0, 3.0], [5.0, np.nan])
    with pytest.raises(ValueError, match="recency has length 1 but frequency has length 2"):
        clv.fit_bgnbd([0, 2], [0.0], [5.0, 5.0])


def test_empty_fits_do_not_raise() -> None:
    fit = clv.fit_bgnbd([], [], [])
    assert not fit.converged
    assert fit.n_customers == 0
    gg = clv.fit_gamma_gamma([0, 0], [0.0, 0.0])
    assert not gg.converged
    assert gg.n_ignored == 2

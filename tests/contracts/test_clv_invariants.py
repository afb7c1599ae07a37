"""Property tests of crm_metrics.clv (CLV.md §1-§4; METRICS.md §7 items 4, 6, 7 as they
apply to summaries and models), with hypothesis."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from crm_metrics import clv

from .registry_clv import GG_PAPER, PAPER, bgnbd_params, gg_params

RTOL = 1e-9
BASE = np.datetime64("2024-01-01T00:00:00", "ns")
FREQS = [("D", 1), ("W", 1), ("D", 7), ("h", 24), ("min", 1), ("s", 60)]


@st.composite
def logs(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    secs = draw(st.lists(st.integers(0, 90 * 86_400), min_size=n, max_size=n))
    money = draw(st.lists(st.floats(-50.0, 500.0), min_size=n, max_size=n))
    return {
        "customer_id": np.array(ids),
        "ts": BASE + np.array(secs).astype("timedelta64[s]"),
        "monetary": np.array(money),
    }


def same(a: Any, b: Any) -> None:
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-9)


def summary_arrays(s: clv.RFMSummary) -> list[Any]:
    return [s.customer_id, s.frequency, s.recency, s.T, s.monetary_value]


@given(log=logs(), freq=st.sampled_from(FREQS), data=st.data())
def test_rfm_summary_permutation_invariance(
    log: dict[str, Any], freq: tuple[str, int], data: st.DataObject
) -> None:
    order = np.array(data.draw(st.permutations(range(len(log["ts"])))), dtype=np.intp)
    kw = {"freq": freq[0], "freq_multiplier": freq[1]}
    a = clv.rfm_summary(**log, **kw)
    b = clv.rfm_summary(**{k: v[order] for k, v in log.items()}, **kw)
    for x, y in zip(summary_arrays(a), summary_arrays(b), strict=True):
        same(x, y)


@given(log=logs(), freq=st.sampled_from(FREQS), weeks=st.integers(-500, 500))
def test_rfm_summary_shift_by_whole_weeks(
    log: dict[str, Any], freq: tuple[str, int], weeks: int
) -> None:
    kw = {"freq": freq[0], "freq_multiplier": freq[1]}
    a = clv.rfm_summary(**log, **kw)
    shifted = {**log, "ts": log["ts"] + np.timedelta64(7 * weeks, "D")}
    b = clv.rfm_summary(**shifted, **kw)
    for x, y in zip(summary_arrays(a), summary_arrays(b), strict=True):
        same(x, y)


@given(log=logs(), freq=st.sampled_from(FREQS), c=st.floats(0.01, 100.0))
def test_rfm_summary_structure_and_money_scale(
    log: dict[str, Any], freq: tuple[str, int], c: float
) -> None:
    kw = {"freq": freq[0], "freq_multiplier": freq[1]}
    s = clv.rfm_summary(**log, **kw)
    assert (np.diff(s.customer_id) > 0).all()
    assert ((s.recency >= 0) & (s.recency <= s.T)).all()
    assert (s.recency[s.frequency == 0] == 0).all()
    assert int(s.frequency.sum()) + len(s) <= len(log["ts"])
    scaled = clv.rfm_summary(**{**log, "monetary": c * log["monetary"]}, **kw)
    assert scaled.monetary_value is not None
    assert s.monetary_value is not None
    np.testing.assert_allclose(scaled.monetary_value, c * s.monetary_value, rtol=1e-9, atol=1e-7)
    first = clv.rfm_summary(**log, **kw, include_first=True)
    np.testing.assert_array_equal(first.frequency, s.frequency + 1)
    # one customer's row equals the summary of that customer's rows alone (same end)
    end = log["ts"].max()
    for i, who in enumerate(s.customer_id):
        mine = log["customer_id"] == who
        alone = clv.rfm_summary(**{k: v[mine] for k, v in log.items()}, **kw, observation_end=end)
        assert alone.frequency.tolist() == [s.frequency[i]]
        same(alone.recency, s.recency[i : i + 1])
        same(alone.T, s.T[i : i + 1])
        assert alone.monetary_value is not None
        same(alone.monetary_value, s.monetary_value[i : i + 1])


@st.composite
def extreme_customers(draw: st.DrawFn) -> dict[str, np.ndarray[Any, Any]]:
    """Many purchases, decades of daily data, recency = T, frequency 0 with large T."""
    n = draw(st.integers(1, 12))
    x = np.array(draw(st.lists(st.sampled_from([0, 1, 2, 50, 500]), min_size=n, max_size=n)))
    age = np.array(
        draw(st.lists(st.sampled_from([0.0, 1.0, 365.0, 20_000.0]), min_size=n, max_size=n))
    )
    share = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n, max_size=n)))
    tx = np.where(x == 0, 0.0, age * share)
    return {"frequency": x, "recency": tx, "T": age}


@given(params=bgnbd_params, c=extreme_customers(), t=st.sampled_from([0.0, 1.0, 365.0, 36_500.0]))
def test_bgnbd_numerical_robustness(params: dict[str, float], c: dict[str, Any], t: float) -> None:
    ll = clv.bgnbd_loglik(params, **c)
    assert np.isfinite(ll).all()
    alive = clv.bgnbd_p_alive(params, **c)
    assert ((alive >= 0) & (alive <= 1)).all()
    cond = clv.bgnbd_conditional_expected_purchases(params, t, **c)
    assert np.isfinite(cond).all()
    assert (cond >= 0).all()
    assert np.isfinite(clv.bgnbd_expected_purchases(params, t))


@given(params=bgnbd_params, c=extreme_customers())
def test_expected_purchases_grow_with_the_horizon(
    params: dict[str, float], c: dict[str, Any]
) -> None:
    horizons = np.array([0.0, 1.0, 10.0, 100.0, 1000.0])[:, None]
    cond = clv.bgnbd_conditional_expected_purchases(params, horizons, **c)
    assert (np.diff(cond, axis=0) >= -1e-9 * np.abs(cond[1:]).max(initial=1.0)).all()
    new = clv.bgnbd_expected_purchases(params, horizons[:, 0])
    assert (np.diff(new) >= -1e-12 * max(new.max(), 1.0)).all()


@given(params=bgnbd_params, t=st.floats(0.0, 200.0))
def test_purchase_count_probabilities_sum_to_at_most_one(
    params: dict[str, float], t: float
) -> None:
    probs = clv.bgnbd_prob_purchases(params, t, np.arange(300))
    assert ((probs >= 0) & (probs <= 1)).all()
    assert probs.sum() <= 1.0 + 1e-9


@given(
    bg=bgnbd_params,
    gg=gg_params,
    c=extreme_customers(),
    money=st.floats(0.01, 1000.0),
    scale=st.floats(0.01, 100.0),
)
def test_clv_scales_with_money_and_is_monotone(
    bg: dict[str, float], gg: dict[str, float], c: dict[str, Any], money: float, scale: float
) -> None:
    m = np.full(len(c["T"]), money)
    value = clv.customer_lifetime_value(bg, gg, **c, monetary_value=m, freq="D")
    assert np.isfinite(value).all()
    assert (value >= 0).all()
    # money scale: multiplying every amount by c multiplies v (a rate on money) and CLV by c
    scaled = clv.customer_lifetime_value(
        bg, {**gg, "v": gg["v"] * scale}, **c, monetary_value=m * scale, freq="D"
    )
    np.testing.assert_allclose(scaled, value * scale, rtol=1e-9, atol=1e-12)
    longer = clv.customer_lifetime_value(bg, gg, **c, monetary_value=m, freq="D", time=24)
    assert (longer >= value * (1 - 1e-12)).all()
    dearer = clv.customer_lifetime_value(
        bg, gg, **c, monetary_value=m, freq="D", discount_rate=0.05
    )
    assert (dearer <= value * (1 + 1e-12)).all()


def test_clv_units_agree() -> None:
    """The same customer in weeks (freq="W") and in days (x7, freq="D") differ only by
    the month length in each unit (4.345 weeks vs 30 days)."""
    weekly = clv.customer_lifetime_value(PAPER, GG_PAPER, 2, 30.0, 40.0, 20.0, freq="W")
    daily_params = {**PAPER, "alpha": PAPER["alpha"] * 7}
    days = clv.customer_lifetime_value(
        daily_params, GG_PAPER, 2, 210.0, 280.0, 20.0, freq="D", time=12
    )
    assert abs(days - weekly) / weekly < 0.02  # 30 days = 4.286 weeks, not 4.345


@given(
    data=st.data(),
    n=st.integers(1, 30),
)
def test_rfm_segments_permutation_equivariance(data: st.DataObject, n: int) -> None:
    recency = np.array(data.draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), float)
    frequency = np.array(data.draw(st.lists(st.integers(1, 6), min_size=n, max_size=n)))
    money = np.array(data.draw(st.lists(st.floats(-10.0, 100.0), min_size=n, max_size=n)))
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.intp)
    whole = clv.rfm_segments(recency, frequency, money)
    moved = clv.rfm_segments(recency[order], frequency[order], money[order])
    np.testing.assert_array_equal(moved.rfm_score, whole.rfm_score[order])
    np.testing.assert_array_equal(moved.segment, whole.segment[order])
    for scores in (whole.recency_score, whole.frequency_score, whole.monetary_score):
        assert ((scores >= 1) & (scores <= 4)).all()
    # a more recent buyer never scores lower on recency
    ranks = np.argsort(recency, kind="stable")
    assert (np.diff(whole.recency_score[ranks]) <= 0).all()


# --------------------------------------------------------------------------- diagnostics
@st.composite
def histories(draw: st.DrawFn) -> dict[str, np.ndarray[Any, Any]]:
    """Consistent customers: recency <= T, recency 0 without a repeat purchase."""
    n = draw(st.integers(1, 30))
    x = np.array(draw(st.lists(st.integers(0, 25), min_size=n, max_size=n)))
    age = np.array(draw(st.lists(st.floats(0.0, 200.0), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    holdout = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    return {"x": x, "tx": np.where(x > 0, share * age, 0.0), "T": age, "y": holdout}


def _fit(params: dict[str, float]) -> clv.BGNBDFit:
    return clv.BGNBDFit(
        **params, loglik=0.0, n_customers=1, converged=True, iterations=0, message=""
    )


@given(params=bgnbd_params, h=histories(), k=st.integers(1, 12), data=st.data())
def test_period_transactions_bins_add_up(
    params: dict[str, float], h: dict[str, Any], k: int, data: st.DataObject
) -> None:
    """Expected counts sum to the customers; a coarser last bin is the sum of the finer
    bins it merges; the order of the customers does not matter."""
    fit = _fit(params)
    fine = clv.period_transactions_data(fit, h["x"], h["T"], max_frequency=k + 3)
    coarse = clv.period_transactions_data(fit, h["x"], h["T"], max_frequency=k)
    n = len(h["x"])
    assert (fine.expected >= 0).all()
    np.testing.assert_allclose(fine.expected.sum(), n, rtol=RTOL)
    same(coarse.expected[:k], fine.expected[:k])
    same(coarse.expected[k], fine.expected[k:].sum())
    assert coarse.actual[k] == fine.actual[k:].sum()
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.intp)
    shuffled = clv.period_transactions_data(fit, h["x"][order], h["T"][order], max_frequency=k)
    same(shuffled.expected, coarse.expected)


@given(params=bgnbd_params, h=histories(), k=st.integers(1, 12), tau=st.floats(0.0, 100.0))
def test_calibration_holdout_means_weigh_back_to_the_totals(
    params: dict[str, float], h: dict[str, Any], k: int, tau: float
) -> None:
    fit = _fit(params)
    d = clv.calibration_holdout_data(fit, h["x"], h["tx"], h["T"], h["y"], tau, max_frequency=k)
    assert int(d.n_customers.sum()) == len(h["x"])
    assert np.isnan(d.actual[d.n_customers == 0]).all()
    np.testing.assert_allclose(np.nansum(d.n_customers * d.actual), h["y"].sum(), rtol=RTOL)
    total = float(np.sum(fit.conditional_expected_purchases(tau, h["x"], h["tx"], h["T"])))
    np.testing.assert_allclose(
        np.nansum(d.n_customers * d.expected), total, rtol=RTOL, atol=1e-9 * max(total, 1.0)
    )

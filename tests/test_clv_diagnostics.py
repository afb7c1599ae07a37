"""The diagnostic records of crm_metrics.clv and their charts (Agg canvas, no display)."""

from __future__ import annotations

import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from crm_metrics import clv, datasets

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
RECORD = {"loglik": 0.0, "n_customers": 1, "converged": True, "iterations": 0, "message": ""}
BG = clv.BGNBDFit(**PAPER, **RECORD)
MBG = clv.MBGNBDFit(r=0.525, alpha=6.183, a=0.891, b=1.614, **RECORD)
PNBD = clv.ParetoNBDFit(r=0.553, alpha=10.578, s=0.606, beta=11.669, **RECORD)


def bg_p0(t: float) -> float:
    """P(X(t) = 0) of a new BG/NBD customer, by hand: (alpha / (alpha + t))^r."""
    return (PAPER["alpha"] / (PAPER["alpha"] + t)) ** PAPER["r"]


def bg_p1(t: float) -> float:
    """P(X(t) = 1), by hand: b/(a+b) r pi^r (1 - pi) + a/(a+b) (1 - pi^r)."""
    r, alpha, a, b = PAPER["r"], PAPER["alpha"], PAPER["a"], PAPER["b"]
    pi = alpha / (alpha + t)
    return b / (a + b) * r * pi**r * (1 - pi) + a / (a + b) * (1 - pi**r)


@pytest.fixture(scope="module")
def cdnow() -> clv.CalibrationHoldout:
    log = datasets.load_cdnow("sample")
    return clv.calibration_holdout(
        log.customer_id, log.ts, calibration_end="1997-09-30", freq="D", freq_multiplier=7
    )


# --------------------------------------------------------------------------- period transactions
def test_period_transactions_by_hand() -> None:
    d = clv.period_transactions_data(BG, [0, 1, 1, 5, 2], [10.0, 20.0, 20.0, 20.0, 10.0],
                                     max_frequency=2)  # fmt: skip
    assert d.frequency.tolist() == [0, 1, 2]
    assert d.labels == ("0", "1", "2+")
    assert d.actual.tolist() == [1, 2, 2]
    expected0 = 2 * bg_p0(10.0) + 3 * bg_p0(20.0)
    expected1 = 2 * bg_p1(10.0) + 3 * bg_p1(20.0)
    np.testing.assert_allclose(d.expected, [expected0, expected1, 5 - expected0 - expected1],
                               rtol=1e-9)  # fmt: skip


@pytest.mark.parametrize("fit", [BG, MBG])
def test_period_transactions_sum_to_the_customers(fit: Any) -> None:
    rng = np.random.default_rng(3)
    age = rng.uniform(0.0, 80.0, 300)
    x = rng.integers(0, 12, 300)
    d = clv.period_transactions_data(fit, x, age, max_frequency=5)
    assert int(d.actual.sum()) == 300
    assert math.isclose(float(d.expected.sum()), 300.0, rel_tol=1e-9)
    assert (d.expected >= 0).all()
    # the model's own predictions, customer by customer
    own = sum(np.asarray(fit.prob_purchases(np.arange(5), a)) for a in age)
    np.testing.assert_allclose(d.expected[:5], own, rtol=1e-9)


def test_period_transactions_in_blocks_equals_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ages are evaluated in bounded blocks; the block size does not change the result."""
    from crm_metrics.clv import diagnostics

    age = np.linspace(0.0, 50.0, 101)
    x = np.arange(101) % 9
    whole = clv.period_transactions_data(BG, x, age, max_frequency=6)
    monkeypatch.setattr(diagnostics, "_CELLS", 13)  # two ages per block, 51 blocks
    blocks = clv.period_transactions_data(BG, x, age, max_frequency=6)
    np.testing.assert_allclose(blocks.expected, whole.expected, rtol=1e-12)


def test_period_transactions_from_a_summary_equals_the_arrays(cdnow: Any) -> None:
    s = cdnow.calibration()
    a = clv.period_transactions_data(BG, s)
    b = clv.period_transactions_data(BG, s.frequency, s.T)
    assert a == b
    assert a.labels[-1] == "7+"
    assert int(a.actual.sum()) == len(s)
    frame = a.to_pandas()
    assert list(frame.columns) == ["actual", "expected"]
    assert frame.index.tolist() == list(a.labels)


def test_period_transactions_on_simulated_bgnbd_agree() -> None:
    """On 4,000 customers drawn from BG/NBD itself the bins agree within 4 standard
    deviations of a count, sqrt(expected), in every bin."""
    log = datasets.simulate_bgnbd(4000, **PAPER, horizon=39.0, acquisition_window=12.0, seed=7)
    end = np.datetime64("2000-01-03") + np.timedelta64(39 * 7, "D")
    s = clv.rfm_summary(log.customer_id, log.ts, freq="s", freq_multiplier=7 * 86_400,
                        observation_end=end)  # fmt: skip
    d = clv.period_transactions_data(BG, s)
    assert np.all(np.abs(d.actual - d.expected) <= 4 * np.sqrt(d.expected)), (d.actual, d.expected)


def test_period_transactions_refuses_a_model_without_prob_purchases() -> None:
    with pytest.raises(TypeError, match=r"model is a ParetoNBDFit, which has no prob_purchases"):
        clv.period_transactions_data(PNBD, [0, 1], [5.0, 5.0])
    with pytest.raises(TypeError, match="model must be a fitted purchase model"):
        clv.period_transactions_data(PAPER, [0, 1], [5.0, 5.0])


def test_period_transactions_bad_input() -> None:
    with pytest.raises(ValueError, match=r"frequency\[1\] = -1"):
        clv.period_transactions_data(BG, [0, -1], [5.0, 5.0])
    with pytest.raises(ValueError, match="max_frequency = 0"):
        clv.period_transactions_data(BG, [0, 1], [5.0, 5.0], max_frequency=0)
    with pytest.raises(TypeError, match="do not pass T"):
        clv.period_transactions_data(
            BG, clv.RFMSummary(np.arange(1), np.zeros(1, np.int64), np.zeros(1), np.ones(1)), T=[1]
        )


# --------------------------------------------------------------------------- calibration/holdout
def test_calibration_holdout_by_hand() -> None:
    x = np.array([0, 0, 1, 3, 4])
    tx = np.array([0.0, 0.0, 5.0, 20.0, 30.0])
    age = np.array([30.0, 40.0, 30.0, 30.0, 35.0])
    y = np.array([0, 2, 1, 4, 1])
    d = clv.calibration_holdout_data(BG, x, tx, age, y, 26.0, max_frequency=3)
    assert d.n_customers.tolist() == [2, 1, 0, 2]
    np.testing.assert_array_equal(d.actual, [1.0, 1.0, np.nan, 2.5])
    pred = [
        float(clv.bgnbd_conditional_expected_purchases(BG, 26.0, *c))
        for c in zip(x, tx, age, strict=True)
    ]
    want = [(pred[0] + pred[1]) / 2, pred[2], np.nan, (pred[3] + pred[4]) / 2]
    np.testing.assert_allclose(d.expected, want, rtol=1e-9)
    assert d.duration_holdout == 26.0
    assert d.to_pandas().shape == (4, 3)


@pytest.mark.parametrize("fit_name", ["fit_bgnbd", "fit_mbgnbd", "fit_pareto_nbd"])
def test_calibration_holdout_on_cdnow_keeps_the_totals(cdnow: Any, fit_name: str) -> None:
    """Weighted by the bin sizes, the means give back the totals: 1,882 purchase weeks
    observed and the model's own holdout forecast."""
    fit = getattr(clv, fit_name)(cdnow)
    d = clv.calibration_holdout_data(fit, cdnow)
    assert d == clv.calibration_holdout_data(
        fit, cdnow.frequency, cdnow.recency, cdnow.T, cdnow.frequency_holdout, 39.0
    )
    assert int(d.n_customers.sum()) == 2357
    assert math.isclose(float(np.nansum(d.n_customers * d.actual)), 1882.0, rel_tol=1e-12)
    total = float(np.sum(fit.conditional_expected_purchases(39.0, cdnow)))
    assert math.isclose(float(np.nansum(d.n_customers * d.expected)), total, rel_tol=1e-9)


def test_calibration_holdout_needs_a_holdout_summary(cdnow: Any) -> None:
    with pytest.raises(TypeError, match="has no frequency_holdout"):
        clv.calibration_holdout_data(BG, cdnow.calibration())


# --------------------------------------------------------------------------- frequency x recency
@pytest.mark.parametrize("fit", [BG, MBG, PNBD])
def test_matrix_equals_the_model_cell_by_cell(fit: Any) -> None:
    m = clv.frequency_recency_matrix_data(fit, 10.5, max_frequency=4, t=13.0)
    assert m.values.shape == (5, 11)
    assert m.recency.tolist() == list(range(11))
    for i in range(5):
        for j in range(11):
            if i == 0 and j > 0:
                assert np.isnan(m.values[i, j])
            else:
                want = float(fit.conditional_expected_purchases(13.0, i, float(j), 10.5))
                assert math.isclose(m.values[i, j], want, rel_tol=1e-9)
    alive = clv.frequency_recency_matrix_data(fit, 10.5, max_frequency=4, what="p_alive")
    assert math.isclose(alive.values[3, 7], float(fit.p_alive(3, 7.0, 10.5)), rel_tol=1e-9)
    assert alive.to_pandas().shape == (5, 11)


def test_matrix_defaults_and_errors() -> None:
    m = clv.frequency_recency_matrix_data(BG, 6.5)
    assert m.frequency.tolist() == list(range(8))  # ceil(T)
    assert m.recency.tolist() == list(range(7))  # floor(T)
    # P(alive) is 1 at recency = T for BG/NBD: 1 / (1 + a / (b + x - 1))
    m = clv.frequency_recency_matrix_data(BG, 6.0, what="p_alive")
    assert math.isclose(m.values[2, 6], 1 / (1 + PAPER["a"] / (PAPER["b"] + 1)), rel_tol=1e-9)
    with pytest.raises(ValueError, match=r"max_recency = 7 exceeds T = 6\.5"):
        clv.frequency_recency_matrix_data(BG, 6.5, max_recency=7)
    big = clv.frequency_recency_matrix_data(BG, 5000.0, max_frequency=2)
    assert big.values.shape == (3, 1001)  # the default recency grid stops at 1000
    with pytest.raises(ValueError, match="what"):
        clv.frequency_recency_matrix_data(BG, 6.5, what="clv")


# --------------------------------------------------------------------------- P(alive) history
def test_p_alive_history_by_hand() -> None:
    """Purchases on days 0 and 2 (two on day 2), shown to day 4: P(alive) is 1 until the
    first repeat purchase, then 1 / (1 + a / b * ((alpha + T) / (alpha + 2))^(r + 1))."""
    h = clv.p_alive_history_data(
        BG, ["2024-01-03T09:00", "2024-01-01T12:00", "2024-01-03T18:00"], end="2024-01-05T23:00"
    )
    assert (
        h.ts.tolist()
        == np.arange("2024-01-01", "2024-01-06", dtype="datetime64[D]")
        .astype("datetime64[ns]")
        .tolist()
    )
    assert h.age.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert h.frequency.tolist() == [0, 0, 1, 1, 1]
    assert h.recency.tolist() == [0.0, 0.0, 2.0, 2.0, 2.0]
    assert h.purchase.tolist() == [True, False, True, False, False]
    r, alpha, a, b = PAPER.values()
    want = [1.0, 1.0] + [
        1 / (1 + a / b * ((alpha + T) / (alpha + 2.0)) ** (r + 1)) for T in (2.0, 3.0, 4.0)
    ]
    np.testing.assert_allclose(h.p_alive, want, rtol=1e-12)
    assert h.to_pandas().shape == (5, 5)


def test_p_alive_history_matches_rfm_summary_at_every_period() -> None:
    """Each period's history is the RFM summary with that period as the end (weeks)."""
    log = datasets.load_cdnow("sample")
    ts = log.ts[log.customer_id == 1]
    h = clv.p_alive_history_data(BG, ts, freq="D", freq_multiplier=7, end="1998-06-30")
    for g in range(0, len(h.ts), 37):
        end = h.ts[g] + np.timedelta64(1, "D") - np.timedelta64(1, "ns")
        s = clv.rfm_summary(np.ones(len(ts)), ts, freq="D", freq_multiplier=7, observation_end=end)
        assert (h.frequency[g], h.recency[g], h.age[g]) == (s.frequency[0], s.recency[0], s.T[0])
        assert h.p_alive[g] == float(BG.p_alive(s)[0])


@pytest.mark.parametrize("fit", [MBG, PNBD])
def test_p_alive_history_of_a_one_time_buyer_decays(fit: Any) -> None:
    h = clv.p_alive_history_data(fit, ["2024-01-01"], freq="W", end="2024-12-31")
    assert (h.frequency == 0).all()
    assert (np.diff(h.p_alive) < 0).all()
    np.testing.assert_allclose(h.p_alive, fit.p_alive(np.zeros(len(h.age)), 0.0, h.age))


def test_p_alive_history_bad_input() -> None:
    with pytest.raises(ValueError, match="ts is empty"):
        clv.p_alive_history_data(BG, np.array([], dtype="datetime64[ns]"))
    with pytest.raises(ValueError, match=r"end = 2023-12-31T00:00:00\.000000000 precedes"):
        clv.p_alive_history_data(BG, ["2024-01-01"], end="2023-12-31")
    with pytest.raises(ValueError, match="more than 1000000"):
        clv.p_alive_history_data(BG, ["2000-01-01"], freq="s", end="2024-01-01")


# --------------------------------------------------------------------------- charts
def test_plots_draw_on_agg_with_labels_and_legends(cdnow: Any) -> None:
    fit = clv.fit_bgnbd(cdnow)
    fig = Figure()
    a1, a2, a3 = fig.subplots(1, 3)
    ax = clv.plot_period_transactions(clv.period_transactions_data(fit, cdnow.calibration()), a1)
    assert ax is a1
    assert ax.get_xlabel()
    assert ax.get_ylabel() == "Customers"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]
    assert len(ax.patches) == 16
    ax = clv.plot_calibration_holdout(clv.calibration_holdout_data(fit, cdnow), ax=a2)
    assert ax.get_xlabel()
    assert "holdout" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]
    ax = clv.plot_frequency_recency_matrix(clv.frequency_recency_matrix_data(fit, 39.0), ax=a3)
    assert ax.get_xlabel()
    assert ax.get_ylabel()
    assert len(fig.axes) == 4  # the colour bar, labelled, is the legend of the heatmap
    assert fig.axes[3].get_ylabel().startswith("Expected purchases in the next 1")
    fig.canvas.draw()  # the whole figure renders without a warning (warnings are errors)


def test_p_alive_history_plot() -> None:
    h = clv.p_alive_history_data(BG, ["2024-01-01", "2024-02-01", "2024-02-15"], end="2024-06-30")
    fig = Figure()
    ax = clv.plot_p_alive_history(h, ax=fig.add_subplot())
    assert ax.get_xlabel() == "Date"
    assert ax.get_ylabel() == "P(alive)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P(alive)", "Purchase"]
    assert len(ax.get_lines()) == 4  # the step line and three purchases
    fig.canvas.draw()


def test_plot_without_axes_makes_a_figure() -> None:
    d = clv.period_transactions_data(BG, [0, 1, 2], [5.0, 5.0, 5.0], max_frequency=2)
    try:
        ax = clv.plot_period_transactions(d)
        assert ax.figure is plt.gcf()
    finally:
        plt.close("all")


def test_plots_refuse_the_wrong_record() -> None:
    m = clv.frequency_recency_matrix_data(BG, 3.0)
    with pytest.raises(TypeError, match="data must be a PeriodTransactions"):
        clv.plot_period_transactions(m)
    d = clv.period_transactions_data(BG, [0], [5.0])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        clv.plot_period_transactions(d, ax="left")

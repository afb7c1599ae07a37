"""Contract entries for crm_metrics.clv (CLV.md), under keys prefixed ``clv.``.

The prediction functions broadcast over customers, so they are ``aggregate`` entries
whose fitted parameters come in through ``options``; summaries and fits reduce records
to per-customer arrays or a model, so they are ``helper`` entries (bad-input sweep, no
mutation); the pandas drop-ins are ``pandas`` entries, tested in tests/test_clv_compat.py.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .entry import FRACTION, Entry, Options, fixed

#: The published CDNOW fit (weeks) and its Gamma-Gamma companion (CLV.md §5).
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_PAPER = {"p": 6.25, "q": 3.74, "v": 15.44}

positive = st.floats(0.05, 20.0)
bgnbd_params = st.one_of(
    st.just(PAPER),
    st.just({**PAPER, "a": 1.0}),  # the (a - 1) limit
    st.fixed_dictionaries({"r": positive, "alpha": positive, "a": positive, "b": positive}),
)
MBG_PAPER = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
BGBB_PAPER = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
bgbb_params = st.one_of(
    st.just(BGBB_PAPER),
    st.just({**BGBB_PAPER, "gamma": 1.0}),  # the (gamma - 1) limit
    st.fixed_dictionaries(
        {"alpha": positive, "beta": positive, "gamma": positive, "delta": positive}
    ),
)


@st.composite
def history(draw: st.DrawFn) -> Options:
    """One consistent BG/BB history: x <= t_x <= n, t_x = 0 without a transaction."""
    n = draw(st.one_of(st.integers(0, 10), st.integers(0, 2000)))
    x = draw(st.integers(0, n))
    tx = 0 if x == 0 else draw(st.integers(x, n))
    return {"frequency": x, "recency": tx, "n_periods": n}


EXAMPLE_HISTORIES: Options = {"frequency": [0, 2, 6], "recency": [0, 4, 6], "n_periods": [6, 6, 6]}
SBG_REGULAR = {"alpha": 0.704, "beta": 1.182}
sbg_params = st.one_of(
    st.just(SBG_REGULAR),
    st.fixed_dictionaries({"alpha": st.floats(0.01, 100.0), "beta": st.floats(0.01, 100.0)}),
)
PNBD_PAPER = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
pnbd_params = st.one_of(
    st.just(PNBD_PAPER),
    st.just({**PNBD_PAPER, "s": 1.0}),  # the (s - 1) limit
    st.fixed_dictionaries({"r": positive, "alpha": positive, "s": positive, "beta": positive}),
)
gg_params = st.one_of(
    st.just(GG_PAPER),
    st.fixed_dictionaries({"p": positive, "q": st.floats(1.05, 20.0), "v": positive}),
)


@st.composite
def customer(draw: st.DrawFn) -> Options:
    """One consistent (frequency, recency, T): recency <= T, recency 0 without repeats."""
    frequency = draw(st.one_of(st.integers(0, 5), st.integers(0, 500)))
    age = draw(st.one_of(st.floats(0.0, 100.0), st.floats(0.0, 20_000.0)))
    recency = 0.0 if frequency == 0 else draw(st.one_of(st.just(age), st.floats(0.0, age)))
    return {"frequency": frequency, "recency": recency, "T": age}


def with_spend(draw_customer: st.SearchStrategy[Options]) -> st.SearchStrategy[Options]:
    money = st.floats(0.01, 10_000.0)
    return st.tuples(draw_customer, money).map(lambda cm: {**cm[0], "monetary_value": cm[1]})


horizons = st.floats(0.0, 500.0)
EXAMPLE_CUSTOMERS: Options = {
    "frequency": [0, 2, 5],
    "recency": [0.0, 30.43, 12.0],
    "T": [10.0, 38.86, 40.0],
}
RECORDS: Options = {
    "frequency": [0, 2, 1, 3],
    "recency": [0.0, 5.0, 2.0, 8.0],
    "T": [10.0, 10.0, 9.0, 12.0],
}


def _diagnostics() -> tuple[Any, tuple[Any, Any, Any, Any]]:
    """A fitted record and one record of each diagnostic (the charts' examples)."""
    from crm_metrics import clv

    fit = clv.BGNBDFit(**PAPER, loglik=0.0, n_customers=4, converged=True, iterations=0, message="")
    return fit, (
        clv.period_transactions_data(fit, [0, 2, 1], [10.0, 10.0, 9.0], max_frequency=2),
        clv.calibration_holdout_data(fit, [0, 2], [0.0, 5.0], [10.0, 10.0], [0, 3], 8.0),
        clv.frequency_recency_matrix_data(fit, 4.0),
        clv.p_alive_history_data(fit, ["2024-01-01", "2024-01-04"], end="2024-01-08"),
    )


FIT, DIAGNOSTICS = _diagnostics()


def add(part: Options) -> Any:
    return lambda c: {**c, **part}


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- summaries (§1)
    "clv.rfm_summary": Entry(
        kind="helper",
        example={
            "customer_id": [1, 1, 2, 1],
            "ts": ["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-03T18:00"],
            "monetary": [10.0, 5.0, 3.0, 1.0],
        },
    ),
    "clv.calibration_holdout": Entry(
        kind="helper",
        example={
            "customer_id": [1, 1, 2, 2],
            "ts": ["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-09"],
            "monetary": [10.0, 5.0, 3.0, 4.0],
            "calibration_end": "2024-01-04",
        },
    ),
    "clv.rfm_segments": Entry(
        kind="helper",
        example={
            "recency": [1.0, 5.0, 30.0, 90.0],
            "frequency": [6, 4, 2, 1],
            "monetary": [80.0, 40.0, 30.0, 10.0],
        },
    ),
    # ------------------------------------------------------------- fits (§2, §3)
    "clv.fit_bgnbd": Entry(kind="helper", example=dict(RECORDS)),
    "clv.fit_gamma_gamma": Entry(
        kind="helper",
        example={"frequency": [0, 2, 1, 3], "monetary_value": [0.0, 10.0, 20.0, 15.0]},
    ),
    "clv.gamma_gamma_correlation": Entry(
        kind="helper",
        example={"frequency": [0, 2, 1, 3], "monetary_value": [0.0, 10.0, 20.0, 15.0]},
    ),
    # ------------------------------------------------------------- predictions (§2-§4)
    "clv.bgnbd_loglik": Entry(
        kind="aggregate",
        example={"params": PAPER, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=None,
    ),
    "clv.bgnbd_p_alive": Entry(
        kind="aggregate",
        example={"params": PAPER, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=FRACTION,
    ),
    "clv.bgnbd_expected_purchases": Entry(
        kind="aggregate",
        example={"params": PAPER, "t": [0.0, 10.0, 52.0]},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: horizons.map(lambda t: {"t": t}),
        bounds=fixed(0.0, 1e9),
    ),
    "clv.bgnbd_conditional_expected_purchases": Entry(
        kind="aggregate",
        example={"params": PAPER, "t": 39.0, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.tuples(customer(), horizons).map(lambda c: {**c[0], "t": c[1]}),
        bounds=fixed(0.0, 1e9),
    ),
    "clv.bgnbd_prob_purchases": Entry(
        kind="aggregate",
        example={"params": PAPER, "t": [39.0, 39.0], "n": [0, 3]},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.fixed_dictionaries({"t": horizons, "n": st.integers(0, 200)}),
        bounds=FRACTION,
    ),
    "clv.gamma_gamma_expected_spend": Entry(
        kind="aggregate",
        example={"params": GG_PAPER, "frequency": [0, 2], "monetary_value": [0.0, 40.0]},
        options=gg_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.fixed_dictionaries(
            {"frequency": st.integers(0, 500), "monetary_value": st.floats(0.0, 10_000.0)}
        ),
        bounds=fixed(0.0, 1e12),
    ),
    "clv.customer_lifetime_value": Entry(
        kind="aggregate",
        example={
            "purchase_model": PAPER,
            "gamma_gamma": GG_PAPER,
            **EXAMPLE_CUSTOMERS,
            "monetary_value": [0.0, 40.0, 12.5],
            "freq": "W",
        },
        options=st.fixed_dictionaries(
            {
                "purchase_model": bgnbd_params,
                "gamma_gamma": gg_params,
                "freq": st.sampled_from(["W", "D", "M", "h"]),
                "time": st.integers(0, 24),
            }
        ),
        scalars=lambda _o: with_spend(customer()),
        bounds=fixed(0.0, 1e15),
    ),
    # ------------------------------------------------------------- BG/BB
    "clv.fit_bgbb": Entry(
        kind="helper",
        example={"frequency": [0, 2, 1, 3], "recency": [0, 4, 2, 3], "n_periods": [6, 6, 5, 6]},
    ),
    "clv.bgbb_loglik": Entry(
        kind="aggregate",
        example={"params": BGBB_PAPER, **EXAMPLE_HISTORIES},
        options=bgbb_params.map(lambda p: {"params": p}),
        scalars=lambda _o: history(),
        bounds=None,
    ),
    "clv.bgbb_p_alive": Entry(
        kind="aggregate",
        example={"params": BGBB_PAPER, **EXAMPLE_HISTORIES},
        options=bgbb_params.map(lambda p: {"params": p}),
        scalars=lambda _o: history(),
        bounds=FRACTION,
    ),
    "clv.bgbb_expected_purchases": Entry(
        kind="aggregate",
        example={"params": BGBB_PAPER, "n_periods": [0, 6, 52]},
        options=bgbb_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.integers(0, 5000).map(lambda n: {"n_periods": n}),
        bounds=fixed(0.0, 5000.0),
    ),
    "clv.bgbb_conditional_expected_purchases": Entry(
        kind="aggregate",
        example={"params": BGBB_PAPER, "future": 5, **EXAMPLE_HISTORIES},
        options=bgbb_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.tuples(history(), st.integers(0, 500)).map(
            lambda c: {**c[0], "future": c[1]}
        ),
        bounds=fixed(0.0, 500.0),
    ),
    "clv.bgbb_prob_purchases": Entry(
        kind="aggregate",
        example={"params": BGBB_PAPER, "n_periods": [6, 6], "n": [0, 3]},
        options=bgbb_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.integers(0, 300).flatmap(
            lambda m: st.integers(0, m).map(lambda k: {"n_periods": m, "n": k})
        ),
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- shifted-beta-geometric
    "clv.fit_sbg": Entry(kind="helper", example={"survivors": [1000, 631, 468, 382]}),
    "clv.sbg_survival": Entry(
        kind="aggregate",
        example={"params": SBG_REGULAR, "t": [0, 1, 7]},
        options=sbg_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.integers(0, 20_000).map(lambda t: {"t": t}),
        bounds=FRACTION,
    ),
    "clv.sbg_retention": Entry(
        kind="aggregate",
        example={"params": SBG_REGULAR, "t": [1, 2, 7]},
        options=sbg_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.integers(1, 20_000).map(lambda t: {"t": t}),
        bounds=FRACTION,
    ),
    "clv.sbg_churn_probability": Entry(
        kind="aggregate",
        example={"params": SBG_REGULAR, "t": [1, 2, 7]},
        options=sbg_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.integers(1, 20_000).map(lambda t: {"t": t}),
        bounds=FRACTION,
    ),
    "clv.sbg_del": Entry(
        kind="helper",
        example={"params": SBG_REGULAR, "discount_rate": 0.1},
    ),
    "clv.sbg_derl": Entry(
        kind="aggregate",
        example={"params": SBG_REGULAR, "discount_rate": 0.1, "renewals": [0, 1, 4]},
        options=st.fixed_dictionaries(
            {"params": sbg_params, "discount_rate": st.floats(1e-3, 5.0)}
        ),
        scalars=lambda _o: st.integers(0, 20_000).map(lambda m: {"renewals": m}),
        bounds=fixed(0.0, 1e4),
    ),
    # ------------------------------------------------------------- MBG/NBD
    "clv.fit_mbgnbd": Entry(kind="helper", example=dict(RECORDS)),
    "clv.mbgnbd_loglik": Entry(
        kind="aggregate",
        example={"params": MBG_PAPER, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=None,
    ),
    "clv.mbgnbd_p_alive": Entry(
        kind="aggregate",
        example={"params": MBG_PAPER, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=FRACTION,
    ),
    "clv.mbgnbd_expected_purchases": Entry(
        kind="aggregate",
        example={"params": MBG_PAPER, "t": [0.0, 10.0, 52.0]},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: horizons.map(lambda t: {"t": t}),
        bounds=fixed(0.0, 1e9),
    ),
    "clv.mbgnbd_conditional_expected_purchases": Entry(
        kind="aggregate",
        example={"params": MBG_PAPER, "t": 39.0, **EXAMPLE_CUSTOMERS},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.tuples(customer(), horizons).map(lambda c: {**c[0], "t": c[1]}),
        bounds=fixed(0.0, 1e9),
    ),
    "clv.mbgnbd_prob_purchases": Entry(
        kind="aggregate",
        example={"params": MBG_PAPER, "t": [39.0, 39.0], "n": [0, 3]},
        options=bgnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.fixed_dictionaries({"t": horizons, "n": st.integers(0, 200)}),
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- Pareto/NBD
    "clv.fit_pareto_nbd": Entry(kind="helper", example=dict(RECORDS)),
    "clv.pareto_nbd_loglik": Entry(
        kind="aggregate",
        example={"params": PNBD_PAPER, **EXAMPLE_CUSTOMERS},
        options=pnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=None,
    ),
    "clv.pareto_nbd_p_alive": Entry(
        kind="aggregate",
        example={"params": PNBD_PAPER, **EXAMPLE_CUSTOMERS},
        options=pnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: customer(),
        bounds=FRACTION,
    ),
    "clv.pareto_nbd_expected_purchases": Entry(
        kind="aggregate",
        example={"params": PNBD_PAPER, "t": [0.0, 10.0, 52.0]},
        options=pnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: horizons.map(lambda t: {"t": t}),
        bounds=fixed(0.0, 1e12),
    ),
    "clv.pareto_nbd_conditional_expected_purchases": Entry(
        kind="aggregate",
        example={"params": PNBD_PAPER, "t": 39.0, **EXAMPLE_CUSTOMERS},
        options=pnbd_params.map(lambda p: {"params": p}),
        scalars=lambda _o: st.tuples(customer(), horizons).map(lambda c: {**c[0], "t": c[1]}),
        bounds=fixed(0.0, 1e12),
    ),
    "clv.pareto_nbd_dert": Entry(
        kind="aggregate",
        example={"params": PNBD_PAPER, "discount_rate": 0.01, **EXAMPLE_CUSTOMERS},
        options=st.fixed_dictionaries(
            {"params": pnbd_params, "discount_rate": st.floats(1e-4, 1.0)}
        ),
        scalars=lambda _o: customer(),
        bounds=fixed(0.0, 1e15),
    ),
    # ------------------------------------------------------------- pandas drop-ins (§4)
    "clv.summary_data_from_transaction_data": Entry(kind="pandas"),
    "clv.calibration_and_holdout_data": Entry(kind="pandas"),
    # ------------------------------------------------------------- diagnostics
    "clv.period_transactions_data": Entry(
        kind="helper",
        example={"model": FIT, "frequency": [0, 2, 1, 9], "T": [10.0, 10.0, 9.0, 12.0]},
    ),
    "clv.calibration_holdout_data": Entry(
        kind="helper",
        example={
            "model": FIT,
            **RECORDS,
            "frequency_holdout": [0, 1, 0, 4],
            "duration_holdout": 8.0,
            "max_frequency": 2,
        },
    ),
    "clv.frequency_recency_matrix_data": Entry(
        kind="helper",
        example={"model": FIT, "T": 6.0, "max_frequency": 3, "max_recency": 4, "t": 2.0},
    ),
    "clv.p_alive_history_data": Entry(
        kind="helper",
        example={
            "model": FIT,
            "ts": ["2024-01-01", "2024-01-03T10:00", "2024-01-03T11:00"],
            "freq": "D",
            "freq_multiplier": 1,
            "end": "2024-01-06",
        },
    ),
    "clv.plot_p_alive_history": Entry(
        kind="helper",
        example={"data": DIAGNOSTICS[3], "ax": None},
    ),
    "clv.plot_period_transactions": Entry(
        kind="helper",
        example={"data": DIAGNOSTICS[0], "ax": None},
    ),
    "clv.plot_calibration_holdout": Entry(
        kind="helper",
        example={"data": DIAGNOSTICS[1], "ax": None},
    ),
    "clv.plot_frequency_recency_matrix": Entry(
        kind="helper",
        example={"data": DIAGNOSTICS[2], "ax": None},
    ),
    # ------------------------------------------------------------- result types
    "clv.PeriodTransactions": Entry(kind="type"),
    "clv.CalibrationHoldoutPurchases": Entry(kind="type"),
    "clv.FrequencyRecencyMatrix": Entry(kind="type"),
    "clv.PAliveHistory": Entry(kind="type"),
    "clv.BGNBDFit": Entry(kind="type"),
    "clv.GammaGammaFit": Entry(kind="type"),
    "clv.FitSummary": Entry(kind="type"),
    "clv.ParetoNBDFit": Entry(kind="type"),
    "clv.MBGNBDFit": Entry(kind="type"),
    "clv.BGBBFit": Entry(kind="type"),
    "clv.SBGFit": Entry(kind="type"),
    "clv.RFMSummary": Entry(kind="type"),
    "clv.RFMSegments": Entry(kind="type"),
    "clv.CalibrationHoldout": Entry(kind="type"),
}

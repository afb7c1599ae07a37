"""Contract entries for METRICS.md §6, profitability and reporting.

Series functions (``period_over_period``, ``moving_average``, ``mape``,
``forecast_accuracy``), the per-customer ``customer_profitability`` and the record-returning
``before_after``, ``proportion_ci``, ``two_proportion_test``, ``binomial_test`` and
``equal_proportions_test`` are helpers here (bad-input
sweep, no mutation); their ranges, broadcasting and identities are checked in
``tests/test_finance.py`` and ``test_finance_invariants.py``.
"""

from __future__ import annotations

from hypothesis import strategies as st

from .entry import Entry, fixed
from .registry_campaign import money

#: Real values of magnitude 0 or 1e-3..1e9 (a tinier base would overflow a finite quotient).
reals = st.floats(-1e9, 1e9).map(lambda x: round(x, 3))
fractions = st.floats(0.0, 1.0)
BIG = 1e30


def money_pair(a: str, b: str) -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({a: money, b: money})


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- profitability (§6)
    "profit": Entry(
        kind="aggregate",
        example={"revenue": 120_000.0, "total_costs": 95_000.0},
        scalars=lambda _o: money_pair("revenue", "total_costs"),
        bounds=fixed(-1e9, 1e9),
    ),
    "gross_profit": Entry(
        kind="aggregate",
        example={"revenue": 120_000.0, "cogs": 70_000.0},
        scalars=lambda _o: money_pair("revenue", "cogs"),
        bounds=fixed(-1e9, 1e9),
    ),
    "gross_margin": Entry(
        kind="aggregate",
        example={"revenue": 120_000.0, "cogs": 90_000.0},
        scalars=lambda _o: money_pair("revenue", "cogs"),
        zero=({"revenue": 0.0, "cogs": 0.0}, {"revenue": 0.0, "cogs": 5.0}),
        bounds=fixed(-BIG, 1.0),
    ),
    "net_margin": Entry(
        kind="aggregate",
        example={"net_profit": 12_000.0, "revenue": 120_000.0},
        scalars=lambda _o: money.flatmap(
            lambda r: st.floats(-1e9, r).map(lambda p: {"net_profit": p, "revenue": r})
        ),
        zero=({"net_profit": 0.0, "revenue": 0.0}, {"net_profit": -5.0, "revenue": 0.0}),
        bounds=fixed(-BIG, 1.0),
    ),
    "roi": Entry(
        kind="aggregate",
        example={"gain": 100_000.0, "cost": 40_000.0},
        scalars=lambda _o: money_pair("gain", "cost"),
        zero=({"gain": 0.0, "cost": 0.0}, {"gain": 10.0, "cost": 0.0}),
        bounds=fixed(-1.0, BIG),
    ),
    "return_multiple": Entry(
        kind="aggregate",
        example={"gain": 100_000.0, "cost": 40_000.0},
        scalars=lambda _o: money_pair("gain", "cost"),
        zero=({"gain": 0.0, "cost": 0.0},),
        bounds=fixed(0.0, BIG),
    ),
    "customer_profitability": Entry(
        kind="helper",
        example={
            "customer_id": ["a", "a", "b"],
            "amount": [100.0, 50.0, 80.0],
            "cost_customer_id": ["a", "b", "c"],
            "cost": [30.0, 90.0, 15.0],
        },
    ),
    "percent_change": Entry(
        kind="aggregate",
        example={"old": 80.0, "new": 100.0},
        scalars=lambda _o: st.fixed_dictionaries({"old": reals, "new": reals}),
        zero=({"old": 0.0, "new": 5.0}, {"old": 0.0, "new": 0.0}),
        bounds=None,
    ),
    "pp_change": Entry(
        kind="aggregate",
        example={"old_rate": 0.05, "new_rate": 0.04},
        scalars=lambda _o: st.fixed_dictionaries({"old_rate": fractions, "new_rate": fractions}),
        bounds=fixed(-1.0, 1.0),
    ),
    "period_over_period": Entry(kind="helper", example={"x": [100.0, 120.0, 90.0], "lag": 1}),
    "before_after": Entry(
        kind="helper",
        example={"before": [200.0, 0.5], "after": [250.0, 0.4], "is_rate": False},
    ),
    "compound_growth_rate": Entry(
        kind="aggregate",
        example={"start": 100_000.0, "end": 121_000.0, "n_periods": 2.0},
        scalars=lambda _o: st.fixed_dictionaries(
            {"start": money, "end": money, "n_periods": st.floats(0.5, 100)}
        ),
        zero=({"start": 0.0, "end": 5.0, "n_periods": 2.0},),
        bounds=fixed(-1.0, BIG),
    ),
    "moving_average": Entry(kind="helper", example={"x": [10.0, 20.0, 30.0, 40.0], "window": 3}),
    "mape": Entry(kind="helper", example={"actual": [100.0, 200.0], "forecast": [110.0, 180.0]}),
    "forecast_accuracy": Entry(
        kind="helper", example={"actual": [100.0, 200.0], "forecast": [110.0, 180.0]}
    ),
    "ProportionCI": Entry(kind="type"),
    "TwoProportionTest": Entry(kind="type"),
    "BeforeAfter": Entry(kind="type"),
    "proportion_ci": Entry(
        kind="helper",
        example={"successes": [30, 0], "trials": [600, 0], "confidence": 0.9, "method": "wilson"},
    ),
    "two_proportion_test": Entry(
        kind="helper",
        example={"test_conv": 60, "test_n": 1_000, "ctrl_conv": 40, "ctrl_n": 1_000},
    ),
    "BinomialTest": Entry(kind="type"),
    "EqualProportionsTest": Entry(kind="type"),
    "binomial_test": Entry(
        kind="helper",
        example={"successes": [12, 0], "trials": [40, 0], "p0": 0.15, "alternative": "greater"},
    ),
    "equal_proportions_test": Entry(
        kind="helper",
        example={"successes": [52, 61, 80], "trials": [1000, 1000, 1000], "correction": False},
    ),
}

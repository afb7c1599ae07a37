"""Contract entries for METRICS.md §1, customer & loyalty.

Event-level transaction metrics draw their orders inside the window the options select,
so that every ``by`` key survives the function's own filter and the contract's
"grouped equals loop" check compares like with like; the filtering itself is tested by
hand in ``tests/test_customer.py``. Snapshot metrics always get an explicit ``as_of``
there (a default ``as_of`` is taken over the whole input, so a subset's default differs).
Metrics whose ``by=`` reads history from the whole input, or whose result is keyed per
customer, are ``history_dependent`` and have their grouping checked in the area tests.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import FRACTION, NO_OPTIONS, Entry, Options, fixed

DAY = 86_400 * 10**9
#: 2024-01-01 in ns: the anchor of generated order dates.
T0 = int(np.datetime64("2024-01-01", "ns").astype(np.int64))
INF = math.inf

#: Money is 0 or at least a cent: a denominator of 1e-308 would overflow a quotient to inf.
money = st.one_of(st.just(0.0), st.floats(0.01, 1e9))
signed_money = st.one_of(money, money.map(lambda x: -x))
#: Rates of real-world size: a subnormal churn rate would overflow 1 / churn to inf (the
#: quotient itself is too large for float64; safe_divide only guards zero denominators).
fractions = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(1e-6, 1.0))


#: Discount rates per period: 0, or at least 1e-6 (a subnormal rate with r = 1 overflows).
discount_rates = st.one_of(st.just(0.0), st.floats(1e-6, 10.0))


def instant(ns: int) -> np.datetime64:
    return np.datetime64(ns, "ns")


def order_times(n: int, lo: int, hi: int) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    """``n`` order timestamps in ``[lo, hi)`` ns: whole days (ties likely) or any instant."""
    lo_day, hi_day = -(-lo // DAY), (hi - 1) // DAY
    whole = st.integers(lo_day, hi_day).map(lambda d: d * DAY) if lo_day <= hi_day else st.nothing()
    element = st.one_of(whole, st.integers(lo, hi - 1))
    return st.lists(element, min_size=n, max_size=n).map(
        lambda xs: np.array(xs, dtype=np.int64).view("datetime64[ns]")
    )


def transactions(
    n: int, lo: int, hi: int, *, amount: bool = False, margin: bool = False
) -> st.SearchStrategy[Options]:
    """Aligned orders: a few customers (repeats likely), times in ``[lo, hi)``, amounts."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "customer_id": st.lists(st.integers(0, 5), min_size=n, max_size=n).map(
            lambda xs: np.array(xs, dtype=np.int64)
        ),
        "ts": order_times(n, lo, hi),
    }
    if amount:
        fields["amount"] = st.lists(st.floats(0, 1e6), min_size=n, max_size=n).map(np.array)
    if margin:
        fields["margin"] = st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n).map(np.array)
    return st.fixed_dictionaries(fields)


def anywhere(n: int, _options: Options) -> st.SearchStrategy[Options]:
    return transactions(n, T0 - 800 * DAY, T0 + 800 * DAY)


EXAMPLE_TX: Options = {
    "customer_id": ["a", "b", "a", "c", "a"],
    "ts": ["2023-02-01", "2023-06-01", "2023-11-15", "2024-01-10", "2024-02-01"],
}
EXAMPLE_AMOUNTS: Options = {**EXAMPLE_TX, "amount": [10.0, 20.0, 5.0, 7.5, 12.0]}


# --------------------------------------------------------------------------- event options
windows = st.one_of(st.sampled_from([30, 90, 365]), st.integers(1, 500))
snapshots = st.integers(-200, 200).map(lambda d: instant(T0 + d * DAY))


def snapshot_options() -> st.SearchStrategy[Options]:
    return st.fixed_dictionaries({"as_of": snapshots, "window": windows})


def trailing(factor: int) -> Any:
    """Orders in ``[as_of - factor * window, as_of)``."""

    def records(n: int, o: Options) -> st.SearchStrategy[Options]:
        hi = int(o["as_of"].astype(np.int64))
        return transactions(n, hi - factor * o["window"] * DAY, hi)

    return records


@st.composite
def windows_or_none(draw: st.DrawFn) -> Options:
    if draw(st.booleans()):
        return {}
    start = draw(st.integers(-300, 300))
    return {
        "start": instant(T0 + start * DAY),
        "end": instant(T0 + (start + draw(st.integers(1, 200))) * DAY),
    }


def inside(n: int, o: Options) -> st.SearchStrategy[Options]:
    if "start" not in o:
        return anywhere(n, o)
    return transactions(n, int(o["start"].astype(np.int64)), int(o["end"].astype(np.int64)))


@st.composite
def history_options(draw: st.DrawFn) -> Options:
    """Windows that may be open on either side (history-dependent metrics)."""
    out: Options = {}
    start = draw(st.one_of(st.none(), st.integers(-500, 500)))
    if start is not None:
        out["start"] = instant(T0 + start * DAY)
    if draw(st.booleans()):
        out["end"] = instant(
            T0 + ((start if start is not None else -500) + draw(st.integers(0, 600))) * DAY
        )
    return out


@st.composite
def reactivation_options(draw: st.DrawFn) -> Options:
    start = draw(st.integers(-100, 100))
    return {
        "start": instant(T0 + start * DAY),
        "end": instant(T0 + (start + draw(st.integers(1, 300))) * DAY),
        "dormancy": draw(st.one_of(st.sampled_from([90, 365]), st.integers(0, 400))),
    }


def before_end(n: int, o: Options) -> st.SearchStrategy[Options]:
    return transactions(n, T0 - 900 * DAY, int(o["end"].astype(np.int64)))


def amounts(n: int, o: Options) -> st.SearchStrategy[Options]:
    """Orders with amounts (and margins or not), all before ``as_of`` when it is given."""
    hi = int(o["as_of"].astype(np.int64)) if "as_of" in o else T0 + 800 * DAY
    return st.booleans().flatmap(
        lambda with_margin: transactions(n, hi - 900 * DAY, hi, amount=True, margin=with_margin)
    )


def per_customer_values(result: Any) -> np.ndarray[Any, Any]:
    return np.asarray(result.values, dtype=float)


# --------------------------------------------------------------------------- aggregate scalars
@st.composite
def retention_counts(draw: st.DrawFn) -> Options:
    start = draw(gen.counts)
    retained = draw(st.integers(0, start))
    new = draw(gen.counts)
    return {"customers_start": start, "customers_end": retained + new, "new_customers": new}


@st.composite
def churn_counts(draw: st.DrawFn) -> Options:
    start = draw(gen.counts)
    return {
        "customers_lost": draw(st.integers(0, start)),
        "customers_start": start,
        "customers_end": draw(gen.counts),
    }


@st.composite
def subset_money(draw: st.DrawFn, base: str, part: str) -> Options:
    total = draw(money)
    return {base: total, part: draw(st.floats(0.0, total))}


@st.composite
def revenue_bridge(draw: st.DrawFn, expansion: bool) -> Options:
    start = draw(money)
    contraction = draw(st.floats(0.0, start))
    churned = draw(st.floats(0.0, max(start - contraction, 0.0)))
    out = {"start_rr": start, "contraction": contraction, "churned": churned}
    if expansion:
        out["expansion"] = draw(money)
    return out


@st.composite
def referral_counts(draw: st.DrawFn) -> Options:
    total = draw(gen.counts)
    new = draw(st.integers(0, total))
    return {
        "referred_new_customers": draw(st.integers(0, new)),
        "new_customers": new,
        "total_customers": total,
    }


def draws(**fields: st.SearchStrategy[Any]) -> Any:
    return lambda _o: st.fixed_dictionaries(fields)


units = st.sampled_from(["D", "h", "min", "m", "s"])


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- aggregates (§1)
    "customer_retention_rate": Entry(
        kind="aggregate",
        example={"customers_start": 200, "customers_end": 190, "new_customers": 30},
        scalars=lambda _o: retention_counts(),
        zero=({"customers_start": 0, "customers_end": 3, "new_customers": 3},),
        bounds=FRACTION,
    ),
    "retained_customers": Entry(
        kind="aggregate",
        example={"customers_end": 190, "new_customers": 30},
        scalars=lambda _o: gen.subset_counts("customers_end", "new_customers"),
        bounds=fixed(0.0, INF),
    ),
    "customer_churn_rate": Entry(
        kind="aggregate",
        example={
            "customers_lost": 20,
            "customers_start": 200,
            "customers_end": 220,
            "base": "average",
        },
        options=st.sampled_from(["start", "average"]).map(lambda b: {"base": b}),
        scalars=lambda _o: churn_counts(),
        zero=({"customers_lost": 0, "customers_start": 0},),
        bounds=lambda o: (0.0, 1.0) if o["base"] == "start" else (0.0, 2.0),
    ),
    "customer_growth_rate": Entry(
        kind="aggregate",
        example={"customers_start": 200, "customers_end": 250},
        scalars=draws(customers_start=gen.counts, customers_end=gen.counts),
        zero=({"customers_start": 0, "customers_end": 5},),
        bounds=fixed(-1.0, INF),
    ),
    "average_order_value": Entry(
        kind="aggregate",
        example={"revenue": 12_500.0, "orders": 250},
        scalars=draws(revenue=money, orders=gen.counts),
        zero=({"revenue": 10.0, "orders": 0},),
        bounds=fixed(0.0, INF),
    ),
    "purchase_frequency_from_counts": Entry(
        kind="aggregate",
        example={"orders": 250, "customers": 100},
        scalars=lambda _o: gen.subset_counts("orders", "customers"),
        zero=({"orders": 0, "customers": 0},),
        bounds=fixed(1.0, INF),
    ),
    "avg_time_between_purchases_from_counts": Entry(
        kind="aggregate",
        example={"total_gap": 120.0, "gaps": 6, "unit": "D"},
        options=units.map(lambda u: {"unit": u}),
        scalars=draws(total_gap=st.floats(0.0, 1e9), gaps=gen.counts),
        zero=({"total_gap": 5.0, "gaps": 0},),
        bounds=fixed(0.0, INF),
    ),
    "arpu": Entry(
        kind="aggregate",
        example={"revenue": 10_000.0, "customers": 150, "customers_end": 250},
        scalars=draws(revenue=money, customers=gen.counts, customers_end=gen.counts),
        zero=(
            {"revenue": 5.0, "customers": 0},
            {"revenue": 5.0, "customers": 0, "customers_end": 0},
        ),
        bounds=fixed(0.0, INF),
    ),
    "share_of_wallet": Entry(
        kind="aggregate",
        example={"spend_with_us": 300.0, "total_category_spend": 1200.0},
        scalars=lambda _o: subset_money("total_category_spend", "spend_with_us"),
        zero=({"spend_with_us": 0.0, "total_category_spend": 0.0},),
        bounds=FRACTION,
    ),
    "customer_lifetime": Entry(
        kind="aggregate",
        example={"churn_rate": 0.05},
        scalars=draws(churn_rate=fractions),
        zero=({"churn_rate": 0.0},),
        bounds=fixed(1.0, INF),
    ),
    "clv_simple": Entry(
        kind="aggregate",
        example={
            "aov": 50.0,
            "purchases_per_period": 2.0,
            "lifetime_periods": 3.0,
            "gross_margin": 0.5,
        },
        scalars=draws(
            aov=st.floats(0.0, 1e4),
            purchases_per_period=st.floats(0.0, 100.0),
            lifetime_periods=st.floats(0.0, 100.0),
            gross_margin=fractions,
        ),
        bounds=fixed(0.0, INF),
    ),
    "clv_margin_multiple": Entry(
        kind="aggregate",
        example={"margin": 100.0, "retention": 0.8, "discount_rate": 0.12, "timing": "begin"},
        options=st.sampled_from(["end", "begin"]).map(lambda t: {"timing": t}),
        scalars=draws(margin=signed_money, retention=fractions, discount_rate=discount_rates),
        zero=({"margin": 100.0, "retention": 1.0, "discount_rate": 0.0},),
        bounds=None,
    ),
    "ltv_saas": Entry(
        kind="aggregate",
        example={"arpa": 100.0, "gross_margin": 0.8, "churn_rate": 0.04},
        scalars=draws(arpa=money, gross_margin=fractions, churn_rate=fractions),
        zero=({"arpa": 100.0, "gross_margin": 0.8, "churn_rate": 0.0},),
        bounds=fixed(0.0, INF),
    ),
    "customer_acquisition_cost": Entry(
        kind="aggregate",
        example={"sales_spend": 30_000.0, "marketing_spend": 20_000.0, "new_customers": 100},
        scalars=draws(sales_spend=money, marketing_spend=money, new_customers=gen.counts),
        zero=({"sales_spend": 1.0, "marketing_spend": 1.0, "new_customers": 0},),
        bounds=fixed(0.0, INF),
    ),
    "ltv_to_cac": Entry(
        kind="aggregate",
        example={"ltv": 1500.0, "cac": 500.0},
        scalars=draws(ltv=money, cac=money),
        zero=({"ltv": 1500.0, "cac": 0.0},),
        bounds=fixed(0.0, INF),
    ),
    "cac_payback_periods": Entry(
        kind="aggregate",
        example={"cac": 600.0, "arpa": 100.0, "gross_margin": 0.5},
        scalars=draws(cac=money, arpa=money, gross_margin=fractions),
        zero=({"cac": 600.0, "arpa": 0.0, "gross_margin": 0.5},),
        bounds=fixed(0.0, INF),
    ),
    "customer_retention_cost": Entry(
        kind="aggregate",
        example={"retention_spend": 8_000.0, "customers_retained": 160},
        scalars=draws(retention_spend=money, customers_retained=gen.counts),
        zero=({"retention_spend": 8.0, "customers_retained": 0},),
        bounds=fixed(0.0, INF),
    ),
    "net_revenue_retention": Entry(
        kind="aggregate",
        example={
            "start_rr": 100_000.0,
            "expansion": 15_000.0,
            "contraction": 3_000.0,
            "churned": 7_000.0,
        },
        scalars=lambda _o: revenue_bridge(True),
        zero=({"start_rr": 0.0, "expansion": 5.0, "contraction": 0.0, "churned": 0.0},),
        bounds=fixed(0.0, INF),
    ),
    "gross_revenue_retention": Entry(
        kind="aggregate",
        example={"start_rr": 100_000.0, "contraction": 3_000.0, "churned": 7_000.0},
        scalars=lambda _o: revenue_bridge(False),
        zero=({"start_rr": 0.0, "contraction": 0.0, "churned": 0.0},),
        bounds=FRACTION,
    ),
    "revenue_churn_rate": Entry(
        kind="aggregate",
        example={"start_rr": 100_000.0, "contraction": 3_000.0, "churned": 7_000.0},
        scalars=lambda _o: revenue_bridge(False),
        zero=({"start_rr": 0.0, "contraction": 0.0, "churned": 0.0},),
        bounds=FRACTION,
    ),
    "quick_ratio": Entry(
        kind="aggregate",
        example={
            "new": 3_000.0,
            "reactivation": 500.0,
            "expansion": 1_500.0,
            "contraction": 500.0,
            "churned": 750.0,
        },
        scalars=draws(
            new=money, reactivation=money, expansion=money, contraction=money, churned=money
        ),
        zero=(
            {"new": 1.0, "reactivation": 0.0, "expansion": 0.0, "contraction": 0.0, "churned": 0.0},
        ),
        bounds=fixed(0.0, INF),
    ),
    "referral_rate": Entry(
        kind="aggregate",
        example={
            "referred_new_customers": 30,
            "new_customers": 120,
            "base": "all",
            "total_customers": 600,
        },
        options=st.sampled_from(["new", "all"]).map(lambda b: {"base": b}),
        scalars=lambda _o: referral_counts(),
        zero=({"referred_new_customers": 0, "new_customers": 0},),
        bounds=FRACTION,
    ),
    "referrer_rate": Entry(
        kind="aggregate",
        example={"customers_who_referred": 45, "active_customers": 900},
        scalars=lambda _o: gen.subset_counts("active_customers", "customers_who_referred"),
        zero=({"customers_who_referred": 0, "active_customers": 0},),
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- event level (§1)
    "active_customers": Entry(
        kind="event",
        example={**EXAMPLE_TX, "window": 180, "as_of": "2024-03-01"},
        options=snapshot_options(),
        records=trailing(1),
        bounds=fixed(0.0, INF),
        empty=0,
    ),
    "churn_rate_from_activity": Entry(
        kind="event",
        example={**EXAMPLE_TX, "window": 180, "as_of": "2024-03-01"},
        options=snapshot_options(),
        records=trailing(2),
        bounds=FRACTION,
    ),
    "new_customers": Entry(
        kind="event",
        example={**EXAMPLE_TX, "start": "2023-06-01", "end": "2024-02-01"},
        options=history_options(),
        records=anywhere,
        bounds=fixed(0.0, INF),
        empty=0,
        history_dependent=True,
    ),
    "repeat_purchase_rate": Entry(
        kind="event",
        example={**EXAMPLE_TX, "start": "2023-06-01", "end": "2024-03-01", "lifetime": True},
        options=st.tuples(history_options(), st.booleans()).map(
            lambda t: {**t[0], "lifetime": t[1]}
        ),
        records=anywhere,
        bounds=FRACTION,
        history_dependent=True,
    ),
    "purchase_frequency": Entry(
        kind="event",
        example={**EXAMPLE_TX, "start": "2023-06-01", "end": "2024-03-01"},
        options=windows_or_none(),
        records=inside,
        bounds=fixed(1.0, INF),
    ),
    "avg_time_between_purchases": Entry(
        kind="event",
        example={**EXAMPLE_TX, "start": "2023-06-01", "weight": "customer", "unit": "h"},
        options=st.tuples(history_options(), st.sampled_from(["pooled", "customer"]), units).map(
            lambda t: {**t[0], "weight": t[1], "unit": t[2]}
        ),
        records=anywhere,
        bounds=fixed(0.0, INF),
        history_dependent=True,
    ),
    "recency": Entry(
        kind="event",
        example={**EXAMPLE_TX, "as_of": "2024-03-01", "unit": "h"},
        options=st.tuples(st.one_of(st.none(), snapshots), units).map(
            lambda t: {"unit": t[1]} if t[0] is None else {"as_of": t[0], "unit": t[1]}
        ),
        records=anywhere,
        bounds=fixed(0.0, INF),
        vector=per_customer_values,
        history_dependent=True,  # keyed per customer: checked in the area tests
    ),
    "clv_historical": Entry(
        kind="event",
        example={**EXAMPLE_AMOUNTS, "margin": [1.0, -2.0, 3.0, 0.5, 4.0], "as_of": "2024-01-15"},
        options=st.one_of(NO_OPTIONS, snapshots.map(lambda a: {"as_of": a})),
        records=amounts,
        vector=per_customer_values,
        history_dependent=True,  # keyed per customer: checked in the area tests
    ),
    "clv_historical_mean": Entry(
        kind="event",
        example={**EXAMPLE_AMOUNTS, "margin": [1.0, -2.0, 3.0, 0.5, 4.0], "as_of": "2024-01-15"},
        options=st.one_of(NO_OPTIONS, snapshots.map(lambda a: {"as_of": a})),
        records=amounts,
    ),
    "reactivation_rate": Entry(
        kind="event",
        example={**EXAMPLE_TX, "start": "2024-01-01", "end": "2024-03-01", "dormancy": 180},
        options=reactivation_options(),
        records=before_end,
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- series, matrices, types
    "clv_discounted": Entry(
        kind="helper",
        example={
            "margins": [100.0, 100.0, 80.0],
            "retention": [0.9, 0.8, 0.8],
            "discount_rate": 0.1,
            "acquisition_cost": 50.0,
        },
    ),
    "cohort_retention_matrix": Entry(
        kind="helper",
        example={**EXAMPLE_TX, "freq": "M", "tz_offset_hours": 2.0},
    ),
    "cohort_revenue_matrix": Entry(
        kind="helper",
        example={**EXAMPLE_AMOUNTS, "freq": "Q", "per": "total"},
    ),
    "mrr_movements": Entry(
        kind="helper",
        example={
            "customer_id": ["a", "b", "a", "b", "a"],
            "period": [1, 1, 2, 3, 3],
            "mrr": [100.0, 50.0, 120.0, 50.0, 90.0],
        },
    ),
    "CohortMatrix": Entry(kind="type"),
    "MRRMovements": Entry(kind="type"),
}

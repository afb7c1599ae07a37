"""Hand-computed cases for METRICS.md §1 (customer & loyalty), its edge cases and errors,
the by= semantics of the history-dependent metrics, the validation rules this area added,
and a real-data check on the CDNOW master log against independent pandas computations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crm_metrics as cm
from crm_metrics import datasets
from crm_metrics._validate import (
    Along,
    Count,
    DistinctPairs,
    Fraction,
    Money,
    NonNegative,
    Omittable,
    Part,
    validated,
)

D = np.timedelta64(1, "D")


def ts(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[ns]")


# =========================================================================== aggregates
def test_retention_rate_hand_computed_and_edges() -> None:
    assert cm.customer_retention_rate(200, 190, 30) == 0.8
    assert cm.customer_retention_rate(200, 30, 30) == 0.0
    assert cm.customer_retention_rate(200, 230, 30) == 1.0
    np.testing.assert_array_equal(
        cm.customer_retention_rate([200, 0], [190, 4], [30, 4]), [0.8, np.nan]
    )
    with pytest.raises(ValueError, match=r"customers_end = 231.0 minus new_customers exceeds"):
        cm.customer_retention_rate(200, 231, 30)
    with pytest.raises(ValueError, match=r"customers_end = 20.0 is less than new_customers = 30.0"):
        cm.customer_retention_rate(200, 20, 30)
    with pytest.raises(ValueError, match=r"customers_end\[1\] = 99"):
        cm.customer_retention_rate([10, 10], [5, 99], [0, 0])
    assert math.isnan(cm.customer_retention_rate(float("nan"), 5, 1))


def test_retained_customers() -> None:
    assert cm.retained_customers(190, 30) == 160.0
    np.testing.assert_array_equal(cm.retained_customers([5, 7], [5, 0]), [0.0, 7.0])
    with pytest.raises(ValueError, match=r"new_customers = 31.0 exceeds customers_end = 30.0"):
        cm.retained_customers(30, 31)


def test_churn_rate_bases() -> None:
    assert cm.customer_churn_rate(20, 200) == 0.1
    assert cm.customer_churn_rate(20, 200, customers_end=300, base="average") == 0.08
    # shrinking base: the average-base ratio exceeds the start-base fraction
    assert cm.customer_churn_rate(100, 100, customers_end=0, base="average") == 2.0
    assert math.isnan(cm.customer_churn_rate(0, 0))
    assert math.isnan(cm.customer_churn_rate(0, 0, customers_end=0, base="average"))
    with pytest.raises(TypeError, match="customers_end is required with base='average'"):
        cm.customer_churn_rate(20, 200, base="average")
    with pytest.raises(ValueError, match=r"customers_lost = 201.0 exceeds customers_start = 200.0"):
        cm.customer_churn_rate(201, 200)
    with pytest.raises(ValueError, match="base = 'end' is not a known option"):
        cm.customer_churn_rate(1, 2, base="end")


def test_growth_rate() -> None:
    assert cm.customer_growth_rate(200, 250) == 0.25
    assert cm.customer_growth_rate(200, 0) == -1.0
    assert math.isnan(cm.customer_growth_rate(0, 10))


def test_money_ratios_hand_computed() -> None:
    assert cm.average_order_value(12_500.0, 250) == 50.0
    assert math.isnan(cm.average_order_value(10.0, 0))
    assert cm.arpu(10_000.0, 200) == 50.0
    assert cm.arpu(10_000.0, 150, customers_end=250) == 50.0
    assert math.isnan(cm.arpu(1.0, 0, customers_end=0))
    assert cm.purchase_frequency_from_counts(250, 100) == 2.5
    assert math.isnan(cm.purchase_frequency_from_counts(0, 0))
    with pytest.raises(ValueError, match=r"customers = 3.0 exceeds orders = 2.0"):
        cm.purchase_frequency_from_counts(2, 3)
    assert cm.share_of_wallet(300.0, 1200.0) == 0.25
    assert math.isnan(cm.share_of_wallet(0.0, 0.0))
    with pytest.raises(ValueError, match=r"spend_with_us = 1300.0 exceeds total_category_spend"):
        cm.share_of_wallet(1300.0, 1200.0)
    assert cm.customer_acquisition_cost(30_000.0, 20_000.0, 100) == 500.0
    assert math.isnan(cm.customer_acquisition_cost(1.0, 0.0, 0))
    assert cm.ltv_to_cac(1500.0, 500.0) == 3.0
    assert math.isnan(cm.ltv_to_cac(1.0, 0.0))
    assert cm.cac_payback_periods(600.0, 100.0, 0.5) == 12.0
    assert math.isnan(cm.cac_payback_periods(600.0, 100.0, 0.0))
    assert cm.customer_retention_cost(8_000.0, 160) == 50.0
    assert math.isnan(cm.customer_retention_cost(8.0, 0))
    with pytest.raises(ValueError, match=r"revenue = -1.0 is negative"):
        cm.average_order_value(-1.0, 2)
    with pytest.raises(ValueError, match=r"orders = 2.5 is not a whole number"):
        cm.average_order_value(1.0, 2.5)


def test_lifetime_and_clv_formulas() -> None:
    assert cm.customer_lifetime(0.05) == 20.0
    assert math.isnan(cm.customer_lifetime(0.0))
    with pytest.raises(ValueError, match=r"churn_rate = 5.0 is outside 0..1"):
        cm.customer_lifetime(5.0)
    assert cm.clv_simple(50.0, 2.0, 3.0) == 300.0
    assert cm.clv_simple(50.0, 2.0, 3.0, gross_margin=0.5) == 150.0
    with pytest.raises(ValueError, match=r"lifetime_periods = -1.0 is negative"):
        cm.clv_simple(50.0, 2.0, -1.0)
    assert cm.ltv_saas(100.0, 0.8, 0.04) == pytest.approx(2000.0, rel=1e-12)
    assert math.isnan(cm.ltv_saas(100.0, 0.8, 0.0))


def test_clv_margin_multiple() -> None:
    # m r / (1 + d - r) = 100 * 0.8 / 0.32 = 250; begin: 100 * 1.12 / 0.32 = 350
    assert cm.clv_margin_multiple(100.0, 0.8, 0.12) == pytest.approx(250.0, rel=1e-12)
    assert cm.clv_margin_multiple(100.0, 0.8, 0.12, timing="begin") == pytest.approx(350.0)
    assert math.isnan(cm.clv_margin_multiple(100.0, 1.0, 0.0))
    assert math.isnan(cm.clv_margin_multiple(100.0, 1.0, 0.0, timing="begin"))
    assert cm.clv_margin_multiple(100.0, 1.0, 0.1) == pytest.approx(1000.0)
    assert cm.clv_margin_multiple(-50.0, 0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match=r"discount_rate = -0.1 is negative"):
        cm.clv_margin_multiple(100.0, 0.8, -0.1)


def test_clv_discounted() -> None:
    # end: 100 * 0.5 + 100 * 0.25 = 75; begin: 100 * 1 + 100 * 0.5 = 150
    assert cm.clv_discounted([100.0, 100.0], 0.5, 0.0) == 75.0
    assert cm.clv_discounted([100.0, 100.0], 0.5, 0.0, timing="begin") == 150.0
    # per-period retention, discounted: 100 * 0.9 / 1.1 + 100 * 0.45 / 1.21 - 20
    got = cm.clv_discounted([100.0, 100.0], [0.9, 0.5], 0.1, acquisition_cost=20.0)
    assert got == pytest.approx(90 / 1.1 + 45 / 1.21 - 20, rel=1e-12)
    assert cm.clv_discounted([], 0.8, 0.1, acquisition_cost=40.0) == -40.0
    assert cm.clv_discounted([], [], 0.1) == 0.0
    with pytest.raises(ValueError, match=r"retention has shape \(3,\)"):
        cm.clv_discounted([1.0, 2.0], [0.5, 0.5, 0.5], 0.1)
    with pytest.raises(ValueError, match=r"margins\[1\] = nan is NaN"):
        cm.clv_discounted([1.0, float("nan")], 0.5, 0.1)


def test_revenue_retention_family() -> None:
    assert cm.net_revenue_retention(100_000.0, 15_000.0, 3_000.0, 7_000.0) == 1.05
    assert cm.gross_revenue_retention(100_000.0, 3_000.0, 7_000.0) == 0.9
    assert cm.revenue_churn_rate(100_000.0, 3_000.0, 7_000.0) == 0.1
    assert math.isnan(cm.net_revenue_retention(0.0, 5.0, 0.0, 0.0))
    assert math.isnan(cm.gross_revenue_retention(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match=r"churned = 8.0 plus contraction exceeds start_rr = 10.0"):
        cm.gross_revenue_retention(10.0, 3.0, 8.0)
    assert cm.quick_ratio(3_000.0, 500.0, 1_500.0, 500.0, 750.0) == 4.0
    assert math.isnan(cm.quick_ratio(1.0, 0.0, 0.0, 0.0, 0.0))


def test_referrals() -> None:
    assert cm.referral_rate(30, 120) == 0.25
    assert cm.referral_rate(30, 120, base="all", total_customers=600) == 0.05
    assert math.isnan(cm.referral_rate(0, 0))
    with pytest.raises(TypeError, match="total_customers is required with base='all'"):
        cm.referral_rate(30, 120, base="all")
    with pytest.raises(ValueError, match=r"referred_new_customers = 121.0 exceeds new_customers"):
        cm.referral_rate(121, 120)
    with pytest.raises(ValueError, match=r"new_customers = 700.0 exceeds total_customers"):
        cm.referral_rate(30, 700, base="all", total_customers=600)
    assert cm.referrer_rate(45, 900) == 0.05
    assert math.isnan(cm.referrer_rate(0, 0))


def test_avg_time_between_purchases_from_counts() -> None:
    assert cm.avg_time_between_purchases_from_counts(120.0, 6) == 20.0
    assert cm.avg_time_between_purchases_from_counts(np.timedelta64(48, "h"), 2, unit="h") == 24.0
    assert cm.avg_time_between_purchases_from_counts(2.0, 1, unit="h") == 2.0
    assert math.isnan(cm.avg_time_between_purchases_from_counts(0.0, 0))


# =========================================================================== event level
IDS = np.array(["a", "b", "a", "c", "a", "b"])
TS = ts("2023-01-10", "2023-11-02", "2024-02-01", "2024-03-01", "2024-03-01", "2024-02-15")
CHANNEL = np.array(["web", "web", "store", "web", "store", "store"])


def test_active_customers_window_edges() -> None:
    as_of = np.datetime64("2024-03-01", "ns")
    assert cm.active_customers(IDS, TS, window=30, as_of=as_of) == 2  # a (02-01), b (02-15)
    # an order exactly at as_of - window is inside; one at as_of is not (half-open)
    assert cm.active_customers(IDS, TS, window=29, as_of=as_of) == 2  # a at 02-01 is inside
    assert cm.active_customers(IDS, TS, window=28, as_of=as_of) == 1
    assert cm.active_customers(IDS, TS, window=np.timedelta64(28 * 24, "h"), as_of=as_of) == 1
    assert cm.active_customers(IDS, TS, window=28 * 24, unit="h", as_of=as_of) == 1
    # default as_of: one ns after the latest order, so the latest buyers count
    assert cm.active_customers(IDS, TS, window=30) == 3
    assert cm.active_customers(IDS, TS) == 3
    assert cm.active_customers(IDS, TS, window=600) == 3
    assert cm.active_customers(IDS, TS, window=0) == 0
    assert cm.active_customers([], ts()) == 0
    g = cm.active_customers(IDS, TS, window=120, by=CHANNEL)
    # b's web order of 2023-11-02 is 1 ns older than the default window's start
    assert g.to_dict() == {"store": 2, "web": 1}  # distinct counts are not additive
    assert g.values.dtype == np.int64


def test_churn_rate_from_activity_hand_computed() -> None:
    ids = ["a", "b", "c", "a", "d"]
    t = ts("2022-06-01", "2022-09-01", "2023-06-01", "2024-02-01", "2021-01-01")
    # base [2022-03-02, 2023-03-02): a, b; recent [2023-03-02, 2024-03-01): c, a -> b churned
    assert cm.churn_rate_from_activity(ids, t, as_of="2024-03-01") == 0.5
    assert math.isnan(cm.churn_rate_from_activity(ids, t, as_of="2024-03-01", window=10))
    g = cm.churn_rate_from_activity(ids, t, as_of="2024-03-01", by=["x", "y", "x", "x", "y"])
    assert g.to_dict() == {"x": 0.0, "y": 1.0}
    assert math.isnan(cm.churn_rate_from_activity([], ts()))


def test_new_customers_reads_history_from_the_whole_input() -> None:
    ids = ["a", "b", "a", "c", "c"]
    t = ts("2023-12-20", "2024-01-05", "2024-01-10", "2024-02-01", "2024-01-31")
    assert cm.new_customers(ids, t, start="2024-01-01", end="2024-02-01") == 2  # b and c
    assert cm.new_customers(ids, t) == 3
    assert cm.new_customers(ids, t, end="2024-01-01") == 1
    assert cm.new_customers([], ts()) == 0
    # by: counted in the group of the first order; a's later store order does not make
    # a new store customer (a loop over subsets would say it does)
    chan = ["web", "store", "store", "web", "store"]
    g = cm.new_customers(ids, t, start="2024-01-01", by=chan)
    assert g.to_dict() == {"store": 2}
    assert cm.new_customers(np.array(["a"]), ts("2024-01-10"), start="2024-01-01") == 1


def test_new_customers_tie_at_first_instant_counts_in_both_groups() -> None:
    g = cm.new_customers(["a", "a"], ts("2024-01-01", "2024-01-01"), by=["x", "y"])
    assert g.to_dict() == {"x": 1, "y": 1}


def test_repeat_purchase_rate_window_and_lifetime() -> None:
    ids = ["a", "a", "b", "c", "c", "c"]
    t = ts("2024-01-02", "2024-01-20", "2024-01-05", "2023-06-01", "2024-01-07", "2024-03-01")
    w = {"start": "2024-01-01", "end": "2024-02-01"}
    assert cm.repeat_purchase_rate(ids, t, **w) == pytest.approx(1 / 3, rel=1e-15)
    # lifetime: c has an order before the window too (the order after end never counts)
    assert cm.repeat_purchase_rate(ids, t, **w, lifetime=True) == pytest.approx(2 / 3)
    assert cm.repeat_purchase_rate(ids, t) == pytest.approx(2 / 3)
    # customer-weighted: a customer with five orders counts once
    assert cm.repeat_purchase_rate(["a"] * 5 + ["b"], ts(*["2024-01-01"] * 6)) == 0.5
    assert math.isnan(cm.repeat_purchase_rate(ids, t, start="2025-01-01"))
    assert math.isnan(cm.repeat_purchase_rate([], ts()))


def test_repeat_purchase_rate_by() -> None:
    ids = ["a", "a", "b", "b", "c"]
    t = ts("2024-01-02", "2024-01-20", "2023-05-01", "2024-01-05", "2024-01-07")
    chan = ["web", "store", "web", "web", "web"]
    w = {"start": "2024-01-01", "end": "2024-02-01"}
    # window records: a web, a store, b web, c web; per group orders counted on their own
    assert cm.repeat_purchase_rate(ids, t, **w, by=chan).to_dict() == {"store": 0.0, "web": 0.0}
    # lifetime: history from the whole input (a has 2 orders, b has 2 before end)
    g = cm.repeat_purchase_rate(ids, t, **w, lifetime=True, by=chan)
    assert g.to_dict() == {"store": 1.0, "web": pytest.approx(2 / 3)}


def test_purchase_frequency_event_level() -> None:
    assert cm.purchase_frequency(
        ["a", "a", "b", "c", "c"], ts(*["2024-01-01"] * 5)
    ) == pytest.approx(5 / 3)
    assert cm.purchase_frequency(IDS, TS, start="2024-02-01", end="2024-03-01") == 1.0
    assert math.isnan(cm.purchase_frequency([], ts()))
    g = cm.purchase_frequency(IDS, TS, by=CHANNEL)
    assert g.to_dict() == {"store": 1.5, "web": 1.0}


# purchase gaps: a on days 0, 10, 40 (gaps 10, 30); b on days 0, 50 (gap 50); c once
GAP_IDS = np.array(["a", "b", "a", "c", "a", "b"])
GAP_TS = ts("2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05", "2024-02-10", "2024-02-20")


def test_avg_time_between_purchases_pooled_and_customer_weighted() -> None:
    assert cm.avg_time_between_purchases(GAP_IDS, GAP_TS) == 30.0  # (10 + 30 + 50) / 3
    assert cm.avg_time_between_purchases(GAP_IDS, GAP_TS, weight="customer") == 35.0
    assert cm.avg_time_between_purchases(GAP_IDS, GAP_TS, unit="h") == 720.0
    # window on the later order: the 10-day gap ends on 01-11, before the window
    assert cm.avg_time_between_purchases(GAP_IDS, GAP_TS, start="2024-01-15") == 40.0
    assert cm.avg_time_between_purchases(GAP_IDS, GAP_TS, end="2024-02-15") == 20.0
    assert (
        cm.avg_time_between_purchases(GAP_IDS, GAP_TS, start="2024-02-01", end="2024-02-15") == 30.0
    )
    # one-order customers add no gap; no gaps at all -> nan; equal times give a 0 gap
    assert math.isnan(cm.avg_time_between_purchases(["a", "b"], ts("2024-01-01", "2024-01-02")))
    assert math.isnan(cm.avg_time_between_purchases([], ts()))
    assert cm.avg_time_between_purchases(["a", "a"], ts("2024-01-01", "2024-01-01")) == 0.0


def test_avg_time_between_purchases_by_assigns_gaps_to_the_later_order() -> None:
    chan = np.array(["web", "web", "store", "web", "web", "store"])
    g = cm.avg_time_between_purchases(GAP_IDS, GAP_TS, by=chan)
    # store orders close a's 10-day gap and b's 50-day gap; web closes a's 30-day gap
    assert g.to_dict() == {"store": 30.0, "web": 30.0}
    # a loop over subsets would give web: a's web orders are 40 days apart
    assert cm.avg_time_between_purchases(GAP_IDS[chan == "web"], GAP_TS[chan == "web"]) == 40.0
    for weight in ("pooled", "customer"):
        one = cm.avg_time_between_purchases(GAP_IDS, GAP_TS, weight=weight, by=np.zeros(6))
        assert one.values[0] == cm.avg_time_between_purchases(GAP_IDS, GAP_TS, weight=weight)


def test_avg_time_between_purchases_spans_more_than_292_years() -> None:
    t = ts("1700-01-01", "2250-01-01")
    expected = (np.datetime64("2250-01-01") - np.datetime64("1700-01-01")).astype(float)
    assert cm.avg_time_between_purchases(["a", "a"], t) == expected
    assert cm.avg_time_between_purchases(["a", "a"], t, by=["x", "x"]).values[0] == expected


def test_churn_rate_from_activity_at_the_window_edges() -> None:
    # windows are half-open: base [a - 2w, a - w), recent [a - w, a); an order at a has
    # not happened yet
    as_of = np.datetime64("2024-03-01", "ns")
    w = np.timedelta64(10, "D")
    day = np.timedelta64(1, "ns")  # one nanosecond
    ids = ["a", "a", "b", "b"]
    # a: base order at a - 2w exactly, recent order at a - w exactly -> stayed
    # b: base order 1 ns before a - w, next order exactly at a -> not yet: churned
    t = np.array([as_of - 2 * w, as_of - w, as_of - w - day, as_of])
    assert cm.churn_rate_from_activity(ids, t, window=10, as_of=as_of) == 0.5
    # 1 ns later b's order has happened (b stayed), while a's order at a - w now lies in
    # the base window and a has nothing in the recent one (a churned)
    later = cm.churn_rate_from_activity(ids, t, window=10, as_of=as_of + day, by=ids)
    assert later.to_dict() == {"a": 1.0, "b": 0.0}
    # an order 1 ns before a - 2w is outside the base
    assert math.isnan(
        cm.churn_rate_from_activity(["c"], np.array([as_of - 2 * w - day]), window=10, as_of=as_of)
    )


def test_recency_at_as_of_equal_to_an_order() -> None:
    # an order exactly at as_of has not happened: b is not listed, a's latest is 01-11
    r = cm.recency(
        ["a", "b", "a"], ts("2024-01-01", "2024-01-15", "2024-01-11"), as_of="2024-01-15"
    )
    assert r.to_dict() == {"a": 4.0}
    r = cm.recency(["b"], ts("2024-01-15"), as_of=np.datetime64("2024-01-15", "ns") + 1, unit="s")
    assert r.to_dict() == {"b": 1e-9}


def test_recency() -> None:
    r = cm.recency(
        ["a", "b", "a"], ts("2024-01-01", "2024-01-21", "2024-01-11"), as_of="2024-02-01"
    )
    assert r.to_dict() == {"a": 21.0, "b": 11.0}
    # orders at or after as_of have not happened: b has none before 2024-01-15
    r = cm.recency(
        ["a", "b", "a"], ts("2024-01-01", "2024-01-21", "2024-01-11"), as_of="2024-01-15"
    )
    assert r.to_dict() == {"a": 4.0}
    default = cm.recency(["a"], ts("2024-01-01"), unit="s")
    assert default.to_dict() == {"a": 1e-9}  # one ns after the latest order
    g = cm.recency(
        ["a", "a", "b"],
        ts("2024-01-01", "2024-01-11", "2024-01-21"),
        as_of="2024-02-01",
        by=["x", "y", "x"],
    )
    assert g.to_dict() == {("x", "a"): 31.0, ("x", "b"): 11.0, ("y", "a"): 21.0}
    assert len(cm.recency([], ts())) == 0


def test_clv_historical_and_mean() -> None:
    ids = ["a", "b", "a", "b"]
    t = ts("2024-01-01", "2024-01-02", "2024-01-03", "2024-03-01")
    amount = [100.0, 40.0, 60.0, 500.0]
    margin = [30.0, -5.0, 20.0, 100.0]
    assert cm.clv_historical(ids, t, amount).to_dict() == {"a": 160.0, "b": 540.0}
    cut = cm.clv_historical(ids, t, amount, margin=margin, as_of="2024-02-01")
    assert cut.to_dict() == {"a": 50.0, "b": -5.0}
    assert cm.clv_historical_mean(ids, t, amount, as_of="2024-02-01") == 100.0
    assert cm.clv_historical_mean(ids, t, amount, margin=margin) == 72.5
    assert math.isnan(cm.clv_historical_mean([], ts(), []))
    g = cm.clv_historical(ids, t, amount, by=["x", "x", "y", "y"])
    assert g.to_dict() == {("x", "a"): 100.0, ("x", "b"): 40.0, ("y", "a"): 60.0, ("y", "b"): 500.0}
    gm = cm.clv_historical_mean(ids, t, amount, by=["x", "x", "y", "y"])
    assert gm.to_dict() == {"x": 70.0, "y": 280.0}
    with pytest.raises(ValueError, match=r"amount\[0\] = -1.0 is negative"):
        cm.clv_historical(ids, t, [-1.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="margin has length 1"):
        cm.clv_historical(ids, t, amount, margin=[1.0])


def test_reactivation_rate() -> None:
    ids = ["a", "b", "c", "a", "c", "d"]
    t = ts("2022-03-01", "2022-05-01", "2023-11-01", "2024-01-15", "2024-01-20", "2024-01-03")
    # dormant at 2024-01-01 (last order before 2023-01-01): a, b; a buys again -> 1 / 2
    assert cm.reactivation_rate(ids, t, start="2024-01-01", end="2024-02-01") == 0.5
    assert cm.reactivation_rate(ids, t, start="2024-01-01", end="2024-01-10") == 0.0
    # dormancy boundary: a last order exactly at start - dormancy is still active
    edge = ["a", "a", "z"]
    t_edge = ts("2023-01-01", "2024-01-05", "2020-01-01")
    assert cm.reactivation_rate(edge, t_edge, start="2024-01-01") == 0.0  # only z is dormant
    t_edge = ts("2022-12-31", "2024-01-05", "2020-01-01")
    assert cm.reactivation_rate(edge, t_edge, start="2024-01-01") == 0.5
    assert math.isnan(cm.reactivation_rate(ids, t, start="2022-01-01"))
    g = cm.reactivation_rate(ids, t, start="2024-01-01", by=["x", "y", "x", "x", "x", "y"])
    assert g.to_dict() == {"x": 1.0, "y": 0.0}
    with pytest.raises(TypeError, match="start"):
        cm.reactivation_rate(ids, t)  # type: ignore[call-overload]


# =========================================================================== cohorts
def test_cohort_retention_matrix_hand_computed() -> None:
    ids = ["a", "b", "a", "c", "b", "b"]
    t = ts("2024-01-05", "2024-01-20", "2024-02-11", "2024-02-03", "2024-03-09", "2024-03-30")
    m = cm.cohort_retention_matrix(ids, t)
    assert m.cohorts.tolist() == ts("2024-01-01", "2024-02-01").tolist()
    assert m.offsets.tolist() == [0, 1, 2]
    assert m.sizes.tolist() == [2, 1]
    np.testing.assert_array_equal(m.matrix, [[1.0, 0.5, 0.5], [1.0, 0.0, np.nan]])
    assert m.freq == "M"
    frame = m.to_pandas()
    assert frame.shape == (2, 3)
    assert frame.index.names == ["cohort", "size"]
    assert frame.index.get_level_values("size").tolist() == [2, 1]
    q = cm.cohort_retention_matrix(ids, t, freq="Q")
    np.testing.assert_array_equal(q.matrix, [[1.0]])
    assert q.sizes.tolist() == [3]
    w = cm.cohort_retention_matrix(["a", "a"], ts("2024-01-07", "2024-01-08"), freq="W")
    assert w.cohorts.tolist() == ts("2024-01-01", "2024-01-08").tolist()[:1]  # Monday start
    np.testing.assert_array_equal(w.matrix, [[1.0, 1.0]])


def test_cohort_matrix_tz_offset_and_empty() -> None:
    # 23:30 UTC on Jan 31 is February in UTC+2
    m = cm.cohort_retention_matrix(["a"], ts("2024-01-31T23:30"), tz_offset_hours=2)
    assert m.cohorts.tolist() == ts("2024-02-01").tolist()
    assert (
        m.cohorts.tolist()
        == cm.cohort_key(["a"], ["2024-01-31T23:30"], "M", tz_offset_hours=2).tolist()
    )
    empty = cm.cohort_retention_matrix([], ts())
    assert empty.matrix.shape == (0, 0)
    assert len(empty.sizes) == 0


def test_cohort_matrix_sorted_fallback_for_wide_daily_tables() -> None:
    # 300 customers x ~20,000 daily offsets is larger than the bit table allows: sorted path
    rng = np.random.default_rng(5)
    n = 600
    ids = np.repeat(np.arange(300), 2)
    days = rng.integers(0, 20_000, size=n)
    t = (np.datetime64("1980-01-01", "D") + days).astype("datetime64[ns]")
    m = cm.cohort_retention_matrix(ids, t, freq="D")
    expected = pandas_cohort_matrix(ids, t, "D")
    np.testing.assert_allclose(m.matrix, expected.to_numpy(), rtol=0, atol=1e-12)


def test_cohort_matrix_is_permutation_invariant() -> None:
    rng = np.random.default_rng(7)
    ids = rng.integers(0, 50, 400)
    t = (np.datetime64("2023-01-01", "D") + rng.integers(0, 400, 400)).astype("datetime64[ns]")
    amount = rng.uniform(0, 100, 400)
    order = rng.permutation(400)
    a, b = cm.cohort_retention_matrix(ids, t), cm.cohort_retention_matrix(ids[order], t[order])
    np.testing.assert_array_equal(a.matrix, b.matrix)
    r1 = cm.cohort_revenue_matrix(ids, t, amount)
    r2 = cm.cohort_revenue_matrix(ids[order], t[order], amount[order])
    np.testing.assert_allclose(r1.matrix, r2.matrix, rtol=1e-12)


def test_cohort_revenue_matrix() -> None:
    ids = ["a", "b", "a", "c"]
    t = ts("2024-01-05", "2024-01-20", "2024-02-11", "2024-02-03")
    m = cm.cohort_revenue_matrix(ids, t, [10.0, 30.0, 8.0, 5.0])
    np.testing.assert_array_equal(m.matrix, [[20.0, 4.0], [5.0, np.nan]])
    total = cm.cohort_revenue_matrix(ids, t, [10.0, 30.0, 8.0, 5.0], per="total")
    np.testing.assert_array_equal(total.matrix, [[40.0, 8.0], [5.0, np.nan]])
    assert total.sizes.tolist() == [2, 1]


# =========================================================================== MRR
def test_mrr_movements_hand_computed() -> None:
    ids = ["a", "b", "a", "b", "a", "c", "c"]
    period = [1, 1, 2, 3, 3, 3, 4]
    mrr = [100.0, 50.0, 120.0, 50.0, 90.0, 10.0, 0.0]
    m = cm.mrr_movements(ids, period, mrr)
    assert m.periods.tolist() == [1, 2, 3, 4]
    assert m.new.tolist() == [150.0, 0.0, 10.0, 0.0]
    assert m.reactivation.tolist() == [0.0, 0.0, 50.0, 0.0]
    assert m.expansion.tolist() == [0.0, 20.0, 0.0, 0.0]
    assert m.contraction.tolist() == [0.0, 0.0, 30.0, 0.0]
    assert m.churned.tolist() == [0.0, 50.0, 0.0, 150.0]  # c's 0 row counts as no MRR
    assert m.opening.tolist() == [0.0, 150.0, 120.0, 150.0]
    assert m.closing.tolist() == [150.0, 120.0, 150.0, 0.0]
    bridge = m.opening + m.new + m.reactivation + m.expansion - m.contraction - m.churned
    np.testing.assert_allclose(bridge, m.closing)
    assert list(m.to_pandas().columns)[-1] == "closing"
    with pytest.raises(ValueError, match=r"period\[2\] = 1 repeats a \(customer_id, period\) pair"):
        cm.mrr_movements(["a", "b", "a"], [1, 1, 1], [1.0, 2.0, 3.0])
    empty = cm.mrr_movements([], [], [])
    assert len(empty.periods) == 0


def test_mrr_movements_are_money_even_when_a_movement_never_happens() -> None:
    # np.bincount gives int64 for an empty selection; every movement must stay float64
    m = cm.mrr_movements(["a", "b", "a", "b"], [1, 1, 2, 2], [10.0, 20.0, 5.0, 25.0])
    for name in ("opening", "new", "reactivation", "expansion", "contraction", "churned"):
        assert getattr(m, name).dtype == np.float64, name
    assert m.reactivation.tolist() == [0.0, 0.0]


# =========================================================================== rules added here
def test_new_rules() -> None:
    @validated(
        s=Count(),
        n=Count(),
        e=Part(Count(), of="s", net_of="n"),
        opt=Omittable(Count()),
        m=Money(event=True),
        r=Along(Fraction(), of="m"),
        x=NonNegative(),
    )
    def probe(s: Any, n: Any, e: Any, r: Any, m: Any, x: Any, opt: Any = None) -> Any:
        return e, opt

    assert probe(10, 2, 12, 0.5, [1.0], 1.0)[1] is None
    with pytest.raises(ValueError, match=r"e = 13.0 minus n exceeds s = 10.0"):
        probe(10, 2, 13, 0.5, [1.0], 1.0)
    with pytest.raises(ValueError, match=r"x = -2.0 is negative"):
        probe(10, 2, 12, 0.5, [1.0], -2.0)
    with pytest.raises(ValueError, match=r"x = inf is infinite"):
        probe(10, 2, 12, 0.5, [1.0], float("inf"))
    with pytest.raises(ValueError, match=r"opt = -1.0 is negative"):
        probe(10, 2, 12, 0.5, [1.0], 1.0, opt=-1)
    with pytest.raises(ValueError, match=r"r has shape \(2,\); give one number or one per"):
        probe(10, 2, 12, [0.5, 0.5], [1.0], 1.0)
    rule = Omittable(Money(event=True))
    assert rule.event
    assert rule.optional


def test_distinct_pairs_rule_names_the_first_repeat() -> None:
    @validated(c=Count(event=True), p=DistinctPairs(with_="c"))
    def probe(c: Any, p: Any) -> Any:
        return p

    probe([1, 2, 1], ["x", "x", "y"])
    with pytest.raises(ValueError, match=r"p\[3\] = 'y' repeats a \(c, p\) pair"):
        probe([1, 2, 1, 1], ["x", "x", "y", "y"])


# =========================================================================== CDNOW real data
@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    log = datasets.load_cdnow()
    return pd.DataFrame({"customer_id": log.customer_id, "ts": log.ts, "amount": log.amount})


def pandas_cohort_matrix(ids: Any, t: Any, freq: str) -> pd.DataFrame:
    """Cohort retention the pandas way: period numbers, first period per customer, nunique."""
    df = pd.DataFrame({"c": ids, "t": pd.to_datetime(t)})
    pandas_freq = {"D": "D", "M": "M"}[freq]
    per = df["t"].dt.to_period(pandas_freq)
    df["p"] = per.astype("int64")  # ordinal: consecutive periods differ by 1
    df["cohort"] = df.groupby("c")["p"].transform("min")
    df["k"] = df["p"] - df["cohort"]
    counts = df.groupby(["cohort", "k"])["c"].nunique().unstack(fill_value=0)
    last = df["p"].max()
    counts = counts.reindex(columns=range(int(last - df["cohort"].min()) + 1), fill_value=0)
    sizes = df.groupby("cohort")["c"].nunique()
    shares = counts.div(sizes, axis=0).astype(float)
    observed = last - shares.index.to_numpy()
    mask = np.arange(shares.shape[1])[None, :] > observed[:, None]
    return shares.mask(mask)


def test_cdnow_active_customers(cdnow: pd.DataFrame) -> None:
    as_of = cdnow["ts"].max() + pd.Timedelta(1, "ns")
    for days in (90, 365):
        recent = cdnow[(cdnow["ts"] >= as_of - pd.Timedelta(days=days)) & (cdnow["ts"] < as_of)]
        expected = recent["customer_id"].nunique()
        assert cm.active_customers(cdnow["customer_id"], cdnow["ts"], window=days) == expected
    assert expected > 1000


def test_cdnow_repeat_purchase_rate(cdnow: pd.DataFrame) -> None:
    start, end = pd.Timestamp("1997-07-01"), pd.Timestamp("1998-01-01")
    window = cdnow[(cdnow["ts"] >= start) & (cdnow["ts"] < end)]
    orders = window.groupby("customer_id").size()
    expected = (orders >= 2).mean()
    got = cm.repeat_purchase_rate(cdnow["customer_id"], cdnow["ts"], start=start, end=end)
    assert got == pytest.approx(expected, rel=1e-12)
    history = cdnow[cdnow["ts"] < end].groupby("customer_id").size()
    expected_life = (history.reindex(orders.index) >= 2).mean()
    got_life = cm.repeat_purchase_rate(
        cdnow["customer_id"], cdnow["ts"], start=start, end=end, lifetime=True
    )
    assert got_life == pytest.approx(expected_life, rel=1e-12)
    assert got < got_life


def test_cdnow_avg_time_between_purchases(cdnow: pd.DataFrame) -> None:
    df = cdnow.sort_values(["customer_id", "ts"], kind="stable")
    gaps = df.groupby("customer_id")["ts"].diff().dt.total_seconds() / 86_400
    pooled = gaps.mean()
    per_customer = gaps.groupby(df["customer_id"]).mean().dropna().mean()
    ids, t = cdnow["customer_id"], cdnow["ts"]
    assert cm.avg_time_between_purchases(ids, t) == pytest.approx(pooled, rel=1e-9)
    got = cm.avg_time_between_purchases(ids, t, weight="customer")
    assert got == pytest.approx(per_customer, rel=1e-9)
    # with a window on the later order
    start = pd.Timestamp("1997-10-01")
    windowed = gaps[df["ts"] >= start].mean()
    assert cm.avg_time_between_purchases(ids, t, start=start) == pytest.approx(windowed, rel=1e-9)


def test_cdnow_monthly_cohort_retention_matrix(cdnow: pd.DataFrame) -> None:
    m = cm.cohort_retention_matrix(cdnow["customer_id"], cdnow["ts"], freq="M")
    expected = pandas_cohort_matrix(cdnow["customer_id"], cdnow["ts"], "M")
    assert m.matrix.shape == expected.shape == (3, 18)  # the 1997 Q1 cohorts, to June 1998
    np.testing.assert_allclose(m.matrix, expected.to_numpy(), rtol=1e-12, atol=0)
    first = cdnow.groupby("customer_id")["ts"].min().dt.to_period("M")
    np.testing.assert_array_equal(m.sizes, first.value_counts().sort_index().to_numpy())

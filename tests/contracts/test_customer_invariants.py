"""METRICS.md §7 items 8 (retention identities), 13 (purchase behaviour) and 14 (CLV) as
property tests, plus the by= semantics of the history-dependent §1 metrics."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import crm_metrics as cm

from . import strategies as gen
from .registry_customer import DAY, T0, fractions, money, transactions
from .test_contracts import assert_same

rates = st.floats(0.0, 1.0)
discounts = st.one_of(st.just(0.0), st.floats(1e-6, 2.0))  # no subnormal rates
margins = st.floats(-1e6, 1e6)


# --------------------------------------------------------------------------- §7.8 retention
@given(gen.counts, st.data())
def test_retention_plus_churn_is_one(start: int, data: st.DataObject) -> None:
    lost = data.draw(st.integers(0, start))
    new = data.draw(gen.counts)
    end = start - lost + new
    assert cm.retained_customers(end, new) == start - lost
    if start > 0:
        total = cm.customer_retention_rate(start, end, new) + cm.customer_churn_rate(lost, start)
        assert_same(total, 1.0)


@st.composite
def bridges(draw: st.DrawFn) -> tuple[float, float, float, float]:
    start = draw(money)
    contraction = draw(st.floats(0.0, start))
    churned = draw(st.floats(0.0, max(start - contraction, 0.0)))
    return start, draw(money), contraction, churned


@given(bridges())
def test_revenue_retention_identities(bridge: tuple[float, float, float, float]) -> None:
    start, expansion, contraction, churned = bridge
    assume(start > 0)
    nrr = cm.net_revenue_retention(start, expansion, contraction, churned)
    grr = cm.gross_revenue_retention(start, contraction, churned)
    assert_same(grr + cm.revenue_churn_rate(start, contraction, churned), 1.0)
    assert_same(nrr - grr, expansion / start)
    assert grr <= nrr + 1e-9 * max(1.0, nrr)


# --------------------------------------------------------------------------- §7.13 purchases
@st.composite
def orders(draw: st.DrawFn, min_size: int = 0) -> dict[str, Any]:
    n = draw(st.integers(min_size, 40))
    return draw(transactions(n, T0 - 400 * DAY, T0 + 400 * DAY, amount=True))


@st.composite
def windows(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {}
    start = draw(st.integers(-400, 400))
    end = start + draw(st.integers(0, 500))
    return {
        "start": np.datetime64(T0 + start * DAY, "ns"),
        "end": np.datetime64(T0 + end * DAY, "ns"),
    }


@given(orders(), windows())
def test_frequency_at_least_one_and_one_iff_no_repeaters(
    tx: dict[str, Any], window: dict[str, Any]
) -> None:
    ids, t = tx["customer_id"], tx["ts"]
    frequency = cm.purchase_frequency(ids, t, **window)
    repeat = cm.repeat_purchase_rate(ids, t, **window)
    if np.isnan(frequency):
        assert np.isnan(repeat)
        return
    assert frequency >= 1.0
    assert (frequency == 1.0) == (repeat == 0.0)


@given(orders(min_size=1), st.sampled_from(["D", "W", "M", "Q", "Y"]))
def test_cohort_matrix_first_column_is_one(tx: dict[str, Any], freq: str) -> None:
    m = cm.cohort_retention_matrix(tx["customer_id"], tx["ts"], freq=freq)
    np.testing.assert_array_equal(m.matrix[:, 0], 1.0)
    assert int(m.sizes.sum()) == len(np.unique(tx["customer_id"]))
    finite = m.matrix[~np.isnan(m.matrix)]
    assert ((finite >= 0) & (finite <= 1)).all()
    # nan exactly after the last observed period: a triangle, one fewer cell per cohort
    observed = (~np.isnan(m.matrix)).sum(axis=1)
    assert (np.diff(observed) < 0).all()
    np.testing.assert_array_equal(
        m.cohorts, np.unique(cm.cohort_key(tx["customer_id"], tx["ts"], freq))
    )
    revenue = cm.cohort_revenue_matrix(
        tx["customer_id"], tx["ts"], tx["amount"], freq=freq, per="total"
    )
    assert_same(np.nansum(revenue.matrix), np.sum(tx["amount"]))


# --------------------------------------------------------------------------- §7.14 CLV
@given(margins, margins, st.floats(-3, 3), fractions, discounts, st.sampled_from(["end", "begin"]))
def test_margin_multiple_is_linear_in_m(
    m1: float, m2: float, a: float, r: float, d: float, timing: str
) -> None:
    assume(not (r == 1.0 and d == 0.0))
    f = cm.clv_margin_multiple
    assert_same(
        f(a * m1 + m2, r, d, timing=timing),
        a * f(m1, r, d, timing=timing) + f(m2, r, d, timing=timing),
    )


@given(st.floats(0.01, 1e6), rates, rates, discounts, discounts)
def test_margin_multiple_monotone_in_r_and_d(
    m: float, r1: float, r2: float, d1: float, d2: float
) -> None:
    (r_lo, r_hi), (d_lo, d_hi) = sorted((r1, r2)), sorted((d1, d2))
    assume(d_lo > 0 or r_hi < 1)
    f = cm.clv_margin_multiple
    base, more_r, more_d = f(m, r_lo, d_lo), f(m, r_hi, d_lo), f(m, r_lo, d_hi)
    if np.isfinite(base) and np.isfinite(more_r):  # §7: where both sides are defined
        assert base <= more_r * (1 + 1e-12)
    if np.isfinite(base) and np.isfinite(more_d):
        assert more_d <= base * (1 + 1e-12)


@given(margins, rates, discounts)
def test_begin_timing_is_end_plus_m(m: float, r: float, d: float) -> None:
    assume(not (r == 1.0 and d == 0.0))
    f = cm.clv_margin_multiple
    assert_same(f(m, r, d, timing="begin"), f(m, r, d) + m)


@given(margins, st.floats(0.0, 0.95), st.floats(0.0, 1.0), st.sampled_from(["end", "begin"]))
def test_discounted_clv_converges_to_the_margin_multiple(
    m: float, r: float, d: float, timing: str
) -> None:
    ratio = r / (1 + d)
    horizon = 1 if ratio == 0 else int(np.ceil(np.log(1e-12) / np.log(ratio))) + 1
    assert ratio**horizon < 1e-12
    finite = cm.clv_discounted(np.full(horizon, m), r, d, timing=timing)
    limit = cm.clv_margin_multiple(m, r, d, timing=timing)
    np.testing.assert_allclose(finite, limit, rtol=1e-9, atol=1e-9 * max(abs(m), 1.0) / (1 - ratio))


@given(money, fractions, fractions)
def test_ltv_saas_is_arpa_margin_lifetime(arpa: float, gm: float, churn: float) -> None:
    assert_same(cm.ltv_saas(arpa, gm, churn), arpa * gm * cm.customer_lifetime(churn))


@given(money, money, fractions)
def test_cac_payback_times_margin_arpa_is_cac(cac: float, arpa: float, gm: float) -> None:
    assume(arpa * gm > 0)
    assert_same(cm.cac_payback_periods(cac, arpa, gm) * arpa * gm, cac)


# --------------------------------------------------------------------------- by= semantics
keys = st.integers(0, 2)


@st.composite
def keyed_orders(draw: st.DrawFn) -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    tx = draw(orders())
    n = len(tx["ts"])
    return tx, np.array(draw(st.lists(keys, min_size=n, max_size=n)), dtype=np.int64)


def reference_gaps(ids: Any, t: Any, by: Any) -> list[tuple[int, Any, float, int]]:
    """(later order index, customer, gap ns, key) by sorting each customer's orders by hand."""
    out = []
    order = sorted(range(len(t)), key=lambda i: (ids[i], int(t[i].astype(np.int64)), by[i]))
    for prev, cur in itertools.pairwise(order):
        if ids[prev] == ids[cur]:
            gap = float(int(t[cur].astype(np.int64)) - int(t[prev].astype(np.int64)))
            out.append((cur, ids[cur], gap, by[cur]))
    return out


@given(keyed_orders(), windows(), st.sampled_from(["pooled", "customer"]))
def test_purchase_gaps_by_partitions_gaps_by_their_later_order(
    case: tuple[dict[str, Any], np.ndarray[Any, Any]], window: dict[str, Any], weight: str
) -> None:
    tx, by = case
    ids, t = tx["customer_id"], tx["ts"]
    start = window.get("start", np.datetime64(-(2**62), "ns"))
    end = window.get("end", np.datetime64(2**62, "ns"))
    gaps = [g for g in reference_gaps(ids, t, by) if start <= t[g[0]] < end]
    grouped = cm.avg_time_between_purchases(ids, t, **window, weight=weight, unit="s", by=by)
    whole = cm.avg_time_between_purchases(ids, t, **window, weight=weight, unit="s")
    for key, value in grouped.to_dict().items():
        mine = [g for g in gaps if g[3] == key]
        if weight == "pooled":
            expected = np.mean([g[2] for g in mine]) if mine else np.nan
        else:
            per = {c: np.mean([g[2] for g in mine if g[1] == c]) for c in {g[1] for g in mine}}
            expected = np.mean(list(per.values())) if per else np.nan
        assert_same(value, expected / 1e9)
    one_group = cm.avg_time_between_purchases(
        ids, t, **window, weight=weight, unit="s", by=np.zeros(len(t))
    )
    if len(one_group):
        assert_same(one_group.values[0], whole)


@given(keyed_orders(), windows())
def test_repeat_purchase_rate_by_equals_loop_without_lifetime(
    case: tuple[dict[str, Any], np.ndarray[Any, Any]], window: dict[str, Any]
) -> None:
    tx, by = case
    ids, t = tx["customer_id"], tx["ts"]
    grouped = cm.repeat_purchase_rate(ids, t, **window, by=by)
    for key, value in grouped.to_dict().items():
        assert_same(value, cm.repeat_purchase_rate(ids[by == key], t[by == key], **window))


@given(keyed_orders(), windows())
def test_lifetime_repeat_rate_reads_history_from_the_whole_input(
    case: tuple[dict[str, Any], np.ndarray[Any, Any]], window: dict[str, Any]
) -> None:
    tx, by = case
    ids, t = tx["customer_id"], tx["ts"]
    end = window.get("end")
    history = ids if end is None else ids[t < end]
    grouped = cm.repeat_purchase_rate(ids, t, **window, lifetime=True, by=by)
    inside = np.ones(len(t), dtype=bool)
    if window:
        inside = (t >= window["start"]) & (t < window["end"])
    for key, value in grouped.to_dict().items():
        customers = np.unique(ids[inside & (by == key)])
        repeaters = [c for c in customers if np.count_nonzero(history == c) >= 2]
        assert_same(value, len(repeaters) / len(customers))
    assert grouped.to_dict().keys() == set(by[inside].tolist())


@given(keyed_orders(), windows())
def test_new_customers_by_counts_each_customer_in_its_first_order_group(
    case: tuple[dict[str, Any], np.ndarray[Any, Any]], window: dict[str, Any]
) -> None:
    tx, by = case
    ids, t = tx["customer_id"], tx["ts"]
    grouped = cm.new_customers(ids, t, **window, by=by).to_dict()
    first = {c: t[ids == c].min() for c in np.unique(ids)}
    expected: dict[int, set[Any]] = {}
    for i in range(len(t)):
        inside = not window or window["start"] <= t[i] < window["end"]
        if t[i] == first[ids[i]] and inside:
            expected.setdefault(int(by[i]), set()).add(ids[i])
    assert grouped == {k: len(v) for k, v in sorted(expected.items())}
    assert cm.new_customers(ids, t, **window) == len(set().union(*expected.values()))


@given(keyed_orders(), st.integers(-400, 400))
def test_per_customer_results_with_by_are_keyed_by_group_and_customer(
    case: tuple[dict[str, Any], np.ndarray[Any, Any]], day: int
) -> None:
    tx, by = case
    ids, t, amount = tx["customer_id"], tx["ts"], tx["amount"]
    as_of = np.datetime64(T0 + day * DAY, "ns")
    rec = cm.recency(ids, t, as_of=as_of, unit="s", by=by).to_dict()
    clv = cm.clv_historical(ids, t, amount, as_of=as_of, by=by).to_dict()
    expected_rec: dict[tuple[int, int], float] = {}
    expected_clv: dict[tuple[int, int], float] = {}
    for key in np.unique(by):
        part = by == key
        for c, v in cm.recency(ids[part], t[part], as_of=as_of, unit="s").to_dict().items():
            expected_rec[(int(key), c)] = v
        for c, v in (
            cm.clv_historical(ids[part], t[part], amount[part], as_of=as_of).to_dict().items()
        ):
            expected_clv[(int(key), c)] = v
    assert rec.keys() == expected_rec.keys()
    assert clv.keys() == expected_clv.keys()
    for k in rec:
        assert_same(rec[k], expected_rec[k])
        assert_same(clv[k], expected_clv[k])

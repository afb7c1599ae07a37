"""METRICS.md §7 invariants of the campaign area (§3) as property tests.

§7.12 (email and response-rate identities), §7.13 (``cross_sell_ratio >= 1``), §7.5
(``campaign_summary`` equals the loop over campaigns; counts and sums additive, distinct new
customers not) and §7.6 (ROMI and ROAS are currency-free).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import crm_metrics as cm

from . import strategies as gen
from .registry_campaign import chain, money
from .test_contracts import assert_same


# --------------------------------------------------------------------------- §7.12
@given(chain("delivered", "unique_openers", "unique_clickers"))
def test_click_rate_is_open_rate_times_click_to_open_rate(c: dict[str, int]) -> None:
    assume(c["unique_openers"] > 0)
    assert_same(
        cm.email_click_rate(c["unique_clickers"], c["delivered"]),
        cm.email_open_rate(c["unique_openers"], c["delivered"])
        * cm.click_to_open_rate(c["unique_clickers"], c["unique_openers"]),
    )


@given(st.lists(chain("delivered", "unique_openers", "unique_clickers"), min_size=1, max_size=5))
def test_email_identity_holds_element_wise(rows: list[dict[str, int]]) -> None:
    d, o, k = (np.array([r[name] for r in rows]) for name in ("delivered", "unique_openers",
                                                              "unique_clickers"))  # fmt: skip
    lhs = cm.email_click_rate(k, d)
    rhs = cm.email_open_rate(o, d) * cm.click_to_open_rate(k, o)
    defined = o > 0
    assert_same(lhs[defined], rhs[defined])
    assert np.isnan(rhs[~defined]).all()


@given(chain("sent", "delivered", "responded"))
def test_response_rate_on_sent_never_exceeds_response_rate_on_delivered(c: dict[str, int]) -> None:
    on_sent = cm.response_rate(c["responded"], c["delivered"], sent=c["sent"], base="sent")
    on_delivered = cm.response_rate(c["responded"], c["delivered"])
    assume(not np.isnan(on_sent) and not np.isnan(on_delivered))
    assert on_sent <= on_delivered
    # the same figure through the literal reading response_rate(responded, sent)
    assert_same(on_sent, cm.response_rate(c["responded"], c["sent"]))


@given(chain("delivered", "responded", "converted"))
def test_conversion_on_responders_is_at_least_conversion_on_delivered(c: dict[str, int]) -> None:
    on_delivered = cm.campaign_conversion_rate(c["converted"], c["delivered"])
    on_responders = cm.campaign_conversion_rate(
        c["converted"], c["delivered"], responded=c["responded"], base="responded"
    )
    assume(not np.isnan(on_delivered) and not np.isnan(on_responders))
    assert on_delivered <= on_responders


# --------------------------------------------------------------------------- §7.13 cross-sell
@st.composite
def baskets(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 40))
    ints = st.lists(st.integers(0, 5), min_size=n, max_size=n).map(np.array)
    return {"customer_id": draw(ints), "product_id": draw(ints), "ts": draw(gen.timestamps(n))}


@given(baskets())
def test_cross_sell_ratio_is_at_least_one_and_consistent_with_the_rate(b: dict[str, Any]) -> None:
    ratio = cm.cross_sell_ratio(**b)
    rate = cm.cross_sell_rate(**b)
    assert ratio >= 1.0
    assert (ratio == 1.0) == (rate == 0.0)
    # products per customer, counted directly
    pairs = {(c, p) for c, p in zip(b["customer_id"].tolist(), b["product_id"].tolist(),
                                    strict=True)}  # fmt: skip
    customers = set(b["customer_id"].tolist())
    assert_same(ratio, len(pairs) / len(customers))


# --------------------------------------------------------------------------- §7.5 summary vs loop
@st.composite
def recipients(draw: st.DrawFn) -> dict[str, np.ndarray[Any, Any]]:
    n = draw(st.integers(0, 40))
    stage = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=int)
    # funnel: 0 not sent, 1 sent, 2 delivered, 3 responded, 4 converted (converted may skip
    # the response: converted implies delivered only)
    skip = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    flags = st.lists(st.booleans(), min_size=n, max_size=n).map(lambda x: np.array(x, bool))
    ints = st.lists(st.integers(0, 6), min_size=n, max_size=n).map(np.array)
    return {
        "campaign_id": draw(ints),
        "sent": stage >= 1,
        "delivered": stage >= 2,
        "responded": (stage >= 3) & ~((stage == 4) & skip),
        "converted": stage >= 4,
        "revenue": np.array(draw(st.lists(money, min_size=n, max_size=n)), dtype=float),
        "is_new_customer": draw(flags),
        "contact_id": draw(ints),
    }


@given(recipients())
def test_campaign_summary_equals_the_loop_over_campaigns(
    r: dict[str, np.ndarray[Any, Any]],
) -> None:
    s = cm.campaign_summary(**r)
    assert s.keys.tolist() == np.unique(r["campaign_id"]).tolist()
    for i, key in enumerate(s.keys.tolist()):
        m = r["campaign_id"] == key
        for field in ("sent", "delivered", "responded", "converted"):
            assert getattr(s, field)[i] == int(r[field][m].sum())
        assert_same(s.revenue[i], cm.campaign_revenue(r["revenue"][m], r["converted"][m]))
        assert s.new_customers[i] == cm.campaign_new_customers(
            r["contact_id"][m], r["converted"][m], r["is_new_customer"][m]
        )
    # counts and sums are additive over campaigns; distinct new customers are not
    assert s.sent.sum() == int(r["sent"].sum())
    assert_same(s.revenue.sum(), cm.campaign_revenue(r["revenue"], r["converted"]))
    overall = cm.campaign_new_customers(r["contact_id"], r["converted"], r["is_new_customer"])
    assert s.new_customers.sum() >= overall
    # a pooled rate is sum of numerators over sum of denominators
    pooled = cm.response_rate(s.responded.sum(), s.delivered.sum())
    assert_same(pooled, cm.response_rate(int(r["responded"].sum()), int(r["delivered"].sum())))


# --------------------------------------------------------------------------- §7.6 currency-free
@given(money, money, st.floats(0, 1), st.floats(0.01, 100))
def test_romi_and_roas_are_currency_free(rev: float, cost: float, m: float, c: float) -> None:
    assert_same(
        cm.marketing_roi(rev * c, cost * c, margin=m), cm.marketing_roi(rev, cost, margin=m)
    )
    assert_same(cm.roas(rev * c, cost * c), cm.roas(rev, cost))
    roi = cm.marketing_roi(rev, cost)
    assert np.isnan(roi) or roi >= -1.0
    assert_same(cm.roas(rev, cost), roi + 1.0)


@given(chain("test_n", "test_conv"), chain("ctrl_n", "ctrl_conv"), st.integers(1, 50))
def test_response_lift_is_scale_free_and_at_least_minus_one(
    t: dict[str, int], c: dict[str, int], k: int
) -> None:
    lift = cm.response_lift(t["test_conv"], t["test_n"], c["ctrl_conv"], c["ctrl_n"])
    scaled = cm.response_lift(
        t["test_conv"] * k, t["test_n"] * k, c["ctrl_conv"] * k, c["ctrl_n"] * k
    )
    assert_same(scaled, lift)
    assert np.isnan(lift) or lift >= -1.0 - 1e-12

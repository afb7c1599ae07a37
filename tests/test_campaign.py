"""Hand-computed cases for METRICS.md §3 (campaign and marketing), and the rules it added."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import crm_metrics as cm
from crm_metrics._validate import Bounded, Count, Flags, ImpliedFlags, Money, Option, validated

# Recipients of two campaigns (rows 0-5 "spring", 6-9 "fall"):
#   spring: 6 sent, 5 delivered, 2 responded, 2 converted (120 + 30), new: contact 1 (twice), 2
#   fall:   4 sent, 3 delivered, 1 responded, 1 converted (80), new: contact 1
CAMPAIGN = ["spring"] * 6 + ["fall"] * 4
SENT = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
DELIVERED = [1, 1, 1, 1, 1, 0, 1, 1, 1, 0]
RESPONDED = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0]
CONVERTED = [1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
REVENUE = [120.0, 999.0, 30.0, 0.0, 0.0, 0.0, 5.0, 80.0, 0.0, 0.0]
NEW = [1, 1, 1, 0, 0, 0, 1, 1, 0, 0]
CONTACT = [1, 2, 1, 3, 4, 5, 1, 1, 6, 7]


def summary() -> cm.CampaignSummary:
    return cm.campaign_summary(
        CAMPAIGN, SENT, DELIVERED, RESPONDED, CONVERTED, REVENUE, NEW, CONTACT
    )


# --------------------------------------------------------------------------- campaign_summary
def test_campaign_summary_hand_computed() -> None:
    s = summary()
    assert s.keys.tolist() == ["fall", "spring"]
    assert s.sent.tolist() == [4, 6]
    assert s.delivered.tolist() == [3, 5]
    assert s.responded.tolist() == [1, 2]
    assert s.converted.tolist() == [1, 2]
    # revenue of non-converted rows (999, 5) is ignored
    assert s.revenue.tolist() == [80.0, 150.0]
    # spring: contact 1 converted twice as new -> counted once; contact 2 did not convert
    assert s.new_customers.tolist() == [1, 1]
    assert len(s) == 2
    assert s.sent.dtype == np.int64
    assert s.new_customers.dtype == np.int64
    assert s.revenue.dtype == np.float64


def test_campaign_summary_to_pandas_and_dict() -> None:
    s = summary()
    df = s.to_pandas()
    assert list(df.columns) == list(cm.CampaignSummary.FIELDS)
    assert df.index.name == "campaign_id"
    assert df.loc["spring", "revenue"] == 150.0
    assert s.to_dict()["fall"] == {
        "sent": 4,
        "delivered": 3,
        "responded": 1,
        "converted": 1,
        "revenue": 80.0,
        "new_customers": 1,
    }


def test_campaign_summary_matches_pandas_groupby() -> None:
    df = pd.DataFrame(
        {
            "c": CAMPAIGN,
            "s": SENT,
            "d": DELIVERED,
            "r": RESPONDED,
            "v": CONVERTED,
            "rev": np.where(np.array(CONVERTED) == 1, REVENUE, 0.0),
        }
    )
    expected = df.groupby("c")[["s", "d", "r", "v", "rev"]].sum()
    s = summary()
    np.testing.assert_array_equal(s.sent, expected["s"].to_numpy())
    np.testing.assert_array_equal(s.converted, expected["v"].to_numpy())
    np.testing.assert_array_equal(s.revenue, expected["rev"].to_numpy())


def test_campaign_summary_empty_has_no_campaigns() -> None:
    s = cm.campaign_summary([], [], [], [], [], [], [], [])
    assert len(s) == 0
    assert s.sent.tolist() == []
    assert s.to_pandas().empty


def test_campaign_summary_is_permutation_invariant() -> None:
    order = np.random.default_rng(1).permutation(len(CAMPAIGN))
    args = [np.asarray(a)[order] for a in (CAMPAIGN, SENT, DELIVERED, RESPONDED, CONVERTED)]
    rest = [np.asarray(a)[order] for a in (REVENUE, NEW, CONTACT)]
    s = cm.campaign_summary(*args, *rest)
    assert s.to_dict() == summary().to_dict()


def test_campaign_summary_rates_follow_from_the_fields() -> None:
    s = summary()
    np.testing.assert_allclose(cm.response_rate(s.responded, s.delivered), [1 / 3, 2 / 5])
    # pooled over campaigns: sum of numerators / sum of denominators
    assert cm.response_rate(s.responded.sum(), s.delivered.sum()) == 3 / 8


@pytest.mark.parametrize(
    ("flag", "requires", "row"),
    [("delivered", "sent", 2), ("responded", "delivered", 5), ("converted", "delivered", 9)],
)
def test_campaign_summary_refuses_non_monotone_flags(flag: str, requires: str, row: int) -> None:
    args = {
        "campaign_id": CAMPAIGN,
        "sent": SENT,
        "delivered": DELIVERED,
        "responded": RESPONDED,
        "converted": CONVERTED,
        "revenue": REVENUE,
        "is_new_customer": NEW,
        "contact_id": CONTACT,
    }
    broken = {k: list(v) for k, v in args.items()}
    if flag == "delivered":
        broken["sent"][row] = 0
        broken["delivered"][row] = 1
    else:
        broken["delivered"][row] = 0
        for f in ("responded", "converted"):
            broken[f][row] = 0
        broken[flag][row] = 1
    message = rf"{flag}\[{row}\] = True but {requires}\[{row}\] = False; {flag} implies {requires}"
    with pytest.raises(ValueError, match=message):
        cm.campaign_summary(**broken)


def test_campaign_summary_click_without_open_is_not_an_error_but_bad_values_are() -> None:
    with pytest.raises(ValueError, match=r"revenue\[0\] = -1.0 is negative"):
        cm.campaign_summary(["a"], [1], [1], [0], [0], [-1.0], [0], [1])
    with pytest.raises(ValueError, match=r"sent\[0\] = 2 is not a flag"):
        cm.campaign_summary(["a"], [2], [1], [0], [0], [1.0], [0], [1])
    with pytest.raises(ValueError, match=r"contact_id has length 2"):
        cm.campaign_summary(["a"], [1], [1], [0], [0], [1.0], [0], [1, 2])


# --------------------------------------------------------------------------- revenue, new customers
def test_campaign_revenue_and_new_customers() -> None:
    assert cm.campaign_revenue(REVENUE, CONVERTED) == 230.0
    assert cm.campaign_revenue(REVENUE, CONVERTED, by=CAMPAIGN).to_dict() == {
        "fall": 80.0,
        "spring": 150.0,
    }
    assert cm.campaign_revenue([], []) == 0.0
    # contact 1 is new in both campaigns: distinct overall 1, per campaign 1 + 1 (not additive)
    assert cm.campaign_new_customers(CONTACT, CONVERTED, NEW) == 1
    assert isinstance(cm.campaign_new_customers(CONTACT, CONVERTED, NEW), int)
    grouped = cm.campaign_new_customers(CONTACT, CONVERTED, NEW, by=CAMPAIGN)
    assert grouped.to_dict() == {"fall": 1, "spring": 1}
    assert cm.campaign_new_customers([], [], []) == 0
    # a campaign without conversions keeps its key with 0
    assert cm.campaign_new_customers([1, 2], [0, 1], [1, 1], by=["a", "b"]).to_dict() == {
        "a": 0,
        "b": 1,
    }


# --------------------------------------------------------------------------- response, conversion
def test_response_rate_bases() -> None:
    assert cm.response_rate(30, 600) == 0.05
    assert cm.response_rate(30, 600, sent=750, base="sent") == 0.04
    assert cm.response_rate(30, 600, sent=750) == 0.05  # sent given but not the base
    assert math.isnan(cm.response_rate(0, 0))
    assert math.isnan(cm.response_rate(0, 0, sent=0, base="sent"))
    np.testing.assert_array_equal(cm.response_rate([1, 0], [4, 0]), [0.25, np.nan])


def test_response_rate_errors() -> None:
    with pytest.raises(TypeError, match=r"sent is required with base='sent'"):
        cm.response_rate(30, 600, base="sent")
    with pytest.raises(ValueError, match=r"responded = 601.0 exceeds delivered = 600.0"):
        cm.response_rate(601, 600)
    with pytest.raises(ValueError, match=r"delivered = 800.0 makes delivered = 800.0 exceed sent"):
        cm.response_rate(30, 800, sent=750, base="sent")
    with pytest.raises(ValueError, match=r"base = 'opened' is not a known option"):
        cm.response_rate(30, 600, base="opened")
    with pytest.raises(ValueError, match=r"responded\[1\] = 2.5 is not a whole number"):
        cm.response_rate([1, 2.5], [4, 4])


def test_campaign_conversion_rate_bases() -> None:
    assert cm.campaign_conversion_rate(12, 600) == 0.02
    assert cm.campaign_conversion_rate(12, 600, responded=30, base="responded") == 0.4
    assert math.isnan(cm.campaign_conversion_rate(0, 0))
    assert math.isnan(cm.campaign_conversion_rate(0, 10, responded=0, base="responded"))
    with pytest.raises(TypeError, match=r"responded is required"):
        cm.campaign_conversion_rate(12, 600, base="responded")
    with pytest.raises(
        ValueError, match=r"converted = 31.0 makes converted = 31.0 exceed responded"
    ):
        cm.campaign_conversion_rate(31, 600, responded=30, base="responded")
    with pytest.raises(ValueError, match=r"responded = 700.0 makes responded = 700.0 exceed"):
        cm.campaign_conversion_rate(1, 600, responded=700, base="responded")


# --------------------------------------------------------------------------- spend
def test_marketing_roi_revenue_and_margin_variants() -> None:
    assert cm.marketing_roi(50_000, 20_000) == 1.5
    assert cm.marketing_roi(50_000, 20_000, margin=0.6) == 0.5
    assert cm.marketing_roi(0, 20_000) == -1.0
    assert math.isnan(cm.marketing_roi(10, 0))
    np.testing.assert_allclose(cm.marketing_roi(50_000, 20_000, margin=[1.0, 0.4]), [1.5, 0.0])
    with pytest.raises(ValueError, match=r"margin = 1.2 is outside 0..1"):
        cm.marketing_roi(1, 1, margin=1.2)
    with pytest.raises(ValueError, match=r"marketing_cost = -1.0 is negative"):
        cm.marketing_roi(1, -1)


def test_roas_and_cost_per_unit() -> None:
    assert cm.roas(12_000, 3_000) == 4.0
    assert cm.roas(12_000, 3_000) == cm.marketing_roi(12_000, 3_000) + 1
    assert math.isnan(cm.roas(5, 0))
    assert cm.cost_per_lead(5_000, 125) == 40.0
    assert cm.cost_per_acquisition(5_000, 20) == 250.0
    assert cm.cost_per_response(1_200, 30) == 40.0
    assert cm.cost_per_click(300, 400) == 0.75
    for func in (cm.cost_per_lead, cm.cost_per_acquisition, cm.cost_per_response):
        assert math.isnan(func(100, 0))
        assert func(0, 5) == 0.0
    assert math.isnan(cm.cost_per_click(0, 0))
    with pytest.raises(ValueError, match=r"clicks = 1.5 is not a whole number"):
        cm.cost_per_click(1, 1.5)


# --------------------------------------------------------------------------- ads and email
def test_click_through_and_email_rates() -> None:
    assert cm.click_through_rate(40, 2_000) == 0.02
    sent, bounced, openers, clickers, unsubs = 20_000, 1_000, 4_560, 570, 38
    delivered = sent - bounced
    assert cm.email_bounce_rate(bounced, sent) == 0.05
    assert cm.email_open_rate(openers, delivered) == 0.24
    assert cm.email_click_rate(clickers, delivered) == 0.03
    assert cm.click_to_open_rate(clickers, openers) == 0.125
    assert cm.unsubscribe_rate(unsubs, delivered) == 0.002
    for func in (
        cm.click_through_rate,
        cm.email_bounce_rate,
        cm.email_open_rate,
        cm.email_click_rate,
        cm.click_to_open_rate,
        cm.unsubscribe_rate,
    ):
        assert math.isnan(func(0, 0))
        assert func(0, 10) == 0.0
    with pytest.raises(ValueError, match=r"unique_clickers = 5.0 exceeds unique_openers = 4.0"):
        cm.click_to_open_rate(5, 4)
    with pytest.raises(ValueError, match=r"clicks = 3.0 exceeds impressions = 2.0"):
        cm.click_through_rate(3, 2)


def test_email_list_growth_rate() -> None:
    # (600 - 150 - 50) / 10_000
    assert cm.email_list_growth_rate(600, 150, 50, 10_000) == 0.04
    assert cm.email_list_growth_rate(0, 100, 0, 100) == -1.0  # the whole list lost
    assert cm.email_list_growth_rate(10, 0, 0, 0) != cm.email_list_growth_rate(10, 0, 0, 0)
    with pytest.raises(ValueError, match=r"bounced_removed = 11.0 makes bounced_removed"):
        cm.email_list_growth_rate(5, 0, 11, 5)
    with pytest.raises(ValueError, match=r"exceed list_size_start \+ new_subscribers = 10.0"):
        cm.email_list_growth_rate(5, 6, 5, 5)


# --------------------------------------------------------------------------- web
def test_goal_conversion_rate_bases() -> None:
    assert cm.goal_conversion_rate(150, 5_000) == 0.03
    kwargs = {"converting_users": 120, "users": 3_000}
    assert cm.goal_conversion_rate(150, 5_000, **kwargs, base="users") == 0.04
    assert math.isnan(cm.goal_conversion_rate(0, 0))
    assert math.isnan(cm.goal_conversion_rate(0, 0, converting_users=0, users=0, base="users"))
    with pytest.raises(TypeError, match=r"users is required with base='users'"):
        cm.goal_conversion_rate(150, 5_000, base="users")
    with pytest.raises(ValueError, match=r"converting_users = 4.0 makes converting_users"):
        cm.goal_conversion_rate(1, 5, converting_users=4, users=3, base="users")


def test_pages_per_session_and_session_duration() -> None:
    assert cm.pages_per_session(12_500, 5_000) == 2.5
    assert math.isnan(cm.pages_per_session(0, 0))
    seconds = np.array([30, 90, 240], dtype="timedelta64[s]")
    assert cm.avg_session_duration(seconds) == 120.0
    assert cm.avg_session_duration(seconds, unit="min") == 2.0
    assert cm.avg_session_duration([1.5, 2.5], unit="min") == 2.0
    assert math.isnan(cm.avg_session_duration([]))
    grouped = cm.avg_session_duration([10.0, 20.0, 60.0], by=["web", "web", "app"])
    assert grouped.to_dict() == {"app": 60.0, "web": 15.0}
    assert cm.avg_session_duration_from_counts(np.timedelta64(10, "h"), 300) == 120.0
    assert cm.avg_session_duration_from_counts(600, 300, unit="min") == 2.0
    assert math.isnan(cm.avg_session_duration_from_counts(0, 0))
    # the event form and the tallied form agree
    assert cm.avg_session_duration_from_counts(360, 3) == cm.avg_session_duration(seconds)
    with pytest.raises(ValueError, match=r"durations\[1\] = -5.0 is negative"):
        cm.avg_session_duration([5.0, -5.0])


def test_web_bounce_rate_definitions() -> None:
    assert cm.web_bounce_rate(5_000, single_page_sessions=2_100) == 0.42
    assert cm.web_bounce_rate(5_000, engaged_sessions=3_600, definition="ga4") == 0.28
    assert math.isnan(cm.web_bounce_rate(0, single_page_sessions=0))
    assert math.isnan(cm.web_bounce_rate(0, engaged_sessions=0, definition="ga4"))
    with pytest.raises(TypeError, match=r"single_page_sessions is required"):
        cm.web_bounce_rate(5_000)
    with pytest.raises(TypeError, match=r"engaged_sessions is required"):
        cm.web_bounce_rate(5_000, single_page_sessions=10, definition="ga4")
    with pytest.raises(ValueError, match=r"engaged_sessions = 6.0 makes"):
        cm.web_bounce_rate(5, engaged_sessions=6, definition="ga4")


# --------------------------------------------------------------------------- cross-sell, upsell
CUSTOMER = ["a", "a", "a", "b", "c", "c", "d"]
PRODUCT = ["x", "y", "x", "x", "y", "z", "x"]
TS = ["2024-01-02", "2024-02-01", "2024-03-01", "2024-01-09", "2024-02-10", "2024-06-01",
      "2023-12-31"]  # fmt: skip


def test_cross_sell_ratio_and_rate_hand_computed() -> None:
    # a: {x, y}, b: {x}, c: {y, z}, d: {x} -> products 2 + 1 + 2 + 1 = 6 over 4 customers
    assert cm.cross_sell_ratio(CUSTOMER, PRODUCT, TS) == 1.5
    assert cm.cross_sell_rate(CUSTOMER, PRODUCT, TS) == 0.5
    # window [2024-01-01, 2024-03-01): a {x, y}, b {x}, c {y} -> 4 / 3; 1 of 3 with 2+
    window = {"start": "2024-01-01", "end": "2024-03-01"}
    assert cm.cross_sell_ratio(CUSTOMER, PRODUCT, TS, **window) == 4 / 3
    assert cm.cross_sell_rate(CUSTOMER, PRODUCT, TS, **window) == 1 / 3


def test_cross_sell_grouped_and_empty() -> None:
    segment = ["s", "s", "t", "t", "t", "t", "s"]
    # s: a {x, y}, d {x} -> 1.5 and 0.5; t: a {x}, b {x}, c {y, z} -> 4/3 and 1/3
    ratio = cm.cross_sell_ratio(CUSTOMER, PRODUCT, TS, by=segment)
    assert ratio.to_dict() == {"s": 1.5, "t": 4 / 3}
    rate = cm.cross_sell_rate(CUSTOMER, PRODUCT, TS, by=segment)
    assert rate.to_dict() == {"s": 0.5, "t": 1 / 3}
    no_ts = np.array([], dtype="datetime64[ns]")
    assert math.isnan(cm.cross_sell_ratio([], [], no_ts))
    assert math.isnan(cm.cross_sell_rate([], [], no_ts))
    window = {"start": "2030-01-01"}
    assert math.isnan(cm.cross_sell_ratio(CUSTOMER, PRODUCT, TS, **window))
    # keys come from the records inside the window
    keep = cm.cross_sell_rate(CUSTOMER, PRODUCT, TS, start="2024-02-05", by=segment)
    assert keep.to_dict() == {"t": 0.5}


def test_cross_sell_ratio_counts_distinct_products() -> None:
    assert cm.cross_sell_ratio(["a", "a", "a"], ["x", "x", "x"], TS[:3]) == 1.0
    assert cm.cross_sell_rate(["a", "a", "a"], ["x", "x", "x"], TS[:3]) == 0.0


def test_upsell_rate_share_and_lift() -> None:
    assert cm.upsell_rate(45, 900) == 0.05
    assert math.isnan(cm.upsell_rate(0, 0))
    assert cm.upsell_revenue_share(30_000, 200_000) == 0.15
    assert math.isnan(cm.upsell_revenue_share(0, 0))
    with pytest.raises(ValueError, match=r"upsell_revenue = 3.0 makes upsell_revenue = 3.0"):
        cm.upsell_revenue_share(3.0, 2.0)
    # test 5 %, control 4 % -> +25 %
    assert cm.response_lift(50, 1_000, 40, 1_000) == pytest.approx(0.25, rel=1e-12)
    assert cm.response_lift(0, 1_000, 40, 1_000) == -1.0
    assert math.isnan(cm.response_lift(50, 1_000, 0, 1_000))  # control rate 0
    assert math.isnan(cm.response_lift(0, 0, 4, 100))  # empty test group
    assert math.isnan(cm.response_lift(5, 100, 0, 0))  # empty control group


def test_aggregate_rates_accept_pandas_and_lists() -> None:
    got = cm.email_open_rate(pd.Series([10, 0]), pd.Series([40, 0]))
    np.testing.assert_array_equal(got, [0.25, np.nan])
    assert isinstance(cm.email_open_rate(10, 40), float)


# --------------------------------------------------------------------------- new rules
@validated(sent=Flags(), opened=ImpliedFlags(requires="sent"))
def _implied(sent: object, opened: object) -> int:
    return int(np.sum(np.asarray(opened)))


def test_implied_flags_rule() -> None:
    assert _implied([1, 1, 0], [1, 0, 0]) == 1
    with pytest.raises(ValueError, match=r"opened\[2\] = True but sent\[2\] = False"):
        _implied([1, 1, 0], [1, 0, 1])
    rule = ImpliedFlags(requires="sent")
    bad = list(rule.bad_values(np.array([True, False]), {"sent": np.array([True, False])}))
    assert any(np.array_equal(np.asarray(b), [True, True]) for b in bad if np.ndim(b) == 1)


@validated(
    option=Option(choices=("a", "b")),
    whole=Bounded(optional=True, required_if=("option", "b")),
    part=Bounded(within=("whole",)),
    loss=Bounded(Money(), within=("whole",), with_=("part",)),
    cover=Bounded(Count(), covers=("part",)),
)
def _bounded(
    part: object, loss: object, cover: object, *, whole: object = None, option: str = "a"
) -> object:
    return part


def test_bounded_rule() -> None:
    assert _bounded(2, 1.0, 3, whole=5) == 2
    assert _bounded(9, 1.0, 9) == 9  # omitted whole: no bound
    with pytest.raises(TypeError, match=r"whole is required with option='b'"):
        _bounded(1, 0.0, 1, option="b")
    with pytest.raises(ValueError, match=r"part = 6.0 makes part = 6.0 exceed whole = 5.0"):
        _bounded(6, 0.0, 6, whole=5)
    with pytest.raises(ValueError, match=r"loss = 4.0 makes loss \+ part = 6.0 exceed whole"):
        _bounded(2, 4.0, 2, whole=5)
    with pytest.raises(ValueError, match=r"cover = 1.0 is less than part = 2.0"):
        _bounded(2, 0.0, 1)
    with pytest.raises(ValueError, match=r"part\[1\] = 7.0 makes"):
        _bounded([1, 7], [0.0, 0.0], [1, 7], whole=[5, 5])
    with pytest.raises(ValueError, match=r"does not broadcast"):
        _bounded([1, 2, 3], 0.0, [1, 2, 3], whole=[5, 5])
    rule = Bounded(within=("whole",), covers=())
    bad = list(rule.bad_values(np.float64(2.0), {"whole": np.float64(5.0)}))
    assert 6.0 in [b for b in bad if isinstance(b, float)]

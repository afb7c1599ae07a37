"""The seeded synthetic CRM logs: determinism, schemas, domain rules, metrics run on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

import numpy as np
import pytest

import crm_metrics as cm
from crm_metrics import datasets

GENERATORS: dict[str, Callable[..., Any]] = {
    "surveys": datasets.simulate_surveys,
    "campaigns": datasets.simulate_campaigns,
    "sales": datasets.simulate_sales,
    "tickets": datasets.simulate_tickets,
    "calls": datasets.simulate_calls,
}

T = "datetime64[ns]"
D = "timedelta64[ns]"
SCHEMAS: dict[type, dict[str, str]] = {
    datasets.SurveyLog: {
        "responded_at": T,
        "nps_score": "int64",
        "csat_score": "int64",
        "ces_score": "int64",
        "agent": "U",
        "channel": "U",
    },
    datasets.CampaignLog: {
        "campaign_id": "U",
        "contact_id": "int64",
        **dict.fromkeys(("sent", "delivered", "opened", "clicked", "responded"), "bool"),
        "converted": "bool",
        "revenue": "float64",
        "is_new_customer": "bool",
        "sent_at": T,
    },
    datasets.DealLog: {
        "deal_id": "int64",
        "created_at": T,
        "closed_at": T,
        "won": "bool",
        "amount": "float64",
        "stage": "U",
        "owner": "U",
        "deal_type": "U",
    },
    datasets.StageHistory: {"deal_id": "int64", "stage": "U", "entered_at": T},
    datasets.ActivityLog: {
        "ts": T,
        "owner": "U",
        "activity_type": "U",
        "created_opportunity": "bool",
    },
    datasets.TicketLog: {
        "customer_id": "int64",
        **dict.fromkeys(
            ("opened_at", "first_response_at", "resolved_at", "due_at", "response_due_at"), T
        ),
        "contacts": "int64",
        "reopened": "bool",
        "escalated": "bool",
        "channel": "U",
        "agent": "U",
    },
    datasets.CallLog: {
        "queued_at": T,
        "answered_at": T,
        **dict.fromkeys(("wait", "talk", "hold", "acw"), D),
        "agent": "U",
        "customer_id": "int64",
    },
}


def logs_of(result: Any) -> list[Any]:
    """The record logs inside a generator's result (SalesData holds three)."""
    if isinstance(result, datasets.SalesData):
        return [result.deals, result.stages, result.activities]
    return [result]


def same(a: Any, b: Any) -> bool:
    """Exact equality of two field values (NaT equal to NaT)."""
    if isinstance(a, np.ndarray):
        if a.dtype.kind in "mM":
            a, b = a.view(np.int64), b.view(np.int64)
        return a.dtype == b.dtype and np.array_equal(a, b)
    return bool(a == b)


def equal_logs(one: Any, two: Any) -> bool:
    return all(
        same(getattr(x, f.name), getattr(y, f.name))
        for x, y in zip(logs_of(one), logs_of(two), strict=True)
        for f in fields(x)
    )


# --------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_log_other_seed_other_log(name: str) -> None:
    make = GENERATORS[name]
    assert equal_logs(make(500, seed=3), make(500, seed=3))
    assert not equal_logs(make(500, seed=3), make(500, seed=4))


@pytest.mark.parametrize("name", GENERATORS)
def test_defaults_and_sizes(name: str) -> None:
    result = GENERATORS[name]()
    first = logs_of(result)[0]
    expected = {"surveys": 5000, "sales": 3000, "tickets": 5000, "calls": 20000}
    if name in expected:
        assert len(first) == expected[name]
    else:  # one row per campaign and targeted contact (30-80 % of 20000 each)
        assert 6 * 0.3 * 20000 <= len(first) <= 6 * 0.8 * 20000
    assert len(logs_of(GENERATORS[name](1, seed=1))[0]) >= 1  # the smallest size works


# --------------------------------------------------------------------------- schemas
@pytest.mark.parametrize("name", GENERATORS)
def test_schema_and_dtypes(name: str) -> None:
    for log in logs_of(GENERATORS[name](300, seed=2)):
        schema = SCHEMAS[type(log)]
        arrays = [f.name for f in fields(log) if isinstance(getattr(log, f.name), np.ndarray)]
        assert arrays == list(schema)
        for field, dtype in schema.items():
            value = getattr(log, field)
            assert value.ndim == 1
            assert len(value) == len(log), field
            if dtype == "U":
                assert value.dtype.kind == "U", field
            else:
                assert value.dtype == np.dtype(dtype), field
        frame = log.to_pandas()
        assert list(frame.columns) == list(schema)
        assert frame.shape == (len(log), len(schema))


def test_log_classes_are_frozen_and_exported() -> None:
    log = datasets.simulate_surveys(10)
    with pytest.raises(AttributeError):
        log.agent = log.agent  # type: ignore[misc]
    for name in (
        "SurveyLog",
        "CampaignLog",
        "DealLog",
        "StageHistory",
        "ActivityLog",
        "SalesData",
        "TicketLog",
        "CallLog",
        *(f"simulate_{n}" for n in GENERATORS),
    ):
        assert name in datasets.__all__
    # TransactionLog shares the same len/to_pandas
    assert datasets.TransactionLog.to_pandas is datasets.SurveyLog.to_pandas


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -1}, ValueError, r"seed = -1.0 is outside \[0, inf\)"),
        ({"seed": 1.5}, ValueError, "seed = 1.5 is not a whole number"),
        ({"seed": [1, 2]}, ValueError, "seed must be a single number"),
        ({"seed": True}, TypeError, "seed must be numeric"),
        ({"start": "01/02/2024"}, ValueError, "start"),
        ({"start": None}, TypeError, "start is required"),
    ],
)
@pytest.mark.parametrize("name", GENERATORS)
def test_arguments_are_validated(name: str, kwargs: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        GENERATORS[name](10, **kwargs)


@pytest.mark.parametrize("name", GENERATORS)
def test_counts_are_validated(name: str) -> None:
    make = GENERATORS[name]
    with pytest.raises(ValueError, match=r"n_\w+ = 0.0 is outside \[1, inf\)"):
        make(0)
    with pytest.raises(ValueError, match=r"n_\w+ = 2.5 is not a whole number"):
        make(2.5)
    with pytest.raises(TypeError, match="must be numeric"):
        make("many")
    if name != "campaigns":
        with pytest.raises(ValueError, match=r"days = 0.0 is outside \[1, inf\)"):
            make(10, days=0)


def test_start_and_days_bound_the_timestamps() -> None:
    start, end = np.datetime64("2023-03-06", "ns"), np.datetime64("2023-03-20", "ns")
    s = datasets.simulate_surveys(500, start="2023-03-06", days=14)
    t = datasets.simulate_tickets(500, start="2023-03-06", days=14)
    c = datasets.simulate_calls(500, start="2023-03-06", days=14)
    a = datasets.simulate_sales(200, start="2023-03-06", days=14)
    for ts in (s.responded_at, t.opened_at, c.queued_at, a.deals.created_at, a.activities.ts):
        assert ts.min() >= start
        assert ts.max() < end
        assert bool((np.diff(ts) >= np.timedelta64(0)).all())  # sorted
    for ts in (t.first_response_at, t.resolved_at, a.deals.closed_at, a.stages.entered_at):
        assert bool((ts[~np.isnat(ts)] < end).all())
    campaigns = datasets.simulate_campaigns(100, 3, start="2023-03-06")
    assert np.unique(campaigns.sent_at).tolist() == [
        np.datetime64("2023-03-06", "ns").item(),
        np.datetime64("2023-04-05", "ns").item(),
        np.datetime64("2023-05-05", "ns").item(),
    ]


# --------------------------------------------------------------------------- surveys
def test_surveys_scales_and_metrics() -> None:
    s = datasets.simulate_surveys(seed=5)
    assert s.nps_score.min() >= 0
    assert s.nps_score.max() <= 10
    assert s.csat_score.min() >= 1
    assert s.csat_score.max() <= 5
    assert s.ces_score.min() >= 1
    assert s.ces_score.max() <= 7
    assert set(s.channel.tolist()) == {"email", "phone", "chat"}
    assert -20 < cm.nps(s.nps_score) < 50
    assert 0.5 < cm.csat(s.csat_score) < 0.9
    assert 4.0 < cm.ces(s.ces_score) < 6.0
    # distributions differ by channel (chat best, email worst) and by agent
    by_channel = cm.nps(s.nps_score, by=s.channel)
    assert by_channel.keys.tolist() == ["chat", "email", "phone"]
    chat, email, phone = by_channel.values
    assert chat > phone > email
    per_agent = cm.csat(s.csat_score, by=s.agent).values
    assert per_agent.max() - per_agent.min() > 0.05
    # scores share the latent satisfaction
    assert np.corrcoef(s.nps_score, s.csat_score)[0, 1] > 0.4


# --------------------------------------------------------------------------- campaigns
def test_campaign_flags_are_monotone() -> None:
    c = datasets.simulate_campaigns(seed=7)
    assert not (c.delivered & ~c.sent).any()
    assert not (c.opened & ~c.delivered).any()
    assert not (c.clicked & ~c.delivered).any()
    assert not (c.responded & ~c.delivered).any()
    assert not (c.converted & ~c.delivered).any()
    rare = np.count_nonzero(c.clicked & ~c.opened)
    assert 0 < rare < 0.05 * np.count_nonzero(c.clicked)
    assert bool((c.revenue[~c.converted] == 0).all())
    assert bool((c.revenue[c.converted] > 0).all())
    # one row per campaign and contact
    pairs = np.unique(
        np.stack([np.unique(c.campaign_id, return_inverse=True)[1], c.contact_id]), axis=1
    )
    assert pairs.shape[1] == len(c)
    # a contact is new only until its first conversion
    new_conversions = c.contact_id[c.converted & c.is_new_customer]
    assert len(np.unique(new_conversions)) == len(new_conversions) > 0


def test_campaign_metrics() -> None:
    c = datasets.simulate_campaigns(seed=7)
    summary = cm.campaign_summary(
        c.campaign_id,
        c.sent,
        c.delivered,
        c.responded,
        c.converted,
        c.revenue,
        c.is_new_customer,
        c.contact_id,
    )
    assert summary.keys.tolist() == ["C01", "C02", "C03", "C04", "C05", "C06"]
    assert sorted(c.costs) == summary.keys.tolist()
    assert all(isinstance(v, float) and v > 0 for v in c.costs.values())
    response = cm.response_rate(summary.responded, summary.delivered)
    assert bool(((response > 0.002) & (response < 0.2)).all())
    assert response.max() / response.min() > 1.5  # rates differ by campaign
    conversion = cm.campaign_conversion_rate(summary.converted, summary.delivered)
    assert bool(((conversion > 0) & (conversion < 0.1)).all())
    assert (
        0
        < cm.campaign_new_customers(c.contact_id, c.converted, c.is_new_customer)
        <= int(summary.new_customers.sum())
    )
    key = np.unique(c.campaign_id, return_inverse=True)[1]
    opens = cm.email_open_rate(np.bincount(key, c.opened), np.bincount(key, c.delivered))
    assert bool(((opens > 0.08) & (opens < 0.6)).all())
    cost = np.array([c.costs[k] for k in summary.keys.tolist()])
    romi = cm.marketing_roi(summary.revenue, cost)
    assert bool((romi > -1).all())


# --------------------------------------------------------------------------- sales
def test_sales_consistency() -> None:
    data = datasets.simulate_sales(seed=11)
    d, h, a = data.deals, data.stages, data.activities
    assert data.stage_order == ("lead", "qualified", "proposal", "negotiation")
    assert d.deal_id.tolist() == list(range(1, len(d) + 1))
    open_ = np.isnat(d.closed_at)
    assert 0 < np.count_nonzero(open_) < 0.2 * len(d)
    assert bool((d.closed_at[~open_] > d.created_at[~open_]).all())
    assert not d.won[open_].any()
    assert set(d.stage[open_].tolist()) <= set(data.stage_order)
    assert set(d.stage[~open_].tolist()) == {"won", "lost"}
    assert bool((d.stage[~open_] == np.where(d.won[~open_], "won", "lost")).all())
    assert set(d.deal_type.tolist()) == {"new", "renewal", "expansion"}
    assert bool((d.amount > 0).all())
    assert 3000 < np.median(d.amount) < 30000
    # stage history: valid stages, within [created_at, closed_at], funnel order per deal
    assert set(h.stage.tolist()) <= set(data.stage_order)
    row = h.deal_id - 1
    assert bool((h.entered_at >= d.created_at[row]).all())
    closed_row = ~np.isnat(d.closed_at[row])
    assert bool((h.entered_at[closed_row] <= d.closed_at[row][closed_row]).all())
    first_entry = np.r_[True, h.deal_id[1:] != h.deal_id[:-1]]
    assert bool((h.entered_at[first_entry] == d.created_at).all())  # every deal has entries
    position = np.argmax(h.stage[:, None] == np.asarray(data.stage_order)[None, :], axis=1)
    same_deal = ~first_entry[1:]
    assert bool((np.diff(position)[same_deal] == 1).all())  # one visit per stage, in order
    assert bool((np.diff(h.entered_at.view(np.int64))[same_deal] > 0).all())
    # an open deal's stage is its last entry
    last_entry = np.r_[h.deal_id[1:] != h.deal_id[:-1], True]
    assert bool((h.stage[last_entry][open_] == d.stage[open_]).all())
    # activities
    assert set(a.activity_type.tolist()) == {"call", "email", "meeting", "proposal"}
    assert np.count_nonzero(a.created_opportunity) == np.count_nonzero(d.deal_type == "new")
    assert set(a.activity_type[a.created_opportunity].tolist()) <= {"call", "meeting"}
    assert np.count_nonzero(a.activity_type == "proposal") == np.count_nonzero(
        h.stage == "proposal"
    )


def test_sales_metrics() -> None:
    data = datasets.simulate_sales(seed=11)
    d, h, a = data.deals, data.stages, data.activities
    assert 0.2 <= cm.win_rate(d.created_at, d.closed_at, d.won) <= 0.35
    assert 0.1 < cm.close_rate(d.created_at, d.closed_at, d.won) < 0.4
    by_type = cm.win_rate(d.created_at, d.closed_at, d.won, by=d.deal_type)
    assert by_type.keys.tolist() == ["expansion", "new", "renewal"]
    assert by_type.values[1] < by_type.values[2]  # new business is harder to win
    rates = cm.stage_conversion_rates(h.deal_id, h.stage, stage_order=data.stage_order)
    assert rates.keys.tolist() == ["lead", "qualified", "proposal"]
    assert bool(((rates.values > 0.4) & (rates.values < 0.95)).all())  # the funnel leaks
    durations = cm.stage_durations(
        h.deal_id, h.stage, h.entered_at, d.closed_at[h.deal_id - 1], stage_order=data.stage_order
    )
    assert durations.keys.tolist() == list(data.stage_order)
    assert bool(((durations.values > 2) & (durations.values < 40)).all())
    assert 15 < cm.sales_cycle_length(d.created_at, d.closed_at, d.won) < 90
    assert 0 < cm.pipeline_value(d.created_at, d.closed_at, d.amount) < d.amount.sum()
    assert cm.open_opportunities(d.created_at, d.closed_at) == np.count_nonzero(
        np.isnat(d.closed_at)
    )
    assert 3000 < cm.average_deal_size(d.closed_at, d.won, d.amount) < 40000
    assert cm.new_revenue(d.closed_at, d.won, d.amount, d.deal_type) > 0
    assert cm.activity_count(a.ts, a.activity_type) == len(a)
    per_rep = cm.activity_count(a.ts, a.activity_type, by=a.owner)
    assert len(per_rep.keys) == 8
    assert int(per_rep.values.sum()) == len(a)
    calls = cm.activity_count(a.ts, a.activity_type, kind="call")
    assert 0.35 * len(a) < calls < 0.65 * len(a)
    assert 0.02 < cm.call_to_opportunity_rate(a.ts, a.activity_type, a.created_opportunity) < 0.2


# --------------------------------------------------------------------------- tickets
def test_ticket_consistency() -> None:
    t = datasets.simulate_tickets(seed=13)
    answered = ~np.isnat(t.first_response_at)
    resolved = ~np.isnat(t.resolved_at)
    assert not (resolved & ~answered).any()
    assert bool((t.first_response_at[answered] >= t.opened_at[answered]).all())
    assert bool((t.resolved_at[resolved] >= t.first_response_at[resolved]).all())
    assert bool((t.contacts >= 1).all())
    assert not (t.reopened & ~resolved).any()
    assert bool((t.contacts[t.reopened] >= 2).all())
    has_sla = ~np.isnat(t.due_at)
    assert bool((has_sla == ~np.isnat(t.response_due_at)).all())
    assert 0 < np.count_nonzero(~has_sla) < 0.1 * len(t)
    assert bool((t.due_at[has_sla] > t.response_due_at[has_sla]).all())
    assert set(t.channel.tolist()) == {"email", "chat", "phone", "web"}
    # unresolved tickets pile up at the end of the period
    last_days = t.opened_at >= t.opened_at.max() - np.timedelta64(3, "D")
    assert np.count_nonzero(~resolved & last_days) > 0
    assert np.mean(~resolved[last_days]) > 3 * np.mean(~resolved)
    # office hours and weekdays carry most tickets
    hour = (t.opened_at - t.opened_at.astype("datetime64[D]")) // np.timedelta64(1, "h")
    assert np.mean((hour >= 8) & (hour < 18)) > 0.6
    weekday = (t.opened_at.astype("datetime64[D]").view(np.int64) + 3) % 7
    assert np.mean(weekday >= 5) < 0.15
    # a few customers open many tickets
    assert np.bincount(t.customer_id).max() >= 5


def test_ticket_metrics() -> None:
    t = datasets.simulate_tickets(seed=13)
    mean_h = cm.first_response_time(t.opened_at, t.first_response_at)
    median_h = cm.first_response_time(t.opened_at, t.first_response_at, stat="median")
    assert 0.2 < median_h < mean_h < 24  # lognormal: right-skewed
    by_channel = cm.first_response_time(t.opened_at, t.first_response_at, by=t.channel)
    chat, email, phone, web = by_channel.values
    assert max(chat, phone) < 0.5 < min(email, web)
    resolution = cm.resolution_time(t.opened_at, t.resolved_at)
    assert cm.resolution_time(t.opened_at, t.resolved_at, stat="median") < resolution < 96
    for target, due in (("resolution", "due_at"), ("response", "response_due_at")):
        event = "resolved_at" if target == "resolution" else "first_response_at"
        rate = cm.sla_compliance_rate(
            t.opened_at, **{event: getattr(t, event), due: getattr(t, due)}, target=target
        )
        assert 0.6 < rate < 0.95, target
    fcr = cm.first_contact_resolution_rate(t.opened_at, t.resolved_at, t.contacts)
    fcr_all = cm.first_contact_resolution_rate(t.opened_at, t.resolved_at, t.contacts, base="all")
    assert 0.5 < fcr_all <= fcr < 0.85
    assert 0 < cm.ticket_backlog(t.opened_at, t.resolved_at) < 0.05 * len(t)
    assert 0 < cm.resolved_within_rate(t.opened_at, t.resolved_at) < 1
    assert 0 < cm.same_day_resolution_rate(t.opened_at, t.resolved_at) < 1
    assert 0 < cm.repeat_contact_rate(t.customer_id, t.opened_at) < 0.5
    resolved = np.count_nonzero(~np.isnat(t.resolved_at))
    assert 0.02 < cm.reopen_rate(np.count_nonzero(t.reopened), resolved) < 0.2
    assert 0.03 < cm.escalation_rate(np.count_nonzero(t.escalated), len(t)) < 0.12
    assert cm.ticket_volume(t.opened_at) == len(t)


# --------------------------------------------------------------------------- calls
def test_call_consistency() -> None:
    c = datasets.simulate_calls(seed=17)
    answered = ~np.isnat(c.answered_at)
    assert bool((c.answered_at[answered] >= c.queued_at[answered]).all())
    assert bool((c.answered_at[answered] - c.queued_at[answered] == c.wait[answered]).all())
    zero = np.timedelta64(0, "ns")
    assert bool((c.wait >= zero).all())
    for span in (c.talk, c.hold, c.acw):
        assert bool((span[~answered] == zero).all())
        assert bool((span >= zero).all())
    assert bool((c.talk[answered] > zero).all())
    assert bool((c.agent[~answered] == "unassigned").all())
    assert "unassigned" not in set(c.agent[answered].tolist())
    assert "" not in set(c.agent.tolist())
    assert len(set(c.agent[answered].tolist())) == 12
    # more abandons when the wait is long: abandoned callers waited longer than answered ones
    assert np.median(c.wait[~answered]) > 2 * np.median(c.wait[answered])


def test_call_metrics() -> None:
    c = datasets.simulate_calls(seed=17)
    sl = cm.service_level(c.queued_at, c.answered_at, c.wait)
    abandon = cm.abandonment_rate(c.queued_at, c.answered_at, c.wait)
    assert 0.5 < sl < 0.9
    assert 0.03 < abandon < 0.15
    assert abandon > cm.abandonment_rate(c.queued_at, c.answered_at, c.wait, short_abandon=5)
    aht = cm.average_handle_time(c.queued_at, c.answered_at, c.talk, c.hold, c.acw)
    assert 180 < aht < 600
    per_agent = cm.average_handle_time(
        c.queued_at, c.answered_at, c.talk, c.hold, c.acw, by=c.agent
    )
    assert "unassigned" not in per_agent.keys.tolist()
    assert 5 < cm.average_speed_of_answer(c.queued_at, c.answered_at, c.wait) < 60
    per_day = cm.calls_per_day(c.queued_at, start="2024-01-01", end="2024-03-31")
    assert per_day == pytest.approx(len(c) / 90)
    assert 0 < cm.repeat_contact_rate(c.customer_id, c.queued_at) < 0.4
    # busy hours: longer waits and more abandons
    slot = (c.queued_at - c.queued_at.min()) // np.timedelta64(1, "h")
    load = np.bincount(slot)[slot]
    busy = load > np.median(load)
    by_load = cm.abandonment_rate(c.queued_at, c.answered_at, c.wait, by=busy)
    assert by_load.values[1] > by_load.values[0]
    hour = (c.queued_at - c.queued_at.astype("datetime64[D]")) // np.timedelta64(1, "h")
    assert np.mean((hour >= 8) & (hour < 20)) > 0.7

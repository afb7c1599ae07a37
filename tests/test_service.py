"""Hand-computed cases for METRICS.md §5 (service and support) and the rules it added."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crm_metrics as cm
from crm_metrics._validate import (
    Omittable,
    OptionNeeds,
    PrecomputedDurations,
    ScalarDuration,
    Timestamps,
    Unit,
    validated,
)

NAT = "NaT"


def ts(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[ns]")


# --------------------------------------------------------------------------- new rules
@validated(begin=Timestamps(), finish=Timestamps(nat_ok=True, since="begin"))
def _span(begin: object, finish: object) -> tuple[object, object]:
    return begin, finish


def test_timestamps_since_names_the_record() -> None:
    _span(["2024-01-01", "2024-01-02"], ["2024-01-01", "NaT"])  # equal and NaT are fine
    with pytest.raises(ValueError, match=r"finish\[1\] = 2024-01-01T00:00:00.000000000 is "):
        _span(["2024-01-01", "2024-01-02"], ["2024-01-03", "2024-01-01"])
    with pytest.raises(ValueError, match=r"earlier than begin\[1\]"):
        _span(["2024-01-01", "2024-01-02"], ["2024-01-03", "2024-01-01"])
    with pytest.raises(ValueError, match="finish has length 1 but begin has length 2"):
        _span(["2024-01-01", "2024-01-02"], ["2023-01-01"])


def test_timestamps_since_bad_values_are_refused() -> None:
    rule = Timestamps(nat_ok=True, since="begin")
    done = {"begin": ts("2024-01-01", "2024-01-02")}
    bad = list(rule.bad_values(ts("2024-01-02", NAT), done))
    assert any(isinstance(b, list) and b[0].startswith("2023-12-31T23") for b in bad)


@validated(
    start=Omittable(Timestamps()),
    finish=Omittable(Timestamps(nat_ok=True, since="start")),
    mode=OptionNeeds(choices=("a", "b"), needs=(("b", ("finish",)),)),
    unit=Unit(),
    limit=ScalarDuration(optional=True),
    durations=PrecomputedDurations(replaces=("start",), excludes=("finish",)),
)
def _probe(
    start: object = None,
    finish: object = None,
    *,
    mode: str = "a",
    unit: str = "s",
    limit: object = None,
    durations: object = None,
) -> tuple[object, ...]:
    return start, finish, mode, limit, durations


def test_optional_timestamps_option_needs_and_scalar_duration() -> None:
    assert _probe(["2024-01-01"])[1] is None
    with pytest.raises(TypeError, match=r"finish is required with mode='b'"):
        _probe(["2024-01-01"], mode="b")
    assert _probe(["2024-01-01"], ["2024-01-02"], mode="b")[2] == "b"
    assert _probe(["2024-01-01"], limit=2)[3] == 2e9
    assert _probe(["2024-01-01"], limit=np.timedelta64(3, "ms"))[3] == 3e6
    with pytest.raises(ValueError, match=r"limit must be a single duration"):
        _probe(["2024-01-01"], limit=[1, 2])
    with pytest.raises(ValueError, match=r"limit = -1 is negative"):
        _probe(["2024-01-01"], limit=-1)


def test_precomputed_durations_replace_the_timestamps() -> None:
    out = _probe(durations=[1, 2])
    np.testing.assert_array_equal(out[4], [1e9, 2e9])
    with pytest.raises(TypeError, match="start is required unless durations is given"):
        _probe()
    with pytest.raises(ValueError, match="durations replaces start; start may not be given"):
        _probe(["2024-01-01"], durations=[1])
    with pytest.raises(ValueError, match=r"durations\[0\] = -1 is negative"):
        _probe(durations=[-1])


# --------------------------------------------------------------------------- fixtures
# Six tickets. as_of = 2024-01-03T00:00 in the threshold tests.
OPENED = ts(
    "2024-01-01T08:00",  # 0 resolved after 1 h, first reply 30 min
    "2024-01-01T09:00",  # 1 resolved after 2 h exactly (boundary: within)
    "2024-01-01T10:00",  # 2 resolved after 26 h (next day)
    "2024-01-02T23:00",  # 3 open, 1 h old at as_of: undecided for 2 h
    "2024-01-01T12:00",  # 4 open, 12 h old: a miss for 2 h
    "2024-01-02T20:00",  # 5 resolved at 23:59, 3 h 59 min
)
RESOLVED = ts(
    "2024-01-01T09:00",
    "2024-01-01T11:00",
    "2024-01-02T12:00",
    NAT,
    NAT,
    "2024-01-02T23:59",
)
FIRST = ts(
    "2024-01-01T08:30",
    "2024-01-01T09:10",
    "2024-01-01T13:00",
    NAT,
    "2024-01-01T12:00",
    "2024-01-02T21:00",
)
AGENT = np.array(["ann", "bob", "ann", "bob", "cy", "ann"])
AS_OF = "2024-01-03T00:00"


# --------------------------------------------------------------------------- volume
def test_ticket_volume_by_anchor_and_window() -> None:
    assert cm.ticket_volume(OPENED) == 6
    assert isinstance(cm.ticket_volume(OPENED), int)
    assert cm.ticket_volume(OPENED, start="2024-01-02") == 2
    assert cm.ticket_volume(OPENED, resolved_at=RESOLVED, anchor="resolved_at") == 4
    got = cm.ticket_volume(
        OPENED, resolved_at=RESOLVED, anchor="resolved_at", start="2024-01-02", end="2024-01-03"
    )
    assert got == 2
    assert cm.ticket_volume(ts()) == 0
    g = cm.ticket_volume(OPENED, by=AGENT)
    assert g.to_dict() == {"ann": 3, "bob": 2, "cy": 1}
    assert g.values.dtype == np.int64
    months = cm.period_key(OPENED, "D")
    assert list(cm.ticket_volume(OPENED, by=months).values) == [4, 2]


def test_ticket_volume_needs_resolved_at_for_the_resolved_anchor() -> None:
    with pytest.raises(TypeError, match=r"resolved_at is required with anchor='resolved_at'"):
        cm.ticket_volume(OPENED, anchor="resolved_at")
    with pytest.raises(ValueError, match="anchor = 'closed' is not a known option"):
        cm.ticket_volume(OPENED, anchor="closed")


def test_an_end_earlier_than_its_start_names_the_row() -> None:
    bad = RESOLVED.copy()
    bad[2] = np.datetime64("2024-01-01T09:59", "ns")
    with pytest.raises(ValueError, match=r"resolved_at\[2\] = .* is earlier than opened_at\[2\]"):
        cm.resolution_time(OPENED, bad)
    with pytest.raises(ValueError, match=r"resolved_at\[2\]"):
        cm.resolved_within_rate(OPENED, bad)
    with pytest.raises(ValueError, match=r"answered_at\[0\] .* earlier than queued_at\[0\]"):
        cm.average_speed_of_answer(["2024-01-01T10:00"], ["2024-01-01T09:00"], [5])


# --------------------------------------------------------------------------- contact rate
def test_contact_rate() -> None:
    assert cm.contact_rate(150, 1000) == 0.15
    assert cm.contact_rate(2500, 1000) == 2.5  # a ratio, not a fraction
    assert math.isnan(cm.contact_rate(0, 0))
    assert math.isnan(cm.contact_rate(5, 0))
    with pytest.raises(ValueError, match=r"tickets = -1.0 is negative"):
        cm.contact_rate(-1, 10)


# --------------------------------------------------------------------------- durations
def test_first_response_time_hand_computed() -> None:
    # answered: 0.5, 1/6, 3, 0, 1 h (ticket 3 unanswered) -> mean 28/6 / 5
    expected = (0.5 + 10 / 60 + 3 + 0 + 1) / 5
    assert cm.first_response_time(OPENED, FIRST) == pytest.approx(expected, rel=1e-12)
    assert cm.first_response_time(OPENED, FIRST, stat="median") == 0.5
    assert cm.first_response_time(OPENED, FIRST, unit="min", stat="median") == 30.0
    assert cm.first_response_time(OPENED, FIRST, unit="s", stat="median") == 1800.0
    g = cm.first_response_time(OPENED, FIRST, by=AGENT, unit="min")
    # ann: 30, 180, 60 -> 90; bob: 10 (ticket 3 unanswered); cy: 0
    assert g.to_dict() == {"ann": 90.0, "bob": 10.0, "cy": 0.0}
    assert cm.first_response_time(OPENED, FIRST, start="2024-01-02", unit="min") == 60.0


def test_first_response_time_none_answered_and_empty_are_nan() -> None:
    assert math.isnan(cm.first_response_time(OPENED[:1], ts(NAT)))
    assert math.isnan(cm.first_response_time(ts(), ts()))
    g = cm.first_response_time(OPENED[3:4], FIRST[3:4], by=["x"])
    assert len(g) == 0  # the unanswered ticket's group does not survive the filter


def test_first_response_time_precomputed_durations() -> None:
    assert cm.first_response_time(durations=[1, 2, 6]) == 3.0
    assert cm.first_response_time(durations=[30, 90], unit="min") == 60.0
    hours = np.array([1, 2, 6], dtype="timedelta64[h]")
    assert cm.first_response_time(durations=hours, unit="min") == 180.0
    g = cm.first_response_time(durations=[1, 3, 5], by=["a", "b", "b"])
    assert g.to_dict() == {"a": 1.0, "b": 4.0}
    with pytest.raises(ValueError, match="durations replaces opened_at, first_response_at"):
        cm.first_response_time(OPENED, FIRST, durations=np.zeros(6))
    with pytest.raises(ValueError, match="start may not be given together with durations"):
        cm.first_response_time(durations=[1.0], start="2024-01-01")
    with pytest.raises(TypeError, match="opened_at is required unless durations is given"):
        cm.first_response_time()


def test_resolution_time_hand_computed() -> None:
    # resolved: 1, 2, 26, 3 h 59 min
    mean = (1 + 2 + 26 + 3 + 59 / 60) / 4
    assert cm.resolution_time(OPENED, RESOLVED) == pytest.approx(mean, rel=1e-12)
    assert cm.resolution_time(OPENED, RESOLVED, stat="median") == (2 + 3 + 59 / 60) / 2
    # anchored on resolved_at: resolved on 2 January are tickets 2 and 5
    day2 = cm.resolution_time(OPENED, RESOLVED, start="2024-01-02", end="2024-01-03")
    assert day2 == pytest.approx((26 + 3 + 59 / 60) / 2, rel=1e-12)
    assert math.isnan(cm.resolution_time(OPENED[3:5], RESOLVED[3:5]))
    assert cm.resolution_time(durations=[2.0, 4.0], unit="D") == 3.0
    assert math.isnan(cm.resolution_time(durations=[]))


# --------------------------------------------------------------------------- thresholds
def test_duration_medians_by_over_no_surviving_record_are_empty() -> None:
    # tickets 3 and 4 are unresolved: no resolution time, no group
    for g in (
        cm.resolution_time(OPENED[3:5], RESOLVED[3:5], stat="median", by=AGENT[3:5]),
        cm.first_response_time(OPENED[3:4], FIRST[3:4], stat="median", by=AGENT[3:4]),
    ):
        assert len(g.keys) == 0
        assert len(g.values) == 0
        assert g.to_dict() == {}
    assert math.isnan(cm.resolution_time(OPENED[3:5], RESOLVED[3:5], stat="median"))


def test_resolved_within_rate_undecided_and_boundary() -> None:
    # 2 h at as_of: met 0, 1 (exactly 2 h); missed 2, 4 (open 12 h), 5; undecided 3
    assert cm.resolved_within_rate(OPENED, RESOLVED, as_of=AS_OF) == 2 / 5
    # threshold 4 h: 5 is met (3 h 59), 3 still undecided
    assert cm.resolved_within_rate(OPENED, RESOLVED, threshold=4, as_of=AS_OF) == 3 / 5
    four_hours = np.timedelta64(4, "h")
    assert cm.resolved_within_rate(OPENED, RESOLVED, threshold=four_hours, as_of=AS_OF) == 3 / 5
    assert cm.resolved_within_rate(OPENED, RESOLVED, threshold=240, unit="min", as_of=AS_OF) == 0.6
    # one minute before the 2 h boundary: ticket 1 is met either way
    assert cm.resolved_within_rate(OPENED[1:2], RESOLVED[1:2], threshold=119, unit="min") == 0.0


def test_threshold_rate_as_of_makes_later_events_not_happened() -> None:
    # as_of 2024-01-01T10:30: ticket 0 met; ticket 1 (resolved 11:00) still open and
    # within 2 h -> undecided; ticket 2 opened 10:00 undecided; 3, 5 not yet opened;
    # ticket 4 not yet opened (12:00)
    assert cm.resolved_within_rate(OPENED, RESOLVED, as_of="2024-01-01T10:30") == 1.0
    # at 11:00:00.000000001 ticket 1 is resolved (met); at 12:00 ticket 2 is still inside
    assert cm.resolved_within_rate(OPENED, RESOLVED, as_of="2024-01-01T12:00") == 1.0
    # at 12:00:00.000000001 ticket 2 has passed its 2 h without resolution: a miss
    late = np.datetime64("2024-01-01T12:00", "ns") + np.timedelta64(1, "ns")
    assert cm.resolved_within_rate(OPENED, RESOLVED, as_of=late) == 2 / 3


def test_threshold_rate_default_as_of_and_all_undecided() -> None:
    # default as_of: 1 ns after the latest timestamp (23:59 on 2 January): ticket 3
    # (opened 23:00) is 59 min old -> undecided; same as the explicit one
    assert cm.resolved_within_rate(OPENED, RESOLVED) == 2 / 5
    assert math.isnan(cm.resolved_within_rate(OPENED[3:4], RESOLVED[3:4], as_of=AS_OF))
    assert math.isnan(cm.resolved_within_rate(ts(), ts()))


def test_threshold_rate_grouped() -> None:
    g = cm.resolved_within_rate(OPENED, RESOLVED, as_of=AS_OF, by=AGENT)
    # ann: 0 met, 2 miss, 5 miss; bob: 1 met (3 undecided, no row lost: bob has 1); cy: 4 miss
    assert g.to_dict() == {"ann": 1 / 3, "bob": 1.0, "cy": 0.0}
    # a group whose only ticket is undecided disappears
    g = cm.resolved_within_rate(OPENED, RESOLVED, as_of=AS_OF, by=np.arange(6))
    assert list(g.keys) == [0, 1, 2, 4, 5]


def test_orders_processed_within_rate() -> None:
    placed = ts("2024-03-01T10:00", "2024-03-01T12:00", "2024-03-02T09:00")
    processed = ts("2024-03-02T10:00", "2024-03-03T09:00", NAT)
    # 24 h exactly (met), 45 h (missed), pending 24 h exactly at 09:00 (undecided)
    assert cm.orders_processed_within_rate(placed, processed, as_of="2024-03-03T09:00") == 0.5
    assert cm.orders_processed_within_rate(placed, processed, as_of="2024-03-03T10:00") == 1 / 3
    assert (
        cm.orders_processed_within_rate(
            placed, processed, threshold=np.timedelta64(2, "D"), as_of="2024-03-03T10:00"
        )
        == 1.0
    )
    with pytest.raises(ValueError, match=r"processed_at\[0\]"):
        cm.orders_processed_within_rate(placed, ts("2024-03-01", NAT, NAT))


def test_same_day_resolution_rate() -> None:
    # UTC days at as_of 3 Jan 00:00: 0, 1 same day; 2 next day (miss); 3 opened 2 Jan
    # 23:00, open, its day ended at as_of -> miss; 4 miss; 5 same day (23:59)
    assert cm.same_day_resolution_rate(OPENED, RESOLVED, as_of=AS_OF) == 3 / 6
    # before midnight, ticket 3's day has not ended: undecided
    assert cm.same_day_resolution_rate(OPENED, RESOLVED, as_of="2024-01-02T23:59:30") == 3 / 5
    # UTC+2: ticket 5 resolved 01:59 local on 3 Jan, opened 22:00 on 2 Jan -> miss;
    # ticket 3 opened 01:00 local on 3 Jan -> its day has not ended -> undecided
    assert cm.same_day_resolution_rate(OPENED, RESOLVED, as_of=AS_OF, tz_offset_hours=2) == 2 / 5
    # UTC-10: 2 opened 00:00 local 1 Jan, resolved 02:00 local 2 Jan -> miss; ticket 0
    # 22:00 local 31 Dec -> 23:00 same day; 1 -> 23:00 31 Dec to 01:00 1 Jan: miss
    assert (
        cm.same_day_resolution_rate(OPENED[:3], RESOLVED[:3], as_of=AS_OF, tz_offset_hours=-10)
        == 1 / 3
    )


def test_same_day_is_whole_day_shift_invariant() -> None:
    shift = np.timedelta64(3, "D")
    a = cm.same_day_resolution_rate(OPENED, RESOLVED, as_of=AS_OF, tz_offset_hours=5.5)
    b = cm.same_day_resolution_rate(
        OPENED + shift,
        RESOLVED + shift,
        as_of=np.datetime64(AS_OF, "ns") + shift,
        tz_offset_hours=5.5,
    )
    assert a == b


# --------------------------------------------------------------------------- FCR
CONTACTS = np.array([1, 2, 1, 1, 3, 1])


def test_first_contact_resolution_both_bases() -> None:
    # resolved: 0 (1), 1 (2), 2 (1), 5 (1) -> 3/4
    assert cm.first_contact_resolution_rate(OPENED, RESOLVED, CONTACTS) == 0.75
    # all tickets: 3 FCR of 6 (ticket 3 has 1 contact but is unresolved: not FCR)
    assert cm.first_contact_resolution_rate(OPENED, RESOLVED, CONTACTS, base="all") == 0.5
    # windows: resolved on 2 Jan -> 2 and 5, both single contact; opened on 2 Jan -> 3, 5
    day2 = {"start": "2024-01-02", "end": "2024-01-03"}
    assert cm.first_contact_resolution_rate(OPENED, RESOLVED, CONTACTS, **day2) == 1.0
    assert cm.first_contact_resolution_rate(OPENED, RESOLVED, CONTACTS, base="all", **day2) == 0.5
    g = cm.first_contact_resolution_rate(OPENED, RESOLVED, CONTACTS, by=AGENT)
    assert g.to_dict() == {"ann": 1.0, "bob": 0.0}  # cy's ticket is unresolved
    assert math.isnan(cm.first_contact_resolution_rate(OPENED[3:5], RESOLVED[3:5], [1, 1]))
    with pytest.raises(ValueError, match=r"contacts\[0\] = 0.0 is below the minimum 1"):
        cm.first_contact_resolution_rate(OPENED[:1], RESOLVED[:1], [0])


def test_fcr_from_counts_reopen_escalation_cost() -> None:
    assert cm.first_contact_resolution_rate_from_counts(72, 90) == 0.8
    assert math.isnan(cm.first_contact_resolution_rate_from_counts(0, 0))
    with pytest.raises(ValueError, match=r"first_contact_resolved = 91.0 exceeds tickets = 90.0"):
        cm.first_contact_resolution_rate_from_counts(91, 90)
    assert cm.reopen_rate(12, 400) == 0.03
    np.testing.assert_array_equal(cm.reopen_rate([1, 0], [4, 0]), [0.25, np.nan])
    with pytest.raises(ValueError, match=r"reopened = 5.0 exceeds resolved = 4.0"):
        cm.reopen_rate(5, 4)
    assert cm.escalation_rate(5, 100) == 0.05
    assert math.isnan(cm.escalation_rate(0, 0))
    assert cm.cost_per_contact(52_000.0, 6_500) == 8.0
    assert math.isnan(cm.cost_per_contact(100.0, 0))
    with pytest.raises(ValueError, match=r"service_cost = -1.0 is negative"):
        cm.cost_per_contact(-1.0, 3)


# --------------------------------------------------------------------------- backlog
def test_ticket_backlog() -> None:
    # default as_of (after 23:59 on 2 Jan): open are 3 and 4
    assert cm.ticket_backlog(OPENED, RESOLVED) == 2
    # at 10:30 on 1 Jan: opened 0 (resolved 9:00), 1, 2 -> 1 and 2 open
    assert cm.ticket_backlog(OPENED, RESOLVED, as_of="2024-01-01T10:30") == 2
    # a ticket resolved exactly at as_of is closed; opened exactly at as_of is open
    assert cm.ticket_backlog(OPENED, RESOLVED, as_of="2024-01-01T11:00") == 1
    assert cm.ticket_backlog(OPENED, RESOLVED, as_of="2024-01-01T08:00") == 1
    assert cm.ticket_backlog(ts(), ts()) == 0
    g = cm.ticket_backlog(OPENED, RESOLVED, by=AGENT)
    assert g.to_dict() == {"bob": 1, "cy": 1}


# --------------------------------------------------------------------------- SLA
def test_sla_compliance_resolution_target() -> None:
    opened = ts(*["2024-05-06T08:00"] * 6)
    resolved = ts("2024-05-06T10:00", "2024-05-06T12:00", "2024-05-06T15:00", NAT, NAT, NAT)
    due = ts(*["2024-05-06T12:00"] * 4, "2024-05-07T08:00", NAT)
    # met: 0, 1 (exactly at due); breached: 2 (late), 3 (open past due);
    # 4 pending (excluded); 5 has no SLA (not subject)
    got = cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due, as_of="2024-05-06T18:00")
    assert got == 0.5
    # at 12:00 sharp ticket 3 is not yet past due: pending; 2 is not resolved yet: pending
    got = cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due, as_of="2024-05-06T12:00")
    assert got == 1.0
    g = cm.sla_compliance_rate(
        opened, resolved_at=resolved, due_at=due, as_of="2024-05-06T18:00", by=[1, 1, 2, 2, 3, 3]
    )
    assert g.to_dict() == {1: 1.0, 2: 0.0}
    assert math.isnan(cm.sla_compliance_rate(opened[5:], resolved_at=resolved[5:], due_at=due[5:]))


def test_sla_compliance_response_target_and_default_as_of() -> None:
    opened = ts("2024-05-06T08:00", "2024-05-06T08:00", "2024-05-06T09:00")
    first = ts("2024-05-06T08:30", "2024-05-06T10:00", NAT)
    response_due = ts("2024-05-06T09:00", "2024-05-06T09:00", "2024-05-06T09:30")
    # default as_of: 1 ns after 10:00 (due dates are not events): ticket 2 past due -> breach
    got = cm.sla_compliance_rate(
        opened, first_response_at=first, response_due_at=response_due, target="response"
    )
    assert got == 1 / 3
    with pytest.raises(TypeError, match="response_due_at is required with target='response'"):
        cm.sla_compliance_rate(opened, first_response_at=first, target="response")
    with pytest.raises(TypeError, match="resolved_at is required with target='resolution'"):
        cm.sla_compliance_rate(opened, due_at=response_due)


# --------------------------------------------------------------------------- calls
QUEUED = ts("2024-01-02T09:00", "2024-01-02T09:01", "2024-01-02T09:02", "2024-01-02T09:03")
ANSWERED = ts("2024-01-02T09:00:15", NAT, "2024-01-02T09:02:20", NAT)
WAIT = np.array([15.0, 4.0, 20.0, 40.0])
CALL_AGENT = np.array([7, 7, 8, 8])


def test_average_handle_time() -> None:
    talk, hold, acw = [200, 999, 300, 999], [20, 999, 0, 999], [80, 999, 100, 999]
    # answered: 300 and 400 s; abandoned durations ignored
    assert cm.average_handle_time(QUEUED, ANSWERED, talk, hold, acw) == 350.0
    assert cm.average_handle_time(QUEUED, ANSWERED, talk, hold, acw, unit="min") == 350.0
    secs = np.array(talk, dtype="timedelta64[s]")
    zero = np.zeros(4, dtype="timedelta64[s]")
    assert cm.average_handle_time(QUEUED, ANSWERED, secs, zero, zero, unit="min") == 250 / 60
    g = cm.average_handle_time(QUEUED, ANSWERED, talk, hold, acw, by=CALL_AGENT)
    assert g.to_dict() == {7: 300.0, 8: 400.0}
    assert math.isnan(cm.average_handle_time(QUEUED[1:2], ANSWERED[1:2], [1], [1], [1]))
    assert cm.average_handle_time_from_counts(36_000, 100) == 360.0
    assert cm.average_handle_time_from_counts(np.timedelta64(10, "h"), 100, unit="min") == 6.0
    assert math.isnan(cm.average_handle_time_from_counts(5.0, 0))
    np.testing.assert_array_equal(
        cm.average_handle_time_from_counts([60.0, 0.0], [2, 0]), [30.0, np.nan]
    )


def test_abandonment_rate_and_short_abandons() -> None:
    assert cm.abandonment_rate(QUEUED, ANSWERED, WAIT) == 0.5
    # short abandons (wait <= 5 s) leave both terms: 1 abandoned of 3
    assert cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=5) == 1 / 3
    assert cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=4) == 1 / 3  # inclusive
    assert cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=3.9) == 0.5
    ms = np.timedelta64(4000, "ms")
    assert cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=ms) == 1 / 3
    g = cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=5, by=CALL_AGENT)
    assert g.to_dict() == {7: 0.0, 8: 0.5}
    # a group with only a short abandon disappears
    g = cm.abandonment_rate(QUEUED, ANSWERED, WAIT, short_abandon=5, by=[1, 2, 1, 1])
    assert g.to_dict() == {1: 1 / 3}
    assert math.isnan(cm.abandonment_rate(ts(), ts(), []))


def test_service_level_three_methods() -> None:
    # 20 s: answered within = 0 (15 s), 2 (20 s, inclusive); abandoned 1 (4 s), 3 (40 s)
    assert cm.service_level(QUEUED, ANSWERED, WAIT) == 0.5
    assert cm.service_level(QUEUED, ANSWERED, WAIT, method="answered") == 1.0
    assert cm.service_level(QUEUED, ANSWERED, WAIT, method="positive") == 0.75
    assert cm.service_level(QUEUED, ANSWERED, WAIT, threshold=19.5) == 0.25
    assert cm.service_level(QUEUED, ANSWERED, WAIT, threshold=np.timedelta64(1, "m")) == 0.5
    g = cm.service_level(QUEUED, ANSWERED, WAIT, by=CALL_AGENT, method="answered")
    assert g.to_dict() == {7: 1.0, 8: 1.0}
    assert math.isnan(cm.service_level(QUEUED[1:2], ANSWERED[1:2], WAIT[1:2], method="answered"))
    with pytest.raises(ValueError, match="method = 'removed' is not a known option"):
        cm.service_level(QUEUED, ANSWERED, WAIT, method="removed")
    with pytest.raises(ValueError, match=r"wait\[0\] = -15.0 is negative"):
        cm.service_level(QUEUED, ANSWERED, -WAIT)


def test_service_level_ignored_removes_abandons_within_the_threshold() -> None:
    # 20 s: answered within = 0, 2; abandoned within = 1 (4 s, leaves the base);
    # abandoned after = 3 (40 s, a miss): 2 / 3
    assert cm.service_level(QUEUED, ANSWERED, WAIT, method="ignored") == pytest.approx(
        2 / 3, rel=1e-15
    )
    # a longer target removes the 40 s abandon too: 2 answered within 60 s / 2
    assert cm.service_level(QUEUED, ANSWERED, WAIT, method="ignored", threshold=60) == 1.0
    g = cm.service_level(QUEUED, ANSWERED, WAIT, by=CALL_AGENT, method="ignored")
    assert g.to_dict() == pytest.approx({7: 1.0, 8: 0.5})
    # a queue whose only call abandoned within the target has no base: nan
    assert math.isnan(cm.service_level(QUEUED[1:2], ANSWERED[1:2], WAIT[1:2], method="ignored"))


def test_service_level_cisco_worked_example() -> None:
    """Cisco ICM/CTI Server guide, "Service Level Formulas" (tables 3 and 4): 70 calls
    answered within the threshold, 10 abandoned within it, 20 past it, 100 events:
    ignore abandoned 70 / 90 = 77.8 %, negative impact 70 %, positive impact 80 %."""
    queued = np.full(100, np.datetime64("2024-01-02T09:00", "ns"))
    wait = np.concatenate([np.full(70, 5.0), np.full(10, 3.0), np.full(20, 45.0)])
    answered = queued + (wait * 1e9).astype("timedelta64[ns]")
    answered[70:80] = np.datetime64("NaT")  # the 10 short abandons
    answered[80:90] = np.datetime64("NaT")  # half of the late calls abandoned after 20 s
    assert cm.service_level(queued, answered, wait, method="ignored") == pytest.approx(
        70 / 90, rel=1e-15
    )
    assert cm.service_level(queued, answered, wait) == 0.7
    assert cm.service_level(queued, answered, wait, method="positive") == 0.8


def test_average_speed_of_answer() -> None:
    assert cm.average_speed_of_answer(QUEUED, ANSWERED, WAIT) == 17.5
    assert cm.average_speed_of_answer(QUEUED, ANSWERED, WAIT / 60, unit="min") == pytest.approx(
        17.5 / 60, rel=1e-12
    )
    assert math.isnan(cm.average_speed_of_answer(QUEUED[1:2], ANSWERED[1:2], WAIT[1:2]))
    g = cm.average_speed_of_answer(QUEUED, ANSWERED, WAIT, by=CALL_AGENT)
    assert g.to_dict() == {7: 15.0, 8: 20.0}
    waits = np.array([15, 4, 20, 40], dtype="timedelta64[s]")
    assert cm.average_speed_of_answer(QUEUED, ANSWERED, waits, unit="min") == pytest.approx(
        17.5 / 60, rel=1e-12
    )


def test_calls_per_day() -> None:
    queued = ts(
        "2024-01-01T09:00",
        "2024-01-01T10:00",
        "2024-01-02T11:00",
        "2024-01-04T12:00",
        "2024-01-07T23:30",
        "2024-01-08T01:00",
    )
    week = {"start": "2024-01-01", "end": "2024-01-08"}
    assert cm.calls_per_day(queued, **week) == 5 / 7  # days without calls count
    assert cm.calls_per_day(queued, **week, tz_offset_hours=-2) == 6 / 7
    assert cm.calls_per_day(queued, **week, tz_offset_hours=10) == 4 / 7
    assert cm.calls_per_day(queued, start="2024-01-01", end="2024-01-01T12:00") == 4.0
    assert cm.calls_per_day(ts(), **week) == 0.0
    assert math.isnan(cm.calls_per_day(queued, start="2024-01-01", end="2024-01-01"))
    g = cm.calls_per_day(queued, **week, by=["a", "b", "a", "a", "b", "c"])
    assert g.to_dict() == {"a": 3 / 7, "b": 2 / 7}
    with pytest.raises(TypeError, match="start is required"):
        cm.calls_per_day(queued, start=None, end="2024-01-08")
    with pytest.raises(ValueError, match=r"end = .* is earlier than start"):
        cm.calls_per_day(queued, start="2024-01-08", end="2024-01-01")


# --------------------------------------------------------------------------- repeat contacts
def test_repeat_contact_rate_hand_computed() -> None:
    cust = np.array(["a", "a", "a", "b", "b", "c"])
    when = ts(
        "2024-01-01",
        "2024-01-08",  # exactly 7 days after the first: within (inclusive)
        "2024-01-20",
        "2024-01-02",
        "2024-01-02",  # same instant: not a follow-up of each other
        "2024-01-03",
    )
    assert cm.repeat_contact_rate(cust, when) == 1 / 6
    assert cm.repeat_contact_rate(cust, when, window=np.timedelta64(7, "D") - 1) == 0.0
    assert cm.repeat_contact_rate(cust, when, window=12) == 2 / 6
    assert cm.repeat_contact_rate(cust, when, window=12 * 24, unit="h") == 2 / 6
    assert math.isnan(cm.repeat_contact_rate(ts(), ts()))


def test_repeat_contact_rate_default_window_and_century_windows() -> None:
    # the default window is 7 days, inclusive: 7 days later is a repeat, 8 days is not
    assert cm.repeat_contact_rate(["a", "a"], ts("2024-01-01", "2024-01-08")) == 0.5
    assert cm.repeat_contact_rate(["a", "a"], ts("2024-01-01", "2024-01-09")) == 0.0
    # windows of decades (beyond 2**61 ns): 100 years apart is outside 80 years and
    # inside 120 and 150 years
    far = ts("1950-01-01", "2050-01-01")
    assert cm.repeat_contact_rate(["a", "a"], far, window=80 * 365) == 0.0
    assert cm.repeat_contact_rate(["a", "a"], far, window=120 * 365) == 0.5
    assert cm.repeat_contact_rate(["a", "a"], far, window=150 * 365) == 0.5


def test_repeat_contact_rate_reads_history_beyond_the_window_and_groups() -> None:
    cust = np.array([1, 1, 2, 2, 3])
    when = ts("2024-01-30", "2024-02-02", "2024-01-10", "2024-01-12", "2024-01-31")
    agent = np.array(["x", "y", "y", "x", "x"])
    jan = {"start": "2024-01-01", "end": "2024-02-01"}
    # January contacts: 0 (followed by the February one), 2 (followed), 3, 4 -> 2/4
    assert cm.repeat_contact_rate(cust, when, **jan) == 0.5
    g = cm.repeat_contact_rate(cust, when, **jan, by=agent)
    # x: contacts 0 (followed, by a contact of agent y), 3, 4 -> 1/3; y: contact 2 -> 1
    assert g.to_dict() == {"x": 1 / 3, "y": 1.0}
    # the loop over subsets would lose the cross-agent follow-up: by= is not that loop
    x = agent == "x"
    assert cm.repeat_contact_rate(cust[x], when[x], **jan) == 0.0


# --------------------------------------------------------------------------- input styles
def test_pandas_and_string_inputs_agree() -> None:
    frame = pd.DataFrame({"opened": OPENED, "resolved": RESOLVED, "agent": AGENT})
    g = cm.first_response_time(frame["opened"], pd.Series(FIRST), by=frame["agent"])
    assert g.to_dict() == cm.first_response_time(OPENED, FIRST, by=AGENT).to_dict()
    as_text = [str(t) for t in OPENED]
    assert cm.resolution_time(as_text, RESOLVED) == cm.resolution_time(OPENED, RESOLVED)
    coarse = OPENED.astype("datetime64[m]")
    assert cm.resolved_within_rate(coarse, RESOLVED, as_of=AS_OF) == 2 / 5


# --------------------------------------------------------------------------- windows
# A windowed call equals the unwindowed call on the in-window records (explicit as_of, so
# the default snapshot cannot differ between the two calls). Windows on OPENED: the first
# keeps 1, 2, 4 (0 opened before it, 5 opened at its end, excluded: half-open), start-only
# keeps 2, 3, 4, 5, end-only keeps 0, 1.
WINDOWS = [
    {"start": "2024-01-01T09:00", "end": "2024-01-02T20:00"},
    {"start": "2024-01-01T10:00"},
    {"end": "2024-01-01T10:00"},
]
DUE = OPENED + np.timedelta64(3, "h")
TICKET_RATES = {
    "resolved_within_rate": lambda o, r, d, **kw: cm.resolved_within_rate(o, r, **kw),
    "resolved_within_4h": lambda o, r, d, **kw: cm.resolved_within_rate(o, r, threshold=4, **kw),
    "orders_processed_within_rate": lambda o, r, d, **kw: cm.orders_processed_within_rate(
        o, r, **kw
    ),
    "same_day_resolution_rate": lambda o, r, d, **kw: cm.same_day_resolution_rate(o, r, **kw),
    "same_day_utc+2": lambda o, r, d, **kw: cm.same_day_resolution_rate(
        o, r, tz_offset_hours=2, **kw
    ),
    "sla_compliance_rate": lambda o, r, d, **kw: cm.sla_compliance_rate(
        o, resolved_at=r, due_at=d, **kw
    ),
}


def _in(anchor: np.ndarray, window: dict[str, str]) -> np.ndarray:
    keep = np.ones(len(anchor), dtype=bool)
    if "start" in window:
        keep &= anchor >= np.datetime64(window["start"], "ns")
    if "end" in window:
        keep &= anchor < np.datetime64(window["end"], "ns")
    return keep


def _same(a: object, b: object) -> bool:
    return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or (
        a == b
    )


@pytest.mark.parametrize("window", WINDOWS, ids=["both", "start-only", "end-only"])
@pytest.mark.parametrize("name", list(TICKET_RATES))
def test_ticket_rates_window_equals_the_call_on_in_window_records(
    name: str, window: dict[str, str]
) -> None:
    f = TICKET_RATES[name]
    keep = _in(OPENED, window)
    windowed = f(OPENED, RESOLVED, DUE, as_of=AS_OF, **window)
    subset = f(OPENED[keep], RESOLVED[keep], DUE[keep], as_of=AS_OF)
    assert _same(windowed, subset), (windowed, subset)
    g = f(OPENED, RESOLVED, DUE, as_of=AS_OF, by=AGENT, **window)
    assert (
        g.to_dict()
        == f(OPENED[keep], RESOLVED[keep], DUE[keep], as_of=AS_OF, by=AGENT[keep]).to_dict()
    )


def test_ticket_rates_windows_change_the_figure() -> None:
    # the invariant above is only a check if the in-window records give another figure
    # than all records (a function ignoring start/end would otherwise pass it)
    for f in TICKET_RATES.values():
        full = f(OPENED, RESOLVED, DUE, as_of=AS_OF)
        for window in WINDOWS:
            keep = _in(OPENED, window)
            assert not _same(f(OPENED[keep], RESOLVED[keep], DUE[keep], as_of=AS_OF), full)


# Two tickets: 0 opened 1 Jan 08:00, resolved within the hour (met by every target);
# 1 opened 2 Jan 08:00, never resolved (a miss by every target at as_of 4 Jan).
TWO_OPENED = ts("2024-01-01T08:00", "2024-01-02T08:00")
TWO_RESOLVED = ts("2024-01-01T09:00", NAT)
TWO_DUE = TWO_OPENED + np.timedelta64(2, "h")


@pytest.mark.parametrize("name", list(TICKET_RATES))
def test_ticket_rates_one_record_in_one_out(name: str) -> None:
    f = TICKET_RATES[name]

    def rate(**window: str) -> float:
        return float(f(TWO_OPENED, TWO_RESOLVED, TWO_DUE, as_of="2024-01-04", **window))

    assert rate() == 0.5
    assert rate(start="2024-01-01", end="2024-01-02") == 1.0  # only ticket 0
    assert rate(start="2024-01-02T08:00") == 0.0  # start is inclusive: only ticket 1
    assert rate(start="2024-01-02T08:00:00.000000001") != rate(start="2024-01-02T08:00")
    assert math.isnan(rate(start="2024-01-02T08:00:00.000000001"))  # nothing left
    assert rate(end="2024-01-02T08:00") == 1.0  # end is exclusive: only ticket 0
    assert rate(end="2024-01-02T08:00:00.000000001") == 0.5
    assert math.isnan(rate(end="2024-01-01T08:00"))


# Calls for the windows of the call metrics (threshold 20 s): queued minutes 0..5 past 9.
W_QUEUED = ts(
    "2024-01-02T09:00",  # 0 abandoned after 40 s
    "2024-01-02T09:01",  # 1 answered after 10 s
    "2024-01-02T09:02",  # 2 abandoned after 3 s (a short abandon)
    "2024-01-02T09:03",  # 3 answered after 30 s
    "2024-01-02T09:04",  # 4 abandoned after 50 s
    "2024-01-02T09:05",  # 5 answered after 30 s
)
W_WAIT = np.array([40.0, 10.0, 3.0, 30.0, 50.0, 30.0])
W_ANSWERED = W_QUEUED + (W_WAIT * 1e9).astype("timedelta64[ns]")
W_ANSWERED[[0, 2, 4]] = np.datetime64("NaT")
CALL_WINDOWS = [
    {"start": "2024-01-02T09:01", "end": "2024-01-02T09:04"},  # 1, 2, 3
    {"start": "2024-01-02T09:03"},  # 3, 4, 5
    {"end": "2024-01-02T09:01"},  # 0
]
CALL_RATES = {
    "abandonment_rate": lambda q, a, w, **kw: cm.abandonment_rate(q, a, w, **kw),
    "abandonment_short_5s": lambda q, a, w, **kw: cm.abandonment_rate(
        q, a, w, short_abandon=5, **kw
    ),
    "service_level_offered": lambda q, a, w, **kw: cm.service_level(q, a, w, **kw),
    "service_level_answered": lambda q, a, w, **kw: cm.service_level(
        q, a, w, method="answered", **kw
    ),
    "service_level_positive": lambda q, a, w, **kw: cm.service_level(
        q, a, w, method="positive", **kw
    ),
    "service_level_ignored": lambda q, a, w, **kw: cm.service_level(
        q, a, w, method="ignored", **kw
    ),
}


@pytest.mark.parametrize("window", CALL_WINDOWS, ids=["both", "start-only", "end-only"])
@pytest.mark.parametrize("name", list(CALL_RATES))
def test_call_rates_window_equals_the_call_on_in_window_records(
    name: str, window: dict[str, str]
) -> None:
    f = CALL_RATES[name]
    keep = _in(W_QUEUED, window)
    windowed = f(W_QUEUED, W_ANSWERED, W_WAIT, **window)
    assert _same(windowed, f(W_QUEUED[keep], W_ANSWERED[keep], W_WAIT[keep]))


def test_call_rates_windows_change_the_figure() -> None:
    for f in CALL_RATES.values():
        full = f(W_QUEUED, W_ANSWERED, W_WAIT)
        for window in CALL_WINDOWS:
            keep = _in(W_QUEUED, window)
            assert not _same(f(W_QUEUED[keep], W_ANSWERED[keep], W_WAIT[keep]), full)


def test_abandonment_window_with_short_abandons_hand_cases() -> None:
    def rate(**kw: object) -> float:
        return float(cm.abandonment_rate(W_QUEUED, W_ANSWERED, W_WAIT, short_abandon=5, **kw))

    # all: call 2 leaves both terms; abandoned 0, 4 of 0, 1, 3, 4, 5
    assert rate() == 2 / 5
    # window 1..3: call 2 leaves -> 0 abandoned of 1, 3
    assert rate(start="2024-01-02T09:01", end="2024-01-02T09:04") == 0.0
    assert rate(start="2024-01-02T09:02") == 1 / 3  # 3, 4, 5
    assert rate(end="2024-01-02T09:02") == 0.5  # 0, 1
    # a window keeping only the short abandon has no base
    assert math.isnan(rate(start="2024-01-02T09:02", end="2024-01-02T09:03"))


def test_service_level_answered_with_a_window_hand_cases() -> None:
    def level(**kw: object) -> float:
        return float(cm.service_level(W_QUEUED, W_ANSWERED, W_WAIT, method="answered", **kw))

    # answered 1 (10 s, within), 3 and 5 (30 s, not): 1 / 3
    assert level() == 1 / 3
    assert level(start="2024-01-02T09:01", end="2024-01-02T09:04") == 0.5  # 1, 3
    assert level(start="2024-01-02T09:02") == 0.0  # 3, 5
    assert level(end="2024-01-02T09:02") == 1.0  # 1 (call 0 abandoned: not in the base)
    assert math.isnan(level(end="2024-01-02T09:01"))  # only an abandoned call


# --------------------------------------------------------------------------- as_of == event
# An event exactly at as_of has happened; a deadline exactly at as_of has not passed yet
# (a miss needs as_of > deadline); a ticket opened exactly at as_of has begun.
NS = np.timedelta64(1, "ns")


@pytest.mark.parametrize(
    "rate",
    [
        lambda o, r, **kw: cm.resolved_within_rate(o, r, **kw),
        lambda o, r, **kw: cm.orders_processed_within_rate(o, r, **{"threshold": 2, **kw}),
    ],
    ids=["resolved_within_rate", "orders_processed_within_rate"],
)
def test_threshold_rates_at_as_of_equal_to_an_event(rate: object) -> None:
    f = rate  # 2 h targets
    opened, resolved = ts("2024-01-01T08:00"), ts("2024-01-01T09:00")
    at = np.datetime64("2024-01-01T09:00", "ns")
    assert f(opened, resolved, as_of=at) == 1.0  # resolved at as_of: happened, met
    assert math.isnan(f(opened, resolved, as_of=at - NS))  # not yet: pending
    # an open ticket whose deadline (10:00) is exactly as_of is still pending
    open_ = ts(NAT)
    deadline = np.datetime64("2024-01-01T10:00", "ns")
    assert math.isnan(f(opened, open_, as_of=deadline))
    assert f(opened, open_, as_of=deadline + NS) == 0.0
    # a ticket opened and resolved exactly at as_of with a zero target has begun and is met
    assert f(opened, opened, as_of=opened[0], threshold=0) == 1.0
    assert math.isnan(f(opened, opened, as_of=opened[0] - NS, threshold=0))
    # resolved exactly at the deadline and as_of: met
    assert f(opened, ts("2024-01-01T10:00"), as_of=deadline) == 1.0


def test_same_day_at_as_of_equal_to_an_event() -> None:
    opened, resolved = ts("2024-01-01T08:00"), ts("2024-01-01T09:00")
    at = np.datetime64("2024-01-01T09:00", "ns")
    assert cm.same_day_resolution_rate(opened, resolved, as_of=at) == 1.0
    assert math.isnan(cm.same_day_resolution_rate(opened, resolved, as_of=at - NS))
    # the deadline is the day's last nanosecond: as_of equal to it is still pending
    last = np.datetime64("2024-01-01T23:59:59.999999999", "ns")
    assert math.isnan(cm.same_day_resolution_rate(opened, ts(NAT), as_of=last))
    assert cm.same_day_resolution_rate(opened, ts(NAT), as_of=last + NS) == 0.0
    assert cm.same_day_resolution_rate(opened, opened, as_of=opened[0]) == 1.0


def test_backlog_and_sla_at_as_of_equal_to_an_event() -> None:
    opened = ts("2024-01-01T08:00", "2024-01-01T09:00")
    resolved = ts("2024-01-01T09:00", NAT)
    at = np.datetime64("2024-01-01T09:00", "ns")
    # open_at: created <= as_of < closed -> ticket 0 closed at as_of, ticket 1 opened at it
    assert cm.ticket_backlog(opened, resolved, as_of=at) == 1
    assert cm.ticket_backlog(opened, resolved, as_of=at - NS) == 1  # ticket 0 only
    assert cm.ticket_backlog(opened, resolved, as_of=at + NS) == 1  # ticket 1 only
    assert cm.ticket_backlog(opened[:1], resolved[:1], as_of=at) == 0
    assert cm.ticket_backlog(opened[1:], resolved[1:], as_of=at) == 1
    assert cm.ticket_backlog(opened[1:], resolved[1:], as_of=at - NS) == 0
    due = ts("2024-01-01T09:00", "2024-01-01T10:00")
    # ticket 0 resolved at as_of = its due time: met; ticket 1 begun, due later: pending
    assert cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due, as_of=at) == 1.0
    assert math.isnan(
        cm.sla_compliance_rate(opened[:1], resolved_at=resolved[:1], due_at=due[:1], as_of=at - NS)
    )
    ten = np.datetime64("2024-01-01T10:00", "ns")
    assert cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due, as_of=ten) == 1.0
    assert cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due, as_of=ten + NS) == 0.5
    # response target: the first response at as_of has happened
    first = ts("2024-01-01T08:30", "2024-01-01T09:30")
    response_due = ts("2024-01-01T08:30", "2024-01-01T09:15")
    kw = {"first_response_at": first, "response_due_at": response_due, "target": "response"}
    half_past = np.datetime64("2024-01-01T09:30", "ns")
    assert cm.sla_compliance_rate(opened, as_of=half_past, **kw) == 0.5  # 1 is late
    assert cm.sla_compliance_rate(opened, as_of=first[0], **kw) == 1.0  # 1 not begun


# --------------------------------------------------------------------------- day edges
@pytest.mark.parametrize("offset", [0, 2, -5, 5.5, -9.5, 14])
def test_same_day_last_nanosecond_of_the_local_day(offset: float) -> None:
    shift = np.timedelta64(round(offset * 3600 * 10**9), "ns")
    # local 1 Jan 08:00; the local day's last nanosecond, and the first of the next day
    opened = np.datetime64("2024-01-01T08:00", "ns") - shift
    last = np.datetime64("2024-01-01T23:59:59.999999999", "ns") - shift
    got = cm.same_day_resolution_rate(
        np.array([opened, opened]),
        np.array([last, last + NS]),
        tz_offset_hours=offset,
        as_of="2024-01-05",
    )
    assert got == 0.5
    # opened at the local day's first nanosecond (00:00) is still that day
    first = np.datetime64("2024-01-01T00:00", "ns") - shift
    got = cm.same_day_resolution_rate(
        np.array([first, first]), np.array([last, last + NS]), tz_offset_hours=offset
    )
    assert got == 0.5
    # opened at the last nanosecond and resolved at once: same day
    assert (
        cm.same_day_resolution_rate(np.array([last]), np.array([last]), tz_offset_hours=offset)
        == 1.0
    )


@pytest.mark.parametrize("offset", [0, 3, -3])
def test_same_day_at_and_before_1970(offset: float) -> None:
    shift = np.timedelta64(offset * 3600 * 10**9, "ns")
    local = ts(
        "1969-12-31T08:00",  # resolved at the day's last ns: met
        "1969-12-31T08:00",  # resolved at the next midnight (1970-01-01): missed
        "1970-01-01T00:00",  # opened at the epoch, resolved at its day's last ns: met
        "1969-12-31T23:59:59.999999999",  # resolved 1 ns later, the next day: missed
        "1960-06-15T12:00",  # far before 1970, resolved the same evening: met
    )
    resolved = ts(
        "1969-12-31T23:59:59.999999999",
        "1970-01-01T00:00",
        "1970-01-01T23:59:59.999999999",
        "1970-01-01T00:00",
        "1960-06-15T23:00",
    )
    got = cm.same_day_resolution_rate(
        local - shift, resolved - shift, tz_offset_hours=offset, as_of="1971-01-01"
    )
    assert got == 3 / 5
    # an open ticket of 31 Dec 1969 is pending until its day ends, then a miss
    end_of_day = np.datetime64("1969-12-31T23:59:59.999999999", "ns") - shift
    assert math.isnan(
        cm.same_day_resolution_rate(
            local[:1] - shift, ts(NAT), tz_offset_hours=offset, as_of=end_of_day
        )
    )
    assert (
        cm.same_day_resolution_rate(
            local[:1] - shift, ts(NAT), tz_offset_hours=offset, as_of=end_of_day + NS
        )
        == 0.0
    )


def test_threshold_rates_before_1970() -> None:
    opened = ts("1969-12-31T23:00", "1969-12-31T22:00", "1969-06-01T00:00")
    resolved = ts("1970-01-01T01:00", "1970-01-01T00:00:00.000000001", NAT)
    # 2 h target: 0 exactly 2 h (met), 1 2 h + 1 ns (missed), 2 open long past its deadline
    assert cm.resolved_within_rate(opened, resolved, as_of="1970-01-02") == 1 / 3
    assert (
        cm.orders_processed_within_rate(opened, resolved, threshold=2, as_of="1970-01-02") == 1 / 3
    )
    # ticket 2's deadline is 1969-06-01T02:00: pending at it, a miss 1 ns later
    deadline = np.datetime64("1969-06-01T02:00", "ns")
    assert math.isnan(cm.resolved_within_rate(opened[2:], resolved[2:], as_of=deadline))
    assert cm.resolved_within_rate(opened[2:], resolved[2:], as_of=deadline + NS) == 0.0


# The other windowed ticket and call metrics: the same invariant on their own anchor.
def _fr(o: np.ndarray, r: np.ndarray, f: np.ndarray, c: np.ndarray, **kw: object) -> object:
    return cm.first_response_time(o, f, **kw)


OTHER_TICKET_METRICS = {
    # name: (function of opened, resolved, first reply, contacts; anchor)
    "ticket_volume": (lambda o, r, f, c, **kw: cm.ticket_volume(o, **kw), "opened"),
    "ticket_volume_resolved": (
        lambda o, r, f, c, **kw: cm.ticket_volume(o, resolved_at=r, anchor="resolved_at", **kw),
        "resolved",
    ),
    "first_response_time": (_fr, "opened"),
    "first_response_median": (
        lambda o, r, f, c, **kw: cm.first_response_time(o, f, stat="median", **kw),
        "opened",
    ),
    "resolution_time": (lambda o, r, f, c, **kw: cm.resolution_time(o, r, **kw), "resolved"),
    "fcr_resolved": (
        lambda o, r, f, c, **kw: cm.first_contact_resolution_rate(o, r, c, **kw),
        "resolved",
    ),
    "fcr_all": (
        lambda o, r, f, c, **kw: cm.first_contact_resolution_rate(o, r, c, base="all", **kw),
        "opened",
    ),
}


@pytest.mark.parametrize("window", WINDOWS, ids=["both", "start-only", "end-only"])
@pytest.mark.parametrize("name", list(OTHER_TICKET_METRICS))
def test_other_ticket_metrics_window_equals_the_call_on_in_window_records(
    name: str, window: dict[str, str]
) -> None:
    f, anchor = OTHER_TICKET_METRICS[name]
    on = OPENED if anchor == "opened" else RESOLVED
    keep = _in(on, window) & ~np.isnat(on)
    windowed = f(OPENED, RESOLVED, FIRST, CONTACTS, **window)
    subset = f(OPENED[keep], RESOLVED[keep], FIRST[keep], CONTACTS[keep])
    assert _same(windowed, subset), (windowed, subset)
    if name != "fcr_all" or len(window) == 2:  # fcr_all's one-sided windows give 0.5 too
        assert not _same(windowed, f(OPENED, RESOLVED, FIRST, CONTACTS))  # the window matters


@pytest.mark.parametrize("window", CALL_WINDOWS, ids=["both", "start-only", "end-only"])
@pytest.mark.parametrize(
    "f",
    [
        lambda q, a, w, **kw: cm.average_speed_of_answer(q, a, w, **kw),
        lambda q, a, w, **kw: cm.average_handle_time(q, a, w, w / 2, 2 * w, **kw),
    ],
    ids=["average_speed_of_answer", "average_handle_time"],
)
def test_call_durations_window_equals_the_call_on_in_window_records(
    f: Any, window: dict[str, str]
) -> None:
    keep = _in(W_QUEUED, window)
    windowed = f(W_QUEUED, W_ANSWERED, W_WAIT, **window)
    assert _same(windowed, f(W_QUEUED[keep], W_ANSWERED[keep], W_WAIT[keep]))
    assert not _same(windowed, f(W_QUEUED, W_ANSWERED, W_WAIT))


def test_repeat_window_beyond_146_years() -> None:
    # 550 years apart is not within a 150-year window
    far = ts("1700-01-01", "2250-01-01")
    assert cm.repeat_contact_rate(["a", "a"], far, window=150 * 365) == 0.0


def test_threshold_beyond_146_years() -> None:
    # resolved 150 years after opening is within a 200-year threshold
    assert (
        cm.resolved_within_rate(ts("1800-01-01"), ts("1950-01-01"), threshold=73_000, unit="D")
        == 1.0
    )
    # and not within a 140-year one
    assert (
        cm.resolved_within_rate(ts("1800-01-01"), ts("1950-01-01"), threshold=140 * 365, unit="D")
        == 0.0
    )
    # the deadline saturates at the last representable instant instead of wrapping: a
    # 580-year target from 1700 or from 2000 is met by any later resolution
    opened = ts("1700-01-01", "2000-01-01")
    resolved = ts("2262-01-01", "2262-04-11")
    assert cm.resolved_within_rate(opened, resolved, threshold=580 * 365, unit="D") == 1.0
    # an unresolved ticket with such a target is pending whatever as_of
    assert math.isnan(cm.resolved_within_rate(opened[:1], ts(NAT), threshold=580 * 365, unit="D"))

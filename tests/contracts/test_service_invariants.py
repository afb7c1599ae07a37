"""METRICS.md §7 items 7 (time), 11 (thresholds, abandonment) and 12 (FCR bases) for §5."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm

from .registry_service import DAY, instants, thresholds, tickets
from .test_contracts import assert_same

#: any constant shift (ns), and whole numbers of days for the calendar-day metrics
shifts = st.integers(-50 * 365 * DAY, 50 * 365 * DAY).map(lambda x: np.timedelta64(x, "ns"))
day_shifts = st.integers(-20_000, 20_000).map(lambda d: np.timedelta64(d, "D"))
sizes = st.integers(0, 30)


@st.composite
def ticket_data(draw: st.DrawFn, *fields: str) -> tuple[dict[str, Any], np.datetime64]:
    as_of = draw(instants)
    n = draw(sizes)
    return draw(tickets(*fields)(n, {"as_of": as_of})), as_of


def shifted(records: dict[str, Any], delta: np.timedelta64) -> dict[str, Any]:
    return {k: v + delta if v.dtype.kind == "M" else v for k, v in records.items()}


def ns_durations(records: dict[str, Any], *names: str) -> dict[str, Any]:
    """Call durations (seconds as floats) as exact timedelta64[ms], unit-free."""
    out = dict(records)
    for name in names:
        out[name] = np.round(records[name] * 1000).astype("timedelta64[ms]")
    return out


# --------------------------------------------------------------------------- §7.7 time
@given(ticket_data("opened_at", "first_response_at", "resolved_at"), shifts)
def test_ticket_durations_are_shift_invariant(data: Any, delta: np.timedelta64) -> None:
    records, _ = data
    moved = shifted(records, delta)
    o, f, r = records["opened_at"], records["first_response_at"], records["resolved_at"]
    mo, mf, mr = moved["opened_at"], moved["first_response_at"], moved["resolved_at"]
    for stat in ("mean", "median"):
        assert_same(
            cm.first_response_time(mo, mf, stat=stat), cm.first_response_time(o, f, stat=stat)
        )
        assert_same(cm.resolution_time(mo, mr, stat=stat), cm.resolution_time(o, r, stat=stat))


@given(ticket_data("opened_at", "resolved_at", "due_at"), shifts, thresholds)
def test_threshold_and_sla_rates_are_shift_invariant(
    data: Any, delta: np.timedelta64, threshold: Any
) -> None:
    records, as_of = data
    moved = shifted(records, delta)
    o, r, d = records["opened_at"], records["resolved_at"], records["due_at"]
    mo, mr, md = moved["opened_at"], moved["resolved_at"], moved["due_at"]
    start, end = as_of - np.timedelta64(5 * DAY, "ns"), as_of
    kw = {"threshold": threshold, "as_of": as_of, "start": start, "end": end}
    mkw = {
        "threshold": threshold,
        "as_of": as_of + delta,
        "start": start + delta,
        "end": end + delta,
    }
    assert_same(cm.resolved_within_rate(mo, mr, **mkw), cm.resolved_within_rate(o, r, **kw))
    assert_same(
        cm.orders_processed_within_rate(mo, mr, **mkw), cm.orders_processed_within_rate(o, r, **kw)
    )
    assert_same(
        cm.sla_compliance_rate(mo, resolved_at=mr, due_at=md, as_of=as_of + delta),
        cm.sla_compliance_rate(o, resolved_at=r, due_at=d, as_of=as_of),
    )
    assert_same(cm.resolved_within_rate(mo, mr), cm.resolved_within_rate(o, r))  # default as_of


@given(
    ticket_data("opened_at", "resolved_at"),
    day_shifts,
    st.sampled_from([0.0, -5.0, 5.5, 13.0]),
)
def test_same_day_resolution_whole_day_shift_invariant(
    data: Any, delta: np.timedelta64, tz: float
) -> None:
    records, as_of = data
    o, r = records["opened_at"], records["resolved_at"]
    assert_same(
        cm.same_day_resolution_rate(o + delta, r + delta, as_of=as_of + delta, tz_offset_hours=tz),
        cm.same_day_resolution_rate(o, r, as_of=as_of, tz_offset_hours=tz),
    )


@given(
    st.integers(0, 30).flatmap(
        lambda n: tickets("queued_at")(n, {"as_of": np.datetime64("2024-06-01", "ns")})
    ),
    day_shifts,
    st.integers(1, 30 * DAY),
    st.sampled_from([0.0, -5.0, 5.5, 13.0]),
)
def test_calls_per_day_whole_day_shift_invariant(
    records: Any, delta: np.timedelta64, length: int, tz: float
) -> None:
    q = records["queued_at"]
    start = np.datetime64("2024-05-20", "ns")
    end = start + np.timedelta64(length, "ns")
    assert_same(
        cm.calls_per_day(q + delta, start=start + delta, end=end + delta, tz_offset_hours=tz),
        cm.calls_per_day(q, start=start, end=end, tz_offset_hours=tz),
    )


@given(ticket_data("queued_at", "answered_at", "wait", "talk", "hold", "acw"), shifts)
def test_call_metrics_shift_invariant_and_unit_exact(data: Any, delta: np.timedelta64) -> None:
    records, _ = data
    rec = ns_durations(records, "wait", "talk", "hold", "acw")
    q, a, w = rec["queued_at"], rec["answered_at"], rec["wait"]
    durations = (rec["talk"], rec["hold"], rec["acw"])
    for func, args in (
        (cm.service_level, (w,)),
        (cm.abandonment_rate, (w,)),
        (cm.average_speed_of_answer, (w,)),
        (cm.average_handle_time, durations),
    ):
        assert_same(func(q + delta, a + delta, *args), func(q, a, *args))
    seconds = cm.average_speed_of_answer(q, a, w)
    assert_same(cm.average_speed_of_answer(q, a, w, unit="h"), seconds / 3600)
    seconds = cm.average_handle_time(q, a, *durations)
    assert_same(cm.average_handle_time(q, a, *durations, unit="min"), seconds / 60)


@given(ticket_data("opened_at", "first_response_at", "resolved_at"))
def test_changing_unit_rescales_durations(data: Any) -> None:
    records, _ = data
    o, f, r = records["opened_at"], records["first_response_at"], records["resolved_at"]
    for stat in ("mean", "median"):
        seconds = cm.first_response_time(o, f, stat=stat, unit="s")
        assert_same(cm.first_response_time(o, f, stat=stat, unit="h"), seconds / 3600)
        assert_same(cm.first_response_time(o, f, stat=stat, unit="m"), seconds / 60)
        seconds = cm.resolution_time(o, r, stat=stat, unit="s")
        assert_same(cm.resolution_time(o, r, stat=stat, unit="D"), seconds / 86400)
    # a numeric threshold read in the unit equals the same timedelta64
    two_hours = cm.resolved_within_rate(o, r, threshold=np.timedelta64(2, "h"))
    assert_same(cm.resolved_within_rate(o, r, threshold=120, unit="min"), two_hours)
    assert_same(cm.resolved_within_rate(o, r, threshold=7200, unit="s"), two_hours)
    assert_same(cm.resolved_within_rate(o, r), two_hours)


# --------------------------------------------------------------------------- §7.11 thresholds
@given(
    ticket_data("opened_at", "resolved_at"),
    st.integers(0, 5 * DAY),
    st.integers(0, 5 * DAY),
)
def test_threshold_rates_non_decreasing(data: Any, t1: int, t2: int) -> None:
    records, as_of = data
    lo, hi = (np.timedelta64(t, "ns") for t in sorted((t1, t2)))
    o, r = records["opened_at"], records["resolved_at"]
    for func in (cm.resolved_within_rate, cm.orders_processed_within_rate):
        low = func(o, r, threshold=lo, as_of=as_of)
        high = func(o, r, threshold=hi, as_of=as_of)
        if not (np.isnan(low) or np.isnan(high)):
            assert low <= high + 1e-9


@given(
    ticket_data("queued_at", "answered_at", "wait"),
    st.floats(0, 700),
    st.floats(0, 700),
    st.sampled_from(["offered", "answered", "positive", "ignored"]),
)
def test_service_level_non_decreasing(data: Any, t1: float, t2: float, method: str) -> None:
    records, _ = data
    lo, hi = sorted((t1, t2))
    q, a, w = records["queued_at"], records["answered_at"], records["wait"]
    low = cm.service_level(q, a, w, threshold=lo, method=method)
    high = cm.service_level(q, a, w, threshold=hi, method=method)
    if not (np.isnan(low) or np.isnan(high)):
        assert low <= high + 1e-9


@given(ticket_data("queued_at", "answered_at", "wait"), st.floats(0, 700))
def test_service_level_method_ordering(data: Any, threshold: float) -> None:
    """Removing the short abandons from the base sits between failing all abandons and
    removing them all: offered <= ignored <= answered."""
    records, _ = data
    q, a, w = records["queued_at"], records["answered_at"], records["wait"]
    level = {
        m: cm.service_level(q, a, w, threshold=threshold, method=m)
        for m in ("offered", "ignored", "answered")
    }
    if not np.isnan(level["ignored"]):
        assert level["offered"] <= level["ignored"] + 1e-12
    if not np.isnan(level["answered"]):
        assert level["ignored"] <= level["answered"] + 1e-12


@given(ticket_data("queued_at", "answered_at", "wait"))
def test_abandonment_identity(data: Any) -> None:
    records, _ = data
    q, a, w = records["queued_at"], records["answered_at"], records["wait"]
    offered = len(q)
    answered = int(np.sum(~np.isnat(a)))
    expected = np.nan if offered == 0 else 1 - answered / offered
    assert_same(cm.abandonment_rate(q, a, w), expected)
    # the "offered" and "positive" service levels differ by the abandons within threshold
    fast_abandons = int(np.sum(np.isnat(a) & (w <= 20)))
    if offered:
        assert_same(
            cm.service_level(q, a, w, method="positive") - cm.service_level(q, a, w),
            fast_abandons / offered,
        )


# --------------------------------------------------------------------------- §7.12 FCR bases
@given(ticket_data("opened_at", "resolved_at", "contacts"))
def test_fcr_all_base_at_most_resolved_base(data: Any) -> None:
    records, _ = data
    o, r, c = records["opened_at"], records["resolved_at"], records["contacts"]
    every = cm.first_contact_resolution_rate(o, r, c, base="all")
    resolved = cm.first_contact_resolution_rate(o, r, c)
    if not (np.isnan(every) or np.isnan(resolved)):
        assert every <= resolved + 1e-12
    n_fcr = int(np.sum((c == 1) & ~np.isnat(r)))
    assert_same(
        resolved, cm.first_contact_resolution_rate_from_counts(n_fcr, int(np.sum(~np.isnat(r))))
    )
    assert_same(every, cm.first_contact_resolution_rate_from_counts(n_fcr, len(o)))


@given(ticket_data("opened_at", "resolved_at"), st.integers(1, 30))
def test_ticket_volume_and_backlog_counts_are_additive(data: Any, n_keys: int) -> None:
    records, as_of = data
    o, r = records["opened_at"], records["resolved_at"]
    by = np.arange(len(o)) % n_keys
    assert cm.ticket_volume(o, by=by).values.sum() == cm.ticket_volume(o)
    backlog = cm.ticket_backlog(o, r, as_of=as_of)
    assert cm.ticket_backlog(o, r, as_of=as_of, by=by).values.sum() == backlog
    assert backlog == int(np.sum((o <= as_of) & (np.isnat(r) | (r > as_of))))

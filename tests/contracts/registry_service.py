"""Contract entries for METRICS.md §5, service and support (tickets, SLAs, calls).

Records are drawn around an instant ``as_of`` (always passed explicitly where a function
takes one: the default is computed over the whole input, so ``by=`` would not equal the
loop over subsets, METRICS.md §0.4). Events lie 0..10 days after their start or are NaT,
so undecided, met and missed records all occur.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import FRACTION, Entry, Options, fixed

HOUR = 3_600_000_000_000
DAY = 24 * HOUR
_NS_2000 = int(np.datetime64("2000-01-01", "ns").astype(np.int64))
_NS_2050 = int(np.datetime64("2050-01-01", "ns").astype(np.int64))

instants = st.integers(_NS_2000, _NS_2050).map(lambda x: np.datetime64(x, "ns"))
units = st.sampled_from(["s", "min", "m", "h", "D"])
#: a duration as a timedelta64 (unit-free) or a plain number (read in the unit)
thresholds = st.one_of(
    st.integers(0, 5 * DAY).map(lambda x: np.timedelta64(x, "ns")),
    st.sampled_from([0, 1, 2, 20, 24]),
    st.floats(0, 1e3),
)
DURATIONS = fixed(0.0, 1e12)  # events lie at most 10 days after their start
COUNTS = fixed(0.0, 1e12)


def _stamp(ns: list[int]) -> np.ndarray[Any, Any]:
    return np.array(ns, dtype=np.int64).view("datetime64[ns]")


def _after(begin: np.ndarray[Any, Any], gaps: list[int | None]) -> np.ndarray[Any, Any]:
    """``begin + gap`` per record, NaT where the gap is None (has not happened)."""
    out = np.array(
        [
            b + g if g is not None else np.iinfo(np.int64).min
            for b, g in zip(begin, gaps, strict=True)
        ],
        dtype=np.int64,
    )
    return out.view("datetime64[ns]")


def _gaps(n: int, nat: bool = True) -> st.SearchStrategy[list[int | None]]:
    """``n`` delays of 0..10 days (short ones and exact hours over-represented)."""
    delay = st.one_of(
        st.integers(0, 10 * DAY), st.integers(0, 4).map(lambda h: h * HOUR), st.just(0)
    )
    element: st.SearchStrategy[int | None] = st.one_of(delay, st.none()) if nat else delay
    return st.lists(element, min_size=n, max_size=n)


def _begins(n: int, opts: Options) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    """``n`` start times near ``as_of`` or the window (1900-2100 without either)."""
    if "start" in opts:  # a call window: mostly inside it, some just outside
        lo = int(np.datetime64(opts["start"], "ns").astype(np.int64)) - DAY
        hi = int(np.datetime64(opts["end"], "ns").astype(np.int64)) + DAY
    elif "as_of" in opts:
        c = int(np.datetime64(opts["as_of"], "ns").astype(np.int64))
        lo, hi = c - 20 * DAY, c + DAY
    else:
        return gen.timestamps(n)
    return st.lists(st.integers(lo, hi), min_size=n, max_size=n).map(_stamp)


_EVENTS = (
    "resolved_at",
    "first_response_at",
    "processed_at",
    "answered_at",
    "due_at",
    "response_due_at",
)


@st.composite
def _tickets(draw: st.DrawFn, n: int, opts: Options, fields: tuple[str, ...]) -> Options:
    """Ticket records with the requested §0.5 fields (events never precede opened_at)."""
    opened = draw(_begins(n, opts))
    out: Options = {}
    for name in fields:
        if name in ("opened_at", "placed_at", "queued_at"):
            out[name] = opened
        elif name in _EVENTS:  # events and due times: 0..10 days after the start, or NaT
            out[name] = _after(opened, draw(_gaps(n)))
        elif name == "contacts":
            out[name] = np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)))
        else:  # call durations in the function's unit: small non-negative numbers
            values = draw(st.lists(st.floats(0, 600), min_size=n, max_size=n))
            out[name] = np.array(values, dtype=np.float64)
    return out


def tickets(*fields: str) -> Any:
    return lambda n, opts: _tickets(n, opts, fields)


def options(**parts: st.SearchStrategy[Any]) -> st.SearchStrategy[Options]:
    return st.fixed_dictionaries(parts)


OPENED = ["2024-01-02T08:00", "2024-01-02T09:00", "2024-01-02T11:30", "2024-01-03T10:00"]
RESOLVED = ["2024-01-02T09:00", "NaT", "2024-01-02T12:00", "2024-01-04T10:00"]
CALLS = {
    "queued_at": ["2024-01-02T09:00", "2024-01-02T09:01", "2024-01-02T09:02"],
    "answered_at": ["2024-01-02T09:00:10", "NaT", "2024-01-02T09:03"],
}


@st.composite
def _window(draw: st.DrawFn) -> Options:
    start = draw(instants)
    length = draw(st.integers(1, 30 * DAY))
    tz = draw(st.sampled_from([0.0, -5.0, 5.5, 14.0]))
    return {"start": start, "end": start + np.timedelta64(length, "ns"), "tz_offset_hours": tz}


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- tickets (§5)
    "ticket_volume": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED, "anchor": "resolved_at"},
        options=options(anchor=st.sampled_from(["opened_at", "resolved_at"])),
        records=tickets("opened_at", "resolved_at"),
        bounds=COUNTS,
        empty=0.0,
    ),
    "contact_rate": Entry(
        kind="aggregate",
        example={"tickets": 150, "active_customers": 1000},
        scalars=lambda _o: st.fixed_dictionaries(
            {"tickets": gen.counts, "active_customers": gen.counts}
        ),
        zero=({"tickets": 0, "active_customers": 0}, {"tickets": 5, "active_customers": 0}),
        bounds=fixed(0.0, float(gen.MAX_COUNT)),
    ),
    "first_response_time": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "first_response_at": RESOLVED, "unit": "min"},
        options=options(stat=st.sampled_from(["mean", "median"]), unit=units),
        records=tickets("opened_at", "first_response_at"),
        bounds=DURATIONS,
    ),
    "resolution_time": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED, "stat": "median"},
        options=options(stat=st.sampled_from(["mean", "median"]), unit=units),
        records=tickets("opened_at", "resolved_at"),
        bounds=DURATIONS,
    ),
    "resolved_within_rate": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED, "as_of": "2024-01-03T12:00"},
        options=options(as_of=instants, unit=units, threshold=thresholds),
        records=tickets("opened_at", "resolved_at"),
        bounds=FRACTION,
    ),
    "orders_processed_within_rate": Entry(
        kind="event",
        filtered=True,
        example={"placed_at": OPENED, "processed_at": RESOLVED, "threshold": 20},
        options=options(as_of=instants, unit=units, threshold=thresholds),
        records=tickets("placed_at", "processed_at"),
        bounds=FRACTION,
    ),
    "same_day_resolution_rate": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED, "tz_offset_hours": -5},
        options=options(as_of=instants, tz_offset_hours=st.sampled_from([0.0, -5.0, 5.5, 14])),
        records=tickets("opened_at", "resolved_at"),
        bounds=FRACTION,
    ),
    "first_contact_resolution_rate": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED, "contacts": [1, 2, 1, 3]},
        options=options(base=st.sampled_from(["resolved", "all"])),
        records=tickets("opened_at", "resolved_at", "contacts"),
        bounds=FRACTION,
    ),
    "first_contact_resolution_rate_from_counts": Entry(
        kind="aggregate",
        example={"first_contact_resolved": 72, "tickets": 90},
        scalars=lambda _o: gen.subset_counts("tickets", "first_contact_resolved"),
        zero=({"first_contact_resolved": 0, "tickets": 0},),
        bounds=FRACTION,
    ),
    "reopen_rate": Entry(
        kind="aggregate",
        example={"reopened": 12, "resolved": 400},
        scalars=lambda _o: gen.subset_counts("resolved", "reopened"),
        zero=({"reopened": 0, "resolved": 0},),
        bounds=FRACTION,
    ),
    "escalation_rate": Entry(
        kind="aggregate",
        example={"escalated": 5, "tickets": 100},
        scalars=lambda _o: gen.subset_counts("tickets", "escalated"),
        zero=({"escalated": 0, "tickets": 0},),
        bounds=FRACTION,
    ),
    "ticket_backlog": Entry(
        kind="event",
        filtered=True,
        example={"opened_at": OPENED, "resolved_at": RESOLVED},
        options=options(as_of=instants),
        records=tickets("opened_at", "resolved_at"),
        bounds=COUNTS,
        empty=0.0,
    ),
    "sla_compliance_rate": Entry(
        kind="event",
        filtered=True,
        example={
            "opened_at": OPENED,
            "resolved_at": RESOLVED,
            "due_at": ["2024-01-02T10:00", "2024-01-02T12:00", "NaT", "2024-01-04T09:00"],
            "first_response_at": RESOLVED,
            "response_due_at": ["NaT", "2024-01-02T10:00", "2024-01-02T12:00", "NaT"],
        },
        options=options(as_of=instants, target=st.sampled_from(["resolution", "response"])),
        records=tickets(
            "opened_at", "resolved_at", "due_at", "first_response_at", "response_due_at"
        ),
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- calls (§5)
    "average_handle_time": Entry(
        kind="event",
        filtered=True,
        example={**CALLS, "talk": [240, 0, 300], "hold": [30, 0, 0], "acw": [60, 0, 90]},
        options=options(unit=units),
        records=tickets("queued_at", "answered_at", "talk", "hold", "acw"),
        bounds=fixed(0.0, 1800.0),
    ),
    "average_handle_time_from_counts": Entry(
        kind="aggregate",
        example={"handle_time": 36_000.0, "handled": 100},
        options=options(unit=units),
        scalars=lambda _o: st.fixed_dictionaries(
            {"handle_time": st.floats(0, 1e9), "handled": gen.counts}
        ),
        zero=({"handle_time": 0.0, "handled": 0}, {"handle_time": 50.0, "handled": 0}),
        bounds=fixed(0.0, 1e9),
    ),
    "abandonment_rate": Entry(
        kind="event",
        filtered=True,
        example={**CALLS, "wait": [10, 3, 60], "short_abandon": 5},
        options=options(short_abandon=st.one_of(st.none(), thresholds)),
        records=tickets("queued_at", "answered_at", "wait"),
        bounds=FRACTION,
    ),
    "service_level": Entry(
        kind="event",
        filtered=True,
        example={**CALLS, "wait": [10, 3, 60], "method": "positive"},
        options=options(
            threshold=thresholds,
            method=st.sampled_from(["offered", "answered", "positive", "ignored"]),
        ),
        records=tickets("queued_at", "answered_at", "wait"),
        bounds=FRACTION,
    ),
    "average_speed_of_answer": Entry(
        kind="event",
        filtered=True,
        example={**CALLS, "wait": [10, 3, 60]},
        options=options(unit=units),
        records=tickets("queued_at", "answered_at", "wait"),
        bounds=fixed(0.0, 600.0),
    ),
    "calls_per_day": Entry(
        kind="event",
        filtered=True,
        example={
            "queued_at": CALLS["queued_at"],
            "start": "2024-01-01",
            "end": "2024-01-08",
            "tz_offset_hours": 2,
        },
        options=_window(),
        records=tickets("queued_at"),
        bounds=fixed(0.0, math.inf),  # a ratio >= 0: a short period makes it large
        empty=0.0,
    ),
    "repeat_contact_rate": Entry(
        kind="event",
        filtered=True,
        example={
            "customer_id": ["a", "a", "b", "a"],
            "ts": ["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-13"],
            "window": 10,
        },
        options=options(window=thresholds, unit=units),
        records=lambda n, opts: st.fixed_dictionaries(
            {
                "customer_id": st.lists(st.integers(0, 3), min_size=n, max_size=n).map(np.array),
                "ts": _begins(n, {"as_of": np.datetime64("2024-06-01", "ns")}),
            }
        ),
        bounds=FRACTION,
        history_dependent=True,
    ),
    "cost_per_contact": Entry(
        kind="aggregate",
        example={"service_cost": 52_000.0, "contacts_handled": 6_500},
        scalars=lambda _o: st.fixed_dictionaries(
            {"service_cost": st.floats(0, 1e9), "contacts_handled": gen.counts}
        ),
        zero=({"service_cost": 0.0, "contacts_handled": 0},),
        bounds=fixed(0.0, 1e9),
    ),
    # ------------------------------------------------------------- staffing (Erlang C)
    "QueueForecast": Entry(kind="type"),
    "Staffing": Entry(kind="type"),
    "erlang_c": Entry(
        kind="helper",
        example={
            "calls": [100.0, 40.0],
            "handle_time": 180.0,
            "agents": [14, 3],
            "interval": 1800,
            "threshold": 20,
            "unit": "s",
        },
    ),
    "agents_needed": Entry(
        kind="helper",
        example={
            "calls": 100.0,
            "handle_time": 3.0,
            "interval": 30.0,
            "threshold": 1 / 3,
            "target": 0.8,
            "shrinkage": 0.3,
            "max_occupancy": 0.85,
            "unit": "min",
        },
    ),
}

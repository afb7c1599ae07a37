"""Contract entries for METRICS.md §4, sales and pipeline."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import FRACTION, Entry, Options, fixed

HOUR = np.timedelta64(1, "h")
BASE = np.datetime64("2024-01-01T00:00", "ns")
STAGES = ["lead", "qualify", "demo", "proposal"]
PROBABILITY = {"lead": 0.1, "qualify": 0.2, "demo": 0.4, "proposal": 0.7, "won": 1.0, "lost": 0.0}
DEAL_TYPES = ["new", "renewal", "expansion"]
ACTIVITY_TYPES = ["call", "email", "meeting", "proposal"]
RATIO = fixed(0.0, math.inf)
#: Amounts in cents up to 1e9 (METRICS.md §7 magnitudes); no subnormal denominators.
money = st.one_of(st.integers(0, 1_000), st.integers(0, 10**11).map(lambda c: c / 100))


def hours(values: list[int]) -> np.ndarray[Any, Any]:
    return BASE + np.asarray(values, dtype=np.int64) * HOUR


def closings(created: list[int], offsets: list[int | None]) -> np.ndarray[Any, Any]:
    """created + offset hours, NaT where the offset is None (an open deal)."""
    out = np.array(
        [
            "NaT" if o is None else BASE + (c + o) * HOUR
            for c, o in zip(created, offsets, strict=True)
        ],
        dtype="datetime64[ns]",
    )
    return out


#: The snapshot instant of the snapshot entries (hour 120 after BASE).
AS_OF = BASE + 120 * HOUR


def deals(*fields: str, survive: Any = None) -> Any:
    """``records(n, options)`` drawing ``n`` deals with the §0.5 fields named.

    ``survive(options)`` returns what the function's own filter keeps, so every ``by`` key
    survives it (the contract compares groups with subsets): a dict with ``closed``
    ("any", "set": closed deals only, "open": open at ``AS_OF``), ``won`` ("any", "all")
    and ``new`` (all deals of type "new"). The filters themselves are tested by hand in
    ``tests/test_sales.py``.
    """

    def records(n: int, options: Options) -> st.SearchStrategy[Options]:
        rule = {
            "closed": "any",
            "won": "any",
            "new": False,
            **(survive(options) if survive else {}),
        }
        offset: st.SearchStrategy[int | None] = st.one_of(st.none(), st.integers(0, 300))
        if rule["closed"] == "set":
            offset = st.integers(0, 300)
        won: st.SearchStrategy[bool] = st.just(True) if rule["won"] == "all" else st.booleans()
        kinds = st.just("new") if rule["new"] else st.sampled_from(DEAL_TYPES)

        @st.composite
        def build(draw: st.DrawFn) -> Options:
            if rule["closed"] == "open":  # created by AS_OF, closed after it or never
                created = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
                late = st.one_of(st.none(), st.integers(121, 400))
                ends = draw(st.lists(late, min_size=n, max_size=n))
                offsets = [None if e is None else e - c for c, e in zip(created, ends, strict=True)]
            else:
                created = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
                offsets = draw(st.lists(offset, min_size=n, max_size=n))
            every = {
                "created_at": hours(created),
                "closed_at": closings(created, offsets),
                "won": np.array(draw(st.lists(won, min_size=n, max_size=n)), dtype=bool),
                "amount": np.array(draw(st.lists(money, min_size=n, max_size=n)), dtype=float),
                "deal_type": np.array(draw(st.lists(kinds, min_size=n, max_size=n)), dtype=str),
                "stage": np.array(
                    draw(st.lists(st.sampled_from(list(PROBABILITY)), min_size=n, max_size=n)),
                    dtype=str,
                ),
            }
            return {k: every[k] for k in fields}

        return build()

    return records


def activities(*fields: str, calls_only: bool = False) -> Any:
    """Activities; all of the ``kind`` option's type (or all calls) so that every record
    survives the function's filter."""

    def records(n: int, options: Options) -> st.SearchStrategy[Options]:
        kind = "call" if calls_only else options.get("kind")
        types = st.sampled_from(ACTIVITY_TYPES) if kind is None else st.just(kind)

        @st.composite
        def build(draw: st.DrawFn) -> Options:
            every = {
                "ts": hours(draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))),
                "activity_type": np.array(draw(st.lists(types, min_size=n, max_size=n)), dtype=str),
                "created_opportunity": np.array(
                    draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool
                ),
            }
            return {k: every[k] for k in fields}

        return build()

    return records


@st.composite
def stage_history_of(draw: st.DrawFn, n: int, closed: bool) -> Options:
    """``n`` stage entries of up to 5 deals (ties and revisits likely), with each deal's
    ``closed_at`` (never before its last entry, NaT for open deals) repeated on its rows."""
    deal = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.int64)
    stage = draw(st.lists(st.sampled_from(STAGES), min_size=n, max_size=n))
    entered = np.array(draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)), dtype=np.int64)
    out: Options = {"deal_id": deal, "stage": np.array(stage, dtype=str)}
    if not closed:
        return out
    close_after = draw(st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=5, max_size=5))
    last = np.full(5, -1, dtype=np.int64)
    np.maximum.at(last, deal, entered)
    close = np.array(
        ["NaT" if a is None else BASE + int(last[d] + a) * HOUR for d, a in enumerate(close_after)],
        dtype="datetime64[ns]",
    )
    out["entered_at"] = hours(entered.tolist())
    out["closed_at"] = close[deal]
    return out


def per_stage(result: Any) -> np.ndarray[Any, Any]:
    return np.asarray(result.values, dtype=float).ravel()


DEAL_EXAMPLE: Options = {
    "created_at": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-02-10"],
    "closed_at": ["2024-01-20", "2024-02-01", "NaT", "2024-03-01"],
    "won": [True, False, False, True],
}
HISTORY_EXAMPLE: Options = {
    "deal_id": [1, 1, 1, 2, 2],
    "stage": ["lead", "qualify", "lead", "lead", "demo"],
    "entered_at": ["2024-01-01", "2024-01-03", "2024-01-08", "2024-01-02", "2024-01-06"],
    "closed_at": ["2024-01-10", "2024-01-10", "2024-01-10", "NaT", "NaT"],
}
ACTIVITY_EXAMPLE: Options = {
    "ts": ["2024-01-02", "2024-01-02", "2024-01-03", "2024-02-01"],
    "activity_type": ["call", "email", "call", "proposal"],
}


def counts_pair(base: str, part: str) -> Any:
    return lambda _o: gen.subset_counts(base, part)


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- aggregate (§4)
    "close_rate_from_counts": Entry(
        kind="aggregate",
        example={"won": 30, "leads": 200},
        scalars=counts_pair("leads", "won"),
        zero=({"won": 0, "leads": 0},),
        bounds=FRACTION,
    ),
    "win_rate_from_counts": Entry(
        kind="aggregate",
        example={"won": 12, "lost": 28, "open": 10},
        scalars=lambda _o: st.fixed_dictionaries(
            {"won": gen.counts, "lost": gen.counts, "open": gen.counts}
        ),
        zero=({"won": 0, "lost": 0}, {"won": 0, "lost": 0, "open": 0}),
        bounds=FRACTION,
    ),
    "lead_conversion_rate": Entry(
        kind="aggregate",
        example={"converted": 45, "leads": 300},
        scalars=counts_pair("leads", "converted"),
        zero=({"converted": 0, "leads": 0},),
        bounds=FRACTION,
    ),
    "average_deal_size_from_counts": Entry(
        kind="aggregate",
        example={"won_amount": 125_000.0, "won": 5},
        scalars=lambda _o: st.fixed_dictionaries({"won_amount": money, "won": gen.counts}),
        zero=({"won_amount": 0.0, "won": 0}, {"won_amount": 10.0, "won": 0}),
        bounds=RATIO,
    ),
    "pipeline_coverage": Entry(
        kind="aggregate",
        example={"pipeline": 900.0, "quota": 300.0, "closed_won_to_date": 120.0},
        options=st.sampled_from([{}, {"remaining": True}]),
        scalars=lambda _o: st.fixed_dictionaries(
            {"pipeline": money, "quota": money, "closed_won_to_date": money}
        ),
        zero=({"pipeline": 5.0, "quota": 0.0}, {"pipeline": 0.0, "quota": 0.0}),
        bounds=RATIO,
    ),
    "sales_velocity": Entry(
        kind="aggregate",
        example={
            "n_opportunities": 40,
            "avg_deal_size": 25_000.0,
            "win_rate": 0.25,
            "cycle_length": 50,
        },
        options=st.sampled_from([{}, {"unit": "h"}]),
        scalars=lambda _o: st.fixed_dictionaries(
            {
                "n_opportunities": gen.counts,
                "avg_deal_size": money,
                "win_rate": st.floats(0.0, 1.0),
                "cycle_length": st.one_of(
                    st.integers(0, 400), st.integers(0, 10**6).map(lambda c: c / 100)
                ),
            }
        ),
        zero=(
            {"n_opportunities": 40, "avg_deal_size": 10.0, "win_rate": 0.5, "cycle_length": 0},
            {"n_opportunities": 0, "avg_deal_size": 0.0, "win_rate": 0.0, "cycle_length": 0},
        ),
        bounds=RATIO,
    ),
    "quota_attainment": Entry(
        kind="aggregate",
        example={"bookings": 360.0, "quota": 300.0},
        scalars=lambda _o: st.fixed_dictionaries({"bookings": money, "quota": money}),
        zero=({"bookings": 1.0, "quota": 0.0},),
        bounds=RATIO,
    ),
    "renewal_rate": Entry(
        kind="aggregate",
        example={"renewed": 45, "up_for_renewal": 50},
        scalars=counts_pair("up_for_renewal", "renewed"),
        zero=({"renewed": 0, "up_for_renewal": 0},),
        bounds=FRACTION,
    ),
    "revenue_renewal_rate": Entry(
        kind="aggregate",
        example={"renewed_value": 105.0, "value_up_for_renewal": 100.0},
        scalars=lambda _o: st.fixed_dictionaries(
            {"renewed_value": money, "value_up_for_renewal": money}
        ),
        zero=({"renewed_value": 3.0, "value_up_for_renewal": 0.0},),
        bounds=RATIO,
    ),
    "proposal_win_rate": Entry(
        kind="aggregate",
        example={"won_with_proposal": 9, "deals_with_proposal": 20},
        scalars=counts_pair("deals_with_proposal", "won_with_proposal"),
        zero=({"won_with_proposal": 0, "deals_with_proposal": 0},),
        bounds=FRACTION,
    ),
    "activities_per_rep_day": Entry(
        kind="aggregate",
        example={"activities": 1200, "reps": 5, "working_days": 20},
        scalars=lambda _o: st.fixed_dictionaries(
            {"activities": gen.counts, "reps": gen.counts, "working_days": gen.counts}
        ),
        zero=(
            {"activities": 3, "reps": 0, "working_days": 20},
            {"activities": 0, "reps": 4, "working_days": 0},
        ),
        bounds=RATIO,
    ),
    # ------------------------------------------------------------- event-level deals (§4)
    "close_rate": Entry(
        kind="event",
        example=DEAL_EXAMPLE,
        records=deals("created_at", "closed_at", "won"),
        bounds=FRACTION,
    ),
    "win_rate": Entry(
        kind="event",
        example=DEAL_EXAMPLE,
        options=st.sampled_from([{}, {"base": "closed"}, {"base": "all"}]),
        records=deals(
            "created_at",
            "closed_at",
            "won",
            survive=lambda o: {"closed": "any" if o.get("base") == "all" else "set"},
        ),
        bounds=FRACTION,
    ),
    "sales_cycle_length": Entry(
        kind="event",
        example={**DEAL_EXAMPLE, "durations": [3.0, 4.0, 5.0, 6.0]},
        options=st.fixed_dictionaries(
            {
                "include_lost": st.booleans(),
                "stat": st.sampled_from(["mean", "median"]),
                "unit": st.sampled_from(["D", "h"]),
            }
        ),
        records=deals(
            "created_at",
            "closed_at",
            "won",
            survive=lambda o: {"closed": "set", "won": "any" if o["include_lost"] else "all"},
        ),
        bounds=fixed(0.0, 1e6),
    ),
    "average_deal_size": Entry(
        kind="event",
        example={
            "closed_at": DEAL_EXAMPLE["closed_at"],
            "won": DEAL_EXAMPLE["won"],
            "amount": [100.0, 200.0, 300.0, 400.0],
        },
        records=deals(
            "closed_at", "won", "amount", survive=lambda _o: {"closed": "set", "won": "all"}
        ),
        bounds=fixed(0.0, 1e9),
    ),
    "open_opportunities": Entry(
        kind="event",
        example={"created_at": DEAL_EXAMPLE["created_at"], "closed_at": DEAL_EXAMPLE["closed_at"]},
        options=st.just({"as_of": AS_OF}),
        records=deals("created_at", "closed_at", survive=lambda _o: {"closed": "open"}),
        empty=0,
        bounds=fixed(0.0, math.inf),
    ),
    "pipeline_value": Entry(
        kind="event",
        example={
            "created_at": DEAL_EXAMPLE["created_at"],
            "closed_at": DEAL_EXAMPLE["closed_at"],
            "amount": [100.0, 200.0, 300.0, 400.0],
        },
        options=st.just({"as_of": AS_OF}),
        records=deals("created_at", "closed_at", "amount", survive=lambda _o: {"closed": "open"}),
        empty=0,
        bounds=fixed(0.0, math.inf),
    ),
    "weighted_pipeline": Entry(
        kind="event",
        example={
            "created_at": DEAL_EXAMPLE["created_at"],
            "closed_at": DEAL_EXAMPLE["closed_at"],
            "amount": [100.0, 200.0, 300.0, 400.0],
            "stage": ["won", "lost", "demo", "won"],
            "probability": PROBABILITY,
        },
        options=st.just({"probability": PROBABILITY, "as_of": AS_OF}),
        records=deals(
            "created_at", "closed_at", "amount", "stage", survive=lambda _o: {"closed": "open"}
        ),
        empty=0,
        bounds=fixed(0.0, math.inf),
    ),
    "new_revenue": Entry(
        kind="event",
        example={
            "closed_at": DEAL_EXAMPLE["closed_at"],
            "won": DEAL_EXAMPLE["won"],
            "amount": [100.0, 200.0, 300.0, 400.0],
            "deal_type": ["new", "renewal", "new", "expansion"],
        },
        records=deals(
            "closed_at",
            "won",
            "amount",
            "deal_type",
            survive=lambda _o: {"closed": "set", "won": "all", "new": True},
        ),
        empty=0,
        bounds=fixed(0.0, math.inf),
    ),
    # ------------------------------------------------------------- stage history (§4)
    "stage_conversion_rates": Entry(
        kind="event",
        example={
            "deal_id": HISTORY_EXAMPLE["deal_id"],
            "stage": HISTORY_EXAMPLE["stage"],
            "stage_order": STAGES,
        },
        options=st.just({"stage_order": STAGES}),
        records=lambda n, _o: stage_history_of(n, closed=False),
        bounds=FRACTION,
        vector=per_stage,
        history_dependent=True,
    ),
    "stage_durations": Entry(
        kind="event",
        example={**HISTORY_EXAMPLE, "stage_order": STAGES},
        options=st.fixed_dictionaries(
            {
                "stage_order": st.just(STAGES),
                "include_open": st.booleans(),
                "stat": st.sampled_from(["mean", "median"]),
                "unit": st.sampled_from(["D", "h"]),
            }
        ),
        records=lambda n, _o: stage_history_of(n, closed=True),
        bounds=fixed(0.0, 1e6),
        vector=per_stage,
        history_dependent=True,
    ),
    # ------------------------------------------------------------- activities (§4)
    "activity_count": Entry(
        kind="event",
        example={**ACTIVITY_EXAMPLE, "kind": "call"},
        options=st.sampled_from([{}, {"kind": "call"}, {"kind": "proposal"}]),
        records=activities("ts", "activity_type"),
        empty=0,
        bounds=fixed(0.0, math.inf),
    ),
    "call_to_opportunity_rate": Entry(
        kind="event",
        example={**ACTIVITY_EXAMPLE, "created_opportunity": [True, False, False, True]},
        records=activities("ts", "activity_type", "created_opportunity", calls_only=True),
        bounds=FRACTION,
    ),
}

"""METRICS.md §7.15 (sales identities) and the win-rate base ordering of §7.12."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm

from . import strategies as gen
from .registry_sales import PROBABILITY, STAGES, deals, money, stage_history_of
from .test_contracts import RTOL, assert_same

sizes = st.integers(1, 30)


# --------------------------------------------------------------------------- §7.15
@given(
    n=gen.counts,
    size=money,
    rate=st.floats(0.0, 1.0),
    cycle=st.integers(1, 10**6).map(lambda c: c / 100),
    unit=st.sampled_from(["D", "h", "s"]),
)
def test_velocity_times_cycle_is_the_product(
    n: int, size: float, rate: float, cycle: float, unit: str
) -> None:
    velocity = cm.sales_velocity(n, size, rate, cycle, unit=unit)
    assert_same(velocity * cycle, n * size * rate)


@given(
    n=gen.counts,
    size=money,
    rate=st.floats(0.0, 1.0),
    hours=st.integers(1, 10**5),
)
def test_velocity_of_a_timedelta_cycle(n: int, size: float, rate: float, hours: int) -> None:
    per_day = cm.sales_velocity(n, size, rate, np.timedelta64(hours, "h"))
    assert_same(per_day * (hours / 24), n * size * rate)


def reached_counts(deal_id: np.ndarray[Any, Any], stage: np.ndarray[Any, Any]) -> list[int]:
    """reached(s_k) by brute force: deals whose furthest stage is s_k or later."""
    furthest: dict[int, int] = {}
    for d, s in zip(deal_id.tolist(), stage.tolist(), strict=True):
        furthest[d] = max(furthest.get(d, -1), STAGES.index(s))
    return [sum(1 for f in furthest.values() if f >= k) for k in range(len(STAGES))]


@given(st.data())
def test_conversion_rates_telescope(data: st.DataObject) -> None:
    history = data.draw(stage_history_of(data.draw(sizes), closed=False))
    rates = cm.stage_conversion_rates(history["deal_id"], history["stage"], stage_order=STAGES)
    reached = reached_counts(history["deal_id"], history["stage"])
    expected = [r_next / r if r else np.nan for r, r_next in itertools.pairwise(reached)]
    assert_same(rates.values, expected)
    if all(r > 0 for r in reached[:-1]):
        assert_same(np.prod(rates.values), reached[-1] / reached[0])


@given(st.data())
def test_weighted_pipeline_never_exceeds_pipeline_value(data: st.DataObject) -> None:
    n = data.draw(sizes)
    records = data.draw(deals("created_at", "closed_at", "amount", "stage")(n, {}))
    as_of = data.draw(st.sampled_from([None, "2024-01-03", "2024-01-06T05:00", "2024-01-15"]))
    weighted = cm.weighted_pipeline(**records, probability=PROBABILITY, as_of=as_of)
    plain = cm.pipeline_value(
        records["created_at"], records["closed_at"], records["amount"], as_of=as_of
    )
    assert weighted <= plain + RTOL * max(abs(plain), 1.0)
    certain = dict.fromkeys(PROBABILITY, 1.0)
    assert_same(cm.weighted_pipeline(**records, probability=certain, as_of=as_of), plain)


@given(st.data())
def test_cycle_mean_lies_between_min_and_max(data: st.DataObject) -> None:
    n = data.draw(sizes)
    include_lost = data.draw(st.booleans())
    records = data.draw(deals("created_at", "closed_at", "won")(n, {}))
    mean = cm.sales_cycle_length(**records, include_lost=include_lost, unit="h")
    closed = ~np.isnat(records["closed_at"])
    chosen = closed if include_lost else closed & records["won"]
    cycles = (records["closed_at"][chosen] - records["created_at"][chosen]) / np.timedelta64(1, "h")
    if not chosen.any():
        assert np.isnan(mean)
        return
    slack = RTOL * max(float(np.abs(cycles).max()), 1.0)
    assert cycles.min() - slack <= mean <= cycles.max() + slack
    median = cm.sales_cycle_length(**records, include_lost=include_lost, unit="h", stat="median")
    assert cycles.min() <= median <= cycles.max()


# --------------------------------------------------------------------------- §7.12
@given(won=gen.counts, lost=gen.counts, open_=gen.counts)
def test_win_rate_over_all_deals_never_exceeds_decided_base(
    won: int, lost: int, open_: int
) -> None:
    all_deals = cm.win_rate_from_counts(won, lost, open=open_)
    decided = cm.win_rate_from_counts(won, lost)
    if not (np.isnan(all_deals) or np.isnan(decided)):
        assert all_deals <= decided + RTOL * max(abs(decided), 1.0)
    if won + lost > 0:  # a defined decided base keeps the all-deals base defined
        assert not np.isnan(all_deals)


@given(st.data())
def test_event_win_rate_equals_its_counts_twin(data: st.DataObject) -> None:
    n = data.draw(sizes)
    records = data.draw(deals("created_at", "closed_at", "won")(n, {}))
    closed = ~np.isnat(records["closed_at"])
    won = int(np.sum(closed & records["won"]))
    lost = int(np.sum(closed & ~records["won"]))
    assert_same(cm.win_rate(**records), cm.win_rate_from_counts(won, lost))
    assert_same(
        cm.win_rate(**records, base="all"),
        cm.win_rate_from_counts(won, lost, open=int(np.sum(~closed))),
    )


# --------------------------------------------------------------------------- §7.7 (stage time)
@given(st.data())
def test_stage_durations_shift_invariant_and_unit_exact(data: st.DataObject) -> None:
    history = data.draw(stage_history_of(data.draw(sizes), closed=True))
    shift = np.timedelta64(data.draw(st.integers(-(10**15), 10**15)), "ns")
    include_open = data.draw(st.booleans())
    base = cm.stage_durations(**history, stage_order=STAGES, include_open=include_open)
    moved = {**history, "entered_at": history["entered_at"] + shift}
    moved["closed_at"] = history["closed_at"] + shift
    again = cm.stage_durations(**moved, stage_order=STAGES, include_open=include_open)
    assert_same(again.values, base.values)
    hours = cm.stage_durations(**history, stage_order=STAGES, include_open=include_open, unit="h")
    assert_same(hours.values, base.values * 24)

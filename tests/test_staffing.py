"""Erlang C staffing: published worked examples, exact arithmetic, properties and edges."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm


def exact_erlang_c(load: Fraction, agents: int) -> Fraction:
    """P(wait) of Erlang C in exact rational arithmetic, straight from the textbook sum."""
    term = Fraction(1)
    total = Fraction(0)
    for k in range(agents):
        total += term
        term = term * load / (k + 1)  # load^(k+1) / (k+1)!
    top = term * agents / (agents - load)
    return top / (total + top)


# --------------------------------------------------------------------------- published examples
def test_pyworkforce_readme_example() -> None:
    """pyworkforce README (rodrigo-arenas/pyworkforce), ErlangC(transactions=100, aht=3,
    asa=20/60, interval=30, shrinkage=0.3).required_positions(service_level=0.8,
    max_occupancy=0.85) prints raw_positions 14, positions 20, service_level 0.8884,
    occupancy 0.7143, waiting_probability 0.1741 (the same inputs as Call Centre Helper's
    "Erlang C formula - made simple" worked example: 100 calls per 30 minutes, 180 s
    handle time, 80 % in 20 s, 85 % maximum occupancy, 30 % shrinkage)."""
    s = cm.agents_needed(
        100, 3, interval=30, threshold=20 / 60, shrinkage=0.3, max_occupancy=0.85, unit="min"
    )
    assert (s.agents, s.scheduled) == (14, 20)
    assert round(s.service_level, 4) == 0.8884
    assert round(s.occupancy, 4) == 0.7143
    assert round(s.probability_of_waiting, 4) == 0.1741
    # the same in seconds
    t = cm.agents_needed(100, 180, interval=1800, threshold=20, shrinkage=0.3, max_occupancy=0.85)
    assert (t.agents, t.scheduled) == (14, 20)
    assert t.service_level == pytest.approx(s.service_level, rel=1e-12)
    assert t.average_speed_of_answer == pytest.approx(60 * s.average_speed_of_answer, rel=1e-12)


def test_pyworkforce_scenario_table() -> None:
    """pyworkforce README, MultiErlangC over service levels 0.80, 0.85, 0.90 with
    max_occupancy 0.85: positions 20, 20, 22 and occupancy 0.7143, 0.7143, 0.6667."""
    for target, scheduled, occupancy in (
        (0.80, 20, 0.7143),
        (0.85, 20, 0.7143),
        (0.90, 22, 0.6667),
    ):
        s = cm.agents_needed(100, 180, target=target, shrinkage=0.3, max_occupancy=0.85)
        assert s.scheduled == scheduled
        assert round(s.occupancy, 4) == occupancy


def test_erlang_c_matches_exact_arithmetic() -> None:
    # 10 Erlangs, 11..16 agents (the worked example's search), and a large centre
    for agents in range(11, 17):
        f = cm.erlang_c(100, 180, agents)
        exact = exact_erlang_c(Fraction(10), agents)
        assert f.probability_of_waiting == pytest.approx(float(exact), rel=1e-12)
        spare = agents - 10
        assert f.service_level == pytest.approx(1 - float(exact) * math.exp(-spare * 20 / 180))
        assert f.average_speed_of_answer == pytest.approx(float(exact) * 180 / spare, rel=1e-12)
        assert f.occupancy == pytest.approx(10 / agents, rel=1e-15)


@pytest.mark.parametrize(("load", "agents"), [(450, 470), (450, 480), (1200, 1250), (2500, 2560)])
def test_hundreds_of_agents_are_stable(load: int, agents: int) -> None:
    """No overflow where A^N / N! is astronomically large (450^480 / 480! ~ 1e130; 2500^2560
    overflows a float many times over): agreement with exact rational arithmetic."""
    f = cm.erlang_c(load, 1800, agents, interval=1800)  # load calls of 1800 s in 1800 s
    exact = float(exact_erlang_c(Fraction(load), agents))
    assert f.probability_of_waiting == pytest.approx(exact, rel=1e-10)
    assert 0.0 < f.service_level < 1.0


def test_many_more_agents_than_needed() -> None:
    """Erlang B underflows to 0 long before a billion agents: no billion-step loop, and the
    forecast is the limit (nobody waits)."""
    f = cm.erlang_c(100, 180, [14, 1_000_000_000])
    assert f.probability_of_waiting[1] == 0.0
    assert f.service_level[1] == 1.0
    assert f.average_speed_of_answer[1] == 0.0
    assert f.service_level[0] == pytest.approx(cm.erlang_c(100, 180, 14).service_level)


def test_agents_needed_for_a_large_centre() -> None:
    s = cm.agents_needed(36_000, 240, interval=3600)  # 2,400 Erlangs
    assert s.agents > 2400
    assert s.service_level >= 0.8
    below = cm.erlang_c(36_000, 240, s.agents - 1, interval=3600)
    assert below.service_level < 0.8
    assert s.occupancy > 0.97  # large teams run hot at 80/20


# --------------------------------------------------------------------------- edges
def test_overloaded_queue_and_empty_traffic() -> None:
    f = cm.erlang_c(100, 180, [5, 10])  # 10 Erlangs: 5 and 10 agents cannot keep up
    assert f.service_level.tolist() == [0.0, 0.0]
    assert f.probability_of_waiting.tolist() == [1.0, 1.0]
    assert f.occupancy.tolist() == [1.0, 1.0]
    assert np.isnan(f.average_speed_of_answer).all()
    idle = cm.erlang_c(0, 180, 3)
    assert (idle.service_level, idle.occupancy, idle.probability_of_waiting) == (1.0, 0.0, 0.0)
    assert idle.average_speed_of_answer == 0.0
    assert all(math.isnan(v) for v in cm.erlang_c(10, 180, 3, interval=0))
    assert all(math.isnan(v) for v in cm.erlang_c(np.nan, 180, 3))
    none = cm.agents_needed(0, 180)  # no calls: nobody needed, nothing to forecast
    assert none[:2] == (0, 0)
    assert all(math.isnan(v) for v in none[2:])
    assert cm.agents_needed(50, 0)[:2] == (0, 0)
    # a zero target answer time: the service level is the share answered at once
    zero = cm.erlang_c(100, 180, 14, threshold=0)
    assert zero.service_level == pytest.approx(1 - zero.probability_of_waiting, rel=1e-15)


def test_units_and_timedelta_inputs() -> None:
    s = cm.erlang_c(100, 180, 14)
    m = cm.erlang_c(100, 3, 14, interval=30, threshold=1 / 3, unit="min")
    td = cm.erlang_c(
        100,
        np.timedelta64(3, "m"),
        14,
        interval=np.timedelta64(30, "m"),
        threshold=np.timedelta64(20, "s"),
    )
    for a, b in ((s, m), (s, td)):
        assert a.service_level == pytest.approx(b.service_level, rel=1e-12)
        assert a.probability_of_waiting == pytest.approx(b.probability_of_waiting, rel=1e-12)
    assert s.average_speed_of_answer == pytest.approx(60 * m.average_speed_of_answer, rel=1e-12)
    assert isinstance(s.service_level, float)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match=r"agents = 0.0 is below the minimum 1"):
        cm.erlang_c(100, 180, 0)
    with pytest.raises(ValueError, match=r"agents = 2.5 is not a whole number"):
        cm.erlang_c(100, 180, 2.5)
    with pytest.raises(ValueError, match=r"calls = -1.0 is negative"):
        cm.erlang_c(-1, 180, 3)
    with pytest.raises(ValueError, match=r"handle_time = -3 is negative"):
        cm.agents_needed(10, -3)
    with pytest.raises(ValueError, match=r"target = 1.0 is outside \[0, 1\)"):
        cm.agents_needed(10, 180, target=1.0)
    with pytest.raises(ValueError, match=r"shrinkage = 1.0 is outside \[0, 1\)"):
        cm.agents_needed(10, 180, shrinkage=1.0)
    with pytest.raises(ValueError, match=r"max_occupancy = 0.0 is outside \(0, 1\]"):
        cm.agents_needed(10, 180, max_occupancy=0)
    with pytest.raises(ValueError, match="calls must be a single number"):
        cm.agents_needed([10, 20], 180)


# --------------------------------------------------------------------------- properties
loads = st.floats(0.05, 300.0)


@given(loads, st.floats(1.0, 900.0), st.floats(0.0, 120.0), st.integers(1, 40))
def test_erlang_c_monotone_in_agents_and_bounded(
    load: float, handle: float, threshold: float, extra: int
) -> None:
    """More agents never hurt: service level up, P(wait), ASA and occupancy down; all the
    probabilities within [0, 1]."""
    calls = load * 1800 / handle
    first = math.floor(load) + 1
    agents = np.arange(max(first - 3, 1), first + extra)
    f = cm.erlang_c(calls, handle, agents, threshold=threshold)
    for values in (f.service_level, f.occupancy, f.probability_of_waiting):
        assert ((values >= 0.0) & (values <= 1.0)).all()
    assert (np.diff(f.service_level) >= -1e-12).all()
    assert (np.diff(f.probability_of_waiting) <= 1e-12).all()
    assert (np.diff(f.occupancy) <= 1e-12).all()
    # (agents within rounding of the load may fall on either side of N = A)
    asa = f.average_speed_of_answer[agents > load * (1 + 1e-9)]
    assert (np.diff(asa) <= 1e-9 * handle).all()
    assert np.isnan(f.average_speed_of_answer[agents < load * (1 - 1e-9)]).all()


@given(loads, st.floats(10.0, 600.0), st.floats(0.0, 0.99), st.floats(0.5, 1.0), st.floats(0, 0.6))
def test_agents_needed_is_the_smallest_that_meets_the_targets(
    load: float, handle: float, target: float, cap: float, shrinkage: float
) -> None:
    calls = load * 1800 / handle
    s = cm.agents_needed(calls, handle, target=target, max_occupancy=cap, shrinkage=shrinkage)
    assert s.agents > load * (1 - 1e-9)  # the library's load may round either side of ours
    assert s.service_level >= target
    assert s.occupancy <= cap
    assert s.scheduled >= s.agents
    assert s.scheduled == math.ceil(s.agents / (1 - shrinkage) - 1e-9)
    fewer = s.agents - 1
    if fewer > load * (1 + 1e-9):
        f = cm.erlang_c(calls, handle, fewer)
        assert f.service_level < target or f.occupancy > cap
    same = cm.erlang_c(calls, handle, s.agents)
    assert same.service_level == pytest.approx(s.service_level, rel=1e-12)

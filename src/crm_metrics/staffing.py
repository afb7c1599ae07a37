"""Call-centre staffing with the Erlang C queue: forecast service level and agents needed.

Erlang C models an inbound queue as M/M/N: calls arrive at random (Poisson) at a steady
rate, handle times are exponential, N agents answer in turn and nobody hangs up. From the
forecast calls of an interval and their average handle time it gives the probability
that a call waits, the service level (answered within a target time), the average speed
of answer and the occupancy of N agents, and the smallest N that meets a service-level
target. The Erlang B recursion keeps every quantity in [0, 1], so hundreds or thousands
of agents never overflow a factorial.

Durations (handle time, interval, target answer time) are ``numpy.timedelta64`` or numbers
read in ``unit`` (seconds by default), like the call metrics of ``crm_metrics.service``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._math import as_result, safe_divide
from crm_metrics._validate import (
    Count,
    Duration,
    Interval,
    NonNegative,
    ScalarDuration,
    Unit,
    validated,
)

__all__ = ["QueueForecast", "Staffing", "agents_needed", "erlang_c"]


class QueueForecast(NamedTuple):
    """What Erlang C forecasts for an interval staffed with a given number of agents.

    The result of `erlang_c`: a named tuple of floats (arrays when the inputs are arrays).

    Attributes
    ----------
    service_level : float or numpy.ndarray
        Share of calls answered within the target time, in [0, 1].
    occupancy : float or numpy.ndarray
        Share of the agents' time spent handling calls, in [0, 1].
    probability_of_waiting : float or numpy.ndarray
        Share of calls that queue at all (the Erlang C formula), in [0, 1].
    average_speed_of_answer : float or numpy.ndarray
        Mean wait over all calls, in ``unit``; ``nan`` when the agents cannot keep up.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> f = cm.erlang_c(100, 180, 14, interval=1800)
    >>> round(f.service_level, 4), round(f.average_speed_of_answer, 1)
    (0.8884, 7.8)
    """

    service_level: Any
    occupancy: Any
    probability_of_waiting: Any
    average_speed_of_answer: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Erlang C forecast", self._asdict())


class Staffing(NamedTuple):
    """The agents an interval needs, and the Erlang C forecast with that many.

    The result of `agents_needed`: a named tuple.

    Attributes
    ----------
    agents : int
        Agents needed on the phones (the smallest number meeting the targets).
    scheduled : int
        Agents to schedule so that ``agents`` remain after shrinkage.
    service_level, occupancy, probability_of_waiting, average_speed_of_answer : float
        The forecast with ``agents`` on the phones (see `QueueForecast`).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> s = cm.agents_needed(100, 180, interval=1800, shrinkage=0.3)
    >>> s.agents, s.scheduled
    (14, 20)
    """

    agents: int
    scheduled: int
    service_level: float
    occupancy: float
    probability_of_waiting: float
    average_speed_of_answer: float

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Agents needed (Erlang C)", self._asdict())


def _traffic(calls: ArrayLike, handle_ns: ArrayLike, interval_ns: float) -> NDArray[np.float64]:
    """Offered load in Erlangs: calls per interval times handle time over interval length."""
    return safe_divide(np.asarray(calls, dtype=np.float64) * np.asarray(handle_ns), interval_ns)


def _erlang_b_step(blocking: NDArray[np.float64], load: Any, k: float) -> NDArray[np.float64]:
    """Erlang B for k agents from Erlang B for k - 1: B(k) = A B(k-1) / (k + A B(k-1))."""
    carried = load * blocking
    out: NDArray[np.float64] = carried / (k + carried)
    return out


def _forecast(
    load: NDArray[np.float64],
    agents: NDArray[np.float64],
    blocking: NDArray[np.float64],
    handle_ns: NDArray[np.float64],
    threshold_ns: float,
) -> tuple[NDArray[np.float64], ...]:
    """Service level, occupancy, P(wait) and ASA (ns) from Erlang B of ``agents``.

    Erlang C from Erlang B: C = N B / (N - A (1 - B)). With N <= A the queue grows without
    bound: every call waits, none is answered in time, agents are always busy, ASA is nan.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        stable = agents > load
        spare = np.where(stable, agents - load, np.nan)
        waiting = np.where(stable, agents * blocking / (agents - load * (1.0 - blocking)), 1.0)
        # P(wait > T) = C exp(-(N - A) T / h); a zero handle time answers at once
        rate = np.where(handle_ns > 0, spare * threshold_ns / handle_ns, np.inf)
        late = np.where(threshold_ns > 0, waiting * np.exp(-rate), waiting)
        late = np.where(handle_ns > 0, late, 0.0)
        service_level = np.where(stable, 1.0 - late, 0.0)
        occupancy = np.minimum(load / agents, 1.0)
        asa_ns = np.where(stable, waiting * handle_ns / spare, np.nan)
    undefined = np.isnan(load) | np.isnan(agents)
    return tuple(
        np.where(undefined, np.nan, v) for v in (service_level, occupancy, waiting, asa_ns)
    )


@validated(
    unit=Unit(),
    calls=NonNegative(),
    handle_time=Duration(),
    agents=Count(minimum=1),
    interval=ScalarDuration(),
    threshold=ScalarDuration(),
)
def erlang_c(
    calls: ArrayLike,
    handle_time: ArrayLike,
    agents: ArrayLike,
    *,
    interval: Any = 1800,
    threshold: Any = 20,
    unit: str = "s",
) -> QueueForecast:
    r"""Erlang C forecast for N agents: service level, occupancy, P(wait) and ASA.

    $$A = \frac{\mathit{calls} \cdot h}{\mathit{interval}},\qquad
    P_w = \frac{\frac{A^N}{N!}\frac{N}{N - A}}{\sum_{k=0}^{N-1}\frac{A^k}{k!} +
    \frac{A^N}{N!}\frac{N}{N - A}}$$

    $$\mathrm{SL} = 1 - P_w\, e^{-(N - A)\,T/h},\qquad \mathrm{ASA} = \frac{P_w\, h}{N - A},
    \qquad \mathrm{occupancy} = \frac{A}{N}$$

    Parameters
    ----------
    calls : float or array_like
        Calls forecast for the interval (>= 0; need not be whole).
    handle_time : float, timedelta64 or array_like
        Average handle time (talk + hold + after-call work) of a call, >= 0; numbers
        read in ``unit``.
    agents : int or array_like of int
        Agents on the phones during the interval (>= 1). ``calls``, ``handle_time`` and
        ``agents`` broadcast, so one call gives a curve over several staffing levels.
    interval : float or timedelta64, default 1800
        Length of the interval the calls arrive in (1800 s: half an hour).
    threshold : float or timedelta64, default 20
        Target answer time of the service level (20 s: the "80/20" target).
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of numeric durations and of the average speed of answer.

    Returns
    -------
    QueueForecast
        ``(service_level, occupancy, probability_of_waiting, average_speed_of_answer)``,
        floats or arrays. When the agents cannot keep up (``N <= A``) every call waits:
        service level 0, occupancy 1, P(wait) 1 and ASA ``nan`` (it grows without bound).
        A zero-length interval gives ``nan``.

    Raises
    ------
    ValueError
        If calls are negative or infinite, a duration is negative or NaN, ``agents`` is
        not a whole number >= 1, or the shapes do not broadcast.

    Notes
    -----
    Erlang C is the M/M/N queue in steady state: random arrivals, exponential handle
    times, first come first served, callers who never abandon. Real queues lose callers,
    so it overstates waiting (and staffing) a little when abandonment is high; it remains
    the standard planning model of workforce-management tools. The probability of waiting
    is computed from the Erlang B recursion ``B(k) = A B(k-1) / (k + A B(k-1))`` and
    ``C = N B / (N - A (1 - B))``, which stays within [0, 1] at every step: no factorial
    or power of A is ever formed, so hundreds or thousands of agents are exact to
    rounding (the work grows with the largest N, up to the point where Erlang B underflows
    to 0). Occupancy is the offered load per agent,
    capped at 1.

    References
    ----------
    A. K. Erlang, "Solution of some problems in the theory of probabilities of significance
    in automatic telephone exchanges", 1917; Call Centre Helper, "Erlang C formula - made
    simple with an easy worked example"; G. Koole, *Call Center Optimization*, 2013, ch. 5;
    pyworkforce ``ErlangC``.

    Examples
    --------
    100 calls in half an hour, 3 minutes each (10 Erlangs), answered by 12 to 15 agents:

    >>> import crm_metrics as cm
    >>> f = cm.erlang_c(100, 180, [12, 13, 14, 15])
    >>> f.service_level.round(3).tolist()
    [0.64, 0.796, 0.888, 0.941]
    >>> f.average_speed_of_answer.round(1).tolist()
    [40.4, 17.1, 7.8, 3.7]
    >>> f.occupancy.round(3).tolist()
    [0.833, 0.769, 0.714, 0.667]

    The same in minutes, one staffing level:

    >>> f = cm.erlang_c(100, 3, 14, interval=30, threshold=20 / 60, unit="min")
    >>> round(f.probability_of_waiting, 4), round(f.average_speed_of_answer, 3)
    (0.1741, 0.131)
    """
    handle = np.asarray(handle_time, dtype=np.float64)
    load = _traffic(calls, handle, interval)
    load, handle, n = np.broadcast_arrays(load, handle, np.asarray(agents, dtype=np.float64))
    top = int(np.nanmax(n)) if n.size and not np.isnan(n).all() else 0
    blocking = np.ones(n.shape)  # Erlang B with 0 agents: every call blocked
    at_n = np.full(n.shape, np.nan)
    with np.errstate(invalid="ignore", under="ignore"):
        for k in range(1, top + 1):
            blocking = _erlang_b_step(blocking, load, float(k))
            at_n = np.where(n == k, blocking, at_n)
            if not (blocking > 0).any():  # underflowed to 0 (or nan): so it stays for more agents
                at_n = np.where(n > k, 0.0, at_n)
                break
    level, occupancy, waiting, asa_ns = _forecast(load, n, at_n, handle, threshold)
    asa = asa_ns / float(_NS_PER[unit])
    return QueueForecast(*(as_result(v) for v in (level, occupancy, waiting, asa)))


#: Nanoseconds per unit, for the average speed of answer.
_NS_PER = {"s": 1e9, "min": 60e9, "m": 60e9, "h": 3600e9, "D": 86400e9}

#: Float noise tolerated when rounding agents up after shrinkage (14 / 0.7 is 20, not 21).
_ROUNDING = 1e-9


@validated(
    unit=Unit(),
    calls=Interval(lo=0, scalar=True),
    handle_time=ScalarDuration(),
    interval=ScalarDuration(),
    threshold=ScalarDuration(),
    target=Interval(lo=0, hi=1, hi_open=True, scalar=True),
    shrinkage=Interval(lo=0, hi=1, hi_open=True, scalar=True),
    max_occupancy=Interval(lo=0, hi=1, lo_open=True, scalar=True),
)
def agents_needed(
    calls: float,
    handle_time: Any,
    *,
    interval: Any = 1800,
    threshold: Any = 20,
    target: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    unit: str = "s",
) -> Staffing:
    r"""Agents needed for a service-level target (Erlang C), with shrinkage and occupancy cap.

    $$N^* = \min\left\{N > A:\ \mathrm{SL}(N) \ge \mathit{target},\
    \frac{A}{N} \le \mathit{max\_occupancy}\right\},\qquad
    \mathit{scheduled} = \left\lceil \frac{N^*}{1 - \mathit{shrinkage}} \right\rceil$$

    with $A$ and $\mathrm{SL}(N)$ those of [`erlang_c`][crm_metrics.erlang_c].

    Parameters
    ----------
    calls : float
        Calls forecast for the interval (>= 0).
    handle_time : float or timedelta64
        Average handle time of a call (>= 0), a number read in ``unit``.
    interval : float or timedelta64, default 1800
        Length of the interval (1800 s: half an hour).
    threshold : float or timedelta64, default 20
        Target answer time of the service level.
    target : float, default 0.8
        Service level to reach, in [0, 1) (0.8 for "80/20").
    shrinkage : float, default 0
        Share of paid time agents are not available for calls (breaks, training,
        absence), in [0, 1).
    max_occupancy : float, default 1
        Highest acceptable occupancy, in (0, 1] (0.85 is a common cap against burnout).
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of numeric durations and of the average speed of answer.

    Returns
    -------
    Staffing
        ``(agents, scheduled, service_level, occupancy, probability_of_waiting,
        average_speed_of_answer)``: the agents needed on the phones and to schedule
        (ints), and the [`erlang_c`][crm_metrics.erlang_c] forecast with ``agents``. No
        traffic (no calls, or a zero handle time) needs 0 agents, with a ``nan`` forecast.
        A zero-length interval gives 0 agents and ``nan`` as well.

    Raises
    ------
    ValueError
        If a number is negative, infinite or NaN, ``target`` or ``shrinkage`` is outside
        [0, 1), or ``max_occupancy`` is outside (0, 1].

    Notes
    -----
    The standard workforce-management search: start just above the offered load and add
    agents until the Erlang C service level reaches the target and the occupancy is at or
    below the cap (a cap binds when traffic is heavy: large teams reach 80/20 at
    occupancies above 90 %). Shrinkage then grosses the agents up to those who must be
    scheduled, rounded up. The inputs are one interval's forecast; call it per interval
    of the day. See [`erlang_c`][crm_metrics.erlang_c] for the model and its
    assumptions.

    References
    ----------
    Call Centre Helper, "Erlang C formula - made simple with an easy worked example";
    pyworkforce ``ErlangC.required_positions``; G. Koole, *Call Center Optimization*,
    2013.

    Examples
    --------
    Call Centre Helper's worked example: 100 calls in 30 minutes, 180 s handle time,
    80 % answered in 20 s, occupancy at most 85 %, 30 % shrinkage:

    >>> import crm_metrics as cm
    >>> s = cm.agents_needed(100, 180, shrinkage=0.3, max_occupancy=0.85)
    >>> s.agents, s.scheduled, round(s.service_level, 4), round(s.occupancy, 4)
    (14, 20, 0.8884, 0.7143)
    >>> cm.agents_needed(100, 180, target=0.9, shrinkage=0.3).scheduled
    22
    """
    load = float(_traffic(calls, handle_time, interval))
    if not load > 0:  # no traffic (or a zero-length interval): nothing to staff
        return Staffing(0, 0, math.nan, math.nan, math.nan, math.nan)
    handle = np.asarray(handle_time, dtype=np.float64)
    blocking = np.ones(())
    k = 0
    while True:
        k += 1
        blocking = _erlang_b_step(blocking, load, float(k))
        if k <= load or load / k > max_occupancy:
            continue
        level, occupancy, waiting, asa_ns = _forecast(
            np.asarray(load), np.asarray(float(k)), blocking, handle, threshold
        )
        if level >= target:
            break
    scheduled = math.ceil(k / (1.0 - shrinkage) - _ROUNDING)
    return Staffing(
        k,
        scheduled,
        float(level),
        float(occupancy),
        float(waiting),
        float(asa_ns) / _NS_PER[unit],
    )

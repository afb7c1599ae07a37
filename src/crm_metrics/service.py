"""Service and support metrics: tickets, SLAs and inbound calls.

Tickets and calls are given as aligned arrays: ``opened_at``,
``first_response_at``, ``resolved_at``, ``due_at``, ``response_due_at``, ``contacts``
for tickets; ``queued_at`` (the anchor), ``answered_at`` (NaT = abandoned), ``wait``,
``talk``, ``hold``, ``acw`` for calls. NaT means "has not happened"; an end earlier than
its start is refused by the validation rules, naming the record.

Durations are computed in integer nanoseconds and converted with ``to_unit`` at the end
(default unit ``"h"`` for tickets, ``"s"`` for calls). Duration inputs (thresholds,
windows, ``wait`` ...) are ``numpy.timedelta64`` (unit-free) or numbers read in the
function's ``unit``.

Every threshold and SLA rate goes through one rule, ``_decide``: a record whose event
has not happened by ``as_of`` and whose deadline has not passed at ``as_of`` is
*undecided* and excluded; one whose deadline has passed without the event is a miss.
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._groupby import (
    Grouped,
    Groups,
    KeysLike,
    default_as_of,
    factorize,
    groups_of,
    in_window,
    open_at,
)
from crm_metrics._math import as_result, ns_per_unit, safe_divide, to_unit
from crm_metrics._validate import (
    Count,
    Duration,
    Instant,
    Keys,
    Money,
    Omittable,
    Option,
    OptionNeeds,
    PrecomputedDurations,
    ScalarDuration,
    Timestamps,
    TzOffset,
    Unit,
    validated,
)

__all__ = [
    "abandonment_rate",
    "average_handle_time",
    "average_handle_time_from_counts",
    "average_speed_of_answer",
    "calls_per_day",
    "contact_rate",
    "cost_per_contact",
    "escalation_rate",
    "first_contact_resolution_rate",
    "first_contact_resolution_rate_from_counts",
    "first_response_time",
    "orders_processed_within_rate",
    "reopen_rate",
    "repeat_contact_rate",
    "resolution_time",
    "resolved_within_rate",
    "same_day_resolution_rate",
    "service_level",
    "sla_compliance_rate",
    "ticket_backlog",
    "ticket_volume",
]

_INT64_MAX = int(np.iinfo(np.int64).max)
_UINT64_MAX = int(np.iinfo(np.uint64).max)
_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000
_STATS = ("mean", "median")
_STAT = Option(choices=_STATS)


# --------------------------------------------------------------------------- shared pieces
def _ns(ts: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """datetime64[ns] as int64 nanoseconds since 1970 (a view, no copy; NaT is int64 min)."""
    return ts.view(np.int64)


def _window(
    anchor: NDArray[np.datetime64], start: np.datetime64 | None, end: np.datetime64 | None
) -> NDArray[np.bool_] | None:
    """``in_window`` on an anchor that cannot be NaT; None (every record) without a window."""
    if start is None and end is None:
        return None
    return in_window(anchor, start, end)


def _as_of_ns(as_of: np.datetime64 | None, *timestamps: NDArray[np.datetime64]) -> int:
    """``as_of`` in int64 ns; by default one ns after the latest event of the whole input."""
    if as_of is None:
        as_of = default_as_of(*timestamps)
    if as_of is None:  # no event at all (empty input): nothing can be decided by the deadline
        return _INT64_MAX
    return int(as_of.astype(np.int64))


def _whole_ns(duration_ns: float) -> int:
    """A non-negative duration in float ns as whole ns, for ``<=`` against integer durations.

    For an integer d, ``d <= x`` equals ``d <= floor(x)``; capped at 2**64 - 1, which is
    above every difference of two timestamps in the datetime64[ns] range.
    """
    return int(min(math.floor(duration_ns), _UINT64_MAX))


def _deadline(begin: NDArray[np.datetime64], threshold_ns: float) -> NDArray[np.int64]:
    """``begin + threshold`` in int64 ns, saturating at int64 max instead of wrapping.

    Computed in uint64, where ``INT64_MAX - b`` is exact for every ``b``, negative included.
    """
    b = _ns(begin).view(np.uint64)
    headroom = np.uint64(_INT64_MAX) - b
    deadline: NDArray[np.int64] = (
        b + np.minimum(headroom, np.uint64(_whole_ns(threshold_ns)))
    ).view(np.int64)
    return deadline


def _decide(
    begin: NDArray[np.datetime64],
    event: NDArray[np.datetime64],
    deadline_ns: NDArray[np.int64],
    as_of_ns: int,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """The "undecided" rule, shared by every threshold and SLA rate.

    Returns ``(decided, met)``. An event later than ``as_of`` has not happened yet. A record
    is decided when it has begun by ``as_of`` and either its event has happened or its
    deadline has passed (``as_of > deadline``: a miss); met means the event happened at or
    before the deadline (thresholds are inclusive).
    """
    e = _ns(event)
    happened = ~np.isnat(event)
    happened &= e <= as_of_ns
    decided = deadline_ns < as_of_ns
    decided |= happened
    decided &= _ns(begin) <= as_of_ns
    met = e <= deadline_ns
    met &= happened
    return decided, met


def _finish_present(groups: Groups, values: NDArray[Any], present: NDArray[np.bool_]) -> Any:
    """``groups.finish`` restricted to the groups that kept at least one record.

    The groups were formed over all records (one factorisation, no masked copy of ``by``);
    keys must come from the records that survive the function's filter.
    """
    if groups.keys is None:
        return groups.finish(values) if values.dtype.kind == "f" else groups.finish_count(values)
    keys = groups.keys
    if not present.all():
        keys = tuple(k[present] for k in keys) if isinstance(keys, tuple) else keys[present]
        values = values[present]
    return Grouped(keys=keys, values=values)


def _tally(hit: NDArray[np.bool_], keep: NDArray[np.bool_] | None, by: Any, n: int) -> Any:
    """Groups of ``by`` and per group [dropped, kept and not hit, kept and hit] counts.

    One histogram pass (a single bincount over ``code * 3 + state``) gives both the
    numerator and the denominator of a rate.
    """
    groups = groups_of(by, n)
    if keep is None:
        state = hit.view(np.int8) + np.int8(1)
    else:
        state = keep.view(np.int8) + (hit & keep).view(np.int8)
    return groups, groups.histogram(state, 3)


def _rate(
    hit: NDArray[np.bool_], keep: NDArray[np.bool_] | None, by: Any, n: int
) -> float | Grouped:
    """``n(hit) / n(kept)`` per group; the groups come from the kept records only."""
    groups, hist = _tally(hit, keep, by, n)
    kept = hist[:, 1] + hist[:, 2]
    rate: float | Grouped = _finish_present(groups, safe_divide(hist[:, 2], kept), kept > 0)
    return rate


def _count(keep: NDArray[np.bool_], by: Any, n: int) -> int | Grouped:
    """``n(kept)`` per group; the groups come from the kept records only."""
    groups, hist = _tally(keep, None, by, n)
    count: int | Grouped = _finish_present(groups, hist[:, 2], hist[:, 2] > 0)
    return count


def _duration_stat(
    durations_ns: NDArray[Any], keep: NDArray[np.bool_] | None, by: Any, stat: str, unit: str
) -> float | Grouped:
    """Mean or median of the kept durations per group, in ``unit``."""
    groups: Groups = groups_of(by, len(durations_ns), keep)
    values = to_unit(durations_ns if keep is None else durations_ns[keep], unit)
    if stat == "mean":
        return groups.finish(groups.mean(values))
    if groups.n_groups == 0:  # by= over no surviving record: nothing to take a median of
        return groups.finish(np.zeros(0))
    return groups.finish(groups.median(values))


def _threshold_rate(
    begin: NDArray[np.datetime64],
    event: NDArray[np.datetime64],
    threshold_ns: float,
    as_of: np.datetime64 | None,
    start: np.datetime64 | None,
    end: np.datetime64 | None,
    by: Any,
) -> float | Grouped:
    """n(event - begin <= threshold) / n(decided), records selected by ``begin``."""
    as_of_ns = _as_of_ns(as_of, begin, event)
    decided, met = _decide(begin, event, _deadline(begin, threshold_ns), as_of_ns)
    keep = decided
    window = _window(begin, start, end)
    if window is not None:
        keep &= window
    return _rate(met, keep, by, len(begin))


# --------------------------------------------------------------------------- ticket volume
@overload
def ticket_volume(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = ...,
    anchor: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> int: ...
@overload
def ticket_volume(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = ...,
    anchor: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Omittable(Timestamps(nat_ok=True, since="opened_at")),
    anchor=OptionNeeds(
        choices=("opened_at", "resolved_at"), needs=(("resolved_at", ("resolved_at",)),)
    ),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def ticket_volume(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = None,
    anchor: str = "opened_at",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""Ticket volume: the number of tickets whose anchor lies in ``[start, end)``.

    $$V = n\{\,i : \mathrm{start} \le a_i < \mathrm{end}\,\}$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened (NaT not allowed).
    resolved_at : array_like of datetime64 or ISO-8601 str, optional
        When each ticket was resolved, NaT if it is not; needed with
        ``anchor="resolved_at"``. May not precede ``opened_at``.
    anchor : {"opened_at", "resolved_at"}, default "opened_at"
        ``"opened_at"`` counts incoming tickets (requests received); ``"resolved_at"``
        counts handled tickets (requests handled; unresolved tickets never count).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on the anchor; open-ended when omitted.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets: agent, channel, ``period_key(opened_at, "M")``
        for tickets per month.

    Returns
    -------
    int or Grouped
        The count (0 for no tickets); with ``by``, one count per key (int64 values).

    Raises
    ------
    ValueError
        On unparseable or NaT ``opened_at``, a ``resolved_at`` earlier than its
        ``opened_at`` (the record is named), an unknown ``anchor``, ``end < start`` or
        unequal lengths.
    TypeError
        If ``anchor="resolved_at"`` is asked without ``resolved_at``, or timestamps are
        numbers.

    Notes
    -----
    Zendesk reports tickets created and tickets solved as separate counts; ``anchor``
    chooses between them. "Requests handled" is the resolved count.
    A count is additive over groups.

    References
    ----------
    Zendesk, "About native Support time duration metrics" (tickets created / solved).

    Examples
    --------
    Four tickets, three of them resolved; how many were opened and handled in January?

    >>> import crm_metrics as cm
    >>> opened = ["2024-01-02", "2024-01-20", "2024-01-30", "2024-02-03"]
    >>> resolved = ["2024-01-03", "2024-02-01", "NaT", "2024-02-04"]
    >>> cm.ticket_volume(opened, start="2024-01-01", end="2024-02-01")
    3
    >>> cm.ticket_volume(opened, resolved_at=resolved, anchor="resolved_at",
    ...                  start="2024-01-01", end="2024-02-01")
    1
    """
    ts = opened_at if anchor == "opened_at" else resolved_at
    assert ts is not None  # the OptionNeeds rule refused a missing resolved_at
    anchor_ts = np.asarray(ts)
    return _count(in_window(anchor_ts, start, end), by, len(anchor_ts))


# --------------------------------------------------------------------------- contact rate
@validated(tickets=Count(), active_customers=Count())
def contact_rate(tickets: ArrayLike, active_customers: ArrayLike) -> Any:
    r"""Contact rate: tickets (contacts) per active customer in a period.

    $$\mathrm{CR} = \frac{\mathrm{tickets}}{\mathrm{active\ customers}}$$

    Parameters
    ----------
    tickets : int or array_like of int
        Tickets or contacts received in the period (>= 0).
    active_customers : int or array_like of int
        Active customers in the same period (>= 0). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (not a fraction: a customer may contact several times); ``nan`` where
        there are no active customers.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or the shapes do not broadcast.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Plain arithmetic. Use the same period for both counts, e.g.
    ``ticket_volume`` of a month over the month's ``active_customers``.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.contact_rate(150, 1000)
    0.15
    >>> cm.contact_rate([150, 3], [1000, 0])
    array([0.15,  nan])
    """
    return as_result(safe_divide(tickets, active_customers))


# --------------------------------------------------------------------------- durations
@overload
def first_response_time(
    opened_at: ArrayLike | None = ...,
    first_response_at: ArrayLike | None = ...,
    *,
    durations: ArrayLike | None = ...,
    stat: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def first_response_time(
    opened_at: ArrayLike | None = ...,
    first_response_at: ArrayLike | None = ...,
    *,
    durations: ArrayLike | None = ...,
    stat: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Omittable(Timestamps(nat_ok=False)),
    first_response_at=Omittable(Timestamps(nat_ok=True, since="opened_at")),
    stat=_STAT,
    unit=Unit(),
    start=Instant(),
    end=Instant(not_before="start"),
    durations=PrecomputedDurations(
        replaces=("opened_at", "first_response_at"), excludes=("start", "end")
    ),
    by=Keys(),
)
def first_response_time(
    opened_at: ArrayLike | None = None,
    first_response_at: ArrayLike | None = None,
    *,
    durations: ArrayLike | None = None,
    stat: str = "mean",
    unit: str = "h",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""First response time: mean (or median) time from opening to the first reply.

    $$\mathrm{FRT} = \frac{1}{n_{\mathrm{answered}}}\sum_{i\,:\,r_i \ne \mathrm{NaT}}
    (r_i - o_i)$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened (the anchor of ``start``/``end``).
    first_response_at : array_like of datetime64 or ISO-8601 str
        First agent reply, NaT while unanswered; may not precede ``opened_at``.
    durations : array_like of timedelta64 or float, optional
        Precomputed response times of answered tickets, one per ticket (e.g. in business
        hours), instead of the two timestamps; numbers are read in ``unit``. ``start`` and
        ``end`` cannot be used with them (there is no anchor).
    stat : {"mean", "median"}, default "mean"
        Mean (Zendesk's average) or median (numpy's midpoint rule).
    unit : {"s", "min", "m", "h", "D"}, default "h"
        Unit of the result (and of numeric ``durations``).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``opened_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets (agent, channel, ``period_key``).

    Returns
    -------
    float or Grouped
        The mean/median in ``unit``; ``nan`` when no ticket in the window is answered.

    Raises
    ------
    ValueError
        If a ``first_response_at`` is earlier than its ``opened_at`` (the record is
        named), on NaT ``opened_at``, negative/NaN ``durations``, ``durations`` given with
        the timestamps or a window, unknown ``stat``/``unit`` or unequal lengths.
    TypeError
        If neither the timestamps nor ``durations`` are given, or timestamps are numbers.

    Notes
    -----
    Zendesk's "first reply time" in calendar time: unanswered tickets are left out (they
    have no reply time yet), not counted as zero or as the time so far. Business-hour
    figures come in through ``durations``. The mean is additive (sum and count per group);
    the median is exact and not additive.

    References
    ----------
    Zendesk, "About native Support time duration metrics" (first reply time).

    Examples
    --------
    Three tickets, two answered after 1 h and 3 h:

    >>> import crm_metrics as cm
    >>> opened = ["2024-01-02T09:00", "2024-01-02T10:00", "2024-01-02T11:00"]
    >>> first = ["2024-01-02T10:00", "2024-01-02T13:00", "NaT"]
    >>> cm.first_response_time(opened, first)
    2.0
    >>> cm.first_response_time(opened, first, unit="min", by=["ann", "bob", "bob"]).to_dict()
    {'ann': 60.0, 'bob': 180.0}
    >>> cm.first_response_time(durations=[30, 90, 45], unit="min", stat="median")
    45.0
    """
    if durations is not None:
        return _duration_stat(np.asarray(durations), None, by, stat, unit)
    opened, first = np.asarray(opened_at), np.asarray(first_response_at)
    keep = in_window(opened, start, end)
    keep &= ~np.isnat(first)
    return _duration_stat(_ns(first) - _ns(opened), keep, by, stat, unit)


@overload
def resolution_time(
    opened_at: ArrayLike | None = ...,
    resolved_at: ArrayLike | None = ...,
    *,
    durations: ArrayLike | None = ...,
    stat: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def resolution_time(
    opened_at: ArrayLike | None = ...,
    resolved_at: ArrayLike | None = ...,
    *,
    durations: ArrayLike | None = ...,
    stat: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Omittable(Timestamps(nat_ok=False)),
    resolved_at=Omittable(Timestamps(nat_ok=True, since="opened_at")),
    stat=_STAT,
    unit=Unit(),
    start=Instant(),
    end=Instant(not_before="start"),
    durations=PrecomputedDurations(
        replaces=("opened_at", "resolved_at"), excludes=("start", "end")
    ),
    by=Keys(),
)
def resolution_time(
    opened_at: ArrayLike | None = None,
    resolved_at: ArrayLike | None = None,
    *,
    durations: ArrayLike | None = None,
    stat: str = "mean",
    unit: str = "h",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Resolution time: mean (or median) time from opening to resolution, resolved tickets.

    $$\mathrm{RT} = \frac{1}{n_{\mathrm{resolved}}}\sum_{i\,:\,\mathrm{start} \le s_i <
    \mathrm{end}} (s_i - o_i)$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened.
    resolved_at : array_like of datetime64 or ISO-8601 str
        When it was resolved, NaT while open; the anchor of ``start``/``end``. May not
        precede ``opened_at``.
    durations : array_like of timedelta64 or float, optional
        Precomputed resolution times of resolved tickets (e.g. business hours), instead of
        the timestamps; numbers are read in ``unit``. Not combinable with a window.
    stat : {"mean", "median"}, default "mean"
        Mean or median (numpy's midpoint rule).
    unit : {"s", "min", "m", "h", "D"}, default "h"
        Unit of the result (and of numeric ``durations``).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``resolved_at``: tickets resolved in the period.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets.

    Returns
    -------
    float or Grouped
        The mean/median in ``unit``; ``nan`` when no ticket is resolved in the window.

    Raises
    ------
    ValueError
        If a ``resolved_at`` is earlier than its ``opened_at`` (the record is named), on
        NaT ``opened_at``, bad ``durations``, ``durations`` with timestamps or a window,
        unknown ``stat``/``unit`` or unequal lengths.
    TypeError
        If neither the timestamps nor ``durations`` are given, or timestamps are numbers.

    Notes
    -----
    Zendesk's "full resolution time" in calendar time, anchored on the resolution (a
    month's figure describes the tickets closed that month). Open tickets are left out;
    the backlog ([`ticket_backlog`][crm_metrics.ticket_backlog]) and
    [`resolved_within_rate`][crm_metrics.resolved_within_rate] account for them.

    References
    ----------
    Zendesk, "About native Support time duration metrics" (full resolution time).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> opened = ["2024-01-01T08:00", "2024-01-01T09:00", "2024-01-01T10:00"]
    >>> resolved = ["2024-01-01T12:00", "2024-01-02T09:00", "NaT"]
    >>> cm.resolution_time(opened, resolved)
    14.0
    >>> cm.resolution_time(opened, resolved, stat="median", unit="D")
    0.5833333333333334
    """
    if durations is not None:
        return _duration_stat(np.asarray(durations), None, by, stat, unit)
    opened, resolved = np.asarray(opened_at), np.asarray(resolved_at)
    keep = in_window(resolved, start, end)
    return _duration_stat(_ns(resolved) - _ns(opened), keep, by, stat, unit)


# --------------------------------------------------------------------------- threshold rates
@overload
def resolved_within_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    threshold: Any = ...,
    unit: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def resolved_within_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    threshold: Any = ...,
    unit: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Timestamps(nat_ok=True, since="opened_at"),
    unit=Unit(),
    threshold=ScalarDuration(),
    as_of=Instant(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def resolved_within_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    threshold: Any = 2,
    unit: str = "h",
    as_of: Any = None,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Share of decided tickets resolved within ``threshold`` of opening (default 2 h).

    $$R_{\le T} = \frac{n(s_i - o_i \le T)}{n(\mathrm{decided})}$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened; the anchor of ``start``/``end``.
    resolved_at : array_like of datetime64 or ISO-8601 str
        When it was resolved, NaT while open; may not precede ``opened_at``.
    threshold : float or timedelta64, default 2
        The target (inclusive); a number is read in ``unit`` (2 h by default).
    unit : {"s", "min", "m", "h", "D"}, default "h"
        Unit in which a numeric ``threshold`` is read.
    as_of : datetime64 or ISO-8601 str, optional
        When the figure is taken; resolutions later than it have not happened yet. Default:
        one ns after the latest timestamp of the input.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``opened_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no ticket is decided.

    Raises
    ------
    ValueError
        If a ``resolved_at`` precedes its ``opened_at`` (the record is named), the
        threshold is negative or NaN, ``end < start`` or the lengths differ.
    TypeError
        On timestamps given as numbers or a non-numeric threshold.

    Notes
    -----
    SLA-style reading (TicketBoard, SparrowDesk, Ascent): a ticket is decided once resolved,
    or once ``as_of`` is past ``opened_at + threshold`` without a resolution, which is a
    miss. Tickets still open and inside the threshold are pending and excluded, so a
    fresh ticket never drags the rate down before it could have been resolved. Within
    means ``<=``.

    References
    ----------
    TicketBoard and SparrowDesk SLA-compliance glossaries; Ascent analytics docs
    (pending tickets excluded).

    Examples
    --------
    Four tickets at ``as_of`` 12:00: resolved in 1 h (met), in 3 h (missed), open since
    09:00 (missed: past 2 h) and open since 11:30 (pending, excluded).

    >>> import crm_metrics as cm
    >>> opened = ["2024-01-02T08:00", "2024-01-02T08:00", "2024-01-02T09:00",
    ...           "2024-01-02T11:30"]
    >>> resolved = ["2024-01-02T09:00", "2024-01-02T11:00", "NaT", "NaT"]
    >>> cm.resolved_within_rate(opened, resolved, as_of="2024-01-02T12:00")
    0.3333333333333333
    >>> import numpy as np
    >>> cm.resolved_within_rate(opened, resolved, threshold=np.timedelta64(4, "h"),
    ...                         as_of="2024-01-02T12:00")
    1.0
    """
    return _threshold_rate(
        np.asarray(opened_at), np.asarray(resolved_at), threshold, as_of, start, end, by
    )


@overload
def orders_processed_within_rate(
    placed_at: ArrayLike,
    processed_at: ArrayLike,
    *,
    threshold: Any = ...,
    unit: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def orders_processed_within_rate(
    placed_at: ArrayLike,
    processed_at: ArrayLike,
    *,
    threshold: Any = ...,
    unit: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    placed_at=Timestamps(),
    processed_at=Timestamps(nat_ok=True, since="placed_at"),
    unit=Unit(),
    threshold=ScalarDuration(),
    as_of=Instant(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def orders_processed_within_rate(
    placed_at: ArrayLike,
    processed_at: ArrayLike,
    *,
    threshold: Any = 24,
    unit: str = "h",
    as_of: Any = None,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Share of decided orders processed within ``threshold`` of placement (default 24 h).

    $$P_{\le T} = \frac{n(p_i - o_i \le T)}{n(\mathrm{decided})}$$

    Parameters
    ----------
    placed_at : array_like of datetime64 or ISO-8601 str
        When each order was placed; the anchor of ``start``/``end``.
    processed_at : array_like of datetime64 or ISO-8601 str
        When it was processed, NaT while pending; may not precede ``placed_at``.
    threshold : float or timedelta64, default 24
        The target (inclusive); a number is read in ``unit`` (24 h by default).
    unit : {"s", "min", "m", "h", "D"}, default "h"
        Unit in which a numeric ``threshold`` is read.
    as_of : datetime64 or ISO-8601 str, optional
        When the figure is taken (default one ns after the latest timestamp).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``placed_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the orders (warehouse, channel, period).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no order is decided.

    Raises
    ------
    ValueError
        If a ``processed_at`` precedes its ``placed_at`` (the record is named), the
        threshold is negative or NaN, ``end < start`` or the lengths differ.
    TypeError
        On timestamps given as numbers or a non-numeric threshold.

    Notes
    -----
    "Orders processed within 24 h" with the same undecided rule as
    [`resolved_within_rate`][crm_metrics.resolved_within_rate] (one shared
    implementation): orders still pending inside the 24 h are excluded, pending ones past
    it are misses.

    References
    ----------
    TicketBoard and SparrowDesk SLA-compliance glossaries,
    pending items excluded.

    Examples
    --------
    Processed after 22 h (met) and 45 h (missed); the third order is pending, undecided
    until its 24 h have passed (09:00 on 3 March), a miss after that.

    >>> import crm_metrics as cm
    >>> placed = ["2024-03-01T10:00", "2024-03-01T12:00", "2024-03-02T09:00"]
    >>> processed = ["2024-03-02T08:00", "2024-03-03T09:00", "NaT"]
    >>> cm.orders_processed_within_rate(placed, processed, as_of="2024-03-03T09:00")
    0.5
    >>> cm.orders_processed_within_rate(placed, processed, as_of="2024-03-03T10:00")
    0.3333333333333333
    """
    return _threshold_rate(
        np.asarray(placed_at), np.asarray(processed_at), threshold, as_of, start, end, by
    )


@overload
def same_day_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    tz_offset_hours: float = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def same_day_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    tz_offset_hours: float = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Timestamps(nat_ok=True, since="opened_at"),
    tz_offset_hours=TzOffset(),
    as_of=Instant(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def same_day_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    tz_offset_hours: float = 0.0,
    as_of: Any = None,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Share of decided tickets resolved on the local calendar day they were opened.

    $$S = \frac{n\big(\mathrm{date}(s_i + \Delta_{tz}) = \mathrm{date}(o_i + \Delta_{tz})
    \big)}{n(\mathrm{decided})}$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened (naive UTC); the anchor of ``start``/``end``.
    resolved_at : array_like of datetime64 or ISO-8601 str
        When it was resolved, NaT while open; may not precede ``opened_at``.
    tz_offset_hours : float, default 0
        Offset of the local calendar from UTC (``-5`` for US Eastern standard time); the
        day boundaries are local midnights.
    as_of : datetime64 or ISO-8601 str, optional
        When the figure is taken (default one ns after the latest timestamp).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``opened_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no ticket is decided.

    Raises
    ------
    ValueError
        If a ``resolved_at`` precedes its ``opened_at`` (the record is named), the offset
        is outside -24..24, ``end < start`` or the lengths differ.
    TypeError
        On timestamps given as numbers.

    Notes
    -----
    "Same-day resolution" as service reports show it. It is the shared undecided rule with the
    deadline at the end of the ticket's local day: an unresolved ticket counts as a miss
    once its local day has ended at ``as_of``, and is excluded before that.

    References
    ----------
    TicketBoard and SparrowDesk SLA-compliance glossaries (pending items excluded).

    Examples
    --------
    Opened 22:00 UTC, resolved 01:00 UTC the next day: a miss in UTC, a hit in UTC-5.

    >>> import crm_metrics as cm
    >>> opened = ["2024-01-02T22:00", "2024-01-02T09:00"]
    >>> resolved = ["2024-01-03T01:00", "2024-01-02T17:00"]
    >>> cm.same_day_resolution_rate(opened, resolved)
    0.5
    >>> cm.same_day_resolution_rate(opened, resolved, tz_offset_hours=-5)
    1.0
    """
    opened, resolved = np.asarray(opened_at), np.asarray(resolved_at)
    offset = round(tz_offset_hours * _NS_PER_HOUR)
    local = _ns(opened) + offset
    # last nanosecond of the local day, back in UTC
    deadline = local - local % _NS_PER_DAY + (_NS_PER_DAY - 1 - offset)
    decided, met = _decide(opened, resolved, deadline, _as_of_ns(as_of, opened, resolved))
    keep = decided
    window = _window(opened, start, end)
    if window is not None:
        keep &= window
    return _rate(met, keep, by, len(opened))


# --------------------------------------------------------------------------- FCR
@overload
def first_contact_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    contacts: ArrayLike,
    *,
    base: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def first_contact_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    contacts: ArrayLike,
    *,
    base: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Timestamps(nat_ok=True, since="opened_at"),
    contacts=Count(event=True, minimum=1),
    base=Option(choices=("resolved", "all")),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def first_contact_resolution_rate(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    contacts: ArrayLike,
    *,
    base: str = "resolved",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""First contact resolution: share of tickets resolved with a single customer contact.

    $$\mathrm{FCR} = \frac{n(\mathrm{resolved} \wedge c_i = 1)}{n(\mathrm{resolved})}
    \quad\text{or, with } \texttt{base="all"},\quad
    \frac{n(\mathrm{resolved} \wedge c_i = 1)}{n(\mathrm{opened})}$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened (the anchor with ``base="all"``).
    resolved_at : array_like of datetime64 or ISO-8601 str
        When it was resolved, NaT while open (the anchor with the default base).
    contacts : array_like of int
        Customer contacts until resolution (>= 1).
    base : {"resolved", "all"}, default "resolved"
        ``"resolved"``: tickets resolved in ``[start, end)``, over resolved tickets
        (Freshservice). ``"all"``: tickets opened in ``[start, end)``, over all of them;
        unresolved tickets are not FCR.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window on the base's anchor.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when the base is empty.

    Raises
    ------
    ValueError
        If ``contacts`` has a value below 1, fractional or NaN, a ``resolved_at`` precedes
        its ``opened_at``, ``base`` is unknown, ``end < start`` or the lengths differ.
    TypeError
        On non-numeric contacts or numeric timestamps.

    Notes
    -----
    The disputed denominator is resolved tickets, as Freshservice defines it:
    unresolved tickets are not yet decided and stay out. With ``base="all"`` they are in
    the denominator and count as not FCR, so on the same tickets without a window the
    all-tickets rate is never higher (with a window the two bases select by
    different anchors). For tallies use
    [the aggregate form][crm_metrics.first_contact_resolution_rate_from_counts].

    References
    ----------
    Freshservice, "How do you calculate FCR%" (denominator = resolved tickets).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> opened = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    >>> resolved = ["2024-01-01T05:00", "2024-01-03", "2024-01-03T02:00", "NaT"]
    >>> contacts = [1, 3, 1, 2]
    >>> cm.first_contact_resolution_rate(opened, resolved, contacts)
    0.6666666666666666
    >>> cm.first_contact_resolution_rate(opened, resolved, contacts, base="all")
    0.5
    """
    opened, resolved = np.asarray(opened_at), np.asarray(resolved_at)
    first = np.asarray(contacts) == 1
    if base == "resolved":
        return _rate(first, in_window(resolved, start, end), by, len(opened))
    first &= ~np.isnat(resolved)
    return _rate(first, in_window(opened, start, end), by, len(opened))


@validated(tickets=Count(), first_contact_resolved=Count(le="tickets"))
def first_contact_resolution_rate_from_counts(
    first_contact_resolved: ArrayLike, tickets: ArrayLike
) -> Any:
    r"""First contact resolution from tallies: FCR tickets over the base tickets.

    $$\mathrm{FCR} = \frac{n_{\mathrm{FCR}}}{n_{\mathrm{base}}}$$

    Parameters
    ----------
    first_contact_resolved : int or array_like of int
        Tickets resolved with a single contact (a subset of ``tickets``).
    tickets : int or array_like of int
        The base: resolved tickets (the default definition) or all tickets (the
        ``base="all"`` variant). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where ``tickets`` is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or exceeds ``tickets``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Freshservice divides by resolved tickets; pass all tickets as the base
    for the stricter variant.

    References
    ----------
    Freshservice, "How do you calculate FCR%".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.first_contact_resolution_rate_from_counts(72, 90)
    0.8
    """
    return as_result(safe_divide(first_contact_resolved, tickets))


@validated(resolved=Count(), reopened=Count(le="resolved"))
def reopen_rate(reopened: ArrayLike, resolved: ArrayLike) -> Any:
    r"""Reopen rate: share of resolved tickets that were reopened.

    $$\mathrm{RR} = \frac{\mathrm{reopened}}{\mathrm{resolved}}$$

    Parameters
    ----------
    reopened : int or array_like of int
        Resolved tickets of the period later reopened (a subset of ``resolved``).
    resolved : int or array_like of int
        Tickets resolved in the period. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was resolved.

    Raises
    ------
    ValueError
        If a count is negative, fractional, infinite or exceeds ``resolved``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Kaizo's reading: the base is resolved (solved) tickets, anchored on the resolution;
    a ticket reopened several times counts once.

    References
    ----------
    Kaizo, "Reopen Rate"; AICX Stack glossary.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.reopen_rate(12, 400)
    0.03
    """
    return as_result(safe_divide(reopened, resolved))


@validated(tickets=Count(), escalated=Count(le="tickets"))
def escalation_rate(escalated: ArrayLike, tickets: ArrayLike) -> Any:
    r"""Escalation rate: share of tickets escalated to a higher tier.

    $$\mathrm{ER} = \frac{\mathrm{escalated}}{\mathrm{tickets}}$$

    Parameters
    ----------
    escalated : int or array_like of int
        Tickets opened in the period that were escalated (a subset of ``tickets``).
    tickets : int or array_like of int
        Tickets opened in the period. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where there are no tickets.

    Raises
    ------
    ValueError
        If a count is negative, fractional, infinite or exceeds ``tickets``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Plain arithmetic; count the tickets by ``opened_at`` (the escalation
    anchor), e.g. with [`ticket_volume`][crm_metrics.ticket_volume], and
    each escalated ticket once however many tiers it climbed.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.escalation_rate([5, 0], [100, 0])
    array([0.05,  nan])
    """
    return as_result(safe_divide(escalated, tickets))


# --------------------------------------------------------------------------- backlog
@overload
def ticket_backlog(
    opened_at: ArrayLike, resolved_at: ArrayLike, *, as_of: Any = ..., by: None = None
) -> int: ...
@overload
def ticket_backlog(
    opened_at: ArrayLike, resolved_at: ArrayLike, *, as_of: Any = ..., by: KeysLike
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Timestamps(nat_ok=True, since="opened_at"),
    as_of=Instant(),
    by=Keys(),
)
def ticket_backlog(
    opened_at: ArrayLike,
    resolved_at: ArrayLike,
    *,
    as_of: Any = None,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""Ticket backlog: the number of tickets open at ``as_of``.

    $$B = n\{\,i : o_i \le t \wedge (s_i = \mathrm{NaT} \vee s_i > t)\,\},
    \quad t = \mathrm{as\_of}$$

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened.
    resolved_at : array_like of datetime64 or ISO-8601 str
        When it was resolved, NaT while open; may not precede ``opened_at``.
    as_of : datetime64 or ISO-8601 str, optional
        The snapshot time; default one ns after the latest timestamp of the input (so the
        backlog is the unresolved tickets).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets (agent, channel, priority).

    Returns
    -------
    int or Grouped
        The count (0 for no tickets); with ``by``, one count per key.

    Raises
    ------
    ValueError
        If a ``resolved_at`` precedes its ``opened_at`` or the lengths differ.
    TypeError
        On timestamps given as numbers.

    Notes
    -----
    The snapshot rule: open at ``as_of`` means opened at or before it
    and not resolved by it. A count, additive over groups.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> opened = ["2024-01-01", "2024-01-05", "2024-01-09", "2024-01-12"]
    >>> resolved = ["2024-01-03", "2024-01-11", "NaT", "NaT"]
    >>> cm.ticket_backlog(opened, resolved, as_of="2024-01-10")
    2
    >>> cm.ticket_backlog(opened, resolved)
    2
    """
    opened, resolved = np.asarray(opened_at), np.asarray(resolved_at)
    snapshot = as_of if as_of is not None else default_as_of(opened, resolved)
    if snapshot is None:  # no tickets at all
        return _count(np.zeros(0, dtype=bool), by, 0)
    return _count(open_at(opened, resolved, snapshot), by, len(opened))


# --------------------------------------------------------------------------- SLA
@overload
def sla_compliance_rate(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = ...,
    due_at: ArrayLike | None = ...,
    first_response_at: ArrayLike | None = ...,
    response_due_at: ArrayLike | None = ...,
    target: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def sla_compliance_rate(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = ...,
    due_at: ArrayLike | None = ...,
    first_response_at: ArrayLike | None = ...,
    response_due_at: ArrayLike | None = ...,
    target: str = ...,
    as_of: Any = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    opened_at=Timestamps(),
    resolved_at=Omittable(Timestamps(nat_ok=True, since="opened_at")),
    due_at=Omittable(Timestamps(nat_ok=True)),
    first_response_at=Omittable(Timestamps(nat_ok=True, since="opened_at")),
    response_due_at=Omittable(Timestamps(nat_ok=True)),
    target=OptionNeeds(
        choices=("resolution", "response"),
        needs=(
            ("resolution", ("resolved_at", "due_at")),
            ("response", ("first_response_at", "response_due_at")),
        ),
    ),
    as_of=Instant(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def sla_compliance_rate(
    opened_at: ArrayLike,
    *,
    resolved_at: ArrayLike | None = None,
    due_at: ArrayLike | None = None,
    first_response_at: ArrayLike | None = None,
    response_due_at: ArrayLike | None = None,
    target: str = "resolution",
    as_of: Any = None,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""SLA compliance: share of decided SLA-bound tickets whose event met its due time.

    $$\mathrm{SLA} = \frac{\mathrm{met}}{\mathrm{met} + \mathrm{breached}}$$

    $$\mathrm{met}: e_i \le d_i,\qquad
    \mathrm{breached}: e_i > d_i \ \vee\ (e_i\ \text{not yet} \wedge t > d_i)$$

    with ``e_i`` the event (resolution or first reply), ``d_i`` its due time and ``t``
    the ``as_of`` instant.

    Parameters
    ----------
    opened_at : array_like of datetime64 or ISO-8601 str
        When each ticket was opened; the anchor of ``start``/``end``.
    resolved_at, due_at : array_like of datetime64 or ISO-8601 str, optional
        Resolution and its target (both NaT allowed); needed with ``target="resolution"``.
    first_response_at, response_due_at : array_like of datetime64 or ISO-8601 str, optional
        First reply and its target; needed with ``target="response"``.
    target : {"resolution", "response"}, default "resolution"
        Which SLA: the resolution target (``resolved_at`` vs ``due_at``) or the
        first-response target (``first_response_at`` vs ``response_due_at``).
    as_of : datetime64 or ISO-8601 str, optional
        When the figure is taken; events later than it have not happened yet. Default one
        ns after the latest event timestamp (due dates are not events).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``opened_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the tickets (agent, priority, period).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no ticket is decided.

    Raises
    ------
    ValueError
        If an event precedes its ``opened_at`` (the record is named), ``target`` is
        unknown, ``end < start`` or the lengths differ.
    TypeError
        If the arguments of the chosen ``target`` are missing, or timestamps are numbers.

    Notes
    -----
    Tickets whose due time is NaT are not subject to the SLA and are left out. A ticket
    with no event yet is pending (excluded, the Ascent convention) until ``as_of`` passes
    its due time, when it is breached. Met is inclusive (event exactly at the due time).
    "Agreements on sales volumes" in a service scorecard are read as this SLA
    compliance.

    References
    ----------
    TicketBoard and SparrowDesk SLA-compliance glossaries; Ascent analytics docs
    (pending tickets excluded).

    Examples
    --------
    At 18:00: met, breached late, breached while open, pending, and one without SLA.

    >>> import crm_metrics as cm
    >>> opened = ["2024-05-06T08:00"] * 5
    >>> resolved = ["2024-05-06T10:00", "2024-05-06T15:00", "NaT", "NaT", "NaT"]
    >>> due = ["2024-05-06T12:00", "2024-05-06T12:00", "2024-05-06T12:00",
    ...        "2024-05-07T08:00", "NaT"]
    >>> cm.sla_compliance_rate(opened, resolved_at=resolved, due_at=due,
    ...                        as_of="2024-05-06T18:00")
    0.3333333333333333
    """
    opened = np.asarray(opened_at)
    if target == "resolution":
        event, due = np.asarray(resolved_at), np.asarray(due_at)
    else:
        event, due = np.asarray(first_response_at), np.asarray(response_due_at)
    events = [a for a in (resolved_at, first_response_at) if a is not None]
    as_of_ns = _as_of_ns(as_of, opened, *(np.asarray(a) for a in events))
    decided, met = _decide(opened, event, _ns(due), as_of_ns)
    keep = decided
    window = _window(opened, start, end)
    if window is not None:
        keep &= window
    keep &= ~np.isnat(due)
    return _rate(met, keep, by, len(opened))


# --------------------------------------------------------------------------- calls
_CALLS = {
    "queued_at": Timestamps(),
    "answered_at": Timestamps(nat_ok=True, since="queued_at"),
}


@overload
def average_handle_time(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    talk: ArrayLike,
    hold: ArrayLike,
    acw: ArrayLike,
    *,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def average_handle_time(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    talk: ArrayLike,
    hold: ArrayLike,
    acw: ArrayLike,
    *,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_CALLS,
    unit=Unit(),
    talk=Duration(event=True),
    hold=Duration(event=True),
    acw=Duration(event=True),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def average_handle_time(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    talk: ArrayLike,
    hold: ArrayLike,
    acw: ArrayLike,
    *,
    unit: str = "s",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Average handle time of answered calls: talk + hold + after-call work per call.

    $$\mathrm{AHT} = \frac{\sum_{i \in \mathrm{handled}} (\mathrm{talk}_i + \mathrm{hold}_i
    + \mathrm{acw}_i)}{n_{\mathrm{handled}}}$$

    Parameters
    ----------
    queued_at : array_like of datetime64 or ISO-8601 str
        When each call entered the queue; the anchor of ``start``/``end``.
    answered_at : array_like of datetime64 or ISO-8601 str
        When it was answered, NaT for abandoned calls (whose durations are ignored).
    talk, hold, acw : array_like of timedelta64 or float
        Talk, hold and after-call-work time per call (>= 0); numbers read in ``unit``.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of the result and of numeric durations.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``queued_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the calls (agent, queue, period).

    Returns
    -------
    float or Grouped
        Mean handle time in ``unit``; ``nan`` when no call was handled.

    Raises
    ------
    ValueError
        On negative or NaN durations, an ``answered_at`` before its ``queued_at``,
        ``end < start`` or unequal lengths.
    TypeError
        On non-numeric durations or numeric timestamps.

    Notes
    -----
    Genesys' definition: handled calls are answered calls, and handle time is talk + hold
    + after-call work. Tallies go to
    [`average_handle_time_from_counts`][crm_metrics.average_handle_time_from_counts].

    References
    ----------
    Genesys Cloud glossary, "Average handle time".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> queued = ["2024-01-02T09:00", "2024-01-02T09:05", "2024-01-02T09:07"]
    >>> answered = ["2024-01-02T09:01", "NaT", "2024-01-02T09:08"]
    >>> cm.average_handle_time(queued, answered, [240, 0, 300], [30, 0, 0], [60, 0, 90])
    360.0
    """
    queued, answered = np.asarray(queued_at), np.asarray(answered_at)
    keep = in_window(queued, start, end)
    keep &= ~np.isnat(answered)
    handle = np.asarray(talk) + np.asarray(hold) + np.asarray(acw)
    return _duration_stat(handle, keep, by, "mean", unit)


@validated(unit=Unit(), handle_time=Duration(), handled=Count())
def average_handle_time_from_counts(
    handle_time: ArrayLike, handled: ArrayLike, *, unit: str = "s"
) -> Any:
    r"""Average handle time from the total handle time and the number of handled calls.

    $$\mathrm{AHT} = \frac{\sum (\mathrm{talk} + \mathrm{hold} + \mathrm{acw})}
    {n_{\mathrm{handled}}}$$

    Parameters
    ----------
    handle_time : float, timedelta64 or array_like
        Total talk + hold + after-call work of the handled calls (>= 0); numbers are read
        in ``unit``.
    handled : int or array_like of int
        Handled (answered) calls. Arrays broadcast.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of the result and of a numeric ``handle_time``.

    Returns
    -------
    float or numpy.ndarray
        Mean handle time in ``unit``; ``nan`` where ``handled`` is 0.

    Raises
    ------
    ValueError
        On a negative or NaN handle time, or a negative or fractional count.
    TypeError
        On non-numeric input.

    Notes
    -----
    Genesys' AHT = (talk + hold + ACW) / handled.

    References
    ----------
    Genesys Cloud glossary, "Average handle time".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.average_handle_time_from_counts(36_000, 100)
    360.0
    >>> import numpy as np
    >>> cm.average_handle_time_from_counts(np.timedelta64(10, "h"), 100, unit="min")
    6.0
    """
    return as_result(safe_divide(handle_time, handled) / float(ns_per_unit(unit)))


@overload
def abandonment_rate(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    short_abandon: Any = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def abandonment_rate(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    short_abandon: Any = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_CALLS,
    unit=Unit(),
    wait=Duration(event=True),
    short_abandon=ScalarDuration(optional=True),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def abandonment_rate(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    short_abandon: Any = None,
    unit: str = "s",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Abandonment rate: share of offered calls abandoned before an answer.

    $$A = \frac{n(\mathrm{abandoned})}{n(\mathrm{offered})}$$

    $$\texttt{short\_abandon}=x:\quad A = \frac{n(\mathrm{abandoned},\ w > x)}
    {n(\mathrm{offered}) - n(\mathrm{abandoned},\ w \le x)}$$

    Parameters
    ----------
    queued_at : array_like of datetime64 or ISO-8601 str
        When each call was offered to the queue; the anchor of ``start``/``end``.
    answered_at : array_like of datetime64 or ISO-8601 str
        When it was answered; NaT means abandoned.
    wait : array_like of timedelta64 or float
        Queue time of each call (>= 0); numbers read in ``unit``.
    short_abandon : float or timedelta64, optional
        Abandoned calls with ``wait <= short_abandon`` are removed from both terms
        (commonly 5 s); default None keeps every abandon.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit in which numeric ``wait`` and ``short_abandon`` are read.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``queued_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the calls (queue, period).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no call is offered.

    Raises
    ------
    ValueError
        On a negative or NaN wait or threshold, an ``answered_at`` before its
        ``queued_at``, ``end < start`` or unequal lengths.
    TypeError
        On non-numeric waits or numeric timestamps.

    Notes
    -----
    Default: every abandon counts. Call Centre Helper's short-abandon
    variant removes callers who hung up within a few seconds (misdials, IVR drops) from
    numerator and denominator. Without it, ``abandonment_rate == 1 - answered / offered``.
    There is no ``as_of``: a NaT ``answered_at`` always reads as abandoned, so leave calls
    still waiting in the queue out of the input.

    References
    ----------
    Call Centre Helper, "How to measure call abandon rate".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> queued = ["2024-01-02T09:00"] * 4
    >>> answered = ["2024-01-02T09:00:20", "NaT", "NaT", "2024-01-02T09:01"]
    >>> wait = [20, 3, 90, 60]
    >>> cm.abandonment_rate(queued, answered, wait)
    0.5
    >>> cm.abandonment_rate(queued, answered, wait, short_abandon=5)
    0.3333333333333333
    """
    queued, answered = np.asarray(queued_at), np.asarray(answered_at)
    abandoned = np.isnat(answered)
    keep = _window(queued, start, end)
    if short_abandon is not None:
        longer = ~(abandoned & (np.asarray(wait) <= short_abandon))
        keep = longer if keep is None else keep & longer
    return _rate(abandoned, keep, by, len(queued))


@overload
def service_level(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    threshold: Any = ...,
    method: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def service_level(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    threshold: Any = ...,
    method: str = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_CALLS,
    unit=Unit(),
    wait=Duration(event=True),
    threshold=ScalarDuration(),
    method=Option(choices=("offered", "answered", "positive", "ignored")),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def service_level(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    threshold: Any = 20,
    method: str = "offered",
    unit: str = "s",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Service level: share of calls answered within ``threshold`` (default 20 s).

    $$\mathrm{SL}_{\mathrm{offered}} = \frac{n(\mathrm{answered},\ w \le T)}{n(\mathrm{offered})},
    \qquad \mathrm{SL}_{\mathrm{answered}} = \frac{n(\mathrm{answered},\ w \le T)}
    {n(\mathrm{answered})}$$

    $$\mathrm{SL}_{\mathrm{positive}} = \frac{n(w \le T)}{n(\mathrm{offered})},\qquad
    \mathrm{SL}_{\mathrm{ignored}} = \frac{n(\mathrm{answered},\ w \le T)}
    {n(\mathrm{offered}) - n(\mathrm{abandoned},\ w \le T)}$$

    Parameters
    ----------
    queued_at : array_like of datetime64 or ISO-8601 str
        When each call was offered; the anchor of ``start``/``end``.
    answered_at : array_like of datetime64 or ISO-8601 str
        When it was answered; NaT means abandoned.
    wait : array_like of timedelta64 or float
        Queue time of each call (>= 0); numbers read in ``unit``.
    threshold : float or timedelta64, default 20
        The answer target (inclusive); a number is read in ``unit`` (20 s by default).
    method : {"offered", "answered", "positive", "ignored"}, default "offered"
        How abandons count: ``"offered"`` they fail; ``"answered"`` they are removed;
        ``"positive"`` abandons within the threshold succeed; ``"ignored"`` abandons
        within the threshold are removed and later abandons fail.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit in which numeric ``wait`` and ``threshold`` are read.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``queued_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the calls (agent, queue, interval).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when the base is empty.

    Raises
    ------
    ValueError
        On a negative or NaN wait or threshold, an unknown method, an ``answered_at``
        before its ``queued_at``, ``end < start`` or unequal lengths.
    TypeError
        On non-numeric waits or numeric timestamps.

    Notes
    -----
    The WFM Labs wiki lists the methods; "offered" (abandons fail, the strictest) is the
    default. The classic target is 80/20: 80 % within 20 s. ``"ignored"`` is ICMI's
    formula "answered within T / (answered + abandoned after T)" and Cisco's "abandoned
    calls ignored" service level: a caller who hangs up before the target was never
    failed by the centre, one who hangs up later was. For the same calls
    ``offered <= ignored <= answered`` and ``offered <= positive``. A NaT ``answered_at``
    reads as abandoned, so leave calls still waiting in the queue out of the input.

    References
    ----------
    WFM Labs wiki, "Service Level"; Cisco Unified ICM / Contact Center Enterprise
    reporting guides, "Service Level Types" (ignore abandoned calls, negative and positive
    impact of abandoned calls); ICMI's service-level formula with abandons after the
    threshold in the base.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> queued = ["2024-01-02T09:00"] * 4
    >>> answered = ["2024-01-02T09:00:10", "2024-01-02T09:00:45", "NaT", "NaT"]
    >>> wait = [10, 45, 8, 60]
    >>> cm.service_level(queued, answered, wait)
    0.25
    >>> cm.service_level(queued, answered, wait, method="answered")
    0.5
    >>> cm.service_level(queued, answered, wait, method="positive")
    0.5
    >>> round(cm.service_level(queued, answered, wait, method="ignored"), 4)
    0.3333
    """
    queued, answered = np.asarray(queued_at), np.asarray(answered_at)
    fast = np.asarray(wait) <= threshold
    keep = _window(queued, start, end)
    if method == "positive":
        return _rate(fast, keep, by, len(queued))
    picked = ~np.isnat(answered)
    short_abandon = fast & ~picked
    fast &= picked
    if method == "answered":
        keep = picked if keep is None else keep & picked
    elif method == "ignored":  # abandons within the threshold leave the base
        counted = ~short_abandon
        keep = counted if keep is None else keep & counted
    return _rate(fast, keep, by, len(queued))


@overload
def average_speed_of_answer(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def average_speed_of_answer(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    **_CALLS,
    unit=Unit(),
    wait=Duration(event=True),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def average_speed_of_answer(
    queued_at: ArrayLike,
    answered_at: ArrayLike,
    wait: ArrayLike,
    *,
    unit: str = "s",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Average speed of answer: mean queue wait of answered calls.

    $$\mathrm{ASA} = \frac{\sum_{i \in \mathrm{answered}} w_i}{n_{\mathrm{answered}}}$$

    Parameters
    ----------
    queued_at : array_like of datetime64 or ISO-8601 str
        When each call was offered; the anchor of ``start``/``end``.
    answered_at : array_like of datetime64 or ISO-8601 str
        When it was answered; NaT (abandoned) calls are left out.
    wait : array_like of timedelta64 or float
        Queue time of each call (>= 0); numbers read in ``unit``.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of the result and of numeric ``wait``.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` on ``queued_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the calls.

    Returns
    -------
    float or Grouped
        Mean wait in ``unit``; ``nan`` when no call was answered.

    Raises
    ------
    ValueError
        On a negative or NaN wait, an ``answered_at`` before its ``queued_at``,
        ``end < start`` or unequal lengths.
    TypeError
        On non-numeric waits or numeric timestamps.

    Notes
    -----
    Genesys: answered wait / answered calls; abandoned waits are excluded (they belong to
    the abandonment figures).

    References
    ----------
    Genesys Cloud glossary, "Average speed of answer".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> queued = ["2024-01-02T09:00"] * 3
    >>> answered = ["2024-01-02T09:00:10", "2024-01-02T09:00:50", "NaT"]
    >>> cm.average_speed_of_answer(queued, answered, [10, 50, 120])
    30.0
    """
    queued, answered = np.asarray(queued_at), np.asarray(answered_at)
    keep = in_window(queued, start, end)
    keep &= ~np.isnat(answered)
    return _duration_stat(np.asarray(wait), keep, by, "mean", unit)


@overload
def calls_per_day(
    queued_at: ArrayLike,
    *,
    start: Any,
    end: Any,
    tz_offset_hours: float = ...,
    by: None = None,
) -> float: ...
@overload
def calls_per_day(
    queued_at: ArrayLike,
    *,
    start: Any,
    end: Any,
    tz_offset_hours: float = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    queued_at=Timestamps(),
    start=Instant(optional=False),
    end=Instant(optional=False, not_before="start"),
    tz_offset_hours=TzOffset(),
    by=Keys(),
)
def calls_per_day(
    queued_at: ArrayLike,
    *,
    start: Any,
    end: Any,
    tz_offset_hours: float = 0.0,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Average calls per day over ``[start, end)``, days without calls included.

    $$\bar c = \frac{n\{\,i : \mathrm{start} \le q_i < \mathrm{end}\,\}}
    {(\mathrm{end} - \mathrm{start}) / 1\,\mathrm{day}}$$

    Parameters
    ----------
    queued_at : array_like of datetime64 or ISO-8601 str
        When each call was offered (naive UTC).
    start, end : datetime64 or ISO-8601 str
        The period, required: local wall-clock times in the calendar of
        ``tz_offset_hours`` (``"2024-01-01"`` is local midnight). Fractional days allowed.
    tz_offset_hours : float, default 0
        Offset of the local calendar from UTC; ``start`` and ``end`` are moved to UTC by it.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the calls (queue, agent).

    Returns
    -------
    float or Grouped
        Calls per day (>= 0; 0.0 when no call falls in the period); ``nan`` when
        ``start == end``.

    Raises
    ------
    ValueError
        If ``end < start``, the offset is outside -24..24, or on bad timestamps.
    TypeError
        If ``start`` or ``end`` is missing, or timestamps are numbers.

    Notes
    -----
    "Average calls per day": the divisor is the length of the
    period, not the number of days that had calls, so quiet days lower the average.

    References
    ----------
    Standard arithmetic (a count over the length of the period).

    Examples
    --------
    Six calls; five fall in the UTC week, six in the week of a UTC-2 calendar:

    >>> import crm_metrics as cm
    >>> queued = ["2024-01-01T09:00", "2024-01-01T10:00", "2024-01-02T11:00",
    ...           "2024-01-04T12:00", "2024-01-07T23:30", "2024-01-08T01:00"]
    >>> cm.calls_per_day(queued, start="2024-01-01", end="2024-01-08")
    0.7142857142857143
    >>> cm.calls_per_day(queued, start="2024-01-01", end="2024-01-08", tz_offset_hours=-2)
    0.8571428571428571
    """
    queued = np.asarray(queued_at)
    shift = np.timedelta64(round(tz_offset_hours * _NS_PER_HOUR), "ns")
    keep = in_window(queued, start - shift, end - shift)
    days = float(_ns(np.asarray(end)) - _ns(np.asarray(start))) / _NS_PER_DAY
    groups = groups_of(by, len(queued), keep)
    return groups.finish(safe_divide(groups.count(), days))


@overload
def repeat_contact_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: Any = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def repeat_contact_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: Any = ...,
    unit: str = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    customer_id=Keys(optional=False, multi=False),
    ts=Timestamps(),
    unit=Unit(),
    window=ScalarDuration(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def repeat_contact_rate(
    customer_id: ArrayLike,
    ts: ArrayLike,
    *,
    window: Any = 7,
    unit: str = "D",
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Repeat contact rate: share of contacts followed by another from the same customer.

    $$\mathrm{RCR} = \frac{n\{\,i \in [\mathrm{start}, \mathrm{end}) : \exists j,\ c_j = c_i,
    \ t_i < t_j \le t_i + W\,\}}{n\{\,i \in [\mathrm{start}, \mathrm{end})\,\}}$$

    Parameters
    ----------
    customer_id : array_like
        Customer of each contact (ticket or call).
    ts : array_like of datetime64 or ISO-8601 str
        When each contact happened (``opened_at`` of tickets, ``queued_at`` of calls).
    window : float or timedelta64, default 7
        Follow-up window W (inclusive); a number is read in ``unit`` (7 days by default).
    unit : {"s", "min", "m", "h", "D"}, default "D"
        Unit in which a numeric ``window`` is read.
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)`` of the contacts counted.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the contacts; they partition the contacts counted, while
        follow-ups are looked up in the whole input (a call-back may reach another agent).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no contact is in the window.

    Raises
    ------
    ValueError
        On missing ids, NaT or unparseable timestamps, a negative or NaN window,
        ``end < start`` or unequal lengths.
    TypeError
        On numeric timestamps or a non-numeric window.

    Notes
    -----
    "Customer call-backs", read as repeat contacts within 7
    days, the complement of first contact resolution seen from the customer. History is
    read from the whole input: pass contacts up to ``end + window`` or the last contacts
    of the period are undercounted. A second contact at the very same instant is not a
    follow-up (``t_j > t_i``). History-dependent: ``by=`` is not the loop over subsets.

    References
    ----------
    Freshservice, "How do you calculate FCR%" (repeat contacts are the customer's view of
    contacts not resolved the first time).

    Examples
    --------
    Customer a calls back after 2 days, then after 10; b once.

    >>> import crm_metrics as cm
    >>> cust = ["a", "a", "a", "b"]
    >>> ts = ["2024-01-01", "2024-01-03", "2024-01-13", "2024-01-02"]
    >>> cm.repeat_contact_rate(cust, ts)
    0.25
    >>> cm.repeat_contact_rate(cust, ts, window=10)
    0.5
    """
    t = _ns(np.asarray(ts))
    n = len(t)
    _, codes, _ = factorize(np.asarray(customer_id))
    order = np.lexsort((t, codes))
    c_sorted, t_sorted = codes[order], t[order]
    # runs of equal (customer, time); the next contact of a record is the next run's head
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (c_sorted[1:] != c_sorted[:-1]) | (t_sorted[1:] != t_sorted[:-1])
    heads = np.append(np.flatnonzero(new_run), n)
    nxt = heads[np.cumsum(new_run) if n else np.zeros(0, dtype=np.int64)]
    has_next = nxt < n
    nxt_clipped = np.where(has_next, nxt, 0)
    has_next &= c_sorted[nxt_clipped] == c_sorted
    gap = t_sorted[nxt_clipped].view(np.uint64) - t_sorted.view(np.uint64)  # exact, >= 0
    within = has_next & (gap <= np.uint64(_whole_ns(window)))
    followed = np.empty(n, dtype=bool)
    followed[order] = within
    return _rate(followed, in_window(np.asarray(ts), start, end), by, n)


# --------------------------------------------------------------------------- cost
@validated(service_cost=Money(), contacts_handled=Count())
def cost_per_contact(service_cost: ArrayLike, contacts_handled: ArrayLike) -> Any:
    r"""Cost per contact: service cost of a period over the contacts handled in it.

    $$\mathrm{CPC} = \frac{\mathrm{service\ cost}}{\mathrm{contacts\ handled}}$$

    Parameters
    ----------
    service_cost : float or array_like
        Fully loaded cost of the service operation in the period (>= 0, one currency).
    contacts_handled : int or array_like of int
        Contacts (tickets, calls, chats) handled in the period. Arrays broadcast.

    Returns
    -------
    float or numpy.ndarray
        Money per contact; ``nan`` where no contact was handled.

    Raises
    ------
    ValueError
        On negative or infinite cost, or a negative or fractional count.
    TypeError
        On non-numeric input.

    Notes
    -----
    Plain arithmetic: the "average cost of service" per interaction.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cost_per_contact(52_000.0, 6_500)
    8.0
    """
    return as_result(safe_divide(service_cost, contacts_handled))

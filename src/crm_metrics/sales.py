"""Sales and pipeline metrics.

Deals are given as aligned arrays (``deal_id``, ``created_at``, ``closed_at`` or NaT, ``won``,
``amount``, ``stage``, ``owner``, ``deal_type``), stage history has one row per stage
entry (``deal_id``, ``stage``, ``entered_at``) plus the pipeline's ``stage_order``, and
activities have ``ts``, ``owner``, ``activity_type`` and ``created_opportunity``.

Anchors: outcome metrics (win rate, cycle length, deal size, new revenue)
select deals by ``closed_at`` in ``[start, end)``; cohort metrics (close rate) by
``created_at``; snapshots (open opportunities, pipeline value, weighted pipeline) by
``as_of``. Event-level functions accept ``by=`` (per owner, per quarter, per deal type);
the aggregate twins (``*_from_counts`` and the plain ratio rows) take tallies and
broadcast. Each metric is split into sufficient statistics per group and one formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    happened_by,
    in_window,
    open_at,
)
from crm_metrics._math import as_result, ns_per_unit, safe_divide, to_unit
from crm_metrics._validate import (
    Count,
    DealTimestamps,
    Duration,
    Flag,
    Flags,
    Fraction,
    Instant,
    Keys,
    LabelOrder,
    LabelProbabilities,
    Labels,
    Money,
    Omittable,
    Option,
    Timestamps,
    Unit,
    validated,
)

__all__ = [
    "activities_per_rep_day",
    "activity_count",
    "average_deal_size",
    "average_deal_size_from_counts",
    "call_to_opportunity_rate",
    "close_rate",
    "close_rate_from_counts",
    "lead_conversion_rate",
    "new_revenue",
    "open_opportunities",
    "pipeline_coverage",
    "pipeline_value",
    "proposal_win_rate",
    "quota_attainment",
    "renewal_rate",
    "revenue_renewal_rate",
    "sales_cycle_length",
    "sales_velocity",
    "stage_conversion_rates",
    "stage_durations",
    "weighted_pipeline",
    "win_rate",
    "win_rate_from_counts",
]

#: The deal types a deal may have; ``new_revenue`` counts the first.
DEAL_TYPES = ("new", "renewal", "expansion")
#: The activity types a sales activity may have.
ACTIVITY_TYPES = ("call", "email", "meeting", "proposal")
_CALL = ACTIVITY_TYPES.index("call")
_STATS = ("mean", "median")
_NAT = np.iinfo(np.int64).min  # NaT viewed as int64
#: The rule of ``stage_durations``' closed_at; the body finishes its per-deal check.
_DEAL_CLOSED_AT = DealTimestamps(ids="deal_id", since="entered_at")


# --------------------------------------------------------------------------- shared pieces
def _snapshot(as_of: np.datetime64 | None, *timestamps: NDArray[np.datetime64]) -> np.datetime64:
    """``as_of``, or one ns after the latest event of the whole input.

    Without any event (empty input) every comparison is moot; the Unix epoch is returned.
    """
    if as_of is not None:
        return as_of
    latest = default_as_of(*timestamps)
    return np.datetime64(0, "ns") if latest is None else latest


def _happened(
    created: NDArray[np.datetime64], closed: NDArray[np.datetime64], as_of: np.datetime64 | None
) -> tuple[NDArray[np.bool_], NDArray[np.datetime64]]:
    """Records created by ``as_of`` and their closings by ``as_of`` (later ones NaT).

    With the default ``as_of`` (after every event) nothing is cut, so nothing is computed.
    """
    if as_of is None:
        return np.ones(len(created), dtype=bool), closed
    return created <= as_of, happened_by(closed, as_of)


def _open(
    created: NDArray[np.datetime64], closed: NDArray[np.datetime64], as_of: np.datetime64 | None
) -> NDArray[np.bool_]:
    """Deals open at ``as_of``; by default (after every event) those never closed."""
    return np.isnat(closed) if as_of is None else open_at(created, closed, as_of)


def _groups(by: Any, n: int, rows: NDArray[np.intp] | None = None) -> Groups:
    """``groups_of`` for the records ``rows`` (all ``n`` when None).

    The key parts are gathered by integer index, which is faster than a boolean mask when
    several arrays are taken. Period keys (``period_key(closed_at, "Q")``) are grouped by
    counting inside the engine, not by sorting.
    """
    count = n if rows is None else len(rows)
    if by is not None and rows is not None:
        by = tuple(part[rows] for part in by) if isinstance(by, tuple) else by[rows]
    return groups_of(by, count)


def _stat(groups: Groups, values: NDArray[Any], stat: str) -> NDArray[np.float64]:
    """Mean or median per group (nan for an empty group)."""
    return groups.median(values) if stat == "median" else groups.mean(values)


def _rate_of(groups: Groups, hits: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Share of each group's records where ``hits`` holds (``hits`` already filtered)."""
    return safe_divide(groups.count(hits), groups.count())


# --------------------------------------------------------------------------- close rate
@validated(leads=Count(), won=Count(le="leads"))
def close_rate_from_counts(won: ArrayLike, leads: ArrayLike) -> Any:
    r"""Close rate from tallies: won deals over the leads (opportunities) of the cohort.

    $$\mathrm{close\ rate} = \frac{\mathrm{won}}{\mathrm{leads}}$$

    Parameters
    ----------
    won : int or array_like of int
        Leads of the cohort that became won deals (a subset of ``leads``).
    leads : int or array_like of int
        Leads or opportunities of the cohort. Arrays broadcast; each element is an
        independent period or segment; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where ``leads`` is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or ``won > leads``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    HubSpot's "closing ratio": closed-won deals over the qualified leads they came from
    (a cohort ratio). Unlike
    [`win_rate_from_counts`][crm_metrics.win_rate_from_counts], open and lost leads are
    both in the denominator.

    References
    ----------
    HubSpot glossary, "Closing ratio".

    Examples
    --------
    Of 200 qualified leads in March, 30 were won:

    >>> import crm_metrics as cm
    >>> cm.close_rate_from_counts(30, 200)
    0.15
    >>> cm.close_rate_from_counts([30, 0], [200, 0])
    array([0.15,  nan])
    """
    return as_result(safe_divide(won, leads))


@overload
def close_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    as_of: Any = ...,
    by: None = None,
) -> float: ...
@overload
def close_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    as_of: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    won=Flags(),
    start=Instant(),
    end=Instant(not_before="start"),
    as_of=Instant(),
    by=Keys(),
)
def close_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Close rate of a lead cohort: deals created in ``[start, end)`` that are won by ``as_of``.

    $$\mathrm{close\ rate} = \frac{n(\text{created in window},\ \text{won by } as\_of)}
    {n(\text{created in window})}$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each lead/opportunity (the cohort anchor).
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time, NaT while open; never before ``created_at``.
    won : array_like of bool
        Outcome of closed deals (ignored while open).
    start, end : datetime64 or ISO-8601 str, optional
        The cohort window ``[start, end)`` on ``created_at``; open-ended when omitted.
    as_of : datetime64 or ISO-8601 str, optional
        Wins later than ``as_of`` have not happened yet, and leads created after it are
        not in the cohort. Default: one ns after the latest timestamp of the input.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals (owner, ``period_key(created_at, "Q")``, deal
        type); a tuple groups by several keys.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` for an empty cohort. With ``by``, one rate per key.

    Raises
    ------
    ValueError
        On NaT ``created_at``, ``closed_at`` before ``created_at``, flags other than
        0/1, unparseable timestamps, ``end`` before ``start`` or unequal lengths.
    TypeError
        If an argument has the wrong kind (numbers as timestamps, strings as flags).

    Notes
    -----
    The cohort reading of HubSpot's closing ratio (won deals / leads):
    the denominator is every lead of the cohort, whether won, lost or still open, so the
    rate of a young cohort keeps rising as its deals close. The "deals closed in the
    period" reading is [`win_rate`][crm_metrics.win_rate] with ``base="all"``.

    References
    ----------
    HubSpot glossary, "Closing ratio".

    Examples
    --------
    Four leads created in January; two were won, one lost, one is open:

    >>> import crm_metrics as cm
    >>> created = ["2024-01-03", "2024-01-10", "2024-01-15", "2024-01-20"]
    >>> closed = ["2024-02-01", "2024-02-10", "2024-03-01", "NaT"]
    >>> won = [True, True, False, False]
    >>> cm.close_rate(created, closed, won)
    0.5
    >>> cm.close_rate(created, closed, won, as_of="2024-02-05")
    0.25
    """
    created = np.asarray(created_at)
    created_by, closed = _happened(created, np.asarray(closed_at), as_of)
    keep = in_window(created, start, end) & created_by
    wins = np.asarray(won) & ~np.isnat(closed)
    rows = np.flatnonzero(keep)
    groups = _groups(by, len(created), rows)
    return groups.finish(_rate_of(groups, wins[rows]))


# --------------------------------------------------------------------------- win rate
@validated(won=Count(), lost=Count(), open=Omittable(Count()))
def win_rate_from_counts(won: ArrayLike, lost: ArrayLike, *, open: Any = None) -> Any:
    r"""Win rate from tallies: won over won plus lost (plus open, for the all-deals base).

    $$\mathrm{win\ rate} = \frac{W}{W + L}
    \qquad\text{or, with } open:\qquad \frac{W}{W + L + O}$$

    Parameters
    ----------
    won, lost : int or array_like of int
        Deals won and lost in the period.
    open : int or array_like of int, optional
        Deals of the period still open. When given, the base is every opportunity (the
        "all deals" variant). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where the base is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or shapes do not broadcast.
    TypeError
        If a count is not numeric.

    Notes
    -----
    HubSpot's default is won / (won + lost): open deals are not yet decided. Other CRMs
    divide by every opportunity; passing ``open`` gives that variant, which is never larger.

    References
    ----------
    HubSpot default win rate.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.win_rate_from_counts(12, 28)
    0.3
    >>> cm.win_rate_from_counts(12, 28, open=10)
    0.24
    """
    total = np.asarray(won, dtype=np.float64) + np.asarray(lost, dtype=np.float64)
    if open is not None:
        total = total + open
    return as_result(safe_divide(won, total))


@overload
def win_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    base: str = ...,
    start: Any = ...,
    end: Any = ...,
    as_of: Any = ...,
    by: None = None,
) -> float: ...
@overload
def win_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    base: str = ...,
    start: Any = ...,
    end: Any = ...,
    as_of: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    won=Flags(),
    base=Option(choices=("closed", "all")),
    start=Instant(),
    end=Instant(not_before="start"),
    as_of=Instant(),
    by=Keys(),
)
def win_rate(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    base: str = "closed",
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Win rate: won deals over decided deals closed in ``[start, end)`` (or over all deals).

    $$\mathrm{win\ rate} = \frac{n(\text{won})}{n(\text{won}) + n(\text{lost})}
    \quad\text{(deals closed in the window)}$$

    $$\texttt{base="all"}:\quad \mathrm{win\ rate} = \frac{n(\text{won})}
    {n(\text{created in the window})}$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each deal (the anchor of ``base="all"``).
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time, NaT while open (the anchor of the default base).
    won : array_like of bool
        Outcome of closed deals (ignored while open).
    base : {"closed", "all"}, default "closed"
        ``"closed"``: deals closed in the window, won / (won + lost). ``"all"``: deals
        created in the window, open ones included in the denominator.
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on the base's anchor.
    as_of : datetime64 or ISO-8601 str, optional
        Closings later than ``as_of`` have not happened yet (the deal is open). Default:
        one ns after the latest timestamp of the input.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals, e.g. ``(owner, period_key(closed_at, "Q"))``.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no deal is in the base. With ``by``, one
        rate per key (pooled rates are Σ won / Σ base, never a mean of rates).

    Raises
    ------
    ValueError
        On NaT ``created_at``, ``closed_at`` before ``created_at``, an unknown ``base``,
        ``end`` before ``start``, unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    HubSpot's definition (the default): won / (won + lost) over deals
    closed in the period, so open deals neither help nor hurt. The variant
    ``base="all"``, the all-opportunities base other CRMs use, divides by every
    opportunity created in the period (open ones count as not won). Without a window it
    is never larger than the default on the same deals (with a window the two
    bases select by different anchors), and it equals the cohort
    [`close_rate`][crm_metrics.close_rate].

    References
    ----------
    HubSpot default win rate; KPI Tree HubSpot metric pages.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> created = ["2024-01-03", "2024-01-10", "2024-02-15", "2024-03-20"]
    >>> closed = ["2024-02-01", "2024-02-10", "2024-03-01", "NaT"]
    >>> won = [True, False, False, False]
    >>> cm.win_rate(created, closed, won)
    0.3333333333333333
    >>> cm.win_rate(created, closed, won, base="all")
    0.25
    >>> cm.win_rate(created, closed, won, by=["ann", "ann", "bob", "bob"]).to_dict()
    {'ann': 0.5, 'bob': 0.0}
    """
    created = np.asarray(created_at)
    created_by, closed = _happened(created, np.asarray(closed_at), as_of)
    decided = ~np.isnat(closed)
    if base == "all":
        keep = in_window(created, start, end) & created_by
    else:
        keep = in_window(closed, start, end)
    wins = np.asarray(won) & decided
    rows = np.flatnonzero(keep)
    groups = _groups(by, len(created), rows)
    return groups.finish(_rate_of(groups, wins[rows]))


# --------------------------------------------------------------------------- lead conversion
@validated(leads=Count(), converted=Count(le="leads"))
def lead_conversion_rate(converted: ArrayLike, leads: ArrayLike) -> Any:
    r"""Lead-to-opportunity rate: leads converted to an opportunity over all leads.

    $$\mathrm{lead\ conversion} = \frac{\mathrm{leads\ converted\ to\ opportunity}}
    {\mathrm{leads}}$$

    Parameters
    ----------
    converted : int or array_like of int
        Leads that became opportunities (a subset of ``leads``).
    leads : int or array_like of int
        Leads of the period. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where ``leads`` is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or ``converted > leads``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    The HubSpot funnel ratio (lead -> opportunity stage); the later
    funnel steps are [`stage_conversion_rates`][crm_metrics.stage_conversion_rates] and
    [`close_rate`][crm_metrics.close_rate].

    References
    ----------
    HubSpot glossary.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.lead_conversion_rate(45, 300)
    0.15
    """
    return as_result(safe_divide(converted, leads))


# --------------------------------------------------------------------------- stage history
def _stage_keys(stage_order: Sequence[Any]) -> NDArray[Any]:
    """The stage labels as a 1-D array (object dtype only for mixed label types)."""
    keys = np.asarray(stage_order)
    return keys if keys.ndim == 1 else np.asarray(stage_order, dtype=object)


def _finish_stages(groups: Groups, table: NDArray[np.float64], stages: NDArray[Any]) -> Grouped:
    """Per-stage values: keyed by stage without ``by``, one column per stage with it."""
    if groups.keys is None:
        return Grouped(keys=stages, values=table[0])
    return groups.finish_rows(table, tuple(str(s) for s in stages.tolist()))


@overload
def stage_conversion_rates(
    deal_id: ArrayLike, stage: ArrayLike, *, stage_order: Sequence[Any], by: None = None
) -> Grouped: ...
@overload
def stage_conversion_rates(
    deal_id: ArrayLike, stage: ArrayLike, *, stage_order: Sequence[Any], by: KeysLike
) -> Grouped: ...
@validated(
    stage_order=LabelOrder(),
    deal_id=Keys(optional=False, multi=False),
    stage=Labels(choices="stage_order"),
    by=Keys(),
)
def stage_conversion_rates(
    deal_id: ArrayLike,
    stage: ArrayLike,
    *,
    stage_order: Sequence[Any],
    by: KeysLike | None = None,
) -> Grouped:
    r"""Stage-to-stage conversion: deals reaching the next stage over deals reaching this one.

    $$c_k = \frac{\mathrm{reached}(s_{k+1})}{\mathrm{reached}(s_k)}$$

    $$\mathrm{reached}(s_k) = n\{\text{deals with an entry at } s_k
    \text{ or a later stage}\}$$

    Parameters
    ----------
    deal_id : array_like
        Deal of each stage-history row.
    stage : array_like
        Stage entered on each row; every value must be a label of ``stage_order``.
    stage_order : sequence
        The pipeline's non-terminal stages ``s_1 .. s_K`` in order (distinct labels).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the history rows (e.g. the deal's owner, joined onto
        its rows). History-dependent: how far a deal got is read from all of its rows;
        ``by`` only says in which group(s) the deal is counted (every key among its
        rows).

    Returns
    -------
    Grouped
        Without ``by``: keys ``s_1 .. s_{K-1}`` (pipeline order, not sorted) and the
        rate of moving on from each. With ``by``: one row per key, one column per
        ``s_1 .. s_{K-1}`` (``str`` of the label). ``nan`` where no deal reached ``s_k``.

    Raises
    ------
    ValueError
        If a stage is not in ``stage_order`` (named with its row), ``stage_order`` is
        empty or repeats a label, or the lengths differ.
    TypeError
        If ``stage_order`` is not a list of labels.

    Notes
    -----
    The cumulative ("reached this stage or a later one") reading HubSpot's funnel report
    uses, so a deal that skips a stage still counts as having passed it and every rate is
    in [0, 1]; the product of the rates is reached(s_K) / reached(s_1).
    Terminal stages (closed won / lost) are not in ``stage_order``; for the last
    step to a win use [`close_rate`][crm_metrics.close_rate]. A deal with several visits
    counts once.

    References
    ----------
    HubSpot stage conversion (KPI Tree); Salesforce time-in-stage practice.

    Examples
    --------
    Three deals; deal 3 skipped "demo":

    >>> import crm_metrics as cm
    >>> g = cm.stage_conversion_rates(
    ...     [1, 1, 1, 2, 3], ["qualify", "demo", "proposal", "qualify", "proposal"],
    ...     stage_order=["qualify", "demo", "proposal"],
    ... )
    >>> g.to_dict()
    {'qualify': 0.6666666666666666, 'demo': 1.0}
    """
    pos = np.asarray(stage)
    k = len(stage_order)
    stages = _stage_keys(stage_order)
    _, deal_codes, n_deals = factorize(np.asarray(deal_id))
    furthest = np.full(n_deals, -1, dtype=np.int64)
    np.maximum.at(furthest, deal_codes, pos)
    groups = _groups(by, len(pos))
    if groups.codes is None:
        group_of_pair = np.zeros(n_deals, dtype=np.int64)
        deal_of_pair = np.arange(n_deals, dtype=np.int64)
    else:
        pairs, _, _ = factorize((groups.codes, deal_codes))
        assert isinstance(pairs, tuple)
        group_of_pair, deal_of_pair = pairs
    cells = group_of_pair * k + furthest[deal_of_pair]
    furthest_hist = np.bincount(cells, minlength=groups.n_groups * k).reshape(-1, k)
    reached = np.cumsum(furthest_hist[:, ::-1], axis=1)[:, ::-1]
    rates = safe_divide(reached[:, 1:], reached[:, :-1])
    return _finish_stages(groups, rates, stages[:-1])


def _entry_order(
    deal_codes: NDArray[np.int64], entered: NDArray[np.int64], pos: NDArray[np.int64], k: int
) -> NDArray[np.intp]:
    """Stable order by (deal, entered_at, position in stage_order); skipped if sorted.

    One lexsort. When the time span allows, entered_at and stage position are packed
    into one int64 key (``(t - t_min) * K + pos``), so the sort has two keys, not three.
    """
    if len(entered) == 0:
        return np.zeros(0, dtype=np.intp)
    lo, hi = int(entered.min()), int(entered.max())
    if (hi - lo + 1) * k < 2**62:
        packed = (entered - lo) * k + pos
        same = deal_codes[1:] == deal_codes[:-1]
        if bool(np.all((deal_codes[1:] > deal_codes[:-1]) | (same & (packed[1:] >= packed[:-1])))):
            return np.arange(len(entered), dtype=np.intp)
        return np.lexsort((packed, deal_codes))
    return np.lexsort((pos, entered, deal_codes))


@overload
def stage_durations(
    deal_id: ArrayLike,
    stage: ArrayLike,
    entered_at: ArrayLike,
    closed_at: ArrayLike,
    *,
    stage_order: Sequence[Any],
    as_of: Any = ...,
    include_open: bool = ...,
    stat: str = ...,
    unit: str = ...,
    by: None = None,
) -> Grouped: ...
@overload
def stage_durations(
    deal_id: ArrayLike,
    stage: ArrayLike,
    entered_at: ArrayLike,
    closed_at: ArrayLike,
    *,
    stage_order: Sequence[Any],
    as_of: Any = ...,
    include_open: bool = ...,
    stat: str = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    stage_order=LabelOrder(),
    deal_id=Keys(optional=False, multi=False),
    stage=Labels(choices="stage_order"),
    entered_at=Timestamps(),
    closed_at=_DEAL_CLOSED_AT,
    as_of=Instant(),
    include_open=Flag(),
    stat=Option(choices=_STATS),
    unit=Unit(),
    by=Keys(),
)
def stage_durations(
    deal_id: ArrayLike,
    stage: ArrayLike,
    entered_at: ArrayLike,
    closed_at: ArrayLike,
    *,
    stage_order: Sequence[Any],
    as_of: Any = None,
    include_open: bool = False,
    stat: str = "mean",
    unit: str = "D",
    by: KeysLike | None = None,
) -> Grouped:
    r"""Time in stage: per deal and stage, summed over visits; mean (or median) per stage.

    $$d_i = e_{i+1} - e_i \quad (\text{or } \mathrm{closed\_at} - e_i
    \text{ for a deal's last entry})$$

    $$T_{j,s} = \sum_{i \in (j,s)} d_i,\qquad \bar T_s = \frac{1}{n_s}\sum_j T_{j,s}$$

    Entries ``i`` are ordered per deal by ``entered_at``; equal times by the position of
    their stage in ``stage_order``, so the result never depends on row order. ``e_i`` is
    the entry time, ``T_{j,s}`` the total time deal ``j`` spent in stage ``s`` over all
    its visits, and ``n_s`` the number of deals with counted time in ``s``.

    Parameters
    ----------
    deal_id : array_like
        Deal of each stage-history row (rows may be in any order, several visits to one
        stage are allowed).
    stage : array_like
        Stage entered on each row; every value must be a label of ``stage_order``.
    entered_at : array_like of datetime64 or ISO-8601 str
        When the deal entered the stage (NaT not allowed).
    closed_at : array_like of datetime64 or ISO-8601 str
        The deal's closing time repeated on each of its rows (join the deals table onto
        the history), NaT while open; never before the row's ``entered_at`` and the same
        on every row of a deal.
    stage_order : sequence
        The pipeline's non-terminal stages in order (distinct labels).
    as_of : datetime64 or ISO-8601 str, optional
        Entries and closings later than ``as_of`` have not happened yet. An entry with
        neither a next entry nor a close by ``as_of`` is still open. Default: one ns
        after the latest timestamp of the input.
    include_open : bool, default False
        Count open entries too, censored at ``as_of`` (their time so far). By default
        they are excluded: their final length is unknown.
    stat : {"mean", "median"}, default "mean"
        Statistic over deals of the per-deal total time in each stage.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of the result.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the history rows (the deal's owner or type joined onto
        its rows). History-dependent: each entry's length comes from the deal's whole
        history; ``by`` only partitions the entries being summed (per deal, stage and
        key).

    Returns
    -------
    Grouped
        Without ``by``: keys = ``stage_order`` (pipeline order, not sorted), values = mean
        (median) time in each stage in ``unit``; ``nan`` for a stage without a counted
        entry. With ``by``: one row per key, one column per stage (``str`` of the label).

    Raises
    ------
    ValueError
        If a stage is not in ``stage_order`` (named with its row); ``closed_at`` precedes
        ``entered_at`` or differs within a deal; NaT ``entered_at``; unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Salesforce's time-in-stage reading (opportunity field history: each stage lasts
    until the next stage change or the close) with HubSpot's "cumulative time in stage"
    for revisits: the visits of one deal to one stage are summed, then averaged over
    the deals that spent time there. The mean is exact from
    per-(deal, stage) sums; the median is exact too (one sort), and not additive.

    References
    ----------
    HubSpot stage reporting (KPI Tree); Salesforce time-in-stage practice.

    Examples
    --------
    Deal 1 went qualify -> demo -> qualify -> closed; deal 2 is still in demo:

    >>> import crm_metrics as cm
    >>> g = cm.stage_durations(
    ...     [1, 1, 1, 2, 2],
    ...     ["qualify", "demo", "qualify", "qualify", "demo"],
    ...     ["2024-01-01", "2024-01-03", "2024-01-08", "2024-01-02", "2024-01-06"],
    ...     ["2024-01-10", "2024-01-10", "2024-01-10", "NaT", "NaT"],
    ...     stage_order=["qualify", "demo"],
    ...     as_of="2024-01-11",
    ... )
    >>> g.to_dict()
    {'qualify': 4.0, 'demo': 5.0}
    """
    k = len(stage_order)
    stages = _stage_keys(stage_order)
    pos_all = np.asarray(stage)
    entered_all = np.asarray(entered_at)
    closed_all = np.asarray(closed_at)
    n = len(pos_all)
    moment = _snapshot(as_of, entered_all, closed_all)
    rows = np.flatnonzero(entered_all <= moment)  # later entries have not happened
    _, deal_all, _ = factorize(np.asarray(deal_id))
    deal = deal_all[rows]
    entered = entered_all[rows].view(np.int64)
    pos = pos_all[rows]
    order = _entry_order(deal, entered, pos, k)
    deal, entered, pos, rows = deal[order], entered[order], pos[order], rows[order]
    same_next = deal[1:] == deal[:-1]
    _DEAL_CLOSED_AT.check_constant("closed_at", closed_all, rows, same_next)

    closed = happened_by(closed_all[rows], moment).view(np.int64)
    end_ns = closed.copy()
    end_ns[:-1][same_next] = entered[1:][same_next]
    is_open = end_ns == _NAT
    counted = ~is_open | include_open
    end_ns = np.where(is_open, moment.astype(np.int64), end_ns)
    length = (end_ns - entered)[counted]

    keep = np.zeros(n, dtype=bool)
    keep[rows[counted]] = True
    groups = _groups(by, n, np.flatnonzero(keep))
    if groups.codes is None:
        group = np.zeros(len(length), dtype=np.int64)
    else:
        code_of_row = np.zeros(n, dtype=np.int64)
        code_of_row[keep] = groups.codes
        group = code_of_row[rows[counted]]
    cell_of_entry = (group * k + pos[counted], deal[counted])
    pairs, pair_code, n_pairs = factorize(cell_of_entry)
    assert isinstance(pairs, tuple)
    totals = np.bincount(pair_code, weights=length, minlength=n_pairs)
    cells = Groups(codes=pairs[0], n_groups=groups.n_groups * k, n_records=n_pairs)
    table = to_unit(_stat(cells, totals, stat), unit).reshape(groups.n_groups, k)
    return _finish_stages(groups, table, stages)


# --------------------------------------------------------------------------- cycle length
@overload
def sales_cycle_length(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    include_lost: bool = ...,
    stat: str = ...,
    durations: Any = ...,
    start: Any = ...,
    end: Any = ...,
    unit: str = ...,
    by: None = None,
) -> float: ...
@overload
def sales_cycle_length(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    include_lost: bool = ...,
    stat: str = ...,
    durations: Any = ...,
    start: Any = ...,
    end: Any = ...,
    unit: str = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    won=Flags(),
    include_lost=Flag(),
    stat=Option(choices=_STATS),
    unit=Unit(),
    durations=Omittable(Duration(event=True)),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def sales_cycle_length(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    won: ArrayLike,
    *,
    include_lost: bool = False,
    stat: str = "mean",
    durations: Any = None,
    start: Any = None,
    end: Any = None,
    unit: str = "D",
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Sales cycle length: mean (or median) of ``closed_at - created_at`` over won deals.

    $$\mathrm{cycle} = \frac{1}{n}\sum_{j \in \text{won, closed in window}}
    (\mathrm{closed\_at}_j - \mathrm{created\_at}_j)$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each deal.
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time (the anchor), NaT while open; never before ``created_at``.
    won : array_like of bool
        Outcome of closed deals.
    include_lost : bool, default False
        Average over lost deals too (Daymark's variant).
    stat : {"mean", "median"}, default "mean"
        Statistic over the selected deals.
    durations : array_like of timedelta64 or float, optional
        Precomputed cycle lengths aligned with the deals (e.g. business days), used in
        place of ``closed_at - created_at``; plain numbers are read in ``unit``. Deals
        are still selected by ``closed_at``, ``won`` and the window.
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on ``closed_at``.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Unit of the result (and of plain-number ``durations``).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals.

    Returns
    -------
    float or Grouped
        A duration in ``unit``; ``nan`` when no deal is selected.

    Raises
    ------
    ValueError
        On ``closed_at`` before ``created_at``, negative or NaN ``durations``, unknown
        ``stat`` or ``unit``, ``end`` before ``start``, unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Default: won deals only, mean (Sisense: total days to close / deals),
    the figure HubSpot's and Salesforce's velocity reports divide by. Variants: lost
    deals included (Daymark), median (robust to a few very long deals). Open deals (NaT
    ``closed_at``) have no cycle yet and are never selected, even when ``won`` is set.

    References
    ----------
    Sisense KPI library; Daymark.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> created = ["2024-01-01", "2024-01-01", "2024-01-01"]
    >>> closed = ["2024-01-11", "2024-01-31", "2024-01-21"]
    >>> won = [True, True, False]
    >>> cm.sales_cycle_length(created, closed, won)
    20.0
    >>> cm.sales_cycle_length(created, closed, won, include_lost=True, stat="median")
    20.0
    >>> cm.sales_cycle_length(created, closed, won, durations=[8, 22, 14])
    15.0
    """
    created = np.asarray(created_at)
    closed = np.asarray(closed_at)
    keep = in_window(closed, start, end)
    if not include_lost:
        keep &= np.asarray(won)
    rows = np.flatnonzero(keep)
    if durations is None:
        ns: NDArray[Any] = (closed[rows] - created[rows]).view(np.int64)
    else:
        ns = np.asarray(durations)[rows]
    groups = _groups(by, len(created), rows)
    return groups.finish(to_unit(_stat(groups, ns, stat), unit))


# --------------------------------------------------------------------------- deal size
@validated(won=Count(), won_amount=Money())
def average_deal_size_from_counts(won_amount: ArrayLike, won: ArrayLike) -> Any:
    r"""Average deal size from tallies: won revenue over the number of won deals.

    $$\mathrm{average\ deal\ size} = \frac{\sum \mathrm{amount(won)}}{n(\mathrm{won})}$$

    Parameters
    ----------
    won_amount : float or array_like
        Total amount of the won deals (>= 0).
    won : int or array_like of int
        Number of won deals. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        Money per deal; ``nan`` where ``won`` is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or a count negative or fractional.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Won deals only, as in the Salesforce and HubSpot sales-velocity formulas; lost deals have no
    realised size.

    References
    ----------
    Salesforce and HubSpot sales velocity.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.average_deal_size_from_counts(125_000.0, 5)
    25000.0
    """
    return as_result(safe_divide(won_amount, won))


@overload
def average_deal_size(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def average_deal_size(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    closed_at=Timestamps(nat_ok=True),
    won=Flags(),
    amount=Money(event=True),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def average_deal_size(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Average deal size: mean amount of the deals won in ``[start, end)``.

    $$\mathrm{average\ deal\ size} = \frac{\sum_{j \in \text{won in window}} a_j}
    {n(\text{won in window})}$$

    Parameters
    ----------
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time (the anchor), NaT while open.
    won : array_like of bool
        Outcome of closed deals (ignored while open).
    amount : array_like of float
        Deal amounts (>= 0, one currency).
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on ``closed_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals.

    Returns
    -------
    float or Grouped
        Money per won deal; ``nan`` when no deal was won in the window.

    Raises
    ------
    ValueError
        On a negative, NaN or infinite amount, unequal lengths, ``end`` before ``start``.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Won deals only, as in the Salesforce / HubSpot sales-velocity formula; lost and open deals (NaT
    ``closed_at``) are left out. Additive: the sufficient statistics are Σ amount and n per group,
    and [`average_deal_size_from_counts`][crm_metrics.average_deal_size_from_counts] applies
    the same formula to tallies.

    References
    ----------
    Salesforce and HubSpot sales velocity.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> closed = ["2024-01-05", "2024-01-09", "2024-01-20", "NaT"]
    >>> cm.average_deal_size(closed, [True, True, False, False], [100.0, 300.0, 50.0, 900.0])
    200.0
    """
    closed = np.asarray(closed_at)
    keep = in_window(closed, start, end) & np.asarray(won)
    rows = np.flatnonzero(keep)
    groups = _groups(by, len(closed), rows)
    amounts = np.asarray(amount)[rows]
    return groups.finish(safe_divide(groups.sum(amounts), groups.count()))


# --------------------------------------------------------------------------- snapshots
@overload
def open_opportunities(
    created_at: ArrayLike, closed_at: ArrayLike, *, as_of: Any = ..., by: None = None
) -> int: ...
@overload
def open_opportunities(
    created_at: ArrayLike, closed_at: ArrayLike, *, as_of: Any = ..., by: KeysLike
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    as_of=Instant(),
    by=Keys(),
)
def open_opportunities(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    *,
    as_of: Any = None,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""Open opportunities: deals open at ``as_of``.

    $$\mathrm{open} = n\{j : \mathrm{created}_j \le as\_of \wedge
    (\mathrm{closed}_j = \mathrm{NaT} \vee \mathrm{closed}_j > as\_of)\}$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each deal.
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time, NaT while open.
    as_of : datetime64 or ISO-8601 str, optional
        The snapshot instant. Default: one ns after the latest timestamp of the input.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals (owner, stage).

    Returns
    -------
    int or Grouped
        A count (0 for no deals); with ``by``, int64 counts per key.

    Raises
    ------
    ValueError
        On NaT ``created_at``, ``closed_at`` before ``created_at``, unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    A snapshot: a deal closed exactly at ``as_of`` is closed. The
    count HubSpot and Salesforce pipeline reports start from.

    References
    ----------
    DiGGrowth, KPI Tree pipeline coverage.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> created = ["2024-01-01", "2024-02-01", "2024-03-01"]
    >>> closed = ["2024-02-15", "NaT", "NaT"]
    >>> cm.open_opportunities(created, closed, as_of="2024-02-10")
    2
    >>> cm.open_opportunities(created, closed)
    2
    """
    created = np.asarray(created_at)
    closed = np.asarray(closed_at)
    groups = _groups(by, len(created), np.flatnonzero(_open(created, closed, as_of)))
    return groups.finish_count(groups.count())


@overload
def pipeline_value(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    *,
    as_of: Any = ...,
    by: None = None,
) -> float: ...
@overload
def pipeline_value(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    *,
    as_of: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    amount=Money(event=True),
    as_of=Instant(),
    by=Keys(),
)
def pipeline_value(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    *,
    as_of: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Pipeline value: total amount of the deals open at ``as_of``.

    $$\mathrm{pipeline} = \sum_{j\ \text{open at}\ as\_of} a_j$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each deal.
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time, NaT while open.
    amount : array_like of float
        Deal amounts (>= 0).
    as_of : datetime64 or ISO-8601 str, optional
        The snapshot instant. Default: one ns after the latest timestamp of the input.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals.

    Returns
    -------
    float or Grouped
        Money; 0.0 for no open deal.

    Raises
    ------
    ValueError
        On a negative, NaN or infinite amount, ``closed_at`` before ``created_at``,
        unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Unweighted open pipeline, the numerator of
    [`pipeline_coverage`][crm_metrics.pipeline_coverage]; the probability-weighted figure
    is [`weighted_pipeline`][crm_metrics.weighted_pipeline].

    References
    ----------
    DiGGrowth, KPI Tree pipeline coverage.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> created = ["2024-01-01", "2024-02-01", "2024-03-01"]
    >>> closed = ["2024-02-15", "NaT", "NaT"]
    >>> cm.pipeline_value(created, closed, [100.0, 250.0, 50.0])
    300.0
    """
    created = np.asarray(created_at)
    closed = np.asarray(closed_at)
    rows = np.flatnonzero(_open(created, closed, as_of))
    groups = _groups(by, len(created), rows)
    return groups.finish(groups.sum(np.asarray(amount)[rows]))


@overload
def weighted_pipeline(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    stage: ArrayLike,
    *,
    probability: Mapping[Any, float],
    as_of: Any = ...,
    by: None = None,
) -> float: ...
@overload
def weighted_pipeline(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    stage: ArrayLike,
    *,
    probability: Mapping[Any, float],
    as_of: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    created_at=Timestamps(),
    closed_at=Timestamps(nat_ok=True, since="created_at"),
    amount=Money(event=True),
    probability=LabelProbabilities(),
    stage=Labels(choices="probability"),
    as_of=Instant(),
    by=Keys(),
)
def weighted_pipeline(
    created_at: ArrayLike,
    closed_at: ArrayLike,
    amount: ArrayLike,
    stage: ArrayLike,
    *,
    probability: Mapping[Any, float],
    as_of: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Weighted pipeline: open amounts times the win probability of their stage.

    $$\mathrm{weighted} = \sum_{j\ \text{open at}\ as\_of} a_j\, p(\mathrm{stage}_j)$$

    Parameters
    ----------
    created_at : array_like of datetime64 or ISO-8601 str
        Creation time of each deal.
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time, NaT while open.
    amount : array_like of float
        Deal amounts (>= 0).
    stage : array_like
        Each deal's current stage; every value must be a key of ``probability`` (closed
        deals too, e.g. map closed-won to 1 and closed-lost to 0).
    probability : mapping
        Stage -> win probability in [0, 1] (HubSpot's deal-stage probability).
    as_of : datetime64 or ISO-8601 str, optional
        The snapshot instant. Default: one ns after the latest timestamp of the input.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals.

    Returns
    -------
    float or Grouped
        Money; 0.0 for no open deal. Never above
        [`pipeline_value`][crm_metrics.pipeline_value].

    Raises
    ------
    ValueError
        If a stage is not a key of ``probability`` (named with its row), a probability
        is outside [0, 1] or NaN, an amount is negative, or lengths differ.
    TypeError
        If ``probability`` is not a mapping or holds a non-number.

    Notes
    -----
    HubSpot's "weighted amount" (amount times deal-stage probability) summed over open deals;
    Salesforce's "expected revenue" is the same product with the opportunity's own
    probability (pass one stage per probability level). The stage is each deal's stage
    at ``as_of``, as given; history is not replayed.

    References
    ----------
    DiGGrowth, KPI Tree pipeline coverage.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> created = ["2024-01-01", "2024-02-01", "2024-03-01"]
    >>> closed = ["2024-02-15", "NaT", "NaT"]
    >>> probability = {"demo": 0.2, "proposal": 0.6, "won": 1.0}
    >>> cm.weighted_pipeline(
    ...     created, closed, [100.0, 250.0, 50.0], ["won", "demo", "proposal"],
    ...     probability=probability,
    ... )
    80.0
    """
    created = np.asarray(created_at)
    closed = np.asarray(closed_at)
    rows = np.flatnonzero(_open(created, closed, as_of))
    chance = np.fromiter(probability.values(), dtype=np.float64, count=len(probability))
    weighted = np.asarray(amount)[rows] * chance[np.asarray(stage)[rows]]
    groups = _groups(by, len(created), rows)
    return groups.finish(groups.sum(weighted))


# --------------------------------------------------------------------------- coverage, velocity
@validated(pipeline=Money(), quota=Money(), closed_won_to_date=Money(), remaining=Flag())
def pipeline_coverage(
    pipeline: ArrayLike,
    quota: ArrayLike,
    *,
    closed_won_to_date: ArrayLike = 0.0,
    remaining: bool = False,
) -> Any:
    r"""Pipeline coverage: open pipeline over quota (or over the quota still to win).

    $$\mathrm{coverage} = \frac{\mathrm{pipeline}}{\mathrm{quota}}
    \qquad\texttt{remaining=True}:\ \frac{\mathrm{pipeline}}
    {\mathrm{quota} - \mathrm{closed\ won\ to\ date}}$$

    Parameters
    ----------
    pipeline : float or array_like
        Open pipeline value (e.g. [`pipeline_value`][crm_metrics.pipeline_value]), >= 0.
    quota : float or array_like
        The period's quota, >= 0.
    closed_won_to_date : float or array_like, default 0
        Bookings already won in the period (used with ``remaining=True`` only).
    remaining : bool, default False
        Divide by the quota still to be won instead of the full quota.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (3 to 5 is the usual target); ``nan`` where the denominator is 0, and
        with ``remaining=True`` where the quota is already met (remaining <= 0).

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or the shapes do not broadcast.
    TypeError
        If an argument is not numeric, or ``remaining`` is not a bool.

    Notes
    -----
    Currency-free. The remaining-quota variant is the in-quarter reading of
    DiGGrowth / KPI Tree; once the quota is met the ratio is undefined, not infinite.

    References
    ----------
    DiGGrowth and KPI Tree pipeline coverage.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.pipeline_coverage(900_000.0, 300_000.0)
    3.0
    >>> cm.pipeline_coverage(900_000.0, 300_000.0, closed_won_to_date=120_000.0, remaining=True)
    5.0
    """
    quota_f = np.asarray(quota, dtype=np.float64)
    if not remaining:
        return as_result(safe_divide(pipeline, quota_f))
    left = quota_f - np.asarray(closed_won_to_date, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        left = np.where(left <= 0, 0.0, left)  # quota met: undefined (Z), never negative
    return as_result(safe_divide(pipeline, left))


@validated(
    unit=Unit(),
    n_opportunities=Count(),
    avg_deal_size=Money(),
    win_rate=Fraction(),
    cycle_length=Duration(unit="unit"),
)
def sales_velocity(
    n_opportunities: ArrayLike,
    avg_deal_size: ArrayLike,
    win_rate: ArrayLike,
    cycle_length: ArrayLike,
    *,
    unit: str = "D",
) -> Any:
    r"""Sales velocity: expected revenue per unit of time flowing through the pipeline.

    $$v = \frac{n_{\mathrm{opp}} \cdot \overline{\mathrm{deal}} \cdot w}{\mathrm{cycle}}$$

    Parameters
    ----------
    n_opportunities : int or array_like of int
        Open (qualified) opportunities.
    avg_deal_size : float or array_like
        Average won deal size (e.g. [`average_deal_size`][crm_metrics.average_deal_size]).
    win_rate : float or array_like
        Win rate as a fraction in [0, 1] (e.g. [`win_rate`][crm_metrics.win_rate]).
    cycle_length : float, timedelta64 or array_like
        Sales cycle length (e.g. [`sales_cycle_length`][crm_metrics.sales_cycle_length]);
        plain numbers are read in ``unit``, timedelta64 values are unit-free. >= 0.
    unit : {"D", "h", "min", "m", "s"}, default "D"
        Time unit of the result (money per ``unit``).

    Returns
    -------
    float or numpy.ndarray
        Money per ``unit`` of time; ``nan`` where the cycle length is 0.

    Raises
    ------
    ValueError
        On a negative count or amount, a win rate outside [0, 1], a negative or NaN cycle.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The Salesforce / HubSpot formula:
    ``velocity * cycle_length == n_opportunities * avg_deal_size * win_rate``.

    References
    ----------
    Salesforce and HubSpot sales velocity.

    Examples
    --------
    40 opportunities, $25,000 average deal, 25 % win rate, 50-day cycle:

    >>> import crm_metrics as cm
    >>> cm.sales_velocity(40, 25_000.0, 0.25, 50)
    5000.0
    >>> import numpy as np
    >>> cm.sales_velocity(40, 25_000.0, 0.25, np.timedelta64(50, "D"), unit="h")
    208.33333333333334
    """
    cycle = np.asarray(cycle_length, dtype=np.float64) / float(ns_per_unit(unit))
    value = (
        np.asarray(n_opportunities, dtype=np.float64)
        * np.asarray(avg_deal_size, dtype=np.float64)
        * np.asarray(win_rate, dtype=np.float64)
    )
    return as_result(safe_divide(value, cycle))


@validated(bookings=Money(), quota=Money())
def quota_attainment(bookings: ArrayLike, quota: ArrayLike) -> Any:
    r"""Quota attainment: bookings over quota.

    $$\mathrm{attainment} = \frac{\mathrm{bookings}}{\mathrm{quota}}$$

    Parameters
    ----------
    bookings : float or array_like
        Closed-won bookings of the period (>= 0).
    quota : float or array_like
        The period's quota (>= 0). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (1.2 = 120 % of quota); ``nan`` where the quota is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or shapes do not broadcast.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Plain ratio; not capped at 1.

    References
    ----------
    KPI Tree.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.quota_attainment(360_000.0, 300_000.0)
    1.2
    """
    return as_result(safe_divide(bookings, quota))


# --------------------------------------------------------------------------- renewals, revenue
@validated(up_for_renewal=Count(), renewed=Count(le="up_for_renewal"))
def renewal_rate(renewed: ArrayLike, up_for_renewal: ArrayLike) -> Any:
    r"""Renewal rate: contracts renewed over contracts up for renewal.

    $$\mathrm{renewal\ rate} = \frac{\mathrm{renewed}}{\mathrm{up\ for\ renewal}}$$

    Parameters
    ----------
    renewed : int or array_like of int
        Contracts renewed (a subset of ``up_for_renewal``).
    up_for_renewal : int or array_like of int
        Contracts whose term ended in the period. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was up for renewal.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or ``renewed > up_for_renewal``.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Chargebee's count version; the revenue version is
    [`revenue_renewal_rate`][crm_metrics.revenue_renewal_rate].

    References
    ----------
    Chargebee, "What is renewal rate".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.renewal_rate(45, 50)
    0.9
    """
    return as_result(safe_divide(renewed, up_for_renewal))


@validated(renewed_value=Money(), value_up_for_renewal=Money())
def revenue_renewal_rate(renewed_value: ArrayLike, value_up_for_renewal: ArrayLike) -> Any:
    r"""Revenue renewal rate: renewed contract value over the value up for renewal.

    $$\mathrm{revenue\ renewal} = \frac{\mathrm{renewed\ value}}
    {\mathrm{value\ up\ for\ renewal}}$$

    Parameters
    ----------
    renewed_value : float or array_like
        Value of the renewals (>= 0; includes any uplift).
    value_up_for_renewal : float or array_like
        Value of the contracts up for renewal (>= 0). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (price uplift may take it above 1); ``nan`` where nothing was up.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or shapes do not broadcast.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Chargebee's revenue version; not capped at 1, so unlike
    [`renewal_rate`][crm_metrics.renewal_rate] it is a ratio, not a fraction.

    References
    ----------
    Chargebee, "What is renewal rate".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.revenue_renewal_rate(105_000.0, 100_000.0)
    1.05
    """
    return as_result(safe_divide(renewed_value, value_up_for_renewal))


@overload
def new_revenue(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    deal_type: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def new_revenue(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    deal_type: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    closed_at=Timestamps(nat_ok=True),
    won=Flags(),
    amount=Money(event=True),
    deal_type=Labels(choices=DEAL_TYPES),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def new_revenue(
    closed_at: ArrayLike,
    won: ArrayLike,
    amount: ArrayLike,
    deal_type: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""New revenue: total amount of ``"new"`` deals won in ``[start, end)``.

    $$\mathrm{new\ revenue} = \sum_{j\ \text{won in window},\ \mathrm{type}_j = \mathrm{new}}
    a_j$$

    Parameters
    ----------
    closed_at : array_like of datetime64 or ISO-8601 str
        Closing time (the anchor), NaT while open.
    won : array_like of bool
        Outcome of closed deals.
    amount : array_like of float
        Deal amounts (>= 0).
    deal_type : array_like of str
        ``"new"``, ``"renewal"`` or ``"expansion"`` per deal.
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on ``closed_at``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the deals (owner, quarter).

    Returns
    -------
    float or Grouped
        Money; 0.0 when no new deal was won.

    Raises
    ------
    ValueError
        On an unknown deal type (named with its row), a negative or NaN amount, unequal
        lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    New-business bookings: the plain sum of the won ``"new"`` deals; open deals (NaT ``closed_at``)
    have not been won, and renewals and expansions are excluded (see
    [`revenue_renewal_rate`][crm_metrics.revenue_renewal_rate]).

    References
    ----------
    Standard arithmetic (a plain sum over the won deals).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> closed = ["2024-01-05", "2024-01-09", "2024-01-20", "2024-01-25"]
    >>> cm.new_revenue(
    ...     closed, [True, True, True, False], [100.0, 300.0, 50.0, 70.0],
    ...     ["new", "renewal", "new", "new"],
    ... )
    150.0
    """
    closed = np.asarray(closed_at)
    keep = in_window(closed, start, end) & np.asarray(won)
    keep &= np.asarray(deal_type) == DEAL_TYPES.index("new")
    rows = np.flatnonzero(keep)
    groups = _groups(by, len(closed), rows)
    return groups.finish(groups.sum(np.asarray(amount)[rows]))


@validated(deals_with_proposal=Count(), won_with_proposal=Count(le="deals_with_proposal"))
def proposal_win_rate(won_with_proposal: ArrayLike, deals_with_proposal: ArrayLike) -> Any:
    r"""Proposal win rate: deals won after a proposal over deals that got a proposal.

    $$\mathrm{proposal\ win\ rate} = \frac{\mathrm{won\ deals\ with\ proposal}}
    {\mathrm{deals\ with\ proposal}}$$

    Parameters
    ----------
    won_with_proposal : int or array_like of int
        Won deals that had a proposal (a subset of ``deals_with_proposal``).
    deals_with_proposal : int or array_like of int
        Deals that had a proposal. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where no proposal was sent.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or the subset exceeds its base.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Aggregate only: proposals sent are counted with
    ``activity_count(ts, activity_type, kind="proposal")``. A HubSpot funnel ratio.

    References
    ----------
    HubSpot glossary.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.proposal_win_rate(9, 20)
    0.45
    """
    return as_result(safe_divide(won_with_proposal, deals_with_proposal))


# --------------------------------------------------------------------------- activities
@overload
def activity_count(
    ts: ArrayLike,
    activity_type: ArrayLike,
    *,
    kind: str | None = ...,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> int: ...
@overload
def activity_count(
    ts: ArrayLike,
    activity_type: ArrayLike,
    *,
    kind: str | None = ...,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    ts=Timestamps(),
    activity_type=Labels(choices=ACTIVITY_TYPES),
    kind=Omittable(Option(choices=ACTIVITY_TYPES)),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def activity_count(
    ts: ArrayLike,
    activity_type: ArrayLike,
    *,
    kind: str | None = None,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""Sales activity count: activities (of one ``kind``, when given) in ``[start, end)``.

    $$n = \left|\{i : t_i \in [start, end),\ \mathrm{type}_i = kind\}\right|$$

    Parameters
    ----------
    ts : array_like of datetime64 or ISO-8601 str
        Time of each activity.
    activity_type : array_like of str
        ``"call"``, ``"email"``, ``"meeting"`` or ``"proposal"`` per activity.
    kind : {"call", "email", "meeting", "proposal"}, optional
        Count only this type (``kind="call"``: sales calls made; ``"proposal"``:
        proposals sent). All types when omitted.
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on ``ts``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the activities (``by=owner``: per rep).

    Returns
    -------
    int or Grouped
        A count (0 for no activity); int64 counts per key with ``by``.

    Raises
    ------
    ValueError
        On an unknown activity type (named with its row) or ``kind``, NaT ``ts``,
        unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    The plain count behind "sales calls made" or "proposals sent" in a sales report.

    References
    ----------
    Standard arithmetic (a plain count).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> ts = ["2024-01-02", "2024-01-02", "2024-01-03", "2024-02-01"]
    >>> kinds = ["call", "email", "call", "call"]
    >>> cm.activity_count(ts, kinds, kind="call", end="2024-02-01")
    2
    >>> cm.activity_count(ts, kinds, by=["ann", "bob", "ann", "bob"]).to_dict()
    {'ann': 2, 'bob': 2}
    """
    times = np.asarray(ts)
    keep = in_window(times, start, end)
    if kind is not None:
        keep &= np.asarray(activity_type) == ACTIVITY_TYPES.index(kind)
    groups = _groups(by, len(times), np.flatnonzero(keep))
    return groups.finish_count(groups.count())


@overload
def call_to_opportunity_rate(
    ts: ArrayLike,
    activity_type: ArrayLike,
    created_opportunity: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: None = None,
) -> float: ...
@overload
def call_to_opportunity_rate(
    ts: ArrayLike,
    activity_type: ArrayLike,
    created_opportunity: ArrayLike,
    *,
    start: Any = ...,
    end: Any = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    ts=Timestamps(),
    activity_type=Labels(choices=ACTIVITY_TYPES),
    created_opportunity=Flags(),
    start=Instant(),
    end=Instant(not_before="start"),
    by=Keys(),
)
def call_to_opportunity_rate(
    ts: ArrayLike,
    activity_type: ArrayLike,
    created_opportunity: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Call-to-opportunity rate: calls that created an opportunity over calls made.

    $$\mathrm{rate} = \frac{n(\text{calls with created\_opportunity})}{n(\text{calls})}
    \quad\text{(calls in } [start, end))$$

    Parameters
    ----------
    ts : array_like of datetime64 or ISO-8601 str
        Time of each activity.
    activity_type : array_like of str
        ``"call"``, ``"email"``, ``"meeting"`` or ``"proposal"``; only calls count.
    created_opportunity : array_like of bool
        Whether the activity produced an opportunity.
    start, end : datetime64 or ISO-8601 str, optional
        The window ``[start, end)`` on ``ts``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the activities (``by=owner``: per rep).

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` when no call was made.

    Raises
    ------
    ValueError
        On an unknown activity type (named with its row), flags other than 0/1, NaT
        ``ts``, unequal lengths.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    "Calls yielding potential deals", as a HubSpot funnel ratio; other activity types are
    ignored.

    References
    ----------
    HubSpot glossary.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> ts = ["2024-01-02", "2024-01-02", "2024-01-03", "2024-01-04"]
    >>> cm.call_to_opportunity_rate(
    ...     ts, ["call", "email", "call", "call"], [True, True, False, False]
    ... )
    0.3333333333333333
    """
    times = np.asarray(ts)
    keep = in_window(times, start, end) & (np.asarray(activity_type) == _CALL)
    rows = np.flatnonzero(keep)
    groups = _groups(by, len(times), rows)
    return groups.finish(_rate_of(groups, np.asarray(created_opportunity)[rows]))


@validated(activities=Count(), reps=Count(), working_days=Count())
def activities_per_rep_day(activities: ArrayLike, reps: ArrayLike, working_days: ArrayLike) -> Any:
    r"""Activities per rep per working day.

    $$a = \frac{\mathrm{activities}}{\mathrm{reps} \cdot \mathrm{working\ days}}$$

    Parameters
    ----------
    activities : int or array_like of int
        Activities logged in the period (e.g. [`activity_count`][crm_metrics.activity_count]).
    reps : int or array_like of int
        Sales reps active in the period.
    working_days : int or array_like of int
        Working days in the period. Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A rate >= 0; ``nan`` where ``reps`` or ``working_days`` is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or shapes do not broadcast.
    TypeError
        If a count is not numeric.

    Notes
    -----
    Plain arithmetic; the caller chooses the working-day
    calendar.

    References
    ----------
    Standard arithmetic.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.activities_per_rep_day(1_200, 5, 20)
    12.0
    """
    reps_f = np.asarray(reps, dtype=np.float64)
    return as_result(safe_divide(activities, reps_f * np.asarray(working_days, dtype=np.float64)))

"""Seeded synthetic CRM logs: surveys, campaigns, sales, tickets and calls.

Each generator draws one log, with the argument names the metrics take, from a small generative
model (documented in its docstring), with numpy's ``default_rng(seed)`` only, fully vectorised.
The logs are meant for demos, tutorials and tests: they look like real CRM data (skewed
durations, office-hour peaks, funnels that leak) and every metric of the library accepts
them. They are not calibrated to any real company.

Clock hours are counted from ``start``: give a midnight (the default) so that the office
hours of the models fall on the wall-clock hours of the day.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from crm_metrics._validate import Instant, Interval, validated

if TYPE_CHECKING:
    import pandas as pd

_SECOND_NS = 10**9
_HOUR_NS = 3_600 * _SECOND_NS
_DAY_NS = 24 * _HOUR_NS
_NAT = np.iinfo(np.int64).min

#: Relative arrival intensity per clock hour (0..23) of office-bound work: quiet nights,
#: a morning ramp, a lunch dip and an afternoon peak.
_OFFICE = np.array(
    [1, 1, 1, 1, 1, 2, 4, 10, 30, 55, 62, 58, 42, 46, 60, 56, 48, 34, 20, 12, 8, 5, 3, 2],
    dtype=np.float64,
)
#: The same for a contact centre open into the evening.
_CONTACT = np.array(
    [2, 1, 1, 1, 1, 2, 5, 14, 38, 60, 64, 60, 50, 52, 60, 57, 52, 44, 34, 26, 18, 11, 6, 3],
    dtype=np.float64,
)
#: Relative intensity per weekday, Monday first.
_WEEK_SUPPORT = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.35, 0.25])
_WEEK_OFFICE = np.array([1.1, 1.05, 1.0, 1.0, 0.85, 0.06, 0.03])

_AGENTS = ("Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Julia")
_CALL_AGENTS = (*_AGENTS, "Kofi", "Lena")
_OWNERS = ("Avery", "Blake", "Casey", "Devon", "Emerson", "Finley", "Harper", "Jordan")
_STAGES = ("lead", "qualified", "proposal", "negotiation")

_Ints = NDArray[np.int64]
_Floats = NDArray[np.float64]
_Bools = NDArray[np.bool_]
_Times = NDArray[np.datetime64]
_Spans = NDArray[np.timedelta64]
_Strs = NDArray[np.str_]


class _Records:
    """What every log shares: ``len()`` (records) and ``to_pandas()``.

    Mixed into the frozen dataclasses of this package; the array fields are the columns,
    other fields (None, a mapping of costs) are left out of the frame.
    """

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def to_pandas(self) -> pd.DataFrame:
        """The log as a pandas DataFrame, one column per array field (pandas imported lazily)."""
        import pandas as pd

        columns = {f.name: getattr(self, f.name) for f in fields(self)}
        return pd.DataFrame({k: v for k, v in columns.items() if isinstance(v, np.ndarray)})


@dataclass(frozen=True, eq=False)
class SurveyLog(_Records):
    """Survey responses, one row per response.

    Attributes
    ----------
    responded_at : numpy.ndarray of datetime64[ns]
        When the response arrived (sorted).
    nps_score, csat_score, ces_score : numpy.ndarray of int64
        Likelihood to recommend (0..10), satisfaction (1..5), CES 2.0 ease (1..7).
    agent, channel : numpy.ndarray of str
        The agent and the channel (``"email"``, ``"phone"``, ``"chat"``) surveyed about.
    """

    responded_at: _Times
    nps_score: _Ints
    csat_score: _Ints
    ces_score: _Ints
    agent: _Strs
    channel: _Strs


@dataclass(frozen=True, eq=False)
class CampaignLog(_Records):
    """Campaign recipients, one row per campaign and contact.

    Attributes
    ----------
    campaign_id : numpy.ndarray of str
        The campaign (``"C01"``, ``"C02"``, ...).
    contact_id : numpy.ndarray of int64
        The recipient.
    sent, delivered, opened, clicked, responded, converted : numpy.ndarray of bool
        Funnel flags, monotone as the campaign metrics require (a click without an open is allowed,
        rare).
    revenue : numpy.ndarray of float64
        Revenue of the conversion (0.0 unless converted).
    is_new_customer : numpy.ndarray of bool
        The contact was not yet a customer when the campaign went out.
    costs : dict of str to float
        Cost of each campaign (``campaign_id -> cost``).
    sent_at : numpy.ndarray of datetime64[ns]
        Send date of the row's campaign.
    """

    campaign_id: _Strs
    contact_id: _Ints
    sent: _Bools
    delivered: _Bools
    opened: _Bools
    clicked: _Bools
    responded: _Bools
    converted: _Bools
    revenue: _Floats
    is_new_customer: _Bools
    costs: dict[str, float]
    sent_at: _Times


@dataclass(frozen=True, eq=False)
class DealLog(_Records):
    """Deals, one row per deal, sorted by ``created_at``.

    Attributes
    ----------
    deal_id : numpy.ndarray of int64
        1..n.
    created_at, closed_at : numpy.ndarray of datetime64[ns]
        Creation and close; ``closed_at`` is NaT while the deal is open.
    won : numpy.ndarray of bool
        Won (False while open).
    amount : numpy.ndarray of float64
        Deal value.
    stage : numpy.ndarray of str
        Current stage; ``"won"`` or ``"lost"`` once closed.
    owner : numpy.ndarray of str
        The sales rep.
    deal_type : numpy.ndarray of str
        ``"new"``, ``"renewal"`` or ``"expansion"``.
    """

    deal_id: _Ints
    created_at: _Times
    closed_at: _Times
    won: _Bools
    amount: _Floats
    stage: _Strs
    owner: _Strs
    deal_type: _Strs


@dataclass(frozen=True, eq=False)
class StageHistory(_Records):
    """Stage entries of the deals, one row per stage visit, sorted by deal and time.

    Attributes
    ----------
    deal_id : numpy.ndarray of int64
        The deal (see [`DealLog`][crm_metrics.datasets.DealLog]).
    stage : numpy.ndarray of str
        A non-terminal stage of ``SalesData.stage_order``.
    entered_at : numpy.ndarray of datetime64[ns]
        When the deal entered the stage.
    """

    deal_id: _Ints
    stage: _Strs
    entered_at: _Times


@dataclass(frozen=True, eq=False)
class ActivityLog(_Records):
    """Sales activities, sorted by time.

    Attributes
    ----------
    ts : numpy.ndarray of datetime64[ns]
        When the activity happened.
    owner : numpy.ndarray of str
        The sales rep.
    activity_type : numpy.ndarray of str
        ``"call"``, ``"email"``, ``"meeting"`` or ``"proposal"``.
    created_opportunity : numpy.ndarray of bool
        The activity created a deal.
    """

    ts: _Times
    owner: _Strs
    activity_type: _Strs
    created_opportunity: _Bools


@dataclass(frozen=True, eq=False)
class SalesData:
    """A sales pipeline: deals, their stage history and the reps' activities.

    Attributes
    ----------
    deals : DealLog
    stages : StageHistory
    activities : ActivityLog
    stage_order : tuple of str
        The non-terminal stages in funnel order.
    """

    deals: DealLog
    stages: StageHistory
    activities: ActivityLog
    stage_order: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class TicketLog(_Records):
    """Support tickets, sorted by ``opened_at``.

    Attributes
    ----------
    customer_id : numpy.ndarray of int64
        The customer.
    opened_at : numpy.ndarray of datetime64[ns]
        When the ticket was opened.
    first_response_at, resolved_at : numpy.ndarray of datetime64[ns]
        First agent reply and resolution; NaT if it has not happened by the end of the
        period.
    due_at, response_due_at : numpy.ndarray of datetime64[ns]
        Resolution and first-response SLA targets; NaT for tickets without an SLA.
    contacts : numpy.ndarray of int64
        Customer contacts until resolution (>= 1).
    reopened, escalated : numpy.ndarray of bool
        Reopened after a resolution; escalated to a second line.
    channel, agent : numpy.ndarray of str
        ``"email"``, ``"chat"``, ``"phone"`` or ``"web"``; the assigned agent.
    """

    customer_id: _Ints
    opened_at: _Times
    first_response_at: _Times
    resolved_at: _Times
    due_at: _Times
    response_due_at: _Times
    contacts: _Ints
    reopened: _Bools
    escalated: _Bools
    channel: _Strs
    agent: _Strs


@dataclass(frozen=True, eq=False)
class CallLog(_Records):
    """Inbound queue calls, sorted by ``queued_at``.

    Attributes
    ----------
    queued_at : numpy.ndarray of datetime64[ns]
        When the call entered the queue.
    answered_at : numpy.ndarray of datetime64[ns]
        When an agent answered; NaT for an abandoned call.
    wait, talk, hold, acw : numpy.ndarray of timedelta64[ns]
        Queue time (until answer or hang-up), talk, hold and after-call work (0 for
        abandoned calls).
    agent : numpy.ndarray of str
        The answering agent; ``"unassigned"`` for abandoned calls.
    customer_id : numpy.ndarray of int64
        The caller.
    """

    queued_at: _Times
    answered_at: _Times
    wait: _Spans
    talk: _Spans
    hold: _Spans
    acw: _Spans
    agent: _Strs
    customer_id: _Ints


# --------------------------------------------------------------------------- helpers
def _times(ns: _Ints) -> _Times:
    """int64 nanoseconds since 1970 (``_NAT`` for NaT) as datetime64[ns]."""
    return ns.view("datetime64[ns]")


def _spans(seconds: _Floats) -> _Spans:
    """Seconds as timedelta64[ns], rounded to the millisecond."""
    ms = np.round(seconds * 1e3).astype(np.int64)
    return (ms * 10**6).view("timedelta64[ns]")


def _lognormal(
    rng: np.random.Generator, median: Any, sigma: float, n: int | tuple[int, int]
) -> _Floats:
    """Lognormal draws of shape ``n`` with the given median(s) and log-scale ``sigma``."""
    return np.asarray(median, dtype=np.float64) * np.exp(sigma * rng.standard_normal(n))


def _weekday(ns: _Ints) -> _Ints:
    """Weekday of each instant, Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.floor_divide(ns, _DAY_NS) + 3) % 7


def _arrivals(
    rng: np.random.Generator,
    n: int,
    origin: int,
    days: int,
    hours: _Floats,
    week: _Floats,
) -> _Ints:
    """``n`` sorted arrival instants (int64 ns) in ``[origin, origin + days)``.

    The day is drawn with weights ``week[weekday]`` and the clock hour (counted from
    ``origin``) with weights ``hours``; the instant is uniform within the hour.
    """
    day_weight = week[_weekday(origin + np.arange(days, dtype=np.int64) * _DAY_NS)]
    day = rng.choice(days, size=n, p=day_weight / day_weight.sum())
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    within = np.floor(rng.random(n) * _HOUR_NS).astype(np.int64)
    return np.sort(origin + day * _DAY_NS + hour * _HOUR_NS + within)


def _next_office_start(ns: _Ints, origin: int) -> _Ints:
    """The instant itself if within office hours (Mon-Fri 9:00-18:00), else the next 9:00.

    Clock hours are counted from ``origin``.
    """
    rel = ns - origin
    day = np.floor_divide(rel, _DAY_NS)
    clock = rel - day * _DAY_NS
    weekday = _weekday(origin + day * _DAY_NS)
    open_ = 9 * _HOUR_NS
    inside = (weekday < 5) & (clock >= open_) & (clock < 18 * _HOUR_NS)
    # before 9:00 on a weekday: today 9:00; otherwise the next day's 9:00
    start_day = np.where((weekday < 5) & (clock < open_), day, day + 1)
    start_weekday = _weekday(origin + start_day * _DAY_NS)
    start_day = start_day + np.where(start_weekday >= 5, 7 - start_weekday, 0)
    return np.where(inside, ns, origin + start_day * _DAY_NS + open_)


def _pick(rng: np.random.Generator, names: tuple[str, ...], n: int, p: Any = None) -> _Ints:
    """Indices into ``names`` (uniform, or with probabilities ``p``)."""
    return rng.choice(len(names), size=n, p=p)


def _label(names: tuple[str, ...], index: _Ints) -> _Strs:
    return np.asarray(names)[index]


def _customers(rng: np.random.Generator, n: int, pool: int) -> _Ints:
    """``n`` customer ids from ``pool`` customers of gamma-distributed propensity."""
    weight = rng.gamma(0.6, 1.0, pool)
    return rng.choice(pool, size=n, p=weight / weight.sum()).astype(np.int64) + 1


_COUNT = Interval(lo=1, integer=True, scalar=True)
_SEED = Interval(lo=0, integer=True, scalar=True)
_START = Instant(optional=False)


def _origin(start: Any) -> int:
    return int(np.datetime64(start, "ns").astype(np.int64))


# --------------------------------------------------------------------------- surveys
@validated(n_responses=_COUNT, seed=_SEED, start=_START, days=_COUNT)
def simulate_surveys(
    n_responses: int = 5000, *, seed: int = 0, start: Any = "2024-01-01", days: int = 365
) -> SurveyLog:
    r"""Draw a seeded log of post-contact survey responses (NPS, CSAT and CES together).

    Each response rates one contact with one agent on one channel. A latent satisfaction

    $$z = a_{\text{agent}} + c_{\text{channel}} + \varepsilon,\quad
    a \sim N(0, 0.25^2),\ \varepsilon \sim N(0, 1)$$

    drives all three scores (NPS 0..10 around 8.1 with spread 2.2, CSAT 1..5 around 4.1,
    CES 1..7 around 5.2, each with its own extra noise, rounded and clipped to the scale),
    so the scores are correlated and their distributions differ by agent and by channel
    (chat best, email worst).

    Parameters
    ----------
    n_responses : int, default 5000
        Number of responses (>= 1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same log.
    start : datetime64 or str, default "2024-01-01"
        Start of the period (clock hours are counted from it: give a midnight).
    days : int, default 365
        Length of the period in days (>= 1).

    Returns
    -------
    SurveyLog
        Fields ``responded_at`` (sorted, office-hour and weekday peaks), ``nps_score``,
        ``csat_score``, ``ces_score`` (int64), ``agent`` (10 names) and ``channel``
        (``"email"``, ``"phone"``, ``"chat"``).

    Raises
    ------
    ValueError
        If a count is below 1, ``seed`` is negative or not whole, or ``start`` is not a
        timestamp.
    TypeError
        If an argument has the wrong kind.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> from crm_metrics import datasets
    >>> log = datasets.simulate_surveys(2000, seed=1)
    >>> len(log), sorted(set(log.channel.tolist()))
    (2000, ['chat', 'email', 'phone'])
    >>> 0 < cm.nps(log.nps_score) < 50, 0.6 < cm.csat(log.csat_score) < 0.9
    (True, True)
    """
    rng = np.random.default_rng(seed)
    n = n_responses
    origin = _origin(start)
    ts = _arrivals(rng, n, origin, days, _CONTACT, _WEEK_SUPPORT)
    channels = ("email", "phone", "chat")
    channel = _pick(rng, channels, n, p=[0.4, 0.35, 0.25])
    agent_effect = rng.normal(0.0, 0.25, len(_AGENTS))
    agent = _pick(rng, _AGENTS, n)
    z = agent_effect[agent] + np.array([-0.25, 0.0, 0.2])[channel] + rng.standard_normal(n)

    def score(centre: float, spread: float, lo: int, hi: int) -> _Ints:
        item = 0.85 * z + 0.5 * rng.standard_normal(n)
        points: _Floats = np.clip(np.rint(centre + spread * item), lo, hi)
        return points.astype(np.int64)

    return SurveyLog(
        responded_at=_times(ts),
        nps_score=score(8.1, 2.2, 0, 10),
        csat_score=score(4.1, 1.0, 1, 5),
        ces_score=score(5.2, 1.3, 1, 7),
        agent=_label(_AGENTS, agent),
        channel=_label(channels, channel),
    )


# --------------------------------------------------------------------------- campaigns
@validated(n_contacts=_COUNT, n_campaigns=_COUNT, seed=_SEED, start=_START)
def simulate_campaigns(
    n_contacts: int = 20000, n_campaigns: int = 6, *, seed: int = 0, start: Any = "2024-01-01"
) -> CampaignLog:
    r"""Draw a seeded log of email campaigns sent to a contact base.

    Campaign ``k`` goes out on ``start + 30 k`` days to a random share (30-80 %) of the
    ``n_contacts`` contacts. Each campaign has its own rates, drawn once: delivery
    (93-99 % of sent), opens (15-45 % of delivered), click-to-open (8-30 %), response
    (25-55 % of clickers, 0.3 % of the rest), conversion (15-40 % of responders, 0.1 % of
    the rest), median order value (40-160, lognormal spread 0.7) and cost (a fixed
    500-3000 plus 0.02-0.10 per message sent). Each contact has a lasting engagement
    level (lognormal, mean 1) that scales its open and click chances in every campaign.
    About 1 % of rows are suppressed (not sent), and a click without a recorded open
    (image blocking) happens for 0.4 % of unopened deliveries. 60 % of contacts start
    as prospects; ``is_new_customer`` holds until a prospect's first conversion.

    $$P(\text{open}_{ik}) = \min(1, o_k g_i),\quad
    P(\text{click}_{ik} \mid \text{open}) = \min(1, t_k g_i)$$

    Parameters
    ----------
    n_contacts : int, default 20000
        Size of the contact base (>= 1).
    n_campaigns : int, default 6
        Number of campaigns (>= 1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same log.
    start : datetime64 or str, default "2024-01-01"
        Send date of the first campaign.

    Returns
    -------
    CampaignLog
        One row per campaign and targeted contact, by campaign then contact; ``costs`` maps
        every ``campaign_id`` to its cost; ``sent_at`` is the campaign's send date.

    Raises
    ------
    ValueError
        If a count is below 1, ``seed`` is negative or not whole, or ``start`` is not a
        timestamp.
    TypeError
        If an argument has the wrong kind.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> from crm_metrics import datasets
    >>> log = datasets.simulate_campaigns(5000, 3, seed=1)
    >>> summary = cm.campaign_summary(log.campaign_id, log.sent, log.delivered, log.responded,
    ...                               log.converted, log.revenue, log.is_new_customer,
    ...                               log.contact_id)
    >>> summary.keys.tolist(), sorted(log.costs)
    (['C01', 'C02', 'C03'], ['C01', 'C02', 'C03'])
    """
    rng = np.random.default_rng(seed)
    k = n_campaigns
    width = max(2, len(str(k)))
    names = tuple(f"C{i + 1:0{width}d}" for i in range(k))
    share = rng.uniform(0.3, 0.8, k)
    deliver = rng.uniform(0.93, 0.99, k)
    open_rate = rng.uniform(0.15, 0.45, k)
    click_to_open = rng.uniform(0.08, 0.30, k)
    respond = rng.uniform(0.25, 0.55, k)
    convert = rng.uniform(0.15, 0.40, k)
    order_value = rng.uniform(40.0, 160.0, k)
    fixed, per_message = rng.uniform(500.0, 3000.0, k), rng.uniform(0.02, 0.10, k)
    engagement = rng.lognormal(-0.5 * 0.6**2, 0.6, n_contacts)
    prospect = rng.random(n_contacts) < 0.6

    campaign, contact = np.nonzero(rng.random((k, n_contacts)) < share[:, None])
    contact = contact.astype(np.int64)
    m = len(campaign)
    g = engagement[contact]
    sent = rng.random(m) >= 0.01
    delivered = sent & (rng.random(m) < deliver[campaign])
    opened = delivered & (rng.random(m) < np.minimum(1.0, open_rate[campaign] * g))
    click_chance = np.where(opened, np.minimum(1.0, click_to_open[campaign] * g), 0.004)
    clicked = delivered & (rng.random(m) < click_chance)
    responded = delivered & (rng.random(m) < np.where(clicked, respond[campaign], 0.003))
    converted = delivered & (rng.random(m) < np.where(responded, convert[campaign], 0.001))
    value = np.round(_lognormal(rng, order_value[campaign], 0.7, m), 2)
    revenue: _Floats = np.where(converted, value, 0.0)
    # a prospect is new until the campaign of its first conversion (rows are by campaign)
    first = np.full(n_contacts, k, dtype=np.int64)
    np.minimum.at(first, contact[converted], campaign[converted])
    is_new = prospect[contact] & (campaign <= first[contact])
    costs = {
        name: round(float(fixed[i] + per_message[i] * np.count_nonzero(sent[campaign == i])), 2)
        for i, name in enumerate(names)
    }
    sent_at = _origin(start) + campaign.astype(np.int64) * 30 * _DAY_NS
    return CampaignLog(
        campaign_id=_label(names, campaign),
        contact_id=contact + 1,
        sent=sent,
        delivered=delivered,
        opened=opened,
        clicked=clicked,
        responded=responded,
        converted=converted,
        revenue=revenue,
        is_new_customer=is_new,
        costs=costs,
        sent_at=_times(sent_at),
    )


# --------------------------------------------------------------------------- sales
#: Chance to move on from each stage (and, from the last, to win), per deal type.
_ADVANCE = {
    "new": (0.60, 0.65, 0.75, 0.70),
    "renewal": (1.0, 0.80, 0.80, 0.75),
    "expansion": (1.0, 0.75, 0.75, 0.70),
}
_FIRST_STAGE = {"new": 0, "renewal": 1, "expansion": 1}
_MEDIAN_AMOUNT = {"new": 15000.0, "renewal": 9000.0, "expansion": 6000.0}
_STAGE_DAYS = np.array([4.0, 9.0, 12.0, 8.0])


@validated(n_deals=_COUNT, seed=_SEED, start=_START, days=_COUNT)
def simulate_sales(
    n_deals: int = 3000, *, seed: int = 0, start: Any = "2024-01-01", days: int = 365
) -> SalesData:
    r"""Draw a seeded sales pipeline: deals, their stage history and the reps' activities.

    Deals are created over the period (weekday office hours) by 8 reps, 60 % ``"new"``
    (entering at ``"lead"``), 25 % ``"renewal"`` and 15 % ``"expansion"`` (entering at
    ``"qualified"``). In each stage a deal stays a lognormal time (medians 4, 9, 12 and 8
    days, spread 0.7; 1.5 times longer in the stage where it is lost), then moves on
    with a stage- and type-specific chance scaled by its rep's skill, or is lost; moving
    on from ``"negotiation"`` wins it. The funnel leaks at every stage and the win rate
    (won / closed) is about 25-30 %. Deals whose close falls after the period are open:
    ``closed_at`` NaT, ``won`` False, ``stage`` the stage they are in, and their later
    stage entries are not recorded. Amounts are lognormal (medians 15,000 new, 9,000
    renewal, 6,000 expansion).

    $$P(\text{won}) = \prod_{k \ge k_0} \min(0.97,\ s_{\text{owner}}\, p_{k,\text{type}})$$

    Activities: each new deal is created by a call (70 %) or a meeting at its creation
    time (``created_opportunity`` True), each entry into ``"proposal"`` is a
    ``"proposal"`` activity, and about 10 background calls, emails and meetings per deal
    fall on weekday office hours, more for busier reps.

    Parameters
    ----------
    n_deals : int, default 3000
        Number of deals (>= 1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.
    start : datetime64 or str, default "2024-01-01"
        Start of the period (clock hours are counted from it: give a midnight).
    days : int, default 365
        Length of the period in days (>= 1).

    Returns
    -------
    SalesData
        ``deals`` ([`DealLog`][crm_metrics.datasets.DealLog]), ``stages``
        ([`StageHistory`][crm_metrics.datasets.StageHistory]), ``activities``
        ([`ActivityLog`][crm_metrics.datasets.ActivityLog]) and ``stage_order``
        (``("lead", "qualified", "proposal", "negotiation")``).

    Raises
    ------
    ValueError
        If a count is below 1, ``seed`` is negative or not whole, or ``start`` is not a
        timestamp.
    TypeError
        If an argument has the wrong kind.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> from crm_metrics import datasets
    >>> data = datasets.simulate_sales(1000, seed=1)
    >>> d = data.deals
    >>> 0.15 < cm.win_rate(d.created_at, d.closed_at, d.won) < 0.4
    True
    >>> rates = cm.stage_conversion_rates(data.stages.deal_id, data.stages.stage,
    ...                                   stage_order=data.stage_order)
    >>> bool((rates.values < 1).all())
    True
    """
    rng = np.random.default_rng(seed)
    n = n_deals
    origin = _origin(start)
    end = origin + days * _DAY_NS
    n_stages = len(_STAGES)
    types = tuple(_ADVANCE)
    created = _arrivals(rng, n, origin, days, _OFFICE, _WEEK_OFFICE)
    deal_type = _pick(rng, types, n, p=[0.6, 0.25, 0.15])
    skill = rng.uniform(0.9, 1.08, len(_OWNERS))
    owner = _pick(rng, _OWNERS, n)
    first = np.array([_FIRST_STAGE[t] for t in types])[deal_type]
    advance_p = np.minimum(0.97, np.array([_ADVANCE[t] for t in types])[deal_type])
    advance_p = np.minimum(0.97, advance_p * skill[owner][:, None])
    stage_index = np.arange(n_stages)
    in_funnel = stage_index[None, :] >= first[:, None]
    moves_on = (rng.random((n, n_stages)) < advance_p) | ~in_funnel
    # reached stage k: in the funnel and moved on from every earlier stage in it
    passed_before = np.cumprod(np.hstack([np.ones((n, 1), bool), moves_on[:, :-1]]), axis=1)
    reached = in_funnel & passed_before.astype(bool)
    last = n_stages - 1 - np.argmax(reached[:, ::-1], axis=1)
    won = moves_on[np.arange(n), last] & (last == n_stages - 1)
    stay = _lognormal(rng, _STAGE_DAYS, 0.7, (n, n_stages))
    stay[np.arange(n), last] *= np.where(won, 1.0, 1.5)
    stay_ns = np.where(reached, np.round(stay * _DAY_NS), 0).astype(np.int64)
    entered = created[:, None] + np.cumsum(stay_ns, axis=1) - stay_ns
    close = created + stay_ns.sum(axis=1)
    closed = close < end
    recorded = reached & (entered < end)
    current = n_stages - 1 - np.argmax(recorded[:, ::-1], axis=1)
    stage_names = np.asarray(_STAGES)
    stage = np.where(closed, np.where(won, "won", "lost"), stage_names[current])
    median_amount = np.array([_MEDIAN_AMOUNT[t] for t in types])[deal_type]
    amount = np.round(_lognormal(rng, median_amount, 0.8, n), 2)
    deal_id = np.arange(1, n + 1, dtype=np.int64)
    deals = DealLog(
        deal_id=deal_id,
        created_at=_times(created),
        closed_at=_times(np.where(closed, close, _NAT)),
        won=won & closed,
        amount=amount,
        stage=stage,
        owner=_label(_OWNERS, owner),
        deal_type=_label(types, deal_type),
    )
    row, col = np.nonzero(recorded)  # row-major: by deal, then stage (= by time)
    stages = StageHistory(
        deal_id=deal_id[row], stage=stage_names[col], entered_at=_times(entered[row, col])
    )

    # activities: the creating touch of each new deal, proposals, and background work
    kinds = ("call", "email", "meeting", "proposal")
    is_new = deal_type == 0
    origin_kind = np.where(rng.random(n) < 0.7, 0, 2)[is_new]
    proposal = recorded[:, 2]
    busy = rng.gamma(4.0, 0.25, len(_OWNERS))
    n_bg = 10 * n
    bg_owner = _pick(rng, _OWNERS, n_bg, p=busy / busy.sum())
    bg_kind = _pick(rng, kinds, n_bg, p=[0.5, 0.38, 0.12, 0.0])
    bg_ts = _arrivals(rng, n_bg, origin, days, _OFFICE, _WEEK_OFFICE)
    ts = np.concatenate([created[is_new], entered[proposal, 2], bg_ts])
    order = np.argsort(ts, kind="stable")
    act_owner = np.concatenate([owner[is_new], owner[proposal], bg_owner])[order]
    act_kind = np.concatenate([origin_kind, np.full(np.count_nonzero(proposal), 3), bg_kind])[order]
    creates = np.zeros(len(ts), dtype=bool)
    creates[: np.count_nonzero(is_new)] = True
    activities = ActivityLog(
        ts=_times(ts[order]),
        owner=_label(_OWNERS, act_owner),
        activity_type=_label(kinds, act_kind),
        created_opportunity=creates[order],
    )
    return SalesData(deals=deals, stages=stages, activities=activities, stage_order=_STAGES)


# --------------------------------------------------------------------------- tickets
_TICKET_CHANNELS = ("email", "chat", "phone", "web")
#: Median first-response and further resolution times (hours) per channel.
_FIRST_REPLY_H = np.array([2.5, 0.05, 0.1, 3.0])
_RESOLVE_H = np.array([20.0, 0.4, 0.5, 26.0])
#: Priorities (urgent, high, normal, low): shares and SLA targets in hours.
_PRIORITY_P = [0.05, 0.2, 0.55, 0.2]
_RESPONSE_SLA_H = np.array([1.0, 4.0, 8.0, 24.0])
_RESOLUTION_SLA_H = np.array([8.0, 24.0, 48.0, 120.0])


@validated(n_tickets=_COUNT, seed=_SEED, start=_START, days=_COUNT)
def simulate_tickets(
    n_tickets: int = 5000, *, seed: int = 0, start: Any = "2024-01-01", days: int = 365
) -> TicketLog:
    r"""Draw a seeded support-ticket log with first replies, resolutions and SLA targets.

    Tickets arrive over the period with office-hour and weekday peaks (weekends about a
    quarter of a weekday) on four channels (email 45 %, chat 25 %, phone 15 %, web 15 %)
    from a customer base where a few customers open many tickets. Agents (10, each
    with a speed factor) reply after a lognormal time (medians: email 2.5 h, chat
    3 min, phone 6 min, web 3 h; spread 1.0); email and web tickets opened outside
    office hours (Mon-Fri 9:00-18:00) wait for the next opening first. Resolution takes a
    further lognormal time (medians: email 20 h, chat 0.4 h, phone 0.5 h, web 26 h;
    spread 1.1), three times longer for the 7 % escalated tickets. Customer contacts are
    ``1 + Poisson(0.25 + 0.9 escalated + 0.25 log(1 + hours / 24))``; 6 % of resolved
    tickets (16 % of multi-contact ones) are reopened. SLA targets follow a priority
    (response 1/4/8/24 h, resolution 8/24/48/120 h); 4 % of tickets have no SLA (NaT).
    1 % of tickets stall and are never resolved, and replies or resolutions that would
    fall after the period are NaT, so the last days hold unanswered and unresolved
    tickets.

    Parameters
    ----------
    n_tickets : int, default 5000
        Number of tickets (>= 1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same log.
    start : datetime64 or str, default "2024-01-01"
        Start of the period (clock hours are counted from it: give a midnight).
    days : int, default 365
        Length of the period in days (>= 1).

    Returns
    -------
    TicketLog
        The ticket fields the service metrics take, sorted by ``opened_at``.

    Raises
    ------
    ValueError
        If a count is below 1, ``seed`` is negative or not whole, or ``start`` is not a
        timestamp.
    TypeError
        If an argument has the wrong kind.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> from crm_metrics import datasets
    >>> t = datasets.simulate_tickets(2000, seed=1)
    >>> hours = cm.first_response_time(t.opened_at, t.first_response_at, stat="median")
    >>> 0 < hours < 24, 0.5 < cm.sla_compliance_rate(t.opened_at, resolved_at=t.resolved_at,
    ...                                              due_at=t.due_at) < 1
    (True, True)
    """
    rng = np.random.default_rng(seed)
    n = n_tickets
    origin = _origin(start)
    end = origin + days * _DAY_NS
    opened = _arrivals(rng, n, origin, days, _CONTACT, _WEEK_SUPPORT)
    channel = _pick(rng, _TICKET_CHANNELS, n, p=[0.45, 0.25, 0.15, 0.15])
    agent = _pick(rng, _AGENTS, n)
    speed = rng.lognormal(0.0, 0.25, len(_AGENTS))[agent]
    deferred = np.isin(channel, [0, 3])
    clock_start = np.where(deferred, _next_office_start(opened, origin), opened)
    reply_h = _lognormal(rng, _FIRST_REPLY_H[channel], 1.0, n) * speed
    first_reply = clock_start + np.round(reply_h * _HOUR_NS).astype(np.int64)
    escalated = rng.random(n) < 0.07
    resolve_h = _lognormal(rng, _RESOLVE_H[channel], 1.1, n) * speed * np.where(escalated, 3, 1)
    resolved = first_reply + np.round(resolve_h * _HOUR_NS).astype(np.int64)
    total_h = (resolved - opened) / _HOUR_NS
    contacts = 1 + rng.poisson(0.25 + 0.9 * escalated + 0.25 * np.log1p(total_h / 24.0))
    stalled = rng.random(n) < 0.01
    answered = first_reply < end
    done = answered & (resolved < end) & ~stalled
    reopened = done & (rng.random(n) < np.where(contacts > 1, 0.16, 0.06))
    contacts = np.where(reopened, np.maximum(contacts, 2), contacts).astype(np.int64)
    priority = rng.choice(4, size=n, p=_PRIORITY_P)
    has_sla = rng.random(n) >= 0.04
    response_due = opened + (_RESPONSE_SLA_H[priority] * _HOUR_NS).astype(np.int64)
    due = opened + (_RESOLUTION_SLA_H[priority] * _HOUR_NS).astype(np.int64)
    return TicketLog(
        customer_id=_customers(rng, n, max(1, n // 2)),
        opened_at=_times(opened),
        first_response_at=_times(np.where(answered, first_reply, _NAT)),
        resolved_at=_times(np.where(done, resolved, _NAT)),
        due_at=_times(np.where(has_sla, due, _NAT)),
        response_due_at=_times(np.where(has_sla, response_due, _NAT)),
        contacts=contacts,
        reopened=reopened,
        escalated=escalated,
        channel=_label(_TICKET_CHANNELS, channel),
        agent=_label(_AGENTS, agent),
    )


# --------------------------------------------------------------------------- calls
@validated(n_calls=_COUNT, seed=_SEED, start=_START, days=_COUNT)
def simulate_calls(
    n_calls: int = 20000, *, seed: int = 0, start: Any = "2024-01-01", days: int = 90
) -> CallLog:
    r"""Draw a seeded inbound call-queue log with waits, abandons and handle times.

    Calls arrive with contact-centre hour and weekday peaks. The wait a caller would
    need is lognormal with a median that grows with the load of its hour,
    $12\,\text{s} \times (\text{load} / \text{median load})^{1.5}$ (clipped to 3-300 s,
    spread 1.0); each caller's patience is lognormal (median 90 s, spread 1.0). A caller
    whose patience runs out first abandons (``answered_at`` NaT, ``wait`` = patience,
    ``agent`` ``"unassigned"``), so busy hours lose more calls; about 5-10 % are
    abandoned and about 70 % are answered within 20 s. Answered calls get one of 12
    agents and lognormal talk (median 4 min times the agent's factor, spread 0.6), hold
    (40 % of calls, median 45 s) and after-call work (median 30 s, spread 0.5). Callers
    come from a base where some call often.

    $$P(\text{abandon}) = P(\text{patience} < \text{wait needed})$$

    Parameters
    ----------
    n_calls : int, default 20000
        Number of calls offered (>= 1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same log.
    start : datetime64 or str, default "2024-01-01"
        Start of the period (clock hours are counted from it: give a midnight).
    days : int, default 90
        Length of the period in days (>= 1).

    Returns
    -------
    CallLog
        The call fields the call metrics take, sorted by ``queued_at``; durations at millisecond
        precision.

    Raises
    ------
    ValueError
        If a count is below 1, ``seed`` is negative or not whole, or ``start`` is not a
        timestamp.
    TypeError
        If an argument has the wrong kind.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> from crm_metrics import datasets
    >>> c = datasets.simulate_calls(5000, seed=1)
    >>> 0.02 < cm.abandonment_rate(c.queued_at, c.answered_at, c.wait) < 0.2
    True
    >>> 120 < cm.average_handle_time(c.queued_at, c.answered_at, c.talk, c.hold, c.acw) < 600
    True
    """
    rng = np.random.default_rng(seed)
    n = n_calls
    origin = _origin(start)
    queued = _arrivals(rng, n, origin, days, _CONTACT, _WEEK_SUPPORT)
    slot = np.floor_divide(queued - origin, _HOUR_NS)
    load = np.bincount(slot)[slot].astype(np.float64)
    median_wait = np.clip(12.0 * (load / np.median(load)) ** 1.5, 3.0, 300.0)
    needed = _lognormal(rng, median_wait, 1.0, n)
    patience = _lognormal(rng, 90.0, 1.0, n)
    answered = needed <= patience
    wait = np.where(answered, needed, patience)
    wait_td = _spans(wait)
    agent = _pick(rng, _CALL_AGENTS, n)
    pace = rng.lognormal(0.0, 0.15, len(_CALL_AGENTS))[agent]
    talk = _lognormal(rng, 240.0 * pace, 0.6, n)
    hold = np.where(rng.random(n) < 0.4, _lognormal(rng, 45.0, 0.8, n), 0.0)
    acw = _lognormal(rng, 30.0, 0.5, n)
    zero = np.zeros(n)
    answered_at = queued + wait_td.view(np.int64)
    return CallLog(
        queued_at=_times(queued),
        answered_at=_times(np.where(answered, answered_at, _NAT)),
        wait=wait_td,
        talk=_spans(np.where(answered, talk, zero)),
        hold=_spans(np.where(answered, hold, zero)),
        acw=_spans(np.where(answered, acw, zero)),
        agent=np.where(answered, _label(_CALL_AGENTS, agent), "unassigned"),
        customer_id=_customers(rng, n, n),
    )

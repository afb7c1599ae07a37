"""Campaign and marketing metrics.

Event-level functions take campaign-recipient records as aligned arrays (one record per
campaign x contact, funnel flags ``sent``, ``delivered``, ``responded``, ``converted``, the
``revenue`` of the record and ``is_new_customer``); ``campaign_summary`` is the canonical
per-campaign report and produces the tallies the aggregate rates take. Aggregate functions
(response, conversion, email, web and cost ratios) take counts or amounts and broadcast.
Web transactions for cross-selling follow the transaction schema (``customer_id``,
``product_id``, ``ts``).

Every event-level metric is split into sufficient statistics per group (counts, sums and
distinct counts) and the formula applied to them, so the grouped and the ungrouped result
come from the same code; distinct counts (new customers, products per customer) are exact
and not additive over groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._groupby import Grouped, Groups, KeysLike, factorize, groups_of, in_window
from crm_metrics._math import as_result, ns_per_unit, safe_divide
from crm_metrics._validate import (
    Bounded,
    Count,
    Duration,
    Flags,
    Fraction,
    ImpliedFlags,
    Instant,
    Keys,
    Money,
    Option,
    Timestamps,
    Unit,
    validated,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CampaignSummary",
    "avg_session_duration",
    "avg_session_duration_from_counts",
    "campaign_conversion_rate",
    "campaign_new_customers",
    "campaign_revenue",
    "campaign_summary",
    "click_through_rate",
    "click_to_open_rate",
    "cost_per_acquisition",
    "cost_per_click",
    "cost_per_lead",
    "cost_per_response",
    "cross_sell_rate",
    "cross_sell_ratio",
    "email_bounce_rate",
    "email_click_rate",
    "email_list_growth_rate",
    "email_open_rate",
    "goal_conversion_rate",
    "marketing_roi",
    "pages_per_session",
    "response_lift",
    "response_rate",
    "roas",
    "unsubscribe_rate",
    "upsell_rate",
    "upsell_revenue_share",
    "web_bounce_rate",
]

_CONTACT = Keys(optional=False, multi=False)

#: The 16 funnel states of campaign_summary's histogram: bits sent 1, delivered 2,
#: responded 4, converted 8.
_STATES = np.arange(16)


# --------------------------------------------------------------------------- result type
@dataclass(frozen=True, eq=False)
class CampaignSummary:
    """Per-campaign statistics of `campaign_summary`: one array per field.

    Attributes
    ----------
    keys : numpy.ndarray
        Sorted unique campaign ids; the number of campaigns is ``len(keys)``.
    sent, delivered, responded, converted : numpy.ndarray of int64
        Recipients per campaign with each funnel flag set.
    revenue : numpy.ndarray of float64
        Sum of ``revenue`` over the converted recipients of each campaign.
    new_customers : numpy.ndarray of int64
        Distinct contacts per campaign that converted and are new customers.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> s = cm.campaign_summary(["a", "a", "b"], [1, 1, 1], [1, 0, 1], [1, 0, 0],
    ...                         [1, 0, 0], [50.0, 0.0, 0.0], [1, 0, 0], [7, 8, 9])
    >>> s.keys.tolist(), s.delivered.tolist(), s.revenue.tolist()
    (['a', 'b'], [1, 1], [50.0, 0.0])
    >>> s.to_dict()["a"]["new_customers"]
    1
    """

    keys: NDArray[Any]
    sent: NDArray[np.int64]
    delivered: NDArray[np.int64]
    responded: NDArray[np.int64]
    converted: NDArray[np.int64]
    revenue: NDArray[np.float64]
    new_customers: NDArray[np.int64]

    #: The per-campaign fields, in report order.
    FIELDS = ("sent", "delivered", "responded", "converted", "revenue", "new_customers")

    def __len__(self) -> int:
        return len(self.keys)

    def to_dict(self) -> dict[Any, dict[str, Any]]:
        """``{campaign: {field: value}}`` with Python ints and floats."""
        columns = [getattr(self, f).tolist() for f in self.FIELDS]
        keys = list(self.keys) if self.keys.dtype.kind in "mM" else self.keys.tolist()
        return {
            key: dict(zip(self.FIELDS, row, strict=True))
            for key, row in zip(keys, zip(*columns, strict=True), strict=True)
        }

    def to_pandas(self) -> pd.DataFrame:
        """A pandas DataFrame indexed by ``campaign_id``, one column per field.

        pandas is imported here, lazily; it is not a dependency of crm_metrics.
        """
        import pandas as pd

        index = pd.Index(self.keys, name="campaign_id")
        return pd.DataFrame({f: getattr(self, f) for f in self.FIELDS}, index=index)

    def _repr_html_(self) -> str:
        """A table for notebooks: one row per campaign (the first and last 10 of a long one)."""
        from crm_metrics import _html

        columns = {"campaign_id": self.keys, **{f: getattr(self, f) for f in self.FIELDS}}
        n = len(self.keys)
        caption = f"Campaign summary: {n:,} campaign{'' if n == 1 else 's'}"
        return _html.frame(columns, caption=caption, noun="campaigns")


# --------------------------------------------------------------------------- sufficient statistics
def _distinct_where(groups: Groups, items: NDArray[Any], where: NDArray[Any]) -> NDArray[np.int64]:
    """Distinct ``items`` per group among the records selected by ``where`` (mask or rows)."""
    _, item_codes, n_items = factorize(items[where])
    if groups.codes is None:
        return np.array([n_items], dtype=np.int64)
    pairs, _, _ = factorize((groups.codes[where], item_codes))
    assert isinstance(pairs, tuple)
    return np.bincount(pairs[0], minlength=groups.n_groups).astype(np.int64, copy=False)


def _products_per_customer(
    groups: Groups, customer: NDArray[Any], product: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For every distinct (group, customer): its group code and its number of products."""
    _, c_codes, _ = factorize(customer)
    _, p_codes, _ = factorize(product)
    g = np.zeros(len(c_codes), dtype=np.int64) if groups.codes is None else groups.codes
    triples, _, _ = factorize((g, c_codes, p_codes))  # distinct (group, customer, product)
    assert isinstance(triples, tuple)
    pairs, pair_codes, n_pairs = factorize((triples[0], triples[1]))
    assert isinstance(pairs, tuple)
    products = np.bincount(pair_codes, minlength=n_pairs).astype(np.int64, copy=False)
    return pairs[0], products


# --------------------------------------------------------------------------- campaign summary
@validated(
    campaign_id=Keys(optional=False, multi=False),
    sent=Flags(),
    delivered=ImpliedFlags(requires="sent"),
    responded=ImpliedFlags(requires="delivered"),
    converted=ImpliedFlags(requires="delivered"),
    revenue=Money(event=True),
    is_new_customer=Flags(),
    contact_id=_CONTACT,
)
def campaign_summary(
    campaign_id: ArrayLike,
    sent: ArrayLike,
    delivered: ArrayLike,
    responded: ArrayLike,
    converted: ArrayLike,
    revenue: ArrayLike,
    is_new_customer: ArrayLike,
    contact_id: ArrayLike,
) -> CampaignSummary:
    r"""Per-campaign report: sent, delivered, responded, converted, revenue, new customers.

    $$\begin{aligned}
    \mathrm{sent}_c &= \sum_{i \in c} s_i
    \qquad\text{(likewise delivered, responded, converted)}\\
    \mathrm{revenue}_c &= \sum_{i \in c} v_i\,[\mathrm{converted}_i]\\
    \mathrm{new}_c &= \big|\{k_i : i \in c,\ \mathrm{converted}_i \wedge \mathrm{new}_i\}\big|
    \end{aligned}$$

    Parameters
    ----------
    campaign_id : array_like
        Campaign of each recipient record (any sortable key type); the result is grouped by
        it.
    sent, delivered, responded, converted : array_like of bool or 0/1
        Funnel flags per record. They must be monotone: delivered implies sent, responded
        implies delivered, converted implies delivered.
    revenue : array_like of float
        Revenue of each record (>= 0); only converted records count.
    is_new_customer : array_like of bool or 0/1
        Whether the contact was a new customer when it converted.
    contact_id : array_like
        Contact of each record; new customers are counted as distinct contacts.

    Returns
    -------
    CampaignSummary
        A [`CampaignSummary`][crm_metrics.CampaignSummary]: one array per field, aligned
        with the sorted unique campaign ids ``keys``; no campaigns (all arrays empty) for
        no records. ``to_pandas()`` gives a DataFrame.

    Raises
    ------
    ValueError
        On unequal lengths, a flag other than 0/1, negative or NaN revenue, a missing id, or
        a non-monotone funnel (the first bad row is named).
    TypeError
        If a flag or revenue is not numeric or an id array is not 1-D array-like.

    Notes
    -----
    The usual campaign figures "campaigns, responses, purchases, revenue and new customers per
    campaign" as one report; a purchase is a converted record. Counts and revenue are
    additive over campaigns; new customers are distinct contacts per campaign and are not
    (a contact won by two campaigns counts in both). The aggregate rates of this module take
    the fields, e.g. ``response_rate(s.responded, s.delivered)``; divide them per campaign,
    or sum the fields first for a pooled rate (never average the rates). Opens and clicks
    are not part of the recipient funnel here; tally them from the email tool's report.
    Costs are a separate ``campaign_id -> cost`` mapping: align it with ``keys``. Counts
    come from one histogram pass over the 16 funnel states per campaign.

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    Two campaigns, five recipients:

    >>> import crm_metrics as cm
    >>> s = cm.campaign_summary(
    ...     campaign_id=["spring", "spring", "spring", "fall", "fall"],
    ...     sent=[1, 1, 1, 1, 1],
    ...     delivered=[1, 1, 0, 1, 1],
    ...     responded=[1, 0, 0, 1, 0],
    ...     converted=[1, 0, 0, 1, 1],
    ...     revenue=[120.0, 0.0, 0.0, 80.0, 40.0],
    ...     is_new_customer=[1, 0, 0, 0, 1],
    ...     contact_id=[1, 2, 3, 1, 4],
    ... )
    >>> s.keys.tolist(), s.sent.tolist(), s.converted.tolist(), s.revenue.tolist()
    (['fall', 'spring'], [2, 3], [2, 1], [120.0, 120.0])
    >>> s.new_customers.tolist()
    [1, 1]
    >>> cm.response_rate(s.responded, s.delivered).tolist()
    [0.5, 0.5]
    """
    ids = np.asarray(campaign_id)
    conv = np.asarray(converted)
    groups = groups_of(ids, len(ids))
    # one funnel state 0..15 per record (a byte), counted per campaign in one histogram pass
    state = np.asarray(sent).view(np.uint8) | (np.asarray(delivered).view(np.uint8) << 1)
    state |= np.asarray(responded).view(np.uint8) << 2
    state |= conv.view(np.uint8) << 3
    bins: Any = state  # bytes: the histogram widens them once, with the campaign codes
    hist = groups.histogram(bins, 16)
    counts = [hist[:, (_STATES & bit) > 0].sum(axis=1) for bit in (1, 2, 4, 8)]
    # revenue and new customers read the (few) converted records only
    assert groups.codes is not None  # grouped by campaign_id by construction
    won = np.flatnonzero(conv)
    money = np.bincount(
        groups.codes[won], weights=np.asarray(revenue)[won], minlength=groups.n_groups
    ).astype(np.float64, copy=False)
    new = _distinct_where(groups, np.asarray(contact_id), won[np.asarray(is_new_customer)[won]])
    keys = groups.keys if groups.keys is not None else ids[:0]
    assert not isinstance(keys, tuple)
    sent_n, delivered_n, responded_n, converted_n = (c.astype(np.int64, copy=False) for c in counts)
    return CampaignSummary(
        keys=keys,
        sent=sent_n,
        delivered=delivered_n,
        responded=responded_n,
        converted=converted_n,
        revenue=money,
        new_customers=new,
    )


@overload
def campaign_revenue(revenue: ArrayLike, converted: ArrayLike, *, by: None = None) -> float: ...
@overload
def campaign_revenue(revenue: ArrayLike, converted: ArrayLike, *, by: KeysLike) -> Grouped: ...
@validated(revenue=Money(event=True), converted=Flags(), by=Keys())
def campaign_revenue(
    revenue: ArrayLike, converted: ArrayLike, *, by: KeysLike | None = None
) -> float | Grouped:
    r"""Campaign revenue: the sum of revenue over converted recipients.

    $$R = \sum_i v_i\,[\mathrm{converted}_i]$$

    Parameters
    ----------
    revenue : array_like of float
        Revenue of each recipient record (>= 0).
    converted : array_like of bool or 0/1
        Whether the recipient converted; revenue of other records is ignored.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the records (``campaign_id``, channel, period).

    Returns
    -------
    float or Grouped
        Money >= 0; ``0.0`` for no records. With ``by``, one sum per key.

    Raises
    ------
    ValueError
        On negative or NaN revenue, a flag other than 0/1, or unequal lengths.

    Notes
    -----
    Revenue attributed to the campaign by the caller's attribution (one record per campaign
    x contact); revenue on records that did not convert is ignored, not an error. Sums are
    additive over groups, and the per-campaign values equal the ``revenue`` field of
    [`campaign_summary`][crm_metrics.campaign_summary].

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.campaign_revenue([120.0, 35.0, 80.0], [1, 0, 1])
    200.0
    >>> cm.campaign_revenue([120.0, 35.0, 80.0], [1, 0, 1], by=["a", "a", "b"]).to_dict()
    {'a': 120.0, 'b': 80.0}
    """
    values = np.asarray(revenue)
    groups = groups_of(by, len(values))
    return groups.finish(groups.sum(np.where(np.asarray(converted), values, 0.0)))


@overload
def campaign_new_customers(
    contact_id: ArrayLike, converted: ArrayLike, is_new_customer: ArrayLike, *, by: None = None
) -> int: ...
@overload
def campaign_new_customers(
    contact_id: ArrayLike, converted: ArrayLike, is_new_customer: ArrayLike, *, by: KeysLike
) -> Grouped: ...
@validated(contact_id=_CONTACT, converted=Flags(), is_new_customer=Flags(), by=Keys())
def campaign_new_customers(
    contact_id: ArrayLike,
    converted: ArrayLike,
    is_new_customer: ArrayLike,
    *,
    by: KeysLike | None = None,
) -> int | Grouped:
    r"""New customers won by a campaign: distinct contacts that converted as new customers.

    $$N = \big|\{k_i : \mathrm{converted}_i \wedge \mathrm{new}_i\}\big|$$

    Parameters
    ----------
    contact_id : array_like
        Contact of each recipient record.
    converted, is_new_customer : array_like of bool or 0/1
        Whether the record converted, and whether its contact was a new customer.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the records (usually ``campaign_id``).

    Returns
    -------
    int or Grouped
        A count >= 0; ``0`` for no records. With ``by``, one count per key.

    Raises
    ------
    ValueError
        On a flag other than 0/1, a missing id or unequal lengths.

    Notes
    -----
    A distinct count: a contact appearing in several converted records counts once, and
    per-group counts are not additive (a contact won by two campaigns counts in both).
    Whether a contact is new is the caller's flag (for instance no purchase before the
    campaign); this function does not read purchase history.

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.campaign_new_customers([1, 1, 2, 3], [1, 1, 1, 0], [1, 1, 0, 1])
    1
    """
    ids = np.asarray(contact_id)
    groups = groups_of(by, len(ids))
    where = np.asarray(converted) & np.asarray(is_new_customer)
    return groups.finish_count(_distinct_where(groups, ids, where))


# --------------------------------------------------------------------------- response, conversion
@validated(
    base=Option(choices=("delivered", "sent")),
    sent=Bounded(optional=True, required_if=("base", "sent")),
    delivered=Bounded(within=("sent",)),
    responded=Count(le="delivered"),
)
def response_rate(
    responded: ArrayLike,
    delivered: ArrayLike,
    *,
    sent: ArrayLike | None = None,
    base: str = "delivered",
) -> Any:
    r"""Campaign response rate: responders per delivered (or sent) message.

    $$\mathrm{RR} = \frac{\mathit{responded}}{\mathit{delivered}}
    \quad\text{or, with } \texttt{base="sent"},\quad \frac{\mathit{responded}}{\mathit{sent}}$$

    Parameters
    ----------
    responded : int or array_like of int
        Recipients who responded (a subset of the delivered ones).
    delivered : int or array_like of int
        Recipients the message reached (<= ``sent`` when ``sent`` is given).
    sent : int or array_like of int, optional
        Recipients the message was sent to; required with ``base="sent"``.
    base : {"delivered", "sent"}, default "delivered"
        The denominator.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where the base is 0. Arrays broadcast.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite; responded > delivered; delivered >
        sent; an unknown ``base``.
    TypeError
        If ``sent`` is missing with ``base="sent"``, or a count is not numeric.

    Notes
    -----
    Definition chosen: delivered base, as in O'Reilly's *Measuring Marketing* and Infor CRM
    (bounced messages could not respond); ``base="sent"`` is the variant for channels
    without delivery data. The sent base is never higher. What counts as
    a response (a reply, a click, a coupon redeemed) is the caller's choice; the aggregate
    form takes the tally, which [`campaign_summary`][crm_metrics.campaign_summary]
    produces per campaign.

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.response_rate(30, 600)
    0.05
    >>> cm.response_rate(30, 600, sent=750, base="sent")
    0.04
    """
    denominator: Any = sent if base == "sent" else delivered
    return as_result(safe_divide(responded, denominator))


@validated(
    base=Option(choices=("delivered", "responded")),
    delivered=Count(),
    responded=Bounded(within=("delivered",), optional=True, required_if=("base", "responded")),
    converted=Bounded(Bounded(within=("delivered",)), within=("responded",)),
)
def campaign_conversion_rate(
    converted: ArrayLike,
    delivered: ArrayLike,
    *,
    responded: ArrayLike | None = None,
    base: str = "delivered",
) -> Any:
    r"""Campaign conversion rate: converted recipients per delivered (or responding) one.

    $$\mathrm{CR} = \frac{\mathit{converted}}{\mathit{delivered}}
    \quad\text{or, with } \texttt{base="responded"},\quad
    \frac{\mathit{converted}}{\mathit{responded}}$$

    Parameters
    ----------
    converted : int or array_like of int
        Recipients who converted (bought); a subset of the delivered ones, and of the
        responders when ``responded`` is given.
    delivered : int or array_like of int
        Recipients the message reached.
    responded : int or array_like of int, optional
        Recipients who responded; required with ``base="responded"``.
    base : {"delivered", "responded"}, default "delivered"
        The denominator.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where the base is 0.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or exceeds its base.
    TypeError
        If ``responded`` is missing with ``base="responded"``.

    Notes
    -----
    Default: conversions per delivered message (the end-to-end funnel rate), as in
    *Measuring Marketing* and Infor CRM; the variant ``base="responded"`` measures the offer
    once a contact engaged. In the recipient log a conversion needs a delivery, not a
    recorded response (a purchase in store after a mailing); when ``responded`` is passed,
    ``converted`` must not exceed it.

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.campaign_conversion_rate(12, 600)
    0.02
    >>> cm.campaign_conversion_rate(12, 600, responded=30, base="responded")
    0.4
    """
    denominator: Any = responded if base == "responded" else delivered
    return as_result(safe_divide(converted, denominator))


# --------------------------------------------------------------------------- return on spend
@validated(attributed_revenue=Money(), marketing_cost=Money(), margin=Fraction())
def marketing_roi(
    attributed_revenue: ArrayLike, marketing_cost: ArrayLike, *, margin: ArrayLike = 1.0
) -> Any:
    r"""Return on marketing investment (ROMI), revenue-based or margin-adjusted.

    $$\mathrm{ROMI} = \frac{\mathit{attributed\_revenue} \cdot m - \mathit{marketing\_cost}}
    {\mathit{marketing\_cost}}$$

    Parameters
    ----------
    attributed_revenue : float or array_like
        Revenue attributed to the marketing spend (>= 0).
    marketing_cost : float or array_like
        The spend (>= 0).
    margin : float or array_like, default 1.0
        Gross margin fraction ``m`` in [0, 1]: 1 gives revenue ROMI, the gross margin gives
        contribution ROMI.

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1 (1.5 means +150 %); ``nan`` where the cost is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or ``margin`` is outside [0, 1].

    Notes
    -----
    Definition chosen: revenue-based ROMI (Visora); the margin-adjusted variant (Foster
    Media, ActDrills) subtracts the cost of goods through ``margin``. Currency-free.

    References
    ----------
    Visora, "ROMI"; Foster Media and ActDrills on COGS-adjusted ROMI.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.marketing_roi(50_000, 20_000)
    1.5
    >>> cm.marketing_roi(50_000, 20_000, margin=0.6)
    0.5
    """
    revenue = np.asarray(attributed_revenue) * np.asarray(margin)
    return as_result(safe_divide(revenue - marketing_cost, marketing_cost))


@validated(attributed_revenue=Money(), ad_spend=Money())
def roas(attributed_revenue: ArrayLike, ad_spend: ArrayLike) -> Any:
    r"""Return on ad spend: attributed revenue per unit of ad spend.

    $$\mathrm{ROAS} = \frac{\mathit{attributed\_revenue}}{\mathit{ad\_spend}}$$

    Parameters
    ----------
    attributed_revenue : float or array_like
        Revenue attributed to the ads (>= 0).
    ad_spend : float or array_like
        Ad spend (>= 0).

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0 (4.0 means 4 of revenue per 1 spent); ``nan`` where the spend is 0.

    Raises
    ------
    ValueError
        If an amount is negative or infinite.

    Notes
    -----
    ROAS is a multiple (revenue per unit spent), ROMI a net return:
    ``roas == marketing_roi(revenue, spend) + 1`` with the default ``margin=1``. Neither
    counts the cost of goods unless [`marketing_roi`][crm_metrics.marketing_roi] is given
    a margin. Currency-free.

    References
    ----------
    Visora, "ROMI" (ROAS as the revenue multiple).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.roas(12_000, 3_000)
    4.0
    """
    return as_result(safe_divide(attributed_revenue, ad_spend))


def _cost_per(cost: ArrayLike, units: ArrayLike) -> Any:
    return as_result(safe_divide(cost, units))


@validated(cost=Money(), leads=Count())
def cost_per_lead(cost: ArrayLike, leads: ArrayLike) -> Any:
    r"""Cost per lead: marketing spend per lead generated.

    $$\mathrm{CPL} = \frac{\mathit{cost}}{\mathit{leads}}$$

    Parameters
    ----------
    cost : float or array_like
        Spend (>= 0).
    leads : int or array_like of int
        Leads generated.

    Returns
    -------
    float or numpy.ndarray
        Money per lead; ``nan`` where there are no leads.

    Raises
    ------
    ValueError
        If the cost is negative or a count is negative or fractional.

    Notes
    -----
    WebFX's definition. What a lead is (a form fill, a marketing-qualified lead) is the
    caller's choice; keep cost and leads from the same channel and period. Zero leads give
    ``nan``, not infinity.

    References
    ----------
    WebFX, "Cost per lead".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cost_per_lead(5_000, 125)
    40.0
    """
    return _cost_per(cost, leads)


@validated(cost=Money(), new_customers_acquired=Count())
def cost_per_acquisition(cost: ArrayLike, new_customers_acquired: ArrayLike) -> Any:
    r"""Cost per acquisition: marketing spend per new customer acquired.

    $$\mathrm{CPA} = \frac{\mathit{cost}}{\mathit{new\_customers\_acquired}}$$

    Parameters
    ----------
    cost : float or array_like
        Spend (>= 0).
    new_customers_acquired : int or array_like of int
        New customers won by that spend.

    Returns
    -------
    float or numpy.ndarray
        Money per new customer; ``nan`` where none was acquired.

    Raises
    ------
    ValueError
        If the cost is negative or a count is negative or fractional.

    Notes
    -----
    The cost of one campaign or channel per customer it won; for a campaign, pass the
    ``new_customers`` field of [`campaign_summary`][crm_metrics.campaign_summary]. The
    company-wide figure over all sales and marketing spend is the customer acquisition cost
    ``customer_acquisition_cost`` (CAC). A campaign that won nobody gives ``nan``.

    References
    ----------
    WebFX, "Cost per lead" (CPA as its acquisition counterpart).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cost_per_acquisition(5_000, 20)
    250.0
    """
    return _cost_per(cost, new_customers_acquired)


@validated(cost=Money(), responses=Count())
def cost_per_response(cost: ArrayLike, responses: ArrayLike) -> Any:
    r"""Cost per response: campaign cost per responder.

    $$\mathrm{CPR} = \frac{\mathit{cost}}{\mathit{responses}}$$

    Parameters
    ----------
    cost : float or array_like
        Campaign cost (>= 0).
    responses : int or array_like of int
        Responses received.

    Returns
    -------
    float or numpy.ndarray
        Money per response; ``nan`` where there was no response.

    Raises
    ------
    ValueError
        If the cost is negative or a count is negative or fractional.

    Notes
    -----
    The response counterpart of [`response_rate`][crm_metrics.response_rate]: with a cost
    per delivered message ``c``, ``cost_per_response == c / response_rate``. No response
    gives ``nan``.

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM, campaign responses.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cost_per_response(1_200, 30)
    40.0
    """
    return _cost_per(cost, responses)


@validated(cost=Money(), clicks=Count())
def cost_per_click(cost: ArrayLike, clicks: ArrayLike) -> Any:
    r"""Average cost per click.

    $$\mathrm{CPC} = \frac{\mathit{cost}}{\mathit{clicks}}$$

    Parameters
    ----------
    cost : float or array_like
        Ad cost (>= 0).
    clicks : int or array_like of int
        Clicks received.

    Returns
    -------
    float or numpy.ndarray
        Money per click; ``nan`` where there was no click.

    Raises
    ------
    ValueError
        If the cost is negative or a count is negative or fractional.

    Notes
    -----
    Google Ads' *average* CPC: total cost over all clicks, not the bid or the maximum CPC.
    No click gives ``nan``.

    References
    ----------
    Google Ads Help, "Average cost-per-click".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cost_per_click(300, 400)
    0.75
    """
    return _cost_per(cost, clicks)


# --------------------------------------------------------------------------- ads and email
@validated(impressions=Count(), clicks=Count(le="impressions"))
def click_through_rate(clicks: ArrayLike, impressions: ArrayLike) -> Any:
    r"""Click-through rate of ads: clicks per impression.

    $$\mathrm{CTR} = \frac{\mathit{clicks}}{\mathit{impressions}}$$

    Parameters
    ----------
    clicks : int or array_like of int
        Clicks (at most one per impression).
    impressions : int or array_like of int
        Impressions served.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where there was no impression.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or clicks exceed impressions.

    Notes
    -----
    Google Ads' definition, for ads. For email the corresponding figures are
    [`email_click_rate`][crm_metrics.email_click_rate] (per delivered email) and
    [`click_to_open_rate`][crm_metrics.click_to_open_rate] (per opener). No impression
    gives ``nan``.

    References
    ----------
    Google Ads Help, "Clickthrough rate (CTR)".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.click_through_rate(40, 2_000)
    0.02
    """
    return as_result(safe_divide(clicks, impressions))


@validated(delivered=Count(), unique_openers=Count(le="delivered"))
def email_open_rate(unique_openers: ArrayLike, delivered: ArrayLike) -> Any:
    r"""Email open rate: unique openers per delivered email.

    $$\mathrm{OR} = \frac{\mathit{unique\_openers}}{\mathit{delivered}},
    \qquad \mathit{delivered} = \mathit{sent} - \mathit{bounced}$$

    Parameters
    ----------
    unique_openers : int or array_like of int
        Recipients who opened at least once (count a clicker as an opener: image blocking
        hides opens).
    delivered : int or array_like of int
        Emails delivered (sent minus bounced).

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was delivered.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or openers exceed delivered.

    Notes
    -----
    Mailchimp's definition (unique opens over delivered, not over sent). A click counts as
    an open, because image blocking hides many opens, so pass
    ``unique_openers`` as the recipients who opened or clicked.
    ``email_click_rate == email_open_rate * click_to_open_rate``.

    References
    ----------
    Mailchimp, "About email campaign reports" (open rate, click rate, CTOR).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.email_open_rate(4_200, 19_000 - 1_000)
    0.23333333333333334
    """
    return as_result(safe_divide(unique_openers, delivered))


@validated(delivered=Count(), unique_clickers=Count(le="delivered"))
def email_click_rate(unique_clickers: ArrayLike, delivered: ArrayLike) -> Any:
    r"""Email click rate: unique clickers per delivered email.

    $$\mathrm{CR} = \frac{\mathit{unique\_clickers}}{\mathit{delivered}}$$

    Parameters
    ----------
    unique_clickers : int or array_like of int
        Recipients who clicked at least once.
    delivered : int or array_like of int
        Emails delivered.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was delivered.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or clickers exceed delivered.

    Notes
    -----
    Mailchimp's definition: unique clickers (a recipient clicking three links counts once)
    over delivered emails. It equals ``email_open_rate * click_to_open_rate`` whenever
    somebody opened.

    References
    ----------
    Mailchimp, "About email campaign reports".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.email_click_rate(540, 18_000)
    0.03
    """
    return as_result(safe_divide(unique_clickers, delivered))


@validated(unique_openers=Count(), unique_clickers=Count(le="unique_openers"))
def click_to_open_rate(unique_clickers: ArrayLike, unique_openers: ArrayLike) -> Any:
    r"""Click-to-open rate (CTOR): unique clickers per unique opener.

    $$\mathrm{CTOR} = \frac{\mathit{unique\_clickers}}{\mathit{unique\_openers}}$$

    Parameters
    ----------
    unique_clickers : int or array_like of int
        Recipients who clicked; every clicker counts as an opener.
    unique_openers : int or array_like of int
        Recipients who opened (or clicked).

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nobody opened.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or clickers exceed openers.

    Notes
    -----
    Mailchimp's CTOR: how well the content made openers click, independent of the
    subject line and deliverability that drive the open rate. Nobody opening gives ``nan``.

    References
    ----------
    Mailchimp, "About email campaign reports".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.click_to_open_rate(540, 4_200)
    0.12857142857142856
    """
    return as_result(safe_divide(unique_clickers, unique_openers))


@validated(sent=Count(), bounced=Count(le="sent"))
def email_bounce_rate(bounced: ArrayLike, sent: ArrayLike) -> Any:
    r"""Email bounce rate: bounced emails per email sent.

    $$\mathrm{BR} = \frac{\mathit{bounced}}{\mathit{sent}}$$

    Parameters
    ----------
    bounced : int or array_like of int
        Hard and soft bounces.
    sent : int or array_like of int
        Emails sent.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was sent.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or bounces exceed sent.

    Notes
    -----
    Mailchimp's definition, over emails *sent* (the other email rates are over delivered
    ones); hard and soft bounces both count. ``sent - bounced`` is the ``delivered`` the
    other rates take.

    References
    ----------
    Mailchimp, "About email campaign reports".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.email_bounce_rate(1_000, 20_000)
    0.05
    """
    return as_result(safe_divide(bounced, sent))


@validated(delivered=Count(), unsubscribes=Count(le="delivered"))
def unsubscribe_rate(unsubscribes: ArrayLike, delivered: ArrayLike) -> Any:
    r"""Unsubscribe rate: unsubscribes per delivered email.

    $$\mathrm{UR} = \frac{\mathit{unsubscribes}}{\mathit{delivered}}$$

    Parameters
    ----------
    unsubscribes : int or array_like of int
        Recipients who unsubscribed through the campaign.
    delivered : int or array_like of int
        Emails delivered.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nothing was delivered.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or unsubscribes exceed delivered.

    Notes
    -----
    Mailchimp's definition, per campaign and over delivered emails. For the net effect on
    the list over a period see
    [`email_list_growth_rate`][crm_metrics.email_list_growth_rate].

    References
    ----------
    Mailchimp, "About email campaign reports".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.unsubscribe_rate(36, 18_000)
    0.002
    """
    return as_result(safe_divide(unsubscribes, delivered))


@validated(
    list_size_start=Count(),
    new_subscribers=Count(),
    unsubscribes=Bounded(within=("list_size_start", "new_subscribers")),
    bounced_removed=Bounded(within=("list_size_start", "new_subscribers"), with_=("unsubscribes",)),
)
def email_list_growth_rate(
    new_subscribers: ArrayLike,
    unsubscribes: ArrayLike,
    bounced_removed: ArrayLike,
    list_size_start: ArrayLike,
) -> Any:
    r"""Email list growth rate over a period: net new addresses per address at the start.

    $$\mathrm{LGR} = \frac{\mathit{new\_subscribers} - \mathit{unsubscribes}
    - \mathit{bounced\_removed}}{\mathit{list\_size\_start}}$$

    Parameters
    ----------
    new_subscribers : int or array_like of int
        Addresses added during the period.
    unsubscribes : int or array_like of int
        Addresses that unsubscribed.
    bounced_removed : int or array_like of int
        Addresses removed after bouncing (pass 0 to ignore bounces).
    list_size_start : int or array_like of int
        List size at the start of the period.

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1; ``nan`` where the list was empty at the start.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or the losses exceed start plus new.

    Notes
    -----
    HubSpot's definition with bounces subtracted and the start-of-period base.

    References
    ----------
    HubSpot, email list growth rate (via Sequenzy).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.email_list_growth_rate(600, 150, 50, 10_000)
    0.04
    """
    net = np.asarray(new_subscribers) - np.asarray(unsubscribes) - np.asarray(bounced_removed)
    return as_result(safe_divide(net, list_size_start))


# --------------------------------------------------------------------------- web analytics
@validated(
    base=Option(choices=("sessions", "users")),
    sessions=Count(),
    converting_sessions=Count(le="sessions"),
    users=Bounded(optional=True, required_if=("base", "users")),
    converting_users=Bounded(within=("users",), optional=True, required_if=("base", "users")),
)
def goal_conversion_rate(
    converting_sessions: ArrayLike,
    sessions: ArrayLike,
    *,
    converting_users: ArrayLike | None = None,
    users: ArrayLike | None = None,
    base: str = "sessions",
) -> Any:
    r"""Website goal conversion rate: the share of sessions (or users) completing a goal.

    $$\mathrm{GCR} = \frac{\mathit{converting\_sessions}}{\mathit{sessions}}
    \quad\text{or, with } \texttt{base="users"},\quad
    \frac{\mathit{converting\_users}}{\mathit{users}}$$

    Parameters
    ----------
    converting_sessions : int or array_like of int
        Sessions in which at least one goal was completed.
    sessions : int or array_like of int
        All sessions.
    converting_users, users : int or array_like of int, optional
        Users with a completed goal and all users; required with ``base="users"``.
    base : {"sessions", "users"}, default "sessions"
        The unit counted.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where the base is 0.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or a converting count exceeds its base.
    TypeError
        If the user counts are missing with ``base="users"``.

    Notes
    -----
    Session-based, as Universal Analytics reported goal conversion; GA4 reports the
    user-based variant. A session with several goal completions counts once.

    References
    ----------
    Google Analytics goal conversion rate (Hotjar GA glossary).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.goal_conversion_rate(150, 5_000)
    0.03
    >>> cm.goal_conversion_rate(150, 5_000, converting_users=120, users=3_000, base="users")
    0.04
    """
    if base == "users":
        converting: Any = converting_users  # required by the rule with base="users"
        visitors: Any = users
        return as_result(safe_divide(converting, visitors))
    return as_result(safe_divide(converting_sessions, sessions))


@validated(pageviews=Count(), sessions=Count())
def pages_per_session(pageviews: ArrayLike, sessions: ArrayLike) -> Any:
    r"""Pages per session: page views per visit ("site views").

    $$\mathrm{PPS} = \frac{\mathit{pageviews}}{\mathit{sessions}}$$

    Parameters
    ----------
    pageviews : int or array_like of int
        Page views.
    sessions : int or array_like of int
        Sessions.

    Returns
    -------
    float or numpy.ndarray
        A ratio >= 0; ``nan`` where there was no session.

    Raises
    ------
    ValueError
        If a count is negative or fractional.

    Notes
    -----
    Google Analytics' definition: all page views, repeated views of one page included,
    over sessions. A ratio, not a fraction: it is >= 1 whenever every session viewed a
    page. No session gives ``nan``.

    References
    ----------
    Google Analytics, pages per session (Hotjar GA glossary).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.pages_per_session(12_500, 5_000)
    2.5
    """
    return as_result(safe_divide(pageviews, sessions))


@overload
def avg_session_duration(durations: ArrayLike, *, unit: str = ..., by: None = None) -> float: ...
@overload
def avg_session_duration(durations: ArrayLike, *, unit: str = ..., by: KeysLike) -> Grouped: ...
@validated(unit=Unit(), durations=Duration(event=True), by=Keys())
def avg_session_duration(
    durations: ArrayLike, *, unit: str = "s", by: KeysLike | None = None
) -> float | Grouped:
    r"""Average session duration ("time on site") from per-session durations.

    $$\overline{d} = \frac{1}{n}\sum_{i=1}^{n} d_i$$

    Parameters
    ----------
    durations : array_like of timedelta64 or float
        One duration >= 0 per session; plain numbers are read in ``unit``.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of the result (and of plain-number durations).
    by : array_like or tuple of array_like, optional
        Group keys aligned with the sessions (channel, landing page, period).

    Returns
    -------
    float or Grouped
        Mean duration in ``unit``; ``nan`` for no sessions.

    Raises
    ------
    ValueError
        If a duration is negative, NaN/NaT or infinite, or ``unit`` is unknown.

    Notes
    -----
    Google Analytics' definition: total session time over sessions. How a session's
    duration is measured (UA stopped at the last hit, so one-page visits count 0 s) is
    up to the analytics tool that supplies it. No session gives ``nan``. The tallied form
    is [`avg_session_duration_from_counts`][crm_metrics.avg_session_duration_from_counts].

    References
    ----------
    Google Analytics, average session duration (Hotjar GA glossary).

    Examples
    --------
    >>> import numpy as np
    >>> import crm_metrics as cm
    >>> cm.avg_session_duration(np.array([30, 90, 240], dtype="timedelta64[s]"))
    120.0
    >>> cm.avg_session_duration([1.5, 2.5], unit="min")
    2.0
    """
    ns = np.asarray(durations)
    groups = groups_of(by, len(ns))
    return groups.finish(groups.mean(ns) / float(ns_per_unit(unit)))


@validated(unit=Unit(), total_duration=Duration(), sessions=Count())
def avg_session_duration_from_counts(
    total_duration: ArrayLike, sessions: ArrayLike, *, unit: str = "s"
) -> Any:
    r"""Average session duration from the total session time and the number of sessions.

    $$\overline{d} = \frac{\sum d}{\mathit{sessions}}$$

    Parameters
    ----------
    total_duration : timedelta64, float or array_like
        Total session time (>= 0); plain numbers are read in ``unit``.
    sessions : int or array_like of int
        Sessions.
    unit : {"s", "min", "m", "h", "D"}, default "s"
        Unit of the result (and of a plain-number ``total_duration``).

    Returns
    -------
    float or numpy.ndarray
        Mean duration in ``unit``; ``nan`` where there was no session.

    Raises
    ------
    ValueError
        If the total is negative or NaN, a count is negative or fractional, or ``unit`` is
        unknown.

    Notes
    -----
    The aggregate twin of [`avg_session_duration`][crm_metrics.avg_session_duration], for
    reports that give total time and sessions (a ``timedelta64`` total is unit-free; a
    plain number is read in ``unit``). Zero sessions give ``nan``. Arrays broadcast.

    References
    ----------
    Google Analytics, average session duration (Hotjar GA glossary).

    Examples
    --------
    >>> import numpy as np
    >>> import crm_metrics as cm
    >>> cm.avg_session_duration_from_counts(np.timedelta64(10, "h"), 300)
    120.0
    >>> cm.avg_session_duration_from_counts(600, 300, unit="min")
    2.0
    """
    return as_result(safe_divide(total_duration, sessions) / float(ns_per_unit(unit)))


@validated(
    definition=Option(choices=("ua", "ga4")),
    sessions=Count(),
    single_page_sessions=Bounded(
        within=("sessions",), optional=True, required_if=("definition", "ua")
    ),
    engaged_sessions=Bounded(
        within=("sessions",), optional=True, required_if=("definition", "ga4")
    ),
)
def web_bounce_rate(
    sessions: ArrayLike,
    *,
    single_page_sessions: ArrayLike | None = None,
    engaged_sessions: ArrayLike | None = None,
    definition: str = "ua",
) -> Any:
    r"""Web bounce rate, Universal Analytics (single-page sessions) or GA4 (not engaged).

    $$\mathrm{BR}_{UA} = \frac{\mathit{single\_page\_sessions}}{\mathit{sessions}},\qquad
    \mathrm{BR}_{GA4} = 1 - \frac{\mathit{engaged\_sessions}}{\mathit{sessions}}$$

    Parameters
    ----------
    sessions : int or array_like of int
        All sessions.
    single_page_sessions : int or array_like of int, optional
        Sessions with one page view; required with ``definition="ua"``.
    engaged_sessions : int or array_like of int, optional
        GA4 engaged sessions (10 s or longer, a conversion, or 2+ page views); required
        with ``definition="ga4"``.
    definition : {"ua", "ga4"}, default "ua"
        Which bounce definition.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where there was no session.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or exceeds ``sessions``.
    TypeError
        If the count the definition reads is missing.

    Notes
    -----
    The two definitions differ: a long single-page visit bounces in UA but is engaged in
    GA4, so GA4 bounce rates are usually lower.

    References
    ----------
    UA vs GA4 bounce rate (KPI Tree); Google Analytics Help, "Engagement rate and bounce
    rate".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.web_bounce_rate(5_000, single_page_sessions=2_100)
    0.42
    >>> cm.web_bounce_rate(5_000, engaged_sessions=3_600, definition="ga4")
    0.28
    """
    numerator: Any = engaged_sessions if definition == "ga4" else single_page_sessions
    share = safe_divide(numerator, sessions)  # the rule requires the one the definition reads
    return as_result(1.0 - share if definition == "ga4" else share)


# --------------------------------------------------------------------------- cross-sell and upsell
_CROSS_SELL_RULES = {
    "customer_id": _CONTACT,
    "product_id": _CONTACT,
    "ts": Timestamps(),
    "start": Instant(),
    "end": Instant(not_before="start"),
    "by": Keys(),
}


@overload
def cross_sell_ratio(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: None = None,
) -> float: ...
@overload
def cross_sell_ratio(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike,
) -> Grouped: ...
@validated(**_CROSS_SELL_RULES)
def cross_sell_ratio(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Cross-sell ratio: distinct products bought per customer in the window.

    $$\mathrm{XSR} = \frac{1}{|C|}\sum_{c \in C} \big|\{p : c \text{ bought } p\}\big|$$

    Parameters
    ----------
    customer_id, product_id : array_like
        Customer and product of each transaction.
    ts : array_like of datetime64 or ISO-8601 str
        Transaction timestamps (the anchor of the window).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)``; all transactions by default.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the transactions (segment, cohort, period).

    Returns
    -------
    float or Grouped
        Products per customer, >= 1; ``nan`` for no transactions in the window.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``.

    Notes
    -----
    HyperEngage's products-per-customer reading; the share of customers
    with two or more products is [`cross_sell_rate`][crm_metrics.cross_sell_rate]. Both
    are distinct counts: a
    customer buying one product twice has one product. With ``by``, customers and products
    are counted within each group.

    References
    ----------
    HyperEngage, "Cross-sell ratio"; Getzowie, cross-sell rate.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cross_sell_ratio(["a", "a", "a", "b"], ["x", "y", "x", "x"],
    ...                     ["2024-01-02", "2024-02-01", "2024-03-01", "2024-01-09"])
    1.5
    """
    groups, customers, products, _ = _basket(customer_id, product_id, ts, start, end, by)
    return groups.finish(safe_divide(products, customers))


@overload
def cross_sell_rate(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: None = None,
) -> float: ...
@overload
def cross_sell_rate(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike,
) -> Grouped: ...
@validated(**_CROSS_SELL_RULES)
def cross_sell_rate(
    customer_id: ArrayLike,
    product_id: ArrayLike,
    ts: ArrayLike,
    *,
    start: Any = None,
    end: Any = None,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Cross-sell rate: the share of customers who bought two or more distinct products.

    $$\mathrm{XS} = \frac{\big|\{c : |\{p : c \text{ bought } p\}| \ge 2\}\big|}{|C|}$$

    Parameters
    ----------
    customer_id, product_id : array_like
        Customer and product of each transaction.
    ts : array_like of datetime64 or ISO-8601 str
        Transaction timestamps (the anchor of the window).
    start, end : datetime64 or ISO-8601 str, optional
        Half-open window ``[start, end)``; all transactions by default.
    by : array_like or tuple of array_like, optional
        Group keys aligned with the transactions.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` for no transactions in the window.

    Raises
    ------
    ValueError
        On unequal lengths, NaT or unparseable timestamps, missing ids, ``end < start``.

    Notes
    -----
    Getzowie's share of customers with purchases of several products; the default
    cross-sell figure is the ratio [`cross_sell_ratio`][crm_metrics.cross_sell_ratio]. Customers are
    those with a transaction in the window; no transaction gives ``nan``.

    References
    ----------
    Getzowie, cross-sell rate; HyperEngage, "Cross-sell ratio".

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.cross_sell_rate(["a", "a", "b", "c"], ["x", "y", "x", "x"],
    ...                    ["2024-01-02", "2024-02-01", "2024-01-09", "2024-05-01"])
    0.3333333333333333
    """
    groups, customers, _, multi = _basket(customer_id, product_id, ts, start, end, by)
    return groups.finish(safe_divide(multi, customers))


def _basket(
    customer_id: ArrayLike, product_id: ArrayLike, ts: ArrayLike, start: Any, end: Any, by: Any
) -> tuple[Groups, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Per group of the windowed transactions: customers, their summed distinct products, and
    customers with two or more distinct products (the sufficient statistics of cross-selling)."""
    keep = in_window(np.asarray(ts), start, end)
    groups = groups_of(by, len(keep), keep)
    pair_group, products = _products_per_customer(
        groups, np.asarray(customer_id)[keep], np.asarray(product_id)[keep]
    )
    n = groups.n_groups
    customers = np.bincount(pair_group, minlength=n).astype(np.int64, copy=False)
    total = np.asarray(np.bincount(pair_group, weights=products, minlength=n), dtype=np.float64)
    multi = np.bincount(pair_group, weights=products >= 2, minlength=n)
    return groups, customers, total, multi.astype(np.float64, copy=False)


@validated(eligible_customers=Count(), customers_upgraded=Count(le="eligible_customers"))
def upsell_rate(customers_upgraded: ArrayLike, eligible_customers: ArrayLike) -> Any:
    r"""Upsell rate: the share of eligible customers who upgraded.

    $$\mathrm{UR} = \frac{\mathit{customers\_upgraded}}{\mathit{eligible\_customers}}$$

    Parameters
    ----------
    customers_upgraded : int or array_like of int
        Customers who moved to a higher plan or product tier in the period.
    eligible_customers : int or array_like of int
        Customers who could upgrade (not already on the top tier).

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where nobody was eligible.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or upgrades exceed the eligible customers.

    Notes
    -----
    Definition chosen: customers upgraded / eligible (Lusha, Kissmetrics); the revenue
    variant is [`upsell_revenue_share`][crm_metrics.upsell_revenue_share]. Customers
    already on the top tier are not eligible; nobody eligible gives ``nan``.

    References
    ----------
    Lusha and Kissmetrics on upsell rate.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.upsell_rate(45, 900)
    0.05
    """
    return as_result(safe_divide(customers_upgraded, eligible_customers))


@validated(total_revenue=Money(), upsell_revenue=Bounded(Money(), within=("total_revenue",)))
def upsell_revenue_share(upsell_revenue: ArrayLike, total_revenue: ArrayLike) -> Any:
    r"""Upsell revenue share: the part of revenue that came from upsells.

    $$\mathrm{share} = \frac{\mathit{upsell\_revenue}}{\mathit{total\_revenue}}$$

    Parameters
    ----------
    upsell_revenue : float or array_like
        Revenue from upgrades and add-ons (part of the total).
    total_revenue : float or array_like
        All revenue of the period.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where there was no revenue.

    Raises
    ------
    ValueError
        If an amount is negative or infinite, or upsell revenue exceeds the total.

    Notes
    -----
    Insia's revenue-based variant of the upsell figure; the default, customer-based
    figure is [`upsell_rate`][crm_metrics.upsell_rate]. No revenue gives ``nan``.

    References
    ----------
    Insia, upsell revenue share.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.upsell_revenue_share(30_000, 200_000)
    0.15
    """
    return as_result(safe_divide(upsell_revenue, total_revenue))


def _lift(test_conv: Any, test_n: Any, ctrl_conv: Any, ctrl_n: Any) -> NDArray[np.float64]:
    """Relative lift of the test rate over the control rate (nan for a zero control rate)."""
    test_rate = safe_divide(test_conv, test_n)
    ctrl_rate = safe_divide(ctrl_conv, ctrl_n)
    return safe_divide(test_rate - ctrl_rate, ctrl_rate)


@validated(
    test_n=Count(), test_conv=Count(le="test_n"), ctrl_n=Count(), ctrl_conv=Count(le="ctrl_n")
)
def response_lift(
    test_conv: ArrayLike, test_n: ArrayLike, ctrl_conv: ArrayLike, ctrl_n: ArrayLike
) -> Any:
    r"""Campaign lift: relative change of the test group's rate over the holdout's.

    $$\mathrm{lift} = \frac{r_t - r_c}{r_c},\qquad
    r_t = \frac{\mathit{test\_conv}}{\mathit{test\_n}},\quad
    r_c = \frac{\mathit{ctrl\_conv}}{\mathit{ctrl\_n}}$$

    Parameters
    ----------
    test_conv, test_n : int or array_like of int
        Responders (or converters) and size of the group that received the campaign.
    ctrl_conv, ctrl_n : int or array_like of int
        The same for the holdout (control) group.

    Returns
    -------
    float or numpy.ndarray
        A fraction >= -1 (0.25 means the campaign raised the rate by 25 %); ``nan`` where
        the control rate is 0 or a group is empty.

    Raises
    ------
    ValueError
        If a count is negative or fractional, or responders exceed their group.

    Notes
    -----
    Test-versus-holdout lift: the incremental effect the campaign caused, relative to
    what the holdout did without it. Pass responders or converters, the same kind for both
    groups. A control rate of 0 gives ``nan`` (no relative change from zero). Whether the
    lift is more than noise is tested by
    [`two_proportion_test`][crm_metrics.two_proportion_test], which returns the same lift.

    References
    ----------
    Standard arithmetic (test vs holdout).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> cm.response_lift(50, 1_000, 40, 1_000)
    0.25
    """
    return as_result(_lift(test_conv, test_n, ctrl_conv, ctrl_n))

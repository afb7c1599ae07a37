"""Satisfaction surveys: NPS, CSAT, CES and survey response rate.

Event-level functions take the raw answers (``scores``, one per response) and accept
``by=`` for per-agent, per-channel, per-campaign or per-period figures; aggregate
functions (``nps_from_counts``, ``satisfaction_index_from_mean``,
``survey_response_rate``) take tallies and broadcast. Each metric is split into
sufficient statistics (counts and sums per group) and a formula applied to them, so the
grouped and the ungrouped result come from the same code.
"""

from __future__ import annotations

from typing import Any, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._groupby import Grouped, Groups, KeysLike, groups_of
from crm_metrics._math import as_result, safe_divide, two_sided_normal_p
from crm_metrics._validate import (
    Count,
    Flag,
    Interval,
    Keys,
    MeanScore,
    Option,
    Scale,
    Scores,
    Unaligned,
    validated,
)

__all__ = [
    "NPSBreakdown",
    "NPSInterval",
    "NPSTest",
    "ces",
    "ces_agree_share",
    "csat",
    "csat_mean",
    "nps",
    "nps_breakdown",
    "nps_ci",
    "nps_ci_from_counts",
    "nps_from_counts",
    "nps_standard_error",
    "nps_test",
    "nps_test_from_counts",
    "satisfaction_index",
    "satisfaction_index_from_mean",
    "survey_response_rate",
]

#: The Net Promoter scale is fixed: 0..10, promoters 9-10, passives 7-8, detractors 0-6.
NPS_SCALE = (0, 10)
_PROMOTER = 9
_PASSIVE = 7

_AGREE_REASON = (
    "the agree share is undefined on a lower-is-better effort scale (legacy CES 1.0); "
    "report ces(scores, scale=(1, 5)) instead"
)


class NPSBreakdown(NamedTuple):
    """Shares of promoters (9-10), passives (7-8) and detractors (0-6); they sum to 1.

    The result of `nps_breakdown`: a named tuple, so it unpacks as
    ``promoters, passives, detractors = ...``.

    Attributes
    ----------
    promoters : float
        Share of scores 9 and 10.
    passives : float
        Share of scores 7 and 8.
    detractors : float
        Share of scores 0 to 6. ``nps == 100 * (promoters - detractors)``.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> b = cm.nps_breakdown([10, 9, 8, 3])
    >>> b
    NPSBreakdown(promoters=0.5, passives=0.25, detractors=0.25)
    >>> 100 * (b.promoters - b.detractors) == cm.nps([10, 9, 8, 3])
    True
    """

    promoters: float
    passives: float
    detractors: float

    def _repr_html_(self) -> str:
        """A one-row table for notebooks: the three shares and the NPS they make."""
        from crm_metrics import _html

        nps = 100.0 * (self.promoters - self.detractors)
        return _html.record("NPS breakdown (shares of the answers)", {**self._asdict(), "NPS": nps})


# --------------------------------------------------------------------------- sufficient statistics
# Every survey metric is a function of one sufficient statistic: the per-group histogram of
# the answers over the scale (groups x scale points), counted in one bincount pass.
def _histogram(
    scores: NDArray[np.int64], by: Any, scale: tuple[int, int]
) -> tuple[Groups, NDArray[np.int64]]:
    """The groups of ``by`` and, per group, the number of answers at each scale point."""
    lo, hi = scale
    groups = groups_of(by, len(scores))
    return groups, groups.histogram(scores - lo if lo else scores, hi - lo + 1)


def _count_where(hist: NDArray[np.int64], points: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Answers per group at the scale points selected by ``points``."""
    counts: NDArray[np.int64] = hist[:, points].sum(axis=1)
    return counts


def _mean(hist: NDArray[np.int64], scale: tuple[int, int]) -> NDArray[np.float64]:
    """Mean answer per group (nan for a group without answers)."""
    points = np.arange(scale[0], scale[1] + 1, dtype=np.float64)
    return safe_divide(hist @ points, hist.sum(axis=1))


def _nps_tallies(
    hist: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Promoters (9-10), passives (7-8) and detractors (0-6) per group."""
    return (
        hist[:, _PROMOTER:].sum(axis=1),
        hist[:, _PASSIVE:_PROMOTER].sum(axis=1),
        hist[:, :_PASSIVE].sum(axis=1),
    )


def _nps_score(promoters: ArrayLike, passives: ArrayLike, detractors: ArrayLike) -> NDArray[Any]:
    """The NPS formula on tallies: 100 (P - D) / (P + Pa + D); nan for no responses."""
    p, pa, d = (np.asarray(x, dtype=np.float64) for x in (promoters, passives, detractors))
    return 100.0 * safe_divide(p - d, p + pa + d)


# --------------------------------------------------------------------------- NPS
@overload
def nps(scores: ArrayLike, *, by: None = None) -> float: ...
@overload
def nps(scores: ArrayLike, *, by: KeysLike) -> Grouped: ...
@validated(scores=Scores(scale=NPS_SCALE), by=Keys())
def nps(scores: ArrayLike, *, by: KeysLike | None = None) -> float | Grouped:
    r"""Net Promoter Score: percent promoters minus percent detractors, in points.

    $$\mathrm{NPS} = 100 \cdot \frac{n(s \ge 9) - n(s \le 6)}{n}$$

    Parameters
    ----------
    scores : array_like of int
        Answers to "How likely are you to recommend us?" on the fixed 0..10 scale, one per
        response.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores`` (agent, channel, campaign, ``period_key(...)``);
        a tuple of arrays groups by several keys.

    Returns
    -------
    float or Grouped
        Points in [-100, 100]; ``nan`` for no responses. With ``by``, one NPS per key.

    Raises
    ------
    ValueError
        If a score is outside 0..10, fractional or NaN, or ``by`` has another length.
    TypeError
        If ``scores`` is not numeric.

    Notes
    -----
    Bain's definition: promoters answer 9 or 10, detractors 0 to 6, passives 7 or 8 count
    only in the denominator. The result is in points (not a fraction), the one survey
    figure reported that way. Grouped NPS is computed from per-group counts; a pooled NPS
    over groups is ``nps_from_counts`` of the summed counts, never the mean of group scores.

    References
    ----------
    F. Reichheld, "The One Number You Need to Grow", Harvard Business Review, 2003.

    Examples
    --------
    Four answers: two promoters, one passive, one detractor.

    >>> import crm_metrics as cm
    >>> cm.nps([10, 9, 7, 3])
    25.0
    >>> cm.nps([10, 9, 7, 3], by=["north", "north", "south", "south"]).to_dict()
    {'north': 100.0, 'south': -50.0}
    """
    groups, hist = _histogram(np.asarray(scores), by, NPS_SCALE)
    return groups.finish(_nps_score(*_nps_tallies(hist)))


@validated(promoters=Count(), passives=Count(), detractors=Count())
def nps_from_counts(promoters: ArrayLike, passives: ArrayLike, detractors: ArrayLike) -> Any:
    r"""Net Promoter Score from tallies of promoters, passives and detractors.

    $$\mathrm{NPS} = 100 \cdot \frac{P - D}{P + P_a + D}$$

    Parameters
    ----------
    promoters, passives, detractors : int or array_like of int
        Counts (integral, >= 0) of answers 9-10, 7-8 and 0-6. Arrays broadcast; each
        element is an independent segment or period. NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        Points in [-100, 100]; ``nan`` where there are no responses.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or the shapes do not broadcast.
    TypeError
        If a count is not numeric.

    Notes
    -----
    The same Bain formula as [`nps`][crm_metrics.nps], on tallies: use it when only the
    counts are stored, or to pool groups (sum the counts, never average the group scores).
    No responses in an element is a zero denominator: ``nan``.

    References
    ----------
    F. Reichheld, "The One Number You Need to Grow", Harvard Business Review, 2003; Bain &
    Company, Net Promoter System.

    Examples
    --------
    A quarter with 120 promoters, 50 passives and 30 detractors:

    >>> import crm_metrics as cm
    >>> cm.nps_from_counts(120, 50, 30)
    45.0
    >>> cm.nps_from_counts([120, 0], [50, 0], [30, 0])
    array([45., nan])
    """
    return as_result(_nps_score(promoters, passives, detractors))


@overload
def nps_breakdown(scores: ArrayLike, *, by: None = None) -> NPSBreakdown: ...
@overload
def nps_breakdown(scores: ArrayLike, *, by: KeysLike) -> Grouped: ...
@validated(scores=Scores(scale=NPS_SCALE), by=Keys())
def nps_breakdown(scores: ArrayLike, *, by: KeysLike | None = None) -> NPSBreakdown | Grouped:
    r"""Shares of promoters (9-10), passives (7-8) and detractors (0-6).

    $$P = \frac{n(s \ge 9)}{n},\quad P_a = \frac{n(7 \le s \le 8)}{n},\quad
    D = \frac{n(s \le 6)}{n},\qquad \mathrm{NPS} = 100\,(P - D)$$

    Parameters
    ----------
    scores : array_like of int
        Answers on the 0..10 scale.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    NPSBreakdown or Grouped
        An [`NPSBreakdown`][crm_metrics.NPSBreakdown] named tuple ``(promoters, passives,
        detractors)`` of fractions summing to 1 (``nan`` three times for no responses).
        With ``by``, a [`Grouped`][crm_metrics.Grouped] whose ``values`` has the three
        columns ``promoters, passives, detractors``.

    Raises
    ------
    ValueError
        If a score is outside 0..10, fractional or NaN, or ``by`` has another length.

    Notes
    -----
    Bain's three categories. The score alone hides the mix: 50 % promoters and 50 %
    detractors give the same NPS (0) as 100 % passives. ``nps == 100 * (P - D)`` exactly.

    References
    ----------
    Bain & Company, Net Promoter System.

    Examples
    --------
    Four answers: 10 and 9 promote, 7 is passive, 3 detracts:

    >>> import crm_metrics as cm
    >>> cm.nps_breakdown([10, 9, 7, 3])
    NPSBreakdown(promoters=0.5, passives=0.25, detractors=0.25)
    >>> cm.nps_breakdown([10, 3], by=["a", "b"]).to_dict()["b"]
    {'promoters': 0.0, 'passives': 0.0, 'detractors': 1.0}
    """
    groups, hist = _histogram(np.asarray(scores), by, NPS_SCALE)
    n = hist.sum(axis=1)
    shares = np.column_stack([safe_divide(t, n) for t in _nps_tallies(hist)])
    if groups.keys is None:
        return NPSBreakdown(*(float(x) for x in shares[0]))
    return groups.finish_rows(shares, NPSBreakdown._fields)


@overload
def nps_standard_error(scores: ArrayLike, *, by: None = None) -> float: ...
@overload
def nps_standard_error(scores: ArrayLike, *, by: KeysLike) -> Grouped: ...
@validated(scores=Scores(scale=NPS_SCALE), by=Keys())
def nps_standard_error(scores: ArrayLike, *, by: KeysLike | None = None) -> float | Grouped:
    r"""Standard error of the NPS, in points (multinomial plug-in estimate).

    $$\mathrm{SE} = 100 \cdot \sqrt{\frac{P + D - (P - D)^2}{n}}$$

    with ``P`` and ``D`` the promoter and detractor shares of
    [`nps_breakdown`][crm_metrics.nps_breakdown].

    Parameters
    ----------
    scores : array_like of int
        Answers on the 0..10 scale.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        Points, >= 0; ``nan`` when fewer than 2 responses.

    Raises
    ------
    ValueError
        If a score is outside 0..10, fractional or NaN, or ``by`` has another length.

    Notes
    -----
    NPS is 100 times the mean of a variable that is +1 for a promoter, -1 for a detractor
    and 0 for a passive; its variance is ``P + D - (P - D)^2``. The plug-in estimate divides
    by ``n`` (not ``n - 1``). A normal 95 % interval is ``nps ± 1.96 * SE``, reasonable once
    each category has a handful of answers. Fewer than 2 responses give ``nan``: one answer
    says nothing about spread.

    References
    ----------
    The multinomial variance of the difference of two category shares; see e.g.
    A. Agresti, *Categorical Data Analysis*, 3rd ed., Wiley, 2013, section 16.1.

    Examples
    --------
    Four answers leave the score very uncertain; one answer gives no estimate:

    >>> import crm_metrics as cm
    >>> round(cm.nps_standard_error([10, 9, 7, 3]), 4)
    41.4578
    >>> cm.nps_standard_error([10])
    nan
    """
    groups, hist = _histogram(np.asarray(scores), by, NPS_SCALE)
    promoters, _, detractors = _nps_tallies(hist)
    n = hist.sum(axis=1)
    p = safe_divide(promoters, n)
    d = safe_divide(detractors, n)
    # clip the tiny negative rounding residue of an all-promoter or all-detractor group
    variance = np.maximum(p + d - (p - d) ** 2, 0.0)
    with np.errstate(invalid="ignore"):
        se = 100.0 * np.sqrt(safe_divide(variance, n))
    return groups.finish(np.where(n < 2, np.nan, se))


# --------------------------------------------------------------------------- NPS inference
class NPSInterval(NamedTuple):
    """Lower and upper bound of a confidence interval of the NPS, in points.

    The result of `nps_ci` and `nps_ci_from_counts`: a named tuple, so
    ``low, high = ...`` works.

    Attributes
    ----------
    low, high : float or numpy.ndarray
        The bounds, in [-100, 100]; ``nan`` where the interval is undefined.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> ci = cm.nps_ci_from_counts(120, 50, 30)
    >>> round(ci.low, 1), round(ci.high, 1)
    (34.7, 55.3)
    """

    low: Any
    high: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Confidence interval of the NPS (points)", self._asdict())


class NPSTest(NamedTuple):
    """Two-sample test of a difference between two Net Promoter Scores.

    The result of `nps_test` and `nps_test_from_counts`: a named tuple.

    Attributes
    ----------
    difference : float or numpy.ndarray
        ``NPS(a) - NPS(b)``, in points.
    standard_error : float or numpy.ndarray
        Standard error of the difference, in points.
    z : float or numpy.ndarray
        ``difference / standard_error``.
    p_value : float or numpy.ndarray
        Two-sided p-value of the hypothesis that both scores are equal.
    low, high : float or numpy.ndarray
        Confidence interval of the difference, in points (within [-200, 200]).

    Examples
    --------
    >>> import crm_metrics as cm
    >>> t = cm.nps_test_from_counts(120, 50, 30, 90, 60, 50)
    >>> round(t.difference, 1), round(t.p_value, 4)
    (25.0, 0.0013)
    """

    difference: Any
    standard_error: Any
    z: Any
    p_value: Any
    low: Any
    high: Any

    def _repr_html_(self) -> str:
        """A table for notebooks: one column per field (one row per element of arrays)."""
        from crm_metrics import _html

        return _html.record("Test of a difference between two NPS (points)", self._asdict())


#: Pseudo-responses the adjusted Wald interval adds: 3/4 promoter, 3/2 passive, 3/4 detractor.
_PSEUDO_COUNTS = (0.75, 1.5, 0.75)
_NPS_CI_METHODS = ("wald", "adjusted-wald")
_CONFIDENCE = Interval(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True)


def _critical(confidence: float) -> float:
    """The two-sided normal critical value of ``confidence`` (1.96 for 0.95)."""
    from statistics import NormalDist  # the standard library; imported on first use

    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _nps_moments(
    promoters: ArrayLike, passives: ArrayLike, detractors: ArrayLike, method: str = "wald"
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """NPS as a fraction, the per-response variance P + D - (P - D)^2 and the sample size,
    after adding the adjusted-Wald pseudo-responses when ``method`` asks for them; nan where
    the interval is undefined (no responses; fewer than 2 for the plain Wald interval)."""
    p, pa, d = (np.asarray(x, dtype=np.float64) for x in (promoters, passives, detractors))
    n_observed = p + pa + d
    if method == "adjusted-wald":
        p, pa, d = p + _PSEUDO_COUNTS[0], pa + _PSEUDO_COUNTS[1], d + _PSEUDO_COUNTS[2]
    n = p + pa + d
    defined = n_observed > 0 if method == "adjusted-wald" else n_observed >= 2
    n = np.where(defined, n, np.nan)
    share_p = p / n
    share_d = d / n
    score = share_p - share_d
    # clip the tiny negative rounding residue of an all-promoter or all-detractor sample
    variance = np.maximum(share_p + share_d - score * score, 0.0)
    return score, variance, n


def _nps_interval(
    promoters: ArrayLike,
    passives: ArrayLike,
    detractors: ArrayLike,
    confidence: float,
    method: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The Wald (or adjusted Wald) interval of the NPS in points, clipped to [-100, 100]."""
    score, variance, n = _nps_moments(promoters, passives, detractors, method)
    with np.errstate(invalid="ignore"):
        half = _critical(confidence) * np.sqrt(variance / n)
        low = 100.0 * np.clip(score - half, -1.0, 1.0)
        high = 100.0 * np.clip(score + half, -1.0, 1.0)
    return low, high


@overload
def nps_ci(
    scores: ArrayLike, *, confidence: float = ..., method: str = ..., by: None = None
) -> NPSInterval: ...
@overload
def nps_ci(
    scores: ArrayLike, *, confidence: float = ..., method: str = ..., by: KeysLike
) -> Grouped: ...
@validated(
    scores=Scores(scale=NPS_SCALE),
    confidence=_CONFIDENCE,
    method=Option(choices=_NPS_CI_METHODS),
    by=Keys(),
)
def nps_ci(
    scores: ArrayLike,
    *,
    confidence: float = 0.95,
    method: str = "wald",
    by: KeysLike | None = None,
) -> NPSInterval | Grouped:
    r"""Confidence interval of the Net Promoter Score, in points.

    $$\mathrm{NPS} \pm z\,\mathrm{SE},\qquad \mathrm{SE} = 100\sqrt{\frac{P + D - (P -
    D)^2}{n}},\qquad z = \Phi^{-1}\!\left(\tfrac{1 + \mathit{confidence}}{2}\right)$$

    with the shares $P$, $D$ and the count $n$ taken after adding $\tfrac34$ promoter,
    $\tfrac32$ passive and $\tfrac34$ detractor for ``method="adjusted-wald"``.

    Parameters
    ----------
    scores : array_like of int
        Answers on the 0..10 scale, one per response.
    confidence : float, default 0.95
        Two-sided confidence level in (0, 1).
    method : {"wald", "adjusted-wald"}, default "wald"
        ``"wald"``: the normal interval with the multinomial variance (the interval of R's
        ``NPS`` package, ``nps ± z * nps_standard_error``). ``"adjusted-wald"``: the same
        after adding three pseudo-responses (3/4 promoter, 3/2 passive, 3/4 detractor),
        better behaved for small samples and extreme scores.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    NPSInterval or Grouped
        ``(low, high)`` in points, within [-100, 100]; ``(nan, nan)`` for no responses
        (and for a single response with ``"wald"``). With ``by``, a
        [`Grouped`][crm_metrics.Grouped] with the columns ``low`` and ``high``.

    Raises
    ------
    ValueError
        If a score is outside 0..10, fractional or NaN, ``confidence`` is outside (0, 1),
        ``method`` is unknown, or ``by`` has another length.

    Notes
    -----
    NPS is 100 times the mean of a variable that is +1 for a promoter, -1 for a
    detractor and 0 for a passive, so the central limit theorem gives the Wald interval,
    with the plug-in variance ``P + D - (P - D)^2`` of
    [`nps_standard_error`][crm_metrics.nps_standard_error] (divisor ``n``). Like the Wald
    interval of a proportion it is too narrow for small samples and collapses to a point
    when every answer falls in one category. Rocks (2016) compared intervals for the NPS
    on a large database of real scores and found adding 3/4 of a promoter, 3/2 of a
    passive and 3/4 of a detractor before the Wald computation (the "adjusted Wald"
    interval, after Agresti & Coull's add-two-successes-and-two-failures interval for a
    proportion) among the best performers; it is the recommended small-sample choice
    here. The adjusted interval is centred on the shrunken score ``100 (P - D) / (n + 3)``
    rather than on the NPS itself. Bounds are clipped to [-100, 100].

    References
    ----------
    B. Rocks, "Interval estimation for the 'Net Promoter Score'", The American
    Statistician 70(4), 2016; R package ``NPS`` (``nps_var``, ``nps_se``, ``nps_test``);
    A. Agresti and B. A. Coull, The American Statistician 52, 1998.

    Examples
    --------
    Ten answers, and the same ten answers per region:

    >>> import crm_metrics as cm
    >>> scores = [10, 10, 9, 9, 9, 8, 7, 6, 3, 10]
    >>> low, high = cm.nps_ci(scores)
    >>> round(low, 1), round(high, 1)
    (-9.6, 89.6)
    >>> low, high = cm.nps_ci(scores, method="adjusted-wald")
    >>> round(low, 1), round(high, 1)
    (-12.6, 74.1)

    Five promoters alone give a Wald interval of one point; the adjusted one stays wide:

    >>> cm.nps_ci(scores, by=["n"] * 5 + ["s"] * 5).to_dict()["n"]
    {'low': 100.0, 'high': 100.0}
    >>> g = cm.nps_ci(scores, method="adjusted-wald", by=["n"] * 5 + ["s"] * 5)
    >>> {k: round(v, 1) for k, v in g.to_dict()["n"].items()}
    {'low': 17.5, 'high': 100.0}
    """
    groups, hist = _histogram(np.asarray(scores), by, NPS_SCALE)
    low, high = _nps_interval(*_nps_tallies(hist), confidence, method)
    if groups.keys is None:
        return NPSInterval(float(low[0]), float(high[0]))
    return groups.finish_rows(np.column_stack([low, high]), NPSInterval._fields)


@validated(
    promoters=Count(),
    passives=Count(),
    detractors=Count(),
    confidence=_CONFIDENCE,
    method=Option(choices=_NPS_CI_METHODS),
)
def nps_ci_from_counts(
    promoters: ArrayLike,
    passives: ArrayLike,
    detractors: ArrayLike,
    *,
    confidence: float = 0.95,
    method: str = "wald",
) -> NPSInterval:
    r"""Confidence interval of the NPS from tallies of promoters, passives and detractors.

    $$\mathrm{NPS} \pm z \cdot 100\sqrt{\frac{P + D - (P - D)^2}{n}},\qquad
    P = \frac{\mathit{promoters}}{n},\quad D = \frac{\mathit{detractors}}{n}$$

    Parameters
    ----------
    promoters, passives, detractors : int or array_like of int
        Counts (integral, >= 0) of answers 9-10, 7-8 and 0-6. Arrays broadcast; each
        element is an independent segment or period. NaN propagates.
    confidence : float, default 0.95
        Two-sided confidence level in (0, 1).
    method : {"wald", "adjusted-wald"}, default "wald"
        As in [`nps_ci`][crm_metrics.nps_ci].

    Returns
    -------
    NPSInterval
        ``(low, high)`` in points, floats or arrays (broadcast); ``nan`` where there are no
        responses (or a single one with ``"wald"``).

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, the shapes do not broadcast,
        ``confidence`` is outside (0, 1) or ``method`` is unknown.

    Notes
    -----
    The same interval as [`nps_ci`][crm_metrics.nps_ci], on tallies: use it when only the
    counts are stored. Pool groups by summing their counts.

    References
    ----------
    B. Rocks, "Interval estimation for the 'Net Promoter Score'", The American
    Statistician 70(4), 2016.

    Examples
    --------
    A quarter with 120 promoters, 50 passives and 30 detractors (NPS 45), and a small
    branch with 4 promoters and 1 passive:

    >>> import crm_metrics as cm
    >>> low, high = cm.nps_ci_from_counts([120, 4], [50, 1], [30, 0])
    >>> low.round(1).tolist(), high.round(1).tolist()
    ([34.7, 44.9], [55.3, 100.0])
    >>> low, high = cm.nps_ci_from_counts(4, 1, 0, method="adjusted-wald")
    >>> round(low, 1), round(high, 1)
    (4.2, 95.8)
    """
    low, high = _nps_interval(promoters, passives, detractors, confidence, method)
    return NPSInterval(as_result(low), as_result(high))


def _nps_test(
    a: tuple[ArrayLike, ArrayLike, ArrayLike],
    b: tuple[ArrayLike, ArrayLike, ArrayLike],
    confidence: float,
) -> NPSTest:
    """The two-sample Wald test of NPS(a) - NPS(b) from the two samples' tallies."""
    score_a, variance_a, n_a = _nps_moments(*a)
    score_b, variance_b, n_b = _nps_moments(*b)
    with np.errstate(invalid="ignore"):
        difference = 100.0 * (score_a - score_b)
        se = 100.0 * np.sqrt(variance_a / n_a + variance_b / n_b)
        z = safe_divide(difference, se)
        half = _critical(confidence) * se
        low = np.clip(difference - half, -200.0, 200.0)
        high = np.clip(difference + half, -200.0, 200.0)
    p_value = two_sided_normal_p(z)
    return NPSTest(*(as_result(v) for v in (difference, se, z, p_value, low, high)))


@validated(
    scores_a=Scores(scale=NPS_SCALE),
    scores_b=Unaligned(Scores(scale=NPS_SCALE)),
    confidence=_CONFIDENCE,
)
def nps_test(scores_a: ArrayLike, scores_b: ArrayLike, *, confidence: float = 0.95) -> NPSTest:
    r"""Two-sample test of a difference in NPS (this quarter against last, A against B).

    $$\Delta = \mathrm{NPS}_a - \mathrm{NPS}_b,\qquad
    \mathrm{SE} = \sqrt{\mathrm{SE}_a^2 + \mathrm{SE}_b^2},\qquad z = \frac{\Delta}{\mathrm{SE}},
    \qquad p = \operatorname{erfc}\!\left(\frac{|z|}{\sqrt 2}\right)$$

    with each $\mathrm{SE}$ that of [`nps_standard_error`][crm_metrics.nps_standard_error].

    Parameters
    ----------
    scores_a : array_like of int
        Answers (0..10) of the first sample.
    scores_b : array_like of int
        Answers (0..10) of the second sample, of any length.
    confidence : float, default 0.95
        Level of the interval of the difference, in (0, 1).

    Returns
    -------
    NPSTest
        ``(difference, standard_error, z, p_value, low, high)``: the difference in points,
        its standard error, the z statistic, the two-sided p-value and the interval
        ``difference ± z_crit * standard_error``. ``nan`` when a sample has fewer than 2
        answers, or when both samples have no spread (``standard_error`` 0).

    Raises
    ------
    ValueError
        If a score is outside 0..10, fractional or NaN, or ``confidence`` is outside (0, 1).

    Notes
    -----
    The Wald (z) test of R's ``NPS`` package (``nps_test``): independent samples, each
    with the multinomial variance of its own shares (unpooled), so the interval and the
    test agree. Unlike R's function it reports the signed difference (a minus b) and an
    interval around it. It needs samples of a few dozen answers per category to be
    reliable; for small samples compare the
    [`nps_ci`][crm_metrics.nps_ci] intervals with ``method="adjusted-wald"``.

    References
    ----------
    R package ``NPS`` (B. Rocks), ``nps_test``; B. Rocks, "Interval estimation for the 'Net
    Promoter Score'", The American Statistician 70(4), 2016.

    Examples
    --------
    >>> import crm_metrics as cm
    >>> t = cm.nps_test([10, 9, 9, 8, 10, 6, 9, 10], [7, 6, 9, 3, 8, 10, 5, 6])
    >>> round(t.difference, 1), round(t.standard_error, 1), round(t.p_value, 4)
    (87.5, 38.3, 0.0222)
    """
    _, hist_a = _histogram(np.asarray(scores_a), None, NPS_SCALE)
    _, hist_b = _histogram(np.asarray(scores_b), None, NPS_SCALE)
    tallies_a = tuple(t[0] for t in _nps_tallies(hist_a))
    tallies_b = tuple(t[0] for t in _nps_tallies(hist_b))
    return _nps_test(tallies_a, tallies_b, confidence)


@validated(
    promoters_a=Count(),
    passives_a=Count(),
    detractors_a=Count(),
    promoters_b=Count(),
    passives_b=Count(),
    detractors_b=Count(),
    confidence=_CONFIDENCE,
)
def nps_test_from_counts(
    promoters_a: ArrayLike,
    passives_a: ArrayLike,
    detractors_a: ArrayLike,
    promoters_b: ArrayLike,
    passives_b: ArrayLike,
    detractors_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> NPSTest:
    r"""Two-sample NPS test from the tallies of the two samples.

    $$z = \frac{100\left[(P_a - D_a) - (P_b - D_b)\right]}{100\sqrt{\frac{P_a + D_a - (P_a -
    D_a)^2}{n_a} + \frac{P_b + D_b - (P_b - D_b)^2}{n_b}}}$$

    Parameters
    ----------
    promoters_a, passives_a, detractors_a : int or array_like of int
        Counts of answers 9-10, 7-8 and 0-6 in the first sample.
    promoters_b, passives_b, detractors_b : int or array_like of int
        The same for the second sample. All six broadcast.
    confidence : float, default 0.95
        Level of the interval of the difference, in (0, 1).

    Returns
    -------
    NPSTest
        As [`nps_test`][crm_metrics.nps_test]; floats or arrays (broadcast).

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, the shapes do not broadcast, or
        ``confidence`` is outside (0, 1).

    Notes
    -----
    The same test as [`nps_test`][crm_metrics.nps_test], on tallies.

    References
    ----------
    R package ``NPS`` (B. Rocks), ``nps_test``.

    Examples
    --------
    This quarter 120 promoters, 50 passives, 30 detractors (NPS 45); last quarter 90, 60
    and 50 (NPS 20):

    >>> import crm_metrics as cm
    >>> t = cm.nps_test_from_counts(120, 50, 30, 90, 60, 50)
    >>> round(t.difference, 1), round(t.z, 3), round(t.low, 1), round(t.high, 1)
    (25.0, 3.217, 9.8, 40.2)
    """
    return _nps_test(
        (promoters_a, passives_a, detractors_a),
        (promoters_b, passives_b, detractors_b),
        confidence,
    )


# --------------------------------------------------------------------------- CSAT
@overload
def csat(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: None = None) -> float: ...
@overload
def csat(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: KeysLike) -> Grouped: ...
@validated(scale=Scale(min_span=2), scores=Scores(), by=Keys())
def csat(
    scores: ArrayLike, *, scale: tuple[int, int] = (1, 5), by: KeysLike | None = None
) -> float | Grouped:
    r"""Customer satisfaction score: the share of top-2-box answers.

    $$\mathrm{CSAT} = \frac{n(s \ge \mathit{hi} - 1)}{n}$$

    Parameters
    ----------
    scores : array_like of int
        Answers to "How satisfied were you?" on ``scale``.
    scale : tuple of int, default (1, 5)
        ``(lo, hi)``, integers with ``hi - lo >= 2`` (on a 2-point scale the top two boxes
        would be every answer).
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1] (use ``to_percent`` for %); ``nan`` for no responses.

    Raises
    ------
    ValueError
        If a score is off the scale, fractional or NaN; if the scale is not valid.

    Notes
    -----
    Definition chosen: top-2-box share (4-5 on 1..5, 9-10 on 1..10), as in the SoGoSurvey,
    GetFeedback and Intercom guides. The mean answer is the common variant:
    [`csat_mean`][crm_metrics.csat_mean].

    References
    ----------
    SoGoSurvey and GetFeedback CSAT guides; Intercom help, "CSAT".

    Examples
    --------
    Five answers on 1..5, three of them 4 or 5; on a 1..10 scale the top two boxes are 9 and 10:

    >>> import crm_metrics as cm
    >>> cm.csat([5, 4, 3, 5, 1])
    0.6
    >>> cm.csat([10, 9, 8, 10], scale=(1, 10))
    0.75
    """
    groups, hist = _histogram(np.asarray(scores), by, scale)
    top_two = np.arange(scale[0], scale[1] + 1) >= scale[1] - 1
    return groups.finish(safe_divide(_count_where(hist, top_two), hist.sum(axis=1)))


@overload
def csat_mean(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: None = None) -> float: ...
@overload
def csat_mean(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: KeysLike) -> Grouped: ...
@validated(scale=Scale(), scores=Scores(), by=Keys())
def csat_mean(
    scores: ArrayLike, *, scale: tuple[int, int] = (1, 5), by: KeysLike | None = None
) -> float | Grouped:
    r"""Mean satisfaction answer, on the survey's own scale.

    $$\overline{s} = \frac{1}{n}\sum_i s_i$$

    Parameters
    ----------
    scores : array_like of int
        Answers on ``scale``.
    scale : tuple of int, default (1, 5)
        ``(lo, hi)``, integers with ``hi > lo``; used to validate the answers.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        A value in [lo, hi]; ``nan`` for no responses.

    Raises
    ------
    ValueError
        If a score is off the scale, fractional or NaN; if the scale is not valid.

    Notes
    -----
    The variant of CSAT reported by tools that average the answers. The default figure,
    [`csat`][crm_metrics.csat], is the top-2-box share. ``scale`` only validates the
    answers; the mean stays on the native scale (rescale it with
    [`satisfaction_index`][crm_metrics.satisfaction_index]).

    References
    ----------
    SoGoSurvey and GetFeedback CSAT guides (mean as the alternative to top-2-box).

    Examples
    --------
    The same five answers, averaged:

    >>> import crm_metrics as cm
    >>> cm.csat_mean([5, 4, 3, 5, 1])
    3.6
    """
    groups, hist = _histogram(np.asarray(scores), by, scale)
    return groups.finish(_mean(hist, scale))


@overload
def satisfaction_index(
    scores: ArrayLike, *, scale: tuple[int, int] = ..., by: None = None
) -> float: ...
@overload
def satisfaction_index(
    scores: ArrayLike, *, scale: tuple[int, int] = ..., by: KeysLike
) -> Grouped: ...
@validated(scale=Scale(), scores=Scores(), by=Keys())
def satisfaction_index(
    scores: ArrayLike, *, scale: tuple[int, int] = (1, 5), by: KeysLike | None = None
) -> float | Grouped:
    r"""Satisfaction index: the mean answer rescaled to 0..100 (ACSI style).

    $$\mathrm{SI} = 100 \cdot \frac{\overline{s} - \mathit{lo}}{\mathit{hi} - \mathit{lo}}$$

    Parameters
    ----------
    scores : array_like of int
        Answers on ``scale``.
    scale : tuple of int, default (1, 5)
        ``(lo, hi)``, integers with ``hi > lo``. The ACSI questionnaire uses ``(1, 10)``.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        A value in [0, 100]; ``nan`` for no responses.

    Raises
    ------
    ValueError
        If a score is off the scale, fractional or NaN; if ``hi <= lo``.

    Notes
    -----
    Only the rescaling of the ACSI is implemented; the published ACSI is a weighted latent
    variable model over several items. When only the item mean is known, use
    [`satisfaction_index_from_mean`][crm_metrics.satisfaction_index_from_mean].

    References
    ----------
    ACSI Methodology Report, University of Michigan.

    Examples
    --------
    The same five answers (mean 3.6) on 0..100: 100 x (3.6 - 1) / 4.

    >>> import crm_metrics as cm
    >>> cm.satisfaction_index([5, 4, 3, 5, 1])
    65.0
    """
    groups, hist = _histogram(np.asarray(scores), by, scale)
    lo, hi = scale
    return groups.finish(100.0 * (_mean(hist, scale) - lo) / (hi - lo))


@validated(scale=Scale(), mean=MeanScore())
def satisfaction_index_from_mean(mean: ArrayLike, *, scale: tuple[int, int] = (1, 5)) -> Any:
    r"""Satisfaction index from a precomputed mean answer (ACSI-style 0..100 rescaling).

    $$\mathrm{SI} = 100 \cdot \frac{\overline{s} - \mathit{lo}}{\mathit{hi} - \mathit{lo}}$$

    Parameters
    ----------
    mean : float or array_like
        Item means on ``scale`` (in [lo, hi]); arrays give one index per element; NaN
        propagates.
    scale : tuple of int, default (1, 5)
        ``(lo, hi)``, integers with ``hi > lo``.

    Returns
    -------
    float or numpy.ndarray
        Values in [0, 100].

    Raises
    ------
    ValueError
        If a mean is outside [lo, hi] or infinite, or ``hi <= lo``.

    Notes
    -----
    The aggregate twin of [`satisfaction_index`][crm_metrics.satisfaction_index], for
    when only the item mean is stored. As there, only the ACSI rescaling is done, not the
    ACSI's weighted latent-variable model.

    References
    ----------
    ACSI Methodology Report, University of Michigan.

    Examples
    --------
    A stored mean of 7.5 on the ACSI's 1..10 scale:

    >>> import crm_metrics as cm
    >>> cm.satisfaction_index_from_mean(7.5, scale=(1, 10))
    72.22222222222223
    """
    lo, hi = scale
    return as_result(100.0 * (np.asarray(mean) - lo) / (hi - lo))


# --------------------------------------------------------------------------- CES
@overload
def ces(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: None = None) -> float: ...
@overload
def ces(scores: ArrayLike, *, scale: tuple[int, int] = ..., by: KeysLike) -> Grouped: ...
@validated(scale=Scale(), scores=Scores(), by=Keys())
def ces(
    scores: ArrayLike, *, scale: tuple[int, int] = (1, 7), by: KeysLike | None = None
) -> float | Grouped:
    r"""Customer Effort Score: the mean answer to the CES 2.0 agreement item.

    $$\mathrm{CES} = \frac{1}{n}\sum_i s_i$$

    Parameters
    ----------
    scores : array_like of int
        Answers to "The company made it easy for me to handle my issue" on ``scale``
        (7 = strongly agree: higher is better).
    scale : tuple of int, default (1, 7)
        ``(lo, hi)``, integers with ``hi > lo``. Legacy CES 1.0 ("How much effort did you
        personally have to put forth?", 1..5, lower is better) is averaged with
        ``scale=(1, 5)``; its mean is not comparable with CES 2.0.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        A value in [lo, hi]; ``nan`` for no responses.

    Raises
    ------
    ValueError
        If a score is off the scale, fractional or NaN; if the scale is not valid.

    Notes
    -----
    Definition chosen: the mean of the 1..7 CES 2.0 item (Gartner/CEB). The common
    variant, the share of answers that agree (5-7), is
    [`ces_agree_share`][crm_metrics.ces_agree_share]. Legacy CES 1.0 (1..5, lower is
    better) is only averaged (``scale=(1, 5)``); its mean cannot be compared with CES 2.0.

    References
    ----------
    M. Dixon, N. Toman, R. DeLisi, *The Effortless Experience*, Portfolio, 2013;
    Gartner (CEB), "The new and improved Customer Effort Score".

    Examples
    --------
    Four answers to the CES 2.0 item (7 = strongly agree that it was easy):

    >>> import crm_metrics as cm
    >>> cm.ces([7, 6, 5, 2])
    5.0
    """
    groups, hist = _histogram(np.asarray(scores), by, scale)
    return groups.finish(_mean(hist, scale))


@overload
def ces_agree_share(
    scores: ArrayLike,
    *,
    scale: tuple[int, int] = ...,
    higher_is_better: bool = ...,
    by: None = None,
) -> float: ...
@overload
def ces_agree_share(
    scores: ArrayLike,
    *,
    scale: tuple[int, int] = ...,
    higher_is_better: bool = ...,
    by: KeysLike,
) -> Grouped: ...
@validated(
    scale=Scale(),
    scores=Scores(),
    higher_is_better=Flag(only=True, reason=_AGREE_REASON),
    by=Keys(),
)
def ces_agree_share(
    scores: ArrayLike,
    *,
    scale: tuple[int, int] = (1, 7),
    higher_is_better: bool = True,
    by: KeysLike | None = None,
) -> float | Grouped:
    r"""Share of CES answers that agree the issue was easy to handle (above the midpoint).

    $$\mathrm{CES}_{\mathrm{agree}} = \frac{n\big(s > (\mathit{lo} + \mathit{hi}) / 2\big)}{n}$$

    Parameters
    ----------
    scores : array_like of int
        Answers on ``scale`` (5-7 agree on the default 1..7).
    scale : tuple of int, default (1, 7)
        ``(lo, hi)``, integers with ``hi > lo``.
    higher_is_better : bool, default True
        Must be True: on a lower-is-better effort scale (legacy CES 1.0) "agreeing" has no
        meaning, so ``False`` is refused.
    by : array_like or tuple of array_like, optional
        Group keys aligned with ``scores``.

    Returns
    -------
    float or Grouped
        A fraction in [0, 1]; ``nan`` for no responses.

    Raises
    ------
    ValueError
        If a score is off the scale, fractional or NaN; if the scale is not valid; if
        ``higher_is_better`` is False.

    Notes
    -----
    The "% agree" variant of CES reported by CustomerGauge, Zonka and others; the default
    CES figure is the mean ([`ces`][crm_metrics.ces]). The neutral midpoint (4 on 1..7)
    does not agree; on an even-length scale such as 1..6 the upper half (4-6) agrees.

    References
    ----------
    CustomerGauge, Zonka and CYS Group CES guides on mean vs % agree; Gartner (CEB), "The
    new and improved Customer Effort Score".

    Examples
    --------
    Three of five answers are 5 or more; the neutral 4 does not count:

    >>> import crm_metrics as cm
    >>> cm.ces_agree_share([7, 6, 5, 4, 2])
    0.6
    """
    groups, hist = _histogram(np.asarray(scores), by, scale)
    lo, hi = scale
    agree = 2 * np.arange(lo, hi + 1) > lo + hi
    return groups.finish(safe_divide(_count_where(hist, agree), hist.sum(axis=1)))


# --------------------------------------------------------------------------- response rate
@validated(surveys_sent=Count(), responses=Count(le="surveys_sent"))
def survey_response_rate(responses: ArrayLike, surveys_sent: ArrayLike) -> Any:
    r"""Survey response rate: the share of surveys sent that were answered.

    $$\mathrm{RR} = \frac{\mathit{responses}}{\mathit{surveys\_sent}}$$

    Parameters
    ----------
    responses : int or array_like of int
        Completed responses (a subset of the surveys sent).
    surveys_sent : int or array_like of int
        Surveys sent (invitations delivered). Arrays broadcast; NaN propagates.

    Returns
    -------
    float or numpy.ndarray
        A fraction in [0, 1]; ``nan`` where no survey was sent.

    Raises
    ------
    ValueError
        If a count is negative, fractional or infinite, or responses exceed surveys sent.

    Notes
    -----
    Responses over surveys sent (O'Reilly, *Measuring Marketing*); pass the delivered count as
    ``surveys_sent`` to leave bounced invitations out. No survey sent is a zero denominator:
    ``nan``. A low rate makes every survey figure above less certain (see
    [`nps_standard_error`][crm_metrics.nps_standard_error]).

    References
    ----------
    *Measuring Marketing* (O'Reilly), ch. "Response Rate"; Infor CRM campaign responses.

    Examples
    --------
    45 answers to 300 post-ticket surveys; a wave with no surveys sent gives nan:

    >>> import crm_metrics as cm
    >>> cm.survey_response_rate(45, 300)
    0.15
    >>> cm.survey_response_rate([45, 0], [300, 0])
    array([0.15,  nan])
    """
    return as_result(safe_divide(responses, surveys_sent))

"""The BG/BB model of discrete-time repeat transactions (Fader, Hardie & Shang 2010).

For businesses where transactions can only happen at discrete opportunities (an annual
fundraising drive, a yearly conference, a weekly show): while alive, a customer
transacts at each opportunity with probability ``p ~ Beta(alpha, beta)``; before each
opportunity they may become inactive for good with probability
``theta ~ Beta(gamma, delta)``. A history is ``(x, t_x, n)``: ``x`` transactions in
``n`` opportunities, the last at opportunity ``t_x``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import special  # type: ignore[import-untyped]

from crm_metrics._math import as_result
from crm_metrics._validate import Count, Magnitude, ModelParams, validated
from crm_metrics.clv._protocol import FittedModel, observed_covariance
from crm_metrics.clv._rules import Opportunity, ScalarNumber
from crm_metrics.clv.bgnbd import _LOG_EDGE, _coerced, _dot, _judge, _log_hessian, _search

__all__ = [
    "BGBBFit",
    "bgbb_conditional_expected_purchases",
    "bgbb_expected_purchases",
    "bgbb_loglik",
    "bgbb_p_alive",
    "bgbb_prob_purchases",
    "fit_bgbb",
]

BGBB_PARAMS = ("alpha", "beta", "gamma", "delta")
_PARAMS = ModelParams(names=BGBB_PARAMS, record="BGBBFit")


class BGBBFit(FittedModel):
    """A fitted BG/BB model and the fit's record.

    An immutable record (pydantic; JSON round trip, non-finite fields refused) with the
    model's predictions as methods and the shared ``std_errors()``, ``conf_int()`` and
    ``summary()``.

    Attributes
    ----------
    alpha, beta : float
        Shapes of the Beta distribution of the transaction probability ``p``.
    gamma, delta : float
        Shapes of the Beta distribution of the dropout probability ``theta``.
    loglik, n_customers, converged, iterations, message, covariance
        As in [`BGNBDFit`][crm_metrics.clv.BGNBDFit].

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.BGBBFit(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783,
    ...                   loglik=-33225.6, n_customers=11104, converged=True,
    ...                   iterations=0, message="")
    >>> round(fit.p_alive(3, 4, 6), 4)
    0.4395
    """

    PARAMS: ClassVar[tuple[str, ...]] = BGBB_PARAMS

    alpha: float = Field(gt=0)
    beta: float = Field(gt=0)
    gamma: float = Field(gt=0)
    delta: float = Field(gt=0)

    def loglik_of(self, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """Per-customer log-likelihood ([`bgbb_loglik`][crm_metrics.clv.bgbb_loglik])."""
        return bgbb_loglik(self, frequency, recency, n_periods)

    def p_alive(self, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """P(alive at the next opportunity) ([`bgbb_p_alive`][crm_metrics.clv.bgbb_p_alive])."""
        return bgbb_p_alive(self, frequency, recency, n_periods)

    def expected_purchases(self, n_periods: Any) -> Any:
        """Expected transactions of a new customer in ``n_periods`` opportunities
        ([`bgbb_expected_purchases`][crm_metrics.clv.bgbb_expected_purchases])."""
        return bgbb_expected_purchases(self, n_periods)

    def conditional_expected_purchases(
        self, future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Expected transactions in the next ``future`` opportunities
        ([`bgbb_conditional_expected_purchases`][crm_metrics.clv.bgbb_conditional_expected_purchases])."""
        return bgbb_conditional_expected_purchases(self, future, frequency, recency, n_periods)

    def prob_purchases(self, n: Any, n_periods: Any) -> Any:
        """P(exactly ``n`` transactions in ``n_periods`` opportunities) for a new customer
        ([`bgbb_prob_purchases`][crm_metrics.clv.bgbb_prob_purchases])."""
        return bgbb_prob_purchases(self, n_periods, n)


Params = Mapping[str, float] | BGBBFit


# --------------------------------------------------------------------------- likelihood
def _terms(
    alpha: float, beta: float, gamma: float, delta: float, x: Any, tx: Any, n: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""The log-terms of the likelihood on a grid (customers x (1 + max n)): column 0 is
    "alive through n", column 1 + i "became inactive right after opportunity t_x + i"
    ($i < n - t_x$), -inf where the column does not exist. Also returns, per column, the
    Beta arguments' offsets k (in $B(\alpha+x, \beta+k)$) and m (in $B(\cdot, \delta+m)$).
    """
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    tx = np.atleast_1d(np.asarray(tx, dtype=np.float64))
    n = np.atleast_1d(np.asarray(n, dtype=np.float64))
    width = int(np.max(n - tx)) if n.size else 0
    i = np.arange(max(width, 0), dtype=np.float64)[None, :]
    k = np.concatenate([(n - x)[:, None], tx[:, None] - x[:, None] + i], axis=1)
    m = np.concatenate([n[:, None], tx[:, None] + i], axis=1)
    valid = np.concatenate([np.ones((len(x), 1), bool), i < (n - tx)[:, None]], axis=1)
    g_shift = np.zeros_like(m)
    g_shift[:, 1:] = 1.0  # B(gamma + 1, .) in the dropout columns
    with np.errstate(invalid="ignore"):
        log_b = special.betaln(alpha + x[:, None], beta + k) - special.betaln(alpha, beta)
        log_g = special.betaln(gamma + g_shift, delta + m) - special.betaln(gamma, delta)
        out = np.where(valid, log_b + log_g, -np.inf)
    return out, k, m, g_shift


def _loglik(p: Mapping[str, float], x: Any, tx: Any, n: Any) -> NDArray[np.float64]:
    shape = np.broadcast_shapes(np.shape(x), np.shape(tx), np.shape(n))
    xb, tb, nb = (np.broadcast_to(np.asarray(v, np.float64), shape).ravel() for v in (x, tx, n))
    terms = _terms(p["alpha"], p["beta"], p["gamma"], p["delta"], xb, tb, nb)[0]
    out: NDArray[np.float64] = special.logsumexp(terms, axis=1).reshape(shape)
    return out


class _Histories:
    """Distinct (x, t_x, n) histories with summed weights."""

    def __init__(
        self, x: NDArray[np.float64], tx: NDArray[np.float64], n: NDArray[np.float64], w: Any
    ) -> None:
        keep = w > 0
        rows = np.stack([x[keep], tx[keep], n[keep]], axis=1)
        uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
        self.x, self.tx, self.n = uniq[:, 0], uniq[:, 1], uniq[:, 2]
        self.w = np.bincount(inverse.ravel(), weights=w[keep], minlength=len(uniq))
        self.total = float(self.w.sum())


def _objective(
    theta: NDArray[np.float64], h: _Histories, penalizer: float
) -> tuple[float, NDArray[np.float64]]:
    """Mean negative log-likelihood (+ penalty) and its analytic gradient in
    log-parameters: each term's derivative (digammas of its Beta functions) weighted by
    the term's share of the likelihood."""
    alpha, beta, gamma, delta = np.exp(theta)
    terms, k, m, g_shift = _terms(alpha, beta, gamma, delta, h.x, h.tx, h.n)
    ll_i = special.logsumexp(terms, axis=1)
    with np.errstate(invalid="ignore"):
        share = np.where(np.isfinite(terms), np.exp(terms - ll_i[:, None]), 0.0)
    x = h.x[:, None]
    psi_ab = special.digamma(alpha + beta + x + k)
    d_alpha = (
        special.digamma(alpha + x) - psi_ab - special.digamma(alpha) + special.digamma(alpha + beta)
    )
    d_beta = (
        special.digamma(beta + k) - psi_ab - special.digamma(beta) + special.digamma(alpha + beta)
    )
    psi_gd = special.digamma(gamma + g_shift + delta + m)
    d_gamma = (
        special.digamma(gamma + g_shift)
        - psi_gd
        - special.digamma(gamma)
        + special.digamma(gamma + delta)
    )
    d_delta = (
        special.digamma(delta + m)
        - psi_gd
        - special.digamma(delta)
        + special.digamma(gamma + delta)
    )
    w = h.w
    grad = np.array(
        [
            _dot(w, np.sum(share * np.where(share > 0, d, 0.0), axis=1))
            for d in (d_alpha, d_beta, d_gamma, d_delta)
        ]
    )
    params = np.array([alpha, beta, gamma, delta])
    value = -_dot(w, ll_i) / h.total + penalizer * _dot(params, params)
    gradient = (-grad / h.total + 2.0 * penalizer * params) * params
    return float(value), gradient


@validated(
    n_periods=Count(event=True),
    frequency=Count(event=True, le="n_periods"),
    recency=Opportunity(event=True, le="n_periods", zero_with="frequency", at_least="frequency"),
    weights=Magnitude(event=True, optional=True),
    penalizer=ScalarNumber(),
)
def fit_bgbb(
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    penalizer: float = 0.0,
) -> BGBBFit:
    r"""Fit the BG/BB model by maximum likelihood.

    $$\begin{aligned}
    L = {}& \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}\frac{B(\gamma, \delta+n)}
    {B(\gamma,\delta)} \\
    & + \sum_{i=0}^{n-t_x-1}\frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
    \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)}
    \end{aligned}$$

    maximised over $\alpha, \beta, \gamma, \delta > 0$ (minimising the weighted mean of
    $-\ln L$ plus $\text{penalizer}\,(\alpha^2+\beta^2+\gamma^2+\delta^2)$).

    Parameters
    ----------
    frequency : array_like of int
        Transactions ``x`` in the ``n_periods`` opportunities (0..n).
    recency : array_like of int
        Opportunity ``t_x`` of the last transaction (0 without one; x <= t_x <= n).
    n_periods : array_like of int
        Opportunities ``n`` each customer had.
    weights : array_like of float, optional
        Customers each row stands for (the recency/frequency table of the literature).
    penalizer : float, default 0.0
        L2 penalty on the parameters.

    Returns
    -------
    BGBBFit
        ``alpha, beta, gamma, delta``, the log-likelihood, the optimiser's verdict with
        a plain-words ``message`` and the covariance of the parameters. Never raises on
        non-convergence.

    Raises
    ------
    ValueError
        On negative or fractional counts, ``frequency > n_periods``, ``recency`` outside
        ``frequency..n_periods`` (or not 0 without a transaction), NaN, unequal lengths,
        negative weights or a ``penalizer`` that is not a finite number >= 0.
    TypeError
        If an input is not numeric or ``penalizer`` is not a single number.

    Notes
    -----
    Identical histories are fitted once with their weight; the sum runs on a grid of
    histories by opportunities in log space (``logsumexp``), with the analytic gradient.
    The verdict and the standard errors follow
    [`fit_bgnbd`][crm_metrics.clv.fit_bgnbd].

    References
    ----------
    P. Fader, B. Hardie, J. Shang, "Customer-Base Analysis in a Discrete-Time
    Noncontractual Setting", Marketing Science 29(6), 2010.

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.fit_bgbb([0, 1, 2, 2, 6], [0, 3, 2, 6, 6], [6, 6, 6, 6, 6],
    ...                    weights=[40.0, 12.0, 7.0, 5.0, 20.0])
    >>> fit.n_customers
    84.0
    """
    x = np.asarray(frequency, dtype=np.float64)
    tx = np.asarray(recency, dtype=np.float64)
    n = np.asarray(n_periods, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    pen = float(penalizer)
    h = _Histories(x, tx, n, w)
    theta0 = np.zeros(4)
    if h.total == 0 or float(h.n.max()) == 0:
        why = (
            "no customer (or all weights are 0)"
            if h.total == 0
            else "every customer had 0 opportunities"
        )
        start = dict.fromkeys(BGBB_PARAMS, 1.0)
        return BGBBFit(
            alpha=1.0,
            beta=1.0,
            gamma=1.0,
            delta=1.0,
            loglik=_dot(h.w, _loglik(start, h.x, h.tx, h.n)) if h.total else 0.0,
            n_customers=h.total,
            converged=False,
            iterations=0,
            message=f"did not converge: nothing can be learnt, {why}; the parameters "
            "returned are the starting point",
        )
    res = _search(_objective, theta0, (h, pen), None)
    params = np.exp(res.x)
    at_edge = np.abs(res.x) > _LOG_EDGE
    edge = None
    if at_edge.any():
        names = ", ".join(
            f"{nm} = {v:.3g}"
            for nm, v, hit in zip(BGBB_PARAMS, params, at_edge, strict=True)
            if hit
        )
        edge = (
            "did not converge: the likelihood keeps increasing towards the edge of the "
            f"parameter space ({names}; outside 1e-4..1e4), so there is no interior "
            "maximum; the parameters returned are the best reached and should not be used. "
            "Try a penalizer."
        )
    hess = _log_hessian(_objective, res.x, (h, pen))
    converged, message = _judge(res, theta0, edge, hess, BGBB_PARAMS)
    fitted = {k: float(v) for k, v in zip(BGBB_PARAMS, params, strict=True)}
    loglik = _dot(h.w, _loglik(fitted, h.x, h.tx, h.n))
    covariance = None
    if converged:
        grad = _objective(res.x, h, pen)[1]
        covariance = observed_covariance(hess, grad, params, h.total)
    return BGBBFit(
        alpha=fitted["alpha"],
        beta=fitted["beta"],
        gamma=fitted["gamma"],
        delta=fitted["delta"],
        loglik=loglik,
        n_customers=h.total,
        converged=converged,
        iterations=int(res.nit),
        message=message,
        covariance=covariance,
    )


# --------------------------------------------------------------------------- predictions
_HISTORY_RULES: dict[str, Any] = {
    "n_periods": Count(),
    "frequency": Count(le="n_periods"),
    "recency": Opportunity(le="n_periods", zero_with="frequency", at_least="frequency"),
}


@validated(params=_PARAMS, **_HISTORY_RULES)
def bgbb_loglik(
    params: Params, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> Any:
    r"""Per-customer BG/BB log-likelihood at given parameters.

    $$\ln L = \ln\Big[\frac{B(\alpha+x, \beta+n-x)B(\gamma, \delta+n)}
    {B(\alpha,\beta)B(\gamma,\delta)} + \sum_{i=0}^{n-t_x-1}
    \frac{B(\alpha+x, \beta+t_x-x+i)B(\gamma+1, \delta+t_x+i)}{B(\alpha,\beta)B(\gamma,\delta)}
    \Big]$$

    Parameters
    ----------
    params : BGBBFit or mapping
        ``alpha, beta, gamma, delta`` (all > 0).
    frequency, recency, n_periods : int or array_like of int
        The histories ``x, t_x, n``; they broadcast together.

    Returns
    -------
    float or numpy.ndarray
        The log-likelihood of each history.

    Raises
    ------
    ValueError
        On an invalid history or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    A ``logsumexp`` over the terms, so long histories stay finite.

    References
    ----------
    P. Fader, B. Hardie, J. Shang, Marketing Science 29(6), 2010, eq. (5).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    >>> round(clv.bgbb_loglik(params, 3, 4, 6), 4)
    -5.0593
    """
    return as_result(_loglik(_coerced(params), frequency, recency, n_periods))


def _log_alive_numerator(p: Mapping[str, float], x: Any, n: Any) -> NDArray[np.float64]:
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    out: NDArray[np.float64] = (
        special.betaln(p["alpha"] + x, p["beta"] + n - x)
        - special.betaln(p["alpha"], p["beta"])
        + special.betaln(p["gamma"], p["delta"] + n + 1.0)
        - special.betaln(p["gamma"], p["delta"])
    )
    return out


@validated(params=_PARAMS, **_HISTORY_RULES)
def bgbb_p_alive(
    params: Params, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> Any:
    r"""Probability that a customer is alive at the next opportunity, ``n + 1``.

    $$P(\text{alive at } n+1) = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
    \frac{B(\gamma, \delta+n+1)}{B(\gamma,\delta)}\Big/ L(\alpha,\beta,\gamma,\delta
    \mid x, t_x, n)$$

    Parameters
    ----------
    params : BGBBFit or mapping
        ``alpha, beta, gamma, delta`` (all > 0).
    frequency, recency, n_periods : int or array_like of int
        The histories; they broadcast together.

    Returns
    -------
    float or numpy.ndarray
        Probabilities in [0, 1].

    Raises
    ------
    ValueError
        On an invalid history or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Computed as the exponential of a difference of logs, so it never overflows.

    References
    ----------
    P. Fader, B. Hardie, J. Shang, Marketing Science 29(6), 2010, eq. (11).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    >>> round(clv.bgbb_p_alive(params, 6, 6, 6), 4)
    0.9304
    """
    p = _coerced(params)
    log_num = _log_alive_numerator(p, frequency, n_periods)
    out = np.exp(np.minimum(log_num - _loglik(p, frequency, recency, n_periods), 0.0))
    return as_result(out)


def _future_share(gamma: float, delta: float, n: Any, future: Any) -> NDArray[np.float64]:
    r"""$\sum_{k=1}^{n^*} B(\gamma, \delta+n+k)/B(\gamma,\delta+n+1)$ in closed form:
    $\frac{\delta+n}{\gamma-1}\,... $ via Gamma ratios, with the limit at $\gamma = 1$.

    Returns $\frac{B(\gamma-1, \delta+n+1) - B(\gamma-1, \delta+n+n^*+1)}{B(\gamma,\delta)}$,
    the expected number of the next $n^*$ opportunities a customer alive at $n$ survives
    to, times $1/P(\text{survive to } n)$ as the formula needs it.
    """
    n = np.asarray(n, dtype=np.float64)
    future = np.asarray(future, dtype=np.float64)
    log_r_n = special.gammaln(1.0 + delta + n) - special.gammaln(gamma + delta + n)
    log_prefix = np.log(delta) + special.gammaln(gamma + delta) - special.gammaln(1.0 + delta)
    if abs(gamma - 1.0) < 1e-8:
        ratio = special.digamma(1.0 + delta + n + future) - special.digamma(1.0 + delta + n)
    else:
        step = (
            special.gammaln(1.0 + delta + n + future)
            - special.gammaln(1.0 + delta + n)
            - special.gammaln(gamma + delta + n + future)
            + special.gammaln(gamma + delta + n)
        )
        ratio = -np.expm1(step) / (gamma - 1.0)
    out: NDArray[np.float64] = np.exp(log_prefix + log_r_n) * ratio
    return out


@validated(params=_PARAMS, n_periods=Count())
def bgbb_expected_purchases(params: Params, n_periods: ArrayLike) -> Any:
    r"""Expected number of transactions of a new customer in ``n_periods`` opportunities.

    $$E[X(n)] = \frac{\alpha}{\alpha+\beta}\,\frac{\delta}{\gamma-1}\left[1 -
    \frac{\Gamma(\gamma+\delta)\,\Gamma(1+\delta+n)}{\Gamma(\gamma+\delta+n)\,
    \Gamma(1+\delta)}\right]$$

    Parameters
    ----------
    params : BGBBFit or mapping
        ``alpha, beta, gamma, delta`` (all > 0).
    n_periods : int or array_like of int
        Opportunities (>= 0).

    Returns
    -------
    float or numpy.ndarray
        Expected transactions, >= 0.

    Raises
    ------
    ValueError
        On a negative or fractional ``n_periods`` or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Evaluated with log-Gamma differences and ``expm1``; at $\gamma = 1$ the limit
    $\delta\,[\psi(1+\delta+n) - \psi(1+\delta)]$ is used.

    References
    ----------
    P. Fader, B. Hardie, J. Shang, Marketing Science 29(6), 2010, eq. (9).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    >>> round(clv.bgbb_expected_purchases(params, 6), 4)
    2.2196
    """
    p = _coerced(params)
    share = p["alpha"] / (p["alpha"] + p["beta"])
    return as_result(share * _future_share(p["gamma"], p["delta"], 0.0, n_periods))


@validated(params=_PARAMS, future=Count(), **_HISTORY_RULES)
def bgbb_conditional_expected_purchases(
    params: Params,
    future: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
) -> Any:
    r"""Expected transactions in the next ``future`` opportunities of a customer with a
    history.

    $$E[X(n, n+n^*) \mid x, t_x, n] = \frac{1}{L}\,\frac{B(\alpha+x+1, \beta+n-x)}
    {B(\alpha,\beta)}\,\frac{\delta}{\gamma-1}\,\frac{\Gamma(\gamma+\delta)}{\Gamma(1+\delta)}
    \left[\frac{\Gamma(1+\delta+n)}{\Gamma(\gamma+\delta+n)} -
    \frac{\Gamma(1+\delta+n+n^*)}{\Gamma(\gamma+\delta+n+n^*)}\right]$$

    Parameters
    ----------
    params : BGBBFit or mapping
        ``alpha, beta, gamma, delta`` (all > 0).
    future : int or array_like of int
        Number of future opportunities $n^*$ (>= 0).
    frequency, recency, n_periods : int or array_like of int
        The histories; everything broadcasts together.

    Returns
    -------
    float or numpy.ndarray
        Expected transactions (>= 0).

    Raises
    ------
    ValueError
        On an invalid history, a negative or fractional ``future`` or a non-positive
        parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Log space throughout; the limit at $\gamma = 1$ is used there.

    References
    ----------
    P. Fader, B. Hardie, J. Shang, Marketing Science 29(6), 2010, eq. (13).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    >>> round(clv.bgbb_conditional_expected_purchases(params, 5, 6, 6, 6), 4)
    3.7521
    """
    p = _coerced(params)
    x = np.asarray(frequency, dtype=np.float64)
    n = np.asarray(n_periods, dtype=np.float64)
    log_b = special.betaln(p["alpha"] + x + 1.0, p["beta"] + n - x) - special.betaln(
        p["alpha"], p["beta"]
    )
    future_part = _future_share(p["gamma"], p["delta"], n, future)
    out = np.exp(log_b - _loglik(p, x, recency, n)) * future_part
    return as_result(out)


@validated(params=_PARAMS, n_periods=Count(), n=Count(le="n_periods"))
def bgbb_prob_purchases(params: Params, n_periods: ArrayLike, n: ArrayLike) -> Any:
    r"""Probability that a new customer makes exactly ``n`` transactions in ``n_periods``
    opportunities.

    $$P(X(m)=x) = \binom{m}{x}\frac{B(\alpha+x, \beta+m-x)B(\gamma,\delta+m)}
    {B(\alpha,\beta)B(\gamma,\delta)} + \sum_{i=x}^{m-1}\binom{i}{x}
    \frac{B(\alpha+x, \beta+i-x)B(\gamma+1, \delta+i)}{B(\alpha,\beta)B(\gamma,\delta)}$$

    Parameters
    ----------
    params : BGBBFit or mapping
        ``alpha, beta, gamma, delta`` (all > 0).
    n_periods : int or array_like of int
        Opportunities $m$ (>= 0).
    n : int or array_like of int
        Numbers of transactions (0..``n_periods``); broadcasts with ``n_periods``.

    Returns
    -------
    float or numpy.ndarray
        Probabilities in [0, 1]; over n = 0..m they sum to 1.

    Raises
    ------
    ValueError
        On negative or fractional counts, ``n > n_periods`` or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    The sum runs over a grid in log space (``logsumexp``).

    References
    ----------
    P. Fader, B. Hardie, J. Shang, Marketing Science 29(6), 2010, eq. (8).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    >>> round(clv.bgbb_prob_purchases(params, 6, 0), 4)
    0.3112
    """
    a, b, g, d = (_coerced(params)[k] for k in BGBB_PARAMS)
    shape = np.broadcast_shapes(np.shape(n_periods), np.shape(n))
    m = np.broadcast_to(np.asarray(n_periods, np.float64), shape).ravel()
    x = np.broadcast_to(np.asarray(n, np.float64), shape).ravel()
    width = int(m.max()) if m.size else 0
    i = np.arange(width, dtype=np.float64)[None, :]
    xc, mc = x[:, None], m[:, None]
    base = special.betaln(a, b) + special.betaln(g, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        alive = (
            special.gammaln(m + 1)
            - special.gammaln(x + 1)
            - special.gammaln(m - x + 1)
            + special.betaln(a + x, b + m - x)
            + special.betaln(g, d + m)
            - base
        )
        valid = (i >= xc) & (i < mc)
        dead = np.where(
            valid,
            special.gammaln(i + 1)
            - special.gammaln(xc + 1)
            - special.gammaln(i - xc + 1)
            + special.betaln(a + xc, b + i - xc)
            + special.betaln(g + 1.0, d + i)
            - base,
            -np.inf,
        )
        total = special.logsumexp(np.concatenate([alive[:, None], dead], axis=1), axis=1)
    return as_result(np.exp(total).reshape(shape))

"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007).

In a contractual setting (subscriptions, memberships) churn is observed. Each customer
renews at the end of every period with their own probability ``1 - theta``; the churn
probabilities ``theta`` follow ``Beta(alpha, beta)`` across customers. Because the
customers most likely to churn leave first, the cohort's retention rate rises over time,
which a single constant rate cannot reproduce. Fitted from the number of customers of
one cohort still active after each period.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import special  # type: ignore[import-untyped]

from crm_metrics._math import as_result
from crm_metrics._validate import Count, ModelParams, validated
from crm_metrics.clv._protocol import FittedModel, observed_covariance
from crm_metrics.clv._rules import ScalarNumber, SurvivorCounts
from crm_metrics.clv.bgnbd import _LOG_EDGE, _coerced, _dot, _judge, _log_hessian, _search

__all__ = [
    "SBGFit",
    "fit_sbg",
    "sbg_churn_probability",
    "sbg_del",
    "sbg_derl",
    "sbg_retention",
    "sbg_survival",
]

SBG_PARAMS = ("alpha", "beta")
_PARAMS = ModelParams(names=SBG_PARAMS, record="SBGFit")


class SBGFit(FittedModel):
    """A fitted shifted-beta-geometric model and the fit's record.

    An immutable record (pydantic; JSON round trip, non-finite fields refused) with the
    model's curves and values as methods and the shared ``std_errors()``,
    ``conf_int()`` and ``summary()`` (``n_customers`` is the cohort's size).

    Attributes
    ----------
    alpha, beta : float
        Shapes of the Beta distribution of the per-period churn probability.
    loglik, n_customers, converged, iterations, message, covariance
        As in [`BGNBDFit`][crm_metrics.clv.BGNBDFit].

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.SBGFit(alpha=0.704, beta=1.182, loglik=-1611.2, n_customers=1000,
    ...                  converged=True, iterations=0, message="")
    >>> fit.survival([1, 2, 7]).round(3)
    array([0.627, 0.474, 0.239])
    """

    PARAMS: ClassVar[tuple[str, ...]] = SBG_PARAMS

    alpha: float = Field(gt=0)
    beta: float = Field(gt=0)

    def survival(self, t: Any) -> Any:
        """Share of the cohort still active after ``t`` periods
        ([`sbg_survival`][crm_metrics.clv.sbg_survival])."""
        return sbg_survival(self, t)

    def retention(self, t: Any) -> Any:
        """Retention rate of period ``t``
        ([`sbg_retention`][crm_metrics.clv.sbg_retention])."""
        return sbg_retention(self, t)

    def churn_probability(self, t: Any) -> Any:
        """P(a new customer churns in period ``t``)
        ([`sbg_churn_probability`][crm_metrics.clv.sbg_churn_probability])."""
        return sbg_churn_probability(self, t)

    def expected_del(self, discount_rate: float) -> Any:
        """Discounted expected lifetime of a new customer
        ([`sbg_del`][crm_metrics.clv.sbg_del])."""
        return sbg_del(self, discount_rate)

    def expected_derl(self, discount_rate: float, renewals: Any) -> Any:
        """Discounted expected residual lifetime after ``renewals`` renewals
        ([`sbg_derl`][crm_metrics.clv.sbg_derl])."""
        return sbg_derl(self, discount_rate, renewals)


Params = Mapping[str, float] | SBGFit


# --------------------------------------------------------------------------- likelihood
def _objective(
    theta: NDArray[np.float64], n: NDArray[np.float64], penalizer: float
) -> tuple[float, NDArray[np.float64]]:
    """Mean negative log-likelihood (+ penalty) per customer of the cohort and its
    analytic gradient in log-parameters."""
    a, b = np.exp(theta)
    t = np.arange(1, len(n), dtype=np.float64)
    lost = n[:-1] - n[1:]
    kept = float(n[-1])
    k = float(len(n) - 1)
    total = float(n[0])
    base = special.betaln(a, b)
    ll = _dot(lost, special.betaln(a + 1.0, b + t - 1.0) - base) + kept * (
        special.betaln(a, b + k) - base
    )
    d_base_a = special.digamma(a) - special.digamma(a + b)
    d_base_b = special.digamma(b) - special.digamma(a + b)
    psi_t = special.digamma(a + b + t)
    g_a = _dot(lost, special.digamma(a + 1.0) - psi_t - d_base_a) + kept * (
        special.digamma(a) - special.digamma(a + b + k) - d_base_a
    )
    g_b = _dot(lost, special.digamma(b + t - 1.0) - psi_t - d_base_b) + kept * (
        special.digamma(b + k) - special.digamma(a + b + k) - d_base_b
    )
    params = np.array([a, b])
    value = -ll / total + penalizer * _dot(params, params)
    gradient = (-np.array([g_a, g_b]) / total + 2.0 * penalizer * params) * params
    return float(value), gradient


@validated(survivors=SurvivorCounts(), penalizer=ScalarNumber())
def fit_sbg(survivors: ArrayLike, *, penalizer: float = 0.0) -> SBGFit:
    r"""Fit the shifted-beta-geometric model to a cohort's survivors by maximum likelihood.

    $$\ell = \sum_{t=1}^{k}(n_{t-1} - n_t)\ln P(T=t) + n_k \ln S(k),\qquad
    P(T=t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha,\beta)},\quad
    S(t) = \frac{B(\alpha, \beta+t)}{B(\alpha,\beta)}$$

    Parameters
    ----------
    survivors : array_like of int
        $n_0, n_1, \dots, n_k$: the cohort's size at the start and the number still
        active after each of $k \ge 1$ periods (never increasing, $n_0 > 0$).
    penalizer : float, default 0.0
        L2 penalty on ``alpha, beta``.

    Returns
    -------
    SBGFit
        ``alpha, beta``, the log-likelihood, the optimiser's verdict with a plain-words
        ``message`` and the covariance of the parameters. Never raises on
        non-convergence.

    Raises
    ------
    ValueError
        If ``survivors`` has fewer than two counts, a count increases, is negative or
        fractional, the first is 0, or ``penalizer`` is not a finite number >= 0.
    TypeError
        If an input is not numeric or ``penalizer`` is not a single number.

    Notes
    -----
    Churn in period $t$ and survival past the last period enter the likelihood in the
    form of log-Beta functions; the gradient is analytic. A cohort where nobody churns,
    or everybody churns in the first period, has no interior maximum and is reported as
    not converged. The verdict and the standard errors follow
    [`fit_bgnbd`][crm_metrics.clv.fit_bgnbd].

    References
    ----------
    P. Fader, B. Hardie, "How to Project Customer Retention", J. Interactive Marketing
    21(1), 2007.

    Examples
    --------
    The "regular" customers of Fader and Hardie (2007), seven years:

    >>> from crm_metrics import clv
    >>> fit = clv.fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (0.704, 1.182)
    """
    n = np.asarray(survivors, dtype=np.float64)
    pen = float(penalizer)
    theta0 = np.zeros(2)
    res = _search(_objective, theta0, (n, pen), None)
    params = np.exp(res.x)
    at_edge = np.abs(res.x) > _LOG_EDGE
    edge = None
    if at_edge.any():
        names = ", ".join(
            f"{nm} = {v:.3g}" for nm, v, hit in zip(SBG_PARAMS, params, at_edge, strict=True) if hit
        )
        edge = (
            "did not converge: the likelihood keeps increasing towards the edge of the "
            f"parameter space ({names}; outside 1e-4..1e4), so there is no interior "
            "maximum (typically nobody churned, or everybody at once); the parameters "
            "returned are the best reached and should not be used"
        )
    hess = _log_hessian(_objective, res.x, (n, pen))
    converged, message = _judge(res, theta0, edge, hess, SBG_PARAMS)
    a, b = (float(v) for v in params)
    loglik = -_objective(np.log(params), n, 0.0)[0] * float(n[0])
    covariance = None
    if converged:
        grad = _objective(res.x, n, pen)[1]
        covariance = observed_covariance(hess, grad, params, float(n[0]))
    return SBGFit(
        alpha=a,
        beta=b,
        loglik=loglik,
        n_customers=float(n[0]),
        converged=converged,
        iterations=int(res.nit),
        message=message,
        covariance=covariance,
    )


# --------------------------------------------------------------------------- curves
@validated(params=_PARAMS, t=Count())
def sbg_survival(params: Params, t: ArrayLike) -> Any:
    r"""Share of a cohort still active after ``t`` periods.

    $$S(t) = \frac{B(\alpha, \beta+t)}{B(\alpha,\beta)}$$

    Parameters
    ----------
    params : SBGFit or mapping
        ``alpha, beta`` (both > 0).
    t : int or array_like of int
        Periods (>= 0).

    Returns
    -------
    float or numpy.ndarray
        Survival in [0, 1]; 1 at ``t = 0``.

    Raises
    ------
    ValueError
        On a negative or fractional ``t`` or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or ``t`` is not numeric.

    Notes
    -----
    Evaluated as the exponential of a difference of log-Beta functions.

    References
    ----------
    P. Fader, B. Hardie, J. Interactive Marketing 21(1), 2007, eq. (5).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> round(clv.sbg_survival({"alpha": 0.704, "beta": 1.182}, 12), 4)
    0.1701
    """
    p = _coerced(params)
    t_arr = np.asarray(t, dtype=np.float64)
    out = np.exp(
        special.betaln(p["alpha"], p["beta"] + t_arr) - special.betaln(p["alpha"], p["beta"])
    )
    return as_result(out)


@validated(params=_PARAMS, t=Count(minimum=1))
def sbg_retention(params: Params, t: ArrayLike) -> Any:
    r"""Retention rate of period ``t``: the share of the customers active after period
    ``t - 1`` who renew for period ``t``.

    $$r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}$$

    Parameters
    ----------
    params : SBGFit or mapping
        ``alpha, beta`` (both > 0).
    t : int or array_like of int
        Periods (>= 1).

    Returns
    -------
    float or numpy.ndarray
        Retention rates in (0, 1), increasing in ``t``.

    Raises
    ------
    ValueError
        On ``t < 1``, a fractional ``t`` or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or ``t`` is not numeric.

    Notes
    -----
    The rate rises with tenure because the customers with a high churn probability
    leave first (sorting), not because anyone's own probability changes.

    References
    ----------
    P. Fader, B. Hardie, J. Interactive Marketing 21(1), 2007, eq. (6).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> clv.sbg_retention({"alpha": 0.704, "beta": 1.182}, [1, 2, 10]).round(3)
    array([0.627, 0.756, 0.935])
    """
    p = _coerced(params)
    t_arr = np.asarray(t, dtype=np.float64)
    return as_result((p["beta"] + t_arr - 1.0) / (p["alpha"] + p["beta"] + t_arr - 1.0))


@validated(params=_PARAMS, t=Count(minimum=1))
def sbg_churn_probability(params: Params, t: ArrayLike) -> Any:
    r"""Probability that a new customer churns in period ``t`` (is active for exactly
    ``t - 1`` renewals).

    $$P(T=t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha,\beta)}$$

    Parameters
    ----------
    params : SBGFit or mapping
        ``alpha, beta`` (both > 0).
    t : int or array_like of int
        Periods (>= 1).

    Returns
    -------
    float or numpy.ndarray
        Probabilities in [0, 1]; over t = 1, 2, ... they sum to 1.

    Raises
    ------
    ValueError
        On ``t < 1``, a fractional ``t`` or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or ``t`` is not numeric.

    Notes
    -----
    Equal to $S(t-1) - S(t)$, evaluated in log space.

    References
    ----------
    P. Fader, B. Hardie, J. Interactive Marketing 21(1), 2007, eq. (4).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> round(clv.sbg_churn_probability({"alpha": 0.704, "beta": 1.182}, 1), 4)
    0.3733
    """
    p = _coerced(params)
    t_arr = np.asarray(t, dtype=np.float64)
    out = np.exp(
        special.betaln(p["alpha"] + 1.0, p["beta"] + t_arr - 1.0)
        - special.betaln(p["alpha"], p["beta"])
    )
    return as_result(out)


#: Trapezoid nodes of the sinh-mapped line used by :func:`_log_mean_inverse`.
_XI = np.arange(-15.0, 15.0 + 1e-9, 0.02)


def _log_mean_inverse(b: Any, a: float, z: float) -> NDArray[np.float64]:
    r"""$\ln {}_2F_1(1, b; a+b; z) = \ln E[1/(1 - z u)]$, $u \sim B(b, a)$, $0 \le z < 1$.

    With $u = 1/(1+e^{-v})$ the integrand over $v \in \mathbb{R}$ is
    $\exp(b\ln u + a\ln(1-u) - \ln(1 - z u)) / B(b, a)$; the trapezoid rule runs on
    $v = \ln(b/a) + w\sinh\xi$ ($w$ the Beta's scale on that line), whose tails decay
    double-exponentially: accurate to about 1e-11 relative for $a, b$ from 0.01 to
    20,000 and $z$ up to $1/1.001$ (checked against the direct sums), where scipy's
    ``hyp2f1`` returns negative values or nan.
    """
    b = np.asarray(b, dtype=np.float64)
    shape = b.shape
    b = b.ravel()
    centre = np.log(b / a)
    width = np.maximum(np.sqrt((a + b) / (a * b)), 1.0)
    v = centre[None, :] + width[None, :] * np.sinh(_XI)[:, None]
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        log_u = -np.logaddexp(0.0, -v)
        log_1mu = -np.logaddexp(0.0, v)
        log_f = (
            b * log_u + a * log_1mu - np.log1p(-z * np.exp(log_u)) - special.betaln(b, a)[None, :]
        )
        log_jac = np.log(width)[None, :] + np.log(np.cosh(_XI))[:, None]
        out = special.logsumexp(log_f + log_jac, axis=0) + np.log(0.02)
    return np.asarray(out, dtype=np.float64).reshape(shape)


@validated(params=_PARAMS, discount_rate=ScalarNumber(strict=True))
def sbg_del(params: Params, discount_rate: float) -> float:
    r"""Discounted expected lifetime (DEL) of a newly acquired customer, in periods.

    $$E[\mathrm{DEL}] = \sum_{t=0}^{\infty}\frac{S(t)}{(1+d)^t}
    = {}_2F_1\!\left(1, \beta; \alpha+\beta; \frac{1}{1+d}\right)$$

    Parameters
    ----------
    params : SBGFit or mapping
        ``alpha, beta`` (both > 0).
    discount_rate : float
        Discount rate $d > 0$ per period.

    Returns
    -------
    float
        The expected number of discounted periods (payments), the first undiscounted;
        multiply by the payment per period for a customer lifetime value.

    Raises
    ------
    ValueError
        If ``discount_rate`` is not a finite number > 0 or a parameter is not positive.
    TypeError
        If ``params`` lacks a parameter or ``discount_rate`` is not a single number.

    Notes
    -----
    With $d = 0$ and $\alpha \le 1$ the sum diverges (an infinite expected lifetime), so
    the rate must be positive.

    References
    ----------
    P. Fader, B. Hardie, "Customer-Base Valuation in a Contractual Setting: The Perils of
    Ignoring Heterogeneity", Marketing Science 29(1), 2010, eq. (3).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> round(clv.sbg_del({"alpha": 0.704, "beta": 1.182}, 0.1), 4)
    3.6951
    """
    p = _coerced(params)
    z = 1.0 / (1.0 + float(discount_rate))
    return float(np.exp(_log_mean_inverse(p["beta"], p["alpha"], z)))


@validated(params=_PARAMS, discount_rate=ScalarNumber(strict=True), renewals=Count())
def sbg_derl(params: Params, discount_rate: float, renewals: ArrayLike) -> Any:
    r"""Discounted expected residual lifetime (DERL) of a customer who has made
    ``renewals`` renewals, evaluated just before their next renewal decision.

    $$E[\mathrm{DERL} \mid m] = \sum_{k=0}^{\infty}\frac{S(m+1+k)}{S(m)\,(1+d)^k}
    = \frac{\beta+m}{\alpha+\beta+m}\,
    {}_2F_1\!\left(1, \beta+m+1; \alpha+\beta+m+1; \frac{1}{1+d}\right)$$

    Parameters
    ----------
    params : SBGFit or mapping
        ``alpha, beta`` (both > 0).
    discount_rate : float
        Discount rate $d > 0$ per period.
    renewals : int or array_like of int
        Renewals made so far, $m \ge 0$ (a customer in their first period has 0).

    Returns
    -------
    float or numpy.ndarray
        The expected number of future discounted payments (the next one undiscounted).

    Raises
    ------
    ValueError
        On a negative or fractional ``renewals``, a ``discount_rate`` that is not a
        finite number > 0, or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Grows with tenure: long-standing customers are those with low churn probabilities.
    The hypergeometric function is evaluated as $E[1/(1 - z u)]$,
    $u \sim B(\beta+m+1, \alpha)$, by quadrature in log space (scipy's ``hyp2f1``
    returns wrong values, even negative ones, for small $\beta$ and rates near 0).
    $\mathrm{DEL} = 1 + \mathrm{DERL}(0)/(1+d)$.

    References
    ----------
    P. Fader, B. Hardie, Marketing Science 29(1), 2010, eq. (6).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> clv.sbg_derl({"alpha": 0.704, "beta": 1.182}, 0.1, [0, 4]).round(3)
    array([2.965, 5.894])
    """
    p = _coerced(params)
    m = np.asarray(renewals, dtype=np.float64)
    z = 1.0 / (1.0 + float(discount_rate))
    a, b = p["alpha"], p["beta"]
    out = (b + m) / (a + b + m) * np.exp(_log_mean_inverse(b + m + 1.0, a, z))
    return as_result(out)

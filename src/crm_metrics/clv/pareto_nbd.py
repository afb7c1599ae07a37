"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys as a Poisson process of rate ``lambda ~ Gamma(r, alpha)``;
their lifetime is exponential with rate ``mu ~ Gamma(s, beta)``, so dropout can happen at
any moment, not only after a purchase. Everything is evaluated in log space: the one
non-elementary term, an integral over the unobserved moment of dropout, is computed by
double-exponential (tanh-sinh) quadrature after a change of variable that makes its
integrand bounded and smooth, so frequencies of 10,000 and ages of 20,000 periods stay
finite where the usual hypergeometric form overflows.
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
from crm_metrics.clv._protocol import FittedModel, accepts_summary, observed_covariance, unpack
from crm_metrics.clv._rules import ScalarNumber
from crm_metrics.clv.bgnbd import (
    _LOG_EDGE,
    _WARM_SIZE,
    _coerced,
    _dot,
    _judge,
    _log_hessian,
    _search,
)
from crm_metrics.clv.rfm import CalibrationHoldout, RFMSummary

__all__ = [
    "ParetoNBDFit",
    "fit_pareto_nbd",
    "pareto_nbd_conditional_expected_purchases",
    "pareto_nbd_dert",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_loglik",
    "pareto_nbd_p_alive",
]

PNBD_PARAMS = ("r", "alpha", "s", "beta")
_PARAMS = ModelParams(names=PNBD_PARAMS, record="ParetoNBDFit")
_SUMMARY = ("frequency", "recency", "T")

# tanh-sinh nodes on the real line: u_k = pi sinh(k h); the integral over (0, 1) of f(y)
# is sum_k w_k f(expit(u_k)) with w_k = h pi cosh(k h) expit(u_k) expit(-u_k).
_H = 1.0 / 8.0
_K = np.arange(-32, 33, dtype=np.float64) * _H
_U = np.pi * np.sinh(_K)
_LOG_W = (
    np.log(_H * np.pi)
    + np.log(np.cosh(_K))
    - np.logaddexp(0.0, -_U)  # log expit(u)
    - np.logaddexp(0.0, _U)  # log expit(-u)
)[:, None]
_LOG_LO = -np.logaddexp(0.0, -_U)[:, None]  # log y
_LOG_HI = -np.logaddexp(0.0, _U)[:, None]  # log (1 - y)


class ParetoNBDFit(FittedModel):
    """A fitted Pareto/NBD model: parameters in the input's time units and the fit's record.

    An immutable record (pydantic; JSON round trip, non-finite fields refused) with the
    model's predictions as methods, each accepting an
    [`RFMSummary`][crm_metrics.clv.RFMSummary] in place of ``frequency, recency, T``.

    Attributes
    ----------
    r, alpha : float
        Shape and rate of the Gamma distribution of purchase rates.
    s, beta : float
        Shape and rate of the Gamma distribution of dropout rates.
    loglik, n_customers, converged, iterations, message, covariance
        As in [`BGNBDFit`][crm_metrics.clv.BGNBDFit].

    Examples
    --------
    >>> from crm_metrics import clv
    >>> fit = clv.ParetoNBDFit(r=0.553, alpha=10.578, s=0.606, beta=11.669, loglik=-9594.98,
    ...                        n_customers=2357, converged=True, iterations=0, message="")
    >>> round(fit.p_alive(2, 30.43, 38.86), 4)
    0.8692
    """

    PARAMS: ClassVar[tuple[str, ...]] = PNBD_PARAMS

    r: float = Field(gt=0)
    alpha: float = Field(gt=0)
    s: float = Field(gt=0)
    beta: float = Field(gt=0)

    def loglik_of(self, frequency: Any, recency: Any = None, T: Any = None) -> Any:
        """Per-customer log-likelihood
        ([`pareto_nbd_loglik`][crm_metrics.clv.pareto_nbd_loglik])."""
        x, tx, age = unpack(frequency, _SUMMARY, {"recency": recency, "T": T})
        return pareto_nbd_loglik(self, x, tx, age)

    def p_alive(self, frequency: Any, recency: Any = None, T: Any = None) -> Any:
        """P(alive) of each customer
        ([`pareto_nbd_p_alive`][crm_metrics.clv.pareto_nbd_p_alive])."""
        x, tx, age = unpack(frequency, _SUMMARY, {"recency": recency, "T": T})
        return pareto_nbd_p_alive(self, x, tx, age)

    def expected_purchases(self, t: Any) -> Any:
        """Expected purchases of a new customer within ``t``
        ([`pareto_nbd_expected_purchases`][crm_metrics.clv.pareto_nbd_expected_purchases])."""
        return pareto_nbd_expected_purchases(self, t)

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any = None, T: Any = None
    ) -> Any:
        """Expected purchases in the next ``t`` of customers with a history
        ([`pareto_nbd_conditional_expected_purchases`][crm_metrics.clv.pareto_nbd_conditional_expected_purchases])."""
        x, tx, age = unpack(frequency, _SUMMARY, {"recency": recency, "T": T})
        return pareto_nbd_conditional_expected_purchases(self, t, x, tx, age)

    def dert(self, discount_rate: float, frequency: Any, recency: Any = None, T: Any = None) -> Any:
        """Discounted expected residual transactions
        ([`pareto_nbd_dert`][crm_metrics.clv.pareto_nbd_dert])."""
        x, tx, age = unpack(frequency, _SUMMARY, {"recency": recency, "T": T})
        return pareto_nbd_dert(self, discount_rate, x, tx, age)


Params = Mapping[str, float] | ParetoNBDFit


# --------------------------------------------------------------------------- likelihood
def _log_parts(
    r: Any, alpha: Any, s: Any, beta: Any, x: Any, tx: Any, T: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The two terms of the likelihood bracket, in logs, broadcasting:

    $\ln[(\alpha+T)^{-(r+x)}(\beta+T)^{-s}]$ (alive throughout) and
    $\ln[s\int_{t_x}^{T}(\alpha+\tau)^{-(r+x)}(\beta+\tau)^{-(s+1)}d\tau]$ (dropped out
    at some $\tau$ after the last purchase).

    With $K = r+s+x$ and $\rho = ((\alpha+t_x)/(\alpha+\tau))^K$ the integral is
    $\frac{(\alpha+t_x)^{-K}}{K}\int_{\rho_T}^{1}\big(1 - c\,\rho^{1/K}\big)^{-(s+1)}
    d\rho$, $c = (\alpha-\beta)/(\alpha+t_x) < 1$: a bounded, monotone integrand whatever
    x, evaluated by tanh-sinh quadrature on $(\rho_T, 1)$ in log space.
    """
    x = np.asarray(x, dtype=np.float64)
    tx = np.asarray(tx, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        p = r + x
        alive = -p * np.log(alpha + T) - s * np.log(beta + T)
        k = p + s
        log_a_tx = np.log(alpha + tx)
        log_rho_t = k * (log_a_tx - np.log(alpha + T))  # <= 0
        span = -np.expm1(log_rho_t)  # 1 - rho_T, accurate when T is close to t_x
        log_span = np.log(span)
        c = (alpha - beta) / (alpha + tx)
        flat = np.broadcast_arrays(log_rho_t, log_span, c, k, s)
        shape = flat[0].shape
        lr, ls, cc, kk, ss = (np.ravel(v)[None, :] for v in flat)
        # rho = rho_T + (1 - rho_T) y: log rho from whichever end is closer
        rho_from_lo = np.logaddexp(lr, ls + _LOG_LO)
        rho_from_hi = np.log1p(-np.exp(ls + _LOG_HI))
        log_rho = np.where(_U[:, None] > 0, rho_from_hi, rho_from_lo)
        log_r = -(ss + 1.0) * np.log1p(-cc * np.exp(log_rho / kk))
        log_int = special.logsumexp(_LOG_W + log_r, axis=0) + ls.ravel()
        log_int = log_int.reshape(shape)
        dropped = np.log(s) - np.log(k) - k * log_a_tx + log_int
        dropped = np.where(span > 0, dropped, -np.inf)
    return np.asarray(alive, dtype=np.float64), np.asarray(dropped, dtype=np.float64)


def _loglik(r: Any, alpha: Any, s: Any, beta: Any, x: Any, tx: Any, T: Any) -> NDArray[np.float64]:
    alive, dropped = _log_parts(r, alpha, s, beta, x, tx, T)
    x = np.asarray(x, dtype=np.float64)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    out: NDArray[np.float64] = head + np.logaddexp(alive, dropped)
    return out


class _Patterns:
    """Distinct (x, t_x, T) rows with summed weights (the likelihood's sufficient data)."""

    def __init__(
        self,
        x: NDArray[np.float64],
        tx: NDArray[np.float64],
        T: NDArray[np.float64],
        w: NDArray[np.float64],
    ) -> None:
        keep = w > 0
        rows = np.stack([x[keep], tx[keep], T[keep]], axis=1)
        uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
        self.x, self.tx, self.T = uniq[:, 0], uniq[:, 1], uniq[:, 2]
        self.w = np.bincount(inverse.ravel(), weights=w[keep], minlength=len(uniq))
        self.total = float(self.w.sum())
        mean_t = _dot(self.w, self.T) / self.total if self.total else 1.0
        self.scale = mean_t if mean_t > 0 else 1.0

    def subsample(self, k: int) -> _Patterns:
        sub = object.__new__(_Patterns)
        sub.x, sub.tx, sub.T, sub.w = self.x[::k], self.tx[::k], self.T[::k], self.w[::k]
        sub.total = float(sub.w.sum())
        sub.scale = self.scale
        return sub


def _objective(
    theta: NDArray[np.float64], d: _Patterns, penalizer: float
) -> tuple[float, NDArray[np.float64]]:
    r"""Mean negative log-likelihood (+ penalty) and its analytic gradient in log-parameters.

    The derivative of the log of the integral term is the average of
    $\partial_\theta \ln f(\tau)$ under $f(\tau)\,d\tau$, taken on the same quadrature
    nodes (mapped back to $\tau$): $-\ln(\alpha+\tau)$ for $r$, $-(r+x)/(\alpha+\tau)$
    for $\alpha$, $-\ln(\beta+\tau)$ (plus $1/s$) for $s$, $-(s+1)/(\beta+\tau)$ for
    $\beta$.
    """
    r, alpha, s, beta = np.exp(theta) * np.array([1.0, d.scale, 1.0, d.scale])
    x, tx, T, w = d.x, d.tx, d.T, d.w
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        p = r + x
        log_at, log_bt = np.log(alpha + T), np.log(beta + T)
        alive = -p * log_at - s * log_bt
        k = p + s
        log_a_tx = np.log(alpha + tx)
        log_rho_t = k * (log_a_tx - log_at)
        span = -np.expm1(log_rho_t)
        log_span = np.log(span)[None, :]
        c = ((alpha - beta) / (alpha + tx))[None, :]
        kk = k[None, :]
        rho_from_lo = np.logaddexp(log_rho_t[None, :], log_span + _LOG_LO)
        rho_from_hi = np.log1p(-np.exp(log_span + _LOG_HI))
        log_rho = np.where(_U[:, None] > 0, rho_from_hi, rho_from_lo)
        log_gap = np.log1p(-c * np.exp(log_rho / kk))  # log((beta + tau)/(alpha + tau))
        log_r = -(s + 1.0) * log_gap
        terms = _LOG_W + log_r
        top = terms.max(axis=0)
        top = np.where(np.isfinite(top), top, 0.0)
        share = np.exp(terms - top[None, :])
        total_share = share.sum(axis=0)
        log_int = np.log(total_share) + top + log_span[0]
        dropped = np.log(s) - np.log(k) - k * log_a_tx + log_int
        has_gap = span > 0
        dropped = np.where(has_gap, dropped, -np.inf)
        # tau at the nodes: log(alpha + tau), log(beta + tau), averaged under f
        log_a_tau = log_a_tx[None, :] - log_rho / kk
        log_b_tau = log_a_tau + log_gap
        prob = share / np.where(total_share > 0, total_share, 1.0)[None, :]
        e_log_a = np.einsum("ij,ij->j", prob, log_a_tau)
        e_inv_a = np.einsum("ij,ij->j", prob, np.exp(-log_a_tau))
        e_log_b = np.einsum("ij,ij->j", prob, log_b_tau)
        e_inv_b = np.einsum("ij,ij->j", prob, np.exp(-log_b_tau))
        mix = np.logaddexp(alive, dropped)
        p_alive = np.exp(alive - mix)
        p_drop = np.where(has_gap, 1.0 - p_alive, 0.0)
    head = special.gammaln(p) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    ll = _dot(w, head + mix)
    wa, wd = w * p_alive, w * p_drop
    g_r = (
        _dot(w, special.digamma(p) - special.digamma(r))
        + d.total * np.log(alpha)
        - _dot(wa, log_at)
        - _dot(wd, np.where(has_gap, e_log_a, 0.0))
    )
    g_alpha = (
        d.total * r / alpha
        - _dot(wa, p / (alpha + T))
        - _dot(wd * p, np.where(has_gap, e_inv_a, 0.0))
    )
    g_s = (
        d.total * np.log(beta)
        - _dot(wa, log_bt)
        + _dot(wd, np.where(has_gap, 1.0 / s - e_log_b, 0.0))
    )
    g_beta = (
        d.total * s / beta
        - _dot(wa, s / (beta + T))
        - _dot(wd, np.where(has_gap, (s + 1.0) * e_inv_b, 0.0))
    )
    params = np.array([r, alpha, s, beta])
    grad = np.array([g_r, g_alpha, g_s, g_beta])
    value = -ll / d.total + penalizer * _dot(params, params)
    gradient = (-grad / d.total + 2.0 * penalizer * params) * params
    return float(value), gradient


@accepts_summary(*_SUMMARY)
@validated(
    frequency=Count(event=True),
    T=Magnitude(event=True),
    recency=Magnitude(event=True, le="T", zero_with="frequency"),
    weights=Magnitude(event=True, optional=True),
    penalizer=ScalarNumber(),
)
def fit_pareto_nbd(
    frequency: ArrayLike | RFMSummary | CalibrationHoldout,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
    penalizer: float = 0.0,
) -> ParetoNBDFit:
    r"""Fit the Pareto/NBD model by maximum likelihood.

    $$\begin{aligned}
    \ell_i = {}& \ln\frac{\Gamma(r+x)\,\alpha^r\beta^s}{\Gamma(r)} + \ln\Big[
    (\alpha+T)^{-(r+x)}(\beta+T)^{-s} \\
    & + s\int_{t_x}^{T}(\alpha+\tau)^{-(r+x)}(\beta+\tau)^{-(s+1)}\,d\tau\Big]
    \end{aligned}$$

    maximised over $r, \alpha, s, \beta > 0$ (minimising the weighted mean of
    $-\ell_i$ plus $\text{penalizer}\,(r^2+\alpha^2+s^2+\beta^2)$).

    Parameters
    ----------
    frequency : array_like of int, or RFMSummary or CalibrationHoldout
        Repeat purchases per customer, or a whole summary (then ``recency`` and ``T``
        come from it and must not be given).
    recency : array_like of float
        Age at the last repeat purchase; 0 when ``frequency`` is 0; at most ``T``.
    T : array_like of float
        Age at the end of observation, in the same time unit.
    weights : array_like of float, optional
        Number of customers each row stands for (default 1 each).
    penalizer : float, default 0.0
        L2 penalty on the parameters (in the input's time units).

    Returns
    -------
    ParetoNBDFit
        ``r, alpha, s, beta``, the total log-likelihood, the number of customers, the
        optimiser's verdict with a plain-words ``message``, and the covariance of the
        parameters from the observed information. Never raises on non-convergence.

    Raises
    ------
    ValueError
        On a negative or fractional frequency, ``recency > T``, a non-zero recency with
        frequency 0, NaN or infinite values, negative weights, unequal lengths, or a
        ``penalizer`` that is not a finite number >= 0.
    TypeError
        If an input is not numeric or ``penalizer`` is not a single number.

    Notes
    -----
    The integral (the customer dropped out at some $\tau$ between the last purchase and
    $T$) is the difference of two Gauss hypergeometric functions in the usual form,
    which overflows for large frequencies. Here it is computed in log space by tanh-sinh
    quadrature after the substitution $\rho = ((\alpha+t_x)/(\alpha+\tau))^{r+s+x}$,
    which leaves a bounded, monotone integrand (65 nodes; it agrees with adaptive
    quadrature to 1e-12 relative). Customers with identical ``(frequency, recency, T)``
    are fitted once with their weight. The search (log-parameters, rates relative to
    the mean ``T``, scipy's TNC; a subsample warm start above 40,000 patterns) uses the
    exact gradient: the derivatives of the integrand's log, averaged on the same nodes.
    The verdict (``converged``) and the standard errors follow
    [`fit_bgnbd`][crm_metrics.clv.fit_bgnbd].

    References
    ----------
    D. Schmittlein, D. Morrison, R. Colombo, "Counting Your Customers: Who Are They and
    What Will They Do Next?", Management Science 33(1), 1987; P. Fader, B. Hardie, "A Note
    on Deriving the Pareto/NBD Model and Related Expressions" (2005); P. Fader, B. Hardie,
    K. Lee, Marketing Science 24(2), 2005 (the CDNOW estimates).

    Examples
    --------
    The CDNOW sample, calibrated to 1997-09-30 in weeks:

    >>> from crm_metrics import clv, datasets
    >>> log = datasets.load_cdnow("sample")
    >>> s = clv.rfm_summary(log.customer_id, log.ts, freq="D", freq_multiplier=7,
    ...                     observation_end="1997-09-30")
    >>> fit = clv.fit_pareto_nbd(s)
    >>> [round(v, 3) for v in (fit.r, fit.alpha, fit.s, fit.beta)], round(fit.loglik, 2)
    ([0.553, 10.578, 0.606, 11.669], -9594.98)
    """
    x = np.asarray(frequency, dtype=np.float64)
    tx = np.asarray(recency, dtype=np.float64)
    age = np.asarray(T, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    pen = float(penalizer)
    d = _Patterns(x, tx, age, w)
    theta0 = np.zeros(4)
    if d.total == 0 or float(d.T.max()) == 0:
        why = (
            "no customer (or all weights are 0)"
            if d.total == 0
            else "every customer's T is 0 (each was seen only at their first purchase), so "
            "the data hold no time in which to buy or drop out"
        )
        ll = _dot(d.w, _loglik(1.0, d.scale, 1.0, d.scale, d.x, d.tx, d.T)) if d.total else 0.0
        return ParetoNBDFit(
            r=1.0,
            alpha=d.scale,
            s=1.0,
            beta=d.scale,
            loglik=float(ll),
            n_customers=d.total,
            converged=False,
            iterations=0,
            message=f"did not converge: nothing can be learnt, {why}; the parameters "
            "returned are the starting point",
        )
    sub = None
    if len(d.x) > 2 * _WARM_SIZE:
        sub = (d.subsample(len(d.x) // _WARM_SIZE), pen)
    res = _search(_objective, theta0, (d, pen), sub)
    params = np.exp(res.x) * np.array([1.0, d.scale, 1.0, d.scale])
    at_edge = np.abs(res.x) > _LOG_EDGE
    edge = None
    if at_edge.any():
        names = ", ".join(
            f"{n} = {v:.3g}" for n, v, hit in zip(PNBD_PARAMS, params, at_edge, strict=True) if hit
        )
        edge = (
            "did not converge: the likelihood keeps increasing towards the edge of the "
            f"parameter space ({names}; outside 1e-4..1e4, alpha and beta measured in units "
            "of the mean T), so there is no interior maximum; the parameters returned are "
            "the best reached and should not be used. Try a penalizer."
        )
    hess = _log_hessian(_objective, res.x, (d, pen))
    converged, message = _judge(res, theta0, edge, hess, PNBD_PARAMS)
    if not bool((d.x > 0).any()) and converged:
        converged, message = (
            False,
            (
                "did not converge: no customer made a repeat purchase, so the data say little "
                "about purchase rates; the parameters returned should not be used"
            ),
        )
    r, alpha, s, beta = (float(v) for v in params)
    loglik = _dot(d.w, _loglik(r, alpha, s, beta, d.x, d.tx, d.T))
    if not np.isfinite(loglik):
        raise ValueError(
            "frequency, recency, T: the Pareto/NBD log-likelihood of these customers is not "
            f"finite at r = {r:.3g}, alpha = {alpha:.3g}, s = {s:.3g}, beta = {beta:.3g}"
        )
    covariance = None
    if converged:
        grad = _objective(res.x, d, pen)[1]
        covariance = observed_covariance(hess, grad, params, d.total)
    return ParetoNBDFit(
        r=r,
        alpha=alpha,
        s=s,
        beta=beta,
        loglik=loglik,
        n_customers=d.total,
        converged=converged,
        iterations=int(res.nit),
        message=message,
        covariance=covariance,
    )


# --------------------------------------------------------------------------- predictions
_CUSTOMER_RULES: dict[str, Any] = {
    "frequency": Count(),
    "T": Magnitude(),
    "recency": Magnitude(le="T", zero_with="frequency"),
}


@validated(params=_PARAMS, **_CUSTOMER_RULES)
def pareto_nbd_loglik(
    params: Params, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> Any:
    r"""Per-customer Pareto/NBD log-likelihood at given parameters.

    $$\ell = \ln\frac{\Gamma(r+x)\,\alpha^r\beta^s}{\Gamma(r)} + \ln\Big[
    \frac{1}{(\alpha+T)^{r+x}(\beta+T)^{s}} + s\int_{t_x}^{T}
    \frac{d\tau}{(\alpha+\tau)^{r+x}(\beta+\tau)^{s+1}}\Big]$$

    Parameters
    ----------
    params : ParetoNBDFit or mapping
        ``r, alpha, s, beta`` (all > 0).
    frequency, recency, T : float or array_like
        The customers' summaries; they broadcast together (NaN propagates).

    Returns
    -------
    float or numpy.ndarray
        The log-likelihood of each customer (a Python float for scalar input).

    Raises
    ------
    ValueError
        On a negative or fractional frequency, ``recency > T``, a non-zero recency with
        frequency 0, or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Finite for frequencies up to 10,000 and ages up to 20,000 periods (log space,
    quadrature of a bounded integrand; see
    [`fit_pareto_nbd`][crm_metrics.clv.fit_pareto_nbd]).

    References
    ----------
    P. Fader, B. Hardie, "A Note on Deriving the Pareto/NBD Model and Related
    Expressions" (2005), eq. (19).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> round(clv.pareto_nbd_loglik(params, 2, 30.43, 38.86), 4)
    -9.5543
    """
    p = _coerced(params)
    return as_result(_loglik(p["r"], p["alpha"], p["s"], p["beta"], frequency, recency, T))


def _p_alive(p: Mapping[str, float], x: Any, tx: Any, T: Any) -> NDArray[np.float64]:
    alive, dropped = _log_parts(p["r"], p["alpha"], p["s"], p["beta"], x, tx, T)
    with np.errstate(invalid="ignore"):
        out: NDArray[np.float64] = special.expit(alive - dropped)
    return out


@validated(params=_PARAMS, **_CUSTOMER_RULES)
def pareto_nbd_p_alive(
    params: Params, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> Any:
    r"""Probability that a customer is still active at ``T``.

    $$P(\text{alive}) = \frac{(\alpha+T)^{-(r+x)}(\beta+T)^{-s}}
    {(\alpha+T)^{-(r+x)}(\beta+T)^{-s} + s\int_{t_x}^{T}
    (\alpha+\tau)^{-(r+x)}(\beta+\tau)^{-(s+1)}d\tau}$$

    Parameters
    ----------
    params : ParetoNBDFit or mapping
        ``r, alpha, s, beta`` (all > 0).
    frequency, recency, T : float or array_like
        The customers' summaries; they broadcast together.

    Returns
    -------
    float or numpy.ndarray
        Probabilities in [0, 1]; 1 when ``recency == T`` (a purchase at the end of
        observation).

    Raises
    ------
    ValueError
        On invalid summaries or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    Unlike BG/NBD, a customer without a repeat purchase can have dropped out: their
    P(alive) falls with ``T``. Computed as a logistic function of the difference of the
    two log terms, so it never overflows (finite for x up to 10,000, T up to 20,000).

    References
    ----------
    P. Fader, B. Hardie, "A Note on Deriving the Pareto/NBD Model and Related
    Expressions" (2005), eq. (21).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> round(clv.pareto_nbd_p_alive(params, 0, 0.0, 38.86), 4)
    0.2953
    """
    return as_result(_p_alive(_coerced(params), frequency, recency, T))


def _decay_integral(s: float, base: Any, t: Any) -> NDArray[np.float64]:
    r"""$[1 - (b/(b+t))^{s-1}]/(s-1)$ (its limit $\ln(1 + t/b)$ at $s = 1$), stably."""
    log_ratio = np.log1p(np.asarray(t, dtype=np.float64) / np.asarray(base, dtype=np.float64))
    if abs(s - 1.0) < 1e-9:
        return np.asarray(log_ratio, dtype=np.float64)
    out: NDArray[np.float64] = -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
    return out


@validated(params=_PARAMS, t=Magnitude())
def pareto_nbd_expected_purchases(params: Params, t: ArrayLike) -> Any:
    r"""Expected number of repeat purchases of a newly acquired customer within ``t``.

    $$E[X(t)] = \frac{r\beta}{\alpha(s-1)}\left[1 - \left(\frac{\beta}{\beta+t}\right)^{s-1}
    \right]$$

    Parameters
    ----------
    params : ParetoNBDFit or mapping
        ``r, alpha, s, beta`` (all > 0).
    t : float or array_like
        Horizons (>= 0) in the model's time unit.

    Returns
    -------
    float or numpy.ndarray
        Expected purchases, >= 0.

    Raises
    ------
    ValueError
        On a negative horizon or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or ``t`` is not numeric.

    Notes
    -----
    At $s = 1$ the bracket over $s - 1$ is its limit $\ln(1 + t/\beta)$; near it the
    expression is evaluated with ``expm1``, so there is no cancellation.

    References
    ----------
    D. Schmittlein, D. Morrison, R. Colombo (1987), eq. (17); P. Fader, B. Hardie (2005).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> round(clv.pareto_nbd_expected_purchases(params, 39.0), 4)
    1.213
    """
    p = _coerced(params)
    scale = p["r"] * p["beta"] / p["alpha"]
    return as_result(scale * _decay_integral(p["s"], p["beta"], t))


@validated(params=_PARAMS, t=Magnitude(), **_CUSTOMER_RULES)
def pareto_nbd_conditional_expected_purchases(
    params: Params, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> Any:
    r"""Expected purchases in the next ``t`` periods of a customer with history (x, t_x, T).

    $$E[Y(t) \mid x, t_x, T] = P(\text{alive})\,\frac{(r+x)(\beta+T)}{(\alpha+T)(s-1)}
    \left[1 - \left(\frac{\beta+T}{\beta+T+t}\right)^{s-1}\right]$$

    Parameters
    ----------
    params : ParetoNBDFit or mapping
        ``r, alpha, s, beta`` (all > 0).
    t : float or array_like
        Horizons (>= 0).
    frequency, recency, T : float or array_like
        The customers' summaries; everything broadcasts together.

    Returns
    -------
    float or numpy.ndarray
        Expected purchases (>= 0).

    Raises
    ------
    ValueError
        On invalid summaries, a negative horizon or a non-positive parameter.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    The limit at $s = 1$ is used there (see
    [`pareto_nbd_expected_purchases`][crm_metrics.clv.pareto_nbd_expected_purchases]).

    References
    ----------
    P. Fader, B. Hardie, "A Note on Deriving the Pareto/NBD Model and Related
    Expressions" (2005), eq. (22).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> round(clv.pareto_nbd_conditional_expected_purchases(params, 39, 2, 30.43, 38.86), 4)
    1.4551
    """
    p = _coerced(params)
    x = np.asarray(frequency, dtype=np.float64)
    age = np.asarray(T, dtype=np.float64)
    rate = (p["r"] + x) * (p["beta"] + age) / (p["alpha"] + age)
    out = rate * _decay_integral(p["s"], p["beta"] + age, t) * _p_alive(p, x, recency, age)
    return as_result(out)


#: Trapezoid nodes of the sinh map used for Tricomi's U(s, s, z) (_log_tricomi_quad).
_XI = np.arange(-12.0, 12.0 + 1e-9, 0.05)


def _log_tricomi(s: float, z: Any) -> NDArray[np.float64]:
    r"""$\ln U(s, s, z)$ for $z > 0$.

    scipy's ``hyperu`` is accurate to about 1e-13 except for $s$ within 1e-6 of an
    integer $n$ (where it can be wrong by orders of magnitude) and for large $s$ (nan).
    Near an integer: $\ln U(n) + (s - n)\,\partial_s \ln U$ from scipy at $n$ and
    $n \pm 10^{-3}$ (second-order error below 1e-11); where scipy gives no finite
    value, the integral of :func:`_log_tricomi_quad`.
    """
    z = np.asarray(z, dtype=np.float64)
    n = float(round(s))
    with np.errstate(all="ignore"):
        if 0 < abs(s - n) < 1e-6:
            at = np.log(np.asarray(special.hyperu(n, n, z), dtype=np.float64))
            up = np.log(np.asarray(special.hyperu(n + 1e-3, n + 1e-3, z), dtype=np.float64))
            down = np.log(np.asarray(special.hyperu(n - 1e-3, n - 1e-3, z), dtype=np.float64))
            direct = at + (s - n) * (up - down) / 2e-3
        else:
            direct = np.log(np.asarray(special.hyperu(s, s, z), dtype=np.float64))
        good = np.isfinite(direct)
        if good.all():
            return np.asarray(direct, dtype=np.float64)
        out: NDArray[np.float64] = np.where(good, direct, _log_tricomi_quad(s, z))
    return out


def _log_tricomi_quad(s: float, z: Any) -> NDArray[np.float64]:
    r"""$\ln U(s, s, z)$ by the trapezoid rule on $v = v^* + w\sinh\xi$ around the mode
    $v^*$ of the concave log-integrand (damped Newton), $w$ its curvature scale: the
    integrand decays double-exponentially in $\xi$ in both tails. Used where scipy
    gives no finite value (large $s$); accurate to about 1e-12 relative there, less for
    $s$ near 1 with $z$ below 1e-5 (a long flat stretch of the integrand), where scipy
    is reliable.
    """
    z = np.asarray(z, dtype=np.float64)
    shape = z.shape
    z = z.ravel()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        start = np.log(s / (z + 1.0))
        if s > 1.0:
            start = np.maximum(start, np.log((s - 1.0) / z))
        v = start
        for _ in range(40):  # Newton on the mode, a handful of steps per element
            e = np.exp(v)
            sig = special.expit(v)
            step = (s - z * e - sig) / (-z * e - sig * (1.0 - sig))
            v = v - np.clip(step, -2.0, 2.0)
        e = np.exp(v)
        sig = special.expit(v)
        width = np.maximum(1.0 / np.sqrt(z * e + sig * (1.0 - sig)), 1.0)
        nodes = v[None, :] + width[None, :] * np.sinh(_XI)[:, None]
        log_f = s * nodes - z[None, :] * np.exp(nodes) - np.logaddexp(0.0, nodes)
        log_jac = np.log(width)[None, :] + np.log(np.cosh(_XI))[:, None]
        out = special.logsumexp(log_f + log_jac, axis=0) + np.log(0.05) - special.gammaln(s)
    return np.asarray(out, dtype=np.float64).reshape(shape)


@validated(params=_PARAMS, discount_rate=ScalarNumber(strict=True), **_CUSTOMER_RULES)
def pareto_nbd_dert(
    params: Params,
    discount_rate: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> Any:
    r"""Discounted expected residual transactions (DERT) of each customer, continuous time.

    $$\mathrm{DERT}(\delta) = \int_0^\infty e^{-\delta t}\,dE[Y(t) \mid x, t_x, T]
    = \frac{\alpha^r\beta^s\delta^{s-1}\,\Gamma(r+x+1)\,U(s, s; \delta(\beta+T))}
    {\Gamma(r)\,(\alpha+T)^{r+x+1}\,L(r,\alpha,s,\beta \mid x, t_x, T)}$$

    with $U$ Tricomi's confluent hypergeometric function and $L$ the customer's
    likelihood.

    Parameters
    ----------
    params : ParetoNBDFit or mapping
        ``r, alpha, s, beta`` (all > 0).
    discount_rate : float
        Continuous discount rate $\delta > 0$ per time unit of the summary (an annual
        rate of 15 % over weekly data: ``-log(1 - 0.15) / 52`` or simply ``0.15 / 52``).
    frequency, recency, T : float or array_like
        The customers' summaries; they broadcast together.

    Returns
    -------
    float or numpy.ndarray
        DERT (>= 0): the present value of the customer's future purchases, counted in
        purchases; multiply by the expected spend per purchase for a CLV.

    Raises
    ------
    ValueError
        On invalid summaries, a non-positive parameter, or a ``discount_rate`` that is
        not a finite number > 0.
    TypeError
        If ``params`` lacks a parameter, an input is not numeric or ``discount_rate`` is
        not a single number.

    Notes
    -----
    Closed form with continuous discounting and an infinite horizon, where the CLV of
    [`customer_lifetime_value`][crm_metrics.clv.customer_lifetime_value] sums monthly
    increments over a finite horizon with discrete discounting: the two agree when the
    horizon is long and the monthly rate small. Evaluated in log space; $U(s, s, z)$ by
    a trapezoid rule on a sinh-mapped line (scipy's ``hyperu`` fails near integer $s$).

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "RFM and CLV: Using Iso-Value Curves for Customer Base
    Analysis", J. Marketing Research 42(4), 2005, eq. (2).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> round(clv.pareto_nbd_dert(params, 0.15 / 52, 2, 30.43, 38.86), 3)
    6.227
    """
    p = _coerced(params)
    r, alpha, s, beta = (p[k] for k in PNBD_PARAMS)
    delta = float(discount_rate)
    x = np.asarray(frequency, dtype=np.float64)
    age = np.asarray(T, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        log_u = _log_tricomi(s, delta * (beta + age))
        log_num = (
            r * np.log(alpha)
            + s * np.log(beta)
            + (s - 1.0) * np.log(delta)
            + special.gammaln(r + x + 1.0)
            - special.gammaln(r)
            - (r + x + 1.0) * np.log(alpha + age)
            + log_u
        )
        out = np.exp(log_num - _loglik(r, alpha, s, beta, x, recency, age))
    return as_result(out)

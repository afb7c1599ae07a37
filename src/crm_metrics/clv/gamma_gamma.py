"""The Gamma-Gamma model of spend per transaction.

Each transaction value of a customer is ``Gamma(p, nu)``; across customers
``nu ~ Gamma(q, v)`` (Colombo & Jiang 1999; Fader & Hardie 2013). Fitted on repeat
customers' mean spend; the conditional expectation shrinks a customer's observed mean
towards the population mean ``p v / (q - 1)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import special  # type: ignore[import-untyped]

from crm_metrics._math import as_result, safe_divide
from crm_metrics._validate import Count, Flag, Magnitude, ModelParams, validated
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
    "GammaGammaFit",
    "fit_gamma_gamma",
    "gamma_gamma_correlation",
    "gamma_gamma_expected_spend",
]

GG_PARAMS = ("p", "q", "v")
#: q <= 1 means E[nu^-1] is infinite: no finite mean spend (lifetimes #146, #370).
SPEND_PARAMS = ModelParams(
    names=GG_PARAMS,
    record="GammaGammaFit",
    above=(("q", 1.0),),
    reason=(
        "with q <= 1 the Gamma-Gamma model has no finite mean spend (p v / (q - 1) is not "
        "defined), so no expected spend or CLV can be computed; refit, e.g. with a penalizer"
    ),
)


class GammaGammaFit(FittedModel):
    """A fitted Gamma-Gamma spend model.

    An immutable record (pydantic; JSON round trip, non-finite fields refused) sharing
    ``std_errors()``, ``conf_int()`` and ``summary()`` with the purchase models.

    Attributes
    ----------
    p : float
        Shape of the Gamma distribution of transaction values.
    q, v : float
        Shape and rate of the Gamma distribution of the customers' ``nu``.
    loglik : float
        Total log-likelihood of the repeat customers' mean spends (weights applied).
    n_customers : float
        Repeat customers fitted (sum of their weights).
    n_ignored : int
        Rows ignored because their frequency is 0.
    converged : bool
        Whether the optimiser reached an interior maximum.
    iterations : int
        Optimiser iterations.
    message : str
        What happened, in plain words.
    covariance : tuple of tuples of float or None
        Covariance matrix of ``p, q, v`` from the observed information; None when the
        fit did not converge.

    Examples
    --------
    >>> from crm_metrics import clv, datasets
    >>> log = datasets.load_cdnow("sample")
    >>> s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7,
    ...                     observation_end="1997-09-30")
    >>> gg = clv.fit_gamma_gamma(s)
    >>> {k: round(v, 2) for k, v in gg.std_errors().items()}
    {'p': 1.19, 'q': 0.29, 'v': 4.16}
    >>> round(gg.expected_spend(2, 40.0), 2)
    39.14
    """

    PARAMS: ClassVar[tuple[str, ...]] = ("p", "q", "v")

    p: float = Field(gt=0)
    q: float = Field(gt=0)
    v: float = Field(gt=0)
    n_ignored: int = Field(ge=0)

    def expected_spend(self, frequency: Any, monetary_value: Any = None) -> Any:
        """Expected spend per transaction of each customer
        ([`gamma_gamma_expected_spend`][crm_metrics.clv.gamma_gamma_expected_spend])."""
        x, m = unpack(frequency, _SUMMARY, {"monetary_value": monetary_value})
        return gamma_gamma_expected_spend(self, x, m)


_SUMMARY = ("frequency", "monetary_value")
Params = Mapping[str, float] | GammaGammaFit


def _total_loglik(
    p: float, q: float, v: float, x: NDArray[np.float64], m: NDArray[np.float64], w: Any
) -> float:
    """``_dot(w, _loglik(p, q, v, x, m))`` for whole-number ``x`` > 0, bit for bit, with the
    x-only terms (two ``gammaln`` and a log) evaluated once per distinct x and gathered."""
    x_max = int(x.max()) if len(x) else 0
    if x_max >= 4 * len(x) + 64:
        return _dot(w, _loglik(p, q, v, x, m))
    code = x.astype(np.intp)
    ux = np.arange(x_max + 1, dtype=np.float64)
    pux = p * ux
    with np.errstate(divide="ignore", invalid="ignore"):  # x = 0 is never gathered
        lgamma_ratio = (special.gammaln(pux + q) - special.gammaln(pux))[code]
        log_ux = np.log(ux)
        px_log_x = (pux * log_ux)[code]
    px = pux[code]
    log_m = np.log(m)
    out = (
        lgamma_ratio
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * log_m
        + px_log_x
        - (px + q) * np.logaddexp(log_ux[code] + log_m, np.log(v))
    )
    return _dot(w, out)


def _loglik(p: float, q: float, v: float, x: Any, m: Any) -> NDArray[np.float64]:
    """Log-density of the mean spend ``m`` of ``x`` transactions (x > 0), in log space
    (``log(x m + v)`` as a ``logaddexp``, so no spend overflows)."""
    px = p * x
    log_m = np.log(m)
    out: NDArray[np.float64] = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * log_m
        + px * np.log(x)
        - (px + q) * np.logaddexp(np.log(x) + log_m, np.log(v))
    )
    return out


class _Spends:
    """Sufficient statistics of the Gamma-Gamma likelihood of repeat customers.

    Spends are measured in units of their weighted geometric mean ``unit`` (``v`` is a
    scale parameter, so the fit is equivariant), which keeps ``x m`` and ``v`` near 1
    whatever the currency. Every term but ``(p x + q) log(x m + v)`` depends on x alone
    (evaluated per distinct x) or is linear in the parameters (precomputed sums), so one
    evaluation costs one ``logaddexp`` per customer.
    """

    def __init__(
        self,
        x: NDArray[np.float64],
        m: NDArray[np.float64],
        w: NDArray[np.float64],
        log_unit: float | None = None,
    ):
        log_m_raw = np.log(m)
        self.total = float(w.sum())
        if log_unit is None:
            log_unit = _dot(w, log_m_raw) / self.total if self.total else 0.0
        self.log_unit = log_unit
        log_m = log_m_raw - self.log_unit
        self.log_xm, self.w, self.wx = np.log(x) + log_m, w, w * x
        self.ux, inverse = np.unique(x, return_inverse=True)
        self.uw = np.bincount(inverse, weights=w, minlength=len(self.ux))
        self.sum_w_log_m = _dot(w, log_m)
        self.sum_wx_log_m = _dot(self.wx, log_m)
        self.scale = np.array([1.0, 1.0, np.exp(self.log_unit)])


def _objective(
    theta: NDArray[np.float64], s: _Spends, penalizer: float
) -> tuple[float, NDArray[np.float64]]:
    p, q, v = np.exp(theta)  # v in units of s.log_unit
    ux, uw, total = s.ux, s.uw, s.total
    pux = p * ux
    ll = (
        _dot(uw, special.gammaln(pux + q) - special.gammaln(pux) + pux * np.log(ux))
        + total * (q * np.log(v) - special.gammaln(q))
        + p * s.sum_wx_log_m
        - s.sum_w_log_m
    )
    psi = special.digamma(pux + q)
    log_xm_v = np.logaddexp(s.log_xm, np.log(v))
    inv_xm_v = np.exp(-log_xm_v)
    sum_w_log, sum_wx_log = _dot(s.w, log_xm_v), _dot(s.wx, log_xm_v)
    ll -= p * sum_wx_log + q * sum_w_log
    g_p = _dot(uw, ux * (psi - special.digamma(pux) + np.log(ux))) + s.sum_wx_log_m - sum_wx_log
    g_q = _dot(uw, psi) + total * (np.log(v) - special.digamma(q)) - sum_w_log
    g_v = total * q / v - p * _dot(s.wx, inv_xm_v) - q * _dot(s.w, inv_xm_v)
    params = np.array([p, q, v])
    value = -ll / total
    grad = (-np.array([g_p, g_q, g_v]) / total) * params
    if penalizer > 0:  # the penalty is on v in the currency of the spends
        natural = params * s.scale
        value += penalizer * _dot(natural, natural)
        grad += 2.0 * penalizer * natural * natural
    return value, grad


def _unconstrained(theta_c: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-parameters from the constrained search's (log p, log(q - 1), log v)."""
    out = np.array(theta_c, dtype=np.float64)
    out[1] = np.logaddexp(0.0, theta_c[1])  # log(1 + exp(.)) = log q
    return out


def _objective_q_above_1(
    theta_c: NDArray[np.float64], s: _Spends, penalizer: float
) -> tuple[float, NDArray[np.float64]]:
    """:func:`_objective` on (log p, log(q - 1), log v): q > 1 throughout."""
    theta = _unconstrained(theta_c)
    value, grad = _objective(theta, s, penalizer)
    q = float(np.exp(theta[1]))
    grad = grad.copy()
    grad[1] *= (q - 1.0) / q
    return value, grad


@accepts_summary(*_SUMMARY)
@validated(
    frequency=Count(event=True),
    monetary_value=Magnitude(event=True, positive_with="frequency"),
    weights=Magnitude(event=True, optional=True),
    penalizer=ScalarNumber(),
    q_constraint=Flag(),
)
def fit_gamma_gamma(
    frequency: ArrayLike | RFMSummary | CalibrationHoldout,
    monetary_value: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
    penalizer: float = 0.0,
    q_constraint: bool = False,
) -> GammaGammaFit:
    r"""Fit the Gamma-Gamma spend model on repeat customers by maximum likelihood.

    $$\ell_i = \ln\frac{\Gamma(px+q)}{\Gamma(px)\Gamma(q)} + q\ln v + (px-1)\ln\bar m
    + px\ln x - (px+q)\ln(x\bar m + v)$$

    over customers with $x > 0$ (minimising the weighted mean of $-\ell_i$ plus
    $\text{penalizer}\,(p^2+q^2+v^2)$).

    Parameters
    ----------
    frequency : array_like of int, or RFMSummary or CalibrationHoldout
        Repeat purchases per customer; rows with 0 are ignored (counted in
        ``n_ignored``). A summary made with amounts supplies ``monetary_value`` too.
    monetary_value : array_like of float
        Mean spend per repeat purchase (``RFMSummary.monetary_value``); > 0 for repeaters.
    weights : array_like of float, optional
        Number of customers each row stands for.
    penalizer : float, default 0.0
        L2 penalty on ``p, q, v``.
    q_constraint : bool, default False
        Search only ``q > 1`` (lifetimes' ``q_constraint``), so that the fitted model
        always has a finite mean spend; a maximum pressed against ``q = 1`` is then
        reported as not converged.

    Returns
    -------
    GammaGammaFit
        ``p, q, v``, the log-likelihood, counts, the optimiser's record and the
        covariance of the parameters; never raises on non-convergence
        (``converged=False`` and a ``message`` instead).

    Raises
    ------
    ValueError
        If a repeat customer's mean spend is not positive, on negative, fractional or
        non-finite inputs, or unequal lengths.
    TypeError
        If an input is not numeric.

    Notes
    -----
    The model assumes spend is independent of purchase frequency; check
    [`gamma_gamma_correlation`][crm_metrics.clv.gamma_gamma_correlation] first. The search
    is the one of [`fit_bgnbd`][crm_metrics.clv.fit_bgnbd] (log-parameters, analytic
    gradient, TNC; above 40,000 repeaters a subsample warm start and a BFGS finish) on
    spends measured in units of their geometric mean, in log space, so any currency and
    any magnitude up to 1e308 gives the same, finite fit. The verdict and the standard
    errors are those of [`fit_bgnbd`][crm_metrics.clv.fit_bgnbd] (``v`` relative to the
    typical spend for the 1e-4..1e4 edge test). The penalty is on ``v`` in the currency
    of the spends. lifetimes' ``GammaGammaFitter`` maximises the same likelihood.

    References
    ----------
    P. Fader, B. Hardie, "The Gamma-Gamma Model of Monetary Value" (2013);
    R. Colombo, W. Jiang, "A stochastic RFM model", J. Interactive Marketing 13(3), 1999.

    Examples
    --------
    The 946 repeat customers of the CDNOW sample (Fader & Hardie 2013):

    >>> from crm_metrics import clv, datasets
    >>> log = datasets.load_cdnow("sample")
    >>> s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7,
    ...                     observation_end="1997-09-30")
    >>> gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    >>> round(gg.p, 2), round(gg.q, 2), round(gg.v, 2), gg.n_customers
    (6.25, 3.74, 15.44, 946.0)
    """
    x_all = np.asarray(frequency, dtype=np.float64)
    m_all = np.asarray(monetary_value, dtype=np.float64)
    w_all = np.ones_like(x_all) if weights is None else np.asarray(weights, dtype=np.float64)
    repeat = x_all > 0
    x, m, w = x_all[repeat], m_all[repeat], w_all[repeat]
    total = float(w.sum())
    n_ignored = int(len(x_all) - int(repeat.sum()))
    if total == 0:
        return GammaGammaFit(
            p=1.0,
            q=1.0,
            v=1.0,
            loglik=0.0,
            n_customers=0.0,
            n_ignored=n_ignored,
            converged=False,
            iterations=0,
            message="nothing to fit: no repeat customer (or all their weights are 0)",
        )
    spends = _Spends(x, m, w)
    unit = float(spends.scale[2])
    with np.errstate(over="ignore"):
        mean_spend = float(np.average(m / unit, weights=w))
    # with q_constraint the search runs on log(q - 1) instead of log q (start q = 2)
    theta0 = np.log(np.array([1.0, 1.0 if q_constraint else 2.0, min(max(mean_spend, 1e-4), 1e4)]))
    objective = _objective_q_above_1 if q_constraint else _objective
    pen = float(penalizer)
    sub = None
    if len(x) > 2 * _WARM_SIZE:  # warm start on every k-th repeat customer
        k = len(x) // _WARM_SIZE
        sub = _Spends(x[::k], m[::k], w[::k], log_unit=spends.log_unit)
    res = _search(objective, theta0, (spends, pen), None if sub is None else (sub, pen))
    at_edge = np.abs(res.x) > _LOG_EDGE
    theta = _unconstrained(res.x) if q_constraint else res.x
    params = np.exp(theta) * spends.scale
    edge = None
    if at_edge.any():
        names = ", ".join(
            f"{n} = {v:.3g}" for n, v, hit in zip(GG_PARAMS, params, at_edge, strict=True) if hit
        )
        pressed = q_constraint and res.x[1] < -_LOG_EDGE
        edge = (
            f"did not converge: the likelihood keeps increasing towards the edge of the "
            f"parameter space ({names}; outside 1e-4..1e4, v measured in units of the "
            "typical spend"
            + (
                "; q - 1 below 1e-4: the maximum lies at q <= 1, outside the constraint"
                if pressed
                else ""
            )
            + "), so there is no interior maximum. Typically too few repeat "
            "customers, or spends that barely vary within or between customers; the "
            "parameters returned are the best reached and should not be used. Try a "
            "penalizer."
        )
    hess = _log_hessian(objective, res.x, (spends, pen))
    converged, message = _judge(res, theta0, edge, hess, GG_PARAMS)
    if q_constraint:  # the covariance in the model's own parameters
        hess = _log_hessian(_objective, theta, (spends, pen))
    p, q, v = (float(val) for val in params)
    loglik = _total_loglik(p, q, v, x, m, w)
    if not np.isfinite(loglik):
        raise ValueError(
            "monetary_value: the Gamma-Gamma log-likelihood of these spends is not finite "
            f"at p = {p:.3g}, q = {q:.3g}, v = {v:.3g}; the spends span too many orders "
            "of magnitude for the model"
        )
    covariance = None
    if converged:
        grad = _objective(theta, spends, pen)[1]
        covariance = observed_covariance(hess, grad, params, total)
    return GammaGammaFit(
        p=p,
        q=q,
        v=v,
        loglik=loglik,
        n_customers=total,
        n_ignored=n_ignored,
        converged=converged,
        iterations=int(res.nit),
        message=message,
        covariance=covariance,
    )


def _expected_spend(params: Mapping[str, float], x: Any, m: Any) -> NDArray[np.float64]:
    p, q, v = (params[k] for k in GG_PARAMS)
    x = np.asarray(x, dtype=np.float64)
    weight = p * x / (p * x + q - 1.0)
    population = v * p / (q - 1.0)
    out: NDArray[np.float64] = (1.0 - weight) * population + weight * np.asarray(m, np.float64)
    return out


@validated(
    params=SPEND_PARAMS,
    frequency=Count(),
    monetary_value=Magnitude(),
)
def gamma_gamma_expected_spend(
    params: Params, frequency: ArrayLike, monetary_value: ArrayLike
) -> Any:
    r"""Conditional expected spend per transaction of each customer.

    $$E[Z \mid x, \bar m] = \frac{p\,(v + x\,\bar m)}{p\,x + q - 1}$$

    Parameters
    ----------
    params : GammaGammaFit or mapping
        ``p, q, v`` (all > 0 and q > 1).
    frequency : int or array_like of int
        Repeat purchases (0 gives the population mean ``p v / (q - 1)``).
    monetary_value : float or array_like
        Observed mean spend per repeat purchase (>= 0); broadcasts with ``frequency``.

    Returns
    -------
    float or numpy.ndarray
        Expected spend per transaction, > 0.

    Raises
    ------
    ValueError
        If ``q <= 1`` (no finite mean spend: never a negative CLV, lifetimes issues #146
        and #370), a parameter is not positive, or a summary is invalid.
    TypeError
        If ``params`` lacks a parameter or an input is not numeric.

    Notes
    -----
    A weighted average of the population mean and the customer's observed mean, the
    weight $px / (px + q - 1)$ growing with the number of transactions.

    References
    ----------
    P. Fader, B. Hardie, "The Gamma-Gamma Model of Monetary Value" (2013), eq. (5).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> params = {"p": 6.25, "q": 3.74, "v": 15.44}
    >>> round(clv.gamma_gamma_expected_spend(params, 2, 40.0), 4)
    39.1404
    >>> round(clv.gamma_gamma_expected_spend(params, 0, 0.0), 4)
    35.219
    """
    return as_result(_expected_spend(_coerced(params), frequency, monetary_value))


@validated(
    frequency=Count(event=True),
    monetary_value=Magnitude(event=True),
)
def gamma_gamma_correlation(frequency: ArrayLike, monetary_value: ArrayLike) -> float:
    r"""Pearson correlation of purchase frequency and mean spend among repeat customers.

    $$\rho = \frac{\sum_i (x_i - \bar x)(m_i - \bar m)}
    {\sqrt{\sum_i (x_i - \bar x)^2 \sum_i (m_i - \bar m)^2}}, \quad x_i > 0$$

    Parameters
    ----------
    frequency : array_like of int
        Repeat purchases per customer (customers with 0 are left out).
    monetary_value : array_like of float
        Mean spend per repeat purchase.

    Returns
    -------
    float
        The correlation in [-1, 1]; ``nan`` with fewer than two repeat customers or no
        variation.

    Raises
    ------
    ValueError
        On negative, fractional or non-finite inputs, or unequal lengths.
    TypeError
        If an input is not numeric.

    Notes
    -----
    The Gamma-Gamma model assumes spend per transaction is independent of the number of
    transactions; a correlation near zero (|rho| below about 0.3 by the usual rule of
    thumb) is the check practitioners and lifetimes' documentation recommend before
    using it.

    References
    ----------
    P. Fader, B. Hardie, "The Gamma-Gamma Model of Monetary Value" (2013).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> round(clv.gamma_gamma_correlation([1, 2, 3, 0], [10.0, 30.0, 20.0, 0.0]), 4)
    0.5
    """
    x_all = np.asarray(frequency, dtype=np.float64)
    repeat = x_all > 0
    x = x_all[repeat]
    m = np.asarray(monetary_value, dtype=np.float64)[repeat]
    dx = x - x.mean() if len(x) else x
    dm = m - m.mean() if len(m) else m
    den = np.sqrt(_dot(dx, dx) * _dot(dm, dm))
    value = float(safe_divide(_dot(dx, dm), den))
    return float(np.clip(value, -1.0, 1.0)) if not np.isnan(value) else value

"""What every fitted model of ``crm_metrics.clv`` shares: the record, its uncertainty.

A fitted model is an immutable pydantic record of its parameters, its log-likelihood and
the optimiser's verdict, plus the covariance matrix of the parameters from the observed
information (the inverse Hessian of the negative log-likelihood at the maximum). From it
come the standard errors, Wald intervals and the summary table, identically for every
model. Records refuse non-finite fields, so whatever the library writes it reads back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_metrics import _validate
from crm_metrics.clv._rules import ScalarNumber

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FitSummary", "FittedModel", "accepts_summary", "observed_covariance", "unpack"]

F = TypeVar("F", bound=Callable[..., Any])

_LEVEL = ScalarNumber(minimum=0.0, strict=True, maximum=1.0, strict_maximum=True)


def _z(level: float) -> float:
    """The standard normal quantile of ``(1 + level) / 2``."""
    from scipy import special  # type: ignore[import-untyped]

    return float(special.ndtri(0.5 + 0.5 * level))


@dataclass(frozen=True, eq=False)
class FitSummary:
    """The summary table of a fitted model: one row per parameter plus the fit statistics.

    Attributes
    ----------
    names : tuple of str
        The parameters, in the model's order.
    estimate, std_error, lower, upper : numpy.ndarray of float64
        Estimates, standard errors and the bounds of the ``level`` Wald intervals (on the
        log scale, so always positive); NaN where the fit has no covariance.
    level : float
        Confidence level of the intervals.
    loglik, aic, bic : float
        Log-likelihood, $2k - 2\\ell$ and $k \\ln n - 2\\ell$.
    n : float
        Customers (or observations) fitted.
    converged : bool
        The fit's verdict; ``message`` says why.
    message : str
        The fit's message.
    """

    names: tuple[str, ...]
    estimate: NDArray[np.float64]
    std_error: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    level: float
    loglik: float
    aic: float
    bic: float
    n: float
    converged: bool
    message: str

    def to_pandas(self) -> pd.DataFrame:
        """The parameter table as a DataFrame indexed by parameter (pandas imported lazily)."""
        import pandas as pd

        pct = f"{100 * self.level:g}%"
        return pd.DataFrame(
            {
                "estimate": self.estimate,
                "std_error": self.std_error,
                f"lower {pct}": self.lower,
                f"upper {pct}": self.upper,
            },
            index=pd.Index(self.names, name="parameter"),
        )

    def __str__(self) -> str:
        pct = f"{100 * self.level:g}%"
        head = (
            f"{'':>8} {'estimate':>12} {'std_error':>12} {'lower ' + pct:>12} {'upper ' + pct:>12}"
        )
        rows = [
            f"{n:>8} {e:12.6g} {s:12.6g} {lo:12.6g} {hi:12.6g}"
            for n, e, s, lo, hi in zip(
                self.names, self.estimate, self.std_error, self.lower, self.upper, strict=True
            )
        ]
        stats = (
            f"log-likelihood {self.loglik:.6g}, AIC {self.aic:.6g}, BIC {self.bic:.6g}, "
            f"n {self.n:g}; {self.message}"
        )
        return "\n".join([head, *rows, stats])

    def _repr_html_(self, title: str = "Fit summary") -> str:
        """A view for notebooks: the parameter table and the fit statistics."""
        from crm_metrics import _html

        pct = f"{100 * self.level:g}%"
        columns = {
            "parameter": np.array(self.names, dtype=object),
            "estimate": self.estimate,
            "std_error": self.std_error,
            f"lower {pct}": self.lower,
            f"upper {pct}": self.upper,
        }
        caption = f"{title}: {len(self.names)} parameters, n = {_html.number(self.n)}"
        verdict = "yes" if self.converged else "NO"
        fit = (self.loglik, self.aic, self.bic)
        loglik, aic, bic = (_html.number(v, 6) for v in fit)  # as many digits as str()
        stats = (
            f"log-likelihood {loglik}, AIC {aic}, BIC {bic}, n {_html.number(self.n)}; "
            f"converged {verdict} ({self.message})"
        )
        style = "margin:4px 0" if self.converged else "margin:4px 0;color:#b42318"
        table = _html.frame(columns, caption=caption, noun="parameters")
        return f'<div>{table}<p style="{style}">{_html.escape(stats)}</p></div>'


class FittedModel(BaseModel):
    """Base of the fitted-model records: fit statistics, covariance and their uses.

    Subclasses declare their parameters as fields and list them in ``PARAMS``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    PARAMS: ClassVar[tuple[str, ...]] = ()

    loglik: float
    n_customers: float = Field(ge=0)
    converged: bool
    iterations: int = Field(ge=0)
    message: str
    covariance: tuple[tuple[float, ...], ...] | None = None

    @model_validator(mode="after")
    def _square_covariance(self) -> FittedModel:
        if self.covariance is not None:
            k = len(self.PARAMS)
            if len(self.covariance) != k or any(len(row) != k for row in self.covariance):
                raise ValueError(
                    f"covariance must be a {k} x {k} matrix (one row and column per "
                    f"parameter {', '.join(self.PARAMS)})"
                )
            if any(self.covariance[i][i] < 0 for i in range(k)):
                raise ValueError("covariance has a negative variance on its diagonal")
        return self

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict, in the model's order."""
        return {name: float(getattr(self, name)) for name in self.PARAMS}

    @property
    def aic(self) -> float:
        """Akaike's information criterion, $2k - 2\\ell$."""
        return 2.0 * len(self.PARAMS) - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        """Schwarz's Bayesian information criterion, $k \\ln n - 2\\ell$ (nan for n = 0)."""
        if self.n_customers <= 0:
            return float("nan")
        return len(self.PARAMS) * float(np.log(self.n_customers)) - 2.0 * self.loglik

    def std_errors(self) -> dict[str, float]:
        """Standard errors of the parameters from the observed information.

        NaN for every parameter when the fit has no covariance (it did not converge, or
        the information matrix could not be inverted).
        """
        if self.covariance is None:
            return dict.fromkeys(self.PARAMS, float("nan"))
        cov = np.asarray(self.covariance, dtype=np.float64)
        return {n: float(np.sqrt(cov[i, i])) for i, n in enumerate(self.PARAMS)}

    def conf_int(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        r"""Wald confidence intervals of the parameters, on the log scale.

        $$\hat\theta \exp\!\big(\pm z_{(1+\text{level})/2}\,
        \mathrm{SE}(\hat\theta) / \hat\theta\big)$$

        (the delta-method interval of $\ln\theta$, mapped back: always positive, as the
        parameters are). ``(nan, nan)`` without a covariance. ``level`` is in (0, 1).
        """
        z = _z(float(_LEVEL.coerce("level", level, {})))
        out: dict[str, tuple[float, float]] = {}
        for name, se in self.std_errors().items():
            est = float(getattr(self, name))
            spread = float(np.exp(z * se / est)) if np.isfinite(se) else float("nan")
            out[name] = (est / spread, est * spread)
        return out

    def delta_interval(
        self,
        prediction: Callable[[Any], Any],
        level: float = 0.95,
        transform: str = "log",
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        r"""Estimate and delta-method confidence interval of any prediction of the model.

        $$\mathrm{SE}(\hat f) = \sqrt{\nabla f^\top\,\Sigma\,\nabla f}$$

        with $\Sigma$ the parameters' covariance and $\nabla f$ the gradient of the
        prediction in the parameters (central differences, per customer, vectorised).
        ``prediction`` maps a fitted model to an array, e.g.
        ``lambda m: m.p_alive(summary)``. The interval is built on the ``transform``
        scale: ``"log"`` (non-negative quantities: expected purchases, DERT, CLV),
        ``"logit"`` (probabilities: P(alive)) or ``"identity"``, so it respects the
        quantity's range. Returns ``(estimate, lower, upper)``; NaN bounds without a
        covariance. Only parameter uncertainty is covered, not the customer's own
        randomness.
        """
        return _prediction_interval(self, prediction, level, transform)

    def _repr_html_(self) -> str:
        """A view for notebooks: the parameter table of `summary` (estimates, standard
        errors, 95% intervals) and the fit statistics."""
        return self.summary()._repr_html_(type(self).__name__)

    def summary(self, level: float = 0.95) -> FitSummary:
        """The summary table: estimate, standard error and interval per parameter, with the
        log-likelihood, AIC, BIC and the number of customers fitted."""
        intervals = self.conf_int(level)
        se = self.std_errors()
        return FitSummary(
            names=self.PARAMS,
            estimate=np.array([getattr(self, n) for n in self.PARAMS], dtype=np.float64),
            std_error=np.array([se[n] for n in self.PARAMS], dtype=np.float64),
            lower=np.array([intervals[n][0] for n in self.PARAMS], dtype=np.float64),
            upper=np.array([intervals[n][1] for n in self.PARAMS], dtype=np.float64),
            level=float(level),
            loglik=self.loglik,
            aic=self.aic,
            bic=self.bic,
            n=self.n_customers,
            converged=self.converged,
            message=self.message,
        )


_TRANSFORMS = ("log", "logit", "identity")


def _prediction_interval(
    fit: FittedModel,
    prediction: Callable[[Any], Any],
    level: float,
    transform: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The body of :meth:`FittedModel.delta_interval`."""
    from crm_metrics._validate import Option

    z = _z(float(_LEVEL.coerce("level", level, {})))
    Option(choices=_TRANSFORMS).coerce("transform", transform, {})
    estimate = np.asarray(prediction(fit), dtype=np.float64)
    if fit.covariance is None:
        nan = np.full(estimate.shape, np.nan)
        return estimate, nan, nan.copy()
    cov = np.asarray(fit.covariance, dtype=np.float64)
    values = np.array([getattr(fit, n) for n in fit.PARAMS], dtype=np.float64)
    step = 1e-5
    jac = np.empty((len(values), *estimate.shape))
    for j, name in enumerate(fit.PARAMS):  # one pair of evaluations per parameter
        up = fit.model_copy(update={name: values[j] * np.exp(step)})
        down = fit.model_copy(update={name: values[j] * np.exp(-step)})
        diff = np.asarray(prediction(up), np.float64) - np.asarray(prediction(down), np.float64)
        jac[j] = diff / (2.0 * step * values[j])  # d prediction / d parameter
    with np.errstate(all="ignore"):
        variance = np.einsum("i...,ij,j...->...", jac, cov, jac)
        se = np.sqrt(np.maximum(variance, 0.0))
        if transform == "log":
            spread = np.exp(z * se / estimate)
            lower, upper = estimate / spread, estimate * spread
            zero = estimate == 0
            lower, upper = np.where(zero, 0.0, lower), np.where(zero, 0.0, upper)
        elif transform == "logit":
            logit = np.log(estimate) - np.log1p(-estimate)
            half = z * se / (estimate * (1.0 - estimate))
            lower, upper = special_expit(logit - half), special_expit(logit + half)
            edge = (estimate == 0) | (estimate == 1)
            lower, upper = np.where(edge, estimate, lower), np.where(edge, estimate, upper)
        else:
            lower, upper = estimate - z * se, estimate + z * se
    return estimate, np.asarray(lower, np.float64), np.asarray(upper, np.float64)


def special_expit(x: Any) -> NDArray[np.float64]:
    """The logistic function (scipy imported lazily)."""
    from scipy import special

    out: NDArray[np.float64] = special.expit(x)
    return out


def observed_covariance(
    hess_log: NDArray[np.float64],
    grad_log: NDArray[np.float64],
    params: NDArray[np.float64],
    total: float,
) -> tuple[tuple[float, ...], ...] | None:
    r"""Covariance of the natural parameters from the Hessian of the mean objective in the
    log-parameters.

    With $\theta = \ln p$, $\partial^2 f / \partial p_i \partial p_j = (H_{ij} -
    \delta_{ij} g_i) / (p_i p_j)$; the observed information is ``total`` times that, and
    the covariance its inverse. None unless finite and positive definite.
    """
    with np.errstate(all="ignore"):
        info = total * (hess_log - np.diag(grad_log)) / np.outer(params, params)
    if not np.all(np.isfinite(info)):
        return None
    info = 0.5 * (info + info.T)
    try:
        eig = np.linalg.eigvalsh(info)
    except np.linalg.LinAlgError:
        return None
    if not eig[0] > 0:
        return None
    cov = np.linalg.inv(info)
    cov = 0.5 * (cov + cov.T)
    if not (np.all(np.isfinite(cov)) and np.all(np.diag(cov) >= 0)):
        return None
    return tuple(tuple(float(v) for v in row) for row in cov)


def unpack(value: Any, fields: tuple[str, ...], given: Mapping[str, Any]) -> tuple[Any, ...]:
    """The arrays ``fields`` of an RFM summary passed in place of the first of them, or the
    arguments as given. A summary with some of the other arguments also given is refused."""
    if _is_summary(value):
        extra = [k for k in fields[1:] if given.get(k) is not None]
        if extra:
            raise TypeError(
                f"{fields[0]} is an RFM summary, which already holds {', '.join(fields[1:])}; "
                f"do not pass {', '.join(extra)} as well"
            )
        out = tuple(getattr(value, f) for f in fields)
        if any(v is None for v in out):
            missing = [f for f, v in zip(fields, out, strict=True) if v is None]
            raise TypeError(f"the RFM summary has no {', '.join(missing)} (made without amounts)")
        return out
    return (value, *(given.get(k) for k in fields[1:]))


def accepts_summary(*fields: str) -> Callable[[F], F]:
    """Let a validated function take an RFM summary in place of its first argument.

    ``fit(summary, **options)`` is ``fit(summary.<fields[0]>, summary.<fields[1]>, ...,
    **options)``; the arrays then go through the function's declared rules as usual. The
    wrapper is registered with the same rules, so the contract tests see them.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            first = args[0] if args else kwargs.get(fields[0])
            if first is not None and _is_summary(first):
                given = dict(zip(fields, args, strict=False))
                given.update({k: v for k, v in kwargs.items() if k in fields})
                arrays = unpack(first, fields, given)
                rest = {k: v for k, v in kwargs.items() if k not in fields}
                if len(args) > len(fields):
                    raise TypeError(f"{func.__name__} takes its options by keyword")
                return func(*arrays, **rest)
            return func(*args, **kwargs)

        _validate._RULES[wrapper] = _validate.rules_of(func)
        return cast(F, wrapper)

    return decorate


def _is_summary(value: Any) -> bool:
    from crm_metrics.clv.rfm import CalibrationHoldout, RFMSummary

    return isinstance(value, (RFMSummary, CalibrationHoldout))

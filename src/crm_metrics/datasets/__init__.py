"""Data sets of crm_metrics: the CDNOW transaction logs and seeded synthetic CRM logs.

The CDNOW logs are the classic public data of customer-base analysis (Fader, Hardie and
Lee, 2005): every purchase of the 23,570 customers who made their first purchase at the
CDNOW web site in the first quarter of 1997, followed to the end of June 1998. The
package ships gzip-compressed copies; nothing is downloaded.

The synthetic generators (:func:`simulate_surveys`, :func:`simulate_campaigns`,
:func:`simulate_sales`, :func:`simulate_tickets`, :func:`simulate_calls`) draw realistic,
seeded logs with the argument names that every metric of the library accepts.

Import this module explicitly (``from crm_metrics import datasets``, or use
``crm_metrics.datasets`` after ``import crm_metrics``); it is not loaded by
``import crm_metrics`` itself.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from crm_metrics._validate import (
    Flag,
    Instant,
    Magnitude,
    ModelParams,
    Option,
    validated,
)
from crm_metrics.datasets._synthetic import (
    _SEED,
    ActivityLog,
    CallLog,
    CampaignLog,
    DealLog,
    SalesData,
    StageHistory,
    SurveyLog,
    TicketLog,
    _Records,
    simulate_calls,
    simulate_campaigns,
    simulate_sales,
    simulate_surveys,
    simulate_tickets,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ActivityLog",
    "CallLog",
    "CampaignLog",
    "DealLog",
    "SalesData",
    "StageHistory",
    "SurveyLog",
    "TicketLog",
    "TransactionLog",
    "load_cdnow",
    "simulate_bgnbd",
    "simulate_calls",
    "simulate_campaigns",
    "simulate_sales",
    "simulate_surveys",
    "simulate_tickets",
]

_FILES = {"master": "cdnow_master.csv.gz", "sample": "cdnow_sample.csv.gz"}


@dataclass(frozen=True, eq=False)
class TransactionLog(_Records):
    """A transaction log as aligned numpy arrays, one element per order.

    Attributes
    ----------
    customer_id : numpy.ndarray of int64
        The customer of each order.
    ts : numpy.ndarray of datetime64[ns]
        The order date (CDNOW records days, so times are midnight).
    amount : numpy.ndarray of float64
        Order value in US dollars (the CSV's ``value``).
    quantity : numpy.ndarray of int64
        Number of CDs in the order (the CSV's ``cds``).
    master_id : numpy.ndarray of int64 or None
        For the sample log, the customer's id in the master log; None for the master log.
    """

    customer_id: NDArray[np.int64]
    ts: NDArray[np.datetime64]
    amount: NDArray[np.float64]
    quantity: NDArray[np.int64]
    master_id: NDArray[np.int64] | None = None


def _read(kind: str) -> TransactionLog:
    source = resources.files(__package__).joinpath("data", _FILES[kind])
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
        header = text.readline().strip().split(",")
        table = np.loadtxt(text, delimiter=",", dtype=str, ndmin=2)
    column = dict(zip(header, table.T, strict=True))
    return TransactionLog(
        customer_id=column["customer_id"].astype(np.int64),
        ts=column["date"].astype("datetime64[ns]"),
        amount=column["value"].astype(np.float64),
        quantity=column["cds"].astype(np.int64),
        master_id=column["master_id"].astype(np.int64) if "master_id" in column else None,
    )


@overload
def load_cdnow(kind: str = ..., *, as_frame: Literal[False] = False) -> TransactionLog: ...
@overload
def load_cdnow(kind: str = ..., *, as_frame: Literal[True]) -> pd.DataFrame: ...
@validated(kind=Option(choices=tuple(_FILES)), as_frame=Flag())
def load_cdnow(kind: str = "master", *, as_frame: bool = False) -> Any:
    """Load the CDNOW transaction log shipped with the package.

    Parameters
    ----------
    kind : {"master", "sample"}, default "master"
        ``"master"``: all 69,659 orders of the 23,570 customers of the 1997 Q1 cohort.
        ``"sample"``: the 6,919 orders of a 1/10 sample of 2,357 of them (the file used in
        the BG/NBD paper and by ``lifetimes``), with ``master_id`` linking to the master log.
    as_frame : bool, default False
        Return a pandas DataFrame (pandas must be installed) instead of a
        [`TransactionLog`][crm_metrics.datasets.TransactionLog] of numpy arrays.

    Returns
    -------
    TransactionLog or pandas.DataFrame
        Columns ``customer_id``, ``ts``, ``amount`` (US dollars), ``quantity`` (CDs) and,
        for the sample, ``master_id``; in file order (by customer, then date).

    Raises
    ------
    ValueError
        If ``kind`` is not ``"master"`` or ``"sample"``.

    References
    ----------
    P. Fader, B. Hardie, K. Lee, "Counting Your Customers the Easy Way: An Alternative to
    the Pareto/NBD Model", Marketing Science 24(2), 2005.

    Examples
    --------
    >>> from crm_metrics import datasets
    >>> log = datasets.load_cdnow()
    >>> len(log), len(set(log.customer_id.tolist()))
    (69659, 23570)
    >>> str(log.ts.min())[:10], str(log.ts.max())[:10]
    ('1997-01-01', '1998-06-30')
    """
    log = _read(kind)
    return log.to_pandas() if as_frame else log


#: Nanoseconds per time unit of :func:`simulate_bgnbd`.
_UNIT_NS = {"W": 7 * 86_400 * 10**9, "D": 86_400 * 10**9, "h": 3_600 * 10**9}


@validated(
    n_customers=_SEED,  # a whole number >= 0, one scalar
    r=Magnitude(positive=True),
    alpha=Magnitude(positive=True),
    a=Magnitude(positive=True),
    b=Magnitude(positive=True),
    horizon=Magnitude(positive=True),
    acquisition_window=Magnitude(le="horizon"),
    spend=ModelParams(names=("p", "q", "v"), optional=True),
    unit=Option(choices=tuple(_UNIT_NS)),
    start=Instant(optional=False),
    seed=_SEED,
)
def simulate_bgnbd(
    n_customers: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    horizon: float,
    acquisition_window: float = 0.0,
    spend: Any = None,
    unit: str = "W",
    start: Any = "2000-01-03",
    seed: int = 0,
) -> TransactionLog:
    r"""Draw a transaction log from the BG/NBD process (and Gamma-Gamma spend), seeded.

    $$\lambda_i \sim \Gamma(r, \alpha),\quad p_i \sim B(a, b),\quad
    X_i \mid \lambda_i \sim \text{Poisson process},\quad
    P(\text{drop out after a repeat purchase}) = p_i$$

    Parameters
    ----------
    n_customers : int
        Number of customers; each makes a first purchase at its acquisition time.
    r, alpha : float
        Shape and rate (per ``unit``) of the Gamma distribution of purchase rates.
    a, b : float
        Shapes of the Beta distribution of the dropout probability.
    horizon : float
        End of observation, in ``unit`` after ``start``.
    acquisition_window : float, default 0.0
        Acquisition times are uniform on ``[0, acquisition_window)`` (0: all at ``start``);
        at most ``horizon``.
    spend : tuple (p, q, v), mapping or GammaGammaFit, optional
        Gamma-Gamma spend: each customer's ``nu ~ Gamma(q, v)``, each transaction value
        ``~ Gamma(p, nu)``. Without it every amount is 0.0.
    unit : {"W", "D", "h"}, default "W"
        Time unit of ``alpha``, ``horizon`` and ``acquisition_window``.
    start : datetime64 or str, default "2000-01-03"
        Time origin.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same log.

    Returns
    -------
    TransactionLog
        Rows sorted by customer (ids 0..n-1) then time; timestamps in ns resolution;
        ``quantity`` is 1 on every row.

    Raises
    ------
    ValueError
        If a parameter is not positive, ``acquisition_window`` exceeds ``horizon``, or
        ``unit`` is unknown.
    TypeError
        If an argument has the wrong kind.

    Notes
    -----
    Exact simulation of the model of Fader, Hardie & Lee (2005): the number of purchase
    opportunities in a customer's window is ``Poisson(lambda T)``, placed as uniform order
    statistics; the customer keeps the first ``K ~ Geometric(p)`` of them (dropping out
    right after the K-th repeat purchase). Customers never drop out before their first
    repeat purchase, as in the model.

    References
    ----------
    P. Fader, B. Hardie, K. Lee, Marketing Science 24(2), 2005; P. Fader, B. Hardie, "The
    Gamma-Gamma Model of Monetary Value" (2013).

    Examples
    --------
    >>> from crm_metrics import datasets
    >>> log = datasets.simulate_bgnbd(1000, 0.243, 4.414, 0.793, 2.426, horizon=78,
    ...                               spend=(6.25, 3.74, 15.44), seed=1)
    >>> len(set(log.customer_id.tolist())), bool((log.amount > 0).all())
    (1000, True)
    """
    n = int(np.asarray(n_customers))
    rng = np.random.default_rng(int(np.asarray(seed)))
    r_, alpha_, a_, b_ = (float(np.asarray(v)) for v in (r, alpha, a, b))
    end, window = float(np.asarray(horizon)), float(np.asarray(acquisition_window))
    lam = rng.gamma(r_, 1.0 / alpha_, n)
    drop = np.clip(rng.beta(a_, b_, n), 1e-12, 1.0)
    acquired = rng.uniform(0.0, window, n) if window > 0 else np.zeros(n)
    age = end - acquired
    opportunities = rng.poisson(lam * age)
    keep_at_most = rng.geometric(drop)
    owner = np.repeat(np.arange(n, dtype=np.int64), opportunities)
    when = rng.uniform(0.0, 1.0, len(owner)) * age[owner]
    order = np.lexsort((when, owner))
    when = when[order]
    first_row = np.cumsum(opportunities) - opportunities
    rank = np.arange(len(owner)) - first_row[owner]
    kept = rank < keep_at_most[owner]
    owner, when = owner[kept], when[kept]
    # first purchases at age 0, then the repeats, sorted by customer and time
    customer = np.concatenate([np.arange(n, dtype=np.int64), owner])
    offset = np.concatenate([np.zeros(n), when])
    order = np.lexsort((offset, customer))
    customer, offset = customer[order], offset[order] + acquired[customer[order]]
    origin = np.datetime64(start, "ns").astype(np.int64)
    ts = (origin + np.round(offset * _UNIT_NS[unit]).astype(np.int64)).view("datetime64[ns]")
    amount = np.zeros(len(customer))
    if spend is not None:
        p_, q_, v_ = spend["p"], spend["q"], spend["v"]
        nu = rng.gamma(q_, 1.0 / v_, n)
        amount = rng.gamma(p_, 1.0, len(customer)) / nu[customer]
    return TransactionLog(
        customer_id=customer,
        ts=ts,
        amount=amount,
        quantity=np.ones(len(customer), dtype=np.int64),
    )

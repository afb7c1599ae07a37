"""Data sets shipped with crm_metrics: the CDNOW transaction logs.

The CDNOW logs are the classic public data of customer-base analysis (Fader, Hardie and
Lee, 2005): every purchase of the 23,570 customers who made their first purchase at the
CDNOW web site in the first quarter of 1997, followed to the end of June 1998. The
package ships gzip-compressed copies; nothing is downloaded.

Import this module explicitly (``from crm_metrics import datasets``, or use
``crm_metrics.datasets`` after ``import crm_metrics``); it is not loaded by
``import crm_metrics`` itself.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, fields
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from crm_metrics._validate import Flag, Option, validated

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TransactionLog", "load_cdnow"]

_FILES = {"master": "cdnow_master.csv.gz", "sample": "cdnow_sample.csv.gz"}


@dataclass(frozen=True, eq=False)
class TransactionLog:
    """A transaction log as aligned numpy arrays (METRICS.md §0.5 transaction schema).

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

    def __len__(self) -> int:
        return len(self.customer_id)

    def to_pandas(self) -> pd.DataFrame:
        """The log as a pandas DataFrame with one column per field (pandas imported lazily)."""
        import pandas as pd

        columns = {f.name: getattr(self, f.name) for f in fields(self)}
        return pd.DataFrame({k: v for k, v in columns.items() if v is not None})


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
        :class:`TransactionLog` of numpy arrays.

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

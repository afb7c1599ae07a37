"""Quartile RFM scores and named segments, as pymc-marketing's ``rfm_segments`` by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crm_metrics._validate import Count, Magnitude, Real, validated

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RFM_SEGMENTS", "RFMSegments", "rfm_segments"]

#: pymc-marketing's default segment definitions (``_default_rfm_segment_config``):
#: segment name -> the three-digit scores (recency, frequency, monetary) it covers;
#: every other score is "Other". Later names win where a score is listed twice.
RFM_SEGMENTS: dict[str, tuple[str, ...]] = {
    "Premium Customer": ("334", "443", "444", "344", "434", "433", "343", "333"),
    "Repeat Customer": ("244", "234", "232", "332", "143", "233", "243"),
    "Top Spender": (
        "424",
        "414",
        "144",
        "314",
        "324",
        "124",
        "224",
        "423",
        "413",
        "133",
        "323",
        "313",
        "134",
    ),
    "At Risk Customer": (
        "422",
        "223",
        "212",
        "122",
        "222",
        "132",
        "322",
        "312",
        "412",
        "123",
        "214",
    ),
    "Inactive Customer": ("411", "111", "113", "114", "112", "211", "311"),
}
_NAMES = np.array(["Other", *RFM_SEGMENTS], dtype=object)


def _segment_table() -> NDArray[np.intp]:
    """Index into ``_NAMES`` of every score 000..999 (0 = "Other")."""
    table = np.zeros(1000, dtype=np.intp)
    for i, scores in enumerate(RFM_SEGMENTS.values(), start=1):
        table[[int(s) for s in scores]] = i
    return table


_TABLE = _segment_table()


@dataclass(frozen=True, eq=False)
class RFMSegments:
    """Quartile scores and segment of each customer, aligned with the inputs.

    Attributes
    ----------
    recency_score, frequency_score, monetary_score : numpy.ndarray of int64
        1 (worst quartile) .. 4 (best); fewer levels when quartile edges coincide.
        Recency is reversed: the most recent buyers score highest.
    rfm_score : numpy.ndarray of str
        The three digits, e.g. ``"334"``.
    segment : numpy.ndarray of str
        The segment name ("Premium Customer", ... or "Other").
    """

    recency_score: NDArray[np.int64]
    frequency_score: NDArray[np.int64]
    monetary_score: NDArray[np.int64]
    rfm_score: NDArray[np.str_]
    segment: NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.segment)

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame with one column per field (pandas imported lazily)."""
        import pandas as pd

        return pd.DataFrame({name: getattr(self, name) for name in self.__dataclass_fields__})


def _quartile_score(values: NDArray[np.float64], reverse: bool) -> NDArray[np.int64]:
    """``pandas.qcut(values, 4, duplicates="drop")`` bin number + 1 (reversed for recency)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.unique(np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0]))
    bins = max(len(edges) - 1, 1)
    # right-closed bins, the lowest edge included (qcut's include_lowest)
    index = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, bins - 1)
    score = bins - index if reverse else index + 1
    return score.astype(np.int64)


@validated(
    recency=Magnitude(event=True),
    frequency=Count(event=True),
    monetary=Real(event=True),
)
def rfm_segments(recency: ArrayLike, frequency: ArrayLike, monetary: ArrayLike) -> RFMSegments:
    r"""Quartile RFM scores (1-4 each) and pymc-marketing's default named segments.

    $$s_R = 5 - q(R),\quad s_F = q(F),\quad s_M = q(M)$$

    $$q(v) = 1 + \#\{k \in \{1, 2, 3\} : v > Q_{k/4}(v)\}$$

    with $Q_{k/4}$ the sample quartiles (linear interpolation); then the score
    ``f"{s_R}{s_F}{s_M}"`` is looked up in the table
    ``crm_metrics.clv.segments.RFM_SEGMENTS``.

    Parameters
    ----------
    recency : array_like of float
        Time since each customer's last purchase (the segmentation meaning, ``T -
        recency`` of an [`RFMSummary`][crm_metrics.clv.RFMSummary]; lower is better).
    frequency : array_like of int
        Purchase periods per customer, first included
        (``rfm_summary(..., include_first=True).frequency``).
    monetary : array_like of float
        Mean spend per purchase period, first included.

    Returns
    -------
    RFMSegments
        Scores, three-digit score strings and segment names, aligned with the inputs.

    Raises
    ------
    ValueError
        On negative or non-finite recency, negative or fractional frequency, non-finite
        spend, or unequal lengths.
    TypeError
        If an input is not numeric.

    Notes
    -----
    pymc-marketing's ``rfm_segments`` (pymc_marketing/clv/utils.py): quartile bins of
    ``pandas.qcut(q=4, duplicates="drop")``; where edges coincide (many equal values,
    typical for frequency) fewer bins remain and the scores run 1..3 or 1..2 (recency
    reversed). Segments: "Premium Customer" (top two quartiles on all three), "Repeat
    Customer", "Top Spender", "At Risk Customer", "Inactive Customer", else "Other".
    Differences: this function takes the per-customer arrays (build them with
    [`rfm_summary`][crm_metrics.clv.rfm_summary]) instead of a transaction DataFrame; it
    does not warn when a variable has only two levels (pymc-marketing emits a
    UserWarning); when every value of a variable is equal it scores everyone 1
    (pymc-marketing raises ValueError); the segment definitions are fixed to the defaults
    (no ``segment_config``).

    References
    ----------
    pymc-marketing, ``pymc_marketing.clv.utils.rfm_segments``; A. M. Hughes, *Strategic
    Database Marketing* (RFM quintile/quartile scoring).

    Examples
    --------
    >>> from crm_metrics import clv
    >>> seg = clv.rfm_segments([1, 5, 30, 90], [6, 4, 2, 1], [80.0, 40.0, 30.0, 10.0])
    >>> seg.rfm_score.tolist()
    ['444', '333', '222', '111']
    >>> seg.segment.tolist()
    ['Premium Customer', 'Premium Customer', 'At Risk Customer', 'Inactive Customer']
    """
    r = _quartile_score(np.asarray(recency, dtype=np.float64), reverse=True)
    f = _quartile_score(np.asarray(frequency, dtype=np.float64), reverse=False)
    m = _quartile_score(np.asarray(monetary, dtype=np.float64), reverse=False)
    code = r * 100 + f * 10 + m
    return RFMSegments(
        recency_score=r,
        frequency_score=f,
        monetary_score=m,
        rfm_score=code.astype(str),
        segment=_NAMES[_TABLE[code]].astype(str),
    )

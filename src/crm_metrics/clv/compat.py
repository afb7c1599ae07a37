"""pandas-in, pandas-out twins of lifetimes' summary functions, for notebook migrations.

Same names, argument names, column names and index as lifetimes 0.11.3; thin wrappers
over :func:`~crm_metrics.clv.rfm_summary` and :func:`~crm_metrics.clv.calibration_holdout`
(pandas is imported lazily). Where lifetimes would guess a timestamp format, these
functions parse ISO-8601 only, unless ``datetime_format`` names the format explicitly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from crm_metrics.clv.rfm import calibration_holdout, rfm_summary

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["calibration_and_holdout_data", "summary_data_from_transaction_data"]


def _times(values: Any, datetime_format: str | None) -> Any:
    """Column or scalar as given, or parsed with the caller's explicit ``datetime_format``."""
    if datetime_format is None or values is None:
        return values
    import pandas as pd

    parsed = pd.to_datetime(values, format=datetime_format)
    return parsed.to_numpy() if hasattr(parsed, "to_numpy") else parsed.to_datetime64()


def _columns(
    transactions: pd.DataFrame, customer_id_col: str, datetime_col: str, monetary_col: str | None
) -> tuple[NDArray[Any], Any, NDArray[Any] | None]:
    ids = transactions[customer_id_col].to_numpy()
    ts: Any = transactions[datetime_col]
    if ts.dtype.kind in "OUS" or str(ts.dtype) in ("str", "string"):
        ts = np.asarray(ts.to_numpy(), dtype=str)  # text: parsed as ISO-8601, never guessed
    money = None if not monetary_col else transactions[monetary_col].to_numpy(dtype=np.float64)
    return ids, ts, money


def summary_data_from_transaction_data(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    datetime_format: str | None = None,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    r"""lifetimes' ``summary_data_from_transaction_data``, pandas in and out, on `rfm_summary`.

    $$x = n_\text{periods} - 1,\quad t_x = \frac{s_\text{last} - s_\text{first}}{\Delta\,k},
    \quad T = \frac{\lfloor e \rfloor - s_\text{first}}{\Delta\,k}$$

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_id_col, datetime_col : str
        Column names of the customer id and the timestamp (datetime64 or ISO-8601 text).
    monetary_value_col : str, optional
        Column of transaction amounts.
    datetime_format : str, optional
        An explicit ``strftime`` format for text timestamps (and ``observation_period_end``).
    observation_period_end : datetime or str, optional
        End of observation (default: the latest timestamp).
    freq : {"D", "W", "h", "min", "s"}, default "D"
        Period length.
    freq_multiplier : int, default 1
        Divides recency and T.
    include_first_transaction : bool, default False
        Count the first period in ``frequency`` and ``monetary_value``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (index named ``customer_id_col``, sorted), float columns
        ``frequency, recency, T[, monetary_value]``.

    Raises
    ------
    ValueError
        As [`rfm_summary`][crm_metrics.clv.rfm_summary] (non-ISO text without
        ``datetime_format``, ``freq`` "M"/"Y", NaT or missing ids).
    TypeError
        As [`rfm_summary`][crm_metrics.clv.rfm_summary].

    Notes
    -----
    lifetimes sorts and takes the maximum of raw strings, which for non-ISO formats
    silently drops rows and picks the wrong first purchase; here text is parsed first.

    References
    ----------
    lifetimes 0.11.3, ``lifetimes.utils.summary_data_from_transaction_data``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_metrics import clv
    >>> tx = pd.DataFrame({"id": [1, 1, 2], "date": ["2024-01-01", "2024-01-05", "2024-01-03"]})
    >>> out = clv.summary_data_from_transaction_data(tx, "id", "date")
    >>> out.loc[1].tolist(), out.loc[2].tolist()
    ([1.0, 4.0, 4.0], [0.0, 0.0, 2.0])
    """
    ids, ts, money = _columns(transactions, customer_id_col, datetime_col, monetary_value_col)
    summary = rfm_summary(
        ids,
        _times(ts, datetime_format),
        money,
        freq=freq,
        freq_multiplier=freq_multiplier,
        observation_end=_times(observation_period_end, datetime_format),
        include_first=include_first_transaction,
    )
    frame = summary.to_pandas()
    frame.index.name = customer_id_col
    return frame


def calibration_and_holdout_data(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: Any,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    datetime_format: str | None = None,
    monetary_value_col: str | None = None,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    r"""lifetimes' ``calibration_and_holdout_data``, pandas in and out, on `calibration_holdout`.

    $$\text{calibration} = \{t \le c\},\qquad \text{holdout} = \{c < t \le e\}$$

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_id_col, datetime_col : str
        Column names of the customer id and the timestamp.
    calibration_period_end : datetime or str
        Last instant of the calibration period.
    observation_period_end : datetime or str, optional
        Last instant of the holdout period (default: the latest timestamp).
    freq : {"D", "W", "h", "min", "s"}, default "D"
        Period length.
    freq_multiplier : int, default 1
        Divides recency, T and ``duration_holdout``.
    datetime_format : str, optional
        An explicit ``strftime`` format for text timestamps and the two dates.
    monetary_value_col : str, optional
        Column of transaction amounts.
    include_first_transaction : bool, default False
        As in
        [`summary_data_from_transaction_data`][crm_metrics.clv.summary_data_from_transaction_data].

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id, columns ``frequency_cal, recency_cal, T_cal[,
        monetary_value_cal], frequency_holdout[, monetary_value_holdout],
        duration_holdout`` (float), as lifetimes.

    Raises
    ------
    ValueError
        If there is no holdout transaction, or as
        [`calibration_holdout`][crm_metrics.clv.calibration_holdout].
    TypeError
        As [`calibration_holdout`][crm_metrics.clv.calibration_holdout].

    Notes
    -----
    The split uses raw timestamps, the calibration summary the floored
    ``calibration_period_end`` (lifetimes' rules).

    References
    ----------
    lifetimes 0.11.3, ``lifetimes.utils.calibration_and_holdout_data``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_metrics import clv
    >>> tx = pd.DataFrame({"id": [1, 1, 1], "date": ["2024-01-01", "2024-01-05", "2024-01-09"]})
    >>> out = clv.calibration_and_holdout_data(tx, "id", "date", "2024-01-06")
    >>> out.loc[1].tolist()
    [1.0, 4.0, 5.0, 1.0, 3.0]
    """
    ids, ts, money = _columns(transactions, customer_id_col, datetime_col, monetary_value_col)
    result = calibration_holdout(
        ids,
        _times(ts, datetime_format),
        money,
        calibration_end=_times(calibration_period_end, datetime_format),
        observation_end=_times(observation_period_end, datetime_format),
        freq=freq,
        freq_multiplier=freq_multiplier,
        include_first=include_first_transaction,
    )
    frame = result.to_pandas()
    frame.index.name = customer_id_col
    return frame

"""pandas-in, pandas-out twins of lifetimes' summary functions, for notebook migrations.

Same names, argument names, column names and index as lifetimes 0.11.3; thin wrappers
over :func:`~crm_metrics.clv.rfm_summary` and :func:`~crm_metrics.clv.calibration_holdout`
(pandas is imported lazily). Dates are read as lifetimes reads them where that is
unambiguous: datetime64 columns, pandas ``Timestamp`` and ``Period``, ISO-8601 text
including compact ``YYYYMMDD`` dates, and any text in an explicit ``datetime_format``.
Where lifetimes would guess a format (``05/01/2015``), these functions refuse instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from crm_metrics.clv.rfm import calibration_holdout, rfm_summary

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["calibration_and_holdout_data", "summary_data_from_transaction_data"]


#: ISO-8601 basic calendar dates (``20150207``), which lifetimes reads through pandas.
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _is_text(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        return isinstance(values, str)
    return getattr(dtype, "kind", "O") in "OUS" or str(dtype) in ("str", "string")


def _text(values: Any) -> Any:
    """A text scalar or column with compact dates rewritten in the extended form (a
    ``str`` scalar or a numpy array of ``str``, which the timestamp rule parses as
    ISO-8601 and refuses naming the position of anything else)."""

    def expand(v: Any) -> Any:
        if isinstance(v, str):
            match = _COMPACT.fullmatch(v.strip())
            if match is not None:
                return "-".join(match.groups())
        return v

    if isinstance(values, str):
        return expand(values)
    arr = np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)
    expanded = np.frompyfunc(expand, 1, 1)(arr) if arr.size else arr
    return np.asarray(expanded, dtype=str)


def _with_format(name: str, values: Any, datetime_format: str) -> Any:
    """Text parsed with the caller's explicit ``strftime`` format (pandas), as naive UTC;
    a value that does not match is refused naming its position."""
    import pandas as pd

    try:
        parsed = pd.to_datetime(values, format=datetime_format, utc=True)
    except (ValueError, TypeError) as exc:
        if isinstance(values, str):
            raise ValueError(
                f"{name} = {values!r} does not match datetime_format {datetime_format!r}"
            ) from exc
        series = pd.Series(np.asarray(values, dtype=object))
        bad = pd.to_datetime(series, format=datetime_format, utc=True, errors="coerce").isna()
        bad &= series.notna().to_numpy()
        pos = int(np.argmax(bad.to_numpy())) if bool(bad.any()) else 0
        raise ValueError(
            f"{name}[{pos}] = {series.iloc[pos]!r} does not match datetime_format "
            f"{datetime_format!r}"
        ) from exc
    if isinstance(parsed, pd.Timestamp):
        return parsed.tz_convert(None).to_datetime64()
    naive = parsed.dt.tz_convert(None) if hasattr(parsed, "dt") else parsed.tz_convert(None)
    return naive.to_numpy()


def _times(name: str, values: Any, datetime_format: str | None) -> Any:
    """A timestamp column or scalar as lifetimes and pymc-marketing read it: pandas
    ``Timestamp`` (aware ones converted to naive UTC) and ``Period`` (its start), text in
    the caller's ``datetime_format``, or ISO-8601 text including compact dates."""
    if values is None:
        return None
    import pandas as pd

    if isinstance(values, pd.Period):
        values = values.to_timestamp()
    if isinstance(values, pd.Timestamp):
        return (values.tz_convert(None) if values.tz is not None else values).to_datetime64()
    if isinstance(getattr(values, "dtype", None), pd.PeriodDtype):
        values = values.dt.to_timestamp() if hasattr(values, "dt") else values.to_timestamp()
    if not _is_text(values):
        return values
    if datetime_format is not None:
        return _with_format(name, values, datetime_format)
    return _text(values)


def _columns(
    transactions: pd.DataFrame, customer_id_col: str, datetime_col: str, monetary_col: str | None
) -> tuple[NDArray[Any], Any, NDArray[Any] | None]:
    ids = transactions[customer_id_col].to_numpy()
    ts: Any = transactions[datetime_col]
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
        Column names of the customer id and the timestamp (datetime64, pandas periods,
        or text: ISO-8601 such as ``2015-02-07`` or ``20150207``, or ``datetime_format``).
    monetary_value_col : str, optional
        Column of transaction amounts.
    datetime_format : str, optional
        An explicit ``strftime`` format (``"%d/%m/%Y"``) for text timestamps and a text
        ``observation_period_end``, parsed with pandas.
    observation_period_end : datetime, str, pandas.Timestamp or pandas.Period, optional
        End of observation (default: the latest timestamp). A ``Period`` stands for its
        start, a tz-aware ``Timestamp`` for the same instant in UTC.
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
        ``datetime_format``, ``freq`` "M"/"Y", NaT or missing ids), or if a text value
        does not match ``datetime_format`` (naming its position).
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
        _times("ts", ts, datetime_format),
        money,
        freq=freq,
        freq_multiplier=freq_multiplier,
        observation_end=_times("observation_period_end", observation_period_end, datetime_format),
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
        Column names of the customer id and the timestamp (as in
        [`summary_data_from_transaction_data`][crm_metrics.clv.summary_data_from_transaction_data]).
    calibration_period_end : datetime, str, pandas.Timestamp or pandas.Period
        Last instant of the calibration period (a ``Period`` stands for its start).
    observation_period_end : datetime, str, pandas.Timestamp or pandas.Period, optional
        Last instant of the holdout period (default: the latest timestamp).
    freq : {"D", "W", "h", "min", "s"}, default "D"
        Period length.
    freq_multiplier : int, default 1
        Divides recency, T and ``duration_holdout``.
    datetime_format : str, optional
        An explicit ``strftime`` format for text timestamps and text dates.
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
        If there is no holdout transaction, a text value does not match
        ``datetime_format``, or as
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
        _times("ts", ts, datetime_format),
        money,
        calibration_end=_times("calibration_period_end", calibration_period_end, datetime_format),
        observation_end=_times("observation_period_end", observation_period_end, datetime_format),
        freq=freq,
        freq_multiplier=freq_multiplier,
        include_first=include_first_transaction,
    )
    frame = result.to_pandas()
    frame.index.name = customer_id_col
    return frame

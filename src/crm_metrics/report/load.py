"""Reading the report's input files: CSV or Parquet, column mapping, typed numpy columns.

Each input file holds one of the record schemas (:data:`SCHEMAS`). A
file is read with pandas, its columns renamed by the configured mapping, and each column
the selected metrics need is converted to numpy: timestamps to ``datetime64[ns]`` (through
the library's own ISO-8601 rule, so formats are never guessed), numbers to ``float64``,
flags to ``bool``, keys to strings. The first problem found is raised as a
:class:`ReportError` naming the file, the column and the row (row 1 is the first record:
line 2 of a CSV with its header line).

A CSV is read as UTF-8 text and every cell is kept as text until its column's kind is
known, so a timestamp column of compact ISO-8601 dates (``20240105``) and numeric-looking
ids are never read as numbers. A Parquet timestamp column is read through Parquet's own
timestamp and date types; a plain integer or float column is refused for a timestamp
field (an epoch number is not a date the report can trust), and binary columns must hold
UTF-8 text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from crm_metrics._validate import Timestamps

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCHEMAS", "ReportError", "Source", "locate", "read_source"]

# Column kinds.
KEY, TIME, TIME_OR_NAT, NUMBER, FLAG = "key", "timestamp", "timestamp or empty", "number", "flag"

#: The fields of each input schema and their kinds. Call durations
#: (``wait``, ``talk``, ``hold``, ``acw``) are numbers of seconds.
SCHEMAS: dict[str, dict[str, str]] = {
    "transactions": {"customer_id": KEY, "ts": TIME, "amount": NUMBER},
    "surveys": {
        "responded_at": TIME,
        "nps_score": NUMBER,
        "csat_score": NUMBER,
        "ces_score": NUMBER,
        "agent": KEY,
        "channel": KEY,
    },
    "campaigns": {
        "campaign_id": KEY,
        "contact_id": KEY,
        "sent": FLAG,
        "delivered": FLAG,
        "opened": FLAG,
        "clicked": FLAG,
        "responded": FLAG,
        "converted": FLAG,
        "revenue": NUMBER,
        "is_new_customer": FLAG,
    },
    "deals": {
        "deal_id": KEY,
        "created_at": TIME,
        "closed_at": TIME_OR_NAT,
        "won": FLAG,
        "amount": NUMBER,
        "stage": KEY,
        "owner": KEY,
        "deal_type": KEY,
    },
    "stages": {"deal_id": KEY, "stage": KEY, "entered_at": TIME},
    "activities": {"ts": TIME, "owner": KEY, "activity_type": KEY, "created_opportunity": FLAG},
    "tickets": {
        "customer_id": KEY,
        "opened_at": TIME,
        "first_response_at": TIME_OR_NAT,
        "resolved_at": TIME_OR_NAT,
        "due_at": TIME_OR_NAT,
        "response_due_at": TIME_OR_NAT,
        "contacts": NUMBER,
        "reopened": FLAG,
        "escalated": FLAG,
        "channel": KEY,
        "agent": KEY,
    },
    "calls": {
        "queued_at": TIME,
        "answered_at": TIME_OR_NAT,
        "wait": NUMBER,
        "talk": NUMBER,
        "hold": NUMBER,
        "acw": NUMBER,
        "agent": KEY,
        "customer_id": KEY,
    },
}

_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})


class ReportError(Exception):
    """A problem with the report's configuration or input data (exit code 2)."""


@dataclass(frozen=True, eq=False)
class Source:
    """The records of one schema: typed numpy columns keyed by schema field.

    Attributes
    ----------
    schema : str
        The schema name (a key of :data:`SCHEMAS`).
    path : str
        The file read (or ``"bundled: ..."`` for the demo data).
    columns : dict of str to numpy.ndarray
        Aligned columns, one per schema field that was loaded.
    rows : int
        Number of records.
    names : dict of str to str
        The file's column name of each loaded field (for error messages).
    """

    schema: str
    path: str
    columns: dict[str, NDArray[Any]]
    rows: int
    names: dict[str, str] = field(default_factory=dict)


def _fail(path: str, column: str, row: int, what: str) -> ReportError:
    return ReportError(f"{path}, column {column!r}, row {row + 1}: {what}")


def _first_bad(
    path: str, column: str, raw: NDArray[Any], bad: NDArray[np.bool_], what: str
) -> ReportError:
    row = int(np.argmax(bad))
    return _fail(path, column, row, f"{_shown(raw[row])} {what}")


def _shown(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _missing(series: pd.Series[Any]) -> NDArray[np.bool_]:
    """Null cells, and empty (or blank) strings."""
    text = series.astype("string").str.strip()
    return np.asarray((series.isna() | (text == "")).to_numpy(dtype=bool, na_value=True))


def _convert(path: str, column: str, kind: str, series: pd.Series[Any]) -> NDArray[Any]:
    """One file column to a typed numpy array, or the first bad cell as a ReportError."""
    import pandas as pd

    raw = series.to_numpy(dtype=object)
    missing = _missing(series)
    if kind != TIME_OR_NAT and missing.any():
        raise _fail(path, column, int(np.argmax(missing)), f"empty cell; a {kind} is required")
    if kind in (TIME, TIME_OR_NAT):
        if pd.api.types.is_numeric_dtype(series.dtype):  # Parquet int/float/bool columns
            row = int(np.argmax(~missing)) if (~missing).any() else 0
            shown = f"{_shown(raw[row])} is a plain number" if len(raw) else "it holds numbers"
            raise _fail(
                path,
                column,
                row,
                f"{shown} (column type {series.dtype}), not a timestamp; store the column as a "
                "Parquet timestamp or date, or as ISO-8601 text (epoch numbers are not read)",
            )
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values: Any = series
        else:
            values = np.where(
                missing, "NaT", series.astype("string").fillna("NaT").to_numpy(dtype=str)
            )
        try:
            return Timestamps(nat_ok=True).coerce(column, values, {})
        except (ValueError, TypeError) as exc:
            raise locate(exc, {column: values}, {id(values): (path, column, None)}) from None
    if kind == NUMBER:
        if pd.api.types.is_bool_dtype(series.dtype):
            raise _fail(path, column, 0, f"{_shown(raw[0])} is not a number")
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(numbers)
        if bad.any():
            raise _first_bad(path, column, raw, bad, "is not a finite number")
        whole = np.all(numbers == np.round(numbers)) and np.all(np.abs(numbers) < 2**53)
        return numbers.astype(np.int64) if whole else numbers
    if kind == FLAG:
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.to_numpy(dtype=bool)
        text = series.astype("string").str.strip().str.lower().to_numpy(dtype=object)
        yes, no = np.isin(text, list(_TRUE)), np.isin(text, list(_FALSE))
        if not (yes | no).all():
            raise _first_bad(path, column, raw, ~(yes | no), "is not a flag; use true/false or 1/0")
        return yes
    keys: NDArray[Any] = series.astype("string").str.strip().to_numpy(dtype=str)
    return keys


def _csv_text(path: Path) -> str:
    """The file as UTF-8 text; bytes that are not UTF-8 are refused naming column and row."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start)
        begin = raw.rfind(b"\n", 0, exc.start) + 1
        before = raw[begin : exc.start].decode("utf-8", errors="replace")
        field_no = len(next(csv.reader([before + "x"]))) - 1
        header = raw[: raw.find(b"\n")].decode("utf-8", errors="replace").removeprefix("\ufeff")
        names = next(csv.reader([header.rstrip("\r")]), [])
        column = names[field_no].strip() if field_no < len(names) else f"#{field_no + 1}"
        bad = raw[exc.start : exc.end]
        what = f"bytes {bad!r} are not UTF-8 text; save the file as UTF-8"
        if line == 0:
            raise ReportError(f"{path}, header line, column {field_no + 1}: {what}") from None
        raise _fail(str(path), column, line - 1, what) from None


def _parquet_frame(path: Path, wanted: set[str]) -> pd.DataFrame:
    """A Parquet file as a DataFrame; wanted binary columns are decoded as UTF-8 text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for i, name in enumerate(table.column_names):
        kind = table.schema.field(i).type
        if name not in wanted or not (
            pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_fixed_size_binary(kind)
        ):
            continue
        column = table.column(i)
        try:
            text = column.cast(pa.string())
        except pa.ArrowInvalid:  # locate the first cell that is not UTF-8 (error path only)
            for row, cell in enumerate(column.to_pylist()):
                try:
                    if cell is not None:
                        cell.decode("utf-8")
                except UnicodeDecodeError:
                    raise _fail(str(path), name, row, f"{cell!r} is not UTF-8 text") from None
            raise
        table = table.set_column(i, name, text)
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _read_frame(path: Path, fmt: str | None, wanted: set[str]) -> pd.DataFrame:
    import pandas as pd

    kind = fmt or ("parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv")
    if not path.is_file():
        raise ReportError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        if kind == "parquet":
            return _parquet_frame(path, wanted)
        text = _csv_text(path)
        return pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except ReportError:
        raise
    except ImportError as exc:
        raise ReportError(f"{path}: reading {kind} needs {exc.name or 'pyarrow'}") from None
    except Exception as exc:  # the parser's own words name the line
        words = " ".join(str(exc).split())
        raise ReportError(f"{path}: cannot read as {kind}: {words}") from None


def read_source(
    schema: str,
    path: Path,
    fields: tuple[str, ...],
    *,
    columns: dict[str, str] | None = None,
    fmt: str | None = None,
) -> Source:
    """Read one CSV or Parquet file of ``schema``, converting the listed ``fields``.

    Parameters
    ----------
    schema : str
        A key of :data:`SCHEMAS`.
    path : pathlib.Path
        The file; ``.parquet``/``.pq`` files are read as Parquet, anything else as CSV
        (unless ``fmt`` says otherwise).
    fields : tuple of str
        The schema fields to load (those the selected metrics need).
    columns : dict, optional
        ``{schema field: file column}`` for fields whose file column has another name.
    fmt : {"csv", "parquet"}, optional
        Overrides the format read from the file suffix.

    Returns
    -------
    Source
        The typed columns.

    Raises
    ------
    ReportError
        If the file cannot be read, a column is missing, or a cell does not convert; the
        message names the file, the column and the first bad row.
    """
    names = {f: (columns or {}).get(f, f) for f in fields}
    frame = _read_frame(path, fmt, set(names.values()))
    absent = [name for name in names.values() if name not in frame.columns]
    if absent:
        raise ReportError(
            f"{path}: no column {absent[0]!r} (the {schema} schema needs it); the file has "
            f"{', '.join(map(repr, map(str, frame.columns)))}"
        )
    kinds = SCHEMAS[schema]
    data = {f: _convert(str(path), names[f], kinds[f], frame[names[f]]) for f in fields}
    return Source(schema=schema, path=str(path), columns=data, rows=len(frame), names=names)


_POSITION = re.compile(r"^(?P<name>\w+)\[(?P<pos>\d+)\] (?P<rest>.*)$", re.DOTALL)
_REFERENCE = re.compile(r"\b(\w+)\[(\d+)\] = ")


def locate(
    exc: BaseException,
    arguments: Mapping[str, Any],
    arrays: Mapping[int, tuple[str, str, NDArray[np.intp] | None]],
) -> ReportError:
    """Turn a library message ``name[pos] = value rule`` into ``file, column 'c', row r: ...``.

    ``arguments`` are the arguments of the failed call by name; ``arrays`` maps the
    ``id()`` of each array read from a file to ``(file, column, rows)``, ``rows`` giving
    the file row of each element (None: element ``i`` is row ``i``). A message that names
    no array read from a file is kept as it is.
    """

    def row(name: str, pos: int) -> tuple[str, str, int] | None:
        found = arrays.get(id(arguments.get(name)))
        if found is None:
            return None
        path, column, rows = found
        return path, column, pos if rows is None else int(rows[pos])

    def other(ref: re.Match[str]) -> str:  # another argument named in the message
        found = row(ref[1], int(ref[2]))
        return ref[0] if found is None else f"column {found[1]!r} = "

    match = _POSITION.match(str(exc))
    first = row(match["name"], int(match["pos"])) if match else None
    if match is None or first is None:
        return ReportError(str(exc))
    return _fail(*first, _REFERENCE.sub(other, match["rest"].removeprefix("= ")))

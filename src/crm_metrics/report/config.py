"""The report configuration: a pydantic model, read from TOML or built from flags.

A documented example is ``examples/report.toml``::

    title = "Example shop"
    start = 2024-01-01          # windows are half-open: [start, end)
    end = 2025-01-01
    as_of = 2025-01-01          # snapshot metrics (active customers, backlog, pipeline ...)
    freq = "M"                  # period of cohorts and per-period series: D, W, M, Q or Y
    metrics = ["nps", "active_customers"]   # optional; default: all the sources allow

    [sources.transactions]      # one table per input file; the key is its schema
    path = "data/orders.csv"    # relative to this file; .parquet/.pq read as Parquet
    columns = { customer_id = "customer", ts = "order_date" }   # schema field = file column

The schemas and their fields are :data:`crm_metrics.report.load.SCHEMAS`;
``crm-metrics report --list-metrics`` lists the metric names and the inputs they need.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crm_metrics.report.load import SCHEMAS, ReportError

__all__ = ["ReportConfig", "ReportOptions", "SourceConfig", "load_config"]

# The datetime64[ns] range every timestamp of the library lives in.
_EARLIEST = dt.datetime(1677, 9, 22)
_LATEST = dt.datetime(2262, 4, 11)


def _iso_instant(value: Any) -> dt.datetime:
    """An option's date or time as a naive UTC datetime: ISO-8601 text or a TOML date only.

    Strings are read as ISO-8601 in the extended or basic form (``2024-01-05``,
    ``20240105``, ``2024-01-05T10:00:00+02:00``); TOML dates and datetimes are taken as
    they are (a date is its midnight, an offset is converted to UTC). Numbers are refused:
    an epoch is not a date a reader can check. The result must lie in the datetime64[ns]
    range (1677-09-22 to 2262-04-11).

    Examples
    --------
    >>> _iso_instant("20240105"), _iso_instant("2024-01-05T10:00:00+02:00")
    (datetime.datetime(2024, 1, 5, 0, 0), datetime.datetime(2024, 1, 5, 8, 0))
    """
    if isinstance(value, dt.datetime):
        instant = value
    elif isinstance(value, dt.date):
        instant = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            if not text or (text.isdigit() and len(text) != 8):
                raise ValueError
            instant = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO-8601 date or time (2024-01-05, 20240105 or "
                "2024-01-05T10:00:00); other formats and epoch numbers are not read"
            ) from None
    else:
        kind = type(value).__name__
        what = "a number" if isinstance(value, (int, float)) and kind != "bool" else f"a {kind}"
        raise ValueError(
            f"{value!r} is {what}, not a date; give an ISO-8601 date or time "
            "(2024-01-05 or 2024-01-05T10:00:00; epoch numbers are not read)"
        )
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.UTC).replace(tzinfo=None)
    if not _EARLIEST <= instant < _LATEST:
        raise ValueError(
            f"{instant.isoformat()} is outside the supported range 1677-09-22 .. "
            "2262-04-10; leave the option out for no bound"
        )
    return instant


class SourceConfig(BaseModel):
    """One input file.

    Attributes
    ----------
    path : pathlib.Path
        The CSV or Parquet file (relative paths are read from the config file's folder).
    format : {"csv", "parquet"}, optional
        Overrides the format read from the suffix (``.parquet``/``.pq`` are Parquet).
    columns : dict of str to str
        ``{schema field: file column}`` for the fields whose column has another name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    format: Literal["csv", "parquet"] | None = None
    columns: dict[str, str] = Field(default_factory=dict)


class ReportOptions(BaseModel):
    """What to compute, and the time options; shared by ``report`` and ``demo``.

    Attributes
    ----------
    title : str
        The report's title.
    metrics : list of str, optional
        Report metric names; default: every metric whose inputs are configured.
    start, end : datetime, optional
        The half-open window ``[start, end)`` of the windowed metrics (default: all records).
    as_of : datetime, optional
        The snapshot time of the snapshot metrics and the end of the CLV observation
        (default: each function's own, one nanosecond after the latest event).
    freq : {"D", "W", "M", "Q", "Y"}
        Period of cohorts and per-period series.
    stage_order : list of str, optional
        The non-terminal deal stages in funnel order (needed by the stage metrics).
    campaign_costs : dict of str to float
        Cost of each campaign (by campaign id as text) for ROAS, ROI and CPA.
    clv_months : int
        Horizon of the predicted customer lifetime value, in months.
    discount_rate : float
        Monthly discount rate of the predicted CLV.
    top_customers : int
        Rows of the top-customers table.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = "CRM metrics report"
    metrics: list[str] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    as_of: dt.datetime | None = None
    freq: Literal["D", "W", "M", "Q", "Y"] = "M"
    stage_order: list[str] | None = None
    campaign_costs: dict[str, float] = Field(default_factory=dict)
    clv_months: int = Field(default=12, ge=1, le=120)
    discount_rate: float = Field(default=0.01, ge=0)
    top_customers: int = Field(default=10, ge=1)

    @field_validator("start", "end", "as_of", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> dt.datetime | None:
        return None if value is None else _iso_instant(value)

    @field_validator("campaign_costs")
    @classmethod
    def _costs_not_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for key, cost in value.items():
            if not cost >= 0:
                raise ValueError(f"campaign_costs[{key!r}] = {cost!r} is not a cost >= 0")
        return value

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str] | None) -> list[str] | None:
        from crm_metrics.report.compute import METRICS

        for name in value or ():
            if name not in METRICS:
                raise ValueError(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}")
        return value

    @model_validator(mode="after")
    def _window_in_order(self) -> ReportOptions:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end = {self.end} is not after start = {self.start}")
        return self


class ReportConfig(ReportOptions):
    """A report on the user's files: the options plus the input files.

    Every attribute of [`ReportOptions`][crm_metrics.report.config.ReportOptions], and:

    Attributes
    ----------
    sources : dict of str to SourceConfig
        One entry per schema present (``transactions``, ``surveys``, ``campaigns``,
        ``deals``, ``stages``, ``activities``, ``tickets``, ``calls``).
    """

    sources: dict[str, SourceConfig]

    @field_validator("sources")
    @classmethod
    def _known_schemas(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        if not value:
            raise ValueError("no sources; give at least one input file")
        for schema, source in value.items():
            if schema not in SCHEMAS:
                raise ValueError(f"unknown schema {schema!r}; schemas: {', '.join(SCHEMAS)}")
            for name in source.columns:
                if name not in SCHEMAS[schema]:
                    raise ValueError(
                        f"sources.{schema}.columns: {name!r} is not a field of the {schema} "
                        f"schema ({', '.join(SCHEMAS[schema])})"
                    )
        return value

    @model_validator(mode="after")
    def _inputs_present(self) -> ReportConfig:
        from crm_metrics.report.compute import METRICS

        for name in self.metrics or ():
            for schema in METRICS[name].needs:
                if schema not in self.sources:
                    raise ValueError(f"metric {name!r} needs a sources.{schema} file")
            if METRICS[name].needs_stage_order and not self.stage_order:
                raise ValueError(f"metric {name!r} needs stage_order")
        return self


def _message(exc: ValidationError, path: Path | None, flags: set[str]) -> str:
    """Pydantic's errors as ``where: what``, ``where`` the flag or the file and key."""
    lines = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        what = err["msg"].removeprefix("Value error, ")
        if loc and loc[0] in flags:
            lines.append(f"--{loc[0].replace('_', '-')}: {what}")
        else:
            lines.append(f"{path or 'report options'}: {'.'.join(loc) or 'config'}: {what}")
    return "; ".join(lines)


def _table(value: Any, where: str, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReportError(
            f"{path}: {where} is {type(value).__name__} {value!r}; a table is expected "
            f"([{where}] with keys)"
        )
    return value


def _file_sources(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """The ``[sources]`` tables of a TOML file, shape checked, paths read from its folder."""
    sources = dict(_table(raw.get("sources", {}), "sources", path))
    for schema, source in sources.items():
        entry = dict(_table(source, f"sources.{schema}", path))
        if "path" in entry:
            file = entry["path"]
            if not isinstance(file, str):
                raise ReportError(
                    f"{path}: sources.{schema}.path is {type(file).__name__} {file!r}; a "
                    'string is expected (path = "data/orders.csv")'
                )
            entry["path"] = str(path.parent / file)
        sources[schema] = entry
    return sources


def load_config(path: Path | None = None, **overrides: Any) -> ReportConfig:
    """Read a TOML report configuration (if any) and apply command-line overrides.

    Parameters
    ----------
    path : pathlib.Path, optional
        The TOML file; relative source paths are read from its folder.
    **overrides
        Options given on the command line; ``None`` values are ignored, ``sources``
        entries are merged with the file's.

    Returns
    -------
    ReportConfig
        The validated configuration.

    Raises
    ------
    ReportError
        If the file cannot be read or parsed, or the configuration is invalid (the message
        names the file and key, or the flag, and the rule).
    """
    raw: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ReportError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ReportError(f"{path}: {exc}") from None
        sources = _file_sources(raw, path)
    sources.update(overrides.pop("sources", {}))
    flags = {k for k, v in overrides.items() if v is not None}
    raw.update({k: overrides[k] for k in flags})
    raw["sources"] = sources
    try:
        return ReportConfig.model_validate(raw)
    except ValidationError as exc:
        raise ReportError(_message(exc, path, flags)) from None

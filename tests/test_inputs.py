"""Real-world input: one outcome per value, whatever the container.

Timestamps, numbers and keys are drawn (in range, out of range, missing, tz-aware, bad
text) and put into every container the library accepts: Python lists, numpy (text,
object, datetime64), pandas (``str``, ``string``, object, datetime64 with and without a
zone, Arrow dtypes, nullable numbers), polars and pyarrow. Each container must give the
same values or the same refusal at the same position. pytest turns warnings into errors,
so every case here is also a warning-free run.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crm_metrics as cm
from crm_metrics._validate import Keys, Real, Timestamps

# --------------------------------------------------------------------------- drawn values
#: microseconds since the epoch of the first and last instants datetime64[ns] can hold
US_MIN = -9_223_372_036_854_775
US_MAX = 9_223_372_036_854_775
BAD_TEXT = ["03/04/2023", "now", "today", "", "1704067200", "2024-13-01", "yesterday"]


def _utc(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=us)


# one drawn element: ("ok", us, offset_minutes | None, basic_form) | ("far", us, ...) |
# ("missing",) | ("bad", text)
instants = st.tuples(
    st.just("ok"),
    st.integers(US_MIN + 86_400_000_000, US_MAX - 86_400_000_000),
    st.none() | st.integers(-14 * 60, 14 * 60),
    st.booleans(),
)
far = st.tuples(
    st.just("far"),
    st.one_of(
        st.integers(
            int((dt.datetime(1, 1, 2) - dt.datetime(1970, 1, 1)).total_seconds() * 1e6),
            US_MIN - 86_400_000_000,
        ),
        st.integers(
            US_MAX + 86_400_000_000,
            int((dt.datetime(9999, 12, 30) - dt.datetime(1970, 1, 1)).total_seconds() * 1e6),
        ),
    ),
    st.none() | st.integers(-14 * 60, 14 * 60),
    st.booleans(),
)
missing = st.just(("missing",))
bad = st.tuples(st.just("bad"), st.sampled_from(BAD_TEXT))


def _text(item: tuple[Any, ...]) -> str | None:
    if item[0] == "missing":
        return None
    if item[0] == "bad":
        return str(item[1])
    _, us, offset, basic = item
    local = _utc(us) + dt.timedelta(minutes=offset or 0)
    body = local.strftime("%Y%m%dT%H%M%S" if basic else "%Y-%m-%dT%H:%M:%S")
    body = f"{local.year:04d}{body[4:]}"  # strftime pads years < 1000 differently
    body += f".{local.microsecond:06d}"
    if offset is None:
        return body
    if offset == 0:
        return body + "Z"
    sign = "+" if offset > 0 else "-"
    hh, mm = divmod(abs(offset), 60)
    return body + (f"{sign}{hh:02d}{mm:02d}" if basic else f"{sign}{hh:02d}:{mm:02d}")


def _aware(item: tuple[Any, ...]) -> dt.datetime | None:
    if item[0] == "missing":
        return None
    _, us, offset, _ = item
    moment = _utc(us)
    if offset is None:
        return moment
    zone = dt.timezone(dt.timedelta(minutes=offset))
    return moment.replace(tzinfo=dt.UTC).astimezone(zone)


def _expected(items: list[tuple[Any, ...]]) -> tuple[str, Any]:
    for i, item in enumerate(items):
        if item[0] in ("far", "bad"):
            return "refused", i
    ns = [np.iinfo(np.int64).min if item[0] == "missing" else item[1] * 1000 for item in items]
    return "values", np.asarray(ns, dtype=np.int64)


def _position_named(name: str, message: str) -> int:
    """The position a refusal names: ``name[i] = ...``; -1 if it names none."""
    match = re.match(rf"{name}\[(\d+)\] = ", message)
    return int(match.group(1)) if match else -1


def _outcome(make: Callable[[list[Any]], Any], values: list[Any]) -> tuple[str, Any]:
    try:
        out = Timestamps(nat_ok=True).coerce("ts", make(values), {})
    except ValueError as exc:
        return "refused", _position_named("ts", str(exc))
    assert out.dtype == np.dtype("datetime64[ns]")
    return "values", out.view(np.int64)


TEXT_CONTAINERS: dict[str, Callable[[list[Any]], Any]] = {
    "list": list,
    "numpy str": lambda xs: np.array(["NaT" if x is None else x for x in xs], dtype=str),
    "numpy object": lambda xs: np.array(xs, dtype=object),
    "pandas str": lambda xs: pd.Series(xs, dtype="str"),
    "pandas string": lambda xs: pd.Series(xs, dtype="string"),
    "pandas object": lambda xs: pd.Series(xs, dtype=object),
    "pandas arrow string": lambda xs: pd.Series(xs, dtype="string[pyarrow]"),
    "pandas ArrowDtype": lambda xs: pd.Series(xs, dtype=pd.ArrowDtype(pa.string())),
    "polars": lambda xs: pl.Series(xs, dtype=pl.String),
    "pyarrow": lambda xs: pa.array(xs, type=pa.string()),
    "pyarrow chunked": lambda xs: pa.chunked_array([xs[:1], xs[1:]], type=pa.large_string()),
}


def _utc_us(xs: list[dt.datetime | None]) -> np.ndarray[Any, Any]:
    """Aware or naive datetimes as naive-UTC datetime64[us] (NaT for None)."""
    out = [
        np.datetime64("NaT")
        if x is None
        else np.datetime64(
            (x.astimezone(dt.UTC).replace(tzinfo=None) if x.tzinfo else x).isoformat(), "us"
        )
        for x in xs
    ]
    return np.array(out, dtype="datetime64[us]")


TIME_CONTAINERS: dict[str, Callable[[list[Any]], Any]] = {
    "list of datetimes": list,
    "object array of datetimes": lambda xs: np.array(xs, dtype=object),
    "numpy datetime64[us]": _utc_us,
    "numpy datetime64[us] big-endian": lambda xs: _utc_us(xs).astype(">M8[us]"),
    "pandas datetime64[us]": lambda xs: pd.Series(_utc_us(xs)),
    "pandas datetime64[us, tz]": lambda xs: (
        pd.Series(_utc_us(xs)).dt.tz_localize("UTC").dt.tz_convert("Asia/Kolkata")
    ),
    "pandas timestamp[us, tz][pyarrow]": lambda xs: pd.Series(
        pa.array(_utc_us(xs), type=pa.timestamp("us", tz="America/New_York")),
        dtype=pd.ArrowDtype(pa.timestamp("us", tz="America/New_York")),
    ),
    "polars Datetime(us, tz)": lambda xs: (
        pl.Series(_utc_us(xs)).dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin")
    ),
    "pyarrow timestamp(us, tz)": lambda xs: pa.array(
        _utc_us(xs), type=pa.timestamp("us", tz="+05:30")
    ),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(instants, instants, far, missing, bad), min_size=1, max_size=6))
def test_timestamps_one_outcome_per_value_in_every_text_container(items: list[Any]) -> None:
    expected = _expected(items)
    texts = [_text(item) for item in items]
    for label, make in TEXT_CONTAINERS.items():
        got = _outcome(make, texts)
        assert got[0] == expected[0], (label, texts, got)
        if got[0] == "refused":
            assert got[1] == expected[1], (label, texts, got)
        else:
            np.testing.assert_array_equal(got[1], expected[1], err_msg=f"{label}: {texts}")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(instants, instants, far, missing), min_size=1, max_size=6))
def test_timestamps_one_outcome_per_value_in_every_datetime_container(items: list[Any]) -> None:
    expected = _expected(items)
    moments = [_aware(item) for item in items]
    for label, make in TIME_CONTAINERS.items():
        if expected[0] == "refused" and label.startswith("pandas datetime64[us, tz]"):
            # pandas cannot localise a zone beyond its own calendar range: not a container of it
            continue
        got = _outcome(make, moments)
        assert got[0] == expected[0], (label, moments, got)
        if got[0] == "refused":
            assert got[1] == expected[1], (label, moments, got)
        else:
            np.testing.assert_array_equal(got[1], expected[1], err_msg=f"{label}: {moments}")


# --------------------------------------------------------------------------- numbers
numbers_ = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.just(None),
    st.sampled_from([1e150, -1e150, float("inf")]),
)


def _number_outcome(value: Any) -> tuple[str, Any]:
    try:
        out = Real().coerce("x", value, {})
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, _position_named("x", str(exc))
    return "values", np.asarray(out, dtype=np.float64)


NUMBER_CONTAINERS: dict[str, Callable[[list[Any]], Any]] = {
    "list": list,
    "numpy object": lambda xs: np.array(xs, dtype=object),
    "pandas Float64": lambda xs: pd.Series(xs, dtype="Float64"),
    "pandas object": lambda xs: pd.Series(xs, dtype=object),
    "pandas ArrowDtype": lambda xs: pd.Series(xs, dtype=pd.ArrowDtype(pa.float64())),
    "polars": lambda xs: pl.Series(xs, dtype=pl.Float64, strict=False),
    "pyarrow": lambda xs: pa.array(xs, type=pa.float64()),
    "list of Decimals": lambda xs: [
        None if x is None else decimal.Decimal(repr(float(x))) for x in xs
    ],
}


@settings(max_examples=60, deadline=None)
@given(st.lists(numbers_, min_size=1, max_size=6))
def test_numbers_one_outcome_per_value_in_every_container(values: list[Any]) -> None:
    floats = [np.nan if v is None else float(v) for v in values]
    first_bad = next((i for i, v in enumerate(floats) if abs(v) > 1e100), None)
    for label, make in NUMBER_CONTAINERS.items():
        got = _number_outcome(make(values))
        if first_bad is not None:
            assert got == ("ValueError", first_bad), (label, values, got)
        else:
            assert got[0] == "values", (label, values, got)
            np.testing.assert_array_equal(got[1], floats, err_msg=label)


@pytest.mark.parametrize(
    "value",
    [[True, 2.0], np.array([True, 2.0], dtype=object), pd.Series([True, 2.0], dtype=object)],
    ids=["list", "object array", "pandas object"],
)
def test_booleans_among_numbers_are_named_in_every_container(value: Any) -> None:
    with pytest.raises(TypeError, match=re.escape("x[0] = True is not a number")):
        Real().coerce("x", value, {})


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize(
    "make",
    [
        list,
        lambda xs: np.array(xs, dtype=object),
        lambda xs: pd.Series(xs, dtype="str"),
        lambda xs: pd.Series(xs, dtype="string"),
        lambda xs: pd.Series(xs, dtype="category"),
        lambda xs: pd.Series(xs, dtype=pd.ArrowDtype(pa.string())),
        lambda xs: pl.Series(xs, dtype=pl.String),
        lambda xs: pl.Series(xs, dtype=pl.Categorical),
        lambda xs: pa.array(xs).dictionary_encode(),
    ],
    ids=[
        "list",
        "object",
        "pandas str",
        "pandas string",
        "categorical",
        "arrow",
        "polars",
        "polars categorical",
        "arrow dictionary",
    ],
)
def test_text_keys_group_alike_and_missing_keys_are_named(make: Callable[[list[Any]], Any]) -> None:
    scores = [10, 9, 0, 7]
    grouped = cm.nps(scores, by=make(["bo", "al", "bo", "al"]))
    assert isinstance(grouped, cm.Grouped)
    assert grouped.to_dict() == {"al": 50.0, "bo": 0.0}
    with pytest.raises(ValueError, match=re.escape("by[2] = None is missing")):
        cm.nps(scores, by=make(["bo", "al", None, "al"]))


def test_unorderable_keys_name_the_first_other_kind() -> None:
    with pytest.raises(TypeError, match=re.escape("by[1] = 'a' mixes text with the numbers")):
        cm.nps([10, 9], by=[1, "a"])


def test_nullable_integer_keys_stay_integers() -> None:
    grouped = cm.nps([10, 9, 0], by=pd.Series([2, 1, 2], dtype="Int64"))
    assert isinstance(grouped, cm.Grouped)
    assert grouped.keys.dtype.kind == "i"
    with pytest.raises(ValueError, match=re.escape("by[1] = nan is NaN")):
        cm.nps([10, 9, 0], by=pd.Series([2, None, 2], dtype="Int64"))


def test_a_list_of_key_arrays_asks_for_a_tuple() -> None:
    a, b = np.array([1, 2]), np.array([3, 4])
    with pytest.raises(TypeError, match=re.escape("pass a tuple (by=(a, b))")):
        cm.nps([10, 0], by=[a, b])
    assert isinstance(cm.nps([10, 0], by=(a, b)), cm.Grouped)


def test_keys_rule_accepts_a_plain_list_of_labels() -> None:
    assert list(Keys().coerce("by", ["x", "y"], {})) == ["x", "y"]


# --------------------------------------------------------------------------- hand cases
def test_iso_basic_dates_are_read_as_dates() -> None:
    out = cm.period_key(["20240105", "20240105T1030Z", "20240105T103000.5+0200"], "D")
    assert out.tolist() == [np.datetime64("2024-01-05", "ns").item()] * 3
    assert cm.period_key(["20240105"], "M")[0] == np.datetime64("2024-01-01")


def test_timestamps_beyond_the_ns_range_are_refused_not_wrapped() -> None:
    with pytest.raises(ValueError, match=re.escape("opened_at[1] = '2300-01-01' is outside")):
        cm.ticket_volume(["2024-01-01", "2300-01-01"], end="2100-01-01")
    with pytest.raises(ValueError, match=r"opened_at\[1\] = datetime.datetime\(1500, 1, 1"):
        cm.ticket_volume([dt.datetime(2024, 1, 1), dt.datetime(1500, 1, 1)])
    with pytest.raises(ValueError, match="write NaT"):
        cm.ticket_volume(["9999-12-31"])


@pytest.mark.parametrize("sentinel", [pd.Timestamp.max, pd.Timestamp.min])
def test_pandas_timestamp_sentinels_are_refused(sentinel: pd.Timestamp) -> None:
    with pytest.raises(ValueError, match="sentinel"):
        cm.ticket_volume(pd.Series([pd.Timestamp("2024-01-01"), sentinel]))
    with pytest.raises(ValueError, match="sentinel"):
        cm.ticket_volume(["2024-01-01"], end=sentinel)


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_pandas_text_columns_follow_the_text_rules(dtype: Any) -> None:
    with pytest.raises(ValueError, match=re.escape("ts[0] = 'now' is not a timestamp")):
        cm.period_key(pd.Series(["now"], dtype=dtype), "M")
    with pytest.raises(ValueError, match=re.escape("ts[0] = '' is not a timestamp")):
        cm.period_key(pd.Series(["", "2024-01-01"], dtype=dtype), "M")
    with pytest.raises(ValueError, match=re.escape("ts[1] = '03/04/2023' is not an ISO-8601")):
        cm.period_key(pd.Series(["2024-01-01", "03/04/2023"], dtype=dtype), "M")
    keys = cm.period_key(pd.Series(["2024-01-05", None], dtype=dtype), "M")
    assert keys[0] == np.datetime64("2024-01-01")
    assert np.isnat(keys[1])


def test_epochs_are_refused_as_text_and_as_numbers() -> None:
    with pytest.raises(ValueError, match="epochs are refused"):
        cm.ticket_volume(["1704067200"])
    with pytest.raises(TypeError, match="numbers are refused"):
        cm.ticket_volume([1704067200])


def test_tz_aware_values_are_converted_to_utc_without_warnings() -> None:
    aware = dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    expected = np.datetime64("2023-12-31")
    assert cm.period_key([aware], "D")[0] == expected
    offsets = np.array(["2024-01-01T01:00+02:00", "2023-12-31T23:00Z"], dtype=object)
    assert (cm.period_key(offsets, "D") == expected).all()
    arrow = pd.Series(pd.to_datetime(["2024-01-01T01:00+02:00"])).astype(
        pd.ArrowDtype(pa.timestamp("ns", tz="Europe/Paris"))
    )
    assert cm.period_key(arrow, "D")[0] == expected


def test_masked_values_are_refused_and_unmasked_arrays_read() -> None:
    with pytest.raises(ValueError, match=re.escape("scores[1] = 0 is masked")):
        cm.nps(np.ma.array([10, 0], mask=[False, True]))
    assert cm.nps(np.ma.array([10, 0], mask=[False, False])) == 0.0


def test_a_timedelta_beyond_the_ns_range_is_not_wrapped() -> None:
    huge = np.timedelta64(10**6, "D")  # 2,700 years: more than int64 nanoseconds hold
    assert cm.resolved_within_rate(["2024-01-01"], ["2024-01-02"], threshold=huge) == 1.0
    with pytest.raises(TypeError, match="months, which have no fixed length"):
        cm.resolved_within_rate(["2024-01-01"], ["2024-01-02"], threshold=np.timedelta64(1, "M"))


def test_python_ints_beyond_float_range_are_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("revenue[0] = 1000") + ".*is too large"):
        cm.average_order_value([10**400], [1])


def test_huge_money_is_refused_so_sums_never_overflow() -> None:
    with pytest.raises(ValueError, match=re.escape("revenue[0] = 1e+308 is too large")):
        cm.average_order_value([1e308, 1e308], [1, 1])
    total = cm.average_order_value(np.full(3, 1e100), np.ones(3))
    assert np.isfinite(total).all()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (
            lambda: cm.resolved_within_rate(["2024-01-01"], ["2024-01-02"], threshold=np.nan),
            "threshold",
        ),
        (
            lambda: cm.resolved_within_rate(["2024-01-01"], ["2024-01-02"], threshold=[1, 2]),
            "threshold",
        ),
        (lambda: cm.active_customers(["a"], ["2024-01-01"], window=np.nan), "window"),
        (
            lambda: cm.calls_per_day(
                ["2024-01-01"], start="2024-01-01", end="2024-01-02", tz_offset_hours=np.nan
            ),
            "tz_offset_hours",
        ),
        (lambda: cm.proportion_ci(3, 10, confidence=np.nan), "confidence"),
        (lambda: cm.proportion_ci(3, 10, confidence=[0.9, 0.95]), "confidence"),
    ],
)
def test_scalar_options_refuse_nan_and_arrays_by_name(call: Callable[[], Any], name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=rf"^{name}\b"):
        call()


def test_a_part_may_equal_its_whole_up_to_float_rounding() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point: not more than 0.3
    nrr = cm.net_revenue_retention(0.3, expansion=0, contraction=0.1, churned=0.2)
    assert abs(nrr) < 1e-15
    with pytest.raises(ValueError, match="churned is a part of start_rr"):
        cm.net_revenue_retention(0.3, expansion=0, contraction=0.1, churned=0.21)


def test_inputs_are_not_modified() -> None:
    series = pd.Series(["2024-01-05T10:00+02:00", None], dtype="string")
    frame_before = series.copy()
    polars_ts = pl.Series([dt.datetime(2024, 1, 5)]).dt.replace_time_zone("Asia/Tokyo")
    cm.period_key(series, "D")
    cm.period_key(polars_ts, "D")
    pd.testing.assert_series_equal(series, frame_before)
    assert polars_ts.dtype == pl.Datetime("us", "Asia/Tokyo")

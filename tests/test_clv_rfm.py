"""crm_metrics.clv RFM summaries (CLV.md §1): hand-computed rules and lifetimes parity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crm_metrics import clv, datasets

REFERENCE = Path(__file__).parent / "data" / "clv" / "lifetimes_reference.npz"
FREQS = {"D": ("D", 1), "W": ("W", 1), "Dx7": ("D", 7), "hx24": ("h", 24)}


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as data:
        return {k: data[k] for k in data.files}


def summary(ids, ts, money=None, **kwargs):  # type: ignore[no-untyped-def]
    return clv.rfm_summary(np.array(ids), np.array(ts), money, **kwargs)


# --------------------------------------------------------------------------- rules of §1
def test_period_flooring_days() -> None:
    # 23:00 and 01:00 the next day are two periods, one day apart
    s = summary([1, 1], ["2024-01-01T23:00", "2024-01-02T01:00"], observation_end="2024-01-05")
    assert s.frequency.tolist() == [1]
    assert s.recency.tolist() == [1.0]
    assert s.T.tolist() == [4.0]


def test_weeks_run_monday_to_sunday() -> None:
    # 2024-01-01 is a Monday, 2024-01-07 a Sunday, 2024-01-08 the next Monday
    same_week = summary([1, 1], ["2024-01-01", "2024-01-07T23:59"], freq="W")
    assert same_week.frequency.tolist() == [0]
    assert same_week.T.tolist() == [0.0]
    next_week = summary([1, 1], ["2024-01-07", "2024-01-08"], freq="W")
    assert next_week.frequency.tolist() == [1]
    assert next_week.recency.tolist() == [1.0]
    # observation end on a Sunday floors to that week's Monday
    s = summary([1], ["2024-01-02"], freq="W", observation_end="2024-01-21T12:00")
    assert s.T.tolist() == [2.0]


def test_intraday_rows_are_one_occasion_and_amounts_sum() -> None:
    s = summary([7, 7, 7], ["2024-03-01T09:00", "2024-03-01T17:00", "2024-03-04"], [5.0, 6.0, 4.0])
    assert s.frequency.tolist() == [1]
    assert s.recency.tolist() == [3.0]
    assert s.monetary_value.tolist() == [4.0]  # first period (11.0) excluded
    first = summary(
        [7, 7, 7],
        ["2024-03-01T09:00", "2024-03-01T17:00", "2024-03-04"],
        [5.0, 6.0, 4.0],
        include_first=True,
    )
    assert first.frequency.tolist() == [2]
    assert first.monetary_value.tolist() == [7.5]  # (11 + 4) / 2


def test_nan_amounts_are_skipped_and_all_nan_period_is_zero() -> None:
    ts = ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"]
    s = summary([1, 1, 1, 1], ts, [10.0, np.nan, 6.0, np.nan])
    assert s.frequency.tolist() == [2]  # the all-NaN day still counts as a purchase period
    assert s.monetary_value.tolist() == [3.0]  # (6 + 0) / 2


def test_refunds_are_kept() -> None:
    s = summary([1, 1, 1], ["2024-01-01", "2024-01-02", "2024-01-03"], [50.0, 10.0, -4.0])
    assert s.monetary_value.tolist() == [3.0]
    zero = summary([1, 1], ["2024-01-01", "2024-01-02"], [5.0, 0.0])
    assert zero.monetary_value.tolist() == [0.0]


def test_observation_end_truncates_and_is_floored() -> None:
    ids = [1, 1, 1, 2]
    ts = ["2024-01-01", "2024-01-05T18:00", "2024-01-06", "2024-01-07"]
    s = summary(ids, ts, observation_end="2024-01-05T12:00")
    # the 18:00 row is kept (its day is not after the floored end); the later rows dropped;
    # customer 2 only bought after the end and is absent
    assert s.customer_id.tolist() == [1]
    assert s.frequency.tolist() == [1]
    assert s.recency.tolist() == [4.0]
    assert s.T.tolist() == [4.0]


def test_default_observation_end_is_the_latest_timestamp_floored() -> None:
    s = summary([1, 2], ["2024-01-01", "2024-01-03T20:00"], freq="h")
    assert s.T.tolist() == [68.0, 0.0]


def test_unsorted_input_and_string_ids() -> None:
    ids = ["bob", "ann", "bob", "ann", "cy"]
    ts = ["2024-01-09", "2024-01-02", "2024-01-01", "2024-01-05", "2024-01-03"]
    money = [3.0, 1.0, 2.0, 8.0, 4.0]
    s = summary(ids, ts, money)
    assert s.customer_id.tolist() == ["ann", "bob", "cy"]
    assert s.frequency.tolist() == [1, 1, 0]
    assert s.recency.tolist() == [3.0, 8.0, 0.0]
    assert s.T.tolist() == [7.0, 8.0, 6.0]
    assert s.monetary_value.tolist() == [8.0, 3.0, 0.0]
    order = np.array([4, 2, 0, 3, 1])
    again = summary(np.array(ids)[order], np.array(ts)[order], np.array(money)[order])
    for field in ("customer_id", "frequency", "recency", "T", "monetary_value"):
        np.testing.assert_array_equal(getattr(again, field), getattr(s, field))


def test_freq_multiplier_and_subdaily_units() -> None:
    s = summary([1, 1], ["2024-01-01", "2024-01-15T12:00"], freq="h", freq_multiplier=24)
    assert s.recency.tolist() == [14.5]
    minutes = summary([1, 1], ["2024-01-01T00:00:30", "2024-01-01T00:02:10"], freq="min")
    assert minutes.recency.tolist() == [2.0]
    seconds = summary([1, 1], ["2024-01-01T00:00:30.5", "2024-01-01T00:00:32"], freq="s")
    assert seconds.recency.tolist() == [2.0]


def test_empty_log_and_result_types() -> None:
    s = clv.rfm_summary(np.array([], dtype=np.int64), np.array([], dtype="datetime64[ns]"))
    assert len(s) == 0
    assert s.monetary_value is None
    frame = summary([2, 1], ["2024-01-01", "2024-01-02"], [1.0, 2.0]).to_pandas()
    assert list(frame.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert frame.index.tolist() == [1, 2]
    assert frame["frequency"].dtype == np.float64


def test_inputs_of_other_resolutions() -> None:
    s = clv.rfm_summary(
        np.array([1, 1]), np.array(["2024-01-01", "2024-01-04"], dtype="datetime64[D]")
    )
    assert s.recency.tolist() == [3.0]


# --------------------------------------------------------------------------- deliberate differences
def test_non_iso_strings_are_refused() -> None:
    with pytest.raises(ValueError, match=r"ts\[1\] = '12/31/2014' is not an ISO-8601"):
        summary([1, 1], ["2014-12-30", "12/31/2014"])


@pytest.mark.parametrize("freq", ["M", "Y", "Q", "H"])
def test_variable_or_unknown_frequencies_are_refused(freq: str) -> None:
    with pytest.raises(ValueError, match=r"freq = '.+' is not a known option; use one of 'D'"):
        summary([1], ["2024-01-01"], freq=freq)


def test_nat_and_missing_ids_are_refused() -> None:
    with pytest.raises(ValueError, match=r"ts\[1\] = NaT"):
        clv.rfm_summary([1, 2], np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]"))
    with pytest.raises(ValueError, match=r"customer_id\[0\] = nan"):
        summary([np.nan, 1.0], ["2024-01-01", "2024-01-02"])
    with pytest.raises(ValueError, match=r"customer_id\[1\] = None is missing"):
        clv.rfm_summary(np.array(["a", None], dtype=object), ["2024-01-01", "2024-01-02"])
    with pytest.raises(ValueError, match=r"monetary\[0\] = inf"):
        summary([1], ["2024-01-01"], [np.inf])
    with pytest.raises(ValueError, match="freq_multiplier"):
        summary([1], ["2024-01-01"], freq_multiplier=0)


# --------------------------------------------------------------------------- calibration / holdout
def test_calibration_holdout_split_uses_raw_timestamps() -> None:
    # calibration ends Tuesday 2024-01-09 12:00; Wednesday of the same week is holdout
    ids = [1, 1, 1, 1, 2, 3]
    ts = [
        "2024-01-01",
        "2024-01-09T08:00",
        "2024-01-10",
        "2024-01-10T20:00",
        "2024-01-02",
        "2024-01-16",
    ]
    money = [10.0, 20.0, 4.0, 6.0, 7.0, 9.0]
    ch = clv.calibration_holdout(ids, ts, money, calibration_end="2024-01-09T12:00", freq="W")
    assert ch.customer_id.tolist() == [1, 2]  # customer 3 is first seen in the holdout
    assert ch.frequency.tolist() == [1, 0]
    assert ch.recency.tolist() == [1.0, 0.0]
    assert ch.T.tolist() == [1.0, 1.0]  # the calibration end is floored to its Monday
    assert ch.monetary_value.tolist() == [20.0, 0.0]
    assert ch.frequency_holdout.tolist() == [1, 0]  # Wednesday and Wednesday night: one week
    assert ch.monetary_value_holdout.tolist() == [5.0, 0.0]  # mean of raw rows, not sums
    assert ch.duration_holdout == 1.0
    frame = ch.to_pandas()
    assert list(frame.columns) == [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
    ]


def test_calibration_holdout_observation_end_and_errors() -> None:
    ids, ts = [1, 1, 1], ["2024-01-01", "2024-01-05", "2024-01-20"]
    ch = clv.calibration_holdout(
        ids, ts, calibration_end="2024-01-03", observation_end="2024-01-10", freq_multiplier=7
    )
    assert ch.frequency_holdout.tolist() == [1]
    assert ch.monetary_value_holdout is None
    assert ch.duration_holdout == 1.0
    with pytest.raises(ValueError, match="no holdout transaction"):
        clv.calibration_holdout(ids, ts, calibration_end="2024-01-20")
    with pytest.raises(ValueError, match=r"observation_end = .* is earlier than calibration_end"):
        clv.calibration_holdout(ids, ts, calibration_end="2024-01-10", observation_end="2024-01-02")


def test_calibration_holdout_matches_lifetimes(reference: dict[str, np.ndarray]) -> None:
    log = datasets.load_cdnow("sample")
    ch = clv.calibration_holdout(
        log.customer_id,
        log.ts,
        log.amount,
        calibration_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    ).to_pandas()
    np.testing.assert_array_equal(ch.index.to_numpy(), reference["holdout/customer_id"])
    for column in ch.columns:
        np.testing.assert_allclose(
            ch[column].to_numpy(),
            reference[f"holdout/{column}"],
            rtol=1e-9,
            atol=0,
            err_msg=column,
        )


# --------------------------------------------------------------------------- lifetimes parity
@pytest.mark.parametrize("kind", ["sample", "master"])
@pytest.mark.parametrize("label", list(FREQS))
def test_rfm_summary_matches_lifetimes(
    reference: dict[str, np.ndarray], kind: str, label: str
) -> None:
    log = datasets.load_cdnow(kind)
    freq, mult = FREQS[label]
    key = f"summary/{kind}/{label}/"
    with_money = clv.rfm_summary(
        log.customer_id, log.ts, log.amount, freq=freq, freq_multiplier=mult
    )
    plain = clv.rfm_summary(log.customer_id, log.ts, freq=freq, freq_multiplier=mult)
    first = clv.rfm_summary(
        log.customer_id, log.ts, log.amount, freq=freq, freq_multiplier=mult, include_first=True
    )
    for s in (with_money, plain, first):
        np.testing.assert_array_equal(s.customer_id, reference[key + "customer_id"])
        np.testing.assert_allclose(s.recency, reference[key + "recency"], rtol=1e-9, atol=0)
        np.testing.assert_allclose(s.T, reference[key + "T"], rtol=1e-9, atol=0)
    np.testing.assert_array_equal(with_money.frequency, reference[key + "frequency"])
    np.testing.assert_array_equal(plain.frequency, reference[key + "frequency"])
    np.testing.assert_array_equal(first.frequency, reference[key + "frequency"] + 1)
    assert plain.monetary_value is None
    np.testing.assert_allclose(
        with_money.monetary_value, reference[key + "monetary_value"], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        first.monetary_value, reference[key + "monetary_value_first"], rtol=1e-9, atol=1e-12
    )
    # the same with string ids: sorted as strings, values unchanged per customer
    as_str = clv.rfm_summary(
        log.customer_id.astype(str), log.ts, log.amount, freq=freq, freq_multiplier=mult
    )
    back = np.argsort(as_str.customer_id.astype(np.int64))
    np.testing.assert_array_equal(as_str.frequency[back], with_money.frequency)
    np.testing.assert_array_equal(as_str.T[back], with_money.T)

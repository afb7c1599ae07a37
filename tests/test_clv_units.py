"""RFM summaries carry their time unit; the CLV reads it and refuses a contradicting
``freq`` instead of valuing weeks as days."""

from __future__ import annotations

import numpy as np
import pytest

from crm_metrics import clv, datasets

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture(scope="module")
def log():
    return datasets.load_cdnow("sample")


def test_summaries_record_their_unit(log) -> None:
    weekly = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7)
    assert weekly.unit == "7D"
    assert clv.rfm_summary(log.customer_id, log.ts, freq="W").unit == "W"
    assert clv.rfm_summary(log.customer_id, log.ts, freq="h", freq_multiplier=24).unit == "24h"
    ch = clv.calibration_holdout(
        log.customer_id, log.ts, calibration_end="1997-09-30", freq="D", freq_multiplier=7
    )
    assert ch.unit == "7D"
    assert ch.calibration().unit == "7D"


def test_clv_of_a_summary_uses_its_unit(log) -> None:
    weekly = clv.rfm_summary(
        log.customer_id,
        log.ts,
        log.amount,
        freq="D",
        freq_multiplier=7,
        observation_end="1997-09-30",
    )
    arrays = (weekly.frequency, weekly.recency, weekly.T, weekly.monetary_value)
    want = clv.customer_lifetime_value(BG, GG, *arrays, freq="W")
    np.testing.assert_array_equal(clv.customer_lifetime_value(BG, GG, weekly), want)
    np.testing.assert_array_equal(clv.customer_lifetime_value(BG, GG, weekly, freq="W"), want)
    # the silent mix-up: weekly data valued as daily gives another (wrong) number
    wrong = clv.customer_lifetime_value(BG, GG, *arrays, freq="D")
    assert not np.allclose(wrong, want)
    with pytest.raises(ValueError, match="freq = 'D' contradicts the summary"):
        clv.customer_lifetime_value(BG, GG, weekly, freq="D")
    daily = clv.rfm_summary(log.customer_id, log.ts, log.amount, observation_end="1997-09-30")
    np.testing.assert_array_equal(
        clv.customer_lifetime_value(BG, GG, daily),
        clv.customer_lifetime_value(
            BG, GG, daily.frequency, daily.recency, daily.T, daily.monetary_value, freq="D"
        ),
    )


def test_summaries_the_clv_cannot_value_are_refused(log) -> None:
    two_days = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq_multiplier=2)
    with pytest.raises(ValueError, match="periods of '2D'; customer lifetime value needs"):
        clv.customer_lifetime_value(BG, GG, two_days)
    no_money = clv.rfm_summary(log.customer_id, log.ts)
    with pytest.raises(TypeError, match="has no monetary_value"):
        clv.customer_lifetime_value(BG, GG, no_money)
    weekly = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="W")
    with pytest.raises(TypeError, match="already holds recency, T and monetary_value"):
        clv.customer_lifetime_value(BG, GG, weekly, T=weekly.T)
    by_hand = clv.RFMSummary(
        weekly.customer_id, weekly.frequency, weekly.recency, weekly.T, weekly.monetary_value
    )
    with pytest.raises(ValueError, match="without a time unit"):
        clv.customer_lifetime_value(BG, GG, by_hand)


def test_arrays_keep_the_daily_default() -> None:
    got = clv.customer_lifetime_value(BG, GG, 2, 30.43, 38.86, 40.0)
    assert got == clv.customer_lifetime_value(BG, GG, 2, 30.43, 38.86, 40.0, freq="D")

"""The lifetimes drop-ins (CLV.md §4) and the validation rules added for crm_metrics.clv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_metrics import clv, datasets
from crm_metrics._validate import Magnitude, ModelParams, SkippableMoney

REFERENCE = Path(__file__).parent / "data" / "clv" / "lifetimes_reference.npz"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    log = datasets.load_cdnow("sample")
    return pd.DataFrame({"id": log.customer_id, "date": log.ts, "amount": log.amount})


def test_summary_drop_in_matches_lifetimes(sample: pd.DataFrame) -> None:
    out = clv.summary_data_from_transaction_data(
        sample, "id", "date", monetary_value_col="amount", freq="D", freq_multiplier=7
    )
    assert list(out.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert out.index.name == "id"
    assert (out.dtypes == np.float64).all()
    with np.load(REFERENCE) as ref:
        np.testing.assert_array_equal(out.index.to_numpy(), ref["summary/sample/Dx7/customer_id"])
        for col in out.columns:
            np.testing.assert_allclose(
                out[col].to_numpy(), ref[f"summary/sample/Dx7/{col}"], rtol=1e-9, atol=1e-12
            )
    plain = clv.summary_data_from_transaction_data(sample, "id", "date")
    assert list(plain.columns) == ["frequency", "recency", "T"]
    first = clv.summary_data_from_transaction_data(
        sample, "id", "date", "amount", include_first_transaction=True
    )
    np.testing.assert_array_equal(first["frequency"], plain["frequency"] + 1)


def test_holdout_drop_in_matches_lifetimes(sample: pd.DataFrame) -> None:
    out = clv.calibration_and_holdout_data(
        sample,
        "id",
        "date",
        "1997-09-30",
        freq="D",
        freq_multiplier=7,
        monetary_value_col="amount",
    )
    assert list(out.columns) == [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
    ]
    with np.load(REFERENCE) as ref:
        np.testing.assert_array_equal(out.index.to_numpy(), ref["holdout/customer_id"])
        for col in out.columns:
            np.testing.assert_allclose(out[col].to_numpy(), ref[f"holdout/{col}"], rtol=1e-9)


def test_explicit_datetime_format_and_refused_guess() -> None:
    tx = pd.DataFrame({"id": ["a", "a", "b"], "day": ["31/12/2014", "02/01/2015", "01/01/2015"]})
    with pytest.raises(ValueError, match=r"ts\[0\] = '31/12/2014' is not an ISO-8601"):
        clv.summary_data_from_transaction_data(tx, "id", "day")
    out = clv.summary_data_from_transaction_data(
        tx, "id", "day", datetime_format="%d/%m/%Y", observation_period_end="05/01/2015"
    )
    assert out.loc["a"].tolist() == [1.0, 2.0, 5.0]
    assert out.loc["b"].tolist() == [0.0, 0.0, 4.0]
    held = clv.calibration_and_holdout_data(
        tx, "id", "day", "01/01/2015", datetime_format="%d/%m/%Y"
    )
    assert held.loc["a", "frequency_holdout"] == 1.0
    assert held.loc["a", "duration_holdout"] == 1.0


def test_tz_aware_pandas_column_is_converted_to_utc() -> None:
    tx = pd.DataFrame(
        {
            "id": [1, 1],
            "when": pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30"]).tz_localize(
                "Europe/Berlin"
            ),
        }
    )
    out = clv.summary_data_from_transaction_data(tx, "id", "when")
    # two local days, but 22:30 and 23:30 on the same UTC day: one purchase period
    assert out.loc[1].tolist() == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------- the new rules
def test_skippable_money_rule() -> None:
    rule = SkippableMoney()
    assert rule.coerce("m", None, {}) is None
    out = rule.coerce("m", [1.0, np.nan, -2.0], {})
    assert np.isnan(out[1])
    assert out[2] == -2.0
    with pytest.raises(ValueError, match=r"m\[1\] = inf is infinite"):
        rule.coerce("m", [1.0, np.inf], {})
    with pytest.raises(TypeError, match="m must be numeric"):
        rule.coerce("m", [True, False], {})
    assert list(rule.bad_values([1.0, 2.0], {}))


def test_magnitude_rule() -> None:
    done = {"T": np.array([5.0, 5.0]), "frequency": np.array([0.0, 2.0])}
    rule = Magnitude(le="T", zero_with="frequency")
    np.testing.assert_array_equal(rule.coerce("recency", [0.0, 5.0], done), [0.0, 5.0])
    with pytest.raises(ValueError, match=r"recency\[1\] = 6.0 exceeds T\[1\] = 5.0"):
        rule.coerce("recency", [0.0, 6.0], done)
    with pytest.raises(ValueError, match=r"recency\[0\] = 1.0 is not 0 although frequency\[0\]"):
        rule.coerce("recency", [1.0, 2.0], done)
    with pytest.raises(ValueError, match=r"recency\[0\] = -1.0 is negative"):
        rule.coerce("recency", [-1.0, 2.0], done)
    with pytest.raises(ValueError, match="do not broadcast"):
        rule.coerce("recency", [1.0, 2.0, 3.0], done)
    spend = Magnitude(event=True, positive_with="frequency")
    with pytest.raises(ValueError, match=r"m\[1\] = 0.0 is not positive although frequency\[1\]"):
        spend.coerce("m", [0.0, 0.0], done)
    with pytest.raises(ValueError, match=r"m\[0\] = nan is NaN"):
        spend.coerce("m", [np.nan, 1.0], done)
    assert np.isnan(Magnitude().coerce("t", np.nan, {}))  # aggregates propagate NaN
    assert Magnitude(optional=True).coerce("w", None, {}) is None
    with pytest.raises(ValueError, match=r"r = 0.0 is 0; it must be > 0"):
        Magnitude(positive=True).coerce("r", 0.0, {})
    assert len(list(Magnitude(event=True, positive=True).bad_values([1.0], {}))) == 5


def test_model_params_rule() -> None:
    rule = ModelParams(names=("p", "q", "v"), above=(("q", 1.0),), reason="no mean")
    assert rule.coerce("gg", (1, 2.0, 3.0), {}) == {"p": 1.0, "q": 2.0, "v": 3.0}
    assert rule.coerce("gg", {"p": 1, "q": 2, "v": 3, "extra": "x"}, {})["v"] == 3.0
    fit = clv.GammaGammaFit(
        p=1.0,
        q=2.0,
        v=3.0,
        loglik=0.0,
        n_customers=1.0,
        n_ignored=0,
        converged=True,
        iterations=1,
        message="",
    )
    assert rule.coerce("gg", fit, {}) == {"p": 1.0, "q": 2.0, "v": 3.0}
    with pytest.raises(ValueError, match=r"gg\['q'\] = 0.5 is not above 1.0: no mean"):
        rule.coerce("gg", (1.0, 0.5, 3.0), {})
    with pytest.raises(TypeError, match="gg must hold 3 values"):
        rule.coerce("gg", (1.0, 2.0), {})
    with pytest.raises(TypeError, match="missing v"):
        rule.coerce("gg", {"p": 1.0, "q": 2.0}, {})
    with pytest.raises(TypeError, match=r"gg\['p'\] = True is not a number"):
        rule.coerce("gg", {"p": True, "q": 2.0, "v": 1.0}, {})
    with pytest.raises(ValueError, match=r"gg\['v'\] = nan must be a finite number > 0"):
        rule.coerce("gg", {"p": 1.0, "q": 2.0, "v": np.nan}, {})
    assert ModelParams(names=("p",), optional=True).coerce("gg", None, {}) is None
    assert len(list(rule.bad_values(None, {}))) == 5

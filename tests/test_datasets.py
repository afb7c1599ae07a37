"""The shipped CDNOW logs: sizes and totals checked against the source CSV files."""

from __future__ import annotations

import numpy as np
import pytest

import crm_metrics as cm
from crm_metrics import datasets


def test_master_log() -> None:
    log = datasets.load_cdnow()
    assert len(log) == 69_659
    assert len(np.unique(log.customer_id)) == 23_570
    # totals of the source CSV (awk over ../shared/data/cdnow/cdnow_master_transactions.csv)
    assert log.amount.sum() == pytest.approx(2_500_315.63, abs=1e-6)
    assert int(log.quantity.sum()) == 167_881
    assert log.ts.dtype == np.dtype("datetime64[ns]")
    assert log.ts.min() == np.datetime64("1997-01-01")
    assert log.ts.max() == np.datetime64("1998-06-30")
    assert log.master_id is None


def test_sample_log() -> None:
    log = datasets.load_cdnow("sample")
    assert len(log) == 6_919
    assert len(np.unique(log.customer_id)) == 2_357
    assert log.amount.sum() == pytest.approx(244_091.94, abs=1e-6)
    assert int(log.quantity.sum()) == 16_479
    assert log.master_id is not None
    assert len(np.unique(log.master_id)) == 2_357


def test_as_frame_and_lazy_attribute() -> None:
    frame = cm.datasets.load_cdnow("sample", as_frame=True)
    assert list(frame.columns) == ["customer_id", "ts", "amount", "quantity", "master_id"]
    assert frame.shape == (6_919, 5)
    assert list(datasets.load_cdnow().to_pandas().columns) == [
        "customer_id",
        "ts",
        "amount",
        "quantity",
    ]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind = 'full' is not a known option"):
        datasets.load_cdnow("full")
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = cm.nope  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_customers": float("nan")}, r"n_customers = nan is NaN"),
        ({"n_customers": [3, 4]}, r"n_customers must be a single number"),
        ({"n_customers": 2.5}, r"n_customers = 2.5 is not a whole number"),
        ({"n_customers": -1}, r"n_customers = -1(\.0)? is outside \[0, inf\)"),
        ({"seed": float("nan")}, r"seed = nan is NaN"),
    ],
)
def test_simulate_bgnbd_refuses_bad_sizes_and_seeds(
    arguments: dict[str, object], message: str
) -> None:
    call = {"n_customers": 10, "seed": 0, **arguments}
    with pytest.raises(ValueError, match=message):
        datasets.simulate_bgnbd(
            call["n_customers"], 0.24, 4.4, 0.79, 2.4, horizon=10, seed=call["seed"]
        )

"""rfm_segments: pymc-marketing's default quartile scores and segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_metrics import clv, datasets
from crm_metrics.clv.segments import RFM_SEGMENTS


def pymc_style(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> pd.DataFrame:
    """pymc-marketing's labelling written with pandas.qcut (its implementation, re-typed)."""
    out = pd.DataFrame({"recency": recency, "frequency": frequency, "monetary": monetary})
    for score, column in (("r", "recency"), ("f", "frequency"), ("m", "monetary")):
        for levels in (4, 3, 2):
            labels = list(range(levels, 0, -1)) if score == "r" else list(range(1, levels + 1))
            try:
                out[score] = pd.qcut(out[column], q=4, labels=labels, duplicates="drop").astype(str)
                break
            except ValueError:
                continue
    out["rfm_score"] = out["r"] + out["f"] + out["m"]
    out["segment"] = "Other"
    for name, scores in RFM_SEGMENTS.items():
        out.loc[out["rfm_score"].isin(scores), "segment"] = name
    return out


def test_matches_the_qcut_reference_on_cdnow() -> None:
    log = datasets.load_cdnow("sample")
    s = clv.rfm_summary(log.customer_id, log.ts, log.amount, include_first=True)
    assert s.monetary_value is not None
    since_last = s.T - s.recency
    seg = clv.rfm_segments(since_last, s.frequency, s.monetary_value)
    ref = pymc_style(since_last, s.frequency, s.monetary_value)
    np.testing.assert_array_equal(seg.rfm_score, ref["rfm_score"].to_numpy(dtype=str))
    np.testing.assert_array_equal(seg.segment, ref["segment"].to_numpy(dtype=str))
    assert len(set(seg.segment.tolist())) >= 3
    assert seg.frequency_score.max() < 4  # most customers bought once: edges coincide


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_qcut_reference_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 300))
    recency = rng.integers(0, 365, n).astype(float)
    frequency = rng.geometric(0.4, n)
    monetary = np.round(rng.gamma(2.0, 30.0, n), 2)
    seg = clv.rfm_segments(recency, frequency, monetary)
    ref = pymc_style(recency, frequency, monetary)
    np.testing.assert_array_equal(seg.rfm_score, ref["rfm_score"].to_numpy(dtype=str))
    np.testing.assert_array_equal(seg.segment, ref["segment"].to_numpy(dtype=str))


def test_hand_computed_quartiles_and_ties() -> None:
    seg = clv.rfm_segments([1, 5, 30, 90], [6, 4, 2, 1], [80.0, 40.0, 30.0, 10.0])
    assert seg.recency_score.tolist() == [4, 3, 2, 1]
    assert seg.frequency_score.tolist() == [4, 3, 2, 1]
    assert seg.segment.tolist()[0] == "Premium Customer"
    # frequency 1,1,1,2: quartile edges 1,1,1,1.25,2 -> two bins after dropping duplicates
    tied = clv.rfm_segments([1, 2, 3, 4], [1, 1, 1, 2], [1.0, 2.0, 3.0, 4.0])
    assert tied.frequency_score.tolist() == [1, 1, 1, 2]
    # all equal: one level, everyone scores 1 (pymc-marketing raises here)
    flat = clv.rfm_segments([3, 3], [2, 2], [5.0, 5.0])
    assert flat.rfm_score.tolist() == ["111", "111"]
    assert flat.segment.tolist() == ["Inactive Customer"] * 2
    empty = clv.rfm_segments([], [], [])
    assert len(empty) == 0
    frame = seg.to_pandas()
    assert list(frame.columns) == [
        "recency_score",
        "frequency_score",
        "monetary_score",
        "rfm_score",
        "segment",
    ]


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match=r"recency\[0\] = -1.0 is negative"):
        clv.rfm_segments([-1.0], [1], [1.0])
    with pytest.raises(ValueError, match="monetary has length 1 but recency has length 2"):
        clv.rfm_segments([1.0, 2.0], [1, 2], [1.0])

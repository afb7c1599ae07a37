"""Produce tests/data/clv/lifetimes_reference.npz: lifetimes 0.11.3's numbers on CDNOW.

Run in the peer environment (benchmarks/requirements-peers.txt, CLV.md §6), never by the
tests, which only read the committed .npz::

    .venv-peers/bin/python benchmarks/make_lifetimes_reference.py

What is stored (all float64, customers in lifetimes' index order, which is sorted):

* ``summary/<kind>/<freq>/{customer_id,frequency,recency,T,monetary_value,monetary_value_first}``
  from ``summary_data_from_transaction_data`` on the CDNOW ``sample`` and ``master`` logs
  for ``freq`` D, W, D x7 and h x24. To keep the file small, redundant outputs are
  checked here instead of stored: the run without ``monetary_value_col`` must give the
  same frequency, recency and T as the run with it, and ``include_first_transaction=True``
  must give frequency + 1 and the same recency and T; only its ``monetary_value`` is
  stored (as ``monetary_value_first``).
* ``holdout/*``: ``calibration_and_holdout_data`` on the sample (weekly D x7, calibration
  end 1997-09-30, with amounts).
* ``fit/<kind>/*``: BetaGeoFitter and GammaGammaFitter parameters fitted on the weekly
  calibration summary (1997-09-30, D x7) of each log, and for the master log the
  predictions at those parameters for every customer: conditional expected purchases
  at t = 10, 39 and 52 weeks, P(alive), conditional expected spend and 12-month CLV
  (discount 0.01, freq "W").

It also writes ``tests/data/clv/bracket_mpmath.npz``: the BG/NBD expectation bracket
``(a+b-1)/(a-1) * (1 - 2F1(r, a-1; a+b-1; -t/alpha))`` evaluated with mpmath at 50
digits on a grid of parameters and customers (x up to 500, T up to 20 000, t up to
36 500), where scipy's hyp2f1 and lifetimes' formula return inf or NaN.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from crm_metrics import datasets  # noqa: E402  (the shipped CDNOW logs)

OUT = ROOT / "tests" / "data" / "clv" / "lifetimes_reference.npz"
BRACKET = ROOT / "tests" / "data" / "clv" / "bracket_mpmath.npz"
GRID_PARAMS = [
    (0.243, 4.414, 0.793, 2.426),
    (1.0, 3.0, 15.5, 1.0),
    (5.0, 0.5, 0.3, 0.2),
    (0.05, 20.0, 3.0, 10.0),
    (20.0, 1.0, 0.2, 20.0),
    (0.3, 0.05, 1.2, 0.05),
    (15.0, 0.05, 19.0, 0.05),
    (0.05, 0.05, 0.05, 0.05),
    (20.0, 20.0, 20.0, 20.0),
]
FREQS = {"D": ("D", 1), "W": ("W", 1), "Dx7": ("D", 7), "hx24": ("h", 24)}
CALIBRATION_END = "1997-09-30"
HORIZONS = (10.0, 39.0, 52.0)


def frame(kind: str) -> pd.DataFrame:
    log = datasets.load_cdnow(kind)
    return pd.DataFrame({"id": log.customer_id, "date": log.ts, "amount": log.amount})


def summaries(kind: str, df: pd.DataFrame, out: dict[str, np.ndarray]) -> None:
    for label, (freq, mult) in FREQS.items():
        common = {"freq": freq, "freq_multiplier": mult}
        money = summary_data_from_transaction_data(df, "id", "date", "amount", **common)
        plain = summary_data_from_transaction_data(df, "id", "date", **common)
        first = summary_data_from_transaction_data(
            df, "id", "date", "amount", include_first_transaction=True, **common
        )
        cols = ["frequency", "recency", "T"]
        pd.testing.assert_frame_equal(plain[cols], money[cols])
        pd.testing.assert_series_equal(first["frequency"], money["frequency"] + 1)
        pd.testing.assert_frame_equal(first[["recency", "T"]], money[["recency", "T"]])
        assert money.index.is_monotonic_increasing
        key = f"summary/{kind}/{label}"
        out[f"{key}/customer_id"] = money.index.to_numpy(dtype=np.int64)
        for col in (*cols, "monetary_value"):
            out[f"{key}/{col}"] = money[col].to_numpy(dtype=np.float64)
        out[f"{key}/monetary_value_first"] = first["monetary_value"].to_numpy(dtype=np.float64)


def holdout(df: pd.DataFrame, out: dict[str, np.ndarray]) -> None:
    ch = calibration_and_holdout_data(
        df, "id", "date", CALIBRATION_END, freq="D", freq_multiplier=7, monetary_value_col="amount"
    )
    out["holdout/customer_id"] = ch.index.to_numpy(dtype=np.int64)
    for col in ch.columns:
        out[f"holdout/{col}"] = ch[col].to_numpy(dtype=np.float64)


def fits(kind: str, df: pd.DataFrame, out: dict[str, np.ndarray]) -> None:
    s = summary_data_from_transaction_data(
        df,
        "id",
        "date",
        "amount",
        observation_period_end=CALIBRATION_END,
        freq="D",
        freq_multiplier=7,
    )
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]  # one $0 repeater in master
    gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    key = f"fit/{kind}"
    out[f"{key}/bgnbd"] = bg.params_[["r", "alpha", "a", "b"]].to_numpy(dtype=np.float64)
    out[f"{key}/gamma_gamma"] = gg.params_[["p", "q", "v"]].to_numpy(dtype=np.float64)
    if kind != "master":
        return
    x, tx, T, m = (s[c] for c in ("frequency", "recency", "T", "monetary_value"))
    out[f"{key}/customer_id"] = s.index.to_numpy(dtype=np.int64)
    out[f"{key}/horizons"] = np.array(HORIZONS)
    out[f"{key}/conditional_expected"] = np.stack(
        [
            np.asarray(bg.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T))
            for t in HORIZONS
        ]
    )
    out[f"{key}/p_alive"] = np.asarray(bg.conditional_probability_alive(x, tx, T))
    out[f"{key}/expected_spend"] = gg.conditional_expected_average_profit(x, m).to_numpy()
    out[f"{key}/clv"] = gg.customer_lifetime_value(
        bg, x, tx, T, m, time=12, discount_rate=0.01, freq="W"
    ).to_numpy()


def bracket_grid() -> None:
    import itertools

    import mpmath as mp

    mp.mp.dps = 50
    rows = []
    for (r0, alpha0, a, b0), x, age, t in itertools.product(
        GRID_PARAMS, [0, 1, 50, 500], [0.0, 10.0, 20_000.0], [1.0, 10.0, 100.0, 36_500.0]
    ):
        r, alpha, b = r0 + x, alpha0 + age, b0 + x
        c = a + b - 1
        h = mp.hyp2f1(r, a - 1, c, -mp.mpf(t) / alpha)
        rows.append((r, alpha, a, b, t, float(mp.mpf(c) / (a - 1) * (1 - h))))
    table = np.array(rows)
    np.savez_compressed(
        BRACKET, **dict(zip(["r", "alpha", "a", "b", "t", "value"], table.T, strict=True))
    )
    print(f"wrote {BRACKET} ({len(table)} points)")


def main() -> int:
    warnings.simplefilter("ignore")
    out: dict[str, np.ndarray] = {}
    for kind in ("sample", "master"):
        df = frame(kind)
        summaries(kind, df, out)
        fits(kind, df, out)
        if kind == "sample":
            holdout(df, out)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({OUT.stat().st_size / 2**20:.2f} MiB, {len(out)} arrays)")
    bracket_grid()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

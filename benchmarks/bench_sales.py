"""Side-by-side benchmark: stage durations and grouped win rate, crm_metrics versus pandas.

What is measured
----------------
Two workloads of METRICS.md §4, each against an idiomatic pandas equivalent, in one
process:

* ``stage_durations``: ``crm_metrics.stage_durations(deal_id, stage, entered_at,
  closed_at, stage_order=STAGES)`` on ``--rows`` stage-history rows (default 5,000,000) of
  ``--deals`` deals (default 1,000,000). Rows arrive shuffled (the function sorts them),
  several visits to one stage are common, about 3 % of consecutive entries share their
  ``entered_at`` (ordered by stage position), 70 % of deals are closed. pandas: map the
  stage to its position, ``sort_values([deal, entered, pos])``, ``groupby(deal).shift(-1)``
  for each entry's end (else the deal's close), drop open entries, sum per (deal, stage),
  mean per stage.
* ``win_rate by=(owner, quarter)``: ``crm_metrics.win_rate(created_at, closed_at, won,
  by=(owner, quarter))`` on the ``--deals`` deals (1,000 owners; ``quarter`` =
  ``period_key(closed_at, "Q")``, computed once outside the timed region for both sides).
  pandas: closed deals, ``groupby([owner, quarter]).won.mean()``.

Both sides start from the same numpy arrays; pandas DataFrames are built once, outside the
timed region. Correctness first: before timing, the pandas result must have the same keys
and values (rtol 1e-12), or the script stops. Runs alternate (order swapped each round);
median and min are reported with the ratio pandas / crm_metrics of the medians (> 1 means
crm_metrics is faster). Peak memory is the ``tracemalloc`` peak of one call, also as a
multiple of the input size.

How to run
----------
::

    .venv/bin/python benchmarks/bench_sales.py               # 5M rows / 1M deals
    .venv/bin/python benchmarks/bench_sales.py --smoke       # tiny, < 2 s

This is a benchmark runner, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from _common import (
    MIB,
    Side,
    environment,
    maxrss_bytes,
    measure_alternating,
    mem,
    rss_growth,
    table,
    traced_peak,
)
from numpy.typing import NDArray

import crm_metrics

SEED = 20241123
STAGES = ["lead", "qualify", "demo", "proposal", "negotiation", "contract"]
OWNERS = 1_000
RTOL = 1e-12
NS_PER_DAY = 86_400 * 10**9
START = np.datetime64("2022-01-01", "ns")

Result = tuple[Any, NDArray[np.float64]]


# --------------------------------------------------------------------------- data
def make_history(rows: int, deals: int, seed: int = SEED) -> dict[str, NDArray[Any]]:
    """Shuffled stage history: deal id, stage label, entered_at, the deal's closed_at."""
    rng = np.random.default_rng(seed)
    deal = np.sort(rng.integers(0, deals, size=rows))  # about rows / deals entries each
    created = START + rng.integers(0, 730 * NS_PER_DAY, size=deals).astype("timedelta64[ns]")
    gap = rng.integers(1, 20 * NS_PER_DAY, size=rows)
    gap[rng.random(rows) < 0.03] = 0  # equal entered_at within a deal: ordered by stage
    first = np.r_[True, deal[1:] != deal[:-1]]
    steps = np.where(first, 0, gap)
    run_start = np.flatnonzero(first)
    cum = np.cumsum(steps)
    offset = cum - np.repeat(cum[run_start], np.diff(np.r_[run_start, rows]))
    entered = created[deal] + offset.astype("timedelta64[ns]")
    last = np.full(deals, np.iinfo(np.int64).min)
    np.maximum.at(last, deal, entered.view(np.int64))
    is_closed = rng.random(deals) < 0.7
    close = np.where(
        is_closed & (last > np.iinfo(np.int64).min),
        last + rng.integers(0, 30 * NS_PER_DAY, size=deals),
        np.iinfo(np.int64).min,
    ).view("datetime64[ns]")
    stage = np.asarray(STAGES)[rng.integers(0, len(STAGES), size=rows)]
    order = rng.permutation(rows)
    return {
        "deal_id": deal[order] + 1_000_000,
        "stage": stage[order],
        "entered_at": entered[order],
        "closed_at": close[deal][order],
    }


def make_deals(deals: int, seed: int = SEED) -> dict[str, NDArray[Any]]:
    """Deals: created_at, closed_at (70 % closed), won, owner, quarter of closed_at."""
    rng = np.random.default_rng(seed + 1)
    created = START + rng.integers(0, 730 * NS_PER_DAY, size=deals).astype("timedelta64[ns]")
    cycle = rng.integers(0, 120 * NS_PER_DAY, size=deals).astype("timedelta64[ns]")
    closed = np.where(rng.random(deals) < 0.7, created + cycle, np.datetime64("NaT", "ns"))
    return {
        "created_at": created,
        "closed_at": closed,
        "won": rng.random(deals) < 0.3,
        "owner": rng.integers(0, OWNERS, size=deals) + 5_000,
        "quarter": crm_metrics.period_key(closed, "Q"),
    }


# --------------------------------------------------------------------------- workloads
def crm_stage(h: dict[str, NDArray[Any]]) -> Result:
    g = crm_metrics.stage_durations(
        h["deal_id"], h["stage"], h["entered_at"], h["closed_at"], stage_order=STAGES
    )
    return np.asarray(g.keys), g.values


def pd_stage(df: pd.DataFrame) -> Result:
    position = {s: i for i, s in enumerate(STAGES)}
    d = df.assign(pos=df["stage"].map(position)).sort_values(
        ["deal_id", "entered_at", "pos"], kind="stable"
    )
    nxt = d.groupby("deal_id", sort=False)["entered_at"].shift(-1)
    end = nxt.fillna(d["closed_at"])
    done = end.notna()
    d = d.loc[done, ["deal_id", "pos"]].assign(days=(end[done] - d["entered_at"][done]))
    totals = d.groupby(["deal_id", "pos"], sort=False)["days"].sum()
    per_stage = totals.groupby(level="pos").mean().reindex(range(len(STAGES)))
    days = per_stage.dt.total_seconds().to_numpy(dtype=np.float64) / 86_400
    return np.asarray(STAGES), days


def crm_win(d: dict[str, NDArray[Any]]) -> Result:
    g = crm_metrics.win_rate(
        d["created_at"], d["closed_at"], d["won"], by=(d["owner"], d["quarter"])
    )
    assert isinstance(g.keys, tuple)
    return g.keys, g.values


def pd_win(df: pd.DataFrame) -> Result:
    closed = df[df["closed_at"].notna()]
    rate = closed.groupby(["owner", "quarter"])["won"].mean()
    keys = (
        rate.index.get_level_values(0).to_numpy(),
        rate.index.get_level_values(1).to_numpy(),
    )
    return keys, rate.to_numpy(dtype=np.float64)


# --------------------------------------------------------------------------- checks
def check_same(name: str, got: Result, ref: Result) -> None:
    keys, values = got
    ref_keys, ref_values = ref
    parts = keys if isinstance(keys, tuple) else (keys,)
    ref_parts = ref_keys if isinstance(ref_keys, tuple) else (ref_keys,)
    if len(parts) != len(ref_parts) or not all(
        np.array_equal(a, b) for a, b in zip(parts, ref_parts, strict=True)
    ):
        raise SystemExit(f"ABORT: {name} gives other keys than crm_metrics")
    try:
        np.testing.assert_allclose(values, ref_values, rtol=RTOL, atol=0.0)
    except AssertionError as exc:
        raise SystemExit(f"ABORT: {name} disagrees with crm_metrics:\n{exc}") from None


def nbytes(arrays: dict[str, NDArray[Any]]) -> int:
    return sum(a.nbytes for a in arrays.values())


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Sales benchmark: crm_metrics vs pandas.")
    p.add_argument("--rows", type=int, default=5_000_000, help="stage-history rows")
    p.add_argument("--deals", type=int, default=1_000_000, help="deals")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="rows=5000, deals=1000, repeats=1")
    args = p.parse_args(argv)
    if args.smoke:
        args.rows, args.deals, args.repeats = 5_000, 1_000, 1
    if args.rows < 1 or args.deals < 1 or args.repeats < 1:
        p.error("--rows, --deals and --repeats must be positive")
    return args


def run(
    label: str,
    size: str,
    crm: Callable[[], Result],
    peer: Callable[[], Result],
    repeats: int,
    input_bytes: int,
) -> list[str]:
    check_same(f"pandas {label}", peer(), crm())  # also the warm-up call of both
    t_crm, t_pd = measure_alternating(crm, peer, repeats)
    cm_side = Side("crm_metrics", t_crm, traced_peak(crm), rss_growth(crm))
    pd_side = Side("pandas", t_pd, traced_peak(peer), rss_growth(peer))
    return [
        label,
        size,
        f"{cm_side.median:.3f}",
        f"{cm_side.best:.3f}",
        f"{pd_side.median:.3f}",
        f"{pd_side.best:.3f}",
        f"{pd_side.median / cm_side.median:.2f}",
        mem(cm_side.peak, input_bytes),
        mem(pd_side.peak, input_bytes),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    history = make_history(args.rows, args.deals)
    deals = make_deals(args.deals)
    history_df = pd.DataFrame(history)  # built once, never timed
    deals_df = pd.DataFrame(deals)
    deal_inputs = {k: deals[k] for k in ("created_at", "closed_at", "won", "owner", "quarter")}

    rows = [
        run(
            "stage_durations",
            f"{args.rows:,} rows / {args.deals:,} deals",
            lambda: crm_stage(history),
            lambda: pd_stage(history_df),
            args.repeats,
            nbytes(history),
        ),
        run(
            "win_rate by=(owner, quarter)",
            f"{args.deals:,} deals / {OWNERS:,} owners",
            lambda: crm_win(deals),
            lambda: pd_win(deals_df),
            args.repeats,
            nbytes(deal_inputs),
        ),
    ]
    print("Sales & pipeline (METRICS.md §4): crm_metrics vs pandas, same numpy inputs")
    print(
        f"seed {SEED}; {args.repeats} alternating runs per side; results checked equal "
        "(same keys, rtol 1e-12) before timing; DataFrames built once, NOT timed\n"
    )
    print(
        table(
            [
                "workload",
                "size",
                "crm median s",
                "crm min s",
                "pandas median s",
                "pandas min s",
                "ratio pd/crm",
                "crm peak MiB (x input)",
                "pandas peak MiB (x input)",
            ],
            rows,
        )
    )
    print("ratio > 1: crm_metrics faster.  peak = tracemalloc peak during one call.")
    print(f"process RSS high-water mark (getrusage; whole process): {maxrss_bytes() / MIB:.0f} MiB")
    print(environment())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Side-by-side benchmark: the per-campaign report with crm_metrics versus pandas, in one process.

What is measured
----------------
One workload, "campaign statistics per campaign": ``crm_metrics.campaign_summary(...)``
(recipients sent, delivered, responded, converted, revenue of converted recipients and
distinct new customers, per campaign) against the fastest idiomatic pandas equivalent found
among a few variants (all are timed and listed; the fastest by median becomes the "pandas"
column). The data set is synthetic and seeded: ``--n`` recipient records (default
10,000,000) spread over ``--campaigns`` campaigns (default 1,000; int64 ids 501, 502, ...)
and ``n / 5`` contacts (int64 ids); a monotone funnel (sent 97 %, delivered 92 % of sent,
responded 6 % and converted 2 % of delivered), revenue drawn for converted recipients only,
and 30 % of converters flagged as new customers.

* Common input: eight numpy arrays (int64 ids, bool flags, float64 revenue). The pandas
  DataFrame is built once from them *outside* the timed region; everything after that
  (deriving the revenue-of-converted column and the new-customer mask, grouping, reducing,
  aligning the distinct count on the campaign keys) is timed. crm_metrics' timing includes
  its input validation (flag monotonicity, non-negative finite revenue, ids).
* Correctness first: before any timing, every pandas variant must give the same sorted
  keys as crm_metrics, the same counts exactly and the same revenue to ``rtol=1e-12``;
  otherwise the script stops, so a fast wrong answer is never reported.
* Time: crm_metrics and the pandas peer are run alternately (order swapped each round),
  ``--repeats`` times each, with ``time.perf_counter``; median and min are reported, and
  the ratio pandas / crm_metrics of the medians (> 1 means crm_metrics is faster).
* Peak memory: ``tracemalloc`` peak during one call of each side, also as a multiple of the
  input size (the eight arrays' ``nbytes``). On Linux the resident-set growth of the same
  call is also given, and the process-wide RSS high-water mark.

How to run
----------
``python benchmarks/bench_campaign.py`` runs the full size. Smaller runs::

    .venv/bin/python benchmarks/bench_campaign.py --n 1000000 --campaigns 100 --repeats 3
    .venv/bin/python benchmarks/bench_campaign.py --smoke   # n=3000, campaigns=20, repeats=1

This is a benchmark runner, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import statistics
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
    time_once,
    traced_peak,
)
from numpy.typing import NDArray

import crm_metrics

SEED = 20241123
FIRST_CAMPAIGN_ID = 501
RTOL = 1e-12
FIELDS = crm_metrics.CampaignSummary.FIELDS
COUNTS = ("sent", "delivered", "responded", "converted")

Result = tuple[NDArray[Any], dict[str, NDArray[Any]]]  # sorted keys, one array per field


# --------------------------------------------------------------------------- data
def make_data(n: int, campaigns: int, seed: int = SEED) -> dict[str, NDArray[Any]]:
    """Seeded synthetic recipient records with a monotone funnel."""
    rng = np.random.default_rng(seed)
    sent = rng.random(n) < 0.97
    delivered = sent & (rng.random(n) < 0.92)
    u = rng.random(n)
    responded = delivered & (u < 0.06)
    converted = delivered & (u < 0.02)  # most converters responded, none converts undelivered
    revenue = np.where(converted, np.round(rng.gamma(2.0, 60.0, n), 2), 0.0)
    return {
        "campaign_id": rng.integers(0, campaigns, size=n, dtype=np.int64) + FIRST_CAMPAIGN_ID,
        "sent": sent,
        "delivered": delivered,
        "responded": responded,
        "converted": converted,
        "revenue": revenue,
        "is_new_customer": converted & (rng.random(n) < 0.3),
        "contact_id": rng.integers(0, max(n // 5, 1), size=n, dtype=np.int64),
    }


# --------------------------------------------------------------------------- workloads
def run_crm(data: dict[str, NDArray[Any]]) -> Result:
    """crm_metrics: one call, returns a CampaignSummary (one array per field)."""
    s = crm_metrics.campaign_summary(**data)
    return s.keys, {f: getattr(s, f) for f in FIELDS}


def _frame_result(g: pd.DataFrame, new: pd.Series[Any]) -> Result:
    new_aligned = new.reindex(g.index, fill_value=0)
    fields = {f: g[f].to_numpy() for f in (*COUNTS, "revenue")}
    fields["new_customers"] = new_aligned.to_numpy()
    return g.index.to_numpy(), fields


def _new_customers(df: pd.DataFrame) -> pd.Series[Any]:
    won = df[df["converted"] & df["is_new_customer"]]
    return won.groupby("campaign_id")["contact_id"].nunique()


def pd_named_agg(df: pd.DataFrame) -> Result:
    """assign(revenue of converted) -> groupby.agg(named sums); nunique on the new converters."""
    g = (
        df.assign(rev=df["revenue"].where(df["converted"], 0.0))
        .groupby("campaign_id")
        .agg(
            sent=("sent", "sum"),
            delivered=("delivered", "sum"),
            responded=("responded", "sum"),
            converted=("converted", "sum"),
            revenue=("rev", "sum"),
        )
    )
    return _frame_result(g, _new_customers(df))


def pd_columns_sum(df: pd.DataFrame) -> Result:
    """groupby[[flags + revenue of converted]].sum() in one pass; nunique on the new converters."""
    cols = df[["campaign_id", *COUNTS]].assign(revenue=df["revenue"] * df["converted"])
    g = cols.groupby("campaign_id").sum()
    return _frame_result(g, _new_customers(df))


def pd_drop_duplicates(df: pd.DataFrame) -> Result:
    """As groupby.sum, with the distinct count as drop_duplicates + value_counts."""
    cols = df[["campaign_id", *COUNTS]].assign(revenue=df["revenue"] * df["converted"])
    g = cols.groupby("campaign_id").sum()
    won = df.loc[df["converted"] & df["is_new_customer"], ["campaign_id", "contact_id"]]
    new = won.drop_duplicates()["campaign_id"].value_counts()
    return _frame_result(g, new)


PANDAS_VARIANTS: dict[str, Callable[[pd.DataFrame], Result]] = {
    "assign+groupby.agg(named)+nunique": pd_named_agg,
    "groupby[[cols]].sum+nunique": pd_columns_sum,
    "groupby.sum+drop_duplicates": pd_drop_duplicates,
}


# --------------------------------------------------------------------------- checks
def check_same(name: str, got: Result, ref: Result) -> None:
    """Stop the benchmark unless ``got`` has ``ref``'s keys, counts and revenue (rtol 1e-12)."""
    keys, fields = got
    ref_keys, ref_fields = ref
    if not np.array_equal(keys, ref_keys):
        raise SystemExit(f"ABORT: {name} gives other campaign keys than crm_metrics")
    for f in FIELDS:
        try:
            if f == "revenue":
                np.testing.assert_allclose(fields[f], ref_fields[f], rtol=RTOL, atol=0.0)
            else:
                np.testing.assert_array_equal(fields[f].astype(np.int64), ref_fields[f])
        except AssertionError as exc:
            raise SystemExit(f"ABORT: {name} disagrees with crm_metrics on {f}:\n{exc}") from None


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Campaign summary benchmark: crm_metrics vs pandas.")
    p.add_argument("--n", type=int, default=10_000_000, help="recipient records")
    p.add_argument("--campaigns", type=int, default=1_000, help="distinct campaigns")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="n=3000, campaigns=20, repeats=1")
    args = p.parse_args(argv)
    if args.smoke:
        args.n, args.campaigns, args.repeats = 3000, 20, 1
    if args.n < 1 or args.campaigns < 1 or args.repeats < 1:
        p.error("--n, --campaigns and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = make_data(args.n, args.campaigns)
    input_bytes = sum(a.nbytes for a in data.values())
    df = pd.DataFrame(data)  # built once, never timed

    def crm() -> Result:
        return run_crm(data)

    # Correctness gate (also the warm-up call of every function).
    ref = crm()
    for name, variant in PANDAS_VARIANTS.items():
        check_same(name, variant(df), ref)

    # Choose the pandas peer: the fastest variant by median.
    variant_times = {
        name: [time_once(lambda v=variant: v(df)) for _ in range(args.repeats)]
        for name, variant in PANDAS_VARIANTS.items()
    }
    peer_name = min(variant_times, key=lambda k: statistics.median(variant_times[k]))
    peer = PANDAS_VARIANTS[peer_name]

    def pandas_peer() -> Result:
        return peer(df)

    t_crm, t_pd = measure_alternating(crm, pandas_peer, args.repeats)
    cm_side = Side("crm_metrics", t_crm, traced_peak(crm), rss_growth(crm))
    pd_side = Side("pandas", t_pd, traced_peak(pandas_peer), rss_growth(pandas_peer))

    print(f"Campaign statistics per campaign: crm_metrics.campaign_summary vs pandas ({peer_name})")
    print(
        f"input: {args.n:,} recipient records, {len(ref[0]):,} campaigns (int64 ids), "
        f"{max(args.n // 5, 1):,} contacts; 8 arrays, {input_bytes / MIB:.1f} MiB; seed {SEED}; "
        f"{args.repeats} alternating runs per side"
    )
    print(
        "both sides start from the same numpy arrays; the pandas DataFrame is built once, "
        "NOT timed; results checked equal (same keys, counts exact, revenue rtol 1e-12) "
        "before timing\n"
    )
    print(
        table(
            [
                "workload",
                "size (n / groups)",
                "crm median s",
                "crm min s",
                "pandas median s",
                "pandas min s",
                "ratio pd/crm",
                "crm peak MiB (x input)",
                "pandas peak MiB (x input)",
            ],
            [
                [
                    "campaign_summary",
                    f"{args.n:,} / {len(ref[0]):,}",
                    f"{cm_side.median:.4f}",
                    f"{cm_side.best:.4f}",
                    f"{pd_side.median:.4f}",
                    f"{pd_side.best:.4f}",
                    f"{pd_side.median / cm_side.median:.2f}",
                    mem(cm_side.peak, input_bytes),
                    mem(pd_side.peak, input_bytes),
                ]
            ],
        )
    )
    print("ratio > 1: crm_metrics faster.  peak = tracemalloc peak during one call.\n")

    print("pandas variants tried (all checked equal to crm_metrics; fastest median is the peer):")
    print(
        table(
            ["variant", "median s", "min s", "peak MiB (x input)"],
            [
                [
                    ("* " if name == peer_name else "  ") + name,
                    f"{statistics.median(ts):.4f}",
                    f"{min(ts):.4f}",
                    mem(traced_peak(lambda v=PANDAS_VARIANTS[name]: v(df)), input_bytes),
                ]
                for name, ts in variant_times.items()
            ],
        )
    )
    print()
    print(
        "RSS growth during one call, MiB (x input) (process-wide, /proc/self/clear_refs): "
        f"crm_metrics {mem(cm_side.rss, input_bytes)}, pandas {mem(pd_side.rss, input_bytes)}"
    )
    print(
        f"process RSS high-water mark (getrusage; whole process: data, DataFrame, both "
        f"libraries): {maxrss_bytes() / MIB:.0f} MiB"
    )
    print(environment())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

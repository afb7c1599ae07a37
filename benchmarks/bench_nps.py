"""Side-by-side benchmark: grouped NPS with crm_metrics versus pandas, in one process.

What is measured
----------------
One workload, "NPS per agent": ``crm_metrics.nps(scores, by=agent)`` against the fastest
idiomatic pandas equivalent found among a few variants (all are timed and listed; the
fastest by median becomes the "pandas" column). The data set is synthetic and seeded:
``--n`` survey responses (default 10,000,000), integer scores 0..10 drawn from a skewed
distribution favouring 8-10, randomly assigned to ``--agents`` agents (default 10,000)
whose int64 ids are the contiguous employee numbers 10_001, 10_002, ...

* Common input: two numpy arrays, ``scores`` and ``agent`` (both int64). The pandas
  DataFrame is built once from them *outside* the timed region; everything after that
  (deriving promoter/detractor columns, grouping, reducing) is timed.
* Correctness first: before any timing, every pandas variant must give the same sorted
  keys as crm_metrics and the same values to ``rtol=1e-12``; otherwise the script stops,
  so a fast wrong answer is never reported.
* Time: crm_metrics and the pandas peer are run alternately (order swapped each round),
  ``--repeats`` times each, with ``time.perf_counter``; median and min are reported, and
  the ratio pandas / crm_metrics of the medians (> 1 means crm_metrics is faster).
* Peak memory: ``tracemalloc`` peak during one call of each side (numpy buffers and
  pandas hash tables are traced), also as a multiple of the input size
  ``scores.nbytes + agent.nbytes``. On Linux the resident-set growth of the same call is
  also given (peak RSS reset through ``/proc/self/clear_refs``), and the process-wide RSS
  high-water mark from ``resource.getrusage`` (inputs and both libraries included).

How to run
----------
``make bench`` runs ``python benchmarks/bench_nps.py`` (full size). Smaller runs::

    .venv/bin/python benchmarks/bench_nps.py --n 1000000 --agents 1000 --repeats 3
    .venv/bin/python benchmarks/bench_nps.py --smoke   # n=2000, agents=50, repeats=1

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

SEED = 20240607
FIRST_AGENT_ID = 10_001
#: P(score = 0..10): skewed towards 8-10, as NPS answers usually are (NPS about +34).
SCORE_PROBS = (0.02, 0.01, 0.01, 0.02, 0.02, 0.05, 0.05, 0.10, 0.20, 0.22, 0.30)
RTOL = 1e-12

Result = tuple[NDArray[Any], NDArray[np.float64]]  # sorted keys, NPS values


# --------------------------------------------------------------------------- data
def make_data(n: int, agents: int, seed: int = SEED) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Seeded synthetic responses: scores 0..10 (int64) and the agent id of each (int64)."""
    rng = np.random.default_rng(seed)
    scores = rng.choice(11, size=n, p=SCORE_PROBS).astype(np.int64, copy=False)
    agent = rng.integers(0, agents, size=n, dtype=np.int64) + FIRST_AGENT_ID
    return scores, agent


# --------------------------------------------------------------------------- workloads
def run_crm(scores: NDArray[np.int64], agent: NDArray[np.int64]) -> Result:
    """crm_metrics: one call, returns a Grouped (keys, values)."""
    g = crm_metrics.nps(scores, by=agent)
    return np.asarray(g.keys), g.values


def _series_result(s: pd.Series[Any]) -> Result:
    return s.index.to_numpy(), s.to_numpy(dtype=np.float64)


def pd_mean_of_flags(df: pd.DataFrame) -> Result:
    """assign(p, d) -> groupby[["p", "d"]].mean(); NPS = 100 (p - d)."""
    g = df.assign(p=df.score >= 9, d=df.score <= 6).groupby("agent")[["p", "d"]].mean()
    return _series_result(100 * (g.p - g.d))


def pd_named_agg(df: pd.DataFrame) -> Result:
    """assign(p, d) -> groupby.agg(p=("p", "mean"), d=("d", "mean")) (named aggregations)."""
    g = (
        df.assign(p=df.score >= 9, d=df.score <= 6)
        .groupby("agent")
        .agg(p=("p", "mean"), d=("d", "mean"))
    )
    return _series_result(100 * (g.p - g.d))


def pd_sign_mean(df: pd.DataFrame) -> Result:
    """+1 promoter / 0 passive / -1 detractor per response, one groupby mean, times 100."""
    s = df["score"]
    sign = (s >= 9).astype(np.int8) - (s <= 6).astype(np.int8)
    return _series_result(100 * sign.groupby(df["agent"]).mean())


def pd_value_counts(df: pd.DataFrame) -> Result:
    """groupby.value_counts -> unstack into an agent x score count table, then the formula."""
    counts = df.groupby("agent")["score"].value_counts().unstack(fill_value=0)
    promoters = counts.loc[:, counts.columns >= 9].sum(axis=1)
    detractors = counts.loc[:, counts.columns <= 6].sum(axis=1)
    return _series_result(100 * (promoters - detractors) / counts.sum(axis=1))


PANDAS_VARIANTS: dict[str, Callable[[pd.DataFrame], Result]] = {
    "assign+groupby[[p,d]].mean": pd_mean_of_flags,
    "assign+groupby.agg(named)": pd_named_agg,
    "sign(+1/0/-1)+groupby.mean": pd_sign_mean,
    "groupby.value_counts+unstack": pd_value_counts,
}


# --------------------------------------------------------------------------- checks
def check_same(name: str, got: Result, ref: Result) -> None:
    """Stop the benchmark unless ``got`` has ``ref``'s keys and values (rtol 1e-12)."""
    keys, values = got
    ref_keys, ref_values = ref
    if not np.array_equal(keys, ref_keys):
        raise SystemExit(f"ABORT: {name} gives other group keys than crm_metrics")
    try:
        np.testing.assert_allclose(values, ref_values, rtol=RTOL, atol=0.0)
    except AssertionError as exc:
        raise SystemExit(f"ABORT: {name} disagrees with crm_metrics:\n{exc}") from None


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Grouped NPS benchmark: crm_metrics vs pandas.")
    p.add_argument("--n", type=int, default=10_000_000, help="survey responses")
    p.add_argument("--agents", type=int, default=10_000, help="distinct agents")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="n=2000, agents=50, repeats=1")
    args = p.parse_args(argv)
    if args.smoke:
        args.n, args.agents, args.repeats = 2000, 50, 1
    if args.n < 1 or args.agents < 1 or args.repeats < 1:
        p.error("--n, --agents and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scores, agent = make_data(args.n, args.agents)
    input_bytes = scores.nbytes + agent.nbytes
    df = pd.DataFrame({"agent": agent, "score": scores})  # built once, never timed

    def crm() -> Result:
        return run_crm(scores, agent)

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
    sides = [
        Side("crm_metrics", t_crm, traced_peak(crm), rss_growth(crm)),
        Side("pandas", t_pd, traced_peak(pandas_peer), rss_growth(pandas_peer)),
    ]
    cm_side, pd_side = sides

    print(f"NPS per agent: crm_metrics.nps(scores, by=agent) vs pandas ({peer_name})")
    print(
        f"input: {args.n:,} responses (int64 scores 0..10), {args.agents:,} agents (int64 ids), "
        f"{input_bytes / MIB:.1f} MiB; seed {SEED}; {args.repeats} alternating runs per side"
    )
    print(
        "both sides start from the same numpy arrays; the pandas DataFrame is built once, "
        "NOT timed; results checked equal (same keys, rtol 1e-12) before timing\n"
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
                    "nps by=agent",
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

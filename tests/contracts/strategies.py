"""Hypothesis strategies shared by the contract tests (one place, as in numpy-financial).

Magnitudes stay <= 1e9 (METRICS.md §7) so identities can be checked at rtol 1e-9.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

MAX_COUNT = 10**9

#: Small counts make zero denominators and subset boundaries likely; large ones test scale.
counts = st.one_of(st.integers(0, 20), st.integers(0, MAX_COUNT))


def subset_counts(base_name: str, part_name: str) -> st.SearchStrategy[dict[str, int]]:
    """``{base_name: b, part_name: p}`` with ``0 <= p <= b``."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, int]:
        base = draw(counts)
        part = draw(st.integers(0, base))
        return {base_name: base, part_name: part}

    return build()


def scales(min_span: int = 1) -> st.SearchStrategy[tuple[int, int]]:
    """Valid rating scales: the usual ones, and arbitrary integer pairs."""
    usual = [(1, 5), (1, 7), (0, 10), (1, 10), (1, 3), (1, 2), (0, 1)]
    usual = [s for s in usual if s[1] - s[0] >= min_span]
    arbitrary = st.tuples(st.integers(-5, 5), st.integers(min_span, 12)).map(
        lambda t: (t[0], t[0] + t[1])
    )
    return st.one_of(st.sampled_from(usual), arbitrary)


def scores(n: int, lo: int, hi: int) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    """``n`` integer answers on ``lo..hi`` (extremes over-represented)."""
    element = st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))
    return st.lists(element, min_size=n, max_size=n).map(lambda xs: np.array(xs, dtype=np.int64))


def group_keys(n: int) -> st.SearchStrategy[Any]:
    """Aligned ``by=`` keys: small int or string alphabets, or a two-part multi-key."""
    ints = st.lists(st.integers(-2, 3), min_size=n, max_size=n).map(np.array)
    strs = st.lists(st.sampled_from(["ann", "bob", "cy"]), min_size=n, max_size=n).map(np.array)
    multi = st.tuples(ints, strs)
    return st.one_of(ints, strs, multi)


record_counts = st.integers(0, 40)


_NS_1900 = int(np.datetime64("1900-01-01", "ns").astype(np.int64))
_NS_2100 = int(np.datetime64("2100-01-01", "ns").astype(np.int64))


def timestamps(n: int, *, nat: bool = False) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    """``n`` datetime64[ns] values between 1900 and 2100 (NaT among them if ``nat``)."""
    element: st.SearchStrategy[int | None] = st.integers(_NS_1900, _NS_2100)
    if nat:
        element = st.one_of(element, st.none())
    return st.lists(element, min_size=n, max_size=n).map(
        lambda xs: np.array(
            [np.datetime64("NaT") if x is None else np.datetime64(x, "ns") for x in xs],
            dtype="datetime64[ns]",
        )
    )


frequencies = st.sampled_from(["D", "W", "M", "Q", "Y"])

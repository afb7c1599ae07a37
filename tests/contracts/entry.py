"""The shape of a contract-registry entry and the small helpers area registries share.

See ``registry.py`` for what each kind means and how the tests use the fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

Options = dict[str, Any]
NO_OPTIONS: st.SearchStrategy[Options] = st.just({})
Bounds = Callable[[Options], tuple[float, float]]


@dataclass(frozen=True)
class Entry:
    """How the contract tests call one public name."""

    kind: str
    example: Options = field(default_factory=dict)
    options: st.SearchStrategy[Options] = NO_OPTIONS
    records: Callable[[int, Options], st.SearchStrategy[Options]] | None = None
    scalars: Callable[[Options], st.SearchStrategy[Options]] | None = None
    zero: tuple[Options, ...] = ()
    bounds: Bounds | None = None
    empty: float | None = math.nan
    vector: Callable[[Any], np.ndarray[Any, Any]] = lambda r: np.atleast_1d(
        np.asarray(r, dtype=float)
    )
    aligned_output: bool = False
    #: history-dependent metrics (first purchase, purchase gaps, repeat contacts, stage
    #: visits) read history from all records, so ``by=`` is not the loop over subsets;
    #: their area tests check the grouped result another way (METRICS.md §0.6).
    history_dependent: bool = False
    #: metrics that filter records (answered only, window, decided, open at as_of) take
    #: their ``by=`` keys from the surviving records (METRICS.md §0.6), so a key whose
    #: records are all filtered out is absent; its subset must then give the ``empty`` value.
    filtered: bool = False


def fixed(lo: float, hi: float) -> Bounds:
    return lambda _options: (lo, hi)


def on_scale(options: Options) -> tuple[float, float]:
    return options["scale"]


FRACTION = fixed(0.0, 1.0)

"""The contract registry: every public name of crm_metrics, its kind and how to call it.

``test_contracts.py`` runs METRICS.md §7 items 1-5 and the bad-input sweep over every
entry; ``test_registry_covers_public_api`` fails when a name in ``crm_metrics.__all__`` has
no entry, so nothing public can escape the contracts. (The model is scikit-learn's
``metrics/tests/test_common.py``.)

Kinds
-----
aggregate
    Broadcasting functions of tallies. ``scalars`` draws the arguments of one element;
    ``zero`` lists argument sets with a zero denominator (result must be nan).
event
    One record per array element. ``records(n, options)`` draws ``n`` aligned records;
    ``options`` draws keyword options; ``empty`` is the result on no records.
helper
    Record-aligned transforms (``period_key``) and other public helpers: bad-input sweep,
    no mutation, and permutation equivariance when ``aligned_output``.
type
    Public result types (checked to be classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

import crm_metrics as cm

from . import strategies as gen

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


def _fixed(lo: float, hi: float) -> Bounds:
    return lambda _options: (lo, hi)


def _on_scale(options: Options) -> tuple[float, float]:
    return options["scale"]


FRACTION = _fixed(0.0, 1.0)


def _survey(
    default_scale: tuple[int, int] | None,
    bounds: Bounds,
    *,
    min_span: int = 1,
) -> Entry:
    """An event-level survey metric; ``default_scale`` None means the fixed NPS scale."""
    if default_scale is None:
        options: st.SearchStrategy[Options] = NO_OPTIONS
        example: Options = {"scores": [10, 9, 7, 3, 0]}
    else:
        options = gen.scales(min_span).map(lambda s: {"scale": s})
        lo, hi = default_scale
        example = {"scores": [lo, hi, hi, lo + 1], "scale": default_scale}

    def records(n: int, opts: Options) -> st.SearchStrategy[Options]:
        lo, hi = opts.get("scale", (0, 10))
        return gen.scores(n, lo, hi).map(lambda s: {"scores": s})

    return Entry(kind="event", example=example, options=options, records=records, bounds=bounds)


def _breakdown_vector(result: Any) -> np.ndarray[Any, Any]:
    return np.asarray(tuple(result), dtype=float)


REGISTRY: dict[str, Entry] = {
    # ------------------------------------------------------------- satisfaction (§2)
    "nps": _survey(None, _fixed(-100.0, 100.0)),
    "nps_breakdown": Entry(
        kind="event",
        example={"scores": [10, 9, 7, 3]},
        records=lambda n, _o: gen.scores(n, 0, 10).map(lambda s: {"scores": s}),
        bounds=FRACTION,
        vector=_breakdown_vector,
    ),
    "nps_standard_error": _survey(None, _fixed(0.0, 100.0)),
    "csat": _survey((1, 5), FRACTION, min_span=2),
    "csat_mean": _survey((1, 5), _on_scale),
    "satisfaction_index": _survey((1, 5), _fixed(0.0, 100.0)),
    "ces": _survey((1, 7), _on_scale),
    "ces_agree_share": _survey((1, 7), FRACTION),
    "nps_from_counts": Entry(
        kind="aggregate",
        example={"promoters": 120, "passives": 50, "detractors": 30},
        scalars=lambda _o: st.fixed_dictionaries(
            {"promoters": gen.counts, "passives": gen.counts, "detractors": gen.counts}
        ),
        zero=({"promoters": 0, "passives": 0, "detractors": 0},),
        bounds=_fixed(-100.0, 100.0),
    ),
    "satisfaction_index_from_mean": Entry(
        kind="aggregate",
        example={"mean": 3.5, "scale": (1, 5)},
        options=gen.scales().map(lambda s: {"scale": s}),
        scalars=lambda o: st.floats(*o["scale"]).map(lambda m: {"mean": m}),
        bounds=_fixed(0.0, 100.0),
    ),
    "survey_response_rate": Entry(
        kind="aggregate",
        example={"responses": 45, "surveys_sent": 300},
        scalars=lambda _o: gen.subset_counts("surveys_sent", "responses"),
        zero=({"responses": 0, "surveys_sent": 0},),
        bounds=FRACTION,
    ),
    # ------------------------------------------------------------- helpers and types
    "to_percent": Entry(
        kind="aggregate",
        example={"x": [0.25, 1.0]},
        scalars=lambda _o: st.floats(-1e9, 1e9).map(lambda x: {"x": x}),
        bounds=None,
    ),
    "period_key": Entry(
        kind="helper",
        example={"ts": ["2024-05-15T10:30", "2024-05-19"], "freq": "W"},
        options=gen.frequencies.map(lambda f: {"freq": f}),
        records=lambda n, _o: gen.timestamps(n, nat=True).map(lambda t: {"ts": t}),
        aligned_output=True,
    ),
    "cohort_key": Entry(
        kind="helper",
        example={
            "customer_id": ["a", "b", "a"],
            "ts": ["2024-03-05", "2024-04-01", "2024-01-20"],
            "freq": "M",
        },
        options=gen.frequencies.map(lambda f: {"freq": f}),
        records=lambda n, _o: st.fixed_dictionaries(
            {
                "customer_id": st.lists(st.integers(0, 5), min_size=n, max_size=n).map(np.array),
                "ts": gen.timestamps(n),
            }
        ),
        aligned_output=True,
    ),
    "Grouped": Entry(kind="type"),
    "NPSBreakdown": Entry(kind="type"),
}


def entries(*kinds: str) -> list[str]:
    """Registered names of the given kinds, sorted (for parametrize ids)."""
    return sorted(name for name, entry in REGISTRY.items() if entry.kind in kinds)


def function(name: str) -> Callable[..., Any]:
    func: Callable[..., Any] = getattr(cm, name)
    return func

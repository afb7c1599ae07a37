"""Contract entries for METRICS.md §2, satisfaction surveys."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import FRACTION, NO_OPTIONS, Bounds, Entry, Options, fixed, on_scale


def survey(
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


def breakdown_vector(result: Any) -> np.ndarray[Any, Any]:
    return np.asarray(tuple(result), dtype=float)


def interval_vector(result: Any) -> np.ndarray[Any, Any]:
    return np.asarray(tuple(result), dtype=float)


ci_options = st.fixed_dictionaries(
    {"confidence": st.floats(0.5, 0.999), "method": st.sampled_from(["wald", "adjusted-wald"])}
)

ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- satisfaction (§2)
    "nps": survey(None, fixed(-100.0, 100.0)),
    "nps_breakdown": Entry(
        kind="event",
        example={"scores": [10, 9, 7, 3]},
        records=lambda n, _o: gen.scores(n, 0, 10).map(lambda s: {"scores": s}),
        bounds=FRACTION,
        vector=breakdown_vector,
    ),
    "nps_standard_error": survey(None, fixed(0.0, 100.0)),
    "csat": survey((1, 5), FRACTION, min_span=2),
    "csat_mean": survey((1, 5), on_scale),
    "satisfaction_index": survey((1, 5), fixed(0.0, 100.0)),
    "ces": survey((1, 7), on_scale),
    "ces_agree_share": survey((1, 7), FRACTION),
    "nps_from_counts": Entry(
        kind="aggregate",
        example={"promoters": 120, "passives": 50, "detractors": 30},
        scalars=lambda _o: st.fixed_dictionaries(
            {"promoters": gen.counts, "passives": gen.counts, "detractors": gen.counts}
        ),
        zero=({"promoters": 0, "passives": 0, "detractors": 0},),
        bounds=fixed(-100.0, 100.0),
    ),
    "satisfaction_index_from_mean": Entry(
        kind="aggregate",
        example={"mean": 3.5, "scale": (1, 5)},
        options=gen.scales().map(lambda s: {"scale": s}),
        scalars=lambda o: st.floats(*o["scale"]).map(lambda m: {"mean": m}),
        bounds=fixed(0.0, 100.0),
    ),
    # ------------------------------------------------------------- NPS inference
    "NPSInterval": Entry(kind="type"),
    "NPSTest": Entry(kind="type"),
    "nps_ci": Entry(
        kind="event",
        example={"scores": [10, 9, 7, 3, 0], "confidence": 0.9, "method": "adjusted-wald"},
        options=ci_options,
        records=lambda n, _o: gen.scores(n, 0, 10).map(lambda s: {"scores": s}),
        bounds=fixed(-100.0, 100.0),
        vector=interval_vector,
    ),
    "nps_ci_from_counts": Entry(
        kind="helper",
        example={"promoters": [120, 0], "passives": [50, 0], "detractors": [30, 0]},
    ),
    "nps_test": Entry(
        kind="helper",
        example={"scores_a": [10, 9, 9, 6], "scores_b": [7, 3, 10], "confidence": 0.9},
    ),
    "nps_test_from_counts": Entry(
        kind="helper",
        example={
            "promoters_a": 120,
            "passives_a": 50,
            "detractors_a": 30,
            "promoters_b": [90, 0],
            "passives_b": [60, 0],
            "detractors_b": [50, 0],
        },
    ),
    "survey_response_rate": Entry(
        kind="aggregate",
        example={"responses": 45, "surveys_sent": 300},
        scalars=lambda _o: gen.subset_counts("surveys_sent", "responses"),
        zero=({"responses": 0, "surveys_sent": 0},),
        bounds=FRACTION,
    ),
}

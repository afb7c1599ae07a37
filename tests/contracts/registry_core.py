"""Contract entries for the library-wide helpers and public result types."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import Entry

ENTRIES: dict[str, Entry] = {
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

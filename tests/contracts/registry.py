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

from collections.abc import Callable
from typing import Any

import crm_metrics as cm

from . import registry_core, registry_satisfaction
from .entry import Entry

AREAS = (registry_core, registry_satisfaction)


def _merge() -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for area in AREAS:
        clash = set(merged) & set(area.ENTRIES)
        assert not clash, f"registered twice: {sorted(clash)}"
        merged.update(area.ENTRIES)
    return merged


REGISTRY: dict[str, Entry] = _merge()


def entries(*kinds: str) -> list[str]:
    """Registered names of the given kinds, sorted (for parametrize ids)."""
    return sorted(name for name, entry in REGISTRY.items() if entry.kind in kinds)


def function(name: str) -> Callable[..., Any]:
    func: Callable[..., Any] = getattr(cm, name)
    return func

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
pandas
    pandas-in, pandas-out drop-ins (``clv.summary_data_from_transaction_data``): registered
    so the coverage test sees them; their own area tests check them.

Names of the ``crm_metrics.clv`` subpackage are registered with the prefix ``clv.``
(``"clv.rfm_summary"``); :func:`function` resolves them from ``crm_metrics.clv``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import crm_metrics as cm

from . import (
    registry_campaign,
    registry_clv,
    registry_core,
    registry_customer,
    registry_datasets,
    registry_finance,
    registry_sales,
    registry_satisfaction,
    registry_service,
)
from .entry import Entry

AREAS = (
    registry_campaign,
    registry_clv,
    registry_core,
    registry_customer,
    registry_datasets,
    registry_finance,
    registry_sales,
    registry_satisfaction,
    registry_service,
)


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


#: Subpackages whose public names are registered as "<prefix>.<name>".
SUBPACKAGES = ("clv", "datasets")


def public_names() -> set[str]:
    """``crm_metrics.__all__`` plus the prefixed ``__all__`` of every public subpackage."""
    names = set(cm.__all__)
    for sub in SUBPACKAGES:
        names |= {f"{sub}.{name}" for name in getattr(cm, sub).__all__}
    return names


def function(name: str) -> Callable[..., Any]:
    owner: Any = cm
    if "." in name:
        sub, name = name.split(".", 1)
        owner = getattr(cm, sub)
    func: Callable[..., Any] = getattr(owner, name)
    return func

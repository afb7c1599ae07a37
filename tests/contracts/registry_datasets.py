"""Contract entries for ``crm_metrics.datasets``: the CDNOW loader and the generators.

They are helpers (no METRICS.md §7 properties): the contract tests check that every
argument has a declared rule, that bad values are refused naming the argument, and that
inputs are not mutated. Small sizes keep each call to milliseconds.
"""

from __future__ import annotations

from .entry import Entry

_SMALL = {"seed": 3, "start": "2024-01-01"}

ENTRIES: dict[str, Entry] = {
    "datasets.load_cdnow": Entry(kind="helper", example={"kind": "sample"}),
    "datasets.simulate_bgnbd": Entry(
        kind="helper",
        example={
            "n_customers": 20,
            "r": 0.243,
            "alpha": 4.414,
            "a": 0.793,
            "b": 2.426,
            "horizon": 39.0,
            "acquisition_window": 12.0,
            "spend": (6.25, 3.74, 15.44),
            "seed": 1,
        },
    ),
    "datasets.simulate_surveys": Entry(
        kind="helper", example={"n_responses": 50, "days": 30, **_SMALL}
    ),
    "datasets.simulate_campaigns": Entry(
        kind="helper", example={"n_contacts": 60, "n_campaigns": 2, **_SMALL}
    ),
    "datasets.simulate_sales": Entry(kind="helper", example={"n_deals": 40, "days": 60, **_SMALL}),
    "datasets.simulate_tickets": Entry(
        kind="helper", example={"n_tickets": 40, "days": 30, **_SMALL}
    ),
    "datasets.simulate_calls": Entry(kind="helper", example={"n_calls": 80, "days": 7, **_SMALL}),
    **{
        f"datasets.{name}": Entry(kind="type")
        for name in (
            "ActivityLog",
            "CallLog",
            "CampaignLog",
            "DealLog",
            "SalesData",
            "StageHistory",
            "SurveyLog",
            "TicketLog",
            "TransactionLog",
        )
    },
}

"""Contract entries for METRICS.md §3, campaign and marketing."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as gen
from .entry import FRACTION, NO_OPTIONS, Entry, Options, fixed

#: Money amounts: zero (zero denominators), round ones, and any amount of at least a cent up to
#: 1e9 (a subnormal amount would make a finite ratio overflow to inf).
money = st.one_of(st.sampled_from([0.0, 1.0, 250.0]), st.floats(0.01, 1e9))
UNBOUNDED = fixed(0.0, 1e30)  # ratios and money per unit: finite and >= 0


def chain(*names: str) -> st.SearchStrategy[dict[str, int]]:
    """Nested counts ``{names[0]: a, names[1]: b, ...}`` with ``a >= b >= ...``."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, int]:
        out = {names[0]: draw(gen.counts)}
        for prev, name in itertools.pairwise(names):
            out[name] = draw(st.integers(0, out[prev]))
        return out

    return build()


def pair(a: str, sa: st.SearchStrategy[Any], b: str, sb: st.SearchStrategy[Any]) -> Any:
    return lambda _o: st.fixed_dictionaries({a: sa, b: sb})


def ratio(
    example: Options, num: str, den: str, *, subset: bool, num_money: bool = False, bounds: Any
) -> Entry:
    """An aggregate ``num / den`` entry (a subset rate, or money / count, or count / count)."""
    if subset:
        scalars = lambda _o: chain(den, num)  # noqa: E731
    else:
        scalars = pair(num, money if num_money else gen.counts, den, gen.counts)
    return Entry(
        kind="aggregate",
        example=example,
        scalars=scalars,
        zero=({num: 0, den: 0},),
        bounds=bounds,
    )


def _flags(n: int) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    return st.lists(st.booleans(), min_size=n, max_size=n).map(lambda x: np.array(x, dtype=bool))


def _ints(n: int, hi: int) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    return st.lists(st.integers(0, hi), min_size=n, max_size=n).map(np.array)


_START, _END = np.datetime64("1950-01-01", "ns"), np.datetime64("2050-01-01", "ns")
_WINDOWS = st.one_of(NO_OPTIONS, st.just({"start": _START, "end": _END}))


def _in_window(n: int) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    """Timestamps inside [_START, _END): the contract's by= loop expects every key to survive
    the window (keys of filtered records are dropped, METRICS.md §0.6; tested by hand)."""
    lo, hi = int(_START.astype(np.int64)), int(_END.astype(np.int64)) - 1
    return st.lists(st.integers(lo, hi), min_size=n, max_size=n).map(
        lambda x: np.array(x, dtype=np.int64).view("datetime64[ns]")
    )


def _basket_records(n: int, opts: Options) -> st.SearchStrategy[Options]:
    ts = _in_window(n) if "start" in opts else gen.timestamps(n)
    return st.fixed_dictionaries({"customer_id": _ints(n, 4), "product_id": _ints(n, 3), "ts": ts})


_BASKET_EXAMPLE = {
    "customer_id": ["a", "a", "a", "b"],
    "product_id": ["x", "y", "x", "x"],
    "ts": ["2024-01-02", "2024-02-01", "2024-03-01", "2024-01-09"],
}

ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------- campaign records (§3)
    "CampaignSummary": Entry(kind="type"),
    "campaign_summary": Entry(
        kind="helper",
        example={
            "campaign_id": ["a", "a", "b", "b"],
            "sent": [True, True, True, False],
            "delivered": [True, True, False, False],
            "responded": [True, False, False, False],
            "converted": [True, False, False, False],
            "revenue": [50.0, 0.0, 0.0, 0.0],
            "is_new_customer": [True, False, False, False],
            "contact_id": [1, 2, 1, 3],
        },
    ),
    "campaign_revenue": Entry(
        kind="event",
        example={"revenue": [120.0, 35.0, 80.0], "converted": [True, False, True]},
        records=lambda n, _o: st.fixed_dictionaries(
            {
                "revenue": st.lists(money, min_size=n, max_size=n).map(np.array),
                "converted": _flags(n),
            }
        ),
        bounds=fixed(0.0, 1e11),
        empty=0.0,
    ),
    "campaign_new_customers": Entry(
        kind="event",
        example={
            "contact_id": [1, 1, 2, 3],
            "converted": [True, True, True, False],
            "is_new_customer": [True, True, False, True],
        },
        records=lambda n, _o: st.fixed_dictionaries(
            {"contact_id": _ints(n, 6), "converted": _flags(n), "is_new_customer": _flags(n)}
        ),
        bounds=fixed(0.0, 40.0),
        empty=0.0,
    ),
    "response_rate": Entry(
        kind="aggregate",
        example={"responded": 30, "delivered": 600, "sent": 750, "base": "sent"},
        options=st.sampled_from([{}, {"base": "sent"}]),
        scalars=lambda o: chain(
            *(("sent",) if o.get("base") == "sent" else ()), "delivered", "responded"
        ),
        zero=({"responded": 0, "delivered": 0},),
        bounds=FRACTION,
    ),
    "campaign_conversion_rate": Entry(
        kind="aggregate",
        example={"converted": 12, "delivered": 600, "responded": 30, "base": "responded"},
        options=st.sampled_from([{}, {"base": "responded"}]),
        scalars=lambda o: chain(
            "delivered", *(("responded",) if o.get("base") == "responded" else ()), "converted"
        ),
        zero=({"converted": 0, "delivered": 0},),
        bounds=FRACTION,
    ),
    "marketing_roi": Entry(
        kind="aggregate",
        example={"attributed_revenue": 50_000.0, "marketing_cost": 20_000.0, "margin": 0.6},
        scalars=lambda _o: st.fixed_dictionaries(
            {"attributed_revenue": money, "marketing_cost": money, "margin": st.floats(0, 1)}
        ),
        zero=({"attributed_revenue": 10.0, "marketing_cost": 0.0},),
        bounds=fixed(-1.0, 1e30),
    ),
    "roas": ratio(
        {"attributed_revenue": 12_000.0, "ad_spend": 3_000.0},
        "attributed_revenue",
        "ad_spend",
        subset=False,
        num_money=True,
        bounds=UNBOUNDED,
    ),
    "cost_per_lead": ratio(
        {"cost": 5_000.0, "leads": 125},
        "cost",
        "leads",
        subset=False,
        num_money=True,
        bounds=UNBOUNDED,
    ),
    "cost_per_acquisition": ratio(
        {"cost": 5_000.0, "new_customers_acquired": 20},
        "cost",
        "new_customers_acquired",
        subset=False,
        num_money=True,
        bounds=UNBOUNDED,
    ),
    "cost_per_response": ratio(
        {"cost": 1_200.0, "responses": 30},
        "cost",
        "responses",
        subset=False,
        num_money=True,
        bounds=UNBOUNDED,
    ),
    "cost_per_click": ratio(
        {"cost": 300.0, "clicks": 400},
        "cost",
        "clicks",
        subset=False,
        num_money=True,
        bounds=UNBOUNDED,
    ),
    "click_through_rate": ratio(
        {"clicks": 40, "impressions": 2_000},
        "clicks",
        "impressions",
        subset=True,
        bounds=FRACTION,
    ),
    "email_open_rate": ratio(
        {"unique_openers": 4_200, "delivered": 18_000},
        "unique_openers",
        "delivered",
        subset=True,
        bounds=FRACTION,
    ),
    "email_click_rate": ratio(
        {"unique_clickers": 540, "delivered": 18_000},
        "unique_clickers",
        "delivered",
        subset=True,
        bounds=FRACTION,
    ),
    "click_to_open_rate": ratio(
        {"unique_clickers": 540, "unique_openers": 4_200},
        "unique_clickers",
        "unique_openers",
        subset=True,
        bounds=FRACTION,
    ),
    "email_bounce_rate": ratio(
        {"bounced": 1_000, "sent": 20_000}, "bounced", "sent", subset=True, bounds=FRACTION
    ),
    "unsubscribe_rate": ratio(
        {"unsubscribes": 36, "delivered": 18_000},
        "unsubscribes",
        "delivered",
        subset=True,
        bounds=FRACTION,
    ),
    "email_list_growth_rate": Entry(
        kind="aggregate",
        example={
            "new_subscribers": 600,
            "unsubscribes": 150,
            "bounced_removed": 50,
            "list_size_start": 10_000,
        },
        scalars=lambda _o: chain("had", "unsubscribes", "bounced_removed").flatmap(
            lambda c: st.integers(0, c["had"]).map(
                lambda start: {
                    "list_size_start": start,
                    "new_subscribers": c["had"] - start,
                    "unsubscribes": c["unsubscribes"] - c["bounced_removed"],
                    "bounced_removed": c["bounced_removed"],
                }
            )
        ),
        zero=(
            {"new_subscribers": 0, "unsubscribes": 0, "bounced_removed": 0, "list_size_start": 0},
        ),
        bounds=fixed(-1.0, 1e30),
    ),
    "goal_conversion_rate": Entry(
        kind="aggregate",
        example={
            "converting_sessions": 150,
            "sessions": 5_000,
            "converting_users": 120,
            "users": 3_000,
            "base": "users",
        },
        options=st.sampled_from([{}, {"base": "users"}]),
        scalars=lambda o: st.tuples(
            chain("sessions", "converting_sessions"), chain("users", "converting_users")
        ).map(lambda t: {**t[0], **(t[1] if o.get("base") == "users" else {})}),
        zero=({"converting_sessions": 0, "sessions": 0},),
        bounds=FRACTION,
    ),
    "pages_per_session": ratio(
        {"pageviews": 12_500, "sessions": 5_000},
        "pageviews",
        "sessions",
        subset=False,
        bounds=UNBOUNDED,
    ),
    "avg_session_duration": Entry(
        kind="event",
        example={"durations": [30.0, 90.0, 240.0], "unit": "s"},
        options=st.sampled_from(["s", "min", "h"]).map(lambda u: {"unit": u}),
        records=lambda n, _o: st.lists(st.floats(0, 1e4), min_size=n, max_size=n).map(
            lambda d: {"durations": np.array(d)}
        ),
        bounds=fixed(0.0, 1e4),
    ),
    "avg_session_duration_from_counts": Entry(
        kind="aggregate",
        example={"total_duration": 36_000.0, "sessions": 300},
        options=st.sampled_from([{}, {"unit": "min"}]),
        scalars=pair("total_duration", money, "sessions", gen.counts),
        zero=({"total_duration": 0.0, "sessions": 0},),
        bounds=UNBOUNDED,
    ),
    "web_bounce_rate": Entry(
        kind="aggregate",
        example={"sessions": 5_000, "single_page_sessions": 2_100, "engaged_sessions": 3_600},
        options=st.sampled_from([{}, {"definition": "ga4"}]),
        scalars=lambda o: chain(
            "sessions",
            "engaged_sessions" if o.get("definition") == "ga4" else "single_page_sessions",
        ),
        zero=({"sessions": 0, "single_page_sessions": 0},),
        bounds=FRACTION,
    ),
    "cross_sell_ratio": Entry(
        kind="event",
        example=_BASKET_EXAMPLE,
        options=_WINDOWS,
        records=_basket_records,
        bounds=fixed(1.0, 4.0),
    ),
    "cross_sell_rate": Entry(
        kind="event",
        example=_BASKET_EXAMPLE,
        options=_WINDOWS,
        records=_basket_records,
        bounds=FRACTION,
    ),
    "upsell_rate": ratio(
        {"customers_upgraded": 45, "eligible_customers": 900},
        "customers_upgraded",
        "eligible_customers",
        subset=True,
        bounds=FRACTION,
    ),
    "upsell_revenue_share": Entry(
        kind="aggregate",
        example={"upsell_revenue": 30_000.0, "total_revenue": 200_000.0},
        scalars=lambda _o: money.flatmap(
            lambda total: st.floats(0, total).map(
                lambda part: {"upsell_revenue": part, "total_revenue": total}
            )
        ),
        zero=({"upsell_revenue": 0.0, "total_revenue": 0.0},),
        bounds=FRACTION,
    ),
    "response_lift": Entry(
        kind="aggregate",
        example={"test_conv": 50, "test_n": 1_000, "ctrl_conv": 40, "ctrl_n": 1_000},
        scalars=lambda _o: st.tuples(
            chain("test_n", "test_conv"), chain("ctrl_n", "ctrl_conv")
        ).map(lambda t: {**t[0], **t[1]}),
        zero=({"test_conv": 5, "test_n": 10, "ctrl_conv": 0, "ctrl_n": 10},),
        bounds=fixed(-1.0, 1e30),
    ),
}

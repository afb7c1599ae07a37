"""Hand-computed tests for crm_metrics.sales (METRICS.md §4) and the rules it added."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import crm_metrics as cm
from crm_metrics._validate import (
    Count,
    DealTimestamps,
    Duration,
    Fraction,
    LabelOrder,
    LabelProbabilities,
    Labels,
    Omittable,
    Option,
    Timestamps,
    validated,
)

NAT = "NaT"
#: Typed empty inputs (an empty list has no dtype; timestamps refuse float64).
T0 = np.array([], dtype="datetime64[ns]")
B0 = np.array([], dtype=bool)
F0 = np.array([], dtype=float)
S0 = np.array([], dtype=str)


def assert_nan(value: Any) -> None:
    assert isinstance(value, float)
    assert math.isnan(value)


# --------------------------------------------------------------------------- aggregates
class TestAggregates:
    def test_close_rate_from_counts(self) -> None:
        assert cm.close_rate_from_counts(30, 200) == 0.15
        assert_nan(cm.close_rate_from_counts(0, 0))
        np.testing.assert_array_equal(
            cm.close_rate_from_counts([30, 1, 0], [200, 4, 0]), [0.15, 0.25, np.nan]
        )
        assert math.isnan(cm.close_rate_from_counts(np.nan, 10))  # aggregate NaN propagates
        with pytest.raises(ValueError, match=r"won = 201.0 exceeds leads = 200.0"):
            cm.close_rate_from_counts(201, 200)
        with pytest.raises(ValueError, match=r"leads = -1.0 is negative"):
            cm.close_rate_from_counts(0, -1)

    def test_win_rate_from_counts_both_bases(self) -> None:
        assert cm.win_rate_from_counts(12, 28) == 0.3
        assert cm.win_rate_from_counts(12, 28, open=10) == 0.24
        assert cm.win_rate_from_counts(12, 28, open=0) == 0.3
        assert_nan(cm.win_rate_from_counts(0, 0))
        assert_nan(cm.win_rate_from_counts(0, 0, open=0))
        assert cm.win_rate_from_counts(0, 0, open=5) == 0.0
        np.testing.assert_array_equal(
            cm.win_rate_from_counts([1, 3], [1, 1], open=[2, 0]), [0.25, 0.75]
        )
        with pytest.raises(ValueError, match=r"open = 2.5 is not a whole number"):
            cm.win_rate_from_counts(1, 1, open=2.5)

    def test_lead_conversion_rate(self) -> None:
        assert cm.lead_conversion_rate(45, 300) == 0.15
        assert_nan(cm.lead_conversion_rate(0, 0))
        with pytest.raises(ValueError, match=r"converted = 4.0 exceeds leads = 3.0"):
            cm.lead_conversion_rate(4, 3)

    def test_average_deal_size_from_counts(self) -> None:
        assert cm.average_deal_size_from_counts(125_000.0, 5) == 25_000.0
        assert_nan(cm.average_deal_size_from_counts(0.0, 0))
        assert_nan(cm.average_deal_size_from_counts(10.0, 0))  # never inf
        with pytest.raises(ValueError, match=r"won_amount = -1.0 is negative"):
            cm.average_deal_size_from_counts(-1.0, 2)

    def test_pipeline_coverage_plain_and_remaining(self) -> None:
        assert cm.pipeline_coverage(900.0, 300.0) == 3.0
        # closed_won_to_date only matters with remaining=True
        assert cm.pipeline_coverage(900.0, 300.0, closed_won_to_date=120.0) == 3.0
        assert cm.pipeline_coverage(900.0, 300.0, closed_won_to_date=120.0, remaining=True) == 5.0
        assert_nan(cm.pipeline_coverage(900.0, 0.0))
        # quota met or exceeded: the remaining quota is <= 0 -> nan, never negative or inf
        assert_nan(cm.pipeline_coverage(900.0, 300.0, closed_won_to_date=300.0, remaining=True))
        assert_nan(cm.pipeline_coverage(900.0, 300.0, closed_won_to_date=400.0, remaining=True))
        np.testing.assert_array_equal(
            cm.pipeline_coverage(
                [900.0, 50.0], [300.0, 100.0], closed_won_to_date=[0.0, 150.0], remaining=True
            ),
            [3.0, np.nan],
        )

    def test_sales_velocity(self) -> None:
        assert cm.sales_velocity(40, 25_000.0, 0.25, 50) == 5000.0
        per_hour = cm.sales_velocity(40, 25_000.0, 0.25, np.timedelta64(50, "D"), unit="h")
        assert per_hour == pytest.approx(250_000.0 / 1200, rel=1e-12)
        # a plain number is read in `unit`: 1200 hours == 50 days
        assert cm.sales_velocity(40, 25_000.0, 0.25, 1200, unit="h") == per_hour
        assert_nan(cm.sales_velocity(40, 25_000.0, 0.25, 0))
        with pytest.raises(ValueError, match=r"win_rate = 25.0 is outside 0..1"):
            cm.sales_velocity(40, 25_000.0, 25, 50)
        with pytest.raises(ValueError, match=r"cycle_length = -1 is negative"):
            cm.sales_velocity(40, 25_000.0, 0.25, -1)

    def test_ratio_rows(self) -> None:
        assert cm.quota_attainment(360.0, 300.0) == 1.2
        assert_nan(cm.quota_attainment(1.0, 0.0))
        assert cm.renewal_rate(45, 50) == 0.9
        assert_nan(cm.renewal_rate(0, 0))
        with pytest.raises(ValueError, match=r"renewed = 51.0 exceeds up_for_renewal = 50.0"):
            cm.renewal_rate(51, 50)
        assert cm.revenue_renewal_rate(105.0, 100.0) == 1.05  # uplift may exceed 1
        assert_nan(cm.revenue_renewal_rate(3.0, 0.0))
        assert cm.proposal_win_rate(9, 20) == 0.45
        assert_nan(cm.proposal_win_rate(0, 0))
        with pytest.raises(
            ValueError, match=r"won_with_proposal = 3.0 exceeds deals_with_proposal"
        ):
            cm.proposal_win_rate(3, 2)
        assert cm.activities_per_rep_day(1200, 5, 20) == 12.0
        assert_nan(cm.activities_per_rep_day(3, 0, 20))
        assert_nan(cm.activities_per_rep_day(3, 4, 0))


# --------------------------------------------------------------------------- deals
CREATED = ["2024-01-03", "2024-01-10", "2024-01-15", "2024-01-20"]
CLOSED = ["2024-02-01", "2024-02-10", "2024-03-01", NAT]
WON = [True, True, False, False]


class TestCloseRate:
    def test_cohort_won_by_as_of(self) -> None:
        assert cm.close_rate(CREATED, CLOSED, WON) == 0.5
        # the second win (Feb 10) has not happened on Feb 5
        assert cm.close_rate(CREATED, CLOSED, WON, as_of="2024-02-05") == 0.25
        # leads created after as_of are not in the cohort yet
        assert cm.close_rate(CREATED, CLOSED, WON, as_of="2024-01-12") == 0.0
        assert cm.close_rate(CREATED, CLOSED, WON, as_of="2024-02-01") == 0.25  # at as_of: won

    def test_window_is_on_created_at(self) -> None:
        # [Jan 10, Jan 16): leads 2 (won) and 3 (lost)
        assert cm.close_rate(CREATED, CLOSED, WON, start="2024-01-10", end="2024-01-16") == 0.5
        assert_nan(cm.close_rate(CREATED, CLOSED, WON, start="2025-01-01"))

    def test_empty_and_grouped(self) -> None:
        assert_nan(cm.close_rate(T0, T0, B0))
        g = cm.close_rate(CREATED, CLOSED, WON, by=["a", "b", "a", "b"])
        assert g.to_dict() == {"a": 0.5, "b": 0.5}

    def test_close_before_create_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"closed_at\[1\] = 2024-01-01.* is earlier than"):
            cm.close_rate(CREATED, ["2024-02-01", "2024-01-01", NAT, NAT], WON)


class TestWinRate:
    def test_bases(self) -> None:
        # closed: won, won, lost -> 2/3; all: 2 won of 4 created
        assert cm.win_rate(CREATED, CLOSED, WON) == pytest.approx(2 / 3, rel=1e-15)
        assert cm.win_rate(CREATED, CLOSED, WON, base="all") == 0.5

    def test_window_on_closed_at_and_as_of(self) -> None:
        assert cm.win_rate(CREATED, CLOSED, WON, start="2024-02-05") == 0.5  # Feb 10, Mar 1
        assert cm.win_rate(CREATED, CLOSED, WON, end="2024-02-10") == 1.0  # end is exclusive
        # on Feb 15 the Mar 1 loss has not happened: the deal is open
        assert cm.win_rate(CREATED, CLOSED, WON, as_of="2024-02-15") == 1.0
        assert cm.win_rate(CREATED, CLOSED, WON, base="all", as_of="2024-02-05") == 0.25
        assert_nan(cm.win_rate(CREATED, CLOSED, WON, end="2024-01-01"))

    def test_as_of_equal_to_a_close(self) -> None:
        # a deal closed exactly at as_of has closed: 2 won of the 4 created by Feb 10
        feb10 = np.datetime64("2024-02-10", "ns")
        assert cm.win_rate(CREATED, CLOSED, WON, base="all", as_of=feb10) == 0.5
        ns = np.timedelta64(1, "ns")
        assert cm.win_rate(CREATED, CLOSED, WON, base="all", as_of=feb10 - ns) == 0.25
        # a deal created exactly at as_of is in the cohort: 2 won of 4
        jan20 = np.datetime64("2024-01-20", "ns")
        won = [True, True, False, True]
        closed = ["2024-01-05", "2024-01-12", "2024-01-16", "2024-01-20"]
        assert cm.close_rate(CREATED, closed, won, as_of=jan20) == 0.75
        assert cm.close_rate(CREATED, closed, won, as_of=jan20 - ns) == pytest.approx(
            2 / 3, rel=1e-15
        )

    def test_open_deals_ignore_won_flag(self) -> None:
        assert cm.win_rate(CREATED, CLOSED, [True, True, False, True], base="all") == 0.5

    def test_by_owner_and_quarter(self) -> None:
        created = ["2024-01-03", "2024-02-01", "2024-03-01", "2024-03-02", "2024-04-01"]
        closed = ["2024-02-01", "2024-03-15", "2024-04-02", "2024-05-01", "2024-06-01"]
        won = [True, False, True, True, False]
        owner = np.array(["ann", "ann", "ann", "bob", "bob"])
        quarter = cm.period_key(closed, "Q")
        g = cm.win_rate(created, closed, won, by=(owner, quarter))
        q1, q2 = np.datetime64("2024-01-01", "ns"), np.datetime64("2024-04-01", "ns")
        assert g.to_dict() == {("ann", q1): 0.5, ("ann", q2): 1.0, ("bob", q2): 0.5}
        # pooled over groups = Σ won / Σ decided, not the mean of the group rates
        assert cm.win_rate(created, closed, won) == 0.6

    def test_unknown_base(self) -> None:
        with pytest.raises(ValueError, match="base = 'open' is not a known option"):
            cm.win_rate(CREATED, CLOSED, WON, base="open")


class TestCycleAndSize:
    created = ("2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01")
    closed = ("2024-01-11", "2024-01-31", "2024-01-04", NAT)
    won = (True, True, False, True)

    def test_won_only_mean_and_variants(self) -> None:
        assert cm.sales_cycle_length(self.created, self.closed, self.won) == 20.0
        lost_too = cm.sales_cycle_length(self.created, self.closed, self.won, include_lost=True)
        assert lost_too == pytest.approx(43 / 3, rel=1e-15)
        median = cm.sales_cycle_length(
            self.created, self.closed, self.won, include_lost=True, stat="median"
        )
        assert median == 10.0
        assert cm.sales_cycle_length(self.created, self.closed, self.won, unit="h") == 480.0

    def test_precomputed_durations(self) -> None:
        # business days supplied by the caller; deals still selected by closed_at and won
        got = cm.sales_cycle_length(self.created, self.closed, self.won, durations=[8, 22, 2, 99])
        assert got == 15.0
        td = np.array([8, 22, 2, 99], dtype="timedelta64[D]")
        assert cm.sales_cycle_length(self.created, self.closed, self.won, durations=td) == 15.0
        with pytest.raises(ValueError, match=r"durations\[0\] = -1 is negative"):
            cm.sales_cycle_length(self.created, self.closed, self.won, durations=[-1, 0, 0, 0])

    def test_window_and_empty(self) -> None:
        assert (
            cm.sales_cycle_length(self.created, self.closed, self.won, start="2024-01-20") == 30.0
        )
        assert_nan(cm.sales_cycle_length(self.created, self.closed, self.won, end="2024-01-02"))
        assert_nan(cm.sales_cycle_length(T0, T0, B0))

    def test_average_deal_size(self) -> None:
        closed = ["2024-01-05", "2024-01-09", "2024-01-20", NAT]
        won = [True, True, False, True]  # the open deal's flag is ignored
        amount = [100.0, 300.0, 50.0, 900.0]
        assert cm.average_deal_size(closed, won, amount) == 200.0
        assert cm.average_deal_size(closed, won, amount, start="2024-01-06") == 300.0
        assert_nan(cm.average_deal_size(closed, won, amount, start="2024-01-10"))
        assert cm.average_deal_size(closed, won, amount, by=["a", "b", "a", "a"]).to_dict() == {
            "a": 100.0,
            "b": 300.0,
        }
        with pytest.raises(ValueError, match=r"amount\[2\] = nan is NaN"):
            cm.average_deal_size(closed, won, [1.0, 2.0, np.nan, 3.0])


class TestSnapshots:
    created = ("2024-01-01", "2024-02-01", "2024-03-01", "2024-03-05")
    closed = ("2024-02-15", NAT, NAT, "2024-03-06")
    amount = (100.0, 250.0, 50.0, 10.0)

    def test_open_opportunities(self) -> None:
        assert cm.open_opportunities(self.created, self.closed, as_of="2024-02-10") == 2
        # created exactly at as_of is open; closed exactly at as_of is closed
        assert cm.open_opportunities(self.created, self.closed, as_of="2024-02-01") == 2
        assert cm.open_opportunities(self.created, self.closed, as_of="2024-02-15") == 1
        assert cm.open_opportunities(self.created, self.closed) == 2  # default: after all
        assert cm.open_opportunities(T0, T0) == 0
        g = cm.open_opportunities(self.created, self.closed, as_of="2024-03-05", by=[1, 2, 1, 2])
        assert g.to_dict() == {1: 1, 2: 2}
        assert g.values.dtype == np.int64

    def test_pipeline_value(self) -> None:
        assert cm.pipeline_value(self.created, self.closed, self.amount) == 300.0
        assert (
            cm.pipeline_value(self.created, self.closed, self.amount, as_of="2024-02-10") == 350.0
        )
        assert cm.pipeline_value(T0, T0, F0) == 0.0

    def test_weighted_pipeline(self) -> None:
        probability = {"demo": 0.2, "proposal": 0.6, "won": 1.0, "lost": 0.0}
        stage = ["won", "demo", "proposal", "lost"]
        got = cm.weighted_pipeline(
            self.created, self.closed, self.amount, stage, probability=probability
        )
        assert got == pytest.approx(250 * 0.2 + 50 * 0.6, rel=1e-15)
        on_feb_10 = cm.weighted_pipeline(
            self.created,
            self.closed,
            self.amount,
            stage,
            probability=probability,
            as_of="2024-02-10",
        )
        assert on_feb_10 == pytest.approx(100 * 1.0 + 250 * 0.2, rel=1e-15)
        assert on_feb_10 <= cm.pipeline_value(
            self.created, self.closed, self.amount, as_of="2024-02-10"
        )
        assert cm.weighted_pipeline(T0, T0, F0, S0, probability=probability) == 0.0

    def test_pipeline_at_as_of_equal_to_a_creation_or_a_close(self) -> None:
        # open at as_of: created <= as_of < closed
        ns = np.timedelta64(1, "ns")
        feb1, feb15 = np.datetime64("2024-02-01", "ns"), np.datetime64("2024-02-15", "ns")
        args = (self.created, self.closed, self.amount)
        assert cm.pipeline_value(*args, as_of=feb1) == 350.0  # created at as_of: open
        assert cm.pipeline_value(*args, as_of=feb1 - ns) == 100.0
        assert cm.pipeline_value(*args, as_of=feb15) == 250.0  # closed at as_of: closed
        assert cm.pipeline_value(*args, as_of=feb15 - ns) == 350.0
        probability = {"demo": 0.2, "proposal": 0.6, "won": 1.0, "lost": 0.0}
        stage = ["won", "demo", "proposal", "lost"]
        weighted = [
            cm.weighted_pipeline(*args, stage, probability=probability, as_of=a)
            for a in (feb1 - ns, feb1, feb15 - ns, feb15)
        ]
        assert weighted == pytest.approx([100.0, 150.0, 150.0, 50.0], rel=1e-15)

    def test_weighted_pipeline_unknown_stage_names_it_and_its_row(self) -> None:
        with pytest.raises(ValueError, match=r"stage\[2\] = 'closing' is not a label of probabil"):
            cm.weighted_pipeline(
                self.created,
                self.closed,
                self.amount,
                ["won", "demo", "closing", "lost"],
                probability={"demo": 0.2, "won": 1.0, "lost": 0.0},
            )
        with pytest.raises(ValueError, match=r"probability\['demo'\] = 1.5 is not a probability"):
            cm.weighted_pipeline(
                self.created, self.closed, self.amount, ["demo"] * 4, probability={"demo": 1.5}
            )
        with pytest.raises(TypeError, match="probability must be a mapping"):
            cm.weighted_pipeline(
                self.created, self.closed, self.amount, ["demo"] * 4, probability=[0.5]
            )


class TestNewRevenueAndActivities:
    def test_new_revenue(self) -> None:
        closed = ["2024-01-05", "2024-01-09", "2024-01-20", "2024-01-25", NAT]
        won = [True, True, True, False, True]
        amount = [100.0, 300.0, 50.0, 70.0, 1000.0]
        kind = ["new", "renewal", "new", "new", "new"]
        assert cm.new_revenue(closed, won, amount, kind) == 150.0
        assert cm.new_revenue(closed, won, amount, kind, end="2024-01-20") == 100.0
        assert cm.new_revenue(T0, B0, F0, S0) == 0.0
        with pytest.raises(ValueError, match=r"deal_type\[1\] = 'upsell' is not one of"):
            cm.new_revenue(closed, won, amount, ["new", "upsell", "new", "new", "new"])

    def test_activity_count(self) -> None:
        ts = ["2024-01-02", "2024-01-02", "2024-01-03", "2024-02-01"]
        kinds = ["call", "email", "call", "call"]
        assert cm.activity_count(ts, kinds) == 4
        assert cm.activity_count(ts, kinds, kind="call") == 3
        assert cm.activity_count(ts, kinds, kind="call", end="2024-02-01") == 2
        assert cm.activity_count(ts, kinds, kind="proposal") == 0
        assert cm.activity_count(T0, S0) == 0
        g = cm.activity_count(ts, kinds, kind="call", by=["ann", "bob", "ann", "bob"])
        assert g.to_dict() == {"ann": 2, "bob": 1}  # bob's email does not count
        with pytest.raises(ValueError, match=r"activity_type\[3\] = 'sms' is not one of"):
            cm.activity_count(ts, ["call", "email", "call", "sms"])
        with pytest.raises(ValueError, match="kind = 'sms' is not a known option"):
            cm.activity_count(ts, kinds, kind="sms")

    def test_call_to_opportunity_rate(self) -> None:
        ts = ["2024-01-02", "2024-01-02", "2024-01-03", "2024-01-04"]
        kinds = ["call", "email", "call", "call"]
        created = [True, True, False, False]  # the email's opportunity is not a call's
        assert cm.call_to_opportunity_rate(ts, kinds, created) == pytest.approx(1 / 3)
        assert cm.call_to_opportunity_rate(ts, kinds, created, start="2024-01-03") == 0.0
        assert_nan(cm.call_to_opportunity_rate(ts, ["email"] * 4, created))
        assert_nan(cm.call_to_opportunity_rate(T0, S0, B0))


# --------------------------------------------------------------------------- stage history
ORDER = ["qualify", "demo", "proposal"]


class TestStageConversion:
    def test_reached_counts_later_stages(self) -> None:
        # deal 1 reached proposal, deal 2 only qualify, deal 3 skipped demo
        g = cm.stage_conversion_rates(
            [1, 1, 1, 2, 3],
            ["qualify", "demo", "proposal", "qualify", "proposal"],
            stage_order=ORDER,
        )
        assert list(g.keys) == ["qualify", "demo"]  # pipeline order
        np.testing.assert_allclose(g.values, [2 / 3, 1.0], rtol=1e-15)

    def test_revisits_count_once_and_row_order_is_irrelevant(self) -> None:
        deal = [1, 1, 1, 1, 2]
        stage = ["qualify", "demo", "qualify", "demo", "qualify"]
        g = cm.stage_conversion_rates(deal, stage, stage_order=ORDER)
        np.testing.assert_array_equal(g.values, [0.5, 0.0])
        back = cm.stage_conversion_rates(deal[::-1], stage[::-1], stage_order=ORDER)
        np.testing.assert_array_equal(back.values, g.values)

    def test_zero_denominator_per_stage(self) -> None:
        g = cm.stage_conversion_rates([1, 2], ["qualify", "qualify"], stage_order=ORDER)
        np.testing.assert_array_equal(g.values, [0.0, np.nan])
        empty = cm.stage_conversion_rates(F0, S0, stage_order=ORDER)
        assert np.isnan(empty.values).all()
        assert len(empty) == 2

    def test_product_telescopes(self) -> None:
        g = cm.stage_conversion_rates(
            [1, 1, 1, 2, 2, 3, 4], [*ORDER, "qualify", "demo", "qualify", "demo"], stage_order=ORDER
        )
        # reached: qualify 4, demo 3, proposal 1
        assert np.prod(g.values) == pytest.approx(1 / 4, rel=1e-15)

    def test_by_is_history_dependent(self) -> None:
        # deal 1's proposal row is keyed "b"; its qualify row "a". In group "a" deal 1 still
        # counts as having reached proposal (read from its whole history).
        g = cm.stage_conversion_rates(
            [1, 1, 2], ["qualify", "proposal", "qualify"], stage_order=ORDER, by=["a", "b", "a"]
        )
        assert g.columns == ("qualify", "demo")
        np.testing.assert_array_equal(g.values, [[0.5, 1.0], [1.0, 1.0]])

    def test_unknown_stage_is_refused_with_row(self) -> None:
        with pytest.raises(ValueError, match=r"stage\[1\] = 'won' is not a label of stage_order"):
            cm.stage_conversion_rates([1, 1], ["qualify", "won"], stage_order=ORDER)
        with pytest.raises(ValueError, match=r"stage_order\[1\] = 'a' is repeated"):
            cm.stage_conversion_rates([1], ["a"], stage_order=["a", "a"])
        with pytest.raises(ValueError, match="stage_order is empty"):
            cm.stage_conversion_rates([1], ["a"], stage_order=[])


def days(*values: int) -> np.ndarray:
    return np.datetime64("2024-01-01", "ns") + np.array(values) * np.timedelta64(1, "D")


class TestStageDurations:
    def test_visits_summed_per_deal_and_stage(self) -> None:
        # deal 1: qualify d0-2, demo d2-7, qualify d7-9 (closed d9) -> qualify 4, demo 5
        # deal 2: qualify d1-4, demo d4-... open (excluded) -> qualify 3
        g = cm.stage_durations(
            [1, 1, 1, 2, 2],
            ["qualify", "demo", "qualify", "qualify", "demo"],
            days(0, 2, 7, 1, 4),
            np.array([days(9)[0]] * 3 + [np.datetime64("NaT")] * 2, dtype="datetime64[ns]"),
            stage_order=ORDER,
            as_of=days(20)[0],
        )
        assert list(g.keys) == ORDER
        np.testing.assert_array_equal(g.values, [3.5, 5.0, np.nan])

    def test_include_open_censors_at_as_of(self) -> None:
        closed = np.array(["NaT", "NaT"], dtype="datetime64[ns]")
        args = ([1, 1], ["qualify", "demo"], days(0, 2), closed)
        g = cm.stage_durations(*args, stage_order=ORDER, as_of=days(6)[0])
        np.testing.assert_array_equal(g.values, [2.0, np.nan, np.nan])
        g = cm.stage_durations(*args, stage_order=ORDER, as_of=days(6)[0], include_open=True)
        np.testing.assert_array_equal(g.values, [2.0, 4.0, np.nan])
        # default as_of: one ns after the latest event
        g = cm.stage_durations(*args, stage_order=ORDER, include_open=True, unit="s")
        np.testing.assert_array_equal(g.values, [172_800.0, 1e-9, np.nan])

    def test_events_after_as_of_have_not_happened(self) -> None:
        # the demo entry (d5) and the close (d9) lie after as_of = d3: qualify is still open
        closed = days(9, 9)
        args = ([1, 1], ["qualify", "demo"], days(0, 5), closed)
        g = cm.stage_durations(*args, stage_order=ORDER, as_of=days(3)[0])
        assert np.isnan(g.values).all()
        g = cm.stage_durations(*args, stage_order=ORDER, as_of=days(3)[0], include_open=True)
        np.testing.assert_array_equal(g.values, [3.0, np.nan, np.nan])

    def test_equal_entered_at_ordered_by_stage_order(self) -> None:
        # demo and qualify entered at d2: qualify comes first (0 days), then demo (d2-5)
        deal = [7, 7, 7]
        stage = ["demo", "qualify", "proposal"]
        entered = days(2, 2, 5)
        closed = days(9, 9, 9)
        g = cm.stage_durations(deal, stage, entered, closed, stage_order=ORDER)
        np.testing.assert_array_equal(g.values, [0.0, 3.0, 4.0])
        for order in ([2, 1, 0], [1, 0, 2], [1, 2, 0]):
            again = cm.stage_durations(
                np.array(deal)[order],
                np.array(stage)[order],
                entered[order],
                closed[order],
                stage_order=ORDER,
            )
            np.testing.assert_array_equal(again.values, g.values)

    def test_median_and_units(self) -> None:
        deal = [1, 1, 2, 2, 3, 3]
        stage = ["qualify", "demo"] * 3
        entered = days(0, 1, 0, 2, 0, 6)
        closed = days(10, 10, 10, 10, 10, 10)
        g = cm.stage_durations(deal, stage, entered, closed, stage_order=ORDER, stat="median")
        np.testing.assert_array_equal(g.values, [2.0, 8.0, np.nan])
        h = cm.stage_durations(deal, stage, entered, closed, stage_order=ORDER, unit="h")
        np.testing.assert_allclose(h.values, [3 * 24, 7 * 24, np.nan], rtol=1e-15)

    def test_by_partitions_entries_history_from_all(self) -> None:
        # deal 1's qualify entry is keyed "a", its demo entry "b"; qualify still ends at the
        # demo entry (history from the whole input)
        g = cm.stage_durations(
            [1, 1, 2],
            ["qualify", "demo", "qualify"],
            days(0, 3, 0),
            days(5, 5, 1),
            stage_order=ORDER,
            by=["a", "b", "a"],
        )
        assert g.columns == tuple(ORDER)
        np.testing.assert_array_equal(g.values, [[2.0, np.nan, np.nan], [np.nan, 2.0, np.nan]])
        # groups whose only entries are open (excluded) do not appear
        g = cm.stage_durations(
            [1, 2],
            ["qualify", "qualify"],
            days(0, 0),
            np.array([days(2)[0], np.datetime64("NaT")], dtype="datetime64[ns]"),
            stage_order=ORDER,
            by=["a", "b"],
        )
        assert list(g.keys) == ["a"]

    def test_errors_name_the_row(self) -> None:
        with pytest.raises(ValueError, match=r"stage\[1\] = 'won' is not a label of stage_order"):
            cm.stage_durations(
                [1, 1], ["qualify", "won"], days(0, 1), days(2, 2), stage_order=ORDER
            )
        with pytest.raises(ValueError, match=r"closed_at\[1\] = .* differs from closed_at\[0\]"):
            cm.stage_durations(
                [1, 1], ["qualify", "demo"], days(0, 1), days(2, 3), stage_order=ORDER
            )
        with pytest.raises(ValueError, match=r"closed_at\[1\] = .* is earlier than entered_at\[1"):
            cm.stage_durations(
                [1, 1], ["qualify", "demo"], days(0, 4), days(3, 3), stage_order=ORDER
            )
        with pytest.raises(ValueError, match=r"entered_at\[0\] = NaT"):
            cm.stage_durations(
                [1],
                ["qualify"],
                np.array(["NaT"], dtype="datetime64[ns]"),
                days(3),
                stage_order=ORDER,
            )

    def test_empty(self) -> None:
        g = cm.stage_durations(F0, S0, T0, T0, stage_order=ORDER)
        assert np.isnan(g.values).all()
        assert len(g) == 3


# --------------------------------------------------------------------------- the new rules
class TestRules:
    def test_fraction(self) -> None:
        rule = Fraction()
        np.testing.assert_array_equal(rule.coerce("p", [0.0, 1.0, np.nan], {}), [0, 1, np.nan])
        with pytest.raises(ValueError, match=r"p\[1\] = 1.5 is outside 0..1"):
            rule.coerce("p", [0.5, 1.5], {})
        with pytest.raises(TypeError, match="p must be numeric"):
            rule.coerce("p", True, {})

    def test_label_order_and_probabilities(self) -> None:
        assert LabelOrder().coerce("o", np.array(["a", "b"]), {}) == ("a", "b")
        with pytest.raises(TypeError, match="o must be a list of labels"):
            LabelOrder().coerce("o", "ab", {})
        with pytest.raises(ValueError, match=r"o\[0\] = None is missing"):
            LabelOrder().coerce("o", [None], {})
        assert LabelProbabilities().coerce("p", {"a": 1, "b": 0.5}, {}) == {"a": 1.0, "b": 0.5}
        with pytest.raises(ValueError, match=r"p\['b'\] = nan is not a probability"):
            LabelProbabilities().coerce("p", {"a": 1, "b": float("nan")}, {})
        with pytest.raises(TypeError, match=r"p\['a'\] = True is not a number"):
            LabelProbabilities().coerce("p", {"a": True}, {})

    def test_labels_give_positions(self) -> None:
        done = {"order": ("b", "a", "c")}
        got = Labels(choices="order").coerce("x", ["a", "c", "b", "a"], done)
        np.testing.assert_array_equal(got, [1, 2, 0, 1])
        assert got.dtype == np.int64
        np.testing.assert_array_equal(Labels(choices=(3, 1)).coerce("x", [1, 3], {}), [1, 0])
        with pytest.raises(ValueError, match=r"x\[0\] = 'a' is not one of 3, 1"):
            Labels(choices=(3, 1)).coerce("x", ["a"], {})  # labels of another kind
        with pytest.raises(ValueError, match=r"x\[1\] = 'd' is not a label of order"):
            Labels(choices="order").coerce("x", ["a", "d"], done)
        assert len(Labels(choices="order").coerce("x", [], done)) == 0

    def test_optional_rules_pass_none(self) -> None:
        assert Omittable(Count()).coerce("n", None, {}) is None
        assert Omittable(Duration()).coerce("d", None, {"unit": "D"}) is None
        assert Omittable(Option(choices=("a",))).coerce("k", None, {}) is None
        assert Omittable(Option(choices=("a",))).coerce("k", "a", {}) == "a"
        with pytest.raises(ValueError, match=r"n = -1.0 is negative"):
            Omittable(Count()).coerce("n", -1, {})

    def test_closed_and_deal_timestamps(self) -> None:
        @validated(created_at=Timestamps(), closed_at=Timestamps(nat_ok=True, since="created_at"))
        def span(created_at: Any, closed_at: Any) -> Any:
            return closed_at

        assert np.isnat(span(["2024-01-02"], [NAT])[0])
        with pytest.raises(ValueError, match=r"closed_at\[0\] = 2024-01-01.* is earlier than"):
            span(["2024-01-02"], ["2024-01-01"])
        rule = DealTimestamps()
        values = np.array(["2024-01-05", NAT, NAT], dtype="datetime64[ns]")
        rule.check_constant("c", values, np.array([1, 2, 0]), np.array([True, False]))
        with pytest.raises(ValueError, match=r"c\[0\] = 2024-01-05.* differs from c\[2\] = NaT"):
            rule.check_constant("c", values, np.array([1, 2, 0]), np.array([True, True]))


# --------------------------------------------------------------------------- datetime keys
class TestDatetimeKeys:
    """by= parts that are datetimes: period keys (midnight labels) are grouped by counting in
    the grouping engine; the keys must be those of numpy.unique, NaT last."""

    created = np.array(
        ["2024-01-03", "2024-02-10", "2024-04-15", "2024-05-20", "2024-07-01"],
        dtype="datetime64[ns]",
    )
    closed = np.array(
        ["2024-02-01", "NaT", "2024-05-01", "2024-08-10", "NaT"], dtype="datetime64[ns]"
    )
    won = np.array([True, False, True, False, False])

    def test_period_keys_with_nat_sort_last(self) -> None:
        quarter = cm.period_key(self.closed, "Q")
        g = cm.win_rate(self.created, self.closed, self.won, base="all", by=quarter)
        assert g.keys.dtype == np.dtype("datetime64[ns]")
        expected = np.array(["2024-01-01", "2024-04-01", "2024-07-01", "NaT"], dtype="M8[ns]")
        np.testing.assert_array_equal(g.keys, expected)
        np.testing.assert_array_equal(g.values, [1.0, 1.0, 0.0, 0.0])

    def test_multi_key_and_non_compact_times(self) -> None:
        owner = np.array(["b", "a", "b", "a", "b"])
        g = cm.win_rate(self.created, self.closed, self.won, by=(owner, self.closed))
        # raw nanosecond times far apart in steps of one day: still exact keys
        assert g.to_dict() == {
            ("a", np.datetime64("2024-08-10", "ns")): 0.0,
            ("b", np.datetime64("2024-02-01", "ns")): 1.0,
            ("b", np.datetime64("2024-05-01", "ns")): 1.0,
        }
        fine = self.created + np.array([1, 7, 3, 5, 2], dtype="timedelta64[ns]")
        g = cm.close_rate(self.created, self.closed, self.won, by=fine)
        np.testing.assert_array_equal(g.keys, np.sort(fine))
        np.testing.assert_array_equal(g.values, [1.0, 0.0, 1.0, 0.0, 0.0])

    def test_coarse_datetime_keys_keep_their_unit(self) -> None:
        day = self.created.astype("datetime64[D]")
        g = cm.open_opportunities(self.created, self.closed, by=day)
        assert g.keys.dtype == np.dtype("datetime64[D]")
        assert g.to_dict() == {np.datetime64("2024-02-10"): 1, np.datetime64("2024-07-01"): 1}

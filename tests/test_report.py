"""End-to-end report figures: report.json validates against its schema and every figure
checked here equals a direct call of the library on the same records."""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crm_metrics as cm
from crm_metrics import clv, datasets
from crm_metrics.cli import main
from crm_metrics.report.compute import METRICS
from crm_metrics.report.schema import Report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "report.toml"
DATA = ROOT / "examples" / "data"


def _read(out: Path) -> tuple[Report, dict[str, Any]]:
    raw = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return Report.model_validate(raw), raw["metrics"]


def _same(reported: Any, direct: Any) -> bool:
    """Equal as JSON numbers: nan is written as null."""
    if isinstance(direct, float) and math.isnan(direct):
        return reported is None
    return bool(reported == direct)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    return out, _read(out)[1]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("example")
    assert main(["report", "--config", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    return out, _read(out)[1]


def test_demo_covers_every_area_and_metric(demo: tuple[Path, dict[str, Any]]) -> None:
    out, figures = demo
    assert list(figures) == list(METRICS)  # the demo has every input: every metric, in order
    report = Report.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    assert report.schema_version == 2
    assert report.sources["transactions"].rows == 69659
    assert sorted(p.name for p in out.iterdir()) == ["customers.csv", "report.html", "report.json"]


def test_demo_figures_equal_library_calls(demo: tuple[Path, dict[str, Any]]) -> None:
    out, m = demo
    log = datasets.load_cdnow()
    assert m["active_customers"]["value"] == cm.active_customers(log.customer_id, log.ts)
    assert m["repeat_purchase_rate"]["value"] == cm.repeat_purchase_rate(log.customer_id, log.ts)
    cohorts = cm.cohort_retention_matrix(log.customer_id, log.ts, freq="M")
    rows = m["cohort_retention"]["value"]["rows"]
    assert [r[1] for r in rows] == cohorts.sizes.tolist()
    assert rows[0][2:] == [None if math.isnan(v) else v for v in cohorts.matrix[0].tolist()]

    s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7)
    bg = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    assert {k: m["bgnbd"]["value"][k] for k in ["r", "alpha", "a", "b"]} == {
        "r": bg.r,
        "alpha": bg.alpha,
        "a": bg.a,
        "b": bg.b,
    }
    mbg = clv.fit_mbgnbd(s.frequency, s.recency, s.T)  # P(alive) and CLV come from MBG/NBD
    assert mbg.converged
    assert {k: m["mbgnbd"]["value"][k] for k in ["r", "alpha", "a", "b"]} == {
        "r": mbg.r,
        "alpha": mbg.alpha,
        "a": mbg.a,
        "b": mbg.b,
    }
    keep = (s.frequency > 0) & (s.monetary_value > 0)
    gg = clv.fit_gamma_gamma(s.frequency[keep], s.monetary_value[keep])
    assert m["gamma_gamma"]["value"]["q"] == gg.q
    value = clv.customer_lifetime_value(
        mbg, gg, s.frequency, s.recency, s.T, s.monetary_value, time=12, freq="W"
    )
    assert m["clv_total"]["value"] == float(value.sum())
    p_alive = clv.mbgnbd_p_alive(mbg, s.frequency, s.recency, s.T)
    assert m["p_alive_mean"]["value"] == float(p_alive.mean())
    assert sum(m["p_alive"]["value"]["counts"]) == len(s)
    assert m["customer_scores"]["kind"] == "file"
    assert m["customer_scores"]["value"]["rows"] == len(s)
    scores = pd.read_csv(out / m["customer_scores"]["value"]["path"], dtype={"customer_id": str})
    assert list(scores.columns) == m["customer_scores"]["value"]["columns"]
    assert len(scores) == len(s)
    assert scores["customer_id"].tolist() == [str(k) for k in s.customer_id.tolist()]
    assert scores["clv"].tolist() == value.tolist()  # written exactly (shortest repr)
    assert scores["p_alive"].tolist() == p_alive.tolist()
    assert m["top_customers"]["value"]["rows"][0][6] == float(value.max())

    surveys = datasets.simulate_surveys(5000, seed=0)
    assert m["nps"]["value"] == cm.nps(surveys.nps_score)
    by_channel = cm.nps(surveys.nps_score, by=surveys.channel)
    rows = m["nps_by_channel"]["value"]["rows"]
    assert {r[0]: r[2] for r in rows} == by_channel.to_dict()
    assert [r[1] for r in rows] == [int((surveys.channel == k).sum()) for k in by_channel.keys]
    assert (
        list(m["nps_distribution"]["value"].values())
        == np.bincount(surveys.nps_score, minlength=11).tolist()
    )

    sales = datasets.simulate_sales(3000, seed=0)
    d = sales.deals
    assert m["win_rate"]["value"] == cm.win_rate(d.created_at, d.closed_at, d.won)
    by_stage = cm.pipeline_value(d.created_at, d.closed_at, d.amount, by=d.stage).to_dict()
    assert m["pipeline_by_stage"]["value"] == by_stage

    tickets = datasets.simulate_tickets(5000, seed=0)
    frt = cm.first_response_time(tickets.opened_at, tickets.first_response_at)
    assert m["first_response_time"]["value"] == frt
    calls = datasets.simulate_calls(20000, seed=0)
    level = cm.service_level(calls.queued_at, calls.answered_at, calls.wait)
    assert m["service_level"]["value"] == level

    campaigns = datasets.simulate_campaigns(20000, seed=0)
    summary = cm.campaign_summary(
        campaigns.campaign_id,
        campaigns.sent,
        campaigns.delivered,
        campaigns.responded,
        campaigns.converted,
        campaigns.revenue,
        campaigns.is_new_customer,
        campaigns.contact_id,
    )
    assert m["campaign_funnel"]["value"]["converted"] == int(summary.converted.sum())
    cost = sum(campaigns.costs.values())
    assert m["roas"]["value"] == cm.roas(float(summary.revenue.sum()), cost)


def test_example_figures_equal_library_calls(example: tuple[Path, dict[str, Any]]) -> None:
    _, m = example
    window = {"start": "2024-01-01", "end": "2025-01-01"}
    orders = pd.read_csv(DATA / "orders.csv", dtype=str)
    cid, ts = orders["customer"].to_numpy(dtype=str), orders["order_date"].to_numpy(dtype=str)
    assert m["new_customers"]["value"] == cm.new_customers(cid, ts, **window)
    assert m["active_customers"]["value"] == cm.active_customers(cid, ts, as_of="2025-07-01")
    assert _same(
        m["avg_time_between_purchases"]["value"], cm.avg_time_between_purchases(cid, ts, **window)
    )

    surveys = pd.read_csv(DATA / "surveys.csv")
    inside = (surveys["responded_at"] >= "2024-01-01") & (surveys["responded_at"] < "2025-01-01")
    assert m["nps"]["value"] == cm.nps(surveys["nps_score"][inside])
    assert m["csat"]["value"] == cm.csat(surveys["csat_score"][inside])
    quarters = cm.period_key(surveys["responded_at"][inside].to_numpy(dtype=str), "Q")
    by_quarter = cm.nps(surveys["nps_score"][inside], by=quarters)
    assert [r[2] for r in m["nps_by_period"]["value"]["rows"]] == by_quarter.values.tolist()

    t = pd.read_csv(DATA / "tickets.csv", dtype=str, keep_default_na=False)
    stamps = {
        c: t[c].replace("", "NaT").to_numpy(dtype=str) for c in t.columns if c.endswith("_at")
    }
    frt = cm.first_response_time(stamps["opened_at"], stamps["first_response_at"], **window)
    assert m["first_response_time"]["value"] == frt
    sla = cm.sla_compliance_rate(
        stamps["opened_at"],
        resolved_at=stamps["resolved_at"],
        due_at=stamps["due_at"],
        as_of="2025-07-01",
        **window,
    )
    assert m["sla_compliance_rate"]["value"] == sla
    assert len(m["top_customers"]["value"]["rows"]) == 5


def test_html_is_self_contained_with_charts(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert html.count("<svg") >= 7  # heatmap, NPS, funnel, pipeline, FRT, P(alive), CLV
    for title in ("Cohort retention", "NPS answers by score", "Campaign funnel"):
        assert title in html


def test_parquet_input_gives_the_same_figures(
    tmp_path: Path, example: tuple[Path, dict[str, Any]]
) -> None:
    frame = pd.read_csv(DATA / "surveys.csv")
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    frame.to_parquet(tmp_path / "surveys.parquet")
    args = ["report", "--source", f"surveys={tmp_path / 'surveys.parquet'}"]
    out = tmp_path / "out"
    args += ["--start", "2024-01-01", "--end", "2025-01-01", "--out", str(out), "--quiet"]
    assert main(args) == 0
    _, figures = _read(out)
    _, expected = example
    for name in ("nps", "csat", "ces", "nps_by_agent", "nps_distribution"):
        assert figures[name] == expected[name]


def test_an_undefined_figure_is_not_available_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("responded_at,nps_score\n2024-01-01,9\n", encoding="utf-8")
    args = ["report", "--source", f"surveys={tmp_path / 's.csv'}", "--metrics"]
    out = tmp_path / "out"
    assert main([*args, "nps_standard_error,nps", "--out", str(out), "--quiet"]) == 0
    _, figures = _read(out)
    assert figures["nps"]["value"] == 100.0
    assert figures["nps_standard_error"] == {  # n < 2: the library's nan
        "area": "surveys",
        "title": "NPS standard error",
        "unit": "points",
        "note": None,
        "kind": "not_available",
        "value": None,
        "reason": "fewer than two responses in the window",
    }


def _drawn(label: str) -> float:
    """A number as a chart draws it: '62.5k', '1.26M', '49.5 %', '23,570', '37%'."""
    text = label.replace(",", "").strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1.0)
    return float(text[:-1] if scale != 1.0 else text) * scale


def _same_drawn(label: str, value: float, unit: str = "") -> bool:
    """Equal to the three significant digits (or 0.1 percentage point) a chart shows."""
    tolerance = 0.0005 if unit in ("fraction", "probability") else 0.005 * abs(value)
    return abs(_drawn(label) - value) <= tolerance + 1e-12


def test_a_bar_label_is_its_figure() -> None:
    from crm_metrics.report.html import _bars

    svg = _bars("funnel", ["sent", "converted"], [62479, 462], "recipients")
    assert ">62.5k</text>" in svg  # was "6.25k": the compact formatter divided by 10,000
    assert ">462</text>" in svg


def test_every_number_drawn_in_a_chart_is_its_figure(demo: tuple[Path, dict[str, Any]]) -> None:
    import re
    import xml.etree.ElementTree as ET

    out, m = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    charts = {
        found["name"]: ET.fromstring(found[0])
        for found in re.finditer(r'<svg [^>]*data-metric="(?P<name>[^"]+)".*?</svg>', html, re.S)
    }
    trends = {name for name in m if name.startswith("trend_")}
    assert len(trends) == 11
    assert set(charts) == trends | {
        "cohort_retention",
        "p_alive",
        "clv",
        "nps_distribution",
        "campaign_funnel",
        "pipeline_by_stage",
        "first_response_time_distribution",
    }
    checked = 0
    for name, svg in charts.items():
        texts: dict[str, list[str]] = {}
        for text in svg.iter("text"):
            texts.setdefault(text.get("class", ""), []).append(text.text or "")
        assert "" not in texts, name  # every number drawn has a class, so it is checked here
        fig = m[name]
        assert texts.pop("zero", ["0"]) == ["0"]
        if fig["kind"] == "mapping":
            labels, values = list(fig["value"]), list(fig["value"].values())
            assert texts["axis"] == labels
            assert len(texts["value"]) == len(values)
            for label, value in zip(texts["value"], values, strict=True):
                assert _same_drawn(label, value, fig["unit"]), (name, label, value)
            assert _same_drawn(texts["peak"][0], max(values), fig["unit"])
        elif fig["kind"] == "histogram":
            edges, counts = fig["value"]["edges"], fig["value"]["counts"]
            every = -(-len(counts) // 5)
            assert len(texts["axis"]) == len(range(0, len(counts), every))
            for label, edge in zip(texts["axis"], edges[::every], strict=False):
                assert _same_drawn(label, edge), (name, label, edge)
            assert _same_drawn(texts["peak"][0], max(counts))
        elif name in trends:
            head, rows = fig["value"]["columns"], fig["value"]["rows"]
            assert head == [
                "period",
                "n",
                "value",
                "ci_low",
                "ci_high",
                "change",
                "p_value",
                "significant",
            ]
            every = -(-len(rows) // 5)
            assert texts["axis"] == [r[0] for r in rows][::every]
            drawn = [v for r in rows for v in r[2:5] if v is not None]
            assert _same_drawn(texts["peak"][0], max(drawn), fig["unit"]), name
            assert _same_drawn(texts["floor"][0], min(drawn), fig["unit"]), name
        else:
            rows = fig["value"]["rows"]
            assert texts["offset"] == fig["value"]["columns"][2:]
            assert [int(t.rsplit("(n=", 1)[1][:-1].replace(",", "")) for t in texts["cohort"]] == [
                r[1] for r in rows
            ]
            cells = [v for r in rows for v in r[2:] if v is not None]
            assert len(texts["cell"]) == len(cells)
            for label, value in zip(texts["cell"], cells, strict=True):
                assert abs(_drawn(label) - value) <= 0.005 + 1e-12, (label, value)
        checked += sum(map(len, texts.values()))
    assert checked > 100


def test_the_defaults_the_run_resolved_are_recorded(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    report = _read(out)[0]
    assert (report.window.start, report.window.end, report.window.as_of) == (None, None, None)
    log = datasets.load_cdnow()
    tx = report.window.resolved["transactions"]
    assert (tx.anchor, tx.records_in_window) == ("ts", 69659)
    assert np.datetime64(tx.start) == log.ts.min()
    assert np.datetime64(tx.as_of) == log.ts.max() + np.timedelta64(1, "ns")
    assert tx.end == tx.as_of  # one ns after the last order
    tickets = datasets.simulate_tickets(5000, seed=0)
    latest = max(
        a[~np.isnat(a)].max()
        for a in (tickets.opened_at, tickets.first_response_at, tickets.resolved_at)
    )
    assert np.datetime64(report.window.resolved["tickets"].as_of) == latest + np.timedelta64(
        1, "ns"
    )
    assert report.window.resolved["campaigns"].as_of is None  # no timestamp in that log
    assert report.settings["rfm_time_unit"] == "weeks"
    assert report.settings["clv_horizon_months"] == 12
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "As of <strong>1998-06-30 00:00</strong> (transactions)" in html


def test_a_given_as_of_is_the_snapshot_of_every_input(
    example: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = example
    report = _read(out)[0]
    assert {r.as_of for r in report.window.resolved.values()} == {"2025-07-01"}
    assert report.window.resolved["surveys"].records_in_window == 40
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "As of <strong>2025-07-01 00:00</strong> (given)" in html


def test_durations_are_shown_in_a_unit_that_fits(demo: tuple[Path, dict[str, Any]]) -> None:
    from crm_metrics.report.terminal import format_duration

    out, m = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    hours = m["first_response_time"]["value"]
    assert m["first_response_time"]["unit"] == "hours"  # report.json keeps the unit
    shown = format_duration(hours, "hours")
    assert shown == f"{hours:.3g} h"
    assert f'<td>{shown}</td><td class="unit"></td>' in html
    median = m["first_response_time_median"]["value"]
    assert median < 1.5
    assert f"<td>{60 * median:.3g} min</td>" in html  # not "1.03 hours"
    assert format_duration(0.0881, "hours") == "5.29 min"
    assert format_duration(m["average_speed_of_answer"]["value"], "seconds").endswith(" s")
    assert format_duration(3 * 86400, "seconds") == "3 days"


def test_group_figures_carry_their_sample_size_and_interval(tmp_path: Path) -> None:
    # Agent "Zed" has 3 answers, all promoters: NPS 100, but the interval says how little
    # that rests on; "Ann" has 200.
    lines = ["responded_at,nps_score,csat_score,ces_score,agent,channel"]
    lines += [
        f"2024-01-{1 + i % 28:02d},{9 if i % 2 else 3},{5 if i % 3 else 2},4,Ann,chat"
        for i in range(200)
    ]
    lines += [f"2024-02-0{i + 1},10,5,4,Zed,phone" for i in range(3)]
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["report", "--source", f"surveys={tmp_path / 's.csv'}", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    _, m = _read(tmp_path / "out")
    frame = pd.read_csv(tmp_path / "s.csv")
    table = m["nps_by_agent"]["value"]
    assert table["columns"] == ["agent", "responses", "nps", "ci_low", "ci_high"]
    se = cm.nps_standard_error(frame["nps_score"], by=frame["agent"]).to_dict()
    for agent, n, nps, low, high in table["rows"]:
        scores = frame["nps_score"][frame["agent"] == agent]
        assert n == len(scores)
        assert nps == cm.nps(scores)
        assert (low, high) == tuple(cm.nps_ci(scores))  # the library's Wald interval
        half = 1.959963984540054 * se[agent]  # which is NPS +- 1.96 standard errors
        assert low == pytest.approx(max(nps - half, -100.0), abs=1e-12)
        assert high == pytest.approx(min(nps + half, 100.0), abs=1e-12)
    zed = table["rows"][1]
    assert zed[:3] == ["Zed", 3, 100.0]
    # All 3 answers agree, so the standard error is 0 and so is the interval's width: the
    # sample size (and the grey row below) is what tells the reader how little this rests on.
    assert zed[3:] == [100.0, 100.0]

    csat = m["csat_by_channel"]["value"]
    assert csat["columns"] == ["channel", "responses", "csat", "ci_low", "ci_high"]
    for channel, n, rate, low, high in csat["rows"]:
        top2 = int((frame["csat_score"][frame["channel"] == channel] >= 4).sum())
        assert rate == top2 / n
        assert (low, high) == tuple(cm.proportion_ci(top2, n))
    phone = csat["rows"][1]
    assert phone[:3] == ["phone", 3, 1.0]
    assert phone[3] < 0.45  # Wilson: 3 of 3 is compatible with a rate below one half
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<tr class="small"><td>Zed</td><td>3</td><td>100.0</td>' in html
    assert "95 % intervals: NPS ± 1.96 standard errors. A group's" in html
    assert "95 % intervals: Wilson score. A group's" in html


def test_win_rate_by_owner_counts_the_deals_it_rests_on(demo: tuple[Path, dict[str, Any]]) -> None:
    out, m = demo
    d = datasets.simulate_sales(3000, seed=0).deals
    table = m["win_rate_by_owner"]["value"]
    assert table["columns"] == ["owner", "closed_deals", "win_rate", "ci_low", "ci_high"]
    rates = cm.win_rate(d.created_at, d.closed_at, d.won, by=d.owner).to_dict()
    for owner, n, rate, low, high in table["rows"]:
        mine = (d.owner == owner) & ~np.isnat(d.closed_at)
        won = int((mine & d.won).sum())
        assert n == int(mine.sum())
        assert rate == rates[owner] == won / n
        assert (low, high) == tuple(cm.proportion_ci(won, n))
    campaigns = m["campaign_summary"]["value"]
    head = campaigns["columns"]
    for row in campaigns["rows"]:
        cells = dict(zip(head, row, strict=True))
        assert cells["conversion_rate"] == cells["converted"] / cells["delivered"]
        low, high = cm.proportion_ci(cells["converted"], cells["delivered"])
        assert (cells["ci_low"], cells["ci_high"]) == (low, high)
    frt = m["first_response_time_by_channel"]["value"]
    assert frt["columns"] == ["channel", "answered_tickets", "mean_first_response"]
    tickets = datasets.simulate_tickets(5000, seed=0)
    answered = ~np.isnat(tickets.first_response_at)
    assert [r[1] for r in frt["rows"]] == [
        int((answered & (tickets.channel == r[0])).sum()) for r in frt["rows"]
    ]
    html = (out / "report.html").read_text(encoding="utf-8")
    chat = frt["rows"][0]
    assert f"<tr><td>chat</td><td>{chat[1]:,}</td><td>{chat[2] * 60:.3g} min</td></tr>" in html


def test_the_clv_section_says_what_p_alive_means_for_one_time_buyers(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    from crm_metrics.clv.segments import RFM_SEGMENTS

    out, m = demo
    log = datasets.load_cdnow()
    s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7)
    bg_p_alive = clv.bgnbd_p_alive(
        clv.fit_bgnbd(s.frequency, s.recency, s.T), s.frequency, s.recency, s.T
    )
    p_alive = clv.mbgnbd_p_alive(
        clv.fit_mbgnbd(s.frequency, s.recency, s.T), s.frequency, s.recency, s.T
    )
    once = s.frequency == 0
    assert m["rfm_summary"]["value"]["one_time_customers"] == int(once.sum())
    assert np.all(bg_p_alive[once] == 1.0)  # what the note says BG/NBD would give them
    assert np.all(p_alive[once] < 1.0)  # the report's MBG/NBD does not
    assert m["p_alive_mean_repeat"]["value"] == float(p_alive[~once].mean())
    note = m["p_alive_mean"]["note"]
    assert note.startswith(f"{int(once.sum()):,} of {len(s):,} customers (")
    assert "MBG/NBD" in note
    assert "BG/NBD would give each of them 1" in note
    assert f"{100 * p_alive[once].mean():.1f} % on average" in note
    assert f"{100 * p_alive[~once].mean():.1f} %" in note
    assert "not 1 minus the activity churn" in note
    rule = m["rfm_segments"]["note"]
    for name, codes in RFM_SEGMENTS.items():
        assert f"{name}: {', '.join(sorted(codes))}" in rule
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'<p class="note">{escape(note)}</p>' in html


def _series(figure: dict[str, Any]) -> dict[str, list[Any]]:
    head, rows = figure["value"]["columns"], figure["value"]["rows"]
    return {c: [r[i] for r in rows] for i, c in enumerate(head)}


def test_trends_by_hand(tmp_path: Path) -> None:
    # January: a orders twice, b once; February: nothing; March: a, c and d, c twice.
    text = (
        "customer_id,ts,amount\n"
        "a,2024-01-03,10\na,2024-01-20,5\nb,2024-01-09,7\n"
        "a,2024-03-01,1\nc,2024-03-02,2\nc,2024-03-30,3\nd,2024-03-31,4\n"
    )
    (tmp_path / "o.csv").write_text(text, encoding="utf-8")
    args = ["report", "--source", f"transactions={tmp_path / 'o.csv'}", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    _, m = _read(tmp_path / "out")
    orders = _series(m["trend_orders"])
    assert orders["period"] == ["2024-01-01", "2024-03-01"]
    assert orders["value"] == orders["n"] == [3, 4]
    assert orders["change"] == [None, None]  # February had no order: no period just before
    assert _series(m["trend_active_customers"])["change"] == [None, None]
    assert _series(m["trend_revenue"])["value"] == [22.0, 10.0]
    assert _series(m["trend_new_customers"])["value"] == [2, 2]  # a, b; then c, d
    assert _series(m["trend_active_customers"])["value"] == [2, 4]
    repeat = _series(m["trend_repeat_purchase_rate"])
    assert repeat["n"] == [2, 3]
    assert repeat["value"] == [0.5, 1 / 3]
    low, high = cm.proportion_ci(1, 3)
    assert (repeat["ci_low"][1], repeat["ci_high"][1]) == (low, high)
    assert repeat["p_value"] == [None, None]
    assert m["trend_orders"]["note"].startswith("n: the records behind each period's figure.")


def test_trends_of_the_demo_equal_library_calls(demo: tuple[Path, dict[str, Any]]) -> None:
    _, m = demo
    surveys = datasets.simulate_surveys(5000, seed=0)
    months = cm.period_key(surveys.responded_at, "M")
    nps = _series(m["trend_nps"])
    assert nps["value"] == cm.nps(surveys.nps_score, by=months).values.tolist()
    se = cm.nps_standard_error(surveys.nps_score, by=months).values
    assert nps["n"] == np.unique(months, return_counts=True)[1].tolist()
    for i in range(1, len(se)):
        z = (nps["value"][i] - nps["value"][i - 1]) / math.hypot(se[i], se[i - 1])
        assert math.isclose(nps["p_value"][i], math.erfc(abs(z) / math.sqrt(2)), rel_tol=1e-9)
        assert nps["significant"][i] == ("yes" if nps["p_value"][i] < 0.05 else "no")
        assert nps["change"][i] == nps["value"][i] - nps["value"][i - 1]
    csat = _series(m["trend_csat"])
    top2 = np.bincount(np.unique(months, return_inverse=True)[1], surveys.csat_score >= 4)
    for i in range(1, len(top2)):
        test = cm.two_proportion_test(
            int(top2[i]), csat["n"][i], int(top2[i - 1]), csat["n"][i - 1]
        )
        assert csat["p_value"][i] == test.p_value
    calls = datasets.simulate_calls(20000, seed=0)
    level = _series(m["trend_service_level"])
    call_months = cm.period_key(calls.queued_at, "M")
    assert level["n"] == np.unique(call_months, return_counts=True)[1].tolist()
    assert (
        level["value"]
        == cm.service_level(
            calls.queued_at, calls.answered_at, calls.wait, by=call_months
        ).values.tolist()
    )
    for name in ("trend_win_rate", "trend_sla_compliance", "trend_repeat_purchase_rate"):
        series = _series(m[name])
        successes = np.array(series["value"]) * np.array(series["n"])
        assert np.allclose(successes, np.rint(successes), atol=1e-6), name  # rate = k / n
    deals = datasets.simulate_sales(3000, seed=0).deals
    closed = deals.closed_at[~np.isnat(deals.closed_at)]
    win = _series(m["trend_win_rate"])
    assert win["n"] == np.unique(cm.period_key(closed, "M"), return_counts=True)[1].tolist()

"""Notebook views: the ``_repr_html_`` of the result types.

Each view must be well-formed HTML (every tag closed in order), show the values of a small
hand-made result exactly as formatted, escape what it shows, truncate long results, and
carry no script and no link to anything outside the page.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm
from crm_metrics import _html, clv
from crm_metrics._groupby import Grouped

GREY_NAN = '<span style="color:#8a8a8a">nan</span>'
KEY = '<th style="text-align:left">{}</th>'


class _Balance(HTMLParser):
    """Checks that tags open and close in order; collects the text of each cell."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.body_rows = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr" and "tbody" in self.stack:
            self.body_rows += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Balance:
    """The parse of a view, asserting it is well-formed and self-contained."""
    p = _Balance()
    p.feed(html)
    p.close()
    assert not p.errors, p.errors
    assert not p.stack, f"unclosed tags: {p.stack}"
    assert "script" not in p.tags
    assert "link" not in p.tags
    assert "style" not in p.tags
    assert "http" not in html
    assert "javascript" not in html.lower()
    return p


def grouped_nps() -> Grouped:
    return cm.nps([10, 9, 7, 3, 6], by=["a", "a", "b", "b", "b"])


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.123456, "0.1235"),
        (100.0, "100"),
        (-50.0, "-50"),
        (2.0 / 3.0, "0.6667"),
        (1234.5678, "1235"),
        (9999.4, "9999"),
        (12345.678, "12,346"),
        (2500316.5, "2,500,316"),
        (0.000123456, "0.0001235"),
        (1e20, "1e+20"),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (42, "42"),
        (np.int64(123456), "123,456"),
        (9999, "9999"),
        (np.float64(0.5), "0.5"),
        (True, "True"),
    ],
)
def test_numbers_read_as_four_significant_digits(value: Any, text: str) -> None:
    assert _html.number(value) == text


def test_keys_and_fit_statistics_are_formatted_on_request() -> None:
    assert _html.number(123456, group=False) == "123456"
    assert _html.number(12345.6, group=False) == "12346"
    assert _html.number(-9582.4312, 6) == "-9582.43"
    assert _html.number(19172.86, 6) == "19172.9"


def test_truncation_keeps_both_ends() -> None:
    rows, hidden = _html.shown(1000)
    assert rows.tolist() == [*range(10), *range(990, 1000)]
    assert hidden == 980
    assert _html.shown(21) == (pytest.approx(np.arange(21)), 0)
    assert _html.shown(22)[1] == 2


# --------------------------------------------------------------------------- Grouped
def test_grouped_view_shows_keys_values_and_caption() -> None:
    g = grouped_nps()  # a: two promoters, 100; b: 7, 3, 6, two detractors of three, -200/3
    html = g._repr_html_()
    p = parsed(html)
    assert "<caption" in html
    assert "nps: 2 groups" in html
    assert "<th>nps</th>" in html
    assert '<th style="text-align:left">key</th>' in html
    assert KEY.format("a") + "<td>100</td>" in html
    assert KEY.format("b") + "<td>-66.67</td>" in html
    assert p.body_rows == 2


def test_grouped_view_names_levels_and_columns() -> None:
    g = Grouped(
        keys=(np.array(["web", "web"]), np.array([1, 2])),
        values=np.array([[0.25, 3.0], [np.nan, 12345.0]]),
        columns=("rate", "n"),
        name="thing",
        key_names=("channel", "agent"),
    )
    html = g._repr_html_()
    p = parsed(html)
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", html)[0]
    assert re.findall(r">([^<]+)</th>", heads) == ["channel", "agent", "rate", "n"]
    assert KEY.format("web") + KEY.format("1") + "<td>0.25</td><td>3</td>" in html
    assert KEY.format("web") + KEY.format("2") + f"<td>{GREY_NAN}</td><td>12,345</td>" in html
    assert "thing: 2 groups" in html
    assert p.body_rows == 2


def test_grouped_view_escapes_keys_and_names() -> None:
    g = cm.nps([10, 3], by=["<b>&", 'x"y'])
    html = g._repr_html_()
    parsed(html)
    assert "<b>" not in html
    assert KEY.format("&lt;b&gt;&amp;") + "<td>100</td>" in html
    assert KEY.format("x&quot;y") + "<td>-100</td>" in html
    named = Grouped(keys=np.array([1]), values=np.array([1.0]), name="<i>", key_names=("&",))
    html = named._repr_html_()
    parsed(html)
    assert "&lt;i&gt;: 1 group" in html
    assert "<th>&lt;i&gt;</th>" in html
    assert KEY.format("&amp;") in html


def test_grouped_view_truncates_a_long_result_to_21_rows() -> None:
    keys = np.arange(1000)
    g = cm.nps(np.tile([10, 3], 1000), by=np.repeat(keys, 2))
    assert len(g) == 1000
    html = g._repr_html_()
    p = parsed(html)
    assert p.body_rows == 21
    assert "nps: 1,000 groups" in html
    assert "\u2026 980 more groups" in html
    shown = re.findall(r'<th style="text-align:left">(\d+)</th>', html)
    assert shown == [str(k) for k in [*range(10), *range(990, 1000)]]
    # the gap row sits between the 10th and the 991st group
    assert html.index(KEY.format("9")) < html.index("980 more") < html.index(KEY.format("990"))


def test_grouped_view_shows_nan_grey_and_dates_as_dates() -> None:
    ts = np.array(["2024-01-05", "2024-02-10", "2024-02-20"], "datetime64[ns]")
    g = Grouped(
        keys=np.unique(cm.period_key(ts, freq="M")),
        values=np.array([np.nan, 0.5]),
        name="rate",
    )
    html = g._repr_html_()
    parsed(html)
    assert KEY.format("2024-01-01") + f"<td>{GREY_NAN}</td>" in html
    assert KEY.format("2024-02-01") + "<td>0.5</td>" in html
    stamps = Grouped(
        keys=np.array(["2024-01-05T10:30:00", "NaT"], "datetime64[ns]"),
        values=np.array([1, 2]),
        name="count",
    )
    html = stamps._repr_html_()
    parsed(html)
    assert KEY.format("2024-01-05T10:30:00") + "<td>1</td>" in html
    assert KEY.format('<span style="color:#8a8a8a">NaT</span>') + "<td>2</td>" in html


def test_empty_grouped_view_is_well_formed() -> None:
    g = Grouped(keys=np.array([], dtype=np.int64), values=np.array([]), name="nps")
    p = parsed(g._repr_html_())
    assert p.body_rows == 0


# --------------------------------------------------------------------------- CohortMatrix
def test_cohort_matrix_view_is_a_heat_map_with_blank_nan_cells() -> None:
    ts = np.array(
        ["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-02", "2024-02-14"], "datetime64[ns]"
    )
    m = cm.cohort_retention_matrix(["a", "a", "b", "b", "c"], ts, freq="M")  # see CohortMatrix
    html = m._repr_html_()
    p = parsed(html)
    assert p.body_rows == 2
    assert "Cohort matrix (M): 2 cohorts \u00d7 3 offsets; shade 0 to 0.5" in html
    heads = re.findall(r">([^<]*)</th>", re.findall(r"<thead>(.*?)</thead>", html)[0])
    assert heads == ["cohort", "size", "0", "1", "2"]
    full = "background:rgb(63,106,216);color:#fff"
    zero = "background:rgb(255,255,255)"
    row1 = (
        KEY.format("2024-01-01")
        + KEY.format("2")
        + f'<td style="{full}">1</td><td style="{full}">0.5</td><td style="{full}">0.5</td>'
    )
    row2 = (
        KEY.format("2024-02-01")
        + KEY.format("1")
        + f'<td style="{full}">1</td><td style="{zero}">0</td><td></td>'
    )
    assert row1 in html
    assert row2 in html


def test_cohort_matrix_shade_is_proportional_to_the_value() -> None:
    m = cm.CohortMatrix(
        cohorts=np.array(["2024-01-01", "2024-02-01"], "datetime64[ns]"),
        offsets=np.arange(3, dtype=np.int64),
        matrix=np.array([[1.0, 0.5, 0.25], [1.0, 0.125, np.nan]]),
        sizes=np.array([12000, 9], dtype=np.int64),
        freq="M",
    )
    html = m._repr_html_()
    parsed(html)
    # full colour (63, 106, 216) at 0.5, the largest value after offset 0; white at 0:
    # 0.25 is half way, 255 - 0.5 * (192, 149, 39) = (159, 180.5, 235.5), half to even;
    # 0.125 a quarter, 255 - 0.25 * (192, 149, 39) = (207, 217.75, 245.25)
    assert '<td style="background:rgb(159,180,236)">0.25</td>' in html
    assert '<td style="background:rgb(207,218,245)">0.125</td>' in html
    assert KEY.format("12000") in html  # a label: no thousands separator
    assert "shade 0 to 0.5" in html


def test_cohort_matrix_view_truncates_cohorts_and_offsets() -> None:
    n, k = 40, 30
    m = cm.CohortMatrix(
        cohorts=np.arange(n).astype("datetime64[D]").astype("datetime64[ns]"),
        offsets=np.arange(k, dtype=np.int64),
        matrix=np.linspace(0.0, 2.0, n * k).reshape(n, k),
        sizes=np.full(n, 7, dtype=np.int64),
        freq="D",
    )
    html = m._repr_html_()
    p = parsed(html)
    assert p.body_rows == 21
    assert "\u2026 20 more cohorts" in html
    assert "(first 24 of 30 columns shown)" in html
    assert html.count("<td") == 20 * 24 + 1
    # the shade is relative to the whole matrix, whose largest cell (2.0) is not shown:
    # the largest shown, 2 * 1193 / 1199, is a shade lighter than full colour
    assert '<td style="background:rgb(64,107,216);color:#fff">1.99</td>' in html
    assert "rgb(63,106,216)" not in html


# --------------------------------------------------------------------------- RFM
def rfm() -> clv.RFMSummary:
    return clv.RFMSummary(
        customer_id=np.array(["<c1>", "c2", "c3", "c4", "c5", "c6", "c7"]),
        frequency=np.array([0, 1, 2, 3, 4, 5, 6], dtype=np.int64),
        recency=np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.5]),
        T=np.full(7, 10.0),
        monetary_value=np.array([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]),
        unit="W",
    )


def test_rfm_summary_view_shows_counts_statistics_and_first_rows() -> None:
    html = rfm()._repr_html_()
    p = parsed(html)
    assert "RFM summary: 7 customers, unit W" in html
    heads = re.findall(r">([^<]*)</th>", re.findall(r"<thead>(.*?)</thead>", html)[0])
    assert heads == ["", "mean", "min", "25%", "50%", "75%", "max"]
    # frequency 0..6: mean 3, quartiles 1.5, 3, 4.5 (linear interpolation)
    stats = "<td>3</td><td>0</td><td>1.5</td><td>3</td><td>4.5</td><td>6</td>"
    assert KEY.format("frequency") + stats in html
    # recency 0..5, 6.5: mean 21.5 / 7
    assert KEY.format("recency") + "<td>3.071</td><td>0</td><td>1.5</td>" in html
    assert KEY.format("T") + "<td>10</td>" * 6 in html
    assert KEY.format("monetary_value") + "<td>30</td><td>0</td><td>15</td>" in html
    assert KEY.format("&lt;c1&gt;") + "<td>0</td><td>0</td><td>10</td><td>0</td>" in html
    assert KEY.format("c5") in html
    assert KEY.format("c6") not in html
    assert "\u2026 2 more customers" in html
    assert p.body_rows == 4 + 6  # four statistics rows; five customers and the gap row


def test_calibration_holdout_view_adds_the_holdout() -> None:
    s = rfm()
    ch = clv.CalibrationHoldout(
        customer_id=s.customer_id[:3],
        frequency=s.frequency[:3],
        recency=s.recency[:3],
        T=s.T[:3],
        monetary_value=None,
        frequency_holdout=np.array([1, 0, 2], dtype=np.int64),
        monetary_value_holdout=None,
        duration_holdout=26.0,
        unit=None,
    )
    html = ch._repr_html_()
    p = parsed(html)
    assert (
        "Calibration and holdout summary: 3 customers, unit not given, holdout 26 periods" in html
    )
    assert KEY.format("frequency_holdout") + "<td>1</td><td>0</td><td>0.5</td>" in html
    assert "monetary_value" not in html
    assert KEY.format("c3") + "<td>2</td><td>2</td><td>10</td><td>2</td>" in html
    assert p.body_rows == 4 + 3


def test_empty_rfm_summary_view_shows_nan_statistics() -> None:
    empty = clv.RFMSummary(
        customer_id=np.array([], dtype=np.int64),
        frequency=np.array([], dtype=np.int64),
        recency=np.array([]),
        T=np.array([]),
    )
    html = empty._repr_html_()
    parsed(html)
    assert "0 customers" in html
    assert KEY.format("frequency") + f"<td>{GREY_NAN}</td>" * 6 in html


# --------------------------------------------------------------------------- fitted models
def fitted(covariance: bool = True, converged: bool = True) -> clv.BGNBDFit:
    cov = np.diag([0.04, 0.25, 0.01, 0.09])
    return clv.BGNBDFit(
        r=1.0,
        alpha=2.0,
        a=0.5,
        b=1.5,
        loglik=-3.0,
        n_customers=3.0,
        converged=converged,
        iterations=4,
        message="<ok> & done",
        covariance=tuple(tuple(row) for row in cov.tolist()) if covariance else None,
    )


def test_fitted_model_view_shows_the_parameter_table_and_fit_statistics() -> None:
    html = fitted()._repr_html_()
    p = parsed(html)
    assert "BGNBDFit: 4 parameters, n = 3" in html
    heads = re.findall(r">([^<]*)</th>", re.findall(r"<thead>(.*?)</thead>", html)[0])
    assert heads == ["parameter", "estimate", "std_error", "lower 95%", "upper 95%"]
    z = 1.959963984540054  # the 97.5% standard normal quantile
    spread = math.exp(z * 0.2 / 1.0)  # r: SE 0.2; log-scale Wald interval
    assert f"{1 / spread:.4g}" == "0.6757"
    assert f"{spread:.4g}" == "1.48"
    assert KEY.format("r") + "<td>1</td><td>0.2</td><td>0.6757</td><td>1.48</td>" in html
    spread_a = math.exp(z * 0.1 / 0.5)
    assert KEY.format("a") + f"<td>0.5</td><td>0.1</td><td>{0.5 / spread_a:.4g}</td>" in html
    # AIC = 2k - 2 loglik = 8 + 6; BIC = 4 ln 3 + 6 = 10.394...
    assert (
        "log-likelihood -3, AIC 14, BIC 10.3944, n 3; converged yes (&lt;ok&gt; &amp; done)" in html
    )
    assert p.body_rows == 4


def test_fitted_model_view_without_covariance_and_not_converged() -> None:
    html = fitted(covariance=False, converged=False)._repr_html_()
    parsed(html)
    assert KEY.format("b") + f"<td>1.5</td><td>{GREY_NAN}</td>" in html
    assert "converged NO (" in html
    assert "color:#b42318" in html


def test_fit_summary_view_matches_the_model_view() -> None:
    m = fitted()
    assert m.summary()._repr_html_("BGNBDFit") == m._repr_html_()
    assert "Fit summary: 4 parameters" in m.summary(0.9)._repr_html_()
    assert "lower 90%" in m.summary(0.9)._repr_html_()


# --------------------------------------------------------------------------- other results
def test_nps_breakdown_view() -> None:
    html = cm.nps_breakdown([10, 9, 8, 3])._repr_html_()
    p = parsed(html)
    assert "<td>0.5</td><td>0.25</td><td>0.25</td><td>25</td>" in html
    assert p.body_rows == 1


def test_campaign_summary_view() -> None:
    s = cm.campaign_summary(
        ["<a>", "<a>", "b"], [1, 1, 1], [1, 0, 1], [1, 0, 0],
        [1, 0, 0], [50.0, 0.0, 0.0], [1, 0, 0], [7, 8, 9],
    )  # fmt: skip
    html = s._repr_html_()
    p = parsed(html)
    assert "Campaign summary: 2 campaigns" in html
    assert (
        KEY.format("&lt;a&gt;") + "<td>2</td><td>1</td><td>1</td><td>1</td><td>50</td><td>1</td>"
        in html
    )
    assert p.body_rows == 2


def test_mrr_movements_view() -> None:
    period = np.array(
        ["2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01", "2024-02-01"], "datetime64[ns]"
    )
    mm = cm.mrr_movements(["a", "a", "b", "b", "c"], period, [100.0, 150.0, 50.0, 50.0, 80.0])
    html = mm._repr_html_()
    p = parsed(html)
    assert "MRR movements: 3 periods" in html
    # opening, new, reactivation, expansion, contraction, churned, closing
    feb = "<td>150</td><td>80</td><td>0</td><td>50</td><td>0</td><td>50</td><td>230</td>"
    assert KEY.format("2024-02-01") + feb in html
    assert p.body_rows == 3


# --------------------------------------------------------------------------- the docs page
def test_the_views_shown_on_the_docs_page_are_what_the_code_makes() -> None:
    """The page's example runs; the tables it shows below are the views of its results."""
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "reference" / "types.md"
    text = page.read_text(encoding="utf-8")
    section = text[text.index("## In a notebook") : text.index("## Grouped results")]
    code = re.findall(r"```pycon\n(.*?)```", section, flags=re.DOTALL)[0]
    namespace: dict[str, Any] = {}
    for example in doctest.DocTestParser().get_examples(code):
        exec(example.source, namespace)
    shown = re.findall(r'<div class="notebook-view">\n(.*?)\n</div>', section, flags=re.DOTALL)
    made = [namespace["g"]._repr_html_(), namespace["retention"]._repr_html_()]
    assert ["".join(block.splitlines()) for block in shown] == made
    for view in made:
        parsed(view)


# --------------------------------------------------------------------------- statistics
def test_statistics_results_show_one_column_per_field() -> None:
    cases = [
        (cm.proportion_ci(45, 200), "Confidence interval of a rate", ["low", "high"]),
        (cm.two_proportion_test(60, 1000, 40, 1000), "Two-proportion z-test", None),
        (cm.binomial_test(12, 40, p0=0.15), "Exact binomial test", None),
        (cm.equal_proportions_test([52, 61, 80], [1000] * 3), "Chi-square test", None),
        (cm.nps_ci_from_counts(120, 50, 30), "Confidence interval of the NPS", None),
        (cm.nps_test_from_counts(120, 50, 30, 90, 60, 50), "Test of a difference", None),
        (cm.erlang_c(100, 180, 14, interval=1800), "Erlang C forecast", None),
        (cm.agents_needed(100, 180, interval=1800, shrinkage=0.3), "Agents needed", None),
    ]
    for result, title, names in cases:
        html = result._repr_html_()
        p = parsed(html)
        assert title in html
        assert p.body_rows == 1
        heads = re.findall(r">([^<]*)</th>", re.findall(r"<thead>(.*?)</thead>", html)[0])
        assert heads == (names or list(result._fields))
        cells = re.findall(r"<td>(.*?)</td>", html)
        assert cells == [_html.number(v) for v in result]


def test_array_statistics_results_show_one_row_per_element() -> None:
    ci = cm.proportion_ci([45, 0, 10], [200, 0, 10])  # no trials in the middle: nan
    html = ci._repr_html_()
    p = parsed(html)
    assert "Confidence interval of a rate: 3 rows" in html
    assert p.body_rows == 3
    assert f"<tr><td>{GREY_NAN}</td><td>{GREY_NAN}</td></tr>" in html
    low, high = (f"{v:.4g}" for v in (ci.low[0], ci.high[0]))
    assert f"<tr><td>{low}</td><td>{high}</td></tr>" in html
    staffing = cm.agents_needed(100, 180, interval=1800, shrinkage=0.3)
    assert f"<td>{staffing.agents}</td><td>{staffing.scheduled}</td>" in staffing._repr_html_()


# --------------------------------------------------------------------------- properties
@given(
    keys=st.lists(st.text(max_size=6), min_size=0, max_size=60, unique=True),
    data=st.data(),
)
def test_any_grouped_view_is_well_formed_and_shows_its_ends(keys: list[str], data: Any) -> None:
    """Whatever the keys (markup, quotes, ampersands, empty strings) and values (nan, inf),
    the view parses, shows min(n, 21) body rows and reads back the keys it shows."""
    values = data.draw(
        st.lists(
            st.floats(allow_nan=True, allow_infinity=True), min_size=len(keys), max_size=len(keys)
        )
    )
    order = np.argsort(np.array(keys, dtype=object)) if keys else np.array([], dtype=np.intp)
    g = Grouped(
        keys=np.array(keys, dtype=object)[order],
        values=np.array(values, dtype=np.float64)[order],
        name="m<&>",
    )
    html = g._repr_html_()
    p = parsed(html)
    n = len(keys)
    assert p.body_rows == (n if n <= 21 else 21)
    shown_keys = [g.keys[i] for i in _html.shown(n)[0]]
    text = "".join(p.text)
    for key in shown_keys:
        assert key in text
    assert f"m<&>: {n:,} group" in text

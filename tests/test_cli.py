"""The `crm-metrics` command line: exit codes, one-line errors naming file, column and row,
no partial output, progress lines, the console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from crm_metrics import cli
from crm_metrics.cli import main

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = (ROOT / "examples" / "data" / "surveys.csv").read_text(encoding="utf-8")


def _surveys(tmp_path: Path, text: str = SURVEYS, name: str = "surveys.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str, Path]:
    out = tmp_path / "out"
    code = main(["report", *args, "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err, out


def _replace_line(text: str, row: int, old: str, new: str) -> str:
    """Replace ``old`` in data row ``row`` (1-based; the header is line 0)."""
    lines = text.splitlines(keepends=True)
    assert old in lines[row]
    lines[row] = lines[row].replace(old, new, 1)
    return "".join(lines)


def test_unparseable_timestamp_names_file_column_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stamp = SURVEYS.splitlines()[17].split(",")[0]
    path = _surveys(tmp_path, _replace_line(SURVEYS, 17, stamp, "not a date"))
    code, _, err, out = _run(tmp_path, capsys, "--source", f"surveys={path}")
    assert code == 2
    assert err.strip() == (
        f"crm-metrics: {path}, column 'responded_at', row 17: 'not a date' is not an ISO-8601 "
        "timestamp (YYYY-MM-DD[Thh:mm:ss]); other formats are never guessed, parse them first"
    )
    assert not out.exists()  # nothing written


def test_bad_value_is_reported_by_the_library_rule_with_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = SURVEYS.splitlines()[5].split(",")
    path = _surveys(tmp_path, _replace_line(SURVEYS, 5, f",{row[1]},", ",11,"))
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "nps")
    assert code == 2
    assert (
        err.strip()
        == f"crm-metrics: {path}, column 'nps_score', row 5: 11 is outside the scale 0..10"
    )


def test_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path)
    code, _, err, out = _run(
        tmp_path, capsys, "--source", f"surveys={path}", "--column", "surveys.nps_score=nps"
    )
    assert code == 2
    assert f"{path}: no column 'nps' (the surveys schema needs it)" in err
    assert not out.exists()


def test_unknown_metric_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path)
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "nps,np")
    assert code == 2
    assert "metrics: unknown metric 'np'; known metrics: orders, revenue" in err


def test_metric_without_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path)
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "win_rate")
    assert code == 2
    assert "metric 'win_rate' needs a sources.deals file" in err


def test_malformed_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path, SURVEYS + "2024-05-01T00:00:00,9,4,5,Ana,chat,extra\n")
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}")
    assert code == 2
    assert f"{path}: cannot read as csv" in err
    assert len(err.strip().splitlines()) == 1


def test_empty_and_non_flag_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tickets = (ROOT / "examples" / "data" / "tickets.csv").read_text(encoding="utf-8")
    opened = tickets.splitlines()[3].split(",")[1]
    path = _surveys(tmp_path, _replace_line(tickets, 3, f",{opened},", ",,"), "t.csv")
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"tickets={path}")
    assert code == 2
    assert err.strip().endswith("column 'opened_at', row 3: empty cell; a timestamp is required")
    path = _surveys(tmp_path, _replace_line(tickets, 6, ",False,", ",maybe,"), "t.csv")
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"tickets={path}")
    assert code == 2
    assert err.strip().endswith(
        "column 'reopened', row 6: 'maybe' is not a flag; use true/false or 1/0"
    )


def test_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "report.toml"
    config.write_text('freq = "fortnight"\n[sources.surveys]\npath = "s.csv"\n', encoding="utf-8")
    code, _, err, _ = _run(tmp_path, capsys, "--config", str(config))
    assert code == 2
    assert "freq: Input should be 'D', 'W', 'M', 'Q' or 'Y'" in err
    config.write_text("[sources.survey]\npath = 's.csv'\n", encoding="utf-8")
    code, _, err, _ = _run(tmp_path, capsys, "--config", str(config))
    assert "unknown schema 'survey'" in err


def test_an_error_leaves_an_earlier_report_intact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _surveys(tmp_path)
    code, *_, out = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "nps")
    assert code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = _surveys(tmp_path, _replace_line(SURVEYS, 2, "2024", "x2024"), "bad.csv")
    code, *_ = _run(tmp_path, capsys, "--source", f"surveys={bad}", "--metrics", "nps")
    assert code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files either


def test_progress_lines_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path)
    args = ["report", "--source", f"surveys={path}", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "Satisfaction surveys ..." in captured.err
    assert "Net Promoter Score" in captured.out  # the summary table
    assert main([*args, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_missing_report_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: None)
    assert main(["demo"]) == 2
    assert 'pip install "crm-metrics[report]"' in capsys.readouterr().err


def test_list_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--list-metrics"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["nps"].endswith("surveys: responded_at, nps_score")
    assert lines["stage_conversion_rates"].endswith("stages: deal_id, stage (+ stage_order)")


def test_console_script_in_a_subprocess(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("crm-metrics")
    command = [str(script)] if script.exists() else [shutil.which("crm-metrics") or "crm-metrics"]
    path = _surveys(tmp_path)
    out = tmp_path / "out"
    args = ["report", "--source", f"surveys={path}", "--metrics", "nps,csat", "--out", str(out)]
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert list(json.loads((out / "report.json").read_text(encoding="utf-8"))["metrics"]) == [
        "nps",
        "csat",
    ]
    bad = subprocess.run([*command, "report"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "give --config FILE or at least one --source" in bad.stderr


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    # `crm-metrics report --list-metrics | head -1`: the pipe is closed before the listing
    # is written (the reader is gone while the interpreter starts), so print meets EPIPE.
    code = "from crm_metrics.cli import main; raise SystemExit(main(['report', '--list-metrics']))"
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()
    with child.stderr:
        errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors


def test_cli_is_not_imported_by_the_core() -> None:
    code = "import sys, crm_metrics; print(sorted(m for m in sys.modules if 'crm_metrics.' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "crm_metrics.cli" not in done.stdout
    assert "crm_metrics.report" not in done.stdout


# --------------------------------------------------------------------------- any valid log
ONE_TIME = "customer_id,ts,amount\n1,2024-01-05,10\n2,2024-02-05,12.5\n3,2024-03-01,5\n"


def _report(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


def test_one_time_buyers_give_a_report_with_the_clv_not_available(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _surveys(tmp_path, ONE_TIME, "orders.csv")
    code, stdout, err, out = _run(tmp_path, capsys, "--source", f"transactions={path}")
    assert (code, err) == (0, "")
    m = _report(out)["metrics"]
    assert (m["orders"]["value"], m["revenue"]["value"], m["repeat_purchase_rate"]["value"]) == (
        3,
        27.5,
        0.0,
    )
    no_repeat = (
        "none of the 3 customers made a repeat purchase (an order on a later day), so BG/NBD "
        "cannot learn a repeat-purchase rate"
    )
    assert m["bgnbd"] == {
        "area": "clv",
        "title": "BG/NBD fit (purchase rate per week)",
        "unit": "parameters",
        "note": None,
        "kind": "not_available",
        "value": None,
        "reason": no_repeat,
    }
    assert m["gamma_gamma"]["reason"].startswith("none of the 3 customers made a repeat purchase")
    for name in ("p_alive_mean", "p_alive", "clv_mean", "clv", "top_customers"):
        assert m[name]["reason"] == no_repeat, name
    assert m["rfm_summary"]["value"]["repeat_customers"] == 0  # what can be computed, is
    assert [row[3:] for row in m["rfm_segments"]["value"]["rows"]] == [[None, None]] * len(
        m["rfm_segments"]["value"]["rows"]
    )  # no P(alive) or CLV per segment
    assert m["avg_time_between_purchases"]["reason"] == (
        "no customer made a repeat purchase in the window"
    )
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"not available: {no_repeat}" in html
    assert "Not available for these records:" in stdout
    assert f"- clv: BG/NBD fit (purchase rate per week): {no_repeat}" in stdout.splitlines()


def test_header_only_files_give_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = _surveys(tmp_path, "customer_id,ts,amount\n", "orders.csv")
    surveys = _surveys(tmp_path, SURVEYS.splitlines()[0] + "\n", "surveys.csv")
    code, _, err, out = _run(
        tmp_path, capsys, "--source", f"transactions={orders}", "--source", f"surveys={surveys}"
    )
    assert (code, err) == (0, "")
    m = _report(out)["metrics"]
    assert (m["orders"]["value"], m["responses"]["value"]) == (0, 0)
    assert m["nps"]["reason"] == f"the surveys file {surveys} has no records"
    assert m["average_order_value"]["reason"] == f"the transactions file {orders} has no records"
    assert m["cohort_retention"]["kind"] == "not_available"
    assert m["nps_distribution"]["value"] == {str(k): 0 for k in range(11)}
    assert m["clv_mean"]["reason"] == "no customer: the transactions file has no order to summarise"


def test_all_orders_on_one_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "customer_id,ts,amount\n1,2024-01-05T09:00,10\n1,2024-01-05T17:00,12\n2,2024-01-05,5\n"
    path = _surveys(tmp_path, text, "orders.csv")
    code, _, _, out = _run(tmp_path, capsys, "--source", f"transactions={path}")
    assert code == 0
    m = _report(out)["metrics"]
    assert m["orders"]["value"] == 3
    assert "(all orders on one day?)" in m["bgnbd"]["reason"]
    assert "(all orders on one day?)" in m["clv_total"]["reason"]


def test_no_survey_in_the_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _surveys(tmp_path)
    code, _, _, out = _run(tmp_path, capsys, "--source", f"surveys={path}", "--start", "2030-01-01")
    assert code == 0
    m = _report(out)["metrics"]
    assert m["responses"]["value"] == 0
    for name in ("nps", "csat", "ces", "nps_standard_error"):
        assert m[name]["reason"] == "no surveys record in the window", name


# --------------------------------------------------------------------------- real failures
def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_non_utf8_bytes_in_a_csv_name_the_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SURVEYS.encode().splitlines(keepends=True)
    agent = SURVEYS.splitlines()[7].split(",")[4].encode()
    lines[7] = lines[7].replace(agent, b"G\xf6ran", 1)
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"".join(lines))
    code, _, err, out = _run(tmp_path, capsys, "--source", f"surveys={path}")
    assert code == 2
    assert _one_line(err) == (
        f"crm-metrics: {path}, column 'agent', row 7: bytes b'\\xf6' are not UTF-8 text; "
        "save the file as UTF-8"
    )
    assert not out.exists()
    path.write_bytes(b"responded_at,nps_sc\xf6re\n2024-01-01,9\n")
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}")
    assert _one_line(err) == (
        f"crm-metrics: {path}, header line, column 2: bytes b'\\xf6' are not UTF-8 text; "
        "save the file as UTF-8"
    )


def _orders_parquet(tmp_path: Path, ids: Any, stamps: Any, name: str = "o.parquet") -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / name
    pq.write_table(pa.table({"customer_id": ids, "ts": stamps, "amount": [1.0, 2.0, 3.0]}), path)
    return path


def test_non_utf8_parquet_ids_name_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa

    ids = pa.array([b"a", b"b", b"\xff\xfe"], pa.binary())
    path = _orders_parquet(tmp_path, ids, ["2024-01-05", "2024-02-01", "2024-03-01"])
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"transactions={path}")
    assert code == 2
    assert _one_line(err) == (
        f"crm-metrics: {path}, column 'customer_id', row 3: b'\\xff\\xfe' is not UTF-8 text"
    )
    ids = pa.array([b"a", b"b", b"a"], pa.binary())  # binary UTF-8 ids are read as text
    path = _orders_parquet(tmp_path, ids, ["2024-01-05", "2024-02-01", "2024-03-01"])
    code, *_, out = _run(tmp_path, capsys, "--source", f"transactions={path}")
    assert code == 0
    assert _report(out)["metrics"]["rfm_summary"]["value"]["repeat_customers"] == 1


@pytest.mark.parametrize(
    ("values", "kind", "shown"),
    [
        ([1704412800, 1706745600, 1709251200], "int64", "1704412800"),
        ([1704412800.0, 1706745600.0, 1709251200.0], "float64", "1704412800.0"),
    ],
)
def test_parquet_timestamps_stored_as_plain_numbers_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], values: list[float], kind: str, shown: str
) -> None:
    path = _orders_parquet(tmp_path, ["a", "b", "a"], values)
    code, _, err, out = _run(tmp_path, capsys, "--source", f"transactions={path}")
    assert code == 2
    assert _one_line(err) == (
        f"crm-metrics: {path}, column 'ts', row 1: {shown} is a plain number (column type "
        f"{kind}), not a timestamp; store the column as a Parquet timestamp or date, or as "
        "ISO-8601 text (epoch numbers are not read)"
    )
    assert not out.exists()


def test_parquet_timestamp_and_date_types_give_the_csv_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa

    csv_path = _surveys(
        tmp_path,
        "customer_id,ts,amount\na,2024-01-05,1\nb,2024-02-01,2\na,2024-03-01,3\n",
        "o.csv",
    )
    args = ("--metrics", "orders,new_customers,avg_time_between_purchases,cohort_retention")
    code, *_, out = _run(tmp_path, capsys, "--source", f"transactions={csv_path}", *args)
    assert code == 0
    expected = _report(out)["metrics"]
    seconds = [1704412800, 1706745600, 1709251200]
    columns = {
        "s": pa.array(seconds, pa.timestamp("s")),
        "ms-utc": pa.array([1000 * s for s in seconds], pa.timestamp("ms", tz="UTC")),
        "us-berlin": pa.array([10**6 * s for s in seconds], pa.timestamp("us", tz="+01:00")),
        "date": pa.array([s // 86400 for s in seconds], pa.date32()),
    }
    for name, stamps in columns.items():
        path = _orders_parquet(tmp_path, ["a", "b", "a"], stamps, f"{name}.parquet")
        code, _, err, out = _run(tmp_path, capsys, "--source", f"transactions={path}", *args)
        assert code == 0, err
        assert _report(out)["metrics"] == expected, name


COMPACT = "customer_id,ts,amount\n0101,20240105,1\n0202,20240201T0930,2\n0101,20240301,3\n"


def test_csv_ids_and_compact_dates_are_read_as_text(tmp_path: Path) -> None:
    from crm_metrics.report import load

    path = _surveys(tmp_path, COMPACT, "o.csv")
    frame = load._read_frame(path, None, {"customer_id", "ts"})
    assert frame["ts"].tolist() == ["20240105", "20240201T0930", "20240301"]  # not numbers
    source = load.read_source("transactions", path, ("customer_id", "amount"))
    assert source.columns["customer_id"].tolist() == ["0101", "0202", "0101"]


def test_a_csv_column_of_compact_dates_is_a_timestamp_column(tmp_path: Path) -> None:
    from crm_metrics.report import load

    path = _surveys(tmp_path, COMPACT, "o.csv")
    source = load.read_source("transactions", path, ("customer_id", "ts"))
    expected = ["2024-01-05T00:00", "2024-02-01T09:30", "2024-03-01T00:00"]
    assert source.columns["ts"].tolist() == np.array(expected, "datetime64[ns]").tolist()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('sources = "s.csv"\n', "sources is str 's.csv'; a table is expected"),
        ('[sources]\nsurveys = "s.csv"\n', "sources.surveys is str 's.csv'; a table is expected"),
        ("[sources.surveys]\npath = { file = 's.csv' }\n", "sources.surveys.path is dict"),
        ('[sources.surveys]\npath = "s.csv"\ncolumns = "x"\n', "sources.surveys.columns: Input"),
        ('title = { a = 1 }\n[sources.surveys]\npath = "s.csv"\n', "title: Input should be a"),
        ('metrics = "nps"\n[sources.surveys]\npath = "s.csv"\n', "metrics: Input should be a"),
        ('start = 1704067200\n[sources.surveys]\npath = "s.csv"\n', "start: 1704067200 is a"),
        ('end = "1/2/2024"\n[sources.surveys]\npath = "s.csv"\n', "end: '1/2/2024' is not an"),
        ('as_of = 10:00:00\n[sources.surveys]\npath = "s.csv"\n', "as_of: datetime.time(10, 0)"),
        ('end = 9999-12-31\n[sources.surveys]\npath = "s.csv"\n', "end: 9999-12-31T00:00:00 is"),
    ],
)
def test_a_toml_of_the_wrong_shape_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str
) -> None:
    config = tmp_path / "report.toml"
    config.write_text(toml, encoding="utf-8")
    code, _, err, _ = _run(tmp_path, capsys, "--config", str(config))
    assert code == 2
    assert _one_line(err).startswith(f"crm-metrics: {config}: {message}")


def test_toml_dates_and_datetimes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "report.toml"
    config.write_text(
        f'start = 2024-01-01\nend = 2024-07-01T02:00:00+02:00\nas_of = "20240701"\n'
        f'[sources.surveys]\npath = "{_surveys(tmp_path)}"\n',
        encoding="utf-8",
    )
    code, *_, out = _run(tmp_path, capsys, "--config", str(config))
    assert code == 0
    window = _report(out)["window"]
    assert window["resolved"]["surveys"]["as_of"] == "2024-07-01"
    del window["resolved"]
    assert window == {
        "start": "2024-01-01T00:00:00",
        "end": "2024-07-01T00:00:00",
        "as_of": "2024-07-01T00:00:00",
        "freq": "M",
    }


def test_command_line_dates_are_iso_8601_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _surveys(tmp_path)
    windows = []
    for start in ("2024-03-01", "20240301", "2024-03-01T01:00:00+01:00"):
        code, *_, out = _run(tmp_path, capsys, "--source", f"surveys={path}", "--start", start)
        assert code == 0
        report = _report(out)
        assert report["window"]["start"] == "2024-03-01T00:00:00"
        windows.append(report["metrics"])
    assert windows[0]["responses"]["value"] < len(SURVEYS.splitlines()) - 1
    assert windows[1] == windows[0] == windows[2]
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--start", "1704067200")
    assert code == 2
    assert _one_line(err) == (
        "crm-metrics: --start: '1704067200' is not an ISO-8601 date or time (2024-01-05, "
        "20240105 or 2024-01-05T10:00:00); other formats and epoch numbers are not read"
    )
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--as-of", "now")
    assert _one_line(err).startswith("crm-metrics: --as-of: 'now' is not an ISO-8601 date")


# --------------------------------------------------------------------------- the outputs
def test_out_that_is_a_file_or_a_busy_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _surveys(tmp_path)
    target = tmp_path / "report.txt"
    target.write_text("keep me", encoding="utf-8")
    code = main(["report", "--source", f"surveys={path}", "--out", str(target), "--quiet"])
    assert code == 2
    assert _one_line(capsys.readouterr().err) == (
        f"crm-metrics: --out {target}: is a file, not a folder; give a folder for the report"
    )
    assert target.read_text(encoding="utf-8") == "keep me"
    code = main(["report", "--source", f"surveys={path}", "--out", str(tmp_path), "--quiet"])
    assert code == 2
    assert _one_line(capsys.readouterr().err).startswith(
        f"crm-metrics: --out {tmp_path}: the folder holds files that are not a report's "
        "(report.txt, surveys.csv); the report replaces the whole folder"
    )


def test_outputs_appear_together_or_not_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _surveys(tmp_path)
    code, *_, out = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "nps")
    assert code == 0
    (out / "report.png").write_bytes(b"an older screenshot")  # replaced with the report
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    entries = sorted(p.name for p in tmp_path.iterdir())

    real_replace = cli.os.replace

    def swap_fails(src: Any, dst: Any) -> None:
        if Path(dst) == out and str(src).endswith(".tmp"):  # the new folder taking its name
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(cli.os, "replace", swap_fails)
    code, _, err, _ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "csat")
    assert code == 2
    assert _one_line(err).startswith(f"crm-metrics: --out {out}: cannot write the report")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old report, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == entries  # no temporary folder left

    monkeypatch.setattr(cli.os, "replace", real_replace)
    code, *_ = _run(tmp_path, capsys, "--source", f"surveys={path}", "--metrics", "csat")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]
    assert list(_report(out)["metrics"]) == ["csat"]
    assert "CSAT" in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == entries


def test_any_valid_log_and_a_failure_in_a_subprocess(tmp_path: Path) -> None:
    orders = _surveys(tmp_path, ONE_TIME, "orders.csv")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "crm_metrics.cli", "report", "--quiet", "--out", str(out)]
    done = subprocess.run(
        [*command, "--source", f"transactions={orders}"], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "Not available for these records:" in done.stdout
    assert _report(out)["metrics"]["gamma_gamma"]["kind"] == "not_available"
    orders.write_bytes(ONE_TIME.encode().replace(b"12.5", b"12\xa05"))
    done = subprocess.run(
        [*command, "--source", f"transactions={orders}"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert _one_line(done.stderr) == (
        f"crm-metrics: {orders}, column 'amount', row 2: bytes b'\\xa0' are not UTF-8 text; "
        "save the file as UTF-8"
    )
    assert _report(out)["metrics"]["gamma_gamma"]["kind"] == "not_available"  # untouched

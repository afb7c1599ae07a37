"""The `crm-metrics` command line: exit codes, one-line errors naming file, column and row,
no partial output, progress lines, the console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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

"""`followup inspect`: what the reader found, before anything is ingested."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.read import read_report
from pipelines.read.inspect import inspect_result, render
from tests.read.spreadsheet_variants import codes_with_legend, symbols_and_headings, theme_fills

FOLLOWUP = str(Path(sys.executable).with_name("followup"))


def test_the_report_names_tables_columns_reasons_and_goal_areas(tmp_path):
    variant = symbols_and_headings(tmp_path)
    report = inspect_result(read_report(variant.path), variant.path.name)
    (table,) = report["tables"]
    assert table["where"] == "sheet 'Sheet'" and table["rows"] == 12
    assert table["status_encoding"] == "symbol (font colour)"
    columns = {c["field"]: c for c in table["columns"]}
    assert columns["activity"]["column"] == "A" and columns["activity"]["header"] == "Insats"
    assert columns["status"]["column"] == "C" and columns["status"]["header"] is None
    assert columns["status"]["reason"].startswith("content:") and table["confidence"] < 1
    assert report["goal_areas"] == {
        "Trygg uppväxt och livslångt lärande": 4,
        "Hållbar samhällsbyggnad": 4,
        "Attraktiv arbetsgivare": 4,
    }
    assert "goal area from 3 heading row(s) inside the table" in table["notes"]


def test_cli_json_lists_warnings_and_rows_that_would_be_quarantined(tmp_path, capsys):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Åtgärd", "Ansvarig", "Status"])
    sheet.append(["Rusta upp badplatsen", "Fritid", 2])
    sheet.append(["Ny cykelbana", "Gata", "Pausad"])
    sheet.append(["Nytt bibliotek", "Kultur", "Försenad"])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    assert main(["inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "xlsx" and report["sheets"] == 1 and report["rows"] == 3
    assert [q["source_row"] for q in report["quarantine"]] == [1, 2]
    assert "'2'" in report["quarantine"][0]["reason"]
    assert report["quarantine"][1]["activity"] == "Ny cykelbana"
    assert "'Pausad'" in report["quarantine"][1]["reason"]
    assert any("no legend" in w["message"] for w in report["warnings"])


def test_cli_human_output_keeps_full_text_and_touches_no_lake(tmp_path):
    variant = theme_fills(tmp_path)
    lake = tmp_path / "lake"
    env = {**os.environ, "FOLLOWUP_LAKE": str(lake), "COLUMNS": "80"}
    done = subprocess.run(
        [FOLLOWUP, "inspect", str(variant.path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    for text in ("sheet 'Export': 13 rows, status as fill (theme colour)", "Fokusområde"):
        assert text in flat
    # The warning is folded over lines, never cut: every word of it is there.
    warning = variant.warnings[0]
    words = [w for w in warning.split() if w not in {"│"}]
    assert all(w in done.stdout for w in words)
    assert not lake.exists() and not (tmp_path / "data_lake").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"not a workbook", "r.xlsx", "not an XLSX workbook"),
        ("Verksamhet;Status\nVälfärd;Grönt\n".encode(), "r.csv", "no header row"),
    ],
)
def test_unreadable_input_is_one_line_and_exit_2(tmp_path, capsys, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_render_has_one_table_per_found_table(tmp_path):
    from rich.console import Console
    from rich.table import Table

    variant = codes_with_legend(tmp_path)
    report = inspect_result(read_report(variant.path), variant.path.name)
    parts = render(report)
    titles = [p.title for p in parts if isinstance(p, Table)]
    assert titles[0] == "sheet 'Uppföljning': 12 rows, status as code (legend), confidence 1.00"
    console = Console(width=200, record=True)
    for part in parts:
        console.print(part)
    text = console.export_text()
    assert "legend: 1 = green, 2 = yellow, 3 = red, 4 = green + completed" in text
    assert "no row would be quarantined" in text

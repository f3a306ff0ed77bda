"""The overview of many organisations: its numbers on a hand-made lake (its own goal areas and
units, not the bundled report's), `followup report --all`, the Dagster asset, and the page
rendered on a phone."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from checks.schemas import TABLES
from pipelines.report.overview import bands, overview_frame, overview_html
from pipelines.synthetic.report_sample import write_sample_lake

# org → period → [(goal area, status), …]; one activity per tuple, ids by position
LAKE = {
    "region-gotland": {
        "2024-Q1": [("Vård", "green"), ("Vård", "green"), ("Skola", "red"), ("Skola", "yellow")],
        "2024-Q2": [("Vård", "green"), ("Vård", "yellow"), ("Skola", "red"), ("Skola", "green")],
    },
    "kommun-aby": {
        "2024-Q1": [("Trygghet", "green"), ("Miljö", "unknown")],
        "2024-Q2": [("Trygghet", "green"), ("Miljö", "green")],
        "2024-Q3": [("Trygghet", "red"), ("Miljö", "green"), ("Kultur", "yellow")],
    },
}


def _tables() -> dict[str, pl.DataFrame]:
    rows = []
    for org, periods in LAKE.items():
        for pi, (period, acts) in enumerate(periods.items()):
            for i, (area, status) in enumerate(acts):
                rows.append(
                    {
                        "org": org,
                        "period": period,
                        "report_date": dt.date(2024, 3 * (pi + 1) + 1, 15),
                        "goal_area": area,
                        "activity": f"Insats {i} inom {area.lower()}",
                        "unit": "Förvaltningen",
                        "status": status,
                        "status_source": "reported",
                        "comment": "Pågår.",
                        "source_file": f"{org}-{period}.xlsx",
                        "source_row": i + 1,
                        "activity_id": f"{org}-{i}",
                        "completed": False,
                    }
                )
    promises = pl.DataFrame(
        {
            "org": ["kommun-aby", "kommun-aby", "region-gotland"],
            "activity_id": ["kommun-aby-0", "kommun-aby-1", "region-gotland-2"],
            "period": ["2024-Q1", "2024-Q2", "2024-Q1"],
            "report_date": [dt.date(2024, 4, 15)] * 3,
            "expression": ["i maj"] * 3,
            "promised_by": [dt.date(2024, 5, 31)] * 3,
            "granularity": ["month"] * 3,
            "outcome": ["slipped", "kept", "slipped"],
            "checked_in_period": ["2024-Q3", "2024-Q3", "2024-Q2"],
            "days_slipped": [30, None, 20],
        }
    )
    return {
        "snapshots": pl.DataFrame(rows),
        "transitions": pl.DataFrame(schema=TABLES["transitions"].polars_schema),
        "delays": pl.DataFrame(schema=TABLES["delays"].polars_schema),
        "promises": promises,
    }


def test_one_row_per_org_worst_first():
    t = _tables()
    frame = overview_frame(t["snapshots"], t["promises"], {"region-gotland": "Region Gotland"})
    rows = {r["org"]: r for r in frame.iter_rows(named=True)}
    assert frame["org"].to_list() == ["kommun-aby", "region-gotland"]  # 33 % before 50 %
    gotland, aby = rows["region-gotland"], rows["kommun-aby"]
    assert gotland["name"] == "Region Gotland" and aby["name"] == "kommun-aby"  # slug fallback
    assert (gotland["period"], gotland["activities"]) == ("2024-Q2", 4)
    assert gotland["on_plan_share"] == pytest.approx(2 / 4)
    assert gotland["change_pp"] == 50 - 50
    assert aby["on_plan_share"] == pytest.approx(1 / 3)  # red, green, yellow
    assert aby["change_pp"] == round((1 / 3 - 1) * 100)
    assert gotland["worst_areas"] == "Skola (50\u00a0%); Vård (50\u00a0%)"
    assert aby["worst_areas"].startswith("Kultur (0\u00a0%); Trygghet (0\u00a0%)")
    assert (gotland["slipped"], aby["slipped"]) == (1, 1)
    assert aby["trend"] == [100, 100, 33]  # Q1: 1 green of 1 with a colour
    assert bands(frame) == [0, 0, 0, 1, 0, 1, 0, 0, 0, 0]


def test_report_all_writes_the_overview_and_the_asset_too(tmp_path):
    import dagster as dg

    from assets.report import overview_report
    from pipelines.cli import app
    from pipelines.orchestration.resources import LakeResource

    lake = write_sample_lake(tmp_path / "lake", _tables())
    out = tmp_path / "oversikt.html"
    done = CliRunner().invoke(app, ["report", "--all", "--lake", str(lake), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "overview of 2 organisations" in done.output
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    names = [tr.find("td").get_text(strip=True) for tr in soup.select("#report-overview tbody tr")]
    assert names == ["kommun-aby", "Region Gotland"]  # the bundled registry names Gotland
    assert soup.select("svg.chart-bands") and len(soup.select("#report-overview svg")) == 2
    bad = CliRunner().invoke(
        app, ["report", "--all", "--org", "x", "--lake", str(lake), "--out", str(out)]
    )
    assert bad.exit_code != 0

    result = dg.materialize(
        [overview_report], resources={"lake": LakeResource(root=str(lake))}, raise_on_error=True
    )
    assert result.success
    meta = result.asset_materializations_for_node("overview_report")[0].metadata
    assert meta["organisations"].value == 2
    assert (lake / "reports" / "overview" / "oversikt.xlsx").stat().st_size > 0


def test_overview_fits_a_phone(tmp_path):
    from pipelines.report.chromium import Chromium

    t = _tables()
    page = overview_html(overview_frame(t["snapshots"], t["promises"]))
    with Chromium() as browser:
        browser.load(page, 390, 844, mobile=True)
        m = browser.evaluate(
            "({scroll: document.documentElement.scrollWidth, w: innerWidth,"
            " bars: document.querySelectorAll('svg.chart-bands rect').length})"
        )
    assert m["scroll"] <= m["w"] and m["bars"] == 10

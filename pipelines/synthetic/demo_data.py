"""The demo's sample data: the real OCR'd report of Region Västmanland (2022-07-07) as its
first period, and SYNTHETIC later periods made from it by the simulator (reworded, some
activities dropped or new, statuses changing, promises in comments), written as the
spreadsheets an analyst would receive. Regenerate with ``python -m pipelines.synthetic.demo_data``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import polars as pl

from pipelines.derive.status_inference import infer_status
from pipelines.read import read_report
from pipelines.synthetic.simulate import PRESETS, simulate_history

SAMPLE_DIR = Path(__file__).parents[1] / "sample_data"
REAL_REPORT = SAMPLE_DIR / "region-vastmanland_2022-07-07_ocr.txt"
ORG = "region-vastmanland"
SEED = 2022
# Reworded like the heavy preset, but typed into spreadsheets: no OCR noise.
# Completed activities leave the plan: the demo's check that they stay completed is green.
SETTINGS = dataclasses.replace(
    PRESETS["heavy"], ocr=0.0, reopen_completed=0.0, end_start_completed=True
)
FILL = {"green": "FF00B050", "yellow": "FFFFC000", "red": "FFFF0000"}
HEADER = ["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"]
WORDS = {"green": "Grönt", "yellow": "Gult", "red": "Rött", "unknown": ""}


def synthetic_periods(n_periods: int = 3) -> pl.DataFrame:
    """The periods after the real report, simulated from its parsed rows."""
    start = read_report(REAL_REPORT).rows.with_columns(
        pl.lit(ORG).alias("org"),
        pl.lit("2022-Q2").alias("period"),
        pl.lit("2022-07-07").str.to_date().alias("report_date"),
    )
    start = infer_status(start)
    history = simulate_history(start, n_periods + 1, seed=SEED, intensity=SETTINGS)
    return history.filter(pl.col("period") != "2022-Q2")


def _write_xlsx(rows: pl.DataFrame, path: Path, title: str) -> None:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uppföljning"
    sheet.append([title])
    sheet.append(["SYNTETISKA EXEMPELDATA – simulerade från rapporten 2022-07-07, inte verkliga"])
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows.iter_rows(named=True):
        sheet.append([row["goal_area"], row["activity"], row["unit"], None, row["comment"]])
        if row["status"] in FILL:  # the traffic light is a coloured cell with no text
            sheet.cell(sheet.max_row, 4).fill = PatternFill("solid", fgColor=FILL[row["status"]])
    workbook.save(path)


def _write_csv(rows: pl.DataFrame, path: Path) -> None:
    table = rows.select(
        pl.col("goal_area").alias("Målområde"),
        pl.col("activity").alias("Aktivitet"),
        pl.col("unit").alias("Verksamhet"),
        pl.col("status").replace_strict(WORDS).alias("Status"),
        pl.col("comment").alias("Kommentar"),
    )
    path.write_bytes(table.write_csv(separator=";").encode("utf-8"))


def write_sample(out: Path = SAMPLE_DIR) -> list[Path]:
    written = []
    periods = synthetic_periods()
    for index, ((period,), rows) in enumerate(
        sorted(periods.partition_by("period", as_dict=True).items())
    ):
        rows = rows.sort("source_row")
        date = rows["report_date"][0].isoformat()
        stem = f"{ORG}_{period}_{date}_synthetic"
        if index == 1:
            path = out / f"{stem}.csv"
            _write_csv(rows, path)
        else:
            path = out / f"{stem}.xlsx"
            _write_xlsx(rows, path, f"Uppföljning av aktivitetsplan {period}")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_DIR):
        print(path)

"""Parse time of the PDF reader on a generated 20-page report (landscape, coloured status cells).

Run: ``uv run python benchmarks/pdf_parse.py [pages]``. Prints the generation and parse times,
rows/s, pages/s and whether every row and status came back as written.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.read import read_report  # noqa: E402
from tests.read.pdf_factory import make_report_pdf, sample_rows  # noqa: E402

ROWS_PER_PAGE = 7
REPEATS = 3


def main(pages: int = 20) -> None:
    rows = sample_rows(pages * ROWS_PER_PAGE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark.pdf"
        start = time.perf_counter()
        make_report_pdf(path, rows, rows_per_page=ROWS_PER_PAGE)
        generated = time.perf_counter() - start
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            result = read_report(path, fmt="pdf")
            timings.append(time.perf_counter() - start)
        size_kib = path.stat().st_size / 1024
    got = result.rows.select("goal_area", "activity", "unit", "status", "comment").rows()
    want = [(r.goal_area, r.activity, r.unit, r.status, r.comment) for r in rows]
    matched = sum(g == w for g, w in zip(got, want, strict=False))
    pages_read = result.rows["page"].max()
    best, median = min(timings), statistics.median(timings)
    print(
        f"report: {pages_read} pages, {len(rows)} rows, {size_kib:.0f} KiB "
        f"(generated in {generated:.2f} s)"
    )
    print(f"parse time: best {best:.2f} s, median {median:.2f} s of {REPEATS} runs")
    print(f"throughput: {len(rows) / median:.0f} rows/s, {pages_read / median:.1f} pages/s")
    print(f"rows recovered exactly: {matched}/{len(rows)}; warnings: {len(result.warnings)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

"""Speed and word accuracy of the scan reader on a generated 12-page scanned report.

Run: ``uv run python benchmarks/scan_speed.py [pages] [dpi]`` (default 12 pages, 200 dpi).
The report is drawn in the bundled report's layout (blank activity and status headers, filled
status cells) with another municipality's words (``tests/read/scan_factory.py``), rasterised,
turned ±0.5°, given grain and JPEG compression, and stored as an image-only PDF. Prints wall
and CPU seconds per page (CPU of this process and its page workers: the machine may be shared,
so wall time depends on the load — the load average is printed too), the share of words read
right before and after the Swedish repair, rows and statuses right, and as baselines the CPU
time of one whole page read by Tesseract at once (``--psm 6``, the way the issue measured it)
and the statuses the OCR-text route recovers (none: OCR text has no colours).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.read import read_report  # noqa: E402
from tests.read.scan_factory import (  # noqa: E402
    TEMPLATES,
    Template,
    make_scan,
    other_rows,
    word_accuracy,
)

ROWS_PER_PAGE = 6


class _PageTimes(logging.Handler):
    """Collects the reader's per-page log lines: (wall, CPU) seconds of each page worker."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.pages: list[tuple[float, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("scan page"):
            self.pages.append((record.args[1], record.args[2]))


def _whole_page_cpu(path: Path, dpi: int) -> float:
    """CPU seconds of Tesseract reading page 1 whole (the baseline way)."""
    import tesserocr
    from PIL import Image

    from pipelines.read.ocr import tessdata_dir
    from pipelines.read.raster import page_image

    image, _ = page_image(path, 0, dpi)
    with tesserocr.PyTessBaseAPI(
        path=tessdata_dir(), lang="swe", psm=tesserocr.PSM.SINGLE_BLOCK
    ) as api:
        api.SetImage(Image.fromarray(image))
        start = time.process_time()
        api.GetUTF8Text()
        return time.process_time() - start


def main(pages: int = 12, dpi: int = 200) -> None:
    rows = other_rows(pages * ROWS_PER_PAGE, seed=12)
    template = Template("benchmark", {**TEMPLATES[0].options, "rows_per_page": ROWS_PER_PAGE})
    with tempfile.TemporaryDirectory() as tmp:
        path = make_scan(Path(tmp) / "scan.pdf", rows, template, dpi=dpi, angle=0.5, seed=1)
        load = os.getloadavg()[0]
        times = _PageTimes()
        reader_log = logging.getLogger("pipelines.read.scan")
        reader_log.setLevel(logging.INFO)
        reader_log.addHandler(times)
        own, start = time.process_time(), time.perf_counter()
        result = read_report(path)
        wall, own = time.perf_counter() - start, time.process_time() - own
        cpu = own + sum(c for _, c in times.pages)
        baseline_cpu = _whole_page_cpu(path, dpi)
    got = result.rows.to_dicts()
    raw = [
        {"activity": r["activity_raw"], "unit": r["unit_raw"], "comment": r["comment_raw"]}
        for r in got
    ]
    right, total = word_accuracy(rows, got)
    right_raw, _ = word_accuracy(rows, raw)
    fields = ("goal_area", "activity", "unit", "comment")
    rows_right = sum(
        all(g[f] == getattr(w, f) for f in fields) for g, w in zip(got, rows, strict=False)
    )
    statuses = sum(g["status"] == w.status for g, w in zip(got, rows, strict=False))
    n = result.pages or pages
    print(f"scan reader, {n} pages at {dpi} dpi, {len(rows)} activities ({os.cpu_count()} cores)")
    print(f"  load average before the run: {load:.1f}")
    print(f"  wall: {wall:.1f} s = {wall / n:.2f} s per page")
    print(f"  CPU (this process and the page workers): {cpu:.1f} s = {cpu / n:.2f} s per page")
    worst = max(w for w, _ in times.pages)
    print(
        f"  one page in its worker: {sum(w for w, _ in times.pages) / n:.2f} s wall on average, "
        f"{worst:.2f} s at most"
    )
    print(f"  words right: {right_raw / total:.2%} as read, {right / total:.2%} after repair")
    print(
        f"  rows found {len(got)}/{len(rows)}; goal area, activity, unit and comment all right: "
        f"{rows_right}/{len(rows)}; statuses right: {statuses}/{len(rows)}"
    )
    print(
        f"  baseline: Tesseract on page 1 whole: {baseline_cpu:.2f} s CPU; statuses via OCR "
        "text: 0 (colours lost)"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

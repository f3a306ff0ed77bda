"""The README's screenshots: the first screen of the demo's report and of an overview.

    uv run followup demo --lake /tmp/demo-lake
    uv run python docs/make_screenshots.py /tmp/demo-lake [NATIONAL_LAKE]

NATIONAL_LAKE defaults to the one ``benchmarks/national_scale.py`` generates.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from pipelines.report.chromium import Chromium
from pipelines.report.from_lake import report_from_lake
from pipelines.report.overview import overview_from_lake, overview_html
from pipelines.report.render import report_html

HERE = Path(__file__).resolve().parent
NATIONAL = HERE.parent / "benchmarks" / "out" / "national" / "lake"


def first_screen(page: str, out: Path, width: int = 1280, height: int = 900) -> None:
    with Chromium() as browser:
        browser.load(page, width, height)
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 0.75}
        data = browser.call("Page.captureScreenshot", {"format": "png", "clip": clip})["data"]
    out.write_bytes(base64.b64decode(data))
    print(f"{out.name}: {out.stat().st_size / 1e3:.0f} kB")


def main(demo: str, national: str | None = None) -> None:
    first_screen(
        report_html(report_from_lake(demo, "region-vastmanland")), HERE / "report-screenshot.png"
    )
    first_screen(
        overview_html(overview_from_lake(national or NATIONAL)), HERE / "overview-screenshot.png"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])

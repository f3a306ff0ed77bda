"""PDF and PNG through a real headless Chromium, and the errors a user can run into."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from pipelines.core.errors import FollowupError
from pipelines.report.render import export_table, find_chromium, write_report
from pipelines.report.tables import report_tables


def test_png_screenshot_shows_the_report(chromium_renders):
    image = Image.open(chromium_renders["png"]).convert("RGB")
    width, height = image.size
    assert width > 800 and height > 1500  # the whole page, not the viewport
    small = image.resize((width // 4, height // 4))
    pixels = list(small.getdata())
    non_white = sum(1 for p in pixels if min(p) < 235)
    assert non_white / len(pixels) > 0.03
    # the traffic-light markers and chart bars are there: green (#00B050) and red (#FF0000)
    assert any(r < 40 and 150 < g < 200 and 60 < b < 100 for r, g, b in pixels)
    assert any(r > 230 and g < 30 and b < 30 for r, g, b in pixels)
    # and the light status tints behind dark words (#C6EFCE)
    assert any(190 < r < 205 and 230 < g < 245 and 200 < b < 215 for r, g, b in pixels)


def test_pdf_is_a_valid_pdf_with_the_tables(chromium_renders):
    path = chromium_renders["pdf"]
    assert path.read_bytes()[:5] == b"%PDF-"
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2
        page = pdf.pages[0]
        assert page.width > page.height  # A4 landscape
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
        fills = [r["non_stroking_color"] for p in pdf.pages for r in p.rects]
    assert "Sammanfattning per målområde" in text
    assert "Gult*" in text
    # the comment is text (it may wrap inside its column): both halves are printed
    assert "<script>alert('x')" in text and "</script>" in text
    # printed with backgrounds: the green status fill made it into the PDF
    assert any(
        c is not None and len(c) == 3 and 0.75 < c[0] < 0.8 and 0.92 < c[1] < 0.95 and c[2] > 0.79
        for c in fills
    )


def test_missing_chromium_is_a_clear_error(report_data, tmp_path, monkeypatch):
    monkeypatch.delenv("CHROME_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find here
    with pytest.raises(FollowupError, match="apt-get install -y chromium"):
        write_report(report_data, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_unknown_suffix_and_language(report_data, tmp_path: Path):
    with pytest.raises(FollowupError, match=r"\.html, \.pdf, \.png, \.xlsx"):
        write_report(report_data, tmp_path / "r.docx")
    with pytest.raises(FollowupError, match="sv, en"):
        write_report(report_data, tmp_path / "r.html", lang="de")


def test_one_table_as_png(report_data, tmp_path, chromium_renders):
    del chromium_renders  # fails without Chromium; reuses its running browser
    assert find_chromium() is not None
    _, gt = next(t for t in report_tables(report_data) if t[0].key == "matrix")
    out = export_table(gt, tmp_path / "matrix.png")
    image = Image.open(out).convert("RGB")
    assert 200 < image.width < 1500  # just the table, not a page
    assert any(r > 230 and g < 30 and b < 30 for r, g, b in image.getdata())  # the red marker

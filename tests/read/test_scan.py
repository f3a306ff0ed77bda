"""The scan reader on generated scans: several templates, rotated, grainy, JPEG-compressed, as
image-only PDFs and as image files, read with the real Tesseract Swedish model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipelines.core.errors import ReportFormatError
from pipelines.read import read_report
from tests.read.scan_factory import (
    GOAL_AREAS,
    TEMPLATES,
    Template,
    make_scan,
    other_rows,
    word_accuracy,
)

FIELDS = ("goal_area", "unit", "status")


def _check(result, truth, min_words=0.98):
    rows = result.rows.to_dicts()
    assert result.format == "scan"
    assert len(rows) == len(truth), [r["activity"] for r in rows]
    for want, got in zip(truth, rows, strict=True):
        assert {f: got[f] for f in FIELDS} == {f: getattr(want, f) for f in FIELDS}, got
        assert got["status_source"] == ("absent" if want.status == "unknown" else "reported")
    right, total = word_accuracy(truth, rows)
    assert right / total >= min_words, (right, total)
    return rows


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_templates_scanned_as_image_pdfs(tmp_path, template):
    truth = other_rows(8, seed=11, goal_areas=GOAL_AREAS[1:3])
    path = make_scan(tmp_path / "report.pdf", truth, template, angle=0.7, seed=2)
    result = read_report(path)
    rows = _check(result, truth)
    assert result.pages == 2 and {r["page"] for r in rows} == {1, 2}
    assert all(r["ocr_confidence"] > 60 for r in rows)
    coloured = [r for r in rows if r["status"] != "unknown"]
    assert all(r["status_raw"].startswith("#") and r["status_box"] for r in coloured)
    assert [t.page for t in result.tables] == [1, 2]
    assert any("OCR confidence" in note for note in result.tables[0].notes)


def test_a_row_broken_over_a_page_is_joined_and_the_goal_area_carried(tmp_path):
    truth = other_rows(5, seed=4, goal_areas=GOAL_AREAS[3:])
    truth[1] = replace(truth[1], comment=" ".join(row.comment for row in truth))
    options = {**TEMPLATES[0].options, "rows_per_page": 2, "split_rows": [1]}
    path = make_scan(tmp_path / "split.pdf", truth, Template("split", options), angle=-0.4)
    result = read_report(path)
    rows = _check(result, truth)
    assert [r["page"] for r in rows] == [1, 1, 2, 3, 3]  # the rest of row 2 opens page 2
    assert any("continues the previous page" in " ".join(t.notes) for t in result.tables)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_image_files_are_scans(tmp_path, suffix):
    truth = other_rows(4, seed=21, goal_areas=GOAL_AREAS[:1])
    path = make_scan(tmp_path / f"page{suffix}", truth, TEMPLATES[1], angle=-0.8, seed=3)
    rows = _check(read_report(path), truth)
    assert rows[0]["scan_dpi"] == 150


def test_a_text_pdf_can_be_read_as_a_scan(tmp_path):
    from tests.read.pdf_factory import make_report_pdf

    truth = other_rows(3, seed=8, goal_areas=GOAL_AREAS[2:3])
    path = make_report_pdf(tmp_path / "text.pdf", truth, **TEMPLATES[2].options)
    assert read_report(path).format == "pdf"
    _check(read_report(path, "scan"), truth)


def test_without_the_swedish_model_one_line_names_the_packages(tmp_path, monkeypatch):
    from pipelines.read import ocr

    truth = other_rows(2, seed=1, goal_areas=GOAL_AREAS[:1])
    path = make_scan(tmp_path / "page.png", truth, TEMPLATES[0])
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setattr(ocr, "_SEARCH", ())
    with pytest.raises(ReportFormatError) as error:
        read_report(path)
    assert "tesseract-ocr tesseract-ocr-swe" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_page_without_a_table_is_refused(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), "white")
    ImageDraw.Draw(image).text((50, 50), "Protokoll från sammanträdet", fill="black")
    image.save(tmp_path / "letter.png")
    with pytest.raises(ReportFormatError, match="no ruled table"):
        read_report(tmp_path / "letter.png")


def test_a_cell_read_with_low_confidence_is_a_warning_naming_page_and_cell(tmp_path):
    import numpy as np
    from PIL import Image

    truth = other_rows(3, seed=6, goal_areas=GOAL_AREAS[:1])
    path = make_scan(tmp_path / "page.png", truth, TEMPLATES[1], angle=0.0, noise=0.0)
    first = read_report(path)
    assert not [w for w in first.warnings if "OCR confidence" in w.message]
    # Scribble over the second row's comment cell (right of its status cell), as a pen would.
    x0, top, x1, bottom = map(int, first.rows["status_box"][1].split(","))
    image = np.array(Image.open(path).convert("RGB"))
    rng = np.random.default_rng(0)
    right = int(first.rows["row_box"][1].split(",")[2])
    for _ in range(60):
        x, y = rng.integers(x1 + 8, right - 30), rng.integers(top + 6, bottom - 12)
        image[y : y + rng.integers(2, 9), x : x + rng.integers(2, 25)] = 0
    Image.fromarray(image).save(path)
    warnings = [w for w in read_report(path).warnings if "OCR confidence" in w.message]
    assert warnings and warnings[0].page == 1 and warnings[0].source_row == 2
    assert "comment cell at" in warnings[0].message

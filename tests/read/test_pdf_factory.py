"""The report generator really produces the layouts the reader tests rely on."""

from __future__ import annotations

import pdfplumber

from tests.read.pdf_factory import ReportRow, make_report_pdf, make_scanned_pdf, sample_rows


def test_split_row_continues_at_the_top_of_the_next_page(tmp_path):
    comment = " ".join(["Arbetet pågår enligt plan med flera delmoment."] * 10)
    rows = [ReportRow("Hållbar utveckling", "Samordna Agenda 2030", "Hållbarhet", "red", comment)]
    path = make_report_pdf(tmp_path / "split.pdf", rows, split_rows=[0])
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        first = pdf.pages[1].extract_tables()[0]
    assert first[0] == ["Aktivitet", "Verksamhet", "Status", "Kommentar"]
    assert first[1][:3] == ["", "", ""] and first[1][3]
    assert pdf.pages[1].extract_text().startswith("2022-07-07\nforts. AKTIVITETER MÅLOMRÅDE")


def test_rows_per_page_and_a_new_page_per_goal_area(tmp_path):
    rows = sample_rows(10, goal_areas=("Ett", "Två"))
    path = make_report_pdf(tmp_path / "pages.pdf", rows, rows_per_page=3)
    with pdfplumber.open(path) as pdf:
        counts = [len(page.extract_tables()[0]) - 1 for page in pdf.pages]
    assert counts == [3, 2, 3, 2]


def test_status_cells_have_no_text_by_default_and_are_filled(tmp_path):
    rows = [ReportRow("Ett", "A", "B", "yellow", "C")]
    path = make_report_pdf(tmp_path / "fill.pdf", rows, legend="none")
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert page.extract_tables()[0][1][2] == ""
        colours = [r["non_stroking_color"] for r in page.rects if r["fill"]]
    assert (1.0, 1.0, 0.0) in colours


def test_scanned_pdf_has_images_and_no_text(tmp_path):
    path = make_scanned_pdf(tmp_path / "scan.pdf", pages=2)
    with pdfplumber.open(path) as pdf:
        assert [len(p.chars) for p in pdf.pages] == [0, 0]
        assert all(p.images for p in pdf.pages)

"""``write_reports``, the writer of the ingest's report step: every format from one HTML render,
the PDF printed from exactly that page, and a PDF that cannot be made costing nothing else."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from pipelines.core.errors import FollowupError
from pipelines.report import render
from pipelines.report.labels import Labels
from pipelines.report.views import labels_for

PRODUCED = dt.date(2023, 1, 31)
THREE = (".html", ".xlsx", ".pdf")


def _visible_text(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for hidden in soup(["style", "script", "title", "head"]):
        hidden.decompose()
    return soup.get_text(" ")


def _pdf_pages(source) -> list[str]:
    """Each page's text (pdfium: ~50x faster than pdfplumber here)."""
    pdf = pdfium.PdfDocument(source)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _letters(text: str) -> Counter:
    return Counter("".join(text.split()))


@pytest.fixture
def count_renders(monkeypatch) -> list[int]:
    """Counts calls of the real report_html made by the writers."""
    calls: list[int] = []
    real = render.report_html

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "report_html", counted)
    return calls


@pytest.fixture(scope="module")
def three(report_data, tmp_path_factory) -> tuple[dict[str, Path], list[str]]:
    """The ingest's three files written once, and the order in which the browser was started
    and the page rendered (the real ones, recorded on the way through)."""
    events: list[str] = []
    real_html, real_browser = render.report_html, render.Chromium

    def counted(*args, **kwargs):
        events.append("render")
        return real_html(*args, **kwargs)

    def browser(*args, **kwargs):
        events.append("browser")
        return real_browser(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "report_html", counted)
        patch.setattr(render, "Chromium", browser)
        out = tmp_path_factory.mktemp("three") / "out"
        written = render.write_reports(report_data, out, THREE, produced=PRODUCED)
    return written, events


def test_all_three_files_from_one_render(report_data, three):
    written, events = three
    assert list(written) == list(THREE)
    assert [p.name for p in written.values()] == [f"uppfoljning{s}" for s in THREE]
    # one browser, started before the one render (it starts up meanwhile); the PDF is printed
    # from the page the .html holds
    assert events == ["browser", "render"]
    page = written[".html"].read_text(encoding="utf-8")
    assert page == render.report_html(report_data)  # the same page write_report writes
    workbook = load_workbook(written[".xlsx"], read_only=True)
    assert len(workbook.sheetnames) >= 5
    pages = _pdf_pages(written[".pdf"])
    assert len(pages) >= 2
    # every visible character of the HTML is printed (the PDF adds its page header and footer)
    missing = _letters(_visible_text(page)) - _letters("".join(pages))
    assert not missing, missing
    assert all(PRODUCED.isoformat() in p for p in pages)  # the footer's date produced


def test_pdf_is_the_html_file_printed(report_data, three):
    """The PDF of the single render equals the written .html printed on its own, page for
    page."""
    written, _ = three
    lab = labels_for(report_data, "sv")
    header, footer = render._page_templates(report_data, lab, PRODUCED)
    alone = render.render_pdf(written[".html"].read_text(encoding="utf-8"), header, footer)
    assert _pdf_pages(written[".pdf"]) == _pdf_pages(alone)


def test_english_and_a_stem(report_data, tmp_path):
    written = render.write_reports(report_data, tmp_path, [".HTML", ".xlsx"], stem="r", lang="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.xlsx"]
    assert 'lang="en"' in written[".html"].read_text(encoding="utf-8")


def test_without_chromium_html_and_excel_are_still_written(report_data, tmp_path, monkeypatch):
    monkeypatch.delenv("CHROME_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no browser to find
    with pytest.raises(FollowupError, match="apt-get install -y chromium"):
        render.write_reports(report_data, tmp_path / "strict", THREE)
    assert not (tmp_path / "strict").exists()  # failed before anything was written
    errors: dict[str, str] = {}
    written = render.write_reports(
        report_data, tmp_path / "out", THREE, on_error=lambda s, e: errors.update({s: str(e)})
    )
    assert list(written) == [".html", ".xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "uppfoljning.html",
        "uppfoljning.xlsx",
    ]
    assert list(errors) == [".pdf"] and "apt-get install -y chromium" in errors[".pdf"]


def test_a_browser_that_dies_while_starting(report_data, tmp_path, monkeypatch, count_renders):
    """Chromium is only spawned before the page is rendered; a browser that then exits is found
    when the page goes to it: HTML and Excel are written, the PDF and PNG are reported."""
    monkeypatch.setenv("CHROME_PATH", shutil.which("false") or "/bin/false")
    errors: dict[str, str] = {}
    written = render.write_reports(
        report_data,
        tmp_path,
        (".html", ".pdf", ".png", ".xlsx"),
        on_error=lambda s, e: errors.update({s: str(e)}),
    )
    assert list(written) == [".html", ".xlsx"] and len(count_renders) == 1
    assert list(errors) == [".pdf", ".png"]
    assert all("the browser exited" in e for e in errors.values())
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.png"))
    with pytest.raises(FollowupError, match="the browser exited"):
        render.write_report(report_data, tmp_path / "alone.pdf")
    assert not (tmp_path / "alone.pdf").exists()


def test_bad_suffix_and_language(report_data, tmp_path: Path):
    with pytest.raises(FollowupError, match=r"\.html, \.pdf, \.png, \.xlsx"):
        render.write_reports(report_data, tmp_path, (".html", ".docx"))
    with pytest.raises(FollowupError, match="sv, en"):
        render.write_reports(report_data, tmp_path, (".html",), lang="de")
    assert list(tmp_path.iterdir()) == []
    Labels("sv")  # the language check did not break the labels

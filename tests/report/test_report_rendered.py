"""The report as a reader sees it: rendered by headless Chromium at 1280×800, on a phone
(390×844) and on A4 landscape paper, and measured from the rendered page with JavaScript —
nothing overflows, the charts are there, every status cell's text meets WCAG AA."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.report.chromium import Chromium, find_chromium
from pipelines.report.colours import WCAG_AA
from pipelines.report.model import build_report_data
from pipelines.report.render import report_html
from pipelines.synthetic.report_sample import ORG

# Runs in the page: overflowing elements (outside the scroll boxes), the page's own horizontal
# scroll, charts, and the contrast of every cell whose text is a status word, computed from the
# rendered colours (the background is the first opaque one up the tree).
MEASURE = r"""
(() => {
  const W = document.documentElement.clientWidth;
  const overflow = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.closest('.table-scroll');
    if (box && box !== el) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > W + 1 || r.left < -1) overflow.push(`${el.tagName}.${el.className}`);
  }
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lin = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const word = /^(Grönt|Gult|Rött|Okänt|Green|Yellow|Red|Unknown)\*?$/;
  const cells = [...document.querySelectorAll('td, th')];
  const status = cells.filter(c => word.test(c.textContent.trim())).map(c => {
    const a = lum(rgb(getComputedStyle(c).color)), b = lum(background(c));
    return {text: c.textContent.trim(), bg: background(c),
            ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
  });
  const tints = ['198,239,206', '255,235,156', '255,199,206', '231,230,230'];
  const colourOnly = cells.filter(c => tints.includes(background(c).join(','))
    && !word.test(c.textContent.trim()) && !/^(Grönt|Gult|Rött|Okänt|Green|Yellow|Red|Unknown)$/
      .test(c.textContent.trim())).map(c => c.textContent.trim());
  return {
    width: W,
    pageScrolls: document.documentElement.scrollWidth > W + 1,
    overflow,
    status,
    colourOnly,
    shareCharts: document.querySelectorAll('svg.chart-share circle').length,
    areaCharts: document.querySelectorAll('svg.chart-area').length,
    areaBars: document.querySelectorAll('svg.chart-area rect').length,
    nanoplots: document.querySelectorAll('#report-strip svg').length,
    firstSection: document.querySelector('main section').id,
    // a heading cut off inside its cell, or a period label broken over two lines
    clippedHeadings: [...document.querySelectorAll('thead th')]
      .filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent.trim()),
    brokenPeriods: [...document.querySelectorAll('thead th span')]
      .filter(s => /^\d{4}-/.test(s.textContent) && s.getClientRects().length > 1)
      .map(s => s.textContent),
  };
})()
"""

# Scroll every table box to its right end and report whether the activity and the first
# status column stay where they started (sticky) while the other columns moved.
STICKY = r"""
(() => {
  const out = [];
  // great-tables' own container inside each .table-scroll is the box that scrolls
  for (const box of document.querySelectorAll('.table-scroll > div')) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const table = box.querySelector('table');
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    const row = table.querySelector('tbody tr:not(:has(.gt_group_heading))');
    if (!row) continue;
    const before = [...row.children].map(c => c.getBoundingClientRect().left);
    box.scrollLeft = box.scrollWidth;
    const after = [...row.children].map(c => c.getBoundingClientRect().left);
    out.push({id: box.closest('section').id, heads,
              moved: before.map((b, i) => Math.round(b - after[i]))});
  }
  return out;
})()
"""


@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:  # ./run test installs it; a skip here would prove nothing
        pytest.fail("Chromium is not installed (apt-get install -y chromium)")
    with Chromium() as b:
        yield b


@pytest.fixture(scope="module")
def long_data(tables):
    """The sample with long goal-area names and comments (not the bundled report's words)."""
    snaps = tables["snapshots"].with_columns(
        (pl.col("goal_area") + pl.lit(" – en region där alla kan leva, verka och utvecklas")),
        pl.col("comment").fill_null("")
        + pl.lit(" Arbetet samordnas med kommunerna i länet och följs upp i nästa delårsrapport."),
    )
    return build_report_data(
        snaps, *(tables[t] for t in ("transitions", "delays", "promises")), org=ORG
    )


@pytest.fixture(scope="module")
def long_page(long_data):
    return report_html(long_data)


@pytest.mark.parametrize(
    ("width", "height", "mobile", "lang"),
    [(1280, 800, False, "sv"), (390, 844, True, "sv"), (390, 844, True, "en")],
)
def test_screen_nothing_overflows_charts_present_status_readable(
    browser, long_data, width, height, mobile, lang
):
    browser.load(report_html(long_data, lang), width, height, mobile)
    m = browser.evaluate(MEASURE)
    assert m["width"] == width
    assert m["firstSection"] == "section-key"  # key figures and charts come first
    assert not m["pageScrolls"] and m["overflow"] == []
    assert m["clippedHeadings"] == [] and m["brokenPeriods"] == []
    assert m["shareCharts"] == 3  # one point per period
    assert m["areaCharts"] == 3 and m["areaBars"] >= 3 * 3
    assert m["nanoplots"] >= 9  # a status strip per activity
    assert len(m["status"]) > 40
    low = [s for s in m["status"] if s["ratio"] < WCAG_AA]
    assert low == []
    assert {tuple(s["bg"]) for s in m["status"]} >= {(198, 239, 206), (255, 199, 206)}
    assert m["colourOnly"] == []  # no status tint without its word


def test_phone_keeps_activity_and_status_in_view_while_a_table_scrolls(browser, long_page):
    browser.load(long_page, 390, 844, True)
    boxes = {b["id"]: b for b in browser.evaluate(STICKY)}
    worsened = boxes["section-worsened"]
    assert worsened["heads"][:3] == ["Aktivitet", "Status 2022-T2", "Status 2022-T3"]
    moved = worsened["moved"]
    assert moved[:3] == [0, 0, 0] and max(moved[3:]) > 100  # the comments scrolled away
    assert boxes["section-strip"]["moved"][0] == 0


def test_a4_print_layout_fits_the_paper(browser, long_page):
    browser.load(long_page, 1045, 740)  # A4 landscape less the margins, in CSS px
    browser.call("Emulation.setEmulatedMedia", {"media": "print"})
    m = browser.evaluate(MEASURE.replace("box && box !== el", "false"))
    browser.call("Emulation.setEmulatedMedia", {"media": ""})
    assert not m["pageScrolls"] and m["overflow"] == []
    assert [s for s in m["status"] if s["ratio"] < WCAG_AA] == []


def test_pdf_pages_carry_name_number_date_and_files(report_data, tmp_path):
    import dataclasses
    import datetime as dt

    import pdfplumber

    from pipelines.report.render import write_report

    named = dataclasses.replace(report_data, org_name="Region Exempelö")
    out = write_report(named, tmp_path / "r.pdf", produced=dt.date(2026, 12, 3))
    with pdfplumber.open(out) as pdf:
        pages = pdf.pages
        assert len(pages) >= 3 and all(p.width > p.height for p in pages)
        assert abs(pages[0].width - 842) < 2  # A4 landscape in points
        for n, page in enumerate(pages, start=1):
            text = page.extract_text() or ""
            assert f"Sida {n} av {len(pages)}" in text
            assert text.startswith("Uppföljning: Region Exempelö")  # the page header
            assert "Framställd 2026-12-03" in text
            assert "uppfoljning-2022-T2.pdf, uppfoljning-2022-T3.pdf" in text
            assert all(c["x1"] <= page.width + 0.5 for c in page.chars)  # nothing off the paper
        first = pages[0].extract_text()
        assert "I korthet" in first and "Andel enligt plan per period" in first  # page 1
        assert "\u22128 procentenheter" in first
        assert pdf.metadata.get("Title", "").startswith("Uppföljning: Region Exempelö")

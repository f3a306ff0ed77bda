"""Write the report as ``.html`` (self-contained), ``.pdf``/``.png`` (headless Chromium, see
``chromium.py``) or ``.xlsx``: one file with :func:`write_report`, or several at the cost of one
HTML render with :func:`write_reports` (what an ingest uses).

The HTML page loads nothing from the network: system fonts, inline CSS and SVG, no scripts. It
opens with the key figures and charts. Wide tables scroll inside their own box with the activity
and its status kept visible; on paper (A4 landscape) the tables shrink to the page instead. PDF
and PNG are the same page printed/screenshotted by Chromium; every PDF page carries the page
number, the date produced and the files compared.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.status import STATUSES
from pipelines.lake.store import atomic_write_bytes
from pipelines.report.charts import area_columns_svg, legend_html, share_line_svg
from pipelines.report.chromium import CHROMIUM_HINT, Chromium, find_chromium
from pipelines.report.labels import Labels
from pipelines.report.model import ReportData
from pipelines.report.tables import FONT_STACK, report_tables
from pipelines.report.views import key_figures_view, labels_for

__all__ = [
    "CHROMIUM_HINT",
    "find_chromium",
    "report_html",
    "write_report",
    "write_reports",
    "export_table",
]

SUFFIXES = (".html", ".pdf", ".png", ".xlsx")
_BROWSER_SUFFIXES = (".pdf", ".png")  # made by printing the HTML page in Chromium
# The window the PNG is taken in; the PDF is laid out on A4 landscape (~1045 CSS px wide).
PNG_WIDTH = 1280
_STYLE_RE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_IMPORT_RE = re.compile(r"@import\s+[^;]*;", re.IGNORECASE)

PAGE_CSS = """
:root { --activity-width: 240px; --status-width: 84px; --area-width: 200px; }
@media (max-width: 640px) {
  :root { --activity-width: 130px; --status-width: 76px; --area-width: 120px; }
  body { margin: 10px; }
}
html { background: #ffffff; }
body { font-family: %(fonts)s; color: #222222; margin: 24px; }
main { max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px 0; overflow-wrap: anywhere; }
.subtitle { font-size: 15px; color: #444444; margin: 0 0 16px 0; }
h2 { font-size: 17px; margin: 28px 0 4px 0; border-bottom: 1px solid #cccccc; }
h3 { font-size: 14px; margin: 12px 0 4px 0; }
.intro, .note { font-size: 13px; color: #555555; margin: 0 0 6px 0; }
.empty { font-size: 13px; font-style: italic; color: #555555; }
.table-scroll { overflow-x: auto; max-width: 100%%; margin-bottom: 4px; }
.table-scroll table { margin-left: 0 !important; }
.table-scroll .gt_col_heading, .table-scroll td { overflow-wrap: break-word; }
.gt_group_heading { font-weight: bold !important; background: #f2f2f2 !important; }
.key-figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
  gap: 10px; margin: 8px 0 12px 0; padding: 0; list-style: none; }
.key-figures li { border: 1px solid #d0d0d0; border-radius: 6px; padding: 8px 10px; }
.key-figures .label { display: block; font-size: 13px; color: #444444; }
.key-figures .value { display: block; font-size: 26px; font-weight: bold; }
.key-figures .change { display: block; font-size: 12px; color: #444444; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.chart-box { flex: 1 1 420px; min-width: 0; max-width: 660px; }
.chart-box svg { width: 100%%; height: auto; display: block; }
.area-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
  gap: 12px; }
.area-grid figure { margin: 0; min-width: 0; }
.area-grid figcaption { font-size: 13px; font-weight: bold; margin-bottom: 2px; }
.area-grid svg { width: 100%%; height: auto; display: block; }
.legend { list-style: none; padding: 0; margin: 6px 0; font-size: 13px;
  display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid #777777; }
section { break-inside: auto; }
h2, h3, .intro { break-after: avoid; }
figure, .key-figures li, svg { break-inside: avoid; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; }
  main { max-width: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .table-scroll { overflow: visible; }
  .table-scroll table { width: 100%% !important; table-layout: fixed; }
  .table-scroll col { width: auto !important; }
  .table-scroll td, .table-scroll th { position: static !important; min-width: 0 !important;
    max-width: none !important; }
  .area-grid { grid-template-columns: repeat(4, 1fr); }
}
"""


def _local_only(fragment: str) -> str:
    """Drop any ``@import`` (e.g. web fonts) from the table's CSS: the page must work offline."""

    def clean(match: re.Match[str]) -> str:
        return match.group(1) + _IMPORT_RE.sub("", match.group(2)) + match.group(3)

    return _STYLE_RE.sub(clean, fragment)


def _number(value: float, lab: Labels, share: bool, signed: bool = False) -> str:
    if share:
        text = f"{round(value * 100)}"
        if signed and round(value * 100) > 0:
            text = "+" + text
        text = text.replace("-", "\u2212")
        return text + ("\u00a0%" if lab.lang == "sv" else "%") if not signed else text
    text = f"{value:+.0f}" if signed else f"{value:.0f}"
    return text.replace("-", "\u2212")


def _key_figures_html(data: ReportData, lab: Labels) -> str:
    view = key_figures_view(data, lab)
    esc = html.escape
    items = []
    for row in view.frame.iter_rows(named=True):
        share = row["key"] == "on_plan_share"
        value = "–" if row["current"] is None else _number(row["current"], lab, share)
        change = ""
        if row["change"] is not None:
            if round(row["change"] * (100 if share else 1)) == 0:
                words = lab("key_no_change")
            else:
                words = _number(row["change"], lab, share, signed=True)
                if share:
                    words += " " + lab("pp")
            change = f'<span class="change">{esc(words)} {esc(lab("key_since"))}</span>'
        items.append(
            f'<li class="key-figure" data-key="{esc(row["key"])}">'
            f'<span class="label">{esc(row["figure"])}</span>'
            f'<span class="value">{esc(value)}</span>{change}</li>'
        )
    return f'<ul class="key-figures">{"".join(items)}</ul>'


def _charts_html(data: ReportData, lab: Labels) -> str:
    if data.trend is None or data.areas is None or data.trend.height == 0:
        return ""
    words = {s: lab(s) for s in STATUSES}
    meanings = {s: lab(f"meaning_{s}") for s in STATUSES}
    trend = data.trend
    share = share_line_svg(
        trend["period"].to_list(), trend["on_plan_share"].to_list(), lab("chart_share"), lab.lang
    )
    order = list(dict.fromkeys(data.strip_activities["goal_area"].to_list()))
    figures = []
    for area in order:
        rows = data.areas.filter(pl.col("goal_area").eq_missing(area))
        name = area if area is not None else lab("no_goal_area")
        figures.append(
            f"<figure><figcaption>{html.escape(name)}</figcaption>"
            f"{area_columns_svg(name, rows, data.periods, words, lab.lang)}</figure>"
        )
    return (
        '<div class="charts">'
        f'<div class="chart-box"><h3>{html.escape(lab("chart_share"))}</h3>{share}'
        f'<p class="note">{html.escape(lab("share_note"))}</p></div>'
        "</div>"
        f"<h3>{html.escape(lab('chart_areas'))}</h3>"
        f"{legend_html(words, meanings)}"
        f'<div class="area-grid">{"".join(figures)}</div>'
    )


def compared_files(data: ReportData) -> list[str]:
    """The source files of this report and of the one compared with, current first."""
    return list(dict.fromkeys(data.header["source_file"].to_list()))


def report_html(data: ReportData, lang: str = "sv") -> str:
    """The whole report as one self-contained HTML page."""
    lab: Labels = labels_for(data, lang)
    esc = html.escape
    subtitle = lab("subtitle") if data.previous else lab("subtitle_single")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(lab('title'))} – {esc(subtitle)}</title>",
        f'<meta name="author" content="{esc(data.display_name)}">',
        f'<meta name="description" content="{esc(lab("title"))}, {esc(subtitle)}">',
        f"<style>{PAGE_CSS % {'fonts': ', '.join(FONT_STACK)}}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<header><h1>{esc(lab("title"))}</h1><p class="subtitle">{esc(subtitle)}</p></header>',
        '<section id="section-key" class="report-section">',
        f"<h2>{esc(lab('sec_key'))}</h2>",
        _key_figures_html(data, lab),
        _charts_html(data, lab),
        "</section>",
    ]
    for view, gt in report_tables(data, lang):
        parts.append(f'<section id="section-{esc(view.key)}" class="report-section">')
        parts.append(f"<h2>{esc(view.title)}</h2>")
        if view.intro:
            parts.append(f'<p class="intro">{esc(view.intro)}</p>')
        if view.frame.height == 0:
            parts.append(f'<p class="empty">{esc(view.empty)}</p>')
        else:
            parts.append(f'<div class="table-scroll">{_local_only(gt.as_raw_html())}</div>')
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _page_templates(data: ReportData, lab: Labels, produced: dt.date) -> tuple[str, str]:
    """Chromium's header/footer templates: title left, files compared; page x of y, date."""
    esc = html.escape
    style = "font-family: sans-serif; font-size: 8px; color: #444; width: 100%; margin: 0 10mm;"
    files = ", ".join(compared_files(data))
    header = (
        f'<div style="{style} display: flex; justify-content: space-between;">'
        f"<span>{esc(lab('title'))}</span><span>{esc(lab.fmt('files_compared', files=files))}"
        "</span></div>"
    )
    footer = (
        f'<div style="{style} display: flex; justify-content: space-between;">'
        f"<span>{esc(lab.fmt('produced', produced=produced.isoformat()))}</span>"
        f'<span>{esc(lab("page"))} <span class="pageNumber"></span> {esc(lab("page_of"))} '
        '<span class="totalPages"></span></span></div>'
    )
    return header, footer


def _start_printing(browser: Chromium, suffix: str, page: str, png_width: int = PNG_WIDTH):
    """Send the page to the browser for a PDF (A4 landscape is ~1045 CSS px wide) or a PNG;
    it loads while we go on (see :func:`_finish_printing`)."""
    browser.ready()
    if suffix == ".pdf":
        browser.load(page, width=1045, height=740, wait=False)
    else:
        browser.call("Emulation.setEmulatedMedia", {"media": ""})  # screen, after a PDF too
        browser.load(page, width=png_width, height=800, wait=False)


def _finish_printing(
    browser: Chromium, suffix: str, header: str = "", footer: str = "", scale: float = 1.0
) -> bytes:
    browser.loaded()
    if suffix == ".pdf":
        browser.call("Emulation.setEmulatedMedia", {"media": "print"})
        return browser.pdf(header=header, footer=footer)
    return browser.screenshot("main", scale=scale)


def render_pdf(page: str, header: str = "", footer: str = "") -> bytes:
    """An HTML page printed by headless Chromium on A4 landscape (its ``<title>`` becomes the
    PDF's title metadata)."""
    with Chromium() as browser:
        _start_printing(browser, ".pdf", page)
        return _finish_printing(browser, ".pdf", header, footer)


def render_png(page: str, width: int = PNG_WIDTH, scale: float = 1.0) -> bytes:
    with Chromium() as browser:
        _start_printing(browser, ".png", page, png_width=width)
        return _finish_printing(browser, ".png", scale=scale)


def export_table(gt, out: Path) -> Path:
    """One great-tables table on its own as a PNG (through the same leak-proof Chromium)."""
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise FollowupError(f"cannot write a table as {out.name!r}; use a .png file name")
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:16px">'
        f'<main style="display:inline-block">{_local_only(gt.as_raw_html())}</main>'
        "</body></html>"
    )
    atomic_write_bytes(out, render_png(page, width=1400, scale=1.0))
    return out


def _check_suffix(name: str, suffix: str) -> None:
    if suffix not in SUFFIXES:
        raise FollowupError(
            f"cannot write a report as {name!r}; use a file name ending in " + ", ".join(SUFFIXES)
        )


def write_report(
    data: ReportData, out: Path, lang: str = "sv", produced: dt.date | None = None
) -> Path:
    """Write the report to ``out``; the format follows the suffix (.html, .pdf, .png, .xlsx)."""
    out = Path(out)
    suffix = out.suffix.lower()
    _check_suffix(out.name, suffix)
    return _write_all(data, {suffix: out}, lang, produced, None)[suffix]


def write_reports(
    data: ReportData,
    folder: Path,
    suffixes: Iterable[str] = (".html", ".xlsx", ".pdf"),
    *,
    stem: str = "uppfoljning",
    lang: str = "sv",
    produced: dt.date | None = None,
    on_error: Callable[[str, FollowupError], None] | None = None,
) -> dict[str, Path]:
    """Write the report as ``folder/stem.<suffix>`` in several formats at the cost of one: the
    HTML page is rendered once and the PDF/PNG are that same page printed, and Chromium starts
    up while the page and the workbook are being made. Returns the files written by suffix.

    Without ``on_error`` any failure raises (a missing Chromium before anything is written).
    With it, a PDF/PNG that Chromium cannot make is reported as ``on_error(suffix, error)`` and
    left out, and the other formats are still written."""
    folder = Path(folder)
    targets: dict[str, Path] = {}
    for suffix in suffixes:
        suffix = suffix.lower()
        _check_suffix(stem + suffix, suffix)
        targets[suffix] = folder / f"{stem}{suffix}"
    return _write_all(data, targets, lang, produced, on_error)


def _write_all(
    data: ReportData,
    targets: dict[str, Path],
    lang: str,
    produced: dt.date | None,
    on_error: Callable[[str, FollowupError], None] | None,
) -> dict[str, Path]:
    """Chromium is spawned first and starts up while the page is rendered; the page then loads
    in it while the workbook is written; printing comes last."""
    Labels(lang)  # fail early on an unknown language
    printed = [s for s in targets if s in _BROWSER_SUFFIXES]

    def give_up(error: FollowupError, suffixes: list[str]) -> None:
        if on_error is None:
            raise error
        for suffix in suffixes:
            on_error(suffix, error)

    browser: Chromium | None = None
    if printed:
        try:
            browser = Chromium(wait=False)
        except FollowupError as error:
            give_up(error, printed)
            printed = []
    written: dict[str, Path] = {}
    try:
        for out in targets.values():
            out.parent.mkdir(parents=True, exist_ok=True)
        page = report_html(data, lang) if set(targets) - {".xlsx"} else ""
        if ".html" in targets:
            atomic_write_bytes(targets[".html"], page.encode("utf-8"))
            written[".html"] = targets[".html"]
        if printed:
            assert browser is not None
            try:
                _start_printing(browser, printed[0], page)
            except FollowupError as error:
                give_up(error, printed)
                printed = []
        if ".xlsx" in targets:
            from pipelines.report.excel import workbook_bytes

            atomic_write_bytes(targets[".xlsx"], workbook_bytes(data, lang))
            written[".xlsx"] = targets[".xlsx"]
        header = footer = ""
        if ".pdf" in printed:
            lab = labels_for(data, lang)
            header, footer = _page_templates(data, lab, produced or dt.date.today())
        for i, suffix in enumerate(printed):
            assert browser is not None
            try:
                if i:
                    _start_printing(browser, suffix, page)
                content = _finish_printing(browser, suffix, header, footer)
            except FollowupError as error:
                give_up(error, printed[i:])  # the browser is gone for the rest as well
                break
            atomic_write_bytes(targets[suffix], content)
            written[suffix] = targets[suffix]
    finally:
        if browser is not None:
            browser.close(wait=False)  # killed now; its profile is removed in the background
    return {s: written[s] for s in targets if s in written}

"""Write the report as one file: ``.html`` (self-contained), ``.pdf``/``.png`` (headless
Chromium, the engine great-tables' ``gtsave`` uses) or ``.xlsx``.

The HTML page loads nothing from the network: system fonts, inline CSS, no scripts. PDF and PNG
are the same page printed/screenshotted by Chromium, so all formats show the same tables.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipelines.core.errors import FollowupError
from pipelines.lake.store import atomic_write_bytes
from pipelines.report.labels import Labels
from pipelines.report.model import ReportData
from pipelines.report.tables import FONT_STACK, report_tables
from pipelines.report.views import labels_for

SUFFIXES = (".html", ".pdf", ".png", ".xlsx")
CHROMIUM_HINT = "PDF/PNG export needs Chromium: apt-get install -y chromium (or set CHROME_PATH)"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_STYLE_RE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_IMPORT_RE = re.compile(r"@import\s+[^;]*;", re.IGNORECASE)

_PAGE_CSS = """
html { background: #ffffff; }
body { font-family: %(fonts)s; color: #222222; margin: 24px; }
main { width: fit-content; max-width: 1800px; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
.subtitle { font-size: 15px; color: #444444; margin: 0 0 16px 0; }
h2 { font-size: 17px; margin: 28px 0 4px 0; border-bottom: 1px solid #cccccc; }
.intro { font-size: 13px; color: #555555; margin: 0 0 6px 0; }
.empty { font-size: 13px; font-style: italic; color: #555555; }
section { break-inside: auto; }
h2, .intro { break-after: avoid; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _local_only(fragment: str) -> str:
    """Drop any ``@import`` (e.g. web fonts) from the table's CSS: the page must work offline."""

    def clean(match: re.Match[str]) -> str:
        return match.group(1) + _IMPORT_RE.sub("", match.group(2)) + match.group(3)

    return _STYLE_RE.sub(clean, fragment)


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
        f"<style>{_PAGE_CSS % {'fonts': ', '.join(FONT_STACK)}}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<header><h1>{esc(lab("title"))}</h1><p class="subtitle">{esc(subtitle)}</p></header>',
    ]
    for view, gt in report_tables(data, lang):
        parts.append(f'<section id="section-{esc(view.key)}" class="report-section">')
        parts.append(f"<h2>{esc(view.title)}</h2>")
        if view.intro:
            parts.append(f'<p class="intro">{esc(view.intro)}</p>')
        if view.frame.height == 0:
            parts.append(f'<p class="empty">{esc(view.empty)}</p>')
        else:
            parts.append(_local_only(gt.as_raw_html()))
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def find_chromium() -> str | None:
    """``CHROME_PATH`` if it names a file, else the first Chrome/Chromium on ``PATH``."""
    env = os.environ.get("CHROME_PATH")
    if env and os.path.isfile(env):
        return env
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


_WRAPPERS: dict[str, str] = {}


def _no_sandbox_wrapper(binary: str) -> str:
    """As root Chromium refuses to start without ``--no-sandbox``; nokap (great-tables' export
    engine) takes no extra arguments, so it gets a wrapper script through ``CHROME_PATH``."""
    if binary not in _WRAPPERS:
        folder = Path(tempfile.mkdtemp(prefix="followup-chromium-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        script = folder / "chromium-no-sandbox"
        script.write_text(
            f'#!/bin/sh\nexec {shlex.quote(binary)} --no-sandbox "$@"\n', encoding="utf-8"
        )
        script.chmod(0o755)
        _WRAPPERS[binary] = str(script)
    return _WRAPPERS[binary]


@contextlib.contextmanager
def _chrome_path() -> Iterator[str]:
    binary = find_chromium()
    if binary is None:
        raise FollowupError(CHROMIUM_HINT)
    path = _no_sandbox_wrapper(binary) if hasattr(os, "geteuid") and os.geteuid() == 0 else binary
    before = os.environ.get("CHROME_PATH")
    os.environ["CHROME_PATH"] = path
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop("CHROME_PATH", None)
        else:
            os.environ["CHROME_PATH"] = before


def render_with_chromium(page: str, out: Path, zoom: float = 1.5) -> Path:
    """Print (``.pdf``, A4 landscape, colours kept) or screenshot (``.png``) an HTML page."""
    import nokap

    out = Path(out)
    with _chrome_path():
        try:
            if out.suffix.lower() == ".pdf":
                nokap.from_html(
                    page,
                    out,
                    selector="html",
                    page_size="a4",
                    landscape=True,
                    margins=0.4,
                    print_background=True,
                )
            else:
                nokap.from_html(page, out, selector="main", expand=16, zoom=zoom, vwidth=1400)
        except TimeoutError as exc:
            raise FollowupError(
                f"Chromium timed out rendering {out.name}; the report may be too large for "
                "PDF/PNG — write .html or .xlsx instead"
            ) from exc
        except (nokap.NokapError, OSError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise FollowupError(f"{CHROMIUM_HINT} ({first})") from exc
    return out


def export_table(gt, out: Path) -> Path:
    """One table on its own through great-tables' ``GT.gtsave()`` (.png, .pdf, .jpg, .webp),
    with the same Chromium lookup and root wrapper as the whole report."""
    import nokap

    out = Path(out)
    with _chrome_path():
        try:
            gt.gtsave(out)
        except (nokap.NokapError, OSError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise FollowupError(f"{CHROMIUM_HINT} ({first})") from exc
    return out


def write_report(data: ReportData, out: Path, lang: str = "sv") -> Path:
    """Write the report to ``out``; the format follows the suffix (.html, .pdf, .png, .xlsx)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise FollowupError(
            f"cannot write a report as {out.name!r}; use a file name ending in "
            + ", ".join(SUFFIXES)
        )
    Labels(lang)  # fail early on an unknown language
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        from pipelines.report.excel import workbook_bytes

        atomic_write_bytes(out, workbook_bytes(data, lang))
        return out
    page = report_html(data, lang)
    if suffix == ".html":
        atomic_write_bytes(out, page.encode("utf-8"))
        return out
    with tempfile.TemporaryDirectory(prefix="followup-report-") as tmp:
        rendered = render_with_chromium(page, Path(tmp) / f"report{suffix}")
        atomic_write_bytes(out, rendered.read_bytes())
    return out

"""Generate follow-up report PDFs with a known content, laid out like the real ones.

Reusable by any test or benchmark that needs a PDF report::

    from tests.read.pdf_factory import ReportRow, make_report_pdf, make_scanned_pdf, sample_rows

    rows = [ReportRow("Ett tillgängligt Västmanland", "Ta fram en plan.", "Välfärd", "green",
                      "Pågår enligt plan.")]
    make_report_pdf(tmp_path / "report.pdf", rows, rows_per_page=8)
    make_report_pdf(tmp_path / "big.pdf", sample_rows(140), split_rows=[10])  # 15 pages
    make_scanned_pdf(tmp_path / "scan.pdf")  # images only: no text layer

Layout of every page (landscape A4 by default): a date line, the page heading
(``AKTIVITETER MÅLOMRÅDE - <goal area>``; ``forts. …`` on a goal area's continued pages), a
legend line with coloured swatches, then one ruled table ``Aktivitet | Verksamhet | Status |
Kommentar`` whose status cells are filled with the traffic-light colour (no text by default),
and a footer ``Sida n``. Each goal area starts on a new page. Cell text is wrapped to the column
width; a ``\\n`` in a text forces a line break there (to test hyphenation at line ends). The
options of ``make_report_pdf`` vary what real reports vary: shades and colour spaces, status
words, marks instead of fills, legend styles, headings, rows split over pages, Word-style rules,
rotated pages. ``ReportRow`` values are the ground truth a reader must give back (a ``\\n``
aside).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

STATUS_WORDS = {"green": "Grönt", "yellow": "Gult", "red": "Rött"}
OFFICE_SHADES = {"green": "#00B050", "yellow": "#FFFF00", "red": "#FF0000"}
LEGEND = [
    ("yellow", "Gult = avvikelse emot måluppfyllelse"),
    ("green", "Grönt = löper på enligt plan"),
    ("red", "Rött = når ej måluppfyllelse"),
]
HEADER = ("Aktivitet", "Verksamhet", "Status", "Kommentar")
COLUMNS = ("activity", "unit", "status", "comment")
FIELD_TITLES = {
    "goal_area": "Målområde",
    "activity": "Aktivitet",
    "unit": "Verksamhet",
    "status": "Status",
    "comment": "Kommentar",
}
SYMBOLS = {"dot_symbol": "l", "square_symbol": "n"}  # ZapfDingbats ● and ■ (as Wingdings is)
HEADER_FILL = "#D9D9D9"  # a grey header row: a fill that is not a traffic light


@dataclass(frozen=True)
class ReportRow:
    """One activity row as it should appear in the report (and be read back)."""

    goal_area: str
    activity: str
    unit: str
    status: str  # green | yellow | red | unknown (unknown = no colour, no text)
    comment: str = ""


def default_heading(goal_area: str) -> str:
    return f"AKTIVITETER MÅLOMRÅDE - {goal_area}"


def _hex_rgb(value: str) -> tuple[float, float, float]:
    digits = value.lstrip("#")
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _set_fill(canvas: Canvas, hex_colour: str, colour_space: str) -> None:
    r, g, b = _hex_rgb(hex_colour)
    if colour_space == "cmyk":
        k = 1 - max(r, g, b)
        if k >= 1:
            canvas.setFillColorCMYK(0, 0, 0, 1)
        else:
            canvas.setFillColorCMYK(*((1 - v - k) / (1 - k) for v in (r, g, b)), k)
    elif colour_space == "grey":
        canvas.setFillGray(0.299 * r + 0.587 * g + 0.114 * b)
    else:
        canvas.setFillColorRGB(r, g, b)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` wrapped to ``width``; a word wider than the column is an error (it would run
    into the next cell, and the PDF would no longer show what the row says)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for part in text.split("\n"):
        lines.extend(simpleSplit(part, font, size, width) or ([""] if part == "" else []))
    too_wide = [line for line in lines if stringWidth(line, font, size) > width + 0.5]
    if too_wide:
        raise ValueError(f"{too_wide[0]!r} does not fit a {width:.0f} pt column at {size} pt")
    return [line for line in lines if line != ""] if text else []


@dataclass
class _Piece:
    """What one table row shows on one page (a split row is two pieces)."""

    cells: tuple[list[str], ...]  # in the order of the table's columns
    status: str
    fill: str | None


def make_report_pdf(
    path: str | Path,
    rows: Sequence[ReportRow],
    *,
    rows_per_page: int | None = None,
    split_rows: Iterable[int] = (),
    shades: Mapping[str, str | Sequence[str]] | None = None,
    colour_space: Literal["rgb", "cmyk", "grey"] = "rgb",
    status_words: Mapping[str, str] | None = None,
    fill_status: bool = True,
    unknown_fill: str | None = None,
    repeat_fill_on_split: bool = True,
    legend: Literal["swatches", "cells", "boxed", "in_table", "none"] = "swatches",
    status_mark: Literal["fill", "square", "dot", "dot_symbol", "square_symbol"] = "fill",
    border_style: Literal["lines", "rects"] = "lines",
    new_page_per_goal_area: bool = True,
    heading: Callable[[str], str] = default_heading,
    continued_heading: Literal["forts", "repeat", "none"] = "forts",
    heading_width: float | None = None,
    repeat_header: bool = True,
    date_text: str | None = "2022-07-07",
    footer: bool = True,
    font_size: float = 9,
    column_widths: Sequence[float] = (250, 150, 60, 300),
    page_size: tuple[float, float] = landscape(A4),
    rotated: bool = False,
    header: Sequence[str] | None = None,
    heading_in_table: bool = False,
    scanned_pages: int = 0,
    columns: Sequence[str] = COLUMNS,
    title: str | None = None,
    heading_style: tuple[str, float] = ("Helvetica-Bold", 14),
    show_header: bool = True,
    unruled_from_page: int | None = None,
    appendix: str | None = None,
) -> Path:
    """Write a follow-up report PDF holding ``rows`` (in order) and return its path.

    Args:
        rows: the activities in document order; a change of ``goal_area`` starts a new section
            (heading, legend, header row), on a new page by default.
        rows_per_page: at most this many table rows per page (pages also break when full).
        split_rows: indices into ``rows`` of rows to break across a page boundary: the row ends
            its page showing its activity, unit, status and the first half of its comment lines;
            the rest of the comment opens the next page in a row with no activity and no unit
            (needs a comment of two or more lines).
        shades: fill colour per status as ``#RRGGBB``; a sequence is cycled row by row.
            Default: the Office shades ``#00B050`` / ``#FFFF00`` / ``#FF0000``.
        colour_space: write fills as RGB, CMYK or grey (grey loses the hue; for negative tests).
        status_words: write these words in the status cell (e.g. ``STATUS_WORDS`` or
            ``{"green": "GRÖNT"}``); ``None`` leaves the cell without text, as in real reports.
        fill_status: colour the status cell (turn off to have text-only statuses).
        unknown_fill: a fill for ``unknown`` rows (e.g. ``#FFFFFF``); default no fill at all.
        repeat_fill_on_split: the continuation piece of a split row keeps the status colour.
        legend: ``swatches`` (small coloured squares before each legend text), ``cells`` (the
            legend texts on coloured backgrounds), ``boxed`` (each status word on its colour,
            the line in a bordered box, as in the real reports), ``in_table`` (swatches in a
            full-width first row of the table, on every page) or ``none``.
        status_mark: colour the whole status cell (``fill``), or draw a 10 pt ``square`` or a
            ``dot`` in its middle, or write a coloured symbol glyph (``dot_symbol`` ●,
            ``square_symbol`` ■, in ZapfDingbats as Word writes Wingdings).
        border_style: table rules as stroked ``lines`` or as thin filled ``rects`` (as Word's
            PDF export draws them).
        new_page_per_goal_area: start each goal area on a new page (else below the previous
            table when it fits: two tables, two headings on one page).
        heading: the page heading for a goal area.
        continued_heading: on a goal area's later pages, ``forts. <heading>``, the same heading
            again, or no heading at all (the reader must carry the goal area over).
        heading_width: wrap the heading to this width (default: the table's width).
        repeat_header: repeat the ``Aktivitet | Verksamhet | Status | Kommentar`` row on
            continued pages (the first page of a goal area always has it).
        date_text: a date line at the top of each page (``None``: none).
        footer: a ``Sida n`` footer on each page.
        font_size: the table text size (leading is 1.25 × this).
        column_widths: widths of the four columns in points.
        page_size: the page size in points (default landscape A4).
        rotated: store the pages as portrait with ``/Rotate 90`` (how some tools save
            landscape pages) instead of as landscape media boxes.
        header: the column titles of the header row, one per column ("" = a blank header
            cell); default ``HEADER`` for the default columns, else ``FIELD_TITLES``.
        heading_in_table: put the heading in a full-width first row of the table (below the
            legend) instead of above it.
        scanned_pages: append this many image-only pages (no text layer) after the table.
        columns: the fields in column order, any of ``FIELD_TITLES`` (a ``goal_area`` column
            repeats the goal area in every row); ``column_widths`` gives one width each.
        title: a document title in a larger font above the first page's heading.
        heading_style: font and size of the goal-area headings.
        show_header: draw a header row at all (off: tables without any header row).
        unruled_from_page: from this page on, draw the tables without ruling lines (text in
            columns only, as some exports do).
        appendix: a last page of running text (no table), e.g. a summary.
    """
    columns = tuple(columns)
    if header is None:
        header = HEADER if columns == COLUMNS else tuple(FIELD_TITLES[c] for c in columns)
    if len(column_widths) != len(columns) or len(header) != len(columns):
        raise ValueError("one column width and one header title per column")
    status_at = columns.index("status")
    comment_at = columns.index("comment") if "comment" in columns else None
    heading_font, heading_size = heading_style
    path = Path(path)
    shades = dict(OFFICE_SHADES if shades is None else shades)
    cyclers = {
        status: itertools.cycle([value] if isinstance(value, str) else list(value))
        for status, value in shades.items()
    }
    split = set(split_rows)
    width, height = page_size
    margin = 36
    leading = font_size * 1.25
    pad = 4
    col_x = [margin]
    for w in column_widths:
        col_x.append(col_x[-1] + w)
    table_width = col_x[-1] - margin
    text_widths = [w - 2 * pad for w in column_widths]

    def piece_for(index: int, row: ReportRow) -> _Piece:
        if row.status != "unknown" and fill_status and row.status in cyclers:
            fill = next(cyclers[row.status])
        elif row.status == "unknown":
            fill = unknown_fill
        else:
            fill = None
        word = status_words.get(row.status, "") if status_words else ""
        values = {
            "goal_area": row.goal_area,
            "activity": row.activity,
            "unit": row.unit,
            "status": word,
            "comment": row.comment,
        }
        cells = tuple(
            _wrap(values[name], "Helvetica", font_size, text_widths[i])
            for i, name in enumerate(columns)
        )
        return _Piece(cells, row.status, fill)

    texts_in_status = False
    canvas = Canvas(str(path), pagesize=(height, width) if rotated else page_size)
    canvas.setTitle("Uppföljning aktivitetsplan")
    page_number = 0
    state = {"y": 0.0, "rows_on_page": 0}

    def draw_text_lines(lines: list[str], x: float, top: float, font: str, size: float) -> None:
        canvas.setFont(font, size)
        canvas.setFillColorRGB(0, 0, 0)
        for n, line in enumerate(lines):
            canvas.drawString(x, top - size - n * size * 1.25, line)

    def row_height(cells: Sequence[list[str]]) -> float:
        return max(1, *(len(c) for c in cells)) * leading + 2 * pad

    def rule(x0: float, y0: float, x1: float, y1: float) -> None:
        """A table ruling line: a stroked line, or a thin filled rectangle as Word draws them."""
        if unruled_from_page is not None and page_number >= unruled_from_page:
            return
        if border_style == "rects":
            canvas.setFillColorRGB(0, 0, 0)
            canvas.rect(x0 - 0.25, y0 - 0.25, x1 - x0 + 0.5, y1 - y0 + 0.5, stroke=0, fill=1)
        else:
            canvas.setStrokeColorRGB(0, 0, 0)
            canvas.setLineWidth(0.5)
            canvas.line(x0, y0, x1, y1)

    def draw_status(fill: str, top: float, h: float) -> None:
        _set_fill(canvas, fill, colour_space)
        cx, cy = col_x[status_at] + column_widths[status_at] / 2, top - h / 2
        if status_mark in SYMBOLS:
            canvas.setFont("ZapfDingbats", 10)
            canvas.drawString(cx + (-14 if texts_in_status else -4), cy - 3.5, SYMBOLS[status_mark])
        elif status_mark == "square":
            canvas.rect(cx - 5, cy - 5, 10, 10, stroke=0, fill=1)
        elif status_mark == "dot":
            canvas.circle(cx, cy, 5, stroke=0, fill=1)
        else:
            canvas.rect(col_x[status_at], top - h, column_widths[status_at], h, stroke=0, fill=1)

    def draw_row(cells: Sequence[list[str]], fill: str | None, header: bool = False) -> None:
        nonlocal texts_in_status
        h = row_height(cells)
        top = state["y"]
        texts_in_status = bool(cells[status_at])
        if header:
            _set_fill(canvas, HEADER_FILL, "rgb")
            canvas.rect(margin, top - h, table_width, h, stroke=0, fill=1)
        if fill:
            draw_status(fill, top, h)
        font = "Helvetica-Bold" if header else "Helvetica"
        for column, lines in enumerate(cells):
            draw_text_lines(lines, col_x[column] + pad, top - pad + 1, font, font_size)
        rule(margin, top - h, col_x[-1], top - h)
        for x in col_x:
            rule(x, top - h, x, top)
        state["y"] = top - h
        state["rows_on_page"] += 1

    def new_page() -> None:
        nonlocal page_number
        if page_number:
            canvas.showPage()
        page_number += 1
        if rotated:  # a portrait page shown turned a quarter: draw in landscape coordinates
            canvas.setPageRotation(90)
            canvas.transform(0, 1, -1, 0, height, 0)
        if date_text:
            draw_text_lines([date_text], width - margin - 60, height - margin + 12, "Helvetica", 9)
        if footer:
            draw_text_lines([f"Sida {page_number}"], width / 2 - 15, margin - 8, "Helvetica", 8)
        state["y"] = height - margin
        state["rows_on_page"] = 0

    def heading_lines(goal_area: str, continued: bool) -> list[str]:
        text = None
        if not continued or continued_heading == "repeat":
            text = heading(goal_area)
        elif continued_heading == "forts":
            text = "forts. " + heading(goal_area)
        title = text
        return (
            simpleSplit(title, heading_font, heading_size, heading_width or table_width)
            if title
            else []
        )

    def section_height(goal_area: str, first_row: Sequence[list[str]]) -> float:
        lines = heading_lines(goal_area, False)
        legend_h = {"none": 0, "in_table": 20}.get(legend, 24)
        return (
            len(lines) * heading_size * 1.25
            + 6
            + legend_h
            + row_height([["x"]])
            + row_height(first_row)
        )

    def draw_legend(y: float) -> None:
        x = margin
        for status, text in LEGEND:
            text_width = canvas.stringWidth(text, "Helvetica", 9)
            _set_fill(canvas, OFFICE_SHADES[status], colour_space)
            if legend in ("swatches", "in_table"):
                canvas.rect(x, y - 11, 9, 9, stroke=0, fill=1)
                draw_text_lines([text], x + 13, y, "Helvetica", 9)
                x += 13 + text_width + 18
            elif legend == "cells":
                canvas.rect(x, y - 14, text_width + 8, 14, stroke=0, fill=1)
                draw_text_lines([text], x + 4, y - 1, "Helvetica", 9)
                x += text_width + 8 + 6
            else:  # boxed: the status word on its colour, the whole line in a bordered box
                word = text.split(" ", 1)[0]
                canvas.rect(x + 4, y - 13, canvas.stringWidth(word, "Helvetica", 9), 12, 0, 1)
                draw_text_lines([text], x + 4, y - 1, "Helvetica", 9)
                x += text_width + 24
        if legend == "boxed":
            canvas.setStrokeColorRGB(0, 0, 0)
            canvas.setLineWidth(0.5)
            canvas.rect(margin, y - 16, x - margin, 16, stroke=1, fill=0)

    def start_section(goal_area: str, continued: bool) -> None:
        y = state["y"]
        lines = heading_lines(goal_area, continued)
        if title and page_number == 1 and not continued and not state.get("titled"):
            draw_text_lines([title], margin, y, "Helvetica-Bold", 18)
            y -= 18 * 1.25 + 10
            state["titled"] = True
        if lines and not heading_in_table:
            draw_text_lines(lines, margin, y, heading_font, heading_size)
            y -= len(lines) * heading_size * 1.25 + 6
        if legend not in ("none", "in_table"):
            draw_legend(y)
            y -= 24
        rule(margin, y, col_x[-1], y)
        if legend == "in_table":  # a full-width first row of the table on every page
            draw_legend(y - pad + 1)
            rule(margin, y - 20, margin, y)
            rule(col_x[-1], y - 20, col_x[-1], y)
            y -= 20
            rule(margin, y, col_x[-1], y)
        if lines and heading_in_table:  # a full-width first row of the table
            h = len(lines) * heading_size * 1.25 + 2 * pad
            draw_text_lines(lines, margin + pad, y - pad, heading_font, heading_size)
            rule(margin, y - h, margin, y)
            rule(col_x[-1], y - h, col_x[-1], y)
            y -= h
            rule(margin, y, col_x[-1], y)
        state["y"] = y
        if show_header and (not continued or repeat_header):
            titles = [
                _wrap(h, "Helvetica-Bold", font_size, w)
                for h, w in zip(header, text_widths, strict=True)
            ]
            draw_row(titles, None, header=True)
        state["rows_on_page"] = 0

    bottom_limit = margin + 12
    current_goal: str | None = None
    for index, row in enumerate(rows):
        piece = piece_for(index, row)
        if row.goal_area != current_goal:
            room = state["y"] - 24 - section_height(row.goal_area, piece.cells) >= bottom_limit
            if new_page_per_goal_area or page_number == 0 or not room:
                new_page()
            else:
                state["y"] -= 24  # a gap between two goal areas' tables on one page
            start_section(row.goal_area, continued=False)
            current_goal = row.goal_area
        elif (rows_per_page and state["rows_on_page"] >= rows_per_page) or (
            state["y"] - row_height(piece.cells) < bottom_limit
        ):
            new_page()
            start_section(row.goal_area, continued=True)
        if index in split and comment_at is not None and len(piece.cells[comment_at]) >= 2:
            comment = piece.cells[comment_at]
            half = (len(comment) + 1) // 2
            first = list(piece.cells)
            first[comment_at] = comment[:half]
            draw_row(first, piece.fill)
            new_page()
            start_section(row.goal_area, continued=True)
            rest_fill = piece.fill if repeat_fill_on_split else None
            rest: list[list[str]] = [[] for _ in columns]
            rest[comment_at] = comment[half:]
            draw_row(rest, rest_fill)
        else:
            draw_row(piece.cells, piece.fill)
    if page_number == 0:
        new_page()
        start_section("", continued=False)
    if appendix:
        new_page()
        lines = _wrap(appendix, "Helvetica", 10, width - 2 * margin)
        draw_text_lines(lines, margin, height - margin - 30, "Helvetica", 10)
    for extra in range(scanned_pages):
        canvas.showPage()
        _draw_scan_page(canvas, page_number + extra + 1)
    canvas.showPage()
    canvas.save()
    return path


def _draw_scan_page(canvas: Canvas, number: int, ocr_layer: bool = False) -> None:
    """One landscape page that is only an image of a table (optionally with invisible text)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    width, height = landscape(A4)
    image = Image.new("RGB", (842, 595), "white")
    draw = ImageDraw.Draw(image)
    draw.text((36, 30), f"AKTIVITETER MALOMRADE - Sida {number}", fill="black")
    for row in range(6):
        top = 80 + row * 60
        draw.rectangle((36, top, 806, top + 60), outline="black")
        draw.rectangle((436, top, 496, top + 60), fill=("#00B050", "#FFFF00")[row % 2])
        draw.text((40, top + 5), f"Aktivitet {row + 1}", fill="black")
    canvas.drawImage(ImageReader(image), 0, 0, width, height)
    if ocr_layer:
        text = canvas.beginText()
        text.setTextRenderMode(3)  # invisible
        text.setFont("Helvetica", 10)
        text.setTextOrigin(36, height - 40)
        text.textLine(f"AKTIVITETER MÅLOMRÅDE - Sida {number}")
        text.textLine("Aktivitet Verksamhet Status Kommentar")
        canvas.drawText(text)


def make_scanned_pdf(path: str | Path, pages: int = 2, *, ocr_layer: bool = False) -> Path:
    """A PDF whose pages are only images of a table, like a scanned report.

    With ``ocr_layer`` the page also carries invisible text over the image (what OCR tools
    such as ocrmypdf add): a text layer, but no vector table.
    """
    path = Path(path)
    canvas = Canvas(str(path), pagesize=landscape(A4))
    for page in range(pages):
        _draw_scan_page(canvas, page + 1, ocr_layer)
        canvas.showPage()
    canvas.save()
    return path


GOAL_AREAS = (
    "Ett tillgängligt Västmanland",
    "Ett välmående Västmanland",
    "Hållbar utveckling",
    "Digital omställning",
)
UNITS = (
    "Folkhälsa",
    "Välfärd",
    "Samhällsutveckling",
    "Hållbarhet",
    "Kultur och ideell sektor",
    "Näringsliv och kompetensförsörjning",
    "Ledningsstaben",
    "Tärna folkhögskola",
)
_VERBS = ("Ta fram", "Genomföra", "Stödja", "Utveckla", "Samordna", "Förbättra", "Främja")
_OBJECTS = (
    "en länsövergripande handlingsplan för att förebygga psykisk ohälsa",
    "samverkan mellan kommun och region vid utskrivning från sluten vård",
    "kompetensinsatser för att stärka folkbibliotekens digitala kompetens",
    "regionala rutiner till samverkansöverenskommelse barn och unga",
    "en ökad utbyggnad av digital infrastruktur i Västmanlands län",
    "insatser utifrån Miljöprogrammet (2018–2022)",
    "arbetet med hälsofrämjande skola och skolutveckling",
)
_COMMENTS = (
    "Pågår enligt plan.",
    "Pågår, planerat till hösten.",
    "Arbetet pågår enligt projektplanen i nära samarbete med Länsstyrelsen.",
    "Överenskommelsen tas upp i SRB i september och sedan vidare beslutshantering hos "
    "vardera part.",
    "Hållbarhetsprogrammet antogs på regionfullmäktige den 26 april 2022.",
    "Försenat på grund av resursbrist; genomförande planerat aug–nov 2022.",
    "Når ej måluppfyllelse i år, ny tidplan tas fram under våren 2023.",
)


def sample_rows(
    n: int,
    *,
    goal_areas: Sequence[str] = GOAL_AREAS,
    statuses: Sequence[str] = ("green", "yellow", "red", "unknown"),
    seed: int = 7,
) -> list[ReportRow]:
    """``n`` plausible Swedish activity rows over ``goal_areas`` (in blocks), reproducibly.

    Statuses cycle through ``statuses``; comments are one to four sentences long, so some wrap
    over several lines; every activity text is unique (it ends with its number).
    """
    import random

    rng = random.Random(seed)
    per_area = max(1, -(-n // len(goal_areas)))
    rows = []
    for i in range(n):
        sentences = rng.randint(1, 4)
        rows.append(
            ReportRow(
                goal_area=goal_areas[min(i // per_area, len(goal_areas) - 1)],
                activity=f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} (nr {i + 1}).",
                unit=rng.choice(UNITS),
                status=statuses[i % len(statuses)],
                comment=" ".join(rng.choice(_COMMENTS) for _ in range(sentences)),
            )
        )
    return rows

"""OCR'd follow-up reports: plain text where each page's table was written column by column.

A page holds a table (activity | unit | status colour | comment) under a goal-area heading in
any wording (``AKTIVITETER MÅLOMRÅDE – X``, ``Målområde: X``, ``Fokusområde 2 – X`` …, or a
full-width row inside the table; ``forts.`` on continued pages; possibly only once for several
pages). The OCR wrote the page's activity cells first, then a unit-column marker and the unit
cells, then a comment-column marker and the comment cells (markers: the header synonyms of
``pipelines.read.columns``, fuzzily, see ``ocr_markers``). Rows are paired by that layout.

The units are found by layout too: what stands in this document's unit column (short,
capitalised cells, wrapped ones joined) makes a :class:`UnitLexicon`, which then recognises
unit cells wherever the OCR put them (pages without markers, side-by-side rows, rows printed
inside another column). ``units.yaml`` only adds optional per-organisation aliases.

The text is messy: lost diacritics and look-alike glyphs (repaired by ``pipelines.swedish``),
stray lines, units wrapped over two lines, cells without a blank line between them, a comment
running over a page break, pages without a heading or column markers, a page whose cells stand
side by side on one line, empty comment cells. Where a page's columns do not add up, the reader
keeps every cell as a row and says so, per page, with a confidence (``FoundTable``) and a
``ReaderWarning``, instead of guessing silently. Status colours do not survive OCR: every row
is ``unknown`` with ``status_source`` ``absent`` (a later stage may infer it).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz

from pipelines.core.errors import ReportFormatError
from pipelines.read import (
    OCR_PROVENANCE_SCHEMA,
    READER_SCHEMA,
    FoundTable,
    ReaderResult,
    ReaderWarning,
)
from pipelines.read.columns import ColumnChoice
from pipelines.read.ocr_markers import (
    Heading,
    is_legend,
    marker_kind,
    parse_heading,
    sentence_case,
)
from pipelines.read.status_words import status_for_word
from pipelines.swedish.repair import repair_text, zipf
from pipelines.swedish.units import UnitLexicon, aliases_for, clean_unit, fold_key

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PAGE_NO = re.compile(
    r"^(?:(?:sida|page|s\.)\s*)?\d{1,3}(?:\s*\(\d{1,3}\)|\s*/\s*\d{1,3}|\s+av\s+\d{1,3})?$", re.I
)
_PARAGRAPH = re.compile(r"^§\s*\d+$")
_MONTHS = "jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec"
_SWEDISH_DATE = re.compile(rf"^\d{{1,2}}\s+(?:{_MONTHS})[a-zé]*\.?\s+\d{{4}}$", re.I)
_TERMINAL = re.compile(r"[.!?:]\)?$")
_CELL_END = re.compile(r"([.!?:]\)?|\))$")
_WORD = re.compile(r"\S+")
MAX_COMBINATIONS = 5000
STEM_MAX_ZIPF = 4.3
SURE_BONUS = 2.0
EDGE_BONUS = 0.25
MAX_AREA_CONTINUATION = 60
MIN_KNOWN_WORDS = 0.5  # a report with no unit and fewer real words than this is OCR garbage
# Page confidence: cells paired as found; after splitting/merging cells to make the columns
# agree; rows from one line each (side by side); no unit cells; counts that still disagree.
CONF_PAIRED_BY_POSITION = 0.7
CONF_SIDE_BY_SIDE = 0.9
CONF_NO_UNITS = 0.5
CONF_GAP = 0.5  # cells missing from a column were placed where the words fit best
GAP_NOTE = "missing"
CONF_COUNTS_DISAGREE = 0.4
FURNITURE_REPEATS = 3
MAX_UNIT_CHARS = 60  # a unit cell is short ...
MAX_UNIT_WORDS = 6
MIN_UNIT_LETTERS = 3


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str
    kind: str  # blank heading legend marker_v marker_k marker_vk noise break unit side text
    unit: str | None = None  # raw unit text (unit and side lines)
    before: str = ""  # side lines: activity text before the unit
    after: str = ""  # side lines: comment text after the unit
    indented: bool = False  # the OCR started a new text block here (a leading space)
    heading: Heading | None = None  # heading lines: what the heading says


@dataclass
class Page:
    number: int
    area: str | None
    area_raw: str | None
    lines: list[Line] = field(default_factory=list)
    # goal areas that begin inside the page's table (a full-width row): (line no, area, raw)
    areas: list[tuple[int, str | None, str | None]] = field(default_factory=list)

    def area_at(self, no: int | None) -> tuple[str | None, str | None]:
        """The goal area (and as written) of a cell that starts on line ``no``."""
        found = (self.area, self.area_raw)
        for start, area, raw in self.areas:
            if no is not None and start < no:
                found = (area, raw)
        return found


Cell = list[Line]  # the source lines of one cell, in order


# --------------------------------------------------------------------------- classification


def _fold(text: str) -> str:
    return fold_key(text)


def _letters_run(text: str, n: int) -> bool:
    return re.search(rf"[^\W\d_]{{{n},}}", text) is not None


def _is_noise(text: str) -> bool:
    if _PAGE_NO.match(text) or _PARAGRAPH.match(text):
        return True
    return not _letters_run(text, 3) and re.search(r"\d{4}", text) is None


def _joins_next(text: str) -> bool:
    return re.search(r"(\boch|&|,|/|-)$", text.strip()) is not None


def _structure(raw_lines: list[str]) -> list[Line]:
    """Pass 1: blank lines, headings, dates, legends, column markers, noise; the rest is text."""
    lines: list[Line] = []
    areas: list[str] = []  # goal areas of the headings so far ("forts. <area>" continues one)
    commented = False  # a comment column began since the last heading or break
    in_units = False  # inside a unit column (after its marker, before the comment marker)
    in_status = False  # inside a status column (after a Status / Bedömning marker)
    for i, raw in enumerate(raw_lines):
        no, text = i + 1, raw.strip()
        if not text:
            lines.append(Line(no, text, "blank"))
            continue
        if raw[:1].isspace() and lines and lines[-1].kind != "blank":
            # OCR starts a new text block with a space: a cell boundary, like a blank line
            lines.append(Line(no, "", "blank"))
        if in_status and _status_word(text) is not None:
            lines.append(Line(no, text, "status"))
            continue
        heading = parse_heading(text) or _continued_heading(text, areas)
        if heading is not None and heading.capitals_only and in_units:
            heading = None  # a unit cell written in capitals, not a heading
        if heading is not None:
            if heading.area:
                areas.append(heading.area)
            lines.append(Line(no, text, "heading", heading=heading))
        elif _DATE.match(text) or _SWEDISH_DATE.match(text):
            lines.append(Line(no, text, "break"))
        elif is_legend(text):
            lines.append(Line(no, text, "legend"))
        elif (marker := marker_kind(text)) is not None:
            if marker == "marker_a" and commented:
                marker = "break"  # the activity column's header after a table: a new table
            lines.append(Line(no, text, marker))
        elif _continues_marker(lines, text):
            lines.append(Line(no, text, "marker_tail"))  # "Ansvarig" / "förvaltning"
        elif _is_noise(text):
            lines.append(Line(no, text, "noise"))
        else:
            lines.append(Line(no, text, "text", indented=raw[:1].isspace()))
        kind = lines[-1].kind
        if kind.startswith("marker_") or kind in {"heading", "break"}:
            in_status = kind == "marker_s"
        if kind in {"heading", "break"}:
            commented = in_units = False
        elif kind in {"marker_k", "marker_vk"}:
            commented, in_units = True, False
        elif kind == "marker_v":
            in_units = True
    return lines


_FORTS = re.compile(r"^\W*\(?forts(?:\.|ättning|attning)?\)?\s*[:.\-–—]?\s*(?P<area>.+)$", re.I)


def _continues_marker(lines: list[Line], text: str) -> bool:
    """A header cell wrapped over two lines: ``Ansvarig`` then ``förvaltning``."""
    previous = next((x for x in reversed(lines) if x.kind != "blank"), None)
    if previous is None or not previous.kind.startswith("marker_") or len(text) > 30:
        return False
    return marker_kind(f"{previous.text} {text}") == previous.kind and text[:1].islower()


def _continued_heading(text: str, areas: list[str]) -> Heading | None:
    """``forts. <area>``: a continued page named only by an area that a heading gave before."""
    match = _FORTS.match(text)
    if match is None or not areas:
        return None
    rest = _fold(match.group("area"))
    if any(fuzz.ratio(rest, _fold(area)) >= 85 for area in areas):
        return Heading(True, match.group("area"))
    return None


def _units_before_comments(lines: list[Line]) -> list[Line]:
    """Put a unit column that follows the comment column before it (the reader's order).

    A table ordered activity | comment | unit comes out as activities, ``Kommentar`` and the
    comments, then ``Verksamhet`` and the units; the unit marker and its run of unit cells move
    in front of the comment marker.
    """
    out = list(lines)
    k = 0
    since = 0  # the last heading, break or comment marker: units after it are in order
    while k < len(out):
        if out[k].kind in {"heading", "break", "marker_vk"}:
            since = k
        if out[k].kind != "marker_k":
            k += 1
            continue
        in_order = any(x.kind in {"marker_v", "unit"} for x in out[since:k])
        since = k
        if in_order:
            k += 1
            continue
        v = next(
            (
                j
                for j in range(k + 1, len(out))
                if out[j].kind in {"marker_v", "marker_k", "marker_vk", "heading", "break"}
            ),
            None,
        )
        if v is None or out[v].kind != "marker_v":
            k += 1
            continue
        end = v + 1
        while end < len(out) and out[end].kind in {"unit", "unit_tail", "blank", "noise"}:
            end += 1
        if not any(x.kind == "unit" for x in out[v + 1 : end]):
            k += 1
            continue
        out[k:end] = out[v:end] + out[k:v]
        since = k + (end - v)  # the comment marker, now after the units
        k = end
    return out


def _starts_lower(text: str) -> bool:
    """Does the text go on from the line before (a lower-case start)? An l before a consonant
    is a capital I the OCR misread (``lndivid``, ``lnföra``), which starts a cell."""
    text = text.lstrip(" |")
    if not text[:1].islower():
        return False
    return not (text[:1] == "l" and text[1:2].isalpha() and text[1:2] not in "aeiouyåäöéj")


def _status_word(text: str) -> tuple[str, bool] | None:
    """(status, completed) when a cell's text is a status word (Grönt, Pågår enligt plan,
    Klar …), from the shared status-word file; None otherwise."""
    return _status_lookup(re.sub(r"\s+", " ", text).strip(" |-"))


@lru_cache(maxsize=10_000)
def _status_lookup(text: str) -> tuple[str, bool] | None:
    if not text or len(text) <= 1 or len(text) > MAX_UNIT_CHARS:
        return None  # single letters (G, R) are stray OCR marks here, not codes
    hit = status_for_word(text)
    return None if hit is None else (hit.status, bool(hit.completed))


def _unit_shaped(text: str) -> bool:
    """Could this be a unit cell: short, a name (capitalised, no sentence end)?"""
    cleaned = clean_unit(text) or ""
    if _status_word(cleaned) is not None:
        return False
    return (
        MIN_UNIT_LETTERS <= len(re.sub(r"[^\w]", "", cleaned)) <= MAX_UNIT_CHARS
        and len(cleaned) <= MAX_UNIT_CHARS
        and len(cleaned.split()) <= MAX_UNIT_WORDS
        and cleaned[-1:] not in ".!?:;,"
        and not _starts_lower(cleaned)
        and (cleaned[:1].isalpha() or cleaned[:1].isdigit())
    )


def _unit_candidates(block: list[Line]) -> list[str]:
    """A block of the unit column split into cells: a line ending in och/&/-, or a line
    followed by one starting in lower case, wraps onto the next."""
    cells: list[list[str]] = []
    for line in block:
        if cells and (_joins_next(cells[-1][-1]) or _starts_lower(line.text)):
            cells[-1].append(line.text)
        else:
            cells.append([line.text])
    return [_join_lines(cell) for cell in cells]


def _unit_zones(lines: list[Line]) -> tuple[list[list[Line]], list[list[Line]]]:
    """The lines after each unit-column marker, up to the next marker, heading or break; and
    those after a header row on one line (``Aktivitet Ansvar Kommentar``)."""
    zones: list[list[Line]] = []
    rows: list[list[Line]] = []
    current: list[Line] | None = None
    for line in lines:
        if line.kind in {"marker_v", "marker_vk"}:
            current = []
            (zones if line.kind == "marker_v" else rows).append(current)
        elif line.kind in {"marker_k", "heading", "break"}:
            current = None
        elif current is not None and line.kind in {"text", "blank"}:
            current.append(line)
    return zones, rows


def _longest_unit_run(zone: list[Line]) -> tuple[list[str], bool]:
    """Under a one-line header row the cells follow column by column: the units are the
    longest run of consecutive unit-shaped blocks (activities and comments are prose). Also
    says whether prose ending in a sentence stands on both sides of the run (a sure column)."""
    blocks = _blocks(zone)
    shaped = [all(_unit_shaped(c) for c in _unit_candidates(b)) for b in blocks]
    best: tuple[int, int] = (0, 0)
    start = 0
    for k, ok in enumerate([*shaped, False]):
        if not ok:
            if k - start > best[1] - best[0]:
                best = (start, k)
            start = k + 1
    a, b = best
    run = [c for block in blocks[a:b] for c in _unit_candidates(block)]

    def prose(k: int) -> bool:
        return 0 <= k < len(blocks) and bool(_TERMINAL.search(blocks[k][-1].text))

    return run, bool(run) and prose(a - 1) and prose(b)


def _document_units(lines: list[Line]) -> list[str]:
    """The unit spellings of this document, found by layout.

    What stands in a unit column (after a ``Verksamhet``/``Ansvar``/``Förvaltning`` … marker)
    in blocks of short, capitalised cells is a unit. A zone that also holds prose (the units
    stand between the activities on some pages) contributes only names that appear again
    elsewhere. Without any unit marker, short capitalised lines that repeat are the units.
    """
    clean: list[str] = []
    mixed: list[str] = []
    zones, rows = _unit_zones(lines)
    for zone in rows:
        if any(x.kind == "text" and _TERMINAL.search(x.text) for x in zone):
            run, framed = _longest_unit_run(zone)
            (clean if len(run) >= 2 or framed else mixed).extend(run)
    for zone in zones:
        accepted, rejected = [], 0
        for block in _blocks(zone):
            candidates = _unit_candidates(block)
            if all(_status_word(c) is not None for c in candidates):
                continue  # a status column among the units (blank header): no units
            if all(_unit_shaped(c) for c in candidates):
                accepted.extend(candidates)
            else:
                rejected += 1
        (mixed if rejected else clean).extend(accepted)
    if not clean and not mixed:
        singles = [
            b[0].text
            for b in _blocks([x for x in lines if x.kind in {"text", "blank"}])
            if len(b) == 1 and _unit_shaped(b[0].text)
        ]
        counts = Counter(fold_key(t) for t in singles)
        return [t for t in singles if counts[fold_key(t)] >= 2]
    known = {fold_key(c) for c in clean}
    counts = Counter(fold_key(c) for c in mixed)
    seconded = [c for c in mixed if fold_key(c) in known or counts[fold_key(c)] >= 2]
    if not clean:
        return seconded
    lexicon = UnitLexicon(clean)
    return clean + [c for c in mixed if lexicon.match(c) is not None] + seconded


def _embedded_unit(
    line: Line, lexicon: UnitLexicon, side_zone: bool
) -> tuple[str, str, str] | None:
    """(activity before, unit, comment after) when a unit of the document stands in the line.

    On a page whose cells stand side by side (its header row on one line) the unit may stand
    anywhere after the activity's first words; elsewhere only at the end of a line that starts
    a new text block or follows a bar or a sentence end (a row printed inside another column).
    """
    tokens = [t for t in line.text.split() if t not in {"|", "[", "]"}]
    if len(tokens) < 3 or not lexicon:
        return None
    best: tuple[float, int, int] | None = None
    for start in range(2, len(tokens)):
        for size in (4, 3, 2, 1):
            window = tokens[start : start + size]
            if len(window) < size or re.search(r"[.,;:)(]$", window[-1]):
                continue  # "Folkhälsa)." inside a comment is a word, not a unit cell
            if not side_zone and start + size != len(tokens):
                continue
            candidate = " ".join(window)
            if len(candidate) < 6 or not (candidate[:1].isupper()):
                continue
            unit = lexicon.match(candidate)
            if unit is None:
                continue
            score = fuzz.ratio(_fold(candidate), _fold(unit))
            if score >= 80 and (best is None or score > best[0]):
                best = (score, start, size)
    if best is None:
        return None
    _score, start, size = best
    before = " ".join(tokens[:start])
    if not side_zone:
        raw_before = line.text[: line.text.rfind(tokens[start])].rstrip()
        if not (raw_before.endswith(("|", "[", "]")) or _TERMINAL.search(before) or line.indented):
            return None
    return before, " ".join(tokens[start : start + size]), " ".join(tokens[start + size :])


def _unit_alone(text: str, lexicon: UnitLexicon) -> bool:
    cleaned = clean_unit(text) or ""
    if cleaned[-1:] in ".,;:" or _starts_lower(cleaned):
        return False
    return len(cleaned) <= MAX_UNIT_CHARS and lexicon.match(cleaned) is not None


def _page_furniture(lines: list[Line]) -> list[Line]:
    """Running titles and footers (the organisation's name, the report's title): a line that
    stands at a page edge (before a heading or a date, after a date) on at least half of the
    pages (three at least) and nowhere else is no cell; it becomes noise."""
    edge: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    content = [k for k, x in enumerate(lines) if x.kind != "blank"]
    for pos, k in enumerate(content):
        line = lines[k]
        if line.kind != "text":
            continue
        key = _fold(line.text)
        seen[key] += 1
        before = lines[content[pos - 1]].kind if pos else "break"
        after = lines[content[pos + 1]].kind if pos + 1 < len(content) else "break"
        # before a heading or a footer date, or after a date: not after a heading (a goal area
        # wrapped onto the next line), and no sentence (a comment's last line)
        if (after in {"heading", "break"} or before == "break") and not _TERMINAL.search(line.text):
            edge[key] += 1
    # on most pages (a running title is on every page; a short comment such as "Pågår" that
    # happens to end three pages of a long report is not)
    boundaries = sum(1 for x in lines if x.kind in {"heading", "break"})
    least = max(FURNITURE_REPEATS, boundaries // 2)
    furniture = {key for key, n in edge.items() if n >= least and seen[key] == n}
    for line in lines:
        if line.kind == "text" and _fold(line.text) in furniture:
            line.kind = "noise"
    return lines


def _classify(raw_lines: list[str], aliases: dict[str, str]) -> tuple[list[Line], UnitLexicon]:
    """Pass 2: the document's units found by layout, then every text line that is a unit cell
    (alone, wrapped over two lines, or inside a line beside other cells)."""
    lines = _page_furniture(_structure(raw_lines))
    lexicon = UnitLexicon(_document_units(lines), aliases)
    out: list[Line] = []
    side_zone = in_units = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.kind == "marker_vk":
            side_zone = True
        elif line.kind in {"marker_v", "marker_k", "heading", "break"}:
            side_zone = False
        if line.kind.startswith("marker_") or line.kind in {"heading", "break"}:
            in_units = line.kind == "marker_v"
        if line.kind != "text":
            out.append(line)
            continue
        if (
            in_units
            and _status_word(line.text) is not None
            and lexicon.match(line.text) is None
            and not _TERMINAL.search(line.text)
        ):
            # a status column with a blank header, OCR'd among the units: its words are no
            # units (in the comment column "Pågår enligt plan" is a comment and stays one)
            out.append(Line(line.no, line.text, "status"))
            continue
        text = line.text
        nxt = lines[i] if i < len(lines) and lines[i].kind == "text" else None
        pair = f"{text} {nxt.text}" if nxt else ""
        if (
            nxt
            and (_joins_next(text) or _starts_lower(nxt.text))
            and len(pair) <= MAX_UNIT_CHARS
            and _unit_alone(pair, lexicon)
        ):
            out.append(Line(line.no, text, "unit", unit=_join_lines([text, nxt.text])))
            out.append(Line(nxt.no, nxt.text, "unit_tail"))
            i += 1
        elif _unit_alone(text, lexicon):
            out.append(Line(line.no, text, "unit", unit=clean_unit(text)))
        elif (side := _embedded_unit(line, lexicon, side_zone)) is not None:
            before, unit, after = side
            out.append(Line(line.no, text, "side", unit=unit, before=before, after=after))
        else:
            out.append(line)
    return _units_before_comments(out), lexicon


# --------------------------------------------------------------------------- pages


def _clean_area(text: str) -> str:
    """A goal area without the OCR debris after it (``Ett tillgängligt N``, ``™``, ``|``);
    short Swedish words stay (``… att leva och verka i``)."""
    tokens = text.replace("|", " ").split()
    capitals = text.upper() == text
    while tokens and not _area_word(tokens[-1], capitals):
        tokens.pop()
    return " ".join(tokens)


def _area_word(token: str, capitals: bool) -> bool:
    """A real last word of an area: letters, and a short one only as a common word written
    in the area's case (``i`` in ``… och verka i``; a lone ``N`` after mixed case is debris)."""
    if _letters_run(token, 3):
        return True
    cased = token.isupper() if capitals else token.islower()
    return cased and token.isalpha() and zipf(token.lower()) >= 4.0


def _pages(lines: list[Line]) -> list[Page]:
    pages: list[Page] = []
    area: str | None = None
    area_raw: str | None = None
    current = Page(1, None, None)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "heading":
            heading = line.heading
            assert heading is not None
            raw = _clean_area(heading.area)
            forts = heading.forts
            # the area may wrap onto the next short line(s), possibly after the legend
            j = i + 1
            taken = 0
            while j < len(lines) and taken < 2:
                nxt = lines[j]
                if nxt.kind in {"blank", "legend", "noise"}:
                    j += 1
                    continue
                if nxt.kind != "text" or len(nxt.text) > MAX_AREA_CONTINUATION:
                    break
                if _TERMINAL.search(nxt.text):
                    break
                first = nxt.text.split()[0]
                continues_prev = (
                    forts
                    and area is not None
                    and fuzz.ratio(_fold(raw), _fold(area_raw or "")) < 90
                    and any(fuzz.ratio(_fold(first), _fold(w)) >= 75 for w in area.split())
                )
                if not (continues_prev or _starts_lower(nxt.text) or not raw):
                    break
                if j + 1 < len(lines) and lines[j + 1].kind == "text":
                    break  # the first line of a cell that wraps on, not the area
                raw = f"{raw} {_clean_area(nxt.text)}".strip()
                nxt.kind = "area"
                taken += 1
                j += 1
            new_area = repair_text(sentence_case(raw)) if raw else area
            if forts and area is not None and area_raw is not None:
                similar = fuzz.partial_ratio(_fold(raw), _fold(area_raw)) >= 80
                new_area = area if similar else new_area
            in_table = (
                area is not None
                and not forts
                and any(x.kind == "text" for x in current.lines)
                and not any(
                    x.kind in {"marker_v", "marker_k", "unit", "side"} for x in current.lines
                )
            )
            if in_table:  # a full-width row inside the activity column starts a goal area
                current.areas.append((line.no, new_area, raw))
                current.lines.append(Line(line.no, "", "blank"))
            else:
                pages.append(current)
                current = Page(len(pages) + 1, new_area, raw)
            area, area_raw = new_area, raw
        elif line.kind == "break":
            pages.append(current)
            current = Page(len(pages) + 1, area, area_raw)
        else:
            current.lines.append(line)
        i += 1
    pages.append(current)
    content = [p for p in pages if any(x.kind in {"text", "unit", "side"} for x in p.lines)]
    for number, page in enumerate(content, start=1):
        page.number = number
    return content


# --------------------------------------------------------------------------- cells


def _blocks(lines: list[Line]) -> list[Cell]:
    """Cells separated by blank lines; a block starting in lower case continues the previous."""
    blocks: list[Cell] = []
    current: Cell = []
    for line in lines:
        if line.kind in {"blank", "noise", "legend", "area", "unit_tail"}:
            if line.kind == "blank" and current:
                blocks.append(current)
                current = []
            continue
        current.append(line)
    if current:
        blocks.append(current)
    merged: list[Cell] = []
    for block in blocks:
        if merged and _starts_lower(block[0].text):
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    return merged


def _first_word_len(text: str) -> int:
    match = _WORD.search(text)
    return len(match.group(0)) if match else 0


def _split_points(cell: Cell, width: int) -> list[tuple[int, float]]:
    """Positions inside a cell where a new cell may begin, with the slack of the break.

    A sentence that ends a line followed by a capitalised line may be a cell boundary; when the
    next line's first word would have fitted on the line (slack >= 0), the line break was not a
    wrap but the end of the cell.
    """
    points = []
    for j in range(len(cell) - 1):
        here, nxt = cell[j].text, cell[j + 1].text
        if _CELL_END.search(here) and (nxt[:1].isupper() or nxt[:1].isdigit()):
            slack = width - (len(here) + 1 + _first_word_len(nxt))
            points.append((j + 1, float(slack)))
    return points


def _cut(cell: Cell, positions: list[int]) -> list[Cell]:
    edges = [0, *sorted(positions), len(cell)]
    return [cell[a:b] for a, b in itertools.pairwise(edges) if b > a]


def _join_lines(texts: list[str]) -> str:
    """Join wrapped lines: a space, or nothing for a hyphenated word (``EU-`` keeps its dash)."""
    out = ""
    for text in texts:
        text = text.strip()
        if not out:
            out = text
        elif out.endswith("-") and text[:1].islower():
            last = out.split()[-1][:-1]
            if last.isupper() or any(c.isdigit() for c in last):
                out = out + text  # a compound dash: EU-utlysningar
            else:
                out = out[:-1] + text  # a hyphenation: kompetens- + försörjning
        else:
            out = f"{out} {text}"
    return out


def _cell_text(cell: Cell | None) -> str | None:
    if not cell:
        return None
    return _join_lines([line.text for line in cell]) or None


@lru_cache(maxsize=20_000)
def _stems(text: str) -> frozenset[str]:
    """Five-letter stems of a cell's less common words (common ones pair anything)."""
    words = re.findall(r"[^\W\d_]{5,}", (repair_text(text) or "").lower())
    return frozenset(_fold(w)[:5] for w in words if zipf(w) < STEM_MAX_ZIPF)


@lru_cache(maxsize=20_000)
def _folded_repaired(text: str) -> str:
    return _fold(repair_text(text) or "")


def _pair_score(activities: list[Cell], comments: list[Cell]) -> float:
    """How well comments fit their activities: shared word stems, summed over the rows."""
    total = 0.0
    for act, com in zip(activities, comments, strict=False):
        act_text = _folded_repaired(_cell_text(act) or "")
        total += sum(1 for stem in _stems(_cell_text(com) or "") if stem in act_text)
    return total


def _split_bonus(slack: float) -> float:
    """Weight of a break's slack against shared words.

    Character counts only approximate widths in a proportional font, so a break where the next
    word would just have fitted is weak evidence; one with room to spare outweighs shared words.
    """
    if slack >= 0:
        return min(SURE_BONUS, EDGE_BONUS + slack / 3.0)
    return slack / 100.0


def _fit(
    blocks: list[Cell], n: int, partners: list[Cell] | None = None, merge: bool = True
) -> tuple[list[Cell], str | None]:
    """Make ``n`` cells out of a column's blocks (split or merge), pairing-aware when it can.

    Too few blocks: split at sentence ends followed by a capitalised line. A break where the next
    word would have fitted on the line (slack >= 0) is almost surely a cell end; among the rest,
    the split that makes comments share the most words with their activities wins.
    Returns the cells and, when a real guess was needed, a note saying what was done.
    """
    lines = [line for block in blocks for line in block]
    if not lines:
        return [], None if n == 0 else "no cells"
    width = max(len(line.text) for line in lines)
    cells: list[Cell] = list(blocks)
    if len(cells) == n:
        return cells, None
    if len(cells) < n:
        need = n - len(cells)
        options = [
            (c, pos, slack)
            for c, cell in enumerate(cells)
            for pos, slack in _split_points(cell, width)
        ]
        if len(options) <= need:
            chosen = options
        else:
            combos = itertools.islice(itertools.combinations(options, need), MAX_COMBINATIONS)

            def score(combo: tuple) -> float:
                fit = sum(_split_bonus(o[2]) for o in combo)
                if partners is None:
                    return fit
                return _pair_score(partners, _apply_splits(cells, combo)) + fit

            chosen = list(max(combos, key=score))
        result = _apply_splits(cells, chosen)
        guessed = [o for o in chosen if o[2] < 0]
        if partners is not None and (guessed or len(result) < n):
            # an empty comment cell explains a missing cell as well as a guessed split does:
            # keep the sure splits and leave rows empty, if that pairs the words better
            sure = _apply_splits(cells, [o for o in chosen if o[2] >= 0])
            gapped, note = _with_gaps(sure, n, partners)
            if len(result) < n or _pair_score(partners, gapped) > _pair_score(partners, result):
                return gapped, note
        if len(result) < n:
            return result, f"found {len(result)} of {n} cells"
        guessed = [o for o in chosen if o[2] < 0]
        if guessed or len(options) > need:
            return result, f"split {len(chosen)} cell(s) at sentence ends to reach {n}"
        return result, None
    if not merge:  # activities are never merged away: each stays a row of its own
        return cells, f"{len(cells)} cells for {n} rows, none merged"
    # too many cells: merge where a boundary is weakest (no sentence end before it)
    while len(cells) > max(n, 1):
        weakest = min(
            range(1, len(cells)),
            key=lambda k: (bool(_TERMINAL.search(cells[k - 1][-1].text)), k),
        )
        cells[weakest - 1 : weakest + 1] = [cells[weakest - 1] + cells[weakest]]
    return cells, f"merged cells to reach {n}"


def _with_gaps(cells: list[Cell], n: int, partners: list[Cell]) -> tuple[list[Cell], str]:
    """Fewer comments than rows: some comment cells were empty. Leave empty the rows whose
    placement makes the comments share the most words with their activities (the last rows
    when nothing tells)."""
    missing = n - len(cells)

    def placed(gaps: tuple[int, ...]) -> list[Cell]:
        out: list[Cell] = []
        rest = iter(cells)
        for k in range(n):
            out.append([] if k in gaps else next(rest))
        return out

    best_gaps = tuple(range(len(cells), n))
    best = _pair_score(partners, placed(best_gaps))
    for gaps in itertools.islice(itertools.combinations(range(n), missing), MAX_COMBINATIONS):
        score = _pair_score(partners, placed(gaps))
        if score > best:
            best, best_gaps = score, gaps
    rows = ", ".join(str(k + 1) for k in best_gaps)
    return placed(best_gaps), f"{GAP_NOTE} {missing} of {n} cells: left row(s) {rows} empty"


def _apply_splits(cells: list[Cell], splits) -> list[Cell]:
    by_cell: dict[int, list[int]] = {}
    for c, pos, _slack in splits:
        by_cell.setdefault(c, []).append(pos)
    out: list[Cell] = []
    for c, cell in enumerate(cells):
        out.extend(_cut(cell, by_cell.get(c, [])))
    return out


# --------------------------------------------------------------------------- one page


@dataclass
class Table:
    page: Page
    act_lines: list[Line] = field(default_factory=list)
    units: list[Line] = field(default_factory=list)
    com_lines: list[Line] = field(default_factory=list)
    side_acts: list[Cell] = field(default_factory=list)  # activities found inside comment text
    side_units: list[Line] = field(default_factory=list)
    side_rows: list[tuple[Cell, Line, Cell]] = field(default_factory=list)  # side-by-side page
    carried: Cell = field(default_factory=list)  # continues the previous page's last comment
    statuses: list[Line] = field(default_factory=list)  # status cells (words), in order


def _zone_start(lines: list[Line]) -> int | None:
    for k, line in enumerate(lines):
        if line.kind == "marker_k":
            return k + 1
        if line.kind == "marker_vk":
            first = next((x for x in lines[k + 1 :] if x.kind in {"text", "side", "unit"}), None)
            if first is not None and first.kind == "side":
                return k + 1
            break  # the header row stood on one line, the cells below it column by column
    seen_unit = False
    for k, line in enumerate(lines):
        if line.kind in {"unit", "unit_tail"}:
            seen_unit = True
        elif seen_unit and line.kind in {"text", "side"}:
            return k
    return None


def _split_hidden_pages(pages: list[Page]) -> tuple[list[Page], list[ReaderWarning]]:
    """A page break without heading or date shows as unit cells after the comment cells."""
    out: list[Page] = []
    warnings: list[ReaderWarning] = []
    queue = list(pages)
    while queue:
        page = queue.pop(0)
        start = _zone_start(page.lines)
        cut = None
        if start is not None:
            later = [k for k in range(start, len(page.lines)) if page.lines[k].kind == "unit"]
            if later:
                u = later[0]
                run = 0
                for line in page.lines[u:]:
                    if line.kind == "unit":
                        run += 1
                    elif line.kind not in {"blank", "noise", "unit_tail"}:
                        break
                text = [ln for ln in page.lines[start:u] if ln.kind in {"text", "blank"}]
                cells = []
                for block in _blocks(text):
                    width = max(len(x.text) for x in block)
                    sure = [p for p, s in _split_points(block, width) if s >= 0]
                    cells.extend(_cut(block, sure))
                if len(cells) > run:
                    first = cells[-run][0]
                    cut = next(k for k, ln in enumerate(page.lines) if ln is first)
                else:
                    cut = start
                    warnings.append(
                        ReaderWarning(
                            "unit cells after the comments but too little "
                            "text before them to tell the previous page's comments from this "
                            "page's activities",
                            page=page.number,
                        )
                    )
        if cut is None:
            out.append(page)
            continue
        head = Page(page.number, page.area, page.area_raw, page.lines[:cut], page.areas)
        tail = Page(page.number, page.area, page.area_raw, page.lines[cut:], page.areas)
        out.append(head)
        queue.insert(0, tail)
    for number, page in enumerate(out, start=1):
        page.number = number
    return out, warnings


def _is_complete(text: str) -> bool:
    return bool(_TERMINAL.search(text.strip()))


def _tabulate(page: Page) -> Table:
    table = Table(page)
    table.statuses = [line for line in page.lines if line.kind == "status"]
    start = _zone_start(page.lines)
    pre = page.lines if start is None else page.lines[:start]
    zone = [] if start is None else page.lines[start:]
    for line in pre:
        if line.kind == "unit":
            table.units.append(line)
        elif line.kind in {"text", "blank"}:
            table.act_lines.append(line)
        elif line.kind == "side":
            table.side_rows.append(([Line(line.no, line.before, "text")], line, []))
            if line.after:
                table.side_rows[-1][2].append(Line(line.no, line.after, "text"))
    content = [ln for ln in zone if ln.kind in {"text", "side"}]
    side_page = bool(content) and content[0].kind == "side" or bool(table.side_rows)
    if side_page:
        _side_by_side(table, zone)
        return table
    open_side: Cell | None = None  # a side activity still waiting for its sentence end
    for line in zone:
        if line.kind == "side":
            cell = [Line(line.no, line.before, "text")]
            table.side_acts.append(cell)
            table.side_units.append(line)
            open_side = None if _is_complete(line.before) else cell
            if line.after:
                table.com_lines.append(Line(line.no, "", "blank"))
                table.com_lines.append(Line(line.no, line.after, "text"))
        elif line.kind == "text" and open_side is not None:
            open_side.append(line)
            if _is_complete(line.text):
                open_side = None
        elif line.kind in {"text", "blank"}:
            table.com_lines.append(line)
    blocks = _blocks(table.com_lines)
    if blocks and _starts_lower(blocks[0][0].text):
        table.carried = blocks[0]
        carried = {id(x) for x in blocks[0]}
        table.com_lines = [x for x in table.com_lines if id(x) not in carried]
    return table


def _side_by_side(table: Table, zone: list[Line]) -> None:
    """Rows whose activity, unit and comment stand on one line, with wrapped continuations."""
    widths = [len(line.before) for line in zone if line.kind == "side"]
    width = max(widths + [len(r[0][0].text) for r in table.side_rows] + [20])
    for line in zone:
        if line.kind == "side":
            act = [Line(line.no, line.before, "text")]
            com = [Line(line.no, line.after, "text")] if line.after else []
            table.side_rows.append((act, line, com))
            continue
        if line.kind != "text":
            continue
        if not table.side_rows:
            table.com_lines.append(line)
            continue
        act, _unit, com = table.side_rows[-1]
        act_text = " ".join(x.text for x in act)
        com_text = " ".join(x.text for x in com)
        tokens = line.text.split()
        if _is_complete(act_text):
            com.append(line)
            continue
        ends = [k for k, tok in enumerate(tokens) if _TERMINAL.search(tok)]
        if ends:
            k = ends[0] + 1
        elif not com_text or _is_complete(com_text):
            k = len(tokens)
        else:
            k = 0
            while k < len(tokens) and len(" ".join(tokens[: k + 1])) <= width:
                k += 1
        if k:
            act.append(Line(line.no, " ".join(tokens[:k]), "text"))
        if tokens[k:]:
            com.append(Line(line.no, " ".join(tokens[k:]), "text"))


# --------------------------------------------------------------------------- reader


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    """OCR text of a report: plain text with a unit-column and a comment-column marker."""
    if b"\x00" in head or path.suffix.lower() not in {".txt", ".text", ""}:
        return False
    kinds = {marker_kind(line) for line in head.decode("utf-8", errors="ignore").splitlines()}
    units = bool(kinds & {"marker_v", "marker_vk"})
    return units and bool(kinds & {"marker_k", "marker_vk"})


def tidy_text(text: str | None) -> str | None:
    """Cell text without OCR debris: stray bars dropped (``| det`` is ``I det``), spaces tidied."""
    if text is None:
        return None
    text = re.sub(r"(^|\s)[|\[](?=\s+[a-zåäö])", r"\1I", text)
    text = re.sub(r"(^|\s)[|\[\]](?=\s|$)", " ", text)
    text = re.sub(r"\s+-$", "", text)
    return re.sub(r"\s+", " ", text).strip() or None


def _clean_text(text: str | None) -> str | None:
    return repair_text(tidy_text(text))


def _is_prose(text: str | None) -> bool:
    """Are most of a cell's words real words? OCR garbage (symbols, letter soup) is not."""
    words = re.findall(r"[^\W\d_]{3,}", (text or "").lower())
    known = sum(1 for word in words if zipf(word) > 0)
    return known >= 2 and known >= MIN_KNOWN_WORDS * len(words)


@dataclass
class PageReport:
    """How one page's cells were paired: what ``FoundTable`` and the warnings say."""

    notes: list[str] = field(default_factory=list)  # guesses and disagreements
    confidence: float = 1.0
    side_by_side: bool = False
    leftover: list[str] = field(default_factory=list)
    status_words: int = 0  # rows whose status word was read
    used: set[int] = field(default_factory=set)  # source lines placed in a row


def _rows_of(table: Table) -> tuple[list[dict], PageReport]:
    page = table.page
    report = PageReport()
    notes = report.notes
    if table.side_rows:
        report.side_by_side = True
        report.confidence = CONF_SIDE_BY_SIDE
        acts = [r[0] for r in table.side_rows]
        unit_lines = [r[1] for r in table.side_rows]
        comments: list[Cell] = [r[2] for r in table.side_rows]
        left = [line for line in table.act_lines + table.com_lines if line.kind == "text"]
        if left:
            report.leftover = [f"line {line.no}: {line.text}" for line in left]
            notes.append(
                f"{len(left)} line(s) beside the side-by-side rows fit none of them: "
                + "; ".join(report.leftover)
            )
            report.confidence = min(report.confidence, CONF_COUNTS_DISAGREE)
    else:
        unit_lines = table.units + table.side_units
        n = len(unit_lines)
        act_blocks = _blocks(table.act_lines)
        acts, note = _fit(act_blocks, n - len(table.side_acts), merge=False)
        if note:
            notes.append(f"activities: {note}")
            report.confidence = min(report.confidence, CONF_PAIRED_BY_POSITION)
        acts = acts + table.side_acts
        comments, note = _fit(_blocks(table.com_lines), n, partners=acts)
        if note:
            notes.append(f"comments: {note}")
            gap = note.startswith(GAP_NOTE)
            report.confidence = min(report.confidence, CONF_GAP if gap else CONF_PAIRED_BY_POSITION)
        if not unit_lines:
            notes.append("no unit cells found")
            report.confidence = min(report.confidence, CONF_NO_UNITS)
    count = max(len(acts), len(unit_lines), len(comments))
    if len(acts) != count or len(unit_lines) != count or len(comments) != count:
        notes.append(f"{len(acts)} activities, {len(unit_lines)} units, {len(comments)} comments")
        report.confidence = min(report.confidence, CONF_COUNTS_DISAGREE)
    report.used = {line.no for cell in [*acts, *comments] if cell for line in cell}
    report.used |= {line.no for line in unit_lines if line is not None}
    report.used |= {line.no for line in table.carried}
    statuses: list[Line | None] = [None] * count
    if table.statuses:
        if len(table.statuses) == count:
            statuses = list(table.statuses)
        else:
            notes.append(
                f"{len(table.statuses)} status words for {count} rows: statuses not paired"
            )
            report.confidence = min(report.confidence, CONF_PAIRED_BY_POSITION)
    report.status_words = sum(x is not None for x in statuses)
    rows = []
    area, area_raw = page.area, page.area_raw
    for k in range(count):
        act = acts[k] if k < len(acts) else None
        unit_line = unit_lines[k] if k < len(unit_lines) else None
        com = comments[k] if k < len(comments) else None
        if act:
            area, area_raw = page.area_at(act[0].no)
        rows.append(
            {
                "page": page.number,
                "goal_area_raw": area_raw,
                "goal_area": area,
                "activity_raw": _cell_text(act),
                "unit_raw": unit_line.unit if unit_line else None,
                "comment_raw": _cell_text(com),
                "status_raw": statuses[k].text.strip(" |-") if statuses[k] else None,
            }
        )
    return rows, report


def _stray_lines(page: Page) -> list[str]:
    return [line.text for line in page.lines if line.kind == "noise"]


def _marker_text(page: Page, kinds: set[str]) -> str | None:
    return next((line.text.strip(" |-") for line in page.lines if line.kind in kinds), None)


def _found_table(page: Page, rows: list[dict], report: PageReport, lexicon: UnitLexicon):
    """What ``followup inspect`` shows for one page."""
    unit_header = _marker_text(page, {"marker_v", "marker_vk"})
    comment_header = _marker_text(page, {"marker_k", "marker_vk"})
    how = "on one line with its unit and comment" if report.side_by_side else "column by column"
    columns = [
        ColumnChoice(
            "activity", 0, None, f"layout: the first cell of each row ({how})", report.confidence
        ),
        ColumnChoice(
            "unit",
            1,
            unit_header,
            (f"marker {unit_header!r}" if unit_header else "no marker on this page")
            + f"; short cells recurring in the document's unit column ({len(lexicon)} units)",
            1.0 if unit_header else CONF_PAIRED_BY_POSITION,
        ),
        ColumnChoice(
            "comment",
            2,
            comment_header,
            (f"marker {comment_header!r}" if comment_header else "no marker on this page")
            + "; paired with the activities by position",
            report.confidence,
        ),
    ]
    if report.status_words:
        status_header = _marker_text(page, {"marker_s"})
        columns.insert(
            2,
            ColumnChoice(
                "status",
                2,
                status_header,
                f"status words ({report.status_words} cells) in the shared status-word file",
                report.confidence,
            ),
        )
        columns[-1].index = 3
    areas: dict[str, int] = {}
    for row in rows:
        key = row["goal_area"] or "(no goal area)"
        areas[key] = areas.get(key, 0) + 1
    notes = list(report.notes)
    stray = _stray_lines(page)
    if stray:
        notes.append("stray lines dropped: " + ", ".join(repr(t) for t in stray))
    return FoundTable(
        where=f"page {page.number}",
        columns=columns,
        status_encoding="word" if report.status_words else "none",
        rows=len(rows),
        goal_areas=areas,
        confidence=report.confidence,
        notes=notes,
        page=page.number,
    )


def read(path: Path, fmt: str = "ocr-text") -> ReaderResult:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFormatError(f"{path.name}: OCR text must be UTF-8") from exc
    text = unicodedata.normalize("NFC", text)
    lines, lexicon = _classify(text.splitlines(), aliases_for(path.name))
    if not any(line.kind in {"heading", "marker_v", "marker_k", "marker_vk"} for line in lines):
        raise ReportFormatError(
            f"{path.name}: neither a goal-area heading nor a column marker (Verksamhet, "
            "Kommentar …); not an OCR'd follow-up report"
        )
    pages, warnings = _split_hidden_pages(_pages(lines))
    rows: list[dict] = []
    tables: list[FoundTable] = []
    previous_comment: dict | None = None
    for page in pages:
        table = _tabulate(page)
        if table.carried:
            if previous_comment is not None:
                joined = (previous_comment["comment_raw"] or "") + " " + _cell_text(table.carried)
                previous_comment["comment_raw"] = joined.strip()
            else:
                table.com_lines = table.carried + table.com_lines
        page_rows, report = _rows_of(table)
        unplaced = [
            f"line {x.no}: {x.text}"
            for x in page.lines
            if x.kind in {"text", "unit", "side"} and x.no not in report.used
        ]
        if unplaced:  # nothing is dropped without a word: the text itself goes in the warning
            report.notes.append(f"{len(unplaced)} line(s) in no row: " + "; ".join(unplaced))
            report.confidence = min(report.confidence, CONF_COUNTS_DISAGREE)
        if report.notes:
            warnings.append(
                ReaderWarning(
                    f"page {page.number} ({page.area or 'no goal area'}): "
                    + "; ".join(report.notes)
                    + f"; rows paired by position, check them (confidence {report.confidence:.1f})",
                    page=page.number,
                    source_row=len(rows) + 1,
                )
            )
        tables.append(_found_table(page, page_rows, report, lexicon))
        rows.extend(page_rows)
        with_comment = [r for r in page_rows if r["comment_raw"]]
        if with_comment:
            previous_comment = with_comment[-1]
    records = []
    for index, row in enumerate(rows, start=1):
        said = _status_word(row["status_raw"]) if row["status_raw"] else None
        records.append(
            {
                "source_row": index,
                "goal_area": row["goal_area"],
                "activity": _clean_text(row["activity_raw"]),
                "unit": lexicon.canonical(row["unit_raw"]),
                "status": said[0] if said else "unknown",
                # as the spreadsheet reader: "Ej påbörjad" says nothing about the plan
                "status_source": "reported"
                if said and (said[0] != "unknown" or said[1])
                else "absent",
                "comment": _clean_text(row["comment_raw"]),
                "goal_area_raw": row["goal_area_raw"],
                "activity_raw": row["activity_raw"],
                "unit_raw": row["unit_raw"],
                "comment_raw": row["comment_raw"],
                "page": row["page"],
                "status_raw": row["status_raw"],
                "completed_reported": said[1] if said else None,
            }
        )
    if not any(
        r["unit_raw"] or _is_prose(r["activity"]) or _is_prose(r["comment"]) for r in records
    ):
        raise ReportFormatError(
            f"{path.name}: there is no unit cell and hardly a real word: the OCR output is "
            "garbage; OCR the scan again in Swedish (e.g. `tesseract page.png out -l swe`)"
        )
    if not any(r["activity_raw"] for r in records):
        raise ReportFormatError(
            f"{path.name}: no activity cells before the unit and comment columns; not an "
            "OCR'd follow-up report"
        )
    schema = {**READER_SCHEMA, **OCR_PROVENANCE_SCHEMA}
    frame = pl.DataFrame(records, schema=schema, orient="row")
    return ReaderResult(frame, warnings, tables=tables, pages=len(pages))

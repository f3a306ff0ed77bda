"""OCR'd follow-up reports: plain text where each page's table was written column by column.

Each page holds one table (activity | unit | status colour | comment) under a heading that names
the goal area (``AKTIVITETER MALOMRADE - <area>``, ``forts. ...`` when continued). The OCR wrote
the page's activity cells first, then its unit cells (after a ``Verksamhet`` line), then its
comment cells (after ``Kommentar``); rows are re-paired by position. Status colours do not survive
OCR, so every row is ``unknown`` (a later stage may infer it).

The text is messy: lost diacritics and look-alike glyphs (repaired by ``pipelines.swedish``),
stray lines, units wrapped over two lines, cells without a blank line between them, a comment
running over a page break, pages without a heading or column markers, a page whose cells stand
side by side on one line. Where a page's columns do not add up, the reader pairs what it can and
says so in a ``ReaderWarning`` instead of guessing silently.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz

from pipelines.core.errors import ReportFormatError
from pipelines.read import READER_SCHEMA, ReaderResult, ReaderWarning
from pipelines.swedish.repair import repair_text, zipf
from pipelines.swedish.units import canonical_unit, fold_key, match_unit

_HEADING = re.compile(
    r"^\W*(?P<forts>forts\.?)?\s*aktiviteter\s+(?P<kind>\S+)\s*(?:[-—–:]\s*)?(?P<area>.*)$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PAGE_NO = re.compile(r"^\d{1,3}$")
_TERMINAL = re.compile(r"[.!?:]\)?$")
_CELL_END = re.compile(r"([.!?:]\)?|\))$")
_WORD = re.compile(r"\S+")
MAX_COMBINATIONS = 5000
STEM_MAX_ZIPF = 4.3
SURE_BONUS = 2.0
EDGE_BONUS = 0.25
MAX_AREA_CONTINUATION = 60
MIN_KNOWN_WORDS = 0.5  # a report with no unit and fewer real words than this is OCR garbage


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str
    kind: str  # blank heading legend marker_v marker_k marker_vk noise break unit side text
    unit: str | None = None  # raw unit text (unit and side lines)
    before: str = ""  # side lines: activity text before the unit
    after: str = ""  # side lines: comment text after the unit


@dataclass
class Page:
    number: int
    area: str | None
    area_raw: str | None
    lines: list[Line] = field(default_factory=list)


Cell = list[Line]  # the source lines of one cell, in order


# --------------------------------------------------------------------------- classification


def _fold(text: str) -> str:
    return fold_key(text)


def _letters_run(text: str, n: int) -> bool:
    return re.search(rf"[^\W\d_]{{{n},}}", text) is not None


def _is_noise(text: str) -> bool:
    if _PAGE_NO.match(text):
        return True
    return not _letters_run(text, 3) and re.search(r"\d{4}", text) is None


def _marker(text: str) -> str | None:
    words = _fold(text).split()
    if words == ["verksamhet"]:
        return "marker_v"
    if words == ["kommentar"] or words == ["kommentarer"]:
        return "marker_k"
    if words in (["verksamhet", "kommentar"], ["verksamhet", "kommentarer"]):
        return "marker_vk"
    return None


def _is_legend(text: str) -> bool:
    folded = _fold(text)
    return "avvikelse" in folded or "maluppfyl" in folded or ("gult" in folded and "=" in text)


def _is_heading(text: str) -> bool:
    match = _HEADING.match(text)
    if match is None:
        return False
    kind = _fold(match.group("kind"))
    return "AKTIVITETER" in text or any(
        fuzz.ratio(kind, word) >= 75 for word in ("malomrade", "visionsmalet", "visionsmal")
    )


def _embedded_unit(text: str) -> tuple[str, str, str] | None:
    """(activity before, unit, comment after) when a known unit stands inside the line."""
    tokens = [t for t in text.split() if t not in {"|", "[", "]"}]
    if len(tokens) < 3:
        return None
    best: tuple[float, int, int] | None = None
    for start in range(2, len(tokens)):
        for size in (4, 3, 2, 1):
            window = tokens[start : start + size]
            if len(window) < size or re.search(r"[.,;:)(]$", window[-1]):
                continue  # "Folkhälsa)." inside a comment is a word, not a unit cell
            candidate = " ".join(window)
            unit = match_unit(candidate) if len(candidate) >= 6 else None
            if unit is None:
                continue
            score = fuzz.ratio(_fold(candidate), _fold(unit))
            if score >= 88 and (best is None or score > best[0]):
                best = (score, start, size)
    if best is None:
        return None
    _score, start, size = best
    return (
        " ".join(tokens[:start]),
        " ".join(tokens[start : start + size]),
        " ".join(tokens[start + size :]),
    )


def _unit_alone(text: str) -> bool:
    cleaned = text.strip(" |-")
    if cleaned[-1:] in ".,;:" or cleaned[:1].islower():
        return False
    return len(cleaned) <= 60 and match_unit(cleaned) is not None


def _joins_next(text: str) -> bool:
    return re.search(r"(\boch|&|,|/|-)$", text.strip()) is not None


def _classify(raw_lines: list[str]) -> list[Line]:
    lines: list[Line] = []
    i = 0
    while i < len(raw_lines):
        no, text = i + 1, raw_lines[i].strip()
        i += 1
        if not text:
            lines.append(Line(no, text, "blank"))
            continue
        if raw_lines[i - 1][:1].isspace() and lines and lines[-1].kind != "blank":
            # OCR starts a new text block with a space: a cell boundary, like a blank line
            lines.append(Line(no, "", "blank"))
        if _is_heading(text):
            lines.append(Line(no, text, "heading"))
        elif _DATE.match(text):
            lines.append(Line(no, text, "break"))
        elif _is_legend(text):
            lines.append(Line(no, text, "legend"))
        elif (marker := _marker(text)) is not None:
            lines.append(Line(no, text, marker))
        elif _is_noise(text):
            lines.append(Line(no, text, "noise"))
        else:
            nxt = raw_lines[i].strip() if i < len(raw_lines) else ""
            pair = f"{text} {nxt}"
            if nxt and _joins_next(text) and len(pair) <= 60 and _unit_alone(pair):
                lines.append(Line(no, text, "unit", unit=pair))
                lines.append(Line(no + 1, nxt, "unit_tail"))
                i += 1
            elif _unit_alone(text):
                lines.append(Line(no, text, "unit", unit=text.strip(" |-")))
            elif (side := _embedded_unit(text)) is not None:
                before, unit, after = side
                lines.append(Line(no, text, "side", unit=unit, before=before, after=after))
            else:
                lines.append(Line(no, text, "text"))
    return lines


# --------------------------------------------------------------------------- pages


def _clean_area(text: str) -> str:
    tokens = text.replace("|", " ").split()
    while tokens and (len(tokens[-1]) <= 2 or not _letters_run(tokens[-1], 2)):
        tokens.pop()
    return " ".join(tokens)


def _pages(lines: list[Line]) -> list[Page]:
    pages: list[Page] = []
    area: str | None = None
    area_raw: str | None = None
    current = Page(1, None, None)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "heading":
            match = _HEADING.match(line.text)
            assert match is not None
            raw = _clean_area(match.group("area"))
            forts = match.group("forts") is not None
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
                if not (continues_prev or nxt.text[:1].islower()):
                    break
                raw = f"{raw} {_clean_area(nxt.text)}".strip()
                nxt.kind = "area"
                taken += 1
                j += 1
            new_area = repair_text(raw) if raw else area
            if forts and area is not None and area_raw is not None:
                similar = fuzz.partial_ratio(_fold(raw), _fold(area_raw)) >= 80
                new_area = area if similar else new_area
            pages.append(current)
            area, area_raw = new_area, raw
            current = Page(len(pages) + 1, area, area_raw)
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
        if merged and block[0].text[:1].islower():
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
    blocks: list[Cell], n: int, partners: list[Cell] | None = None
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
        if len(result) < n:
            return result, f"found {len(result)} of {n} cells"
        guessed = [o for o in chosen if o[2] < 0]
        if guessed or len(options) > need:
            return result, f"split {len(chosen)} cell(s) at sentence ends to reach {n}"
        return result, None
    # too many cells: merge where a boundary is weakest (no sentence end before it)
    while len(cells) > max(n, 1):
        weakest = min(
            range(1, len(cells)),
            key=lambda k: (bool(_TERMINAL.search(cells[k - 1][-1].text)), k),
        )
        cells[weakest - 1 : weakest + 1] = [cells[weakest - 1] + cells[weakest]]
    return cells, f"merged cells to reach {n}"


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


def _zone_start(lines: list[Line]) -> int | None:
    for k, line in enumerate(lines):
        if line.kind in {"marker_k", "marker_vk"}:
            return k + 1
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
        head = Page(page.number, page.area, page.area_raw, page.lines[:cut])
        tail = Page(page.number, page.area, page.area_raw, page.lines[cut:])
        out.append(head)
        queue.insert(0, tail)
    for number, page in enumerate(out, start=1):
        page.number = number
    return out, warnings


def _is_complete(text: str) -> bool:
    return bool(_TERMINAL.search(text.strip()))


def _tabulate(page: Page) -> Table:
    table = Table(page)
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
    if blocks and blocks[0][0].text[:1].islower():
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
    if b"\x00" in head or path.suffix.lower() not in {".txt", ".text", ""}:
        return False
    text = head.decode("utf-8", errors="ignore").casefold()
    return "aktiviteter" in text and ("verksamhet" in text or "kommentar" in text)


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


def _rows_of(table: Table) -> list[dict]:
    page = table.page
    notes: list[str] = []
    if table.side_rows:
        acts = [r[0] for r in table.side_rows]
        unit_lines = [r[1] for r in table.side_rows]
        comments: list[Cell] = [r[2] for r in table.side_rows]
        if any(line.kind == "text" for line in table.act_lines + table.com_lines):
            notes.append("text outside the side-by-side rows was left out")
    else:
        unit_lines = table.units + table.side_units
        n = len(unit_lines)
        act_blocks = _blocks(table.act_lines)
        acts, note = _fit(act_blocks, n - len(table.side_acts))
        if note:
            notes.append(f"activities: {note}")
        acts = acts + table.side_acts
        comments, note = _fit(_blocks(table.com_lines), n, partners=acts)
        if note:
            notes.append(f"comments: {note}")
        if not unit_lines:
            notes.append("no unit cells found")
    count = max(len(acts), len(unit_lines), len(comments))
    if len(acts) != count or len(unit_lines) != count or len(comments) != count:
        notes.append(f"{len(acts)} activities, {len(unit_lines)} units, {len(comments)} comments")
    rows = []
    for k in range(count):
        act = acts[k] if k < len(acts) else None
        unit_line = unit_lines[k] if k < len(unit_lines) else None
        com = comments[k] if k < len(comments) else None
        rows.append(
            {
                "page": page.number,
                "goal_area_raw": page.area_raw,
                "goal_area": page.area,
                "activity_raw": _cell_text(act),
                "unit_raw": unit_line.unit if unit_line else None,
                "comment_raw": _cell_text(com),
                "_notes": notes,
            }
        )
    return rows


def read(path: Path, fmt: str = "ocr-text") -> ReaderResult:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFormatError(f"{path.name}: OCR text must be UTF-8") from exc
    text = unicodedata.normalize("NFC", text)
    lines = _classify(text.splitlines())
    if not any(line.kind == "heading" for line in lines):
        raise ReportFormatError(
            f"{path.name}: no 'AKTIVITETER ...' page heading; not an OCR'd follow-up report"
        )
    pages, warnings = _split_hidden_pages(_pages(lines))
    rows: list[dict] = []
    previous_comment: dict | None = None
    for page in pages:
        table = _tabulate(page)
        if table.carried:
            if previous_comment is not None:
                joined = (previous_comment["comment_raw"] or "") + " " + _cell_text(table.carried)
                previous_comment["comment_raw"] = joined.strip()
            else:
                table.com_lines = table.carried + table.com_lines
        page_rows = _rows_of(table)
        if page_rows and page_rows[0]["_notes"]:
            warnings.append(
                ReaderWarning(
                    f"{page.area or 'no goal area'}: "
                    + "; ".join(page_rows[0]["_notes"])
                    + "; rows paired by position, check them",
                    page=page.number,
                    source_row=len(rows) + 1,
                )
            )
        rows.extend(page_rows)
        with_comment = [r for r in page_rows if r["comment_raw"]]
        if with_comment:
            previous_comment = with_comment[-1]
    records = []
    for index, row in enumerate(rows, start=1):
        records.append(
            {
                "source_row": index,
                "goal_area": row["goal_area"],
                "activity": _clean_text(row["activity_raw"]),
                "unit": canonical_unit(row["unit_raw"]),
                "status": "unknown",
                "status_source": "reported",
                "comment": _clean_text(row["comment_raw"]),
                "goal_area_raw": row["goal_area_raw"],
                "activity_raw": row["activity_raw"],
                "unit_raw": row["unit_raw"],
                "comment_raw": row["comment_raw"],
                "page": row["page"],
            }
        )
    if records and not any(
        r["unit_raw"] or _is_prose(r["activity"]) or _is_prose(r["comment"]) for r in records
    ):
        raise ReportFormatError(
            f"{path.name}: under its 'AKTIVITETER' headings there is no known unit and hardly "
            "a real word: the OCR output is garbage; OCR the scan again in Swedish (e.g. "
            "`tesseract page.png out -l swe`)"
        )
    schema = {
        **READER_SCHEMA,
        "goal_area_raw": pl.String(),
        "activity_raw": pl.String(),
        "unit_raw": pl.String(),
        "comment_raw": pl.String(),
        "page": pl.Int64(),
    }
    return ReaderResult(pl.DataFrame(records, schema=schema, orient="row"), warnings)

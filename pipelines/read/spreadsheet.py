"""Spreadsheet exports (CSV and XLSX) as follow-up systems and people make them.

Every sheet is searched for an activity table: a header row (among the first rows; title rows
above it are common) that names at least two fields with the shared header words of
:mod:`pipelines.read.columns` (Aktivitet / Åtgärd / Insats …, Verksamhet / Ansvarig / Enhet …,
Status / Bedömning …, Kommentar / Analys …; "Status (1–3)", "Kommentar T2 2024" and
"Aktivitet/åtgärd" count too). Columns whose header cell is blank are decided by content
(``assign_columns``: coloured cells are the status, short repeating text the unit …); a
column headed by a word that is no field (Nr, Budget, Slutdatum) is left alone. Sheets
without an activity table (instructions, charts) are named in a warning.

The goal area is, in order: the row's goal-area cell (a blank one carries the one above
down); a heading row inside the table (one cell, merged across, bold, or "Målområde 2: …");
a title row above the header ("Målområde: …", or the full name a 31-character sheet name was
cut from); the sheet name (unless it is a default such as "Blad1").

The status cell is read as (first that applies): a symbol (●, ■, ▲, a Wingdings glyph) whose
font colour is the traffic light; a word of ``status_words.yaml``; a numeric code explained by
a legend in the workbook (:mod:`pipelines.read.legend`); the colour conditional formatting
gives the cell; its fill (RGB, theme colour with tint, indexed colour). A code without a
legend and a word the file does not list are kept as written, so validation quarantines the
row with them in the reason; a colour that is no traffic light is a warning naming the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polars as pl

from pipelines.core.errors import ReportFormatError
from pipelines.core.status import STATUS_SOURCES
from pipelines.read import READER_SCHEMA, FoundTable, ReaderResult, ReaderWarning
from pipelines.read.cell_colours import is_neutral, to_hex, traffic_light
from pipelines.read.columns import (
    HEADER_WORDS,
    ColumnChoice,
    assign_columns,
    header_field,
    header_key,
)
from pipelines.read.legend import Legend, code_of, find_legend
from pipelines.read.sheet_cells import (
    Cell,
    Row,
    Sheet,
    csv_sheet,
    get_column_letter,
    xlsx_sheets,
)
from pipelines.read.status_words import fold_word, status_for_phrase, status_for_word

# Kept for readers that still import it (the PDF reader did); the words live in columns.py.
HEADER_ALIASES: dict[str, set[str]] = {name: set(words) for name, words in HEADER_WORDS.items()}
MAX_HEADER_SEARCH = 30  # rows with content searched for the header row, per sheet
MAX_CELL_WARNINGS = 20  # per sheet and kind; more are summarised in one warning

SCHEMA: dict[str, pl.DataType] = {
    **READER_SCHEMA,
    "status_raw": pl.String(),
    "completed_reported": pl.Boolean(),
    "sheet": pl.String(),
    "spreadsheet_row": pl.Int64(),
}
# `absent` (no status shown) is part of the lake contract once checks/schemas accepts it.
NO_STATUS_SOURCE = "absent" if "absent" in STATUS_SOURCES else "reported"

_GOAL_LABEL = re.compile(
    r"^(?:forts\.?\s*)?(?:(?:aktiviteter|åtgärder|insatser)\s+(?:för\s+|inom\s+)?)?"
    r"(?:målområde|mål|visionsmål|fokusområde|strategiskt mål|inriktningsmål|delmål|"
    r"perspektiv|område|goal area|goal)\s*(?P<number>\d+(?:\.\d+)*)?\s*(?P<sep>[:.–—-])?\s*"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)
_DEFAULT_SHEET = re.compile(r"^(?:sheet|blad|ark|tabell|table|flik)\s*\d*$", re.IGNORECASE)
_PERIOD_WORDS = {
    "delår", "helår", "år", "tertial", "kvartal", "månad", "period", "prognos", "vår", "höst",
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "okt", "nov", "dec",
}  # fmt: skip
_PREPOSITIONS = {"till", "för", "på", "av", "om", "inom", "i", "per"}
_SYMBOL_FONTS = ("wingdings", "webdings", "symbol")
_LEGEND_TITLES = {
    fold_word(w)
    for w in (
        "Teckenförklaring",
        "Förklaring",
        "Statusförklaring",
        "Färgförklaring",
        "Förklaring status",
        "Förklaring till status",
        "Legend",
        "Status",
    )
}


_COLOUR_LEGEND = re.compile(r"([^\W\d_]+)\s*[=:–—-]")


def _is_legend_text(text: str) -> bool:
    """A legend title ("Teckenförklaring") or a colour legend line ("Grönt = enligt plan,
    Gult = avvikelse, Rött = …"): at least two status words each followed by = : or a dash."""
    if fold_word(text) in _LEGEND_TITLES:
        return True
    statuses = set()
    for word in _COLOUR_LEGEND.findall(text):
        meaning = status_for_word(word)
        if meaning is not None and meaning.status != "unknown":
            statuses.add(meaning.status)
    return len(statuses) >= 2


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    if fmt == "xlsx":
        return head.startswith(b"PK\x03\x04") and path.suffix.lower() in {".xlsx", ".xlsm", ""}
    if fmt == "csv":
        return path.suffix.lower() in {".csv", ".tsv"}
    return False


# --- header ----------------------------------------------------------------------------


def field_of(text: str | None) -> str | None:
    """The field a header cell names, also for "Status (1–3)", "Kommentar T2 2024",
    "Aktivitet/åtgärd" and "Kommentar till status" (the word before the preposition)."""
    match = _field_match(text)
    return match[0] if match else None


# Header words of spreadsheet templates beyond the shared ones in columns.HEADER_WORDS.
_MORE_HEADER_WORDS = {
    header_key(word): name
    for name, words in {
        "unit": ("utförare", "huvudansvarig", "ansvarig nämnd/förvaltning", "organisation"),
        "comment": (
            "lägesbeskrivning",
            "lägesrapport",
            "redovisning",
            "beskrivning av läget",
            "notering",
            "noteringar",
            "kommentar/åtgärd",
        ),
        "status": ("statusbedömning", "lägesbedömning", "trafikljus", "färg"),
        "goal_area": ("målområden", "strategiskt område", "fokusområden"),
        "activity": ("rubrik", "aktivitetsrubrik", "beskrivning"),
    }.items()
    for word in words
}
# Header words that name a field only loosely: a column headed by a stronger word wins
# ("Förvaltning" over "Ansvarig", which is often a person; "Status" over "Prognos").
WEAK_HEADER_WORDS = {
    "unit": {"ansvarig", "ansvar"},
    "goal_area": {"mål", "område", "perspektiv"},
    "status": {"prognos", "måluppfyllelse"},
    "comment": {"uppföljning"},
    "activity": {"namn", "uppdrag", "rubrik", "beskrivning"},
}


def _field_match(text: str | None) -> tuple[str, bool] | None:
    """(field, strong) for a header cell, or None."""
    if not text or len(text) > 60:
        return None
    candidates = [
        text,
        re.sub(r"\(.*?\)|\[.*?\]", " ", text),
        re.sub(r"[^\w\s/-]+", " ", text),  # "Måluppfyllelse %", "Status*"
        *re.split(r"[/\n]", text),
    ]
    words = re.sub(r"\(.*?\)", " ", text).split()
    for cut in range(1, len(words)):
        if words[cut].casefold() in _PREPOSITIONS:
            candidates.append(" ".join(words[:cut]))
            break
    if len(words) >= 2:  # a Swedish noun phrase ends in its head: "Ansvarig nämnd",
        candidates.append(words[-1])  # "Analys och kommentar", "Samlad bedömning"
    for cut in range(len(words) - 1, 0, -1):
        rest = words[cut:]
        if all(re.search(r"\d", w) or w.casefold() in _PERIOD_WORDS for w in rest):
            candidates.append(" ".join(words[:cut]))
    for candidate in candidates:
        found = header_field(candidate) or _MORE_HEADER_WORDS.get(header_key(candidate))
        if found:
            weak = header_key(candidate) in WEAK_HEADER_WORDS.get(found, set())
            return found, not weak and len(candidate.split()) >= len(words) - 1
    # A Swedish compound names what its last part names: "Statuskommentar" is a comment,
    # "Aktivitetsnamn" an activity, "Bedömningsstatus" a status (a loose match).
    key = header_key(text)
    if " " not in key:
        for suffix, name in _COMPOUND_HEADS:
            if key.endswith(suffix) and (len(key) > len(suffix) + 2 or suffix.endswith("namn")):
                return name, False
    return None


_COMPOUND_HEADS = [
    (head, name)
    for name, heads in {
        "comment": ("kommentar", "kommentarer", "analys"),
        "status": ("status", "bedömning"),
        "activity": ("aktivitet", "aktiviteter", "åtgärd", "åtgärder", "insats", "insatser"),
        "unit": ("förvaltning", "verksamhet", "enhet", "nämnd", "ansvarig"),
        "goal_area": ("målområde", "fokusområde", "visionsmål"),
    }.items()
    for head in heads
] + [("aktivitetsnamn", "activity"), ("åtgärdsnamn", "activity"), ("insatsnamn", "activity")]


@dataclass
class Header:
    row: Row
    index: int  # position of the header row in sheet.rows
    fields: dict[int, str]  # column → field named by its header cell
    first: int  # table span: first and last column
    last: int
    passed_over: list[str] = field(default_factory=list)

    @cached_property
    def folded(self) -> dict[int, str]:
        return {column: fold_word(text) for column, text in self.row.texts().items()}


def find_header(sheet: Sheet) -> Header | None:
    for index, row in enumerate(sheet.rows[:MAX_HEADER_SEARCH]):
        fields, passed = _header_fields(row, sheet.hidden_columns)
        if len(fields) >= 2:
            following = sheet.rows[index + 1] if index + 1 < len(sheet.rows) else None
            second = _second_header_row(row, following)
            if second is not None:  # a grouped header over two rows
                index, row = index + 1, second
            filled = _filled_columns(sheet.rows[index + 1 :])
            fields, passed = _header_fields(row, sheet.hidden_columns, filled)
            if second is not None:
                passed.insert(0, f"header over two rows ({second.number - 1}–{second.number})")
            return Header(row, index, fields, *_span(sheet, index, row), passed_over=passed)
    return None


def _second_header_row(first: Row, following: Row | None) -> Row | None:
    """``Aktivitet | Ansvar | Uppföljning T2 (over two columns)`` above ``| | Status |
    Kommentar``: the row below names fields in columns the first leaves blank or groups.
    Returns the two rows combined (the lower cell wins), or None."""
    if following is None or following.number != first.number + 1:
        return None
    texts = following.texts()
    if not texts or any(len(t.split()) > 4 for t in texts.values()):
        return None
    # The lower row only fills blank cells or cells under a group merged across columns.
    for column in texts:
        above = first.cells.get(column)
        if above is not None and above.text and above.span < 2:
            return None
    named = [c for c, t in texts.items() if _field_match(t)]
    if len(named) < max(1, len(texts) / 2):
        return None
    combined = Row(following.number, dict(first.cells))
    for column, cell in following.cells.items():
        if cell.text or column not in combined.cells:
            combined.cells[column] = cell
    combined.cells = dict(sorted(combined.cells.items()))
    return combined


def _filled_columns(rows: list[Row]) -> set[int]:
    """Columns with text or a colour in any of the rows."""
    return {column for row in rows for column, cell in row.cells.items() if _has_content(cell)}


def _header_fields(
    row: Row, hidden: set[int] = frozenset(), filled: set[int] | None = None
) -> tuple[dict[int, str], list[str]]:
    """Column → field for a header row, one column per field, and notes on columns passed over.

    Several columns may name one field: a visible column beats a hidden one, a strong word a
    weak one, a column with content an empty one (the next follow-up's columns wait empty);
    then the leftmost wins, except for status and comment, where the rightmost does (exports
    put the latest period's "Status T2" / "Kommentar T2" after the earlier ones).
    """
    matches: dict[str, list[tuple[int, bool]]] = {}
    for column, text in row.texts().items():
        match = _field_match(text)
        if match:
            matches.setdefault(match[0], []).append((column, match[1]))
    fields: dict[int, str] = {}
    passed: list[str] = []
    for name, found in matches.items():
        rightmost = name in {"status", "comment"}
        best = max(
            found,
            key=lambda m: (
                m[0] not in hidden,
                m[1],
                filled is None or m[0] in filled,
                m[0] if rightmost else -m[0],
            ),
        )
        fields[best[0]] = name
        for column, _ in found:
            if column != best[0]:
                passed.append(
                    f"{row.text(column)!r} also names the {name}; {row.text(best[0])!r} was read"
                )
    return dict(sorted(fields.items())), passed


def _repeats_header(row: Row, header: Header) -> bool:
    """The header row again (tables split in blocks repeat it)."""
    same = 0
    for column, folded in header.folded.items():
        text = row.text(column)
        if text is not None and len(text) < 2 * len(folded) + 5 and fold_word(text) == folded:
            same += 1
    return same >= 2


def _span(sheet: Sheet, index: int, row: Row) -> tuple[int, int]:
    """First and last column of the table: the header's cells, widened over blank-headed
    columns that hold content in at least a third of the rows below."""
    columns = list(row.texts()) + [
        c for c, cell in row.cells.items() if cell.fill.rgb and traffic_light(cell.fill.rgb)
    ]
    first, last = min(columns), max(columns)
    below = sheet.rows[index + 1 :]
    if not below:
        return first, last

    def busy(column: int) -> bool:
        held = sum(1 for r in below if _has_content(r.cells.get(column)))
        return held >= max(1, len(below) / 3)

    while first > 1 and busy(first - 1):
        first -= 1
    while busy(last + 1):
        last += 1
    return first, last


def _has_content(cell: Cell | None) -> bool:
    """Text, or a fill that is a colour (white backgrounds do not widen a table)."""
    if cell is None:
        return False
    return cell.text is not None or (cell.fill.rgb is not None and not is_neutral(cell.fill.rgb))


# --- status of one cell ----------------------------------------------------------------


@dataclass
class StatusReading:
    status: str  # green/yellow/red/unknown, or the raw word/code for validation to reject
    raw: str | None
    completed: bool = False
    encoding: str = "none"
    shown: bool = False  # the document showed a status (a traffic light or a status word)
    problem: str | None = None  # a warning naming the cell
    unexplained_code: str | None = None


def _is_symbol(text: str, cell: Cell) -> bool:
    font = (cell.font_name or "").casefold()
    if font.startswith(_SYMBOL_FONTS) and len(text) <= 2:
        return True
    return len(text) <= 3 and not any(ch.isalnum() for ch in text) and status_for_word(text) is None


def read_status(cell: Cell, sheet: Sheet, legend: Legend) -> StatusReading:
    text = cell.text
    hit = sheet.formats.evaluate(cell.row, cell.column, sheet.value) if sheet.formats else None
    where = f"{sheet.label} cell {cell.coord}"
    if hit is not None and hit.problem:
        hit_problem = f"{where}: conditional formatting has {hit.problem}; status left unknown"
        hit = None
    else:
        hit_problem = None

    def colour_reading(candidates, raw_when_none: str | None, label: str) -> StatusReading:
        """The first traffic-light colour; white, black and greys are no status; any other
        colour (a blue) is a warning when nothing else shows a traffic light."""
        odd = None
        for rgb, kind in candidates:
            if rgb is None or is_neutral(rgb):
                continue
            status = traffic_light(rgb)
            if status is not None:
                return StatusReading(status, to_hex(rgb), encoding=kind, shown=True)
            odd = odd or (rgb, kind)
        if odd is not None:
            return StatusReading(
                "unknown",
                to_hex(odd[0]),
                encoding=odd[1],
                problem=f"{where}: {label} colour {to_hex(odd[0])} is not a traffic light "
                "(green/yellow/red); status left unknown",
            )
        return StatusReading("unknown", raw_when_none, problem=hit_problem)

    fill_kind = f"fill ({cell.fill.kind})" if cell.fill.kind else "fill"
    if text is not None and _is_symbol(text, cell):
        candidates = []
        if hit is not None:
            rule = "conditional formatting"
            candidates += [(hit.font, rule), (hit.fill, rule)]
        candidates += [(cell.font.rgb, "symbol (font colour)"), (cell.fill.rgb, fill_kind)]
        reading = colour_reading(candidates, text, f"symbol {text!r}")
        if reading.status == "unknown" and reading.problem is None:
            reading.problem = cell.font.problem and f"{where}: {cell.font.problem}"
            reading.problem = reading.problem or (
                f"{where}: symbol {text!r} has no traffic-light colour; status left unknown"
            )
        return reading
    if text is not None:
        word = status_for_word(text)
        if word is not None:
            shown = word.status != "unknown" or word.completed
            return StatusReading(word.status, text, word.completed, "word", shown)
        code = code_of(cell.value)
        if code is not None and legend.get(code) is not None:
            meaning = legend.get(code).meaning
            return StatusReading(meaning.status, text, meaning.completed, "code (legend)", True)
        phrase = status_for_phrase(text) if code is None else None
        if phrase is not None:
            shown = phrase.status != "unknown" or phrase.completed
            return StatusReading(phrase.status, text, phrase.completed, "word", shown)
    # No known word: the colour the cell shows (conditional formatting first, then its fill).
    candidates = []
    if hit is not None:
        rule = "conditional formatting"
        candidates += [(hit.icon, f"{rule} ({hit.rule})"), (hit.fill, rule), (hit.font, rule)]
    candidates.append((cell.fill.rgb, fill_kind))
    reading = colour_reading(candidates, text, "fill")
    if reading.shown:
        return reading
    if text is None:
        if reading.problem is None and cell.fill.problem:
            reading.problem = f"{where}: {cell.fill.problem}; status left unknown"
        return reading
    # A word the file does not list, or a code no legend explains: kept as written, so that
    # validation quarantines the row with it in the reason.
    code = code_of(cell.value)
    return StatusReading(
        text,
        text,
        encoding="code" if code else "word",
        shown=True,
        problem=hit_problem,
        unexplained_code=code,
    )


# --- one table -------------------------------------------------------------------------


@dataclass
class TableRows:
    records: list[dict] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)
    table: FoundTable | None = None


def goal_label(text: str) -> str | None:
    """``Målområde 2: Trygg kommun`` → ``Trygg kommun``; None when not so labelled."""
    match = _GOAL_LABEL.match(text.strip())
    if match and (match["number"] or match["sep"]) and match["rest"].strip():
        return match["rest"].strip()
    return None


def _sheet_goal_area(sheet: Sheet, header: Header) -> tuple[str | None, str]:
    """Goal area of a sheet without a goal-area column, and where it came from."""
    name = (sheet.name or "").strip()
    name_goal = goal_label(name) or name
    for row in sheet.rows[: header.index]:
        texts = list(row.texts().values())
        if len(texts) != 1:
            continue
        labelled = goal_label(texts[0])
        if labelled:
            return labelled, f"title row {row.number}"
        if len(name) >= 28 and fold_word(texts[0]).startswith(fold_word(name_goal)):
            return texts[0], f"title row {row.number} (the sheet name is cut short)"
    if not name or _DEFAULT_SHEET.match(name) or sheet.name is None:
        return None, "none"
    return name_goal, "the sheet name"


_UNIT_NAME = re.compile(
    r"(?:nämnd|nämnden|förvaltning|förvaltningen|styrelse|styrelsen|kontor|kontoret|"
    r"avdelning|avdelningen|enhet|enheten|bolag|bolaget|staben|stab)$",
    re.IGNORECASE,
)


def is_unit_name(name: str | None) -> bool:
    """A sheet named like a committee or department (Socialnämnden, Tekniska förvaltningen,
    Kommunstyrelsen, HR-avdelningen): the sheet names the unit, not the goal area."""
    return bool(name) and _UNIT_NAME.search(name.strip()) is not None


def _heading(row: Row, header: Header) -> str | None:
    """The text of a goal-area heading row inside the table, else None."""
    texts = {c: t for c, t in row.texts().items() if header.first <= c <= header.last}
    if len(texts) != 1 or len(row.texts()) != 1:
        return None
    column, text = next(iter(texts.items()))
    cell = row.cells[column]
    labelled = goal_label(text)
    if labelled:
        return labelled
    if cell.span >= 2 or (cell.bold and len(text.split()) <= 12):
        return text
    return None


def read_table(sheet: Sheet, header: Header, legend: Legend, first_position: int) -> TableRows:
    out = TableRows()
    notes: list[str] = [f"header row {header.row.number}", *header.passed_over]
    if header.index:
        notes.append(f"{header.index} title row(s) above the header skipped")
    if sheet.hidden:
        notes.append("the sheet is hidden")
    kinds: list[tuple[str, Row]] = []  # ("data" | "heading" | "header" | "legend" | "outside")
    for row in sheet.rows[header.index + 1 :]:
        texts = row.texts()
        inside = {c: t for c, t in texts.items() if header.first <= c <= header.last}
        if not texts:
            continue
        if all((sheet.name, row.number, c) in legend.cells for c in texts) or (
            len(texts) == 1 and _is_legend_text(next(iter(texts.values())))
        ):
            kinds.append(("legend", row))
        elif _repeats_header(row, header):
            kinds.append(("header", row))
        elif _heading(row, header) is not None:
            kinds.append(("heading", row))
        elif not inside:
            kinds.append(("outside", row))
        else:
            kinds.append(("data", row))
    data = [row for kind, row in kinds if kind == "data"]
    columns = list(range(header.first, header.last + 1))
    named = {c: header.fields[c] for c in columns if c in header.fields}
    # Columns headed by a word that is no field are left alone (Nr, Budget, Slutdatum …).
    candidate = [c for c in columns if c in named or not header.row.text(c)]
    numbering = [c for c in candidate if c not in named and _is_numbering(data, c, sheet, legend)]
    if numbering:
        letters = ", ".join(get_column_letter(c) for c in numbering)
        notes.append(f"column(s) {letters} hold numbering (1, 1.2, A3 …), not read")
        candidate = [c for c in candidate if c not in numbering]
    body = [[row.text(c) or "" if c in candidate else "" for c in columns] for row in data]
    # Only columns without a header word are decided by content, so only they need colours.
    unnamed = [c for c in candidate if c not in named]
    coloured = [
        [c in unnamed and _coloured(row.cells.get(c), sheet, legend) for c in columns]
        for row in data
    ]
    canonical = [HEADER_WORDS[named[c]][0] if c in named else "" for c in columns]

    def is_status_word(text: str) -> bool:
        return status_for_word(text) is not None or (
            code_of(text) is not None and legend.get(code_of(text)) is not None
        )

    choices = assign_columns(canonical, body, coloured, is_status_word)
    choices = _with_real_headers(choices, header, columns)
    by_field = {choice.field: columns[choice.index] for choice in choices}
    marked = {} if "status" in by_field else _marked_status_columns(sheet, header, columns)
    if marked:
        names = ", ".join(
            f"{get_column_letter(c)} {header.row.text(c) or '(coloured)'!r}" for c in marked
        )
        notes.append(f"status: the column marked in each row among {names}")
    elif "status" not in by_field:
        _status_by_any_colour(choices, by_field, coloured, columns, header)
    taken = set(by_field.values()) | set(marked)
    unused = [f"{header.row.text(c)!r}" for c in columns if c not in taken and header.row.text(c)]
    if unused:
        notes.append(f"columns not read: {', '.join(unused)}")
    if "activity" not in by_field:
        out.warnings.append(
            ReaderWarning(
                f"{sheet.label}: header row {header.row.number} but no activity column "
                "(no Aktivitet/Åtgärd/Insats header and no text column left); sheet not read"
            )
        )
        return out

    sheet_goal, goal_source = (None, "none")
    sheet_unit = None
    if "unit" not in by_field and is_unit_name(sheet.name):
        sheet_unit = sheet.name.strip()  # one sheet per committee or department
        notes.append("unit from the sheet name")
    elif "goal_area" not in by_field:
        sheet_goal, goal_source = _sheet_goal_area(sheet, header)
    heading: str | None = None  # the latest heading row or goal-area cell seen
    carried = 0
    headings = 0
    encodings: dict[str, int] = {}
    unexplained: dict[str, list[str]] = {}
    cell_warnings = 0
    goal_areas: dict[str, int] = {}
    position = first_position
    for kind, row in kinds:
        if kind == "heading":
            heading = _heading(row, header)
            headings += 1
            continue
        if kind != "data":
            continue
        texts = {name: row.text(column) for name, column in by_field.items()}
        goal = texts.get("goal_area")
        if goal:
            heading = goal  # carried down to rows whose goal-area cell is blank
        if not any(texts.get(name) for name in ("activity", "unit", "comment", "status")):
            continue  # only a goal area: layout, not an activity
        if "goal_area" in by_field:
            if not goal and heading:
                goal = heading
                carried += 1
        else:
            goal = heading or sheet_goal
        if "status" in by_field:
            reading = read_status(sheet.cell(row.number, by_field["status"]), sheet, legend)
        elif marked:
            reading = _marked_status(row, marked, sheet)
        else:
            reading = StatusReading("unknown", None)
        if reading.problem:
            cell_warnings += 1
            if cell_warnings <= MAX_CELL_WARNINGS:
                out.warnings.append(ReaderWarning(reading.problem, source_row=position + 1))
        if reading.unexplained_code is not None:
            unexplained.setdefault(reading.unexplained_code, []).append(
                sheet.cell(row.number, by_field["status"]).coord
            )
        position += 1
        encodings[reading.encoding] = encodings.get(reading.encoding, 0) + 1
        goal_areas[goal or ""] = goal_areas.get(goal or "", 0) + 1
        out.records.append(
            {
                "source_row": position,
                "goal_area": goal,
                "activity": texts.get("activity"),
                "unit": texts.get("unit") or sheet_unit,
                "status": reading.status,
                "status_source": "reported" if reading.shown else NO_STATUS_SOURCE,
                "comment": texts.get("comment"),
                "status_raw": reading.raw,
                "completed_reported": reading.completed,
                "sheet": sheet.name,
                "spreadsheet_row": row.number,
            }
        )
    if cell_warnings > MAX_CELL_WARNINGS:
        out.warnings.append(
            ReaderWarning(
                f"{sheet.label}: {cell_warnings - MAX_CELL_WARNINGS} more status cells like the "
                "ones above"
            )
        )
    if unexplained:
        codes = ", ".join(sorted(unexplained, key=int))
        cells = [c for cs in unexplained.values() for c in cs]
        out.warnings.append(
            ReaderWarning(
                f"{sheet.label}: status code(s) {codes} (cells {', '.join(cells[:8])}"
                f"{' …' if len(cells) > 8 else ''}) and no legend in the workbook says what "
                "they mean (e.g. a line '1 = Grönt'); not guessed, those rows go to quarantine"
            )
        )
    if "goal_area" not in by_field:
        if headings:
            notes.append(f"goal area from {headings} heading row(s) inside the table")
        if goal_source != "none":
            where = " where no heading" if headings else ""
            notes.append(f"goal area from {goal_source}{where}")
    if carried:
        notes.append(f"goal area carried down to {carried} row(s) with a blank goal-area cell")
    skipped = {k: sum(1 for kind, _ in kinds if kind == k) for k in ("legend", "header", "outside")}
    if skipped["legend"]:
        notes.append(f"{skipped['legend']} legend row(s) skipped")
    if skipped["header"]:
        notes.append(f"{skipped['header']} repeated header row(s) skipped")
    if skipped["outside"]:
        notes.append(f"{skipped['outside']} row(s) with text only outside the table's columns")
        cells = [
            f"{cell.coord} {cell.text[:40]!r}"
            for kind, row in kinds
            if kind == "outside"
            for cell in row.cells.values()
            if cell.text
        ]
        out.warnings.append(
            ReaderWarning(
                f"{sheet.label}: text outside the table's columns "
                f"{get_column_letter(header.first)}–{get_column_letter(header.last)} was not "
                f"read: {', '.join(cells[:5])}{' …' if len(cells) > 5 else ''}"
            )
        )
    if legend and any(k.startswith("code") for k in encodings):
        notes.append(f"legend: {legend.describe()}")
    for choice in choices:  # from the table's span to the sheet's own columns (0-based)
        choice.index = columns[choice.index] - 1
    out.table = FoundTable(
        where=sheet.label,
        columns=choices,
        status_encoding=" + ".join(
            k for k, _ in sorted(encodings.items(), key=lambda kv: -kv[1]) if k != "none"
        )
        or "none",
        rows=len(out.records),
        goal_areas={k: v for k, v in goal_areas.items()},
        confidence=min([c.confidence for c in choices] or [1.0]),
        notes=notes,
        sheet=sheet.name,
    )
    return out


_NUMBERING = re.compile(r"^[A-Za-z]?\d{1,3}(?:[.:]\d{1,3})*[a-z]?\.?$")


def _is_numbering(data: list[Row], column: int, sheet: Sheet, legend: Legend) -> bool:
    """A blank-headed column of ids (1, 2, 1.1, A3): not the activity, unit or comment."""
    texts = [row.text(column) for row in data if row.text(column)]
    if not texts or any(_coloured(row.cells.get(column), sheet, legend) for row in data):
        return False
    if legend and all(code_of(t) is not None and legend.get(code_of(t)) for t in texts):
        return False  # codes a legend explains: the status
    return sum(bool(_NUMBERING.match(t)) for t in texts) >= 0.8 * len(texts)


def _coloured(cell: Cell | None, sheet: Sheet, legend: Legend) -> bool:
    """Does the cell show a traffic light (fill, symbol colour, conditional formatting)?"""
    if cell is None:
        return False
    if sheet.formats:
        hit = sheet.formats.evaluate(cell.row, cell.column, sheet.value)
        if hit is not None and any(
            rgb is not None and traffic_light(rgb) for rgb in (hit.fill, hit.font, hit.icon)
        ):
            return True
    for colour in (cell.fill.rgb, cell.font.rgb if cell.text and len(cell.text) <= 3 else None):
        if colour is not None and traffic_light(colour):
            return True
    return False


def _with_real_headers(
    choices: list[ColumnChoice], header: Header, columns: list[int]
) -> list[ColumnChoice]:
    """Show the header text as written (assign_columns saw canonical words)."""
    for choice in choices:
        column = columns[choice.index]
        if header.fields.get(column) == choice.field:
            text = header.row.text(column)
            choice.header, choice.reason, choice.confidence = text, f"header {text!r}", 1.0
    return choices


def _marked_status_columns(sheet: Sheet, header: Header, columns: list[int]) -> dict[int, str]:
    """Columns headed Grön | Gul | Röd (or by cells filled so), one marked with an X per row:
    column → status. Needs at least two such columns with different statuses."""
    found: dict[int, str] = {}
    for column in columns:
        if column in header.fields:
            continue
        cell = header.row.cells.get(column)
        text = cell.text if cell is not None else None
        meaning = status_for_word(text) if text else None
        status = meaning.status if meaning is not None else None
        if text is None and cell is not None and cell.fill.rgb is not None:
            status = traffic_light(cell.fill.rgb)
        if status in {"green", "yellow", "red"}:
            found[column] = status
    return found if len(set(found.values())) >= 2 else {}


def _marked_status(row: Row, marked: dict[int, str], sheet: Sheet) -> StatusReading:
    ticked = [column for column in marked if row.text(column)]
    if not ticked:
        return StatusReading("unknown", None)
    statuses = {marked[column] for column in ticked}
    where = ", ".join(sheet.cell(row.number, c).coord for c in ticked)
    raw = "; ".join(f"{row.text(c)} in {get_column_letter(c)}" for c in ticked)
    if len(statuses) > 1:
        return StatusReading(
            "unknown",
            raw,
            encoding="marked column",
            problem=f"{sheet.label} cells {where}: more than one status column is marked; "
            "status left unknown",
        )
    return StatusReading(statuses.pop(), raw, encoding="marked column", shown=True)


def _status_by_any_colour(choices, by_field, coloured, columns, header) -> None:
    """A blank-headed column with some traffic-light cells is the status column even when most
    of its cells are blank (statuses not given): rather that than lose the colours."""
    shares = {}
    for index, column in enumerate(columns):
        if column in by_field.values() or header.row.text(column):
            continue
        cells = [row[index] for row in coloured]
        if cells and any(cells):
            shares[index] = sum(cells) / len(cells)
    if shares:
        best = max(shares, key=shares.get)
        choices.append(
            ColumnChoice(
                "status",
                best,
                None,
                f"content: {shares[best]:.0%} of its cells coloured (the only coloured column)",
                shares[best],
            )
        )
        choices.sort(key=lambda c: c.index)
        by_field["status"] = columns[best]


# --- the file --------------------------------------------------------------------------


def read(path: Path, fmt: str = "csv") -> ReaderResult:
    sheets = xlsx_sheets(path) if fmt == "xlsx" else [csv_sheet(path)]
    headers = [find_header(sheet) for sheet in sheets]

    def in_table_body(index: int, cell: Cell) -> bool:
        header = headers[index]
        return (
            header is not None
            and cell.row > header.row.number
            and header.first <= cell.column <= header.last
        )

    legend = find_legend(sheets, in_table_body)
    warnings = [ReaderWarning(conflict) for conflict in legend.conflicts]
    tables: list[FoundTable] = []
    records: list[dict] = []
    for sheet, header in zip(sheets, headers, strict=True):
        if header is None:
            if fmt == "xlsx":
                warnings.append(ReaderWarning(_no_table(sheet, legend)))
            continue
        found = read_table(sheet, header, legend, len(records))
        warnings.extend(found.warnings)
        if sheet.hidden and found.records:
            warnings.append(
                ReaderWarning(
                    f"{sheet.label} is hidden in the workbook; its {len(found.records)} "
                    "activity rows were read all the same (check they are not a copy)"
                )
            )
        records.extend(found.records)
        if found.table is not None:
            tables.append(found.table)
    if not tables:
        wanted = " / ".join(HEADER_WORDS["activity"][:6])
        raise ReportFormatError(
            f"{path.name}: no header row with an activity column ({wanted} …) in the first "
            f"{MAX_HEADER_SEARCH} rows of any sheet; expected columns such as Målområde, "
            "Aktivitet, Verksamhet, Status, Kommentar"
        )
    rows = pl.DataFrame(
        {name: [record[name] for record in records] for name in SCHEMA}, schema=SCHEMA
    )
    return ReaderResult(
        rows=rows,
        warnings=warnings,
        tables=tables,
        pages=len(sheets) if fmt == "xlsx" else None,
    )


def _no_table(sheet: Sheet, legend: Legend) -> str:
    if not sheet.rows:
        return f"{sheet.label} is empty; not read"
    used = any(name == sheet.name for name, _, _ in legend.cells)
    extra = "; its status legend was used" if used else ""
    return (
        f"{sheet.label} has no activity table (no header row naming an activity column "
        f"among its first {MAX_HEADER_SEARCH} rows); not read{extra}"
    )

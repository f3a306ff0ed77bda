"""The legend that explains numeric status codes (1/2/3), found anywhere in a workbook.

Organisations number their traffic lights differently (1 may be green or red), so a bare code
is never guessed: its meaning comes from the document. A legend is recognised in two forms:

- a line in one cell, alone or among others: ``1 = Grönt``, ``2: Avvikelse``, ``3 Kommer inte
  att uppnås``, ``Status (1=grön, 2=gul, 3=röd)``, one cell holding several lines;
- a small table: a code cell with the meaning in the next cell to its right
  (``1 | Enligt plan``), or a code cell filled with the traffic-light colour itself;

where the meaning is a word of :mod:`pipelines.read.status_words` (the first recognised part of
the text: ``Grönt – löper enligt plan`` is green). Cells inside an activity table's body are
not legend candidates. A code given two different meanings is dropped and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipelines.read.cell_colours import traffic_light
from pipelines.read.sheet_cells import Cell, Sheet
from pipelines.read.status_words import StatusWord, status_for_word

_PARTS = re.compile(r"[\n;,()\[\]]")
_LINE = re.compile(r"^\s*(\d{1,2})\s*(?:[=:.)\]–—-]+\s*|\s+)(\S.*)$")
_SEGMENTS = re.compile(r"\s*(?:[–—:;(),/=]|\s-\s)\s*")
_INLINE = re.compile(r"(?<![\d.,])(\d{1,2})\s*[=:]\s*([^\d\n;,()=]+)")
_CODE = re.compile(r"^\d{1,2}$")
MAX_LEGEND_TEXT = 80  # a legend line is short; long prose is a comment


@dataclass
class LegendEntry:
    code: str
    meaning: StatusWord
    text: str  # what the legend says, e.g. "1 = Enligt plan"
    where: str  # e.g. "sheet 'Instruktioner' A7"
    coords: tuple[tuple[int, int], ...] = ()  # (row, column) of the cells it was read from


@dataclass
class Legend:
    entries: dict[str, LegendEntry] = field(default_factory=dict)
    cells: set[tuple[str | None, int, int]] = field(default_factory=set)  # (sheet, row, column)
    conflicts: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def get(self, code: str) -> LegendEntry | None:
        return self.entries.get(code)

    def describe(self) -> str:
        return ", ".join(
            f"{e.code} = {e.meaning.status}{' + completed' if e.meaning.completed else ''}"
            for e in sorted(self.entries.values(), key=lambda e: int(e.code))
        )


def code_of(value: object) -> str | None:
    """``1``, ``1.0`` or ``" 2 "`` → ``"1"``/``"2"``; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if _CODE.match(text) else None


def meaning_of(text: str) -> StatusWord | None:
    """The first part of a legend text that is a known status word."""
    if not re.search(r"[^\W\d_]", text):
        return None
    whole = status_for_word(text)
    if whole is not None:
        return whole
    for segment in _SEGMENTS.split(text):
        if re.search(r"[^\W\d_]", segment):
            found = status_for_word(segment)
            if found is not None:
                return found
    return None


def find_legend(
    sheets: Sequence[Sheet], in_table_body: Callable[[int, Cell], bool] = lambda i, c: False
) -> Legend:
    """Every legend entry in the workbook; ``in_table_body(sheet_index, cell)`` excludes cells."""
    found: dict[str, list[LegendEntry]] = {}
    cells: set[tuple[str | None, int, int]] = set()
    for index, sheet in enumerate(sheets):
        for row in sheet.rows:
            texts = row.texts()
            small = len(texts) <= 2  # a legend line or a code | meaning pair
            for column, text in texts.items():
                cell = row.cells[column]
                if not small and in_table_body(index, cell):
                    continue
                entries = _line_entries(text, sheet, cell) or _paired_entry(row, cell, sheet)
                for entry in entries:
                    found.setdefault(entry.code, []).append(entry)
                    cells.update((sheet.name, r, c) for r, c in entry.coords)
    legend = Legend(cells=cells)
    for code, entries in found.items():
        meanings = {entry.meaning for entry in entries}
        if len(meanings) == 1:
            legend.entries[code] = entries[0]
        else:
            legend.conflicts.append(
                f"status code {code} is explained differently in "
                + " and ".join(f"{e.where} ({e.text!r})" for e in entries)
                + "; not used"
            )
    return legend


def _where(sheet: Sheet, cell: Cell) -> str:
    return f"{sheet.label} {cell.coord}"


def _line_entries(text: str, sheet: Sheet, cell: Cell) -> list[LegendEntry]:
    if len(text) > MAX_LEGEND_TEXT * 4:
        return []
    # "… 1 = Grönt, 2 = Gult …" anywhere in the text, else parts that start with a code.
    pairs = [(m.group(1), m.group(2), m.group(0)) for m in _INLINE.finditer(text)]
    pairs = [p for p in pairs if meaning_of(p[1]) is not None]
    if not pairs:
        for part in _PARTS.split(text):
            match = _LINE.match(part)
            if match and len(part) <= MAX_LEGEND_TEXT:
                pairs.append((match.group(1), match.group(2), part))
    entries = []
    for code, words, source in pairs:
        meaning = meaning_of(words)
        if meaning is not None:
            entries.append(
                LegendEntry(
                    str(int(code)),
                    meaning,
                    source.strip(),
                    _where(sheet, cell),
                    ((cell.row, cell.column),),
                )
            )
    return entries


def _paired_entry(row, cell: Cell, sheet: Sheet) -> list[LegendEntry]:
    code = code_of(cell.value)
    if code is None:
        return []
    neighbours = [c for c in row.cells.values() if c.column > cell.column and c.text][:1]
    if not neighbours or neighbours[0].column - cell.column > 2:
        return []
    text = neighbours[0].text or ""
    if len(text) > MAX_LEGEND_TEXT:
        return []
    meaning = meaning_of(text)
    if meaning is None:
        for coloured in (cell, neighbours[0]):
            if coloured.fill.rgb is not None:
                status = traffic_light(coloured.fill.rgb)
                if status is not None:
                    meaning = StatusWord(status)
                    break
    if meaning is None:
        return []
    coords = ((cell.row, cell.column), (neighbours[0].row, neighbours[0].column))
    return [LegendEntry(code, meaning, f"{code} | {text}", _where(sheet, cell), coords)]

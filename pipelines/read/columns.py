"""Which column of a found table holds which field: by header word, else by content.

Shared by every reader that finds a grid of cells (PDF, scan, spreadsheet). Templates differ:
header words have synonyms (Aktivitet / Åtgärd / Insats / Namn …), some header cells are blank
(the bundled report heads only ``Verksamhet`` and ``Kommentar``), columns come in any order.
A column no header names is decided by what it holds: coloured cells or status words are the
status, short text that repeats is the unit, the longest prose is the comment, and the
remaining text column is the activity. Every choice carries its reason, so ``followup
inspect`` can show why, and a confidence below 1 when content decided.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

FIELDS = ("goal_area", "activity", "unit", "status", "comment")

# Header words per field, compared after `header_key` (case, spacing, trailing ':' and '*').
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "goal_area": (
        "målområde",
        "målområden",
        "visionsmål",
        "goal area",
        "goal_area",
        "område",
        "mål",
        "strategiskt mål",
        "målområde/visionsmål",
        "fokusområde",
        "perspektiv",
    ),
    "activity": (
        "aktivitet",
        "aktiviteter",
        "åtgärd",
        "åtgärder",
        "insats",
        "insatser",
        "namn",
        "uppdrag",
        "activity",
        "activities",
    ),
    "unit": (
        "verksamhet",
        "ansvarig verksamhet",
        "ansvarig",
        "ansvar",
        "förvaltning",
        "ansvarig förvaltning",
        "enhet",
        "ansvarig enhet",
        "nämnd",
        "unit",
        "responsible unit",
    ),
    "status": ("status", "bedömning", "statusfärg", "måluppfyllelse", "prognos"),
    "comment": (
        "kommentar",
        "kommentarer",
        "analys",
        "uppföljning",
        "kommentar/analys",
        "comment",
        "comments",
    ),
}


def header_key(text: object) -> str:
    """A header cell folded for lookup: NFC, case, inner spacing, trailing punctuation."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    return re.sub(r"\s+", " ", text).strip(" :*.\u00a0")


_LOOKUP = {header_key(word): name for name, words in HEADER_WORDS.items() for word in words}


def header_field(text: object) -> str | None:
    """The field a header cell names, or None."""
    return _LOOKUP.get(header_key(text))


@dataclass
class ColumnChoice:
    """Column ``index`` was taken as ``field``, because of ``reason``."""

    field: str
    index: int
    header: str | None
    reason: str
    confidence: float = 1.0


def is_header_row(cells: Sequence[object], minimum: int = 2) -> bool:
    """At least ``minimum`` cells are header words (blank header cells are allowed)."""
    return sum(header_field(cell) is not None for cell in cells) >= minimum


def _words(text: str) -> int:
    return len(text.split())


def assign_columns(
    header: Sequence[object] | None,
    body: Sequence[Sequence[str | None]],
    coloured: Sequence[Sequence[bool]] | None = None,
    is_status_word=None,
) -> list[ColumnChoice]:
    """Map columns to fields: header words first, then the content of the remaining columns.

    ``body`` holds the data rows' cell texts; ``coloured[r][c]`` says a cell has a traffic-light
    colour (fill or mark); ``is_status_word`` recognises status words (Grönt, Försenad …).
    """
    width = max([len(header or [])] + [len(row) for row in body] or [0])
    choices: dict[str, ColumnChoice] = {}
    taken: set[int] = set()
    for index, cell in enumerate(header or []):
        name = header_field(cell)
        if name and name not in choices:
            choices[name] = ColumnChoice(name, index, str(cell).strip(), f"header {cell!r}")
            taken.add(index)

    def column(index: int) -> list[str]:
        return [(row[index] or "").strip() if index < len(row) else "" for row in body]

    free = [i for i in range(width) if i not in taken]
    filled = {i: [t for t in column(i) if t] for i in free}
    free = [i for i in free if filled[i] or _colour_share(coloured, i) > 0]

    if "status" not in choices:
        best = max(free, key=lambda i: _colour_share(coloured, i), default=None)
        share = _colour_share(coloured, best) if best is not None else 0.0
        reason = f"content: {share:.0%} of its cells coloured"
        if share < 0.5 and is_status_word is not None:
            by_word = {
                i: sum(map(is_status_word, filled[i])) / len(filled[i]) for i in free if filled[i]
            }
            best_word = max(by_word, key=by_word.get, default=None)
            if best_word is not None and by_word[best_word] >= 0.5:
                best, share = best_word, by_word[best_word]
                reason = f"content: {share:.0%} of its cells are status words"
        if best is not None and share >= 0.5:
            choices["status"] = ColumnChoice("status", best, _blank(header, best), reason, share)
            free.remove(best)

    text_columns = [i for i in free if filled[i]]
    mean_words = {i: sum(map(_words, filled[i])) / len(filled[i]) for i in text_columns}
    if "unit" not in choices and len(text_columns) + len(choices) >= 3:
        short = [i for i in text_columns if mean_words[i] <= 5]
        if short:
            best = max(short, key=lambda i: _repeat_share(filled[i]))
            repeat = _repeat_share(filled[best])
            choices["unit"] = ColumnChoice(
                "unit",
                best,
                _blank(header, best),
                f"content: short text ({mean_words[best]:.1f} words), {repeat:.0%} repeated",
                0.6 + 0.3 * repeat,
            )
            text_columns.remove(best)
    if (
        "comment" not in choices
        and len(text_columns) >= 2
        or ("activity" in choices and "comment" not in choices and text_columns)
    ):
        best = max(text_columns, key=lambda i: mean_words[i])
        choices["comment"] = ColumnChoice(
            "comment",
            best,
            _blank(header, best),
            f"content: the longest text ({mean_words[best]:.1f} words per cell)",
            0.7,
        )
        text_columns.remove(best)
    if "activity" not in choices and text_columns:
        best = min(text_columns)  # the leftmost remaining text column
        choices["activity"] = ColumnChoice(
            "activity", best, _blank(header, best), "content: the remaining text column", 0.7
        )
    return sorted(choices.values(), key=lambda choice: choice.index)


def _blank(header: Sequence[object] | None, index: int) -> str | None:
    if header is None or index >= len(header):
        return None
    return str(header[index] or "").strip() or None


def _colour_share(coloured: Sequence[Sequence[bool]] | None, index: int | None) -> float:
    if not coloured or index is None:
        return 0.0
    cells = [row[index] for row in coloured if index < len(row)]
    return sum(cells) / len(cells) if cells else 0.0


def _repeat_share(texts: list[str]) -> float:
    """Share of cells whose text appears more than once in the column."""
    if not texts:
        return 0.0
    counts: dict[str, int] = {}
    for text in texts:
        key = header_key(text)
        counts[key] = counts.get(key, 0) + 1
    return sum(1 for text in texts if counts[header_key(text)] > 1) / len(texts)

"""Goal areas from headings: which text above a table (or in a full-width table row) names one.

Templates name goal areas in many ways: ``AKTIVITETER MÅLOMRÅDE - Ett tillgängligt län``,
``Målområde 2: Trygg uppväxt``, ``Fokusområde – Hållbar tillväxt``, ``3. Attraktiv kommun``,
``forts. …`` on continued pages, or the bare name in a larger or bold font. The rules are about
the form of a heading, never one report's words: the heading is the block of lines in the
largest (or bold) font nearest above the table; lines that are dates, page numbers or legends
are not headings; a leading "continued" marker, the words ``aktiviteter``/``aktivitetsplan``,
a goal-area word (those of ``columns.HEADER_WORDS['goal_area']``) with its number, and a
leading number are stripped, leaving the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.read.columns import HEADER_WORDS
from pipelines.read.linejoin import join_lines
from pipelines.read.status_words import status_for_word

_AREA_WORDS = sorted(
    {*HEADER_WORDS["goal_area"], "målområdet", "visionsmålet", "mål", "fokusområdet", "område"},
    key=len,
    reverse=True,
)
_CONTINUED = re.compile(
    r"^\s*(?:\(?\s*forts(?:\.|ättning|att)?\s*\)?\s*(?:på\s+)?[-–—:.]?\s*)+", re.IGNORECASE
)
_CONTINUED_END = re.compile(r"\s*\(?\s*forts(?:\.|ättning)?\s*\)?\s*$", re.IGNORECASE)
_ACTIVITIES = re.compile(r"^\s*aktivitet(?:er|splan|sområde)?\b\s*(?:för|inom|i)?\s*", re.I)
_AREA = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in _AREA_WORDS) + r")\b\s*"
    r"(?:nr\.?\s*)?(?:[0-9]{1,2}(?:\.[0-9]{1,2})*|[IVX]{1,4}|[A-Z])?\s*(?=[-–—:.\s]|$)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\s*(?:[0-9]{1,2}(?:\.[0-9]{1,2})*|[IVX]{1,4})\s*[.):]?\s+(?=\S)")
_DASHES = " -–—:.\u00a0"
DATE = re.compile(r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}\s+\w+\s+\d{4})\s*$")
PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|page|s\.)\s*\d+(?:\s*(?:av|of|/|\()\s*\d+\)?)?|\d+\s*(?:\(\s*\d+\s*\)|/\s*\d+))\s*$",
    re.IGNORECASE,
)
_DATE_TAIL = re.compile(r"\s+\d{4}-\d{2}-\d{2}\s*$")


@dataclass
class TextLine:
    """One line of text: its words, font size, whether bold, and vertical position."""

    text: str
    size: float = 0.0
    bold: bool = False
    top: float = 0.0
    coloured_marks: int = 0  # coloured swatches or symbols on the line (a legend has them)


def is_legend(text: str, coloured_marks: int = 0, in_table: bool = False) -> bool:
    """A legend line: two or more ``<status word> =`` (or ``:``) parts, or coloured swatches
    beside text (``■ Enligt plan ■ Avvikelse ■ Ej uppfyllt``).

    ``in_table``: a row of a table, where a data row has a coloured status cell (or two), so
    only three or more swatches beside little text make a legend by themselves.
    """
    said = 0
    for piece in re.split(r"\s*[=:]", text)[:-1]:
        words = piece.split()
        tails = (" ".join(words[-k:]) for k in (1, 2, 3) if len(words) >= k)
        said += any(status_for_word(tail) is not None for tail in tails)
    if in_table:
        return said >= 2 or (coloured_marks >= 3 and len(text.split()) <= 20)
    if said >= 2 or (said == 1 and coloured_marks):
        return True
    return coloured_marks >= 2


def is_page_furniture(text: str) -> bool:
    """Dates and page numbers: never a heading."""
    return bool(DATE.match(text) or PAGE_NUMBER.match(text))


def clean_heading(text: str) -> str | None:
    """The goal area a heading names, without its markers, or None when nothing is left.

    >>> clean_heading("forts. AKTIVITETER MÅLOMRÅDE - Trygg uppväxt")
    'Trygg uppväxt'
    >>> clean_heading("Fokusområde 2: Hållbar tillväxt")
    'Hållbar tillväxt'
    """
    text = _DATE_TAIL.sub("", " ".join(text.split()))
    text = _CONTINUED_END.sub("", _CONTINUED.sub("", text))
    text = _ACTIVITIES.sub("", text).lstrip(_DASHES)
    text = _AREA.sub("", text, count=1).lstrip(_DASHES)
    text = _NUMBER.sub("", text)
    text = text.strip(_DASHES)
    return text or None


def heading_above(lines: Sequence[TextLine], body_size: float) -> str | None:
    """The goal area named by the heading nearest above a table, or None.

    A heading is set larger than the table's text (``body_size``) or bold; a heading wrapped
    over several lines is the run of consecutive heading lines in one size. Failing that, a
    line that starts with a goal-area word (``Målområde …``) still counts.
    """
    candidates = [
        line
        for line in lines
        if line.text.strip()
        and not is_page_furniture(line.text)
        and not is_legend(line.text, line.coloured_marks)
    ]
    heading = [line for line in candidates if line.size > body_size + 0.5 or line.bold]
    if not heading:
        heading = [
            line
            for line in candidates
            if _AREA.match(_ACTIVITIES.sub("", _CONTINUED.sub("", line.text)))
        ]
    if not heading:
        return None
    block = [heading[-1]]
    for line in reversed(heading[:-1]):
        gap = block[0].top - line.top
        if abs(line.size - block[0].size) > 0.3 or gap > 2.2 * max(line.size, 1.0):
            break
        if candidates.index(block[0]) - candidates.index(line) != 1:
            break  # another line sits between: a separate title, not the heading's first line
        block.insert(0, line)
    return clean_heading(join_lines([line.text for line in block]))

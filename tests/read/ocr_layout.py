"""Render known report rows into the layout of an OCR'd follow-up report, with its mess.

The real OCR output (pipelines/sample_data/region-vastmanland_2022-07-07_ocr.txt) writes each
page's table column by column: the activity cells, a ``Verksamhet`` line and the unit cells, a
``Kommentar`` line and the comment cells. This renderer produces the same layout from rows whose
content is known, with what the real file shows: lost diacritics and look-alike glyphs, stray
lines (single letters, page numbers, dates), wrapped unit names, cells without a blank line
between them, continued headings whose goal area wraps onto the next line, pages without
heading, a comment that runs over a page break, a page whose cells stand side by side on one
line, units interleaved with activities and a page break that shows only as unit cells turning
up after the comments. Tests read the result back and compare it with the rows.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass

ACTIVITY_WIDTH = 44
UNIT_WIDTH = 24
COMMENT_WIDTH = 47
SIDE_ACTIVITY_WIDTH = 38
STRAY_LINES = ["N", "R", "=", "\\ o", "§ 3", "oo R}", "15", "16", '\\\\\\"}']
LEGEND = (
    "Gult = avvikelse emot maluppfyllelse Gront = I6per pa enligt plan -= nar ej maluppfyllelse"
)
# Look-alikes the OCR used for letters with diacritics (seen in the real file)
LOOKALIKES = {"ö": ["6", "é"], "ä": ["é"], "å": ["3"]}


@dataclass
class Features:
    """Which of the awkward layouts to use (each page picks among the enabled ones)."""

    diacritic_loss: float = 0.9  # share of å/ä/ö written without diacritics
    lookalike: float = 0.08  # share of å/ä/ö written as a look-alike glyph
    stray_lines: float = 0.25
    unseparated: float = 0.3  # chance that two single-sentence cells lose their blank line
    carry_comment: bool = True  # a comment runs over a page break
    side_by_side: bool = True  # one page with cells side by side
    interleaved: bool = True  # one page whose units stand between its activities
    bare_break: bool = True  # one page break with neither heading nor date
    late_rows: bool = True  # one page whose last rows stand inside the comment column


class Renderer:
    def __init__(self, seed: int, features: Features | None = None) -> None:
        self.rng = random.Random(seed)
        self.f = features or Features()

    # -- text noise ---------------------------------------------------------------------------
    def noisy(self, text: str) -> str:
        out = []
        for ch in text:
            low = ch.lower()
            if low in LOOKALIKES and self.rng.random() < self.f.lookalike and ch.islower():
                out.append(self.rng.choice(LOOKALIKES[low]))
            elif low in "åäö" and self.rng.random() < self.f.diacritic_loss:
                plain = {"å": "a", "ä": "a", "ö": "o"}[low]
                out.append(plain.upper() if ch.isupper() else plain)
            else:
                out.append(ch)
        return "".join(out)

    def stray(self) -> list[str]:
        if self.rng.random() < self.f.stray_lines:
            return [self.rng.choice(STRAY_LINES), ""]
        return []

    # -- cells ----------------------------------------------------------------------------------
    @staticmethod
    def wrap(text: str, width: int) -> list[str]:
        return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)

    @staticmethod
    def wrap_unit(unit: str) -> list[str]:
        if len(unit) > UNIT_WIDTH and " och " in unit:
            head, tail = unit.split(" och ", 1)
            return [f"{head} och", tail]
        return [unit]

    def column(self, cells: list[list[str]], joinable: list[bool]) -> list[str]:
        """Cells one after another; a blank line between, sometimes none (``joinable`` cells)."""
        lines: list[str] = []
        for k, cell in enumerate(cells):
            glued = joinable[k - 1] and joinable[k] and self.rng.random() < self.f.unseparated
            if k and not glued:
                lines.append("")
                lines.extend(self.stray())
            lines.extend(cell)
        return lines

    @staticmethod
    def single_sentence(text: str) -> bool:
        body = text.rstrip(".")
        return text.endswith(".") and not any(p in body for p in (". ", "? ", "! ", ": "))

    # -- pages ----------------------------------------------------------------------------------
    def heading(self, area: str, continued: bool) -> list[str]:
        kind = self.rng.choice(["MALOMRADE", "VISIONSMALET"])
        dash = self.rng.choice(["-", "—"])
        words = self.noisy(area).split()
        if continued:
            cut = max(1, min(len(words) - 1, self.rng.randint(1, 3)))
            head, rest = " ".join(words[:cut]), " ".join(words[cut:])
            junk = self.rng.choice(["", " N", " T", " |"])
            lines = [f" forts. AKTIVITETER {kind} {dash} {head}{junk}", ""]
            if rest:
                lines += [rest, ""]
            return lines + [LEGEND, ""]
        return [f" AKTIVITETER {kind} {dash} {' '.join(words)}", "", LEGEND, ""]

    def table(
        self,
        rows: list[dict],
        carried: list[str],
        interleave: bool,
        separate: bool,
        late: bool = False,
    ) -> list[str]:
        if late:
            return self.late_table(rows, carried)
        acts = [self.wrap(self.noisy(r["activity"]), ACTIVITY_WIDTH) for r in rows]
        units = [self.wrap_unit(self.noisy(r["unit"])) for r in rows]
        comments = [self.wrap(self.noisy(r["comment"]), COMMENT_WIDTH) for r in rows]
        # cells lose their blank line only where a reader can still tell them apart: in a column
        # whose cells are all single sentences (as the real report's activities mostly are)
        act_ok = all(self.single_sentence(r["activity"]) for r in rows) and not separate
        com_ok = all(self.single_sentence(r["comment"]) for r in rows) and not separate
        act_join, com_join = [act_ok] * len(rows), [com_ok] * len(rows)
        lines: list[str] = []
        if interleave and len(rows) >= 3:
            lines += ["Verksamhet", ""]
            first = len(rows) - 1
            lines += self.column(acts[:first], act_join[:first]) + [""]
            lines += self.column(units[:first], [False] * first) + [""]
            lines += acts[first] + [""] + units[first] + [""]
        else:
            lines += self.column(acts, act_join) + [""] + self.stray()
            lines += ["Verksamhet", ""] + self.column(units, [False] * len(rows)) + [""]
        lines += self.stray() + [self.rng.choice(["Kommentar", " Kommentar", "Kommentar -"]), ""]
        if carried:
            lines += carried + [""]
        lines += self.column(comments, com_join)
        return lines

    def late_table(self, rows: list[dict], carried: list[str]) -> list[str]:
        """The last two rows come out inside the comment column, activity and unit on one line
        (the real report's "Leda projektet Vägar framåt. Folkhälsa"), possibly in the middle of
        the comment before them; their comments follow the others."""
        early, late = rows[:-2], rows[-2:]
        acts = [self.wrap(self.noisy(r["activity"]), ACTIVITY_WIDTH) for r in early]
        units = [self.wrap_unit(self.noisy(r["unit"])) for r in early]
        comments = [self.wrap(self.noisy(r["comment"]), COMMENT_WIDTH) for r in rows]
        lines = self.column(acts, [False] * len(acts)) + ["", "Verksamhet", ""]
        lines += self.column(units, [False] * len(units)) + ["", "Kommentar", ""]
        if carried:
            lines += carried + [""]
        lines += self.column(comments[: len(early) - 1], [False] * (len(early) - 1)) + [""]
        interrupted = comments[len(early) - 1]
        cut = next((j for j in range(1, len(interrupted)) if interrupted[j][:1].islower()), None)
        lines += interrupted[:cut] + [""] if cut else interrupted + [""]
        for row in late:
            act = self.wrap(self.noisy(row["activity"]), ACTIVITY_WIDTH)
            bar = self.rng.choice(["", "| "])
            lines += [f" {act[0]} {bar}{self.noisy(row['unit'])}", ""]
            for more in act[1:]:
                lines += [more, ""]
        if cut:
            lines += interrupted[cut:] + [""]
        lines += self.column(comments[len(early) :], [False] * 2)
        return lines

    @staticmethod
    def late_ok(rows: list[dict]) -> bool:
        return len(rows) >= 4 and all(
            Renderer.single_sentence(r["activity"]) and len(r["activity"].split()) >= 3
            for r in rows[-2:]
        )

    def side_table(self, rows: list[dict]) -> list[str]:
        lines = ["Verksamhet Kommentar -", ""]
        for row in rows:
            act = self.wrap(self.noisy(row["activity"]), SIDE_ACTIVITY_WIDTH)
            com = self.wrap(self.noisy(row["comment"]), COMMENT_WIDTH)
            unit = self.noisy(row["unit"])
            for k in range(max(len(act), len(com))):
                parts = [act[k] if k < len(act) else ""]
                if k == 0:
                    parts.append(unit)
                parts.append(com[k] if k < len(com) else "")
                lines.append(" ".join(p for p in parts if p))
                if self.rng.random() < 0.3:
                    lines.append("")
            lines.append("")
        return lines

    @classmethod
    def side_ok(cls, row: dict) -> bool:
        """Rows a side-by-side page can hold readably: the activity, one sentence, ends on its
        first or second line (where the sentence end tells it from the comment beside it)."""
        act = row["activity"]
        one_sentence = not any(t.endswith((".", ":", "!", "?")) for t in act.split()[:-1])
        return act.endswith(".") and one_sentence and len(cls.wrap(act, SIDE_ACTIVITY_WIDTH)) <= 2

    def render(self, rows: list[dict]) -> tuple[str, list[dict]]:
        """The OCR text, and the rows in the order the text holds them (document order)."""
        by_area: dict[str, list[dict]] = {}
        for row in rows:
            by_area.setdefault(row["goal_area"], []).append(row)
        pages: list[tuple[str, list[dict], bool]] = []  # (area, rows, continued)
        for area, area_rows in by_area.items():
            k = 0
            while k < len(area_rows):
                size = self.rng.randint(2, 5)
                pages.append((area, area_rows[k : k + size], k > 0))
                k += size
        side_page = interleaved = bare = None
        candidates = [i for i, (_a, r, _c) in enumerate(pages) if len(r) >= 2]
        if self.f.side_by_side:
            fits = [i for i in candidates if all(self.side_ok(r) for r in pages[i][1])]
            side_page = self.rng.choice(fits) if fits else None
        if self.f.interleaved:
            left = [i for i in candidates if i != side_page and len(pages[i][1]) >= 3]
            interleaved = self.rng.choice(left) if left else None
        late_page = None
        if self.f.late_rows:
            left = [
                i
                for i, (_a, r, _c) in enumerate(pages)
                if i not in {side_page, interleaved} and self.late_ok(r)
            ]
            late_page = self.rng.choice(left) if left else None
        if self.f.bare_break:
            left = [
                i
                for i, (_a, r, cont) in enumerate(pages)
                if cont
                and i not in {side_page, interleaved, late_page}
                and i - 1 not in {side_page, late_page}
            ]
            bare = self.rng.choice(left) if left else None

        out: list[str] = []
        ordered: list[dict] = []
        carried: list[str] = []
        for i, (area, page_rows, continued) in enumerate(pages):
            if i == bare:
                # the page simply goes on (the OCR starts a new text block: a leading space);
                # only the unit cells turning up after the comments show the break
                start = len(out)
            elif continued and self.rng.random() < 0.35:
                out += ["", "", "2022-07-07", ""]  # a page footer date, then a page without heading
            else:
                out += self.heading(area, continued)
            ordered += page_rows
            if i == side_page:
                out += self.side_table(page_rows)
                continue
            next_is_plain = i + 1 < len(pages) and i + 1 != side_page
            page_rows = [dict(r) for r in page_rows]
            carry_now: list[str] = []
            last = page_rows[-1]["comment"].split()
            if (
                self.f.carry_comment
                and next_is_plain
                and i + 1 != bare
                and len(last) >= 8
                and self.rng.random() < 0.5
            ):
                cut = len(last) // 2
                while cut < len(last) - 1 and not last[cut][:1].islower():
                    cut += 1
                if last[cut][:1].islower():
                    page_rows[-1]["comment"] = " ".join(last[:cut])
                    carry_now = self.wrap(self.noisy(" ".join(last[cut:])), COMMENT_WIDTH)
            separate = bare is not None and i in {bare - 1, bare}  # keep that break findable
            out += self.table(
                page_rows,
                carried,
                interleave=(i == interleaved),
                separate=separate,
                late=(i == late_page),
            )
            if i == bare:
                out[start] = " " + out[start]
            carried = carry_now
            if i + 1 != bare:
                out += self.stray()
        return "\n".join(out) + "\n", ordered


# ------------------------------------------------------------------------------------------
# Template variants: other organisations' OCR'd reports (other header words, headings, units)


def ocr_noise(text: str, rng: random.Random, lost: float = 0.9, damage: float = 0.0) -> str:
    """What OCR does to Swedish text: å/ä/ö lose their diacritics (share ``lost``) or turn into
    look-alikes (6, é, 3, d); with ``damage``, also l/I/1 confusions and rn <-> m."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        low = ch.lower()
        if low in "åäö":
            roll = rng.random()
            if roll < damage * 3 and ch.islower():
                out.append(rng.choice({"å": ["3", "d"], "ä": ["é", "d"], "ö": ["6", "é"]}[low]))
            elif roll < lost:
                plain = {"å": "a", "ä": "a", "ö": "o"}[low]
                out.append(plain.upper() if ch.isupper() else plain)
            else:
                out.append(ch)
        elif damage and ch == "l" and rng.random() < damage:
            out.append(rng.choice(["I", "1"]))
        elif damage and ch == "I" and rng.random() < damage:
            out.append("l")
        elif damage and text[i : i + 2] == "rn" and rng.random() < damage:
            out.append("m")
            i += 1
        elif damage and ch == "m" and rng.random() < damage / 2:
            out.append("rn")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Template:
    """How one organisation's report looks after OCR (one variant of the format)."""

    name: str
    unit_header: str = "Verksamhet"
    comment_header: str = "Kommentar"
    activity_header: str | None = None  # None: a blank header cell (as in the bundled report)
    status_header: str | None = None  # a status column: its coloured cells OCR as nothing
    heading: str = "AKTIVITETER MÅLOMRÅDE – {area}"  # {n}: the area's number, {AREA}: capitals
    continued: str | None = "forts. AKTIVITETER MÅLOMRÅDE – {area}"  # None: the area once
    footer: str = "date"  # what ends a page: "date", "page" (a page number) or "none"
    rows_per_page: tuple[int, int] = (3, 5)
    blank_between_cells: bool = True  # False: single-sentence cells lose their blank line
    legend: bool = True
    activity_width: int = 44
    unit_width: int = 26
    comment_width: int = 47
    damage: float = 0.0  # OCR damage besides lost diacritics
    damaged_markers: tuple[str, str] | None = None  # the unit and comment markers as OCR'd
    comments_first: bool = False  # column order activity | comment | unit
    header_row: bool = False  # the header row OCR'd as one line above column-wise cells
    page_label: str = "{n}"  # the page-number footer
    running_title: str | None = None  # a line at the top of every page (org, report title)
    area_rows: bool = False  # the goal area as a full-width row inside the table, not a heading
    status_words: bool = False  # the status column holds words (Grönt/Gult/Rött), not colours


TEMPLATES = [
    Template("plain"),
    Template(
        "ansvar-analys",
        unit_header="Ansvarig förvaltning",
        comment_header="Analys",
        activity_header="Åtgärd",
        heading="Målområde: {area}",
        continued="Målområde: {area} (forts.)",
        footer="page",
    ),
    Template(
        "fokusomrade-once",
        unit_header="Enhet",
        comment_header="Uppföljning",
        heading="Fokusområde {n} – {area}",
        continued=None,
        footer="none",
        legend=False,
    ),
    Template(
        "strategiskt-mal-unseparated",
        unit_header="Förvaltning",
        activity_header="Insats",
        status_header="Status",
        heading="Strategiskt mål {n}: {area}",
        continued=None,
        running_title="Delårsrapport augusti 2023",
        footer="page",
        blank_between_cells=False,
    ),
    Template(
        "capitals-long-units",
        unit_header="Ansvar",
        heading="{AREA}",
        continued="{AREA} (FORTS.)",
        unit_width=16,
        activity_width=38,
        footer="none",
    ),
    Template(
        "ocr-damaged",
        heading="AKTIVITETER MÅLOMRÅDE - {area}",
        continued="forts. AKTIVITETER MÅLOMRÅDE - {area}",
        damage=0.04,
        damaged_markers=("Verksamhel", "Kommenlar"),
    ),
    Template(
        "one-page-per-area",
        rows_per_page=(20, 20),
        footer="page",
        running_title="Norrviks kommun – Uppföljning av verksamhetsplan 2023",
    ),
    Template(
        "comments-before-units",
        unit_header="Ansvarig",
        comment_header="Kommentar",
        activity_header="Aktivitet",
        comments_first=True,
        heading="Mål {n}. {area}",
        continued=None,
        footer="page",
        page_label="Sida {n} av 12",
    ),
    Template(
        "header-row-on-one-line",
        unit_header="Ansvar",
        comment_header="Uppföljning",
        activity_header="Aktivitet",
        header_row=True,
        heading="Perspektiv: {area}",
        continued="Perspektiv: {area} forts.",
    ),
    Template(
        "status-words-headed",
        unit_header="Ansvarig",
        status_header="Bedömning",
        status_words=True,
        heading="Målområde {n}: {area}",
        continued="Målområde {n}: {area} (forts.)",
    ),
    Template(
        "status-words-blank-header",
        status_words=True,
        footer="page",
    ),
    Template(
        "goal-area-as-table-row",
        unit_header="Ansvarig nämnd",
        activity_header="Aktivitet",
        heading="Målområde {n}: {area}",
        area_rows=True,
        rows_per_page=(4, 6),
    ),
    Template(
        "wrapped-header-cells",
        unit_header="Ansvarig\nförvaltning",
        comment_header="Kommentar/\nanalys",
        heading="MÅLOMRÅDE {n} – {AREA}",
        continued="MÅLOMRÅDE {n} – {AREA} (forts.)",
        footer="date",
    ),
    Template(
        "small-pages",
        rows_per_page=(1, 2),
        unit_header="Ansvarig enhet",
        comment_header="Kommentar/analys",
        continued="forts. {area}",
    ),
]


STATUS_WORDS = {"green": "Grönt", "yellow": "Gult", "red": "Rött"}
OTHER_LEGEND = "Grön: genomförs enligt plan   Gul: risk för avvikelse   Röd: målet nås inte"


class TemplateRenderer:
    """Rows of known content -> the OCR text of a report in ``template``'s layout."""

    def __init__(self, template: Template, seed: int) -> None:
        self.t = template
        self.rng = random.Random(seed)

    def noisy(self, text: str) -> str:
        return ocr_noise(text, self.rng, damage=self.t.damage)

    def wrap_unit(self, unit: str) -> list[str]:
        if len(unit) <= self.t.unit_width:
            return [unit]
        lines = textwrap.wrap(unit, self.t.unit_width, break_long_words=False)
        if len(lines) == 1 and unit.endswith("förvaltning") and " " not in unit:
            return [unit]
        return lines

    def cells(self, texts: list[str], width: int, unit: bool = False) -> list[str]:
        wrapped = [
            self.wrap_unit(self.noisy(t)) if unit else Renderer.wrap(self.noisy(t), width)
            for t in texts
        ]
        glue = not self.t.blank_between_cells and not unit
        glue = glue and all(Renderer.single_sentence(t) for t in texts)
        lines: list[str] = []
        for k, cell in enumerate(wrapped):
            if k and not (glue and self.rng.random() < 0.7):
                lines.append("")
            lines.extend(cell)
        return lines

    def heading(self, form: str, area: str, n: int) -> str:
        return form.format(area=self.noisy(area), AREA=self.noisy(area.upper()), n=n)

    def render(self, rows: list[dict]) -> str:
        if self.t.area_rows:
            return self.render_area_rows(rows)
        t = self.t
        unit_marker, comment_marker = t.damaged_markers or (t.unit_header, t.comment_header)
        areas: dict[str, list[dict]] = {}
        for row in rows:
            areas.setdefault(row["goal_area"], []).append(row)
        out: list[str] = []
        page_no = 0
        for n, (area, area_rows) in enumerate(areas.items(), start=1):
            k = 0
            while k < len(area_rows):
                size = self.rng.randint(*t.rows_per_page)
                page = area_rows[k : k + size]
                page_no += 1
                if t.running_title:
                    out += [self.noisy(t.running_title), ""]
                if k == 0:
                    out += [self.heading(t.heading, area, n), ""]
                elif t.continued is not None:
                    out += [self.heading(t.continued, area, n), ""]
                if t.legend and (k == 0 or t.continued is not None):
                    out += [self.noisy(OTHER_LEGEND), ""]
                k += size
                units = [self.noisy(unit_marker), ""] if not t.header_row else []
                units += self.cells([r["unit"] for r in page], t.unit_width, unit=True) + [""]
                comments = [self.noisy(comment_marker), ""] if not t.header_row else []
                comments += self.cells([r["comment"] for r in page], t.comment_width) + [""]
                if t.header_row:
                    header = [t.activity_header or "", unit_marker, comment_marker]
                    out += ["   ".join(h for h in header if h), ""]
                elif t.activity_header:
                    out += [self.noisy(t.activity_header), ""]
                out += self.cells([r["activity"] for r in page], t.activity_width) + [""]
                status = []
                if t.status_header:
                    status += [t.status_header, ""]
                if t.status_words:
                    status += self.cells(
                        [STATUS_WORDS[r.get("status") or "green"] for r in page], 20, unit=True
                    )
                    status += [""]
                if t.status_header:  # a headed status column stands before the comments
                    out += status
                    status = []
                out += comments + units if t.comments_first else units + status + comments
                if t.footer == "date":
                    out += ["", "2023-03-31", ""]
                elif t.footer == "page":
                    out += [t.page_label.format(n=page_no), ""]
        return "\n".join(out) + "\n"

    def render_area_rows(self, rows: list[dict]) -> str:
        """Pages over all rows; a goal area starts with a row of its own in the table, which
        the OCR writes inside the activity column."""
        t = self.t
        out: list[str] = []
        k = page_no = 0
        numbers = {a: n for n, a in enumerate(dict.fromkeys(r["goal_area"] for r in rows), 1)}
        previous = None
        while k < len(rows):
            size = self.rng.randint(*t.rows_per_page)
            page = rows[k : k + size]
            k += size
            page_no += 1
            if t.running_title:
                out += [self.noisy(t.running_title), ""]
            acts: list[str] = []
            for row in page:
                if row["goal_area"] != previous:
                    previous = row["goal_area"]
                    area_line = self.heading(t.heading, previous, numbers[previous])
                    acts += [area_line, ""]
                acts += Renderer.wrap(self.noisy(row["activity"]), t.activity_width) + [""]
            out += [self.noisy(t.activity_header), ""] if t.activity_header else []
            out += acts
            out += [self.noisy(t.unit_header), ""]
            out += self.cells([r["unit"] for r in page], t.unit_width, unit=True) + [""]
            out += [self.noisy(t.comment_header), ""]
            out += self.cells([r["comment"] for r in page], t.comment_width) + [""]
            out += [t.page_label.format(n=page_no), ""]
        return "\n".join(out) + "\n"

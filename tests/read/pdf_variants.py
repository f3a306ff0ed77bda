"""PDF template variants of made-up organisations, for tests and the held-out benchmark.

The vocabulary here (goal areas, units, activities, comments, headings) is deliberately NOT the
bundled report's (Region Västmanland): passing on these variants shows the reader works on the
format, not on one document's words. ``VARIANTS`` are the named templates the tests assert
row by row; ``random_template`` draws a template (layout options for
``pdf_factory.make_report_pdf``) and ``random_rows`` its content, from a seed, for
``benchmarks/pdf_heldout.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape

from tests.read.pdf_factory import ReportRow

GOAL_AREAS = (
    "Trygg och säker uppväxt",
    "Attraktiv landsbygd med levande byar",
    "Klimatneutral kommun 2035",
    "God livsmiljö för äldre",
    "Ett inkluderande arbetsliv",
    "Stark och hållbar ekonomi",
    "Kunskap och bildning hela livet",
)
UNITS = (
    "Barn- och utbildningsförvaltningen",
    "Socialförvaltningen",
    "Tekniska kontoret",
    "Kultur- och fritidsförvaltningen",
    "Miljö- och byggnadsnämnden",
    "Kommunledningskontoret",
    "Räddningstjänsten",
    "Vård och omsorg",
    "Gymnasieskolan Norra",
    "Ekonomiavdelningen",
)
_VERBS = ("Införa", "Kartlägga", "Revidera", "Upphandla", "Utreda", "Etablera", "Pröva")
_OBJECTS = (
    "ett gemensamt system för elevhälsans journaler i alla skolor",
    "laddinfrastruktur vid kommunens förskolor och äldreboenden",
    "riktlinjer för föreningsbidrag till ungdomsverksamhet på landsbygden",
    "en modell för tidiga insatser i samverkan med polisen",
    "solceller på tak där fastighetsbolaget äger byggnaden",
    "digitala tillsynsbesök inom hemtjänsten nattetid",
    "en plan för kompetensväxling bland kommunens medarbetare",
)
_COMMENTS = (
    "Arbetsgruppen har haft tre möten och lämnar förslag i oktober.",
    "Upphandlingen överprövades och har därför dragit ut på tiden.",
    "Beslut fattades i kommunstyrelsen i mars; genomförandet har startat.",
    "Medel saknas i budgeten för innevarande år.",
    "Pilotprojektet i två kommundelar föll väl ut och breddas nu.",
    "Personalomsättningen har försenat arbetet under våren.",
    "Avvaktar nationella riktlinjer från Socialstyrelsen innan nästa steg.",
)
STATUS_WORD_SETS = (
    {"green": "Pågår enligt plan", "yellow": "Försenad", "red": "Avbruten", "unknown": "-"},
    {"green": "Enligt plan", "yellow": "Avvikelse", "red": "Stor avvikelse"},
    {"green": "GRÖN", "yellow": "GUL", "red": "RÖD", "unknown": "Ej påbörjad"},
)
HEADER_WORDS = {
    "goal_area": ("Målområde", "Fokusområde", "Strategiskt mål"),
    "activity": ("Aktivitet", "Åtgärd", "Insats", "Namn", "Uppdrag"),
    "unit": ("Verksamhet", "Ansvarig", "Ansvar", "Förvaltning", "Enhet", "Ansvarig enhet"),
    "status": ("Status", "Bedömning", "Måluppfyllelse"),
    "comment": ("Kommentar", "Analys", "Uppföljning"),
}
HEADINGS: tuple[Callable[[str], str], ...] = (
    lambda g: f"AKTIVITETER MÅLOMRÅDE - {g}",
    lambda g: f"Målområde: {g}",
    lambda g: f"Fokusområde – {g}",
    lambda g: f"Strategiskt mål 2 – {g}",
    lambda g: g,
)
WIDTHS = {"goal_area": 90, "activity": 200, "unit": 140, "status": 70, "comment": 230}
PORTRAIT_SCALE = 0.8


@dataclass(frozen=True)
class Vocabulary:
    """The words rows are made of (a benchmark brings its own, to hold them out)."""

    goal_areas: tuple[str, ...] = GOAL_AREAS
    units: tuple[str, ...] = UNITS
    verbs: tuple[str, ...] = _VERBS
    objects: tuple[str, ...] = _OBJECTS
    comments: tuple[str, ...] = _COMMENTS


def random_rows(
    rng: random.Random, n: int, goal_areas: int = 3, words: Vocabulary = Vocabulary()
) -> list[ReportRow]:
    """``n`` rows over ``goal_areas`` goal areas (in blocks), units repeating, statuses mixed."""
    areas = rng.sample(words.goal_areas, goal_areas)
    units = rng.sample(words.units, rng.randint(3, min(6, len(words.units))))
    per_area = max(1, -(-n // goal_areas))
    rows = []
    for i in range(n):
        comment = " ".join(rng.sample(words.comments, rng.randint(1, 3)))
        rows.append(
            ReportRow(
                goal_area=areas[min(i // per_area, goal_areas - 1)],
                activity=f"{rng.choice(words.verbs)} {rng.choice(words.objects)} ({i + 1}).",
                unit=rng.choice(units),
                status=rng.choice(("green", "green", "yellow", "red", "unknown")),
                comment=comment,
            )
        )
    return rows


@dataclass
class Variant:
    """A named template: options for ``make_report_pdf`` and its rows."""

    name: str
    options: dict = field(default_factory=dict)
    rows: list[ReportRow] = field(default_factory=list)


def _widths(columns, portrait: bool) -> tuple[float, ...]:
    """Column widths that fit the page and the longest word (the status column keeps 70 pt
    so that a header such as "Måluppfyllelse" fits)."""
    scale = (0.68 if "goal_area" in columns else 0.8) if portrait else 1.0
    return tuple(WIDTHS[c] if c == "status" else round(WIDTHS[c] * scale) for c in columns)


def _variant(name: str, seed: int, n: int, columns, portrait=False, **options) -> Variant:
    rows = random_rows(random.Random(seed), n, goal_areas=options.pop("goal_areas", 2))
    options.setdefault("rows_per_page", 5)
    return Variant(
        name,
        {
            "columns": columns,
            "column_widths": _widths(columns, portrait),
            "page_size": A4 if portrait else landscape(A4),
            "font_size": 7 if portrait else 9,
            **options,
        },
        rows,
    )


VARIANTS = [
    # The real layout's blank headers over activity and status, other vocabulary.
    _variant(
        "blank_headers_fill",
        1,
        14,
        ("activity", "unit", "status", "comment"),
        header=("", "Verksamhet", "", "Kommentar"),
        split_rows=[2],
    ),
    # Synonyms, another column order, portrait, a dot drawn in the status cell.
    _variant(
        "synonyms_reordered_dot_portrait",
        2,
        12,
        ("unit", "activity", "comment", "status"),
        portrait=True,
        header=("Ansvar", "Åtgärd", "Analys", "Bedömning"),
        status_mark="dot",
        unknown_fill="#FFFFFF",
        heading=HEADINGS[2],
    ),
    # No header row at all, a coloured ● glyph, bare bold headings under a document title.
    _variant(
        "no_header_symbol_title",
        3,
        15,
        ("activity", "status", "unit", "comment"),
        portrait=True,
        show_header=False,
        status_mark="dot_symbol",
        heading=HEADINGS[4],
        heading_style=("Helvetica-Bold", 11),
        title="Uppföljning av verksamhetsplan 2024, Norrvikens kommun",
        legend="none",
    ),
    # Status words without colour; the goal area in a full-width row inside the table.
    _variant(
        "words_goal_area_row",
        4,
        12,
        ("activity", "unit", "status", "comment"),
        header=("Insats", "Ansvarig enhet", "Status", "Uppföljning"),
        status_words=STATUS_WORD_SETS[0],
        fill_status=False,
        heading_in_table=True,
        heading=HEADINGS[1],
        legend="none",
    ),
    # A goal-area column, a blank status header, a square in the cell, continued pages with
    # neither heading nor header.
    _variant(
        "goal_area_column_square",
        5,
        16,
        ("goal_area", "activity", "unit", "status", "comment"),
        header=("Målområde", "Aktivitet", "Förvaltning", "", "Kommentar"),
        status_mark="square",
        heading=HEADINGS[3],
        continued_heading="none",
        repeat_header=False,
        goal_areas=3,
    ),
    # Landscape pages stored as rotated portrait, a ■ glyph, three goal areas on shared pages.
    _variant(
        "rotated_square_symbol_shared_pages",
        6,
        13,
        ("activity", "unit", "status", "comment"),
        header=("Namn", "Enhet", "Måluppfyllelse", "Kommentar"),
        status_mark="square_symbol",
        rotated=True,
        new_page_per_goal_area=False,
        rows_per_page=None,
        goal_areas=3,
        heading=HEADINGS[0],
    ),
    # Full fill, no header row, portrait, headings "Strategiskt mål 2 – …" repeated.
    _variant(
        "no_header_fill_portrait",
        7,
        14,
        ("comment", "activity", "unit", "status"),
        portrait=True,
        show_header=False,
        heading=HEADINGS[3],
        continued_heading="repeat",
        shades={"green": "#92D050", "yellow": "#FFC000", "red": "#C00000"},
    ),
    # Word statuses of another system on coloured cells, CMYK.
    _variant(
        "words_on_fill_cmyk",
        8,
        10,
        ("activity", "status", "comment", "unit"),
        header=("Uppdrag", "Status", "Kommentar", "Ansvarig"),
        status_words=STATUS_WORD_SETS[2],
        colour_space="cmyk",
        heading=HEADINGS[1],
    ),
]


def random_template(rng: random.Random, words: Vocabulary = Vocabulary()) -> Variant:
    """One random template: column order, header words (some blank or none), page
    orientation, status encoding, heading form and placement, page breaks."""
    columns = ["activity", "unit", "status", "comment"]
    rng.shuffle(columns)
    if rng.random() < 0.2:
        columns.insert(0, "goal_area")
    portrait = rng.random() < 0.5
    header_mode = rng.choice(("full", "full", "blank", "none"))
    header = tuple(rng.choice(HEADER_WORDS[c]) for c in columns)
    if header_mode == "blank":
        blank = {"status", rng.choice(("activity", "status"))}
        header = tuple("" if c in blank else h for c, h in zip(columns, header, strict=True))
    encoding = rng.choice(("fill", "dot", "square", "dot_symbol", "square_symbol", "word"))
    options: dict = {
        "header": header,
        "show_header": header_mode != "none",
        "heading": rng.choice(HEADINGS),
        "heading_in_table": rng.random() < 0.25,
        "continued_heading": rng.choice(("forts", "repeat", "none")),
        "repeat_header": rng.random() < 0.6,
        "legend": rng.choice(("swatches", "boxed", "none")),
        "rows_per_page": rng.choice((None, 4, 6)),
        "new_page_per_goal_area": rng.random() < 0.7,
        "rotated": not portrait and rng.random() < 0.2,
        "title": "Uppföljning av verksamhetsplan" if rng.random() < 0.3 else None,
    }
    if encoding == "word":
        options["status_words"] = rng.choice(STATUS_WORD_SETS)
        options["fill_status"] = rng.random() < 0.3
    else:
        options["status_mark"] = encoding
    n = rng.randint(8, 20)
    rows = random_rows(rng, n, goal_areas=rng.randint(1, 3), words=words)
    if options["rows_per_page"] and rng.random() < 0.3 and "comment" in columns:
        options["split_rows"] = [rng.randrange(n)]
    return Variant(
        f"random-{rng.random():.6f}",
        {
            "columns": tuple(columns),
            "column_widths": _widths(columns, portrait),
            "page_size": A4 if portrait else landscape(A4),
            "font_size": 7 if portrait else 9,
            **options,
        },
        rows,
    )

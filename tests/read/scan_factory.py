"""Scanned follow-up reports with a known content, in several templates, for the scan reader.

A report is drawn as a text-layer PDF by :func:`tests.read.pdf_factory.make_report_pdf` (the
ground truth is its rows), rasterised with pypdfium2, and degraded as a scanner and a mail
program would: a small rotation, grain, JPEG compression; then stored as an image-only PDF
(no text layer) or as a PNG, JPEG or TIFF image. The vocabulary (municipality, committees,
goal areas, activities, comments) is made up here and is not the bundled report's.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from reportlab.lib.pagesizes import A4

from tests.read.pdf_factory import ReportRow, make_report_pdf

GOAL_AREAS = (
    "Trygg och säker kommun",
    "Livskvalitet i alla åldrar",
    "Attraktiv och klimatsmart landsbygd",
    "Ett starkt och växande näringsliv",
)
UNITS = (
    "Socialförvaltningen",
    "Barn- och utbildningsförvaltningen",
    "Tekniska kontoret",
    "Kultur och fritid",
    "Miljö- och byggnadsnämnden",
    "Kommunledningskontoret",
)
_VERBS = ("Inventera", "Kartlägga", "Införa", "Upphandla", "Revidera", "Utbilda", "Etablera")
_OBJECTS = (
    "belysningen längs gång- och cykelvägar i tätorterna",
    "rutiner för tidig upptäckt av våld i nära relationer",
    "ett digitalt system för felanmälan från invånarna",
    "laddinfrastruktur vid kommunens förskolor och skolor",
    "personal inom hemtjänsten i förebyggande arbetssätt",
    "mötesplatser för äldre i samtliga kommundelar",
    "samverkan med föreningslivet kring sommarlovsaktiviteter",
    "energieffektiviseringar i kommunala fastigheter",
)
_COMMENTS = (
    "Genomfört under våren.",
    "Upphandlingen överklagades och avgörs i förvaltningsrätten.",
    "Arbetsgruppen har träffats fyra gånger; en rapport lämnas till nämnden i oktober.",
    "Projektet fick inga sökande till tjänsten som samordnare och har pausats.",
    "Inventeringen är klar i tre av fem kommundelar, resterande sker efter semestern.",
    "Beslut fattades i kommunstyrelsen den 12 maj 2023.",
    "Försenat på grund av leveransproblem; ny tidplan med start i januari 2024.",
    "Utbildningen har nått 140 medarbetare, vilket är fler än målet.",
)


def other_rows(n: int, *, seed: int = 3, goal_areas: Sequence[str] = GOAL_AREAS) -> list[ReportRow]:
    """``n`` activity rows of a made-up municipality, in goal-area blocks, reproducibly."""
    rng = random.Random(seed)
    per_area = max(1, -(-n // len(goal_areas)))
    statuses = ("green", "yellow", "red", "green", "unknown")
    return [
        ReportRow(
            goal_area=goal_areas[min(i // per_area, len(goal_areas) - 1)],
            activity=f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} ({i + 1}).",
            unit=rng.choice(UNITS),
            status=statuses[(i + seed) % len(statuses)],
            comment=" ".join(rng.sample(_COMMENTS, rng.randint(1, 3))),
        )
        for i in range(n)
    ]


@dataclass(frozen=True)
class Template:
    """A report template: the options of ``make_report_pdf`` that vary between organisations."""

    name: str
    options: dict = field(default_factory=dict)


TEMPLATES = (
    # The bundled report's layout: blank activity and status headers, filled status cells,
    # "AKTIVITETER MÅLOMRÅDE - …" headings, a boxed legend, landscape.
    Template(
        "real-layout",
        {"header": ("", "Verksamhet", "", "Kommentar"), "legend": "boxed", "rows_per_page": 6},
    ),
    # Portrait, other header words, a dot in the status cell, "Fokusområde 2: …" headings.
    Template(
        "portrait-dots",
        {
            "header": ("Åtgärd", "Ansvarig förvaltning", "Status", "Analys"),
            "status_mark": "dot",
            "page_size": A4,
            "column_widths": (170, 120, 50, 185),
            "heading": lambda area: f"Fokusområde: {area}",
            "legend": "swatches",
            "rows_per_page": 5,
        },
    ),
    # The goal area as a full-width row inside the table, squares, pale Office shades.
    Template(
        "area-in-table",
        {
            "header": ("Insats", "Ansvar", "Bedömning", "Uppföljning"),
            "status_mark": "square",
            "heading_in_table": True,
            "heading": lambda area: area.upper(),
            "legend": "none",
            "shades": {"green": "#92D050", "yellow": "#FFC000", "red": "#C00000"},
            "rows_per_page": 6,
        },
    ),
)


def degrade(
    image: np.ndarray, *, angle: float = 0.0, noise: float = 0.0, seed: int = 0
) -> np.ndarray:
    """Turn the page by ``angle`` degrees and add Gaussian grain of ``noise`` grey levels."""
    from PIL import Image

    out = Image.fromarray(image)
    if angle:
        out = out.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    array = np.asarray(out).astype(np.int16)
    if noise:
        grain = np.random.default_rng(seed).normal(0, noise, array.shape[:2])[..., None]
        array = array + grain.astype(np.int16)
    return np.clip(array, 0, 255).astype(np.uint8)


def rasterise(pdf: Path, dpi: int) -> list[np.ndarray]:
    """Every page of a PDF as an RGB array (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [np.array(page.render(scale=dpi / 72).to_pil().convert("RGB")) for page in document]
    finally:
        document.close()


def _jpeg(image: np.ndarray, quality: int):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def make_scan(
    path: Path,
    rows: Sequence[ReportRow],
    template: Template,
    *,
    dpi: int = 150,
    angle: float = 0.6,
    noise: float = 6.0,
    jpeg_quality: int | None = 75,
    seed: int = 0,
) -> Path:
    """A scanned report of ``rows`` at ``path``: ``.pdf`` (images only), ``.png``, ``.jpg``,
    ``.tif`` (multi-page). Pages alternate the sign of the rotation."""
    from PIL import Image

    path = Path(path)
    source = path.with_name(path.stem + "-text.pdf")
    make_report_pdf(source, rows, **template.options)
    pages = []
    for number, page in enumerate(rasterise(source, dpi)):
        turned = degrade(page, angle=angle * (-1) ** number, noise=noise, seed=seed + number)
        pages.append(_jpeg(turned, jpeg_quality) if jpeg_quality else Image.fromarray(turned))
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    elif suffix in (".tif", ".tiff"):
        pages[0].save(path, "TIFF", dpi=(dpi, dpi), save_all=True, append_images=pages[1:])
    else:
        if len(pages) != 1:
            raise ValueError(f"{suffix} holds one page; the report has {len(pages)}")
        pages[0].save(path, dpi=(dpi, dpi), **({"quality": 90} if suffix == ".jpg" else {}))
    return path


def words(text: str | None) -> list[str]:
    return (text or "").split()


def word_accuracy(truth: Sequence[ReportRow], rows: Sequence[dict]) -> tuple[int, int]:
    """(words read right, words in the truth) over activity, unit and comment, row by row in
    order (a missing row counts all its words wrong); words aligned as ``difflib`` does."""
    from difflib import SequenceMatcher

    right = total = 0
    for index, expected in enumerate(truth):
        got = rows[index] if index < len(rows) else {}
        for name in ("activity", "unit", "comment"):
            want = words(getattr(expected, name))
            have = words(got.get(name))
            total += len(want)
            matcher = SequenceMatcher(a=want, b=have, autojunk=False)
            right += sum(block.size for block in matcher.get_matching_blocks())
    return right, total

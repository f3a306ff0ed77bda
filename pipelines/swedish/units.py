"""Map a responsible unit (verksamhet) as written in a report onto the canonical unit names.

The names and their aliases live in ``units.yaml`` next to this module. Matching folds case,
diacritics and OCR look-alikes (``Vilfard``, ``Folkhdlsa``) and then compares with rapidfuzz, so
the data file only needs genuinely different spellings. Joint units (``Välfärd/Samhällsutveckling``)
are matched part by part. An unknown unit is returned repaired, never forced onto a known one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from pipelines.swedish.repair import repair_text

UNITS_FILE = Path(__file__).with_name("units.yaml")
MIN_SCORE = 84.0

_LOOKALIKE = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "é": "a", "6": "o", "3": "a", "0": "o", "|": " ", "&": " och "}
)


def fold_key(text: str) -> str:
    """Lower-case, diacritic- and look-alike-free form used to compare unit names."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_LOOKALIKE)
    text = re.sub(r"[^a-z/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], tuple[str, ...]]:
    """(folded name or alias -> canonical name, separators)."""
    data = yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8"))
    lookup: dict[str, str] = {}
    for unit in data["units"]:
        name = unicodedata.normalize("NFC", unit["name"])
        for spelling in [name, *unit.get("aliases", [])]:
            lookup[fold_key(spelling)] = name
    return lookup, tuple(data.get("separators", ["/"]))


def canonical_names() -> list[str]:
    return sorted(set(_catalogue()[0].values()))


@lru_cache(maxsize=10_000)
def match_unit(text: str) -> str | None:
    """The canonical unit for ``text`` (joint units part by part), or None when unknown."""
    lookup, separators = _catalogue()
    parts = [text]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    names = []
    for part in parts:
        key = fold_key(part)
        if not key:
            return None
        if key in lookup:
            names.append(lookup[key])
            continue
        hit = process.extractOne(key, list(lookup), scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if hit is None:
            return None
        names.append(lookup[hit[0]])
    return separators[0].join(names) if names else None


def canonical_unit(text: str | None) -> str | None:
    """Canonical unit name, or the text repaired as Swedish when the unit is not known."""
    if text is None or not text.strip():
        return None
    text = re.sub(r"\s+", " ", text).strip(" |")
    return match_unit(text) or repair_text(text)

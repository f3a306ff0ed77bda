"""Responsible units (verksamheter) as one document writes them, and optional aliases.

A report's units are what stands in its own unit column: :class:`UnitLexicon` holds the
spellings a reader found there, groups the OCR variants of one unit (``Vilfard`` and
``Valfard`` both repair to ``Välfärd``) and gives every variant one name: the Swedish repair of
its most frequent spelling, or the canonical name an alias gives.

``units.yaml`` holds optional aliases per organisation (an OCR-damaged, abbreviated or old
spelling -> the canonical name). They apply only to that organisation's files (its slug in the
file name), match only the same spelling (after folding case, diacritics and look-alikes) and
are never needed to read a report: a unit without an alias is kept as written, repaired.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from pipelines.swedish.repair import repair_text

UNITS_FILE = Path(__file__).with_name("units.yaml")
# A line is that unit when its folded text is this similar to a spelling of it (one letter
# in eight or nine damaged: Folkhdlsa ~ Folkhalsa).
MIN_SCORE = 84.0
# Two spellings in the unit column are one unit when this similar after repair.
SAME_UNIT = 90.0
MIN_FUZZY_LEN = 5
SEPARATOR = "/"

_LOOKALIKE = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "ö": "o",
        "é": "a",
        "6": "o",
        "3": "a",
        "0": "o",
        "1": "l",
        "|": " ",
        "&": " och ",
    }
)


@lru_cache(maxsize=100_000)
def fold_key(text: str) -> str:
    """Lower-case, diacritic- and look-alike-free form used to compare unit names."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_LOOKALIKE)
    text = re.sub(r"[^a-z/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=100_000)
def clean_unit(text: str | None) -> str | None:
    """A unit cell's text with spacing tidied and OCR bars/dashes at its edges dropped."""
    if text is None:
        return None
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip(" |-[]")
    return text or None


@lru_cache(maxsize=1)
def _alias_file() -> dict[str, dict[str, str]]:
    """org slug -> (folded spelling -> canonical name)."""
    data = yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, str]] = {}
    for org, units in (data.get("organisations") or {}).items():
        lookup: dict[str, str] = {}
        for unit in units or []:
            name = unicodedata.normalize("NFC", unit["name"])
            for spelling in [name, *unit.get("aliases", [])]:
                lookup[fold_key(spelling)] = name
        out[str(org)] = lookup
    return out


def aliases_for(file_name: str | None) -> dict[str, str]:
    """The aliases of the organisations whose slug the file name carries (none otherwise)."""
    if not file_name:
        return {}
    name = file_name.casefold()
    out: dict[str, str] = {}
    for org, lookup in _alias_file().items():
        if re.search(rf"(?<![a-z0-9]){re.escape(org.casefold())}(?![a-z0-9])", name):
            out.update(lookup)
    return out


def canonical_unit(text: str | None, aliases: dict[str, str] | None = None) -> str | None:
    """The alias's canonical name when one matches, else the text repaired as Swedish."""
    text = clean_unit(text)
    if text is None:
        return None
    if aliases:
        parts = text.split(SEPARATOR)
        named = [aliases.get(fold_key(part)) for part in parts]
        if all(named):
            return SEPARATOR.join(n for n in named if n)
    return repair_text(text)


def _wordlike(text: str) -> float:
    """How real the words of a name are (summed Swedish word frequencies): breaks ties."""
    from pipelines.swedish.repair import zipf

    return sum(zipf(w) for w in re.findall(r"[^\W\d_]+", text.lower()))


def _most_common_repair(members: list[tuple[str, int]], aliases: dict[str, str]) -> str | None:
    """The repaired spelling most members of a group come to (then the most word-like one)."""
    votes: Counter[str] = Counter()
    for spelling, count in members:
        votes[canonical_unit(spelling, aliases) or spelling] += count
    return max(votes, key=lambda name: (votes[name], _wordlike(name)), default=None)


class UnitLexicon:
    """The units of one document (what stands in its unit column), with their variants."""

    def __init__(self, spellings: Iterable[str], aliases: dict[str, str] | None = None):
        self.aliases = dict(aliases or {})
        counts = Counter(c for c in map(clean_unit, spellings) if c)
        groups: list[tuple[str, list[tuple[str, int]]]] = []  # (repaired key, members)
        for spelling, count in counts.most_common():
            key = fold_key(canonical_unit(spelling, self.aliases) or spelling)
            for group_key, members in groups:
                if key == group_key or (
                    key.count(" ") == group_key.count(" ")
                    and fuzz.ratio(key, group_key) >= SAME_UNIT
                ):
                    members.append((spelling, count))
                    break
            else:
                groups.append((key, [(spelling, count)]))
        self._name: dict[str, str] = {}  # folded spelling -> the unit's name in this document
        for _key, members in groups:
            named = [self.aliases[fold_key(s)] for s, _ in members if fold_key(s) in self.aliases]
            name = named[0] if named else _most_common_repair(members, self.aliases)
            for spelling, _count in members:
                self._name.setdefault(fold_key(spelling), name or spelling)
        for folded, name in self.aliases.items():
            self._name.setdefault(folded, name)
        self._keys = [k for k in self._name if k]
        self._cache: dict[str, str | None] = {}

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(set(self._name.values()))

    def names(self) -> list[str]:
        return sorted(set(self._name.values()))

    def _match_one(self, key: str) -> str | None:
        if key in self._name:
            return self._name[key]
        if len(key) < MIN_FUZZY_LEN or not self._keys:
            return None
        hit = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if hit is None:
            return None
        if hit[0].count(" ") != key.count(" "):
            return None  # "Kultur" is not "Kultur och fritid"
        return self._name[hit[0]]

    def match(self, text: str) -> str | None:
        """The unit ``text`` names in this document (joint units part by part), or None."""
        key = fold_key(clean_unit(text) or "")
        if not key:
            return None
        if key not in self._cache:
            found = self._match_one(key)
            if found is None and SEPARATOR in key:
                parts = [self._match_one(p.strip()) for p in key.split(SEPARATOR)]
                if all(parts):
                    found = SEPARATOR.join(p for p in parts if p)
            self._cache[key] = found
        return self._cache[key]

    def canonical(self, text: str | None) -> str | None:
        """The unit's name in this document: its group's name, else the text repaired."""
        cleaned = clean_unit(text)
        if cleaned is None:
            return None
        return self.match(cleaned) or canonical_unit(cleaned, self.aliases)

"""Units are what stands in a document's unit column; units.yaml only adds optional aliases."""

from __future__ import annotations

import pytest
import yaml

from pipelines.swedish.units import UNITS_FILE, UnitLexicon, aliases_for, canonical_unit

# A municipality's unit column as OCR wrote it (none of these is in units.yaml)
COLUMN = [
    "Socialtjanst",
    "Socialtjénst",
    "Socialtjanst",
    "Miljoforvaltningen",
    "Miljéforvaltningen",
    "Kultur- och fritid",
    "Kultur- och fritid",
    "Stadsbyggnad",
    "Barn- och utbildningsforvaltningen",
]


@pytest.fixture(scope="module")
def lexicon() -> UnitLexicon:
    return UnitLexicon(COLUMN)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Socialtjanst", "Socialtjänst"),
        ("Socialtjénst", "Socialtjänst"),
        ("Socia1tjanst", "Socialtjänst"),  # damaged outside the unit column: fuzzy
        ("Miljéforvaltningen", "Miljöförvaltningen"),
        ("  Stadsbyggnad |", "Stadsbyggnad"),
        ("Kultur- och fritid", "Kultur- och fritid"),
        ("Barn- och utbildningsforvaltningen", "Barn- och utbildningsförvaltningen"),
        ("Socialtjanst/Stadsbyggnad", "Socialtjänst/Stadsbyggnad"),  # a joint unit, by parts
    ],
)
def test_the_documents_units_are_matched_and_named_consistently(lexicon, written, name):
    assert lexicon.match(written) == name
    assert lexicon.canonical(written) == name


def test_other_text_is_no_unit(lexicon):
    assert lexicon.match("Kultur") is None  # not "Kultur- och fritid"
    assert lexicon.match("Pågår enligt plan") is None
    assert lexicon.match("Stad") is None
    assert len(lexicon) == 5


def test_an_unknown_unit_is_kept_repaired_not_forced(lexicon):
    assert lexicon.canonical("Regionala utvecklingsforvaltningen") == (
        "Regionala utvecklingsförvaltningen"
    )
    assert canonical_unit("   ") is None


def test_aliases_apply_to_their_organisations_files_only():
    data = yaml.safe_load(UNITS_FILE.read_text("utf-8"))
    org, units = next(iter(data["organisations"].items()))
    unit = next(u for u in units if u.get("aliases"))
    alias = unit["aliases"][0]
    assert canonical_unit(alias, aliases_for(f"{org}_2022-07-07_ocr.txt")) == unit["name"]
    assert canonical_unit(alias, aliases_for(f"raw/abc123-{org}_2022-07-07.txt")) == unit["name"]
    assert canonical_unit(alias, aliases_for("kommun-x_2022-07-07_ocr.txt")) != unit["name"]
    # an alias wins inside a document too, for every OCR variant of that unit
    lexicon = UnitLexicon([alias, alias.upper()], aliases_for(f"{org}_report.txt"))
    assert lexicon.canonical(alias.upper()) == unit["name"]


def test_the_alias_file_is_optional_data():
    """Each alias maps to a name; nothing in it is needed to read (see the reader's tests on
    other organisations' units)."""
    data = yaml.safe_load(UNITS_FILE.read_text("utf-8"))
    for units in data["organisations"].values():
        for unit in units:
            assert unit["name"] and all(isinstance(a, str) for a in unit.get("aliases", []))

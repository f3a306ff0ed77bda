"""Units as written (and as OCR'd) map onto the canonical names in units.yaml."""

from __future__ import annotations

import pytest
import yaml

from pipelines.swedish.units import UNITS_FILE, canonical_names, canonical_unit, match_unit


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Folkhdlsa", "Folkhälsa"),
        ("Folkhélsa", "Folkhälsa"),
        ("Vilfard", "Välfärd"),
        ("Kultur och Ideell sektor", "Kultur och ideell sektor"),
        ("Naringsliv och Kompetensforsorjning", "Näringsliv och kompetensförsörjning"),
        ("Näringsliv & kompetensförsörjning", "Näringsliv och kompetensförsörjning"),
        ("Tarna folkhogskola", "Tärna folkhögskola"),
        ("Vilfard/Samhallsutveckling", "Välfärd/Samhällsutveckling"),
        ("  Ledningsstaben |", "Ledningsstaben"),
    ],
)
def test_known_units_are_canonical(written, canonical):
    assert canonical_unit(written) == canonical


def test_an_unknown_unit_is_kept_repaired_not_forced():
    assert match_unit("Regionala utvecklingsforvaltningen") is None
    assert (
        canonical_unit("Regionala utvecklingsforvaltningen") == "Regionala utvecklingsförvaltningen"
    )
    assert canonical_unit("   ") is None


def test_the_catalogue_is_the_data_file():
    names = {unit["name"] for unit in yaml.safe_load(UNITS_FILE.read_text("utf-8"))["units"]}
    assert set(canonical_names()) == names

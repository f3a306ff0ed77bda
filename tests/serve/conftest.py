import re
import shutil
from pathlib import Path

import pytest

# A made-up municipality's export (its own goal areas, units and phrasing, not the demo's): one
# row with markup in its text, one with a status word no reader knows (quarantined).
UPLOAD_CSV = """Fokusområde;Åtgärd;Ansvarig nämnd;Bedömning;Analys och kommentar
Trygg uppväxt;Införa läxhjälp på biblioteken <script>alert(1)</script>;Kultur- och fritidsnämnden;Grönt;Startade i januari.
Trygg uppväxt;Utöka fritidsgårdarnas öppettider;Kultur- och fritidsnämnden;Gult;Personalbrist under våren.
Hållbar samhällsbyggnad;Ta fram en ny grönplan;Samhällsbyggnadsnämnden;lila;Remiss skickad.
"""


@pytest.fixture
def served_lake(demo_lake: Path, tmp_path: Path) -> Path:
    """A private copy of the demo lake (real report + synthetic periods), decisions go there."""
    lake = tmp_path / "lake"
    shutil.copytree(demo_lake, lake)
    return lake


@pytest.fixture
def upload_csv(tmp_path: Path) -> Path:
    path = tmp_path / "kommun-sjodal_2024-T1_2024-05-15.csv"
    path.write_text(UPLOAD_CSV, encoding="utf-8")
    return path


def queue_items(html: str) -> list[tuple[str, str, int]]:
    return [
        (org, period, int(row))
        for org, period, row in re.findall(
            r'data-org="([^"]+)" data-period="([^"]+)" data-row="(\d+)"', html
        )
    ]

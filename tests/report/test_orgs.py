"""Organisation display names: the bundled registry, the lake's editable copy, the slug fallback,
and the name in the report's title, PDF metadata and Excel properties."""

from __future__ import annotations

import openpyxl
import pytest
from bs4 import BeautifulSoup

from pipelines.core.errors import FollowupError
from pipelines.lake.store import org_slug
from pipelines.report.from_lake import report_from_lake
from pipelines.report.orgs import bundled_names, ensure_lake_registry, org_names, parse_registry
from pipelines.report.render import report_html, write_report
from pipelines.synthetic.report_sample import ORG, sample_tables, write_sample_lake


def test_bundled_registry_has_the_21_regions_keyed_by_their_slugs():
    names = bundled_names()
    assert len(names) == 21
    assert names["region-vastmanland"] == "Region Västmanland"
    assert names["vastra-gotalandsregionen"] == "Västra Götalandsregionen"
    assert all(slug == org_slug(name) for slug, name in names.items())


def test_registry_errors_are_one_line():
    with pytest.raises(FollowupError, match="not valid YAML"):
        parse_registry("orgs: [", "orgs.yaml")
    with pytest.raises(FollowupError, match="no display name"):
        parse_registry("orgs:\n  kommun-x: ''\n", "orgs.yaml")
    # a name as key is slugged: the registry may be written by hand
    assert parse_registry("orgs:\n  Kommun Åby: Åby kommun\n", "x") == {"kommun-aby": "Åby kommun"}


def _renamed_lake(tmp_path):
    lake = write_sample_lake(tmp_path / "lake")
    path = ensure_lake_registry(lake)
    assert path.read_text(encoding="utf-8").startswith("# Display names")  # the bundled copy
    path.write_text(
        path.read_text(encoding="utf-8") + f"  {ORG}: Region Exempelö\n", encoding="utf-8"
    )
    return lake


def test_the_lake_copy_names_the_org_everywhere(tmp_path):
    lake = _renamed_lake(tmp_path)
    assert org_names(lake)[ORG] == "Region Exempelö"
    data = report_from_lake(lake, ORG)
    assert data.display_name == "Region Exempelö"
    soup = BeautifulSoup(report_html(data), "html.parser")
    assert soup.h1.get_text() == "Uppföljning: Region Exempelö"
    assert soup.title.get_text().startswith("Uppföljning: Region Exempelö")
    assert ORG not in soup.get_text()
    book = openpyxl.load_workbook(write_report(data, tmp_path / "r.xlsx"))
    assert book.properties.title == "Uppföljning: Region Exempelö"
    assert book["Nyckeltal"]["A1"].value == "Uppföljning: Region Exempelö"


def test_an_org_missing_from_the_registry_keeps_its_slug():
    from pipelines.report.model import build_report_data

    data = build_report_data(**sample_tables(), org=ORG)
    assert data.display_name == ORG
    assert BeautifulSoup(report_html(data), "html.parser").h1.get_text() == f"Uppföljning: {ORG}"

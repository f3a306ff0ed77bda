"""Shared, module-independent fixtures for the report tests: the sample history, its report data
and each format rendered once per session (Chromium starts once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.report.model import build_report_data
from pipelines.report.render import find_chromium, write_report, write_reports
from pipelines.synthetic.report_sample import ORG, sample_tables


@pytest.fixture(scope="session")
def tables():
    return sample_tables()


@pytest.fixture(scope="session")
def report_data(tables):
    return build_report_data(**tables, org=ORG)


@pytest.fixture(scope="session")
def rendered(report_data, tmp_path_factory) -> dict[str, Path]:
    """The sample report written as HTML (sv, en) and Excel (sv, en)."""
    out = tmp_path_factory.mktemp("report")
    return {
        name: write_report(report_data, out / name, lang=name.split(".")[0])
        for name in ("sv.html", "en.html", "sv.xlsx", "en.xlsx")
    }


@pytest.fixture(scope="session")
def chromium_renders(report_data, tmp_path_factory) -> dict[str, Path]:
    if find_chromium() is None:  # ./run test installs it; a skip here would prove nothing
        pytest.fail("Chromium is not installed (apt-get install -y chromium)")
    out = tmp_path_factory.mktemp("chromium")
    # one render, one browser: the PNG comes after the PDF (screen media again, see render.py)
    written = write_reports(report_data, out, (".pdf", ".png"), stem="report")
    return {s.lstrip("."): path for s, path in written.items()}

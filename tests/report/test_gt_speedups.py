"""great-tables with its locale tables read once, no IPython import and each nanoplot number
formatted once renders the very same report, byte for byte, as great-tables untouched (each
rendered in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

RENDER = """
import json, sys
import great_tables._locale as locale
from pipelines.report import tables
from pipelines.report.model import build_report_data
from pipelines.report.render import report_html
from pipelines.synthetic.report_sample import ORG, sample_tables

if sys.argv[1] == "untouched":
    tables.apply_gt_speedups = lambda: None
reads = []
real_read = locale.read_csv
locale.read_csv = lambda name: reads.append(str(name)) or real_read(name)
import great_tables.vals as vals
formatted = []
for name in ("fmt_number", "fmt_integer"):  # what a nanoplot formats its numbers with
    real = getattr(vals, name)
    setattr(vals, name, lambda *a, real=real, **k: formatted.append(1) or real(*a, **k))
data = build_report_data(**sample_tables(), org=ORG)
pages = {lang: report_html(data, lang) for lang in ("sv", "en")}
print(json.dumps({"pages": pages, "locale_reads": len(reads), "ipython": "IPython" in sys.modules,
                  "numbers_formatted": len(formatted)}))
"""


def _render(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RENDER, mode], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def untouched():
    return _render("untouched")


@pytest.fixture(scope="module")
def sped_up():
    return _render("sped-up")


def test_the_same_pages(untouched, sped_up):
    assert sped_up["pages"] == untouched["pages"]
    assert "Sammanfattning per målområde" in sped_up["pages"]["sv"]


def test_locale_tables_are_read_once(untouched, sped_up):
    assert untouched["locale_reads"] > 20  # what great-tables does on its own
    assert sped_up["locale_reads"] <= 2  # the locales and the default locales, once each


def test_rendering_does_not_import_ipython(untouched, sped_up):
    assert untouched["ipython"]  # great-tables on its own imports it to look for a notebook
    assert not sped_up["ipython"]


def test_nanoplot_numbers_are_formatted_once_each(untouched, sped_up):
    assert untouched["pages"]["sv"].count("<svg") >= 5  # the status strip's nanoplots are there
    assert untouched["numbers_formatted"] > 20
    assert sped_up["numbers_formatted"] <= untouched["numbers_formatted"] // 3
